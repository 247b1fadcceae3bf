#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The pxeforge demo: a real pxeforged and QEMU guests in a boot lab.

pxeforged (with the dhcp, tftp, http, pxelinux and kickstart plugins of a
build tree) serves br0 of a lab namespace (pxflab.py) with the configuration
data/demo/pxeforge.yaml.in. Each guest is a host of the inventory with a
small disk (mkdisk.py) and boots network first, then disk, and may reboot:

  SeaBIOS + iPXE ROM -> DHCP -> pxelinux.0 -> pxelinux.cfg/01-<mac> ->
  kernel + stand-in installer initrd (mkinitrd.py) -> DHCP -> kickstart ->
  POST done -> reboot -> pxelinux LOCALBOOT -> PXF-LOCALDISK-<name>

Every guest must reach its disk marker, after reporting done, within the
timeout. Nothing leaves the namespace; everything is removed at the end
(--keep keeps the work directory with every log).

usage: demo.py [--build DIR] [--guests N] [--transport tftp|http] [--keep]
               [--timeout SECONDS]
exit: 0 all guests installed and booted their disk, 1 failure, 77 unavailable
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import mkdisk  # noqa: E402
import mkinitrd  # noqa: E402
import pxflab  # noqa: E402

DEMO = os.path.join(TOP, "data", "demo")
KS_TEMPLATE = os.path.join(TOP, "plugins", "kickstart", "templates", "centos7-ks.cfg.mustache")
PXELINUX_TEMPLATES = os.path.join(TOP, "plugins", "pxelinux", "templates")
PLUGINS = ("dhcp", "tftp", "http", "pxelinux", "kickstart")


def log(msg, t0=None):
    stamp = "%6.1f s  " % (time.monotonic() - t0) if t0 is not None else ""
    print(stamp + msg, flush=True)


def write_config(lab, inst, guests, transport):
    etc = lab.path("etc")
    os.makedirs(os.path.join(etc, "conf.d"), exist_ok=True)
    for d in ("tftp", "http", "tree"):
        os.makedirs(lab.path(d), exist_ok=True)
    hosts = "".join("  - mac: %s\n    hostname: %s\n    profile: demo\n" % (g[1], g[0])
                    for g in guests)
    with open(os.path.join(DEMO, "pxeforge.yaml.in")) as f:
        text = f.read()
    for key, value in {"KERNEL": inst.kernel, "INITRD": inst.initrd, "TREE": lab.path("tree"),
                       "KS_TEMPLATE": KS_TEMPLATE, "HOSTS": hosts.rstrip("\n"),
                       "TFTP_ROOT": lab.path("tftp"), "HTTP_ROOT": lab.path("http"),
                       "KERNEL_TRANSPORT": transport,
                       "PXELINUX_TEMPLATES": PXELINUX_TEMPLATES}.items():
        text = text.replace("@%s@" % key, value)
    with open(os.path.join(etc, "pxeforge.yaml"), "w") as f:
        f.write(text)
    return etc


def plugin_dir(lab, build):
    """A private plugin directory with the build tree's plugins."""
    d = lab.path("plugins")
    os.makedirs(d, exist_ok=True)
    missing = []
    for name in PLUGINS:
        so = os.path.join(build, "plugins", name, name + ".so")
        if not os.path.exists(so):
            missing.append(so)
            continue
        shutil.copy(so, d)
        os.chmod(os.path.join(d, name + ".so"), 0o755)
    if missing:
        raise pxflab.Skip("plugins not built: " + " ".join(missing))
    return d


def cli(build, etc, sock, *args):
    return subprocess.run([os.path.join(build, "core", "pxeforge"), "--config", etc,
                           "--socket", sock] + list(args), capture_output=True, text=True,
                          timeout=30)


