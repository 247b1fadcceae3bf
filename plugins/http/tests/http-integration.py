#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Integration tests of the http plugin in the real pxeforged, with curl on
127.0.0.1 (the server, and host one) and 127.0.0.2/127.0.0.3 (hosts two and
three). The inventory refuses loopback fixed IPs, so the test plugin
httptest records those addresses as leased to the hosts, as the dhcp plugin
does on an ACK. Binds and sends only on loopback.

usage: http-integration.py BUILDDIR CASE
"""
import hashlib
import os
import re
import select
import socket
import subprocess
import sys
import time

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
import pxftest  # noqa: E402
from pxftest import TIMEOUT, check, free_port  # noqa: E402

PXEFORGED = os.path.join(BUILD, "core", "pxeforged")
HTTP_SO = os.path.join(BUILD, "plugins", "http", "http.so")
HTTPTEST_SO = os.path.join(BUILD, "plugins", "http", "tests", "httptest.so")

HOST1 = "52:54:00:00:00:01"  # leased 127.0.0.1: the address curl uses by default
HOST2 = "52:54:00:00:00:02"  # leased 127.0.0.2
HOST3 = "52:54:00:00:00:03"  # leased 127.0.0.3
BARE = "52:54:00:00:00:04"   # no address, no profile


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class Env(pxftest.Env):
    """A configuration directory, a private plugin directory, state, the
    trees served, and one pxeforged."""

    def __init__(self):
        super().__init__(BUILD, "pxf-http-it-", [HTTP_SO, HTTPTEST_SO],
                         dirs=["etc/templates", "www", "distro-tree", "extra"])
        self.www = self.path("www")
        self.distro = self.path("distro-tree")
        self.extra = self.path("extra")
        self.secret = self.path("secret.txt")
        self.port = free_port()
        self.populate()

    def populate(self):
        with open(self.secret, "w") as f:
            f.write("TOP SECRET\n")
        self.big = os.urandom(3 * 1024 * 1024 + 123)
        self.put(self.www, "big.bin", self.big)
        self.put(self.www, "docs/index.html", b"<html>docs</html>\n")
        os.makedirs(os.path.join(self.www, "empty"))
        os.symlink("../secret.txt", os.path.join(self.www, "escape"))
        os.symlink(self.secret, os.path.join(self.www, "abs-out"))
        os.symlink(os.path.join(self.www, "big.bin"), os.path.join(self.www, "abs-in"))
        os.symlink("big.bin", os.path.join(self.www, "alias.bin"))
        self.install_img = os.urandom(200000)
        self.put(self.distro, "images/install.img", self.install_img)
        self.kernel = os.urandom(300000)
        self.put(self.distro, "images/pxeboot/vmlinuz", self.kernel)
        self.put(self.distro, ".treeinfo", b"[general]\nname = Rocky\n")
        os.symlink("../secret.txt", os.path.join(self.distro, "escape"))
        self.put(self.extra, "readme.txt", b"extra tree\n")

    @staticmethod
    def put(top, rel, data):
        path = os.path.join(top, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    def configure(self, http_extra=""):
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
hosts:
  - mac: {HOST1}
    hostname: one
    profile: web
  - mac: {HOST2}
    hostname: two
    profile: web
  - mac: {HOST3}
    hostname: three
    profile: web
  - mac: {BARE}
    hostname: bare
""")
        self.write("templates/ks.cfg", """\
# kickstart for {{host.hostname}} ({{host.mac}})
url --url={{http.tree_url}}
ks={{install.ks_url}}
base={{http.base_url}}
%post
curl -fsS -X POST '{{install.done_url}}?token={{install.token}}'
%end
TOKEN={{install.token}}
""")
        self.write("conf.d/40-http.yaml", f"""\
plugins:
  http:
    addresses: [127.0.0.1]
    port: {self.port}
    root: {self.www}
    trees:
      - {{path: /extra, dir: {self.extra}}}
{http_extra}""")
        self.write("conf.d/90-httptest.yaml", f"""\
plugins:
  httptest:
    alias_target: {os.path.join(self.www, "big.bin")}
    owners: [127.0.0.1={HOST1}, 127.0.0.2={HOST2}, 127.0.0.3={HOST3}]
""")

    def start(self, expect_serving=True):
        super().start()
        if expect_serving:
            check("serving HTTP on 127.0.0.1:%d" % self.port in self.wait_log("serving HTTP"),
                  "the http plugin did not start:\n" + self.daemon_log())

    def cli(self, *args):
        return super().cli(*args).stdout

    def state_of(self, mac):
        first = self.cli("state", mac).splitlines()[0]
        return first.split(": ", 1)[1].strip()

    def curl(self, path, *args, source=None, method=None, raw_path=False):
        """(status, headers (lower-cased), body) of one request."""
        hdr = os.path.join(self.root, "headers")
        body = os.path.join(self.root, "body")
        cmd = ["curl", "-sS", "--max-time", str(TIMEOUT), "-o", body, "-D", hdr,
               "-w", "%{http_code} %{size_download}", "--noproxy", "*"]
        if raw_path:
            cmd.append("--path-as-is")
        if source is not None:
            cmd += ["--interface", source]
        if method == "HEAD":
            cmd.append("-I")
        elif method is not None:
            cmd += ["-X", method]
        cmd += list(args)
        cmd.append("http://127.0.0.1:%d%s" % (self.port, path))
        p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT + 5)
        check(p.returncode == 0, "curl %s: %s" % (path, p.stderr.decode(errors="replace")))
        status, size = (int(v) for v in p.stdout.decode().split())
        with open(hdr, errors="replace") as f:
            headers = f.read().lower()
        with open(body, "rb") as f:
            data = f.read()
        if method == "HEAD":  # -I writes the headers where the body would go
            check(size == 0, "HEAD %s: %d bytes of body" % (path, size))
            data = b""
        shown = method or ("POST" if {"-d", "--data-urlencode"} & set(args) else "GET")
        print("%s %s%s -> %d (%d bytes)" % (shown, path,
                                            " from " + source if source else "", status,
                                            len(data)))
        return status, headers, data


