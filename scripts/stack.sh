#!/usr/bin/env bash
# The local stack without Docker: redis-server, two processor simulators (unless
# PROCESSOR_DEFAULT_URL/PROCESSOR_FALLBACK_URL are given), api1 and api2 on unix sockets,
# nginx on :9999. Everything it starts has a pid file and a log in RUN_DIR; `down` stops
# exactly those processes. Starting twice or after a crash restarts cleanly.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
RUN_DIR=${RUN_DIR:-$here/run}
BUILD_DIR=${BUILD_DIR:-$here/build}
NGINX_PORT=${NGINX_PORT:-9999}
SIM_DEFAULT_PORT=${SIM_DEFAULT_PORT:-8001}
SIM_FALLBACK_PORT=${SIM_FALLBACK_PORT:-8002}
SIM_TOKEN=${SIM_TOKEN:-123}
# unix (default): nginx->API and API->Redis over unix sockets; tcp: over loopback TCP
# (API_PORT_BASE+1/+2, REDIS_TCP_PORT), to measure the difference.
STACK_TRANSPORT=${STACK_TRANSPORT:-unix}
API_PORT_BASE=${API_PORT_BASE:-3000}
REDIS_TCP_PORT=${REDIS_TCP_PORT:-6399}
case $STACK_TRANSPORT in unix|tcp) ;; *) echo "stack: STACK_TRANSPORT must be unix or tcp" >&2; exit 2;; esac

api_health() {  # api_health N: one health request straight to instance N
  if [ "$STACK_TRANSPORT" = tcp ]; then curl -fsS "http://127.0.0.1:$((API_PORT_BASE + $1))/health"
  else curl -fsS --unix-socket "$RUN_DIR/api$1.sock" http://api/health; fi
}
redis_ping() {
  if [ "$STACK_TRANSPORT" = tcp ]; then redis-cli -p "$REDIS_TCP_PORT" ping; else redis-cli -s "$RUN_DIR/redis.sock" ping; fi
}
SERVICES=(nginx api1 api2 sim-default sim-fallback redis)   # stop order

log() { echo "stack: $*"; }

pid_of() { local f="$RUN_DIR/$1.pid"; [ -s "$f" ] && cat "$f" || true; }
# A process that exited but was not reaped yet (a zombie) counts as gone.
running() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! grep -qs '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
alive() { running "$(pid_of "$1")"; }

stop_one() {
  local name=$1 p
  p=$(pid_of "$name")
  if running "$p"; then
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 1 200); do running "$p" || break; sleep 0.05; done
    if running "$p"; then log "$name (pid $p) ignored SIGTERM for 10 s; killing"; kill -KILL "$p" 2>/dev/null || true; fi
  fi
  rm -f "$RUN_DIR/$name.pid"
}

