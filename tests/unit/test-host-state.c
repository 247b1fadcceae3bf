/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-test-host-state"

#include <string.h>

#include <glib/gstdio.h>

#include "pxf-host-state.h"
#include "pxf-test-paths.h"

#define MAC "52:54:00:12:34:56"

/* ---- an in-memory store that can be told to fail ---------------------- */

/* A second PxfStore implementation: proves host state only uses the
 * interface, and lets a test make persisting fail. */
#define TEST_TYPE_MEM_STORE (test_mem_store_get_type())
G_DECLARE_FINAL_TYPE(TestMemStore, test_mem_store, TEST, MEM_STORE, GObject)

struct _TestMemStore {
	GObject parent_instance;
	GHashTable *records; /* "ns/key" → GBytes */
	gboolean fail_writes;
	guint puts;
};

static void test_mem_store_iface_init(PxfStoreInterface *iface);
G_DEFINE_TYPE_WITH_CODE(TestMemStore,
			test_mem_store,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(PXF_TYPE_STORE, test_mem_store_iface_init))

static GBytes *
test_mem_store_get(PxfStore *store, const gchar *ns, const gchar *key, GError **error)
{
	TestMemStore *self = TEST_MEM_STORE(store);
	g_autofree gchar *id = g_strdup_printf("%s/%s", ns, key);
	GBytes *value = g_hash_table_lookup(self->records, id);
	if (value == NULL) {
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND, "no %s", id);
		return NULL;
	}
	return g_bytes_ref(value);
}

static gboolean
test_mem_store_put(
	PxfStore *store, const gchar *ns, const gchar *key, GBytes *value, GError **error)
{
	TestMemStore *self = TEST_MEM_STORE(store);
	if (self->fail_writes) {
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED, "disk full");
		return FALSE;
	}
	self->puts++;
	g_hash_table_replace(self->records, g_strdup_printf("%s/%s", ns, key), g_bytes_ref(value));
	return TRUE;
}

static GHashTable *
test_mem_store_list(PxfStore *store, const gchar *ns, GError **error)
{
	TestMemStore *self = TEST_MEM_STORE(store);
	g_autofree gchar *prefix = g_strdup_printf("%s/", ns);
	GHashTable *out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						(GDestroyNotify)g_bytes_unref);
	GHashTableIter iter;
	gpointer key, value;

	g_hash_table_iter_init(&iter, self->records);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		if (g_str_has_prefix(key, prefix))
			g_hash_table_insert(out, g_strdup((const gchar *)key + strlen(prefix)),
					    g_bytes_ref(value));
	}
	return out;
}

static void
test_mem_store_iface_init(PxfStoreInterface *iface)
{
	iface->get = test_mem_store_get;
	iface->put = test_mem_store_put;
	iface->list = test_mem_store_list;
}

static void
test_mem_store_finalize(GObject *object)
{
	g_hash_table_unref(TEST_MEM_STORE(object)->records);
	G_OBJECT_CLASS(test_mem_store_parent_class)->finalize(object);
}

static void
test_mem_store_class_init(TestMemStoreClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = test_mem_store_finalize;
}

static void
test_mem_store_init(TestMemStore *self)
{
	self->records = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)g_bytes_unref);
}

/* ---- helpers --------------------------------------------------------- */

static void
rm_rf(const gchar *path)
{
	GStatBuf st;
	if (g_lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
		const gchar *name;
		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			g_autofree gchar *child = g_build_filename(path, name, NULL);
			rm_rf(child);
		}
		g_rmdir(path);
	} else {
		g_unlink(path);
	}
}

static gchar *
make_tmpdir(void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp("pxf-host-state-XXXXXX", &error);
	g_assert_no_error(error);
	return dir;
}

static GBytes *
fixture(const gchar *name)
{
	g_autofree gchar *path = pxf_test_build_filename("tests", "data", "state", name, NULL);
	g_autoptr(GError) error = NULL;
	gchar *data = NULL;
	gsize len = 0;

	g_assert_true(g_file_get_contents(path, &data, &len, &error));
	g_assert_no_error(error);
	return g_bytes_new_take(data, len);
}

