#!/bin/bash
# Benchmark (not a test): the whole-process cost of the PostgreSQL agents'
# actions, ocf:hubha:pgsql against ocf:heartbeat:pgsql and PAF's
# ocf:heartbeat:pgsqlms, in one run, each managing a real 2-node lab cluster
# (a primary and a streaming standby). Prints wall and CPU time per invocation,
# processes spawned, and the ratios anchor / hubha.  hubha's monitor is
# measured answered by hubhad (hubha), and connecting itself
# (hubha-direct: monitor_via_hubhad=false), in the same cluster.
#
# usage: bench/pgsql.sh [hubha|heartbeat|paf ...]   (default: all three)
# env:   HUBHA_RUNS (100) HUBHA_WARMUP (10) ANCHOR_RUNS (20) ANCHOR_WARMUP (3)
#        BENCH_OUT=DIR keeps hyperfine's JSON, strace's summaries and the
#        captured environments there
#        HUBHA_BEFORE=FILE another build's agent binary (e.g. an older
#        agents/.libs/pgsql), whose monitor is measured too (hubha-before)
# shellcheck disable=SC2317 # functions called through wait_for "$@" and traps
set -uo pipefail

HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
LAB=$SRC/tests/lab/lab
STACK=$SRC/tests/lab/hub-stack
PGBIN=/usr/lib/postgresql/15/bin
PGRUN=/var/lib/hubha-lab/pg/run
BDIR=/var/lib/hubha-lab/bench # inside a node: its own directory, seen on the host under the lab's state
HUBHA_RUNS=${HUBHA_RUNS:-100} HUBHA_WARMUP=${HUBHA_WARMUP:-10}
ANCHOR_RUNS=${ANCHOR_RUNS:-20} ANCHOR_WARMUP=${ANCHOR_WARMUP:-3}
GOAL_CPU=50 # the project's goal: hubha's monitor >= 50x less CPU than heartbeat:pgsql's, no fork
declare -A AGENT=([hubha]=/usr/lib/ocf/resource.d/hubha/pgsql
	[heartbeat]=/usr/lib/ocf/resource.d/heartbeat/pgsql
	[paf]=/usr/lib/ocf/resource.d/heartbeat/pgsqlms)
declare -A LABEL=([hubha]=ocf:hubha:pgsql [heartbeat]=ocf:heartbeat:pgsql [paf]=ocf:heartbeat:pgsqlms)

die() { echo "bench/pgsql.sh: $*" >&2; exit 1; }
say() { echo "bench/pgsql.sh: $*" >&2; }

