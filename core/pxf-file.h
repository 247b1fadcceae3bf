/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/stat.h>
#include <glib.h>

G_BEGIN_DECLS

/* Reading what a site configures (snippets, templates, partials, host
 * import files, install media): a FIFO there must not block the daemon, and
 * a link to /dev/zero must not fill its memory. So such files are opened
 * non-blocking and must be regular files; the ones read whole have a size
 * limit. Errors are G_FILE_ERROR, as g_file_get_contents()'s (ISDIR for a
 * directory, INVAL for another non-regular file, FAILED when too large), and
 * their message begins with "PATH: ". */

/* A read-only descriptor (O_CLOEXEC) of the regular file at path, or -1;
 * st (nullable) receives its fstat. */
gint pxf_file_open_regular(const gchar *path, struct stat *st, GError **error);

/* The whole file at path, NUL terminated, refused when it is not a regular
 * file or holds more than max_size bytes (also when it grows while read). */
gboolean pxf_file_get_contents(
	const gchar *path, gsize max_size, gchar **contents, gsize *length, GError **error);

/* The message of an error from these functions without its "PATH: " prefix,
 * for reports that name the file already (path:line: error: ...). */
const gchar *pxf_file_error_reason(const GError *error, const gchar *path);

G_END_DECLS
