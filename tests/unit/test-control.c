/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-test"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pxf-control.h"

/* The server runs on the main loop of the test thread; the synchronous client
 * (and raw sockets speaking the wire format) run in a helper thread while the
 * test thread iterates the loop. */

typedef struct {
	gchar *tmpdir;
	gchar *rundir;
	gchar *path;
	PxfControlServer *server;
	guint n_calls;
} Fixture;

static JsonNode *
test_handler(const gchar *command,
	     JsonObject *args,
	     const PxfControlPeer *peer,
	     gpointer user_data,
	     GError **error)
{
	Fixture *fx = user_data;

	fx->n_calls++;
	if (g_strcmp0(command, "echo") == 0) {
		JsonNode *node = json_node_new(JSON_NODE_OBJECT);
		json_node_set_object(node, args);
		return node;
	}
	if (g_strcmp0(command, "whoami") == 0) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "uid");
		json_builder_add_int_value(b, peer->uid);
		json_builder_set_member_name(b, "gid");
		json_builder_add_int_value(b, peer->gid);
		json_builder_set_member_name(b, "pid");
		json_builder_add_int_value(b, peer->pid);
		json_builder_end_object(b);
		return json_builder_get_root(b);
	}
	if (g_strcmp0(command, "missing") == 0) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_NOT_FOUND, "no host “%s”",
			    json_object_get_string_member_with_default(args, "name", "?"));
		return NULL;
	}
	if (g_strcmp0(command, "bad-arg") == 0) {
		g_set_error_literal(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_INVALID_ARGUMENT,
				    "\"name\" must be a string");
		return NULL;
	}
	if (g_strcmp0(command, "io-fail") == 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "disk on fire");
		return NULL;
	}
	if (g_strcmp0(command, "nothing") == 0)
		return NULL;
	if (g_strcmp0(command, "stop") == 0) {
		g_clear_pointer(&fx->server, pxf_control_server_free);
		return json_node_new(JSON_NODE_NULL);
	}
	g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_UNKNOWN_COMMAND,
		    "unknown command “%s”", command);
	return NULL;
}

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	fx->tmpdir = g_dir_make_tmp("pxf-test-control-XXXXXX", &error);
	g_assert_no_error(error);
	fx->rundir = g_build_filename(fx->tmpdir, "run", NULL);
	fx->path = g_build_filename(fx->rundir, "control.sock", NULL);
	if (data != NULL)
		return; /* the case starts the server itself */
	fx->server = pxf_control_server_new(fx->path, test_handler, fx, &error);
	g_assert_no_error(error);
	g_assert_nonnull(fx->server);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
	g_clear_pointer(&fx->server, pxf_control_server_free);
	/* let cancelled client operations finish */
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_unlink(fx->path);
	g_rmdir(fx->rundir);
	g_assert_cmpint(g_rmdir(fx->tmpdir), ==, 0);
	g_free(fx->path);
	g_free(fx->rundir);
	g_free(fx->tmpdir);
}

/* ---- running blocking code next to the main loop ----------------------- */

typedef struct {
	GThreadFunc func;
	gpointer data;
	gpointer ret;
	gint done;
} Job;

static gpointer
job_thread(gpointer user_data)
{
	Job *job = user_data;
	job->ret = job->func(job->data);
	g_atomic_int_set(&job->done, 1);
	g_main_context_wakeup(NULL);
	return NULL;
}

static gpointer
run_in_thread(GThreadFunc func, gpointer data)
{
	Job job = {.func = func, .data = data};
	GThread *thread = g_thread_new("pxf-test-client", job_thread, &job);

	while (!g_atomic_int_get(&job.done))
		g_main_context_iteration(NULL, TRUE);
	g_thread_join(thread);
	return job.ret;
}

typedef struct {
	const gchar *path;
	const gchar *command;
	JsonObject *args;
	GError *error;
} Call;

static gpointer
call_thread(gpointer data)
{
	Call *call = data;
	return pxf_control_call(call->path, call->command, call->args, &call->error);
}

static JsonNode *
call(Fixture *fx, const gchar *command, JsonObject *args, GError **error)
{
	Call c = {.path = fx->path, .command = command, .args = args};
	JsonNode *result = run_in_thread(call_thread, &c);

	if (c.error != NULL)
		g_propagate_error(error, c.error);
	return result;
}

