#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The classic CentOS 6 PXE how-to, reproduced (docs/howto-centos.md).

tests/data/howto-centos is the how-to's setup written as pxeforge
configuration. Each case copies it unchanged to a temporary directory and
adds conf.d/99-test.yaml, with what only this machine can say: a fake DVD and
syslinux directory instead of /srv/pxeforge/distros/c6 and the syslinux
package, and the shipped templates from the source tree. Then it runs
`pxeforge check` and a real pxeforged, fetches what a machine fetches (over
TFTP with curl, and over HTTP), and checks every setting of the how-to's
dhcpd.conf, pxelinux.cfg/default and ks.cfg against tables written from the
how-to's text, plus each place where pxeforge deliberately differs.

  loopback  99-test-loopback.yaml: 127.0.0.1 and high ports instead of eth0,
            the DHCP server without an interface
  netns     the configuration as it is, on the how-to's network: eth0 with
            172.16.100.1/16 and ports 67, 69, 80 in a network namespace, a
            machine of the batch (busybox udhcpc, curl) in another (root)

usage: howto.py BUILDDIR [loopback|netns]...   (default: both)
"""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONFIG = os.path.join(SRC, "tests", "data", "howto-centos")
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
import pxftest  # noqa: E402
from pxftest import TIMEOUT, Fail, check, crypt, free_port, run  # noqa: E402

PLUGINS = ["dhcp", "tftp", "http", "pxelinux", "kickstart"]

# the batch's machines in conf.d/90-hosts.yaml, and one nobody listed
HOST = "52:54:00:ac:10:01"
HOST2 = "52:54:00:ac:10:02"
STRANGER = "52:54:00:ac:10:99"

# ks.cfg: "# Root password（xiaofei.com）"
PASSWORD = "xiaofei.com"
# ks.cfg: "rootpw  --iscrypted  $6$.vc1q3MIhm7CdPfU$PDrz...yRS Vsf8uN76lnHhd/", as
# printed in the how-to: a space inside the hash, which anaconda would take for
# a second argument
HOWTO_HASH = ("$6$.vc1q3MIhm7CdPfU$PDrzE3WQEURV7Dp2XxM3DtOhWZqmGcNMUpsVhnxDq6."
              "yPLWaVcoRNU667cDdUWTxALh3zRyS Vsf8uN76lnHhd/")

# ---------------------------------------------------------------------------
# The how-to's pxelinux.cfg/default, entry by entry, in its order.
#   howto:  the how-to's label
#   label:  the label pxeforge's shipped menu template gives the entry
#   menu:   "menu label ..."
#   kernel: the file the how-to's "kernel" line names, as a path on the DVD
#   args:   the how-to's "append" line without initrd=
#   extra:  arguments pxeforge adds on purpose (see docs/howto-centos.md)
# ---------------------------------------------------------------------------
MENU_ENTRIES = [
    # label linux
    #   menu label ^Install or upgrade an existing system
    #   menu default
    #   kernel vmlinuz
    #   append initrd=initrd.img text ks=http://172.16.100.7/ks.cfg
    dict(howto="linux", label="install", menu="^Install or upgrade an existing system",
         kernel="images/pxeboot/vmlinuz", initrd="images/pxeboot/initrd.img",
         args=["text", "ks=http://172.16.100.7/ks.cfg"], extra=[]),
    # label vesa
    #   menu label Install system with ^basic video driver
    #   kernel vmlinuz
    #   append initrd=initrd.img nomodeset
    # pxeforge's template gives both install entries menu_append: the ks= line
    dict(howto="vesa", label="vesa", menu="Install system with ^basic video driver",
         kernel="images/pxeboot/vmlinuz", initrd="images/pxeboot/initrd.img",
         args=["nomodeset"], extra=["ks=http://172.16.100.7/ks.cfg"]),
    # label rescue
    #   menu label ^Rescue installed system
    #   kernel vmlinuz
    #   append initrd=initrd.img rescue
    dict(howto="rescue", label="rescue", menu="^Rescue installed system",
         kernel="images/pxeboot/vmlinuz", initrd="images/pxeboot/initrd.img",
         args=["rescue"], extra=[]),
    # label local
    #   menu label Boot from ^local drive
    #   localboot 0xffff
    # 0xffff is ISOLINUX's "next boot device" (-1), copied with isolinux.cfg;
    # pxelinux's local boot is LOCALBOOT 0
    dict(howto="local", label="local", menu="Boot from ^local drive", localboot="0"),
    # label memtest86
    #   menu label ^Memory test
    #   kernel memtest
    #   append -
    dict(howto="memtest86", label="memtest", menu="^Memory test",
         kernel="isolinux/memtest", initrd=None, args=["-"], extra=[]),
]
# "default vesamenu.c32   # 默认启动的是label为linux的内核": the menu module
MENU_UI = "vesamenu.c32"
# "timeout 600  # 选择页面超时时间": tenths of a second, 60 s
MENU_TIMEOUT = "600"
# "menu title Welcome to CentOS 6.8!"
MENU_TITLE = "Welcome to CentOS 6.8!"
# "menu default" inside "label linux": the operator's choice, set explicitly
MENU_DEFAULT = "install"

# ---------------------------------------------------------------------------
# The how-to's ks.cfg, directive by directive: (the how-to's line, the
# command and arguments pxeforge must render). Lines are compared after shell
# word splitting (quotes and repeated blanks do not matter) with options in
# any order. url and rootpw are checked on their own below.
# ---------------------------------------------------------------------------
KS_DIRECTIVES = [
    ("firewall --disabled", ["firewall", "--disabled"]),
    ("install", ["install"]),
    ("auth  --useshadow  --passalgo=sha512", ["auth", "--useshadow", "--passalgo=sha512"]),
    ("text", ["text"]),
    ("firstboot --disable", ["firstboot", "--disable"]),
    ("keyboard us", ["keyboard", "us"]),
    ("lang en_US.UTF-8", ["lang", "en_US.UTF-8"]),
    ("selinux --disabled", ["selinux", "--disabled"]),
    ("logging --level=info", ["logging", "--level=info"]),
    ("reboot", ["reboot"]),
    ("timezone --utc Asia/Shanghai", ["timezone", "--utc", "Asia/Shanghai"]),
    ("bootloader --location=mbr", ["bootloader", "--location=mbr"]),
    ("zerombr", ["zerombr"]),
    ("clearpart --all --initlabel", ["clearpart", "--all", "--initlabel"]),
    ('part /boot --fstype="ext4" --size=1000', ["part", "/boot", "--fstype=ext4", "--size=1000"]),
    ('part swap --fstype="swap" --size=4096', ["part", "swap", "--fstype=swap", "--size=4096"]),
    ('part / --fstype="ext4" --grow --size=10000',
     ["part", "/", "--fstype=ext4", "--grow", "--size=10000"]),
]
# url --url="http://172.16.100.7/c6"    # 指定安装介质位置
HOWTO_URL = 'url --url="http://172.16.100.7/c6"'
# %packages
# @chinese-support
# %end
KS_PACKAGES = ["@chinese-support"]
# what pxeforge's answer file has besides the how-to's commands: an explicit
# DHCP network line (anaconda's default for a network install, which the
# how-to relies on) and a %post that reports the install done
KS_ADDED_COMMANDS = {"network": ["network", "--device=link", "--bootproto=dhcp"]}
KS_SECTIONS = ["%packages", "%post"]


def normalize(words):
    """A kickstart command as (command, first argument if positional, options
    in order-independent form)."""
    head = [words[0]]
    rest = list(words[1:])
    if rest and not rest[0].startswith("-"):
        head.append(rest.pop(0))
    return tuple(head) + tuple(sorted(rest))


class Env(pxftest.Env):
    """The copied configuration, a private plugin directory, state, a socket,
    the fake DVD and syslinux files, and the daemon."""

    def __init__(self):
        super().__init__(BUILD, "pxf-howto-", [pxftest.plugin_so(BUILD, n) for n in PLUGINS])
        # copy_config() copies the checked-in configuration there
        os.rmdir(os.path.join(self.config, "conf.d"))
        os.rmdir(self.config)
        # the checked-in /srv/pxeforge/... paths, moved under the root
        self.srv = os.path.join(self.root, "srv", "pxeforge")
        self.dvd = os.path.join(self.srv, "distros", "c6")
        self.syslinux = os.path.join(self.root, "syslinux")
        # where a machine reaches the server, and how to run a command as it
        self.tftp_server = None
        self.http_base = None
        self.http_bases = []
        self.client = []
        self.loopback = True

    def missing_plugins(self):
        return [n for n in PLUGINS if not self.has_plugin(n)]

    def wait_log(self, needle):
        return needle in super().wait_log(needle)

    # -- what a machine fetches ------------------------------------------

    def tftp(self, path):
        """curl's TFTP client: (exit code, bytes); 68 is "file not found"."""
        dest = os.path.join(self.root, "got")
        if os.path.exists(dest):
            os.unlink(dest)
        p = subprocess.run(self.client + ["curl", "-sS", "--max-time", "10", "-o", dest,
                                          "tftp://%s/%s" % (self.tftp_server, path)],
                           capture_output=True, text=True, timeout=TIMEOUT)
        print("tftp get %s: curl exit %d %s" % (path, p.returncode, p.stderr.strip()))
        data = b""
        if p.returncode == 0:
            with open(dest, "rb") as f:
                data = f.read()
        return p.returncode, data

    def tftp_text(self, path):
        rc, data = self.tftp(path)
        check(rc == 0, "TFTP %s failed (curl exit %d)" % (path, rc))
        return data.decode()

    def http(self, url, method="GET"):
        """curl over HTTP: (status, body)."""
        check(url.startswith(self.http_base + "/"), "%s is not on this test's server" % url)
        dest = os.path.join(self.root, "got")
        p = subprocess.run(self.client + ["curl", "-sS", "--max-time", "10", "-X", method,
                                          "-o", dest, "-w", "%{http_code}", url],
                           capture_output=True, text=True, timeout=TIMEOUT)
        print("http %s %s: %s %s" % (method, url, p.stdout, p.stderr.strip()))
        check(p.returncode == 0, "curl %s failed: %s" % (url, p.stderr))
        with open(dest, "rb") as f:
            return int(p.stdout), f.read()


