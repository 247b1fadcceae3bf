# SPDX-License-Identifier: LGPL-2.1-or-later
"""DHCP requests as the boot lab captured them from real clients (a PXE ROM,
OVMF's PXE and HTTP boot clients, iPXE), relayed to a pxeforged on
loopback, and the options of its OFFER. stdlib only; imported after
    sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
"""
import socket
import struct
import time

from pxftest import Fail

MAGIC = b"\x63\x82\x53\x63"
RELAY = "127.0.0.2"
IPXE_FEATURES = bytes([0x13, 0x01, 0x01, 0x11, 0x01, 0x01, 0x19, 0x01, 0x01, 0x21, 0x01, 0x01])
UUID = bytes([0x00, 0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
              0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])


def dhcp_discover(mac, xid, options):
    head = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 1, xid, 4, 0, bytes(4),
                       bytes(4), bytes(4), socket.inet_aton(RELAY),
                       bytes.fromhex(mac.replace(":", "")), b"", b"")
    body = bytearray(head + MAGIC + bytes([53, 1, 1]))
    for code, value in options:
        body += bytes([code, len(value)]) + value
    return bytes(body + b"\xff" + bytes(max(0, 300 - len(body) - 1)))


def rom_options(efi):
    """What a NIC's PXE ROM (BIOS) or OVMF (UEFI) sends: no 77, no 175."""
    return [(93, struct.pack("!H", 7 if efi else 0)),
            (94, bytes([1, 3, 0]) if efi else bytes([1, 2, 1])),
            (60, b"PXEClient:Arch:00007:UNDI:003000" if efi else
             b"PXEClient:Arch:00000:UNDI:002001"),
            (55, bytes([1, 3, 6, 43, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135])),
            (97, UUID)]


def http_boot_options(arch=16):
    """What OVMF's UEFI HTTP boot client sends (option 93 = 16 on x64):
    vendor class HTTPClient, asking for options 60 and 67."""
    return [(93, struct.pack("!H", arch)),
            (94, bytes([1, 3, 0])),
            (60, b"HTTPClient:Arch:%05d:UNDI:003000" % arch),
            (55, bytes([1, 3, 6, 15, 60, 66, 67])),
            (97, UUID)]


def ipxe_options(mac, efi):
    """What iPXE sends (the boot lab's capture): user class "iPXE" as raw
    bytes in 77, the feature list in 175."""
    return [(57, struct.pack("!H", 1472)),
            (93, struct.pack("!H", 7 if efi else 0)),
            (94, bytes([1, 3, 10]) if efi else bytes([1, 2, 1])),
            (60, b"PXEClient:Arch:00007:UNDI:003010" if efi else
             b"PXEClient:Arch:00000:UNDI:002001"),
            (77, b"iPXE"),
            (55, bytes([1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119,
                        128, 129, 130, 131, 132, 133, 134, 135, 175, 203])),
            (175, IPXE_FEATURES),
            (61, bytes([1]) + bytes.fromhex(mac.replace(":", ""))),
            (97, UUID)]


def offer(e, sock, mac, options, xid, expect=True):
    """The options of the OFFER for a DISCOVER relayed from RELAY (sock is
    bound to RELAY:e.dhcp_port, where replies to a relay go), or None with
    expect False when none comes in 5 s."""
    sock.sendto(dhcp_discover(mac, xid, options), ("127.0.0.1", e.dhcp_port))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(4096)
        except socket.timeout:
            break
        if len(data) < 240 or data[236:240] != MAGIC or struct.unpack("!I", data[4:8])[0] != xid:
            continue
        opts, i = {}, 240
        while i + 1 < len(data) and data[i] != 255:
            if data[i] == 0:
                i += 1
                continue
            opts[data[i]] = data[i + 2:i + 2 + data[i + 1]]
            i += 2 + data[i + 1]
        return opts
    if not expect:
        return None
    raise Fail("no OFFER for xid %#x:\n%s" % (xid, e.daemon_log()))


def relay_socket(e):
    """A socket bound to RELAY at the server's port: replies to relayed
    requests go to giaddr:port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((RELAY, e.dhcp_port))
    return sock
