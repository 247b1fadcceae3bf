/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-tftp"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxf-confined.h"
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

/* The open itself and a refused name's TFTP code: ACCESS for a refusal, a
 * permission error or a loop, NOT_FOUND otherwise (what the client is told). */
static PxfTftpError
pxf_tftp_path_errno_to_code(gint errsv)
{
	if (pxf_confined_error_from_errno(errsv) == PXF_CONFINED_ERROR_DENIED)
		return PXF_TFTP_ERROR_ACCESS;
	return PXF_TFTP_ERROR_NOT_FOUND;
}

/* Only regular files are served: a directory or FIFO is refused. */
static gint
pxf_tftp_path_check_regular(gint fd, const gchar *shown, guint64 *size, GError **error)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS, "%s: not a regular file",
			    shown);
		close(fd);
		return -1;
	}
	*size = (guint64)st.st_size;
	return fd;
}

gint
pxf_tftp_path_open_file(const gchar *path, guint64 *size, GError **error)
{
	/* O_NONBLOCK: opening a FIFO must not stall the main loop */
	gint fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		gint errsv = errno;
		g_set_error(error, PXF_TFTP_ERROR, pxf_tftp_path_errno_to_code(errsv), "%s: %s",
			    path, g_strerror(errsv));
		return -1;
	}
	return pxf_tftp_path_check_regular(fd, path, size, error);
}

gint
pxf_tftp_path_open_under(const gchar *root, const gchar *path, guint64 *size, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gint fd;

	/* openat2(RESOLVE_BENEATH) from the root, as http and ftp: the kernel
	 * refuses every component that leaves it, intermediate ones included,
	 * however the tree changes while the name is resolved */
	fd = pxf_confined_open(root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, &error_local);
	if (fd < 0) {
		pxf_confined_error_to(error_local, PXF_TFTP_ERROR, PXF_TFTP_ERROR_NOT_FOUND,
				      PXF_TFTP_ERROR_NOT_FOUND, PXF_TFTP_ERROR_ACCESS, error);
		g_prefix_error(error, "root %s: ", root);
		return -1;
	}
	return pxf_tftp_path_check_regular(fd, path, size, error);
}
