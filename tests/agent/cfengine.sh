#!/bin/bash
# hubha-cfengine with Debian's real cfengine3: cf-agent, in a private work
# directory, runs it as a module and reads its classes and variable; the
# ha_info.json it writes is read by the masterfiles' own ha_def.cf; the
# master_hub.dat it writes is the one that policy names.  Then `hubha
# cfengine-module` the same way, on a view served as hubhad serves it
# (serve-view, on a service name of this test's own), and `hubha ha-info`.
. "$(dirname "$0")/netns.sh"

TOOL="$top_builddir/tools/hubha-cfengine"
HUBHA="$top_builddir/tools/hubha"
SERVE="$top_builddir/tests/agent/serve-view"
HA_DEF=/usr/share/cfengine3/masterfiles/cfe_internal/enterprise/ha/ha_def.cf
if ! command -v cf-agent >/dev/null || [ ! -f "$HA_DEF" ]; then
	echo "SKIP: cfengine3 (cf-agent and its masterfiles) is not installed"
	exit 77
fi
W="$TMPD/cfw"
HA="$W/inputs/cfe_internal/enterprise/ha"
mkdir -p "$HA" "$W/modules" "$W/state" && chmod 700 "$W" && ln -s /usr/bin "$W/bin"
cp "$HA_DEF" "$HA/"
# The module CFEngine runs: the build's program (through libtool's wrapper).
printf '#!/bin/sh\nexec "%s" "$@"\n' "$TOOL" >"$W/modules/hubha-cfengine"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$HUBHA" >"$W/modules/hubha"
chmod 755 "$W/modules/hubha-cfengine" "$W/modules/hubha"
CFENGINE_TEST_OVERRIDE_WORKDIR="$W" cf-key >/dev/null 2>&1 || { echo "SKIP: cf-key cannot make keys"; exit 77; }

SHA1=$(printf 'a%.0s' $(seq 64))
SHA2=$(printf 'b%.0s' $(seq 64))
SHA3=$(printf 'c%.0s' $(seq 64))

# run_policy LOCAL_IP [MODULE ARGS]: cf-agent with ha_def.cf and a bundle that reports what it sees.
run_policy() {
	local module=${2:-hubha-cfengine} args=${3:-"module --active-ip 192.0.2.10 --local-ip $1"}
	cat >"$W/inputs/promises.cf" <<EOF
body common control
{
  bundlesequence => { "ha_def", "probe" };
  inputs => { "cfe_internal/enterprise/ha/ha_def.cf" };
}
bundle agent probe
{
  vars:
    "master" string => readfile("\$(ha_def.master_hub_location)", "256");
  classes:
    "ran" expression => usemodule("$module", "$args");
  reports:
    hub_active:: "class=hub_active";
    hub_passive:: "class=hub_passive";
    any::
      "active_ip=\$(hubha.hub_active_ip)";
      "ip=\$(ha_def.ips)";
      "key=\$(ha_def.hub_sha[\$(ha_def.ips)])";
      "dr=\$(ha_def.replication_only_nodes)";
      "master=\$(master)";
}
EOF
	cf-agent -w "$W" -K -D enable_cfengine_enterprise_hub_ha -f "$W/inputs/promises.cf" >"$TMPD/agent" 2>&1
}

has() {
	if grep -qxF "R: $1" "$TMPD/agent"; then ok "$2"; else not_ok "$2: no 'R: $1' in:"; sed 's/^/#   /' "$TMPD/agent"; fi
}

expect 0 "ha-info --write the hubs, the third a replication-only node" -- "$TOOL" ha-info --write "$HA/ha_info.json" \
	--hub "192.0.2.10,$SHA1,10.1.0.10,in-cluster" --hub "192.0.2.11,$SHA2" --hub "192.0.2.12,$SHA3,-,not-in-cluster"
expect 0 "master-hub-dat into the work directory's state" -- "$TOOL" master-hub-dat --statedir "$W/state" 192.0.2.10
[ "$(cat "$W/state/master_hub.dat")" = 192.0.2.10 ] && [ "$(wc -c <"$W/state/master_hub.dat")" = 11 ] &&
	ok "master_hub.dat is the address and a newline" || not_ok "master_hub.dat: $(od -c "$W/state/master_hub.dat")"

run_policy 192.0.2.10
has "class=hub_active" "cf-agent: the module defines hub_active on the active hub"
grep -q "R: class=hub_passive" "$TMPD/agent" && not_ok "hub_passive too" || ok "and not hub_passive"
has "active_ip=192.0.2.10" "cf-agent: hubha.hub_active_ip"
for ip in 192.0.2.10 192.0.2.11 192.0.2.12; do has "ip=$ip" "ha_def.cf reads hub $ip from ha_info.json"; done
has 'key=root\-SHA\='"$SHA1"'\.pub' "ha_def.cf builds the hub key file name from sha"
has "dr=192.0.2.12" "ha_def.cf finds the replication-only node (is_in_cluster false)"
has "master=192.0.2.10" "ha_def.master_hub_location names the file written"

run_policy 192.0.2.11
has "class=hub_passive" "cf-agent: the module defines hub_passive on the other hub"
grep -q "R: class=hub_active" "$TMPD/agent" && not_ok "hub_active too" || ok "and not hub_active"

