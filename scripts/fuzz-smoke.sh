#!/usr/bin/env bash
# Builds each libFuzzer target and runs it for a while on its committed seeds. Exits non-zero if a
# fuzzer finds a crash.
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh            # longer runs
#   scripts/fuzz-smoke.sh PierSTOMPFuzz               # one target
#   FUZZ_CONFIG=release FUZZ_RUNS=10000000 FUZZ_SECONDS=7200 scripts/fuzz-smoke.sh PierMQTTFuzz
#                                                     # a long run, optimised: stops at 10M executions
#   FUZZ_MAX_LEN=1024 ...                             # shorter inputs (default 4096), for decoders whose
#                                                     # per-input cost grows with length when fed in 1-byte chunks
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN="${FUZZ_SECONDS:-20}"
# Swift's backtracer would catch a trap before libFuzzer does: no crash file is written and the fatal
# error's message scrolls out of a CI log's tail under a page of registers.
export SWIFT_BACKTRACE=enable=no
CONFIG="${FUZZ_CONFIG:-debug}"
SCRATCH=.build-fuzz
[ "$CONFIG" = debug ] || SCRATCH=".build-fuzz-$CONFIG"
FLAGS=(-c "$CONFIG" --scratch-path "$SCRATCH" -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DFUZZING)

run() {
    local target="$1" seeds="$2"; shift 2
    swift build "${FLAGS[@]}" --product "$target"
    local bin
    bin="$(swift build "${FLAGS[@]}" --product "$target" --show-bin-path)/$target"
    local work="$SCRATCH/fuzz-run/$target"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp $seeds "$work/corpus/" 2>/dev/null || true
    echo "fuzzing $target for ${SECONDS_TO_RUN}s ..."
    "$bin" "$work/corpus" -max_total_time="$SECONDS_TO_RUN" -max_len="${FUZZ_MAX_LEN:-4096}" -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/" -print_final_stats=1 ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} "$@"
}

targets=("${@:-PierStoreFuzz PierSTOMPFuzz PierMQTTFuzz PierWebSocketFuzz PierOpenWireFuzz PierAMQPFuzz}")
for t in ${targets[@]}; do
    case "$t" in
        # The record-batch reader (valid batches and each kind of damage) and the HA lease file.
        PierStoreFuzz) run PierStoreFuzz "Tests/PierStoreTests/Fixtures/*.log Tests/PierHATests/Seeds/*" ;;
        # STOMP frames of every command and version; the first byte picks version, chunking, limits.
        PierSTOMPFuzz) run PierSTOMPFuzz "Tests/PierSTOMPTests/Fuzz/Seeds/*" -dict=Tests/PierSTOMPTests/Fuzz/stomp.dict ;;
        # MQTT packets; the first byte picks the version and chunking.
        PierMQTTFuzz) run PierMQTTFuzz "Tests/PierMQTTTests/Fuzz/Seeds/*" ;;
        # Frames after a WebSocket upgrade into MQTT or STOMP; the first byte picks protocol, limit, chunking.
        PierWebSocketFuzz) run PierWebSocketFuzz "Tests/PierWebSocketTests/Fuzz/Seeds/*" ;;
        # OpenWire frames as a Java client and broker send them; the first byte picks stack traces, cache,
        # chunking, a small frame limit and a shallow nesting limit.
        PierOpenWireFuzz) run PierOpenWireFuzz "Tests/PierOpenWireTests/Fuzz/Seeds/*" -dict=Tests/PierOpenWireTests/Fuzz/openwire.dict ;;
        # AMQP 1.0 connection streams (protocol headers, SASL and AMQP frames) captured from qpid-proton and
        # RabbitMQ, single values and message payloads; the first byte picks mode, chunking and frame limit.
        PierAMQPFuzz) run PierAMQPFuzz "Tests/PierAMQPTests/Fuzz/Seeds/*" -dict=Tests/PierAMQPTests/Fuzz/amqp.dict ;;
        *) echo "unknown fuzz target $t" >&2; exit 2 ;;
    esac
done
