#!/usr/bin/env bash
# Official-scenario benchmark, locally: builds, runs the scenario first against the floor
# responder (deploy/nginx-floor.conf, what machine + load tool cost) and then against the
# real stack (scripts/stack.sh) with the per-service CPU/memory limits of
# deploy/docker-compose.yml applied through cgroups, then prints the score line, what each
# service cost (CPU seconds per 1,000 payments, busiest second, throttling, peak memory)
# and the reports.
# usage: scripts/bench.sh [SCENARIO]   (name in scenarios/ or a path; default preview-2025)
# env: BUILD_DIR BENCH_RUN_DIR NGINX_PORT SIM_DEFAULT_PORT SIM_FALLBACK_PORT FLOOR_PORT JOBS
#      LB=haproxy|nginx (default: the compose lb's), CPU_SCALE (1: multiplies every CPU quota),
#      SKIP_FLOOR=1 (system pass only), SKIP_BUILD=1, DRAIN_S (120: after the score, how long
#      to wait for every accepted payment to be stored; any never stored fails the bench)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/bench-common.sh
source "$here/scripts/bench-common.sh"
# shellcheck source=scripts/lb.sh
source "$here/scripts/lb.sh"
scenario=$(scenario_file "${1:-preview-2025}") || exit 2
name=$(basename "$scenario" .json)
log() { echo "bench: $*"; }

# The limits, written once in deploy/docker-compose.yml; a split over budget is refused.
load_limits || exit 2
export LB=${LB:-$(lb_default)} && lb_valid "$LB" || exit 2
export API_INSTANCES=${#API_SERVICES[@]}
LIMIT_CPUS[sims]="-"; LIMIT_MEM[sims]=0   # simulators: measured only, like the load tool
limit_of() { echo "${LIMIT_CPUS[$1]} ${LIMIT_MEM[$1]}"; }

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

# shellcheck source=scripts/cgroup.sh
source "$here/scripts/cgroup.sh"
cg_detect
scaled=""; [ "$CPU_SCALE" != 1 ] && scaled=", CPUs x $CPU_SCALE"
setup="lb=$LB CPU_SCALE=$CPU_SCALE: $(limits_text) (deploy/docker-compose.yml$scaled)"
if [ "$CG_MODE" = none ]; then
  log "WARNING: cgroups unusable ($CG_WHY): services run WITHOUT limits; CPU and peak memory come from /proc"
  log "$setup: not applied"
else
  log "cgroups $CG_MODE, $setup; simulators and load tool unlimited"
fi

# One connection per VU (capacity-3x: 1650) plus the stack's: the load tool inherits this.
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 16384 ] || ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$FLOOR_PORT" "$NGINX_PORT" "$SIM_DEFAULT_PORT" "$SIM_FALLBACK_PORT"; do
  port_busy "$p" && { log "port $p is already in use (another stack running? try 'make down' or set NGINX_PORT/SIM_*_PORT/FLOOR_PORT)"; exit 1; }
done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building in $BUILD_DIR"
  cmake -S "$here" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log"; exit 1; }
  cmake --build "$BUILD_DIR" -j "$JOBS" --target rinha-load payment-sim rinha-api >>"$out/build.log" 2>&1 &
  build_pid=$!
  heartbeat "still building (log: $out/build.log)" "$build_pid" &
  wait "$build_pid" || { tail -n 30 "$out/build.log"; exit 1; }
fi
load=$BUILD_DIR/loadtool/rinha-load