static gchar *
node_to_string(JsonNode *node)
{
	return json_to_string(node, FALSE);
}

/* ---- raw wire access ---------------------------------------------------- */

static int
raw_connect(const gchar *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpuint(strlen(path), <, sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path));
	g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	return fd;
}

/* errors ignored: the server may close early on purpose */
static void
raw_send(int fd, const gchar *data, gsize len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		data += n;
		len -= (gsize)n;
	}
}

/* the next line without its newline, or NULL on EOF or after 5 s */
static gchar *
raw_read_line(int fd)
{
	g_autoptr(GString) line = g_string_new(NULL);

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		gchar c;
		if (poll(&pfd, 1, 5000) != 1)
			return NULL;
		if (recv(fd, &c, 1, 0) != 1)
			return NULL;
		if (c == '\n')
			return g_string_free(g_steal_pointer(&line), FALSE);
		g_string_append_c(line, c);
	}
}

static gboolean
raw_at_eof(int fd, gint timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	gchar c;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return FALSE;
	return recv(fd, &c, 1, 0) == 0;
}

static JsonObject *
parse_reply(const gchar *line)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;

	g_assert_nonnull(line);
	g_assert_true(json_parser_load_from_data(parser, line, -1, &error));
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)));
	return json_object_ref(json_node_get_object(json_parser_get_root(parser)));
}

static void
assert_error_reply(const gchar *line, const gchar *code, const gchar *message_part)
{
	g_autoptr(JsonObject) reply = parse_reply(line);

	g_assert_false(json_object_get_boolean_member(reply, "ok"));
	g_assert_cmpstr(json_object_get_string_member(reply, "code"), ==, code);
	if (message_part != NULL)
		g_assert_nonnull(
			strstr(json_object_get_string_member(reply, "error"), message_part));
}

/* ---- cases -------------------------------------------------------------- */

static void
test_control_call(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) args = json_object_new();
	g_autoptr(JsonNode) echoed = NULL;
	g_autoptr(JsonNode) empty = NULL;
	g_autoptr(JsonNode) who = NULL;
	g_autoptr(JsonNode) nothing = NULL;
	g_autofree gchar *text = NULL;
	JsonObject *obj;

	json_object_set_int_member(args, "a", 1);
	json_object_set_string_member(args, "s", "two\nlines “quoted”");
	echoed = call(fx, "echo", args, &error);
	g_assert_no_error(error);
	text = node_to_string(echoed);
	g_assert_cmpstr(text, ==, "{\"a\":1,\"s\":\"two\\nlines “quoted”\"}");

	empty = call(fx, "echo", NULL, &error);
	g_assert_no_error(error);
	g_clear_pointer(&text, g_free);
	text = node_to_string(empty);
	g_assert_cmpstr(text, ==, "{}");

	who = call(fx, "whoami", NULL, &error);
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(who));
	obj = json_node_get_object(who);
	g_assert_cmpint(json_object_get_int_member(obj, "uid"), ==, getuid());
	g_assert_cmpint(json_object_get_int_member(obj, "gid"), ==, getgid());
	g_assert_cmpint(json_object_get_int_member(obj, "pid"), ==, getpid());

	nothing = call(fx, "nothing", NULL, &error);
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_NULL(nothing));
	g_assert_cmpuint(fx->n_calls, ==, 4);
}

static void
test_control_errors(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) args = json_object_new();
	JsonNode *result;

	json_object_set_string_member(args, "name", "h1");
	result = call(fx, "missing", args, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_NOT_FOUND);
	g_assert_cmpstr(error->message, ==, "no host “h1”");
	g_clear_error(&error);

	result = call(fx, "bad-arg", NULL, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_INVALID_ARGUMENT);
	g_clear_error(&error);

	/* errors of other domains travel as "failed" with their message */
	result = call(fx, "io-fail", NULL, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_FAILED);
	g_assert_cmpstr(error->message, ==, "disk on fire");
	g_clear_error(&error);

	result = call(fx, "frobnicate", NULL, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_UNKNOWN_COMMAND);
	g_assert_cmpstr(error->message, ==, "unknown command “frobnicate”");
}

