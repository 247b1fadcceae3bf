/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The server as a whole, with a fake daemon behind PxfDhcpBackend and the
 * core's file store: RFC 2131 exchanges, PXE boot files, relays, fixed
 * addresses and the robustness rules. */
#include "dhcp-test-server.h"

static void
test_dora(Fixture *f, gconstpointer data)
{
	g_autoptr(GBytes) stored = NULL;
	g_autofree gchar *record = NULL;
	PxfDhcpOutgoing out = {0};
	g_autoptr(PxfDhcpPacket) offer = exchange(f, test_discover_dhclient(mac1, 0x1111), &out);
	g_autoptr(PxfDhcpPacket) ack = NULL;
	g_autofree gchar *domain = NULL;
	g_autofree gchar *ip = NULL;

	g_assert_nonnull(offer);
	g_assert_cmpuint(offer->message_type, ==, PXF_DHCP_OFFER);
	g_assert_cmphex(offer->xid, ==, 0x1111);
	g_assert_cmpmem(offer->chaddr, 6, mac1, 6);
	g_assert_cmpuint(offer->yiaddr, >=, test_ip("10.0.0.100"));
	g_assert_cmpuint(offer->yiaddr, <=, test_ip("10.0.0.199"));
	g_assert_cmphex(offer->ciaddr, ==, 0);
	g_assert_cmphex(opt_u32(offer, PXF_DHCP_OPT_SERVER_ID), ==, test_ip(SERVER_IP));
	g_assert_cmpuint(opt_u32(offer, PXF_DHCP_OPT_LEASE_TIME), ==, 600);
	g_assert_cmpuint(opt_u32(offer, PXF_DHCP_OPT_RENEWAL_TIME), ==, 300);
	g_assert_cmpuint(opt_u32(offer, PXF_DHCP_OPT_REBINDING_TIME), ==, 525);
	g_assert_cmphex(opt_u32(offer, PXF_DHCP_OPT_SUBNET_MASK), ==, 0xffffff00);
	g_assert_cmphex(opt_u32(offer, PXF_DHCP_OPT_BROADCAST), ==, test_ip("10.0.0.255"));
	g_assert_cmphex(opt_u32(offer, PXF_DHCP_OPT_ROUTER), ==, test_ip(SERVER_IP));
	g_assert_cmphex(opt_u32(offer, PXF_DHCP_OPT_DNS_SERVER), ==, test_ip("10.0.0.53"));
	domain = pxf_dhcp_packet_get_string(offer, PXF_DHCP_OPT_DOMAIN_NAME);
	g_assert_cmpstr(domain, ==, "lab.example");
	/* not a boot client: no boot file, boot.select not asked */
	g_assert_false(pxf_dhcp_packet_has_option(offer, PXF_DHCP_OPT_BOOTFILE));
	g_assert_false(pxf_dhcp_packet_has_option(offer, PXF_DHCP_OPT_VENDOR_CLASS));
	g_assert_cmpuint(f->fk.n_select, ==, 0);
	/* no address yet: broadcast */
	g_assert_cmphex(out.ip, ==, 0xffffffff);
	g_assert_cmpuint(out.port, ==, 68);
	pxf_dhcp_outgoing_clear(&out);
	/* an offer is a promise held in memory: nothing is written for it */
	ip = pxf_dhcp_ip_to_string(offer->yiaddr);
	g_assert_null(pxf_store_get(f->ts->store, "leases", ip, NULL));
	g_assert_cmpuint(f->ts->n_commits, ==, 0);
	g_assert_cmpuint(g_hash_table_size(f->fk.owners), ==, 0);

	ack = exchange(f, request_selecting(mac1, 0x1112, offer->yiaddr), &out);
	g_assert_nonnull(ack);
	g_assert_cmpuint(ack->message_type, ==, PXF_DHCP_ACK);
	g_assert_cmphex(ack->yiaddr, ==, offer->yiaddr);
	g_assert_cmphex(out.ip, ==, 0xffffffff);
	pxf_dhcp_outgoing_clear(&out);
	/* committed, in one batch, before the ACK was returned */
	g_assert_cmpuint(f->ts->n_commits, ==, 1);
	stored = pxf_store_get(f->ts->store, "leases", ip, NULL);
	g_assert_nonnull(stored);
	record = g_strndup(g_bytes_get_data(stored, NULL), g_bytes_get_size(stored));
	g_assert_nonnull(strstr(record, "\"bound\""));
	g_assert_nonnull(strstr(record, "52:54:00:00:00:01"));
	g_assert_nonnull(strstr(record, "client01"));
	g_assert_cmpstr(g_hash_table_lookup(f->fk.owners, ip), ==, "52:54:00:00:00:01");

	g_assert_cmpuint(f->fk.events->len, ==, 3);
	g_assert_cmpstr(g_ptr_array_index(f->fk.events, 0), ==, "discovered 52:54:00:00:00:01 -");
	g_assert_true(g_str_has_prefix(g_ptr_array_index(f->fk.events, 1), "offered "));
	g_assert_true(g_str_has_suffix(g_ptr_array_index(f->fk.events, 1), ip));
	g_assert_true(g_str_has_prefix(g_ptr_array_index(f->fk.events, 2), "acked "));
	g_assert_cmpuint(f->fk.n_seen, ==, 1);

	/* a second DISCOVER is no longer "discovered" */
	{
		g_autoptr(PxfDhcpPacket) again =
			exchange(f, test_discover_dhclient(mac1, 0x1113), NULL);
		g_assert_cmphex(again->yiaddr, ==, offer->yiaddr);
		g_assert_cmpuint(f->fk.events->len, ==, 4);
		g_assert_true(g_str_has_prefix(g_ptr_array_index(f->fk.events, 3), "offered "));
	}
}

