#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The pxelinux plugin inside a real pxeforged: `pxeforge explain` walks a
BIOS boot through boot.select and file.open (pxelinux.0 from the syslinux
directories, pxelinux.cfg/01-<mac>, pxelinux.cfg/default, and the kernel and
initrd the configuration loads), and, when the tftp
plugin is built, the same files are fetched over TFTP on 127.0.0.1.

usage: pxelinux-daemon.py BUILDDIR SRCDIR CASE
"""
import os
import re
import shutil
import socket
import subprocess
import sys

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from pxftest import TIMEOUT, Env, built_plugins, check, free_port, main  # noqa: E402

TEMPLATES = os.path.join(SRC, "plugins", "pxelinux", "templates")
KS_TEMPLATE = os.path.join(SRC, "plugins", "kickstart", "templates",
                           "centos7-ks.cfg.mustache")
MAC = "52:54:00:12:34:56"
DASHES = "52-54-00-12-34-56"


def setup(e, pxelinux_extra="", extra_plugins=""):
    """An inventory with one installing host, one with netboot off, a fake
    syslinux tree, kernel and initrd."""
    syslinux = os.path.join(e.files, "syslinux")
    e.write(os.path.join(syslinux, "pxelinux.0"), b"\x00pxelinux-test-image\xff" * 64, "wb")
    e.write(os.path.join(syslinux, "ldlinux.c32"), b"ldlinux" * 100, "wb")
    e.write(os.path.join(syslinux, "menu.c32"), b"menu" * 100, "wb")
    kernel = e.write(os.path.join(e.files, "vmlinuz"), b"KERNEL" * 5000, "wb")
    initrd = e.write(os.path.join(e.files, "initrd.img"), b"INITRD" * 9000, "wb")
    e.write(os.path.join(e.config, "pxeforge.yaml"), """\
daemon:
  debug: true
variables:
  timezone: UTC
  ks_url: http://192.0.2.1/global-ks.cfg
distros:
  centos7:
    kernel: %(kernel)s
    initrd: %(initrd)s
    tree: http://192.0.2.1/distros/centos7/
profiles:
  web:
    distro: centos7
    os: kickstart
    template: %(ks)s
    variables:
      ks_url: http://192.0.2.1/ks.cfg
hosts:
  - mac: %(mac)s
    hostname: web01
    profile: web
  - mac: 52:54:00:00:00:02
    hostname: web02
    profile: web
    netboot: false
plugins:
  pxelinux:
    host_template: %(templates)s/host.cfg.mustache
    menu_template: %(templates)s/menu.cfg.mustache
    syslinux_dirs: [%(files)s/nowhere, %(syslinux)s]
    kernel_args: console=ttyS0,115200
