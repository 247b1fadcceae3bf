/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The inventory's fixed addresses as the server needs them per packet,
 * built once per inventory load: by MAC, by address, and per subnet the
 * set of addresses its dynamic pool never hands out (routers, DNS
 * servers, next-server, every fixed address inside the subnet). */
#pragma once

#include "pxf-dhcp-config.h"

G_BEGIN_DECLS

typedef struct _PxfDhcpHosts PxfDhcpHosts;

/* fixed: GUINT_TO_POINTER(ip) → canonical MAC, as the backend gives it
 * (taken; may be NULL for none). config must outlive the table. */
PxfDhcpHosts *pxf_dhcp_hosts_new(const PxfDhcpConfig *config, GHashTable *fixed);
void pxf_dhcp_hosts_free(PxfDhcpHosts *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpHosts, pxf_dhcp_hosts_free)

guint pxf_dhcp_hosts_get_size(PxfDhcpHosts *self);
/* The fixed address of mac, or 0. */
guint32 pxf_dhcp_hosts_lookup_mac(PxfDhcpHosts *self, const gchar *mac);
/* The MAC whose fixed address ip is, or NULL. */
const gchar *pxf_dhcp_hosts_lookup_ip(PxfDhcpHosts *self, guint32 ip);
/* The pool's reserved set of subnet (a set of GUINT_TO_POINTER(ip), owned
 * by the table). The server adds its own addresses per exchange and lifts
 * the client's own fixed address; see pxf-dhcp-server.c. */
GHashTable *pxf_dhcp_hosts_get_reserved(PxfDhcpHosts *self, const PxfDhcpSubnet *subnet);

G_END_DECLS
