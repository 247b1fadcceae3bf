#!/bin/bash
# check-debs.sh SOURCE_ROOT OUTDIR
# Builds the Debian packages from a clean copy of SOURCE_ROOT with
# packaging/build-debs.sh into OUTDIR/debs (kept there: tests/system installs
# them), then runs lintian on the .changes and fails on any E: or W: line.
# Overrides live in packaging/debian/*.lintian-overrides, each with a comment
# saying why. Exits 77 without dpkg-buildpackage, debhelper, fakeroot or
# lintian.
set -euo pipefail

src=$1
out=$2

missing=()
for tool in dpkg-buildpackage dh fakeroot lintian; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "SKIP: missing ${missing[*]} (apt-get install dpkg-dev debhelper fakeroot lintian)"
	exit 77
fi

mkdir -p "$out"
start=$SECONDS
if ! "$src/packaging/build-debs.sh" "$out/debs" >"$out/build-debs.log" 2>&1; then
	tail -n 80 "$out/build-debs.log"
	echo "FAIL: packaging/build-debs.sh (full log: $out/build-debs.log)"
	exit 1
fi
echo "built in $((SECONDS - start)) s:"
(cd "$out/debs" && ls -l -- *.deb)

changes=$(ls "$out"/debs/*.changes)
start=$SECONDS
# --fail-on none: the verdict is ours, from the tags printed
lintian --fail-on none --display-info --show-overrides "$changes" >"$out/lintian.log" 2>&1 || true
echo "lintian took $((SECONDS - start)) s"
cat "$out/lintian.log"
if grep -Eq '^[EW]: ' "$out/lintian.log"; then
	echo "FAIL: lintian reports errors or warnings (O: lines are documented overrides)"
	exit 1
fi
echo "ok: lintian reports no E: or W: line"
