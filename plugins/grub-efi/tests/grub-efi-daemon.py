#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The grub-efi plugin inside a real pxeforged: `pxeforge explain --arch
efi64` walks a UEFI boot through boot.select and file.open (the chain from
the configured files, a vendor's chain from a distro tree, the host's
grub.cfg and the kernel and initrd it loads, the menu; with the pxelinux
plugin running too, GRUB's configuration for UEFI and pxelinux's for
BIOS), and, when the tftp and http plugins are built, what
shim and GRUB fetch is fetched with curl over TFTP and HTTP on 127.0.0.1.
The test plugin httptest (built with the http plugin) records 127.0.0.1 as
leased to a host, as the dhcp plugin does on an ACK: the inventory refuses
loopback fixed addresses. Binds and sends only on loopback.

usage: grub-efi-daemon.py BUILDDIR SRCDIR CASE
"""
import os
import shutil
import socket
import subprocess
import sys

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from pxftest import TIMEOUT, Env, Skip, check, free_port, main, plugin_so  # noqa: E402

HTTPTEST_SO = os.path.join(BUILD, "plugins", "http", "tests", "httptest.so")
TEMPLATES = os.path.join(SRC, "plugins", "grub-efi", "templates")
KS_TEMPLATE = os.path.join(SRC, "plugins", "kickstart", "templates", "centos7-ks.cfg.mustache")
MAC = "52:54:00:12:34:56"
DASHES = "52-54-00-12-34-56"
OFF = "52:54:00:00:00:02"    # netboot off
ROCKY = "52:54:00:00:00:03"  # distro with its own chain in its tree
SUSE = "52:54:00:00:00:04"   # distro naming its chain with efi.shim/efi.grub
UNKNOWN = "52:54:00:99:99:99"
# the plugins these tests load; others in the build (pxelinux) stay out
PLUGINS = ("grub-efi", "tftp", "http")


def setup(e, grub_extra="", extra_plugins=""):
    """An inventory with an installing host, one with netboot off, one whose
    distro tree has Rocky's chain, one whose distro names SUSE's chain;
    stand-ins for Debian's shim and GRUBs, a kernel and an initrd."""
    efi = os.path.join(e.files, "efi")
    paths = {
        "shim": e.write(os.path.join(efi, "shimx64.efi.signed"), b"MZ debian shim" * 64, "wb"),
        "grub_signed": e.write(os.path.join(efi, "grubnetx64.efi.signed"),
                               b"MZ debian signed grub" * 64, "wb"),
        "grub": e.write(os.path.join(efi, "grubnetx64.efi"), b"MZ unsigned grub" * 64, "wb"),
        "kernel": e.write(os.path.join(e.files, "vmlinuz"), b"KERNEL" * 5000, "wb"),
        "initrd": e.write(os.path.join(e.files, "initrd.img"), b"INITRD" * 9000, "wb"),
    }
    mods = os.path.join(e.files, "x86_64-efi")
    paths["command_lst"] = e.write(os.path.join(mods, "command.lst"), "*linux: linux\n")
    paths["http_mod"] = e.write(os.path.join(mods, "http.mod"), b"\x7fELF http" * 50, "wb")
    rocky = os.path.join(e.files, "trees", "rocky9")
    paths["rocky_shim"] = e.write(os.path.join(rocky, "EFI", "BOOT", "BOOTX64.EFI"),
                                  b"MZ rocky shim" * 64, "wb")
    paths["rocky_grub"] = e.write(os.path.join(rocky, "EFI", "BOOT", "grubx64.efi"),
                                  b"MZ rocky grub" * 64, "wb")
    paths["rocky_mok"] = e.write(os.path.join(rocky, "EFI", "BOOT", "mmx64.efi"),
                                 b"MZ rocky mok" * 64, "wb")
    suse = os.path.join(e.files, "trees", "sles15")
    paths["suse_shim"] = e.write(os.path.join(suse, "boot", "shim.efi"), b"MZ suse shim", "wb")
    paths["suse_grub"] = e.write(os.path.join(suse, "boot", "grub.efi"), b"MZ suse grub", "wb")
    e.write(os.path.join(e.config, "pxeforge.yaml"), """\
daemon:
  debug: true
variables:
  timezone: UTC
  ks_url: http://192.0.2.1/global-ks.cfg
distros:
  debian12:
    kernel: %(kernel)s
    initrd: %(initrd)s
    tree: http://192.0.2.1/debian/
  rocky9:
    kernel: %(kernel)s
    initrd: %(initrd)s
    tree: %(rocky)s
  sles15:
    kernel: %(kernel)s
    initrd: %(initrd)s
    tree: %(suse)s
    variables:
      efi:
        shim: boot/shim.efi
        grub: %(suse_grub)s
profiles:
  web:
    distro: debian12
    os: kickstart
    template: %(ks)s
    variables:
      ks_url: http://192.0.2.1/ks.cfg
  rocky:
    distro: rocky9
    os: kickstart
    template: %(ks)s
  suse:
    distro: sles15
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
  - mac: %(rocky_mac)s
    hostname: rocky01
    profile: rocky
  - mac: %(suse_mac)s
    hostname: suse01
    profile: suse
plugins:
  grub-efi:
    host_template: %(templates)s/host.cfg.mustache
    menu_template: %(templates)s/menu.cfg.mustache
    shim: %(shim)s
    grub_signed: %(grub_signed)s
    grub: %(grub)s
    grub_modules: %(mods)s
    kernel_args: console=ttyS0,115200
%(extra)s%(plugins)s""" % dict(paths, mods=mods, rocky=rocky, suse=suse, ks=KS_TEMPLATE, mac=MAC, off=OFF,
                              rocky_mac=ROCKY, suse_mac=SUSE, templates=TEMPLATES,
                              extra=grub_extra, plugins=extra_plugins))
    return paths


def explain(e, mac, arch="efi64"):
    return e.cli("explain", "--mac", mac, "--arch", arch).stdout


def check_loads(out, paths, transport, cmdline):
    """explain's steps for the kernel and initrd GRUB loads, the files they
    are, and the summary of stage 1."""
    for what, name in (("kernel", "vmlinuz"), ("initrd", "initrd.img")):
        check("boot.loads                         [grub-efi] %s /boot/%s/%s"
              % (what, DASHES, name) in out, "no %s line" % what)
        check("file.open (%s, %s)" % (what, transport) in out
              and "[grub-efi] boot/%s/%s: file %s, %d bytes"
              % (DASHES, name, paths[what], os.path.getsize(paths[what])) in out,
              "the %s is not the distro's" % what)
    check("boot.loads                         [grub-efi] cmdline " + cmdline in out,
          "no command line")
    summary = out[out.index("== summary"):]
    check("stage 1, PXE ROM (uefi-x64):" in summary
          and "boot file shimx64.efi over tftp from this server, chosen by grub-efi" in summary
          and "config    grub/grub.cfg over tftp" in summary
          and "kernel    /boot/%s/vmlinuz" % DASHES in summary
          and "initrd    /boot/%s/initrd.img" % DASHES in summary
          and "cmdline   " + cmdline in summary
          and "stage 2" not in summary, "summary:\n" + summary)


def case_explain(e):
    """A known UEFI host: shimx64.efi from the configured file, then its own
    grub.cfg; netboot off: local boot; BIOS: not grub-efi's; secure_boot
    false: the unsigned GRUB."""
    paths = setup(e)
    e.start()
    p = e.cli("plugins")
    check("grub-efi" in p.stdout and "bootloader" in p.stdout and "refused" not in p.stdout,
          "grub-efi not running")
    check("boot.select" in p.stdout and "file.open" in p.stdout, "grub-efi hooks not listed")

    out = explain(e, MAC)
    check("firmware uefi" in out.lower() or "UEFI" in out, "not classified as UEFI")
    check("[grub-efi] boot file shimx64.efi from this server" in out, "no shim boot file")
    check("[grub-efi] shimx64.efi: file %s, %d bytes" % (
        paths["shim"], os.path.getsize(paths["shim"])) in out, "shim not from its setting")
    # what GRUB asks for: grub/grub.cfg, rendered for the machine asking
    check("[grub-efi] grub/grub.cfg: rendered" in out, "no host grub.cfg")
    check("grub.cfg-01-" not in out, "explain asked for a file GRUB does not")
    check("| set default=install" in out, "host does not install")
    # the profile's own ks_url wins over the global one; BOOTIF like IPAPPEND 2
    cmdline = "ks=http://192.0.2.1/ks.cfg ip=dhcp BOOTIF=01-%s console=ttyS0,115200" % DASHES
    check("|   linux /boot/%s/vmlinuz %s" % (DASHES, cmdline) in out, "wrong linux line")
    check("|   initrd /boot/%s/initrd.img" % DASHES in out, "wrong initrd line")
    check_loads(out, paths, "tftp", cmdline)
    # explain changes nothing
    check("booting" not in e.cli("state", MAC, expect=None).stdout,
          "explain moved the host to booting")

    out = explain(e, OFF)
    check("[grub-efi] boot file shimx64.efi" in out, "netboot-off host got no shim")
    check("| # boots from its local disk: netboot is off" in out
          and "| if search --no-floppy --file --set=root /EFI/BOOT/BOOTX64.EFI; then" in out
          and "|   chainloader /EFI/BOOT/BOOTX64.EFI" in out
          and "|   linux " not in out, "netboot off is not local boot")

    out = explain(e, MAC, "bios")
    check("[grub-efi]" not in out, "grub-efi answered a BIOS machine")
    check("boot.select                        [core] no boot file" in out
          and "then      no boot file: the next boot device" in out, "BIOS: a boot file")

    e.write(os.path.join(e.config, "conf.d", "55-grub-efi.yaml"),
            "plugins:\n  grub-efi:\n    secure_boot: false\n")
    e.cli("reload")
    out = explain(e, MAC)
    check("[grub-efi] boot file grubnetx64.efi from this server" in out
          and "[grub-efi] grubnetx64.efi: file %s" % paths["grub"] in out,
          "secure_boot false does not serve the unsigned GRUB")


def case_explain_pxelinux(e):
    """With the pxelinux plugin running too, explain walks each architecture
    as its firmware would: UEFI gets GRUB's grub.cfg and kernel (not
    pxelinux.cfg), BIOS pxelinux's."""
    syslinux = os.path.join(e.files, "syslinux")
    pxelinux_so = os.path.join(BUILD, "plugins", "pxelinux", "pxelinux.so")
    if not os.path.exists(pxelinux_so):
        print("SKIP: the pxelinux plugin is not built")
        return 77
    e.add_plugins(pxelinux_so)
    e.write(os.path.join(syslinux, "pxelinux.0"), b"PXELINUX" * 100, "wb")
    e.write(os.path.join(syslinux, "ldlinux.c32"), b"LDLINUX" * 100, "wb")
    pxelinux_templates = os.path.join(SRC, "plugins", "pxelinux", "templates")
    paths = setup(e, extra_plugins="""\
  pxelinux:
    host_template: %s/host.cfg.mustache
    menu_template: %s/menu.cfg.mustache
    syslinux_dirs: [%s]
""" % (pxelinux_templates, pxelinux_templates, syslinux))
    e.start()
    p = e.cli("plugins")
    check("pxelinux" in p.stdout and "refused" not in p.stdout, "pxelinux not running")

    out = explain(e, MAC)
    check("[grub-efi] boot file shimx64.efi from this server" in out, "no shim boot file")
    check("[grub-efi] grub/grub.cfg: rendered" in out, "not GRUB's configuration")
    check("[pxelinux]" not in out and "pxelinux.cfg" not in out,
          "pxelinux's configuration for a UEFI machine")
    check_loads(out, paths, "tftp",
                "ks=http://192.0.2.1/ks.cfg ip=dhcp BOOTIF=01-%s console=ttyS0,115200" % DASHES)

    out = explain(e, MAC, "bios")
    check("[pxelinux] boot file pxelinux.0 from this server" in out, "BIOS: no pxelinux.0")
    check("[pxelinux] pxelinux.cfg/01-%s: rendered" % DASHES in out, "BIOS: no pxelinux.cfg")
    check("[grub-efi] boot file" not in out and "grub.cfg" not in out,
          "GRUB for a BIOS machine")
    # both plugins serve boot/<mac>/: the one configured first answers
    check("boot.loads                         [pxelinux] kernel boot/%s/vmlinuz" % DASHES
          in out and " boot/%s/vmlinuz: file %s" % (DASHES, paths["kernel"]) in out,
          "BIOS: pxelinux's kernel not followed")
    return 0


def case_unknown(e):
    """Unknown machines: grub.cfg rendered as the menu booting the local
    disk after 10 s; `local` and `ignore`."""
    setup(e)
    e.start()
    out = explain(e, UNKNOWN)
    check("[grub-efi] boot file shimx64.efi" in out, "unknown machine got no shim")
    check("[grub-efi] grub/grub.cfg: rendered" in out, "no menu")
    check("no kernel line" in out, "the menu boots a kernel")
    check("| set timeout=10" in out and "| set default=local" in out,
          "menu does not boot the local disk after 10 s")
    check('| menuentry "Boot from local drive" --id local {' in out
          and "--id install" not in out, "menu entries wrong")
    # explain knows the MAC: no prologue for unattributed machines
    check("configfile" not in out, "prologue for a machine whose MAC is known")

    e.write(os.path.join(e.config, "conf.d", "55-grub-efi.yaml"),
            "plugins:\n  grub-efi:\n    unknown_hosts: local\n    local_boot: exit\n")
    e.cli("reload")
    out = explain(e, UNKNOWN)
    check("| # pxeforge: this machine boots from its local disk" in out and "| exit" in out
          and "menuentry" not in out and "chainloader" not in out, "unknown_hosts local")

    e.write(os.path.join(e.config, "conf.d", "55-grub-efi.yaml"),
            "plugins:\n  grub-efi:\n    unknown_hosts: ignore\n")
    e.cli("reload")
    out = explain(e, UNKNOWN)
    check("boot.select" in out and "[grub-efi] no answer" in out, "unknown_hosts ignore")
    out = explain(e, MAC)
    check("[grub-efi] boot file shimx64.efi" in out, "ignore dropped a known host")


def case_vendor(e):
    """Vendor chains: Rocky's from its tree's EFI/BOOT, SUSE's named by
    efi.shim/efi.grub, none with vendor_chains false."""
    paths = setup(e)
    e.start()
    out = explain(e, ROCKY)
    check("[grub-efi] boot file efi/rocky9/shimx64.efi from this server" in out,
          "no vendor chain for rocky9")
    check("[grub-efi] efi/rocky9/shimx64.efi: file %s" % paths["rocky_shim"] in out,
          "vendor shim not from the tree")
    # the RHEL family's GRUB reads grub.cfg next to itself
    check("[grub-efi] efi/rocky9/grub.cfg: rendered" in out, "the vendor GRUB's grub.cfg")
    out = explain(e, SUSE)
    check("[grub-efi] boot file efi/sles15/shimx64.efi" in out
          and "[grub-efi] efi/sles15/shimx64.efi: file %s" % paths["suse_shim"] in out,
          "efi.shim not used")
    # a tree that is an URL: Debian's chain
    out = explain(e, MAC)
    check("[grub-efi] boot file shimx64.efi from" in out, "debian12 got a vendor chain")

    e.write(os.path.join(e.config, "conf.d", "55-grub-efi.yaml"),
            "plugins:\n  grub-efi:\n    vendor_chains: false\n")
    e.cli("reload")
    out = explain(e, ROCKY)
    check("[grub-efi] boot file shimx64.efi from" in out, "vendor_chains false not honoured")


def case_bad_config(e):
    """A menu default the menu does not have refuses the plugin, saying where."""
    setup(e, grub_extra="    menu_default: install\n")
    e.start()
    p = e.cli("plugins")
    yaml = os.path.join(e.config, "pxeforge.yaml")
    check("grub-efi" in p.stdout and "refused" in p.stdout and yaml + ":" in p.stdout
          and "the menu has no 'install' entry without menu_kernel" in p.stdout,
          "bad menu_default not refused with its place")


def curl(url, dest, source=None):
    """curl's TFTP/HTTP client; returns (exit code, HTTP code or '')."""
    cmd = ["curl", "-sS", "--max-time", "10", "-o", dest, "-w", "%{http_code}"]
    if source:
        cmd += ["--interface", source]
    p = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=TIMEOUT)
    print("get %s%s: curl exit %d %s %s" % (url, " from " + source if source else "",
                                            p.returncode, p.stdout, p.stderr.strip()))
    return p.returncode, p.stdout


def same(path_a, path_b):
    with open(path_a, "rb") as a, open(path_b, "rb") as b:
        return a.read() == b.read()


def needs(e, *names):
    for name in names:
        if not e.has_plugin(name):
            print("SKIP: the %s plugin is not built" % name)
            return False
    if shutil.which("curl") is None:
        print("SKIP: curl is not installed")
        return False
    return True


def case_tftp(e):
    """What the firmware, shim and GRUB fetch, over TFTP on 127.0.0.1 (leased
    to web01 by httptest) and 127.0.0.2 (nobody's): the chain byte for byte,
    the probes refused, grub.cfg per client (web01's own, which moves it to
    booting; the prologue and the menu for the unattributed address), the
    kernel, and a vendor's GRUB and MokManager."""
    if not needs(e, "tftp", "httptest"):
        return 77
    port = free_port(socket.SOCK_DGRAM)
    tftproot = os.path.join(e.root, "tftproot")
    os.makedirs(os.path.join(tftproot, "grub", "x86_64-efi"))
    e.write(os.path.join(tftproot, "grub", "x86_64-efi", "command.lst"), "a stale list\n")
    paths = setup(e, grub_extra="    kernel_transport: tftp\n", extra_plugins="""\
  tftp:
    addresses: [127.0.0.1, 127.0.0.2]
    port: %d
    root: %s
  httptest:
    owners: [127.0.0.1=%s]
""" % (port, tftproot, MAC))
    e.start()
    base = "tftp://127.0.0.1:%d/" % port
    got = os.path.join(e.root, "got")
    for name, key in [("shimx64.efi", "shim"), ("grubx64.efi", "grub_signed"),
                      ("grubnetx64.efi", "grub")]:
        check(curl(base + name, got)[0] == 0, "TFTP %s failed" % name)
        check(same(got, paths[key]), "%s differs from %s" % (name, paths[key]))
    # the lists and modules of the package's GRUB, not a stale copy in the root
    for name, key in [("command.lst", "command_lst"), ("http.mod", "http_mod")]:
        check(curl(base + "grub/x86_64-efi/" + name, got)[0] == 0, "TFTP %s failed" % name)
        check(same(got, paths[key]), "grub/x86_64-efi/%s differs" % name)
    for probe in ["grub/x86_64-efi/crypto.lst", "grub/x86_64-efi/grub.cfg",
                  "grub/grub.cfg-0A000001", "boot/grub/x86_64-efi/fs.lst"]:
        check(curl(base + probe, got)[0] == 68, "%s was answered" % probe)

    # web01's own configuration from nobody's address: served, no state moves
    check(curl(base + "grub/grub.cfg-01-" + MAC, got, "127.0.0.2")[0] == 0,
          "grub.cfg-01-<mac> from 127.0.0.2")
    check("booting" not in e.cli("state", MAC, expect=None).stdout,
          "a fetch from an address nobody holds moved the host")
    check(curl(base + "grub/grub.cfg", got)[0] == 0, "grub.cfg failed")
    with open(got) as f:
        cfg = f.read()
    print(cfg)
    check("GRUB configuration for web01 %s" % MAC in cfg and "set default=install" in cfg
          and "linux /boot/%s/vmlinuz" % DASHES in cfg, "grub.cfg of the leased address")
    check("booting" in e.cli("state", MAC).stdout,
          "serving grub.cfg did not move the host to booting")

    # an address nobody leased: GRUB is told to ask for its own MAC first
    check(curl(base.replace("127.0.0.1", "127.0.0.2") + "grub/grub.cfg", got, "127.0.0.2")[0]
          == 0, "grub.cfg from 127.0.0.2 failed")
    with open(got) as f:
        cfg = f.read()
    print(cfg)
    check("configfile $prefix/grub.cfg-01-$net_default_mac" in cfg
          and cfg.index("configfile") < cfg.index("set timeout=10")
          and "--id local" in cfg, "prologue and menu for an unattributed address")
    # ... which GRUB spells with colons
    check(curl(base + "grub/grub.cfg-01-" + OFF, got)[0] == 0, "grub.cfg-01-<mac:colons>")
    with open(got) as f:
        check("boots from its local disk: netboot is off" in f.read(), "netboot-off host")
    check(curl(base + "grub/grub.cfg-01-" + UNKNOWN, got)[0] == 68,
          "grub.cfg-01-<unknown mac> answered")

    check(curl(base + "boot/%s/vmlinuz" % DASHES, got)[0] == 0, "kernel failed")
    check(same(got, paths["kernel"]), "kernel differs")
    check(curl(base + "boot/52-54-00-99-99-99/vmlinuz", got)[0] == 68,
          "kernel of an unknown MAC answered")

    # Rocky's chain, and what else lies next to its shim
    for name, key in [("shimx64.efi", "rocky_shim"), ("grubx64.efi", "rocky_grub"),
                      ("mmx64.efi", "rocky_mok")]:
        check(curl(base + "efi/rocky9/" + name, got)[0] == 0, "efi/rocky9/%s failed" % name)
        check(same(got, paths[key]), "efi/rocky9/%s differs" % name)
    check(curl(base + "efi/rocky9/BOOTX64.CSV", got)[0] == 68, "a missing vendor file answered")
    check(curl(base + "efi/nosuch/grubx64.efi", got)[0] == 68, "unknown distro answered")
    check(curl(base + "efi/sles15/grub.efi", got)[0] == 0
          and same(got, paths["suse_grub"]), "efi.grub under grub.efi")
    # RHEL's GRUB reads grub.cfg next to itself
    check(curl(base + "efi/rocky9/grub.cfg", got)[0] == 0, "efi/rocky9/grub.cfg failed")
    with open(got) as f:
        check("GRUB configuration for web01" in f.read(), "efi/<distro>/grub.cfg not per client")


def case_http(e):
    """Kernels over HTTP: grub.cfg sets pxf_root to (http,127.0.0.1:PORT) when
    GRUB can load http.mod, the linux line uses it and the http plugin's ks
    URL; the kernel and initrd come through file.open over HTTP."""
    if not needs(e, "tftp", "http", "httptest"):
        return 77
    tport = free_port(socket.SOCK_DGRAM)
    hport = free_port(socket.SOCK_STREAM)
    for d in ["tftproot", "httproot"]:
        os.makedirs(os.path.join(e.root, d))
    paths = setup(e, extra_plugins="""\
  tftp:
    addresses: [127.0.0.1]
    port: %d
    root: %s/tftproot
  http:
    addresses: [127.0.0.1]
    port: %d
    root: %s/httproot
  httptest:
    owners: [127.0.0.1=%s]
""" % (tport, e.root, hport, e.root, MAC))
    # the http plugin's ks URL, not the profile's
    yaml = os.path.join(e.config, "pxeforge.yaml")
    with open(yaml) as f:
        text = f.read().replace("    variables:\n      ks_url: http://192.0.2.1/ks.cfg\n", "")
    e.write(yaml, text.replace("  ks_url: http://192.0.2.1/global-ks.cfg\n", ""))
    e.start()
    got = os.path.join(e.root, "got")
    check(curl("tftp://127.0.0.1:%d/grub/grub.cfg" % tport, got)[0] == 0, "grub.cfg failed")
    with open(got) as f:
        cfg = f.read()
    print(cfg)
    server = "127.0.0.1:%d" % hport
    check("\nset pxf_http=(http,%s)\nset pxf_root=\ninsmod http\n"
          "source ${pxf_http}/grub/http-check\nexport pxf_root\n" % server in cfg,
          "HTTP root, if GRUB can")
    # what GRUB sources over HTTP
    rc, code = curl("http://%s/grub/http-check" % server, got)
    with open(got) as f:
        check(rc == 0 and code == "200" and f.read() == 'set pxf_root="$pxf_http"\n',
              "grub/http-check over HTTP")
    check("  linux ${pxf_root}/boot/%s/vmlinuz ks=http://%s/ks/%s ip=dhcp BOOTIF=01-%s" % (
        DASHES, server, MAC, DASHES) in cfg, "linux line over HTTP")
    check("  initrd ${pxf_root}/boot/%s/initrd.img\n" % DASHES in cfg, "initrd line over HTTP")
    for name in ["vmlinuz", "initrd.img"]:
        rc, code = curl("http://%s/boot/%s/%s" % (server, DASHES, name), got)
        check(rc == 0 and code == "200", "%s over HTTP" % name)
        check(same(got, paths["kernel" if name == "vmlinuz" else "initrd"]),
              "%s over HTTP differs" % name)
    rc, code = curl("http://%s/shimx64.efi" % server, got)
    check(code == "200" and same(got, paths["shim"]), "shim over HTTP")


CASES = {
    "explain": case_explain,
    "explain-pxelinux": case_explain_pxelinux,
    "unknown": case_unknown,
    "vendor": case_vendor,
    "bad-config": case_bad_config,
    "tftp": case_tftp,
    "http": case_http,
}


def make_env():
    e = Env(BUILD, "pxf-grub-efi-", [plugin_so(BUILD, n) for n in PLUGINS] + [HTTPTEST_SO],
            dirs=["files"])
    e.files = e.path("files")
    if not e.has_plugin("grub-efi"):
        e.close()
        raise Skip("the grub-efi plugin is not built")
    return e


if __name__ == "__main__":
    sys.exit(main(make_env, CASES[sys.argv[3]]))
