/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The http transport: descriptor, configuration, init and fini. */
#define G_LOG_DOMAIN "pxf-http"

#include <pxeforge/plugin.h>

#include <string.h>

#include "pxf-http-handler.h"
#include "pxf-http-path.h"

static gboolean
pxf_http_config_error(const PxfConfSection *section,
		      const gchar *key,
		      GError *error_local,
		      GError **error)
{
	g_autofree gchar *where = pxf_conf_section_where(section, key);
	g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID, "%s: %s: %s", where, key,
		    error_local->message);
	return FALSE;
}

static gboolean
pxf_http_read_config(PxfHttp *self, const PxfConfSection *config, GError **error)
{
	GPtrArray *trees = pxf_conf_section_get_list(config, "trees");
	const gchar *public_url = pxf_conf_section_get_string(config, "public_url");
	const gchar *const *addresses = pxf_conf_section_get_strv(config, "addresses");

	self->root = g_strdup(pxf_conf_section_get_string(config, "root"));
	if (self->root == NULL || !g_path_is_absolute(self->root)) {
		g_autoptr(GError) error_local = g_error_new_literal(
			PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID, "must be an absolute directory");
		return pxf_http_config_error(config, "root", error_local, error);
	}
	for (guint i = 0; i < trees->len; i++) {
		const PxfConfSection *tree = g_ptr_array_index(trees, i);
		const gchar *dir = pxf_conf_section_get_string(tree, "dir");
		g_autoptr(GError) error_local = NULL;
		if (dir == NULL || !g_path_is_absolute(dir)) {
			error_local = g_error_new_literal(PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
							  "must be an absolute directory");
			return pxf_http_config_error(tree, "dir", error_local, error);
		}
		if (!pxf_http_trees_add(self->trees, pxf_conf_section_get_string(tree, "path"), dir,
					&error_local))
			return pxf_http_config_error(tree, "path", error_local, error);
	}
	if (public_url != NULL && public_url[0] != '\0') {
		gsize len = strlen(public_url);
		if (!g_str_has_prefix(public_url, "http://") &&
		    !g_str_has_prefix(public_url, "https://")) {
			g_autoptr(GError) error_local =
				g_error_new_literal(PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
						    "must be an http:// or https:// URL");
			return pxf_http_config_error(config, "public_url", error_local, error);
		}
		while (len > 0 && public_url[len - 1] == '/')
			len--;
		self->public_url = g_strndup(public_url, len);
	}
	for (guint i = 0; addresses[i] != NULL; i++) {
		g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(addresses[i]);
		if (addr == NULL) {
			g_autoptr(GError) error_local =
				g_error_new(PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
					    "'%s' is not an IP address", addresses[i]);
			return pxf_http_config_error(config, "addresses", error_local, error);
		}
	}
	self->first_address = g_strdup(addresses[0]);
	self->port = (guint16)pxf_conf_section_get_int(config, "port");
	self->ks_any_address = pxf_conf_section_get_bool(config, "ks_any_address");
	return TRUE;
}

static gboolean
pxf_http_listen(PxfHttp *self, const PxfConfSection *config, GError **error)
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
		if (socket == NULL || !pxf_http_server_add_socket(self->server, socket, error))
			return FALSE;
		g_string_append_printf(where, "%s%s:%u", where->len > 0 ? ", " : "", addresses[i],
				       self->port);
	}
	for (guint i = 0; interfaces[i] != NULL; i++) {
		/* the URL that renders without a request (pxeforge render/explain) use */
		if (self->first_address == NULL) {
			g_autoptr(GPtrArray) found = pxf_plugin_context_get_interface_addresses(
				self->ctx, interfaces[i]);
			if (found->len > 0) {
				const PxfInterfaceAddress *entry = g_ptr_array_index(found, 0);
				self->first_address = g_inet_address_to_string(entry->address);
			}
		}
		GSocket *socket = pxf_plugin_context_bind_device(
			self->ctx, G_SOCKET_TYPE_STREAM, interfaces[i], NULL, self->port, error);
		if (socket == NULL || !pxf_http_server_add_socket(self->server, socket, error))
			return FALSE;
		g_string_append_printf(where, "%s%s port %u", where->len > 0 ? ", " : "",
				       interfaces[i], self->port);
	}
	if (pxf_http_server_get_n_sockets(self->server) == 0)
		g_message("no interfaces or addresses configured: not listening");
	else
		g_message("serving HTTP on %s, root %s%s", where->str, self->root,
			  g_file_test(self->root, G_FILE_TEST_IS_DIR) ? "" : " (missing)");
	return TRUE;
}

