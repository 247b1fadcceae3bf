/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include <errno.h>
#include <gio/gio.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pxf-dhcp-netlink.h"

#define PXF_DHCP_NETLINK_BUF 16384

struct _PxfDhcpNetlink {
	GSocket *socket;
	GSource *source;
	guint8 *buf;
	GArray *events;
	PxfDhcpNetlinkFunc func;
	gpointer user_data;
};

static void
pxf_dhcp_netlink_copy_name(gchar *dst, const guint8 *src, gsize len)
{
	gsize n = 0;
	/* a name may or may not carry its NUL; never more than IFNAMSIZ */
	while (n < len && n < 15 && src[n] != '\0')
		n++;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The attributes after a fixed header: [at, end) of data. */
static gboolean
pxf_dhcp_netlink_attrs(const guint8 *data,
		       gsize at,
		       gsize end,
		       PxfDhcpNetlinkEvent *ev,
		       gboolean is_link,
		       GError **error)
{
	gboolean have_local = FALSE;

	while (at + sizeof(struct rtattr) <= end) {
		struct rtattr rta;
		gsize payload;

		memcpy(&rta, data + at, sizeof(rta));
		if (rta.rta_len < sizeof(rta) || at + rta.rta_len > end) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "netlink attribute at offset %" G_GSIZE_FORMAT
				    ": length %u does not fit",
				    at, rta.rta_len);
			return FALSE;
		}
		payload = rta.rta_len - sizeof(rta);
		if (is_link) {
			if (rta.rta_type == IFLA_IFNAME)
				pxf_dhcp_netlink_copy_name(ev->ifname, data + at + sizeof(rta),
							   payload);
		} else if ((rta.rta_type == IFA_LOCAL ||
			    (rta.rta_type == IFA_ADDRESS && !have_local)) &&
			   payload == 4) {
			guint32 ip;
			memcpy(&ip, data + at + sizeof(rta), 4);
			ev->ip = g_ntohl(ip);
			have_local = rta.rta_type == IFA_LOCAL;
		} else if (rta.rta_type == IFA_LABEL) {
			pxf_dhcp_netlink_copy_name(ev->ifname, data + at + sizeof(rta), payload);
		}
		at += RTA_ALIGN((gsize)rta.rta_len);
	}
	return TRUE;
}

gboolean
pxf_dhcp_netlink_parse(const guint8 *data, gsize len, GArray *events, GError **error)
{
	gsize at = 0;

	while (at + sizeof(struct nlmsghdr) <= len) {
		struct nlmsghdr nlh;
		PxfDhcpNetlinkEvent ev = {0};
		gsize body = at + NLMSG_HDRLEN;
		gsize end;

		memcpy(&nlh, data + at, sizeof(nlh));
		if (nlh.nlmsg_len < sizeof(nlh) || nlh.nlmsg_len > len - at) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "netlink message at offset %" G_GSIZE_FORMAT
				    ": length %u does not fit in %" G_GSIZE_FORMAT " bytes",
				    at, nlh.nlmsg_len, len - at);
			return FALSE;
		}
		end = at + nlh.nlmsg_len;
		switch (nlh.nlmsg_type) {
		case RTM_NEWADDR:
		case RTM_DELADDR: {
			struct ifaddrmsg ifa;
			if (body + sizeof(ifa) > end) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
					    "netlink address message at offset %" G_GSIZE_FORMAT
					    " is cut short",
					    at);
				return FALSE;
			}
			memcpy(&ifa, data + body, sizeof(ifa));
			if (ifa.ifa_family != AF_INET)
				break;
			ev.type = nlh.nlmsg_type == RTM_NEWADDR ? PXF_DHCP_NETLINK_NEW_ADDRESS
								: PXF_DHCP_NETLINK_DEL_ADDRESS;
			ev.ifindex = ifa.ifa_index;
			ev.prefix = MIN(ifa.ifa_prefixlen, 32u);
			if (!pxf_dhcp_netlink_attrs(data, body + NLMSG_ALIGN(sizeof(ifa)), end, &ev,
						    FALSE, error))
				return FALSE;
			g_array_append_val(events, ev);
			break;
		}
		case RTM_NEWLINK:
		case RTM_DELLINK: {
			struct ifinfomsg ifi;
			if (body + sizeof(ifi) > end) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
					    "netlink link message at offset %" G_GSIZE_FORMAT
					    " is cut short",
					    at);
				return FALSE;
			}
			memcpy(&ifi, data + body, sizeof(ifi));
			ev.type = nlh.nlmsg_type == RTM_NEWLINK ? PXF_DHCP_NETLINK_NEW_LINK
								: PXF_DHCP_NETLINK_DEL_LINK;
			ev.ifindex = ifi.ifi_index > 0 ? (guint)ifi.ifi_index : 0;
			if (!pxf_dhcp_netlink_attrs(data, body + NLMSG_ALIGN(sizeof(ifi)), end, &ev,
						    TRUE, error))
				return FALSE;
			g_array_append_val(events, ev);
			break;
		}
		default:
			break; /* NLMSG_DONE, NLMSG_NOOP, routes, ... */
		}
		at += NLMSG_ALIGN((gsize)nlh.nlmsg_len);
	}
	return TRUE;
}