def header(headers, name):
    m = re.search(r"^%s:\s*(.*?)\r?$" % re.escape(name), headers, re.M)
    return m.group(1) if m else None


def case_files(e):
    """Static files, HEAD, ranges, the trees, and file.open answers."""
    e.configure()
    e.start()

    status, headers, body = e.curl("/big.bin")
    check(status == 200 and sha256(body) == sha256(e.big), "big.bin differs")
    check(header(headers, "content-length") == str(len(e.big)), "wrong Content-Length")
    status, headers, body = e.curl("/big.bin", method="HEAD")
    check(status == 200 and body == b"", "HEAD sent a body")
    check(header(headers, "content-length") == str(len(e.big)), "HEAD: wrong Content-Length")
    status, headers, body = e.curl("/big.bin", "-r", "100-199")
    check(status == 206 and body == e.big[100:200], "range 100-199")
    check(header(headers, "content-range") == "bytes 100-199/%d" % len(e.big),
          "Content-Range: %s" % header(headers, "content-range"))
    status, _, body = e.curl("/alias.bin")
    check(status == 200 and body == e.big, "a relative symlink inside the root")
    status, headers, body = e.curl("/docs/")
    check(status == 200 and body == b"<html>docs</html>\n", "index.html of a directory")
    check(header(headers, "content-type").startswith("text/html"), "index.html content type")
    status, _, _ = e.curl("/big.bin", method="POST")
    check(status == 405, "POST of a file")

    # the inventory's distro tree, a configured tree
    status, headers, body = e.curl("/distros/rocky9/images/install.img")
    check(status == 200 and sha256(body) == sha256(e.install_img), "distro tree file")
    check(header(headers, "content-type") == "application/octet-stream", "img content type")
    status, headers, body = e.curl("/distros/rocky9/.treeinfo")
    check(status == 200 and header(headers, "content-type") == "text/plain", ".treeinfo")
    status, _, _ = e.curl("/distros/rocky9/")
    check(status == 403, "a tree directory without index.html is refused")
    status, _, _ = e.curl("/distros/nosuch/x")
    check(status == 404, "an unknown distro")
    status, _, body = e.curl("/extra/readme.txt")
    check(status == 200 and body == b"extra tree\n", "configured tree")

    # file.open: rendered content for the client the address names
    status, _, body = e.curl("/virtual/hello.txt")
    check(status == 200 and b"mac=%s\nhost=one\n" % HOST1.encode() in body,
          "file.open content: %r" % body)
    status, _, body = e.curl("/virtual/hello.txt", source="127.0.0.2")
    check(status == 200 and b"host=two" in body, "file.open content for 127.0.0.2")
    status, _, body = e.curl("/alias/big.bin")
    check(status == 200 and sha256(body) == sha256(e.big), "file.open local path")
    status, _, _ = e.curl("/blocked/anything")
    check(status == 404, "file.open drop")

    log = e.wait_log("served big.bin (%d bytes)" % len(e.big))
    check("host %s: served big.bin (%d bytes)" % (HOST1, len(e.big)) in log,
          "no file-served event:\n" + log)
    check("host %s: served distros/rocky9/images/install.img (%d bytes)"
          % (HOST1, len(e.install_img)) in log, "no file-served event for the tree")


