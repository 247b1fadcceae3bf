/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-test-store-journal"

/* The journaled namespaces of the file store: batches are all or nothing
 * across a crash at any step of append, sync, compaction (snapshot write,
 * rename, journal reset) and migration, torn last records are ignored, and
 * an acknowledged batch is never lost. */

#include "pxf-store-journal.h"
#include "pxf-store-sim.h"
#include "pxf-store.h"

static gchar *
make_tmpdir(void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp("pxf-journal-XXXXXX", &error);
	g_assert_no_error(error);
	return dir;
}

/* A batch from "k=v k2=v2 k3=-" (- removes). */
static GHashTable *
batch(const gchar *spec)
{
	GHashTable *changes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						    (GDestroyNotify)g_bytes_unref);
	g_auto(GStrv) items = g_strsplit(spec, " ", -1);
	for (guint i = 0; items[i] != NULL; i++) {
		g_auto(GStrv) kv = g_strsplit(items[i], "=", 2);
		g_hash_table_insert(changes, g_strdup(kv[0]),
				    g_strcmp0(kv[1], "-") == 0 ? NULL
							       : g_bytes_new(kv[1], strlen(kv[1])));
	}
	return changes;
}

/* The content as "k=v ..." sorted, for comparing whole states. */
static gchar *
describe(GHashTable *table)
{
	g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(table), (GCompareFunc)g_strcmp0);
	GString *out = g_string_new(NULL);
	for (GList *l = keys; l != NULL; l = l->next) {
		GBytes *v = g_hash_table_lookup(table, l->data);
		g_string_append_printf(out, "%s%s=%.*s", out->len > 0 ? " " : "",
				       (const gchar *)l->data, (int)g_bytes_get_size(v),
				       (const gchar *)g_bytes_get_data(v, NULL));
	}
	return g_string_free(out, FALSE);
}

static gchar *
read_state(const gchar *dir)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, &error);
	g_autoptr(GHashTable) table = NULL;

	g_assert_no_error(error);
	table = pxf_store_list(store, "leases", &error);
	if (table == NULL)
		return g_strdup_printf("unreadable: %s", error->message);
	return describe(table);
}

/* ---- crash at every step of two commits and a compaction --------------- */

#define STATE_0 "a=1 b=1"
#define STATE_1 "a=2 b=1 c=1"
#define STATE_2 "a=2 c=1 d=1"

typedef struct {
	gboolean lie_file;
	gboolean lie_dir;
	gboolean migrate; /* start from the old one-file-per-record layout */
} CrashSetup;

/* Returns what is wrong after a crash after step crash_after, or NULL. */
static gchar *
crash_run(const CrashSetup *cs,
	  gint crash_after,
	  SimLossModel model,
	  guint *steps,
	  guint *seen) /* bit n: state n was found */
{
	g_autofree gchar *dir = make_tmpdir();
	g_autoptr(PxfStore) store = NULL;
	g_autoptr(GHashTable) b1 = batch("a=2 c=1");
	g_autoptr(GHashTable) b2 = batch("b=- d=1");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *state = NULL;
	gboolean acked1 = FALSE;
	gboolean acked2 = FALSE;
	gchar *problem = NULL;

	/* the starting state, written for real: durable */
	if (cs->migrate) {
		g_autofree gchar *ns = g_build_filename(dir, "leases", NULL);
		g_autofree gchar *a = g_build_filename(ns, "a.json", NULL);
		g_autofree gchar *b = g_build_filename(ns, "b.json", NULL);
		g_assert_cmpint(g_mkdir(ns, 0750), ==, 0);
		g_assert_true(g_file_set_contents(a, "1", 1, NULL));
		g_assert_true(g_file_set_contents(b, "1", 1, NULL));
		sync();
	} else {
		g_autoptr(GHashTable) b0 = batch("a=1 b=1");
		store = pxf_store_file_new(dir, NULL);
		g_assert_true(pxf_store_commit(store, "leases", b0, NULL));
		g_clear_object(&store);
	}
	store = pxf_store_file_new(dir, NULL);

	sim_begin(dir);
	sim.crash_after = crash_after;
	sim.lie_file_fsync = cs->lie_file;
	sim.lie_dir_fsync = cs->lie_dir;
	pxf_store_file_set_ops(PXF_STORE_FILE(store), &sim_file_ops);
	{
		PxfStoreJournal *journal =
			pxf_store_file_get_journal(PXF_STORE_FILE(store), "leases", NULL);
		/* every commit after the first compacts first */
		if (journal != NULL)
			pxf_store_journal_set_compact_size(journal, 1);
	}
	acked1 = pxf_store_commit(store, "leases", b1, NULL);
	if (acked1)
		acked2 = pxf_store_commit(store, "leases", b2, &error);
	if (crash_after < 0)
		g_assert_no_error(error);
	*steps = sim.steps;
	g_clear_object(&store);
	sim_power_loss(model);
	sim_end();

	/* reboot */
	state = read_state(dir);
	if (g_strcmp0(state, STATE_0) == 0)
		*seen |= 1;
	else if (g_strcmp0(state, STATE_1) == 0)
		*seen |= 2;
	else if (g_strcmp0(state, STATE_2) == 0)
		*seen |= 4;
	else
		problem = g_strdup_printf("a state no batch boundary had: \"%s\"", state);
	if (problem == NULL && acked2 && g_strcmp0(state, STATE_2) != 0)
		problem = g_strdup_printf("acknowledged batch 2 lost: \"%s\"", state);
	else if (problem == NULL && acked1 && g_strcmp0(state, STATE_0) == 0)
		problem = g_strdup_printf("acknowledged batch 1 lost: \"%s\"", state);
	else if (problem == NULL && count_temp_files(dir) > 0)
		problem = g_strdup("temporary files left after re-open");
	/* a second reboot sees the same: the first one left a sound journal */
	if (problem == NULL) {
		g_autofree gchar *again = read_state(dir);
		if (g_strcmp0(again, state) != 0)
			problem = g_strdup_printf("changed on the second open: \"%s\"", again);
	}
	sim_rm_rf(dir, FALSE);
	return problem;
}

