#!/usr/bin/env bash
# Builds the qpid-proton C examples the interop tests use: the example broker (an in-memory AMQP 1.0
# peer for the bridge tests) and the send/receive clients (a second AMQP client against Pier's server).
#
#   scripts/build-proton-broker.sh [OUTPUT]   # default: .build-peers/proton-broker;
#                                              # proton-send and proton-receive go beside it
#
# Needs libqpid-proton11-dev and libqpid-proton11-dev-examples (scripts/install-deps.sh test).
# Rebuilds each only when it is missing or older than the example source.
set -euo pipefail

cd "$(dirname "$0")/.."
out="${1:-.build-peers/proton-broker}"
dir=/usr/share/proton/examples/c

build() {
    local src="$dir/$1.c" target="$2"
    if [ ! -f "$src" ]; then
        echo "build-proton-broker: $src missing; run scripts/install-deps.sh test" >&2
        exit 1
    fi
    if [ -x "$target" ] && [ "$target" -nt "$src" ]; then
        return 0
    fi
    mkdir -p "$(dirname "$target")"
    # The examples include their helpers by relative path, so compile from their directory.
    gcc -O2 -o "$target.tmp" "$src" -I"$dir" $(pkg-config --cflags --libs libqpid-proton) -lpthread
    mv "$target.tmp" "$target"
}

build broker "$out"
build send "$(dirname "$out")/proton-send"
build receive "$(dirname "$out")/proton-receive"
