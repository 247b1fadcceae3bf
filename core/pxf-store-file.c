/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-store"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pxf-store-file-private.h"

/* The embedded backend: one file per record, DIR/NS/KEY.json. A record is
 * published by renaming (put) or hard-linking (create) a fully written and
 * fsynced temporary file over its name, and becomes durable when the
 * directory is fsynced; see docs/state.md for the crash-safety argument. */

#define PXF_STORE_NAME_MAX  128
#define PXF_STORE_VALUE_MAX (16 * 1024 * 1024)
#define PXF_STORE_TMP_TRIES 16
#define PXF_STORE_TMP_MARK  ".tmp-"

/* Written in batches at a high rate: a snapshot and a journal rather than
 * a file per record. */
static const gchar *const pxf_store_file_journaled[] = {"leases", NULL};

static void pxf_store_file_iface_init(PxfStoreInterface *iface);

G_DEFINE_TYPE_WITH_CODE(PxfStoreFile,
			pxf_store_file,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(PXF_TYPE_STORE, pxf_store_file_iface_init))

/* ---- the real system calls ------------------------------------------- */

/* open(2) is variadic, so it needs a wrapper to fit the vtable. */
static int
pxf_store_file_real_open(const char *path, int flags, mode_t mode)
{
	return open(path, flags, mode);
}

static const PxfStoreFileOps pxf_store_file_real_ops = {
	.open = pxf_store_file_real_open,
	.write = write,
	.fsync = fsync,
	.close = close,
	.rename = rename,
	.unlink = unlink,
	.link = link,
	.mkdir = mkdir,
	.read = read,
	.fdatasync = fdatasync,
};

void
pxf_store_file_set_ops(PxfStoreFile *self, const PxfStoreFileOps *ops)
{
	const PxfStoreFileOps *real = &pxf_store_file_real_ops;

	g_return_if_fail(PXF_IS_STORE_FILE(self));

	if (ops == NULL) {
		self->ops = *real;
		return;
	}
	self->ops.open = ops->open != NULL ? ops->open : real->open;
	self->ops.write = ops->write != NULL ? ops->write : real->write;
	self->ops.fsync = ops->fsync != NULL ? ops->fsync : real->fsync;
	self->ops.close = ops->close != NULL ? ops->close : real->close;
	self->ops.rename = ops->rename != NULL ? ops->rename : real->rename;
	self->ops.unlink = ops->unlink != NULL ? ops->unlink : real->unlink;
	self->ops.link = ops->link != NULL ? ops->link : real->link;
	self->ops.mkdir = ops->mkdir != NULL ? ops->mkdir : real->mkdir;
	self->ops.read = ops->read != NULL ? ops->read : real->read;
	self->ops.fdatasync = ops->fdatasync != NULL ? ops->fdatasync : real->fdatasync;
}

/* ---- names and paths ------------------------------------------------- */

/* Names come from callers that may pass anything (a MAC from a packet):
 * the error shows it escaped and shortened. */
static gboolean
pxf_store_file_check_name(const gchar *what, const gchar *name, GError **error)
{
	gsize len = strlen(name);
	g_autofree gchar *shown = NULL;
	const gchar *why = NULL;

	if (len == 0)
		why = "it is empty";
	else if (len > PXF_STORE_NAME_MAX)
		why = "it is longer than 128 characters";
	else if (name[0] == '.')
		why = "it starts with '.'";
	for (gsize i = 0; why == NULL && i < len; i++) {
		if (!g_ascii_isalnum(name[i]) && strchr(":._-", name[i]) == NULL)
			why = "only A-Z a-z 0-9 : . _ - are allowed";
	}
	if (why == NULL)
		return TRUE;

	{
		g_autofree gchar *cut = g_strndup(name, 64);
		g_autofree gchar *esc = g_strescape(cut, NULL);
		shown = len > 64 ? g_strdup_printf("%s...", esc) : g_steal_pointer(&esc);
	}
	g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED, "invalid store %s \"%s\": %s",
		    what, shown, why);
	return FALSE;
}

static gboolean
pxf_store_file_check(const gchar *ns, const gchar *key, GError **error)
{
	if (!pxf_store_file_check_name("namespace", ns, error))
		return FALSE;
	if (key != NULL && !pxf_store_file_check_name("key", key, error))
		return FALSE;
	return TRUE;
}

