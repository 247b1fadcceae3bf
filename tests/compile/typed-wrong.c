/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A boot.select callback connected to host.event: must not compile. */
#include <pxeforge/plugin.h>

static PxfVerdict
on_boot_select(PxfBootSelectArgs *args, gpointer user_data)
{
	return PXF_VERDICT_CONTINUE;
}

gboolean connect_it(PxfPluginContext *ctx, GError **error);

gboolean
connect_it(PxfPluginContext *ctx, GError **error)
{
	return pxf_hook_connect_host_event(ctx, on_boot_select, NULL, NULL, error);
}
