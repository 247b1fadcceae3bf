/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a kickstart's variables must be before anything is rendered: the
 * template copies them verbatim into command lines, so a line break starts a
 * command (or a %pre, run as root by the installer) of its own, and white
 * space splits an argument in two. Never prints a root password hash. */
#define G_LOG_DOMAIN "pxf-kickstart"

#include <string.h>

#include "pxf-kickstart.h"

/* The variables the shipped templates write into a command line (or, for
 * packages, one line each of %packages). */
static const gchar *const pxf_kickstart_line_vars[] = {
	"install_url", "install_source", "lang",       "keyboard",   "timezone", "firewall",
	"selinux",     "netmask",	 "gateway",    "nameserver", "disk",	 "autopart_type",
	"environment", "packages",	 "nfs.server", "nfs.dir",    NULL,
};
/* Of those, the ones that are one argument each. */
static const gchar *const pxf_kickstart_word_vars[] = {
	"install_url", "lang",	     "keyboard", "timezone",	  "netmask",
	"gateway",     "nameserver", "disk",	 "autopart_type", "environment",
	"nfs.server",  "nfs.dir",    NULL,
};
/* Lists of mappings whose every field is one argument of a command line. */
static const gchar *const pxf_kickstart_list_vars[] = {"partitions", "repos", NULL};

static gboolean
pxf_kickstart_has_space(const gchar *text)
{
	for (const gchar *p = text; *p != '\0'; p++) {
		if (g_ascii_isspace(*p) || *p == '"' || *p == '\'')
			return TRUE;
	}
	return FALSE;
}

/* Every string in @value, unwrapping variants, arrays and dictionaries. */
static void
pxf_kickstart_collect_strings(GVariant *value, GPtrArray *out)
{
	if (value == NULL)
		return;
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
		g_ptr_array_add(out, g_variant_dup_string(value, NULL));
		return;
	}
	if (!g_variant_is_container(value))
		return;
	for (gsize i = 0; i < g_variant_n_children(value); i++) {
		g_autoptr(GVariant) child = g_variant_get_child_value(value, i);
		/* a dictionary entry: its value only */
		if (g_variant_is_of_type(child, G_VARIANT_TYPE_DICT_ENTRY)) {
			g_autoptr(GVariant) entry = g_variant_get_child_value(child, 1);
			pxf_kickstart_collect_strings(entry, out);
		} else {
			pxf_kickstart_collect_strings(child, out);
		}
	}
}

static GPtrArray *
pxf_kickstart_var_strings(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(vars, name);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	pxf_kickstart_collect_strings(value, out);
	return out;
}

G_GNUC_PRINTF(2, 3)
static void
pxf_kickstart_problem(GPtrArray *problems, const gchar *format, ...)
{
	va_list args;

	va_start(args, format);
	g_ptr_array_add(problems, g_strdup_vprintf(format, args));
	va_end(args);
}

/* A string variable that is set, but to "". */
static gboolean
pxf_kickstart_is_empty(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(vars, name);

	return value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING) &&
	       g_variant_get_string(value, NULL)[0] == '\0';
}

