/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Option 43 with the PXE MTFTP sub-options: encoding, merging with what
 * other plugins set, refusing what is not PXE-encoded, and the dhcp.reply
 * callback's choice of replies and channels. */
#define G_LOG_DOMAIN "test-mtftp-dhcp"

#include <arpa/inet.h>
#include <string.h>

#include "pxf-mtftp-advertise.h"
#include "pxf-mtftp-dhcp.h"

static PxfMtftpPxeParams
default_params(void)
{
	PxfMtftpPxeParams params = {
		.group = {239, 255, 1, 1},
		.client_port = 3001,
		.server_port = 1759,
		.listen = 2,
		.delay = 5,
	};
	return params;
}

/* 1-5 as the PXE 2.1 spec lays them out, 6 = 8, end */
static const guint8 expected_plain[] = {
	1, 4, 239, 255, 1, 1, 2, 2, 0x0b, 0xb9, 3, 2, 0x06, 0xdf, 4, 1, 2, 5, 1, 5, 6, 1, 8, 255,
};

static void
test_encode(void)
{
	PxfMtftpPxeParams params = default_params();
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) out = pxf_mtftp_dhcp_merge(NULL, 0, &params, &error);
	gsize len = 0;
	const guint8 *data;

	g_assert_no_error(error);
	data = g_bytes_get_data(out, &len);
	g_assert_cmpmem(data, len, expected_plain, sizeof(expected_plain));
}

static void
test_merge(void)
{
	PxfMtftpPxeParams params = default_params();
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) out = NULL;
	g_autoptr(GPtrArray) subs = NULL;
	/* padding, an old MTFTP IP (replaced), discovery control 3 (kept, so
	 * no 6 of ours), a boot menu prompt 10 (kept), end, then junk that an
	 * end tag makes irrelevant */
	static const guint8 existing[] = {0, 1,	 4, 224, 1,   2,   3,	6,  1,
					  3, 10, 3, 0,	 'o', 'k', 255, 99, 99};
	static const guint8 expected[] = {1, 4, 239,  255,  1, 1, 2,   2,   0x0b, 0xb9,
					  3, 2, 0x06, 0xdf, 4, 1, 2,   5,   1,	  5,
					  6, 1, 3,    10,   3, 0, 'o', 'k', 255};
	gsize len = 0;
	const guint8 *data;

	out = pxf_mtftp_dhcp_merge(existing, sizeof(existing), &params, &error);
	g_assert_no_error(error);
	data = g_bytes_get_data(out, &len);
	g_assert_cmpmem(data, len, expected, sizeof(expected));

	/* and it parses back into what it says */
	subs = pxf_mtftp_dhcp_parse_sub_options(data, len, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(subs->len, ==, 7);
	g_assert_cmpuint(((PxfMtftpSubOption *)subs->pdata[6])->code, ==, 10);
	g_assert_cmpuint(g_bytes_get_size(((PxfMtftpSubOption *)subs->pdata[6])->value), ==, 3);
}

