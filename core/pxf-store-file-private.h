/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to the file store: pxf-store-file.c and its journaled namespaces
 * in pxf-store-file-journal.c. */
#pragma once

#include "pxf-store-journal.h"
#include "pxf-store.h"

G_BEGIN_DECLS

#define PXF_STORE_SUFFIX ".json"

struct _PxfStoreFile {
	GObject parent_instance;
	gchar *dir;
	PxfStoreFileOps ops;
	/* Serialises the writers of this object, which replace() needs for its
	 * compare-then-put; create() does not rely on it (link() is atomic). */
	GMutex lock;
	/* Namespaces whose directory entry this object has made durable. */
	GHashTable *synced_ns;
	/* ns → PxfStoreJournal, the journaled namespaces opened so far */
	GHashTable *journals;
};

gboolean pxf_store_file_is_temp_name(const gchar *name);
gboolean pxf_store_file_sync_dir(PxfStoreFile *self, const gchar *dir, GError **error);
/* strict: a record that cannot be read fails the listing */
GHashTable *
pxf_store_file_list_files(PxfStoreFile *self, const gchar *ns, gboolean strict, GError **error);

/* All with the lock held. The journal of ns, opened (and the old layout
 * migrated) on first use. */
PxfStoreJournal *pxf_store_file_journal(PxfStoreFile *self, const gchar *ns, GError **error);
GBytes *
pxf_store_file_journal_get(PxfStoreFile *self, const gchar *ns, const gchar *key, GError **error);
/* One change; value NULL removes. */
gboolean pxf_store_file_journal_commit(
	PxfStoreFile *self, const gchar *ns, const gchar *key, GBytes *value, GError **error);

G_END_DECLS
