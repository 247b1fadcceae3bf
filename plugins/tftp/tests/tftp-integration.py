#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Integration tests of the tftp plugin inside the real pxeforged, with real
clients (tftp-hpa, curl) and a small client of our own for what those cannot
send. Everything binds and sends on 127.0.0.1 only.

usage: tftp-integration.py BUILDDIR CASE
"""
import hashlib
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
import pxftest  # noqa: E402
from pxftest import TIMEOUT, Fail, check, free_port  # noqa: E402

PLUGIN_DIRS = [os.path.join(BUILD, "plugins", "tftp"),
               os.path.join(BUILD, "plugins", "tftp", "tests")]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Env(pxftest.Env):
    """A configuration, a private plugin directory with tftp.so and the test
    plugin, state, control socket, a TFTP root and a port on 127.0.0.1."""

    def __init__(self):
        super().__init__(BUILD, "pxf-tftp-it-",
                         [os.path.join(d, n) for d in PLUGIN_DIRS for n in os.listdir(d)
                          if n.endswith(".so")], dirs=["tftproot", "out"])
        self.tftproot = self.path("tftproot")
        self.out = self.path("out")
        check(self.has_plugin("tftp"), "tftp.so not built")
        self.port = free_port(socket.SOCK_DGRAM)

    def configure(self, **tftp):
        settings = {"addresses": "[127.0.0.1]", "port": self.port, "root": self.tftproot,
                    "timeout": 1, "retries": 3}
        settings.update(tftp)
        self.write("pxeforge.yaml", "daemon:\n  debug: true\nvariables:\n  timezone: UTC\n")
        self.write("conf.d/20-tftptest.yaml", "plugins:\n  tftptest:\n    redirect: %s\n"
                   % os.path.join(self.root, "outside.bin"))
        self.write("conf.d/30-tftp.yaml", "plugins:\n  tftp:\n" + "".join(
            "    %s: %s\n" % (k, v) for k, v in settings.items()))

    def start(self, user="", wait_for="serving"):
        super().start(user=user)
        if wait_for == "serving":
            log = self.wait_log("port %d (blksize" % self.port)
            check("serving" in log, "tftp did not start:\n" + log)

    def wait_count(self, needle, count):
        deadline = time.monotonic() + TIMEOUT
        log = self.daemon_log()
        while log.count(needle) < count and time.monotonic() < deadline:
            time.sleep(0.1)
            log = self.daemon_log()
        return log

    def file(self, rel, data):
        path = os.path.join(self.tftproot, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path


# ---- clients --------------------------------------------------------------

def tftp_hpa(e, name, out, mode="binary"):
    """tftp-hpa sends no options: blksize 512, no OACK."""
    p = subprocess.run(["tftp", "-m", mode, "-v", "127.0.0.1", str(e.port), "-c", "get", name, out],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def curl(e, name, out, *opts, timeout=120):
    p = subprocess.run(["curl", "-sS", "--path-as-is", "-o", out] + list(opts)
                       + ["tftp://127.0.0.1:%d/%s" % (e.port, name)],
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stderr


class Client:
    """A client of our own: sends exact bytes, sees exact answers."""

    def __init__(self, e):
        self.server = ("127.0.0.1", e.port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.tid = None

    def send(self, data, to=None):
        self.sock.sendto(data, to or self.tid or self.server)

    def recv(self, timeout=5):
        self.sock.settimeout(timeout)
        data, addr = self.sock.recvfrom(70000)
        return data, addr

    def rrq(self, name, mode=b"octet", options=b"", opcode=1):
        self.send(struct.pack(">H", opcode) + name + b"\0" + mode + b"\0" + options)
        data, addr = self.recv()
        self.tid = addr
        return data

    def abort(self):
        if self.tid is not None:
            self.send(b"\0\5\0\0client gave up\0")

    def close(self):
        self.sock.close()


def parallel_fetch(e, name, n, deadline):
    """n transfers at once: every RRQ is sent before any DATA is answered,
    then one select() loop drives them all (blksize 512, no options)."""
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.setblocking(False)
        socks.append(s)
    state = {s: {"data": bytearray(), "block": 0, "tid": None, "last": time.monotonic()}
             for s in socks}
    try:
        for s in socks:
            s.sendto(b"\0\1" + name + b"\0octet\0", ("127.0.0.1", e.port))
        # wait until every transfer has sent its DATA 1 before answering any
        pending = set(socks)
        while pending:
            check(time.monotonic() < deadline, "not all transfers started")
            ready, _, _ = select.select(list(pending), [], [], 1)
            for s in ready:
                pending.discard(s)
        active = set(socks)
        while active:
            check(time.monotonic() < deadline, "%d transfers not done in time" % len(active))
            ready, _, _ = select.select(list(active), [], [], 1)
            for s in ready:
                st = state[s]
                try:
                    pkt, addr = s.recvfrom(70000)
                except BlockingIOError:
                    continue
                check(pkt[:2] == b"\0\3", "not DATA: %r" % pkt[:40])
                block = struct.unpack(">H", pkt[2:4])[0]
                if block == (st["block"] + 1) & 0xffff:
                    st["data"] += pkt[4:]
                    st["block"] = block
                    st["tid"] = addr
                s.sendto(struct.pack(">HH", 4, block), addr)
                if len(pkt) - 4 < 512 and block == st["block"]:
                    active.discard(s)
        return [bytes(state[s]["data"]) for s in socks]
    finally:
        for s in socks:
            s.close()


def error_code(packet):
    check(packet[:2] == b"\0\5", "expected an ERROR, got %r" % packet[:40])
    return struct.unpack(">H", packet[2:4])[0]


# ---- cases ------------------------------------------------------------------

SIZES = [0, 511, 512, 513, 1468, 1 << 20]


def case_files(e):
    """Files of several sizes through tftp-hpa and curl (several block sizes),
    nested and symlinked inside the root, virtual and redirected files from a
    file.open callback: identical bytes, and a file-served event for each."""
    e.configure()
    names = []
    for size in SIZES:
        names.append(e.file("size-%d.bin" % size, os.urandom(size)))
    names.append(e.file("sub/dir/nested.bin", os.urandom(3000)))
    os.symlink("size-513.bin", os.path.join(e.tftproot, "link.bin"))
    with open(os.path.join(e.root, "outside.bin"), "wb") as f:
        f.write(os.urandom(5000))
    e.start()

    served = 0
    for path in names:
        rel = os.path.relpath(path, e.tftproot)
        want = sha256(path)
        out = os.path.join(e.out, "hpa")
        rc, text = tftp_hpa(e, rel, out)
        check(rc == 0 and sha256(out) == want, "tftp-hpa %s: rc %d %s" % (rel, rc, text))
        served += 1
        for opts in ([], ["--tftp-blksize", "1468"], ["--tftp-blksize", "8"],
                     ["--tftp-blksize", "65464"], ["--tftp-no-options"]):
            out = os.path.join(e.out, "curl")
            rc, err = curl(e, rel, out, *opts)
            check(rc == 0 and sha256(out) == want,
                  "curl %s %s: rc %d %s" % (" ".join(opts), rel, rc, err))
            served += 1
        print("ok: %s (%d bytes)" % (rel, os.path.getsize(path)))

    out = os.path.join(e.out, "link")
    rc, err = curl(e, "link.bin", out)
    check(rc == 0 and sha256(out) == sha256(os.path.join(e.tftproot, "size-513.bin")),
          "symlink inside the root not served: %d %s" % (rc, err))
    # a DOS-style name from a PXE ROM
    rc, err = curl(e, "sub\\dir\\nested.bin", out)
    check(rc == 0 and sha256(out) == sha256(names[len(SIZES)]), "backslashes not converted")

    # netascii is served as octet: a text file with bare LFs arrives unchanged
    # at tftp-hpa in ascii mode (which only rewrites CR LF and CR NUL)
    text = e.file("text.cfg", b"default linux\nlabel linux\n  kernel vmlinuz\n")
    rc, msg = tftp_hpa(e, "text.cfg", out, mode="ascii")
    check(rc == 0 and sha256(out) == sha256(text), "netascii: %d %s" % (rc, msg))

    # from the file.open callback of the test plugin
    rc, err = curl(e, "virtual.txt", out)
    with open(out) as f:
        got = f.read()
    check(rc == 0 and got == "virtual file for 127.0.0.1 via tftp\n",
          "virtual.txt: %d %s %r" % (rc, err, got))
    rc, text = tftp_hpa(e, "virtual.txt", out)
    with open(out) as f:
        check(f.read() == "virtual file for 127.0.0.1 via tftp\n", "virtual.txt via tftp-hpa")
    big = bytes((i * 31 + (i >> 8)) & 0xff for i in range(300000))
    for opts in ([], ["--tftp-blksize", "1468"]):
        rc, err = curl(e, "virtual-big.bin", out, *opts)
        with open(out, "rb") as f:
            check(rc == 0 and f.read() == big, "virtual-big.bin %s: %d %s" % (opts, rc, err))
    rc, err = curl(e, "redirect.bin", out)
    check(rc == 0 and sha256(out) == sha256(os.path.join(e.root, "outside.bin")),
          "redirect.bin (local_path from file.open) not served: %d %s" % (rc, err))

    # tsize: the real size in the OACK
    c = Client(e)
    oack = c.rrq(b"size-1048576.bin", options=b"tsize\x000\0blksize\x001468\0")
    check(oack[:2] == b"\0\6", "no OACK: %r" % oack[:20])
    opts = oack[2:].split(b"\0")
    check(opts[opts.index(b"tsize") + 1] == b"1048576" and opts[opts.index(b"blksize") + 1] == b"1468",
          "OACK options %r" % opts)
    c.abort()
    port = c.sock.getsockname()[1]
    c.close()

    log = e.wait_log("client 127.0.0.1:%d: stopped the transfer of size-1048576.bin after 0 of "
                     "1048576 bytes: client sent error 0" % port,"served size-1048576.bin (1048576 bytes)", "served virtual.txt",
                     "served redirect.bin (5000 bytes)", "served size-0.bin (0 bytes)")
    check("served size-1048576.bin (1048576 bytes)" in log, "no file-served event for 1 MiB")
    check("served virtual.txt (" in log and "served redirect.bin (5000 bytes)" in log
          and "served size-0.bin (0 bytes)" in log, "file-served events missing")
    check(log.count("served size-513.bin (513 bytes)") >= served // len(names),
          "not every transfer of size-513.bin emitted an event")
    check("stopped the transfer of size-1048576.bin" in log, "the client's abort not logged")
    check("failed" not in log, "a transfer failed:\n" + log)


def case_refusals(e):
    """Traversal, absolute names, symlinks out of the root, write requests and
    malformed requests: each refused with the right code and logged with the
    client and the name; the server keeps serving."""
    e.configure()
    e.file("ok.bin", b"fine\n")
    e.file("sub/inner.bin", b"inner\n")
    with open(os.path.join(e.root, "secret.txt"), "w") as f:
        f.write("secret\n")
    os.symlink("../secret.txt", os.path.join(e.tftproot, "escape-link"))
    os.symlink("/etc/passwd", os.path.join(e.tftproot, "passwd-link"))
    os.symlink(e.root, os.path.join(e.tftproot, "dir-link"))
    e.start()

    cases = [
        (b"../etc/passwd", 2), (b"/../etc/passwd", 2), (b"sub/../../secret.txt", 2),
        (b"..\\..\\etc\\passwd", 2), (b"//etc/passwd", 2), (b"\\\\etc\\passwd", 2),
        (b"escape-link", 2), (b"passwd-link", 2), (b"dir-link/secret.txt", 2),
        (b"", 2), (b"a\x01b", 2), (b"\xff\xfe", 2), (b"sub", 2),
        (b"/etc/passwd", 1),  # one leading '/' is stripped: etc/passwd under the root
        (b"missing.bin", 1), (b"dropped.bin", 1),
    ]
    for name, code in cases:
        c = Client(e)
        got = error_code(c.rrq(name))
        c.close()
        check(got == code, "%r: error %d, expected %d" % (name, got, code))
        print("ok: %r refused with error %d" % (name, code))
    c = Client(e)
    check(error_code(c.rrq(b"upload.bin", opcode=2)) == 2, "WRQ not refused with error 2")
    check(error_code(Client(e).rrq(b"ok.bin", mode=b"mail")) == 4, "mode mail not error 4")
    c = Client(e)
    c.send(b"\0\1ok.bin")  # no NUL
    check(error_code(c.recv()[0]) == 4, "a name without NUL not error 4")
    c.send(b"\0\4\0\1")  # an ACK to the listening port
    check(error_code(c.recv()[0]) == 4, "an ACK to port 69 not error 4")

    # the same through the real clients
    out = os.path.join(e.out, "x")
    rc, err = curl(e, "../etc/passwd", out)
    check(rc == 69, "curl ../etc/passwd: exit %d (want 69, TFTP access violation): %s" % (rc, err))
    rc, err = curl(e, "escape-link", out)
    check(rc == 69, "curl escape-link: exit %d: %s" % (rc, err))
    rc, err = curl(e, "/etc/passwd", out)
    check(rc == 68, "curl /etc/passwd: exit %d (want 68, not found): %s" % (rc, err))
    rc, text = tftp_hpa(e, "../etc/passwd", out)
    check("Error code 2" in text, "tftp-hpa ../etc/passwd: %s" % text)

    log = e.wait_log("refused 'upload.bin'")
    for needle in ["client 127.0.0.1:", "refused '../etc/passwd': '../etc/passwd': '..' in path",
                   "refused '//etc/passwd'", "refused 'escape-link'", "outside the tree",
                   "refused 'passwd-link'", "refused 'dir-link/secret.txt'",
                   "refused '\\\\\\\\etc\\\\passwd'", "refused '': empty file name",
                   "refused 'a\\001b'", "refused 'sub'", "not a regular file",
                   "'/etc/passwd': ", "'missing.bin': ", "No such file",
                   "'dropped.bin': dropped.bin: refused by a file.open callback",
                   "refused 'upload.bin': write request",
                   "malformed request: unsupported transfer mode 'mail'",
                   "malformed request: file name not NUL-terminated"]:
        check(needle in log, "not logged: %s\n%s" % (needle, log))

    # still serving
    rc, err = curl(e, "ok.bin", out)
    with open(out) as f:
        check(rc == 0 and f.read() == "fine\n", "no longer serving after the refusals")
    check("served" not in log or "secret" not in log.split("served", 1)[1], "a secret was served")


def case_protocol(e):
    """What only a client of our own can provoke: duplicate ACKs, a stranger on
    a transfer's port, a repeated RRQ, stalled clients timing out (logged with
    client and name), and max_transfers."""
    e.configure(max_transfers=2, retries=2)
    data = os.urandom(5000)
    e.file("five.bin", data)
    e.start()

    # duplicate ACK: exactly one DATA 2 before the retransmission timeout (1 s)
    c = Client(e)
    d1 = c.rrq(b"five.bin")
    check(d1[:4] == b"\0\3\0\1" and d1[4:] == data[:512], "DATA 1 wrong")
    c.send(b"\0\4\0\1")
    c.send(b"\0\4\0\1")
    c.send(b"\0\4\0\1")
    seen = []
    deadline = time.monotonic() + 0.6
    while time.monotonic() < deadline:
        try:
            pkt, _ = c.recv(timeout=max(0.01, deadline - time.monotonic()))
            seen.append(pkt[:4])
        except socket.timeout:
            break
    check(seen == [b"\0\3\0\2"], "after three ACKs of block 1: %r (Sorcerer's Apprentice)" % seen)
    # a stranger on the transfer's port gets error 5; the transfer goes on
    s = Client(e)
    s.send(b"\0\4\0\2", to=c.tid)
    check(error_code(s.recv()[0]) == 5, "stranger not told error 5")
    s.send(b"\0\5\0\0stray error\0", to=c.tid)  # an ERROR is never answered
    try:
        pkt, _ = s.recv(timeout=0.3)
        raise Fail("an ERROR from a stranger was answered: %r" % pkt)
    except socket.timeout:
        pass
    s.close()
    # finish it; retransmissions of DATA 2 (the checks above take time) are
    # acknowledged again but not counted twice
    got = d1[4:] + data[512:1024]
    block, last = 2, 512
    while True:
        c.send(struct.pack(">HH", 4, block))
        if last < 512:
            break
        pkt, _ = c.recv()
        n = struct.unpack(">H", pkt[2:4])[0]
        if n == block + 1:
            block, last = n, len(pkt) - 4
            got += pkt[4:]
    check(got == data, "transfer after the duplicates corrupted")
    c.close()

    # a repeated RRQ from the same port does not start a second transfer
    c = Client(e)
    c.send(b"\0\1five.bin\0octet\0")
    c.send(b"\0\1five.bin\0octet\0")
    firsts = []
    deadline = time.monotonic() + 0.6
    while time.monotonic() < deadline:
        try:
            pkt, addr = c.recv(timeout=max(0.01, deadline - time.monotonic()))
            firsts.append((pkt[:4], addr))
        except socket.timeout:
            break
    check(len(firsts) == 1, "repeated RRQ answered %d times" % len(firsts))
    c.tid = firsts[0][1]
    c.abort()
    port = c.sock.getsockname()[1]
    c.close()
    needle = "client 127.0.0.1:%d: stopped the transfer of five.bin" % port
    check(needle in e.wait_log(needle), "a client's abort not logged")

    # a PXE ROM's tsize probe: OACK, abort with error 8, and at once the real
    # request from the same port, which must not be taken for a repeat
    c = Client(e)
    oack = c.rrq(b"five.bin", options=b"tsize\x000\0")
    check(oack == b"\0\6tsize\x005000\0", "tsize probe: %r" % oack)
    c.send(b"\0\5\0\10tsize only\0")
    c.tid = None
    t0 = time.monotonic()
    oack = c.rrq(b"five.bin", options=b"blksize\x001456\0")
    check(oack == b"\0\6blksize\x001456\0" and time.monotonic() - t0 < 0.5,
          "the real request after the probe: %r" % oack)
    c.send(b"\0\4\0\0")
    pkt, _ = c.recv()
    check(pkt[:4] == b"\0\3\0\1" and pkt[4:] == data[:1456], "DATA 1 at blksize 1456")
    c.abort()
    port = c.sock.getsockname()[1]
    c.close()
    needle = "client 127.0.0.1:%d: stopped the transfer of five.bin after 0 of 5000 bytes" % port
    e.wait_log(needle)

    # two stalled clients fill max_transfers; a third is turned away
    stalled = [Client(e), Client(e)]
    for c in stalled:
        check(c.rrq(b"five.bin")[:4] == b"\0\3\0\1", "no DATA 1")
    third = Client(e)
    pkt = third.rrq(b"five.bin")
    check(error_code(pkt) == 0 and b"Too many transfers" in pkt, "max_transfers not enforced: %r" % pkt)
    # they time out: 1 s, 2 retries
    ports = [c.sock.getsockname()[1] for c in stalled]
    log = e.wait_log(*["client 127.0.0.1:%d: transfer of five.bin failed" % p for p in ports],
                     timeout=15)
    for p in ports:
        check("client 127.0.0.1:%d: transfer of five.bin failed after 0 of 5000 bytes: "
              "timed out waiting for the ACK of block 1" % p in log,
              "stalled transfer from port %d not logged\n%s" % (p, log))
    check("refused 'five.bin': 2 transfers are running" in log, "max_transfers refusal not logged")
    # retransmissions reached the stalled client: DATA 1 three times in all
    c = stalled[0]
    again = 0
    try:
        while True:
            pkt, _ = c.recv(timeout=0.2)
            again += pkt[:4] == b"\0\3\0\1"
    except socket.timeout:
        pass
    check(again == 2, "expected 2 retransmissions of DATA 1, saw %d" % again)
    for c in stalled + [third]:
        c.close()
    out = os.path.join(e.out, "five")
    rc, err = curl(e, "five.bin", out)
    check(rc == 0 and sha256(out) == hashlib.sha256(data).hexdigest(), "not serving after timeouts")


def case_rollover(e):
    """A file over 32 MiB at the default block size: the block number wraps
    from 65535 to 0; tftp-hpa (no options) and curl (blksize 512 negotiated)."""
    e.configure()
    path = os.path.join(e.tftproot, "big.bin")
    with open(path, "wb") as f:
        for _ in range(33):
            f.write(os.urandom(1 << 20))
        f.write(os.urandom(777))
    want = sha256(path)
    e.start()
    out = os.path.join(e.out, "big")
    t0 = time.monotonic()
    rc, text = tftp_hpa(e, "big.bin", out)
    t1 = time.monotonic()
    check(rc == 0 and sha256(out) == want, "tftp-hpa big.bin: %d %s" % (rc, text[-500:]))
    print("tftp-hpa: %d bytes, %d blocks of 512 in %.2f s" % (os.path.getsize(path),
                                                             os.path.getsize(path) // 512 + 1, t1 - t0))
    os.unlink(out)
    t0 = time.monotonic()
    rc, err = curl(e, "big.bin", out, "--tftp-blksize", "512")
    t1 = time.monotonic()
    check(rc == 0 and sha256(out) == want, "curl big.bin: %d %s" % (rc, err))
    print("curl: same file in %.2f s" % (t1 - t0))
    log = e.wait_log("served big.bin (%d bytes)" % os.path.getsize(path))
    check(log.count("served big.bin (%d bytes)" % os.path.getsize(path)) == 2, "events missing")


def case_concurrent(e):
    """200 curl transfers of a 1 MiB file at once, all on the daemon's one
    thread: every copy identical, all done within 120 s."""
    n = 200
    e.configure()
    path = e.file("mib.bin", os.urandom(1 << 20))
    want = sha256(path)
    e.start()
    procs = []
    t0 = time.monotonic()
    for i in range(n):
        out = os.path.join(e.out, "c%03d" % i)
        procs.append((out, subprocess.Popen(
            ["curl", "-sS", "-o", out, "tftp://127.0.0.1:%d/mib.bin" % e.port],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
    failures = []
    deadline = t0 + 120
    for out, p in procs:
        try:
            _, err = p.communicate(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for _, q in procs:
                if q.poll() is None:
                    q.kill()
            raise Fail("200 transfers not done within 120 s")
        if p.returncode != 0 or sha256(out) != want:
            failures.append("%s: rc %d %s" % (out, p.returncode, err.decode()))
    elapsed = time.monotonic() - t0
    check(not failures, "%d transfers failed: %s" % (len(failures), failures[:5]))
    print("%d concurrent transfers of 1 MiB (blksize 512) in %.2f s wall time" % (n, elapsed))
    log = e.wait_count("served mib.bin (1048576 bytes)", n)
    check(log.count("served mib.bin (1048576 bytes)") == n, "not %d file-served events" % n)
    check("failed" not in log, "a transfer failed")
    peak = max(int(m) for m in re.findall(r"transfer of mib.bin started, (\d+) running", log))
    print("curl: at most %d transfers ran at once" % peak)

    # curl processes start one by one; our own client starts all 200 at once
    before = len(log)
    t0 = time.monotonic()
    got = parallel_fetch(e, b"mib.bin", n, deadline=t0 + 120)
    elapsed = time.monotonic() - t0
    check(all(hashlib.sha256(g).hexdigest() == want for g in got), "a parallel copy differs")
    log = e.wait_log("served mib.bin")[before:]
    peak = max(int(m) for m in re.findall(r"transfer of mib.bin started, (\d+) running", log))
    print("own client: %d transfers of 1 MiB (blksize 512) started at once, done in %.2f s; "
          "%d ran at once" % (n, elapsed, peak))
    check(peak == n, "only %d of %d transfers ran at once" % (peak, n))
    log = e.wait_count("served mib.bin (1048576 bytes)", 2 * n)
    check(log.count("served mib.bin (1048576 bytes)") == 2 * n, "file-served events missing")
    check("failed" not in log, "a transfer failed")
    with open("/proc/%d/status" % e.daemon.pid) as f:
        threads = int([l for l in f if l.startswith("Threads:")][0].split()[1])
    print("daemon threads after the run: %d" % threads)
    check(threads < 10, "the daemon grew %d threads" % threads)


def case_reload(e):
    """A reload that changes the section restarts the plugin: running transfers
    are told 'Server shutting down', the new instance serves on the same
    socket with the new settings."""
    e.configure()
    data = os.urandom(4000)
    e.file("f.bin", data)
    e.start()
    stalled = Client(e)
    check(stalled.rrq(b"f.bin")[:4] == b"\0\3\0\1", "no DATA 1")
    e.configure(timeout=2)
    e.daemon.send_signal(signal.SIGHUP)
    pkt = b""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:  # skip retransmissions of DATA 1
        pkt, _ = stalled.recv(timeout=TIMEOUT)
        if pkt[:2] != b"\0\3":
            break
    check(error_code(pkt) == 0 and b"Server shutting down" in pkt, "no shutdown ERROR: %r" % pkt)
    stalled.close()
    log = e.wait_log("timeout 2 s")
    check("stopped with 1 transfers running" in log and "timeout 2 s" in log,
          "plugin not restarted with the new settings:\n" + log)
    out = os.path.join(e.out, "f")
    rc, err = curl(e, "f.bin", out)
    check(rc == 0 and sha256(out) == hashlib.sha256(data).hexdigest(), "not serving after reload")


def case_privdrop(e):
    """Started as root and dropped to nobody: the listening socket was bound in
    init (port 69, privileged), transfer sockets need no privilege, files are
    read as nobody."""
    if os.getuid() != 0:
        print("SKIP: needs root to drop privileges")
        return 77
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.bind(("127.0.0.1", 69))
    except OSError as ex:
        print("SKIP: 127.0.0.1:69 is taken: %s" % ex)
        return 77
    finally:
        probe.close()
    e.port = 69
    os.chmod(e.root, 0o755)
    os.chmod(e.tftproot, 0o755)
    e.configure()
    data = os.urandom(100000)
    path = e.file("f.bin", data)
    os.chmod(path, 0o644)
    e.start(user="nobody")
    log = e.wait_log("running as nobody")
    check("running as nobody" in log, "no privilege drop:\n" + log)
    out = os.path.join(e.out, "f")
    for opts in ([], ["--tftp-blksize", "1468"]):
        rc, err = curl(e, "f.bin", out, *opts)
        check(rc == 0 and sha256(out) == hashlib.sha256(data).hexdigest(),
              "not served after the drop: %d %s" % (rc, err))
    rc, text = tftp_hpa(e, "f.bin", out)
    check(rc == 0 and sha256(out) == hashlib.sha256(data).hexdigest(), "tftp-hpa after the drop")


def case_netns(e):
    """In a network namespace of its own: `interfaces` (lo, plus one that does
    not exist) and an IPv6 address; each transfer is answered from the
    address it was asked on."""
    if os.getuid() != 0 or shutil.which("ip") is None:
        print("SKIP: needs root and iproute2 for a network namespace")
        return 77
    ns = "pxf-tftp-%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        # ::1 appears once lo is up (and only if IPv6 is enabled at all)
        has6 = subprocess.run(["ip", "netns", "exec", ns, "python3", "-c",
                               "import socket; socket.socket(socket.AF_INET6, "
                               "socket.SOCK_DGRAM).bind(('::1', 0))"]).returncode == 0
        e.netns = ns
        e.configure(addresses='["::1"]' if has6 else "[]", interfaces="[lo, pxfnosuch0]")
        data = os.urandom(70000)
        e.file("f.bin", data)
        e.start()
        log = e.wait_log("interface pxfnosuch0 has no IPv4 address")
        check("interface pxfnosuch0 has no IPv4 address" in log, "missing interface not warned")
        check(("on ::1, 127.0.0.1 port" if has6 else "on 127.0.0.1 port") in log,
              "not listening on the interface's address:\n" + log)
        hosts = ["127.0.0.1"] + (["[::1]"] if has6 else [])
        out = os.path.join(e.out, "f")
        for host in hosts:
            for opts in ([], ["--tftp-blksize", "1468"]):
                p = subprocess.run(["ip", "netns", "exec", ns, "curl", "-sS", "-o", out] + opts
                                   + ["tftp://%s:%d/f.bin" % (host, e.port)],
                                   capture_output=True, text=True, timeout=60)
                check(p.returncode == 0 and sha256(out) == hashlib.sha256(data).hexdigest(),
                      "curl %s %s: %d %s" % (host, opts, p.returncode, p.stderr))
            print("ok: served over %s" % host)
        if not has6:
            print("note: IPv6 is disabled here; only IPv4 checked")
        e.stop()
    finally:
        subprocess.run(["ip", "netns", "del", ns])


def case_config(e):
    """The shipped snippet starts an idle server (no interfaces named
    anywhere); the wildcard address and a relative root are refused at init
    with the place in the configuration."""
    e.write("pxeforge.yaml", "daemon:\n  debug: true\n")
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                       "conf.d", "30-tftp.yaml")
    with open(src) as f:
        e.write("conf.d/30-tftp.yaml", f.read())
    e.start(wait_for="idle")
    log = e.wait_log("no interfaces or addresses to serve TFTP on; idle")
    check("no interfaces or addresses to serve TFTP on; idle" in log, "shipped snippet not idle")
    e.stop()

    for text, needle in [
            ("    addresses: [127.0.0.1, 0.0.0.0]\n",
             "30-tftp.yaml:3:16: addresses: '0.0.0.0' is the wildcard address"),
            ("    addresses: [127.0.0.1]\n    root: srv/tftp\n",
             "30-tftp.yaml:4:11: root must be an absolute path")]:
        path = e.write("conf.d/30-tftp.yaml", "plugins:\n  tftp:\n" + text
                       + "    port: %d\n" % e.port)
        e.start(wait_for=None)
        log = e.wait_log(needle)
        check(path + needle[len("30-tftp.yaml"):] in log, "not refused with %s:\n%s" % (needle, log))
        e.stop()


CASES = {
    "config": case_config,
    "netns": case_netns,
    "reload": case_reload,
    "privdrop": case_privdrop,
    "files": case_files,
    "refusals": case_refusals,
    "protocol": case_protocol,
    "rollover": case_rollover,
    "concurrent": case_concurrent,
}


if __name__ == "__main__":
    # a clean stop, and nothing from the sanitizers in a -Db_sanitize build
    sys.exit(pxftest.main(Env, CASES[sys.argv[2]], name=sys.argv[2], needs=["tftp", "curl"],
                          finish=lambda e: e.stop_and_check(
                              ("AddressSanitizer", "runtime error:", "LeakSanitizer"))))
