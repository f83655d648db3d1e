#!/bin/bash
# vip against the real kernel: two namespaces joined by a veth pair; the
# address moves between them, its announcements are captured on the wire.
. "$(dirname "$0")/netns.sh"

VIP="$top_builddir/agents/vip"
A="$NS_PREFIX-a"; B="$NS_PREFIX-b"
ns_add "$A"; ns_add "$B"
ip link add hva$$ netns "$A" type veth peer name hvb$$ netns "$B"
ip -n "$A" link set hva$$ name a0; ip -n "$B" link set hvb$$ name b0
ip -n "$A" addr add 10.213.50.1/24 dev a0; ip -n "$B" addr add 10.213.50.2/24 dev b0
ip -n "$A" addr add fd00:213:50::1/64 dev a0 nodad; ip -n "$B" addr add fd00:213:50::2/64 dev b0 nodad
ip -n "$A" link set a0 up; ip -n "$B" link set b0 up

V4=10.213.50.100
V6=fd00:213:50::100

# agent NS ACTION [VAR=VALUE...]: run the agent in NS with a clean OCF environment.
agent() {
	ns=$1 action=$2; shift 2
	ip netns exec "$ns" env -i PATH="$PATH" OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=test-vip-$$ \
		OCF_RESKEY_arp_bg=false OCF_RESKEY_arp_interval=50 "$@" \
		${AGENT_WRAPPER:+"$top_builddir/libtool" --mode=execute $AGENT_WRAPPER} "$VIP" "$action"
	wrapped_rc $? "$action"
}
has_addr() { ip -n "$1" -o addr show | grep -q " $2/"; }
# Live vip processes in NS (after start returns, only a background announcer);
# under AGENT_WRAPPER=valgrind the agent's processes are valgrind's.
announcers() {
	for p in $(ip netns pids "$1"); do
		case $(cat /proc/$p/comm 2>/dev/null) in vip | memcheck-*) ;; *) continue ;; esac
		grep -q '^[^)]*) Z' /proc/$p/stat 2>/dev/null || echo $p
	done
}
garps() { grep -c "Request who-has $V4 tell $V4" "$CAP_FILE"; }

echo "# IPv4: start on A, announced on the wire"
expect 7 "probe before start" -- agent "$A" monitor OCF_RESKEY_ip=$V4
capture_start "$B" b0 arp
expect 0 "start on A" -- agent "$A" start OCF_RESKEY_ip=$V4 OCF_RESKEY_arp_count=3
capture_stop
has_addr "$A" $V4 && ok "address is on A" || not_ok "address is not on A"
ip -n "$A" -o -4 addr show dev a0 | grep -q "$V4/24 brd 10.213.50.255" \
	&& ok "netmask and broadcast taken from the connected route" || not_ok "wrong prefix/broadcast: $(ip -n "$A" -o -4 addr show dev a0)"
n=$(grep -c "Request who-has $V4 tell $V4" "$CAP_FILE")
[ "$n" = 3 ] && ok "3 gratuitous ARPs seen on B" || { not_ok "expected 3 gratuitous ARPs on B, saw $n"; cat "$CAP_FILE"; }
expect 0 "monitor on A" -- agent "$A" monitor OCF_RESKEY_ip=$V4 OCF_RESKEY_CRM_meta_interval=10000
expect 0 "second start is a no-op" -- agent "$A" start OCF_RESKEY_ip=$V4
ip netns exec "$B" ping -c1 -W2 $V4 >/dev/null && ok "B reaches the address on A" || not_ok "B cannot ping $V4"

echo "# link state"
ip -n "$A" link set a0 down
expect 1 "monitor with the link down" -- agent "$A" monitor OCF_RESKEY_ip=$V4 OCF_RESKEY_CRM_meta_interval=10000
last_reason | grep -q "a0.*down" && ok "reason names the down link" || not_ok "reason: $(last_reason)"
ip -n "$A" link set a0 up
# The kernel drops IPv6 addresses when a link goes down.
ip -n "$A" addr add fd00:213:50::1/64 dev a0 nodad

