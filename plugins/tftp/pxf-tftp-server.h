/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TFTP server on the daemon's main loop: listening sockets bound per
 * address (so every request's local address is known), one UDP socket and
 * one GSource per transfer, files from the file.open pipeline or the root. */
#pragma once

#include "pxf-tftp-packet.h"

G_BEGIN_DECLS

typedef struct _PxfTftpServer PxfTftpServer;

/* Reads the plugin's configuration and binds its listening sockets (call from
 * init: binding needs the daemon's privileges). With neither interfaces nor
 * addresses in the section nor in the daemon's settings it binds nothing and
 * logs that it is idle. */
PxfTftpServer *pxf_tftp_server_new(PxfPluginContext *ctx, GError **error);
/* Ends the running transfers (telling their clients) and stops listening;
 * the core keeps the sockets for the next instance. */
void pxf_tftp_server_stop(PxfTftpServer *self);
void pxf_tftp_server_free(PxfTftpServer *self);

guint pxf_tftp_server_get_n_listeners(PxfTftpServer *self);
guint pxf_tftp_server_get_n_transfers(PxfTftpServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfTftpServer, pxf_tftp_server_free)

G_END_DECLS
