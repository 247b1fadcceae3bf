/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Request paths: percent-decoding and normalisation. Everything the plugin
 * serves is looked up by the relative path this returns, so it is the one
 * place that decides a path cannot leave a served tree. */
#define G_LOG_DOMAIN "pxf-http"

#include "pxf-http-path.h"

#include <string.h>

G_DEFINE_QUARK(pxf - http - error - quark, pxf_http_error)

guint
pxf_http_error_to_status(const GError *error)
{
	if (error == NULL || error->domain != PXF_HTTP_ERROR)
		return 500;
	switch (error->code) {
	case PXF_HTTP_ERROR_INVALID:
		return 400;
	case PXF_HTTP_ERROR_FORBIDDEN:
		return 403;
	case PXF_HTTP_ERROR_NOT_FOUND:
		return 404;
	default:
		return 500;
	}
}

static gint
pxf_http_hex_value(gchar c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

gchar *
pxf_http_percent_decode(
	const gchar *text, gsize len, gboolean plus_is_space, gsize *out_len, GError **error)
{
	g_autofree gchar *out = g_malloc(len + 1);
	gsize n = 0;

	g_return_val_if_fail(text != NULL || len == 0, NULL);

	for (gsize i = 0; i < len; i++) {
		gchar c = text[i];
		if (c == '%') {
			gint hi = i + 2 < len ? pxf_http_hex_value(text[i + 1]) : -1;
			gint lo = i + 2 < len ? pxf_http_hex_value(text[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
					    "malformed percent escape at byte %" G_GSIZE_FORMAT, i);
				return NULL;
			}
			out[n++] = (gchar)((hi << 4) | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			out[n++] = ' ';
		} else {
			out[n++] = c;
		}
	}
	out[n] = '\0';
	if (out_len != NULL)
		*out_len = n;
	return g_steal_pointer(&out);
}

gchar *
pxf_http_path_normalise(const gchar *raw, gsize len, GError **error)
{
	g_autofree gchar *decoded = NULL;
	g_autoptr(GString) out = NULL;
	gsize dlen = 0;
	gsize start = 0;

	g_return_val_if_fail(raw != NULL || len == 0, NULL);

	if (len > PXF_HTTP_PATH_MAX) {
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
			    "path longer than %d bytes", PXF_HTTP_PATH_MAX);
		return NULL;
	}
	decoded = pxf_http_percent_decode(raw, len, FALSE, &dlen, error);
	if (decoded == NULL)
		return NULL;
	for (gsize i = 0; i < dlen; i++) {
		guchar c = (guchar)decoded[i];
		if (c == '\0') {
			g_set_error_literal(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
					    "path contains a NUL byte");
			return NULL;
		}
		if (c == '\\') {
			g_set_error_literal(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
					    "path contains a backslash");
			return NULL;
		}
		if (c < 0x20 || c == 0x7f) {
			g_set_error_literal(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
					    "path contains a control character");
			return NULL;
		}
	}
	if (!g_utf8_validate(decoded, (gssize)dlen, NULL)) {
		g_set_error_literal(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
				    "path is not valid UTF-8");
		return NULL;
	}

	/* one pass over the '/'-separated segments of the decoded path */
	out = g_string_sized_new(dlen);
	for (gsize i = 0; i <= dlen; i++) {
		gsize seglen;
		if (i < dlen && decoded[i] != '/')
			continue;
		seglen = i - start;
		if (seglen == 2 && decoded[start] == '.' && decoded[start + 1] == '.') {
			g_set_error_literal(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
					    "path contains a '..' segment");
			return NULL;
		}
		if (seglen > 0 && !(seglen == 1 && decoded[start] == '.')) {
			if (out->len > 0)
				g_string_append_c(out, '/');
			g_string_append_len(out, decoded + start, (gssize)seglen);
		}
		start = i + 1;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

gboolean
pxf_http_path_is_normal(const gchar *path)
{
	const gchar *seg = path;

	if (path == NULL)
		return FALSE;
	if (path[0] == '\0')
		return TRUE;
	if (!g_utf8_validate(path, -1, NULL) || strchr(path, '\\') != NULL)
		return FALSE;
	for (const gchar *p = path;; p++) {
		if (*p == '/' || *p == '\0') {
			gsize seglen = (gsize)(p - seg);
			if (seglen == 0) /* leading '/', "//" or a trailing '/' */
				return FALSE;
			if (seglen == 1 && seg[0] == '.')
				return FALSE;
			if (seglen == 2 && seg[0] == '.' && seg[1] == '.')
				return FALSE;
			if (*p == '\0')
				return TRUE;
			seg = p + 1;
		} else if ((guchar)*p < 0x20 || *p == 0x7f) {
			return FALSE;
		}
	}
}

gchar *
pxf_http_path_for_log(const gchar *raw, gsize len)
{
	GString *out = g_string_new(NULL);

	for (gsize i = 0; i < len && out->len < 200; i++) {
		guchar c = (guchar)raw[i];
		if (c < 0x20 || c >= 0x7f || c == '\\' || c == '"')
			g_string_append_printf(out, "\\x%02x", c);
		else
			g_string_append_c(out, (gchar)c);
	}
	if (out->len >= 200)
		g_string_append(out, "...");
	return g_string_free(out, FALSE);
}
