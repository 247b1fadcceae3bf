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

/* Opens path (sanitised) under root read-only through pxf_confined_open()
 * (plugins/common, as http and ftp): relative symlinks are followed while
 * they stay inside the tree; one that leaves it, at any component, or an
 * absolute one is refused by the kernel (openat2 RESOLVE_BENEATH). Only
 * regular files are served. Returns the fd, its size in *size. */
gint pxf_tftp_path_open_under(const gchar *root, const gchar *path, guint64 *size, GError **error);

/* Opens a file a file.open callback named (trusted, any location): regular
 * files only. */
gint pxf_tftp_path_open_file(const gchar *path, guint64 *size, GError **error);

G_END_DECLS