static void
test_control_codes(void)
{
	for (PxfControlError code = PXF_CONTROL_ERROR_FAILED; code <= PXF_CONTROL_ERROR_TIMED_OUT;
	     code++) {
		const gchar *name = pxf_control_error_code_to_string(code);
		PxfControlError back = pxf_control_error_code_from_string(name);
		gboolean local_only =
			code == PXF_CONTROL_ERROR_NOT_RUNNING || code == PXF_CONTROL_ERROR_IN_USE ||
			code == PXF_CONTROL_ERROR_PROTOCOL || code == PXF_CONTROL_ERROR_TIMED_OUT;
		g_assert_cmpint(back, ==, local_only ? PXF_CONTROL_ERROR_FAILED : code);
	}
	g_assert_cmpstr(pxf_control_error_code_to_string(PXF_CONTROL_ERROR_NOT_FOUND), ==,
			"not-found");
	g_assert_cmpint(pxf_control_error_code_from_string("from-the-future"), ==,
			PXF_CONTROL_ERROR_FAILED);
	g_assert_cmpint(pxf_control_error_code_from_string(NULL), ==, PXF_CONTROL_ERROR_FAILED);
}

static void
test_control_permissions(Fixture *fx, gconstpointer data)
{
	struct stat st;

	g_assert_cmpint(lstat(fx->path, &st), ==, 0);
	g_assert_true(S_ISSOCK(st.st_mode));
	g_assert_cmpint(st.st_mode & 07777, ==, 0600);
	g_assert_cmpuint(st.st_uid, ==, geteuid());
	g_assert_cmpint(stat(fx->rundir, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 07777, ==, 0750);
}

typedef struct {
	const gchar *path;
	const gchar *const *lines; /* sent one write() each */
	gsize *lens;
	guint n_lines;
	GPtrArray *replies;
	gboolean eof;
} Exchange;

/* Sends every chunk, then reads @n_replies lines and checks for EOF. */
static gpointer
exchange_thread(gpointer data)
{
	Exchange *ex = data;
	int fd = raw_connect(ex->path);
	guint n_replies = ex->replies->len;

	g_ptr_array_set_size(ex->replies, 0);
	for (guint i = 0; i < ex->n_lines; i++)
		raw_send(fd, ex->lines[i], ex->lens != NULL ? ex->lens[i] : strlen(ex->lines[i]));
	for (guint i = 0; i < n_replies; i++)
		g_ptr_array_add(ex->replies, raw_read_line(fd));
	ex->eof = raw_at_eof(fd, 100);
	close(fd);
	return NULL;
}

static GPtrArray *
exchange(Fixture *fx,
	 const gchar *const *lines,
	 gsize *lens,
	 guint n_lines,
	 guint n_replies,
	 gboolean *eof)
{
	Exchange ex = {.path = fx->path,
		       .lines = lines,
		       .lens = lens,
		       .n_lines = n_lines,
		       .replies = g_ptr_array_new_with_free_func(g_free)};

	g_ptr_array_set_size(ex.replies, n_replies);
	run_in_thread(exchange_thread, &ex);
	if (eof != NULL)
		*eof = ex.eof;
	return ex.replies;
}

static void
test_control_malformed(Fixture *fx, gconstpointer data)
{
	g_autofree gchar *deep = NULL;
	g_autoptr(GPtrArray) replies = NULL;
	g_autoptr(JsonObject) ok_reply = NULL;
	gsize lens[32];
	const gchar *lines[] = {
		"this is not json\n",
		"[]\n",
		"{}\n",
		"\"command\"\n",
		"{\"command\":5}\n",
		"{\"command\":\"\"}\n",
		"{\"command\":\"echo\",\"args\":[1]}\n",
		"{\"command\":\"echo\",\"args\":\"x\"}\n",
		"\xff\xfe{\"command\":\"echo\"}\n",
		"{\"command\":\"ec\0ho\"}\n",
		"{\"command\":\"echo\"} trailing\n",
		"{\"command\":\"echo\",\n",
		NULL, /* deep nesting, below */
		"   \t\r\n",
		"\n",
		"{\"command\":\"echo\",\"args\":{\"k\":\"v\"}}\r\n",
	};
	const guint n_bad = 13;
	GString *d = g_string_new("{\"command\":\"echo\",\"args\":{\"a\":");

	for (guint i = 0; i < 100; i++)
		g_string_append_c(d, '[');
	for (guint i = 0; i < 100; i++)
		g_string_append_c(d, ']');
	g_string_append(d, "}}\n");
	deep = g_string_free(d, FALSE);
	lines[12] = deep;
	for (guint i = 0; i < G_N_ELEMENTS(lines); i++)
		lens[i] = strlen(lines[i]);
	lens[9] = sizeof("{\"command\":\"ec\0ho\"}\n") - 1; /* with its NUL */

	/* blank lines get no reply: n_bad error replies, then the good one */
	replies = exchange(fx, lines, lens, G_N_ELEMENTS(lines), n_bad + 1, NULL);
	for (guint i = 0; i < n_bad; i++) {
		g_test_message("request %u", i);
		assert_error_reply(g_ptr_array_index(replies, i), "bad-request", NULL);
	}
	assert_error_reply(g_ptr_array_index(replies, 8), "bad-request", "UTF-8");
	assert_error_reply(g_ptr_array_index(replies, 12), "bad-request", "nested deeper");
	ok_reply = parse_reply(g_ptr_array_index(replies, n_bad));
	g_assert_true(json_object_get_boolean_member(ok_reply, "ok"));
	g_assert_cmpstr(json_object_get_string_member(
				json_object_get_object_member(ok_reply, "result"), "k"),
			==, "v");
	/* only the one good request reached the handler */
	g_assert_cmpuint(fx->n_calls, ==, 1);
}

/* Requests split across writes and several in one write. */
static void
test_control_framing(Fixture *fx, gconstpointer data)
{
	const gchar *lines[] = {
		"{\"command\":\"ec",
		"ho\",\"args\":{\"n\":1}}\n{\"command\":\"echo\",\"args\":{\"n\":2}}\n{\"comm",
		"and\":\"missing\"}\n",
	};
	g_autoptr(GPtrArray) replies = exchange(fx, lines, NULL, G_N_ELEMENTS(lines), 3, NULL);

	g_assert_cmpstr(g_ptr_array_index(replies, 0), ==, "{\"ok\":true,\"result\":{\"n\":1}}");
	g_assert_cmpstr(g_ptr_array_index(replies, 1), ==, "{\"ok\":true,\"result\":{\"n\":2}}");
	g_assert_cmpstr(g_ptr_array_index(replies, 2), ==,
			"{\"ok\":false,\"error\":\"no host “?”\",\"code\":\"not-found\"}");
}

static void
test_control_oversized(Fixture *fx, gconstpointer data)
{
	const gchar *request = "{\"command\":\"echo\",\"args\":{\"big\":true}}";
	g_autofree gchar *max_line = g_malloc(PXF_CONTROL_MAX_REQUEST + 2);
	g_autofree gchar *too_long = g_strnfill(PXF_CONTROL_MAX_REQUEST + 1, 'a');
	g_autoptr(GPtrArray) replies = NULL;
	g_autoptr(JsonObject) reply = NULL;
	const gchar *lines[1];
	gsize lens[1];
	gboolean eof = FALSE;

	/* exactly at the limit (JSON padded with spaces) is still fine */
	memset(max_line, ' ', PXF_CONTROL_MAX_REQUEST);
	memcpy(max_line, request, strlen(request));
	max_line[PXF_CONTROL_MAX_REQUEST] = '\n';
	max_line[PXF_CONTROL_MAX_REQUEST + 1] = '\0';
	lines[0] = max_line;
	replies = exchange(fx, lines, NULL, 1, 1, &eof);
	reply = parse_reply(g_ptr_array_index(replies, 0));
	g_assert_true(json_object_get_boolean_member(reply, "ok"));
	g_assert_false(eof);
	g_clear_pointer(&replies, g_ptr_array_unref);

	/* one byte more, without a newline: refused and disconnected */
	lines[0] = too_long;
	lens[0] = PXF_CONTROL_MAX_REQUEST + 1;
	replies = exchange(fx, lines, lens, 1, 1, &eof);
	assert_error_reply(g_ptr_array_index(replies, 0), "bad-request", "longer than 65536");
	g_assert_true(eof);
	g_assert_cmpuint(fx->n_calls, ==, 1);
}

typedef struct {
	const gchar *path;
	gchar *reply_a;
	gchar *reply_b;
	guint n_clients_seen;
	PxfControlServer *server;
} Concurrent;

static gpointer
concurrent_thread(gpointer data)
{
	Concurrent *c = data;
	int a = raw_connect(c->path);
	int b = raw_connect(c->path);

	/* A is half-way through a request while B is served */
	raw_send(a, "{\"command\":\"echo\",", strlen("{\"command\":\"echo\","));
	raw_send(b, "{\"command\":\"echo\",\"args\":{\"who\":\"b\"}}\n",
		 strlen("{\"command\":\"echo\",\"args\":{\"who\":\"b\"}}\n"));
	c->reply_b = raw_read_line(b);
	raw_send(a, "\"args\":{\"who\":\"a\"}}\n", strlen("\"args\":{\"who\":\"a\"}}\n"));
	c->reply_a = raw_read_line(a);
	close(a);
	close(b);
	return NULL;
}

static void
test_control_concurrent(Fixture *fx, gconstpointer data)
{
	Concurrent c = {.path = fx->path};
	gint64 deadline;

	run_in_thread(concurrent_thread, &c);
	g_assert_cmpstr(c.reply_b, ==, "{\"ok\":true,\"result\":{\"who\":\"b\"}}");
	g_assert_cmpstr(c.reply_a, ==, "{\"ok\":true,\"result\":{\"who\":\"a\"}}");
	g_free(c.reply_a);
	g_free(c.reply_b);

	/* both hang-ups are noticed */
	deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	while (pxf_control_server_get_n_clients(fx->server) > 0 &&
	       g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, FALSE);
	g_assert_cmpuint(pxf_control_server_get_n_clients(fx->server), ==, 0);
}

typedef struct {
	const gchar *path;
	guint n;
	gchar *last_reply;
} Busy;

static gpointer
busy_thread(gpointer data)
{
	Busy *b = data;
	int fds[PXF_CONTROL_MAX_CLIENTS + 1];

	for (guint i = 0; i < G_N_ELEMENTS(fds); i++)
		fds[i] = raw_connect(b->path);
	b->last_reply = raw_read_line(fds[PXF_CONTROL_MAX_CLIENTS]);
	for (guint i = 0; i < G_N_ELEMENTS(fds); i++)
		close(fds[i]);
	return NULL;
}

static void
test_control_busy(Fixture *fx, gconstpointer data)
{
	Busy b = {.path = fx->path};

	run_in_thread(busy_thread, &b);
	assert_error_reply(b.last_reply, "busy", NULL);
	g_free(b.last_reply);
}

static gpointer
idle_thread(gpointer data)
{
	int fd = raw_connect(data);
	gboolean eof = raw_at_eof(fd, 5000);
	close(fd);
	return GINT_TO_POINTER(eof);
}

static void
test_control_idle_timeout(Fixture *fx, gconstpointer data)
{
	gint64 start = g_get_monotonic_time();

	pxf_control_server_set_idle_timeout(fx->server, 1);
	g_assert_true(GPOINTER_TO_INT(run_in_thread(idle_thread, fx->path)));
	g_assert_cmpint(g_get_monotonic_time() - start, >=, G_USEC_PER_SEC / 2);
}

/* a socket file nobody listens on, as left by a crashed daemon */
static void
make_stale_socket(const gchar *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(fd, >=, 0);
	memcpy(sa.sun_path, path, strlen(path));
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	close(fd);
	g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
}

static void
test_control_stale(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) result = NULL;
	JsonNode *none;

	g_assert_cmpint(g_mkdir(fx->rundir, 0700), ==, 0);
	make_stale_socket(fx->path);

	/* the client tells a stale socket from a running daemon */
	none = pxf_control_call(fx->path, "echo", NULL, &error);
	g_assert_null(none);
	g_assert_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_NOT_RUNNING);
	g_clear_error(&error);

	fx->server = pxf_control_server_new(fx->path, test_handler, fx, &error);
	g_assert_no_error(error);
	g_assert_nonnull(fx->server);
	result = call(fx, "echo", NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(result);
}

