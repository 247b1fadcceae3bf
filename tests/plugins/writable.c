/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fine by itself; the tests install it world-writable to be refused. */
#include <pxeforge/plugin.h>

static gboolean
writable_init(PxfPluginContext *ctx, GError **error)
{
	return TRUE;
}

PXF_PLUGIN_DEFINE(.name = "writable",
		  .kind = PXF_PLUGIN_KIND_SITE,
		  .version = "1.0",
		  .license = "MIT",
		  .init = writable_init);
