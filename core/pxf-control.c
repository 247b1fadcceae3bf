/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE  /* struct ucred */
#define G_LOG_DOMAIN "pxf-control"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pxf-control.h"

/* Replies come from our own daemon, but a bound keeps a confused peer from
 * making the parser recurse without limit. */
#define PXF_CONTROL_MAX_REPLY_DEPTH 512

/* clang-format off */
G_DEFINE_QUARK(pxf_control_error_quark, pxf_control_error)
/* clang-format on */

static const struct {
	PxfControlError code;
	const gchar *name;
} pxf_control_codes[] = {
	{PXF_CONTROL_ERROR_FAILED, "failed"},
	{PXF_CONTROL_ERROR_DENIED, "denied"},
	{PXF_CONTROL_ERROR_BAD_REQUEST, "bad-request"},
	{PXF_CONTROL_ERROR_UNKNOWN_COMMAND, "unknown-command"},
	{PXF_CONTROL_ERROR_INVALID_ARGUMENT, "invalid-argument"},
	{PXF_CONTROL_ERROR_NOT_FOUND, "not-found"},
	{PXF_CONTROL_ERROR_BUSY, "busy"},
};

const gchar *
pxf_control_error_code_to_string(PxfControlError code)
{
	for (gsize i = 0; i < G_N_ELEMENTS(pxf_control_codes); i++) {
		if (pxf_control_codes[i].code == code)
			return pxf_control_codes[i].name;
	}
	return "failed";
}

PxfControlError
pxf_control_error_code_from_string(const gchar *code)
{
	for (gsize i = 0; code != NULL && i < G_N_ELEMENTS(pxf_control_codes); i++) {
		if (g_strcmp0(pxf_control_codes[i].name, code) == 0)
			return pxf_control_codes[i].code;
	}
	return PXF_CONTROL_ERROR_FAILED;
}

static gboolean
pxf_control_check_path(const gchar *path, GError **error)
{
	struct sockaddr_un sa;

	if (path == NULL || path[0] == '\0' || strlen(path) >= sizeof(sa.sun_path)) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_FAILED,
			    "control socket path “%s” is empty or longer than %zu bytes",
			    path != NULL ? path : "", sizeof(sa.sun_path) - 1);
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_control_fail_errno(GError **error, int errsv, const gchar *what, const gchar *path)
{
	g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_FAILED, "%s %s: %s", what, path,
		    g_strerror(errsv));
	return FALSE;
}

/* json-glib's parser recurses once per nesting level: count levels first,
 * outside of strings, so "[[[[…" cannot exhaust the stack. */
static gboolean
pxf_control_depth_ok(const gchar *data, gsize len, guint max_depth)
{
	guint depth = 0;
	gboolean in_string = FALSE;
	gboolean escaped = FALSE;

	for (gsize i = 0; i < len; i++) {
		gchar c = data[i];
		if (in_string) {
			if (escaped)
				escaped = FALSE;
			else if (c == '\\')
				escaped = TRUE;
			else if (c == '"')
				in_string = FALSE;
			continue;
		}
		if (c == '"') {
			in_string = TRUE;
		} else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return FALSE;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return TRUE;
}

/* One JSON object from one line: UTF-8, bounded depth, an object at the top. */
static JsonObject *
pxf_control_parse_line(const gchar *data, gsize len, guint max_depth, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error_local = NULL;
	JsonNode *root;

	/* also refuses NUL bytes, which the JSON parser would stop at */
	if (!g_utf8_validate(data, (gssize)len, NULL)) {
		g_set_error_literal(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_BAD_REQUEST,
				    "not valid UTF-8");
		return NULL;
	}
	if (!pxf_control_depth_ok(data, len, max_depth)) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_BAD_REQUEST,
			    "JSON nested deeper than %u levels", max_depth);
		return NULL;
	}
	if (!json_parser_load_from_data(parser, data, (gssize)len, &error_local)) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_BAD_REQUEST,
			    "malformed JSON: %s", error_local->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error_literal(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_BAD_REQUEST,
				    "not a JSON object");
		return NULL;
	}
	return json_object_ref(json_node_get_object(root));
}

