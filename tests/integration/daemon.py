#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Integration tests of pxeforged and the pxeforge CLI as an operator runs
them: real processes, a real control socket, a NOTIFY_SOCKET made here.

usage: daemon.py BUILDDIR CASE
"""
import os
import pwd
import signal
import subprocess
import sys
import time

BUILD = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))
import pxftest  # noqa: E402
from pxftest import TIMEOUT, Fail, check  # noqa: E402

PXEFORGE = os.path.join(BUILD, "core", "pxeforge")
PLUGINS = os.path.join(BUILD, "tests", "plugins")


class Env(pxftest.Env):
    """A configuration directory, a private plugin directory with the test
    plugins and every real plugin built in this tree, state and socket."""

    def __init__(self):
        super().__init__(BUILD, "pxf-it-", [os.path.join(PLUGINS, n)
                                            for n in sorted(os.listdir(PLUGINS))
                                            if n.endswith(".so")]
                         + pxftest.built_plugins(BUILD), dirs=["etc/templates"])


GOOD = """\
daemon:
  debug: true
variables:
  timezone: UTC
  ntp: pool.ntp.org
distros:
  centos7:
    kernel: /srv/centos7/vmlinuz
    initrd: /srv/centos7/initrd.img
    tree: http://192.0.2.1/distros/centos7
    variables:
      timezone: America/New_York
      arch: x86_64
profiles:
  web:
    distro: centos7
    os: kickstart
    template: templates/ks.cfg
    variables:
      timezone: Europe/Paris
      role: web
hosts:
  - mac: 52:54:00:00:00:01
    hostname: web01
    ip: 192.0.2.11
    profile: web
    variables:
      role: frontend
"""

KS = """\
# kickstart for {{host.hostname}} ({{host.mac}})
url --url={{distro.tree}}
timezone {{timezone}}
role={{role}} arch={{arch}} ntp={{ntp}} tag={{site_tag}}
"""


def case_check_errors(e):
    """Four distinct mistakes, each reported with file:line; exit 1; the
    daemon refuses to start on it."""
    e.write("pxeforge.yaml", GOOD)
    e.write("templates/ks.cfg", KS)
    e.write("conf.d/10-alpha.yaml", "plugins:\n  alpha:\n    greting: hi\n")
    e.write("conf.d/50-hosts.yaml", """\
hosts:
  - mac: 52:54:00:zz:00:02
    hostname: web02
    profile: web
  - mac: 52:54:00:00:00:03
    hostname: web03
    ip: 192.0.2.11
    profile: web
profiles:
  db:
    distro: centos7
    os: kickstart
    template: templates/missing.cfg
