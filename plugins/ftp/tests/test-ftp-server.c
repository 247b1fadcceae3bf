/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The server on the GLib main loop over 127.0.0.1: a client thread speaks
 * raw FTP on blocking sockets while the main thread runs the loop, and
 * every handler call must come on the main thread. */
#define G_LOG_DOMAIN "test-ftp-server"

#include <arpa/inet.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pxf-ftp-server.h"

#define BIG_SIZE (3 * 1024 * 1024 + 17)

typedef struct {
	GThread *main_thread;
	GMainLoop *loop;
	PxfFtpServer *server;
	GSocket *listener;
	guint16 port;
	gchar *top;
	gchar *root;
	gchar *distro;
	GBytes *big;
	/* what the handler saw; read by the client thread once the loop is idle */
	GMutex lock;
	guint n_served;
	gchar *served_path;
	guint64 served_bytes;
	guint n_progress;
	guint64 progress_done;
	guint64 progress_total;
	guint n_open;
	void (*scenario)(gpointer ctx);
} Ctx;

/* The server's warnings (refusals) are expected here: recorded, not fatal. */
static GMutex warnings_lock;
static GString *warnings;

static void
log_warning(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
	g_mutex_lock(&warnings_lock);
	g_string_append_printf(warnings, "%s\n", message);
	g_mutex_unlock(&warnings_lock);
	g_log_default_handler(domain, level, message, user_data);
}

static gboolean
warned(const gchar *needle)
{
	gboolean found;
	g_mutex_lock(&warnings_lock);
	found = strstr(warnings->str, needle) != NULL;
	g_mutex_unlock(&warnings_lock);
	return found;
}

/* ---- the handler (main thread) ----------------------------------------------------- */

static void
h_refresh(PxfFtpFs *fs, gpointer user_data)
{
	Ctx *ctx = user_data;
	g_assert_true(g_thread_self() == ctx->main_thread);
	pxf_ftp_fs_clear_distros(fs);
	pxf_ftp_fs_add_distro(fs, "rocky9", ctx->distro);
}

static PxfFtpOpenResult
h_open(PxfFtpSession *session,
       const gchar *path,
       GBytes **content,
       gchar **local_path,
       gpointer user_data)
{
	Ctx *ctx = user_data;

	g_assert_true(g_thread_self() == ctx->main_thread);
	g_assert_cmpstr(pxf_ftp_session_get_peer_ip(session), ==, "127.0.0.1");
	g_assert_false(path[0] == '/');
	g_mutex_lock(&ctx->lock);
	ctx->n_open++;
	g_mutex_unlock(&ctx->lock);
	if (g_strcmp0(path, "virtual/hello.txt") == 0) {
		*content = g_bytes_new_static("hello\nworld\n", 12);
		return PXF_FTP_OPEN_CONTENT;
	}
	if (g_strcmp0(path, "alias/big.bin") == 0) {
		*local_path = g_build_filename(ctx->root, "big.bin", NULL);
		return PXF_FTP_OPEN_LOCAL;
	}
	if (g_str_has_prefix(path, "blocked/"))
		return PXF_FTP_OPEN_DROP;
	return PXF_FTP_OPEN_CONTINUE;
}

static void
h_progress(
	PxfFtpSession *session, const gchar *path, guint64 done, guint64 total, gpointer user_data)
{
	Ctx *ctx = user_data;
	g_assert_true(g_thread_self() == ctx->main_thread);
	g_assert_cmpuint(done, <=, total);
	g_mutex_lock(&ctx->lock);
	ctx->n_progress++;
	ctx->progress_done = done;
	ctx->progress_total = total;
	g_mutex_unlock(&ctx->lock);
}

static void
h_served(PxfFtpSession *session, const gchar *path, guint64 bytes, gpointer user_data)
{
	Ctx *ctx = user_data;
	g_assert_true(g_thread_self() == ctx->main_thread);
	g_mutex_lock(&ctx->lock);
	ctx->n_served++;
	g_free(ctx->served_path);
	ctx->served_path = g_strdup(path);
	ctx->served_bytes = bytes;
	g_mutex_unlock(&ctx->lock);
}

static const PxfFtpHandler handler = {
	.refresh = h_refresh,
	.open = h_open,
	.progress = h_progress,
	.served = h_served,
};

/* ---- the client thread: raw FTP over blocking sockets ---------------------------- */

typedef struct {
	gint fd;
	GString *in; /* received, not yet returned */
} Conn;

