#!/bin/bash
# pgsql against real PostgreSQL instances on loopback ports: bad input,
# probes, a plain instance, async replication with promote, switchover,
# crash and rewind, sync replication losing no acknowledged commit, a monitor
# that forks nothing in the steady state, the election's refusals, a primary's
# monitor unmoved by replication clients that are not nodes, and ocf-tester.
# Each instance has its own port; master_ip=127.0.0.1 with
# master_port=<the primary's port> stands for the address that follows the
# primary.
. "$(dirname "$0")/pgsql-env.sh"

setup_failed() { echo "setup failed: $*"; failures=$((failures + 1)); finish; exit 99; }

echo "# setup"
pg_node n0 "$(free_port)" || setup_failed "n0"
pg_node n1 "$(free_port)" || setup_failed "n1"
pg_plain_start n1 || setup_failed "start n1"
sql n1 "create table t (id int primary key)" || setup_failed "table on n1"
pg_standby n2 "$(free_port)" n1 || setup_failed "n2"
pg_plain_stop n1 || setup_failed "stop n1"
echo "# ports: n0 ${PORT[n0]}, n1 ${PORT[n1]}, n2 ${PORT[n2]}"

# ---------------------------------------------------------------------------
echo "# 1. validate-all and bad parameters: right code, one reason line, nothing changed"
before=$(snap "$TMPD/n0")
expect 0 "validate-all with a good configuration" -- agent n0 validate-all
expect 5 "validate-all, pgctl does not exist" -- agent n0 validate-all OCF_RESKEY_pgctl=/nonexistent/pg_ctl
one_reason
expect 5 "start, pgctl does not exist" -- agent n0 start OCF_RESKEY_pgctl=/nonexistent/pg_ctl
one_reason
expect 6 "validate-all, rep_mode=bogus" -- agent n0 validate-all OCF_RESKEY_rep_mode=bogus
one_reason
expect 6 "start, rep_mode=bogus" -- agent n0 start OCF_RESKEY_rep_mode=bogus
one_reason
expect 6 "validate-all, pgport=notanumber" -- agent n0 validate-all OCF_RESKEY_pgport=notanumber
one_reason
expect 6 "start, pgport=notanumber" -- agent n0 start OCF_RESKEY_pgport=notanumber
one_reason
expect "5|6" "start, pgdata does not exist" -- agent n0 start OCF_RESKEY_pgdata="$TMPD/n0/nonexistent"
one_reason
after=$(snap "$TMPD/n0")
if [ "$before" = "$after" ]; then ok "bad input changed nothing on disk"; else
	not_ok "bad input changed files:"; diff <(echo "$before") <(echo "$after") | sed 's/^/#   /'; fi
postmaster_pid n0 >/dev/null && not_ok "bad input started a postmaster" || ok "no postmaster started"

# ---------------------------------------------------------------------------
echo "# 2. probes and meta-data"
expect 7 "probe, nothing running" -- agent n0 monitor
expect 7 "probe, pgctl missing and nothing running" -- agent n0 monitor OCF_RESKEY_pgctl=/nonexistent/pg_ctl
expect 7 "recurring monitor, nothing running" -- mon n0
expect 0 "stop, pgdba=nosuchuser: no postmaster of ours can run" -- agent n0 stop OCF_RESKEY_pgdba=nosuchuser
expect 7 "probe, pgdba=nosuchuser and nothing running" -- agent n0 monitor OCF_RESKEY_pgdba=nosuchuser
expect 5 "start, pgdba=nosuchuser" -- agent n0 start OCF_RESKEY_pgdba=nosuchuser
expect 0 "stop, pgport=notanumber and nothing running" -- agent n0 stop OCF_RESKEY_pgport=notanumber
expect 0 "meta-data" -- agent n0 meta-data
cp "$TMPD/out" "$TMPD/meta-data.xml"
xmllint --noout "$TMPD/meta-data.xml" 2>/dev/null && ok "meta-data is well-formed XML" || not_ok "meta-data is not XML"
missing=""
for p in pgctl pgdata pgdba pgport socketdir pghost pgdb config logfile start_opt ctl_opt stop_escalate \
	monitor_user rep_mode node_list master_ip repuser primary_conninfo_opt restore_command \
	replication_slot_name tmpdir check_wal_receiver restart_on_promote master_port auto_rewind; do
	grep -q "<parameter name=\"$p\"" "$TMPD/meta-data.xml" || missing="$missing $p"
done
[ -z "$missing" ] && ok "meta-data has every expected parameter (master_port, auto_rewind too)" ||
	not_ok "meta-data lacks parameters:$missing"
missing=""
for a in start stop monitor promote demote notify validate-all meta-data; do
	grep -q "<action name=\"$a\"" "$TMPD/meta-data.xml" || missing="$missing $a"
done
[ -z "$missing" ] && ok "meta-data lists start stop monitor promote demote notify" || not_ok "meta-data lacks:$missing"

# ---------------------------------------------------------------------------
echo "# 3. rep_mode=none: a plain instance"
expect 0 "start" -- agent n0 start
expect 0 "monitor" -- mon n0
[ "$(sql n0 "select pg_is_in_recovery()")" = f ] && ok "it is a primary taking connections" ||
	{ not_ok "not a writable primary"; show_log n0; }
[ -e "$TMPD/n0/data/standby.signal" ] && not_ok "standby.signal with rep_mode=none" || ok "no standby.signal"
expect 0 "second start is a no-op" -- agent n0 start
expect 5 "stop with pgdba=nosuchuser while the postmaster runs is refused" -- agent n0 stop OCF_RESKEY_pgdba=nosuchuser
expect 6 "probe with pgport=notanumber while the postmaster runs does not say not running" -- \
	agent n0 monitor OCF_RESKEY_pgport=notanumber
postmaster_pid n0 >/dev/null && ok "postmaster still running" || not_ok "postmaster gone after a refused stop"
expect 0 "stop" -- agent n0 stop
postmaster_pid n0 >/dev/null && not_ok "postmaster still running after stop" || ok "postmaster gone"
expect 0 "second stop is a no-op" -- agent n0 stop
expect 7 "monitor after stop" -- mon n0
expect 7 "probe after stop" -- agent n0 monitor