/* A store holding the named fixture as the record of MAC. */
static PxfStore *
store_with_fixture(const gchar *dir, const gchar *name)
{
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, NULL);
	g_autoptr(GBytes) b = fixture(name);
	g_assert_true(pxf_store_put(store, "hosts", MAC, b, NULL));
	return g_steal_pointer(&store);
}

typedef struct {
	guint calls;
	PxfStore *store;
	PxfHostStates *states;
	gchar *mac;
	PxfHostState old_state;
	PxfHostState new_state;
	gchar *reason;
} NotifyLog;

static void
notify_cb(const gchar *mac,
	  PxfHostState old_state,
	  PxfHostState new_state,
	  const gchar *reason,
	  gpointer user_data)
{
	NotifyLog *log = user_data;
	g_autoptr(GBytes) stored = NULL;
	g_autoptr(PxfHostStateRecord) rec = NULL;

	log->calls++;
	g_free(log->mac);
	log->mac = g_strdup(mac);
	log->old_state = old_state;
	log->new_state = new_state;
	g_free(log->reason);
	log->reason = g_strdup(reason);

	/* by now the change is on disk and in memory */
	stored = pxf_store_get(log->store, "hosts", mac, NULL);
	g_assert_nonnull(stored);
	rec = pxf_host_state_record_from_bytes(stored, NULL);
	g_assert_nonnull(rec);
	g_assert_cmpint(rec->state, ==, new_state);
	g_assert_cmpint(pxf_host_states_get(log->states, mac)->state, ==, new_state);
}

/* ---- tests ----------------------------------------------------------- */

/* A move with whatever cause may make it (a plugin, else the operator), for
 * the tests about storage rather than about who may move a host. */
static gboolean
set_state(PxfHostStates *states,
	  const gchar *mac,
	  PxfHostState state,
	  const gchar *reason,
	  GError **error)
{
	const PxfHostStateRecord *rec = pxf_host_states_get(states, mac);
	PxfHostState from = rec != NULL ? rec->state : PXF_HOST_STATE_UNKNOWN;
	PxfHostCause cause =
		pxf_host_state_transition_allowed_by(from, state, PXF_HOST_CAUSE_PLUGIN)
			? PXF_HOST_CAUSE_PLUGIN
			: PXF_HOST_CAUSE_OPERATOR;
	return pxf_host_states_set(states, mac, state, cause, reason, error);
}

#define N_STATES  (PXF_HOST_STATE_FAILED + 1)
#define N_CAUSES  (PXF_HOST_CAUSE_PLUGIN + 1)
#define BY(cause) (1u << PXF_HOST_CAUSE_##cause)
#define CLIENT	  BY(CLIENT)
#define REPORT	  BY(REPORT)
#define TIMEOUT	  BY(TIMEOUT)
#define OPERATOR  BY(OPERATOR)

static const gchar *const state_names[] = {"unknown",	 "discovered", "booting",
					   "installing", "installed",  "failed"};

/* docs/lifecycle.md's table, written out again: [from][to] → who may. A
 * plugin on its own authority may make every move but the operator's. */
static const guint lifecycle_table[N_STATES][N_STATES] = {
	[PXF_HOST_STATE_UNKNOWN] =
		{[PXF_HOST_STATE_DISCOVERED] = CLIENT, [PXF_HOST_STATE_BOOTING] = OPERATOR},
	[PXF_HOST_STATE_DISCOVERED] = {[PXF_HOST_STATE_BOOTING] = CLIENT | OPERATOR},
	[PXF_HOST_STATE_BOOTING] =
		{[PXF_HOST_STATE_INSTALLING] = CLIENT, [PXF_HOST_STATE_FAILED] = REPORT | TIMEOUT},
	[PXF_HOST_STATE_INSTALLING] =
		{[PXF_HOST_STATE_INSTALLED] = REPORT, [PXF_HOST_STATE_FAILED] = REPORT | TIMEOUT},
	[PXF_HOST_STATE_INSTALLED] = {[PXF_HOST_STATE_BOOTING] = OPERATOR},
	[PXF_HOST_STATE_FAILED] = {[PXF_HOST_STATE_BOOTING] = CLIENT | OPERATOR},
};

