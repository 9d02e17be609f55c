#!/usr/bin/env bash
# What one load-balancer hop costs the p99, with no backend work at all: runs a scenario in
# the load tool's floor mode, per round, against
#   direct:         the floor responder alone (deploy/nginx-floor.conf, `make bench`'s floor)
#   proxied-<lb>:   each load balancer of LBS, from its deploy config rendered as the local
#                   stack renders it (scripts/lb.sh), in front of that same responder as both
#                   upstreams,
# all at the limits of deploy/docker-compose.yml times CPU_SCALE: each load balancer at the
# lb's, the responder at one API's. The system can never beat "proxied": that is the floor
# of the architecture; at the same CPU it compares the load balancers.
# usage: scripts/hop-cost.sh [SCENARIO] (default preview-2025)
# env: ROUNDS (3), LBS ("haproxy nginx"), CPU_SCALE (1), BUILD_DIR, FLOOR_PORT (19998),
#      PROXY_PORT (nginx's, 19997), HAPROXY_PORT (19996)
# Output, easy to grep: one "hop-cost: round=R lb=X direct_p99=..ms proxied_p99=..ms
# ratio=.. lb_cpu_s=.. lb_cpu_s_per_1k=.." line per round and load balancer, then one
# "hop-cost: summary lb=X rounds=N direct_p99_median=.. proxied_p99_median=.. ratio_median=..
# lb_cpu_s_per_1k_median=.." line per load balancer (also in results/hop-cost-*/summary.txt).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/bench-common.sh
source "$here/scripts/bench-common.sh"
# shellcheck source=scripts/lb.sh
source "$here/scripts/lb.sh"
scenario=$(scenario_file "${1:-preview-2025}") || exit 2
BUILD_DIR=${BUILD_DIR:-$here/build}
ROUNDS=${ROUNDS:-3}
LBS=${LBS:-haproxy nginx}
FLOOR_PORT=${FLOOR_PORT:-19998}
declare -A LB_PORT=([nginx]=${PROXY_PORT:-19997} [haproxy]=${HAPROXY_PORT:-19996})
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "hop-cost: ROUNDS must be a positive integer" >&2; exit 2; }
for kind in $LBS; do lb_valid "$kind" || exit 2; done
load_limits || exit 2
api=${API_SERVICES[0]}
load=$BUILD_DIR/loadtool/rinha-load
[ -x "$load" ] || { echo "hop-cost: build rinha-load first (make build)" >&2; exit 2; }
out=$here/results/hop-cost-$(basename "$scenario" .json)-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out/floor-tmp"

# shellcheck source=scripts/cgroup.sh
source "$here/scripts/cgroup.sh"
cg_detect
pids=()
declare -A lb_pids
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  cg_remove responder
  for kind in $LBS; do cg_remove "lb-$kind"; done
}
trap cleanup EXIT

floor_conf "$FLOOR_PORT" >"$out/nginx-floor.conf"
nginx -p "$out" -c "$out/nginx-floor.conf" -g 'daemon off;' 2>"$out/floor.stderr" &
pids+=($!); responder_pid=$!
wait_http -X POST "http://127.0.0.1:$FLOOR_PORT/payments" || { echo "hop-cost: the floor responder did not start" >&2; cat "$out/floor.stderr" >&2; exit 1; }
if [ "$CG_MODE" != none ]; then
  cg_create responder "${LIMIT_CPUS[$api]}" "${LIMIT_MEM[$api]}"; cg_add responder $(with_children "$responder_pid")
fi
for kind in $LBS; do
  mkdir -p "$out/$kind"
  lb_prepare "$kind" "${LB_PORT[$kind]}" "$out/$kind" "127.0.0.1:$FLOOR_PORT" "127.0.0.1:$FLOOR_PORT" || exit 1
  "${LB_CMD[@]}" 2>"$out/$kind/stderr.log" &
  pids+=($!); lb_pids[$kind]=$!
  wait_http -X POST "http://127.0.0.1:${LB_PORT[$kind]}/payments" \
    || { echo "hop-cost: $kind did not start" >&2; cat "$out/$kind/stderr.log" >&2; exit 1; }
  lb_pids[$kind]=$(with_children "${lb_pids[$kind]}" | tr '\n' ' ')
  if [ "$CG_MODE" != none ]; then cg_create "lb-$kind" "${LIMIT_CPUS[lb]}" "${LIMIT_MEM[lb]}"; cg_add "lb-$kind" ${lb_pids[$kind]}; fi
done

echo "hop-cost: $(basename "$scenario" .json), $ROUNDS rounds, LBS=\"$LBS\", cgroups $CG_MODE, CPU_SCALE=$CPU_SCALE:" \
  "each lb ${LIMIT_CPUS[lb]} CPU/${LIMIT_MEM[lb]} MB, responder ${LIMIT_CPUS[$api]} CPU/${LIMIT_MEM[$api]} MB (as $api; deploy/docker-compose.yml)" \
  | tee "$out/summary.txt"
p99() { sed -n 's/.* p99=\([0-9.]*\)ms.*/\1/p' "$1"; }
ok_of() { sed -n 's/.* ok=\([0-9]*\) .*/\1/p' "$1"; }
run() {  # run NAME PORT: one floor-mode run; its p99 on stdout
  "$load" --scenario "$scenario" --floor --backend "http://127.0.0.1:$2" --out "$out/$1" >"$out/$1.txt"
  p99 "$out/$1.txt"
}
read -r -a kinds <<<"$LBS"
for r in $(seq "$ROUNDS"); do
  d=$(run "direct-$r" "$FLOOR_PORT")
  # The load balancers take turns going first, so that drift over time favours neither.
  n=${#kinds[@]}
  for i in $(seq 0 $((n - 1))); do
    kind=${kinds[$(((i + r - 1) % n))]}
    before=$(cg_usage_ns "lb-$kind" ${lb_pids[$kind]})
    p=$(run "proxied-$kind-$r" "${LB_PORT[$kind]}")
    used=$(( $(cg_usage_ns "lb-$kind" ${lb_pids[$kind]}) - before ))
    awk -v r="$r" -v k="$kind" -v d="$d" -v p="$p" -v ns="$used" -v ok="$(ok_of "$out/proxied-$kind-$r.txt")" 'BEGIN {
      printf "hop-cost: round=%d lb=%s direct_p99=%sms proxied_p99=%sms ratio=%.2f lb_cpu_s=%.2f lb_cpu_s_per_1k=%s\n",
        r, k, d, p, (d > 0) ? p / d : 0, ns / 1e9, (ok > 0) ? sprintf("%.3f", ns / 1e6 / ok) : "n/a" }' \
      | tee -a "$out/summary.txt"
  done
done
for kind in "${kinds[@]}"; do
  awk -v k="$kind" -v rounds="$ROUNDS" '
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == "hop-cost:" && $3 == "lb=" k {
      n++
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] + 0 }
      d[n] = v["direct_p99"]; p[n] = v["proxied_p99"]; q[n] = v["ratio"]; c[n] = v["lb_cpu_s_per_1k"]
    }
    END { printf "hop-cost: summary lb=%s rounds=%d direct_p99_median=%.2fms proxied_p99_median=%.2fms ratio_median=%.2f lb_cpu_s_per_1k_median=%.3f\n",
            k, n, median(d, n), median(p, n), median(q, n), median(c, n) }' "$out/summary.txt" \
    | tee -a "$out/summary.txt.tmp"
done
cat "$out/summary.txt.tmp" >>"$out/summary.txt" && rm -f "$out/summary.txt.tmp"
echo "hop-cost: results in $out"
