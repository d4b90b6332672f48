#!/usr/bin/env bash
# Card click benchmark: how fast the gateway answers Feishu card.action.trigger callbacks (verify, decrypt, name the
# clicker, publish IssueAction v1, wait for the Kafka ack, answer the toast). Feishu wants the answer within 3 s.
# Same-run baseline: im.message.receive_v1 callbacks through the same checks and the same Kafka ack.
#
#   scripts/bench-card-clicks.sh [REQUESTS] [CONCURRENCY]
#   BENCH_CONFIGURATION=debug scripts/bench-card-clicks.sh ...   # measure a debug build (say so next to the numbers)
set -euo pipefail
REQUESTS=${1:-2000}
CONCURRENCY=${2:-16}
PORT=${BENCH_GATEWAY_PORT:-18490}
METRICS=${BENCH_GATEWAY_METRICS_PORT:-18491}
CONFIGURATION=${BENCH_CONFIGURATION:-release}
cd "$(dirname "$0")/.."

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
