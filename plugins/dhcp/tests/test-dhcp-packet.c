/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DHCP codec: parsing what real clients send, refusing what breaks the
 * format, and building replies that parse back. */
#include <pxeforge/plugin.h>

#include "dhcp-test-packets.h"
#include "pxf-dhcp-build.h"
#include "pxf-dhcp-packet.h"

static const guint8 mac1[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static PxfDhcpPacket *
parse_bytes(GBytes *bytes, GError **error)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	return pxf_dhcp_packet_parse(data, len, error);
}

static void
test_parse_ipxe(void)
{
	for (guint efi = 0; efi < 2; efi++) {
		g_autoptr(GBytes) bytes =
			test_packet_finish(test_discover_ipxe(mac1, 0xabcd0123, efi));
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfDhcpPacket) pkt = parse_bytes(bytes, &error);
		g_autofree gchar *mac = NULL;
		g_autofree gchar *clid = NULL;
		g_autofree gchar *uuid = NULL;
		g_autofree gchar *vendor = NULL;
		g_autofree gchar *user = NULL;
		gsize len = 0;

		g_assert_no_error(error);
		g_assert_nonnull(pkt);
		g_assert_cmpuint(pkt->op, ==, PXF_DHCP_OP_BOOTREQUEST);
		g_assert_cmpuint(pkt->message_type, ==, PXF_DHCP_DISCOVER);
		g_assert_cmphex(pkt->xid, ==, 0xabcd0123);
		mac = pxf_dhcp_packet_get_mac(pkt);
		g_assert_cmpstr(mac, ==, "52:54:00:12:34:56");
		clid = pxf_dhcp_packet_get_client_id(pkt);
		g_assert_cmpstr(clid, ==, "01525400123456");
		uuid = pxf_dhcp_packet_get_uuid(pkt);
		g_assert_cmpstr(uuid, ==, TEST_UUID_TEXT);
		g_assert_cmpint(pxf_dhcp_packet_get_arch(pkt), ==, efi ? 7 : 0);
		vendor = pxf_dhcp_packet_get_string(pkt, PXF_DHCP_OPT_VENDOR_CLASS);
		g_assert_cmpstr(vendor, ==,
				efi ? "PXEClient:Arch:00007:UNDI:003010"
				    : "PXEClient:Arch:00000:UNDI:002001");
		user = pxf_dhcp_packet_get_user_class(pkt);
		g_assert_cmpstr(user, ==, "iPXE");
		g_assert_true(pxf_dhcp_packet_has_option(pkt, PXF_DHCP_OPT_IPXE));
		g_assert_nonnull(pxf_dhcp_packet_get_option(pkt, PXF_DHCP_OPT_CLIENT_NDI, &len));
		g_assert_cmpuint(len, ==, 3);
		g_assert_true(pxf_dhcp_packet_requests(pkt, PXF_DHCP_OPT_BOOTFILE));
		g_assert_true(pxf_dhcp_packet_requests(pkt, 175));
		g_assert_false(pxf_dhcp_packet_requests(pkt, PXF_DHCP_OPT_LEASE_TIME));
		/* option 57 = 1472 leaves 1444 bytes of DHCP message */
		g_assert_cmpuint(pxf_dhcp_packet_get_max_reply_size(pkt), ==, 1444);
	}
}