static gboolean
pxf_dhcp_netlink_ready(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	PxfDhcpNetlink *self = user_data;

	/* bounded: a change storm must not hold the main loop */
	for (guint i = 0; i < 16; i++) {
		g_autoptr(GError) error = NULL;
		gssize n = g_socket_receive(socket, (gchar *)self->buf, PXF_DHCP_NETLINK_BUF, NULL,
					    &error);

		g_array_set_size(self->events, 0);
		if (n < 0) {
			if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
				break;
			/* ENOBUFS: the kernel dropped changes we will never see */
			g_debug("netlink: %s; asking for the addresses again", error->message);
			{
				PxfDhcpNetlinkEvent ev = {.type = PXF_DHCP_NETLINK_OVERRUN};
				g_array_append_val(self->events, ev);
			}
			self->func(self->events, self->user_data);
			break;
		}
		if (!pxf_dhcp_netlink_parse(self->buf, (gsize)n, self->events, &error)) {
			PxfDhcpNetlinkEvent ev = {.type = PXF_DHCP_NETLINK_OVERRUN};
			g_warning("netlink: %s", error->message);
			g_array_append_val(self->events, ev);
		}
		if (self->events->len > 0)
			self->func(self->events, self->user_data);
	}
	return G_SOURCE_CONTINUE;
}

PxfDhcpNetlink *
pxf_dhcp_netlink_new(PxfDhcpNetlinkFunc func, gpointer user_data, GError **error)
{
	g_autoptr(PxfDhcpNetlink) self = g_new0(PxfDhcpNetlink, 1);
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_LINK,
	};
	gint fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	self->func = func;
	self->user_data = user_data;
	if (fd < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "netlink socket: %s",
			    g_strerror(errno));
		return NULL;
	}
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		gint saved = errno;
		close(fd);
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
			    "netlink bind to the address and link groups: %s", g_strerror(saved));
		return NULL;
	}
	self->socket = g_socket_new_from_fd(fd, error);
	if (self->socket == NULL) {
		close(fd);
		return NULL;
	}
	/* a GSocket waits in receive() unless told not to: never on the loop */
	g_socket_set_blocking(self->socket, FALSE);
	self->buf = g_malloc(PXF_DHCP_NETLINK_BUF);
	self->events = g_array_new(FALSE, FALSE, sizeof(PxfDhcpNetlinkEvent));
	self->source = g_socket_create_source(self->socket, G_IO_IN, NULL);
	g_source_set_callback(self->source, (GSourceFunc)(void (*)(void))pxf_dhcp_netlink_ready,
			      self, NULL);
	g_source_attach(self->source, NULL);
	return g_steal_pointer(&self);
}

void
pxf_dhcp_netlink_free(PxfDhcpNetlink *self)
{
	if (self == NULL)
		return;
	if (self->source != NULL) {
		g_source_destroy(self->source);
		g_source_unref(self->source);
	}
	g_clear_object(&self->socket);
	if (self->events != NULL)
		g_array_unref(self->events);
	g_free(self->buf);
	g_free(self);
}