def make_files(e):
    """The DVD (a few files of the CentOS 6.8 tree) and syslinux's files."""
    e.dvd_files = {
        "images/pxeboot/vmlinuz": b"\x4d\x5avmlinuz-2.6.32-642" + os.urandom(4096),
        "images/pxeboot/initrd.img": b"\x1f\x8binitrd" + os.urandom(20000),
        "isolinux/memtest": b"memtest86+-4.10" + os.urandom(3000),
        ".treeinfo": b"[general]\nfamily = CentOS\nversion = 6.8\narch = x86_64\n",
        "repodata/repomd.xml": b"<?xml version=\"1.0\"?><repomd/>\n",
    }
    for rel, data in e.dvd_files.items():
        e.write(os.path.join(e.dvd, rel), data)
    e.syslinux_files = {
        "pxelinux.0": b"\x00pxelinux-4.04" + os.urandom(2000),
        "ldlinux.c32": b"ldlinux" + os.urandom(1000),
        "vesamenu.c32": b"vesamenu" + os.urandom(1000),
    }
    for name, data in e.syslinux_files.items():
        e.write(os.path.join(e.syslinux, name), data)
    os.makedirs(os.path.join(e.srv, "tftp"))
    os.makedirs(os.path.join(e.srv, "http"))


# Paths of the checked-in configuration that must exist, and where the copy
# finds them: (path prefix, files that must use it)
REWRITES = [
    ("/srv/pxeforge/", ["pxeforge.yaml", "conf.d/30-tftp.yaml", "conf.d/40-http.yaml",
                        "conf.d/50-pxelinux.yaml"]),
    ("/usr/share/pxeforge/templates/kickstart/", ["pxeforge.yaml"]),
]


