#!/usr/bin/env bash
# End-to-end test of the Docker deployment, unattended on a fresh Debian 12 machine: installs
# Docker, starts dockerd, builds the local base images, brings up the simulators and the
# challenge compose, pays N payments through :9999 and checks the backend's summary against
# the processors'; reports the limits Docker applied; tears down. Last line: PASS / FAIL.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPLOY=$ROOT/deploy
WORK=${COMPOSE_TEST_DIR:-/var/tmp/rinha-compose-test}
N=${COMPOSE_TEST_PAYMENTS:-200}
PARALLEL=${COMPOSE_TEST_PARALLEL:-8}
AMOUNT=19.90
TOKEN=123
SIM_DEFAULT_PORT=${SIM_DEFAULT_PORT:-8001}
SIM_FALLBACK_PORT=${SIM_FALLBACK_PORT:-8002}
# On a shared host where :9999/:8001/:8002 are taken, move the host side of the ports.
LB_PORT=${COMPOSE_TEST_LB_PORT:-9999}
LB=http://127.0.0.1:$LB_PORT
APP_PROJECT=rinha
SIM_PROJECT=rinha-processors
export SIM_DEFAULT_PORT SIM_FALLBACK_PORT
# The compose requires a Redis password; a fresh one per run unless given.
REDIS_PASSWORD=${REDIS_PASSWORD:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
export REDIS_PASSWORD

mkdir -p "$WORK"
LOG=$WORK/compose-test.log
: >"$LOG"
RESULT=""
CREATED_NETWORK=0
UP=0

log() { echo "compose-test: $*"; echo "[$(date +%T)] $*" >>"$LOG"; }
fail() { RESULT="FAIL: $*"; exit 1; }

APP_COMPOSE=$DEPLOY/docker-compose.yml
compose_app() { docker-compose --compatibility -p "$APP_PROJECT" -f "$APP_COMPOSE" "$@"; }
compose_sim() { docker-compose -p "$SIM_PROJECT" -f "$DEPLOY/processors-compose.yml" "$@"; }

teardown() {
  local rc=$?
  trap - EXIT
  if [ "$UP" = 1 ]; then
    # Keep the services' logs for a post-mortem before the containers go.
    compose_app logs --no-color >"$WORK/app-services.log" 2>&1 || true
    compose_sim logs --no-color >"$WORK/sim-services.log" 2>&1 || true
    if [ "${KEEP:-0}" = 1 ]; then
      log "KEEP=1: leaving the stacks up"
    else
      log "tearing down"
      compose_app down -v --remove-orphans >>"$LOG" 2>&1 || true
      compose_sim down -v --remove-orphans >>"$LOG" 2>&1 || true
      [ "$CREATED_NETWORK" = 1 ] && docker network rm payment-processor >>"$LOG" 2>&1 || true
    fi
  fi
  [ -z "$RESULT" ] && RESULT="FAIL: unexpected error (exit $rc; see $LOG)"
  [ "$rc" -ne 0 ] && [ "$RESULT" = PASS ] && RESULT="FAIL: exit $rc"
  echo "compose-test: logs in $WORK"
  echo "compose-test: $RESULT"
  [ "$RESULT" = PASS ] && exit 0 || exit 1
}
trap teardown EXIT
trap 'fail "interrupted"' INT TERM

# --- 1. tools ---------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || fail "must run as root (apt-get, dockerd, debootstrap)"
need=()
for p in docker.io docker-compose debootstrap iptables curl jq ca-certificates; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}"; } >>"$LOG" 2>&1 \
    || fail "apt-get install ${need[*]} failed"
fi

# --- 2. docker engine -------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: $WORK/dockerd.log)"
  nohup dockerd >>"$WORK/dockerd.log" 2>&1 &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || fail "dockerd did not come up (see $WORK/dockerd.log)"
fi
log "docker $(docker version -f '{{.Server.Version}}') / $(docker-compose version --short), cgroup v$(docker info -f '{{.CgroupVersion}}')"

# --- 3. base images ---------------------------------------------------------------------
log "base images (deploy/base-image.sh)"
"$DEPLOY/base-image.sh" >>"$LOG" 2>&1 || fail "base images: deploy/base-image.sh failed (see $LOG)"

# --- 4. build context: the working tree without build outputs, bench results or VCS data
# (the classic builder sends the whole context; build/ can weigh hundreds of MB)
CTX=$WORK/context
rm -rf "$CTX"; mkdir -p "$CTX"
tar -C "$ROOT" --exclude=./.git --exclude='./build' --exclude='./build-*' --exclude='./build_*' \
    --exclude=./run --exclude=./results --exclude='*/node_modules' -cf - . | tar -C "$CTX" -xf -
export RINHA_BUILD_CONTEXT=$CTX
log "build context $(du -sh "$CTX" | cut -f1)"

