/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The dhcp.reply callback: a PXE client whose boot server (option 66) is
 * one of this plugin's addresses learns the MTFTP channel of its boot file
 * (option 67) in option 43, merged with what other plugins put there. */
#pragma once

#include "pxf-mtftp-config.h"
#include "pxf-mtftp-dhcp.h"

G_BEGIN_DECLS

typedef struct _PxfMtftpAdvertiser PxfMtftpAdvertiser;

/* config must outlive the advertiser; addresses (gchar*) are copied. */
PxfMtftpAdvertiser *pxf_mtftp_advertiser_new(const PxfMtftpConfig *config, GPtrArray *addresses);
void pxf_mtftp_advertiser_free(PxfMtftpAdvertiser *self);
gboolean
pxf_mtftp_advertiser_connect(PxfMtftpAdvertiser *self, PxfPluginContext *ctx, GError **error);

/* Whether a reply is an OFFER or ACK to a PXE client (option 60 starting
 * with "PXEClient", which the dhcp plugin sets for them). On TRUE, *server
 * is option 66 (the boot server) and *bootfile option 67, or NULL when
 * absent. */
gboolean pxf_mtftp_advertiser_is_pxe_reply(PxfDhcpOptions *options,
					   guint8 message_type,
					   gchar **server,
					   gchar **bootfile);

/* Sets option 43 on options, merged with the sub-options already there
 * (pxf_mtftp_dhcp_merge()). */
gboolean pxf_mtftp_advertiser_apply(PxfDhcpOptions *options,
				    const PxfMtftpPxeParams *params,
				    GError **error);

/* The callback itself (always CONTINUE). */
PxfVerdict pxf_mtftp_advertiser_dhcp_reply(PxfDhcpReplyArgs *args, gpointer user_data);

G_END_DECLS
