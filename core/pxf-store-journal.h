/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A namespace of the file store kept as a snapshot and an append-only
 * journal (DIR/NS.snapshot, DIR/NS.journal), for records written in
 * batches at a high rate (the dhcp plugin's leases). One commit() is one
 * journal record, written with one write and made durable with one
 * fdatasync, so a main-loop pass of changes costs one sync. See
 * docs/state.md for the formats and the crash-safety argument. */
#pragma once

#include "pxf-store.h"

G_BEGIN_DECLS

typedef struct _PxfStoreJournal PxfStoreJournal;

/* Loads DIR/NS.snapshot and replays DIR/NS.journal, ignoring a torn last
 * record. When there is no snapshot yet, migrate (key → GBytes, may be NULL)
 * is the namespace's content (the records of the old one-file-per-record
 * layout) and is made durable as the first snapshot before this returns.
 * ops stays owned by the caller and must outlive the journal. */
PxfStoreJournal *pxf_store_journal_open(const gchar *dir,
					const gchar *ns,
					const PxfStoreFileOps *ops,
					GHashTable *migrate,
					GError **error);
void pxf_store_journal_free(PxfStoreJournal *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfStoreJournal, pxf_store_journal_free)

/* key → GBytes, the committed content; transfer none. */
GHashTable *pxf_store_journal_get_table(PxfStoreJournal *self);
/* changes: key → GBytes, or NULL to delete. All or nothing: durable when it
 * returns TRUE; on FALSE the content is unchanged and the error names the
 * file. */
gboolean pxf_store_journal_commit(PxfStoreJournal *self, GHashTable *changes, GError **error);
/* Rewrites the snapshot from the content and starts an empty journal. */
gboolean pxf_store_journal_compact(PxfStoreJournal *self, GError **error);
/* The journal size past which commit() compacts first (tests). */
void pxf_store_journal_set_compact_size(PxfStoreJournal *self, gsize size);

/* For tests: the journal behind a journaled namespace of a file store. */
PxfStoreJournal *pxf_store_file_get_journal(PxfStoreFile *self, const gchar *ns, GError **error);

/* Bytes of buf, CRC-32 (IEEE 802.3), as zlib's crc32(0, buf, len). */
guint32 pxf_store_crc32(const guint8 *buf, gsize len);

G_END_DECLS
