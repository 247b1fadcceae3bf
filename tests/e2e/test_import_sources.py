#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end: a distro imported from an ISO image installs a host, whose
installer fetches a file of the install tree over HTTP, FTP and NFS in turn.

1. The image: the Rocky 9 fixture of tests/data/import (its README says
   where each file comes from), copied, with the stand-in installer's real
   kernel and initrd (mkinitrd.py, with its NFS client) as
   images/pxeboot/vmlinuz and initrd.img -- .treeinfo's [checksums] updated
   for them, as the importer checks them -- and a 4 MiB random payload at
   BaseOS/Packages/payload.bin; `xorriso -as mkisofs -R -J` makes the ISO.
2. `pxeforge import --name rocky9 IMAGE.iso` into the lab's configuration
   and distro store; `pxeforge check` passes with a kickstart profile on it.
3. pxeforged runs in the lab namespace (pxflab.py) with the dhcp, tftp,
   http, pxelinux, kickstart, ftp and nfs plugins of the build; NFS-Ganesha
   is started by this test inside the namespace with the configuration of
   plugins/nfs/README.md (NFSv4 only, no grace period) and serves the
   export file the nfs plugin writes.
4. `pxeforge explain --mac` shows the imported kernel and initrd for the
   host (the paths in the imported tree; a failure of that check is reported
   at once but fails the test only at its end, so the boots still run), and
   `pxeforge render` the install source line of each round.
5. Three rounds, one BIOS QEMU guest each, same host (MAC): the profile's
   install_source is url (HTTP), ftp, then nfs; between rounds the
   configuration is rewritten, pxeforged gets SIGHUP and the host is put back
   to install with `pxeforge host reinstall`. Each guest: PXE -> lpxelinux
   -> the imported kernel and initrd over HTTP -> stand-in installer ->
   DHCP -> kickstart (inst.ks=) -> pxf.fetch=BaseOS/Packages/payload.bin
   through the kickstart's `url --url=http://…`, `url --url=ftp://…` or
   `nfs --server=… --dir=…` -> "PXF-INSTALLER: fetched URL sha256 HEX" ->
   done report -> power off.

Checks per round: the kernel and initrd pxeforged served for the host have
the imported files' sizes; the installer booted that kernel; the fetched
URL has the round's scheme and the tree's path; its SHA-256 is the
payload's; for HTTP and FTP, pxeforged logged the payload as a host event of
the host with its full size, and the http or ftp plugin logged that
transfer; for NFS, the installer mounted 10.99.0.1:/distros/rocky9 with the
kernel's nfs4 client and neither HTTP nor FTP sent the payload; the done
report makes the host installed.

usage: test_import_sources.py --build BUILD [--keep] [--sources url,ftp,nfs]
exit: 0 pass, 1 fail, 77 skipped (no root, QEMU, xorriso, Ganesha, plugins)
"""
import argparse
import glob
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import demo  # noqa: E402
import mkinitrd  # noqa: E402
import pxflab  # noqa: E402

PLUGINS = ("dhcp", "tftp", "http", "pxelinux", "kickstart", "ftp", "nfs")
FIXTURE = os.path.join(TOP, "tests", "data", "import", "rocky9")
LPXELINUX = "/usr/lib/PXELINUX/lpxelinux.0"
DISTRO = "rocky9"
MAC = "52:54:00:99:00:e1"
HOSTNAME = "rocky01"
PAYLOAD = "BaseOS/Packages/payload.bin"
PAYLOAD_SIZE = 4 * 1024 * 1024 + 4099  # not a multiple of any block size
SERVER = pxflab.SERVER_IP
BOOT_TIMEOUT = 300  # one guest, power-on to done: ~40 s here under TCG
RELOAD_TIMEOUT = 30
SOURCES = ("url", "ftp", "nfs")  # the profile's install_source, in turn
SCHEME = {"url": "http", "ftp": "ftp", "nfs": "nfs"}

STEPS = (("pxelinux", r"PXELINUX \d"),
         ("installer", r"PXF-INSTALLER: started"),
         ("answer file", r"PXF-INSTALLER: got answer file"),
         ("fetched", r"PXF-INSTALLER: fetched \S+ sha256 [0-9a-f]{64}"),
         ("done", r"PXF-INSTALLER: done 200"))
demo.STEP_TEXT.setdefault("fetched", "console: installer fetched the payload")

CONFIG = """\
# written by tests/e2e/test_import_sources.py; the distro %(distro)s is in
# conf.d/80-distros.yaml, written by `pxeforge import`
daemon:
  debug: true
  interfaces: [br0]
  distro_store: %(store)s
