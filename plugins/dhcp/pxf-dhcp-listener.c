/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include "pxf-dhcp-listener.h"
#include "pxf-dhcp-packet.h"

/* Larger than any UDP datagram, so nothing is ever cut silently. */
#define PXF_DHCP_RECV_SIZE 65536
/* Datagrams handled per wake-up before the main loop gets a turn. */
#define PXF_DHCP_RECV_BATCH 64

typedef struct {
	PxfDhcpListener *listener;
	GSocket *socket;
	gchar *ifname;	       /* NULL for a socket bound to an address */
	GInetAddress *address; /* that address */
	GSource *source;
} PxfDhcpEndpoint;

struct _PxfDhcpListener {
	PxfPluginContext *ctx;
	PxfDhcpServer *server;
	GPtrArray *endpoints;
	guint8 *buf;
	guint inventory_serial; /* of the server's table of fixed addresses */
};

static void
pxf_dhcp_endpoint_free(PxfDhcpEndpoint *ep)
{
	if (ep->source != NULL) {
		g_source_destroy(ep->source);
		g_source_unref(ep->source);
	}
	g_clear_object(&ep->socket);
	g_clear_object(&ep->address);
	g_free(ep->ifname);
	g_free(ep);
}

void
pxf_dhcp_listener_free(PxfDhcpListener *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref(self->endpoints);
	g_free(self->buf);
	g_free(self);
}

/* The IPv4 addresses of an interface, in the server's form. */
static GArray *
pxf_dhcp_interface_addresses(PxfPluginContext *ctx, const gchar *ifname)
{
	g_autoptr(GPtrArray) addrs = pxf_plugin_context_get_interface_addresses(ctx, ifname);
	GArray *local = g_array_new(FALSE, FALSE, sizeof(PxfDhcpLocalAddress));

	for (guint i = 0; i < addrs->len; i++) {
		const PxfInterfaceAddress *entry = g_ptr_array_index(addrs, i);
		g_autofree gchar *text = NULL;
		PxfDhcpLocalAddress addr = {0, 0};

		if (entry == NULL || entry->address == NULL)
			continue;
		text = g_inet_address_to_string(entry->address);
		addr.prefix = entry->prefix;
		if (pxf_dhcp_ip_from_string(text, &addr.ip))
			g_array_append_val(local, addr);
	}
	return local;
}

/* This server's addresses where the packet came in: the interface's, asked
 * for per packet since an operator may change them at any time. */
static GArray *
pxf_dhcp_endpoint_local(PxfDhcpEndpoint *ep)
{
	GArray *local;
	PxfDhcpLocalAddress addr = {0, 32};
	g_autofree gchar *text = NULL;

	if (ep->ifname != NULL)
		return pxf_dhcp_interface_addresses(ep->listener->ctx, ep->ifname);
	local = g_array_new(FALSE, FALSE, sizeof(PxfDhcpLocalAddress));
	text = g_inet_address_to_string(ep->address);
	if (pxf_dhcp_ip_from_string(text, &addr.ip))
		g_array_append_val(local, addr);
	return local;
}

static void
pxf_dhcp_endpoint_send(PxfDhcpEndpoint *ep, PxfDhcpOutgoing *out)
{
	g_autofree gchar *ip = pxf_dhcp_ip_to_string(out->ip);
	g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(ip);
	g_autoptr(GSocketAddress) dest = g_inet_socket_address_new(addr, out->port);
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	const gchar *data = g_bytes_get_data(out->data, &len);

	if (g_socket_send_to(ep->socket, dest, data, len, NULL, &error) < 0)
		g_warning("sending a reply to %s:%u on %s: %s", ip, out->port,
			  ep->ifname != NULL ? ep->ifname : "-", error->message);
}