static gboolean
pxf_http_init(PxfPluginContext *ctx, GError **error)
{
	const PxfConfSection *config = pxf_plugin_context_get_config(ctx);
	PxfHttp *self = pxf_http_new(ctx);
	PxfHttpServerLimits limits = {
		.max_connections = (guint)pxf_conf_section_get_int(config, "max_connections"),
		.max_connections_per_address =
			(guint)pxf_conf_section_get_int(config, "max_connections_per_address"),
		.connection_timeout = (guint)pxf_conf_section_get_int(config, "connection_timeout"),
		.request_timeout = (guint)pxf_conf_section_get_int(config, "request_timeout"),
		.max_body = 8192,
	};

	pxf_plugin_context_set_data(ctx, self, (GDestroyNotify)pxf_http_free);
	if (!pxf_http_read_config(self, config, error))
		return FALSE;
	if (!pxf_hook_connect_template_vars(ctx, pxf_http_template_vars, self, NULL, error))
		return FALSE;
	self->server = pxf_http_server_new(&limits, pxf_http_handle, pxf_http_progress,
					   pxf_http_finished, self);
	return pxf_http_listen(self, config, error);
}

static void
pxf_http_fini(PxfPluginContext *ctx)
{
	PxfHttp *self = pxf_plugin_context_get_data(ctx);
	/* close the connections now: their requests end as incomplete */
	g_clear_pointer(&self->server, pxf_http_server_free);
}

static const PxfConfKey pxf_http_tree_keys[] = {
	{.key = "path",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "URL path prefix the tree is served under, e.g. /images"},
	{.key = "dir",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "absolute directory served under path"},
	PXF_CONF_KEY_END,
};

static const PxfConfKey pxf_http_keys[] = {
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
	 .default_value = "80",
	 .min = 1,
	 .max = 65535,
	 .description = "TCP port"},
	{.key = "root",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/srv/pxeforge/http",
	 .description = "directory served at /"},
	{.key = "trees",
	 .type = PXF_CONF_TYPE_SECTION_LIST,
	 .children = pxf_http_tree_keys,
	 .description = "more directories, each served under its own path"},
	{.key = "public_url",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "base URL for {{http.base_url}} when clients reach this server through "
			"another address"},
	{.key = "ks_any_address",
	 .type = PXF_CONF_TYPE_BOOL,
	 .default_value = "false",
	 .description = "UNSAFE: serve ks/<mac> to any address, not only the host's own"},
	{.key = "max_connections",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "256",
	 .min = 1,
	 .max = 65536,
	 .description = "concurrent connections per listening socket"},
	{.key = "max_connections_per_address",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "32",
	 .min = 1,
	 .max = 65536,
	 .description = "concurrent connections per listening socket from one client address"},
	{.key = "connection_timeout",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "30",
	 .min = 0,
	 .max = 3600,
	 .description = "seconds an idle connection is kept; 0 for no limit"},
	{.key = "request_timeout",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "15",
	 .min = 0,
	 .max = 3600,
	 .description = "seconds a client has to send a whole request (line, headers, body), "
			"however slowly it trickles in; 0 for no limit"},
	PXF_CONF_KEY_END,
};

PXF_PLUGIN_DEFINE(.name = "http",
		  .kind = PXF_PLUGIN_KIND_TRANSPORT,
		  .version = "1.0.0",
		  .license = "LGPL-2.1-or-later",
		  .description = "HTTP server: install trees, answer files, install reports",
		  .config_keys = pxf_http_keys,
		  .init = pxf_http_init,
		  .fini = pxf_http_fini);
