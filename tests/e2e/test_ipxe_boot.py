#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A guest with iPXE in ROM boots through it, served by the real pxeforged
with the dhcp, tftp, http, pxelinux, ipxe and kickstart plugins of this build
(the ipxe plugin's boot.select runs before pxelinux's although pxelinux is
configured first). On the machinery of demo.py (Demo: the daemon in a lab,
its log followed, guest consoles followed).

  bios (default): two BIOS guests, QEMU's e1000 ROM being iPXE:
    node1 (in the inventory): iPXE -> DHCP: the URL of its script ->
      kernel + initrd over HTTP -> stand-in installer -> kickstart -> done ->
      reboot -> iPXE -> its script now says `exit` -> PXF-LOCALDISK-node1
    stranger (not in the inventory): iPXE -> the menu -> local boot after
      its timeout -> PXF-LOCALDISK-stranger
    Neither is ever given undionly.kpxe: iPXE in ROM is not chainloaded.
  uefi-chain: an UEFI guest whose firmware's own PXE client (OVMF, no iPXE
    ROM) gets ipxe.efi over TFTP, which asks DHCP again as iPXE and gets its
    script -> kernel (EFI stub, initrd=initrd.img) + initrd over HTTP ->
    installer -> done. ipxe.efi is served once: no chainload loop.
  mixed: two BIOS guests with iPXE in their ROM, in one daemon, each booted
    by the loader its profile names: node1 (`loader: ipxe`) through its iPXE
    script, legacy1 (`loader: pxelinux`) through pxelinux.0 that its iPXE
    ROM loads over TFTP and its pxelinux configuration; both install and
    boot their disks. Without the profiles' loader the ipxe plugin would
    give both iPXE scripts.
  uefi-http: the same guest through OVMF's own UEFI HTTP boot client, its
    profile naming `loader: ipxe`. OVMF tries PXEv4, PXEv6, then HTTPv4;
    its fw_cfg knobs opt/org.tianocore/IPv4PXESupport and IPv6PXESupport
    (Debian's OVMF 2022.11 has them) switch both PXE clients off, so the
    firmware's first network boot is HTTP boot. Its DISCOVER (option 93 =
    16, option 60 HTTPClient:Arch:00016) gets option 60 HTTPClient back and
    http://10.99.0.1/ipxe.efi as boot file; the firmware fetches it with
    HEAD and GET over the http plugin and starts it; iPXE asks DHCP again
    as iPXE and gets its script -> kernel + initrd over HTTP -> installer
    -> done -> installed. Nothing goes over TFTP.

Prints the time from power-on to each step. Exit 0 pass, 1 fail, 77 skip.
usage: test_ipxe_boot.py --build BUILD [--mode bios|mixed|uefi-chain|uefi-http] [--keep]
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
import mkinitrd  # noqa: E402
import pxflab  # noqa: E402

TIMEOUT = 420
IPXE_DIR = "/usr/lib/ipxe"
KNOWN = ("node1", "52:54:00:99:00:01")
STRANGER = ("stranger", "52:54:00:99:00:7e")
UEFI = ("uefi1", "52:54:00:99:00:02")
LEGACY = ("legacy1", "52:54:00:99:00:03")

# console milestones (the label is printed when it shows)
demo.STEP_TEXT.update({
    "ipxe": "console: iPXE started",
    "ipxe script": "console: iPXE runs its script (install)",
    "ipxe local": "console: iPXE script says boot the local disk",
    "ipxe menu": "console: iPXE menu timed out, booting the local disk",
    "http boot": "console: the firmware starts its UEFI HTTPv4 boot option",
})
KNOWN_STEPS = (("ipxe", r"iPXE initialising devices"),
               ("ipxe script", r"pxeforge: %s installs standin" % KNOWN[1]),
               ("installer", r"PXF-INSTALLER: started"),
               ("answer file", r"PXF-INSTALLER: got answer file"),
               ("done", r"PXF-INSTALLER: done 200"),
               ("ipxe local", r"pxeforge: %s boots from its local disk \(installed\)" % KNOWN[1]),
               ("local disk", None))