floor_pid=""; proxy_pid=""; sim_pids=(); stack_up=0; groups=(); sampler_pid=""
cleanup() {
  set +e
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null && wait "$sampler_pid" 2>/dev/null
  [ -n "$floor_pid" ] && kill "$floor_pid" 2>/dev/null && wait "$floor_pid" 2>/dev/null
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
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

# Per-second CPU samples of each measured group during a load run, for its busiest second.
# start_sampler FILE GROUP:PID,PID... ; stop_sampler. FILE lines: "t_us ns ns ... busy steal
# irq" (cumulative): one column per group, then the whole machine's busy (user, nice,
# system), steal and irq+softirq time from /proc/stat, in ns. With CONFIG_IRQ_TIME_ACCOUNTING
# off (as on these VMs) interrupt work is charged to whichever process it interrupts, and
# steal is time the host took: a second in which a service's CPU jumps can be checked
# against both.
start_sampler() {
  local file=$1; shift
  (
    trap 'exit 0' TERM
    local _c u n sy _i _w irq sirq st _r ns=$((1000000000 / CG_CLK_TCK))
    while :; do
      line=${EPOCHREALTIME/./}
      for spec in "$@"; do pids=${spec#*:}; line+=" $(cg_usage_ns "${spec%%:*}" ${pids//,/ })"; done
      read -r _c u n sy _i _w irq sirq st _r </proc/stat
      line+=" $(((u + n + sy) * ns)) $((st * ns)) $(((irq + sirq) * ns))"
      echo "$line" >>"$file"
      sleep 1
    done
  ) &
  sampler_pid=$!
}
stop_sampler() { [ -n "$sampler_pid" ] && { kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null || true; }; sampler_pid=""; }
# busiest FILE COLUMN...: the most CPUs the columns (1 = first group) used together over one
# sampling interval (~1 s).
busiest() {
  local file=$1; shift
  awk -v cols="$*" 'BEGIN { n = split(cols, c, " ") }
    { u = 0; for (i = 1; i <= n; i++) u += $(c[i] + 1)
      if (NR > 1 && $1 > t) { x = (u - pu) / (($1 - t) * 1000); if (x > m) m = x }
      t = $1; pu = u }
    END { printf "%.3f", m }' "$file"
}

# stats PASS SERVICE GROUP SAMPLES COLUMN PAYMENTS PID...: one line per service in
# $out/<pass>/resources.txt (format: README "Reading resources.txt").
stats() {
  local pass=$1 svc=$2 group=$3 samples=$4 col=$5 payments=$6; shift 6
  local lim kv ps busy; lim=$(limit_of "$svc")
  local -A f=()
  for kv in $(cg_stats "$group" "$@"); do f[${kv%%=*}]=${kv#*=}; done
  # VmHWM from /proc too: memory charged before a process moved into its group may stay
  # with the old group (cgroup v1), so the group's peak can read low.
  ps=$(proc_stats "$@")
  busy=$(busiest "$samples" "$col")
  awk -v pass="$pass" -v svc="$svc" -v cpus="${lim% *}" -v mem="${lim#* }" -v cpu_s="${f[cpu_s]}" -v ok="$payments" \
      -v busy="$busy" -v periods="${f[periods]}" -v thr="${f[throttled_periods]}" -v thr_s="${f[throttled_s]}" \
      -v peak="${f[peak_mb]}" -v rss="${ps#* }" -v oom="${f[oom_kills]}" 'BEGIN {
    per1k = ok > 0 ? sprintf("%.3f", cpu_s * 1000 / ok) : "n/a"
    share = cpus == "-" ? "n/a" : sprintf("%.0f%%", 100 * busy / cpus)
    tshare = periods ~ /^[0-9]+$/ && periods > 0 ? sprintf("%.1f%%", 100 * thr / periods) : "n/a"
    printf "%-6s %-6s cpus=%-5s mem_mb=%-4s cpu_s=%s cpu_s_per_1k=%s busiest_1s=%s busiest_cpus=%.2f periods=%s throttled_periods=%s throttled_share=%s throttled_s=%s peak_mb=%s rss_peak_mb=%s oom_kills=%s\n",
      pass, svc, cpus, mem, cpu_s, per1k, share, busy, periods, thr, tshare, thr_s, peak, rss, oom }' \
    | tee -a "$out/$pass/resources.txt"
}

# total PASS SAMPLES PAYMENTS SERVICE:COLUMN...: the sum over the submitted services.
total() {
  local pass=$1 samples=$2 payments=$3; shift 3
  local spec cols=() names=()
  for spec in "$@"; do names+=("${spec%%:*}"); cols+=("${spec#*:}"); done
  awk -v names="${names[*]}" -v busy="$(busiest "$samples" "${cols[@]}")" -v ok="$payments" -v pass="$pass" '
    BEGIN { n = split(names, w, " "); for (i = 1; i <= n; i++) want[w[i]] = 1 }
    $1 == pass && ($2 in want) {
      for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] += kv[2] }
    }
    END {
      per1k = ok > 0 ? sprintf("%.3f", v["cpu_s"] * 1000 / ok) : "n/a"
      share = (v["cpus"] > 0) ? 100 * busy / v["cpus"] : 0
      printf "%-6s %-6s cpus=%-5.2f mem_mb=%-4d cpu_s=%.2f cpu_s_per_1k=%s busiest_1s=%.0f%% busiest_cpus=%.2f throttled_periods=%d throttled_s=%.2f peak_mb=%.1f rss_peak_mb=%.1f (%s)\n",
        pass, "total", v["cpus"], v["mem_mb"], v["cpu_s"], per1k, share, busy,
        v["throttled_periods"], v["throttled_s"], v["peak_mb"], v["rss_peak_mb"], names }' "$out/$pass/resources.txt" \
    | tee -a "$out/$pass/resources.txt"
}

