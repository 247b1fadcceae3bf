/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the http plugin answers: answer files (ks/<mac>), install reports
 * (api/v1/hosts/<mac>/done|failed), and files through the file.open hook,
 * the inventory's local distro trees, the configured trees and the root. */
#define G_LOG_DOMAIN "pxf-http"

#include "pxf-http-handler.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "pxf-http-path.h"
#include "pxf-http-route.h"

/* how long the distro name → tree map may be reused before a rebuild */
#define PXF_HTTP_DISTROS_TTL (5 * G_USEC_PER_SEC)
/* install reports are short; the state history keeps at most 1024 characters */
#define PXF_HTTP_REASON_MAX 512

/* A file request, kept until it is over to report progress and the
 * download; the slot holds a reference on the host across reloads. */
typedef struct {
	PxfClientSlot slot;
	gchar *path;
} PxfHttpServed;

static void
pxf_http_served_free(gpointer data)
{
	PxfHttpServed *served = data;
	pxf_client_clear(&served->slot);
	g_free(served->path);
	g_free(served);
}

PxfHttp *
pxf_http_new(PxfPluginContext *ctx)
{
	PxfHttp *self = g_new0(PxfHttp, 1);
	self->ctx = ctx;
	self->trees = pxf_http_trees_new();
	self->distros = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->distros_updated = -1;
	return self;
}

void
pxf_http_free(PxfHttp *self)
{
	if (self == NULL)
		return;
	g_clear_pointer(&self->server, pxf_http_server_free);
	pxf_http_trees_free(self->trees);
	g_hash_table_unref(self->distros);
	g_free(self->root);
	g_free(self->public_url);
	g_free(self->first_address);
	g_free(self);
}

gchar *
pxf_http_tree_local_dir(const gchar *tree)
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
pxf_http_host_string_var(PxfHttp *self, const PxfHost *host, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_plugin_context_get_host_var(self->ctx, host, name);
	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return NULL;
	return g_variant_dup_string(value, NULL);
}

/* The local directory of distro name: the asking host's own distro first
 * (what an installer fetches), else any host's, from a short-lived map. */
static gchar *
pxf_http_distro_dir(PxfHttp *self, const PxfHost *hint, const gchar *name)
{
	gint64 now = g_get_monotonic_time();

	if (hint != NULL) {
		g_autofree gchar *hname = pxf_http_host_string_var(self, hint, "distro.name");
		if (g_strcmp0(hname, name) == 0) {
			g_autofree gchar *tree =
				pxf_http_host_string_var(self, hint, "distro.tree");
			return pxf_http_tree_local_dir(tree);
		}
	}
	if (self->distros_updated < 0 || now - self->distros_updated > PXF_HTTP_DISTROS_TTL) {
		g_autoptr(GPtrArray) hosts = pxf_plugin_context_get_hosts(self->ctx);
		g_hash_table_remove_all(self->distros);
		for (guint i = 0; i < hosts->len; i++) {
			const PxfHost *host = g_ptr_array_index(hosts, i);
			g_autofree gchar *dname =
				pxf_http_host_string_var(self, host, "distro.name");
			g_autofree gchar *tree = NULL;
			gchar *dir;

			if (dname == NULL || g_hash_table_contains(self->distros, dname))
				continue;
			tree = pxf_http_host_string_var(self, host, "distro.tree");
			dir = pxf_http_tree_local_dir(tree);
			if (dir != NULL)
				g_hash_table_insert(self->distros, g_steal_pointer(&dname), dir);
		}
		self->distros_updated = now;
	}
	return g_strdup(g_hash_table_lookup(self->distros, name));
}

/* ---- files --------------------------------------------------------------------- */

