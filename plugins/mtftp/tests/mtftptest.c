/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test plugin for the mtftp integration and end-to-end tests: file.open
 * answers (bytes in memory, content that differs per client, a drop, one
 * file outside the root under a path per host, as the bootloader plugins
 * serve a distro's initrd under ipxe/<mac>/initrd.img),
 * address owners set the way the dhcp plugin sets them on an ACK, and a
 * boot.select that gives PXE ROMs and iPXE a boot file (an mtftp:// URL for
 * iPXE in the e2e test). */
#define G_LOG_DOMAIN "test-mtftptest"

#include <string.h>

#include <pxeforge/plugin.h>

static PxfVerdict
mtftptest_file_open(PxfFileOpenArgs *args, gpointer user_data)
{
	const gchar *host_file = user_data;
	g_auto(GStrv) parts = g_strsplit(args->path, "/", -1);

	if (host_file[0] != '\0' && g_strv_length(parts) == 3 && g_strcmp0(parts[0], "ipxe") == 0 &&
	    g_strcmp0(parts[2], "initrd.img") == 0) {
		pxf_file_open_set_local_path(args, host_file);
		return PXF_VERDICT_SKIP;
	}
	if (g_strcmp0(args->path, "virtual.bin") == 0) {
		gsize size = 300000;
		guint8 *data = g_malloc(size);
		g_autoptr(GBytes) content = NULL;
		for (gsize i = 0; i < size; i++)
			data[i] = (guint8)((i * 31 + (i >> 8)) & 0xff);
		content = g_bytes_new_take(data, size);
		pxf_file_open_set_content(args, content);
		return PXF_VERDICT_SKIP;
	}
	if (g_strcmp0(args->path, "perclient.txt") == 0) {
		g_autofree gchar *ip = g_inet_address_to_string(
			g_inet_socket_address_get_address(args->client->address));
		g_autofree gchar *text =
			g_strdup_printf("for %s via %s mac %s\n", ip, args->client->transport,
					args->client->mac != NULL ? args->client->mac : "none");
		g_autoptr(GBytes) content = g_bytes_new(text, strlen(text));
		pxf_file_open_set_content(args, content);
		return PXF_VERDICT_SKIP;
	}
	if (g_strcmp0(args->path, "dropped.bin") == 0)
		return PXF_VERDICT_DROP;
	return PXF_VERDICT_CONTINUE;
}

typedef struct {
	gchar *ipxe_boot_file;
	gchar *rom_boot_file;
	gchar *host_file;
} MtftpTest;

static void
mtftptest_free(gpointer data)
{
	MtftpTest *self = data;
	g_free(self->ipxe_boot_file);
	g_free(self->rom_boot_file);
	g_free(self->host_file);
	g_free(self);
}

static PxfVerdict
mtftptest_boot_select(PxfBootSelectArgs *args, gpointer user_data)
{
	MtftpTest *self = user_data;
	const gchar *file = args->stage == PXF_BOOT_STAGE_IPXE	? self->ipxe_boot_file
			    : args->stage == PXF_BOOT_STAGE_ROM ? self->rom_boot_file
								: NULL;

	if (file == NULL || file[0] == '\0')
		return PXF_VERDICT_CONTINUE;
	pxf_set_string(&args->filename, file);
	return PXF_VERDICT_SKIP;
}

static gboolean
mtftptest_init(PxfPluginContext *ctx, GError **error)
{
	const PxfConfSection *config = pxf_plugin_context_get_config(ctx);
	const gchar *const *owners = pxf_conf_section_get_strv(config, "owners");
	MtftpTest *self = g_new0(MtftpTest, 1);

	pxf_plugin_context_set_data(ctx, self, mtftptest_free);
	for (guint i = 0; owners[i] != NULL; i++) {
		g_auto(GStrv) kv = g_strsplit(owners[i], "=", 2);
		if (kv[0] == NULL || kv[1] == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "owners: '%s' is not IP=MAC", owners[i]);
			return FALSE;
		}
		pxf_plugin_context_set_address_owner(ctx, kv[0], kv[1]);
	}
	self->ipxe_boot_file = g_strdup(pxf_conf_section_get_string(config, "ipxe_boot_file"));
	self->rom_boot_file = g_strdup(pxf_conf_section_get_string(config, "rom_boot_file"));
	self->host_file = g_strdup(pxf_conf_section_get_string(config, "host_file"));
	if (!pxf_hook_connect_boot_select(ctx, mtftptest_boot_select, self, NULL, error))
		return FALSE;
	return pxf_hook_connect_file_open(ctx, mtftptest_file_open, self->host_file, NULL, error);
}

static const PxfConfKey mtftptest_keys[] = {
	{.key = "owners",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "IP=MAC pairs recorded as address owners, as DHCP leases would be"},
	{.key = "ipxe_boot_file",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "boot file (a URL) for clients at the iPXE stage; empty: none"},
	{.key = "rom_boot_file",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "boot file for clients at the PXE ROM stage; empty: none"},
	{.key = "host_file",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "the file served as ipxe/<anything>/initrd.img; empty: none"},
	PXF_CONF_KEY_END,
};

PXF_PLUGIN_DEFINE(.name = "mtftptest",
		  .kind = PXF_PLUGIN_KIND_SITE,
		  .version = "1.0",
		  .license = "LGPL-2.1-or-later",
		  .description = "test plugin: virtual files and an iPXE boot file for the mtftp "
				 "tests",
		  .config_keys = mtftptest_keys,
		  .init = mtftptest_init);
