#!/bin/bash
# fence_hubha_lab against a stand-in power daemon on a unix socket: the
# FenceAgentAPI surface (stdin and command-line arguments, exit codes, list
# format, metadata) and Pacemaker's own validation (stonith_admin --validate).
# The real lab power daemon is exercised by the lab tests.
set -u
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
AGENT="$top_builddir/fence/fence_hubha_lab"
TMPD=$(mktemp -d)
passes=0 failures=0
ok() { passes=$((passes + 1)); echo "ok - $*"; }
not_ok() { failures=$((failures + 1)); echo "not ok - $*"; }
cleanup() { [ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null; rm -rf "$TMPD"; }
trap cleanup EXIT

# The stand-in: node1 on, node2 off; every request logged.
cat >"$TMPD/daemon" <<'EOS'
#!/bin/bash
read -r action node
echo "$action $node" >>"$STATE/requests"
case $action in
status) [ -f "$STATE/$node.off" ] && echo off || { [ "$node" = node1 ] || [ "$node" = node2 ] && echo on || echo "error no such node $node"; } ;;
off) : >"$STATE/$node.off"; echo ok ;;
on) rm -f "$STATE/$node.off"; echo ok ;;
list) echo "node1 node2" ;;
monitor) echo ok ;;
*) echo "error unknown request" ;;
esac
EOS
chmod +x "$TMPD/daemon"
SOCK="$TMPD/power.sock"
STATE="$TMPD" socat UNIX-LISTEN:"$SOCK",fork EXEC:"$TMPD/daemon" &
SRV=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done

run() { # run RC DESC -- stdin-lines...
	want=$1 desc=$2; shift 3
	printf '%s\n' "socket=$SOCK" "$@" | "$AGENT" >"$TMPD/out" 2>"$TMPD/err"
	got=$?
	[ "$got" = "$want" ] && ok "$desc (rc $got)" || { not_ok "$desc: expected $want, got $got"; cat "$TMPD/err"; }
}
run 0 "status of a node that is on" -- action=status plug=node1
run 0 "off" -- action=off port=node1
run 2 "status after off" -- action=status plug=node1
run 0 "on" -- action=on nodename=node1
run 0 "reboot" -- action=reboot plug=node2
grep -q "^off node2" "$TMPD/requests" && grep -q "^on node2" "$TMPD/requests" && ok "reboot is off then on" || not_ok "reboot requests: $(cat "$TMPD/requests")"
run 0 "list" -- action=list
grep -qx "node1,node1" "$TMPD/out" && grep -qx "node2,node2" "$TMPD/out" && ok "list prints plug,alias lines" || not_ok "list output: $(cat "$TMPD/out")"
run 0 "monitor" -- action=monitor
run 1 "status of an unknown node" -- action=status plug=node9
grep -q "no such node" "$TMPD/err" && ok "reason on stderr" || not_ok "no reason: $(cat "$TMPD/err")"
run 1 "off without a plug" -- action=off
run 1 "unknown action" -- action=frobnicate plug=node1
run 1 "malformed line" -- "this is not key value" action=status plug=node1
run 0 "validate-all" -- action=validate-all
run 1 "validate-all with a relative socket" -- action=validate-all socket=relative
printf 'action=status\nplug=node1\nsocket=%s\n' "$TMPD/nothing.sock" | "$AGENT" 2>"$TMPD/err"
[ $? = 1 ] && grep -q "Cannot reach" "$TMPD/err" && ok "unreachable daemon is an error with a reason" || not_ok "unreachable daemon"
"$AGENT" -o status -n node1 --socket="$SOCK" && ok "command-line options" || not_ok "command-line options"
"$AGENT" -o metadata >"$TMPD/meta.xml" && xmllint --noout "$TMPD/meta.xml" && ok "metadata is XML" || not_ok "metadata"
grep -q '<parameter name="plug"' "$TMPD/meta.xml" && ok "metadata names plug" || not_ok "no plug in metadata"
RNG=${FENCE_RNG:-/usr/share/cluster/relaxng/metadata.rng}
if [ -r "$RNG" ]; then
	xmllint --noout --relaxng "$RNG" "$TMPD/meta.xml" 2>"$TMPD/err" && ok "metadata valid against fence-agents' metadata.rng" ||
		{ not_ok "metadata.rng"; cat "$TMPD/err"; }
else
	not_ok "fence-agents' $RNG is missing (scripts/deps.sh installs fence-agents)"
fi

# Pacemaker's own validation runs the installed agent from its fence agent directory.
if [ -x /usr/sbin/fence_hubha_lab ] && [ "$(id -u)" = 0 ]; then
	stonith_admin --validate --agent fence_hubha_lab --option socket=$SOCK >/dev/null 2>&1 \
		&& ok "stonith_admin --validate passes" || not_ok "stonith_admin --validate"
	stonith_admin --validate --agent fence_hubha_lab --option power_timeout=0 >/dev/null 2>&1 \
		&& not_ok "stonith_admin --validate accepted power_timeout=0" || ok "stonith_admin --validate rejects power_timeout=0"
else
	echo "# stonith_admin --validate needs the agent installed in /usr/sbin (scripts/test.sh installs it)"
fi
echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
