/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-host-state"

#include <string.h>

#include <json-glib/json-glib.h>

#include "pxf-host-state.h"

/* Host lifecycle state, one record per MAC in the store namespace "hosts".
 * The store is the truth: a change is persisted before memory and the
 * notify callback see it, so a crash can never leave listeners ahead of
 * the disk. Record layout and format history: docs/state.md. */

#define PXF_HOST_STATE_NS	   "hosts"
#define PXF_HOST_STATE_HISTORY_MAX 32
#define PXF_HOST_STATE_RECORD_MAX  (1024 * 1024)
#define PXF_HOST_STATE_REASON_MAX  1024 /* characters */
#define PXF_HOST_STATE_DEPTH_MAX   16

G_DEFINE_QUARK(pxf_host_state_error_quark, pxf_host_state_error)

struct _PxfHostStates {
	PxfStore *store;
	GHashTable *records; /* canonical MAC → PxfHostStateRecord* */
	PxfHostStateNotify notify;
	gpointer notify_data;
};

/* The serialised names; pxf_host_state_to_string() lives with the SDK
 * strings, and the on-disk spelling must not change with it. */
static const gchar *const pxf_host_state_names[] = {
	[PXF_HOST_STATE_UNKNOWN] = "unknown",	  [PXF_HOST_STATE_DISCOVERED] = "discovered",
	[PXF_HOST_STATE_BOOTING] = "booting",	  [PXF_HOST_STATE_INSTALLING] = "installing",
	[PXF_HOST_STATE_INSTALLED] = "installed", [PXF_HOST_STATE_FAILED] = "failed",
};

static gboolean
pxf_host_state_is_valid(gint64 state)
{
	return state >= 0 && state < (gint64)G_N_ELEMENTS(pxf_host_state_names);
}

static const gchar *
pxf_host_state_name(PxfHostState state)
{
	if (!pxf_host_state_is_valid(state))
		return "invalid";
	return pxf_host_state_names[state];
}

static gboolean
pxf_host_state_from_name(const gchar *name, PxfHostState *state)
{
	for (guint i = 0; i < G_N_ELEMENTS(pxf_host_state_names); i++) {
		if (g_strcmp0(name, pxf_host_state_names[i]) == 0) {
			*state = (PxfHostState)i;
			return TRUE;
		}
	}
	return FALSE;
}

/* Who may make each move, as a mask of causes; a state to itself is a
 * no-op and not in the table. docs/lifecycle.md states the same table. */
#define C(cause) (1u << (cause))
static const guint pxf_host_state_moves[PXF_HOST_STATE_FAILED + 1][PXF_HOST_STATE_FAILED + 1] = {
	[PXF_HOST_STATE_UNKNOWN] =
		{
			/* its DHCP DISCOVER, or its loader config behind another DHCP server */
			[PXF_HOST_STATE_DISCOVERED] = C(PXF_HOST_CAUSE_CLIENT),
			[PXF_HOST_STATE_BOOTING] = C(PXF_HOST_CAUSE_OPERATOR),
		},
	[PXF_HOST_STATE_DISCOVERED] =
		{
			/* its own fetch of its install loader config */
			[PXF_HOST_STATE_BOOTING] =
				C(PXF_HOST_CAUSE_CLIENT) | C(PXF_HOST_CAUSE_OPERATOR),
		},
	[PXF_HOST_STATE_BOOTING] =
		{
			/* its own fetch of its answer file */
			[PXF_HOST_STATE_INSTALLING] = C(PXF_HOST_CAUSE_CLIENT),
			[PXF_HOST_STATE_FAILED] =
				C(PXF_HOST_CAUSE_REPORT) | C(PXF_HOST_CAUSE_TIMEOUT),
		},
	[PXF_HOST_STATE_INSTALLING] =
		{
			[PXF_HOST_STATE_INSTALLED] = C(PXF_HOST_CAUSE_REPORT),
			[PXF_HOST_STATE_FAILED] =
				C(PXF_HOST_CAUSE_REPORT) | C(PXF_HOST_CAUSE_TIMEOUT),
		},
	[PXF_HOST_STATE_INSTALLED] =
		{
			/* never by anything the installed system can send */
			[PXF_HOST_STATE_BOOTING] = C(PXF_HOST_CAUSE_OPERATOR),
		},
	[PXF_HOST_STATE_FAILED] =
		{
			/* a failed install is retried on the machine's next netboot */
			[PXF_HOST_STATE_BOOTING] =
				C(PXF_HOST_CAUSE_CLIENT) | C(PXF_HOST_CAUSE_OPERATOR),
		},
};
#undef C

