/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-config"

#include "pxf-config.h"

#include <string.h>

/* One schema key with its validated value. Copies what it needs from the
 * schema so that a section outlives the plugin's static key table. */
typedef struct {
	gchar *name;
	PxfConfType type;
	PxfConfNode *node; /* the value as written (ref), NULL when the default applies */
	gchar *string;
	gboolean boolean;
	gint64 integer;
	gchar **strv;
	PxfConfSection *section;
	GPtrArray *list; /* of PxfConfSection* */
} PxfConfEntry;

struct _PxfConfSection {
	gchar *path;
	GHashTable *entries;   /* name → PxfConfEntry */
	GPtrArray *empty_list; /* returned on programmer errors: never NULL */
};

static void
pxf_conf_entry_free(PxfConfEntry *entry)
{
	g_free(entry->name);
	pxf_conf_node_unref(entry->node);
	g_free(entry->string);
	g_strfreev(entry->strv);
	pxf_conf_section_free(entry->section);
	if (entry->list != NULL)
		g_ptr_array_unref(entry->list);
	g_free(entry);
}

void
pxf_conf_section_free(PxfConfSection *section)
{
	if (section == NULL)
		return;
	g_free(section->path);
	g_hash_table_unref(section->entries);
	g_ptr_array_unref(section->empty_list);
	g_free(section);
}

static gchar *
pxf_conf_path_join(const gchar *parent, const gchar *key)
{
	if (parent == NULL || parent[0] == '\0')
		return g_strdup(key);
	return g_strdup_printf("%s.%s", parent, key);
}

static const gchar *
pxf_conf_type_expected(PxfConfType type)
{
	switch (type) {
	case PXF_CONF_TYPE_STRING:
		return "a string";
	case PXF_CONF_TYPE_BOOL:
		return "a boolean (true/false, yes/no, on/off)";
	case PXF_CONF_TYPE_INT:
		return "an integer";
	case PXF_CONF_TYPE_STRING_LIST:
		return "a list of strings";
	case PXF_CONF_TYPE_SECTION:
		return "a mapping";
	case PXF_CONF_TYPE_SECTION_LIST:
		return "a list of mappings";
	default:
		return "a value";
	}
}

/* "'eth0'", shortened: a message quotes what the user wrote, not a page of it */
static gchar *
pxf_conf_quote(PxfConfNode *node)
{
	if (g_utf8_strlen(node->scalar, -1) > 40) {
		g_autofree gchar *head = g_utf8_substring(node->scalar, 0, 40);
		return g_strdup_printf("'%s…'", head);
	}
	return g_strdup_printf("'%s'", node->scalar);
}

/* "'eth0'", "a mapping", "an empty value": what the user wrote, short. */
static gchar *
pxf_conf_node_describe(PxfConfNode *node)
{
	if (node->kind == PXF_CONF_NODE_MAP)
		return g_strdup("a mapping");
	if (node->kind == PXF_CONF_NODE_SEQ)
		return g_strdup("a list");
	if (pxf_conf_node_is_null(node))
		return g_strdup("an empty value");
	return pxf_conf_quote(node);
}

static void
pxf_conf_error_type(GPtrArray *diags, PxfConfNode *node, const gchar *path, PxfConfType type)
{
	g_autofree gchar *got = pxf_conf_node_describe(node);
	pxf_diags_add(diags, FALSE, node->file, node->line, node->column, path,
		      "expected %s, got %s", pxf_conf_type_expected(type), got);
}

/* Levenshtein distance, giving up (returning max + 1) on long strings since
 * a suggestion is only useful for near misses. */
static guint
pxf_conf_edit_distance(const gchar *a, const gchar *b, guint max)
{
	gsize la = strlen(a);
	gsize lb = strlen(b);
	guint row[129];
	guint result;

	if (la > 128 || lb > 128 || (la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (gsize j = 0; j <= lb; j++)
		row[j] = (guint)j;
	for (gsize i = 1; i <= la; i++) {
		guint diag = row[0];
		row[0] = (guint)i;
		for (gsize j = 1; j <= lb; j++) {
			guint up = row[j];
			guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), diag + cost);
			diag = up;
		}
	}
	result = row[lb];
	return result;
}

static const gchar *
pxf_conf_suggest(const PxfConfKey *schema, const gchar *key)
{
	const gchar *best = NULL;
	guint best_distance = 3;

	for (const PxfConfKey *k = schema; k != NULL && k->key != NULL; k++) {
		guint d = pxf_conf_edit_distance(key, k->key, 2);
		if (d < best_distance) {
			best = k->key;
			best_distance = d;
		}
	}
	return best;
}

