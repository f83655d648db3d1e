#!/bin/bash
# ocf-tester (resource-agents) on hub: a foreground service the agent records,
# and a daemon with a pid file and a probe, inside our own namespace.
. "$(dirname "$0")/netns.sh"

HUB="$top_builddir/agents/hub"
FAKEDIR=$(cd "$(dirname "$0")" && pwd)/pgsql-fake
N="$NS_PREFIX-o"
RSC="hubot$$"
ns_add "$N"

own_cleanup() {
	for f in /run/hubha/hub-"$RSC"*.pid; do
		[ -e "$f" ] && kill -9 "$(cut -d' ' -f1 "$f")" 2>/dev/null
	done
	rm -f /run/hubha/hub-"$RSC"* /run/hubha/"$RSC"*.attrs
	cleanup
}
trap own_cleanup EXIT

# Each reads the request before it answers: a server closing on unread data resets the connection.
printf '#!/bin/sh\nwhile read -r l && [ "$l" != "$(printf "\\r")" ]; do :; done\nprintf "HTTP/1.0 %s\\r\\n\\r\\n"\n' "200 OK" >"$TMPD/http-ok"
chmod 755 "$TMPD/http-ok"
services="idle start=/usr/bin/sleep 100000; web optional probe=http://127.0.0.1:8080/ \
start=/usr/bin/socat TCP-LISTEN:8080,bind=127.0.0.1,reuseaddr,fork EXEC:$TMPD/http-ok"
if ip netns exec "$N" env PATH="$FAKEDIR:$PATH" HUBHA_TEST_ATTRS="$TMPD/attrs" OCF_ROOT=/usr/lib/ocf \
	ocf-tester -n "$RSC" -o services="$services" "$HUB" >"$TMPD/tester" 2>&1 &&
	grep -q "/hub passed all tests" "$TMPD/tester"; then
	ok "ocf-tester passes"
else
	not_ok "ocf-tester"; sed 's/^/#   /' "$TMPD/tester"
fi
ls /run/hubha/hub-"$RSC"*.pid >/dev/null 2>&1 && not_ok "ocf-tester left a service behind" || ok "nothing left behind"
finish