static void
test_parse_clients(void)
{
	g_autoptr(GBytes) ovmf = test_packet_finish(test_discover_ovmf(mac1, 1));
	g_autoptr(GBytes) dhclient = test_packet_finish(test_discover_dhclient(mac1, 2));
	g_autoptr(GBytes) udhcpc = test_packet_finish(test_discover_udhcpc(mac1, 3));
	g_autoptr(PxfDhcpPacket) p1 = parse_bytes(ovmf, NULL);
	g_autoptr(PxfDhcpPacket) p2 = parse_bytes(dhclient, NULL);
	g_autoptr(PxfDhcpPacket) p3 = parse_bytes(udhcpc, NULL);
	g_autofree gchar *host = NULL;
	g_autofree gchar *user = NULL;
	g_autofree gchar *clid = NULL;

	g_assert_nonnull(p1);
	g_assert_cmphex(p1->flags, ==, PXF_DHCP_FLAG_BROADCAST);
	g_assert_false(pxf_dhcp_packet_has_option(p1, PXF_DHCP_OPT_CLIENT_ID));
	user = pxf_dhcp_packet_get_user_class(p1);
	g_assert_null(user);
	g_assert_cmpint(pxf_dhcp_packet_get_arch(p1), ==, 7);

	g_assert_nonnull(p2);
	host = pxf_dhcp_packet_get_string(p2, PXF_DHCP_OPT_HOSTNAME);
	g_assert_cmpstr(host, ==, "client01");
	g_assert_cmpint(pxf_dhcp_packet_get_arch(p2), ==, -1);
	g_assert_cmpuint(pxf_dhcp_packet_get_max_reply_size(p2), ==, PXF_DHCP_DEFAULT_MAX_SIZE);

	g_assert_nonnull(p3);
	clid = pxf_dhcp_packet_get_client_id(p3);
	g_assert_cmpstr(clid, ==, "01525400123456");
	g_assert_cmpuint(pxf_dhcp_packet_get_max_reply_size(p3), ==, 548);
}

/* Options in the file and sname fields (option 52), and an option split in
 * two instances (RFC 3396), come back concatenated in order. */
static void
test_parse_overload(void)
{
	GByteArray *p = test_packet_new(1, mac1, 7);
	guint8 overload = 3;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(PxfDhcpPacket) pkt = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *vendor = NULL;
	g_autofree gchar *host = NULL;
	guint32 requested = 0;
	/* file: 60 "PXEClient" then end; sname: 12 "sn", 50 */
	static const guint8 file_opts[] = {60, 4, 'C', 'l', 'i', 'e', 255};
	static const guint8 sname_opts[] = {0, 12, 2, 's', 'n', 50, 4, 10, 0, 0, 9, 255};

	test_packet_option(p, 52, &overload, 1);
	test_packet_option_str(p, 60, "PXE");
	memcpy(p->data + 108, file_opts, sizeof(file_opts));
	memcpy(p->data + 44, sname_opts, sizeof(sname_opts));
	bytes = test_packet_finish(p);
	pkt = parse_bytes(bytes, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pkt->overload, ==, 3);
	vendor = pxf_dhcp_packet_get_string(pkt, PXF_DHCP_OPT_VENDOR_CLASS);
	g_assert_cmpstr(vendor, ==, "PXEClie");
	host = pxf_dhcp_packet_get_string(pkt, PXF_DHCP_OPT_HOSTNAME);
	g_assert_cmpstr(host, ==, "sn");
	g_assert_true(pxf_dhcp_packet_get_u32(pkt, PXF_DHCP_OPT_REQUESTED_IP, &requested));
	g_assert_cmphex(requested, ==, test_ip("10.0.0.9"));
}

static void
test_parse_user_class_rfc3004(void)
{
	GByteArray *p = test_packet_new(1, mac1, 7);
	static const guint8 uc[] = {4, 'i', 'P', 'X', 'E', 3, 'f', 'o', 'o'};
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(PxfDhcpPacket) pkt = NULL;
	g_autofree gchar *user = NULL;

	test_packet_option(p, 77, uc, sizeof(uc));
	bytes = test_packet_finish(p);
	pkt = parse_bytes(bytes, NULL);
	user = pxf_dhcp_packet_get_user_class(pkt);
	g_assert_cmpstr(user, ==, "iPXE");
}

static void
test_parse_bad_informational(void)
{
	/* odd informational options do not lose the packet, only their value */
	GByteArray *p = test_packet_new(1, mac1, 7);
	static const guint8 uuid_short[5] = {0, 1, 2, 3, 4};
	static const guint8 uuid_zero[17] = {0};
	static const guint8 arch_odd[3] = {0, 7, 1};
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(PxfDhcpPacket) pkt = NULL;
	g_autofree gchar *uuid = NULL;

	test_packet_option(p, 97, uuid_short, sizeof(uuid_short));
	test_packet_option(p, 93, arch_odd, sizeof(arch_odd));
	bytes = test_packet_finish(p);
	pkt = parse_bytes(bytes, NULL);
	g_assert_nonnull(pkt);
	uuid = pxf_dhcp_packet_get_uuid(pkt);
	g_assert_null(uuid);
	g_assert_cmpint(pxf_dhcp_packet_get_arch(pkt), ==, -1);

	p = test_packet_new(1, mac1, 8);
	test_packet_option(p, 97, uuid_zero, sizeof(uuid_zero));
	g_clear_pointer(&bytes, g_bytes_unref);
	g_clear_pointer(&pkt, pxf_dhcp_packet_free);
	bytes = test_packet_finish(p);
	pkt = parse_bytes(bytes, NULL);
	g_assert_null(pxf_dhcp_packet_get_uuid(pkt));
}

