/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Serving files from directories without ever leaving them: every open goes
 * through plugins/common's pxf_confined_open() (a realpath check, then
 * openat2(RESOLVE_BENEATH) from the tree's directory). */
#define G_LOG_DOMAIN "pxf-http"

#include "pxf-http-tree.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "pxf-confined.h"
#include "pxf-http-path.h"

typedef struct {
	gchar *prefix;
	gchar *dir;
} PxfHttpTree;

struct _PxfHttpTrees {
	GPtrArray *trees; /* PxfHttpTree, longest prefix first */
};

static void
pxf_http_tree_free(PxfHttpTree *tree)
{
	g_free(tree->prefix);
	g_free(tree->dir);
	g_free(tree);
}

PxfHttpTrees *
pxf_http_trees_new(void)
{
	PxfHttpTrees *self = g_new0(PxfHttpTrees, 1);
	self->trees = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_http_tree_free);
	return self;
}

void
pxf_http_trees_free(PxfHttpTrees *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref(self->trees);
	g_free(self);
}

static gint
pxf_http_tree_cmp(gconstpointer a, gconstpointer b)
{
	const PxfHttpTree *ta = *(PxfHttpTree *const *)a;
	const PxfHttpTree *tb = *(PxfHttpTree *const *)b;
	gsize la = strlen(ta->prefix), lb = strlen(tb->prefix);
	return la == lb ? strcmp(ta->prefix, tb->prefix) : (la > lb ? -1 : 1);
}

gboolean
pxf_http_trees_add(PxfHttpTrees *self, const gchar *prefix, const gchar *dir, GError **error)
{
	g_autofree gchar *norm = NULL;
	PxfHttpTree *tree;

	if (prefix == NULL || dir == NULL) {
		g_set_error_literal(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
				    "a tree needs a path and a dir");
		return FALSE;
	}
	norm = pxf_http_path_normalise(prefix, strlen(prefix), error);
	if (norm == NULL)
		return FALSE;
	if (norm[0] == '\0') {
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
			    "tree path '%s' names the root; use 'root' for that", prefix);
		return FALSE;
	}
	if (!g_path_is_absolute(dir)) {
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
			    "tree dir '%s' is not an absolute path", dir);
		return FALSE;
	}
	for (guint i = 0; i < self->trees->len; i++) {
		PxfHttpTree *other = g_ptr_array_index(self->trees, i);
		if (g_strcmp0(other->prefix, norm) == 0) {
			g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
				    "tree path '%s' is given twice", norm);
			return FALSE;
		}
	}
	tree = g_new0(PxfHttpTree, 1);
	tree->prefix = g_steal_pointer(&norm);
	tree->dir = g_strdup(dir);
	g_ptr_array_add(self->trees, tree);
	g_ptr_array_sort(self->trees, pxf_http_tree_cmp);
	return TRUE;
}

const gchar *
pxf_http_trees_match(PxfHttpTrees *self, const gchar *path, const gchar **rel)
{
	for (guint i = 0; i < self->trees->len; i++) {
		PxfHttpTree *tree = g_ptr_array_index(self->trees, i);
		gsize plen = strlen(tree->prefix);
		if (strncmp(path, tree->prefix, plen) != 0)
			continue;
		if (path[plen] == '\0') {
			*rel = path + plen;
			return tree->dir;
		}
		if (path[plen] == '/') {
			*rel = path + plen + 1;
			return tree->dir;
		}
	}
	return NULL;
}

guint
pxf_http_trees_get_size(PxfHttpTrees *self)
{
	return self->trees->len;
}

gboolean
pxf_http_path_within(const gchar *path, const gchar *dir)
{
	return pxf_confined_path_within(path, dir);
}

/* The confined open's error in this plugin's domain. */
static void
pxf_http_tree_error(const GError *local, GError **error)
{
	pxf_confined_error_to(local, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FAILED,
			      PXF_HTTP_ERROR_NOT_FOUND, PXF_HTTP_ERROR_FORBIDDEN, error);
}

/* Opens rel from the tree, as a file (or directory) to read. */
static gint
pxf_http_tree_open_rel(const gchar *dir, const gchar *rel, struct stat *st, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gint fd = pxf_confined_open(dir, rel, O_RDONLY | O_NOCTTY | O_NONBLOCK, &error_local);

	if (fd < 0) {
		pxf_http_tree_error(error_local, error);
		return -1;
	}
	if (fstat(fd, st) != 0) {
		gint saved = errno;
		close(fd);
		pxf_confined_set_error(&error_local, saved, rel[0] != '\0' ? rel : "/");
		pxf_http_tree_error(error_local, error);
		return -1;
	}
	return fd;
}

gint
pxf_http_tree_open(
	const gchar *dir, const gchar *rel, struct stat *st, gboolean *is_index, GError **error)
{
	g_autofree gchar *index_rel = NULL;
	gint fd;

	g_return_val_if_fail(dir != NULL && rel != NULL, -1);

	if (is_index != NULL)
		*is_index = FALSE;

	if (!pxf_http_path_is_normal(rel)) {
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
			    "'%s' is not a normalised path", rel);
		return -1;
	}
	fd = pxf_http_tree_open_rel(dir, rel, st, error);
	if (fd < 0)
		return -1;
	if (S_ISDIR(st->st_mode)) {
		g_autoptr(GError) error_local = NULL;
		close(fd);
		/* the index is looked up from the tree, so it may link elsewhere
		 * inside the tree but never out of it */
		index_rel = rel[0] != '\0' ? g_strconcat(rel, "/index.html", NULL)
					   : g_strdup("index.html");
		fd = pxf_http_tree_open_rel(dir, index_rel, st, &error_local);
		if (fd < 0) {
			if (g_error_matches(error_local, PXF_HTTP_ERROR,
					    PXF_HTTP_ERROR_NOT_FOUND)) {
				g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
					    "%s: a directory without index.html",
					    rel[0] != '\0' ? rel : "/");
				return -1;
			}
			g_propagate_error(error, g_steal_pointer(&error_local));
			return -1;
		}
		if (is_index != NULL)
			*is_index = TRUE;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
			    "%s: not a regular file", rel[0] != '\0' ? rel : "/");
		return -1;
	}
	return fd;
}
