/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The multicast TFTP server on the daemon's main loop: listening sockets on
 * the server port per address, requests (PXE MTFTP, or RFC 2090 when they
 * carry the multicast option), file.open, one session per multicast stream,
 * events and progress, and the dhcp.reply callback that advertises the PXE
 * MTFTP channel in option 43. */
#pragma once

#include "pxf-mtftp-config.h"

G_BEGIN_DECLS

typedef struct _PxfMtftpServer PxfMtftpServer;

/* Reads the configuration and binds the listening sockets (call from init).
 * With nowhere to listen it binds nothing and logs that it is idle. */
PxfMtftpServer *pxf_mtftp_server_new(PxfPluginContext *ctx, GError **error);
/* Ends the running streams (telling their clients) and stops listening. */
void pxf_mtftp_server_stop(PxfMtftpServer *self);
void pxf_mtftp_server_free(PxfMtftpServer *self);

guint pxf_mtftp_server_get_n_listeners(PxfMtftpServer *self);
guint pxf_mtftp_server_get_n_streams(PxfMtftpServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfMtftpServer, pxf_mtftp_server_free)

G_END_DECLS
