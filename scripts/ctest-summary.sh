#!/usr/bin/env bash
# Turns ctest's log into the plain closing line 'N passed, M failed' that CI reads.
log=${1:?usage: ctest-summary.sh ctest.log}
line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
if [ -z "$line" ]; then echo "0 passed, 1 failed"; exit 1; fi
failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
echo "$((total - failed)) passed, ${failed} failed"