# machine PASS SAMPLES: one line "PASS machine wall_s=.. busy_s=.. steal_s=.. irq_s=.. busiest_steal_1s=..
# busiest_irq_1s=.." in $out/PASS/resources.txt: the whole machine (all cores, every process,
# the load tool's too) over the pass, from the sampler's last three columns; the busiest
# seconds in CPUs (1.00 = one core's whole second).
machine() {
  local n steal irq
  n=$(awk 'NR == 1 { print NF - 1; exit }' "$2")   # columns after the time; the last three are the machine's
  steal=$(busiest "$2" $((n - 1))); irq=$(busiest "$2" "$n")
  awk -v pass="$1" -v steal="$steal" -v irq="$irq" '
    NR == 1 { t0 = $1; b0 = $(NF - 2); s0 = $(NF - 1); q0 = $NF }
    { t = $1; b = $(NF - 2); s = $(NF - 1); q = $NF }
    END { printf "%-6s %-6s wall_s=%.1f busy_s=%.2f steal_s=%.2f irq_s=%.2f busiest_steal_1s=%s busiest_irq_1s=%s\n",
            pass, "machine", (t - t0) / 1e6, (b - b0) / 1e9, (s - s0) / 1e9, (q - q0) / 1e9, steal, irq }' "$2" \
    | tee -a "$out/$1/resources.txt"
}
payments_of() { sed -n 's/.* ok=\([0-9]*\) .*/\1/p' "$1"; }
resources_header() {  # resources_header PASS PAYMENTS
  echo "# $1 pass: lb=$LB cpu_scale=$CPU_SCALE cgroups=$CG_MODE${CG_WHY:+ ($CG_WHY)} payments=$2; cpus = deploy/docker-compose.yml x cpu_scale" \
    >"$out/$1/resources.txt"
}