static gboolean
lifecycle_expected(PxfHostState from, PxfHostState to, PxfHostCause cause)
{
	guint mask = lifecycle_table[from][to];
	if (cause == PXF_HOST_CAUSE_PLUGIN)
		return (mask & (CLIENT | REPORT | TIMEOUT)) != 0;
	return (mask & (1u << cause)) != 0;
}

/* A fresh table with MAC in state, reached by allowed moves. */
static PxfHostStates *
states_at(TestMemStore *mem, PxfHostState state)
{
	static const struct {
		PxfHostState state;
		PxfHostCause cause;
	} path[N_STATES][4] = {
		[PXF_HOST_STATE_DISCOVERED] = {{PXF_HOST_STATE_DISCOVERED, PXF_HOST_CAUSE_CLIENT}},
		[PXF_HOST_STATE_BOOTING] = {{PXF_HOST_STATE_DISCOVERED, PXF_HOST_CAUSE_CLIENT},
					    {PXF_HOST_STATE_BOOTING, PXF_HOST_CAUSE_CLIENT}},
		[PXF_HOST_STATE_INSTALLING] = {{PXF_HOST_STATE_DISCOVERED, PXF_HOST_CAUSE_CLIENT},
					       {PXF_HOST_STATE_BOOTING, PXF_HOST_CAUSE_CLIENT},
					       {PXF_HOST_STATE_INSTALLING, PXF_HOST_CAUSE_CLIENT}},
		[PXF_HOST_STATE_INSTALLED] = {{PXF_HOST_STATE_DISCOVERED, PXF_HOST_CAUSE_CLIENT},
					      {PXF_HOST_STATE_BOOTING, PXF_HOST_CAUSE_CLIENT},
					      {PXF_HOST_STATE_INSTALLING, PXF_HOST_CAUSE_CLIENT},
					      {PXF_HOST_STATE_INSTALLED, PXF_HOST_CAUSE_REPORT}},
		[PXF_HOST_STATE_FAILED] = {{PXF_HOST_STATE_DISCOVERED, PXF_HOST_CAUSE_CLIENT},
					   {PXF_HOST_STATE_BOOTING, PXF_HOST_CAUSE_CLIENT},
					   {PXF_HOST_STATE_FAILED, PXF_HOST_CAUSE_TIMEOUT}},
	};
	PxfHostStates *states = pxf_host_states_new(PXF_STORE(mem));

	g_hash_table_remove_all(mem->records);
	for (guint i = 0; i < G_N_ELEMENTS(path[state]) && path[state][i].state != 0; i++) {
		g_autoptr(GError) error = NULL;
		g_assert_true(pxf_host_states_set(states, MAC, path[state][i].state,
						  path[state][i].cause, "setup", &error));
		g_assert_no_error(error);
	}
	g_assert_cmpint(pxf_host_states_get(states, MAC) != NULL
				? pxf_host_states_get(states, MAC)->state
				: PXF_HOST_STATE_UNKNOWN,
			==, state);
	mem->puts = 0;
	return states;
}

/* Every pair of states with every cause: the allowed moves happen, every
 * other one is refused and leaves state, store and listeners alone. */
