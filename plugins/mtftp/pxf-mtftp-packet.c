/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-mtftp"

#include <string.h>

#include "pxf-mtftp-packet.h"

/* The string at *pos up to its NUL; FALSE when the packet ends first. */
static gboolean
pxf_mtftp_read_string(const guint8 *buf, gsize len, gsize *pos, const gchar **str, gsize *str_len)
{
	const guint8 *nul;

	if (*pos >= len)
		return FALSE;
	nul = memchr(buf + *pos, '\0', len - *pos);
	if (nul == NULL)
		return FALSE;
	*str = (const gchar *)(buf + *pos);
	*str_len = (gsize)(nul - (buf + *pos));
	*pos += *str_len + 1;
	return TRUE;
}

gboolean
pxf_mtftp_request_find_option(
	const guint8 *buf, gsize len, const gchar *name, const gchar **value, gsize *value_len)
{
	const gchar *str = NULL;
	gsize str_len = 0;
	gsize pos = 2;

	if (buf == NULL || len < 2)
		return FALSE;
	/* file name and mode, then name/value pairs; the same rules as the
	 * tftp parser: a truncated pair or an empty name ends the list */
	if (!pxf_mtftp_read_string(buf, len, &pos, &str, &str_len) ||
	    !pxf_mtftp_read_string(buf, len, &pos, &str, &str_len))
		return FALSE;
	while (pos < len) {
		const gchar *opt = NULL;
		const gchar *val = NULL;
		gsize opt_len = 0;
		gsize val_len = 0;

		if (!pxf_mtftp_read_string(buf, len, &pos, &opt, &opt_len) || opt_len == 0)
			return FALSE;
		if (!pxf_mtftp_read_string(buf, len, &pos, &val, &val_len))
			return FALSE;
		if (g_ascii_strcasecmp(opt, name) == 0) {
			*value = val;
			*value_len = val_len;
			return TRUE;
		}
	}
	return FALSE;
}

GBytes *
pxf_mtftp_oack_build(guint blksize,
		     gboolean has_tsize,
		     guint64 tsize,
		     const gchar *group,
		     guint16 port,
		     gboolean master)
{
	g_autoptr(GByteArray) oack = pxf_tftp_packet_oack_new();
	g_autofree gchar *value = g_strdup_printf("%s,%u,%d", group, port, master ? 1 : 0);

	if (blksize > 0)
		pxf_tftp_packet_oack_add(oack, "blksize", blksize);
	if (has_tsize)
		pxf_tftp_packet_oack_add(oack, "tsize", tsize);
	g_byte_array_append(oack, (const guint8 *)PXF_MTFTP_OPTION_MULTICAST,
			    sizeof(PXF_MTFTP_OPTION_MULTICAST));
	g_byte_array_append(oack, (const guint8 *)value, (guint)strlen(value) + 1);
	return g_byte_array_free_to_bytes(g_steal_pointer(&oack));
}

gboolean
pxf_mtftp_multicast_value_parse(
	const gchar *value, gchar **addr, gint *port, gboolean *master, GError **error)
{
	g_auto(GStrv) parts = g_strsplit(value, ",", -1);
	guint64 number = 0;

	if (g_strv_length(parts) != 3) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "multicast value '%s' is not addr,port,mc", value);
		return FALSE;
	}
	if (g_strcmp0(parts[2], "0") != 0 && g_strcmp0(parts[2], "1") != 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "multicast value '%s': mc is neither 0 nor 1", value);
		return FALSE;
	}
	if (parts[1][0] != '\0' &&
	    (!g_ascii_string_to_unsigned(parts[1], 10, 1, 65535, &number, NULL))) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "multicast value '%s': bad port", value);
		return FALSE;
	}
	*addr = g_strdup(parts[0]);
	*port = parts[1][0] != '\0' ? (gint)number : -1;
	*master = parts[2][0] == '1';
	return TRUE;
}
