#!/bin/bash
# Benchmark (not a test): ocf:hubha:vip against ocf:heartbeat:IPaddr2, side by
# side in one run, both managing the same address in a private network
# namespace. Prints wall and CPU time per invocation, processes spawned, and
# the ratios IPaddr2 / vip.
#
# usage: bench/vip.sh [VIP_AGENT_PATH]    (default: the installed agent)
# env:   VIP_RUNS (500) VIP_WARMUP (20) IPADDR2_RUNS (100) IPADDR2_WARMUP (5)
#        BENCH_OUT=DIR keeps hyperfine's JSON and strace's summaries there
set -euo pipefail

VIP=${1:-/usr/lib/ocf/resource.d/hubha/vip}
IPADDR2=/usr/lib/ocf/resource.d/heartbeat/IPaddr2
VIP_RUNS=${VIP_RUNS:-500} VIP_WARMUP=${VIP_WARMUP:-20}
IPADDR2_RUNS=${IPADDR2_RUNS:-100} IPADDR2_WARMUP=${IPADDR2_WARMUP:-5}
GOAL=20 # the project's goal: vip's monitor >= 20x cheaper than IPaddr2's

NS=hubha-bench-$$
NIC=hb0
ADDR=10.213.52.100

die() { echo "bench/vip.sh: $*" >&2; exit 1; }

case $VIP in -h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
[ "$(id -u)" = 0 ] || die "needs root (network namespace, addresses)"

# Install what is missing; the package lists may be stale on a fresh machine.
need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v strace >/dev/null || need+=(strace)
command -v jq >/dev/null || need+=(jq)
command -v ip >/dev/null || need+=(iproute2)
[ -x "$IPADDR2" ] || need+=(resource-agents)
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y "${need[@]}" || { apt-get update && apt-get install -y "${need[@]}"; }
fi

[ -x "$VIP" ] || die "$VIP is not an executable agent (build and install hubha, or pass a path)"

# Measure the same environment for both agents: what pacemaker passes for a
# recurring monitor, plus a cheap start (one gratuitous ARP, sent in the
# foreground so that no announcer outlives the start).
ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin
	OCF_ROOT=/usr/lib/ocf OCF_RA_VERSION_MAJOR=1 OCF_RA_VERSION_MINOR=1
	OCF_RESOURCE_INSTANCE=bench-vip
	OCF_RESKEY_ip="$ADDR" OCF_RESKEY_nic="$NIC" OCF_RESKEY_cidr_netmask=24
	OCF_RESKEY_arp_count=1 OCF_RESKEY_arp_bg=false
	OCF_RESKEY_CRM_meta_interval=10000 OCF_RESKEY_CRM_meta_timeout=20000)

# An uninstalled libtool program is a shell wrapper that would be measured
# with it: run the real binary in .libs/ instead, with the library path the
# wrapper would have set, and give every command that same environment.
if head -c 2 "$VIP" | grep -q '^#!' && grep -q libtool "$VIP"; then
	real=$(dirname "$VIP")/.libs/$(basename "$VIP")
	[ -x "$real" ] || die "$VIP is a libtool wrapper but $real is missing"
	# shellcheck disable=SC2016 # a literal $LD_LIBRARY_PATH in the wrapper
	libs=$(sed -n 's/^ *LD_LIBRARY_PATH="\(.*\):\$LD_LIBRARY_PATH"$/\1/p' "$VIP" | head -n1)
	[ -n "$libs" ] || libs=$(cd "$(dirname "$VIP")/.." && pwd)/lib/.libs
	echo "libtool wrapper: measuring $real with LD_LIBRARY_PATH=$libs"
	VIP=$real
	ENV+=(LD_LIBRARY_PATH="$libs")
fi

OUT=${BENCH_OUT:-$(mktemp -d /tmp/hubha-bench.XXXXXX)}
mkdir -p "$OUT"