# ---------------------------------------------------------------------------
echo "# 3b. a stale postmaster.pid: nothing but this instance's postmaster is reported or signalled"
pg_plain_start n1 || setup_failed "start n1"
n1pid=$(postmaster_pid n1)
n1kid=$(pgrep -P "$n1pid" | head -n1)
mkdir -p "$TMPD/bin"
cp /bin/sleep "$TMPD/bin/postgres"
"$TMPD/bin/postgres" 300 &
fake=$!
track_pid "$fake"
(cd "$TMPD/n0/data" && exec -a postgres sleep 300) &
fake_in_pgdata=$!
track_pid "$fake_in_pgdata"
for victim in "$n1pid:another instance's postmaster" "$n1kid:a backend of another instance" \
	"$fake:a process named postgres" "$fake_in_pgdata:a process in pgdata with argv[0] postgres"; do
	pid=${victim%%:*} what=${victim#*:}
	stale_pidfile n0 "$pid"
	expect 7 "probe, postmaster.pid names $what" -- agent n0 monitor
	expect 7 "monitor, postmaster.pid names $what" -- mon n0
	expect 0 "stop, postmaster.pid names $what" -- agent n0 stop
	kill -0 "$pid" 2>/dev/null && ok "  $what was not signalled" || not_ok "  $what is gone"
done
sql n1 "select 1" >/dev/null && ok "n1 still serves" || not_ok "n1 no longer serves: $(sql_err)"
# A process of pgdba's named postgres that works in pgdata but is not pgctl's postgres:
# it may be a server of this directory from another installation; the agent cannot decide.
cp /bin/sleep "$TMPD/n0/postgres"
(cd "$TMPD/n0/data" && exec setpriv --reuid=postgres --regid=postgres --init-groups "$TMPD/n0/postgres" 300) &
twin=$!
track_pid "$twin"
stale_pidfile n0 "$twin"
expect 1 "monitor, postmaster.pid names a foreign postgres in pgdata" -- mon n0
one_reason
expect 1 "stop refuses to signal a foreign postgres in pgdata" -- agent n0 stop
one_reason
kill -0 "$twin" 2>/dev/null && ok "  it was not signalled" || not_ok "  it is gone"
kill "$twin" "$fake" "$fake_in_pgdata" 2>/dev/null
wait "$twin" "$fake" "$fake_in_pgdata" 2>/dev/null
untrack_pid "$twin"; untrack_pid "$fake"; untrack_pid "$fake_in_pgdata"
if postmaster_pid n1 >/dev/null; then pg_plain_stop n1 || setup_failed "stop n1"; fi

echo "# 3c. pg_ctl's failure in the reason; the postmaster inherits no fd and no secret"
rm -f "$TMPD/n0/data/postmaster.pid"
expect 1 "start, start_opt sets an unknown parameter" -- agent n0 start OCF_RESKEY_start_opt="-c hubha_no_such=1"
last_reason | grep -qF 'unrecognized configuration parameter "hubha_no_such"' && ok "  the reason has postgres's message" ||
	not_ok "  the reason lacks postgres's message: $(last_reason)"
expect 1 "start, the same with logfile=/dev/null" -- agent n0 start OCF_RESKEY_start_opt="-c hubha_no_such=1" \
	OCF_RESKEY_logfile=/dev/null
last_reason | grep -q 'pg_ctl: could not start server' && ok "  the reason has pg_ctl's message" ||
	not_ok "  the reason lacks pg_ctl's message: $(last_reason)"
last_reason | grep -q 'logfile=/dev/null' && not_ok "  the reason points to logfile=/dev/null" ||
	ok "  the reason does not point to /dev/null"
# A stale pid file makes the agent log before pg_ctl runs, so HA_LOGFILE is open by then.
"$TMPD/bin/postgres" 300 &
fake=$!
track_pid "$fake"
stale_pidfile n0 "$fake"
: >"$TMPD/ha.log"
expect 0 "start with HA_LOGFILE and monitor_password set" -- agent n0 start HA_LOGFILE="$TMPD/ha.log" \
	OCF_RESKEY_monitor_password=hubha-secret-pw
[ -s "$TMPD/ha.log" ] && ok "  the agent logged to HA_LOGFILE before starting" || not_ok "  nothing in HA_LOGFILE"
child_hygiene n0 "$TMPD/ha.log" hubha-secret-pw
kill "$fake" 2>/dev/null
wait "$fake" 2>/dev/null
untrack_pid "$fake"
# A postmaster deaf to pg_ctl: the stop ends with SIGKILL, and only that postmaster gets it.
pid=$(postmaster_pid n0)
kill -STOP "$pid"
expect 0 "stop, the postmaster is stopped (SIGSTOP)" -- agent n0 stop OCF_RESKEY_stop_escalate=1 \
	OCF_RESKEY_CRM_meta_timeout=10000
grep -q "killing postmaster $pid" "$TMPD/err" && ok "  after fast and immediate shutdown, SIGKILL" ||
	not_ok "  no SIGKILL logged"
if alive "$pid"; then not_ok "  postmaster $pid still there"; kill -CONT "$pid"; else ok "  it is gone"; fi
expect 0 "stop again" -- agent n0 stop
# The killed postmaster's parent is whichever process adopts orphans here, which
# may reap it late: while its zombie keeps the pid named in the socket's lock
# file, a new postmaster refuses to start.  That file is stale (the process is dead).
reaped() { [ ! -e "/proc/$pid" ]; }
retry 10 reaped || rm -f "$TMPD"/n0/.s.PGSQL.*.lock
# A package upgrade replaces postgres under a running server: it is still this instance's.
up="$TMPD/upgrade/usr/lib/postgresql/15"
mkdir -p "$up" "$TMPD/upgrade/usr/share"
cp -a "$PGBIN" "$up/bin"
ln -s "$(dirname "$PGBIN")/lib" "$up/lib"
ln -s /usr/share/postgresql "$TMPD/upgrade/usr/share/postgresql"
rm -f "$TMPD/n0/data/postmaster.pid"
UP=(OCF_RESKEY_pgctl="$up/bin/pg_ctl")
expect 0 "start from a copy of the binaries" -- agent n0 start "${UP[@]}"
cp "$up/bin/postgres" "$up/bin/postgres.new" && mv "$up/bin/postgres.new" "$up/bin/postgres"
pid=$(sed -n 1p "$TMPD/n0/data/postmaster.pid")
readlink "/proc/$pid/exe" | grep -q ' (deleted)$' && ok "  postgres was replaced under the postmaster" ||
	not_ok "  postgres was not replaced: $(readlink "/proc/$pid/exe")"
expect 0 "monitor after the upgrade" -- mon n0 "${UP[@]}"
expect 0 "stop after the upgrade" -- agent n0 stop "${UP[@]}"
alive "$pid" && not_ok "  postmaster $pid still runs" || ok "  the postmaster stopped"

# ---------------------------------------------------------------------------
echo "# 4. async replication: n1, n2 start as standbys, n1 is promoted"
REP_MODE=async NODES="n1 n2" MASTER_PORT=${PORT[n1]}
attrd_start
expect 0 "start n1" -- agent n1 start
expect 0 "start n2" -- agent n2 start
expect 0 "post-start notify n1" -- notify n1 post start start="n1 n2" active="n1 n2" slave="n1 n2"
expect 0 "post-start notify n2" -- notify n2 post start start="n1 n2" active="n1 n2" slave="n1 n2"
expect 0 "monitor n1: a running standby" -- mon n1
expect 0 "monitor n2: a running standby" -- mon n2
[ -e "$TMPD/n2/data/standby.signal" ] && ok "n2 has standby.signal" || not_ok "n2 has no standby.signal"
grep -q "primary_conninfo.*application_name *= *'\{0,2\}n2" "$TMPD/n2/data/postgresql.auto.conf" 2>/dev/null &&
	ok "n2's primary_conninfo names application_name n2" ||
	not_ok "n2's postgresql.auto.conf: $(grep primary_conninfo "$TMPD/n2/data/postgresql.auto.conf" 2>/dev/null)"
[ "$(sql n2 "select pg_is_in_recovery()")" = t ] && ok "n2 is in recovery" || not_ok "n2 is not in recovery"
expect 0 "pre-promote notify n1" -- notify n1 pre promote promote=n1 active="n1 n2" slave="n1 n2"
expect 0 "pre-promote notify n2" -- notify n2 pre promote promote=n1 active="n1 n2" slave="n1 n2"
calls=$(wc -l <"$HUBHA_TEST_ATTRS/calls.log")
expect 0 "promote n1" -- agent n1 promote
# A change of a CIB attribute aborts the transition: what is ordered after the promotion would wait.
cib_writes=$(tail -n +$((calls + 1)) "$HUBHA_TEST_ATTRS/calls.log" | grep '^crm_attribute' | grep -E -- '--(update|delete)')
[ -z "$cib_writes" ] && ok "  promote changed no attribute the scheduler reads" ||
	not_ok "  promote wrote to the CIB: $(echo "$cib_writes" | tr '\n' ';')"
expect 0 "post-promote notify n1" -- notify n1 post promote promote=n1 active="n1 n2" master=n1 slave=n2
expect 0 "post-promote notify n2" -- notify n2 post promote promote=n1 active="n1 n2" master=n1 slave=n2
expect 8 "monitor n1: primary" -- mon n1
check_attr() {
	local got
	got=$(attr "$1" "$2")
	[ "$got" = "$3" ] && ok "$1 $2=$3" || not_ok "$1 $2: expected '$3', got '$got'"
}
# The first monitor as primary publishes what promote leaves out.
check_attr n1 pgsql-status PRI
check_attr n1 pgsql-data-status LATEST
check_attr n1 master-pgsql 1001
[ -z "$(attr n1 pgsql-lsn-location)$(attr n2 pgsql-lsn-location)$(attr n1 pgsql-election)" ] &&
	ok "  and cleared the election's data" ||
	not_ok "  election data left: '$(attr n1 pgsql-lsn-location)' '$(attr n2 pgsql-lsn-location)' '$(attr n1 pgsql-election)'"
expect 0 "monitor n2: standby" -- mon n2
[ "$(sql n1 "select pg_is_in_recovery()")" = f ] && ok "n1 is out of recovery" || not_ok "n1 still in recovery"
if retry 15 streams_from n2 n1; then ok "n2 streams from n1: $(repl_state n1 n2)"; else
	not_ok "n2 does not stream from n1 (pg_stat_replication: '$(repl_state n1 n2)')"; show_log n2; fi
sql n1 "insert into t values (0)" >/dev/null
has_row() { [ "$(sql "$1" "select count(*) from t where id = $2")" = 1 ]; }
retry 10 has_row n2 0 && ok "a row written on n1 is on n2" || not_ok "row not replicated to n2"
# The attributes settle after monitors on both.
for i in $(seq 10); do
	mon n1 >/dev/null 2>&1; mon n2 >/dev/null 2>&1
	[ "$(attr n1 pgsql-status)" = PRI ] && [ "$(attr n2 pgsql-status)" = HS:async ] &&
		[ "$(attr n2 pgsql-data-status)" = "STREAMING|ASYNC" ] && [ "$(attr n1 pgsql-data-status)" = LATEST ] &&
		[ "$(score n1)" -gt "$(score n2)" ] && break
	sleep 1
done
check_attr n1 pgsql-status PRI
check_attr n2 pgsql-status HS:async
check_attr n1 pgsql-data-status LATEST
check_attr n2 pgsql-data-status "STREAMING|ASYNC"
[ "$(score n1)" -gt "$(score n2)" ] && ok "promotion score n1 ($(attr n1 master-pgsql)) > n2 ($(attr n2 master-pgsql))" ||
	not_ok "promotion score n1 '$(attr n1 master-pgsql)' not above n2 '$(attr n2 master-pgsql)'"

# ---------------------------------------------------------------------------
echo "# 5. a steady-state monitor on the primary forks nothing"
# monitor_forks_nothing NODE WHAT [VAR=VALUE...]: after one monitor, the next
# one (the binary itself, under strace) changes nothing and runs nothing.
monitor_forks_nothing() {
	local n=$1 what=$2 c1 c2 a1 nexec kids real
	shift 2
	expect "$what" "first monitor on $n" -- mon "$n" "$@"
	c1=$(calls); a1=$(attrs_dump)
	real="$top_builddir/agents/.libs/pgsql"
	[ -x "$real" ] || real=$PGSQL
	AGENT_BIN=$real
	AGENT_PRE=(strace -f -qq -e trace=execve,clone,clone3,fork,vfork -o "$TMPD/strace.out")
	expect "$what" "second monitor on $n (the binary itself, under strace)" -- mon "$n" "$@" \
		LD_LIBRARY_PATH="$top_builddir/lib/.libs"
	AGENT_PRE=()
	AGENT_BIN=""
	c2=$(calls)
	[ "$a1" = "$(attrs_dump)" ] && ok "attributes unchanged" || not_ok "attributes changed by the second monitor"
	[ "$c1" = "$c2" ] && ok "no crm_attribute/attrd_updater call in the second monitor" ||
		{ not_ok "the second monitor called the attribute tools $((c2 - c1)) times:"
		  tail -n $((c2 - c1)) "$HUBHA_TEST_ATTRS/calls.log" | sed 's/^/#   /'; }
	nexec=$(grep -c 'execve(' "$TMPD/strace.out")
	kids=$(grep -E '(clone3?|v?fork)\(' "$TMPD/strace.out" | grep -v CLONE_THREAD)
	if [ "$nexec" = 1 ] && [ -z "$kids" ]; then ok "strace: one execve (the agent), no child process"; else
		not_ok "strace: $nexec execve, children:"; grep -E 'execve\(|clone|fork' "$TMPD/strace.out" | head -n 20 |
			sed 's/^/#   /'; fi
}
monitor_forks_nothing n1 8

# ---------------------------------------------------------------------------
echo "# 6. switchover n1 -> n2 under a writing client"
writer_start n1
wait_acked n1 20 && ok "client writes to n1 ($(acked n1) acknowledged)" || not_ok "client cannot write to n1 ($(acked n1) acknowledged)"
MASTER_PORT=${PORT[n2]}
expect 0 "pre-demote notify n1" -- notify n1 pre demote demote=n1 active="n1 n2" master=n1 slave=n2
expect 0 "pre-demote notify n2" -- notify n2 pre demote demote=n1 active="n1 n2" master=n1 slave=n2
expect 0 "demote n1" -- agent n1 demote
expect 0 "post-demote notify n1" -- notify n1 post demote demote=n1 active="n1 n2" slave="n1 n2"
expect 0 "post-demote notify n2" -- notify n2 post demote demote=n1 active="n1 n2" slave="n1 n2"
expect 0 "monitor n1: a running standby now" -- mon n1
[ "$(sql n1 "select pg_is_in_recovery()")" = t ] && ok "n1 is in recovery" || not_ok "n1 is not in recovery after demote"
expect 0 "pre-promote notify n1" -- notify n1 pre promote promote=n2 active="n1 n2" slave="n1 n2"
expect 0 "pre-promote notify n2" -- notify n2 pre promote promote=n2 active="n1 n2" slave="n1 n2"
expect 0 "promote n2" -- agent n2 promote
expect 0 "post-promote notify n1" -- notify n1 post promote promote=n2 active="n1 n2" master=n2 slave=n1
expect 0 "post-promote notify n2" -- notify n2 post promote promote=n2 active="n1 n2" master=n2 slave=n1
expect 8 "monitor n2: primary" -- mon n2
expect 0 "monitor n1: standby" -- mon n1
sleep 0.5
writer_stop n1
n1_streams() { mon n1 >/dev/null 2>&1; mon n2 >/dev/null 2>&1; streams_from n1 n2; }
if [ "$(sql n2 "select pg_is_in_recovery()")" != f ]; then not_ok "n1 cannot stream from a primary n2: n2 is not one"
elif retry 15 n1_streams; then ok "n1 streams from n2 without a restart"; else
	echo "# n1 does not stream from n2 (pg_stat_replication '$(repl_state n2 n1)'); restarting n1"
	show_log n1 8
	expect 0 "stop n1" -- agent n1 stop
	expect 0 "start n1" -- agent n1 start
	if retry 15 n1_streams; then ok "n1 streams from n2 after a restart"; else
		not_ok "n1 does not stream from n2 (pg_stat_replication '$(repl_state n2 n1)')"; show_log n1; fi
fi
lost=$(missing_acked n1 n2)
if [ -z "$lost" ] && [ "$(acked n1)" -gt 0 ]; then ok "all $(acked n1) acknowledged ids are on n2"; else
	not_ok "acknowledged ids missing on n2 ($(echo $lost | wc -w) of $(acked n1)): $(echo $lost | cut -c1-200)"; fi
for i in $(seq 10); do
	mon n2 >/dev/null 2>&1; mon n1 >/dev/null 2>&1
	[ "$(attr n2 pgsql-status)" = PRI ] && [ "$(attr n1 pgsql-status)" = HS:async ] &&
		[ "$(attr n1 pgsql-data-status)" = "STREAMING|ASYNC" ] && break
	sleep 1
done
check_attr n2 pgsql-status PRI
check_attr n1 pgsql-status HS:async
check_attr n1 pgsql-data-status "STREAMING|ASYNC"
[ "$(score n2)" -gt "$(score n1)" ] && ok "promotion score n2 ($(attr n2 master-pgsql)) > n1 ($(attr n1 master-pgsql))" ||
	not_ok "promotion score n2 '$(attr n2 master-pgsql)' not above n1 '$(attr n1 master-pgsql)'"

# ---------------------------------------------------------------------------
echo "# 7. crash of the primary, failover to the standby, the old primary rejoins"
# Normally n2 is the primary now; when case 6 left none, make one so this case still runs.
OLD="" NEW=""
if [ "$(mon n2 >/dev/null 2>&1; echo $?)" = 8 ]; then OLD=n2 NEW=n1
elif [ "$(mon n1 >/dev/null 2>&1; echo $?)" = 8 ]; then OLD=n1 NEW=n2
else
	for c in n1 n2; do
		echo "# no primary left by case 6: promoting $c to go on"
		MASTER_PORT=${PORT[$c]}
		notify n1 pre promote promote=$c active="n1 n2" slave="n1 n2" >/dev/null 2>&1
		notify n2 pre promote promote=$c active="n1 n2" slave="n1 n2" >/dev/null 2>&1
		agent $c promote >/dev/null 2>&1
		if [ "$(mon $c >/dev/null 2>&1; echo $?)" = 8 ]; then OLD=$c; break; fi
	done
	[ "$OLD" = n1 ] && NEW=n2 || NEW=n1
fi
[ -n "$OLD" ] || { OLD=n2; NEW=n1; }
echo "# primary $OLD, standby $NEW"
MASTER_PORT=${PORT[$OLD]}
new_streams() { mon $OLD >/dev/null 2>&1; mon $NEW >/dev/null 2>&1; streams_from $NEW $OLD; }
if ! retry 15 new_streams; then
	echo "# $NEW does not stream from $OLD: restarting it"
	agent $NEW stop >/dev/null 2>&1; agent $NEW start >/dev/null 2>&1
	retry 15 new_streams || not_ok "precondition: $NEW does not stream from $OLD ('$(repl_state $OLD $NEW)')"
fi
# Many buffers for NEW to replay and leave dirty: its checkpoint after the
# promotion is then a long spread one, and its control file keeps showing the
# old timeline meanwhile (the window in which a crashed primary comes back).
sql $OLD "create table dirty as select g id, repeat('x', 200) f from generate_series(1, 200000) g" >/dev/null ||
	not_ok "could not write the dirty table on $OLD: $(sql_err)"
has_dirty() { [ "$(sql $NEW "select count(*) from dirty" 2>/dev/null)" = 200000 ]; }
retry 30 has_dirty || not_ok "$NEW did not replay the dirty table"
# Make the old primary's history diverge: its walsender to NEW is frozen,
# OLD commits more, then OLD dies (postmaster and that walsender).
# OLD keeps no WAL beyond what it needs itself, as a primary without
# wal_keep_size or slots does: the segment holding the last checkpoint common
# to both goes at OLD's next checkpoint, the one of its crash recovery.
sql $OLD "alter system set wal_keep_size = 0" >/dev/null && sql $OLD "select pg_reload_conf()" >/dev/null
sql $OLD "checkpoint" >/dev/null
ws=$(sql $OLD "select pid from pg_stat_replication where application_name = '$NEW'")
case $ws in '' | *[!0-9]*) ws=""; not_ok "no walsender to $NEW on $OLD" ;; *) track_pid "$ws"; kill -STOP "$ws" ;; esac
sql $OLD "insert into t select generate_series(1000001, 1000100)" >/dev/null || not_ok "could not write on $OLD: $(sql_err)"
sql $OLD "checkpoint" >/dev/null
sql $OLD "select pg_switch_wal()" >/dev/null
sql $OLD "insert into t select generate_series(1000101, 1000110)" >/dev/null
sleep 1
n=$(sql $NEW "select count(*) from t where id between 1000001 and 1000100")
[ "$n" = 0 ] && ok "100 rows committed on $OLD that $NEW has not received" || not_ok "$NEW has '$n' of $OLD's 100 new rows"
crash $OLD $ws && ok "$OLD's postmaster killed, its children gone" || not_ok "crash $OLD"
[ -n "$ws" ] && ! kill -0 "$ws" 2>/dev/null && untrack_pid "$ws"
expect 9 "monitor $OLD: crashed primary" -- mon $OLD
# Pacemaker recovers a failed primary with demote, stop, start: the rejoin belongs to start.
expect 0 "demote $OLD (not running: nothing to demote, nothing started)" -- agent $OLD demote
expect 9 "monitor $OLD: still the crashed primary, untouched by demote" -- mon $OLD
expect 0 "stop $OLD (the cluster recovers the failed primary)" -- agent $OLD stop
MASTER_PORT=${PORT[$NEW]}
# As Pacemaker notifies after losing the primary: it is demoted and stopped in the same transition.
expect 0 "pre-promote notify $NEW" -- notify $NEW pre promote promote=$NEW active=$NEW slave=$NEW demote=$OLD stop=$OLD
expect 0 "promote $NEW" -- agent $NEW promote
expect 0 "post-promote notify $NEW" -- notify $NEW post promote promote=$NEW active=$NEW master=$NEW
expect 8 "monitor $NEW: primary" -- mon $NEW
sql $NEW "insert into t values (2000001)" >/dev/null && ok "$NEW takes writes" || not_ok "$NEW takes no writes: $(sql_err)"
[ "$(sql $NEW "select timeline_id from pg_control_checkpoint()")" != \
	"$(sql $NEW "select ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int")" ] &&
	ok "$NEW's control file still shows its old timeline (its first checkpoint after the promotion runs)" ||
	echo "# $NEW's checkpoint after the promotion is done already: the rewind below does not cover that window"