# ---- floor passes: what the machine, the tool and the load balancer cost by themselves ----
# direct:  the trivial responder alone, with the lb's limits (what the machine and tool cost);
# proxied: the same responder (with an API's limits) behind $LB with the lb's limits and the
#          deployed config, as both upstreams: the floor of the architecture, the p99 no
#          system behind that load balancer can beat. The system's p99 is compared with it.
# FLOOR_PASSES picks them ("direct proxied" by default; SKIP_FLOOR=1 = none).
FLOOR_PASSES=${FLOOR_PASSES:-direct proxied}
[ "${SKIP_FLOOR:-0}" = 1 ] && FLOOR_PASSES=""
PROXY_PORT=${PROXY_PORT:-$((FLOOR_PORT - 1))}
api_svc=${LIMIT_SERVICES[1]}   # the first API service of the compose (after lb)
floor_pass() {  # floor_pass NAME PORT GROUP_SPEC...: one floor-mode run, its score and resources
  local pass=$1 port=$2; shift 2
  log "floor pass '$pass': $name against :$port"
  start_sampler "$out/$pass/cpu-samples.txt" "$@"
  "$load" --scenario "$scenario" --floor --backend "http://127.0.0.1:$port" --out "$out/$pass" | tee "$out/$pass/score.txt"
  stop_sampler
  resources_header "$pass" "$(payments_of "$out/$pass/score.txt")"
}
if [ -n "$FLOOR_PASSES" ]; then
  mkdir -p "$out/floor/nginx/floor-tmp"
  # Also on a unix socket: the proxied floor reaches it the way the lb reaches the APIs in
  # the local stack (over loopback TCP nginx spent twice the CPU: throttled at 0.125 CPU).
  floor_conf "$FLOOR_PORT" | sed "s|^\( *\)listen 127.0.0.1:$FLOOR_PORT\(.*\)|&\n\1listen unix:$out/floor/nginx/floor.sock;|" \
    > "$out/floor/nginx/nginx-floor.conf"
  nginx -p "$out/floor/nginx" -c "$out/floor/nginx/nginx-floor.conf" -g 'daemon off;' 2>"$out/floor/nginx/stderr.log" &
  floor_pid=$!
  wait_http -X POST "http://127.0.0.1:$FLOOR_PORT/payments" || { log "floor nginx did not start"; cat "$out/floor/nginx/stderr.log"; exit 1; }
  mapfile -t floor_pids < <(with_children "$floor_pid")
  if [[ " $FLOOR_PASSES " == *" direct "* ]]; then
    place floor-nginx lb "${floor_pids[@]}"
    floor_pass floor "$FLOOR_PORT" "floor-nginx:$(IFS=,; echo "${floor_pids[*]}")"
    stats floor lb floor-nginx "$out/floor/cpu-samples.txt" 1 "$(payments_of "$out/floor/score.txt")" "${floor_pids[@]}"
    machine floor "$out/floor/cpu-samples.txt"
  fi
  if [[ " $FLOOR_PASSES " == *" proxied "* ]]; then
    mkdir -p "$out/proxied/lb"
    place proxied-responder "$api_svc" "${floor_pids[@]}"
    lb_prepare "$LB" "$PROXY_PORT" "$out/proxied/lb" "unix:$out/floor/nginx/floor.sock" "unix:$out/floor/nginx/floor.sock" || exit 1
    "${LB_CMD[@]}" 2>"$out/proxied/lb/stderr.log" &
    proxy_pid=$!
    wait_http -X POST "http://127.0.0.1:$PROXY_PORT/payments" || { log "$LB (proxied floor) did not start"; cat "$out/proxied/lb/stderr.log"; exit 1; }
    mapfile -t proxy_pids < <(with_children "$proxy_pid")
    place proxied-lb lb "${proxy_pids[@]}"
    floor_pass proxied "$PROXY_PORT" "proxied-lb:$(IFS=,; echo "${proxy_pids[*]}")" "proxied-responder:$(IFS=,; echo "${floor_pids[*]}")"
    stats proxied lb proxied-lb "$out/proxied/cpu-samples.txt" 1 "$(payments_of "$out/proxied/score.txt")" "${proxy_pids[@]}"
    stats proxied "$api_svc" proxied-responder "$out/proxied/cpu-samples.txt" 2 "$(payments_of "$out/proxied/score.txt")" "${floor_pids[@]}"
    machine proxied "$out/proxied/cpu-samples.txt"
    kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true; proxy_pid=""
  fi
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
specs=()
for svc in "${LIMIT_SERVICES[@]}"; do
  pid=$(cat "$RUN_DIR/$svc.pid")
  svc_pids[$svc]=$(with_children "$pid" | tr '\n' ' ')   # nginx: master and workers
  place "sys-$svc" "$svc" ${svc_pids[$svc]}
  specs+=("sys-$svc:$(echo ${svc_pids[$svc]} | tr ' ' ,)")
done
specs+=("sys-sims:$(IFS=,; echo "${sim_pids[*]}")")
log "pass 2/2: system ($name against the stack on :$NGINX_PORT behind $LB, processor fees $fee_default/$fee_fallback)"
compare=()
for f in "$out/proxied/results.json" "$out/floor/results.json"; do [ -f "$f" ] && { compare=(--compare-floor "$f"); break; }; done
# The backlog chart reads api1's admin listener (the lb forwards no /metrics).
metrics=unix:$RUN_DIR/api1-admin.sock
[ "${STACK_TRANSPORT:-unix}" = tcp ] && metrics=http://127.0.0.1:$((${ADMIN_PORT_BASE:-3100} + 1))
start_sampler "$out/system/cpu-samples.txt" "${specs[@]}"
set +e
"$load" --scenario "$scenario" --backend "http://127.0.0.1:$NGINX_PORT" \
  --default "http://127.0.0.1:$SIM_DEFAULT_PORT" --fallback "http://127.0.0.1:$SIM_FALLBACK_PORT" \
  --metrics "$metrics" --out "$out/system" --drain-s "${DRAIN_S:-120}" "${compare[@]}" | tee "$out/system/score.txt"
status=${PIPESTATUS[0]}
set -e
stop_sampler
payments=$(payments_of "$out/system/score.txt")
resources_header system "$payments"
col=0; totals=()
for svc in "${LIMIT_SERVICES[@]}"; do
  col=$((col + 1)); totals+=("$svc:$col")
  stats system "$svc" "sys-$svc" "$out/system/cpu-samples.txt" "$col" "$payments" ${svc_pids[$svc]}
