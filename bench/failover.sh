#!/bin/bash
# Benchmark (not a test): failover and switchover of the hub stack, hubha
# (ocf:hubha:pgsql + ocf:hubha:vip) against ocf:heartbeat:pgsql + IPaddr2 as
# CFEngine documents them, in one run, on real 2-node lab clusters with the
# same fencing (fence_hubha_lab). A client writes through the shared address
# throughout. Prints the medians, the ratios heartbeat / hubha, and corosync's
# detection floor.
#
# usage: bench/failover.sh [--nodes N] [hubha|heartbeat ...]   (default: both, 2 nodes)
# env:   FAILOVER_RUNS (10) runs of each case for each stack, on a fresh cluster each
#        FAILOVER_CASES ("crash switchover") the cases to run
#        WRITE_TIMEOUT (60) seconds to wait for the first write after the event
#        REJOIN_TIMEOUT (30) seconds to wait for the old primary to stream again
#        BENCH_OUT=DIR keeps the per-run results, write logs and pacemaker logs there
# bench/failover.sh --report DIR prints the report again from such a DIR
# shellcheck disable=SC2317 # functions called through wait_for "$@", report and traps
set -uo pipefail

HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
LAB=$SRC/tests/lab/lab
STACK=$SRC/tests/lab/hub-stack
WRITER=$SRC/tests/lab/writer
PGBIN=/usr/lib/postgresql/15/bin
PGRUN=/var/lib/hubha-lab/pg/run
RUNS=${FAILOVER_RUNS:-10}
CASES=${FAILOVER_CASES:-crash switchover}
NODES=2
WRITE_TIMEOUT=${WRITE_TIMEOUT:-60}
REJOIN_TIMEOUT=${REJOIN_TIMEOUT:-30}
GOAL_CRASH=1.5   # the project's goal: crash -> first write <= 1.5 x the detection floor, beyond fencing
GOAL_SWITCH=1.0  # and a planned switchover's write outage <= 1 s
TARGET_CRASH=2.8 # ARCHITECTURE.md's targets: crash -> first write,
TARGET_REJOIN=3  # and the old primary streaming again after a switchover
declare -A LABEL=([hubha]="ocf:hubha:pgsql + ocf:hubha:vip" [heartbeat]="ocf:heartbeat:pgsql + IPaddr2")

die() { echo "bench/failover.sh: $*" >&2; exit 1; }
say() { echo "bench/failover.sh: $*" >&2; }

