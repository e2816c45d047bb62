#!/usr/bin/env bash
# Runs Kafka's own load generators against any bootstrap server (Samsa or Apache Kafka) with
# fixed settings, so that figures from both can be put side by side.
#
#   bench/kafka/perf.sh BOOTSTRAP [RECORDS=1000000] [RECORD_SIZE=100] [PARTITIONS=1]
#
# Creates a fresh topic perf-<time>, then: producer perf with acks=1 and acks=all (linger.ms=5,
# batch.size=65536), and consumer perf reading it all back. Prints each tool's summary line.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
bootstrap="${1:?usage: perf.sh BOOTSTRAP [RECORDS] [RECORD_SIZE] [PARTITIONS]}"
records="${2:-1000000}"
size="${3:-100}"
partitions="${4:-1}"
topic="perf-$(date +%s)"

"$here/run-tool.sh" kafka-topics --bootstrap-server "$bootstrap" --create --topic "$topic" \
  --partitions "$partitions" --replication-factor 1 > /dev/null
for acks in 1 all; do
  echo "producer acks=$acks records=$records size=$size partitions=$partitions:"
  "$here/run-tool.sh" kafka-producer-perf-test --topic "$topic" --num-records "$records" \
    --record-size "$size" --throughput -1 --command-property "bootstrap.servers=$bootstrap" \
    acks="$acks" linger.ms=5 batch.size=65536 | tail -n 1
done
echo "consumer:"
"$here/run-tool.sh" kafka-consumer-perf-test --bootstrap-server "$bootstrap" --topic "$topic" \
  --num-records $((records * 2)) --timeout 30000 | tail -n 2
