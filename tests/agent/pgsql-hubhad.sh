#!/bin/bash
# pgsql's monitor answered by hubhad: a real hubhad holding its connection to
# a real PostgreSQL runs the monitor's query for each monitor, and the agent
# uses the answer only as its own instance's, else it connects itself.
# hubhad's IPC service is an abstract socket, private to a network
# namespace: each hubhad here runs in a namespace of its own, and the agent
# runs in the namespace whose hubhad it should reach (entered through a
# process living there: the agent's private /run hides /run/netns).  Each instance logs
# its connections and statements, which tells who asked what.
. "$(dirname "$0")/pgsql-env.sh"

HUBHAD="$top_builddir/tools/hubhad"
NS="hubha-t$$"
pgsql_cleanup() {
	for ns in "$NS-a" "$NS-b"; do ip netns del "$ns" 2>/dev/null; done
	cleanup
}
trap pgsql_cleanup EXIT
setup_failed() { echo "setup failed: $*"; failures=$((failures + 1)); finish; exit 99; }

# hubhad reads its configuration only from a directory no one else can write.
mkdir -m 700 "$TMPD/conf"
: >"$TMPD/conf/hubhad.conf"

# hubhad_start NAME NODE: hubhad in namespace NAME, with NODE's PostgreSQL; HUBHAD_PID.
hubhad_start() {
	ip netns exec "$NS-$1" "$HUBHAD" --config "$TMPD/conf/hubhad.conf" --foreground --interval 60000 \
		--pghost "$TMPD/$2" --pgport "${PORT[$2]}" --pguser postgres >"$TMPD/hubhad-$1.log" 2>&1 &
	HUBHAD_PID=$!
	track_pid "$HUBHAD_PID"
	# Serving once the first report was collected (its connection is up).
	retry 10 grep -q "connection authorized: user=postgres database=postgres application_name=hubhad" \
		"$TMPD/$2/plain.log" || setup_failed "hubhad for $2 did not connect: $(tail -n 3 "$TMPD/hubhad-$1.log")"
}
hubhad_stop() { kill "$1"; wait "$1" 2>/dev/null; untrack_pid "$1"; }

# The agent's connections and the probes hubhad ran, in NODE's server log so far.
conns() { grep -c "connection authorized: user=postgres database=template1" "$TMPD/$1/plain.log"; }
probes() { grep -c "LOG: .*pg_control_system" "$TMPD/$1/plain.log"; }

# monitor NODE NAMESPACE [VAR=VALUE...]: a primary's recurring monitor in NAMESPACE, its debug log
# in $TMPD/err, the libraries the loader loaded listed there too.
monitor() {
	local n=$1 ns=$2
	shift 2
	AGENT_PRE=(nsenter -t "${NSPID[$ns]}" -n)
	expect 8 "$n's monitor in namespace $ns says running as primary" -- \
		mon "$n" HA_debug=1 LD_DEBUG=files OCF_RESKEY_rep_mode=async OCF_RESKEY_node_list="$n" \
		OCF_RESKEY_master_port="${PORT[$n]}" "$@"
	AGENT_PRE=()
}
said() { grep -q -- "$1" "$TMPD/err"; }
loaded_libpq() { grep -q 'file=libpq\.so' "$TMPD/err"; }

echo "# setup: two instances, each with its own hubhad"
for n in n1 n2; do
	pg_node "$n" "$(free_port)" || setup_failed "$n"
	pg_set "$n" "log_connections = on"
	pg_set "$n" "log_statement = 'all'"
	pg_plain_start "$n" || setup_failed "start $n"
done
declare -A NSPID
for ns in a b; do
	ip netns add "$NS-$ns" && ip -n "$NS-$ns" link set lo up || setup_failed "namespace $ns"
	ip netns exec "$NS-$ns" sleep 3600 &
	NSPID[$ns]=$!
	track_pid $!
