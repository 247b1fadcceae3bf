#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Integration tests of the dhcp plugin: the real pxeforged and real clients
(ISC dhclient, busybox udhcpc, and a small client of our own) on a veth pair
between two network namespaces this test creates and always deletes. The
daemon runs in the server namespace bound to its veth end by name; nothing
touches the machine's own interfaces. Needs root; exits 77 without it.

usage: dhcp-netns.py BUILDDIR CASE
"""
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

BUILD = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else ""
CASE = sys.argv[2] if len(sys.argv) > 2 else ""
PLUGIN = os.path.join(BUILD, "plugins", "dhcp", "dhcp.so")
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(SOURCE, "tests", "lib"))
import pxfleases  # noqa: E402
import pxftest  # noqa: E402
from pxftest import SKIP, TIMEOUT, Fail, check, run  # noqa: E402

SERVER_IP = "10.77.0.1"
NET = "10.77.0"


# ---- namespaces ------------------------------------------------------------------

class Netns(pxftest.NetnsPair):
    """Two namespaces joined by a veth pair; the server end has SERVER_IP."""

    def __init__(self):
        super().__init__("dhcp", "pxd")

    def setup(self):
        self.create()
        run("ip", "-n", self.server, "addr", "add", SERVER_IP + "/24", "dev", self.sdev)
        for ns, dev in ((self.server, self.sdev), (self.client, self.cdev)):
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "link", "set", dev, "up")
        pxftest.wait_link_up(self.client, self.cdev)


def socket_in(ns, dev, port=68):
    """A UDP socket created inside namespace ns, bound to dev like a client's."""
    def bound():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
        s.bind(("0.0.0.0", port))
        return s
    return pxftest.in_netns(ns, bound)


# ---- the daemon ---------------------------------------------------------------------

class Daemon(pxftest.Env):
    """pxeforged in the server namespace with a private config, plugin
    directory, state directory and NOTIFY_SOCKET."""

    def __init__(self, netns):
        super().__init__(BUILD, "pxf-dhcp-it-", [PLUGIN])
        self.netns = netns.server
        self.socket = os.path.join(self.root, "control.sock")
        self.log_mode = "a"

    def wait_log(self, needle, count=1):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.daemon_log().count(needle) >= count:
                return
            time.sleep(0.05)
        raise Fail("no '%s' in the log:\n%s" % (needle, self.daemon_log()))

    def stop(self, sig=signal.SIGTERM):
        """Stops the daemon; a clean stop must exit 0 with no sanitizer report."""
        self.stop_clean(sig)

    def lease(self, ip):
        return pxfleases.read_leases(self.state).get(ip)


def config(netns, lease_time=600, decline_time=600, first=100, last=199):
    return """\
daemon:
  debug: true
hosts:
  - mac: 52:54:00:77:00:01
    hostname: fixed01
    ip: %(net)s.50
plugins:
  dhcp:
    interfaces: [%(dev)s]
    offer_hold: 30
    decline_time: %(decline)d
    subnets:
      - subnet: %(net)s.0/24
        range: [%(net)s.%(first)d, %(net)s.%(last)d]
        lease_time: %(lease)d
        routers: [%(server)s]
        dns_servers: [%(server)s]
        domain_name: pxf.test
""" % {"net": NET, "dev": netns.sdev, "decline": decline_time, "lease": lease_time,
       "first": first, "last": last, "server": SERVER_IP}


# ---- a small DHCP client ---------------------------------------------------------------

MAGIC = b"\x63\x82\x53\x63"
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE = 1, 2, 3, 4, 5, 6, 7


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def packet(mtype, mac, xid, options=(), ciaddr="0.0.0.0"):
    head = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0,
                       socket.inet_aton(ciaddr), bytes(4), bytes(4), bytes(4),
                       mac_bytes(mac), b"", b"")
    body = bytearray(head + MAGIC + bytes([53, 1, mtype]))
    for code, value in options:
        body += bytes([code, len(value)]) + value
    body += b"\xff"
    body += bytes(max(0, 300 - len(body)))
    return bytes(body)


