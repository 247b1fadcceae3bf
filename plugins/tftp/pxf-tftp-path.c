/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-tftp"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxf-tftp-path.h"

gchar *
pxf_tftp_path_sanitise(const gchar *requested, GError **error)
{
	g_autofree gchar *shown = pxf_tftp_escape(requested);
	g_autofree gchar *copy = NULL;
	g_auto(GStrv) parts = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	const gchar *rel;

	if (requested == NULL || requested[0] == '\0') {
		g_set_error_literal(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS,
				    "empty file name");
		return NULL;
	}
	if (!g_utf8_validate(requested, -1, NULL)) {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS,
			    "'%s': file name is not valid UTF-8", shown);
		return NULL;
	}
	for (const gchar *p = requested; *p != '\0'; p++) {
		if ((guchar)*p < 0x20 || *p == 0x7f) {
			g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS,
				    "'%s': file name contains control characters", shown);
			return NULL;
		}
	}

	copy = g_strdup(requested);
	g_strdelimit(copy, "\\", '/');
	rel = copy[0] == '/' ? copy + 1 : copy;
	if (rel[0] == '/') {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS, "'%s': absolute path",
			    shown);
		return NULL;
	}
	parts = g_strsplit(rel, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0' || g_strcmp0(parts[i], ".") == 0)
			continue;
		if (g_strcmp0(parts[i], "..") == 0) {
			g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS,
				    "'%s': '..' in path", shown);
			return NULL;
		}
		if (out->len > 0)
			g_string_append_c(out, '/');
		g_string_append(out, parts[i]);
	}
	if (out->len == 0) {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS, "'%s': names no file",
			    shown);
		return NULL;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

/* realpath() errors: what the client is told. */
static PxfTftpError
pxf_tftp_path_errno_to_code(gint errsv)
{
	if (errsv == EACCES || errsv == EPERM || errsv == ELOOP)
		return PXF_TFTP_ERROR_ACCESS;
	return PXF_TFTP_ERROR_NOT_FOUND;
}

static gint
pxf_tftp_path_open_regular(const gchar *path, gint flags, guint64 *size, GError **error)
{
	struct stat st;
	gint fd;

	/* O_NONBLOCK: opening a FIFO must not stall the main loop */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags);
	if (fd < 0) {
		gint errsv = errno;
		g_set_error(error, PXF_TFTP_ERROR, pxf_tftp_path_errno_to_code(errsv), "%s: %s",
			    path, g_strerror(errsv));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS, "%s: not a regular file",
			    path);
		close(fd);
		return -1;
	}
	*size = (guint64)st.st_size;
	return fd;
}

gint
pxf_tftp_path_open_file(const gchar *path, guint64 *size, GError **error)
{
	return pxf_tftp_path_open_regular(path, 0, size, error);
}

gint
pxf_tftp_path_open_under(const gchar *root, const gchar *path, guint64 *size, GError **error)
{
	g_autofree gchar *root_real = NULL;
	g_autofree gchar *full = NULL;
	g_autofree gchar *resolved = NULL;
	gsize root_len;

	root_real = realpath(root, NULL);
	if (root_real == NULL) {
		gint errsv = errno;
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_NOT_FOUND, "root %s: %s", root,
			    g_strerror(errsv));
		return -1;
	}
	full = g_build_filename(root_real, path, NULL);
	resolved = realpath(full, NULL);
	if (resolved == NULL) {
		gint errsv = errno;
		g_set_error(error, PXF_TFTP_ERROR, pxf_tftp_path_errno_to_code(errsv), "%s: %s",
			    full, g_strerror(errsv));
		return -1;
	}

	/* the check that matters: a symlink in the tree may point anywhere */
	root_len = strlen(root_real);
	if (!(root_len == 1 && root_real[0] == '/') &&
	    !(strncmp(resolved, root_real, root_len) == 0 &&
	      (resolved[root_len] == '/' || resolved[root_len] == '\0'))) {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS,
			    "%s resolves to %s, outside the root %s", full, resolved, root_real);
		return -1;
	}
	/* O_NOFOLLOW: the resolved name has no symlink left; one swapped in since
	 * is refused rather than followed */
	return pxf_tftp_path_open_regular(resolved, O_NOFOLLOW, size, error);
}
