#!/usr/bin/env bash
# Sockscope benchmark suite: bench/run.sh BUILD_DIR  (scripts/dev.sh bench builds and calls it).
# Prints one markdown table (goal, measured, reference, pass/fail) on stdout and exits non-zero
# when a goal fails. Loopback only. Environment knobs: see the top of bench/bench.py
# (BENCH_RUNS, BENCH_FLOOD_SECONDS, BENCH_ONLY, ...).
set -euo pipefail
build=${1:?usage: bench/run.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ ! -x "$build/src/sockscope" ] || [ ! -x "$build/bench/bench_connections" ] || [ ! -x "$build/bench/bench_log_filter" ]; then
  cmake --build "$build" --target bench_tools
fi
exec python3 "$here/bench.py" "$build"
