#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""mkdisk: a tiny raw disk image that stands for "the installed system".

Its MBR boot sector is 16-bit real-mode code assembled by hand below. When a
BIOS boots the disk, it prints a marker line (PXF-LOCALDISK-<name>) to COM1
by port I/O and to the screen with int 10h (which `-device sga` also copies to
the serial port), then halts with interrupts off. A test that boots a guest
with `-no-reboot` waits for the marker on the serial log and kills QEMU.

So an end-to-end test can tell "the host booted from its local disk" (the
marker) from "the host network-booted again" (PXE/iPXE banners).

usage: mkdisk.py IMAGE [NAME] [SIZE_KIB]
"""
import os
import re
import struct
import sys

SECTOR = 512
MARKER_PREFIX = "PXF-LOCALDISK-"
LOAD_ADDR = 0x7C00  # where the BIOS loads the boot sector (segment 0)

COM1 = 0x3F8  # UART base port; +1 IER/DLM, +2 FCR, +3 LCR, +4 MCR, +5 LSR


def marker(name):
    return MARKER_PREFIX + name


class _Asm:
    """Just enough of an assembler to place hand-written opcodes and resolve
    8-bit relative jumps and one absolute address: every instruction's bytes
    are spelled out by the caller, with the mnemonic as a comment."""

    def __init__(self, origin):
        self.origin = origin
        self.code = bytearray()
        self.labels = {}
        self.rel8 = []  # (offset of the displacement byte, label)
        self.abs16 = []  # (offset of the 16-bit immediate, label)

    def label(self, name):
        self.labels[name] = len(self.code)

    def emit(self, *data):
        self.code += bytes(data)

    def emit_rel8(self, opcode, target):
        self.code.append(opcode)
        self.rel8.append((len(self.code), target))
        self.code.append(0)

    def emit_abs16(self, opcode, target):
        self.code.append(opcode)
        self.abs16.append((len(self.code), target))
        self.code += b"\0\0"

    def link(self):
        for at, target in self.rel8:
            # displacement counts from the end of the 2-byte jump
            disp = self.labels[target] - (at + 1)
            if not -128 <= disp <= 127:
                raise ValueError("jump to %s out of rel8 range" % target)
            self.code[at] = disp & 0xFF
        for at, target in self.abs16:
            struct.pack_into("<H", self.code, at, self.origin + self.labels[target])
        return bytes(self.code)


def _out_port(a, port, value):
    """UART register write: mov dx, port; mov al, value; out dx, al."""
    a.emit(0xBA, port & 0xFF, port >> 8)  # mov dx, imm16
    a.emit(0xB0, value)  # mov al, imm8
    a.emit(0xEE)  # out dx, al


def boot_sector(name):
    """The 512-byte MBR printing marker(name)."""
    text = (marker(name) + "\r\n").encode("ascii")
    a = _Asm(LOAD_ADDR)
    # --- set up a known state: segments 0, stack just below the code
    a.emit(0xFA)  # cli
    a.emit(0x31, 0xC0)  # xor ax, ax
    a.emit(0x8E, 0xD8)  # mov ds, ax
    a.emit(0x8E, 0xC0)  # mov es, ax
    a.emit(0x8E, 0xD0)  # mov ss, ax
    a.emit(0xBC, LOAD_ADDR & 0xFF, LOAD_ADDR >> 8)  # mov sp, 0x7c00
    a.emit(0xFB)  # sti (int 10h may need interrupts)
    a.emit(0xFC)  # cld (lodsb counts upwards)
    # --- 16550 UART on COM1: 115200 8N1, FIFOs on, no interrupts
    _out_port(a, COM1 + 1, 0x00)  # IER = 0: no UART interrupts
    _out_port(a, COM1 + 3, 0x80)  # LCR = DLAB: next two ports are the divisor
    _out_port(a, COM1 + 0, 0x01)  # DLL = 1 (115200 baud)
    _out_port(a, COM1 + 1, 0x00)  # DLM = 0
    _out_port(a, COM1 + 3, 0x03)  # LCR = 8 data bits, no parity, 1 stop, DLAB off
    _out_port(a, COM1 + 2, 0xC7)  # FCR = enable + clear FIFOs, 14-byte threshold
    _out_port(a, COM1 + 4, 0x0B)  # MCR = DTR | RTS | OUT2
    # --- the whole message to COM1 first, so that it is one unbroken line on
    # the serial log (SGA interleaves escape sequences with screen output)
    a.emit_abs16(0xBE, "msg")  # mov si, msg
    a.label("serial")
    a.emit(0xAC)  # lodsb: al = [ds:si++]
    a.emit(0x84, 0xC0)  # test al, al
    a.emit_rel8(0x74, "screen")  # jz screen: NUL ends the message
    a.emit(0x88, 0xC3)  # mov bl, al: keep the byte while polling
    a.emit(0xBA, (COM1 + 5) & 0xFF, (COM1 + 5) >> 8)  # mov dx, LSR
    a.label("poll")
    a.emit(0xEC)  # in al, dx
    a.emit(0xA8, 0x20)  # test al, 0x20: transmit holding register empty?
    a.emit_rel8(0x74, "poll")  # jz poll
    a.emit(0x88, 0xD8)  # mov al, bl
    a.emit(0xBA, COM1 & 0xFF, COM1 >> 8)  # mov dx, THR
    a.emit(0xEE)  # out dx, al: the byte goes to the serial port
    a.emit_rel8(0xEB, "serial")  # jmp serial
    # --- then the same message to the screen through the BIOS
    a.label("screen")
    a.emit_abs16(0xBE, "msg")  # mov si, msg
    a.label("char")
    a.emit(0xAC)  # lodsb
    a.emit(0x84, 0xC0)  # test al, al
    a.emit_rel8(0x74, "done")  # jz done
    a.emit(0x56)  # push si: some BIOSes clobber registers in int 10h
    a.emit(0xB4, 0x0E)  # mov ah, 0x0e: teletype output of al
    a.emit(0xB7, 0x00)  # mov bh, 0: display page 0
    a.emit(0xB3, 0x07)  # mov bl, 7: light grey (graphics modes only)
    a.emit(0xCD, 0x10)  # int 0x10
    a.emit(0x5E)  # pop si
    a.emit_rel8(0xEB, "char")  # jmp char
    # --- stop here for good; the test kills QEMU when it saw the marker
    a.label("done")
    a.emit(0xFA)  # cli
    a.label("halt")
    a.emit(0xF4)  # hlt (only an NMI or SMI could wake us)
    a.emit_rel8(0xEB, "halt")  # jmp halt
    a.label("msg")
    a.code += text + b"\0"
    code = a.link()
    # 446 bytes of code, then an empty partition table, then the signature
    if len(code) > 446:
        raise ValueError("name too long for the boot sector: %r" % name)
    return code.ljust(510, b"\0") + b"\x55\xAA"


def write(path, name="disk", size=1024 * 1024):
    """Writes a raw image of size bytes at path (atomically) whose boot
    sector prints marker(name). Returns path."""
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", name):
        raise ValueError("disk name must be 1-64 of [A-Za-z0-9._-]: %r" % name)
    if size < SECTOR or size % SECTOR:
        raise ValueError("size must be a positive multiple of 512")
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as f:
        f.write(boot_sector(name))
        f.truncate(size)  # sparse zeros: QEMU sees a disk of that size
    os.rename(tmp, path)
    return path


def main(argv):
    if len(argv) < 2 or len(argv) > 4:
        sys.stderr.write(__doc__)
        return 2
    name = argv[2] if len(argv) > 2 else "disk"
    size = int(argv[3]) * 1024 if len(argv) > 3 else 1024 * 1024
    write(argv[1], name, size)
    print("%s: prints %s" % (argv[1], marker(name)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
