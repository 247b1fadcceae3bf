#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The kickstart plugin inside a real pxeforged: `pxeforge render --mac`
runs its template.vars (root password hashed, install source) and the
shipped template; the plaintext password appears nowhere, neither in the
answer file, nor in the variables listed, nor in the daemon's log.

`bad-vars`: `pxeforge check` and `render` refuse a root hash that is not
one crypt(3) token, a line break in a variable of a command line, and a
profile without an install source.

usage: kickstart-daemon.py BUILDDIR SRCDIR CASE
"""
import os
import re
import sys

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from pxftest import Env, built_plugins, check, crypt, main  # noqa: E402

KS_TEMPLATE = os.path.join(SRC, "plugins", "kickstart", "templates",
                           "centos7-ks.cfg.mustache")
MAC = "52:54:00:12:34:56"
PLAIN = "correct horse battery staple"


CONFIG = """\
daemon:
  debug: true
variables:
  timezone: Asia/Shanghai
  install:
    done_url: http://192.0.2.1/api/v1/hosts/%(mac)s/done
distros:
  centos7:
    kernel: /srv/centos7/vmlinuz
    initrd: /srv/centos7/initrd.img
    tree: http://192.0.2.1/distros/centos7/
profiles:
  web:
    distro: centos7
    os: kickstart
    template: %(ks)s
    variables:
      rootpw: %(plain)s
      packages: ["@core", vim-enhanced]
      partitions:
        - {mount: /boot, fstype: ext4, size: 1000}
        - {mount: /, fstype: ext4, size: 10000, grow: true}
hosts:
  - mac: %(mac)s
    hostname: web01
    ip: 192.0.2.21
    profile: web
    variables:
      netmask: 255.255.255.0
      gateway: 192.0.2.1
plugins:
  kickstart:
    rootpw_rounds: 6000
"""


def case_render(e):
    """The answer file through the running daemon, with the plugin's variables."""
    e.write("pxeforge.yaml", CONFIG % dict(mac=MAC, ks=KS_TEMPLATE, plain=PLAIN))
    e.start()
    p = e.cli("plugins")
    check(re.search(r"^kickstart\s+profile\s", p.stdout, re.M) is not None
          and "profile.render" in p.stdout and "template.vars" in p.stdout,
          "kickstart is not running with its hooks")

    p = e.cli("render", "--mac", MAC)
    ks = p.stdout
    m = re.search(r"^rootpw --iscrypted (\$6\$rounds=6000\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86})$",
                  ks, re.M)
    check(m is not None, "no SHA-512 crypt rootpw line")
    check(crypt(PLAIN, m.group(1)) == m.group(1), "the hash does not verify with crypt(3)")
    check(crypt(PLAIN + "x", m.group(1)) != m.group(1), "a wrong password verifies")
    # the plaintext is nowhere: answer file, variables listed, daemon log
    check(PLAIN not in ks and PLAIN not in p.stderr, "plaintext password in render output")
    # blanked by the plugin (its origin) and, being a secret, never listed
    check(re.search(r"rootpw\s+=\s+\(redacted\)\s+\(kickstart\)", p.stderr) is not None,
          "rootpw not blanked by the plugin: " + p.stderr)
    check(re.search(r"rootpw_hash\s+=\s+\(redacted\)\s+\(kickstart\)", p.stderr) is not None,
          "rootpw_hash not from the plugin")

    check("\nurl --url=http://192.0.2.1/distros/centos7/\n" in ks, "install source")
    check("\ntimezone --utc Asia/Shanghai\n" in ks, "timezone")
    check("\nnetwork --device=link --bootproto=static --ip=192.0.2.21 --netmask=255.255.255.0 "
          "--gateway=192.0.2.1 --hostname=web01\n" in ks, "static network")
    check("\npart /boot --fstype=ext4 --size=1000\npart / --fstype=ext4 --size=10000 --grow\n"
          in ks, "partitions")
    check("\n%packages\n@core\nvim-enhanced\n%end\n" in ks, "packages")
    # the token's placeholder survives: the core's variables reach the template
    check('url="http://192.0.2.1/api/v1/hosts/%s/done?token=(install-token)"' % MAC in ks,
          "done report without the install token")
    check("\nreboot\n" in ks, "no reboot")

    # twice: a fresh salt each render, each verifying
    ks2 = e.cli("render", "--mac", MAC).stdout
    m2 = re.search(r"^rootpw --iscrypted (\S+)$", ks2, re.M)
    check(m2 is not None and m2.group(1) != m.group(1), "the salt did not change")
    check(crypt(PLAIN, m2.group(1)) == m2.group(1), "second hash does not verify")

    # explain renders the answer file through profile.render too
    out = e.cli("explain", "--mac", MAC).stdout
    check("| rootpw --iscrypted $6$rounds=6000$" in out and PLAIN not in out,
          "explain's answer file")
    check(PLAIN not in e.daemon_log(), "plaintext password in the daemon log")


def case_bad_config(e):
    """Out-of-range rounds refuse the configuration with its place."""
    e.write("pxeforge.yaml", (CONFIG % dict(mac=MAC, ks=KS_TEMPLATE, plain=PLAIN))
            .replace("rootpw_rounds: 6000", "rootpw_rounds: 10"))
    p = e.cli("check", expect=1)
    check(os.path.join(e.config, "pxeforge.yaml") + ":" in p.stderr
          and "rootpw_rounds" in p.stderr and "out of range" in p.stderr,
          "bad rootpw_rounds not reported with its place")