case ${1:-} in -h | --help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
[ "$(id -u)" = 0 ] || die "needs root (the lab's namespaces)"
STACKS=("$@")
[ ${#STACKS[@]} -gt 0 ] || STACKS=(hubha heartbeat paf)
for s in "${STACKS[@]}"; do [ -n "${AGENT[$s]:-}" ] || die "unknown agent '$s' (hubha, heartbeat, paf)"; done

# Install what is missing; the package lists may be stale on a fresh machine.
need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v strace >/dev/null || need+=(strace)
command -v jq >/dev/null || need+=(jq)
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v pcs >/dev/null || need+=(pcs)
command -v socat >/dev/null || need+=(socat)
command -v pacemakerd >/dev/null || need+=(pacemaker pacemaker-cli-utils)
command -v corosync >/dev/null || need+=(corosync)
[ -x "$PGBIN/postgres" ] || need+=(postgresql-15)
[ -x "${AGENT[heartbeat]}" ] || need+=(resource-agents)
[ -x "${AGENT[paf]}" ] || need+=(resource-agents-paf)
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y "${need[@]}" || { apt-get update && apt-get install -y "${need[@]}"; } ||
		die "could not install ${need[*]}"
fi
[ -x "${AGENT[hubha]}" ] || die "${AGENT[hubha]} is missing (build and install hubha: scripts/build.sh)"
[ -x /usr/sbin/fence_hubha_lab ] || die "/usr/sbin/fence_hubha_lab is missing (install hubha)"

# The lab is shared: use it only if nobody else has it up, and take it down only if we brought it up.
if "$LAB" status >/dev/null 2>&1; then die "a lab is up already (someone else's?); tests/lab/lab down first"; fi
OUT=${BENCH_OUT:-$(mktemp -d /tmp/hubha-bench-pgsql.XXXXXX)}
mkdir -p "$OUT"
LAB_OURS=0
cleanup() {
	[ "$LAB_OURS" = 0 ] || "$LAB" down >/dev/null 2>&1
	[ -n "${BENCH_OUT:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run() { "$LAB" run "$@"; } # run NODE CMD... inside the node
sql() { run "$1" "$PGBIN/psql" -X -Atq -h "$PGRUN" -U postgres -d postgres -c "$2" 2>/dev/null; }
attr() { # attr NODE NAME [LIFETIME]: a node attribute, as any node sees it
	run "$1" crm_attribute --lifetime="${3:-reboot}" --node="$1" --name="$2" --query --quiet 2>/dev/null
}
wait_for() { # wait_for SECONDS CMD...
	local n=$(($1 * 4)); shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.25; done
	return 1
}

# The standby streams and the agent has noticed it: the steady state a recurring monitor sees.
settled() { # settled STACK PRIMARY STANDBY
	[ "$(sql "$2" "select state from pg_stat_replication where application_name = '$3'")" = streaming ] || return 1
	case $1 in
	hubha) attr "$3" cfpgsql-data-status | grep -q '^STREAMING' ;;
	heartbeat) [ "$(attr "$3" cfpgsql-data-status forever)" = "STREAMING|ASYNC" ] && [ "$(attr "$3" cfpgsql-status)" = HS:async ] ;;
	paf) [ "$(attr "$3" master-cfpgsql forever)" -ge 0 ] 2>/dev/null ;;
	esac
}

# A cluster with STACK's agent: lab up, PostgreSQL, fencing and the stack (tests/lab/hub-stack).
build() { # build STACK -> PRIMARY STANDBY
	"$LAB" down >/dev/null 2>&1
	LAB_OURS=1
	"$LAB" up >"$OUT/$1-lab.log" 2>&1 && "$LAB" wait-online 120 >>"$OUT/$1-lab.log" 2>&1 || {
		say "$1: the lab did not come up"; cat "$OUT/$1-lab.log" >&2; return 1; }
	PRIMARY=$(timeout 300 "$STACK" --stack "$1" 2>"$OUT/$1-stack.log") && [ -n "$PRIMARY" ] || {
		say "$1: the stack did not come up"; cat "$OUT/$1-stack.log" >&2; "$LAB" status >&2; return 1; }
	STANDBY=node1
	[ "$PRIMARY" = node1 ] && STANDBY=node2
	wait_for 90 settled "$1" "$PRIMARY" "$STANDBY" || {
		say "$1: $STANDBY is not a settled streaming standby of $PRIMARY after 90 s"; "$LAB" status -A >&2; return 1; }
}

# Capture the environment pacemaker-execd gives the agent for its recurring monitor on NODE, with
# a wrapper bind-mounted over the agent in the node's private mount namespace only: it saves the
# environment (and the working directory) and execs the real agent, reached through a second bind
# mount of /usr/lib/ocf (PAF finds its libraries relative to its own path). Both mounts are gone
# again when this returns; the host's /usr is never touched.
capture_env() { # capture_env NODE AGENT promoted|unpromoted
	local n=$1 agent=$2 role=$3 rel=${2#/usr/lib/ocf/} ok=0
	run "$n" sh -c "mkdir -p $BDIR/ocf && rm -f $BDIR/env.* && mount --rbind /usr/lib/ocf $BDIR/ocf &&
		cat >$BDIR/wrap <<'EOF'
#!/bin/sh
if [ \"\$1\" = monitor ] && [ \"\${OCF_RESKEY_CRM_meta_interval:-0}\" != 0 ]; then
	r=unpromoted
	[ \"\${OCF_RESKEY_CRM_meta_role:-}\" = Promoted ] && r=promoted
	env -0 >$BDIR/env.\$r.tmp && mv $BDIR/env.\$r.tmp $BDIR/env.\$r
fi
exec $BDIR/ocf/$rel \"\$@\"
EOF
		chmod 0755 $BDIR/wrap && mount --bind $BDIR/wrap $agent" || {
		say "$n: could not put the capture wrapper in place"; return 1; }
	wait_for 30 run "$n" test -s "$BDIR/env.$role" && ok=1
	run "$n" sh -c "umount $agent; umount -l $BDIR/ocf"
	run "$n" sh -c "! grep -q '^exec $BDIR' $agent" || die "$n: the capture wrapper is still over $agent"
	[ "$ok" = 1 ] || { say "$n: no recurring $role monitor seen in 30 s"; return 1; }
	run "$n" cat "$BDIR/env.$role" >"$OUT/$CUR-$role.env"
}

# The captured environment as env(1) arguments, for ACTION: what a recurring monitor gets, or the
# same with interval 0 and the action's name for the one-shot actions. Sets ENVARGS and CWD.
load_env() { # load_env FILE ACTION
	local v
	ENVARGS=() CWD=/
	while IFS= read -r -d '' v; do
		case $v in
		_=* | SHLVL=* | OLDPWD=*) ;;
		PWD=*) CWD=${v#PWD=} ;;
		OCF_RESKEY_CRM_meta_interval=*) [ "$2" = monitor ] && ENVARGS+=("$v") || ENVARGS+=(OCF_RESKEY_CRM_meta_interval=0) ;;
		OCF_RESKEY_CRM_meta_name=*) ENVARGS+=("OCF_RESKEY_CRM_meta_name=$2") ;;
		*) ENVARGS+=("$v") ;;
		esac
	done <"$1"
}

