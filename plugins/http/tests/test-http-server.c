/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The MHD server on the GLib main loop, over 127.0.0.1: a client thread
 * sends raw requests while the main thread runs the loop, and every server
 * callback must come on the main thread. */
#define G_LOG_DOMAIN "test-http-server"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pxf-http-server.h"

#define FILE_SIZE (1024 * 1024 + 7)

typedef struct {
	GThread *main_thread;
	GMainLoop *loop;
	guint16 port;
	gchar *file_path;
	GBytes *file_content;
	guint n_handled;
	guint n_finished_complete;
	guint64 finished_bytes;
	guint n_progress;
	guint64 progress_total;
	gboolean failed; /* set by the client thread on a broken exchange */
} Ctx;

typedef struct {
	guint status;
	gchar *headers; /* lower-cased */
	GBytes *body;
} Reply;

static void
reply_free(Reply *reply)
{
	g_free(reply->headers);
	g_bytes_unref(reply->body);
	g_free(reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Reply, reply_free)

static void
handler(PxfHttpRequest *request, gpointer user_data)
{
	Ctx *ctx = user_data;
	const gchar *path = pxf_http_request_get_path(request);

	g_assert_true(g_thread_self() == ctx->main_thread);
	ctx->n_handled++;
	if (g_strcmp0(path, "hello") == 0) {
		pxf_http_request_respond_text(request, 200, "hello\n");
	} else if (g_strcmp0(path, "file") == 0) {
		struct stat st;
		gint fd = open(ctx->file_path, O_RDONLY | O_CLOEXEC);
		g_assert_cmpint(fd, >=, 0);
		g_assert_cmpint(fstat(fd, &st), ==, 0);
		pxf_http_request_respond_fd(request, fd, &st, "application/octet-stream");
	} else if (g_strcmp0(path, "echo") == 0) {
		g_autofree gchar *text = g_strdup_printf(
			"q=%s;f=%s;h=%s;peer=%s;local=%s", pxf_http_request_get_query(request, "x"),
			pxf_http_request_get_form(request, "x"),
			pxf_http_request_get_header(request, "X-Test"),
			pxf_http_request_get_peer_ip(request),
			pxf_http_request_get_local(request) != NULL ? "yes" : "no");
		pxf_http_request_respond_text(request, 200, text);
	} else if (g_strcmp0(path, "bytes") == 0) {
		g_autoptr(GBytes) bytes = g_bytes_new_static("secret\n", 7);
		pxf_http_request_respond_bytes(request, 200, bytes, "text/x-secret", TRUE);
	} else if (g_strcmp0(path, "nothing") == 0) {
		/* no answer: the server answers 500 */
	} else if (g_strcmp0(path, "post-only") == 0) {
		pxf_http_request_respond_not_allowed(request, "POST");
	} else {
		pxf_http_request_respond_text(request, 404, "not found\n");
	}
}

static void
progress(PxfHttpRequest *request, guint64 done, guint64 total, gpointer user_data)
{
	Ctx *ctx = user_data;
	g_assert_true(g_thread_self() == ctx->main_thread);
	g_assert_cmpuint(done, <, total);
	ctx->n_progress++;
	ctx->progress_total = total;
}

static void
finished(PxfHttpRequest *request, gboolean complete, gpointer user_data)
{
	Ctx *ctx = user_data;
	g_assert_true(g_thread_self() == ctx->main_thread);
	if (complete && g_strcmp0(pxf_http_request_get_path(request), "file") == 0 &&
	    !pxf_http_request_is_head(request) && pxf_http_request_get_status(request) == 200) {
		ctx->n_finished_complete++;
		ctx->finished_bytes = pxf_http_request_get_body_size(request);
	}
}

/* ---- the client thread: raw HTTP over a blocking socket ---------------------------- */

static Reply *
exchange_from(Ctx *ctx, const gchar *from, const gchar *request, gsize request_len)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(ctx->port)};
	g_autoptr(GByteArray) in = g_byte_array_new();
	Reply *reply = g_new0(Reply, 1);
	const guint8 *end;
	gint fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	gsize sent = 0;
	struct timeval tv = {.tv_sec = 10};

	g_assert_cmpint(fd, >=, 0);
	if (from != NULL) {
		struct sockaddr_in src = {.sin_family = AF_INET};
		g_assert_cmpint(inet_pton(AF_INET, from, &src.sin_addr), ==, 1);
		g_assert_cmpint(bind(fd, (struct sockaddr *)&src, sizeof(src)), ==, 0);
	}
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	g_assert_cmpint(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
	while (sent < request_len) {
		ssize_t n = send(fd, request + sent, request_len - sent, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server may answer (413) and close early */
		sent += (gsize)n;
	}
	for (;;) {
		guint8 buf[65536];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		g_byte_array_append(in, buf, (guint)n);
	}
	close(fd);
	/* nothing at all came back (the connection was closed unanswered) */
	end = in->len >= 12 ? (const guint8 *)g_strstr_len((const gchar *)in->data, (gssize)in->len,
							   "\r\n\r\n")
			    : NULL;
	if (end == NULL) {
		ctx->failed = TRUE;
		reply->headers = g_strdup("");
		reply->body = g_bytes_new(NULL, 0);
		return reply;
	}
	reply->status = (guint)g_ascii_strtoull((const gchar *)in->data + 9, NULL, 10);
	reply->headers = g_ascii_strdown((const gchar *)in->data, end - in->data);
	reply->body = g_bytes_new(end + 4, in->len - (gsize)(end + 4 - in->data));
	return reply;
}

static Reply *
exchange(Ctx *ctx, const gchar *request, gsize request_len)
{
	return exchange_from(ctx, NULL, request, request_len);
}

static Reply *
get(Ctx *ctx, const gchar *method, const gchar *target, const gchar *extra)
{
	g_autofree gchar *req =
		g_strdup_printf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n",
				method, target, extra != NULL ? extra : "");
	return exchange(ctx, req, strlen(req));
}