static gboolean
pxf_dhcp_endpoint_ready(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	PxfDhcpEndpoint *ep = user_data;
	PxfDhcpListener *self = ep->listener;
	guint serial = pxf_plugin_context_get_inventory_serial(self->ctx);

	/* a reload that kept this plugin running may bring other hosts */
	if (serial != self->inventory_serial) {
		pxf_dhcp_server_hosts_changed(self->server);
		self->inventory_serial = serial;
	}
	for (guint i = 0; i < PXF_DHCP_RECV_BATCH; i++) {
		g_autoptr(GSocketAddress) peer = NULL;
		g_autoptr(GError) error = NULL;
		g_autoptr(GArray) local = NULL;
		PxfDhcpOutgoing out = {0};
		PxfDhcpIncoming in = {0};
		gssize n;

		n = g_socket_receive_from(socket, &peer, (gchar *)self->buf, PXF_DHCP_RECV_SIZE,
					  NULL, &error);
		if (n < 0) {
			if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
				g_debug("receiving on %s: %s", ep->ifname ? ep->ifname : "-",
					error->message);
			break;
		}
		if (peer == NULL || !G_IS_INET_SOCKET_ADDRESS(peer))
			continue;
		local = pxf_dhcp_endpoint_local(ep);
		in.ifname = ep->ifname;
		in.local = local;
		in.peer = G_INET_SOCKET_ADDRESS(peer);
		if (pxf_dhcp_server_handle(self->server, self->buf, (gsize)n, &in, &out)) {
			pxf_dhcp_endpoint_send(ep, &out);
			pxf_dhcp_outgoing_clear(&out);
		}
	}
	return G_SOURCE_CONTINUE;
}

static void
pxf_dhcp_listener_add(PxfDhcpListener *self,
		      GSocket *socket,
		      const gchar *ifname,
		      GInetAddress *address)
{
	PxfDhcpEndpoint *ep = g_new0(PxfDhcpEndpoint, 1);

	ep->listener = self;
	ep->socket = g_object_ref(socket);
	ep->ifname = g_strdup(ifname);
	ep->address = address != NULL ? g_object_ref(address) : NULL;
	g_socket_set_blocking(socket, FALSE);
	ep->source = g_socket_create_source(socket, G_IO_IN, NULL);
	g_source_set_callback(ep->source, (GSourceFunc)(void (*)(void))pxf_dhcp_endpoint_ready, ep,
			      NULL);
	g_source_attach(ep->source, NULL);
	g_ptr_array_add(self->endpoints, ep);
}

PxfDhcpListener *
pxf_dhcp_listener_new(PxfPluginContext *ctx,
		      PxfDhcpServer *server,
		      const gchar *const *interfaces,
		      const gchar *const *addresses,
		      guint16 port,
		      GError **error)
{
	g_autoptr(PxfDhcpListener) self = g_new0(PxfDhcpListener, 1);

	self->ctx = ctx;
	self->server = server;
	self->endpoints = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_dhcp_endpoint_free);
	self->buf = g_malloc(PXF_DHCP_RECV_SIZE);
	/* the server built its table at load, from this inventory */
	self->inventory_serial = pxf_plugin_context_get_inventory_serial(ctx);

	for (guint i = 0; interfaces[i] != NULL; i++) {
		GSocket *socket = pxf_plugin_context_bind_device(ctx, G_SOCKET_TYPE_DATAGRAM,
								 interfaces[i], NULL, port, error);
		if (socket == NULL) {
			g_prefix_error(error, "interface %s: ", interfaces[i]);
			return NULL;
		}
		pxf_dhcp_listener_add(self, socket, interfaces[i], NULL);
		g_message("serving DHCP on interface %s, port %u", interfaces[i], port);
	}
	for (guint i = 0; addresses[i] != NULL; i++) {
		g_autoptr(GInetAddress) address = g_inet_address_new_from_string(addresses[i]);
		GSocket *socket;

		socket = pxf_plugin_context_bind(ctx, G_SOCKET_TYPE_DATAGRAM, addresses[i], port,
						 error);
		if (socket == NULL) {
			g_prefix_error(error, "address %s: ", addresses[i]);
			return NULL;
		}
		g_socket_set_broadcast(socket, TRUE);
		pxf_dhcp_listener_add(self, socket, NULL, address);
		g_message("serving DHCP on %s port %u (relayed and unicast requests only)",
			  addresses[i], port);
	}
	return g_steal_pointer(&self);
}
