/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-import"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxf-import.h"
#include "pxf-inventory.h"
#include "pxf-test-paths.h"

/* pxf_import_distro() end to end: directories and ISO images (built here
 * with xorriso from the fixture trees, when it is installed) unpacked into
 * a temporary store and added to a temporary configuration; and every way
 * it must refuse, leaving nothing behind. */

static const gchar *const fixtures[] = {"centos6",  "centos7",	  "rocky9",
					"debian12", "ubuntu2204", NULL};

typedef struct {
	gchar *tmp;
	gchar *config;
	gchar *store;
	GPtrArray *diags;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->tmp = g_dir_make_tmp("pxf-import-XXXXXX", &error);
	g_assert_no_error(error);
	f->config = g_build_filename(f->tmp, "etc", NULL);
	f->store = g_build_filename(f->tmp, "store", NULL);
	g_assert_cmpint(g_mkdir_with_parents(f->config, 0755), ==, 0);
	f->diags = pxf_diags_new();
}

static gint
rm_rf(const gchar *path)
{
	GStatBuf st;

	if (g_lstat(path, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
		const gchar *name;
		g_chmod(path, 0755);
		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			g_autofree gchar *child = g_build_filename(path, name, NULL);
			rm_rf(child);
		}
		return g_rmdir(path);
	}
	return g_unlink(path);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	rm_rf(f->tmp);
	g_free(f->tmp);
	g_free(f->config);
	g_free(f->store);
	g_ptr_array_unref(f->diags);
}

static gchar *
source_dir(const gchar *name)
{
	return pxf_test_build_filename("tests", "data", "import", name, NULL);
}

/* cp -a for the small fixture trees (files, directories, links) */
static void
copy_tree(const gchar *from, const gchar *to)
{
	g_autoptr(GDir) d = g_dir_open(from, 0, NULL);
	const gchar *name;

	g_assert_nonnull(d);
	g_assert_cmpint(g_mkdir_with_parents(to, 0755), ==, 0);
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree gchar *src = g_build_filename(from, name, NULL);
		g_autofree gchar *dst = g_build_filename(to, name, NULL);
		if (g_file_test(src, G_FILE_TEST_IS_SYMLINK)) {
			g_autofree gchar *target = g_file_read_link(src, NULL);
			g_assert_cmpint(symlink(target, dst), ==, 0);
		} else if (g_file_test(src, G_FILE_TEST_IS_DIR)) {
			copy_tree(src, dst);
		} else {
			g_autofree gchar *data = NULL;
			gsize len = 0;
			g_assert_true(g_file_get_contents(src, &data, &len, NULL));
			g_assert_true(g_file_set_contents(dst, data, (gssize)len, NULL));
		}
	}
}

/* Every file and link of a is in b with the same contents or target. */
static void
assert_tree_copied(const gchar *a, const gchar *b)
{
	g_autoptr(GDir) d = g_dir_open(a, 0, NULL);
	const gchar *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree gchar *pa = g_build_filename(a, name, NULL);
		g_autofree gchar *pb = g_build_filename(b, name, NULL);
		if (g_file_test(pa, G_FILE_TEST_IS_SYMLINK)) {
			g_autofree gchar *ta = g_file_read_link(pa, NULL);
			g_autofree gchar *tb = g_file_read_link(pb, NULL);
			g_assert_cmpstr(ta, ==, tb);
		} else if (g_file_test(pa, G_FILE_TEST_IS_DIR)) {
			assert_tree_copied(pa, pb);
		} else {
			g_autofree gchar *da = NULL;
			g_autofree gchar *db = NULL;
			g_assert_true(g_file_get_contents(pa, &da, NULL, NULL));
			if (!g_file_get_contents(pb, &db, NULL, NULL))
				g_error("%s was not unpacked", pb);
			g_assert_cmpstr(da, ==, db);
		}
	}
}

static guint
count_entries(const gchar *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	guint n = 0;

	while (d != NULL && g_dir_read_name(d) != NULL)
		n++;
	return n;
}

