#!/usr/bin/env bash
# Starts a single Apache Kafka node (KRaft, broker and controller in one JVM) on 127.0.0.1.
#
#   bench/kafka/start-kafka.sh [--port 9092] [--controller-port PORT+1] [--log-dir DIR]
#                              [--override key=value]... [--foreground]
#
# Formats DIR/data on first use, starts the node in the background with its output in
# DIR/server.log and DIR/stdout.log, waits until the broker serves requests, and prints
#   ready bootstrap=127.0.0.1:PORT pid=PID log-dir=DIR seconds=S
# Stop it with bench/kafka/stop-kafka.sh DIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

port=9092
controller_port=""
log_dir=""
foreground=0
timeout_seconds="${KAFKA_START_TIMEOUT:-90}"
overrides=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --controller-port) controller_port="$2"; shift 2 ;;
    --log-dir) log_dir="$2"; shift 2 ;;
    --override) overrides+=("$2"); shift 2 ;;
    --foreground) foreground=1; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
controller_port="${controller_port:-$((port + 1))}"
log_dir="${log_dir:-${TMPDIR:-/tmp}/samsa-apache-kafka-$port}"
mkdir -p "$log_dir/data"
log_dir="$(cd "$log_dir" && pwd)"

if [[ -f "$log_dir/kafka.pid" ]] && kill -0 "$(cat "$log_dir/kafka.pid")" 2>/dev/null; then
  echo "a Kafka node is already running from $log_dir (pid $(cat "$log_dir/kafka.pid"))" >&2
  exit 1
fi

for p in "$port" "$controller_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "port $p on 127.0.0.1 is already in use" >&2
    exit 1
  fi
done

kafka_ensure_libs
started_at=$(date +%s.%N)

config="$log_dir/server.properties"
cat > "$config" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$log_dir/data
num.partitions=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=50
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# As in the founding document's compose file: consumer groups form without the 3 s wait.
group.initial.rebalance.delay.ms=0
PROPS
for kv in "${overrides[@]+"${overrides[@]}"}"; do
  echo "$kv" >> "$config"
done

# shellcheck disable=SC2046
jvm_opts=($(kafka_jvm_opts))
log4j="-Dlog4j2.configurationFile=$KAFKA_BENCH_DIR/log4j2-broker.properties"
if [[ ! -f "$log_dir/data/meta.properties" ]]; then
  # A cluster id is 16 random bytes in unpadded URL-safe base64, as `kafka-storage random-uuid`.
  # Passed as --cluster-id=ID: an id that starts with "-" (1 in 64) is otherwise taken for an option.
  cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  "$JAVA" -Xmx256M "-Dkafka.logs.dir=$log_dir" "$log4j" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool \
    format --config "$config" --cluster-id="$cluster_id" --ignore-formatted > "$log_dir/format.log" 2>&1 \
    || { cat "$log_dir/format.log" >&2; exit 1; }
fi

command=("$JAVA" "${jvm_opts[@]}" "-Dkafka.logs.dir=$log_dir" "$log4j" -cp "$KAFKA_LIBS/*" kafka.Kafka "$config")
if [[ $foreground -eq 1 ]]; then
  exec "${command[@]}"
fi
setsid "${command[@]}" > "$log_dir/stdout.log" 2>&1 < /dev/null &
pid=$!
echo "$pid" > "$log_dir/kafka.pid"

deadline=$(( $(date +%s) + timeout_seconds ))
until grep -q "Kafka Server started" "$log_dir/server.log" 2>/dev/null \
    && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "Kafka exited during startup; last lines of $log_dir/server.log and stdout.log:" >&2
    tail -n 30 "$log_dir/server.log" "$log_dir/stdout.log" >&2 2>/dev/null || true
    exit 1
  fi
  if [[ $(date +%s) -ge $deadline ]]; then
    echo "Kafka did not become ready within ${timeout_seconds}s (see $log_dir/server.log)" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
done
seconds=$(awk -v a="$started_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "ready bootstrap=127.0.0.1:$port pid=$pid log-dir=$log_dir seconds=$seconds"