def copy_config(e, loopback):
    """The checked-in configuration with its paths moved under the temporary
    root (the fake DVD is /srv/pxeforge/distros/c6 there), and
    conf.d/99-test.yaml for what an installed pxeforge finds by itself: the
    syslinux files and the pxelinux templates. Nothing else changes; on
    loopback, 99-test-loopback.yaml overrides where to listen (later files
    override single keys, docs/configuration.md)."""
    shutil.copytree(CONFIG, e.config)
    targets = {
        "/srv/pxeforge/": e.srv + "/",
        "/usr/share/pxeforge/templates/kickstart/":
            os.path.join(SRC, "plugins", "kickstart", "templates") + "/",
    }
    for prefix, files in REWRITES:
        for rel in files:
            with open(os.path.join(CONFIG, rel)) as f:
                check(prefix in f.read(), "%s does not use %s any more" % (rel, prefix))
    for top, _, names in os.walk(e.config):
        for name in names:
            path = os.path.join(top, name)
            with open(path) as f:
                text = f.read()
            for prefix, target in targets.items():
                text = text.replace(prefix, target)
            e.write(path, text)
    templates = os.path.join(SRC, "plugins", "pxelinux", "templates")
    e.write(os.path.join(e.config, "conf.d", "99-test.yaml"), """\
# written by tests/howto/howto.py: what an installed pxeforge finds by itself
plugins:
  pxelinux:
    syslinux_dirs: [%(syslinux)s]
    host_template: %(templates)s/host.cfg.mustache
    menu_template: %(templates)s/menu.cfg.mustache
""" % dict(syslinux=e.syslinux, templates=templates))
    if not loopback:
        return
    tftp_port = free_port(socket.SOCK_DGRAM)
    http_port = free_port(socket.SOCK_STREAM)
    e.tftp_server = "127.0.0.1:%d" % tftp_port
    e.http_base = "http://127.0.0.1:%d" % http_port
    e.http_bases = [e.http_base]
    e.write(os.path.join(e.config, "conf.d", "99-test-loopback.yaml"), """\
# written by tests/howto/howto.py: loopback and high ports instead of eth0,
# and no DHCP server
daemon:
  interfaces: []
plugins:
  dhcp:
    interfaces: []
  tftp:
    addresses: [127.0.0.1]
    port: %(tftp)d
  http:
    addresses: [127.0.0.1]
    port: %(http)d
    # the machine is this test, on 127.0.0.1, not the host's own address
    ks_any_address: true
""" % dict(tftp=tftp_port, http=http_port))