static gboolean
pxf_conf_int_in_range(const PxfConfKey *key, gint64 value)
{
	return key->min >= key->max || (value >= key->min && value <= key->max);
}

static PxfConfSection *pxf_conf_section_new_internal(PxfConfNode *node,
						     const PxfConfKey *schema,
						     const gchar *path,
						     GPtrArray *diags);

/* The schema default, for a missing, null or invalid value. */
static void
pxf_conf_entry_set_default(PxfConfEntry *entry,
			   const PxfConfKey *key,
			   const gchar *path,
			   GPtrArray *diags)
{
	const gchar *def = key->default_value;
	g_autoptr(PxfConfNode) tmp = NULL;

	g_clear_pointer(&entry->node, pxf_conf_node_unref);
	if (def != NULL) {
		tmp = pxf_conf_node_new(PXF_CONF_NODE_SCALAR, "default", 0, 0);
		g_free(tmp->scalar);
		tmp->scalar = g_strdup(def);
	}
	switch (key->type) {
	case PXF_CONF_TYPE_STRING:
		entry->string = g_strdup(def);
		break;
	case PXF_CONF_TYPE_BOOL:
		if (def != NULL && !pxf_conf_node_get_bool(tmp, &entry->boolean))
			g_critical("%s: schema default '%s' is not a boolean", path, def);
		break;
	case PXF_CONF_TYPE_INT:
		if (def != NULL && (!pxf_conf_node_get_int(tmp, &entry->integer) ||
				    !pxf_conf_int_in_range(key, entry->integer)))
			g_critical("%s: schema default '%s' is not an integer in range", path, def);
		break;
	case PXF_CONF_TYPE_STRING_LIST: {
		/* a list default is written "a,b,c"; "" and NULL are the empty list */
		g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);
		if (def != NULL && def[0] != '\0') {
			g_auto(GStrv) parts = g_strsplit(def, ",", -1);
			for (guint i = 0; parts[i] != NULL; i++)
				g_ptr_array_add(items, g_strdup(g_strstrip(parts[i])));
		}
		g_ptr_array_add(items, NULL);
		entry->strv = (gchar **)g_ptr_array_free(g_steal_pointer(&items), FALSE);
		break;
	}
	case PXF_CONF_TYPE_SECTION:
		/* defaults come from the children; validation errors cannot
		 * happen without a node, diags are passed for consistency */
		entry->section = pxf_conf_section_new_internal(NULL, key->children, path, diags);
		break;
	case PXF_CONF_TYPE_SECTION_LIST:
		entry->list = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_conf_section_free);
		break;
	default:
		break;
	}
}

/* Returns FALSE (after adding diags) when the value cannot be used. */
static gboolean
pxf_conf_entry_set_value(PxfConfEntry *entry,
			 const PxfConfKey *key,
			 PxfConfNode *value,
			 const gchar *path,
			 GPtrArray *diags)
{
	switch (key->type) {
	case PXF_CONF_TYPE_STRING:
		if (value->kind != PXF_CONF_NODE_SCALAR) {
			pxf_conf_error_type(diags, value, path, key->type);
			return FALSE;
		}
		entry->string = g_strdup(value->scalar);
		return TRUE;
	case PXF_CONF_TYPE_BOOL:
		if (!pxf_conf_node_get_bool(value, &entry->boolean)) {
			pxf_conf_error_type(diags, value, path, key->type);
			return FALSE;
		}
		return TRUE;
	case PXF_CONF_TYPE_INT:
		if (!pxf_conf_node_get_int(value, &entry->integer)) {
			pxf_conf_error_type(diags, value, path, key->type);
			return FALSE;
		}
		if (!pxf_conf_int_in_range(key, entry->integer)) {
			pxf_diags_add(diags, FALSE, value->file, value->line, value->column, path,
				      "value %" G_GINT64_FORMAT
				      " is out of range [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
				      "]",
				      entry->integer, key->min, key->max);
			entry->integer = 0;
			return FALSE;
		}
		return TRUE;
	case PXF_CONF_TYPE_STRING_LIST: {
		g_autoptr(GPtrArray) items = NULL;
		gboolean ok = TRUE;
		if (value->kind != PXF_CONF_NODE_SEQ) {
			pxf_conf_error_type(diags, value, path, key->type);
			return FALSE;
		}
		items = g_ptr_array_new_with_free_func(g_free);
		for (guint i = 0; i < value->items->len; i++) {
			PxfConfNode *item = g_ptr_array_index(value->items, i);
			if (item->kind != PXF_CONF_NODE_SCALAR || pxf_conf_node_is_null(item)) {
				g_autofree gchar *item_path = g_strdup_printf("%s[%u]", path, i);
				pxf_conf_error_type(diags, item, item_path, PXF_CONF_TYPE_STRING);
				ok = FALSE;
				continue;
			}
			g_ptr_array_add(items, g_strdup(item->scalar));
		}
		if (!ok)
			return FALSE;
		g_ptr_array_add(items, NULL);
		entry->strv = (gchar **)g_ptr_array_free(g_steal_pointer(&items), FALSE);
		return TRUE;
	}
	case PXF_CONF_TYPE_SECTION:
		if (value->kind != PXF_CONF_NODE_MAP) {
			pxf_conf_error_type(diags, value, path, key->type);
			return FALSE;
		}
		/* errors inside stay inside: the section is still usable */
		entry->section = pxf_conf_section_new_internal(value, key->children, path, diags);
		return TRUE;
	case PXF_CONF_TYPE_SECTION_LIST:
		if (value->kind != PXF_CONF_NODE_SEQ) {
			pxf_conf_error_type(diags, value, path, key->type);
			return FALSE;
		}
		entry->list = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_conf_section_free);
		for (guint i = 0; i < value->items->len; i++) {
			PxfConfNode *item = g_ptr_array_index(value->items, i);
			g_autofree gchar *item_path = g_strdup_printf("%s[%u]", path, i);
			if (item->kind != PXF_CONF_NODE_MAP) {
				pxf_conf_error_type(diags, item, item_path, PXF_CONF_TYPE_SECTION);
				continue;
			}
			g_ptr_array_add(entry->list,
					pxf_conf_section_new_internal(item, key->children,
								      item_path, diags));
		}
		return TRUE;
	default:
		return FALSE;
	}
}

