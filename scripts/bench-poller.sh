#!/usr/bin/env bash
# Poller benchmark: delay from issue creation in the Guance simulator to the issue.created record on Kafka
# (median, p99) and OpenAPI calls per minute, at GUANCE_POLL_INTERVAL=1 and 5, plus a same-run baseline at the
# reference workflow's once-a-minute cadence (GUANCE_POLL_INTERVAL=60).
# The simulator enforces Guance's 20 requests/min per key; issues arrive with exponential gaps (mean 2 s).
# Usage: scripts/bench-poller.sh [duration-seconds]   (default 70 per run; about 5 minutes in all)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-70}
swift build -c release --product poller >/dev/null
swift build -c release --product dev-stack >/dev/null
BIN=.build/release
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -m), $(nproc) cores, duration ${DURATION}s per run"
for interval in 60 5 1; do
    d=$DURATION
    [ "$interval" = 60 ] && d=$((DURATION * 2))
    "$BIN/dev-stack" bench-poller --poller "$BIN/poller" --interval "$interval" --duration "$d" 2>/dev/null | tail -1
done
