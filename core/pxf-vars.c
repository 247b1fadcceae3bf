/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-vars"

#include "pxf-vars.h"

typedef struct {
	GVariant *value;
	gchar *origin;
} PxfVar;

struct _PxfVars {
	GHashTable *table; /* name → PxfVar */
	gchar *default_origin;
	PxfVarsOriginFunc origin_func;
};

static void
pxf_var_free(PxfVar *var)
{
	g_variant_unref(var->value);
	g_free(var->origin);
	g_free(var);
}

PxfVars *
pxf_vars_new(void)
{
	PxfVars *self = g_new0(PxfVars, 1);
	self->table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    (GDestroyNotify)pxf_var_free);
	return self;
}

void
pxf_vars_free(PxfVars *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->table);
	g_free(self->default_origin);
	g_free(self);
}

void
pxf_vars_set_with_origin(PxfVars *self, const gchar *name, GVariant *value, const gchar *origin)
{
	PxfVar *var;

	g_return_if_fail(self != NULL);
	g_return_if_fail(name != NULL);
	g_return_if_fail(value != NULL);

	var = g_new0(PxfVar, 1);
	var->value = g_variant_ref_sink(value);
	var->origin = g_strdup(origin);
	g_hash_table_replace(self->table, g_strdup(name), var);
}

void
pxf_vars_set(PxfVars *self, const gchar *name, GVariant *value)
{
	const gchar *origin = self->default_origin;
	if (origin == NULL && self->origin_func != NULL)
		origin = self->origin_func();
	pxf_vars_set_with_origin(self, name, value, origin);
}

void
pxf_vars_set_origin_func(PxfVars *self, PxfVarsOriginFunc func)
{
	self->origin_func = func;
}

void
pxf_vars_set_string(PxfVars *self, const gchar *name, const gchar *value)
{
	pxf_vars_set(self, name, g_variant_new_string(value != NULL ? value : ""));
}

void
pxf_vars_unset(PxfVars *self, const gchar *name)
{
	g_return_if_fail(self != NULL);
	g_hash_table_remove(self->table, name);
}

void
pxf_vars_set_default_origin(PxfVars *self, const gchar *origin)
{
	g_free(self->default_origin);
	self->default_origin = g_strdup(origin);
}

const gchar *
pxf_vars_get_origin(PxfVars *self, const gchar *name)
{
	PxfVar *var = g_hash_table_lookup(self->table, name);
	return var != NULL ? var->origin : NULL;
}

static gint
pxf_vars_name_cmp(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

GPtrArray *
pxf_vars_get_names(PxfVars *self)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter iter;
	gpointer key;

	g_hash_table_iter_init(&iter, self->table);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		g_ptr_array_add(names, g_strdup(key));
	g_ptr_array_sort(names, pxf_vars_name_cmp);
	return names;
}

/* Looks name up in a{sv} dictionaries (or a variant holding one); transfer full. */
static GVariant *
pxf_vars_lookup_child(GVariant *dict, const gchar *name)
{
	GVariant *child;

	if (g_variant_is_of_type(dict, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr(GVariant) inner = g_variant_get_variant(dict);
		return pxf_vars_lookup_child(inner, name);
	}
	if (!g_variant_is_of_type(dict, G_VARIANT_TYPE_VARDICT))
		return NULL;
	child = g_variant_lookup_value(dict, name, NULL);
	return child;
}

GVariant *
pxf_vars_lookup(PxfVars *self, const gchar *name)
{
	g_auto(GStrv) parts = NULL;
	PxfVar *var;
	g_autoptr(GVariant) value = NULL;

	g_return_val_if_fail(self != NULL, NULL);
	g_return_val_if_fail(name != NULL, NULL);

	var = g_hash_table_lookup(self->table, name);
	if (var != NULL)
		return g_variant_ref(var->value);

	parts = g_strsplit(name, ".", -1);
	/* g_strsplit("") is an empty vector */
	if (parts[0] == NULL)
		return NULL;
	var = g_hash_table_lookup(self->table, parts[0]);
	if (var == NULL)
		return NULL;
	value = g_variant_ref(var->value);
	for (guint i = 1; parts[i] != NULL && value != NULL; i++) {
		GVariant *child = pxf_vars_lookup_child(value, parts[i]);
		g_variant_unref(value);
		value = child;
	}
	return g_steal_pointer(&value);
}