static void
test_host_state_causes(void)
{
	g_autoptr(TestMemStore) mem = g_object_new(TEST_TYPE_MEM_STORE, NULL);
	guint refused = 0;
	guint never = 0;

	for (guint from = 0; from < N_STATES; from++) {
		for (guint to = 0; to < N_STATES; to++) {
			gboolean any = FALSE;

			if (from == to)
				continue;
			for (guint cause = 0; cause < N_CAUSES; cause++) {
				g_autoptr(PxfHostStates) states = states_at(mem, from);
				g_autoptr(GError) error = NULL;
				gboolean want = lifecycle_expected(from, to, cause);
				gboolean got;

				g_test_message("%s → %s by %s: %s", state_names[from],
					       state_names[to], pxf_host_cause_to_string(cause),
					       want ? "allowed" : "refused");
				g_assert_cmpint(
					pxf_host_state_transition_allowed_by(from, to, cause), ==,
					want);
				got = pxf_host_states_set(states, MAC, to, cause, "test", &error);
				g_assert_cmpint(got, ==, want);
				any |= want;
				if (want) {
					g_assert_no_error(error);
					g_assert_cmpint(pxf_host_states_get(states, MAC)->state, ==,
							to);
					continue;
				}
				refused++;
				g_assert_error(error, PXF_HOST_STATE_ERROR,
					       PXF_HOST_STATE_ERROR_TRANSITION);
				g_assert_nonnull(strstr(error->message, MAC));
				g_assert_nonnull(
					strstr(error->message, pxf_host_cause_to_string(cause)));
				g_assert_cmpuint(mem->puts, ==, 0);
				if (from == PXF_HOST_STATE_UNKNOWN)
					g_assert_null(pxf_host_states_get(states, MAC));
				else
					g_assert_cmpint(pxf_host_states_get(states, MAC)->state, ==,
							from);
			}
			g_assert_cmpint(pxf_host_state_transition_allowed(from, to), ==, any);
			if (!any)
				never++;
		}
	}
	/* of 30 pairs, 9 are moves (13 by their causes, 7 of them a plugin's
	 * too) and 21 are moves nobody may make */
	g_assert_cmpuint(never, ==, 21);
	g_assert_cmpuint(refused, ==, 30 * N_CAUSES - 13 - 7);
	/* the attack of issue 10: nothing the installed system sends fails it */
	for (guint cause = 0; cause < N_CAUSES; cause++)
		g_assert_false(pxf_host_state_transition_allowed_by(PXF_HOST_STATE_INSTALLED,
								    PXF_HOST_STATE_FAILED, cause));
	g_assert_false(pxf_host_state_transition_allowed_by(PXF_HOST_STATE_BOOTING, 42,
							    PXF_HOST_CAUSE_PLUGIN));
	g_assert_false(pxf_host_state_transition_allowed_by(PXF_HOST_STATE_BOOTING,
							    PXF_HOST_STATE_INSTALLING, 42));
}

static void
test_host_state_transitions(void)
{
	g_autoptr(TestMemStore) mem = g_object_new(TEST_TYPE_MEM_STORE, NULL);
	g_autoptr(PxfHostStates) states = pxf_host_states_new(PXF_STORE(mem));
	g_autoptr(GError) error = NULL;
	const PxfHostState walk[] = {
		PXF_HOST_STATE_DISCOVERED, PXF_HOST_STATE_BOOTING, PXF_HOST_STATE_INSTALLING,
		PXF_HOST_STATE_INSTALLED,  PXF_HOST_STATE_BOOTING, PXF_HOST_STATE_INSTALLING,
		PXF_HOST_STATE_FAILED,	   PXF_HOST_STATE_BOOTING, PXF_HOST_STATE_FAILED,
	};

	g_assert_false(pxf_host_state_transition_allowed(PXF_HOST_STATE_BOOTING, 42));

	/* refused: unknown → installing; the error names the host and states */
	g_assert_false(set_state(states, MAC, PXF_HOST_STATE_INSTALLING, NULL, &error));
	g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_TRANSITION);
	g_assert_nonnull(strstr(error->message, MAC));
	g_assert_nonnull(strstr(error->message, "unknown"));
	g_assert_nonnull(strstr(error->message, "installing"));
	g_clear_error(&error);
	g_assert_null(pxf_host_states_get(states, MAC));
	g_assert_cmpuint(mem->puts, ==, 0);

	/* the MAC is folded to its canonical spelling */
	for (guint i = 0; i < G_N_ELEMENTS(walk); i++) {
		g_assert_true(set_state(states, i == 0 ? "52-54-00-12-34-56" : "52:54:00:12:34:56",
					walk[i], "step", &error));
		g_assert_no_error(error);
		g_assert_cmpint(pxf_host_states_get(states, "52:54:00:12:34:56")->state, ==,
				walk[i]);
	}
	g_assert_cmpuint(mem->puts, ==, G_N_ELEMENTS(walk));

	/* failed → installed is not a thing; booting → discovered neither */
	g_assert_false(set_state(states, MAC, PXF_HOST_STATE_INSTALLED, NULL, &error));
	g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_TRANSITION);
	g_clear_error(&error);
	g_assert_true(set_state(states, MAC, PXF_HOST_STATE_BOOTING, NULL, &error));
	g_assert_false(set_state(states, MAC, PXF_HOST_STATE_DISCOVERED, NULL, &error));
	g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_TRANSITION);
	g_clear_error(&error);
	g_assert_cmpint(pxf_host_states_get(states, MAC)->state, ==, PXF_HOST_STATE_BOOTING);

	g_assert_false(set_state(states, "52:54:00:12:34", PXF_HOST_STATE_FAILED, NULL, &error));
	g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FAILED);
	g_clear_error(&error);
	g_assert_false(set_state(states, "zz:54:00:12:34:56", PXF_HOST_STATE_FAILED, NULL, &error));
	g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FAILED);
	g_clear_error(&error);
	g_assert_false(set_state(states, MAC, (PxfHostState)9, NULL, &error));
	g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FAILED);
}

