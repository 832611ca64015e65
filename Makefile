# Entry points: `make run` starts the broker with the built-in default config,
# `make test` runs every test suite (Swift, then the Python interop tests).

SWIFT ?= swift
# The broker's release build links the Swift runtime and FoundationEssentials statically: only the pages pier
# touches are then resident (idle RSS 20.7 MB against 24.0 MB linked dynamically, 19.3 MB with the lld/RELR
# link of Package.swift; docs/benchmarks.md, "Idle footprint"), and the binary needs no Swift runtime
# installed. Static linking adds -export-dynamic, whose symbol tables the loader would read at startup;
# --no-export-dynamic takes that back.
RELEASE_FLAGS ?= --static-swift-stdlib -Xlinker --no-export-dynamic

.PHONY: run build test deps-run deps-test venv clean

run: deps-run
	$(SWIFT) build -c release $(RELEASE_FLAGS)
	exec .build/release/pier serve

build: deps-run
	$(SWIFT) build

test: deps-test venv
	scripts/build-proton-broker.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test
	PIER_BIN=$(CURDIR)/.build/debug/pier .venv/bin/python -m pytest -q Tests/interop
	scripts/fuzz-smoke.sh

deps-run:
	scripts/install-deps.sh run

deps-test:
	scripts/install-deps.sh test

venv: deps-test
	scripts/venv.sh

clean:
	rm -rf .build .venv
