#!/usr/bin/env bash
# Fuzzes jobc's front end and emitters with libFuzzer for SECONDS seconds (docs/fuzzing.md).
#
#   Tests/fuzz/run.sh SECONDS [libFuzzer flags...]
#
# Builds the jobc-fuzz product with -sanitize=fuzzer into .build-fuzz (JOBC_FUZZ_SCRATCH overrides),
# seeds a working corpus from the test inputs, runs one fuzzing process with memory and time limits,
# and exits non-zero when it finds a crash, a hang, an out-of-memory or a broken invariant.
#   JOBC_FUZZ_CORPUS     keep the working corpus in this folder across runs (default: a temp folder)
#   JOBC_FUZZ_ARTIFACTS  where findings are written (default: a temp folder, printed at the end)
#   JOBC_FUZZ_SANITIZE   sanitizers besides the fuzzer, e.g. "address" (slower; built in .build-fuzz-address)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)

seconds=${1:?usage: Tests/fuzz/run.sh SECONDS [libFuzzer flags...]}
shift
sanitize=${JOBC_FUZZ_SANITIZE:+,$JOBC_FUZZ_SANITIZE}
scratch=${JOBC_FUZZ_SCRATCH:-$repo/.build-fuzz${JOBC_FUZZ_SANITIZE:+-$JOBC_FUZZ_SANITIZE}}

swift build -c release --scratch-path "$scratch" --product jobc-fuzz \
    -Xswiftc "-sanitize=fuzzer$sanitize" -Xswiftc -DJOBC_LIBFUZZER
binary="$scratch/release/jobc-fuzz"
if [[ ",${JOBC_FUZZ_SANITIZE:-}," == *,address,* ]]; then
    export LSAN_OPTIONS="suppressions=$repo/Tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/jobc-fuzz.XXXXXX")
corpus=${JOBC_FUZZ_CORPUS:-$work/corpus}
artifacts=${JOBC_FUZZ_ARTIFACTS:-$work/findings}
mkdir -p "$corpus" "$artifacts" "$work/seeds"

# Seeds: every job and contract the tests use, plus the curated inputs in Tests/fuzz/corpus/. They go
# in a read-only second corpus folder; new inputs are written to the working corpus only.
{
    find Tests/JobcCLITests/Fixtures Tests/conformance Tests/JobcEmittersTests/Golden/jobs orchestration \
        -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.sql' \) -print0
    find Tests/fuzz/corpus -type f -print0
} |
    while IFS= read -r -d '' seed; do cp "$seed" "$work/seeds/$(printf '%s' "$seed" | tr '/' '_')"; done

echo "fuzzing for ${seconds}s: $(find "$work/seeds" -type f | wc -l) seeds, corpus $corpus, findings $artifacts"
status=0
"$binary" "$corpus" "$work/seeds" \
    -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -dict=Tests/fuzz/jobc.dict -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" || status=$?

if [ "$status" -ne 0 ]; then
    for finding in "$artifacts"/*; do
        [ -f "$finding" ] || continue
        echo "finding: $finding (base64 below; reproduce: $scratch/release/jobc-fuzz FILE, docs/fuzzing.md)"
        base64 "$finding"
    done
fi
rm -rf "$work/seeds"
# Keep the temp folder only when it holds findings.
if [ "$status" -eq 0 ] || [ -n "${JOBC_FUZZ_ARTIFACTS:-}" ]; then
    rm -rf "$work"
fi
exit "$status"
