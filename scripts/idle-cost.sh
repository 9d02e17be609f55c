#!/usr/bin/env bash
# What the system costs doing nothing: brings the local stack up (scripts/stack.sh, on a
# private RUN_DIR), lets it settle, then for IDLE_SECONDS (30) with no load reads each
# service's CPU (the pid and its children, /proc/<pid>/stat utime+stime) and Redis's
# commands (INFO commandstats). Prints, per service, CPU seconds and share of a core; for
# Redis, calls per second by command. ROUNDS (1) repeats it on fresh stacks. The fixed cost
# is paid for the whole of a run, so it weighs on "CPU-s per 1,000 payments" at any load.
# Usage: scripts/idle-cost.sh (env: IDLE_SECONDS, SETTLE_SECONDS (5), ROUNDS, and the
# stack's own: LB, API_INSTANCES, and the APIs' env such as BREAKER_POLL).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/bench-common.sh
source "$here/scripts/bench-common.sh"
# shellcheck source=scripts/cgroup.sh
source "$here/scripts/cgroup.sh"
IDLE_SECONDS=${IDLE_SECONDS:-30}
SETTLE_SECONDS=${SETTLE_SECONDS:-5}
ROUNDS=${ROUNDS:-1}
export RUN_DIR
RUN_DIR=$(mktemp -d /tmp/idle-cost.XXXXXX)
trap '"$here/scripts/stack.sh" down >/dev/null 2>&1 || true; rm -rf "$RUN_DIR"' EXIT

cpu_s() {  # cpu_s SERVICE: CPU seconds of its pid and children so far (cgroup.sh's proc_stats)
  local stats
  # shellcheck disable=SC2046
  stats=$(proc_stats $(with_children "$(cat "$RUN_DIR/$1.pid")"))
  echo "${stats%% *}"
}
commandstats() {  # "cmd calls" lines
  REDISCLI_AUTH=$(cat "$RUN_DIR/redis.password") redis-cli -s "$RUN_DIR/redis.sock" INFO commandstats \
    | tr -d '\r' | sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\),.*/\1 \2/p'
}

services=(lb api1 api2 redis)
for round in $(seq "$ROUNDS"); do
  "$here/scripts/stack.sh" up >"$RUN_DIR/up.log" 2>&1 || { cat "$RUN_DIR/up.log"; exit 1; }
  sleep "$SETTLE_SECONDS"
  declare -A t0=()
  for s in "${services[@]}"; do t0[$s]=$(cpu_s "$s"); done
  commandstats >"$RUN_DIR/cmd0"
  for ((e = 10; e <= IDLE_SECONDS; e += 10)); do
    sleep 10; echo "idle-cost: round $round, $e/$IDLE_SECONDS s, no load"
  done
  sleep $((IDLE_SECONDS % 10))
  commandstats >"$RUN_DIR/cmd1"
  line="round $round:"
  for s in "${services[@]}"; do
    line+=$(awk -v a="${t0[$s]}" -v b="$(cpu_s "$s")" -v w="$IDLE_SECONDS" -v s="$s" \
      'BEGIN { printf "  %s %.2f CPU-s (%.4f of a core)", s, b - a, (b - a) / w }')
  done
  echo "$line"
  echo "  redis calls per second:" \
    "$(join -a 2 -e 0 -o 0,1.2,2.2 <(sort "$RUN_DIR/cmd0") <(sort "$RUN_DIR/cmd1") \
      | awk -v w="$IDLE_SECONDS" '{ r = ($3 - $2) / w; t += r; if (r > 0) printf "%s %.1f, ", $1, r } END { printf "all %.1f", t }')"
  "$here/scripts/stack.sh" down >/dev/null 2>&1
done