static void
pxf_http_respond_error(PxfHttpRequest *request, const GError *error)
{
	guint status = pxf_http_error_to_status(error);
	const gchar *path = pxf_http_request_get_path(request);

	if (status == 404)
		g_debug("%s /%s from %s: %s", pxf_http_request_get_method(request), path,
			pxf_http_request_get_peer_ip(request), error->message);
	else
		g_warning("refusing %s /%s from %s: %s", pxf_http_request_get_method(request), path,
			  pxf_http_request_get_peer_ip(request), error->message);
	switch (status) {
	case 403:
		pxf_http_request_respond_text(request, status, "forbidden\n");
		break;
	case 404:
		pxf_http_request_respond_text(request, status, "not found\n");
		break;
	case 400:
		pxf_http_request_respond_text(request, status, "bad request\n");
		break;
	default:
		pxf_http_request_respond_text(request, 500, "internal error\n");
		break;
	}
}

/* A file a file.open callback named: trusted, but it must be a regular file. */
static void
pxf_http_serve_local_path(PxfHttpRequest *request, const gchar *local_path, const gchar *path)
{
	g_autoptr(GError) error = NULL;
	struct stat st;
	gint fd = open(local_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		gint saved = errno;
		g_set_error(&error, PXF_HTTP_ERROR,
			    saved == ENOENT ? PXF_HTTP_ERROR_NOT_FOUND : PXF_HTTP_ERROR_FAILED,
			    "file.open named %s: %s", local_path, g_strerror(saved));
		pxf_http_respond_error(request, error);
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		g_set_error(&error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FORBIDDEN,
			    "file.open named %s, which is not a regular file", local_path);
		pxf_http_respond_error(request, error);
		return;
	}
	pxf_http_request_respond_fd(request, fd, &st, pxf_http_content_type(path));
}

static void
pxf_http_serve_tree(PxfHttp *self, PxfHttpRequest *request, const PxfClient *client)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *distro_dir = NULL;
	const gchar *path = pxf_http_request_get_path(request);
	const gchar *rel = path;
	const gchar *dir = pxf_http_trees_match(self->trees, path, &rel);
	gboolean is_index = FALSE;
	struct stat st;
	gint fd;

	if (dir == NULL && g_str_has_prefix(path, "distros/")) {
		const gchar *name = path + strlen("distros/");
		const gchar *slash = strchr(name, '/');
		g_autofree gchar *dname =
			slash != NULL ? g_strndup(name, (gsize)(slash - name)) : g_strdup(name);
		distro_dir = pxf_http_distro_dir(self, client->host, dname);
		if (distro_dir != NULL) {
			dir = distro_dir;
			rel = slash != NULL ? slash + 1 : "";
		}
	}
	if (dir == NULL) {
		dir = self->root;
		rel = path;
	}
	fd = pxf_http_tree_open(dir, rel, &st, &is_index, &error);
	if (fd < 0) {
		pxf_http_respond_error(request, error);
		return;
	}
	pxf_http_request_respond_fd(request, fd, &st,
				    is_index ? "text/html; charset=utf-8"
					     : pxf_http_content_type(path));
}

static void
pxf_http_serve_file(PxfHttp *self, PxfHttpRequest *request)
{
	PxfHttpServed *served = g_new0(PxfHttpServed, 1);
	PxfFileOpenArgs args = {0};
	PxfVerdict verdict;
	const gchar *path = pxf_http_request_get_path(request);

	served->path = g_strdup(path);
	pxf_client_init(&served->slot, self->ctx, "http", pxf_http_request_get_peer(request),
			pxf_http_request_get_local(request), NULL);
	pxf_http_request_set_data(request, served, pxf_http_served_free);
	args.client = &served->slot.pub;
	args.path = path;
	verdict = pxf_plugin_context_open_file(self->ctx, &args);
	if (verdict == PXF_VERDICT_DROP) {
		g_debug("%s /%s from %s: dropped by file.open",
			pxf_http_request_get_method(request), path,
			pxf_http_request_get_peer_ip(request));
		pxf_http_request_respond_text(request, 404, "not found\n");
	} else if (verdict == PXF_VERDICT_SKIP && args.content != NULL) {
		pxf_http_request_respond_bytes(request, 200, args.content,
					       pxf_http_content_type(path), FALSE);
	} else if (verdict == PXF_VERDICT_SKIP && args.local_path != NULL) {
		pxf_http_serve_local_path(request, args.local_path, path);
	} else if (verdict == PXF_VERDICT_SKIP) {
		g_warning("%s /%s: a file.open callback answered without a file",
			  pxf_http_request_get_method(request), path);
		pxf_http_request_respond_text(request, 404, "not found\n");
	} else {
		pxf_http_serve_tree(self, request, &served->slot.pub);
	}
	g_clear_pointer(&args.content, g_bytes_unref);
	g_clear_pointer(&args.local_path, g_free);
}

