/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kickstart: the OS profile plugin for anaconda (CentOS, RHEL, Fedora).
 * Hashes root passwords for templates and fills in the install source. */
#define G_LOG_DOMAIN "pxf-kickstart"

#include "pxf-kickstart.h"

static gboolean
pxf_kickstart_init(PxfPluginContext *ctx, GError **error)
{
	g_autoptr(PxfKickstartConfig) config =
		pxf_kickstart_config_new(pxf_plugin_context_get_config(ctx), error);
	PxfKickstart *self;

	if (config == NULL)
		return FALSE;
	self = g_new0(PxfKickstart, 1);
	self->ctx = ctx;
	self->config = g_steal_pointer(&config);
	pxf_plugin_context_set_data(ctx, self, (GDestroyNotify)pxf_kickstart_free);
	return pxf_kickstart_connect(self, error);
}

PXF_PLUGIN_DEFINE(.name = "kickstart",
		  .kind = PXF_PLUGIN_KIND_PROFILE,
		  .version = PXF_KICKSTART_VERSION,
		  .license = "LGPL-2.1-or-later",
		  .description = "anaconda kickstart profiles: hashed root passwords, install "
				 "source, report of the finished install",
		  .config_keys = pxf_kickstart_config_keys,
		  .check_host = pxf_kickstart_check_host,
		  .init = pxf_kickstart_init);