/* A string member, or NULL when missing or of another type. */
static const gchar *
pxf_control_get_string(JsonObject *obj, const gchar *name)
{
	JsonNode *node = json_object_get_member(obj, name);

	if (node == NULL || json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

static gchar *
pxf_control_node_to_line(JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree gchar *data = NULL;

	/* not pretty: strings are escaped, so this is a single line */
	json_generator_set_root(gen, node);
	data = json_generator_to_data(gen, NULL);
	return g_strconcat(data, "\n", NULL);
}

/* ---- server ------------------------------------------------------------ */

typedef struct _PxfControlClient PxfControlClient;

struct _PxfControlServer {
	gchar *path;
	PxfControlHandler handler;
	gpointer user_data;
	GMainContext *context;
	GSocketService *service;
	GPtrArray *clients; /* PxfControlClient, one reference each */
	dev_t dev;	    /* of the socket file we created */
	ino_t ino;
	guint idle_timeout;
	guint next_id;
};

struct _PxfControlClient {
	gint ref;
	guint id;		  /* for logs */
	PxfControlServer *server; /* NULL once detached */
	GSocketConnection *conn;
	GCancellable *cancellable;
	GSource *idle_source;
	PxfControlPeer peer;
	GByteArray *inbuf;	    /* received, not yet a whole line */
	GString *outbuf;	    /* replies not yet written */
	GBytes *writing;	    /* replies being written */
	gboolean close_after_write; /* framing lost or peer refused */
	gboolean closed;
	guint8 readbuf[4096];
};

static PxfControlClient *
pxf_control_client_ref(PxfControlClient *client)
{
	g_atomic_int_inc(&client->ref);
	return client;
}

static void
pxf_control_client_unref(PxfControlClient *client)
{
	if (!g_atomic_int_dec_and_test(&client->ref))
		return;
	g_io_stream_close(G_IO_STREAM(client->conn), NULL, NULL);
	g_object_unref(client->conn);
	g_object_unref(client->cancellable);
	g_byte_array_unref(client->inbuf);
	g_string_free(client->outbuf, TRUE);
	if (client->writing != NULL)
		g_bytes_unref(client->writing);
	g_free(client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfControlClient, pxf_control_client_unref)

static void
pxf_control_client_close(PxfControlClient *client)
{
	PxfControlServer *server = client->server;

	if (client->closed)
		return;
	client->closed = TRUE;
	g_debug("client %u: closing", client->id);
	if (client->idle_source != NULL) {
		g_source_destroy(client->idle_source);
		g_clear_pointer(&client->idle_source, g_source_unref);
	}
	/* pending operations finish with CANCELLED and drop their references;
	 * the shutdown lets the peer see EOF now, the fd closes with the last
	 * reference */
	g_cancellable_cancel(client->cancellable);
	g_socket_shutdown(g_socket_connection_get_socket(client->conn), TRUE, TRUE, NULL);
	client->server = NULL;
	if (server != NULL)
		g_ptr_array_remove(server->clients, client);
}

static gboolean
pxf_control_client_idle_cb(gpointer user_data)
{
	PxfControlClient *client = user_data;

	g_debug("client %u: idle for too long", client->id);
	pxf_control_client_close(client);
	return G_SOURCE_REMOVE;
}

static void
pxf_control_client_reset_idle(PxfControlClient *client)
{
	if (client->idle_source != NULL) {
		g_source_destroy(client->idle_source);
		g_clear_pointer(&client->idle_source, g_source_unref);
	}
	if (client->closed || client->server == NULL || client->server->idle_timeout == 0)
		return;
	client->idle_source = g_timeout_source_new_seconds(client->server->idle_timeout);
	g_source_set_callback(client->idle_source, pxf_control_client_idle_cb,
			      pxf_control_client_ref(client),
			      (GDestroyNotify)pxf_control_client_unref);
	g_source_attach(client->idle_source, client->server->context);
}

static void
pxf_control_client_append_error(PxfControlClient *client, const GError *error)
{
	g_autoptr(JsonObject) obj = json_object_new();
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	g_autofree gchar *message = g_utf8_make_valid(error->message, -1);
	g_autofree gchar *line = NULL;
	const gchar *code = "failed";

	if (error->domain == PXF_CONTROL_ERROR)
		code = pxf_control_error_code_to_string((PxfControlError)error->code);
	json_object_set_boolean_member(obj, "ok", FALSE);
	json_object_set_string_member(obj, "error", message);
	json_object_set_string_member(obj, "code", code);
	json_node_set_object(node, obj);
	line = pxf_control_node_to_line(node);
	g_string_append(client->outbuf, line);
}

static void
pxf_control_client_append_result(PxfControlClient *client, JsonNode *result)
{
	g_autoptr(JsonObject) obj = json_object_new();
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	g_autofree gchar *line = NULL;

	json_object_set_boolean_member(obj, "ok", TRUE);
	json_object_set_member(obj, "result",
			       result != NULL ? json_node_copy(result)
					      : json_node_new(JSON_NODE_NULL));
	json_node_set_object(node, obj);
	line = pxf_control_node_to_line(node);
	/* the generator copies strings as they are: keep the reply parseable */
	if (!g_utf8_validate(line, -1, NULL)) {
		g_autoptr(GError) error = g_error_new_literal(
			PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_FAILED, "result is not valid UTF-8");
		g_warning("client %u: %s", client->id, error->message);
		pxf_control_client_append_error(client, error);
		return;
	}
	g_string_append(client->outbuf, line);
}

static void
pxf_control_client_handle_line(PxfControlClient *client, const gchar *data, gsize len)
{
	PxfControlServer *server = client->server;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) request = NULL;
	g_autoptr(JsonObject) args = NULL;
	g_autoptr(JsonNode) result = NULL;
	g_autofree gchar *command = NULL;
	JsonNode *args_node;
	gsize blank = 0;

	if (len > 0 && data[len - 1] == '\r')
		len--;
	/* blank lines (an interactive `socat` user pressing enter) are ignored */
	while (blank < len && (data[blank] == ' ' || data[blank] == '\t'))
		blank++;
	if (blank == len)
		return;

	request = pxf_control_parse_line(data, len, PXF_CONTROL_MAX_DEPTH, &error);
	if (request == NULL) {
		g_debug("client %u: bad request: %s", client->id, error->message);
		pxf_control_client_append_error(client, error);
		return;
	}
	command = g_strdup(pxf_control_get_string(request, "command"));
	if (command == NULL || command[0] == '\0') {
		g_set_error_literal(&error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_BAD_REQUEST,
				    "request has no \"command\" string");
		pxf_control_client_append_error(client, error);
		return;
	}
	args_node = json_object_get_member(request, "args");
	if (args_node == NULL || JSON_NODE_HOLDS_NULL(args_node)) {
		args = json_object_new();
	} else if (JSON_NODE_HOLDS_OBJECT(args_node)) {
		args = json_object_ref(json_node_get_object(args_node));
	} else {
		g_set_error_literal(&error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_BAD_REQUEST,
				    "\"args\" must be an object");
		pxf_control_client_append_error(client, error);
		return;
	}

	g_debug("client %u: command “%s” from uid %u pid %ld", client->id, command,
		(guint)client->peer.uid, (long)client->peer.pid);
	result = server->handler(command, args, &client->peer, server->user_data, &error);
	/* the handler may have stopped the server */
	if (client->closed)
		return;
	if (result == NULL && error != NULL) {
		g_debug("client %u: %s: %s", client->id, command, error->message);
		pxf_control_client_append_error(client, error);
		return;
	}
	pxf_control_client_append_result(client, result);
}

static void
pxf_control_client_refuse(PxfControlClient *client, PxfControlError code, const gchar *message)
{
	g_autoptr(GError) error = g_error_new_literal(PXF_CONTROL_ERROR, code, message);
	pxf_control_client_append_error(client, error);
	client->close_after_write = TRUE;
}

static void pxf_control_client_read(PxfControlClient *client);
static void pxf_control_client_flush(PxfControlClient *client);

/* Answers every whole line received so far, then writes or reads on. */
static void
pxf_control_client_process(PxfControlClient *client)
{
	const guint8 *nl;

	while (!client->closed && client->server != NULL && !client->close_after_write &&
	       client->inbuf->len > 0 &&
	       (nl = memchr(client->inbuf->data, '\n', client->inbuf->len)) != NULL) {
		gsize len = (gsize)(nl - client->inbuf->data);
		if (len > PXF_CONTROL_MAX_REQUEST)
			break;
		pxf_control_client_handle_line(client, (const gchar *)client->inbuf->data, len);
		g_byte_array_remove_range(client->inbuf, 0, (guint)len + 1);
	}
	if (client->closed || client->server == NULL)
		return;
	if (!client->close_after_write) {
		nl = client->inbuf->len > 0 ? memchr(client->inbuf->data, '\n', client->inbuf->len)
					    : NULL;
		if ((nl != NULL && (gsize)(nl - client->inbuf->data) > PXF_CONTROL_MAX_REQUEST) ||
		    (nl == NULL && client->inbuf->len > PXF_CONTROL_MAX_REQUEST)) {
			g_autofree gchar *msg = g_strdup_printf("request longer than %u bytes",
								(guint)PXF_CONTROL_MAX_REQUEST);
			g_debug("client %u: %s", client->id, msg);
			/* the rest of the line cannot be told from the next request */
			pxf_control_client_refuse(client, PXF_CONTROL_ERROR_BAD_REQUEST, msg);
			g_byte_array_set_size(client->inbuf, 0);
		}
	}
	if (client->outbuf->len > 0)
		pxf_control_client_flush(client);
	else
		pxf_control_client_read(client);
}

static void
pxf_control_client_write_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(PxfControlClient) client = user_data;
	g_autoptr(GError) error = NULL;

	g_clear_pointer(&client->writing, g_bytes_unref);
	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), res, NULL, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_debug("client %u: write: %s", client->id, error->message);
		pxf_control_client_close(client);
		return;
	}
	if (client->closed)
		return;
	if (client->close_after_write) {
		pxf_control_client_close(client);
		return;
	}
	pxf_control_client_process(client);
}

