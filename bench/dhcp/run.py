#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""DHCP benchmark: Kea, dnsmasq and pxeforge in turn, each pinned to CPU 0
in a network namespace of its own, driven by ISC perfdhcp (DORA exchanges)
pinned to CPU 1 in a second namespace joined to the first by a veth pair.
Nothing touches the machine's own interfaces: the addresses (198.18.0.0/15,
the RFC 2544 benchmarking range) exist only inside the two namespaces.

    sudo bench/dhcp/run.py [--quick] [--servers kea,dnsmasq,pxeforge]
                           [--hosts 0,1000,10000,30000] [--repeat N]

Needs root, kea-dhcp4-server, kea-admin (perfdhcp), dnsmasq-base and taskset
(`scripts/dev bench` installs them, builds and runs this). It builds nothing:
it takes BUILD/core/pxeforged and BUILD/plugins/dhcp/dhcp.so (--build).
See bench/README.md for the method and what each column means.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
import pxftest  # noqa: E402  (the project's netns helpers)

NET = "198.18.0.0/15"
SERVER_IP = "198.18.0.1"
CLIENT_IP = "198.18.0.2"
POOL = ("198.18.128.0", "198.19.255.250")  # 98,000 addresses, no fixed host in it
HOST_BASE = (198 << 24) | (18 << 16) | (1 << 8)  # fixed hosts from 198.18.1.1
MASK = "255.254.0.0"
SERVER_CPU = "0"
CLIENT_CPU = "1"
MAX_DROP = 2.5  # percent
OVERLOAD = 20000  # offered rate of the overload column
CEILING_RATE = 200000  # offered to measure perfdhcp's own ceiling
CLIENTS = 60000  # distinct perfdhcp clients (-R): fewer than the pool
TICK = os.sysconf("SC_CLK_TCK")
SERVERS = ("kea", "dnsmasq", "pxeforge")


class BenchError(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def ip4(n):
    return socket.inet_ntoa(n.to_bytes(4, "big"))


def host_list(n):
    """n fixed hosts: (mac, hostname, ip), none of them a perfdhcp client
    (perfdhcp's MACs start 00:0c:01)."""
    return [("02:00:%02x:%02x:%02x:%02x" % ((i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255,
                                             i & 255),
             "h%05d" % i, ip4(HOST_BASE + i)) for i in range(1, n + 1)]


def proc_cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def proc_hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class Netns:
    """Two namespaces joined by a veth pair (pxftest.NetnsPair), with the
    benchmark's addresses inside them only."""

    def __init__(self):
        self.pair = pxftest.NetnsPair("bench", "pxfb")

    def create(self):
        p = self.pair
        p.create()
        for ns, dev, addr in ((p.server, p.sdev, SERVER_IP), (p.client, p.cdev, CLIENT_IP)):
            pxftest.run("ip", "-n", ns, "link", "set", "lo", "up")
            pxftest.run("ip", "-n", ns, "addr", "add", addr + "/15", "dev", dev)
            pxftest.run("ip", "-n", ns, "link", "set", dev, "up")
        for ns, dev in ((p.server, p.sdev), (p.client, p.cdev)):
            pxftest.wait_link_up(ns, dev)

    def cleanup(self):
        self.pair.cleanup()


class Server:
    """One DHCP server process: started fresh (empty leases) for every
    measured run, pinned to SERVER_CPU in the server namespace."""

    name = ""

    def __init__(self, bench, hosts=0):
        self.bench = bench
        self.hosts = hosts
        self.proc = None
        self.dir = None
        self.ready_s = None

    def argv(self):
        raise NotImplementedError

    def prepare(self):
        pass

    def env(self):
        return dict(os.environ)

    def wait_ready(self, deadline):
        """Ready once something in the server namespace listens on UDP 67."""
        ns = self.bench.net.pair.server
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError("%s exited %d; log %s:\n%s" % (self.name, self.proc.returncode,
                                                                self.logpath, self.log_tail()))
            out = pxftest.run("ip", "netns", "exec", ns, "ss", "-H", "-uln", "sport = :67",
                              check_rc=False).stdout
            if out.strip():
                return
            time.sleep(0.05)
        raise BenchError("%s did not listen on UDP 67 in time" % self.name)

    def log_tail(self):
        try:
            with open(self.logpath, errors="replace") as f:
                return "".join(f.readlines()[-20:])
        except OSError:
            return ""

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="pxfb-%s-" % self.name, dir=self.bench.tmp)
        os.chmod(self.dir, 0o755)
        self.logpath = os.path.join(self.dir, "server.log")
        self.prepare()
        cmd = ["ip", "netns", "exec", self.bench.net.pair.server,
               "taskset", "-c", SERVER_CPU] + self.argv()
        t0 = time.monotonic()
        with open(self.logpath, "w") as logf:
            # ip and taskset exec: the PID is the server's own
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                         env=self.env(), start_new_session=True)
        self.bench.pids.add(self.proc.pid)
        self.wait_ready(t0 + 30)
        self.ready_s = time.monotonic() - t0
        time.sleep(0.3)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.bench.pids.discard(self.proc.pid)
        self.proc = None
        if not self.bench.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