typedef struct {
	const gchar *name;
	const gchar *needle; /* in the error message */
} Malformed;

static GBytes *
make_malformed(const gchar *name)
{
	GByteArray *p = test_packet_new(1, mac1, 9);
	guint8 b;

	if (g_strcmp0(name, "short") == 0) {
		g_byte_array_set_size(p, 239);
		return g_byte_array_free_to_bytes(p);
	}
	if (g_strcmp0(name, "op") == 0) {
		p->data[0] = 3;
	} else if (g_strcmp0(name, "hlen") == 0) {
		p->data[2] = 17;
	} else if (g_strcmp0(name, "cookie") == 0) {
		p->data[239] = 0x64;
	} else if (g_strcmp0(name, "past-end") == 0) {
		guint8 opt[3] = {60, 200, 'x'};
		g_byte_array_append(p, opt, sizeof(opt));
		return g_byte_array_free_to_bytes(p);
	} else if (g_strcmp0(name, "no-length") == 0) {
		b = 60;
		g_byte_array_append(p, &b, 1);
		return g_byte_array_free_to_bytes(p);
	} else if (g_strcmp0(name, "overload-value") == 0) {
		b = 4;
		test_packet_option(p, 52, &b, 1);
	} else if (g_strcmp0(name, "overload-in-file") == 0) {
		static const guint8 inner[] = {52, 1, 1, 255};
		b = 1;
		test_packet_option(p, 52, &b, 1);
		memcpy(p->data + 108, inner, sizeof(inner));
	} else if (g_strcmp0(name, "overload-truncated") == 0) {
		b = 2;
		test_packet_option(p, 52, &b, 1);
		p->data[44 + 62] = 12;
		p->data[44 + 63] = 9;
	} else if (g_strcmp0(name, "type-length") == 0) {
		guint8 two[2] = {1, 1};
		test_packet_option(p, 53, two, 2);
	} else if (g_strcmp0(name, "requested-length") == 0) {
		guint8 three[3] = {10, 0, 0};
		test_packet_option(p, 50, three, 3);
	} else if (g_strcmp0(name, "maxsize-length") == 0) {
		b = 9;
		test_packet_option(p, 57, &b, 1);
	} else if (g_strcmp0(name, "clientid-empty") == 0) {
		test_packet_option(p, 61, NULL, 0);
	} else {
		g_assert_not_reached();
	}
	return test_packet_finish(p);
}

static void
test_parse_malformed(void)
{
	static const Malformed cases[] = {
		{"short", "truncated: 239 bytes"},
		{"op", "op 3"},
		{"hlen", "hlen 17"},
		{"cookie", "magic cookie"},
		{"past-end", "option 60 at offset 243 claims 200 bytes"},
		{"no-length", "option 60 at offset 243 has no length byte"},
		{"overload-value", "option 52"},
		{"overload-in-file", "option 52 (overload) inside the file field"},
		{"overload-truncated",
		 "option 12 at offset 106 claims 9 bytes but the sname field"},
		{"type-length", "option 53 has length 3"},
		{"requested-length", "option 50 has length 3"},
		{"maxsize-length", "option 57 has length 1"},
		{"clientid-empty", "option 61 has length 0"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) bytes = make_malformed(cases[i].name);
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfDhcpPacket) pkt = parse_bytes(bytes, &error);
		g_test_message("case %s: %s", cases[i].name, error ? error->message : "(parsed)");
		g_assert_null(pkt);
		g_assert_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED);
		g_assert_nonnull(strstr(error->message, cases[i].needle));
	}
}

/* Every truncation and a few thousand random corruptions of real packets
 * parse or fail cleanly (run under ASan/UBSan in CI). */
