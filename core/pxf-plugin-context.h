/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxeforge/pxf-context.h>
#include <pxeforge/pxf-transport.h>

#include "pxf-hook.h"
#include "pxf-plugin-loader.h"

G_BEGIN_DECLS

/* What a plugin context asks of the daemon; tests provide their own. */
typedef struct {
	GSocket *(*bind)(gpointer core,
			 PxfPluginContext *ctx,
			 GSocketType type,
			 const gchar *device,
			 const gchar *address,
			 guint16 port,
			 GError **error);
	gboolean (*set_host_state)(gpointer core,
				   PxfPluginContext *ctx,
				   const gchar *mac,
				   PxfHostState state,
				   const gchar *reason,
				   GError **error);
	void (*emit_host_event)(gpointer core, const PxfHostEventArgs *event);
	const gchar *(*get_state_dir)(gpointer core);
	/* configuration, inventory, state and storage for the transport API */
	gpointer (*get_core)(gpointer core); /* a PxfCore */
} PxfCoreServices;

/* The PxfCore behind a context (see pxf-core.h), or NULL in unit tests. */
gpointer pxf_plugin_context_get_core(PxfPluginContext *ctx);

/* Takes ownership of config. plugin may be NULL in unit tests, which then
 * connect hooks through the context directly. */
PxfPluginContext *pxf_plugin_context_new(PxfPlugin *plugin,
					 const gchar *name,
					 guint order,
					 PxfConfSection *config,
					 PxfHookRegistry *hooks,
					 const PxfCoreServices *services,
					 gpointer core);
/* Calls fini (if init succeeded) and drops the plugin's hook callbacks. */
void pxf_plugin_context_free(PxfPluginContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfPluginContext, pxf_plugin_context_free)

PxfPlugin *pxf_plugin_context_get_plugin(PxfPluginContext *ctx);
guint pxf_plugin_context_get_order(PxfPluginContext *ctx);
/* Allows hook connections, calls the descriptor's init, disallows them again.
 * On failure, whatever init connected is removed. */
gboolean pxf_plugin_context_run_init(PxfPluginContext *ctx, GError **error);
/* Sockets this plugin asked for (GSocket*), for reload bookkeeping. */
GPtrArray *pxf_plugin_context_get_sockets(PxfPluginContext *ctx);

G_END_DECLS