class Kea(Server):
    name = "kea"

    def prepare(self):
        sub = {"id": 1, "subnet": NET, "pools": [{"pool": "%s - %s" % POOL}]}
        if self.hosts:
            sub["reservations"] = [{"hw-address": mac, "ip-address": ip, "hostname": name}
                                   for mac, name, ip in host_list(self.hosts)]
        conf = {"Dhcp4": {
            "interfaces-config": {"interfaces": [self.bench.net.pair.sdev],
                                  "dhcp-socket-type": "raw"},
            # persisted: every lease appended to the CSV file; no cleanup
            # process during the run
            "lease-database": {"type": "memfile", "persist": True, "lfc-interval": 0,
                               "name": os.path.join(self.dir, "kea-leases4.csv")},
            "valid-lifetime": 3600,
            "subnet4": [sub],
            "loggers": [{"name": "kea-dhcp4", "severity": "WARN",
                         "output_options": [{"output": self.logpath + ".kea"}]}]}}
        self.conf = os.path.join(self.dir, "kea-dhcp4.conf")
        with open(self.conf, "w") as f:
            json.dump(conf, f)

    def env(self):
        return dict(os.environ, KEA_PIDFILE_DIR=self.dir, KEA_LOCKFILE_DIR=self.dir)

    def argv(self):
        return [shutil.which("kea-dhcp4") or "/usr/sbin/kea-dhcp4", "-c", self.conf]


class Dnsmasq(Server):
    name = "dnsmasq"

    def argv(self):
        return [shutil.which("dnsmasq") or "/usr/sbin/dnsmasq", "--keep-in-foreground",
                "--conf-file=/dev/null", "--port=0", "--no-resolv", "--no-hosts",
                "--user=root", "--group=root", "--pid-file=" + os.path.join(self.dir, "pid"),
                "--interface=" + self.bench.net.pair.sdev, "--bind-interfaces",
                "--dhcp-range=%s,%s,%s,1h" % (POOL[0], POOL[1], MASK),
                "--dhcp-lease-max=200000", "--no-ping", "--dhcp-authoritative", "--quiet-dhcp",
                "--dhcp-leasefile=" + os.path.join(self.dir, "dnsmasq.leases"),
                "--log-facility=" + self.logpath + ".dnsmasq"]


