/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The dhcp transport plugin: descriptor, init and fini. The protocol is in
 * pxf-dhcp-server.c, the sockets in pxf-dhcp-listener.c. */
#define G_LOG_DOMAIN "pxf-dhcp"

#include <pxeforge/plugin.h>

#include "pxf-dhcp-backend.h"
#include "pxf-dhcp-listener.h"

/* How often expired leases are looked for, to forget their owners. */
#define PXF_DHCP_TICK_SECONDS 5

typedef struct {
	PxfDhcpServer *server;
	PxfDhcpListener *listener;
	guint tick_id;
} PxfDhcpPlugin;

static void
pxf_dhcp_plugin_free(gpointer data)
{
	PxfDhcpPlugin *self = data;
	if (self->tick_id != 0)
		g_source_remove(self->tick_id);
	/* sockets first: nothing may reach the server while it goes */
	pxf_dhcp_listener_free(self->listener);
	pxf_dhcp_server_free(self->server);
	g_free(self);
}

static gboolean
pxf_dhcp_plugin_tick(gpointer user_data)
{
	PxfDhcpPlugin *self = user_data;
	pxf_dhcp_server_tick(self->server);
	return G_SOURCE_CONTINUE;
}

static gboolean
pxf_dhcp_plugin_init(PxfPluginContext *ctx, GError **error)
{
	g_autoptr(PxfDhcpConfig) config = NULL;
	const gchar *const *interfaces;
	const PxfDhcpConfig *cfg;
	PxfDhcpPlugin *self;

	config = pxf_dhcp_config_new_from_section(pxf_plugin_context_get_config(ctx), error);
	if (config == NULL)
		return FALSE;
	interfaces = config->interfaces[0] != NULL ? (const gchar *const *)config->interfaces
						   : pxf_plugin_context_get_interfaces(ctx);
	/* a fresh install must never answer DHCP on a network by itself */
	if (interfaces[0] == NULL && config->addresses[0] == NULL) {
		g_message("no interfaces or addresses to serve (plugins.dhcp.interfaces, "
			  "daemon.interfaces); the DHCP server is idle");
		return TRUE;
	}
	if (config->subnets->len == 0) {
		g_message("no subnets configured (plugins.dhcp.subnets); the DHCP server is idle");
		return TRUE;
	}

	self = g_new0(PxfDhcpPlugin, 1);
	pxf_plugin_context_set_data(ctx, self, pxf_dhcp_plugin_free);
	self->server = pxf_dhcp_server_new(g_steal_pointer(&config), &pxf_dhcp_context_store_ops,
					   ctx, &pxf_dhcp_context_backend, ctx);
	cfg = pxf_dhcp_server_get_config(self->server);
	/* answering without knowing the leases could hand out taken addresses */
	if (!pxf_dhcp_server_load(self->server, error))
		return FALSE;
	self->listener =
		pxf_dhcp_listener_new(ctx, self->server, interfaces,
				      (const gchar *const *)cfg->addresses, cfg->port, error);
	if (self->listener == NULL)
		return FALSE;
	self->tick_id = g_timeout_add_seconds(PXF_DHCP_TICK_SECONDS, pxf_dhcp_plugin_tick, self);
	return TRUE;
}

PXF_PLUGIN_DEFINE(.name = "dhcp",
		  .kind = PXF_PLUGIN_KIND_TRANSPORT,
		  .version = "1.0.0",
		  .license = "LGPL-2.1-or-later",
		  .description = "DHCPv4 server: leases, fixed addresses and PXE boot files",
		  .config_keys = pxf_dhcp_config_keys,
		  .init = pxf_dhcp_plugin_init);
