/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims an ABI major this daemon does not speak. */
#include <pxeforge/plugin.h>

static gboolean
badabi_init(PxfPluginContext *ctx, GError **error)
{
	return TRUE;
}

G_MODULE_EXPORT const PxfPluginDesc pxf_plugin_descriptor = {
	.abi_major = PXF_ABI_MAJOR + 98,
	.abi_minor = 0,
	.name = "badabi",
	.kind = PXF_PLUGIN_KIND_SITE,
	.version = "1.0",
	.license = "MIT",
	.init = badabi_init,
};