expect_fail "start $OLD (diverged, auto_rewind=false) is refused" -- agent $OLD start
one_reason
st=$(mon $OLD >/dev/null 2>&1; echo $?)
[ "$st" != 0 ] && [ "$st" != 8 ] && ok "$OLD is not running after the refused start (monitor rc $st)" ||
	not_ok "$OLD runs after the refused start (monitor rc $st)"
expect 0 "stop $OLD after the failed start" -- agent $OLD stop
# A rewind cut short (the agent killed, the node crashed) leaves its mark: never trusted.
echo 2026-01-01T00:00:00Z >"$HUBHA_TEST_ATTRS/$OLD/pgsql-rewind-incomplete"
expect_fail "start $OLD after a rewind that did not complete is refused" -- agent $OLD start OCF_RESKEY_auto_rewind=true
one_reason
[ "$(attr $OLD pgsql-no-promote-reason)" = "$(last_reason)" ] && ok "  and published as no-promote-reason" ||
	not_ok "  no-promote-reason is '$(attr $OLD pgsql-no-promote-reason)'"
rm -f "$HUBHA_TEST_ATTRS/$OLD/pgsql-rewind-incomplete"
expect 0 "start $OLD with auto_rewind=true" -- agent $OLD start OCF_RESKEY_auto_rewind=true \
	HA_LOGFILE="$TMPD/ha-rewind.log" OCF_RESKEY_monitor_password=hubha-secret-pw
