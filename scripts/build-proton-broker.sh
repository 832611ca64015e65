#!/usr/bin/env bash
# Builds the qpid-proton C example broker (an in-memory AMQP 1.0 peer for interop tests).
#
#   scripts/build-proton-broker.sh [OUTPUT]   # default: .build-peers/proton-broker
#
# Needs libqpid-proton11-dev and libqpid-proton11-dev-examples (scripts/install-deps.sh test).
# Rebuilds only when the output is missing or older than the example source.
set -euo pipefail

cd "$(dirname "$0")/.."
out="${1:-.build-peers/proton-broker}"
src=/usr/share/proton/examples/c/broker.c

if [ ! -f "$src" ]; then
    echo "build-proton-broker: $src missing; run scripts/install-deps.sh test" >&2
    exit 1
fi
if [ -x "$out" ] && [ "$out" -nt "$src" ]; then
    exit 0
fi
mkdir -p "$(dirname "$out")"
# The example includes its helpers by relative path, so compile from its directory.
gcc -O2 -o "$out.tmp" "$src" -I"$(dirname "$src")" $(pkg-config --cflags --libs libqpid-proton) -lpthread
mv "$out.tmp" "$out"