static void
test_renew(Fixture *f, gconstpointer data)
{
	guint32 ip = dora(f, mac1, 1);
	GByteArray *renew = test_discover_dhclient(mac1, 5);
	PxfDhcpOutgoing out = {0};
	g_autoptr(PxfDhcpPacket) ack = NULL;

	renew->data[242] = PXF_DHCP_REQUEST;
	test_packet_put_u32(renew, 12, ip);
	f->fk.now += 300;
	ack = exchange(f, renew, &out);
	g_assert_cmpuint(ack->message_type, ==, PXF_DHCP_ACK);
	g_assert_cmphex(ack->yiaddr, ==, ip);
	g_assert_cmphex(ack->ciaddr, ==, ip);
	/* unicast to the client's address */
	g_assert_cmphex(out.ip, ==, ip);
	g_assert_cmpuint(out.port, ==, 68);
	pxf_dhcp_outgoing_clear(&out);
	g_assert_cmpint(pxf_dhcp_leases_lookup(pxf_dhcp_server_get_leases(f->server), ip)->expires,
			==, T0 + 300 + 600);
}

static void
test_nak(Fixture *f, gconstpointer data)
{
	guint32 ip = dora(f, mac1, 1);
	g_autofree gchar *taken = pxf_dhcp_ip_to_string(ip);
	g_autoptr(PxfDhcpPacket) nak = NULL;
	g_autofree gchar *msg = NULL;
	PxfDhcpOutgoing out = {0};
	GByteArray *p;

	/* INIT-REBOOT on a network it is no longer on */
	p = test_discover_dhclient(mac2, 7);
	p->data[242] = PXF_DHCP_REQUEST;
	test_packet_option_ip(p, 50, "192.168.1.20");
	nak = exchange(f, p, &out);
	g_assert_cmpuint(nak->message_type, ==, PXF_DHCP_NAK);
	g_assert_cmphex(nak->yiaddr, ==, 0);
	g_assert_cmphex(out.ip, ==, 0xffffffff);
	msg = pxf_dhcp_packet_get_string(nak, PXF_DHCP_OPT_MESSAGE);
	g_assert_cmpstr(msg, ==, "wrong network");
	g_assert_false(pxf_dhcp_packet_has_option(nak, PXF_DHCP_OPT_LEASE_TIME));
	pxf_dhcp_outgoing_clear(&out);
	g_clear_pointer(&nak, pxf_dhcp_packet_free);

	/* another client's address */
	p = test_discover_dhclient(mac2, 8);
	p->data[242] = PXF_DHCP_REQUEST;
	test_packet_option_ip(p, 50, taken);
	nak = exchange(f, p, NULL);
	g_assert_cmpuint(nak->message_type, ==, PXF_DHCP_NAK);
	g_clear_pointer(&nak, pxf_dhcp_packet_free);

	/* outside the range */
	p = test_discover_dhclient(mac2, 9);
	p->data[242] = PXF_DHCP_REQUEST;
	test_packet_option_ip(p, 50, "10.0.0.20");
	nak = exchange(f, p, NULL);
	g_assert_cmpuint(nak->message_type, ==, PXF_DHCP_NAK);
	g_clear_pointer(&nak, pxf_dhcp_packet_free);

	/* the owner rebooting into a different address while it holds one */
	p = test_discover_dhclient(mac1, 10);
	p->data[242] = PXF_DHCP_REQUEST;
	test_packet_option_ip(p, 50, ip == test_ip("10.0.0.150") ? "10.0.0.151" : "10.0.0.150");
	nak = exchange(f, p, NULL);
	g_assert_cmpuint(nak->message_type, ==, PXF_DHCP_NAK);
	g_clear_pointer(&nak, pxf_dhcp_packet_free);

	/* INIT-REBOOT for its own address (a lost ACK): ACK */
	p = test_discover_dhclient(mac1, 11);
	p->data[242] = PXF_DHCP_REQUEST;
	test_packet_option_ip(p, 50, taken);
	nak = exchange(f, p, NULL);
	g_assert_cmpuint(nak->message_type, ==, PXF_DHCP_ACK);
}

static void
test_other_server(Fixture *f, gconstpointer data)
{
	g_autoptr(PxfDhcpPacket) offer = exchange(f, test_discover_dhclient(mac1, 1), NULL);
	GByteArray *p = test_discover_dhclient(mac1, 2);
	g_autofree gchar *ip = pxf_dhcp_ip_to_string(offer->yiaddr);
	PxfDhcpLease *lease;

	p->data[242] = PXF_DHCP_REQUEST;
	test_packet_option_ip(p, 50, ip);
	test_packet_option_ip(p, 54, "10.0.0.2");
	g_assert_null(exchange(f, p, NULL));
	lease = pxf_dhcp_leases_lookup(pxf_dhcp_server_get_leases(f->server), offer->yiaddr);
	g_assert_cmpint(lease->state, ==, PXF_DHCP_LEASE_RELEASED);
	/* DECLINE and RELEASE for another server are ignored too */
	p = test_discover_dhclient(mac1, 3);
	p->data[242] = PXF_DHCP_RELEASE;
	test_packet_option_ip(p, 54, "10.0.0.2");
	g_assert_null(exchange(f, p, NULL));
}

