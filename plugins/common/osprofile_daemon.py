# SPDX-License-Identifier: LGPL-2.1-or-later
"""A real pxeforged for the OS profile plugins' integration tests (preseed,
autoinstall): a configuration directory, this build's plugins (and the http
plugin's test plugin httptest, which records 127.0.0.x addresses as leased
to hosts, as the dhcp plugin does on an ACK: the inventory refuses loopback
fixed addresses), a control socket and curl on 127.0.0.1-127.0.0.3 only.
Imported by plugins/NAME/tests/NAME-daemon.py."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "lib"))
from pxftest import TIMEOUT, Fail, Skip, check, crypt, free_port  # noqa: E402,F401
import pxftest  # noqa: E402


class Env(pxftest.Env):
    """A configuration directory, the built plugins (and httptest), state, a
    control socket and a port for the http plugin."""

    def __init__(self, build, prefix, need=()):
        super().__init__(build, prefix, pxftest.built_plugins(build) + [
            os.path.join(build, "plugins", "http", "tests", "httptest.so")])
        missing = [n for n in need if not self.has_plugin(n)]
        if missing:
            self.close()
            raise Skip("plugins not built: " + " ".join(missing))
        self.port = free_port()

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


def run(make_env, cases, name):
    """main(): runs case `name` with a fresh Env; exit code 0, 1 or 77."""
    return pxftest.main(make_env, cases[name])