static gchar *
distros_file(Fixture *f)
{
	return g_build_filename(f->config, "conf.d", PXF_IMPORT_DISTROS_FILE, NULL);
}

/* Nothing in the store, no distros file: what a failed import leaves. */
static void
assert_nothing_left(Fixture *f)
{
	g_autofree gchar *conf = distros_file(f);
	g_assert_cmpuint(count_entries(f->store), ==, 0);
	g_assert_false(g_file_test(conf, G_FILE_TEST_EXISTS));
}

static PxfImportResult *
import(Fixture *f, const gchar *name, const gchar *source, GError **error)
{
	PxfImportOptions options = {
		.config_dir = f->config, .name = name, .source = source, .store = f->store};
	return pxf_import_distro(&options, f->diags, error);
}

static gchar *
make_iso(Fixture *f, const gchar *tree, const gchar *name)
{
	g_autofree gchar *xorriso = g_find_program_in_path("xorriso");
	gchar *iso = g_build_filename(f->tmp, name, NULL);
	const gchar *argv[] = {"xorriso", "-as", "mkisofs", "-R", "-J", "-o", iso, tree, NULL};
	g_autoptr(GError) error = NULL;
	gint status = 0;

	if (xorriso == NULL)
		return NULL;
	argv[0] = xorriso;
	g_assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL,
				   G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
				   NULL, NULL, NULL, &status, &error));
	g_assert_no_error(error);
	g_assert_cmpint(status, ==, 0);
	return iso;
}

/* The distro as the inventory reads it back from the written file. */
static void
assert_in_inventory(Fixture *f, const gchar *name, PxfImportResult *result)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = pxf_conf_load_dir(f->config, diags);
	g_autoptr(PxfInventory) inv = pxf_inventory_new_from_config(root, f->config, diags);
	g_autofree gchar *kernel = g_build_filename(result->dir, result->medium->kernel, NULL);
	g_autofree gchar *initrd = g_build_filename(result->dir, result->medium->initrd, NULL);
	const PxfDistro *distro = pxf_inventory_get_distro(inv, name);
	PxfConfNode *family;

	g_assert_cmpuint(pxf_diags_count_errors(diags), ==, 0);
	g_assert_nonnull(distro);
	g_assert_cmpstr(distro->kernel, ==, kernel);
	g_assert_cmpstr(distro->initrd, ==, initrd);
	g_assert_cmpstr(distro->tree, ==, result->dir);
	g_assert_true(g_file_test(kernel, G_FILE_TEST_IS_REGULAR));
	g_assert_true(g_file_test(initrd, G_FILE_TEST_IS_REGULAR));
	family = pxf_conf_node_lookup(distro->variables, "family", NULL);
	g_assert_nonnull(family);
	g_assert_cmpstr(family->scalar, ==, result->medium->family);
}

/* ------------------------------------------------------------------------ */

static void
test_directories(Fixture *f, gconstpointer data)
{
	for (guint i = 0; fixtures[i] != NULL; i++) {
		g_autofree gchar *src = source_dir(fixtures[i]);
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfImportResult) result = import(f, fixtures[i], src, &error);

		g_assert_no_error(error);
		g_assert_nonnull(result);
		assert_tree_copied(src, result->dir);
		assert_in_inventory(f, fixtures[i], result);
		g_assert_cmpuint(result->n_entries, >, 10);
	}
	/* nothing but the distros, no temporary directory */
	g_assert_cmpuint(count_entries(f->store), ==, g_strv_length((gchar **)fixtures));
}

static void
test_images(Fixture *f, gconstpointer data)
{
	for (guint i = 0; fixtures[i] != NULL; i++) {
		g_autofree gchar *src = source_dir(fixtures[i]);
		g_autofree gchar *iso_name = g_strdup_printf("%s.iso", fixtures[i]);
		g_autofree gchar *iso = make_iso(f, src, iso_name);
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfImportResult) result = NULL;

		if (iso == NULL) {
			g_test_skip("xorriso is not installed");
			return;
		}
		result = import(f, fixtures[i], iso, &error);
		g_assert_no_error(error);
		g_assert_nonnull(result);
		assert_tree_copied(src, result->dir);
		assert_in_inventory(f, fixtures[i], result);
	}
}

