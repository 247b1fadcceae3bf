/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Export ids that stay with their distro: NFS file handles carry them, so a
 * mounted installer keeps working when other distros come and go. Ids of
 * removed distros are not handed out again while the range has room, so a
 * stale handle never reaches another tree. */
#define G_LOG_DOMAIN "pxf-nfs"

#include <stdlib.h>
#include <string.h>

#include "pxf-nfs.h"

GHashTable *
pxf_nfs_ids_parse(const gchar *text, gsize len)
{
	GHashTable *ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autofree gchar *copy = NULL;
	g_auto(GStrv) lines = NULL;

	if (text == NULL)
		return ids;
	/* stored bytes: not trusted to be terminated, nor free of NULs */
	copy = g_strndup(text, len);
	lines = g_strsplit(copy, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) fields = g_strsplit(lines[i], " ", -1);
		guint64 id = 0;

		if (g_strv_length(fields) != 2 || !pxf_nfs_name_valid(fields[0]))
			continue;
		if (!g_ascii_string_to_unsigned(fields[1], 10, 1, PXF_NFS_EXPORT_ID_MAX, &id, NULL))
			continue;
		g_hash_table_insert(ids, g_strdup(fields[0]), GUINT_TO_POINTER((guint)id));
	}
	return ids;
}

static gint
pxf_nfs_strcmp_ptr(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

gchar *
pxf_nfs_ids_to_string(GHashTable *ids)
{
	guint n = 0;
	g_autofree gpointer *names = g_hash_table_get_keys_as_array(ids, &n);
	GString *out = g_string_new(NULL);

	qsort(names, n, sizeof(gpointer), pxf_nfs_strcmp_ptr);
	for (guint i = 0; i < n; i++)
		g_string_append_printf(out, "%s %u\n", (const gchar *)names[i],
				       GPOINTER_TO_UINT(g_hash_table_lookup(ids, names[i])));
	return g_string_free(out, FALSE);
}

static gint
pxf_nfs_export_name_cmp(gconstpointer a, gconstpointer b)
{
	const PxfNfsExport *ea = *(const PxfNfsExport *const *)a;
	const PxfNfsExport *eb = *(const PxfNfsExport *const *)b;
	return g_strcmp0(ea->name, eb->name);
}

/* The lowest id >= first that no entry of ids holds, or 0. */
static guint
pxf_nfs_ids_free_id(GHashTable *ids, guint first)
{
	g_autoptr(GHashTable) used = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, ids);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		g_hash_table_add(used, value);
	for (guint id = first; id <= PXF_NFS_EXPORT_ID_MAX; id++) {
		if (!g_hash_table_contains(used, GUINT_TO_POINTER(id)))
			return id;
	}
	return 0;
}

/* Forgets the names that are not exported now, to make room. */
static gboolean
pxf_nfs_ids_forget_unexported(GHashTable *ids, GPtrArray *exports)
{
	g_autoptr(GHashTable) current = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTableIter iter;
	gpointer key;
	gboolean removed = FALSE;

	for (guint i = 0; i < exports->len; i++) {
		PxfNfsExport *e = g_ptr_array_index(exports, i);
		g_hash_table_add(current, e->name);
	}
	g_hash_table_iter_init(&iter, ids);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		if (!g_hash_table_contains(current, key)) {
			g_hash_table_iter_remove(&iter);
			removed = TRUE;
		}
	}
	return removed;
}

gboolean
pxf_nfs_ids_assign(
	GHashTable *ids, GPtrArray *exports, guint first, gboolean *changed, GError **error)
{
	g_autoptr(GPtrArray) sorted = g_ptr_array_new();
	g_autoptr(GHashTable) taken = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autoptr(GPtrArray) fresh = g_ptr_array_new();

	*changed = FALSE;
	for (guint i = 0; i < exports->len; i++)
		g_ptr_array_add(sorted, g_ptr_array_index(exports, i));
	/* new names get ids in name order, whatever the inventory's order */
	g_ptr_array_sort(sorted, pxf_nfs_export_name_cmp);

	/* keep what is stored, unless out of range or held twice (a corrupt
	 * record, or a lowered first_export_id) */
	for (guint i = 0; i < sorted->len; i++) {
		PxfNfsExport *e = g_ptr_array_index(sorted, i);
		guint id = GPOINTER_TO_UINT(g_hash_table_lookup(ids, e->name));

		if (id >= first && id <= PXF_NFS_EXPORT_ID_MAX &&
		    !g_hash_table_contains(taken, GUINT_TO_POINTER(id))) {
			e->id = id;
			g_hash_table_add(taken, GUINT_TO_POINTER(id));
			continue;
		}
		if (id != 0) {
			g_hash_table_remove(ids, e->name);
			*changed = TRUE;
		}
		g_ptr_array_add(fresh, e);
	}
	for (guint i = 0; i < fresh->len; i++) {
		PxfNfsExport *e = g_ptr_array_index(fresh, i);
		guint id = pxf_nfs_ids_free_id(ids, first);

		if (id == 0 && pxf_nfs_ids_forget_unexported(ids, exports))
			id = pxf_nfs_ids_free_id(ids, first);
		if (id == 0) {
			g_set_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_FAILED,
				    "no export id left in [%u, %u] for distro %s", first,
				    PXF_NFS_EXPORT_ID_MAX, e->name);
			return FALSE;
		}
		e->id = id;
		g_hash_table_insert(ids, g_strdup(e->name), GUINT_TO_POINTER(id));
		*changed = TRUE;
	}
	return TRUE;
}