const gchar *
pxf_host_cause_to_string(PxfHostCause cause)
{
	switch (cause) {
	case PXF_HOST_CAUSE_CLIENT:
		return "the machine's own request";
	case PXF_HOST_CAUSE_REPORT:
		return "an installer report";
	case PXF_HOST_CAUSE_TIMEOUT:
		return "the install timeout";
	case PXF_HOST_CAUSE_OPERATOR:
		return "the operator";
	case PXF_HOST_CAUSE_PLUGIN:
		return "a plugin";
	default:
		return "an unknown cause";
	}
}

gboolean
pxf_host_state_transition_allowed_by(PxfHostState from, PxfHostState to, PxfHostCause cause)
{
	guint mask;

	if (!pxf_host_state_is_valid(from) || !pxf_host_state_is_valid(to))
		return FALSE;
	if (from == to)
		return TRUE;
	mask = pxf_host_state_moves[from][to];
	switch (cause) {
	case PXF_HOST_CAUSE_CLIENT:
	case PXF_HOST_CAUSE_REPORT:
	case PXF_HOST_CAUSE_TIMEOUT:
	case PXF_HOST_CAUSE_OPERATOR:
		return (mask & (1u << cause)) != 0;
	case PXF_HOST_CAUSE_PLUGIN:
		/* a plugin on its own authority: anything but the operator's moves */
		return (mask & ~(1u << PXF_HOST_CAUSE_OPERATOR)) != 0;
	default:
		return FALSE;
	}
}

gboolean
pxf_host_state_transition_allowed(PxfHostState from, PxfHostState to)
{
	if (!pxf_host_state_is_valid(from) || !pxf_host_state_is_valid(to))
		return FALSE;
	return from == to || pxf_host_state_moves[from][to] != 0;
}

/* "aa:bb:cc:dd:ee:ff"; upper case and '-' separators are accepted and
 * folded, anything else is refused. */
static gchar *
pxf_host_state_canonical_mac(const gchar *mac)
{
	gchar buf[18];

	if (mac == NULL || strlen(mac) != 17)
		return NULL;
	for (guint i = 0; i < 17; i++) {
		if (i % 3 == 2) {
			if (mac[i] != ':' && mac[i] != '-')
				return NULL;
			buf[i] = ':';
		} else {
			if (!g_ascii_isxdigit(mac[i]))
				return NULL;
			buf[i] = g_ascii_tolower(mac[i]);
		}
	}
	buf[17] = '\0';
	return g_strdup(buf);
}

/* ---- records --------------------------------------------------------- */

static void
pxf_host_state_entry_free(PxfHostStateEntry *entry)
{
	g_free(entry->reason);
	g_free(entry);
}

static PxfHostStateEntry *
pxf_host_state_entry_new(PxfHostState state, gint64 timestamp, const gchar *reason)
{
	PxfHostStateEntry *entry = g_new0(PxfHostStateEntry, 1);
	entry->state = state;
	entry->timestamp = timestamp;
	entry->reason = g_strdup(reason);
	return entry;
}

static PxfHostStateRecord *
pxf_host_state_record_new(const gchar *mac)
{
	PxfHostStateRecord *rec = g_new0(PxfHostStateRecord, 1);
	rec->mac = g_strdup(mac);
	rec->state = PXF_HOST_STATE_UNKNOWN;
	rec->history = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_host_state_entry_free);
	return rec;
}

