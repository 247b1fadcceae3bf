/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxeforge/pxf-host.h>

G_BEGIN_DECLS

PxfVars *pxf_vars_new(void);
void pxf_vars_free(PxfVars *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfVars, pxf_vars_free)

/* Like pxf_vars_set() but records where the value came from
 * ("host aa:bb:..", "profile web", "distro centos7", "globals", a plugin). */
void
pxf_vars_set_with_origin(PxfVars *self, const gchar *name, GVariant *value, const gchar *origin);
/* Removes a top-level name (a narrower scope's `name: ~`). */
void pxf_vars_unset(PxfVars *self, const gchar *name);
/* The origin recorded for a top-level name, or NULL. */
const gchar *pxf_vars_get_origin(PxfVars *self, const gchar *name);
/* Top-level names, sorted. */
GPtrArray *pxf_vars_get_names(PxfVars *self);
/* The current origin given to values set through pxf_vars_set(); the core
 * sets it to the plugin's name around template.vars callbacks. */
void pxf_vars_set_default_origin(PxfVars *self, const gchar *origin);

/* Where values set through pxf_vars_set() without a default origin say they
 * came from: the core points this at the plugin whose callback is running. */
typedef const gchar *(*PxfVarsOriginFunc)(void);
void pxf_vars_set_origin_func(PxfVars *self, PxfVarsOriginFunc func);

G_END_DECLS
