#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The `system` suite: pxeforge's Debian packages on a real Debian 12 system.

1. Builds the .deb files from this tree (packaging/build-debs.sh OUT VERSION),
   and a second set rebuilt with a higher version for the upgrade check
   (PXF_SYSTEM_REPACK=1, for quicker runs by hand: the same packages
   re-packed by dpkg-deb with the version raised, which still exercises
   dpkg, conffiles and the maintainer scripts).
2. A minimal Debian 12 root file system with systemd (mkrootfs.py:
   debootstrap + every runtime dependency of those packages, read from their
   Depends; cached in /var/cache/pxeforge-tests, rebuilt when the list
   changes), the packages, the stand-in installer (tests/e2e/mkinitrd.py)
   and the in-guest test (guest/) go into an ext4 image made by
   `mkfs.ext4 -d` (no loop mount).
3. QEMU boots it (this machine's kernel and initrd, virtio disk, e1000 NIC
   on br0 of a pxflab namespace, serial console in a log file); systemd runs
   guest/pxf-system-test.sh, which installs the packages with apt-get and
   checks the service (READY, reload, plugins, removal of a plugin package,
   upgrade), printing "PXF-SYSTEM: PASS|FAIL ..." lines.
4. When it prints NODE-READY, a second guest on the same bridge boots from
   the network: the installed pxeforged's DHCP, TFTP, pxelinux, HTTP and
   kickstart take it to the stand-in installer, which reports done; the
   system guest sees the host become installed.

Network: only the namespace's bridge; no guest has user-mode networking.
Needs root, debootstrap, qemu-system-x86, e2fsprogs (mkfs.ext4 -d), a
kernel in /boot; else exit 77. debootstrap (first run only) reaches the
Debian mirror apt uses; nothing else leaves this machine.

usage: test_system.py [--keep] [--debs DIR1 [DIR2]]
  --debs: use the .debs of DIR1 instead of building them, and those of DIR2
          (a higher version) for the upgrade. PXF_SYSTEM_KEEP=1 = --keep.