STRANGER_STEPS = (("ipxe", r"iPXE initialising devices"),
                  ("ipxe menu", r"pxeforge: booting from the local disk"),
                  ("local disk", None))
UEFI_HTTP_STEPS = (("http boot", r"UEFI HTTPv4"),
                   ("ipxe", r"iPXE initialising devices"),
                   ("ipxe script", r"pxeforge: %s installs standin" % UEFI[1]),
                   ("installer", r"PXF-INSTALLER: started"),
                   ("answer file", r"PXF-INSTALLER: got answer file"),
                   ("done", r"PXF-INSTALLER: done 200"))
UEFI_STEPS = (("ipxe", r"iPXE initialising devices"),
              ("ipxe script", r"pxeforge: %s installs standin" % UEFI[1]),
              ("installer", r"PXF-INSTALLER: started"),
              ("answer file", r"PXF-INSTALLER: got answer file"),
              ("done", r"PXF-INSTALLER: done 200"))

CONFIG = """\
# written by tests/e2e/test_ipxe_boot.py
daemon:
  debug: true
  interfaces: [br0]
variables:
  timezone: UTC
distros:
  standin:
    kernel: {kernel}
    initrd: {initrd}
    tree: {tree}
profiles:
  demo:
    distro: standin
    os: kickstart
    template: {ks_template}
{profile_extra}    variables:
      rootpw: demo
  legacy:
    distro: standin
    os: kickstart
    template: {ks_template}
    loader: pxelinux
    variables:
      rootpw: demo
hosts:
{hosts}
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
    root: {tftp_root}
  http:
    interfaces: [br0]
    root: {http_root}
  # configured before ipxe: its boot.select still runs after ipxe's
  pxelinux:
    host_template: {pxelinux_templates}/host.cfg.mustache
    menu_template: {pxelinux_templates}/menu.cfg.mustache
    kernel_args: console=ttyS0 panic=-1 pxf.after=reboot
  ipxe:
    host_template: {ipxe_templates}/host.ipxe.mustache
    menu_template: {ipxe_templates}/menu.ipxe.mustache
    unknown_hosts: menu
    menu_timeout: 3
    # the stand-in prints on the serial console, reboots after its done
    # report (pxf.after=reboot) and panic=-1 ends a failed boot at once
    kernel_args: console=ttyS0 panic=-1 pxf.after=reboot
  kickstart: {{}}
"""


class IpxeDemo(demo.Demo):
    """The demo's machinery with this test's configuration and plugins."""

    def __init__(self, lab, paths, installer, ipxe_so, ipxe_templates, t0, profile_extra=""):
        super().__init__(lab, paths._replace(plugins=dict(paths.plugins, ipxe=ipxe_so)),
                         installer, t0=t0)
        self.ipxe_templates = ipxe_templates
        self.profile_extra = profile_extra
        self.profiles = {}  # mac -> profile, when not "demo"

    def config_text(self, transport="http", variables=None):
        hosts = "".join("  - mac: %s\n    hostname: %s\n    profile: %s\n"
                        % (mac, name, self.profiles.get(mac, "demo"))
                        for mac, name in self.hosts.items())
        return CONFIG.format(kernel=self.installer.kernel, initrd=self.installer.initrd,
                             tree=self.lab.path("tree"), ks_template=self.paths.ks_template,
                             hosts=hosts.rstrip("\n") or "  []",
                             tftp_root=self.lab.path("tftp"), http_root=self.lab.path("http"),
                             pxelinux_templates=self.paths.pxelinux_templates,
                             ipxe_templates=self.ipxe_templates,
                             profile_extra=self.profile_extra)


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok - " + what)


def served(d, mac, path):
    """How often the daemon's log says it served path to mac."""
    return len(d.find("served", mac=mac, match=r"^%s$" % re.escape(path)))