echo "# move to B"
expect 0 "stop on A" -- agent "$A" stop OCF_RESKEY_ip=$V4
has_addr "$A" $V4 && not_ok "address still on A" || ok "address gone from A"
expect 0 "second stop is a no-op" -- agent "$A" stop OCF_RESKEY_ip=$V4
expect 7 "monitor on A after stop" -- agent "$A" monitor OCF_RESKEY_ip=$V4 OCF_RESKEY_CRM_meta_interval=10000
capture_start "$A" a0 arp
expect 0 "start on B" -- agent "$B" start OCF_RESKEY_ip=$V4 OCF_RESKEY_nic=b0 OCF_RESKEY_cidr_netmask=24 OCF_RESKEY_arp_count=2
capture_stop
n=$(grep -c "Request who-has $V4 tell $V4" "$CAP_FILE")
[ "$n" = 2 ] && ok "2 gratuitous ARPs seen on A" || { not_ok "expected 2 gratuitous ARPs on A, saw $n"; cat "$CAP_FILE"; }
ip netns exec "$A" ping -c1 -W2 $V4 >/dev/null && ok "A reaches the address now on B" || not_ok "A cannot ping $V4"
expect 0 "stop on B" -- agent "$B" stop OCF_RESKEY_ip=$V4

echo "# background announcements"
capture_start "$B" b0 arp
expect 0 "start with arp_bg=true" -- agent "$A" start OCF_RESKEY_ip=$V4 OCF_RESKEY_arp_bg=true OCF_RESKEY_arp_count=4
capture_stop 0.6
n=$(grep -c "Request who-has $V4 tell $V4" "$CAP_FILE")
[ "$n" = 4 ] && ok "4 ARPs, 3 of them from the background" || not_ok "expected 4 ARPs, saw $n"
expect 0 "stop" -- agent "$A" stop OCF_RESKEY_ip=$V4

echo "# stop ends the background announcer"
capture_start "$B" b0 arp
expect 0 "start with arp_bg=true and a long arp_count" -- agent "$A" start OCF_RESKEY_ip=$V4 OCF_RESKEY_arp_bg=true \
	OCF_RESKEY_arp_count=1000 OCF_RESKEY_arp_interval=100
for _ in $(seq 50); do [ "$(garps)" -ge 3 ] && break; sleep 0.1; done
pids=$(announcers "$A")
for p in $pids; do track_pid "$p"; done
[ -n "$pids" ] && ok "an announcer runs in the background" || not_ok "no announcer in the background"
expect 0 "stop" -- agent "$A" stop OCF_RESKEY_ip=$V4
[ -z "$(announcers "$A")" ] && ok "no announcer left after stop" || not_ok "announcer still running: $(announcers "$A")"
# Frames sent before the stop may reach the capture file late on a busy machine: count from a
# marker A sends after it (an ARP for an unused address), which the capture keeps in order.
ip netns exec "$A" ping -c1 -W1 10.213.50.77 >/dev/null 2>&1
for _ in $(seq 50); do grep -q "Request who-has 10.213.50.77 tell" "$CAP_FILE" && break; sleep 0.1; done
n1=$(garps); sleep 1; n2=$(garps)
capture_stop
[ "$n1" = "$n2" ] && ok "no gratuitous ARP after stop" || not_ok "gratuitous ARPs after stop: $n1, a second later $n2"
expect 0 "start with arp_bg=true again" -- agent "$A" start OCF_RESKEY_ip=$V4 OCF_RESKEY_arp_bg=true \
	OCF_RESKEY_arp_count=1000 OCF_RESKEY_arp_interval=100
for p in $(announcers "$A"); do track_pid "$p"; done
expect 0 "stop with ip no longer an address still ends the announcer" -- agent "$A" stop OCF_RESKEY_ip=10.213.50.300
[ -z "$(announcers "$A")" ] && ok "no announcer left" || not_ok "announcer still running: $(announcers "$A")"
expect 0 "stop" -- agent "$A" stop OCF_RESKEY_ip=$V4
echo "# a pid file naming another process is not signalled"
sleep 1000 & decoy=$!; track_pid $decoy
mkdir -p -m 0700 /run/hubha; echo "$decoy" >/run/hubha/vip-test-vip-$$.pid
expect 0 "stop with a foreign pid file" -- agent "$A" stop OCF_RESKEY_ip=$V4
kill -0 $decoy 2>/dev/null && ok "the decoy lives" || not_ok "stop signalled a process that is not its announcer"
rm -f /run/hubha/vip-test-vip-$$.pid

