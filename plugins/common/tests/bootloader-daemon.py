#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The three bootloader plugins (pxelinux, grub-efi, ipxe) in one real
pxeforged, each host booted by the loader its profile or its own entry
names (`loader:`, `secure_boot:`), on 127.0.0.1 only.

  choice      DHCP DISCOVERs as the boot lab captured them, relayed to the
              real dhcp plugin: a host whose profile names pxelinux gets
              pxelinux from an iPXE ROM (not an iPXE script), a host whose
              profile names ipxe gets undionly.kpxe and then its script, a
              host that overrides its profile with grub-efi and secure_boot
              false gets the unsigned GRUB on UEFI, a profile with
              secure_boot true gets shim although the plugin says false;
              `pxeforge explain` shows each choice and where it is made
  http-boot   UEFI HTTP boot (option 93 = 16, option 60 HTTPClient, as OVMF
              sends it): the OFFER echoes HTTPClient and names an absolute
              http:// URL of ipxe.efi for a host whose loader is ipxe (or
              none), which the http plugin serves (HEAD and GET); a host whose
              loader is grub-efi or pxelinux gets no boot file rather than a
              TFTP name; `explain --arch efi64-http` walks HTTP boot -> ipxe.efi
              -> iPXE's own DHCP -> its script
  check       `pxeforge check` refuses an unknown loader and a loader whose
              plugin is not enabled, naming file:line:column, the key and the
              profile or host; the daemon refuses to start on it

usage: bootloader-daemon.py BUILDDIR SRCDIR CASE
"""
import os
import re
import socket
import sys
import urllib.request

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
import pxftest  # noqa: E402
from pxfdhcp import http_boot_options, ipxe_options, offer, relay_socket, rom_options  # noqa: E402,E501
from pxftest import Skip, check, free_port  # noqa: E402

KS_TEMPLATE = os.path.join(SRC, "plugins", "kickstart", "templates", "centos7-ks.cfg.mustache")
LEGACY = "52:54:00:00:07:01"   # profile legacy: loader pxelinux
MODERN = "52:54:00:00:07:02"   # profile modern: loader ipxe
OVERRIDE = "52:54:00:00:07:03"  # profile modern, its own loader grub-efi, secure_boot false
SIGNED = "52:54:00:00:07:04"   # profile signed: grub-efi, secure_boot true
PLAIN = "52:54:00:00:07:05"    # profile without a loader: the plugins' own order
PLUGINS = ("dhcp", "http", "pxelinux", "grub-efi", "ipxe", "kickstart")


class Env(pxftest.Env):
    def __init__(self):
        super().__init__(BUILD, "pxf-bootloader-",
                         [pxftest.plugin_so(BUILD, n) for n in PLUGINS], dirs=["files"])
        for name in PLUGINS:
            if not self.has_plugin(name):
                raise Skip("the %s plugin is not built" % name)
        self.files = self.path("files")
        self.dhcp_port = free_port(socket.SOCK_DGRAM)
        self.http_port = free_port()
        self.kernel = self.write(os.path.join(self.files, "vmlinuz"), b"KERNEL" * 100)
        self.initrd = self.write(os.path.join(self.files, "initrd.img"), b"INITRD" * 100)
        for name in ("undionly.kpxe", "ipxe.efi"):
            self.write(os.path.join(self.files, "ipxe", name), b"MZ " + name.encode() * 50)
        for name in ("shimx64.efi.signed", "grubnetx64.efi.signed", "grubnetx64.efi"):
            self.write(os.path.join(self.files, "efi", name), b"MZ " + name.encode() * 50)
        for name in ("pxelinux.0", "lpxelinux.0", "ldlinux.c32"):
            self.write(os.path.join(self.files, "syslinux", name), name.encode() * 50)

    def configure(self, profiles_extra="", hosts_extra="", plugins=PLUGINS):
        sections = {
            "dhcp": """\
  dhcp:
    addresses: [127.0.0.1]
    port: %d
    subnets:
      - subnet: 127.0.0.0/24
        range: [127.0.0.100, 127.0.0.150]