static PxfConfSection *
pxf_conf_section_new_internal(PxfConfNode *node,
			      const PxfConfKey *schema,
			      const gchar *path,
			      GPtrArray *diags)
{
	PxfConfSection *self = g_new0(PxfConfSection, 1);

	self->path = g_strdup(path != NULL ? path : "");
	self->entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					      (GDestroyNotify)pxf_conf_entry_free);
	self->empty_list = g_ptr_array_new();

	for (const PxfConfKey *k = schema; k != NULL && k->key != NULL; k++) {
		PxfConfEntry *entry;
		if (k->type < PXF_CONF_TYPE_STRING || k->type > PXF_CONF_TYPE_SECTION_LIST) {
			g_critical("%s: schema key '%s' has invalid type %d", self->path, k->key,
				   (gint)k->type);
			continue;
		}
		if (g_hash_table_contains(self->entries, k->key)) {
			g_critical("%s: schema key '%s' is declared twice", self->path, k->key);
			continue;
		}
		entry = g_new0(PxfConfEntry, 1);
		entry->name = g_strdup(k->key);
		entry->type = k->type;
		g_hash_table_insert(self->entries, entry->name, entry);
	}

	if (node != NULL && pxf_conf_node_is_null(node))
		node = NULL;
	if (node != NULL && node->kind != PXF_CONF_NODE_MAP) {
		pxf_conf_error_type(diags, node, self->path, PXF_CONF_TYPE_SECTION);
		node = NULL;
	}

	/* values as written, in document order so diags follow the file */
	for (guint i = 0; node != NULL && i < node->keys->len; i++) {
		PxfConfNode *key_node = g_ptr_array_index(node->keys, i);
		PxfConfNode *value = g_ptr_array_index(node->items, i);
		g_autofree gchar *key_path = pxf_conf_path_join(path, key_node->scalar);
		const PxfConfKey *key = NULL;
		PxfConfEntry *entry;

		for (const PxfConfKey *k = schema; k != NULL && k->key != NULL; k++) {
			if (g_strcmp0(k->key, key_node->scalar) == 0) {
				key = k;
				break;
			}
		}
		entry = key != NULL ? g_hash_table_lookup(self->entries, key->key) : NULL;
		if (entry == NULL) {
			const gchar *hint = pxf_conf_suggest(schema, key_node->scalar);
			g_autofree gchar *shown = pxf_conf_quote(key_node);
			if (hint != NULL)
				pxf_diags_add(diags, FALSE, key_node->file, key_node->line,
					      key_node->column, key_path,
					      "unknown key %s (did you mean '%s'?)", shown, hint);
			else
				pxf_diags_add(diags, FALSE, key_node->file, key_node->line,
					      key_node->column, key_path, "unknown key %s", shown);
			continue;
		}
		if (entry->node != NULL)
			continue; /* merged trees have unique keys; be safe anyway */
		/* "key:" or "key: ~" means "use the default", e.g. to undo an
		 * earlier file's setting */
		if (pxf_conf_node_is_null(value))
			continue;
		if (pxf_conf_entry_set_value(entry, key, value, key_path, diags))
			entry->node = pxf_conf_node_ref(value);
	}

	/* defaults for everything not (validly) written */
	for (const PxfConfKey *k = schema; k != NULL && k->key != NULL; k++) {
		PxfConfEntry *entry = g_hash_table_lookup(self->entries, k->key);
		g_autofree gchar *key_path = NULL;
		/* a failed set_value leaves the entry untouched, so this is safe */
		if (entry == NULL || entry->node != NULL)
			continue;
		key_path = pxf_conf_path_join(path, k->key);
		pxf_conf_entry_set_default(entry, k, key_path, diags);
	}
	return self;
}

