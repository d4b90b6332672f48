#!/usr/bin/env bash
# Reply gateway benchmark: accepted Feishu callbacks per second and latency of POST /feishu/events (decrypt, verify,
# publish, wait for the Kafka ack) under load from a second process, plus the gateway's memory at rest and under load.
# Same-run baseline: GET /healthz through the same HTTP stack and load generator.
# Last, the same callback load again with PROBES health checks (/healthz on GATEWAY_PORT, /readyz on METRICS_PORT)
# sent during it, then once more without them: the callbacks' p99 with and without (both runs warm).
#
#   scripts/bench-gateway.sh [REQUESTS] [CONCURRENCY] [PROBES]
#   BENCH_CONFIGURATION=debug scripts/bench-gateway.sh ...   # measure a debug build (say so next to the numbers)
set -euo pipefail
REQUESTS=${1:-20000}
CONCURRENCY=${2:-64}
PROBES=${3:-5000}
PORT=${BENCH_GATEWAY_PORT:-18480}
METRICS=${BENCH_GATEWAY_METRICS_PORT:-18481}
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

# Kafka: dev-stack's mock cluster (3 brokers); no Guance simulator needed (ingress only).
GATEWAY_PORT=$PORT "$BIN/dev-stack" --no-guance-simulator --env-file "$STATE/env" >"$STATE/devstack.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do [ -s "$STATE/env" ] && break; sleep 0.2; done
set -a; . "$STATE/env"; set +a

GATEWAY_PORT=$PORT METRICS_PORT=$METRICS LOG_LEVEL=warning "$BIN/reply-gateway" --role ingress >"$STATE/gateway.log" 2>&1 &
GW=$!
pids+=($GW)
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$METRICS/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

rss() { awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' "/proc/$GW/status"; }
peak_rss() { awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$GW/status"; }

echo "== reply-gateway benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CONFIGURATION build)"
echo "memory at rest: $(rss)"
echo
echo "-- baseline: GET /healthz"
"$BIN/dev-stack" feishu-load --url "http://127.0.0.1:$PORT" --token x --encrypt-key x \
    --requests "$REQUESTS" --concurrency "$CONCURRENCY" --baseline | tee "$STATE/baseline.txt"
echo
echo "-- POST /feishu/events (encrypted, signed, each a new event; answered after the Kafka ack)"
"$BIN/dev-stack" feishu-load --url "http://127.0.0.1:$PORT" --token "$FEISHU_VERIFICATION_TOKEN" \
    --encrypt-key "$FEISHU_ENCRYPT_KEY" --requests "$REQUESTS" --concurrency "$CONCURRENCY" | tee "$STATE/events.txt"
echo
echo "memory after load: $(rss) (peak during the run: $(peak_rss))"
base=$(awk -F'accepted\\(200\\)/s=' '/accepted/ {print $2}' "$STATE/baseline.txt")
events=$(awk -F'accepted\\(200\\)/s=' '/accepted/ {print $2}' "$STATE/events.txt")
awk -v e="$events" -v b="$base" 'BEGIN { if (b > 0) printf "events/baseline throughput ratio: %.2f\n", e / b }'
echo
echo "-- POST /feishu/events again, with $PROBES health checks during the load"
"$BIN/dev-stack" feishu-load --url "http://127.0.0.1:$PORT" --metrics-url "http://127.0.0.1:$METRICS" \
    --token "$FEISHU_VERIFICATION_TOKEN" --encrypt-key "$FEISHU_ENCRYPT_KEY" --requests "$REQUESTS" \
    --concurrency "$CONCURRENCY" --probes "$PROBES" | tee "$STATE/probed.txt"
echo
echo "-- the same load without health checks, right after (the comparison run: both warm)"
"$BIN/dev-stack" feishu-load --url "http://127.0.0.1:$PORT" --token "$FEISHU_VERIFICATION_TOKEN" \
    --encrypt-key "$FEISHU_ENCRYPT_KEY" --requests "$REQUESTS" --concurrency "$CONCURRENCY" | tee "$STATE/unprobed.txt"
p99() { awk '/p99=/ { for (i = 1; i <= NF; i++) if ($i ~ /^p99=/) { sub("p99=", "", $i); print $i } }' "$1"; }
awk -v with="$(p99 "$STATE/probed.txt")" -v without="$(p99 "$STATE/unprobed.txt")" \
    'BEGIN { if (without > 0) printf "callbacks p99 with/without probes: %.2f (%s ms vs %s ms)\n", with / without, with, without }'