static void
test_control_in_use(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) result = NULL;
	PxfControlServer *second;

	second = pxf_control_server_new(fx->path, test_handler, fx, &error);
	g_assert_null(second);
	g_assert_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_IN_USE);
	g_assert_nonnull(strstr(error->message, fx->path));
	g_clear_error(&error);

	/* the first server and its socket are untouched */
	g_assert_true(g_file_test(fx->path, G_FILE_TEST_EXISTS));
	result = call(fx, "echo", NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(result);

	/* and the socket goes away with the server that made it */
	g_clear_pointer(&fx->server, pxf_control_server_free);
	g_assert_false(g_file_test(fx->path, G_FILE_TEST_EXISTS));
}

static void
test_control_not_a_socket(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	PxfControlServer *server;

	g_assert_cmpint(g_mkdir(fx->rundir, 0700), ==, 0);
	g_assert_true(g_file_set_contents(fx->path, "precious", -1, &error));
	server = pxf_control_server_new(fx->path, test_handler, fx, &error);
	g_assert_null(server);
	g_assert_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, "not a socket"));
	g_assert_true(g_file_test(fx->path, G_FILE_TEST_IS_REGULAR));
}

static void
test_control_not_running(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	JsonNode *result = pxf_control_call(fx->path, "status", NULL, &error);

	g_assert_null(result);
	g_assert_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_NOT_RUNNING);
	g_assert_nonnull(strstr(error->message, "is pxeforged running?"));
	g_assert_nonnull(strstr(error->message, fx->path));
}

