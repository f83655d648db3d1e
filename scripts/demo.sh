#!/bin/bash
# The demo: install, build, then two hubs fail over while you watch.
#
# Brings up a real two-node corosync + Pacemaker cluster on this machine (each
# node in its own namespaces, plus a client), puts the hub stack on it
# (promotable PostgreSQL with ocf:hubha:pgsql, the shared address with
# ocf:hubha:vip, fencing through the lab's power switch), writes through the
# shared address, crashes the active hub, and shows the standby taking over and
# the writes going on.  The cluster is left running.  Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
LAB="$src/tests/lab/lab"
STACK="$src/tests/lab/hub-stack"
PSQL=/usr/lib/postgresql/15/bin/psql
OUT=/run/hubha-demo
VIP=10.213.0.200

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
now() { date +%s.%N; }
acked() { wc -l <"$OUT/acked" 2>/dev/null || echo 0; }
cluster() { "$LAB" run "$1" crm_mon -1 | sed -n '/Node List/,/^$/p;/Active Resources/,/^$/p'; }
# What hubhad publishes, as `hubha status` on NODE shows it (its exit code is the verdict).
hubha_status() { "$LAB" run "$1" hubha status | sed 's/^/  /' || true; }

[ "$(id -u)" = 0 ] || { echo "demo: run as root (sudo $0)" >&2; exit 1; }

say "Installing packages, building and installing hubha"
scripts/build.sh

say "Starting two hubs (node1, node2) and a client, each in its own namespaces"
"$LAB" down >/dev/null 2>&1 || true
"$LAB" up
"$LAB" wait-online 120

say "Configuring the hub stack (crm-templates/hubha-pcs): PostgreSQL, shared address $VIP, fencing"
primary=$("$STACK")
cluster "$primary"
standby=$([ "$primary" = node1 ] && echo node2 || echo node1)

say "The client writes through $VIP"
mkdir -p "$OUT"
rm -f "$OUT/acked" "$OUT/acked.stop"
"$LAB" client "$src/tests/lab/writer" "$OUT/acked" 1 &
writer=$!
sleep 3
echo "$(acked) rows written so far; the primary is on $primary"
echo "pgsql attributes, as CFEngine's ha.cfg reads them:"
for n in node1 node2; do
	printf '  %s: %s\n' "$n" "$("$LAB" run "$n" crm_attribute -l reboot -n cfpgsql-status -G -q 2>/dev/null || echo -)"
done
"$LAB" run "$primary" hubha wait --until ok --timeout 30 >/dev/null 2>&1 || true
echo "hubha status on $primary:"
hubha_status "$primary"

say "Crashing the active hub, $primary"
before=$(acked)
t0=$(now)
"$LAB" crash "$primary"
for _ in $(seq 120); do
	last=$(tail -1 "$OUT/acked" | cut -d' ' -f2)
	awk -v a="$last" -v b="$t0" 'BEGIN { exit !(a > b) }' && [ "$("$STACK" primary)" = "$standby" ] && break
	sleep 0.25
done
sleep 2
# The writes' longest pause around the crash, and when they resumed.
resumed=$(awk -v t0="$t0" 'NR > 1 && $2 > t0 - 1 { g = $2 - p; if (g > gap) { gap = g; at = $2 } } { p = $2 }
	END { printf "%.1f", at - t0 }' "$OUT/acked")
echo "writes resumed ${resumed} s after the crash; $(($(acked) - before)) rows written since"
cluster "$standby"
echo "hubha status on $standby:"
hubha_status "$standby"

say "Powering $primary on again: it rejoins as a standby (pg_rewind when needed)"
"$LAB" poweron "$primary"
for _ in $(seq 120); do
	state=$("$LAB" run "$standby" "$PSQL" -X -Atq -h /var/lib/hubha-lab/pg/run -U postgres -d postgres \
		-c "select state from pg_stat_replication where application_name = '$primary'" 2>/dev/null || true)
	[ "$state" = streaming ] && break
	sleep 0.5
done
echo "$primary replication state: ${state:-not connected}"
cluster "$standby"
"$LAB" run "$standby" hubha wait --until ok --timeout 30 >/dev/null 2>&1 || true
echo "hubha status on $standby:"
hubha_status "$standby"

touch "$OUT/acked.stop"
wait "$writer" 2>/dev/null || true
say "The cluster is still running"
cat <<EOF
  Look at it:      tests/lab/lab run node1 crm_mon -1 -A
                   tests/lab/lab run node1 hubha status      (--json, --watch)
                   tests/lab/lab client $PSQL -h $VIP -U postgres -c 'select count(*) from writes'
  Crash a node:    tests/lab/lab crash NODE        (power it on: tests/lab/lab poweron NODE)
  Switch over:     tests/lab/lab run node1 crm_resource --ban --promoted -r cfpgsql-clone -N NODE
  Tear it down:    tests/lab/lab down
EOF