# --- 5. processors, then the challenge stack ---------------------------------------------
if [ "$LB_PORT" != 9999 ]; then
  # The same files, only the published port changed; the lb/redis configs sit beside it.
  mkdir -p "$WORK/deploy"
  cp "$DEPLOY/haproxy.cfg" "$DEPLOY/nginx.conf" "$DEPLOY/redis.conf" "$WORK/deploy/"
  sed "s/\"9999:9999\"/\"$LB_PORT:9999\"/" "$DEPLOY/docker-compose.yml" >"$WORK/deploy/docker-compose.yml"
  grep -q "\"$LB_PORT:9999\"" "$WORK/deploy/docker-compose.yml" || fail "could not move port 9999 to $LB_PORT"
  APP_COMPOSE=$WORK/deploy/docker-compose.yml
  log "load balancer published on :$LB_PORT instead of :9999 (COMPOSE_TEST_LB_PORT)"
fi
for port in "$LB_PORT" "$SIM_DEFAULT_PORT" "$SIM_FALLBACK_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port is already in use on this host (another stack? set COMPOSE_TEST_LB_PORT / SIM_DEFAULT_PORT / SIM_FALLBACK_PORT)"
  fi
done
if ! docker network inspect payment-processor >/dev/null 2>&1; then
  docker network create --driver bridge payment-processor >>"$LOG" 2>&1 || fail "cannot create network payment-processor"
  CREATED_NETWORK=1
fi
UP=1
log "building and starting the simulators (first build compiles the project: minutes)"
compose_sim up -d --build >>"$LOG" 2>&1 || fail "processors compose did not come up (see $LOG)"
log "building and starting the challenge stack"
compose_app up -d --build >>"$LOG" 2>&1 || fail "challenge compose did not come up (see $LOG)"

wait_http() {  # url, seconds, [curl args...]
  local i url=$1 secs=$2
  shift 2
  for ((i = 0; i < secs * 2; i++)); do
    curl -fsS -m 2 -o /dev/null "$@" "$url" 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}
wait_http "$LB/payments-summary" 120 || fail "$LB/payments-summary did not answer within 120 s"
for port in "$SIM_DEFAULT_PORT" "$SIM_FALLBACK_PORT"; do
  # Not /payments/service-health: it is rate limited and its budget belongs to the APIs.
  wait_http "http://127.0.0.1:$port/admin/payments-summary" 60 -H "X-Rinha-Token: $TOKEN" \
    || fail "simulator on :$port did not answer"
done
# The APIs must reach both processors by name over the external network.
for svc in api1 api2; do
  for host in payment-processor-default payment-processor-fallback redis; do
    compose_app exec -T "$svc" getent hosts "$host" >/dev/null 2>&1 \
      || fail "$svc cannot resolve $host (networks wrong?)"
  done
done
log "stack is up; api1/api2 resolve both processors and redis"
for path in /metrics /health; do  # the operator's endpoints are on ADMIN_PORT, not behind the lb
  code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$LB$path" || echo 000)
  [ "$code" = 404 ] || fail ":$LB_PORT$path answered $code, not 404"
done

# --- 6. payments ------------------------------------------------------------------------
pay() {
  local id
  id=$(cat /proc/sys/kernel/random/uuid)
  curl -s -o /dev/null -m 5 -w '%{http_code}\n' -X POST "$LB/payments" \
       -H 'Content-Type: application/json' \
       -d "{\"correlationId\":\"$id\",\"amount\":$AMOUNT}" || echo 000
}
export -f pay; export LB AMOUNT
accepted=0
send_payments() {  # count
  local n=$1 ok
  log "sending $n payments of $AMOUNT through :$LB_PORT ($PARALLEL at a time)"
  seq "$n" | xargs -P "$PARALLEL" -I{} bash -c pay >"$WORK/codes.txt"
  ok=$(grep -c '^2' "$WORK/codes.txt" || true)
  log "accepted (2XX): $ok of $n; codes: $(sort "$WORK/codes.txt" | uniq -c | awk '{printf "%s x%s ", $2, $1}')"
  [ "$ok" -eq "$n" ] || fail "only $ok of $n payments were accepted"
  accepted=$((accepted + ok))
}
send_payments "$N"

