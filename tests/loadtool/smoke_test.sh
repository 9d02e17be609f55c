#!/usr/bin/env bash
# Smoke test of rinha-load: starts its own floor nginx (deploy/nginx-floor.conf) on a free
# port in a temp prefix, runs scenarios/smoke.json (15 s) in --floor mode, and checks that
# every POST was answered 2XX and that results.json and report.html were written.
# usage: smoke_test.sh <rinha-load binary> <project source dir>
set -euo pipefail
bin=$1; src=$2
tmp=$(mktemp -d /tmp/rinha-smoke.XXXXXX)
nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
       || echo $((20000 + RANDOM % 20000)))
mkdir -p "$tmp/floor-tmp" "$tmp/logs"
# shellcheck source=scripts/bench-common.sh
source "$src/scripts/bench-common.sh"
floor_conf "$port" > "$tmp/nginx-floor.conf"
nginx -p "$tmp" -c "$tmp/nginx-floor.conf" -g 'daemon off;' 2>"$tmp/nginx.stderr" &
nginx_pid=$!
for _ in $(seq 50); do
  curl -fs -o /dev/null -X POST "http://127.0.0.1:$port/payments" && break
  sleep 0.1
done
curl -fs -o /dev/null -X POST "http://127.0.0.1:$port/payments" || { cat "$tmp/nginx.stderr"; exit 1; }

"$bin" --scenario "$src/scenarios/smoke.json" --floor --backend "http://127.0.0.1:$port" \
       --out "$tmp/out" --expect-all-ok
test -s "$tmp/out/results.json"
test -s "$tmp/out/report.html"
grep -q '"total_liquido"' "$tmp/out/results.json"
grep -q '"qtd_falha": 0' "$tmp/out/results.json"
ok=$(grep -o '"qtd_sucesso": [0-9]*' "$tmp/out/results.json" | grep -o '[0-9]*$')
[ "$ok" -gt 300 ] || { echo "too few payments: $ok"; exit 1; }
echo "smoke OK: $ok payments answered 2XX"
