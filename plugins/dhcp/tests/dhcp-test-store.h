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
	gboolean fail_writes; /* every create/replace fails as a broken disk would */
	guint n_writes;
} TestStore;

static inline PxfDhcpStoreResult
test_store_result(GError *error)
{
	if (error == NULL)
		return PXF_DHCP_STORE_OK;
	if (g_error_matches(error, PXF_STORE_ERROR, PXF_STORE_ERROR_EXISTS))
		return PXF_DHCP_STORE_EXISTS;
	if (g_error_matches(error, PXF_STORE_ERROR, PXF_STORE_ERROR_CONFLICT))
		return PXF_DHCP_STORE_CONFLICT;
	if (g_error_matches(error, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND))
		return PXF_DHCP_STORE_NOT_FOUND;
	return PXF_DHCP_STORE_FAILED;
}

static inline PxfDhcpStoreResult
test_store_get(gpointer data, const gchar *key, GBytes **value, GError **error)
{
	TestStore *ts = data;
	g_autoptr(GError) error_local = NULL;
	*value = pxf_store_get(ts->store, "leases", key, &error_local);
	if (*value != NULL)
		return PXF_DHCP_STORE_OK;
	{
		PxfDhcpStoreResult rc = test_store_result(error_local);
		if (error_local != NULL)
			g_propagate_error(error, g_steal_pointer(&error_local));
		return rc;
	}
}

static inline PxfDhcpStoreResult
test_store_create(gpointer data, const gchar *key, GBytes *value, GError **error)
{
	TestStore *ts = data;
	g_autoptr(GError) error_local = NULL;
	PxfDhcpStoreResult rc;
	if (ts->fail_writes) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "disk full");
		return PXF_DHCP_STORE_FAILED;
	}
	ts->n_writes++;
	pxf_store_create(ts->store, "leases", key, value, &error_local);
	rc = test_store_result(error_local);
	if (error_local != NULL)
		g_propagate_error(error, g_steal_pointer(&error_local));
	return rc;
}

static inline PxfDhcpStoreResult
test_store_replace(gpointer data, const gchar *key, GBytes *expected, GBytes *value, GError **error)
{
	TestStore *ts = data;
	g_autoptr(GError) error_local = NULL;
	PxfDhcpStoreResult rc;
	if (ts->fail_writes) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "disk full");
		return PXF_DHCP_STORE_FAILED;
	}
	ts->n_writes++;
	pxf_store_replace(ts->store, "leases", key, expected, value, &error_local);
	rc = test_store_result(error_local);
	if (error_local != NULL)
		g_propagate_error(error, g_steal_pointer(&error_local));
	return rc;
}

static inline GHashTable *
test_store_list(gpointer data, GError **error)
{
	TestStore *ts = data;
	return pxf_store_list(ts->store, "leases", error);
}

static const PxfDhcpStoreOps test_store_ops = {
	.get = test_store_get,
	.create = test_store_create,
	.replace = test_store_replace,
	.list = test_store_list,
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
	return ts;
}

/* A second handle on the same directory: another server, or a restart. */
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