void
pxf_kickstart_check_vars(PxfVars *vars, GPtrArray *problems)
{
	g_autoptr(GVariant) hash = pxf_vars_lookup(vars, "rootpw_hash");

	for (guint i = 0; pxf_kickstart_line_vars[i] != NULL; i++) {
		const gchar *name = pxf_kickstart_line_vars[i];
		g_autoptr(GPtrArray) strings = pxf_kickstart_var_strings(vars, name);
		gboolean word = g_strv_contains(pxf_kickstart_word_vars, name);

		for (guint j = 0; j < strings->len; j++) {
			const gchar *text = g_ptr_array_index(strings, j);
			if (pxf_osprofile_has_line_break(text)) {
				pxf_kickstart_problem(
					problems,
					"%s: has a line break, which would end its "
					"kickstart line and start a command of its own",
					name);
				break;
			}
			if (word && pxf_kickstart_has_space(text)) {
				pxf_kickstart_problem(problems,
						      "%s: '%s' has white space or a quote, which "
						      "would split its kickstart argument",
						      name, text);
				break;
			}
		}
	}
	for (guint i = 0; pxf_kickstart_list_vars[i] != NULL; i++) {
		const gchar *name = pxf_kickstart_list_vars[i];
		g_autoptr(GPtrArray) strings = pxf_kickstart_var_strings(vars, name);

		for (guint j = 0; j < strings->len; j++) {
			const gchar *text = g_ptr_array_index(strings, j);
			g_autofree gchar *escaped = NULL;

			if (!pxf_osprofile_has_line_break(text) && !pxf_kickstart_has_space(text))
				continue;
			escaped = g_strescape(text, NULL);
			pxf_kickstart_problem(problems,
					      "%s: '%s' has white space, a quote or a line break, "
					      "which would split its kickstart line",
					      name, escaped);
			break;
		}
	}
	if (pxf_kickstart_is_empty(vars, "install_url"))
		pxf_kickstart_problem(problems, "install_url: is empty: the kickstart would say "
						"`url --url=`, an install source anaconda refuses");
	/* the hash itself is never shown */
	if (hash != NULL) {
		g_autoptr(GPtrArray) strings = pxf_kickstart_var_strings(vars, "rootpw_hash");
		const gchar *text =
			strings->len == 1 ? (const gchar *)g_ptr_array_index(strings, 0) : NULL;

		if (text == NULL || !pxf_osprofile_is_crypt_token(text))
			pxf_kickstart_problem(
				problems,
				"rootpw_hash: is not one crypt(3) hash (it is empty, not a string, "
				"or has white space, a line break or a character outside "
				"./0-9A-Za-z$=,!*): `rootpw --iscrypted` takes exactly one; make "
				"it "
				"with `openssl passwd -6`, or leave rootpw_hash out to lock root");
	}
}

/* A tree the http, nfs or ftp plugin would serve: a local directory. */
static gboolean
pxf_kickstart_served(const gchar *tree, const gchar *const *plugins, const gchar *plugin)
{
	return tree != NULL && !pxf_osprofile_is_tree_url(tree) && g_strv_contains(plugins, plugin);
}

void
pxf_kickstart_check_source(PxfVars *vars, const gchar *const *plugins, GPtrArray *problems)
{
	g_autoptr(GVariant) url = pxf_vars_lookup(vars, "install_url");
	g_autofree gchar *source = pxf_osprofile_var_string(vars, "install_source");
	g_autofree gchar *tree = pxf_osprofile_var_string(vars, "distro.tree");
	g_autofree gchar *distro = pxf_osprofile_var_string(vars, "distro.name");

	/* set: pxf_kickstart_check_vars() says whether it is usable */
	if (url != NULL)
		return;
	if (tree != NULL && pxf_osprofile_is_tree_url(tree))
		return;
	if (pxf_kickstart_served(tree, plugins, "http"))
		return;
	if (g_strcmp0(source, "nfs") == 0 && pxf_kickstart_served(tree, plugins, "nfs"))
		return;
	if (g_strcmp0(source, "ftp") == 0 && pxf_kickstart_served(tree, plugins, "ftp"))
		return;
	pxf_kickstart_problem(
		problems,
		"install_url: not set, and distro %s has %s%s%s: the kickstart "
		"would say `url --url=`, an install source anaconda refuses; set "
		"install_url, give the distro a tree URL, or enable the http plugin",
		distro != NULL ? distro : "(none)", tree != NULL ? "the local tree " : "no tree",
		tree != NULL ? tree : "", tree != NULL ? " and no plugin serves it" : "");
}

void
pxf_kickstart_check_host(const PxfConfSection *config, PxfCheckHostArgs *args)
{
	(void)config;
	pxf_kickstart_check_vars(args->vars, args->problems);
	pxf_kickstart_check_source(args->vars, args->plugins, args->problems);
}
