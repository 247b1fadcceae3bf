#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# systemd's own check of the nfs plugin's path and service units; any
# message about them fails the test. Exits 77 without systemd-analyze.
# usage: verify-units.sh PATH_UNIT SERVICE_UNIT
set -eu
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze not found"
	exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# side by side, so that the path unit's Unit= is found
cp "$1" "$2" "$dir/"
out=$(systemd-analyze verify "$dir/$(basename "$1")" "$dir/$(basename "$2")" 2>&1) || {
	echo "$out"
	echo "FAIL: systemd-analyze verify exited $?"
	exit 1
}
echo "$out"
if echo "$out" | grep -q 'pxeforge-nfs-reload'; then
	echo "FAIL: systemd-analyze has something to say about the units"
	exit 1
fi
echo "PASS: $(basename "$1") and $(basename "$2") verified"
