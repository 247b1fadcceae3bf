#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""mkrootfs: a minimal Debian 12 root file system with systemd, cached.

debootstrap (variant minbase, with systemd, systemd-sysv, udev) into a
scratch directory, then apt-get installs the extra packages inside it (in a
private mount namespace with only /proc mounted, so nothing is left mounted
on the machine even if this is killed), and the result is packed into
  <cache>/rootfs-<sha256 of the recipe and the package list>.tar
The guest that boots it has no network to the outside, so the list must hold
every runtime dependency of the packages the test installs into it; a
changed list is a new key, hence a rebuild (older tarballs are removed).

usage: mkrootfs.py [--cache DIR] [PACKAGE...]   prints the tarball's path
API:   build(packages, cache_dir=None, log=print) -> path of the tarball
Environment: PXF_SYSTEM_CACHE (default /var/cache/pxeforge-tests),
PXF_SYSTEM_MIRROR (default: the first deb.debian.org-style URI that apt uses
here, else http://deb.debian.org/debian).
"""
import fcntl
import glob
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SUITE = "bookworm"
# bump when the recipe below changes in a way that changes the result
RECIPE = "3"
BASE = ("systemd", "systemd-sysv", "udev", "iproute2", "kmod", "procps")
DEFAULT_CACHE = "/var/cache/pxeforge-tests"
DEBOOTSTRAP_TIMEOUT = 900
APT_TIMEOUT = 900


class Unavailable(Exception):
    """debootstrap is missing, or we are not root."""


def cache_dir_default():
    return os.environ.get("PXF_SYSTEM_CACHE") or DEFAULT_CACHE


def mirror():
    """The Debian mirror apt uses on this machine (the guest's packages come
    from the same archive as the build's)."""
    env = os.environ.get("PXF_SYSTEM_MIRROR")
    if env:
        return env
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        with open(path) as f:
            text = f.read()
        for stanza in re.split(r"\n\s*\n", text):
            if re.search(r"^Suites:.*\b%s\b" % SUITE, stanza, re.M):
                m = re.search(r"^URIs:\s*(\S+)", stanza, re.M)
                if m and "security" not in m.group(1):
                    return m.group(1)
    if os.path.exists("/etc/apt/sources.list"):
        with open("/etc/apt/sources.list") as f:
            for line in f:
                w = line.split()
                if len(w) >= 3 and w[0] == "deb" and w[2] == SUITE:
                    return w[1]
    return "http://deb.debian.org/debian"


def package_list(packages):
    return sorted(set(BASE) | set(packages))


def key(packages):
    h = hashlib.sha256()
    h.update(("recipe %s suite %s\n" % (RECIPE, SUITE)).encode())
    for p in package_list(packages):
        h.update((p + "\n").encode())
    return h.hexdigest()[:16]


def cached_path(packages, cache_dir=None):
    return os.path.join(cache_dir or cache_dir_default(), "rootfs-%s.tar" % key(packages))


def check_available():
    if os.geteuid() != 0:
        raise Unavailable("building a root file system needs root")
    if shutil.which("debootstrap") is None:
        raise Unavailable("needs debootstrap (apt-get install debootstrap)")


class CommandFailed(Exception):
    pass


def run_group(argv, timeout, **kw):
    """Runs argv in a process group of its own and returns (status, output);
    on a timeout or any exception here (a SIGTERM turned into SystemExit)
    the whole group is killed, so no debootstrap or dpkg-buildpackage is
    left running."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         stdin=subprocess.DEVNULL, start_new_session=True, **kw)
    try:
        out, _ = p.communicate(timeout=timeout)
    except BaseException:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        raise
    return p.returncode, out


def _run(argv, log, timeout, **kw):
    t0 = time.monotonic()
    status, out = run_group(argv, timeout, **kw)
    if status != 0:
        raise CommandFailed("%s exited %d after %.0f s:\n%s" % (
            " ".join(argv[:3]), status, time.monotonic() - t0, out[-6000:]))
    return out


def _write(root, rel, text, mode=0o644):
    path = os.path.join(root, rel.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def _populate(root, packages, log):
    url = mirror()
    sec = url.replace("/debian", "/debian-security") if url.endswith("/debian") else None
    sources = "deb %s %s main\ndeb %s %s-updates main\n" % (url, SUITE, url, SUITE)
    if sec:
        sources += "deb %s %s-security main\n" % (sec, SUITE)
    _write(root, "/etc/apt/sources.list", sources)
    # no service may start inside the chroot
    _write(root, "/usr/sbin/policy-rc.d", "#!/bin/sh\nexit 101\n", 0o755)
    extra = [p for p in package_list(packages) if p not in BASE]
    script = ("set -e; mount -t proc proc %(r)s/proc; "
              "export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8; "
              "chroot %(r)s apt-get update -q; "
              "chroot %(r)s apt-get -y -q dist-upgrade; "
              "chroot %(r)s apt-get install -y -q --no-install-recommends %(p)s; "
              "chroot %(r)s apt-get clean; umount %(r)s/proc"
              % {"r": root, "p": " ".join(extra)})
    log("rootfs: apt-get install %d packages inside it" % len(extra))
    # a private mount namespace: /proc goes away with it whatever happens
    _run(["unshare", "--mount", "--propagation", "private", "--fork", "sh", "-c", script],
         log, APT_TIMEOUT)
    os.unlink(os.path.join(root, "usr/sbin/policy-rc.d"))
    for d in ("var/lib/apt/lists", "var/cache/apt/archives"):
        for f in glob.glob(os.path.join(root, d, "*")):
            if os.path.isfile(f) and not f.endswith("/lock"):
                os.unlink(f)
    # the offline guest keeps no index: `apt-get install ./x.deb` needs none
    _write(root, "/etc/apt/sources.list", "# offline test system: no sources\n")
    with open(os.path.join(root, "etc/pxf-rootfs-packages"), "w") as f:
        f.write("\n".join(package_list(packages)) + "\n")


def build(packages, cache_dir=None, log=print):
    """Returns the path of the cached tarball for packages, building it
    (debootstrap + apt-get, a few minutes) when it is not there."""
    cache_dir = cache_dir or cache_dir_default()
    out = cached_path(packages, cache_dir)
    if os.path.exists(out):
        return out
    check_available()
    os.makedirs(cache_dir, exist_ok=True)
    with open(os.path.join(cache_dir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be building it
        if os.path.exists(out):
            return out
        t0 = time.monotonic()
        # left by a run that was killed (we hold the lock: none is running)
        for stale in glob.glob(os.path.join(cache_dir, ".rootfs-*")):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = tempfile.mkdtemp(prefix=".rootfs-", dir=cache_dir)
        try:
            root = os.path.join(tmp, "root")
            log("rootfs: debootstrap %s from %s (once per package list; cached in %s)"
                % (SUITE, mirror(), cache_dir))
            _run(["debootstrap", "--variant=minbase", "--include=" + ",".join(BASE),
                  SUITE, root, mirror()], log, DEBOOTSTRAP_TIMEOUT)
            log("rootfs: debootstrap done after %.0f s" % (time.monotonic() - t0))
            _populate(root, packages, log)
            part = os.path.join(tmp, "rootfs.tar")
            _run(["tar", "--numeric-owner", "--xattrs", "-C", root, "-cf", part, "."], log, 600)
            os.rename(part, out)
            for old in glob.glob(os.path.join(cache_dir, "rootfs-*.tar")):
                if old != out:
                    os.unlink(old)
            log("rootfs: built %s in %.0f s" % (out, time.monotonic() - t0))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache")
    ap.add_argument("packages", nargs="*")
    a = ap.parse_args(argv)
    try:
        print(build(a.packages, a.cache, log=lambda m: print(m, file=sys.stderr)))
    except Unavailable as e:
        print("skip: %s" % e, file=sys.stderr)
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
