/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-test-store"

#include "pxf-store-sim.h"
#include "pxf-store.h"

/* ---- helpers --------------------------------------------------------- */

static GBytes *
bytes(const gchar *s)
{
	return g_bytes_new(s, strlen(s));
}

static gboolean
bytes_is(GBytes *b, const gchar *s)
{
	g_autoptr(GBytes) want = NULL;
	if (b == NULL || s == NULL)
		return b == NULL && s == NULL;
	want = bytes(s);
	return g_bytes_equal(b, want);
}

static gchar *
make_tmpdir(void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp("pxf-store-XXXXXX", &error);
	g_assert_no_error(error);
	return dir;
}

/* ---- the API --------------------------------------------------------- */

static void
test_store_roundtrip(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autofree gchar *path = g_build_filename(dir, "hosts", "aa:bb:cc:dd:ee:ff.json", NULL);
	g_autofree gchar *ns_dir = g_build_filename(dir, "hosts", NULL);
	g_autoptr(PxfStore) store = NULL;
	g_autoptr(GBytes) v1 = bytes("{\"a\": 1}");
	g_autoptr(GBytes) v2 = bytes("{\"a\": 2}");
	g_autoptr(GBytes) empty = g_bytes_new(NULL, 0);
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GHashTable) all = NULL;
	g_autoptr(GError) error = NULL;
	GStatBuf st;

	store = pxf_store_file_new(dir, &error);
	g_assert_no_error(error);

	/* an unknown namespace lists as empty, an unknown key is NOT_FOUND */
	all = pxf_store_list(store, "hosts", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_hash_table_size(all), ==, 0);
	g_clear_pointer(&all, g_hash_table_unref);
	got = pxf_store_get(store, "hosts", "aa:bb:cc:dd:ee:ff", &error);
	g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND);
	g_assert_null(got);
	g_clear_error(&error);

	g_assert_true(pxf_store_put(store, "hosts", "aa:bb:cc:dd:ee:ff", v1, &error));
	g_assert_no_error(error);
	got = pxf_store_get(store, "hosts", "aa:bb:cc:dd:ee:ff", &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(got, v1));
	g_clear_pointer(&got, g_bytes_unref);

	/* the on-disk layout and modes are part of the contract */
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0640);
	g_assert_cmpint(g_stat(ns_dir, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0750);

	g_assert_true(pxf_store_put(store, "hosts", "aa:bb:cc:dd:ee:ff", v2, &error));
	g_assert_true(pxf_store_put(store, "hosts", "other", empty, &error));
	g_assert_true(pxf_store_put(store, "records", "10.0.0.5", v1, &error));
	g_assert_no_error(error);

	all = pxf_store_list(store, "hosts", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_hash_table_size(all), ==, 2);
	g_assert_true(g_bytes_equal(g_hash_table_lookup(all, "aa:bb:cc:dd:ee:ff"), v2));
	g_assert_cmpuint(g_bytes_get_size(g_hash_table_lookup(all, "other")), ==, 0);
	g_assert_cmpuint(count_temp_files(ns_dir), ==, 0);

	g_assert_true(pxf_store_remove(store, "hosts", "aa:bb:cc:dd:ee:ff", &error));
	g_assert_no_error(error);
	g_assert_false(pxf_store_remove(store, "hosts", "aa:bb:cc:dd:ee:ff", &error));
	g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	got = pxf_store_get(store, "hosts", "aa:bb:cc:dd:ee:ff", &error);
	g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* another object on the same directory sees the same records */
	g_clear_object(&store);
	store = pxf_store_file_new(dir, &error);
	g_assert_no_error(error);
	got = pxf_store_get(store, "records", "10.0.0.5", &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(got, v1));
	sim_rm_rf(dir, FALSE);
}