grep -q "rewinding" "$TMPD/ha-rewind.log" && ok "  the rewind was logged to HA_LOGFILE before the start" ||
	not_ok "  no rewind message in HA_LOGFILE"
child_hygiene $OLD "$TMPD/ha-rewind.log" hubha-secret-pw
[ ! -e "$HUBHA_TEST_ATTRS/$OLD/pgsql-rewind-incomplete" ] && ok "  the rewind completed and its mark is gone" ||
	not_ok "  $OLD-rewind-incomplete is still set"
grep -q "pgsql-rewind-incomplete --update" "$HUBHA_TEST_ATTRS/calls.log" && ok "  the mark was set while pg_rewind ran" ||
	not_ok "  pg_rewind ran without its mark"
expect 0 "post-start notify $NEW" -- notify $NEW post start start=$OLD active="n1 n2" master=$NEW slave=$OLD
expect 0 "post-start notify $OLD" -- notify $OLD post start start=$OLD active="n1 n2" master=$NEW slave=$OLD
expect 0 "monitor $OLD: standby" -- mon $OLD OCF_RESKEY_auto_rewind=true
old_streams() { mon $NEW >/dev/null 2>&1; mon $OLD OCF_RESKEY_auto_rewind=true >/dev/null 2>&1; streams_from $OLD $NEW; }
if retry 20 old_streams; then ok "$OLD streams from $NEW"; else
	not_ok "$OLD does not stream from $NEW (pg_stat_replication '$(repl_state $NEW $OLD)')"; show_log $OLD; fi
retry 10 has_row $OLD 2000001 && ok "$NEW's new row is on $OLD" || not_ok "$NEW's new row is not on $OLD"
n=$(sql $OLD "select count(*) from t where id between 1000001 and 1000110")
[ "$n" = 0 ] && ok "$OLD's diverged rows are gone (rewound)" || not_ok "$OLD still has its diverged rows: '$n'"
[ "$(sql $OLD "select count(*) from t")" = "$(sql $NEW "select count(*) from t")" ] && ok "$OLD has the same rows as $NEW" ||
	not_ok "$OLD has $(sql $OLD "select count(*) from t") rows, $NEW $(sql $NEW "select count(*) from t")"

# ---------------------------------------------------------------------------
echo "# 8. sync replication: no acknowledged commit lost in a failover"
pg_node n3 "$(free_port)" || setup_failed "n3"
pg_plain_start n3 || setup_failed "start n3"
sql n3 "create table t (id int primary key)" || setup_failed "table on n3"
pg_standby n4 "$(free_port)" n3 || setup_failed "n4"
pg_plain_stop n3 || setup_failed "stop n3"
REP_MODE=sync NODES="n3 n4" MASTER_PORT=${PORT[n3]}
expect 0 "start n3" -- agent n3 start
expect 0 "start n4" -- agent n4 start
expect 0 "post-start notify n3" -- notify n3 post start start="n3 n4" active="n3 n4" slave="n3 n4"
expect 0 "post-start notify n4" -- notify n4 post start start="n3 n4" active="n3 n4" slave="n3 n4"
expect 0 "pre-promote notify n3" -- notify n3 pre promote promote=n3 active="n3 n4" slave="n3 n4"
expect 0 "pre-promote notify n4" -- notify n4 pre promote promote=n3 active="n3 n4" slave="n3 n4"
# ALTER SYSTEM writes postgresql.auto.conf.tmp first: a directory there makes it fail.
mkdir "$TMPD/n3/data/postgresql.auto.conf.tmp"
expect 1 "promote n3 when synchronous_standby_names cannot be set (degrade_to_async=false)" -- agent n3 promote
one_reason
last_reason | grep -q "^Promotion refused: cannot set synchronous_standby_names" &&
	ok "  the reason names synchronous_standby_names" || not_ok "  reason: '$(last_reason)'"
[ "$(sql n3 "select pg_is_in_recovery()")" = t ] && ok "n3 is still a standby: no asynchronous primary" ||
	not_ok "n3 was promoted although synchronous replication could not be set up"
rmdir "$TMPD/n3/data/postgresql.auto.conf.tmp"
expect 0 "promote n3" -- agent n3 promote
[ "$(sql n3 "show synchronous_standby_names")" = 'FIRST 1 ("n4")' ] && ok "n3 runs with synchronous_standby_names set" ||
	not_ok "synchronous_standby_names on n3: '$(sql n3 "show synchronous_standby_names")'"
expect 0 "post-promote notify n3" -- notify n3 post promote promote=n3 active="n3 n4" master=n3 slave=n4
expect 0 "post-promote notify n4" -- notify n4 post promote promote=n3 active="n3 n4" master=n3 slave=n4
expect 8 "monitor n3: primary" -- mon n3
n4_sync() { mon n3 >/dev/null 2>&1; mon n4 >/dev/null 2>&1; [ "$(repl_state n3 n4)" = "streaming sync" ]; }
if retry 30 n4_sync; then ok "n4 is a sync standby of n3"; else
	not_ok "n4 is not a sync standby (pg_stat_replication '$(repl_state n3 n4)', synchronous_standby_names '$(sql n3 "show synchronous_standby_names")')"; fi
for i in $(seq 5); do
	[ "$(attr n4 pgsql-status)" = HS:sync ] && [ "$(attr n4 pgsql-data-status)" = "STREAMING|SYNC" ] && break
	mon n3 >/dev/null 2>&1; mon n4 >/dev/null 2>&1; sleep 1
done
check_attr n3 pgsql-status PRI
check_attr n4 pgsql-status HS:sync
check_attr n4 pgsql-data-status "STREAMING|SYNC"
writer_start n3
wait_acked n3 50 && ok "client writes to n3 ($(acked n3) acknowledged)" || not_ok "client cannot write to n3 ($(acked n3) acknowledged)"
crash n3 all && ok "n3 killed (postmaster and children at once)" || not_ok "crash n3"
writer_stop n3
expect 9 "monitor n3: crashed primary" -- mon n3
expect 0 "stop n3" -- agent n3 stop
MASTER_PORT=${PORT[n4]}
expect 0 "pre-promote notify n4" -- notify n4 pre promote promote=n4 active=n4 slave=n4 demote=n3 stop=n3
expect 0 "promote n4" -- agent n4 promote
expect 0 "post-promote notify n4" -- notify n4 post promote promote=n4 active=n4 master=n4
expect 8 "monitor n4: primary" -- mon n4
# The primary that ranks a disconnected node down says why, on that node.
attr n3 pgsql-no-promote-reason | grep -q "^Not promoted: .*promotion score -1000" &&
	ok "n4 says on n3 why it is not promoted" || not_ok "no reason on n3: '$(attr n3 pgsql-no-promote-reason)'"
lost=$(missing_acked n3 n4)
if [ -z "$lost" ] && [ "$(acked n3)" -gt 0 ]; then ok "all $(acked n3) acknowledged ids are on n4"; else
	not_ok "acknowledged ids missing on n4 ($(echo $lost | wc -w) of $(acked n3)): $(echo $lost | cut -c1-200)"; fi
mon n4 >/dev/null 2>&1
commit_n4() { PGCONNECT_TIMEOUT=3 timeout "$1" "$PGBIN/psql" -X -q -h 127.0.0.1 -p "${PORT[n4]}" -U postgres \
	-d postgres -c "insert into t values ($2)" >/dev/null 2>&1; }
# Zero loss by default: with its sync standby gone, a commit is not acknowledged.
if commit_n4 5 3000001; then not_ok "n4 acknowledged a commit with no synchronous standby (degrade_to_async=false)"
else ok "n4 does not acknowledge commits without a synchronous standby (zero loss kept)"; fi
expect 8 "monitor n4 with degrade_to_async=true" -- mon n4 OCF_RESKEY_degrade_to_async=true
[ -z "$(sql n4 "show synchronous_standby_names")" ] && ok "degraded to asynchronous replication" ||
	not_ok "synchronous_standby_names still '$(sql n4 "show synchronous_standby_names")'"