# hyperfine runs inside the node with no shell (-N), so each measured run is exactly one exec of
# the agent in pacemaker's environment; -i because a primary's monitor exits 8. One more run under
# strace counts the processes spawned.
measure() { # measure NODE ROLE ACTION RUNS WARMUP [AS [BINARY]] (the environment: load_env)
	local n=$1 role=$2 action=$3 as=${6:-$CUR} bin=${7:-${AGENT[$CUR]}} tag rc=0
	tag=$as-$3-$2
	run "$n" env -i -C "$CWD" "${ENVARGS[@]}" "$bin" "$action" >/dev/null 2>&1 || rc=$?
	echo "$rc" >"$OUT/$tag.rc"
	say "measuring $as $action on the $role ($n, rc $rc): $4 runs"
	timeout 600 "$LAB" run "$n" env -i -C "$CWD" "${ENVARGS[@]}" hyperfine -N -i --style basic \
		--warmup "$5" --runs "$4" --export-json "$BDIR/$tag.json" "$bin $action" >/dev/null 2>&1 &&
		run "$n" cat "$BDIR/$tag.json" >"$OUT/$tag.json" || { say "$tag: hyperfine failed"; rm -f "$OUT/$tag.json"; }
	timeout 120 "$LAB" run "$n" env -i -C "$CWD" "${ENVARGS[@]}" strace -f -qq -c -o "$BDIR/$tag.strace" \
		-e trace=execve,clone,clone3,fork,vfork "$bin" "$action" >/dev/null 2>&1
	run "$n" cat "$BDIR/$tag.strace" >"$OUT/$tag.strace" 2>/dev/null || rm -f "$OUT/$tag.strace"
}

# hubha's monitor on NODE also connecting itself, and as another build has it.
hubha_variants() { # hubha_variants NODE ROLE RUNS WARMUP
	local env=("${ENVARGS[@]}")
	ENVARGS+=(OCF_RESKEY_monitor_via_hubhad=false)
	measure "$1" "$2" monitor "$3" "$4" hubha-direct
	ENVARGS=("${env[@]}")
	if [ -n "${HUBHA_BEFORE:-}" ]; then
		run "$1" sh -c "cat >$BDIR/pgsql-before && chmod 0755 $BDIR/pgsql-before" <"$HUBHA_BEFORE" &&
			measure "$1" "$2" monitor "$3" "$4" hubha-before "$BDIR/pgsql-before"
	fi
}

