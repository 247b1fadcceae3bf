/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE  /* recvmmsg */
#define G_LOG_DOMAIN "pxf-dhcp"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "pxf-dhcp-listener.h"
#include "pxf-dhcp-netlink.h"
#include "pxf-dhcp-packet.h"
#include "pxf-dhcp-queue.h"

/* Datagrams per recvmmsg() call. */
#define PXF_DHCP_RECV_BATCH 32
/* Packets waiting to be answered: a storm is read at once into it, and
 * what does not fit pushes out the oldest DISCOVERs. */
#define PXF_DHCP_QUEUE_CAPACITY 512
/* Packets answered per main-loop pass, so that TFTP and HTTP on the same
 * loop keep their turn during a storm. */
#define PXF_DHCP_DISPATCH_BUDGET 32
/* ... and at most this long, so that the sockets are read again (into the
 * queue, where REQUESTs go first) before the kernel's buffer overflows and
 * drops packets blindly. */
#define PXF_DHCP_DISPATCH_USEC 2000
/* Clients retransmit after 4 s (RFC 2131 4.1), firmware often sooner: an
 * answer to an older packet arrives after the client has moved on. */
#define PXF_DHCP_STALE_USEC (3 * G_USEC_PER_SEC)
/* Without netlink, how often the interfaces' addresses are asked for. */
#define PXF_DHCP_ADDRESSES_POLL_USEC (1 * G_USEC_PER_SEC)

typedef struct {
	PxfDhcpListener *listener;
	GSocket *socket;
	gchar *ifname;	       /* NULL for a socket bound to an address */
	GInetAddress *address; /* that address */
	GArray *local;	       /* PxfDhcpLocalAddress, cached */
	GSource *source;
} PxfDhcpEndpoint;

struct _PxfDhcpListener {
	PxfPluginContext *ctx;
	PxfDhcpServer *server;
	GPtrArray *endpoints;
	guint inventory_serial; /* of the server's table of fixed addresses */
	PxfDhcpQueue *queue;
	GSource *drain;
	PxfDhcpNetlink *netlink; /* NULL: addresses polled */
	gboolean addresses_dirty;
	gint64 addresses_time; /* monotonic, of the last refresh */
	guint64 truncated;
	/* one recvmmsg() batch, reused */
	guint8 *bufs[PXF_DHCP_RECV_BATCH];
	struct mmsghdr msgs[PXF_DHCP_RECV_BATCH];
	struct iovec iovs[PXF_DHCP_RECV_BATCH];
	struct sockaddr_in peers[PXF_DHCP_RECV_BATCH];
	guint8 cmsgs[PXF_DHCP_RECV_BATCH][CMSG_SPACE(sizeof(struct timespec))];
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
	g_clear_pointer(&ep->local, g_array_unref);
	g_free(ep->ifname);
	g_free(ep);
}

