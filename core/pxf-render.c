/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-render"

#include "config.h"

#include "pxf-render.h"

#include <string.h>
#include "pxf-template.h"

PxfVars *
pxf_render_vars(PxfSetup *setup,
		PxfHookRegistry *hooks,
		const PxfClient *client,
		const PxfHost *host,
		const gchar *token)
{
	PxfVars *vars = pxf_inventory_resolve_vars(setup->inventory, host);

	if (token != NULL)
		pxf_vars_set_with_origin(vars, "install.token", g_variant_new_string(token),
					 "install token");
	if (hooks != NULL) {
		PxfTemplateVarsArgs args = {.client = client, .host = host, .vars = vars};
		/* values a callback sets name its plugin as their origin */
		pxf_vars_set_origin_func(vars, pxf_hook_get_current_plugin);
		pxf_hook_run_template_vars(hooks, &args);
		pxf_vars_set_origin_func(vars, NULL);
	}
	return vars;
}

gboolean
pxf_render_template(PxfSetup *setup,
		    PxfVars *vars,
		    const gchar *template,
		    gboolean is_text,
		    GString *out,
		    GError **error)
{
	g_autoptr(PxfTemplate) tpl = NULL;
	g_auto(GStrv) partial_dirs = NULL;

	if (is_text)
		tpl = pxf_template_new("(inline template)", template, (gsize)-1, error);
	else
		tpl = pxf_template_new_from_file(template, error);
	if (tpl == NULL)
		return FALSE;
	partial_dirs = pxf_template_partial_dirs(is_text ? NULL : template, setup->config_dir);
	return pxf_template_render(tpl, vars, pxf_template_partial_from_dirs, partial_dirs, out,
				   error);
}

gboolean
pxf_render_host(PxfSetup *setup,
		PxfHookRegistry *hooks,
		const PxfClient *client,
		const PxfHost *host,
		const gchar *template_path,
		const gchar *token,
		GString *out,
		PxfVars **vars_out,
		GError **error)
{
	const PxfProfile *profile = NULL;
	g_autoptr(PxfVars) vars = NULL;
	gboolean handled = FALSE;

	if (host->profile != NULL)
		profile = pxf_inventory_get_profile(setup->inventory, host->profile);
	if (template_path == NULL && profile != NULL)
		template_path = profile->template;
	if (template_path == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "host %s has no profile, so no template to render", host->mac);
		return FALSE;
	}
	vars = pxf_render_vars(setup, hooks, client, host, token);
	if (hooks != NULL && profile != NULL) {
		PxfProfileRenderArgs args = {
			.client = client,
			.host = host,
			.os = profile->os,
			.template = template_path,
			.vars = vars,
			.output = out,
		};
		PxfHookResult result = pxf_hook_run_profile_render(hooks, &args);
		pxf_profile_render_args_clear(&args);
		if (result.verdict == PXF_VERDICT_DROP) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
				    "plugin %s refused to render %s for %s", result.decided_by,
				    template_path, host->mac);
			return FALSE;
		}
		handled = result.verdict == PXF_VERDICT_SKIP;
	}
	if (!handled && !pxf_render_template(setup, vars, template_path, FALSE, out, error))
		return FALSE;
	if (vars_out != NULL)
		*vars_out = g_steal_pointer(&vars);
	return TRUE;
}

static gboolean
pxf_render_is_secret(const gchar *name)
{
	static const gchar *const words[] = {"password", "passwd", "rootpw",
					     "secret",	 "token",  NULL};
	g_autofree gchar *lower = g_ascii_strdown(name, -1);
	for (guint i = 0; words[i] != NULL; i++) {
		if (strstr(lower, words[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

JsonNode *
pxf_render_vars_to_json(PxfVars *vars)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GPtrArray) names = pxf_vars_get_names(vars);

	json_builder_begin_array(b);
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		g_autoptr(GVariant) value = pxf_vars_lookup(vars, name);
		g_autofree gchar *text = value != NULL ? g_variant_print(value, FALSE) : NULL;
		const gchar *origin = pxf_vars_get_origin(vars, name);

		/* what renders into an answer file is the operator's business; what
		 * a terminal, a log or a support ticket shows is not */
		if (pxf_render_is_secret(name)) {
			g_free(text);
			text = g_strdup("(redacted)");
		}
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, name);
		json_builder_set_member_name(b, "value");
		json_builder_add_string_value(b, text != NULL ? text : "");
		json_builder_set_member_name(b, "origin");
		json_builder_add_string_value(b, origin != NULL ? origin : "?");
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return json_builder_get_root(b);
}
