#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the Debian 12 test system (tests/system/test_system.py puts it
# into the image with pxf-system-test.service). Every check prints one line
#   PXF-SYSTEM: PASS <name>  or  PXF-SYSTEM: FAIL <name>: <why>
# on the serial console; the harness on the host follows them, boots the
# network-boot guest when it sees PXF-SYSTEM: NODE-READY, and ends at
#   PXF-SYSTEM: RESULT pass=N fail=M
# after which this system powers off.
set -u
exec >/dev/ttyS0 2>&1 </dev/null

D=/pxf-test
# shellcheck source=/dev/null
. "$D/env" # NODE_MAC NODE_NAME SYS_IP SUBNET POOL_FIRST POOL_LAST ROUTER NODE_TIMEOUT
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0
APT=(apt-get -y -q --no-install-recommends -o Dpkg::Use-Pty=0)
ETC=/etc/pxeforge
pass=0
fail=0
t0=$(date +%s)

say() { echo "PXF-SYSTEM: $*"; }
log() { echo "PXF-SYSTEM-LOG: [$(($(date +%s) - t0)) s] $*"; }
ok() {
	pass=$((pass + 1))
	say "PASS $1"
}
bad() {
	fail=$((fail + 1))
	say "FAIL $1: $2"
}
# prints a command and its output (indented) on the console
show() {
	echo "PXF-SYSTEM-LOG: \$ $*"
	"$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}
finish() {
	say "RESULT pass=$pass fail=$fail"
	sync
	systemctl --no-block poweroff
	exit 0
}
# waits up to $1 seconds for the command to succeed
wait_until() {
	local limit=$1
	shift
	local end=$(($(date +%s) + limit))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.5
	done
}
# the journal of pxeforged since mark_journal wrote file $1 (inclusive, to the second)
journal_since() {
	journalctl -q -o cat --no-pager -u pxeforged.service --since "$(cat "$1")"
}
mark_journal() {
	date '+%Y-%m-%d %H:%M:%S' >"$1"
}
# the plugin names pxeforge plugins prints as loaded, sorted, one a line
loaded_plugins() {
	pxeforge plugins | awk 'NR > 1 && $2 != "refused:" { print $1 }' | sort
}
# what the installed packages say should be loaded: the core plugins of
# pxeforge plus one per installed pxeforge-plugin-NAME
expected_plugins() {
	{
		printf '%s\n' $CORE_PLUGINS
		dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'pxeforge-plugin-*' 2>/dev/null |
			awk '$1 == "ii" { sub(/^pxeforge-plugin-/, "", $2); print $2 }'
	} | grep -vxF -f <(printf '%s\n' $DISABLED) | sort
}
DISABLED="" # plugins the site configuration turns off (enabled: false)
active() { [ "$(systemctl is-active pxeforged.service)" = active ]; }
host_state() { pxeforge state "$NODE_MAC" 2>/dev/null | head -1 | awk '{ print $2 }'; }
debs() { # the .debs of directory $1 for pxeforge and the plugins in $2...
	local dir=$1
	shift
	ls "$dir"/pxeforge_*.deb
	for p in "$@"; do ls "$dir"/pxeforge-plugin-"${p}"_*.deb; done
}

say "STARTED $(uname -r), $(nproc) cpu, $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB"
ip link set lo up
ip link set eth0 up && ip addr add "$SYS_IP/24" dev eth0 || bad network "no eth0: $(ip -br link)"
ip -br addr

# ---- 1. install: apt-get with every dependency already on the system ----
OPTIONAL=$(cd "$D/debs/v1" && ls pxeforge-plugin-*_*.deb | sed 's/^pxeforge-plugin-//; s/_.*//' | sort -u | tr '\n' ' ')
log "installing pxeforge and the plugin packages: $OPTIONAL"
mapfile -t V1 < <(debs "$D/debs/v1" $OPTIONAL)
if show "${APT[@]}" install "${V1[@]}"; then
	ok "apt-get install ${#V1[@]} packages offline"
else
	bad install "apt-get install failed"
	finish
fi
show dpkg-query -W 'pxeforge*'
VERSION1=$(dpkg-query -W -f='${Version}' pxeforge)

# ---- 2. started by systemd, Type=notify, READY ---------------------------
# is-active turns "active" only once a Type=notify service sent READY=1
if wait_until 60 active; then
	type=$(systemctl show -p Type --value pxeforged.service)
	enabled=$(systemctl is-enabled pxeforged.service 2>&1)
	if [ "$enabled" != enabled ]; then
		bad ready "pxeforged.service is '$enabled' (not enabled: it would not start at boot)"
	elif [ "$type" = notify ]; then
		ok "pxeforged started by systemd and READY (Type=notify, enabled, pid $(systemctl show -p MainPID --value pxeforged.service))"
	else
		bad ready "pxeforged.service is Type=$type, not notify"
	fi
else
	bad ready "pxeforged is $(systemctl is-active pxeforged.service) after 60 s"
	show systemctl status --no-pager pxeforged.service
	show journalctl -b --no-pager -u pxeforged.service
	finish
fi
show systemctl status --no-pager --lines=0 pxeforged.service

# the core plugins are what pxeforged loads minus the optional packages'
CORE_PLUGINS=$(loaded_plugins | grep -vxF -f <(printf '%s\n' $OPTIONAL) | tr '\n' ' ')
log "core plugins (package pxeforge): $CORE_PLUGINS"

# ---- 3. pxeforge plugins = the installed plugin packages -----------------
plugins_match() { [ "$(loaded_plugins | tr '\n' ' ')" = "$(expected_plugins | tr '\n' ' ')" ]; }
check_plugins() { # name
	local got want
	# a package's maintainer script may have asked for a reload, which
	# systemd's ExecReload (SIGHUP) does not wait for
	wait_until 15 plugins_match
	got=$(loaded_plugins | tr '\n' ' ')
	want=$(expected_plugins | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		ok "$1: pxeforge plugins lists exactly: $got${DISABLED:+ (disabled in 90-site.yaml: $DISABLED)}"
	else
		bad "$1" "pxeforge plugins lists '$got', the packages say '$want'"
		show pxeforge plugins
	fi
}
show pxeforge plugins
for p in dhcp tftp http pxelinux kickstart; do
	case " $CORE_PLUGINS " in *" $p "*) ;; *) bad plugins "core plugin $p is not loaded" ;; esac