static void
test_parse_mutations(void)
{
	g_autoptr(GBytes) bytes = test_packet_finish(test_discover_ipxe(mac1, 1, TRUE));
	gsize len = 0;
	const guint8 *orig = g_bytes_get_data(bytes, &len);
	g_autoptr(GRand) rand = g_rand_new_with_seed(2131);
	guint parsed = 0;

	for (gsize cut = 0; cut <= len; cut++) {
		g_autofree guint8 *copy = g_memdup2(orig, cut + 1);
		g_autoptr(PxfDhcpPacket) pkt = pxf_dhcp_packet_parse(copy, cut, NULL);
		parsed += pkt != NULL;
	}
	for (guint i = 0; i < 5000; i++) {
		g_autofree guint8 *copy = g_memdup2(orig, len);
		g_autoptr(PxfDhcpPacket) pkt = NULL;
		guint flips = (guint)g_rand_int_range(rand, 1, 8);
		for (guint f = 0; f < flips; f++)
			copy[g_rand_int_range(rand, 0, (gint32)len)] = (guint8)g_rand_int(rand);
		pkt = pxf_dhcp_packet_parse(copy, len, NULL);
		if (pkt != NULL) {
			g_free(pxf_dhcp_packet_get_uuid(pkt));
			g_free(pxf_dhcp_packet_get_user_class(pkt));
			g_free(pxf_dhcp_packet_get_client_id(pkt));
			(void)pxf_dhcp_packet_get_arch(pkt);
			(void)pxf_dhcp_packet_get_max_reply_size(pkt);
			parsed++;
		}
	}
	g_test_message("%u of the mutated packets parsed", parsed);
	g_assert_cmpuint(parsed, >, 0);
}

static void
test_uuid_endianness(void)
{
	GByteArray *p = test_packet_new(1, mac1, 7);
	guint8 raw[17] = {0};
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(PxfDhcpPacket) pkt = NULL;
	g_autofree gchar *uuid = NULL;

	for (guint i = 1; i < 17; i++)
		raw[i] = (guint8)i;
	test_packet_option(p, 97, raw, sizeof(raw));
	bytes = test_packet_finish(p);
	pkt = parse_bytes(bytes, NULL);
	uuid = pxf_dhcp_packet_get_uuid(pkt);
	g_assert_cmpstr(uuid, ==, "04030201-0605-0807-090a-0b0c0d0e0f10");
}

static void
test_max_size(void)
{
	static const struct {
		gint value; /* -1: absent */
		gsize expected;
	} cases[] = {{-1, 548}, {300, 548}, {576, 548}, {1000, 972}, {1500, 1472}, {9000, 1472}};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		GByteArray *p = test_packet_new(1, mac1, 7);
		g_autoptr(GBytes) bytes = NULL;
		g_autoptr(PxfDhcpPacket) pkt = NULL;
		if (cases[i].value >= 0) {
			guint8 v[2] = {(guint8)(cases[i].value >> 8), (guint8)cases[i].value};
			test_packet_option(p, 57, v, 2);
		}
		bytes = test_packet_finish(p);
		pkt = parse_bytes(bytes, NULL);
		g_assert_cmpuint(pxf_dhcp_packet_get_max_reply_size(pkt), ==, cases[i].expected);
	}
}

static void
test_ip_strings(void)
{
	guint32 ip = 0;
	g_autofree gchar *text = pxf_dhcp_ip_to_string(0x0a000109);
	g_assert_cmpstr(text, ==, "10.0.1.9");
	g_assert_true(pxf_dhcp_ip_from_string("192.168.50.255", &ip));
	g_assert_cmphex(ip, ==, 0xc0a832ff);
	g_assert_false(pxf_dhcp_ip_from_string("192.168.50", &ip));
	g_assert_false(pxf_dhcp_ip_from_string("::1", &ip));
	g_assert_false(pxf_dhcp_ip_from_string("1.2.3.256", &ip));
	g_assert_false(pxf_dhcp_ip_from_string(NULL, &ip));
	g_assert_cmpstr(pxf_dhcp_message_type_to_string(3), ==, "REQUEST");
	g_assert_cmpstr(pxf_dhcp_message_type_to_string(42), ==, "unknown");
}

/* ---- building --------------------------------------------------------- */

