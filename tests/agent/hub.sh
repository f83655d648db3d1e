#!/bin/bash
# ocf:hubha:hub against real processes, inside a network namespace of our own
# (the probes' ports are its loopback's): a daemon with a pid file (Debian's
# cf-serverd with a private work directory), foreground services the agent
# records, TCP and HTTP probes, and Pacemaker's attribute tool replaced by
# the file-backed fake.
. "$(dirname "$0")/netns.sh"

HUB="$top_builddir/agents/hub"
FAKEDIR=$(cd "$(dirname "$0")" && pwd)/pgsql-fake
N="$NS_PREFIX-h"
RSC="hubt$$"
ATTRS="$TMPD/attrs"
W="$TMPD/cfw"
ns_add "$N"

own_cleanup() {
	# Whatever the agent started for this test's resources, by the records it keeps.
	for f in /run/hubha/hub-"$RSC"*.pid; do
		[ -e "$f" ] && kill -9 "$(cut -d' ' -f1 "$f")" 2>/dev/null
	done
	[ -s "$W/cf-serverd.pid" ] && [ "$(readlink "/proc/$(cat "$W/cf-serverd.pid")/exe")" = /usr/bin/cf-serverd ] &&
		kill -9 "$(cat "$W/cf-serverd.pid")"
	rm -f /run/hubha/hub-"$RSC"* /run/hubha/"$RSC"*.attrs
	cleanup
}
trap own_cleanup EXIT

# hub ACTION [VAR=VALUE...]: the agent in the namespace, as Pacemaker would run it.
hub() {
	local action=$1
	shift
	ip netns exec "$N" env -i PATH="$FAKEDIR:/usr/sbin:/usr/bin:/sbin:/bin" HUBHA_TEST_ATTRS="$ATTRS" \
		OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE="$RSC" HA_LOGFACILITY=none "$@" \
		${AGENT_WRAPPER:+"$top_builddir/libtool" --mode=execute $AGENT_WRAPPER} "$HUB" "$action"
	wrapped_rc $? "hub $action"
}

attr() { cat "$ATTRS/$(uname -n)/$RSC-services" 2>/dev/null; }
record_pid() { cut -d' ' -f1 "/run/hubha/hub-$RSC-$1.pid" 2>/dev/null; }

# A private CFEngine work directory: its own keys, a policy that listens on 15308.
mkdir -p "$W/inputs" && chmod 700 "$W" && ln -s /usr/bin "$W/bin"
cat >"$W/inputs/promises.cf" <<'EOF'
body common control { bundlesequence => { "main" }; }
body server control { allowconnects => { "127.0.0.1" }; port => "15308"; }
bundle agent main { }
EOF
CFENGINE_TEST_OVERRIDE_WORKDIR="$W" cf-key >/dev/null 2>&1 || { echo "SKIP: cf-key cannot make keys"; exit 77; }
# Each reads the request before it answers: a server closing on unread data resets the connection.
printf '#!/bin/sh\nwhile read -r l && [ "$l" != "$(printf "\\r")" ]; do :; done\nprintf "HTTP/1.0 %s\\r\\n\\r\\n"\n' "200 OK" >"$TMPD/http-ok"
printf '#!/bin/sh\nwhile read -r l && [ "$l" != "$(printf "\\r")" ]; do :; done\nprintf "HTTP/1.0 %s\\r\\n\\r\\n"\n' "503 Unavailable" >"$TMPD/http-503"
chmod 755 "$TMPD/http-ok" "$TMPD/http-503"
# A service that ignores SIGTERM.
printf '#!/bin/bash\ntrap "" TERM\nwhile :; do sleep 1; done\n' >"$TMPD/stubborn"
chmod 755 "$TMPD/stubborn"

CFSD="cfsd pidfile=$W/cf-serverd.pid exe=/usr/bin/cf-serverd probe=tcp:127.0.0.1:15308 \
start=/usr/bin/env CFENGINE_TEST_OVERRIDE_WORKDIR=$W /usr/bin/cf-serverd -f $W/inputs/promises.cf"
WEB="web probe=http://127.0.0.1:8080/health start=/usr/bin/socat TCP-LISTEN:8080,bind=127.0.0.1,reuseaddr,fork EXEC:$TMPD/http-ok"
S1="OCF_RESKEY_services=$CFSD; $WEB"