void
pxf_host_state_record_free(PxfHostStateRecord *rec)
{
	if (rec == NULL)
		return;
	g_free(rec->mac);
	if (rec->history != NULL)
		g_ptr_array_unref(rec->history);
	g_free(rec);
}

static PxfHostStateRecord *
pxf_host_state_record_copy(const PxfHostStateRecord *rec)
{
	PxfHostStateRecord *copy = pxf_host_state_record_new(rec->mac);
	copy->state = rec->state;
	copy->since = rec->since;
	for (guint i = 0; i < rec->history->len; i++) {
		const PxfHostStateEntry *e = g_ptr_array_index(rec->history, i);
		g_ptr_array_add(copy->history,
				pxf_host_state_entry_new(e->state, e->timestamp, e->reason));
	}
	return copy;
}

static void
pxf_host_state_record_trim(PxfHostStateRecord *rec)
{
	if (rec->history->len > PXF_HOST_STATE_HISTORY_MAX)
		g_ptr_array_remove_range(rec->history, 0,
					 rec->history->len - PXF_HOST_STATE_HISTORY_MAX);
}

GBytes *
pxf_host_state_record_to_bytes(const PxfHostStateRecord *rec)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *text = NULL;
	gsize len = 0;

	g_return_val_if_fail(rec != NULL, NULL);

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "format");
	json_builder_add_int_value(builder, PXF_HOST_STATE_FORMAT);
	json_builder_set_member_name(builder, "mac");
	json_builder_add_string_value(builder, rec->mac);
	json_builder_set_member_name(builder, "state");
	json_builder_add_string_value(builder, pxf_host_state_name(rec->state));
	json_builder_set_member_name(builder, "since");
	json_builder_add_int_value(builder, rec->since);
	json_builder_set_member_name(builder, "history");
	json_builder_begin_array(builder);
	for (guint i = 0; rec->history != NULL && i < rec->history->len; i++) {
		const PxfHostStateEntry *e = g_ptr_array_index(rec->history, i);
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "state");
		json_builder_add_string_value(builder, pxf_host_state_name(e->state));
		json_builder_set_member_name(builder, "timestamp");
		json_builder_add_int_value(builder, e->timestamp);
		json_builder_set_member_name(builder, "reason");
		if (e->reason != NULL)
			json_builder_add_string_value(builder, e->reason);
		else
			json_builder_add_null_value(builder);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);

	root = json_builder_get_root(builder);
	json_generator_set_root(generator, root);
	json_generator_set_pretty(generator, TRUE);
	text = json_generator_to_data(generator, &len);
	return g_bytes_new_take(g_strconcat(text, "\n", NULL), len + 1);
}

/* ---- parsing --------------------------------------------------------- */

static gboolean
pxf_host_state_field_error(GError **error, const gchar *label, const gchar *field, const gchar *why)
{
	g_set_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FAILED,
		    "host state record %s: field \"%s\" %s", label, field, why);
	return FALSE;
}

static gboolean
pxf_host_state_get_int(JsonObject *obj,
		       const gchar *member,
		       const gchar *label,
		       const gchar *field,
		       gint64 *out,
		       GError **error)
{
	JsonNode *node = json_object_get_member(obj, member);

	if (node == NULL)
		return pxf_host_state_field_error(error, label, field, "is missing");
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
		return pxf_host_state_field_error(error, label, field, "is not an integer");
	*out = json_node_get_int(node);
	return TRUE;
}

static gboolean
pxf_host_state_get_string(JsonObject *obj,
			  const gchar *member,
			  const gchar *label,
			  const gchar *field,
			  const gchar **out,
			  GError **error)
{
	JsonNode *node = json_object_get_member(obj, member);

	if (node == NULL)
		return pxf_host_state_field_error(error, label, field, "is missing");
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
		return pxf_host_state_field_error(error, label, field, "is not a string");
	*out = json_node_get_string(node);
	return TRUE;
}

