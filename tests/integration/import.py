#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Integration test of `pxeforge import` as an operator runs it: ISO images
built here with xorriso from the fixture trees in tests/data/import (see the
README there), and the tree of Debian's debian-installer-12-netboot-amd64
package when it is installed, imported into a temporary configuration and
store; then `pxeforge check`, `pxeforge render` and, with pxeforged running,
`pxeforge explain` must name each distro's kernel and initrd. Damaged and
unknown images, and a second import under a taken name, must fail and
change nothing.

usage: import.py BUILDDIR FIXTURES_DIR
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import daemon as harness  # noqa: E402  (the Env of the daemon tests)

FIXTURES = os.path.abspath(sys.argv[2])
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(FIXTURES)))
PXELINUX_TEMPLATES = os.path.join(SOURCE, "plugins", "pxelinux", "templates")
NETBOOT = "/usr/lib/debian-installer/images/12/amd64/text"

# name: (source, kernel, initrd, family, version, arch, efi shim or None)
MEDIA = {
    "centos6": ("centos6", "images/pxeboot/vmlinuz", "images/pxeboot/initrd.img",
                "centos", "6.10", "x86_64", None),
    "centos7": ("centos7", "images/pxeboot/vmlinuz", "images/pxeboot/initrd.img",
                "centos", "7", "x86_64", "EFI/BOOT/BOOTX64.EFI"),
    "rocky9": ("rocky9", "images/pxeboot/vmlinuz", "images/pxeboot/initrd.img",
               "rocky", "9.3", "x86_64", "EFI/BOOT/BOOTX64.EFI"),
    "debian12": ("debian12", "install.amd/vmlinuz", "install.amd/initrd.gz",
                 "debian", "12.5.0", "amd64", "EFI/boot/bootx64.efi"),
    "ubuntu2204": ("ubuntu2204", "casper/vmlinuz", "casper/initrd",
                   "ubuntu", "22.04.3", "amd64", "EFI/boot/bootx64.efi"),
    # CentOS 6 without its .treeinfo, as media older than it carry only
    # .discinfo: recognised from that and anaconda's layout
    "centos6-discinfo": ("centos6", "images/pxeboot/vmlinuz", "images/pxeboot/initrd.img",
                         "centos", "6.10", "x86_64", None),
}

check = harness.check
Fail = harness.Fail


def mkiso(tree, iso):
    subprocess.run(["xorriso", "-as", "mkisofs", "-R", "-J", "-o", iso, tree],
                   check=True, capture_output=True, timeout=120)


def snapshot(*roots):
    """Every file, directory and link under roots, with contents."""
    seen = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                if os.path.islink(path):
                    seen[path] = ("link", os.readlink(path))
                elif os.path.isdir(path):
                    seen[path] = ("dir", None)
                else:
                    with open(path, "rb") as f:
                        seen[path] = ("file", f.read())
    return seen


def expect_unchanged(e, store, before, what):
    after = snapshot(e.config, store)
    added = sorted(set(after) - set(before))
    changed = sorted(p for p in before if after.get(p) != before[p])
    check(not added and not changed,
          "%s left files behind or changed the configuration: added %s, changed %s"
          % (what, added[:5], changed[:5]))


