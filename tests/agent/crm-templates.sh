#!/bin/bash
# The hub stack from crm-templates/, built offline on a CIB file with the
# real crmsh and pcs: both must produce the same valid configuration, and both
# read the agents' meta-data while doing it (pcs refuses unknown parameters).
# The lab configures its live clusters through the same files.
set -u
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; exit 77; fi
for t in crm pcs cibadmin crm_verify; do
	command -v $t >/dev/null || { echo "not ok - $t is not installed"; echo "0 passed, 1 failed"; exit 1; }
done
if [ ! -x /usr/lib/ocf/resource.d/hubha/pgsql ] || [ ! -x /usr/lib/ocf/resource.d/hubha/vip ]; then
	echo "not ok - the agents are not installed (scripts/test.sh installs them first)"; echo "0 passed, 1 failed"; exit 1
fi
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
passes=0 failures=0
ok() { passes=$((passes + 1)); echo "ok - $*"; }
not_ok() { failures=$((failures + 1)); echo "not ok - $*"; }

PARAMS=(ip=10.213.0.200 cidr_netmask=24 pgctl=/usr/lib/postgresql/15/bin/pg_ctl
	pgdata=/var/lib/hubha-lab/pg/data node_list=node1,node2 rep_mode=async
	socketdir=/var/lib/hubha-lab/pg/run auto_rewind=true degrade_to_async=true)

# crmsh: the template, seen where crmsh looks for templates, in a private mount namespace.
cibadmin --empty >"$TMPD/crm.xml"
mkdir -p "$TMPD/templates" "$TMPD/home"
cp "$srcdir/crm-templates/hubha" "$TMPD/templates/"
HOME="$TMPD/home" CIB_file="$TMPD/crm.xml" unshare --mount --propagation private bash -c "
	mount --bind '$TMPD/templates' /usr/share/crmsh/templates &&
	crm configure template new hub hubha params pgsql_id=cfpgsql vip_id=cfvirtip ${PARAMS[*]} &&
	printf 'configure\ntemplate apply hub\nproperty stonith-enabled=false\ncommit\nup\n' | crm -f -
" >"$TMPD/crm.log" 2>&1
# pcs: the script, on another CIB file.
cibadmin --empty >"$TMPD/pcs.xml"
"$srcdir/crm-templates/hubha-pcs" -f "$TMPD/pcs.xml" "${PARAMS[@]}" >"$TMPD/pcs.log" 2>&1 \
	&& ok "hubha-pcs ran" || { not_ok "hubha-pcs failed"; cat "$TMPD/pcs.log"; }
pcs -f "$TMPD/pcs.xml" property set stonith-enabled=false >/dev/null 2>&1

