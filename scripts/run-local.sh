#!/usr/bin/env bash
# `make run`: dev-stack (mock Kafka and, without real credentials, the simulators) plus the three services.
# Variables already set in your environment win over what dev-stack offers, so real credentials are used when given.
#
# Stopping: every child runs in its own session (setsid), so a Ctrl-C from the terminal (or any signal sent to this
# script's process group) reaches this script only. It then stops the services first, each within its grace period,
# and dev-stack (the broker and the simulators) last, so no service is left talking to a broker that is gone.
# Should this script itself be killed, each child gets SIGTERM from the kernel (setpriv --pdeathsig).
set -euo pipefail
BIN=${1:-.build/debug}
STATE=$(mktemp -d)
ENV_FILE="$STATE/devstack.env"
GRACE=${SHUTDOWN_GRACE_PERIOD:-10}
services=()
devstack=""

# Waits until none of the given processes is alive, for at most $1 seconds; then kills what is left.
await_exit() {
    local seconds=$1; shift
    local deadline=$((SECONDS + seconds))
    for pid in "$@"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "process $pid did not stop within ${seconds} s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
}

stop() {
    trap - INT TERM EXIT
    echo
    if ((${#services[@]})); then
        echo "stopping the services..."
        for pid in "${services[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
        await_exit $((GRACE + 5)) "${services[@]}"
    fi
    if [ -n "$devstack" ]; then
        echo "stopping dev-stack..."
        kill -TERM "$devstack" 2>/dev/null || true
        await_exit 10 "$devstack"
    fi
    rm -rf "$STATE"
    echo "stopped."
}
# Runs a program in its own session, to receive SIGTERM when this script dies.
child() { exec setsid setpriv --pdeathsig TERM "$@"; }

trap 'stop; exit 0' INT TERM
trap stop EXIT

# CARD_DEMO=0 leaves the sample issue's Feishu card alone (no reply, no resolve from dev-stack).
demo=(--card-demo)
[ "${CARD_DEMO:-1}" = "0" ] && demo=()
child "$BIN/dev-stack" --env-file "$ENV_FILE" "${demo[@]}" &
devstack=$!
for _ in $(seq 1 150); do [ -s "$ENV_FILE" ] && break; sleep 0.2; done
[ -s "$ENV_FILE" ] || { echo "dev-stack did not start within 30 s" >&2; exit 1; }

while IFS='=' read -r key value; do
    [ -n "$key" ] || continue
    if [ -z "${!key:-}" ]; then export "$key=$value"; fi
done < "$ENV_FILE"

export LOG_LEVEL=${LOG_LEVEL:-info}
METRICS_PORT=${POLLER_METRICS_PORT:-9101} child "$BIN/poller" &
services+=($!)
METRICS_PORT=${NOTIFIER_METRICS_PORT:-9102} child "$BIN/notifier" &
services+=($!)
METRICS_PORT=${GATEWAY_METRICS_PORT:-9103} child "$BIN/reply-gateway" &
services+=($!)

cat <<MSG

guance-chatops is running against dev-stack (Kafka at $KAFKA_BROKERS).
  poller metrics:   http://127.0.0.1:${POLLER_METRICS_PORT:-9101}/metrics
  notifier metrics: http://127.0.0.1:${NOTIFIER_METRICS_PORT:-9102}/metrics
  reply gateway:    http://127.0.0.1:${GATEWAY_PORT:-8080}/healthz (callbacks on this port)
  gateway metrics:  http://127.0.0.1:${GATEWAY_METRICS_PORT:-9103}/metrics
Set GUANCE_API_KEY, FEISHU_WEBHOOK_URL (and the other variables in docs/configuration.md) to use real services.
Feishu events: ${FEISHU_EVENT_MODE:-webhook} mode (FEISHU_EVENT_MODE=websocket make run: over the long connection).
Press Ctrl-C to stop.
MSG
set +e
wait -n "$devstack" "${services[@]}"
status=$?
echo "a process exited on its own (status $status); stopping the rest" >&2
exit "$status"