static void
test_second_import(Fixture *f, gconstpointer data)
{
	g_autofree gchar *src = source_dir("rocky9");
	g_autofree gchar *conf = distros_file(f);
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = import(f, "rocky", src, &error);
	g_autoptr(PxfImportResult) again = NULL;

	g_assert_no_error(error);
	g_assert_nonnull(result);
	g_assert_true(g_file_get_contents(conf, &before, NULL, NULL));
	again = import(f, "rocky", src, &error);
	g_assert_null(again);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_EXISTS);
	g_assert_nonnull(strstr(error->message, "'rocky' is already defined at"));
	g_assert_nonnull(strstr(error->message, PXF_IMPORT_DISTROS_FILE ":"));
	g_assert_true(g_file_get_contents(conf, &after, NULL, NULL));
	g_assert_cmpstr(before, ==, after);
	g_assert_cmpuint(count_entries(f->store), ==, 1);
	g_clear_error(&error);

	/* a directory left in the store without its configuration */
	g_assert_true(g_file_set_contents(conf, "distros: {}\n", -1, NULL));
	again = import(f, "rocky", src, &error);
	g_assert_null(again);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_EXISTS);
	g_assert_nonnull(strstr(error->message, "already exists"));
}

static void
test_name_in_config(Fixture *f, gconstpointer data)
{
	g_autofree gchar *main_file = g_build_filename(f->config, "pxeforge.yaml", NULL);
	g_autofree gchar *src = source_dir("centos7");
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = NULL;

	g_assert_true(g_file_set_contents(
		main_file, "variables: {a: 1}\ndistros:\n  c7:\n    kernel: /k\n    initrd: /i\n",
		-1, NULL));
	result = import(f, "c7", src, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_EXISTS);
	g_assert_nonnull(strstr(error->message, "pxeforge.yaml:3"));
	assert_nothing_left(f);
	g_clear_error(&error);

	/* another name is fine, and both are in the inventory afterwards */
	result = import(f, "c7b", src, &error);
	g_assert_no_error(error);
	assert_in_inventory(f, "c7b", result);
}

static void
test_config_errors(Fixture *f, gconstpointer data)
{
	g_autofree gchar *main_file = g_build_filename(f->config, "pxeforge.yaml", NULL);
	g_autofree gchar *src = source_dir("debian12");
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = NULL;

	g_assert_true(
		g_file_set_contents(main_file, "hosts:\n  - mac: 52:54:00:zz:00:01\n", -1, NULL));
	result = import(f, "debian12", src, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_CONFIG);
	g_assert_cmpuint(pxf_diags_count_errors(f->diags), >, 0);
	assert_nothing_left(f);
}

static void
test_unsafe_link(Fixture *f, gconstpointer data)
{
	g_autofree gchar *fixture_src = source_dir("centos7");
	g_autofree gchar *src = g_build_filename(f->tmp, "src", NULL);
	g_autofree gchar *evil = g_build_filename(src, "images", "evil", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = NULL;

	copy_tree(fixture_src, src);
	g_assert_cmpint(symlink("../../../../etc/passwd", evil), ==, 0);
	result = import(f, "c7", src, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE);
	g_assert_nonnull(strstr(error->message, "images/evil"));
	assert_nothing_left(f);
	g_clear_error(&error);

	/* absolute */
	g_assert_cmpint(g_unlink(evil), ==, 0);
	g_assert_cmpint(symlink("/etc/passwd", evil), ==, 0);
	result = import(f, "c7", src, &error);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE);
	assert_nothing_left(f);
}

/* Each link stays inside on its own, together they lead out: caught after
 * unpacking, and the unpacked tree is removed. */