/* Somebody listens but never answers: the client gives up in time. */
static void
test_control_timeout(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	gint64 start;
	JsonNode *result;

	g_assert_cmpint(g_mkdir(fx->rundir, 0700), ==, 0);
	memcpy(sa.sun_path, fx->path, strlen(fx->path));
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	g_assert_cmpint(listen(fd, 4), ==, 0);

	start = g_get_monotonic_time();
	result = pxf_control_call_full(fx->path, "status", NULL, 1, &error);
	g_assert_null(result);
	g_assert_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_TIMED_OUT);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
	close(fd);
}

/* A fake daemon answering one connection with a canned reply. */
typedef struct {
	int listen_fd;
	const gchar *reply; /* NULL: hang up without a reply */
} Fake;

static gpointer
fake_thread(gpointer data)
{
	Fake *fake = data;
	int fd = accept(fake->listen_fd, NULL, NULL);
	g_autofree gchar *request = NULL;

	if (fd < 0)
		return NULL;
	request = raw_read_line(fd);
	if (fake->reply != NULL)
		raw_send(fd, fake->reply, strlen(fake->reply));
	close(fd);
	return NULL;
}

static void
test_control_bad_reply(Fixture *fx, gconstpointer data)
{
	struct {
		const gchar *reply;
		PxfControlError code;
		const gchar *message_part;
	} cases[] = {
		{"hello\n", PXF_CONTROL_ERROR_PROTOCOL, "invalid reply"},
		{"{\"result\":1}\n", PXF_CONTROL_ERROR_PROTOCOL, "\"ok\""},
		{"{\"ok\":\"yes\"}\n", PXF_CONTROL_ERROR_PROTOCOL, "\"ok\""},
		{"{\"ok\":true}", PXF_CONTROL_ERROR_PROTOCOL, "truncated"},
		{NULL, PXF_CONTROL_ERROR_PROTOCOL, "without replying"},
		{"{\"ok\":false,\"error\":\"nope\",\"code\":\"from-the-future\"}\n",
		 PXF_CONTROL_ERROR_FAILED, "nope"},
		{"{\"ok\":false,\"code\":\"denied\"}\n", PXF_CONTROL_ERROR_DENIED,
		 "without a message"},
		{"{\"ok\":false,\"error\":\"\xff\"}\n", PXF_CONTROL_ERROR_PROTOCOL, "UTF-8"},
	};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(g_mkdir(fx->rundir, 0700), ==, 0);
	memcpy(sa.sun_path, fx->path, strlen(fx->path));
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	g_assert_cmpint(listen(fd, 4), ==, 0);

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		Fake fake = {.listen_fd = fd, .reply = cases[i].reply};
		GThread *thread = g_thread_new("pxf-test-fake", fake_thread, &fake);
		JsonNode *result = pxf_control_call_full(fx->path, "status", NULL, 5, &error);

		g_thread_join(thread);
		g_test_message("case %zu: %s", i, error != NULL ? error->message : "(none)");
		g_assert_null(result);
		g_assert_error(error, PXF_CONTROL_ERROR, (gint)cases[i].code);
		g_assert_nonnull(strstr(error->message, cases[i].message_part));
	}
	close(fd);
}

