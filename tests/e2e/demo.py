#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The pxeforge demo: a real pxeforged and QEMU guests in a boot lab.

pxeforged (with the dhcp, tftp, http, pxelinux and kickstart plugins) serves
br0 of a lab namespace (pxflab.py) with the configuration pxeforge.yaml.in
(data/demo/ in the source tree). Each guest is a host of the inventory with a
small disk (mkdisk.py) and boots network first, then disk, and may reboot:

  SeaBIOS + iPXE ROM -> DHCP -> pxelinux.0 -> pxelinux.cfg/01-<mac> ->
  kernel + stand-in installer initrd (mkinitrd.py) -> DHCP -> kickstart ->
  POST done -> reboot -> pxelinux LOCALBOOT -> PXF-LOCALDISK-<name>

Every host event is printed as it happens (followed in pxeforged's log: DHCP
leases, files served with their size, the kickstart, state changes) with the
guests' console milestones. Every guest must reach its disk marker after
reporting done within the timeout. Nothing leaves the namespace; everything
is removed at the end (--keep keeps the work directory with every log).

`pxeforge demo` runs this script and says where everything is:
  build tree:  demo.py --build BUILD [--source SOURCE]
               (binaries BUILD/core/, plugins BUILD/plugins/NAME/NAME.so,
               configuration and templates from SOURCE, default: this tree)
  installed:   demo.py --pxeforged PATH --pxeforge PATH --plugin-dir DIR
                       --data-dir DATADIR/pxeforge --cache DIR
               (configuration DATADIR/pxeforge/demo/, templates
               DATADIR/pxeforge/templates/)

The Demo class is also the machinery of the acceptance test
(test_acceptance.py): it imports this module.

usage: demo.py [paths as above] [--guests N] [--transport tftp|http] [--keep]
               [--timeout SECONDS]
exit: 0 all guests installed and booted their disk, 1 failure, 77 unavailable
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import mkdisk  # noqa: E402
import mkinitrd  # noqa: E402
import pxflab  # noqa: E402

PLUGINS = ("dhcp", "tftp", "http", "pxelinux", "kickstart")
PXELINUX_0 = "/usr/lib/PXELINUX/pxelinux.0"
POOL = ("10.99.0.100", "10.99.0.199")  # the dhcp range of pxeforge.yaml.in
STARTUP_TIMEOUT = 30
POLL = 0.1

Paths = collections.namedtuple(
    "Paths", "pxeforged pxeforge plugins yaml_in ks_template pxelinux_templates cache")

# What a guest's console shows on its way; the label is printed when it does.
KNOWN_STEPS = (("pxelinux", r"PXELINUX \d"),
               ("installer", r"PXF-INSTALLER: started"),
               ("answer file", r"PXF-INSTALLER: got answer file"),
               ("done", r"PXF-INSTALLER: done 200"),
               ("local disk", None))  # None: the guest's disk marker
UNKNOWN_STEPS = (("pxelinux", r"PXELINUX \d"),
                 ("local disk", None))
STEP_TEXT = {"pxelinux": "console: pxelinux started",
             "installer": "console: installer running",
             "answer file": "console: installer got its kickstart",
             "done": "console: installer reported done, rebooting",
             "local disk": "console: booted its local disk (%s)"}
FAIL = (r"PXF-INSTALLER: failed|Kernel panic|No configuration methods succeeded|"
        r"Could not boot image|Boot failed|No bootable device")

_MAC = r"([0-9a-f]{2}(?::[0-9a-f]{2}){5})"
# pxeforged's log lines (core/pxf-daemon.c pxf_daemon_emit_host_event and the
# reload); "kind" names what the demo prints
_EVENTS = (
    ("lease", re.compile(r"host %s: acked: (\S+)" % _MAC)),
    ("served", re.compile(r"host %s: served (\S+) \((\d+) bytes\)" % _MAC)),
    ("kickstart", re.compile(r"host %s: installer-started: (.*)" % _MAC)),
    ("done", re.compile(r"host %s: done: (.*)" % _MAC)),
    ("state", re.compile(r"host %s: (\S+) → (\S+)(?:: (.*))?$" % _MAC)),
    ("loader", re.compile(r"pxf-pxelinux: %s: pxelinux configuration: (.*)" % _MAC)),
    ("reload", re.compile(r"(SIGHUP: reloading .*|reloaded: .*|stopping plugin .*)")),
    ("warning", re.compile(r"^\S+\[\d+\]: (?:warning|critical|error): (.*)")),
)

