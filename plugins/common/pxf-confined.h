/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening a path inside a served directory without ever leaving it: what
 * the http, ftp, tftp and mtftp plugins serve trees with. Two checks guard every open:
 * the realpath of the target must lie inside the realpath of the
 * directory, and the open itself goes through openat2(RESOLVE_BENEATH) from
 * the directory, which the kernel refuses for absolute symlinks and for
 * anything that escapes, even if the tree changes between the two. On
 * kernels without openat2 (before 5.6) the second check is an O_NOFOLLOW
 * open of the checked realpath. A static library; glib only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PXF_CONFINED_ERROR pxf_confined_error_quark()
GQuark pxf_confined_error_quark(void);

typedef enum {
	PXF_CONFINED_ERROR_FAILED,
	PXF_CONFINED_ERROR_NOT_FOUND, /* ENOENT, ENOTDIR, ENAMETOOLONG */
	PXF_CONFINED_ERROR_DENIED,    /* leaves the directory, EACCES, EPERM, ELOOP */
} PxfConfinedError;

/* Whether path is dir or below it; both absolute and free of symlinks. */
gboolean pxf_confined_path_within(const gchar *path, const gchar *dir);

/* The class of an errno met while opening inside a tree. */
PxfConfinedError pxf_confined_error_from_errno(gint saved);
/* Sets error to "WHAT: <reason>" in PXF_CONFINED_ERROR; returns FALSE. */
gboolean pxf_confined_set_error(GError **error, gint saved, const gchar *what);
/* Sets error to local's message in a plugin's own domain, with that
 * domain's code for each class; returns FALSE. */
gboolean pxf_confined_error_to(const GError *local,
			       GQuark domain,
			       gint failed,
			       gint not_found,
			       gint denied,
			       GError **error);

/* Opens rel beneath dir with flags (O_RDONLY, O_PATH, O_DIRECTORY,
 * O_NONBLOCK, ...; O_CLOEXEC is added) and returns the descriptor, or -1
 * with error set. rel is relative to dir: "" or "." for dir itself; an
 * absolute rel or one with a ".." segment is refused before anything is
 * looked up. Symlinks inside the tree are followed while they stay inside
 * (relative ones only: an absolute symlink is refused even when it points
 * into the tree). Error messages name rel, or dir when it is dir that
 * cannot be opened. */
gint pxf_confined_open(const gchar *dir, const gchar *rel, gint flags, GError **error);

G_END_DECLS
