#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The preseed plugin inside a real pxeforged, with the http and pxelinux
plugins: what `pxeforge render` shows, what a machine gets over HTTP
(/ks/<mac>, its pxelinux configuration with d-i's kernel arguments), the
preseed's own early and late commands run with busybox's wget as d-i runs
them, and debconf-set-selections --checkonly on every preseed.

usage: preseed-daemon.py BUILDDIR SRCDIR CASE
"""
import os
import re
import shutil
import subprocess
import sys

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "plugins", "common"))
from osprofile_daemon import Env, Fail, Skip, check, crypt, run  # noqa: E402

TEMPLATE = os.path.join(SRC, "plugins", "preseed", "templates", "debian12-preseed.cfg.mustache")
PXELINUX_TEMPLATES = os.path.join(SRC, "plugins", "pxelinux", "templates")
MAC = "52:54:00:12:34:56"  # leased 127.0.0.2 (httptest)
MAC2 = "52:54:00:12:34:57"  # leased 127.0.0.3, reports from its early_command
MAC3 = "52:54:00:12:34:58"  # a late_command with a line break: never rendered
PLAIN = "correct horse battery staple"
TOKEN_RE = r"[0-9a-f]{32}"

CONFIG = """\
daemon:
  debug: true
variables:
  timezone: Europe/Berlin
distros:
  bookworm:
    kernel: %(root)s/di/linux
    initrd: %(root)s/di/initrd.gz
    tree: %(root)s/mirror
profiles:
  deb:
    distro: bookworm
    os: preseed
    template: %(template)s
    variables:
      rootpw: %(plain)s
      packages: [vim, curl]
hosts:
  - mac: %(mac)s
    hostname: deb01.lab.example.org
    profile: deb
  - mac: %(mac2)s
    hostname: deb02
    profile: deb
    variables:
      early_command: wget -q -O /dev/null --post-data='reason=early_command reached' "$PXF_FAILED_URL"
  - mac: %(mac3)s
    profile: deb
    variables:
      late_command: "true\\nd-i passwd/root-password-crypted password $1$smuggled"
plugins:
  http:
    addresses: [127.0.0.1]
    port: %(port)d
    root: %(root)s/www
  httptest:
    owners: [127.0.0.2=%(mac)s, 127.0.0.3=%(mac2)s]
  pxelinux:
    host_template: %(pxelinux)s/host.cfg.mustache
    menu_template: %(pxelinux)s/menu.cfg.mustache
    kernel_transport: http
    kernel_args: console=ttyS0,115200
  preseed:
    rootpw_rounds: 6000
%(extra)s"""


def setup(e, extra=""):
    for d in ("di", "mirror/dists/bookworm", "www"):
        os.makedirs(e.path(d), exist_ok=True)
    for f in ("di/linux", "di/initrd.gz"):
        with open(e.path(f), "wb") as out:
            out.write(b"\0" * 64)
    e.write("pxeforge.yaml", CONFIG % dict(root=e.root, template=TEMPLATE, plain=PLAIN, mac=MAC,
                                           mac2=MAC2, mac3=MAC3, port=e.port, pxelinux=PXELINUX_TEMPLATES,
                                           extra=extra))


def debconf_checkonly(e, preseed):
    """debconf's parser: exit 0 and no warning (unknown types only warn)."""
    tool = shutil.which("debconf-set-selections")
    if tool is None:
        raise Skip("needs debconf-set-selections (package debconf)")
    path = e.path("preseed.cfg")
    with open(path, "w") as f:
        f.write(preseed)
    # A private debconf database: debconf locks it even with --checkonly, and
    # exits 1 silently when something else on the machine holds the lock.
    rc = e.path("debconf.conf")
    with open(rc, "w") as f:
        f.write("Config: configdb\nTemplates: templatedb\n\n"
                "Name: configdb\nDriver: File\nFilename: %s\n\n"
                "Name: templatedb\nDriver: File\nFilename: %s\n"
                % (e.path("debconf-config.dat"), e.path("debconf-templates.dat")))
    p = subprocess.run([tool, "--checkonly", path], capture_output=True, text=True,
                       env=dict(os.environ, DEBCONF_SYSTEMRC=rc))
    check(p.returncode == 0 and p.stderr == "",
          "debconf-set-selections --checkonly: %d %s" % (p.returncode, p.stderr))


def answer(preseed, question):
    """The value of a d-i question in a preseed."""
    m = re.search(r"^d-i %s \S+ ?(.*)$" % re.escape(question), preseed, re.M)
    check(m is not None, "no %s in the preseed" % question)
    return m.group(1)


def run_di_command(e, command):
    """A preseed command as d-i runs it: sh -c, with busybox's wget."""
    busybox = shutil.which("busybox")
    if busybox is None:
        raise Skip("needs busybox for d-i's wget")
    bindir = e.path("bin")
    os.makedirs(bindir, exist_ok=True)
    if not os.path.exists(os.path.join(bindir, "wget")):
        os.symlink(busybox, os.path.join(bindir, "wget"))
    env = dict(os.environ, PATH=bindir + ":/usr/bin:/bin")
    env.pop("http_proxy", None)
    p = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True,
                       timeout=30)
    print("$ sh -c %r -> %d %s" % (command, p.returncode, p.stderr.strip()))
    return p.returncode


