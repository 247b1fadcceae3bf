/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Its descriptor names another plugin than its file name. */
#include <pxeforge/plugin.h>

static gboolean
misnamed_init(PxfPluginContext *ctx, GError **error)
{
	return TRUE;
}

PXF_PLUGIN_DEFINE(.name = "somethingelse",
		  .kind = PXF_PLUGIN_KIND_SITE,
		  .version = "1.0",
		  .license = "MIT",
		  .init = misnamed_init);