static PxfDhcpPacket *
reply_header(void)
{
	PxfDhcpPacket *h = pxf_dhcp_packet_new();
	h->op = PXF_DHCP_OP_BOOTREPLY;
	h->htype = 1;
	h->hlen = 6;
	h->xid = 0x01020304;
	h->flags = PXF_DHCP_FLAG_BROADCAST;
	h->yiaddr = test_ip("10.0.0.50");
	h->siaddr = test_ip("10.0.0.1");
	h->giaddr = test_ip("10.1.0.1");
	memcpy(h->chaddr, mac1, 6);
	memcpy(h->file, "pxelinux.0", 10);
	return h;
}

static void
test_build_roundtrip(void)
{
	g_autoptr(PxfDhcpPacket) header = reply_header();
	PxfDhcpOptions *options = pxf_dhcp_options_new();
	g_autoptr(GArray) dropped = g_array_new(FALSE, FALSE, sizeof(guint8));
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) wire = NULL;
	g_autoptr(PxfDhcpPacket) back = NULL;
	guint8 type = PXF_DHCP_ACK;
	guint8 agent[6] = {1, 4, 'p', 'o', 'r', 't'};
	guint8 big[300];
	const guint8 *data;
	const guint8 *got;
	gsize len = 0;
	guint32 v = 0;

	for (guint i = 0; i < sizeof(big); i++)
		big[i] = (guint8)i;
	/* set out of order: 82 and 53 are put in their places by the builder */
	pxf_dhcp_options_set(options, PXF_DHCP_OPT_AGENT_INFO, agent, sizeof(agent));
	pxf_dhcp_options_set_string(options, PXF_DHCP_OPT_DOMAIN_NAME, "lab.example");
	pxf_dhcp_options_set(options, PXF_DHCP_OPT_MESSAGE_TYPE, &type, 1);
	pxf_dhcp_options_set(options, 224, big, sizeof(big));
	pxf_dhcp_options_set(options, 225, NULL, 0);
	wire = pxf_dhcp_build(header, options, 1444, dropped, &error);
	pxf_dhcp_options_free(options);
	g_assert_no_error(error);
	g_assert_cmpuint(dropped->len, ==, 0);

	data = g_bytes_get_data(wire, &len);
	g_assert_cmpuint(len, >=, PXF_DHCP_BOOTP_MIN_SIZE);
	/* 53 right after the cookie */
	g_assert_cmpuint(data[240], ==, 53);
	g_assert_cmpuint(data[242], ==, PXF_DHCP_ACK);
	back = pxf_dhcp_packet_parse(data, len, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(back->op, ==, PXF_DHCP_OP_BOOTREPLY);
	g_assert_cmpuint(back->message_type, ==, PXF_DHCP_ACK);
	g_assert_cmphex(back->xid, ==, 0x01020304);
	g_assert_cmphex(back->flags, ==, PXF_DHCP_FLAG_BROADCAST);
	g_assert_cmphex(back->yiaddr, ==, test_ip("10.0.0.50"));
	g_assert_cmphex(back->siaddr, ==, test_ip("10.0.0.1"));
	g_assert_cmphex(back->giaddr, ==, test_ip("10.1.0.1"));
	g_assert_cmpmem(back->chaddr, 6, mac1, 6);
	g_assert_cmpstr((const gchar *)back->file, ==, "pxelinux.0");
	/* the long option was split and comes back whole */
	got = pxf_dhcp_packet_get_option(back, 224, &len);
	g_assert_cmpmem(got, len, big, sizeof(big));
	got = pxf_dhcp_packet_get_option(back, 225, &len);
	g_assert_nonnull(got);
	g_assert_cmpuint(len, ==, 0);
	got = pxf_dhcp_packet_get_option(back, PXF_DHCP_OPT_AGENT_INFO, &len);
	g_assert_cmpmem(got, len, agent, sizeof(agent));
	g_assert_false(pxf_dhcp_packet_get_u32(back, PXF_DHCP_OPT_SERVER_ID, &v));

	/* 82 is the last option before the end */
	data = g_bytes_get_data(wire, &len);
	for (gsize i = len - 1; i > 0; i--) {
		if (data[i] == 255) {
			g_assert_cmpmem(data + i - sizeof(agent), sizeof(agent), agent,
					sizeof(agent));
			g_assert_cmpuint(data[i - sizeof(agent) - 2], ==, 82);
			break;
		}
	}
}

