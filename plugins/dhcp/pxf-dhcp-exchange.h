/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to the server: one request being answered. */
#pragma once

#include "pxf-dhcp-hosts.h"
#include "pxf-dhcp-packet.h"
#include "pxf-dhcp-server.h"

G_BEGIN_DECLS

struct _PxfDhcpServer {
	PxfDhcpConfig *config;
	PxfDhcpLeases *leases;
	const PxfDhcpBackend *backend;
	gpointer backend_data;
	GHashTable *seen;    /* MACs that sent a DISCOVER since start */
	PxfDhcpHosts *hosts; /* the inventory's fixed addresses, per load */
	/* rate limit for complaints about packets */
	gint64 complain_window;
	guint complain_count;
	guint complain_suppressed;
	/* group commit */
	PxfDhcpSendFunc send_func;
	GPtrArray *waiting; /* PxfDhcpWaiting: ACKs sent after the commit */
	guint flush_id;
};

typedef struct {
	PxfDhcpServer *server;
	const PxfDhcpIncoming *in;
	const PxfDhcpPacket *pkt;
	gint64 now;
	gchar *mac;
	gchar *client_id;
	gchar *client_hostname; /* option 12 */
	gchar *vendor_class;	/* option 60 */
	gchar *peer;		/* for logs */
	PxfDhcpLeaseOwner owner;
	PxfDhcpSubnet *subnet;
	guint32 server_id;
	guint32 fixed_ip; /* this client's fixed address in subnet, or 0 */
	PxfClientSlot slot;
	gboolean have_slot;
	PxfFirmware firmware;
	PxfBootStage stage;
	gboolean http_boot; /* a UEFI HTTP boot client: its boot file is an URL */
	gboolean pxe;	    /* a network boot client: PXE ROM, iPXE, UEFI HTTP */
	gboolean bound;	    /* an ACK that may go out only once the lease is durable */
} PxfDhcpExchange;

/* Builds the reply of the given type (OFFER, ACK or NAK) with its options,
 * boot file and destination, after boot.select and dhcp.reply; FALSE when a
 * hook dropped it or it cannot be built. message goes into a NAK (option
 * 56). lease_time 0 leaves out the lease options (INFORM, NAK). */
gboolean pxf_dhcp_reply_build(PxfDhcpExchange *ex,
			      guint8 type,
			      guint32 yiaddr,
			      gint64 lease_time,
			      const gchar *message,
			      PxfDhcpOutgoing *out);

G_END_DECLS