static gboolean
has_header(Reply *reply, const gchar *line)
{
	g_autofree gchar *needle = g_strdup_printf("\r\n%s\r", line);
	g_autofree gchar *headers = g_strconcat(reply->headers, "\r", NULL);
	return strstr(headers, needle) != NULL;
}

static gpointer
client_thread(gpointer data)
{
	Ctx *ctx = data;
	guint handled_before;

	{
		g_autoptr(Reply) r = get(ctx, "GET", "/hello", NULL);
		g_assert_cmpuint(r->status, ==, 200);
		g_assert_cmpmem(g_bytes_get_data(r->body, NULL), g_bytes_get_size(r->body),
				"hello\n", 6);
		g_assert_true(has_header(r, "content-length: 6"));
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/file", NULL);
		g_assert_cmpuint(r->status, ==, 200);
		g_assert_true(g_bytes_equal(r->body, ctx->file_content));
		g_assert_true(has_header(r, "accept-ranges: bytes"));
		g_assert_true(has_header(r, "content-type: application/octet-stream"));
	}
	{
		g_autoptr(Reply) r = get(ctx, "HEAD", "/file", NULL);
		g_autofree gchar *cl = g_strdup_printf("content-length: %d", FILE_SIZE);
		g_assert_cmpuint(r->status, ==, 200);
		g_assert_true(has_header(r, cl));
		g_assert_cmpuint(g_bytes_get_size(r->body), ==, 0);
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/file", "Range: bytes=10-19\r\n");
		g_autofree gchar *cr = g_strdup_printf("content-range: bytes 10-19/%d", FILE_SIZE);
		g_autoptr(GBytes) want = g_bytes_new_from_bytes(ctx->file_content, 10, 10);
		g_assert_cmpuint(r->status, ==, 206);
		g_assert_true(has_header(r, cr));
		g_assert_true(g_bytes_equal(r->body, want));
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/file", "Range: bytes=-5\r\n");
		g_autoptr(GBytes) want =
			g_bytes_new_from_bytes(ctx->file_content, FILE_SIZE - 5, 5);
		g_assert_cmpuint(r->status, ==, 206);
		g_assert_true(g_bytes_equal(r->body, want));
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/file", "Range: bytes=99999999-\r\n");
		g_autofree gchar *cr = g_strdup_printf("content-range: bytes */%d", FILE_SIZE);
		g_assert_cmpuint(r->status, ==, 416);
		g_assert_true(has_header(r, cr));
	}
	{
		/* an If-Range we cannot check: the whole file */
		g_autoptr(Reply) r =
			get(ctx, "GET", "/file", "Range: bytes=0-1\r\nIf-Range: \"x\"\r\n");
		g_assert_cmpuint(r->status, ==, 200);
		g_assert_cmpuint(g_bytes_get_size(r->body), ==, FILE_SIZE);
	}

	/* refused before the handler sees them */
	handled_before = ctx->n_handled;
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/%2e%2e/etc/passwd", NULL);
		g_assert_cmpuint(r->status, ==, 403);
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/a/../../etc/passwd", NULL);
		g_assert_cmpuint(r->status, ==, 403);
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/a%00b", NULL);
		g_assert_cmpuint(r->status, ==, 403);
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/a%5cb", NULL);
		g_assert_cmpuint(r->status, ==, 403);
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/a%zz", NULL);
		g_assert_cmpuint(r->status, ==, 400);
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "*", NULL);
		g_assert_cmpuint(r->status, ==, 400);
	}
	{
		g_autofree gchar *body = g_strnfill(2000, 'x');
		g_autofree gchar *req =
			g_strdup_printf("POST /echo HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"
					"Content-Length: 2000\r\n\r\n%s",
					body);
		g_autoptr(Reply) r = exchange(ctx, req, strlen(req));
		g_assert_cmpuint(r->status, ==, 413);
	}
	{
		/* announced too large: answered at once, the body never waited for */
		static const gchar req[] = "POST /echo HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"
					   "Content-Length: 99999999999\r\n\r\nx=1";
		gint64 start = g_get_monotonic_time();
		g_autoptr(Reply) r = exchange(ctx, req, sizeof(req) - 1);
		g_assert_cmpuint(r->status, ==, 413);
		g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
	}
	{
		/* a raw NUL in the target or the method: libmicrohttpd would hand
		 * on the prefix ("/hello", "GET") */
		static const gchar req1[] = "GET /hello\0/x HTTP/1.1\r\nHost: h\r\n"
					    "Connection: close\r\n\r\n";
		static const gchar req2[] = "GET\0X /hello HTTP/1.1\r\nHost: h\r\n"
					    "Connection: close\r\n\r\n";
		static const gchar req3[] = "GET /hello\0 HTTP/1.1\r\nHost: h\r\n"
					    "Connection: close\r\n\r\n";
		g_autoptr(Reply) r1 = exchange(ctx, req1, sizeof(req1) - 1);
		g_autoptr(Reply) r2 = exchange(ctx, req2, sizeof(req2) - 1);
		g_autoptr(Reply) r3 = exchange(ctx, req3, sizeof(req3) - 1);
		g_assert_cmpuint(r1->status, ==, 400);
		g_assert_cmpuint(r2->status, ==, 400);
		g_assert_cmpuint(r3->status, ==, 400);
	}
	g_assert_cmpuint(ctx->n_handled, ==, handled_before);

	{
		static const gchar body[] = "x=form+value&token=t";
		g_autofree gchar *req = g_strdup_printf(
			"POST /echo?x=query%%20value&y HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"
			"X-Test: header\r\nContent-Type: application/x-www-form-urlencoded\r\n"
			"Content-Length: %zu\r\n\r\n%s",
			strlen(body), body);
		g_autoptr(Reply) r = exchange(ctx, req, strlen(req));
		g_assert_cmpuint(r->status, ==, 200);
		g_assert_cmpmem(g_bytes_get_data(r->body, NULL), g_bytes_get_size(r->body),
				"q=query value;f=form value;h=header;peer=127.0.0.1;local=yes", 60);
	}
	{
		/* a body of another type is not read as a form */
		static const gchar body[] = "x=no";
		g_autofree gchar *req =
			g_strdup_printf("POST /echo HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"
					"Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s",
					strlen(body), body);
		g_autoptr(Reply) r = exchange(ctx, req, strlen(req));
		g_assert_cmpuint(r->status, ==, 200);
		g_assert_nonnull(g_strstr_len(g_bytes_get_data(r->body, NULL),
					      (gssize)g_bytes_get_size(r->body), "f=(null)"));
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/bytes", NULL);
		g_assert_cmpuint(r->status, ==, 200);
		g_assert_true(has_header(r, "cache-control: no-store"));
		g_assert_true(has_header(r, "content-type: text/x-secret"));
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/nothing", NULL);
		g_assert_cmpuint(r->status, ==, 500);
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/post-only", NULL);
		g_assert_cmpuint(r->status, ==, 405);
		g_assert_true(has_header(r, "allow: post"));
	}
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/elsewhere", NULL);
		g_assert_cmpuint(r->status, ==, 404);
	}
	g_main_loop_quit(ctx->loop);
	return NULL;
}

