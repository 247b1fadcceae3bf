/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Requires alpha; orders its callback before alpha's. */
#define G_LOG_DOMAIN "test-beta"

#include <pxeforge/plugin.h>

static PxfVerdict
beta_host_event(PxfHostEventArgs *args, gpointer user_data)
{
	g_message("beta saw host.event %s for %s", pxf_host_event_type_to_string(args->type),
		  args->mac);
	return PXF_VERDICT_CONTINUE;
}

static gboolean
beta_init(PxfPluginContext *ctx, GError **error)
{
	return pxf_hook_connect_host_event(ctx, beta_host_event, NULL, PXF_HOOK_BEFORE("alpha"),
					   error);
}

PXF_PLUGIN_DEFINE(.name = "beta",
		  .kind = PXF_PLUGIN_KIND_SITE,
		  .version = "1.0",
		  .license = "LGPL-2.1-or-later",
		  .description = "test plugin that requires alpha",
		  .requires = PXF_REQUIRES("alpha"),
		  .init = beta_init);
