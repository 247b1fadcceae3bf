/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include "pxf-dhcp-backend.h"
#include "pxf-dhcp-packet.h"

/* ---- the pipeline, inventory and events --------------------------------- */

static void
pxf_dhcp_ctx_client_init(gpointer backend,
			 PxfClientSlot *slot,
			 GInetSocketAddress *peer,
			 GInetSocketAddress *local,
			 const gchar *mac)
{
	pxf_client_init(slot, backend, "dhcp", peer, local, mac);
}

static void
pxf_dhcp_ctx_client_clear(gpointer backend, PxfClientSlot *slot)
{
	pxf_client_clear(slot);
}

static PxfVerdict
pxf_dhcp_ctx_classify(gpointer backend, PxfClientClassifyArgs *args)
{
	return pxf_plugin_context_classify(backend, args);
}

static PxfVerdict
pxf_dhcp_ctx_lookup_host(gpointer backend, PxfHostLookupArgs *args)
{
	return pxf_plugin_context_lookup_host(backend, args);
}

static PxfVerdict
pxf_dhcp_ctx_select_boot(gpointer backend, PxfBootSelectArgs *args)
{
	return pxf_plugin_context_select_boot(backend, args);
}

static PxfVerdict
pxf_dhcp_ctx_dhcp_reply(gpointer backend, PxfDhcpReplyArgs *args)
{
	return pxf_plugin_context_dhcp_reply(backend, args);
}

static GHashTable *
pxf_dhcp_ctx_get_fixed_addresses(gpointer backend)
{
	g_autoptr(GPtrArray) hosts = pxf_plugin_context_get_hosts(backend);
	GHashTable *fixed = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);

	for (guint i = 0; i < hosts->len; i++) {
		const PxfHost *host = g_ptr_array_index(hosts, i);
		guint32 ip = 0;
		if (pxf_host_get_ip(host) == NULL ||
		    !pxf_dhcp_ip_from_string(pxf_host_get_ip(host), &ip))
			continue;
		g_hash_table_replace(fixed, GUINT_TO_POINTER(ip), g_strdup(pxf_host_get_mac(host)));
	}
	return fixed;
}

static void
pxf_dhcp_ctx_host_seen(gpointer backend, const PxfClient *client)
{
	g_autoptr(GError) error = NULL;

	if (client->host == NULL || client->mac == NULL ||
	    pxf_plugin_context_get_host_state(backend, client->mac) != PXF_HOST_STATE_UNKNOWN)
		return;
	/* the packet's chaddr is the client's MAC: its own request */
	if (!pxf_plugin_context_set_client_host_state(backend, client, client->mac,
						      PXF_HOST_STATE_DISCOVERED, "DHCP DISCOVER",
						      &error))
		g_debug("%s: %s", client->mac, error->message);
}

static void
pxf_dhcp_ctx_emit_event(gpointer backend,
			const PxfClient *client,
			const gchar *mac,
			PxfHostEventType type,
			const gchar *detail)
{
	pxf_plugin_context_emit_host_event(backend, client, mac, type, detail, 0);
}

static void
pxf_dhcp_ctx_set_address_owner(gpointer backend, const gchar *ip, const gchar *mac)
{
	pxf_plugin_context_set_address_owner(backend, ip, mac);
}

static gint64
pxf_dhcp_ctx_now(gpointer backend)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

const PxfDhcpBackend pxf_dhcp_context_backend = {
	.client_init = pxf_dhcp_ctx_client_init,
	.client_clear = pxf_dhcp_ctx_client_clear,
	.classify = pxf_dhcp_ctx_classify,
	.lookup_host = pxf_dhcp_ctx_lookup_host,
	.select_boot = pxf_dhcp_ctx_select_boot,
	.dhcp_reply = pxf_dhcp_ctx_dhcp_reply,
	.get_fixed_addresses = pxf_dhcp_ctx_get_fixed_addresses,
	.host_seen = pxf_dhcp_ctx_host_seen,
	.emit_event = pxf_dhcp_ctx_emit_event,
	.set_address_owner = pxf_dhcp_ctx_set_address_owner,
	.now = pxf_dhcp_ctx_now,
};

/* ---- the core's storage ----------------------------------------------------- */

static GHashTable *
pxf_dhcp_ctx_store_list(gpointer store, GError **error)
{
	return pxf_plugin_context_store_list(store, PXF_DHCP_LEASES_NS, error);
}

static gboolean
pxf_dhcp_ctx_store_commit(gpointer store, GHashTable *changes, GError **error)
{
	return pxf_plugin_context_store_commit(store, PXF_DHCP_LEASES_NS, changes, error);
}

const PxfDhcpStoreOps pxf_dhcp_context_store_ops = {
	.list = pxf_dhcp_ctx_store_list,
	.commit = pxf_dhcp_ctx_store_commit,
};
