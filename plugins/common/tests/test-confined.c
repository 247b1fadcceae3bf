/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pxf_confined_open(): what it opens inside a tree, and what it refuses:
 * "..", absolute paths, symlinks that leave the tree (and absolute ones),
 * missing files; the errno classes and pxf_confined_path_within(). */
#define G_LOG_DOMAIN "test-confined"
#define _GNU_SOURCE  /* O_PATH */

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pxf-confined.h"

typedef struct {
	gchar *base;	/* the temp dir */
	gchar *tree;	/* base/tree: what is served */
	gchar *outside; /* base/outside/secret */
} Fixture;

static void
write_file(const gchar *path, const gchar *text)
{
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autofree gchar *sub = NULL;
	g_autofree gchar *outdir = NULL;
	g_autofree gchar *abs_inside = NULL;

	f->base = g_dir_make_tmp("pxf-confined-XXXXXX", NULL);
	g_assert_nonnull(f->base);
	f->tree = g_build_filename(f->base, "tree", NULL);
	sub = g_build_filename(f->tree, "sub", NULL);
	outdir = g_build_filename(f->base, "outside", NULL);
	f->outside = g_build_filename(outdir, "secret", NULL);
	g_assert_cmpint(g_mkdir_with_parents(sub, 0755), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(outdir, 0755), ==, 0);
	write_file(f->outside, "secret\n");

	/* tree/a.txt, tree/..a (not a '..' segment), tree/sub/b.txt */
	{
		g_autofree gchar *a = g_build_filename(f->tree, "a.txt", NULL);
		g_autofree gchar *dots = g_build_filename(f->tree, "..a", NULL);
		g_autofree gchar *b = g_build_filename(sub, "b.txt", NULL);
		write_file(a, "a\n");
		write_file(dots, "dots\n");
		write_file(b, "b\n");
	}
	abs_inside = g_build_filename(sub, "b.txt", NULL);
	{
		const struct {
			const gchar *name;
			const gchar *target;
		} links[] = {
			{"in", "sub/b.txt"},		  /* relative, inside: followed */
			{"linkdir", "sub"},		  /* a directory inside */
			{"up", "sub/../a.txt"},		  /* '..' that stays inside */
			{"out", "../outside/secret"},	  /* relative, leaves */
			{"etc", "/etc/passwd"},		  /* absolute, leaves */
			{"abs-in", abs_inside},		  /* absolute, even pointing inside */
			{"dangling", "sub/nothing-here"}, /* to nothing */
		};
		for (guint i = 0; i < G_N_ELEMENTS(links); i++) {
			g_autofree gchar *path = g_build_filename(f->tree, links[i].name, NULL);
			g_assert_cmpint(symlink(links[i].target, path), ==, 0);
		}
	}
}

static void
rm_rf(const gchar *path)
{
	GStatBuf st;

	if (g_lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
		const gchar *name;
		while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
			g_autofree gchar *child = g_build_filename(path, name, NULL);
			rm_rf(child);
		}
		g_rmdir(path);
	} else {
		g_unlink(path);
	}
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	rm_rf(f->base);
	g_free(f->base);
	g_free(f->tree);
	g_free(f->outside);
}

/* The text of rel, opened through the tree. */
static gchar *
read_rel(Fixture *f, const gchar *rel)
{
	g_autoptr(GError) error = NULL;
	gint fd = pxf_confined_open(f->tree, rel, O_RDONLY, &error);
	gchar buf[64] = {0};
	gssize n;

	g_assert_no_error(error);
	g_assert_cmpint(fd, >=, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	g_assert_cmpint(n, >=, 0);
	return g_strndup(buf, (gsize)n);
}

static void
refused(Fixture *f, const gchar *rel, gint code, const gchar *needle)
{
	g_autoptr(GError) error = NULL;
	gint fd = pxf_confined_open(f->tree, rel, O_RDONLY, &error);

	if (fd >= 0)
		g_error("'%s' was opened", rel);
	g_assert_error(error, PXF_CONFINED_ERROR, code);
	if (strstr(error->message, needle) == NULL)
		g_error("'%s': '%s' lacks '%s'", rel, error->message, needle);
}

static gboolean
have_openat2(void)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_BENEATH};
	glong fd = syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof(how));

	if (fd < 0)
		return errno != ENOSYS;
	close((gint)fd);
	return TRUE;
}

