#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""mkinitrd: the stand-in installer that end-to-end tests and the demo boot.

Built at run time from Debian's kernel (linux-image-amd64: /boot/vmlinuz-KVER
and its NIC modules) and busybox, and cached under a directory keyed by the
kernel version and a hash of this script and every input file. The initrd is
a gzip-compressed cpio (newc) archive written here, so no cpio tool is needed.

What its /init does, printing each step on the console as PXF-INSTALLER: ...
  1. mounts proc, sys, dev; loads the NIC driver (e1000 and its dependencies);
  2. brings the interface up with busybox udhcpc (the interface whose MAC is
     in BOOTIF= when pxelinux's IPAPPEND 2 put one on the kernel line, else
     the first one) -> "PXF-INSTALLER: started (eth0 10.99.0.100/24 ...)";
  3. fetches the answer file named by ks= or inst.ks= (http:// only) with an
     HTTP/1.0 GET over busybox nc (busybox wget is known to crash in guests)
     -> "PXF-INSTALLER: got answer file (N bytes)";
  4. finds the report URL: a "# pxeforge-done: URL" line if there is one,
     else the first http://.../done?token=... in the file (the kickstart's
     %post curl line);
  5. with pxf.fetch=PATH, fetches PATH of the install tree through the
     install source the answer file names -- "url --url=http://..." (HTTP
     GET over nc), "url --url=ftp://..." (busybox ftpget, passive) or
     "nfs --server=S --dir=D" (a read-only NFSv4 mount by the kernel's
     client; only in an initrd built with nfs=True, which prints the mount
     as "PXF-INSTALLER: mounted <its /proc/mounts line>") ->
     "PXF-INSTALLER: fetched <URL> sha256 <hex>" (nfs://S/D/PATH for NFS);
  6. optionally sleeps pxf.delay=SECONDS (an install that takes time);
  7. POSTs to it (empty body) -> "PXF-INSTALLER: done <HTTP status>";
  8. powers off (or reboots with pxf.after=reboot; QEMU's -no-reboot turns
     that into an exit too).
Any failure prints "PXF-INSTALLER: failed <why>" and powers off.

usage: mkinitrd.py [--nfs] [CACHE_DIR]    prints the kernel and initrd paths
API:   build(cache_dir=None, drivers=("e1000",), nfs=False) -> Installer(kernel, initrd, kver)
       (a virtio-net guest needs drivers=("virtio_pci", "virtio_net"): the PCI
       transport is not a dependency of virtio_net)
Environment: PXF_E2E_CACHE (cache directory, default <top>/build/e2e-cache),
PXF_E2E_KVER (kernel version), PXF_E2E_BUSYBOX (busybox binary).
"""
import collections
import glob
import gzip
import hashlib
import io
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
MARK = "PXF-INSTALLER:"

Installer = collections.namedtuple("Installer", "kernel initrd kver")
# the kernel's NFSv4 client (modprobe adds sunrpc, nfs, fscache, ...)
NFS_DRIVERS = ("nfsv4",)


class Unavailable(Exception):
    """The inputs are not installed (no Debian kernel, no busybox)."""


INIT = r"""#!/bin/busybox sh
# pxeforge stand-in installer (tests/e2e/mkinitrd.py): see that file.
/bin/busybox mkdir -p /proc /sys /dev /tmp /run
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# kernel errors only from now on: keep our lines whole on the console
echo 4 > /proc/sys/kernel/printk

say() { echo "PXF-INSTALLER: $*"; }
after=poweroff
finish() {
	sync
	if [ "$after" = reboot ]; then reboot -f; else poweroff -f; fi
	sleep 30
	exit 1
}
fail() { say "failed $*"; finish; }

arg() { # arg NAME: the value of NAME= on the kernel command line
	for w in $(cat /proc/cmdline); do
		case "$w" in "$1"=*) echo "${w#*=}"; return 0 ;; esac
	done
	return 1
}
after=$(arg pxf.after) || after=poweroff
say "booting $(uname -r)"

while read -r m; do
	[ -n "$m" ] || continue
	insmod "/lib/modules/$m" || fail "insmod $m"
done < /etc/pxf-modules