# pos: the line's number in the log, which is the daemon's order of things
Event = collections.namedtuple("Event", "t pos kind mac args line")


def paths_from_build(build, source=None, cache=None):
    """The paths of a meson build tree and its source tree."""
    build = os.path.abspath(build)
    source = os.path.abspath(source or TOP)
    pxeforged = os.path.join(build, "core", "pxeforged")
    if not os.path.exists(pxeforged):
        raise pxflab.Skip("no %s: build first (ninja -C %s)" % (pxeforged, build))
    plugins = {n: os.path.join(build, "plugins", n, n + ".so") for n in PLUGINS}
    return Paths(pxeforged, os.path.join(build, "core", "pxeforge"), plugins,
                 os.path.join(source, "data", "demo", "pxeforge.yaml.in"),
                 os.path.join(source, "plugins", "kickstart", "templates",
                              "centos7-ks.cfg.mustache"),
                 os.path.join(source, "plugins", "pxelinux", "templates"),
                 cache or os.path.join(build, "e2e-cache"))


def paths_installed(pxeforged, pxeforge, plugin_dir, data_dir, cache):
    """The paths of an installed pxeforge (data_dir: DATADIR/pxeforge)."""
    plugins = {n: os.path.join(plugin_dir, n + ".so") for n in PLUGINS}
    return Paths(pxeforged, pxeforge, plugins,
                 os.path.join(data_dir, "demo", "pxeforge.yaml.in"),
                 os.path.join(data_dir, "templates", "kickstart", "centos7-ks.cfg.mustache"),
                 os.path.join(data_dir, "templates", "pxelinux"), cache)


def check_available(paths):
    """Raises Skip when this machine or the build cannot run the demo;
    returns the stand-in installer (built on first use, then cached)."""
    reason = pxflab.skip_reason()
    if reason:
        raise pxflab.Skip(reason)
    missing = [p for p in (paths.pxeforged, paths.pxeforge) + tuple(paths.plugins.values())
               if not os.path.exists(p)]
    if missing:
        raise pxflab.Skip("not built or not installed: " + " ".join(missing))
    for p in (paths.yaml_in, paths.ks_template, paths.pxelinux_templates):
        if not os.path.exists(p):
            raise pxflab.Skip("demo data missing: " + p)
    if not os.path.exists(PXELINUX_0):
        raise pxflab.Skip("needs the pxelinux and syslinux-common packages")
    try:
        return mkinitrd.build(paths.cache)
    except mkinitrd.Unavailable as e:
        raise pxflab.Skip(str(e))