variables:
  timezone: UTC
profiles:
  lab:
    distro: %(distro)s
    os: kickstart
    template: %(template)s
    variables:
      rootpw: lab
      install_source: %(source)s
hosts:
  - mac: %(mac)s
    hostname: %(hostname)s
    profile: lab
plugins:
  dhcp:
    interfaces: [br0]
    offer_hold: 30
    subnets:
      - subnet: 10.99.0.0/24
        range: [10.99.0.100, 10.99.0.199]
        lease_time: 3600
        routers: [10.99.0.1]
  tftp:
    interfaces: [br0]
    root: %(tftp)s
  http:
    interfaces: [br0]
    root: %(www)s
  ftp:
    interfaces: [br0]
    root: %(ftp)s
  nfs:
    ganesha_config: %(exports)s
    ganesha_pidfile: %(pidfile)s
    protocols: [4]
    check_interval: 1
  pxelinux:
    host_template: %(pxelinux)s/host.cfg.mustache
    menu_template: %(pxelinux)s/menu.cfg.mustache
    unknown_hosts: local
    kernel_transport: http
    # EL 9 reads inst.ks=; the stand-in fetches pxf.fetch= from the
    # install source of the kickstart and powers off after its report
    ks_param: inst.ks
    kernel_args: console=ttyS0 panic=-1 pxf.fetch=%(payload)s
  kickstart: {}