static gint
tcp_connect(guint16 port, const gchar *from)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct timeval tv = {.tv_sec = 15};
	gint fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(fd, >=, 0);
	if (from != NULL) {
		struct sockaddr_in src = {.sin_family = AF_INET};
		g_assert_cmpint(inet_pton(AF_INET, from, &src.sin_addr), ==, 1);
		g_assert_cmpint(bind(fd, (struct sockaddr *)&src, sizeof(src)), ==, 0);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
	return fd;
}

/* One whole reply (all lines of a multi-line one), or NULL at EOF. */
static gchar *
conn_reply(Conn *c)
{
	for (;;) {
		/* complete when the last line starts with "NNN " (RFC 959 4.2) */
		gchar *nl = NULL;
		gsize start = 0;
		while ((nl = memchr(c->in->str + start, '\n', c->in->len - start)) != NULL) {
			const gchar *line = c->in->str + start;
			gsize end = (gsize)(nl - c->in->str) + 1;
			if (c->in->len >= 4 && g_ascii_isdigit(line[0]) && line[3] == ' ' &&
			    strncmp(line, c->in->str, 3) == 0) {
				gchar *reply = g_strndup(c->in->str, end);
				g_string_erase(c->in, 0, (gssize)end);
				return reply;
			}
			start = end;
		}
		{
			gchar buf[4096];
			ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return NULL;
			g_string_append_len(c->in, buf, n);
		}
	}
}

static guint
reply_code(const gchar *reply)
{
	return reply != NULL ? (guint)g_ascii_strtoull(reply, NULL, 10) : 0;
}

static Conn *
conn_open(Ctx *ctx)
{
	Conn *c = g_new0(Conn, 1);
	g_autofree gchar *greeting = NULL;

	c->fd = tcp_connect(ctx->port, NULL);
	c->in = g_string_new(NULL);
	greeting = conn_reply(c);
	g_assert_cmpuint(reply_code(greeting), ==, 220);
	return c;
}

static void
conn_close(Conn *c)
{
	close(c->fd);
	g_string_free(c->in, TRUE);
	g_free(c);
}

static void
conn_send(Conn *c, const gchar *line)
{
	g_autofree gchar *text = g_strdup_printf("%s\r\n", line);
	g_assert_cmpint(send(c->fd, text, strlen(text), MSG_NOSIGNAL), ==, (gssize)strlen(text));
}

/* Sends line, returns the reply's code; *text the whole reply. */
static guint
cmd(Conn *c, const gchar *line, gchar **text)
{
	g_autofree gchar *reply = NULL;
	guint code;

	conn_send(c, line);
	reply = conn_reply(c);
	code = reply_code(reply);
	{
		g_autofree gchar *shown = g_strescape(line, NULL);
		g_debug("> %s\n< %s", shown, reply != NULL ? reply : "(closed)");
	}
	if (text != NULL)
		*text = g_steal_pointer(&reply);
	return code;
}

static void
login(Conn *c)
{
	g_assert_cmpuint(cmd(c, "USER anonymous", NULL), ==, 331);
	g_assert_cmpuint(cmd(c, "PASS guest@example.com", NULL), ==, 230);
}

/* EPSV and the connection to its port. */
static gint
epsv(Ctx *ctx, Conn *c)
{
	g_autofree gchar *reply = NULL;
	const gchar *p;

	g_assert_cmpuint(cmd(c, "EPSV", &reply), ==, 229);
	p = strstr(reply, "(|||");
	g_assert_nonnull(p);
	return tcp_connect((guint16)atoi(p + 4), NULL);
}

static guint16
pasv_port(const gchar *reply)
{
	guint h1, h2, h3, h4, p1, p2;
	const gchar *p = strchr(reply, '(');

	g_assert_nonnull(p);
	g_assert_cmpint(sscanf(p, "(%u,%u,%u,%u,%u,%u)", &h1, &h2, &h3, &h4, &p1, &p2), ==, 6);
	g_assert_cmpuint(h1, ==, 127);
	g_assert_cmpuint(h4, ==, 1);
	return (guint16)(p1 * 256 + p2);
}

static GBytes *
read_all(gint fd)
{
	GByteArray *out = g_byte_array_new();
	for (;;) {
		guint8 buf[65536];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		g_byte_array_append(out, buf, (guint)n);
	}
	close(fd);
	return g_byte_array_free_to_bytes(out);
}

/* A transfer command over a fresh EPSV connection: its data, and the final
 * reply code (after the 150). */