static void
test_relay(Fixture *f, gconstpointer data)
{
	GByteArray *p = test_discover_dhclient(mac1, 1);
	static const guint8 agent[] = {1, 3, 'e', 't', '1', 2, 2, 'r', 'x'};
	PxfDhcpOutgoing out = {0};
	g_autoptr(PxfDhcpPacket) offer = NULL;
	const guint8 *got;
	gsize len = 0;

	test_packet_put_u32(p, 24, test_ip("10.5.0.1"));
	test_packet_option(p, 82, agent, sizeof(agent));
	offer = exchange(f, p, &out);
	g_assert_cmpuint(offer->message_type, ==, PXF_DHCP_OFFER);
	g_assert_cmpuint(offer->yiaddr, >=, test_ip("10.5.0.10"));
	g_assert_cmpuint(offer->yiaddr, <=, test_ip("10.5.0.20"));
	g_assert_cmphex(offer->giaddr, ==, test_ip("10.5.0.1"));
	g_assert_cmphex(opt_u32(offer, PXF_DHCP_OPT_SUBNET_MASK), ==, 0xffffff00);
	got = pxf_dhcp_packet_get_option(offer, PXF_DHCP_OPT_AGENT_INFO, &len);
	g_assert_cmpmem(got, len, agent, sizeof(agent));
	/* to the relay's server port, never broadcast */
	g_assert_cmphex(out.ip, ==, test_ip("10.5.0.1"));
	g_assert_cmpuint(out.port, ==, 67);
	pxf_dhcp_outgoing_clear(&out);

	/* a relay from a network we do not serve: nothing */
	p = test_discover_dhclient(mac2, 2);
	test_packet_put_u32(p, 24, test_ip("10.6.0.1"));
	/* the log names the relay, so that the operator knows which one to serve */
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING,
			      "*no configured subnet holds the relay address 10.6.0.1");
	g_assert_null(exchange(f, p, NULL));
	g_test_assert_expected_messages();
}

static void
test_pxe(Fixture *f, gconstpointer data)
{
	g_autofree gchar *file = NULL;
	g_autofree gchar *server = NULL;
	g_autofree gchar *vendor = NULL;

	f->fk.boot_file = g_strdup("http://10.0.0.1/boot.ipxe");
	{
		g_autoptr(PxfDhcpPacket) offer =
			exchange(f, test_discover_ipxe(mac1, 1, FALSE), NULL);
		g_assert_cmpuint(f->fk.last_firmware, ==, PXF_FIRMWARE_BIOS);
		g_assert_cmpuint(f->fk.last_stage, ==, PXF_BOOT_STAGE_IPXE);
		g_assert_cmpstr((const gchar *)offer->file, ==, "http://10.0.0.1/boot.ipxe");
		g_assert_cmphex(offer->siaddr, ==, test_ip(SERVER_IP));
		file = pxf_dhcp_packet_get_string(offer, PXF_DHCP_OPT_BOOTFILE);
		g_assert_cmpstr(file, ==, "http://10.0.0.1/boot.ipxe");
		server = pxf_dhcp_packet_get_string(offer, PXF_DHCP_OPT_TFTP_SERVER);
		g_assert_cmpstr(server, ==, SERVER_IP);
		vendor = pxf_dhcp_packet_get_string(offer, PXF_DHCP_OPT_VENDOR_CLASS);
		g_assert_cmpstr(vendor, ==, "PXEClient");
		/* iPXE asked for 1472 bytes: the reply may use them */
		g_assert_cmpuint(opt_u32(offer, PXF_DHCP_OPT_LEASE_TIME), ==, 600);
	}
	/* OVMF's PXE client, with another boot server named by the plugin */
	g_free(f->fk.boot_file);
	f->fk.boot_file = g_strdup("grubx64.efi");
	f->fk.next_server = g_strdup("10.0.0.9");
	{
		g_autoptr(PxfDhcpPacket) offer = exchange(f, test_discover_ovmf(mac2, 2), NULL);
		g_autofree gchar *s66 = pxf_dhcp_packet_get_string(offer, 66);
		g_assert_cmpuint(f->fk.last_firmware, ==, PXF_FIRMWARE_UEFI_X64);
		g_assert_cmpuint(f->fk.last_stage, ==, PXF_BOOT_STAGE_ROM);
		g_assert_false(f->fk.last_http_boot);
		g_assert_cmpstr((const gchar *)offer->file, ==, "grubx64.efi");
		g_assert_cmphex(offer->siaddr, ==, test_ip("10.0.0.9"));
		g_assert_cmpstr(s66, ==, "10.0.0.9");
		/* OVMF sets the broadcast flag; the reply keeps it */
		g_assert_cmphex(offer->flags, ==, PXF_DHCP_FLAG_BROADCAST);
	}
	/* UEFI HTTP boot gets its class back */
	{
		GByteArray *p = test_packet_new(1, mac1, 3);
		guint8 arch[2] = {0, 16};
		g_autoptr(PxfDhcpPacket) offer = NULL;
		g_autofree gchar *vc = NULL;
		test_packet_option(p, 93, arch, 2);
		test_packet_option_str(p, 60, "HTTPClient:Arch:00016:UNDI:003000");
		offer = exchange(f, p, NULL);
		vc = pxf_dhcp_packet_get_string(offer, PXF_DHCP_OPT_VENDOR_CLASS);
		g_assert_cmpstr(vc, ==, "HTTPClient");
		/* boot.select is told: the boot file must be an URL */
		g_assert_true(f->fk.last_http_boot);
	}
	/* a plain client asking for option 67 gets the options too */
	{
		GByteArray *p = test_packet_new(1, mac1, 4);
		static const guint8 params[] = {1, 3, 67, 255};
		g_autoptr(PxfDhcpPacket) offer = NULL;
		g_autofree gchar *f67 = NULL;
		test_packet_option(p, 55, params, sizeof(params));
		offer = exchange(f, p, NULL);
		f67 = pxf_dhcp_packet_get_string(offer, PXF_DHCP_OPT_BOOTFILE);
		g_assert_cmpstr(f67, ==, "grubx64.efi");
		g_assert_false(pxf_dhcp_packet_has_option(offer, PXF_DHCP_OPT_TFTP_SERVER));
		g_assert_false(pxf_dhcp_packet_has_option(offer, PXF_DHCP_OPT_VENDOR_CLASS));
	}
	/* a URL longer than the file field goes in option 67 only */
	g_free(f->fk.boot_file);
	f->fk.boot_file = g_strnfill(200, 'u');
	{
		g_autoptr(PxfDhcpPacket) offer =
			exchange(f, test_discover_ipxe(mac1, 5, TRUE), NULL);
		g_autofree gchar *f67 = pxf_dhcp_packet_get_string(offer, PXF_DHCP_OPT_BOOTFILE);
		g_assert_cmpuint(offer->file[0], ==, 0);
		g_assert_cmpstr(f67, ==, f->fk.boot_file);
	}
}

