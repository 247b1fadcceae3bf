/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-file"

#include "config.h"

#include "pxf-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const gchar *
pxf_file_type_to_string(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a file";
}

gint
pxf_file_open_regular(const gchar *path, struct stat *st, GError **error)
{
	struct stat st_local;
	gint fd;

	g_return_val_if_fail(path != NULL, -1);
	g_return_val_if_fail(error == NULL || *error == NULL, -1);

	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer;
	 * O_NOCTTY: a terminal must not become ours */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		gint saved = errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s", path,
			    g_strerror(saved));
		return -1;
	}
	if (fstat(fd, &st_local) != 0) {
		gint saved = errno;
		close(fd);
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s", path,
			    g_strerror(saved));
		return -1;
	}
	if (!S_ISREG(st_local.st_mode)) {
		close(fd);
		g_set_error(error, G_FILE_ERROR,
			    S_ISDIR(st_local.st_mode) ? G_FILE_ERROR_ISDIR : G_FILE_ERROR_INVAL,
			    "%s: not a regular file (%s)", path,
			    pxf_file_type_to_string(st_local.st_mode));
		return -1;
	}
	if (st != NULL)
		*st = st_local;
	return fd;
}

static gboolean
pxf_file_too_large(const gchar *path, gsize max_size, GError **error)
{
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
		    "%s: file is too large (more than %" G_GSIZE_FORMAT " bytes)", path, max_size);
	return FALSE;
}

gboolean
pxf_file_get_contents(
	const gchar *path, gsize max_size, gchar **contents, gsize *length, GError **error)
{
	g_autoptr(GByteArray) buf = NULL;
	struct stat st;
	gint fd;

	g_return_val_if_fail(contents != NULL, FALSE);

	fd = pxf_file_open_regular(path, &st, error);
	if (fd < 0)
		return FALSE;
	if ((guint64)st.st_size > max_size) {
		close(fd);
		return pxf_file_too_large(path, max_size, error);
	}
	buf = g_byte_array_sized_new((guint)st.st_size + 1);
	/* read to the end rather than st_size bytes: a file may be appended to
	 * while it is read, and stays bounded by max_size + 1 */
	for (;;) {
		guint8 chunk[8192];
		gsize want = MIN(sizeof(chunk), max_size + 1 - buf->len);
		gssize n = read(fd, chunk, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gint saved = errno;
			close(fd);
			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s",
				    path, g_strerror(saved));
			return FALSE;
		}
		if (n == 0)
			break;
		g_byte_array_append(buf, chunk, (guint)n);
		if (buf->len > max_size) {
			close(fd);
			return pxf_file_too_large(path, max_size, error);
		}
	}
	close(fd);
	if (length != NULL)
		*length = buf->len;
	g_byte_array_append(buf, (const guint8 *)"", 1);
	*contents = (gchar *)g_byte_array_free(g_steal_pointer(&buf), FALSE);
	return TRUE;
}

const gchar *
pxf_file_error_reason(const GError *error, const gchar *path)
{
	gsize len = strlen(path);

	g_return_val_if_fail(error != NULL, NULL);
	if (strncmp(error->message, path, len) == 0 && strncmp(error->message + len, ": ", 2) == 0)
		return error->message + len + 2;
	return error->message;
}
