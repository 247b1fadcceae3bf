/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include <arpa/inet.h>
#include <string.h>

#include "pxf-dhcp-packet.h"

G_DEFINE_QUARK(pxf - dhcp - error - quark, pxf_dhcp_error)

/* Where each field starts in the fixed header. */
#define OFF_OP	   0
#define OFF_HTYPE  1
#define OFF_HLEN   2
#define OFF_HOPS   3
#define OFF_XID	   4
#define OFF_SECS   8
#define OFF_FLAGS  10
#define OFF_CIADDR 12
#define OFF_YIADDR 16
#define OFF_SIADDR 20
#define OFF_GIADDR 24
#define OFF_CHADDR 28
#define OFF_SNAME  44
#define OFF_FILE   108
#define OFF_COOKIE 236

static guint32
pxf_dhcp_read_u32(const guint8 *p)
{
	return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static guint16
pxf_dhcp_read_u16(const guint8 *p)
{
	return (guint16)(((guint)p[0] << 8) | p[1]);
}

PxfDhcpPacket *
pxf_dhcp_packet_new(void)
{
	return g_new0(PxfDhcpPacket, 1);
}

void
pxf_dhcp_packet_free(PxfDhcpPacket *self)
{
	if (self == NULL)
		return;
	for (guint i = 0; i < G_N_ELEMENTS(self->options); i++)
		g_clear_pointer(&self->options[i], g_bytes_unref);
	g_free(self);
}

/* Walks one option area (the options field, or file/sname when overloaded)
 * and appends every option's data to acc[code]; base is the area's offset
 * in the packet, for error messages. */
static gboolean
pxf_dhcp_packet_parse_area(GByteArray **acc,
			   const guint8 *area,
			   gsize len,
			   gsize base,
			   const gchar *name,
			   GError **error)
{
	gsize i = 0;

	while (i < len) {
		guint8 code = area[i];
		guint8 olen;

		if (code == PXF_DHCP_OPT_PAD) {
			i++;
			continue;
		}
		if (code == PXF_DHCP_OPT_END)
			return TRUE;
		if (i + 1 >= len) {
			g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED,
				    "option %u at offset %" G_GSIZE_FORMAT
				    " has no length byte (end of the %s)",
				    code, base + i, name);
			return FALSE;
		}
		olen = area[i + 1];
		if (olen > len - i - 2) {
			g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED,
				    "option %u at offset %" G_GSIZE_FORMAT
				    " claims %u bytes but the %s has %" G_GSIZE_FORMAT " left",
				    code, base + i, olen, name, len - i - 2);
			return FALSE;
		}
		/* RFC 2131 4.1: option 52 lives in the options field only */
		if (code == PXF_DHCP_OPT_OVERLOAD && base != PXF_DHCP_OPTIONS_OFFSET) {
			g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED,
				    "option 52 (overload) inside the %s at offset %" G_GSIZE_FORMAT,
				    name, base + i);
			return FALSE;
		}
		if (acc[code] == NULL)
			acc[code] = g_byte_array_new();
		g_byte_array_append(acc[code], area + i + 2, olen);
		i += 2 + (gsize)olen;
	}
	/* an area without an end option is common enough to tolerate */
	return TRUE;
}

/* Options whose length is fixed by RFC 2132 and which drive the protocol:
 * a wrong length there makes the packet malformed. Informational options
 * (93, 94, 97, ...) are checked by their accessors instead, so that one odd
 * field does not lose a client its address. */
static const struct {
	guint8 code;
	guint8 min;
	guint8 max;
} pxf_dhcp_option_lengths[] = {
	{PXF_DHCP_OPT_MESSAGE_TYPE, 1, 1}, {PXF_DHCP_OPT_REQUESTED_IP, 4, 4},
	{PXF_DHCP_OPT_SERVER_ID, 4, 4},	   {PXF_DHCP_OPT_LEASE_TIME, 4, 4},
	{PXF_DHCP_OPT_MAX_SIZE, 2, 2},	   {PXF_DHCP_OPT_OVERLOAD, 1, 1},
	{PXF_DHCP_OPT_CLIENT_ID, 1, 255},
};

