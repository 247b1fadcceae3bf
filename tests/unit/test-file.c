/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-test-file"

#include "pxf-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
	gchar *tmp;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->tmp = g_dir_make_tmp("pxf-file-XXXXXX", &error);
	g_assert_no_error(error);
	/* a regression blocks on a FIFO or reads /dev/zero forever: end it */
	alarm(30);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) dir = g_dir_open(f->tmp, 0, NULL);
	const gchar *name;

	alarm(0);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *path = g_build_filename(f->tmp, name, NULL);
		if (g_rmdir(path) != 0)
			g_assert_cmpint(g_unlink(path), ==, 0);
	}
	g_assert_cmpint(g_rmdir(f->tmp), ==, 0);
	g_free(f->tmp);
}

static gchar *
fixture_path(Fixture *f, const gchar *name)
{
	return g_build_filename(f->tmp, name, NULL);
}

/* The refusal names the file and says what it is instead. */
static void
assert_refused(const gchar *path, gsize max, gint code, const gchar *reason)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *expected = g_strdup_printf("%s: %s", path, reason);
	gchar *data = NULL;
	gsize len = 42;

	g_assert_false(pxf_file_get_contents(path, max, &data, &len, &error));
	g_assert_error(error, G_FILE_ERROR, code);
	g_assert_cmpstr(error->message, ==, expected);
	g_assert_cmpstr(pxf_file_error_reason(error, path), ==, reason);
	g_assert_null(data);
	g_assert_cmpuint(len, ==, 42);
}

static void
test_regular(Fixture *f, gconstpointer data)
{
	g_autofree gchar *path = fixture_path(f, "a.yaml");
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;
	struct stat st;
	gsize len = 0;
	gint fd;

	g_assert_true(g_file_set_contents(path, "key: value\n", -1, NULL));
	g_assert_true(pxf_file_get_contents(path, 11, &text, &len, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(len, ==, 11);
	g_assert_cmpstr(text, ==, "key: value\n");

	fd = pxf_file_open_regular(path, &st, &error);
	g_assert_no_error(error);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(st.st_size, ==, 11);
	g_assert_cmpint(fcntl(fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
	close(fd);
}

static void
test_empty(Fixture *f, gconstpointer data)
{
	g_autofree gchar *path = fixture_path(f, "empty");
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 1;

	g_assert_true(g_file_set_contents(path, "", 0, NULL));
	g_assert_true(pxf_file_get_contents(path, 16, &text, &len, &error));
	g_assert_cmpuint(len, ==, 0);
	g_assert_cmpstr(text, ==, "");
}

static void
test_fifo(Fixture *f, gconstpointer data)
{
	g_autofree gchar *path = fixture_path(f, "fifo.yaml");
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(mkfifo(path, 0644), ==, 0);
	assert_refused(path, 1024, G_FILE_ERROR_INVAL, "not a regular file (a FIFO)");
	g_assert_cmpint(pxf_file_open_regular(path, NULL, &error), ==, -1);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
}

static void
test_dev_zero(Fixture *f, gconstpointer data)
{
	g_autofree gchar *path = fixture_path(f, "zero.yaml");

	g_assert_cmpint(symlink("/dev/zero", path), ==, 0);
	assert_refused(path, 1024, G_FILE_ERROR_INVAL, "not a regular file (a character device)");
}

static void
test_directory(Fixture *f, gconstpointer data)
{
	g_autofree gchar *path = fixture_path(f, "dir.yaml");

	g_assert_cmpint(g_mkdir(path, 0755), ==, 0);
	assert_refused(path, 1024, G_FILE_ERROR_ISDIR, "not a regular file (a directory)");
}

static void
test_missing(Fixture *f, gconstpointer data)
{
	g_autofree gchar *path = fixture_path(f, "missing.yaml");
	g_autofree gchar *dangling = fixture_path(f, "dangling.yaml");

	assert_refused(path, 1024, G_FILE_ERROR_NOENT, g_strerror(ENOENT));
	g_assert_cmpint(symlink("/nonexistent/pxf-test", dangling), ==, 0);
	assert_refused(dangling, 1024, G_FILE_ERROR_NOENT, g_strerror(ENOENT));
}

static void
test_oversize(Fixture *f, gconstpointer data)
{
	g_autofree gchar *path = fixture_path(f, "big.yaml");
	g_autofree gchar *text = NULL;
	gsize len = 0;

	g_assert_true(g_file_set_contents(path, "0123456789", 10, NULL));
	assert_refused(path, 9, G_FILE_ERROR_FAILED, "file is too large (more than 9 bytes)");
	/* the limit itself is allowed */
	g_assert_true(pxf_file_get_contents(path, 10, &text, &len, NULL));
	g_assert_cmpuint(len, ==, 10);
}

/* st_size says nothing of a file in /proc: the limit holds on what is read */
static void
test_oversize_unknown_size(Fixture *f, gconstpointer data)
{
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;

	if (!g_file_test("/proc/self/maps", G_FILE_TEST_IS_REGULAR)) {
		g_test_skip("no /proc");
		return;
	}
	g_assert_false(pxf_file_get_contents("/proc/self/maps", 8, &text, &len, &error));
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED);
	g_assert_cmpstr(error->message, ==,
			"/proc/self/maps: file is too large (more than 8 bytes)");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/core/file/regular", test_regular);
	ADD("/core/file/empty", test_empty);
	ADD("/core/file/fifo", test_fifo);
	ADD("/core/file/dev-zero", test_dev_zero);
	ADD("/core/file/directory", test_directory);
	ADD("/core/file/missing", test_missing);
	ADD("/core/file/oversize", test_oversize);
	ADD("/core/file/oversize-unknown-size", test_oversize_unknown_size);
#undef ADD
	return g_test_run();
}