static gboolean
pxf_host_state_get_state(
	JsonObject *obj, const gchar *label, const gchar *field, PxfHostState *out, GError **error)
{
	const gchar *name = NULL;

	if (!pxf_host_state_get_string(obj, "state", label, field, &name, error))
		return FALSE;
	if (!pxf_host_state_from_name(name, out)) {
		g_autofree gchar *why = NULL;
		g_autofree gchar *esc = g_strescape(name, NULL);
		why = g_strdup_printf("has unknown state \"%.64s\"", esc);
		return pxf_host_state_field_error(error, label, field, why);
	}
	return TRUE;
}

/* Format 0, the pre-release layout: no "history", "state" an integer.
 * Rewritten in memory into format 1 with a one-entry history. */
static gboolean
pxf_host_state_upgrade_0_to_1(JsonObject *obj, const gchar *label, GError **error)
{
	JsonObject *entry;
	JsonArray *history;
	gint64 state = 0;
	gint64 since = 0;

	if (!pxf_host_state_get_int(obj, "state", label, "state", &state, error))
		return FALSE;
	if (!pxf_host_state_is_valid(state))
		return pxf_host_state_field_error(error, label, "state", "is out of range");
	if (!pxf_host_state_get_int(obj, "since", label, "since", &since, error))
		return FALSE;

	json_object_set_string_member(obj, "state", pxf_host_state_names[state]);
	entry = json_object_new();
	json_object_set_string_member(entry, "state", pxf_host_state_names[state]);
	json_object_set_int_member(entry, "timestamp", since);
	json_object_set_string_member(entry, "reason", "upgraded from format 0");
	history = json_array_new();
	json_array_add_object_element(history, entry);
	json_object_set_array_member(obj, "history", history);
	json_object_set_int_member(obj, "format", 1);
	return TRUE;
}

static PxfHostStateRecord *
pxf_host_state_parse_v1(JsonObject *obj, const gchar *key, const gchar *label, GError **error)
{
	g_autoptr(PxfHostStateRecord) rec = NULL;
	const gchar *mac = NULL;
	g_autofree gchar *canonical = NULL;
	JsonNode *node;
	JsonArray *history;
	guint len;

	if (!pxf_host_state_get_string(obj, "mac", label, "mac", &mac, error))
		return NULL;
	canonical = pxf_host_state_canonical_mac(mac);
	if (canonical == NULL || g_strcmp0(canonical, mac) != 0) {
		pxf_host_state_field_error(error, label, "mac", "is not a canonical MAC address");
		return NULL;
	}
	if (key != NULL && g_strcmp0(key, mac) != 0) {
		pxf_host_state_field_error(error, label, "mac", "does not match the record name");
		return NULL;
	}
	rec = pxf_host_state_record_new(mac);
	if (!pxf_host_state_get_state(obj, label, "state", &rec->state, error))
		return NULL;
	if (!pxf_host_state_get_int(obj, "since", label, "since", &rec->since, error))
		return NULL;

	node = json_object_get_member(obj, "history");
	if (node == NULL) {
		pxf_host_state_field_error(error, label, "history", "is missing");
		return NULL;
	}
	if (!JSON_NODE_HOLDS_ARRAY(node)) {
		pxf_host_state_field_error(error, label, "history", "is not an array");
		return NULL;
	}
	history = json_node_get_array(node);
	len = json_array_get_length(history);
	/* a longer history than we write is kept to its newest entries */
	for (guint i = len > PXF_HOST_STATE_HISTORY_MAX ? len - PXF_HOST_STATE_HISTORY_MAX : 0;
	     i < len; i++) {
		JsonNode *elem = json_array_get_element(history, i);
		JsonObject *eobj;
		JsonNode *rnode;
		PxfHostState state = PXF_HOST_STATE_UNKNOWN;
		gint64 ts = 0;
		const gchar *reason = NULL;
		g_autofree gchar *field = NULL;

		if (!JSON_NODE_HOLDS_OBJECT(elem)) {
			field = g_strdup_printf("history[%u]", i);
			pxf_host_state_field_error(error, label, field, "is not an object");
			return NULL;
		}
		eobj = json_node_get_object(elem);
		field = g_strdup_printf("history[%u].state", i);
		if (!pxf_host_state_get_state(eobj, label, field, &state, error))
			return NULL;
		g_free(field);
		field = g_strdup_printf("history[%u].timestamp", i);
		if (!pxf_host_state_get_int(eobj, "timestamp", label, field, &ts, error))
			return NULL;
		rnode = json_object_get_member(eobj, "reason");
		if (rnode != NULL && !JSON_NODE_HOLDS_NULL(rnode)) {
			g_free(field);
			field = g_strdup_printf("history[%u].reason", i);
			if (!pxf_host_state_get_string(eobj, "reason", label, field, &reason,
						       error))
				return NULL;
		}
		g_ptr_array_add(rec->history, pxf_host_state_entry_new(state, ts, reason));
	}
	return g_steal_pointer(&rec);
}

