/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-http-route"

#include <string.h>

#include "pxf-http-route.h"

static void
test_mac_spellings(void)
{
	static const gchar *const good[] = {
		"52:54:00:ab:cd:ef", "52:54:00:AB:CD:EF", "52-54-00-ab-cd-ef", "525400abcdef",
		"525400ABCDEF",	     "5254.00ab.cdef",	  "5254.00AB.CDEF",
	};
	static const gchar *const bad[] = {
		"",
		"52:54:00:ab:cd",
		"52:54:00:ab:cd:ef:01",
		"52:54:00-ab:cd:ef",  /* mixed separators */
		"52:54:00:ab:cd:eg",  /* not hex */
		"5254:00ab:cdef",     /* ':' with groups of four */
		"525400abcde",	      /* eleven digits */
		"525400abcdeff",      /* thirteen */
		"52:54:00:ab:cd:e:f", /* wrong grouping, right length */
		"5254.00ab.cde.",
		"52.54.00.ab.cd.ef",
		" 52:54:00:ab:cd:ef",
		"52:54:00:ab:cd:ef ",
		"+2:54:00:ab:cd:ef",
	};
	gchar out[18];

	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		memset(out, 'x', sizeof(out));
		g_assert_true(pxf_http_mac_parse(good[i], out));
		g_assert_cmpstr(out, ==, "52:54:00:ab:cd:ef");
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		if (pxf_http_mac_parse(bad[i], out))
			g_error("'%s' parsed as %s", bad[i], out);
	}
	g_assert_false(pxf_http_mac_parse(NULL, out));
}

static void
test_routes(void)
{
	PxfHttpRoute route;

	pxf_http_route_parse("ks/52-54-00-AB-CD-EF", &route);
	g_assert_cmpint(route.kind, ==, PXF_HTTP_ROUTE_KS);
	g_assert_cmpstr(route.mac, ==, "52:54:00:ab:cd:ef");

	pxf_http_route_parse("api/v1/hosts/525400abcdef/done", &route);
	g_assert_cmpint(route.kind, ==, PXF_HTTP_ROUTE_REPORT);
	g_assert_cmpstr(route.mac, ==, "52:54:00:ab:cd:ef");
	g_assert_true(route.done);

	pxf_http_route_parse("api/v1/hosts/52:54:00:ab:cd:ef/failed", &route);
	g_assert_cmpint(route.kind, ==, PXF_HTTP_ROUTE_REPORT);
	g_assert_false(route.done);

	/* the plugin's own namespaces never fall through to files */
	static const gchar *const not_found[] = {
		"ks",
		"ks/nomac",
		"ks/52:54:00:ab:cd:ef/extra",
		"api",
		"api/v1",
		"api/v1/hosts/52:54:00:ab:cd:ef",
		"api/v1/hosts/52:54:00:ab:cd:ef/installed",
		"api/v1/hosts/nomac/done",
		"api/v2/hosts/52:54:00:ab:cd:ef/done",
		"api/v1/hosts/52:54:00:ab:cd:ef/done/more",
	};
	for (guint i = 0; i < G_N_ELEMENTS(not_found); i++) {
		pxf_http_route_parse(not_found[i], &route);
		g_assert_cmpint(route.kind, ==, PXF_HTTP_ROUTE_NOT_FOUND);
	}

	static const gchar *const files[] = {"",       "index.html", "kshelp",
					     "ks.cfg", "apis/x",     "distros/c7/ks/x"};
	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		pxf_http_route_parse(files[i], &route);
		g_assert_cmpint(route.kind, ==, PXF_HTTP_ROUTE_FILE);
	}
	pxf_http_route_parse(NULL, &route);
	g_assert_cmpint(route.kind, ==, PXF_HTTP_ROUTE_NOT_FOUND);
}

static void
test_form(void)
{
	static const gchar text[] = "token=ab%2Bc&reason=disk+full%21&token=second&flag&=x&"
				    "bad=%zz&nul=a%00b&&empty=";
	g_autoptr(GHashTable) form = pxf_http_form_parse(text, strlen(text));
	g_autoptr(GHashTable) none = pxf_http_form_parse(NULL, 0);
	g_autoptr(GHashTable) many = NULL;
	g_autoptr(GString) big = g_string_new(NULL);

	g_assert_cmpstr(g_hash_table_lookup(form, "token"), ==, "ab+c");
	g_assert_cmpstr(g_hash_table_lookup(form, "reason"), ==, "disk full!");
	g_assert_cmpstr(g_hash_table_lookup(form, "flag"), ==, "");
	g_assert_cmpstr(g_hash_table_lookup(form, "empty"), ==, "");
	g_assert_false(g_hash_table_contains(form, ""));
	g_assert_false(g_hash_table_contains(form, "bad"));
	g_assert_false(g_hash_table_contains(form, "nul"));
	g_assert_cmpuint(g_hash_table_size(none), ==, 0);

	/* only the first 64 pairs are read */
	for (guint i = 0; i < 100; i++)
		g_string_append_printf(big, "k%u=v&", i);
	many = pxf_http_form_parse(big->str, big->len);
	g_assert_cmpuint(g_hash_table_size(many), ==, 64);

	/* the length bounds the parse, not a NUL */
	{
		g_autoptr(GHashTable) cut = pxf_http_form_parse("a=1&b=2", 3);
		g_assert_cmpstr(g_hash_table_lookup(cut, "a"), ==, "1");
		g_assert_false(g_hash_table_contains(cut, "b"));
	}
}

