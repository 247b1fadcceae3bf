/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tftp transport: a read-only TFTP server (RFC 1350, 2347, 2348, 2349)
 * whose files come from the file.open pipeline or a static root. */
#define G_LOG_DOMAIN "pxf-tftp"

#include "pxf-tftp-server.h"

static gboolean
pxf_tftp_init(PxfPluginContext *ctx, GError **error)
{
	PxfTftpServer *server = pxf_tftp_server_new(ctx, error);

	if (server == NULL)
		return FALSE;
	pxf_plugin_context_set_data(ctx, server, (GDestroyNotify)pxf_tftp_server_free);
	return TRUE;
}

static void
pxf_tftp_fini(PxfPluginContext *ctx)
{
	pxf_tftp_server_stop(pxf_plugin_context_get_data(ctx));
}

static const PxfConfKey pxf_tftp_keys[] = {
	{.key = "interfaces",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "interfaces whose IPv4 addresses to serve on; empty: the daemon's "
			"interfaces, unless addresses is set"},
	{.key = "addresses",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "IP addresses to serve on, besides those of interfaces"},
	{.key = "port",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "69",
	 .min = 1,
	 .max = 65535,
	 .description = "UDP port of the listening sockets"},
	{.key = "root",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/srv/pxeforge/tftp",
	 .description = "directory served when no file.open callback provides the file"},
	{.key = "blksize_max",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "65464",
	 .min = 8,
	 .max = 65464,
	 .description = "largest block size granted to a client asking for one (RFC 2348)"},
	{.key = "timeout",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "3",
	 .min = 1,
	 .max = 255,
	 .description = "seconds before a packet is sent again, unless the client "
			"negotiates its own (RFC 2349)"},
	{.key = "retries",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "5",
	 .min = 0,
	 .max = 100,
	 .description = "retransmissions of one packet before a transfer is given up"},
	{.key = "max_transfers",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "1000",
	 .min = 1,
	 .max = 100000,
	 .description = "transfers running at once; more requests get error 0 "
			"'Too many transfers'"},
	PXF_CONF_KEY_END,
};

PXF_PLUGIN_DEFINE(.name = "tftp",
		  .kind = PXF_PLUGIN_KIND_TRANSPORT,
		  .version = "1.0.0",
		  .license = "LGPL-2.1-or-later",
		  .description = "read-only TFTP server with option negotiation",
		  .config_keys = pxf_tftp_keys,
		  .init = pxf_tftp_init,
		  .fini = pxf_tftp_fini);
