/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* autoinstall: the OS profile plugin for Ubuntu's subiquity (20.04 and
 * later): a cloud-init NoCloud seed per host over HTTP, hashed passwords,
 * the installer's kernel arguments, and the report of the finished install. */
#define G_LOG_DOMAIN "pxf-autoinstall"

#include "pxf-autoinstall.h"

static gboolean
pxf_autoinstall_init(PxfPluginContext *ctx, GError **error)
{
	g_autoptr(PxfAutoinstallConfig) config =
		pxf_autoinstall_config_new(pxf_plugin_context_get_config(ctx), error);
	PxfAutoinstall *self;

	if (config == NULL)
		return FALSE;
	if (!pxf_plugin_context_has_plugin(ctx, "http"))
		g_info("the http plugin is not running: nothing serves ai/<mac>/ unless another "
		       "transport dispatches file.open");
	self = g_new0(PxfAutoinstall, 1);
	self->ctx = ctx;
	self->config = g_steal_pointer(&config);
	pxf_plugin_context_set_data(ctx, self, (GDestroyNotify)pxf_autoinstall_free);
	return pxf_autoinstall_connect(self, error);
}

PXF_PLUGIN_DEFINE(.name = "autoinstall",
		  .kind = PXF_PLUGIN_KIND_PROFILE,
		  .version = PXF_AUTOINSTALL_VERSION,
		  .license = "LGPL-2.1-or-later",
		  .description = "Ubuntu autoinstall profiles: cloud-init NoCloud seed per host, "
				 "hashed passwords, kernel arguments, install report",
		  .config_keys = pxf_autoinstall_config_keys,
		  .init = pxf_autoinstall_init);
