/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing what a request says beyond its path: the plugin's routes, MAC
 * spellings, form data, Range headers, and content types. */
#define G_LOG_DOMAIN "pxf-http"

#include "pxf-http-route.h"

#include <string.h>

#include "pxf-http-path.h"

static gint
pxf_http_route_hex(gchar c)
{
	return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

gboolean
pxf_http_mac_parse(const gchar *text, gchar out[18])
{
	guint8 bytes[6];
	gsize len;
	gsize group; /* hex digits per group: 2 (':'/'-'), 4 ('.') or 12 (none) */
	gchar sep = '\0';
	guint n = 0;

	if (text == NULL)
		return FALSE;
	len = strlen(text);
	if (len == 17 && (text[2] == ':' || text[2] == '-')) {
		group = 2;
		sep = text[2];
	} else if (len == 14 && text[4] == '.') {
		group = 4;
		sep = '.';
	} else if (len == 12) {
		group = 12;
	} else {
		return FALSE;
	}
	for (gsize i = 0; i < len;) {
		for (gsize j = 0; j < group; j += 2, i += 2) {
			gint hi = pxf_http_route_hex(text[i]);
			gint lo = pxf_http_route_hex(text[i + 1]);
			if (hi < 0 || lo < 0 || n >= 6)
				return FALSE;
			bytes[n++] = (guint8)((hi << 4) | lo);
		}
		if (i < len) {
			if (text[i] != sep)
				return FALSE;
			i++;
			if (i >= len) /* a trailing separator */
				return FALSE;
		}
	}
	if (n != 6)
		return FALSE;
	g_snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2], bytes[3],
		   bytes[4], bytes[5]);
	return TRUE;
}

void
pxf_http_route_parse(const gchar *path, PxfHttpRoute *route)
{
	g_auto(GStrv) seg = NULL;
	guint n;

	memset(route, 0, sizeof(*route));
	route->kind = PXF_HTTP_ROUTE_FILE;
	if (path == NULL) {
		route->kind = PXF_HTTP_ROUTE_NOT_FOUND;
		return;
	}
	if (g_strcmp0(path, "ks") != 0 && !g_str_has_prefix(path, "ks/") &&
	    g_strcmp0(path, "api") != 0 && !g_str_has_prefix(path, "api/"))
		return;

	route->kind = PXF_HTTP_ROUTE_NOT_FOUND;
	seg = g_strsplit(path, "/", 7);
	n = g_strv_length(seg);
	if (n == 2 && g_strcmp0(seg[0], "ks") == 0) {
		if (pxf_http_mac_parse(seg[1], route->mac))
			route->kind = PXF_HTTP_ROUTE_KS;
		return;
	}
	if (n == 5 && g_strcmp0(seg[0], "api") == 0 && g_strcmp0(seg[1], "v1") == 0 &&
	    g_strcmp0(seg[2], "hosts") == 0 &&
	    (g_strcmp0(seg[4], "done") == 0 || g_strcmp0(seg[4], "failed") == 0) &&
	    pxf_http_mac_parse(seg[3], route->mac)) {
		route->kind = PXF_HTTP_ROUTE_REPORT;
		route->done = g_strcmp0(seg[4], "done") == 0;
	}
}

GHashTable *
pxf_http_form_parse(const gchar *text, gsize len)
{
	GHashTable *form = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	gsize start = 0;
	guint pairs = 0;

	if (text == NULL)
		return form;
	for (gsize i = 0; i <= len && pairs < 64; i++) {
		const gchar *eq;
		gsize plen, klen;
		g_autofree gchar *key = NULL;
		g_autofree gchar *value = NULL;
		gsize key_len = 0, value_len = 0;

		if (i < len && text[i] != '&')
			continue;
		plen = i - start;
		if (plen == 0) {
			start = i + 1;
			continue;
		}
		pairs++;
		eq = memchr(text + start, '=', plen);
		klen = eq != NULL ? (gsize)(eq - (text + start)) : plen;
		key = pxf_http_percent_decode(text + start, klen, TRUE, &key_len, NULL);
		if (eq != NULL)
			value = pxf_http_percent_decode(eq + 1, plen - klen - 1, TRUE, &value_len,
							NULL);
		else
			value = g_strdup("");
		start = i + 1;
		if (key == NULL || value == NULL || key_len == 0 || strlen(key) != key_len ||
		    strlen(value) != value_len)
			continue;
		if (!g_hash_table_contains(form, key))
			g_hash_table_insert(form, g_steal_pointer(&key), g_steal_pointer(&value));
	}
	return form;
}

