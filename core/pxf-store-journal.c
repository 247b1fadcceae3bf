/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-store"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pxf-store-journal.h"

/* Both files are a 16-byte header (8-byte magic, the generation as a
 * little-endian u64) and then records: u32 length, u32 CRC-32 of the
 * payload, payload. A payload is entries: u8 op, u16 key length, key, and
 * for a put a u32 value length and the value. The snapshot has one entry
 * per record and ends with an end entry holding the count; the journal has
 * one record per commit. The journal applies only to the snapshot of its
 * generation: compaction makes the new snapshot durable first (temporary
 * file, fsync, rename, directory fsync), then replaces the journal the same
 * way, so a crash between the two leaves an older journal whose changes
 * the new snapshot already holds, and it is ignored. */

#define PXF_JOURNAL_MAGIC	 "PXFJRNL1"
#define PXF_SNAPSHOT_MAGIC	 "PXFSNAP1"
#define PXF_JOURNAL_HEADER	 16
#define PXF_JOURNAL_RECORD_MAX	 (64 * 1024 * 1024)
#define PXF_JOURNAL_COMPACT_SIZE (8 * 1024 * 1024)
#define PXF_JOURNAL_TMP_MARK	 ".tmp-"

enum {
	PXF_JOURNAL_OP_PUT = 1,
	PXF_JOURNAL_OP_DELETE = 2,
	PXF_JOURNAL_OP_END = 3,
};

struct _PxfStoreJournal {
	gchar *dir;
	gchar *snapshot_path;
	gchar *journal_path;
	gchar *ns;
	const PxfStoreFileOps *ops;
	GHashTable *table; /* key → GBytes */
	guint64 generation;
	int fd;		    /* the journal, open for appending; -1 when none */
	gsize journal_size; /* bytes after the header */
	gsize compact_size;
	/* a failed append may have left a partial record: later records
	 * would sit behind it, so the next commit compacts first */
	gboolean broken;
};

guint32
pxf_store_crc32(const guint8 *buf, gsize len)
{
	guint32 crc = 0xffffffffu;
	for (gsize i = 0; i < len; i++) {
		crc ^= buf[i];
		for (guint b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return crc ^ 0xffffffffu;
}

static void
pxf_journal_put_u32(GByteArray *buf, guint32 v)
{
	guint8 b[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff};
	g_byte_array_append(buf, b, 4);
}

static guint32
pxf_journal_get_u32(const guint8 *p)
{
	return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16) | ((guint32)p[3] << 24);
}

static void
pxf_journal_header(GByteArray *buf, const gchar *magic, guint64 generation)
{
	g_byte_array_append(buf, (const guint8 *)magic, 8);
	pxf_journal_put_u32(buf, (guint32)(generation & 0xffffffffu));
	pxf_journal_put_u32(buf, (guint32)(generation >> 32));
}

static void
pxf_journal_entry(GByteArray *payload, guint8 op, const gchar *key, GBytes *value)
{
	gsize klen = strlen(key);
	guint8 k[2] = {klen & 0xff, (klen >> 8) & 0xff};

	g_byte_array_append(payload, &op, 1);
	g_byte_array_append(payload, k, 2);
	g_byte_array_append(payload, (const guint8 *)key, klen);
	if (op == PXF_JOURNAL_OP_PUT) {
		gsize vlen = 0;
		const guint8 *v = g_bytes_get_data(value, &vlen);
		pxf_journal_put_u32(payload, (guint32)vlen);
		g_byte_array_append(payload, v, vlen);
	}
}

/* Frames payload as one record at the end of buf. */
static void
pxf_journal_record(GByteArray *buf, GByteArray *payload)
{
	pxf_journal_put_u32(buf, payload->len);
	pxf_journal_put_u32(buf, pxf_store_crc32(payload->data, payload->len));
	g_byte_array_append(buf, payload->data, payload->len);
}

/* ---- I/O through the store's ops -------------------------------------- */

static gboolean
pxf_journal_write_all(PxfStoreJournal *self,
		      int fd,
		      const guint8 *buf,
		      gsize len,
		      const gchar *path,
		      GError **error)
{
	gsize done = 0;

	while (done < len) {
		ssize_t rc = self->ops->write(fd, buf + done, len - done);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0 || (gsize)rc > len - done) {
			int saved = rc < 0 ? errno : EIO;
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
				    "cannot write %s: %s", path, g_strerror(saved));
			return FALSE;
		}
		done += (gsize)rc;
	}
	return TRUE;
}

