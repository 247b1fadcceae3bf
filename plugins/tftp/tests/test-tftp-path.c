/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-tftp"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pxf-tftp-path.h"

/* The test is linked with -Wl,--wrap=realpath: every realpath() of the code
 * under test comes here. When it resolves a name ending in swap_suffix, the
 * directory swap_dir is replaced by a symlink to swap_target right after,
 * which is the moment a check-then-open confinement (realpath, prefix
 * compare, open of the checked name) cannot see. */
char *__real_realpath(const char *path, char *resolved);
char *__wrap_realpath(const char *path, char *resolved);
static const gchar *swap_suffix = NULL;
static const gchar *swap_dir = NULL;
static const gchar *swap_target = NULL;

char *
__wrap_realpath(const char *path, char *resolved)
{
	char *out = __real_realpath(path, resolved);

	if (out != NULL && swap_suffix != NULL && g_str_has_suffix(path, swap_suffix)) {
		g_autofree gchar *aside = g_strconcat(swap_dir, ".real", NULL);
		g_assert_cmpint(g_rename(swap_dir, aside), ==, 0);
		g_assert_cmpint(symlink(swap_target, swap_dir), ==, 0);
		swap_suffix = NULL;
	}
	return out;
}

static void
test_sanitise_accepts(void)
{
	struct {
		const gchar *in;
		const gchar *out;
	} cases[] = {
		{"pxelinux.0", "pxelinux.0"},
		{"/pxelinux.0", "pxelinux.0"},
		{"pxelinux.cfg/01-52-54-00-12-34-56", "pxelinux.cfg/01-52-54-00-12-34-56"},
		{"\\boot\\grub\\grub.cfg", "boot/grub/grub.cfg"}, /* DOS-style, some PXE ROMs */
		{"a//b/./c/", "a/b/c"},
		{"./x", "x"},
		{"...", "..."},
		{"a/..b/c..", "a/..b/c.."},
		{"grub/x86_64-efi/normal.mod", "grub/x86_64-efi/normal.mod"},
		{"ünïcödé/fïlé", "ünïcödé/fïlé"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *out = pxf_tftp_path_sanitise(cases[i].in, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(out, ==, cases[i].out);
	}
}

static void
test_sanitise_refuses(void)
{
	struct {
		const gchar *in;
		const gchar *needle;
	} cases[] = {
		{"", "empty file name"},
		{"../etc/passwd", "'..' in path"},
		{"a/../../etc/passwd", "'..' in path"},
		{"a/..", "'..' in path"},
		{"..\\..\\etc\\passwd", "'..' in path"},
		{"/../etc/passwd", "'..' in path"},
		{"//etc/passwd", "absolute path"},
		{"\\\\etc\\passwd", "absolute path"},
		{"/\\etc/passwd", "absolute path"},
		{"/", "names no file"},
		{".", "names no file"},
		{"/./", "names no file"},
		{"a\nb", "control characters"},
		{"a\tb", "control characters"},
		{"a\x7f", "control characters"},
		{"\xff\xfe", "not valid UTF-8"},
		{"a\xc3", "not valid UTF-8"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *out = pxf_tftp_path_sanitise(cases[i].in, &error);
		g_test_message("case %u", i);
		g_assert_null(out);
		g_assert_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS);
		g_assert_nonnull(strstr(error->message, cases[i].needle));
	}
}

typedef struct {
	gchar *top;	/* temp dir */
	gchar *root;	/* top/root: the served tree */
	gchar *outside; /* top/secret: a file beside it */
} Tree;

static void
tree_write(const gchar *path, const gchar *text)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
}

static void
tree_setup(Tree *tree, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *sub = NULL;
	g_autofree gchar *p = NULL;

	tree->top = g_dir_make_tmp("pxf-tftp-path-XXXXXX", &error);
	g_assert_no_error(error);
	tree->root = g_build_filename(tree->top, "root", NULL);
	tree->outside = g_build_filename(tree->top, "secret", NULL);
	sub = g_build_filename(tree->root, "sub", NULL);
	g_assert_cmpint(g_mkdir_with_parents(sub, 0755), ==, 0);
	tree_write(tree->outside, "secret");
	p = g_build_filename(tree->root, "pxelinux.0", NULL);
	tree_write(p, "0123456789");
	g_free(g_steal_pointer(&p));
	p = g_build_filename(sub, "file.txt", NULL);
	tree_write(p, "in sub");
	g_free(g_steal_pointer(&p));
	/* links inside the tree are served, links out of it are not */
	p = g_build_filename(tree->root, "inside-link", NULL);
	g_assert_cmpint(symlink("sub/file.txt", p), ==, 0);
	g_free(g_steal_pointer(&p));
	p = g_build_filename(tree->root, "escape-link", NULL);
	g_assert_cmpint(symlink("../secret", p), ==, 0);
	g_free(g_steal_pointer(&p));
	p = g_build_filename(tree->root, "abs-link", NULL);
	g_assert_cmpint(symlink("/etc/passwd", p), ==, 0);
	g_free(g_steal_pointer(&p));
	p = g_build_filename(tree->root, "dir-link", NULL);
	g_assert_cmpint(symlink(tree->top, p), ==, 0);
	g_free(g_steal_pointer(&p));
	p = g_build_filename(tree->root, "fifo", NULL);
	g_assert_cmpint(mkfifo(p, 0644), ==, 0);
	g_free(g_steal_pointer(&p));
	/* a sibling whose name starts like the root's */
	p = g_build_filename(tree->top, "rootx", NULL);
	g_assert_cmpint(g_mkdir(p, 0755), ==, 0);
	g_free(g_steal_pointer(&p));
	p = g_build_filename(tree->top, "rootx", "f", NULL);
	tree_write(p, "beside");
	g_free(g_steal_pointer(&p));
	p = g_build_filename(tree->root, "prefix-link", NULL);
	g_assert_cmpint(symlink("../rootx/f", p), ==, 0);
	g_free(g_steal_pointer(&p));
	/* absolute, but into the tree; relative, but through '..' above the
	 * root and back: openat2(RESOLVE_BENEATH) refuses both */
	p = g_build_filename(tree->root, "abs-inside-link", NULL);
	{
		g_autofree gchar *target = g_build_filename(tree->root, "pxelinux.0", NULL);
		g_assert_cmpint(symlink(target, p), ==, 0);
	}
	g_free(g_steal_pointer(&p));
	p = g_build_filename(tree->root, "sub", "round-trip", NULL);
	g_assert_cmpint(symlink("../../root/pxelinux.0", p), ==, 0);
	g_free(g_steal_pointer(&p));
	/* an intermediate directory that is a symlink out of the tree */
	p = g_build_filename(tree->root, "sub", "up", NULL);
	g_assert_cmpint(symlink("..", p), ==, 0);
	g_free(g_steal_pointer(&p));
	p = g_build_filename(tree->root, "sub", "out", NULL);
	g_assert_cmpint(symlink("../..", p), ==, 0);
}

static void
tree_rm(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			tree_rm(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

static void
tree_teardown(Tree *tree, gconstpointer data)
{
	tree_rm(tree->top);
	g_free(tree->top);
	g_free(tree->root);
	g_free(tree->outside);
}

static gchar *
read_fd(gint fd)
{
	gchar buf[64] = "";
	gssize n = pread(fd, buf, sizeof(buf) - 1, 0);
	g_assert_cmpint(n, >=, 0);
	close(fd);
	return g_strndup(buf, (gsize)n);
}

static void
test_open_under(Tree *tree, gconstpointer data)
{
	struct {
		const gchar *path;
		const gchar *content; /* NULL: refused with code */
		PxfTftpError code;
	} cases[] = {
		{"pxelinux.0", "0123456789", 0},
		{"sub/file.txt", "in sub", 0},
		{"inside-link", "in sub", 0},
		{"missing", NULL, PXF_TFTP_ERROR_NOT_FOUND},
		{"sub/missing/deeper", NULL, PXF_TFTP_ERROR_NOT_FOUND},
		{"pxelinux.0/x", NULL, PXF_TFTP_ERROR_NOT_FOUND},
		{"sub", NULL, PXF_TFTP_ERROR_ACCESS},
		{"escape-link", NULL, PXF_TFTP_ERROR_ACCESS},
		{"abs-link", NULL, PXF_TFTP_ERROR_ACCESS},
		{"dir-link/secret", NULL, PXF_TFTP_ERROR_ACCESS},
		{"prefix-link", NULL, PXF_TFTP_ERROR_ACCESS},
		{"fifo", NULL, PXF_TFTP_ERROR_ACCESS},	/* and it must not block */
		{"sub/up/pxelinux.0", "0123456789", 0}, /* '..' that stays inside */
		{"sub/out/secret", NULL, PXF_TFTP_ERROR_ACCESS},
		{"sub/out/root/pxelinux.0", NULL, PXF_TFTP_ERROR_ACCESS},
		{"abs-inside-link", NULL, PXF_TFTP_ERROR_ACCESS},
		{"sub/round-trip", NULL, PXF_TFTP_ERROR_ACCESS},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		guint64 size = 0;
		gint fd = pxf_tftp_path_open_under(tree->root, cases[i].path, &size, &error);

		g_test_message("%s", cases[i].path);
		if (cases[i].content != NULL) {
			g_autofree gchar *got = NULL;
			g_assert_no_error(error);
			g_assert_cmpint(fd, >=, 0);
			g_assert_cmpuint(size, ==, strlen(cases[i].content));
			got = read_fd(fd);
			g_assert_cmpstr(got, ==, cases[i].content);
		} else {
			g_assert_cmpint(fd, ==, -1);
			g_assert_error(error, PXF_TFTP_ERROR, (gint)cases[i].code);
		}
	}
}

static void
test_open_root_variants(Tree *tree, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *missing = g_build_filename(tree->top, "nope", NULL);
	g_autofree gchar *link = g_build_filename(tree->top, "root-link", NULL);
	g_autofree gchar *got = NULL;
	guint64 size = 0;
	gint fd;

	/* a root that is itself a symlink is resolved first */
	g_assert_cmpint(symlink("root", link), ==, 0);
	fd = pxf_tftp_path_open_under(link, "inside-link", &size, &error);
	g_assert_no_error(error);
	got = read_fd(fd);
	g_assert_cmpstr(got, ==, "in sub");
	fd = pxf_tftp_path_open_under(link, "escape-link", &size, &error);
	g_assert_cmpint(fd, ==, -1);
	g_assert_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS);
	g_clear_error(&error);
	/* a root with a trailing slash */
	{
		g_autofree gchar *slashed = g_strconcat(tree->root, "/", NULL);
		fd = pxf_tftp_path_open_under(slashed, "pxelinux.0", &size, &error);
		g_assert_no_error(error);
		close(fd);
	}

	fd = pxf_tftp_path_open_under(missing, "pxelinux.0", &size, &error);
	g_assert_cmpint(fd, ==, -1);
	g_assert_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "root"));
}

