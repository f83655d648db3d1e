# Shared helpers for agent tests that run inside network namespaces the test
# creates itself.  Everything created is registered and removed on exit, also
# after a failure; only processes started here are killed, by pid.

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
NS_PREFIX="hubha-t$$"
_namespaces=""
_pids=""
failures=0
passes=0

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: $0 needs root (network namespaces)"
	exit 77
fi

cleanup() {
	for pid in $_pids; do kill "$pid" 2>/dev/null; done
	for ns in $_namespaces; do ip netns del "$ns" 2>/dev/null; done
	[ -n "${TMPD:-}" ] && rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
TMPD=$(mktemp -d)

ns_add() {
	ip netns add "$1"
	_namespaces="$_namespaces $1"
	ip -n "$1" link set lo up
}

track_pid() { _pids="$_pids $1"; }

ok() { passes=$((passes + 1)); echo "ok - $*"; }
not_ok() { failures=$((failures + 1)); echo "not ok - $*"; }

# expect RC DESCRIPTION -- COMMAND...
expect() {
	want=$1; desc=$2; shift 3
	"$@" >"$TMPD/out" 2>"$TMPD/err"
	got=$?
	if [ "$got" = "$want" ]; then ok "$desc (rc $got)"; else
		not_ok "$desc: expected rc $want, got $got"; sed 's/^/#   /' "$TMPD/err"; fi
}

# The reason line an agent printed for the last expect.
last_reason() { sed -n 's/^ocf-exit-reason://p' "$TMPD/err"; }

# Start a capture in NS on IF and wait until it listens.  Sets CAP_PID, CAP_FILE.
capture_start() {
	CAP_FILE="$TMPD/cap.$1.$2.$3"
	ip netns exec "$1" tcpdump -i "$2" -nn -l -U "$3" >"$CAP_FILE" 2>"$CAP_FILE.err" &
	CAP_PID=$!
	track_pid "$CAP_PID"
	for _ in $(seq 50); do grep -q 'listening on' "$CAP_FILE.err" && return 0; sleep 0.1; done
	echo "capture did not start: $(cat "$CAP_FILE.err")"; return 1
}

capture_stop() { sleep "${1:-0.3}"; kill "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; }

# AGENT_WRAPPER (valgrind, say) exits 99 when it found errors: count those
# through a file, since agents also run in subshells.
wrapped_rc() { [ "$1" != 99 ] || echo "$2" >>"$TMPD/wrapper-errors"; return "$1"; }

finish() {
	[ ! -s "$TMPD/wrapper-errors" ] || not_ok "AGENT_WRAPPER found errors in: $(tr '\n' ',' <"$TMPD/wrapper-errors")"
	echo "$passes passed, $failures failed"
	[ "$failures" = 0 ]
}
