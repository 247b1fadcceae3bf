/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-http-tree"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxf-http-path.h"
#include "pxf-http-tree.h"

typedef struct {
	gchar *top;	/* the temp dir */
	gchar *tree;	/* top/tree: what is served */
	gchar *outside; /* top/secret: next to it */
} Fixture;

static void
write_file(const gchar *path, const gchar *text)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_file_set_contents(path, text, -1, &error);
	g_assert_no_error(error);
}

static void
make_link(const gchar *target, const gchar *top, const gchar *rel)
{
	g_autofree gchar *path = g_build_filename(top, rel, NULL);
	if (symlink(target, path) != 0)
		g_error("symlink %s: %s", path, g_strerror(errno));
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *p = NULL;

	f->top = g_dir_make_tmp("pxf-http-tree-XXXXXX", &error);
	g_assert_no_error(error);
	f->tree = g_build_filename(f->top, "tree", NULL);
	f->outside = g_build_filename(f->top, "secret", NULL);
	write_file(f->outside, "secret\n");

	p = g_build_filename(f->tree, "images", "install.img", NULL);
	write_file(p, "image\n");
	g_free(p);
	p = g_build_filename(f->tree, "docs", "index.html", NULL);
	write_file(p, "<html>docs</html>\n");
	g_free(p);
	p = g_build_filename(f->tree, "empty", NULL);
	g_assert_cmpint(g_mkdir_with_parents(p, 0755), ==, 0);
	g_free(p);
	p = g_build_filename(f->tree, "fifo", NULL);
	g_assert_cmpint(mkfifo(p, 0644), ==, 0);
	g_free(p);

	/* inside the tree and relative: fine */
	make_link("images/install.img", f->tree, "alias.img");
	make_link("../images", f->tree, "docs/imgs");
	/* relative, but out of the tree */
	make_link("../secret", f->tree, "escape");
	make_link("../../secret", f->tree, "images/escape");
	make_link("..", f->tree, "up");
	/* absolute: refused even when it points inside the tree */
	make_link(f->outside, f->tree, "abs-out");
	{
		g_autofree gchar *inside = g_build_filename(f->tree, "images", "install.img", NULL);
		make_link(inside, f->tree, "abs-in");
	}
	/* a directory whose index leaves the tree */
	p = g_build_filename(f->tree, "badindex", NULL);
	g_assert_cmpint(g_mkdir_with_parents(p, 0755), ==, 0);
	make_link("../../secret", f->tree, "badindex/index.html");
	make_link("loop", f->tree, "loop");
}

static void
rm_rf(const gchar *path)
{
	GDir *dir;
	const gchar *name;
	GStatBuf st;

	if (g_lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		dir = g_dir_open(path, 0, NULL);
		while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
			g_autofree gchar *child = g_build_filename(path, name, NULL);
			rm_rf(child);
		}
		if (dir != NULL)
			g_dir_close(dir);
		g_rmdir(path);
	} else {
		g_unlink(path);
	}
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	rm_rf(f->top);
	g_free(f->top);
	g_free(f->tree);
	g_free(f->outside);
}

static gchar *
read_fd(gint fd)
{
	gchar buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	g_assert_cmpint(n, >=, 0);
	buf[n] = '\0';
	close(fd);
	return g_strdup(buf);
}

static void
assert_served(Fixture *f, const gchar *rel, const gchar *content, gboolean index)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *got = NULL;
	struct stat st;
	gboolean is_index = !index;
	gint fd = pxf_http_tree_open(f->tree, rel, &st, &is_index, &error);

	g_assert_no_error(error);
	g_assert_cmpint(fd, >=, 0);
	g_assert_true(S_ISREG(st.st_mode));
	g_assert_cmpint(st.st_size, ==, (goffset)strlen(content));
	got = read_fd(fd);
	g_assert_cmpstr(got, ==, content);
	g_assert_cmpint(is_index, ==, index);
}

static void
assert_refused(Fixture *f, const gchar *rel, PxfHttpError code)
{
	g_autoptr(GError) error = NULL;
	struct stat st;
	gint fd = pxf_http_tree_open(f->tree, rel, &st, NULL, &error);

	if (fd >= 0)
		g_error("%s was opened", rel);
	g_assert_error(error, PXF_HTTP_ERROR, (gint)code);
	g_test_message("%s: %s", rel, error->message);
}