/* Option 43 of a reply, or NULL: its bytes, checked against want. */
static void
assert_option_43(PxfDhcpPacket *reply, const guint8 *want, gsize want_len)
{
	gsize len = 0;
	const guint8 *got = pxf_dhcp_packet_get_option(reply, PXF_DHCP_OPT_VENDOR_OPTS, &len);

	if (want == NULL) {
		g_assert_null(got);
		return;
	}
	g_assert_nonnull(got);
	g_assert_cmpmem(got, len, want, want_len);
}

/* PXE ROMs get option 43 with discovery control 8 from the plugin itself,
 * in the OFFER and the ACK, whatever their boot file; other clients and
 * iPXE get none; a dhcp.reply callback sees it and may replace it. */
static void
test_pxe_vendor_option(Fixture *f, gconstpointer data)
{
	static const guint8 discovery_control[] = {6, 1, 8, 255};
	static const guint8 plugin_43[] = {1, 4, 224, 1, 1, 1, 6, 1, 8, 255};

	f->fk.boot_file = g_strdup("shimx64.efi");
	/* OVMF: DISCOVER, then REQUEST */
	{
		g_autoptr(PxfDhcpPacket) offer = exchange(f, test_discover_ovmf(mac1, 1), NULL);
		g_autoptr(PxfDhcpPacket) ack = NULL;
		g_autofree gchar *ip = pxf_dhcp_ip_to_string(offer->yiaddr);
		GByteArray *p;

		g_assert_cmpuint(offer->message_type, ==, PXF_DHCP_OFFER);
		assert_option_43(offer, discovery_control, sizeof(discovery_control));
		g_assert_cmpint(f->fk.reply_stage, ==, PXF_BOOT_STAGE_ROM);
		/* the callbacks already see it */
		g_assert_cmpint(f->fk.seen_43_len, ==, (gint)sizeof(discovery_control));
		g_assert_cmpmem(f->fk.seen_43, sizeof(discovery_control), discovery_control,
				sizeof(discovery_control));
		p = test_discover_ovmf(mac1, 2);
		p->data[242] = PXF_DHCP_REQUEST;
		test_packet_option_ip(p, 50, ip);
		test_packet_option_ip(p, 54, SERVER_IP);
		ack = exchange(f, p, NULL);
		g_assert_cmpuint(ack->message_type, ==, PXF_DHCP_ACK);
		assert_option_43(ack, discovery_control, sizeof(discovery_control));
	}
	/* a BIOS PXE ROM (option 60 PXEClient, no iPXE) given no boot file */
	g_clear_pointer(&f->fk.boot_file, g_free);
	{
		GByteArray *p = test_packet_new(1, mac2, 3);
		guint8 arch[2] = {0, 0};
		g_autoptr(PxfDhcpPacket) offer = NULL;
		test_packet_option(p, 93, arch, 2);
		test_packet_option_str(p, 60, "PXEClient:Arch:00000:UNDI:002001");
		offer = exchange(f, p, NULL);
		assert_option_43(offer, discovery_control, sizeof(discovery_control));
	}
	f->fk.boot_file = g_strdup("undionly.kpxe");
	/* not PXE ROMs: dhclient, udhcpc, UEFI HTTP boot, iPXE (BIOS and EFI) */
	{
		g_autoptr(PxfDhcpPacket) plain = exchange(f, test_discover_dhclient(mac2, 4), NULL);
		g_autoptr(PxfDhcpPacket) busybox = exchange(f, test_discover_udhcpc(mac2, 5), NULL);
		g_autoptr(PxfDhcpPacket) ipxe =
			exchange(f, test_discover_ipxe(mac2, 6, FALSE), NULL);
		PxfBootStage ipxe_stage = f->fk.reply_stage;
		g_autoptr(PxfDhcpPacket) ipxe_efi =
			exchange(f, test_discover_ipxe(mac2, 7, TRUE), NULL);
		PxfBootStage ipxe_efi_stage = f->fk.reply_stage;
		GByteArray *p = test_packet_new(1, mac2, 8);
		guint8 arch[2] = {0, 16};
		g_autoptr(PxfDhcpPacket) http = NULL;

		test_packet_option(p, 93, arch, 2);
		test_packet_option_str(p, 60, "HTTPClient:Arch:00016:UNDI:003000");
		http = exchange(f, p, NULL);
		assert_option_43(plain, NULL, 0);
		assert_option_43(busybox, NULL, 0);
		assert_option_43(ipxe, NULL, 0);
		assert_option_43(ipxe_efi, NULL, 0);
		assert_option_43(http, NULL, 0);
		g_assert_cmpint(f->fk.seen_43_len, ==, -1);
		/* dhcp.reply callbacks are told iPXE's stage: it sends PXEClient
		 * too, and the mtftp plugin must not give it PXE MTFTP sub-options */
		g_assert_cmpint(ipxe_stage, ==, PXF_BOOT_STAGE_IPXE);
		g_assert_cmpint(ipxe_efi_stage, ==, PXF_BOOT_STAGE_IPXE);
	}
	/* a plugin's own option 43 (mtftp's sub-options) is what goes out */
	f->fk.set_43 = plugin_43;
	f->fk.set_43_len = sizeof(plugin_43);
	{
		g_autoptr(PxfDhcpPacket) offer = exchange(f, test_discover_ovmf(mac1, 9), NULL);
		g_autoptr(PxfDhcpPacket) plain =
			exchange(f, test_discover_dhclient(mac2, 10), NULL);
		assert_option_43(offer, plugin_43, sizeof(plugin_43));
		/* and to a client that is not PXE, if the plugin says so */
		assert_option_43(plain, plugin_43, sizeof(plugin_43));
	}
	/* a plugin may also take it away */
	f->fk.set_43 = NULL;
	f->fk.remove_43 = TRUE;
	{
		g_autoptr(PxfDhcpPacket) offer = exchange(f, test_discover_ovmf(mac1, 11), NULL);
		assert_option_43(offer, NULL, 0);
	}
}

