/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Virtual path resolution: relative and absolute arguments, "." and "..",
 * and everything refused before it could reach the disk. */
#define G_LOG_DOMAIN "test-ftp-path"

#include <string.h>

#include "pxf-ftp-command.h"
#include "pxf-ftp-path.h"

static void
test_resolve(void)
{
	struct {
		const gchar *cwd;
		const gchar *arg;
		const gchar *expected;
	} ok[] = {
		{"/", NULL, "/"},
		{"/", "", "/"},
		{"/a/b", NULL, "/a/b"},
		{"/", "distros", "/distros"},
		{"/", "distros/", "/distros"},
		{"/distros", "rocky9/images/install.img", "/distros/rocky9/images/install.img"},
		{"/distros", "/etc/passwd", "/etc/passwd"}, /* the virtual /etc, not the host's */
		{"/a/b", "..", "/a"},
		{"/a/b", "../..", "/"},
		{"/a/b", "../c/./d//e/", "/a/c/d/e"},
		{"/a", "/x/../y", "/y"},
		{"/", ".", "/"},
		{"/", "./", "/"},
		{"/", "//", "/"},
		{"/", "a/b/..", "/a"},
		{"/", "...", "/..."},
		{"/", "..a/b..", "/..a/b.."},
		{"/", "rocky 9", "/rocky 9"},
		{"/", "caf\xc3\xa9", "/caf\xc3\xa9"},
		{"/", "-la", "/-la"},
		{"/", "a\"b", "/a\"b"},
	};
	struct {
		const gchar *cwd;
		const gchar *arg;
		gint code;
	} bad[] = {
		{"/", "..", PXF_FTP_ERROR_DENIED},
		{"/", "../etc/passwd", PXF_FTP_ERROR_DENIED},
		{"/a", "../..", PXF_FTP_ERROR_DENIED},
		{"/a/b", "../../../x", PXF_FTP_ERROR_DENIED},
		{"/", "/..", PXF_FTP_ERROR_DENIED},
		{"/", "a/../../b", PXF_FTP_ERROR_DENIED},
		{"/distros/rocky9", "/../../etc", PXF_FTP_ERROR_DENIED},
		{"/", "a\\..\\b", PXF_FTP_ERROR_ARGUMENT},
		{"/", "a\nb", PXF_FTP_ERROR_ARGUMENT},
		{"/", "a\rb", PXF_FTP_ERROR_ARGUMENT},
		{"/", "a\x7f", PXF_FTP_ERROR_ARGUMENT},
		{"/", "\xff\xfe", PXF_FTP_ERROR_ARGUMENT},
		{"/", "caf\xe9", PXF_FTP_ERROR_ARGUMENT},
	};

	for (guint i = 0; i < G_N_ELEMENTS(ok); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *got = pxf_ftp_path_resolve(ok[i].cwd, ok[i].arg, &error);
		if (got == NULL)
			g_error("%s + %s: %s", ok[i].cwd, ok[i].arg, error->message);
		g_assert_cmpstr(got, ==, ok[i].expected);
		g_assert_true(pxf_ftp_path_is_normal(got));
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *got = pxf_ftp_path_resolve(bad[i].cwd, bad[i].arg, &error);
		if (got != NULL)
			g_error("%s + %s resolved to %s", bad[i].cwd, bad[i].arg, got);
		g_assert_error(error, PXF_FTP_ERROR, bad[i].code);
	}
}

static void
test_length(void)
{
	g_autoptr(GString) arg = g_string_new("/");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *got = NULL;

	while (arg->len < PXF_FTP_PATH_MAX)
		g_string_append(arg, "a/");
	g_string_truncate(arg, PXF_FTP_PATH_MAX);
	/* the argument is measured as sent, at most PXF_FTP_PATH_MAX bytes */
	got = pxf_ftp_path_resolve("/", arg->str, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(strlen(got), <=, PXF_FTP_PATH_MAX);
	g_string_append(arg, "b");
	g_clear_pointer(&got, g_free);
	got = pxf_ftp_path_resolve("/", arg->str, &error);
	g_assert_null(got);
	g_assert_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT);
	g_clear_error(&error);

	/* a short argument on a long working directory */
	{
		g_autoptr(GString) cwd = g_string_new(NULL);
		while (cwd->len < PXF_FTP_PATH_MAX - 2)
			g_string_append(cwd, "/d");
		got = (g_free(got), pxf_ftp_path_resolve(cwd->str, "more", &error));
		g_assert_null(got);
		g_assert_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT);
	}
}

static void
test_helpers(void)
{
	g_autofree gchar *quoted = pxf_ftp_path_quote("/say \"hi\"");
	g_autofree gchar *p1 = pxf_ftp_path_parent("/a/b");
	g_autofree gchar *p2 = pxf_ftp_path_parent("/a");
	g_autofree gchar *p3 = pxf_ftp_path_parent("/");

	g_assert_cmpstr(quoted, ==, "/say \"\"hi\"\"");
	g_assert_cmpstr(p1, ==, "/a");
	g_assert_cmpstr(p2, ==, "/");
	g_assert_cmpstr(p3, ==, "/");

	g_assert_true(pxf_ftp_path_is_normal("/"));
	g_assert_true(pxf_ftp_path_is_normal("/a/b c"));
	g_assert_false(pxf_ftp_path_is_normal(""));
	g_assert_false(pxf_ftp_path_is_normal("a"));
	g_assert_false(pxf_ftp_path_is_normal("/a/"));
	g_assert_false(pxf_ftp_path_is_normal("//a"));
	g_assert_false(pxf_ftp_path_is_normal("/a/../b"));
	g_assert_false(pxf_ftp_path_is_normal("/./b"));
	g_assert_false(pxf_ftp_path_is_normal("/a\\b"));

	g_assert_true(pxf_ftp_path_segment_is_valid("rocky9"));
	g_assert_true(pxf_ftp_path_segment_is_valid(".treeinfo"));
	g_assert_false(pxf_ftp_path_segment_is_valid(NULL));
	g_assert_false(pxf_ftp_path_segment_is_valid(""));
	g_assert_false(pxf_ftp_path_segment_is_valid("."));
	g_assert_false(pxf_ftp_path_segment_is_valid(".."));
	g_assert_false(pxf_ftp_path_segment_is_valid("a/b"));
	g_assert_false(pxf_ftp_path_segment_is_valid("a\nb"));
	g_assert_false(pxf_ftp_path_segment_is_valid("\xff"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/ftp/path/resolve", test_resolve);
	g_test_add_func("/plugin/ftp/path/length", test_length);
	g_test_add_func("/plugin/ftp/path/helpers", test_helpers);
	return g_test_run();
}
