#!/usr/bin/env bash
# Push wake-up benchmark: delay from issue creation in the Guance simulator to the issue.created record on Kafka,
# polling only vs Guance pushing to the gateway's /guance/webhook/default (which wakes the poller), same run, same
# GUANCE_POLL_INTERVAL; then, with pushes, a burst of issues created at once (one push each) to check the OpenAPI
# budget (max calls in any 60 s window, 20 allowed). The simulator enforces 20 requests/min per key.
# Usage: scripts/bench-push.sh [duration-seconds] [interval] [build: debug|release]   (defaults 130 5 release)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-130}
INTERVAL=${2:-5}
CONFIG=${3:-release}
if [ "$CONFIG" = release ]; then
    for product in poller reply-gateway dev-stack; do swift build -c release --product "$product" >/dev/null; done
fi
BIN=.build/$CONFIG
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -m), $(nproc) cores, $CONFIG build, duration ${DURATION}s per run"
"$BIN/dev-stack" bench-poller --poller "$BIN/poller" --interval "$INTERVAL" --duration "$DURATION" 2>/dev/null | tail -1
"$BIN/dev-stack" bench-poller --poller "$BIN/poller" --gateway "$BIN/reply-gateway" --push --burst 60 \
    --interval "$INTERVAL" --duration "$DURATION" 2>/dev/null | tail -1