static void
test_inside(Fixture *f, gconstpointer data)
{
	const gchar *rels[] = {"a.txt", "sub/b.txt", "in", "linkdir/b.txt", "up", "..a", NULL};
	const gchar *texts[] = {"a\n", "b\n", "b\n", "b\n", "a\n", "dots\n", NULL};

	for (guint i = 0; rels[i] != NULL; i++) {
		g_autofree gchar *text = read_rel(f, rels[i]);
		g_assert_cmpstr(text, ==, texts[i]);
	}
	/* the directory itself, and a subdirectory, with the caller's flags */
	for (guint i = 0; i < 3; i++) {
		const gchar *rel = i == 0 ? "" : i == 1 ? "." : "sub";
		g_autoptr(GError) error = NULL;
		struct stat st;
		gint fd = pxf_confined_open(f->tree, rel, O_RDONLY | O_DIRECTORY, &error);
		g_assert_no_error(error);
		g_assert_cmpint(fd, >=, 0);
		g_assert_cmpint(fstat(fd, &st), ==, 0);
		g_assert_true(S_ISDIR(st.st_mode));
		/* O_CLOEXEC is always added */
		g_assert_cmpint(fcntl(fd, F_GETFD) & FD_CLOEXEC, !=, 0);
		close(fd);
	}
	/* O_PATH: what an FTP stat uses */
	{
		g_autoptr(GError) error = NULL;
		gint fd = pxf_confined_open(f->tree, "in", O_PATH, &error);
		struct stat st;
		g_assert_no_error(error);
		g_assert_cmpint(fstat(fd, &st), ==, 0);
		g_assert_true(S_ISREG(st.st_mode));
		close(fd);
	}
}

static void
test_refused(Fixture *f, gconstpointer data)
{
	/* never looked up */
	refused(f, "..", PXF_CONFINED_ERROR_DENIED, "not a path inside the tree");
	refused(f, "../outside/secret", PXF_CONFINED_ERROR_DENIED, "not a path inside");
	refused(f, "sub/../../outside/secret", PXF_CONFINED_ERROR_DENIED, "not a path inside");
	refused(f, "sub/..", PXF_CONFINED_ERROR_DENIED, "not a path inside");
	refused(f, "/etc/passwd", PXF_CONFINED_ERROR_DENIED, "not a path inside");
	/* symlinks out of the tree */
	refused(f, "out", PXF_CONFINED_ERROR_DENIED, "outside the tree");
	refused(f, "etc", PXF_CONFINED_ERROR_DENIED, "outside the tree");
	/* missing */
	refused(f, "nope", PXF_CONFINED_ERROR_NOT_FOUND, "nope: ");
	refused(f, "sub/nope/deeper", PXF_CONFINED_ERROR_NOT_FOUND, "sub/nope/deeper: ");
	refused(f, "a.txt/x", PXF_CONFINED_ERROR_NOT_FOUND, "a.txt/x: ");
	refused(f, "dangling", PXF_CONFINED_ERROR_NOT_FOUND, "dangling: ");
	/* a component longer than NAME_MAX, a path longer than PATH_MAX: no
	 * such file can exist (ENAMETOOLONG), so not found, not a failure */
	{
		g_autofree gchar *name = g_strnfill(300, 'n');
		g_autofree gchar *deep = g_strdup_printf("sub/%s/x", name);
		g_autoptr(GString) longpath = g_string_new(NULL);
		refused(f, name, PXF_CONFINED_ERROR_NOT_FOUND, "File name too long");
		refused(f, deep, PXF_CONFINED_ERROR_NOT_FOUND, "File name too long");
		while (longpath->len < 5000)
			g_string_append(longpath, "sub/");
		g_string_append(longpath, "b.txt");
		refused(f, longpath->str, PXF_CONFINED_ERROR_NOT_FOUND, ": ");
	}
	/* an absolute symlink, even into the tree: the kernel's RESOLVE_BENEATH
	 * refuses it (the fallback of kernels before 5.6 cannot tell) */
	if (have_openat2())
		refused(f, "abs-in", PXF_CONFINED_ERROR_DENIED, "leaves the tree");
	else
		g_test_message("no openat2: abs-in not checked");
	/* the secret is still there: nothing above could reach it */
	g_assert_true(g_file_test(f->outside, G_FILE_TEST_IS_REGULAR));
}

