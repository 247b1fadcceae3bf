/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The core's file store in a temporary directory, behind PxfDhcpStoreOps,
 * for the lease and server suites; and a store that fails on demand. */
#pragma once

#include <glib/gstdio.h>

#include "pxf-dhcp-leases.h"
#include "pxf-store.h"

typedef struct {
	PxfStore *store;
	gchar *dir;
	gboolean fail_writes; /* every commit fails as a broken disk would */
	guint n_writes;	      /* records committed */
	guint n_commits;      /* batches committed */
} TestStore;

/* fdatasync() calls of the file store, across all the stores of a test:
 * group commit is one per batch */
static guint test_store_n_datasyncs;

static inline int
test_store_fdatasync(int fd)
{
	test_store_n_datasyncs++;
	return fdatasync(fd);
}

static const PxfStoreFileOps test_store_file_ops = {
	.fdatasync = test_store_fdatasync,
};

static inline GHashTable *
test_store_list(gpointer data, GError **error)
{
	TestStore *ts = data;
	return pxf_store_list(ts->store, "leases", error);
}

static inline gboolean
test_store_commit(gpointer data, GHashTable *changes, GError **error)
{
	TestStore *ts = data;
	if (ts->fail_writes) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "disk full");
		return FALSE;
	}
	if (!pxf_store_commit(ts->store, "leases", changes, error))
		return FALSE;
	ts->n_commits++;
	ts->n_writes += g_hash_table_size(changes);
	return TRUE;
}

static const PxfDhcpStoreOps test_store_ops = {
	.list = test_store_list,
	.commit = test_store_commit,
};

static inline TestStore *
test_store_new(void)
{
	TestStore *ts = g_new0(TestStore, 1);
	g_autoptr(GError) error = NULL;
	ts->dir = g_dir_make_tmp("pxf-dhcp-test-XXXXXX", &error);
	g_assert_no_error(error);
	ts->store = pxf_store_file_new(ts->dir, &error);
	g_assert_no_error(error);
	pxf_store_file_set_ops(PXF_STORE_FILE(ts->store), &test_store_file_ops);
	return ts;
}

/* A second handle on the same directory: a restart (the first must be
 * closed, as a daemon holds its state directory alone). */
static inline TestStore *
test_store_reopen(TestStore *other)
{
	TestStore *ts = g_new0(TestStore, 1);
	g_autoptr(GError) error = NULL;
	ts->store = pxf_store_file_new(other->dir, &error);
	g_assert_no_error(error);
	return ts;
}

static inline void
test_store_rm_rf(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	if (dir != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			g_autofree gchar *child = g_build_filename(path, name, NULL);
			test_store_rm_rf(child);
		}
	}
	g_remove(path);
}

static inline void
test_store_free(TestStore *ts)
{
	g_clear_object(&ts->store);
	if (ts->dir != NULL) {
		test_store_rm_rf(ts->dir);
		g_free(ts->dir);
	}
	g_free(ts);
}
