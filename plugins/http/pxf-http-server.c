/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmicrohttpd in "external polling" mode: no thread of its own. Each
 * listening socket gets an MHD daemon using epoll, whose epoll descriptor a
 * GSource watches on the default main context; the source also wakes up for
 * MHD's timeouts and then calls MHD_run(). So every MHD callback, and with it
 * every call into the (main-thread only) SDK, happens on the main thread. */
#define G_LOG_DOMAIN "pxf-http"

#include "pxf-http-server.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pxf-http-deadline.h"
#include "pxf-http-path.h"
#include "pxf-http-route.h"

/* the largest block a file is read in; MHD also bounds it by its buffer */
#define PXF_HTTP_BLOCK_SIZE (64 * 1024)
/* per-connection memory: request headers and the send buffer */
#define PXF_HTTP_CONNECTION_MEMORY (128 * 1024)

typedef struct {
	GSource source;
	struct MHD_Daemon *daemon;
	gpointer tag;
	gint64 deadline; /* monotonic µs when MHD wants to run, -1 for none */
} PxfHttpSource;

struct _PxfHttpServer {
	PxfHttpServerLimits limits;
	PxfHttpHandlerFunc handler;
	PxfHttpProgressFunc progress;
	PxfHttpFinishedFunc finished;
	gpointer user_data;
	GPtrArray *sources; /* PxfHttpSource*, one per listening socket */
	PxfHttpDeadline *deadline;
};

typedef struct _PxfHttpReader PxfHttpReader;

struct _PxfHttpRequest {
	PxfHttpServer *server;
	PxfHttpReader *reader; /* of the file being sent; they point at each other */
	struct MHD_Connection *connection;
	gchar *target;		 /* the raw request target, for parsing only: it may hold a token */
	const gchar *raw_target; /* libmicrohttpd's: see pxf_http_request_line_has_nul() */
	gchar *method;
	gchar *path;
	GHashTable *query;
	GHashTable *form;
	GString *body;
	GInetSocketAddress *peer;
	GInetSocketAddress *local;
	gchar *peer_ip;
	gboolean started;
	gboolean body_too_large;
	gboolean handled; /* the handler saw it: finished() is owed */
	gboolean redacted;
	guint status;
	guint64 body_size;
	gpointer data;
	GDestroyNotify data_destroy;
};

/* ---- the GSource --------------------------------------------------------- */

static gboolean
pxf_http_source_prepare(GSource *source, gint *timeout)
{
	PxfHttpSource *self = (PxfHttpSource *)source;
	MHD_UNSIGNED_LONG_LONG ms = 0;

	self->deadline = -1;
	*timeout = -1;
	if (MHD_get_timeout(self->daemon, &ms) != MHD_YES)
		return FALSE;
	if (ms == 0) {
		*timeout = 0;
		return TRUE;
	}
	self->deadline = g_source_get_time(source) + (gint64)MIN(ms, (guint64)G_MAXINT) * 1000;
	*timeout = (gint)MIN(ms, (MHD_UNSIGNED_LONG_LONG)G_MAXINT);
	return FALSE;
}

static gboolean
pxf_http_source_check(GSource *source)
{
	PxfHttpSource *self = (PxfHttpSource *)source;

	if (g_source_query_unix_fd(source, self->tag) != 0)
		return TRUE;
	return self->deadline >= 0 && g_source_get_time(source) >= self->deadline;
}

static gboolean
pxf_http_source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
	PxfHttpSource *self = (PxfHttpSource *)source;
	MHD_run(self->daemon);
	return G_SOURCE_CONTINUE;
}

static void
pxf_http_source_finalize(GSource *source)
{
	PxfHttpSource *self = (PxfHttpSource *)source;
	/* closes the connections (finishing their requests) and the listening
	 * descriptor, which is our duplicate */
	if (self->daemon != NULL)
		MHD_stop_daemon(self->daemon);
	self->daemon = NULL;
}

static GSourceFuncs pxf_http_source_funcs = {
	.prepare = pxf_http_source_prepare,
	.check = pxf_http_source_check,
	.dispatch = pxf_http_source_dispatch,
	.finalize = pxf_http_source_finalize,
};

/* ---- requests ---------------------------------------------------------------- */