static gchar *
pxf_store_file_record_path(PxfStoreFile *self, const gchar *ns, const gchar *key)
{
	g_autofree gchar *base = g_strconcat(key, PXF_STORE_SUFFIX, NULL);
	return g_build_filename(self->dir, ns, base, NULL);
}

gboolean
pxf_store_file_is_temp_name(const gchar *name)
{
	return name[0] == '.' && strstr(name, PXF_STORE_TMP_MARK) != NULL;
}

/* ---- I/O helpers, all through self->ops ------------------------------ */

gboolean
pxf_store_file_sync_dir(PxfStoreFile *self, const gchar *dir, GError **error)
{
	int fd;
	int rc;
	int saved;

	fd = self->ops.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0) {
		saved = errno;
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
			    "cannot open directory %s to sync it: %s", dir, g_strerror(saved));
		return FALSE;
	}
	do {
		rc = self->ops.fsync(fd);
	} while (rc < 0 && errno == EINTR);
	saved = errno;
	self->ops.close(fd);
	if (rc < 0) {
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
			    "cannot sync directory %s: %s", dir, g_strerror(saved));
		return FALSE;
	}
	return TRUE;
}

/* A namespace directory must itself be durable before any record in it
 * counts as written, so the first use by this object syncs the parent even
 * when the directory already existed (an earlier run may have crashed
 * between mkdir and that sync). */
static gboolean
pxf_store_file_ensure_ns(PxfStoreFile *self, const gchar *ns, GError **error)
{
	g_autofree gchar *ns_dir = NULL;

	if (g_hash_table_contains(self->synced_ns, ns))
		return TRUE;
	ns_dir = g_build_filename(self->dir, ns, NULL);
	if (self->ops.mkdir(ns_dir, 0750) < 0 && errno != EEXIST) {
		int saved = errno;
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
			    "cannot create directory %s: %s", ns_dir, g_strerror(saved));
		return FALSE;
	}
	if (!pxf_store_file_sync_dir(self, self->dir, error))
		return FALSE;
	g_hash_table_add(self->synced_ns, g_strdup(ns));
	return TRUE;
}

static gboolean
pxf_store_file_write_all(
	PxfStoreFile *self, int fd, GBytes *value, const gchar *path, GError **error)
{
	gsize len = 0;
	const guint8 *buf = g_bytes_get_data(value, &len);
	gsize done = 0;

	while (done < len) {
		ssize_t rc = self->ops.write(fd, buf + done, len - done);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			int saved = errno;
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
				    "cannot write %s: %s", path, g_strerror(saved));
			return FALSE;
		}
		/* zero progress would loop forever; more than asked is a bug */
		if (rc == 0 || (gsize)rc > len - done) {
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
				    "cannot write %s: write returned %" G_GSSIZE_FORMAT
				    " for %" G_GSIZE_FORMAT " bytes",
				    path, (gssize)rc, len - done);
			return FALSE;
		}
		done += (gsize)rc;
	}
	return TRUE;
}

/* Creates DIR/NS/.KEY.json.tmp-XXXXXX holding value, fsynced and closed.
 * On failure nothing is left behind (or, after a crash, the clean-up on
 * open removes it). */
static gchar *
pxf_store_file_write_temp(
	PxfStoreFile *self, const gchar *ns, const gchar *key, GBytes *value, GError **error)
{
	static const gchar alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	g_autofree gchar *tmp = NULL;
	int fd = -1;
	int rc;

	for (guint i = 0; i < PXF_STORE_TMP_TRIES && fd < 0; i++) {
		gchar suffix[7];
		g_autofree gchar *base = NULL;

		for (guint j = 0; j < 6; j++)
			suffix[j] = alphabet[g_random_int_range(0, sizeof(alphabet) - 1)];
		suffix[6] = '\0';
		base = g_strdup_printf(".%s%s%s%s", key, PXF_STORE_SUFFIX, PXF_STORE_TMP_MARK,
				       suffix);
		g_free(tmp);
		tmp = g_build_filename(self->dir, ns, base, NULL);
		fd = self->ops.open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd < 0 && errno != EEXIST) {
			int saved = errno;
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
				    "cannot create %s: %s", tmp, g_strerror(saved));
			return NULL;
		}
	}
	if (fd < 0) {
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
			    "cannot create a unique temporary file for %s/%s", ns, key);
		return NULL;
	}

	if (!pxf_store_file_write_all(self, fd, value, tmp, error)) {
		self->ops.close(fd);
		self->ops.unlink(tmp);
		return NULL;
	}
	do {
		rc = self->ops.fsync(fd);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		int saved = errno;
		self->ops.close(fd);
		self->ops.unlink(tmp);
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED, "cannot sync %s: %s",
			    tmp, g_strerror(saved));
		return NULL;
	}
	/* close() can report a write-back error on network file systems */
	if (self->ops.close(fd) < 0) {
		int saved = errno;
		self->ops.unlink(tmp);
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED, "cannot close %s: %s",
			    tmp, g_strerror(saved));
		return NULL;
	}
	return g_steal_pointer(&tmp);
}