void
pxf_http_progress(PxfHttpRequest *request, guint64 done, guint64 total, gpointer user_data)
{
	PxfHttp *self = user_data;
	PxfHttpServed *served = pxf_http_request_get_data(request);

	if (served != NULL)
		pxf_plugin_context_report_transfer(self->ctx, &served->slot.pub, served->path, done,
						   total);
}

void
pxf_http_finished(PxfHttpRequest *request, gboolean complete, gpointer user_data)
{
	PxfHttp *self = user_data;
	PxfHttpServed *served = pxf_http_request_get_data(request);
	guint status = pxf_http_request_get_status(request);
	guint64 bytes = pxf_http_request_get_body_size(request);

	if (served == NULL || !complete || pxf_http_request_is_head(request) || status < 200 ||
	    status >= 300)
		return;
	pxf_plugin_context_report_transfer(self->ctx, &served->slot.pub, served->path, bytes,
					   bytes);
	pxf_plugin_context_emit_host_event(self->ctx, &served->slot.pub, served->slot.pub.mac,
					   PXF_HOST_EVENT_FILE_SERVED, served->path, bytes);
}

/* ---- answer files ---------------------------------------------------------------- */

static void
pxf_http_serve_ks(PxfHttp *self, PxfHttpRequest *request, const gchar *mac)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GBytes) bytes = NULL;
	g_autofree gchar *content_type = NULL;
	const gchar *ip = pxf_http_request_get_peer_ip(request);
	const PxfHost *host = pxf_plugin_context_find_host(self->ctx, mac);
	PxfClientSlot slot;
	gboolean rendered;

	if (host == NULL) {
		g_debug("answer file of %s asked by %s: no such host", mac, ip);
		pxf_http_request_respond_text(request, 404, "not found\n");
		return;
	}
	if (!self->ks_any_address) {
		const gchar *owner = pxf_plugin_context_get_address_owner(self->ctx, ip);
		if (g_strcmp0(owner, mac) != 0) {
			/* it carries the install token and the root password hash */
			g_warning("refusing the answer file of %s to %s: that address %s%s", mac,
				  ip, owner != NULL ? "belongs to " : "is not leased to that host",
				  owner != NULL ? owner : "");
			pxf_http_request_respond_text(request, 403, "forbidden\n");
			return;
		}
	}
	if (pxf_host_get_profile(host) == NULL) {
		g_debug("answer file of %s asked by %s: the host has no profile", mac, ip);
		pxf_http_request_respond_text(request, 404, "not found\n");
		return;
	}

	pxf_client_init(&slot, self->ctx, "http", pxf_http_request_get_peer(request),
			pxf_http_request_get_local(request), NULL);
	rendered = pxf_plugin_context_render_profile(self->ctx, &slot.pub, host, out, &content_type,
						     &error);
	if (!rendered && g_error_matches(error, PXF_ERROR, PXF_ERROR_CONFLICT)) {
		/* an installed host gets neither its root password hash nor a
		 * token to report with, until the operator reinstalls it */
		g_warning("refusing the answer file of %s to %s: %s", mac, ip, error->message);
		pxf_http_request_respond_text(request, 409, "conflict\n");
		pxf_client_clear(&slot);
		return;
	}
	if (!rendered) {
		g_warning("rendering the answer file of %s for %s: %s", mac, ip, error->message);
		pxf_http_request_respond_text(request, 500, "internal error\n");
		pxf_client_clear(&slot);
		return;
	}
	bytes = g_string_free_to_bytes(g_steal_pointer(&out));
	pxf_http_request_set_redacted(request);
	pxf_http_request_respond_bytes(request, 200, bytes, content_type, TRUE);
	if (!pxf_http_request_is_head(request)) {
		g_autoptr(GError) error_state = NULL;
		pxf_plugin_context_emit_host_event(self->ctx, &slot.pub, mac,
						   PXF_HOST_EVENT_INSTALLER_STARTED, "ks served",
						   0);
		gboolean moved;

		/* the machine itself moves its state; with ks_any_address the
		 * operator has vouched for every address */
		if (self->ks_any_address)
			moved = pxf_plugin_context_set_host_state(
				self->ctx, mac, PXF_HOST_STATE_INSTALLING, "answer file fetched",
				&error_state);
		else
			moved = pxf_plugin_context_set_client_host_state(
				self->ctx, &slot.pub, mac, PXF_HOST_STATE_INSTALLING,
				"answer file fetched", &error_state);
		if (!moved)
			g_debug("host %s stays %s: %s", mac,
				pxf_host_state_to_string(
					pxf_plugin_context_get_host_state(self->ctx, mac)),
				error_state->message);
	}
	pxf_client_clear(&slot);
}

