/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* Static trees: URL prefixes mapped to directories. */
typedef struct _PxfHttpTrees PxfHttpTrees;

PxfHttpTrees *pxf_http_trees_new(void);
void pxf_http_trees_free(PxfHttpTrees *self);
/* prefix is normalised first ("/images/" and "images" are the same); an
 * empty prefix or a relative dir is an error. */
gboolean
pxf_http_trees_add(PxfHttpTrees *self, const gchar *prefix, const gchar *dir, GError **error);
/* The directory of the longest prefix that is path or a parent of it, with
 * *rel set to the rest of path (inside path); NULL when none matches. */
const gchar *pxf_http_trees_match(PxfHttpTrees *self, const gchar *path, const gchar **rel);
guint pxf_http_trees_get_size(PxfHttpTrees *self);

/* Opens rel (a normalised path) inside dir for reading and returns the file
 * descriptor of a regular file; a directory gives its index.html. Refused
 * (PXF_HTTP_ERROR_FORBIDDEN) when the path resolves outside dir, goes through
 * an absolute symlink, or names a directory without index.html or something
 * that is not a regular file; PXF_HTTP_ERROR_NOT_FOUND when it does not exist.
 * *is_index (may be NULL) tells whether a directory's index.html was opened. */
gint pxf_http_tree_open(
	const gchar *dir, const gchar *rel, struct stat *st, gboolean *is_index, GError **error);

/* Whether path is dir or inside it; both absolute and free of symlinks. */
gboolean pxf_http_path_within(const gchar *path, const gchar *dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfHttpTrees, pxf_http_trees_free)

G_END_DECLS
