/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a kickstart template sees beyond the inventory: the root password
 * only as a hash, and the install source URL. */
#define G_LOG_DOMAIN "pxf-kickstart"

#include <string.h>

#include "pxf-kickstart.h"

G_DEFINE_QUARK(pxf - kickstart - error - quark, pxf_kickstart_error)

const PxfConfKey pxf_kickstart_config_keys[] = {
	{.key = "rootpw_rounds",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = G_STRINGIFY(PXF_OSPROFILE_ROUNDS_DEFAULT),
	 .min = PXF_OSPROFILE_ROUNDS_MIN,
	 .max = PXF_OSPROFILE_ROUNDS_MAX,
	 .description = "SHA-512 crypt rounds when hashing the variable rootpw"},
	{.key = "tree_path",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "distros",
	 .description = "path under http.base_url where the http plugin serves distro trees; "
			"install_url defaults to BASE/TREE_PATH/<distro>/"},
	PXF_CONF_KEY_END,
};

void
pxf_kickstart_config_free(PxfKickstartConfig *self)
{
	if (self == NULL)
		return;
	g_free(self->tree_path);
	g_free(self);
}

PxfKickstartConfig *
pxf_kickstart_config_new(const PxfConfSection *section, GError **error)
{
	g_autoptr(PxfKickstartConfig) self = g_new0(PxfKickstartConfig, 1);
	g_autoptr(GError) error_local = NULL;

	/* the schema's min/max have checked the range */
	self->rounds = (guint)pxf_conf_section_get_int(section, "rootpw_rounds");
	self->tree_path = pxf_osprofile_config_tree_path(section, "tree_path", &error_local);
	if (self->tree_path == NULL) {
		g_set_error_literal(error, PXF_KICKSTART_ERROR, PXF_KICKSTART_ERROR_INVALID,
				    error_local->message);
		return NULL;
	}
	return g_steal_pointer(&self);
}

gboolean
pxf_kickstart_scrub_plaintext(PxfVars *vars)
{
	return pxf_osprofile_scrub_secret(vars, "rootpw");
}

gchar *
pxf_kickstart_install_url(const PxfKickstartConfig *config, PxfVars *vars)
{
	gchar *url = pxf_osprofile_var_string(vars, "install_url");
	g_autofree gchar *source = NULL;

	if (url != NULL)
		return url;
	/* install_source: ftp takes the ftp plugin's URL of a local tree */
	source = pxf_osprofile_var_string(vars, "install_source");
	if (g_strcmp0(source, "ftp") == 0)
		url = pxf_osprofile_var_string(vars, "ftp.tree_url");
	if (url != NULL)
		return url;
	return pxf_osprofile_tree_url(vars, config->tree_path);
}

gboolean
pxf_kickstart_install_nfs(PxfVars *vars)
{
	g_autofree gchar *source = pxf_osprofile_var_string(vars, "install_source");
	g_autofree gchar *server = pxf_osprofile_var_string(vars, "nfs.server");
	g_autofree gchar *dir = pxf_osprofile_var_string(vars, "nfs.dir");

	/* the nfs plugin sets both when it exports the host's distro */
	return g_strcmp0(source, "nfs") == 0 && server != NULL && dir != NULL;
}

gboolean
pxf_kickstart_apply_vars(const PxfKickstartConfig *config, PxfVars *vars, GError **error)
{
	g_autofree gchar *os = pxf_osprofile_var_string(vars, "profile.os");
	gboolean ok = pxf_osprofile_hash_secret(vars, "rootpw", "rootpw_hash", config->rounds, NULL,
						error);

	if (g_strcmp0(os, "kickstart") == 0) {
		g_autofree gchar *current = pxf_osprofile_var_string(vars, "install_url");
		g_autofree gchar *url =
			current == NULL ? pxf_kickstart_install_url(config, vars) : NULL;
		if (url != NULL)
			pxf_vars_set_string(vars, "install_url", url);
		if (pxf_kickstart_install_nfs(vars))
			pxf_vars_set(vars, "install_nfs", g_variant_new_boolean(TRUE));
	}
	return ok;
}
