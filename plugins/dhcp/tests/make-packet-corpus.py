#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seed corpus of fuzz-dhcp-packet: requests as the clients of
/work/shared/notes/network-boot-lab.md ("What the clients send") send them,
plus the structural corner cases (relay, overload, odd lengths).

usage: make-packet-corpus.py DIR
"""
import os
import struct
import sys

MAGIC = b"\x63\x82\x53\x63"
UUID = bytes([0x00, 0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
              0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])
IPXE_FEATURES = bytes([0x13, 0x01, 0x01, 0x11, 0x01, 0x01, 0x19, 0x01, 0x01, 0x21, 0x01, 0x01])


def ip(text):
    return bytes(int(x) for x in text.split("."))


def header(mac, xid, flags=0, ciaddr="0.0.0.0", giaddr="0.0.0.0", sname=b"", file=b""):
    return struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 1 if giaddr != "0.0.0.0" else 0,
                       xid, 4, flags, ip(ciaddr), bytes(4), bytes(4), ip(giaddr),
                       bytes.fromhex(mac.replace(":", "")), sname, file)


def packet(mtype, mac, xid, options, **kw):
    body = bytearray(header(mac, xid, **kw) + MAGIC + bytes([53, 1, mtype]))
    for code, value in options:
        body += bytes([code, len(value)]) + value
    body += b"\xff"
    body += bytes(max(0, 300 - len(body)))
    return bytes(body)


def ipxe(efi, mtype=1, extra=()):
    mac = "52:54:00:12:34:56"
    opts = [(57, struct.pack("!H", 1472)),
            (93, struct.pack("!H", 7 if efi else 0)),
            (94, bytes([1, 3, 10]) if efi else bytes([1, 2, 1])),
            (60, b"PXEClient:Arch:00007:UNDI:003010" if efi else
             b"PXEClient:Arch:00000:UNDI:002001"),
            (77, b"iPXE"),
            (55, bytes([1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119,
                        128, 129, 130, 131, 132, 133, 134, 135, 175, 203])),
            (175, IPXE_FEATURES),
            (61, bytes([1]) + bytes.fromhex(mac.replace(":", ""))),
            (97, UUID)] + list(extra)
    return packet(mtype, mac, 0x1d2c3b4a, opts)


def ovmf(mtype=1, extra=()):
    opts = list(extra) + [
        (57, struct.pack("!H", 1472)),
        (55, bytes([1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51,
                    54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135])),
        (97, UUID), (94, bytes([1, 3, 0])), (93, struct.pack("!H", 7)),
        (60, b"PXEClient:Arch:00007:UNDI:003000")]
    return packet(mtype, "52:54:00:ab:cd:ef", 0x5eed0001, opts, flags=0x8000)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    server = (54, ip("10.0.0.1"))
    seeds = {
        "ipxe-bios-discover": ipxe(False),
        "ipxe-efi-discover": ipxe(True),
        "ipxe-bios-request": ipxe(False, 3, [server, (50, ip("10.0.0.100"))]),
        "ovmf-discover": ovmf(),
        # OVMF's REQUEST repeats 54, 50, 97, 94, 93, 60
        "ovmf-request": ovmf(3, [server, (50, ip("10.0.0.101"))]),
        "uefi-http-discover": packet(1, "52:54:00:ab:cd:ee", 7, [
            (93, struct.pack("!H", 16)), (60, b"HTTPClient:Arch:00016:UNDI:003000"),
            (55, bytes([1, 3, 6, 60, 67]))], flags=0x8000),
        "dhclient-discover": packet(1, "02:00:00:00:00:01", 0x11, [
            (12, b"client01"), (55, bytes([1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42]))]),
        "dhclient-request": packet(3, "02:00:00:00:00:01", 0x11, [
            server, (50, ip("10.0.0.102")), (12, b"client01"),
            (55, bytes([1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42]))]),
        "dhclient-renew": packet(3, "02:00:00:00:00:01", 0x12, [(12, b"client01")],
                                 ciaddr="10.0.0.102"),
        "dhclient-release": packet(7, "02:00:00:00:00:01", 0x13, [server], ciaddr="10.0.0.102"),
        "udhcpc-discover": packet(1, "02:00:00:00:00:02", 0x21, [
            (61, bytes.fromhex("01020000000002")), (57, struct.pack("!H", 576)),
            (60, b"udhcp 1.35.0"), (55, bytes([1, 3, 6, 12, 15, 28, 42]))]),
        "udhcpc-decline": packet(4, "02:00:00:00:00:02", 0x22, [
            (61, bytes.fromhex("01020000000002")), server, (50, ip("10.0.0.103"))]),
        "inform": packet(8, "02:00:00:00:00:03", 0x31, [(55, bytes([1, 3, 6]))],
                         ciaddr="10.0.0.77"),
        "relay-discover": packet(1, "02:00:00:00:00:04", 0x41, [
            (82, bytes([1, 4]) + b"eth1" + bytes([2, 3]) + b"sw1")], giaddr="10.5.0.1"),
        # options continued in file and sname (52 = 3), one of them split
        "overload": packet(1, "02:00:00:00:00:05", 0x51, [(52, b"\x03"), (60, b"PXE")],
                           file=bytes([60, 6]) + b"Client" + b"\xff",
                           sname=bytes([12, 4]) + b"name" + b"\xff"),
        # a SELECTING REQUEST with 50 and 54 overloaded into file (52 = 1)
        "overload-request": packet(3, "02:00:00:00:00:08", 0x81, [(52, b"\x01"),
                                   (61, b"\xff\x00\x00\x00\x01\x00\x01"), (97, UUID)],
                                   file=bytes([50, 4]) + ip("10.0.0.150") + bytes([54, 4]) +
                                   ip("10.0.0.1") + b"\xff"),
        # RFC 3396: one long option as consecutive instances
        "long-option": packet(1, "02:00:00:00:00:06", 0x61, [(43, bytes(255)), (43, bytes(40))]),
        # an old PXE ROM: 255 inside its parameter list
        "old-rom": packet(1, "02:00:00:00:00:07", 0x71, [
            (55, bytes([1, 3, 43, 60, 66, 67, 255])), (60, b"PXEClient:Arch:00000:UNDI:002001")]),
        "truncated": ipxe(False)[:261],
        "bootreply": b"\x02" + ipxe(False)[1:],
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(seeds), out))


if __name__ == "__main__":
    main()
