#!/bin/bash
# Benchmark (not a test): `hubha status` against `crm_mon -1 --output-as=xml`
# on a 2-node lab cluster with the hub stack, in one run (hyperfine, all
# commands on the same node), and the cost of hubhad itself there: its RSS
# and the CPU it uses while the cluster is idle.  `hubha status` reads the
# local hubhad's view over IPC; `hubha wait --until ok` (which joins CPG and
# asks the members, as status did before it had the local path) is measured
# beside it.
#
# usage: bench/cluster-status.sh
# env:   STATUS_RUNS (200) CRM_MON_RUNS (50) CPG_RUNS (30) IDLE_SECONDS (30)
#        BENCH_OUT=DIR keeps hyperfine's JSON there
# Needs root and a lab that is down (it brings one up, and down at the end).
set -euo pipefail

HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
LAB=$SRC/tests/lab/lab
STACK=$SRC/tests/lab/hub-stack
STATUS_RUNS=${STATUS_RUNS:-200} CRM_MON_RUNS=${CRM_MON_RUNS:-50} CPG_RUNS=${CPG_RUNS:-30}
IDLE_SECONDS=${IDLE_SECONDS:-30}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/hubha-bench-status.XXXXXX)}

die() { echo "bench/cluster-status.sh: $*" >&2; exit 1; }
case ${1:-} in -h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
[ "$(id -u)" = 0 ] || die "needs root (the lab)"
command -v hyperfine >/dev/null || die "needs hyperfine (apt-get install hyperfine)"
command -v jq >/dev/null || die "needs jq (apt-get install jq)"
if [ ! -x /usr/sbin/hubha ] || [ ! -x /usr/sbin/hubhad ]; then die "install hubha first (make install)"; fi
mkdir -p "$OUT"
cleanup() { "$LAB" down >/dev/null 2>&1 || true; [ -n "${BENCH_OUT:-}" ] || rm -rf "$OUT"; }
trap cleanup EXIT

"$LAB" down >/dev/null 2>&1 || true
"$LAB" up >/dev/null
"$LAB" wait-online 120 >/dev/null
primary=$("$STACK" 2>"$OUT/stack.log") || { cat "$OUT/stack.log"; die "hub stack did not come up"; }
"$LAB" run "$primary" hubha wait --until ok --timeout 60 >/dev/null || die "hubha status is not OK on $primary"
sleep 5 # the cluster settles: no transition under way

echo "## hubha status vs crm_mon -1 --output-as=xml, on $primary (2-node cluster, idle)"
# What is measured is the local path: a fallback to corosync says so on stderr.
err=$("$LAB" run "$primary" /usr/sbin/hubha status 2>&1 >/dev/null) || true
[ -z "$err" ] || die "hubha status did not read the local view: $err"
# hubha exits 1 when degraded: hyperfine must not stop on that; both print to a pipe.
"$LAB" run "$primary" hyperfine -N -i --style none --warmup 5 \
	--runs "$STATUS_RUNS" "/usr/sbin/hubha status" \
	--export-json "$OUT/hubha.json" >/dev/null
"$LAB" run "$primary" hyperfine -N -i --style none --warmup 3 \
	--runs "$CRM_MON_RUNS" "crm_mon -1 --output-as=xml" \
	--export-json "$OUT/crm_mon.json" >/dev/null
"$LAB" run "$primary" hyperfine -N -i --style none --warmup 2 \
	--runs "$CPG_RUNS" "/usr/sbin/hubha wait --until ok --timeout 5" \
	--export-json "$OUT/cpg.json" >/dev/null
h=$(jq '.results[0].median * 1000' "$OUT/hubha.json")
g=$(jq '.results[0].median * 1000' "$OUT/cpg.json")
gu=$(jq '(.results[0].user + .results[0].system) * 1000' "$OUT/cpg.json" 2>/dev/null || echo 0)
c=$(jq '.results[0].median * 1000' "$OUT/crm_mon.json")
hu=$(jq '(.results[0].user + .results[0].system) * 1000' "$OUT/hubha.json" 2>/dev/null || echo 0)
cu=$(jq '(.results[0].user + .results[0].system) * 1000' "$OUT/crm_mon.json" 2>/dev/null || echo 0)
printf '%-30s %9s %9s\n' "command" "wall ms" "CPU ms"
printf '%-30s %9.2f %9.2f\n' "hubha status" "$h" "$hu" "crm_mon -1 --output-as=xml" "$c" "$cu" \
	"hubha wait --until ok (CPG)" "$g" "$gu"
awk -v h="$h" -v c="$c" -v hu="$hu" -v cu="$cu" 'BEGIN {
	printf "crm_mon / hubha: %.1fx wall, %.1fx CPU (medians of wall; means of CPU)\n", c / h, (hu > 0 ? cu / hu : 0) }'

echo "## hubhad on $primary (interval 2000 ms)"
pid=$("$LAB" run "$primary" sh -c 'cat /var/run/anything_hubhad*.pid' | head -1)
[[ "$pid" =~ ^[0-9]+$ ]] || die "no hubhad pid on $primary"
# shellcheck disable=SC2016 # awk's fields
read -r rss anon file < <("$LAB" run "$primary" awk '/^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 } /^RssFile/ { f = $2 }
	END { print r, a, f }' "/proc/$pid/status")
# shellcheck disable=SC2016
ticks() { "$LAB" run "$primary" awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks)
sleep "$IDLE_SECONDS"
t1=$(ticks)
echo "RSS: $((rss / 1024)).$(((rss % 1024) * 10 / 1024)) MiB ($rss kB: $anon kB its own, $file kB shared library pages)"
awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$IDLE_SECONDS" 'BEGIN {
	printf "idle CPU: %.0f ms in %d s (%.3f%% of one core)\n", d * 1000 / hz, s, d * 100 / hz / s }'
