#!/usr/bin/env bash
# Stops the Kafka node started by start-kafka.sh from DIR (controlled shutdown, then SIGKILL
# after 30 s). With --clean, also removes DIR.
#
#   bench/kafka/stop-kafka.sh DIR [--clean]
set -euo pipefail
log_dir="${1:?usage: stop-kafka.sh DIR [--clean]}"
clean="${2:-}"
pid_file="$log_dir/kafka.pid"
if [[ -f "$pid_file" ]]; then
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "Kafka (pid $pid) ignored SIGTERM for 30 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pid_file"
  echo "stopped pid=$pid"
else
  echo "no kafka.pid in $log_dir" >&2
fi
if [[ "$clean" == "--clean" ]]; then
  rm -rf "$log_dir"
fi