static void
test_store_create_exists(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autofree gchar *ns_dir = g_build_filename(dir, "records", NULL);
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, NULL);
	g_autoptr(GBytes) v1 = bytes("first");
	g_autoptr(GBytes) v2 = bytes("second");
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(pxf_store_create(store, "records", "10.0.0.5", v1, &error));
	g_assert_no_error(error);
	g_assert_false(pxf_store_create(store, "records", "10.0.0.5", v2, &error));
	g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_EXISTS);
	g_assert_nonnull(strstr(error->message, "10.0.0.5"));
	got = pxf_store_get(store, "records", "10.0.0.5", NULL);
	g_assert_true(g_bytes_equal(got, v1));
	g_assert_cmpuint(count_temp_files(ns_dir), ==, 0);
	sim_rm_rf(dir, FALSE);
}

typedef struct {
	PxfStore *store;
	guint index;
	gboolean won;
} CreateRace;

static gpointer
create_race_thread(gpointer data)
{
	CreateRace *race = data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *value = g_strdup_printf("owner %u", race->index);
	g_autoptr(GBytes) v = bytes(value);

	race->won = pxf_store_create(race->store, "records", "10.0.0.9", v, &error);
	if (!race->won)
		g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_EXISTS);
	return NULL;
}

static void
test_store_create_race(void)
{
	g_autofree gchar *dir = make_tmpdir();
	CreateRace races[8];
	GThread *threads[8];
	g_autoptr(PxfStore) store = NULL;
	g_autoptr(GBytes) got = NULL;
	guint winners = 0;

	for (guint round = 0; round < 20; round++) {
		g_autofree gchar *expect = NULL;
		store = pxf_store_file_new(dir, NULL);
		pxf_store_remove(store, "records", "10.0.0.9", NULL);
		g_clear_object(&store);
		winners = 0;
		/* separate objects share no lock: only link(2) decides; they are
		 * opened first, as opening cleans up after a crash */
		for (guint i = 0; i < G_N_ELEMENTS(threads); i++) {
			races[i] = (CreateRace){.store = pxf_store_file_new(dir, NULL), .index = i};
			g_assert_nonnull(races[i].store);
		}
		for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
			threads[i] = g_thread_new("create", create_race_thread, &races[i]);
		for (guint i = 0; i < G_N_ELEMENTS(threads); i++) {
			g_thread_join(threads[i]);
			g_object_unref(races[i].store);
			if (races[i].won) {
				winners++;
				g_free(expect);
				expect = g_strdup_printf("owner %u", i);
			}
		}
		g_assert_cmpuint(winners, ==, 1);
		store = pxf_store_file_new(dir, NULL);
		got = pxf_store_get(store, "records", "10.0.0.9", NULL);
		g_assert_true(bytes_is(got, expect));
		g_clear_pointer(&got, g_bytes_unref);
		g_clear_object(&store);
	}
	sim_rm_rf(dir, FALSE);
}

static void
test_store_replace(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, NULL);
	g_autoptr(GBytes) v1 = bytes("one");
	g_autoptr(GBytes) v2 = bytes("two");
	g_autoptr(GBytes) v3 = bytes("three");
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_false(pxf_store_replace(store, "records", "k", v1, v2, &error));
	g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_CONFLICT);
	g_clear_error(&error);

	g_assert_true(pxf_store_put(store, "records", "k", v1, &error));
	g_assert_true(pxf_store_replace(store, "records", "k", v1, v2, &error));
	g_assert_no_error(error);
	/* v1 is stale now */
	g_assert_false(pxf_store_replace(store, "records", "k", v1, v3, &error));
	g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_CONFLICT);
	g_assert_nonnull(strstr(error->message, "records/k"));
	g_clear_error(&error);
	got = pxf_store_get(store, "records", "k", NULL);
	g_assert_true(g_bytes_equal(got, v2));
	sim_rm_rf(dir, FALSE);
}

