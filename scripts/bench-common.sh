#!/usr/bin/env bash
# Helpers shared by the benchmark scripts (scripts/bench.sh, scripts/hop-cost.sh): sourced.
# Functions: scenario_file ARG, with_children PID..., wait_http CURL-ARGS..., floor_conf PORT,
# load_limits, limits_text, heartbeat LABEL PID.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# scenario_file ARG: ARG if it is a file, else scenarios/ARG.json; fails when neither exists.
scenario_file() {
  local f=$1
  [ -f "$f" ] || f=$bench_root/scenarios/$1.json
  [ -f "$f" ] || { echo "$(basename "$0"): no scenario $1 (see $bench_root/scenarios/)" >&2; return 2; }
  echo "$f"
}

# with_children PID...: each PID and its direct children (nginx master -> workers).
with_children() { local p; for p in "$@"; do echo "$p"; pgrep -P "$p" || true; done; }

# wait_http CURL-ARGS...: up to 10 s for curl to get a 2XX.
wait_http() { local _; for _ in $(seq 100); do curl -fs -o /dev/null "$@" && return 0; sleep 0.1; done; return 1; }

# floor_conf PORT: deploy/nginx-floor.conf listening on PORT, on stdout.
floor_conf() { sed "s/127.0.0.1:9998/127.0.0.1:$1/" "$bench_root/deploy/nginx-floor.conf"; }

# load_limits: the per-service limits written once in deploy/docker-compose.yml (read by
# scripts/compose-limits.py), every CPU quota times CPU_SCALE (default 1; memory unscaled).
# Sets LIMIT_SERVICES (compose order), API_SERVICES, LIMIT_CPUS[svc] (scaled),
# LIMIT_COMPOSE_CPUS[svc] and LIMIT_MEM[svc] (MiB). Fails, saying why, when the compose is
# over the challenge's budget or names a service the local stack cannot run.
load_limits() {
  local me out n c m
  me=$(basename "$0")
  CPU_SCALE=${CPU_SCALE:-1}
  awk -v s="$CPU_SCALE" 'BEGIN { exit !(s ~ /^[0-9]*\.?[0-9]+$/ && s + 0 > 0) }' \
    || { echo "$me: CPU_SCALE must be a positive number, not '$CPU_SCALE'" >&2; return 2; }
  out=$(python3 "$bench_root/scripts/compose-limits.py") \
    || { echo "$me: refusing to run with the limits of deploy/docker-compose.yml (see above)" >&2; return 2; }
  LIMIT_SERVICES=(); API_SERVICES=()
  declare -gA LIMIT_CPUS=() LIMIT_COMPOSE_CPUS=() LIMIT_MEM=()
  while read -r n c m; do
    case $n in
      lb|redis) ;;
      api[0-9]*) API_SERVICES+=("$n");;
      *) echo "$me: deploy/docker-compose.yml has a service '$n' the local stack does not run (lb, apiN, redis)" >&2; return 2;;
    esac
    LIMIT_SERVICES+=("$n"); LIMIT_COMPOSE_CPUS[$n]=$c; LIMIT_MEM[$n]=$m
    LIMIT_CPUS[$n]=$(awk -v c="$c" -v s="$CPU_SCALE" 'BEGIN { v = sprintf("%.3f", c * s); sub(/0$/, "", v); print v }')
  done <<<"$out"
  [ -n "${LIMIT_CPUS[lb]:-}" ] && [ -n "${LIMIT_CPUS[redis]:-}" ] && [ ${#API_SERVICES[@]} -gt 0 ] \
    || { echo "$me: deploy/docker-compose.yml needs services lb, redis and api1.." >&2; return 2; }
}

# limits_text: "lb 0.40 CPU/30 MB, api1 ..." for the log lines.
limits_text() {
  local s out=""
  for s in "${LIMIT_SERVICES[@]}"; do out+="${out:+, }$s ${LIMIT_CPUS[$s]} CPU/${LIMIT_MEM[$s]} MB"; done
  echo "$out"
}

# heartbeat LABEL PID: a line every 10 s while PID runs (long phases outside the load tool).
heartbeat() {
  local label=$1 pid=$2 t=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1; t=$((t + 1))
    [ $((t % 10)) -eq 0 ] && kill -0 "$pid" 2>/dev/null && echo "$(basename "$0" .sh): $label ($t s)"
  done
  return 0
}