PxfConfSection *
pxf_conf_section_new(PxfConfNode *node,
		     const PxfConfKey *schema,
		     const gchar *path,
		     GPtrArray *diags)
{
	return pxf_conf_section_new_internal(node, schema, path, diags);
}

const gchar *
pxf_conf_section_get_path(const PxfConfSection *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->path;
}

/* Asking for a key that is not in the schema, or with the wrong type, is a
 * bug in the caller: say so loudly, and let the caller see a zero value. */
static PxfConfEntry *
pxf_conf_section_entry(const PxfConfSection *self, const gchar *key, PxfConfType type)
{
	PxfConfEntry *entry;

	g_return_val_if_fail(self != NULL, NULL);
	g_return_val_if_fail(key != NULL, NULL);
	entry = g_hash_table_lookup(self->entries, key);
	if (entry == NULL) {
		g_critical("%s: key '%s' is not in the schema", self->path, key);
		return NULL;
	}
	if (type != 0 && entry->type != type) {
		g_critical("%s: key '%s' is not %s", self->path, key, pxf_conf_type_expected(type));
		return NULL;
	}
	return entry;
}

const gchar *
pxf_conf_section_get_string(const PxfConfSection *self, const gchar *key)
{
	PxfConfEntry *entry = pxf_conf_section_entry(self, key, PXF_CONF_TYPE_STRING);
	return entry != NULL ? entry->string : NULL;
}

gboolean
pxf_conf_section_get_bool(const PxfConfSection *self, const gchar *key)
{
	PxfConfEntry *entry = pxf_conf_section_entry(self, key, PXF_CONF_TYPE_BOOL);
	return entry != NULL ? entry->boolean : FALSE;
}

gint64
pxf_conf_section_get_int(const PxfConfSection *self, const gchar *key)
{
	PxfConfEntry *entry = pxf_conf_section_entry(self, key, PXF_CONF_TYPE_INT);
	return entry != NULL ? entry->integer : 0;
}

const gchar *const *
pxf_conf_section_get_strv(const PxfConfSection *self, const gchar *key)
{
	static const gchar *const empty[] = {NULL};
	PxfConfEntry *entry = pxf_conf_section_entry(self, key, PXF_CONF_TYPE_STRING_LIST);
	if (entry == NULL || entry->strv == NULL)
		return empty;
	return (const gchar *const *)entry->strv;
}

const PxfConfSection *
pxf_conf_section_get_section(const PxfConfSection *self, const gchar *key)
{
	PxfConfEntry *entry = pxf_conf_section_entry(self, key, PXF_CONF_TYPE_SECTION);
	return entry != NULL ? entry->section : NULL;
}

GPtrArray *
pxf_conf_section_get_list(const PxfConfSection *self, const gchar *key)
{
	PxfConfEntry *entry = pxf_conf_section_entry(self, key, PXF_CONF_TYPE_SECTION_LIST);
	if (entry == NULL || entry->list == NULL)
		return self != NULL ? self->empty_list : NULL;
	return entry->list;
}

PxfConfNode *
pxf_conf_section_get_node(const PxfConfSection *self, const gchar *key)
{
	PxfConfEntry *entry = pxf_conf_section_entry(self, key, 0);
	return entry != NULL ? entry->node : NULL;
}

gchar *
pxf_conf_section_where(const PxfConfSection *self, const gchar *key)
{
	PxfConfEntry *entry = pxf_conf_section_entry(self, key, 0);
	if (entry == NULL)
		return NULL;
	if (entry->node == NULL)
		return g_strdup("default");
	return g_strdup_printf("%s:%u:%u", entry->node->file, entry->node->line,
			       entry->node->column);
}