static void
test_link_chain(Fixture *f, gconstpointer data)
{
	g_autofree gchar *fixture_src = source_dir("ubuntu2204");
	g_autofree gchar *src = g_build_filename(f->tmp, "src", NULL);
	g_autofree gchar *a = g_build_filename(src, "a", NULL);
	g_autofree gchar *b = g_build_filename(src, "b", NULL);
	g_autofree gchar *c = g_build_filename(src, "c", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = NULL;

	copy_tree(fixture_src, src);
	g_assert_cmpint(symlink(".", a), ==, 0);
	g_assert_cmpint(symlink("a/a/a/../../../etc", b), ==, 0);
	g_assert_true(pxf_import_check_link_target("x", "b", "a/a/a/../../../etc", NULL));
	result = import(f, "u", src, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE);
	g_assert_nonnull(strstr(error->message, "symbolic link b leads out of the medium"));
	assert_nothing_left(f);
	g_clear_error(&error);

	/* a loop is refused too */
	g_assert_cmpint(g_unlink(b), ==, 0);
	g_assert_cmpint(symlink("c", b), ==, 0);
	g_assert_cmpint(symlink("b", c), ==, 0);
	result = import(f, "u", src, &error);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE);
	g_assert_nonnull(strstr(error->message, "loops"));
	assert_nothing_left(f);
}

static void
test_special_file(Fixture *f, gconstpointer data)
{
	g_autofree gchar *fixture_src = source_dir("debian12");
	g_autofree gchar *src = g_build_filename(f->tmp, "src", NULL);
	g_autofree gchar *fifo = g_build_filename(src, "pool", "fifo", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = NULL;

	copy_tree(fixture_src, src);
	g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
	result = import(f, "d", src, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE);
	g_assert_nonnull(strstr(error->message, "pool/fifo is a device, pipe or socket"));
	assert_nothing_left(f);
}

/* An image that is a FIFO: refused at once, not waited on for a writer */
static void
test_source_fifo(Fixture *f, gconstpointer data)
{
	g_autofree gchar *fifo = g_build_filename(f->tmp, "image.iso", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = NULL;

	g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
	alarm(30);
	result = import(f, "d", fifo, &error);
	alarm(0);
	g_assert_null(result);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID);
	g_assert_true(g_str_has_prefix(error->message, fifo));
	g_assert_nonnull(strstr(error->message, ": not a regular file (a FIFO)"));
	assert_nothing_left(f);
}

static void
test_max_entries(Fixture *f, gconstpointer data)
{
	g_autofree gchar *src = source_dir("centos6");
	PxfImportOptions options = {.config_dir = f->config,
				    .name = "c6",
				    .source = src,
				    .store = f->store,
				    .max_entries = 5};
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = pxf_import_distro(&options, f->diags, &error);

	g_assert_null(result);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE);
	g_assert_nonnull(strstr(error->message, "more than 5 entries"));
	assert_nothing_left(f);
}