GInetSocketAddress *
pxf_http_sockaddr_to_gio(const struct sockaddr *sa)
{
	gsize len;
	GSocketAddress *addr;

	if (sa == NULL)
		return NULL;
	if (sa->sa_family == AF_INET)
		len = sizeof(struct sockaddr_in);
	else if (sa->sa_family == AF_INET6)
		len = sizeof(struct sockaddr_in6);
	else
		return NULL;
	addr = g_socket_address_new_from_native((gpointer)sa, len);
	if (addr != NULL && !G_IS_INET_SOCKET_ADDRESS(addr))
		g_clear_object(&addr);
	return (GInetSocketAddress *)addr;
}

/* A file response: MHD asks for blocks, read with pread() so progress can
 * be reported as they go. (MHD_create_response_from_fd() would use
 * sendfile() only in a process that ignores SIGPIPE, which pxeforged does
 * not, and otherwise copies just the same, without telling us.) */
struct _PxfHttpReader {
	gint fd;
	guint64 offset; /* of the first byte sent, in the file */
	guint64 length;
	PxfHttpRequest *request; /* NULL once the request is gone */
};

static ssize_t
pxf_http_reader_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	PxfHttpReader *reader = cls;
	ssize_t n;

	if (pos >= reader->length)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (max > reader->length - pos)
		max = (size_t)(reader->length - pos);
	if (reader->request != NULL && reader->request->server->progress != NULL)
		reader->request->server->progress(reader->request, pos, reader->length,
						  reader->request->server->user_data);
	do {
		n = pread(reader->fd, buf, max, (off_t)(reader->offset + pos));
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		/* the file shrank or broke under us: the length was promised, so
		 * the connection has to be cut */
		g_warning("reading %s: %s",
			  reader->request != NULL && reader->request->path != NULL
				  ? reader->request->path
				  : "a file",
			  n < 0 ? g_strerror(errno) : "unexpected end of file");
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	return n;
}

static void
pxf_http_reader_free(void *cls)
{
	PxfHttpReader *reader = cls;
	if (reader->request != NULL)
		reader->request->reader = NULL;
	close(reader->fd);
	g_free(reader);
}

static void
pxf_http_request_free(PxfHttpRequest *self)
{
	if (self->reader != NULL)
		self->reader->request = NULL;
	if (self->data_destroy != NULL && self->data != NULL)
		self->data_destroy(self->data);
	g_free(self->target);
	g_free(self->method);
	g_free(self->path);
	g_clear_pointer(&self->query, g_hash_table_unref);
	g_clear_pointer(&self->form, g_hash_table_unref);
	if (self->body != NULL)
		g_string_free(self->body, TRUE);
	g_clear_object(&self->peer);
	g_clear_object(&self->local);
	g_free(self->peer_ip);
	g_free(self);
}

/* MHD_OPTION_URI_LOG_CALLBACK: the raw target before MHD decodes it, so the
 * path is decoded exactly once, by pxf_http_path_normalise(). */
static void *
pxf_http_server_uri_cb(void *cls, const char *uri, struct MHD_Connection *connection)
{
	PxfHttpRequest *self = g_new0(PxfHttpRequest, 1);
	const union MHD_ConnectionInfo *info;

	self->server = cls;
	self->connection = connection;
	self->target = g_strdup(uri != NULL ? uri : "");
	self->raw_target = uri;
	info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info != NULL)
		self->peer = pxf_http_sockaddr_to_gio(info->client_addr);
	info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (info != NULL) {
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof(ss);
		if (getsockname(info->connect_fd, (struct sockaddr *)&ss, &sslen) == 0)
			self->local = pxf_http_sockaddr_to_gio((struct sockaddr *)&ss);
	}
	if (self->peer != NULL)
		self->peer_ip =
			g_inet_address_to_string(g_inet_socket_address_get_address(self->peer));
	else
		self->peer_ip = g_strdup("?");
	return self;
}

static void
pxf_http_server_completed_cb(void *cls,
			     struct MHD_Connection *connection,
			     void **con_cls,
			     enum MHD_RequestTerminationCode toe)
{
	PxfHttpServer *server = cls;
	PxfHttpRequest *self = *con_cls;
	gboolean complete = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK;