def parse(data):
    if len(data) < 240 or data[236:240] != MAGIC or data[0] != 2:
        return None
    r = {"xid": struct.unpack("!I", data[4:8])[0],
         "yiaddr": socket.inet_ntoa(data[16:20]),
         "chaddr": ":".join("%02x" % b for b in data[28:34]),
         "options": {}}
    i = 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        code, n = data[i], data[i + 1]
        r["options"][code] = data[i + 2:i + 2 + n]
        i += 2 + n
    r["type"] = r["options"].get(53, b"\x00")[0]
    return r


class Client:
    def __init__(self, netns):
        self.sock = socket_in(netns.client, netns.cdev)

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendto(data, ("255.255.255.255", 67))

    def collect(self, xids, timeout=TIMEOUT):
        """Replies to the given transaction ids, one each, until all came or
        the time is up."""
        got = {}
        deadline = time.monotonic() + timeout
        while len(got) < len(xids) and time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                break
            r = parse(data)
            if r is not None and r["xid"] in xids and r["xid"] not in got:
                got[r["xid"]] = r
        return got

    def exchange(self, data, xid, timeout=5):
        self.send(data)
        return self.collect({xid}, timeout).get(xid)

    def dora(self, mac):
        xid = random.getrandbits(32)
        offer = self.exchange(packet(DISCOVER, mac, xid), xid)
        check(offer is not None and offer["type"] == OFFER, "no OFFER for %s" % mac)
        ack = self.exchange(packet(REQUEST, mac, xid + 1, [
            (50, socket.inet_aton(offer["yiaddr"])),
            (54, socket.inet_aton(SERVER_IP))]), xid + 1)
        check(ack is not None and ack["type"] == ACK, "no ACK for %s" % mac)
        check(ack["yiaddr"] == offer["yiaddr"], "ACK differs from the OFFER")
        return ack["yiaddr"]

    def init_reboot(self, mac, ip):
        xid = random.getrandbits(32)
        return self.exchange(packet(REQUEST, mac, xid, [(50, socket.inet_aton(ip))]), xid)


def test_mac(i):
    return "02:77:00:00:%02x:%02x" % ((i >> 8) & 0xff, i & 0xff)


# ---- the cases --------------------------------------------------------------------------

