# Shared helpers for the pgsql agent tests: PostgreSQL instances ("nodes") on
# loopback ports in a temporary directory owned by postgres, the agent run
# with a clean OCF environment, and Pacemaker's attribute tools replaced by
# the file-backed fakes in pgsql-fake/.  Everything created is removed on
# exit, also after a failure; only postmasters started from our own data
# directories (pid from their postmaster.pid) and processes started here are
# killed, by pid.

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGSQL="$top_builddir/agents/pgsql"
FAKEDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pgsql-fake
failures=0
passes=0
_pids=""
_nodes=""
declare -A PORT

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: $0 needs root (runs PostgreSQL as postgres)"
	exit 77
fi
if [ ! -x "$PGBIN/postgres" ] || ! id postgres >/dev/null 2>&1; then
	echo "SKIP: $0 needs PostgreSQL in $PGBIN and a postgres user"
	exit 77
fi
if [ ! -e "$PGSQL" ]; then
	echo "SKIP: $PGSQL not built"
	exit 77
fi

# The pid of NAME's postmaster if one runs from our data directory.
postmaster_pid() {
	local f="$TMPD/$1/data/postmaster.pid" pid
	[ -f "$f" ] || return 1
	pid=$(head -n1 "$f" 2>/dev/null)
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$PGBIN/postgres")" ] || return 1
	# And it really serves this directory (not a reused pid).
	tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$TMPD/$1/data" ||
		[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$TMPD/$1/data" ] || return 1
	echo "$pid"
}

