#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that packaging/rpm/pxeforge.spec cannot drift from the build.

usage: check-rpm-spec.py --spec SPEC --build BUILDDIR

1. `rpmspec -P` parses the spec and `rpmspec -q` lists its packages, with the
   RPM directory macros (%{_libdir}, %{_unitdir}, ...) set to the directories
   this build installs into, so that the expanded %files name the same paths
   as the build;
2. the spec's Version is the meson project's version;
3. `meson install --destdir` of BUILDDIR gives the real list of installed
   files, and the two are compared both ways: every installed file (and
   empty directory) belongs to exactly one package, and every %files entry
   matches something installed (rpm's globs; a directory entry owns all
   below it, a %dir entry only the directory). %doc and %license entries
   with a relative path come from the source tree, not from the install,
   and are not compared.

Packages whose content this build does not produce are not compared, and
named: pxeforge-tests when the build has -Dinstalled_tests=false, and a
pxeforge-plugin-NAME whose plugin is disabled (-Dplugin_NAME=disabled).
Exit status: 0 match, 1 mismatch, 77 rpmspec missing.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SECTION_RE = re.compile(
    r"^%(package|description|prep|build|install|check|clean|files|changelog|pre|post|"
    r"preun|postun|pretrans|posttrans|preuntrans|postuntrans|verifyscript|"
    r"trigger\w*|filetrigger\w*|transfiletrigger\w*|generate_buildrequires|conf)\b(.*)$")
DIRECTIVE_RE = re.compile(r"^%(dir|doc|license|ghost|readme|docdir|config|attr|verify|lang|caps)"
                          r"(\([^)]*\))?\s+")