static void
test_store_invalid_keys(void)
{
	const gchar *bad[] = {"",    ".hidden", "..",	       "a/b", "../etc/passwd",
			      "a b", "key\n",	"caf\xc3\xa9", "*"};
	g_autofree gchar *dir = make_tmpdir();
	g_autofree gchar *long_key = g_strnfill(129, 'k');
	g_autofree gchar *max_key = g_strnfill(128, 'k');
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, NULL);
	g_autoptr(GBytes) v = bytes("x");
	g_autoptr(GError) error = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree gchar *shown = g_strescape(bad[i], NULL);
		g_autofree gchar *quoted = g_strdup_printf("\"%s\"", shown);
		g_autoptr(GBytes) got = NULL;

		g_assert_false(pxf_store_put(store, "hosts", bad[i], v, &error));
		g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED);
		g_assert_nonnull(strstr(error->message, quoted));
		g_clear_error(&error);
		g_assert_false(pxf_store_create(store, "hosts", bad[i], v, &error));
		g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED);
		g_clear_error(&error);
		got = pxf_store_get(store, "hosts", bad[i], &error);
		g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED);
		g_clear_error(&error);
		g_assert_false(pxf_store_remove(store, "hosts", bad[i], &error));
		g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED);
		g_clear_error(&error);
		/* namespaces follow the same rule */
		g_assert_false(pxf_store_put(store, bad[i], "key", v, &error));
		g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED);
		g_assert_nonnull(strstr(error->message, "namespace"));
		g_clear_error(&error);
		g_assert_null(pxf_store_list(store, bad[i], &error));
		g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED);
		g_clear_error(&error);
	}
	g_assert_false(pxf_store_put(store, "hosts", long_key, v, &error));
	g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, "128"));
	g_clear_error(&error);
	g_assert_true(pxf_store_put(store, "hosts", max_key, v, &error));
	g_assert_true(pxf_store_put(store, "hosts", "Ok_key-1.2:3", v, &error));
	g_assert_no_error(error);
	sim_rm_rf(dir, FALSE);
}

static void
test_store_list_corrupt(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autofree gchar *ns_dir = g_build_filename(dir, "hosts", NULL);
	g_autofree gchar *bad = g_build_filename(ns_dir, "bad.json", NULL);
	g_autofree gchar *badname = g_build_filename(ns_dir, "bad name.json", NULL);
	g_autofree gchar *tmp = g_build_filename(ns_dir, ".good.json.tmp-AbC123", NULL);
	g_autofree gchar *other = g_build_filename(ns_dir, "notes.txt", NULL);
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, NULL);
	g_autoptr(GBytes) v = bytes("good");
	g_autoptr(GHashTable) all = NULL;
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(pxf_store_put(store, "hosts", "good", v, &error));
	/* a "record" that cannot be read back: a directory in its place */
	g_assert_cmpint(g_mkdir(bad, 0750), ==, 0);
	g_assert_true(g_file_set_contents(tmp, "half", -1, NULL));
	g_assert_true(g_file_set_contents(other, "x", -1, NULL));

	g_test_expect_message("pxf-store", G_LOG_LEVEL_WARNING, "*bad.json*Is a directory*");
	all = pxf_store_list(store, "hosts", &error);
	g_test_assert_expected_messages();
	g_assert_no_error(error);
	g_assert_cmpuint(g_hash_table_size(all), ==, 1);
	g_assert_true(g_bytes_equal(g_hash_table_lookup(all, "good"), v));
	g_clear_pointer(&all, g_hash_table_unref);

	/* a file whose name is no valid key */
	g_assert_cmpint(g_rmdir(bad), ==, 0);
	g_assert_true(g_file_set_contents(badname, "x", -1, NULL));
	g_test_expect_message("pxf-store", G_LOG_LEVEL_WARNING, "*bad name.json*");
	all = pxf_store_list(store, "hosts", &error);
	g_test_assert_expected_messages();
	g_assert_no_error(error);
	g_assert_cmpuint(g_hash_table_size(all), ==, 1);
	g_assert_cmpint(g_unlink(badname), ==, 0);

	g_assert_cmpint(g_mkdir(bad, 0750), ==, 0);
	got = pxf_store_get(store, "hosts", "bad", &error);
	g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_CORRUPT);
	g_assert_nonnull(strstr(error->message, "bad.json"));
	sim_rm_rf(dir, FALSE);
}