""" % self.dhcp_port,
            "http": "  http:\n    addresses: [127.0.0.1]\n    port: %d\n    root: %s\n"
                    % (self.http_port, self.files),
            "pxelinux": "  pxelinux:\n    syslinux_dirs: [%s/syslinux]\n%s"
                        % (self.files, templates("pxelinux", "cfg")),
            "grub-efi": """\
  grub-efi:
    secure_boot: false
    shim: %(f)s/efi/shimx64.efi.signed
    grub_signed: %(f)s/efi/grubnetx64.efi.signed
    grub: %(f)s/efi/grubnetx64.efi
""" % dict(f=self.files) + templates("grub-efi", "cfg"),
            "ipxe": "  ipxe:\n    ipxe_dirs: [%s/ipxe]\n%s" % (self.files, templates("ipxe", "ipxe")),
            "kickstart": "  kickstart: {}\n",
        }
        self.write("pxeforge.yaml", """\
daemon:
  debug: true
distros:
  centos7:
    kernel: %(kernel)s
    initrd: %(initrd)s
    tree: http://192.0.2.1/centos7/
profiles:
  legacy:
    distro: centos7
    os: kickstart
    template: %(ks)s
    loader: pxelinux
  modern:
    distro: centos7
    os: kickstart
    template: %(ks)s
    loader: ipxe
  signed:
    distro: centos7
    os: kickstart
    template: %(ks)s
    loader: grub-efi
    secure_boot: true
  plain:
    distro: centos7
    os: kickstart
    template: %(ks)s
%(profiles_extra)shosts:
  - mac: %(legacy)s
    profile: legacy
  - mac: %(modern)s
    profile: modern
  - mac: %(override)s
    profile: modern
    loader: grub-efi
    secure_boot: false
  - mac: %(signed)s
    profile: signed
  - mac: %(plain)s
    profile: plain
