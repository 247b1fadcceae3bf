#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The autoinstall plugin inside a real pxeforged, with the http and
pxelinux plugins: the NoCloud seed a machine gets over HTTP
(ai/<mac>/user-data, meta-data, vendor-data), only from its own address,
the kernel line with its seed URL, the late-commands' report run as the
installer runs it, `pxeforge render`; every user-data goes through
`cloud-init schema` (package cloud-init) and through the autoinstall
reference's keys and types (REFERENCE below).

usage: autoinstall-daemon.py BUILDDIR SRCDIR CASE
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

TEMPLATE = os.path.join(SRC, "plugins", "autoinstall", "templates",
                        "ubuntu-autoinstall.yaml.mustache")
PXELINUX_TEMPLATES = os.path.join(SRC, "plugins", "pxelinux", "templates")
MAC = "52:54:00:12:34:56"  # leased 127.0.0.2 (httptest)
MAC2 = "52:54:00:12:34:57"  # leased 127.0.0.3, defaults only
MAC_BAD = "52:54:00:12:34:58"  # a storage layout subiquity does not know
PLAIN = "correct horse battery staple"
TOKEN_RE = r"[0-9a-f]{32}"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0ZXN0a2V5 ops@example.org"

# ---- the autoinstall reference ----------------------------------------------
# The keys of the `autoinstall:` section and their types, as the Ubuntu
# autoinstall reference documents them ("Autoinstall configuration reference
# manual", canonical-subiquity.readthedocs-hosted.com/en/latest/reference/
# autoinstall-reference.html; the same types are in subiquity's
# autoinstall-schema.json). Since 24.04 an unknown top-level key is a fatal
# validation error, so the check refuses them too.
STR, INT, BOOL, NULL = str, int, bool, type(None)
COMMANDS = ("list", ("oneof", STR, ("list", STR)))  # each: a shell string or an argv list


def D(props, required=(), extra=True):
    return ("dict", props, set(required), extra)


REFERENCE = D({
    "version": ("enum", 1),
    "interactive-sections": ("list", STR),
    "early-commands": COMMANDS,
    "locale": STR,
    "refresh-installer": D({"update": BOOL, "channel": STR}, extra=False),
    "keyboard": D({"layout": STR, "variant": STR, "toggle": ("oneof", STR, NULL)},
                  required=["layout"], extra=False),
    "source": D({"search_drivers": BOOL, "id": STR}),
    "network": D({"version": ("enum", 2), "ethernets": dict, "wifis": dict, "bridges": dict,
                  "bonds": dict, "tunnels": dict, "vlans": dict, "network": dict}),
    "proxy": ("oneof", STR, NULL),
    "apt": D({"preserve_sources_list": BOOL, "primary": ("list", dict), "geoip": BOOL,
              "sources": dict, "disable_components": ("list", STR),
              "fallback": ("enum", "abort", "continue-anyway", "offline-install")}),
    "storage": D({"layout": D({"name": ("enum", "lvm", "direct", "zfs"), "password": STR,
                               "match": dict, "sizing-policy": ("enum", "scaled", "all")},
                              required=["name"]),
                  "config": list, "swap": dict, "grub": dict}),
    "identity": D({"realname": STR, "username": STR, "hostname": STR, "password": STR},
                  required=["username", "hostname", "password"], extra=False),
    "active-directory": D({"admin-name": STR, "domain-name": STR}),
    "ubuntu-pro": D({"token": STR}),
    "ssh": D({"install-server": BOOL, "authorized-keys": ("list", STR), "allow-pw": BOOL}),
    "codecs": D({"install": BOOL}),
    "drivers": D({"install": BOOL}),
    "oem": D({"install": ("oneof", BOOL, ("enum", "auto"))}),
    "snaps": ("list", D({"name": STR, "channel": STR, "classic": BOOL}, required=["name"],
                        extra=False)),
    "debconf-selections": STR,
    "packages": ("list", STR),
    "kernel": D({"package": STR, "flavor": STR}),
    "kernel-crash-dumps": D({"enabled": ("oneof", BOOL, NULL)}),
    "timezone": STR,
    "updates": ("enum", "security", "all"),
    "shutdown": ("enum", "reboot", "poweroff"),
    "late-commands": COMMANDS,
    "error-commands": COMMANDS,
    "reporting": dict,
    "user-data": dict,
}, required=["version"], extra=False)