static void
test_host_state_persist(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autofree gchar *path = g_build_filename(dir, "hosts", MAC ".json", NULL);
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, NULL);
	g_autoptr(PxfHostStates) states = pxf_host_states_new(store);
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;
	const PxfHostStateRecord *rec;
	const PxfHostStateEntry *e;
	gint64 before = g_get_real_time();

	g_assert_true(pxf_host_states_load(states, &error));
	g_assert_no_error(error);
	g_assert_true(set_state(states, MAC, PXF_HOST_STATE_DISCOVERED, "DHCPDISCOVER", &error));
	g_assert_true(set_state(states, MAC, PXF_HOST_STATE_BOOTING, NULL, &error));
	g_assert_true(set_state(states, MAC, PXF_HOST_STATE_INSTALLING,
				"kickstart \"ks.cfg\" \xe2\x9c\x93", &error));
	g_assert_true(
		set_state(states, "00:11:22:33:44:55", PXF_HOST_STATE_DISCOVERED, NULL, &error));
	g_assert_true(set_state(states, "00:11:22:33:44:55", PXF_HOST_STATE_BOOTING, NULL, &error));
	/* not UTF-8: stored as valid text */
	g_assert_true(set_state(states, "00:11:22:33:44:55", PXF_HOST_STATE_FAILED, "bad \xff byte",
				&error));
	g_assert_no_error(error);

	/* the file is the documented format */
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "\"format\" : 1"));
	g_assert_nonnull(strstr(text, "\"state\" : \"installing\""));

	g_clear_pointer(&states, pxf_host_states_free);
	g_clear_object(&store);
	store = pxf_store_file_new(dir, NULL);
	states = pxf_host_states_new(store);
	g_assert_null(pxf_host_states_get(states, MAC));
	g_assert_true(pxf_host_states_load(states, &error));
	g_assert_no_error(error);

	rec = pxf_host_states_get(states, MAC);
	g_assert_nonnull(rec);
	g_assert_cmpstr(rec->mac, ==, MAC);
	g_assert_cmpint(rec->state, ==, PXF_HOST_STATE_INSTALLING);
	g_assert_cmpint(rec->since, >=, before);
	g_assert_cmpuint(rec->history->len, ==, 3);
	e = g_ptr_array_index(rec->history, 0);
	g_assert_cmpint(e->state, ==, PXF_HOST_STATE_DISCOVERED);
	g_assert_cmpstr(e->reason, ==, "DHCPDISCOVER");
	e = g_ptr_array_index(rec->history, 1);
	g_assert_cmpint(e->state, ==, PXF_HOST_STATE_BOOTING);
	g_assert_null(e->reason);
	e = g_ptr_array_index(rec->history, 2);
	g_assert_cmpstr(e->reason, ==, "kickstart \"ks.cfg\" \xe2\x9c\x93");
	g_assert_cmpint(e->timestamp, ==, rec->since);

	rec = pxf_host_states_get(states, "00:11:22:33:44:55");
	g_assert_cmpint(rec->state, ==, PXF_HOST_STATE_FAILED);
	e = g_ptr_array_index(rec->history, 2);
	g_assert_true(g_utf8_validate(e->reason, -1, NULL));
	g_assert_true(g_str_has_prefix(e->reason, "bad "));

	list = pxf_host_states_list(states);
	g_assert_cmpuint(list->len, ==, 2);
	g_assert_cmpstr(((PxfHostStateRecord *)g_ptr_array_index(list, 0))->mac, ==,
			"00:11:22:33:44:55");
	g_assert_cmpstr(((PxfHostStateRecord *)g_ptr_array_index(list, 1))->mac, ==, MAC);
	rm_rf(dir);
}