static gboolean
pxf_journal_sync(
	PxfStoreJournal *self, int fd, gboolean data_only, const gchar *path, GError **error)
{
	int rc;
	do {
		rc = data_only ? self->ops->fdatasync(fd) : self->ops->fsync(fd);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		int saved = errno;
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED, "cannot sync %s: %s",
			    path, g_strerror(saved));
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_journal_sync_dir(PxfStoreJournal *self, GError **error)
{
	int fd = self->ops->open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	gboolean ok;

	if (fd < 0) {
		int saved = errno;
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
			    "cannot open directory %s to sync it: %s", self->dir,
			    g_strerror(saved));
		return FALSE;
	}
	ok = pxf_journal_sync(self, fd, FALSE, self->dir, error);
	self->ops->close(fd);
	return ok;
}

/* Writes buf to a temporary file, fsyncs it and renames it to path, then
 * fsyncs the directory: path then holds buf or what it held before. */
static gboolean
pxf_journal_replace_file(PxfStoreJournal *self, const gchar *path, GByteArray *buf, GError **error)
{
	g_autofree gchar *base = g_path_get_basename(path);
	g_autofree gchar *tmp = NULL;
	int fd;

	tmp = g_strdup_printf("%s/.%s%s%d", self->dir, base, PXF_JOURNAL_TMP_MARK, (int)getpid());
	fd = self->ops->open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		int saved = errno;
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED, "cannot create %s: %s",
			    tmp, g_strerror(saved));
		return FALSE;
	}
	if (!pxf_journal_write_all(self, fd, buf->data, buf->len, tmp, error) ||
	    !pxf_journal_sync(self, fd, FALSE, tmp, error)) {
		self->ops->close(fd);
		self->ops->unlink(tmp);
		return FALSE;
	}
	if (self->ops->close(fd) < 0 || self->ops->rename(tmp, path) < 0) {
		int saved = errno;
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
			    "cannot rename %s to %s: %s", tmp, path, g_strerror(saved));
		self->ops->unlink(tmp);
		return FALSE;
	}
	return pxf_journal_sync_dir(self, error);
}

static GBytes *
pxf_journal_read_file(PxfStoreJournal *self, const gchar *path, GError **error)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	guint8 chunk[65536];
	int fd = self->ops->open(path, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0) {
		int saved = errno;
		g_set_error(error, PXF_STORE_ERROR,
			    saved == ENOENT ? PXF_STORE_ERROR_NOT_FOUND : PXF_STORE_ERROR_FAILED,
			    "cannot open %s: %s", path, g_strerror(saved));
		return NULL;
	}
	for (;;) {
		ssize_t n = self->ops->read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			self->ops->close(fd);
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
				    "cannot read %s: %s", path, g_strerror(saved));
			return NULL;
		}
		if (n == 0)
			break;
		g_byte_array_append(buf, chunk, (guint)n);
	}
	self->ops->close(fd);
	return g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}

/* ---- parsing ------------------------------------------------------------ */

static gboolean
pxf_journal_parse_header(const guint8 *data, gsize len, const gchar *magic, guint64 *generation)
{
	if (len < PXF_JOURNAL_HEADER || memcmp(data, magic, 8) != 0)
		return FALSE;
	*generation = (guint64)pxf_journal_get_u32(data + 8) |
		      ((guint64)pxf_journal_get_u32(data + 12) << 32);
	return TRUE;
}

/* Applies the entries of one checked payload to table (or, when table is
 * NULL, only checks them); *n_end is set by an end entry. */
