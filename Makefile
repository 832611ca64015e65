# Entry points: `make run` starts the broker with the built-in default config,
# `make test` runs every test suite (Swift, then the Python interop tests).

SWIFT ?= swift

.PHONY: run build test deps-run deps-test venv clean

run: deps-run
	$(SWIFT) build -c release
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
