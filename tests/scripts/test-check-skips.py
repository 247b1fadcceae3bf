#!/usr/bin/env python3
"""check-skips.py: in CI an unlisted skip fails the run; a listed one, or
any skip outside CI, does not; every kind of skip is counted."""

import json
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check-skips.py")


def run(builddir, allowed, ci):
    env = dict(os.environ)
    env.pop("CI", None)
    if ci:
        env["CI"] = "true"
    p = subprocess.run([sys.executable, CHECK, "--allowed", allowed, builddir],
                       env=env, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def main():
    failures = []
    checks = []

    def expect(what, cond, out):
        checks.append(what)
        if not cond:
            failures.append("%s:\n%s" % (what, out))

    with tempfile.TemporaryDirectory() as d:
        build = os.path.join(d, "build-ci")
        os.makedirs(os.path.join(build, "meson-logs"))
        entries = [
            {"name": "whole", "result": "SKIP", "stdout": "SKIP: needs KVM\n"},
            {"name": "tap", "result": "OK",
             "stdout": "ok 1 /a/one\nok 2 /a/two # SKIP needs root\n1..2\n"},
            {"name": "py", "result": "OK", "stdout": "case-x: PASS\ncase-y: SKIP\n"},
            {"name": "clean", "result": "OK", "stdout": "ok 1 /b\n1..1\n"},
        ]
        with open(os.path.join(build, "meson-logs", "testlog.json"), "w") as f:
            for e in entries:
                f.write(json.dumps(e) + "\n")
        none = os.path.join(d, "none")
        with open(none, "w") as f:
            f.write("# nothing allowed\n")
        every = os.path.join(d, "every")
        with open(every, "w") as f:
            f.write("whole  # no KVM here\nbuild-ci/tap /a/*  # root\npy case-y  # why\n")
        partial = os.path.join(d, "partial")
        with open(partial, "w") as f:
            f.write("whole  # no KVM here\ntap /b/*  # another path\n")
        uncommented = os.path.join(d, "uncommented")
        with open(uncommented, "w") as f:
            f.write("whole\n")

        rc, out = run(build, none, ci=True)
        expect("CI, nothing allowed: exit 1", rc == 1, out)
        expect("all three skips counted", "3 skipped: 0 allowed" in out, out)
        expect("TAP subtest named", "tap /a/two: needs root" in out, out)
        expect("reason of a whole skip", "whole: needs KVM" in out, out)
        rc, out = run(build, none, ci=False)
        expect("outside CI a skip is reported, not failed", rc == 0 and "3 skipped" in out, out)
        rc, out = run(build, every, ci=True)
        expect("CI, every skip allowed: exit 0", rc == 0 and "3 allowed" in out, out)
        rc, out = run(build, partial, ci=True)
        expect("CI, one pattern for another subtest: exit 1",
               rc == 1 and "1 allowed" in out, out)
        rc, out = run(build, uncommented, ci=False)
        expect("an entry without a reason is refused", rc == 1 and "needs a comment" in out, out)
        rc, out = run(os.path.join(d, "missing"), none, ci=True)
        expect("CI, a missing log fails", rc == 1, out)

    for f in failures:
        print("FAIL: " + f)
    print("%d passed, %d failed" % (len(checks) - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