def case_refusals(e):
    """Nothing outside the served trees, however it is asked for."""
    e.configure()
    e.start()
    secret = b"TOP SECRET"
    attempts = [
        ("/../secret.txt", 403), ("/%2e%2e/secret.txt", 403), ("/%2E%2E/secret.txt", 403),
        ("/docs/../../secret.txt", 403), ("/docs/%2e%2e/%2e%2e/secret.txt", 403),
        ("/a%2f..%2f..%2fsecret.txt", 403), ("/big.bin%00.txt", 403), ("/a%5c..%5csecret.txt", 403),
        ("/escape", 403), ("/abs-out", 403), ("/abs-in", 403), ("/empty", 403), ("/", 403),
        ("/distros/rocky9/escape", 403), ("/distros/rocky9/../../secret.txt", 403),
        ("/extra/../secret.txt", 403), ("/%zz", 400), ("/a%0a", 400),
    ]
    for path, expected in attempts:
        status, _, body = e.curl(path, raw_path=True)
        check(status == expected, "%s answered %d, expected %d" % (path, status, expected))
        check(secret not in body, "%s leaked the secret" % path)
    log = e.wait_log("refusing GET /abs-in")
    for needle in ["refusing GET \"/%2e%2e/secret.txt\" from 127.0.0.1: path contains a '..' segment",
                   "refusing GET \"/big.bin%00.txt\" from 127.0.0.1: path contains a NUL byte",
                   "refusing GET /escape from 127.0.0.1: escape: resolves to",
                   "refusing GET /abs-in from 127.0.0.1: abs-in: leaves the tree"]:
        check(needle in log, "no log line %r:\n%s" % (needle, log))


def raw_request(e, data, timeout=TIMEOUT):
    """The status of a raw request (0: closed without an answer)."""
    with socket.create_connection(("127.0.0.1", e.port), timeout=timeout) as s:
        s.sendall(data)
        reply = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            reply += chunk
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", reply)
    print("raw %r -> %s" % (data[:60], m.group(1).decode() if m else "(no answer)"))
    return int(m.group(1)) if m else 0


def case_malformed(e):
    """A name past NAME_MAX is 404, a raw NUL in the request line 400 (not
    the prefix served), a body announced too large 413 at once."""
    e.configure()
    e.start()
    status, _, _ = e.curl("/" + "n" * 300)
    check(status == 404, "a 300-byte name answered %d" % status)
    status, _, _ = e.curl("/distros/rocky9/" + "n" * 300 + "/vmlinuz")
    check(status == 404, "a 300-byte directory answered %d" % status)
    status, _, _ = e.curl("/" + "/".join(["d" * 250] * 20))
    check(status in (400, 404), "a 5000-byte path answered %d" % status)
    for req in [b"GET /big.bin\0.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
                b"GET\0X /big.bin HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"]:
        check(raw_request(e, req) == 400, "a raw NUL was not refused with 400")
    started = time.monotonic()
    status = raw_request(e, b"POST /api/v1/hosts/%s/done HTTP/1.1\r\nHost: h\r\n"
                         b"Content-Length: 99999999999\r\nConnection: close\r\n\r\nx"
                         % HOST1.encode())
    check(status == 413, "Content-Length 99999999999 answered %d" % status)
    check(time.monotonic() - started < 5, "the 413 waited for the body")
    log = e.wait_log("a NUL byte in the request line", "(Content-Length: 99999999999)")
    check("refusing GET \"/big.bin\" from 127.0.0.1: a NUL byte in the request line" in log,
          "no NUL refusal logged:\n" + log)
    check(e.state_of(HOST1) != "installed", "the refused report moved the host")