""")
    p = e.cli("check", expect=1)
    out = p.stderr
    c10 = os.path.join(e.config, "conf.d", "10-alpha.yaml")
    c50 = os.path.join(e.config, "conf.d", "50-hosts.yaml")
    check(c10 + ":3:5: error: plugins.alpha" in out and "greting" in out
          and "did you mean 'greeting'" in out, "mistyped key not reported at 10-alpha.yaml:3:5")
    check(c50 + ":2:" in out and "52:54:00:zz:00:02" in out, "malformed MAC not reported")
    check(c50 + ":7:" in out and "192.0.2.11" in out and "pxeforge.yaml" in out,
          "duplicate IP not reported with both places")
    check(c50 + ":13:" in out and "missing.cfg" in out, "missing template not reported")
    check("4 errors" in out, "summary does not count 4 errors")

    e.start(wait_ready=False)
    rc = e.daemon.wait(TIMEOUT)
    log = e.daemon_log()
    print(log)
    check(rc != 0, "pxeforged started on a broken configuration")
    check("not starting" in log and "missing.cfg" in log, "daemon did not say why")


def case_reload(e):
    """SIGHUP with a broken configuration keeps the running one; a good one
    applies; `pxeforge reload` reports the errors."""
    e.write("pxeforge.yaml", GOOD)
    e.write("templates/ks.cfg", KS)
    e.write("conf.d/10-alpha.yaml", "plugins:\n  alpha:\n    greeting: one\n")
    e.start()
    p = e.cli("hosts", "list")
    check("web01" in p.stdout, "host missing")

    bad = e.write("conf.d/10-alpha.yaml", "plugins:\n  alpha:\n    greeting: two\n    bogus: 1\n")
    e.drain_notify()
    e.daemon.send_signal(signal.SIGHUP)
    e.expect_notify("RELOADING=1")
    e.expect_notify("READY=1")
    log = e.wait_log(bad + ":4:5", "keeping the running configuration")
    check(bad + ":4:5" in log and "keeping the running configuration" in log,
          "refused reload not logged with file:line")
    p = e.cli("reload", expect=1)
    check("bogus" in p.stderr and "keeping the running configuration" in p.stderr,
          "pxeforge reload did not print the errors")
    p = e.cli("plugins")
    check("alpha" in p.stdout, "alpha no longer running after a refused reload")
    check(e.daemon.poll() is None, "daemon died")

    e.write("conf.d/10-alpha.yaml", "plugins:\n  alpha:\n    greeting: two\n")
    e.write("conf.d/60-more.yaml", "hosts:\n  - mac: 52-54-00-00-00-09\n    hostname: web09\n")
    e.drain_notify()
    e.daemon.send_signal(signal.SIGHUP)
    e.expect_notify("RELOADING=1")
    msg = e.expect_notify("READY=1")
    p = e.cli("hosts", "list")
    check("web09" in p.stdout and "52:54:00:00:00:09" in p.stdout, "reload did not apply")

    # removing the snippet disables the plugin
    os.unlink(os.path.join(e.config, "conf.d", "10-alpha.yaml"))
    e.cli("reload")
    p = e.cli("plugins")
    check("alpha" not in p.stdout, "alpha still loaded after its snippet was removed")

    e.daemon.send_signal(signal.SIGTERM)
    e.expect_notify("STOPPING=1")
    check(e.daemon.wait(TIMEOUT) == 0, "SIGTERM did not stop cleanly")


def case_plugins(e):
    """Five broken plugins refused, each with its own message; the rest run."""
    os.chmod(os.path.join(e.plugins, "writable.so"), 0o757)
    e.write("pxeforge.yaml", GOOD)
    e.write("templates/ks.cfg", KS)
    snippet = "plugins:\n"
    for name in ["beta", "alpha", "badabi", "misnamed", "nodesc", "needy", "writable", "hello"]:
        snippet += "  %s: {}\n" % name
    e.write("conf.d/20-plugins.yaml", snippet)
    ghost = e.write("conf.d/30-ghost.yaml", "plugins:\n  ghost:\n    anything: 1\n")
    p = e.cli("check")
    check(p.stderr.count("cannot be loaded") == 5, "check did not name the 5 broken plugins")
    check(ghost + ":2:3: warning" in p.stderr and "not installed" in p.stderr,
          "leftover snippet of an uninstalled plugin not warned about")

    e.start()
    p = e.cli("plugins")
    out = p.stdout
    lines = {l.split()[0]: l for l in out.splitlines() if l.strip()}
    check("site" in lines.get("alpha", "") and "1.0" in lines["alpha"]
          and "host.event" in lines["alpha"] and "template.vars" in lines["alpha"],
          "alpha not listed with its hooks")
    check("beta" in lines and "host.event" in lines["beta"], "beta not listed")
    check("hello" in lines and "1.0.0" in lines["hello"], "hello not listed")
    expected = {
        "badabi": "built for plugin ABI 99.0",
        "misnamed": "descriptor names the plugin 'somethingelse'",
        "nodesc": "no pxf_plugin_descriptor symbol",
        "needy": "requires plugin 'absent'",
        "writable": "world-writable",
    }
    for name, needle in expected.items():
        check(name in lines and "refused" in lines[name] and needle in lines[name]
              and name + ".so" in lines[name], "%s not refused with its own message" % name)
    messages = [lines[n].split("refused:", 1)[1] for n in expected]
    check(len(set(messages)) == 5, "refusal messages are not distinct")
    log = e.wait_log(ghost, "not installed")
    check(ghost in log and "not installed" in log, "daemon did not warn about the ghost snippet")
    # beta asked to run before alpha on host.event, alpha is configured after it
    # anyway; the order shows in the log when an event fires (see case_render)


def case_render(e):
    """render shows host → profile → distro → globals, offline and through the
    daemon (where the example plugin's template.vars callback fires)."""
    e.write("pxeforge.yaml", GOOD)
    e.write("templates/ks.cfg", KS)
    e.write("conf.d/40-hello.yaml", "plugins:\n  hello:\n    tag: rack7\n")
    p = e.cli("render", "--mac", "52-54-00-00-00-01")
    check("timezone Europe/Paris" in p.stdout, "profile did not override distro and globals")
    check("role=frontend" in p.stdout, "host did not override profile")
    check("arch=x86_64" in p.stdout and "ntp=pool.ntp.org" in p.stdout, "distro/globals missing")
    check("url --url=http://192.0.2.1/distros/centos7" in p.stdout, "built-in distro vars")
    check("tag=\n" in p.stdout or "tag=" in p.stdout, "offline render")
    err = p.stderr
    check("host 52:54:00:00:00:01 (web01) → profile web → distro centos7 → globals" in err,
          "resolution chain not shown")
    for name, origin in [("timezone", "profile web"), ("role", "host 52:54:00:00:00:01"),
                         ("arch", "distro centos7"), ("ntp", "globals")]:
        line = [l for l in err.splitlines() if l.startswith("#   " + name + " ")]
        check(line and origin in line[0], "origin of %s is not %s" % (name, origin))

    e.start()
    p = e.cli("render", "--mac", "aabb.ccdd.eeff", expect=1)
    check("no host" in p.stderr, "unknown host not reported")
    p = e.cli("render", "--mac", "52:54:00:00:00:01")
    check("tag=rack7" in p.stdout, "the hello plugin's template.vars did not run in the daemon")
    line = [l for l in p.stderr.splitlines() if l.startswith("#   site_tag ")]
    check(line and line[0].rstrip().endswith("(hello)"), "plugin variable origin not shown")


def case_import(e):
    """Bulk import: every bad row reported with its line, nothing half-imported."""
    e.write("pxeforge.yaml", GOOD)
    e.write("templates/ks.cfg", KS)
    bad = os.path.join(e.root, "bad.csv")
    with open(bad, "w") as f:
        f.write("mac,hostname,ip,profile\n"
                "52:54:00:00:01:01,n1,192.0.2.101,web\n"
                "52:54:00:00:01:0g,n2,192.0.2.102,web\n"
                "52:54:00:00:01:03,n3,192.0.2.11,web\n"
                "52:54:00:00:01:04,n4,192.0.2.104,nosuch\n")
    p = e.cli("hosts", "import", bad, expect=1)
    for line in (3, 4, 5):
        check("%s:%d" % (bad, line) in p.stderr, "bad row on line %d not reported" % line)
    check("%s:2:" % bad not in p.stderr, "good row reported as bad")
    check(not os.path.exists(os.path.join(e.config, "conf.d", "90-hosts.yaml")),
          "a failed import wrote hosts")
    good = os.path.join(e.root, "good.csv")
    with open(good, "w") as f:
        f.write("mac,hostname,ip,profile\n")
        for i in range(1, 201):
            f.write("52:54:00:01:%02x:%02x,node%03d,198.51.100.%d,web\n" % (i // 256, i % 256, i, i % 250 + 1) if i <= 250 else "")
    p = e.cli("hosts", "import", good, expect=None)
    if p.returncode != 0:
        raise Fail("good import failed")
    p = e.cli("check")
    check("201 hosts" in p.stdout, "imported hosts not in the configuration")


def read_status(pid, tid=None):
    fields = {}
    path = "/proc/%d/status" % pid if tid is None else "/proc/%d/task/%s/status" % (pid, tid)
    with open(path) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.split()
    return fields


def check_threads(pid, uid, caps):
    """Capabilities, no_new_privs and the bounding set are per thread in
    Linux: every thread (GLib's gmain, gdbus, pool workers, ...) must be
    as dropped as the main one. caps: what the main thread keeps, and the
    most any thread may hold (a thread started before the uid change lost
    its permitted set with it, so it has less)."""
    tids = sorted(os.listdir("/proc/%d/task" % pid), key=int)
    for tid in tids:
        st = read_status(pid, tid)
        name = "thread %s (%s)" % (tid, st["Name"][0] if st.get("Name") else "?")
        check(st["Uid"] == [str(uid)] * 4, "%s: uids are %s" % (name, st["Uid"]))
        check(st["Gid"][0] != "0" and len(set(st["Gid"])) == 1,
              "%s: gids are %s" % (name, st["Gid"]))
        check("0" not in st["Groups"], "%s: supplementary groups %s" % (name, st["Groups"]))
        for key in ("CapEff", "CapPrm"):
            value = int(st[key][0], 16)
            check(value == caps if tid == str(pid) else value & ~caps == 0,
                  "%s: %s is %s, expected %s%#x" % (name, key, st[key][0],
                                                  "" if tid == str(pid) else "at most ", caps))
        for key in ("CapInh", "CapAmb"):
            check(int(st[key][0], 16) == 0, "%s: %s is %s" % (name, key, st[key][0]))
        check(int(st["CapBnd"][0], 16) & ~caps == 0, "%s: CapBnd is %s, expected at most %#x"
              % (name, st["CapBnd"][0], caps))
        check(st["NoNewPrivs"] == ["1"], "%s: NoNewPrivs %s" % (name, st["NoNewPrivs"]))
    print("ok - %d threads dropped: %s" % (len(tids), ", ".join(
        read_status(pid, t)["Name"][0] for t in tids)))


def case_privdrop(e):
    """Started as root, pxeforged drops to an unprivileged user keeping only the
    capabilities its plugins declare, in every thread; a reload that needs a
    new privileged port says it needs a restart. The user is nobody, or a
    system user the test creates (and removes) where there is none."""
    if os.getuid() != 0:
        print("SKIP: needs root to drop privileges")
        return 77
    user, created = "nobody", False
    try:
        pwd.getpwnam(user)
    except KeyError:
        user, created = "pxf-test-drop", True
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", user], check=True)
    try:
        return privdrop_as(e, user, pwd.getpwnam(user).pw_uid)
    finally:
        if created:
            e.stop_clean(check_exited=False)
            subprocess.run(["userdel", user], check=False)


def privdrop_as(e, user, uid):
    os.chmod(e.root, 0o755)  # like /etc/pxeforge: readable by the daemon user
    e.write("pxeforge.yaml", GOOD)
    e.write("templates/ks.cfg", KS)
    e.write("conf.d/10-binder.yaml", "plugins:\n  binder:\n    port: 6969\n")
    e.start(user=user)
    log = e.wait_log("running as %s" % user)
    check("running as %s with capabilities: cap_net_raw" % user in log,
          "no privilege drop logged")
    st = read_status(e.daemon.pid)
    check(st["Uid"] == [str(uid)] * 4, "uids are %s" % st["Uid"])
    check(st["Gid"][0] != "0", "gid still 0")
    check(int(st["CapEff"][0], 16) == 1 << 13, "CapEff is %s, expected only cap_net_raw" % st["CapEff"])
    check(int(st["CapPrm"][0], 16) == 1 << 13, "CapPrm is %s" % st["CapPrm"])
    check(st["NoNewPrivs"] == ["1"], "no_new_privs not set")
    check_threads(e.daemon.pid, uid, 1 << 13)
    e.cli("status")
    e.cli("reload")
    p = e.cli("plugins")
    check("binder" in p.stdout and "refused" not in p.stdout, "binder not running after reload")

    e.write("conf.d/10-binder.yaml", "plugins:\n  binder:\n    port: 69\n")
    e.cli("reload")
    p = e.cli("plugins")
    check("binder" in p.stdout and "refused" in p.stdout
          and "port 69 is privileged" in p.stdout and "restart pxeforged" in p.stdout,
          "a new privileged port after the drop did not say it needs a restart")
    check(e.daemon.poll() is None, "daemon died")
    # and threads started since (reloads, control requests)
    check_threads(e.daemon.pid, uid, 1 << 13)


def case_lifecycle(e):
    """An install that reports nothing within daemon.install_timeout becomes
    failed; `pxeforge host reinstall` (root only) puts it back to netboot."""
    e.write("pxeforge.yaml", GOOD.replace("daemon:\n", "daemon:\n  install_timeout: 5\n"))
    e.write("templates/ks.cfg", KS)
    mac = "52:54:00:00:00:01"
    e.seed_state(mac, "installing", reason="test")
    e.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        p = e.cli("state", mac)
        if "failed" in p.stdout.splitlines()[0]:
            break
        time.sleep(0.5)
    check("no report within 5 s while installing" in p.stdout,
          "a silent install did not become failed")
    p = e.cli("host", "reinstall", "52-54-00-00-00-01")
    check("booting" in p.stdout, "reinstall did not put the host back to netboot")
    p = e.cli("host", "reinstall", mac, expect=1)
    check("only an installed or failed host" in p.stderr, "reinstall of a booting host accepted")
    p = e.cli("host", "reinstall", "aa:bb:cc:dd:ee:ff", expect=1)
    check("no host" in p.stderr, "reinstall of an unknown host accepted")
    if os.getuid() == 0:
        # the control socket is root's: nobody cannot even ask
        os.chmod(e.root, 0o755)
        q = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                            PXEFORGE, "--config", e.config, "--socket", e.socket,
                            "host", "reinstall", mac],
                           env=e.env, capture_output=True, text=True, timeout=TIMEOUT)
        print(q.stdout + q.stderr)
        check(q.returncode != 0, "an unprivileged user could reinstall a host")
    p = e.cli("state", mac)
    check(p.stdout.splitlines()[0].endswith("booting"), "state changed by refused calls")


def case_special_files(e):
    """A FIFO in conf.d/ is refused on reload, named, while the daemon keeps
    answering; a conf.d/*.yaml link to /dev/zero is refused by check at once
    (read, it would fill the memory)."""
    e.timeout = 10  # a regression blocks the daemon: fail soon, not hang
    e.write("pxeforge.yaml", GOOD)
    e.write("templates/ks.cfg", KS)
    e.start()
    fifo = os.path.join(e.config, "conf.d", "20-fifo.yaml")
    os.mkfifo(fifo)
    try:
        p = e.cli("reload", expect=1)
    except subprocess.TimeoutExpired:
        raise Fail("pxeforge reload did not return: the daemon blocks on the FIFO")
    check(fifo in p.stderr and "not a regular file (a FIFO)" in p.stderr,
          "the refused reload does not name the FIFO")
    check("keeping the running configuration" in p.stderr, "reload not refused")
    p = e.cli("hosts", "list")
    check("web01" in p.stdout, "the running configuration was not kept")
    log = e.wait_log(fifo, "keeping the running configuration")
    check(fifo + ": error: cannot read file: not a regular file (a FIFO)" in log,
          "the daemon log does not name the FIFO")
    p = e.cli("check", expect=1)
    check(fifo in p.stderr, "check does not name the FIFO")
    os.unlink(fifo)

    zero = os.path.join(e.config, "conf.d", "30-zero.yaml")
    os.symlink("/dev/zero", zero)
    try:
        p = e.cli("check", expect=1)
    except subprocess.TimeoutExpired:
        raise Fail("pxeforge check reads /dev/zero")
    check(zero + ": error: cannot read file: not a regular file (a character device)"
          in p.stderr, "check does not name the link to /dev/zero")
    p = e.cli("reload", expect=1)
    check(zero in p.stderr, "reload does not name the link to /dev/zero")
    check(e.daemon.poll() is None, "daemon died")
    os.unlink(zero)
    e.cli("reload")


def no_glib_complaint(text, what):
    for needle in ("critical:", "CRITICAL", "warning:", "WARNING"):
        check(needle not in text, "%s says %s:\n%s" % (what, needle, text))


def case_relative_config(e):
    """`--config etc` and `--config .` (as the README runs it) work like an
    absolute path: templates resolve against the configuration directory,
    and GLib has nothing to complain about."""
    e.write("pxeforge.yaml", GOOD)
    e.write("templates/ks.cfg", KS)
    e.cwd = e.root
    e.config = "etc"
    p = e.cli("check")
    check("OK: 1 distros, 1 profiles, 1 hosts" in p.stdout, "check with --config etc failed")
    no_glib_complaint(p.stderr, "pxeforge --config etc check")
    p = e.cli("render", "--mac", "52:54:00:00:00:01")
    check("url --url=http://192.0.2.1/distros/centos7" in p.stdout,
          "render with --config etc failed")
    no_glib_complaint(p.stderr, "pxeforge --config etc render")

    e.cwd = os.path.join(e.root, "etc")
    e.config = "."
    e.start()
    p = e.cli("render", "--mac", "52:54:00:00:00:01")
    check("url --url=http://192.0.2.1/distros/centos7" in p.stdout,
          "render through pxeforged --config . failed")
    p = e.cli("status")
    check(e.path("etc") in p.stdout, "status does not show the absolute configuration directory")
    e.cli("reload")
    p = e.cli("check")
    no_glib_complaint(p.stderr, "pxeforge --config . check")
    log = e.wait_log("reload")
    for needle in ("critical:", "GLib"):
        check(needle not in log, "the daemon log says %s" % needle)


# Templates that do not compile: (name, text, partials {file: text}, where the
# error is: (file relative to etc/, line), what it says). Each would be served
# as an HTTP 500 at install time if nothing checked it before.
BROKEN_TEMPLATES = [
    ("unclosed-section", "# ks\n{{#pkgs}}\n%packages\n", {},
     ("templates/{}", 2), "unclosed section 'pkgs'"),
    ("mismatched-close", "{{#pkgs}}\n%packages\n{{/packages}}\n", {},
     ("templates/{}", 3), "mismatched closing tag 'packages', expected 'pkgs'"),
    ("unknown-partial", "# ks\n{{> nosuch}}\n", {},
     ("templates/{}", 2), "partial 'nosuch' not found"),
    # in a section that a render with these variables skips: still an error
    ("unknown-partial-in-section", "# ks\n{{#extra}}\n{{> nosuch}}\n{{/extra}}\n", {},
     ("templates/{}", 3), "partial 'nosuch' not found"),
    ("bad-delimiters", "# ks\n{{=<% =}}\n", {},
     ("templates/{}", 2), "bad set-delimiter tag"),
    ("unterminated-tag", "# ks\nnetwork --hostname={{host.hostname\n", {},
     ("templates/{}", 2), "unclosed tag"),
    ("error-in-snippet", "# ks\n{{> disk}}\n", {"snippets/disk.mustache": "ok\n\n{{#raid}}\n"},
     ("snippets/disk.mustache", 3), "unclosed section 'raid'"),
    ("error-in-nested-partial", "{{> outer}}\n",
     {"templates/outer.mustache": "a\n{{> inner}}\n", "templates/inner.tmpl": "{{/x}}\n"},
     ("templates/inner.tmpl", 1), "unexpected closing tag 'x'"),
]


def write_broken(e, name, text, partials, where, line):
    """The broken template as templates/NAME.cfg, with its partials, a
    profile "broken" using it and a host of that profile; returns the
    template's file name and the "FILE:LINE: " the error must give."""
    tpl = "%s.cfg" % name
    e.write("templates/" + tpl, text)
    for rel, body in partials.items():
        e.write(rel, body)
    e.write("conf.d/50-template.yaml",
            "profiles:\n  broken:\n    distro: centos7\n    os: kickstart\n"
            "    template: templates/%s\n"
            "hosts:\n  - mac: 52:54:00:00:00:77\n    hostname: broken-host\n"
            "    profile: broken\n" % tpl)
    return tpl, "%s:%d: " % (os.path.join(e.config, where.format(tpl)), line)


def case_template_errors(e):
    """check, daemon start and reload compile every profile template and its
    partials: each broken one is an error with its file:line; start is
    refused, reload keeps the running configuration."""
    e.write("pxeforge.yaml", GOOD)
    e.write("templates/ks.cfg", KS)
    check(len(BROKEN_TEMPLATES) >= 7, "fewer than seven broken templates")
    for name, text, partials, (where, line), what in BROKEN_TEMPLATES:
        tpl, needle = write_broken(e, name, text, partials, where, line)
        p = e.cli("check", expect=1)
        check(needle in p.stderr and what in p.stderr,
              "%s: check does not say %r at %s" % (name, what, needle))
        check("profiles.broken.template" in p.stderr, "%s: error not tied to the profile" % name)
        e.start(wait_ready=False)
        try:
            rc = e.daemon.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Fail("%s: pxeforged started on a broken template" % name)
        log = e.daemon_log()
        check(rc != 0 and "not starting" in log and needle in log,
              "%s: pxeforged did not refuse to start naming %s" % (name, needle))

    os.unlink(os.path.join(e.config, "conf.d", "50-template.yaml"))
    e.start()
    for name, text, partials, (where, line), what in BROKEN_TEMPLATES:
        tpl, needle = write_broken(e, name, text, partials, where, line)
        e.drain_notify()  # each reload notifies: a full queue would block the daemon
        p = e.cli("reload", expect=1)
        check(needle in p.stderr and what in p.stderr
              and "keeping the running configuration" in p.stderr,
              "%s: reload not refused naming %s" % (name, needle))
        p = e.cli("hosts", "list")
        check("web01" in p.stdout and "broken-host" not in p.stdout,
              "%s: the running configuration was not kept" % name)
    check(e.daemon.poll() is None, "daemon died")
    # and a good template under the same profile applies
    e.write("templates/" + tpl, KS)
    e.cli("reload")
    p = e.cli("hosts", "list")
    check("broken-host" in p.stdout, "a fixed template was not taken on reload")


def case_state_lock(e):
    """A second pxeforged on a state directory in use refuses to start,
    naming the directory and the PID of the one holding it, and changes
    nothing; once the first has stopped, it starts."""
    e.write("pxeforge.yaml", GOOD)
    e.write("templates/ks.cfg", KS)
    e.start()
    other_socket = os.path.join(e.root, "run", "other.sock")
    cmd = [e.pxeforged, "--config", e.config, "--state-dir", e.state,
           "--control-socket", other_socket, "--user", ""]
    p = subprocess.run(cmd, env=e.env, capture_output=True, text=True, timeout=TIMEOUT)
    out = p.stdout + p.stderr
    print(out)
    check(p.returncode != 0, "a second daemon started on a state directory in use")
    check("state directory %s is in use by another pxeforged (PID %d"
          % (e.state, e.daemon.pid) in out, "the refusal does not name the dir and PID")
    check(not os.path.exists(other_socket), "the refused daemon opened a control socket")
    p = e.cli("hosts", "list")
    check("web01" in p.stdout, "the first daemon was disturbed")
    e.stop_and_check()
    e.log_mode = "a"
    e.start()
    e.cli("hosts", "list")


CASES = {
    "lifecycle": case_lifecycle,
    "privdrop": case_privdrop,
    "check-errors": case_check_errors,
    "reload": case_reload,
    "plugins": case_plugins,
    "render": case_render,
    "import": case_import,
    "special-files": case_special_files,
    "relative-config": case_relative_config,
    "template-errors": case_template_errors,
    "state-lock": case_state_lock,
}


def main():
    return pxftest.main(Env, CASES[sys.argv[2]], finish=lambda e: None)


if __name__ == "__main__":
    sys.exit(main())