done
hubhad_start a n1
HUBHAD_A=$HUBHAD_PID
hubhad_start b n2
HUBHAD_B=$HUBHAD_PID

echo "# hubhad answers, for each monitor with a query of its own"
c=$(conns n1) p=$(probes n1)
monitor n1 a
said "Status from hubhad" && ok "  the status came from hubhad" || not_ok "  the status did not come from hubhad"
[ "$(conns n1)" = "$c" ] && ok "  the agent opened no connection" || not_ok "  the agent connected ($(conns n1) vs $c)"
[ "$(probes n1)" = $((p + 1)) ] && ok "  hubhad ran one query for it" || not_ok "  hubhad ran $(($(probes n1) - p)) queries"
! loaded_libpq && ok "  libpq was not loaded" || not_ok "  libpq was loaded"
monitor n1 a
[ "$(probes n1)" = $((p + 2)) ] && ok "  the next monitor, another query" || not_ok "  not one query per monitor"
[ "$(attr n1 pgsql-status)" = PRI ] && ok "  PRI published from hubhad's answer" || not_ok "  status attribute: $(attr n1 pgsql-status)"

echo "# hubhad of another instance: not trusted"
c=$(conns n1)
monitor n1 b
said "hubhad's answer is not used (another postmaster answered)" && ok "  the answer was refused as another postmaster's" ||
	not_ok "  the answer was not refused: $(grep -i hubhad "$TMPD/err" | head -3)"
[ "$(conns n1)" = $((c + 1)) ] && ok "  the agent asked its own instance itself" || not_ok "  the agent did not connect"
loaded_libpq && ok "  libpq loaded for that" || not_ok "  libpq was not loaded"

echo "# monitor_via_hubhad=false"
c=$(conns n1) p=$(probes n1)
monitor n1 a OCF_RESKEY_monitor_via_hubhad=false
[ "$(conns n1)" = $((c + 1)) ] && [ "$(probes n1)" = "$p" ] && ok "  the agent connected itself, hubhad was not asked" ||
	not_ok "  connections $c -> $(conns n1), probes $p -> $(probes n1)"

echo "# a hubhad that does not answer: the monitor waits a quarter of its timeout, then connects"
kill -STOP "$HUBHAD_A"
c=$(conns n1)
monitor n1 a OCF_RESKEY_CRM_meta_timeout=8000
kill -CONT "$HUBHAD_A"
said "hubhad did not answer in time" && ok "  it gave up on hubhad" || not_ok "  no word of hubhad's silence"
[ "$(conns n1)" = $((c + 1)) ] && ok "  the agent connected itself" || not_ok "  the agent did not connect"

echo "# PostgreSQL restarted under hubhad: the answer names the new postmaster"
pg_plain_stop n1 && pg_plain_start n1 || setup_failed "restart n1"
c=$(conns n1)
monitor n1 a
said "Status from hubhad (postmaster $(postmaster_pid n1))" && ok "  hubhad reconnected and named the new postmaster" ||
	not_ok "  not answered by hubhad for the new postmaster: $(grep -i hubhad "$TMPD/err" | head -3)"
[ "$(conns n1)" = "$c" ] && ok "  the agent opened no connection" || not_ok "  the agent connected"

echo "# hubhad stopped"
hubhad_stop "$HUBHAD_A"
c=$(conns n1)
monitor n1 a
said "hubhad is not running" && ok "  no hubhad, said so" || not_ok "  no word of the missing hubhad"
[ "$(conns n1)" = $((c + 1)) ] && ok "  the agent connected itself" || not_ok "  the agent did not connect"

echo "# PostgreSQL stopped with hubhad running: not running, whatever hubhad held"
pg_plain_stop n2 || setup_failed "stop n2"
AGENT_PRE=(nsenter -t "${NSPID[b]}" -n)
expect 7 "n2's monitor says not running" -- mon n2
AGENT_PRE=()
hubhad_stop "$HUBHAD_B"

finish
