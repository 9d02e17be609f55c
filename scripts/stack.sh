#!/usr/bin/env bash
# The local stack without Docker, on the deployed configurations: redis-server from
# deploy/redis.conf, two processor simulators (unless PROCESSOR_DEFAULT_URL and
# PROCESSOR_FALLBACK_URL are given), API_INSTANCES (2) rinha-api on unix sockets, and the
# load balancer (LB=haproxy|nginx; default: the one the compose's `lb` service runs) from
# deploy/haproxy.cfg or deploy/nginx.conf on :9999 (NGINX_PORT), rendered by scripts/lb.sh.
# Every service has RUN_DIR/<service>.pid, named as in deploy/docker-compose.yml (lb, api1,
# api2, redis; plus sim-default, sim-fallback; nginx.pid is an alias of lb.pid) and a log
# RUN_DIR/<service>.log; `down` stops exactly those processes. Starting twice or after a
# crash restarts cleanly. RUN_DIR may be below a private (0700) folder. API_INSTANCES may be
# any number up to 99 (APP_NAME 1..N; any instance may hold the health lease).
# Nothing is open that need not be: each API's /metrics and /health are on its admin socket
# RUN_DIR/api<n>-admin.sock (mode 0600; tcp transport: port ADMIN_PORT_BASE+n), not behind the lb;
# Redis requires a password: REDIS_PASSWORD, or one generated per `up`, kept in
# RUN_DIR/redis.password (mode 0600); tools read it there (REDISCLI_AUTH=$(cat ...) redis-cli).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lb.sh
source "$here/scripts/lb.sh"
# Absolute: Redis reads its included password file after changing to its `dir`.
RUN_DIR=$(realpath -m "${RUN_DIR:-$here/run}")
BUILD_DIR=${BUILD_DIR:-$here/build}
NGINX_PORT=${NGINX_PORT:-9999}   # the load balancer's port, whichever LB runs
SIM_DEFAULT_PORT=${SIM_DEFAULT_PORT:-8001}
SIM_FALLBACK_PORT=${SIM_FALLBACK_PORT:-8002}
SIM_TOKEN=${SIM_TOKEN:-123}
# unix (default): LB->API and API->Redis over unix sockets; tcp: over loopback TCP
# (API_PORT_BASE+n, REDIS_TCP_PORT), to measure the difference.
TRANSPORT_ENV=${STACK_TRANSPORT:-}
API_PORT_BASE=${API_PORT_BASE:-3000}
ADMIN_PORT_BASE=${ADMIN_PORT_BASE:-3100}   # tcp transport: admin listener of api<n> on +n
REDIS_PASSWORD_ENV=${REDIS_PASSWORD:-}
REDIS_TCP_PORT=${REDIS_TCP_PORT:-6399}

log() { echo "stack: $*"; }

# What `up` chose (LB, API_INSTANCES, STACK_TRANSPORT) is kept in RUN_DIR/stack.conf, so
# that `restart` and `status` act on the stack that runs; the environment still wins.
LB_ENV=${LB:-}; API_INSTANCES_ENV=${API_INSTANCES:-}
load_conf() {  # load_conf [fresh]: the environment, else (unless fresh) stack.conf, else defaults
  local saved_lb="" saved_n="" saved_t=""
  if [ "${1:-}" != fresh ] && [ -s "$RUN_DIR/stack.conf" ]; then
    saved_lb=$(sed -n 's/^LB=//p' "$RUN_DIR/stack.conf"); saved_n=$(sed -n 's/^API_INSTANCES=//p' "$RUN_DIR/stack.conf")
    saved_t=$(sed -n 's/^STACK_TRANSPORT=//p' "$RUN_DIR/stack.conf")
  fi
  STACK_TRANSPORT=${TRANSPORT_ENV:-${saved_t:-unix}}
  case $STACK_TRANSPORT in unix|tcp) ;; *) log "STACK_TRANSPORT must be unix or tcp"; exit 2;; esac
  LB=${LB_ENV:-$saved_lb}
  if [ -z "$LB" ]; then
    LB=$(lb_default) || { log "cannot tell the load balancer from deploy/docker-compose.yml; set LB=haproxy|nginx"; exit 2; }
  fi
  lb_valid "$LB" || exit 2
  API_INSTANCES=${API_INSTANCES_ENV:-${saved_n:-2}}
  [[ $API_INSTANCES =~ ^[1-9][0-9]?$ ]] || { log "API_INSTANCES must be 1..99, not '$API_INSTANCES'"; exit 2; }
}
apis() { seq -f 'api%g' 1 "$API_INSTANCES"; }

