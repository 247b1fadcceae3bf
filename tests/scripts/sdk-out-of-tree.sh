#!/bin/bash
# usage: sdk-out-of-tree.sh BUILDDIR
# Installs pxeforge into a temporary prefix, builds the SDK's example plugin
# against the *installed* SDK with pkg-config only, loads it into the
# installed pxeforged and checks that its hook callback fires.
set -euo pipefail
build=$(cd "$1" && pwd)
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

prefix=$tmp/prefix
meson install -C "$build" --quiet --destdir "$tmp/dest" >/dev/null
# relocate the staged tree as a prefix of its own
installed=$(find "$tmp/dest" -name pxeforge-plugin.pc)
orig_prefix=$(sed -n 's/^prefix=//p' "$installed")
sed -i "s|^prefix=.*|prefix=$tmp/dest$orig_prefix|" "$installed"
export PKG_CONFIG_PATH=$(dirname "$installed")
pc() { pkg-config "$@" pxeforge-plugin; }

echo "SDK: cflags $(pc --cflags)"
echo "SDK: abi $(pc --variable=abi), plugindir $(pc --variable=plugindir)"
[ "$(pc --variable=abi)" = 1 ] || { echo "FAIL: abi variable"; exit 1; }
case "$(pc --variable=plugindir)" in */pxeforge/plugins-1) ;; *) echo "FAIL: plugindir"; exit 1 ;; esac

example=$(find "$tmp/dest" -path '*share/pxeforge/examples/hello.c')
mkdir -p "$tmp/plugins"
# shellcheck disable=SC2046
cc -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -shared -fPIC -o "$tmp/plugins/hello.so" \
	"$example" $(pc --cflags) -Wl,--version-script,"$(pc --variable=mapfile)"
echo "built $tmp/plugins/hello.so against the installed SDK"
nm -D --defined-only "$tmp/plugins/hello.so"

etc=$tmp/etc
mkdir -p "$etc/conf.d" "$etc/templates"
cat >"$etc/pxeforge.yaml" <<YAML
distros:
  d: {kernel: /k, initrd: /i, tree: /t}
profiles:
  p: {distro: d, os: kickstart, template: templates/t.cfg}
hosts:
  - {mac: "52:54:00:aa:bb:cc", hostname: h1, profile: p}
YAML
echo 'tag={{site_tag}}' >"$etc/templates/t.cfg"
printf 'plugins:\n  hello:\n    tag: out-of-tree\n' >"$etc/conf.d/50-hello.yaml"

bin=$(dirname "$(find "$tmp/dest" -name pxeforged -type f)")
cli=$(find "$tmp/dest" -name pxeforge -type f)
export PXEFORGE_TEST=1 PXEFORGE_PLUGIN_DIR=$tmp/plugins
"$bin/pxeforged" --config "$etc" --state-dir "$tmp/state" --control-socket "$tmp/c.sock" \
	--user "" >"$tmp/log" 2>&1 &
pid=$!
# the socket file exists a moment before it accepts: wait for an answer
for _ in $(seq 100); do
	"$cli" --config "$etc" --socket "$tmp/c.sock" status >/dev/null 2>&1 && break
	sleep 0.1
done
out=$("$cli" --config "$etc" --socket "$tmp/c.sock" render --mac 52:54:00:aa:bb:cc)
echo "render: $out"
"$cli" --config "$etc" --socket "$tmp/c.sock" plugins
cat "$tmp/log"
[ "$out" = "tag=out-of-tree" ] || { echo "FAIL: the plugin's template.vars callback did not fire"; exit 1; }
grep -q "\[out-of-tree\] hello plugin started" "$tmp/log" || { echo "FAIL: init did not run"; exit 1; }
echo PASS
