/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ftp transport: a read-only anonymous FTP server (RFC 959, 2389, 2428,
 * 3659) for install trees. Descriptor, configuration, init and fini. */
#define G_LOG_DOMAIN "pxf-ftp"

#include <pxeforge/plugin.h>

#include <string.h>

#include "pxf-ftp-command.h"
#include "pxf-ftp-handler.h"

static gboolean
pxf_ftp_config_error(const PxfConfSection *config,
		     const gchar *key,
		     const gchar *message,
		     GError **error)
{
	g_autofree gchar *where = pxf_conf_section_where(config, key);
	g_set_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT, "%s: %s: %s", where, key,
		    message);
	return FALSE;
}

static gboolean
pxf_ftp_read_config(PxfFtp *self,
		    const PxfConfSection *config,
		    PxfFtpLimits *limits,
		    gchar **root,
		    GError **error)
{
	const gchar *const *addresses = pxf_conf_section_get_strv(config, "addresses");
	const gchar *public_url = pxf_conf_section_get_string(config, "public_url");
	const gchar *passive_address = pxf_conf_section_get_string(config, "passive_address");
	const gchar *root_dir = pxf_conf_section_get_string(config, "root");
	gint64 pmin = pxf_conf_section_get_int(config, "passive_port_min");
	gint64 pmax = pxf_conf_section_get_int(config, "passive_port_max");

	if (root_dir == NULL || !g_path_is_absolute(root_dir))
		return pxf_ftp_config_error(config, "root", "must be an absolute directory", error);
	for (guint i = 0; addresses[i] != NULL; i++) {
		g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(addresses[i]);
		if (addr == NULL) {
			g_autofree gchar *msg =
				g_strdup_printf("'%s' is not an IP address", addresses[i]);
			return pxf_ftp_config_error(config, "addresses", msg, error);
		}
	}
	if ((pmin == 0) != (pmax == 0) || pmin > pmax || (pmin != 0 && pmin < 1024))
		return pxf_ftp_config_error(config, "passive_port_min",
					    "passive ports are a range of ports from 1024 up, "
					    "min <= max, or both 0 for any port",
					    error);
	if (passive_address != NULL && passive_address[0] != '\0') {
		g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(passive_address);
		if (addr == NULL || g_inet_address_get_family(addr) != G_SOCKET_FAMILY_IPV4)
			return pxf_ftp_config_error(config, "passive_address",
						    "must be an IPv4 address", error);
		limits->passive_address = passive_address;
	}
	if (public_url != NULL && public_url[0] != '\0') {
		gsize len = strlen(public_url);
		if (!g_str_has_prefix(public_url, "ftp://") || len <= strlen("ftp://"))
			return pxf_ftp_config_error(config, "public_url", "must be an ftp:// URL",
						    error);
		while (len > 0 && public_url[len - 1] == '/')
			len--;
		self->public_url = g_strndup(public_url, len);
	}
	self->first_address = g_strdup(addresses[0]);
	self->port = (guint16)pxf_conf_section_get_int(config, "port");
	limits->max_sessions = (guint)pxf_conf_section_get_int(config, "max_sessions");
	limits->max_sessions_per_address =
		(guint)pxf_conf_section_get_int(config, "max_sessions_per_address");
	limits->idle_timeout = (guint)pxf_conf_section_get_int(config, "idle_timeout");
	limits->login_timeout = (guint)pxf_conf_section_get_int(config, "login_timeout");
	limits->data_timeout = (guint)pxf_conf_section_get_int(config, "data_timeout");
	limits->passive_min = (guint16)pmin;
	limits->passive_max = (guint16)pmax;
	limits->max_list = (guint)pxf_conf_section_get_int(config, "max_list_entries");
	*root = g_strdup(root_dir);
	return TRUE;
}