done
check_plugins plugins

# ---- 4. systemctl reload applies a changed conf.d snippet -----------------
# a site snippet: the stand-in installer as a distro, a profile and the node
mkdir -p /srv/pxeforge/distros/standin
cp "$D/installer/vmlinuz" "$D/installer/initrd.img" /srv/pxeforge/distros/standin/
cat >"$ETC/conf.d/90-site.yaml" <<EOF
# written by the system test: the network-boot guest and what it installs
distros:
  standin:
    kernel: /srv/pxeforge/distros/standin/vmlinuz
    initrd: /srv/pxeforge/distros/standin/initrd.img
    tree: /srv/pxeforge/distros/standin
profiles:
  node:
    distro: standin
    os: kickstart
    template: /usr/share/pxeforge/templates/kickstart/centos7-ks.cfg.mustache
    variables:
      rootpw: test
      packages: ["@core"]
hosts:
  - mac: $NODE_MAC
    hostname: $NODE_NAME
    profile: node
plugins:
  tftp:
    interfaces: [eth0]
  http:
    interfaces: [eth0]
  # the stand-in installer prints on ttyS0; panic=-1 ends a failed boot
  pxelinux:
    kernel_args: console=ttyS0 panic=-1
    ks_param: ks
  # QEMU's NIC ROM is iPXE, which the ipxe plugin would answer with its own
  # script: this test boots the node through pxelinux, as the demo does
  ipxe:
    enabled: false
EOF
DISABLED="ipxe"
show pxeforge check
mark_journal /run/pxf-cursor
show systemctl reload pxeforged.service
if wait_until 30 sh -c "pxeforge status | grep -qi '$NODE_MAC'"; then
	ok "systemctl reload applied conf.d/90-site.yaml (host $NODE_NAME now in pxeforge status)"
else
	bad reload "host $NODE_MAC not in pxeforge status 30 s after systemctl reload"
	show pxeforge status
fi
show journal_since /run/pxf-cursor
active || bad reload "pxeforged is $(systemctl is-active pxeforged.service) after the reload"

# ---- 5. apt-get remove pxeforge-plugin-mtftp: its snippet stays ----------
if [ -e "$ETC/conf.d/35-mtftp.yaml" ]; then
	show "${APT[@]}" remove pxeforge-plugin-mtftp
	if [ -e "$ETC/conf.d/35-mtftp.yaml" ] && ! [ -e /usr/lib/x86_64-linux-gnu/pxeforge/plugins-1/mtftp.so ]; then
		ok "apt-get remove pxeforge-plugin-mtftp: module gone, conffile 35-mtftp.yaml stays"
	else
		bad remove "after apt-get remove: snippet $(ls "$ETC/conf.d/35-mtftp.yaml" 2>&1), module $(ls /usr/lib/x86_64-linux-gnu/pxeforge/plugins-*/mtftp.so 2>&1)"
	fi
	mark_journal /run/pxf-cursor
	show systemctl restart pxeforged.service
	if wait_until 60 active; then
		if journal_since /run/pxf-cursor | grep -F "35-mtftp.yaml" | grep -qi "mtftp"; then
			ok "pxeforged starts without mtftp, warning names the snippet: $(journal_since /run/pxf-cursor | grep -F 35-mtftp.yaml | head -1)"
		else
			bad remove "no warning naming 35-mtftp.yaml in the journal"
			show journal_since /run/pxf-cursor
		fi
		check_plugins "plugins after remove"
	else
		bad remove "pxeforged is $(systemctl is-active pxeforged.service) after the restart"
		show journal_since /run/pxf-cursor
	fi
else
	bad remove "pxeforge-plugin-mtftp did not install $ETC/conf.d/35-mtftp.yaml"