# --- 7. consistency: backend summary == sum of what the processors stored ----------------
cents() { jq -r "$1 | . * 100 | round"; }
summary() {
  backend=$(curl -fsS -m 5 "$LB/payments-summary") || return 1
  sim_default=$(curl -fsS -m 5 -H "X-Rinha-Token: $TOKEN" "http://127.0.0.1:$SIM_DEFAULT_PORT/admin/payments-summary") || return 1
  sim_fallback=$(curl -fsS -m 5 -H "X-Rinha-Token: $TOKEN" "http://127.0.0.1:$SIM_FALLBACK_PORT/admin/payments-summary") || return 1
  b_def_n=$(jq -r .default.totalRequests <<<"$backend");  b_fb_n=$(jq -r .fallback.totalRequests <<<"$backend")
  b_def_c=$(cents .default.totalAmount <<<"$backend");    b_fb_c=$(cents .fallback.totalAmount <<<"$backend")
  s_def_n=$(jq -r .totalRequests <<<"$sim_default");      s_fb_n=$(jq -r .totalRequests <<<"$sim_fallback")
  s_def_c=$(cents .totalAmount <<<"$sim_default");        s_fb_c=$(cents .totalAmount <<<"$sim_fallback")
}
consistent() {
  [ "$b_def_n" = "$s_def_n" ] && [ "$b_fb_n" = "$s_fb_n" ] && [ "$b_def_c" = "$s_def_c" ] \
    && [ "$b_fb_c" = "$s_fb_c" ] && [ $((s_def_n + s_fb_n)) -eq "$accepted" ]
}
check_summaries() {
  local ok=0 expected_cents
  for _ in $(seq 60); do
    if summary && consistent; then ok=1; break; fi
    sleep 0.5
  done
  summary || fail "could not read the summaries"
  log "backend  : default $b_def_n / $b_def_c cents, fallback $b_fb_n / $b_fb_c cents"
  log "processor: default $s_def_n / $s_def_c cents, fallback $s_fb_n / $s_fb_c cents"
  [ "$ok" = 1 ] || fail "summaries disagree after 30 s (backend $backend; processors $sim_default / $sim_fallback; accepted $accepted)"
  expected_cents=$(jq -n "$accepted * $AMOUNT * 100 | round")
  [ $((s_def_c + s_fb_c)) -eq "$expected_cents" ] || fail "processors hold $((s_def_c + s_fb_c)) cents, expected $expected_cents"
}
check_summaries

# Optional (COMPOSE_TEST_FAILOVER=1): the default processor fails; the next payments must
# land on the fallback, still exactly once. Exercises the API's routing more than the deploy.
if [ "${COMPOSE_TEST_FAILOVER:-0}" = 1 ]; then
  curl -fsS -m 5 -X PUT -H "X-Rinha-Token: $TOKEN" -H 'Content-Type: application/json' \
       -d '{"failure": true}' "http://127.0.0.1:$SIM_DEFAULT_PORT/admin/configurations/failure" >/dev/null \
    || fail "could not switch the default simulator to failure"
  log "failover: default processor now fails"
  fb_before=$s_fb_n
  send_payments "$N"
  check_summaries
  [ "$s_fb_n" -gt "$fb_before" ] || fail "failover: no payment reached the fallback"
  log "failover: $((s_fb_n - fb_before)) payments went to the fallback"
fi

# --- 8. limits as Docker applied them, memory use -----------------------------------------
# Expected values come from the compose file itself (docker-compose brings python3-yaml),
# parsed like the compose-rules test does, so a new split of the budget needs no edit here.
want=$(/usr/bin/python3 - "$APP_COMPOSE" "$ROOT/tests/deploy" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import check_compose_rules as rules
for name, svc in rules.load(sys.argv[1])["services"].items():
    lim = svc["deploy"]["resources"]["limits"]
    print(name, int(rules.parse_cpus(lim["cpus"]) * 10**9), rules.parse_memory(lim["memory"]))
PY
) || fail "could not read the limits declared in $APP_COMPOSE"
log "limits applied (cpus, memory), memory now / peak:"
bad=()
while read -r svc want_cpu want_mem; do
  id=$(compose_app ps -q "$svc")
  [ -n "$id" ] || { bad+=("$svc: no container"); continue; }
  read -r cpu mem <<<"$(docker inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}' "$id")"
  now=$(docker stats --no-stream --format '{{.MemUsage}}' "$id" 2>/dev/null || echo n/a)
  peak=n/a
  for f in /sys/fs/cgroup/memory/docker/"$id"/memory.max_usage_in_bytes \
           /sys/fs/cgroup/system.slice/docker-"$id".scope/memory.peak; do
    [ -r "$f" ] && { peak=$(awk '{printf "%.1fMiB", $1/1048576}' "$f"); break; }
  done
  log "  $svc: cpus=$(awk "BEGIN{print $cpu/1e9}") mem=$((mem / 1048576))MiB  usage=$now peak=$peak"
  [ "$cpu" = "$want_cpu" ] || bad+=("$svc NanoCpus $cpu != $want_cpu")
  [ "$mem" = "$want_mem" ] || bad+=("$svc Memory $mem != $want_mem")
done <<<"$want"
[ ${#bad[@]} -eq 0 ] || fail "limits not applied as declared: ${bad[*]}"
for img in rinha/api rinha/payment-sim rinha/haproxy rinha/nginx rinha/redis rinha/bookworm-runtime rinha/bookworm-build; do
  log "  image $img: $(docker image inspect -f '{{.Size}}' "$img" 2>/dev/null | awk '{printf "%.1f MB", $1/1e6}')"
done

RESULT=PASS
