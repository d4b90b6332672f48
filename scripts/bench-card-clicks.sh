#!/usr/bin/env bash
# Card click benchmark: how fast the gateway answers Feishu card.action.trigger callbacks (verify, decrypt, name the
# clicker, publish IssueAction v1, wait for the Kafka ack, answer the toast). Feishu wants the answer within 3 s.
# Same-run baseline: im.message.receive_v1 callbacks through the same checks and the same Kafka ack.
#
#   scripts/bench-card-clicks.sh [REQUESTS] [CONCURRENCY]
#   BENCH_CONFIGURATION=debug scripts/bench-card-clicks.sh ...   # measure a debug build (say so next to the numbers)
#
# Round trip: click -> Guance modify -> card patched, one click at a time, with dev-stack, poller, notifier (only the
# Feishu app sink) and reply-gateway as processes; the toast round trip of the same clicks is the baseline.
#   BENCH_CONFIGURATION=debug scripts/bench-card-clicks.sh round-trip [CLICKS]   # default 200
#   BENCH_FETCH_WAIT_MS=20 ...   # consumers' fetch.wait.max.ms (see round_trip); BENCH_LOG_DIR=dir keeps the logs
set -euo pipefail
CONFIGURATION=${BENCH_CONFIGURATION:-release}
cd "$(dirname "$0")/.."

round_trip() {
    # Globals: the EXIT trap runs after this function returned.
    local clicks=${1:-200} bin=.build/$CONFIGURATION
    for product in dev-stack poller notifier reply-gateway; do
        swift build -c "$CONFIGURATION" --product "$product" >/dev/null
    done
    state=$(mktemp -d)
    pids=()
    # BENCH_LOG_DIR=dir keeps the processes' logs there.
    trap 'for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true
        if [ -n "${BENCH_LOG_DIR:-}" ]; then mkdir -p "$BENCH_LOG_DIR"; cp "$state"/*.log "$BENCH_LOG_DIR/"; fi; rm -rf "$state"' EXIT
    # Guance allows 20 calls per key per minute (a click costs two: read, modify); the window is shortened to
    # BENCH_GUANCE_RATE_WINDOW seconds (simulator and services alike) so the budget does not pace the clicks.
    GATEWAY_PORT=$PORT "$bin/dev-stack" --env-file "$state/env" --guance-rate-window "${BENCH_GUANCE_RATE_WINDOW:-1}" \
        >"$state/devstack.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 150); do [ -s "$state/env" ] && break; sleep 0.2; done
    set -a; . "$state/env"; set +a
    # BENCH_FETCH_WAIT_MS=N: every service's consumers ask for fetch.wait.max.ms=N. librdkafka's mock cluster answers
    # an empty fetch only when that wait passed (a broker answers as soon as a record arrives), so the default 500 ms
    # adds up to half a second per consumer hop here that a real cluster does not.
    if [ -n "${BENCH_FETCH_WAIT_MS:-}" ]; then export KAFKA_PROP_FETCH_WAIT_MAX_MS=$BENCH_FETCH_WAIT_MS; fi
    export GUANCE_POLL_INTERVAL=1 LOG_LEVEL=${LOG_LEVEL:-warning} FEISHU_WEBHOOK_URL= FEISHU_FLOW_WEBHOOK_URL= DINGTALK_WEBHOOK_URL= \
        WECOM_WEBHOOK_URL=
    METRICS_PORT=0 "$bin/poller" >"$state/poller.log" 2>&1 &
    pids+=($!)
    METRICS_PORT=0 "$bin/notifier" >"$state/notifier.log" 2>&1 &
    pids+=($!)
    GATEWAY_PORT=$PORT METRICS_PORT=$METRICS "$bin/reply-gateway" >"$state/gateway.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$METRICS/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
    echo "== card click round trip ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CONFIGURATION build, $clicks clicks)"
    python3 scripts/bench-card-round-trip.py "$clicks" || { tail -n 20 "$state"/*.log >&2; exit 1; }
}

PORT=${BENCH_GATEWAY_PORT:-18490}
METRICS=${BENCH_GATEWAY_METRICS_PORT:-18491}
if [ "${1:-}" = round-trip ]; then
    round_trip "${2:-200}"
    exit 0
fi
REQUESTS=${1:-2000}
CONCURRENCY=${2:-16}

swift build -c "$CONFIGURATION" --product dev-stack >/dev/null
swift build -c "$CONFIGURATION" --product reply-gateway >/dev/null
BIN=.build/$CONFIGURATION

STATE=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$STATE"
}
trap cleanup EXIT

# Kafka and the Feishu app fake (the contact directory the clicker is looked up in) from dev-stack.
GATEWAY_PORT=$PORT "$BIN/dev-stack" --no-guance-simulator --env-file "$STATE/env" >"$STATE/devstack.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do [ -s "$STATE/env" ] && break; sleep 0.2; done
set -a; . "$STATE/env"; set +a

GATEWAY_PORT=$PORT METRICS_PORT=$METRICS LOG_LEVEL=error "$BIN/reply-gateway" --role ingress >"$STATE/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$METRICS/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

load() {
    "$BIN/dev-stack" feishu-load --url "http://127.0.0.1:$PORT" --token "$FEISHU_VERIFICATION_TOKEN" \
        --encrypt-key "$FEISHU_ENCRYPT_KEY" --requests "$REQUESTS" --concurrency "$CONCURRENCY" "$@"
}
echo "== card click benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CONFIGURATION build)"
echo "-- warm-up"
load --requests 200 >/dev/null
echo "-- baseline: im.message.receive_v1 callbacks"
load | tee "$STATE/messages.txt"
echo "-- card.action.trigger clicks (resolve)"
load --card-clicks | tee "$STATE/clicks.txt"
p() { awk -v key="$1=" '{ for (i = 1; i <= NF; i++) if (index($i, key) == 1) { sub(key, "", $i); print $i } }' "$2"; }
for q in p50 p99; do
    awk -v c="$(p "$q" "$STATE/clicks.txt")" -v m="$(p "$q" "$STATE/messages.txt")" -v q="$q" \
        'BEGIN { if (m > 0) printf "clicks/messages %s latency ratio: %.2f (%s ms vs %s ms)\n", q, c / m, c, m }'
done
# Every click answered 200 carries a toast; count the ones that were published (not refused or unsubmitted).
curl -fs "http://127.0.0.1:$METRICS/metrics" | grep -E 'requests_total\{.*outcome="card_' || true