static void
test_fixed(Fixture *f, gconstpointer data)
{
	guint32 fixed = test_ip("10.0.0.50");
	guint32 in_pool = test_ip("10.0.0.120");
	g_autoptr(PxfDhcpPacket) offer = NULL;
	g_autoptr(PxfDhcpPacket) nak = NULL;
	GByteArray *p;

	g_hash_table_insert(f->fk.fixed, GUINT_TO_POINTER(fixed), g_strdup("52:54:00:00:00:01"));
	g_hash_table_insert(f->fk.fixed, GUINT_TO_POINTER(in_pool), g_strdup("52:54:00:99:99:99"));
	/* as the listener does when a reload brings another inventory */
	pxf_dhcp_server_hosts_changed(f->server);
	g_assert_cmphex(dora(f, mac1, 1), ==, fixed);
	/* others: never a fixed address, even when asking for it */
	for (guint i = 0; i < 60; i++) {
		guint8 mac[6] = {0x52, 0x54, 0x00, 0x10, 0x00, (guint8)i};
		g_autoptr(PxfDhcpPacket) o = NULL;
		p = test_discover_dhclient(mac, 100 + i);
		test_packet_option_ip(p, 50, "10.0.0.120");
		o = exchange(f, p, NULL);
		g_assert_nonnull(o);
		g_assert_cmphex(o->yiaddr, !=, fixed);
		g_assert_cmphex(o->yiaddr, !=, in_pool);
	}
	p = test_discover_dhclient(mac2, 2);
	p->data[242] = PXF_DHCP_REQUEST;
	test_packet_option_ip(p, 50, "10.0.0.120");
	nak = exchange(f, p, NULL);
	g_assert_cmpuint(nak->message_type, ==, PXF_DHCP_NAK);
	/* the fixed host asking for a pool address is told no, so it comes
	 * back for its own */
	p = test_discover_dhclient(mac1, 3);
	p->data[242] = PXF_DHCP_REQUEST;
	test_packet_option_ip(p, 50, "10.0.0.150");
	g_clear_pointer(&nak, pxf_dhcp_packet_free);
	nak = exchange(f, p, NULL);
	g_assert_cmpuint(nak->message_type, ==, PXF_DHCP_NAK);
	offer = exchange(f, test_discover_dhclient(mac1, 4), NULL);
	g_assert_cmphex(offer->yiaddr, ==, fixed);
}

/* 50 clients at once in a pool of 50: 50 different addresses, each held
 * for its client, so 10 more clients get nothing until the holds end. */
static void
test_burst(Fixture *f, gconstpointer data)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);

	fixture_start(f, "10.0.0.100", "10.0.0.149");
	for (guint i = 0; i < 50; i++) {
		guint8 mac[6] = {0x02, 0x00, 0x00, 0x00, (guint8)(i >> 8), (guint8)i};
		g_autoptr(PxfDhcpPacket) offer =
			exchange(f, test_discover_ipxe(mac, i, i % 2), NULL);
		g_assert_nonnull(offer);
		g_assert_false(g_hash_table_contains(seen, GUINT_TO_POINTER(offer->yiaddr)));
		g_hash_table_add(seen, GUINT_TO_POINTER(offer->yiaddr));
	}
	f->fk.now += 29;
	for (guint i = 0; i < 10; i++) {
		guint8 mac[6] = {0x02, 0x00, 0x00, 0x01, 0x00, (guint8)i};
		g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "*no free address*");
		g_assert_null(exchange(f, test_discover_dhclient(mac, 100 + i), NULL));
	}
	g_test_assert_expected_messages();
	/* the holds ran out: the addresses go round again */
	f->fk.now += 2;
	{
		guint8 mac[6] = {0x02, 0x00, 0x00, 0x01, 0x00, 0x00};
		g_autoptr(PxfDhcpPacket) offer =
			exchange(f, test_discover_dhclient(mac, 200), NULL);
		g_assert_nonnull(offer);
		g_assert_true(g_hash_table_contains(seen, GUINT_TO_POINTER(offer->yiaddr)));
	}
}

