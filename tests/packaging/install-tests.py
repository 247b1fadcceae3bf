#!/usr/bin/env python3
# Meson install script (-Dinstalled_tests=true): installs the unit suites so
# that they run on an installed system (the pxeforge-tests package).
#
#   LIBEXECDIR/installed-tests/pxeforge/bin/<test>      the test binaries
#   LIBEXECDIR/installed-tests/pxeforge/plugins/*.so    the test plugins
#   LIBEXECDIR/installed-tests/pxeforge/run             the runner
#   DATADIR/pxeforge/installed-tests/tests.json         what to run, and how
#   DATADIR/pxeforge/installed-tests/source/...         the fixtures they read
#     (tests/data, plugins/*/templates, plugins/*/tests/data)
#
# The list comes from meson's own test list (meson-info/intro-tests.json,
# suite "unit"), so a new unit suite is installed without touching this.
# The suites read their fixtures under $PXF_TEST_SRCDIR (tests/pxf-test-paths.h),
# a copy of the source tree's fixture files: tests.json records where that
# copy is, relative to tests.json itself (so that it also holds under DESTDIR),
# and the runner sets the variable to it.
import json
import os
import shutil
import sys


def destdir_path(path):
    destdir = os.environ.get('DESTDIR', '')
    if destdir:
        return os.path.join(destdir, path.lstrip('/'))
    return path


def main():
    libexecdir, datadir, runner = sys.argv[1:4]
    build_root = os.environ['MESON_BUILD_ROOT']
    source_root = os.environ['MESON_SOURCE_ROOT']
    quiet = os.environ.get('MESON_INSTALL_QUIET')
    testdir = os.path.join(libexecdir, 'installed-tests', 'pxeforge')
    sharedir = os.path.join(datadir, 'pxeforge', 'installed-tests')
    srcdir = os.path.join(sharedir, 'source')

    with open(os.path.join(build_root, 'meson-info', 'intro-tests.json')) as f:
        tests = json.load(f)

    os.makedirs(destdir_path(os.path.join(testdir, 'bin')), exist_ok=True)
    entries = []
    for t in tests:
        if not any(s.split(':')[-1] == 'unit' for s in t['suite']):
            continue
        exe = t['cmd'][0]
        # unit suites run a binary of this build; scripts stay in the tree
        if not exe.startswith(build_root + '/'):
            continue
        with open(exe, 'rb') as f:
            if f.read(4) != b'\x7fELF':
                continue
        dest = os.path.join(testdir, 'bin', t['name'])
        shutil.copy2(exe, destdir_path(dest))
        os.chmod(destdir_path(dest), 0o755)
        env = {k: v for k, v in t['env'].items()
               if k in ('G_DEBUG', 'MALLOC_PERTURB_', 'PXEFORGE_TEST')}
        entries.append({'name': t['name'], 'args': t['cmd'][1:],
                        'timeout': t['timeout'], 'protocol': t['protocol'],
                        'suites': sorted(s.split(':')[-1] for s in t['suite']),
                        'env': env})
        if not quiet:
            print('Installing test %s to %s' % (t['name'], dest))

    plugins = os.path.join(build_root, 'tests', 'plugins')
    os.makedirs(destdir_path(os.path.join(testdir, 'plugins')), exist_ok=True)
    if os.path.isdir(plugins):
        for name in sorted(os.listdir(plugins)):
            if name.endswith('.so'):
                dest = destdir_path(os.path.join(testdir, 'plugins', name))
                shutil.copy2(os.path.join(plugins, name), dest)
                os.chmod(dest, 0o644)

    # the fixtures the suites read from the source tree
    trees = [os.path.join('tests', 'data')]
    for name in sorted(os.listdir(os.path.join(source_root, 'plugins'))):
        for sub in ('templates', os.path.join('tests', 'data')):
            if os.path.isdir(os.path.join(source_root, 'plugins', name, sub)):
                trees.append(os.path.join('plugins', name, sub))
    for tree in trees:
        dest = destdir_path(os.path.join(srcdir, tree))
        if os.path.exists(dest):
            shutil.rmtree(dest)
        shutil.copytree(os.path.join(source_root, tree), dest, symlinks=True)
        for top, dirs, files in os.walk(dest):
            for d in dirs:
                os.chmod(os.path.join(top, d), 0o755)
            for name in files:
                path = os.path.join(top, name)
                if not os.path.islink(path):
                    os.chmod(path, 0o644)

    manifest = {'srcdir': os.path.relpath(srcdir, sharedir), 'tests': entries}
    manifest_path = os.path.join(sharedir, 'tests.json')
    with open(destdir_path(manifest_path), 'w') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write('\n')
    os.chmod(destdir_path(manifest_path), 0o644)
    with open(runner) as f:
        text = f.read()
    dest = destdir_path(os.path.join(testdir, 'run'))
    with open(dest, 'w') as f:
        f.write(text.replace('@MANIFEST@', manifest_path))
    os.chmod(dest, 0o755)


if __name__ == '__main__':
    main()
