#!/usr/bin/env bash
# Notifier benchmark, a matrix over the sink kinds. For each sink: a fresh dev-stack (mock Kafka with 6 partitions,
# chat captures with rate limits and printing off), then in the same run
#   1. the reference workflow's delivery loop in Python (scripts/bench-notifier-baseline.py: requests.post per
#      event, sequential, the platform's body and signature) posting N events to the sink's capture;
#   2. one `notifier` process configured with only that sink, delivering the same N events from Kafka.
# Prints deliveries/s, CPU seconds per 1,000 deliveries (whole process: start-up included, for both), peak RSS and
# the ratios, one table per sink and a summary.
# Slack and Teams sinks exist only in a routes file: the script writes one with that single sink, pointed at the
# dev-stack's Slack/Teams fakes (`--hook-captures`).
# Usage: N=20000 SINKS="feishu feishu-flow dingtalk wecom webhook slack teams" scripts/bench-notifier.sh
#        BENCH_CONFIGURATION=debug checks the script with the debug build (numbers meaningless).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20000}
SINKS=${SINKS:-feishu feishu-flow dingtalk wecom webhook slack teams}
PARTITIONS=${PARTITIONS:-6}
METRICS_PORT=${BENCH_METRICS_PORT:-19102}
CONFIGURATION=${BENCH_CONFIGURATION:-release}
WEBHOOK_SECRET=bench-webhook-secret

swift build -c "$CONFIGURATION" --product notifier >/dev/null
swift build -c "$CONFIGURATION" --product dev-stack >/dev/null
BIN=$(swift build -c "$CONFIGURATION" --show-bin-path)
STATE=$(mktemp -d)
pids=()
stop_all() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    pids=()
}
trap 'stop_all; rm -rf "$STATE"' EXIT
trap 'echo "bench failed; notifier log:" >&2; tail -20 "$STATE/notifier.log" >&2 || true' ERR

python3 scripts/bench-notifier-baseline.py events "$N" "$STATE/events.tsv"
: >"$STATE/summary"

delivered() {
    curl -s "http://127.0.0.1:$METRICS_PORT/metrics" 2>/dev/null \
        | awk '/^guance_chatops_notifier_deliveries_total/ && /outcome="delivered"/ {s += $2} END {print s + 0}'
}
now() { date +%s.%N; }

for SINK in $SINKS; do
    rm -f "$STATE/env"
    "$BIN/dev-stack" --env-file "$STATE/env" --partitions "$PARTITIONS" --brokers 1 --quiet-captures \
        --no-chat-rate-limits --hook-captures >"$STATE/dev-stack.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 300); do [ -s "$STATE/env" ] && break; sleep 0.2; done
    env_value() { grep "^$1=" "$STATE/env" | cut -d= -f2-; }
    KAFKA_BROKERS=$(env_value KAFKA_BROKERS)
    FLOW_URL=$(env_value FEISHU_FLOW_WEBHOOK_URL)
    case $SINK in
    feishu) URL=$(env_value FEISHU_WEBHOOK_URL); SECRET=$(env_value FEISHU_WEBHOOK_SECRET)
        SINK_ENV=(FEISHU_WEBHOOK_URL="$URL" FEISHU_WEBHOOK_SECRET="$SECRET" FEISHU_WEBHOOK_RATE_LIMIT=0) ;;
    feishu-flow) URL=$FLOW_URL; SECRET=""; SINK_ENV=(FEISHU_FLOW_WEBHOOK_URL="$URL") ;;
    dingtalk) URL=$(env_value DINGTALK_WEBHOOK_URL); SECRET=$(env_value DINGTALK_SECRET)
        SINK_ENV=(DINGTALK_WEBHOOK_URL="$URL" DINGTALK_SECRET="$SECRET" DINGTALK_RATE_LIMIT=0) ;;
    wecom) URL=$(env_value WECOM_WEBHOOK_URL); SECRET=""; SINK_ENV=(WECOM_WEBHOOK_URL="$URL" WECOM_RATE_LIMIT=0) ;;
    webhook) URL="${FLOW_URL%%/flow/*}/webhook"; SECRET=$WEBHOOK_SECRET
        SINK_ENV=(WEBHOOK_URL="$URL" WEBHOOK_SECRET="$SECRET") ;;
    slack | teams) URL=$(env_value "DEVSTACK_$(echo "$SINK" | tr a-z A-Z)_URL"); SECRET=""
        printf 'sinks:\n  bench-%s:\n    type: %s\n    url_env: BENCH_SINK_URL\n    rate_limit: 0\n' "$SINK" "$SINK" \
            >"$STATE/routes.yaml"
        SINK_ENV=(ROUTES_FILE="$STATE/routes.yaml" BENCH_SINK_URL="$URL") ;;
    *) echo "unknown sink kind $SINK" >&2; exit 2 ;;
    esac

    # 1. Baseline: the reference's loop with this platform's body, sequential requests.post.
    BASE=$(python3 scripts/bench-notifier-baseline.py baseline "$SINK" "$STATE/events.tsv" "$URL" "$SECRET")

    # 2. The notifier: events go through Kafka first (not timed), then one process delivers them.
    kcat -P -b "$KAFKA_BROKERS" -t guance.issue-events -K $'\t' -l "$STATE/events.tsv"
    LAUNCH=$(now)
    env KAFKA_BROKERS="$KAFKA_BROKERS" METRICS_PORT="$METRICS_PORT" LOG_LEVEL=warning "${SINK_ENV[@]}" \
        "$BIN/notifier" >"$STATE/notifier.log" 2>&1 &
    NOTIFIER=$!
    pids+=($NOTIFIER)
    cpu_ticks() { awk '{print $14 + $15}' "/proc/$NOTIFIER/stat"; }

    for _ in $(seq 1 3000); do [ "$(delivered)" != "0" ] && break; sleep 0.01; done
    if [ "$(delivered)" = "0" ]; then
        echo "$SINK: no delivery seen on :$METRICS_PORT/metrics within 30 s" >&2
        exit 1
    fi
    START=$(now); START_COUNT=$(delivered)
    for _ in $(seq 1 12000); do [ "$(delivered)" -ge "$N" ] && break; sleep 0.05; done
    END=$(now); END_COUNT=$(delivered)
    TOTAL_CPU=$(cpu_ticks)
    RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$NOTIFIER/status")
    stop_all

    python3 - "$SINK" "$BASE" "$LAUNCH" "$START" "$END" "$START_COUNT" "$END_COUNT" "$TOTAL_CPU" "$RSS_KB" \
        "$(getconf CLK_TCK)" "$N" "$STATE/summary" <<'PY'
