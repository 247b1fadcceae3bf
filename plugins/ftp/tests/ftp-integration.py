#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Integration tests of the ftp plugin in the real pxeforged, with curl,
lftp and Python's ftplib on 127.0.0.1 (the server, and host one) and
127.0.0.2 (host two). The inventory refuses loopback fixed IPs, so the test
plugin ftptest records those addresses as leased to the hosts, as the dhcp
plugin does on an ACK. Binds and sends only on loopback.

usage: ftp-integration.py BUILDDIR CASE
"""
import ftplib
import hashlib
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
import pxftest  # noqa: E402
from pxftest import TIMEOUT, Fail, Skip, check, free_port  # noqa: E402

PXEFORGED = os.path.join(BUILD, "core", "pxeforged")
FTP_SO = os.path.join(BUILD, "plugins", "ftp", "ftp.so")
FTPTEST_SO = os.path.join(BUILD, "plugins", "ftp", "tests", "ftptest.so")
KICKSTART_SO = os.path.join(BUILD, "plugins", "kickstart", "kickstart.so")

HOST1 = "52:54:00:00:00:01"  # leased 127.0.0.1: the address clients use by default
HOST2 = "52:54:00:00:00:02"  # leased 127.0.0.2


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def free_range(n):
    """n consecutive free TCP ports on 127.0.0.1 (above the ephemeral range
    where possible), for the passive data ports."""
    for _ in range(50):
        base = 20000 + (os.getpid() * 7 + int(time.time() * 1000)) % 20000
        socks = []
        try:
            for p in range(base, base + n):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            time.sleep(0.01)
        finally:
            for s in socks:
                s.close()
    raise Fail("no free port range")


class Env(pxftest.Env):
    """A configuration directory, a private plugin directory, state, the
    trees served, and one pxeforged."""

    def __init__(self):
        super().__init__(BUILD, "pxf-ftp-it-", [FTP_SO, FTPTEST_SO, KICKSTART_SO],
                         dirs=["etc/templates", "pub", "distro-tree"])
        self.pub = self.path("pub")
        self.distro = self.path("distro-tree")
        self.secret = self.path("secret.txt")
        for proxy in ("ftp_proxy", "FTP_PROXY", "all_proxy", "ALL_PROXY"):
            self.env.pop(proxy, None)
        self.port = free_port()
        self.pasv = free_range(20)
        self.populate()

    def populate(self):
        with open(self.secret, "w") as f:
            f.write("TOP SECRET\n")
        self.big = os.urandom(3 * 1024 * 1024 + 123)
        self.put(self.pub, "big.bin", self.big)
        self.put(self.pub, "notes/readme.txt", b"line one\nline two\n")
        os.symlink("../secret.txt", os.path.join(self.pub, "escape"))
        os.symlink(self.secret, os.path.join(self.pub, "abs-out"))
        os.symlink(os.path.join(self.pub, "big.bin"), os.path.join(self.pub, "abs-in"))
        os.symlink("big.bin", os.path.join(self.pub, "alias.bin"))
        # a small install tree: what anaconda fetches, with nested directories
        self.tree_files = {
            ".treeinfo": b"[general]\nname = Rocky\n",
            "images/install.img": os.urandom(700000),
            "images/pxeboot/vmlinuz": os.urandom(120000),
            "images/pxeboot/initrd.img": os.urandom(250000),
            "repodata/repomd.xml": b"<repomd/>\n",
            "Packages/a/a-1.0.rpm": os.urandom(5000),
            "Packages/b/b-2.0.rpm": os.urandom(7000),
            "Packages/b/empty.rpm": b"",
            "with space/file name.txt": b"spaces\n",
        }
        for rel, data in self.tree_files.items():
            self.put(self.distro, rel, data)
        os.symlink("../secret.txt", os.path.join(self.distro, "escape"))
        os.symlink("images/install.img", os.path.join(self.distro, "install-link.img"))

    @staticmethod
    def put(top, rel, data):
        path = os.path.join(top, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    def configure(self, ftp_extra="", kickstart=False):
        self.write("pxeforge.yaml", f"""\
daemon:
  debug: true
