/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pxelinux: the BIOS bootloader. Answers boot.select for BIOS machines with
 * pxelinux.0 (lpxelinux.0 for HTTP), serves the syslinux modules from the
 * installed packages and renders pxelinux.cfg per machine. */
#define G_LOG_DOMAIN "pxf-pxelinux"

#include "pxf-pxelinux.h"

static gboolean
pxf_pxelinux_init(PxfPluginContext *ctx, GError **error)
{
	g_autoptr(PxfPxelinuxConfig) config =
		pxf_pxelinux_config_new(pxf_plugin_context_get_config(ctx), error);
	PxfPxelinux *self;

	if (config == NULL)
		return FALSE;
	/* the http plugin starts first when it is enabled (conf.d order) */
	if (config->kernel_transport == PXF_PXELINUX_TRANSPORT_AUTO)
		config->kernel_transport = pxf_plugin_context_has_plugin(ctx, "http")
						   ? PXF_PXELINUX_TRANSPORT_HTTP
						   : PXF_PXELINUX_TRANSPORT_TFTP;
	self = g_new0(PxfPxelinux, 1);
	self->ctx = ctx;
	self->config = g_steal_pointer(&config);
	pxf_plugin_context_set_data(ctx, self, (GDestroyNotify)pxf_pxelinux_free);
	if (!pxf_pxelinux_connect(self, error))
		return FALSE;
	g_debug("serving %s over %s; unknown machines: %s",
		self->config->kernel_transport == PXF_PXELINUX_TRANSPORT_HTTP ? "lpxelinux.0"
									      : "pxelinux.0",
		self->config->kernel_transport == PXF_PXELINUX_TRANSPORT_HTTP ? "http" : "tftp",
		pxf_conf_section_get_string(pxf_plugin_context_get_config(ctx), "unknown_hosts"));
	return TRUE;
}

PXF_PLUGIN_DEFINE(.name = "pxelinux",
		  .kind = PXF_PLUGIN_KIND_BOOTLOADER,
		  .version = PXF_PXELINUX_VERSION,
		  .license = "LGPL-2.1-or-later",
		  .description = "BIOS network boot with syslinux's pxelinux: per-machine "
				 "configurations, a local-boot menu for unknown machines",
		  .config_keys = pxf_pxelinux_config_keys,
		  .init = pxf_pxelinux_init);