static GBytes *
transfer(Ctx *ctx, Conn *c, const gchar *line, guint *final)
{
	gint dfd = epsv(ctx, c);
	g_autofree gchar *first = NULL;
	g_autofree gchar *last = NULL;
	GBytes *data;

	conn_send(c, line);
	first = conn_reply(c);
	if (reply_code(first) != 150) {
		close(dfd);
		*final = reply_code(first);
		return NULL;
	}
	data = read_all(dfd);
	last = conn_reply(c);
	*final = reply_code(last);
	return data;
}

static void
assert_contains(const gchar *text, const gchar *needle)
{
	if (text == NULL || strstr(text, needle) == NULL)
		g_error("'%s' not in:\n%s", needle, text);
}

/* ---- scenarios --------------------------------------------------------------------- */

static void
scenario_session(gpointer data)
{
	Ctx *ctx = data;
	Conn *c = conn_open(ctx);
	g_autofree gchar *text = NULL;
	g_autoptr(GBytes) got = NULL;
	guint final = 0;

	/* nothing before the login */
	g_assert_cmpuint(cmd(c, "PWD", NULL), ==, 530);
	g_assert_cmpuint(cmd(c, "PASS x", NULL), ==, 503);
	g_assert_cmpuint(cmd(c, "USER root", NULL), ==, 530);
	g_assert_cmpuint(cmd(c, "PASS x", NULL), ==, 503);
	g_assert_cmpuint(cmd(c, "SYST", NULL), ==, 215);
	g_assert_cmpuint(cmd(c, "FEAT", &text), ==, 211);
	assert_contains(text, "\r\n EPSV\r\n");
	assert_contains(text, "\r\n MLST type*;size*;modify*;perm*;unique*;\r\n");
	assert_contains(text, "\r\n REST STREAM\r\n");
	assert_contains(text, "\r\n SIZE\r\n");
	g_clear_pointer(&text, g_free);
	g_assert_cmpuint(cmd(c, "USER FTP", NULL), ==, 331);
	g_assert_cmpuint(cmd(c, "PASS", NULL), ==, 230);

	/* navigation */
	g_assert_cmpuint(cmd(c, "PWD", &text), ==, 257);
	assert_contains(text, "257 \"/\"");
	g_clear_pointer(&text, g_free);
	g_assert_cmpuint(cmd(c, "CDUP", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "CWD distros/rocky9/images", NULL), ==, 250);
	g_assert_cmpuint(cmd(c, "XPWD", &text), ==, 257);
	assert_contains(text, "\"/distros/rocky9/images\"");
	g_clear_pointer(&text, g_free);
	g_assert_cmpuint(cmd(c, "CDUP", NULL), ==, 250);
	g_assert_cmpuint(cmd(c, "CWD images/install.img", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "CWD /nosuch", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "CWD ../../..", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "CWD /", NULL), ==, 250);

	/* parameters */
	g_assert_cmpuint(cmd(c, "TYPE I", NULL), ==, 200);
	g_assert_cmpuint(cmd(c, "TYPE E", NULL), ==, 504);
	g_assert_cmpuint(cmd(c, "MODE S", NULL), ==, 200);
	g_assert_cmpuint(cmd(c, "MODE B", NULL), ==, 504);
	g_assert_cmpuint(cmd(c, "STRU F", NULL), ==, 200);
	g_assert_cmpuint(cmd(c, "STRU R", NULL), ==, 504);
	g_assert_cmpuint(cmd(c, "NOOP", NULL), ==, 200);
	g_assert_cmpuint(cmd(c, "NOOP extra", NULL), ==, 501);
	g_assert_cmpuint(cmd(c, "FROB", NULL), ==, 500);
	g_assert_cmpuint(cmd(c, "OPTS UTF8 ON", NULL), ==, 200);

	/* facts */
	g_assert_cmpuint(cmd(c, "SIZE /big.bin", &text), ==, 213);
	g_assert_cmpuint(g_ascii_strtoull(text + 4, NULL, 10), ==, BIG_SIZE);
	g_clear_pointer(&text, g_free);
	g_assert_cmpuint(cmd(c, "SIZE /distros", NULL), ==, 550);
	/* SIZE describes what RETR sends: file.open first */
	g_assert_cmpuint(cmd(c, "SIZE virtual/hello.txt", &text), ==, 213);
	assert_contains(text, "213 12\r\n");
	g_clear_pointer(&text, g_free);
	g_assert_cmpuint(cmd(c, "MDTM virtual/hello.txt", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "SIZE blocked/x", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "MDTM /big.bin", &text), ==, 213);
	g_assert_cmpuint(strlen(text), ==, strlen("213 20240101000000\r\n"));
	g_clear_pointer(&text, g_free);
	g_assert_cmpuint(cmd(c, "MLST /distros/rocky9/.treeinfo", &text), ==, 250);
	assert_contains(text, " type=file;size=10;modify=");
	assert_contains(text, "perm=r;unique=");
	assert_contains(text, "; /distros/rocky9/.treeinfo\r\n250 End.\r\n");
	g_clear_pointer(&text, g_free);

	/* downloads: whole, resumed, from file.open, refused */
	got = transfer(ctx, c, "RETR big.bin", &final);
	g_assert_cmpuint(final, ==, 226);
	g_assert_true(g_bytes_equal(got, ctx->big));
	g_clear_pointer(&got, g_bytes_unref);
	g_assert_cmpuint(cmd(c, "REST 1000000", NULL), ==, 350);
	got = transfer(ctx, c, "RETR /big.bin", &final);
	g_assert_cmpuint(final, ==, 226);
	{
		g_autoptr(GBytes) tail =
			g_bytes_new_from_bytes(ctx->big, 1000000, BIG_SIZE - 1000000);
		g_assert_true(g_bytes_equal(got, tail));
	}
	g_clear_pointer(&got, g_bytes_unref);
	g_assert_cmpuint(cmd(c, "REST 99999999", NULL), ==, 350);
	got = transfer(ctx, c, "RETR /big.bin", &final);
	g_assert_null(got);
	g_assert_cmpuint(final, ==, 554);
	g_assert_cmpuint(cmd(c, "REST -1", NULL), ==, 501);
	got = transfer(ctx, c, "RETR virtual/hello.txt", &final);
	g_assert_cmpuint(final, ==, 226);
	g_assert_cmpmem(g_bytes_get_data(got, NULL), g_bytes_get_size(got), "hello\nworld\n", 12);
	g_clear_pointer(&got, g_bytes_unref);
	got = transfer(ctx, c, "RETR alias/big.bin", &final);
	g_assert_cmpuint(final, ==, 226);
	g_assert_true(g_bytes_equal(got, ctx->big));
	g_clear_pointer(&got, g_bytes_unref);
	got = transfer(ctx, c, "RETR blocked/x", &final);
	g_assert_null(got);
	g_assert_cmpuint(final, ==, 550);

	/* ASCII turns LF into CRLF; SIZE is refused there */
	g_assert_cmpuint(cmd(c, "TYPE A", NULL), ==, 200);
	g_assert_cmpuint(cmd(c, "SIZE /big.bin", NULL), ==, 550);
	got = transfer(ctx, c, "RETR virtual/hello.txt", &final);
	g_assert_cmpuint(final, ==, 226);
	g_assert_cmpmem(g_bytes_get_data(got, NULL), g_bytes_get_size(got), "hello\r\nworld\r\n",
			14);
	g_clear_pointer(&got, g_bytes_unref);
	g_assert_cmpuint(cmd(c, "TYPE L 8", NULL), ==, 200);

	/* listings */
	got = transfer(ctx, c, "LIST -la", &final);
	g_assert_cmpuint(final, ==, 226);
	text = g_strndup(g_bytes_get_data(got, NULL), g_bytes_get_size(got));
	assert_contains(text, "-r--r--r--   1 ftp      ftp");
	assert_contains(text, " big.bin\r\n");
	assert_contains(text, "dr-xr-xr-x   2 ftp      ftp");
	assert_contains(text, " distros\r\n");
	g_assert_null(strstr(text, "escape"));
	g_clear_pointer(&text, g_free);
	g_clear_pointer(&got, g_bytes_unref);
	got = transfer(ctx, c, "NLST /distros/rocky9", &final);
	g_assert_cmpuint(final, ==, 226);
	g_assert_cmpmem(g_bytes_get_data(got, NULL), g_bytes_get_size(got),
			".treeinfo\r\nimages\r\n", 19);
	g_clear_pointer(&got, g_bytes_unref);
	got = transfer(ctx, c, "MLSD /distros", &final);
	g_assert_cmpuint(final, ==, 226);
	text = g_strndup(g_bytes_get_data(got, NULL), g_bytes_get_size(got));
	assert_contains(text, "type=dir;modify=");
	assert_contains(text, ";perm=el;unique=");
	assert_contains(text, "; rocky9\r\n");
	g_clear_pointer(&text, g_free);
	g_clear_pointer(&got, g_bytes_unref);
	g_assert_cmpuint(cmd(c, "OPTS MLST size;type;bogus;", &text), ==, 200);
	assert_contains(text, "200 MLST OPTS type;size;\r\n");
	g_clear_pointer(&text, g_free);
	got = transfer(ctx, c, "MLSD /distros/rocky9", &final);
	text = g_strndup(g_bytes_get_data(got, NULL), g_bytes_get_size(got));
	g_assert_cmpstr(text, ==, "type=file;size=10; .treeinfo\r\ntype=dir; images\r\n");
	g_clear_pointer(&text, g_free);
	g_clear_pointer(&got, g_bytes_unref);
	got = transfer(ctx, c, "MLSD big.bin", &final);
	g_assert_null(got);
	g_assert_cmpuint(final, ==, 501);
	got = transfer(ctx, c, "LIST big.bin", &final);
	text = g_strndup(g_bytes_get_data(got, NULL), g_bytes_get_size(got));
	g_assert_true(g_str_has_suffix(text, " big.bin\r\n"));
	g_assert_true(strchr(text, '\n') == text + strlen(text) - 1); /* one line */
	g_clear_pointer(&text, g_free);
	g_clear_pointer(&got, g_bytes_unref);

	/* a transfer without PASV/EPSV first */
	g_assert_cmpuint(cmd(c, "RETR big.bin", NULL), ==, 425);
	g_assert_cmpuint(cmd(c, "LIST", NULL), ==, 425);

	/* read-only, passive only, and nothing out of the tree */
	g_assert_cmpuint(cmd(c, "STOR x", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "APPE x", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "DELE big.bin", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "MKD d", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "RMD distros", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "RNFR big.bin", NULL), ==, 550);
	g_assert_cmpuint(cmd(c, "PORT 127,0,0,1,200,10", NULL), ==, 502);
	g_assert_cmpuint(cmd(c, "EPRT |1|127.0.0.1|5000|", NULL), ==, 502);
	got = transfer(ctx, c, "RETR ../secret", &final);
	g_assert_null(got);
	g_assert_cmpuint(final, ==, 550);
	got = transfer(ctx, c, "RETR escape", &final);
	g_assert_cmpuint(final, ==, 550);
	got = transfer(ctx, c, "LIST /distros/rocky9/..\\..\\..", &final);
	g_assert_cmpuint(final, ==, 501);
	g_assert_cmpuint(cmd(c, "SIZE /distros/rocky9/../../../secret", NULL), ==, 550);
	g_assert_true(warned("refusing RETR \"../secret\" from 127.0.0.1: '..' climbs above"));
	g_assert_true(warned("refusing RETR \"escape\" from 127.0.0.1: escape: resolves to"));
	g_assert_true(warned("refusing CWD \"../../..\" from 127.0.0.1"));

	/* EPSV ALL forbids PASV; a protocol we do not speak */
	g_assert_cmpuint(cmd(c, "EPSV 2", NULL), ==, 522);
	g_assert_cmpuint(cmd(c, "EPSV ALL", NULL), ==, 200);
	g_assert_cmpuint(cmd(c, "PASV", NULL), ==, 503);

	g_assert_cmpuint(cmd(c, "STAT", &text), ==, 211);
	assert_contains(text, "Logged in anonymously");
	g_clear_pointer(&text, g_free);
	g_assert_cmpuint(cmd(c, "QUIT", NULL), ==, 221);
	g_assert_null(conn_reply(c)); /* and closed */
	conn_close(c);

	g_mutex_lock(&ctx->lock);
	g_assert_cmpuint(ctx->n_served, ==, 5); /* big, resumed big, hello twice, alias */
	g_assert_cmpstr(ctx->served_path, ==, "virtual/hello.txt");
	g_assert_cmpuint(ctx->served_bytes, ==, 12);
	g_assert_cmpuint(ctx->progress_total, ==, 12);
	g_assert_cmpuint(ctx->progress_done, ==, 12);
	g_mutex_unlock(&ctx->lock);
}

