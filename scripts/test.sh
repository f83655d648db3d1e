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

step "gcc build, all tests"
mkdir "$out/gcc" && cd "$out/gcc"
configure CC=gcc
make -j"$(nproc)"
# Pacemaker runs fence agents from /usr/sbin and agents from the OCF root:
# the tests that go through Pacemaker's tools need this build installed.
make install >/dev/null && ldconfig
make check || { show_logs; exit 1; }
cat tests/unit/test-suite.log tests/agent/test-suite.log 2>/dev/null | grep -E '^# (TOTAL|PASS|FAIL|SKIP|ERROR)' || true

step "valgrind: the vip agent tests under memcheck"
# Every agent run of one full vip test through memcheck; an error or a
# definite leak ends that run with 99, which fails the test.
AGENT_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
	make -C tests/agent check TESTS=vip.sh || { show_logs; exit 1; }

# The builds below install nothing and the lab mostly waits on timers: they run
# side by side, the builds at a lower priority, their output shown afterwards.
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
	cd "$out/gcc"
	make distcheck >/dev/null || { echo "distcheck failed"; make distcheck 2>&1 | tail -50; exit 1; }
}
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
	for t in selftest failover selffence fence-race cluster-state http cfengine; do
		step "lab: $t"
		"$src/tests/lab/$t" || return 1
	done
}
lab_rc=0
lab || lab_rc=$?
"$src/tests/lab/lab" down >/dev/null 2>&1 || true

builds_rc=0
wait "$builds_pid" || builds_rc=$?
cat "$out/builds.log"
[ "$lab_rc" = 0 ] || { echo "lab tests failed"; exit 1; }
[ "$builds_rc" = 0 ] || { echo "builds failed"; exit 1; }

echo
echo "All tests passed ($((SECONDS / 60))m$((SECONDS % 60))s)."
