#!/usr/bin/env bash
# `make bench-ab A='VAR=x' B='VAR=y'`: before against after, inside one sitting, alternating,
# so the machine's drift (the same run costs 10-15 % more CPU some minutes than others)
# falls on both sides alike. PAIRS (3) times: scripts/bench.sh SCENARIO (default steady:
# healthy processors, no backlog) with the environment A, then with B, each a system pass
# only (SKIP_FLOOR=1) under the compose limits. Then, per side, min / median / max of: p99,
# CPU-s per 1,000 payments of each service and of all four, Redis's script calls per
# payment and its usec per payment in scripts (INFO commandstats).
# A and B are space-separated VAR=value words for the stack (e.g. 'HANDOFF=0 BATCH_WINDOW=20ms').
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-steady}
PAIRS=${PAIRS:-3}
A=${A:-}; B=${B:-}
[ -n "$A$B" ] || { echo "bench-ab: set A and/or B, e.g. A='HANDOFF=0' B='HANDOFF=1'" >&2; exit 2; }
log() { echo "bench-ab: $*"; }
out=$here/results/ab-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building"
  cmake -S "$here" -B "${BUILD_DIR:-$here/build}" -DCMAKE_BUILD_TYPE=Release >"$out/build.log" 2>&1
  cmake --build "${BUILD_DIR:-$here/build}" -j "${JOBS:-2}" --target rinha-load payment-sim rinha-api >>"$out/build.log" 2>&1 \
    || { tail -n 30 "$out/build.log"; exit 1; }
fi

# run SIDE N: one bench pass with that side's environment; its figures as one line.
run() {
  local side=$1 n=$2 envs log_file
  envs=$([ "$side" = A ] && echo "$A" || echo "$B")
  log_file=$out/$side$n.log
  log "pair $n/$PAIRS, side $side ($envs)"
  # shellcheck disable=SC2086
  env $envs SKIP_BUILD=1 SKIP_FLOOR=1 DRAIN_S=30 "$here/scripts/bench.sh" "$scenario" >"$log_file" 2>&1 &
  local pid=$!
  # The bench's own progress lines, every 10 s, while it runs.
  while kill -0 "$pid" 2>/dev/null; do
    sleep 10
    tail -n 1 "$log_file" | grep -q 'rinha-load: t=' && log "  $side$n $(tail -n 1 "$log_file" | sed 's/^rinha-load: //')"
  done
  # A run whose checks failed (lag, inconsistencies) is a result too: reported, and the A/B
  # goes on; one that left no results stops it.
  local ok=1
  wait "$pid" || { ok=0; log "side $side run $n failed its checks: $log_file"; tail -n 5 "$log_file"; }
  local dir; dir=$(sed -n 's/^bench: results in //p' "$log_file")
  local f
  for f in score.txt resources.txt redis-commands.txt; do
    [ -n "$dir" ] && [ -f "$dir/system/$f" ] || { log "side $side run $n left no $f"; exit 1; }
  done
  awk -v side="$side" -v n="$n" -v ok="$ok" '
    FILENAME ~ /score.txt$/ { for (i = 1; i <= NF; i++) {
        if ($i ~ /^p99=/) { sub(/p99=/, "", $i); sub(/ms/, "", $i); p99 = $i }
        if ($i ~ /^lag=/) { sub(/lag=/, "", $i); lag = $i } } }
    FILENAME ~ /resources.txt$/ && $1 == "system" {
      for (i = 3; i <= NF; i++) {
        if ($i ~ /^cpu_s_per_1k=/) { sub(/cpu_s_per_1k=/, "", $i); c[$2] = $i }
        if ($2 == "machine" && $i ~ /^steal_s=/) { sub(/steal_s=/, "", $i); steal = $i } } }
    FILENAME ~ /redis-commands.txt$/ && $1 == "evalsha" {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "calls_per_payment") sc = kv[2]; if (kv[1] == "usec_per_payment") su = kv[2] } }
    END { printf "%s %s p99_ms=%s lb=%s api1=%s api2=%s redis=%s total=%s script_calls=%s script_us=%s lag=%s steal_s=%s checks_ok=%s\n",
            side, n, p99, c["lb"], c["api1"], c["api2"], c["redis"], c["total"], sc, su, lag, steal, ok }' \
    "$dir/system/score.txt" "$dir/system/resources.txt" "$dir/system/redis-commands.txt" | tee -a "$out/runs.txt"
}

log "scenario $scenario, $PAIRS pairs; A: ${A:-(defaults)}; B: ${B:-(defaults)}; results in $out"
for n in $(seq "$PAIRS"); do run A "$n"; run B "$n"; done

# A run that failed its checks is reported on its own line above and left out of these
# figures: a backlog that never drained is not a cost of the side, it is a failure of it.
log "min / median / max per side, runs that passed their checks (CPU-s per 1,000 payments; script calls and usec per payment):"
for side in A B; do
  awk -v side="$side" '$1 == side && $NF != "checks_ok=1" { failed++ }
    $1 == side && $NF == "checks_ok=1" { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1], ++k[kv[1]]] = kv[2] } }
    END {
      line = failed ? sprintf(" (%d run(s) failed their checks, left out)", failed) : ""
      split("p99_ms lb api1 api2 redis total script_calls script_us lag steal_s", want, " ")
      for (w = 1; w <= 10; w++) {
        name = want[w]; n = k[name]; if (n == 0) continue
        for (i = 1; i <= n; i++) x[i] = v[name, i] + 0
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
        line = line sprintf(" %s=%g/%g/%g", name, x[1], x[int((n + 1) / 2)], x[n])
      }
      printf "bench-ab: %s%s\n", side, line }' "$out/runs.txt" | tee -a "$out/summary.txt"
done