static void
test_no_tree(Fixture *f, gconstpointer data)
{
	g_autofree gchar *gone = g_build_filename(f->base, "gone", NULL);
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(pxf_confined_open(gone, "x", O_RDONLY, &error), <, 0);
	g_assert_error(error, PXF_CONFINED_ERROR, PXF_CONFINED_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "tree "));
	g_assert_nonnull(strstr(error->message, gone));
	g_clear_error(&error);

	/* a tree given through a symlink is its target */
	{
		g_autofree gchar *link = g_build_filename(f->base, "link-to-tree", NULL);
		gint fd;
		g_assert_cmpint(symlink(f->tree, link), ==, 0);
		fd = pxf_confined_open(link, "sub/b.txt", O_RDONLY, &error);
		g_assert_no_error(error);
		g_assert_cmpint(fd, >=, 0);
		close(fd);
	}
}

static void
test_within(void)
{
	g_assert_true(pxf_confined_path_within("/srv/a", "/srv/a"));
	g_assert_true(pxf_confined_path_within("/srv/a/b", "/srv/a"));
	g_assert_false(pxf_confined_path_within("/srv/ab", "/srv/a"));
	g_assert_false(pxf_confined_path_within("/srv", "/srv/a"));
	g_assert_true(pxf_confined_path_within("/anything", "/"));
	g_assert_false(pxf_confined_path_within("relative", "/"));
}

static void
test_errno(void)
{
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(pxf_confined_error_from_errno(ENOENT), ==, PXF_CONFINED_ERROR_NOT_FOUND);
	g_assert_cmpint(pxf_confined_error_from_errno(ENOTDIR), ==, PXF_CONFINED_ERROR_NOT_FOUND);
	g_assert_cmpint(pxf_confined_error_from_errno(ENAMETOOLONG), ==,
			PXF_CONFINED_ERROR_NOT_FOUND);
	g_assert_cmpint(pxf_confined_error_from_errno(EXDEV), ==, PXF_CONFINED_ERROR_DENIED);
	g_assert_cmpint(pxf_confined_error_from_errno(ELOOP), ==, PXF_CONFINED_ERROR_DENIED);
	g_assert_cmpint(pxf_confined_error_from_errno(EACCES), ==, PXF_CONFINED_ERROR_DENIED);
	g_assert_cmpint(pxf_confined_error_from_errno(EPERM), ==, PXF_CONFINED_ERROR_DENIED);
	g_assert_cmpint(pxf_confined_error_from_errno(EIO), ==, PXF_CONFINED_ERROR_FAILED);

	g_assert_false(pxf_confined_set_error(&error, EXDEV, "x/y"));
	g_assert_error(error, PXF_CONFINED_ERROR, PXF_CONFINED_ERROR_DENIED);
	g_assert_cmpstr(error->message, ==, "x/y: leaves the tree (an absolute symlink or '..')");
	g_clear_error(&error);
	g_assert_false(pxf_confined_set_error(&error, ENOENT, "z"));
	g_assert_error(error, PXF_CONFINED_ERROR, PXF_CONFINED_ERROR_NOT_FOUND);
	g_assert_true(g_str_has_prefix(error->message, "z: "));

	/* into a plugin's domain, class by class, the message kept */
	for (gint saved = 0; saved < 3; saved++) {
		const gint errnos[] = {ENOENT, ELOOP, EIO};
		const gint codes[] = {404, 403, 500};
		g_autoptr(GError) local = NULL;
		g_autoptr(GError) mine = NULL;
		pxf_confined_set_error(&local, errnos[saved], "w");
		g_assert_false(pxf_confined_error_to(local, G_FILE_ERROR, 500, 404, 403, &mine));
		g_assert_error(mine, G_FILE_ERROR, codes[saved]);
		g_assert_cmpstr(mine->message, ==, local->message);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/plugins/common/confined/inside", Fixture, NULL, fixture_setup, test_inside,
		   fixture_teardown);
	g_test_add("/plugins/common/confined/refused", Fixture, NULL, fixture_setup, test_refused,
		   fixture_teardown);
	g_test_add("/plugins/common/confined/no-tree", Fixture, NULL, fixture_setup, test_no_tree,
		   fixture_teardown);
	g_test_add_func("/plugins/common/confined/within", test_within);
	g_test_add_func("/plugins/common/confined/errno", test_errno);
	return g_test_run();
}
