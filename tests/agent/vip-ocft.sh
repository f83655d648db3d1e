#!/bin/bash
# resource-agents' own ocft cases for IPaddr2 (IPaddr2v4), run with the agent
# swapped for vip.  ocft reads its configs and writes its compiled cases in
# fixed system directories, so it runs in a private mount namespace with
# tmpfs over both, inside a network namespace with the eth0/eth1 it expects.
. "$(dirname "$0")/netns.sh"

CONFIGS=/usr/share/resource-agents/ocft/configs
CASES=/var/lib/resource-agents/ocft/cases
N="$NS_PREFIX-f"
ns_add "$N"
for i in eth0 eth1; do
	ip -n "$N" link add $i type veth peer name ${i}p
	ip -n "$N" link set ${i}p up; ip -n "$N" link set $i up
done

agentdir=$(cd "$top_builddir/agents" && pwd)
sed -e 's/^\tAgent IPaddr2$/\tAgent vip/' -e "s|^\tAgentRoot .*|\tAgentRoot $agentdir|" \
	"$CONFIGS/IPaddr2v4" >"$TMPD/vip"
grep -q "AgentRoot $agentdir" "$TMPD/vip" || { not_ok "could not adapt IPaddr2v4"; finish; exit; }

ip netns exec "$N" unshare --mount --propagation private bash -c "
	mkdir -p $CASES
	mount -t tmpfs none $CONFIGS && mount -t tmpfs none $CASES &&
	cp '$TMPD/vip' $CONFIGS/vip && ocft make vip >/dev/null && ocft test vip
" >"$TMPD/ocft" 2>&1
cat "$TMPD/ocft"
cases=$(grep -c '^Initializing\|^Starting' "$TMPD/ocft")
grep -q 'ERROR\|FAILED\|failed' "$TMPD/ocft" && not_ok "ocft IPaddr2v4 cases" || ok "ocft IPaddr2v4 cases"
grep -q 'normal start' "$TMPD/ocft" && ok "ocft ran the cases" || not_ok "ocft ran no case"
finish