if commit_n4 10 3000002; then ok "n4 commits alone once degrading is allowed"
else not_ok "a commit on n4 does not finish in 10s after degrading"; fi

# ---------------------------------------------------------------------------
echo "# 10. replication slots: one per other listed node, stale ones dropped on promote"
pg_node n7 "$(free_port)" || setup_failed "n7"
pg_plain_start n7 || setup_failed "start n7"
pg_standby n8 "$(free_port)" n7 || setup_failed "n8"
# A slot of a node that is no longer listed, as an earlier primary left it.
sql n7 "select pg_create_physical_replication_slot('hubha_gone')" >/dev/null
sql n7 "select pg_create_physical_replication_slot('other_keep')" >/dev/null
pg_plain_stop n7 || setup_failed "stop n7"
REP_MODE=async NODES="n7 n8" MASTER_PORT=${PORT[n7]}
SLOT=(OCF_RESKEY_replication_slot_name=hubha)
expect 0 "start n7" -- agent n7 start "${SLOT[@]}"
expect 0 "start n8" -- agent n8 start "${SLOT[@]}"
grep -q "primary_slot_name = 'hubha_n8'" "$TMPD/n8/data/postgresql.auto.conf" && ok "n8 streams through slot hubha_n8" ||
	not_ok "n8's primary_slot_name: $(grep primary_slot_name "$TMPD/n8/data/postgresql.auto.conf")"
expect 0 "pre-promote notify n7" -- notify n7 pre promote promote=n7 active="n7 n8" slave="n7 n8" "${SLOT[@]}"
expect 0 "pre-promote notify n8" -- notify n8 pre promote promote=n7 active="n7 n8" slave="n7 n8" "${SLOT[@]}"
expect 0 "promote n7" -- agent n7 promote "${SLOT[@]}"
slots() { sql n7 "select string_agg(slot_name, ' ' order by slot_name) from pg_replication_slots"; }
[ "$(slots)" = "hubha_n8 other_keep" ] && ok "slots on the primary: hubha_n8, and other_keep untouched" ||
	not_ok "slots on n7: '$(slots)' (want 'hubha_n8 other_keep')"
slot_active() { [ "$(sql n7 "select active from pg_replication_slots where slot_name = 'hubha_n8'")" = t ]; }
retry 15 slot_active && ok "n8 uses its slot" || { not_ok "slot hubha_n8 not active"; show_log n8; }
# The primary goes away while the standby was last ranked disconnected: no promotion, and a reason.
expect 0 "stop n7" -- agent n7 stop "${SLOT[@]}"
mkdir -p "$HUBHA_TEST_ATTRS/n8" && echo -1000 >"$HUBHA_TEST_ATTRS/n8/master-pgsql"
expect 0 "monitor n8, not streaming" -- mon n8 "${SLOT[@]}"
attr n8 pgsql-no-promote-reason | grep -q "^Not promoted: this standby was not streaming" &&
	ok "n8 says why it is not promoted" || not_ok "no reason on n8: '$(attr n8 pgsql-no-promote-reason)'"
echo "#    a standby left alone forks nothing in its steady monitor either"
monitor_forks_nothing n8 0 "${SLOT[@]}"
expect 0 "stop n8" -- agent n8 stop "${SLOT[@]}"

# ---------------------------------------------------------------------------
echo "# 11. the election against real standbys: promotion handed over, switchover refused"
pg_node n9 "$(free_port)" || setup_failed "n9"
pg_plain_start n9 || setup_failed "start n9"
sql n9 "create table t (id int primary key)" || setup_failed "table on n9"
# The standbys stream through their slots (the default): n9 is no primary of the agent's, so they are made here.
sql n9 "select pg_create_physical_replication_slot('hubha_' || n, true) from unnest(array['n10', 'n11']) n" >/dev/null ||
	setup_failed "slots on n9"
pg_standby n10 "$(free_port)" n9 || setup_failed "n10"
pg_standby n11 "$(free_port)" n9 || setup_failed "n11"
REP_MODE=async NODES="n9 n10 n11" MASTER_PORT=${PORT[n9]}
# n9 runs as the primary, outside the agent: say so, as its monitor would.
mkdir -p "$HUBHA_TEST_ATTRS/n9" && echo PRI >"$HUBHA_TEST_ATTRS/n9/pgsql-status"
expect 0 "start n10" -- agent n10 start
expect 0 "start n11" -- agent n11 start
retry 15 streams_from n10 n9 && retry 15 streams_from n11 n9 && ok "n10 and n11 stream from n9" ||
	not_ok "precondition: n10 '$(repl_state n9 n10)', n11 '$(repl_state n9 n11)'"
# n10 falls behind: its walsender is frozen while n9 commits, then n9 dies.
ws=$(sql n9 "select pid from pg_stat_replication where application_name = 'n10'")
case $ws in '' | *[!0-9]*) ws=""; not_ok "no walsender to n10 on n9" ;; *) track_pid "$ws"; kill -STOP "$ws" ;; esac
sql n9 "insert into t select generate_series(1, 100)" >/dev/null || not_ok "could not write on n9: $(sql_err)"
retry 15 has_row n11 100 && ok "n11 received n9's last rows" || not_ok "n11 did not receive n9's rows"
crash n9 $ws && ok "n9 killed" || not_ok "crash n9"
[ -n "$ws" ] && ! kill -0 "$ws" 2>/dev/null && untrack_pid "$ws"
rm -f "$HUBHA_TEST_ATTRS/n9/pgsql-status"
NODES="n10 n11"
# A loaded node's controller runs one notification at a time, so n10, the node chosen, may run its
# pre-promote notification before n11 runs its own: n11 publishes in the transition's pre-stop already.
[ -z "$(attr n11 pgsql-lsn-location)" ] || not_ok "precondition: n11 published a location already"
expect 0 "pre-stop notify n11, in a transition that promotes n10" -- notify n11 pre stop promote=n10 \
	active="n10 n11" slave="n10 n11" stop=n9
[ -n "$(attr n11 pgsql-lsn-location)" ] && ok "  n11 published its location ($(attr n11 pgsql-lsn-location))" ||
	not_ok "  n11 published no location"
expect 0 "pre-stop notify n10: the node to promote publishes nothing yet" -- notify n10 pre stop promote=n10 \
	active="n10 n11" slave="n10 n11" stop=n9
[ -z "$(attr n10 pgsql-lsn-location)" ] && ok "  n10 published nothing" || not_ok "  n10 published a location"
expect 0 "pre-promote notify n10, before n11's" -- notify n10 pre promote promote=n10 active="n10 n11" \
	slave="n10 n11" stop=n9
[ "$(score n11)" -gt "$(score n10)" ] && ok "  the promotion moved to n11 before promote ($(score n11) > $(score n10))" ||
	not_ok "  scores n11 $(score n11), n10 $(score n10)"
expect 0 "pre-promote notify n11" -- notify n11 pre promote promote=n10 active="n10 n11" slave="n10 n11" stop=n9
expect 0 "pre-promote notify n10" -- notify n10 pre promote promote=n10 active="n10 n11" slave="n10 n11" stop=n9
expect 6 "promote n10 with notify=false is refused" -- agent n10 promote OCF_RESKEY_CRM_meta_notify=false
last_reason | grep -q "notify=true" && ok "  the reason asks for notify=true" || not_ok "  reason: '$(last_reason)'"
expect 6 "promote n10 with promoted-max=2 is refused" -- agent n10 promote OCF_RESKEY_CRM_meta_promoted_max=2 \
	OCF_RESKEY_CRM_meta_master_max=2
last_reason | grep -q "promoted-max=1" && ok "  the reason asks for promoted-max=1" || not_ok "  reason: '$(last_reason)'"
expect 1 "promote n10, which is behind n11, is refused" -- agent n10 promote
one_reason
last_reason | grep -q "^Promotion handed to n11: it has more recent data" && ok "  $(last_reason)" ||
	not_ok "  reason: '$(last_reason)'"
[ "$(score n11)" -gt "$(score n10)" ] && ok "n11's promotion score ($(score n11)) is above n10's ($(score n10))" ||
	not_ok "scores: n11 '$(attr n11 master-pgsql)', n10 '$(attr n10 master-pgsql)'"
