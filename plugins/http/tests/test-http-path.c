/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-http-path"

#include <gio/gio.h>
#include <string.h>

#include "pxf-http-path.h"

static gchar *
normalise(const gchar *raw, GError **error)
{
	return pxf_http_path_normalise(raw, strlen(raw), error);
}

static void
test_path_normal(void)
{
	static const struct {
		const gchar *raw;
		const gchar *expected;
	} cases[] = {
		{"/", ""},
		{"", ""},
		{"/distros/centos7/images/install.img", "distros/centos7/images/install.img"},
		{"//distros///centos7//", "distros/centos7"},
		{"/./a/./b/.", "a/b"},
		{"/a/b/", "a/b"},
		{"/a%2fb", "a/b"}, /* decoded, then split: still inside */
		{"/%61%62c", "abc"},
		{"/with%20space", "with space"},
		{"/plus+stays", "plus+stays"}, /* '+' is only a space in forms */
		{"/%2525", "%25"},	       /* decoded exactly once */
		{"/...", "..."},	       /* not a parent reference */
		{"/..a/b..", "..a/b.."},
		{"/.hidden", ".hidden"},
		{"/%2e", ""},
		{"/caf%C3%A9", "café"},
		{"relative/path", "relative/path"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *out = normalise(cases[i].raw, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(out, ==, cases[i].expected);
		g_assert_true(pxf_http_path_is_normal(out));
	}
}

static void
test_path_refused(void)
{
	static const struct {
		const gchar *raw;
		PxfHttpError code;
	} cases[] = {
		{"/..", PXF_HTTP_ERROR_FORBIDDEN},
		{"/../etc/passwd", PXF_HTTP_ERROR_FORBIDDEN},
		{"/a/../../etc/passwd", PXF_HTTP_ERROR_FORBIDDEN},
		{"/a/..", PXF_HTTP_ERROR_FORBIDDEN},
		{"/%2e%2e/etc/passwd", PXF_HTTP_ERROR_FORBIDDEN},
		{"/%2E%2E/etc/passwd", PXF_HTTP_ERROR_FORBIDDEN},
		{"/.%2e/x", PXF_HTTP_ERROR_FORBIDDEN},
		{"/a%2f..%2fb", PXF_HTTP_ERROR_FORBIDDEN},
		{"/a%2f%2e%2e%2f%2e%2e%2fb", PXF_HTTP_ERROR_FORBIDDEN},
		{"/a%00b", PXF_HTTP_ERROR_FORBIDDEN},
		{"/a%5c..%5cb", PXF_HTTP_ERROR_FORBIDDEN},
		{"/a\\b", PXF_HTTP_ERROR_FORBIDDEN},
		{"/a%0ab", PXF_HTTP_ERROR_INVALID},
		{"/a%7fb", PXF_HTTP_ERROR_INVALID},
		{"/a%", PXF_HTTP_ERROR_INVALID},
		{"/a%2", PXF_HTTP_ERROR_INVALID},
		{"/a%zz", PXF_HTTP_ERROR_INVALID},
		{"/a%g0", PXF_HTTP_ERROR_INVALID},
		{"/%ff%fe", PXF_HTTP_ERROR_INVALID}, /* not UTF-8 */
		{"/%C3", PXF_HTTP_ERROR_INVALID},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *out = normalise(cases[i].raw, &error);
		g_assert_null(out);
		g_assert_error(error, PXF_HTTP_ERROR, (gint)cases[i].code);
	}
}

static void
test_path_too_long(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *raw = g_strnfill(PXF_HTTP_PATH_MAX + 1, 'a');
	g_autofree gchar *ok = g_strnfill(PXF_HTTP_PATH_MAX, 'a');
	g_autofree gchar *out = NULL;
	g_autofree gchar *out_ok = NULL;

	out = normalise(raw, &error);
	g_assert_null(out);
	g_assert_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID);
	out_ok = normalise(ok, NULL);
	g_assert_cmpstr(out_ok, ==, ok);
}

static void
test_path_embedded_nul(void)
{
	/* a raw NUL inside the given length is refused like an encoded one */
	static const gchar raw[] = "/a\0b";
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = pxf_http_path_normalise(raw, sizeof(raw) - 1, &error);
	g_assert_null(out);
	g_assert_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN);
}

