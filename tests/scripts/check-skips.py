#!/usr/bin/env python3
"""Counts what the test runs of one or more build directories skipped, and
in CI (CI=true) fails on every skip that tests/allowed-skips does not list.

A skip hides a test that proved nothing: a whole test that exited 77, a GTest
case that called g_test_skip() (TAP "ok N /path # SKIP why"), or a case of a
Python test that printed "SKIP: why" or "NAME: SKIP" while the test as a
whole passed. CI runs as root with every package of scripts/dev installed,
so there nothing should skip but what this machine cannot do.

usage: check-skips.py [--allowed FILE] BUILDDIR...
exit: 0, or 1 when CI=true and a skip is not allowed (or a log is missing).
"""

import argparse
import fnmatch
import json
import os
import re
import sys

TAP_SKIP = re.compile(r"^ok\s+\d+\s+(?:-\s+)?(\S.*?)\s+#\s*SKIP\b\s*(.*)$", re.I)
PLAIN_SKIP = re.compile(r"^SKIP:\s*(.*)$")
CASE_SKIP = re.compile(r"^(\S+):\s+SKIP\s*$")


def load_allowed(path):
    """Patterns "TEST" or "TEST SUBTEST" (fnmatch), one a line; "#" starts a
    comment, and every pattern must have one saying why it is allowed."""
    allowed = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            text, _, why = line.partition("#")
            fields = text.split()
            if not fields:
                continue
            if len(fields) > 2:
                raise ValueError("%s:%d: expected TEST [SUBTEST], got %r"
                                 % (path, lineno, text.strip()))
            if not why.strip():
                raise ValueError("%s:%d: an allowed skip needs a comment saying why"
                                 % (path, lineno))
            allowed.append((fields[0], fields[1] if len(fields) > 1 else "*"))
    return allowed


def skips_of(entry):
    """(subtest, reason) of each skip in one testlog.json entry; subtest is
    "" for the whole test."""
    out = []
    stdout = entry.get("stdout") or ""
    lines = stdout.splitlines()
    if entry.get("result") == "SKIP":
        reason = next((m.group(1) for m in map(PLAIN_SKIP.match, lines) if m), "")
        return [("", reason or "exit status 77")]
    for line in lines:
        m = TAP_SKIP.match(line)
        if m:
            out.append((m.group(1), m.group(2)))
            continue
        m = PLAIN_SKIP.match(line)
        if m:
            out.append(("", m.group(1)))
            continue
        m = CASE_SKIP.match(line)
        if m:
            out.append((m.group(1), ""))
    return out


def is_allowed(allowed, build, name, subtest):
    for tpat, spat in allowed:
        if not (fnmatch.fnmatchcase(name, tpat)
                or fnmatch.fnmatchcase("%s/%s" % (build, name), tpat)):
            continue
        if fnmatch.fnmatchcase(subtest, spat):
            return True
    return False


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--allowed", default=os.path.join(here, "..", "allowed-skips"))
    ap.add_argument("builddirs", nargs="+")
    args = ap.parse_args(argv)
    ci = os.environ.get("CI", "") == "true"
    try:
        allowed = load_allowed(args.allowed)
    except (OSError, ValueError) as e:
        print("check-skips: %s" % e, file=sys.stderr)
        return 1

    found = []
    bad_logs = []
    for builddir in args.builddirs:
        build = os.path.basename(os.path.normpath(builddir))
        log = os.path.join(builddir, "meson-logs", "testlog.json")
        try:
            with open(log, encoding="utf-8") as f:
                for lineno, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        entry = json.loads(line)
                    except ValueError as e:
                        bad_logs.append("%s:%d: %s" % (log, lineno, e))
                        continue
                    for subtest, reason in skips_of(entry):
                        found.append((build, entry.get("name", "?"), subtest, reason))
        except OSError as e:
            bad_logs.append("%s: %s" % (log, e.strerror))

    unexpected = 0
    for build, name, subtest, reason in found:
        ok = is_allowed(allowed, build, name, subtest)
        unexpected += 0 if ok else 1
        print("  %-8s %s/%s%s%s" % ("allowed" if ok else "SKIPPED", build, name,
                                     " " + subtest if subtest else "",
                                     ": " + reason if reason else ""))
    for msg in bad_logs:
        print("check-skips: %s" % msg, file=sys.stderr)
    print("%d skipped: %d allowed on this machine (%s), %d not"
          % (len(found), len(found) - unexpected, os.path.relpath(args.allowed),
             unexpected))
    if ci and (unexpected or bad_logs):
        print("check-skips: in CI a skip is a failure unless %s lists it"
              % os.path.relpath(args.allowed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