static void
test_decline(Fixture *f, gconstpointer data)
{
	guint32 ip, other;
	g_autofree gchar *text = NULL;
	GByteArray *p;

	fixture_start(f, "10.0.0.100", "10.0.0.101");
	ip = dora(f, mac1, 1);
	text = pxf_dhcp_ip_to_string(ip);
	p = test_discover_dhclient(mac1, 2);
	p->data[242] = PXF_DHCP_DECLINE;
	test_packet_option_ip(p, 50, text);
	test_packet_option_ip(p, 54, SERVER_IP);
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "*declined*");
	g_assert_null(exchange(f, p, NULL));
	g_test_assert_expected_messages();
	g_assert_null(g_hash_table_lookup(f->fk.owners, text));
	/* the decliner and everybody else get the other address or nothing */
	other = dora(f, mac1, 3);
	g_assert_cmphex(other, !=, ip);
	f->fk.now += 59;
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "*no address for*");
	g_assert_null(exchange(f, test_discover_dhclient(mac2, 4), NULL));
	g_test_assert_expected_messages();
	f->fk.now += 2;
	g_assert_cmphex(dora(f, mac2, 5), ==, ip);
}

static void
test_release(Fixture *f, gconstpointer data)
{
	guint32 ip = dora(f, mac1, 1);
	g_autofree gchar *text = pxf_dhcp_ip_to_string(ip);
	GByteArray *p = test_discover_dhclient(mac1, 2);

	g_assert_nonnull(g_hash_table_lookup(f->fk.owners, text));
	p->data[242] = PXF_DHCP_RELEASE;
	test_packet_put_u32(p, 12, ip);
	test_packet_option_ip(p, 54, SERVER_IP);
	g_assert_null(exchange(f, p, NULL));
	g_assert_null(g_hash_table_lookup(f->fk.owners, text));
	g_assert_cmpint(pxf_dhcp_leases_lookup(pxf_dhcp_server_get_leases(f->server), ip)->state,
			==, PXF_DHCP_LEASE_RELEASED);
}

static void
test_inform(Fixture *f, gconstpointer data)
{
	GByteArray *p = test_discover_dhclient(mac1, 1);
	PxfDhcpOutgoing out = {0};
	g_autoptr(PxfDhcpPacket) ack = NULL;

	p->data[242] = PXF_DHCP_INFORM;
	test_packet_put_u32(p, 12, test_ip("10.0.0.77"));
	ack = exchange(f, p, &out);
	g_assert_cmpuint(ack->message_type, ==, PXF_DHCP_ACK);
	g_assert_cmphex(ack->yiaddr, ==, 0);
	g_assert_cmphex(ack->ciaddr, ==, test_ip("10.0.0.77"));
	g_assert_false(pxf_dhcp_packet_has_option(ack, PXF_DHCP_OPT_LEASE_TIME));
	g_assert_true(pxf_dhcp_packet_has_option(ack, PXF_DHCP_OPT_ROUTER));
	g_assert_cmphex(out.ip, ==, test_ip("10.0.0.77"));
	pxf_dhcp_outgoing_clear(&out);
	g_assert_cmpuint(pxf_dhcp_leases_get_size(pxf_dhcp_server_get_leases(f->server)), ==, 0);
}

/* Nothing a client sends crashes the server or gets an answer it should
 * not; complaints are logged once per packet, rate-limited. */
static void
test_robustness(Fixture *f, gconstpointer data)
{
	GByteArray *p;
	guint8 junk[100] = {0};
	g_autoptr(GBytes) bytes = g_bytes_new_static(junk, sizeof(junk));
	PxfDhcpIncoming in = {.ifname = "veth0",
			      .local = f->local,
			      .peer = G_INET_SOCKET_ADDRESS(f->peer),
			      .target = f->target};
	PxfDhcpOutgoing out = {0};
	g_autoptr(GArray) elsewhere = g_array_new(FALSE, FALSE, sizeof(PxfDhcpLocalAddress));

	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING,
			      "dropping a malformed packet from 0.0.0.0 (chaddr ?) on veth0: "
			      "truncated*");
	g_assert_false(pxf_dhcp_server_handle(f->server, junk, sizeof(junk), &in, &out));
	g_test_assert_expected_messages();

	/* a BOOTREPLY (another server's answer) and plain BOOTP: silence */
	p = test_discover_dhclient(mac1, 1);
	p->data[0] = 2;
	g_assert_null(exchange(f, p, NULL));
	p = test_packet_new(0, mac1, 2);
	g_assert_null(exchange(f, p, NULL));
	/* message types a server does not take */
	p = test_packet_new(PXF_DHCP_OFFER, mac1, 3);
	g_assert_null(exchange(f, p, NULL));
	p = test_packet_new(13, mac1, 3);
	g_assert_null(exchange(f, p, NULL));

	/* not Ethernet */
	p = test_discover_dhclient(mac1, 4);
	p->data[1] = 32;
	p->data[2] = 0;
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "*is not Ethernet*");
	g_assert_null(exchange(f, p, NULL));
	g_test_assert_expected_messages();

	/* REQUEST naming no address, DECLINE without option 50, INFORM
	 * without ciaddr */
	p = test_packet_new(PXF_DHCP_REQUEST, mac1, 5);
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "*names no address*");
	g_assert_null(exchange(f, p, NULL));
	p = test_packet_new(PXF_DHCP_DECLINE, mac1, 6);
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "*names no address*");
	g_assert_null(exchange(f, p, NULL));
	p = test_packet_new(PXF_DHCP_INFORM, mac1, 7);
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "*without ciaddr*");
	g_assert_null(exchange(f, p, NULL));
	g_test_assert_expected_messages();

	/* on an interface whose addresses match no subnet */
	{
		PxfDhcpLocalAddress a = {test_ip("192.168.9.1"), 24};
		g_autoptr(GBytes) b = test_packet_finish(test_discover_dhclient(mac1, 8));
		gsize len = 0;
		const guint8 *d = g_bytes_get_data(b, &len);
		g_array_append_val(elsewhere, a);
		in.local = elsewhere;
		g_test_expect_message(
			"pxf-dhcp", G_LOG_LEVEL_WARNING,
			"*no configured subnet matches the addresses of the interface");
		g_assert_false(pxf_dhcp_server_handle(f->server, d, len, &in, &out));
		g_test_assert_expected_messages();
	}

	/* a flood of garbage: the log says so a few times, then counts */
	/* six complaints so far in this window: four more, then silence */
	for (guint i = 0; i < 4; i++)
		g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "*malformed*");
	in.local = f->local;
	for (guint i = 0; i < 100; i++)
		g_assert_false(pxf_dhcp_server_handle(f->server, junk, sizeof(junk), &in, &out));
	g_test_assert_expected_messages();
	(void)bytes;
}