static void
test_refuse(void)
{
	PxfMtftpPxeParams params = default_params();
	/* not TLV: a vendor's opaque blob, or a truncated one */
	static const guint8 truncated[] = {1, 4, 239, 255};
	static const guint8 no_length[] = {6};
	static const guint8 twice[] = {6, 1, 8, 6, 1, 8};
	guint8 big[250];
	g_autoptr(GBytes) out = NULL;
	g_autoptr(GError) error = NULL;

	out = pxf_mtftp_dhcp_merge(truncated, sizeof(truncated), &params, &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_assert_null(out);
	g_clear_error(&error);
	out = pxf_mtftp_dhcp_merge(no_length, sizeof(no_length), &params, &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_clear_error(&error);
	out = pxf_mtftp_dhcp_merge(twice, sizeof(twice), &params, &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_clear_error(&error);
	/* our 24 bytes do not fit next to 250 of another plugin's */
	memset(big, 0, sizeof(big));
	big[0] = 71;
	big[1] = 240;
	out = pxf_mtftp_dhcp_merge(big, sizeof(big), &params, &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
	g_assert_null(out);
}

static void
test_parse_every_length(void)
{
	/* no input crashes the parser: every prefix of a valid option */
	for (gsize n = 0; n <= sizeof(expected_plain); n++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GPtrArray) subs =
			pxf_mtftp_dhcp_parse_sub_options(expected_plain, n, &error);
		g_assert_true((subs == NULL) == (error != NULL));
	}
}

/* A configuration of the default channel plus pxelinux.0 on its own. */
static PxfMtftpConfig *
make_config(void)
{
	PxfMtftpConfig *config = g_new0(PxfMtftpConfig, 1);
	PxfMtftpChannel *channel = g_new0(PxfMtftpChannel, 1);

	config->port = 1759;
	config->listen = 3;
	config->delay = 4;
	config->root = g_strdup("/srv");
	config->files = g_ptr_array_new();
	config->default_channel = g_new0(PxfMtftpChannel, 1);
	config->default_channel->group = g_strdup("239.255.1.1");
	inet_pton(AF_INET, "239.255.1.1", &config->default_channel->group_addr);
	config->default_channel->client_port = 3001;
	channel->path = g_strdup("pxelinux.0");
	channel->group = g_strdup("239.255.1.2");
	inet_pton(AF_INET, "239.255.1.2", &channel->group_addr);
	channel->client_port = 3010;
	g_ptr_array_add(config->files, channel);
	return config;
}

static void
free_config(PxfMtftpConfig *config)
{
	PxfMtftpChannel *channel = g_ptr_array_index(config->files, 0);
	g_free(channel->path);
	g_free(channel->group);
	g_free(channel);
	g_ptr_array_unref(config->files);
	g_free(config->default_channel->group);
	g_free(config->default_channel);
	g_free(config->root);
	g_free(config);
}

/* The option 43 a reply ends with, as hex; "" when there is none. */
static gchar *
reply(PxfMtftpAdvertiser *adv,
      PxfBootStage stage,
      guint8 type,
      const gchar *vendor,
      const gchar *server,
      const gchar *file,
      const guint8 *existing,
      gsize existing_len)
{
	PxfDhcpOptions *options = pxf_dhcp_options_new();
	g_autoptr(GInetAddress) ip = g_inet_address_new_from_string("10.0.0.50");
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(ip, 68);
	PxfClient client = {.transport = "dhcp",
			    .address = G_INET_SOCKET_ADDRESS(addr),
			    .mac = "52:54:00:00:00:01"};
	PxfDhcpReplyArgs args = {
		.client = &client, .message_type = type, .options = options, .stage = stage};
	g_autoptr(GString) hex = g_string_new(NULL);
	const guint8 *data;
	gsize len = 0;

	if (vendor != NULL)
		pxf_dhcp_options_set_string(options, 60, vendor);
	if (server != NULL)
		pxf_dhcp_options_set_string(options, 66, server);
	if (file != NULL)
		pxf_dhcp_options_set_string(options, 67, file);
	if (existing != NULL)
		pxf_dhcp_options_set(options, 43, existing, existing_len);
	g_assert_cmpint(pxf_mtftp_advertiser_dhcp_reply(&args, adv), ==, PXF_VERDICT_CONTINUE);
	data = pxf_dhcp_options_get(options, 43, &len);
	for (gsize i = 0; data != NULL && i < len; i++)
		g_string_append_printf(hex, "%02x", data[i]);
	pxf_dhcp_options_free(options);
	return g_string_free(g_steal_pointer(&hex), FALSE);
}

static void
test_reply(void)
{
	PxfMtftpConfig *config = make_config();
	g_autoptr(GPtrArray) addresses = g_ptr_array_new();
	PxfMtftpAdvertiser *adv;
	static const guint8 other[] = {6, 1, 3};
	static const guint8 dhcp_default[] = {6, 1, 8, 255};
	gchar *got;

	g_ptr_array_add(addresses, (gpointer) "10.0.0.1");
	adv = pxf_mtftp_advertiser_new(config, addresses);

	/* a PXE client offered a file from this server: the default channel */
	got = reply(adv, PXF_BOOT_STAGE_ROM, 2, "PXEClient", "10.0.0.1", "boot/menu.c32", NULL, 0);
	g_assert_cmpstr(got, ==,
			"0104efff010102020bb9030206df04010305010406010"
			"8ff");
	g_free(got);
	/* the ACK too; pxelinux.0 has a channel of its own (with a DOS path) */
	got = reply(adv, PXF_BOOT_STAGE_ROM, 5, "PXEClient", "10.0.0.1", "\\pxelinux.0", NULL, 0);
	g_assert_cmpstr(got, ==,
			"0104efff010202020bc2030206df04010305010406010"
			"8ff");
	g_free(got);
	/* the dhcp plugin's own option 43 for PXE ROMs (discovery control 8,
	 * set before dhcp.reply): merged, one sub-option 6, the same bytes */
	got = reply(adv, PXF_BOOT_STAGE_ROM, 2, "PXEClient", "10.0.0.1", "boot/menu.c32",
		    dhcp_default, sizeof(dhcp_default));
	g_assert_cmpstr(got, ==,
			"0104efff010102020bb9030206df04010305010406010"
			"8ff");
	g_free(got);
	/* another plugin's discovery control stays */
	got = reply(adv, PXF_BOOT_STAGE_ROM, 2, "PXEClient", "10.0.0.1", "pxelinux.0", other,
		    sizeof(other));
	g_assert_cmpstr(got, ==, "0104efff010202020bc2030206df040103050104060103ff");
	g_free(got);
	/* not PXE-encoded: left alone */
	got = reply(adv, PXF_BOOT_STAGE_ROM, 2, "PXEClient", "10.0.0.1", "pxelinux.0",
		    (const guint8 *)"\x01\x09", 2);
	g_assert_cmpstr(got, ==, "0109");
	g_free(got);

	/* none of these is ours to advertise to */
	got = reply(adv, PXF_BOOT_STAGE_ROM, 6, "PXEClient", "10.0.0.1", "pxelinux.0", NULL,
		    0); /* NAK */
	g_assert_cmpstr(got, ==, "");
	g_free(got);
	got = reply(adv, PXF_BOOT_STAGE_ROM, 2, NULL, "10.0.0.1", "pxelinux.0", NULL,
		    0); /* not PXE */
	g_assert_cmpstr(got, ==, "");
	g_free(got);
	got = reply(adv, PXF_BOOT_STAGE_ROM, 2, "HTTPClient", "10.0.0.1", "pxelinux.0", NULL, 0);
	g_assert_cmpstr(got, ==, "");
	g_free(got);
	got = reply(adv, PXF_BOOT_STAGE_ROM, 2, "PXEClient", "10.0.0.9", "pxelinux.0", NULL,
		    0); /* another server */
	g_assert_cmpstr(got, ==, "");
	g_free(got);
	got = reply(adv, PXF_BOOT_STAGE_ROM, 2, "PXEClient", NULL, "pxelinux.0", NULL, 0);
	g_assert_cmpstr(got, ==, "");
	g_free(got);
	got = reply(adv, PXF_BOOT_STAGE_ROM, 2, "PXEClient", "10.0.0.1", NULL, NULL,
		    0); /* no boot file */
	g_assert_cmpstr(got, ==, "");
	g_free(got);
	got = reply(adv, PXF_BOOT_STAGE_ROM, 2, "PXEClient", "10.0.0.1",
		    "http://10.0.0.1/boot.ipxe", NULL, 0);
	g_assert_cmpstr(got, ==, "");
	g_free(got);
	got = reply(adv, PXF_BOOT_STAGE_ROM, 2, "PXEClient", "10.0.0.1", "../etc/passwd", NULL, 0);
	g_assert_cmpstr(got, ==, "");
	g_free(got);
	/* iPXE sends PXEClient too, and may be offered a TFTP path of this
	 * server (script_transport tftp): it reads no MTFTP sub-options */
	got = reply(adv, PXF_BOOT_STAGE_IPXE, 2, "PXEClient", "10.0.0.1",
		    "ipxe/52-54-00-00-00-01/boot.ipxe", NULL, 0);
	g_assert_cmpstr(got, ==, "");
	g_free(got);
	got = reply(adv, PXF_BOOT_STAGE_IPXE, 5, "PXEClient", "10.0.0.1", "pxelinux.0", NULL, 0);
	g_assert_cmpstr(got, ==, "");
	g_free(got);

	pxf_mtftp_advertiser_free(adv);
	free_config(config);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugins/mtftp/dhcp/encode", test_encode);
	g_test_add_func("/plugins/mtftp/dhcp/merge", test_merge);
	g_test_add_func("/plugins/mtftp/dhcp/refuse", test_refuse);
	g_test_add_func("/plugins/mtftp/dhcp/parse-every-length", test_parse_every_length);
	g_test_add_func("/plugins/mtftp/dhcp/reply", test_reply);
	return g_test_run();
}