static void
test_range(void)
{
	guint64 off = 0, len = 0;

	g_assert_cmpint(pxf_http_range_parse(NULL, 100, &off, &len), ==, PXF_HTTP_RANGE_NONE);
	g_assert_cmpint(pxf_http_range_parse("bytes=0-9", 100, &off, &len), ==,
			PXF_HTTP_RANGE_PARTIAL);
	g_assert_cmpuint(off, ==, 0);
	g_assert_cmpuint(len, ==, 10);
	g_assert_cmpint(pxf_http_range_parse("bytes=90-", 100, &off, &len), ==,
			PXF_HTTP_RANGE_PARTIAL);
	g_assert_cmpuint(off, ==, 90);
	g_assert_cmpuint(len, ==, 10);
	g_assert_cmpint(pxf_http_range_parse("bytes=50-1000", 100, &off, &len), ==,
			PXF_HTTP_RANGE_PARTIAL);
	g_assert_cmpuint(off, ==, 50);
	g_assert_cmpuint(len, ==, 50);
	g_assert_cmpint(pxf_http_range_parse("bytes=-30", 100, &off, &len), ==,
			PXF_HTTP_RANGE_PARTIAL);
	g_assert_cmpuint(off, ==, 70);
	g_assert_cmpuint(len, ==, 30);
	g_assert_cmpint(pxf_http_range_parse("bytes=-300", 100, &off, &len), ==,
			PXF_HTTP_RANGE_PARTIAL);
	g_assert_cmpuint(off, ==, 0);
	g_assert_cmpuint(len, ==, 100);
	g_assert_cmpint(pxf_http_range_parse("BYTES= 5-5 ", 100, &off, &len), ==,
			PXF_HTTP_RANGE_PARTIAL);
	g_assert_cmpuint(off, ==, 5);
	g_assert_cmpuint(len, ==, 1);

	g_assert_cmpint(pxf_http_range_parse("bytes=100-", 100, &off, &len), ==,
			PXF_HTTP_RANGE_UNSATISFIABLE);
	g_assert_cmpint(pxf_http_range_parse("bytes=-0", 100, &off, &len), ==,
			PXF_HTTP_RANGE_UNSATISFIABLE);
	g_assert_cmpint(pxf_http_range_parse("bytes=0-", 0, &off, &len), ==,
			PXF_HTTP_RANGE_UNSATISFIABLE);

	static const gchar *const ignored[] = {
		"bytes=",
		"bytes=-",
		"bytes=a-b",
		"bytes=0-1,5-6",
		"items=0-1",
		"bytes=9-3",
		"bytes=+1-2",
		"bytes=1--2",
		"bytes=0x1-2",
		"bytes=1 - 2",
		"bytes=99999999999999999999-",
		"bytes=5",
	};
	for (guint i = 0; i < G_N_ELEMENTS(ignored); i++)
		g_assert_cmpint(pxf_http_range_parse(ignored[i], 100, &off, &len), ==,
				PXF_HTTP_RANGE_NONE);
}

static void
test_content_type(void)
{
	g_assert_cmpstr(pxf_http_content_type("a/b/index.html"), ==, "text/html; charset=utf-8");
	g_assert_cmpstr(pxf_http_content_type("images/install.IMG"), ==,
			"application/octet-stream");
	g_assert_cmpstr(pxf_http_content_type("Packages/x.rpm"), ==, "application/x-rpm");
	g_assert_cmpstr(pxf_http_content_type("repodata/repomd.xml"), ==, "application/xml");
	g_assert_cmpstr(pxf_http_content_type("images/pxeboot/vmlinuz"), ==, "text/plain");
	g_assert_cmpstr(pxf_http_content_type(".treeinfo"), ==, "text/plain");
	g_assert_cmpstr(pxf_http_content_type("dir.iso/file"), ==, "text/plain");
	g_assert_cmpstr(pxf_http_content_type(""), ==, "text/plain");
	g_assert_cmpstr(pxf_http_content_type(NULL), ==, "text/plain");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/http/route/mac-spellings", test_mac_spellings);
	g_test_add_func("/plugin/http/route/routes", test_routes);
	g_test_add_func("/plugin/http/route/form", test_form);
	g_test_add_func("/plugin/http/route/range", test_range);
	g_test_add_func("/plugin/http/route/content-type", test_content_type);
	return g_test_run();
}
