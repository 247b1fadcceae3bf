#!/bin/bash
# packaging/build-debs.sh OUTDIR [VERSION]
#
# Builds pxeforge's Debian packages (dpkg-buildpackage -us -uc -b) in a
# temporary copy of the source tree, never in the tree itself, and copies
# the .deb, .changes and .buildinfo files into OUTDIR (emptied of earlier
# ones first).
#
# The copy holds what a commit would: `git ls-files --cached --others
# --exclude-standard` of the working tree (so a fresh clone and a working
# tree with new files build the same way; with PXF_DEBS_FROM_HEAD=1 it is
# `git archive HEAD` instead); outside git, the tree without build*/ dirs.
# packaging/debian becomes ./debian in the copy.
#
# VERSION (e.g. 0.1.1) adds a changelog entry to the copy, for a package
# that upgrades the default one (tests/system's upgrade test). Native
# format: no '-' in VERSION.
#
# The copy lives in TMPDIR (default /tmp). DEB_BUILD_OPTIONS defaults to
# "parallel=2 noddebs" (no -dbgsym packages); set it to override.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 OUTDIR [VERSION]" >&2
	exit 2
fi
outdir=$1
version=${2:-}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

for tool in dpkg-buildpackage dh fakeroot; do
	if ! command -v "$tool" >/dev/null; then
		echo "build-debs: $tool is missing (apt-get install dpkg-dev debhelper fakeroot)" >&2
		exit 3
	fi
done
if [ -n "$version" ] && ! [[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
	echo "build-debs: '$version' is not a native Debian version (digits first, no '-')" >&2
	exit 2
fi

tmp=$(mktemp -d -t pxeforge-debs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/pxeforge
mkdir -p "$src"

if git -C "$top" rev-parse --show-toplevel >/dev/null 2>&1 &&
	[ "$(git -C "$top" rev-parse --show-toplevel)" = "$top" ]; then
	if [ "${PXF_DEBS_FROM_HEAD:-0}" = 1 ]; then
		git -C "$top" archive --format=tar HEAD | tar -x -C "$src"
	else
		# tracked and new files that exist (a deleted tracked file is gone)
		(cd "$top" && git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do
				[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
			done | tar --null --no-recursion -T - -cf -) | tar -x -C "$src"
	fi
else
	(cd "$top" && tar --exclude='./build*' --exclude='./obj-*' --exclude='./debian' \
		--exclude='./.git' -cf - .) | tar -x -C "$src"
fi
rm -rf "$src/debian"
cp -a "$src/packaging/debian" "$src/debian"

if [ -n "$version" ]; then
	old=$(cat "$src/debian/changelog")
	{
		echo "pxeforge ($version) unstable; urgency=medium"
		echo
		echo "  * Rebuilt as $version by packaging/build-debs.sh."
		echo
		echo " -- pxeforge developers <dev@pxeforge.invalid>  $(date -R)"
		echo
		echo "$old"
	} >"$src/debian/changelog"
fi

start=$SECONDS
echo "build-debs: building in $src"
(
	cd "$src"
	export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-parallel=2 noddebs}
	dpkg-buildpackage -us -uc -b
)
echo "build-debs: dpkg-buildpackage took $((SECONDS - start)) s"

mkdir -p "$outdir"
rm -f "$outdir"/*.deb "$outdir"/*.changes "$outdir"/*.buildinfo
cp "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$outdir"/
ls -l "$outdir"