%(extra)s%(plugins)s""" % dict(kernel=kernel, initrd=initrd, ks=KS_TEMPLATE, mac=MAC,
                              templates=TEMPLATES, files=e.files, syslinux=syslinux,
                              extra=pxelinux_extra, plugins=extra_plugins))
    return syslinux, kernel, initrd


def case_explain(e):
    """A known BIOS host: pxelinux.0 from the syslinux directories and its
    own configuration; netboot off: local boot; UEFI: not pxelinux's."""
    syslinux, kernel, initrd = setup(e)
    e.start()
    p = e.cli("plugins")
    check("pxelinux" in p.stdout and "bootloader" in p.stdout and "refused" not in p.stdout,
          "pxelinux not running")
    check("boot.select" in p.stdout and "file.open" in p.stdout, "pxelinux hooks not listed")

    out = e.cli("explain", "--mac", MAC).stdout
    check("[pxelinux] boot file pxelinux.0 from this server" in out, "no pxelinux.0 boot file")
    size = os.path.getsize(os.path.join(syslinux, "pxelinux.0"))
    check("[pxelinux] pxelinux.0: file %s/pxelinux.0, %d bytes" % (syslinux, size) in out,
          "pxelinux.0 not served from the syslinux directory")
    check("[pxelinux] pxelinux.cfg/01-%s: rendered" % DASHES in out, "no host configuration")
    check("| DEFAULT install" in out, "host does not install")
    check("|   KERNEL boot/%s/vmlinuz" % DASHES in out, "wrong kernel path")
    # the profile's own ks_url wins over the global one
    check("|   APPEND initrd=boot/%s/initrd.img ks=http://192.0.2.1/ks.cfg ip=dhcp "
          "console=ttyS0,115200" % DASHES in out, "wrong APPEND line")
    check("|   IPAPPEND 2" in out, "no IPAPPEND 2")
    check("pxelinux.cfg/default" not in out, "went on to default for a known host")
    # what pxelinux then loads, and that it is the distro's kernel and initrd
    append = ("initrd=boot/%s/initrd.img ks=http://192.0.2.1/ks.cfg ip=dhcp "
              "console=ttyS0,115200" % DASHES)
    for what, name, path in (("kernel", "vmlinuz", kernel), ("initrd", "initrd.img", initrd)):
        check("boot.loads                         [pxelinux] %s boot/%s/%s" % (what, DASHES, name)
              in out, "no %s line" % what)
        check("file.open (%s, tftp)" % what in out
              and "[pxelinux] boot/%s/%s: file %s, %d bytes"
              % (DASHES, name, path, os.path.getsize(path)) in out,
              "the %s is not the distro's" % what)
    check("boot.loads                         [pxelinux] cmdline " + append in out,
          "no command line")
    summary = out[out.index("== summary"):]
    check("stage 1, PXE ROM (bios):" in summary
          and "boot file pxelinux.0 over tftp from this server, chosen by pxelinux" in summary
          and "config    pxelinux.cfg/01-%s over tftp" % DASHES in summary
          and "kernel    boot/%s/vmlinuz" % DASHES in summary
          and "initrd    boot/%s/initrd.img" % DASHES in summary
          and "cmdline   " + append in summary and "stage 2" not in summary,
          "summary:\n" + summary)
    # explain changes nothing
    p = e.cli("state", MAC, expect=None)
    check("booting" not in p.stdout, "explain moved the host to booting")

    out = e.cli("explain", "--mac", "52:54:00:00:00:02").stdout
    check("[pxelinux] boot file pxelinux.0" in out, "netboot-off host got no pxelinux")
    check("| # boots from its local disk: netboot is off" in out and "| DEFAULT local" in out
          and "|   LOCALBOOT 0" in out and "KERNEL" not in out, "netboot off is not local boot")
    check("[pxelinux] no kernel line" in out and "boot.loads                         [pxelinux] kernel"
          not in out, "netboot off: a kernel")

    out = e.cli("explain", "--mac", MAC, "--arch", "efi64").stdout
    check("[pxelinux]" not in out, "pxelinux answered a UEFI machine")


def case_unknown(e):
    """Unknown machines: pxelinux.cfg/01-<mac> refused, the menu defaulting
    to the local disk after 10 s; `local` and `ignore` policies."""
    setup(e)
    e.start()
    out = e.cli("explain", "--mac", "52:54:00:99:99:99").stdout
    check("[pxelinux] boot file pxelinux.0" in out, "unknown machine got no pxelinux")
    check("[pxelinux] pxelinux.cfg/01-52-54-00-99-99-99: not found (refused)" in out,
          "01-<mac> of an unknown machine not refused")
    check("[pxelinux] pxelinux.cfg/default: rendered" in out, "no menu")
    check("| UI menu.c32" in out and "| TIMEOUT 100" in out and "| DEFAULT local" in out,
          "menu does not boot the local disk after 10 s")
    check(out.index("| TIMEOUT 100") < out.index("| DEFAULT local"), "DEFAULT before TIMEOUT")
    check("|   MENU LABEL Boot from ^local drive" in out and "LABEL install" not in out,
          "menu entries wrong")

    e.write(os.path.join(e.config, "conf.d", "50-pxelinux.yaml"),
            "plugins:\n  pxelinux:\n    unknown_hosts: local\n")
    e.cli("reload")
    out = e.cli("explain", "--mac", "52:54:00:99:99:99").stdout
    check("| # pxeforge: this machine boots from its local disk" in out
          and "|   LOCALBOOT 0" in out and "MENU" not in out, "unknown_hosts local")

    e.write(os.path.join(e.config, "conf.d", "50-pxelinux.yaml"),
            "plugins:\n  pxelinux:\n    unknown_hosts: ignore\n")
    e.cli("reload")
    out = e.cli("explain", "--mac", "52:54:00:99:99:99").stdout
    check("boot.select" in out and "[pxelinux] no answer" in out, "unknown_hosts ignore")
    out = e.cli("explain", "--mac", MAC).stdout
    check("[pxelinux] boot file pxelinux.0" in out, "ignore dropped a known host")


def case_bad_config(e):
    """A menu default the menu does not have refuses the plugin, saying where."""
    setup(e, pxelinux_extra="    menu_default: install\n")
    e.start()
    p = e.cli("plugins")
    yaml = os.path.join(e.config, "pxeforge.yaml")
    check("pxelinux" in p.stdout and "refused" in p.stdout
          and yaml + ":" in p.stdout
          and "the menu has no 'install' entry without menu_kernel" in p.stdout,
          "bad menu_default not refused with its place")


