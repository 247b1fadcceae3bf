/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The served trees against a real directory: the root, distro mounts under
 * /distros, symlinks in and out, absolute symlinks, FIFOs, listings. */
#define G_LOG_DOMAIN "test-ftp-fs"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxf-ftp-command.h"
#include "pxf-ftp-fs.h"

typedef struct {
	gchar *top;    /* the temp dir */
	gchar *root;   /* top/root: served at / */
	gchar *distro; /* top/rocky: mounted at /distros/rocky9 */
	gchar *secret; /* top/secret: next to both */
	PxfFtpFs *fs;
} Fixture;

static void
write_file(const gchar *top, const gchar *rel, const gchar *text)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_build_filename(top, rel, NULL);
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
	g_autofree gchar *fifo = NULL;

	f->top = g_dir_make_tmp("pxf-ftp-fs-XXXXXX", &error);
	g_assert_no_error(error);
	f->root = g_build_filename(f->top, "root", NULL);
	f->distro = g_build_filename(f->top, "rocky", NULL);
	f->secret = g_build_filename(f->top, "secret", NULL);
	write_file(f->top, "secret", "secret\n");
	write_file(f->root, "readme.txt", "hello\n");
	write_file(f->root, "pub/a.txt", "a\n");
	write_file(f->root, "distros/local/x.txt", "in the root's own distros dir\n");
	write_file(f->root, "distros/rocky9/shadowed.txt", "hidden by the mount\n");
	write_file(f->distro, "images/install.img", "image\n");
	write_file(f->distro, ".treeinfo", "[general]\n");
	fifo = g_build_filename(f->root, "fifo", NULL);
	g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
	/* inside and relative: fine */
	make_link("readme.txt", f->root, "alias.txt");
	make_link("pub", f->root, "pub-link");
	/* relative but out of the tree, absolute, dangling, a loop */
	make_link("../secret", f->root, "escape");
	make_link("../../secret", f->root, "pub/escape");
	make_link("..", f->root, "up");
	make_link(f->secret, f->root, "abs-out");
	{
		g_autofree gchar *inside = g_build_filename(f->root, "readme.txt", NULL);
		make_link(inside, f->root, "abs-in");
	}
	make_link("nowhere", f->root, "dangling");
	make_link("loop", f->root, "loop");
	/* the distro tree's way out */
	make_link("../secret", f->distro, "escape");
	make_link("../root/readme.txt", f->distro, "to-root");

	f->fs = pxf_ftp_fs_new(f->root);
	g_assert_true(pxf_ftp_fs_add_distro(f->fs, "rocky9", f->distro));
}

static void
remove_tree(const gchar *path)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	const gchar *name;

	if (dir != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			g_autofree gchar *child = g_build_filename(path, name, NULL);
			if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
			    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
				remove_tree(child);
			else
				g_unlink(child);
		}
		g_dir_close(dir);
	}
	g_rmdir(path);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	pxf_ftp_fs_free(f->fs);
	remove_tree(f->top);
	g_free(f->top);
	g_free(f->root);
	g_free(f->distro);
	g_free(f->secret);
}

static gchar *
read_vpath(Fixture *f, const gchar *vpath, GError **error)
{
	struct stat st;
	gint fd = pxf_ftp_fs_open_file(f->fs, vpath, &st, error);
	gchar buf[256];
	gssize n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	g_assert_cmpint(n, >=, 0);
	g_assert_cmpint(n, ==, st.st_size);
	buf[n] = '\0';
	return g_strdup(buf);
}

