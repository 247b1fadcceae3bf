#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The end-to-end acceptance test: a real pxeforged (the demo's set-up,
demo.py) and three QEMU guests powered on together in one boot lab:

- node1 and node2 are in the inventory without fixed addresses: both get a
  lease from the dhcp pool and install at the same time (PXE -> pxelinux ->
  kernel + installer -> kickstart -> done), then reboot: pxeforged serves a
  LOCALBOOT configuration and each boots its own disk (its marker appears on
  the console after the done report);
- stranger is not in the inventory: it gets pxelinux.cfg/default, the menu
  whose DEFAULT is local after the timeout, and boots its disk; it never gets
  a kickstart;
- while a guest downloads its kernel over TFTP (seen in `pxeforge status`,
  polled every 0.2 s), the configuration changes and pxeforged gets SIGHUP:
  the reload happens during the transfer, the transfer completes whole and
  the install goes on;
- `pxeforge explain --mac` names pxelinux as the plugin deciding boot.select
  and shows the menu for the stranger; `pxeforge status` lists the guests
  with their states.

usage: test_acceptance.py --build BUILD [--keep]
exit: 0 pass, 1 fail, 77 skipped (not root, QEMU or a plugin missing)
"""
import argparse
import ipaddress
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import demo  # noqa: E402
import mkdisk  # noqa: E402
import pxflab  # noqa: E402

TIMEOUT = 420  # all three guests to the end: ~1 min here under TCG
KNOWN = [("node1", "52:54:00:99:00:01"), ("node2", "52:54:00:99:00:02")]
STRANGER = ("stranger", "52:54:00:99:00:99")
STATUS_POLL = 0.2
_DOWNLOAD = re.compile(r"^(\S+) .*downloading (boot/\S+/vmlinuz): (\d+) of (\d+) bytes", re.M)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


class Hup:
    """Watches `pxeforge status` every 0.2 s; the first time a guest is
    part-way through its kernel download, rewrites the configuration (a new
    global variable: every plugin keeps running) and sends SIGHUP."""

    def __init__(self, d):
        self.d = d
        self.sent = None  # (mac, path, bytes, size, log offset at the time)
        self.next = 0.0

    def tick(self):
        if self.sent is not None or time.monotonic() < self.next:
            return
        self.next = time.monotonic() + STATUS_POLL
        p = self.d.cli("status", check=False)
        for m in _DOWNLOAD.finditer(p.stdout):
            mac, path, done, size = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
            # well before its end, so that the reload surely lands inside it
            if size > 0 and done < size * 0.6:
                self.d.configure(KNOWN, variables={"reloaded": "after-sighup"})
                self.d.daemon.signal(signal.SIGHUP)
                self.sent = (mac, path, done, size)
                self.d.say("test: %s at %d of %d bytes of %s: SIGHUP to pxeforged"
                           % (self.d.who(mac), done, size, path))
                return


def verify_known(d, name, mac):
    g = next(g for g in d.guests if g.name == name)
    leases = d.find("lease", mac)
    check(leases, "%s: no DHCP lease" % name)
    lo, hi = (ipaddress.ip_address(a) for a in demo.POOL)
    for ev in leases:
        check(lo <= ipaddress.ip_address(ev.args[0]) <= hi,
              "%s: address %s is not from the pool" % (name, ev.args[0]))
    config = d.find("served", mac, match=r"^pxelinux\.cfg/01-")
    check(config, "%s: its pxelinux configuration was never served" % name)
    check(d.find("kickstart", mac), "%s: no kickstart served" % name)
    done = d.find("done", mac)
    check(len(done) == 1, "%s: %d done reports" % (name, len(done)))
    # the reboot after done: a LOCALBOOT configuration, then the disk
    local = d.find("served", mac, after=done[0].pos, match=r"^pxelinux\.cfg/01-")
    check(local, "%s: no pxelinux configuration served after the done report" % name)
    check(d.find("loader", mac, after=done[0].pos, match=r"^local boot, installed$"),
          "%s: pxeforged did not serve the LOCALBOOT configuration after done" % name)
    check(g.seen["local disk"][1] > g.seen["done"][1],
          "%s: disk marker before the done report" % name)
    check(d.host_state(mac) == "installed", "%s: not installed" % name)
    return config[0], done[0]


def verify_stranger(d):
    name, mac = STRANGER
    g = next(g for g in d.guests if g.name == name)
    check(d.find("lease", mac), "stranger: no DHCP lease")
    check(d.find("served", mac, match=r"^pxelinux\.cfg/default$"),
          "stranger: pxeforged did not serve it pxelinux.cfg/default")
    check(not d.find("served", mac, match=r"^pxelinux\.cfg/01-"),
          "stranger: got a per-host configuration")
    check(not d.find("kickstart", mac), "stranger: got a kickstart")
    check(mkdisk.marker(name) in g.text(), "stranger: no disk marker")
    p = d.cli("explain", "--mac", mac)
    check(re.search(r"^\s*\| DEFAULT local$", p.stdout, re.M)
          and re.search(r"^\s*\| TIMEOUT 30$", p.stdout, re.M)
          and re.search(r"LOCALBOOT 0", p.stdout),
          "explain --mac %s: no menu with DEFAULT local after TIMEOUT 30:\n%s" % (mac, p.stdout))


def verify_hup(d, hup):
    check(hup.sent is not None, "never saw a kernel download part-way in `pxeforge status`")
    mac, path, _, size = hup.sent
    reload_ = [e for e in d.events if e.kind == "reload" and e.args[0].startswith("SIGHUP")]
    check(len(reload_) == 1, "%d SIGHUP reloads in the log" % len(reload_))
    served = d.find("served", mac, match="^%s$" % re.escape(path))
    check(served, "%s: %s never served after the SIGHUP" % (mac, path))
    started = d.find("served", mac, match=r"^pxelinux\.cfg/01-")[0]
    # the log's order is the daemon's order: config, reload, kernel done
    check(started.pos < reload_[0].pos < served[0].pos,
          "the reload is not between the start and the end of the download")
    check(int(served[0].args[1]) == size and size == os.path.getsize(d.installer.kernel),
          "kernel served with %s bytes, expected %d" % (served[0].args[1], size))
    text = d.daemon.text()
    check(re.search(r"reloaded: 5 plugins, 2 hosts", text), "no 'reloaded' line")
    check(not re.search(r"stopping plugin|transfer of \S+ failed", text),
          "a plugin stopped or a transfer failed across the reload")


def verify_cli(d):
    for name, mac in KNOWN:
        p = d.cli("explain", "--mac", mac)
        check(re.search(r"^boot\.select\S*\s+\[pxelinux\]", p.stdout, re.M),
              "explain --mac %s: boot.select not decided by pxelinux:\n%s" % (mac, p.stdout))
    p = d.cli("status")
    d.out.write(p.stdout)
    for name, mac in KNOWN:
        check(re.search(r"^%s\s+%s\s+installed\s+10\.99\.0\.\d+" % (mac, name), p.stdout, re.M),
              "status: %s not listed as installed" % name)
    check(re.search(r"^%s\s+\(unknown\)\s+\S+\s+10\.99\.0\.\d+" % STRANGER[1], p.stdout, re.M),
          "status: the stranger is not listed")


def test(args):
    paths = demo.paths_from_build(args.build, cache=os.environ.get("PXF_E2E_CACHE"))
    installer = demo.check_available(paths)
    with pxflab.Lab(keep=args.keep or None) as lab:
        d = demo.Demo(lab, paths, installer)
        d.configure(KNOWN, "tftp")
        d.start()
        for name, mac in KNOWN + [STRANGER]:
            d.power_on(name, mac)
        hup = Hup(d)
        d.wait_all(TIMEOUT, tick=hup.tick)
        d.pump()
        check(not d.find("warning"), "pxeforged warnings: %s"
              % "; ".join(e.args[0] for e in d.find("warning")))

        starts, dones = [], []
        addresses = set()
        for name, mac in KNOWN:
            config, done = verify_known(d, name, mac)
            starts.append(config.pos)
            dones.append(done.pos)
            addresses.add(d.find("lease", mac)[0].args[0])
        check(len(addresses) == 2, "both known guests got the same address")
        # at the same time: each was served its configuration before the
        # other reported done
        check(max(starts) < min(dones), "the two installs did not overlap")
        verify_stranger(d)
        verify_hup(d, hup)
        verify_cli(d)
        d.say("all checks passed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True, help="meson build directory")
    ap.add_argument("--keep", action="store_true", help="keep the lab's work directory")
    args = ap.parse_args()
    return pxflab.main(lambda: test(args))


if __name__ == "__main__":
    sys.exit(main())