static void
scenario_pasv(gpointer data)
{
	Ctx *ctx = data;
	Conn *c = conn_open(ctx);
	g_autofree gchar *reply = NULL;
	g_autofree gchar *last = NULL;
	g_autoptr(GBytes) got = NULL;
	guint16 port;
	gint stranger;
	gint dfd;
	gchar byte;

	login(c);
	g_assert_cmpuint(cmd(c, "PASV", &reply), ==, 227);
	port = pasv_port(reply);
	g_assert_cmpuint(port, >=, 50000);
	g_assert_cmpuint(port, <=, 50100);
	/* another address than the session's is closed unanswered */
	stranger = tcp_connect(port, "127.0.0.2");
	g_assert_cmpint(recv(stranger, &byte, 1, 0), ==, 0);
	close(stranger);
	g_assert_true(warned("from 127.0.0.2: the session belongs to 127.0.0.1"));
	dfd = tcp_connect(port, NULL);
	conn_send(c, "RETR /distros/rocky9/.treeinfo");
	g_clear_pointer(&reply, g_free);
	reply = conn_reply(c);
	g_assert_cmpuint(reply_code(reply), ==, 150);
	got = read_all(dfd);
	g_assert_cmpmem(g_bytes_get_data(got, NULL), g_bytes_get_size(got), "[general]\n", 10);
	last = conn_reply(c);
	g_assert_cmpuint(reply_code(last), ==, 226);

	/* pipelined: commands sent during a transfer wait for its end */
	g_clear_pointer(&reply, g_free);
	g_assert_cmpuint(cmd(c, "PASV", &reply), ==, 227);
	dfd = tcp_connect(pasv_port(reply), NULL);
	conn_send(c, "RETR big.bin\r\nNOOP\r\nPWD");
	g_clear_pointer(&got, g_bytes_unref);
	got = read_all(dfd);
	g_assert_true(g_bytes_equal(got, ctx->big));
	g_clear_pointer(&reply, g_free);
	reply = conn_reply(c);
	g_assert_cmpuint(reply_code(reply), ==, 150);
	g_clear_pointer(&reply, g_free);
	reply = conn_reply(c);
	g_assert_cmpuint(reply_code(reply), ==, 226);
	g_clear_pointer(&reply, g_free);
	reply = conn_reply(c);
	g_assert_cmpuint(reply_code(reply), ==, 200);
	g_clear_pointer(&reply, g_free);
	reply = conn_reply(c);
	g_assert_cmpuint(reply_code(reply), ==, 257);

	/* ABOR during a transfer the client does not read */
	g_clear_pointer(&reply, g_free);
	g_assert_cmpuint(cmd(c, "PASV", &reply), ==, 227);
	dfd = tcp_connect(pasv_port(reply), NULL);
	g_clear_pointer(&reply, g_free);
	g_assert_cmpuint(cmd(c, "RETR huge.bin", &reply), ==, 150);
	g_clear_pointer(&reply, g_free);
	g_assert_cmpuint(cmd(c, "ABOR", &reply), ==, 426);
	g_clear_pointer(&reply, g_free);
	reply = conn_reply(c);
	g_assert_cmpuint(reply_code(reply), ==, 226);
	close(dfd);
	g_assert_cmpuint(cmd(c, "ABOR", NULL), ==, 225);

	/* nobody connects to the data port: 425 after data_timeout (1 s) */
	g_clear_pointer(&reply, g_free);
	g_assert_cmpuint(cmd(c, "PASV", &reply), ==, 227);
	g_clear_pointer(&reply, g_free);
	g_assert_cmpuint(cmd(c, "RETR big.bin", &reply), ==, 425);
	g_assert_cmpuint(cmd(c, "NOOP", NULL), ==, 200);
	conn_close(c);
}

