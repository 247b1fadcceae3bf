#!/usr/bin/python3
# Runs pxeforge's unit suites on an installed system (package pxeforge-tests):
#   /usr/libexec/installed-tests/pxeforge/run [--list] [TEST...]
# Exit status 0 when no suite fails (skips are fine), 1 otherwise.
#
# The suites read their fixtures under $PXF_TEST_SRCDIR (tests/pxf-test-paths.h):
# the runner sets it to the installed copy that tests.json names.
#
# Set PXF_INSTALLED_TESTS_MANIFEST to another tests.json to run a copy that
# is not at its installed path (e.g. under a meson install DESTDIR).
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
# set when installed (tests/packaging/install-tests.py)
MANIFEST = '@MANIFEST@'


def load():
    """The manifest, with 'srcdir' made absolute."""
    path = os.environ.get('PXF_INSTALLED_TESTS_MANIFEST', MANIFEST)
    with open(path) as f:
        manifest = json.load(f)
    manifest['srcdir'] = os.path.join(os.path.dirname(os.path.abspath(path)),
                                      manifest['srcdir'])
    return manifest


def run_one(test, manifest, tmp):
    env = dict(os.environ)
    env.update(test['env'])
    env['PXF_TEST_SRCDIR'] = manifest['srcdir']
    env['G_TEST_SRCDIR'] = os.path.join(manifest['srcdir'], 'tests')
    env['G_TEST_BUILDDIR'] = HERE
    env['PXEFORGE_PLUGIN_DIR'] = os.path.join(HERE, 'plugins')
    env['PXEFORGE_TEST'] = '1'
    cmd = [os.path.join(HERE, 'bin', test['name'])] + test['args']
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, cwd=tmp, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=test['timeout'] * 2)
        out = proc.stdout.decode(errors='replace')
        rc = proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode(errors='replace') + '\n# timed out\n'
        rc = -1
    secs = time.monotonic() - start
    failed = [l for l in out.splitlines() if l.startswith('not ok') and '# TODO' not in l]
    if rc == 77:
        status = 'SKIP'
    elif rc != 0 or failed:
        status = 'FAIL'
    else:
        status = 'OK'
    return status, secs, out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('-')]
    manifest = load()
    tests = manifest['tests']
    if '--list' in sys.argv:
        for t in tests:
            print(t['name'])
        return 0
    if '-h' in sys.argv or '--help' in sys.argv:
        print('usage: %s [--list] [TEST...]' % sys.argv[0])
        return 0
    unknown = set(args) - {t['name'] for t in tests}
    if unknown:
        print('unknown test: %s' % ', '.join(sorted(unknown)), file=sys.stderr)
        return 2
    if args:
        tests = [t for t in tests if t['name'] in args]
    if not os.path.isdir(manifest['srcdir']):
        print('the fixtures are missing: %s' % manifest['srcdir'], file=sys.stderr)
        return 2

    counts = {'OK': 0, 'FAIL': 0, 'SKIP': 0}
    with tempfile.TemporaryDirectory(prefix='pxeforge-tests-') as tmp:
        for i, t in enumerate(tests, 1):
            status, secs, out = run_one(t, manifest, tmp)
            counts[status] += 1
            print('%3d/%d %-20s %-4s %6.2fs' % (i, len(tests), t['name'], status, secs),
                  flush=True)
            if status == 'FAIL':
                print(''.join('    ' + l + '\n' for l in out.splitlines()[-40:]), flush=True)
    print('\nOk: %d  Fail: %d  Skipped: %d' % (counts['OK'], counts['FAIL'], counts['SKIP']))
    return 1 if counts['FAIL'] else 0


if __name__ == '__main__':
    sys.exit(main())