static gboolean
pxf_dhcp_packet_check_lengths(GByteArray **acc, GError **error)
{
	for (guint i = 0; i < G_N_ELEMENTS(pxf_dhcp_option_lengths); i++) {
		guint8 code = pxf_dhcp_option_lengths[i].code;
		if (acc[code] == NULL)
			continue;
		if (acc[code]->len < pxf_dhcp_option_lengths[i].min ||
		    acc[code]->len > pxf_dhcp_option_lengths[i].max) {
			g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED,
				    "option %u has length %u, expected %u..%u", code,
				    acc[code]->len, pxf_dhcp_option_lengths[i].min,
				    pxf_dhcp_option_lengths[i].max);
			return FALSE;
		}
	}
	return TRUE;
}

static void
pxf_dhcp_acc_free(GByteArray **acc)
{
	for (guint i = 0; i < 256; i++) {
		if (acc[i] != NULL)
			g_byte_array_unref(acc[i]);
	}
}

PxfDhcpPacket *
pxf_dhcp_packet_parse(const guint8 *data, gsize len, GError **error)
{
	g_autoptr(PxfDhcpPacket) self = NULL;
	GByteArray *acc[256] = {NULL};
	gboolean ok;

	g_return_val_if_fail(data != NULL || len == 0, NULL);

	if (len < PXF_DHCP_OPTIONS_OFFSET) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED,
			    "truncated: %" G_GSIZE_FORMAT " bytes, a DHCP message has at least %u",
			    len, (guint)PXF_DHCP_OPTIONS_OFFSET);
		return NULL;
	}
	if (data[OFF_OP] != PXF_DHCP_OP_BOOTREQUEST && data[OFF_OP] != PXF_DHCP_OP_BOOTREPLY) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED,
			    "op %u is neither BOOTREQUEST nor BOOTREPLY", data[OFF_OP]);
		return NULL;
	}
	if (data[OFF_HLEN] > 16) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED,
			    "hlen %u is longer than chaddr (16)", data[OFF_HLEN]);
		return NULL;
	}
	if (pxf_dhcp_read_u32(data + OFF_COOKIE) != PXF_DHCP_MAGIC_COOKIE) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED,
			    "no DHCP magic cookie at offset %u (plain BOOTP is not served)",
			    (guint)OFF_COOKIE);
		return NULL;
	}

	self = pxf_dhcp_packet_new();
	self->op = data[OFF_OP];
	self->htype = data[OFF_HTYPE];
	self->hlen = data[OFF_HLEN];
	self->hops = data[OFF_HOPS];
	self->xid = pxf_dhcp_read_u32(data + OFF_XID);
	self->secs = pxf_dhcp_read_u16(data + OFF_SECS);
	self->flags = pxf_dhcp_read_u16(data + OFF_FLAGS);
	self->ciaddr = pxf_dhcp_read_u32(data + OFF_CIADDR);
	self->yiaddr = pxf_dhcp_read_u32(data + OFF_YIADDR);
	self->siaddr = pxf_dhcp_read_u32(data + OFF_SIADDR);
	self->giaddr = pxf_dhcp_read_u32(data + OFF_GIADDR);
	memcpy(self->chaddr, data + OFF_CHADDR, sizeof(self->chaddr));
	memcpy(self->sname, data + OFF_SNAME, sizeof(self->sname));
	memcpy(self->file, data + OFF_FILE, sizeof(self->file));

	ok = pxf_dhcp_packet_parse_area(acc, data + PXF_DHCP_OPTIONS_OFFSET,
					len - PXF_DHCP_OPTIONS_OFFSET, PXF_DHCP_OPTIONS_OFFSET,
					"options field", error);
	if (ok && acc[PXF_DHCP_OPT_OVERLOAD] != NULL) {
		guint8 overload;
		if (acc[PXF_DHCP_OPT_OVERLOAD]->len != 1 ||
		    (overload = acc[PXF_DHCP_OPT_OVERLOAD]->data[0]) < 1 || overload > 3) {
			g_set_error_literal(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED,
					    "option 52 (overload) is not one byte of 1, 2 or 3");
			ok = FALSE;
		} else {
			self->overload = overload;
			/* RFC 3396: file first, then sname */
			if (overload & 1)
				ok = pxf_dhcp_packet_parse_area(acc, self->file, sizeof(self->file),
								OFF_FILE, "file field", error);
			if (ok && (overload & 2))
				ok = pxf_dhcp_packet_parse_area(acc, self->sname,
								sizeof(self->sname), OFF_SNAME,
								"sname field", error);
		}
	}
	if (ok)
		ok = pxf_dhcp_packet_check_lengths(acc, error);
	if (!ok) {
		pxf_dhcp_acc_free(acc);
		return NULL;
	}
	for (guint i = 0; i < 256; i++) {
		if (acc[i] != NULL)
			self->options[i] = g_byte_array_free_to_bytes(acc[i]);
	}
	if (self->options[PXF_DHCP_OPT_MESSAGE_TYPE] != NULL)
		self->message_type = *(const guint8 *)g_bytes_get_data(
			self->options[PXF_DHCP_OPT_MESSAGE_TYPE], NULL);
	return g_steal_pointer(&self);
}