def parse_menu(text):
    """pxelinux.cfg/default as (global directives, [(label, [(key, value)])])."""
    top = {}
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split(None, 1)
        key = words[0].upper()
        value = words[1] if len(words) > 1 else ""
        if key == "MENU":
            sub = value.split(None, 1)
            key = "MENU " + sub[0].upper()
            value = sub[1] if len(sub) > 1 else ""
        if key == "LABEL":
            entries.append((value, []))
        elif entries:
            entries[-1][1].append((key, value))
        else:
            check(key not in top, "%s twice in the menu's global part" % key)
            top[key] = value
    return top, entries


def check_menu(e):
    """pxelinux.cfg/default, fetched as pxelinux fetches it, carries the
    how-to's menu."""
    # pxelinux asks for 01-<mac> first: a machine nobody listed gets "not found"
    rc, _ = e.tftp("pxelinux.cfg/01-" + STRANGER.replace(":", "-"))
    check(rc == 68, "pxelinux.cfg/01-<unknown mac> was not 'not found' (curl %d)" % rc)
    text = e.tftp_text("pxelinux.cfg/default")
    print(text)
    top, entries = parse_menu(text)
    check(top.get("UI") == MENU_UI, "menu module: %r" % top.get("UI"))
    check(top.get("TIMEOUT") == MENU_TIMEOUT, "timeout: %r" % top.get("TIMEOUT"))
    check(top.get("MENU TITLE") == MENU_TITLE, "title: %r" % top.get("MENU TITLE"))
    check(top.get("DEFAULT") == MENU_DEFAULT, "default: %r" % top.get("DEFAULT"))
    check(top.get("PROMPT", "0") == "0", "the how-to's prompt is off (#prompt 1)")
    # the menu module is served, from the syslinux package
    rc, data = e.tftp(MENU_UI)
    check(rc == 0 and data == e.syslinux_files[MENU_UI], "vesamenu.c32 not served")

    check([l for l, _ in entries] == [x["label"] for x in MENU_ENTRIES],
          "menu entries %s, expected the how-to's %s" %
          ([l for l, _ in entries], [x["howto"] for x in MENU_ENTRIES]))
    defaults = [l for l, d in entries if ("MENU DEFAULT", "") in d]
    check(defaults == [MENU_DEFAULT], "MENU DEFAULT on %s" % defaults)
    for (label, directives), want in zip(entries, MENU_ENTRIES):
        d = dict(directives)
        what = "entry %s (the how-to's %s)" % (label, want["howto"])
        check(d.get("MENU LABEL") == want["menu"], "%s: menu label %r" % (what, d.get("MENU LABEL")))
        if "localboot" in want:
            check(d.get("LOCALBOOT") == want["localboot"] and "KERNEL" not in d,
                  "%s: LOCALBOOT %r" % (what, d.get("LOCALBOOT")))
            continue
        # KERNEL names a file this server serves: the DVD's, byte for byte
        rc, data = e.tftp(d["KERNEL"])
        check(rc == 0 and data == e.dvd_files[want["kernel"]],
              "%s: KERNEL %s is not the DVD's %s" % (what, d["KERNEL"], want["kernel"]))
        args = d["APPEND"].split()
        if want["initrd"] is not None:
            check(args[0].startswith("initrd="), "%s: APPEND does not start with initrd=" % what)
            rc, data = e.tftp(args.pop(0)[len("initrd="):])
            check(rc == 0 and data == e.dvd_files[want["initrd"]],
                  "%s: initrd is not the DVD's %s" % (what, want["initrd"]))
        check(args == want["args"] + want["extra"],
              "%s: APPEND %s, expected the how-to's %s%s" %
              (what, args, want["args"], " + pxeforge's %s" % want["extra"] if want["extra"] else ""))