%(hosts_extra)splugins:
%(plugins)s""" % dict(kernel=self.kernel, initrd=self.initrd, ks=KS_TEMPLATE, legacy=LEGACY,
                      modern=MODERN, override=OVERRIDE, signed=SIGNED, plain=PLAIN,
                      profiles_extra=profiles_extra, hosts_extra=hosts_extra,
                      plugins="".join(sections[n] for n in plugins)))


def templates(plugin, ext):
    """The plugin's host_template and menu_template keys: the source tree's."""
    d = os.path.join(SRC, "plugins", plugin, "templates")
    return "    host_template: %s/host.%s.mustache\n    menu_template: %s/menu.%s.mustache\n" % (
        d, ext, d, ext)


def boot_file(e, sock, mac, options, xid):
    opts = offer(e, sock, mac, options, xid)
    return opts.get(67, b"").rstrip(b"\x00").decode()


def yaml_line(e, needle, after=None):
    """The 1-based line of pxeforge.yaml that has needle (after the line
    that has after)."""
    with open(os.path.join(e.config, "pxeforge.yaml")) as f:
        lines = f.read().split("\n")
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def case_choice(e):
    e.configure()
    e.start()
    script = "http://127.0.0.1:%d/ipxe/%s/boot.ipxe" % (e.http_port, MODERN.replace(":", "-"))
    sock = relay_socket(e)
    try:
        # iPXE in a BIOS ROM: the ipxe plugin would hand every iPXE its script
        got = boot_file(e, sock, LEGACY, ipxe_options(LEGACY, False), 0x7001)
        check(got in ("pxelinux.0", "lpxelinux.0"),
              "a host whose profile names pxelinux got %r from iPXE" % got)
        got = boot_file(e, sock, LEGACY, rom_options(False), 0x7002)
        check(got in ("pxelinux.0", "lpxelinux.0"), "pxelinux host, BIOS ROM: %r" % got)
        # the same daemon chainloads iPXE for the host whose profile names it
        got = boot_file(e, sock, MODERN, rom_options(False), 0x7003)
        check(got == "undionly.kpxe", "ipxe host, BIOS ROM: %r" % got)
        got = boot_file(e, sock, MODERN, ipxe_options(MODERN, False), 0x7004)
        check(got == script, "ipxe host, its iPXE: %r, not %s" % (got, script))
        got = boot_file(e, sock, MODERN, rom_options(True), 0x7005)
        check(got == "ipxe.efi", "ipxe host, OVMF: %r" % got)
        # a host's own loader and secure_boot win over its profile's
        got = boot_file(e, sock, OVERRIDE, rom_options(True), 0x7006)
        check(got == "grubnetx64.efi", "host-level grub-efi without Secure Boot: %r" % got)
        # Secure Boot per profile, though the plugin's own secure_boot is false
        got = boot_file(e, sock, SIGNED, rom_options(True), 0x7007)
        check(got == "shimx64.efi", "profile with secure_boot true: %r" % got)
        # no loader named: as before, iPXE is the ipxe plugin's, UEFI grub-efi's
        got = boot_file(e, sock, PLAIN, ipxe_options(PLAIN, False), 0x7008)
        check(got.startswith("http://") and got.endswith("/boot.ipxe"),
              "a host without a loader, iPXE: %r" % got)
        got = boot_file(e, sock, PLAIN, rom_options(True), 0x7009)
        check(got == "ipxe.efi", "a host without a loader, OVMF: %r" % got)
    finally:
        sock.close()

    yaml = os.path.join(e.config, "pxeforge.yaml")
    out = e.cli("explain", "--mac", LEGACY, "--arch", "ipxe").stdout
    where = "%s:%d" % (yaml, yaml_line(e, "loader: pxelinux"))
    check("loader pxelinux (%s)" % where in out, "explain does not show the choice:\n" + out)
    check(re.search(r"boot\.select.*\[pxelinux\] boot file l?pxelinux\.0", out),
          "explain: pxelinux did not answer iPXE:\n" + out)
    out = e.cli("explain", "--mac", OVERRIDE, "--arch", "efi64").stdout
    host_line = yaml_line(e, "loader: grub-efi", after=OVERRIDE)
    check("loader grub-efi (%s:%d), secure boot off (%s:%d)"
          % (yaml, host_line, yaml, host_line + 1) in out,
          "explain does not show the host's own choice:\n" + out)
    check("[grub-efi] boot file grubnetx64.efi" in out, "explain: not grub-efi:\n" + out)


def case_check(e):
    e.configure(profiles_extra="""\
  typo:
    distro: centos7
    os: kickstart
    template: %s
    loader: syslinux
""" % KS_TEMPLATE, hosts_extra="""\
  - mac: 52:54:00:00:07:09
    profile: plain
    loader: ipxe