def case_render(e):
    """`pxeforge render` and `explain` through the running daemon."""
    setup(e)
    e.start()
    p = e.cli("plugins")
    check(re.search(r"^preseed\s+profile\s", p.stdout, re.M) is not None
          and "profile.render" in p.stdout and "template.vars" in p.stdout,
          "preseed is not running with its hooks")

    p = e.cli("render", "--mac", MAC)
    cfg = p.stdout
    debconf_checkonly(e, cfg)
    hash_ = answer(cfg, "passwd/root-password-crypted")
    check(re.fullmatch(r"\$6\$rounds=6000\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}", hash_),
          "root password is not a SHA-512 crypt hash: " + hash_)
    check(crypt(PLAIN, hash_) == hash_, "the hash does not verify with crypt(3)")
    check(PLAIN not in cfg and PLAIN not in p.stderr, "plaintext password in render output")
    check(re.search(r"rootpw\s+=\s+\(redacted\)\s+\(preseed\)", p.stderr) is not None,
          "rootpw not blanked by the plugin")
    # the host's names, the mirror from the http plugin's tree, the zone
    check(answer(cfg, "netcfg/get_hostname") == "deb01", "host name")
    check(answer(cfg, "netcfg/get_domain") == "lab.example.org", "domain")
    check(answer(cfg, "mirror/http/hostname") == "127.0.0.1:%d" % e.port, "mirror host")
    check(answer(cfg, "mirror/http/directory") == "/distros/bookworm", "mirror directory")
    check(answer(cfg, "time/zone") == "Europe/Berlin", "time zone")
    check(answer(cfg, "pkgsel/include") == "vim curl", "packages")
    # a dry render carries the token's placeholder, never a token
    check(answer(cfg, "preseed/late_command") ==
          "wget -q -O /dev/null --post-data='' "
          "'http://127.0.0.1:%d/api/v1/hosts/%s/done?token=(install-token)'" % (e.port, MAC),
          "late_command report")
    check(re.search(r"install\.kernel_args\s+=\s+'auto=true priority=critical "
                    r"url=http://127\.0\.0\.1:%d/ks/%s interface=auto "
                    r"netcfg/get_hostname=deb01 netcfg/get_domain=lab\.example\.org "
                    r"netcfg/get_nameservers='\s+\(preseed\)" % (e.port, MAC), p.stderr)
          is not None, "install.kernel_args not listed as the plugin's")

    # explain: the loader configuration with d-i's arguments, and the preseed
    out = e.cli("explain", "--mac", MAC).stdout
    check("url=http://127.0.0.1:%d/ks/%s" % (e.port, MAC) in out and " ks=" not in out,
          "explain's kernel line")
    check("d-i passwd/root-password-crypted password $6$rounds=6000$" in out
          and PLAIN not in out, "explain's preseed")
    check(PLAIN not in e.daemon_log(), "plaintext password in the daemon log")

    # a line break in a one-line answer is refused, not rendered
    p = e.cli("render", "--mac", MAC3, expect=None)
    check(p.returncode != 0 and "smuggled" not in p.stdout, "a line break was rendered")
    check("variable late_command has a line break" in e.daemon_log(), "no warning naming it")


