/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-mtftp"

#include <string.h>

#include "pxf-mtftp-advertise.h"
#include "pxf-mtftp-dhcp.h"
#include "pxf-tftp-path.h"

/* An option's value as a string, or NULL when absent or not text. */
static gchar *
pxf_mtftp_advertiser_get_text(PxfDhcpOptions *options, guint8 code)
{
	gsize len = 0;
	const guint8 *data = pxf_dhcp_options_get(options, code, &len);

	if (data == NULL || len == 0 || memchr(data, '\0', len) != NULL)
		return NULL;
	if (!g_utf8_validate((const gchar *)data, (gssize)len, NULL))
		return NULL;
	return g_strndup((const gchar *)data, len);
}

gboolean
pxf_mtftp_advertiser_is_pxe_reply(PxfDhcpOptions *options,
				  guint8 message_type,
				  gchar **server,
				  gchar **bootfile)
{
	g_autofree gchar *vendor = NULL;

	*server = NULL;
	*bootfile = NULL;
	/* 2 OFFER, 5 ACK: a NAK carries nothing for the boot */
	if (message_type != 2 && message_type != 5)
		return FALSE;
	vendor = pxf_mtftp_advertiser_get_text(options, PXF_MTFTP_DHCP_OPT_VENDOR_CLASS);
	if (vendor == NULL || !g_str_has_prefix(vendor, "PXEClient"))
		return FALSE;
	*server = pxf_mtftp_advertiser_get_text(options, PXF_MTFTP_DHCP_OPT_TFTP_SERVER);
	*bootfile = pxf_mtftp_advertiser_get_text(options, PXF_MTFTP_DHCP_OPT_BOOTFILE);
	return TRUE;
}

gboolean
pxf_mtftp_advertiser_apply(PxfDhcpOptions *options, const PxfMtftpPxeParams *params, GError **error)
{
	gsize len = 0;
	const guint8 *existing = pxf_dhcp_options_get(options, PXF_MTFTP_DHCP_OPT_VENDOR, &len);
	g_autoptr(GBytes) merged = pxf_mtftp_dhcp_merge(existing, len, params, error);
	const guint8 *data;

	if (merged == NULL)
		return FALSE;
	data = g_bytes_get_data(merged, &len);
	pxf_dhcp_options_set(options, PXF_MTFTP_DHCP_OPT_VENDOR, data, len);
	return TRUE;
}

struct _PxfMtftpAdvertiser {
	const PxfMtftpConfig *config;
	GPtrArray *addresses; /* gchar* */
};

PxfMtftpAdvertiser *
pxf_mtftp_advertiser_new(const PxfMtftpConfig *config, GPtrArray *addresses)
{
	PxfMtftpAdvertiser *self = g_new0(PxfMtftpAdvertiser, 1);

	self->config = config;
	self->addresses = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < addresses->len; i++)
		g_ptr_array_add(self->addresses, g_strdup(g_ptr_array_index(addresses, i)));
	return self;
}

void
pxf_mtftp_advertiser_free(PxfMtftpAdvertiser *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref(self->addresses);
	g_free(self);
}

PxfVerdict
pxf_mtftp_advertiser_dhcp_reply(PxfDhcpReplyArgs *args, gpointer user_data)
{
	PxfMtftpAdvertiser *self = user_data;
	g_autofree gchar *server = NULL;
	g_autofree gchar *bootfile = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(GError) error = NULL;
	const PxfMtftpChannel *channel;
	PxfMtftpPxeParams params = {0};

	/* iPXE sends PXEClient too, but its mtftp:// has fixed defaults and it
	 * reads no MTFTP sub-options: only a PXE ROM gets them */
	if (args->stage == PXF_BOOT_STAGE_IPXE ||
	    !pxf_mtftp_advertiser_is_pxe_reply(args->options, args->message_type, &server,
					       &bootfile))
		return PXF_VERDICT_CONTINUE;
	/* only a boot file this server streams: another server's, or a URL
	 * for iPXE or UEFI HTTP boot, is none of ours */
	if (server == NULL || bootfile == NULL ||
	    !g_ptr_array_find_with_equal_func(self->addresses, server, g_str_equal, NULL) ||
	    strstr(bootfile, "://") != NULL)
		return PXF_VERDICT_CONTINUE;
	path = pxf_tftp_path_sanitise(bootfile, NULL);
	if (path == NULL)
		return PXF_VERDICT_CONTINUE;
	channel = pxf_mtftp_config_get_channel(self->config, path);
	memcpy(params.group, &channel->group_addr, 4);
	params.client_port = channel->client_port;
	params.server_port = self->config->port;
	params.listen = (guint8)self->config->listen;
	params.delay = (guint8)self->config->delay;
	if (!pxf_mtftp_advertiser_apply(args->options, &params, &error)) {
		g_message("%s: not telling it the MTFTP channel of %s: option 43: %s",
			  args->client->mac != NULL ? args->client->mac : "client", path,
			  error->message);
		return PXF_VERDICT_CONTINUE;
	}
	g_debug("%s: option 43 names %s:%u for %s (server port %u)",
		args->client->mac != NULL ? args->client->mac : "client", channel->group,
		channel->client_port, path, self->config->port);
	return PXF_VERDICT_CONTINUE;
}

gboolean
pxf_mtftp_advertiser_connect(PxfMtftpAdvertiser *self, PxfPluginContext *ctx, GError **error)
{
	/* no ordering rule: sub-options set by callbacks that ran before are
	 * merged, and a later callback that replaces option 43 wins */
	return pxf_hook_connect_dhcp_reply(ctx, pxf_mtftp_advertiser_dhcp_reply, self, NULL, error);
}
