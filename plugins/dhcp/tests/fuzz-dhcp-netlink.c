/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: any datagram on the rtnetlink socket parses or fails
 * cleanly, never reading past its end. */
#include "pxf-dhcp-netlink.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(GArray) events = g_array_new(FALSE, FALSE, sizeof(PxfDhcpNetlinkEvent));
	g_autoptr(GError) error = NULL;

	/* a copy of exactly size bytes, so that ASan sees any overread */
	g_autofree guint8 *copy = g_memdup2(data, size);
	(void)pxf_dhcp_netlink_parse(copy, size, events, &error);
	for (guint i = 0; i < events->len; i++) {
		const PxfDhcpNetlinkEvent *ev = &g_array_index(events, PxfDhcpNetlinkEvent, i);
		g_assert(ev->ifname[sizeof(ev->ifname) - 1] == '\0');
		g_assert(ev->prefix <= 32);
	}
	return 0;
}