bench_stack() { # bench_stack STACK
	local runs=$ANCHOR_RUNS warmup=$ANCHOR_WARMUP t0=$SECONDS
	CUR=$1
	[ "$CUR" = hubha ] && runs=$HUBHA_RUNS warmup=$HUBHA_WARMUP
	say "$CUR (${LABEL[$CUR]}): building a 2-node cluster"
	build "$CUR" || { echo "cluster setup failed" >"$OUT/$CUR.failed"; return 1; }
	say "$CUR: primary $PRIMARY, streaming standby $STANDBY ($((SECONDS - t0)) s); capturing the monitors' environments"
	capture_env "$PRIMARY" "${AGENT[$CUR]}" promoted &&
		capture_env "$STANDBY" "${AGENT[$CUR]}" unpromoted ||
		{ echo "no monitor environment captured" >"$OUT/$CUR.failed"; return 1; }
	# Maintenance mode: pacemaker cancels the recurring monitors and runs nothing of its own.
	run "$PRIMARY" crm_attribute --type crm_config --name maintenance-mode --update true >/dev/null
	wait_for 30 sh -c "'$LAB' run $PRIMARY crm_mon -1 --output-as=xml 2>/dev/null | grep -q 'maintenance-mode=\"true\"'" ||
		say "$CUR: crm_mon does not show maintenance mode"
	sleep 3 # an operation already running finishes
	load_env "$OUT/$CUR-promoted.env" monitor
	measure "$PRIMARY" primary monitor "$runs" "$warmup"
	[ "$CUR" = hubha ] && hubha_variants "$PRIMARY" primary "$runs" "$warmup"
	if [ "$CUR" = hubha ]; then # the floor for any agent run as a process, in the same environment
		say "measuring the exec floor (/bin/true) on $PRIMARY: $HUBHA_RUNS runs"
		"$LAB" run "$PRIMARY" env -i -C "$CWD" "${ENVARGS[@]}" hyperfine -N --style basic --warmup "$HUBHA_WARMUP" \
			--runs "$HUBHA_RUNS" --export-json "$BDIR/floor.json" /bin/true >/dev/null 2>&1 &&
			run "$PRIMARY" cat "$BDIR/floor.json" >"$OUT/floor.json"
	fi
	for action in meta-data validate-all; do
		load_env "$OUT/$CUR-promoted.env" "$action"
		measure "$PRIMARY" primary "$action" "$runs" "$warmup"
	done
	load_env "$OUT/$CUR-unpromoted.env" monitor
	measure "$STANDBY" standby monitor "$runs" "$warmup"
	[ "$CUR" = hubha ] && hubha_variants "$STANDBY" standby "$runs" "$warmup"
	say "$CUR: done in $((SECONDS - t0)) s"
	"$LAB" down >/dev/null 2>&1
}

T0=$SECONDS
for s in "${STACKS[@]}"; do bench_stack "$s"; done
"$LAB" down >/dev/null 2>&1
LAB_OURS=0

calls() { # strace summary, syscall names... -> total calls
	awk -v want=" $* " 'index(want, " " $NF " ") && $4 ~ /^[0-9]+$/ { n += $4 } END { print n + 0 }' "$1"
}

# Results, in ms: MEAN MEDIAN CPU, and EXECS FORKS RC, keyed stack-action-role.
declare -A MEAN MEDIAN CPU EXECS FORKS RC RUNS
ROWS=("monitor primary" "monitor standby" "meta-data primary" "validate-all primary")
# hubha's monitor variants, measured in its cluster.
ALL=("${STACKS[@]}")
[[ " ${STACKS[*]} " == *" hubha "* ]] && ALL+=(hubha-direct) && [ -n "${HUBHA_BEFORE:-}" ] && ALL+=(hubha-before)
for s in "${ALL[@]}"; do
	for row in "${ROWS[@]}"; do
		read -r action role <<<"$row"
		k=$s-$action-$role
		[ -s "$OUT/$k.json" ] || continue
		read -r "RUNS[$k]" "MEAN[$k]" "MEDIAN[$k]" "CPU[$k]" < <(jq -r '.results[0] | [(.times | length), .mean * 1e3,
			.median * 1e3, (.user + .system) * 1e3] | @tsv' "$OUT/$k.json")
		RC[$k]=$(cat "$OUT/$k.rc")
		EXECS[$k]=- FORKS[$k]=-
		if [ -s "$OUT/$k.strace" ]; then
			EXECS[$k]=$(calls "$OUT/$k.strace" execve)
			FORKS[$k]=$(calls "$OUT/$k.strace" clone clone3 fork vfork)
		fi
	done
done

echo
printf '%-12s %-13s %-8s %3s %5s %12s %12s %12s %6s %6s\n' agent action role rc runs "wall mean" "wall median" "cpu u+s" execs forks
for row in "${ROWS[@]}"; do
	read -r action role <<<"$row"
	for s in "${ALL[@]}"; do
		k=$s-$action-$role
		[ "$action" != monitor ] && [[ $s == hubha-* ]] && continue
		if [ -z "${MEAN[$k]:-}" ]; then
			printf '%-12s %-13s %-8s %s\n' "$s" "$action" "$role" "did not run: $(cat "$OUT/$s.failed" 2>/dev/null || echo "hyperfine failed")"
			continue
		fi
		printf '%-12s %-13s %-8s %3s %5d %9.3f ms %9.3f ms %9.3f ms %6s %6s\n' "$s" "$action" "$role" \
			"${RC[$k]}" "${RUNS[$k]}" "${MEAN[$k]}" "${MEDIAN[$k]}" "${CPU[$k]}" "${EXECS[$k]}" "${FORKS[$k]}"
	done