exit: 0 every check passed, 1 a failure, 77 not possible here
"""
import argparse
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
sys.path.insert(0, HERE)
import mkdisk  # noqa: E402
import mkinitrd  # noqa: E402
import mkrootfs  # noqa: E402
import pxflab  # noqa: E402

BUILD_DEBS = os.path.join(TOP, "packaging", "build-debs.sh")
UPGRADE_SUFFIX = "+systemtest1"  # version 2 = version 1 + this: higher
SYSTEM_MAC = "52:54:00:99:01:01"
SYSTEM_IP = "10.99.0.2"
NODE_MAC = "52:54:00:99:01:02"
NODE_NAME = "node1"
IMAGE_SPARE = 768 << 20  # free space in the image beyond its contents
BUILD_TIMEOUT = 900
SYSTEM_TIMEOUT = 900  # boot, every check and the network boot, under TCG (~2 min here)
NODE_TIMEOUT = 480  # the node's PXE boot to the installer's done report
MARK = "PXF-SYSTEM:"
MIN_PASSES = 14  # guest/pxf-system-test.sh's checks when all pass
SYSTEM_FAIL = r"Kernel panic|end Kernel panic|Give root password|emergency mode|Failed to mount /sysroot"


def say(t0, msg):
    print("%7.1f s  %s" % (time.monotonic() - t0, msg), flush=True)


def check_available():
    if os.geteuid() != 0:
        raise pxflab.Skip("needs root (debootstrap, network namespace, QEMU taps)")
    try:
        mkrootfs.check_available()
    except mkrootfs.Unavailable as e:
        raise pxflab.Skip(str(e))
    reason = pxflab.skip_reason()
    if reason:
        raise pxflab.Skip(reason)
    for tool, pkg in (("mkfs.ext4", "e2fsprogs"), ("dpkg-deb", "dpkg"), ("tar", "tar"),
                      ("unshare", "util-linux")):
        if shutil.which(tool) is None:
            raise pxflab.Skip("needs %s (%s)" % (tool, pkg))
    try:
        kver, vmlinuz = mkinitrd.find_kernel()
    except mkinitrd.Unavailable as e:
        raise pxflab.Skip(str(e))
    initrd = "/boot/initrd.img-" + kver
    if not os.path.isfile(initrd):
        raise pxflab.Skip("no %s for the test system's kernel" % initrd)
    return kver, vmlinuz, initrd


# ---- packages ----------------------------------------------------------------


def run(argv, timeout, **kw):
    try:
        status, out = mkrootfs.run_group(argv, timeout, **kw)
    except subprocess.TimeoutExpired:
        raise pxflab.LabError("%s still running after %d s" % (" ".join(argv), timeout))
    if status != 0:
        raise pxflab.LabError("%s exited %d:\n%s" % (" ".join(argv), status, out[-8000:]))
    return out


def build_debs(out, version, t0):
    """packaging/build-debs.sh OUT [VERSION], without the package build's
    own test step (CI runs the unit suites elsewhere)."""
    if not os.access(BUILD_DEBS, os.X_OK):
        raise pxflab.Skip("no %s in this tree" % os.path.relpath(BUILD_DEBS, TOP))
    for tool, pkg in (("dpkg-buildpackage", "dpkg-dev"), ("dh", "debhelper"),
                      ("fakeroot", "fakeroot")):
        if shutil.which(tool) is None:
            raise pxflab.Skip("needs %s (%s) to build the packages" % (tool, pkg))
    os.makedirs(out, exist_ok=True)
    say(t0, "building the packages%s (%s, nocheck)" % (
        " as version " + version if version else "", os.path.relpath(BUILD_DEBS, TOP)))
    env = dict(os.environ, DEB_BUILD_OPTIONS="parallel=2 noddebs nocheck")
    log = run([BUILD_DEBS, out] + ([version] if version else []), BUILD_TIMEOUT, cwd=TOP,
              env=env)
    with open(os.path.join(out, "build.log"), "w") as f:
        f.write(log)
    debs = sorted(glob.glob(os.path.join(out, "*.deb")))
    if not debs:
        raise pxflab.LabError("%s made no .deb in %s:\n%s" % (BUILD_DEBS, out, log[-4000:]))
    say(t0, "built %d packages" % len(debs))
    return out


def deb_field(deb, field):
    return subprocess.run(["dpkg-deb", "-f", deb, field], capture_output=True, text=True,
                          timeout=60, check=True).stdout.strip()


def repack(src, out, version):
    """The packages of src with their version (and exact dependencies on
    each other) raised to version: a rebuilt release for the upgrade."""
    os.makedirs(out, exist_ok=True)
    for deb in guest_packages(src):
        old = deb_field(deb, "Version")
        tmp = tempfile.mkdtemp(prefix="repack-", dir=out)
        try:
            run(["dpkg-deb", "-R", deb, tmp], 300)
            control = os.path.join(tmp, "DEBIAN", "control")
            with open(control) as f:
                text = f.read()
            text = re.sub(r"^Version: .*$", "Version: " + version, text, flags=re.M)
            # "(= OLD)" on sibling packages; other version constraints stay
            text = text.replace("(= %s)" % old, "(= %s)" % version)
            with open(control, "w") as f:
                f.write(text)
            name = deb_field(deb, "Package")
            arch = deb_field(deb, "Architecture")
            run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-b", tmp,
                 os.path.join(out, "%s_%s_%s.deb" % (name, version.split(":")[-1], arch))], 600)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def main_deb(debdir):
    debs = glob.glob(os.path.join(debdir, "pxeforge_*.deb"))
    if len(debs) != 1:
        raise pxflab.LabError("expected one pxeforge_*.deb in %s, found %d" % (debdir, len(debs)))
    return debs[0]


def split_deps(text):
    """Package names of a Depends field: the first of each alternative."""
    names = []
    for clause in filter(None, (c.strip() for c in text.split(","))):
        first = clause.split("|")[0].strip()
        m = re.match(r"([a-z0-9][a-z0-9+.-]+)(?::\w+)?", first)
        if m:
            names.append(m.group(1))
    return names


def runtime_packages(debs):
    """Every package the .debs depend on, minus themselves and what they
    provide: the root file system must hold them all."""
    ours, provided, wanted = set(), set(), set()
    for deb in debs:
        ours.add(deb_field(deb, "Package"))
        provided.update(split_deps(deb_field(deb, "Provides")))
        for field in ("Pre-Depends", "Depends"):
            wanted.update(split_deps(deb_field(deb, field)))
    return sorted(wanted - ours - provided)


def guest_packages(debdir):
    """The .debs the in-guest test installs: pxeforge and every plugin
    package (-dev and -tests are for developers and other suites)."""
    keep = [d for d in glob.glob(os.path.join(debdir, "*.deb"))
            if re.match(r"pxeforge(-plugin-[a-z0-9-]+)?_", os.path.basename(d))]
    if not any(os.path.basename(d).startswith("pxeforge_") for d in keep):
        raise pxflab.LabError("no pxeforge_*.deb in %s" % debdir)
    if not any("-plugin-mtftp_" in d for d in keep):
        raise pxflab.LabError("no pxeforge-plugin-mtftp_*.deb in %s" % debdir)
    return sorted(keep)


# ---- the image -----------------------------------------------------------------


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def make_image(work, tarball, kver, debs1, debs2, installer, t0):
    """An ext4 image of the cached root file system plus the test."""
    root = os.path.join(work, "root")
    os.makedirs(root)
    run(["tar", "--numeric-owner", "--xattrs", "-xpf", tarball, "-C", root], 600)
    test = os.path.join(root, "pxf-test")
    for sub, debs in (("v1", debs1), ("v2", debs2)):
        os.makedirs(os.path.join(test, "debs", sub))
        for d in debs:
            shutil.copy(d, os.path.join(test, "debs", sub))
    os.makedirs(os.path.join(test, "installer"))
    shutil.copy(installer.kernel, os.path.join(test, "installer", "vmlinuz"))
    shutil.copy(installer.initrd, os.path.join(test, "installer", "initrd.img"))
    shutil.copy(os.path.join(HERE, "guest", "pxf-system-test.sh"), test)
    os.chmod(os.path.join(test, "pxf-system-test.sh"), 0o755)
    write(os.path.join(test, "env"), "".join("%s=%s\n" % kv for kv in (
        ("NODE_MAC", NODE_MAC), ("NODE_NAME", NODE_NAME), ("SYS_IP", SYSTEM_IP),
        ("SUBNET", pxflab.SUBNET + ".0/24"), ("POOL_FIRST", pxflab.SUBNET + ".100"),
        ("POOL_LAST", pxflab.SUBNET + ".150"), ("ROUTER", pxflab.SERVER_IP),
        ("NODE_TIMEOUT", NODE_TIMEOUT))))
    etc = os.path.join(root, "etc")
    shutil.copy(os.path.join(HERE, "guest", "pxf-system-test.service"),
                os.path.join(etc, "systemd", "system"))
    wants = os.path.join(etc, "systemd", "system", "multi-user.target.wants")
    os.makedirs(wants, exist_ok=True)
    os.symlink("/etc/systemd/system/pxf-system-test.service",
               os.path.join(wants, "pxf-system-test.service"))
    # the console belongs to the test; timers and gettys only cost time
    for unit in ("serial-getty@ttyS0.service", "getty@tty1.service", "apt-daily.timer",
                 "apt-daily-upgrade.timer", "e2scrub_all.timer", "e2scrub_reap.service",
                 "fstrim.timer", "systemd-timesyncd.service", "dpkg-db-backup.timer",
                 "systemd-networkd-wait-online.service"):
        link = os.path.join(etc, "systemd", "system", unit)
        if not os.path.lexists(link):
            os.symlink("/dev/null", link)
    write(os.path.join(etc, "fstab"), "/dev/vda / ext4 rw,errors=remount-ro 0 1\n")
    write(os.path.join(etc, "hostname"), "pxf-system\n")
    write(os.path.join(etc, "hosts"), "127.0.0.1 localhost\n127.0.1.1 pxf-system\n")
    # the NIC's module for this kernel (the initrd holds the disk's)
    for mod in mkinitrd.find_modules(kver, ("e1000",)):
        dest = os.path.join(root, mod.lstrip("/"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy(mod, dest)
    mdir = "/lib/modules/" + kver
    for f in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        if os.path.exists(os.path.join(mdir, f)):
            shutil.copy(os.path.join(mdir, f), os.path.join(root, mdir.lstrip("/"), f))
    run(["depmod", "-b", root, kver], 120)
    size = IMAGE_SPARE + int(run(["du", "-sb", root], 300).split()[0]) * 5 // 4
    size = (size + (1 << 20) - 1) & ~((1 << 20) - 1)
    image = os.path.join(work, "system.img")
    run(["mkfs.ext4", "-q", "-F", "-L", "pxf-system", "-d", root, image, str(size // 1024)],
        600)
    shutil.rmtree(root)
    say(t0, "image %s: %d MiB" % (image, size >> 20))
    return image


# ---- the run ---------------------------------------------------------------------


def follow(guest, pos, t0):
    """Prints the new PXF-SYSTEM lines of the guest's console; returns the
    new position and the lines."""
    text = guest.text()
    lines = []
    end = text.rfind("\n") + 1
    if end <= pos:
        return pos, lines
    for line in text[pos:end].splitlines():
        if line.startswith(MARK) or line.startswith("PXF-SYSTEM-LOG:"):
            lines.append(line)
            if line.startswith(MARK):
                say(t0, "system: " + line[len(MARK):].strip())
    return end, lines


def _on_signal(signum, frame):
    # meson's timeout or ^C: stop the guests, then unwind (removing the work
    # directory and killing any build on the way)
    pxflab._close_all(fast=True)
    raise SystemExit(128 + signum)


def test(args):
    t0 = time.monotonic()
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, _on_signal)
    kver, vmlinuz, initrd = check_available()
    work = tempfile.mkdtemp(prefix="pxf-system-")
    keep = args.keep or os.environ.get("PXF_SYSTEM_KEEP") == "1"
    try:
        dir2 = None
        if args.debs:
            dir1 = args.debs[0]
            dir2 = args.debs[1] if len(args.debs) > 1 else None
        else:
            dir1 = build_debs(os.path.join(work, "debs1"), None, t0)
        if dir2 is None:
            version2 = deb_field(main_deb(dir1), "Version") + UPGRADE_SUFFIX
            if os.environ.get("PXF_SYSTEM_REPACK") != "1":
                dir2 = build_debs(os.path.join(work, "debs2"), version2, t0)
            else:
                dir2 = repack(dir1, os.path.join(work, "debs2"), version2)
                say(t0, "re-packed them as version %s for the upgrade" % version2)
        debs1, debs2 = guest_packages(dir1), guest_packages(dir2)
        deps = runtime_packages(debs1)
        say(t0, "runtime dependencies of the packages: %s" % " ".join(deps))
        cached = os.path.exists(mkrootfs.cached_path(deps))
        try:
            tarball = mkrootfs.build(deps, log=lambda m: say(t0, m))
        except (mkrootfs.CommandFailed, subprocess.TimeoutExpired) as e:
            raise pxflab.LabError("building the root file system: %s" % e)
        say(t0, "root file system %s (%s)" % (tarball, "cached" if cached else "built now"))
        try:
            installer = mkinitrd.build(os.path.join(mkrootfs.cache_dir_default(), "installer"))
        except mkinitrd.Unavailable as e:
            raise pxflab.Skip(str(e))
        image = make_image(work, tarball, kver, debs1, debs2, installer, t0)
        with pxflab.Lab(workdir=os.path.join(work, "lab"), keep=keep) as lab:
            say(t0, "booting the test system (QEMU, TCG), console %s" %
                lab.path("system.serial"))
            system = lab.guest(
                "system", mac=SYSTEM_MAC, kernel=vmlinuz, initrd=initrd, memory=1024,
                append="root=/dev/vda rw console=ttyS0,115200 net.ifnames=0 panic=-1 "
                "systemd.show_status=0 quiet", extra=[
                    "-drive", "file=%s,format=raw,if=virtio,cache=unsafe" % image])
            pos, seen, node = 0, [], None
            deadline = time.monotonic() + SYSTEM_TIMEOUT
            result = None
            while result is None:
                pos, lines = follow(system, pos, t0)
                seen += lines
                for line in lines:
                    if line.startswith(MARK + " NODE-READY") and node is None:
                        say(t0, "powering on %s (%s): network boot on br0" % (NODE_NAME,
                                                                             NODE_MAC))
                        node = lab.guest(NODE_NAME, mac=NODE_MAC, boot="nc",
                                         disk=mkdisk.write(lab.path("node1.img"), NODE_NAME))
                    m = re.match(re.escape(MARK) + r" RESULT pass=(\d+) fail=(\d+)", line)
                    if m:
                        result = (int(m.group(1)), int(m.group(2)))
                if result is not None:
                    break
                fm = re.search(SYSTEM_FAIL, system.text())
                if fm:
                    raise pxflab.LabError("test system: %r on its console:\n%s"
                                          % (fm.group(0), system.tail(60)))
                if not system.alive():
                    raise pxflab.LabError("test system's QEMU exited (%s) before a result:\n%s"
                                          % (system.returncode(), system.tail(60)))
                if time.monotonic() > deadline:
                    raise pxflab.LabError("no result from the test system within %d s:\n%s"
                                          % (SYSTEM_TIMEOUT, system.tail(60)))
                time.sleep(0.5)
            try:
                system.wait_exit(120)  # it powers off
            except pxflab.LabError:
                say(t0, "the test system did not power off within 120 s")
            fails = [l for l in seen if l.startswith(MARK + " FAIL")]
            node_done = node is not None and re.search(r"PXF-INSTALLER: done 200", node.text())
            loader = node and ("pxelinux" if re.search(r"PXELINUX \d", node.text()) else
                               "ipxe script" if re.search(r"boot\.ipxe", node.text()) else "?")
            say(t0, "%s's console: %s (boot loader: %s)" % (
                NODE_NAME, "PXF-INSTALLER: done 200" if node_done else
                "no done report" if node else "never powered on", loader))
            problems = []
            if fails or result[1]:
                problems.append("%d checks failed" % max(result[1], len(fails)))
            if result[0] < MIN_PASSES:
                problems.append("only %d checks passed" % result[0])
            if not node_done:
                problems.append("the network-boot guest did not report done")
            elif loader != "pxelinux":
                problems.append("the network-boot guest did not boot through pxelinux")
            if problems:
                text = system.text()
                start = text.find(MARK + " STARTED")
                print("---- the test system's console from %s STARTED (all of it: %s)\n%s"
                      % (MARK, system.serial, text[max(start, 0):]), flush=True)
                if node is not None:
                    print("---- %s's console (tail)\n%s" % (NODE_NAME, node.tail(40)))
                # last, so that meson's last-100-lines excerpt shows it
                print("---- the checks\n" + "\n".join(l for l in seen if l.startswith(MARK)),
                      flush=True)
                raise pxflab.LabError("; ".join(problems))
            say(t0, "all %d checks passed" % result[0])
    finally:
        if keep:
            say(t0, "kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--debs", nargs="+", metavar="DIR",
                    help="prebuilt .debs (DIR1), and a higher version of them (DIR2; "
                    "default: DIR1's re-packed)")
    args = ap.parse_args(argv)
    return pxflab.main(lambda: test(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