down() {
  [ -d "$RUN_DIR" ] || { log "nothing to stop"; return 0; }
  for s in "${SERVICES[@]}"; do stop_one "$s"; done
  rm -f "$RUN_DIR"/*.sock "$RUN_DIR/nginx.pid.master"
  log "stopped (logs kept in $RUN_DIR)"
}

# start NAME CMD...: runs CMD in its own session, stdout+stderr to RUN_DIR/NAME.log.
start() {
  local name=$1; shift
  setsid "$@" >>"$RUN_DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

wait_for() {  # wait_for WHAT CMD...: up to 10 s
  local what=$1; shift
  for _ in $(seq 1 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  log "FAILED: $what did not come up; see $RUN_DIR"; tail -n 20 "$RUN_DIR"/*.log >&2 || true
  down; exit 1
}

up() {
  mkdir -p "$RUN_DIR/nginx-tmp"
  ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # ~600 clients + 2 x WORKERS upstream
  chmod 755 "$RUN_DIR"  # nginx workers run unprivileged and must reach the sockets
  local all=1
  for s in "${SERVICES[@]}"; do alive "$s" || all=0; done
  if [ $all -eq 1 ] && curl -fsS "http://127.0.0.1:$NGINX_PORT/health" >/dev/null 2>&1; then
    log "already running"; status; return 0
  fi
  down >/dev/null  # leftovers of a crash or a partial start

  for bin in rinha-api; do [ -x "$BUILD_DIR/app/$bin" ] || { log "missing $BUILD_DIR/app/$bin: run make build"; exit 1; }; done

  start_redis

  local default_url=${PROCESSOR_DEFAULT_URL:-} fallback_url=${PROCESSOR_FALLBACK_URL:-}
  if [ -z "$default_url" ] || [ -z "$fallback_url" ]; then
    [ -x "$BUILD_DIR/sim/payment-sim" ] || { log "missing $BUILD_DIR/sim/payment-sim"; down; exit 1; }
    start sim-default "$BUILD_DIR/sim/payment-sim" --port "$SIM_DEFAULT_PORT" --fee 0.05 --token "$SIM_TOKEN" --name default
    start sim-fallback "$BUILD_DIR/sim/payment-sim" --port "$SIM_FALLBACK_PORT" --fee 0.15 --token "$SIM_TOKEN" --name fallback
    default_url="http://127.0.0.1:$SIM_DEFAULT_PORT"; fallback_url="http://127.0.0.1:$SIM_FALLBACK_PORT"
    wait_for sim-default curl -fsS -H "X-Rinha-Token: $SIM_TOKEN" "$default_url/admin/payments-summary"
    wait_for sim-fallback curl -fsS -H "X-Rinha-Token: $SIM_TOKEN" "$fallback_url/admin/payments-summary"
  else
    log "using external processors $default_url and $fallback_url"
  fi

  echo "$default_url $fallback_url" >"$RUN_DIR/processors"  # for `restart api<n>`
  for n in 1 2; do start_api $n "$default_url" "$fallback_url"; done
  for n in 1 2; do wait_for api$n api_health $n; done

  start_nginx
  status
}

start_redis() {
  local listen=(--port 0)
  [ "$STACK_TRANSPORT" = tcp ] && listen=(--port "$REDIS_TCP_PORT" --bind 127.0.0.1)
  start redis redis-server "${listen[@]}" --unixsocket "$RUN_DIR/redis.sock" --unixsocketperm 777 \
    --dir "$RUN_DIR" --save "" --appendonly yes --appendfsync everysec --appendfilename redis.aof \
    --daemonize no --maxmemory 90mb --maxmemory-policy noeviction
  wait_for redis redis_ping
}

start_api() {  # start_api N DEFAULT_URL FALLBACK_URL
  local where=(APP_SOCKET="$RUN_DIR/api$1.sock" REDIS_SOCKET="$RUN_DIR/redis.sock")
  [ "$STACK_TRANSPORT" = tcp ] && where=(APP_PORT=$((API_PORT_BASE + $1)) REDIS_HOST=127.0.0.1 REDIS_PORT="$REDIS_TCP_PORT")
  start api$1 env APP_NAME=$1 "${where[@]}" \
    PROCESSOR_DEFAULT_URL="$2" PROCESSOR_FALLBACK_URL="$3" \
    PURGE_TOKEN="${PURGE_TOKEN:-123}" "$BUILD_DIR/app/rinha-api"
}

start_nginx() {
  local up1="unix:$RUN_DIR/api1.sock" up2="unix:$RUN_DIR/api2.sock"
  [ "$STACK_TRANSPORT" = tcp ] && { up1="127.0.0.1:$((API_PORT_BASE + 1))"; up2="127.0.0.1:$((API_PORT_BASE + 2))"; }
  sed -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@PORT@|$NGINX_PORT|g" -e "s|@UPSTREAM1@|$up1|g" -e "s|@UPSTREAM2@|$up2|g" \
    "$here/deploy/local/nginx.conf.template" >"$RUN_DIR/nginx.conf"
  start nginx nginx -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR/nginx-tmp"
  wait_for nginx curl -fsS "http://127.0.0.1:$NGINX_PORT/health"
}

# restart SERVICE: stops one service of a running stack (SIGTERM, SIGKILL after 10 s; a
# process already killed is fine) and starts it again exactly as `up` does; the others
# are left alone. For fault tests: kill -9 "$(cat $RUN_DIR/api1.pid)"; stack.sh restart api1.
restart() {
  local name=${1:-}
  [ -d "$RUN_DIR" ] || { log "no stack in $RUN_DIR"; exit 1; }
  case $name in
    redis) stop_one redis; start_redis;;
    api1|api2)
      [ -s "$RUN_DIR/processors" ] || { log "no $RUN_DIR/processors: was the stack started with up?"; exit 1; }
      local urls; read -r -a urls <"$RUN_DIR/processors"
      stop_one "$name"; start_api "${name#api}" "${urls[0]}" "${urls[1]}"
      wait_for "$name" api_health "${name#api}";;
    nginx) stop_one nginx; rm -f "$RUN_DIR/nginx.pid.master"; start_nginx;;
    sim-default|sim-fallback)
      stop_one "$name"
      local port=$SIM_DEFAULT_PORT fee=0.05 short=default
      [ "$name" = sim-fallback ] && { port=$SIM_FALLBACK_PORT; fee=0.15; short=fallback; }
      start "$name" "$BUILD_DIR/sim/payment-sim" --port "$port" --fee "$fee" --token "$SIM_TOKEN" --name "$short"
      wait_for "$name" curl -fsS -H "X-Rinha-Token: $SIM_TOKEN" "http://127.0.0.1:$port/admin/payments-summary";;
    *) echo "usage: $0 restart redis|api1|api2|nginx|sim-default|sim-fallback" >&2; exit 2;;
  esac
  log "restarted $name (pid $(pid_of "$name"))"
}

status() {
  log "run dir $RUN_DIR (pid files and logs)"
  for s in redis sim-default sim-fallback api1 api2 nginx; do
    if alive "$s"; then printf '  %-13s pid %-7s %s\n' "$s" "$(pid_of "$s")" "$(describe "$s")"; fi
  done
  log "serving http://localhost:$NGINX_PORT"
}

describe() {
  case $1 in
    redis) if [ "$STACK_TRANSPORT" = tcp ]; then echo "127.0.0.1:$REDIS_TCP_PORT"; else echo "unix:$RUN_DIR/redis.sock"; fi;;
    sim-default) echo "http://127.0.0.1:$SIM_DEFAULT_PORT (fee 0.05, token $SIM_TOKEN)";;
    sim-fallback) echo "http://127.0.0.1:$SIM_FALLBACK_PORT (fee 0.15, token $SIM_TOKEN)";;
    api1|api2) if [ "$STACK_TRANSPORT" = tcp ]; then echo "http://127.0.0.1:$((API_PORT_BASE + ${1#api}))"; else echo "unix:$RUN_DIR/$1.sock"; fi;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT";;
  esac
}

case ${1:-} in
  up) up;;
  down) down;;
  status) status;;
  restart) restart "${2:-}";;
  *) echo "usage: $0 up|down|status|restart <service>" >&2; exit 2;;
esac