""", plugins=("dhcp", "http", "pxelinux", "grub-efi", "kickstart"))
    yaml = os.path.join(e.config, "pxeforge.yaml")
    p = e.cli("check", expect=None)
    out = p.stdout + p.stderr
    check(p.returncode != 0, "check accepted loaders that do not exist")
    typo = yaml_line(e, "loader: syslinux")
    check("%s:%d:13: error: profiles.typo.loader: profile typo names boot loader 'syslinux', which is "
          "not an enabled boot loader plugin (enabled: pxelinux, grub-efi)" % (yaml, typo) in out,
          "unknown loader not reported with its place:\n" + out)
    host = yaml_line(e, "loader: ipxe", after="52:54:00:00:07:09")
    check("%s:%d:13: error: hosts[5].loader: host 52:54:00:00:07:09 names boot loader 'ipxe'"
          % (yaml, host) in out, "loader of a plugin not enabled not reported:\n" + out)
    # the profiles that name ipxe are refused as well: that plugin is not enabled
    check("profiles.modern.loader: profile modern names boot loader 'ipxe'" in out,
          "profile modern naming the disabled ipxe not reported:\n" + out)
    check("profiles.legacy.loader" not in out, "a loaded loader refused:\n" + out)
    check(re.search(r"profiles\.plain\.loader|hosts\[4\]\.loader", out) is None,
          "a host with its profile's loader reported twice:\n" + out)
    e.start(wait_ready=False)
    try:
        e.daemon.wait(pxftest.TIMEOUT)
    except Exception:
        pass
    check(e.daemon.returncode not in (None, 0), "pxeforged started with a bad loader")
    check("syslinux" in e.daemon_log(), "the daemon does not say why:\n" + e.daemon_log())
    e.daemon = None


def fetch(url, method="GET"):
    """(status, body) of an HTTP request on loopback, without a proxy."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(urllib.request.Request(url, method=method), timeout=pxftest.TIMEOUT) as r:
        return r.status, r.read()


def case_http_boot(e):
    e.configure()
    e.start()
    image = "http://127.0.0.1:%d/ipxe.efi" % e.http_port
    with open(os.path.join(e.files, "ipxe", "ipxe.efi"), "rb") as f:
        ipxe_efi = f.read()
    sock = relay_socket(e)
    try:
        for mac, xid in ((MODERN, 0x7101), (PLAIN, 0x7102)):
            opts = offer(e, sock, mac, http_boot_options(16), xid)
            got = opts.get(67, b"").rstrip(b"\x00").decode()
            check(got == image, "%s, UEFI HTTP boot: boot file %r, not %s" % (mac, got, image))
            check(opts.get(60) == b"HTTPClient", "%s: option 60 %r" % (mac, opts.get(60)))
            check(43 not in opts, "%s: PXE option 43 for an HTTP boot client" % mac)
        # not a TFTP name the firmware would ignore: nothing
        for mac, arch, xid in ((OVERRIDE, 16, 0x7103), (SIGNED, 16, 0x7104),
                               (LEGACY, 20, 0x7105)):
            opts = offer(e, sock, mac, http_boot_options(arch), xid)
            check(67 not in opts and opts.get(60) == b"HTTPClient",
                  "%s (arch %d): boot file %r" % (mac, arch, opts.get(67)))
        # the PXE client of the same machine still gets ipxe.efi over TFTP
        got = boot_file(e, sock, MODERN, rom_options(True), 0x7106)
        check(got == "ipxe.efi", "ipxe host, OVMF's PXE: %r" % got)
    finally:
        sock.close()
    # what the firmware does with the URL: HEAD for the size, then GET
    status, body = fetch(image, "HEAD")
    check(status == 200 and body == b"", "HEAD %s: %d" % (image, status))
    status, body = fetch(image)
    check(status == 200 and body == ipxe_efi, "GET %s: %d, %d bytes" % (image, status, len(body)))
    log = e.wait_log("the grub-efi plugin does not serve it")
    check("%s: UEFI HTTP boot: the grub-efi plugin does not serve it" % OVERRIDE in log,
          "grub-efi does not say why it left the HTTP boot client:\n" + log)
    out = e.cli("explain", "--mac", MODERN, "--arch", "efi64-http").stdout
    script = "http://127.0.0.1:%d/ipxe/%s/boot.ipxe" % (e.http_port, MODERN.replace(":", "-"))
    check("HTTPClient:Arch:00016" in out and "[ipxe] boot file %s" % image in out,
          "explain --arch efi64-http: no HTTP boot stage:\n" + out)
    check("[ipxe] boot file %s" % script in out, "explain: no iPXE stage after it:\n" + out)


CASES = {"choice": case_choice, "check": case_check, "http-boot": case_http_boot}

if __name__ == "__main__":
    sys.exit(pxftest.main(Env, CASES[sys.argv[3]]))