static GString *
crash_every_step(const CrashSetup *cs, guint *seen)
{
	GString *found = g_string_new(NULL);
	guint total = 0;
	guint steps = 0;
	g_autofree gchar *clean = crash_run(cs, -1, SIM_LOSE_UNSYNCED_ENTRIES, &total, seen);

	if (clean != NULL)
		g_string_append_printf(found, "no crash: %s\n", clean);
	g_assert_cmpuint(total, >, 10);
	for (guint n = 0; n <= total; n++) {
		for (SimLossModel m = SIM_LOSE_UNSYNCED_ENTRIES; m <= SIM_KEEP_UNSYNCED_ENTRIES;
		     m++) {
			g_autofree gchar *p = crash_run(cs, (gint)n, m, &steps, seen);
			if (p != NULL)
				g_string_append_printf(
					found, "crash after step %u of %u (%s): %s\n", n, total,
					m == SIM_LOSE_UNSYNCED_ENTRIES ? "entries lost"
								       : "entries kept",
					p);
		}
	}
	return found;
}

static void
test_journal_crash(void)
{
	const CrashSetup cs = {FALSE, FALSE, FALSE};
	guint seen = 0;
	g_autoptr(GString) found = crash_every_step(&cs, &seen);

	g_assert_cmpstr(found->str, ==, "");
	/* the crash points cut before, between and after the batches */
	g_assert_cmphex(seen, ==, 7);
}

/* The old layout becomes a snapshot; a crash anywhere in the move (or in
 * the commits after it) loses nothing. */
static void
test_journal_crash_migration(void)
{
	const CrashSetup cs = {FALSE, FALSE, TRUE};
	guint seen = 0;
	g_autoptr(GString) found = crash_every_step(&cs, &seen);

	g_assert_cmpstr(found->str, ==, "");
	g_assert_cmphex(seen, ==, 7);
}

/* A disk that lies about fsync loses acknowledged batches: proof that the
 * test above can see a loss. */
static void
test_journal_crash_detects_loss(void)
{
	const CrashSetup no_file_sync = {TRUE, FALSE, FALSE};
	const CrashSetup no_dir_sync = {FALSE, TRUE, FALSE};
	guint seen = 0;
	g_autoptr(GString) a = crash_every_step(&no_file_sync, &seen);
	g_autoptr(GString) b = crash_every_step(&no_dir_sync, &seen);

	g_assert_nonnull(strstr(a->str, "lost"));
	g_assert_cmpstr(b->str, !=, "");
}

/* ---- torn records ---------------------------------------------------- */

static void
append(const gchar *path, const guint8 *data, gsize len)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(write(fd, data, len), ==, (gssize)len);
	close(fd);
}

static void
test_journal_torn(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autofree gchar *journal = g_build_filename(dir, "leases.journal", NULL);
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, NULL);
	g_autoptr(GHashTable) b1 = batch("a=1 b=1");
	g_autoptr(GHashTable) b2 = batch("a=2");
	g_autoptr(GHashTable) b3 = batch("c=3");
	g_autofree gchar *state = NULL;
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	/* a record header promising 100 bytes, and 10 of them */
	const guint8 torn[] = {100, 0, 0, 0, 1, 2, 3, 4, 1, 1, 0, 'x', 0, 0, 0, 0, 0, 0};

	g_assert_true(pxf_store_commit(store, "leases", b1, NULL));
	g_assert_true(pxf_store_commit(store, "leases", b2, NULL));
	g_clear_object(&store);
	append(journal, torn, sizeof(torn));
	g_test_expect_message("pxf-store", G_LOG_LEVEL_WARNING, "*leases.journal*incomplete*");
	state = read_state(dir);
	g_test_assert_expected_messages();
	g_assert_cmpstr(state, ==, "a=2 b=1");

	/* the next commits do not land behind the torn bytes */
	store = pxf_store_file_new(dir, NULL);
	g_assert_true(pxf_store_commit(store, "leases", b3, NULL));
	g_clear_object(&store);
	g_clear_pointer(&state, g_free);
	state = read_state(dir);
	g_assert_cmpstr(state, ==, "a=2 b=1 c=3");

	/* a complete record whose checksum fails is the same */
	g_assert_true(g_file_get_contents(journal, &contents, &len, NULL));
	g_assert_cmpuint(len, >, 20);
	contents[len - 1] ^= 0x55;
	g_assert_true(g_file_set_contents(journal, contents, (gssize)len, NULL));
	g_test_expect_message("pxf-store", G_LOG_LEVEL_WARNING, "*leases.journal*incomplete*");
	g_clear_pointer(&state, g_free);
	state = read_state(dir);
	g_test_assert_expected_messages();
	g_assert_cmpstr(state, ==, "a=2 b=1");
	sim_rm_rf(dir, FALSE);
}