[ "$(sql n10 "select pg_is_in_recovery()")" = t ] && ok "n10 is still a standby" || not_ok "n10 was promoted"
rm -f "$HUBHA_TEST_ATTRS/n10/pgsql-election"
expect 1 "promote n10 without election data is refused" -- agent n10 promote
last_reason | grep -q "^Promotion refused: no election data" && ok "  $(last_reason)" || not_ok "  reason: '$(last_reason)'"
expect 0 "pre-promote notify n10" -- notify n10 pre promote promote=n11 active="n10 n11" slave="n10 n11" stop=n9
expect 0 "pre-promote notify n11" -- notify n11 pre promote promote=n11 active="n10 n11" slave="n10 n11" stop=n9
expect 0 "promote n11" -- agent n11 promote
expect 8 "monitor n11: primary" -- mon n11
[ "$(sql n11 "select count(*) from t")" = 100 ] && ok "n11 has all of n9's rows" || not_ok "n11 lacks rows"
# A switchover to n10, which misses n11's last commits and its shutdown checkpoint.
expect 0 "stop n10" -- agent n10 stop
sql n11 "insert into t select generate_series(101, 200)" >/dev/null || not_ok "could not write on n11: $(sql_err)"
MASTER_PORT=$(free_port)	# nobody: n10 must not fetch what it misses from n11 once n11 is a standby
expect 0 "demote n11" -- agent n11 demote
ck=$(attr n11 pgsql-demote-checkpoint)
[ -n "$ck" ] && ok "n11 published its shutdown checkpoint $ck" || not_ok "n11 published no shutdown checkpoint"
expect 0 "start n10" -- agent n10 start
switch_notify() {
	notify n10 pre promote promote=n10 demote=n11 active="n10 n11" slave="n10 n11" >/dev/null 2>&1
	notify n11 pre promote promote=n10 demote=n11 active="n10 n11" slave="n10 n11" >/dev/null 2>&1
}
switch_notify
echo garbage >"$HUBHA_TEST_ATTRS/n11/pgsql-demote-checkpoint"
expect 1 "switchover to n10 with an unreadable checkpoint is refused" -- agent n10 promote
last_reason | grep -q "^Switchover refused: the old primary n11 published an unreadable shutdown checkpoint" &&
	ok "  $(last_reason)" || not_ok "  reason: '$(last_reason)'"
echo "$ck" >"$HUBHA_TEST_ATTRS/n11/pgsql-demote-checkpoint"
switch_notify
expect 1 "switchover to n10, which did not receive the checkpoint, is refused" -- agent n10 promote
one_reason
last_reason | grep -q "^Switchover refused: the old primary n11 shut down at $ck and this standby has only" &&
	ok "  $(last_reason)" || not_ok "  reason: '$(last_reason)'"
[ "$(sql n10 "select pg_is_in_recovery()")" = t ] && ok "n10 is still a standby" || not_ok "n10 was promoted"
expect 0 "stop n10" -- agent n10 stop
expect 0 "stop n11" -- agent n11 stop

# ---------------------------------------------------------------------------
echo "# 12. replication clients that are not nodes: odd application_names, more walsenders than nodes"
pg_node n12 "$(free_port)" || setup_failed "n12"
pg_plain_start n12 || setup_failed "start n12"
pg_standby n13 "$(free_port)" n12 || setup_failed "n13"
pg_plain_stop n12 || setup_failed "stop n12"
# A standby needs at least the primary's max_wal_senders.
pg_set n12 "max_wal_senders = 30"
pg_set n13 "max_wal_senders = 30"
REP_MODE=async NODES="n12 n13" MASTER_PORT=${PORT[n12]}
expect 0 "start n12" -- agent n12 start
expect 0 "start n13" -- agent n13 start
expect 0 "post-start notify n12" -- notify n12 post start start="n12 n13" active="n12 n13" slave="n12 n13"
expect 0 "post-start notify n13" -- notify n13 post start start="n12 n13" active="n12 n13" slave="n12 n13"
expect 0 "pre-promote notify n12" -- notify n12 pre promote promote=n12 active="n12 n13" slave="n12 n13"
expect 0 "pre-promote notify n13" -- notify n13 pre promote promote=n12 active="n12 n13" slave="n12 n13"
expect 0 "promote n12" -- agent n12 promote
expect 0 "post-promote notify n12" -- notify n12 post promote promote=n12 active="n12 n13" master=n12 slave=n13
expect 0 "post-promote notify n13" -- notify n13 post promote promote=n12 active="n12 n13" master=n12 slave=n13
n10_streams() { mon n12 >/dev/null 2>&1; mon n13 >/dev/null 2>&1; streams_from n13 n12; }
retry 20 n10_streams && ok "n13 streams from n12" || { not_ok "n13 does not stream from n12 ('$(repl_state n12 n13)')"; show_log n13; }
# n13 as the primary ranks it; clients that are not nodes must not change that.
n10_ranked() {
	check_attr n13 pgsql-status HS:async
	check_attr n13 pgsql-data-status "STREAMING|ASYNC"
	[ "$(score n13)" -gt 0 ] && [ "$(score n12)" -gt "$(score n13)" ] &&
		ok "n13 ranked below the primary n12 ($(attr n13 master-pgsql) < $(attr n12 master-pgsql))" ||
		not_ok "promotion scores: n12 '$(attr n12 master-pgsql)', n13 '$(attr n13 master-pgsql)'"
}
repl_clients n12 odd "my client, v2" "a,b, c d"
retry 15 _walsenders_are n12 3 && ok "n12 runs n13's walsender and two for clients named with spaces and commas" ||
	not_ok "n12 has $(walsenders n12) walsenders, not 3: $(cat "$TMPD/clients.odd.out")"
expect 8 "monitor n12 with clients named 'my client, v2' and 'a,b, c d'" -- mon n12
n10_ranked
repl_clients_stop odd
retry 15 _walsenders_are n12 1 || not_ok "the clients' walsenders are still there: $(walsenders n12)"
# Walsenders of clients started before n13's, so n13's comes after them.
expect 0 "stop n13" -- agent n13 stop
expect 8 "monitor n12 with n13 stopped" -- mon n12
check_attr n13 pgsql-data-status DISCONNECT
repl_clients n12 many $(seq -f client%g 1 18)
retry 15 _walsenders_are n12 18 && ok "n12 runs 18 walsenders for clients" || not_ok "n12 has $(walsenders n12) walsenders, not 18"
expect 0 "start n13" -- agent n13 start
expect 0 "post-start notify n12" -- notify n12 post start start=n13 active="n12 n13" master=n12 slave=n13
expect 0 "post-start notify n13" -- notify n13 post start start=n13 active="n12 n13" master=n12 slave=n13
retry 20 n10_streams && ok "n13 streams from n12 again, with $(walsenders n12) walsenders on n12" ||
	{ not_ok "n13 does not stream from n12 ('$(repl_state n12 n13)')"; show_log n13; }
expect 8 "monitor n12 with 19 walsenders" -- mon n12
n10_ranked
repl_clients_stop many
expect 0 "stop n13" -- agent n13 stop
expect 0 "stop n12" -- agent n12 stop

# ---------------------------------------------------------------------------
echo "# 14. slots by default: a stopped standby catches up; past max_slot_wal_keep_size it is reported, then re-seeded"
# Small settings so a few forced segment switches exceed every bound: no wal_keep_size,
# max_wal_size at its floor, max_slot_wal_keep_size 32 MB (two 16 MB segments).
pg_node n14 "$(free_port)" || setup_failed "n14"
pg_plain_start n14 || setup_failed "start n14"
sql n14 "create table t (id int primary key, pad text)" || setup_failed "table on n14"
# Seeded the documented way: its slot exists before the copy, so no WAL it needs is removed meanwhile.
sql n14 "select pg_create_physical_replication_slot('hubha_n15', true)" >/dev/null || setup_failed "slot on n14"
pg_standby n15 "$(free_port)" n14 || setup_failed "n15"
pg_plain_stop n14 || setup_failed "stop n14"
for n in n14 n15; do pg_set $n "wal_keep_size = 0"; pg_set $n "max_wal_size = 32MB"; pg_set $n "min_wal_size = 32MB"; done
REP_MODE=async NODES="n14 n15" MASTER_PORT=${PORT[n14]}
KEEP=(OCF_RESKEY_max_slot_wal_keep_size=32)
expect 0 "start n14" -- agent n14 start "${KEEP[@]}"
expect 0 "start n15" -- agent n15 start "${KEEP[@]}"
expect 0 "pre-promote notify n14" -- notify n14 pre promote promote=n14 active="n14 n15" slave="n14 n15" "${KEEP[@]}"
expect 0 "pre-promote notify n15" -- notify n15 pre promote promote=n14 active="n14 n15" slave="n14 n15" "${KEEP[@]}"
expect 0 "promote n14 (no replication_slot_name set)" -- agent n14 promote "${KEEP[@]}"
grep -q "primary_slot_name = 'hubha_n15'" "$TMPD/n15/data/postgresql.auto.conf" &&
	ok "n15 streams through slot hubha_n15 by default" ||
	not_ok "n15's primary_slot_name: '$(grep primary_slot_name "$TMPD/n15/data/postgresql.auto.conf")'"
[ "$(sql n14 "show max_slot_wal_keep_size")" = 32MB ] && ok "max_slot_wal_keep_size = 32MB on the primary" ||
	not_ok "max_slot_wal_keep_size on n14: '$(sql n14 "show max_slot_wal_keep_size")'"
n15_streams() { streams_from n15 n14; }
retry 15 n15_streams && ok "n15 streams from n14" || { not_ok "n15 does not stream"; show_log n15; }
slot_of_n15() { sql n14 "select coalesce(wal_status, 'none') || ' ' || active from pg_replication_slots where slot_name = 'hubha_n15'"; }
# switch_wal NODE COUNT: COUNT forced segment switches with a row each, then a checkpoint (which removes WAL).
switch_wal() {
	local i
	for i in $(seq "$2"); do
		sql "$1" "insert into t select coalesce(max(id), 0) + 1, 'x' from t; select pg_switch_wal()" >/dev/null
	done
	sql "$1" "checkpoint" >/dev/null
}
pg_wal_mb() { du -sm --apparent-size "$TMPD/$1/data/pg_wal" | cut -f1; }
has_rows() { [ "$(sql n15 "select count(*) from t")" = "$(sql n14 "select count(*) from t")" ]; }

