/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-store"

#include "pxf-store.h"

/* The storage interface: callers (host state, later the lease allocator)
 * only ever see these wrappers, so a backend can be swapped without
 * touching them or any plugin. */

G_DEFINE_QUARK(pxf_store_error_quark, pxf_store_error)
G_DEFINE_INTERFACE(PxfStore, pxf_store, G_TYPE_OBJECT)

static void
pxf_store_default_init(PxfStoreInterface *iface)
{
}

/* A vfunc a backend left out is a programming error, but the caller still
 * gets a GError rather than a crash. */
static gboolean
pxf_store_check_vfunc(gconstpointer vfunc, const gchar *name, PxfStore *self, GError **error)
{
	if (vfunc != NULL)
		return TRUE;
	g_set_error(error, PXF_STORE_ERROR, PXF_STORE_ERROR_FAILED,
		    "storage backend %s does not implement %s()", G_OBJECT_TYPE_NAME(self), name);
	return FALSE;
}

GBytes *
pxf_store_get(PxfStore *self, const gchar *ns, const gchar *key, GError **error)
{
	PxfStoreInterface *iface;

	g_return_val_if_fail(PXF_IS_STORE(self), NULL);
	g_return_val_if_fail(ns != NULL, NULL);
	g_return_val_if_fail(key != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	iface = PXF_STORE_GET_IFACE(self);
	if (!pxf_store_check_vfunc(iface->get, "get", self, error))
		return NULL;
	return iface->get(self, ns, key, error);
}

gboolean
pxf_store_put(PxfStore *self, const gchar *ns, const gchar *key, GBytes *value, GError **error)
{
	PxfStoreInterface *iface;

	g_return_val_if_fail(PXF_IS_STORE(self), FALSE);
	g_return_val_if_fail(ns != NULL, FALSE);
	g_return_val_if_fail(key != NULL, FALSE);
	g_return_val_if_fail(value != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	iface = PXF_STORE_GET_IFACE(self);
	if (!pxf_store_check_vfunc(iface->put, "put", self, error))
		return FALSE;
	return iface->put(self, ns, key, value, error);
}

gboolean
pxf_store_create(PxfStore *self, const gchar *ns, const gchar *key, GBytes *value, GError **error)
{
	PxfStoreInterface *iface;

	g_return_val_if_fail(PXF_IS_STORE(self), FALSE);
	g_return_val_if_fail(ns != NULL, FALSE);
	g_return_val_if_fail(key != NULL, FALSE);
	g_return_val_if_fail(value != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	iface = PXF_STORE_GET_IFACE(self);
	if (!pxf_store_check_vfunc(iface->create, "create", self, error))
		return FALSE;
	return iface->create(self, ns, key, value, error);
}

gboolean
pxf_store_replace(PxfStore *self,
		  const gchar *ns,
		  const gchar *key,
		  GBytes *expected,
		  GBytes *value,
		  GError **error)
{
	PxfStoreInterface *iface;

	g_return_val_if_fail(PXF_IS_STORE(self), FALSE);
	g_return_val_if_fail(ns != NULL, FALSE);
	g_return_val_if_fail(key != NULL, FALSE);
	g_return_val_if_fail(expected != NULL, FALSE);
	g_return_val_if_fail(value != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	iface = PXF_STORE_GET_IFACE(self);
	if (!pxf_store_check_vfunc(iface->replace, "replace", self, error))
		return FALSE;
	return iface->replace(self, ns, key, expected, value, error);
}

gboolean
pxf_store_remove(PxfStore *self, const gchar *ns, const gchar *key, GError **error)
{
	PxfStoreInterface *iface;

	g_return_val_if_fail(PXF_IS_STORE(self), FALSE);
	g_return_val_if_fail(ns != NULL, FALSE);
	g_return_val_if_fail(key != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	iface = PXF_STORE_GET_IFACE(self);
	if (!pxf_store_check_vfunc(iface->remove, "remove", self, error))
		return FALSE;
	return iface->remove(self, ns, key, error);
}

GHashTable *
pxf_store_list(PxfStore *self, const gchar *ns, GError **error)
{
	PxfStoreInterface *iface;

	g_return_val_if_fail(PXF_IS_STORE(self), NULL);
	g_return_val_if_fail(ns != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	iface = PXF_STORE_GET_IFACE(self);
	if (!pxf_store_check_vfunc(iface->list, "list", self, error))
		return NULL;
	return iface->list(self, ns, error);
}

gboolean
pxf_store_commit(PxfStore *self, const gchar *ns, GHashTable *changes, GError **error)
{
	PxfStoreInterface *iface;
	GHashTableIter iter;
	gpointer key, value;

	g_return_val_if_fail(PXF_IS_STORE(self), FALSE);
	g_return_val_if_fail(ns != NULL, FALSE);
	g_return_val_if_fail(changes != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	iface = PXF_STORE_GET_IFACE(self);
	if (iface->commit != NULL)
		return iface->commit(self, ns, changes, error);
	g_hash_table_iter_init(&iter, changes);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		g_autoptr(GError) error_local = NULL;
		if (value != NULL) {
			if (!pxf_store_put(self, ns, key, value, error))
				return FALSE;
		} else if (!pxf_store_remove(self, ns, key, &error_local) &&
			   !g_error_matches(error_local, PXF_STORE_ERROR,
					    PXF_STORE_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
	}
	return TRUE;
}
