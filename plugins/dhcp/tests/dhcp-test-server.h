/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The server suites' fixture: a server on the fake daemon and the core's
 * file store, and the exchanges the suites drive it with. */
#pragma once

#include <pxeforge/plugin.h>

#include "dhcp-test-fake.h"
#include "dhcp-test-packets.h"
#include "dhcp-test-store.h"
#include "pxf-dhcp-packet.h"
#include "pxf-dhcp-server.h"

static const guint8 mac1[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x01};
static const guint8 mac2[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x02};
#define SERVER_IP "10.0.0.1"
#define T0	  1700000000

/* ---- fixture --------------------------------------------------------------- */

typedef struct {
	Fake fk;
	TestStore *ts;
	PxfDhcpServer *server;
	GArray *local;
	GSocketAddress *peer;
	GObject *target; /* the incoming packets' target, or NULL */
} Fixture;

static inline PxfDhcpSubnet *
make_subnet(const gchar *cidr, const gchar *start, const gchar *end)
{
	PxfDhcpSubnet *s = pxf_dhcp_subnet_new();
	g_autoptr(GError) error = NULL;
	s->cidr = g_strdup(cidr);
	g_assert_true(pxf_dhcp_parse_cidr(cidr, &s->network, &s->prefix, &error));
	s->range_start = test_ip(start);
	s->range_end = test_ip(end);
	g_assert_true(pxf_dhcp_subnet_check(s, &error));
	s->lease_time = 600;
	return s;
}

static inline PxfDhcpConfig *
make_config(const gchar *start, const gchar *end)
{
	PxfDhcpConfig *c = pxf_dhcp_config_new();
	PxfDhcpSubnet *s = make_subnet("10.0.0.0/24", start, end);
	guint32 ip = test_ip(SERVER_IP);
	g_array_append_val(s->routers, ip);
	ip = test_ip("10.0.0.53");
	g_array_append_val(s->dns_servers, ip);
	s->domain_name = g_strdup("lab.example");
	g_ptr_array_add(c->subnets, s);
	/* a relayed network */
	g_ptr_array_add(c->subnets, make_subnet("10.5.0.0/24", "10.5.0.10", "10.5.0.20"));
	c->offer_hold = 30;
	c->decline_time = 60;
	return c;
}

static inline void
fixture_start(Fixture *f, const gchar *start, const gchar *end)
{
	g_autoptr(GError) error = NULL;
	g_clear_pointer(&f->server, pxf_dhcp_server_free);
	f->server = pxf_dhcp_server_new(make_config(start, end), &test_store_ops, f->ts,
					&fake_backend, &f->fk);
	g_assert_true(pxf_dhcp_server_load(f->server, &error));
	g_assert_no_error(error);
}

static inline void
fixture_setup(Fixture *f, gconstpointer data)
{
	PxfDhcpLocalAddress server = {test_ip(SERVER_IP), 24};
	g_autoptr(GInetAddress) any = g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);

	f->fk.events = g_ptr_array_new_with_free_func(g_free);
	f->fk.owners = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	f->fk.fixed = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	f->fk.now = T0;
	f->fk.reply_verdict = PXF_VERDICT_CONTINUE;
	f->ts = test_store_new();
	f->local = g_array_new(FALSE, FALSE, sizeof(PxfDhcpLocalAddress));
	g_array_append_val(f->local, server);
	f->peer = g_inet_socket_address_new(any, 68);
	fixture_start(f, "10.0.0.100", "10.0.0.199");
}

static inline void
fixture_teardown(Fixture *f, gconstpointer data)
{
	pxf_dhcp_server_free(f->server);
	g_clear_object(&f->target);
	test_store_free(f->ts);
	g_array_unref(f->local);
	g_object_unref(f->peer);
	g_ptr_array_unref(f->fk.events);
	g_hash_table_unref(f->fk.owners);
	g_hash_table_unref(f->fk.fixed);
	g_clear_pointer(&f->fk.inventory, pxf_inventory_free);
	g_free(f->fk.boot_file);
	g_free(f->fk.next_server);
}

/* Sends one request; the parsed reply, or NULL when none. */
static inline PxfDhcpPacket *
exchange(Fixture *f, GByteArray *request, PxfDhcpOutgoing *where)
{
	g_autoptr(GBytes) bytes = test_packet_finish(request);
	PxfDhcpIncoming in = {.ifname = "veth0",
			      .local = f->local,
			      .peer = G_INET_SOCKET_ADDRESS(f->peer),
			      .target = f->target};
	PxfDhcpOutgoing out = {0};
	g_autoptr(GError) error = NULL;
	PxfDhcpPacket *reply;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);

	if (!pxf_dhcp_server_handle(f->server, data, len, &in, &out)) {
		g_assert_null(out.data);
		return NULL;
	}
	data = g_bytes_get_data(out.data, &len);
	g_assert_cmpuint(len, >=, PXF_DHCP_BOOTP_MIN_SIZE);
	reply = pxf_dhcp_packet_parse(data, len, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(reply->op, ==, PXF_DHCP_OP_BOOTREPLY);
	if (where != NULL)
		*where = out;
	else
		pxf_dhcp_outgoing_clear(&out);
	return reply;
}

static inline guint32
opt_u32(PxfDhcpPacket *p, guint8 code)
{
	guint32 v = 0;
	g_assert_true(pxf_dhcp_packet_get_u32(p, code, &v));
	return v;
}

static inline GByteArray *
request_selecting(const guint8 *mac, guint32 xid, guint32 ip)
{
	GByteArray *p = test_discover_dhclient(mac, xid);
	g_autofree gchar *text = pxf_dhcp_ip_to_string(ip);
	p->data[242] = PXF_DHCP_REQUEST;
	test_packet_option_ip(p, 50, text);
	test_packet_option_ip(p, 54, SERVER_IP);
	return p;
}

/* DORA: DISCOVER, OFFER, REQUEST, ACK, with the lease in the store. */
static inline guint32
dora(Fixture *f, const guint8 *mac, guint32 xid)
{
	g_autoptr(PxfDhcpPacket) offer = exchange(f, test_discover_dhclient(mac, xid), NULL);
	g_autoptr(PxfDhcpPacket) ack = NULL;

	g_assert_nonnull(offer);
	g_assert_cmpuint(offer->message_type, ==, PXF_DHCP_OFFER);
	ack = exchange(f, request_selecting(mac, xid + 1, offer->yiaddr), NULL);
	g_assert_nonnull(ack);
	g_assert_cmpuint(ack->message_type, ==, PXF_DHCP_ACK);
	g_assert_cmphex(ack->yiaddr, ==, offer->yiaddr);
	return ack->yiaddr;
}