class Demo:
    """pxeforged in a Lab, guests, and a follower of the daemon's log that
    prints every host event as it happens and keeps them in self.events."""

    def __init__(self, lab, paths, installer, out=sys.stdout, t0=None):
        self.lab = lab
        self.paths = paths
        self.installer = installer
        self.out = out
        self.t0 = time.monotonic() if t0 is None else t0
        self.daemon = None
        self.env = None  # the daemon's and the CLI's environment, made on first use
        self.etc = lab.path("etc")
        self.sock = lab.path("control.sock")
        self.hosts = {}  # mac -> name, the inventory
        self.guests = []
        self.names = {}  # mac -> guest name, for the printout
        self.events = []
        self._log_pos = 0
        self._log_line = 0
        self._partial = b""

    # ---- output ------------------------------------------------------------

    def say(self, msg):
        self.out.write("%6.1f s  %s\n" % (time.monotonic() - self.t0, msg))
        self.out.flush()

    def who(self, mac):
        name = self.names.get(mac)
        if name is None:
            return "%s (not in the inventory)" % mac
        return name if mac in self.hosts else "%s (not in the inventory)" % name

    # ---- configuration and daemon ------------------------------------------

    def config_text(self, transport="tftp", variables=None):
        hosts = "".join("  - mac: %s\n    hostname: %s\n    profile: demo\n" % (mac, name)
                        for mac, name in self.hosts.items())
        with open(self.paths.yaml_in) as f:
            text = f.read()
        subst = {"KERNEL": self.installer.kernel, "INITRD": self.installer.initrd,
                 "TREE": self.lab.path("tree"), "KS_TEMPLATE": self.paths.ks_template,
                 "HOSTS": hosts.rstrip("\n") or "  []", "TFTP_ROOT": self.lab.path("tftp"),
                 "HTTP_ROOT": self.lab.path("http"), "KERNEL_TRANSPORT": transport,
                 "PXELINUX_TEMPLATES": self.paths.pxelinux_templates}
        for key, value in subst.items():
            text = text.replace("@%s@" % key, value)
        left = re.findall(r"^[^#\n]*?(@[A-Z_]+@)", text, re.M)
        if left:
            raise pxflab.LabError("%s: unknown placeholders %s" % (self.paths.yaml_in, left))
        for key, value in (variables or {}).items():
            text = text.replace("\nvariables:\n", "\nvariables:\n  %s: %s\n" % (key, value), 1)
        return text

    def configure(self, hosts, transport="tftp", variables=None):
        """Writes etc/pxeforge.yaml with hosts [(name, mac)] in the
        inventory (no fixed addresses: they get theirs from the pool)."""
        self.hosts = {mac.lower(): name for name, mac in hosts}
        self.names.update(self.hosts)
        os.makedirs(self.etc, exist_ok=True)
        for d in ("tftp", "http", "tree"):
            os.makedirs(self.lab.path(d), exist_ok=True)
        path = os.path.join(self.etc, "pxeforge.yaml")
        # atomically: a reload must never read half a file
        with open(path + ".tmp", "w") as f:
            f.write(self.config_text(transport, variables))
        os.rename(path + ".tmp", path)
        return path

    def _plugin_dir(self):
        # a private directory with exactly the demo's plugins
        d = self.lab.path("plugins")
        os.makedirs(d, exist_ok=True)
        for name, so in self.paths.plugins.items():
            shutil.copy(so, os.path.join(d, name + ".so"))
            os.chmod(os.path.join(d, name + ".so"), 0o755)
        return d

    def _env(self):
        """The daemon's environment: test mode with the demo's plugins, so
        that `check` sees the plugins pxeforged runs (a profile's `loader`
        must name one of them)."""
        if self.env is None:
            self.env = dict(os.environ, PXEFORGE_TEST="1",
                            PXEFORGE_PLUGIN_DIR=self._plugin_dir())
            self.env.pop("NOTIFY_SOCKET", None)
        return self.env

    def cli(self, *args, check=True):
        p = subprocess.run([self.paths.pxeforge, "--config", self.etc, "--socket", self.sock]
                           + list(args), capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL, env=self._env())
        if check and p.returncode != 0:
            raise pxflab.LabError("pxeforge %s exited %d:\n%s%s" % (
                " ".join(args), p.returncode, p.stdout, p.stderr))
        return p

    def start(self):
        """pxeforge check, then pxeforged in the namespace; returns when it
        answers on its control socket."""
        p = self.cli("check", check=False)
        if p.returncode != 0:
            raise pxflab.LabError("pxeforge check:\n" + p.stdout + p.stderr)
        env = self._env()
        # --user "": the lab is thrown away, no need to drop to a system user
        self.daemon = self.lab.run("pxeforged", [
            self.paths.pxeforged, "--config", self.etc, "--state-dir", self.lab.path("state"),
            "--control-socket", self.sock, "--user", ""], env=env)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if not self.daemon.alive():
                raise pxflab.LabError("pxeforged exited %s:\n%s" % (self.daemon.returncode(),
                                                                   self.daemon.tail()))
            if os.path.exists(self.sock) and self.cli("status", check=False).returncode == 0:
                break
            if time.monotonic() > deadline:
                raise pxflab.LabError("pxeforged not answering on %s:\n%s"
                                      % (self.sock, self.daemon.tail()))
            time.sleep(0.2)
        self.pump()
        self.say("pxeforged running (pid %d) with plugins %s, serving br0 only"
                 % (self.daemon.pid, ", ".join(self.paths.plugins)))

    # ---- guests --------------------------------------------------------------

    def power_on(self, name, mac):
        """A guest with its own disk, network first, allowed to reboot.
        A MAC in the inventory installs; any other boots pxelinux's default."""
        mac = mac.lower()
        self.names[mac] = name
        disk = mkdisk.write(self.lab.path(name + ".img"), name)
        g = self.lab.guest(name, mac=mac, disk=disk, boot="nc", no_reboot=False)
        g.known = mac in self.hosts
        g.steps = KNOWN_STEPS if g.known else UNKNOWN_STEPS
        g.step = 0
        g.pos = 0
        g.seen = {}  # step label -> (time, offset in the serial text)
        self.guests.append(g)
        self.say("%s %s powered on (%s), console %s" % (
            self.who(mac), mac, "installs" if g.known else "boots the unknown-host default",
            g.serial))
        return g

    def finished(self, g):
        return g.step >= len(g.steps)

    # ---- following ----------------------------------------------------------

    def _print_event(self, ev):
        who = self.who(ev.mac) if ev.mac else None
        if ev.kind == "lease":
            self.say("%s: DHCP lease %s" % (who, ev.args[0]))
        elif ev.kind == "served":
            self.say("%s: served %s (%s bytes)" % (who, ev.args[0], ev.args[1]))
        elif ev.kind == "kickstart":
            self.say("%s: kickstart served (%s)" % (who, ev.args[0]))
        elif ev.kind == "done":
            self.say("%s: install done reported (%s)" % (who, ev.args[0]))
        elif ev.kind == "state":
            self.say("%s: state %s → %s%s" % (who, ev.args[0], ev.args[1],
                                             " (%s)" % ev.args[2] if ev.args[2] else ""))
        elif ev.kind == "loader":
            self.say("%s: pxelinux configuration: %s" % (who, ev.args[0]))
        elif ev.kind == "reload":
            self.say("pxeforged: " + ev.args[0])
        elif ev.kind == "warning":
            self.say("pxeforged warning: " + ev.args[0])

    def _follow_log(self):
        try:
            with open(self.daemon.log, "rb") as f:
                f.seek(self._log_pos)
                data = f.read()
        except FileNotFoundError:
            return
        if not data:
            return
        self._log_pos += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()  # an unfinished last line waits
        for raw in lines:
            pos = self._log_line
            self._log_line += 1
            line = raw.decode("utf-8", "replace")
            for kind, rx in _EVENTS:
                m = rx.search(line)
                if not m:
                    continue
                if kind in ("reload", "warning"):
                    ev = Event(time.monotonic() - self.t0, pos, kind, None, m.groups(), line)
                else:
                    ev = Event(time.monotonic() - self.t0, pos, kind, m.group(1),
                               m.groups()[1:], line)
                self.events.append(ev)
                self._print_event(ev)
                break

    def _follow_guest(self, g):
        if self.finished(g):
            return
        text = g.text()
        while not self.finished(g):
            label, pattern = g.steps[g.step]
            rx = pattern or re.escape(mkdisk.marker(g.name))
            m = re.compile(rx, re.M).search(text, g.pos)
            if not m:
                break
            g.pos = m.end()
            g.seen[label] = (time.monotonic() - self.t0, m.start())
            g.step += 1
            msg = STEP_TEXT[label]
            self.say("%s: %s" % (self.who(g.mac), msg % mkdisk.marker(g.name)
                                 if "%s" in msg else msg))
        if self.finished(g):
            # its disk halts the CPU for good: free the core for the others
            g.stop()
            return
        fm = re.compile(FAIL, re.M).search(text, g.pos)
        if fm:
            raise pxflab.LabError("%s: %r on the console while waiting for %s:\n%s"
                                  % (g.name, fm.group(0), g.steps[g.step][0], g.tail()))
        if not g.alive():
            raise pxflab.LabError("%s: QEMU exited (status %s) while waiting for %s:\n%s"
                                  % (g.name, g.returncode(), g.steps[g.step][0], g.tail()))

    def pump(self):
        """Reads what is new: daemon events, guest console milestones.
        Raises LabError when pxeforged died or a guest failed."""
        self._follow_log()
        for g in self.guests:
            self._follow_guest(g)
        if self.daemon is not None and not self.daemon.alive():
            raise pxflab.LabError("pxeforged exited %s:\n%s" % (self.daemon.returncode(),
                                                               self.daemon.tail()))

    def wait(self, cond, timeout, what, tick=None):
        """Pumps until cond() is true; tick() runs on every round."""
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            if tick is not None:
                tick()
            if cond():
                return
            if time.monotonic() >= deadline:
                raise pxflab.LabError("no %s within %g s; guests at: %s" % (
                    what, timeout, ", ".join("%s: %s" % (g.name, g.steps[g.step][0]
                                                         if not self.finished(g) else "end")
                                             for g in self.guests)))
            time.sleep(POLL)

    def wait_all(self, timeout, tick=None):
        self.wait(lambda: all(self.finished(g) for g in self.guests), timeout,
                  "end of every guest's boot", tick)

    # ---- queries -------------------------------------------------------------

    def find(self, kind, mac=None, after=-1, match=None):
        """Events of a kind (for a MAC, after a log offset, whose first
        argument matches a regex)."""
        return [e for e in self.events if e.kind == kind and (mac is None or e.mac == mac)
                and e.pos > after and (match is None or re.search(match, e.args[0]))]

    def host_state(self, mac):
        return self.cli("state", mac).stdout.split("\n", 1)[0].split(": ", 1)[-1].strip()