/* ---- install reports -------------------------------------------------------------- */

static const gchar *
pxf_http_param(PxfHttpRequest *request, const gchar *name)
{
	const gchar *value = pxf_http_request_get_query(request, name);
	return value != NULL ? value : pxf_http_request_get_form(request, name);
}

static void
pxf_http_report(PxfHttp *self, PxfHttpRequest *request, const gchar *mac, gboolean done)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *reason = NULL;
	const gchar *token = pxf_http_request_get_header(request, "X-Pxeforge-Token");
	const gchar *ip = pxf_http_request_get_peer_ip(request);
	const gchar *raw_reason = pxf_http_param(request, "reason");

	if (token == NULL)
		token = pxf_http_param(request, "token");
	if (token != NULL)
		pxf_http_request_set_redacted(request);
	if (!done && raw_reason != NULL && raw_reason[0] != '\0') {
		g_autofree gchar *valid = g_utf8_make_valid(raw_reason, -1);
		if (g_utf8_strlen(valid, -1) > PXF_HTTP_REASON_MAX)
			*g_utf8_offset_to_pointer(valid, PXF_HTTP_REASON_MAX) = '\0';
		reason = g_strdup_printf("installer reported failure: %s", valid);
	}
	if (pxf_plugin_context_report_install(self->ctx, mac, token, done, reason, &error)) {
		g_debug("host %s reported %s from %s", mac, done ? "done" : "failed", ip);
		pxf_http_request_respond_text(request, 200, "ok\n");
		return;
	}
	if (g_error_matches(error, PXF_ERROR, PXF_ERROR_DENIED)) {
		g_warning("refusing the %s report for %s from %s: %s", done ? "done" : "failed",
			  mac, ip, error->message);
		pxf_http_request_respond_text(request, 403, "forbidden\n");
	} else if (g_error_matches(error, PXF_ERROR, PXF_ERROR_NOT_FOUND)) {
		g_debug("%s report for %s from %s: %s", done ? "done" : "failed", mac, ip,
			error->message);
		pxf_http_request_respond_text(request, 404, "not found\n");
	} else if (g_error_matches(error, PXF_ERROR, PXF_ERROR_INVALID)) {
		g_warning("%s report for %s from %s: %s", done ? "done" : "failed", mac, ip,
			  error->message);
		pxf_http_request_respond_text(request, 400, "bad request\n");
	} else {
		/* e.g. a host that is not installing cannot become installed */
		g_warning("%s report for %s from %s not recorded: %s", done ? "done" : "failed",
			  mac, ip, error->message);
		pxf_http_request_respond_text(request, 409, "conflict\n");
	}
}

/* ---- routing ---------------------------------------------------------------------- */

