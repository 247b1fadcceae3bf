#!/usr/bin/python3
# Runs pxeforge's unit suites on an installed system (package pxeforge-tests):
#   /usr/libexec/installed-tests/pxeforge/run [--list] [TEST...]
# Exit status 0 when no suite fails (skips are fine), 1 otherwise.
#
# The suites read fixtures through the absolute source path they were built
# with (tests.json: source_root). When that path does not exist, the runner
# shows the installed fixtures there, in a private mount namespace with a
# private tmpfs over the path's first directory (/tmp or /var/tmp, where
# packaging/build-debs.sh builds): nothing outside the namespace changes.
# Without root it uses a user namespace (unshare(1), util-linux).
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
# set when installed (tests/packaging/install-tests.py)
MANIFEST = '@MANIFEST@'
NS_ENV = 'PXF_INSTALLED_TESTS_NS'


def load():
    path = os.environ.get('PXF_INSTALLED_TESTS_MANIFEST', MANIFEST)
    with open(path) as f:
        return json.load(f)


def reexec_in_namespace(manifest):
    """Re-runs this script where source_root shows the installed fixtures;
    returns only when that is not possible."""
    src = manifest['source_root']
    top = '/' + src.strip('/').split('/')[0]
    if top not in ('/tmp', '/var/tmp'):
        print('# note: built in %s, not under /tmp or /var/tmp: the suites that read '
              'fixtures cannot find them' % src, flush=True)
        return
    script = ('set -e; mount -t tmpfs -o mode=1777 pxeforge-tests "$1"; '
              'mkdir -p "$(dirname "$2")"; ln -s "$3" "$2"; shift 3; exec "$@"')
    inner = [sys.executable, os.path.realpath(__file__)] + sys.argv[1:]
    cmd = ['unshare', '--mount', '--propagation', 'private']
    if os.getuid() != 0:
        # root in a user namespace of our own, for the mount; then back to
        # our own ids, so that the suites that need real root still skip
        cmd += ['--user', '--map-root-user']
        inner = ['unshare', '--user', '--map-user=%d' % os.getuid(),
                 '--map-group=%d' % os.getgid()] + inner
    cmd += ['sh', '-c', script, 'sh', top, src, manifest['installed_source']] + inner
    env = dict(os.environ, **{NS_ENV: '1'})
    try:
        os.execvpe(cmd[0], cmd, env)
    except OSError as e:
        print('# note: cannot run unshare (%s): the suites that read fixtures cannot '
              'find them' % e, flush=True)


def run_one(test, manifest, tmp):
    env = dict(os.environ)
    env.update(test['env'])
    env['G_TEST_SRCDIR'] = os.path.join(manifest['installed_source'], 'tests')
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
    if (not os.path.isdir(manifest['source_root']) and os.environ.get(NS_ENV) is None):
        reexec_in_namespace(manifest)

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
