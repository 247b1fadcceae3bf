/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test plugin for the tftp integration tests: a file.open callback that
 * provides virtual.txt (content naming the client), virtual-big.bin (bytes
 * over many blocks), redirect.bin (a file outside the root, by local path)
 * and refuses dropped.bin; everything else goes on to the tftp root. */
#define G_LOG_DOMAIN "test-tftptest"

#include <string.h>

#include <pxeforge/plugin.h>

static PxfVerdict
tftptest_file_open(PxfFileOpenArgs *args, gpointer user_data)
{
	const gchar *redirect = user_data;

	if (g_strcmp0(args->path, "virtual.txt") == 0) {
		g_autofree gchar *ip = g_inet_address_to_string(
			g_inet_socket_address_get_address(args->client->address));
		g_autofree gchar *text = g_strdup_printf("virtual file for %s via %s\n", ip,
							 args->client->transport);
		g_autoptr(GBytes) content = g_bytes_new(text, strlen(text));
		pxf_file_open_set_content(args, content);
		return PXF_VERDICT_SKIP;
	}
	if (g_strcmp0(args->path, "virtual-big.bin") == 0) {
		gsize size = 300000;
		guint8 *data = g_malloc(size);
		g_autoptr(GBytes) content = NULL;
		for (gsize i = 0; i < size; i++)
			data[i] = (guint8)((i * 31 + (i >> 8)) & 0xff);
		content = g_bytes_new_take(data, size);
		pxf_file_open_set_content(args, content);
		return PXF_VERDICT_SKIP;
	}
	if (g_strcmp0(args->path, "redirect.bin") == 0 && redirect != NULL && redirect[0] != '\0') {
		pxf_file_open_set_local_path(args, redirect);
		return PXF_VERDICT_SKIP;
	}
	if (g_strcmp0(args->path, "dropped.bin") == 0)
		return PXF_VERDICT_DROP;
	return PXF_VERDICT_CONTINUE;
}

static gboolean
tftptest_init(PxfPluginContext *ctx, GError **error)
{
	const PxfConfSection *config = pxf_plugin_context_get_config(ctx);
	gchar *redirect = g_strdup(pxf_conf_section_get_string(config, "redirect"));

	pxf_plugin_context_set_data(ctx, redirect, g_free);
	return pxf_hook_connect_file_open(ctx, tftptest_file_open, redirect, NULL, error);
}

static const PxfConfKey tftptest_keys[] = {
	{.key = "redirect",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "file served as redirect.bin"},
	PXF_CONF_KEY_END,
};

PXF_PLUGIN_DEFINE(.name = "tftptest",
		  .kind = PXF_PLUGIN_KIND_SITE,
		  .version = "1.0",
		  .license = "LGPL-2.1-or-later",
		  .description = "test plugin: virtual files for the tftp tests",
		  .config_keys = tftptest_keys,
		  .init = tftptest_init);