def report_times(d, g):
    for label, (t, _) in sorted(g.seen.items(), key=lambda kv: kv[1][0]):
        print("# %s: %s at %.1f s" % (g.name, label, t - g.t_on))


def uefi_guest(lab, name, mac, http_boot=False):
    """OVMF with its own PXE client: virtio-net without an option ROM. With
    http_boot, OVMF's PXE clients are switched off (fw_cfg): its network
    boot is UEFI HTTP boot over IPv4."""
    tap = lab.add_tap()
    knobs = ()
    if http_boot:
        knobs = ("-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n",
                 "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n")
    return lab.guest(name, mac=mac, firmware="uefi", nic=False, no_reboot=True, extra=(
        "-netdev", "tap,id=net0,ifname=%s,script=no,downscript=no" % tap,
        "-device", "virtio-net-pci,netdev=net0,romfile=,mac=" + mac) + knobs)


def run(args):
    paths = demo.paths_from_build(args.build, TOP, os.environ.get("PXF_E2E_CACHE"))
    ipxe_so = os.path.join(os.path.abspath(args.build), "plugins", "ipxe", "ipxe.so")
    ipxe_templates = os.path.join(TOP, "plugins", "ipxe", "templates")
    if not os.path.exists(ipxe_so):
        raise pxflab.Skip("the ipxe plugin is not built: " + ipxe_so)
    uefi = args.mode in ("uefi-chain", "uefi-http")
    if uefi and not os.path.exists(os.path.join(IPXE_DIR, "ipxe.efi")):
        raise pxflab.Skip("needs the ipxe package (%s/ipxe.efi)" % IPXE_DIR)
    installer = demo.check_available(paths)
    if uefi:
        # OVMF drives virtio-net, not the e1000: the stand-in needs its driver
        try:
            installer = mkinitrd.build(paths.cache, drivers=("virtio_pci", "virtio_net"))
        except mkinitrd.Unavailable as e:
            raise pxflab.Skip(str(e))
    t0 = time.monotonic()
    with pxflab.Lab(keep=args.keep or None) as lab:
        http_boot = args.mode == "uefi-http"
        d = IpxeDemo(lab, paths, installer, ipxe_so, ipxe_templates, t0,
                     profile_extra="    loader: ipxe\n" if args.mode != "bios" else "")
        if args.mode == "mixed":
            d.profiles[LEGACY[1]] = "legacy"
            d.configure([KNOWN, LEGACY])
            d.start()
            known = d.power_on(*KNOWN)
            known.steps, known.t_on = KNOWN_STEPS, time.monotonic() - t0
            legacy = d.power_on(*LEGACY)
            legacy.steps, legacy.t_on = demo.KNOWN_STEPS, time.monotonic() - t0
            d.wait_all(TIMEOUT)
            for g in (known, legacy):
                report_times(d, g)
            for name, mac in (KNOWN, LEGACY):
                check(d.host_state(mac) == "installed", "%s installed" % name)
            mac = LEGACY[1]
            check(d.find("served", mac=mac, match=r"^l?pxelinux\.0$")
                  and served(d, mac, "pxelinux.cfg/01-%s" % mac.replace(":", "-")) == 2,
                  "legacy1 (loader pxelinux): pxelinux from its iPXE ROM, its configuration "
                  "for the install and the local boot")
            check(not d.find("served", mac=mac, match=r"^ipxe/"),
                  "legacy1 never got an iPXE script")
            mac = KNOWN[1]
            check(served(d, mac, "ipxe/%s/boot.ipxe" % mac.replace(":", "-")) == 2,
                  "node1 (loader ipxe): its iPXE script, install then local boot")
            check(not d.find("served", mac=mac, match=r"^(l?pxelinux\.0|pxelinux\.cfg/)"),
                  "node1 never got pxelinux")
            out = d.cli("explain", "--mac", LEGACY[1], "--arch", "ipxe").stdout
            check("loader pxelinux (" in out
                  and re.search(r"\[pxelinux\] boot file l?pxelinux\.0", out),
                  "explain shows legacy1's loader and pxelinux's answer to its iPXE")
        elif args.mode == "bios":
            d.configure([KNOWN])
            d.start()
            known = d.power_on(*KNOWN)
            known.steps, known.t_on = KNOWN_STEPS, time.monotonic() - t0
            stranger = d.power_on(*STRANGER)
            stranger.steps, stranger.t_on = STRANGER_STEPS, time.monotonic() - t0
            d.wait_all(TIMEOUT)
            for g in (known, stranger):
                report_times(d, g)
            mac = KNOWN[1]
            script = "ipxe/%s/boot.ipxe" % mac.replace(":", "-")
            check(d.host_state(mac) == "installed", "node1 installed")
            check(served(d, mac, script) == 2, "node1's script served twice: install, "
                  "then local boot")
            check(served(d, mac, "ipxe/%s/vmlinuz" % mac.replace(":", "-")) == 1
                  and served(d, mac, "ipxe/%s/initrd.img" % mac.replace(":", "-")) == 1,
                  "kernel and initrd over HTTP from the script's URLs")
            check(served(d, STRANGER[1], "ipxe/%s/boot.ipxe"
                         % STRANGER[1].replace(":", "-")) >= 1, "the stranger got the menu")
            check(not d.find("served", match=r"^(undionly\.kpxe|l?pxelinux\.0)$"),
                  "iPXE in ROM was never given undionly.kpxe or pxelinux")
        else:
            d.configure([UEFI])
            d.start()
            g = uefi_guest(lab, *UEFI, http_boot=http_boot)
            d.names[UEFI[1]] = UEFI[0]
            g.known, g.step, g.pos, g.seen = True, 0, 0, {}
            g.steps = UEFI_HTTP_STEPS if http_boot else UEFI_STEPS
            g.t_on = time.monotonic() - t0
            d.guests.append(g)
            d.say("%s %s powered on (OVMF's own %s client), console %s"
                  % (UEFI[0], UEFI[1], "UEFI HTTP boot" if http_boot else "PXE", g.serial))
            d.wait_all(TIMEOUT)
            report_times(d, g)
            mac = UEFI[1]
            check(served(d, mac, "ipxe.efi") == 1, "ipxe.efi served once: no chainload loop")
            check(served(d, mac, "ipxe/%s/boot.ipxe" % mac.replace(":", "-")) == 1,
                  "then the script, over HTTP")
            check(d.host_state(mac) == "installed", "uefi1 installed")
            if http_boot:
                log = d.daemon.text()
                url = "http://%s/ipxe.efi" % lab.server_ip
                check(re.search(r"%s \(uefi-x64 HTTP boot, rom\) boots %s"
                                % (re.escape(mac), re.escape(url)), log),
                      "the firmware's HTTP boot DISCOVER was answered with " + url)
                check(re.search(r"pxf-http: HEAD /ipxe\.efi from ", log)
                      and re.search(r"pxf-http: GET /ipxe\.efi from .*: 200", log),
                      "the firmware fetched ipxe.efi with HEAD, then GET")
                check(not re.search(r"pxf-tftp: client .*: RRQ", log), "nothing over TFTP")
        log = d.daemon.text()
        check("pxf-ipxe: " in log and "critical" not in log, "no criticals in the daemon log")
    print("# whole test: %.1f s" % (time.monotonic() - t0))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True, help="meson build directory")
    ap.add_argument("--mode", default="bios",
                    choices=("bios", "mixed", "uefi-chain", "uefi-http"))
    ap.add_argument("--keep", action="store_true", help="keep the lab's work directory")
    args = ap.parse_args()
    try:
        run(args)
    except pxflab.Skip as e:
        print("SKIP: %s" % e)
        return 77
    except (pxflab.LabError, AssertionError) as e:
        print("FAIL: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