static gboolean
pxf_ftp_listen(PxfFtp *self, const PxfConfSection *config, const gchar *root, GError **error)
{
	const gchar *const *addresses = pxf_conf_section_get_strv(config, "addresses");
	const gchar *const *interfaces = pxf_conf_section_get_strv(config, "interfaces");
	g_autoptr(GString) where = g_string_new(NULL);

	/* explicit addresses alone mean only those; else the daemon's interfaces */
	if (interfaces[0] == NULL && addresses[0] == NULL)
		interfaces = pxf_plugin_context_get_interfaces(self->ctx);
	for (guint i = 0; addresses[i] != NULL; i++) {
		GSocket *socket = pxf_plugin_context_bind(self->ctx, G_SOCKET_TYPE_STREAM,
							  addresses[i], self->port, error);
		if (socket == NULL || !pxf_ftp_server_add_socket(self->server, socket, error))
			return FALSE;
		g_string_append_printf(where, "%s%s:%u", where->len > 0 ? ", " : "", addresses[i],
				       self->port);
	}
	for (guint i = 0; interfaces[i] != NULL; i++) {
		GSocket *socket;
		/* the URL that renders without a request (pxeforge render) use */
		if (self->first_address == NULL) {
			g_autoptr(GPtrArray) found = pxf_plugin_context_get_interface_addresses(
				self->ctx, interfaces[i]);
			if (found->len > 0) {
				const PxfInterfaceAddress *entry = g_ptr_array_index(found, 0);
				self->first_address = g_inet_address_to_string(entry->address);
			}
		}
		socket = pxf_plugin_context_bind_device(self->ctx, G_SOCKET_TYPE_STREAM,
							interfaces[i], NULL, self->port, error);
		if (socket == NULL || !pxf_ftp_server_add_socket(self->server, socket, error))
			return FALSE;
		g_string_append_printf(where, "%s%s port %u", where->len > 0 ? ", " : "",
				       interfaces[i], self->port);
	}
	if (pxf_ftp_server_get_n_sockets(self->server) == 0)
		g_message("no interfaces or addresses configured: not listening");
	else
		g_message("serving FTP on %s, root %s%s", where->str, root,
			  g_file_test(root, G_FILE_TEST_IS_DIR) ? "" : " (missing)");
	return TRUE;
}

static gboolean
pxf_ftp_init(PxfPluginContext *ctx, GError **error)
{
	const PxfConfSection *config = pxf_plugin_context_get_config(ctx);
	PxfFtp *self = pxf_ftp_new(ctx);
	PxfFtpLimits limits = {0};
	g_autofree gchar *root = NULL;

	pxf_plugin_context_set_data(ctx, self, (GDestroyNotify)pxf_ftp_free);
	if (!pxf_ftp_read_config(self, config, &limits, &root, error))
		return FALSE;
	/* kickstart's install_url reads ftp.base_url when a profile asks for FTP */
	if (!pxf_hook_connect_template_vars(ctx, pxf_ftp_template_vars, self,
					    PXF_HOOK_BEFORE("kickstart"), error))
		return FALSE;
	self->server = pxf_ftp_server_new(&limits, pxf_ftp_fs_new(root), &pxf_ftp_handler, self);
	return pxf_ftp_listen(self, config, root, error);
}

static void
pxf_ftp_fini(PxfPluginContext *ctx)
{
	PxfFtp *self = pxf_plugin_context_get_data(ctx);
	/* close the sessions now; their transfers end incomplete */
	g_clear_pointer(&self->server, pxf_ftp_server_free);
}

static const PxfConfKey pxf_ftp_keys[] = {
	{.key = "interfaces",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "interfaces to listen on; empty: the daemon's interfaces unless addresses "
			"are given"},
	{.key = "addresses",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "IP addresses to listen on"},
	{.key = "port",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "21",
	 .min = 1,
	 .max = 65535,
	 .description = "TCP port of the control connection"},
	{.key = "root",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/srv/pxeforge/ftp",
	 .description = "directory served at /; local distro trees appear under /distros/<name>/"},
	{.key = "max_sessions",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "128",
	 .min = 1,
	 .max = 100000,
	 .description = "control connections open at once; more get 421"},
	{.key = "max_sessions_per_address",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "16",
	 .min = 1,
	 .max = 100000,
	 .description = "control connections open at once from one client address; more get 421"},
	{.key = "login_timeout",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "30",
	 .min = 1,
	 .max = 86400,
	 .description = "seconds a new session has to log in before 421"},
	{.key = "idle_timeout",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "300",
	 .min = 1,
	 .max = 86400,
	 .description = "seconds a session may go without a command (not counting transfers)"},
	{.key = "data_timeout",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "60",
	 .min = 1,
	 .max = 3600,
	 .description = "seconds to connect to a passive port, and without progress in a "
			"transfer"},
	{.key = "passive_port_min",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "50000",
	 .min = 0,
	 .max = 65535,
	 .description = "first passive data port; 0 (with passive_port_max 0): any port"},
	{.key = "passive_port_max",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "50100",
	 .min = 0,
	 .max = 65535,
	 .description = "last passive data port"},
	{.key = "passive_address",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "IPv4 address PASV announces (NAT); default: the address the client "
			"reached"},
	{.key = "public_url",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "ftp:// URL for {{ftp.base_url}} when clients reach this server through "
			"another address"},
	{.key = "max_list_entries",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "100000",
	 .min = 1,
	 .max = 10000000,
	 .description = "entries of one directory listing; more are left out"},
	PXF_CONF_KEY_END,
};

PXF_PLUGIN_DEFINE(.name = "ftp",
		  .kind = PXF_PLUGIN_KIND_TRANSPORT,
		  .version = "1.0.0",
		  .license = "LGPL-2.1-or-later",
		  .description = "read-only anonymous FTP server for install trees",
		  .config_keys = pxf_ftp_keys,
		  .init = pxf_ftp_init,
		  .fini = pxf_ftp_fini);