static void
test_bad_images(Fixture *f, gconstpointer data)
{
	g_autofree gchar *src = source_dir("rocky9");
	g_autofree gchar *unknown_tree = g_build_filename(f->tmp, "unknown", NULL);
	g_autofree gchar *readme = g_build_filename(unknown_tree, "README", NULL);
	g_autofree gchar *iso = make_iso(f, src, "rocky9.iso");
	g_autofree gchar *unknown = NULL;
	g_autofree gchar *truncated = g_build_filename(f->tmp, "truncated.iso", NULL);
	g_autofree gchar *garbled = g_build_filename(f->tmp, "garbled.iso", NULL);
	g_autofree gchar *text = g_build_filename(f->tmp, "notes.iso", NULL);
	g_autofree gchar *data_iso = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = NULL;
	gsize len = 0;

	/* not an image at all */
	g_assert_true(g_file_set_contents(text, "just some text\n", -1, NULL));
	result = import(f, "x", text, &error);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "not an ISO 9660 image"));
	g_clear_error(&error);
	result = import(f, "x", "/nonexistent/x.iso", &error);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, "/nonexistent/x.iso: "));
	g_clear_error(&error);
	assert_nothing_left(f);
	if (iso == NULL) {
		g_test_skip("xorriso is not installed");
		return;
	}

	/* the first 300 KiB of it */
	g_assert_true(g_file_get_contents(iso, &data_iso, &len, NULL));
	g_assert_cmpuint(len, >, 300 * 1024);
	g_assert_true(g_file_set_contents(truncated, data_iso, 300 * 1024, NULL));
	result = import(f, "r", truncated, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID);
	g_assert_true(g_str_has_prefix(error->message, truncated));
	g_assert_nonnull(strstr(error->message, "truncated image"));
	assert_nothing_left(f);
	g_clear_error(&error);

	/* the directory records overwritten: it cannot be read, or it reads as
	 * something else; either way nothing is imported */
	memset(data_iso + 17 * 2048, 0x5a, 20 * 2048);
	g_assert_true(g_file_set_contents(garbled, data_iso, (gssize)len, NULL));
	result = import(f, "r", garbled, &error);
	g_assert_null(result);
	g_assert_nonnull(error);
	g_assert_true(g_str_has_prefix(error->message, garbled));
	assert_nothing_left(f);
	g_clear_error(&error);

	/* a good image of something else */
	g_assert_cmpint(g_mkdir_with_parents(unknown_tree, 0755), ==, 0);
	g_assert_true(g_file_set_contents(readme, "holiday photos\n", -1, NULL));
	unknown = make_iso(f, unknown_tree, "unknown.iso");
	result = import(f, "u", unknown, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNKNOWN_MEDIUM);
	g_assert_true(g_str_has_prefix(error->message, unknown));
	assert_nothing_left(f);
}

/* A kernel that is not what the medium's checksums say: a damaged image,
 * found after unpacking, and the unpacked tree is removed. */
static void
test_checksum_mismatch(Fixture *f, gconstpointer data)
{
	const gchar *cases[][2] = {
		{"rocky9", "images/pxeboot/vmlinuz"},  /* .treeinfo, sha256 */
		{"debian12", "install.amd/initrd.gz"}, /* md5sum.txt */
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *fixture_src = source_dir(cases[i][0]);
		g_autofree gchar *src = g_build_filename(f->tmp, cases[i][0], NULL);
		g_autofree gchar *file = g_build_filename(src, cases[i][1], NULL);
		g_autofree gchar *iso = NULL;
		g_autofree gchar *iso_name = g_strdup_printf("%s.iso", cases[i][0]);
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfImportResult) result = NULL;

		copy_tree(fixture_src, src);
		g_assert_true(g_file_set_contents(file, "bit rot\n", -1, NULL));
		result = import(f, "x", src, &error);
		g_assert_null(result);
		g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID);
		g_assert_nonnull(strstr(error->message, cases[i][1]));
		g_assert_nonnull(strstr(error->message, "does not match the checksum"));
		assert_nothing_left(f);
		g_clear_error(&error);

		iso = make_iso(f, src, iso_name);
		if (iso == NULL)
			continue;
		result = import(f, "x", iso, &error);
		g_assert_null(result);
		g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID);
		g_assert_nonnull(strstr(error->message, "does not match the checksum"));
		assert_nothing_left(f);
	}
}

/* xorriso records identical files as hard links; both names unpack. */
static void
test_hard_links(Fixture *f, gconstpointer data)
{
	g_autofree gchar *fixture_src = source_dir("centos7");
	g_autofree gchar *src = g_build_filename(f->tmp, "src", NULL);
	g_autofree gchar *first = g_build_filename(src, "images", "pxeboot", "vmlinuz", NULL);
	g_autofree gchar *second = g_build_filename(src, "isolinux", "vmlinuz.link", NULL);
	g_autofree gchar *iso = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = NULL;

	copy_tree(fixture_src, src);
	g_assert_cmpint(link(first, second), ==, 0);
	iso = make_iso(f, src, "links.iso");
	if (iso == NULL) {
		g_test_skip("xorriso is not installed");
		return;
	}
	result = import(f, "c7", iso, &error);
	g_assert_no_error(error);
	assert_tree_copied(src, result->dir);
}

