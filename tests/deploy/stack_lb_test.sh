#!/usr/bin/env bash
# scripts/stack.sh with each load balancer (LB=haproxy, LB=nginx) in a run dir below a
# private (0700) folder: a payment through the lb is accepted and counted, a 20 KB body gets
# the JSON 413, every compose service has its pid file (lb, api1, api2, redis; nginx.pid as
# the old alias), Redis runs deploy/redis.conf's maxmemory and refuses commands without the
# stack's password, :9999 answers /metrics and /health 404 while the admin socket serves
# them, `restart nginx` restarts the lb, and `down` leaves no process behind.
# usage: stack_lb_test.sh <build dir> <project source dir>
set -euo pipefail
build=$1; src=$2
priv=$(mktemp -d /tmp/rinha-stack-lb.XXXXXX)
chmod 700 "$priv"
export RUN_DIR=$priv/deep/run BUILD_DIR=$build
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export NGINX_PORT=$(free_port) SIM_DEFAULT_PORT=$(free_port) SIM_FALLBACK_PORT=$(free_port)
unset PROCESSOR_DEFAULT_URL PROCESSOR_FALLBACK_URL LB API_INSTANCES STACK_TRANSPORT
trap '"$src/scripts/stack.sh" down >/dev/null 2>&1; rm -rf "$priv"' EXIT
fail() { echo "FAIL ($lb): $*"; tail -n 20 "$RUN_DIR"/*.log 2>/dev/null; exit 1; }
pay() { curl -s -o "$priv/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$@" "http://127.0.0.1:$NGINX_PORT/payments"; }

for lb in haproxy nginx; do
  LB=$lb "$src/scripts/stack.sh" up >"$priv/up.log" 2>&1 || { cat "$priv/up.log"; fail "stack.sh up"; }
  grep -q "lb .*($lb," "$priv/up.log" || fail "status does not show lb ($lb)"
  for svc in lb api1 api2 redis sim-default sim-fallback; do
    [ -s "$RUN_DIR/$svc.pid" ] && kill -0 "$(cat "$RUN_DIR/$svc.pid")" || fail "no live $svc.pid"
  done
  [ "$(cat "$RUN_DIR/nginx.pid")" = "$(cat "$RUN_DIR/lb.pid")" ] || fail "nginx.pid is not lb.pid"
  want=$(awk '$1 == "maxmemory" { print $2 }' "$src/deploy/redis.conf")
  want=$(awk -v m="$want" 'BEGIN { u = tolower(m); n = u + 0
    if (u ~ /gb$/) n *= 1073741824; else if (u ~ /mb$/) n *= 1048576; else if (u ~ /kb$/) n *= 1024; print n }')
  got=$(REDISCLI_AUTH=$(cat "$RUN_DIR/redis.password") redis-cli -s "$RUN_DIR/redis.sock" config get maxmemory | tail -n 1)
  [ "$got" = "$want" ] || fail "redis maxmemory $got, deploy/redis.conf says $want"
  # Redis needs the stack's password; :9999 forwards no /metrics or /health (admin sockets do).
  out=$(env -u REDISCLI_AUTH redis-cli -s "$RUN_DIR/redis.sock" ping 2>&1 || true)
  [[ $out == *NOAUTH* ]] || fail "redis answered '$out' without the password"
  [ "$(stat -c %a "$RUN_DIR/redis.password")" = 600 ] || fail "RUN_DIR/redis.password is not mode 600"
  for path in /metrics /health; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT$path")
    [ "$code" = 404 ] || fail "$lb: :$NGINX_PORT$path answered $code, not 404"
  done
  out=$(curl -fsS --unix-socket "$RUN_DIR/api1-admin.sock" http://admin/metrics || true)
  grep -q '^rinha_backlog_total' <<<"$out" || fail "api1's admin socket does not serve /metrics"
  id=$(cat /proc/sys/kernel/random/uuid)
  [ "$(pay -d "{\"correlationId\":\"$id\",\"amount\":19.90}")" = 202 ] || fail "payment not accepted: $(cat "$priv/body")"
  head -c 20000 /dev/zero | tr '\0' ' ' >"$priv/big"
  [ "$(pay --data-binary "@$priv/big")" = 413 ] || fail "20 KB body not refused with 413"
  grep -q '"error":"request too large"' "$priv/body" || fail "413 body: $(cat "$priv/body")"
  old=$(cat "$RUN_DIR/lb.pid")
  LB= "$src/scripts/stack.sh" restart nginx >/dev/null 2>&1 || fail "restart nginx (alias of lb)"
  [ "$(cat "$RUN_DIR/lb.pid")" != "$old" ] || fail "restart nginx did not restart the lb"
  grep -q "^LB=$lb$" "$RUN_DIR/stack.conf" || fail "stack.conf does not record LB=$lb"
  for _ in $(seq 50); do
    n=$(curl -s "http://127.0.0.1:$NGINX_PORT/payments-summary" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["default"]["totalRequests"] + d["fallback"]["totalRequests"])')
    [ "$n" = 1 ] && break; sleep 0.1
  done
  [ "$n" = 1 ] || fail "summary counts $n payments, want 1"
  pids=$(cat "$RUN_DIR"/*.pid)
  "$src/scripts/stack.sh" down >/dev/null || fail "down"
  for p in $pids; do kill -0 "$p" 2>/dev/null && ! grep -qs '^[0-9]* ([^)]*) Z' "/proc/$p/stat" && fail "pid $p survived down"; done
  ls "$RUN_DIR"/*.pid >/dev/null 2>&1 && fail "pid files left after down"
  rm -rf "$RUN_DIR"
  echo "stack with LB=$lb OK (run dir below a 0700 folder)"
done