import json, sys
sink, base = sys.argv[1], json.loads(sys.argv[2])
launch, start, end = map(float, sys.argv[3:6])
start_count, end_count, total_cpu, rss_kb, ticks, n = map(float, sys.argv[6:12])
count = end_count - start_count
rate = count / (end - start)
cpu = total_cpu / ticks
base_rate = base["deliveries"] / base["seconds"]
base_cpu_per_k = base["cpu_seconds"] / base["deliveries"] * 1000
cpu_per_k = cpu / end_count * 1000
print(f"sink {sink}: {int(n)} events (IssueEvent v1, 6 partitions), dev-stack capture, limits off")
print(f"{'':28}{'deliveries/s':>14}{'CPU s / 1000':>14}{'peak RSS MB':>13}{'deliveries / CPU s':>20}")
print(f"{'python baseline (reference)':28}{base_rate:>14.0f}{base_cpu_per_k:>14.3f}{base['max_rss_kb']/1024:>13.1f}"
      f"{1000/base_cpu_per_k:>20.0f}")
print(f"{'notifier (1 process)':28}{rate:>14.0f}{cpu_per_k:>14.3f}{rss_kb/1024:>13.1f}{1000/cpu_per_k:>20.0f}")
print(f"ratio notifier/baseline: {rate/base_rate:.1f}x deliveries/s, {base_cpu_per_k/cpu_per_k:.1f}x deliveries per CPU s")
print(f"(notifier: {int(count)} deliveries from its first to its last in {end - start:.2f} s; {int(end_count)} "
      f"deliveries and {cpu:.2f} CPU s from launch, start-up included; first delivery {start - launch:.2f} s "
      f"after launch)\n")
with open(sys.argv[12], "a") as summary:
    summary.write(f"| {sink} | {base_rate:.0f} | {rate:.0f} | **{rate/base_rate:.1f}x** | {base_cpu_per_k:.3f} | "
                  f"{cpu_per_k:.3f} | **{base_cpu_per_k/cpu_per_k:.1f}x** | {base['max_rss_kb']/1024:.0f} | "
                  f"{rss_kb/1024:.0f} |\n")
PY
done

echo "| sink | baseline deliveries/s | notifier deliveries/s | ratio | baseline CPU s / 1000 | notifier CPU s / 1000 |" \
    "ratio per CPU s | baseline peak RSS MB | notifier peak RSS MB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
cat "$STATE/summary"
