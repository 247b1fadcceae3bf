/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The server as RFC 2131 clients and real firmware use it, beyond plain
 * DORA: hosts identified by client identifier (option 61) or SMBIOS UUID
 * (option 97) rather than their MAC, REBINDING, the broadcast flag and
 * options overloaded into sname and file (option 52). */
#include "dhcp-test-server.h"
#include "pxf-config.h"
#include "pxf-diag.h"

static const guint8 client_id[7] = {0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01};

/* Gives the fake daemon this inventory, and the server its fixed
 * addresses, as the backend does at a load. */
static void
fixture_inventory(Fixture *f, const gchar *yaml)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = pxf_conf_parse_data("inv.yaml", yaml, strlen(yaml), diags);
	GPtrArray *hosts;

	g_assert_nonnull(root);
	g_clear_pointer(&f->fk.inventory, pxf_inventory_free);
	f->fk.inventory = pxf_inventory_new_from_config(root, NULL, diags);
	g_assert_cmpuint(diags->len, ==, 0);
	hosts = pxf_inventory_get_hosts(f->fk.inventory);
	for (guint i = 0; i < hosts->len; i++) {
		const PxfHost *host = g_ptr_array_index(hosts, i);
		if (pxf_host_get_ip(host) != NULL)
			g_hash_table_insert(f->fk.fixed,
					    GUINT_TO_POINTER(test_ip(pxf_host_get_ip(host))),
					    g_strdup(pxf_host_get_mac(host)));
	}
	pxf_dhcp_server_hosts_changed(f->server);
}

/* DISCOVER then SELECTING REQUEST, each with the option; the ACKed address. */
static guint32
dora_with(Fixture *f, const guint8 *mac, guint32 xid, guint8 code, const guint8 *data, gsize len)
{
	GByteArray *p = test_discover_dhclient(mac, xid);
	g_autoptr(PxfDhcpPacket) offer = NULL;
	g_autoptr(PxfDhcpPacket) ack = NULL;

	test_packet_option(p, code, data, len);
	offer = exchange(f, p, NULL);
	g_assert_nonnull(offer);
	g_assert_cmpuint(offer->message_type, ==, PXF_DHCP_OFFER);
	p = request_selecting(mac, xid + 1, offer->yiaddr);
	test_packet_option(p, code, data, len);
	ack = exchange(f, p, NULL);
	g_assert_nonnull(ack);
	g_assert_cmpuint(ack->message_type, ==, PXF_DHCP_ACK);
	g_assert_cmphex(ack->yiaddr, ==, offer->yiaddr);
	return ack->yiaddr;
}

/* A host named by its client identifier gets its fixed address whatever
 * MAC it sends from (a replaced NIC, a second port); a client without the
 * identifier does not. */
static void
test_client_id_reservation(Fixture *f, gconstpointer data)
{
	g_autoptr(PxfDhcpPacket) offer = NULL;

	fixture_inventory(f, "hosts:\n"
			     "  - mac: 52:54:00:aa:00:01\n"
			     "    ip: 10.0.0.60\n"
			     "    client_id: ff:00:00:00:01:00:01\n");
	g_assert_cmphex(dora_with(f, mac1, 1, 61, client_id, sizeof(client_id)), ==,
			test_ip("10.0.0.60"));
	/* the lease belongs to the identifier (RFC 2131 4.2) */
	g_assert_cmpstr(
		pxf_dhcp_leases_lookup(pxf_dhcp_server_get_leases(f->server), test_ip("10.0.0.60"))
			->client_id,
		==, "ff000000010001");
	offer = exchange(f, test_discover_dhclient(mac2, 5), NULL);
	g_assert_nonnull(offer);
	g_assert_cmphex(offer->yiaddr, !=, test_ip("10.0.0.60"));
}

/* Option 97 carries the SMBIOS UUID with its first three fields
 * little-endian; the inventory's uuid is the text form dmidecode prints.
 * A host found by it gets its fixed address from any MAC; the same bytes
 * read in wire order name no host. */
