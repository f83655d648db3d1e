#!/bin/bash
# fence_hubha_gate against real PostgreSQL instances (a primary and a
# streaming standby on loopback ports) with Pacemaker's attribute tools
# replaced by the file-backed fakes: who lets a fence through at once and who
# waits, read from the agent's own log lines; the FenceAgentAPI surface; the
# meta-data against fence-agents' schema; Pacemaker's own validation.
# The race itself is exercised by the lab (tests/lab/fence-race).
. "$(dirname "$0")/pgsql-env.sh"
GATE="$top_builddir/fence/fence_hubha_gate"
RNG=${FENCE_RNG:-/usr/share/cluster/relaxng/metadata.rng}
SELF=$(uname -n)

setup_failed() { echo "setup failed: $*"; failures=$((failures + 1)); finish; exit 99; }

# gate NODE ARG... : the gate as the fencer runs it (key=value lines on stdin, a clean
# environment), asking NODE's PostgreSQL; its log goes to stderr.  query_timeout also bounds
# the real cibadmin, which CI's load (this runs beside the lab, at a lower priority) slowed
# past the default 2 s; no case here waits on it.
gate() {
	local n=$1
	shift
	printf '%s\n' "socketdir=$TMPD/$n" "pgport=${PORT[$n]}" standby_wait=1 query_timeout=10 "$@" |
		env -i PATH="$FAKEDIR:/usr/sbin:/usr/bin:/sbin:/bin" HUBHA_TEST_ATTRS="$HUBHA_TEST_ATTRS" \
			CIB_file="${CIB:-$TMPD/cib.xml}" "$GATE"
}
# A CIB (read by the real cibadmin through CIB_file) whose fencing topology holds LEVELS.
cib() {
	cat >"$2" <<EOF
<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration><crm_config/><nodes/>
    <resources>
      <primitive id="gate" class="stonith" type="fence_hubha_gate"/>
      <primitive id="power" class="stonith" type="fence_ipmilan"/>
    </resources>
    <constraints/>
    <fencing-topology>$1</fencing-topology>
  </configuration>
  <status/>
</cib>
EOF
}
passed_now() { grep -q "letting the fence through now" "$TMPD/err" && ! grep -q "waited" "$TMPD/err"; }
waited() { grep -q "waiting before letting the fence through" "$TMPD/err" && grep -q "waited 1 s; letting the fence through" "$TMPD/err"; }
because() { grep -qF "$1" "$TMPD/err"; }
check() { local d=$1; shift; if "$@"; then ok "  $d"; else not_ok "  $d"; sed 's/^/#   /' "$TMPD/err"; fi; }
publish() { mkdir -p "$HUBHA_TEST_ATTRS/$1" && echo "$3" >"$HUBHA_TEST_ATTRS/$1/$2"; }
unpublish() { rm -f "$HUBHA_TEST_ATTRS/$1/$2"; }

