#!/usr/bin/env bash
# Builds the fuzz targets with clang++ and runs each for SECONDS (default 20) from the seed corpus
# in fuzz/corpus/<target>/. New inputs go to BUILD_DIR/corpus/<target>/ (the seeds stay as they
# are); crashes to BUILD_DIR/artifacts/. Exits non-zero when any target finds a crash.
#   fuzz/run.sh BUILD_DIR [SECONDS]
set -uo pipefail
BUILD_DIR=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS]}
SECONDS_EACH=${2:-20}
HERE=$(cd "$(dirname "$0")" && pwd)

CXX=clang++ cmake -S "$HERE" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ >/dev/null || exit 2
ninja -C "$BUILD_DIR" -j2 || exit 2

# One target: SECONDS_EACH of fuzzing; its report printed when it ends. Exit 1 on a finding.
fuzz_one() {
  local target=$1
  mkdir -p "$BUILD_DIR/corpus/$target" "$BUILD_DIR/artifacts"
  local dict=()
  [[ -f "$HERE/dict/$target.dict" ]] && dict=(-dict="$HERE/dict/$target.dict")
  if ! "$BUILD_DIR/$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "${dict[@]}" -artifact_prefix="$BUILD_DIR/artifacts/$target-" \
      "$BUILD_DIR/corpus/$target" "$HERE/corpus/$target" 2>"$BUILD_DIR/$target.log"; then
    { echo "!! $target found a crash: see $BUILD_DIR/$target.log and $BUILD_DIR/artifacts/"
      tail -40 "$BUILD_DIR/$target.log"; } >"$BUILD_DIR/$target.report"
    return 1
  fi
  { echo -n "== $target (${SECONDS_EACH}s): "
    grep -E "stat::number_of_executed_units|stat::new_units_added" "$BUILD_DIR/$target.log" | tr '\n' ' '
    echo; } >"$BUILD_DIR/$target.report"
}

# Each target runs on one core: as many at once as the machine has cores (FUZZ_JOBS).
lanes=${FUZZ_JOBS:-$(nproc)}
rm -f "$BUILD_DIR"/fuzz_*.report
failed=0
running=0
for target in fuzz_http_body fuzz_ndjson fuzz_csv fuzz_time fuzz_funnel_definition \
    fuzz_journey_definition fuzz_segment_definition fuzz_funnel_query fuzz_delivery_definitions \
    fuzz_http_target fuzz_tracking_plan fuzz_replay_request; do
  if [ "$running" -ge "$lanes" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
cat "$BUILD_DIR"/fuzz_*.report
exit $failed
