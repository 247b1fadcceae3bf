/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which file a requested name means, and opening it without leaving the
 * served tree. Errors are in PXF_TFTP_ERROR with the code sent to the client
 * (ACCESS for a refusal, NOT_FOUND for a missing file) and a message for the
 * log that names the path. */
#pragma once

#include "pxf-tftp-packet.h"

G_BEGIN_DECLS

/* The name a client sent, made relative and normalised: every '\' becomes '/'
 * (some PXE ROMs send DOS paths), one leading '/' is stripped, empty and "."
 * components are dropped. Refused with PXF_TFTP_ERROR_ACCESS: an empty name,
 * a ".." component, a name that is still absolute after the strip, control
 * characters and invalid UTF-8. */
gchar *pxf_tftp_path_sanitise(const gchar *requested, GError **error);

/* Opens path (sanitised) under root read-only. Symlinks inside the tree are
 * followed, but the resolved file (realpath) must lie inside the resolved
 * root; only regular files are served. Returns the fd, its size in *size. */
gint pxf_tftp_path_open_under(const gchar *root, const gchar *path, guint64 *size, GError **error);

/* Opens a file a file.open callback named (trusted, any location): regular
 * files only. */
gint pxf_tftp_path_open_file(const gchar *path, guint64 *size, GError **error);

G_END_DECLS