static void
test_hook_drop_and_size(Fixture *f, gconstpointer data)
{
	GByteArray *p;
	g_autoptr(PxfDhcpPacket) offer = NULL;
	PxfDhcpOutgoing out = {0};
	gsize len = 0;

	f->fk.reply_verdict = PXF_VERDICT_DROP;
	g_assert_null(exchange(f, test_discover_dhclient(mac1, 1), NULL));
	f->fk.reply_verdict = PXF_VERDICT_CONTINUE;

	/* a client that takes 576-byte datagrams: what does not fit stays out */
	f->fk.big_options = TRUE;
	p = test_discover_udhcpc(mac1, 2);
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "*options 241 left out*548*");
	offer = exchange(f, p, &out);
	g_test_assert_expected_messages();
	(void)g_bytes_get_data(out.data, &len);
	g_assert_cmpuint(len, <=, 548);
	g_assert_true(pxf_dhcp_packet_has_option(offer, 240));
	g_assert_false(pxf_dhcp_packet_has_option(offer, 241));
	pxf_dhcp_outgoing_clear(&out);
	g_clear_pointer(&offer, pxf_dhcp_packet_free);
	/* iPXE takes 1472: everything fits */
	offer = exchange(f, test_discover_ipxe(mac2, 3, FALSE), NULL);
	g_assert_true(pxf_dhcp_packet_has_option(offer, 241));
}

static void
test_store_failure(Fixture *f, gconstpointer data)
{
	g_autoptr(PxfDhcpPacket) offer = exchange(f, test_discover_dhclient(mac1, 1), NULL);
	f->ts->fail_writes = TRUE;
	g_autofree gchar *ip = pxf_dhcp_ip_to_string(offer->yiaddr);
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "*disk full*not acknowledged*");
	g_assert_null(exchange(f, request_selecting(mac1, 2, offer->yiaddr), NULL));
	g_test_assert_expected_messages();
	g_assert_null(pxf_store_get(f->ts->store, "leases", ip, NULL));
}

/* Group commit: the ACKs of one main-loop pass wait for one commit (one
 * fdatasync) and go out after it; when it fails none goes out. */
static GPtrArray *sent_acks; /* yiaddr of the replies sent */

static void
record_send(GObject *target, const gchar *ifname, const PxfDhcpOutgoing *out)
{
	g_autoptr(PxfDhcpPacket) reply = NULL;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(out->data, &len);

	g_assert_true(G_IS_OBJECT(target));
	g_assert_cmpstr(ifname, ==, "veth0");
	reply = pxf_dhcp_packet_parse(data, len, NULL);
	g_assert_nonnull(reply);
	g_assert_cmpuint(reply->message_type, ==, PXF_DHCP_ACK);
	g_ptr_array_add(sent_acks, GUINT_TO_POINTER(reply->yiaddr));
}

static void
run_pass(void)
{
	for (guint i = 0; i < 100 && g_main_context_iteration(NULL, FALSE); i++)
		;
}

