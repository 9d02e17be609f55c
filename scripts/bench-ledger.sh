#!/usr/bin/env bash
# `make bench-ledger`: the books at scale (README, "Books: bounded memory and a constant-cost
# summary"). For each size of SIZES (payments in the books) on a fresh local stack
# (scripts/stack.sh: deploy/redis.conf, two APIs with the default horizons, the lb):
#   1. preload that many payments through the record script itself (bench/ledger), their
#      requestedAt RATE per second ending now: what the books hold after that much traffic;
#   2. Redis memory per payment; what the ledger and the id sets still hold;
#   3. SUMMARIES summaries of the whole window and of random 10 s windows (p50/p99), and the
#      Redis CPU per whole-window summary (INFO cpu, less the idle rate);
#   4. POST p99 at POST_RATE for POST_SECONDS, without and then with one whole-window summary
#      per second, PAIRS times alternating (the median of each side), and the Redis CPU per
#      payment of the first (intake + take + record).
# Then TEN_RUNS=1 (default) books 906,000 payments over 12.5 minutes (ten final-2025 runs)
# and reports Redis's memory against deploy/redis.conf's maxmemory and the compose limit.
# Unconstrained (no cgroup quotas): the figures are Redis's work, not a quota's stalls.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$here/build}
SIZES=${SIZES:-"10000 1000000 10000000"}
RATE=${RATE:-1000}
SUMMARIES=${SUMMARIES:-200}
POST_RATE=${POST_RATE:-300}
POST_SECONDS=${POST_SECONDS:-10}
PAIRS=${PAIRS:-3}  # alternating POST phases without / with summaries
TEN_RUNS=${TEN_RUNS:-1}
export IDS_HORIZON=${IDS_HORIZON:-2m} LEDGER_HORIZON=${LEDGER_HORIZON:-3m}
export RUN_DIR=$(realpath -m "${BENCH_LEDGER_RUN_DIR:-$BUILD_DIR/bench-ledger-run}")
export NGINX_PORT=${BENCH_LEDGER_PORT:-19990} SIM_DEFAULT_PORT=${BENCH_LEDGER_SIM_PORT:-19991}
export SIM_FALLBACK_PORT=$((SIM_DEFAULT_PORT + 1)) BUILD_DIR
tool=$BUILD_DIR/bench/ledger/ledger-bench
url=http://127.0.0.1:$NGINX_PORT

log() { echo "bench-ledger: $*"; }
[ -x "$tool" ] || { log "no $tool: build first (make build)"; exit 2; }

duration_ms() {  # 2m, 180s, 500ms, 1000 -> ms
  case $1 in *ms) echo "${1%ms}";; *s) echo $(( ${1%s} * 1000 ));; *m) echo $(( ${1%m} * 60000 ));; *) echo "$1";; esac
}
IDS_MS=$(duration_ms "$IDS_HORIZON"); LEDGER_MS=$(duration_ms "$LEDGER_HORIZON")