void
pxf_dhcp_listener_free(PxfDhcpListener *self)
{
	if (self == NULL)
		return;
	if (self->drain != NULL) {
		g_source_destroy(self->drain);
		g_source_unref(self->drain);
	}
	pxf_dhcp_netlink_free(self->netlink);
	g_ptr_array_unref(self->endpoints);
	for (guint i = 0; i < PXF_DHCP_RECV_BATCH; i++)
		g_free(self->bufs[i]);
	pxf_dhcp_queue_free(self->queue);
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

/* This server's addresses where packets come in: asked for when the
 * kernel says they changed (or, without netlink, once a second), since an
 * operator may change them at any time; never per packet. */
static void
pxf_dhcp_listener_refresh_addresses(PxfDhcpListener *self)
{
	gint64 now = g_get_monotonic_time();

	if (!self->addresses_dirty &&
	    (self->netlink != NULL || now - self->addresses_time < PXF_DHCP_ADDRESSES_POLL_USEC))
		return;
	for (guint i = 0; i < self->endpoints->len; i++) {
		PxfDhcpEndpoint *ep = g_ptr_array_index(self->endpoints, i);
		if (ep->ifname == NULL)
			continue;
		g_clear_pointer(&ep->local, g_array_unref);
		ep->local = pxf_dhcp_interface_addresses(self->ctx, ep->ifname);
	}
	self->addresses_dirty = FALSE;
	self->addresses_time = now;
}

static void
pxf_dhcp_listener_netlink_changed(const GArray *events, gpointer user_data)
{
	PxfDhcpListener *self = user_data;
	g_debug("netlink: %u address or link change%s; the interfaces' addresses are asked for "
		"again",
		events->len, events->len == 1 ? "" : "s");
	self->addresses_dirty = TRUE;
}

static void
pxf_dhcp_socket_send(GObject *target, const gchar *ifname, const PxfDhcpOutgoing *out)
{
	struct sockaddr_in dest = {
		.sin_family = AF_INET,
		.sin_port = g_htons(out->port),
		.sin_addr.s_addr = g_htonl(out->ip),
	};
	gsize len = 0;
	const gchar *data = g_bytes_get_data(out->data, &len);

	if (sendto(g_socket_get_fd(G_SOCKET(target)), data, len, 0, (struct sockaddr *)&dest,
		   sizeof(dest)) < 0) {
		gint saved = errno;
		g_autofree gchar *ip = pxf_dhcp_ip_to_string(out->ip);
		g_warning("sending a reply to %s:%u on %s: %s", ip, out->port,
			  ifname != NULL ? ifname : "-", g_strerror(saved));
	}
}

static void
pxf_dhcp_listener_handle(PxfDhcpListener *self, const PxfDhcpQueued *q)
{
	PxfDhcpEndpoint *ep = q->source;
	guint32 peer_ip = g_htonl(q->peer_ip);
	g_autoptr(GInetAddress) addr =
		g_inet_address_new_from_bytes((const guint8 *)&peer_ip, G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) peer = g_inet_socket_address_new(addr, q->peer_port);
	PxfDhcpOutgoing out = {0};
	PxfDhcpIncoming in = {0};

	in.ifname = ep->ifname;
	in.local = ep->local;
	in.peer = G_INET_SOCKET_ADDRESS(peer);
	in.target = G_OBJECT(ep->socket);
	if (pxf_dhcp_server_handle(self->server, q->data, q->len, &in, &out)) {
		pxf_dhcp_socket_send(in.target, ep->ifname, &out);
		pxf_dhcp_outgoing_clear(&out);
	}
}

/* At most a budget of packets per main-loop pass, exchanges under way
 * first; then the other sources on the loop get their turn. */
static gboolean
pxf_dhcp_listener_drain(gpointer user_data)
{
	PxfDhcpListener *self = user_data;
	guint serial = pxf_plugin_context_get_inventory_serial(self->ctx);
	gint64 now = g_get_real_time();
	gint64 start = g_get_monotonic_time();
	PxfDhcpQueued q;

	/* a reload that kept this plugin running may bring other hosts */
	if (serial != self->inventory_serial) {
		pxf_dhcp_server_hosts_changed(self->server);
		self->inventory_serial = serial;
	}
	pxf_dhcp_listener_refresh_addresses(self);
	for (guint i = 0; i < PXF_DHCP_DISPATCH_BUDGET; i++) {
		if (!pxf_dhcp_queue_pop(self->queue, now, PXF_DHCP_STALE_USEC, &q))
			break;
		pxf_dhcp_listener_handle(self, &q);
		pxf_dhcp_queue_release(self->queue, q.data);
		if (g_get_monotonic_time() - start >= PXF_DHCP_DISPATCH_USEC)
			break;
	}
	if (pxf_dhcp_queue_get_length(self->queue) > 0)
		return G_SOURCE_CONTINUE;
	g_clear_pointer(&self->drain, g_source_unref);
	return G_SOURCE_REMOVE;
}

static gint64
pxf_dhcp_msg_received(struct msghdr *msg, gint64 fallback)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
		}
	}
	return fallback;
}

