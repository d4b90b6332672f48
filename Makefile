# guance-chatops — the two commands: `make run` and `make test`.
SWIFT ?= swift
BIN := .build/debug

.PHONY: run test build deps bench clean

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
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

## Benchmarks (release build); results go to BENCHMARKS.md.
bench: deps
	@bash scripts/bench.sh

clean:
	rm -rf .build
