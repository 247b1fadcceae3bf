/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a request gets: the file.open pipeline, then the static root (the
 * tftp plugin's path rules), and whether two clients get the same bytes,
 * since only those can share a multicast stream. */
#pragma once

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

/* The content client gets for path (sanitised). Exactly one of *content and
 * *fd is set on success, with *size. For a file, *identity names it
 * (device, inode, size, modification time); for content it is NULL and the
 * bytes themselves tell. Errors are in PXF_TFTP_ERROR with the code for the
 * client. */
gboolean pxf_mtftp_source_open(PxfPluginContext *ctx,
			       const PxfClient *client,
			       const gchar *root,
			       const gchar *path,
			       GBytes **content,
			       gint *fd,
			       gchar **identity,
			       guint64 *size,
			       GError **error);

G_END_DECLS