static void
scenario_limits(gpointer data)
{
	Ctx *ctx = data;
	Conn *c = conn_open(ctx);
	Conn *c2 = conn_open(ctx);
	g_autofree gchar *reply = NULL;
	g_autoptr(GString) longline = g_string_new("RETR ");
	gint third;
	gint64 start;

	/* max_sessions 2: the third gets 421 and is closed */
	third = tcp_connect(ctx->port, NULL);
	{
		Conn t = {.fd = third, .in = g_string_new(NULL)};
		g_autofree gchar *busy = conn_reply(&t);
		g_assert_cmpuint(reply_code(busy), ==, 421);
		g_assert_null(conn_reply(&t));
		g_string_free(t.in, TRUE);
		close(third);
	}
	/* a line too long is answered, the session goes on; Telnet bytes ignored */
	while (longline->len < 5000)
		g_string_append_c(longline, 'x');
	g_assert_cmpuint(cmd(c2, longline->str, NULL), ==, 500);
	g_assert_cmpuint(cmd(c2, "\xff\xf4\xff\xf2NOOP", NULL), ==, 200);
	g_assert_cmpuint(cmd(c2, "RETR a\rb", NULL), ==, 501);
	conn_close(c2);

	/* idle_timeout 2 s: 421 and closed, not before */
	login(c);
	start = g_get_monotonic_time();
	reply = conn_reply(c);
	g_assert_cmpuint(reply_code(reply), ==, 421);
	g_assert_cmpint(g_get_monotonic_time() - start, >=, G_USEC_PER_SEC);
	g_assert_null(conn_reply(c));
	conn_close(c);
}