distros:
  rocky9:
    kernel: /nonexistent/vmlinuz
    initrd: /nonexistent/initrd.img
    tree: {self.distro}
profiles:
  web:
    distro: rocky9
    os: kickstart
    template: templates/ks.cfg
    variables:
      install_source: ftp
hosts:
  - mac: {HOST1}
    hostname: one
    profile: web
  - mac: {HOST2}
    hostname: two
    profile: web
""")
        self.write("templates/ks.cfg", """\
# kickstart for {{host.hostname}} ({{host.mac}})
url --url={{install_url}}
ftp_base={{ftp.base_url}}
ftp_tree={{ftp.tree_url}}
""")
        self.write("conf.d/70-ftp.yaml", f"""\
plugins:
  ftp:
    addresses: [127.0.0.1]
    port: {self.port}
    root: {self.pub}
    passive_port_min: {self.pasv}
    passive_port_max: {self.pasv + 19}
{ftp_extra}""")
        self.write("conf.d/90-ftptest.yaml", f"""\
plugins:
  ftptest:
    owners: [127.0.0.1={HOST1}, 127.0.0.2={HOST2}]
""")
        if kickstart:
            self.write("conf.d/60-kickstart.yaml", "plugins:\n  kickstart: {}\n")

    def start(self, expect_serving=True):
        super().start()
        if expect_serving:
            check("serving FTP on 127.0.0.1:%d" % self.port in self.wait_log("serving FTP"),
                  "the ftp plugin did not start:\n" + self.daemon_log())

    def cli(self, *args):
        return super().cli(*args).stdout

    def url(self, path):
        return "ftp://127.0.0.1:%d%s" % (self.port, path)

    def curl(self, path, *args, ok=True):
        """(exit code, body) of one curl run."""
        out = os.path.join(self.root, "curl.out")
        if os.path.exists(out) and "-C" not in args:
            os.unlink(out)
        cmd = ["curl", "-sS", "--max-time", str(TIMEOUT), "--noproxy", "*", "-o", out]
        cmd += list(args) + [self.url(path)]
        p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT + 5, env=self.env)
        print("$ " + " ".join(cmd[1:]) + " -> %d %s" % (p.returncode,
                                                     p.stderr.decode(errors="replace").strip()))
        if ok:
            check(p.returncode == 0, "curl %s: %s" % (path, p.stderr.decode(errors="replace")))
        data = b""
        if os.path.exists(out):
            with open(out, "rb") as f:
                data = f.read()
        return p.returncode, data

    def ftp(self, source=None):
        """A logged-in ftplib session (passive)."""
        f = ftplib.FTP(timeout=TIMEOUT, source_address=(source, 0) if source else None)
        f.connect("127.0.0.1", self.port)
        f.login()
        return f


def code_of(fn, *args):
    """The reply code of an ftplib call, also when it raises."""
    try:
        reply = fn(*args)
    except ftplib.all_errors as err:
        reply = str(err)
    print("  %s%r -> %s" % (getattr(fn, "__name__", "?"), args, reply.splitlines()[0]
                            if reply else reply))
    return reply[:3] if isinstance(reply, str) else reply


def case_files(e):
    """RETR, SIZE, REST resume, listings, file.open answers, FILE_SERVED."""
    e.configure()
    e.start()

    _, body = e.curl("/big.bin")
    check(sha256(body) == sha256(e.big), "big.bin differs")
    _, body = e.curl("/distros/rocky9/images/install.img")
    check(body == e.tree_files["images/install.img"], "distro tree file differs")
    _, body = e.curl("/alias.bin", "--ftp-method", "nocwd")
    check(body == e.big, "a relative symlink inside the root")
    _, body = e.curl("/distros/rocky9/with%20space/file%20name.txt")
    check(body == b"spaces\n", "a name with spaces")

    # SIZE and MDTM: curl -I prints them as headers
    _, body = e.curl("/big.bin", "-I")
    check(b"Content-Length: %d" % len(e.big) in body, "SIZE via curl -I: %r" % body)
    check(b"Last-Modified:" in body, "MDTM via curl -I: %r" % body)

    # resume: the first 1000000 bytes are there, REST fetches the rest
    partial = os.path.join(e.root, "curl.out")
    with open(partial, "wb") as f:
        f.write(e.big[:1000000])
    _, body = e.curl("/big.bin", "-C", "-")
    check(sha256(body) == sha256(e.big), "resumed big.bin differs")
    log = e.wait_log("REST 1000000")
    check("REST 1000000" in log, "curl -C - did not send REST:\n" + log)
    # a byte range is REST plus an early close
    _, body = e.curl("/big.bin", "-r", "2000000-")
    check(body == e.big[2000000:], "range 2000000-")

    # listings: LIST of a directory, NLST, a file.open virtual file
    # (curl reads listings in ASCII mode and writes them with its own line ends)
    _, body = e.curl("/distros/rocky9/")
    text = body.decode()
    check(re.search(r"^dr-xr-xr-x .* images\r?$", text, re.M), "LIST: no images/:\n" + text)
    check(re.search(r"^-r--r--r-- .* 700000 .* install-link.img\r?$", text, re.M),
          "LIST: the symlink inside is not shown as its file:\n" + text)
    check("escape" not in text, "LIST shows a symlink out of the tree:\n" + text)
    _, body = e.curl("/distros/", "-l")
    check(body.splitlines() == [b"rocky9"], "NLST /distros: %r" % body)
    _, body = e.curl("/", "-l")
    # no escape (relative, out) nor abs-out (absolute): they cannot be fetched
    check(body.splitlines() == [b"alias.bin", b"big.bin", b"distros", b"notes"],
          "NLST /: %r" % body)

    _, body = e.curl("/virtual/hello.txt", "--ftp-method", "nocwd")
    check(b"mac=%s\nhost=one\n" % HOST1.encode() in body, "file.open content: %r" % body)
    _, body = e.curl("/virtual/hello.txt", "--ftp-method", "nocwd", "--interface", "127.0.0.2")
    check(b"host=two" in body, "file.open content for 127.0.0.2: %r" % body)
    rc, _ = e.curl("/blocked/x", "--ftp-method", "nocwd", ok=False)
    check(rc == 78, "file.open drop: curl exit %d, expected 78 (not found)" % rc)

    # MLSD, MLST, ASCII mode, through ftplib
    f = e.ftp()
    facts = dict(f.mlsd("/distros/rocky9/images", facts=["type", "size"]))
    check(facts.get("install.img", {}).get("size") == "700000"
          and facts.get("pxeboot", {}).get("type") == "dir", "MLSD: %r" % facts)
    check(code_of(f.sendcmd, "MLST /big.bin") == "250", "MLST")
    lines = []
    f.retrlines("RETR /notes/readme.txt", lines.append)
    check(lines == ["line one", "line two"], "ASCII RETR: %r" % lines)
    f.quit()

    log = e.wait_log("served big.bin (%d bytes)" % len(e.big),
                     "served distros/rocky9/images/install.img")
    check("host %s: served big.bin (%d bytes)" % (HOST1, len(e.big)) in log,
          "no file-served event:\n" + log)
    check("host %s: served distros/rocky9/images/install.img (700000 bytes)" % HOST1 in log,
          "no file-served event for the tree:\n" + log)
    check("host %s: served big.bin (%d bytes)" % (HOST1, len(e.big) - 1000000) in log,
          "no file-served event for the resumed download:\n" + log)
    check("host %s: served virtual/hello.txt" % HOST2 in log,
          "no file-served event naming host two:\n" + log)
    check("guest@" not in log, "the anonymous password is logged")


def case_mirror(e):
    """lftp mirrors the distro tree: every file, the same bytes, nothing from
    outside it."""
    if shutil.which("lftp") is None:
        raise Skip("lftp is not installed")
    e.configure()
    e.start()
    dest = os.path.join(e.root, "mirror")
    script = ("set net:max-retries 1; set net:timeout %d; set ftp:passive-mode on; "
              "open -u anonymous,lftp@ 127.0.0.1 -p %d; mirror --parallel=3 "
              "/distros/rocky9 %s" % (TIMEOUT, e.port, dest))
    p = subprocess.run(["lftp", "-c", script], capture_output=True, text=True,
                       timeout=TIMEOUT * 4, env=e.env)
    print(p.stdout + p.stderr)
    check(p.returncode == 0, "lftp mirror failed: %s" % p.stderr)
    got = {}
    for top, _, files in os.walk(dest):
        for name in files:
            path = os.path.join(top, name)
            with open(path, "rb") as f:
                got[os.path.relpath(path, dest)] = sha256(f.read())
    want = {rel: sha256(data) for rel, data in e.tree_files.items()}
    want["install-link.img"] = want["images/install.img"]
    check(got == want, "mirror differs:\n got %r\nwant %r" % (sorted(got), sorted(want)))
    log = e.daemon_log()
    check("host %s: served distros/rocky9/repodata/repomd.xml (10 bytes)" % HOST1 in log,
          "the mirror's downloads are not events:\n" + log)


def case_refusals(e):
    """Read-only, anonymous only, passive only, nothing outside the trees."""
    e.configure()
    e.start()
    secret = b"TOP SECRET"

    f = ftplib.FTP(timeout=TIMEOUT)
    f.connect("127.0.0.1", e.port)
    check(code_of(f.sendcmd, "RETR big.bin") == "530", "RETR before the login")
    check(code_of(f.sendcmd, "USER root") == "530", "a user other than anonymous")
    check(code_of(f.sendcmd, "PASS secret") == "503", "PASS after a refused USER")
    check(code_of(f.sendcmd, "USER ftp") == "331", "USER ftp")
    check(code_of(f.sendcmd, "PASS a@b") == "230", "PASS")
    for command in ("STOR x", "STOU", "APPE big.bin", "DELE big.bin", "MKD new", "XMKD new",
                    "RMD notes", "RNFR big.bin", "RNTO y", "SITE CHMOD 777 big.bin"):
        check(code_of(f.sendcmd, command) == "550", "%s was not refused with 550" % command)
    for command in ("PORT 127,0,0,1,100,100", "EPRT |1|127.0.0.1|25700|"):
        check(code_of(f.sendcmd, command) == "502", "%s was not refused with 502" % command)
    for command in ("CWD ..", "CWD ../..", "CWD /distros/rocky9/../../..", "SIZE ../secret.txt",
                    "MDTM /../secret.txt", "SIZE escape", "SIZE abs-out",
                    "SIZE /distros/rocky9/escape", "CWD /distros/rocky9/..\\..",
                    "SIZE /etc/passwd"):
        check(code_of(f.sendcmd, command)[0] == "5", "%s was not refused" % command)
    for path in ("../secret.txt", "/../secret.txt", "escape", "abs-out", "abs-in",
                 "/distros/rocky9/escape", "/distros/rocky9/../../secret.txt",
                 "/distros/../../secret.txt", "notes/../../secret.txt"):
        chunks = []
        try:
            f.retrbinary("RETR " + path, chunks.append)
            raise Fail("RETR %s was served" % path)
        except ftplib.error_perm as err:
            print("  RETR %s -> %s" % (path, err))
            check(str(err).startswith("550"), "RETR %s: %s" % (path, err))
        check(secret not in b"".join(chunks), "RETR %s leaked the secret" % path)
    f.quit()

    # curl's own spellings of a way out
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/notes/../../secret.txt"):
        rc, body = e.curl(path, "--path-as-is", ok=False)
        check(rc != 0 and secret not in body, "%s: curl exit %d, %r" % (path, rc, body))
    rc, _ = e.curl("/upload.txt", "-T", e.secret, ok=False)
    check(rc != 0 and not os.path.exists(os.path.join(e.pub, "upload.txt")),
          "an upload went through")

    log = e.wait_log("refusing RETR \"abs-in\"")
    for needle in ["refusing RETR \"../secret.txt\" from 127.0.0.1: '..' climbs above the root",
                   "refusing RETR \"escape\" from 127.0.0.1: escape: resolves to",
                   "refusing RETR \"abs-out\" from 127.0.0.1: abs-out: resolves to",
                   # inside, but absolute: openat2(RESOLVE_BENEATH) says no
                   "refusing RETR \"abs-in\" from 127.0.0.1: abs-in: leaves the tree",
                   "refusing STOR \"x\" from 127.0.0.1: the server is read-only"]:
        check(needle in log, "no log line %r:\n%s" % (needle, log))


def case_limits(e):
    """max_sessions, the idle timeout, the data timeout, and a data
    connection from a stranger."""
    e.configure("    max_sessions: 2\n    idle_timeout: 2\n    data_timeout: 2\n")
    e.start()
    a = e.ftp()
    b = e.ftp()
    idle_since = time.monotonic()
    third = socket.create_connection(("127.0.0.1", e.port), timeout=TIMEOUT)
    greeting = third.recv(4096)
    check(greeting.startswith(b"421 "), "a third session: %r" % greeting)
    check(third.recv(4096) == b"", "the refused session stays open")
    third.close()
    log = e.wait_log("refusing a session from 127.0.0.1: 2 sessions are open")
    check("(max_sessions)" in log, "no max_sessions warning:\n" + log)

    # idle: both go quiet and get 421, then their connections close
    for session in (a, b):
        try:
            reply = session.getresp()
        except ftplib.error_temp as err:
            reply = str(err)
        check(reply.startswith("421"), "idle session: %r" % reply)
        try:
            extra = session.sock.recv(10)
        except OSError:
            extra = b""
        check(extra == b"", "the idle session stays open")
        session.close()
    check(time.monotonic() - idle_since >= 1.5, "closed before idle_timeout")

    # and now there is room again; a PASV port nobody connects to: 425
    # after data_timeout
    c = e.ftp()
    reply = c.sendcmd("PASV")
    port = [int(x) for x in re.search(r"\((\d+(?:,\d+){5})\)", reply).group(1).split(",")]
    port = port[4] * 256 + port[5]
    check(e.pasv <= port <= e.pasv + 19, "PASV port %d outside the range" % port)
    # a stranger's connection to it is closed unanswered
    stranger = socket.socket()
    stranger.bind(("127.0.0.2", 0))
    stranger.settimeout(TIMEOUT)
    stranger.connect(("127.0.0.1", port))
    check(stranger.recv(10) == b"", "a data connection from another address was kept")
    stranger.close()
    start = time.monotonic()
    check(code_of(c.sendcmd, "RETR big.bin") == "425", "RETR without a data connection")
    check(time.monotonic() - start >= 1, "425 came before the data timeout")
    check(code_of(c.sendcmd, "NOOP") == "200", "the session after a 425")
    c.quit()
    log = e.wait_log("idle for 2 s; closing it")
    check("refusing a data connection to port %d from 127.0.0.2" % port in log,
          "no warning about the stranger:\n" + log)


def case_flood(e):
    """500 sockets from 127.0.0.2 get max_sessions_per_address sessions, and
    127.0.0.1 still fetches its kernel; those never logged in are closed at
    login_timeout."""
    e.configure("    login_timeout: 2\n")
    e.start()
    flood = pxftest.flood("127.0.0.2", e.port, 500)
    try:
        # most of the flood answered (220 or 421: the rest still retry their
        # SYN past the listen backlog), more than max_sessions, before the
        # kernel is asked for
        greetings = {}
        deadline = time.monotonic() + 15
        while len(greetings) < 300 and time.monotonic() < deadline:
            waiting = [s for s in flood if s not in greetings][:200]
            for s in select.select(waiting, [], [], 1.0)[0]:
                try:
                    greetings[s] = s.recv(4096)
                except OSError:
                    greetings[s] = b""
        held = [s for s, g in greetings.items() if g.startswith(b"220 ")]
        print("%d flood sockets answered, %d of them hold a session"
              % (len(greetings), len(held)))
        check(len(held) == 16, "127.0.0.2 holds %d sessions" % len(held))
        _, body = e.curl("/distros/rocky9/images/pxeboot/vmlinuz")
        check(body == e.tree_files["images/pxeboot/vmlinuz"], "no kernel for 127.0.0.1")
        # login_timeout 2: the held sessions, never logged in, get 421 and go
        deadline = time.monotonic() + 10
        closed = {}
        while len(closed) < len(held) and time.monotonic() < deadline:
            for s in select.select([s for s in held if s not in closed], [], [], 1.0)[0]:
                try:
                    closed[s] = s.recv(4096)
                except OSError:
                    closed[s] = b""
        check(len(closed) == len(held) and
              all(r.startswith(b"421 Timeout: not logged in") for r in closed.values()),
              "sessions that never logged in stay: %r" % list(closed.values())[:3])
    finally:
        for s in flood:
            s.close()
    log = e.wait_log("(max_sessions_per_address)", "not logged in after 2 s")
    check("refusing a session from 127.0.0.2: 16 sessions are open from it "
          "(max_sessions_per_address)" in log, "no per-address refusal logged")


def case_reload(e):
    """A reload with new settings restarts the plugin on the same socket and
    closes the old sessions."""
    e.configure()
    e.start()
    old = e.ftp()
    check(code_of(old.sendcmd, "NOOP") == "200", "before the reload")
    e.write("conf.d/70-ftp.yaml", f"""\
