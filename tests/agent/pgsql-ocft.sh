#!/bin/bash
# resource-agents' own ocft cases for ocf:heartbeat:pgsql, run with the agent
# swapped for ocf:hubha:pgsql.  They drive Debian's default cluster
# (pg_conftool, /var/lib/postgresql, /etc/postgresql, /var/run/postgresql),
# so everything runs in private namespaces: a fresh cluster on tmpfs copies of
# those directories, in a network namespace of its own; the machine's own
# PostgreSQL, if any, is neither seen nor touched.
. "$(dirname "$0")/netns.sh"

CONFIGS=/usr/share/resource-agents/ocft/configs
CASES=/var/lib/resource-agents/ocft/cases
N="$NS_PREFIX-p"
ns_add "$N"
agentdir=$(cd "$top_builddir/agents" && pwd)
sed -e 's/^\tAgent pgsql$/\tAgent pgsql/' -e "s|^\tAgentRoot .*|\tAgentRoot $agentdir|" \
	-e '/^\tInstallPackage/d' "$CONFIGS/pgsql" >"$TMPD/pgsql"
grep -q "AgentRoot $agentdir" "$TMPD/pgsql" || { not_ok "could not adapt the pgsql config"; finish; exit; }

ip netns exec "$N" unshare --mount --propagation private bash -c "
	set -e
	mkdir -p $CASES
	for d in $CONFIGS $CASES /etc/postgresql /var/lib/postgresql /var/run/postgresql /var/log/postgresql; do
		mount -t tmpfs none \$d
	done
	chown postgres:postgres /var/lib/postgresql /var/run/postgresql /var/log/postgresql
	chmod 2775 /var/run/postgresql
	pg_createcluster 15 main >/dev/null
	cp '$TMPD/pgsql' $CONFIGS/pgsql
	ocft make pgsql >/dev/null
	ocft test pgsql
" >"$TMPD/ocft" 2>&1
sed 's/\x1b\[[0-9;]*m//g' "$TMPD/ocft" | grep -E '^pgsql:' | sed 's/^/# /'
cases=$(grep -c '^pgsql: ' "$TMPD/ocft")
bad=$(sed 's/\x1b\[[0-9;]*m//g' "$TMPD/ocft" | grep -E '^pgsql: ' | grep -vc 'OK\.$')
[ "$cases" -ge 10 ] && ok "ocft ran $cases pgsql cases" || { not_ok "ocft ran $cases cases"; cat "$TMPD/ocft"; }
[ "$bad" = 0 ] && ok "every ocft pgsql case passes" || { not_ok "$bad ocft pgsql cases failed"; cat "$TMPD/ocft"; }
finish
