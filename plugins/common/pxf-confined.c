/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Confined opening of files inside a served directory (see the header). */
#define G_LOG_DOMAIN "pxf-confined"
#define _GNU_SOURCE  /* O_PATH */

#include "pxf-confined.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

G_DEFINE_QUARK(pxf_confined_error_quark, pxf_confined_error)

gboolean
pxf_confined_path_within(const gchar *path, const gchar *dir)
{
	gsize dlen = strlen(dir);

	if (dlen > 0 && dir[dlen - 1] == '/') /* only "/" itself ends in '/' */
		return path[0] == '/';
	return strncmp(path, dir, dlen) == 0 && (path[dlen] == '\0' || path[dlen] == '/');
}

PxfConfinedError
pxf_confined_error_from_errno(gint saved)
{
	switch (saved) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG: /* no file can have that name */
		return PXF_CONFINED_ERROR_NOT_FOUND;
	case EXDEV: /* openat2: RESOLVE_BENEATH refused the path */
	case EACCES:
	case EPERM:
	case ELOOP:
		return PXF_CONFINED_ERROR_DENIED;
	default:
		return PXF_CONFINED_ERROR_FAILED;
	}
}

gboolean
pxf_confined_set_error(GError **error, gint saved, const gchar *what)
{
	if (saved == EXDEV)
		g_set_error(error, PXF_CONFINED_ERROR, PXF_CONFINED_ERROR_DENIED,
			    "%s: leaves the tree (an absolute symlink or '..')", what);
	else
		g_set_error(error, PXF_CONFINED_ERROR, pxf_confined_error_from_errno(saved),
			    "%s: %s", what, g_strerror(saved));
	return FALSE;
}

gboolean
pxf_confined_error_to(const GError *local,
		      GQuark domain,
		      gint failed,
		      gint not_found,
		      gint denied,
		      GError **error)
{
	gint code = failed;

	if (local->domain == PXF_CONFINED_ERROR && local->code == PXF_CONFINED_ERROR_NOT_FOUND)
		code = not_found;
	else if (local->domain == PXF_CONFINED_ERROR && local->code == PXF_CONFINED_ERROR_DENIED)
		code = denied;
	g_set_error_literal(error, domain, code, local->message);
	return FALSE;
}

/* openat2() beneath dirfd, -1 with errno set; on kernels without openat2 an
 * O_NOFOLLOW open of the realpath, already checked to lie inside. */
static gint
pxf_confined_openat(gint dirfd, const gchar *rel, gint flags, const gchar *fallback)
{
	static gboolean no_openat2 = FALSE;
	struct open_how how = {
		.flags = (guint64)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	if (!g_atomic_int_get(&no_openat2)) {
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
		g_atomic_int_set(&no_openat2, TRUE);
	}
	return open(fallback, flags | O_CLOEXEC | O_NOFOLLOW);
}

/* Absolute, or with a ".." segment: never looked up. */
static gboolean
pxf_confined_rel_is_valid(const gchar *rel)
{
	g_auto(GStrv) parts = NULL;

	if (rel[0] == '/')
		return FALSE;
	parts = g_strsplit(rel, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (g_strcmp0(parts[i], "..") == 0)
			return FALSE;
	}
	return TRUE;
}

gint
pxf_confined_open(const gchar *dir, const gchar *rel, gint flags, GError **error)
{
	g_autofree gchar *dir_real = NULL;
	g_autofree gchar *joined = NULL;
	g_autofree gchar *real = NULL;
	gboolean self = rel != NULL && (rel[0] == '\0' || g_strcmp0(rel, ".") == 0);
	const gchar *shown = self ? "." : rel;
	gint dirfd;
	gint fd;
	gint saved;

	g_return_val_if_fail(dir != NULL && rel != NULL, -1);
	if (!pxf_confined_rel_is_valid(rel)) {
		g_set_error(error, PXF_CONFINED_ERROR, PXF_CONFINED_ERROR_DENIED,
			    "'%s' is not a path inside the tree", rel);
		return -1;
	}
	dir_real = realpath(dir, NULL);
	if (dir_real == NULL) {
		g_autofree gchar *what = g_strdup_printf("tree %s", dir);
		pxf_confined_set_error(error, errno, what);
		return -1;
	}
	if (!self) {
		joined = g_build_filename(dir_real, rel, NULL);
		real = realpath(joined, NULL);
		if (real == NULL) {
			pxf_confined_set_error(error, errno, shown);
			return -1;
		}
		if (!pxf_confined_path_within(real, dir_real)) {
			g_set_error(error, PXF_CONFINED_ERROR, PXF_CONFINED_ERROR_DENIED,
				    "%s: resolves to %s, outside the tree %s", rel, real, dir_real);
			return -1;
		}
	}
	dirfd = open(dir_real, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		pxf_confined_set_error(error, errno, dir_real);
		return -1;
	}
	fd = pxf_confined_openat(dirfd, self ? "." : rel, flags, self ? dir_real : real);
	saved = errno;
	close(dirfd);
	if (fd < 0)
		pxf_confined_set_error(error, saved, shown);
	return fd;
}
