/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One finding about the configuration or inventory, with where it is.
 * Everything that validates input appends these to a GPtrArray so that
 * `pxeforge check` can print all of them at once. */
typedef struct {
	gboolean warning; /* FALSE: an error that refuses the configuration */
	gchar *file;	  /* may be NULL for findings not tied to a file */
	guint line;	  /* 1-based, 0 when unknown */
	guint column;	  /* 1-based, 0 when unknown */
	gchar *path;	  /* key path "plugins.dhcp.interfaces[0]", may be NULL */
	gchar *message;
} PxfDiag;

/* A GPtrArray of PxfDiag, freed with g_ptr_array_unref(). */
GPtrArray *pxf_diags_new(void);
void pxf_diag_free(PxfDiag *diag);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDiag, pxf_diag_free)

void pxf_diags_add(GPtrArray *diags,
		   gboolean warning,
		   const gchar *file,
		   guint line,
		   guint column,
		   const gchar *path,
		   const gchar *format,
		   ...) G_GNUC_PRINTF(7, 8);
guint pxf_diags_count_errors(GPtrArray *diags);
/* "file:line:column: error: path: message" */
gchar *pxf_diag_to_string(const PxfDiag *diag);
/* Sort by file, line, column (stable), so output follows the files. */
void pxf_diags_sort(GPtrArray *diags);

G_END_DECLS
