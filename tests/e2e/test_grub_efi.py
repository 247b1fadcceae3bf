#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""UEFI guests booting through the grub-efi plugin, with a real pxeforged
(dhcp, tftp, http, grub-efi, kickstart, and pxelinux as in the demo) in a
boot lab (pxflab.py). Each guest has OVMF's own PXE client (virtio-net
without an option ROM) and a disk whose EFI system partition holds Debian's
signed shim and GRUB, whose grub.cfg prints PXF-LOCALDISK-<name>. A guest
installs (PXE -> ... -> the stand-in installer's done report, then it powers
off), then is powered on again and must boot its disk (PXE -> GRUB ->
grub.cfg says local -> chainload the ESP's shim -> the marker).

  --mode secure   Secure Boot enforced (OVMF_CODE_4M.secboot.fd, a copy of
                  OVMF_VARS_4M.ms.fd with Microsoft's keys, q35 with SMM):
    node1  Debian's chain from the packages: shimx64.efi -> grubx64.efi
           (signed) -> grub/grub.cfg -> Debian's signed kernel (over TFTP:
           the signed GRUB cannot load http.mod) -> the stand-in installer
           -> kickstart -> done; then the local disk;
    node2  the same through a *vendor chain* found in its distro's tree
           (Debian's netboot tree: debian-installer/amd64/bootnetx64.efi +
           grubx64.efi, whose GRUB reads debian-installer/amd64/grub/grub.cfg);
    bad1   shim given an unsigned GRUB as grubx64.efi (grub_signed pointed at
           the monolithic grubnetx64.efi): shim stops it, "Verification
           failed: (0x1A) Security Violation" on the serial console;
    bad2   secure_boot: false, the unsigned GRUB as the boot file: the
           firmware itself refuses it ("Access Denied").
  --mode uefi     plain OVMF (OVMF_CODE_4M.fd), secure_boot: false:
    node1  grubnetx64.efi -> http.mod -> grub.cfg -> kernel over HTTP ->
           stand-in -> done; then the local disk;
    stranger  not in the inventory: the menu, local boot after 3 s.

Prints a timeline and the time of each milestone. Needs root, qemu, ovmf,
shim-signed, grub-efi-amd64-signed, grub-efi-amd64-bin, dosfstools, mtools,
linux-image-amd64, busybox (and debian-installer-12-netboot-amd64 for node2,
left out without it); exits 77 without them.

usage: test_grub_efi.py --build BUILD [--mode secure|uefi] [--keep]
"""
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import demo  # noqa: E402
import mkdisk  # noqa: E402
import mkinitrd  # noqa: E402
import pxflab  # noqa: E402

SHIM = "/usr/lib/shim/shimx64.efi.signed"
GRUB_NET_SIGNED = "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed"
GRUB_DISK_SIGNED = "/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed"
GRUB_UNSIGNED = "/usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi"
DI_TREE = "/usr/lib/debian-installer/images/12/amd64/text"

NODE1 = ("node1", "52:54:00:99:00:01")
NODE2 = ("node2", "52:54:00:99:00:02")
BAD1 = ("bad1", "52:54:00:99:00:11")
BAD2 = ("bad2", "52:54:00:99:00:12")
STRANGER = ("stranger", "52:54:00:99:00:21")

# milestones on a guest's console (labels printed by demo.Demo as they happen)
INSTALL_STEPS = (("grub", r"pxeforge: loading the installer"),
                 ("installer", r"PXF-INSTALLER: started"),
                 ("answer file", r"PXF-INSTALLER: got answer file"),
                 ("done", r"PXF-INSTALLER: done 200"))
# the next power-on, or a machine the menu sends to its disk
LOCAL_STEPS = (("local boot", r"pxeforge: booting \(hd"),
               ("local disk", None))
UNKNOWN_STEPS = (("menu", r"Boot from local drive"),) + LOCAL_STEPS
demo.STEP_TEXT.update({"grub": "console: GRUB loads the installer",
                       "menu": "console: GRUB shows the menu",
                       "local boot": "console: GRUB chainloads the disk's shim"})
# a guest that Secure Boot stops must fail the positive runs at once
demo.FAIL = demo.FAIL + r"|Security Violation|Access Denied|error: .*(verif|signature)"

SHIM_REFUSES = r"Verification failed: \(0x1A\) Security Violation"
FIRMWARE_REFUSES = r"Access Denied"


def make_esp_disk(path, name):
    """A raw disk: MBR with one EFI system partition (type 0xEF) holding
    Debian's signed shim as \\EFI\\BOOT\\BOOTX64.EFI, the signed GRUB next
    to it, and a grub.cfg that prints the disk's marker and powers off."""
    for tool in ("mkfs.vfat", "mcopy", "mmd"):
        if shutil.which(tool) is None:
            raise pxflab.Skip("needs %s (dosfstools, mtools)" % tool)
    start = 2048  # sectors: 1 MiB
    size_kib = 24 * 1024
    with tempfile.TemporaryDirectory(prefix="pxf-esp-") as tmp:
        fat = os.path.join(tmp, "esp.fat")
        cfg = os.path.join(tmp, "grub.cfg")
        with open(cfg, "w") as f:
            f.write("echo %s\nhalt\n" % mkdisk.marker(name))
        env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
        subprocess.run(["mkfs.vfat", "-C", "-n", "ESP", fat, str(size_kib)], check=True,
                       capture_output=True, timeout=60)
        for cmd in (["mmd", "-i", fat, "::/EFI", "::/EFI/BOOT", "::/boot", "::/boot/grub"],
                    ["mcopy", "-i", fat, SHIM, "::/EFI/BOOT/BOOTX64.EFI"],
                    ["mcopy", "-i", fat, GRUB_DISK_SIGNED, "::/EFI/BOOT/grubx64.efi"],
                    # Debian's GRUB reads $prefix/grub.cfg (($root)/boot/grub), else
                    # $cmdpath/grub.cfg
                    ["mcopy", "-i", fat, cfg, "::/EFI/BOOT/grub.cfg"],
                    ["mcopy", "-i", fat, cfg, "::/boot/grub/grub.cfg"]):
            subprocess.run(cmd, check=True, capture_output=True, timeout=60, env=env)
        sectors = size_kib * 2
        mbr = bytearray(512)
        mbr[446:462] = struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", 0xEF, b"\xfe\xff\xff",
                                   start, sectors)
        mbr[510:512] = b"\x55\xaa"
        with open(path, "wb") as out, open(fat, "rb") as src:
            out.write(mbr)
            out.write(b"\0" * (start * 512 - 512))
            shutil.copyfileobj(src, out)
    return path


