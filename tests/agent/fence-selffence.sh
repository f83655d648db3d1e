#!/bin/bash
# Self-fencing without a cluster: fence_hubha_selffence's FenceAgentAPI
# surface (metadata against fence-agents' schema, refusals with reasons,
# Pacemaker's own validation), and hubha-selffenced in a network namespace of
# its own, where no corosync answers — a lost corosync is a lost quorum: the
# PostgreSQL it guards is killed with its backends, the shared address
# removed, the hook run, and the watchdog (a FIFO here, never a real one)
# never petted.  The daemon against real quorum is tests/lab/selffence.
set -u
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
AGENT="$top_builddir/fence/fence_hubha_selffence"
DAEMON="$top_builddir/fence/hubha-selffenced"
CHECK="$top_builddir/fence/hubha-qdevice-check"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
RNG=/usr/share/cluster/relaxng/metadata.rng
NS="hubha-sf$$"
passes=0 failures=0 pids=""

[ "$(id -u)" = 0 ] || { echo "SKIP: $0 needs root"; exit 77; }
TMPD=$(mktemp -d /tmp/hubha-selffence.XXXXXX)
ok() { passes=$((passes + 1)); echo "ok - $*"; }
not_ok() { failures=$((failures + 1)); echo "not ok - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
postmaster() { head -n1 "$TMPD/data/postmaster.pid" 2>/dev/null; }
cleanup() {
	local p
	for p in $pids; do kill -KILL "$p" 2>/dev/null; done
	p=$(postmaster) && [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$TMPD/data" ] && kill -KILL "$p" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the agent -----------------------------------------------------------------------------------------
run() { # run RC DESC -- stdin-lines...
	local want=$1 desc=$2 got
	shift 3
	printf '%s\n' "$@" | "$AGENT" >"$TMPD/out" 2>"$TMPD/err"
	got=$?
	[ "$got" = "$want" ] && ok "$desc (rc $got)" || { not_ok "$desc: expected $want, got $got"; sed 's/^/#   /' "$TMPD/err"; }
}
"$AGENT" -o metadata >"$TMPD/meta.xml"
check "metadata is XML" xmllint --noout "$TMPD/meta.xml"
if [ -r "$RNG" ]; then
	check "metadata validates against fence-agents' metadata.rng" xmllint --noout --relaxng "$RNG" "$TMPD/meta.xml"
else
	echo "# $RNG missing (fence-agents): schema check skipped"
fi
check "metadata advertises off, reboot, on, and no status" \
	sh -c "grep -q 'action name=\"off\"' '$TMPD/meta.xml' && grep -q 'action name=\"on\"' '$TMPD/meta.xml' && ! grep -q 'action name=\"status\"' '$TMPD/meta.xml'"
run 0 "validate-all with defaults" -- action=validate-all
run 1 "validate-all rejects bound_ms=100" -- action=validate-all bound_ms=100
run 1 "validate-all rejects a non-number" -- action=validate-all margin_ms=2s
run 0 "on does nothing and succeeds" -- action=on nodename=node2
run 1 "status is not offered" -- action=status nodename=node2
run 1 "off without a target" -- action=off
# Without corosync nothing can be confirmed: a refusal with a reason, at once.
ip netns add "$NS" && ip -n "$NS" link set lo up
t0=$(date +%s%N)
printf 'action=off\nnodename=node2\n' | ip netns exec "$NS" "$AGENT" >"$TMPD/out" 2>"$TMPD/err"
rc=$?
check "off without corosync refuses (rc $rc)" test "$rc" = 1
check "... with a reason: $(cat "$TMPD/err")" grep -q "Cannot connect to corosync" "$TMPD/err"
check "... at once, not after the wait" test $((($(date +%s%N) - t0) / 1000000)) -lt 5000
printf 'action=reboot\nnodename=node2\n' | ip netns exec "$NS" "$AGENT" >/dev/null 2>&1
check "reboot without corosync refuses" test $? = 1
if [ -x /usr/sbin/fence_hubha_selffence ]; then
	stonith_admin --validate --agent fence_hubha_selffence --option bound_ms=3000 >/dev/null 2>&1 &&
		ok "stonith_admin --validate passes" || not_ok "stonith_admin --validate"
	stonith_admin --validate --agent fence_hubha_selffence --option bound_ms=10 >/dev/null 2>&1 &&
		not_ok "stonith_admin --validate accepted bound_ms=10" || ok "stonith_admin --validate rejects bound_ms=10"
else
	echo "# stonith_admin --validate needs the agent installed in /usr/sbin (scripts/test.sh installs it)"
fi

# --- the daemon ----------------------------------------------------------------------------------------
if [ ! -x "$PGBIN/postgres" ] || ! id postgres >/dev/null 2>&1; then
	echo "# no PostgreSQL in $PGBIN: daemon checks skipped"
	echo "$passes passed, $failures failed"
	[ "$failures" = 0 ]
	exit
fi
chown postgres: "$TMPD" && chmod 755 "$TMPD"
runuser -u postgres -- "$PGBIN/initdb" -D "$TMPD/data" -A trust -U postgres >/dev/null 2>&1
pg_start() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$TMPD/data" -w -l "$TMPD/pg.log" \
		-o "-c listen_addresses='' -c unix_socket_directories=$TMPD" start >/dev/null
}
sql() { "$PGBIN/psql" -X -Atq -h "$TMPD" -U postgres -d postgres -c "$1" 2>/dev/null; }
backends() { pgrep -u postgres -P "$1" | wc -l; }
check "PostgreSQL started" pg_start
check "it takes writes" sql "create table t (i int); insert into t values (1)"
"$PGBIN/psql" -X -q -h "$TMPD" -U postgres -d postgres -c "select pg_sleep(60)" >/dev/null 2>&1 &
pids="$pids $!"
pm=$(postmaster)
sleep 0.5
echo "# postmaster $pm with $(backends "$pm") children"
ip -n "$NS" addr add 10.213.99.7/32 dev lo
check "the shared address is up in the daemon's namespace" sh -c "ip -n '$NS' addr show dev lo | grep -q 10.213.99.7"
mkfifo "$TMPD/watchdog"
cat "$TMPD/watchdog" >"$TMPD/petted" &
pids="$pids $!"
t0=$(date +%s%N)
ip netns exec "$NS" "$DAEMON" --bound-ms 3000 --interval-ms 100 --pgdata "$TMPD/data" --vip 10.213.99.7 \
	--hook "touch $TMPD/hook.ran" --watchdog "$TMPD/watchdog" 2>"$TMPD/daemon.log" &
dpid=$!
pids="$pids $dpid"
gone() { ! kill -0 "$pm" 2>/dev/null || [ "$(awk '{ print $3 }' "/proc/$pm/stat" 2>/dev/null)" = Z ]; }
for _ in $(seq 60); do gone && [ -e "$TMPD/hook.ran" ] && break; sleep 0.05; done
ms=$((($(date +%s%N) - t0) / 1000000))
check "without corosync the postmaster is killed (${ms} ms from start, bound 3000)" gone
check "... and none of its children is left" test "$(pgrep -u postgres -f "$TMPD/data|postgres: " | while read -r p; do
	[ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$TMPD/data" ] && echo "$p"; done | wc -l)" = 0
check "... a write to it fails" sh -c "! '$PGBIN/psql' -X -h '$TMPD' -U postgres -d postgres -c 'insert into t values (2)' >/dev/null 2>&1"
check "... the shared address is removed" sh -c "! ip -n '$NS' addr show dev lo | grep -q 10.213.99.7"
check "... the hook ran" test -e "$TMPD/hook.ran"
grep -q "Self-fenced" "$TMPD/daemon.log" && echo "# $(grep -m1 'Self-fenced' "$TMPD/daemon.log" | sed 's/.*: Self/Self/')"
# Started again while the daemon runs: killed again (pg_ctl may or may not see it come up first).
pg_start 2>/dev/null
sleep 1
pm=$(postmaster)
# gone() asks twice (kill -0, then /proc): a postmaster reaped in between passes on the next look.
none_or_gone() { [ -z "$pm" ] || gone; }
for _ in $(seq 40); do none_or_gone && break; sleep 0.05; done
check "PostgreSQL started again is killed again: without quorum nothing writable comes back" none_or_gone
check "... a write fails" sh -c "! '$PGBIN/psql' -X -h '$TMPD' -U postgres -d postgres -c 'insert into t values (3)' >/dev/null 2>&1"
check "the address added again is removed again" sh -c "ip -n '$NS' addr add 10.213.99.7/32 dev lo; sleep 0.5; ! ip -n '$NS' addr show dev lo | grep -q 10.213.99.7"
check "the hook ran once per loss" test "$(grep -c 'The hook ran' "$TMPD/daemon.log")" = 1
kill -TERM "$dpid"
wait "$dpid" 2>/dev/null
check "the watchdog was never petted without quorum; a clean stop disarms it ('V')" test "$(cat "$TMPD/petted")" = V

# A pid file that names another process: it is left alone.
rm -f "$TMPD/data/postmaster.pid"
sleep 300 &
decoy=$!
pids="$pids $decoy"
printf '%s\n%s\n' "$decoy" "$TMPD/data" >"$TMPD/data/postmaster.pid"
ip netns exec "$NS" "$DAEMON" --bound-ms 1000 --interval-ms 100 --pgdata "$TMPD/data" 2>"$TMPD/daemon2.log" &
dpid=$!
pids="$pids $dpid"
sleep 0.5
check "a postmaster.pid naming a process that is not this data directory's postmaster: not killed" kill -0 "$decoy"
kill -TERM "$dpid"
wait "$dpid" 2>/dev/null
rm -f "$TMPD/data/postmaster.pid"

check "usage errors exit 2" sh -c "'$DAEMON' --bound-ms 10 2>/dev/null; [ \$? = 2 ] && '$DAEMON' --interval-ms 900 --bound-ms 1000 2>/dev/null; [ \$? = 2 ]"
check "a watchdog FIFO without a reader fails the start at once" sh -c "mkfifo '$TMPD/wd2'; ! timeout 5 '$DAEMON' --watchdog '$TMPD/wd2' 2>/dev/null"

# --- the qdevice heuristic -------------------------------------------------------------------------------
"$CHECK" --host "$TMPD" --timeout-ms 1000 >"$TMPD/out" 2>&1
rc=$?
check "heuristic fails with no PostgreSQL: $(head -c 60 "$TMPD/out")" test $rc = 1
pg_start >/dev/null
"$CHECK" --host "$TMPD" --timeout-ms 1000 >"$TMPD/out" 2>&1
rc=$?
check "heuristic passes on a primary: $(cat "$TMPD/out")" test $rc = 0
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$TMPD/data" -m immediate -w stop >/dev/null
touch "$TMPD/data/standby.signal" && chown postgres: "$TMPD/data/standby.signal"
pg_start >/dev/null
"$CHECK" --host "$TMPD" --timeout-ms 1000 >"$TMPD/out" 2>&1
rc=$?
check "heuristic passes on a standby that does not stream: $(cat "$TMPD/out")" test $rc = 0
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$TMPD/data" -m immediate -w stop >/dev/null

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
