/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ftp plugin's side of the SDK: who a session is, file.open, progress
 * and FILE_SERVED events, the distro mounts, and {{ftp.base_url}}. */
#pragma once

#include <pxeforge/plugin.h>

#include "pxf-ftp-server.h"

G_BEGIN_DECLS

typedef struct {
	PxfPluginContext *ctx;
	PxfFtpServer *server;
	gchar *public_url;    /* without a trailing slash, or NULL */
	gchar *first_address; /* for URLs rendered without a request */
	guint16 port;
} PxfFtp;

PxfFtp *pxf_ftp_new(PxfPluginContext *ctx);
void pxf_ftp_free(PxfFtp *self);

/* The handler the server calls, with the PxfFtp as its user data. */
extern const PxfFtpHandler pxf_ftp_handler;

/* A distro tree as a local directory: "/srv/x" or "file:///srv/x"; NULL for
 * URLs and relative paths. */
gchar *pxf_ftp_tree_local_dir(const gchar *tree);

/* ftp://HOST[:PORT] for a client (public_url, the address it reached, the
 * first configured address), or NULL. */
gchar *pxf_ftp_base_url(PxfFtp *self, const PxfClient *client);

/* template.vars: ftp.base_url, and ftp.tree_url for a local distro tree. */
PxfVerdict pxf_ftp_template_vars(PxfTemplateVarsArgs *args, gpointer user_data);

G_END_DECLS