class Pxeforge(Server):
    name = "pxeforge"

    def prepare(self):
        build = self.bench.build
        self.etc = os.path.join(self.dir, "etc")
        self.plugins = os.path.join(self.dir, "plugins")
        self.state = os.path.join(self.dir, "state")
        for d in (os.path.join(self.etc, "conf.d"), self.plugins, self.state):
            os.makedirs(d)
        so = pxftest.plugin_so(build, "dhcp")
        shutil.copy(so, os.path.join(self.plugins, "dhcp.so"))
        os.chmod(os.path.join(self.plugins, "dhcp.so"), 0o755)
        write_pxeforge_config(self.etc, self.bench.net.pair.sdev, self.hosts)
        self.notify_path = os.path.join(self.dir, "notify.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)

    def env(self):
        env = dict(os.environ, PXEFORGE_TEST="1", PXEFORGE_PLUGIN_DIR=self.plugins,
                   NOTIFY_SOCKET=self.notify_path)
        return env

    def argv(self):
        return [os.path.join(self.bench.build, "core", "pxeforged"), "--config", self.etc,
                "--state-dir", self.state,
                "--control-socket", os.path.join(self.dir, "control.sock"), "--user", ""]

    def wait_ready(self, deadline):
        """READY=1 on NOTIFY_SOCKET, as systemd sees it."""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError("pxeforged exited %d; log %s:\n%s" % (
                    self.proc.returncode, self.logpath, self.log_tail()))
            self.notify.settimeout(max(0.05, min(0.5, deadline - time.monotonic())))
            try:
                if b"READY=1" in self.notify.recv(4096):
                    return
            except socket.timeout:
                continue
        raise BenchError("pxeforged sent no READY=1 in time")

    def stop(self):
        super().stop()
        self.notify.close()


def write_pxeforge_config(etc, dev, hosts):
    with open(os.path.join(etc, "pxeforge.yaml"), "w") as f:
        f.write("daemon:\n  debug: false\nplugins:\n  dhcp:\n    interfaces: [%s]\n"
                "    subnets:\n      - subnet: %s\n        range: [%s, %s]\n"
                "        lease_time: 3600\n" % ((dev, NET) + POOL))
    if hosts:
        with open(os.path.join(etc, "conf.d", "90-hosts.yaml"), "w") as f:
            f.write("hosts:\n")
            for mac, name, ip in host_list(hosts):
                f.write("  - {mac: %s, hostname: %s, ip: %s}\n" % (mac, name, ip))


SERVER_CLASSES = {"kea": Kea, "dnsmasq": Dnsmasq, "pxeforge": Pxeforge}

STAT_RE = re.compile(r"\*\*\*Statistics for: (\S+)\*\*\*(.*?)(?=\*\*\*|\Z)", re.S)


def parse_perfdhcp(out):
    """perfdhcp's report: per exchange type, sent/received/drops; the rate
    line of completed 4-way exchanges."""
    ex = {}
    for kind, body in STAT_RE.findall(out):
        vals = {}
        for key in ("sent packets", "received packets", "drops"):
            m = re.search(r"^%s: (\d+)" % key, body, re.M)
            if m:
                vals[key] = int(m.group(1))
        ex[kind] = vals
    m = re.search(r"^Rate: ([\d.]+) 4-way exchanges/second", out, re.M)
    if "DISCOVER-OFFER" not in ex or "REQUEST-ACK" not in ex or not m:
        raise BenchError("cannot parse the perfdhcp report:\n" + out[-2000:])
    return ex, float(m.group(1))


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.pids = set()
        self.tmp = None
        self.net = None
        self.duration = 3 if args.quick else 5
        self.budget = 90 if args.quick else 240

    def setup(self):
        self.tmp = tempfile.mkdtemp(prefix="pxfb-")
        os.chmod(self.tmp, 0o755)
        self.net = Netns()
        self.net.create()

    def cleanup(self):
        for pid in list(self.pids):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.pids.clear()
        if self.net is not None:
            self.net.cleanup()
            self.net = None
        if self.tmp is not None and not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def perfdhcp(self, rate, duration, server=None):
        """One perfdhcp run at an offered rate; the server's CPU over it."""
        cmd = ["ip", "netns", "exec", self.net.pair.client, "taskset", "-c", CLIENT_CPU,
               shutil.which("perfdhcp") or "/usr/sbin/perfdhcp", "-4", "-g", "single",
               "-l", self.net.pair.cdev, "-r", str(rate), "-R", str(CLIENTS),
               "-p", str(duration)]
        cpu0 = proc_cpu_ticks(server.proc.pid) if server else 0
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             start_new_session=True)
        self.pids.add(p.pid)
        deadline = t0 + duration + 30
        out = b""
        # perfdhcp's own CPU: wait4 gives the rusage of the exec'd child
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.05)
        wall = time.monotonic() - t0
        self.pids.discard(p.pid)
        p.returncode = os.waitstatus_to_exitcode(status)
        out = p.stdout.read().decode(errors="replace")
        p.stdout.close()
        if p.returncode not in (0, 3):  # 3: some packets were dropped
            raise BenchError("perfdhcp exited %d:\n%s" % (p.returncode, out[-2000:]))
        ex, done_rate = parse_perfdhcp(out)
        sent = ex["DISCOVER-OFFER"].get("sent packets", 0)
        acked = ex["REQUEST-ACK"].get("received packets", 0)
        # every packet perfdhcp sent or received: 4 per completed DORA
        packets = sum(ex[k].get(f, 0) for k in ("DISCOVER-OFFER", "REQUEST-ACK")
                      for f in ("sent packets", "received packets"))
        r = {"offered": rate, "rate": done_rate, "sent": sent, "acked": acked,
             "sent_rate": sent / duration, "packet_rate": packets / duration,
             "drop": 100.0 * (1 - acked / sent) if sent else 100.0,
             "client_cpu": 100.0 * (ru.ru_utime + ru.ru_stime) / wall}
        if server:
            r["cpu"] = 100.0 * (proc_cpu_ticks(server.proc.pid) - cpu0) / TICK / wall
            r["rss"] = proc_hwm_kib(server.proc.pid)
        log("  %-9s offered %6d/s: %8.1f DORA/s, %5.1f %% dropped, server CPU %5.1f %%, "
            "perfdhcp CPU %5.1f %%" % (server.name if server else "-", rate, done_rate,
                                        r["drop"], r.get("cpu", 0), r["client_cpu"]))
        return r

    def measure(self, cls, hosts, rate):
        srv = cls(self, hosts)
        try:
            srv.start()
            r = self.perfdhcp(rate, self.duration, srv)
            r["ready_s"] = srv.ready_s
            return r
        finally:
            srv.stop()

    def max_rate(self, cls, hosts=0):
        """Highest offered rate completing with < MAX_DROP % drops: the
        OVERLOAD run first, then a geometric search (x/÷4 to bracket, then
        bisection of the bracket in log space until hi/lo < 1.15), a fresh
        server for every run, bounded by self.budget seconds and 16 runs."""
        t0 = time.monotonic()
        runs = []
        over = self.measure(cls, hosts, OVERLOAD)
        runs.append(over)
        lo = hi = None
        if over["drop"] < MAX_DROP:
            lo = over
            rate = OVERLOAD * 2
        else:
            hi = over
            rate = max(50, int(over["rate"]))
        while len(runs) < 16 and time.monotonic() - t0 < self.budget:
            if lo is not None and hi is not None:
                if hi["offered"] / lo["offered"] < 1.15:
                    break
                rate = int((lo["offered"] * hi["offered"]) ** 0.5)
            r = self.measure(cls, hosts, rate)
            runs.append(r)
            if r["drop"] < MAX_DROP:
                lo = r if lo is None or r["offered"] > lo["offered"] else lo
                if hi is None:
                    if rate >= CEILING_RATE:
                        break
                    rate *= 4
            else:
                hi = r if hi is None or r["offered"] < hi["offered"] else hi
                if lo is None:
                    if rate <= 5:
                        break
                    rate = max(5, rate // 4)
        best = lo or {"offered": 0, "rate": 0.0, "drop": 100.0, "cpu": 0.0,
                      "client_cpu": 0.0, "rss": max(r.get("rss", 0) for r in runs)}
        return {"max": best, "overload": over, "runs": len(runs),
                "rss": max(r.get("rss", 0) for r in runs),
                "ready_s": statistics.median(r["ready_s"] for r in runs)}

    def ceiling(self):
        """perfdhcp's own ceiling on its core: offered far more than any
        server completes, against Kea, what it manages to send."""
        srv = Kea(self)
        try:
            srv.start()
            r = self.perfdhcp(CEILING_RATE, self.duration, srv)
        finally:
            srv.stop()
        return r

    def check_time(self, hosts):
        """`pxeforge check` with HOSTS fixed hosts: wall time and peak RSS
        (/usr/bin/time -v)."""
        d = tempfile.mkdtemp(prefix="pxfb-check-", dir=self.tmp)
        etc = os.path.join(d, "etc")
        plugins = os.path.join(d, "plugins")
        os.makedirs(os.path.join(etc, "conf.d"))
        os.makedirs(plugins)
        shutil.copy(pxftest.plugin_so(self.build, "dhcp"), os.path.join(plugins, "dhcp.so"))
        write_pxeforge_config(etc, "lo", hosts)
        env = dict(os.environ, PXEFORGE_TEST="1", PXEFORGE_PLUGIN_DIR=plugins)
        p = subprocess.run(["/usr/bin/time", "-v", os.path.join(self.build, "core", "pxeforge"),
                            "--config", etc, "check"], capture_output=True, text=True,
                           env=env, timeout=120)
        if p.returncode != 0:
            raise BenchError("pxeforge check failed:\n" + p.stdout + p.stderr[-2000:])
        m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)",
                      p.stderr)
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
        secs = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        return {"hosts": hosts, "seconds": secs, "rss": int(rss.group(1))}

    def one_round(self):
        res = {"servers": {}, "hosts": {}, "kea_hosts": {}}
        log("== perfdhcp's ceiling (offered %d/s against Kea)" % CEILING_RATE)
        res["ceiling"] = self.ceiling()
        for name in self.args.servers:
            log("== %s" % name)
            res["servers"][name] = self.max_rate(SERVER_CLASSES[name])
        for n in self.args.hosts:
            if n == 0 and "pxeforge" in res["servers"]:
                res["hosts"][0] = res["servers"]["pxeforge"]
                continue
            log("== pxeforge with %d fixed hosts" % n)
            res["hosts"][n] = self.max_rate(Pxeforge, n)
        if self.args.kea_hosts and self.args.hosts and max(self.args.hosts) > 0:
            n = max(self.args.hosts)
            log("== kea with %d reservations" % n)
            res["kea_hosts"][n] = self.max_rate(Kea, n)
        if max(self.args.hosts or [0]) > 0:
            res["check"] = [self.check_time(0), self.check_time(max(self.args.hosts))]
        return res


