/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Serving files from directories without ever leaving them. Two checks
 * guard every open: the realpath of the file must lie inside the realpath of
 * the tree, and the open itself goes through openat2(RESOLVE_BENEATH) from
 * the tree's directory, which the kernel refuses for absolute symlinks and
 * for anything that escapes, even if the tree changes between the two. */
#define G_LOG_DOMAIN "pxf-http"
#define _GNU_SOURCE  /* O_PATH */

#include "pxf-http-tree.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

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
	gsize dlen = strlen(dir);

	if (dlen > 0 && dir[dlen - 1] == '/') /* only "/" itself ends in '/' */
		return path[0] == '/';
	return strncmp(path, dir, dlen) == 0 && (path[dlen] == '\0' || path[dlen] == '/');
}

static gboolean
pxf_http_tree_errno(gint saved, const gchar *what, GError **error)
{
	switch (saved) {
	case ENOENT:
	case ENOTDIR:
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_NOT_FOUND, "%s: %s", what,
			    g_strerror(saved));
		break;
	case EXDEV:
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
			    "%s: leaves the tree (an absolute symlink or '..')", what);
		break;
	case EACCES:
	case EPERM:
	case ELOOP:
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN, "%s: %s", what,
			    g_strerror(saved));
		break;
	default:
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FAILED, "%s: %s", what,
			    g_strerror(saved));
		break;
	}
	return FALSE;
}

/* openat2() beneath dirfd; -1 with errno set. Falls back to an O_NOFOLLOW
 * open of the realpath (already checked to lie inside) on kernels without
 * openat2 (before 5.6). */
static gint
pxf_http_tree_openat(gint dirfd, const gchar *rel, const gchar *fallback)
{
	static gboolean no_openat2 = FALSE;
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	if (!no_openat2) {
		for (guint attempt = 0; attempt < 8; attempt++) {
			glong fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
			if (fd >= 0)
				return (gint)fd;
			/* EAGAIN: a concurrent rename raced the '..' check; retry */
			if (errno != EAGAIN && errno != EINTR)
				break;
		}
		if (errno != ENOSYS)
			return -1;
		no_openat2 = TRUE;
	}
	return open(fallback, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
}

gint
pxf_http_tree_open(
	const gchar *dir, const gchar *rel, struct stat *st, gboolean *is_index, GError **error)
{
	g_autofree gchar *dir_real = NULL;
	g_autofree gchar *joined = NULL;
	g_autofree gchar *real = NULL;
	g_autofree gchar *index_rel = NULL;
	g_autofree gchar *index_joined = NULL;
	g_autofree gchar *index_real = NULL;
	gint dirfd;
	gint fd;
	gint saved;

	g_return_val_if_fail(dir != NULL && rel != NULL, -1);

	if (is_index != NULL)
		*is_index = FALSE;

	if (!pxf_http_path_is_normal(rel)) {
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
			    "'%s' is not a normalised path", rel);
		return -1;
	}
	dir_real = realpath(dir, NULL);
	if (dir_real == NULL) {
		g_autofree gchar *what = g_strdup_printf("tree %s", dir);
		pxf_http_tree_errno(errno, what, error);
		return -1;
	}
	joined = rel[0] != '\0' ? g_build_filename(dir_real, rel, NULL) : g_strdup(dir_real);
	real = realpath(joined, NULL);
	if (real == NULL) {
		pxf_http_tree_errno(errno, rel[0] != '\0' ? rel : "/", error);
		return -1;
	}
	if (!pxf_http_path_within(real, dir_real)) {
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
			    "%s: resolves to %s, outside the tree %s", rel, real, dir_real);
		return -1;
	}

	dirfd = open(dir_real, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		pxf_http_tree_errno(errno, dir_real, error);
		return -1;
	}
	fd = pxf_http_tree_openat(dirfd, rel[0] != '\0' ? rel : ".", real);
	saved = errno;
	if (fd < 0 || fstat(fd, st) != 0) {
		saved = fd < 0 ? saved : errno;
		if (fd >= 0)
			close(fd);
		close(dirfd);
		pxf_http_tree_errno(saved, rel[0] != '\0' ? rel : "/", error);
		return -1;
	}
	if (S_ISDIR(st->st_mode)) {
		close(fd);
		/* the index is looked up from the tree, so it may link elsewhere
		 * inside the tree but never out of it */
		index_rel = rel[0] != '\0' ? g_strconcat(rel, "/index.html", NULL)
					   : g_strdup("index.html");
		index_joined = g_build_filename(dir_real, index_rel, NULL);
		index_real = realpath(index_joined, NULL);
		if (index_real == NULL) {
			saved = errno;
			close(dirfd);
			if (saved == ENOENT) {
				g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
					    "%s: a directory without index.html",
					    rel[0] != '\0' ? rel : "/");
				return -1;
			}
			pxf_http_tree_errno(saved, index_rel, error);
			return -1;
		}
		if (!pxf_http_path_within(index_real, dir_real)) {
			close(dirfd);
			g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
				    "%s: resolves to %s, outside the tree %s", index_rel,
				    index_real, dir_real);
			return -1;
		}
		fd = pxf_http_tree_openat(dirfd, index_rel, index_real);
		saved = errno;
		if (fd < 0 || fstat(fd, st) != 0) {
			saved = fd < 0 ? saved : errno;
			if (fd >= 0)
				close(fd);
			close(dirfd);
			pxf_http_tree_errno(saved, index_rel, error);
			return -1;
		}
		if (is_index != NULL)
			*is_index = TRUE;
	}
	close(dirfd);
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
			    "%s: not a regular file", rel[0] != '\0' ? rel : "/");
		return -1;
	}
	return fd;
}