static void
pxf_control_client_flush(PxfControlClient *client)
{
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(client->conn));
	gsize len = client->outbuf->len;

	client->writing = g_string_free_to_bytes(client->outbuf);
	client->outbuf = g_string_new(NULL);
	g_output_stream_write_all_async(
		out, g_bytes_get_data(client->writing, NULL), len, G_PRIORITY_DEFAULT,
		client->cancellable, pxf_control_client_write_cb, pxf_control_client_ref(client));
}

static void
pxf_control_client_read_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(PxfControlClient) client = user_data;
	g_autoptr(GError) error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), res, &error);

	if (n < 0) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_debug("client %u: read: %s", client->id, error->message);
		pxf_control_client_close(client);
		return;
	}
	if (client->closed)
		return;
	if (n == 0) {
		/* an unterminated last line is not a request */
		pxf_control_client_close(client);
		return;
	}
	g_byte_array_append(client->inbuf, client->readbuf, (guint)n);
	pxf_control_client_reset_idle(client);
	pxf_control_client_process(client);
}

static void
pxf_control_client_read(PxfControlClient *client)
{
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(client->conn));

	g_input_stream_read_async(in, client->readbuf, sizeof(client->readbuf), G_PRIORITY_DEFAULT,
				  client->cancellable, pxf_control_client_read_cb,
				  pxf_control_client_ref(client));
}