expect 7 "probe before start: not running" -- hub monitor "$S1"
expect 0 "start a daemon with a pid file and a foreground service, both probed" -- hub start "$S1"
expect 0 "monitor: both run and answer" -- hub monitor "$S1"
[ "$(attr)" = ok ] && ok "attribute $RSC-services=ok" || not_ok "attribute is '$(attr)', not ok"
expect 0 "start again is a no-op" -- hub start "$S1"
[ "$(pgrep -c -f "^/usr/bin/socat TCP-LISTEN:8080")" = 1 ] && ok "one web service, not two" ||
	not_ok "second start started another copy"

# A required service killed while another runs: failed, with the reason.
kill -9 "$(record_pid web)"
for _ in $(seq 100); do [ -d "/proc/$(record_pid web)" ] || break; sleep 0.05; done
expect 1 "a required service killed: OCF_ERR_GENERIC" -- hub monitor "$S1"
last_reason | grep -q "web is not running" && ok "reason names the service" || not_ok "reason: $(last_reason)"
[ "$(attr)" = failed ] && ok "attribute failed" || not_ok "attribute is '$(attr)', not failed"
expect 0 "stop" -- hub stop "$S1"
[ -s "$W/cf-serverd.pid" ] && [ -d "/proc/$(cat "$W/cf-serverd.pid")" ] && not_ok "cf-serverd survived stop" ||
	ok "cf-serverd is gone"
[ "$(attr)" = stopped ] && ok "attribute stopped" || not_ok "attribute is '$(attr)', not stopped"
expect 7 "monitor after stop" -- hub monitor "$S1"
expect 0 "stop when stopped" -- hub stop "$S1"

# The only service killed: not running.
S2="OCF_RESKEY_services=$WEB"
expect 0 "start one foreground service" -- hub start "$S2"
kill -9 "$(record_pid web)"
for _ in $(seq 100); do [ -d "/proc/$(record_pid web)" ] || break; sleep 0.05; done
expect 7 "its process killed: OCF_NOT_RUNNING" -- hub monitor "$S2"

# A stale pid file naming a process of another program, and a record whose pid was reused.
sleep 1000 &
OTHER=$!
track_pid "$OTHER"
echo "$OTHER" >"$W/cf-serverd.pid"
expect 7 "a pid file naming another program's process is not running" -- hub monitor "OCF_RESKEY_services=$CFSD"
echo "$OTHER 1" >"/run/hubha/hub-$RSC-web.pid"
expect 7 "a record whose start time differs is not running" -- hub monitor "$S2"
expect 0 "stop leaves the other process alone" -- hub stop "OCF_RESKEY_services=$CFSD; $WEB"
kill -0 "$OTHER" 2>/dev/null && ok "the other process still runs" || not_ok "stop killed a process not its own"
[ -e "/run/hubha/hub-$RSC-web.pid" ] && not_ok "a stale record is left after stop" || ok "stale record removed"

# Optional services: down, or answering an error, degrade; they never fail start.
S3="OCF_RESKEY_services=$WEB; extra optional start=/usr/bin/sleep 1000"
expect 0 "start with an optional service" -- hub start "$S3"
kill -9 "$(record_pid extra)"
for _ in $(seq 100); do [ -d "/proc/$(record_pid extra)" ] || break; sleep 0.05; done
expect 190 "optional service killed: OCF_DEGRADED" -- hub monitor "$S3"
[ "$(attr)" = degraded ] && ok "attribute degraded" || not_ok "attribute is '$(attr)', not degraded"
expect 0 "stop" -- hub stop "$S3"
S4="OCF_RESKEY_services=$WEB; bad optional probe=http://127.0.0.1:8081/ \
start=/usr/bin/socat TCP-LISTEN:8081,bind=127.0.0.1,reuseaddr,fork EXEC:$TMPD/http-503"
expect 0 "start: an optional service whose probe answers 503 does not fail start" -- hub start "$S4" \
	OCF_RESKEY_CRM_meta_timeout=5000
expect 190 "its probe answering 503: OCF_DEGRADED" -- hub monitor "$S4"
last_reason | grep -q "answered 503" && ok "reason gives the status" || not_ok "reason: $(last_reason)"
S5="OCF_RESKEY_services=lost optional probe=tcp:127.0.0.1:9 start=/usr/bin/sleep 1000; $WEB"
expect 0 "start: an optional service nothing listens for" -- hub start "$S5" OCF_RESKEY_CRM_meta_timeout=5000
expect 190 "its TCP probe refused: OCF_DEGRADED" -- hub monitor "$S5"
expect 0 "stop" -- hub stop "$S4"
expect 0 "stop" -- hub stop "$S5"