done
echo "(rc: the action's exit code; a primary's monitor returns 8, OCF_RUNNING_MASTER, a standby's 0)"
echo "(hubha: the monitor answered by hubhad; hubha-direct: monitor_via_hubhad=false, its own connection${HUBHA_BEFORE:+; hubha-before: $HUBHA_BEFORE})"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
echo
echo "anchor / hubha (how many times cheaper hubha is):"
for s in "${STACKS[@]}"; do
	[ "$s" = hubha ] && continue
	for row in "${ROWS[@]}"; do
		read -r action role <<<"$row"
		a=$s-$action-$role h=hubha-$action-$role goal=""
		if [ -z "${MEAN[$a]:-}" ] || [ -z "${MEAN[$h]:-}" ]; then
			printf '  %-10s %-21s n/a\n' "$s" "$action/$role"
			continue
		fi
		cpu=$(ratio "${CPU[$a]}" "${CPU[$h]}")
		if [ "$s" = heartbeat ] && [ "$action" = monitor ]; then
			goal="   goal >= ${GOAL_CPU}x less CPU: $(ge "$cpu" $GOAL_CPU && echo met || echo "NOT met")"
		fi
		printf '  %-10s %-21s wall %7sx (median %7sx)  cpu %7sx%s\n' "$s" "$action/$role" \
			"$(ratio "${MEAN[$a]}" "${MEAN[$h]}")" "$(ratio "${MEDIAN[$a]}" "${MEDIAN[$h]}")" "$cpu" "$goal"
		d=hubha-direct-$action-$role
		[ "$action" = monitor ] && [ -n "${MEAN[$d]:-}" ] &&
			printf '  %-10s %-21s wall %7sx (median %7sx)  cpu %7sx   (against hubha-direct)\n' "$s" "$action/$role" \
				"$(ratio "${MEAN[$a]}" "${MEAN[$d]}")" "$(ratio "${MEDIAN[$a]}" "${MEDIAN[$d]}")" "$(ratio "${CPU[$a]}" "${CPU[$d]}")"
	done
done
for role in primary standby; do
	for v in hubha-direct hubha-before; do
		a=$v-monitor-$role h=hubha-monitor-$role
		[ -n "${MEAN[$a]:-}" ] && [ -n "${MEAN[$h]:-}" ] || continue
		printf '  %-12s %-19s wall %7sx (median %7sx)  cpu %7sx   (what hubhad saves)\n' "$v" "monitor/$role" \
			"$(ratio "${MEAN[$a]}" "${MEAN[$h]}")" "$(ratio "${MEDIAN[$a]}" "${MEDIAN[$h]}")" "$(ratio "${CPU[$a]}" "${CPU[$h]}")"
	done
done

echo
echo "hubha's own goals and targets (ARCHITECTURE.md):"
target() { # target KEY WHAT LIMIT_MS
	if [ -z "${MEAN[$1]:-}" ]; then printf '  %-34s n/a\n' "$2"; return; fi
	printf '  %-34s %8.3f ms (median %.3f ms)   target <= %s ms: %s\n' "$2" "${MEAN[$1]}" "${MEDIAN[$1]}" "$3" \
		"$(ge "$3" "${MEAN[$1]}" && echo met || echo "NOT met")"
}
for role in primary standby; do
	k=hubha-monitor-$role
	[ -n "${MEAN[$k]:-}" ] && printf '  %-34s %8s forks, %s execs            goal 0 forks: %s\n' "monitor on the $role: processes" \
		"${FORKS[$k]}" "${EXECS[$k]}" "$([ "${FORKS[$k]}" = 0 ] && echo met || echo "NOT met")"
done
target hubha-monitor-primary "monitor on the primary: wall" 4.4
target hubha-monitor-standby "monitor on the standby: wall" 2
target hubha-meta-data-primary "meta-data: wall" 2
target hubha-validate-all-primary "validate-all: wall" 2
[ -s "$OUT/floor.json" ] && jq -r '.results[0] | [.mean * 1e3, (.user + .system) * 1e3] | @tsv' "$OUT/floor.json" |
	{ read -r wall cpu; printf 'exec floor (/bin/true in a node): wall %.3f ms, cpu %.3f ms\n' "$wall" "$cpu"; }
echo "total time: $((SECONDS - T0)) s"
[ -z "${BENCH_OUT:-}" ] || echo "raw results in $OUT"
exit 0