static gboolean
pxf_control_peer_allowed(const PxfControlPeer *peer)
{
	return peer->uid == 0 || peer->uid == geteuid();
}

static gboolean
pxf_control_incoming_cb(GSocketService *service,
			GSocketConnection *conn,
			GObject *source_object,
			gpointer user_data)
{
	PxfControlServer *server = user_data;
	GSocket *sock = g_socket_connection_get_socket(conn);
	struct ucred cred = {0};
	socklen_t cred_len = sizeof(cred);
	g_autoptr(PxfControlClient) client = NULL;

	/* the kernel records who called connect(); nothing the peer sends can
	 * change it */
	if (getsockopt(g_socket_get_fd(sock), SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) != 0 ||
	    cred_len != sizeof(cred)) {
		g_debug("cannot read peer credentials: %s", g_strerror(errno));
		g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
		return TRUE;
	}

	client = g_new0(PxfControlClient, 1);
	client->ref = 1;
	client->id = ++server->next_id;
	client->server = server;
	client->conn = g_object_ref(conn);
	client->cancellable = g_cancellable_new();
	client->inbuf = g_byte_array_new();
	client->outbuf = g_string_new(NULL);
	client->peer.uid = cred.uid;
	client->peer.gid = cred.gid;
	client->peer.pid = cred.pid;
	/* one reference for the list, one for this function */
	g_ptr_array_add(server->clients, pxf_control_client_ref(client));
	g_debug("client %u: connected, uid %u gid %u pid %ld", client->id, (guint)cred.uid,
		(guint)cred.gid, (long)cred.pid);

	pxf_control_client_reset_idle(client);
	if (!pxf_control_peer_allowed(&client->peer)) {
		g_autofree gchar *msg = g_strdup_printf(
			"permission denied: uid %u may not control pxeforged", (guint)cred.uid);
		g_message("refused control connection from uid %u (pid %ld)", (guint)cred.uid,
			  (long)cred.pid);
		pxf_control_client_refuse(client, PXF_CONTROL_ERROR_DENIED, msg);
	} else if (server->clients->len > PXF_CONTROL_MAX_CLIENTS) {
		pxf_control_client_refuse(client, PXF_CONTROL_ERROR_BUSY,
					  "too many control connections, try again later");
	}
	pxf_control_client_process(client);
	return TRUE;
}

