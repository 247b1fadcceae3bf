/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The correctly typed twin of typed-wrong.c: must compile. */
#include <pxeforge/plugin.h>

static PxfVerdict
on_event(PxfHostEventArgs *args, gpointer user_data)
{
	return PXF_VERDICT_CONTINUE;
}

gboolean connect_it(PxfPluginContext *ctx, GError **error);

gboolean
connect_it(PxfPluginContext *ctx, GError **error)
{
	return pxf_hook_connect_host_event(ctx, on_event, NULL, NULL, error);
}
