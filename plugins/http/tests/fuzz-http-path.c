/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the input is a raw request path. Whatever it is, a
 * normalised path never starts with '/', never contains "//", never has a
 * "." or ".." segment, a NUL or a '\'; the route, MAC, form and Range
 * parsers take the same bytes without crashing. */
#define G_LOG_DOMAIN "pxf-fuzz"

#include <string.h>

#include "pxf-http-path.h"
#include "pxf-http-route.h"

int LLVMFuzzerTestOneInput(const guint8 *data, gsize size);

static void
fuzz_check_invariant(const gchar *out)
{
	gsize len = strlen(out);

	if (out[0] == '/')
		g_error("normalised path starts with '/': %s", out);
	if (strstr(out, "//") != NULL)
		g_error("normalised path contains \"//\": %s", out);
	if (strchr(out, '\\') != NULL)
		g_error("normalised path contains a backslash: %s", out);
	if (len > 0 && out[len - 1] == '/')
		g_error("normalised path ends with '/': %s", out);
	if (g_strcmp0(out, "..") == 0 || g_str_has_prefix(out, "../") ||
	    g_str_has_suffix(out, "/..") || strstr(out, "/../") != NULL)
		g_error("normalised path has a '..' segment: %s", out);
	if (g_strcmp0(out, ".") == 0 || g_str_has_prefix(out, "./") ||
	    g_str_has_suffix(out, "/.") || strstr(out, "/./") != NULL)
		g_error("normalised path has a '.' segment: %s", out);
	if (!pxf_http_path_is_normal(out))
		g_error("pxf_http_path_is_normal() refuses its own output: %s", out);
}

int
LLVMFuzzerTestOneInput(const guint8 *data, gsize size)
{
	g_autofree gchar *text = g_strndup((const gchar *)data, size);
	g_autofree gchar *out = pxf_http_path_normalise((const gchar *)data, size, NULL);
	g_autofree gchar *logged = pxf_http_path_for_log((const gchar *)data, size);
	g_autoptr(GHashTable) form = pxf_http_form_parse((const gchar *)data, size);
	PxfHttpRoute route;
	gchar mac[18];
	guint64 offset = 0, length = 0;

	if (out != NULL) {
		fuzz_check_invariant(out);
		pxf_http_route_parse(out, &route);
		/* no escapes left: normalising again changes nothing */
		if (strchr(out, '%') == NULL) {
			g_autofree gchar *again = pxf_http_path_normalise(out, strlen(out), NULL);
			if (g_strcmp0(again, out) != 0)
				g_error("normalising %s again gave %s", out, again);
		}
	}
	if (strlen(logged) > 210)
		g_error("a log rendering of %" G_GSIZE_FORMAT " bytes", strlen(logged));
	{
		GHashTableIter iter;
		gpointer key;
		g_hash_table_iter_init(&iter, form);
		while (g_hash_table_iter_next(&iter, &key, NULL)) {
			if (((const gchar *)key)[0] == '\0')
				g_error("a form field without a name");
		}
		if (g_hash_table_size(form) > 64)
			g_error("%u form fields", g_hash_table_size(form));
	}
	if (pxf_http_mac_parse(text, mac) && strlen(mac) != 17)
		g_error("a MAC that is not 17 characters: %s", mac);
	if (pxf_http_range_parse(text, 1000, &offset, &length) == PXF_HTTP_RANGE_PARTIAL &&
	    (length == 0 || offset + length > 1000))
		g_error("range %" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT " outside 1000 bytes",
			offset, length);
	(void)pxf_http_content_type(text);
	return 0;
}