/* An existing socket file: still served (refuse), or left over by a daemon
 * that did not clean up (remove). Anything else at @path is not ours. */
static gboolean
pxf_control_remove_stale(const gchar *path, GError **error)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;
	int rc;
	int errsv;

	if (lstat(path, &st) != 0)
		return errno == ENOENT || pxf_control_fail_errno(error, errno, "cannot stat", path);
	if (!S_ISSOCK(st.st_mode)) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_FAILED,
			    "%s exists and is not a socket; not replacing it", path);
		return FALSE;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return pxf_control_fail_errno(error, errno, "cannot create a socket to check",
					      path);
	memcpy(sa.sun_path, path, strlen(path));
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	errsv = errno;
	close(fd);
	/* EAGAIN: a full backlog, so somebody listens */
	if (rc == 0 || errsv == EAGAIN || errsv == EINPROGRESS) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_IN_USE,
			    "another pxeforged is already listening on %s", path);
		return FALSE;
	}
	if (errsv != ECONNREFUSED)
		return pxf_control_fail_errno(error, errsv, "cannot probe existing socket", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return pxf_control_fail_errno(error, errno, "cannot remove stale socket", path);
	g_debug("removed stale control socket %s", path);
	return TRUE;
}

static gboolean
pxf_control_make_dir(const gchar *path, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname(path);

	if (g_file_test(dir, G_FILE_TEST_IS_DIR))
		return TRUE;
	if (g_mkdir_with_parents(dir, 0750) != 0)
		return pxf_control_fail_errno(error, errno, "cannot create directory", dir);
	/* exactly 0750 whatever the umask */
	if (chmod(dir, 0750) != 0)
		return pxf_control_fail_errno(error, errno, "cannot set the mode of", dir);
	return TRUE;
}

static GSocket *
pxf_control_listen(PxfControlServer *server, GError **error)
{
	g_autoptr(GSocket) sock = NULL;
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(server->path);
	g_autoptr(GError) error_local = NULL;
	struct stat st;
	mode_t old_umask;
	gboolean ok;

	sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
			    error);
	if (sock == NULL)
		return NULL;
	/* created 0600: there is no moment at which others could connect */
	old_umask = umask(0177);
	ok = g_socket_bind(sock, addr, FALSE, &error_local);
	umask(old_umask);
	if (!ok) {
		gboolean in_use =
			g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
		g_set_error(error, PXF_CONTROL_ERROR,
			    in_use ? PXF_CONTROL_ERROR_IN_USE : PXF_CONTROL_ERROR_FAILED,
			    "cannot bind %s: %s", server->path, error_local->message);
		return NULL;
	}
	if (lstat(server->path, &st) != 0 || chmod(server->path, 0600) != 0) {
		pxf_control_fail_errno(error, errno, "cannot set the mode of", server->path);
		unlink(server->path);
		return NULL;
	}
	server->dev = st.st_dev;
	server->ino = st.st_ino;
	g_socket_set_listen_backlog(sock, 16);
	if (!g_socket_listen(sock, &error_local)) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_FAILED,
			    "cannot listen on %s: %s", server->path, error_local->message);
		unlink(server->path);
		return NULL;
	}
	return g_steal_pointer(&sock);
}

/* Only the file this server bound: a second daemon started by mistake must
 * not remove the first one's socket when it fails or exits. */
static void
pxf_control_server_unlink(PxfControlServer *server)
{
	struct stat st;

	if (server->ino == 0)
		return;
	if (lstat(server->path, &st) == 0 && st.st_dev == server->dev && st.st_ino == server->ino)
		unlink(server->path);
	server->ino = 0;
}