static void
test_open_file(Tree *tree, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	guint64 size = 0;
	gint fd;

	/* what a file.open callback names is trusted, outside the root too */
	fd = pxf_tftp_path_open_file(tree->outside, &size, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(size, ==, 6);
	close(fd);
	fd = pxf_tftp_path_open_file(tree->root, &size, &error);
	g_assert_cmpint(fd, ==, -1);
	g_assert_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS);
	g_clear_error(&error);
	fd = pxf_tftp_path_open_file("/nonexistent/pxf-tftp", &size, &error);
	g_assert_cmpint(fd, ==, -1);
	g_assert_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_NOT_FOUND);
}

static gboolean
have_openat2(void)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_BENEATH};
	glong fd = syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof(how));

	if (fd >= 0)
		close((gint)fd);
	return fd >= 0 || errno != ENOSYS;
}

/* An intermediate directory swapped for a symlink out of the root between
 * the name's check and its open: a realpath check followed by an
 * O_NOFOLLOW open of the checked name (which guards only the last
 * component) served the file outside; the open must refuse it itself. */
static void
test_open_swapped_dir(Tree *tree, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_build_filename(tree->root, "swap", NULL);
	g_autofree gchar *inner = g_build_filename(dir, "secret", NULL);
	g_autofree gchar *outdir = g_build_filename(tree->top, "out", NULL);
	g_autofree gchar *outer = g_build_filename(outdir, "secret", NULL);
	guint64 size = 0;
	gint fd;

	if (!have_openat2()) {
		g_test_skip("the kernel has no openat2 (before 5.6)");
		return;
	}
	g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
	g_assert_cmpint(g_mkdir(outdir, 0755), ==, 0);
	tree_write(inner, "inside");
	tree_write(outer, "outside");

	swap_suffix = "/swap/secret";
	swap_dir = dir;
	swap_target = outdir;
	fd = pxf_tftp_path_open_under(tree->root, "swap/secret", &size, &error);
	g_assert_null(swap_suffix); /* the swap happened */
	if (fd >= 0) {
		g_autofree gchar *got = read_fd(fd);
		g_error("served '%s' through a directory swapped for a symlink out of the root",
			got);
	}
	g_assert_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS);
	g_test_message("%s", error->message);

	/* undo, for the teardown */
	g_assert_cmpint(g_unlink(dir), ==, 0);
	{
		g_autofree gchar *aside = g_strconcat(dir, ".real", NULL);
		g_assert_cmpint(g_rename(aside, dir), ==, 0);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/tftp/path/sanitise-accepts", test_sanitise_accepts);
	g_test_add_func("/plugin/tftp/path/sanitise-refuses", test_sanitise_refuses);
	g_test_add("/plugin/tftp/path/open-under", Tree, NULL, tree_setup, test_open_under,
		   tree_teardown);
	g_test_add("/plugin/tftp/path/open-root-variants", Tree, NULL, tree_setup,
		   test_open_root_variants, tree_teardown);
	g_test_add("/plugin/tftp/path/open-file", Tree, NULL, tree_setup, test_open_file,
		   tree_teardown);
	g_test_add("/plugin/tftp/path/open-swapped-dir", Tree, NULL, tree_setup,
		   test_open_swapped_dir, tree_teardown);
	return g_test_run();
}
