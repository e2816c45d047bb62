#!/usr/bin/env bash
# Resolves Apache Kafka's jars from Maven Central into the cache and prints the directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
kafka_ensure_libs
echo "$KAFKA_LIBS"
