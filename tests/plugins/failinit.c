/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Connects a hook, then fails init: the core must drop the connection. */
#include <pxeforge/plugin.h>

static PxfVerdict
failinit_host_event(PxfHostEventArgs *args, gpointer user_data)
{
	g_error("failinit's callback must never run");
	return PXF_VERDICT_CONTINUE;
}

static gboolean
failinit_init(PxfPluginContext *ctx, GError **error)
{
	if (!pxf_hook_connect_host_event(ctx, failinit_host_event, NULL, NULL, error))
		return FALSE;
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "refusing to start on purpose");
	return FALSE;
}

PXF_PLUGIN_DEFINE(.name = "failinit",
		  .kind = PXF_PLUGIN_KIND_SITE,
		  .version = "1.0",
		  .license = "MIT",
		  .init = failinit_init);
