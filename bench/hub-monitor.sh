#!/bin/bash
# Benchmark (not a test): a monitor of ocf:hubha:hub against one of
# ocf:heartbeat:anything, of the same daemon (socat listening on loopback,
# with a pid file), in the same run: wall time (hyperfine) and the processes
# each monitor starts (strace -f: clone/fork and execve).  The hub agent is
# the build directory's, under an OCF_ROOT of symlinks in a temporary
# directory; nothing is installed.  Pacemaker's attribute tools are /bin/true
# here (one process, as the real C programs are).  The hub agent skips an
# unchanged attribute only while the pacemaker-attrd it last wrote through
# still runs; without one (no Pacemaker on the machine) it runs
# crm_attribute on every monitor, the worst case.  The output says which.
#
# usage: bench/hub-monitor.sh [BUILD_DIR]   (default: _b in the source tree)
# env:   RUNS (300) PORT (15399)
set -euo pipefail

die() { echo "bench/hub-monitor.sh: $*" >&2; exit 1; }
case ${1:-} in -h | --help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
B=$(cd "${1:-$SRC/_b}" && pwd)
RUNS=${RUNS:-300} PORT=${PORT:-15399}

[ "$(id -u)" = 0 ] || die "needs root (the agents' run directory)"
for t in hyperfine strace socat jq; do command -v $t >/dev/null || die "needs $t"; done
[ -x "$B/agents/.libs/hub" ] || die "no agent in $B/agents (build first)"
ANY=/usr/lib/ocf/resource.d/heartbeat/anything
[ -x "$ANY" ] || die "needs resource-agents (ocf:heartbeat:anything)"

T=$(mktemp -d /tmp/hubha-bench-hub.XXXXXX)
SOCAT_PID=
cleanup() {
	[ -n "$SOCAT_PID" ] && kill "$SOCAT_PID" 2>/dev/null
	rm -f /run/hubha/hub-bench$$* /run/hubha/bench$$*.attrs
	rm -rf "$T"
}
trap cleanup EXIT

# OCF_ROOT of symlinks: the build's hub agent (the real binary, not libtool's
# wrapper script, so no shell is counted for it) and the installed heartbeat agents.
mkdir -p "$T/ocf/resource.d/hubha" "$T/ocf/lib" "$T/bin"
ln -s /bin/true "$T/bin/crm_attribute"
ln -s /bin/true "$T/bin/attrd_updater"
ln -s "$B/agents/.libs/hub" "$T/ocf/resource.d/hubha/hub"
ln -s /usr/lib/ocf/resource.d/heartbeat "$T/ocf/resource.d/heartbeat"
ln -s /usr/lib/ocf/lib/heartbeat "$T/ocf/lib/heartbeat"

socat TCP-LISTEN:"$PORT",bind=127.0.0.1,reuseaddr,fork SYSTEM:true &
SOCAT_PID=$!
echo "$SOCAT_PID" >"$T/socat.pid"
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.1; done

ENVS=(env -i PATH="$T/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	LD_LIBRARY_PATH="$B/lib/.libs" OCF_ROOT="$T/ocf" HA_LOGFACILITY=none)
SVC="web pidfile=$T/socat.pid exe=/usr/bin/socat start=/usr/bin/socat TCP-LISTEN:$PORT,bind=127.0.0.1 SYSTEM:true"
HUB_PID=("${ENVS[@]}" OCF_RESOURCE_INSTANCE=bench$$a "OCF_RESKEY_services=$SVC" "$T/ocf/resource.d/hubha/hub" monitor)
HUB_TCP=("${ENVS[@]}" OCF_RESOURCE_INSTANCE=bench$$b "OCF_RESKEY_services=$SVC probe=tcp:127.0.0.1:$PORT"
	"$T/ocf/resource.d/hubha/hub" monitor)
ANY_PID=("${ENVS[@]}" OCF_RESOURCE_INSTANCE=bench$$c OCF_RESKEY_binfile=/usr/bin/socat
	OCF_RESKEY_pidfile="$T/socat.pid" "$T/ocf/resource.d/heartbeat/anything" monitor)

for c in HUB_PID HUB_TCP ANY_PID; do
	declare -n cmd=$c
	"${cmd[@]}" >/dev/null 2>&1 || die "$c monitor does not say running (rc $?)"
done

# printf %q: one hyperfine command line per argv, without a shell in between (-N).
q() { local s; printf -v s '%q ' "$@"; echo "$s"; }
hyperfine -N --style none --warmup 10 --runs "$RUNS" --export-json "$T/h.json" \
	-n "hub (pid file)" "$(q "${HUB_PID[@]}")" \
	-n "hub (pid file + TCP probe)" "$(q "${HUB_TCP[@]}")" \
	-n "anything (pid file)" "$(q "${ANY_PID[@]}")" >/dev/null

# Processes started by one monitor: every clone/fork, and every execve past the agent's own.
procs() {
	strace -f -qq -e trace=process -o "$T/st" "$@" >/dev/null 2>&1 || true
	local forks execs
	forks=$(grep -E '(clone3?|v?fork)\(' "$T/st" | grep -cv CLONE_THREAD || true)
	execs=$(grep -cE 'execve.* = 0$' "$T/st" || true)	# "<... execve resumed>) = 0" too
	echo "$forks $((execs - 2))"	# env, then the agent
}
read -r hf he < <(procs "${HUB_PID[@]}")
read -r tf te < <(procs "${HUB_TCP[@]}")
read -r af ae < <(procs "${ANY_PID[@]}")

echo "## one monitor of the same socat: ocf:hubha:hub vs ocf:heartbeat:anything ($RUNS runs each)"
printf '%-28s %9s %9s %7s %7s\n' "agent" "wall ms" "CPU ms" "forks" "execs"
i=0
for row in "hub (pid file):$hf:$he" "hub (pid file + TCP probe):$tf:$te" "anything (pid file):$af:$ae"; do
	IFS=: read -r name f e <<<"$row"
	w=$(jq ".results[$i].median * 1000" "$T/h.json")
	u=$(jq "(.results[$i].user + .results[$i].system) * 1000" "$T/h.json")
	printf '%-28s %9.2f %9.2f %7s %7s\n' "$name" "$w" "$u" "$f" "$e"
	i=$((i + 1))
done
jq -r '.results as $r | "anything / hub (pid file): \($r[2].median / $r[0].median * 10 | round / 10)x wall; anything / hub (TCP probe): \($r[2].median / $r[1].median * 10 | round / 10)x wall (medians)"' "$T/h.json"
attrd=$(head -1 /run/hubha/bench$$a.attrs 2>/dev/null | cut -d' ' -f2)
case ${attrd:-none} in
none) echo "no pacemaker-attrd here: hub ran crm_attribute on every monitor (worst case)" ;;
*) echo "a pacemaker-attrd runs here: hub skipped the unchanged attribute (as on a cluster node)" ;;
esac
echo "processes: anything $af forks, $ae execs; hub $hf forks, $he execs (with a TCP probe: $tf, $te)"
