/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Variables the OS profile plugins read and set: secrets only as hashes,
 * the install tree, the answer file's URL. */
#define G_LOG_DOMAIN "pxf-osprofile"

#include <string.h>

#include "pxf-osprofile.h"

/* The value under any number of variant wrappers; transfer full. */
static GVariant *
pxf_osprofile_unwrap(GVariant *value)
{
	while (value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
		GVariant *inner = g_variant_get_variant(value);
		g_variant_unref(value);
		value = inner;
	}
	return value;
}

gchar *
pxf_osprofile_var_string(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_osprofile_unwrap(pxf_vars_lookup(vars, name));

	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return NULL;
	if (g_variant_get_string(value, NULL)[0] == '\0')
		return NULL;
	return g_variant_dup_string(value, NULL);
}

gboolean
pxf_osprofile_var_bool(PxfVars *vars, const gchar *name, gboolean fallback)
{
	g_autoptr(GVariant) value = pxf_osprofile_unwrap(pxf_vars_lookup(vars, name));

	if (value == NULL)
		return fallback;
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
		return g_variant_get_boolean(value);
	/* YAML scalars other than plain true/false arrive as strings */
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
		const gchar *text = g_variant_get_string(value, NULL);
		if (g_ascii_strcasecmp(text, "true") == 0 || g_ascii_strcasecmp(text, "yes") == 0)
			return TRUE;
		if (g_ascii_strcasecmp(text, "false") == 0 || g_ascii_strcasecmp(text, "no") == 0)
			return FALSE;
	}
	return fallback;
}

GStrv
pxf_osprofile_var_strv(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_osprofile_unwrap(pxf_vars_lookup(vars, name));
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

	if (value == NULL)
		return g_strv_builder_end(builder);
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
		if (g_variant_get_string(value, NULL)[0] != '\0')
			g_strv_builder_add(builder, g_variant_get_string(value, NULL));
		return g_strv_builder_end(builder);
	}
	if (!g_variant_is_of_type(value, G_VARIANT_TYPE_ARRAY))
		return g_strv_builder_end(builder);
	for (gsize i = 0; i < g_variant_n_children(value); i++) {
		g_autoptr(GVariant) item =
			pxf_osprofile_unwrap(g_variant_get_child_value(value, i));
		if (item != NULL && g_variant_is_of_type(item, G_VARIANT_TYPE_STRING) &&
		    g_variant_get_string(item, NULL)[0] != '\0')
			g_strv_builder_add(builder, g_variant_get_string(item, NULL));
	}
	return g_strv_builder_end(builder);
}

gboolean
pxf_osprofile_scrub_secret(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(vars, name);

	/* anything but an empty string counts: a YAML number is a string too,
	 * and a list or map under that name is a mistake worth hiding as well */
	if (value == NULL || (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING) &&
			      g_variant_get_string(value, NULL)[0] == '\0'))
		return FALSE;
	pxf_vars_set_string(vars, name, "");
	return TRUE;
}

gboolean
pxf_osprofile_hash_secret(PxfVars *vars,
			  const gchar *plain_name,
			  const gchar *hash_name,
			  guint rounds,
			  gboolean *hashed,
			  GError **error)
{
	g_autofree gchar *hash = pxf_osprofile_var_string(vars, hash_name);
	g_autofree gchar *plain = NULL;
	gboolean ok = TRUE;

	if (hashed != NULL)
		*hashed = FALSE;
	if (hash == NULL) {
		plain = pxf_osprofile_var_string(vars, plain_name);
		if (plain != NULL) {
			hash = pxf_osprofile_crypt_sha512(plain, rounds, error);
			/* the copy must not outlive the hashing */
			explicit_bzero(plain, strlen(plain));
			if (hash == NULL) {
				ok = FALSE;
			} else {
				pxf_vars_set_string(vars, hash_name, hash);
				if (hashed != NULL)
					*hashed = TRUE;
			}
		}
	}
	pxf_osprofile_scrub_secret(vars, plain_name);
	return ok;
}

gchar *
pxf_osprofile_config_tree_path(const PxfConfSection *section, const gchar *key, GError **error)
{
	const gchar *tree_path = pxf_conf_section_get_string(section, key);
	gchar *out;

	if (tree_path == NULL || strpbrk(tree_path, " \t\r\n?#") != NULL ||
	    strstr(tree_path, "..") != NULL) {
		g_autofree gchar *where = pxf_conf_section_where(section, key);
		g_set_error(error, PXF_OSPROFILE_ERROR, PXF_OSPROFILE_ERROR_INVALID,
			    "%s: %s '%s' is not a plain URL path", where, key,
			    tree_path != NULL ? tree_path : "");
		return NULL;
	}
	/* stored without slashes at either end, joined with exactly one */
	while (tree_path[0] == '/')
		tree_path++;
	out = g_strdup(tree_path);
	while (out[0] != '\0' && g_str_has_suffix(out, "/"))
		out[strlen(out) - 1] = '\0';
	return out;
}

gboolean
pxf_osprofile_is_tree_url(const gchar *text)
{
	return text != NULL &&
	       (g_str_has_prefix(text, "http://") || g_str_has_prefix(text, "https://") ||
		g_str_has_prefix(text, "ftp://") || g_str_has_prefix(text, "nfs:"));
}

gchar *
pxf_osprofile_tree_url(PxfVars *vars, const gchar *tree_path)
{
	g_autofree gchar *tree = pxf_osprofile_var_string(vars, "distro.tree");
	g_autofree gchar *url = NULL;
	g_autofree gchar *base = NULL;
	g_autofree gchar *distro = NULL;
	GString *out;

	if (tree != NULL && pxf_osprofile_is_tree_url(tree))
		return g_steal_pointer(&tree);
	/* the http plugin says where it serves a local tree */
	url = pxf_osprofile_var_string(vars, "http.tree_url");
	if (url != NULL)
		return g_steal_pointer(&url);
	base = pxf_osprofile_var_string(vars, "http.base_url");
	distro = pxf_osprofile_var_string(vars, "distro.name");
	if (base == NULL || distro == NULL)
		return NULL;
	out = g_string_new(base);
	while (out->len > 0 && out->str[out->len - 1] == '/')
		g_string_truncate(out, out->len - 1);
	g_string_append_c(out, '/');
	if (tree_path != NULL && tree_path[0] != '\0')
		g_string_append_printf(out, "%s/", tree_path);
	g_string_append_printf(out, "%s/", distro);
	return g_string_free(out, FALSE);
}

gchar *
pxf_osprofile_answer_url(PxfVars *vars)
{
	gchar *url = pxf_osprofile_var_string(vars, "ks_url");

	/* an operator's own ks_url wins, as it does for the pxelinux plugin */
	if (url != NULL)
		return url;
	return pxf_osprofile_var_string(vars, "install.ks_url");
}

gboolean
pxf_osprofile_has_line_break(const gchar *text)
{
	/* \v, \f and the Unicode line separators too: some parsers split there */
	return text != NULL &&
	       (strpbrk(text, "\r\n\v\f") != NULL || strstr(text, "\xc2\x85") != NULL ||
		strstr(text, "\xe2\x80\xa8") != NULL || strstr(text, "\xe2\x80\xa9") != NULL);
}
