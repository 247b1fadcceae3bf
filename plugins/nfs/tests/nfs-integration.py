#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The nfs plugin inside a real pxeforged.

ganesha:    in network namespaces this test creates, pxeforged writes the
            export file, NFS-Ganesha (started here, by PID) serves it, and
            libnfs's client tools in a client namespace list a tree, copy
            files with equal checksums and are refused a write
            (NFS4ERR_ROFS); a distro added to the inventory and a reload
            make a new export appear (SIGHUP by pidfile), a removed one goes;
            `pxeforge render` gives kickstart's `nfs --server --dir` line.
path-unit:  ganesha_reload's default under systemd: pxeforged, dropped to
            `nobody`, writes the export file atomically in its state
            directory and signals nothing (a decoy named ganesha.nfsd, named
            by ganesha_pidfile and running as the same user, lives on).
kernel:     backend kernel: the exports.d file it writes and the command it
            runs (a harmless stand-in for exportfs) on changes.
bad-config: refusals with their place in the configuration.

Binds nothing itself; NFS traffic stays inside the namespaces it creates
and deletes. Exits 77 when root, iproute2, Ganesha or libnfs-utils are
missing (ganesha case).

usage: nfs-integration.py BUILDDIR SRCDIR CASE
"""
import glob
import hashlib
import os
import pwd
import re
import shutil
import subprocess
import sys
import time

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
CASE = sys.argv[3]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
import pxftest  # noqa: E402
from pxftest import TIMEOUT, Fail, Skip, check  # noqa: E402

NFS_SO = os.path.join(BUILD, "plugins", "nfs", "nfs.so")
KICKSTART_SO = os.path.join(BUILD, "plugins", "kickstart", "kickstart.so")
KS_TEMPLATE = os.path.join(SRC, "plugins", "kickstart", "templates", "centos7-ks.cfg.mustache")
MAC = "52:54:00:00:00:01"
SERVER_IP = "10.231.7.1"
CLIENT_IP = "10.231.7.2"


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(cmd, timeout=TIMEOUT, check_rc=True):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check_rc and p.returncode != 0:
        raise Fail("%s failed (%d): %s%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
    return p


def wait_for(what, pred, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.2)
    raise Fail("timed out waiting for " + what)


class Env(pxftest.Env):
    """A configuration directory, the plugins under test, state, trees, and one
    pxeforged."""

    def __init__(self, netns=None):
        super().__init__(BUILD, "pxf-nfs-it-", [NFS_SO, KICKSTART_SO], dirs=["trees"])
        os.chmod(self.root, 0o755)  # Ganesha reads the trees as root, squashed clients too
        self.trees = self.path("trees")
        self.netns = netns
        self.has_kickstart = self.has_plugin("kickstart")

    def tree(self, name, files):
        top = os.path.join(self.trees, name)
        for rel, data in files.items():
            path = os.path.join(top, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        for d, _, fs in os.walk(top):
            os.chmod(d, 0o755)
            for name_ in fs:
                os.chmod(os.path.join(d, name_), 0o644)
        return top

    def wait_log(self, needle, count=1):
        return wait_for("'%s' in the daemon log" % needle,
                        lambda: self.daemon_log().count(needle) >= count)


def distro(name, tree):
    return ("  %s:\n    kernel: /nonexistent/%s/vmlinuz\n    initrd: /nonexistent/%s/initrd.img\n"
            "    tree: %s\n" % (name, name, name, tree))


def inventory(e, distros, daemon_extra=""):
    """pxeforge.yaml with these (name, tree) distros and one kickstart host on
    the first."""
    text = "daemon:\n  debug: true\n" + daemon_extra + "distros:\n"
    text += "".join(distro(n, t) for n, t in distros)
    if e.has_kickstart:
        text += ("profiles:\n  web:\n    distro: %s\n    os: kickstart\n    template: %s\n"
                 "    variables:\n      install_source: nfs\n"
                 "hosts:\n  - {mac: '%s', hostname: one, profile: web}\n"
                 % (distros[0][0], KS_TEMPLATE, MAC))
    e.write("pxeforge.yaml", text)
    if e.has_kickstart:
        e.write("conf.d/60-kickstart.yaml", "plugins:\n  kickstart: {}\n")


def read(path):
    with open(path) as f:
        return f.read()


def export_ids(text):
    """distro → Export_Id (Ganesha) or fsid (kernel) in an export file."""
    ids = {}
    for m in re.finditer(r"# distro (\S+)\nEXPORT \{\n\tExport_Id = (\d+);", text):
        ids[m.group(1)] = int(m.group(2))
    for m in re.finditer(r"# distro (\S+)\n\"[^\"]+\" \S+?fsid=(\d+)\)", text):
        ids[m.group(1)] = int(m.group(2))
    return ids


# ---- kernel ---------------------------------------------------------------------


def case_kernel(e):
    """exports.d lines for the kernel server and the configured command."""
    exports = os.path.join(e.root, "exports.d", "pxeforge.exports")
    marker = os.path.join(e.root, "reloads.txt")
    os.makedirs(os.path.dirname(exports))
    rocky = e.tree("rocky9", {"images/install.img": b"x" * 1000})
    later = os.path.join(e.trees, "later")
    inventory(e, [("rocky9", rocky), ("fedora40", "http://mirror.example/fedora/40/"),
                  ("later", later)])
    e.write("conf.d/75-nfs.yaml", """\
