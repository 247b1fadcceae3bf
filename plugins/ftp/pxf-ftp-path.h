/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Virtual paths: what a client names, resolved against its working
 * directory inside the server's own root, never the host's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest virtual path accepted, in bytes. */
#define PXF_FTP_PATH_MAX 4096

/* Resolves arg (absolute, or relative to cwd, itself a result of this
 * function) into an absolute virtual path: "/" or "/a/b", without empty,
 * "." or ".." segments and without a trailing slash. ".." is resolved
 * textually; one that climbs above "/" is PXF_FTP_ERROR_DENIED. A '\',
 * a control character, invalid UTF-8 or a result longer than
 * PXF_FTP_PATH_MAX is PXF_FTP_ERROR_ARGUMENT. A NULL or empty arg is cwd. */
gchar *pxf_ftp_path_resolve(const gchar *cwd, const gchar *arg, GError **error);

/* Whether vpath is what pxf_ftp_path_resolve() can return. */
gboolean pxf_ftp_path_is_normal(const gchar *vpath);

/* Whether name can be one segment of a virtual path (a directory entry
 * shown to clients, a distro name): not empty, ".", "..", and free of '/',
 * '\', control characters and invalid UTF-8. */
gboolean pxf_ftp_path_segment_is_valid(const gchar *name);

/* vpath quoted for a 257 reply (RFC 959 appendix II): every '"' doubled. */
gchar *pxf_ftp_path_quote(const gchar *vpath);

/* The parent of a normalised vpath ("/" for "/" itself). */
gchar *pxf_ftp_path_parent(const gchar *vpath);

G_END_DECLS
