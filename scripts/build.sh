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
[ -f Makefile ] || "$src/configure" --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
	--with-ocf-root=/usr/lib/ocf "$@" >/dev/null
make -j"$(nproc)"
make install >/dev/null
ldconfig
echo "Installed: $(ls /usr/lib/ocf/resource.d/hubha/ | tr '\n' ' ')"
