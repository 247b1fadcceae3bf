#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Debian's real installer through pxeforged: the preseed plugin end to end.

A QEMU guest (TCG, 1 GiB) in the boot lab (pxflab.py) PXE-boots from a real
pxeforged with the dhcp, tftp, http, pxelinux and preseed plugins of this
build (demo.py's machinery):

  SeaBIOS + iPXE ROM -> DHCP -> lpxelinux.0 -> pxelinux.cfg/01-<mac> with
  the preseed plugin's install.kernel_args (auto=true priority=critical
  url=http://10.99.0.1/ks/<mac> netcfg/get_hostname=... netcfg/get_nameservers=)
  -> Debian 12's netboot installer (package debian-installer-12-netboot-amd64:
  its linux and 40 MB initrd.gz, over HTTP) -> d-i configures the network
  by DHCP (no DNS server offered: the kernel line answers that question) ->
  fetches the host's rendered preseed from /ks/<mac> -> runs the
  preseed's preseed/early_command.

The lab has no Debian mirror, so d-i cannot install anything: it would stop
at "Bad archive mirror" right after. The profile's early_command therefore
reports the one thing that can be known at that point, with the host's
install token, through the $PXF_FAILED_URL the shipped template gives it:

  wget -q -O /dev/null --post-data='reason=preseed+early_command...' "$PXF_FAILED_URL"

Why failed and not done: done would mark a machine `installed` (and make
pxelinux boot its empty disk) that has installed nothing; failed with a
reason is true here and is what a site's early_command uses for real (a
hardware check that stops an install). The test sees the report arrive:
pxeforge accepts it only with the host's token (the core compares it and
consumes it), and the host ends `failed` with the early_command's reason
in its history. Run time ~2 min; printed with each step's time.

usage: test_debian_installer.py [--build BUILD] [--keep] [--timeout SECONDS]
exit: 0 passed, 1 failed, 77 cannot run here
"""
import argparse
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import demo  # noqa: E402
import pxflab  # noqa: E402

DI_DIR = "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64"
DI_KERNEL = os.path.join(DI_DIR, "linux")
DI_INITRD = os.path.join(DI_DIR, "initrd.gz")
LPXELINUX = "/usr/lib/PXELINUX/lpxelinux.0"
PLUGINS = ("dhcp", "tftp", "http", "pxelinux", "preseed")
MAC = "52:54:00:99:00:d1"
HOSTNAME = "deb01.lab.example"
REASON = "preseed early_command: debian-installer read the preseed"

CONFIG = """\
# written by tests/e2e/test_debian_installer.py
daemon:
  debug: true
  interfaces: [br0]
distros:
  bookworm:
    kernel: %(kernel)s
    initrd: %(initrd)s
    # an empty local "mirror": d-i gets http://10.99.0.1/distros/bookworm
    tree: %(mirror)s
profiles:
  debian:
    distro: bookworm
    os: preseed
    template: %(template)s
    variables:
      rootpw: lab
      early_command: >-
        wget -q -O /dev/null
        --post-data='reason=%(reason)s'
        "$PXF_FAILED_URL"
hosts:
  - mac: %(mac)s
    hostname: %(hostname)s
    profile: debian
plugins:
  dhcp:
    interfaces: [br0]
    offer_hold: 30
    subnets:
      # no dns_servers: the kernel line's netcfg/get_nameservers= must
      # keep d-i from asking for one
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
  pxelinux:
    host_template: %(pxelinux)s/host.cfg.mustache
    menu_template: %(pxelinux)s/menu.cfg.mustache
    unknown_hosts: local
    # the 40 MB initrd over HTTP (lpxelinux.0), not lock-step TFTP
    kernel_transport: http
    kernel_args: console=ttyS0,115200
  preseed: {}
"""


class DebianInstallerLab(demo.Demo):
    """demo.Demo (pxeforged in the lab, its log followed as host events)
    with a configuration of this test's own."""

    def config_text(self, transport="http", variables=None):
        return CONFIG % dict(
            kernel=DI_KERNEL, initrd=DI_INITRD, mirror=self.lab.path("mirror"),
            template=os.path.join(TOP, "plugins", "preseed", "templates",
                                  "debian12-preseed.cfg.mustache"),
            reason=REASON.replace(" ", "+"), mac=MAC, hostname=HOSTNAME,
            tftp=self.lab.path("tftp"), www=self.lab.path("http"),
            pxelinux=os.path.join(TOP, "plugins", "pxelinux", "templates"))

    def configure(self, hosts, transport="http", variables=None):
        os.makedirs(self.lab.path("mirror"), exist_ok=True)
        return super().configure(hosts, transport, variables)