echo "# setup"
pg_node p "$(free_port)" || setup_failed "p"
pg_plain_start p || setup_failed "start p"
pg_standby s "$(free_port)" p || setup_failed "s"
touch "$TMPD/s/data/standby.signal" && chown postgres: "$TMPD/s/data/standby.signal"
pg_set s "primary_conninfo = 'host=127.0.0.1 port=${PORT[p]} user=postgres application_name=s'"
pg_plain_start s || setup_failed "start s"
sql p "create table t as select 1 as x" || setup_failed "write on p"
retry 20 streams_from s p || setup_failed "s does not stream from p"
loc=$(sql s "select (select timeline_id from pg_control_checkpoint()) || '/' || pg_last_wal_receive_lsn()")
tl=${loc%%/*}
echo "# standby at $loc"

echo "# the FenceAgentAPI surface"
expect 0 "on always succeeds" -- gate p action=on nodename=peer
expect 0 "status succeeds (the gate switches nothing)" -- gate p action=status nodename=peer
expect 0 "monitor" -- gate p action=monitor
expect 1 "list is not offered (an empty list would stop every fence)" -- gate p action=list
expect 1 "off without a target" -- gate p action=off
expect 0 "validate-all" -- gate p action=validate-all
expect 1 "validate-all: standby_wait=-1" -- gate p action=validate-all standby_wait=-1
expect 1 "validate-all: a relative socketdir" -- gate p action=validate-all socketdir=run
expect 1 "validate-all: pgsql_id with a slash" -- gate p action=validate-all pgsql_id=a/b
expect 1 "a malformed argument line" -- gate p "no key value" action=on nodename=peer
"$GATE" -o metadata >"$TMPD/meta.xml" && xmllint --noout "$TMPD/meta.xml" 2>/dev/null &&
	ok "metadata is XML" || not_ok "metadata"
if [ -r "$RNG" ]; then
	xmllint --noout --relaxng "$RNG" "$TMPD/meta.xml" >"$TMPD/err" 2>&1 &&
		ok "metadata valid against fence-agents' metadata.rng" || { not_ok "metadata.rng"; cat "$TMPD/err"; }
else
	not_ok "fence-agents' $RNG is missing (scripts/deps.sh installs fence-agents)"
fi

cib "<fencing-level id='l1' target='peer' index='1' devices='gate,power'/>
	<fencing-level id='l2' target='$SELF' index='1' devices='gate,power'/>" "$TMPD/cib.xml"
cib "<fencing-level id='l1' target='other' index='1' devices='gate,power'/>" "$TMPD/cib-nolevel.xml"
cib "<fencing-level id='l1' target='peer' index='1' devices='gate'/>" "$TMPD/cib-alone.xml"

echo "# its place in the fencing topology, read from the CIB before every off"
CIB=$TMPD/cib-nolevel.xml expect 1 "no fencing level for the target: refused" -- gate p action=off nodename=peer
check "says why" because "no fencing level applies to peer"
CIB=$TMPD/cib-alone.xml expect 1 "the gate alone in the target's level: refused" -- gate p action=off nodename=peer
check "says why" because "has no fence device besides the gate"
CIB=$TMPD/nonexistent.xml expect 1 "the CIB cannot be read: refused" -- gate p action=off nodename=peer
check "says why" because "cannot read the fencing topology"
CIB=$TMPD/cib-nolevel.xml expect 0 "on still succeeds (it switches nothing)" -- gate p action=on nodename=peer

echo "# the decision, both roles"
expect 0 "primary: off" -- gate p action=off nodename=peer
check "passes at once: the local PostgreSQL is the primary" passed_now
check "logs the numbers it used" because "local primary at $tl/"
expect 1 "reboot: refused, only a device fencing alone gets one (a level sends off, then on)" -- \
	gate p action=reboot port=peer
check "says why" because "the gate fences nothing by itself"
expect 0 "standby, the target published nothing: off" -- gate s action=off nodename=peer
check "waits, then lets the fence through" waited
check "because there is no data" because "no published location of the target"
publish peer cfpgsql-lsn-location "$tl/0/1000000"
expect 0 "standby ahead of the target's published location" -- gate s action=off nodename=peer
check "passes at once" passed_now
check "logs both locations" because "peer published $tl/0/1000000"
publish peer cfpgsql-lsn-location "$tl/FFFFFFFF/0"
expect 0 "standby behind the target" -- gate s action=off nodename=peer
check "waits" waited
publish peer cfpgsql-lsn-location "$((tl + 1))/0/0"
expect 0 "the target on a newer timeline, with a smaller LSN" -- gate s action=off nodename=peer
check "waits (timeline first)" waited
publish peer cfpgsql-lsn-location "$tl/0/1000000"
publish peer cfpgsql-status PRI
expect 0 "the target last published itself as the primary, with a stale location behind ours" -- gate s action=off nodename=peer
check "waits" waited
check "because the target was the primary" because "the target was the primary as last published"
unpublish peer cfpgsql-status
publish peer cfpgsql-lsn-location "garbage"
expect 0 "an unreadable published location" -- gate s action=off nodename=peer
check "waits" waited
expect 0 "another resource id reads its own attributes" -- gate s action=off nodename=peer pgsql_id=other
check "waits (other-lsn-location is not published)" waited
grep -q "attrd_updater --private.*--node=peer.*other-lsn-location\|attrd_updater --private.*other-lsn-location.*peer" \
	"$HUBHA_TEST_ATTRS/calls.log" && ok "  read other-lsn-location of peer" || not_ok "  attrd calls: $(tail -3 "$HUBHA_TEST_ATTRS/calls.log")"
expect 0 "PostgreSQL unreachable" -- gate s action=off nodename=peer socketdir=/nonexistent
check "waits (cannot tell is the safe side)" waited
expect 0 "asked to fence this node itself" -- gate s action=off nodename="$SELF"
check "passes at once" passed_now

# Pacemaker's own validation runs the installed agent from its fence agent directory.
if [ -x /usr/sbin/fence_hubha_gate ]; then
	stonith_admin --validate --agent fence_hubha_gate --option socketdir=$TMPD/p --option standby_wait=15 \
		>/dev/null 2>&1 && ok "stonith_admin --validate passes" || not_ok "stonith_admin --validate"
	stonith_admin --validate --agent fence_hubha_gate --option query_timeout=0 >/dev/null 2>&1 &&
		not_ok "stonith_admin --validate accepted query_timeout=0" || ok "stonith_admin --validate rejects query_timeout=0"
else
	echo "# stonith_admin --validate needs the agent installed in /usr/sbin (scripts/test.sh installs it)"
fi
finish