api_health() {  # api_health N: one health request to instance N's admin listener
  if [ "$STACK_TRANSPORT" = tcp ]; then curl -fsS "http://127.0.0.1:$((ADMIN_PORT_BASE + $1))/health"
  else curl -fsS --unix-socket "$RUN_DIR/api$1-admin.sock" http://admin/health; fi
}
lb_serving() {  # the lb answers a route of the API (it forwards no /health)
  curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/payments-summary"
}
redis_password() { cat "$RUN_DIR/redis.password"; }
new_redis_password() {  # the environment's, else 32 random hex digits; RUN_DIR/redis.password, 0600
  local pw=$REDIS_PASSWORD_ENV
  [ -n "$pw" ] || pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  (umask 077; printf '%s\n' "$pw" >"$RUN_DIR/redis.password")
}
redis_ping() {
  local auth; auth=$(redis_password)
  if [ "$STACK_TRANSPORT" = tcp ]; then REDISCLI_AUTH=$auth redis-cli -p "$REDIS_TCP_PORT" ping
  else REDISCLI_AUTH=$auth redis-cli -s "$RUN_DIR/redis.sock" ping; fi
}

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
  local f s
  stop_one lb
  # nginx.pid is a link to lb.pid; a plain file is the nginx of a stack.sh before `lb`.
  if [ -f "$RUN_DIR/nginx.pid" ] && [ ! -L "$RUN_DIR/nginx.pid" ]; then stop_one nginx; fi
  rm -f "$RUN_DIR/nginx.pid"
  for f in "$RUN_DIR"/api*.pid; do [ -e "$f" ] && { s=${f##*/}; stop_one "${s%.pid}"; }; done
  for s in sim-default sim-fallback redis; do stop_one "$s"; done
  rm -f "$RUN_DIR"/*.sock "$RUN_DIR/nginx.pid.master" "$RUN_DIR/stack.conf"
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
  mkdir -p "$RUN_DIR"
  ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # ~600 clients + 2 x WORKERS upstream
  if [ -s "$RUN_DIR/stack.conf" ]; then
    load_conf
    local all=1 s
    for s in redis sim-default sim-fallback $(apis) lb; do alive "$s" || all=0; done
    if [ $all -eq 1 ] && lb_serving >/dev/null 2>&1; then
      log "already running"; status; return 0
    fi
  fi
  down >/dev/null  # leftovers of a crash or a partial start
  load_conf fresh
  printf 'LB=%s\nAPI_INSTANCES=%s\nSTACK_TRANSPORT=%s\n' "$LB" "$API_INSTANCES" "$STACK_TRANSPORT" >"$RUN_DIR/stack.conf"

  for bin in rinha-api; do [ -x "$BUILD_DIR/app/$bin" ] || { log "missing $BUILD_DIR/app/$bin: run make build"; exit 1; }; done

  new_redis_password
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
  local n
  for n in $(seq "$API_INSTANCES"); do start_api "$n" "$default_url" "$fallback_url"; done
  for n in $(seq "$API_INSTANCES"); do wait_for "api$n" api_health "$n"; done

  start_lb
  status
}

# Redis runs the deployed file; only where it listens and writes differs here. Redis applies
# `dir` the moment it reads it (chdir) and /data does not exist here, so that one line is
# rewritten into RUN_DIR/redis.conf; the other differences are command-line overrides.
start_redis() {
  local listen=(--port 0)
  [ "$STACK_TRANSPORT" = tcp ] && listen=(--port "$REDIS_TCP_PORT")
  awk -v dir="$RUN_DIR" '$1 == "dir" { print "dir " dir; n++; next } { print } END { exit n != 1 }' \
    "$here/deploy/redis.conf" >"$RUN_DIR/redis.conf" || { log "deploy/redis.conf has no single dir line"; down; exit 1; }
  # The password in an included file of mode 0600, not on the command line (ps shows that).
  [ -s "$RUN_DIR/redis.password" ] || new_redis_password
  (umask 077; printf 'requirepass "%s"\n' "$(redis_password | sed 's/[\\"]/\\&/g')" >"$RUN_DIR/redis-auth.conf")
  echo "include $RUN_DIR/redis-auth.conf" >>"$RUN_DIR/redis.conf"
  start redis redis-server "$RUN_DIR/redis.conf" "${listen[@]}" --bind 127.0.0.1 \
    --unixsocket "$RUN_DIR/redis.sock" --appendfilename redis.aof
  wait_for redis redis_ping
}

start_api() {  # start_api N DEFAULT_URL FALLBACK_URL
  local where=(APP_SOCKET="$RUN_DIR/api$1.sock" ADMIN_SOCKET="$RUN_DIR/api$1-admin.sock" REDIS_SOCKET="$RUN_DIR/redis.sock")
  [ "$STACK_TRANSPORT" = tcp ] && where=(APP_PORT=$((API_PORT_BASE + $1)) ADMIN_PORT=$((ADMIN_PORT_BASE + $1)) REDIS_HOST=127.0.0.1 REDIS_PORT="$REDIS_TCP_PORT")
  start "api$1" env APP_NAME="$1" "${where[@]}" REDIS_PASSWORD="$(redis_password)" \
    PROCESSOR_DEFAULT_URL="$2" PROCESSOR_FALLBACK_URL="$3" \
    PURGE_TOKEN="${PURGE_TOKEN:-123}" "$BUILD_DIR/app/rinha-api"
}

api_addr() {  # api_addr N: where the LB reaches instance N
  if [ "$STACK_TRANSPORT" = tcp ]; then echo "127.0.0.1:$((API_PORT_BASE + $1))"; else echo "unix:$RUN_DIR/api$1.sock"; fi
}

admin_addr() {  # admin_addr N: where instance N serves /metrics and /health
  if [ "$STACK_TRANSPORT" = tcp ]; then echo "http://127.0.0.1:$((ADMIN_PORT_BASE + $1))"; else echo "unix:$RUN_DIR/api$1-admin.sock"; fi
}

start_lb() {
  local n addrs=()
  for n in $(seq "$API_INSTANCES"); do addrs+=("$(api_addr "$n")"); done
  lb_prepare "$LB" "$NGINX_PORT" "$RUN_DIR" "${addrs[@]}" || { log "could not render the $LB config"; down; exit 1; }
  start lb "${LB_CMD[@]}"
  ln -sfn lb.pid "$RUN_DIR/nginx.pid"  # the name before the compose service was `lb`
  wait_for "lb ($LB)" lb_serving
}

# restart SERVICE: stops one service of a running stack (SIGTERM, SIGKILL after 10 s; a
# process already killed is fine) and starts it again exactly as `up` does; the others
# are left alone. For fault tests: kill -9 "$(cat $RUN_DIR/api1.pid)"; stack.sh restart api1.
# `nginx` is an alias of `lb`, whichever load balancer runs.
restart() {
  local name=${1:-}
  [ -d "$RUN_DIR" ] || { log "no stack in $RUN_DIR"; exit 1; }
  load_conf
  [ "$name" = nginx ] && name=lb
  case $name in
    redis) stop_one redis; start_redis;;
    api[1-9]|api[1-9][0-9])
      [ "${name#api}" -le "$API_INSTANCES" ] || { log "$name: this stack runs $API_INSTANCES API instances"; exit 2; }
      [ -s "$RUN_DIR/processors" ] || { log "no $RUN_DIR/processors: was the stack started with up?"; exit 1; }
      local urls; read -r -a urls <"$RUN_DIR/processors"
      stop_one "$name"; start_api "${name#api}" "${urls[0]}" "${urls[1]}"
      wait_for "$name" api_health "${name#api}";;
    lb) stop_one lb; rm -f "$RUN_DIR/nginx.pid.master"; start_lb;;
    sim-default|sim-fallback)
      stop_one "$name"
      local port=$SIM_DEFAULT_PORT fee=0.05 short=default
      [ "$name" = sim-fallback ] && { port=$SIM_FALLBACK_PORT; fee=0.15; short=fallback; }
      start "$name" "$BUILD_DIR/sim/payment-sim" --port "$port" --fee "$fee" --token "$SIM_TOKEN" --name "$short"
      wait_for "$name" curl -fsS -H "X-Rinha-Token: $SIM_TOKEN" "http://127.0.0.1:$port/admin/payments-summary";;
    *) echo "usage: $0 restart redis|api1..api$API_INSTANCES|lb|nginx|sim-default|sim-fallback" >&2; exit 2;;
  esac
  log "restarted $name (pid $(pid_of "$name"))"
}

status() {
  load_conf
  log "run dir $RUN_DIR (pid files and logs)"
  local s
  for s in redis sim-default sim-fallback $(apis) lb; do
    if alive "$s"; then printf '  %-13s pid %-7s %s\n' "$s" "$(pid_of "$s")" "$(describe "$s")"; fi
  done
  log "serving http://localhost:$NGINX_PORT"
}

describe() {
  case $1 in
    redis) if [ "$STACK_TRANSPORT" = tcp ]; then echo "127.0.0.1:$REDIS_TCP_PORT"; else echo "unix:$RUN_DIR/redis.sock"; fi;;
    sim-default) echo "http://127.0.0.1:$SIM_DEFAULT_PORT (fee 0.05, token $SIM_TOKEN)";;
    sim-fallback) echo "http://127.0.0.1:$SIM_FALLBACK_PORT (fee 0.15, token $SIM_TOKEN)";;
    api*) echo "$(api_addr "${1#api}" | sed 's|^\([0-9]\)|http://\1|') (admin $(admin_addr "${1#api}"))";;
    lb) echo "http://127.0.0.1:$NGINX_PORT ($LB, $([ "$LB" = haproxy ] && echo deploy/haproxy.cfg || echo deploy/nginx.conf))";;
  esac
}

case ${1:-} in
  up) up;;
  down) down;;
  status) status;;
  restart) restart "${2:-}";;
  *) echo "usage: $0 up|down|status|restart <service>" >&2; exit 2;;
esac