def paths_for(build):
    """demo.py's paths of a build tree, with the preseed plugin's module."""
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
    for path, package in ((DI_KERNEL, "debian-installer-12-netboot-amd64"),
                          (DI_INITRD, "debian-installer-12-netboot-amd64"),
                          (LPXELINUX, "pxelinux"),
                          ("/usr/lib/syslinux/modules/bios/ldlinux.c32", "syslinux-common")):
        if not os.path.exists(path):
            raise pxflab.Skip("needs %s (package %s)" % (path, package))


def run(build, keep, timeout):
    paths = paths_for(build)
    check_available(paths)
    t0 = time.monotonic()
    with pxflab.Lab(keep=keep or None) as lab:
        d = DebianInstallerLab(lab, paths, None, t0=t0)
        d.say("network namespace %s, work directory %s" % (lab.ns, lab.dir))
        d.configure([("deb01", MAC)])
        d.start()
        t_on = time.monotonic()
        g = lab.guest("deb01", mac=MAC, boot="n", memory=1024)
        d.say("deb01 %s powered on (1 GiB, TCG), console %s" % (MAC, g.serial))

        def guest_alive():
            if not g.alive():
                raise pxflab.LabError("QEMU exited:\n" + g.tail())

        # the installer's kernel line, as pxelinux handed it over
        d.wait(lambda: re.search(r"Command line: .*", g.text()) is not None, timeout,
               "the installer's kernel", guest_alive)
        t_kernel = time.monotonic()
        line = re.search(r"Command line: (.*)", g.text()).group(1).strip()
        d.say("console: d-i kernel started: %s" % line)
        expected = ("auto=true priority=critical url=http://10.99.0.1/ks/%s interface=auto "
                    "netcfg/get_hostname=deb01 netcfg/get_domain=lab.example "
                    "netcfg/get_nameservers= ip=dhcp console=ttyS0,115200" % MAC)
        if expected not in line or " ks=" in line:
            raise pxflab.LabError("unexpected kernel line:\n%s\nexpected it to hold:\n%s"
                                  % (line, expected))

        # the preseed fetched by d-i, from the host's own lease
        d.wait(lambda: bool(d.find("kickstart", MAC)), timeout - (t_kernel - t_on),
               "preseed fetch by debian-installer", guest_alive)
        t_ks = time.monotonic()
        d.say("preseed served to d-i, %.0f s after power-on" % (t_ks - t_on))
        # its early_command's report, accepted only with the host's token
        d.wait(lambda: any(e.args[1] == "failed" for e in d.find("state", MAC)), 180,
               "report from the preseed's early_command", guest_alive)
        t_report = time.monotonic()
        d.say("early_command's report accepted, %.0f s after the preseed" % (t_report - t_ks))

        state = d.cli("state", MAC).stdout
        if not state.startswith("%s: failed" % MAC) or REASON not in state:
            raise pxflab.LabError("host state after the report:\n" + state)
        log = d.daemon.text()
        if re.search(r"install report for %s refused" % MAC, log):
            raise pxflab.LabError("a report was refused:\n" + d.daemon.tail())
        # the token itself never reached the log
        tokens = re.findall(r"token=([0-9a-f]{32})", g.text())
        if any(t in log for t in tokens):
            raise pxflab.LabError("an install token in pxeforged's log")
        kernels = d.find("served", MAC, match=r"^boot/")
        d.say("times: power-on -> d-i kernel %.0f s, -> preseed %.0f s, -> report %.0f s; "
              "files served: %s" % (t_kernel - t_on, t_ks - t_on, t_report - t_on,
                                    ", ".join("%s (%s bytes)" % e.args[:2] for e in kernels)))
        print(state)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"), help="meson build directory")
    ap.add_argument("--keep", action="store_true", help="keep the lab's work directory")
    ap.add_argument("--timeout", type=float, default=420,
                    help="seconds from power-on to the preseed fetch")
    args = ap.parse_args()
    start = time.monotonic()
    try:
        run(args.build, args.keep, args.timeout)
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