static void
test_store_temp_cleanup(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autofree gchar *ns_dir = g_build_filename(dir, "hosts", NULL);
	g_autofree gchar *tmp1 = g_build_filename(ns_dir, ".k.json.tmp-AbC123", NULL);
	g_autofree gchar *tmp2 = g_build_filename(dir, ".x.tmp-1", NULL);
	g_autofree gchar *keep1 = g_build_filename(ns_dir, "k.json", NULL);
	g_autofree gchar *keep2 = g_build_filename(ns_dir, ".hidden", NULL);
	g_autoptr(PxfStore) store = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(g_mkdir(ns_dir, 0750), ==, 0);
	g_assert_true(g_file_set_contents(tmp1, "partial", -1, NULL));
	g_assert_true(g_file_set_contents(tmp2, "partial", -1, NULL));
	g_assert_true(g_file_set_contents(keep1, "whole", -1, NULL));
	g_assert_true(g_file_set_contents(keep2, "not ours", -1, NULL));
	store = pxf_store_file_new(dir, &error);
	g_assert_no_error(error);
	g_assert_false(g_file_test(tmp1, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(tmp2, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(keep1, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(keep2, G_FILE_TEST_EXISTS));
	sim_rm_rf(dir, FALSE);
}

/* ---- the order of system calls --------------------------------------- */

static gint
find_call(guint from, SimOp op, const gchar *path, const gchar *path2)
{
	for (guint i = from; i < sim.calls->len; i++) {
		SimCall *c = g_ptr_array_index(sim.calls, i);
		if (c->op == op && c->result == 0 && g_strcmp0(c->path, path) == 0 &&
		    (path2 == NULL || g_strcmp0(c->path2, path2) == 0))
			return (gint)i;
	}
	return -1;
}

/* the temporary file of the last write: the first one opened O_EXCL */
static const gchar *
find_temp(void)
{
	for (guint i = 0; i < sim.calls->len; i++) {
		SimCall *c = g_ptr_array_index(sim.calls, i);
		if (c->op == SIM_OPEN && strstr(c->path, ".tmp-") != NULL)
			return c->path;
	}
	return NULL;
}

static void
test_store_sync_order(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autofree gchar *root = sim_key(dir);
	g_autofree gchar *ns_dir = g_build_filename(root, "hosts", NULL);
	g_autofree gchar *target = g_build_filename(ns_dir, "k.json", NULL);
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, NULL);
	g_autoptr(GBytes) v = bytes("a value longer than one short write");
	const gchar *tmp;
	gint i_mkdir, i_root_sync, i_write, i_fsync, i_close, i_pub, i_unlink, i_dir_sync;

	/* put into a new namespace: mkdir, parent synced, then the record */
	sim_begin(dir);
	sim.short_writes = TRUE;
	pxf_store_file_set_ops(PXF_STORE_FILE(store), &sim_file_ops);
	g_assert_true(pxf_store_put(store, "hosts", "k", v, NULL));
	tmp = find_temp();
	g_assert_nonnull(tmp);
	g_assert_true(g_str_has_prefix(tmp, ns_dir));
	g_assert_nonnull(strstr(tmp, "/.k.json.tmp-"));
	i_mkdir = find_call(0, SIM_MKDIR, ns_dir, NULL);
	i_root_sync = find_call(0, SIM_FSYNC, root, NULL);
	i_write = find_call(0, SIM_WRITE, tmp, NULL);
	i_fsync = find_call(0, SIM_FSYNC, tmp, NULL);
	i_close = find_call(0, SIM_CLOSE, tmp, NULL);
	i_pub = find_call(0, SIM_RENAME, tmp, target);
	i_dir_sync = find_call(0, SIM_FSYNC, ns_dir, NULL);
	g_assert_cmpint(i_mkdir, >=, 0);
	g_assert_cmpint(i_mkdir, <, i_root_sync);
	g_assert_cmpint(i_root_sync, <, i_pub);
	g_assert_cmpint(i_write, >=, 0);
	/* every write of the data before its fsync */
	g_assert_cmpint(find_call(i_fsync, SIM_WRITE, tmp, NULL), ==, -1);
	g_assert_cmpint(i_write, <, i_fsync);
	g_assert_cmpint(i_fsync, <, i_close);
	g_assert_cmpint(i_close, <, i_pub);
	g_assert_cmpint(i_pub, <, i_dir_sync);
	sim_end();

	/* create: the fsynced temp file is linked, then unlinked, then the
	 * directory synced */
	sim_begin(dir);
	g_assert_true(pxf_store_create(store, "hosts", "c", v, NULL));
	tmp = find_temp();
	g_assert_nonnull(tmp);
	{
		g_autofree gchar *ctarget = g_build_filename(ns_dir, "c.json", NULL);
		i_fsync = find_call(0, SIM_FSYNC, tmp, NULL);
		i_pub = find_call(0, SIM_LINK, tmp, ctarget);
		i_unlink = find_call(0, SIM_UNLINK, tmp, NULL);
		i_dir_sync = find_call(0, SIM_FSYNC, ns_dir, NULL);
		g_assert_cmpint(i_fsync, >=, 0);
		g_assert_cmpint(i_fsync, <, i_pub);
		g_assert_cmpint(i_pub, <, i_unlink);
		g_assert_cmpint(i_unlink, <, i_dir_sync);
		g_assert_cmpint(find_call(0, SIM_RENAME, tmp, NULL), ==, -1);
	}
	sim_end();

	/* remove: unlink, then the directory synced */
	sim_begin(dir);
	g_assert_true(pxf_store_remove(store, "hosts", "k", NULL));
	i_unlink = find_call(0, SIM_UNLINK, target, NULL);
	i_dir_sync = find_call(0, SIM_FSYNC, ns_dir, NULL);
	g_assert_cmpint(i_unlink, >=, 0);
	g_assert_cmpint(i_unlink, <, i_dir_sync);
	sim_end();
	pxf_store_file_set_ops(PXF_STORE_FILE(store), NULL);
	sim_rm_rf(dir, FALSE);
}

/* ---- crash at every step --------------------------------------------- */

typedef enum {
	CRASH_PUT,
	CRASH_CREATE,
	CRASH_REPLACE,
	CRASH_REMOVE,
} CrashOp;

typedef struct {
	const gchar *name;
	CrashOp op;
	gboolean ns_exists;  /* else the write creates the namespace */
	const gchar *before; /* NULL: no record before */
	const gchar *value;  /* what the operation writes */
	gboolean short_writes;
} CrashCase;

/* What the record may hold after the power loss: the value from before, or
 * the value after; and only the value after if the call said it was done. */
static const gchar *
crash_case_after(const CrashCase *cc)
{
	if (cc->op == CRASH_REMOVE)
		return NULL;
	if (cc->op == CRASH_CREATE && cc->before != NULL)
		return cc->before; /* EXISTS: nothing may change */
	return cc->value;
}

static const gchar *
crash_describe(GBytes *got, const CrashCase *cc)
{
	if (got == NULL)
		return "missing";
	if (g_bytes_get_size(got) == 0)
		return "empty";
	if (bytes_is(got, cc->before))
		return "the old value";
	if (bytes_is(got, crash_case_after(cc)))
		return "the new value";
	return "a different value";
}

/* Runs cc with a crash after step crash_after (-1: none), a power loss
 * and a re-open; returns a description of what was lost, or NULL.
 * *new_seen is set when the record ended with the value after. */
static gchar *
crash_run(const CrashCase *cc,
	  gint crash_after,
	  SimLossModel model,
	  gboolean lie_file,
	  gboolean lie_dir,
	  guint *steps,
	  gboolean *new_seen)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autofree gchar *ns_dir = g_build_filename(dir, "ns", NULL);
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, NULL);
	g_autoptr(GBytes) value = bytes(cc->value != NULL ? cc->value : "");
	g_autoptr(GBytes) before = cc->before != NULL ? bytes(cc->before) : NULL;
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GBytes) neighbour = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *after = crash_case_after(cc);
	gchar *problem = NULL;
	gboolean acked = FALSE;

	/* the starting state, written for real: durable */
	if (cc->ns_exists)
		g_assert_true(pxf_store_put(store, "ns", "neighbour", value, NULL));
	if (before != NULL)
		g_assert_true(pxf_store_put(store, "ns", "k", before, NULL));
	g_clear_object(&store);
	store = pxf_store_file_new(dir, NULL);

	sim_begin(dir);
	sim.crash_after = crash_after;
	sim.lie_file_fsync = lie_file;
	sim.lie_dir_fsync = lie_dir;
	sim.short_writes = cc->short_writes;
	pxf_store_file_set_ops(PXF_STORE_FILE(store), &sim_file_ops);
	switch (cc->op) {
	case CRASH_PUT:
		acked = pxf_store_put(store, "ns", "k", value, &error);
		break;
	case CRASH_CREATE:
		acked = pxf_store_create(store, "ns", "k", value, &error);
		break;
	case CRASH_REPLACE:
		acked = pxf_store_replace(store, "ns", "k", before, value, &error);
		break;
	case CRASH_REMOVE:
		acked = pxf_store_remove(store, "ns", "k", &error);
		break;
	default:
		g_assert_not_reached();
	}
	if (crash_after < 0 && !(cc->op == CRASH_CREATE && cc->before != NULL))
		g_assert_no_error(error);
	*steps = sim.steps;
	g_clear_object(&store);
	sim_power_loss(model);
	sim_end();

	/* reboot */
	g_clear_error(&error);
	store = pxf_store_file_new(dir, &error);
	g_assert_no_error(error);
	got = pxf_store_get(store, "ns", "k", &error);
	if (got == NULL && !g_error_matches(error, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND)) {
		problem = g_strdup_printf("record unreadable: %s", error->message);
	} else if (acked && !bytes_is(got, after)) {
		problem = g_strdup_printf("acknowledged result lost: record is %s",
					  crash_describe(got, cc));
	} else if (!bytes_is(got, after) && !bytes_is(got, cc->before)) {
		problem = g_strdup_printf("record is %s", crash_describe(got, cc));
	} else if (g_file_test(ns_dir, G_FILE_TEST_IS_DIR) && count_temp_files(ns_dir) > 0) {
		problem = g_strdup("temporary files left after re-open");
	}
	*new_seen = bytes_is(got, after) && !bytes_is(got, cc->before);
	if (problem == NULL && cc->ns_exists) {
		neighbour = pxf_store_get(store, "ns", "neighbour", NULL);
		if (neighbour == NULL || !g_bytes_equal(neighbour, value))
			problem = g_strdup("another record of the namespace was damaged");
	}
	g_clear_object(&store);
	sim_rm_rf(dir, FALSE);
	return problem;
}

