#!/usr/bin/env bash
# Feishu app sink under a storm: ISSUES new issues and UPDATES status changes of each, all on Kafka at once, delivered
# by one notifier to dev-stack's Feishu app fake, which refuses every call beyond 5/s per chat or per message.
# Prints the calls refused (0 = inside Feishu's limits), the time until every card shows its last change, and the
# shortest time those limits allow for the same calls (the baseline; ratio = time / floor).
# Usage: scripts/bench-cards.sh [issues] [updates-per-issue]   (BENCH_CONFIGURATION=debug|release, default debug)
set -euo pipefail
cd "$(dirname "$0")/.."
ISSUES=${1:-50}
UPDATES=${2:-10}
CONFIG=${BENCH_CONFIGURATION:-debug}
if [ "$CONFIG" = release ]; then
    for product in notifier dev-stack; do swift build -c release --product "$product" >/dev/null; done
fi
BIN=.build/$CONFIG
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -m), $(nproc) cores, $CONFIG build"
"$BIN/dev-stack" bench-cards --notifier "$BIN/notifier" --issues "$ISSUES" --updates "$UPDATES" 2>/dev/null | tail -1