# the interface: BOOTIF=01-aa-bb-cc-dd-ee-ff (pxelinux IPAPPEND 2), else the first
want=$(arg BOOTIF | sed -e 's/^01-//' -e 's/-/:/g' | tr A-F a-f)
iface=
i=0
while [ $i -lt 100 ] && [ -z "$iface" ]; do
	for d in /sys/class/net/*; do
		n=${d##*/}
		[ "$n" = lo ] && continue
		if [ -z "$want" ] || [ "$(cat "$d/address")" = "$want" ]; then iface=$n; break; fi
	done
	[ -n "$iface" ] || sleep 0.1
	i=$((i + 1))
done
[ -n "$iface" ] || fail "no network interface${want:+ with MAC $want}"
mac=$(cat "/sys/class/net/$iface/address")
ip link set "$iface" up
udhcpc -i "$iface" -s /etc/udhcpc.script -f -q -n -t 10 -T 3 -A 3 >/tmp/udhcpc.log 2>&1 ||
	fail "no DHCP lease on $iface ($mac)"
say "started ($iface $(cat /tmp/lease) mac $mac)"

# http METHOD URL OUT: HTTP/1.0 over nc; sets $status, body in OUT
http() {
	rest=${2#http://}
	hostport=${rest%%/*}
	case "$rest" in */*) path=/${rest#*/} ;; *) path=/ ;; esac
	host=${hostport%%:*}
	port=80
	case "$hostport" in *:*) port=${hostport##*:} ;; esac
	status=
	rm -f /tmp/resp "$3"
	printf '%s %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: pxf-standin-installer\r\nContent-Length: 0\r\n\r\n' \
		"$1" "$path" "$hostport" | nc -w 30 "$host" "$port" >/tmp/resp
	[ -s /tmp/resp ] || return 1
	status=$(head -n 1 /tmp/resp | cut -d ' ' -f 2)
	hlen=$(awk '{ n += length($0) + 1 } /^\r?$/ { print n; exit }' /tmp/resp)
	[ -n "$hlen" ] || return 1
	head -c "$hlen" /tmp/resp >/tmp/head
	tail -c +$((hlen + 1)) /tmp/resp >"$3"
	clen=$(tr -d '\r' </tmp/head | awk 'tolower($1) == "content-length:" { print $2 + 0 }')
	if [ -n "$clen" ] && [ "$clen" != "$(wc -c <"$3")" ]; then
		status=
		say "short reply from $hostport: $(wc -c <"$3") of $clen bytes"
		return 1
	fi
	return 0
}

# fetch_source PATH: PATH of the install tree, through the install source the
# answer file names: "url --url=http://..." (HTTP/1.0 over nc, as above),
# "url --url=ftp://..." (busybox ftpget: anonymous, passive) or
# "nfs --server=S --dir=D" (the kernel's NFSv4 client, read-only mount);
# prints the URL and the file's SHA-256
fetch_source() {
	rel=${1#/}
	src=$(tr -d '\r' </tmp/ks |
		sed -n 's/^url[[:space:]].*--url[=[:space:]]"\{0,1\}\([^"[:space:]]*\).*/\1/p' | head -n 1)
	nfsline=$(tr -d '\r' </tmp/ks | grep '^nfs[[:space:]]' | head -n 1)
	if [ -n "$src" ]; then
		url=${src%/}/$rel
		case "$url" in
		http://*)
			http GET "$url" /tmp/payload || fail "no reply to GET $url"
			case "$status" in 2??) ;; *) fail "$url: HTTP $status" ;; esac
			;;
		ftp://*)
			rest=${url#ftp://}
			hostport=${rest%%/*}
			host=${hostport%%:*}
			port=21
			case "$hostport" in *:*) port=${hostport##*:} ;; esac
			ftpget -P "$port" "$host" /tmp/payload "/${rest#*/}" >/tmp/ftpget.log 2>&1 ||
				fail "ftpget $url: $(tail -n 1 /tmp/ftpget.log)"
			;;
		*) fail "unsupported install source $src" ;;
		esac
		sum=$(sha256sum /tmp/payload | cut -d ' ' -f 1)
		rm -f /tmp/payload
	elif [ -n "$nfsline" ]; then
		server=
		dir=
		for w in $nfsline; do
			case "$w" in
			--server=*) server=${w#--server=} ;;
			--dir=*) dir=${w#--dir=} ;;
			esac
		done
		if [ -z "$server" ] || [ -z "$dir" ]; then fail "incomplete nfs line: $nfsline"; fi
		[ -s /etc/pxf-nfs-modules ] || fail "no NFS client in this initrd (mkinitrd.build(nfs=True))"
		while read -r m; do
			[ -n "$m" ] || continue
			insmod "/lib/modules/$m" || fail "insmod $m"
		done </etc/pxf-nfs-modules
		# the NFSv4 client id carries the node name: one per machine
		hostname "standin-$(echo "$mac" | tr -d :)"
		mkdir -p /mnt/source
		mount -t nfs4 -o "ro,vers=4,addr=$server" "$server:$dir" /mnt/source 2>/tmp/mount.log ||
			fail "mount $server:$dir: $(cat /tmp/mount.log)"
		say "mounted $(grep ' /mnt/source ' /proc/mounts)"
		url=nfs://$server${dir%/}/$rel
		[ -f "/mnt/source/$rel" ] || fail "$url: no such file"
		sum=$(sha256sum "/mnt/source/$rel" | cut -d ' ' -f 1)
		umount /mnt/source
	else
		fail "no url or nfs install source in the answer file"
	fi
	[ -n "$sum" ] || fail "$url: could not read it"
	say "fetched $url sha256 $sum"
}

ks=$(arg ks) || ks=$(arg inst.ks) || fail "no ks= or inst.ks= on the kernel command line"
case "$ks" in http://*) ;; *) fail "unsupported answer file URL $ks (http:// only)" ;; esac
http GET "$ks" /tmp/ks || fail "no reply to GET $ks"
case "$status" in 2??) ;; *) fail "answer file $ks: HTTP $status" ;; esac
say "got answer file ($(wc -c </tmp/ks) bytes)"

