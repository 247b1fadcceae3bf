/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of fixed addresses: indexed by MAC and by address, built once
 * per inventory load and not per packet, and what a reload changes. */
#include "dhcp-test-server.h"
#include "pxf-dhcp-hosts.h"

/* n hosts with MAC 52:54:01:00:<i>: the first ten at 10.0.0.100 to .109,
 * in the server's pool, the others at 10.1.<i> outside every subnet */
static void
add_hosts(Fake *fk, guint n)
{
	for (guint i = 0; i < n; i++) {
		guint32 ip = i < 10 ? test_ip("10.0.0.100") + i : (10u << 24) | (1u << 16) | i;
		g_hash_table_insert(
			fk->fixed, GUINT_TO_POINTER(ip),
			g_strdup_printf("52:54:01:00:%02x:%02x", (i >> 8) & 0xff, i & 0xff));
	}
}

static void
test_hosts_index(void)
{
	g_autoptr(PxfDhcpConfig) config = make_config("10.0.0.100", "10.0.0.199");
	GHashTable *fixed = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	g_autoptr(PxfDhcpHosts) hosts = NULL;
	PxfDhcpSubnet *lab = g_ptr_array_index(config->subnets, 0);
	PxfDhcpSubnet *relayed = g_ptr_array_index(config->subnets, 1);
	GHashTable *reserved;

	g_hash_table_insert(fixed, GUINT_TO_POINTER(test_ip("10.0.0.150")),
			    g_strdup("52:54:00:00:00:01"));
	g_hash_table_insert(fixed, GUINT_TO_POINTER(test_ip("10.5.0.15")),
			    g_strdup("52:54:00:00:00:02"));
	hosts = pxf_dhcp_hosts_new(config, fixed);
	g_assert_cmpuint(pxf_dhcp_hosts_get_size(hosts), ==, 2);
	g_assert_cmphex(pxf_dhcp_hosts_lookup_mac(hosts, "52:54:00:00:00:01"), ==,
			test_ip("10.0.0.150"));
	g_assert_cmphex(pxf_dhcp_hosts_lookup_mac(hosts, "52:54:00:00:00:03"), ==, 0);
	g_assert_cmphex(pxf_dhcp_hosts_lookup_mac(hosts, NULL), ==, 0);
	g_assert_cmpstr(pxf_dhcp_hosts_lookup_ip(hosts, test_ip("10.5.0.15")), ==,
			"52:54:00:00:00:02");
	g_assert_null(pxf_dhcp_hosts_lookup_ip(hosts, test_ip("10.0.0.151")));
	/* each subnet reserves its own infrastructure and fixed addresses */
	reserved = pxf_dhcp_hosts_get_reserved(hosts, lab);
	g_assert_true(g_hash_table_contains(reserved, GUINT_TO_POINTER(test_ip("10.0.0.150"))));
	g_assert_true(g_hash_table_contains(reserved, GUINT_TO_POINTER(test_ip(SERVER_IP))));
	g_assert_true(g_hash_table_contains(reserved, GUINT_TO_POINTER(test_ip("10.0.0.53"))));
	g_assert_false(g_hash_table_contains(reserved, GUINT_TO_POINTER(test_ip("10.5.0.15"))));
	g_assert_cmpuint(g_hash_table_size(reserved), ==, 3);
	reserved = pxf_dhcp_hosts_get_reserved(hosts, relayed);
	g_assert_true(g_hash_table_contains(reserved, GUINT_TO_POINTER(test_ip("10.5.0.15"))));
	g_assert_cmpuint(g_hash_table_size(reserved), ==, 1);
}

/* 30,000 hosts: the table is built once for the inventory, never per
 * packet, and every exchange still sees it. */
static void
test_hosts_built_once(Fixture *f, gconstpointer data)
{
	g_autoptr(PxfDhcpPacket) offer = NULL;

	add_hosts(&f->fk, 30000);
	f->fk.n_fixed = 0;
	pxf_dhcp_server_hosts_changed(f->server);
	g_assert_cmpuint(f->fk.n_fixed, ==, 1);
	for (guint i = 0; i < 90; i++) {
		guint8 mac[6] = {0x52, 0x54, 0x00, 0x20, 0x00, (guint8)i};
		g_autoptr(PxfDhcpPacket) o =
			exchange(f, test_discover_dhclient(mac, 1000 + i), NULL);
		/* an unknown client: from the pool, never a fixed address */
		g_assert_nonnull(o);
		g_assert_cmphex(o->yiaddr, >=, test_ip("10.0.0.110"));
	}
	/* the pool is the 90 addresses no host has */
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "no address for*");
	g_assert_null(exchange(f, test_discover_dhclient(mac2, 4000), NULL));
	g_test_assert_expected_messages();
	/* host 7 is 10.0.0.107 */
	offer = exchange(
		f, test_discover_dhclient((const guint8[]){0x52, 0x54, 0x01, 0x00, 0x00, 7}, 5000),
		NULL);
	g_assert_nonnull(offer);
	g_assert_cmphex(offer->yiaddr, ==, test_ip("10.0.0.107"));
	g_assert_cmpuint(f->fk.n_fixed, ==, 1);
}

/* A reload with another inventory: lookups see the new one at once, and
 * only after pxf_dhcp_server_hosts_changed() (the listener calls it when
 * the inventory serial moves), once. */
static void
test_hosts_reload(Fixture *f, gconstpointer data)
{
	guint32 first = test_ip("10.0.0.150");
	guint32 second = test_ip("10.0.0.160");

	g_hash_table_insert(f->fk.fixed, GUINT_TO_POINTER(first), g_strdup("52:54:00:00:00:01"));
	pxf_dhcp_server_hosts_changed(f->server);
	g_assert_cmphex(dora(f, mac1, 1), ==, first);

	/* the host moves to another address: the new inventory */
	g_hash_table_remove_all(f->fk.fixed);
	g_hash_table_insert(f->fk.fixed, GUINT_TO_POINTER(second), g_strdup("52:54:00:00:00:01"));
	f->fk.n_fixed = 0;
	pxf_dhcp_server_hosts_changed(f->server);
	g_assert_cmphex(dora(f, mac1, 10), ==, second);
	g_assert_cmpuint(f->fk.n_fixed, ==, 1);
	/* its old address is back in the pool for others: a client asking for
	 * it gets it, and a client asking for the new one does not */
	{
		GByteArray *p = test_discover_dhclient(mac2, 20);
		g_autoptr(PxfDhcpPacket) offer = NULL;
		test_packet_option_ip(p, 50, "10.0.0.150");
		offer = exchange(f, p, NULL);
		g_assert_nonnull(offer);
		g_assert_cmphex(offer->yiaddr, ==, first);
	}
	{
		GByteArray *p = test_discover_dhclient(mac2, 21);
		g_autoptr(PxfDhcpPacket) nak = NULL;
		p->data[242] = PXF_DHCP_REQUEST;
		test_packet_option_ip(p, 50, "10.0.0.160");
		nak = exchange(f, p, NULL);
		g_assert_nonnull(nak);
		g_assert_cmpuint(nak->message_type, ==, PXF_DHCP_NAK);
	}
	g_assert_cmpuint(f->fk.n_fixed, ==, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp/hosts/index", test_hosts_index);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/dhcp/hosts/built-once", test_hosts_built_once);
	ADD("/dhcp/hosts/reload", test_hosts_reload);
#undef ADD
	return g_test_run();
}
