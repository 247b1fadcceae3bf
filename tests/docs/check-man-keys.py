#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that the man pages document exactly the configuration keys the code
declares.

usage: check-man-keys.py [--path-map BUILT=DOCUMENTED]... DUMP-KEYS MANDIR [PLUGIN.so...]

DUMP-KEYS (tests/docs/pxf-dump-keys) prints every key the daemon section and
the given plugin modules declare, with type and default, from their
descriptors. In the scdoc sources under MANDIR, a comment line

    ; keys: plugins.dhcp

says that the key terms after it, up to the next such comment, belong to that
section. A key term is a line of the form

    *KEY* (TYPE) or *KEY* (TYPE, default: VALUE)

with KEY relative to the section (nested keys joined by dots:
subnets.lease_time). The test fails when
  - a declared key has no term (undocumented),
  - a term names a key the code does not declare (stale),
  - a term's type differs from the declared one,
  - a term's default differs from the declared one, or it gives a default
    where the code has none (or none where the code has one).
Defaults that are build paths are compared after --path-map, which maps this
build's directories to the packaged ones the pages give (/usr/share/pxeforge...).
"""

import argparse
import os
import re
import subprocess
import sys

SECTION_RE = re.compile(r"^; keys: ([A-Za-z0-9_.-]+)\s*$")
TERM_RE = re.compile(r"^\*([A-Za-z0-9_.-]+)\* \(([^,)]+)(?:, default: (.*))?\)\s*$")
# a line that looks like a key term but is malformed: caught, not skipped
LOOSE_TERM_RE = re.compile(r"^\*[A-Za-z0-9_.-]+\* \(")


def unescape(text):
    return re.sub(r"\\(.)", r"\1", text)


def normalize_default(value, path_map):
    if value is None or value in ("", "-"):
        return None
    for built, documented in path_map:
        if value == built or value.startswith(built + "/"):
            value = documented + value[len(built):]
    items = [item.strip() for item in value.split(",")]
    return ", ".join(items)


def read_declared(dump, plugins):
    env = dict(os.environ)
    # the build tree's modules are not owned by root: the loader's test mode
    env["PXEFORGE_TEST"] = "1"
    proc = subprocess.run([dump] + plugins, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        print("FAIL: %s could not list the declared keys:\n%s" % (dump, proc.stderr))
        sys.exit(1)
    out = proc.stdout
    declared = {}
    for line in out.splitlines():
        path, type_, default, _description = line.split("\t", 3)
        declared[path] = (type_, None if default == "-" else default)
    return declared


def read_documented(mandir, problems):
    documented = {}
    for name in sorted(os.listdir(mandir)):
        if not name.endswith(".scd"):
            continue
        section = None
        with open(os.path.join(mandir, name), encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                line = line.rstrip("\n")
                where = "%s:%d" % (name, number)
                m = SECTION_RE.match(line)
                if m:
                    section = m.group(1)
                    continue
                m = TERM_RE.match(line)
                if not m:
                    if LOOSE_TERM_RE.match(line):
                        problems.append("%s: malformed key term: %s" % (where, line))
                    continue
                if section is None:
                    problems.append("%s: key term *%s* before any '; keys:' comment"
                                    % (where, m.group(1)))
                    continue
                path = section + "." + m.group(1)
                default = unescape(m.group(3)) if m.group(3) is not None else None
                if path in documented:
                    problems.append("%s: %s documented twice (also %s)"
                                    % (where, path, documented[path][2]))
                    continue
                documented[path] = (m.group(2), default, where)
    return documented


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--path-map", action="append", default=[])
    parser.add_argument("dump")
    parser.add_argument("mandir")
    parser.add_argument("plugins", nargs="*")
    args = parser.parse_args()
    path_map = [tuple(m.split("=", 1)) for m in args.path_map]

    problems = []
    declared = read_declared(args.dump, args.plugins)
    documented = read_documented(args.mandir, problems)
    # plugins not built here (-Dplugin_x=disabled) keep their pages: only keys
    # of the sections dumped are compared
    sections = {p.rsplit(".", 1)[0] for p in declared if p.count(".") == 1}
    sections |= {".".join(p.split(".")[:2]) for p in declared if p.startswith("plugins.")}

    for path, (type_, default) in sorted(declared.items()):
        doc = documented.get(path)
        if doc is None:
            problems.append("%s (%s): declared in the code, documented in no man page"
                            % (path, type_))
            continue
        doc_type, doc_default, where = doc
        if doc_type != type_:
            problems.append("%s: %s says type '%s', the code declares '%s'"
                            % (where, path, doc_type, type_))
        want = normalize_default(default, path_map)
        have = normalize_default(doc_default, [])
        if want != have:
            problems.append("%s: %s says default %s, the code's is %s"
                            % (where, path, repr(have) if have else "none",
                               repr(want) if want else "none"))
    for path, (_type, _default, where) in sorted(documented.items()):
        section = path.split(".")[0] if path.startswith("daemon.") else \
            ".".join(path.split(".")[:2])
        if section in sections and path not in declared:
            problems.append("%s: %s is documented but the code declares no such key"
                            % (where, path))

    for p in problems:
        print("FAIL:", p)
    print("%d keys declared (%d sections), %d documented, %d problems"
          % (len(declared), len(sections), len(documented), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
