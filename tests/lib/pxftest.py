# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the Python integration tests share (stdlib only): a real pxeforged
with a private configuration directory, plugin directory, state directory,
control socket and NOTIFY_SOCKET in a temporary directory; the pxeforge CLI
against it; a main() for one case; network namespace helpers.

Imported by tests/integration, tests/howto, plugins/*/tests and
plugins/common/osprofile_daemon.py, after
    sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
"""
import ctypes
import ctypes.util
import os
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import time

TIMEOUT = 20
SKIP = 77
CLONE_NEWNET = 0x40000000
# what a clean stop must not leave in the daemon's log
SANITIZER_NEEDLES = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "critical:")
# the memory errors alone
MEMORY_ERRORS = ("ERROR: AddressSanitizer", "runtime error:")


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def free_port(kind=socket.SOCK_STREAM):
    """A port nobody uses now on 127.0.0.1 (the daemon binds it a moment later)."""
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def flood(source, port, n):
    """n non-blocking TCP connections from source to 127.0.0.1:port, the
    descriptor limit raised for them; the connects past the listen backlog
    go on in the kernel. The caller closes the sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2 * n + 200 and hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 2 * n + 200), hard))
    sockets = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.bind((source, 0))
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        sockets.append(s)
    return sockets


def crypt(password, setting):
    """libcrypt's crypt(3), the function the installed system will use."""
    lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    out = lib.crypt(password.encode(), setting.encode())
    return out.decode() if out is not None else None


def plugin_so(build, name):
    """BUILD/plugins/NAME/NAME.so"""
    return os.path.join(build, "plugins", name, name + ".so")


def built_plugins(build, tests=False):
    """Every plugin built in this tree (BUILD/plugins/*/*.so), and with tests
    the test plugins next to them too (BUILD/plugins/*/tests/*.so)."""
    pdir = os.path.join(build, "plugins")
    found = []
    for d in sorted(os.listdir(pdir)):
        subs = [os.path.join(pdir, d)] + ([os.path.join(pdir, d, "tests")] if tests else [])
        for sub in subs:
            if os.path.isdir(sub):
                found += [os.path.join(sub, n) for n in sorted(os.listdir(sub))
                          if n.endswith(".so")]
    return found


class Env:
    """A configuration directory (with conf.d), a private plugin directory
    holding copies of `plugins` (paths of .so files; missing ones are left
    out), `dirs` (relative to the root), state, a control socket and one
    pxeforged, all under a temporary root that close() removes."""

    def __init__(self, build, prefix, plugins=(), dirs=()):
        self.build = build
        self.pxeforged = os.path.join(build, "core", "pxeforged")
        self.pxeforge = os.path.join(build, "core", "pxeforge")
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.config = os.path.join(self.root, "etc")
        self.plugins = os.path.join(self.root, "plugins")
        self.state = os.path.join(self.root, "state")
        self.socket = os.path.join(self.root, "run", "control.sock")
        self.log = os.path.join(self.root, "daemon.log")
        self.log_mode = "w"  # "a": a restart appends to the log
        self.timeout = TIMEOUT  # of each wait for the daemon and each CLI run
        self.netns = None  # a namespace name: pxeforged runs in it
        self.cwd = None  # where pxeforged and the CLI run (None: the test's own)
        for d in (os.path.join(self.config, "conf.d"), self.plugins) + tuple(dirs):
            os.makedirs(os.path.join(self.root, d))
        self.add_plugins(*plugins)
        # GSlice hides leaked structures from LeakSanitizer in sanitizer builds
        self.env = dict(os.environ, PXEFORGE_TEST="1", PXEFORGE_PLUGIN_DIR=self.plugins,
                        G_SLICE="always-malloc")
        self.env.pop("NOTIFY_SOCKET", None)
        self.daemon = None
        self.notify = None
        self.logf = None

    def add_plugins(self, *paths):
        for so in paths:
            if os.path.exists(so):
                shutil.copy(so, self.plugins)
                os.chmod(os.path.join(self.plugins, os.path.basename(so)), 0o755)

    def has_plugin(self, name):
        return os.path.exists(os.path.join(self.plugins, name + ".so"))

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def write(self, rel, data, mode=None):
        """Writes a file relative to the configuration directory (or at an
        absolute path), bytes in binary; returns its path."""
        path = os.path.join(self.config, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, mode or ("wb" if isinstance(data, bytes) else "w")) as f:
            f.write(data)
        return path

    def seed_state(self, mac, state, reason="seeded by the test"):
        """A host record as the state store keeps it (docs/state.md, format 1)."""
        now = int(time.time() * 1000000)
        path = os.path.join(self.state, "hosts", mac + ".json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write('{"format": 1, "mac": "%s", "state": "%s", "since": %d, "history": '
                    '[{"state": "%s", "timestamp": %d, "reason": "%s"}]}'
                    % (mac, state, now, state, now, reason))

    def cli(self, *args, expect=0):
        cmd = [self.pxeforge, "--config", self.config, "--socket", self.socket] + list(args)
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True,
                           timeout=self.timeout, cwd=self.cwd)
        print("$ pxeforge " + " ".join(args))
        print(p.stdout + p.stderr)
        if expect is not None:
            check(p.returncode == expect,
                  "pxeforge %s exited %d, expected %d" % (" ".join(args), p.returncode, expect))
        return p

    def state_of(self, mac):
        first = self.cli("state", mac).stdout.splitlines()[0]
        return first.split(": ", 1)[1].strip()

    def start(self, user="", extra=(), wait_ready=True):
        """Starts pxeforged (again, after a stop) and waits for READY=1."""
        npath = os.path.join(self.root, "notify.sock")
        if self.notify is not None:
            self.notify.close()
        if os.path.exists(npath):
            os.unlink(npath)
        if self.logf is not None:
            self.logf.close()
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(npath)
        os.chmod(npath, 0o777)  # as systemd's: the daemon sends after dropping root
        self.notify.settimeout(self.timeout)
        self.logf = open(self.log, self.log_mode)
        cmd = [self.pxeforged, "--config", self.config, "--state-dir", self.state,
               "--control-socket", self.socket, "--user", user] + list(extra)
        if self.netns is not None:
            # exec'd by ip: the PID is pxeforged's own
            cmd = ["ip", "netns", "exec", self.netns] + cmd
        self.daemon = subprocess.Popen(cmd, env=dict(self.env, NOTIFY_SOCKET=npath),
                                       stdout=self.logf, stderr=subprocess.STDOUT,
                                       cwd=self.cwd)
        if wait_ready:
            self.expect_notify("READY=1")

    def drain_notify(self):
        """Forget what earlier reloads said, so the next wait sees this one."""
        self.notify.setblocking(False)
        try:
            while True:
                self.notify.recv(4096)
        except BlockingIOError:
            pass
        finally:
            self.notify.settimeout(self.timeout)

    def expect_notify(self, needle):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                msg = self.notify.recv(4096).decode()
            except socket.timeout:
                break
            print("notify: " + msg.replace("\n", " | "))
            if needle in msg.split("\n"):
                return msg
        raise Fail("no %s from pxeforged; log:\n%s" % (needle, self.daemon_log()))

    def daemon_log(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def wait_log(self, *needles, timeout=None):
        """The log once it has all needles (the daemon logs some lines after
        it notifies), or as it is when the time is up."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            log = self.daemon_log()
            if all(n in log for n in needles):
                return log
            time.sleep(0.05)
        return self.daemon_log()

    def stop(self):
        """SIGTERM, and SIGKILL when that does not stop it in time."""
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(self.timeout)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        if self.logf is not None:
            self.logf.close()
            self.logf = None

    def stop_clean(self, sig=signal.SIGTERM, check_exited=True):
        """Stops the daemon and fails unless that was clean: it stopped in
        time, exited 0 after SIGTERM (also when it had exited before, with
        check_exited) and left no sanitizer report in the log. For tests that
        stop and start it again."""
        proc, self.daemon = self.daemon, None
        running = proc is not None and proc.poll() is None
        if running:
            proc.send_signal(sig)
            try:
                proc.wait(self.timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise Fail("pxeforged did not stop on %s" % sig.name)
        if ((running or (proc is not None and check_exited)) and sig == signal.SIGTERM
                and proc.returncode != 0):
            raise Fail("pxeforged exited %d; log:\n%s" % (proc.returncode, self.daemon_log()))
        if "Sanitizer" in self.daemon_log() or "runtime error:" in self.daemon_log():
            raise Fail("sanitizer report in the log:\n" + self.daemon_log())
        for f in (self.notify, self.logf):
            if f is not None:
                f.close()
        self.notify = self.logf = None

    def check_log(self, needles=SANITIZER_NEEDLES):
        log = self.daemon_log()
        for needle in needles:
            check(needle not in log, "daemon log has %s:\n%s" % (needle, log))

    def stop_and_check(self, needles=SANITIZER_NEEDLES, check_rc=True):
        """A clean stop: exit status 0 and no sanitizer report in the log."""
        if self.daemon is None:
            return
        self.stop()
        self.check_log(needles)
        if check_rc:
            check(self.daemon.returncode == 0,
                  "pxeforged exited %d after SIGTERM" % self.daemon.returncode)

    def close(self):
        try:
            self.stop()
        except Fail:
            pass  # a subclass's stop() that checks: the case reported it already
        if self.logf is not None:
            self.logf.close()
            self.logf = None
        if self.notify is not None:
            self.notify.close()
            self.notify = None
        shutil.rmtree(self.root, ignore_errors=True)


def missing(needs):
    """What of needs (programs, or paths of built files) is not there: a
    message, or None."""
    for need in needs:
        if "/" in need and not os.path.exists(need):
            return "%s is not built" % need
        if "/" not in need and shutil.which(need) is None:
            return "%s is not installed" % need
    return None


def main(make_env, case, finish=None, name="", needs=()):
    """Runs case(env) on a fresh make_env(), then finish(env) (default: a
    clean stop, Env.stop_and_check); exit code 0, 1 or 77 (something of
    needs missing, Skip raised, or 77 returned by the case)."""
    why = missing(needs)
    if why:
        print("SKIP: %s" % why)
        return SKIP
    try:
        e = make_env()
    except Skip as ex:
        print("SKIP: %s" % ex)
        return SKIP
    try:
        if case(e) == SKIP:
            return SKIP
        (finish or Env.stop_and_check)(e)
    except Skip as ex:
        print("SKIP: %s" % ex)
        return SKIP
    except Fail as ex:
        print("FAIL: %s%s" % (name + ": " if name else "", ex))
        if e.daemon is not None and os.path.exists(e.log):
            print("--- daemon log ---\n" + e.daemon_log())
        return 1
    finally:
        e.close()
    print("PASS" + (": " + name if name else ""))
    return 0


# ---- network namespaces ------------------------------------------------------------

def run(*cmd, check_rc=True, timeout=TIMEOUT):
    p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout)
    if check_rc and p.returncode != 0:
        raise Fail("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return p


def veth_pair(dev_a, ns_a, dev_b, ns_b):
    """A veth pair with one end in each namespace (the pair is deleted again
    when moving an end fails)."""
    run("ip", "link", "add", dev_a, "type", "veth", "peer", "name", dev_b)
    try:
        run("ip", "link", "set", dev_a, "netns", ns_a)
        run("ip", "link", "set", dev_b, "netns", ns_b)
    except Fail:
        run("ip", "link", "del", dev_a, check_rc=False)
        raise


def wait_link_up(ns, dev, what=None, timeout=TIMEOUT):
    """The veth carrier comes up asynchronously."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "LOWER_UP" in run("ip", "-n", ns, "-o", "link", "show", dev).stdout:
            return
        time.sleep(0.05)
    raise Fail(what or "veth %s never came up" % dev)


def in_netns(ns, fn, *args):
    """Runs fn(*args) with this thread inside namespace ns (its sockets stay
    there), and comes back."""
    libc = ctypes.CDLL(None, use_errno=True)
    orig = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            raise Fail("setns %s: %s" % (ns, os.strerror(ctypes.get_errno())))
        try:
            return fn(*args)
        finally:
            if libc.setns(orig, CLONE_NEWNET) != 0:
                raise Fail("setns back: %s" % os.strerror(ctypes.get_errno()))
    finally:
        os.close(orig)
        os.close(target)


class NetnsPair:
    """Two namespaces, a server's and a client's, joined by a veth pair
    (sdev in the server's, cdev in the client's): create() makes them,
    cleanup() deletes the namespaces (and so the pair) again."""

    def __init__(self, name, dev):
        tag = "%d" % os.getpid()
        self.server = "pxf-%s-s-%s" % (name, tag)
        self.client = "pxf-%s-c-%s" % (name, tag)
        self.sdev = "%s%ss" % (dev, tag[-8:])
        self.cdev = "%s%sc" % (dev, tag[-8:])
        self.created = []

    def create(self):
        for ns in (self.server, self.client):
            run("ip", "netns", "add", ns)
            self.created.append(ns)
        veth_pair(self.sdev, self.server, self.cdev, self.client)

    def exec_argv(self, ns, argv=()):
        return ["ip", "netns", "exec", ns] + list(argv)

    def cleanup(self):
        for ns in self.created:
            run("ip", "netns", "del", ns, check_rc=False)
        self.created = []
