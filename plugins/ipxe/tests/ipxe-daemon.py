#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The ipxe plugin inside a real pxeforged, on 127.0.0.1 only.

  explain     `pxeforge explain`: a BIOS and a UEFI PXE ROM chainload iPXE
              (undionly.kpxe, ipxe.efi from the image directories), ahead of
              pxelinux even though pxelinux is configured first
  explain-chain  explain walks both stages: the ROM's image, then iPXE's
              own DHCP answer (the script URL over HTTP), the script and the
              kernel and initrd it loads; iPXE in a ROM starts at the script
  http        what iPXE fetches, with curl over HTTP: the per-MAC script (its
              MAC percent-encoded the way iPXE writes ${net0/mac} into an URL),
              then the kernel and initrd URLs the script names, byte for byte,
              and the kickstart; booting/installing states; installed,
              netboot-off and unknown machines; the generic chain script
  dhcp        DHCP requests as the boot lab captured them (a BIOS PXE ROM,
              then the iPXE it chainloads, iPXE in a UEFI ROM), relayed to the
              real dhcp plugin: undionly.kpxe first, then the script URL;
              PXE option 43 (the dhcp plugin's) for the ROMs, none for iPXE
  unknown     unknown_hosts local and ignore, chainload off
  tftp        script_transport tftp: the script and the files it names over
              TFTP, and undionly.kpxe as a PXE ROM fetches it
  bad-config  a bad value refuses the plugin, naming where it is

The inventory refuses loopback fixed addresses, so the http plugin's test
plugin (httptest) records 127.0.0.x as leased to the test hosts, as the dhcp
plugin does on an ACK.

usage: ipxe-daemon.py BUILDDIR SRCDIR CASE
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.parse

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
import pxftest  # noqa: E402
from pxfdhcp import RELAY, ipxe_options, offer, rom_options  # noqa: E402
from pxftest import TIMEOUT, Fail, Skip, check, free_port  # noqa: E402

TEMPLATES = os.path.join(SRC, "plugins", "ipxe", "templates")
PXELINUX_TEMPLATES = os.path.join(SRC, "plugins", "pxelinux", "templates")
KS_TEMPLATE = os.path.join(SRC, "plugins", "kickstart", "templates",
                           "centos7-ks.cfg.mustache")
MAC = "52:54:00:12:34:56"       # installs; 127.0.0.1
DASHES = "52-54-00-12-34-56"
OFF = "52:54:00:00:00:02"       # netboot off; 127.0.0.2
DONE = "52:54:00:00:00:03"      # installed; 127.0.0.3
STRANGER = "52:54:00:99:99:99"  # not in the inventory; 127.0.0.4


class Env(pxftest.Env):
    """A configuration directory, the built plugins, state, fake iPXE
    images, kernel and initrd, and one pxeforged."""

    def __init__(self):
        super().__init__(BUILD, "pxf-ipxe-", pxftest.built_plugins(BUILD, tests=True),
                         dirs=["files"])
        self.files = self.path("files")
        self.http_port = free_port()
        self.tftp_port = free_port(socket.SOCK_DGRAM)
        self.dhcp_port = free_port(socket.SOCK_DGRAM)
        self.images = os.path.join(self.files, "ipxe")
        self.kernel = self.put("vmlinuz", b"KERNEL" * 7000)
        self.initrd = self.put("initrd.img", os.urandom(300000))
        self.undionly = self.put("ipxe/undionly.kpxe", b"\x00undionly-test\xff" * 300)
        self.ipxe_efi = self.put("ipxe/ipxe.efi", b"MZ-ipxe-efi-test" * 500)

    def put(self, rel, data):
        path = os.path.join(self.files, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def need(self, *plugins):
        for name in plugins:
            if not os.path.exists(os.path.join(self.plugins, name + ".so")):
                raise Skip("the %s plugin is not built" % name)
        if shutil.which("curl") is None:
            raise Skip("curl is not installed")

    def configure(self, ipxe_extra="", plugins=""):
        """Four hosts (installs, netboot off, installed, and a stranger who
        is only leased an address), and the ipxe section with ipxe_extra."""
        self.write("pxeforge.yaml", """\
daemon:
  debug: true
distros:
  rocky9:
    kernel: %(kernel)s
    initrd: %(initrd)s
    tree: http://192.0.2.1/distros/rocky9/
profiles:
  web:
    distro: rocky9
    os: kickstart
    template: %(ks)s
hosts:
  - mac: %(mac)s
    hostname: web01
    profile: web
  - mac: %(off)s
    hostname: web02
    profile: web
    netboot: false
  - mac: %(done)s
    hostname: web03
    profile: web
plugins:
%(plugins)s  ipxe:
    host_template: %(templates)s/host.ipxe.mustache
    menu_template: %(templates)s/menu.ipxe.mustache
    ipxe_dirs: [%(files)s/nowhere, %(images)s]
    kernel_args: console=ttyS0
%(extra)s""" % dict(kernel=self.kernel, initrd=self.initrd, ks=KS_TEMPLATE, mac=MAC, off=OFF,
                    done=DONE, templates=TEMPLATES, files=self.files, images=self.images,
                    extra=ipxe_extra, plugins=plugins))

    def http_section(self):
        return """\
  http:
    addresses: [127.0.0.1]
    port: %d
    root: %s
  httptest:
    owners: [127.0.0.1=%s, 127.0.0.2=%s, 127.0.0.3=%s, 127.0.0.4=%s]
""" % (self.http_port, self.files, MAC, OFF, DONE, STRANGER)

    def get(self, url, source=None):
        """(status, body) of a GET with curl; url is sent as it is."""
        body = os.path.join(self.root, "body")
        cmd = ["curl", "-sS", "--max-time", str(TIMEOUT), "--noproxy", "*", "--path-as-is",
               "-o", body, "-w", "%{http_code}"]
        if source is not None:
            cmd += ["--interface", source]
        p = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=TIMEOUT + 5)
        print("GET %s%s: %s %s" % (url, " from " + source if source else "", p.stdout,
                                   p.stderr.strip()))
        if url.startswith("tftp://"):
            # curl's TFTP client: 0 ok, 68 not found
            status = {0: 200, 68: 404}.get(p.returncode, 500 + p.returncode)
        else:
            check(p.returncode == 0, "curl %s: %s" % (url, p.stderr))
            status = int(p.stdout)
        data = b""
        if os.path.exists(body):
            with open(body, "rb") as f:
                data = f.read()
            os.unlink(body)
        return status, data

    def script(self, url, source=None):
        status, body = self.get(url, source)
        check(status == 200, "%s: %d" % (url, status))
        text = body.decode()
        print(text)
        check(text.startswith("#!ipxe\n"), "%s is not an iPXE script" % url)
        return text


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def kernel_and_initrd(script):
    """The URLs of the kernel and initrd lines of a script."""
    k = re.search(r"^kernel (\S+) initrd=initrd\.img .* \|\| goto failed$", script, re.M)
    i = re.search(r"^initrd --name initrd\.img (\S+) \|\| goto failed$", script, re.M)
    check(k is not None and i is not None, "no kernel and initrd lines")
    return k.group(1), i.group(1)


# ---- cases -------------------------------------------------------------------------


def case_explain(e):
    """PXE ROMs chainload iPXE, before pxelinux even though pxelinux is
    configured first (the ordering rule), and the image is served."""
    e.need("pxelinux")
    syslinux = os.path.join(e.files, "syslinux")
    os.makedirs(syslinux)
    e.configure(plugins="""\
  pxelinux:
    host_template: %s/host.cfg.mustache
    menu_template: %s/menu.cfg.mustache
    syslinux_dirs: [%s]
""" % (PXELINUX_TEMPLATES, PXELINUX_TEMPLATES, syslinux))
    e.start()
    p = e.cli("plugins")
    check(re.search(r"^ipxe\s.*bootloader", p.stdout, re.M) and "refused" not in p.stdout,
          "ipxe not running")
    block = p.stdout[p.stdout.index("ipxe"):]
    check("boot.select" in block and "file.open" in block and "template.vars" in block,
          "ipxe hooks not listed")

    out = e.cli("explain", "--mac", MAC).stdout
    check("[ipxe] boot file undionly.kpxe from this server" in out, "BIOS ROM: no undionly.kpxe")
    check("[ipxe] undionly.kpxe: file %s, %d bytes" % (e.undionly, len(file_bytes(e.undionly)))
          in out, "undionly.kpxe not served from ipxe_dirs")
    check("[pxelinux] boot file" not in out, "pxelinux answered before ipxe")
    out = e.cli("explain", "--mac", MAC, "--arch", "efi64").stdout
    check("[ipxe] boot file ipxe.efi from this server" in out, "UEFI ROM: no ipxe.efi")
    check("[ipxe] ipxe.efi: file %s" % e.ipxe_efi in out, "ipxe.efi not served")
    # no image for these: left to the others
    out = e.cli("explain", "--mac", MAC, "--arch", "arm64").stdout
    check("[ipxe] boot file" not in out, "an ARM64 ROM got an image nobody configured")
    # explain changes nothing
    check(e.state_of(MAC) == "unknown", "explain changed the state")


def case_explain_chain(e):
    """`pxeforge explain` follows the chainload, with pxelinux running too:
    the PXE ROM gets the iPXE image (stage 1), the iPXE it starts asks DHCP
    again and gets its script URL over HTTP (stage 2), whose kernel and
    initrd lines name the distro's files; iPXE in a ROM starts at the
    script."""
    e.need("pxelinux", "http", "httptest")
    syslinux = os.path.join(e.files, "syslinux")
    os.makedirs(syslinux)
    e.configure(plugins="""\
  pxelinux:
    host_template: %s/host.cfg.mustache
    menu_template: %s/menu.cfg.mustache
    syslinux_dirs: [%s]
""" % (PXELINUX_TEMPLATES, PXELINUX_TEMPLATES, syslinux) + e.http_section())
    e.start()
    base = "http://127.0.0.1:%d" % e.http_port
    script = "%s/ipxe/%s/boot.ipxe" % (base, DASHES)
    kernel = "%s/ipxe/%s/vmlinuz" % (base, DASHES)
    initrd = "%s/ipxe/%s/initrd.img" % (base, DASHES)
    cmdline = ("initrd=initrd.img ks=%s/ks/%s ip=dhcp BOOTIF=01-%s console=ttyS0"
               % (base, MAC, DASHES))

    for arch, firmware, image, size in (("bios", "bios", "undionly.kpxe",
                                         len(file_bytes(e.undionly))),
                                        ("efi64", "uefi-x64", "ipxe.efi",
                                         len(file_bytes(e.ipxe_efi)))):
        out = e.cli("explain", "--mac", MAC, "--arch", arch).stdout
        check("== stage 1: PXE ROM, firmware %s" % firmware in out, "%s: no stage 1" % arch)
        check("[ipxe] boot file %s from this server" % image in out
              and "file.open (boot file, tftp)        [ipxe] %s: file %s/%s, %d bytes"
              % (image, e.images, image, size) in out, "%s: no %s" % (arch, image))
        check("chainload                          [ipxe] %s chainloads iPXE: ipxe answers "
              "iPXE's own DHCP request (user class iPXE, option 175) with %s" % (image, script)
              in out, "%s: no chainload" % arch)
        check("== stage 2: iPXE, firmware %s (option 93 = %d" % (firmware, 0 if arch == "bios"
                                                                 else 7) in out
              and "stage ipxe (" in out, "%s: no iPXE stage" % arch)
        check("boot.select                        [ipxe] boot file %s from this server" % script
              in out, "%s: no script URL" % arch)
        check("file.open (boot file, http)        [ipxe] ipxe/%s/boot.ipxe: rendered" % DASHES
              in out and "    | #!ipxe\n" in out, "%s: script not rendered over http" % arch)
        check("boot.loads                         [ipxe] kernel %s\n" % kernel in out
              and "boot.loads                         [ipxe] initrd %s\n" % initrd in out
              and "boot.loads                         [ipxe] cmdline %s\n" % cmdline in out,
              "%s: kernel, initrd and cmdline lines" % arch)
        for what, name, path in (("kernel", "vmlinuz", e.kernel),
                                 ("initrd", "initrd.img", e.initrd)):
            check("file.open (%s, http)" % what in out
                  and "[ipxe] ipxe/%s/%s: file %s, %d bytes"
                  % (DASHES, name, path, len(file_bytes(path))) in out,
                  "%s: the %s is not the distro's" % (arch, what))
        # pxelinux answers neither the ROM nor iPXE, and its files are not asked for
        check("[pxelinux]" not in out and "pxelinux.cfg" not in out, "%s: pxelinux" % arch)
        summary = out[out.index("== summary"):]
        check("stage 1, PXE ROM (%s):\n    boot file %s over tftp from this server, chosen "
              "by ipxe\n    then      chainloads iPXE: stage 2\n" % (firmware, image) in summary
              and "stage 2, iPXE (%s):\n    boot file %s over http from this server, chosen by "
              "ipxe\n    config    the boot file itself (a script)\n"
              "    kernel    %s\n    initrd    %s\n    cmdline   %s\n"
              % (firmware, script, kernel, initrd, cmdline) in summary,
              "%s: summary:\n%s" % (arch, summary))

    # iPXE in the NIC's ROM (QEMU's): one stage, the script at once
    out = e.cli("explain", "--mac", MAC, "--arch", "ipxe").stdout
    check("== stage 1: iPXE, firmware bios" in out and "== stage 2" not in out
          and "[ipxe] boot file %s from this server" % script in out
          and "boot.loads                         [ipxe] kernel %s\n" % kernel in out,
          "iPXE in ROM")
    # explain changes nothing
    check(e.state_of(MAC) == "unknown", "explain changed the state")
    p = e.cli("explain", "--mac", MAC, "--arch", "mips", expect=1)
    check("unknown architecture 'mips'" in p.stderr, "a bad --arch not refused")


def case_http(e):
    """What iPXE fetches over HTTP, and the states it moves the host through."""
    e.need("http", "httptest")
    e.configure(plugins=e.http_section())
    e.seed_state(DONE, "installed")
    e.start()
    base = "http://127.0.0.1:%d" % e.http_port

    # the generic script chains to the MAC's own, relative to itself
    text = e.script(base + "/ipxe/boot.ipxe")
    check("\nchain ${netX/mac:hexhyp}/boot.ipxe || exit\n" in text, "generic chain script")

    # another machine's address: served, but only the machine itself starts its install
    encoded = urllib.parse.quote(MAC, safe="")  # 52%3A54%3A... as iPXE sends it
    check("%3A" in encoded, "quote() did not encode the colons")
    e.script("%s/ipxe/%s/boot.ipxe" % (base, encoded), source="127.0.0.2")
    check(e.state_of(MAC) == "unknown", "a foreign request moved the host")
    # nobody's address (no lease, no fixed ip): served, the state stays
    e.script("%s/ipxe/%s/boot.ipxe" % (base, encoded), source="127.0.0.6")
    check(e.state_of(MAC) == "unknown", "an unattributed address moved the host")

    text = e.script("%s/ipxe/%s/boot.ipxe" % (base, encoded))
    check("# pxeforge: iPXE script for web01 %s\n" % MAC in text, "script header")
    kernel, initrd = kernel_and_initrd(text)
    check(kernel == "%s/ipxe/%s/vmlinuz" % (base, DASHES), "kernel URL %s" % kernel)
    check(initrd == "%s/ipxe/%s/initrd.img" % (base, DASHES), "initrd URL %s" % initrd)
    ks = re.search(r" ks=(\S+) ", text)
    check(ks is not None and ks.group(1) == "%s/ks/%s" % (base, MAC), "ks URL")
    check(" ip=dhcp BOOTIF=01-%s console=ttyS0 || goto failed\n" % DASHES in text,
          "BOOTIF and kernel_args")
    check("\nboot || goto failed\n" in text, "no boot line")
    check(e.state_of(MAC) == "booting", "serving the script did not move the host to booting")
    log = e.daemon_log()
    check("%s: iPXE script over http: install" % MAC in log, "no log line for the script")

    # the files it names
    status, data = e.get(kernel)
    check(status == 200 and data == file_bytes(e.kernel), "kernel over HTTP differs")
    status, data = e.get(initrd)
    check(status == 200 and data == file_bytes(e.initrd), "initrd over HTTP differs")
    status, data = e.get(ks.group(1))
    check(status == 200 and b"web01" in data, "kickstart from the script's URL")
    check(e.state_of(MAC) == "installing", "kickstart did not move the host to installing")

    # installed and netboot off: the local disk
    for mac, source, reason in [(DONE, "127.0.0.3", "installed"),
                                (OFF, "127.0.0.2", "netboot is off")]:
        dashes = mac.replace(":", "-")
        text = e.script("%s/ipxe/%s/boot.ipxe" % (base, dashes), source=source)
        check("# boots from its local disk: %s\n" % reason in text and text.endswith("\nexit\n")
              and "kernel " not in text, "%s does not boot its disk" % mac)
        status, _ = e.get("%s/ipxe/%s/vmlinuz" % (base, dashes))
        check(status == 200, "the distro kernel of %s" % mac)
    check(e.state_of(DONE) == "installed", "the installed host changed state")

    # a stranger: the menu, local boot after 10 s; none of its files
    text = e.script("%s/ipxe/%s/boot.ipxe" % (base, STRANGER.replace(":", "")),
                    source="127.0.0.4")
    check("\nchoose --timeout 10000 --default local selected || goto local\n" in text
          and "\n:local\n" in text, "unknown machine: no menu defaulting to the local disk")
    status, _ = e.get("%s/ipxe/%s/vmlinuz" % (base, STRANGER.replace(":", "-")))
    check(status == 404, "a stranger's kernel")
    # iPXE images over HTTP too (a PXE ROM uses TFTP, an UEFI HTTP client not)
    status, data = e.get(base + "/undionly.kpxe")
    check(status == 200 and data == file_bytes(e.undionly), "undionly.kpxe over HTTP")
    status, _ = e.get("%s/ipxe/%s/boot.ipxe" % (base, "52-54-00-12-34"))
    check(status == 404, "a malformed MAC")


# ---- DHCP as the captured clients send it: tests/lib/pxfdhcp.py ----------------------

def boot_file(e, sock, mac, options, xid, pxe_option):
    """The boot file (option 67) of the OFFER for a relayed DISCOVER, and
    whether the OFFER has PXE option 43 with discovery control 8 (use the
    boot file of the offer, which EDK2's PXE needs to skip port 4011). The
    dhcp plugin adds it for PXE ROMs, not for iPXE; this plugin no longer
    does, so the case shows the two plugins together still do it right."""
    opts = offer(e, sock, mac, options, xid)
    check((opts.get(43) == bytes([6, 1, 8, 255])) == pxe_option,
          "xid %#x: option 43 is %r" % (xid, opts.get(43)))
    return opts.get(67, b"").rstrip(b"\x00").decode()


def case_dhcp(e):
    """ROM -> undionly.kpxe -> iPXE -> its script: through the real dhcp plugin."""
    e.need("dhcp", "http", "httptest")
    e.configure(plugins="""\
  dhcp:
    addresses: [127.0.0.1]
    port: %d
    subnets:
      - subnet: 127.0.0.0/24
        range: [127.0.0.100, 127.0.0.150]
""" % e.dhcp_port + e.http_section())
    e.start()
    base = "http://127.0.0.1:%d" % e.http_port
    script = "%s/ipxe/%s/boot.ipxe" % (base, DASHES)
    # the relay's port is the server's: replies to relayed requests go to giaddr:port
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((RELAY, e.dhcp_port))
    try:
        first = boot_file(e, sock, MAC, rom_options(False), 0x1001, True)
        check(first == "undionly.kpxe", "BIOS PXE ROM got %r" % first)
        second = boot_file(e, sock, MAC, ipxe_options(MAC, False), 0x1002, False)
        check(second == script, "the chainloaded iPXE got %r, not its script" % second)
        # and again: never the image a second time
        third = boot_file(e, sock, MAC, ipxe_options(MAC, False), 0x1003, False)
        check(third == script, "iPXE asking again got %r" % third)
        uefi = boot_file(e, sock, MAC, rom_options(True), 0x1004, True)
        check(uefi == "ipxe.efi", "OVMF's PXE got %r" % uefi)
        in_rom = boot_file(e, sock, STRANGER, ipxe_options(STRANGER, True), 0x1005, False)
        check(in_rom == "%s/ipxe/%s/boot.ipxe" % (base, STRANGER.replace(":", "-")),
              "iPXE in a UEFI ROM got %r" % in_rom)
    finally:
        sock.close()
    log = e.daemon_log()
    check("pxf-ipxe: %s: bios, rom stage: undionly.kpxe (PXE ROM: chainload iPXE)" % MAC in log
          and "pxf-ipxe: %s: bios, ipxe stage: %s (iPXE: its script over HTTP)" % (MAC, script)
          in log, "no debug lines for the decisions:\n" + log)


def case_unknown(e):
    """unknown_hosts local and ignore; chainload off."""
    e.need("http", "httptest")
    e.configure(ipxe_extra="    unknown_hosts: local\n    local_boot: sanboot\n",
                plugins=e.http_section())
    e.start()
    base = "http://127.0.0.1:%d" % e.http_port
    text = e.script("%s/ipxe/%s/boot.ipxe" % (base, STRANGER), source="127.0.0.4")
    check("boots from its local disk (not in the inventory)" in text
          and "sanboot --no-describe --drive 0x80" in text and "menu" not in text,
          "unknown_hosts local")
    out = e.cli("explain", "--mac", STRANGER).stdout
    check("[ipxe] boot file undionly.kpxe" in out, "local: a stranger's ROM is not chainloaded")

    e.write("conf.d/45-ipxe.yaml", "plugins:\n  ipxe:\n    unknown_hosts: ignore\n")
    e.cli("reload")
    out = e.cli("explain", "--mac", STRANGER).stdout
    check("[ipxe] no answer" in out, "ignore: a stranger got an answer")
    out = e.cli("explain", "--mac", MAC).stdout
    check("[ipxe] boot file undionly.kpxe" in out, "ignore: a known host got no answer")
    # a machine that reaches us through another DHCP server boots its disk
    text = e.script("%s/ipxe/%s/boot.ipxe" % (base, STRANGER), source="127.0.0.4")
    check("boots from its local disk" in text, "ignore: a stranger's script")

    # chainload off: PXE ROMs are left to the others (here: nobody), iPXE is answered
    e.write("conf.d/45-ipxe.yaml", "plugins:\n  ipxe:\n    chainload: false\n")
    e.cli("reload")
    out = e.cli("explain", "--mac", MAC).stdout
    check("boot.select                        [core] no boot file" in out,
          "chainload off: a PXE ROM got an answer")
    text = e.script("%s/ipxe/%s/boot.ipxe" % (base, DASHES))
    check("\nkernel %s/ipxe/%s/vmlinuz " % (base, DASHES) in text, "chainload off: script")


def start_over_tftp(e, ipxe_extra):
    """The daemon with the tftp plugin on 127.0.0.1 and scripts over TFTP
    (httptest leases 127.0.0.1 to web01); returns the tftp:// base URL."""
    e.need("tftp", "httptest")
    tftproot = os.path.join(e.root, "tftproot")
    os.makedirs(tftproot)
    e.configure(ipxe_extra="    script_transport: tftp\n" + ipxe_extra, plugins="""\
  tftp:
    addresses: [127.0.0.1]
    port: %d
    root: %s
  httptest:
    owners: [127.0.0.1=%s]
""" % (e.tftp_port, tftproot, MAC))
    e.start()
    return "tftp://127.0.0.1:%d" % e.tftp_port


def case_tftp(e):
    """An iPXE without HTTP: its script and the files it names over TFTP;
    from 127.0.0.5, which no lease gives to web01, the script does not move
    the host."""
    base = start_over_tftp(e, "")
    e.script("%s/ipxe/%s/boot.ipxe" % (base, DASHES), source="127.0.0.5")
    check(e.state_of(MAC) == "unknown", "a stranger's TFTP fetch of the script moved the host")
    # what a PXE ROM fetches first
    status, data = e.get(base + "/undionly.kpxe")
    check(status == 200 and data == file_bytes(e.undionly), "undionly.kpxe over TFTP")
    status, data = e.get(base + "/ipxe.efi")
    check(status == 200 and data == file_bytes(e.ipxe_efi), "ipxe.efi over TFTP")

    text = e.script("%s/ipxe/%s/boot.ipxe" % (base, DASHES))
    kernel, initrd = kernel_and_initrd(text)
    # absolute paths: iPXE resolves them against the script's tftp:// URI
    check(kernel == "/ipxe/%s/vmlinuz" % DASHES and initrd == "/ipxe/%s/initrd.img" % DASHES,
          "TFTP paths %s %s" % (kernel, initrd))
    check("files over tftp" in text, "transport comment")
    status, data = e.get(base + kernel)
    check(status == 200 and data == file_bytes(e.kernel), "kernel over TFTP differs")
    status, data = e.get(base + initrd)
    check(status == 200 and data == file_bytes(e.initrd), "initrd over TFTP differs")
    check(e.state_of(MAC) == "booting", "the script over TFTP did not move the host")
    out = e.cli("explain", "--mac", MAC).stdout
    check("[ipxe] boot file undionly.kpxe" in out, "explain with TFTP")


def case_mtftp(e):
    """file_transport mtftp: the script (over TFTP here) names the kernel and
    initrd as mtftp:// URLs of the address it was asked from, for the mtftp
    plugin; the per-host paths are the ones TFTP serves."""
    base = start_over_tftp(e, "    file_transport: mtftp\n")
    text = e.script("%s/ipxe/%s/boot.ipxe" % (base, DASHES))
    kernel, initrd = kernel_and_initrd(text)
    check(kernel == "mtftp://127.0.0.1/ipxe/%s/vmlinuz" % DASHES
          and initrd == "mtftp://127.0.0.1/ipxe/%s/initrd.img" % DASHES,
          "mtftp URLs %s %s" % (kernel, initrd))
    check("files over mtftp" in text, "transport comment")
    status, data = e.get(base + initrd[len("mtftp://127.0.0.1"):])
    check(status == 200 and data == file_bytes(e.initrd), "the initrd behind the URL")


def case_bad_config(e):
    """A bad value refuses the plugin with its place; the daemon runs on."""
    e.configure(ipxe_extra="    efi_x64_image: /boot/ipxe.efi\n")
    e.start()
    p = e.cli("plugins")
    yaml = os.path.join(e.config, "pxeforge.yaml")
    check(re.search(r"ipxe.*refused", p.stdout, re.S) and yaml + ":" in p.stdout
          and "efi_x64_image: '/boot/ipxe.efi' is not a plain file name" in p.stdout,
          "bad efi_x64_image not refused with its place")


CASES = {
    "explain": case_explain,
    "explain-chain": case_explain_chain,
    "http": case_http,
    "dhcp": case_dhcp,
    "unknown": case_unknown,
    "tftp": case_tftp,
    "mtftp": case_mtftp,
    "bad-config": case_bad_config,
}


if __name__ == "__main__":
    sys.exit(pxftest.main(Env, CASES[sys.argv[3]]))
