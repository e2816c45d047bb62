#!/usr/bin/env bash
# Interoperability suite: drives kcat (librdkafka) against a real Samsa process.
# Installs kcat from Debian's packages when it is missing and we may (root).
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
exec node scripts/run-tests.mjs test/interop