/* warnings the server logs, to check the refusals are reported */
static GMutex log_mutex;
static GString *log_warnings = NULL;
static GString *log_infos = NULL; /* libmicrohttpd's own messages */

static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
	if (level & G_LOG_LEVEL_WARNING) {
		for (gsize i = 0; i < n_fields; i++) {
			if (g_strcmp0(fields[i].key, "MESSAGE") != 0)
				continue;
			g_mutex_lock(&log_mutex);
			g_string_append_printf(log_warnings, "%s\n",
					       (const gchar *)fields[i].value);
			g_mutex_unlock(&log_mutex);
		}
	}
	if (level & G_LOG_LEVEL_INFO) {
		for (gsize i = 0; i < n_fields; i++) {
			if (g_strcmp0(fields[i].key, "MESSAGE") != 0)
				continue;
			g_mutex_lock(&log_mutex);
			g_string_append_printf(log_infos, "%s\n", (const gchar *)fields[i].value);
			g_mutex_unlock(&log_mutex);
		}
	}
	return g_log_writer_default(level, fields, n_fields, user_data);
}

static gboolean
on_timeout(gpointer data)
{
	g_error("the exchange did not finish in time");
	return G_SOURCE_REMOVE;
}

static void
test_server_exchange(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) sock = NULL;
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("pxf-http-server-XXXXXX", &error);
	g_autofree guint8 *data = g_malloc(FILE_SIZE);
	PxfHttpServerLimits limits = {
		.max_connections = 8, .connection_timeout = 5, .max_body = 1024};
	PxfHttpServer *server;
	GThread *thread;
	guint timeout_id;
	Ctx ctx = {0};

	g_assert_no_error(error);
	for (gsize i = 0; i < FILE_SIZE; i++)
		data[i] = (guint8)(i * 7 + i / 251);
	ctx.file_path = g_build_filename(dir, "file", NULL);
	g_file_set_contents(ctx.file_path, (const gchar *)data, FILE_SIZE, &error);
	g_assert_no_error(error);
	ctx.file_content = g_bytes_new_take(g_steal_pointer(&data), FILE_SIZE);
	ctx.main_thread = g_thread_self();
	ctx.loop = g_main_loop_new(NULL, FALSE);

	sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
			    &error);
	g_assert_no_error(error);
	g_assert_true(g_socket_bind(sock, addr, TRUE, &error));
	bound = g_socket_get_local_address(sock, &error);
	g_assert_no_error(error);
	ctx.port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));

	server = pxf_http_server_new(&limits, handler, progress, finished, &ctx);
	g_assert_true(pxf_http_server_add_socket(server, sock, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(pxf_http_server_get_n_sockets(server), ==, 1);

	timeout_id = g_timeout_add_seconds(60, on_timeout, NULL);
	thread = g_thread_new("client", client_thread, &ctx);
	g_main_loop_run(ctx.loop);
	g_thread_join(thread);
	g_source_remove(timeout_id);

	g_assert_false(ctx.failed);
	g_assert_nonnull(strstr(log_warnings->str, "refusing GET \"/%2e%2e/etc/passwd\" from "
						   "127.0.0.1: path contains a '..' segment"));
	g_assert_nonnull(strstr(log_warnings->str, "refusing GET \"/a%00b\" from 127.0.0.1: "
						   "path contains a NUL byte"));
	g_assert_nonnull(strstr(log_warnings->str, "request body larger than 1024 bytes"));
	g_assert_nonnull(strstr(log_warnings->str, "refusing GET \"/hello\" from 127.0.0.1: a NUL "
						   "byte in the request line"));
	g_assert_cmpuint(ctx.n_finished_complete, ==, 2); /* the full GETs */
	g_assert_cmpuint(ctx.finished_bytes, ==, FILE_SIZE);
	g_assert_cmpuint(ctx.n_progress, >, 2);
	g_assert_cmpuint(ctx.progress_total, ==, FILE_SIZE);

	/* the socket stays the caller's after the server is gone */
	pxf_http_server_free(server);
	g_assert_cmpint(fcntl(g_socket_get_fd(sock), F_GETFD), >=, 0);

	g_unlink(ctx.file_path);
	g_rmdir(dir);
	g_free(ctx.file_path);
	g_bytes_unref(ctx.file_content);
	g_main_loop_unref(ctx.loop);
}

/* ---- the limits against one client --------------------------------------------------- */

typedef struct {
	Ctx ctx;
	GSocket *sock;
	PxfHttpServer *server;
	gchar *dir;
	guint timeout_id;
} Limited;

static void
limited_start(Limited *l, const PxfHttpServerLimits *limits)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
	g_autoptr(GSocketAddress) bound = NULL;

	l->dir = g_dir_make_tmp("pxf-http-limits-XXXXXX", &error);
	g_assert_no_error(error);
	l->ctx.file_path = g_build_filename(l->dir, "file", NULL);
	l->ctx.file_content = g_bytes_new_static("a kernel\n", 9);
	g_file_set_contents(l->ctx.file_path, "a kernel\n", 9, &error);
	g_assert_no_error(error);
	l->ctx.main_thread = g_thread_self();
	l->ctx.loop = g_main_loop_new(NULL, FALSE);
	l->sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
			       &error);
	g_assert_no_error(error);
	g_assert_true(g_socket_bind(l->sock, addr, TRUE, &error));
	bound = g_socket_get_local_address(l->sock, &error);
	g_assert_no_error(error);
	l->ctx.port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	l->server = pxf_http_server_new(limits, handler, progress, finished, &l->ctx);
	g_assert_true(pxf_http_server_add_socket(l->server, l->sock, &error));
	g_assert_no_error(error);
	l->timeout_id = g_timeout_add_seconds(60, on_timeout, NULL);
}