/* Crashes after every step, under both loss models; returns every
 * violation found, one per line. */
static GString *
crash_every_step(const CrashCase *cc, gboolean lie_file, gboolean lie_dir)
{
	GString *found = g_string_new(NULL);
	guint total = 0;
	guint steps = 0;
	guint old_seen = 0;
	guint new_seen = 0;
	gboolean is_new = FALSE;
	g_autofree gchar *clean =
		crash_run(cc, -1, SIM_LOSE_UNSYNCED_ENTRIES, lie_file, lie_dir, &total, &is_new);

	if (clean != NULL)
		g_string_append_printf(found, "%s, no crash: %s\n", cc->name, clean);
	g_assert_cmpuint(total, >, 0);
	for (guint n = 0; n <= total; n++) {
		for (SimLossModel m = SIM_LOSE_UNSYNCED_ENTRIES; m <= SIM_KEEP_UNSYNCED_ENTRIES;
		     m++) {
			g_autofree gchar *p =
				crash_run(cc, (gint)n, m, lie_file, lie_dir, &steps, &is_new);
			if (is_new)
				new_seen++;
			else
				old_seen++;
			if (p != NULL)
				g_string_append_printf(
					found, "%s, crash after step %u of %u (%s): %s\n", cc->name,
					n, total,
					m == SIM_LOSE_UNSYNCED_ENTRIES ? "unsynced entries lost"
								       : "unsynced entries kept",
					p);
		}
	}
	/* the crash points cut the operation both before and after it took
	 * effect (but a create that must fail never takes effect) */
	if (old_seen == 0)
		g_string_append_printf(found, "%s: no crash point kept the old value\n", cc->name);
	if (new_seen == 0 && !(cc->op == CRASH_CREATE && cc->before != NULL))
		g_string_append_printf(found, "%s: the new value never survived\n", cc->name);
	return found;
}