# --- the report (also: bench/failover.sh --report DIR, from a kept BENCH_OUT) ----------------------
report() {
	median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
	# The nearest-rank 90th percentile: the value at rank ceil(0.9 n); with fewer than 10 runs, the max.
	p90() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } r = int(0.9 * NR); if (r < 0.9 * NR) r++; print v[r] }'; }
	col() { # col STACK CASE FIELD -> the values of FIELD (1-based, after "stack case run status") of the OK runs
		awk -v s="$1" -v c="$2" -v f="$3" '$1 == s && $2 == c && $4 == "OK" && $(4 + f) != "-" { print $(4 + f) }' "$OUT/results"
	}
	count() { awk -v s="$1" -v c="$2" -v st="$3" '$1 == s && $2 == c && $4 == st' "$OUT/results" | wc -l; }
	stat() { # stat STACK CASE FIELD -> "median p90 min max n"
		local v
		v=$(col "$1" "$2" "$3")
		[ -n "$v" ] || { echo "- - - - 0"; return; }
		echo "$(median <<<"$v") $(p90 <<<"$v") $(sort -g <<<"$v" | head -1) $(sort -g <<<"$v" | tail -1) $(wc -l <<<"$v")"
	}
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b <= 0) print "n/a"; else printf "%.1fx", a / b }'; }
	fmt() { [ "$1" = - ] && echo "-" || echo "$1 s"; }

	echo
	echo "corosync's detection floor: ${FLOOR_TXT:-unknown (no cluster came up)}"
	echo "nodes: ${NODES:-2}"
	echo
	printf '%-10s %-11s %-44s %5s %9s %9s %9s %9s\n' stack case measure runs median p90 min max
	declare -A MED P90
	local few=0
	for c in ${CASES:-crash switchover}; do
		for s in "${STACKS[@]}"; do
			if [ "$c" = crash ]; then what="crash -> first write through the vip" f=1; else what="write outage (longest pause in acked writes)" f=1; fi
			read -r med p90 min max n < <(stat "$s" "$c" "$f")
			MED[$s-$c]=$med P90[$s-$c]=$p90
			[ "$n" -ge 10 ] || few=1
			printf '%-10s %-11s %-44s %5s %9s %9s %9s %9s\n' "$s" "$c" "$what" "$n/$RUNS" "$(fmt "$med")" "$(fmt "$p90")" "$(fmt "$min")" "$(fmt "$max")"
			to=$(count "$s" "$c" TIMEOUT) fl=$(count "$s" "$c" FAIL)
			[ "$to" = 0 ] || printf '%-10s %-11s   %s\n' "" "" "$to run(s): no write through the shared address within $WRITE_TIMEOUT s (not counted)"
			[ "$fl" = 0 ] || printf '%-10s %-11s   %s\n' "" "" "$fl run(s) could not be set up (not counted)"
			if [ "$c" = crash ]; then
				for x in "3 node lost (corosync)" "4 fencing requested" "5 fencing done"; do
					read -r med p90 min max n < <(stat "$s" crash "${x%% *}")
					printf '%-10s %-11s   %-42s %5s %9s %9s %9s %9s\n' "" "" "${x#* }, after the crash" "$n" "$(fmt "$med")" "$(fmt "$p90")" "$(fmt "$min")" "$(fmt "$max")"
				done
				beyond=$(awk -v s="$s" '$1 == s && $2 == "crash" && $4 == "OK" && $8 != "-" && $9 != "-" { printf "%.2f\n", $5 - ($9 - $8) }' "$OUT/results" | median)
				MED[$s-beyond]=$beyond
				printf '%-10s %-11s   %-42s %5s %9s\n' "" "" "first write minus fencing duration" "" "$(fmt "$beyond")"
				slow=$(awk -v s="$s" '$1 == s && $2 == "crash" && $4 == "OK" && $7 != "-" && $8 != "-" && $8 - $7 >= 0.9' "$OUT/results" | wc -l)
				printf '%-10s %-11s   %-42s %5s\n' "" "" "runs with a 1 s wait before fencing" "$slow/$(count "$s" crash OK)"
				dcp=$(awk -v s="$s" '$1 == s && $2 == "crash" && $4 == "OK" && $11 == "primary"' "$OUT/results" | wc -l)
				printf '%-10s %-11s   %-42s %5s\n' "" "" "runs where the crashed node was the DC" "$dcp/$(count "$s" crash OK)"
				read -r med _ _ _ n < <(stat "$s" crash 6)
				printf '%-10s %-11s   %-42s %5s %9s\n' "" "" "acked writes lost (async replication)" "$n" "$med"
			else
				read -r med p90 min max n < <(stat "$s" switchover 2)
				printf '%-10s %-11s   %-42s %5s %9s %9s %9s %9s\n' "" "" "writes resumed, after the ban" "$n" "$(fmt "$med")" "$(fmt "$p90")" "$(fmt "$min")" "$(fmt "$max")"
				read -r med p90 min max n < <(stat "$s" switchover 3)
				MED[$s-rejoin]=$med P90[$s-rejoin]=$p90
				never=$(awk -v s="$s" '$1 == s && $2 == "switchover" && $4 == "OK" && $7 == "-"' "$OUT/results" | wc -l)
				printf '%-10s %-11s   %-42s %5s %9s %9s %9s %9s\n' "" "" "old primary streams again, after the ban" "$n" "$(fmt "$med")" "$(fmt "$p90")" "$(fmt "$min")" "$(fmt "$max")"
				[ "$never" = 0 ] || printf '%-10s %-11s   %s\n' "" "" "$never run(s): the old primary did NOT stream again within $REJOIN_TIMEOUT s of the ban"
				read -r med _ _ _ n < <(stat "$s" switchover 4)
				printf '%-10s %-11s   %-42s %5s %9s\n' "" "" "acked writes lost" "$n" "$med"
			fi
		done
	done

	[ "$few" = 0 ] || printf '(a row with fewer than 10 runs: its p90 is its slowest run)\n'

	if [ -n "${MED[hubha-crash]:-}" ] && [ -n "${MED[heartbeat-crash]:-}" ]; then
		echo
		echo "heartbeat / hubha (how many times faster hubha is; medians):"
		printf '  crash -> first write    %s\n' "$(ratio "${MED[heartbeat-crash]}" "${MED[hubha-crash]}")"
		printf '  switchover outage       %s\n' "$(ratio "${MED[heartbeat-switchover]:--}" "${MED[hubha-switchover]:--}")"
	fi

	if [ -n "${MED[hubha-crash]:-}${MED[hubha-switchover]:-}" ]; then
		echo
		echo "hubha's goals:"
		met() { awk -v v="$1" -v l="$2" 'BEGIN { if (v == "-") print "n/a"; else print (v <= l ? "met" : "NOT met") }'; }
		if [ -n "${FLOOR_MS:-}" ] && [ -n "${MED[hubha-crash]:-}" ]; then
			lim=$(awk -v f="$FLOOR_MS" -v g=$GOAL_CRASH 'BEGIN { printf "%.2f", f * g / 1000 }')
			printf '  crash -> first write, minus fencing: %s   goal <= %s x floor = %s s: %s\n' \
				"$(fmt "${MED[hubha-beyond]}")" "$GOAL_CRASH" "$lim" "$(met "${MED[hubha-beyond]}" "$lim")"
		fi
		if [ -n "${MED[hubha-crash]:-}" ]; then
			printf '  crash -> first write: median %s, p90 %s   ARCHITECTURE target <= %s s (p90): %s\n' \
				"$(fmt "${MED[hubha-crash]}")" "$(fmt "${P90[hubha-crash]}")" "$TARGET_CRASH" \
				"$(met "${P90[hubha-crash]}" "$TARGET_CRASH")"
		fi
		if [ -n "${MED[hubha-switchover]:-}" ]; then
			printf '  switchover write outage: %s   goal <= %s s: %s\n' "$(fmt "${MED[hubha-switchover]}")" "$GOAL_SWITCH" \
				"$(met "${MED[hubha-switchover]}" "$GOAL_SWITCH")"
			read -r _ _ _ _ n < <(stat hubha switchover 3)
			printf '  old primary streaming again: median %s, p90 %s (%s of the runs)   ARCHITECTURE target <= %s s (p90): %s\n' \
				"$(fmt "${MED[hubha-rejoin]}")" "$(fmt "${P90[hubha-rejoin]}")" "$n/$(count hubha switchover OK)" \
				"$TARGET_REJOIN" "$(met "${P90[hubha-rejoin]}" "$TARGET_REJOIN")"
		fi
	fi
}