static GBytes *
pxf_store_file_read_path(PxfStoreFile *self, const gchar *path, GError **error)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	int fd;

	fd = self->ops.open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		int saved = errno;
		g_set_error(error, PXF_STORE_ERROR,
			    saved == ENOENT ? PXF_STORE_ERROR_NOT_FOUND : PXF_STORE_ERROR_FAILED,
			    "cannot open %s: %s", path, g_strerror(saved));
		return NULL;
	}
	for (;;) {
		guint8 chunk[8192];
		ssize_t rc = self->ops.read(fd, chunk, sizeof(chunk));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			int saved = errno;
			self->ops.close(fd);
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_CORRUPT,
				    "cannot read %s: %s", path, g_strerror(saved));
			return NULL;
		}
		if (rc == 0)
			break;
		if ((gsize)rc > sizeof(chunk) || buf->len + (gsize)rc > PXF_STORE_VALUE_MAX) {
			self->ops.close(fd);
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_CORRUPT,
				    "cannot read %s: larger than %u bytes", path,
				    (guint)PXF_STORE_VALUE_MAX);
			return NULL;
		}
		g_byte_array_append(buf, chunk, (guint)rc);
	}
	self->ops.close(fd);
	return g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}

/* ---- the operations -------------------------------------------------- */

static gboolean
pxf_store_file_is_journaled(const gchar *ns)
{
	return g_strv_contains(pxf_store_file_journaled, ns);
}

static GBytes *
pxf_store_file_get(PxfStore *store, const gchar *ns, const gchar *key, GError **error)
{
	PxfStoreFile *self = PXF_STORE_FILE(store);
	g_autofree gchar *path = NULL;

	if (!pxf_store_file_check(ns, key, error))
		return NULL;
	if (pxf_store_file_is_journaled(ns)) {
		g_autoptr(GMutexLocker) locker = NULL;

		locker = g_mutex_locker_new(&self->lock);
		return pxf_store_file_journal_get(self, ns, key, error);
	}
	path = pxf_store_file_record_path(self, ns, key);
	return pxf_store_file_read_path(self, path, error);
}

