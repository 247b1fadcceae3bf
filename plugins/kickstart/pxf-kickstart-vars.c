/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a kickstart template sees beyond the inventory: the root password
 * only as a hash, and the install source URL. */
#define G_LOG_DOMAIN "pxf-kickstart"

#include <string.h>

#include "pxf-kickstart.h"

const PxfConfKey pxf_kickstart_config_keys[] = {
	{.key = "rootpw_rounds",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = G_STRINGIFY(PXF_KICKSTART_ROUNDS_DEFAULT),
	 .min = PXF_KICKSTART_ROUNDS_MIN,
	 .max = PXF_KICKSTART_ROUNDS_MAX,
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
	const gchar *tree_path = pxf_conf_section_get_string(section, "tree_path");

	/* the schema's min/max have checked the range */
	self->rounds = (guint)pxf_conf_section_get_int(section, "rootpw_rounds");
	if (tree_path == NULL || strpbrk(tree_path, " \t\r\n?#") != NULL ||
	    strstr(tree_path, "..") != NULL) {
		g_autofree gchar *where = pxf_conf_section_where(section, "tree_path");
		g_set_error(error, PXF_KICKSTART_ERROR, PXF_KICKSTART_ERROR_INVALID,
			    "%s: tree_path '%s' is not a plain URL path", where,
			    tree_path != NULL ? tree_path : "");
		return NULL;
	}
	/* stored without slashes at either end, joined with exactly one */
	while (tree_path[0] == '/')
		tree_path++;
	self->tree_path = g_strdup(tree_path);
	while (self->tree_path[0] != '\0' && g_str_has_suffix(self->tree_path, "/"))
		self->tree_path[strlen(self->tree_path) - 1] = '\0';
	return g_steal_pointer(&self);
}

/* A non-empty string variable, or NULL. */
static gchar *
pxf_kickstart_var_string(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(vars, name);

	while (value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
		GVariant *inner = g_variant_get_variant(value);
		g_variant_unref(value);
		value = inner;
	}
	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return NULL;
	if (g_variant_get_string(value, NULL)[0] == '\0')
		return NULL;
	return g_variant_dup_string(value, NULL);
}

gboolean
pxf_kickstart_scrub_plaintext(PxfVars *vars)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(vars, "rootpw");

	/* anything but an empty string counts: a YAML number is a string too,
	 * and a list or map under that name is a mistake worth hiding as well */
	if (value == NULL || (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING) &&
			      g_variant_get_string(value, NULL)[0] == '\0'))
		return FALSE;
	/* PxfVars cannot remove a name; an empty string renders as nothing and
	 * is falsy in sections */
	pxf_vars_set_string(vars, "rootpw", "");
	return TRUE;
}

static gboolean
pxf_kickstart_is_url(const gchar *text)
{
	return g_str_has_prefix(text, "http://") || g_str_has_prefix(text, "https://") ||
	       g_str_has_prefix(text, "ftp://") || g_str_has_prefix(text, "nfs:");
}

gchar *
pxf_kickstart_install_url(const PxfKickstartConfig *config, PxfVars *vars)
{
	g_autofree gchar *url = pxf_kickstart_var_string(vars, "install_url");
	g_autofree gchar *tree = NULL;
	g_autofree gchar *base = NULL;
	g_autofree gchar *distro = NULL;
	GString *out;

	if (url != NULL)
		return g_steal_pointer(&url);
	tree = pxf_kickstart_var_string(vars, "distro.tree");
	if (tree != NULL && pxf_kickstart_is_url(tree))
		return g_steal_pointer(&tree);
	/* the http plugin says where it serves a local tree */
	url = pxf_kickstart_var_string(vars, "http.tree_url");
	if (url != NULL)
		return g_steal_pointer(&url);
	base = pxf_kickstart_var_string(vars, "http.base_url");
	distro = pxf_kickstart_var_string(vars, "distro.name");
	if (base == NULL || distro == NULL)
		return NULL;
	out = g_string_new(base);
	while (out->len > 0 && out->str[out->len - 1] == '/')
		g_string_truncate(out, out->len - 1);
	g_string_append_c(out, '/');
	if (config->tree_path[0] != '\0')
		g_string_append_printf(out, "%s/", config->tree_path);
	g_string_append_printf(out, "%s/", distro);
	return g_string_free(out, FALSE);
}

gboolean
pxf_kickstart_apply_vars(const PxfKickstartConfig *config, PxfVars *vars, GError **error)
{
	g_autofree gchar *hash = pxf_kickstart_var_string(vars, "rootpw_hash");
	g_autofree gchar *plain = NULL;
	g_autofree gchar *os = pxf_kickstart_var_string(vars, "profile.os");
	gboolean ok = TRUE;

	if (hash == NULL) {
		plain = pxf_kickstart_var_string(vars, "rootpw");
		if (plain != NULL) {
			hash = pxf_kickstart_crypt_sha512(plain, config->rounds, error);
			/* the copy must not outlive the hashing */
			explicit_bzero(plain, strlen(plain));
			if (hash == NULL)
				ok = FALSE;
			else
				pxf_vars_set_string(vars, "rootpw_hash", hash);
		}
	}
	pxf_kickstart_scrub_plaintext(vars);

	if (g_strcmp0(os, "kickstart") == 0) {
		g_autofree gchar *url = pxf_kickstart_install_url(config, vars);
		g_autofree gchar *current = pxf_kickstart_var_string(vars, "install_url");
		if (url != NULL && current == NULL)
			pxf_vars_set_string(vars, "install_url", url);
	}
	return ok;
}
