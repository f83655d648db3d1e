#!/bin/bash
# ocf-tester (resource-agents) on vip, IPv4 and IPv6, inside our own namespace.
. "$(dirname "$0")/netns.sh"

VIP="$top_builddir/agents/vip"
N="$NS_PREFIX-o"
ns_add "$N"
ip -n "$N" link add t0 type veth peer name t0p; ip -n "$N" link set t0p up
ip -n "$N" addr add 10.213.51.1/24 dev t0
ip -n "$N" addr add fd00:213:51::1/64 dev t0 nodad
ip -n "$N" link set t0 up

for ip in 10.213.51.100 fd00:213:51::100; do
	if ip netns exec "$N" env OCF_ROOT=/usr/lib/ocf ocf-tester -n vip -o ip=$ip -o nodad=true "$VIP" \
		>"$TMPD/tester" 2>&1 && grep -q "vip passed all tests" "$TMPD/tester"; then
		ok "ocf-tester passes with ip=$ip"
	else
		not_ok "ocf-tester with ip=$ip"; sed 's/^/#   /' "$TMPD/tester"
	fi
done
ip -n "$N" -o addr show | grep -q '::100\|\.100/' && not_ok "ocf-tester left the address behind" || ok "nothing left behind"
finish