static gboolean
pxf_store_file_put_locked(
	PxfStoreFile *self, const gchar *ns, const gchar *key, GBytes *value, GError **error)
{
	g_autofree gchar *path = pxf_store_file_record_path(self, ns, key);
	g_autofree gchar *ns_dir = g_build_filename(self->dir, ns, NULL);
	g_autofree gchar *tmp = NULL;

	if (!pxf_store_file_ensure_ns(self, ns, error))
		return FALSE;
	tmp = pxf_store_file_write_temp(self, ns, key, value, error);
	if (tmp == NULL)
		return FALSE;
	if (self->ops.rename(tmp, path) < 0) {
		int saved = errno;
		self->ops.unlink(tmp);
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
			    "cannot rename %s to %s: %s", tmp, path, g_strerror(saved));
		return FALSE;
	}
	if (!pxf_store_file_sync_dir(self, ns_dir, error)) {
		g_prefix_error(error, "%s may not survive a crash: ", path);
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_store_file_put(
	PxfStore *store, const gchar *ns, const gchar *key, GBytes *value, GError **error)
{
	PxfStoreFile *self = PXF_STORE_FILE(store);
	g_autoptr(GMutexLocker) locker = NULL;

	if (!pxf_store_file_check(ns, key, error))
		return FALSE;
	locker = g_mutex_locker_new(&self->lock);
	if (pxf_store_file_is_journaled(ns))
		return pxf_store_file_journal_commit(self, ns, key, value, error);
	return pxf_store_file_put_locked(self, ns, key, value, error);
}

static gboolean
pxf_store_file_create(
	PxfStore *store, const gchar *ns, const gchar *key, GBytes *value, GError **error)
{
	PxfStoreFile *self = PXF_STORE_FILE(store);
	g_autoptr(GMutexLocker) locker = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *ns_dir = NULL;
	g_autofree gchar *tmp = NULL;

	if (!pxf_store_file_check(ns, key, error))
		return FALSE;
	locker = g_mutex_locker_new(&self->lock);
	if (pxf_store_file_is_journaled(ns)) {
		PxfStoreJournal *journal = pxf_store_file_journal(self, ns, error);
		if (journal == NULL)
			return FALSE;
		if (g_hash_table_contains(pxf_store_journal_get_table(journal), key)) {
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_EXISTS,
				    "record %s/%s already exists", ns, key);
			return FALSE;
		}
		return pxf_store_file_journal_commit(self, ns, key, value, error);
	}
	path = pxf_store_file_record_path(self, ns, key);
	ns_dir = g_build_filename(self->dir, ns, NULL);
	if (!pxf_store_file_ensure_ns(self, ns, error))
		return FALSE;
	tmp = pxf_store_file_write_temp(self, ns, key, value, error);
	if (tmp == NULL)
		return FALSE;

	/* Unlike rename(), link() refuses an existing target, so of several
	 * creators (threads, or processes sharing the directory) exactly one
	 * wins, and the record it publishes is already complete on disk. */
	if (self->ops.link(tmp, path) < 0) {
		int saved = errno;
		self->ops.unlink(tmp);
		if (saved == EEXIST) {
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_EXISTS,
				    "record %s/%s already exists", ns, key);
		} else {
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
				    "cannot link %s to %s: %s", tmp, path, g_strerror(saved));
		}
		return FALSE;
	}
	if (self->ops.unlink(tmp) < 0) {
		int saved = errno;
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
			    "%s was created but %s cannot be removed: %s", path, tmp,
			    g_strerror(saved));
		return FALSE;
	}
	if (!pxf_store_file_sync_dir(self, ns_dir, error)) {
		g_prefix_error(error, "%s may not survive a crash: ", path);
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_store_file_replace(PxfStore *store,
		       const gchar *ns,
		       const gchar *key,
		       GBytes *expected,
		       GBytes *value,
		       GError **error)
{
	PxfStoreFile *self = PXF_STORE_FILE(store);
	g_autoptr(GMutexLocker) locker = NULL;
	g_autoptr(GBytes) current = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!pxf_store_file_check(ns, key, error))
		return FALSE;
	/* the lock makes compare-then-put atomic against this object's other
	 * writers; one daemon owns a state directory (docs/state.md) */
	locker = g_mutex_locker_new(&self->lock);
	if (pxf_store_file_is_journaled(ns))
		current = pxf_store_file_journal_get(self, ns, key, &error_local);
	else
		current = pxf_store_file_get(store, ns, key, &error_local);
	if (current == NULL) {
		if (g_error_matches(error_local, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND)) {
			g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_CONFLICT,
				    "record %s/%s changed: it no longer exists", ns, key);
			return FALSE;
		}
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	if (!g_bytes_equal(current, expected)) {
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_CONFLICT,
			    "record %s/%s changed: its value is not the expected one", ns, key);
		return FALSE;
	}
	if (pxf_store_file_is_journaled(ns))
		return pxf_store_file_journal_commit(self, ns, key, value, error);
	return pxf_store_file_put_locked(self, ns, key, value, error);
}