done
stats system sims sys-sims "$out/system/cpu-samples.txt" $((col + 1)) "$payments" "${sim_pids[@]}"
total system "$out/system/cpu-samples.txt" "$payments" "${totals[@]}"
machine system "$out/system/cpu-samples.txt"
# Where Redis's time went: its command statistics (commands run inside scripts count under
# their own names too, so EVALSHA's time includes theirs), per payment.
redis_breakdown() {
  local cli=(redis-cli -s "$RUN_DIR/redis.sock")
  [ "${STACK_TRANSPORT:-unix}" = tcp ] && cli=(redis-cli -p "${REDIS_TCP_PORT:-6379}")
  REDISCLI_AUTH=$(cat "$RUN_DIR/redis.password" 2>/dev/null) "${cli[@]}" INFO commandstats 2>/dev/null | tr -d '\r' \
    >"$out/system/redis-commandstats.txt" || return 0
  awk -F'[:,=]' -v ok="${payments:-0}" '/^cmdstat_/ {
      printf "%s calls=%s usec=%s usec_per_call=%s calls_per_payment=%.3f usec_per_payment=%.2f\n",
        substr($1, 9), $3, $5, $7, (ok > 0 ? $3 / ok : 0), (ok > 0 ? $5 / ok : 0) }' \
    "$out/system/redis-commandstats.txt" | sort -t= -k3 -n -r >"$out/system/redis-commands.txt"
}
redis_breakdown
"$here/scripts/stack.sh" down >/dev/null 2>&1 || true; stack_up=0
[ -z "${BENCH_RUN_DIR:-}" ] && rm -rf "$RUN_DIR/appendonlydir" "$RUN_DIR"/*.aof* "$RUN_DIR"/*.sock 2>/dev/null

# Per-service figures into each report, above its embedded JSON.
for pass in floor proxied system; do
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
[ -f "$out/proxied/score.txt" ] && log "proxied: $(cat "$out/proxied/score.txt")"
log "system: $(cat "$out/system/score.txt")"
# steal_of PASS: the host's steal over the pass, as a share of all the machine's cores (a pass
# the host took much more from than the other is not a fair floor for it).
steal_of() {
  awk -v cores="$(nproc)" '$2 == "machine" { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    END { printf "%.2f s, %.1f%% of %d cores", v["steal_s"], 100 * v["steal_s"] / (v["wall_s"] * cores), cores }' "$out/$1/resources.txt"
}
p99_of() { sed -n 's/.* p99=\([0-9.]*\)ms.*/\1/p' "$1"; }
if [ -f "$out/system/score.txt" ]; then
  sys_p99=$(p99_of "$out/system/score.txt")
  for pass in floor proxied; do
    [ -f "$out/$pass/score.txt" ] || continue
    log "p99: system ${sys_p99}ms / $pass $(p99_of "$out/$pass/score.txt")ms = $(awk -v a="$sys_p99" -v b="$(p99_of "$out/$pass/score.txt")" 'BEGIN { printf "%.2f", a / b }')x" \
      "(steal: $pass $(steal_of "$pass"), system $(steal_of system))"
  done
fi
log "cost per service (lb=$LB, CPU_SCALE=$CPU_SCALE, ${payments:-0} payments; busiest_1s: share of the quota in its busiest second):"
awk '$1 == "system" && $2 != "machine" {
    for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "bench:   %-6s cpus=%-5s cpu_s=%-7s cpu_s_per_1k=%-6s busiest_1s=%-5s throttled=%-6s peak_mb=%-6s rss_peak_mb=%s\n",
      $2, v["cpus"], v["cpu_s"], v["cpu_s_per_1k"], v["busiest_1s"], $2 == "total" ? "-" : v["throttled_share"], v["peak_mb"], v["rss_peak_mb"]
    delete v }' "$out/system/resources.txt"
if [ -s "$out/system/redis-commands.txt" ]; then
  log "redis commands by time (usec per payment; inner script commands count under EVALSHA too):"
  head -n 8 "$out/system/redis-commands.txt" | awk '{ printf "bench:   %s\n", $0 }'
fi
log "report: $out/system/report.html$([ -f "$out/floor/report.html" ] && echo " (floor: $out/floor/report.html)" || true)"
exit "$status"