static void
test_tree_open(Fixture *f, gconstpointer data)
{
	assert_served(f, "images/install.img", "image\n", FALSE);
	assert_served(f, "alias.img", "image\n", FALSE);
	assert_served(f, "docs/imgs/install.img", "image\n", FALSE);
	assert_served(f, "docs", "<html>docs</html>\n", TRUE);

	assert_refused(f, "missing", PXF_HTTP_ERROR_NOT_FOUND);
	assert_refused(f, "images/install.img/x", PXF_HTTP_ERROR_NOT_FOUND);
	/* a name past NAME_MAX cannot exist: 404, not 500 (ENAMETOOLONG) */
	{
		g_autofree gchar *name = g_strnfill(300, 'n');
		g_autofree gchar *deep = g_strdup_printf("images/%s/x", name);
		assert_refused(f, name, PXF_HTTP_ERROR_NOT_FOUND);
		assert_refused(f, deep, PXF_HTTP_ERROR_NOT_FOUND);
	}
	assert_refused(f, "", PXF_HTTP_ERROR_FORBIDDEN); /* the top, without index */
	assert_refused(f, "empty", PXF_HTTP_ERROR_FORBIDDEN);
	assert_refused(f, "fifo", PXF_HTTP_ERROR_FORBIDDEN);
	assert_refused(f, "escape", PXF_HTTP_ERROR_FORBIDDEN);
	assert_refused(f, "images/escape", PXF_HTTP_ERROR_FORBIDDEN);
	assert_refused(f, "up/secret", PXF_HTTP_ERROR_FORBIDDEN);
	assert_refused(f, "up", PXF_HTTP_ERROR_FORBIDDEN);
	assert_refused(f, "abs-out", PXF_HTTP_ERROR_FORBIDDEN);
	assert_refused(f, "abs-in", PXF_HTTP_ERROR_FORBIDDEN);
	assert_refused(f, "badindex", PXF_HTTP_ERROR_FORBIDDEN);
	assert_refused(f, "loop", PXF_HTTP_ERROR_FORBIDDEN);
	/* what the normaliser would never hand over is refused anyway */
	assert_refused(f, "../secret", PXF_HTTP_ERROR_FORBIDDEN);
	assert_refused(f, "/etc/passwd", PXF_HTTP_ERROR_FORBIDDEN);
	assert_refused(f, "images//install.img", PXF_HTTP_ERROR_FORBIDDEN);
}

static void
test_tree_missing_root(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *gone = g_build_filename(f->top, "gone", NULL);
	struct stat st;

	g_assert_cmpint(pxf_http_tree_open(gone, "x", &st, NULL, &error), <, 0);
	g_assert_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_NOT_FOUND);
}

static void
test_tree_symlinked_root(Fixture *f, gconstpointer data)
{
	/* the tree itself may be a symlink: what counts is where it leads */
	g_autofree gchar *link = g_build_filename(f->top, "tree-link", NULL);
	g_autoptr(GError) error = NULL;
	struct stat st;
	gint fd;

	g_assert_cmpint(symlink(f->tree, link), ==, 0);
	fd = pxf_http_tree_open(link, "images/install.img", &st, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(fd, >=, 0);
	close(fd);
}

static void
test_within(void)
{
	g_assert_true(pxf_http_path_within("/srv/a", "/srv/a"));
	g_assert_true(pxf_http_path_within("/srv/a/b", "/srv/a"));
	g_assert_false(pxf_http_path_within("/srv/ab", "/srv/a"));
	g_assert_false(pxf_http_path_within("/srv", "/srv/a"));
	g_assert_true(pxf_http_path_within("/anything", "/"));
}

static void
test_trees_match(void)
{
	g_autoptr(PxfHttpTrees) trees = pxf_http_trees_new();
	g_autoptr(GError) error = NULL;
	const gchar *rel = NULL;

	g_assert_true(pxf_http_trees_add(trees, "/images/", "/srv/images", &error));
	g_assert_true(pxf_http_trees_add(trees, "images/rocky9", "/srv/rocky9", &error));
	g_assert_true(pxf_http_trees_add(trees, "%2fother", "/srv/other", &error));
	g_assert_no_error(error);
	g_assert_cmpuint(pxf_http_trees_get_size(trees), ==, 3);

	g_assert_cmpstr(pxf_http_trees_match(trees, "images/x.img", &rel), ==, "/srv/images");
	g_assert_cmpstr(rel, ==, "x.img");
	g_assert_cmpstr(pxf_http_trees_match(trees, "images/rocky9/BaseOS/x", &rel), ==,
			"/srv/rocky9");
	g_assert_cmpstr(rel, ==, "BaseOS/x");
	g_assert_cmpstr(pxf_http_trees_match(trees, "images/rocky9", &rel), ==, "/srv/rocky9");
	g_assert_cmpstr(rel, ==, "");
	g_assert_cmpstr(pxf_http_trees_match(trees, "other/a", &rel), ==, "/srv/other");
	g_assert_null(pxf_http_trees_match(trees, "imagesx/a", &rel));
	g_assert_null(pxf_http_trees_match(trees, "", &rel));

	g_assert_false(pxf_http_trees_add(trees, "/", "/srv/x", &error));
	g_assert_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(pxf_http_trees_add(trees, "/../x", "/srv/x", &error));
	g_assert_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN);
	g_clear_error(&error);
	g_assert_false(pxf_http_trees_add(trees, "/x", "relative/dir", &error));
	g_assert_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(pxf_http_trees_add(trees, "images", "/srv/again", &error));
	g_assert_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(pxf_http_trees_add(trees, NULL, "/srv/x", &error));
	g_assert_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/plugin/http/tree/open", Fixture, NULL, fixture_set_up, test_tree_open,
		   fixture_tear_down);
	g_test_add("/plugin/http/tree/missing-root", Fixture, NULL, fixture_set_up,
		   test_tree_missing_root, fixture_tear_down);
	g_test_add("/plugin/http/tree/symlinked-root", Fixture, NULL, fixture_set_up,
		   test_tree_symlinked_root, fixture_tear_down);
	g_test_add_func("/plugin/http/tree/within", test_within);
	g_test_add_func("/plugin/http/tree/match", test_trees_match);
	return g_test_run();
}