stack() { "$here/scripts/stack.sh" "$@"; }
trap 'stack down >/dev/null 2>&1 || true' EXIT
cli() { redis-cli -s "$RUN_DIR/redis.sock" "$@"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cpu_us() { cli INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ {s += $2} END {printf "%.0f", s * 1e6}'; }
info() { cli INFO "$1" | tr -d '\r' | awk -F: -v k="$2" '$1 == k {print $2}'; }
now_ms() { date +%s%3N; }
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
ids_held() { local n=0 k; for k in $(cli --scan --pattern 'payments:ids:*'); do n=$((n + $(cli SCARD "$k"))); done; echo "$n"; }

fresh_stack() {
  stack down >/dev/null 2>&1 || true
  rm -rf "$RUN_DIR"; mkdir -p "$RUN_DIR"
  stack up >"$RUN_DIR/../bench-ledger-stack.log" 2>&1 || { cat "$RUN_DIR/../bench-ledger-stack.log"; log "stack up failed"; exit 1; }
  # The stack's Redis requires its password (generated per `up`): redis-cli and the tool read it.
  REDIS_PASSWORD=$(cat "$RUN_DIR/redis.password"); export REDIS_PASSWORD REDISCLI_AUTH=$REDIS_PASSWORD
}

# preload N RATE: sets FIRST LAST and prints the tool's line; progress on stderr.
preload() {
  local out
  out=$("$tool" preload --redis "$RUN_DIR/redis.sock" --count "$1" --rate "$2" --end-ms $(( $(now_ms) - 1000 )) \
    --ids-horizon "$IDS_MS" --ledger-horizon "$LEDGER_MS" 2> >(sed 's/^/  /' >&2))
  echo "  $out"
  FIRST=$(field first_ms <<<"$out"); LAST=$(field last_ms <<<"$out")
}

declare -a ROWS
log "sizes: $SIZES; preload rate $RATE/s of requestedAt; IDS_HORIZON=$IDS_HORIZON LEDGER_HORIZON=$LEDGER_HORIZON;" \
    "maxmemory $(awk '$1 == "maxmemory" {print $2}' "$here/deploy/redis.conf") (deploy/redis.conf)"
for n in $SIZES; do
  log "=== $n payments in the books ==="
  fresh_stack
  sleep 1
  before=$(info memory used_memory)
  preload "$n" "$RATE"
  sleep 0.5
  after=$(info memory used_memory)
  ledger=$(( $(cli ZCARD payments:ledger:default) + $(cli ZCARD payments:ledger:fallback) ))
  ids=$(ids_held)
  per=$(awk -v a="$after" -v b="$before" -v n="$n" 'BEGIN { printf "%.1f", (a - b) / n }')
  log "memory: used_memory $before -> $after bytes: $per B per payment in the books; held: $ledger ledger members, $ids ids"

  c0=$(cpu_us); sleep 2; idle=$(( $(cpu_us) - c0 ))  # Redis's idle work per 2 s (upkeep, breaker polls)
  c0=$(cpu_us); t0=$(now_ms)
  whole=$("$tool" summaries --url "$url" --count "$SUMMARIES" --from "$FIRST" --to "$LAST")
  c1=$(cpu_us); t1=$(now_ms)
  cpu_sum=$(awk -v c="$((c1 - c0))" -v i="$idle" -v t="$((t1 - t0))" -v k="$SUMMARIES" \
    'BEGIN { v = (c - i * t / 2000) / k; printf "%.0f", v < 0 ? 0 : v }')
  log "whole window: $whole; Redis CPU $cpu_sum us per summary"
  span_from=$(( LAST - LEDGER_MS + 10000 > FIRST ? LAST - LEDGER_MS + 10000 : FIRST ))
  ten=$("$tool" summaries --url "$url" --count "$SUMMARIES" --window-ms 10000 --span-from "$span_from" --span-to "$LAST")
  log "10 s windows: $ten"

  # POST p99 without and with a summary per second, in PAIRS alternating phases (A B A B...),
  # so a slow minute of this shared machine hits both sides alike; each side's median.
  plain_p99=(); with_p99=(); cpu_pay=""
  for pair in $(seq "$PAIRS"); do
    c0=$(cpu_us)
    plain=$("$tool" post --url "$url" --rate "$POST_RATE" --seconds "$POST_SECONDS")
    sleep 2  # the workers settle the last ones
    c1=$(cpu_us)
    posts=$(field posts <<<"$plain")
    pay=$(awk -v c="$((c1 - c0))" -v i="$idle" -v t="$(( POST_SECONDS * 1000 + 2000 ))" -v k="$posts" \
      'BEGIN { printf "%.1f", (c - i * t / 2000) / k }')
    [ -n "$cpu_pay" ] || cpu_pay=$pay
    log "POST alone ($pair/$PAIRS): $plain; Redis CPU $pay us per payment"
    with=$("$tool" post --url "$url" --rate "$POST_RATE" --seconds "$POST_SECONDS" --summary-every-ms 1000 --from "$FIRST" --to "$LAST")
    log "POST + 1 summary/s ($pair/$PAIRS): $with"
    plain_p99+=("$(field p99_ms <<<"$plain")"); with_p99+=("$(field p99_ms <<<"$with")")
  done
  p_plain=$(median "${plain_p99[@]}"); p_with=$(median "${with_p99[@]}")
  log "POST p99 medians of $PAIRS: alone $p_plain ms (${plain_p99[*]}), with summaries $p_with ms (${with_p99[*]}): ratio $(awk -v a="$p_with" -v b="$p_plain" 'BEGIN { printf "%.2f", a / b }')"
  ROWS+=("$(printf '| %s | %s / %s | %s / %s | %s | %s / %s | %s | %s |' "$n" \
    "$(field p50_ms <<<"$whole")" "$(field p99_ms <<<"$whole")" "$(field p50_ms <<<"$ten")" "$(field p99_ms <<<"$ten")" \
    "$cpu_sum" "$p_plain" "$p_with" "$cpu_pay" "$per")")
  stack down >/dev/null 2>&1 || true
done

if [ "$TEN_RUNS" = 1 ]; then
  log "=== ten final-2025 runs: 906,000 payments over 12.5 minutes, no purge ==="
  fresh_stack
  preload 906000 1208
  sleep 0.5
  used=$(info memory used_memory); peak=$(info memory used_memory_peak); max=$(info memory maxmemory)
  rss=$(info memory used_memory_rss)
  ledger=$(( $(cli ZCARD payments:ledger:default) + $(cli ZCARD payments:ledger:fallback) ))
  log "ten runs: used_memory $used (peak $peak, rss $rss) of maxmemory $max; compose limit 220 MB; held $ledger ledger members, $(ids_held) ids"
  TEN="used_memory $((used / 1048576)) MiB (peak $((peak / 1048576)) MiB, rss $((rss / 1048576)) MiB) of maxmemory $((max / 1048576)) MiB"
  stack down >/dev/null 2>&1 || true
fi

echo
echo "| payments in the books | whole window p50 / p99 ms | 10 s window p50 / p99 ms | Redis CPU per whole summary (us) | POST p99 ms alone / + 1 summary/s (medians of PAIRS) | Redis CPU per payment (us) | Redis bytes per payment in the books |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
if [ -n "${TEN:-}" ]; then echo; echo "Ten final-2025 runs (906,000 payments, 12.5 min, no purge): $TEN."; fi
