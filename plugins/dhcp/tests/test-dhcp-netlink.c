/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rtnetlink parser on crafted messages: address and link changes, what
 * is skipped, and lengths that do not fit (input from the kernel, checked
 * as if from anyone). */
#include <gio/gio.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "pxf-dhcp-netlink.h"

/* Appends a message: header, fixed part, then attributes with add_attr. */
static gsize
msg_begin(GByteArray *buf, guint16 type, gconstpointer fixed, gsize fixed_len)
{
	struct nlmsghdr nlh = {.nlmsg_type = type, .nlmsg_len = 0};
	gsize at = buf->len;
	guint8 pad[4] = {0};

	g_byte_array_append(buf, (const guint8 *)&nlh, sizeof(nlh));
	g_byte_array_append(buf, fixed, (guint)fixed_len);
	g_byte_array_append(buf, pad, (guint)(NLMSG_ALIGN(fixed_len) - fixed_len));
	return at;
}

static void
msg_attr(GByteArray *buf, guint16 type, gconstpointer data, gsize len)
{
	struct rtattr rta = {.rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type};
	guint8 pad[4] = {0};

	g_byte_array_append(buf, (const guint8 *)&rta, sizeof(rta));
	g_byte_array_append(buf, data, (guint)len);
	g_byte_array_append(buf, pad, (guint)(RTA_ALIGN(len) - len));
}

static void
msg_end(GByteArray *buf, gsize at)
{
	guint32 len = buf->len - (guint32)at;
	memcpy(buf->data + at, &len, sizeof(len));
}

static void
add_address(GByteArray *buf, guint16 type, guint8 family, guint index, const gchar *ip, guint8 plen)
{
	struct ifaddrmsg ifa = {.ifa_family = family, .ifa_prefixlen = plen, .ifa_index = index};
	gsize at = msg_begin(buf, type, &ifa, sizeof(ifa));
	g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(ip);

	msg_attr(buf, IFA_ADDRESS, g_inet_address_to_bytes(addr),
		 g_inet_address_get_native_size(addr));
	msg_attr(buf, IFA_LOCAL, g_inet_address_to_bytes(addr),
		 g_inet_address_get_native_size(addr));
	msg_attr(buf, IFA_LABEL, "veth0", 6);
	msg_end(buf, at);
}

