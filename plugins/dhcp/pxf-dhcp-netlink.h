/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's address and link changes (rtnetlink, RTMGRP_IPV4_IFADDR and
 * RTMGRP_LINK) on the main loop, so that the listener keeps the addresses
 * of its interfaces cached and asks for them again only when they change,
 * not per datagram. GLib has no such monitor for addresses. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	PXF_DHCP_NETLINK_NEW_ADDRESS = 1,
	PXF_DHCP_NETLINK_DEL_ADDRESS,
	PXF_DHCP_NETLINK_NEW_LINK,
	PXF_DHCP_NETLINK_DEL_LINK,
	PXF_DHCP_NETLINK_OVERRUN, /* the kernel dropped messages: ask again */
} PxfDhcpNetlinkType;

typedef struct {
	PxfDhcpNetlinkType type;
	guint ifindex;
	guint32 ip; /* addresses: IFA_LOCAL (else IFA_ADDRESS), host order */
	guint prefix;
	gchar ifname[16]; /* links: IFLA_IFNAME; addresses: IFA_LABEL; or "" */
} PxfDhcpNetlinkEvent;

/* Parses one datagram of rtnetlink messages into events (appended to
 * events, a GArray of PxfDhcpNetlinkEvent); IPv6 addresses and other
 * message types are skipped. Input from the kernel, checked as if it were
 * from anyone: FALSE naming the offset when a length does not fit, with
 * the events before it kept. */
gboolean pxf_dhcp_netlink_parse(const guint8 *data, gsize len, GArray *events, GError **error);

typedef struct _PxfDhcpNetlink PxfDhcpNetlink;
/* Told after each datagram that brought at least one event. */
typedef void (*PxfDhcpNetlinkFunc)(const GArray *events, gpointer user_data);

/* NULL with error when the socket cannot be opened (the caller then asks
 * for addresses otherwise). */
PxfDhcpNetlink *pxf_dhcp_netlink_new(PxfDhcpNetlinkFunc func, gpointer user_data, GError **error);
void pxf_dhcp_netlink_free(PxfDhcpNetlink *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpNetlink, pxf_dhcp_netlink_free)

G_END_DECLS
