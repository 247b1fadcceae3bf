#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Self-test of the boot lab, no pxeforge involved:

- the namespace, br0 (10.99.0.1/24, up), lo, the multicast route and the
  guest's tap on br0 exist inside the namespace and nowhere else;
- a guest booting only from an mkdisk image prints its marker on the serial
  log; a guest with network first (no DHCP server) falls back to its disk;
- a process run in the lab sees the namespace's links, not the host's;
  in_netns() sockets and http_server() work inside it;
- close() kills exactly what the lab started and deletes the namespace, and
  the host's links and routes are as before; SIGTERM to a lab process does
  the same; after a SIGKILL the children die with it (pdeathsig) and the
  next Lab sweeps the namespace left behind.

Exit 0 pass, 1 fail, 77 skip (not root, no qemu).
usage: test_lab.py
"""
import http.server
import json
import shutil
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkdisk  # noqa: E402
import pxflab  # noqa: E402

BOOT_TIMEOUT = 180


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok - " + what)


def host_links():
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    return {line.split(":")[1].strip().split("@")[0] for line in out.splitlines()}


def host_routes():
    out = subprocess.run(["ip", "route", "show", "table", "all"], capture_output=True,
                         text=True, check=True, timeout=30).stdout
    return set(out.splitlines())


def netns_names():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    return {line.split()[0] for line in out.splitlines() if line.split()}


def alive(pid):
    return pxflab._pid_alive(pid)


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from the lab\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def child(mode, state):
    """Runs in a child process: a lab with a sleeping process, then waits
    to be killed by the parent with SIGTERM or SIGKILL."""
    lab = pxflab.Lab()
    p = lab.run("sleeper", ["sleep", "600"])
    with open(state + ".tmp", "w") as f:
        json.dump({"ns": lab.ns, "pid": p.pid, "dir": lab.dir}, f)
    os.rename(state + ".tmp", state)
    time.sleep(120)  # the parent kills us long before
    return 3


def run_child(mode):
    """Starts child(mode), kills it with mode's signal; returns its state
    and exit status."""
    with tempfile.TemporaryDirectory(prefix="pxf-lab-test-") as tmp:
        state = os.path.join(tmp, "state.json")
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", mode, state])
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(state) and time.monotonic() < deadline and p.poll() is None:
                time.sleep(0.05)
            check(os.path.exists(state), "child lab (%s) came up" % mode)
            with open(state) as f:
                st = json.load(f)
            check(st["ns"] in netns_names() and alive(st["pid"]),
                  "child's namespace %s and process %d exist" % (st["ns"], st["pid"]))
            p.send_signal(15 if mode == "term" else 9)
            status = p.wait(10)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
    # the child's sleeper is not our child: poll for its death
    deadline = time.monotonic() + 5
    while alive(st["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return st, status


def test_setup_and_disk_boot():
    links0, routes0 = host_links(), host_routes()
    t0 = time.monotonic()
    lab = pxflab.Lab()
    try:
        ns = lab.ns
        check(ns.startswith("pxf-lab-%d" % os.getpid()) and ns in netns_names(),
              "namespace %s created" % ns)
        addr = lab.ip("-o", "-4", "addr", "show", "dev", "br0").stdout
        check("10.99.0.1/24" in addr, "br0 has 10.99.0.1/24")
        check("UP" in lab.ip("link", "show", "br0").stdout.split(">")[0], "br0 is up")
        check("UP" in lab.ip("link", "show", "lo").stdout.split(">")[0], "lo is up")
        check("224.0.0.0/4 dev br0" in lab.ip("route").stdout, "multicast route on br0")

        # guest 1: disk only; guest 2: network first, no DHCP server here,
        # so iPXE gives up and the BIOS boots the disk
        d1 = mkdisk.write(lab.path("one.img"), "one")
        d2 = mkdisk.write(lab.path("two.img"), "two")
        t1 = time.monotonic()
        g1 = lab.guest("one", disk=d1, boot="c")
        g2 = lab.guest("two", disk=d2, boot="nc")
        check(g1.tap == "tap0" and g2.tap == "tap1", "guests got tap0 and tap1")
        for tap in ("tap0", "tap1"):
            check("master br0" in lab.ip("link", "show", tap).stdout, tap + " is on br0")
        check(not ({"br0", "tap0", "tap1"} & (host_links() - links0)),
              "no bridge or tap appeared on the host")
        inside = lab.exec(["ip", "-o", "link"]).stdout
        names = {line.split(":")[1].strip() for line in inside.splitlines()}
        check(names == {"lo", "br0", "tap0", "tap1"},
              "a process in the lab sees lo, br0, tap0, tap1 only (%s)" % sorted(names))

        g1.wait_for(mkdisk.marker("one"), BOOT_TIMEOUT)
        print("# disk-only boot to marker: %.1f s" % (time.monotonic() - t1))
        check(True, "guest 'one' booted its disk: " + mkdisk.marker("one"))
        m = g2.wait_for(r"iPXE initialising devices", BOOT_TIMEOUT)
        check(True, "guest 'two' ran the e1000 iPXE ROM")
        g2.wait_for(r"Configuring \(net0 52:54:00:99:00:02\)", 60, after=m.end())
        g2.wait_for(mkdisk.marker("two"), BOOT_TIMEOUT, after=m.end())
        print("# network-then-disk boot to marker: %.1f s" % (time.monotonic() - t1))
        check(True, "guest 'two' fell back from network to disk: " + mkdisk.marker("two"))
        check(mkdisk.marker("one") not in g2.text(), "each guest has its own serial log")

        # servers and clients inside the namespace
        srv = lab.http_server(8080, Hello)
        body = lab.in_netns(lambda: urllib.request.urlopen(
            "http://10.99.0.1:8080/x", timeout=10).read())
        check(body == b"hello from the lab\n", "http_server answers inside the namespace")
        check(srv.server_address[0] == "10.99.0.1", "http_server bound to 10.99.0.1")
        # binding sends nothing: the address exists only in the namespace
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("10.99.0.1", 0))
            bound = True
        except OSError:
            bound = False
        finally:
            s.close()
        check(not bound, "10.99.0.1 does not exist on the host")
        sleeper = lab.run("sleeper", ["sleep", "600"])
        pids = [g1.pid, g2.pid, sleeper.pid]
        check(all(alive(p) for p in pids), "guests and sleeper are running")
        lab_dir = lab.dir
    finally:
        lab.close()
    check(ns not in netns_names(), "close() deleted the namespace")
    check(not any(alive(p) for p in pids), "close() stopped every process it started")
    check(not os.path.exists(lab_dir), "close() removed the work directory")
    check(links0 - host_links() == set() and not (host_links() - links0) & {"br0", "tap0"},
          "host links unchanged")
    check(routes0 <= host_routes() and not any("10.99.0." in r for r in host_routes()),
          "host routes unchanged, none to 10.99.0.0/24")
    print("# set-up, two guests and clean-up: %.1f s" % (time.monotonic() - t0))


def test_signals():
    st, status = run_child("term")
    check(status == 128 + 15, "SIGTERM: lab process exited 143 (got %s)" % status)
    check(st["ns"] not in netns_names(), "SIGTERM: namespace deleted")
    check(not alive(st["pid"]), "SIGTERM: the lab's process was killed")
    check(not os.path.exists(st["dir"]), "SIGTERM: work directory removed")

    st, status = run_child("kill")
    check(status == -9, "SIGKILL: lab process died (got %s)" % status)
    check(not alive(st["pid"]), "SIGKILL: the lab's process died with it (pdeathsig)")
    check(st["ns"] in netns_names(), "SIGKILL: namespace left behind, as expected")
    swept = pxflab.sweep_stale()
    check(st["ns"] in swept and st["ns"] not in netns_names(),
          "the next lab sweeps the stale namespace %s" % st["ns"])
    shutil.rmtree(st["dir"], ignore_errors=True)


def test():
    reason = pxflab.skip_reason()
    if reason:
        raise pxflab.Skip(reason)
    test_setup_and_disk_boot()
    test_signals()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2], sys.argv[3]))
    sys.exit(pxflab.main(test))
