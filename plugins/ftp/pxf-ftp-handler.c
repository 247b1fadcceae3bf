/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SDK calls of the ftp plugin. The server hands us sessions; each RETR
 * identifies its client afresh (the MAC that holds the peer's address, and
 * its inventory host), which stays with the session until its next RETR so
 * that progress and the FILE_SERVED event name the same host. */
#define G_LOG_DOMAIN "pxf-ftp"

#include "pxf-ftp-handler.h"

#include <string.h>

PxfFtp *
pxf_ftp_new(PxfPluginContext *ctx)
{
	PxfFtp *self = g_new0(PxfFtp, 1);
	self->ctx = ctx;
	return self;
}

void
pxf_ftp_free(PxfFtp *self)
{
	if (self == NULL)
		return;
	g_clear_pointer(&self->server, pxf_ftp_server_free);
	g_free(self->public_url);
	g_free(self->first_address);
	g_free(self);
}

gchar *
pxf_ftp_tree_local_dir(const gchar *tree)
{
	if (tree == NULL)
		return NULL;
	if (g_str_has_prefix(tree, "file://"))
		tree += strlen("file://");
	if (tree[0] != '/')
		return NULL;
	return g_strdup(tree);
}

static gchar *
pxf_ftp_variant_dup_string(GVariant *value)
{
	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return NULL;
	return g_variant_dup_string(value, NULL);
}

/* The inventory may have changed since the last command (a reload keeps a
 * plugin whose own settings did not change), so the mounts are rebuilt:
 * a handful of look-ups, next to the disk access the command makes. */
static void
pxf_ftp_refresh(PxfFtpFs *fs, gpointer user_data)
{
	PxfFtp *self = user_data;
	g_autoptr(GPtrArray) names = pxf_plugin_context_get_distros(self->ctx);

	pxf_ftp_fs_clear_distros(fs);
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		g_autoptr(GVariant) value =
			pxf_plugin_context_get_distro_var(self->ctx, name, "tree");
		g_autofree gchar *tree = pxf_ftp_variant_dup_string(value);
		g_autofree gchar *dir = pxf_ftp_tree_local_dir(tree);

		if (dir != NULL && !pxf_ftp_fs_add_distro(fs, name, dir))
			g_debug("distro '%s' cannot be a directory name; its tree is not served",
				name);
	}
}

static void
pxf_ftp_client_free(gpointer data)
{
	PxfClientSlot *slot = data;
	pxf_client_clear(slot);
	g_free(slot);
}

static PxfClientSlot *
pxf_ftp_client_renew(PxfFtp *self, PxfFtpSession *session)
{
	PxfClientSlot *slot = g_new0(PxfClientSlot, 1);

	pxf_client_init(slot, self->ctx, "ftp", pxf_ftp_session_get_peer(session),
			pxf_ftp_session_get_local(session), NULL);
	pxf_ftp_session_set_data(session, slot, pxf_ftp_client_free);
	return slot;
}

static PxfFtpOpenResult
pxf_ftp_open(PxfFtpSession *session,
	     const gchar *path,
	     GBytes **content,
	     gchar **local_path,
	     gpointer user_data)
{
	PxfFtp *self = user_data;
	PxfClientSlot *slot = pxf_ftp_client_renew(self, session);
	PxfFileOpenArgs args = {.client = &slot->pub, .path = path};
	PxfVerdict verdict = pxf_plugin_context_open_file(self->ctx, &args);
	PxfFtpOpenResult result = PXF_FTP_OPEN_CONTINUE;

	if (verdict == PXF_VERDICT_DROP) {
		result = PXF_FTP_OPEN_DROP;
	} else if (verdict == PXF_VERDICT_SKIP && args.content != NULL) {
		*content = g_bytes_ref(args.content);
		result = PXF_FTP_OPEN_CONTENT;
	} else if (verdict == PXF_VERDICT_SKIP && args.local_path != NULL) {
		*local_path = g_strdup(args.local_path);
		result = PXF_FTP_OPEN_LOCAL;
	} else if (verdict == PXF_VERDICT_SKIP) {
		g_warning("RETR /%s: a file.open callback answered without a file", path);
		result = PXF_FTP_OPEN_DROP;
	}
	g_clear_pointer(&args.content, g_bytes_unref);
	g_clear_pointer(&args.local_path, g_free);
	return result;
}