#define FLOOD 40

/* One address takes no more than its share; sessions that never log in go */
static void
scenario_per_address(gpointer data)
{
	Ctx *ctx = data;
	gint flood[FLOOD];
	Conn held[2];
	guint n_held = 0;
	guint n_refused = 0;
	gint64 start = g_get_monotonic_time();
	g_autofree gchar *name = g_strnfill(300, 'n');
	g_autofree gchar *line = NULL;
	g_autoptr(GBytes) got = NULL;
	guint final = 0;
	Conn *c;

	/* max_sessions 8, max_sessions_per_address 2: the flood from 127.0.0.2
	 * gets two sessions, the rest 421 */
	for (guint i = 0; i < FLOOD; i++)
		flood[i] = tcp_connect(ctx->port, "127.0.0.2");
	for (guint i = 0; i < FLOOD; i++) {
		Conn t = {.fd = flood[i], .in = g_string_new(NULL)};
		g_autofree gchar *greeting = conn_reply(&t);
		if (reply_code(greeting) == 220) {
			g_assert_cmpuint(n_held, <, 2);
			held[n_held++] = t;
			continue;
		}
		g_assert_cmpuint(reply_code(greeting), ==, 421);
		n_refused++;
		g_string_free(t.in, TRUE);
		close(flood[i]);
	}
	g_assert_cmpuint(n_held, ==, 2);
	g_assert_cmpuint(n_refused, ==, FLOOD - 2);
	g_assert_true(warned("refusing a session from 127.0.0.2: 2 sessions are open from it "
			     "(max_sessions_per_address)"));

	/* another address is served */
	c = conn_open(ctx);
	login(c);
	got = transfer(ctx, c, "RETR big.bin", &final);
	g_assert_cmpuint(final, ==, 226);
	g_assert_true(g_bytes_equal(got, ctx->big));

	/* a name past NAME_MAX: not found, like any other missing file */
	line = g_strdup_printf("SIZE %s", name);
	g_assert_cmpuint(cmd(c, line, NULL), ==, 550);
	g_clear_pointer(&line, g_free);
	line = g_strdup_printf("CWD /%s/x", name);
	g_assert_cmpuint(cmd(c, line, NULL), ==, 550);
	g_clear_pointer(&line, g_free);
	line = g_strdup_printf("MLST %s", name);
	g_assert_cmpuint(cmd(c, line, NULL), ==, 550);
	g_clear_pointer(&line, g_free);
	line = g_strdup_printf("RETR /%s", name);
	g_assert_null(transfer(ctx, c, line, &final));
	g_assert_cmpuint(final, ==, 550);

	/* login_timeout 2 s: the flood's sessions, never logged in, are closed */
	for (guint i = 0; i < n_held; i++) {
		g_autofree gchar *reply = conn_reply(&held[i]);
		g_assert_cmpuint(reply_code(reply), ==, 421);
		assert_contains(reply, "not logged in");
		g_assert_null(conn_reply(&held[i]));
		g_string_free(held[i].in, TRUE);
		close(held[i].fd);
	}
	g_assert_cmpint(g_get_monotonic_time() - start, >=, G_USEC_PER_SEC);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 8 * G_USEC_PER_SEC);
	/* the logged-in session stays */
	g_assert_cmpuint(cmd(c, "NOOP", NULL), ==, 200);
	conn_close(c);
}