echo "#    n15 stopped while the primary writes and checkpoints past wal_keep_size (0): its slot keeps the WAL"
expect 0 "stop n15" -- agent n15 stop "${KEEP[@]}"
need=$(sql n14 "select pg_walfile_name(restart_lsn) from pg_replication_slots where slot_name = 'hubha_n15'")
switch_wal n14 1
switch_wal n14 0
[ -e "$TMPD/n14/data/pg_wal/$need" ] && ok "the segment n15 needs ($need) is kept past two checkpoints" ||
	not_ok "segment $need is gone from n14"
t0=$(date +%s%N)
expect 0 "start n15" -- agent n15 start "${KEEP[@]}"
if retry 30 has_rows && retry 10 n15_streams; then
	ok "n15 caught up and streams again ($((($(date +%s%N) - t0) / 1000000)) ms from its start)"
else not_ok "n15 did not catch up (slot: $(slot_of_n15))"; show_log n15; fi
mon n14 "${KEEP[@]}" >/dev/null 2>&1

echo "#    n15 stopped while the primary writes 12 segments (192 MB) past the 32 MB bound"
expect 0 "stop n15" -- agent n15 stop "${KEEP[@]}"
mon n14 "${KEEP[@]}" >/dev/null 2>&1
switch_wal n14 12
switch_wal n14 0
walmb=$(pg_wal_mb n14)
# The bound, plus max_wal_size (recycled segments) and the segment being written.
[ "$walmb" -le 80 ] && ok "n14's pg_wal is ${walmb} MB after 192 MB of WAL (bound: 32 + max_wal_size 32 + 16)" ||
	not_ok "n14's pg_wal is ${walmb} MB: the slot kept WAL past max_slot_wal_keep_size"
[ "$(slot_of_n15)" = "lost false" ] && ok "slot hubha_n15: wal_status lost" || not_ok "slot hubha_n15: '$(slot_of_n15)'"
expect 8 "monitor n14" -- mon n14 "${KEEP[@]}"
check_attr n15 pgsql-wal-lost hubha_n15
check_attr n15 pgsql-data-status DISCONNECT
attr n15 pgsql-no-promote-reason | grep -q "needs a new base backup: its WAL was removed" &&
	ok "n15's reason: $(attr n15 pgsql-no-promote-reason)" || not_ok "n15's reason: '$(attr n15 pgsql-no-promote-reason)'"
[ "$(score n15)" -lt 0 ] && ok "n15's promotion score is $(score n15)" || not_ok "n15's promotion score is $(score n15)"

echo "#    without reseed it starts on its old data, cannot stream, stays reported and unpromotable"
expect 0 "start n15 (reseed=false)" -- agent n15 start "${KEEP[@]}"
sleep 3
n15_streams && not_ok "n15 streams with its WAL removed" || ok "n15 does not stream"
expect 0 "monitor n15: a running standby" -- mon n15 "${KEEP[@]}"
expect 8 "monitor n14" -- mon n14 "${KEEP[@]}"
attr n15 pgsql-no-promote-reason | grep -q "needs a new base backup" && ok "n15 still says it needs a new base backup" ||
	not_ok "n15's reason: '$(attr n15 pgsql-no-promote-reason)'"
[ "$(score n15)" -lt 0 ] && ok "n15's promotion score is still $(score n15)" || not_ok "n15's promotion score is $(score n15)"
expect 0 "stop n15" -- agent n15 stop "${KEEP[@]}"

echo "#    with reseed=true its start rebuilds it from the primary"
RESEED=("${KEEP[@]}" OCF_RESKEY_reseed=true)
old_id=$(stat -c %i "$TMPD/n15/data")
t0=$(date +%s%N)
expect 0 "start n15 (reseed=true)" -- agent n15 start "${RESEED[@]}"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$(stat -c %i "$TMPD/n15/data")" != "$old_id" ] && ok "n15's pgdata is a new directory (start took $ms ms)" ||
	not_ok "n15's pgdata was not replaced"
kept=$(ls -d "$TMPD/n15/data.old-"* 2>/dev/null | head -n1)
[ -n "$kept" ] && [ "$(stat -c %i "$kept")" = "$old_id" ] && ok "the old pgdata is kept as ${kept##*/}" ||
	not_ok "no kept copy of the old pgdata"
[ ! -e "$TMPD/n15/data.reseed" ] && ok "no partial copy left" || not_ok "data.reseed left behind"
[ "$(stat -c %U "$TMPD/n15/data")" = postgres ] && ok "the new pgdata is postgres's" || not_ok "new pgdata owned by $(stat -c %U "$TMPD/n15/data")"
if retry 30 n15_streams && retry 10 has_rows; then ok "n15 streams again and has every row"
else not_ok "n15 does not stream after re-seeding (slot: $(slot_of_n15))"; show_log n15; fi
expect 8 "monitor n14" -- mon n14 "${RESEED[@]}"
[ -z "$(attr n15 pgsql-wal-lost)" ] && ok "n15's wal-lost is cleared" || not_ok "n15's wal-lost: '$(attr n15 pgsql-wal-lost)'"
[ "$(score n15)" -gt 0 ] && ok "n15 is ranked again ($(score n15))" || not_ok "n15's promotion score is $(score n15)"
case $(slot_of_n15) in "reserved true" | "extended true") ok "slot hubha_n15 reserves WAL again: $(slot_of_n15)" ;;
*) not_ok "slot hubha_n15: '$(slot_of_n15)'" ;; esac
for n in n15 n14; do agent $n stop "${KEEP[@]}" >/dev/null 2>&1; done

# ---------------------------------------------------------------------------
echo "# 15. sync mode with two standbys: a quorum commit; a failover waits for both standbys' data"
pg_node n16 "$(free_port)" || setup_failed "n16"
pg_plain_start n16 || setup_failed "start n16"
sql n16 "create table t (id int primary key)" || setup_failed "table on n16"
pg_standby n17 "$(free_port)" n16 || setup_failed "n17"
pg_standby n18 "$(free_port)" n16 || setup_failed "n18"
pg_plain_stop n16 || setup_failed "stop n16"
REP_MODE=sync NODES="n16 n17 n18" MASTER_PORT=${PORT[n16]}
for n in n16 n17 n18; do expect 0 "start $n" -- agent $n start; done
for n in n16 n17 n18; do
	expect 0 "pre-promote notify $n" -- notify $n pre promote promote=n16 active="n16 n17 n18" slave="n16 n17 n18"
done
expect 0 "promote n16" -- agent n16 promote
[ "$(sql n16 "show synchronous_standby_names")" = 'ANY 1 ("n17", "n18")' ] &&
	ok "n16 runs with synchronous_standby_names ANY 1 of both standbys" ||
	not_ok "synchronous_standby_names on n16: '$(sql n16 "show synchronous_standby_names")'"
quorum_standbys() {
	mon n16 >/dev/null 2>&1; mon n17 >/dev/null 2>&1; mon n18 >/dev/null 2>&1
	[ "$(repl_state n16 n17)" = "streaming quorum" ] && [ "$(repl_state n16 n18)" = "streaming quorum" ] &&
		[ "$(attr n17 pgsql-status)" = HS:sync ] && [ "$(attr n18 pgsql-status)" = HS:sync ]
}
if retry 30 quorum_standbys; then ok "n17 and n18 stream as quorum standbys, published HS:sync"; else
	not_ok "quorum standbys: n17 '$(repl_state n16 n17)' $(attr n17 pgsql-status), n18 '$(repl_state n16 n18)' $(attr n18 pgsql-status)"; fi
check_attr n17 pgsql-data-status "STREAMING|SYNC"
check_attr n18 pgsql-data-status "STREAMING|SYNC"
expect 0 "stop n18" -- agent n18 stop
commit_n16() { PGCONNECT_TIMEOUT=3 timeout 5 "$PGBIN/psql" -X -q -h 127.0.0.1 -p "${PORT[n16]}" -U postgres \
	-d postgres -c "insert into t values ($1)" >/dev/null 2>&1; }
commit_n16 1 && ok "with one standby of two stopped, commits go on (ANY 1)" ||
	not_ok "n16 held a commit back with n17 still streaming"
retry 10 has_row n17 1 && ok "  and the commit is on n17" || not_ok "  the commit is not on n17"
crash n16 all && ok "n16 killed" || not_ok "crash n16"
expect 0 "stop n16" -- agent n16 stop
MASTER_PORT=${PORT[n17]}
expect 0 "pre-promote notify n17 (n18 stopped)" -- notify n17 pre promote promote=n17 active=n17 slave=n17 demote=n16 stop=n16
expect 1 "promote n17 while n18's data is unknown is refused" -- agent n17 promote
one_reason
last_reason | grep -q "^Promotion refused: the data of 1 of the 3 nodes is known (n17), 2 needed: with synchronous_standby_names ANY 1, a commit may be only on n16, n18" &&
	ok "  the reason names the unknown nodes" || not_ok "  reason: '$(last_reason)'"
[ "$(sql n17 "select pg_is_in_recovery()")" = t ] && ok "  n17 is still a standby" || not_ok "  n17 was promoted"
[ "$(attr n17 pgsql-no-promote-reason)" = "$(last_reason)" ] && ok "  and published as no-promote-reason" ||
	not_ok "  no-promote-reason is '$(attr n17 pgsql-no-promote-reason)'"
expect 0 "start n18 again" -- agent n18 start
for n in n17 n18; do
	expect 0 "pre-promote notify $n (both standbys)" -- notify $n pre promote promote=n17 active="n17 n18" slave="n17 n18" demote=n16 stop=n16
