#!/usr/bin/env bash
# Official-scenario benchmark, locally: builds, runs the scenario first against the floor
# responder (deploy/nginx-floor.conf, what machine + load tool cost) and then against the
# real stack (scripts/stack.sh) with the seed's per-service CPU/memory limits applied
# through cgroups, then prints the score line, per-service resource use and the reports.
# usage: scripts/bench.sh [SCENARIO]   (name in scenarios/ or a path; default preview-2025)
# env: BUILD_DIR BENCH_RUN_DIR NGINX_PORT SIM_DEFAULT_PORT SIM_FALLBACK_PORT FLOOR_PORT JOBS
#      SKIP_FLOOR=1 (system pass only), SKIP_BUILD=1, DRAIN_S (120: after the score, how long
#      to wait for every accepted payment to be stored; any never stored fails the bench)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/bench-common.sh
source "$here/scripts/bench-common.sh"
scenario=$(scenario_file "${1:-preview-2025}") || exit 2
name=$(basename "$scenario" .json)

export BUILD_DIR=${BUILD_DIR:-$here/build}
export NGINX_PORT=${NGINX_PORT:-9999}
export SIM_DEFAULT_PORT=${SIM_DEFAULT_PORT:-8001}
export SIM_FALLBACK_PORT=${SIM_FALLBACK_PORT:-8002}
FLOOR_PORT=${FLOOR_PORT:-9998}
JOBS=${JOBS:-2}
out=$here/results/$name-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
# A fresh run dir per bench (not the developer's ./run): Redis starts empty, like a new
# container, instead of replaying the AOF of earlier runs; the logs stay with the results.
export RUN_DIR=${BENCH_RUN_DIR:-$out/system/run}
log() { echo "bench: $*"; }

# The seed's split (SPEC section 5): service, CPUs, MB. "-" = unlimited (measured only).
LIMITS=("nginx 0.10 50" "api1 0.65 100" "api2 0.65 100" "redis 0.10 100" "sims - 0")
limit_of() { local want=$1 l; for l in "${LIMITS[@]}"; do set -- $l; [ "$1" = "$want" ] && { echo "$2 $3"; return; }; done; }

# shellcheck source=scripts/cgroup.sh
source "$here/scripts/cgroup.sh"
cg_detect
if [ "$CG_MODE" = none ]; then
  log "WARNING: cgroups unusable ($CG_WHY): services run WITHOUT limits; CPU and peak memory come from /proc"
else
  log "cgroups $CG_MODE: nginx 0.10 CPU/50 MB, api1/api2 0.65 CPU/100 MB each, redis 0.10 CPU/100 MB; simulators and load tool unlimited"
fi

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$FLOOR_PORT" "$NGINX_PORT" "$SIM_DEFAULT_PORT" "$SIM_FALLBACK_PORT"; do
  port_busy "$p" && { log "port $p is already in use (another stack running? try 'make down' or set NGINX_PORT/SIM_*_PORT/FLOOR_PORT)"; exit 1; }
done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building in $BUILD_DIR"
  cmake -S "$here" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS" --target rinha-load payment-sim rinha-api >"$out/build.log" 2>&1 \
    || { tail -n 30 "$out/build.log"; exit 1; }
fi
load=$BUILD_DIR/loadtool/rinha-load

floor_pid=""; sim_pids=(); stack_up=0; groups=()
cleanup() {
  set +e
  [ -n "$floor_pid" ] && kill "$floor_pid" 2>/dev/null && wait "$floor_pid" 2>/dev/null
  [ $stack_up -eq 1 ] && "$here/scripts/stack.sh" down >/dev/null 2>&1
  for p in "${sim_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  for g in "${groups[@]}"; do cg_remove "$g"; done
}
trap cleanup EXIT

