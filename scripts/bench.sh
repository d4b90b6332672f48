#!/usr/bin/env bash
# `make bench`: every benchmark, one after the other (release builds). Results go to BENCHMARKS.md by hand, with the
# command that produced them.
set -euo pipefail
cd "$(dirname "$0")"
for bench in bench-kafka.sh bench-poller.sh bench-notifier.sh bench-startup.sh bench-gateway.sh; do
    echo "== $bench"
    bash "$bench"
done
