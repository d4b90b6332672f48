#!/usr/bin/env bash
# Push wake-up benchmark: delay from issue creation in the Guance simulator to the issue.created record on Kafka,
# polling only (GUANCE_POLL_INTERVAL=$POLL) against Guance pushing every change to the gateway's
# /guance/webhook/default, which wakes the poller (GUANCE_POLL_INTERVAL=$PUSH_POLL: interval polling stays the source
# of truth). Both runs at once, each with its own simulator, broker and processes, so they see the same machine load.
# After its timed part the push run creates 60 issues back to back (60 pushes) to check the OpenAPI budget: at most
# 20 calls in any 60 s window. The simulator enforces 20 requests/min per key.
# Usage: scripts/bench-push.sh [duration-s] [mean-gap-s] [poll-interval] [push-poll-interval] [debug|release]
#        (defaults 330 5 5 5 release: both runs with the same interval; while pushes arrive the poller stretches it
#        to GUANCE_PUSH_POLL_INTERVAL, 30 s by default)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-330}
GAP=${2:-5}
POLL=${3:-5}
PUSH_POLL=${4:-5}
CONFIG=${5:-release}
if [ "$CONFIG" = release ]; then
    for product in poller reply-gateway dev-stack; do swift build -c release --product "$product" >/dev/null; done
fi
BIN=.build/$CONFIG
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -m), $(nproc) cores, $CONFIG build, ${DURATION}s, mean gap ${GAP}s"
polling=$(mktemp)
"$BIN/dev-stack" bench-poller --poller "$BIN/poller" --interval "$POLL" --duration "$DURATION" --gap "$GAP" \
    2>/dev/null | tail -1 >"$polling" &
"$BIN/dev-stack" bench-poller --poller "$BIN/poller" --gateway "$BIN/reply-gateway" --push --burst 60 \
    --interval "$PUSH_POLL" --duration "$DURATION" --gap "$GAP" 2>/dev/null | tail -1
wait
cat "$polling"
rm -f "$polling"
