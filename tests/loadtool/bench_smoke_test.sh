#!/usr/bin/env bash
# The benchmark end to end, briefly: `scripts/bench.sh smoke` (15 s) with the system pass
# only, on free ports, with a run dir of its own. Checks the score line that the README's
# tables are built from: every POST answered, no inconsistency, lag 0, and after the drain
# every accepted payment stored once (lost=0), with the fees of an all-default run, and the
# backlog read from api1's admin socket.
# usage: bench_smoke_test.sh <build dir> <project source dir>
set -euo pipefail
build=$1; src=$2
tmp=$(mktemp -d /tmp/rinha-bench-smoke.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

out=$(SKIP_BUILD=1 SKIP_FLOOR=1 BUILD_DIR=$build BENCH_RUN_DIR=$tmp/run DRAIN_S=30 \
      NGINX_PORT=$(free_port) SIM_DEFAULT_PORT=$(free_port) SIM_FALLBACK_PORT=$(free_port) FLOOR_PORT=$(free_port) \
      "$src/scripts/bench.sh" smoke 2>&1) || { echo "$out"; exit 1; }
line=$(echo "$out" | grep '^bench: system: smoke:') || { echo "$out"; echo "no score line"; exit 1; }
echo "$line"
for want in ' failed=0 ' ' inconsistencies=0 ' ' lag=0 ' ' lost=0 ' ' net_vs_default=100.00%'; do
  [[ "$line" == *"$want"* ]] || { echo "missing '$want'"; exit 1; }
done
results=$(echo "$line" | sed -n 's|.* report=\(.*\)/report.html$|\1|p')
grep -q '"lost": 0' "$results/results.json"
# The backlog was read from api1's admin socket (--metrics), the lb forwarding no /metrics.
grep -q '"backlog_seen": true' "$results/results.json" || { echo "backlog never read (--metrics)"; exit 1; }
rm -rf "$(dirname "$results")"  # this run's results/ folder: a test leaves no trace