/* json-glib's parser recurses per nesting level; a record is two levels
 * deep, so anything much deeper is refused before it can exhaust the stack. */
static gboolean
pxf_host_state_depth_ok(const gchar *data, gsize len)
{
	gboolean in_string = FALSE;
	gboolean escaped = FALSE;
	guint depth = 0;

	for (gsize i = 0; i < len; i++) {
		gchar c = data[i];
		if (in_string) {
			if (escaped)
				escaped = FALSE;
			else if (c == '\\')
				escaped = TRUE;
			else if (c == '"')
				in_string = FALSE;
		} else if (c == '"') {
			in_string = TRUE;
		} else if (c == '{' || c == '[') {
			if (++depth > PXF_HOST_STATE_DEPTH_MAX)
				return FALSE;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return TRUE;
}

PxfHostStateRecord *
pxf_host_state_record_parse(GBytes *bytes, const gchar *key, gint64 *format_read, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *label = NULL;
	const gchar *data;
	gsize len = 0;
	JsonNode *root;
	JsonObject *obj;
	gint64 format = -1;

	g_return_val_if_fail(bytes != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	data = g_bytes_get_data(bytes, &len);
	label = g_strdup(key != NULL ? key : "(unnamed)");
	if (len > PXF_HOST_STATE_RECORD_MAX) {
		g_set_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FAILED,
			    "host state record %s: larger than %u bytes", label,
			    (guint)PXF_HOST_STATE_RECORD_MAX);
		return NULL;
	}
	if (!pxf_host_state_depth_ok(data, len)) {
		g_set_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FAILED,
			    "host state record %s: nested deeper than %u levels", label,
			    (guint)PXF_HOST_STATE_DEPTH_MAX);
		return NULL;
	}
	if (len == 0 || !json_parser_load_from_data(parser, data, (gssize)len, &error_local)) {
		g_set_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FAILED,
			    "host state record %s: not valid JSON: %s", label,
			    error_local != NULL ? error_local->message : "empty");
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FAILED,
			    "host state record %s: not a JSON object", label);
		return NULL;
	}
	obj = json_node_get_object(root);
	if (key == NULL && json_object_has_member(obj, "mac")) {
		JsonNode *mac = json_object_get_member(obj, "mac");
		if (JSON_NODE_HOLDS_VALUE(mac) && json_node_get_value_type(mac) == G_TYPE_STRING) {
			g_autofree gchar *esc = g_strescape(json_node_get_string(mac), NULL);
			g_free(label);
			label = g_strdup_printf("%.64s", esc);
		}
	}
	if (!pxf_host_state_get_int(obj, "format", label, "format", &format, error))
		return NULL;
	if (format_read != NULL)
		*format_read = format;

	/* Each older format is upgraded one step and falls through to the
	 * next, so a new format only adds one case above the current one. */
	switch (format) {
	case 0:
		if (!pxf_host_state_upgrade_0_to_1(obj, label, error))
			return NULL;
		G_GNUC_FALLTHROUGH;
	case 1:
		break;
	default:
		g_set_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FORMAT,
			    format > PXF_HOST_STATE_FORMAT
				    ? "host state record %s: format %" G_GINT64_FORMAT
				      " was written by a newer pxeforge (this one reads up to %d)"
				    : "host state record %s: unknown format %" G_GINT64_FORMAT
				      " (this one reads up to %d)",
			    label, format, PXF_HOST_STATE_FORMAT);
		return NULL;
	}
	return pxf_host_state_parse_v1(obj, key, label, error);
}

