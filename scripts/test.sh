#!/usr/bin/env bash
# Everything `make test` runs: unit + scenario tests (release build), the same under ASan/UBSan,
# short fuzz runs of every parser, and the end-to-end tests that drive the binary.
# Usage: test.sh BUILD ASAN_BUILD FUZZ_BUILD
set -uo pipefail
build=${1:-build}; asan=${2:-build-asan}; fuzz=${3:-build-fuzz}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
failed=()
step() {
  local name=$1; shift
  echo "=== $name"
  local t0=$SECONDS
  if "$@"; then echo "=== $name: ok ($((SECONDS - t0))s)"; else echo "=== $name: FAILED"; failed+=("$name"); fi
}

# A step run beside the ones that follow it (background_start), its result reported by
# background_wait: for CPU work that fits in the time the crash and browser tests spend waiting on
# kills, restarts and timers (measured: the kill -9 tests use about a third of 2 cores).
bg_pid=""
background_start() {
  bg_name=$1; shift
  bg_log=$(mktemp); bg_t0=$SECONDS
  echo "=== $bg_name: started, beside the tests below"
  nice -n 10 "$@" >"$bg_log" 2>&1 &
  bg_pid=$!
}
background_wait() {
  [ -n "$bg_pid" ] || return 0
  echo "=== $bg_name"
  local ok=0
  wait "$bg_pid" && ok=1
  cat "$bg_log"; rm -f "$bg_log"
  if [ "$ok" = 1 ]; then echo "=== $bg_name: ok ($((SECONDS - bg_t0))s, beside other tests)"
  else echo "=== $bg_name: FAILED"; failed+=("$bg_name"); fi
}

step "unit and scenario tests" ctest --test-dir "$build" --output-on-failure -j 2
# The sanitizer build holds the test binaries of sanitizer_tests (CMakeLists.txt) unless
# ASAN_TESTS=unit_tests; each test carries its module's label.
asan_labels=()
if [ "${ASAN_TESTS:-sanitizer_tests}" = sanitizer_tests ] && [ -f "$asan/sanitizer_labels.txt" ]; then
  asan_labels=(-L "$(cat "$asan/sanitizer_labels.txt")")
fi
step "unit and scenario tests under ASan/UBSan" \
  env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$asan" --output-on-failure -j 2 "${asan_labels[@]}"
if [ -x fuzz/run.sh ]; then
  step "fuzzing every parser (bounded)" bash fuzz/run.sh "$fuzz" "${FUZZ_SECONDS:-6}"
fi
for t in tests/e2e/*.sh; do
  [ "$(basename "$t")" = lib.sh ] && continue  # helpers, sourced by the tests
  [ -f "$t" ] && step "e2e $(basename "$t" .sh)" bash "$t" "$build"
done
if [ -d tests/sdk ] && ls tests/sdk/*.test.mjs >/dev/null 2>&1; then
  step "real Segment SDK against signpost serve" env SIGNPOST_BIN="$root/$build/signpost" \
    node --test tests/sdk/
fi
# Lock rules (GUARDED_BY, REQUIRES, ...) checked by clang over the files that use them, beside the
# kill -9 and browser tests (not beside the e2e tests, whose deadlines are part of what they test).
background_start "thread-safety analysis (clang -Wthread-safety)" \
  python3 scripts/thread-safety.py "$build"
if [ -x tests/crash/kill9.sh ]; then
  # 15 s of kills in `make test` (about 10 of them) and a 100k-event import killed mid-file;
  # CRASH_SECONDS=120 CRASH_IMPORT_EVENTS=1000000 for a longer soak.
  step "kill -9 crash test" env CRASH_SECONDS="${CRASH_SECONDS:-15}" \
    CRASH_IMPORT_EVENTS="${CRASH_IMPORT_EVENTS:-100000}" bash tests/crash/kill9.sh "$build"
fi
# 15 s of client in `make test` (JCRASH_SECONDS=60 for a longer soak).
[ -x tests/crash/journeys_kill9.sh ] && step "journeys kill -9 crash test" \
  env JCRASH_SECONDS="${JCRASH_SECONDS:-15}" bash tests/crash/journeys_kill9.sh "$build"
[ -x tests/crash/journeys_partitions_kill9.sh ] &&
  step "journeys kill -9 crash test, 4 partitions, merges across them" \
    bash tests/crash/journeys_partitions_kill9.sh "$build"
if ls tests/browser/*.test.mjs >/dev/null 2>&1; then
  step "dashboard in a browser (chromium)" env SIGNPOST_BIN="$root/$build/signpost" \
    timeout 180 node --test --test-concurrency=2 tests/browser/
fi
background_wait

total=$(( ${#failed[@]} ))
if [ "$total" -ne 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test groups passed"
