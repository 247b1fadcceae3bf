#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""pxflab: an isolated boot lab for pxeforge's end-to-end tests and demo.

A Lab is a network namespace `pxf-lab-<pid>` holding a bridge br0
(10.99.0.1/24), lo, and one tap device per QEMU guest, enslaved to br0. The
server under test (pxeforged, or a stand-in) runs inside the namespace, and
so do the guests: QEMU is started with `ip netns exec` and opens its tap
there. Nothing is created outside the namespace, no host interface or route
is touched, and close() kills exactly the processes the lab started (by PID;
each runs in its own session, so its process group id is its PID) and deletes
the namespace, which removes br0 and the taps with it. close() also runs on
atexit and on SIGTERM/SIGHUP.

    from pxflab import Lab, Skip

    with Lab() as lab:
        daemon = lab.run("pxeforged", [PXEFORGED, "--config", cfg, ...])
        daemon.wait_for(r"ready", timeout=20)
        g = lab.guest("node1", disk=mkdisk.write(lab.path("node1.img"), "node1"))
        g.wait_for(r"PXF-INSTALLER: done 200", timeout=300)
        g.wait_for(r"PXF-LOCALDISK-node1", timeout=120)

Guests run under TCG (this machine's /dev/kvm is a nested, slow one), 1 vCPU,
512 MiB, an e1000 NIC (QEMU loads the iPXE ROM from ipxe-qemu by itself),
-no-reboot, and their serial console in a log file. Regexes given to
wait_for() are matched against that log with ANSI escape sequences and
carriage returns removed.
"""
import atexit
import ctypes
import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

NS_PREFIX = "pxf-lab-"
BRIDGE = "br0"
SUBNET = "10.99.0"
SERVER_IP = SUBNET + ".1"
PREFIXLEN = 24
QEMU = "qemu-system-x86_64"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
# Secure Boot enforced: OVMF's SMM build and vars with Microsoft's keys enrolled
OVMF_CODE_SECBOOT = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
OVMF_VARS_MS = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"
CMD_TIMEOUT = 30  # for each `ip` command
STOP_TIMEOUT = 5  # SIGTERM, then SIGKILL after this long
POLL = 0.1

# CSI sequences, charset selections, and two-byte ones (ESC c, ESC 7, ...)
_ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|[()#][0-9A-Za-z]|[ -~])")
_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1
_CLONE_NEWNET = 0x40000000


class Skip(Exception):
    """The lab cannot run here (not root, a tool missing); exit 77."""


class LabError(Exception):
    """Set-up failed, a wait timed out, or a guest stopped early."""


def skip_reason(need_qemu=True):
    """Why a lab cannot run on this machine, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces, tap devices)"
    if shutil.which("ip") is None:
        return "needs ip (iproute2)"
    if not os.path.exists("/dev/net/tun"):
        return "needs /dev/net/tun"
    if need_qemu and shutil.which(QEMU) is None:
        return "needs %s (qemu-system-x86)" % QEMU
    return None


def clean_text(raw):
    """Serial output as text: escape sequences and CRs removed."""
    return _ANSI.sub(b"", raw).replace(b"\r", b"").decode("utf-8", "replace")


def _tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            text = clean_text(f.read())
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _ip(*args, check=True):
    p = subprocess.run(["ip"] + list(args), capture_output=True, text=True,
                       timeout=CMD_TIMEOUT, stdin=subprocess.DEVNULL)
    if check and p.returncode != 0:
        raise LabError("ip %s: %s" % (" ".join(args), (p.stderr or p.stdout).strip()))
    return p


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale():
    """Deletes lab namespaces left by a lab process that died without its
    cleanup (SIGKILL): only pxf-lab-<pid>[-n] names whose pid is gone and
    with no process left inside. Returns the names deleted."""
    out = _ip("netns", "list", check=False).stdout
    gone = []
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.fullmatch(re.escape(NS_PREFIX) + r"(\d+)(-\d+)?", name)
        if not m or _pid_alive(int(m.group(1))):
            continue
        if _ip("netns", "pids", name, check=False).stdout.strip():
            continue
        if _ip("netns", "del", name, check=False).returncode == 0:
            gone.append(name)
    return gone


