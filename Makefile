# guance-chatops — the two commands: `make run` and `make test`.
SWIFT ?= swift
BIN := .build/debug

.PHONY: run test test-fast build deps bench clean format-check

## Install system packages the build needs (librdkafka-dev; kcat for benchmarks). Idempotent.
deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

## Start dev-stack (mock Kafka + simulators) and the three services; Ctrl-C stops everything.
run: build
	@bash scripts/run-local.sh $(BIN)

## Build and run the whole test suite. Serially: many tests start processes, brokers and servers with bounded waits,
## and on a 2-core machine running them all at once only trades minutes for flakiness.
test: deps format-check
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

## The inner loop: the unit suites only (well under 2 minutes after a build). Leaves out the IntegrationTests target
## and the suites of the unit targets that start a mock Kafka cluster (they take 7-15 s to over a minute each);
## suites with in-process loopback fakes of Guance and the chat platforms stay in (at most a few seconds each).
FAST_SKIP := \.(Kafka[A-Za-z]*Tests|GuanceUsageLedgerTests|TargetPollerTests|Poller(Budget|Coordinator|Topology)Tests|Notifier(Service|Rebalance)Tests|StormDeliveryTests|ReplyWriterTests|GatewayEndToEndTests|GatewayTraceContextTests)\b
test-fast: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel --filter '^(SharedTests|PollerTests|NotifierTests|ReplyGatewayTests)\.' --skip '$(FAST_SKIP)'

## Whether Sources/ and Tests/ are formatted as .swift-format says (`swift format -i -r Sources Tests` fixes it).
format-check:
	@bash scripts/format-check.sh

## Benchmarks (release build); results go to BENCHMARKS.md.
bench: deps
	@bash scripts/bench.sh

clean:
	rm -rf .build
