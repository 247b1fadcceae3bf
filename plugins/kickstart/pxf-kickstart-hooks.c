/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kickstart plugin's callbacks. Neither the password nor its hash is
 * ever logged; messages name the host only. */
#define G_LOG_DOMAIN "pxf-kickstart"

#include "pxf-kickstart.h"

void
pxf_kickstart_free(PxfKickstart *self)
{
	if (self == NULL)
		return;
	pxf_kickstart_config_free(self->config);
	g_free(self);
}

static const gchar *
pxf_kickstart_host_name(const PxfHost *host)
{
	return host != NULL ? pxf_host_get_mac(host) : "(no host)";
}

static gboolean
pxf_kickstart_has_string(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(vars, name);
	return value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING) &&
	       g_variant_get_string(value, NULL)[0] != '\0';
}

static PxfVerdict
pxf_kickstart_template_vars(PxfTemplateVarsArgs *args, gpointer user_data)
{
	PxfKickstart *self = user_data;
	g_autoptr(GError) error = NULL;

	if (pxf_kickstart_has_string(args->vars, "rootpw") &&
	    pxf_kickstart_has_string(args->vars, "rootpw_hash"))
		g_warning("%s: both rootpw and rootpw_hash are set; using rootpw_hash",
			  pxf_kickstart_host_name(args->host));
	if (!pxf_kickstart_apply_vars(self->config, args->vars, &error))
		g_warning("%s: cannot hash rootpw, root's password stays locked: %s",
			  pxf_kickstart_host_name(args->host), error->message);
	return PXF_VERDICT_CONTINUE;
}

/* install_source: url (the default), nfs or ftp, which need those plugins. */
static void
pxf_kickstart_warn_source(PxfProfileRenderArgs *args)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(args->vars, "install_source");
	const gchar *source = NULL;

	if (value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		source = g_variant_get_string(value, NULL);
	if (source == NULL || source[0] == '\0' || g_strcmp0(source, "url") == 0)
		return;
	if (g_strcmp0(source, "ftp") == 0) {
		if (!pxf_kickstart_has_string(args->vars, "ftp.tree_url"))
			g_warning("%s: install_source ftp, but no ftp.tree_url: the ftp "
				  "plugin serves distros whose tree is a local directory; "
				  "using install_url",
				  pxf_kickstart_host_name(args->host));
		return;
	}
	if (g_strcmp0(source, "nfs") != 0)
		g_warning("%s: install_source '%s' is not url, nfs or ftp; using install_url",
			  pxf_kickstart_host_name(args->host), source);
	else if (!pxf_kickstart_install_nfs(args->vars))
		g_warning("%s: install_source nfs, but no nfs.server and nfs.dir: the nfs plugin "
			  "exports distros whose tree is a local directory; using install_url",
			  pxf_kickstart_host_name(args->host));
}

/* Renders nothing itself: the core's renderer renders args->template with
 * exactly args->vars once this returns CONTINUE, which keeps what only the
 * core puts there (the install token, or the placeholder `pxeforge render`
 * shows). pxf_plugin_context_render_template() would resolve the variables
 * again and mint a real token for a dry render. What this does is make sure
 * of the variables the kickstart depends on. */
static PxfVerdict
pxf_kickstart_profile_render(PxfProfileRenderArgs *args, gpointer user_data)
{
	g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);

	if (g_strcmp0(args->os, "kickstart") != 0)
		return PXF_VERDICT_CONTINUE;
	/* whatever ran after our template.vars, the plaintext never reaches the template */
	if (pxf_kickstart_scrub_plaintext(args->vars))
		g_debug("%s: blanked a rootpw set after template.vars",
			pxf_kickstart_host_name(args->host));
	pxf_kickstart_warn_source(args);
	if (!pxf_kickstart_has_string(args->vars, "install_url") &&
	    !pxf_kickstart_install_nfs(args->vars))
		g_ptr_array_add(
			problems,
			g_strdup("install_url: no install source: set install_url, a distro "
				 "tree URL, or enable the http plugin"));
	else
		pxf_kickstart_check_vars(args->vars, problems);
	/* what pxeforge check refuses is never served: the first problem says why */
	if (problems->len > 0) {
		g_warning("%s: refusing to render the kickstart: %s",
			  pxf_kickstart_host_name(args->host),
			  (const gchar *)g_ptr_array_index(problems, 0));
		return PXF_VERDICT_DROP;
	}
	return PXF_VERDICT_CONTINUE;
}

gboolean
pxf_kickstart_connect(PxfKickstart *self, GError **error)
{
	/* http.base_url and nfs.* come from those plugins' template.vars */
	if (!pxf_hook_connect_template_vars(self->ctx, pxf_kickstart_template_vars, self,
					    PXF_HOOK_AFTER("http", "nfs"), error))
		return FALSE;
	return pxf_hook_connect_profile_render(self->ctx, pxf_kickstart_profile_render, self, NULL,
					       error);
}