static void
test_path_is_normal(void)
{
	g_assert_true(pxf_http_path_is_normal(""));
	g_assert_true(pxf_http_path_is_normal("a"));
	g_assert_true(pxf_http_path_is_normal("a/b.c/..d"));
	g_assert_false(pxf_http_path_is_normal(NULL));
	g_assert_false(pxf_http_path_is_normal("/a"));
	g_assert_false(pxf_http_path_is_normal("a/"));
	g_assert_false(pxf_http_path_is_normal("a//b"));
	g_assert_false(pxf_http_path_is_normal(".."));
	g_assert_false(pxf_http_path_is_normal("a/../b"));
	g_assert_false(pxf_http_path_is_normal("a/.."));
	g_assert_false(pxf_http_path_is_normal("./a"));
	g_assert_false(pxf_http_path_is_normal("a\\b"));
	g_assert_false(pxf_http_path_is_normal("a\nb"));
}

static void
test_percent_decode(void)
{
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	g_autofree gchar *a = pxf_http_percent_decode("a+b%20c%00d", 11, TRUE, &len, &error);
	g_autofree gchar *b = pxf_http_percent_decode("a+b", 3, FALSE, NULL, NULL);
	g_autofree gchar *c = pxf_http_percent_decode("", 0, FALSE, &len, NULL);

	g_assert_no_error(error);
	g_assert_cmpmem(a, 7, "a b c\0d", 7);
	g_assert_cmpstr(b, ==, "a+b");
	g_assert_cmpstr(c, ==, "");
	g_assert_cmpuint(len, ==, 0);
}

static void
test_path_for_log(void)
{
	g_autofree gchar *a = pxf_http_path_for_log("/a\nb\"c", 6);
	g_autofree gchar *long_raw = g_strnfill(1000, 'x');
	g_autofree gchar *b = pxf_http_path_for_log(long_raw, 1000);

	g_assert_cmpstr(a, ==, "/a\\x0ab\\x22c");
	g_assert_cmpuint(strlen(b), <=, 210);
	g_assert_true(g_str_has_suffix(b, "..."));
}

static void
test_error_status(void)
{
	g_autoptr(GError) e400 = g_error_new_literal(PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID, "x");
	g_autoptr(GError) e403 = g_error_new_literal(PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN, "x");
	g_autoptr(GError) e404 = g_error_new_literal(PXF_HTTP_ERROR, PXF_HTTP_ERROR_NOT_FOUND, "x");
	g_autoptr(GError) other = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "x");

	g_assert_cmpuint(pxf_http_error_to_status(e400), ==, 400);
	g_assert_cmpuint(pxf_http_error_to_status(e403), ==, 403);
	g_assert_cmpuint(pxf_http_error_to_status(e404), ==, 404);
	g_assert_cmpuint(pxf_http_error_to_status(other), ==, 500);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/http/path/normal", test_path_normal);
	g_test_add_func("/plugin/http/path/refused", test_path_refused);
	g_test_add_func("/plugin/http/path/too-long", test_path_too_long);
	g_test_add_func("/plugin/http/path/embedded-nul", test_path_embedded_nul);
	g_test_add_func("/plugin/http/path/is-normal", test_path_is_normal);
	g_test_add_func("/plugin/http/path/percent-decode", test_percent_decode);
	g_test_add_func("/plugin/http/path/for-log", test_path_for_log);
	g_test_add_func("/plugin/http/path/error-status", test_error_status);
	return g_test_run();
}
