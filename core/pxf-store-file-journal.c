/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-store"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pxf-store-file-private.h"

/* The file store's journaled namespaces: opened on first use, moving the
 * records of the one-file-per-record layout into the first snapshot. */

/* ---- journaled namespaces ---------------------------------------------- */

/* The records of the one-file-per-record layout a namespace had before it
 * was journaled: removed once the snapshot holding them is durable. */
static gboolean
pxf_store_file_remove_old_layout(PxfStoreFile *self,
				 const gchar *ns,
				 GHashTable *old,
				 GError **error)
{
	g_autofree gchar *ns_dir = g_build_filename(self->dir, ns, NULL);
	g_autoptr(GDir) dir = g_dir_open(ns_dir, 0, NULL);
	const gchar *name;

	if (dir == NULL)
		return TRUE;
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *path = g_build_filename(ns_dir, name, NULL);
		if (!g_str_has_suffix(name, PXF_STORE_SUFFIX) && !pxf_store_file_is_temp_name(name))
			continue;
		if (self->ops.unlink(path) < 0 && errno != ENOENT) {
			int saved = errno;
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
				    "cannot remove %s, moved into %s/%s.snapshot: %s", path,
				    self->dir, ns, g_strerror(saved));
			return FALSE;
		}
	}
	if (g_rmdir(ns_dir) < 0)
		g_info("%s is not empty: left in place", ns_dir);
	if (old != NULL)
		g_message("moved %u records from %s into %s/%s.snapshot", g_hash_table_size(old),
			  ns_dir, self->dir, ns);
	return pxf_store_file_sync_dir(self, self->dir, error);
}

/* Called with the lock held. */
PxfStoreJournal *
pxf_store_file_journal(PxfStoreFile *self, const gchar *ns, GError **error)
{
	PxfStoreJournal *journal = g_hash_table_lookup(self->journals, ns);
	g_autofree gchar *snapshot_name = NULL;
	g_autofree gchar *snapshot = NULL;
	g_autofree gchar *ns_dir = NULL;
	g_autoptr(GHashTable) old = NULL;

	if (journal != NULL)
		return journal;
	snapshot_name = g_strdup_printf("%s.snapshot", ns);
	snapshot = g_build_filename(self->dir, snapshot_name, NULL);
	ns_dir = g_build_filename(self->dir, ns, NULL);
	/* records of an earlier pxeforge: they become the first snapshot */
	if (!g_file_test(snapshot, G_FILE_TEST_EXISTS) && g_file_test(ns_dir, G_FILE_TEST_IS_DIR)) {
		old = pxf_store_file_list_files(self, ns, TRUE, error);
		if (old == NULL)
			return NULL;
	}
	journal = pxf_store_journal_open(self->dir, ns, &self->ops, old, error);
	if (journal == NULL)
		return NULL;
	/* only now is the snapshot durable; a crash while removing leaves
	 * records the snapshot already holds, removed at the next open */
	if (g_file_test(ns_dir, G_FILE_TEST_IS_DIR) &&
	    !pxf_store_file_remove_old_layout(self, ns, old, error)) {
		pxf_store_journal_free(journal);
		return NULL;
	}
	g_hash_table_insert(self->journals, g_strdup(ns), journal);
	return journal;
}

GBytes *
pxf_store_file_journal_get(PxfStoreFile *self, const gchar *ns, const gchar *key, GError **error)
{
	PxfStoreJournal *journal = pxf_store_file_journal(self, ns, error);
	GBytes *value;

	if (journal == NULL)
		return NULL;
	value = g_hash_table_lookup(pxf_store_journal_get_table(journal), key);
	if (value == NULL) {
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND, "no record %s/%s",
			    ns, key);
		return NULL;
	}
	return g_bytes_ref(value);
}

gboolean
pxf_store_file_journal_commit(
	PxfStoreFile *self, const gchar *ns, const gchar *key, GBytes *value, GError **error)
{
	PxfStoreJournal *journal = pxf_store_file_journal(self, ns, error);
	g_autoptr(GHashTable) changes = g_hash_table_new(g_str_hash, g_str_equal);

	if (journal == NULL)
		return FALSE;
	g_hash_table_insert(changes, (gpointer)key, value);
	return pxf_store_journal_commit(journal, changes, error);
}

/* For tests: the journal of ns, opened if need be. */
PxfStoreJournal *
pxf_store_file_get_journal(PxfStoreFile *self, const gchar *ns, GError **error)
{
	g_autoptr(GMutexLocker) locker = NULL;

	locker = g_mutex_locker_new(&self->lock);
	return pxf_store_file_journal(self, ns, error);
}