done
expect 0 "promote n17 with both standbys' data known" -- agent n17 promote
has_row n17 1 && ok "the acknowledged commit is on the new primary" || not_ok "the acknowledged commit is lost"
# post-promote: a standby's WAL receiver that hears nothing from its primary is ended (a crashed
# primary sends no reset); one that is new (this node was the one demoted) is left alone.
receiver_pid() { sql n18 "select pid from pg_stat_wal_receiver where status = 'streaming'"; }
receiver_streams() { [ -n "$(receiver_pid)" ]; }
if retry 30 receiver_streams; then
	r0=$(receiver_pid)
	expect 0 "post-promote notify on n18, the node demoted" -- notify n18 post promote promote=n17 demote=n18 \
		active="n17 n18" slave=n18 master=n17
	[ "$(receiver_pid)" = "$r0" ] && ok "  its receiver is left alone" || not_ok "  its receiver $r0 was ended"
	pm=$(postmaster_pid n17)
	silent=$(pgrep -P "$pm" | tr '\n' ' ')
	kill -STOP "$pm" $silent
	sleep 1.5
	expect 0 "post-promote notify on n18 while its primary is silent" -- notify n18 post promote promote=n17 \
		active="n17 n18" slave=n18 master=n17
	retry 5 sh -c "! kill -0 $r0 2>/dev/null" && ok "  its receiver $r0 was ended" || not_ok "  its receiver $r0 still runs"
	kill -CONT "$pm" $silent
	retry 30 receiver_streams && ok "  n18 streams again, with a new receiver ($(receiver_pid))" ||
		not_ok "  n18 does not stream again"
else
	not_ok "n18 streams from n17"
fi
for n in n17 n18; do agent $n stop >/dev/null 2>&1; done

# ---------------------------------------------------------------------------
echo "# 9. ocf-tester with a replication configuration"
pg_node n5 "$(free_port)" || setup_failed "n5"
# ocf-tester runs no notifications; with notify=true Pacemaker runs a
# pre-promote notification before every promote, and so does this wrapper.
mkdir -p "$TMPD/notified"
cat >"$TMPD/notified/pgsql" <<EOF
#!/bin/bash
if [ "\$1" = promote ]; then
	OCF_RESKEY_CRM_meta_notify_type=pre OCF_RESKEY_CRM_meta_notify_operation=promote \\
		OCF_RESKEY_CRM_meta_notify_promote_uname=n5 OCF_RESKEY_CRM_meta_notify_unpromoted_uname=n5 \\
		"$PGSQL" notify >/dev/null 2>&1
fi
exec "$PGSQL" "\$@"
EOF
chmod 755 "$TMPD/notified/pgsql"
if own_run n5 env -i PATH="$FAKEDIR:/usr/sbin:/usr/bin:/sbin:/bin" HUBHA_TEST_ATTRS="$HUBHA_TEST_ATTRS" OCF_ROOT=/usr/lib/ocf \
	OCF_RESKEY_CRM_meta_on_node=n5 OCF_RESKEY_CRM_meta_notify=true OCF_RESKEY_CRM_meta_clone_max=2 \
	OCF_RESKEY_CRM_meta_clone_node_max=1 OCF_RESKEY_CRM_meta_master_max=1 OCF_RESKEY_CRM_meta_promoted_max=1 \
	OCF_RESKEY_CRM_meta_master_node_max=1 OCF_RESKEY_CRM_meta_promoted_node_max=1 \
	ocf-tester -n pgsql -o pgctl="$PGBIN/pg_ctl" -o pgdata="$TMPD/n5/data" -o pgport="${PORT[n5]}" \
	-o socketdir="$TMPD/n5" -o tmpdir="$TMPD/n5/tmp" -o logfile="$TMPD/n5/postgres.log" \
	-o rep_mode=async -o node_list="n5 n6" -o master_ip=127.0.0.1 -o master_port="${PORT[n5]}" \
	-o repuser=postgres "$TMPD/notified/pgsql" >"$TMPD/tester" 2>&1 && grep -q "pgsql passed all tests" "$TMPD/tester"; then
	ok "ocf-tester passes (rep_mode=async)"
else
	not_ok "ocf-tester (rep_mode=async)"; sed 's/^/#   /' "$TMPD/tester"; show_log n5
fi
postmaster_pid n5 >/dev/null && not_ok "ocf-tester left n5 running" || ok "nothing left running after ocf-tester"

# ---------------------------------------------------------------------------
echo "# 13. links the database user plants in pgdata never lead root outside it"
# n0 (stopped since case 3) starts as a standby of a primary that is not there.
REP_MODE=async NODES="n0" MASTER_PORT=$(free_port)
D=$TMPD/n0/data
VICTIM=$TMPD/victim
victim_state() { stat -c '%u:%g %a %s' "$VICTIM"; md5sum <"$VICTIM"; }
# A fresh root-only file outside pgdata for each attempt.
victim_reset() {
	rm -f "$VICTIM" "$TMPD/created-by-root"
	echo "hubha-victim-secret" >"$VICTIM"
	chown root:root "$VICTIM"
	chmod 640 "$VICTIM"
	victim0=$(victim_state)
}
victim_intact() {
	[ "$(victim_state)" = "$victim0" ] && ok "  $1: the file outside pgdata kept its content, owner and mode" ||
		not_ok "  $1: the file outside pgdata changed: $(stat -c '%U:%G %a %s' "$VICTIM")"
	[ ! -e "$TMPD/created-by-root" ] && ok "  $1: nothing created outside pgdata" ||
		not_ok "  $1: $TMPD/created-by-root was created ($(stat -c '%U:%G' "$TMPD/created-by-root"))"
	local copies
	copies=$(find "$D" -type f ! -samefile "$VICTIM" -print0 | xargs -0 grep -ls hubha-victim-secret)
	[ -z "$copies" ] && ok "  $1: nothing of the outside file was copied into pgdata" ||
		not_ok "  $1: the outside file's content was copied to: $copies"
}
# real_file NAME: a regular file of postgres in pgdata, not a link.
real_file() {
	[ -f "$D/$1" ] && [ ! -L "$D/$1" ] && [ "$(stat -c %U "$D/$1")" = postgres ] &&
		ok "  $1 is a regular file of postgres" || not_ok "  $1: $(ls -ld "$D/$1" 2>&1)"
}
victim_reset
as_pg ln -sfn "$VICTIM" "$D/postgresql.auto.conf.hubha"
as_pg ln -sfn "$VICTIM" "$D/standby.signal"
expect 0 "start n0 as a standby with links at the temporary file and standby.signal" -- agent n0 start
victim_intact "links at the temporary file and standby.signal"
real_file standby.signal
real_file postgresql.auto.conf
grep -q "^primary_conninfo = .*port=$MASTER_PORT" "$D/postgresql.auto.conf" && ok "  postgresql.auto.conf has the standby settings" ||
	not_ok "  postgresql.auto.conf: $(grep primary_conninfo "$D/postgresql.auto.conf")"
[ ! -e "$D/postgresql.auto.conf.hubha" ] && ok "  no temporary file left" || not_ok "  the temporary file is left"
expect 0 "stop n0" -- agent n0 stop

victim_reset
as_pg ln -sfn "$TMPD/created-by-root" "$D/standby.signal"
expect 0 "start n0 with standby.signal a dangling link" -- agent n0 start
victim_intact "a dangling link at standby.signal"
real_file standby.signal
expect 0 "stop n0" -- agent n0 stop

victim_reset
as_pg mv "$D/postgresql.auto.conf" "$D/auto.conf.saved"
as_pg ln -sfn "$VICTIM" "$D/postgresql.auto.conf"
expect_fail "start n0 with postgresql.auto.conf a link to a root file is refused" -- agent n0 start
one_reason
last_reason | grep -q "postgresql.auto.conf" && ok "  the reason names postgresql.auto.conf" ||
	not_ok "  the reason does not name postgresql.auto.conf"
victim_intact "a link at postgresql.auto.conf"
postmaster_pid n0 >/dev/null && { not_ok "  a postmaster runs"; agent n0 stop >/dev/null 2>&1; } || ok "  no postmaster started"

# With protected_hardlinks off, the database user could link a root file in.
victim_reset
rm -f "$D/postgresql.auto.conf"
ln "$VICTIM" "$D/postgresql.auto.conf"
expect_fail "start n0 with postgresql.auto.conf a hard link to a root file is refused" -- agent n0 start
one_reason
victim_intact "a hard link at postgresql.auto.conf"
postmaster_pid n0 >/dev/null && { not_ok "  a postmaster runs"; agent n0 stop >/dev/null 2>&1; } || ok "  no postmaster started"
rm -f "$D/postgresql.auto.conf"
# A FIFO would block a plain open until the op timeout (timeout only bounds the case).
as_pg mkfifo "$D/postgresql.auto.conf"
AGENT_PRE=(timeout 30)
expect 1 "start n0 with postgresql.auto.conf a FIFO is refused" -- agent n0 start
AGENT_PRE=()
one_reason
postmaster_pid n0 >/dev/null && { not_ok "  a postmaster runs"; agent n0 stop >/dev/null 2>&1; } || ok "  no postmaster started"
rm -f "$D/postgresql.auto.conf"
as_pg mv "$D/auto.conf.saved" "$D/postgresql.auto.conf"

as_pg ln -sfn "$D" "$TMPD/n0/datalink"
expect_fail "start n0 with pgdata a symbolic link is refused" -- agent n0 start OCF_RESKEY_pgdata="$TMPD/n0/datalink"
one_reason
last_reason | grep -q "symbolic link" && ok "  the reason says pgdata is a symbolic link" ||
	not_ok "  the reason does not say pgdata is a symbolic link"
postmaster_pid n0 >/dev/null && { not_ok "  a postmaster runs"; agent n0 stop >/dev/null 2>&1; } || ok "  no postmaster started"

finish
