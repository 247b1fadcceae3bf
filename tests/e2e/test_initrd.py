#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Self-test of the stand-in installer initrd (mkinitrd.py), no pxeforge:
in a lab namespace, busybox udhcpd on br0 hands out addresses and a small
Python HTTP server on 10.99.0.1:8080 serves fake kickstarts and records the
done reports. Three guests boot the Debian kernel and the initrd directly
(-kernel/-initrd, no PXE), in parallel:

  a  ks=URL, a kickstart whose %post curl line has the done URL -> the POST
     arrives with its token, "PXF-INSTALLER: done 200", the guest powers off;
  b  inst.ks=URL, a "# pxeforge-done: URL" line wins over a curl line with
     another token -> the server sees the comment's token;
  c  a kickstart without any done URL -> "PXF-INSTALLER: failed no done URL".

Exit 0 pass, 1 fail, 77 skip.
usage: test_initrd.py
"""
import http.server
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkinitrd  # noqa: E402
import pxflab  # noqa: E402

TIMEOUT = 180  # per guest, from QEMU start to its last line (measured ~20 s alone)
PORT = 8080
TOKENS = {"52:54:00:99:00:01": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
          "52:54:00:99:00:02": "feedfacecafebeef0011223344556677"}

KS_CURL = """\
# kickstart for {mac}
text
url --url=http://10.99.0.1:{port}/distros/demo
%post --nochroot
curl -fsS -X POST "http://10.99.0.1:{port}/api/v1/hosts/{mac}/done?token={token}"
%end
"""

KS_COMMENT = """\
# kickstart for {mac}
# pxeforge-done: http://10.99.0.1:{port}/api/v1/hosts/{mac}/done?token={token}
%post
curl -fsS -X POST 'http://10.99.0.1:{port}/api/v1/hosts/{mac}/done?token=wrongtoken'
%end
"""

KS_NONE = "# kickstart without a report URL\ntext\nreboot\n"

reports = []  # (mac, token, method, content-length)
reports_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, code, body, ctype="text/plain"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        m = re.fullmatch(r"/ks/(curl|comment|none)/([0-9a-f:]{17})", self.path)
        if not m:
            return self.reply(404, "not found\n")
        mac = m.group(2)
        text = {"curl": KS_CURL, "comment": KS_COMMENT, "none": KS_NONE}[m.group(1)]
        self.reply(200, text.format(mac=mac, port=PORT, token=TOKENS.get(mac, "")))

    def do_POST(self):
        m = re.fullmatch(r"/api/v1/hosts/([0-9a-f:]{17})/done\?token=([0-9a-z]+)", self.path)
        if not m:
            return self.reply(404, "not found\n")
        with reports_lock:
            reports.append((m.group(1), m.group(2), self.command,
                            self.headers.get("Content-Length")))
        if TOKENS.get(m.group(1)) != m.group(2):
            return self.reply(403, '{"error":"bad token"}\n', "application/json")
        self.reply(200, '{"state":"installed"}\n', "application/json")


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok - " + what)


def test():
    reason = pxflab.skip_reason()
    if reason:
        raise pxflab.Skip(reason)
    t0 = time.monotonic()
    try:
        inst = mkinitrd.build()
    except mkinitrd.Unavailable as e:
        raise pxflab.Skip(str(e))
    print("# initrd %s (%d bytes), kernel %s: %.1f s"
          % (inst.initrd, os.path.getsize(inst.initrd), inst.kver, time.monotonic() - t0))

    with pxflab.Lab() as lab:
        lab.http_server(PORT, Handler)
        conf = lab.path("udhcpd.conf")
        with open(conf, "w") as f:
            f.write("start 10.99.0.100\nend 10.99.0.150\ninterface br0\n"
                    "lease_file %s\npidfile %s\nopt subnet 255.255.255.0\n"
                    "opt router 10.99.0.1\nopt lease 600\n"
                    % (lab.path("udhcpd.leases"), lab.path("udhcpd.pid")))
        open(lab.path("udhcpd.leases"), "wb").close()
        dhcpd = lab.run("udhcpd", ["busybox", "udhcpd", "-f", conf])

        base = "console=ttyS0 panic=-1"
        url = "http://10.99.0.1:%d/ks" % PORT
        t1 = time.monotonic()
        ga = lab.guest("a", kernel=inst.kernel, initrd=inst.initrd,
                       append="%s ks=%s/curl/52:54:00:99:00:01" % (base, url))
        gb = lab.guest("b", kernel=inst.kernel, initrd=inst.initrd,
                       append="%s inst.ks=%s/comment/52:54:00:99:00:02" % (base, url))
        gc = lab.guest("c", kernel=inst.kernel, initrd=inst.initrd,
                       append="%s ks=%s/none/52:54:00:99:00:03" % (base, url))
        fail = r"PXF-INSTALLER: failed|Kernel panic"

        m = ga.wait_for(r"PXF-INSTALLER: started \(eth0 (10\.99\.0\.\d+)/24", TIMEOUT, fail=fail)
        check(True, "guest a got a lease: " + m.group(1))
        ga.wait_for(r"PXF-INSTALLER: got answer file \(%d bytes\)" % len(KS_CURL.format(
            mac="52:54:00:99:00:01", port=PORT, token=TOKENS["52:54:00:99:00:01"])),
            TIMEOUT, fail=fail)
        check(True, "guest a fetched its kickstart, byte count right")
        ga.wait_for(r"PXF-INSTALLER: done 200", TIMEOUT, fail=fail)
        print("# guest a: QEMU start to done: %.1f s" % (time.monotonic() - t1))
        check(("52:54:00:99:00:01", TOKENS["52:54:00:99:00:01"], "POST", "0") in reports,
              "the done POST arrived with guest a's token and an empty body")
        check(ga.wait_exit(60) == 0, "guest a powered off")

        gb.wait_for(r"PXF-INSTALLER: done 200", TIMEOUT, fail=fail)
        check(("52:54:00:99:00:02", TOKENS["52:54:00:99:00:02"], "POST", "0") in reports,
              "guest b used the '# pxeforge-done:' URL")
        check(not any(r[1] == "wrongtoken" for r in reports), "and not the curl line's")
        check(gb.wait_exit(60) == 0, "guest b powered off")

        gc.wait_for(r"PXF-INSTALLER: failed no done URL in the answer file", TIMEOUT)
        check(True, "guest c reported the missing done URL")
        check(gc.wait_exit(60) == 0, "guest c powered off")
        check(len(reports) == 2, "exactly two reports (%d)" % len(reports))
        print("# three guests in parallel: %.1f s" % (time.monotonic() - t1))

        check(dhcpd.alive(), "udhcpd still running")
        leases = set(re.findall(r"started \(eth0 (10\.99\.0\.\d+)/",
                                ga.text() + gb.text() + gc.text()))
        check(len(leases) == 3, "three distinct leases: %s" % sorted(leases))
    print("# total: %.1f s" % (time.monotonic() - t0))


if __name__ == "__main__":
    sys.exit(pxflab.main(test))