static void
test_open(Fixture *f, gconstpointer data)
{
	struct {
		const gchar *vpath;
		const gchar *content; /* NULL: refused with code */
		gint code;
	} cases[] = {
		{"/readme.txt", "hello\n", 0},
		{"/pub/a.txt", "a\n", 0},
		{"/alias.txt", "hello\n", 0},
		{"/pub-link/a.txt", "a\n", 0},
		{"/distros/rocky9/images/install.img", "image\n", 0},
		{"/distros/rocky9/.treeinfo", "[general]\n", 0},
		{"/distros/local/x.txt", "in the root's own distros dir\n", 0},
		{"/distros/rocky9/shadowed.txt", NULL, PXF_FTP_ERROR_NOT_FOUND},
		{"/escape", NULL, PXF_FTP_ERROR_DENIED},
		{"/pub/escape", NULL, PXF_FTP_ERROR_DENIED},
		{"/up/secret", NULL, PXF_FTP_ERROR_DENIED},
		{"/abs-out", NULL, PXF_FTP_ERROR_DENIED},
		{"/abs-in", NULL, PXF_FTP_ERROR_DENIED},
		{"/distros/rocky9/escape", NULL, PXF_FTP_ERROR_DENIED},
		{"/distros/rocky9/to-root", NULL, PXF_FTP_ERROR_DENIED},
		{"/loop", NULL, PXF_FTP_ERROR_DENIED},
		{"/dangling", NULL, PXF_FTP_ERROR_NOT_FOUND},
		{"/missing", NULL, PXF_FTP_ERROR_NOT_FOUND},
		{"/readme.txt/x", NULL, PXF_FTP_ERROR_NOT_FOUND},
		{"/fifo", NULL, PXF_FTP_ERROR_DENIED},
		{"/pub", NULL, PXF_FTP_ERROR_DENIED},
		{"/", NULL, PXF_FTP_ERROR_DENIED},
		{"/distros", NULL, PXF_FTP_ERROR_DENIED},
		{"/distros/rocky9", NULL, PXF_FTP_ERROR_DENIED},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *got = read_vpath(f, cases[i].vpath, &error);
		if (cases[i].content != NULL) {
			if (got == NULL)
				g_error("%s: %s", cases[i].vpath, error->message);
			g_assert_cmpstr(got, ==, cases[i].content);
		} else {
			if (got != NULL)
				g_error("%s was opened: %s", cases[i].vpath, got);
			if (!g_error_matches(error, PXF_FTP_ERROR, cases[i].code))
				g_error("%s: expected code %d, got %s", cases[i].vpath,
					cases[i].code, error->message);
			g_assert_null(strstr(error->message, "secret\n"));
		}
	}
}

static void
test_stat(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct stat st;

	g_assert_true(pxf_ftp_fs_stat(f->fs, "/", &st, &error));
	g_assert_true(S_ISDIR(st.st_mode));
	g_assert_true(pxf_ftp_fs_stat(f->fs, "/distros", &st, &error));
	g_assert_true(S_ISDIR(st.st_mode));
	g_assert_true(pxf_ftp_fs_stat(f->fs, "/distros/rocky9", &st, &error));
	g_assert_true(S_ISDIR(st.st_mode));
	g_assert_true(pxf_ftp_fs_stat(f->fs, "/alias.txt", &st, &error));
	g_assert_true(S_ISREG(st.st_mode));
	g_assert_cmpint(st.st_size, ==, 6);
	g_assert_false(pxf_ftp_fs_stat(f->fs, "/escape", &st, &error));
	g_assert_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_DENIED);
	g_clear_error(&error);
	g_assert_false(pxf_ftp_fs_stat(f->fs, "/distros/nosuch", &st, &error));
	g_assert_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_NOT_FOUND);
}

static gchar *
names(GPtrArray *entries)
{
	GString *out = g_string_new(NULL);
	for (guint i = 0; i < entries->len; i++) {
		const PxfFtpEntry *e = g_ptr_array_index(entries, i);
		g_string_append_printf(out, "%s%s%s", i > 0 ? " " : "", e->name,
				       S_ISDIR(e->st.st_mode) ? "/" : "");
	}
	return g_string_free(out, FALSE);
}

static void
test_list(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) root = NULL;
	g_autoptr(GPtrArray) distros = NULL;
	g_autoptr(GPtrArray) tree = NULL;
	g_autoptr(GPtrArray) few = NULL;
	g_autofree gchar *n1 = NULL;
	g_autofree gchar *n2 = NULL;
	g_autofree gchar *n3 = NULL;
	gboolean truncated = TRUE;

	root = pxf_ftp_fs_list_dir(f->fs, "/", 1000, &truncated, &error);
	g_assert_no_error(error);
	g_assert_false(truncated);
	n1 = names(root);
	/* no escape, up, abs-*, dangling, loop or fifo */
	g_assert_cmpstr(n1, ==, "alias.txt distros/ pub/ pub-link/ readme.txt");
	distros = pxf_ftp_fs_list_dir(f->fs, "/distros", 1000, &truncated, &error);
	g_assert_no_error(error);
	n2 = names(distros);
	g_assert_cmpstr(n2, ==, "local/ rocky9/");
	tree = pxf_ftp_fs_list_dir(f->fs, "/distros/rocky9", 1000, &truncated, &error);
	g_assert_no_error(error);
	n3 = names(tree);
	g_assert_cmpstr(n3, ==, ".treeinfo images/");

	few = pxf_ftp_fs_list_dir(f->fs, "/", 2, &truncated, &error);
	g_assert_no_error(error);
	g_assert_true(truncated);
	g_assert_cmpuint(few->len, <=, 3); /* two from disk, and the distros mount */

	g_assert_null(pxf_ftp_fs_list_dir(f->fs, "/readme.txt", 10, &truncated, &error));
	g_assert_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_null(pxf_ftp_fs_list_dir(f->fs, "/up", 10, &truncated, &error));
	g_assert_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_DENIED);
}

