#!/usr/bin/env bash
# `make run`: dev-stack (mock Kafka and, without real credentials, the simulators) plus the three services.
# Variables already set in your environment win over what dev-stack offers, so real credentials are used when given.
set -euo pipefail
BIN=${1:-.build/debug}
STATE=$(mktemp -d)
ENV_FILE="$STATE/devstack.env"
pids=()

stop() {
    trap - INT TERM EXIT
    echo
    echo "stopping..."
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$STATE"
}
trap stop INT TERM EXIT

"$BIN/dev-stack" --env-file "$ENV_FILE" &
pids+=($!)
for _ in $(seq 1 150); do [ -s "$ENV_FILE" ] && break; sleep 0.2; done
[ -s "$ENV_FILE" ] || { echo "dev-stack did not start within 30 s" >&2; exit 1; }

while IFS='=' read -r key value; do
    [ -n "$key" ] || continue
    if [ -z "${!key:-}" ]; then export "$key=$value"; fi
done < "$ENV_FILE"

export LOG_LEVEL=${LOG_LEVEL:-info}
METRICS_PORT=${POLLER_METRICS_PORT:-9101} "$BIN/poller" &
pids+=($!)
METRICS_PORT=${NOTIFIER_METRICS_PORT:-9102} "$BIN/notifier" &
pids+=($!)
"$BIN/reply-gateway" &
pids+=($!)

cat <<MSG

guance-chatops is running against dev-stack (Kafka at $KAFKA_BROKERS).
  poller metrics:   http://127.0.0.1:${POLLER_METRICS_PORT:-9101}/metrics
  notifier metrics: http://127.0.0.1:${NOTIFIER_METRICS_PORT:-9102}/metrics
  reply gateway:    http://127.0.0.1:${GATEWAY_PORT:-8080}/healthz
Set GUANCE_API_KEY, FEISHU_WEBHOOK_URL (and the other variables in README.md) to use real services.
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