echo "# stop and probe when the configuration became invalid"
expect 0 "start" -- agent "$A" start OCF_RESKEY_ip=$V4 OCF_RESKEY_arp_count=0
expect 6 "a probe does not call a configured address not running" -- agent "$A" monitor OCF_RESKEY_ip=$V4 \
	OCF_RESKEY_cidr_netmask=33
expect 0 "stop with cidr_netmask now out of range" -- agent "$A" stop OCF_RESKEY_ip=$V4 OCF_RESKEY_cidr_netmask=33
has_addr "$A" $V4 && not_ok "address left on A" || ok "the address, found by ip alone, is removed"
expect 0 "stop with ip no longer an address" -- agent "$A" stop OCF_RESKEY_ip=10.213.50.300
expect 0 "stop with ip missing" -- agent "$A" stop
expect 7 "probe with ip no longer an address" -- agent "$A" monitor OCF_RESKEY_ip=10.213.50.300
expect 7 "probe with cidr_netmask out of range, address absent" -- agent "$A" monitor OCF_RESKEY_ip=$V4 \
	OCF_RESKEY_cidr_netmask=33
expect 6 "a recurring monitor still refuses" -- agent "$A" monitor OCF_RESKEY_ip=10.213.50.300 \
	OCF_RESKEY_CRM_meta_interval=10000

echo "# label, lifetime"
expect 0 "start with iflabel" -- agent "$A" start OCF_RESKEY_ip=$V4 OCF_RESKEY_iflabel=vip OCF_RESKEY_arp_count=0
ip -n "$A" -o -4 addr show dev a0 | grep -q "$V4/24.*a0:vip" && ok "label a0:vip" || not_ok "no label: $(ip -n "$A" -o -4 addr show dev a0)"
expect 0 "stop" -- agent "$A" stop OCF_RESKEY_ip=$V4

echo "# IPv6"
capture_start "$B" b0 "icmp6 and ip6[40] == 136"
expect 0 "IPv6 start (waits for DAD)" -- agent "$A" start OCF_RESKEY_ip=$V6 OCF_RESKEY_arp_count=2
capture_stop
n=$(grep -c "neighbor advertisement, tgt is $V6" "$CAP_FILE")
[ "$n" -ge 2 ] && ok "unsolicited NAs seen on B ($n)" || { not_ok "expected 2 NAs on B, saw $n"; cat "$CAP_FILE"; }
ip -n "$A" -o -6 addr show dev a0 | grep -q "$V6/64" && ok "IPv6 address /64 from the route" || not_ok "no v6 address"
expect 0 "IPv6 monitor" -- agent "$A" monitor OCF_RESKEY_ip=$V6 OCF_RESKEY_CRM_meta_interval=10000
ip netns exec "$B" ping -6 -c1 -W2 $V6 >/dev/null && ok "B reaches the IPv6 address" || not_ok "B cannot ping $V6"
expect 0 "IPv6 stop" -- agent "$A" stop OCF_RESKEY_ip=$V6
expect 0 "IPv6 nodad start, deprecated (preferred_lft=0)" -- agent "$A" start OCF_RESKEY_ip=$V6 OCF_RESKEY_nodad=true OCF_RESKEY_preferred_lft=0
ip -n "$A" -o -6 addr show dev a0 | grep "$V6" | grep -q deprecated && ok "preferred_lft=0 marks it deprecated" || not_ok "not deprecated: $(ip -n "$A" -o -6 addr show dev a0)"
expect 0 "IPv6 stop" -- agent "$A" stop OCF_RESKEY_ip=$V6