def tftp_get(port, path, dest, source=None):
    """curl's TFTP client; returns its exit code (68: file not found)."""
    cmd = ["curl", "-sS", "--max-time", "10", "-o", dest]
    if source is not None:
        cmd += ["--interface", source]
    p = subprocess.run(cmd + ["tftp://127.0.0.1:%d/%s" % (port, path)],
                       capture_output=True, text=True, timeout=TIMEOUT)
    print("tftp get %s%s: curl exit %d %s" % (path, " from " + source if source else "",
                                              p.returncode, p.stderr.strip()))
    return p.returncode


def owners():
    """The test plugin httptest leases 127.0.0.1 to the host, as the dhcp
    plugin would on an ACK (the inventory refuses loopback fixed addresses);
    127.0.0.2 stays nobody's."""
    return "  httptest:\n    owners: [127.0.0.1=%s]\n" % MAC


def case_tftp(e):
    """What pxelinux fetches, over TFTP on 127.0.0.1: pxelinux.0 and
    ldlinux.c32 byte for byte, the UUID probe refused, the host's
    configuration (which moves it to booting from the host's own address
    only), its kernel, and the menu."""
    for name in ["tftp", "httptest"]:
        if not e.has_plugin(name):
            print("SKIP: the %s plugin is not built" % name)
            return 77
    if shutil.which("curl") is None:
        print("SKIP: curl is not installed")
        return 77
    port = free_port(socket.SOCK_DGRAM)
    tftproot = os.path.join(e.root, "tftproot")
    os.makedirs(tftproot)
    syslinux, kernel, _ = setup(e, extra_plugins="""\
  tftp:
    addresses: [127.0.0.1]
    port: %d
    root: %s
%s""" % (port, tftproot, owners()))
    e.start()
    got = os.path.join(e.root, "got")
    for name in ["pxelinux.0", "ldlinux.c32"]:
        check(tftp_get(port, name, got) == 0, "TFTP %s failed" % name)
        with open(got, "rb") as a, open(os.path.join(syslinux, name), "rb") as b:
            check(a.read() == b.read(), "%s differs from the syslinux file" % name)
    check(tftp_get(port, "pxelinux.cfg/4c4c4544-0042-3510-8057-b4c04f4a4d31", got) == 68,
          "UUID probe was answered")
    # from nobody's address: served (the README), the state stays
    check(tftp_get(port, "pxelinux.cfg/01-" + DASHES, got, "127.0.0.2") == 0,
          "host configuration from 127.0.0.2")
    check("booting" not in e.cli("state", MAC, expect=None).stdout,
          "a fetch from an address nobody leased moved the host")
    check(tftp_get(port, "pxelinux.cfg/01-" + DASHES, got) == 0, "host configuration failed")
    with open(got) as f:
        cfg = f.read()
    print(cfg)
    check("DEFAULT install" in cfg and "KERNEL boot/%s/vmlinuz" % DASHES in cfg
          and "IPAPPEND 2" in cfg, "host configuration wrong over TFTP")
    check(tftp_get(port, "boot/%s/vmlinuz" % DASHES, got) == 0, "kernel failed")
    with open(got, "rb") as a, open(kernel, "rb") as b:
        check(a.read() == b.read(), "kernel differs")
    p = e.cli("state", MAC)
    check("booting" in p.stdout, "serving the configuration did not move the host to booting")
    check(tftp_get(port, "pxelinux.cfg/default", got) == 0, "menu failed")
    with open(got) as f:
        check("DEFAULT local" in f.read(), "menu over TFTP wrong")


def http(method, url, dest, source=None):
    cmd = ["curl", "-sS", "--max-time", "10", "-X", method, "-o", dest, "-w", "%{http_code}"]
    if source is not None:
        cmd += ["--interface", source]
    p = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=TIMEOUT)
    print("%s %s%s: %s %s" % (method, url, " from " + source if source else "", p.stdout,
                              p.stderr.strip()))
    return p.stdout