static void
test_build_limits(void)
{
	g_autoptr(PxfDhcpPacket) header = reply_header();
	PxfDhcpOptions *options = pxf_dhcp_options_new();
	g_autoptr(GArray) dropped = g_array_new(FALSE, FALSE, sizeof(guint8));
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) wire = NULL;
	g_autoptr(GBytes) none = NULL;
	guint8 type = PXF_DHCP_OFFER;
	guint8 big[250] = {0};
	gsize len = 0;

	/* no message type: refused */
	none = pxf_dhcp_build(header, options, 548, NULL, &error);
	g_assert_null(none);
	g_assert_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_MALFORMED);
	g_clear_error(&error);

	pxf_dhcp_options_set(options, PXF_DHCP_OPT_MESSAGE_TYPE, &type, 1);
	pxf_dhcp_options_set(options, 200, big, sizeof(big));
	pxf_dhcp_options_set(options, 201, big, sizeof(big));
	pxf_dhcp_options_set_string(options, PXF_DHCP_OPT_DOMAIN_NAME, "fits");
	wire = pxf_dhcp_build(header, options, 548, dropped, &error);
	pxf_dhcp_options_free(options);
	g_assert_no_error(error);
	(void)g_bytes_get_data(wire, &len);
	g_assert_cmpuint(len, <=, 548);
	/* 240 + 3 + 252 = 495; a second 252 would not fit, 15 after it does */
	g_assert_cmpuint(dropped->len, ==, 1);
	g_assert_cmpuint(g_array_index(dropped, guint8, 0), ==, 201);
	{
		g_autoptr(PxfDhcpPacket) back = parse_bytes(wire, &error);
		g_autofree gchar *dn = NULL;
		g_assert_no_error(error);
		g_assert_true(pxf_dhcp_packet_has_option(back, 200));
		g_assert_false(pxf_dhcp_packet_has_option(back, 201));
		dn = pxf_dhcp_packet_get_string(back, PXF_DHCP_OPT_DOMAIN_NAME);
		g_assert_cmpstr(dn, ==, "fits");
	}
}

static void
test_build_minimum(void)
{
	g_autoptr(PxfDhcpPacket) header = reply_header();
	PxfDhcpOptions *options = pxf_dhcp_options_new();
	g_autoptr(GBytes) wire = NULL;
	guint8 type = PXF_DHCP_NAK;
	const guint8 *data;
	gsize len = 0;

	pxf_dhcp_options_set(options, PXF_DHCP_OPT_MESSAGE_TYPE, &type, 1);
	wire = pxf_dhcp_build(header, options, 548, NULL, NULL);
	pxf_dhcp_options_free(options);
	data = g_bytes_get_data(wire, &len);
	/* padded to the BOOTP minimum, end option after 53 */
	g_assert_cmpuint(len, ==, PXF_DHCP_BOOTP_MIN_SIZE);
	g_assert_cmpuint(data[243], ==, 255);
	for (gsize i = 244; i < len; i++)
		g_assert_cmpuint(data[i], ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp/packet/parse-ipxe", test_parse_ipxe);
	g_test_add_func("/dhcp/packet/parse-clients", test_parse_clients);
	g_test_add_func("/dhcp/packet/parse-overload", test_parse_overload);
	g_test_add_func("/dhcp/packet/user-class-rfc3004", test_parse_user_class_rfc3004);
	g_test_add_func("/dhcp/packet/bad-informational", test_parse_bad_informational);
	g_test_add_func("/dhcp/packet/malformed", test_parse_malformed);
	g_test_add_func("/dhcp/packet/mutations", test_parse_mutations);
	g_test_add_func("/dhcp/packet/uuid-endianness", test_uuid_endianness);
	g_test_add_func("/dhcp/packet/max-size", test_max_size);
	g_test_add_func("/dhcp/packet/ip-strings", test_ip_strings);
	g_test_add_func("/dhcp/packet/build-roundtrip", test_build_roundtrip);
	g_test_add_func("/dhcp/packet/build-limits", test_build_limits);
	g_test_add_func("/dhcp/packet/build-minimum", test_build_minimum);
	return g_test_run();
}
