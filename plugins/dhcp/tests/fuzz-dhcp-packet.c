/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: any bytes a client can send to port 67 parse or fail
 * cleanly, and every accessor the server uses copes with what parsed. */
#include "pxf-dhcp-packet.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(PxfDhcpPacket) pkt = pxf_dhcp_packet_parse(data, size, NULL);
	guint32 u32 = 0;
	guint16 u16 = 0;

	if (pkt == NULL)
		return 0;
	{
		g_free(pxf_dhcp_packet_get_mac(pkt));
		g_free(pxf_dhcp_packet_get_client_id(pkt));
		g_free(pxf_dhcp_packet_get_uuid(pkt));
		g_free(pxf_dhcp_packet_get_user_class(pkt));
		g_free(pxf_dhcp_packet_get_string(pkt, 60));
		g_free(pxf_dhcp_packet_get_string(pkt, 12));
		(void)pxf_dhcp_packet_get_arch(pkt);
		(void)pxf_dhcp_packet_get_max_reply_size(pkt);
		(void)pxf_dhcp_packet_get_u32(pkt, 50, &u32);
		(void)pxf_dhcp_packet_get_u32(pkt, 54, &u32);
		(void)pxf_dhcp_packet_get_u16(pkt, 57, &u16);
		for (guint code = 0; code < 256; code++)
			(void)pxf_dhcp_packet_requests(pkt, (guint8)code);
		(void)pxf_dhcp_message_type_to_string(pkt->message_type);
	}
	return 0;
}
