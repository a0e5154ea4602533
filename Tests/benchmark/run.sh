#!/usr/bin/env bash
# The jobc benchmark: builds a release jobc (scratch path .build-bench, once with the Swift runtime
# shared and once linked in), the libyaml floor program, the launcher that measures each run
# (measure_exec.c) and the pinned benchmark virtualenv (.venv/bench: Airflow 3.3 + dag-factory),
# generates the corpora in a temporary folder and prints the tables (README, "Benchmark").
# About 10 minutes on 2 cores, plus the builds.
#
#   Tests/benchmark/run.sh            the full run: 100, 1,000 and 10,000 jobs
#   Tests/benchmark/run.sh --smoke    tiny sizes, one run each: checks the benchmark still works
#
# JOBC_BENCH_BIN=path/to/jobc skips the release builds (CI's smoke run reuses its debug build);
# JOBC_BENCH_VENV overrides the virtualenv folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)

static=()
if [[ -n ${JOBC_BENCH_BIN:-} ]]; then
    jobc=$JOBC_BENCH_BIN
else
    swift build -c release --scratch-path .build-bench --product jobc >&2
    jobc=$repo/.build-bench/release/jobc
    # The same jobc with the Swift runtime and Foundation linked in: the single-job latency table
    # shows both, since process start is most of that latency.
    swift build -c release --static-swift-stdlib --scratch-path .build-bench/static --product jobc >&2
    static=(--jobc-static "$repo/.build-bench/static/release/jobc")
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/jobc-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/yaml_floor" Tests/benchmark/yaml_floor.c $(pkg-config --cflags --libs yaml-0.1) -lpthread
gcc -O2 -o "$work/measure_exec" Tests/benchmark/measure_exec.c

venv=${JOBC_BENCH_VENV:-$repo/.venv/bench}
Tests/integration/setup_venv.sh "$venv" Tests/benchmark/requirements-bench.txt >&2

# The Python `jobc run` uses in section 6: jobc-runtime, jobc-local and psycopg2.
local_venv=${JOBC_LOCAL_VENV:-$repo/.venv/local}
Tests/integration/setup_venv.sh "$local_venv" Tests/integration/requirements-local.txt targets/runtime targets/local >&2

"$venv/bin/python" Tests/benchmark/bench.py --jobc "$jobc" "${static[@]}" --floor "$work/yaml_floor" \
    --measure-exec "$work/measure_exec" --work "$work" --local-python "$local_venv/bin/python" "$@"
