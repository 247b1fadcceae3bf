/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-tftp"

#include <string.h>

#include "pxf-tftp-packet.h"

G_DEFINE_QUARK(pxf - tftp - error - quark, pxf_tftp_error)

const gchar *
pxf_tftp_error_to_string(guint code)
{
	static const gchar *const texts[] = {
		"Not defined",	       "File not found",	 "Access violation",
		"Disk full",	       "Illegal TFTP operation", "Unknown transfer ID",
		"File already exists", "No such user",		 "Option negotiation refused",
	};
	if (code >= G_N_ELEMENTS(texts))
		return "Unknown error";
	return texts[code];
}

static guint16
pxf_tftp_read_u16(const guint8 *buf)
{
	return (guint16)((buf[0] << 8) | buf[1]);
}

static void
pxf_tftp_write_u16(guint8 *buf, guint16 value)
{
	buf[0] = (guint8)(value >> 8);
	buf[1] = (guint8)(value & 0xff);
}

guint16
pxf_tftp_packet_get_opcode(const guint8 *buf, gsize len)
{
	if (buf == NULL || len < 2)
		return 0;
	return pxf_tftp_read_u16(buf);
}

/* The NUL-terminated string at *pos; FALSE when the packet ends before its
 * NUL. On success *pos is past the NUL. */
static gboolean
pxf_tftp_read_string(const guint8 *buf, gsize len, gsize *pos, const gchar **str, gsize *str_len)
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

/* Decimal digits only, saturating at G_MAXUINT64 (a huge blksize is still a
 * request for the largest one); FALSE when empty or not all digits. */
static gboolean
pxf_tftp_parse_decimal(const gchar *str, gsize len, guint64 *value)
{
	guint64 v = 0;

	if (len == 0)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		guint digit;
		if (!g_ascii_isdigit(str[i]))
			return FALSE;
		digit = (guint)(str[i] - '0');
		if (v > (G_MAXUINT64 - digit) / 10)
			v = G_MAXUINT64;
		else
			v = v * 10 + digit;
	}
	*value = v;
	return TRUE;
}

/* One option; FALSE when it was ignored (unknown, repeated, bad value). */
static gboolean
pxf_tftp_request_add_option(PxfTftpRequest *req,
			    const gchar *name,
			    const gchar *value,
			    gsize value_len)
{
	guint64 v = 0;

	if (g_ascii_strcasecmp(name, "blksize") == 0) {
		if (req->has_blksize || !pxf_tftp_parse_decimal(value, value_len, &v) ||
		    v < PXF_TFTP_BLKSIZE_MIN)
			return FALSE;
		req->blksize = (guint)MIN(v, (guint64)PXF_TFTP_BLKSIZE_MAX);
		req->has_blksize = TRUE;
		return TRUE;
	}
	if (g_ascii_strcasecmp(name, "tsize") == 0) {
		if (req->has_tsize || !pxf_tftp_parse_decimal(value, value_len, &v))
			return FALSE;
		req->tsize = v;
		req->has_tsize = TRUE;
		return TRUE;
	}
	if (g_ascii_strcasecmp(name, "timeout") == 0) {
		if (req->has_timeout || !pxf_tftp_parse_decimal(value, value_len, &v) ||
		    v < PXF_TFTP_TIMEOUT_MIN || v > PXF_TFTP_TIMEOUT_MAX)
			return FALSE;
		req->timeout = (guint)v;
		req->has_timeout = TRUE;
		return TRUE;
	}
	return FALSE;
}