def check_host_config(e, mac):
    """A listed machine skips the menu: pxelinux.cfg/01-<mac> boots the
    installer at once with its own kickstart URL. Returns that URL."""
    dashes = mac.replace(":", "-")
    text = e.tftp_text("pxelinux.cfg/01-" + dashes)
    print(text)
    top, entries = parse_menu(text)
    check(top.get("DEFAULT") == "install", "listed machine: DEFAULT %r" % top.get("DEFAULT"))
    # no 60 s wait for a machine pxeforge was told to install
    check(top.get("TIMEOUT") == "0", "listed machine: TIMEOUT %r" % top.get("TIMEOUT"))
    d = dict(dict(entries).get("install", []))
    rc, data = e.tftp(d.get("KERNEL", ""))
    check(rc == 0 and data == e.dvd_files["images/pxeboot/vmlinuz"],
          "listed machine: KERNEL %r is not the DVD's vmlinuz" % d.get("KERNEL"))
    args = d.get("APPEND", "").split()
    check(args and args[0].startswith("initrd="), "listed machine: no initrd")
    rc, data = e.tftp(args[0][len("initrd="):])
    check(rc == 0 and data == e.dvd_files["images/pxeboot/initrd.img"],
          "listed machine: initrd is not the DVD's")
    # the how-to's "ks=http://172.16.100.7/ks.cfg", for this machine, on the
    # address it reached (port 80 may be spelled out)
    urls = ["%s/ks/%s" % (base, mac) for base in e.http_bases]
    check(len(args) == 3 and args[1][len("ks="):] in urls and args[2] == "ip=dhcp",
          "listed machine: APPEND %s, expected ks= one of %s and ip=dhcp" % (args, urls))
    ks_url = args[1][len("ks="):]
    e.http_base = e.http_bases[urls.index(ks_url)]
    check(d.get("IPAPPEND") == "2", "listed machine: no IPAPPEND 2 (BOOTIF)")
    check(dict(entries).get("local") == [("LOCALBOOT", "0")], "listed machine: no local entry")
    return ks_url


def parse_ks(text):
    """An answer file as ([command words], {section: [lines]})."""
    commands = []
    sections = {}
    current = None
    for line in text.splitlines():
        stripped = line.strip()
        if current is not None:
            if stripped == "%end":
                current = None
            else:
                sections[current].append(line)
            continue
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("%"):
            current = stripped.split()[0]
            check(current not in sections, "section %s twice" % current)
            sections[current] = []
            continue
        commands.append(shlex.split(stripped))
    check(current is None, "section %s without %%end" % current)
    return commands, sections


def check_kickstart(e, text, mac, token):
    """Every directive of the how-to's ks.cfg, and nothing else but what
    pxeforge adds on purpose."""
    commands, sections = parse_ks(text)
    got = [normalize(c) for c in commands]

    for howto, want in KS_DIRECTIVES:
        # the table is the how-to's line, word for word
        check(normalize(shlex.split(howto)) == normalize(want), "table row %r" % howto)
        check(normalize(want) in got,
              "ks.cfg line %r not in the answer file as %s" % (howto, " ".join(want)))

    # url --url="http://172.16.100.7/c6": the same DVD tree, served by pxeforge
    urls = [c for c in commands if c[0] == "url"]
    check(len(urls) == 1 and len(urls[0]) == 2 and urls[0][1].startswith("--url="),
          "url line: %s" % urls)
    url = urls[0][1][len("--url="):]
    check(url == e.http_base + "/distros/c6/", "install source %s" % url)
    for rel in [".treeinfo", "repodata/repomd.xml", "images/pxeboot/vmlinuz"]:
        status, body = e.http(url + rel)
        check(status == 200 and body == e.dvd_files[rel],
              "%s%s is not the DVD's %s (%d)" % (url, rel, rel, status))

    # rootpw --iscrypted <the how-to's hash of xiaofei.com>
    roots = [c for c in commands if c[0] == "rootpw"]
    check(len(roots) == 1 and len(roots[0]) == 3 and roots[0][1] == "--iscrypted",
          "rootpw line: %s" % roots)
    rendered = roots[0][2]
    check(crypt(PASSWORD, rendered) == rendered, "the root hash does not verify xiaofei.com")
    check(crypt(PASSWORD + "x", rendered) != rendered, "a wrong password verifies")
    check(rendered == HOWTO_HASH.replace(" ", ""), "not the how-to's hash, repaired")
    check(PASSWORD not in text, "the plaintext password is in the answer file")

    # %packages / @chinese-support / %end
    check([l.strip() for l in sections.get("%packages", []) if l.strip()] == KS_PACKAGES,
          "%%packages: %s" % sections.get("%packages"))

    # nothing else, except what pxeforge adds on purpose
    expected = {normalize(w) for _, w in KS_DIRECTIVES}
    expected |= {normalize(w) for w in KS_ADDED_COMMANDS.values()}
    extra = [c for c in got if c not in expected and c[0] not in ("url", "rootpw")]
    check(not extra, "commands the how-to does not have: %s" % extra)
    check(len(got) == len(set(got)), "a command is repeated: %s" % got)
    check(sorted(sections) == sorted(KS_SECTIONS), "sections %s" % sorted(sections))

    # pxeforge's addition: %post reports the install done, with this install's
    # token; pxelinux then boots the machine from its disk
    post = "\n".join(sections["%post"])
    done = "%s/api/v1/hosts/%s/done?token=%s" % (e.http_base, mac, token)
    check('url="%s"' % done in post and 'curl -fsS --retry 5 --retry-delay 3 -X POST "$url"'
          in post, "%%post does not report to %s:\n%s" % (done, post))