static void
limited_run(Limited *l, GThreadFunc client)
{
	GThread *thread = g_thread_new("client", client, &l->ctx);
	g_main_loop_run(l->ctx.loop);
	g_thread_join(thread);
	g_source_remove(l->timeout_id);
	g_assert_false(l->ctx.failed);
	pxf_http_server_free(l->server);
	g_object_unref(l->sock);
	g_unlink(l->ctx.file_path);
	g_rmdir(l->dir);
	g_free(l->dir);
	g_free(l->ctx.file_path);
	g_bytes_unref(l->ctx.file_content);
	g_main_loop_unref(l->ctx.loop);
}

#define FLOOD 500

static gpointer
flood_thread(gpointer data)
{
	Ctx *ctx = data;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(ctx->port)};
	struct sockaddr_in src = {.sin_family = AF_INET};
	g_autofree gint *fds = g_new(gint, FLOOD);
	gint64 start;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(inet_pton(AF_INET, "127.0.0.2", &src.sin_addr), ==, 1);
	/* non-blocking: connects past the listen backlog wait for an accept */
	for (guint i = 0; i < FLOOD; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		g_assert_cmpint(fds[i], >=, 0);
		g_assert_cmpint(bind(fds[i], (struct sockaddr *)&src, sizeof(src)), ==, 0);
		if (connect(fds[i], (struct sockaddr *)&sin, sizeof(sin)) != 0)
			g_assert_cmpint(errno, ==, EINPROGRESS);
	}
	g_usleep(G_USEC_PER_SEC / 2);
	/* another address still gets its kernel, at once */
	start = g_get_monotonic_time();
	{
		static const gchar req[] =
			"GET /file HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
		g_autoptr(Reply) r = exchange_from(ctx, "127.0.0.3", req, sizeof(req) - 1);
		g_assert_cmpuint(r->status, ==, 200);
		g_assert_true(g_bytes_equal(r->body, ctx->file_content));
	}
	g_assert_cmpint(g_get_monotonic_time() - start, <, 3 * G_USEC_PER_SEC);
	for (guint i = 0; i < FLOOD; i++)
		close(fds[i]);
	g_main_loop_quit(ctx->loop);
	return NULL;
}