def case_http(e):
    """What the machines get, and their reports from the preseed's commands."""
    setup(e)
    e.start()
    # the loader configuration: d-i's arguments instead of ks=
    status, cfg = e.curl("/pxelinux.cfg/01-52-54-00-12-34-56", source="127.0.0.2")
    check(status == 200, "pxelinux configuration: %d" % status)
    append = re.search(r"^  APPEND (.*)$", cfg, re.M)
    check(append is not None, "no APPEND line:\n" + cfg)
    check(append.group(1) == (
        "initrd=http://127.0.0.1:%d/boot/52-54-00-12-34-56/initrd.img auto=true "
        "priority=critical url=http://127.0.0.1:%d/ks/%s interface=auto "
        "netcfg/get_hostname=deb01 netcfg/get_domain=lab.example.org netcfg/get_nameservers= "
        "ip=dhcp console=ttyS0,115200" % (e.port, e.port, MAC)), "kernel line: " + append.group(1))
    check(e.state_of(MAC) == "booting", "not booting after its loader configuration")

    # the preseed only for the host's own address
    status, _ = e.curl("/ks/" + MAC, source="127.0.0.1")
    check(status == 403, "preseed served to another address: %d" % status)
    status, cfg = e.curl("/ks/" + MAC, source="127.0.0.2")
    check(status == 200, "preseed: %d" % status)
    debconf_checkonly(e, cfg)
    check(PLAIN not in cfg, "plaintext password served")
    late = answer(cfg, "preseed/late_command")
    check(re.fullmatch(r"wget -q -O /dev/null --post-data='' "
                       r"'http://127\.0\.0\.1:%d/api/v1/hosts/%s/done\?token=%s'"
                       % (e.port, MAC, TOKEN_RE), late) is not None,
          "late_command: " + late)
    check(e.state_of(MAC) == "installing", "not installing after its preseed")
    # the late_command as d-i runs it: busybox wget, token accepted once
    check(run_di_command(e, late) == 0, "late_command's report failed")
    check(e.state_of(MAC) == "installed", "not installed after the late_command's report")
    check(run_di_command(e, late) != 0, "a replayed report was accepted")
    check(e.state_of(MAC) == "installed", "state changed by a replay")

    # the second host's early_command reports through $PXF_FAILED_URL
    e.curl("/pxelinux.cfg/01-52-54-00-12-34-57", source="127.0.0.3")
    status, cfg2 = e.curl("/ks/" + MAC2, source="127.0.0.3")
    check(status == 200, "second preseed: %d" % status)
    debconf_checkonly(e, cfg2)
    early = answer(cfg2, "preseed/early_command")
    check(re.match(r"PXF_DONE_URL='http://127\.0\.0\.1:%d/api/v1/hosts/%s/done\?token=%s'; "
                   % (e.port, MAC2, TOKEN_RE), early) is not None, "early_command: " + early)
    check(run_di_command(e, early) == 0, "early_command's report failed")
    check(e.state_of(MAC2) == "failed", "early_command's report not taken")
    check("early_command reached" in e.cli("state", MAC2).stdout, "reason not recorded")
    for text in (cfg, cfg2):
        token = re.search(r"token=(%s)" % TOKEN_RE, text).group(1)
        check(token not in e.daemon_log(), "an install token in the daemon log")


def case_bad_config(e):
    """Bad settings are refused with their place."""
    setup(e, extra="")
    text = open(os.path.join(e.config, "pxeforge.yaml")).read()
    e.write("pxeforge.yaml", text.replace("rootpw_rounds: 6000", "rootpw_rounds: 10"))
    p = e.cli("check", expect=1)
    yaml = os.path.join(e.config, "pxeforge.yaml")
    check(yaml + ":" in p.stderr and "rootpw_rounds" in p.stderr and "out of range" in p.stderr,
          "bad rootpw_rounds not reported with its place")
    e.write("pxeforge.yaml", text.replace("rootpw_rounds: 6000", "priority: urgent"))
    e.start()
    p = e.cli("plugins")
    check(re.search(r"^preseed\s.*refused", p.stdout, re.M) is not None
          and yaml + ":" in p.stdout and "priority 'urgent'" in p.stdout,
          "bad priority not refused with its place")


CASES = {"render": case_render, "http": case_http, "bad-config": case_bad_config}

if __name__ == "__main__":
    sys.exit(run(lambda: Env(BUILD, "pxf-preseed-", need=("http", "httptest", "pxelinux",
                                                            "preseed")),
                 CASES, sys.argv[3]))