def uefi_guest(d, name, mac, secure, steps, disk):
    """OVMF with its own PXE client: virtio-net without an option ROM, first
    in the boot order, then the ESP disk (OVMF connects only the devices in
    QEMU's boot order, so the disk needs a place there for GRUB to see it).
    The guest powers off instead of rebooting: a warm reset of OVMF's SMM
    build takes minutes under TCG, a cold start seconds."""
    mac = mac.lower()
    d.names[mac] = name
    tap = d.lab.add_tap()
    g = d.lab.guest(name, mac=mac, firmware="uefi", secure_boot=secure, nic=False,
                    no_reboot=True, extra=(
                        "-netdev", "tap,id=net0,ifname=%s,script=no,downscript=no" % tap,
                        "-device", "virtio-net-pci,netdev=net0,romfile=,bootindex=1,mac=" + mac,
                        "-drive", "file=%s,format=raw,if=none,id=disk0" % disk,
                        "-device", "virtio-blk-pci,drive=disk0,bootindex=2"))
    g.known = mac in d.hosts
    g.steps = steps
    g.step = 0
    g.pos = 0
    g.seen = {}
    g.t_on = time.monotonic() - d.t0
    if steps:
        d.guests.append(g)
    d.say("%s %s powered on (%s%s), console %s" % (
        name, mac, "Secure Boot, " if secure else "",
        "in the inventory" if g.known else "not in the inventory", g.serial))
    return g