PxfHostStateRecord *
pxf_host_state_record_from_bytes(GBytes *bytes, GError **error)
{
	return pxf_host_state_record_parse(bytes, NULL, NULL, error);
}

/* ---- the table ------------------------------------------------------- */

PxfHostStates *
pxf_host_states_new(PxfStore *store)
{
	PxfHostStates *self;

	g_return_val_if_fail(PXF_IS_STORE(store), NULL);

	self = g_new0(PxfHostStates, 1);
	self->store = g_object_ref(store);
	self->records = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)pxf_host_state_record_free);
	return self;
}

void
pxf_host_states_free(PxfHostStates *self)
{
	if (self == NULL)
		return;
	g_object_unref(self->store);
	g_hash_table_unref(self->records);
	g_free(self);
}

void
pxf_host_states_set_notify(PxfHostStates *self, PxfHostStateNotify func, gpointer user_data)
{
	g_return_if_fail(self != NULL);
	self->notify = func;
	self->notify_data = user_data;
}

gboolean
pxf_host_states_load(PxfHostStates *self, GError **error)
{
	g_autoptr(GHashTable) blobs = NULL;
	g_autoptr(GHashTable) records = NULL;
	GHashTableIter iter;
	gpointer key;
	gpointer value;

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	blobs = pxf_store_list(self->store, PXF_HOST_STATE_NS, error);
	if (blobs == NULL) {
		g_prefix_error(error, "cannot load host states: ");
		return FALSE;
	}
	records = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					(GDestroyNotify)pxf_host_state_record_free);
	g_hash_table_iter_init(&iter, blobs);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		g_autoptr(PxfHostStateRecord) rec = NULL;
		g_autoptr(GError) error_local = NULL;
		gint64 format = -1;

		rec = pxf_host_state_record_parse(value, key, &format, &error_local);
		if (rec == NULL) {
			/* rewriting a newer record in our format would lose what
			 * that version knows: refuse to run on it instead */
			if (format > PXF_HOST_STATE_FORMAT) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return FALSE;
			}
			g_warning("skipping %s", error_local->message);
			continue;
		}
		if (format < PXF_HOST_STATE_FORMAT) {
			g_autoptr(GBytes) upgraded = pxf_host_state_record_to_bytes(rec);
			/* replace(): a concurrent set() wins over the upgrade */
			if (!pxf_store_replace(self->store, PXF_HOST_STATE_NS, key, value, upgraded,
					       &error_local)) {
				g_warning("host state record %s upgraded in memory only: %s",
					  (const gchar *)key, error_local->message);
			}
		}
		g_hash_table_replace(records, g_strdup(key), g_steal_pointer(&rec));
	}
	g_hash_table_unref(self->records);
	self->records = g_steal_pointer(&records);
	return TRUE;
}

const PxfHostStateRecord *
pxf_host_states_get(PxfHostStates *self, const gchar *mac)
{
	g_autofree gchar *canonical = NULL;

	g_return_val_if_fail(self != NULL, NULL);

	canonical = pxf_host_state_canonical_mac(mac);
	if (canonical == NULL)
		return NULL;
	return g_hash_table_lookup(self->records, canonical);
}