PxfControlServer *
pxf_control_server_new(const gchar *path,
		       PxfControlHandler handler,
		       gpointer user_data,
		       GError **error)
{
	g_autoptr(PxfControlServer) server = NULL;
	g_autoptr(GSocket) sock = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(handler != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!pxf_control_check_path(path, error))
		return NULL;
	server = g_new0(PxfControlServer, 1);
	server->path = g_strdup(path);
	server->handler = handler;
	server->user_data = user_data;
	server->context = g_main_context_ref_thread_default();
	server->clients = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_control_client_unref);
	server->idle_timeout = PXF_CONTROL_IDLE_TIMEOUT;

	if (!pxf_control_make_dir(path, error))
		return NULL;
	if (!pxf_control_remove_stale(path, error))
		return NULL;
	sock = pxf_control_listen(server, error);
	if (sock == NULL)
		return NULL;
	server->service = g_socket_service_new();
	if (!g_socket_listener_add_socket(G_SOCKET_LISTENER(server->service), sock, NULL,
					  &error_local)) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_FAILED,
			    "cannot serve %s: %s", path, error_local->message);
		return NULL;
	}
	g_signal_connect(server->service, "incoming", G_CALLBACK(pxf_control_incoming_cb), server);
	g_socket_service_start(server->service);
	g_debug("listening on %s", path);
	return g_steal_pointer(&server);
}

void
pxf_control_server_free(PxfControlServer *server)
{
	g_autoptr(GPtrArray) clients = NULL;

	if (server == NULL)
		return;
	if (server->service != NULL) {
		g_signal_handlers_disconnect_by_data(server->service, server);
		g_socket_service_stop(server->service);
		g_socket_listener_close(G_SOCKET_LISTENER(server->service));
		g_object_unref(server->service);
	}
	/* detach first: closing a client removes it from server->clients */
	clients = g_steal_pointer(&server->clients);
	for (guint i = 0; i < clients->len; i++) {
		PxfControlClient *client = g_ptr_array_index(clients, i);
		client->server = NULL;
		pxf_control_client_close(client);
	}
	pxf_control_server_unlink(server);
	g_main_context_unref(server->context);
	g_free(server->path);
	g_free(server);
}

void
pxf_control_server_set_idle_timeout(PxfControlServer *server, guint seconds)
{
	g_return_if_fail(server != NULL);
	server->idle_timeout = seconds;
}

guint
pxf_control_server_get_n_clients(PxfControlServer *server)
{
	g_return_val_if_fail(server != NULL, 0);
	return server->clients->len;
}

/* ---- client ------------------------------------------------------------ */

static gboolean
pxf_control_wait(GSocket *sock, GIOCondition cond, gint64 deadline, GError **error)
{
	gint64 remaining = -1;

	if (deadline > 0) {
		remaining = deadline - g_get_monotonic_time();
		if (remaining <= 0)
			remaining = 0;
	}
	if (!g_socket_condition_timed_wait(sock, cond, remaining, NULL, error))
		return FALSE;
	return TRUE;
}

static gboolean
pxf_control_send_all(GSocket *sock, const gchar *data, gsize len, gint64 deadline, GError **error)
{
	while (len > 0) {
		gssize n;
		if (!pxf_control_wait(sock, G_IO_OUT, deadline, error))
			return FALSE;
		n = g_socket_send(sock, data, len, NULL, error);
		if (n < 0)
			return FALSE;
		data += n;
		len -= (gsize)n;
	}
	return TRUE;
}

/* Reads up to and excluding the first newline. */
static GByteArray *
pxf_control_receive_line(GSocket *sock, gint64 deadline, GError **error)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	guint8 chunk[4096];

	for (;;) {
		const guint8 *nl = buf->len > 0 ? memchr(buf->data, '\n', buf->len) : NULL;
		gssize n;

		if (nl != NULL) {
			g_byte_array_set_size(buf, (guint)(nl - buf->data));
			return g_steal_pointer(&buf);
		}
		if (buf->len > PXF_CONTROL_MAX_REPLY) {
			g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_PROTOCOL,
				    "reply longer than %u bytes", (guint)PXF_CONTROL_MAX_REPLY);
			return NULL;
		}
		if (!pxf_control_wait(sock, G_IO_IN, deadline, error))
			return NULL;
		n = g_socket_receive(sock, (gchar *)chunk, sizeof(chunk), NULL, error);
		if (n < 0)
			return NULL;
		if (n == 0) {
			g_set_error_literal(
				error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_PROTOCOL,
				buf->len == 0 ? "pxeforged closed the connection without replying"
					      : "pxeforged sent a truncated reply");
			return NULL;
		}
		g_byte_array_append(buf, chunk, (guint)n);
	}
}