# What CFEngine's own documentation writes by hand: trailing commas.
cat >"$HA/ha_info.json" <<EOF
{
  "192.0.2.10": { "sha": "$SHA1", "internal_ip": "192.0.2.10", "is_in_cluster" : true, },
  "192.0.2.12": { "sha": "$SHA3", "internal_ip": "192.0.2.12", "is_in_cluster" : false, },
}
EOF
expect 0 "ha-info --read takes trailing commas" -- "$TOOL" ha-info --read "$HA/ha_info.json"
grep -q "^192.0.2.12	$SHA3	192.0.2.12	not-in-cluster\$" "$TMPD/out" && ok "and reads each hub" ||
	not_ok "read: $(cat "$TMPD/out")"
run_policy 192.0.2.10
has "dr=192.0.2.12" "ha_def.cf reads the same file"

# Refusals: one line, nothing written.
mkdir "$TMPD/open" && chmod 777 "$TMPD/open"
expect 1 "master-hub-dat refuses a directory others may write" -- "$TOOL" master-hub-dat --statedir "$TMPD/open" 192.0.2.10
[ -e "$TMPD/open/master_hub.dat" ] && not_ok "it wrote there" || ok "nothing written there"
ln -s "$W/state" "$TMPD/link"
expect 1 "master-hub-dat refuses a symlinked directory" -- "$TOOL" master-hub-dat --statedir "$TMPD/link" 192.0.2.11
[ "$(cat "$W/state/master_hub.dat")" = 192.0.2.10 ] && ok "the file behind the link is unchanged" || not_ok "written through the link"
expect 1 "master-hub-dat refuses an address with a line break" -- "$TOOL" master-hub-dat --statedir "$W/state" \
	"$(printf '192.0.2.10\n+hub_active')"
big=()
for i in $(seq 30); do big+=(--hub "198.51.100.$i,$SHA1$SHA2"); done
expect 1 "ha-info refuses to write more than CFEngine's 4 KiB" -- "$TOOL" ha-info --write "$HA/ha_info.json" "${big[@]}"
grep -q "4096" "$TMPD/err" && ok "and says why" || not_ok "reason: $(cat "$TMPD/err")"
# hubha cfengine-module: the view hubhad serves, as cf-agent reads it.
export HUBHA_TEST_IPC_SERVICE="hubha-test-cfengine-$$"
SERVE_PID=
serve() {
	[ -n "$SERVE_PID" ] && kill "$SERVE_PID" && wait "$SERVE_PID" 2>/dev/null
	coproc SV { exec "$SERVE" "$HUBHA_TEST_IPC_SERVICE" "$@"; }
	SERVE_PID=$SV_PID
	read -r -t 10 line <&"${SV[0]}" && [ "$line" = ready ] || { not_ok "serve-view did not start"; finish; }
}
expect 0 "hubha ha-info --write IP=SHA,INTERNAL_IP" -- "$HUBHA" ha-info --write "$HA/ha_info.json" \
	--hub "192.0.2.10=$SHA1,10.0.0.1" --hub "192.0.2.11=$SHA2,10.0.0.2"
expect 0 "hubha ha-info --read" -- "$HUBHA" ha-info --read "$HA/ha_info.json"
grep -q "^192.0.2.11	$SHA2	10.0.0.2	in-cluster\$" "$TMPD/out" && ok "and reads each hub" || not_ok "read: $(cat "$TMPD/out")"
expect 1 "hubha ha-info refuses more than CFEngine's 4 KiB" -- "$HUBHA" ha-info --write "$TMPD/big.json" \
	$(for i in $(seq 30); do echo --hub "198.51.100.$i=$SHA1$SHA2"; done)

serve 2 1	# this node is hub2; hub1 (10.0.0.1 inside, 192.0.2.10 to clients) is primary
expect 0 "hubha cfengine-module on the passive hub" -- "$HUBHA" cfengine-module --ha-info "$HA/ha_info.json"
[ "$(cat "$TMPD/out")" = "$(printf '^context=hubha\n+hub_passive\n=hub_active_ip=192.0.2.10')" ] &&
	ok "module lines name the active hub by its ha_info.json key" || not_ok "module: $(cat "$TMPD/out")"
run_policy - hubha "cfengine-module --ha-info $HA/ha_info.json"
has "class=hub_passive" "cf-agent: hubha cfengine-module defines hub_passive"
grep -q "R: class=hub_active" "$TMPD/agent" && not_ok "hub_active too" || ok "and not hub_active"
has "active_ip=192.0.2.10" "cf-agent: hubha.hub_active_ip from hubha cfengine-module"

serve 1 1	# failed over view: this node is the primary
run_policy - hubha "cfengine-module --ha-info $HA/ha_info.json"
has "class=hub_active" "cf-agent: hubha cfengine-module defines hub_active on the primary"
has "active_ip=192.0.2.10" "and the same hub_active_ip"

serve 1 0	# no primary: no class, no variable
expect 1 "hubha cfengine-module with no primary" -- "$HUBHA" cfengine-module
[ "$(cat "$TMPD/out")" = "^context=hubha" ] && ok "only the context line" || not_ok "module: $(cat "$TMPD/out")"
serve 1 1 2
expect 1 "hubha cfengine-module with two primaries" -- "$HUBHA" cfengine-module
grep -q "more than one hub reports primary" "$TMPD/err" && ok "and says why" || not_ok "reason: $(cat "$TMPD/err")"
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
finish