static const CrashCase crash_cases[] = {
	{"put over a record", CRASH_PUT, TRUE, "{\"old\": true}",
	 "{\"new\": true, \"pad\": \"xxxxxxxxxx\"}", TRUE},
	{"put of a new record", CRASH_PUT, TRUE, NULL, "{\"new\": true}", FALSE},
	{"put into a new namespace", CRASH_PUT, FALSE, NULL, "{\"new\": true}", FALSE},
	{"create", CRASH_CREATE, TRUE, NULL, "{\"lease\": \"10.0.0.5\"}", TRUE},
	{"create in a new namespace", CRASH_CREATE, FALSE, NULL, "{\"lease\": 1}", FALSE},
	{"create of an existing record", CRASH_CREATE, TRUE, "{\"old\": 1}", "{\"new\": 2}", FALSE},
	{"replace", CRASH_REPLACE, TRUE, "{\"old\": 1}", "{\"new\": 2}", TRUE},
	{"remove", CRASH_REMOVE, TRUE, "{\"old\": 1}", NULL, FALSE},
};

static void
test_store_crash(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(crash_cases); i++) {
		g_autoptr(GString) found = crash_every_step(&crash_cases[i], FALSE, FALSE);
		if (found->len > 0) {
			g_test_message("data lost:\n%s", found->str);
			g_test_fail();
		}
	}
}