def check_machine(e, boot_file):
    """What a machine of the how-to fetches, through pxeforge: the boot file,
    the menu (not listed) or its own configuration and answer file (listed),
    and, once it reported done, its disk."""
    # pxelinux.0 from the syslinux package (the how-to's cp pxelinux.0)
    for name in [boot_file, "ldlinux.c32"]:
        rc, data = e.tftp(name)
        check(rc == 0 and data == e.syslinux_files[name], "%s not served" % name)

    check_menu(e)

    # a listed machine: its pxelinux configuration, then the answer file it names
    ks_url = check_host_config(e, HOST)
    status, body = e.http(ks_url)
    check(status == 200, "GET %s: %d" % (ks_url, status))
    ks = body.decode()
    print(ks)
    m = re.search(r'\?token=([^"\s]+)"', ks)
    check(m is not None and m.group(1) != "(install-token)", "no install token in the answer file")
    token = m.group(1)
    check_kickstart(e, ks, HOST, token)

    # what `pxeforge render` shows is that file, with the token hidden. (On
    # the real network the http plugin listens on an interface, and a render
    # from the command line has no machine, so no address for its URLs.)
    if e.loopback:
        p = e.cli("render", "--mac", HOST)
        check(p.stdout == ks.replace(token, "(install-token)"),
              "pxeforge render differs from the served answer file")
        check_kickstart(e, p.stdout, HOST, "(install-token)")

    # the other listed machine has its own; on the real network only that
    # machine may fetch it
    url2 = check_host_config(e, HOST2)
    status, body = e.http(url2)
    if e.loopback:
        ks2 = body.decode()
        m2 = re.search(r'\?token=([^"\s]+)"', ks2)
        check(status == 200 and m2 is not None and m2.group(1) != token,
              "the second machine's answer file has no token of its own")
        check_kickstart(e, ks2, HOST2, m2.group(1))
    else:
        check(status == 403, "%s's answer file served to %s's address (%d)" %
              (HOST2, HOST, status))
    # and an unlisted machine has none
    status, _ = e.http("%s/ks/%s" % (e.http_base, STRANGER))
    check(status == 404, "an unlisted machine got an answer file (%d)" % status)

    # pxeforge's addition: the %post report ends the loop. The how-to's
    # machines reboot into the menu and are installed again after 60 s; a
    # listed machine that reported done boots its disk.
    done = "%s/api/v1/hosts/%s/done?token=%s" % (e.http_base, HOST, token)
    status, _ = e.http(done, method="POST")
    check(status == 200, "the done report was refused (%d)" % status)
    p = e.cli("state", HOST)
    check("installed" in p.stdout, "the host is not installed after its report")
    top, entries = parse_menu(e.tftp_text("pxelinux.cfg/01-" + HOST.replace(":", "-")))
    check(top.get("DEFAULT") == "local" and entries == [("local", [("LOCALBOOT", "0")])],
          "an installed machine does not boot its disk")
    # installed: nothing to report on any more, whatever the token
    status, _ = e.http(done, method="POST")
    check(status == 409, "a used token was accepted again (%d)" % status)


def check_config_and_start(e):
    p = e.cli("check")
    check("error" not in p.stderr, "pxeforge check reported errors")
    check("1 distros, 1 profiles, 2 hosts" in p.stdout,
          "check does not see the how-to's distro, profile and the batch's 2 hosts")
    e.start()
    p = e.cli("plugins")
    for name in PLUGINS:
        line = [l for l in p.stdout.splitlines() if l.split()[:1] == [name]]
        check(line and "refused" not in line[0], "plugin %s is not running: %s" % (name, line))


