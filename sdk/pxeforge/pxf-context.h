/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXF_PLUGIN_H_INSIDE) && !defined(PXF_COMPILATION)
#error "Only <pxeforge/plugin.h> can be included directly."
#endif

#include <gio/gio.h>

#include "pxf-conf.h"
#include "pxf-hooks.h"
#include "pxf-plugin-desc.h"

G_BEGIN_DECLS

/* Handed to a plugin's init and fini; lives as long as the plugin is loaded. */

const gchar *pxf_plugin_context_get_name(PxfPluginContext *ctx);
/* The plugin's validated section, defaults filled in. */
const PxfConfSection *pxf_plugin_context_get_config(PxfPluginContext *ctx);
/* A directory under the daemon's state directory that belongs to the plugin;
 * created on first use. */
const gchar *pxf_plugin_context_get_state_dir(PxfPluginContext *ctx, GError **error);

void pxf_plugin_context_set_data(PxfPluginContext *ctx, gpointer data, GDestroyNotify destroy);
gpointer pxf_plugin_context_get_data(PxfPluginContext *ctx);

/* Sockets must be asked for during init: the core binds them while it still
 * has its privileges and hands them out again on reload. address NULL means
 * any. The returned socket is owned by the core. */
GSocket *pxf_plugin_context_bind(PxfPluginContext *ctx,
				 GSocketType type,
				 const gchar *address,
				 guint16 port,
				 GError **error);

/* Moves a host on the plugin's own authority (a site plugin that learns
 * from elsewhere that an install ended): any move of docs/lifecycle.md but
 * the operator's; persists the state and emits host.event. A move caused by
 * a network request goes through pxf_plugin_context_set_client_host_state(). */
gboolean pxf_plugin_context_set_host_state(PxfPluginContext *ctx,
					   const gchar *mac,
					   PxfHostState state,
					   const gchar *reason,
					   GError **error);
/* Moves a host because the machine itself asked for something (its DHCP
 * packet, its loader configuration, its answer file): only when client is
 * that machine (client->mac is mac: the DHCP chaddr, or the owner of the
 * address by lease or fixed ip), and only the moves docs/lifecycle.md allows
 * the machine's own requests. A request from any other address gets
 * PXF_ERROR_DENIED (pxf-transport.h) and the state stays. Since ABI 1.1. */
gboolean pxf_plugin_context_set_client_host_state(PxfPluginContext *ctx,
						  const PxfClient *client,
						  const gchar *mac,
						  PxfHostState state,
						  const gchar *reason,
						  GError **error);
/* Emit a host.event (discovered, file served, ...) that is not a state change. */
void pxf_plugin_context_emit_host_event(PxfPluginContext *ctx,
					const PxfClient *client,
					const gchar *mac,
					PxfHostEventType type,
					const gchar *detail,
					guint64 bytes);
/* Progress of a file a client is downloading, shown by `pxeforge status`;
 * cheap enough to call for every block, and once more when it completes. */
void pxf_plugin_context_report_transfer(PxfPluginContext *ctx,
					const PxfClient *client,
					const gchar *path,
					guint64 done,
					guint64 total);

G_END_DECLS
