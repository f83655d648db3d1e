#!/bin/bash
# hubhad's HTTP server, the real daemon in a network namespace of its own:
# no corosync is reachable there (its IPC sockets are per namespace), so the
# answers are those of a node without a cluster view.  Which status each
# path gives on a real view is decided by tools/http_health.c (unit tests)
# and seen through HAProxy in the lab (tests/lab/http).
. "$(dirname "$0")/netns.sh"

HUBHAD="$top_builddir/tools/hubhad"
NS="$NS_PREFIX-h"
ns_add "$NS"
umask 022
: >"$TMPD/empty.conf"
printf 'http_listen = 127.0.0.1:8010\n' >"$TMPD/http.conf"

# hubhad_start NAME ARGS...: runs hubhad in NS; its log in $TMPD/NAME.log.
hubhad_start() {
	name=$1; shift
	ip netns exec "$NS" "$HUBHAD" --no-postgresql --foreground --interval 500 "$@" >"$TMPD/$name.log" 2>&1 &
	track_pid $!
	eval "PID_$name=$!"
}
# http [CURL ARGS...] URL: the status code; the body in $TMPD/body, the headers in $TMPD/head.
http() { ip netns exec "$NS" curl -sS -o "$TMPD/body" -D "$TMPD/head" -w '%{http_code}' --max-time 5 "$@"; }
wait_up() {
	for _ in $(seq 100); do [ "$(http "$1/liveness" 2>/dev/null)" = 200 ] && return 0; sleep 0.1; done
	return 1
}
# check DESCRIPTION WANT GOT
check() { if [ "$2" = "$3" ]; then ok "$1 ($3)"; else not_ok "$1: expected $2, got $3"; fi; }
header() { tr -d '\r' <"$TMPD/head" | sed -n "s/^$1: //Ip"; }

echo "# off unless configured"
hubhad_start off --config "$TMPD/empty.conf"
sleep 1
if [ -z "$(ip netns exec "$NS" ss -Htln)" ]; then ok "no listening socket without http_listen"; else
	not_ok "listening without http_listen: $(ip netns exec "$NS" ss -Htln)"; fi
kill "$PID_off"

echo "# IPv4, from the command line"
V4=http://127.0.0.1:8008
hubhad_start v4 --config "$TMPD/empty.conf" --http-listen 127.0.0.1:8008
if wait_up $V4; then ok "answers on 127.0.0.1:8008"; else not_ok "no answer on 127.0.0.1:8008"; cat "$TMPD/v4.log"; fi
grep -q "http: listening on 127.0.0.1:8008" "$TMPD/v4.log" && ok "logs where it listens" || not_ok "no listening line"

check "GET /liveness" 200 "$(http $V4/liveness)"
check "/liveness says why in one line" "hubhad is running" "$(cat "$TMPD/body")"
for p in / /primary /read-write /replica /standby /read-only /sync /synchronous /async /asynchronous /quorum \
	/read-only-sync /read-only-quorum \
	/health /readiness '/replica?lag=16kB&replication_state=streaming' '/async?lag=64MB' '/readiness?lag=1GB'; do
	check "GET $p without a cluster view" 503 "$(http "$V4$p")"
	check "GET $p: one line why" "no cluster view: not connected to corosync" "$(cat "$TMPD/body")"
	check "HEAD $p" 503 "$(http -I "$V4$p")"
	check "HEAD $p: no body" 0 "$(header Content-Length)"
	check "OPTIONS $p" 503 "$(http -X OPTIONS "$V4$p")"
	check "OPTIONS $p: no body" 0 "$(stat -c %s "$TMPD/body")"
done
for m in POST PUT PATCH DELETE; do
	check "$m /primary" 405 "$(http -X $m -d x=1 $V4/primary)"
	check "$m /primary: Allow" "GET, HEAD, OPTIONS" "$(header Allow)"
done
check "POST /switchover" 405 "$(http -X POST $V4/switchover)"
check "GET /nosuch" 404 "$(http $V4/nosuch)"
check "GET /primary/" 404 "$(http $V4/primary/)"

