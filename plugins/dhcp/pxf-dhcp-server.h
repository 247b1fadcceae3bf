/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DHCPv4 server (RFC 2131) without sockets: one received datagram in,
 * at most one reply and its destination out. What it needs from the daemon
 * (the hook pipeline, the inventory, events, the clock) comes through a
 * PxfDhcpBackend, so that the protocol runs in unit tests as it runs in
 * pxeforged. */
#pragma once

#include <pxeforge/plugin.h>

#include "pxf-dhcp-config.h"
#include "pxf-dhcp-leases.h"

G_BEGIN_DECLS

typedef struct {
	void (*client_init)(gpointer backend,
			    PxfClientSlot *slot,
			    GInetSocketAddress *peer,
			    GInetSocketAddress *local,
			    const gchar *mac);
	void (*client_clear)(gpointer backend, PxfClientSlot *slot);
	PxfVerdict (*classify)(gpointer backend, PxfClientClassifyArgs *args);
	PxfVerdict (*lookup_host)(gpointer backend, PxfHostLookupArgs *args);
	PxfVerdict (*select_boot)(gpointer backend, PxfBootSelectArgs *args);
	PxfVerdict (*dhcp_reply)(gpointer backend, PxfDhcpReplyArgs *args);
	/* The inventory's fixed addresses: GUINT_TO_POINTER(ip) → canonical
	 * MAC (a new table the server keeps). Asked once per inventory load:
	 * at pxf_dhcp_server_load() and pxf_dhcp_server_hosts_changed(). */
	GHashTable *(*get_fixed_addresses)(gpointer backend);
	/* A DISCOVER from this client: a known host still unknown to the state
	 * machine becomes discovered. */
	void (*host_seen)(gpointer backend, const PxfClient *client);
	void (*emit_event)(gpointer backend,
			   const PxfClient *client,
			   const gchar *mac,
			   PxfHostEventType type,
			   const gchar *detail);
	void (*set_address_owner)(gpointer backend, const gchar *ip, const gchar *mac);
	/* wall-clock seconds; leases outlive the process */
	gint64 (*now)(gpointer backend);
} PxfDhcpBackend;

/* One of this server's IPv4 addresses, host byte order. */
typedef struct {
	guint32 ip;
	guint prefix;
} PxfDhcpLocalAddress;

/* Where a packet came from. */
typedef struct {
	const gchar *ifname; /* NULL on a socket bound to an address */
	GArray *local;	     /* PxfDhcpLocalAddress: this server's addresses there */
	GInetSocketAddress *peer;
	/* What a reply goes out through (the listener's socket), kept while
	 * an ACK waits for its lease to be durable; NULL when the caller
	 * sends every reply itself. */
	GObject *target;
} PxfDhcpIncoming;

/* A reply to send. */
typedef struct {
	GBytes *data;
	guint32 ip; /* host byte order; 0xffffffff for a broadcast */
	guint16 port;
} PxfDhcpOutgoing;

void pxf_dhcp_outgoing_clear(PxfDhcpOutgoing *out);

typedef struct _PxfDhcpServer PxfDhcpServer;

/* Takes config. */
PxfDhcpServer *pxf_dhcp_server_new(PxfDhcpConfig *config,
				   const PxfDhcpStoreOps *store_ops,
				   gpointer store,
				   const PxfDhcpBackend *backend,
				   gpointer backend_data);
void pxf_dhcp_server_free(PxfDhcpServer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpServer, pxf_dhcp_server_free)

const PxfDhcpConfig *pxf_dhcp_server_get_config(PxfDhcpServer *self);
PxfDhcpLeases *pxf_dhcp_server_get_leases(PxfDhcpServer *self);

/* Builds the table of fixed addresses anew: the inventory changed. */
void pxf_dhcp_server_hosts_changed(PxfDhcpServer *self);
/* Builds the table of fixed addresses and loads the stored leases, telling
 * the backend who holds each bound one. */
gboolean pxf_dhcp_server_load(PxfDhcpServer *self, GError **error);
/* Handles one datagram; TRUE with out filled when a reply is to be sent.
 * Never fails: malformed packets are logged (rate-limited) and dropped. */
gboolean pxf_dhcp_server_handle(PxfDhcpServer *self,
				const guint8 *data,
				gsize len,
				const PxfDhcpIncoming *in,
				PxfDhcpOutgoing *out);
/* Sends a reply through an incoming packet's target. */
typedef void (*PxfDhcpSendFunc)(GObject *target, const gchar *ifname, const PxfDhcpOutgoing *out);
/* Group commit: with a send function, an ACK whose lease changed is not
 * returned by handle() but queued; the lease changes of a main-loop pass
 * are committed together (one fdatasync) from an idle source at default
 * priority, which runs after the pass's packets, and only then are the
 * queued ACKs sent. Without one, handle() commits before it returns. */
void pxf_dhcp_server_set_send_func(PxfDhcpServer *self, PxfDhcpSendFunc func);
/* Commits the pass's changes and sends the ACKs waiting for them; on a
 * failure, logged with the file, the waiting ACKs are dropped (the clients
 * retry). */
gboolean pxf_dhcp_server_flush(PxfDhcpServer *self);
guint pxf_dhcp_server_get_n_waiting(PxfDhcpServer *self);
/* Periodic work: forgets owners of expired leases. */
void pxf_dhcp_server_tick(PxfDhcpServer *self);

G_END_DECLS