def run_demo(paths, guests=1, transport="tftp", keep=False, timeout=600):
    installer = check_available(paths)
    t0 = time.monotonic()
    closed = None
    with pxflab.Lab(keep=keep or None) as lab:
        demo = Demo(lab, paths, installer, t0=t0)
        demo.out.write("pxeforge demo: %d QEMU guest%s (TCG) boot%s from pxeforged in an "
                       "isolated network namespace: PXE, install, reboot to the local disk\n"
                       % (guests, "" if guests == 1 else "s", "s" if guests == 1 else ""))
        demo.say("network namespace %s: bridge br0 %s/24, work directory %s"
                 % (lab.ns, lab.server_ip, lab.dir))
        hosts = [("node%d" % i, "52:54:00:99:00:%02x" % i) for i in range(1, guests + 1)]
        try:
            demo.configure(hosts, transport)
            demo.start()
            for name, mac in hosts:
                demo.power_on(name, mac)
            demo.wait_all(timeout)
        except KeyboardInterrupt:
            lab.close()  # Ctrl-C: clean up without dumping every log
            raise
        p = demo.cli("status")
        demo.out.write("\n" + p.stdout + "\n")
        for name, mac in hosts:
            state = demo.host_state(mac)
            if state != "installed":
                raise pxflab.LabError("%s: state %s, not installed" % (name, state))
            demo.say("%s %s: %s, then booted its local disk" % (name, mac, state))
        closed = (lab.ns, lab.dir, len(lab.guests))
    ns, workdir, n = closed
    left = [line.split()[0] for line in subprocess.run(
        ["ip", "netns", "list"], capture_output=True, text=True).stdout.splitlines()
            if line.split()]
    if ns in left:
        raise pxflab.LabError("namespace %s still exists" % ns)
    demo.say("stopped pxeforged and %d QEMU guest%s, deleted namespace %s (br0, taps)%s"
             % (n, "" if n == 1 else "s", ns,
                "; kept " + workdir if keep else " and " + workdir))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", help="meson build directory (default: ./build of this tree)")
    ap.add_argument("--source", help="source tree of that build (default: this tree)")
    ap.add_argument("--pxeforged", help="installed pxeforged")
    ap.add_argument("--pxeforge", help="installed pxeforge")
    ap.add_argument("--plugin-dir", help="installed plugin directory")
    ap.add_argument("--data-dir", help="installed DATADIR/pxeforge")
    ap.add_argument("--cache", help="where the stand-in installer is cached")
    ap.add_argument("--guests", type=int, default=1, choices=range(1, 9), metavar="1..8")
    ap.add_argument("--transport", default="tftp", choices=("tftp", "http"),
                    help="how pxelinux fetches kernel and initrd")
    ap.add_argument("--keep", action="store_true", help="keep the lab's work directory")
    ap.add_argument("--timeout", type=float, default=600, help="seconds for the whole boot")
    args = ap.parse_args()
    installed = (args.pxeforged, args.pxeforge, args.plugin_dir, args.data_dir)
    if any(installed):
        if not all(installed) or not args.cache or args.build:
            ap.error("an installed demo needs --pxeforged, --pxeforge, --plugin-dir, "
                     "--data-dir and --cache, and no --build")
    start = time.monotonic()
    try:
        if any(installed):
            paths = paths_installed(args.pxeforged, args.pxeforge, args.plugin_dir,
                                    args.data_dir, args.cache)
        else:
            paths = paths_from_build(args.build or os.path.join(TOP, "build"), args.source,
                                     args.cache or os.environ.get("PXF_E2E_CACHE"))
        run_demo(paths, args.guests, args.transport, args.keep, args.timeout)
    except pxflab.Skip as e:
        print("pxeforge demo cannot run here: %s" % e)
        return 77
    except (pxflab.LabError, AssertionError) as e:
        print("FAIL: %s" % e)
        return 1
    except KeyboardInterrupt:
        print("interrupted; stopped everything and deleted the lab")
        return 130
    print("demo passed in %.1f s" % (time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