/* ---- the harness ------------------------------------------------------------------- */

static gpointer
client_thread(gpointer data)
{
	Ctx *ctx = data;
	ctx->scenario(ctx);
	g_main_loop_quit(ctx->loop);
	return NULL;
}

static void
write_file(const gchar *top, const gchar *rel, const void *data, gsize len)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_build_filename(top, rel, NULL);
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_file_set_contents(path, data, (gssize)len, &error);
	g_assert_no_error(error);
}

static void
remove_tree(const gchar *path)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	const gchar *name;

	if (dir != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			g_autofree gchar *child = g_build_filename(path, name, NULL);
			if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
			    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
				remove_tree(child);
			else
				g_unlink(child);
		}
		g_dir_close(dir);
	}
	g_rmdir(path);
}

static void
run(void (*scenario)(gpointer), const PxfFtpLimits *limits)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketAddress) addr = NULL;
	g_autoptr(GSocketAddress) bound = NULL;
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autofree guint8 *big = g_malloc(BIG_SIZE);
	g_autofree gchar *escape = NULL;
	Ctx ctx = {0};
	GThread *thread;

	ctx.main_thread = g_thread_self();
	ctx.loop = g_main_loop_new(NULL, FALSE);
	ctx.scenario = scenario;
	g_mutex_init(&ctx.lock);
	ctx.top = g_dir_make_tmp("pxf-ftp-server-XXXXXX", &error);
	g_assert_no_error(error);
	ctx.root = g_build_filename(ctx.top, "root", NULL);
	ctx.distro = g_build_filename(ctx.top, "rocky", NULL);
	for (gsize i = 0; i < BIG_SIZE; i++)
		big[i] = (guint8)g_random_int();
	ctx.big = g_bytes_new(big, BIG_SIZE);
	write_file(ctx.root, "big.bin", big, BIG_SIZE);
	write_file(ctx.distro, ".treeinfo", "[general]\n", 10);
	write_file(ctx.distro, "images/install.img", "image\n", 6);
	write_file(ctx.top, "secret", "secret\n", 7);
	/* more than the socket buffers hold: a transfer nobody reads stays open */
	{
		g_autofree gchar *huge = g_build_filename(ctx.root, "huge.bin", NULL);
		g_assert_cmpint(truncate(huge, 0), !=, 0);
		write_file(ctx.root, "huge.bin", "", 0);
		g_assert_cmpint(truncate(huge, 256 * 1024 * 1024), ==, 0);
	}
	escape = g_build_filename(ctx.root, "escape", NULL);
	g_assert_cmpint(symlink("../secret", escape), ==, 0);

	ctx.server = pxf_ftp_server_new(limits, pxf_ftp_fs_new(ctx.root), &handler, &ctx);
	ctx.listener = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
				    G_SOCKET_PROTOCOL_TCP, &error);
	g_assert_no_error(error);
	addr = g_inet_socket_address_new(lo, 0);
	g_assert_true(g_socket_bind(ctx.listener, addr, TRUE, &error));
	g_assert_true(pxf_ftp_server_add_socket(ctx.server, ctx.listener, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(pxf_ftp_server_get_n_sockets(ctx.server), ==, 1);
	bound = g_socket_get_local_address(ctx.listener, &error);
	ctx.port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));

	thread = g_thread_new("client", client_thread, &ctx);
	g_main_loop_run(ctx.loop);
	g_thread_join(thread);

	pxf_ftp_server_free(ctx.server);
	/* the caller's socket outlives the server (the core keeps it for a reload) */
	g_assert_false(g_socket_is_closed(ctx.listener));
	g_object_unref(ctx.listener);
	g_main_loop_unref(ctx.loop);
	g_bytes_unref(ctx.big);
	g_mutex_clear(&ctx.lock);
	remove_tree(ctx.top);
	g_free(ctx.top);
	g_free(ctx.root);
	g_free(ctx.distro);
	g_free(ctx.served_path);
}