def wait_file_lines(path, pred, what, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                for line in f.read().splitlines():
                    words = line.split()
                    if words and pred(words):
                        return words
        time.sleep(0.1)
    text = open(path).read() if os.path.exists(path) else "(nothing)"
    raise Fail("%s did not happen; script log:\n%s" % (what, text))


def wait_lease(d, ip, state, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    rec = None
    while time.monotonic() < deadline:
        rec = d.lease(ip)
        if rec is not None and rec["state"] == state:
            return rec
        time.sleep(0.1)
    raise Fail("lease %s is %s, expected %s" % (ip, rec, state))


class Procs:
    """Client processes this test started, stopped by PID."""

    def __init__(self):
        self.procs = []

    def start(self, argv, log):
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def case_dhclient(netns, d, procs):
    """dhclient gets a lease, renews it by unicast at T1, releases it."""
    dhclient = shutil.which("dhclient") or "/usr/sbin/dhclient"
    if not os.path.exists(dhclient):
        print("SKIP: dhclient (isc-dhcp-client) is not installed")
        return SKIP
    d.write("pxeforge.yaml", config(netns, lease_time=8))
    d.start()
    d.wait_log("serving DHCP on interface " + netns.sdev)
    work = os.path.join(d.root, "dhclient")
    os.makedirs(work)
    log = os.path.join(work, "events")
    script = os.path.join(work, "script")
    ip = shutil.which("ip")
    # the test's own script: never the system one, which rewrites the host's
    # /etc/resolv.conf even from inside a namespace
    with open(script, "w") as f:
        f.write("""#!/bin/sh
echo "$reason ${new_ip_address:-} ${new_subnet_mask:-} ${new_domain_name:-}" >> %(log)s
case "$reason" in
PREINIT) %(ip)s link set dev "$interface" up ;;
BOUND|RENEW|REBIND|REBOOT) %(ip)s addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
EXPIRE|FAIL|RELEASE|STOP) %(ip)s addr flush dev "$interface" ;;
esac
exit 0
""" % {"log": log, "ip": ip})
    os.chmod(script, 0o755)
    conf = os.path.join(work, "dhclient.conf")
    with open(conf, "w") as f:
        f.write("request subnet-mask, broadcast-address, routers, domain-name, host-name;\n")
    common = ["-sf", script, "-cf", conf, "-lf", os.path.join(work, "leases"),
              "-pf", os.path.join(work, "pid"), netns.cdev]
    out = open(os.path.join(work, "output"), "w")
    procs.start(netns.exec_argv(netns.client, [dhclient, "-d", "-v"] + common), out)

    bound = wait_file_lines(log, lambda w: w[0] in ("BOUND", "REBOOT") and len(w) > 1,
                            "dhclient BOUND")
    addr = bound[1]
    print("dhclient bound %s" % addr)
    check(addr.startswith(NET + ".") and 100 <= int(addr.split(".")[3]) <= 199,
          "address %s outside the range" % addr)
    check(bound[2] == "255.255.255.0" and bound[3] == "pxf.test", "options: %s" % bound)
    rec = wait_lease(d, addr, "bound")
    link = run("ip", "-n", netns.client, "-o", "link", "show", netns.cdev).stdout
    mac = link.split("link/ether ")[1].split()[0]
    check(rec["mac"] == mac, "lease record names %s, the client is %s" % (rec["mac"], mac))
    # T1 is 4 s: a unicast RENEW to the server and its ACK
    renew = wait_file_lines(log, lambda w: w[0] == "RENEW", "dhclient RENEW", timeout=30)
    check(renew[1] == addr, "renewed %s, bound %s" % (renew[1], addr))
    d.wait_log("ACK " + addr)
    check(d.lease(addr)["expires"] > rec["expires"], "the renewal did not extend the lease")
    # release: dhclient -r stops the running one through the pid file
    run(*netns.exec_argv(netns.client, [dhclient, "-r", "-v"] + common))
    wait_lease(d, addr, "released")
    return 0


def case_udhcpc(netns, d, procs):
    """busybox udhcpc gets a lease, renews on SIGUSR1, releases on SIGUSR2."""
    busybox = shutil.which("busybox")
    if busybox is None:
        print("SKIP: busybox is not installed")
        return SKIP
    d.write("pxeforge.yaml", config(netns, lease_time=120))
    d.start()
    d.wait_log("serving DHCP on interface " + netns.sdev)
    work = os.path.join(d.root, "udhcpc")
    os.makedirs(work)
    log = os.path.join(work, "events")
    script = os.path.join(work, "script")
    with open(script, "w") as f:
        f.write("""#!/bin/sh
echo "$1 ${ip:-} ${mask:-} ${domain:-}" >> %(log)s
case "$1" in
deconfig) %(ip)s addr flush dev "$interface"; %(ip)s link set "$interface" up ;;
bound|renew) %(ip)s addr replace "$ip/$mask" dev "$interface" ;;
esac
exit 0
""" % {"log": log, "ip": shutil.which("ip")})
    os.chmod(script, 0o755)
    out = open(os.path.join(work, "output"), "w")
    p = procs.start(netns.exec_argv(netns.client, [
        busybox, "udhcpc", "-f", "-i", netns.cdev, "-s", script, "-t", "10", "-T", "1",
        "-A", "2"]), out)
    bound = wait_file_lines(log, lambda w: w[0] == "bound", "udhcpc bound")
    addr = bound[1]
    print("udhcpc bound %s" % addr)
    check(bound[2] == "24" and bound[3] == "pxf.test", "options: %s" % bound)
    rec = wait_lease(d, addr, "bound")
    check(rec.get("client_id", "").startswith("01"), "udhcpc's client id not stored: %s" % rec)
    p.send_signal(signal.SIGUSR1)
    renew = wait_file_lines(log, lambda w: w[0] == "renew", "udhcpc renew")
    check(renew[1] == addr, "renewed %s, bound %s" % (renew[1], addr))
    check(d.lease(addr)["expires"] >= rec["expires"], "the renewal shortened the lease")
    p.send_signal(signal.SIGUSR2)
    wait_lease(d, addr, "released")
    return 0


def case_burst(netns, d, procs):
    """50 DISCOVERs from 50 MACs at once into a pool of 50: 50 different
    addresses offered and held, so 50 more clients right after get nothing;
    then the first 50 REQUEST and all get their ACK."""
    d.write("pxeforge.yaml", config(netns, first=100, last=149))
    d.start()
    d.wait_log("serving DHCP on interface " + netns.sdev)
    c = Client(netns)
    try:
        macs = [test_mac(i) for i in range(50)]
        xids = [random.getrandbits(32) for _ in macs]
        packets = [packet(DISCOVER, m, x) for m, x in zip(macs, xids)]
        t0 = time.perf_counter()
        for data in packets:
            c.send(data)
        spent = (time.perf_counter() - t0) * 1000
        print("50 DISCOVERs sent in %.3f ms" % spent)
        offers = c.collect(set(xids), timeout=TIMEOUT)
        check(len(offers) == 50, "%d of 50 OFFERs arrived" % len(offers))
        addrs = [offers[x]["yiaddr"] for x in xids]
        check(len(set(addrs)) == 50, "duplicate addresses offered: %s" % sorted(addrs))
        for x, m in zip(xids, macs):
            check(offers[x]["chaddr"] == m, "OFFER for %s went to %s" % (m, offers[x]["chaddr"]))
            check(offers[x]["yiaddr"] != NET + ".50", "the fixed address was offered")
        # every address is held for its client: latecomers get nothing
        late = {random.getrandbits(32): test_mac(1000 + i) for i in range(50)}
        for x, m in late.items():
            c.send(packet(DISCOVER, m, x))
        stolen = c.collect(set(late), timeout=2)
        check(not stolen, "held addresses offered to others: %s" %
              sorted(r["yiaddr"] for r in stolen.values()))
        reqs = {}
        for x, m in zip(xids, macs):
            reqs[x + 1] = packet(REQUEST, m, x + 1, [
                (50, socket.inet_aton(offers[x]["yiaddr"])), (54, socket.inet_aton(SERVER_IP))])
        for data in reqs.values():
            c.send(data)
        acks = c.collect(set(reqs), timeout=TIMEOUT)
        check(len(acks) == 50 and all(a["type"] == ACK for a in acks.values()),
              "%d ACKs" % len([a for a in acks.values() if a["type"] == ACK]))
        for x, m in zip(xids, macs):
            check(acks[x + 1]["yiaddr"] == offers[x]["yiaddr"], "ACK differs from OFFER")
            rec = d.lease(acks[x + 1]["yiaddr"])
            check(rec is not None and rec["state"] == "bound" and rec["mac"] == m,
                  "lease of %s: %s" % (m, rec))
        # the inventory host gets its fixed address, outside the full pool
        check(c.dora("52:54:00:77:00:01") == NET + ".50", "fixed host got another address")
    finally:
        c.close()
    return 0


def case_decline(netns, d, procs):
    """A DECLINEd address is offered to no one until decline_time passes."""
    d.write("pxeforge.yaml", config(netns, decline_time=4, first=100, last=102))
    d.start()
    d.wait_log("serving DHCP on interface " + netns.sdev)
    c = Client(netns)
    try:
        bad = c.dora(test_mac(1))
        xid = random.getrandbits(32)
        declined_at = time.monotonic()
        c.send(packet(DECLINE, test_mac(1), xid, [(50, socket.inet_aton(bad)),
                                                  (54, socket.inet_aton(SERVER_IP))]))
        wait_lease(d, bad, "declined")
        others = {c.dora(test_mac(2)), c.dora(test_mac(3))}
        check(bad not in others and len(others) == 2, "got %s after declining %s" % (others, bad))
        # the pool is now empty but for the quarantined address
        n = 0
        while time.monotonic() - declined_at < 3.0:
            xid = random.getrandbits(32)
            r = c.exchange(packet(DISCOVER, test_mac(10 + n), xid), xid, timeout=0.3)
            check(r is None or r["yiaddr"] != bad, "%s offered during its quarantine" % bad)
            n += 1
        print("%d DISCOVERs during the quarantine got no %s" % (n, bad))
        time.sleep(max(0.0, 4.5 - (time.monotonic() - declined_at)))
        check(c.dora(test_mac(99)) == bad, "%s not offered again after the quarantine" % bad)
    finally:
        c.close()
    return 0


def case_restart(netns, d, procs):
    """Every ACKed lease survives a clean restart and a SIGKILL."""
    d.write("pxeforge.yaml", config(netns))
    d.start()
    d.wait_log("serving DHCP on interface " + netns.sdev)
    c = Client(netns)
    try:
        leases = {test_mac(i): c.dora(test_mac(i)) for i in range(10)}
        for how in (signal.SIGTERM, signal.SIGKILL):
            # the last ACK just arrived: the daemon dies right after it
            leases[test_mac(100 + how)] = c.dora(test_mac(100 + how))
            d.stop(how)
            for mac, ip in leases.items():
                rec = d.lease(ip)
                check(rec is not None and rec["state"] == "bound" and rec["mac"] == mac,
                      "after %s: lease %s is %s" % (how.name, ip, rec))
            d.start()
            d.wait_log("serving DHCP on interface " + netns.sdev)
            for mac, ip in leases.items():
                r = c.init_reboot(mac, ip)
                check(r is not None and r["type"] == ACK and r["yiaddr"] == ip,
                      "after %s: REQUEST of %s for %s got %s" % (how.name, mac, ip, r))
            fresh = c.dora(test_mac(200 + how))
            check(fresh not in leases.values(), "a new client got a leased address")
            print("after %s: %d leases kept" % (how.name, len(leases)))
    finally:
        c.close()
    return 0


def case_privdrop(netns, d, procs):
    """Started as root, running as nobody: the sockets bound in init still
    answer (broadcasts included) and leases are still written."""
    os.chmod(d.root, 0o755)
    d.write("pxeforge.yaml", config(netns))
    d.start(user="nobody")
    d.wait_log("running as nobody")
    d.wait_log("serving DHCP on interface " + netns.sdev)
    c = Client(netns)
    try:
        addr = c.dora(test_mac(1))
        rec = d.lease(addr)
        check(rec is not None and rec["state"] == "bound", "lease not stored: %s" % rec)
        r = c.init_reboot(test_mac(1), addr)
        check(r is not None and r["type"] == ACK, "no ACK after the drop")
    finally:
        c.close()
    return 0


def case_idle(netns, d, procs):
    """As shipped (conf.d/20-dhcp.yaml), the plugin binds nothing and says so;
    with an interface but no subnet, likewise."""
    shutil.copy(os.path.join(SOURCE, "conf.d", "20-dhcp.yaml"),
                os.path.join(d.config, "conf.d", "20-dhcp.yaml"))
    for n, daemon_section in enumerate(("daemon:\n  debug: true\n",
                                        "daemon:\n  debug: true\n  interfaces: [%s]\n"
                                        % netns.sdev)):
        d.write("pxeforge.yaml", daemon_section)
        d.start()
        d.wait_log("the DHCP server is idle", count=n + 1)
        udp = run(*netns.exec_argv(netns.server, ["cat", "/proc/net/udp"])).stdout
        check(":0043 " not in udp, "something listens on port 67:\n" + udp)
        c = Client(netns)
        try:
            xid = random.getrandbits(32)
            check(c.exchange(packet(DISCOVER, test_mac(1), xid), xid, timeout=2) is None,
                  "an idle server answered")
        finally:
            c.close()
        d.stop()
    return 0


def case_reload(netns, d, procs):
    """What the server keeps between packets follows the system: a reload
    that moves a host's fixed address (the plugin keeps running, its table
    of fixed addresses is built again), and a new address on the interface
    (the kernel's netlink event, not a lookup per packet)."""
    second = """\
      - subnet: 10.78.0.0/24
        range: [10.78.0.100, 10.78.0.199]
"""
    d.write("pxeforge.yaml", config(netns) + second)
    d.start()
    d.wait_log("serving DHCP on interface " + netns.sdev)
    c = Client(netns)
    try:
        check(c.dora("52:54:00:77:00:01") == NET + ".50", "fixed host not at .50")
        d.write("pxeforge.yaml", config(netns).replace(NET + ".50", NET + ".60") + second)
        d.cli("reload")
        d.wait_log("reloaded:")
        check(c.dora("52:54:00:77:00:01") == NET + ".60",
              "after the reload the fixed host is not at .60")
        # a second network on the interface, after start: a client that
        # names an address in it (ciaddr) is served from its subnet (the
        # reply goes to that ciaddr, which this client cannot receive: the
        # log tells)
        run("ip", "-n", netns.server, "addr", "add", "10.78.0.1/24", "dev", netns.sdev)
        c.send(packet(DISCOVER, test_mac(2), random.getrandbits(32), ciaddr="10.78.0.7"))
        d.wait_log("DISCOVER from %s on %s: OFFER 10.78.0." % (test_mac(2), netns.sdev))
    finally:
        c.close()
    return 0


def case_bad_config(netns, d, procs):
    """Settings the plugin cannot use are reported at their file:line:column
    and the daemon runs without the plugin, listening nowhere."""
    cases = [
        ("range: [%s.0, %s.10]" % (NET, NET), netns.sdev,
         "pxeforge.yaml:8:16: subnets[0].range: the range must lie within"),
        ("range: [%s.10, %s.1]" % (NET, NET), netns.sdev,
         "subnets[0].range: the range's first address comes after its last"),
        ("next_server: tftp.example", netns.sdev,
         "pxeforge.yaml:8:22: subnets[0].next_server: 'tftp.example' is not an IPv4 address"),
        ("lease_time: 60", "pxfnosuch0",
         "plugin dhcp: interface pxfnosuch0: binding to interface pxfnosuch0: No such device"),
    ]
    for n, (line, dev, needle) in enumerate(cases):
        d.write("pxeforge.yaml", """\
daemon:
  debug: true
plugins:
  dhcp:
    interfaces: [%s]
    subnets:
      - subnet: %s.0/24
        %s
""" % (dev, NET, line))
        d.start()
        d.wait_log(needle)
        d.wait_log("ready: 0 plugins", count=n + 1)
        udp = run(*netns.exec_argv(netns.server, ["cat", "/proc/net/udp"])).stdout
        check(":0043 " not in udp, "something listens on port 67:\n" + udp)
        d.stop()
    return 0


CASES = {
    "dhclient": case_dhclient,
    "udhcpc": case_udhcpc,
    "burst": case_burst,
    "decline": case_decline,
    "restart": case_restart,
    "idle": case_idle,
    "privdrop": case_privdrop,
    "bad-config": case_bad_config,
    "reload": case_reload,
}


def main():
    if CASE not in CASES:
        print("usage: dhcp-netns.py BUILDDIR {%s}" % "|".join(CASES))
        return 2
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return SKIP
    if shutil.which("ip") is None:
        print("SKIP: iproute2 is not installed")
        return SKIP
    # a meson timeout sends SIGTERM: still delete the namespaces and stop
    # what this test started
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    netns = Netns()
    d = None
    procs = Procs()
    try:
        try:
            netns.setup()
        except Fail as e:
            print("SKIP: cannot create network namespaces: %s" % e)
            return SKIP
        d = Daemon(netns)
        rc = CASES[CASE](netns, d, procs)
        d.stop()
        if rc == 0:
            print("PASS: %s" % CASE)
        return rc
    except (Fail, subprocess.TimeoutExpired) as e:
        print("FAIL: %s: %s" % (CASE, e))
        if d is not None and os.path.exists(d.log):
            print("---- daemon log ----\n" + d.daemon_log())
        return 1
    finally:
        procs.stop_all()
        if d is not None:
            d.close()
        netns.cleanup()


if __name__ == "__main__":
    sys.exit(main())
