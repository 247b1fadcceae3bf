/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Request packets for the unit suites, written byte by byte so that the
 * tests do not depend on the codec they test. The client kinds follow
 * what the lab captured (/work/shared/notes/network-boot-lab.md). */
#pragma once

#include <stdio.h>
#include <string.h>

#include <glib.h>

static inline void
test_packet_put_u32(GByteArray *p, gsize off, guint32 v)
{
	p->data[off] = (guint8)(v >> 24);
	p->data[off + 1] = (guint8)(v >> 16);
	p->data[off + 2] = (guint8)(v >> 8);
	p->data[off + 3] = (guint8)v;
}

static inline guint32
test_ip(const gchar *text)
{
	guint a, b, c, d;
	g_assert_cmpint(sscanf(text, "%u.%u.%u.%u", &a, &b, &c, &d), ==, 4);
	return (a << 24) | (b << 16) | (c << 8) | d;
}

/* A BOOTREQUEST header, the cookie and option 53 (type 0: none). */
static inline GByteArray *
test_packet_new(guint8 type, const guint8 mac[6], guint32 xid)
{
	GByteArray *p = g_byte_array_new();
	static const guint8 cookie[4] = {0x63, 0x82, 0x53, 0x63};

	g_byte_array_set_size(p, 236);
	memset(p->data, 0, 236);
	p->data[0] = 1; /* BOOTREQUEST */
	p->data[1] = 1; /* Ethernet */
	p->data[2] = 6;
	test_packet_put_u32(p, 4, xid);
	memcpy(p->data + 28, mac, 6);
	g_byte_array_append(p, cookie, 4);
	if (type != 0) {
		guint8 opt[3] = {53, 1, type};
		g_byte_array_append(p, opt, 3);
	}
	return p;
}

static inline void
test_packet_option(GByteArray *p, guint8 code, const void *data, gsize len)
{
	guint8 head[2] = {code, (guint8)len};
	g_assert_cmpuint(len, <=, 255);
	g_byte_array_append(p, head, 2);
	g_byte_array_append(p, data, (guint)len);
}

static inline void
test_packet_option_str(GByteArray *p, guint8 code, const gchar *text)
{
	test_packet_option(p, code, text, strlen(text));
}

static inline void
test_packet_option_ip(GByteArray *p, guint8 code, const gchar *ip)
{
	guint8 b[4];
	guint32 v = test_ip(ip);
	b[0] = (guint8)(v >> 24);
	b[1] = (guint8)(v >> 16);
	b[2] = (guint8)(v >> 8);
	b[3] = (guint8)v;
	test_packet_option(p, code, b, 4);
}

/* Appends the end option and pads to the BOOTP minimum. */
static inline GBytes *
test_packet_finish(GByteArray *p)
{
	guint8 end = 255;
	g_byte_array_append(p, &end, 1);
	while (p->len < 300) {
		guint8 pad = 0;
		g_byte_array_append(p, &pad, 1);
	}
	return g_byte_array_free_to_bytes(p);
}

/* SMBIOS UUID 12345678-9abc-def0-1122-334455667788, first three fields
 * little-endian as PXE clients send it. */
static const guint8 test_uuid_wire[17] = {0x00, 0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
					  0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
#define TEST_UUID_TEXT "12345678-9abc-def0-1122-334455667788"

/* iPXE: 93, 94, 60, 77 (bare "iPXE"), 175, 57, 61, 97, 55 */
static inline GByteArray *
test_discover_ipxe(const guint8 mac[6], guint32 xid, gboolean efi)
{
	GByteArray *p = test_packet_new(1, mac, xid);
	guint8 arch[2] = {0, efi ? 7 : 0};
	guint8 ndi[3] = {1, efi ? 3 : 2, efi ? 10 : 1};
	guint8 maxsize[2] = {0x05, 0xc0}; /* 1472 */
	guint8 clid[7] = {1};
	static const guint8 ipxe_feat[] = {0x13, 0x01, 0x01, 0x11, 0x01, 0x01, 0x19, 0x01, 0x01};
	static const guint8 params[] = {1,   3,	  6,   7,   12,	 15,  17,  26,	43,  60,  66, 67,
					119, 128, 129, 130, 131, 132, 133, 134, 135, 175, 203};

	memcpy(clid + 1, mac, 6);
	test_packet_option(p, 57, maxsize, 2);
	test_packet_option(p, 93, arch, 2);
	test_packet_option(p, 94, ndi, 3);
	test_packet_option_str(p, 60,
			       efi ? "PXEClient:Arch:00007:UNDI:003010"
				   : "PXEClient:Arch:00000:UNDI:002001");
	test_packet_option_str(p, 77, "iPXE");
	test_packet_option(p, 55, params, sizeof(params));
	test_packet_option(p, 175, ipxe_feat, sizeof(ipxe_feat));
	test_packet_option(p, 61, clid, sizeof(clid));
	test_packet_option(p, 97, test_uuid_wire, sizeof(test_uuid_wire));
	return p;
}

/* OVMF's own PXE client: broadcast flag, 93 = 7, no 61/77/175. */
static inline GByteArray *
test_discover_ovmf(const guint8 mac[6], guint32 xid)
{
	GByteArray *p = test_packet_new(1, mac, xid);
	guint8 arch[2] = {0, 7};
	guint8 ndi[3] = {1, 3, 0};
	guint8 maxsize[2] = {0x05, 0xc0};
	static const guint8 params[] = {1,  2,	3,  4,	 5,   6,   12,	13,  15,  17,  18, 22,
					23, 28, 40, 41,	 42,  43,  50,	51,  54,  58,  59, 60,
					66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135};
	p->data[10] = 0x80;
	test_packet_option(p, 57, maxsize, 2);
	test_packet_option(p, 55, params, sizeof(params));
	test_packet_option(p, 97, test_uuid_wire, sizeof(test_uuid_wire));
	test_packet_option(p, 94, ndi, 3);
	test_packet_option(p, 93, arch, 2);
	test_packet_option_str(p, 60, "PXEClient:Arch:00007:UNDI:003000");
	return p;
}

/* ISC dhclient: 12, 55, no 61 by default. */
static inline GByteArray *
test_discover_dhclient(const guint8 mac[6], guint32 xid)
{
	GByteArray *p = test_packet_new(1, mac, xid);
	static const guint8 params[] = {1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42};
	test_packet_option_str(p, 12, "client01");
	test_packet_option(p, 55, params, sizeof(params));
	return p;
}

/* busybox udhcpc: 61 = 01+MAC, 57 = 576, 60 "udhcp 1.35.0", 55. */
static inline GByteArray *
test_discover_udhcpc(const guint8 mac[6], guint32 xid)
{
	GByteArray *p = test_packet_new(1, mac, xid);
	guint8 clid[7] = {1};
	guint8 maxsize[2] = {0x02, 0x40};
	static const guint8 params[] = {1, 3, 6, 12, 15, 28, 42};
	memcpy(clid + 1, mac, 6);
	test_packet_option(p, 61, clid, sizeof(clid));
	test_packet_option(p, 57, maxsize, 2);
	test_packet_option_str(p, 60, "udhcp 1.35.0");
	test_packet_option(p, 55, params, sizeof(params));
	return p;
}