done_url=$(sed -n 's/^#[[:space:]]*pxeforge-done:[[:space:]]*//p' /tmp/ks | tr -d '\r' | head -n 1)
[ -n "$done_url" ] || done_url=$(grep -o "http://[^\"' <>]*/done?token=[^\"' <>]*" /tmp/ks | head -n 1)
[ -n "$done_url" ] || fail "no done URL in the answer file"

fetch=$(arg pxf.fetch) && fetch_source "$fetch"

delay=$(arg pxf.delay) && sleep "$delay"
http POST "$done_url" /tmp/done-reply || fail "no answer to the done report"
say "done $status"
finish
"""

UDHCPC_SCRIPT = r"""#!/bin/sh
# udhcpc calls this with deconfig, bound, renew, nak; the lease in env vars
case "$1" in
deconfig)
	ip -4 addr flush dev "$interface"
	ip link set "$interface" up
	;;
bound | renew)
	ip -4 addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
	echo "$ip/${mask:-24} router ${router:-none} server ${serverid:-?}" >/tmp/lease
	;;
esac
exit 0
"""


# ---- cpio (newc) ---------------------------------------------------------


class Cpio:
    """A cpio newc archive in memory (what the kernel unpacks as initramfs)."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1
        self.seen = set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        name = name.lstrip("/")
        if name in self.seen:
            return
        self.seen.add(name)
        raw = name.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(raw), 0)
        self.ino += 1
        self.buf.write(b"070701" + b"".join(b"%08X" % f for f in fields) + raw)
        self.buf.write(b"\0" * (-(110 + len(raw)) % 4))
        self.buf.write(data)
        self.buf.write(b"\0" * (-len(data) % 4))

    def dir(self, path):
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            self._entry("/".join(parts[:i]), 0o040755, nlink=2)

    def file(self, path, data, mode=0o644):
        parent = os.path.dirname(path.strip("/"))
        if parent:
            self.dir(parent)
        self._entry(path, 0o100000 | mode, data)

    def symlink(self, path, target):
        self._entry(path, 0o120777, target.encode())

    def chardev(self, path, major, minor, mode=0o600):
        self._entry(path, 0o020000 | mode, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0, nlink=1)
        self.buf.write(b"\0" * (-self.buf.tell() % 512))
        return self.buf.getvalue()