echo "# bad input: right code, one reason line, nothing changed"
before=$(ip -n "$A" -o addr show)
bad() {
	want=$1 desc=$2; shift 2
	expect "$want" "$desc" -- agent "$A" start "$@"
	[ "$(grep -c '^ocf-exit-reason:' "$TMPD/err")" = 1 ] && ok "  one reason: $(last_reason)" || not_ok "  no single reason line"
}
bad 6 "ip not an address" OCF_RESKEY_ip=10.213.50.300
bad 6 "ip missing"
bad 6 "netmask out of range" OCF_RESKEY_ip=$V4 OCF_RESKEY_cidr_netmask=33
bad 6 "IPv4 address with an IPv6 netmask" OCF_RESKEY_ip=$V4 OCF_RESKEY_cidr_netmask=64
bad 6 "dotted netmask" OCF_RESKEY_ip=$V4 OCF_RESKEY_cidr_netmask=255.255.255.0
bad 5 "nic that does not exist here" OCF_RESKEY_ip=$V4 OCF_RESKEY_nic=nosuch0
bad 6 "broadcast with IPv6" OCF_RESKEY_ip=$V6 OCF_RESKEY_broadcast=10.213.50.255
bad 6 "iflabel with IPv6" OCF_RESKEY_ip=$V6 OCF_RESKEY_iflabel=x
bad 6 "label too long" OCF_RESKEY_ip=$V4 OCF_RESKEY_nic=a0 OCF_RESKEY_iflabel=muchtoolonglabel
bad 6 "arp_count not an integer" OCF_RESKEY_ip=$V4 OCF_RESKEY_arp_count=many
bad 6 "nodad not a boolean" OCF_RESKEY_ip=$V4 OCF_RESKEY_nodad=maybe
bad 6 "preferred_lft nonsense" OCF_RESKEY_ip=$V4 OCF_RESKEY_preferred_lft=-5
bad 1 "no connected network here covers the address" OCF_RESKEY_ip=10.99.0.1
bad 1 "netmask wider than the connected network here" OCF_RESKEY_ip=$V4 OCF_RESKEY_cidr_netmask=16
bad 6 "arp_count x arp_interval beyond half the start timeout" OCF_RESKEY_ip=$V4 OCF_RESKEY_arp_count=1000 \
	OCF_RESKEY_arp_interval=60000
last_reason | grep -q "arp_count=1000.*arp_interval=60000" && ok "  the reason names both" || not_ok "  reason: $(last_reason)"
[ "$before" = "$(ip -n "$A" -o addr show)" ] && ok "addresses unchanged by bad input" || not_ok "bad input changed addresses"
expect 5 "validate-all with a missing nic" -- agent "$A" validate-all OCF_RESKEY_ip=$V4 OCF_RESKEY_nic=nosuch0
expect 0 "validate-all good" -- agent "$A" validate-all OCF_RESKEY_ip=$V4 OCF_RESKEY_nic=a0
expect 7 "probe with a nic that does not exist" -- agent "$A" monitor OCF_RESKEY_ip=$V4 OCF_RESKEY_nic=nosuch0
expect 0 "validate-all: 100 x 100 ms fit in half of 30 s" -- agent "$A" validate-all OCF_RESKEY_ip=$V4 \
	OCF_RESKEY_arp_count=100 OCF_RESKEY_arp_interval=100 OCF_RESKEY_CRM_meta_timeout=30000
expect 6 "validate-all: 100 x 100 ms do not fit in half of 15 s" -- agent "$A" validate-all OCF_RESKEY_ip=$V4 \
	OCF_RESKEY_arp_count=100 OCF_RESKEY_arp_interval=100 OCF_RESKEY_CRM_meta_timeout=15000
expect 0 "validate-all: in the background, any count" -- agent "$A" validate-all OCF_RESKEY_ip=$V4 \
	OCF_RESKEY_arp_bg=true OCF_RESKEY_arp_count=1000 OCF_RESKEY_arp_interval=60000
expect 6 "a recurring monitor refuses a refresh longer than half its timeout" -- agent "$A" monitor OCF_RESKEY_ip=$V4 \
	OCF_RESKEY_arp_count_refresh=1000 OCF_RESKEY_arp_interval=60000 OCF_RESKEY_CRM_meta_interval=10000
expect 0 "stop does not care about announcement settings" -- agent "$A" stop OCF_RESKEY_ip=$V4 \
	OCF_RESKEY_arp_count_refresh=1000 OCF_RESKEY_arp_count=1000 OCF_RESKEY_arp_interval=60000
expect 0 "stop with a nic that does not exist" -- agent "$A" stop OCF_RESKEY_ip=$V4 OCF_RESKEY_nic=nosuch0
expect 3 "unknown action" -- agent "$A" frobnicate OCF_RESKEY_ip=$V4
expect 0 "meta-data with nothing set" -- agent "$A" meta-data

finish