x() { xmllint --xpath "$2" "$TMPD/$1.xml" 2>/dev/null; }
for cib in crm pcs; do
	crm_verify -x "$TMPD/$cib.xml" >"$TMPD/verify" 2>&1 && ok "$cib: crm_verify accepts the stack" ||
		{ not_ok "$cib: crm_verify"; cat "$TMPD/verify" "$TMPD/$cib.log"; }
	[ "$(x $cib 'string(//primitive[@id="cfpgsql"]/@type)')" = pgsql ] &&
	[ "$(x $cib 'string(//primitive[@id="cfpgsql"]/@provider)')" = hubha ] && ok "$cib: cfpgsql is ocf:hubha:pgsql" || not_ok "$cib: no ocf:hubha:pgsql cfpgsql"
	[ "$(x $cib 'string(//primitive[@id="cfvirtip"]/@type)')" = vip ] && ok "$cib: cfvirtip is ocf:hubha:vip" || not_ok "$cib: no vip"
	[ "$(x $cib 'string(//primitive[@id="cfpgsql"]//nvpair[@name="degrade_to_async"]/@value)')" = true ] &&
		ok "$cib: optional parameters reach the resource (degrade_to_async)" || not_ok "$cib: degrade_to_async"
	[ "$(x $cib 'string(//primitive[@id="cfpgsql"]//nvpair[@name="master_ip"]/@value)')" = 10.213.0.200 ] &&
		ok "$cib: standbys stream from the shared address" || not_ok "$cib: master_ip"
	[ "$(x $cib 'string(//clone/meta_attributes/nvpair[@name="promotable"]/@value)')" = true ] &&
	[ "$(x $cib 'string(//clone/meta_attributes/nvpair[@name="notify"]/@value)')" = true ] &&
		ok "$cib: promotable clone with notify" || not_ok "$cib: clone meta"
	[ "$(x $cib 'string(//rsc_colocation[@rsc="cfvirtip"]/@with-rsc-role)')" = Promoted ] &&
		ok "$cib: vip colocated with the primary" || not_ok "$cib: colocation"
	[ "$(x $cib 'count(//rsc_order[@first="cfpgsql-clone"])')" = 2 ] && ok "$cib: promote/demote ordering" || not_ok "$cib: orders"
	[ "$(x $cib 'string(//rsc_defaults//nvpair[@name="resource-stickiness"]/@value)')" = INFINITY ] &&
	[ "$(x $cib 'string(//rsc_defaults//nvpair[@name="migration-threshold"]/@value)')" = 1 ] &&
		ok "$cib: CFEngine's defaults" || not_ok "$cib: rsc_defaults"
	[ "$(x $cib 'string(//op[@name="monitor" and @role="Promoted"]/@interval)')" = 3s ] &&
		ok "$cib: a monitor for the Promoted role" || not_ok "$cib: promoted monitor"
done
[ "$(x pcs 'string(//clone/meta_attributes/nvpair[@name="clone-max"]/@value)')" = 2 ] &&
	ok "pcs: one instance per node of node_list (clone-max 2)" || not_ok "pcs: clone-max '$(x pcs '//clone/meta_attributes')'"
[ "$(x crm 'count(//clone//nvpair[@name="clone-max"])')" = 0 ] &&
	ok "crm: without clone_max, Pacemaker's default (every node)" || not_ok "crm: clone-max set without clone_max"

# Three hubs in sync mode: clone-max follows node_list (crmsh is told, pcs counts), sync_num reaches the agent.
PARAMS3=(ip=10.213.0.200 cidr_netmask=24 pgctl=/usr/lib/postgresql/15/bin/pg_ctl
	pgdata=/var/lib/hubha-lab/pg/data node_list=node1,node2,node3 rep_mode=sync sync_num=1)
cibadmin --empty >"$TMPD/crm3.xml"
mkdir -p "$TMPD/home3"
HOME="$TMPD/home3" CIB_file="$TMPD/crm3.xml" unshare --mount --propagation private bash -c "
	mount --bind '$TMPD/templates' /usr/share/crmsh/templates &&
	crm configure template new hub hubha params pgsql_id=cfpgsql vip_id=cfvirtip ${PARAMS3[*]} clone_max=3 &&
	printf 'configure\ntemplate apply hub\nproperty stonith-enabled=false\ncommit\nup\n' | crm -f -
" >"$TMPD/crm3.log" 2>&1
cibadmin --empty >"$TMPD/pcs3.xml"
"$srcdir/crm-templates/hubha-pcs" -f "$TMPD/pcs3.xml" "${PARAMS3[@]}" \
	>"$TMPD/pcs3.log" 2>&1 && ok "hubha-pcs ran for three hubs" || { not_ok "hubha-pcs for three hubs"; cat "$TMPD/pcs3.log"; }
pcs -f "$TMPD/pcs3.xml" property set stonith-enabled=false >/dev/null 2>&1
for cib in crm3 pcs3; do
	crm_verify -x "$TMPD/$cib.xml" >"$TMPD/verify" 2>&1 && ok "$cib: crm_verify accepts it" ||
		{ not_ok "$cib: crm_verify"; cat "$TMPD/verify" "$TMPD/$cib.log"; }
	[ "$(x $cib 'string(//clone//nvpair[@name="clone-max"]/@value)')" = 3 ] &&
		ok "$cib: one instance per hub (clone-max 3)" || { not_ok "$cib: clone-max"; cat "$TMPD/$cib.log"; }
	[ "$(x $cib 'string(//primitive[@id="cfpgsql"]//nvpair[@name="sync_num"]/@value)')" = 1 ] &&
		ok "$cib: sync_num reaches the resource" || not_ok "$cib: sync_num"
