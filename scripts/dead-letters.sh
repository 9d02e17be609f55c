#!/usr/bin/env bash
# Dead letters: the queue items the router could never process, kept in the Redis list
# payments:dead (newest at the left). Today only an item that cannot be decoded goes there
# (src/worker_pool.cpp: a processor's 4XX holds a payment instead); older versions also
# dead-lettered payments a processor refused. This lists them and puts them back.
#
#   scripts/dead-letters.sh count
#   scripts/dead-letters.sh list [N]               the N oldest (default: all), oldest first
#   scripts/dead-letters.sh replay [N|all] [INST]  moves the N oldest (default: all) to the
#                                                  tail of payments:queue:<INST> (default 1)
#
# Replay is atomic per item and changes nothing in it: a payment pinned to a processor in
# doubt stays pinned there with the same requestedAt (it may already be stored there); an
# unpinned one goes where the breaker says. An undecodable item comes back here when a
# worker takes it. The instance that owns the queue picks the items up within 0.5 s.
#
# Redis: REDIS_SOCKET, else REDIS_HOST/REDIS_PORT, else the local stack's
# $RUN_DIR/redis.sock (scripts/stack.sh; RUN_DIR defaults to ./run). The password:
# REDIS_PASSWORD, else the local stack's $RUN_DIR/redis.password (passed through
# REDISCLI_AUTH, never on the command line).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
RUN_DIR=${RUN_DIR:-$here/run}
dead_key=payments:dead
batch=1000  # items per script call: a big replay never holds Redis for long

cli=(redis-cli)
if [ -n "${REDIS_SOCKET:-}" ]; then cli+=(-s "$REDIS_SOCKET")
elif [ -n "${REDIS_HOST:-}" ] || [ -n "${REDIS_PORT:-}" ]; then cli+=(-h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}")
else cli+=(-s "$RUN_DIR/redis.sock")
fi
if [ -z "${REDIS_PASSWORD:-}" ] && [ -r "$RUN_DIR/redis.password" ]; then REDIS_PASSWORD=$(cat "$RUN_DIR/redis.password"); fi
if [ -n "${REDIS_PASSWORD:-}" ]; then export REDISCLI_AUTH=$REDIS_PASSWORD; fi

# KEYS: dead, queue. ARGV: max. The oldest (right end) first, to the queue's tail (left end,
# where new payments arrive), so replayed items keep their order.
replay_lua="local n = 0
while n < tonumber(ARGV[1]) do
  if not redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT') then break end
  n = n + 1
end
return n"

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
number() { [[ "$1" =~ ^[0-9]+$ ]] || { echo "dead-letters: '$1' is not a number" >&2; exit 2; }; }
redis() {
  local out
  out=$("${cli[@]}" "$@") || { echo "dead-letters: redis-cli failed: $out" >&2; exit 1; }
  case "$out" in ERR*|NOAUTH*|WRONGPASS*|WRONGTYPE*|NOPERM*) echo "dead-letters: $out" >&2; exit 1;; esac
  printf '%s' "$out"
}

cmd=${1:-}
case "$cmd" in
  count)
    redis LLEN "$dead_key"; echo ;;
  list)
    n=${2:-all}
    if [ "$n" = all ]; then start=0; else number "$n"; [ "$n" -gt 0 ] || exit 0; start=-$n; fi
    out=$(redis LRANGE "$dead_key" "$start" -1)
    [ -z "$out" ] || printf '%s\n' "$out" | tac ;;
  replay)
    n=${2:-all}
    inst=${3:-1}
    number "$inst"
    queue=payments:queue:$inst
    if [ "$n" = all ]; then n=$(redis LLEN "$dead_key"); else number "$n"; fi
    moved=0
    while [ "$moved" -lt "$n" ]; do
      want=$(( n - moved < batch ? n - moved : batch ))
      got=$(redis EVAL "$replay_lua" 2 "$dead_key" "$queue" "$want")
      number "$got"
      moved=$(( moved + got ))
      [ "$got" -eq "$want" ] || break
    done
    echo "replayed $moved to $queue, $(redis LLEN "$dead_key") left in $dead_key" ;;
  *) usage ;;
esac
