/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ipxe: PXE ROMs chainload iPXE, and iPXE gets a per-machine script that
 * loads the installer's kernel and initrd over HTTP, boots the local disk,
 * or shows a menu to machines pxeforge does not know. */
#define G_LOG_DOMAIN "pxf-ipxe"

#include "pxf-ipxe.h"

/* Logs the images a PXE ROM would get that are not installed. */
static void
pxf_ipxe_check_images(const PxfIpxeConfig *config)
{
	const gchar *images[] = {config->bios_image, config->efi_x64_image, config->efi_ia32_image,
				 config->efi_arm64_image};

	if (!config->chainload)
		return;
	for (guint i = 0; i < G_N_ELEMENTS(images); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *path = NULL;

		if (images[i] == NULL)
			continue;
		path = pxf_ipxe_find_image((const gchar *const *)config->ipxe_dirs, images[i],
					   &error);
		if (path == NULL)
			g_warning("%s", error->message);
		else
			g_debug("%s is %s", images[i], path);
	}
}

static gboolean
pxf_ipxe_init(PxfPluginContext *ctx, GError **error)
{
	g_autoptr(PxfIpxeConfig) config =
		pxf_ipxe_config_new(pxf_plugin_context_get_config(ctx), error);
	PxfIpxe *self;

	if (config == NULL)
		return FALSE;
	/* the http plugin starts first when it is enabled (conf.d order) */
	if (config->script_transport == PXF_IPXE_TRANSPORT_AUTO)
		config->script_transport = pxf_plugin_context_has_plugin(ctx, "http")
						   ? PXF_IPXE_TRANSPORT_HTTP
						   : PXF_IPXE_TRANSPORT_TFTP;
	pxf_ipxe_check_images(config);
	self = g_new0(PxfIpxe, 1);
	self->ctx = ctx;
	self->config = g_steal_pointer(&config);
	pxf_plugin_context_set_data(ctx, self, (GDestroyNotify)pxf_ipxe_free);
	if (!pxf_ipxe_connect(self, error))
		return FALSE;
	g_debug("scripts over %s, files over %s; chainload %s; unknown machines: %s",
		self->config->script_transport == PXF_IPXE_TRANSPORT_HTTP ? "http" : "tftp",
		pxf_conf_section_get_string(pxf_plugin_context_get_config(ctx), "file_transport"),
		self->config->chainload ? "on" : "off",
		pxf_conf_section_get_string(pxf_plugin_context_get_config(ctx), "unknown_hosts"));
	return TRUE;
}

PXF_PLUGIN_DEFINE(.name = "ipxe",
		  .kind = PXF_PLUGIN_KIND_BOOTLOADER,
		  .version = PXF_IPXE_VERSION,
		  .license = "LGPL-2.1-or-later",
		  .description = "iPXE: chainloading from PXE ROMs, per-machine scripts that "
				 "load the installer over HTTP, a local-boot menu for unknown "
				 "machines",
		  .config_keys = pxf_ipxe_config_keys,
		  .init = pxf_ipxe_init);