	pxf_http_deadline_request_over(connection);
	if (self == NULL)
		return;
	*con_cls = NULL;
	if (self->method != NULL) {
		g_debug("%s /%s from %s: %u, %" G_GUINT64_FORMAT " bytes%s%s", self->method,
			self->path != NULL ? self->path : "(invalid)", self->peer_ip, self->status,
			self->body_size, complete ? "" : " (not completed)",
			self->redacted ? ", token: (redacted)" : "");
	}
	if (self->handled && server->finished != NULL)
		server->finished(self, complete, server->user_data);
	pxf_http_request_free(self);
}

static gboolean
pxf_http_request_is_form(PxfHttpRequest *self)
{
	const gchar *type = pxf_http_request_get_header(self, MHD_HTTP_HEADER_CONTENT_TYPE);
	return type == NULL ||
	       g_ascii_strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

/* The whole request is in: check the target, then hand it to the handler. */
static void
pxf_http_server_dispatch(PxfHttpServer *server, PxfHttpRequest *self)
{
	g_autoptr(GError) error = NULL;
	const gchar *query = strchr(self->target, '?');
	gsize path_len = query != NULL ? (gsize)(query - self->target) : strlen(self->target);

	pxf_http_deadline_request_in(self->connection);
	if (self->body_too_large) {
		g_warning("refusing %s from %s: request body larger than %" G_GSIZE_FORMAT " bytes",
			  self->method, self->peer_ip, server->limits.max_body);
		pxf_http_request_respond_text(self, 413, "request body too large\n");
		return;
	}
	if (self->peer == NULL) { /* TCP always has one; the handlers rely on it */
		g_warning("refusing %s: no peer address", self->method);
		pxf_http_request_respond_text(self, 500, "internal error\n");
		return;
	}
	if (self->target[0] != '/') {
		g_set_error_literal(&error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_INVALID,
				    "the request target is not an absolute path");
	} else {
		self->path = pxf_http_path_normalise(self->target, path_len, &error);
	}
	if (self->path == NULL) {
		g_autofree gchar *shown = pxf_http_path_for_log(self->target, path_len);
		guint status = pxf_http_error_to_status(error);
		g_warning("refusing %s \"%s\" from %s: %s", self->method, shown, self->peer_ip,
			  error->message);
		pxf_http_request_respond_text(self, status,
					      status == 403 ? "forbidden\n" : "bad request\n");
		return;
	}
	self->query = pxf_http_form_parse(query != NULL ? query + 1 : NULL,
					  query != NULL ? strlen(query + 1) : 0);
	if (self->body != NULL && pxf_http_request_is_form(self))
		self->form = pxf_http_form_parse(self->body->str, self->body->len);
	else
		self->form = pxf_http_form_parse(NULL, 0);
	self->handled = TRUE;
	server->handler(self, server->user_data);
	if (self->status == 0) {
		g_warning("%s /%s: no response; answering 500", self->method, self->path);
		pxf_http_request_respond_text(self, 500, "internal error\n");
	}
}

/* libmicrohttpd keeps the request line in its read buffer and hands out
 * pointers into it: the method ends where the first space was (now a NUL),
 * the target where the space before the version was (now a NUL too). A raw
 * NUL inside either shortens the C string it passes on, whose prefix would
 * then be served; so the C strings' lengths are compared with the spans
 * between the pointers. Only when the pointers have that layout (the URI
 * callback saw this very target): else nothing can be compared. */
static gboolean
pxf_http_request_line_has_nul(PxfHttpRequest *self,
			      const gchar *method,
			      const gchar *url,
			      const gchar *version)
{
	guintptr m = (guintptr)method;
	guintptr u = (guintptr)url;
	guintptr v = (guintptr)version;
	gsize method_len;

	if (url == NULL || url != self->raw_target || m == 0 || u <= m ||
	    u - m > PXF_HTTP_CONNECTION_MEMORY)
		return FALSE;
	method_len = strlen(method);
	/* between the method and the target: its ending NUL, then spaces only */
	for (const gchar *p = method + method_len + 1; p < url; p++) {
		if (*p != ' ')
			return TRUE;
	}
	if (version == NULL || version[0] == '\0' || v <= u || v - u > PXF_HTTP_CONNECTION_MEMORY)
		return FALSE;
	return v - 1 - u != strlen(self->target);
}

/* The request head is in: refusals that need no body, answered at once (a
 * body announced too large is never waited for). */
static void
pxf_http_server_check_head(PxfHttpServer *server,
			   PxfHttpRequest *self,
			   const gchar *method,
			   const gchar *url,
			   const gchar *version)
{
	const gchar *length = pxf_http_request_get_header(self, MHD_HTTP_HEADER_CONTENT_LENGTH);

	if (pxf_http_request_line_has_nul(self, method, url, version)) {
		g_autofree gchar *shown = pxf_http_path_for_log(self->target, strlen(self->target));
		pxf_http_deadline_request_in(self->connection);
		g_warning("refusing %s \"%s\" from %s: a NUL byte in the request line",
			  self->method, shown, self->peer_ip);
		pxf_http_request_respond_text(self, 400, "bad request\n");
		return;
	}
	/* libmicrohttpd answers one that is not a number, or past 64 bits */
	if (length != NULL && g_ascii_strtoull(length, NULL, 10) > server->limits.max_body) {
		pxf_http_deadline_request_in(self->connection);
		g_warning("refusing %s from %s: request body larger than %" G_GSIZE_FORMAT
			  " bytes (Content-Length: %s)",
			  self->method, self->peer_ip, server->limits.max_body, length);
		pxf_http_request_respond_text(self, 413, "request body too large\n");
	}
}

static enum MHD_Result
pxf_http_server_access_cb(void *cls,
			  struct MHD_Connection *connection,
			  const char *url,
			  const char *method,
			  const char *version,
			  const char *upload_data,
			  size_t *upload_data_size,
			  void **con_cls)
{
	PxfHttpServer *server = cls;
	PxfHttpRequest *self = *con_cls;

	if (self == NULL) /* the URI callback always runs first */
		return MHD_NO;
	if (!self->started) {
		/* headers are in; the body (if any) comes in the next calls */
		self->started = TRUE;
		self->method = g_strdup(method);
		pxf_http_server_check_head(server, self, method, url, version);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (self->body == NULL)
			self->body = g_string_new(NULL);
		if (!self->body_too_large &&
		    self->body->len + *upload_data_size <= server->limits.max_body)
			g_string_append_len(self->body, upload_data, (gssize)*upload_data_size);
		else
			self->body_too_large = TRUE;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (self->status != 0)
		return MHD_YES;
	pxf_http_server_dispatch(server, self);
	return self->status != 0 ? MHD_YES : MHD_NO;
}

static void pxf_http_server_mhd_log(void *cls, const char *fm, va_list ap) G_GNUC_PRINTF(2, 0);

static void
pxf_http_server_mhd_log(void *cls, const char *fm, va_list ap)
{
	g_autofree gchar *msg = g_strdup_vprintf(fm, ap);
	g_strchomp(msg);
	g_info("libmicrohttpd: %s", msg);
}

/* ---- the server ---------------------------------------------------------------- */

PxfHttpServer *
pxf_http_server_new(const PxfHttpServerLimits *limits,
		    PxfHttpHandlerFunc handler,
		    PxfHttpProgressFunc progress,
		    PxfHttpFinishedFunc finished,
		    gpointer user_data)
{
	PxfHttpServer *self = g_new0(PxfHttpServer, 1);

	g_return_val_if_fail(limits != NULL && handler != NULL, NULL);
	self->limits = *limits;
	self->handler = handler;
	self->progress = progress;
	self->finished = finished;
	self->user_data = user_data;
	self->sources = g_ptr_array_new();
	self->deadline = pxf_http_deadline_new(limits->request_timeout);
	return self;
}

gboolean
pxf_http_server_add_socket(PxfHttpServer *self, GSocket *socket, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *daemon;
	PxfHttpSource *source;
	gint fd;

	g_return_val_if_fail(G_IS_SOCKET(socket), FALSE);

	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) != MHD_YES) {
		g_set_error_literal(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FAILED,
				    "this libmicrohttpd was built without epoll support");
		return FALSE;
	}
	g_socket_set_listen_backlog(socket, 128);
	if (!g_socket_listen(socket, &error_local)) {
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FAILED, "listen: %s",
			    error_local->message);
		return FALSE;
	}
	fd = fcntl(g_socket_get_fd(socket), F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		g_set_error(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FAILED, "dup: %s",
			    g_strerror(errno));
		return FALSE;
	}
	/* the logger comes first so that MHD's own start-up messages use it */
	daemon = MHD_start_daemon(
		MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, pxf_http_server_access_cb, self,
		MHD_OPTION_EXTERNAL_LOGGER, pxf_http_server_mhd_log, self, MHD_OPTION_LISTEN_SOCKET,
		(MHD_socket)fd, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)self->limits.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)self->limits.max_connections_per_address,
		MHD_OPTION_NOTIFY_CONNECTION, pxf_http_deadline_notify_cb, self->deadline,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)self->limits.connection_timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PXF_HTTP_CONNECTION_MEMORY,
		MHD_OPTION_NOTIFY_COMPLETED, pxf_http_server_completed_cb, self,
		MHD_OPTION_URI_LOG_CALLBACK, pxf_http_server_uri_cb, self, MHD_OPTION_END);
	if (daemon == NULL) {
		/* not closed here: MHD owns fd from the start and closes it on
		 * most failures; a leaked descriptor beats closing a stranger's */
		g_set_error_literal(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FAILED,
				    "libmicrohttpd refused to start on the socket");
		return FALSE;
	}
	info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL || info->epoll_fd < 0) {
		MHD_stop_daemon(daemon);
		g_set_error_literal(error, PXF_HTTP_ERROR, PXF_HTTP_ERROR_FAILED,
				    "libmicrohttpd has no epoll descriptor");
		return FALSE;
	}
	source = (PxfHttpSource *)g_source_new(&pxf_http_source_funcs, sizeof(PxfHttpSource));
	source->daemon = daemon;
	source->deadline = -1;
	source->tag = g_source_add_unix_fd(&source->source, info->epoll_fd,
					   G_IO_IN | G_IO_ERR | G_IO_HUP);
	g_source_set_name(&source->source, "pxf-http");
	g_source_attach(&source->source, NULL);
	g_ptr_array_add(self->sources, source);
	return TRUE;
}