# ---- inputs ----------------------------------------------------------------


def _vkey(kver):
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", kver)]


def find_kernel(kver=None):
    """The newest /boot/vmlinuz-KVER with its modules installed."""
    kver = kver or os.environ.get("PXF_E2E_KVER")
    cands = [kver] if kver else sorted(
        (p[len("/boot/vmlinuz-"):] for p in glob.glob("/boot/vmlinuz-*")), key=_vkey, reverse=True)
    for k in cands:
        if os.path.isfile("/boot/vmlinuz-" + k) and os.path.isdir("/lib/modules/" + k):
            return k, "/boot/vmlinuz-" + k
    raise Unavailable("no /boot/vmlinuz-KVER with /lib/modules/KVER (install linux-image-amd64)")


def find_modules(kver, drivers):
    """Module files for drivers and their dependencies, in load order."""
    out = []
    for drv in drivers:
        paths = []
        if shutil.which("modprobe") or os.path.exists("/sbin/modprobe"):
            p = subprocess.run([shutil.which("modprobe") or "/sbin/modprobe", "-S", kver,
                                "--show-depends", drv], capture_output=True, text=True, timeout=30)
            if p.returncode == 0:
                for line in p.stdout.splitlines():
                    w = line.split()
                    if len(w) >= 2 and w[0] == "insmod":
                        paths.append(w[1])
                    elif w[:1] == ["builtin"]:
                        continue
        if not paths:
            hits = [f for f in glob.glob("/lib/modules/%s/kernel/**/%s.ko*" % (kver, drv),
                                         recursive=True)]
            if not hits:
                # built in, or not there: the kernel's modules.builtin says which
                try:
                    with open("/lib/modules/%s/modules.builtin" % kver) as f:
                        if any(l.strip().endswith("/%s.ko" % drv) for l in f):
                            continue
                except OSError:
                    pass
                raise Unavailable("no module %s for kernel %s" % (drv, kver))
            paths = hits[:1]
        for p in paths:
            if p not in out:
                out.append(p)
    return out


def read_module(path):
    """A module's ELF bytes: busybox insmod may not read compressed ones."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".zst"):
        zstd = shutil.which("zstd")
        if not zstd:
            raise Unavailable("%s is zstd-compressed and zstd is not installed" % path)
        return subprocess.run([zstd, "-dc", path], capture_output=True, check=True,
                              timeout=60).stdout
    return data


def _elf_interp(data):
    """The PT_INTERP path of a 64-bit little-endian ELF, or None if static."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise Unavailable("busybox is not a 64-bit little-endian ELF")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        off = phoff + i * phentsize
        ptype, = struct.unpack_from("<I", data, off)
        if ptype == 3:  # PT_INTERP
            p_offset, = struct.unpack_from("<Q", data, off + 8)
            p_filesz, = struct.unpack_from("<Q", data, off + 32)
            return data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
    return None


def find_busybox():
    """(busybox bytes, {path in initrd: source file}) — a static busybox
    (busybox-static) alone, or a dynamic one with its loader and libraries."""
    path = os.environ.get("PXF_E2E_BUSYBOX") or shutil.which("busybox") or "/bin/busybox"
    if not os.path.isfile(path):
        raise Unavailable("no busybox (install busybox-static or busybox)")
    with open(path, "rb") as f:
        data = f.read()
    interp = _elf_interp(data)
    libs = {}
    if interp:
        libs[interp] = os.path.realpath(interp)
        p = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            raise Unavailable("ldd %s: %s" % (path, p.stderr.strip()))
        for line in p.stdout.splitlines():
            m = re.match(r"\s*\S+ => (/\S+) \(", line)
            if m:
                libs[m.group(1)] = os.path.realpath(m.group(1))
    return data, libs


# ---- build -----------------------------------------------------------------


def default_cache_dir():
    return os.environ.get("PXF_E2E_CACHE") or os.path.join(TOP, "build", "e2e-cache")


def _sha(h, path):
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)