def conforms(value, spec, where):
    """Raises Fail where value does not have the reference's type."""
    if isinstance(spec, type):
        # YAML's true is a bool, and bool is an int in Python: keep them apart
        ok = isinstance(value, spec) and not (spec is INT and isinstance(value, bool))
        check(ok, "%s: %r is not %s" % (where, value, spec.__name__))
        return
    kind = spec[0]
    if kind == "enum":
        check(value in spec[1:] and type(value) is type(spec[1]),
              "%s: %r is not one of %s" % (where, value, spec[1:]))
    elif kind == "list":
        check(isinstance(value, list), "%s: %r is not a list" % (where, value))
        for i, item in enumerate(value):
            conforms(item, spec[1], "%s[%d]" % (where, i))
    elif kind == "oneof":
        for alt in spec[1:]:
            try:
                conforms(value, alt, where)
                return
            except Fail:
                pass
        raise Fail("%s: %r matches none of %s" % (where, value, spec[1:]))
    elif kind == "dict":
        props, required, extra = spec[1:]
        check(isinstance(value, dict), "%s: %r is not a mapping" % (where, value))
        for key in required:
            check(key in value, "%s: required key %s missing" % (where, key))
        for key, item in value.items():
            if key in props:
                conforms(item, props[key], "%s.%s" % (where, key))
            else:
                check(extra, "%s: %s is not a key of the reference" % (where, key))


def check_user_data(e, text):
    """cloud-init's schema check of the whole user-data, then the
    autoinstall section against REFERENCE. Returns the parsed document."""
    try:
        import yaml
    except ImportError:
        raise Skip("needs python3-yaml")
    tool = shutil.which("cloud-init")
    if tool is None:
        raise Skip("needs cloud-init (package cloud-init) for `cloud-init schema`")
    check(text.startswith("#cloud-config\n"), "user-data does not start with #cloud-config")
    path = e.path("user-data")
    with open(path, "w") as f:
        f.write(text)
    p = subprocess.run([tool, "schema", "--config-file", path], capture_output=True, text=True)
    print("cloud-init schema: %d %s%s" % (p.returncode, p.stdout.strip(), p.stderr.strip()))
    check(p.returncode == 0 and "Valid cloud-config" in p.stdout,
          "cloud-init schema refused the user-data:\n" + p.stdout + p.stderr + text)
    doc = yaml.safe_load(text)
    check(isinstance(doc, dict) and list(doc) == ["autoinstall"],
          "the user-data's only top-level key must be autoinstall: %r" % list(doc or {}))
    conforms(doc["autoinstall"], REFERENCE, "autoinstall")
    return doc


def self_test_reference():
    """The reference check itself refuses what subiquity refuses."""
    good = {"version": 1, "identity": {"username": "u", "hostname": "h", "password": "!"}}
    conforms(good, REFERENCE, "autoinstall")
    for bad in ({"version": "1"}, {"version": True}, {"version": 2},
                {"version": 1, "identity": {"username": "u", "hostname": "h"}},
                {"version": 1, "ssh": {"allow-pw": "yes"}},
                {"version": 1, "late-commands": "echo"},
                {"version": 1, "late-commands": [["echo", 1]]},
                {"version": 1, "storage": {"layout": {"name": "btrfs"}}},
                {"version": 1, "keyboard": {"variant": "x"}},
                {"version": 1, "bogus": 1}):
        try:
            conforms(bad, REFERENCE, "autoinstall")
        except Fail:
            continue
        raise Fail("the reference check accepted %r" % bad)


