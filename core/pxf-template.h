/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxeforge/pxf-host.h>

G_BEGIN_DECLS

#define PXF_TEMPLATE_ERROR pxf_template_error_quark()
GQuark pxf_template_error_quark(void);

typedef enum {
	PXF_TEMPLATE_ERROR_FAILED,
	PXF_TEMPLATE_ERROR_SYNTAX,  /* unclosed tag/section, bad delimiters, ... */
	PXF_TEMPLATE_ERROR_PARTIAL, /* a partial that cannot be found or loops */
} PxfTemplateError;

/* A parsed Mustache template (spec v1.3 minus lambdas; no HTML escaping:
 * {{x}}, {{{x}}} and {{&x}} all print the raw value since pxeforge renders
 * configuration files, not HTML). */
typedef struct _PxfTemplate PxfTemplate;

/* name is used in error messages ("ks.tmpl:12: unclosed section 'pkgs'").
 * len may be (gsize)-1 for a NUL-terminated text. */
PxfTemplate *pxf_template_new(const gchar *name, const gchar *text, gsize len, GError **error);
PxfTemplate *pxf_template_new_from_file(const gchar *path, GError **error);
void pxf_template_free(PxfTemplate *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfTemplate, pxf_template_free)

const gchar *pxf_template_get_name(PxfTemplate *self);

/* Limits for hostile templates and data, applied to a whole render
 * (partials included): the output size (default 64 MiB) and the number of
 * nodes and loop iterations visited (default 16 Mi). 0 restores the default.
 * Exceeding either fails the render with PXF_TEMPLATE_ERROR_FAILED. */
void pxf_template_set_max_output(PxfTemplate *self, gsize max_output);
void pxf_template_set_max_steps(PxfTemplate *self, guint64 max_steps);

/* Finds partial "name" ({{> name}}); returns a new template or NULL with error.
 * NULL without an error means "no such partial" and renders as empty text, as
 * the Mustache spec says; pxf_template_partial_from_dirs() always sets one. */
typedef PxfTemplate *(*PxfTemplatePartialFunc)(const gchar *name,
					       gpointer user_data,
					       GError **error);

/* Partials are looked up in these directories as NAME, NAME.mustache and
 * NAME.tmpl; a partial name with "/" or ".." is refused. */
PxfTemplate *pxf_template_partial_from_dirs(const gchar *name,
					    gpointer dirs /* const gchar *const * */,
					    GError **error);

/* Where the partials of a template file are looked up when it is rendered:
 * the template's own directory (template_path NULL: inline text, none), then
 * CONFIG_DIR/snippets (config_dir may be NULL). For
 * pxf_template_partial_from_dirs(). */
gchar **pxf_template_partial_dirs(const gchar *template_path, const gchar *config_dir);

/* What no render may find out too late: every partial the template names,
 * in sections too, is found and compiles, recursively. Errors name the
 * template and the line of the partial tag, then the partial's own error
 * with its file and line. */
gboolean pxf_template_check(PxfTemplate *self,
			    PxfTemplatePartialFunc partials,
			    gpointer partials_data,
			    GError **error);
/* Compiles the template file at path and checks it with the partials that
 * pxf_template_partial_dirs(path, config_dir) names. */
gboolean pxf_template_check_file(const gchar *path, const gchar *config_dir, GError **error);

/* Renders into out (appending; on error out is left as it was). Missing
 * variables render as empty (Mustache), sections iterate arrays, enter
 * dictionaries, test booleans/strings. Partials nest at
 * most 32 deep. Errors name the template and line. */
gboolean pxf_template_render(PxfTemplate *self,
			     PxfVars *vars,
			     PxfTemplatePartialFunc partials,
			     gpointer partials_data,
			     GString *out,
			     GError **error);

G_END_DECLS