# Everything runs in our own namespace, so every process in it is ours:
# kill those by pid, then delete the namespace (and with it the veth pair).
cleanup() {
	local pid
	for pid in $(ip netns pids "$NS" 2>/dev/null || true); do kill "$pid" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
	[ -n "${BENCH_OUT:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A veth pair with both ends inside the namespace: dummy interfaces are not
# available everywhere, and announcements must not leave the namespace.
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add "$NIC" type veth peer name "${NIC}p"
ip -n "$NS" link set "${NIC}p" up
ip -n "$NS" link set "$NIC" up
ip -n "$NS" addr add 10.213.52.1/24 dev "$NIC"

in_ns() { ip netns exec "$NS" "${ENV[@]}" "$@"; }

agent_do() { # agent action: must succeed, output kept for the error only
	local log rc=0
	log=$(in_ns "$1" "$2" 2>&1) || rc=$?
	[ "$rc" = 0 ] || die "$1 $2 failed (rc=$rc): $log"
}

# hyperfine runs inside the namespace with no shell (-N), so each measured
# run is exactly one exec of the agent, for both agents alike.
measure() { # name agent action runs warmup
	local cmd
	cmd="$(printf '%q' "$2") $3"
	echo "measuring $1 $3: $4 runs" >&2
	in_ns hyperfine -N --style basic --warmup "$5" --runs "$4" \
		--export-json "$OUT/$1-$3.json" "$cmd" >/dev/null
	# Processes spawned by one run: execve counts the agent's own exec too;
	# forks are clone/clone3/fork/vfork calls (threads would count as well).
	in_ns strace -f -qq -c -o "$OUT/$1-$3.strace" \
		-e trace=execve,clone,clone3,fork,vfork "$2" "$3" >/dev/null 2>&1 ||
		die "$2 $3 failed under strace"
}

bench_agent() { # name agent runs warmup
	measure "$1" "$2" meta-data "$3" "$4"
	agent_do "$2" start
	agent_do "$2" monitor
	measure "$1" "$2" monitor "$3" "$4"
	agent_do "$2" stop
}

# The floor for any agent run as a process: exec of a trivial binary.
echo "measuring the exec floor (/bin/true): $VIP_RUNS runs" >&2
in_ns hyperfine -N --style basic --warmup "$VIP_WARMUP" --runs "$VIP_RUNS" \
	--export-json "$OUT/floor.json" /bin/true >/dev/null

bench_agent vip "$VIP" "$VIP_RUNS" "$VIP_WARMUP"
bench_agent IPaddr2 "$IPADDR2" "$IPADDR2_RUNS" "$IPADDR2_WARMUP"

calls() { # strace summary, syscall names... -> total calls
	awk -v want=" $* " 'index(want, " " $NF " ") && $4 ~ /^[0-9]+$/ { n += $4 } END { print n + 0 }' "$1"
}

# stats name action -> "runs mean median cpu execs forks" (times in ms)
stats() {
	local f=$OUT/$1-$2
	jq -r '.results[0] | [(.times | length), .mean * 1e3, .median * 1e3,
		(.user + .system) * 1e3] | @tsv' "$f.json" | tr '\n' '\t'
	printf '%s\t%s\n' "$(calls "$f.strace" execve)" "$(calls "$f.strace" clone clone3 fork vfork)"
}

declare -A MEAN MEDIAN CPU
echo
printf '%-10s %-8s %5s %12s %12s %12s %6s %6s\n' action agent runs "wall mean" "wall median" "cpu u+s" execs forks
for action in monitor meta-data; do
	for name in vip IPaddr2; do
		read -r runs mean median cpu execs forks < <(stats "$name" "$action")
		printf '%-10s %-8s %5d %9.3f ms %9.3f ms %9.3f ms %6d %6d\n' \
			"$action" "$name" "$runs" "$mean" "$median" "$cpu" "$execs" "$forks"
		MEAN[$name-$action]=$mean MEDIAN[$name-$action]=$median CPU[$name-$action]=$cpu
	done
done

echo
echo "IPaddr2 / vip (how many times cheaper vip is):"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
for action in monitor meta-data; do
	wall=$(ratio "${MEAN[IPaddr2-$action]}" "${MEAN[vip-$action]}")
	med=$(ratio "${MEDIAN[IPaddr2-$action]}" "${MEDIAN[vip-$action]}")
	cpu=$(ratio "${CPU[IPaddr2-$action]}" "${CPU[vip-$action]}")
	goal=""
	if [ "$action" = monitor ]; then
		met=$(awk -v w="$wall" -v c="$cpu" -v g=$GOAL 'BEGIN { print (w >= g && c >= g) ? "met" : "NOT met" }')
		goal="   goal >= ${GOAL}x in wall and CPU: $met"
	fi
	printf '  %-10s wall %6sx (median %6sx)  cpu %6sx%s\n' "$action" "$wall" "$med" "$cpu" "$goal"
done
jq -r '.results[0] | [.mean * 1e3, (.user + .system) * 1e3] | @tsv' "$OUT/floor.json" |
	{ read -r wall cpu; printf 'exec floor (/bin/true): wall %.3f ms, cpu %.3f ms\n' "$wall" "$cpu"; }
[ -z "${BENCH_OUT:-}" ] || echo "raw results in $OUT"