def run(e):
    if shutil.which("xorriso") is None:
        print("SKIP: xorriso is not installed")
        return 77
    store = os.path.join(e.root, "distros")
    isos = os.path.join(e.root, "iso")
    os.makedirs(isos)
    e.write("pxeforge.yaml", "daemon:\n  distro_store: %s\n" % store)
    e.write("templates/ks.cfg",
            "kernel={{distro.kernel}}\ninitrd={{distro.initrd}}\ntree={{distro.tree}}\n"
            "family={{family}} version={{version}} arch={{arch}}\n"
            "{{#efi}}shim={{efi.shim}}\n{{/efi}}")

    # --- every medium, imported from an image made here
    for name, (src, kernel, initrd, family, version, arch, shim) in MEDIA.items():
        tree = os.path.join(FIXTURES, src)
        if name == "centos6-discinfo":
            copy = os.path.join(e.root, "centos6-discinfo")
            shutil.copytree(tree, copy, symlinks=True)
            os.unlink(os.path.join(copy, ".treeinfo"))
            tree = copy
        iso = os.path.join(isos, name + ".iso")
        mkiso(tree, iso)
        p = e.cli("import", "--name", name, iso)
        dest = os.path.join(store, name)
        check("imported %s:" % name in p.stdout, "%s: no summary" % name)
        check(os.path.join(dest, kernel) in p.stdout, "%s: kernel not reported" % name)
        check(os.path.isfile(os.path.join(dest, kernel))
              and os.path.isfile(os.path.join(dest, initrd)), "%s: not unpacked" % name)
        with open(os.path.join(dest, kernel)) as f, open(os.path.join(tree, kernel)) as g:
            check(f.read() == g.read(), "%s: the kernel differs from the medium's" % name)
    p = e.cli("import", "--name", "centos6-discinfo-again", os.path.join(isos, "centos6-discinfo.iso"))
    check("recognised by .discinfo" in p.stdout, ".discinfo medium not recognised by .discinfo")
    expected = dict(MEDIA)
    expected["centos6-discinfo-again"] = MEDIA["centos6-discinfo"]

    # --- the netboot package's tree, from its directory
    if os.path.isdir(NETBOOT):
        p = e.cli("import", "--name", "netboot12", NETBOOT)
        check("recognised by netboot layout" in p.stdout, "netboot tree not recognised")
        expected["netboot12"] = (None, "debian-installer/amd64/linux",
                                 "debian-installer/amd64/initrd.gz", "debian", "12", "amd64",
                                 "debian-installer/amd64/bootnetx64.efi")
    else:
        print("note: %s is not installed; netboot import not tested" % NETBOOT)

    p = e.cli("check")
    check("OK: %d distros" % len(expected) in p.stdout, "check does not count the imports")

    # --- failures change nothing
    before = snapshot(e.config, store)
    with open(os.path.join(isos, "rocky9.iso"), "rb") as f:
        data = f.read()
    truncated = os.path.join(isos, "truncated.iso")
    with open(truncated, "wb") as f:
        f.write(data[:len(data) // 2])
    p = e.cli("import", "--name", "broken", truncated, expect=1)
    check(truncated + ": truncated image" in p.stderr and "nothing was imported" in p.stderr,
          "truncated image not reported")
    expect_unchanged(e, store, before, "a truncated image")

    unknown_tree = os.path.join(e.root, "photos")
    os.makedirs(unknown_tree)
    with open(os.path.join(unknown_tree, "IMG_0001.txt"), "w") as f:
        f.write("not an installer\n")
    unknown = os.path.join(isos, "photos.iso")
    mkiso(unknown_tree, unknown)
    p = e.cli("import", "--name", "photos", unknown, expect=1)
    check(unknown + ": no .treeinfo, .discinfo, .disk/info" in p.stderr
          and "not a known install medium" in p.stderr, "unknown image not reported")
    expect_unchanged(e, store, before, "an unknown image")

    # a kernel that does not match .treeinfo's checksum: found after unpacking
    rotten_tree = os.path.join(e.root, "rotten")
    shutil.copytree(os.path.join(FIXTURES, "rocky9"), rotten_tree, symlinks=True)
    with open(os.path.join(rotten_tree, "images/pxeboot/vmlinuz"), "a") as f:
        f.write("bit rot\n")
    rotten = os.path.join(isos, "rotten.iso")
    mkiso(rotten_tree, rotten)
    p = e.cli("import", "--name", "rotten", rotten, expect=1)
    check("does not match the checksum" in p.stderr, "checksum mismatch not reported")
    expect_unchanged(e, store, before, "a damaged kernel")

    p = e.cli("import", "--name", "rocky9", os.path.join(isos, "rocky9.iso"), expect=1)
    check("'rocky9' is already defined at" in p.stderr and "80-distros.yaml" in p.stderr,
          "second import under the same name not refused with where it is defined")
    expect_unchanged(e, store, before, "a second import")

    # --- a host of each distro: render offline, explain through the daemon
    # pxelinux renders each host's pxelinux.cfg and serves its kernel and
    # initrd from the distro: explain walks that as a BIOS machine would
    hosts = ("plugins:\n  pxelinux:\n    host_template: %s\n    menu_template: %s\n"
             "profiles:\n" % (os.path.join(PXELINUX_TEMPLATES, "host.cfg.mustache"),
                              os.path.join(PXELINUX_TEMPLATES, "menu.cfg.mustache")))
    for i, name in enumerate(expected):
        hosts += "  p-%s: {distro: %s, os: kickstart, template: templates/ks.cfg}\n" % (name, name)
    hosts += "hosts:\n"
    macs = {}
    for i, name in enumerate(expected):
        macs[name] = "52:54:00:10:00:%02x" % (i + 1)
        hosts += "  - {mac: '%s', hostname: h%d, profile: p-%s}\n" % (macs[name], i + 1, name)
    e.write("conf.d/50-hosts.yaml", hosts)
    p = e.cli("check")
    check("OK: %d distros, %d profiles, %d hosts" % (len(expected), len(expected), len(expected))
          in p.stdout, "check with hosts failed")

    for name, (src, kernel, initrd, family, version, arch, shim) in expected.items():
        dest = os.path.join(store, name)
        p = e.cli("render", "--mac", macs[name])
        want = ["kernel=" + os.path.join(dest, kernel), "initrd=" + os.path.join(dest, initrd),
                "tree=" + dest, "family=%s version=%s arch=%s" % (family, version, arch)]
        if shim:
            want.append("shim=" + os.path.join(dest, shim))
        for w in want:
            check(w in p.stdout, "%s: render lacks %r" % (name, w))
        if not shim:
            check("shim=" not in p.stdout, "%s: efi variables without a shim chain" % name)

    e.start()
    p = e.cli("plugins")
    check("refused" not in p.stdout, "a plugin was refused")
    for name, (src, kernel, initrd, *_rest) in expected.items():
        dest = os.path.join(store, name)
        mac = macs[name].replace(":", "-")
        p = e.cli("explain", "--mac", macs[name])
        out = p.stdout
        # pxelinux boots the installer of the host's distro...
        check("KERNEL boot/%s/vmlinuz" % mac in out
              and "APPEND initrd=boot/%s/initrd.img" % mac in out,
              "%s: pxelinux.cfg does not boot the installer" % name)
        # ...whose kernel and initrd are the imported ones (the daemon's
        # rendering of distro.kernel and distro.initrd)
        for what, path in (("kernel", kernel), ("initrd", initrd)):
            check("| %s=%s\n" % (what, os.path.join(dest, path)) in out,
                  "%s: explain does not name the %s %s" % (name, what, path))
            # where explain follows the bootloader's fetch, it is that file
            fetched = "boot/%s/%s: file " % (mac, "vmlinuz" if what == "kernel" else "initrd.img")
            for line in out.splitlines():
                if fetched in line:
                    check(os.path.join(dest, path) in line, "%s: %s served from elsewhere"
                          % (name, what))
    return 0


def main():
    e = harness.Env()
    try:
        rc = run(e)
    except (Fail, subprocess.CalledProcessError) as ex:
        print("FAIL: %s" % ex)
        if e.daemon is not None:
            print("--- daemon log ---\n" + e.daemon_log())
        return 1
    finally:
        e.close()
    if rc == 0:
        print("PASS")
    return rc


if __name__ == "__main__":
    sys.exit(main())
