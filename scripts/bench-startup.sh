#!/usr/bin/env bash
# Start-up and memory benchmark on the dev-stack broker (librdkafka mock cluster, 1 broker, 6 partitions):
#   1. time from launching `notifier` to its first delivery, with events already waiting on guance.issue-events
#      (RUNS runs on the same broker, each with 20 new events, to the dev-stack Feishu flow capture): run 1 joins a
#      group nobody is in (a fresh deploy), the next runs start right after the previous one was stopped with SIGTERM
#      (a restart). The librdkafka 2.0.2 mock holds the first join of an empty group 3 s, and a join into a group
#      whose last member just left until session.timeout.ms - 1 s after the leave (docs/notifier.md). JOIN_DEBUG=1
#      logs librdkafka's cgrp/protocol debug lines and shows how long the broker held the JoinGroup request (the
#      debug logging itself slows start-up by seconds: use it to see the hold, not for the totals);
#   2. memory at rest (REST seconds after start, nothing to do) of poller, notifier and reply-gateway, each started
#      against the dev-stack: RSS (VmRSS; counts every page of the shared libraries it touched: Swift runtime,
#      Foundation, librdkafka, libc), of which anonymous (RssAnon: the process's own heap and stacks), PSS (shared
#      pages split between the processes mapping them) and the peak RSS (VmHWM).
# Usage: RUNS=3 REST=20 scripts/bench-startup.sh        BENCH_CONFIGURATION=debug checks the script only.
#        DETAIL=1 adds RSS per mapping and thread counts; JOIN_DEBUG=1 the JoinGroup hold (see above).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
REST=${REST:-20}
CONFIGURATION=${BENCH_CONFIGURATION:-release}
for product in poller notifier reply-gateway dev-stack; do
    swift build -c "$CONFIGURATION" --product "$product" >/dev/null
done
BIN=$(swift build -c "$CONFIGURATION" --show-bin-path)
STATE=$(mktemp -d)
pids=()
# Stops the services before the dev-stack: a notifier whose broker is gone does not finish its shutdown.
trap 'for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop "${pids[i]}"; done; rm -rf "$STATE"' EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
# SIGTERM, then SIGKILL if the process is still there after 20 s (a stop must not hang the benchmark).
stop() {
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

GATEWAY_PORT="$(free_port)" "$BIN/dev-stack" --env-file "$STATE/env" --partitions 6 --brokers 1 --quiet-captures --no-chat-rate-limits \
    >"$STATE/dev-stack.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do [ -s "$STATE/env" ] && break; sleep 0.2; done
set -a
# shellcheck disable=SC1091
. "$STATE/env"
set +a
export LOG_LEVEL=warning

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -m), $(nproc) cores, $CONFIGURATION build, dev-stack broker"
if [ -n "${JOIN_DEBUG:-}" ]; then
    echo "| run | start | notifier launch to first delivery (debug logging on) | of which the broker held the JoinGroup | the rest |"
    echo "| --- | --- | --- | --- | --- |"
else
    echo "| run | start | notifier launch to first delivery |"
    echo "| --- | --- | --- |"