def _child_setup():
    # own session: signals to the test's process group do not reach the
    # child, and killpg(pid) reaches the child and anything it forked
    os.setsid()
    # die with the lab process even if it is SIGKILLed (meson's timeout)
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Process:
    """A process the lab started inside its namespace, output in a log."""

    def __init__(self, lab, name, argv, log, env=None, cwd=None):
        self.lab = lab
        self.name = name
        self.argv = list(argv)
        self.log = log
        self._logf = open(log, "ab")
        # pdeathsig fires when the *thread* that forked exits: only use it
        # from the main thread, which lives as long as the lab process
        main = threading.current_thread() is threading.main_thread()
        self.popen = subprocess.Popen(
            ["ip", "netns", "exec", lab.ns] + self.argv,
            stdin=subprocess.DEVNULL, stdout=self._logf, stderr=subprocess.STDOUT,
            env=env, cwd=cwd, preexec_fn=_child_setup if main else None,
            start_new_session=not main)
        self.pid = self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def returncode(self):
        return self.popen.poll()

    def text(self):
        """The whole log so far, cleaned (see clean_text())."""
        try:
            with open(self.watched_log(), "rb") as f:
                return clean_text(f.read())
        except FileNotFoundError:
            return ""

    def watched_log(self):
        return self.log

    def wait_for(self, pattern, timeout, after=0, fail=None):
        """Waits until regex pattern matches the log text from offset after;
        returns the match (its .end() is a good next after). Raises LabError
        on timeout, when the process exits without a match, or when regex
        fail matches first."""
        rx = re.compile(pattern, re.M)
        frx = re.compile(fail, re.M) if fail else None
        deadline = time.monotonic() + timeout
        while True:
            exited = not self.alive()
            text = self.text()
            m = rx.search(text, after)
            if m:
                return m
            if frx is not None:
                fm = frx.search(text, after)
                if fm:
                    raise LabError("%s: %r appeared while waiting for %r:\n%s"
                                   % (self.name, fm.group(0), pattern, self.tail()))
            if exited:
                raise LabError("%s exited (status %s) before %r appeared:\n%s"
                               % (self.name, self.returncode(), pattern, self.tail()))
            if time.monotonic() >= deadline:
                raise LabError("%s: no %r within %g s:\n%s"
                               % (self.name, pattern, timeout, self.tail()))
            time.sleep(POLL)

    def wait_exit(self, timeout):
        """The exit status; LabError if still running after timeout."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise LabError("%s still running after %g s:\n%s"
                           % (self.name, timeout, self.tail())) from None

    def tail(self, lines=40):
        return _tail(self.watched_log(), lines)

    def signal(self, sig):
        if self.alive():
            os.killpg(self.pid, sig)

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM to its process group, SIGKILL after timeout; reaps it."""
        if self.alive():
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
            except ProcessLookupError:
                pass
        self._kill_now()
        self.popen.wait()
        self._logf.close()
        return self.popen.returncode

    def _kill_now(self):
        # the group may outlive its leader: SIGKILL it even if we reaped it
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class Guest(Process):
    """A QEMU guest; wait_for() watches its serial console."""

    def __init__(self, lab, name, argv, log, serial, mac, uuid_, tap, disk):
        self.serial = serial
        self.mac = mac
        self.uuid = uuid_
        self.tap = tap
        self.disk = disk
        super().__init__(lab, name, argv, log)

    def watched_log(self):
        return self.serial

    def qemu_log(self):
        return _tail(self.log, 200)

    def tail(self, lines=40):
        return "--- serial %s\n%s\n--- qemu\n%s" % (self.serial, _tail(self.serial, lines),
                                                   _tail(self.log, 10))

    def stop(self, timeout=STOP_TIMEOUT):
        # the guest has nothing to save: no grace period
        return super().stop(timeout=min(timeout, 2))