done

# The hub services option: ocf:hubha:hub on the primary's node, after the address.
if [ ! -x /usr/lib/ocf/resource.d/hubha/hub ]; then
	not_ok "the hub agent is not installed (scripts/test.sh installs it first)"
else
	cibadmin --empty >"$TMPD/crm-hub.xml"
	mkdir -p "$TMPD/home-hub"
	# One configuration of both templates: template apply replaces the whole configuration.
	HOME="$TMPD/home-hub" CIB_file="$TMPD/crm-hub.xml" unshare --mount --propagation private bash -c "
		mount --bind '$TMPD/templates' /usr/share/crmsh/templates &&
		cp '$srcdir/crm-templates/hub-services' '$TMPD/templates/' &&
		crm configure template new hub hubha hub-services params pgsql_id=cfpgsql vip_id=cfvirtip ${PARAMS[*]} \
			hub_id=cfhub services=cf-hub &&
		printf 'configure\ntemplate apply hub\nproperty stonith-enabled=false\ncommit\nup\n' | crm -f -
	" >"$TMPD/crm-hub.log" 2>&1
	cibadmin --empty >"$TMPD/pcs-hub.xml"
	"$srcdir/crm-templates/hubha-pcs" -f "$TMPD/pcs-hub.xml" "${PARAMS[@]}" hub_id=cfhub hub_services=cf-hub \
		>"$TMPD/pcs-hub.log" 2>&1 && ok "hubha-pcs hub_id=... ran" || { not_ok "hubha-pcs with hub_id"; cat "$TMPD/pcs-hub.log"; }
	pcs -f "$TMPD/pcs-hub.xml" property set stonith-enabled=false >/dev/null 2>&1
	for cib in crm-hub pcs-hub; do
		crm_verify -x "$TMPD/$cib.xml" >"$TMPD/verify" 2>&1 && ok "$cib: crm_verify accepts it" ||
			{ not_ok "$cib: crm_verify"; cat "$TMPD/verify" "$TMPD/$cib.log"; }
		[ "$(x $cib 'string(//primitive[@id="cfhub"]/@type)')" = hub ] &&
		[ "$(x $cib 'string(//primitive[@id="cfhub"]//nvpair[@name="services"]/@value)')" = cf-hub ] &&
			ok "$cib: cfhub is ocf:hubha:hub with its services" || { not_ok "$cib: no ocf:hubha:hub cfhub"; cat "$TMPD/$cib.log"; }
		[ "$(x $cib 'string(//rsc_colocation[@rsc="cfhub" and @with-rsc="cfpgsql-clone"]/@with-rsc-role)')" = Promoted ] &&
		[ "$(x $cib 'count(//rsc_colocation[@rsc="cfhub" and @with-rsc="cfvirtip"])')" = 1 ] &&
			ok "$cib: colocated with the primary and the address" || not_ok "$cib: hub colocation"
		[ "$(x $cib 'count(//rsc_order[@first="cfvirtip" and @then="cfhub"])')" = 1 ] &&
			ok "$cib: started after the address" || not_ok "$cib: hub order"
		[ "$(x $cib 'string(//primitive[@id="cfhub"]//op[@name="monitor"]/@interval)')" = 10s ] &&
			ok "$cib: monitored" || not_ok "$cib: hub monitor"
		[ "$(x $cib 'count(//primitive[@id="cfpgsql"])')" = 1 ] && [ "$(x $cib 'count(//primitive[@id="cfvirtip"])')" = 1 ] &&
			ok "$cib: beside the rest of the stack" || not_ok "$cib: the stack is not all there"
	done
	[ "$(x pcs 'count(//primitive[@id="cfhub"])')" = 0 ] && ok "pcs: no hub services resource without hub_id" ||
		not_ok "pcs: a hub services resource without hub_id"