"""

# Ganesha as plugins/nfs/README.md runs it: NFSv4 only, no grace period, no
# rpcbind or D-Bus; the exports are the nfs plugin's file
GANESHA_CONF = """\
NFS_CORE_PARAM {
	Protocols = 4;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	Enable_UDP = false;
	Bind_addr = %(addr)s;
}
NFSV4 {
	Graceless = true;
	RecoveryRoot = "%(recovery)s";
}
%%include "%(exports)s"
"""


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok - " + what, flush=True)


def soft(d, cond, what):
    """A check whose failure fails the test at its end, not at once."""
    if cond:
        print("ok - " + what, flush=True)
    else:
        print("not ok - " + what + " (the test goes on, and fails at its end)", flush=True)
        d.failed.append(what)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---- the image -------------------------------------------------------------------


def make_medium(installer, tree, iso):
    """The Rocky 9 fixture with the stand-in's kernel and initrd and a
    random payload, as an ISO image. Returns the payload's SHA-256."""
    shutil.copytree(FIXTURE, tree, symlinks=True)
    pxeboot = os.path.join(tree, "images", "pxeboot")
    shutil.copyfile(installer.kernel, os.path.join(pxeboot, "vmlinuz"))
    shutil.copyfile(installer.initrd, os.path.join(pxeboot, "initrd.img"))
    payload = os.path.join(tree, PAYLOAD)
    os.makedirs(os.path.dirname(payload), exist_ok=True)
    with open(payload, "wb") as f:
        f.write(os.urandom(PAYLOAD_SIZE))
    # the medium's own checksums of what changed, in its format
    treeinfo = os.path.join(tree, ".treeinfo")
    with open(treeinfo) as f:
        text = f.read()
    for rel in ("images/pxeboot/vmlinuz", "images/pxeboot/initrd.img"):
        text, n = re.subn(r"^%s = sha256:[0-9a-f]{64}$" % re.escape(rel),
                          "%s = sha256:%s" % (rel, sha256_file(os.path.join(tree, rel))),
                          text, flags=re.M)
        if n != 1:
            raise pxflab.LabError("%s: no [checksums] line for %s" % (treeinfo, rel))
    with open(treeinfo, "w") as f:
        f.write(text)
    p = subprocess.run(["xorriso", "-as", "mkisofs", "-R", "-J", "-V", "Rocky-9-3-x86_64-dvd",
                        "-o", iso, tree], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise pxflab.LabError("xorriso: " + p.stderr)
    return sha256_file(payload)


# ---- the lab ---------------------------------------------------------------------


class ImportLab(demo.Demo):
    """demo.Demo (pxeforged in the lab, its log followed as host events) with
    this test's configuration, Ganesha, and guests that power off after
    their done report."""

    source = "url"

    def config_text(self, transport="http", variables=None):
        return CONFIG % dict(
            distro=DISTRO, store=self.lab.path("distros"),
            template=os.path.join(TOP, "plugins", "kickstart", "templates",
                                  "rhel9-ks.cfg.mustache"),
            source=self.source, mac=MAC, hostname=HOSTNAME,
            tftp=self.lab.path("tftp"), www=self.lab.path("http"), ftp=self.lab.path("ftp"),
            exports=self.lab.path("ganesha", "pxeforge-exports.conf"),
            pidfile=self.lab.path("ganesha", "ganesha.pid"),
            pxelinux=os.path.join(TOP, "plugins", "pxelinux", "templates"), payload=PAYLOAD)

    def configure(self, hosts, transport="http", variables=None):
        os.makedirs(self.lab.path("ftp"), exist_ok=True)
        os.makedirs(self.lab.path("ganesha", "recovery"), exist_ok=True)
        return super().configure(hosts, transport, variables)

    def start_ganesha(self):
        conf = self.lab.path("ganesha", "ganesha.conf")
        with open(conf, "w") as f:
            f.write(GANESHA_CONF % dict(addr=SERVER, recovery=self.lab.path("ganesha", "recovery"),
                                        exports=self.lab.path("ganesha", "pxeforge-exports.conf")))
        self.ganesha = self.lab.run("ganesha", [
            "ganesha.nfsd", "-F", "-L", self.lab.path("ganesha", "ganesha.log"), "-f", conf,
            "-p", self.lab.path("ganesha", "ganesha.pid")])

    def power_on_installer(self, name):
        """A guest of the host's MAC, network boot only; it powers off after
        its report (QEMU exits: -no-reboot)."""
        self.names[MAC] = HOSTNAME
        g = self.lab.guest(name, mac=MAC, boot="n", no_reboot=True)
        g.known = True
        g.steps = STEPS
        g.step = 0
        g.pos = 0
        g.seen = {}
        self.guests.append(g)
        self.say("%s powered on (%s, installs with install_source %s), console %s"
                 % (name, MAC, self.source, g.serial))
        return g


def paths_for(build):
    paths = demo.paths_from_build(build)
    plugins = {n: os.path.join(os.path.abspath(build), "plugins", n, n + ".so") for n in PLUGINS}
    return paths._replace(plugins=plugins)


def check_available(paths):
    reason = pxflab.skip_reason()
    if reason:
        raise pxflab.Skip(reason)
    missing = [p for p in [paths.pxeforged, paths.pxeforge] + list(paths.plugins.values())
               if not os.path.exists(p)]
    if missing:
        raise pxflab.Skip("not built: " + " ".join(missing))
    for tool, package in (("xorriso", "xorriso"), ("ganesha.nfsd", "nfs-ganesha"),
                          ("nfs-ls", "libnfs-utils")):
        if shutil.which(tool) is None:
            raise pxflab.Skip("needs %s (package %s)" % (tool, package))
    if not (glob.glob("/usr/lib/*/ganesha/libfsalvfs.so*")
            + glob.glob("/usr/lib*/ganesha/libfsalvfs.so*")):
        raise pxflab.Skip("needs Ganesha's VFS FSAL (package nfs-ganesha-vfs)")
    for path, package in ((LPXELINUX, "pxelinux"),
                          ("/usr/lib/syslinux/modules/bios/ldlinux.c32", "syslinux-common")):
        if not os.path.exists(path):
            raise pxflab.Skip("needs %s (package %s)" % (path, package))
    try:
        return mkinitrd.build(paths.cache, nfs=True)
    except mkinitrd.Unavailable as e:
        raise pxflab.Skip(str(e))


# ---- the rounds --------------------------------------------------------------------


def wait_reload(d, after):
    d.wait(lambda: any(e.pos > after and e.args[0].startswith("reloaded")
                       for e in d.find("reload")), RELOAD_TIMEOUT, "reload after SIGHUP")


def switch_source(d, source):
    """The profile's install_source changes: new configuration, SIGHUP, and
    the host back to install."""
    d.source = source
    d.pump()
    mark = d._log_line - 1  # events after this line of the log
    d.configure([(HOSTNAME, MAC)])
    d.daemon.signal(signal.SIGHUP)
    wait_reload(d, mark)
    p = d.cli("host", "reinstall", MAC)
    d.say("pxeforge host reinstall %s: %s" % (MAC, p.stdout.strip()))
    d.wait(lambda: d.host_state(MAC) != "installed", RELOAD_TIMEOUT, "host back to install")


def expected_line(source):
    if source == "nfs":
        return "nfs --server=%s --dir=/distros/%s" % (SERVER, DISTRO)
    return "url --url=%s://%s/distros/%s/" % (SCHEME[source], SERVER, DISTRO)


def run_round(d, source, kernel, initrd, payload_sha):
    name = "%s-%s" % (HOSTNAME, SCHEME[source])
    ks = d.cli("render", "--mac", MAC).stdout
    check(re.search(r"^%s$" % re.escape(expected_line(source)), ks, re.M) is not None,
          "%s: pxeforge render gives `%s`" % (source, expected_line(source)))
    d.pump()
    mark = d._log_line - 1  # events after this line of the log
    t_on = time.monotonic()
    g = d.power_on_installer(name)
    d.wait(lambda: d.finished(g), BOOT_TIMEOUT, "%s's install" % name)
    elapsed = time.monotonic() - t_on
    text = g.text()

    # the imported kernel and initrd, as pxeforged served them to this host
    served = {e.args[0]: int(e.args[1]) for e in d.find("served", MAC, after=mark)}
    dashes = MAC.replace(":", "-")
    for rel, path in (("vmlinuz", kernel), ("initrd.img", initrd)):
        got = served.get("boot/%s/%s" % (dashes, rel))
        check(got == os.path.getsize(path),
              "%s: boot/%s/%s served whole (%s of %d bytes)"
              % (name, dashes, rel, got, os.path.getsize(path)))
    check("PXF-INSTALLER: booting %s" % d.installer.kver in text,
          "%s: the imported kernel (%s) booted the installer" % (name, d.installer.kver))
    check(d.find("kickstart", MAC, after=mark), "%s: kickstart served" % name)

    m = re.search(r"PXF-INSTALLER: fetched (\S+) sha256 ([0-9a-f]{64})", text)
    check(m is not None, "%s: the installer fetched the payload" % name)
    url, sha = m.group(1), m.group(2)
    want = "%s://%s/distros/%s/%s" % (SCHEME[source], SERVER, DISTRO, PAYLOAD)
    check(url == want, "%s: fetched %s (expected %s)" % (name, url, want))
    check(sha == payload_sha, "%s: sha256 %s equals the payload's" % (name, sha))

    log = "\n".join(d.daemon.text().splitlines()[mark + 1:])
    lease = d.find("lease", MAC, after=mark)
    ip = lease[-1].args[0] if lease else None
    payload_events = [e for e in d.find("served", MAC, after=mark)
                      if e.args[0].lstrip("/").endswith(PAYLOAD)]
    if source in ("url", "ftp"):
        check(len(payload_events) == 1 and int(payload_events[0].args[1]) == PAYLOAD_SIZE,
              "%s: pxeforged logged the payload (%d bytes) as a host event of %s: %s"
              % (name, PAYLOAD_SIZE, MAC, [e.line for e in payload_events]))
        if source == "url":
            rx = r"pxf-http\S*: GET /distros/%s/%s from %s" % (DISTRO, re.escape(PAYLOAD), ip)
        else:
            rx = r"pxf-ftp\S*: RETR \S*%s from %s: 226, %d bytes" % (re.escape(PAYLOAD), ip,
                                                                      PAYLOAD_SIZE)
        check(re.search(rx, log) is not None,
              "%s: the %s plugin logged the transfer to %s" % (name, SCHEME[source], ip))
    else:
        check(not payload_events, "%s: neither HTTP nor FTP sent the payload" % name)
        mnt = re.search(r"PXF-INSTALLER: mounted (.*)", text)
        check(mnt is not None and re.match(r"%s:/distros/%s /mnt/source nfs4 ro,"
                                           % (SERVER, DISTRO), mnt.group(1)) is not None,
              "%s: the installer mounted %s:/distros/%s read-only over NFSv4 (%s)"
              % (name, SERVER, DISTRO, mnt.group(1) if mnt else "no mount line"))
    d.wait(lambda: d.host_state(MAC) == "installed", 20, "state installed")
    check(True, "%s: installed after its report, %.0f s after power-on" % (name, elapsed))
    return elapsed


def run(build, keep, sources):
    paths = paths_for(build)
    installer = check_available(paths)
    t0 = time.monotonic()
    with pxflab.Lab(keep=keep or None) as lab:
        d = ImportLab(lab, paths, installer, t0=t0)
        d.ganesha = None
        d.failed = []
        run_dir_existed = os.path.exists("/var/run/ganesha")
        try:
            run_lab(d, lab, installer, sources)
        finally:
            if d.ganesha is not None:
                d.ganesha.stop()
            # Ganesha leaves this behind; removed only if this test made it
            if not run_dir_existed and os.path.isdir("/var/run/ganesha"):
                try:
                    os.rmdir("/var/run/ganesha")
                except OSError:
                    pass
    print("rounds: " + ", ".join("%s %.0f s" % r for r in d.rounds))
    if d.failed:
        raise AssertionError("; ".join(d.failed))


def run_lab(d, lab, installer, sources):
    d.say("network namespace %s, work directory %s" % (lab.ns, lab.dir))
    iso = lab.path("rocky9-standin.iso")
    payload_sha = make_medium(installer, lab.path("medium"), iso)
    d.say("image %s (%d bytes): the stand-in's kernel and initrd, payload sha256 %s"
          % (iso, os.path.getsize(iso), payload_sha))
    shutil.rmtree(lab.path("medium"))

    # import with the daemon section only, then the profile and host on it
    os.makedirs(d.etc, exist_ok=True)
    with open(os.path.join(d.etc, "pxeforge.yaml"), "w") as f:
        f.write("daemon:\n  distro_store: %s\n" % lab.path("distros"))
    p = d.cli("import", "--name", DISTRO, iso)
    print(p.stdout, end="")
    tree = lab.path("distros", DISTRO)
    kernel = os.path.join(tree, "images", "pxeboot", "vmlinuz")
    initrd = os.path.join(tree, "images", "pxeboot", "initrd.img")
    check("imported %s: Rocky Linux 9.3" % DISTRO in p.stdout
          and "kernel  %s" % kernel in p.stdout and "initrd  %s" % initrd in p.stdout,
          "pxeforge import recognised the image and names its kernel and initrd")
    check(sha256_file(kernel) == sha256_file(installer.kernel)
          and sha256_file(initrd) == sha256_file(installer.initrd)
          and sha256_file(os.path.join(tree, PAYLOAD)) == payload_sha,
          "the imported tree holds the stand-in's kernel, initrd and the payload")
    d.source = sources[0]
    d.configure([(HOSTNAME, MAC)])
    d.start()
    d.start_ganesha()

    # Ganesha serves the nfs plugin's export of the imported tree
    exports = lab.path("ganesha", "pxeforge-exports.conf")
    with open(exports) as f:
        text = f.read()
    check('Path = "%s";' % tree in text and 'Pseudo = "/distros/%s";' % DISTRO in text
          and "Clients = 10.99.0.0/24;" in text,
          "the nfs plugin exports the imported tree read-only to br0's network")

    def nfs_ready():
        if not d.ganesha.alive():
            raise pxflab.LabError("ganesha.nfsd exited:\n" + d.ganesha.tail())
        p = lab.exec(["nfs-ls", "nfs://%s/distros/%s/BaseOS/Packages?version=4"
                      % (SERVER, DISTRO)], check=False)
        return p.returncode == 0 and "payload.bin" in p.stdout

    d.wait(nfs_ready, 60, "Ganesha serving /distros/%s" % DISTRO)
    d.say("NFS-Ganesha (pid %d) serves %s:/distros/%s" % (d.ganesha.pid, SERVER, DISTRO))

    # explain: the host boots the imported kernel and initrd
    p = d.cli("explain", "--mac", MAC)
    print(p.stdout)
    dashes = MAC.replace(":", "-")
    check(re.search(r"^\s*\| # installs %s \(profile lab" % DISTRO, p.stdout, re.M)
          and re.search(r"^\s*\|\s+KERNEL http://%s/boot/%s/vmlinuz$" % (SERVER, dashes),
                        p.stdout, re.M)
          and re.search(r"^\s*\|\s+APPEND initrd=http://%s/boot/%s/initrd\.img "
                        % (SERVER, dashes), p.stdout, re.M),
          "pxeforge explain --mac %s: pxelinux boots the host's %s kernel and initrd"
          % (MAC, DISTRO))
    # which files those are: explain must name them in the imported tree. A
    # failure here is kept for the end, so that the boots still run and say
    # what else works.
    for what, path in (("kernel", kernel), ("initrd", initrd)):
        soft(d, re.search(r"(^|\s)%s\b" % re.escape(path), p.stdout, re.M),
             "pxeforge explain --mac %s names the %s it serves, %s" % (MAC, what, path))

    d.rounds = []
    for i, source in enumerate(sources):
        if i > 0:
            switch_source(d, source)
        elapsed = run_round(d, source, kernel, initrd, payload_sha)
        d.rounds.append((SCHEME[source], elapsed))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"), help="meson build directory")
    ap.add_argument("--keep", action="store_true", help="keep the lab's work directory")
    ap.add_argument("--sources", default=",".join(SOURCES),
                    help="install sources in turn (url, ftp, nfs), comma-separated")
    args = ap.parse_args()
    sources = [s for s in args.sources.split(",") if s]
    if not sources or any(s not in SOURCES for s in sources):
        ap.error("--sources: a comma-separated list of url, ftp, nfs")
    start = time.monotonic()
    try:
        run(args.build, args.keep, sources)
    except pxflab.Skip as e:
        print("SKIP: %s" % e)
        return 77
    except (pxflab.LabError, AssertionError) as e:
        print("FAIL: %s" % e)
        return 1
    print("passed in %.1f s" % (time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
