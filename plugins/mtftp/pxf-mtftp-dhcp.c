/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-mtftp"

#include <string.h>

#include "pxf-mtftp-dhcp.h"

#define PXF_MTFTP_SUB_PAD    0
#define PXF_MTFTP_SUB_END    255
#define PXF_MTFTP_OPTION_MAX 255 /* one DHCP option; no RFC 3396 splitting here */

void
pxf_mtftp_sub_option_free(PxfMtftpSubOption *sub)
{
	if (sub == NULL)
		return;
	g_bytes_unref(sub->value);
	g_free(sub);
}

GPtrArray *
pxf_mtftp_dhcp_parse_sub_options(const guint8 *data, gsize len, GError **error)
{
	g_autoptr(GPtrArray) subs =
		g_ptr_array_new_with_free_func((GDestroyNotify)pxf_mtftp_sub_option_free);
	gboolean seen[256] = {FALSE};
	gsize pos = 0;

	while (pos < len) {
		guint8 code = data[pos];
		guint8 sub_len;
		PxfMtftpSubOption *sub;

		if (code == PXF_MTFTP_SUB_PAD) {
			pos++;
			continue;
		}
		if (code == PXF_MTFTP_SUB_END)
			break;
		if (pos + 1 >= len) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "sub-option %u at byte %" G_GSIZE_FORMAT " has no length", code,
				    pos);
			return NULL;
		}
		sub_len = data[pos + 1];
		if (pos + 2 + sub_len > len) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "sub-option %u at byte %" G_GSIZE_FORMAT
				    " is %u bytes long, past the end (%" G_GSIZE_FORMAT " bytes)",
				    code, pos, sub_len, len);
			return NULL;
		}
		if (seen[code]) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "sub-option %u appears twice", code);
			return NULL;
		}
		seen[code] = TRUE;
		sub = g_new0(PxfMtftpSubOption, 1);
		sub->code = code;
		sub->value = g_bytes_new(data + pos + 2, sub_len);
		g_ptr_array_add(subs, sub);
		pos += 2 + (gsize)sub_len;
	}
	return g_steal_pointer(&subs);
}

static void
pxf_mtftp_append_sub(GByteArray *out, guint8 code, const guint8 *value, guint8 len)
{
	g_byte_array_append(out, &code, 1);
	g_byte_array_append(out, &len, 1);
	if (len > 0)
		g_byte_array_append(out, value, len);
}

GBytes *
pxf_mtftp_dhcp_merge(const guint8 *existing,
		     gsize existing_len,
		     const PxfMtftpPxeParams *params,
		     GError **error)
{
	g_autoptr(GPtrArray) subs = NULL;
	g_autoptr(GByteArray) out = g_byte_array_sized_new(64);
	gboolean has_discovery = FALSE;
	guint8 port[2];
	guint8 end = PXF_MTFTP_SUB_END;

	subs = pxf_mtftp_dhcp_parse_sub_options(existing, existing != NULL ? existing_len : 0,
						error);
	if (subs == NULL)
		return NULL;

	pxf_mtftp_append_sub(out, PXF_MTFTP_PXE_MTFTP_IP, params->group, 4);
	port[0] = (guint8)(params->client_port >> 8);
	port[1] = (guint8)(params->client_port & 0xff);
	pxf_mtftp_append_sub(out, PXF_MTFTP_PXE_MTFTP_CPORT, port, 2);
	port[0] = (guint8)(params->server_port >> 8);
	port[1] = (guint8)(params->server_port & 0xff);
	pxf_mtftp_append_sub(out, PXF_MTFTP_PXE_MTFTP_SPORT, port, 2);
	pxf_mtftp_append_sub(out, PXF_MTFTP_PXE_MTFTP_TMOUT, &params->listen, 1);
	pxf_mtftp_append_sub(out, PXF_MTFTP_PXE_MTFTP_DELAY, &params->delay, 1);

	/* ours replace 1-5; everything else another plugin put there stays */
	for (guint i = 0; i < subs->len; i++) {
		const PxfMtftpSubOption *sub = g_ptr_array_index(subs, i);
		gsize len = 0;
		const guint8 *value = g_bytes_get_data(sub->value, &len);

		if (sub->code >= PXF_MTFTP_PXE_MTFTP_IP && sub->code <= PXF_MTFTP_PXE_MTFTP_DELAY)
			continue;
		if (sub->code == PXF_MTFTP_PXE_DISCOVERY_CONTROL)
			has_discovery = TRUE;
		pxf_mtftp_append_sub(out, sub->code, value, (guint8)len);
	}
	/* with option 43 present and no discovery control, a PXE 2.1 ROM may try
	 * boot server discovery instead of booting the file it was offered */
	if (!has_discovery) {
		guint8 control = PXF_MTFTP_PXE_DISCOVERY_BOOTFILE;
		pxf_mtftp_append_sub(out, PXF_MTFTP_PXE_DISCOVERY_CONTROL, &control, 1);
	}
	g_byte_array_append(out, &end, 1);
	if (out->len > PXF_MTFTP_OPTION_MAX) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
			    "option 43 would be %u bytes with the MTFTP sub-options, more than %u",
			    out->len, (guint)PXF_MTFTP_OPTION_MAX);
		return NULL;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}