static void
test_no_root(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *top = g_dir_make_tmp("pxf-ftp-fs-XXXXXX", &error);
	g_autofree gchar *missing = g_build_filename(top, "missing", NULL);
	g_autoptr(PxfFtpFs) fs = pxf_ftp_fs_new(missing);
	g_autoptr(GPtrArray) entries = NULL;
	g_autofree gchar *listed = NULL;
	gboolean truncated = FALSE;
	struct stat st;

	/* "/" is there, empty; with a distro it holds /distros */
	g_assert_true(pxf_ftp_fs_stat(fs, "/", &st, &error));
	entries = pxf_ftp_fs_list_dir(fs, "/", 10, &truncated, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(entries->len, ==, 0);
	g_assert_false(pxf_ftp_fs_stat(fs, "/distros", &st, &error));
	g_clear_error(&error);
	g_assert_true(pxf_ftp_fs_add_distro(fs, "d", top));
	g_assert_false(pxf_ftp_fs_add_distro(fs, "a/b", top));
	g_assert_false(pxf_ftp_fs_add_distro(fs, "..", top));
	g_assert_false(pxf_ftp_fs_add_distro(fs, "rel", "relative/dir"));
	g_assert_cmpuint(pxf_ftp_fs_get_n_distros(fs), ==, 1);
	g_clear_pointer(&entries, g_ptr_array_unref);
	entries = pxf_ftp_fs_list_dir(fs, "/", 10, &truncated, &error);
	g_assert_no_error(error);
	listed = names(entries);
	g_assert_cmpstr(listed, ==, "distros/");
	g_assert_true(pxf_ftp_fs_stat(fs, "/distros/d", &st, &error));
	g_assert_true(S_ISDIR(st.st_mode));
	pxf_ftp_fs_clear_distros(fs);
	g_assert_cmpuint(pxf_ftp_fs_get_n_distros(fs), ==, 0);
	g_rmdir(top);
}

static void
test_tree_open(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	/* callers pass normalised paths; anything else is refused outright */
	g_assert_cmpint(pxf_ftp_tree_open(f->root, "../secret", O_RDONLY, &error), <, 0);
	g_assert_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_DENIED);
	g_clear_error(&error);
	g_assert_cmpint(pxf_ftp_tree_open(f->root, "/etc/passwd", O_RDONLY, &error), <, 0);
	g_assert_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_DENIED);
	g_clear_error(&error);
	g_assert_cmpint(pxf_ftp_tree_open(f->root, "pub/../../secret", O_RDONLY, &error), <, 0);
	g_assert_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_DENIED);
	g_clear_error(&error);
	g_assert_cmpint(pxf_ftp_tree_open(NULL, "x", O_RDONLY, &error), <, 0);
	g_assert_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_NOT_FOUND);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/plugin/ftp/fs/open", Fixture, NULL, fixture_set_up, test_open,
		   fixture_tear_down);
	g_test_add("/plugin/ftp/fs/stat", Fixture, NULL, fixture_set_up, test_stat,
		   fixture_tear_down);
	g_test_add("/plugin/ftp/fs/list", Fixture, NULL, fixture_set_up, test_list,
		   fixture_tear_down);
	g_test_add("/plugin/ftp/fs/tree-open", Fixture, NULL, fixture_set_up, test_tree_open,
		   fixture_tear_down);
	g_test_add_func("/plugin/ftp/fs/no-root", test_no_root);
	return g_test_run();
}