def case_loopback(e):
    """The configuration on 127.0.0.1 with high ports, DHCP idle."""
    e.loopback = True
    make_files(e)
    copy_config(e, loopback=True)
    check_config_and_start(e)
    # the DHCP server read the how-to's subnet, and serves nothing here
    check(e.wait_log("the DHCP server is idle"), "dhcp is not idle")
    # 127.0.0.1 is no machine's lease or fixed address, so no fetch from it
    # starts an install: the operator does, as after a wipe by hand
    for mac in (HOST, HOST2):
        check("booting" in e.cli("host", "reinstall", mac).stdout, "reinstall %s" % mac)
    check_machine(e, "pxelinux.0")

    # the plaintext alternative the configuration mentions, in the copy only:
    # `rootpw: xiaofei.com` is hashed at render time with a fresh salt each
    # time, and never shown
    main_yaml = os.path.join(e.config, "pxeforge.yaml")
    with open(main_yaml) as f:
        original = f.read()
    hash_line = "      rootpw_hash: " + HOWTO_HASH.replace(" ", "") + "\n"
    check(original.count(hash_line) == 1, "no rootpw_hash line in pxeforge.yaml")
    e.write(main_yaml, original.replace(hash_line, "      rootpw: %s\n" % PASSWORD))
    e.cli("reload")
    hashes = []
    for _ in range(2):
        p = e.cli("render", "--mac", HOST2)
        found = re.findall(r"^rootpw --iscrypted (\S+)$", p.stdout, re.M)
        check(len(found) == 1 and crypt(PASSWORD, found[0]) == found[0],
              "plaintext rootpw: the hash does not verify")
        check(PASSWORD not in p.stdout + p.stderr, "plaintext rootpw shown by render")
        hashes.append(found[0])
    check(hashes[0] != hashes[1] and HOWTO_HASH.replace(" ", "") not in hashes,
          "plaintext rootpw: no fresh salt")
    check(PASSWORD not in e.daemon_log(), "plaintext rootpw in the daemon log")

    # the hash exactly as the how-to prints it, stray space and all, is
    # refused by check, at its place, naming the profile and the variable
    e.write(main_yaml, original.replace(hash_line, "      rootpw_hash: %s\n" % HOWTO_HASH))
    p = e.cli("check", expect=1)
    line = original[:original.index(hash_line)].count("\n") + 1
    check("%s:%d:20: error: profiles.c6: host %s: rootpw_hash: is not one crypt(3) hash"
          % (main_yaml, line, HOST) in p.stderr and HOWTO_HASH not in p.stderr,
          "the how-to's hash with its space is not refused at its place: " + p.stderr)
    e.write(main_yaml, original)

    # the how-to's subnet as written, 172.16.100.0 netmask 255.255.0.0, is
    # refused, naming the network it should be (ISC dhcpd refuses it too)
    subnet = e.write(os.path.join(e.config, "conf.d", "98-subnet.yaml"),
                     "plugins:\n  dhcp:\n    subnets:\n      - subnet: 172.16.100.0/16\n"
                     "        range: [172.16.100.150, 172.16.100.200]\n")
    e.cli("reload", expect=None)
    p = e.cli("plugins")
    line = [l for l in p.stdout.splitlines() if l.split()[:1] == ["dhcp"]]
    check(line and "refused" in line[0] and subnet + ":4:17" in line[0]
          and "172.16.0.0/16" in line[0],
          "the how-to's literal subnet was not refused at its place: %s" % line)
    os.unlink(subnet)
    e.cli("reload")
    e.stop_and_check()
    return 0


# ---------------------------------------------------------------------------
# The how-to's dhcpd.conf, option by option, as busybox udhcpc reports what
# it got (its script's environment).
# ---------------------------------------------------------------------------
DHCP_OPTIONS = [
    # option domain-name "pxe001.com";
    ("domain", "pxe001.com"),
    # option domain-name-server 172.16.100.1,8.8.8.8;
    ("dns", "172.16.100.1 8.8.8.8"),
    # default-lease-time 3600;  (the client asks for max-lease-time's 7200)
    ("lease", "3600"),
    # subnet 172.16.100.0 netmask 255.255.0.0 {
    ("subnet", "255.255.0.0"),
    # option routers 172.16.100.1;
    ("router", "172.16.100.1"),
    # filename "pxelinux.0";
    ("boot_file", "pxelinux.0"),
    # next-server 172.16.100.1;
    ("siaddr", "172.16.100.1"),
    # 实验环境：DHCP-server: 172.16.100.1
    ("serverid", "172.16.100.1"),
]
# range 172.16.100.150 172.16.100.200;
DHCP_RANGE = (150, 200)
SERVER = "172.16.100.1"


class Netns(pxftest.NetnsPair):
    """Two namespaces joined by a veth pair whose ends are both called eth0:
    the how-to's server (172.16.100.1/16) and one machine of the batch."""

    def __init__(self):
        super().__init__("howto", "pxh")

    def setup(self):
        self.create()
        run("ip", "-n", self.server, "link", "set", self.sdev, "name", "eth0")
        run("ip", "-n", self.client, "link", "set", self.cdev, "name", "eth0")
        run("ip", "-n", self.server, "addr", "add", SERVER + "/16", "dev", "eth0")
        for ns in (self.server, self.client):
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "link", "set", "eth0", "up")
        pxftest.wait_link_up(self.client, "eth0", "the veth pair never came up")

    def become(self, mac):
        """The client end takes another MAC and forgets its address."""
        run("ip", "-n", self.client, "link", "set", "eth0", "down")
        run("ip", "-n", self.client, "addr", "flush", "dev", "eth0")
        run("ip", "-n", self.client, "link", "set", "eth0", "address", mac)
        run("ip", "-n", self.client, "link", "set", "eth0", "up")
        pxftest.wait_link_up(self.client, "eth0", "eth0 did not come back up as %s" % mac)


