/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plugin for the http integration tests: file.open answers (rendered
 * content naming the client it saw, a local file under another name, a drop),
 * and address owners set the way the dhcp plugin sets them on an ACK, since
 * the inventory refuses loopback addresses as fixed IPs. */
#define G_LOG_DOMAIN "test-httptest"

#include <pxeforge/plugin.h>

#include <string.h>

typedef struct {
	gchar *alias_target;
} HttpTest;

static void
httptest_free(gpointer data)
{
	HttpTest *self = data;
	g_free(self->alias_target);
	g_free(self);
}

static PxfVerdict
httptest_file_open(PxfFileOpenArgs *args, gpointer user_data)
{
	HttpTest *self = user_data;

	if (g_strcmp0(args->path, "virtual/hello.txt") == 0) {
		g_autofree gchar *text = g_strdup_printf(
			"hello from httptest\nmac=%s\nhost=%s\n",
			args->client->mac != NULL ? args->client->mac : "none",
			args->client->host != NULL ? pxf_host_get_hostname(args->client->host)
						   : "none");
		g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));
		pxf_file_open_set_content(args, bytes);
		return PXF_VERDICT_SKIP;
	}
	if (g_strcmp0(args->path, "alias/big.bin") == 0 && self->alias_target != NULL) {
		pxf_file_open_set_local_path(args, self->alias_target);
		return PXF_VERDICT_SKIP;
	}
	if (g_str_has_prefix(args->path, "blocked/"))
		return PXF_VERDICT_DROP;
	return PXF_VERDICT_CONTINUE;
}

static gboolean
httptest_init(PxfPluginContext *ctx, GError **error)
{
	const PxfConfSection *config = pxf_plugin_context_get_config(ctx);
	HttpTest *self = g_new0(HttpTest, 1);

	const gchar *const *owners = pxf_conf_section_get_strv(config, "owners");

	self->alias_target = g_strdup(pxf_conf_section_get_string(config, "alias_target"));
	pxf_plugin_context_set_data(ctx, self, httptest_free);
	for (guint i = 0; owners[i] != NULL; i++) {
		g_auto(GStrv) kv = g_strsplit(owners[i], "=", 2);
		if (kv[0] == NULL || kv[1] == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "owners: '%s' is not IP=MAC", owners[i]);
			return FALSE;
		}
		pxf_plugin_context_set_address_owner(ctx, kv[0], kv[1]);
	}
	return pxf_hook_connect_file_open(ctx, httptest_file_open, self, NULL, error);
}

static const PxfConfKey httptest_keys[] = {
	{.key = "alias_target",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "the file served as alias/big.bin"},
	{.key = "owners",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "IP=MAC pairs recorded as address owners, as DHCP leases would be"},
	PXF_CONF_KEY_END,
};

PXF_PLUGIN_DEFINE(.name = "httptest",
		  .kind = PXF_PLUGIN_KIND_SITE,
		  .version = "1.0",
		  .license = "LGPL-2.1-or-later",
		  .description = "file.open answers for the http integration tests",
		  .config_keys = httptest_keys,
		  .init = httptest_init);
