#!/bin/bash
# meta-data must not fail, so it must not depend on the dynamic linker's cache:
# libhubha loads libhubha-meta from its own directory.  Here both libraries sit
# in a directory no search path names, and libhubha is preloaded from there.
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
REAL="$top_builddir/agents/.libs/vip"
LIBS="$top_builddir/lib/.libs"
if [ ! -x "$REAL" ] || [ ! -e "$LIBS/libhubha-meta.so.0" ]; then
	echo "SKIP: no uninstalled shared build in $top_builddir"
	exit 77
fi
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
cp -L "$LIBS/libhubha.so.0" "$LIBS/libhubha-meta.so.0" "$TMPD/"
failures=0

for agent in vip hub; do
	REAL="$top_builddir/agents/.libs/$agent"
	[ -x "$REAL" ] || REAL="$top_builddir/agents/$agent"
	env -u LD_LIBRARY_PATH LD_PRELOAD="$TMPD/libhubha.so.0" LD_DEBUG=files "$REAL" meta-data \
		>"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	if [ "$rc" = 0 ] && grep -q "<resource-agent name=\"$agent\"" "$TMPD/out"; then
		echo "ok - $agent meta-data with libhubha outside every search path"
	else
		echo "not ok - $agent meta-data failed (rc $rc)"; grep -v '^ *[0-9]*:' "$TMPD/err" | sed 's/^/#   /'; failures=1
	fi
	# The loader's trace names each library it initialises, with its path.
	if grep -q "calling init: $TMPD/libhubha-meta.so.0\$" "$TMPD/err"; then
		echo "ok - $agent: libhubha-meta loaded from libhubha's directory"
	else
		echo "not ok - $agent: libhubha-meta not loaded from $TMPD:"
		grep 'calling init: .*libhubha-meta' "$TMPD/err" | sed 's/^/#   /'; failures=1
	fi
	# The schemas Pacemaker's tools and ocf-tester hold agents to.
	if xmllint --noout --dtdvalid /usr/share/resource-agents/ra-api-1.dtd "$TMPD/out" 2>"$TMPD/lint" &&
		xmllint --noout --relaxng /usr/share/resource-agents/metadata.rng "$TMPD/out" 2>>"$TMPD/lint"; then
		echo "ok - $agent meta-data validates against ra-api-1.dtd and metadata.rng"
	else
		echo "not ok - $agent meta-data does not validate"; sed 's/^/#   /' "$TMPD/lint"; failures=1
	fi
done
exit $failures