def dhcp_client(e, netns, mac, request=None):
    """busybox udhcpc as a BIOS PXE ROM (vendor class PXEClient, architecture
    0) with this MAC, asking for a 7200 s lease (and an address); returns what
    it was given."""
    netns.become(mac)
    out = os.path.join(e.root, "udhcpc.env")
    if os.path.exists(out):
        os.unlink(out)
    script = e.write(os.path.join(e.root, "udhcpc.sh"), """#!/bin/sh
case "$1" in
deconfig) %(ip)s link set "$interface" up ;;
bound)
  for v in ip mask %(names)s; do eval echo "$v=\\$$v"; done > %(out)s
  %(ip)s addr replace "$ip/$mask" dev "$interface" ;;
esac
exit 0
""" % dict(ip=shutil.which("ip"), out=out, names=" ".join(n for n, _ in DHCP_OPTIONS)))
    os.chmod(script, 0o755)
    argv = [shutil.which("busybox"), "udhcpc", "-f", "-q", "-n", "-i", "eth0", "-s", script,
            "-t", "5", "-T", "1", "-A", "1", "-V", "PXEClient:Arch:00000:UNDI:002001",
            "-x", "0x5d:0000", "-x", "lease:7200"]
    if request is not None:
        argv += ["-r", request]
    p = subprocess.run(netns.exec_argv(netns.client) + argv,
                       capture_output=True, text=True, timeout=60)
    print("udhcpc %s: exit %d\n%s%s" % (mac, p.returncode, p.stdout, p.stderr))
    check(p.returncode == 0 and os.path.exists(out), "udhcpc got no lease for %s" % mac)
    got = {}
    with open(out) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            got[key] = value.strip()
    print("udhcpc got %s" % got)
    ip = got.get("ip", "")
    check(re.fullmatch(r"172\.16\.100\.\d+", ip) is not None
          and DHCP_RANGE[0] <= int(ip.rsplit(".", 1)[1]) <= DHCP_RANGE[1],
          "address %r is not in the how-to's range" % ip)
    return got


def case_netns(e):
    """The configuration as checked in, on the how-to's network: eth0 with
    172.16.100.1/16 and the real ports 67, 69 and 80, in a network namespace,
    and a machine of the batch in another one."""
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    for tool in ["ip", "busybox"]:
        if shutil.which(tool) is None:
            print("SKIP: %s is not installed" % tool)
            return 77
    e.loopback = False
    netns = Netns()
    try:
        try:
            netns.setup()
        except Fail as ex:
            print("SKIP: cannot create network namespaces: %s" % ex)
            return 77
        make_files(e)
        copy_config(e, loopback=False)
        e.netns = netns.server
        e.client = netns.exec_argv(netns.client)
        check_config_and_start(e)
        check(e.wait_log("serving DHCP on interface eth0"), "dhcp does not serve eth0")

        # the range's ends are handed out and its neighbours are not: four
        # machines nobody listed ask for them
        for i, last in enumerate([DHCP_RANGE[0], DHCP_RANGE[1],
                                  DHCP_RANGE[0] - 1, DHCP_RANGE[1] + 1]):
            ask = "172.16.100.%d" % last
            got = dhcp_client(e, netns, "52:54:00:ac:20:%02x" % i, request=ask)
            inside = DHCP_RANGE[0] <= last <= DHCP_RANGE[1]
            check((got["ip"] == ask) == inside,
                  "asked for %s, got %s" % (ask, got["ip"]))

        # a machine of the batch
        got = dhcp_client(e, netns, HOST)
        for name, want in DHCP_OPTIONS:
            check(got.get(name) == want, "DHCP %s: %r, expected %r" % (name, got.get(name), want))

        # what the PXE ROM does next: the boot file from next-server
        e.tftp_server = got["siaddr"]
        e.http_base = "http://" + SERVER
        e.http_bases = [e.http_base, e.http_base + ":80"]
        check_machine(e, got["boot_file"])
        e.stop_and_check()
    finally:
        e.stop()
        netns.cleanup()
    return 0


CASES = {
    "loopback": case_loopback,
    "netns": case_netns,
}


def main():
    cases = sys.argv[2:] or list(CASES)
    for name in cases:
        if name not in CASES:
            print("usage: howto.py BUILDDIR [%s]..." % "|".join(CASES))
            return 2
    if shutil.which("curl") is None:
        print("SKIP: curl is not installed")
        return 77
    # a meson timeout sends SIGTERM: still stop the daemon and delete the
    # namespaces and the temporary directory
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    results = []
    for name in cases:
        e = Env()
        try:
            missing = e.missing_plugins()
            if missing:
                print("SKIP: plugins not built: %s" % ", ".join(missing))
                return 77
            print("=== %s" % name)
            results.append(CASES[name](e))
        except Fail as ex:
            print("FAIL: %s: %s" % (name, ex))
            if e.daemon is not None:
                print("--- daemon log ---\n" + e.daemon_log())
            return 1
        finally:
            e.close()
        print("%s: %s" % (name, "PASS" if results[-1] == 0 else "SKIP"))
    return 0 if 0 in results else 77


if __name__ == "__main__":
    sys.exit(main())
