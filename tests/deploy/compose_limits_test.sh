#!/usr/bin/env bash
# scripts/compose-limits.py, the one reader of the split for the local tools: on the real
# compose it prints one "name cpus mem_mb" line per service and the lb's program; on copies
# over the CPU or memory budget, or without an `lb` service, it fails and says why.
# usage: compose_limits_test.sh <project source dir>
set -euo pipefail
src=$1
tool=$src/scripts/compose-limits.py
tmp=$(mktemp -d /tmp/rinha-compose-limits.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$(python3 "$tool") || fail "the real compose was refused: $out"
echo "$out"
echo "$out" | awk 'NF != 3 || $2 !~ /^[0-9.]+$/ || $3 !~ /^[0-9]+$/ { bad = 1 } END { exit bad || NR < 4 }' \
  || fail "expected >= 4 lines 'name cpus mem_mb'"
echo "$out" | grep -q '^lb ' || fail "no lb line"
awk '{ c += $2; m += $3 } END { exit !(c <= 1.5 && m <= 350) }' <<<"$out" || fail "sums over budget yet exit 0"
lb=$(python3 "$tool" --lb) || fail "--lb failed"
[[ $lb == haproxy || $lb == nginx ]] || fail "--lb printed '$lb'"
echo "lb runs $lb"

# Broken copies: each must exit non-zero with a message naming the problem.
python3 - "$src/deploy/docker-compose.yml" "$tmp" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
def limits(d, name): return d["services"][name]["deploy"]["resources"]["limits"]
import copy
cases = {}
d = copy.deepcopy(doc); limits(d, "lb").update(cpus="0.90"); cases["cpu"] = d
d = copy.deepcopy(doc); limits(d, "redis").update(memory="400MB"); cases["memory"] = d
d = copy.deepcopy(doc); d["services"]["balancer"] = d["services"].pop("lb"); cases["no-lb"] = d
d = copy.deepcopy(doc); limits(d, "api1").pop("cpus"); cases["no-cpus"] = d
for name, d in cases.items():
    yaml.safe_dump(d, open(f"{sys.argv[2]}/{name}.yml", "w"))
PY
for c in cpu:over memory:over no-lb:"no service named 'lb'" no-cpus:"no valid"; do
  f=$tmp/${c%%:*}.yml want=${c#*:}
  if err=$(python3 "$tool" "$f" 2>&1 >/dev/null); then fail "${c%%:*}: accepted"; fi
  [[ $err == *"$want"* ]] || fail "${c%%:*}: message '$err' lacks '$want'"
  echo "rejected ${c%%:*}: $err"
done
echo "compose-limits OK"