static gboolean
pxf_journal_apply(GHashTable *table, const guint8 *p, gsize len, gint64 *n_end)
{
	gsize off = 0;

	while (off < len) {
		guint8 op = p[off];
		gsize klen;
		g_autofree gchar *key = NULL;

		if (op == PXF_JOURNAL_OP_END) {
			if (len - off < 5)
				return FALSE;
			*n_end = pxf_journal_get_u32(p + off + 1);
			off += 5;
			continue;
		}
		if (len - off < 3)
			return FALSE;
		klen = (gsize)p[off + 1] | ((gsize)p[off + 2] << 8);
		off += 3;
		if (klen == 0 || len - off < klen || memchr(p + off, '\0', klen) != NULL)
			return FALSE;
		key = g_strndup((const gchar *)p + off, klen);
		off += klen;
		if (op == PXF_JOURNAL_OP_PUT) {
			guint32 vlen;
			if (len - off < 4)
				return FALSE;
			vlen = pxf_journal_get_u32(p + off);
			off += 4;
			if (len - off < vlen)
				return FALSE;
			if (table != NULL)
				g_hash_table_replace(table, g_steal_pointer(&key),
						     g_bytes_new(p + off, vlen));
			off += vlen;
		} else if (op == PXF_JOURNAL_OP_DELETE) {
			if (table != NULL)
				g_hash_table_remove(table, key);
		} else {
			return FALSE;
		}
	}
	return TRUE;
}

/* Walks the records after the header; returns the offset of the first one
 * that is incomplete or fails its checksum (len when all are good). */
static gsize
pxf_journal_replay(GHashTable *table, const guint8 *data, gsize len, gint64 *n_end)
{
	gsize off = PXF_JOURNAL_HEADER;

	while (len - off >= 8) {
		guint32 rlen = pxf_journal_get_u32(data + off);
		guint32 crc = pxf_journal_get_u32(data + off + 4);
		const guint8 *payload = data + off + 8;

		if (rlen > PXF_JOURNAL_RECORD_MAX || len - off - 8 < rlen ||
		    pxf_store_crc32(payload, rlen) != crc)
			return off;
		/* a record that checks but does not parse is not a torn write:
		 * check it whole before applying any of it */
		if (!pxf_journal_apply(NULL, payload, rlen, n_end))
			return off;
		pxf_journal_apply(table, payload, rlen, n_end);
		off += 8 + rlen;
	}
	return off;
}

/* ---- compaction --------------------------------------------------------- */

static gboolean
pxf_journal_open_append(PxfStoreJournal *self, GError **error)
{
	if (self->fd >= 0)
		self->ops->close(self->fd);
	self->fd = self->ops->open(self->journal_path, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
	if (self->fd < 0) {
		int saved = errno;
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED, "cannot open %s: %s",
			    self->journal_path, g_strerror(saved));
		return FALSE;
	}
	return TRUE;
}

gboolean
pxf_store_journal_compact(PxfStoreJournal *self, GError **error)
{
	g_autoptr(GByteArray) snap = g_byte_array_new();
	g_autoptr(GByteArray) jrnl = g_byte_array_new();
	g_autoptr(GByteArray) end = g_byte_array_new();
	guint64 generation = self->generation + 1;
	GHashTableIter iter;
	gpointer key, value;
	guint8 op = PXF_JOURNAL_OP_END;

	pxf_journal_header(snap, PXF_SNAPSHOT_MAGIC, generation);
	g_hash_table_iter_init(&iter, self->table);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		g_autoptr(GByteArray) payload = g_byte_array_new();
		pxf_journal_entry(payload, PXF_JOURNAL_OP_PUT, key, value);
		pxf_journal_record(snap, payload);
	}
	g_byte_array_append(end, &op, 1);
	pxf_journal_put_u32(end, g_hash_table_size(self->table));
	pxf_journal_record(snap, end);
	/* the snapshot first: until its rename is durable the old snapshot and
	 * journal are the state; after it, the old journal is stale */
	if (!pxf_journal_replace_file(self, self->snapshot_path, snap, error))
		return FALSE;
	self->generation = generation;
	pxf_journal_header(jrnl, PXF_JOURNAL_MAGIC, generation);
	if (!pxf_journal_replace_file(self, self->journal_path, jrnl, error)) {
		/* commits must not append to the old journal, which no longer
		 * applies to the snapshot */
		self->broken = TRUE;
		return FALSE;
	}
	if (!pxf_journal_open_append(self, error)) {
		self->broken = TRUE;
		return FALSE;
	}
	self->journal_size = 0;
	self->broken = FALSE;
	g_debug("%s: snapshot of %u records, generation %" G_GUINT64_FORMAT, self->snapshot_path,
		g_hash_table_size(self->table), generation);
	return TRUE;
}