# the how-to's hash of its root password as it prints it, with a stray space
# (docs/howto-centos.md)
HOWTO_HASH = ("$6$.vc1q3MIhm7CdPfU$PDrzE3WQEURV7Dp2XxM3DtOhWZqmGcNMUpsVhnxDq6."
              "yPLWaVcoRNU667cDdUWTxALh3zRyS Vsf8uN76lnHhd/")


def line_of(text, needle):
    """The 1-based line of text where needle is."""
    return text[:text.index(needle)].count("\n") + 1


def case_bad_vars(e):
    """Variables a kickstart line cannot take, and a profile without an
    install source: `check` refuses each with the file and line of the
    value (or of the profile), the profile, the host and the variable;
    `render` refuses the host; the hash is never printed."""
    base = CONFIG % dict(mac=MAC, ks=KS_TEMPLATE, plain=PLAIN)
    config = os.path.join(e.config, "pxeforge.yaml")

    # the how-to's hash, stray space and all
    text = base.replace("      rootpw: %s\n" % PLAIN, "      rootpw_hash: %s\n" % HOWTO_HASH)
    e.write("pxeforge.yaml", text)
    p = e.cli("check", expect=1)
    where = "%s:%d:20: error: profiles.web: host %s: rootpw_hash: " % (
        config, line_of(text, "rootpw_hash:"), MAC)
    check(where in p.stderr and "one crypt(3) hash" in p.stderr,
          "the how-to's hash with its space is not refused with its place: " + p.stderr)
    check("Vsf8uN76lnHhd" not in p.stdout + p.stderr, "check printed the hash")
    p = e.cli("render", "--mac", MAC, expect=1)
    check(where in p.stderr and "rootpw --iscrypted" not in p.stdout,
          "render did not refuse the hash: " + p.stdout + p.stderr)
    # the daemon itself (which check does not stop) refuses to render it
    e.start()
    p = e.cli("explain", "--mac", MAC)
    check("plugin kickstart refused to render" in p.stdout and "rootpw --iscrypted" not in p.stdout,
          "the daemon rendered the hash with a space")
    log = e.daemon_log()
    check("%s: refusing to render the kickstart: rootpw_hash: " % MAC in log,
          "the daemon's refusal is not logged")
    check("Vsf8uN76lnHhd" not in log, "the daemon logged the hash")
    e.stop()

    # a line break in a hash (or anything on a command line) injects a %pre
    text = base.replace("      rootpw: %s\n" % PLAIN,
                        '      rootpw_hash: "$6$abc$def\\n%pre\\nreboot\\n%end"\n')
    text = text.replace("      gateway: 192.0.2.1\n",
                        '      gateway: 192.0.2.1\n      lang: "en_US\\n%pre"\n')
    e.write("pxeforge.yaml", text)
    p = e.cli("check", expect=1)
    check("%s:%d:20: error: profiles.web: host %s: rootpw_hash: " % (
        config, line_of(text, "rootpw_hash:"), MAC) in p.stderr,
        "a hash with a line break is not refused: " + p.stderr)
    check("%s:%d:13: error: profiles.web: host %s: lang: has a line break" % (
        config, line_of(text, "lang:"), MAC) in p.stderr,
        "a line break in lang is not refused: " + p.stderr)
    check("2 errors" in p.stderr, "not exactly the two errors: " + p.stderr)

    # no install source: a local tree, no install_url, no http plugin
    text = base.replace("tree: http://192.0.2.1/distros/centos7/", "tree: /srv/centos7")
    e.write("pxeforge.yaml", text)
    p = e.cli("check", expect=1)
    check("%s:%d: error: profiles.web: host %s: install_url: not set, and distro centos7 "
          "has the local tree /srv/centos7 and no plugin serves it" % (
              config, line_of(text, "    distro: centos7"), MAC) in p.stderr,
          "a profile without an install source passes check: " + p.stderr)
    p = e.cli("render", "--mac", MAC, expect=1)
    check("install_url: not set" in p.stderr and "url --url=" not in p.stdout,
          "render emitted an empty install source: " + p.stdout + p.stderr)
    # an empty one is refused as well
    text = text.replace("      packages:", "      install_url: ''\n      packages:")
    e.write("pxeforge.yaml", text)
    p = e.cli("check", expect=1)
    check("%s:%d:20: error: profiles.web: host %s: install_url: is empty" % (
        config, line_of(text, "install_url:"), MAC) in p.stderr,
        "an empty install_url passes check: " + p.stderr)
    # fixed: OK
    e.write("pxeforge.yaml", text.replace("install_url: ''", "install_url: http://192.0.2.1/c7"))
    p = e.cli("check")
    check(": OK: " in p.stdout, "the fixed configuration is not OK: " + p.stdout + p.stderr)


CASES = {
    "render": case_render,
    "bad-config": case_bad_config,
    "bad-vars": case_bad_vars,
}


if __name__ == "__main__":
    sys.exit(main(lambda: Env(BUILD, "pxf-kickstart-", built_plugins(BUILD)),
                  CASES[sys.argv[3]]))
