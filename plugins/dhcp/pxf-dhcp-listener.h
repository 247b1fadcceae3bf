/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The server's sockets: one UDP socket per interface (SO_BINDTODEVICE on
 * 0.0.0.0:port, so broadcasts arrive and replies leave where the client
 * is) and one per configured address, all on the main loop. */
#pragma once

#include "pxf-dhcp-server.h"

G_BEGIN_DECLS

typedef struct _PxfDhcpListener PxfDhcpListener;

/* Binds during init (the core does it while it still has root). */
PxfDhcpListener *pxf_dhcp_listener_new(PxfPluginContext *ctx,
				       PxfDhcpServer *server,
				       const gchar *const *interfaces,
				       const gchar *const *addresses,
				       guint16 port,
				       GError **error);
/* Stops receiving; the core keeps the sockets for a reload. */
void pxf_dhcp_listener_free(PxfDhcpListener *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpListener, pxf_dhcp_listener_free)

G_END_DECLS
