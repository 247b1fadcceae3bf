#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end: QEMU's iPXE ROM loads the stand-in installer's initrd over
PXE multicast TFTP (an mtftp:// URL) from the mtftp plugin of a real
pxeforged, two guests one after the other.

pxeforged runs in a lab namespace (pxflab.py) with the dhcp, mtftp and tftp
plugins of the build and mtftptest (plugins/mtftp/tests/mtftptest.c), whose
boot.select gives iPXE its script's URL. Each guest:

  iPXE ROM -> DHCP -> boot.ipxe and the kernel over HTTP (a stand-in
  server) -> initrd.img over mtftp:// (server port 1759, group
  239.255.1.1:3001: iPXE's defaults) -> stand-in installer -> DHCP ->
  kickstart -> done report.

Only the initrd goes over MTFTP: iPXE always listens to 239.255.1.1:3001, and
one channel carries one file at a time. Plain MTFTP is also slow under TCG:
lock-step 512-byte blocks, about 50 KB/s for the 8 MB kernel.

The second guest powers on once the first has its initrd, so each is the
master client of a stream of its own and the second stream reuses the
channel the first one freed. Clients sharing one stream, late joiners
catching up, are tested with atftp (plugins/mtftp/tests/mtftp-netns.py):
iPXE (Debian's 2019 ROM) that starts listening in the middle of another
guest's stream loses its requests, falls back to plain TFTP on port 69, and
was once seen (1 run in about 10 on this machine) booting its kernel
without the initrd after that fallback, while the TFTP transfer had only
begun — a client-side failure no server answer can prevent, so the test
does not depend on it. The tftp plugin runs too, as it would in a real
deployment.

Checks: both guests reach the installer and report done; the daemon logged
a file-served event with the guest's MAC and the initrd's size for both;
the initrd went out by PXE MTFTP to iPXE's group, to each guest, and never by
the TFTP fallback.

usage: test_mtftp.py --build BUILD [--keep]
exit: 0 pass, 1 fail, 77 skipped (no root, QEMU, plugins or installer)
"""
import argparse
import http.server
import os
import re
import shutil
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mkinitrd  # noqa: E402
import pxflab  # noqa: E402

TIMEOUT = 300
HTTP_PORT = 8080
SERVER = pxflab.SERVER_IP
BASE = "http://%s:%d" % (SERVER, HTTP_PORT)
MACS = ("52:54:00:99:00:31", "52:54:00:99:00:32")
FAIL = (r"PXF-INSTALLER: failed|Kernel panic|No configuration methods succeeded|"
        r"Could not boot image|Boot failed|No bootable device|Connection timed out")

reports = []
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    """The installer's other half: a kickstart naming its done URL, and the
    report."""

    def reply(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/boot.ipxe":
            return self.reply(200, SCRIPT % {"server": SERVER, "base": BASE})
        if self.path == "/vmlinuz":
            with open(self.server.kernel, "rb") as f:
                data = f.read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        m = re.fullmatch(r"/ks/([0-9a-f:]{17})", self.path)
        if not m:
            return self.reply(404, "not found\n")
        self.reply(200, "# pxeforge-done: %s/done/%s\n" % (BASE, m.group(1)))

    def do_POST(self):
        m = re.fullmatch(r"/done/([0-9a-f:]{17})", self.path)
        if not m:
            return self.reply(404, "not found\n")
        with lock:
            reports.append(m.group(1))
        self.reply(200, "ok\n")


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok - " + what)


def paths(build):
    p = {"pxeforged": os.path.join(build, "core", "pxeforged"),
         "dhcp": os.path.join(build, "plugins", "dhcp", "dhcp.so"),
         "mtftp": os.path.join(build, "plugins", "mtftp", "mtftp.so"),
         "tftp": os.path.join(build, "plugins", "tftp", "tftp.so"),
         "mtftptest": os.path.join(build, "plugins", "mtftp", "tests", "mtftptest.so")}
    missing = [v for v in p.values() if not os.path.exists(v)]
    if missing:
        raise pxflab.Skip("not built: " + " ".join(missing))
    return p


CONFIG = """\
daemon:
  debug: true
plugins:
  dhcp:
    interfaces: [br0]
    subnets:
      - subnet: 10.99.0.0/24
        range: [10.99.0.100, 10.99.0.199]
        routers: [10.99.0.1]
  mtftptest:
    ipxe_boot_file: %(base)s/boot.ipxe
  mtftp:
    interfaces: [br0]
    root: %(root)s
  tftp:
    interfaces: [br0]
    root: %(root)s
"""

# iPXE's ${net0/mac} in a kernel argument is the MAC with colons
SCRIPT = """#!ipxe
kernel %(base)s/vmlinuz console=ttyS0 panic=-1 ks=%(base)s/ks/${net0/mac}
echo PXF-TEST: initrd over mtftp://
initrd mtftp://%(server)s/initrd.img
boot
"""


def test(build, keep):
    reason = pxflab.skip_reason()
    if reason:
        raise pxflab.Skip(reason)
    p = paths(build)
    try:
        inst = mkinitrd.build(os.environ.get("PXF_E2E_CACHE"))
    except mkinitrd.Unavailable as e:
        raise pxflab.Skip(str(e))

    with pxflab.Lab(keep=keep or None) as lab:
        root = lab.path("mtftp")
        os.makedirs(root)
        shutil.copy(inst.initrd, os.path.join(root, "initrd.img"))
        etc = lab.path("etc")
        os.makedirs(etc)
        with open(os.path.join(etc, "pxeforge.yaml"), "w") as f:
            f.write(CONFIG % {"base": BASE, "root": root})
        plugins = lab.path("plugins")
        os.makedirs(plugins)
        for name in ("dhcp", "mtftp", "tftp", "mtftptest"):
            shutil.copy(p[name], os.path.join(plugins, name + ".so"))
            os.chmod(os.path.join(plugins, name + ".so"), 0o755)
        env = dict(os.environ, PXEFORGE_TEST="1", PXEFORGE_PLUGIN_DIR=plugins)
        env.pop("NOTIFY_SOCKET", None)
        srv = lab.http_server(HTTP_PORT, Handler)
        srv.kernel = inst.kernel
        d = lab.run("pxeforged", [p["pxeforged"], "--config", etc, "--state-dir",
                                  lab.path("state"), "--control-socket",
                                  lab.path("control.sock"), "--user", ""], env=env)
        d.wait_for(r"pxf-mtftp: serving .* port 1759", 30)
        d.wait_for(r"ready: 4 plugins", 30)
        check(True, "pxeforged serves DHCP and MTFTP on br0")

        t0 = time.monotonic()
        guests = []
        for i, mac in enumerate(MACS):
            g = lab.guest("mtftp%d" % (i + 1), mac=mac, boot="n")
            guests.append(g)
            m = g.wait_for(r"PXF-TEST: initrd over mtftp://", TIMEOUT, fail=FAIL)
            g.wait_for(r"PXF-INSTALLER: started", TIMEOUT, after=m.end(), fail=FAIL)
        print("# power-on to both installers started: %.1f s" % (time.monotonic() - t0))
        check(True, "both guests loaded the initrd over mtftp:// and started the installer")
        for g in guests:
            g.wait_for(r"PXF-INSTALLER: done 200", TIMEOUT, fail=FAIL)
        check(sorted(reports) == sorted(MACS), "both installers reported done: %s" % reports)

        log = d.text()
        size = os.path.getsize(inst.initrd)
        for mac in MACS:
            m = re.search(r"host %s: served initrd\.img \((\d+) bytes\)" % mac, log)
            check(m is not None and int(m.group(1)) == size,
                  "%s: file-served event for initrd.img, %d bytes" % (mac, size))
        sent = re.findall(r"client (\S+?):\d+: sent initrd\.img, \d+ bytes by PXE MTFTP to "
                          r"239\.255\.1\.1:3001", log)
        fallback = re.findall(r"pxf-tftp: client (\S+?):\d+: sent initrd\.img", log)
        print("# initrd by PXE MTFTP to %s, by TFTP (iPXE's fallback) to %s"
              % (sent or "nobody", fallback or "nobody"))
        check(len(set(sent)) == 2 and not fallback,
              "sent by PXE MTFTP to iPXE's default group, to each guest: %s" % sent)
        ended = re.findall(r"stream of (\S+) to \S+ ended: (\d+) clients served, (\d+) packets",
                           log)
        print("# streams: %s" % ", ".join("%s %s clients %s packets" % e for e in ended))
        check(not re.search(r"warning: pxf-mtftp", log), "no warning from the plugin")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    return pxflab.main(lambda: test(os.path.abspath(args.build), args.keep))


if __name__ == "__main__":
    sys.exit(main())