static void
test_discinfo_only(Fixture *f, gconstpointer data)
{
	g_autofree gchar *fixture_src = source_dir("centos6");
	g_autofree gchar *src = g_build_filename(f->tmp, "src", NULL);
	g_autofree gchar *treeinfo = g_build_filename(src, ".treeinfo", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = NULL;

	copy_tree(fixture_src, src);
	g_assert_cmpint(g_unlink(treeinfo), ==, 0);
	result = import(f, "c6", src, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(result->medium->source, ==, ".discinfo");
	g_assert_cmpstr(result->medium->version, ==, "6.10");
	g_assert_cmpstr(result->medium->kernel, ==, "images/pxeboot/vmlinuz");
	assert_in_inventory(f, "c6", result);
}

static void
test_bad_names(Fixture *f, gconstpointer data)
{
	const gchar *names[] = {"", ".hidden", "../up", "a/b", "-x", "with space"};
	g_autofree gchar *src = source_dir("centos7");

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfImportResult) result = import(f, names[i], src, &error);
		g_assert_null(result);
		g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID);
		g_assert_nonnull(strstr(error->message, "invalid distro name"));
	}
	assert_nothing_left(f);
}

static void
test_store_inside_source(Fixture *f, gconstpointer data)
{
	g_autofree gchar *fixture_src = source_dir("centos7");
	g_autofree gchar *src = g_build_filename(f->tmp, "src", NULL);
	g_autofree gchar *store = g_build_filename(src, "distros", NULL);
	PxfImportOptions options = {
		.config_dir = f->config, .name = "c7", .source = src, .store = store};
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = NULL;

	copy_tree(fixture_src, src);
	result = pxf_import_distro(&options, f->diags, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "is inside it"));
	g_assert_false(g_file_test(store, G_FILE_TEST_EXISTS));
}

/* The store is made when missing; a failed import removes what it made. */
static void
test_store_created(Fixture *f, gconstpointer data)
{
	g_autofree gchar *src = source_dir("debian12");
	g_autofree gchar *bad = g_build_filename(f->tmp, "bad", NULL);
	g_autofree gchar *a = g_build_filename(bad, "a", NULL);
	g_autofree gchar *deep = g_build_filename(f->store, "a", "b", NULL);
	PxfImportOptions options = {
		.config_dir = f->config, .name = "d12", .source = bad, .store = deep};
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportResult) result = NULL;

	/* fails after unpacking (a link that leads out once resolved) */
	copy_tree(src, bad);
	g_assert_cmpint(symlink("debian/debian/..", a), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(f->store, 0755), ==, 0);
	result = pxf_import_distro(&options, f->diags, &error);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE);
	assert_nothing_left(f);
	g_clear_error(&error);

	options.source = src;
	result = pxf_import_distro(&options, f->diags, &error);
	g_assert_no_error(error);
	g_assert_nonnull(result);
	g_assert_true(g_file_test(result->dir, G_FILE_TEST_IS_DIR));
	g_assert_true(g_str_has_prefix(result->dir, deep));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, func)                                                                            \
	g_test_add("/core/import/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
	ADD("directories", test_directories);
	ADD("images", test_images);
	ADD("second-import", test_second_import);
	ADD("name-in-config", test_name_in_config);
	ADD("config-errors", test_config_errors);
	ADD("unsafe-link", test_unsafe_link);
	ADD("link-chain", test_link_chain);
	ADD("special-file", test_special_file);
	ADD("source-fifo", test_source_fifo);
	ADD("max-entries", test_max_entries);
	ADD("bad-images", test_bad_images);
	ADD("checksum-mismatch", test_checksum_mismatch);
	ADD("hard-links", test_hard_links);
	ADD("discinfo-only", test_discinfo_only);
	ADD("bad-names", test_bad_names);
	ADD("store-inside-source", test_store_inside_source);
	ADD("store-created", test_store_created);
#undef ADD
	return g_test_run();
}
