#!/usr/bin/env bash
# Builds the PierStore fuzz target with libFuzzer and runs it for a while on a seed corpus made
# from the committed corrupt fixtures. Exits non-zero if the fuzzer finds a crash.
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh     # a longer run
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN="${FUZZ_SECONDS:-20}"
SCRATCH=.build-fuzz
swift build -c debug --product PierStoreFuzz --scratch-path "$SCRATCH" \
    -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DFUZZING

BIN="$(swift build -c debug --product PierStoreFuzz --scratch-path "$SCRATCH" \
    -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DFUZZING --show-bin-path)/PierStoreFuzz"

WORK="$SCRATCH/fuzz-run"
CORPUS="$WORK/corpus"
mkdir -p "$CORPUS" "$WORK/artifacts"
# The fixtures are the seeds: valid batches, and each kind of damage.
cp Tests/PierStoreTests/Fixtures/*.log "$CORPUS/" 2>/dev/null || true

echo "fuzzing for ${SECONDS_TO_RUN}s ..."
"$BIN" "$CORPUS" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$WORK/artifacts/" -print_final_stats=1