fi

# The fencing race option: the gate first in level 1 of each node, before the real device
# (here the lab's power switch stands in for it).  Both tools write the same levels.
if [ ! -x /usr/sbin/fence_hubha_gate ] || [ ! -x /usr/sbin/fence_hubha_lab ]; then
	not_ok "the fence agents are not installed (scripts/test.sh installs them first)"
else
	nodes='<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>'
	for cib in crm pcs; do
		cibadmin --empty >"$TMPD/$cib-gate.xml"
		CIB_file="$TMPD/$cib-gate.xml" cibadmin --replace --scope nodes --xml-text "$nodes"
	done
	HOME="$TMPD/home" CIB_file="$TMPD/crm-gate.xml" unshare --mount --propagation private bash -c "
		mount --bind '$TMPD/templates' /usr/share/crmsh/templates &&
		cp '$srcdir/crm-templates/hubha-gate' '$TMPD/templates/' &&
		crm configure primitive power stonith:fence_hubha_lab params pcmk_host_list='node1 node2' &&
		crm configure template new race hubha-gate params gate_id=fence-gate fence_device=power \
			pgsql_id=cfpgsql node_list='node1 node2' socketdir=/var/lib/hubha-lab/pg/run standby_wait=12 &&
		printf 'configure\ntemplate apply race\ncommit\nup\n' | crm -f -
	" >"$TMPD/crm-gate.log" 2>&1
	pcs -f "$TMPD/pcs-gate.xml" stonith create power fence_hubha_lab pcmk_host_list="node1 node2" >"$TMPD/pcs-gate.log" 2>&1
	"$srcdir/crm-templates/hubha-pcs" -f "$TMPD/pcs-gate.xml" "${PARAMS[@]}" fence_device=power standby_wait=12 \
		>>"$TMPD/pcs-gate.log" 2>&1 && ok "hubha-pcs fence_device=... ran" || { not_ok "hubha-pcs with the gate"; cat "$TMPD/pcs-gate.log"; }
	for cib in crm-gate pcs-gate; do
		# Offline, the two members were never seen: without these the scheduler would fence them.
		CIB_file="$TMPD/$cib.xml" cibadmin --modify --xml-text '<cib have-quorum="1"/>'
		CIB_file="$TMPD/$cib.xml" crm_attribute --type crm_config --name startup-fencing --update false
		crm_verify -x "$TMPD/$cib.xml" >"$TMPD/verify" 2>&1 && ok "$cib: crm_verify accepts it" ||
			{ not_ok "$cib: crm_verify"; cat "$TMPD/verify" "$TMPD/$cib.log"; }
		[ "$(x $cib 'string(//primitive[@id="fence-gate"]/@type)')" = fence_hubha_gate ] &&
		[ "$(x $cib 'string(//primitive[@id="fence-gate"]//nvpair[@name="pgsql_id"]/@value)')" = cfpgsql ] &&
		[ "$(x $cib 'string(//primitive[@id="fence-gate"]//nvpair[@name="standby_wait"]/@value)')" = 12 ] &&
			ok "$cib: the gate reads cfpgsql's attributes, standby_wait=12" || { not_ok "$cib: the gate primitive"; cat "$TMPD/$cib.log"; }
		for n in node1 node2; do
			[ "$(x $cib "string(//fencing-level[@target=\"$n\" and @index=\"1\"]/@devices)")" = fence-gate,power ] &&
				ok "$cib: $n level 1 is the gate, then the device" ||
				{ not_ok "$cib: $n level: $(x $cib '//fencing-topology')"; cat "$TMPD/$cib.log"; }
		done
		[ "$(x $cib 'count(//fencing-level)')" = 2 ] && ok "$cib: no other level bypasses the gate" || not_ok "$cib: levels"
	done
fi
echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