cleanup() {
	local n pid i
	for pid in $_pids; do kill "$pid" 2>/dev/null; done
	for n in $_nodes; do
		pid=$(postmaster_pid "$n") || continue
		# A test cut short may leave a server stopped (SIGSTOP): it would ignore the rest.
		kill -CONT "$pid" $(pgrep -P "$pid") 2>/dev/null
		kill -QUIT "$pid" 2>/dev/null
		for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	for pid in $_pids; do kill -KILL "$pid" 2>/dev/null; done
	[ -n "${TMPD:-}" ] && rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
TMPD=$(mktemp -d /tmp/hubha-pgsql.XXXXXX)
chown postgres: "$TMPD"
chmod 755 "$TMPD"
export HUBHA_TEST_ATTRS="$TMPD/attrs"
mkdir -m 1777 "$HUBHA_TEST_ATTRS"
: >"$HUBHA_TEST_ATTRS/calls.log"
chmod 666 "$HUBHA_TEST_ATTRS/calls.log"

track_pid() { _pids="$_pids $1"; }
untrack_pid() { _pids=$(echo " $_pids " | sed "s/ $1 / /"); }

ok() { passes=$((passes + 1)); echo "ok - $*"; }
not_ok() { failures=$((failures + 1)); echo "not ok - $*"; }

# expect RC DESCRIPTION -- COMMAND...   (RC may be a list: "5|6")
expect() {
	local want=$1 desc=$2 got
	shift 3
	"$@" >"$TMPD/out" 2>"$TMPD/err"
	got=$?
	if [[ "|$want|" == *"|$got|"* ]]; then ok "$desc (rc $got)"; return 0; fi
	not_ok "$desc: expected rc $want, got $got"
	sed 's/^/#   /' "$TMPD/err" | tail -n 30
	return 1
}

# expect_fail DESCRIPTION -- COMMAND...: any rc but 0.
expect_fail() {
	local desc=$1 got
	shift 2
	"$@" >"$TMPD/out" 2>"$TMPD/err"
	got=$?
	if [ "$got" != 0 ]; then ok "$desc (rc $got)"; return 0; fi
	not_ok "$desc: expected a failure, got rc 0"
	sed 's/^/#   /' "$TMPD/err" | tail -n 30
	return 1
}

# The reason line an agent printed for the last expect.
last_reason() { sed -n 's/^ocf-exit-reason://p' "$TMPD/err"; }
# ok when the last expect printed exactly one reason line.
one_reason() {
	if [ "$(grep -c '^ocf-exit-reason:' "$TMPD/err")" = 1 ]; then ok "  one reason: $(last_reason)"
	else not_ok "  expected one ocf-exit-reason line, got $(grep -c '^ocf-exit-reason:' "$TMPD/err")"; fi
}

# retry SECONDS COMMAND...: run COMMAND every 0.2s until it succeeds.
retry() {
	local end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

free_port() {
	local p
	for p in $(seq $((20000 + $$ % 20000)) 45000); do
		[[ " ${PORT[*]} " == *" $p "* ]] && continue
		[ -z "$(ss -Hltn "sport = :$p")" ] && { echo "$p"; return 0; }
	done
	return 1
}

as_pg() { runuser -u postgres -- "$@"; }

# The settings every node gets (appended last, so they win).
_node_conf() {
	cat >>"$TMPD/$1/data/postgresql.conf" <<EOF

# hubha test node $1
port = $2
listen_addresses = '127.0.0.1'
unix_socket_directories = '$TMPD/$1'
wal_level = replica
hot_standby = on
max_wal_senders = 10
max_replication_slots = 10
wal_log_hints = on
wal_keep_size = '256MB'
wal_receiver_status_interval = 1s
logging_collector = off
fsync = on
EOF
	cat >"$TMPD/$1/data/pg_hba.conf" <<EOF
local   all          all                 trust
local   replication  all                 trust
host    all          all   127.0.0.1/32  trust
host    replication  all   127.0.0.1/32  trust
EOF
	chown postgres: "$TMPD/$1/data/postgresql.conf" "$TMPD/$1/data/pg_hba.conf"
}

_node_dir() {
	mkdir -p "$TMPD/$1/tmp"
	chown -R postgres: "$TMPD/$1"
	chmod 755 "$TMPD/$1"
	mkdir -m 755 "$TMPD/$1/run"
	PORT[$1]=$2
	_nodes="$_nodes $1"
}

# pg_node NAME PORT: a fresh cluster in $TMPD/NAME/data (socket in $TMPD/NAME).
pg_node() {
	_node_dir "$1" "$2"
	as_pg "$PGBIN/initdb" -D "$TMPD/$1/data" -U postgres --auth=trust -N >"$TMPD/$1/initdb.log" 2>&1 ||
		{ echo "# initdb $1 failed:"; sed 's/^/#   /' "$TMPD/$1/initdb.log"; return 1; }
	_node_conf "$1" "$2"
}

# pg_standby NAME PORT FROM: NAME as a base backup of the running FROM.
pg_standby() {
	_node_dir "$1" "$2"
	as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "${PORT[$3]}" -U postgres -D "$TMPD/$1/data" \
		-X stream -c fast >"$TMPD/$1/basebackup.log" 2>&1 ||
		{ echo "# pg_basebackup $1 failed:"; sed 's/^/#   /' "$TMPD/$1/basebackup.log"; return 1; }
	_node_conf "$1" "$2"
}

# pg_set NAME "SETTING = VALUE": a setting for NAME's next start (last one wins).
pg_set() { echo "$2" >>"$TMPD/$1/data/postgresql.conf"; }

# Start/stop NAME directly with pg_ctl (setup only, not the agent).
pg_plain_start() { as_pg "$PGBIN/pg_ctl" -D "$TMPD/$1/data" -l "$TMPD/$1/plain.log" -w -t 60 start >/dev/null; }
pg_plain_stop() { as_pg "$PGBIN/pg_ctl" -D "$TMPD/$1/data" -m fast -w -t 60 stop >/dev/null; }

# sql NAME STATEMENT: one statement on NAME over TCP, unaligned output.
sql() {
	PGCONNECT_TIMEOUT=3 timeout 20 "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 \
		-h 127.0.0.1 -p "${PORT[$1]}" -U postgres -d postgres -c "$2" 2>"$TMPD/sql.err"
}
sql_err() { tr '\n' ' ' <"$TMPD/sql.err"; }

# repl_state PRIMARY STANDBY: "state sync_state" of STANDBY in PRIMARY's pg_stat_replication.
repl_state() { sql "$1" "select state || ' ' || sync_state from pg_stat_replication where application_name = '$2'"; }
streams_from() { [ "$(repl_state "$2" "$1" | cut -d' ' -f1)" = streaming ]; }

# repl_clients NAME GROUP APPNAME...: one physical replication connection to
# NAME (a walsender there) per application_name, each an idle psql reading a
# fifo it opened read-write itself, so its input never ends and no other
# process holds the fifo; repl_clients_stop GROUP kills them.
declare -A _client_pids
repl_clients() {
	local n=$1 g=$2 name
	shift 2
	mkfifo "$TMPD/clients.$g"
	for name in "$@"; do
		"$PGBIN/psql" -X -q "host=127.0.0.1 port=${PORT[$n]} user=postgres replication=true application_name='$name'" \
			<>"$TMPD/clients.$g" >>"$TMPD/clients.$g.out" 2>&1 &
		track_pid $!
		_client_pids[$g]="${_client_pids[$g]} $!"
	done
}
repl_clients_stop() {
	local pid
	for pid in ${_client_pids[$1]}; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; untrack_pid "$pid"; done
	_client_pids[$1]=""
	rm -f "$TMPD/clients.$1"
}
# walsenders NAME: how many walsenders NAME runs.
walsenders() { sql "$1" "select count(*) from pg_stat_replication"; }
_walsenders_are() { [ "$(walsenders "$1")" = "$2" ]; }

# Node attributes as the fakes stored them.
attr() { cat "$HUBHA_TEST_ATTRS/$1/$2" 2>/dev/null; }
# The promotion score of NODE as a number (missing: below everything).
score() {
	local v
	v=$(attr "$1" master-pgsql)
	case $v in
	'') echo -2000000 ;;
	INFINITY | +INFINITY) echo 1000000 ;;
	-INFINITY) echo -1000000 ;;
	*) echo "$v" ;;
	esac
}
attrs_dump() { (cd "$HUBHA_TEST_ATTRS" && for f in */*; do [ -f "$f" ] && echo "$f=$(cat "$f")"; done); }
calls() { wc -l <"$HUBHA_TEST_ATTRS/calls.log"; }

# Defaults for every agent call; tests change these.
REP_MODE=none
NODES=""
MASTER_PORT=""
AGENT_PRE=()

# Each node gets its own /run (the agent keeps state there, as on separate
# hosts) when a private mount namespace can be made.
if unshare -m --propagation private -- sh -c 'mount --bind "$0" /run' "$TMPD" 2>/dev/null; then
	own_run() { local n=$1; shift; unshare -m --propagation private -- sh -c 'mount --bind "$0" /run && exec "$@"' "$TMPD/$n/run" "$@"; }
else
	echo "# no private mount namespace: the nodes share /run"
	own_run() { shift; "$@"; }
fi

# agent NODE ACTION [VAR=VALUE...]: the agent for NODE's instance, with a
# clean environment as a promotable clone gets it; VAR=VALUE override.
agent() {
	local n=$1 action=$2 wrap=()
	shift 2
	# A traced run is not wrapped: the trace would count the wrapper's processes.
	[ -n "${AGENT_WRAPPER:-}" ] && [ ${#AGENT_PRE[@]} = 0 ] && wrap=("$top_builddir/libtool" --mode=execute $AGENT_WRAPPER)
	own_run "$n" env -i PATH="$FAKEDIR:/usr/sbin:/usr/bin:/sbin:/bin" HUBHA_TEST_ATTRS="$HUBHA_TEST_ATTRS" \
		OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=pgsql OCF_RESKEY_CRM_meta_on_node="$n" \
		OCF_RESKEY_CRM_meta_timeout=60000 OCF_RESKEY_CRM_meta_interval=0 \
		OCF_RESKEY_CRM_meta_notify=true OCF_RESKEY_CRM_meta_clone_max="$(echo $NODES | wc -w)" \
		OCF_RESKEY_CRM_meta_clone_node_max=1 OCF_RESKEY_CRM_meta_master_max=1 OCF_RESKEY_CRM_meta_promoted_max=1 \
		OCF_RESKEY_CRM_meta_master_node_max=1 OCF_RESKEY_CRM_meta_promoted_node_max=1 \
		OCF_RESKEY_pgctl="$PGBIN/pg_ctl" OCF_RESKEY_pgdata="$TMPD/$n/data" OCF_RESKEY_pgdba=postgres \
		OCF_RESKEY_pgport="${PORT[$n]}" OCF_RESKEY_socketdir="$TMPD/$n" OCF_RESKEY_tmpdir="$TMPD/$n/tmp" \
		OCF_RESKEY_logfile="$TMPD/$n/postgres.log" OCF_RESKEY_rep_mode="$REP_MODE" \
		OCF_RESKEY_node_list="$NODES" OCF_RESKEY_master_ip=127.0.0.1 OCF_RESKEY_master_port="$MASTER_PORT" \
		OCF_RESKEY_repuser=postgres \
		"$@" "${AGENT_PRE[@]}" "${wrap[@]}" "${AGENT_BIN:-$PGSQL}" "$action"
	wrapped_rc $? "$n $action"
}

# A recurring monitor (probes are agent NODE monitor).
mon() { local n=$1; shift; agent "$n" monitor OCF_RESKEY_CRM_meta_interval=10000 "$@"; }

# notify NODE TYPE OPERATION [LIST=NODES...]: LIST is one of start stop
# promote demote active inactive master slave; the others are empty.
notify() {
	local n=$1 type=$2 op=$3 kv k v
	shift 3
	local -A l=([start]="" [stop]="" [promote]="" [demote]="" [active]="" [inactive]="" [master]="" [slave]="")
	for kv in "$@"; do l[${kv%%=*}]=${kv#*=}; done
	local vars=()
	for k in "${!l[@]}"; do
		vars+=("OCF_RESKEY_CRM_meta_notify_${k}_uname=${l[$k]}")
		v=""
		for x in ${l[$k]}; do v="$v pgsql:${x#n}"; done
		vars+=("OCF_RESKEY_CRM_meta_notify_${k}_resource=${v# }")
	done
	vars+=("OCF_RESKEY_CRM_meta_notify_promoted_uname=${l[master]}"
		"OCF_RESKEY_CRM_meta_notify_unpromoted_uname=${l[slave]}"
		"OCF_RESKEY_CRM_meta_notify_available_uname=$NODES"
		"OCF_RESKEY_CRM_meta_notify_all_uname=$NODES")
	agent "$n" notify OCF_RESKEY_CRM_meta_notify_type="$type" OCF_RESKEY_CRM_meta_notify_operation="$op" "${vars[@]}"
}

# A file listing snapshot of a node's directory (path, size, mtime), less
# run/, the agent's private /run.
snap() { find "$1" -path "$1/run" -prune -o -printf '%p %s %T@\n' | sort; }

# crash NAME [all|PID...]: SIGKILL NAME's postmaster (with "all" its children
# at the same moment, like a power cut; or the given children with it) and
# wait until the children are gone.
crash() {
	local n=$1 pid kids k i
	shift
	pid=$(postmaster_pid "$n") || { echo "# no postmaster for $n"; return 1; }
	kids=$(pgrep -P "$pid" | tr '\n' ' ')
	if [ "${1:-}" = all ]; then kill -KILL "$pid" $kids 2>/dev/null; else kill -KILL "$pid" "$@" 2>/dev/null; fi
	for i in $(seq 150); do
		local alive=""
		for k in $pid $kids; do kill -0 "$k" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && return 0
		sleep 0.1
	done
	echo "# children of $n's postmaster still alive after 15s"
	for k in $kids; do kill -0 "$k" 2>/dev/null && track_pid "$k"; done
	return 1
}

# writer_start NAME: insert 1, 2, 3, ... into t on NAME, one psql each, and
# record every id whose insert was acknowledged in $TMPD/acked.NAME.
writer_start() {
	local n=$1 port=${PORT[$1]}
	: >"$TMPD/acked.$n"
	rm -f "$TMPD/stop.$n"
	(
		i=1
		while [ ! -e "$TMPD/stop.$n" ] && [ $i -lt 100000 ]; do
			if PGCONNECT_TIMEOUT=2 timeout 15 "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 \
				-p "$port" -U postgres -d postgres -c "insert into t values ($i)" >/dev/null 2>&1; then
				echo $i >>"$TMPD/acked.$n"
			else
				sleep 0.05
			fi
			i=$((i + 1))
		done
	) &
	WRITER_PID=$!
	track_pid "$WRITER_PID"
}

writer_stop() {
	local n=$1 i
	touch "$TMPD/stop.$n"
	for i in $(seq 200); do kill -0 "$WRITER_PID" 2>/dev/null || break; sleep 0.1; done
	kill "$WRITER_PID" 2>/dev/null
	wait "$WRITER_PID" 2>/dev/null
	untrack_pid "$WRITER_PID"
}

acked() { wc -l <"$TMPD/acked.$1"; }
# wait_acked NAME COUNT: until COUNT inserts were acknowledged (at most 30s).
_acked_ge() { [ "$(acked "$1")" -ge "$2" ]; }
wait_acked() { retry 30 _acked_ge "$1" "$2"; }

# missing_acked WRITER_NODE NODE: acknowledged ids not in NODE's table t.
missing_acked() {
	sql "$2" "select id from t" | sort >"$TMPD/have.$2" || { echo "query failed"; return 1; }
	sort "$TMPD/acked.$1" | comm -23 - "$TMPD/have.$2"
}

# Fake pacemaker-attrd: the attribute cache only trusts what it wrote while
# the same attrd runs, found by process name as on a cluster node.
attrd_start() {
	mkdir -p "$TMPD/bin"
	cp /bin/sleep "$TMPD/bin/pacemaker-attrd"
	"$TMPD/bin/pacemaker-attrd" 3600 &
	ATTRD_PID=$!
	track_pid "$ATTRD_PID"
}

# alive PID: PID runs (a zombie its new parent has not reaped yet does not).
alive() {
	local state
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	case $state in '' | Z | X) return 1 ;; esac
}

# stale_pidfile NAME PID: NAME's postmaster.pid as a crash leaves it, naming PID.
stale_pidfile() {
	printf '%s\n%s\n%s\n%s\n%s\n127.0.0.1\n  %s %s\nready   \n' "$2" "$TMPD/$1/data" "$(date +%s)" \
		"${PORT[$1]}" "$TMPD/$1" 0 0 >"$TMPD/$1/data/postmaster.pid"
	chown postgres: "$TMPD/$1/data/postmaster.pid"
}

# child_hygiene NAME LOGFILE SECRET: NAME's postmaster holds no fd on LOGFILE
# and has neither SECRET nor any OCF variable in its environment.
child_hygiene() {
	local pid fd leaked=""
	pid=$(postmaster_pid "$1") || { not_ok "  no postmaster for $1"; return; }
	for fd in /proc/$pid/fd/*; do
		[ "$(readlink "$fd")" = "$2" ] && leaked="$leaked ${fd##*/}"
	done
	[ -z "$leaked" ] && ok "  the postmaster holds no fd on HA_LOGFILE" ||
		not_ok "  the postmaster holds HA_LOGFILE open as fd$leaked"
	if tr '\0' '\n' <"/proc/$pid/environ" | grep -qF -- "$3"; then not_ok "  monitor_password in the postmaster's environment"
	else ok "  no monitor_password in the postmaster's environment"; fi
	if tr '\0' '\n' <"/proc/$pid/environ" | grep -q '^OCF_'; then not_ok "  OCF variables in the postmaster's environment"
	else ok "  no OCF variable in the postmaster's environment"; fi
}

show_log() { echo "# last lines of $1's server log:"; tail -n "${2:-15}" "$TMPD/$1/postgres.log" 2>/dev/null | sed 's/^/#   /'; }

# AGENT_WRAPPER (valgrind, say) exits 99 when it found errors: count those
# through a file, since agents also run in subshells.
wrapped_rc() { [ "$1" != 99 ] || echo "$2" >>"$TMPD/wrapper-errors"; return "$1"; }

finish() {
	[ ! -s "$TMPD/wrapper-errors" ] || not_ok "AGENT_WRAPPER found errors in: $(tr '\n' ',' <"$TMPD/wrapper-errors")"
	echo "$passes passed, $failures failed"
	[ "$failures" = 0 ]
}