static void
test_server_per_address(void)
{
	PxfHttpServerLimits limits = {.max_connections = 64,
				      .max_connections_per_address = 4,
				      .connection_timeout = 30,
				      .max_body = 1024};
	struct rlimit rl;
	Limited l = {0};

	/* FLOOD sockets here, as many in the server */
	g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &rl), ==, 0);
	if (rl.rlim_max < 2 * FLOOD + 64) {
		g_test_skip("RLIMIT_NOFILE too low for the flood");
		return;
	}
	rl.rlim_cur = rl.rlim_max;
	g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &rl), ==, 0);
	limited_start(&l, &limits);
	limited_run(&l, flood_thread);
	g_assert_nonnull(strstr(log_infos->str, "connection limit"));
}

static gpointer
trickle_thread(gpointer data)
{
	Ctx *ctx = data;
	static const gchar req[] =
		"GET /hello HTTP/1.1\r\nHost: h\r\nX-Slow: aaaaaaaaaaaaaaaa\r\n\r\n";
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(ctx->port)};
	gint fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	guint handled = ctx->n_handled;
	gint64 start = g_get_monotonic_time();
	gboolean closed = FALSE;
	gsize sent = 0;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
	/* one byte a second: each resets libmicrohttpd's own timeout */
	while (!closed && sent < sizeof(req) - 1) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (send(fd, req + sent, 1, MSG_NOSIGNAL) != 1) {
			closed = TRUE;
			break;
		}
		sent++;
		if (poll(&pfd, 1, 1000) > 0) {
			gchar buf[256];
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			g_assert_cmpint(n, <=, 0); /* no answer: just the end */
			closed = TRUE;
		}
	}
	close(fd);
	g_assert_true(closed);
	g_assert_cmpuint(sent, <, sizeof(req) - 1);
	g_assert_cmpint(g_get_monotonic_time() - start, >=, 2 * G_USEC_PER_SEC);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 6 * G_USEC_PER_SEC);
	g_assert_cmpuint(ctx->n_handled, ==, handled);
	/* a request sent whole is still served */
	{
		g_autoptr(Reply) r = get(ctx, "GET", "/hello", NULL);
		g_assert_cmpuint(r->status, ==, 200);
	}
	/* kept alive: the clock runs again once a request is over */
	{
		static const gchar again[] = "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n";
		g_autoptr(GString) in = g_string_new(NULL);
		gint64 over;
		gssize n = 0;

		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		g_assert_cmpint(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
		g_assert_cmpint(send(fd, again, sizeof(again) - 1, MSG_NOSIGNAL), ==,
				sizeof(again) - 1);
		while (!g_str_has_suffix(in->str, "\r\n\r\nhello\n")) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			gchar buf[256];
			g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
			n = recv(fd, buf, sizeof(buf), 0);
			g_assert_cmpint(n, >, 0);
			g_string_append_len(in, buf, n);
		}
		over = g_get_monotonic_time();
		{
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			gchar buf[16];
			g_assert_cmpint(poll(&pfd, 1, 6000), ==, 1);
			g_assert_cmpint(recv(fd, buf, sizeof(buf), 0), <=, 0);
		}
		g_assert_cmpint(g_get_monotonic_time() - over, >=, G_USEC_PER_SEC);
		g_assert_cmpint(g_get_monotonic_time() - over, <, 5 * G_USEC_PER_SEC);
		close(fd);
	}
	g_main_loop_quit(ctx->loop);
	return NULL;
}

static void
test_server_request_timeout(void)
{
	PxfHttpServerLimits limits = {.max_connections = 8,
				      .max_connections_per_address = 8,
				      .connection_timeout = 30,
				      .request_timeout = 2,
				      .max_body = 1024};
	Limited l = {0};

	limited_start(&l, &limits);
	limited_run(&l, trickle_thread);
	g_assert_nonnull(strstr(log_warnings->str, "closing the connection of 127.0.0.1: no "
						   "whole request in 2 s (request_timeout)"));
	g_assert_nonnull(strstr(log_infos->str, "closing the connection of 127.0.0.1: no whole "
						"request in 2 s after its last one"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	/* refusals are warnings, checked rather than fatal */
	g_log_set_always_fatal(G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
	log_warnings = g_string_new(NULL);
	log_infos = g_string_new(NULL);
	g_log_set_writer_func(log_writer, NULL, NULL);
	g_test_add_func("/plugin/http/server/exchange", test_server_exchange);
	g_test_add_func("/plugin/http/server/per-address", test_server_per_address);
	g_test_add_func("/plugin/http/server/request-timeout", test_server_request_timeout);
	return g_test_run();
}