guint
pxf_http_server_get_n_sockets(PxfHttpServer *self)
{
	return self->sources->len;
}

void
pxf_http_server_free(PxfHttpServer *self)
{
	if (self == NULL)
		return;
	for (guint i = 0; i < self->sources->len; i++) {
		GSource *source = g_ptr_array_index(self->sources, i);
		g_source_destroy(source);
		g_source_unref(source); /* finalize stops the daemon */
	}
	g_ptr_array_unref(self->sources);
	pxf_http_deadline_free(self->deadline);
	g_free(self);
}

/* ---- request accessors ------------------------------------------------------------ */

const gchar *
pxf_http_request_get_method(PxfHttpRequest *self)
{
	return self->method;
}

gboolean
pxf_http_request_is_head(PxfHttpRequest *self)
{
	return g_strcmp0(self->method, MHD_HTTP_METHOD_HEAD) == 0;
}

const gchar *
pxf_http_request_get_path(PxfHttpRequest *self)
{
	return self->path;
}

const gchar *
pxf_http_request_get_header(PxfHttpRequest *self, const gchar *name)
{
	return MHD_lookup_connection_value(self->connection, MHD_HEADER_KIND, name);
}

const gchar *
pxf_http_request_get_query(PxfHttpRequest *self, const gchar *name)
{
	return self->query != NULL ? g_hash_table_lookup(self->query, name) : NULL;
}