/* ---- open and commit ------------------------------------------------------ */

static gboolean
pxf_journal_load_snapshot(PxfStoreJournal *self, GBytes *bytes, GError **error)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	gint64 n_end = -1;
	gsize good;

	if (!pxf_journal_parse_header(data, len, PXF_SNAPSHOT_MAGIC, &self->generation)) {
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_CORRUPT,
			    "%s: not a pxeforge snapshot", self->snapshot_path);
		return FALSE;
	}
	good = pxf_journal_replay(self->table, data, len, &n_end);
	/* written whole and synced before its rename: any damage is not a
	 * crash but a disk or a hand that changed it */
	if (good != len || n_end != (gint64)g_hash_table_size(self->table)) {
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_CORRUPT,
			    "%s: damaged at byte %" G_GSIZE_FORMAT
			    " (a snapshot is never written in place); restore it from a "
			    "backup",
			    self->snapshot_path, good);
		return FALSE;
	}
	return TRUE;
}

typedef enum {
	PXF_JOURNAL_LOAD_FAILED,
	PXF_JOURNAL_LOAD_APPEND, /* sound: append to it */
	PXF_JOURNAL_LOAD_RESET,	 /* missing, stale or torn: start a new one */
} PxfJournalLoad;

/* Replays the journal. A journal that cannot be read fails the open: a new
 * one would drop the acknowledged batches it holds. */
static PxfJournalLoad
pxf_journal_load_journal(PxfStoreJournal *self, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GBytes) bytes = pxf_journal_read_file(self, self->journal_path, &error_local);
	gsize len = 0;
	const guint8 *data;
	guint64 generation = 0;
	gint64 n_end = -1;
	gsize good;

	if (bytes == NULL) {
		if (g_error_matches(error_local, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND))
			return PXF_JOURNAL_LOAD_RESET;
		g_propagate_error(error, g_steal_pointer(&error_local));
		return PXF_JOURNAL_LOAD_FAILED;
	}
	data = g_bytes_get_data(bytes, &len);
	if (!pxf_journal_parse_header(data, len, PXF_JOURNAL_MAGIC, &generation) ||
	    generation != self->generation) {
		/* a crash during compaction, after the new snapshot was durable
		 * (or before the first journal was) */
		g_info("%s: older than %s, which holds its changes", self->journal_path,
		       self->snapshot_path);
		return PXF_JOURNAL_LOAD_RESET;
	}
	good = pxf_journal_replay(self->table, data, len, &n_end);
	self->journal_size = good - PXF_JOURNAL_HEADER;
	if (good != len) {
		g_warning("%s: ignoring %" G_GSIZE_FORMAT " bytes of an incomplete last "
			  "record at byte %" G_GSIZE_FORMAT
			  " (a write interrupted by a crash; it was never acknowledged)",
			  self->journal_path, len - good, good);
		return PXF_JOURNAL_LOAD_RESET;
	}
	return PXF_JOURNAL_LOAD_APPEND;
}