# ---- the daemon -------------------------------------------------------------

CONFIG = """\
daemon:
  debug: true
variables:
  timezone: Europe/Berlin
distros:
  noble:
    kernel: %(root)s/casper/vmlinuz
    initrd: %(root)s/casper/initrd
    variables:
      iso_url: http://127.0.0.1:%(port)d/images/ubuntu-24.04-live-server-amd64.iso
profiles:
  ubuntu:
    distro: noble
    os: autoinstall
    template: %(template)s
hosts:
  - mac: %(mac)s
    hostname: web01.lab.example.org
    profile: ubuntu
    variables:
      username: ops
      realname: "Ops: \\"the team\\""
      password: %(plain)s
      ssh_authorized_keys: ["%(key)s"]
      packages: [vim, curl]
      late_commands: ["curtin in-target -- systemctl enable ssh"]
      mirror: http://127.0.0.1:%(port)d/ubuntu
      storage_layout: direct
      updates: all
  - mac: %(mac2)s
    profile: ubuntu
  - mac: %(mac_bad)s
    profile: ubuntu
    variables:
      storage_layout: btrfs
plugins:
  http:
    addresses: [127.0.0.1]
    port: %(port)d
    root: %(root)s/www
  httptest:
    owners: [127.0.0.2=%(mac)s, 127.0.0.3=%(mac2)s, 127.0.0.4=%(mac_bad)s]
  pxelinux:
    host_template: %(pxelinux)s/host.cfg.mustache
    menu_template: %(pxelinux)s/menu.cfg.mustache
    kernel_transport: http
  autoinstall:
    rootpw_rounds: 6000
%(extra)s"""


def setup(e, extra=""):
    for d in ("casper", "www"):
        os.makedirs(e.path(d), exist_ok=True)
    for f in ("casper/vmlinuz", "casper/initrd"):
        with open(e.path(f), "wb") as out:
            out.write(b"\0" * 64)
    e.write("pxeforge.yaml", CONFIG % dict(root=e.root, template=TEMPLATE, plain=PLAIN, mac=MAC,
                                           mac2=MAC2, mac_bad=MAC_BAD, port=e.port, key=KEY,
                                           pxelinux=PXELINUX_TEMPLATES, extra=extra))


def run_command(command):
    """A late-command as subiquity runs it: sh -c."""
    env = dict(os.environ)
    env.pop("http_proxy", None)
    p = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True,
                       timeout=60)
    print("$ sh -c %r -> %d %s" % (command, p.returncode, p.stderr.strip()))
    return p.returncode