void
pxf_http_handle(PxfHttpRequest *request, gpointer user_data)
{
	PxfHttp *self = user_data;
	const gchar *method = pxf_http_request_get_method(request);
	gboolean get_or_head = g_strcmp0(method, "GET") == 0 || g_strcmp0(method, "HEAD") == 0;
	PxfHttpRoute route;

	pxf_http_route_parse(pxf_http_request_get_path(request), &route);
	switch (route.kind) {
	case PXF_HTTP_ROUTE_KS:
		if (!get_or_head)
			pxf_http_request_respond_not_allowed(request, "GET, HEAD");
		else
			pxf_http_serve_ks(self, request, route.mac);
		break;
	case PXF_HTTP_ROUTE_REPORT:
		if (g_strcmp0(method, "POST") != 0)
			pxf_http_request_respond_not_allowed(request, "POST");
		else
			pxf_http_report(self, request, route.mac, route.done);
		break;
	case PXF_HTTP_ROUTE_FILE:
		if (!get_or_head)
			pxf_http_request_respond_not_allowed(request, "GET, HEAD");
		else
			pxf_http_serve_file(self, request);
		break;
	case PXF_HTTP_ROUTE_NOT_FOUND:
	default:
		pxf_http_request_respond_text(request, 404, "not found\n");
		break;
	}
}

/* ---- template variables ----------------------------------------------------------- */

static gchar *
pxf_http_url_host(GInetAddress *address)
{
	g_autofree gchar *text = g_inet_address_to_string(address);
	if (g_inet_address_get_family(address) == G_SOCKET_FAMILY_IPV6)
		return g_strdup_printf("[%s]", text);
	return g_steal_pointer(&text);
}

/* http://HOST[:PORT], without the port when it is HTTP's own */
static gchar *
pxf_http_url_for(GInetAddress *address, guint16 port)
{
	g_autofree gchar *host = pxf_http_url_host(address);
	if (port == 80)
		return g_strdup_printf("http://%s", host);
	return g_strdup_printf("http://%s:%u", host, port);
}

gchar *
pxf_http_base_url(PxfHttp *self, const PxfClient *client)
{
	if (self->public_url != NULL)
		return g_strdup(self->public_url);
	if (client != NULL && client->local != NULL) {
		GInetAddress *local = g_inet_socket_address_get_address(client->local);
		if (!g_inet_address_get_is_any(local))
			return pxf_http_url_for(local, self->port);
	}
	if (self->first_address != NULL) {
		g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(self->first_address);
		if (addr != NULL && !g_inet_address_get_is_any(addr))
			return pxf_http_url_for(addr, self->port);
	}
	return NULL;
}

PxfVerdict
pxf_http_template_vars(PxfTemplateVarsArgs *args, gpointer user_data)
{
	PxfHttp *self = user_data;
	g_autofree gchar *base = pxf_http_base_url(self, args->client);
	const gchar *mac;

	if (base == NULL)
		return PXF_VERDICT_CONTINUE;
	pxf_vars_set_string(args->vars, "http.base_url", base);
	if (args->host == NULL)
		return PXF_VERDICT_CONTINUE;
	mac = pxf_host_get_mac(args->host);
	{
		g_autofree gchar *ks = g_strdup_printf("%s/ks/%s", base, mac);
		g_autofree gchar *done = g_strdup_printf("%s/api/v1/hosts/%s/done", base, mac);
		g_autofree gchar *failed = g_strdup_printf("%s/api/v1/hosts/%s/failed", base, mac);
		pxf_vars_set_string(args->vars, "install.ks_url", ks);
		pxf_vars_set_string(args->vars, "install.done_url", done);
		pxf_vars_set_string(args->vars, "install.failed_url", failed);
	}
	{
		/* a local tree is only reachable through this server */
		g_autoptr(GVariant) name = pxf_vars_lookup(args->vars, "distro.name");
		g_autoptr(GVariant) tree = pxf_vars_lookup(args->vars, "distro.tree");
		g_autofree gchar *dir = NULL;

		if (name != NULL && tree != NULL &&
		    g_variant_is_of_type(name, G_VARIANT_TYPE_STRING) &&
		    g_variant_is_of_type(tree, G_VARIANT_TYPE_STRING))
			dir = pxf_http_tree_local_dir(g_variant_get_string(tree, NULL));
		if (dir != NULL) {
			g_autofree gchar *url = g_strdup_printf("%s/distros/%s/", base,
								g_variant_get_string(name, NULL));
			pxf_vars_set_string(args->vars, "http.tree_url", url);
		}
	}
	return PXF_VERDICT_CONTINUE;
}
