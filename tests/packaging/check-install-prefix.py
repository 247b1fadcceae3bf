#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that `meson install` of BUILDDIR writes nothing outside its prefix,
except into directories that an option names outright (an absolute
sysconfdir such as /etc, -Dsystemdsystemunitdir=/lib/systemd/system, ...).

usage: check-install-prefix.py BUILDDIR

Installs with DESTDIR into a temporary directory and lists every file,
symlink and empty directory that lands elsewhere; also every such path that
`meson introspect --installed` gives (install scripts do not show there, the
DESTDIR walk has them). Exit status: 0 all inside, 1 some outside.
"""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# the walk the rpm-spec check does over the same kind of install
_spec = importlib.util.spec_from_file_location(
    "check_rpm_spec", os.path.join(HERE, "..", "docs", "check-rpm-spec.py"))
check_rpm_spec = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_rpm_spec)

# the project's own directory options (meson_options.txt); empty: derived
PROJECT_DIR_OPTIONS = ("systemdsystemunitdir", "sysusersdir", "tmpfilesdir")


def under(path, root):
    return root == "/" or path == root or path.startswith(root.rstrip("/") + "/")


def allowed_roots(options):
    """The prefix, and the directories options name as absolute paths."""
    prefix = options["prefix"]["value"]
    roots = {prefix: "the prefix"}
    for name, opt in options.items():
        value = opt["value"]
        explicit = opt["section"] == "directory" or name in PROJECT_DIR_OPTIONS
        if explicit and isinstance(value, str) and value.startswith("/") and name != "prefix":
            roots[value] = "-D%s" % name
    return prefix, roots


def main():
    build = os.path.abspath(sys.argv[1])
    options = {o["name"]: o for o in check_rpm_spec.meson_introspect(build, "--buildoptions")}
    prefix, roots = allowed_roots(options)
    print("prefix %s; also allowed: %s" % (
        prefix, ", ".join("%s (%s)" % (r, why) for r, why in sorted(roots.items())
                          if r != prefix) or "nothing"))

    listed = set(check_rpm_spec.meson_introspect(build, "--installed").values())
    with tempfile.TemporaryDirectory(prefix="pxf-install-prefix-") as destdir:
        inst = subprocess.run(["meson", "install", "-C", build, "--no-rebuild",
                               "--destdir", destdir, "--quiet"],
                              capture_output=True, text=True,
                              env=dict(os.environ, DESTDIR=destdir))
        if inst.returncode != 0:
            print("FAIL: meson install:\n%s%s" % (inst.stdout, inst.stderr))
            return 1
        installed = check_rpm_spec.installed_paths(destdir)
    if not installed:
        print("FAIL: meson install installed nothing")
        return 1
    outside = sorted(p for p in installed | listed
                     if not any(under(p, root) for root in roots))
    for path in outside:
        print("outside the prefix %s: %s" % (prefix, path))
    if outside:
        print("FAIL: %d of %d installed paths outside the prefix and the directories "
              "options name" % (len(outside), len(installed | listed)))
        return 1
    print("PASS: %d installed paths, all under %s or a directory an option names"
          % (len(installed | listed), prefix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
