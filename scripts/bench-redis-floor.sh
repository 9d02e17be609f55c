#!/usr/bin/env bash
# `make bench-redis-floor`: what one call costs Redis on this machine, the floor under the
# per-payment Redis cost of `make bench` (README, "Less Redis work per payment"). An idle
# redis-server from deploy/redis.conf (AOF as deployed, then AOF off), one client over a
# unix socket, no quotas; N calls of each shape:
#   ping                      a bare round trip
#   enqueue                   the intake's script (src/books_lua.hpp kEnqueueLua), new ids
#   enqueue_pipelined_10      the same, 10 in flight per write
#   enqueue_batch_10          one call carrying 10 payments (what INTAKE_WINDOW makes of 10)
# Prints, per shape, Redis's CPU per call (utime + stime from /proc), the part spent
# executing commands (INFO commandstats; the rest is the round trip: wake, read, write, AOF)
# and the CPU per payment.
# Takes about a minute; one line per shape as it finishes.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-40000}
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
command -v redis-benchmark >/dev/null || { echo "bench-redis-floor: redis-benchmark missing (make deps)" >&2; exit 1; }

# The enqueue script, exactly as the API runs it.
script=$(sed -n '/kEnqueueLua = R"lua(/,/)lua";/p' "$here/src/books_lua.hpp" | sed '1s/.*R"lua(//; $s/)lua";.*//')
[ -n "$script" ] || { echo "bench-redis-floor: kEnqueueLua not found in src/books_lua.hpp" >&2; exit 1; }
sock=$work/redis.sock
cli() { redis-cli -s "$sock" "$@"; }
tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }

start_redis() {  # start_redis yes|no
  mkdir -p "$work/data"; rm -rf "$work/data"/*
  sed "s#^dir .*#dir $work/data#" "$here/deploy/redis.conf" >"$work/redis.conf"
  redis-server "$work/redis.conf" --port 0 --unixsocket "$sock" --appendonly "$1" >"$work/redis.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do cli PING >/dev/null 2>&1 && return 0; sleep 0.1; done
  cat "$work/redis.log"; exit 1
}
stop_redis() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

shape() {  # shape AOF NAME PAYMENTS_PER_CALL redis-benchmark-args...
  local aof=$1 name=$2 per=$3; shift 3
  cli CONFIG RESETSTAT >/dev/null
  local a b; a=$(cpu_ticks)
  redis-benchmark -s "$sock" -n "$N" -c 1 -r 100000000 "$@" >/dev/null 2>&1
  b=$(cpu_ticks)
  cli INFO commandstats | tr -d '\r' | awk -F'[:,=]' -v a="$a" -v b="$b" -v t="$tck" -v n="$N" -v aof="$aof" -v name="$name" -v per="$per" '
    $1 == "cmdstat_evalsha" || $1 == "cmdstat_ping" { u += $5 }
    END { cpu = (b - a) / t * 1e6 / n
          printf "bench-redis-floor: aof=%-3s %-22s redis_cpu_us_per_call=%6.1f executing_us=%5.1f round_trip_us=%6.1f per_payment_us=%6.1f\n",
            aof, name, cpu, u / n, cpu - u / n, cpu / per }'
}

item='v1|__rand_int__|1990|1764600000000|0|0|0|0'
echo "bench-redis-floor: $N calls per shape, $(nproc) cores, $(redis-server --version | awk '{ print $3 }')"
for aof in yes no; do
  start_redis "$aof"
  sha=$(cli SCRIPT LOAD "$script")
  shape "$aof" ping 1 PING
  # KEYS queue, processing, ids:1, ids:0; per payment: its bucket's index, the one before, id, item, q
  shape "$aof" enqueue 1 EVALSHA "$sha" 4 q p ids:1 ids:0 3 4 __rand_int__ "$item" q
  shape "$aof" enqueue_pipelined_10 1 -P 10 EVALSHA "$sha" 4 q p ids:1 ids:0 3 4 __rand_int__ "$item" q
  ten=(); for _ in $(seq 10); do ten+=(3 4 __rand_int__ "$item" q); done
  shape "$aof" enqueue_batch_10 10 EVALSHA "$sha" 4 q p ids:1 ids:0 "${ten[@]}"
  stop_redis
done
