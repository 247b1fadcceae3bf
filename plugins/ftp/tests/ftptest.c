/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plugin for the ftp integration tests: address owners set the way the
 * dhcp plugin sets them on an ACK (the inventory refuses loopback fixed
 * addresses), and file.open answers: rendered content naming the client it
 * saw, and a drop. */
#define G_LOG_DOMAIN "test-ftptest"

#include <pxeforge/plugin.h>

#include <string.h>

static PxfVerdict
ftptest_file_open(PxfFileOpenArgs *args, gpointer user_data)
{
	if (g_strcmp0(args->path, "virtual/hello.txt") == 0) {
		g_autofree gchar *text = g_strdup_printf(
			"hello from ftptest\nmac=%s\nhost=%s\n",
			args->client->mac != NULL ? args->client->mac : "none",
			args->client->host != NULL ? pxf_host_get_hostname(args->client->host)
						   : "none");
		g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));
		pxf_file_open_set_content(args, bytes);
		return PXF_VERDICT_SKIP;
	}
	if (g_str_has_prefix(args->path, "blocked/"))
		return PXF_VERDICT_DROP;
	return PXF_VERDICT_CONTINUE;
}

static gboolean
ftptest_init(PxfPluginContext *ctx, GError **error)
{
	const PxfConfSection *config = pxf_plugin_context_get_config(ctx);
	const gchar *const *owners = pxf_conf_section_get_strv(config, "owners");

	for (guint i = 0; owners[i] != NULL; i++) {
		g_auto(GStrv) kv = g_strsplit(owners[i], "=", 2);
		if (kv[0] == NULL || kv[1] == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "owners: '%s' is not IP=MAC", owners[i]);
			return FALSE;
		}
		pxf_plugin_context_set_address_owner(ctx, kv[0], kv[1]);
	}
	return pxf_hook_connect_file_open(ctx, ftptest_file_open, NULL, NULL, error);
}

static const PxfConfKey ftptest_keys[] = {
	{.key = "owners",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "IP=MAC pairs recorded as address owners, as DHCP leases would be"},
	PXF_CONF_KEY_END,
};

PXF_PLUGIN_DEFINE(.name = "ftptest",
		  .kind = PXF_PLUGIN_KIND_SITE,
		  .version = "1.0",
		  .license = "LGPL-2.1-or-later",
		  .description =
			  "file.open answers and address owners for the ftp integration tests",
		  .config_keys = ftptest_keys,
		  .init = ftptest_init);
