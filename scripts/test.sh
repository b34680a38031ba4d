#!/usr/bin/env bash
# Builds gcra and runs every test: the whole suite in a normal build and
# under ASan+UBSan, and the concurrency tests under TSan.
# Usage: scripts/test.sh   (from anywhere; installs missing packages first)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

jobs=$(nproc)
run_suite() {  # run_suite <build dir> <ctest args...>
  local dir=$1; shift
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure --timeout 600 "$@"
}

echo "== build and test (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
run_suite build

echo "== build and test under ASan+UBSan"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGCRA_SANITIZE=address,undefined \
  -DGCRA_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan

echo "== concurrency tests under TSan"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGCRA_SANITIZE=thread \
  -DGCRA_BUILD_BENCH=OFF -DGCRA_BUILD_TOOLS=OFF >/dev/null
cmake --build build-tsan -j"$jobs" --target gcra_concurrency_tests
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 run_suite build-tsan -L concurrency