def demo(args):
    reason = pxflab.skip_reason()
    if reason:
        raise pxflab.Skip(reason)
    build = os.path.abspath(args.build)
    pxeforged = os.path.join(build, "core", "pxeforged")
    if not os.path.exists(pxeforged):
        raise pxflab.Skip("no %s: build first (ninja -C %s)" % (pxeforged, args.build))
    if not glob.glob("/usr/lib/PXELINUX/pxelinux.0"):
        raise pxflab.Skip("needs the pxelinux and syslinux-common packages")
    try:
        inst = mkinitrd.build()
    except mkinitrd.Unavailable as e:
        raise pxflab.Skip(str(e))

    t0 = time.monotonic()
    with pxflab.Lab(keep=args.keep or None) as lab:
        log("lab %s, work directory %s" % (lab.ns, lab.dir), t0)
        guests = [("node%d" % i, "52:54:00:99:00:%02x" % i) for i in range(1, args.guests + 1)]
        etc = write_config(lab, inst, guests, args.transport)
        plugins = plugin_dir(lab, build)
        state = lab.path("state")
        sock = lab.path("control.sock")
        p = cli(build, etc, sock, "check")
        if p.returncode != 0:
            raise pxflab.LabError("pxeforge check:\n" + p.stdout + p.stderr)
        env = dict(os.environ, PXEFORGE_TEST="1", PXEFORGE_PLUGIN_DIR=plugins)
        env.pop("NOTIFY_SOCKET", None)
        daemon = lab.run("pxeforged", [pxeforged, "--config", etc, "--state-dir", state,
                                       "--control-socket", sock, "--user", ""], env=env)
        deadline = time.monotonic() + 30
        while True:
            if not daemon.alive():
                raise pxflab.LabError("pxeforged exited %s:\n%s" % (daemon.returncode(),
                                                                   daemon.tail()))
            if os.path.exists(sock) and cli(build, etc, sock, "status").returncode == 0:
                break
            if time.monotonic() > deadline:
                raise pxflab.LabError("pxeforged not answering on %s:\n%s" % (sock,
                                                                           daemon.tail()))
            time.sleep(0.2)
        log("pxeforged running (pid %d), plugins: %s" % (daemon.pid, " ".join(PLUGINS)), t0)

        running = []
        for name, mac in guests:
            disk = mkdisk.write(lab.path(name + ".img"), name)
            g = lab.guest(name, mac=mac, disk=disk, boot="nc", no_reboot=False)
            running.append(g)
            log("%s (%s) powered on, serial log %s" % (name, mac, g.serial), t0)

        fail = (r"PXF-INSTALLER: failed|Kernel panic|No configuration methods succeeded|"
                r"Could not boot image|Boot failed")
        steps = [("pxelinux", r"PXELINUX \d"),
                 ("installer", r"PXF-INSTALLER: started"),
                 ("answer file", r"PXF-INSTALLER: got answer file"),
                 ("done", r"PXF-INSTALLER: done 200"),
                 ("local disk", None)]
        pos = {g.name: 0 for g in running}
        deadline = time.monotonic() + args.timeout
        for label, pattern in steps:
            for g in running:
                rx = pattern or mkdisk.marker(g.name)
                m = g.wait_for(rx, max(1, deadline - time.monotonic()), after=pos[g.name],
                               fail=fail)
                pos[g.name] = m.end()
                log("%s: %s" % (g.name, label), t0)
        if not daemon.alive():
            raise pxflab.LabError("pxeforged died:\n" + daemon.tail())
        p = cli(build, etc, sock, "status")
        print(p.stdout, end="")
        log("all %d guests installed and booted their disk" % len(running), t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"), help="meson build directory")
    ap.add_argument("--guests", type=int, default=2, choices=range(1, 9), metavar="1..8")
    ap.add_argument("--transport", default="tftp", choices=("tftp", "http"),
                    help="how pxelinux fetches kernel and initrd")
    ap.add_argument("--keep", action="store_true", help="keep the lab's work directory")
    ap.add_argument("--timeout", type=float, default=600, help="seconds for the whole boot")
    args = ap.parse_args()
    return pxflab.main(lambda: demo(args))


if __name__ == "__main__":
    sys.exit(main())
