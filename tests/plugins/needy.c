/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Requires a plugin that is not installed. */
#include <pxeforge/plugin.h>

static gboolean
needy_init(PxfPluginContext *ctx, GError **error)
{
	return TRUE;
}

PXF_PLUGIN_DEFINE(.name = "needy",
		  .kind = PXF_PLUGIN_KIND_SITE,
		  .version = "1.0",
		  .license = "MIT",
		  .requires = PXF_REQUIRES("absent"),
		  .init = needy_init);