plugins:
  nfs:
    backend: kernel
    exports_file: %s
    clients: [192.0.2.0/24, 198.51.100.7]
    server: 192.0.2.1
    squash: all_squash
    check_interval: 1
    reload_command: /bin/sh -c 'echo "exportfs $PXEFORGE_NFS_FILE" >> %s'
""" % (exports, marker))
    e.start()
    e.wait_log("reload command /bin/sh done")
    text = read(exports)
    print(text)
    opts = "(ro,all_squash,no_subtree_check,sec=sys,fsid=1000)"
    check('\n# distro rocky9\n"%s" 192.0.2.0/24%s 198.51.100.7%s\n' % (rocky, opts, opts) in text,
          "rocky9's exports line")
    check("fedora40" not in text, "an URL tree exported")
    check("# distro later" not in text, "a missing tree exported")
    check("distro later is not exported yet: its tree %s is not a directory" % later
          in e.daemon_log(), "no warning about the missing tree")
    check(read(marker) == "exportfs %s\n" % exports, "the reload command's run: " + read(marker))
    check(os.stat(exports).st_mode & 0o777 == 0o644, "mode of the exports file")
    check(sorted(os.listdir(os.path.dirname(exports))) == ["pxeforge.exports"],
          "temporary files left next to the exports file")

    if e.has_kickstart:
        ks = e.cli("render", "--mac", MAC).stdout
        check("\nnfs --server=192.0.2.1 --dir=%s\n" % rocky in ks,
              "kickstart's nfs line with the kernel's path")

    # the tree appears: exported at the next check, without a reload
    e.tree("later", {"README": b"later\n"})
    wait_for("the later tree in the file", lambda: "# distro later\n" in read(exports))
    e.wait_log("reload command /bin/sh done", 2)
    check(export_ids(read(exports)) == {"rocky9": 1000, "later": 1001}, "fsids")

    # a distro added to the inventory: the plugin's section is unchanged, so
    # the check finds it
    alma = e.tree("alma8", {"README": b"alma\n"})
    inventory(e, [("rocky9", rocky), ("fedora40", "http://mirror.example/fedora/40/"),
                  ("later", later), ("alma8", alma)])
    e.cli("reload")
    wait_for("alma8 in the file", lambda: "# distro alma8\n" in read(exports))
    e.wait_log("reload command /bin/sh done", 3)
    # ids stay with their distro; a new name gets a new one
    check(export_ids(read(exports)) == {"rocky9": 1000, "later": 1001, "alma8": 1002},
          "fsids after adding alma8: %s" % export_ids(read(exports)))
    check(len(read(marker).splitlines()) == 3, "one command run per change")

    # nothing changed: nothing written, nothing run
    ino = os.stat(exports).st_ino
    time.sleep(2.5)
    check(os.stat(exports).st_ino == ino and len(read(marker).splitlines()) == 3,
          "the file was rewritten or the command run without a change")

    # a command that fails is said, with its output
    e.write("conf.d/75-nfs.yaml", read(os.path.join(e.config, "conf.d/75-nfs.yaml"))
            .replace("squash: all_squash", "squash: root_squash")
            .replace("reload_command: /bin/sh -c 'echo",
                     "reload_command: /bin/sh -c 'echo broken >&2; exit 3; echo"))
    e.cli("reload")
    e.wait_log("reload command /bin/sh exited with status 3: broken")
    check("(ro,root_squash," in read(exports), "the new squash setting")
    e.stop_and_check()


# ---- Ganesha ----------------------------------------------------------------------


def need(cond, why):
    if not cond:
        raise Skip(why)


class Lab:
    """Two namespaces joined by a veth pair; Ganesha in the server's."""

    def __init__(self, root):
        tag = "%d" % (os.getpid() % 100000)
        self.ns_server = "pxf-nfs-s-" + tag
        self.ns_client = "pxf-nfs-c-" + tag
        self.if_server = "pxn%ss" % tag
        self.if_client = "pxn%sc" % tag
        self.root = root
        self.ganesha = None
        self.ganesha_dir = os.path.join(root, "ganesha")
        self.conf = os.path.join(self.ganesha_dir, "ganesha.conf")
        self.exports = os.path.join(self.ganesha_dir, "pxeforge-exports.conf")
        self.pidfile = os.path.join(self.ganesha_dir, "ganesha.pid")
        self.glog = os.path.join(self.ganesha_dir, "ganesha.log")
        # Ganesha leaves this behind; removed only if this test made it
        self.run_dir_existed = os.path.exists("/var/run/ganesha")
        self.created = []

    def setup(self):
        os.makedirs(os.path.join(self.ganesha_dir, "recovery"))
        for ns in (self.ns_server, self.ns_client):
            run(["ip", "netns", "add", ns])
            self.created.append(ns)
        run(["ip", "link", "add", self.if_server, "type", "veth", "peer", "name",
             self.if_client])
        run(["ip", "link", "set", self.if_server, "netns", self.ns_server])
        run(["ip", "link", "set", self.if_client, "netns", self.ns_client])
        for ns, ifname, ip in ((self.ns_server, self.if_server, SERVER_IP),
                               (self.ns_client, self.if_client, CLIENT_IP)):
            run(["ip", "-n", ns, "addr", "add", ip + "/24", "dev", ifname])
            run(["ip", "-n", ns, "link", "set", ifname, "up"])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        # what the lab note found to work: NFSv4 only, no grace period, no
        # rpcbind or D-Bus; the exports are the plugin's file
        with open(self.conf, "w") as f:
            f.write("""\
NFS_CORE_PARAM {
	Protocols = 4;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	Enable_UDP = false;
	Bind_addr = %s;
}
NFSV4 {
	Graceless = true;
	RecoveryRoot = "%s";
}
%%include "%s"
""" % (SERVER_IP, os.path.join(self.ganesha_dir, "recovery"), self.exports))

    def start_ganesha(self):
        self.glogf = open(os.path.join(self.ganesha_dir, "ganesha.out"), "w")
        self.ganesha = subprocess.Popen(
            ["ip", "netns", "exec", self.ns_server, "ganesha.nfsd", "-F", "-L", self.glog,
             "-f", self.conf, "-p", self.pidfile],
            stdout=self.glogf, stderr=subprocess.STDOUT)

    def ganesha_log(self):
        try:
            return read(self.glog)
        except FileNotFoundError:
            return ""

    def client(self, *args, check_rc=True, timeout=60):
        p = run(["ip", "netns", "exec", self.ns_client] + list(args), timeout=timeout,
                check_rc=False)
        print("client$ %s -> %d\n%s%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
        if check_rc and p.returncode != 0:
            raise Fail("%s failed (%d): %s%s\nGanesha's log:\n%s"
                       % (" ".join(args), p.returncode, p.stdout, p.stderr,
                          self.ganesha_log()[-3000:]))
        return p

    def ls(self, path, recursive=False):
        """Names under an NFS path, or None when it cannot be listed."""
        args = ["nfs-ls"] + (["-R"] if recursive else [])
        p = self.client(*args, "nfs://%s%s?version=4" % (SERVER_IP, path), check_rc=False)
        if p.returncode != 0:
            return None
        return sorted(line.split()[-1] for line in p.stdout.splitlines() if line.strip())

    def close(self):
        if self.ganesha is not None and self.ganesha.poll() is None:
            self.ganesha.terminate()
            try:
                self.ganesha.wait(10)
            except subprocess.TimeoutExpired:
                self.ganesha.kill()
                self.ganesha.wait()
        for ns in self.created:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        if not self.run_dir_existed and os.path.isdir("/var/run/ganesha"):
            try:
                os.rmdir("/var/run/ganesha")  # only when empty
            except OSError:
                pass


def ganesha_available():
    need(os.geteuid() == 0, "needs root for network namespaces")
    for tool in ("ip", "ganesha.nfsd", "nfs-ls", "nfs-cp", "nfs-cat"):
        need(shutil.which(tool) is not None,
             "%s not found (Debian: iproute2, nfs-ganesha, libnfs-utils)" % tool)
    need(glob.glob("/usr/lib/*/ganesha/libfsalvfs.so*") + glob.glob("/usr/lib*/ganesha/libfsalvfs.so*"),
         "Ganesha's VFS FSAL not found (Debian: nfs-ganesha-vfs)")
    p = subprocess.run(["ip", "netns", "add", "pxf-nfs-probe-%d" % os.getpid()],
                       capture_output=True)
    need(p.returncode == 0, "cannot create a network namespace")
    subprocess.run(["ip", "netns", "del", "pxf-nfs-probe-%d" % os.getpid()], capture_output=True)


def case_ganesha(e):
    ganesha_available()
    lab = Lab(e.root)
    e.netns = lab.ns_server
    try:
        run_ganesha(e, lab)
    except Fail:
        print("---- Ganesha's log ----\n" + lab.ganesha_log()[-6000:])
        raise
    finally:
        e.stop()
        lab.close()


def run_ganesha(e, lab):
    lab.setup()
    big = os.urandom(3 * 1024 * 1024 + 17)
    rocky = e.tree("rocky9", {"images/install.img": big, ".treeinfo": b"[general]\nname=Rocky\n",
                              "repodata/repomd.xml": b"<repomd/>\n"})
    distros = [("rocky9", rocky), ("fedora40", "http://mirror.example/fedora/40/")]
    inventory(e, distros, daemon_extra="  interfaces: [%s]\n" % lab.if_server)
    # clients: the default, the network of the daemon's interface
    nfs_yaml = """\
plugins:
  nfs:
    ganesha_config: %s
    ganesha_reload: sighup
    ganesha_pidfile: %s
    protocols: [4]
    check_interval: 1
""" % (lab.exports, lab.pidfile)
    e.write("conf.d/75-nfs.yaml", nfs_yaml)
    e.start()
    text = read(lab.exports)
    print(text)
    check("Clients = 10.231.7.0/24;" in text and export_ids(text) == {"rocky9": 1000},
          "the export file pxeforged wrote")
    check("ganesha.nfsd is not running" in e.daemon_log(), "Ganesha was not running yet")

    lab.start_ganesha()
    wait_for("Ganesha to serve /distros", lambda: lab.ls("/distros") == ["rocky9"])
    # a write of the pidfile may lag behind the first answers
    wait_for("Ganesha's pidfile", lambda: os.path.exists(lab.pidfile))

    # the tree, recursively, and its files with their checksums
    listing = lab.ls("/distros/rocky9", recursive=True)
    print(listing)
    for name in ("install.img", ".treeinfo", "repomd.xml"):
        check(any(n.endswith(name) for n in listing), "%s not listed" % name)
    copies = os.path.join(e.root, "copies")
    os.makedirs(copies)
    for rel in ("images/install.img", ".treeinfo", "repodata/repomd.xml"):
        dest = os.path.join(copies, rel.replace("/", "_"))
        lab.client("nfs-cp", "nfs://%s/distros/rocky9/%s?version=4" % (SERVER_IP, rel), dest)
        check(sha256_file(dest) == sha256_file(os.path.join(rocky, rel)),
              "%s copied with another checksum" % rel)
    p = lab.client("nfs-cat", "nfs://%s/distros/rocky9/.treeinfo?version=4" % SERVER_IP)
    check(p.stdout == "[general]\nname=Rocky\n", "nfs-cat of .treeinfo")

    # read-only: a write is refused by the server
    local = os.path.join(e.root, "upload.txt")
    with open(local, "w") as f:
        f.write("must not land\n")
    p = lab.client("nfs-cp", local, "nfs://%s/distros/rocky9/upload.txt?version=4" % SERVER_IP,
                   check_rc=False)
    check(p.returncode != 0 and "NFS4ERR_ROFS" in p.stdout + p.stderr,
          "the write was not refused with NFS4ERR_ROFS")
    check(not os.path.exists(os.path.join(rocky, "upload.txt")), "the write landed")

    if e.has_kickstart:
        # no request: nfs.server is the daemon interface's address
        ks = e.cli("render", "--mac", MAC).stdout
        check("\nnfs --server=%s --dir=/distros/rocky9\n" % SERVER_IP in ks,
              "kickstart's nfs line")

    # a new distro and a reload of pxeforged: the plugin's section is
    # unchanged (no restart of the plugin), the periodic check writes it and
    # signals Ganesha by its pidfile
    alma = e.tree("alma8", {"BaseOS/README": b"alma8 tree\n"})
    distros.append(("alma8", alma))
    inventory(e, distros, daemon_extra="  interfaces: [%s]\n" % lab.if_server)
    e.cli("reload")
    wait_for("alma8 exported", lambda: lab.ls("/distros") == ["alma8", "rocky9"])
    check("sent SIGHUP to ganesha.nfsd (pid %d)" % lab.ganesha.pid in e.daemon_log(),
          "the plugin did not say it signalled Ganesha")
    check("initiating export list reload" in lab.ganesha_log(), "Ganesha did not reload")
    p = lab.client("nfs-cat", "nfs://%s/distros/alma8/BaseOS/README?version=4" % SERVER_IP)
    check(p.stdout == "alma8 tree\n", "a file of the new export")
    check(export_ids(read(lab.exports)) == {"rocky9": 1000, "alma8": 1001},
          "export ids after adding alma8")

    # the plugin's own settings change: it starts again and rewrites at once
    e.write("conf.d/75-nfs.yaml", nfs_yaml + "    clients: [10.231.8.0/24]\n")
    e.cli("reload")
    check("Clients = 10.231.8.0/24;" in read(lab.exports), "restarted plugin's file")
    wait_for("the exports closed to this client", lambda: lab.ls("/distros/rocky9") is None)
    e.write("conf.d/75-nfs.yaml", nfs_yaml)
    e.cli("reload")
    wait_for("the exports open again", lambda: lab.ls("/distros") == ["alma8", "rocky9"])

    # a distro removed from the inventory: its export goes, the other's id stays
    inventory(e, [d for d in distros if d[0] != "rocky9"],
              daemon_extra="  interfaces: [%s]\n" % lab.if_server)
    e.cli("reload")
    wait_for("rocky9 withdrawn", lambda: lab.ls("/distros") == ["alma8"])
    check(export_ids(read(lab.exports)) == {"alma8": 1001}, "alma8 kept its id")
    e.stop_and_check()


# ---- path unit ----------------------------------------------------------------------


def case_path_unit(e):
    """The default for Ganesha: only the file changes, systemd does the rest."""
    need(os.geteuid() == 0, "needs root to start pxeforged as root and drop to nobody")
    try:
        pw = pwd.getpwnam("nobody")
    except KeyError:
        raise Skip("no user nobody")
    # a stand-in that dies of SIGHUP, under the name the plugin checks, as
    # the daemon's user: a signal, if sent, would be allowed and kill it
    decoy_bin = os.path.join(e.root, "ganesha.nfsd")
    shutil.copy(shutil.which("sleep"), decoy_bin)
    os.chmod(decoy_bin, 0o755)
    decoy = subprocess.Popen([decoy_bin, "300"], user=pw.pw_uid, group=pw.pw_gid,
                             extra_groups=[])
    try:
        run_path_unit(e, decoy)
    finally:
        decoy.kill()
        decoy.wait()


def run_path_unit(e, decoy):
    pidfile = os.path.join(e.root, "ganesha.pid")
    with open(pidfile, "w") as f:
        f.write("%d\n" % decoy.pid)
    wait_for("the decoy's name",
             lambda: read("/proc/%d/comm" % decoy.pid).strip() == "ganesha.nfsd")
    rocky = e.tree("rocky9", {"README": b"rocky\n"})
    distros = [("rocky9", rocky)]
    inventory(e, distros)
    e.write("conf.d/75-nfs.yaml", """\
plugins:
  nfs:
    ganesha_pidfile: %s
    clients: [192.0.2.0/24]
    check_interval: 1
""" % pidfile)
    e.start(user="nobody")
    exports = os.path.join(e.state, "plugins", "nfs", "ganesha-exports.conf")
    e.wait_log("left the reload to systemd: pxeforge-nfs-reload.path watches %s" % exports)
    text = read(exports)
    print(text)
    check(export_ids(text) == {"rocky9": 1000} and "Clients = 192.0.2.0/24;" in text,
          "the export file in the state directory")
    check(os.stat(exports).st_mode & 0o777 == 0o644, "mode of the export file")
    check("running as nobody" in e.daemon_log(), "pxeforged did not drop to nobody")

    # a change made as `nobody`: a new file renamed over the old one, which a
    # reader that opened it before still reads whole
    with open(exports) as old:
        ino = os.fstat(old.fileno()).st_ino
        alma = e.tree("alma8", {"README": b"alma\n"})
        distros.append(("alma8", alma))
        inventory(e, distros)
        e.cli("reload")
        wait_for("alma8 in the file", lambda: "# distro alma8\n" in read(exports))
        check(old.read() == text, "the old file changed in place")
    st = os.stat(exports)
    check(st.st_ino != ino, "the file was not replaced by a rename")
    check(st.st_uid == pwd.getpwnam("nobody").pw_uid, "not written by the dropped user")
    check(export_ids(read(exports)) == {"rocky9": 1000, "alma8": 1001}, "export ids")
    e.wait_log("left the reload to systemd", 2)
    check(sorted(os.listdir(os.path.dirname(exports))) == ["ganesha-exports.conf"],
          "temporary files left next to the export file: %s"
          % os.listdir(os.path.dirname(exports)))

    # nothing was signalled, or tried
    log = e.daemon_log()
    for needle in ("sent SIGHUP", "cannot reload Ganesha", "ganesha.nfsd is not running"):
        check(needle not in log, "the daemon log has '%s'" % needle)
    check(decoy.poll() is None, "the process named by ganesha_pidfile got a signal")
    e.stop_and_check()


# ---- bad configuration ------------------------------------------------------------


def case_bad_config(e):
    """Settings the schema refuses fail `check`; ones the plugin refuses stop
    only the plugin, with their place."""
    inventory(e, [("rocky9", e.tree("rocky9", {"a": b"a"}))])
    conf = os.path.join(e.config, "conf.d", "75-nfs.yaml")
    e.write("conf.d/75-nfs.yaml", "plugins:\n  nfs:\n    first_export_id: 0\n")
    p = e.cli("check", expect=1)
    check(conf + ":3:" in p.stderr and "first_export_id" in p.stderr,
          "first_export_id 0 not reported with its place")

    e.write("conf.d/75-nfs.yaml", "plugins:\n  nfs:\n    ganesha_config: %s\n"
            "    clients: [10.0.0.5/24]\n" % os.path.join(e.root, "exports.conf"))
    e.start()
    p = e.cli("plugins")
    check(re.search(r"^nfs\s+refused: .*%s:4:\d+: clients: '10.0.0.5/24'" % re.escape(conf),
                    p.stdout, re.M) is not None, "clients with host bits not refused")
    check(not os.path.exists(os.path.join(e.root, "exports.conf")),
          "a refused plugin wrote its file")
    e.stop_and_check()


def main():
    cases = {"kernel": case_kernel, "ganesha": case_ganesha, "path-unit": case_path_unit,
             "bad-config": case_bad_config}
    return pxftest.main(Env, cases[CASE], finish=lambda e: None, name="nfs " + CASE)


if __name__ == "__main__":
    sys.exit(main())
