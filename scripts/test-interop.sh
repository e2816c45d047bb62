#!/usr/bin/env bash
# Interoperability suite: drives kcat (librdkafka) and the Apache Kafka Java client against Samsa,
# and checks the benchmark's C reader (bench/consumer/fetch-count.c) against the JavaScript one.
# Installs kcat, a C compiler, a JDK and Maven from Debian's packages when they are missing and we
# may (root); the Java client's jars come from Maven Central through bench/kafka/fetch.sh (cached).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v kcat >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing kcat (librdkafka) from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null
  else
    echo "kcat is required for the interop suite: apt-get install kcat" >&2
    exit 1
  fi
fi
echo "kcat: $(kcat -V 2>&1 | head -n 1)"
if ! command -v "${CC:-cc}" >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing a C compiler from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null
  else
    echo "a C compiler is required for the interop suite: apt-get install gcc" >&2
    exit 1
  fi
fi
echo "cc: $("${CC:-cc}" --version 2>&1 | head -n 1)"
if ! command -v javac >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing a JDK and Maven from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
  else
    echo "java, javac and mvn are required for the interop suite: apt-get install openjdk-17-jdk-headless maven" >&2
    exit 1
  fi
fi
echo "java: $(java -version 2>&1 | head -n 1)"
echo "kafka-clients jars: $(bash bench/kafka/fetch.sh)"
exec node scripts/run-tests.mjs test/interop