static void
test_session(void)
{
	PxfFtpLimits limits = {.max_sessions = 4, .idle_timeout = 60, .data_timeout = 10};
	run(scenario_session, &limits);
}

static void
test_pasv(void)
{
	PxfFtpLimits limits = {.max_sessions = 4,
			       .idle_timeout = 60,
			       .data_timeout = 1,
			       .passive_min = 50000,
			       .passive_max = 50100};
	run(scenario_pasv, &limits);
}

static void
test_limits(void)
{
	PxfFtpLimits limits = {.max_sessions = 2, .idle_timeout = 2, .data_timeout = 10};
	run(scenario_limits, &limits);
}

static void
test_per_address(void)
{
	PxfFtpLimits limits = {.max_sessions = 8,
			       .max_sessions_per_address = 2,
			       .idle_timeout = 60,
			       .login_timeout = 2,
			       .data_timeout = 10};
	run(scenario_per_address, &limits);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	warnings = g_string_new(NULL);
	g_log_set_always_fatal(G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
	g_log_set_handler("pxf-ftp", G_LOG_LEVEL_WARNING, log_warning, NULL);
	g_test_add_func("/plugin/ftp/server/session", test_session);
	g_test_add_func("/plugin/ftp/server/pasv", test_pasv);
	g_test_add_func("/plugin/ftp/server/limits", test_limits);
	g_test_add_func("/plugin/ftp/server/per-address", test_per_address);
	return g_test_run();
}