plugins:
  ftp:
    addresses: [127.0.0.1]
    port: {e.port}
    root: {os.path.join(e.pub, "notes")}
    passive_port_min: 0
    passive_port_max: 0
""")
    e.cli("reload")
    e.wait_log("stopping plugin ftp")
    _, body = e.curl("/readme.txt")
    check(body == b"line one\nline two\n", "the new root after the reload")
    rc, _ = e.curl("/big.bin", ok=False)
    check(rc != 0, "the old root after the reload")
    try:
        reply = old.sendcmd("NOOP")
    except (ftplib.all_errors + (EOFError,)) as err:
        reply = "closed: %s" % err
    check(not reply.startswith("200"), "a session of the stopped instance still answers")


def case_kickstart(e):
    """A profile with install_source: ftp gets url --url=ftp://... from the
    kickstart plugin; ftp.base_url and ftp.tree_url for templates."""
    if not os.path.exists(KICKSTART_SO):
        raise Skip("the kickstart plugin is not built")
    e.configure(kickstart=True)
    e.start()
    out = e.cli("render", "--mac", HOST1)
    base = "ftp://127.0.0.1:%d" % e.port
    for line in ["url --url=%s/distros/rocky9/\n" % base, "ftp_base=%s\n" % base,
                 "ftp_tree=%s/distros/rocky9/\n" % base]:
        check(line in out, "%r not in the render:\n%s" % (line, out))
    # the URL is one this server answers
    _, body = e.curl("/distros/rocky9/.treeinfo")
    check(body == e.tree_files[".treeinfo"], "the rendered tree URL does not serve")


def case_bad_config(e):
    """Settings only the plugin checks are refused with file:line:column, and
    the daemon runs on without the plugin."""
    e.configure()
    e.write("conf.d/71-ftp-bad.yaml", """\
plugins:
  ftp:
    passive_port_min: 60000
    passive_port_max: 50000
""")
    e.start(expect_serving=False)
    where = os.path.join(e.config, "conf.d", "71-ftp-bad.yaml") + ":3:"
    log = e.wait_log("passive ports are a range")
    check(where in log and "passive_port_min: passive ports are a range" in log,
          "no located refusal:\n" + log)
    check("serving FTP" not in log, "the plugin started anyway")
    out = e.cli("plugins")
    check(re.search(r"^ftp\s+refused: ", out, re.M), "ftp is not listed as refused")


CASES = {
    "flood": case_flood,
    "files": case_files,
    "mirror": case_mirror,
    "refusals": case_refusals,
    "limits": case_limits,
    "reload": case_reload,
    "kickstart": case_kickstart,
    "bad-config": case_bad_config,
}


if __name__ == "__main__":
    sys.exit(pxftest.main(Env, CASES[sys.argv[2]], name=sys.argv[2],
                          needs=["curl", FTP_SO, FTPTEST_SO, PXEFORGED],
                          finish=lambda e: e.stop_and_check(pxftest.MEMORY_ERRORS,
                                                            check_rc=False)))
