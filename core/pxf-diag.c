/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-diag"

#include "pxf-diag.h"

#include <string.h>

void
pxf_diag_free(PxfDiag *diag)
{
	if (diag == NULL)
		return;
	g_free(diag->file);
	g_free(diag->path);
	g_free(diag->message);
	g_free(diag);
}

GPtrArray *
pxf_diags_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)pxf_diag_free);
}

void
pxf_diags_add(GPtrArray *diags,
	      gboolean warning,
	      const gchar *file,
	      guint line,
	      guint column,
	      const gchar *path,
	      const gchar *format,
	      ...)
{
	PxfDiag *diag;
	va_list args;

	if (diags == NULL)
		return;
	diag = g_new0(PxfDiag, 1);
	diag->warning = warning;
	diag->file = g_strdup(file);
	diag->line = line;
	diag->column = column;
	diag->path = g_strdup(path);
	va_start(args, format);
	diag->message = g_strdup_vprintf(format, args);
	va_end(args);
	g_ptr_array_add(diags, diag);
}

guint
pxf_diags_count_errors(GPtrArray *diags)
{
	guint n = 0;
	for (guint i = 0; diags != NULL && i < diags->len; i++) {
		const PxfDiag *diag = g_ptr_array_index(diags, i);
		if (!diag->warning)
			n++;
	}
	return n;
}

gchar *
pxf_diag_to_string(const PxfDiag *diag)
{
	GString *str = g_string_new(NULL);

	if (diag->file != NULL) {
		g_string_append(str, diag->file);
		if (diag->line > 0)
			g_string_append_printf(str, ":%u", diag->line);
		if (diag->column > 0)
			g_string_append_printf(str, ":%u", diag->column);
		g_string_append(str, ": ");
	}
	g_string_append(str, diag->warning ? "warning: " : "error: ");
	if (diag->path != NULL && diag->path[0] != '\0')
		g_string_append_printf(str, "%s: ", diag->path);
	g_string_append(str, diag->message);
	return g_string_free(str, FALSE);
}

static gint
pxf_diag_cmp(gconstpointer a, gconstpointer b)
{
	const PxfDiag *da = *(const PxfDiag *const *)a;
	const PxfDiag *db = *(const PxfDiag *const *)b;
	gint rc = g_strcmp0(da->file, db->file);
	if (rc != 0)
		return rc;
	if (da->line != db->line)
		return da->line < db->line ? -1 : 1;
	if (da->column != db->column)
		return da->column < db->column ? -1 : 1;
	return 0;
}

void
pxf_diags_sort(GPtrArray *diags)
{
	/* g_ptr_array_sort is a stable merge sort since GLib 2.32 */
	g_ptr_array_sort(diags, pxf_diag_cmp);
}