check "GET /metrics" 200 "$(http $V4/metrics)"
check "/metrics type" "text/plain; version=0.0.4; charset=utf-8" "$(header Content-Type)"
if promtool check metrics <"$TMPD/body" >"$TMPD/prom" 2>&1 && [ ! -s "$TMPD/prom" ]; then
	ok "promtool check metrics"; else not_ok "promtool check metrics: $(cat "$TMPD/prom")"; fi
grep -q '^hubha_cluster_health{state="unknown"} 1$' "$TMPD/body" && ok "metrics: verdict unknown" ||
	not_ok "metrics: no unknown verdict"
grep -q '^hubha_failovers_total 0$' "$TMPD/body" && ok "metrics: no failover seen" || not_ok "metrics: failovers"
check "HEAD /metrics: no body" 0 "$(http -I $V4/metrics >/dev/null; header Content-Length)"

check "GET /cluster" 200 "$(http $V4/cluster)"
check "/cluster type" "application/json" "$(header Content-Type)"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["members"]==[] and d["health"]=="unknown"' \
	"$TMPD/body"; then ok "/cluster is hubha status --json's document"; else not_ok "/cluster: $(cat "$TMPD/body")"; fi
check "GET /node without a cluster view" 503 "$(http $V4/node)"
check "HEAD /node without a cluster view" 503 "$(http -I $V4/node)"

check "GET /status" 200 "$(http $V4/status)"
check "/status type" "text/html; charset=utf-8" "$(header Content-Type)"
if xmllint --html --noout "$TMPD/body" 2>"$TMPD/xml" && [ ! -s "$TMPD/xml" ]; then ok "xmllint --html /status"; else
	not_ok "xmllint --html /status: $(cat "$TMPD/xml")"; fi
if command -v chromium >/dev/null; then
	ip netns exec "$NS" env HOME="$TMPD" timeout 60 chromium --headless --no-sandbox --disable-gpu \
		--dump-dom $V4/status >"$TMPD/dom" 2>"$TMPD/chromium.err"
	grep -q '<span id="ha" class="badge unknown">UNKNOWN</span>' "$TMPD/dom" &&
		grep -q '<table id="hubs">' "$TMPD/dom" && ok "chromium renders /status with the badge" ||
		not_ok "chromium --dump-dom /status: $(head -c 300 "$TMPD/dom") $(tail -3 "$TMPD/chromium.err")"
else
	echo "# chromium not installed: /status checked with xmllint only"
fi
kill "$PID_v4"

echo "# IPv6, from the configuration file too"
hubhad_start v6 --config "$TMPD/empty.conf" --http-listen '[::1]:8009'
hubhad_start conf --config "$TMPD/http.conf"
if wait_up 'http://[::1]:8009'; then ok "answers on [::1]:8009"; else not_ok "no answer on [::1]:8009"; cat "$TMPD/v6.log"; fi
check "GET [::1]/primary" 503 "$(http 'http://[::1]:8009/primary')"
check "not on 127.0.0.1:8009" 000 "$(http http://127.0.0.1:8009/liveness 2>/dev/null)"
if wait_up http://127.0.0.1:8010; then ok "http_listen from the configuration file"; else
	not_ok "http_listen from the configuration file"; cat "$TMPD/conf.log"; fi

echo "# refusals"
for a in 8008 localhost:8008 ::1:8008 127.0.0.1:99999; do
	ip netns exec "$NS" timeout 10 "$HUBHAD" --config "$TMPD/empty.conf" --no-postgresql --foreground \
		--http-listen "$a" >"$TMPD/bad" 2>&1
	rc=$?
	if [ $rc = 2 ] && grep -q "listen address '$a': not ADDRESS:PORT" "$TMPD/bad"; then ok "refuses --http-listen $a"; else
		not_ok "--http-listen $a: rc $rc: $(cat "$TMPD/bad")"; fi
done
ip netns exec "$NS" timeout 10 "$HUBHAD" --config "$TMPD/empty.conf" --no-postgresql --foreground \
	--http-listen '[::1]:8009' >"$TMPD/bad" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "cannot listen on \[::1\]:8009" "$TMPD/bad"; then ok "exits when the port is taken"; else
	not_ok "port taken: rc $rc: $(cat "$TMPD/bad")"; fi

finish