static void
test_host_state_notify(void)
{
	g_autoptr(TestMemStore) mem = g_object_new(TEST_TYPE_MEM_STORE, NULL);
	g_autoptr(PxfHostStates) states = pxf_host_states_new(PXF_STORE(mem));
	g_autoptr(GError) error = NULL;
	NotifyLog log = {.store = PXF_STORE(mem), .states = states};

	pxf_host_states_set_notify(states, notify_cb, &log);
	g_assert_true(set_state(states, MAC, PXF_HOST_STATE_DISCOVERED, "seen", &error));
	g_assert_cmpuint(log.calls, ==, 1);
	g_assert_cmpstr(log.mac, ==, MAC);
	g_assert_cmpint(log.old_state, ==, PXF_HOST_STATE_UNKNOWN);
	g_assert_cmpint(log.new_state, ==, PXF_HOST_STATE_DISCOVERED);
	g_assert_cmpstr(log.reason, ==, "seen");

	/* the same state again: no write, no history, no notify */
	g_assert_true(set_state(states, MAC, PXF_HOST_STATE_DISCOVERED, "again", &error));
	g_assert_cmpuint(log.calls, ==, 1);
	g_assert_cmpuint(mem->puts, ==, 1);
	g_assert_cmpuint(pxf_host_states_get(states, MAC)->history->len, ==, 1);

	/* refused: no notify */
	g_assert_false(set_state(states, MAC, PXF_HOST_STATE_INSTALLED, NULL, &error));
	g_clear_error(&error);
	g_assert_cmpuint(log.calls, ==, 1);

	g_assert_true(set_state(states, MAC, PXF_HOST_STATE_BOOTING, NULL, &error));
	g_assert_cmpuint(log.calls, ==, 2);
	g_assert_cmpint(log.old_state, ==, PXF_HOST_STATE_DISCOVERED);
	g_assert_null(log.reason);

	/* persisting fails: memory and listeners stay where the disk is */
	mem->fail_writes = TRUE;
	g_assert_false(set_state(states, MAC, PXF_HOST_STATE_INSTALLING, NULL, &error));
	g_assert_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, MAC));
	g_assert_nonnull(strstr(error->message, "disk full"));
	g_clear_error(&error);
	g_assert_cmpuint(log.calls, ==, 2);
	g_assert_cmpint(pxf_host_states_get(states, MAC)->state, ==, PXF_HOST_STATE_BOOTING);
	g_assert_cmpuint(pxf_host_states_get(states, MAC)->history->len, ==, 2);
	mem->fail_writes = FALSE;
	g_assert_true(set_state(states, MAC, PXF_HOST_STATE_INSTALLING, NULL, &error));
	g_assert_cmpuint(log.calls, ==, 3);
	g_free(log.mac);
	g_free(log.reason);
}

static void
test_host_state_history_bound(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autoptr(PxfStore) store = pxf_store_file_new(dir, NULL);
	g_autoptr(PxfHostStates) states = pxf_host_states_new(store);
	g_autoptr(GError) error = NULL;
	const PxfHostState cycle[] = {PXF_HOST_STATE_BOOTING, PXF_HOST_STATE_INSTALLING,
				      PXF_HOST_STATE_FAILED};
	const PxfHostStateRecord *rec;
	const PxfHostStateEntry *e;

	g_assert_true(set_state(states, MAC, PXF_HOST_STATE_DISCOVERED, "step 0", &error));
	for (guint i = 1; i < 40; i++) {
		g_autofree gchar *reason = g_strdup_printf("step %u", i);
		g_assert_true(set_state(states, MAC, cycle[(i - 1) % 3], reason, &error));
		g_assert_no_error(error);
	}
	rec = pxf_host_states_get(states, MAC);
	g_assert_cmpuint(rec->history->len, ==, 32);
	/* the oldest eight went */
	e = g_ptr_array_index(rec->history, 0);
	g_assert_cmpstr(e->reason, ==, "step 8");
	e = g_ptr_array_index(rec->history, 31);
	g_assert_cmpstr(e->reason, ==, "step 39");

	g_clear_pointer(&states, pxf_host_states_free);
	states = pxf_host_states_new(store);
	g_assert_true(pxf_host_states_load(states, &error));
	rec = pxf_host_states_get(states, MAC);
	g_assert_cmpuint(rec->history->len, ==, 32);
	e = g_ptr_array_index(rec->history, 0);
	g_assert_cmpstr(e->reason, ==, "step 8");
	rm_rf(dir);
}

