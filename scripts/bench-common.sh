#!/usr/bin/env bash
# Helpers shared by the benchmark scripts (scripts/bench.sh, scripts/hop-cost.sh): sourced.
# Functions: scenario_file ARG, with_children PID..., wait_http CURL-ARGS..., floor_conf PORT.

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