# place GROUP SERVICE PID...: a fresh group per pass, so counters start at zero.
place() {
  local group=$1 svc=$2; shift 2
  local lim; lim=$(limit_of "$svc")
  [ "$CG_MODE" = none ] && return 0
  cg_remove "$group"
  cg_create "$group" ${lim% *} ${lim#* }
  groups+=("$group")
  cg_add "$group" "$@"
}

# stats PASS SERVICE GROUP PID...: one line per service in $out/<pass>/resources.txt
stats() {
  local pass=$1 svc=$2 group=$3; shift 3
  local lim; lim=$(limit_of "$svc")
  # VmHWM from /proc too: memory charged before a process moved into its group may stay
  # with the old group (cgroup v1), so the group's peak can read low.
  local ps; ps=$(proc_stats "$@")
  printf '%-6s %-8s cpus=%-5s mem_mb=%-4s %s rss_peak_mb=%s\n' "$pass" "$svc" "${lim% *}" "${lim#* }" \
    "$(cg_stats "$group" "$@")" "${ps#* }" \
    | tee -a "$out/$pass/resources.txt"
}

# ---- pass 1: floor (trivial responder with nginx's limits) ----
if [ "${SKIP_FLOOR:-0}" != 1 ]; then
  mkdir -p "$out/floor/nginx/floor-tmp"
  floor_conf "$FLOOR_PORT" > "$out/floor/nginx/nginx-floor.conf"
  nginx -p "$out/floor/nginx" -c "$out/floor/nginx/nginx-floor.conf" -g 'daemon off;' 2>"$out/floor/nginx/stderr.log" &
  floor_pid=$!
  wait_http -X POST "http://127.0.0.1:$FLOOR_PORT/payments" || { log "floor nginx did not start"; cat "$out/floor/nginx/stderr.log"; exit 1; }
  mapfile -t floor_pids < <(with_children "$floor_pid")
  place floor-nginx nginx "${floor_pids[@]}"
  log "pass 1/2: floor ($name against nginx-floor on :$FLOOR_PORT)"
  "$load" --scenario "$scenario" --floor --backend "http://127.0.0.1:$FLOOR_PORT" --out "$out/floor" | tee "$out/floor/score.txt"
  stats floor nginx floor-nginx "${floor_pids[@]}"
  kill "$floor_pid"; wait "$floor_pid" 2>/dev/null || true; floor_pid=""
fi

# ---- pass 2: the system, with the scenario's processor fees ----
fees=$(tr -d '\n ' < "$scenario" | sed -n 's/.*"fees":{"default":\([0-9.]*\),"fallback":\([0-9.]*\)}.*/\1 \2/p')
fee_default=${fees% *}; fee_fallback=${fees#* }
fee_default=${fee_default:-0.05}; fee_fallback=${fee_fallback:-0.15}
mkdir -p "$out/system"
"$BUILD_DIR/sim/payment-sim" --port "$SIM_DEFAULT_PORT" --fee "$fee_default" --token 123 --name default >"$out/system/sim-default.log" 2>&1 &
sim_pids+=($!)
"$BUILD_DIR/sim/payment-sim" --port "$SIM_FALLBACK_PORT" --fee "$fee_fallback" --token 123 --name fallback >"$out/system/sim-fallback.log" 2>&1 &
sim_pids+=($!)
wait_http -H "X-Rinha-Token: 123" "http://127.0.0.1:$SIM_DEFAULT_PORT/admin/payments-summary" \
  && wait_http -H "X-Rinha-Token: 123" "http://127.0.0.1:$SIM_FALLBACK_PORT/admin/payments-summary" \
  || { log "simulators did not start"; cat "$out/system/sim-"*.log; exit 1; }
place sys-sims sims "${sim_pids[@]}"

stack_up=1
PROCESSOR_DEFAULT_URL="http://127.0.0.1:$SIM_DEFAULT_PORT" PROCESSOR_FALLBACK_URL="http://127.0.0.1:$SIM_FALLBACK_PORT" \
  "$here/scripts/stack.sh" up > "$out/system/stack-up.log" 2>&1 || { cat "$out/system/stack-up.log"; exit 1; }
declare -A svc_pids
for svc in nginx api1 api2 redis; do
  pid=$(cat "$RUN_DIR/$svc.pid")
  if [ "$svc" = nginx ]; then svc_pids[$svc]=$(with_children "$pid" | tr '\n' ' '); else svc_pids[$svc]=$pid; fi
  place "sys-$svc" "$svc" ${svc_pids[$svc]}
done
log "pass 2/2: system ($name against the stack on :$NGINX_PORT, processor fees $fee_default/$fee_fallback)"
compare=(); [ -f "$out/floor/results.json" ] && compare=(--compare-floor "$out/floor/results.json")
set +e
"$load" --scenario "$scenario" --backend "http://127.0.0.1:$NGINX_PORT" \
  --default "http://127.0.0.1:$SIM_DEFAULT_PORT" --fallback "http://127.0.0.1:$SIM_FALLBACK_PORT" \
  --out "$out/system" --drain-s "${DRAIN_S:-120}" "${compare[@]}" | tee "$out/system/score.txt"
status=${PIPESTATUS[0]}
set -e
for svc in nginx api1 api2 redis; do stats system "$svc" "sys-$svc" ${svc_pids[$svc]}; done
stats system sims sys-sims "${sim_pids[@]}"
"$here/scripts/stack.sh" down >/dev/null 2>&1 || true; stack_up=0
[ -z "${BENCH_RUN_DIR:-}" ] && rm -rf "$RUN_DIR/appendonlydir" "$RUN_DIR"/*.aof* "$RUN_DIR"/*.sock 2>/dev/null

# Per-service figures into each report, above its embedded JSON.
for pass in floor system; do
  f=$out/$pass/report.html
  [ -f "$f" ] && [ -f "$out/$pass/resources.txt" ] || continue
  { echo "<h3>Per-service resources (cgroups: $CG_MODE${CG_WHY:+, $CG_WHY})</h3><pre>"
    sed 's/&/\&amp;/g; s/</\&lt;/g' "$out/$pass/resources.txt"; echo "</pre>"; } > "$out/$pass/resources.html"
  awk -v inc="$out/$pass/resources.html" '/^<h3>results.json<\/h3>/ { while ((getline l < inc) > 0) print l } { print }' \
    "$f" > "$f.tmp" && mv "$f.tmp" "$f"
done

echo
log "results in $out"
[ -f "$out/floor/score.txt" ] && log "floor : $(cat "$out/floor/score.txt")"
log "system: $(cat "$out/system/score.txt")"
log "report: $out/system/report.html (floor: $out/floor/report.html)"
exit "$status"
