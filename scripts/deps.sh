#!/bin/bash
# Install the Debian packages hubha builds, tests and runs with.  Idempotent;
# needs root.  The one list of packages: everything else calls this.
set -euo pipefail

PACKAGES=(
	# build
	build-essential autoconf automake libtool pkg-config clang
	libqb-dev libxml2-dev libcmocka-dev libpq-dev
	libcpg-dev libquorum-dev libcmap-dev libvotequorum-dev pacemaker-dev libmicrohttpd-dev libjson-c-dev
	# run and test against the real components
	pacemaker pacemaker-cli-utils corosync resource-agents resource-agents-paf postgresql-15
	crmsh pcs corosync-qnetd corosync-qdevice
	fence-agents	# its metadata.rng validates the fence agents' meta-data
	cfengine3 haproxy prometheus chromium
	libxml2-utils iproute2 iputils-ping tcpdump util-linux procps
	# bench, and memcheck over the agents
	hyperfine strace socat valgrind
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "Installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
