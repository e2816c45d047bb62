# Shared by the bench/kafka scripts: where Apache Kafka's jars live and how to get them.
# Sourced, not executed.

KAFKA_BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_BENCH_DIR/pom.xml")"
# Outside the repository so that a fresh work tree reuses the download.
KAFKA_CACHE="${SAMSA_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/samsa/apache-kafka-$KAFKA_VERSION}"
KAFKA_LIBS="$KAFKA_CACHE/libs"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# Resolves the broker, tools and client jars from Maven Central once; later calls are no-ops.
kafka_ensure_libs() {
  if [[ -f "$KAFKA_LIBS/.complete" ]]; then return 0; fi
  echo "resolving Apache Kafka $KAFKA_VERSION jars into $KAFKA_LIBS ..." >&2
  rm -rf "$KAFKA_LIBS"
  mkdir -p "$KAFKA_LIBS"
  (cd "$KAFKA_BENCH_DIR" && mvn -q -B dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS") >&2
  touch "$KAFKA_LIBS/.complete"
}

# JVM flags of Kafka's own kafka-run-class.sh / kafka-server-start.sh, overridable as there.
kafka_jvm_opts() {
  echo "${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}" \
    "${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}" \
    "${KAFKA_OPTS:-}"
}
