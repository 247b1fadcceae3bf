# SPDX-License-Identifier: LGPL-2.1-or-later
"""A real pxeforged for the OS profile plugins' integration tests (preseed,
autoinstall): a configuration directory, this build's plugins (and the http
plugin's test plugin httptest, which records 127.0.0.x addresses as leased
to hosts, as the dhcp plugin does on an ACK: the inventory refuses loopback
fixed addresses), a control socket and curl on 127.0.0.1-127.0.0.3 only.
Imported by plugins/NAME/tests/NAME-daemon.py."""
import ctypes
import ctypes.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

TIMEOUT = 20


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def crypt(password, setting):
    """libcrypt's crypt(3), the function the installed system will use."""
    lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    out = lib.crypt(password.encode(), setting.encode())
    return out.decode() if out is not None else None


def free_tcp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Env:
    """A configuration directory, the built plugins, state and a control socket."""

    def __init__(self, build, prefix, need=()):
        self.build = build
        self.pxeforged = os.path.join(build, "core", "pxeforged")
        self.pxeforge = os.path.join(build, "core", "pxeforge")
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.config = os.path.join(self.root, "etc")
        self.plugins = os.path.join(self.root, "plugins")
        self.state = os.path.join(self.root, "state")
        self.socket = os.path.join(self.root, "run", "control.sock")
        self.port = free_tcp_port()
        os.makedirs(os.path.join(self.config, "conf.d"))
        os.makedirs(self.plugins)
        pdir = os.path.join(build, "plugins")
        found = set()
        for sub in [os.path.join(pdir, d) for d in sorted(os.listdir(pdir))] + [
                os.path.join(pdir, "http", "tests")]:
            for name in os.listdir(sub) if os.path.isdir(sub) else []:
                if name.endswith(".so"):
                    shutil.copy(os.path.join(sub, name), self.plugins)
                    os.chmod(os.path.join(self.plugins, name), 0o755)
                    found.add(name[:-3])
        missing = [n for n in need if n not in found]
        if missing:
            shutil.rmtree(self.root, ignore_errors=True)
            raise Skip("plugins not built: " + " ".join(missing))
        # GSlice hides leaked structures from LeakSanitizer in sanitizer builds
        self.env = dict(os.environ, PXEFORGE_TEST="1", PXEFORGE_PLUGIN_DIR=self.plugins,
                        G_SLICE="always-malloc")
        self.env.pop("NOTIFY_SOCKET", None)
        self.daemon = None
        self.notify = None
        self.logf = None
        self.log = os.path.join(self.root, "daemon.log")

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def write(self, rel, text):
        path = os.path.join(self.config, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def cli(self, *args, expect=0):
        cmd = [self.pxeforge, "--config", self.config, "--socket", self.socket] + list(args)
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=TIMEOUT)
        print("$ pxeforge " + " ".join(args))
        print(p.stdout + p.stderr)
        if expect is not None:
            check(p.returncode == expect,
                  "pxeforge %s exited %d, expected %d" % (" ".join(args), p.returncode, expect))
        return p

    def start(self):
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        npath = os.path.join(self.root, "notify.sock")
        self.notify.bind(npath)
        self.notify.settimeout(TIMEOUT)
        self.logf = open(self.log, "w")
        self.daemon = subprocess.Popen(
            [self.pxeforged, "--config", self.config, "--state-dir", self.state,
             "--control-socket", self.socket, "--user", ""],
            env=dict(self.env, NOTIFY_SOCKET=npath), stdout=self.logf,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                msg = self.notify.recv(4096).decode()
            except socket.timeout:
                break
            if "READY=1" in msg.split("\n"):
                return
        raise Fail("pxeforged did not get ready; log:\n" + self.daemon_log())

    def daemon_log(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def state_of(self, mac):
        first = self.cli("state", mac).stdout.splitlines()[0]
        return first.split(": ", 1)[1].strip()

    def curl(self, path, *args, source=None, method=None):
        """(status, body text) of one request to the http plugin on 127.0.0.1."""
        body = os.path.join(self.root, "body")
        cmd = ["curl", "-sS", "--max-time", str(TIMEOUT), "-o", body,
               "-w", "%{http_code}", "--noproxy", "*"]
        if source is not None:
            cmd += ["--interface", source]
        if method is not None:
            cmd += ["-X", method]
        cmd += list(args)
        cmd.append("http://127.0.0.1:%d%s" % (self.port, path))
        p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT + 5)
        check(p.returncode == 0, "curl %s: %s" % (path, p.stderr.decode(errors="replace")))
        status = int(p.stdout.decode())
        with open(body, errors="replace") as f:
            data = f.read()
        os.unlink(body)
        print("%s %s%s -> %d (%d bytes)" % (method or "GET", path,
                                            " from " + source if source else "", status,
                                            len(data)))
        return status, data

    def stop_and_check(self):
        """A clean stop: exit status 0 and no sanitizer report in the log."""
        if self.daemon is None:
            return
        self.close_daemon()
        log = self.daemon_log()
        for needle in ["ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                       "critical:"]:
            check(needle not in log, "daemon log has %s:\n%s" % (needle, log))
        check(self.daemon.returncode == 0,
              "pxeforged exited %d after SIGTERM" % self.daemon.returncode)

    def close_daemon(self):
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()

    def close(self):
        self.close_daemon()
        if self.logf is not None:
            self.logf.close()
        if self.notify is not None:
            self.notify.close()
        shutil.rmtree(self.root, ignore_errors=True)


def run(make_env, cases, name):
    """main(): runs case `name` with a fresh Env; exit code 0, 1 or 77."""
    try:
        e = make_env()
    except Skip as ex:
        print("SKIP: %s" % ex)
        return 77
    try:
        cases[name](e)
        e.stop_and_check()
    except Skip as ex:
        print("SKIP: %s" % ex)
        return 77
    except Fail as ex:
        print("FAIL: %s" % ex)
        if e.daemon is not None:
            print("--- daemon log ---\n" + e.daemon_log())
        return 1
    finally:
        e.close()
    print("PASS")
    return 0