def case_seed(e):
    """The NoCloud seed over HTTP, the kernel line, the report."""
    self_test_reference()
    setup(e)
    e.start()
    status, cfg = e.curl("/pxelinux.cfg/01-52-54-00-12-34-56", source="127.0.0.2")
    check(status == 200, "pxelinux configuration: %d" % status)
    append = re.search(r"^  APPEND (.*)$", cfg, re.M)
    check(append is not None and append.group(1) == (
        "initrd=http://127.0.0.1:%d/boot/52-54-00-12-34-56/initrd.img autoinstall "
        "ds=nocloud-net;s=http://127.0.0.1:%d/ai/%s/ "
        "url=http://127.0.0.1:%d/images/ubuntu-24.04-live-server-amd64.iso "
        "cloud-config-url=/dev/null ip=dhcp" % (e.port, e.port, MAC, e.port)),
        "kernel line: %s" % (append.group(1) if append else cfg))
    check(e.state_of(MAC) == "booting", "not booting after its loader configuration")

    # only the machine's own address gets its seed
    for source in ("127.0.0.1", "127.0.0.3"):
        status, _ = e.curl("/ai/%s/user-data" % MAC, source=source)
        check(status == 404, "user-data served to %s: %d" % (source, status))
    check("refusing the NoCloud seed of %s to 127.0.0.3" % MAC in e.daemon_log(),
          "no warning about the refused seed")
    status, meta = e.curl("/ai/%s/meta-data" % MAC, source="127.0.0.2")
    check(status == 200 and meta == 'instance-id: "iid-pxeforge-52-54-00-12-34-56"\n'
          'local-hostname: "web01"\n', "meta-data: %d %r" % (status, meta))
    status, vendor = e.curl("/ai/%s/vendor-data" % MAC, source="127.0.0.2")
    check(status == 200 and vendor == "", "vendor-data: %d %r" % (status, vendor))
    for path in ("/ai/%s/network-config" % MAC, "/ai/52:54:00:00:00:99/user-data", "/ai/"):
        status, _ = e.curl(path, source="127.0.0.2")
        check(status == 404, "%s: %d" % (path, status))
    check(e.state_of(MAC) == "booting", "meta-data alone started the install")

    status, text = e.curl("/ai/%s/user-data" % MAC, source="127.0.0.2")
    check(status == 200, "user-data: %d" % status)
    check(PLAIN not in text, "plaintext password served")
    ai = check_user_data(e, text)["autoinstall"]
    check(crypt(PLAIN, ai["identity"]["password"]) == ai["identity"]["password"],
          "identity.password does not verify with crypt(3)")
    check(ai["identity"] == {"hostname": "web01", "realname": 'Ops: "the team"',
                             "username": "ops", "password": ai["identity"]["password"]},
          "identity: %r" % ai["identity"])
    check(ai["ssh"] == {"install-server": True, "allow-pw": False, "authorized-keys": [KEY]},
          "ssh: %r" % ai["ssh"])
    check(ai["storage"] == {"layout": {"name": "direct"}}, "storage")
    check(ai["timezone"] == "Europe/Berlin" and ai["updates"] == "all", "timezone, updates")
    check(ai["network"]["ethernets"]["pxeboot"]["match"]["macaddress"] == MAC, "network")
    check(ai["apt"]["primary"][0]["uri"] == "http://127.0.0.1:%d/ubuntu" % e.port, "mirror")
    check(ai["packages"] == ["vim", "curl"], "packages")
    check(e.state_of(MAC) == "installing", "not installing after its user-data")
    late = ai["late-commands"]
    check(len(late) == 2 and late[0] == "curtin in-target -- systemctl enable ssh"
          and re.fullmatch(r"curl -fsS --retry 5 --retry-delay 3 -X POST "
                           r"'http://127\.0\.0\.1:%d/api/v1/hosts/%s/done\?token=%s'"
                           % (e.port, MAC, TOKEN_RE), late[1]) is not None,
          "late-commands: %r" % late)
    token = re.search(r"token=(%s)" % TOKEN_RE, late[1]).group(1)
    check(token in ai["error-commands"][0], "error-commands without the same token")
    # the report as subiquity runs it; once only
    check(run_command(late[1]) == 0, "the late-command's report failed")
    check(e.state_of(MAC) == "installed", "not installed after the report")
    check(run_command(late[1]) != 0, "a replayed report was accepted")
    check(token not in e.daemon_log(), "the install token in the daemon log")

    # the installed host's own address: no user-data (its token and hash)
    status, _ = e.curl("/ai/%s/user-data" % MAC, source="127.0.0.2")
    check(status == 404, "user-data served to an installed host: %d" % status)
    check(re.search(r"refusing ai/%s/user-data: host %s is installed, with no install in "
                    r"progress" % (MAC, MAC), e.daemon_log()) is not None,
          "no warning naming the installed state")
    check(not os.path.exists(os.path.join(e.state, "tokens", MAC + ".json")),
          "a token minted for an installed host")

    # the others start their installs with their own loader configuration
    for mac, source in ((MAC2, "127.0.0.3"), (MAC_BAD, "127.0.0.4")):
        status, _ = e.curl("/pxelinux.cfg/01-" + mac.replace(":", "-"), source=source)
        check(status == 200 and e.state_of(mac) == "booting", "%s not booting" % mac)

    # a host with nothing set: defaults, still valid
    status, text2 = e.curl("/ai/%s/user-data" % MAC2, source="127.0.0.3")
    check(status == 200, "second user-data: %d" % status)
    ai2 = check_user_data(e, text2)["autoinstall"]
    check(ai2["identity"] == {"hostname": "ubuntu-525400123457", "realname": "ubuntu",
                              "username": "ubuntu", "password": "!"},
          "default identity: %r" % ai2["identity"])
    check(ai2["ssh"]["allow-pw"] is True and ai2["ssh"]["authorized-keys"] == [],
          "default ssh")
    check(ai2["storage"]["layout"]["name"] == "lvm", "default storage layout")

    # a layout subiquity would choke on is never served
    status, _ = e.curl("/ai/%s/user-data" % MAC_BAD, source="127.0.0.4")
    check(status == 404, "user-data with a bad layout served: %d" % status)
    check("storage_layout 'btrfs' is not lvm, direct or zfs" in e.daemon_log(),
          "no warning about the bad layout")