def build(cache_dir=None, drivers=("e1000",), kver=None, nfs=False):
    """Returns Installer(kernel, initrd, kver), building it if the cache has
    no copy for these inputs. Raises Unavailable when inputs are missing.
    nfs=True adds the kernel's NFSv4 client (nfsv4 and its dependencies,
    loaded only when pxf.fetch= meets an nfs install source): a separate
    cached copy, so the others stay small."""
    cache_dir = cache_dir or default_cache_dir()
    kver, vmlinuz = find_kernel(kver)
    modules = find_modules(kver, drivers)
    nfs_modules = [m for m in find_modules(kver, NFS_DRIVERS) if m not in modules] if nfs else []
    busybox, libs = find_busybox()

    h = hashlib.sha256()
    with open(os.path.abspath(__file__), "rb") as f:
        h.update(f.read())
    h.update(repr((kver, list(drivers), sorted(libs), nfs_modules)).encode())
    h.update(busybox)
    for p in [vmlinuz] + modules + nfs_modules + sorted(libs.values()):
        _sha(h, p)
    key = h.hexdigest()[:16]
    variant = "installer-nfs-" if nfs else "installer-"
    out = os.path.join(cache_dir, "%s%s-%s" % (variant, kver, key))
    result = Installer(os.path.join(out, "vmlinuz"), os.path.join(out, "initrd.img"), kver)
    if os.path.isfile(result.initrd) and os.path.isfile(result.kernel):
        return result

    a = Cpio()
    for d in ("bin", "dev", "proc", "sys", "tmp", "run", "etc", "lib/modules", "root"):
        a.dir(d)
    a.chardev("dev/console", 5, 1)
    a.chardev("dev/null", 1, 3, 0o666)
    a.file("bin/busybox", busybox, 0o755)
    a.symlink("bin/sh", "busybox")
    for dest, src in sorted(libs.items()):
        with open(src, "rb") as f:
            a.file(dest, f.read(), 0o755)
    names = []
    for p in modules:
        name = re.sub(r"\.(xz|gz|zst)$", "", os.path.basename(p))
        a.file("lib/modules/" + name, read_module(p))
        names.append(name)
    a.file("etc/pxf-modules", ("\n".join(names) + "\n").encode())
    nfs_names = []
    for p in nfs_modules:
        name = re.sub(r"\.(xz|gz|zst)$", "", os.path.basename(p))
        a.file("lib/modules/" + name, read_module(p))
        nfs_names.append(name)
    if nfs_names:
        a.file("etc/pxf-nfs-modules", ("\n".join(nfs_names) + "\n").encode())
    a.file("etc/udhcpc.script", UDHCPC_SCRIPT.encode(), 0o755)
    a.file("init", INIT.encode(), 0o755)
    initrd = gzip.compress(a.finish(), compresslevel=6, mtime=0)

    os.makedirs(cache_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".installer-", dir=cache_dir)
    try:
        shutil.copyfile(vmlinuz, os.path.join(tmp, "vmlinuz"))
        with open(os.path.join(tmp, "initrd.img"), "wb") as f:
            f.write(initrd)
        with open(os.path.join(tmp, "MANIFEST"), "w") as f:
            f.write("kernel %s\nmodules %s\nnfs modules %s\nbusybox %s\n" % (
                kver, " ".join(modules), " ".join(nfs_modules) or "none",
                "static" if not libs else "dynamic + " + " ".join(libs)))
        # served by pxeforged after it drops root: world-readable
        for n in os.listdir(tmp):
            os.chmod(os.path.join(tmp, n), 0o644)
        os.chmod(tmp, 0o755)
        try:
            os.rename(tmp, out)
        except OSError:  # a concurrent build won; its copy is the same
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # drop copies of this variant built from older inputs of this kernel
    for old in glob.glob(os.path.join(cache_dir, "%s%s-*" % (variant, kver))):
        if old != out:
            shutil.rmtree(old, ignore_errors=True)
    return result


def main(argv):
    args = argv[1:]
    nfs = "--nfs" in args
    args = [a for a in args if a != "--nfs"]
    try:
        inst = build(args[0] if args else None, nfs=nfs)
    except Unavailable as e:
        print("unavailable: %s" % e, file=sys.stderr)
        return 77
    print("kernel %s\ninitrd %s\nkver %s" % inst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
