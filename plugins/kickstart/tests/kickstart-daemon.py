#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The kickstart plugin inside a real pxeforged: `pxeforge render --mac`
runs its template.vars (root password hashed, install source) and the
shipped template; the plaintext password appears nowhere, neither in the
answer file, nor in the variables listed, nor in the daemon's log.

usage: kickstart-daemon.py BUILDDIR SRCDIR CASE
"""
import ctypes
import ctypes.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
PXEFORGED = os.path.join(BUILD, "core", "pxeforged")
PXEFORGE = os.path.join(BUILD, "core", "pxeforge")
KS_TEMPLATE = os.path.join(SRC, "plugins", "kickstart", "templates",
                           "centos7-ks.cfg.mustache")
TIMEOUT = 20
MAC = "52:54:00:12:34:56"
PLAIN = "correct horse battery staple"


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


class Env:
    """A configuration directory, the built plugins, state and a control socket."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="pxf-kickstart-")
        self.config = os.path.join(self.root, "etc")
        self.plugins = os.path.join(self.root, "plugins")
        self.state = os.path.join(self.root, "state")
        self.socket = os.path.join(self.root, "run", "control.sock")
        os.makedirs(os.path.join(self.config, "conf.d"))
        os.makedirs(self.plugins)
        pdir = os.path.join(BUILD, "plugins")
        for d in sorted(os.listdir(pdir)):
            sub = os.path.join(pdir, d)
            for name in os.listdir(sub) if os.path.isdir(sub) else []:
                if name.endswith(".so"):
                    shutil.copy(os.path.join(sub, name), self.plugins)
                    os.chmod(os.path.join(self.plugins, name), 0o755)
        # GSlice hides leaked structures from LeakSanitizer in sanitizer builds
        self.env = dict(os.environ, PXEFORGE_TEST="1", PXEFORGE_PLUGIN_DIR=self.plugins,
                        G_SLICE="always-malloc")
        self.env.pop("NOTIFY_SOCKET", None)
        self.daemon = None
        self.notify = None
        self.log = os.path.join(self.root, "daemon.log")

    def write(self, rel, text):
        path = os.path.join(self.config, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def cli(self, *args, expect=0):
        cmd = [PXEFORGE, "--config", self.config, "--socket", self.socket] + list(args)
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=TIMEOUT)
        print("$ pxeforge " + " ".join(args))
        print(p.stdout + p.stderr)
        if expect is not None:
            check(p.returncode == expect,
                  "pxeforge %s exited %d, expected %d" % (" ".join(args), p.returncode, expect))
        return p

    def start(self):
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        npath = os.path.join(self.root, "notify.sock")
        self.notify.bind(npath)
        self.notify.settimeout(TIMEOUT)
        self.logf = open(self.log, "w")
        self.daemon = subprocess.Popen(
            [PXEFORGED, "--config", self.config, "--state-dir", self.state,
             "--control-socket", self.socket, "--user", ""],
            env=dict(self.env, NOTIFY_SOCKET=npath), stdout=self.logf,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                msg = self.notify.recv(4096).decode()
            except socket.timeout:
                break
            if "READY=1" in msg.split("\n"):
                return
        raise Fail("pxeforged did not get ready; log:\n" + self.daemon_log())

    def daemon_log(self):
        with open(self.log) as f:
            return f.read()

    def stop_and_check(self):
        """A clean stop: exit status 0 and no sanitizer report in the log."""
        if self.daemon is None:
            return
        self.close_daemon()
        log = self.daemon_log()
        for needle in ["ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                       "critical:"]:
            check(needle not in log, "daemon log has %s:\n%s" % (needle, log))
        check(self.daemon.returncode == 0,
              "pxeforged exited %d after SIGTERM" % self.daemon.returncode)

    def close_daemon(self):
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()

    def close(self):
        self.close_daemon()
        if self.notify is not None:
            self.notify.close()
        shutil.rmtree(self.root, ignore_errors=True)


def crypt(password, setting):
    """libcrypt's crypt(3), the function the installed system will use."""
    lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    out = lib.crypt(password.encode(), setting.encode())
    return out.decode() if out is not None else None


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


CASES = {
    "render": case_render,
    "bad-config": case_bad_config,
}


def main():
    case = CASES[sys.argv[3]]
    e = Env()
    try:
        if case(e) == 77:
            return 77
        e.stop_and_check()
    except Fail as ex:
        print("FAIL: %s" % ex)
        if e.daemon is not None:
            print("--- daemon log ---\n" + e.daemon_log())
        return 1
    finally:
        e.close()
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
