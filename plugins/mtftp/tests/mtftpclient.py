# SPDX-License-Identifier: LGPL-2.1-or-later
"""The multicast TFTP client of the mtftp integration tests (mtftp-netns.py):
the server's address and ports, a client that behaves like iPXE (PXE MTFTP)
or asks with the RFC 2090 multicast option, and single requests."""
import socket
import struct
import time

from pxftest import Fail, in_netns

TIMEOUT = 30
SERVER_IP = "10.98.0.1"
GROUP = "239.255.1.1"
CLIENT_PORT = 3001
SERVER_PORT = 1759


class McClient:
    """A multicast TFTP client of our own, run in a thread inside a client
    namespace: listens to the group from the start like iPXE, asks at once,
    and as master ACKs the last block it has in a row, so that it asks only
    for what it missed. proto "pxe" or "rfc2090"."""

    def __init__(self, ns, name, proto="pxe", group=GROUP, port=CLIENT_PORT, ack_delay=0.0,
                 blksize=None):
        self.ns = ns
        self.name = name
        self.proto = proto
        self.group = group
        self.port = port
        self.ack_delay = ack_delay
        self.blksize = blksize or 512
        self.ask_blksize = blksize
        self.blocks = {}
        self.last = None  # number of the short block
        self.master = False
        self.peer = None
        self.error = None
        self.oacks = []
        self.unicast_data = []  # block numbers that came unicast
        self.group_data = 0
        self.done = False
        self.first = None  # the first block it heard
        self.thread = None
        self.usock = None
        self.msock = None

    def open(self):
        def make():
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind(("0.0.0.0", 0))
            m = None
            if self.proto == "pxe":
                m = self.join(self.group, self.port)
            return u, m
        self.usock, self.msock = in_netns(self.ns, make)

    def join(self, group, port):
        m = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        m.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        m.bind(("0.0.0.0", port))
        mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton("0.0.0.0"))
        m.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        return m

    def rrq(self):
        pkt = b"\0\1" + self.name.encode() + b"\0octet\0"
        if self.proto == "rfc2090":
            if self.ask_blksize:
                pkt += b"blksize\0%d\0" % self.ask_blksize
            pkt += b"tsize\0" + b"0\0multicast\0\0"
        self.usock.sendto(pkt, (SERVER_IP, SERVER_PORT))

    def first_gap(self):
        n = 0
        while (n + 1) in self.blocks:
            n += 1
        return n

    def complete(self):
        return self.last is not None and self.first_gap() >= self.last

    def ack(self):
        if self.ack_delay:
            time.sleep(self.ack_delay)
        self.usock.sendto(struct.pack("!HH", 4, self.first_gap()), self.peer)

    def data(self, pkt, unicast, src):
        block = struct.unpack("!H", pkt[2:4])[0]
        if self.peer is None:
            self.peer = src
        if self.first is None:
            self.first = block
        elif src != self.peer:
            return  # not our server's stream
        if unicast:
            self.unicast_data.append(block)
            self.master = True
        else:
            self.group_data += 1
        self.blocks[block] = pkt[4:]
        if len(pkt) - 4 < self.blksize:
            self.last = block
        if self.master:
            self.ack()

    def oack(self, pkt, src):
        self.peer = src
        fields = pkt[2:].split(b"\0")
        opts = dict(zip(fields[0::2], fields[1::2]))
        self.oacks.append(opts)
        addr, port, mc = opts[b"multicast"].decode().split(",")
        if b"blksize" in opts:
            self.blksize = int(opts[b"blksize"])
        if self.msock is None and addr:
            self.msock = in_netns(self.ns, self.join, addr, int(port))
        self.master = mc == "1"
        if self.master:
            self.ack()

    def run(self, timeout=TIMEOUT):
        import select
        self.rrq()
        deadline = time.monotonic() + timeout
        silent_since = time.monotonic()
        while not self.complete() and time.monotonic() < deadline:
            socks = [s for s in (self.usock, self.msock) if s is not None]
            ready, _, _ = select.select(socks, [], [], 0.5)
            if not ready:
                # like iPXE: silence means the stream ended without us; ask again
                if time.monotonic() - silent_since > 1.5:
                    self.master = False
                    self.rrq()
                    silent_since = time.monotonic()
                continue
            silent_since = time.monotonic()
            for s in ready:
                pkt, src = s.recvfrom(70000)
                op = struct.unpack("!H", pkt[:2])[0]
                if op == 3:
                    self.data(pkt, s is self.usock, src)
                elif op == 6:
                    self.oack(pkt, src)
                elif op == 5:
                    self.error = (struct.unpack("!H", pkt[2:4])[0], pkt[4:-1].decode())
                    return
        self.done = self.complete()

    def start(self):
        import threading
        self.open()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def wait(self, timeout=TIMEOUT):
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise Fail("client %s still running" % self.ns)

    def content(self):
        return b"".join(self.blocks[i] for i in range(1, self.last + 1))

    def close(self):
        for s in (self.usock, self.msock):
            if s is not None:
                s.close()


def request(ns, name, opts=b"", op=1, port=SERVER_PORT):
    """One request from a client namespace; the first answer (opcode, rest,
    source) or None."""
    def go():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 0))
        s.settimeout(3)
        try:
            s.sendto(struct.pack("!H", op) + name + b"\0octet\0" + opts, (SERVER_IP, port))
            pkt, src = s.recvfrom(70000)
            return struct.unpack("!H", pkt[:2])[0], pkt[2:], src
        except socket.timeout:
            return None
        finally:
            s.close()
    return in_netns(ns, go)


def error_of(answer):
    if answer is None or answer[0] != 5:
        raise Fail("not an ERROR: %r" % (answer,))
    return struct.unpack("!H", answer[1][:2])[0], answer[1][2:-1].decode()