/* The handler may stop the server from inside a request. */
static void
test_control_stop_from_handler(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	JsonNode *result = call(fx, "stop", NULL, &error);

	g_assert_null(result);
	g_assert_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_PROTOCOL);
	g_assert_null(fx->server);
	g_assert_false(g_file_test(fx->path, G_FILE_TEST_EXISTS));
}

/* As another uid: fork, become nobody, call; the parent serves meanwhile. */
static int
denied_child(const gchar *path, uid_t uid, gid_t gid)
{
	g_autoptr(GError) error = NULL;
	JsonNode *result;

	if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
		return 10;
	result = pxf_control_call(path, "echo", NULL, &error);
	if (result != NULL)
		return 11;
	if (!g_error_matches(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_DENIED))
		return 12;
	return 0;
}

static int
run_denied_child(Fixture *fx)
{
	struct passwd *pw = getpwnam("nobody");
	uid_t uid = pw != NULL ? pw->pw_uid : 65534;
	gid_t gid = pw != NULL ? pw->pw_gid : 65534;
	int status = 0;
	pid_t pid = fork();

	g_assert_cmpint(pid, >=, 0);
	if (pid == 0)
		_exit(denied_child(fx->path, uid, gid));
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	}
	g_assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_control_peer_denied(Fixture *fx, gconstpointer data)
{
	if (geteuid() != 0) {
		g_test_skip("needs root to connect as another uid");
		return;
	}
	/* the 0600 socket already keeps others out */
	g_assert_cmpint(chmod(fx->tmpdir, 0755), ==, 0);
	g_assert_cmpint(chmod(fx->rundir, 0755), ==, 0);
	g_assert_cmpint(run_denied_child(fx), ==, 0);

	/* and behind an open socket the peer check does */
	g_assert_cmpint(chmod(fx->path, 0666), ==, 0);
	g_assert_cmpint(run_denied_child(fx), ==, 0);
	g_assert_cmpuint(fx->n_calls, ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, func) g_test_add(name, Fixture, NULL, fixture_setup, func, fixture_teardown)
#define ADD_NO_SERVER(name, func)                                                                  \
	g_test_add(name, Fixture, "no-server", fixture_setup, func, fixture_teardown)
	ADD("/core/control/call", test_control_call);
	ADD("/core/control/errors", test_control_errors);
	g_test_add_func("/core/control/codes", test_control_codes);
	ADD("/core/control/permissions", test_control_permissions);
	ADD("/core/control/malformed", test_control_malformed);
	ADD("/core/control/framing", test_control_framing);
	ADD("/core/control/oversized", test_control_oversized);
	ADD("/core/control/concurrent", test_control_concurrent);
	ADD("/core/control/busy", test_control_busy);
	ADD("/core/control/idle-timeout", test_control_idle_timeout);
	ADD_NO_SERVER("/core/control/stale", test_control_stale);
	ADD("/core/control/in-use", test_control_in_use);
	ADD_NO_SERVER("/core/control/not-a-socket", test_control_not_a_socket);
	ADD_NO_SERVER("/core/control/not-running", test_control_not_running);
	ADD_NO_SERVER("/core/control/timeout", test_control_timeout);
	ADD_NO_SERVER("/core/control/bad-reply", test_control_bad_reply);
	ADD("/core/control/stop-from-handler", test_control_stop_from_handler);
	ADD("/core/control/peer-denied", test_control_peer_denied);
	return g_test_run();
}