const gchar *
pxf_http_request_get_form(PxfHttpRequest *self, const gchar *name)
{
	return self->form != NULL ? g_hash_table_lookup(self->form, name) : NULL;
}

GInetSocketAddress *
pxf_http_request_get_peer(PxfHttpRequest *self)
{
	return self->peer;
}

GInetSocketAddress *
pxf_http_request_get_local(PxfHttpRequest *self)
{
	return self->local;
}

const gchar *
pxf_http_request_get_peer_ip(PxfHttpRequest *self)
{
	return self->peer_ip;
}

void
pxf_http_request_set_redacted(PxfHttpRequest *self)
{
	self->redacted = TRUE;
}

void
pxf_http_request_set_data(PxfHttpRequest *self, gpointer data, GDestroyNotify destroy)
{
	if (self->data_destroy != NULL && self->data != NULL)
		self->data_destroy(self->data);
	self->data = data;
	self->data_destroy = destroy;
}

gpointer
pxf_http_request_get_data(PxfHttpRequest *self)
{
	return self->data;
}

guint
pxf_http_request_get_status(PxfHttpRequest *self)
{
	return self->status;
}

guint64
pxf_http_request_get_body_size(PxfHttpRequest *self)
{
	return self->body_size;
}

/* ---- responses ------------------------------------------------------------------ */

