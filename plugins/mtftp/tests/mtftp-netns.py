#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Integration tests of the mtftp plugin: the real pxeforged with real
multicast clients (Debian's atftp in PXE MTFTP mode and with the RFC 2090
multicast option) and a small client of our own, on a bridge inside a
network namespace this test creates and always deletes, with one namespace
per client joined to the bridge by a veth pair (a client binds the group's
port, so two cannot share a namespace). Nothing touches the machine's own
interfaces. Needs root and atftp; exits 77 without them.

usage: mtftp-netns.py BUILDDIR CASE
"""
import glob
import hashlib
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time

BUILD = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else ""
CASE = sys.argv[2] if len(sys.argv) > 2 else ""
PLUGINS = [os.path.join(BUILD, "plugins", "mtftp", "mtftp.so"),
           os.path.join(BUILD, "plugins", "mtftp", "tests", "mtftptest.so"),
           os.path.join(BUILD, "plugins", "dhcp", "dhcp.so")]
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(SOURCE, "tests", "lib"))
import pxftest  # noqa: E402
from pxftest import SKIP, Fail, Skip, in_netns  # noqa: E402
from mtftpclient import (CLIENT_PORT, GROUP, SERVER_IP, SERVER_PORT, TIMEOUT,  # noqa: E402
                         McClient, error_of, request)


def check(cond, what):
    if not cond:
        raise Fail(what)
    print("ok - " + what)


def run(*cmd, check_rc=True):
    return pxftest.run(*cmd, check_rc=check_rc, timeout=TIMEOUT)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def pattern(size, seed):
    return bytes(((i * 131 + seed + (i >> 9)) & 0xff) for i in range(size))


# ---- namespaces ------------------------------------------------------------------

class Net:
    """The server namespace with a bridge at SERVER_IP, and client namespaces
    joined to it by veth pairs, each with its own address and a multicast
    route."""

    def __init__(self):
        self.tag = "%d" % os.getpid()
        self.server = "pxf-mt-s-" + self.tag
        self.bridge = "pxmbr0"
        self.clients = []
        self.created = []

    def setup(self):
        run("ip", "netns", "add", self.server)
        self.created.append(self.server)
        s = self.server
        run("ip", "-n", s, "link", "set", "lo", "up")
        run("ip", "-n", s, "link", "add", self.bridge, "type", "bridge")
        # no IGMP querier on this bridge: flood the groups to every port
        run("ip", "-n", s, "link", "set", self.bridge, "type", "bridge", "mcast_snooping", "0")
        run("ip", "-n", s, "addr", "add", SERVER_IP + "/24", "dev", self.bridge)
        run("ip", "-n", s, "link", "set", self.bridge, "up")
        run("ip", "-n", s, "route", "add", "224.0.0.0/4", "dev", self.bridge)

    def add_client(self):
        n = len(self.clients) + 1
        ns = "pxf-mt-c%d-%s" % (n, self.tag)
        outer = "pxm%ds%s" % (n, self.tag[-6:])
        inner = "pxm%dc%s" % (n, self.tag[-6:])
        run("ip", "netns", "add", ns)
        self.created.append(ns)
        pxftest.veth_pair(outer, self.server, inner, ns)
        run("ip", "-n", self.server, "link", "set", outer, "master", self.bridge)
        run("ip", "-n", self.server, "link", "set", outer, "up")
        ip = "10.98.0.%d" % (10 + n)
        run("ip", "-n", ns, "link", "set", "lo", "up")
        run("ip", "-n", ns, "addr", "add", ip + "/24", "dev", inner)
        run("ip", "-n", ns, "link", "set", inner, "up")
        run("ip", "-n", ns, "route", "add", "224.0.0.0/4", "dev", inner)
        self.clients.append((ns, ip, inner))
        pxftest.wait_link_up(ns, inner, timeout=TIMEOUT)
        return ns, ip, inner

    def cleanup(self):
        for ns in reversed(self.created):
            run("ip", "netns", "del", ns, check_rc=False)
        self.created = []


# ---- the daemon -----------------------------------------------------------------

class Daemon(pxftest.Env):
    """pxeforged in the server namespace with a private configuration, plugin
    directory, state, root and NOTIFY_SOCKET."""

    def __init__(self, net):
        for path in PLUGINS:
            if not os.path.exists(path) and not path.endswith("dhcp.so"):
                raise Fail("%s not built" % path)  # only the dhcp case needs dhcp.so
        super().__init__(BUILD, "pxf-mtftp-it-", PLUGINS, dirs=["files", "out"])
        self.net = net
        self.netns = net.server
        self.files = self.path("files")
        self.out = self.path("out")
        self.socket = os.path.join(self.root, "control.sock")
        self.log_mode = "a"
        self.timeout = TIMEOUT

    def file(self, rel, data):
        path = os.path.join(self.files, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def configure(self, owners=(), dhcp=None, host_file=None, **mtftp):
        settings = {"addresses": "[%s]" % SERVER_IP, "root": self.files, "timeout": 1,
                    "retries": 3}
        settings.update(mtftp)
        self.write("pxeforge.yaml", "daemon:\n  debug: true\n")
        self.write("conf.d/20-mtftptest.yaml", "plugins:\n  mtftptest:\n    owners: [%s]\n"
                   % ", ".join(owners) + ("    host_file: %s\n" % host_file if host_file else ""))
        self.write("conf.d/35-mtftp.yaml", "plugins:\n  mtftp:\n" + "".join(
            "    %s: %s\n" % (k, v) for k, v in settings.items()))
        if dhcp is not None:
            self.write("conf.d/20-dhcp.yaml", dhcp)

    def start(self, wait_for="port %d:" % SERVER_PORT):
        super().start()
        if wait_for:
            self.wait_log(wait_for)

    def wait_log(self, needle, count=1, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.daemon_log().count(needle) >= count:
                return self.daemon_log()
            time.sleep(0.05)
        raise Fail("%d× '%s' not in the log:\n%s" % (count, needle, self.daemon_log()))

    def served(self, path):
        """MACs (or ?) of the file-served events for path, from the log."""
        return re.findall(r"host (\S+): served %s \((\d+) bytes\)" % re.escape(path),
                          self.daemon_log())

    def stop(self):
        self.stop_clean(check_exited=False)


# ---- clients ----------------------------------------------------------------------

class Procs:
    def __init__(self):
        self.procs = []

    def start(self, argv, log):
        f = open(log, "w")
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT)
        f.close()
        self.procs.append(p)
        return p

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.procs = []


def atftp_mget(ns, remote, local, listen=1, timeout=1, group=GROUP, port=CLIENT_PORT):
    """atftp as a PXE MTFTP client."""
    return ["ip", "netns", "exec", ns, "atftp", "--mget", "--trace",
            "--mtftp", "mcast-ip %s" % group, "--mtftp", "client-port %d" % port,
            "--mtftp", "listen-delay %d" % listen, "--mtftp", "timeout-delay %d" % timeout,
            "-r", remote, "-l", local, SERVER_IP, str(SERVER_PORT)]


def atftp_rfc2090(ns, remote, local, blksize=None):
    """atftp with the RFC 2090 multicast option, to the MTFTP port."""
    argv = ["ip", "netns", "exec", ns, "atftp", "--get", "--trace", "--option", "multicast",
            "--tftp-timeout", "2"]
    if blksize:
        argv += ["--option", "blksize %d" % blksize]
    return argv + ["-r", remote, "-l", local, SERVER_IP, str(SERVER_PORT)]


def wait_all(procs, timeout):
    deadline = time.monotonic() + timeout
    for p in procs:
        left = max(0.1, deadline - time.monotonic())
        try:
            p.wait(left)
        except subprocess.TimeoutExpired:
            raise Fail("client still running after %d s" % timeout)
    return [p.returncode for p in procs]


def tail(path, n=15):
    with open(path, errors="replace") as f:
        return "".join(f.readlines()[-n:])



# ---- cases ------------------------------------------------------------------------

def run_clients(net, d, procs, argvs_for, n, name, data, timeout=90, stagger=0.0,
                together=False):
    """n clients fetch name at once (start times stagger seconds apart); all
    must exit 0 with the file's exact bytes. together: each client waits,
    already spawned inside its namespace, for one go file, so that they all
    start within ~10 ms however slow spawning is on a loaded machine."""
    want = hashlib.sha256(data).hexdigest()
    go = os.path.join(d.out, "go.%s" % name.replace("/", "_"))
    started = []
    outs = []
    for i in range(n):
        ns = net.clients[i][0]
        out = os.path.join(d.out, "%s.%d" % (name.replace("/", "_"), i))
        outs.append(out)
        argv = argvs_for(ns, name, out)
        if together:
            # argv is "ip netns exec NS CLIENT...": wrap the client
            argv = argv[:4] + ["sh", "-c", 'touch "$0.ready.$$"; while [ ! -e "$0" ]; do '
                               'sleep 0.01; done; exec "$@"', go] + argv[4:]
        started.append(procs.start(argv, out + ".log"))
        if stagger:
            time.sleep(stagger)
    if together:
        deadline = time.monotonic() + 30
        while (len(glob.glob(go + ".ready.*")) < n and time.monotonic() < deadline
               and all(p.poll() is None for p in started)):
            time.sleep(0.01)
        open(go, "w").close()
    codes = wait_all(started, timeout)
    for i, (code, out) in enumerate(zip(codes, outs)):
        if code != 0 or not os.path.exists(out) or sha256(out) != want:
            raise Fail("client %d: exit %d, %s; its log:\n%s\ndaemon log:\n%s" % (
                i, code, "sha256 %s" % sha256(out) if os.path.exists(out) else "no file",
                tail(out + ".log"), d.daemon_log()[-6000:]))
    return outs


def case_pxe(net, d, procs):
    """Four atftp PXE MTFTP clients at once share the stream; a fifth joins
    while it runs; all get the file, every one a file-served event."""
    for _ in range(5):
        net.add_client()
    data = pattern(700 * 1024 + 123, 1)
    d.file("images/initrd.img", data)
    owners = ["%s=52:54:00:98:00:%02x" % (c[1], i + 1) for i, c in enumerate(net.clients)]
    d.configure(owners=owners)
    d.start()
    t0 = time.monotonic()
    run_clients(net, d, procs, atftp_mget, 4, "images/initrd.img", data)
    check(True, "4 PXE MTFTP clients at once: identical files (%.1f s)" % (time.monotonic() - t0))
    served = d.served("images/initrd.img")
    check(sorted(m for m, _ in served) == sorted(owners[i].split("=")[1] for i in range(4)),
          "a file-served event per client, with its MAC: %s" % served)
    check(all(int(b) == len(data) for _, b in served), "with the file's size")
    log = d.daemon_log()
    check("is the master client of images/initrd.img" in log, "master clients logged")
    check(log.count("stream of images/initrd.img (") >= 1, "a stream was started")

    # a client of the per-file channel while another atftp joins late on
    # the default one
    other = pattern(300 * 1024, 9)
    d.file("pxelinux.0", other)
    ns4, ns5 = net.clients[3][0], net.clients[4][0]
    late = procs.start(atftp_mget(ns5, "images/initrd.img", os.path.join(d.out, "late")),
                       os.path.join(d.out, "late.log"))
    first = procs.start(atftp_mget(ns4, "images/initrd.img", os.path.join(d.out, "first")),
                        os.path.join(d.out, "first.log"))
    codes = wait_all([first, late], 90)
    for name, code in zip(("first", "late"), codes):
        out = os.path.join(d.out, name)
        check(code == 0 and sha256(out) == hashlib.sha256(data).hexdigest(),
              "%s client of a second round has the file" % name)


def case_rfc2090(net, d, procs):
    """Four atftp clients with the multicast option at once: one session,
    master after master; then clients asking for another block size get a
    session of their own."""
    for _ in range(4):
        net.add_client()
    # started together (run_clients together=True): spawned one after the
    # other on a loaded machine, the first one's stream of this file
    # (~0.1 s here) was sometimes over before the fourth asked
    data = pattern(2048 * 1024 + 7, 2)
    blocks = len(data) // 512 + 1
    d.file("vmlinuz", data)
    d.configure()
    d.start()
    t0 = time.monotonic()
    run_clients(net, d, procs, atftp_rfc2090, 4, "vmlinuz", data, together=True)
    check(True, "4 RFC 2090 clients at once: identical files (%.1f s)" % (time.monotonic() - t0))
    log = d.daemon_log()
    check(len(d.served("vmlinuz")) == 4, "4 file-served events")
    m = re.search(r"stream of vmlinuz to (\S+) ended: 4 clients served, (\d+) packets", log)
    check(m is not None and m.group(1) == "239.255.1.1:3002", "one session on the first "
          "RFC 2090 port")
    check(int(m.group(2)) < 4 * blocks,
          "%s packets for 4 clients of %d blocks" % (m.group(2), blocks))

    # another block size cannot share that stream: a session of its own
    d.file("initrd", pattern(200 * 1024, 4))
    data = pattern(200 * 1024, 4)
    run_clients(net, d, procs, lambda ns, r, l: atftp_rfc2090(ns, r, l, blksize=1024), 2,
                "initrd", data)
    check(True, "2 RFC 2090 clients with blksize 1024: identical files")
    check("stream of initrd (204800 bytes, blksize 1024)" in d.daemon_log(),
          "blksize 1024 negotiated")


def start_half_way(client, blocks, who):
    """Starts client and waits until it has blocks blocks, not all."""
    client.start()
    deadline = time.monotonic() + TIMEOUT
    while len(client.blocks) < blocks and time.monotonic() < deadline:
        time.sleep(0.01)
    check(not client.done and len(client.blocks) >= blocks, "%s is half-way (%d blocks)"
          % (who, len(client.blocks)))


def catch_up(net, d, proto):
    """A late joiner hears the rest of a running stream, and when its turn
    as master comes asks only for the blocks it missed."""
    a_ns = net.add_client()[0]
    b_ns = net.add_client()[0]
    data = pattern(400 * 512 + 100, 3)
    d.file("late.bin", data)
    d.configure()
    d.start()
    a = McClient(a_ns, "late.bin", proto, ack_delay=0.003)
    b = McClient(b_ns, "late.bin", proto)
    try:
        start_half_way(a, 150, "the first client")
        b.start()
        a.wait()
        b.wait()
        check(a.done and a.content() == data, "the first client has the file")
        check(b.done and b.content() == data, "the late joiner has the file")
        missed = b.first - 1  # it joined the stream here
        if proto == "pxe":
            check(a.unicast_data == [1], "PXE: block 1 came to the master alone")
            check(b.unicast_data == [1], "PXE: the late joiner got block 1 when master")
        else:
            check([o[b"multicast"].split(b",")[2] for o in b.oacks] == [b"0", b"1"],
                  "RFC 2090: OACK mc=0, then mc=1 when its turn came: %s" % b.oacks)
            check(b.oacks[0][b"tsize"] == str(len(data)).encode(), "tsize in the OACK")
        # 401 blocks: the late joiner heard the rest and then asked only for
        # the beginning, not for the whole file again
        check(missed >= 100, "the late joiner heard block %d first" % b.first)
        check(b.group_data < 401 + 60, "the late joiner received %d blocks for 401 "
              "(joined after %d)" % (b.group_data, missed))
        check(len(d.served("late.bin")) == 2, "2 file-served events")
        ended = re.findall(r"stream of late.bin to \S+ ended: (\d+) clients served, (\d+) "
                           r"packets sent", d.daemon_log())
        served = sum(int(c) for c, _ in ended)
        sent = sum(int(p) for _, p in ended)
        check(served == 2 and sent < 401 * 2 - 100, "%d packets in %d streams for two "
              "clients of 401 blocks" % (sent, len(ended)))
    finally:
        a.close()
        b.close()


def case_catchup_pxe(net, d, procs):
    catch_up(net, d, "pxe")


def case_catchup_rfc2090(net, d, procs):
    catch_up(net, d, "rfc2090")


def perhost(net, d, proto, x_ns, y_ns, z_ns, data):
    """Two hosts fetch one file under their own paths at once (a
    callback's local file, as ipxe/<mac>/initrd.img is for every host
    installing a distro): the second joins the first one's stream, as for
    one path. Another file meanwhile is still refused on the PXE channel,
    and gets a session of its own with RFC 2090."""
    a = McClient(x_ns, "ipxe/52-54-00-98-00-01/initrd.img", proto, ack_delay=0.003)
    b = McClient(y_ns, "ipxe/52-54-00-98-00-02/initrd.img", proto)
    try:
        start_half_way(a, 100, "%s: the first host" % proto)
        b.start()
        other = request(z_ns, b"other.bin", b"multicast\0\0" if proto == "rfc2090" else b"")
        a.wait()
        b.wait()
        check(a.error is None and a.done and a.content() == data,
              "%s: the first host has the file" % proto)
        check(b.error is None and b.done and b.content() == data,
              "%s: the second host, under its own path, has it too (error %s)"
              % (proto, b.error))
        if proto == "pxe":
            check(b.first > 1, "pxe: the second host joined the running stream (heard block "
                  "%d first)" % b.first)
            check(error_of(other) == (0, "MTFTP channel busy with another file"),
                  "pxe: another file meanwhile: channel busy")
        else:
            check([o[b"multicast"].split(b",")[2] for o in b.oacks][0] == b"0",
                  "rfc2090: the second host joined the running session: %s" % b.oacks)
            ports = {o[b"multicast"].split(b",")[1] for o in a.oacks + b.oacks}
            check(len(ports) == 1, "rfc2090: one session port for both: %s" % ports)
            check(other is not None and other[0] == 6 and b",3002," not in other[1],
                  "rfc2090: another file meanwhile gets a session of its own: %r"
                  % (other,))
        log = d.daemon_log()
        streams = re.findall(r"stream of ipxe/52-54-00-98-00-0[12]/initrd.img to \S+ ended: "
                             r"(\d+) clients served", log)
        check(sum(int(n) for n in streams) == 2, "%s: both served: %s" % (proto, streams))
    finally:
        a.close()
        b.close()


def case_perhost(net, d, procs):
    x_ns, y_ns, z_ns = (net.add_client()[0] for _ in range(3))
    data = pattern(400 * 512 + 100, 8)
    d.file("other.bin", pattern(50000, 9))
    host_file = os.path.join(d.root, "initrd.img")  # outside the root, as a distro's
    with open(host_file, "wb") as f:
        f.write(data)
    d.configure(host_file=host_file)
    d.start()
    perhost(net, d, "pxe", x_ns, y_ns, z_ns, data)
    open(d.log, "w").close()  # count the RFC 2090 streams alone
    perhost(net, d, "rfc2090", x_ns, y_ns, z_ns, data)


def case_refusals(net, d, procs):
    """What is refused, with its code; a channel streaming one file refuses
    another; content that differs per client never shares a stream."""
    a_ns = net.add_client()[0]
    b_ns = net.add_client()[0]
    d.file("a.bin", pattern(50000, 5))
    d.file("b.bin", pattern(50000, 6))
    d.file("own.bin", pattern(60000, 7))
    d.configure(files="[{path: own.bin, group: 239.255.1.7, client_port: 3100}]",
                timeout=2, retries=2)
    d.start()
    check(error_of(request(a_ns, b"missing.bin")) == (1, "File not found"), "missing: 1")
    check(error_of(request(a_ns, b"dropped.bin")) == (1, "File not found"), "dropped: 1")
    check(error_of(request(a_ns, b"../etc/passwd")) == (2, "Access violation"), "'..': 2")
    check(error_of(request(a_ns, b"a.bin", op=2)) == (2, "Access violation"), "a write: 2")
    check(error_of(request(a_ns, b"a.bin", b"", op=4))[0] == 4, "not a request: 4")
    # a master that never answers holds the default channel for a.bin ...
    first = request(a_ns, b"a.bin")
    check(first is not None and first[0] == 3 and first[1][:2] == b"\0\1",
          "PXE: block 1 answers the request")
    code, msg = error_of(request(b_ns, b"b.bin"))
    check((code, msg) == (0, "MTFTP channel busy with another file"), "another file on the "
          "busy channel: 0 %s" % msg)
    check("is streaming a.bin" in d.daemon_log(), "logged with the file it streams")
    # ... but a file with a channel of its own goes out on it
    c = McClient(b_ns, "own.bin", "pxe", group="239.255.1.7", port=3100)
    c.open()
    c.run()
    c.close()
    check(c.done and c.content() == pattern(60000, 7), "own.bin on its own channel")
    d.wait_log("failed: no answer as master client")
    check(True, "the silent master was given up after its retries")
    # per-client content: two RFC 2090 sessions, two different files
    x = McClient(a_ns, "perclient.txt", "rfc2090")
    y = McClient(b_ns, "perclient.txt", "rfc2090")
    for cl in (x, y):
        cl.open()
        cl.run()
        cl.close()
    check(x.done and y.done and x.content() != y.content(), "per-client content is not "
          "shared: %r, %r" % (x.content(), y.content()))
    ports = {o[b"multicast"].split(b",")[1] for o in x.oacks + y.oacks}
    check(len(ports) == 1, "one after the other on the same session port: %s" % ports)
    d.stop()
    # the multicast option refused when rfc2090 is off
    d.configure(rfc2090="false")
    d.start()
    check(error_of(request(a_ns, b"a.bin", b"multicast\0\0")) ==
          (8, "Multicast option refused"), "rfc2090 off: 8")


def case_stop(net, d, procs):
    """A stopping daemon tells the clients of running streams."""
    a_ns = net.add_client()[0]
    d.file("a.bin", pattern(50000, 5))
    d.configure(timeout=5)
    d.start()
    def go():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 0))
        s.settimeout(5)
        s.sendto(b"\0\1a.bin\0octet\0", (SERVER_IP, SERVER_PORT))
        first = s.recvfrom(1000)
        d.stop()
        return first, s.recvfrom(1000)
    first, last = in_netns(a_ns, go)
    check(first[0][:4] == b"\0\3\0\1", "block 1 came")
    check(last[0] == b"\0\5\0\0Server shutting down\0" and last[1] == first[1],
          "ERROR 0 'Server shutting down' from the stream's port")


MAGIC = b"\x63\x82\x53\x63"


def dhcp_discover(ns, dev, mac, options):
    def go():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.bind(("0.0.0.0", 68))
        s.settimeout(5)
        xid = 0x1234abcd
        head = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, bytes(4),
                           bytes(4), bytes(4), bytes(4),
                           bytes(int(x, 16) for x in mac.split(":")), b"", b"")
        body = bytearray(head + MAGIC + bytes([53, 1, 1]))
        for code, value in options:
            body += bytes([code, len(value)]) + value
        body += b"\xff" + bytes(60)
        try:
            s.sendto(bytes(body), ("255.255.255.255", 67))
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                data = s.recv(4096)
                if len(data) > 240 and data[4:8] == struct.pack("!I", xid) and data[0] == 2:
                    opts = {}
                    i = 240
                    while i < len(data) and data[i] != 255:
                        if data[i] == 0:
                            i += 1
                            continue
                        opts[data[i]] = data[i + 2:i + 2 + data[i + 1]]
                        i += 2 + data[i + 1]
                    return opts
        except socket.timeout:
            return None
        finally:
            s.close()
    return in_netns(ns, go)


def case_dhcp(net, d, procs):
    """The dhcp plugin's OFFER to a PXE ROM carries option 43 with the MTFTP
    channel of its boot file; other clients, iPXE included (it sends
    PXEClient too, but its mtftp:// reads no sub-options), get no option
    43."""
    if not os.path.exists(os.path.join(d.plugins, "dhcp.so")):
        raise Skip("the dhcp plugin is not built")
    ns, _, dev = net.add_client()
    dhcp = """plugins:
  dhcp:
    interfaces: [%s]
    subnets:
      - subnet: 10.98.0.0/24
        range: [10.98.0.100, 10.98.0.150]
""" % net.bridge
    d.configure(dhcp=dhcp, listen=3, delay=4,
                files="[{path: pxelinux.0, group: 239.255.1.9, client_port: 3100}]")
    d.write("conf.d/20-mtftptest.yaml", "plugins:\n  mtftptest:\n    rom_boot_file: "
            "pxelinux.0\n    ipxe_boot_file: ipxe/52-54-00-98-00-03/boot.ipxe\n")
    d.start()
    pxe = [(60, b"PXEClient:Arch:00000:UNDI:002001"), (93, b"\0\0"),
           (55, bytes([1, 3, 43, 60, 66, 67]))]
    offer = dhcp_discover(ns, dev, "52:54:00:98:00:01", pxe)
    check(offer is not None, "an OFFER came")
    check(offer.get(67) == b"pxelinux.0" and offer.get(60) == b"PXEClient",
          "boot file pxelinux.0 for a PXE client")
    want = bytes([1, 4, 239, 255, 1, 9, 2, 2, 0x0c, 0x1c, 3, 2, 0x06, 0xdf, 4, 1, 3, 5, 1, 4,
                  6, 1, 8, 255])
    check(offer.get(43) == want, "option 43: MTFTP IP, ports, timers and discovery control "
          "(%s)" % (offer.get(43) or b"").hex())
    plain = dhcp_discover(ns, dev, "52:54:00:98:00:02", [(55, bytes([1, 3, 43]))])
    check(plain is not None and 43 not in plain, "no option 43 for a client that is not PXE")
    ipxe = dhcp_discover(ns, dev, "52:54:00:98:00:03", pxe + [(77, b"iPXE")])
    check(ipxe is not None and ipxe.get(67) == b"ipxe/52-54-00-98-00-03/boot.ipxe",
          "iPXE is offered its script by TFTP path from this server")
    check(43 not in ipxe, "no option 43 for iPXE (%s)" % (ipxe.get(43) or b"").hex())


def case_config(net, d, procs):
    """The shipped snippet leaves the plugin idle; mistakes name their place
    and the daemon runs without the plugin."""
    shipped = os.path.join(SOURCE, "conf.d", "35-mtftp.yaml")
    d.write("pxeforge.yaml", "daemon:\n  debug: true\n")
    with open(shipped) as f:
        d.write("conf.d/35-mtftp.yaml", f.read().replace("/srv/pxeforge/tftp", d.files))
    d.start(wait_for="MTFTP on; idle")
    check(True, "the shipped snippet: idle")
    d.stop()
    bad = [
        ({"group": "10.0.0.1"}, "group: '10.0.0.1' is not an IPv4 multicast address"),
        ({"addresses": "['::1']"}, "is not an IPv4 address"),
        ({"addresses": "[0.0.0.0]"}, "is the wildcard address"),
        ({"root": "relative/dir"}, "root must be an absolute path"),
        ({"client_port": 3005}, "client_port 3005 is among the RFC 2090 ports 3002-3017"),
        ({"files": "[{path: a, group: 239.1.1.1, client_port: 3001}]"},
         "files[0].client_port 3001 is the default channel's port"),
        ({"files": "[{path: '../a', group: 239.1.1.1, client_port: 4000}]"}, "files[0].path"),
        ({"files": "[{path: a, client_port: 4000}]"}, "files[0].group is required"),
    ]
    for override, message in bad:
        settings = {"addresses": "[%s]" % SERVER_IP, "root": d.files}
        settings.update(override)
        d.write("conf.d/35-mtftp.yaml", "plugins:\n  mtftp:\n" + "".join(
            "    %s: %s\n" % kv for kv in settings.items()))
        d.start(wait_for=None)
        log = d.wait_log(message)
        m = re.search(r"35-mtftp\.yaml:(\d+):(\d+): [^\n]*" + re.escape(message), log)
        check(m is not None, "%s: %s, at line %s" % (override, message, m and m.group(1)))
        check("plugin mtftp" in log, "the plugin is refused, the daemon runs")
        d.stop()
        open(d.log, "w").close()

CASES = {
    "refusals": case_refusals,
    "stop": case_stop,
    "dhcp": case_dhcp,
    "config": case_config,
    "catchup-pxe": case_catchup_pxe,
    "catchup-rfc2090": case_catchup_rfc2090,
    "pxe": case_pxe,
    "rfc2090": case_rfc2090,
    "perhost": case_perhost,
}


def main():
    if CASE not in CASES:
        print("usage: mtftp-netns.py BUILDDIR {%s}" % "|".join(CASES), file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("1..0 # SKIP needs root (network namespaces)")
        return SKIP
    if shutil.which("atftp") is None:
        print("1..0 # SKIP atftp is not installed (apt-get install atftp)")
        return SKIP
    net = Net()
    d = None
    procs = Procs()
    try:
        net.setup()
        d = Daemon(net)
        CASES[CASE](net, d, procs)
        d.stop()
        check(True, "pxeforged stopped cleanly")
        return 0
    except Skip as e:
        print("1..0 # SKIP %s" % e)
        return SKIP
    except Fail as e:
        print("not ok - %s" % e)
        return 1
    finally:
        procs.stop_all()
        if d is not None:
            if os.environ.get("PXF_MTFTP_KEEP"):
                print("# kept %s" % d.root)
                d.stop()
            else:
                d.close()
        net.cleanup()


if __name__ == "__main__":
    sys.exit(main())