PxfStoreJournal *
pxf_store_journal_open(const gchar *dir,
		       const gchar *ns,
		       const PxfStoreFileOps *ops,
		       GHashTable *migrate,
		       GError **error)
{
	g_autoptr(PxfStoreJournal) self = g_new0(PxfStoreJournal, 1);
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GBytes) snapshot = NULL;
	g_autofree gchar *snapshot_name = g_strdup_printf("%s.snapshot", ns);
	g_autofree gchar *journal_name = g_strdup_printf("%s.journal", ns);

	self->dir = g_strdup(dir);
	self->ns = g_strdup(ns);
	self->ops = ops;
	self->fd = -1;
	self->compact_size = PXF_JOURNAL_COMPACT_SIZE;
	self->snapshot_path = g_build_filename(dir, snapshot_name, NULL);
	self->journal_path = g_build_filename(dir, journal_name, NULL);
	self->table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    (GDestroyNotify)g_bytes_unref);

	snapshot = pxf_journal_read_file(self, self->snapshot_path, &error_local);
	if (snapshot == NULL) {
		GHashTableIter iter;
		gpointer key, value;

		if (!g_error_matches(error_local, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return NULL;
		}
		/* first start, or first start after an upgrade */
		if (migrate != NULL) {
			g_hash_table_iter_init(&iter, migrate);
			while (g_hash_table_iter_next(&iter, &key, &value))
				g_hash_table_replace(self->table, g_strdup(key),
						     g_bytes_ref(value));
		}
		if (!pxf_store_journal_compact(self, error))
			return NULL;
		return g_steal_pointer(&self);
	}
	if (!pxf_journal_load_snapshot(self, snapshot, error))
		return NULL;
	switch (pxf_journal_load_journal(self, error)) {
	case PXF_JOURNAL_LOAD_FAILED:
		return NULL;
	case PXF_JOURNAL_LOAD_RESET:
		/* start clean so appends never land behind a partial record */
		if (!pxf_store_journal_compact(self, error))
			return NULL;
		break;
	case PXF_JOURNAL_LOAD_APPEND:
		if (!pxf_journal_open_append(self, error))
			return NULL;
		break;
	}
	return g_steal_pointer(&self);
}

void
pxf_store_journal_free(PxfStoreJournal *self)
{
	if (self == NULL)
		return;
	if (self->fd >= 0)
		self->ops->close(self->fd);
	g_hash_table_unref(self->table);
	g_free(self->dir);
	g_free(self->ns);
	g_free(self->snapshot_path);
	g_free(self->journal_path);
	g_free(self);
}

GHashTable *
pxf_store_journal_get_table(PxfStoreJournal *self)
{
	return self->table;
}

void
pxf_store_journal_set_compact_size(PxfStoreJournal *self, gsize size)
{
	self->compact_size = size;
}

gboolean
pxf_store_journal_commit(PxfStoreJournal *self, GHashTable *changes, GError **error)
{
	g_autoptr(GByteArray) payload = g_byte_array_new();
	g_autoptr(GByteArray) record = g_byte_array_new();
	GHashTableIter iter;
	gpointer key, value;

	if (g_hash_table_size(changes) == 0)
		return TRUE;
	if ((self->broken || self->journal_size >= self->compact_size) &&
	    !pxf_store_journal_compact(self, error))
		return FALSE;

	g_hash_table_iter_init(&iter, changes);
	while (g_hash_table_iter_next(&iter, &key, &value))
		pxf_journal_entry(payload,
				  value != NULL ? PXF_JOURNAL_OP_PUT : PXF_JOURNAL_OP_DELETE, key,
				  value);
	if (payload->len > PXF_JOURNAL_RECORD_MAX) {
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
			    "%s: a batch of %u bytes is larger than a record may be",
			    self->journal_path, payload->len);
		return FALSE;
	}
	pxf_journal_record(record, payload);
	if (!pxf_journal_write_all(self, self->fd, record->data, record->len, self->journal_path,
				   error) ||
	    !pxf_journal_sync(self, self->fd, TRUE, self->journal_path, error)) {
		self->broken = TRUE;
		return FALSE;
	}
	self->journal_size += record->len;
	g_hash_table_iter_init(&iter, changes);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		if (value != NULL)
			g_hash_table_replace(self->table, g_strdup(key), g_bytes_ref(value));
		else
			g_hash_table_remove(self->table, key);
	}
	return TRUE;
}