def grub_snippet(d, installer, secure_boot, grub_signed=GRUB_NET_SIGNED, vendor=False):
    """conf.d/55-grub-efi.yaml of the lab (and node2's vendor distro)."""
    text = """\
plugins:
  grub-efi:
    host_template: %(tpl)s/host.cfg.mustache
    menu_template: %(tpl)s/menu.cfg.mustache
    secure_boot: %(sb)s
    grub_signed: %(grub_signed)s
    unknown_hosts: menu
    menu_timeout: 3
    # the stand-in prints on the serial console and reboots after its report
    # (QEMU's -no-reboot turns that into power-off)
    kernel_args: console=ttyS0 panic=-1 pxf.after=reboot
""" % dict(tpl=os.path.join(TOP, "plugins", "grub-efi", "templates"),
           sb="true" if secure_boot else "false", grub_signed=grub_signed)
    if vendor:
        text += """\
distros:
  dinetboot:
    # Debian's netboot tree: its own signed shim (bootnetx64.efi) and GRUB
    kernel: %(kernel)s
    initrd: %(initrd)s
    tree: %(tree)s
profiles:
  vendor:
    distro: dinetboot
    os: kickstart
    template: %(ks)s
hosts:
  - mac: %(mac)s
    hostname: %(name)s
    profile: vendor
""" % dict(kernel=installer.kernel, initrd=installer.initrd, tree=DI_TREE,
           ks=d.paths.ks_template, mac=NODE2[1], name=NODE2[0])
    path = os.path.join(d.etc, "conf.d", "55-grub-efi.yaml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def check_inputs(secure):
    for path in (GRUB_UNSIGNED,) + ((SHIM, GRUB_NET_SIGNED, GRUB_DISK_SIGNED)):
        if not os.path.exists(path):
            raise pxflab.Skip("needs %s (shim-signed, grub-efi-amd64-signed, "
                              "grub-efi-amd64-bin)" % path)
    code = pxflab.OVMF_CODE_SECBOOT if secure else pxflab.OVMF_CODE
    if not os.path.exists(code):
        raise pxflab.Skip("needs %s (ovmf)" % code)


def report(d, g):
    for label, (t, _) in sorted(g.seen.items(), key=lambda kv: kv[1][0]):
        print("# %s: %s at %.1f s after power-on" % (g.name, label, t - g.t_on))


def expect_refusal(d, name, mac, secure, pattern, served):
    """A guest that Secure Boot must stop: pattern on its console after the
    daemon served `served` to it; returns the seconds it took."""
    t = time.monotonic()
    disk = make_esp_disk(d.lab.path(name + ".img"), name)
    g = uefi_guest(d, name, mac, secure, None, disk)
    m = g.wait_for(pattern, 240, fail=r"PXF-INSTALLER|" + re.escape(mkdisk.marker(name)))
    took = time.monotonic() - t
    d.pump()
    line = g.text()[:m.end()].splitlines()[-1]
    d.say("%s: stopped by Secure Boot after %.1f s: %s" % (
        name, took, line[line.find("BdsDxe"):] if "BdsDxe" in line else m.group(0)))
    g.stop()
    check(d.find("served", mac=mac.lower(), match=r"^%s$" % re.escape(served)),
          "%s was served %s" % (name, served))
    check(not d.find("served", mac=mac.lower(), match=r"^boot/"),
          "%s fetched no kernel" % name)
    return took


def check(cond, what):
    if not cond:
        raise pxflab.LabError("check failed: " + what)
    print("ok - " + what)


def run(args):
    secure = args.mode == "secure"
    paths = demo.paths_from_build(args.build, TOP, os.environ.get("PXF_E2E_CACHE"))
    grub_so = os.path.join(os.path.abspath(args.build), "plugins", "grub-efi", "grub-efi.so")
    if not os.path.exists(grub_so):
        raise pxflab.Skip("the grub-efi plugin is not built: " + grub_so)
    check_inputs(secure)
    demo.check_available(paths)  # the demo's plugins and packages
    try:
        installer = mkinitrd.build(paths.cache, drivers=("virtio_pci", "virtio_net"))
    except mkinitrd.Unavailable as e:
        raise pxflab.Skip(str(e))
    paths = paths._replace(plugins=dict(paths.plugins, **{"grub-efi": grub_so}))
    vendor = secure and os.path.isdir(os.path.join(DI_TREE, "debian-installer", "amd64"))
    t0 = time.monotonic()
    with pxflab.Lab(keep=args.keep or None) as lab:
        d = demo.Demo(lab, paths, installer, t0=t0)
        d.say("network namespace %s, work directory %s" % (lab.ns, lab.dir))
        hosts = [NODE1] + ([NODE2] if vendor else [])
        d.configure([NODE1])
        d.hosts.update({mac: name for name, mac in hosts})
        d.names.update(d.hosts)
        grub_snippet(d, installer, secure_boot=secure, vendor=vendor)
        d.start()
        out = d.cli("explain", "--mac", NODE1[1], "--arch", "efi64").stdout
        want = "shimx64.efi" if secure else "grubnetx64.efi"
        check("[grub-efi] boot file %s from this server" % want in out,
              "explain: node1 gets %s" % want)
        if vendor:
            out = d.cli("explain", "--mac", NODE2[1], "--arch", "efi64").stdout
            check("[grub-efi] boot file efi/dinetboot/shimx64.efi" in out,
                  "explain: node2 gets the vendor chain of its tree")

        disks = {name: make_esp_disk(lab.path(name + ".img"), name)
                 for name, _ in hosts + [STRANGER]}
        # install: PXE -> GRUB -> kernel -> stand-in -> done, then off
        guests = [uefi_guest(d, name + "-install", mac, secure, INSTALL_STEPS, disks[name])
                  for name, mac in hosts]
        if not secure:
            guests.append(uefi_guest(d, STRANGER[0], STRANGER[1], secure, UNKNOWN_STEPS,
                                     disks[STRANGER[0]]))
        d.wait_all(args.timeout)
        # power on again: PXE -> GRUB -> grub.cfg says local -> the disk's shim
        for name, mac in hosts:
            check(d.host_state(mac) == "installed", "%s installed" % name)
            guests.append(uefi_guest(d, name, mac, secure, LOCAL_STEPS, disks[name]))
        d.wait_all(args.timeout)
        for g in guests:
            report(d, g)
        # what each machine fetched, from the daemon's log
        check(d.find("served", mac=NODE1[1], match=r"^%s$" % want), "node1 fetched " + want)
        if secure:
            check(d.find("served", mac=NODE1[1], match=r"^grubx64\.efi$"),
                  "node1's shim fetched the signed GRUB")
        check(d.find("served", mac=NODE1[1], match=r"^grub/grub\.cfg$"),
              "node1's GRUB fetched grub/grub.cfg")
        check(d.find("served", mac=NODE1[1], match=r"^boot/52-54-00-99-00-01/vmlinuz$"),
              "node1's GRUB fetched its kernel")
        # over HTTP when GRUB can load http.mod (the unsigned one, from the
        # package's modules), over TFTP for the signed one (no modules)
        log = d.daemon.text()
        over_http = re.search(r"pxf-http: GET /boot/52-54-00-99-00-01/vmlinuz from \S+: 200",
                              log)
        over_tftp = re.search(r"pxf-tftp: client \S+: RRQ '/?boot/52-54-00-99-00-01/vmlinuz'",
                              log)
        if secure:
            check(over_tftp and not over_http, "node1's signed GRUB fetched its kernel by TFTP")
        else:
            check(re.search(r"pxf-http: GET /grub/http-check from \S+: 200", log) and over_http
                  and not over_tftp, "node1's GRUB loaded http.mod and fetched its kernel by HTTP")
        if vendor:
            for path in ("efi/dinetboot/shimx64.efi", "efi/dinetboot/grubx64.efi",
                         "debian-installer/amd64/grub/grub.cfg"):
                check(d.find("served", mac=NODE2[1], match=r"^%s$" % re.escape(path)),
                      "node2 fetched " + path)
        if not secure:
            check(not [e for e in d.find("state", mac=STRANGER[1]) if e.args[1] == "booting"],
                  "the stranger did not move to booting")

        if secure:
            # an unsigned GRUB behind shim: shim refuses it
            grub_snippet(d, installer, secure_boot=True, grub_signed=GRUB_UNSIGNED,
                         vendor=vendor)
            d.cli("reload")
            took1 = expect_refusal(d, *BAD1, True, SHIM_REFUSES, "grubx64.efi")
            # the unsigned GRUB as the boot file: the firmware refuses it
            grub_snippet(d, installer, secure_boot=False, vendor=vendor)
            d.cli("reload")
            took2 = expect_refusal(d, *BAD2, True, FIRMWARE_REFUSES, "grubnetx64.efi")
            print("# bad1: shim's refusal %.1f s after power-on" % took1)
            print("# bad2: the firmware's refusal %.1f s after power-on" % took2)
        d.cli("status")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True, help="meson build directory")
    ap.add_argument("--mode", default="secure", choices=("secure", "uefi"))
    ap.add_argument("--keep", action="store_true", help="keep the lab's work directory")
    ap.add_argument("--timeout", type=float, default=480, help="seconds for the installs")
    args = ap.parse_args()
    return pxflab.main(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
