/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include <string.h>

#include "pxf-dhcp-build.h"

static void
pxf_dhcp_put_u32(GByteArray *buf, guint32 value)
{
	guint8 b[4] = {(guint8)(value >> 24), (guint8)(value >> 16), (guint8)(value >> 8),
		       (guint8)value};
	g_byte_array_append(buf, b, sizeof(b));
}

static void
pxf_dhcp_put_u16(GByteArray *buf, guint16 value)
{
	guint8 b[2] = {(guint8)(value >> 8), (guint8)value};
	g_byte_array_append(buf, b, sizeof(b));
}

/* Bytes an option takes on the wire: RFC 3396 splits data longer than 255
 * into consecutive instances of the same code. */
static gsize
pxf_dhcp_encoded_size(gsize len)
{
	gsize chunks = len == 0 ? 1 : (len + 254) / 255;
	return chunks * 2 + len;
}

static void
pxf_dhcp_put_option(GByteArray *buf, guint8 code, const guint8 *data, gsize len)
{
	gsize done = 0;
	do {
		guint8 chunk = (guint8)MIN(len - done, (gsize)255);
		guint8 head[2] = {code, chunk};
		g_byte_array_append(buf, head, sizeof(head));
		if (chunk > 0)
			g_byte_array_append(buf, data + done, chunk);
		done += chunk;
	} while (done < len);
}

GBytes *
pxf_dhcp_build(const PxfDhcpPacket *header,
	       PxfDhcpOptions *options,
	       gsize max_size,
	       GArray *dropped,
	       GError **error)
{
	g_autoptr(GByteArray) buf = g_byte_array_sized_new((guint)MAX(max_size, 300));
	g_autoptr(GPtrArray) codes = NULL;
	g_autoptr(GArray) order = g_array_new(FALSE, FALSE, sizeof(guint8));
	guint8 code;

	g_return_val_if_fail(header != NULL, NULL);
	g_return_val_if_fail(options != NULL, NULL);

	if (max_size < PXF_DHCP_OPTIONS_OFFSET + 4) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED,
			    "a reply cannot fit in %" G_GSIZE_FORMAT " bytes", max_size);
		return NULL;
	}
	if (pxf_dhcp_options_get(options, PXF_DHCP_OPT_MESSAGE_TYPE, NULL) == NULL) {
		g_set_error_literal(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED,
				    "a reply needs option 53 (message type)");
		return NULL;
	}

	g_byte_array_append(buf, &header->op, 1);
	g_byte_array_append(buf, &header->htype, 1);
	g_byte_array_append(buf, &header->hlen, 1);
	g_byte_array_append(buf, &header->hops, 1);
	pxf_dhcp_put_u32(buf, header->xid);
	pxf_dhcp_put_u16(buf, header->secs);
	pxf_dhcp_put_u16(buf, header->flags);
	pxf_dhcp_put_u32(buf, header->ciaddr);
	pxf_dhcp_put_u32(buf, header->yiaddr);
	pxf_dhcp_put_u32(buf, header->siaddr);
	pxf_dhcp_put_u32(buf, header->giaddr);
	g_byte_array_append(buf, header->chaddr, sizeof(header->chaddr));
	g_byte_array_append(buf, header->sname, sizeof(header->sname));
	g_byte_array_append(buf, header->file, sizeof(header->file));
	pxf_dhcp_put_u32(buf, PXF_DHCP_MAGIC_COOKIE);

	/* 53 first (RFC 2131 does not require it, some PXE ROMs do), 82 last
	 * (RFC 3046: relays strip it from the end) */
	code = PXF_DHCP_OPT_MESSAGE_TYPE;
	g_array_append_val(order, code);
	codes = pxf_dhcp_options_get_codes(options);
	for (guint i = 0; i < codes->len; i++) {
		code = (guint8)GPOINTER_TO_UINT(g_ptr_array_index(codes, i));
		if (code != PXF_DHCP_OPT_MESSAGE_TYPE && code != PXF_DHCP_OPT_AGENT_INFO)
			g_array_append_val(order, code);
	}
	if (pxf_dhcp_options_get(options, PXF_DHCP_OPT_AGENT_INFO, NULL) != NULL) {
		code = PXF_DHCP_OPT_AGENT_INFO;
		g_array_append_val(order, code);
	}

	for (guint i = 0; i < order->len; i++) {
		gsize len = 0;
		const guint8 *data;

		code = g_array_index(order, guint8, i);
		data = pxf_dhcp_options_get(options, code, &len);
		/* one byte stays free for the end option */
		if (buf->len + pxf_dhcp_encoded_size(len) + 1 > max_size) {
			if (dropped != NULL)
				g_array_append_val(dropped, code);
			continue;
		}
		pxf_dhcp_put_option(buf, code, data, len);
	}
	code = PXF_DHCP_OPT_END;
	g_byte_array_append(buf, &code, 1);
	if (buf->len < PXF_DHCP_BOOTP_MIN_SIZE) {
		guint old = buf->len;
		g_byte_array_set_size(buf, PXF_DHCP_BOOTP_MIN_SIZE);
		memset(buf->data + old, 0, PXF_DHCP_BOOTP_MIN_SIZE - old);
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}
