/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mtftp transport: multicast TFTP, PXE 2.1 MTFTP and RFC 2090, for
 * many machines booting the same files at once; files come from the
 * file.open pipeline or a static root, like the tftp plugin's. */
#define G_LOG_DOMAIN "pxf-mtftp"

#include "pxf-mtftp-server.h"

static gboolean
pxf_mtftp_init(PxfPluginContext *ctx, GError **error)
{
	PxfMtftpServer *server = pxf_mtftp_server_new(ctx, error);

	if (server == NULL)
		return FALSE;
	pxf_plugin_context_set_data(ctx, server, (GDestroyNotify)pxf_mtftp_server_free);
	return TRUE;
}

static void
pxf_mtftp_fini(PxfPluginContext *ctx)
{
	pxf_mtftp_server_stop(pxf_plugin_context_get_data(ctx));
}

PXF_PLUGIN_DEFINE(.name = "mtftp",
		  .kind = PXF_PLUGIN_KIND_TRANSPORT,
		  .version = "1.0.0",
		  .license = "LGPL-2.1-or-later",
		  .description = "multicast TFTP server: PXE MTFTP and RFC 2090",
		  .config_keys = pxf_mtftp_config_keys,
		  .init = pxf_mtftp_init,
		  .fini = pxf_mtftp_fini);
