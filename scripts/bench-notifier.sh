#!/usr/bin/env bash
# Notifier benchmark: one `notifier` process (release build) delivering N events from guance.issue-events to the
# dev-stack Feishu flow capture (rate limits off), side by side in the same run with the reference workflow's
# delivery loop in Python (requests.post per event, sequential) posting the same events to the same capture.
# Prints deliveries/s, CPU seconds per 1,000 deliveries, peak RSS, and the ratios. Usage: N=5000 scripts/bench-notifier.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-5000}
PARTITIONS=${PARTITIONS:-6}
METRICS_PORT=${BENCH_METRICS_PORT:-19102}

swift build -c release --product notifier >/dev/null
swift build -c release --product dev-stack >/dev/null
BIN=$(swift build -c release --show-bin-path)
STATE=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$STATE"
}
trap cleanup EXIT
trap 'echo "bench failed; notifier log:" >&2; tail -20 "$STATE/notifier.log" >&2' ERR

"$BIN/dev-stack" --env-file "$STATE/env" --partitions "$PARTITIONS" --brokers 1 --quiet-captures --no-chat-rate-limits \
    >"$STATE/dev-stack.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do [ -s "$STATE/env" ] && break; sleep 0.2; done
KAFKA_BROKERS=$(grep '^KAFKA_BROKERS=' "$STATE/env" | cut -d= -f2-)
FLOW_URL=$(grep '^FEISHU_FLOW_WEBHOOK_URL=' "$STATE/env" | cut -d= -f2-)

python3 scripts/bench-notifier-baseline.py events "$N" "$STATE/events.tsv"

# 1. Baseline: the reference's loop, sequential requests.post.
BASE=$(python3 scripts/bench-notifier-baseline.py baseline "$STATE/events.tsv" "$FLOW_URL")

# 2. The notifier: events go through Kafka first (not timed), then one process delivers them.
kcat -P -b "$KAFKA_BROKERS" -t guance.issue-events -K $'\t' -l "$STATE/events.tsv"
KAFKA_BROKERS="$KAFKA_BROKERS" FEISHU_FLOW_WEBHOOK_URL="$FLOW_URL" METRICS_PORT="$METRICS_PORT" LOG_LEVEL=warning \
    "$BIN/notifier" >"$STATE/notifier.log" 2>&1 &
NOTIFIER=$!
pids+=($NOTIFIER)

delivered() {
    curl -s "http://127.0.0.1:$METRICS_PORT/metrics" 2>/dev/null \
        | awk '/^guance_chatops_notifier_deliveries_total/ && /outcome="delivered"/ && /sink="feishu-flow"/ {print $2; found=1} END {if (!found) print 0}'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$NOTIFIER/stat"; }
now() { date +%s.%N; }

for _ in $(seq 1 3000); do [ "$(delivered)" != "0" ] && break; sleep 0.01; done
if [ "$(delivered)" = "0" ]; then
    echo "no delivery seen on :$METRICS_PORT/metrics (guance_chatops_notifier_deliveries_total) within 30 s" >&2
    exit 1
fi
START=$(now); START_CPU=$(cpu_ticks); START_COUNT=$(delivered)
for _ in $(seq 1 12000); do [ "$(delivered)" -ge "$N" ] && break; sleep 0.05; done
END=$(now); END_CPU=$(cpu_ticks); END_COUNT=$(delivered)
TOTAL_CPU=$(cpu_ticks)
RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$NOTIFIER/status")
TICKS=$(getconf CLK_TCK)

python3 - "$BASE" "$START" "$END" "$START_CPU" "$END_CPU" "$START_COUNT" "$END_COUNT" "$TOTAL_CPU" "$RSS_KB" "$TICKS" "$N" <<'PY'
import json, sys
base = json.loads(sys.argv[1])
start, end, start_cpu, end_cpu = map(float, sys.argv[2:6])
start_count, end_count, total_cpu, rss_kb, ticks, n = map(float, sys.argv[6:])
seconds = end - start
count = end_count - start_count
rate = count / seconds
cpu = (end_cpu - start_cpu) / ticks
base_rate = base["deliveries"] / base["seconds"]
base_cpu_per_k = base["cpu_seconds"] / base["deliveries"] * 1000
cpu_per_k = cpu / count * 1000
print(f"events: {int(n)} (IssueEvent v1, 6 partitions), target: dev-stack Feishu flow capture, limits off")
print(f"{'':28}{'deliveries/s':>14}{'CPU s / 1000':>14}{'peak RSS MB':>13}{'deliveries / CPU s':>20}")
print(f"{'python baseline (reference)':28}{base_rate:>14.0f}{base_cpu_per_k:>14.3f}{base['max_rss_kb']/1024:>13.1f}{1000/base_cpu_per_k:>20.0f}")
print(f"{'notifier (1 process)':28}{rate:>14.0f}{cpu_per_k:>14.3f}{rss_kb/1024:>13.1f}{1000/cpu_per_k:>20.0f}")
print(f"ratio notifier/baseline: {rate/base_rate:.1f}x deliveries/s, {base_cpu_per_k/cpu_per_k:.1f}x deliveries per CPU second")
print(f"(notifier measured from its first to its last delivery: {int(count)} deliveries in {seconds:.2f} s; "
      f"process CPU including start-up {total_cpu/ticks:.2f} s)")
PY