case ${1:-} in
-h | --help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
--report)
	OUT=${2:?--report needs the directory a run kept (BENCH_OUT)}
	[ -f "$OUT/results" ] && [ -f "$OUT/params" ] || die "$OUT has no results of bench/failover.sh"
	# shellcheck source=/dev/null
	. "$OUT/params"
	report
	exit 0
	;;
esac
[ "$(id -u)" = 0 ] || die "needs root (the lab's namespaces)"
if [ "${1:-}" = --nodes ]; then NODES=${2:-}; shift 2 || die "--nodes needs a number"; fi
STACKS=("$@")
[ ${#STACKS[@]} -gt 0 ] || STACKS=(hubha heartbeat)
for s in "${STACKS[@]}"; do [ -n "${LABEL[$s]:-}" ] || die "unknown stack '$s' (hubha, heartbeat)"; done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "FAILOVER_RUNS must be a positive number"
[[ $NODES =~ ^[2-9]$ ]] || die "--nodes: 2 to 9 (the lab's limit)"
for c in $CASES; do [ "$c" = crash ] || [ "$c" = switchover ] || die "FAILOVER_CASES: crash and/or switchover"; done

# Install what is missing; the package lists may be stale on a fresh machine.
need=()
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v pcs >/dev/null || need+=(pcs)
command -v socat >/dev/null || need+=(socat)
command -v pacemakerd >/dev/null || need+=(pacemaker pacemaker-cli-utils)
command -v corosync >/dev/null || need+=(corosync)
[ -x "$PGBIN/postgres" ] || need+=(postgresql-15)
[ -x /usr/lib/ocf/resource.d/heartbeat/pgsql ] || need+=(resource-agents)
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y "${need[@]}" || { apt-get update && apt-get install -y "${need[@]}"; } ||
		die "could not install ${need[*]}"
fi
[ -x /usr/lib/ocf/resource.d/hubha/pgsql ] || die "ocf:hubha:pgsql is missing (build and install hubha: scripts/build.sh)"
[ -x /usr/sbin/fence_hubha_lab ] || die "/usr/sbin/fence_hubha_lab is missing (install hubha)"

# The lab is shared: use it only if nobody else has it up, and take it down only if we brought it up.
if "$LAB" status >/dev/null 2>&1; then die "a lab is up already (someone else's?); tests/lab/lab down first"; fi
OUT=${BENCH_OUT:-$(mktemp -d /tmp/hubha-bench-failover.XXXXXX)}
mkdir -p "$OUT"
: >"$OUT/results"
save_params() { declare -p STACKS RUNS CASES NODES WRITE_TIMEOUT REJOIN_TIMEOUT FLOOR_MS FLOOR_TXT 2>/dev/null >"$OUT/params"; }
save_params
LAB_OURS=0 WRITER_PID=
cleanup() {
	writer_stop
	[ "$LAB_OURS" = 0 ] || "$LAB" down >/dev/null 2>&1
	[ -n "${BENCH_OUT:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run() { "$LAB" run "$@"; } # run NODE CMD... inside the node
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
sql() { run "$1" "$PGBIN/psql" -X -Atq -h "$PGRUN" -U postgres -d postgres -c "$2" 2>/dev/null; }
attr() { # attr NODE NAME [LIFETIME]
	run "$1" crm_attribute --lifetime="${3:-reboot}" --node="$1" --name="$2" --query --quiet 2>/dev/null
}
wait_for() { # wait_for SECONDS CMD...
	local n=$(($1 * 4)); shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.25; done
	return 1
}
hubs() { "$LAB" nodes | awk '$3 == "hub" && $4 == "on" { print $1 }'; }
# The cluster's DC as NODE sees it.
dc_of() { run "$1" crm_mon -1 --output-as=xml 2>/dev/null | xmllint --xpath 'string(//current_dc/@name)' - 2>/dev/null; }
streams_from() { # streams_from STANDBY PRIMARY
	[ "$(sql "$2" "select state from pg_stat_replication where application_name = '$1'")" = streaming ]
}
# A primary other than NODE (the one that crashed or was banned): sets NEW.
primary_moved() { NEW=$("$STACK" primary) && [ -n "$NEW" ] && [ "$NEW" != "$1" ]; }
# Every standby streams and the agent ranks it as a current standby: a failover may go there.
settled() { # settled STACK PRIMARY STANDBY...
	local s=$1 p=$2 n
	shift 2
	for n in "$@"; do
		streams_from "$n" "$p" || return 1
		case $s in
		hubha) attr "$n" cfpgsql-data-status | grep -q '^STREAMING' || return 1 ;;
		heartbeat) [ "$(attr "$n" cfpgsql-data-status forever)" = "STREAMING|ASYNC" ] && [ "$(attr "$n" cfpgsql-status)" = HS:async ] || return 1 ;;
		esac
	done
}

# A fresh cluster of NODES nodes with STACK (tests/lab/hub-stack): sets PRIMARY and STANDBYS.
build() { # build STACK TAG
	local n
	"$LAB" down >/dev/null 2>&1
	LAB_OURS=1
	"$LAB" up --nodes "$NODES" >"$OUT/$2-lab.log" 2>&1 && "$LAB" wait-online 120 >>"$OUT/$2-lab.log" 2>&1 ||
		{ say "$2: the lab did not come up"; return 1; }
	PRIMARY=$(timeout 300 "$STACK" --stack "$1" 2>"$OUT/$2-stack.log") && [ -n "$PRIMARY" ] ||
		{ say "$2: the stack did not come up (see $2-stack.log)"; return 1; }
	STANDBYS=()
	for n in $(hubs); do [ "$n" = "$PRIMARY" ] || STANDBYS+=("$n"); done
	wait_for 90 settled "$1" "$PRIMARY" "${STANDBYS[@]}" ||
		{ say "$2: ${STANDBYS[*]}: not every one a settled streaming standby of $PRIMARY after 90 s"; return 1; }
	if [ -z "${FLOOR_MS:-}" ]; then detection_floor "$PRIMARY"; fi
}

# corosync declares a node lost after the token timeout plus the consensus timeout; from the lab's
# corosync.conf (consensus defaults to 1.2 x token; token grows by token_coefficient per node beyond
# two), checked against the values corosync runs with.
detection_floor() { # detection_floor NODE
	local conf token consensus coeff nodes rt rc
	conf=$(run "$1" cat /etc/corosync/corosync.conf)
	token=$(awk '$1 == "token:" { print $2 }' <<<"$conf")
	consensus=$(awk '$1 == "consensus:" { print $2 }' <<<"$conf")
	coeff=$(awk '$1 == "token_coefficient:" { print $2 }' <<<"$conf")
	nodes=$(grep -c 'nodeid:' <<<"$conf")
	token=$((${token:-1000} + (nodes > 2 ? (nodes - 2) * ${coeff:-650} : 0)))
	FLOOR_TXT="token $token ms + consensus"
	[ -n "$consensus" ] || { consensus=$((token * 12 / 10)); FLOOR_TXT+=" (unset: 1.2 x token)"; }
	FLOOR_MS=$((token + consensus))
	FLOOR_TXT+=" $consensus ms = $FLOOR_MS ms, from the lab's corosync.conf"
	rt=$(run "$1" corosync-cmapctl -g runtime.config.totem.token 2>/dev/null | awk '{ print $NF }')
	rc=$(run "$1" corosync-cmapctl -g runtime.config.totem.consensus 2>/dev/null | awk '{ print $NF }')
	FLOOR_TXT+="; corosync runs with token $rt ms, consensus $rc ms"
	save_params
}

# The client: tests/lab/writer in the client namespace, one acknowledged write per line ("id epoch").
writer_start() {
	rm -f "$OUT/acked" "$OUT/acked.stop"
	"$LAB" client "$WRITER" "$OUT/acked" 1 &
	WRITER_PID=$!
	for _ in $(seq 50); do [ -s "$OUT/acked" ] && return 0; sleep 0.1; done
	return 1
}
writer_stop() {
	[ -n "$WRITER_PID" ] || return 0
	touch "$OUT/acked.stop"
	for _ in $(seq 50); do kill -0 "$WRITER_PID" 2>/dev/null || break; sleep 0.1; done
	kill "$WRITER_PID" 2>/dev/null
	wait "$WRITER_PID" 2>/dev/null
	WRITER_PID=
}
writes_after() { [ -s "$OUT/acked" ] && awk -v t0="$1" 'END { exit !($2 > t0) }' "$OUT/acked"; }
# outage T0 -> "GAP RESUMED": the longest pause between acknowledged writes from T0 - 1 s on, and
# when (after T0) the write that ended it was acknowledged.
outage() {
	awk -v t0="$1" 'NR > 1 && $2 > t0 - 1 { g = $2 - p; if (g > gap) { gap = g; at = $2 } } { p = $2 }
		END { if (at) printf "%.2f %.2f\n", gap, at - t0; else print "- -" }' "$OUT/acked"
}
lost_writes() { # acknowledged ids that NODE does not have
	sql "$1" "select id from writes" | sort -n >"$OUT/have"
	cut -d' ' -f1 "$OUT/acked" | sort -n | comm -23 - "$OUT/have" | wc -l
}

# Seconds after T0 of the first line of pacemaker's log on NODE that matches PATTERN and is not
# older than T0 (the log has milliseconds, local time, no year).
log_time() { # log_time LOGFILE PATTERN T0
	local mon day hms t
	grep -E "$2" "$1" | while read -r mon day hms _; do
		t=$(date -d "$mon $day $hms" +%s.%N 2>/dev/null) || continue
		awk -v t="$t" -v t0="$3" 'BEGIN { if (t < t0 - 0.001) exit 1; printf "%.2f\n", t - t0 }' && break
	done
}

record() { echo "$*" >>"$OUT/results"; }

# A node's logs, for the timeline of a run (bench/README.md): pacemaker's (the agents log there too),
# corosync's and PostgreSQL's.
keep_logs() { # keep_logs NODE TAG
	run "$1" cat /var/log/pacemaker/pacemaker.log >"$OUT/$2-$1-pacemaker.log" 2>/dev/null
	run "$1" cat /var/log/cluster/corosync.log >"$OUT/$2-$1-corosync.log" 2>/dev/null
	run "$1" cat /var/log/postgresql/hubha.log >"$OUT/$2-$1-postgresql.log" 2>/dev/null
}

# crash: the primary's node is crashed (SIGKILL of all its processes, cable cut) under the write
# load; the survivors must fence it, promote a standby and bring up the address.
run_crash() { # run_crash STACK I
	local s=$1 tag=$1-crash-$2 t0 t1 gap resumed lost fence_req fenced lostw=- dc was=standby log
	writer_start || { say "$tag: no write acknowledged through the shared address"; record "$s crash $2 FAIL no-writes"; return 1; }
	sleep 2
	dc=$(dc_of "$PRIMARY")
	[ "$dc" != "$PRIMARY" ] || was=primary
	t0=$(now)
	"$LAB" crash "$PRIMARY" >/dev/null 2>&1
	# Writes through the new primary: acknowledged after pacemaker shows it promoted.
	if ! wait_for "$WRITE_TIMEOUT" primary_moved "$PRIMARY" || ! { t1=$(now) && wait_for 10 writes_after "$t1"; }; then
		writer_stop
		say "$tag: no write through the shared address within $WRITE_TIMEOUT s of the crash"
		echo "$t0" >"$OUT/$tag-t0"
		for n in $(hubs); do keep_logs "$n" "$tag"; done
		record "$s crash $2 TIMEOUT $WRITE_TIMEOUT"
		return 0
	fi
	sleep 1
	writer_stop
	read -r gap resumed < <(outage "$t0")
	echo "$t0" >"$OUT/$tag-t0"
	keep_logs "$NEW" "$tag"
	log=$OUT/$tag-$NEW-pacemaker.log
	lost=$(log_time "$log" "Node $PRIMARY state is now lost" "$t0")
	fence_req=$(log_time "$log" "Requesting fencing \([a-z]+\) of node $PRIMARY" "$t0")
	fenced=$(log_time "$log" "Peer $PRIMARY was terminated" "$t0")
	lostw=$(lost_writes "$NEW")
	cp "$OUT/acked" "$OUT/$tag-acked"
	say "$tag: first write ${resumed} s after the crash (node lost +${lost:-?} s, fencing +${fence_req:-?} to +${fenced:-?} s; the DC was the $was's node); $lostw acknowledged writes missing"
	record "$s crash $2 OK $resumed $gap ${lost:--} ${fence_req:--} ${fenced:--} $lostw $was"
}

# switchover: a planned move of the primary under the write load, with a ban of the promoted role
# on the current primary (with resource-stickiness=INFINITY, `--move` cannot break the tie).
run_switchover() { # run_switchover STACK I
	local s=$1 tag=$1-switchover-$2 t0 t1 gap resumed rejoin=- lostw n
	writer_start || { say "$tag: no write acknowledged through the shared address"; record "$s switchover $2 FAIL no-writes"; return 1; }
	sleep 2
	t0=$(now)
	run "$PRIMARY" crm_resource --ban --promoted --resource cfpgsql-clone --node "$PRIMARY" >/dev/null 2>&1
	if ! wait_for "$WRITE_TIMEOUT" primary_moved "$PRIMARY" || ! { t1=$(now) && wait_for 10 writes_after "$t1"; }; then
		writer_stop
		say "$tag: no write through a new primary within $WRITE_TIMEOUT s of the ban"
		echo "$t0" >"$OUT/$tag-t0"
		for n in $(hubs); do keep_logs "$n" "$tag"; done
		record "$s switchover $2 TIMEOUT $WRITE_TIMEOUT"
		return 0
	fi
	sleep 1
	writer_stop
	read -r gap resumed < <(outage "$t0")
	lostw=$(lost_writes "$NEW")
	cp "$OUT/acked" "$OUT/$tag-acked"
	# The old primary as a standby of the new one: measured from the ban.
	if wait_for "$REJOIN_TIMEOUT" streams_from "$PRIMARY" "$NEW"; then rejoin=$(sub "$(now)" "$t0"); fi
	echo "$t0" >"$OUT/$tag-t0"
	for n in $(hubs); do keep_logs "$n" "$tag"; done
	say "$tag: write outage ${gap} s (writes resumed +${resumed} s); old primary streaming again: $(
		[ "$rejoin" = - ] && echo "no, not within ${REJOIN_TIMEOUT} s of the ban" || echo "+$rejoin s"); $lostw acknowledged writes missing"
	record "$s switchover $2 OK $gap $resumed $rejoin $lostw"
}

T0=$SECONDS
for s in "${STACKS[@]}"; do
	for c in $CASES; do
		fails=0
		for i in $(seq "$RUNS"); do
			t=$SECONDS
			say "$s ${LABEL[$s]}: $c, run $i of $RUNS"
			if ! build "$s" "$s-$c-$i"; then
				record "$s $c $i FAIL setup"
				fails=$((fails + 1))
				if [ "$fails" -ge 2 ]; then say "$s: two cluster setups failed; no more $c runs"; break; fi
				continue
			fi
			"run_$c" "$s" "$i"
			writer_stop
			"$LAB" down >/dev/null 2>&1
			say "$s $c run $i: $((SECONDS - t)) s"
		done
	done
done
"$LAB" down >/dev/null 2>&1
LAB_OURS=0
report
echo "total time: $((SECONDS - T0)) s"
[ -z "${BENCH_OUT:-}" ] || echo "raw results in $OUT (results: stack case run status ...)"
exit 0