/* The old layout is read, written as the first snapshot and removed. */
static void
test_journal_migration(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autofree gchar *ns = g_build_filename(dir, "leases", NULL);
	g_autofree gchar *snapshot = g_build_filename(dir, "leases.snapshot", NULL);
	g_autoptr(PxfStore) store = NULL;
	g_autoptr(GHashTable) table = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(g_mkdir(ns, 0750), ==, 0);
	for (guint i = 1; i <= 50; i++) {
		g_autofree gchar *path = g_strdup_printf("%s/10.0.0.%u.json", ns, i);
		g_autofree gchar *json = g_strdup_printf(
			"{\"format\":1,\"state\":\"bound\",\"mac\":\"52:54:00:00:00:%02x\","
			"\"expires\":2000000000,\"updated\":1700000000}",
			i);
		g_assert_true(g_file_set_contents(path, json, -1, NULL));
	}
	/* the old store's leftover temporary file is not a record */
	{
		g_autofree gchar *tmp = g_build_filename(ns, ".10.0.0.9.json.tmp-123", NULL);
		g_assert_true(g_file_set_contents(tmp, "{", -1, NULL));
	}
	store = pxf_store_file_new(dir, &error);
	g_assert_no_error(error);
	table = pxf_store_list(store, "leases", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_hash_table_size(table), ==, 50);
	g_assert_nonnull(strstr(g_bytes_get_data(g_hash_table_lookup(table, "10.0.0.7"), NULL),
				"52:54:00:00:00:07"));
	g_assert_true(g_file_test(snapshot, G_FILE_TEST_IS_REGULAR));
	g_assert_false(g_file_test(ns, G_FILE_TEST_EXISTS));
	g_clear_object(&store);
	g_clear_pointer(&table, g_hash_table_unref);
	store = pxf_store_file_new(dir, &error);
	table = pxf_store_list(store, "leases", &error);
	g_assert_cmpuint(g_hash_table_size(table), ==, 50);
	sim_rm_rf(dir, FALSE);
}

/* One commit of many changes: one write, one fdatasync. */
static void
test_journal_one_sync(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, NULL);
	g_autoptr(GHashTable) changes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							      (GDestroyNotify)g_bytes_unref);
	guint writes = 0;
	guint syncs = 0;

	g_assert_nonnull(pxf_store_file_get_journal(PXF_STORE_FILE(store), "leases", NULL));
	for (guint i = 0; i < 500; i++)
		g_hash_table_insert(changes, g_strdup_printf("10.0.%u.%u", i / 250, i % 250),
				    g_bytes_new_static("{\"state\":\"bound\"}", 17));
	sim_begin(dir);
	pxf_store_file_set_ops(PXF_STORE_FILE(store), &sim_file_ops);
	g_assert_true(pxf_store_commit(store, "leases", changes, NULL));
	for (guint i = 0; i < sim.calls->len; i++) {
		SimCall *call = g_ptr_array_index(sim.calls, i);
		writes += call->op == SIM_WRITE;
		syncs += call->op == SIM_FSYNC;
	}
	g_assert_cmpuint(writes, ==, 1);
	g_assert_cmpuint(syncs, ==, 1);
	g_clear_object(&store);
	sim_end();
	sim_rm_rf(dir, FALSE);
}

static void
test_journal_crc32(void)
{
	/* the check value of CRC-32/ISO-HDLC */
	g_assert_cmphex(pxf_store_crc32((const guint8 *)"123456789", 9), ==, 0xcbf43926);
	g_assert_cmphex(pxf_store_crc32(NULL, 0), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/store-journal/crc32", test_journal_crc32);
	g_test_add_func("/core/store-journal/one-sync", test_journal_one_sync);
	g_test_add_func("/core/store-journal/torn", test_journal_torn);
	g_test_add_func("/core/store-journal/migration", test_journal_migration);
	g_test_add_func("/core/store-journal/crash", test_journal_crash);
	g_test_add_func("/core/store-journal/crash-migration", test_journal_crash_migration);
	g_test_add_func("/core/store-journal/crash-detects-loss", test_journal_crash_detects_loss);
	return g_test_run();
}