fi

# ---- 6. network boot: DHCP on eth0 by a local edit of the shipped snippet --
cat >>"$ETC/conf.d/20-dhcp.yaml" <<EOF
    # local edit by the system test
    interfaces: [eth0]
    offer_hold: 30
    subnets:
      - subnet: $SUBNET
        range: [$POOL_FIRST, $POOL_LAST]
        lease_time: 3600
        routers: [$ROUTER]
EOF
DHCP_SUM=$(sha256sum "$ETC/conf.d/20-dhcp.yaml")
mark_journal /run/pxf-cursor
show systemctl reload pxeforged.service
sleep 2
show journal_since /run/pxf-cursor
active || bad netboot "pxeforged is $(systemctl is-active pxeforged.service) after the reload"
say "NODE-READY $NODE_MAC"
log "waiting up to $NODE_TIMEOUT s for $NODE_NAME to install"
last=""
end=$(($(date +%s) + NODE_TIMEOUT))
while [ "$(date +%s)" -lt "$end" ]; do
	s=$(host_state)
	[ "$s" != "$last" ] && log "$NODE_NAME: state ${s:-?}" && last=$s
	[ "$s" = installed ] && break
	sleep 2
done
show pxeforge state "$NODE_MAC"
show pxeforge status
if [ "$(host_state)" = installed ]; then
	ok "network boot: $NODE_NAME installed from pxeforged on this system"
else
	bad netboot "$NODE_NAME is ${last:-unknown}, not installed, after $NODE_TIMEOUT s"
	show journalctl -b --no-pager -u pxeforged.service
fi

# ---- 7. upgrade keeps leases, host state and the locally edited snippet --
STATE_BEFORE=$(host_state)
# the lease database and host states on disk (the dhcp plugin's and the core's)
# the node's newest lease record in the journaled store (docs/state.md: JSON
# records inside leases.snapshot and leases.journal); a compaction at start
# may move it from the journal into the snapshot, the record stays the same
leases() {
	cat /var/lib/pxeforge/leases.snapshot /var/lib/pxeforge/leases.journal 2>/dev/null |
		grep -a -o -i '{"format":[^{}]*"mac":"'"$NODE_MAC"'"[^{}]*}' | tail -n 1
}
LEASE_BEFORE=$(leases)
show ls -lR /var/lib/pxeforge
REMAINING=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'pxeforge-plugin-*' |
	awk '$1 == "ii" { sub(/^pxeforge-plugin-/, "", $2); print $2 }' | tr '\n' ' ')
mapfile -t V2 < <(debs "$D/debs/v2" $REMAINING)
mark_journal /run/pxf-cursor
if show "${APT[@]}" install "${V2[@]}"; then
	VERSION2=$(dpkg-query -W -f='${Version}' pxeforge)
	if dpkg --compare-versions "$VERSION2" gt "$VERSION1"; then
		ok "upgraded $VERSION1 -> $VERSION2"
	else
		bad upgrade "pxeforge is still $VERSION2"
	fi
else
	bad upgrade "apt-get install of the rebuilt packages failed"
fi
wait_until 60 active || bad upgrade "pxeforged is $(systemctl is-active pxeforged.service) after the upgrade"
show journal_since /run/pxf-cursor
if [ "$(sha256sum "$ETC/conf.d/20-dhcp.yaml")" = "$DHCP_SUM" ]; then
	ok "upgrade kept the locally edited conf.d/20-dhcp.yaml"
else
	bad upgrade "conf.d/20-dhcp.yaml changed by the upgrade"
	show cat "$ETC/conf.d/20-dhcp.yaml"
fi
[ -e "$ETC/conf.d/20-dhcp.yaml.dpkg-dist" ] && bad upgrade "dpkg left 20-dhcp.yaml.dpkg-dist: it saw a changed conffile"
STATE_AFTER=$(host_state)
LEASE_AFTER=$(leases)
if [ -n "$STATE_BEFORE" ] && [ "$STATE_AFTER" = "$STATE_BEFORE" ]; then
	ok "upgrade kept the host state ($NODE_NAME $STATE_AFTER)"
else
	bad upgrade "host state '$STATE_BEFORE' before, '$STATE_AFTER' after"
fi
if [ -n "$LEASE_BEFORE" ] && [ "$LEASE_AFTER" = "$LEASE_BEFORE" ]; then
	ok "upgrade kept the lease of $NODE_MAC ($LEASE_AFTER)"
else
	bad upgrade "lease '$LEASE_BEFORE' before, '$LEASE_AFTER' after"
fi
# and the restarted dhcp plugin read it back
loaded=$(journal_since /run/pxf-cursor | grep -o 'loaded [0-9]* lease records, [0-9]* bound' | tail -1)
case "$loaded" in
"" | *", 0 bound") bad upgrade "the dhcp plugin did not load a bound lease after the upgrade: '$loaded'" ;;
*) ok "after the upgrade the dhcp plugin $loaded" ;;
esac
show pxeforge status
check_plugins "plugins after upgrade"
finish