def fmt_rate(v):
    return "%.0f" % v


def client_bound(r, ceiling):
    """perfdhcp near 100 % CPU in that run, or the run's 4 packets per DORA
    near the packets per second perfdhcp handled at its ceiling."""
    return r["client_cpu"] >= 90 or 4 * r["rate"] >= 0.9 * ceiling["packet_rate"]


def table(res, median_of=None):
    """The table: one round's figures (with the ratio to Kea in that round),
    or (median_of: all rounds) the median of each figure."""
    rounds = median_of or [res]

    def med(fn):
        return statistics.median(fn(r) for r in rounds)

    lines = []
    ceil = {k: med(lambda r: r["ceiling"][k])
            for k in ("rate", "sent_rate", "packet_rate", "client_cpu")}
    names = list(rounds[0]["servers"])
    head = ("| server | max DORA/s < %.1f %% drops | perfdhcp CPU at max | achieved DORA/s "
            "offered %d/s | server CPU %% at max | server CPU %% offered %d/s | peak RSS MiB |"
            % (MAX_DROP, OVERLOAD, OVERLOAD))
    if median_of is None:
        head += " max vs Kea | overload vs Kea |"
    lines.append(head)
    lines.append("|" + "---|" * (head.count("|") - 1))
    for n in names:
        mx = med(lambda r: r["servers"][n]["max"]["rate"])
        row = "| %s | %s%s | %.0f %% | %s | %.0f %% | %.0f %% | %.1f |" % (
            n, fmt_rate(mx),
            " (client-bound)" if client_bound({"rate": mx, "client_cpu": med(
                lambda r: r["servers"][n]["max"]["client_cpu"])}, ceil) else "",
            med(lambda r: r["servers"][n]["max"]["client_cpu"]),
            fmt_rate(med(lambda r: r["servers"][n]["overload"]["rate"])),
            med(lambda r: r["servers"][n]["max"].get("cpu", 0)),
            med(lambda r: r["servers"][n]["overload"].get("cpu", 0)),
            med(lambda r: r["servers"][n]["rss"]) / 1024)
        if median_of is None:
            kea = res["servers"].get("kea")
            s = res["servers"][n]
            if kea and kea["max"]["rate"] and kea["overload"]["rate"]:
                row += " %.3g | %.3g |" % (s["max"]["rate"] / kea["max"]["rate"],
                                          s["overload"]["rate"] / kea["overload"]["rate"])
            else:
                row += " - | - |"
        lines.append(row)
    lines.append("")
    lines.append("perfdhcp's ceiling (offered %d/s against Kea): %s DISCOVERs sent/s, %s packets "
                 "sent+received/s (%s DORA/s at 4 packets each), %s DORA/s completed, perfdhcp "
                 "CPU %.0f %%%s" % (
                     CEILING_RATE, fmt_rate(ceil["sent_rate"]), fmt_rate(ceil["packet_rate"]),
                     fmt_rate(ceil["packet_rate"] / 4), fmt_rate(ceil["rate"]),
                     ceil["client_cpu"],
                     "" if ceil["client_cpu"] >= 90 else
                     " (perfdhcp below 90 % CPU: its core is shared or Kea was the limit, so "
                     "this is a lower bound of its ceiling)"))
    hosts = sorted(rounds[0]["hosts"])
    if hosts:
        lines.append("")
        lines.append("| fixed hosts | pxeforge max DORA/s | vs none | pxeforged start to READY s |"
                     " Kea max DORA/s (reservations) |")
        lines.append("|---|---|---|---|---|")
        base = med(lambda r: r["hosts"][hosts[0]]["max"]["rate"]) if hosts[0] == 0 else None
        for n in hosts:
            v = med(lambda r: r["hosts"][n]["max"]["rate"])
            kea = "-"
            if n == 0 and "kea" in rounds[0]["servers"]:
                kea = fmt_rate(med(lambda r: r["servers"]["kea"]["max"]["rate"]))
            elif n in rounds[0]["kea_hosts"]:
                kea = fmt_rate(med(lambda r: r["kea_hosts"][n]["max"]["rate"]))
            lines.append("| %d | %s | %s | %.2f | %s |" % (
                n, fmt_rate(v), "%.2f" % (v / base) if base else "-",
                med(lambda r: r["hosts"][n]["ready_s"]), kea))
    if "check" in rounds[0]:
        n = rounds[0]["check"][1]["hosts"]
        c0 = {k: med(lambda r: r["check"][0][k]) for k in ("seconds", "rss")}
        c1 = {k: med(lambda r: r["check"][1][k]) for k in ("seconds", "rss")}
        lines.append("")
        lines.append("`pxeforge check` (/usr/bin/time -v): no hosts %.2f s, %.1f MiB peak RSS; "
                     "%d hosts %.2f s, %.1f MiB, i.e. %.2f KiB per host" % (
                         c0["seconds"], c0["rss"] / 1024, n, c1["seconds"], c1["rss"] / 1024,
                         (c1["rss"] - c0["rss"]) / n))
    return "\n".join(lines)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(SRC, "build"),
                    help="meson build directory holding core/pxeforged (default: build)")
    ap.add_argument("--servers", default=",".join(SERVERS),
                    help="comma-separated, of kea,dnsmasq,pxeforge")
    ap.add_argument("--hosts", default="0,1000,10000,30000",
                    help="fixed-host counts for pxeforge's inventory scenario ('' for none)")
    ap.add_argument("--no-kea-hosts", dest="kea_hosts", action="store_false",
                    help="skip Kea with the largest number of reservations")
    ap.add_argument("--quick", action="store_true", help="3 s runs, 90 s budget per search")
    ap.add_argument("--repeat", type=int, default=1, help="rounds; the last table is the median")
    ap.add_argument("--json", help="write every round's figures here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--table", metavar="JSON",
                    help="measure nothing: print the tables of a --json file again")
    args = ap.parse_args(argv)
    args.servers = [s for s in args.servers.split(",") if s]
    for s in args.servers:
        if s not in SERVER_CLASSES:
            ap.error("unknown server %r" % s)
    args.hosts = [int(h) for h in args.hosts.split(",") if h.strip()]
    if any(h < 0 or h > 30000 for h in args.hosts):
        ap.error("--hosts: 0 to 30000 each (fixed addresses below the pool)")
    if not 1 <= args.repeat <= 10:
        ap.error("--repeat: 1 to 10")
    return args


