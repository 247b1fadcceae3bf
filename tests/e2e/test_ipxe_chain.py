#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Self-test of the whole boot cycle the end-to-end tests expect, against
stand-in servers (no pxeforge): proves the lab before pxeforge is put in it.

busybox udhcpd on br0 gives the guest's iPXE ROM an address and the boot
file http://10.99.0.1:8080/boot.ipxe; a Python HTTP server in the namespace
serves iPXE scripts per MAC, the stand-in installer's kernel and initrd, a
kickstart with a done URL, and takes the done report. The guest (network
first, then its disk; allowed to reboot):

  1. iPXE: DHCP, boot.ipxe, /host/<mac> -> install script -> kernel+initrd;
  2. stand-in installer: DHCP, kickstart, POST done -> reboot;
  3. iPXE again: /host/<mac> now says `exit` -> BIOS boots the disk ->
     PXF-LOCALDISK-<name>.

Exit 0 pass, 1 fail, 77 skip.
usage: test_ipxe_chain.py
"""
import http.server
import os
import re
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkdisk  # noqa: E402
import mkinitrd  # noqa: E402
import pxflab  # noqa: E402

TIMEOUT = 240
PORT = 8080
BASE = "http://10.99.0.1:%d" % PORT
MAC = "52:54:00:99:00:01"
TOKEN = "0123456789abcdef0123456789abcdef"

state = {"installed": set(), "host_scripts": [], "reports": [], "files": {}}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, code, body, ctype="text/plain"):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        # iPXE percent-encodes the colons of ${net0/mac} in a URL path
        self.path = urllib.parse.unquote(self.path)
        if self.path == "/boot.ipxe":
            return self.reply(200, "#!ipxe\nchain %s/host/${net0/mac}\n" % BASE)
        m = re.fullmatch(r"/host/([0-9a-f:]{17})", self.path)
        if m:
            mac = m.group(1)
            with lock:
                installed = mac in state["installed"]
                state["host_scripts"].append((mac, "local" if installed else "install"))
            if installed:
                return self.reply(200, "#!ipxe\necho PXF-TEST: %s boots its disk\nexit\n" % mac)
            # initrd=NAME: under UEFI the kernel's EFI stub finds the initrd
            # only by that name (BIOS iPXE does not need it; it does no harm)
            return self.reply(200, "#!ipxe\nkernel %s/vmlinuz initrd=initrd.img console=ttyS0 "
                              "panic=-1 ks=%s/ks/%s pxf.after=reboot\ninitrd %s/initrd.img\n"
                              "boot\n" % (BASE, BASE, mac, BASE))
        m = re.fullmatch(r"/ks/([0-9a-f:]{17})", self.path)
        if m:
            return self.reply(200, "%%post\ncurl -fsS -X POST \"%s/api/v1/hosts/%s/done?token=%s\""
                              "\n%%end\n" % (BASE, m.group(1), TOKEN))
        if self.path in state["files"]:
            with open(state["files"][self.path], "rb") as f:
                return self.reply(200, f.read(), "application/octet-stream")
        self.reply(404, "not found\n")

    def do_POST(self):
        m = re.fullmatch(r"/api/v1/hosts/([0-9a-f:]{17})/done\?token=(\w+)", self.path)
        if not m or m.group(2) != TOKEN:
            return self.reply(403, "denied\n")
        with lock:
            state["reports"].append(m.group(1))
            state["installed"].add(m.group(1))
        self.reply(200, "installed\n")


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok - " + what)


def test():
    reason = pxflab.skip_reason()
    if reason:
        raise pxflab.Skip(reason)
    try:
        inst = mkinitrd.build()
    except mkinitrd.Unavailable as e:
        raise pxflab.Skip(str(e))
    state["files"] = {"/vmlinuz": inst.kernel, "/initrd.img": inst.initrd}

    with pxflab.Lab() as lab:
        lab.http_server(PORT, Handler)
        conf = lab.path("udhcpd.conf")
        with open(conf, "w") as f:
            f.write("start 10.99.0.100\nend 10.99.0.150\ninterface br0\n"
                    "lease_file %s\npidfile %s\nsiaddr 10.99.0.1\nboot_file %s/boot.ipxe\n"
                    "opt subnet 255.255.255.0\nopt router 10.99.0.1\nopt lease 600\n"
                    % (lab.path("udhcpd.leases"), lab.path("udhcpd.pid"), BASE))
        open(lab.path("udhcpd.leases"), "wb").close()
        lab.run("udhcpd", ["busybox", "udhcpd", "-f", conf])

        disk = mkdisk.write(lab.path("node.img"), "node")
        t0 = time.monotonic()
        g = lab.guest("node", mac=MAC, disk=disk, boot="nc", no_reboot=False)
        fail = (r"PXF-INSTALLER: failed|Kernel panic|No configuration methods succeeded|"
                r"Could not boot image")
        m = g.wait_for(r"http://10\.99\.0\.1:8080/boot\.ipxe", TIMEOUT, fail=fail)
        check(True, "iPXE got the boot file from DHCP")
        m = g.wait_for(r"PXF-INSTALLER: started", TIMEOUT, after=m.end(), fail=fail)
        print("# power-on to installer started: %.1f s" % (time.monotonic() - t0))
        m = g.wait_for(r"PXF-INSTALLER: done 200", TIMEOUT, after=m.end(), fail=fail)
        print("# power-on to done: %.1f s" % (time.monotonic() - t0))
        check(state["reports"] == [MAC], "the done report arrived")
        m = g.wait_for(mkdisk.marker("node"), TIMEOUT, after=m.end(), fail=fail)
        print("# power-on to local disk after reboot: %.1f s" % (time.monotonic() - t0))
        check(state["host_scripts"] == [(MAC, "install"), (MAC, "local")],
              "iPXE asked twice: install, then local (%s)" % state["host_scripts"])
        check("PXF-TEST: %s boots its disk" % MAC in g.text(), "the local-boot script ran")
        check(g.alive(), "guest still running (halted in its boot sector)")


if __name__ == "__main__":
    sys.exit(pxflab.main(test))