def install_setup(e):
    """tftp, http (kernels over HTTP) and kickstart on 127.0.0.1, with the
    http plugin's ks URL; (kernel, TFTP port, HTTP port), or Nones to skip."""
    for name in ["tftp", "http", "kickstart", "httptest"]:
        if not e.has_plugin(name):
            print("SKIP: the %s plugin is not built" % name)
            return None, None, None
    if shutil.which("curl") is None:
        print("SKIP: curl is not installed")
        return None, None, None
    tport = free_port(socket.SOCK_DGRAM)
    hport = free_port()
    for d in ["tftproot", "httproot"]:
        os.makedirs(os.path.join(e.root, d))
    _, kernel, _ = setup(e, pxelinux_extra="    kernel_transport: http\n", extra_plugins="""\
  tftp:
    addresses: [127.0.0.1]
    port: %d
    root: %s/tftproot
  http:
    addresses: [127.0.0.1]
    port: %d
    root: %s/httproot
  kickstart: {}
%s""" % (tport, e.root, hport, e.root, owners()))
    # the http plugin's ks URL, not the profile's
    yaml = os.path.join(e.config, "pxeforge.yaml")
    with open(yaml) as f:
        text = f.read().replace("    variables:\n      ks_url: http://192.0.2.1/ks.cfg\n",
                                "    variables:\n      rootpw: hunter2-but-longer\n")
    e.write(yaml, text.replace("  ks_url: http://192.0.2.1/global-ks.cfg\n", ""))
    return kernel, tport, hport


def case_lifecycle(e):
    """A whole install as the machine sees it, with kernels over HTTP
    (lpxelinux.0): its pxelinux configuration over TFTP (booting), kernel and
    kickstart over HTTP (installing), the %post report with the token from
    the kickstart (installed), and then a configuration that boots the disk."""
    kernel, tport, hport = install_setup(e)
    if kernel is None:
        return 77
    e.start()
    base = "http://127.0.0.1:%d" % hport
    out = e.cli("explain", "--mac", MAC).stdout
    check("[pxelinux] boot file lpxelinux.0" in out, "HTTP transport without lpxelinux.0")

    got = os.path.join(e.root, "got")
    check(tftp_get(tport, "pxelinux.cfg/01-" + DASHES, got) == 0, "host configuration")
    with open(got) as f:
        cfg = f.read()
    print(cfg)
    check("KERNEL %s/boot/%s/vmlinuz\n" % (base, DASHES) in cfg, "kernel URL")
    check("APPEND initrd=%s/boot/%s/initrd.img ks=%s/ks/%s ip=dhcp" % (base, DASHES, base, MAC)
          in cfg, "APPEND with the http plugin's ks URL")
    check("booting" in e.cli("state", MAC).stdout, "not booting")

    check(http("GET", "%s/boot/%s/vmlinuz" % (base, DASHES), got) == "200", "kernel over HTTP")
    with open(got, "rb") as a, open(kernel, "rb") as b:
        check(a.read() == b.read(), "kernel over HTTP differs")

    check(http("GET", "%s/ks/%s" % (base, MAC), got) == "200", "kickstart over HTTP")
    with open(got) as f:
        ks = f.read()
    print(ks)
    check("hunter2" not in ks and "\nrootpw --iscrypted $6$" in ks, "root password")
    check("\nurl --url=http://192.0.2.1/distros/centos7/\n" in ks, "install source")
    done = re.search(r'^url="(%s/api/v1/hosts/%s/done\?token=[0-9a-f]{32})"$' % (
        re.escape(base), re.escape(MAC)), ks, re.M)
    check(done is not None, "no done report with a token in %post")
    check("installing" in e.cli("state", MAC).stdout, "not installing after the kickstart")

    # what %post does
    check(http("POST", done.group(1), got) == "200", "done report refused")
    check("installed" in e.cli("state", MAC).stdout, "not installed after the report")
    check(http("POST", done.group(1), got) != "200", "a used token was accepted again")

    check(tftp_get(tport, "pxelinux.cfg/01-" + DASHES, got) == 0, "configuration after install")
    with open(got) as f:
        cfg = f.read()
    check("# boots from its local disk: installed" in cfg and "DEFAULT local" in cfg
          and "KERNEL" not in cfg, "an installed host does not boot its disk")


def token_file(e):
    return os.path.join(e.state, "tokens", MAC + ".json")


