/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Binds the UDP port its configuration names, and declares CAP_NET_RAW only:
 * the daemon tests check the capabilities kept after the privilege drop and
 * that a reload asking for a new privileged port says it needs a restart. */
#define G_LOG_DOMAIN "test-binder"

#include <pxeforge/plugin.h>

static gboolean
binder_init(PxfPluginContext *ctx, GError **error)
{
	const PxfConfSection *config = pxf_plugin_context_get_config(ctx);
	GSocket *socket = pxf_plugin_context_bind(
		ctx, G_SOCKET_TYPE_DATAGRAM, pxf_conf_section_get_string(config, "address"),
		(guint16)pxf_conf_section_get_int(config, "port"), error);
	if (socket == NULL)
		return FALSE;
	g_message("binder bound port %u", (guint)pxf_conf_section_get_int(config, "port"));
	return TRUE;
}

static const PxfConfKey binder_keys[] = {
	{.key = "address",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "127.0.0.1",
	 .description = "address to bind"},
	{.key = "port",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "6969",
	 .min = 1,
	 .max = 65535,
	 .description = "UDP port to bind"},
	PXF_CONF_KEY_END,
};

PXF_PLUGIN_DEFINE(.name = "binder",
		  .kind = PXF_PLUGIN_KIND_TRANSPORT,
		  .version = "1.0",
		  .license = "LGPL-2.1-or-later",
		  .description = "test plugin that binds a port",
		  .config_keys = binder_keys,
		  .capabilities = PXF_PLUGIN_CAP_NET_RAW,
		  .init = binder_init);