def preflight(args):
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    for tool in ("perfdhcp", "kea-dhcp4", "dnsmasq", "taskset", "ip", "ss"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            return "%s not found: scripts/dev bench installs it" % tool
    if not os.path.exists("/usr/bin/time"):
        return "/usr/bin/time not found (Debian package time)"
    for f in (os.path.join(args.build, "core", "pxeforged"),
              pxftest.plugin_so(args.build, "dhcp")):
        if not os.path.exists(f):
            return "%s not built (ninja -C %s)" % (f, args.build)
    if os.cpu_count() < 2:
        return "needs two CPUs (server on CPU 0, perfdhcp on CPU 1)"
    return None


def print_tables(rounds):
    for i, res in enumerate(rounds):
        print("\nRound %d (ratios to Kea from this round):\n" % (i + 1))
        print(table(res), flush=True)
    if len(rounds) > 1:
        print("\nMedian of %d rounds:\n" % len(rounds))
        print(table(None, median_of=rounds))


def main(argv):
    args = parse_args(argv)
    if args.table:
        with open(args.table) as f:
            rounds = json.load(f)
        for res in rounds:  # JSON keys are strings
            for k in ("hosts", "kea_hosts"):
                res[k] = {int(n): v for n, v in res[k].items()}
        print_tables(rounds)
        return 0
    why = preflight(args)
    if why:
        log("bench/dhcp/run.py: " + why)
        return 2
    bench = Bench(args)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    rounds = []
    try:
        bench.setup()
        for i in range(args.repeat):
            log("=== round %d of %d" % (i + 1, args.repeat))
            res = bench.one_round()
            rounds.append(res)
            print_tables([res])
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        return 130
    except (BenchError, pxftest.Fail) as e:
        log("bench/dhcp/run.py: %s" % e)
        return 1
    finally:
        bench.cleanup()
        if args.json and rounds:
            with open(args.json, "w") as f:
                json.dump(rounds, f, indent=1, default=str)
    if len(rounds) > 1:
        print("\nMedian of %d rounds:\n" % len(rounds))
        print(table(None, median_of=rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