# A required service that cannot start fails start with its reason.
expect 1 "start: a required daemon that fails" -- hub start "OCF_RESKEY_services=quick pidfile=$TMPD/q.pid start=/usr/bin/false"
last_reason | grep -q "ended: exit status 1" && ok "reason: $(last_reason)" || not_ok "reason: $(last_reason)"
expect 1 "start: a required foreground service that exits before its probe answers" -- hub start \
	"OCF_RESKEY_services=quick probe=tcp:127.0.0.1:9 start=/usr/bin/false"
last_reason | grep -q "ended: exit status 1" && ok "reason: $(last_reason)" || not_ok "reason: $(last_reason)"
expect 5 "start: a program that is not installed" -- hub start "OCF_RESKEY_services=x start=/nonexistent/prog"
expect 5 "validate-all: a program that is not installed" -- hub validate-all "OCF_RESKEY_services=x start=/nonexistent/prog"
S7="OCF_RESKEY_services=$WEB; x optional start=/nonexistent/prog"
expect 0 "start: an optional program that is not installed does not fail start" -- hub start "$S7"
expect 190 "and degrades" -- hub monitor "$S7"
expect 0 "stop" -- hub stop "$S7"
expect 0 "validate-all: if-installed leaves it out" -- hub validate-all \
	"OCF_RESKEY_services=x if-installed start=/nonexistent/prog"

# Nothing installed at all (Debian's cfengine3 has no cf-hub): start and stop still work.
if [ ! -x /var/cfengine/bin/cf-hub ] && [ ! -x /usr/bin/cf-hub ]; then
	expect 7 "default services, no cf-hub here: not running before start" -- hub monitor
	expect 0 "default services: start" -- hub start
	expect 0 "default services: running" -- hub monitor
	expect 0 "default services: stop" -- hub stop
	expect 7 "default services: not running after stop" -- hub monitor
fi

# Stop is bounded: SIGKILL follows SIGTERM within the timeout, however long stop_escalate is.
S6="OCF_RESKEY_services=stubborn exe=/usr/bin/bash start=$TMPD/stubborn"
expect 0 "start a service that ignores SIGTERM" -- hub start "$S6"
P=$(record_pid stubborn)
expect 0 "stop escalates to SIGKILL within its timeout" -- hub stop "$S6" OCF_RESKEY_stop_escalate=3600 \
	OCF_RESKEY_CRM_meta_timeout=4000
for _ in $(seq 100); do [ -d "/proc/$P" ] && [ "$(awk '{print $3}' "/proc/$P/stat" 2>/dev/null)" != Z ] || break; sleep 0.05; done
[ -d "/proc/$P" ] && [ "$(awk '{print $3}' "/proc/$P/stat")" != Z ] && not_ok "stubborn service survived" ||
	ok "stubborn service gone"

# A stop whose parameters became invalid still stops what the services name; the reason stays the parameter's.
expect 0 "start one foreground service" -- hub start "$S2"
P=$(record_pid web)
expect 0 "stop with probe_timeout out of range still stops it" -- hub stop "$S2" OCF_RESKEY_probe_timeout=0
last_reason | grep -q "probe_timeout=0 is out of range" && ok "reason names the parameter" || not_ok "reason: $(last_reason)"
[ -e "/run/hubha/hub-$RSC-web.pid" ] && not_ok "its record is left" || ok "its record is gone"
expect 6 "stop with services that do not parse cannot tell, and fails" -- hub stop "OCF_RESKEY_services=nostart"

# Bad parameters: OCF_ERR_CONFIGURED, one line, and nothing on disk changes.
before=$(ls -l --time-style=+%s.%N /run/hubha 2>/dev/null; cat "$ATTRS/calls.log" 2>/dev/null)
for bad in "s1 start=relative/prog" "nostart" "s1 bogus start=/usr/bin/sleep 1" "s1 probe=tcp:localhost:80 start=/usr/bin/sleep 1" \
	"a start=/usr/bin/sleep 1; a start=/usr/bin/sleep 2" "s1 pidfile=x.pid start=/usr/bin/sleep 1"; do
	expect 6 "bad services=\"$bad\"" -- hub start "OCF_RESKEY_services=$bad"
	[ "$(last_reason | wc -l)" = 1 ] && grep -q "^ocf-exit-reason:Parameter services=.* is invalid: [^:]*" "$TMPD/err" && ok "one line: $(last_reason)" ||
		not_ok "reason: $(cat "$TMPD/err")"
done
expect 6 "probe_timeout out of range" -- hub start OCF_RESKEY_probe_timeout=0
after=$(ls -l --time-style=+%s.%N /run/hubha 2>/dev/null; cat "$ATTRS/calls.log" 2>/dev/null)
[ "$before" = "$after" ] && ok "nothing changed on disk" || not_ok "bad parameters changed something"
finish