static void
test_group_commit(Fixture *f, gconstpointer data)
{
	g_autoptr(GHashTable) stored = NULL;
	guint32 ips[25];
	guint syncs;

	sent_acks = g_ptr_array_new();
	f->target = g_object_new(G_TYPE_OBJECT, NULL);
	pxf_dhcp_server_set_send_func(f->server, record_send);
	for (guint i = 0; i < G_N_ELEMENTS(ips); i++) {
		guint8 mac[6] = {0x02, 0x00, 0x00, 0x00, 0x02, (guint8)i};
		g_autoptr(PxfDhcpPacket) offer = exchange(f, test_discover_dhclient(mac, i), NULL);
		/* an OFFER waits for nothing */
		g_assert_nonnull(offer);
		ips[i] = offer->yiaddr;
	}
	run_pass();
	g_assert_cmpuint(f->ts->n_commits, ==, 0);
	syncs = test_store_n_datasyncs;
	for (guint i = 0; i < 20; i++) {
		guint8 mac[6] = {0x02, 0x00, 0x00, 0x00, 0x02, (guint8)i};
		g_assert_null(exchange(f, request_selecting(mac, 100 + i, ips[i]), NULL));
	}
	g_assert_cmpuint(pxf_dhcp_server_get_n_waiting(f->server), ==, 20);
	g_assert_cmpuint(sent_acks->len, ==, 0);
	g_assert_cmpuint(test_store_n_datasyncs, ==, syncs);
	/* the end of the pass: one commit, one fdatasync, then the ACKs */
	run_pass();
	g_assert_cmpuint(pxf_dhcp_server_get_n_waiting(f->server), ==, 0);
	g_assert_cmpuint(f->ts->n_commits, ==, 1);
	g_assert_cmpuint(test_store_n_datasyncs, ==, syncs + 1);
	g_assert_cmpuint(sent_acks->len, ==, 20);
	for (guint i = 0; i < 20; i++)
		g_assert_cmphex(GPOINTER_TO_UINT(g_ptr_array_index(sent_acks, i)), ==, ips[i]);
	stored = pxf_store_list(f->ts->store, "leases", NULL);
	g_assert_cmpuint(g_hash_table_size(stored), ==, 20);

	/* the disk fails: the pass's ACKs are not sent */
	f->ts->fail_writes = TRUE;
	for (guint i = 20; i < G_N_ELEMENTS(ips); i++) {
		guint8 mac[6] = {0x02, 0x00, 0x00, 0x00, 0x02, (guint8)i};
		g_assert_null(exchange(f, request_selecting(mac, 100 + i, ips[i]), NULL));
	}
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, "*disk full*5 ACKs not sent*");
	run_pass();
	g_test_assert_expected_messages();
	g_assert_cmpuint(sent_acks->len, ==, 20);
	g_assert_cmpuint(pxf_dhcp_server_get_n_waiting(f->server), ==, 0);
	g_clear_pointer(&sent_acks, g_ptr_array_unref);
}

/* A restarted server (new memory, same store) knows every lease. */
static void
test_restart(Fixture *f, gconstpointer data)
{
	g_autoptr(GHashTable) acked = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 0; i < 10; i++) {
		guint8 mac[6] = {0x02, 0x00, 0x00, 0x00, 0x01, (guint8)i};
		g_hash_table_insert(acked, GUINT_TO_POINTER(i),
				    GUINT_TO_POINTER(dora(f, mac, i * 2)));
	}
	g_hash_table_remove_all(f->fk.owners);
	fixture_start(f, "10.0.0.100", "10.0.0.199");
	g_assert_cmpuint(g_hash_table_size(f->fk.owners), ==, 10);
	for (guint i = 0; i < 10; i++) {
		guint8 mac[6] = {0x02, 0x00, 0x00, 0x00, 0x01, (guint8)i};
		guint32 ip = GPOINTER_TO_UINT(g_hash_table_lookup(acked, GUINT_TO_POINTER(i)));
		g_autofree gchar *text = pxf_dhcp_ip_to_string(ip);
		GByteArray *p = test_discover_dhclient(mac, 100 + i);
		g_autoptr(PxfDhcpPacket) ack = NULL;
		/* INIT-REBOOT */
		p->data[242] = PXF_DHCP_REQUEST;
		test_packet_option_ip(p, 50, text);
		ack = exchange(f, p, NULL);
		g_assert_cmpuint(ack->message_type, ==, PXF_DHCP_ACK);
		g_assert_cmphex(ack->yiaddr, ==, ip);
	}
	/* and no new client gets one of them */
	for (guint i = 0; i < 20; i++) {
		guint8 mac[6] = {0x02, 0x00, 0x00, 0x00, 0x02, (guint8)i};
		g_autoptr(PxfDhcpPacket) offer = exchange(f, test_discover_dhclient(mac, i), NULL);
		GHashTableIter iter;
		gpointer v;
		g_hash_table_iter_init(&iter, acked);
		while (g_hash_table_iter_next(&iter, NULL, &v))
			g_assert_cmphex(offer->yiaddr, !=, GPOINTER_TO_UINT(v));
	}
}

/* Owners of leases that expire are forgotten on the next tick. */
static void
test_tick(Fixture *f, gconstpointer data)
{
	guint32 ip = dora(f, mac1, 1);
	g_autofree gchar *text = pxf_dhcp_ip_to_string(ip);
	pxf_dhcp_server_tick(f->server);
	g_assert_nonnull(g_hash_table_lookup(f->fk.owners, text));
	f->fk.now += 601;
	pxf_dhcp_server_tick(f->server);
	g_assert_null(g_hash_table_lookup(f->fk.owners, text));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/dhcp/server/dora", test_dora);
	ADD("/dhcp/server/renew", test_renew);
	ADD("/dhcp/server/nak", test_nak);
	ADD("/dhcp/server/other-server", test_other_server);
	ADD("/dhcp/server/relay", test_relay);
	ADD("/dhcp/server/pxe", test_pxe);
	ADD("/dhcp/server/pxe-vendor-option", test_pxe_vendor_option);
	ADD("/dhcp/server/fixed", test_fixed);
	ADD("/dhcp/server/burst", test_burst);
	ADD("/dhcp/server/decline", test_decline);
	ADD("/dhcp/server/release", test_release);
	ADD("/dhcp/server/inform", test_inform);
	ADD("/dhcp/server/robustness", test_robustness);
	ADD("/dhcp/server/hook-drop-and-size", test_hook_drop_and_size);
	ADD("/dhcp/server/store-failure", test_store_failure);
	ADD("/dhcp/server/group-commit", test_group_commit);
	ADD("/dhcp/server/restart", test_restart);
	ADD("/dhcp/server/tick", test_tick);
#undef ADD
	return g_test_run();
}
