#!/bin/bash
# Benchmark (not a test): what deciding a two-node fence race costs when the
# primary's node really crashed.  On one lab cluster (two hubs, two_node: 1,
# the lab's power switch), in one run, BENCH_ROUNDS times each, alternating:
#   gate      fence_hubha_gate first in every level (standby_wait=WAIT)
#   none      the power switch alone (no tie-breaker: the race is a coin toss)
#   pfd       priority-fencing-delay=WAIT, no gate
# and prints crash -> new primary writable (over its own socket) for each,
# medians last.  The cases are tests/lab/fence-race's; it needs the lab session.
#
# usage: bench/fence-gate.sh     env: BENCH_ROUNDS (3), FENCE_RACE_GATE_WAIT (15)
set -uo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
ROUNDS=${BENCH_ROUNDS:-3}
OUT=$(mktemp /tmp/hubha-bench-fence-gate.XXXXXX)
trap 'rm -f "$OUT"' EXIT
cases=()
# pfd last in each round is not possible on one cluster (the gate's levels go for good): gate rounds
# first, then the power switch alone, then priority-fencing-delay.
for _ in $(seq "$ROUNDS"); do cases+=(crash); done
for _ in $(seq "$ROUNDS"); do cases+=(baseline); done
for _ in $(seq "$ROUNDS"); do cases+=(pfd); done
"$HERE/../tests/lab/fence-race" "${cases[@]}" | tee "$OUT" | grep -E '^(# (crash|baseline|pfd):|not ok)'
for k in crash:gate baseline:none pfd:pfd; do
	v=$(grep -E "^# ${k%%:*}: crash of" "$OUT" | awk '{ print $(NF - 1) }')
	[ -n "$v" ] || continue
	med=$(echo "$v" | sort -n | awk '{ x[NR] = $1 } END { print x[int((NR + 1) / 2)] }')
	printf '%-5s crash -> new primary writable: %s s (median %s s)\n' "${k#*:}" "$(echo $v)" "$med"
done
