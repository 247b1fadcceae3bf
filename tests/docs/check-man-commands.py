#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that the man pages of the two programs describe what they accept.

usage: check-man-commands.py PXEFORGE PXEFORGED MANDIR

From the programs' own --help output:
  - every command `pxeforge --help` lists (and each subcommand of
    "host list|import FILE|reinstall MAC") has a term in pxeforge.1.scd, a
    line starting with *COMMAND* (or *host list*);
  - every long option of `pxeforge COMMAND --help` (the commands that take
    options) and of `pxeforged --help` appears as *--OPTION* in the page;
  - the global options of the usage line appear as *--OPTION* terms;
  - and the reverse: every *COMMAND* term of the COMMANDS section of
    pxeforge.1.scd is a command the program knows (it answers "unknown
    command" otherwise).
Only commands whose synopsis shows options are run with --help: the others
would act (reload, check).
"""

import os
import re
import subprocess
import sys

LONG_OPTION_RE = re.compile(r"^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)")


def run(cmd):
    # --help exits 0; a command's usage error exits 2 and prints to stderr
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def commands_from_usage(text):
    """{command: [subcommands]} from `pxeforge --help`."""
    commands = {}
    in_list = False
    for line in text.splitlines():
        if line.startswith("commands:"):
            in_list = True
            continue
        if not in_list or not line.startswith("  "):
            continue
        synopsis = re.split(r"\s{2,}", line.strip())[0]
        alternatives = synopsis.split("|")
        words = alternatives[0].split()
        name = words[0]
        subs = []
        if len(words) > 1 and re.fullmatch(r"[a-z]+", words[1]):
            subs.append(words[1])
            for alt in alternatives[1:]:
                first = alt.split()[0] if alt.split() else ""
                if re.fullmatch(r"[a-z]+", first) and "FILE" not in first:
                    subs.append(first)
        commands[name] = subs
    return commands


def usage_line(usage, name):
    for line in usage.splitlines():
        if line.startswith("  %s " % name) or line.strip() == name:
            return line
    return ""


def long_options(help_text):
    options = set()
    for line in help_text.splitlines():
        m = LONG_OPTION_RE.match(line)
        if m and m.group(1) != "--help":
            options.add(m.group(1))
    return options


def page_terms(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def main():
    pxeforge, pxeforged, mandir = sys.argv[1:4]
    problems = []

    page1 = page_terms(os.path.join(mandir, "pxeforge.1.scd"))
    page8 = page_terms(os.path.join(mandir, "pxeforged.8.scd"))

    rc, usage = run([pxeforge, "--help"])
    commands = commands_from_usage(usage)
    if rc != 0 or not commands:
        print("FAIL: no command list from %s --help:\n%s" % (pxeforge, usage))
        return 1
    for name, subs in sorted(commands.items()):
        terms = ["%s %s" % (name, s) for s in subs] or [name]
        for term in terms:
            if not re.search(r"^\*%s\*" % re.escape(term), page1, re.M):
                problems.append("pxeforge.1: command '%s' has no *%s* term" % (term, term))
        if "--" not in usage_line(usage, name):
            continue  # takes no options: not run, it may act (reload, check)
        rc, text = run([pxeforge, name, "--help"])
        if "Application Options:" not in text:
            continue  # not GOption (demo: its options are passed on to demo.py)
        # each option must be in the command's own entry: its term line and
        # the indented text after it
        entry = re.search(r"^\*%s\*.*?(?=^\*[a-z]|^# )" % re.escape(name), page1, re.M | re.S)
        for option in sorted(long_options(text)):
            if entry is None or ("*%s*" % option) not in entry.group(0):
                problems.append("pxeforge.1: option %s of '%s' is not documented in "
                                "its entry" % (option, name))
    for option in re.findall(r"\[(--[a-z-]+)", usage.splitlines()[0]):
        if not re.search(r"^\*%s\*" % re.escape(option), page1, re.M):
            problems.append("pxeforge.1: global option %s has no term" % option)

    # the reverse: terms in COMMANDS that the program does not know
    m = re.search(r"^# COMMANDS\n(.*?)^# ", page1, re.M | re.S)
    documented = set(re.findall(r"^\*([a-z]+)\*", m.group(1) if m else "", re.M))
    documented |= set(re.findall(r"^\*([a-z]+) [a-z]+\*", m.group(1) if m else "", re.M))
    for name in sorted(documented - commands.keys()):
        # not in the usage (an alias, or gone): only an unknown command is
        # refused before anything runs, so --help is safe here
        rc, text = run([pxeforge, name, "--help"])
        if "unknown command" in text:
            problems.append("pxeforge.1: documents command '%s', which pxeforge does not "
                            "know" % name)

    rc, text = run([pxeforged, "--help"])
    options = long_options(text)
    if rc != 0 or not options:
        print("FAIL: no options from %s --help:\n%s" % (pxeforged, text))
        return 1
    for option in sorted(options):
        if not re.search(r"^\*(?:-\w\*, \*)?%s\*" % re.escape(option), page8, re.M):
            problems.append("pxeforged.8: option %s has no term" % option)

    for p in problems:
        print("FAIL:", p)
    print("%d commands, %d daemon options checked, %d problems"
          % (len(commands), len(options), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