static void
pxf_ftp_progress(
	PxfFtpSession *session, const gchar *path, guint64 done, guint64 total, gpointer user_data)
{
	PxfFtp *self = user_data;
	PxfClientSlot *slot = pxf_ftp_session_get_data(session);

	if (slot != NULL)
		pxf_plugin_context_report_transfer(self->ctx, &slot->pub, path, done, total);
}

static void
pxf_ftp_served(PxfFtpSession *session, const gchar *path, guint64 bytes, gpointer user_data)
{
	PxfFtp *self = user_data;
	PxfClientSlot *slot = pxf_ftp_session_get_data(session);

	if (slot != NULL)
		pxf_plugin_context_emit_host_event(self->ctx, &slot->pub, slot->pub.mac,
						   PXF_HOST_EVENT_FILE_SERVED, path, bytes);
}

const PxfFtpHandler pxf_ftp_handler = {
	.refresh = pxf_ftp_refresh,
	.open = pxf_ftp_open,
	.progress = pxf_ftp_progress,
	.served = pxf_ftp_served,
};

/* ---- template variables ---------------------------------------------------------- */

/* ftp://HOST[:PORT], without the port when it is FTP's own */
static gchar *
pxf_ftp_url_for(GInetAddress *address, guint16 port)
{
	g_autofree gchar *text = g_inet_address_to_string(address);
	gboolean v6 = g_inet_address_get_family(address) == G_SOCKET_FAMILY_IPV6;

	if (port == 21)
		return g_strdup_printf("ftp://%s%s%s", v6 ? "[" : "", text, v6 ? "]" : "");
	return g_strdup_printf("ftp://%s%s%s:%u", v6 ? "[" : "", text, v6 ? "]" : "", port);
}

gchar *
pxf_ftp_base_url(PxfFtp *self, const PxfClient *client)
{
	if (self->public_url != NULL)
		return g_strdup(self->public_url);
	if (client != NULL && client->local != NULL) {
		GInetAddress *local = g_inet_socket_address_get_address(client->local);
		if (!g_inet_address_get_is_any(local))
			return pxf_ftp_url_for(local, self->port);
	}
	if (self->first_address != NULL) {
		g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(self->first_address);
		if (addr != NULL && !g_inet_address_get_is_any(addr))
			return pxf_ftp_url_for(addr, self->port);
	}
	return NULL;
}

PxfVerdict
pxf_ftp_template_vars(PxfTemplateVarsArgs *args, gpointer user_data)
{
	PxfFtp *self = user_data;
	g_autofree gchar *base = pxf_ftp_base_url(self, args->client);
	g_autoptr(GVariant) name = NULL;
	g_autoptr(GVariant) tree = NULL;
	g_autofree gchar *dir = NULL;

	if (base == NULL)
		return PXF_VERDICT_CONTINUE;
	pxf_vars_set_string(args->vars, "ftp.base_url", base);
	/* a local tree is mounted at /distros/<name>/ */
	name = pxf_vars_lookup(args->vars, "distro.name");
	tree = pxf_vars_lookup(args->vars, "distro.tree");
	if (name != NULL && tree != NULL && g_variant_is_of_type(name, G_VARIANT_TYPE_STRING) &&
	    g_variant_is_of_type(tree, G_VARIANT_TYPE_STRING))
		dir = pxf_ftp_tree_local_dir(g_variant_get_string(tree, NULL));
	if (dir != NULL) {
		g_autofree gchar *url =
			g_strdup_printf("%s/distros/%s/", base, g_variant_get_string(name, NULL));
		pxf_vars_set_string(args->vars, "ftp.tree_url", url);
	}
	return PXF_VERDICT_CONTINUE;
}