gboolean
pxf_tftp_request_parse(PxfTftpRequest *req, const guint8 *buf, gsize len, GError **error)
{
	const gchar *filename = NULL;
	const gchar *mode = NULL;
	gsize filename_len = 0;
	gsize mode_len = 0;
	gsize pos = 2;
	guint16 opcode = pxf_tftp_packet_get_opcode(buf, len);

	memset(req, 0, sizeof(*req));
	if (opcode != PXF_TFTP_OP_RRQ && opcode != PXF_TFTP_OP_WRQ) {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ILLEGAL_OP,
			    "not a read or write request (opcode %u, %" G_GSIZE_FORMAT " bytes)",
			    opcode, len);
		return FALSE;
	}
	if (!pxf_tftp_read_string(buf, len, &pos, &filename, &filename_len)) {
		g_set_error_literal(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ILLEGAL_OP,
				    "file name not NUL-terminated");
		return FALSE;
	}
	if (filename_len > PXF_TFTP_FILENAME_MAX) {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ILLEGAL_OP,
			    "file name of %" G_GSIZE_FORMAT " bytes is longer than %u",
			    filename_len, (guint)PXF_TFTP_FILENAME_MAX);
		return FALSE;
	}
	if (!pxf_tftp_read_string(buf, len, &pos, &mode, &mode_len)) {
		g_set_error_literal(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ILLEGAL_OP,
				    "transfer mode missing or not NUL-terminated");
		return FALSE;
	}
	if (g_ascii_strcasecmp(mode, "octet") == 0) {
		req->mode = PXF_TFTP_MODE_OCTET;
	} else if (g_ascii_strcasecmp(mode, "netascii") == 0) {
		req->mode = PXF_TFTP_MODE_NETASCII;
	} else {
		g_autofree gchar *shown = pxf_tftp_escape(mode);
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ILLEGAL_OP,
			    "unsupported transfer mode '%s'", shown);
		return FALSE;
	}

	/* RFC 2347 options, name and value each NUL-terminated. A truncated last
	 * pair is ignored rather than fatal (options are only ever a wish), and
	 * an empty name ends the list: some PXE ROMs pad requests with NULs. */
	while (pos < len) {
		const gchar *name = NULL;
		const gchar *value = NULL;
		gsize name_len = 0;
		gsize value_len = 0;

		if (!pxf_tftp_read_string(buf, len, &pos, &name, &name_len)) {
			req->n_ignored++;
			break;
		}
		if (name_len == 0)
			break;
		if (!pxf_tftp_read_string(buf, len, &pos, &value, &value_len)) {
			req->n_ignored++;
			break;
		}
		if (!pxf_tftp_request_add_option(req, name, value, value_len))
			req->n_ignored++;
	}

	req->opcode = opcode;
	req->filename = g_strndup(filename, filename_len);
	return TRUE;
}

void
pxf_tftp_request_clear(PxfTftpRequest *req)
{
	g_clear_pointer(&req->filename, g_free);
}

gboolean
pxf_tftp_packet_parse_ack(const guint8 *buf, gsize len, guint16 *block)
{
	if (len < 4 || pxf_tftp_packet_get_opcode(buf, len) != PXF_TFTP_OP_ACK)
		return FALSE;
	*block = pxf_tftp_read_u16(buf + 2);
	return TRUE;
}

gboolean
pxf_tftp_packet_parse_error(const guint8 *buf, gsize len, guint16 *code, gchar **message)
{
	const guint8 *nul;
	gsize msg_len;
	g_autofree gchar *raw = NULL;

	if (len < 4 || pxf_tftp_packet_get_opcode(buf, len) != PXF_TFTP_OP_ERROR)
		return FALSE;
	*code = pxf_tftp_read_u16(buf + 2);
	nul = memchr(buf + 4, '\0', len - 4);
	msg_len = nul != NULL ? (gsize)(nul - (buf + 4)) : len - 4;
	raw = g_strndup((const gchar *)(buf + 4), MIN(msg_len, (gsize)PXF_TFTP_ERROR_MSG_MAX));
	*message = pxf_tftp_escape(raw);
	return TRUE;
}

GBytes *
pxf_tftp_packet_build_error(guint16 code, const gchar *message)
{
	const gchar *text = message != NULL ? message : pxf_tftp_error_to_string(code);
	gsize text_len = MIN(strlen(text), (gsize)PXF_TFTP_ERROR_MSG_MAX);
	guint8 *buf = g_malloc(4 + text_len + 1);

	pxf_tftp_write_u16(buf, PXF_TFTP_OP_ERROR);
	pxf_tftp_write_u16(buf + 2, code);
	memcpy(buf + 4, text, text_len);
	buf[4 + text_len] = '\0';
	return g_bytes_new_take(buf, 4 + text_len + 1);
}

void
pxf_tftp_packet_write_data_header(guint8 *buf, guint16 block)
{
	pxf_tftp_write_u16(buf, PXF_TFTP_OP_DATA);
	pxf_tftp_write_u16(buf + 2, block);
}

GByteArray *
pxf_tftp_packet_oack_new(void)
{
	GByteArray *oack = g_byte_array_sized_new(64);
	guint8 op[2];

	pxf_tftp_write_u16(op, PXF_TFTP_OP_OACK);
	g_byte_array_append(oack, op, sizeof(op));
	return oack;
}

void
pxf_tftp_packet_oack_add(GByteArray *oack, const gchar *name, guint64 value)
{
	g_autofree gchar *text = g_strdup_printf("%" G_GUINT64_FORMAT, value);

	g_byte_array_append(oack, (const guint8 *)name, (guint)strlen(name) + 1);
	g_byte_array_append(oack, (const guint8 *)text, (guint)strlen(text) + 1);
}

gchar *
pxf_tftp_escape(const gchar *text)
{
	return g_strescape(text != NULL ? text : "", NULL);
}