static void
test_netlink_addresses(void)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	g_autoptr(GArray) events = g_array_new(FALSE, FALSE, sizeof(PxfDhcpNetlinkEvent));
	g_autoptr(GError) error = NULL;
	const PxfDhcpNetlinkEvent *ev;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 7};
	gsize at;

	add_address(buf, RTM_NEWADDR, AF_INET, 7, "10.0.0.1", 24);
	add_address(buf, RTM_NEWADDR, AF_INET6, 7, "fe80::1", 64); /* skipped */
	add_address(buf, RTM_DELADDR, AF_INET, 7, "10.0.0.2", 16);
	at = msg_begin(buf, RTM_NEWLINK, &ifi, sizeof(ifi));
	/* a name without its NUL, longer than IFNAMSIZ allows */
	msg_attr(buf, IFLA_IFNAME, "a-very-long-interface-name", 26);
	msg_end(buf, at);
	at = msg_begin(buf, NLMSG_DONE, &ifi, sizeof(ifi)); /* skipped */
	msg_end(buf, at);

	g_assert_true(pxf_dhcp_netlink_parse(buf->data, buf->len, events, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(events->len, ==, 3);
	ev = &g_array_index(events, PxfDhcpNetlinkEvent, 0);
	g_assert_cmpint(ev->type, ==, PXF_DHCP_NETLINK_NEW_ADDRESS);
	g_assert_cmpuint(ev->ifindex, ==, 7);
	g_assert_cmphex(ev->ip, ==, 0x0a000001);
	g_assert_cmpuint(ev->prefix, ==, 24);
	g_assert_cmpstr(ev->ifname, ==, "veth0");
	ev = &g_array_index(events, PxfDhcpNetlinkEvent, 1);
	g_assert_cmpint(ev->type, ==, PXF_DHCP_NETLINK_DEL_ADDRESS);
	g_assert_cmphex(ev->ip, ==, 0x0a000002);
	g_assert_cmpuint(ev->prefix, ==, 16);
	ev = &g_array_index(events, PxfDhcpNetlinkEvent, 2);
	g_assert_cmpint(ev->type, ==, PXF_DHCP_NETLINK_NEW_LINK);
	g_assert_cmpuint(ev->ifindex, ==, 7);
	g_assert_cmpstr(ev->ifname, ==, "a-very-long-int");
}

static void
test_netlink_malformed(void)
{
	g_autoptr(GByteArray) good = g_byte_array_new();
	g_autoptr(GArray) events = g_array_new(FALSE, FALSE, sizeof(PxfDhcpNetlinkEvent));
	g_autofree guint8 *copy = NULL;
	struct nlmsghdr nlh;
	struct rtattr rta;
	gsize first;

	add_address(good, RTM_NEWADDR, AF_INET, 3, "192.168.1.1", 24);
	first = good->len;
	add_address(good, RTM_NEWADDR, AF_INET, 4, "192.168.2.1", 24);

	/* every cut of the datagram: never a read past it; a cut inside the
	 * second message fails and keeps the first's event */
	for (gsize len = 0; len < good->len; len++) {
		g_autoptr(GError) error = NULL;
		gboolean ok;
		g_array_set_size(events, 0);
		ok = pxf_dhcp_netlink_parse(good->data, len, events, &error);
		if (len < sizeof(struct nlmsghdr) ||
		    (len >= first && len < first + sizeof(struct nlmsghdr))) {
			g_assert_true(ok); /* not even a header left: nothing more */
		} else {
			g_assert_false(ok);
			g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		}
		g_assert_cmpuint(events->len, ==, len >= first ? 1 : 0);
	}

	/* a message length smaller than its header */
	copy = g_memdup2(good->data, good->len);
	memcpy(&nlh, copy, sizeof(nlh));
	nlh.nlmsg_len = 4;
	memcpy(copy, &nlh, sizeof(nlh));
	{
		g_autoptr(GError) error = NULL;
		g_assert_false(pxf_dhcp_netlink_parse(copy, good->len, events, &error));
		g_assert_nonnull(strstr(error->message, "offset 0"));
	}
	/* an address message too short for its ifaddrmsg */
	nlh.nlmsg_len = NLMSG_HDRLEN + 2;
	memcpy(copy, &nlh, sizeof(nlh));
	{
		g_autoptr(GError) error = NULL;
		g_assert_false(pxf_dhcp_netlink_parse(copy, good->len, events, &error));
		g_assert_nonnull(strstr(error->message, "cut short"));
	}
	/* an attribute claiming more than its message, and one claiming less
	 * than its own header */
	memcpy(copy, good->data, good->len);
	memcpy(&rta, copy + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifaddrmsg)), sizeof(rta));
	rta.rta_len = 200;
	memcpy(copy + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifaddrmsg)), &rta, sizeof(rta));
	{
		g_autoptr(GError) error = NULL;
		g_assert_false(pxf_dhcp_netlink_parse(copy, good->len, events, &error));
		g_assert_nonnull(strstr(error->message, "attribute"));
	}
	rta.rta_len = 2;
	memcpy(copy + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifaddrmsg)), &rta, sizeof(rta));
	{
		g_autoptr(GError) error = NULL;
		g_assert_false(pxf_dhcp_netlink_parse(copy, good->len, events, &error));
		g_assert_nonnull(strstr(error->message, "attribute"));
	}
}

/* The monitor opens (netlink needs no privilege to listen) and sees an
 * address added on loopback inside a namespace only when root; here only
 * that it opens and closes cleanly. */
static void
test_netlink_open(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfDhcpNetlink) nl = pxf_dhcp_netlink_new(NULL, NULL, &error);

	if (nl == NULL) {
		g_test_skip(error->message);
		return;
	}
	g_assert_no_error(error);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp/netlink/addresses", test_netlink_addresses);
	g_test_add_func("/dhcp/netlink/malformed", test_netlink_malformed);
	g_test_add_func("/dhcp/netlink/open", test_netlink_open);
	return g_test_run();
}
