/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PXF_STORE_ERROR pxf_store_error_quark()
GQuark pxf_store_error_quark(void);

typedef enum {
	PXF_STORE_ERROR_FAILED,
	PXF_STORE_ERROR_NOT_FOUND,
	PXF_STORE_ERROR_EXISTS,	  /* create() of a key that exists */
	PXF_STORE_ERROR_CONFLICT, /* replace() whose expected value is stale */
	PXF_STORE_ERROR_CORRUPT,  /* a record that cannot be read back */
} PxfStoreError;

/* Where host state (and later leases) live. A record is an opaque blob under
 * (namespace, key); namespaces are fixed names ("hosts", "leases"), keys are
 * [A-Za-z0-9:._-]+. The embedded backend is files under the state directory;
 * a shared backend (PostgreSQL) implements the same vfuncs so several
 * servers can share state. create() and replace() are the atomic primitives
 * an address allocator needs so that one address never goes to two
 * machines, whichever server hands it out. */
#define PXF_TYPE_STORE (pxf_store_get_type())
G_DECLARE_INTERFACE(PxfStore, pxf_store, PXF, STORE, GObject)

struct _PxfStoreInterface {
	GTypeInterface parent_iface;

	GBytes *(*get)(PxfStore *self, const gchar *ns, const gchar *key, GError **error);
	/* Insert or overwrite. Durable when it returns TRUE. */
	gboolean (*put)(
		PxfStore *self, const gchar *ns, const gchar *key, GBytes *value, GError **error);
	/* Insert only if absent, else PXF_STORE_ERROR_EXISTS. */
	gboolean (*create)(
		PxfStore *self, const gchar *ns, const gchar *key, GBytes *value, GError **error);
	/* Overwrite only if the current value equals expected. */
	gboolean (*replace)(PxfStore *self,
			    const gchar *ns,
			    const gchar *key,
			    GBytes *expected,
			    GBytes *value,
			    GError **error);
	gboolean (*remove)(PxfStore *self, const gchar *ns, const gchar *key, GError **error);
	/* key → GBytes; corrupt records are skipped with a warning naming them. */
	GHashTable *(*list)(PxfStore *self, const gchar *ns, GError **error);
	/* A batch: changes is key → GBytes, or NULL to remove the key. All of
	 * it is durable when this returns TRUE, none of it is applied when it
	 * returns FALSE (a database backend: one transaction). A backend
	 * without it gets put()/remove() per change, which is not atomic. */
	gboolean (*commit)(PxfStore *self, const gchar *ns, GHashTable *changes, GError **error);
};

GBytes *pxf_store_get(PxfStore *self, const gchar *ns, const gchar *key, GError **error);
gboolean
pxf_store_put(PxfStore *self, const gchar *ns, const gchar *key, GBytes *value, GError **error);
gboolean
pxf_store_create(PxfStore *self, const gchar *ns, const gchar *key, GBytes *value, GError **error);
gboolean pxf_store_replace(PxfStore *self,
			   const gchar *ns,
			   const gchar *key,
			   GBytes *expected,
			   GBytes *value,
			   GError **error);
gboolean pxf_store_remove(PxfStore *self, const gchar *ns, const gchar *key, GError **error);
GHashTable *pxf_store_list(PxfStore *self, const gchar *ns, GError **error);
gboolean pxf_store_commit(PxfStore *self, const gchar *ns, GHashTable *changes, GError **error);

/* ---- the embedded file backend --------------------------------------- */

/* The system calls the file backend makes, so that tests can record their
 * order and simulate a crash (with loss of everything not yet fsynced)
 * after any one of them. */
typedef struct {
	int (*open)(const char *path, int flags, mode_t mode);
	ssize_t (*write)(int fd, const void *buf, size_t len);
	int (*fsync)(int fd);
	int (*close)(int fd);
	int (*rename)(const char *from, const char *to);
	int (*unlink)(const char *path);
	/* create(): publish the fsynced temporary file under the key only if
	 * no record exists (fails with EEXIST), atomically across processes */
	int (*link)(const char *from, const char *to);
	/* namespaces are created on first write */
	int (*mkdir)(const char *path, mode_t mode);
	ssize_t (*read)(int fd, void *buf, size_t len);
	/* a journal commit */
	int (*fdatasync)(int fd);
} PxfStoreFileOps;

#define PXF_TYPE_STORE_FILE (pxf_store_file_get_type())
G_DECLARE_FINAL_TYPE(PxfStoreFile, pxf_store_file, PXF, STORE_FILE, GObject)

/* Records live in DIR/NS/KEY.json; written to a temporary file, fsynced,
 * renamed over the old one, and the directory fsynced. Leftover temporary
 * files from a crash are removed on open. The namespaces written in
 * batches at a high rate ("leases") are instead a snapshot and a journal
 * (pxf-store-journal.h), opened on first use, when records of the old
 * layout in DIR/NS/ are moved into them and removed. */
PxfStore *pxf_store_file_new(const gchar *dir, GError **error);
/* For tests only; NULL restores the real system calls, and so does a NULL
 * member for that one call. Directory listing (list(), the clean-up on open)
 * uses GDir directly. */
void pxf_store_file_set_ops(PxfStoreFile *self, const PxfStoreFileOps *ops);

G_END_DECLS
