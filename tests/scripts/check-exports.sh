#!/bin/sh
# usage: check-exports.sh PLUGIN.so...
# Every pxeforge plugin exports exactly one symbol: its descriptor (the linker
# version script hides everything else).
set -u
rc=0
for so in "$@"; do
	syms=$(nm -D --defined-only "$so" | awk '{print $3}' | sort | tr '\n' ' ')
	if [ "$syms" = "pxf_plugin_descriptor " ]; then
		echo "ok: $so exports only pxf_plugin_descriptor"
	else
		echo "FAIL: $so exports: $syms"
		rc=1
	fi
done
exit $rc