static gboolean
pxf_store_file_remove(PxfStore *store, const gchar *ns, const gchar *key, GError **error)
{
	PxfStoreFile *self = PXF_STORE_FILE(store);
	g_autoptr(GMutexLocker) locker = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *ns_dir = NULL;

	if (!pxf_store_file_check(ns, key, error))
		return FALSE;
	locker = g_mutex_locker_new(&self->lock);
	if (pxf_store_file_is_journaled(ns)) {
		g_autoptr(GBytes) current = pxf_store_file_journal_get(self, ns, key, error);
		if (current == NULL)
			return FALSE;
		return pxf_store_file_journal_commit(self, ns, key, NULL, error);
	}
	path = pxf_store_file_record_path(self, ns, key);
	ns_dir = g_build_filename(self->dir, ns, NULL);
	if (self->ops.unlink(path) < 0) {
		int saved = errno;
		g_set_error(error, PXF_STORE_ERROR,
			    saved == ENOENT ? PXF_STORE_ERROR_NOT_FOUND : PXF_STORE_ERROR_FAILED,
			    "cannot remove %s: %s", path, g_strerror(saved));
		return FALSE;
	}
	if (!pxf_store_file_sync_dir(self, ns_dir, error)) {
		g_prefix_error(error, "removal of %s may not survive a crash: ", path);
		return FALSE;
	}
	return TRUE;
}

/* strict: a record that cannot be read fails the listing (a migration must
 * not drop it) rather than being skipped with a warning. */
GHashTable *
pxf_store_file_list_files(PxfStoreFile *self, const gchar *ns, gboolean strict, GError **error)
{
	g_autoptr(GHashTable) records = NULL;
	g_autoptr(GDir) dir = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *ns_dir = NULL;
	const gchar *name;

	if (!pxf_store_file_check(ns, NULL, error))
		return NULL;
	records = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					(GDestroyNotify)g_bytes_unref);
	ns_dir = g_build_filename(self->dir, ns, NULL);
	dir = g_dir_open(ns_dir, 0, &error_local);
	if (dir == NULL) {
		/* a namespace nothing was ever written to */
		if (g_error_matches(error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return g_steal_pointer(&records);
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED, "cannot list %s: %s",
			    ns_dir, error_local->message);
		return NULL;
	}
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *key = NULL;
		g_autofree gchar *path = NULL;
		g_autoptr(GBytes) value = NULL;
		g_autoptr(GError) error_read = NULL;

		/* temporary files of a write in progress, or of a crash */
		if (name[0] == '.' || !g_str_has_suffix(name, PXF_STORE_SUFFIX))
			continue;
		path = g_build_filename(ns_dir, name, NULL);
		key = g_strndup(name, strlen(name) - strlen(PXF_STORE_SUFFIX));
		if (!pxf_store_file_check_name("key", key, &error_read)) {
			g_warning("skipping %s: %s", path, error_read->message);
			continue;
		}
		value = pxf_store_file_read_path(self, path, &error_read);
		if (value == NULL && strict) {
			g_propagate_prefixed_error(error, g_steal_pointer(&error_read),
						   "cannot move %s into %s/%s.snapshot: ", ns_dir,
						   self->dir, ns);
			return NULL;
		}
		if (value == NULL) {
			g_warning("skipping unreadable record: %s", error_read->message);
			continue;
		}
		g_hash_table_insert(records, g_steal_pointer(&key), g_steal_pointer(&value));
	}
	return g_steal_pointer(&records);
}

/* ---- journaled namespaces (pxf-store-file-journal.c) ---------------- */

static GHashTable *
pxf_store_file_list(PxfStore *store, const gchar *ns, GError **error)
{
	PxfStoreFile *self = PXF_STORE_FILE(store);
	g_autoptr(GMutexLocker) locker = NULL;
	PxfStoreJournal *journal;
	GHashTable *records;
	GHashTableIter iter;
	gpointer key, value;

	if (!pxf_store_file_check(ns, NULL, error))
		return NULL;
	if (!pxf_store_file_is_journaled(ns))
		return pxf_store_file_list_files(self, ns, FALSE, error);
	locker = g_mutex_locker_new(&self->lock);
	journal = pxf_store_file_journal(self, ns, error);
	if (journal == NULL)
		return NULL;
	records = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					(GDestroyNotify)g_bytes_unref);
	g_hash_table_iter_init(&iter, pxf_store_journal_get_table(journal));
	while (g_hash_table_iter_next(&iter, &key, &value))
		g_hash_table_insert(records, g_strdup(key), g_bytes_ref(value));
	return records;
}

