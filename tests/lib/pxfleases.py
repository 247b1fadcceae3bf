# SPDX-License-Identifier: LGPL-2.1-or-later
"""Reads the dhcp plugin's leases as the file store keeps them: STATE/leases.snapshot
and STATE/leases.journal (docs/state.md), with the rules pxeforged applies on start:
the journal counts only for the snapshot of its generation, and reading stops at the
first incomplete or damaged record."""

import json
import os
import struct
import zlib

OP_PUT, OP_DELETE, OP_END = 1, 2, 3


def _header(data, magic):
    if len(data) < 16 or data[:8] != magic:
        return None
    return struct.unpack_from("<Q", data, 8)[0]


def _apply(table, payload):
    off = 0
    while off < len(payload):
        op = payload[off]
        if op == OP_END:
            off += 5
            continue
        (klen,) = struct.unpack_from("<H", payload, off + 1)
        key = payload[off + 3:off + 3 + klen].decode()
        off += 3 + klen
        if op == OP_PUT:
            (vlen,) = struct.unpack_from("<I", payload, off)
            table[key] = payload[off + 4:off + 4 + vlen]
            off += 4 + vlen
        else:
            table.pop(key, None)


def _records(data):
    off = 16
    while len(data) - off >= 8:
        rlen, crc = struct.unpack_from("<II", data, off)
        payload = data[off + 8:off + 8 + rlen]
        if len(payload) != rlen or zlib.crc32(payload) != crc:
            return
        yield payload
        off += 8 + rlen


def read_raw(state, ns="leases"):
    """key -> bytes; {} when nothing was written yet."""
    table = {}
    try:
        with open(os.path.join(state, ns + ".snapshot"), "rb") as f:
            snap = f.read()
    except FileNotFoundError:
        return table
    generation = _header(snap, b"PXFSNAP1")
    if generation is None:
        raise ValueError("%s: not a pxeforge snapshot" % state)
    for payload in _records(snap):
        _apply(table, payload)
    try:
        with open(os.path.join(state, ns + ".journal"), "rb") as f:
            journal = f.read()
    except FileNotFoundError:
        return table
    if _header(journal, b"PXFJRNL1") == generation:
        for payload in _records(journal):
            _apply(table, payload)
    return table


def read_leases(state):
    """address -> the lease record (a dict)."""
    return {k: json.loads(v) for k, v in read_raw(state).items()}
