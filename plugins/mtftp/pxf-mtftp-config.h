/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plugin's settings, checked: multicast channels (group and client
 * port) for PXE MTFTP, per file or the default one, the port range of RFC
 * 2090 sessions, timers and limits. Errors name file:line:column. */
#pragma once

#include <netinet/in.h>

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

/* Where a PXE MTFTP stream goes: clients must know it before they ask. */
typedef struct {
	gchar *path; /* sanitised; NULL for the default channel */
	gchar *group;
	struct in_addr group_addr;
	guint16 client_port;
} PxfMtftpChannel;

typedef struct {
	guint16 port; /* the server port requests go to */
	gchar *root;
	PxfMtftpChannel *default_channel;
	GPtrArray *files; /* PxfMtftpChannel with a path */
	guint listen;	  /* PXE sub-option 4, seconds */
	guint delay;	  /* PXE sub-option 5, seconds */
	gboolean dhcp_options;
	gboolean rfc2090;
	guint16 rfc2090_port; /* first port of the RFC 2090 sessions */
	guint rfc2090_sessions;
	guint blksize_max;
	guint timeout;
	guint retries;
	guint ttl;
	gboolean loop;
	guint max_clients;
} PxfMtftpConfig;

extern const PxfConfKey pxf_mtftp_config_keys[];

PxfMtftpConfig *pxf_mtftp_config_new(const PxfConfSection *section, GError **error);
void pxf_mtftp_config_free(PxfMtftpConfig *self);

/* The channel of a sanitised path: its `files` entry, else the default. */
const PxfMtftpChannel *pxf_mtftp_config_get_channel(const PxfMtftpConfig *self, const gchar *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfMtftpConfig, pxf_mtftp_config_free)

G_END_DECLS