static gint
pxf_host_states_cmp_mac(gconstpointer a, gconstpointer b)
{
	const PxfHostStateRecord *ra = *(const PxfHostStateRecord *const *)a;
	const PxfHostStateRecord *rb = *(const PxfHostStateRecord *const *)b;
	return g_strcmp0(ra->mac, rb->mac);
}

GPtrArray *
pxf_host_states_list(PxfHostStates *self)
{
	GPtrArray *array;
	GHashTableIter iter;
	gpointer value;

	g_return_val_if_fail(self != NULL, NULL);

	array = g_ptr_array_new_full(g_hash_table_size(self->records), NULL);
	g_hash_table_iter_init(&iter, self->records);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		g_ptr_array_add(array, value);
	g_ptr_array_sort(array, pxf_host_states_cmp_mac);
	return array;
}

/* Reasons come from plugins and clients: valid UTF-8, bounded length. */
static gchar *
pxf_host_state_clean_reason(const gchar *reason)
{
	g_autofree gchar *valid = NULL;

	if (reason == NULL)
		return NULL;
	valid = g_utf8_make_valid(reason, -1);
	if (g_utf8_strlen(valid, -1) > PXF_HOST_STATE_REASON_MAX)
		return g_utf8_substring(valid, 0, PXF_HOST_STATE_REASON_MAX);
	return g_steal_pointer(&valid);
}

gboolean
pxf_host_states_set(PxfHostStates *self,
		    const gchar *mac,
		    PxfHostState state,
		    PxfHostCause cause,
		    const gchar *reason,
		    GError **error)
{
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *clean_reason = NULL;
	g_autoptr(PxfHostStateRecord) rec = NULL;
	g_autoptr(GBytes) bytes = NULL;
	const PxfHostStateRecord *cur;
	PxfHostState old_state;
	gint64 now;

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	canonical = pxf_host_state_canonical_mac(mac);
	if (canonical == NULL) {
		g_autofree gchar *esc = g_strescape(mac != NULL ? mac : "(null)", NULL);
		g_set_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FAILED,
			    "\"%.64s\" is not a MAC address", esc);
		return FALSE;
	}
	if (!pxf_host_state_is_valid(state)) {
		g_set_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_FAILED,
			    "host %s: invalid state %d", canonical, (gint)state);
		return FALSE;
	}
	cur = g_hash_table_lookup(self->records, canonical);
	old_state = cur != NULL ? cur->state : PXF_HOST_STATE_UNKNOWN;
	if (old_state == state)
		return TRUE;
	if (!pxf_host_state_transition_allowed_by(old_state, state, cause)) {
		g_set_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_TRANSITION,
			    "host %s: cannot go from %s to %s on %s", canonical,
			    pxf_host_state_name(old_state), pxf_host_state_name(state),
			    pxf_host_cause_to_string(cause));
		return FALSE;
	}

	now = g_get_real_time();
	clean_reason = pxf_host_state_clean_reason(reason);
	rec = cur != NULL ? pxf_host_state_record_copy(cur) : pxf_host_state_record_new(canonical);
	rec->state = state;
	rec->since = now;
	g_ptr_array_add(rec->history, pxf_host_state_entry_new(state, now, clean_reason));
	pxf_host_state_record_trim(rec);

	/* disk first: if this fails, memory and listeners still agree with it */
	bytes = pxf_host_state_record_to_bytes(rec);
	if (!pxf_store_put(self->store, PXF_HOST_STATE_NS, canonical, bytes, error)) {
		g_prefix_error(error, "cannot record host %s as %s: ", canonical,
			       pxf_host_state_name(state));
		return FALSE;
	}
	g_hash_table_replace(self->records, g_strdup(canonical), g_steal_pointer(&rec));
	if (self->notify != NULL)
		self->notify(canonical, old_state, state, clean_reason, self->notify_data);
	return TRUE;
}