fi
stopped=""
for run in $(seq 1 "$RUNS"); do
    python3 scripts/bench-notifier-baseline.py events 20 "$STATE/events.tsv"
    kcat -P -b "$KAFKA_BROKERS" -t guance.issue-events -K $'\t' -l "$STATE/events.tsv"
    port=$(free_port)
    LAUNCH=$(now)
    if [ -z "$stopped" ]; then kind="first (empty group)"
    else kind=$(python3 -c "import sys; print(f'restart {float(sys.argv[1]) - float(sys.argv[2]):.1f} s after a SIGTERM')" \
        "$LAUNCH" "$stopped"); fi
    debug=()
    if [ -n "${JOIN_DEBUG:-}" ]; then debug=(LOG_LEVEL=debug KAFKA_PROP_DEBUG=cgrp,protocol); fi
    # Only the Feishu flow sink (no Feishu app sink: FEISHU_CHAT_ID unset).
    env -u FEISHU_WEBHOOK_URL -u DINGTALK_WEBHOOK_URL -u WECOM_WEBHOOK_URL -u FEISHU_CHAT_ID METRICS_PORT="$port" "${debug[@]}" \
        "$BIN/notifier" >"$STATE/notifier.log" 2>&1 &
    notifier=$!
    pids+=($notifier)
    first=""
    for _ in $(seq 1 3000); do
        count=$(curl -s -m 2 "http://127.0.0.1:$port/metrics" 2>/dev/null \
            | awk '/^guance_chatops_notifier_deliveries_total/ && /outcome="delivered"/ {s += $2} END {print s + 0}' || true)
        if [ "$count" != 0 ]; then first=$(now); break; fi
        sleep 0.01
    done
    [ -n "$first" ] || { echo "no delivery within 30 s" >&2; tail -20 "$STATE/notifier.log" "$STATE/dev-stack.log" >&2
        exit 1; }
    # The consumer group's JoinGroup (the Feishu app sink's readers are not in a group).
    held=$(grep -v 'sink=' "$STATE/notifier.log" | grep -o 'Received JoinGroupResponse.*rtt [0-9.]*ms' | head -1 \
        | sed 's/.*rtt \([0-9.]*\)ms/\1/' || true)
    python3 -c "import sys; t = float(sys.argv[4]) - float(sys.argv[3]); h = float(sys.argv[5] or 0) / 1000
held = f' {h:.2f} s | {t - h:.2f} s |' if sys.argv[6] else ''
print(f'| {sys.argv[1]} | {sys.argv[2]} | {t:.2f} s |{held}')" \
        "$run" "$kind" "$LAUNCH" "$first" "${held:-0}" "${JOIN_DEBUG:-}"
    stop "$notifier"
    stopped=$(now)
done

echo
echo "| process | RSS at rest (${REST} s after start) | of which anonymous | PSS | peak RSS (VmHWM) |"
echo "| --- | --- | --- | --- | --- |"
# DETAIL=1: RSS per mapping (the executable, each shared library, anonymous memory) and the thread count.
by_mapping() {
    python3 - "$1" "$product" <<'PY'
import collections, re, sys
pid, name = sys.argv[1], sys.argv[2]
rss, dirty, mapping = collections.Counter(), collections.Counter(), None
for line in open(f"/proc/{pid}/smaps"):
    fields = line.split()
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        mapping = fields[5].rsplit("/", 1)[-1] if len(fields) > 5 else "[anonymous]"
    elif fields[0] == "Rss:":
        rss[mapping] += int(fields[1])
    elif fields[0] == "Private_Dirty:":
        dirty[mapping] += int(fields[1])
threads = len(__import__("os").listdir(f"/proc/{pid}/task"))
print(f"{name}: {sum(rss.values()) / 1024:.1f} MiB RSS, {threads} threads; largest mappings (RSS, of which private dirty):")
print(", ".join(f"{m} {v / 1024:.1f} ({dirty[m] / 1024:.1f})" for m, v in rss.most_common(12) if v >= 256))
PY
}
for product in poller notifier reply-gateway; do
    env -u FEISHU_WEBHOOK_URL -u DINGTALK_WEBHOOK_URL -u WECOM_WEBHOOK_URL METRICS_PORT="$(free_port)" \
        GATEWAY_PORT="$(free_port)" "$BIN/$product" >"$STATE/$product.log" 2>&1 &
    pid=$!
    pids+=($pid)
    sleep "$REST"
    kill -0 "$pid" 2>/dev/null || { echo "$product exited:" >&2; tail -20 "$STATE/$product.log" >&2; exit 1; }
    pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
    awk -v name="$product" -v pss="$pss" '/VmRSS/ {rss = $2} /RssAnon/ {anon = $2} /VmHWM/ {hwm = $2}
        END {printf "| %s | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB |\n", name, rss / 1024, anon / 1024, pss / 1024,
            hwm / 1024}' "/proc/$pid/status"
    if [ -n "${DETAIL:-}" ]; then by_mapping "$pid" >>"$STATE/detail"; fi
    stop "$pid"
done
if [ -n "${DETAIL:-}" ]; then echo; cat "$STATE/detail"; fi
