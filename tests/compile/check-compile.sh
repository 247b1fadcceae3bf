#!/bin/sh
# usage: check-compile.sh ok|fail SOURCE SDKDIR CC...
# Compiles SOURCE the way an out-of-tree plugin would (no project warning
# flags, only the SDK's own), and checks that it builds, or that it fails
# with the compiler's incompatible-pointer-types diagnostic at the connect.
set -u
mode=$1 src=$2 sdk=$3
shift 3
out=$(mktemp)
trap 'rm -f "$out" "$out.o"' EXIT
# shellcheck disable=SC2046
"$@" -std=gnu11 -c -o "$out.o" -I"$sdk" $(pkg-config --cflags gio-2.0 gmodule-2.0) "$src" >"$out" 2>&1
rc=$?
cat "$out"
case $mode in
ok)
	[ $rc -eq 0 ] || { echo "FAIL: $src should compile"; exit 1; }
	;;
fail)
	[ $rc -ne 0 ] || { echo "FAIL: $src compiled, but a wrongly typed callback must not"; exit 1; }
	# gcc: "incompatible pointer type [-Werror=incompatible-pointer-types]"
	# clang: "incompatible function pointer types passing ... [-Werror,-Wincompatible-function-pointer-types]"
	grep -q 'pxf_hook_connect_host_event\|incompatible' "$out" || { echo "FAIL: no diagnostic"; exit 1; }
	grep -Eq 'error: .*incompatible (function )?pointer type|incompatible-pointer-types\]|incompatible-function-pointer-types\]' "$out" ||
		{ echo "FAIL: $src failed for another reason than the callback type"; exit 1; }
	grep -q "$(basename "$src"):16" "$out" || { echo "FAIL: diagnostic is not at the connect call (line 16)"; exit 1; }
	;;
esac
echo "PASS: $mode $src"
