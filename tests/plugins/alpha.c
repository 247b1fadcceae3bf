/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A well-formed test plugin: records what it sees so tests can check dispatch. */
#define G_LOG_DOMAIN "test-alpha"

#include <pxeforge/plugin.h>

static PxfVerdict
alpha_host_event(PxfHostEventArgs *args, gpointer user_data)
{
	g_message("alpha saw host.event %s for %s", pxf_host_event_type_to_string(args->type),
		  args->mac);
	return PXF_VERDICT_CONTINUE;
}

static PxfVerdict
alpha_template_vars(PxfTemplateVarsArgs *args, gpointer user_data)
{
	const PxfConfSection *config = user_data;
	pxf_vars_set_string(args->vars, "alpha_greeting",
			    pxf_conf_section_get_string(config, "greeting"));
	return PXF_VERDICT_CONTINUE;
}

static gboolean
alpha_init(PxfPluginContext *ctx, GError **error)
{
	const PxfConfSection *config = pxf_plugin_context_get_config(ctx);

	if (!pxf_hook_connect_host_event(ctx, alpha_host_event, NULL, NULL, error))
		return FALSE;
	return pxf_hook_connect_template_vars(ctx, alpha_template_vars, (gpointer)config, NULL,
					      error);
}

static const PxfConfKey alpha_keys[] = {
	{.key = "greeting",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "hello",
	 .description = "text put into the alpha_greeting template variable"},
	PXF_CONF_KEY_END,
};

PXF_PLUGIN_DEFINE(.name = "alpha",
		  .kind = PXF_PLUGIN_KIND_SITE,
		  .version = "1.0",
		  .license = "LGPL-2.1-or-later",
		  .description = "test plugin",
		  .config_keys = alpha_keys,
		  .init = alpha_init);