static gboolean
pxf_http_request_queue(PxfHttpRequest *self,
		       guint status,
		       struct MHD_Response *response,
		       guint64 size,
		       const gchar *content_type)
{
	enum MHD_Result ok;

	if (response == NULL) {
		g_warning("%s /%s: cannot create a response", self->method,
			  self->path != NULL ? self->path : "");
		return FALSE;
	}
	if (content_type != NULL)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	ok = MHD_queue_response(self->connection, status, response);
	MHD_destroy_response(response);
	if (ok != MHD_YES) {
		g_warning("%s /%s: libmicrohttpd did not queue the response", self->method,
			  self->path != NULL ? self->path : "");
		return FALSE;
	}
	self->status = status;
	self->body_size = size;
	return TRUE;
}

gboolean
pxf_http_request_respond_text(PxfHttpRequest *self, guint status, const gchar *text)
{
	gsize len = strlen(text);
	struct MHD_Response *response =
		MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
	return pxf_http_request_queue(self, status, response, len, "text/plain; charset=utf-8");
}

gboolean
pxf_http_request_respond_not_allowed(PxfHttpRequest *self, const gchar *allow)
{
	static const gchar text[] = "method not allowed\n";
	struct MHD_Response *response =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (response != NULL)
		MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow);
	return pxf_http_request_queue(self, 405, response, strlen(text),
				      "text/plain; charset=utf-8");
}

static void
pxf_http_bytes_unref(void *data)
{
	g_bytes_unref(data);
}

gboolean
pxf_http_request_respond_bytes(PxfHttpRequest *self,
			       guint status,
			       GBytes *bytes,
			       const gchar *content_type,
			       gboolean no_store)
{
	gsize len = 0;
	gconstpointer data = g_bytes_get_data(bytes, &len);
	struct MHD_Response *response = MHD_create_response_from_buffer_with_free_callback_cls(
		len, (void *)data, pxf_http_bytes_unref, g_bytes_ref(bytes));

	if (response == NULL) {
		g_bytes_unref(bytes);
		return pxf_http_request_queue(self, status, NULL, 0, NULL);
	}
	if (no_store)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return pxf_http_request_queue(self, status, response, len,
				      content_type != NULL ? content_type : "text/plain");
}

gboolean
pxf_http_request_respond_fd(PxfHttpRequest *self,
			    gint fd,
			    const struct stat *st,
			    const gchar *content_type)
{
	guint64 size = (guint64)st->st_size;
	guint64 offset = 0;
	guint64 length = size;
	guint status = 200;
	PxfHttpRange range = PXF_HTTP_RANGE_NONE;
	PxfHttpReader *reader;
	struct MHD_Response *response;

	/* If-Range would need validators we do not send: then serve it all */
	if (pxf_http_request_get_header(self, "If-Range") == NULL)
		range = pxf_http_range_parse(pxf_http_request_get_header(self, "Range"), size,
					     &offset, &length);
	if (range == PXF_HTTP_RANGE_UNSATISFIABLE) {
		g_autofree gchar *cr = g_strdup_printf("bytes */%" G_GUINT64_FORMAT, size);
		close(fd);
		response = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (response != NULL)
			MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
		return pxf_http_request_queue(self, 416, response, 0, "text/plain");
	}
	if (range == PXF_HTTP_RANGE_PARTIAL)
		status = 206;
	reader = g_new0(PxfHttpReader, 1);
	reader->fd = fd;
	reader->offset = offset;
	reader->length = length;
	response = MHD_create_response_from_callback(
		length, PXF_HTTP_BLOCK_SIZE, pxf_http_reader_read, reader, pxf_http_reader_free);
	if (response == NULL) {
		pxf_http_reader_free(reader);
		return pxf_http_request_queue(self, status, NULL, 0, NULL);
	}
	reader->request = self;
	self->reader = reader;
	MHD_add_response_header(response, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	if (range == PXF_HTTP_RANGE_PARTIAL) {
		g_autofree gchar *cr = g_strdup_printf("bytes %" G_GUINT64_FORMAT
						       "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
						       offset, offset + length - 1, size);
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
	}
	return pxf_http_request_queue(self, status, response, length, content_type);
}