def case_flood(e):
    """500 sockets from 127.0.0.2 do not keep 127.0.0.3 from its kernel."""
    e.configure("    max_connections_per_address: 8\n")
    e.start()
    flood = pxftest.flood("127.0.0.2", e.port, 500)
    try:
        # until every connect is through (those past the listen backlog
        # retry their SYN after 1 and 3 s): the flood is all in before the
        # kernel is asked for
        pending = list(flood)
        deadline = time.monotonic() + 15
        while pending and time.monotonic() < deadline:
            _, ready, _ = select.select([], pending[:200], [], 1.0)
            pending = [s for s in pending if s not in ready]
        print("%d of %d flood connections through" % (len(flood) - len(pending), len(flood)))
        started = time.monotonic()
        status, _, body = e.curl("/distros/rocky9/images/pxeboot/vmlinuz", source="127.0.0.3")
        took = time.monotonic() - started
        check(status == 200 and sha256(body) == sha256(e.kernel), "no kernel for 127.0.0.3")
        # well before request_timeout (15 s) could have freed any slot
        check(took < 5, "the kernel took %.1f s" % took)
    finally:
        for s in flood:
            s.close()
    log = e.wait_log("connection limit")
    check("libmicrohttpd: Server reached connection limit" in log,
          "no per-address refusal logged")