static gboolean
pxf_store_file_commit(PxfStore *store, const gchar *ns, GHashTable *changes, GError **error)
{
	PxfStoreFile *self = PXF_STORE_FILE(store);
	g_autoptr(GMutexLocker) locker = NULL;
	PxfStoreJournal *journal;
	GHashTableIter iter;
	gpointer key, value;

	if (!pxf_store_file_check(ns, NULL, error))
		return FALSE;
	g_hash_table_iter_init(&iter, changes);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		if (!pxf_store_file_check(ns, key, error))
			return FALSE;
	}
	if (pxf_store_file_is_journaled(ns)) {
		locker = g_mutex_locker_new(&self->lock);
		journal = pxf_store_file_journal(self, ns, error);
		return journal != NULL && pxf_store_journal_commit(journal, changes, error);
	}
	/* a file per record: each change durable on its own */
	g_hash_table_iter_init(&iter, changes);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		g_autoptr(GError) error_local = NULL;
		if (value != NULL) {
			if (!pxf_store_file_put(store, ns, key, value, error))
				return FALSE;
		} else if (!pxf_store_file_remove(store, ns, key, &error_local) &&
			   !g_error_matches(error_local, PXF_STORE_ERROR,
					    PXF_STORE_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
	}
	return TRUE;
}

/* ---- opening: clean up after a crash --------------------------------- */

static gboolean
pxf_store_file_clean_dir(PxfStoreFile *self, const gchar *path, gboolean top, GError **error)
{
	g_autoptr(GDir) dir = NULL;
	g_autoptr(GError) error_local = NULL;
	const gchar *name;
	guint removed = 0;

	dir = g_dir_open(path, 0, &error_local);
	if (dir == NULL) {
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED, "cannot list %s: %s",
			    path, error_local->message);
		return FALSE;
	}
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		GStatBuf st;

		if (pxf_store_file_is_temp_name(name)) {
			if (self->ops.unlink(child) < 0 && errno != ENOENT) {
				int saved = errno;
				g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
					    "cannot remove leftover %s: %s", child,
					    g_strerror(saved));
				return FALSE;
			}
			g_info("removed %s left by an interrupted write", child);
			removed++;
			continue;
		}
		/* one level down: the namespace directories */
		if (top && name[0] != '.' && g_lstat(child, &st) == 0 && S_ISDIR(st.st_mode) &&
		    !pxf_store_file_clean_dir(self, child, FALSE, error))
			return FALSE;
	}
	if (removed > 0)
		return pxf_store_file_sync_dir(self, path, error);
	return TRUE;
}

PxfStore *
pxf_store_file_new(const gchar *dir, GError **error)
{
	g_autoptr(PxfStoreFile) self = NULL;

	g_return_val_if_fail(dir != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (g_mkdir_with_parents(dir, 0750) < 0) {
		int saved = errno;
		g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
			    "cannot create state directory %s: %s", dir, g_strerror(saved));
		return NULL;
	}
	self = g_object_new(PXF_TYPE_STORE_FILE, NULL);
	self->dir = g_strdup(dir);
	if (!pxf_store_file_clean_dir(self, self->dir, TRUE, error))
		return NULL;
	return PXF_STORE(g_steal_pointer(&self));
}

static void
pxf_store_file_finalize(GObject *object)
{
	PxfStoreFile *self = PXF_STORE_FILE(object);

	g_free(self->dir);
	g_hash_table_unref(self->synced_ns);
	g_hash_table_unref(self->journals);
	g_mutex_clear(&self->lock);
	G_OBJECT_CLASS(pxf_store_file_parent_class)->finalize(object);
}

static void
pxf_store_file_iface_init(PxfStoreInterface *iface)
{
	iface->get = pxf_store_file_get;
	iface->put = pxf_store_file_put;
	iface->create = pxf_store_file_create;
	iface->replace = pxf_store_file_replace;
	iface->remove = pxf_store_file_remove;
	iface->list = pxf_store_file_list;
	iface->commit = pxf_store_file_commit;
}

static void
pxf_store_file_class_init(PxfStoreFileClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->finalize = pxf_store_file_finalize;
}

static void
pxf_store_file_init(PxfStoreFile *self)
{
	self->ops = pxf_store_file_real_ops;
	g_mutex_init(&self->lock);
	self->synced_ns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->journals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					       (GDestroyNotify)pxf_store_journal_free);
}