/* The same checks against a disk that skips fsync must find loss, or
 * the crash test above could not fail. */
static void
test_store_crash_detects_loss(void)
{
	const CrashCase *over = &crash_cases[0];
	const CrashCase *create = &crash_cases[3];
	const CrashCase *remove = &crash_cases[7];
	g_autoptr(GString) no_file_sync = crash_every_step(over, TRUE, FALSE);
	g_autoptr(GString) no_dir_sync = crash_every_step(over, FALSE, TRUE);
	g_autoptr(GString) no_sync_create = crash_every_step(create, TRUE, FALSE);
	g_autoptr(GString) no_sync_remove = crash_every_step(remove, FALSE, TRUE);

	g_test_message("without file fsync:\n%s", no_file_sync->str);
	/* the renamed file's data never reached the disk: empty record */
	g_assert_nonnull(strstr(no_file_sync->str, "record is empty"));
	g_assert_nonnull(strstr(no_file_sync->str, "acknowledged result lost"));
	g_test_message("without directory fsync:\n%s", no_dir_sync->str);
	/* the rename never reached the disk: an acknowledged write undone */
	g_assert_nonnull(strstr(no_dir_sync->str, "acknowledged result lost"));
	g_assert_nonnull(strstr(no_sync_create->str, "acknowledged result lost"));
	g_assert_nonnull(strstr(no_sync_remove->str, "acknowledged result lost"));
}

int
main(int argc, char **argv)
{
	umask(022);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/store/roundtrip", test_store_roundtrip);
	g_test_add_func("/core/store/create-exists", test_store_create_exists);
	g_test_add_func("/core/store/create-race", test_store_create_race);
	g_test_add_func("/core/store/replace", test_store_replace);
	g_test_add_func("/core/store/invalid-keys", test_store_invalid_keys);
	g_test_add_func("/core/store/list-corrupt", test_store_list_corrupt);
	g_test_add_func("/core/store/temp-cleanup", test_store_temp_cleanup);
	g_test_add_func("/core/store/sync-order", test_store_sync_order);
	g_test_add_func("/core/store/crash", test_store_crash);
	g_test_add_func("/core/store/crash-detects-loss", test_store_crash_detects_loss);
	return g_test_run();
}
