#!/bin/bash
# The whole test suite, as CI runs it: installs dependencies, builds with gcc
# and clang (-Werror), runs unit tests plain and under ASan+UBSan, the agent
# tests against the real kernel, PostgreSQL and Pacemaker tools, failover tests
# on multi-node lab clusters, and distcheck.
# Needs root (network namespaces, packages).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
out=${TEST_DIR:-$src/_test}

scripts/deps.sh
autoreconf -fi >/dev/null
rm -rf "$out"; mkdir -p "$out"

step() { echo; echo "=== $* === (at $((SECONDS / 60))m$((SECONDS % 60))s)"; }
configure() { "$src/configure" --prefix=/usr --with-ocf-root=/usr/lib/ocf --enable-werror "$@" >/dev/null; }
show_logs() { find . -name '*.log' -path '*tests*' -newer "$out/.start" -exec sh -c 'echo "--- $1"; cat "$1"' _ {} \; ; }
touch "$out/.start"

step "gcc build, unit tests"
mkdir "$out/gcc" && cd "$out/gcc"
configure CC=gcc
make -j"$(nproc)"
# Pacemaker runs fence agents from /usr/sbin and agents from the OCF root:
# the tests that go through Pacemaker's tools, and the lab, need this build installed.
make install >/dev/null && ldconfig
make -C tests/unit check || { show_logs; exit 1; }
grep -E '^# (TOTAL|PASS|FAIL|SKIP|ERROR)' tests/unit/test-suite.log || true

# The lab mostly waits on timers, so everything that installs nothing runs
# beside it, at a lower priority, in two chains: the agent tests of this build
# (then the vip agent under memcheck), and the other builds.  Their output is
# shown afterwards.
agent() {
	set -e
	step "agent tests (and the rest of make check) on the gcc build"
	cd "$out/gcc"
	make check || { show_logs; exit 1; }
	grep -E '^# (TOTAL|PASS|FAIL|SKIP|ERROR)' tests/agent/test-suite.log || true

	step "valgrind: the vip agent tests under memcheck"
	# Every agent run of one full vip test through memcheck; an error or a
	# definite leak ends that run with 99, which fails the test.
	AGENT_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
		make -C tests/agent check TESTS=vip.sh || { show_logs; exit 1; }
}

builds() {
	set -e
	step "clang build, unit tests"
	mkdir "$out/clang" && cd "$out/clang"
	configure CC=clang
	make -j"$(nproc)"
	make -C tests/unit check || { show_logs; exit 1; }

	step "ASan+UBSan, unit tests"
	mkdir "$out/asan" && cd "$out/asan"
	configure CC=gcc --enable-sanitizers
	make -j"$(nproc)"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		make -C tests/unit check || { show_logs; exit 1; }

	step "fuzz"
	# libFuzzer (clang) over the parsers of outside input, FUZZ_SECONDS each.
	FUZZ_BUILD="$out/fuzz" "$src/tests/fuzz/run.sh" --enable-werror

	step "distcheck"
	# The tarball builds, passes its unit tests, installs and uninstalls; the
	# agent tests it carries ran above on the same sources.
	mkdir "$out/dist" && cd "$out/dist"
	configure CC=gcc
	make distcheck RUN_AGENT_TESTS= >/dev/null || { echo "distcheck failed"; make distcheck RUN_AGENT_TESTS= 2>&1 | tail -50; exit 1; }
}
(renice -n 10 -p "$BASHPID" >/dev/null; agent) >"$out/agent.log" 2>&1 &
agent_pid=$!
(renice -n 10 -p "$BASHPID" >/dev/null; builds) >"$out/builds.log" 2>&1 &
builds_pid=$!

step "lab: multi-node clusters, failover, cluster state"
# Real corosync + Pacemaker clusters in namespaces, running the installed build
# (a lab left up, by the demo say, goes first: the namespace names are fixed).
lab() {
	# Five crash/power-on rounds per soak mode, alternating nodes (about 40 s each).
	export SOAK_ROUNDS=${SOAK_ROUNDS:-5}
	"$src/tests/lab/lab" down >/dev/null 2>&1 || true
	local t
	for t in selftest failover election3 selffence fence-race cluster-state http cfengine; do
		step "lab: $t"
		"$src/tests/lab/$t" || return 1
	done
}
lab_rc=0
lab || lab_rc=$?
"$src/tests/lab/lab" down >/dev/null 2>&1 || true

agent_rc=0 builds_rc=0
wait "$agent_pid" || agent_rc=$?
cat "$out/agent.log"
wait "$builds_pid" || builds_rc=$?
cat "$out/builds.log"
[ "$lab_rc" = 0 ] || { echo "lab tests failed"; exit 1; }
[ "$agent_rc" = 0 ] || { echo "agent tests failed"; exit 1; }
[ "$builds_rc" = 0 ] || { echo "builds failed"; exit 1; }

echo
echo "All tests passed ($((SECONDS / 60))m$((SECONDS % 60))s)."