static JsonNode *
pxf_control_parse_reply(GByteArray *line, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(JsonObject) reply = NULL;
	JsonNode *ok;
	JsonNode *result;
	const gchar *message;

	reply = pxf_control_parse_line((const gchar *)line->data, line->len,
				       PXF_CONTROL_MAX_REPLY_DEPTH, &error_local);
	if (reply == NULL) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_PROTOCOL,
			    "invalid reply from pxeforged: %s", error_local->message);
		return NULL;
	}
	ok = json_object_get_member(reply, "ok");
	if (ok == NULL || json_node_get_value_type(ok) != G_TYPE_BOOLEAN) {
		g_set_error_literal(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_PROTOCOL,
				    "invalid reply from pxeforged: no \"ok\" boolean");
		return NULL;
	}
	if (!json_node_get_boolean(ok)) {
		message = pxf_control_get_string(reply, "error");
		g_set_error_literal(
			error, PXF_CONTROL_ERROR,
			pxf_control_error_code_from_string(pxf_control_get_string(reply, "code")),
			message != NULL ? message
					: "pxeforged reported an error without a message");
		return NULL;
	}
	result = json_object_get_member(reply, "result");
	return result != NULL ? json_node_copy(result) : json_node_new(JSON_NODE_NULL);
}

static gchar *
pxf_control_build_request(const gchar *command, JsonObject *args)
{
	g_autoptr(JsonObject) obj = json_object_new();
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

	json_object_set_string_member(obj, "command", command);
	json_object_set_object_member(obj, "args",
				      args != NULL ? json_object_ref(args) : json_object_new());
	json_node_set_object(node, obj);
	return pxf_control_node_to_line(node);
}

static gboolean
pxf_control_connect(GSocket *sock, const gchar *path, GError **error)
{
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
	g_autoptr(GError) error_local = NULL;

	if (g_socket_connect(sock, addr, NULL, &error_local))
		return TRUE;
	if (g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
	    g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_NOT_RUNNING,
			    "cannot connect to %s: %s: is pxeforged running?", path,
			    error_local->message);
	} else if (g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_DENIED,
			    "cannot connect to %s: %s (run as root or as pxeforged's user)", path,
			    error_local->message);
	} else if (g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_TIMED_OUT,
			    "cannot connect to %s: %s", path, error_local->message);
	} else {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_FAILED,
			    "cannot connect to %s: %s", path, error_local->message);
	}
	return FALSE;
}

JsonNode *
pxf_control_call_full(
	const gchar *path, const gchar *command, JsonObject *args, guint timeout, GError **error)
{
	g_autoptr(GSocket) sock = NULL;
	g_autoptr(GByteArray) line = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *request = NULL;
	gint64 deadline = 0;

	g_return_val_if_fail(command != NULL && command[0] != '\0', NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!pxf_control_check_path(path, error))
		return NULL;
	if (timeout > 0)
		deadline = g_get_monotonic_time() + (gint64)timeout * G_USEC_PER_SEC;
	sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
			    error);
	if (sock == NULL)
		return NULL;
	g_socket_set_timeout(sock, timeout);
	if (!pxf_control_connect(sock, path, error))
		return NULL;

	request = pxf_control_build_request(command, args);
	if (!pxf_control_send_all(sock, request, strlen(request), deadline, &error_local) ||
	    (line = pxf_control_receive_line(sock, deadline, &error_local)) == NULL) {
		if (error_local->domain == PXF_CONTROL_ERROR) {
			g_propagate_error(error, g_steal_pointer(&error_local));
		} else {
			gboolean timed_out =
				g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
			g_set_error(error, PXF_CONTROL_ERROR,
				    timed_out ? PXF_CONTROL_ERROR_TIMED_OUT
					      : PXF_CONTROL_ERROR_PROTOCOL,
				    "%s: “%s”: %s", path, command,
				    timed_out ? "no reply from pxeforged in time"
					      : error_local->message);
		}
		return NULL;
	}
	return pxf_control_parse_reply(line, error);
}

JsonNode *
pxf_control_call(const gchar *path, const gchar *command, JsonObject *args, GError **error)
{
	return pxf_control_call_full(path, command, args, PXF_CONTROL_DEFAULT_TIMEOUT, error);
}