static void
test_uuid_reservation(Fixture *f, gconstpointer data)
{
	static const guint8 unswapped[17] = {0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
					     0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	g_autoptr(PxfDhcpPacket) offer = NULL;
	GByteArray *p;

	fixture_inventory(f, "hosts:\n"
			     "  - mac: 52:54:00:aa:00:02\n"
			     "    ip: 10.0.0.61\n"
			     "    uuid: " TEST_UUID_TEXT "\n");
	g_assert_cmphex(dora_with(f, mac1, 1, 97, test_uuid_wire, sizeof(test_uuid_wire)), ==,
			test_ip("10.0.0.61"));
	p = test_discover_dhclient(mac2, 5);
	test_packet_option(p, 97, unswapped, sizeof(unswapped));
	offer = exchange(f, p, NULL);
	g_assert_nonnull(offer);
	g_assert_cmphex(offer->yiaddr, !=, test_ip("10.0.0.61"));
}

/* REBINDING (RFC 2131 4.3.2, 4.4.5): broadcast, ciaddr set, no server
 * identifier nor requested address. The ACK extends the lease and goes to
 * ciaddr:68; a NAK for another client's address is broadcast (4.1). */
static void
test_rebinding(Fixture *f, gconstpointer data)
{
	guint32 ip = dora(f, mac1, 1);
	GByteArray *p = test_discover_dhclient(mac1, 5);
	PxfDhcpOutgoing out = {0};
	g_autoptr(PxfDhcpPacket) ack = NULL;
	g_autoptr(PxfDhcpPacket) nak = NULL;

	p->data[242] = PXF_DHCP_REQUEST;
	p->data[10] = 0x80; /* broadcast flag, as sent to 255.255.255.255 */
	test_packet_put_u32(p, 12, ip);
	f->fk.now += 525; /* past T2 = 7/8 of 600 s */
	ack = exchange(f, p, &out);
	g_assert_nonnull(ack);
	g_assert_cmpuint(ack->message_type, ==, PXF_DHCP_ACK);
	g_assert_cmphex(ack->yiaddr, ==, ip);
	g_assert_cmphex(ack->ciaddr, ==, ip);
	g_assert_cmphex(out.ip, ==, ip);
	g_assert_cmpuint(out.port, ==, 68);
	pxf_dhcp_outgoing_clear(&out);
	g_assert_cmpint(pxf_dhcp_leases_lookup(pxf_dhcp_server_get_leases(f->server), ip)->expires,
			==, T0 + 525 + 600);

	/* another client rebinding with the first one's address */
	p = test_discover_dhclient(mac2, 6);
	p->data[242] = PXF_DHCP_REQUEST;
	test_packet_put_u32(p, 12, ip);
	nak = exchange(f, p, &out);
	g_assert_nonnull(nak);
	g_assert_cmpuint(nak->message_type, ==, PXF_DHCP_NAK);
	g_assert_cmphex(out.ip, ==, 0xffffffff);
	g_assert_cmpuint(out.port, ==, 68);
	pxf_dhcp_outgoing_clear(&out);
	g_clear_pointer(&nak, pxf_dhcp_packet_free);

	/* a client moved to this network, rebinding its old address */
	p = test_discover_dhclient(mac2, 7);
	p->data[242] = PXF_DHCP_REQUEST;
	test_packet_put_u32(p, 12, test_ip("192.168.1.20"));
	nak = exchange(f, p, &out);
	g_assert_nonnull(nak);
	g_assert_cmpuint(nak->message_type, ==, PXF_DHCP_NAK);
	g_assert_cmphex(out.ip, ==, 0xffffffff);
	pxf_dhcp_outgoing_clear(&out);
}

/* The broadcast flag is echoed in the reply's flags (RFC 2131 4.1), and a
 * reply to a client without an address is broadcast with the flag or
 * without it (README: no unicast to yiaddr without CAP_NET_ADMIN). */
static void
test_broadcast_flag(Fixture *f, gconstpointer data)
{
	for (guint flag = 0; flag < 2; flag++) {
		GByteArray *p = test_discover_dhclient(flag ? mac1 : mac2, 1 + flag);
		PxfDhcpOutgoing out = {0};
		g_autoptr(PxfDhcpPacket) offer = NULL;

		p->data[10] = flag ? 0x80 : 0x00;
		offer = exchange(f, p, &out);
		g_assert_nonnull(offer);
		g_assert_cmphex(offer->flags, ==, flag ? PXF_DHCP_FLAG_BROADCAST : 0);
		g_assert_cmphex(out.ip, ==, 0xffffffff);
		g_assert_cmpuint(out.port, ==, 68);
		pxf_dhcp_outgoing_clear(&out);
	}
}

/* A REQUEST whose requested address and server identifier sit in the
 * file field (option 52 = 1): the server reads them there and ACKs. */
static void
test_overload_request(Fixture *f, gconstpointer data)
{
	g_autoptr(PxfDhcpPacket) offer = exchange(f, test_discover_dhclient(mac1, 1), NULL);
	g_autoptr(PxfDhcpPacket) ack = NULL;
	GByteArray *p = test_packet_new(PXF_DHCP_REQUEST, mac1, 2);
	const guint8 overload = 1;
	guint8 *file = p->data + 108;
	guint32 server = test_ip(SERVER_IP);

	g_assert_nonnull(offer);
	file[0] = 50;
	file[1] = 4;
	file[2] = (guint8)(offer->yiaddr >> 24);
	file[3] = (guint8)(offer->yiaddr >> 16);
	file[4] = (guint8)(offer->yiaddr >> 8);
	file[5] = (guint8)offer->yiaddr;
	file[6] = 54;
	file[7] = 4;
	file[8] = (guint8)(server >> 24);
	file[9] = (guint8)(server >> 16);
	file[10] = (guint8)(server >> 8);
	file[11] = (guint8)server;
	file[12] = 255;
	test_packet_option(p, 52, &overload, 1);
	ack = exchange(f, p, NULL);
	g_assert_nonnull(ack);
	g_assert_cmpuint(ack->message_type, ==, PXF_DHCP_ACK);
	g_assert_cmphex(ack->yiaddr, ==, offer->yiaddr);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/dhcp/rfc2131/client-id-reservation", test_client_id_reservation);
	ADD("/dhcp/rfc2131/uuid-reservation", test_uuid_reservation);
	ADD("/dhcp/rfc2131/rebinding", test_rebinding);
	ADD("/dhcp/rfc2131/broadcast-flag", test_broadcast_flag);
	ADD("/dhcp/rfc2131/overload-request", test_overload_request);
#undef ADD
	return g_test_run();
}
