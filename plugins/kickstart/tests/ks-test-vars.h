/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Variables as the inventory gives them, for the kickstart tests. */
#pragma once

#include "pxf-vars.h"

/* @name = a string dictionary of @kv: key, value, ..., NULL. */
static inline void
ks_test_set_dict(PxfVars *vars, const gchar *name, const gchar *const *kv)
{
	GVariantDict dict;

	g_variant_dict_init(&dict, NULL);
	for (guint i = 0; kv[i] != NULL; i += 2)
		g_variant_dict_insert(&dict, kv[i], "s", kv[i + 1]);
	pxf_vars_set(vars, name, g_variant_dict_end(&dict));
}