def meson_introspect(build, what):
    out = subprocess.run(["meson", "introspect", what, build], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def build_macros(build):
    """RPM's directory macros, as this build's installation directories."""
    options = {o["name"]: o["value"] for o in meson_introspect(build, "--buildoptions")}
    prefix = options["prefix"]

    def absolute(name):
        value = options[name]
        return value if value.startswith("/") else os.path.join(prefix, value)

    macros = {
        "_prefix": prefix,
        "_exec_prefix": prefix,
        "_bindir": absolute("bindir"),
        "_sbindir": absolute("sbindir"),
        "_libdir": absolute("libdir"),
        "_libexecdir": absolute("libexecdir"),
        "_includedir": absolute("includedir"),
        "_datadir": absolute("datadir"),
        "_mandir": absolute("mandir"),
        "_sysconfdir": absolute("sysconfdir"),
        "_localstatedir": absolute("localstatedir"),
        "_sharedstatedir": os.path.join(absolute("localstatedir"), "lib"),
        "_infodir": absolute("infodir"),
        "_docdir": os.path.join(absolute("datadir"), "doc"),
    }
    # systemd's directories come from systemd.pc (or an option): take them
    # from where this build puts the files, else the usual ones
    installed = meson_introspect(build, "--installed").values()
    for macro, tail, default in (("_unitdir", "/pxeforged.service", "/usr/lib/systemd/system"),
                                 ("_sysusersdir", "/sysusers.d/pxeforge.conf",
                                  "/usr/lib/sysusers.d"),
                                 ("_tmpfilesdir", "/tmpfiles.d/pxeforge.conf",
                                  "/usr/lib/tmpfiles.d")):
        found = [p for p in installed if p.endswith(tail)]
        macros[macro] = os.path.dirname(found[0]) if found else default
    return macros, options


def rpmspec(args, spec, macros):
    cmd = ["rpmspec"] + args
    for name, value in macros.items():
        cmd += ["--define", "%s %s" % (name, value)]
    return subprocess.run(cmd + [spec], capture_output=True, text=True)


def parse_files(expanded, main_name):
    """{package: [(directives, path, line)]} from the expanded spec."""
    packages = {}
    current = None
    for number, line in enumerate(expanded.splitlines(), 1):
        m = SECTION_RE.match(line)
        if m:
            current = None
            if m.group(1) == "files":
                args = m.group(2).split()
                name = main_name
                i = 0
                while i < len(args):
                    if args[i] == "-n" and i + 1 < len(args):
                        name = args[i + 1]
                        i += 2
                    elif args[i] == "-f" and i + 1 < len(args):
                        i += 2
                    elif not args[i].startswith("-"):
                        name = main_name + "-" + args[i]
                        i += 1
                    else:
                        i += 1
                current = packages.setdefault(name, [])
            continue
        if current is None:
            continue
        text = line.strip()
        if not text or text.startswith("#") or text.startswith("%defattr"):
            continue
        directives = set()
        while True:
            d = DIRECTIVE_RE.match(text)
            if not d:
                break
            directives.add(d.group(1))
            text = text[d.end():]
        for path in text.split():
            current.append((directives, path, number))
    return packages


def installed_paths(root):
    """Files, symlinks and empty directories under root, as absolute paths."""
    paths = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            paths.add("/" + os.path.relpath(os.path.join(dirpath, name), root))
        for name in dirnames:
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                paths.add("/" + os.path.relpath(full, root))
        if not dirnames and not filenames and dirpath != root:
            paths.add("/" + os.path.relpath(dirpath, root))
    return paths


def owned_by(root, directives, path):
    """What one %files entry owns under root; None when it matches nothing."""
    matches = glob.glob(root + path.rstrip("/") if path != "/" else root)
    if not matches:
        return None
    owned = set()
    for match in matches:
        rel = "/" + os.path.relpath(match, root)
        owned.add(rel)
        if os.path.isdir(match) and not os.path.islink(match) and "dir" not in directives:
            owned |= installed_paths_under(match, root)
    return owned


def installed_paths_under(directory, root):
    prefix = "/" + os.path.relpath(directory, root)
    return {prefix + p for p in installed_paths(directory)}


def skipped_packages(options, spec_packages):
    skipped = {}
    if not options.get("installed_tests", False):
        skipped["pxeforge-tests"] = "the build has -Dinstalled_tests=false"
    for name in spec_packages:
        m = re.match(r"^pxeforge-plugin-(.+)$", name)
        if m:
            option = "plugin_" + m.group(1).replace("-", "_")
            if options.get(option) == "disabled":
                skipped[name] = "the build has -D%s=disabled" % option
    return skipped


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", required=True)
    parser.add_argument("--build", required=True)
    args = parser.parse_args()

    if shutil.which("rpmspec") is None:
        print("SKIP: rpmspec not found (Debian: apt-get install rpm)")
        return 77

    problems = []
    macros, options = build_macros(args.build)
    parsed = rpmspec(["-P"], args.spec, macros)
    if parsed.returncode != 0:
        print("FAIL: rpmspec -P %s:\n%s" % (args.spec, parsed.stderr))
        return 1
    query = rpmspec(["-q", "--qf", "%{NAME} %{VERSION}\\n"], args.spec, macros)
    if query.returncode != 0:
        print("FAIL: rpmspec -q %s:\n%s" % (args.spec, query.stderr))
        return 1
    names = [line.split()[0] for line in query.stdout.splitlines() if line.strip()]
    versions = {line.split()[1] for line in query.stdout.splitlines() if line.strip()}
    project_version = meson_introspect(args.build, "--projectinfo")["version"]
    if versions != {project_version}:
        problems.append("spec Version %s, meson project version %s"
                        % (", ".join(sorted(versions)), project_version))
    print("packages: %s" % " ".join(names))

    files = parse_files(parsed.stdout, names[0])
    for name in names:
        if name not in files:
            problems.append("package %s has no %%files section" % name)
    skipped = skipped_packages(options, names)
    for name, why in sorted(skipped.items()):
        print("not compared: %s (%s)" % (name, why))

    with tempfile.TemporaryDirectory(prefix="pxf-rpm-spec-") as destdir:
        env = dict(os.environ, DESTDIR=destdir)
        inst = subprocess.run(["meson", "install", "-C", args.build, "--no-rebuild",
                               "--destdir", destdir, "--quiet"],
                              capture_output=True, text=True, env=env)
        if inst.returncode != 0:
            print("FAIL: meson install:\n%s%s" % (inst.stdout, inst.stderr))
            return 1
        installed = installed_paths(destdir)
        owner = {}
        for name, entries in sorted(files.items()):
            for directives, path, number in entries:
                if directives & {"doc", "license", "readme"} and not path.startswith("/"):
                    continue  # from the source tree
                if not path.startswith("/"):
                    problems.append("spec line %d (%s): %s is not an absolute path"
                                    % (number, name, path))
                    continue
                if "ghost" in directives:
                    continue
                owned = owned_by(destdir, directives, path)
                if owned is None:
                    if name not in skipped:
                        problems.append("spec line %d (%s): %s matches nothing that "
                                        "meson installs" % (number, name, path))
                    continue
                if "dir" in directives:
                    if not os.path.isdir(destdir + path.rstrip("/")):
                        problems.append("spec line %d (%s): %%dir %s is not a directory"
                                        % (number, name, path))
                    owned &= installed  # an empty directory, if it is one
                for p in owned & installed:
                    if p in owner and owner[p] != (name, number):
                        problems.append("%s is in %s (spec line %d) and in %s (line %d)"
                                        % (p, owner[p][0], owner[p][1], name, number))
                    owner[p] = (name, number)
        for p in sorted(installed - owner.keys()):
            problems.append("%s is installed by meson but in no %%files section" % p)
        print("%d paths installed, %d in %%files" % (len(installed), len(owner)))

    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
