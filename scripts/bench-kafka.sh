#!/usr/bin/env bash
# Kafka layer benchmark: N messages of SIZE bytes produced and consumed through the Swift layer and through kcat,
# against the same dev-stack broker in the same run. Usage: scripts/bench-kafka.sh [messages] [size]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
SIZE=${2:-1024}
CONFIG=${CONFIG:-release}
swift build -c "$CONFIG" --product dev-stack >/dev/null 2>&1
BIN=.build/$CONFIG
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

# The mock cluster keeps about 5 MB per partition: spread the run over enough partitions to keep every message.
PARTS=$(( N * SIZE / 2000000 + 1 ))
"$BIN/dev-stack" --brokers 1 --create-topic "bench.kcat:$PARTS" --create-topic "bench.swift:$PARTS" --env-file "$WORK/env" >/dev/null 2>&1 &
for _ in $(seq 1 100); do [ -s "$WORK/env" ] && break; sleep 0.1; done
BROKERS=$(sed -n 's/^KAFKA_BROKERS=//p' "$WORK/env")

python3 -c "import sys; sys.stdout.write(('x' * ($SIZE - 1) + '\\n') * $N)" > "$WORK/payload"
KCAT_OPTS=(-b "$BROKERS" -X enable.idempotence=true -X acks=all -X linger.ms=5 -q)

# Rates: produce from start to last acknowledgement; consume from the first to the last message (steady state,
# excluding connection set-up), measured the same way for both clients.
now() { date +%s.%N; }
t0=$(now)
kcat -P "${KCAT_OPTS[@]}" -t bench.kcat -l "$WORK/payload"
t1=$(now)
kp=$(python3 -c "print(int($N/($t1-$t0)))")
kc=$(kcat -C -b "$BROKERS" -t bench.kcat -o beginning -c "$N" -q -e -f '%o\n' | python3 -c "
import sys, time
first = None
n = 0
for line in sys.stdin:
    if first is None:
        first = time.monotonic()
    n += 1
print(int(n / (time.monotonic() - first)))")
echo "kcat  produce: $N msgs = $kp msg/s"
echo "kcat  consume: $N msgs = $kc msg/s"

out=$("$BIN/dev-stack" bench-kafka --bootstrap "$BROKERS" --topic bench.swift --messages "$N" --size "$SIZE")
echo "$out"
sp=$(echo "$out" | sed -n 's/^swift produce:.*= \([0-9]*\) msg\/s/\1/p')
sc=$(echo "$out" | sed -n 's/^swift consume:.*= \([0-9]*\) msg\/s/\1/p')
python3 -c "print(f'ratio swift/kcat: produce {$sp/$kp:.2f}, consume {$sc/$kc:.2f}')"