def case_trickle(e):
    """A request head trickled one byte a second is cut at request_timeout."""
    e.configure("    request_timeout: 2\n")
    e.start()
    req = b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 20 + b"\r\n\r\n"
    started = time.monotonic()
    sent = 0
    closed = False
    with socket.create_connection(("127.0.0.1", e.port), timeout=TIMEOUT) as s:
        while sent < len(req) and time.monotonic() - started < TIMEOUT:
            try:
                s.send(req[sent:sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            sent += 1
            if select.select([s], [], [], 1.0)[0]:
                try:
                    data = s.recv(4096)
                except ConnectionResetError:
                    data = b""
                check(data == b"", "the trickled request was answered: %r" % data[:80])
                closed = True
                break
    took = time.monotonic() - started
    print("closed after %.1f s and %d of %d bytes" % (took, sent, len(req)))
    check(closed and sent < len(req), "the trickled request was not cut")
    check(2 <= took < 6, "cut after %.1f s, request_timeout is 2" % took)
    log = e.wait_log("no whole request in 2 s")
    check("closing the connection of 127.0.0.1: no whole request in 2 s (request_timeout)"
          in log, "no deadline warning:\n" + log)
    # a request sent whole is served as before
    status, _, body = e.curl("/big.bin")
    check(status == 200 and body == e.big, "big.bin after the trickle")


def case_ks(e):
    """Answer files only to the host's own address."""
    e.configure()
    e.seed_state(HOST2, "booting")
    e.start()

    status, _, body = e.curl("/ks/" + HOST2)
    check(status == 403 and b"TOKEN" not in body, "host two's ks served to 127.0.0.1")
    log = e.wait_log("refusing the answer file of %s" % HOST2)
    check("refusing the answer file of %s to 127.0.0.1: that address belongs to %s"
          % (HOST2, HOST1) in log, "no refusal naming the address and MAC:\n" + log)
    check(e.state_of(HOST2) == "booting", "a refused ks changed the state")

    status, headers, body = e.curl("/ks/52-54-00-00-00-02", source="127.0.0.2")
    text = body.decode()
    check(status == 200, "host two's ks from 127.0.0.2: %d" % status)
    check(re.search(r"^TOKEN=[0-9a-f]{32}$", text, re.M), "no token in the ks:\n" + text)
    base = "http://127.0.0.1:%d" % e.port
    for line in ["ks=%s/ks/%s" % (base, HOST2), "base=%s" % base,
                 "url --url=%s/distros/rocky9/" % base,
                 "'%s/api/v1/hosts/%s/done?token=" % (base, HOST2)]:
        check(line in text, "%r not in the ks:\n%s" % (line, text))
    check(header(headers, "cache-control") == "no-store", "ks without Cache-Control: no-store")
    check(e.state_of(HOST2) == "installing", "ks fetch did not move two to installing")
    log = e.wait_log("ks served")
    check(re.search(r"host %s: installer[-_ ]started: ks served" % HOST2, log),
          "no installer-started event:\n" + log)

    # one was never seen booting: no install is in progress, so no answer
    # file (409), no token is minted, and a done report cannot make it installed
    status, _, body = e.curl("/ks/525400000001")
    check(status == 409 and b"TOKEN" not in body, "host one's ks with no install: %d" % status)
    check(not os.path.exists(os.path.join(e.state, "tokens", HOST1 + ".json")),
          "a refused ks minted a token")
    log = e.wait_log("refusing the answer file of %s" % HOST1)
    check("refusing the answer file of %s to 127.0.0.1: host %s is unknown, with no install "
          "in progress" % (HOST1, HOST1) in log, "no refusal naming the state:\n" + log)
    check(e.state_of(HOST1) == "unknown", "one left unknown")
    status, _, _ = e.curl("/api/v1/hosts/%s/done" % HOST1, "-d", "token=" + "0" * 32)
    check(status == 409, "done for a host that is not installing: %d" % status)
    check(e.state_of(HOST1) == "unknown", "a refused transition changed the state")
    status, _, _ = e.curl("/ks/52:54:00:00:00:99")
    check(status == 404, "unknown host")
    status, _, _ = e.curl("/ks/not-a-mac")
    check(status == 404, "not a MAC")
    status, _, _ = e.curl("/ks/" + BARE)
    check(status == 403, "a host without an address")
    status, _, _ = e.curl("/ks/" + HOST1, method="POST")
    check(status == 405, "POST /ks")
    token = re.search(r"^TOKEN=(\S+)$", text, re.M).group(1)
    check(token not in e.daemon_log(), "the install token is in the log")


def case_ks_any(e):
    """ks_any_address: true serves every host's answer file to anyone;
    public_url is the base of the URLs templates get."""
    e.configure("    ks_any_address: true\n    public_url: http://pxe.example.com/\n")
    e.seed_state(HOST2, "booting")
    e.start()
    status, _, body = e.curl("/ks/" + HOST2)
    check(status == 200 and b"TOKEN=" in body, "ks_any_address did not relax the check")
    # the operator vouched for every address: the fetch counts as the host's
    check(e.state_of(HOST2) == "installing", "ks_any_address: the fetch did not move two")
    check(b"ks=http://pxe.example.com/ks/%s\n" % HOST2.encode() in body,
          "public_url not used:\n" + body.decode())
    out = e.cli("render", "--mac", HOST1)
    check("base=http://pxe.example.com\n" in out, "public_url not used by render")


def case_render(e):
    """Rendered for the CLI (no client), the URLs use the first address."""
    e.configure()
    e.start()
    out = e.cli("render", "--mac", HOST3)
    base = "http://127.0.0.1:%d" % e.port
    check("base=%s\n" % base in out and "ks=%s/ks/%s\n" % (base, HOST3) in out
          and "url --url=%s/distros/rocky9/\n" % base in out, "render without a client")


def case_report(e):
    """done/failed reports: only with the right token, once."""
    e.configure()
    for mac in (HOST1, HOST2, HOST3):
        e.seed_state(mac, "booting")
    e.start()
    tokens = {}
    for mac, source in ((HOST1, "127.0.0.1"), (HOST2, "127.0.0.2"), (HOST3, "127.0.0.3")):
        status, _, body = e.curl("/ks/" + mac, source=source)
        check(status == 200, "ks of %s" % mac)
        tokens[mac] = re.search(r"^TOKEN=(\S+)$", body.decode(), re.M).group(1)
        check(e.state_of(mac) == "installing", "%s not installing" % mac)

    done2 = "/api/v1/hosts/%s/done" % HOST2
    status, _, _ = e.curl(done2 + "?token=0123456789abcdef0123456789abcdef", method="POST")
    check(status == 403, "wrong token (query) accepted: %d" % status)
    status, _, _ = e.curl(done2, "-d", "token=" + tokens[HOST1])
    check(status == 403, "another host's token accepted")
    status, _, _ = e.curl(done2, "-H", "X-Pxeforge-Token: nope", method="POST")
    check(status == 403, "wrong token (header) accepted")
    status, _, _ = e.curl(done2, method="POST")
    check(status == 403, "no token accepted")
    status, _, _ = e.curl(done2 + "?token=" + tokens[HOST2])
    check(status == 405, "GET of a report")
    check(e.state_of(HOST2) == "installing", "a refused report changed the state")
    log = e.wait_log("refusing the done report for %s" % HOST2)
    check("refusing the done report for %s from 127.0.0.1" % HOST2 in log,
          "no refusal logged:\n" + log)

    status, _, body = e.curl(done2 + "?token=" + tokens[HOST2], method="POST")
    check(status == 200 and body == b"ok\n", "right token (query): %d %r" % (status, body))
    check(e.state_of(HOST2) == "installed", "two is not installed")
    # an installed host has nothing to report on, whatever the token (issue
    # 10: its failed report would have re-armed a wipe); no answer file either
    status, _, _ = e.curl(done2 + "?token=" + tokens[HOST2], method="POST")
    check(status == 409, "a used token accepted again: %d" % status)
    status, _, _ = e.curl("/api/v1/hosts/%s/failed?token=%s" % (HOST2, tokens[HOST2]),
                          method="POST")
    check(status == 409, "failed with the old token for an installed host: %d" % status)
    check(e.state_of(HOST2) == "installed", "an installed host moved")
    status, _, body = e.curl("/ks/" + HOST2, source="127.0.0.2")
    check(status == 409 and b"TOKEN" not in body, "an installed host's own ks: %d" % status)
    check(not os.path.exists(os.path.join(e.state, "tokens", HOST2 + ".json")),
          "a token minted for an installed host")

    status, _, body = e.curl("/api/v1/hosts/52-54-00-00-00-03/done",
                             "--data-urlencode", "token=" + tokens[HOST3])
    check(status == 200 and body == b"ok\n", "right token (form body)")
    check(e.state_of(HOST3) == "installed", "three is not installed")

    status, _, body = e.curl("/api/v1/hosts/%s/failed" % HOST1, "-H",
                             "X-Pxeforge-Token: " + tokens[HOST1], "-d", "reason=disk+full")
    check(status == 200 and body == b"ok\n", "failed with the right token (header)")
    out = e.cli("state", HOST1)
    check(out.startswith("%s: failed" % HOST1) and "disk full" in out, "one is not failed")

    log = e.daemon_log()
    for mac, token in tokens.items():
        check(token not in log, "the token of %s is in the log" % mac)
    check("token: (redacted)" in log, "the redacted marker is missing")


def case_reload(e):
    """A reload with new settings restarts the plugin on the same socket; a
    connection kept open across it is closed, not left hanging."""
    e.configure()
    e.start()
    status, _, _ = e.curl("/big.bin")
    check(status == 200, "before the reload")
    idle = socket.create_connection(("127.0.0.1", e.port), timeout=TIMEOUT)
    idle.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    first = idle.recv(65536)
    check(first.startswith(b"HTTP/1.1 200"), "keep-alive request: %r" % first[:40])

    e.write("conf.d/40-http.yaml", f"""\
plugins:
  http:
    addresses: [127.0.0.1]
    port: {e.port}
    root: {e.extra}
""")
    e.cli("reload")
    e.wait_log("stopping plugin http")
    status, _, body = e.curl("/readme.txt")
    check(status == 200 and body == b"extra tree\n", "the new root after the reload")
    status, _, _ = e.curl("/big.bin")
    check(status == 404, "the old root after the reload")
    # the old connection was closed by the stopped instance
    deadline = time.monotonic() + TIMEOUT
    closed = False
    while time.monotonic() < deadline:
        chunk = idle.recv(1 << 20)
        if not chunk:
            closed = True
            break
    idle.close()
    check(closed, "a connection of the stopped instance stayed open")


def case_bad_config(e):
    """Settings only the plugin can check are refused with file:line:column,
    and the daemon runs on without the plugin."""
    e.configure("    public_url: ftp://x\n")
    e.write("conf.d/41-trees.yaml", """\
plugins:
  http:
    trees:
      - {path: /x, dir: relative/dir}
""")
    e.start(expect_serving=False)
    where = os.path.join(e.config, "conf.d", "41-trees.yaml") + ":4:"
    log = e.wait_log("must be an absolute directory")
    check(where in log and "dir: must be an absolute directory" in log,
          "no located refusal:\n" + log)
    check("serving HTTP" not in log, "the plugin started anyway")
    out = e.cli("plugins")
    check(re.search(r"^http\s+refused: ", out, re.M), "http is not listed as refused")


CASES = {
    "bad-config": case_bad_config,
    "reload": case_reload,
    "render": case_render,
    "files": case_files,
    "refusals": case_refusals,
    "ks": case_ks,
    "ks-any": case_ks_any,
    "report": case_report,
    "malformed": case_malformed,
    "flood": case_flood,
    "trickle": case_trickle,
}


if __name__ == "__main__":
    sys.exit(pxftest.main(Env, CASES[sys.argv[2]], name=sys.argv[2],
                          needs=["curl", HTTP_SO, HTTPTEST_SO, PXEFORGED],
                          finish=lambda e: e.stop_and_check(pxftest.MEMORY_ERRORS,
                                                            check_rc=False)))