/* Reads what the socket holds, a batch per call, into the queue. */
static gboolean
pxf_dhcp_endpoint_ready(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	PxfDhcpEndpoint *ep = user_data;
	PxfDhcpListener *self = ep->listener;
	gint fd = g_socket_get_fd(socket);

	for (guint read = 0; read < PXF_DHCP_QUEUE_CAPACITY;) {
		gint64 now;
		gint n;

		for (guint i = 0; i < PXF_DHCP_RECV_BATCH; i++) {
			self->iovs[i].iov_base = self->bufs[i];
			self->iovs[i].iov_len = PXF_DHCP_QUEUE_SLOT_SIZE;
			memset(&self->msgs[i], 0, sizeof(self->msgs[i]));
			self->msgs[i].msg_hdr.msg_name = &self->peers[i];
			self->msgs[i].msg_hdr.msg_namelen = sizeof(self->peers[i]);
			self->msgs[i].msg_hdr.msg_iov = &self->iovs[i];
			self->msgs[i].msg_hdr.msg_iovlen = 1;
			self->msgs[i].msg_hdr.msg_control = self->cmsgs[i];
			self->msgs[i].msg_hdr.msg_controllen = sizeof(self->cmsgs[i]);
		}
		n = recvmmsg(fd, self->msgs, PXF_DHCP_RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				g_debug("receiving on %s: %s", ep->ifname ? ep->ifname : "-",
					g_strerror(errno));
			break;
		}
		now = g_get_real_time();
		for (gint i = 0; i < n; i++) {
			struct msghdr *hdr = &self->msgs[i].msg_hdr;
			PxfDhcpQueued entry = {0};
			guint8 *replacement = NULL;

			if (hdr->msg_flags & MSG_TRUNC) {
				/* larger than any DHCP message a client sends */
				if (self->truncated++ % 1000 == 0)
					g_warning("dropping datagrams larger than %u bytes on %s "
						  "(%" G_GUINT64_FORMAT " so far)",
						  PXF_DHCP_QUEUE_SLOT_SIZE,
						  ep->ifname ? ep->ifname : "-", self->truncated);
				continue;
			}
			if (hdr->msg_namelen < sizeof(struct sockaddr_in) ||
			    self->peers[i].sin_family != AF_INET)
				continue;
			entry.data = self->bufs[i];
			entry.len = self->msgs[i].msg_len;
			entry.received = pxf_dhcp_msg_received(hdr, now);
			entry.source = ep;
			entry.peer_ip = g_ntohl(self->peers[i].sin_addr.s_addr);
			entry.peer_port = g_ntohs(self->peers[i].sin_port);
			if (pxf_dhcp_queue_push(self->queue, &entry, &replacement))
				self->bufs[i] = replacement;
		}
		read += (guint)n;
		if (n < PXF_DHCP_RECV_BATCH)
			break;
	}
	if (pxf_dhcp_queue_get_length(self->queue) > 0 && self->drain == NULL) {
		self->drain = g_idle_source_new();
		g_source_set_priority(self->drain, G_PRIORITY_DEFAULT);
		g_source_set_callback(self->drain, pxf_dhcp_listener_drain, self, NULL);
		g_source_attach(self->drain, NULL);
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
	gint on = 1;

	ep->listener = self;
	ep->socket = g_object_ref(socket);
	ep->ifname = g_strdup(ifname);
	ep->address = address != NULL ? g_object_ref(address) : NULL;
	if (ifname != NULL) {
		ep->local = pxf_dhcp_interface_addresses(self->ctx, ifname);
	} else {
		g_autofree gchar *text = g_inet_address_to_string(address);
		PxfDhcpLocalAddress addr = {0, 32};
		ep->local = g_array_new(FALSE, FALSE, sizeof(PxfDhcpLocalAddress));
		if (pxf_dhcp_ip_from_string(text, &addr.ip))
			g_array_append_val(ep->local, addr);
	}
	/* the kernel's receive time: what waited in the socket buffer counts */
	if (setsockopt(g_socket_get_fd(socket), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) != 0)
		g_debug("SO_TIMESTAMPNS on %s: %s; using the read time", ifname ? ifname : "-",
			g_strerror(errno));
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
	g_autoptr(GError) error_netlink = NULL;

	self->ctx = ctx;
	self->server = server;
	self->endpoints = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_dhcp_endpoint_free);
	self->queue = pxf_dhcp_queue_new(PXF_DHCP_QUEUE_CAPACITY);
	for (guint i = 0; i < PXF_DHCP_RECV_BATCH; i++)
		self->bufs[i] = pxf_dhcp_queue_take_buffer(self->queue);
	/* the server built its table at load, from this inventory */
	self->inventory_serial = pxf_plugin_context_get_inventory_serial(ctx);
	self->netlink =
		pxf_dhcp_netlink_new(pxf_dhcp_listener_netlink_changed, self, &error_netlink);
	if (self->netlink == NULL)
		g_message("%s; the interfaces' addresses are asked for once a second",
			  error_netlink->message);
	self->addresses_time = g_get_monotonic_time();
	pxf_dhcp_server_set_send_func(server, pxf_dhcp_socket_send);

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
