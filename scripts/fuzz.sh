#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets of fuzz/ with clang in a separate build directory
# (FUZZ_BUILD_DIR, default build-fuzz) and runs each for FUZZ_SECONDS (default 60) seconds,
# starting from the committed seeds (fuzz/corpus/<entry>) plus what earlier runs found
# (FUZZ_BUILD_DIR/corpus/<entry>). Crash reproducers land in FUZZ_BUILD_DIR/artifacts/<entry>/;
# copy one into fuzz/corpus/<entry>/ once fixed so that make test keeps it fixed.
# Usage: scripts/fuzz.sh [entry...]   (default: all five)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$here/build-fuzz}
SECONDS_PER=${FUZZ_SECONDS:-60}
JOBS=${JOBS:-2}
entries=("$@")
[ ${#entries[@]} -gt 0 ] || entries=(payment_request summary_query money timefmt decode_payment)

command -v clang++ >/dev/null || { echo "fuzz: clang++ missing: scripts/install-deps.sh" >&2; exit 1; }
CC=clang CXX=clang++ cmake -S "$here" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD.cmake.log" 2>&1 ||
  { cat "$BUILD.cmake.log" >&2; exit 1; }
cmake --build "$BUILD" -j "$JOBS" --target fuzz_targets >/dev/null

status=0
printf '%-16s %12s %10s %8s %8s %8s %s\n' entry executions exec/s cov ft corpus crashes
for e in "${entries[@]}"; do
  corpus="$BUILD/corpus/$e" artifacts="$BUILD/artifacts/$e"
  mkdir -p "$corpus" "$artifacts"
  log="$BUILD/fuzz-$e.log"
  set +e
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$BUILD/fuzz/fuzz_$e" -max_total_time="$SECONDS_PER" -print_final_stats=1 -max_len=4200 \
    -artifact_prefix="$artifacts/" -dict="$here/fuzz/fuzz.dict" "$corpus" "$here/fuzz/corpus/$e" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $2}' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{print $2}' | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last"); ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  size=$(sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
  crashes=$(find "$artifacts" -type f | wc -l)
  printf '%-16s %12s %10s %8s %8s %8s %s\n' "$e" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${size:-?}" "$crashes"
  if [ $rc -ne 0 ]; then
    status=1
    echo "fuzz: $e failed (exit $rc); log $log; reproducers:" >&2
    find "$artifacts" -type f >&2
    grep -A3 -E 'fuzz invariant broken|ERROR: |runtime error' "$log" | head -20 >&2 || true
  fi
done
exit $status
