/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-template"

/* Finding partials, and checking ahead of any render that a template and
 * every partial it names compile: `pxeforge check`, daemon start and reload
 * refuse what would otherwise fail only when a machine asks for it. */

#include <string.h>

#include "pxf-template-private.h"

static gboolean
pxf_template_partial_name_valid(const gchar *name)
{
	return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL &&
	       strstr(name, "..") == NULL;
}

PxfTemplate *
pxf_template_partial_from_dirs(const gchar *name, gpointer dirs, GError **error)
{
	const gchar *const *dirv = dirs;
	const gchar *suffixes[] = {"", ".mustache", ".tmpl"};
	g_autofree gchar *shown = NULL;
	g_autofree gchar *searched = NULL;

	g_return_val_if_fail(name != NULL, NULL);

	shown = pxf_template_display(name, -1);
	if (!pxf_template_partial_name_valid(name)) {
		g_set_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_PARTIAL,
			    "invalid partial name '%s'", shown);
		return NULL;
	}
	for (guint i = 0; dirv != NULL && dirv[i] != NULL; i++) {
		for (guint j = 0; j < G_N_ELEMENTS(suffixes); j++) {
			g_autofree gchar *base = g_strconcat(name, suffixes[j], NULL);
			g_autofree gchar *path = g_build_filename(dirv[i], base, NULL);
			if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
				continue;
			return pxf_template_new_from_file(path, error);
		}
	}
	searched = dirv != NULL ? g_strjoinv(", ", (gchar **)dirv) : g_strdup("");
	g_set_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_PARTIAL,
		    "partial '%s' not found in %s", shown,
		    searched[0] != '\0' ? searched : "(no directories)");
	return NULL;
}

gchar **
pxf_template_partial_dirs(const gchar *template_path, const gchar *config_dir)
{
	GPtrArray *dirs = g_ptr_array_new();

	/* next to the template, then the site's shared snippets */
	if (template_path != NULL)
		g_ptr_array_add(dirs, g_path_get_dirname(template_path));
	if (config_dir != NULL)
		g_ptr_array_add(dirs, g_build_filename(config_dir, "snippets", NULL));
	g_ptr_array_add(dirs, NULL);
	return (gchar **)g_ptr_array_free(dirs, FALSE);
}

typedef struct {
	PxfTemplatePartialFunc partials;
	gpointer partials_data;
	GHashTable *seen; /* partial names already checked (or being checked) */
	guint depth;
} PxfCheck;

static gboolean pxf_check_nodes(PxfCheck *c, PxfTemplate *tpl, GPtrArray *nodes, GError **error);

static gboolean
pxf_check_error(PxfTemplate *tpl, PxfNode *node, GError **error, const gchar *fmt, ...)
	G_GNUC_PRINTF(4, 5);

/* "TEMPLATE:LINE: ...", as the renderer words it */
static gboolean
pxf_check_error(PxfTemplate *tpl, PxfNode *node, GError **error, const gchar *fmt, ...)
{
	va_list args;
	g_autofree gchar *msg = NULL;
	g_autofree gchar *name = pxf_template_display_name(tpl);

	va_start(args, fmt);
	msg = g_strdup_vprintf(fmt, args);
	va_end(args);
	g_set_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_PARTIAL, "%s:%u: %s", name,
		    node->line, msg);
	return FALSE;
}

static gboolean
pxf_check_partial(PxfCheck *c, PxfTemplate *tpl, PxfNode *node, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(PxfTemplate) partial = NULL;
	g_autofree gchar *shown = NULL;
	gboolean ok;

	/* a partial may include itself (recursion ended by a section): each
	 * name is looked at once, as the renderer caches it by name */
	if (g_hash_table_contains(c->seen, node->name))
		return TRUE;
	g_hash_table_add(c->seen, g_strdup(node->name));
	shown = pxf_template_display(node->name, -1);
	if (c->depth >= PXF_TEMPLATE_MAX_PARTIAL_DEPTH)
		return pxf_check_error(tpl, node, error,
				       "partial '%s': partials nested more than %u deep", shown,
				       (guint)PXF_TEMPLATE_MAX_PARTIAL_DEPTH);
	if (c->partials == NULL)
		return pxf_check_error(tpl, node, error, "partial '%s': no partial loader", shown);
	partial = c->partials(node->name, c->partials_data, &error_local);
	if (partial == NULL && error_local != NULL)
		return pxf_check_error(tpl, node, error, "partial '%s': %s", shown,
				       error_local->message);
	if (partial == NULL)
		return TRUE; /* the spec's "not found renders empty" */
	c->depth++;
	ok = pxf_check_nodes(c, partial, partial->nodes, &error_local);
	c->depth--;
	/* the whole chain: where the template names the partial that fails */
	if (!ok)
		return pxf_check_error(tpl, node, error, "partial '%s': %s", shown,
				       error_local->message);
	return TRUE;
}

static gboolean
pxf_check_nodes(PxfCheck *c, PxfTemplate *tpl, GPtrArray *nodes, GError **error)
{
	for (guint i = 0; i < nodes->len; i++) {
		PxfNode *node = g_ptr_array_index(nodes, i);
		if (node->kind == PXF_NODE_PARTIAL && !pxf_check_partial(c, tpl, node, error))
			return FALSE;
		/* partials in sections too: a render with other data enters them */
		if (node->children != NULL && !pxf_check_nodes(c, tpl, node->children, error))
			return FALSE;
	}
	return TRUE;
}

gboolean
pxf_template_check(PxfTemplate *self,
		   PxfTemplatePartialFunc partials,
		   gpointer partials_data,
		   GError **error)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	PxfCheck c = {.partials = partials, .partials_data = partials_data, .seen = seen};

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	return pxf_check_nodes(&c, self, self->nodes, error);
}

gboolean
pxf_template_check_file(const gchar *path, const gchar *config_dir, GError **error)
{
	g_autoptr(PxfTemplate) tpl = NULL;
	g_auto(GStrv) dirs = NULL;

	g_return_val_if_fail(path != NULL, FALSE);

	tpl = pxf_template_new_from_file(path, error);
	if (tpl == NULL)
		return FALSE;
	dirs = pxf_template_partial_dirs(path, config_dir);
	return pxf_template_check(tpl, pxf_template_partial_from_dirs, dirs, error);
}
