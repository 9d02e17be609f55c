#!/usr/bin/env bash
# What one load-balancer hop costs the p99, with no backend work at all: runs a scenario
# in the load tool's floor mode, alternately against
#   direct: the floor responder alone (deploy/nginx-floor.conf, what `make bench` calls the floor)
#   proxied: the local stack's load balancer (deploy/local/nginx.conf.template, same
#            settings as `make up`) in front of the same floor responder as both upstreams,
# with the seed's limits (LB 0.10 CPU; the responder stands for an API: 0.65 CPU).
# The system can never beat "proxied": that is the floor of the architecture.
# usage: scripts/hop-cost.sh [SCENARIO] (default preview-2025); env ROUNDS (2), BUILD_DIR,
#        FLOOR_PORT (19998), PROXY_PORT (19997)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/bench-common.sh
source "$here/scripts/bench-common.sh"
scenario=$(scenario_file "${1:-preview-2025}") || exit 2
BUILD_DIR=${BUILD_DIR:-$here/build}
ROUNDS=${ROUNDS:-2}
FLOOR_PORT=${FLOOR_PORT:-19998}
PROXY_PORT=${PROXY_PORT:-19997}
load=$BUILD_DIR/loadtool/rinha-load
[ -x "$load" ] || { echo "hop-cost: build rinha-load first (make build)" >&2; exit 2; }
out=$here/results/hop-cost-$(basename "$scenario" .json)-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out/floor-tmp" "$out/nginx-tmp"

# shellcheck source=scripts/cgroup.sh
source "$here/scripts/cgroup.sh"
cg_detect
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  cg_remove responder; cg_remove lb
}
trap cleanup EXIT

floor_conf "$FLOOR_PORT" >"$out/nginx-floor.conf"
nginx -p "$out" -c "$out/nginx-floor.conf" -g 'daemon off;' 2>"$out/floor.stderr" &
pids+=($!)
sed -e "s|@RUN_DIR@|$out|g" -e "s|@PORT@|$PROXY_PORT|g" -e "s|@UPSTREAM1@|127.0.0.1:$FLOOR_PORT|g" \
  -e "s|@UPSTREAM2@|127.0.0.1:$FLOOR_PORT|g" "$here/deploy/local/nginx.conf.template" >"$out/nginx-proxy.conf"
nginx -p "$out" -c "$out/nginx-proxy.conf" 2>"$out/proxy.stderr" &
pids+=($!)
wait_http -X POST "http://127.0.0.1:$FLOOR_PORT/payments" && wait_http -X POST "http://127.0.0.1:$PROXY_PORT/payments" \
  || { echo "hop-cost: nginx did not start" >&2; cat "$out"/*.stderr >&2; exit 1; }
if [ "$CG_MODE" != none ]; then
  cg_create responder 0.65 100; cg_add responder $(with_children "${pids[0]}")
  cg_create lb 0.10 50; cg_add lb $(with_children "${pids[1]}")
fi

echo "hop-cost: $(basename "$scenario" .json), $ROUNDS rounds, cgroups $CG_MODE"
printf '%-6s %-9s %-9s %-6s\n' round direct proxied ratio | tee "$out/summary.txt"
p99() { sed -n 's/.* p99=\([0-9.]*\)ms.*/\1/p' "$1"; }
for r in $(seq "$ROUNDS"); do
  "$load" --scenario "$scenario" --floor --backend "http://127.0.0.1:$FLOOR_PORT" --out "$out/direct-$r" >"$out/direct-$r.txt"
  "$load" --scenario "$scenario" --floor --backend "http://127.0.0.1:$PROXY_PORT" --out "$out/proxied-$r" >"$out/proxied-$r.txt"
  d=$(p99 "$out/direct-$r.txt"); p=$(p99 "$out/proxied-$r.txt")
  printf '%-6s %-9s %-9s %-6s\n' "$r" "${d}ms" "${p}ms" "$(awk -v a="$d" -v b="$p" 'BEGIN { printf "%.2f", b / a }')" \
    | tee -a "$out/summary.txt"
done
echo "hop-cost: results in $out"
