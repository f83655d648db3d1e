#!/bin/bash
# Install dependencies, then configure, build and install hubha for this machine (prefix /usr, agents in
# /usr/lib/ocf/resource.d/hubha).  BUILD_DIR defaults to _build.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
build=${BUILD_DIR:-$src/_build}

scripts/deps.sh

autoreconf -fi >/dev/null
mkdir -p "$build"
cd "$build"
# Options given now apply also to a tree configured before.
if [ ! -f Makefile ] || [ $# -gt 0 ]; then
	"$src/configure" --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
		--with-ocf-root=/usr/lib/ocf "$@" >/dev/null
fi
make -j"$(nproc)"
make install >/dev/null
ldconfig
echo "Installed: $(ls /usr/lib/ocf/resource.d/hubha/ | tr '\n' ' ')"
