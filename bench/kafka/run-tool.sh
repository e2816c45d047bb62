#!/usr/bin/env bash
# Runs one of Apache Kafka's command-line tools against any bootstrap server (Samsa or Kafka).
#
#   bench/kafka/run-tool.sh <MainClass | alias> args...
#
# Aliases are the names of Kafka's bin/ scripts:
#   kafka-topics, kafka-producer-perf-test, kafka-consumer-perf-test, kafka-console-producer,
#   kafka-console-consumer, kafka-consumer-groups, kafka-configs, kafka-get-offsets,
#   kafka-delete-records, kafka-e2e-latency, kafka-storage
# e.g. bench/kafka/run-tool.sh kafka-topics --bootstrap-server 127.0.0.1:9092 --list
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

tool="${1:?usage: run-tool.sh <MainClass | alias> args...}"
shift
case "$tool" in
  kafka-topics) main=org.apache.kafka.tools.TopicCommand ;;
  kafka-producer-perf-test) main=org.apache.kafka.tools.ProducerPerformance ;;
  kafka-consumer-perf-test) main=org.apache.kafka.tools.ConsumerPerformance ;;
  kafka-console-producer) main=org.apache.kafka.tools.ConsoleProducer ;;
  kafka-console-consumer) main=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  kafka-consumer-groups) main=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  kafka-configs) main=org.apache.kafka.tools.ConfigCommand ;;
  kafka-get-offsets) main=org.apache.kafka.tools.GetOffsetShell ;;
  kafka-delete-records) main=org.apache.kafka.tools.DeleteRecordsCommand ;;
  kafka-e2e-latency) main=org.apache.kafka.tools.EndToEndLatency ;;
  kafka-storage) main=kafka.tools.StorageTool ;;
  *) main="$tool" ;;
esac

kafka_ensure_libs
exec "$JAVA" ${KAFKA_HEAP_OPTS:--Xmx512M} -Djava.awt.headless=true ${KAFKA_OPTS:-} \
  "-Dlog4j2.configurationFile=$KAFKA_BENCH_DIR/log4j2-tools.properties" \
  -cp "$KAFKA_LIBS/*" "$main" "$@"
