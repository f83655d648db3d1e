#!/bin/bash
# Build the libFuzzer targets with clang in a tree of their own (FUZZ_BUILD,
# default _fuzz beside the sources) and run each for FUZZ_SECONDS (default 45)
# from its seed corpus.  Fails on the first crash, leak or broken contract;
# the input that did it is left in the build tree as crash-* (or leak-*).
# Configure options given as arguments are passed on.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD:-$src/_fuzz}
seconds=${FUZZ_SECONDS:-45}
targets="ocf_params fence_args lsn controldata conninfo wire ha_info"

[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi >/dev/null)
mkdir -p "$build"
cd "$build"
"$src/configure" CC=clang --enable-fuzzing --disable-hardening "$@" >/dev/null
make -j"$(nproc)" >/dev/null

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in $targets; do
	echo "# fuzz_$t: ${seconds}s"
	# New inputs go to a scratch copy: the committed corpus stays as reviewed.
	rm -rf "corpus-$t"; mkdir "corpus-$t"
	./libtool --mode=execute "tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
		-print_final_stats=0 "corpus-$t" "$src/tests/fuzz/corpus/$t" 2>"fuzz-$t.log" || {
		tail -n 60 "fuzz-$t.log"
		echo "fuzz_$t failed: the input is $build/$(ls -t crash-* leak-* timeout-* oom-* 2>/dev/null | head -1)"
		exit 1
	}
	tail -n 1 "fuzz-$t.log"
done
echo "fuzzing: no crash in ${seconds}s per target"
