/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* preseed: the OS profile plugin for debian-installer (Debian, and Ubuntu
 * up to 20.04's legacy installer). Hashes passwords for templates, splits
 * the mirror for d-i and puts d-i's arguments on the kernel line. */
#define G_LOG_DOMAIN "pxf-preseed"

#include "pxf-preseed.h"

static gboolean
pxf_preseed_init(PxfPluginContext *ctx, GError **error)
{
	g_autoptr(PxfPreseedConfig) config =
		pxf_preseed_config_new(pxf_plugin_context_get_config(ctx), error);
	PxfPreseed *self;

	if (config == NULL)
		return FALSE;
	self = g_new0(PxfPreseed, 1);
	self->ctx = ctx;
	self->config = g_steal_pointer(&config);
	pxf_plugin_context_set_data(ctx, self, (GDestroyNotify)pxf_preseed_free);
	return pxf_preseed_connect(self, error);
}

PXF_PLUGIN_DEFINE(.name = "preseed",
		  .kind = PXF_PLUGIN_KIND_PROFILE,
		  .version = PXF_PRESEED_VERSION,
		  .license = "LGPL-2.1-or-later",
		  .description = "debian-installer preseed profiles: hashed passwords, mirror, "
				 "kernel arguments, report of the finished install",
		  .config_keys = pxf_preseed_config_keys,
		  .init = pxf_preseed_init);