static void
test_host_state_format_upgrade(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autoptr(PxfStore) store = store_with_fixture(dir, "host-format0.json");
	g_autoptr(PxfHostStates) states = pxf_host_states_new(store);
	g_autoptr(GBytes) b0 = fixture("host-format0.json");
	g_autoptr(GBytes) b1 = fixture("host-format1.json");
	g_autoptr(GBytes) written = NULL;
	g_autoptr(PxfHostStateRecord) rec0 = NULL;
	g_autoptr(PxfHostStateRecord) rec1 = NULL;
	g_autoptr(PxfHostStateRecord) again = NULL;
	g_autoptr(GError) error = NULL;
	const PxfHostStateRecord *rec;
	const PxfHostStateEntry *e;
	gint64 format = -1;

	/* format 0: state as an integer, no history */
	rec0 = pxf_host_state_record_parse(b0, MAC, &format, &error);
	g_assert_no_error(error);
	g_assert_cmpint(format, ==, 0);
	g_assert_cmpint(rec0->state, ==, PXF_HOST_STATE_INSTALLING);
	g_assert_cmpint(rec0->since, ==, 1700000000000000);
	g_assert_cmpuint(rec0->history->len, ==, 1);
	e = g_ptr_array_index(rec0->history, 0);
	g_assert_cmpint(e->state, ==, PXF_HOST_STATE_INSTALLING);
	g_assert_cmpint(e->timestamp, ==, 1700000000000000);

	rec1 = pxf_host_state_record_from_bytes(b1, &error);
	g_assert_no_error(error);
	g_assert_cmpint(rec1->state, ==, PXF_HOST_STATE_INSTALLING);
	g_assert_cmpuint(rec1->history->len, ==, 3);
	e = g_ptr_array_index(rec1->history, 1);
	g_assert_null(e->reason);
	/* what we write reads back the same */
	written = pxf_host_state_record_to_bytes(rec1);
	again = pxf_host_state_record_from_bytes(written, &error);
	g_assert_no_error(error);
	g_assert_cmpint(again->since, ==, rec1->since);
	g_assert_cmpuint(again->history->len, ==, 3);
	e = g_ptr_array_index(again->history, 2);
	g_assert_cmpstr(e->reason, ==, "kickstart fetched");
	g_clear_pointer(&written, g_bytes_unref);

	/* load upgrades in memory and writes format 1 back */
	g_assert_true(pxf_host_states_load(states, &error));
	g_assert_no_error(error);
	rec = pxf_host_states_get(states, MAC);
	g_assert_nonnull(rec);
	g_assert_cmpint(rec->state, ==, PXF_HOST_STATE_INSTALLING);
	written = pxf_store_get(store, "hosts", MAC, &error);
	g_assert_no_error(error);
	g_clear_pointer(&again, pxf_host_state_record_free);
	again = pxf_host_state_record_parse(written, MAC, &format, &error);
	g_assert_no_error(error);
	g_assert_cmpint(format, ==, PXF_HOST_STATE_FORMAT);
	g_assert_cmpint(again->state, ==, PXF_HOST_STATE_INSTALLING);

	/* and the upgraded host goes on as usual */
	g_assert_true(set_state(states, MAC, PXF_HOST_STATE_INSTALLED, "done", &error));
	g_assert_cmpuint(pxf_host_states_get(states, MAC)->history->len, ==, 2);
	rm_rf(dir);
}

static void
test_host_state_format_newer(void)
{
	g_autofree gchar *dir = make_tmpdir();
	g_autoptr(PxfStore) store = store_with_fixture(dir, "host-format2.json");
	g_autoptr(PxfHostStates) states = pxf_host_states_new(store);
	g_autoptr(GBytes) b2 = fixture("host-format2.json");
	g_autoptr(GBytes) kept = NULL;
	g_autoptr(PxfHostStateRecord) rec = NULL;
	g_autoptr(GError) error = NULL;

	rec = pxf_host_state_record_from_bytes(b2, &error);
	g_assert_null(rec);
	g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FORMAT);
	g_assert_nonnull(strstr(error->message, MAC));
	g_assert_nonnull(strstr(error->message, "written by a newer pxeforge"));
	g_clear_error(&error);

	/* the daemon refuses rather than rewrite what a newer one wrote */
	g_assert_false(pxf_host_states_load(states, &error));
	g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FORMAT);
	g_assert_nonnull(strstr(error->message, MAC));
	kept = pxf_store_get(store, "hosts", MAC, NULL);
	g_assert_true(g_bytes_equal(kept, b2));
	rm_rf(dir);
}