const guint8 *
pxf_dhcp_packet_get_option(const PxfDhcpPacket *self, guint8 code, gsize *len)
{
	const guint8 *data;
	gsize size = 0;

	if (self->options[code] == NULL) {
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	data = g_bytes_get_data(self->options[code], &size);
	if (len != NULL)
		*len = size;
	return data != NULL ? data : (const guint8 *)"";
}

gboolean
pxf_dhcp_packet_has_option(const PxfDhcpPacket *self, guint8 code)
{
	return self->options[code] != NULL;
}

gboolean
pxf_dhcp_packet_get_u16(const PxfDhcpPacket *self, guint8 code, guint16 *value)
{
	gsize len = 0;
	const guint8 *data = pxf_dhcp_packet_get_option(self, code, &len);
	if (data == NULL || len != 2)
		return FALSE;
	*value = pxf_dhcp_read_u16(data);
	return TRUE;
}

gboolean
pxf_dhcp_packet_get_u32(const PxfDhcpPacket *self, guint8 code, guint32 *value)
{
	gsize len = 0;
	const guint8 *data = pxf_dhcp_packet_get_option(self, code, &len);
	if (data == NULL || len != 4)
		return FALSE;
	*value = pxf_dhcp_read_u32(data);
	return TRUE;
}

static gchar *
pxf_dhcp_printable(const guint8 *data, gsize len)
{
	GString *str = g_string_sized_new(len);
	for (gsize i = 0; i < len; i++) {
		if (data[i] >= 0x20 && data[i] < 0x7f)
			g_string_append_c(str, (gchar)data[i]);
	}
	if (str->len == 0) {
		g_string_free(str, TRUE);
		return NULL;
	}
	return g_string_free(str, FALSE);
}

gchar *
pxf_dhcp_packet_get_string(const PxfDhcpPacket *self, guint8 code)
{
	gsize len = 0;
	const guint8 *data = pxf_dhcp_packet_get_option(self, code, &len);
	if (data == NULL)
		return NULL;
	return pxf_dhcp_printable(data, len);
}

gboolean
pxf_dhcp_packet_requests(const PxfDhcpPacket *self, guint8 code)
{
	gsize len = 0;
	const guint8 *list = pxf_dhcp_packet_get_option(self, PXF_DHCP_OPT_PARAM_LIST, &len);

	/* pad and end are not requestable; old PXE ROMs put a 255 in the list */
	if (list == NULL || code == PXF_DHCP_OPT_PAD || code == PXF_DHCP_OPT_END)
		return FALSE;
	return memchr(list, code, len) != NULL;
}

gchar *
pxf_dhcp_packet_get_mac(const PxfDhcpPacket *self)
{
	const guint8 *m = self->chaddr;
	if (self->htype != 1 || self->hlen != 6)
		return NULL;
	return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

gchar *
pxf_dhcp_packet_get_client_id(const PxfDhcpPacket *self)
{
	gsize len = 0;
	const guint8 *data = pxf_dhcp_packet_get_option(self, PXF_DHCP_OPT_CLIENT_ID, &len);
	GString *hex;

	if (data == NULL || len == 0)
		return NULL;
	hex = g_string_sized_new(len * 2);
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(hex, "%02x", data[i]);
	return g_string_free(hex, FALSE);
}

gchar *
pxf_dhcp_packet_get_uuid(const PxfDhcpPacket *self)
{
	gsize len = 0;
	const guint8 *d = pxf_dhcp_packet_get_option(self, PXF_DHCP_OPT_CLIENT_UUID, &len);
	gboolean zero = TRUE, ones = TRUE;
	const guint8 *u;

	/* RFC 4578: type 0 followed by the 16-byte SMBIOS UUID */
	if (d == NULL || len != 17 || d[0] != 0)
		return NULL;
	u = d + 1;
	for (guint i = 0; i < 16; i++) {
		zero = zero && u[i] == 0x00;
		ones = ones && u[i] == 0xff;
	}
	/* firmware without a real UUID sends these; they would match nothing */
	if (zero || ones)
		return NULL;
	/* time_low, time_mid and time_hi are little-endian on the wire */
	return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			       "%02x%02x%02x%02x%02x%02x",
			       u[3], u[2], u[1], u[0], u[5], u[4], u[7], u[6], u[8], u[9], u[10],
			       u[11], u[12], u[13], u[14], u[15]);
}

gint
pxf_dhcp_packet_get_arch(const PxfDhcpPacket *self)
{
	gsize len = 0;
	const guint8 *d = pxf_dhcp_packet_get_option(self, PXF_DHCP_OPT_CLIENT_ARCH, &len);
	/* RFC 4578: a list of 16-bit types; the first is the one booting */
	if (d == NULL || len < 2 || len % 2 != 0)
		return -1;
	return (gint)pxf_dhcp_read_u16(d);
}

gchar *
pxf_dhcp_packet_get_user_class(const PxfDhcpPacket *self)
{
	gsize len = 0;
	const guint8 *d = pxf_dhcp_packet_get_option(self, PXF_DHCP_OPT_USER_CLASS, &len);

	if (d == NULL || len == 0)
		return NULL;
	/* RFC 3004 entries start with a length byte, which is never printable
	 * for a sensible class; iPXE sends the bare text */
	if (d[0] > 0 && d[0] < 0x20 && (gsize)d[0] + 1 <= len)
		return pxf_dhcp_printable(d + 1, d[0]);
	return pxf_dhcp_printable(d, len);
}

gsize
pxf_dhcp_packet_get_max_reply_size(const PxfDhcpPacket *self)
{
	guint16 max = 0;
	if (!pxf_dhcp_packet_get_u16(self, PXF_DHCP_OPT_MAX_SIZE, &max) ||
	    max < PXF_DHCP_MIN_DATAGRAM)
		return PXF_DHCP_DEFAULT_MAX_SIZE;
	return MIN((gsize)max - PXF_DHCP_IP_UDP_OVERHEAD, (gsize)PXF_DHCP_MAX_REPLY_SIZE);
}

const gchar *
pxf_dhcp_message_type_to_string(guint8 type)
{
	static const gchar *const names[] = {NULL,  "DISCOVER", "OFFER",   "REQUEST", "DECLINE",
					     "ACK", "NAK",	"RELEASE", "INFORM"};
	if (type < G_N_ELEMENTS(names) && names[type] != NULL)
		return names[type];
	return "unknown";
}

gchar *
pxf_dhcp_ip_to_string(guint32 ip)
{
	return g_strdup_printf("%u.%u.%u.%u", (ip >> 24) & 0xff, (ip >> 16) & 0xff,
			       (ip >> 8) & 0xff, ip & 0xff);
}

gboolean
pxf_dhcp_ip_from_string(const gchar *text, guint32 *ip)
{
	struct in_addr addr;
	if (text == NULL || inet_pton(AF_INET, text, &addr) != 1)
		return FALSE;
	*ip = g_ntohl(addr.s_addr);
	return TRUE;
}