def case_render(e):
    """`pxeforge render` through the running daemon."""
    setup(e)
    e.start()
    p = e.cli("plugins")
    check(re.search(r"^autoinstall\s+profile\s", p.stdout, re.M) is not None
          and "file.open" in p.stdout and "profile.render" in p.stdout,
          "autoinstall is not running with its hooks")
    p = e.cli("render", "--mac", MAC)
    check(PLAIN not in p.stdout and PLAIN not in p.stderr, "plaintext password in render output")
    check(re.search(r"password\s+=\s+\(redacted\)\s+\(autoinstall\)", p.stderr) is not None,
          "password not blanked by the plugin")
    ai = check_user_data(e, p.stdout)["autoinstall"]
    check(crypt(PLAIN, ai["identity"]["password"]) == ai["identity"]["password"],
          "identity.password does not verify")
    # the hash only in the user-data, redacted in the variables listed
    check(ai["identity"]["password"] not in p.stderr
          and re.search(r"autoinstall_password\s+=\s+\(redacted\)", p.stderr) is not None,
          "the password hash in the variables listed")
    # a dry render: the token's placeholder
    check(ai["late-commands"][-1].endswith("/done?token=(install-token)'"),
          "late-commands: %r" % ai["late-commands"])
    check(re.search(r"install\.kernel_args\s+=\s+'autoinstall ds=nocloud-net;s=http://127\.0\.0"
                    r"\.1:%d/ai/%s/ url=\S+ cloud-config-url=/dev/null'\s+\(autoinstall\)"
                    % (e.port, MAC), p.stderr) is not None, "install.kernel_args not listed")
    check(e.cli("render", "--mac", MAC_BAD, expect=None).returncode != 0,
          "a bad storage layout rendered")
    check(PLAIN not in e.daemon_log(), "plaintext password in the daemon log")


def case_bad_config(e):
    """Bad settings refuse the plugin, saying where."""
    setup(e, extra="    datasource: ec2\n")
    e.start()
    p = e.cli("plugins")
    yaml = os.path.join(e.config, "pxeforge.yaml")
    check(re.search(r"^autoinstall\s.*refused", p.stdout, re.M) is not None
          and yaml + ":" in p.stdout and "datasource 'ec2'" in p.stdout,
          "bad datasource not refused with its place")


CASES = {"seed": case_seed, "render": case_render, "bad-config": case_bad_config}

if __name__ == "__main__":
    sys.exit(run(lambda: Env(BUILD, "pxf-autoinstall-", need=("http", "httptest", "pxelinux",
                                                                "autoinstall")),
                 CASES, sys.argv[3]))
