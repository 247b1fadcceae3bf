#!/bin/bash
# check-systemd-unit.sh UNIT MAX_EXPOSURE
# systemd-analyze verify accepts UNIT (pxeforged.service configured to start
# this build tree's pxeforged, so that ExecStart= exists), and
# `systemd-analyze security --offline=true` rates it MAX_EXPOSURE or better.
# Exits 77 (skip) without systemd-analyze or when it is too old for --offline.
set -euo pipefail

unit=$1
max=$2

if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP: systemd-analyze is not installed (package systemd)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the unit is checked under its installed name
cp "$unit" "$tmp/pxeforged.service"

echo "== systemd-analyze verify"
if ! systemd-analyze verify --man=no "$tmp/pxeforged.service" >"$tmp/verify.log" 2>&1; then
	cat "$tmp/verify.log"
	echo "FAIL: systemd-analyze verify"
	exit 1
fi
# it warns without failing (unknown or misspelt settings, bad values)
if grep -v '^$' "$tmp/verify.log" | grep -q .; then
	cat "$tmp/verify.log"
	echo "FAIL: systemd-analyze verify printed warnings"
	exit 1
fi
echo "ok"

echo "== systemd-analyze security --offline=true"
if ! systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
	echo "SKIP: systemd-analyze $(systemd-analyze --version | head -n1) has no --offline"
	exit 77
fi
if ! systemd-analyze security --no-pager --offline=true "$tmp/pxeforged.service" >"$tmp/security.log" 2>&1; then
	cat "$tmp/security.log"
	echo "FAIL: systemd-analyze security"
	exit 1
fi
grep '✗' "$tmp/security.log" || true
line=$(grep 'Overall exposure level for pxeforged.service:' "$tmp/security.log" || true)
echo "$line"
exposure=$(sed -n 's/.*Overall exposure level for pxeforged\.service: \([0-9][0-9.]*\).*/\1/p' <<<"$line")
if [ -z "$exposure" ]; then
	cat "$tmp/security.log"
	echo "FAIL: no exposure level in the output"
	exit 1
fi
if ! awk -v e="$exposure" -v m="$max" 'BEGIN { exit !(e + 0 <= m + 0) }'; then
	echo "FAIL: exposure $exposure is above $max"
	exit 1
fi
echo "ok: exposure $exposure <= $max"