def case_attacks(e):
    """Issue 10, both attacks, as a daemon sees them. A stranger (127.0.0.2:
    no lease, no fixed address) fetching pxelinux.cfg/01-<mac> over TFTP
    and HTTP is served the file, but the failed host stays failed. The
    installed system (127.0.0.1, the host's own lease) asking for its
    kickstart gets 409 with neither hash nor token, no token is minted, and
    its failed (and done) report with the install's old token gets 409: the
    host stays installed and its next boot is the local disk."""
    kernel, tport, hport = install_setup(e)
    if kernel is None:
        return 77
    e.seed_state(MAC, "failed")
    e.start()
    base = "http://127.0.0.1:%d" % hport
    cfg_path = "pxelinux.cfg/01-" + DASHES
    got = os.path.join(e.root, "got")

    check(tftp_get(tport, cfg_path, got, "127.0.0.2") == 0, "TFTP config from 127.0.0.2")
    with open(got) as f:
        check("DEFAULT install" in f.read(), "the stranger was not served the config")
    check(e.state_of(MAC) == "failed", "a stranger's TFTP fetch moved the failed host")
    check(http("GET", "%s/%s" % (base, cfg_path), got, "127.0.0.2") == "200",
          "HTTP config from 127.0.0.2")
    check(e.state_of(MAC) == "failed", "a stranger's HTTP fetch moved the failed host")
    check(not os.path.exists(token_file(e)), "a stranger's fetch minted a token")
    # nor may the stranger fetch the answer file
    check(http("GET", "%s/ks/%s" % (base, MAC), got, "127.0.0.2") == "403",
          "the kickstart served to a stranger")

    # the machine itself retries its failed install: booting, a new token
    check(tftp_get(tport, cfg_path, got) == 0, "its own config")
    check(e.state_of(MAC) == "booting", "its own fetch did not start the install")
    with open(token_file(e)) as f:
        token = f.read().strip()
    check(re.fullmatch(r"[0-9a-f]{32}", token), "no token minted on booting: %r" % token)
    check(http("GET", "%s/ks/%s" % (base, MAC), got) == "200", "its kickstart")
    with open(got) as f:
        ks = f.read()
    check("?token=%s\"" % token in ks, "the kickstart carries another token")
    check(http("GET", "%s/ks/%s" % (base, MAC), got) == "200", "its kickstart again")
    with open(got) as f:
        check("?token=%s\"" % token in f.read(), "a second render has another token")
    check(e.state_of(MAC) == "installing", "not installing")
    done = "%s/api/v1/hosts/%s/done?token=%s" % (base, MAC, token)
    check(http("POST", done, got) == "200", "done report")
    check(e.state_of(MAC) == "installed", "not installed")
    check(not os.path.exists(token_file(e)), "the used token was kept")

    # attack 1, from the installed host's own address
    check(http("GET", "%s/ks/%s" % (base, MAC), got) == "409",
          "an installed host was served its kickstart")
    with open(got) as f:
        body = f.read()
    check("token" not in body and "rootpw" not in body, "409 with the answer file: " + body)
    check(not os.path.exists(token_file(e)), "GET /ks minted a token for an installed host")
    failed = "%s/api/v1/hosts/%s/failed?token=%s" % (base, MAC, token)
    check(http("POST", failed, got) == "409", "failed with the old token is not 409")
    check(http("POST", done, got) == "409", "done for an installed host is not 409")
    check(http("POST", failed.replace(token, "0" * 32), got) == "409",
          "failed with a made-up token is not 409")
    check(e.state_of(MAC) == "installed", "the installed host moved")
    log = e.daemon_log()
    check("refusing the answer file of %s to 127.0.0.1: host %s is installed" % (MAC, MAC)
          in log, "no refusal logged for the installed host's kickstart:\n" + log)
    check(token not in log, "the token is in the log")

    # its next boot, and a stranger's fetch, are the local disk; nothing moves
    for source in (None, "127.0.0.2"):
        check(tftp_get(tport, cfg_path, got, source) == 0, "config after install")
        with open(got) as f:
            cfg = f.read()
        check("DEFAULT local" in cfg and "KERNEL" not in cfg and "clearpart" not in cfg,
              "an installed host does not boot its disk")
    check(e.state_of(MAC) == "installed", "a config fetch moved the installed host")

    # only the operator starts over, with a token of its own
    p = e.cli("host", "reinstall", MAC)
    check("booting" in p.stdout, "reinstall: " + p.stdout)
    with open(token_file(e)) as f:
        token2 = f.read().strip()
    check(re.fullmatch(r"[0-9a-f]{32}", token2) and token2 != token, "reinstall token")
    check(http("GET", "%s/ks/%s" % (base, MAC), got) == "200", "kickstart after reinstall")
    with open(got) as f:
        check("?token=%s\"" % token2 in f.read(), "the reinstall's token not in the kickstart")


CASES = {
    "attacks": case_attacks,
    "explain": case_explain,
    "lifecycle": case_lifecycle,
    "unknown": case_unknown,
    "bad-config": case_bad_config,
    "tftp": case_tftp,
}


def make_env():
    e = Env(BUILD, "pxf-pxelinux-", built_plugins(BUILD, tests=True), dirs=["files"])
    e.files = e.path("files")
    return e


if __name__ == "__main__":
    sys.exit(main(make_env, CASES[sys.argv[3]]))