class _QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        self.server.lab_log.write(("%s %s\n" % (self.address_string(), fmt % args)).encode())
        self.server.lab_log.flush()


class Lab:
    """See the module documentation. Use as a context manager or call
    close(); either way it also runs at exit and on SIGTERM/SIGHUP."""

    def __init__(self, workdir=None, keep=None, sweep=True):
        reason = skip_reason(need_qemu=False)
        if reason:
            raise Skip(reason)
        if sweep:
            sweep_stale()
        self.closed = False
        self.procs = []
        self.guests = []
        self.servers = []
        self.taps = []
        self.keep = bool(os.environ.get("PXF_LAB_KEEP")) if keep is None else keep
        self.own_dir = workdir is None
        self.dir = workdir or tempfile.mkdtemp(prefix="pxf-lab-")
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)  # pxeforged may read it after dropping root
        self.ns = self._free_name()
        self.server_ip = SERVER_IP
        self.bridge = BRIDGE
        _LIVE.append(self)
        _install_handlers()
        try:
            self._setup()
        except BaseException:
            self.close()
            raise

    # ---- namespace -----------------------------------------------------

    @staticmethod
    def _free_name():
        have = set(l.split()[0] for l in _ip("netns", "list").stdout.splitlines() if l.split())
        base = NS_PREFIX + str(os.getpid())
        if base not in have:
            return base
        for i in range(1, 100):
            if "%s-%d" % (base, i) not in have:
                return "%s-%d" % (base, i)
        raise LabError("no free namespace name for " + base)

    def _setup(self):
        _ip("netns", "add", self.ns)
        self.created = True
        n = ("-n", self.ns)
        _ip(*n, "link", "set", "lo", "up")
        # no STP and no forward delay: a port forwards as soon as it is up;
        # no multicast snooping: MTFTP groups reach every guest
        _ip(*n, "link", "add", BRIDGE, "type", "bridge", "stp_state", "0",
            "forward_delay", "0", "mcast_snooping", "0")
        _ip(*n, "addr", "add", "%s/%d" % (SERVER_IP, PREFIXLEN), "dev", BRIDGE)
        _ip(*n, "link", "set", BRIDGE, "up")
        _ip(*n, "route", "add", "224.0.0.0/4", "dev", BRIDGE)

    def ip(self, *args, check=True):
        """Runs `ip -n NS ARGS`; returns the CompletedProcess."""
        return _ip("-n", self.ns, *args, check=check)

    def add_tap(self):
        """A new tap device tapN on br0, up; returns its name."""
        name = "tap%d" % len(self.taps)
        self.ip("tuntap", "add", "dev", name, "mode", "tap")
        self.taps.append(name)
        self.ip("link", "set", name, "master", BRIDGE, "up")
        return name

    def path(self, *parts):
        """A path inside the lab's work directory."""
        return os.path.join(self.dir, *parts)

    def exec(self, argv, timeout=CMD_TIMEOUT, check=True, **kw):
        """Runs a short command inside the namespace and waits for it."""
        p = subprocess.run(["ip", "netns", "exec", self.ns] + list(argv), capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL, **kw)
        if check and p.returncode != 0:
            raise LabError("%s exited %d: %s" % (argv[0], p.returncode, p.stderr.strip()))
        return p

    def in_netns(self, fn, *args):
        """Calls fn(*args) in a thread that has joined the namespace and
        returns its result: sockets it creates live in the namespace."""
        box = {}

        def body():
            try:
                fd = os.open("/run/netns/" + self.ns, os.O_RDONLY | os.O_CLOEXEC)
                try:
                    if _libc.setns(fd, _CLONE_NEWNET) != 0:
                        e = ctypes.get_errno()
                        raise OSError(e, "setns: " + os.strerror(e))
                finally:
                    os.close(fd)
                box["v"] = fn(*args)
            except BaseException as e:  # handed to the caller's thread
                box["e"] = e

        t = threading.Thread(target=body, name="pxflab-netns")
        t.start()
        t.join()
        if "e" in box:
            raise box["e"]
        return box.get("v")

    def http_server(self, port, handler, addr=SERVER_IP):
        """A threaded HTTP server on addr:port inside the namespace, with a
        BaseHTTPRequestHandler subclass; stopped by close(). The handler
        can log with self.log_message(); server.lab_log is its log file."""
        if not issubclass(handler, _QuietHandler):
            handler = type(handler.__name__, (handler, _QuietHandler), {})

        def make():
            return http.server.ThreadingHTTPServer((addr, port), handler)

        srv = self.in_netns(make)
        srv.daemon_threads = True
        srv.lab_log = open(self.path("http-%d.log" % port), "ab")
        t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                             name="pxflab-http-%d" % port, daemon=True)
        t.start()
        self.servers.append((srv, t))
        return srv

    # ---- processes -------------------------------------------------------

    def run(self, name, argv, env=None, cwd=None):
        """Starts argv inside the namespace, stdout and stderr in
        <workdir>/<name>.log; returns a Process."""
        self._check_open()
        p = Process(self, name, argv, self.path(name + ".log"), env=env, cwd=cwd)
        self.procs.append(p)
        return p

    def guest(self, name, mac=None, disk=None, boot="nc", kernel=None, initrd=None,
              append=None, firmware="bios", memory=512, nic=True, sga=False,
              snapshot=False, no_reboot=True, extra=(), secure_boot=False):
        """Starts a QEMU guest on a new tap device. boot is the BIOS order
        ('nc': network, then disk); disk a raw image; kernel/initrd/append a
        direct kernel boot; firmware 'bios' or 'uefi' (OVMF, per-guest vars);
        sga=True uses `-device sga` instead of SeaBIOS's own serial console
        (`-machine graphics=off`, whose log is cleaner); no_reboot=False
        lets a guest reboot (e.g. installer, then local disk) instead of
        making QEMU exit; secure_boot=True (with firmware 'uefi'): q35 with
        SMM and OVMF's Secure Boot build enforcing, Microsoft's keys enrolled
        (a per-guest copy of OVMF_VARS_4M.ms.fd). Returns a Guest."""
        self._check_open()
        if shutil.which(QEMU) is None:
            raise Skip("needs %s (qemu-system-x86)" % QEMU)
        index = len(self.guests) + 1
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,32}", name):
            raise LabError("guest name must be 1-32 of [A-Za-z0-9._-]: %r" % name)
        mac = (mac or "52:54:00:99:00:%02x" % index).lower()
        uuid_ = str(uuid.uuid5(uuid.NAMESPACE_OID, "pxflab:" + mac))
        serial = self.path(name + ".serial")
        open(serial, "wb").close()
        argv = [QEMU, "-name", name, "-accel", "tcg", "-smp", "1", "-m", str(memory),
                "-nographic", "-monitor", "none", "-parallel", "none",
                "-serial", "file:" + serial, "-uuid", uuid_]
        if no_reboot:
            argv.append("-no-reboot")
        argv += ["-device", "sga"] if sga else ["-machine", "graphics=off"]
        tap = None
        if nic:
            tap = self.add_tap()
            argv += ["-netdev", "tap,id=net0,ifname=%s,script=no,downscript=no" % tap,
                     "-device", "e1000,netdev=net0,mac=" + mac]
        else:
            argv += ["-nic", "none"]
        if firmware == "uefi":
            code, vars_in = (OVMF_CODE_SECBOOT, OVMF_VARS_MS) if secure_boot else (OVMF_CODE,
                                                                                  OVMF_VARS)
            if not (os.path.exists(code) and os.path.exists(vars_in)):
                raise Skip("UEFI guests need the ovmf package (%s)" % code)
            vars_ = self.path(name + ".OVMF_VARS.fd")
            shutil.copyfile(vars_in, vars_)
            if secure_boot:
                # the varstore is writable from SMM only: the OS cannot change the keys
                argv += ["-machine", "q35,smm=on",
                         "-global", "driver=cfi.pflash01,property=secure,value=on"]
            argv += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
                     "-drive", "if=pflash,format=raw,unit=1,file=" + vars_]
        elif firmware != "bios":
            raise LabError("firmware must be 'bios' or 'uefi'")
        elif secure_boot:
            raise LabError("secure_boot needs firmware='uefi'")
        if disk:
            argv += ["-drive", "file=%s,format=raw,if=ide,index=0,media=disk%s"
                     % (disk, ",snapshot=on" if snapshot else "")]
        if kernel:
            argv += ["-kernel", kernel]
            if initrd:
                argv += ["-initrd", initrd]
            if append:
                argv += ["-append", append]
        elif firmware == "bios":
            argv += ["-boot", "order=" + boot]
        argv += list(extra)
        g = Guest(self, name, argv, self.path(name + ".qemu.log"), serial, mac, uuid_, tap, disk)
        self.procs.append(g)
        self.guests.append(g)
        return g

    def _check_open(self):
        if self.closed:
            raise LabError("lab is closed")

    # ---- clean-up --------------------------------------------------------

    def close(self, fast=False):
        """Stops every process the lab started (by PID, newest first),
        the HTTP servers, deletes the namespace and (unless keep) the work
        directory. Safe to call twice. fast: SIGKILL without grace (used
        from the signal handler, where meson allows 0.5 s)."""
        if self.closed:
            return
        self.closed = True
        if fast:
            for p in self.procs:
                p._kill_now()
        for p in reversed(self.procs):
            try:
                p.stop(timeout=0 if fast else STOP_TIMEOUT)
            except Exception as e:  # keep cleaning up
                sys.stderr.write("pxflab: stopping %s: %s\n" % (p.name, e))
        for srv, t in self.servers:
            if not fast:
                srv.shutdown()  # waits for serve_forever's next poll
            srv.server_close()
            srv.lab_log.close()
        if getattr(self, "created", False):
            left = _ip("netns", "pids", self.ns, check=False).stdout.split()
            if left:
                sys.stderr.write("pxflab: processes not started by the lab are still in %s: %s\n"
                                 % (self.ns, " ".join(left)))
            _ip("netns", "del", self.ns, check=False)
        if self in _LIVE:
            _LIVE.remove(self)
        if self.own_dir and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        elif self.keep:
            sys.stderr.write("pxflab: kept %s\n" % self.dir)

    def dump_logs(self, out=sys.stderr, lines=40):
        """Writes the tail of every log of the lab (for a failed test)."""
        for p in self.procs:
            out.write("==== %s (pid %d, status %s)\n%s\n" % (p.name, p.pid, p.returncode(),
                                                           p.tail(lines)))
        for srv, _ in self.servers:
            if srv.lab_log.closed:
                continue
            srv.lab_log.flush()
            out.write("==== %s\n%s\n" % (srv.lab_log.name, _tail(srv.lab_log.name, lines)))

    def __enter__(self):
        return self

    def __exit__(self, etype, exc, tb):
        # after a signal the lab is already closed and its logs are gone
        if etype is not None and not issubclass(etype, Skip) and not self.closed:
            self.dump_logs()
        self.close()
        return False


_LIVE = []
_HANDLERS = []


def _close_all(fast=False):
    for lab in list(_LIVE):
        lab.close(fast=fast)


def _on_signal(signum, frame):
    _close_all(fast=True)
    raise SystemExit(128 + signum)


def _install_handlers():
    if _HANDLERS:
        return
    _HANDLERS.append(True)
    atexit.register(_close_all)
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _on_signal)


def main(test):
    """Runs test() as a meson test: Skip exits 77, a failure 1."""
    start = time.monotonic()
    try:
        test()
    except Skip as e:
        print("SKIP: %s" % e)
        return 77
    except (LabError, AssertionError) as e:
        print("FAIL: %s" % e)
        return 1
    print("PASS in %.1f s" % (time.monotonic() - start))
    return 0