static void
test_host_state_garbled(void)
{
	const struct {
		const gchar *file;
		const gchar *field;
	} cases[] = {
		{"garbled-bad-state.json", "\"state\""},
		{"garbled-no-since.json", "\"since\""},
		{"garbled-history.json", "\"history[0].timestamp\""},
		{"garbled-mac.json", "\"mac\""},
		{"garbled-format.json", "\"format\""},
		{"garbled-format0-state.json", "\"state\""},
		{"garbled-truncated.json", "not valid JSON"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *dir = make_tmpdir();
		g_autoptr(PxfStore) store = store_with_fixture(dir, cases[i].file);
		g_autoptr(PxfHostStates) states = pxf_host_states_new(store);
		g_autoptr(GBytes) b = fixture(cases[i].file);
		g_autoptr(PxfHostStateRecord) rec = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree gchar *pattern = NULL;

		rec = pxf_host_state_record_parse(b, MAC, NULL, &error);
		g_assert_null(rec);
		g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FAILED);
		g_assert_nonnull(strstr(error->message, MAC));
		g_assert_nonnull(strstr(error->message, cases[i].field));
		g_clear_error(&error);

		/* load skips it with a warning naming it, keeps the rest */
		g_assert_true(set_state(states, "52:54:00:00:00:01", PXF_HOST_STATE_DISCOVERED,
					NULL, NULL));
		g_clear_pointer(&states, pxf_host_states_free);
		states = pxf_host_states_new(store);
		pattern = g_strdup_printf("*%s*%s*", MAC, cases[i].field);
		g_test_expect_message("pxf-host-state", G_LOG_LEVEL_WARNING, pattern);
		g_assert_true(pxf_host_states_load(states, &error));
		g_test_assert_expected_messages();
		g_assert_no_error(error);
		g_assert_null(pxf_host_states_get(states, MAC));
		g_assert_nonnull(pxf_host_states_get(states, "52:54:00:00:00:01"));
		rm_rf(dir);
	}
}

/* Bytes that are no record at all must fail cleanly, never crash. */
static void
test_host_state_hostile(void)
{
	g_autofree gchar *deep = g_strnfill(200000, '[');
	g_autofree gchar *big = g_strnfill(2 * 1024 * 1024, ' ');
	const gchar *inputs[] = {"",
				 "null",
				 "[]",
				 "42",
				 "{}",
				 "{\"format\": 1}",
				 "{\"format\": 1e300}",
				 "{\"format\": -1}",
				 "{\"format\": 9223372036854775807}",
				 deep,
				 big};

	for (guint i = 0; i < G_N_ELEMENTS(inputs); i++) {
		g_autoptr(GBytes) b = g_bytes_new_static(inputs[i], strlen(inputs[i]));
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfHostStateRecord) rec =
			pxf_host_state_record_parse(b, MAC, NULL, &error);
		g_assert_null(rec);
		g_assert_nonnull(error);
		g_assert_nonnull(strstr(error->message, MAC));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/host-state/transitions", test_host_state_transitions);
	g_test_add_func("/core/host-state/causes", test_host_state_causes);
	g_test_add_func("/core/host-state/persist", test_host_state_persist);
	g_test_add_func("/core/host-state/notify", test_host_state_notify);
	g_test_add_func("/core/host-state/history-bound", test_host_state_history_bound);
	g_test_add_func("/core/host-state/format-upgrade", test_host_state_format_upgrade);
	g_test_add_func("/core/host-state/format-newer", test_host_state_format_newer);
	g_test_add_func("/core/host-state/garbled", test_host_state_garbled);
	g_test_add_func("/core/host-state/hostile", test_host_state_hostile);
	return g_test_run();
}