/* Decimal digits only, no sign, no overflow. */
static gboolean
pxf_http_range_number(const gchar *s, gsize len, guint64 *out)
{
	guint64 v = 0;

	if (len == 0 || len > 19)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isdigit(s[i]))
			return FALSE;
		v = v * 10 + (guint64)(s[i] - '0');
	}
	*out = v;
	return TRUE;
}

PxfHttpRange
pxf_http_range_parse(const gchar *header, guint64 size, guint64 *offset, guint64 *length)
{
	const gchar *spec;
	const gchar *dash;
	gsize len;
	guint64 first = 0, last = 0;
	gboolean has_first, has_last;

	if (header == NULL || g_ascii_strncasecmp(header, "bytes=", 6) != 0)
		return PXF_HTTP_RANGE_NONE;
	spec = header + 6;
	while (*spec == ' ')
		spec++;
	len = strlen(spec);
	while (len > 0 && spec[len - 1] == ' ')
		len--;
	if (memchr(spec, ',', len) != NULL)
		return PXF_HTTP_RANGE_NONE;
	dash = memchr(spec, '-', len);
	if (dash == NULL)
		return PXF_HTTP_RANGE_NONE;
	has_first = dash > spec;
	has_last = (gsize)(dash - spec) + 1 < len;
	if (has_first && !pxf_http_range_number(spec, (gsize)(dash - spec), &first))
		return PXF_HTTP_RANGE_NONE;
	if (has_last && !pxf_http_range_number(dash + 1, len - (gsize)(dash - spec) - 1, &last))
		return PXF_HTTP_RANGE_NONE;
	if (!has_first && !has_last)
		return PXF_HTTP_RANGE_NONE;

	if (!has_first) { /* a suffix: the last N bytes */
		if (last == 0 || size == 0)
			return PXF_HTTP_RANGE_UNSATISFIABLE;
		*length = MIN(last, size);
		*offset = size - *length;
		return PXF_HTTP_RANGE_PARTIAL;
	}
	if (has_last && last < first)
		return PXF_HTTP_RANGE_NONE;
	if (first >= size)
		return PXF_HTTP_RANGE_UNSATISFIABLE;
	if (!has_last || last >= size)
		last = size - 1;
	*offset = first;
	*length = last - first + 1;
	return PXF_HTTP_RANGE_PARTIAL;
}

const gchar *
pxf_http_content_type(const gchar *path)
{
	static const struct {
		const gchar *ext;
		const gchar *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".htm", "text/html; charset=utf-8"},
		{".css", "text/css"},
		{".js", "text/javascript"},
		{".json", "application/json"},
		{".xml", "application/xml"},
		{".iso", "application/x-iso9660-image"},
		{".img", "application/octet-stream"},
		{".efi", "application/octet-stream"},
		{".bin", "application/octet-stream"},
		{".0", "application/octet-stream"},
		{".pxe", "application/octet-stream"},
		{".kpxe", "application/octet-stream"},
		{".c32", "application/octet-stream"},
		{".squashfs", "application/octet-stream"},
		{".rpm", "application/x-rpm"},
		{".deb", "application/vnd.debian.binary-package"},
		{".udeb", "application/vnd.debian.binary-package"},
		{".gz", "application/gzip"},
		{".tgz", "application/gzip"},
		{".xz", "application/x-xz"},
		{".bz2", "application/x-bzip2"},
		{".zst", "application/zstd"},
		{".tar", "application/x-tar"},
		{".zip", "application/zip"},
		{".asc", "application/pgp-signature"},
		{".sig", "application/pgp-signature"},
		{".gpg", "application/pgp-keys"},
	};
	const gchar *base;
	const gchar *dot;

	if (path == NULL)
		return "text/plain";
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base)
		return "text/plain";
	for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
		if (g_ascii_strcasecmp(dot, types[i].ext) == 0)
			return types[i].type;
	}
	return "text/plain";
}
