/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One control connection on the main loop: non-blocking reads into the
 * line reader, replies through an output buffer, and the idle timeout.
 * Nothing here closes a session from inside a command: commands only queue
 * replies, and only the socket callbacks and the tick close, then return
 * without touching the freed session. */
#define G_LOG_DOMAIN "pxf-ftp"

#include "pxf-ftp-session.h"

#include <string.h>

static void pxf_ftp_session_update_sources(PxfFtpSession *self);

GInetSocketAddress *
pxf_ftp_session_get_peer(PxfFtpSession *self)
{
	return self->peer;
}

GInetSocketAddress *
pxf_ftp_session_get_local(PxfFtpSession *self)
{
	return self->local;
}

const gchar *
pxf_ftp_session_get_peer_ip(PxfFtpSession *self)
{
	return self->peer_ip;
}

void
pxf_ftp_session_set_data(PxfFtpSession *self, gpointer data, GDestroyNotify destroy)
{
	if (self->user_destroy != NULL && self->user_data != NULL)
		self->user_destroy(self->user_data);
	self->user_data = data;
	self->user_destroy = destroy;
}

gpointer
pxf_ftp_session_get_data(PxfFtpSession *self)
{
	return self->user_data;
}

static void
pxf_ftp_session_clear_source(GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy(*source);
	g_clear_pointer(source, g_source_unref);
}

static void
pxf_ftp_command_free(PxfFtpCommand *cmd)
{
	pxf_ftp_command_clear(cmd);
	g_free(cmd);
}

void
pxf_ftp_session_free(PxfFtpSession *self)
{
	if (self == NULL)
		return;
	pxf_ftp_session_clear_source(&self->read_source);
	pxf_ftp_session_clear_source(&self->write_source);
	pxf_ftp_session_clear_source(&self->process_source);
	pxf_ftp_session_abort_transfer(self);
	g_clear_pointer(&self->data, pxf_ftp_data_free);
	if (self->connection != NULL)
		g_io_stream_close(G_IO_STREAM(self->connection), NULL, NULL);
	g_clear_object(&self->connection);
	g_queue_clear_full(&self->pending, (GDestroyNotify)pxf_ftp_command_free);
	if (self->user_destroy != NULL && self->user_data != NULL)
		self->user_destroy(self->user_data);
	g_byte_array_unref(self->out);
	g_clear_object(&self->peer);
	g_clear_object(&self->local);
	g_free(self->peer_ip);
	g_free(self->who);
	g_free(self->cwd);
	g_free(self->xfer_path);
	g_free(self->xfer_opening);
	g_free(self);
}

static void
pxf_ftp_session_close(PxfFtpSession *self, const gchar *why)
{
	g_debug("session %s: closed: %s", self->who, why);
	pxf_ftp_server_remove_session(self->server, self);
}

/* A last reply, sent if the socket takes it now, then closed. */
static void
pxf_ftp_session_close_with(PxfFtpSession *self, const gchar *reply, const gchar *why)
{
	pxf_ftp_session_reply_raw(self, reply);
	(void)g_socket_send(self->socket, (const gchar *)self->out->data, self->out->len, NULL,
			    NULL);
	pxf_ftp_session_close(self, why);
}

void
pxf_ftp_session_reply_raw(PxfFtpSession *self, const gchar *text)
{
	g_byte_array_append(self->out, (const guint8 *)text, (guint)strlen(text));
	pxf_ftp_session_update_sources(self);
}

void
pxf_ftp_session_reply(PxfFtpSession *self, guint code, const gchar *format, ...)
{
	g_autofree gchar *text = NULL;
	g_autofree gchar *line = NULL;
	va_list args;

	va_start(args, format);
	text = g_strdup_vprintf(format, args);
	va_end(args);
	line = g_strdup_printf("%03u %s\r\n", code, text);
	pxf_ftp_session_reply_raw(self, line);
}

void
pxf_ftp_session_close_later(PxfFtpSession *self)
{
	self->closing = TRUE;
	self->closing_since = g_get_monotonic_time();
	pxf_ftp_session_update_sources(self);
}

/* Hands out the next command line from the input, or NULL. Too long and
 * malformed lines are answered here. */
static PxfFtpCommand *
pxf_ftp_session_next_command(PxfFtpSession *self)
{
	while (self->in_pos < self->in_len) {
		g_autoptr(GError) error = NULL;
		PxfFtpCommand *cmd;
		gsize consumed = 0;
		gsize len = 0;
		const guint8 *line;
		PxfFtpLineStatus status =
			pxf_ftp_line_reader_feed(&self->reader, self->inbuf + self->in_pos,
						 self->in_len - self->in_pos, &consumed);

		self->in_pos += consumed;
		if (status == PXF_FTP_LINE_NONE)
			break;
		self->last_activity = g_get_monotonic_time();
		if (status == PXF_FTP_LINE_TOO_LONG) {
			g_message("session %s: a command line longer than %u bytes", self->who,
				  PXF_FTP_LINE_MAX);
			pxf_ftp_session_reply(self, 500, "Command line too long.");
			continue;
		}
		line = pxf_ftp_line_reader_get_line(&self->reader, &len);
		if (len == 0)
			continue; /* an empty line: nothing asked, nothing answered */
		cmd = g_new0(PxfFtpCommand, 1);
		if (!pxf_ftp_command_parse(line, len, cmd, &error)) {
			g_debug("session %s: %s", self->who, error->message);
			if (g_error_matches(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT))
				pxf_ftp_session_reply(self, 501, "Syntax error in argument: %s.",
						      error->message);
			else
				pxf_ftp_session_reply(self, 500, "Syntax error: %s.",
						      error->message);
			pxf_ftp_command_free(cmd);
			continue;
		}
		/* the password of an anonymous login is someone's e-mail address */
		if (cmd->arg == NULL) {
			g_debug("session %s: %s", self->who, cmd->verb);
		} else {
			g_autofree gchar *shown = g_strescape(cmd->arg, NULL);
			g_debug("session %s: %s %s", self->who, cmd->verb,
				cmd->id == PXF_FTP_CMD_PASS ? "(hidden)" : shown);
		}
		return cmd;
	}
	if (self->in_pos == self->in_len)
		self->in_pos = self->in_len = 0;
	return NULL;
}

static void
pxf_ftp_session_process(PxfFtpSession *self)
{
	while (!self->closing && self->out->len < PXF_FTP_OUT_HIGH) {
		PxfFtpCommand *cmd;

		if (!self->busy && !g_queue_is_empty(&self->pending)) {
			cmd = g_queue_pop_head(&self->pending);
		} else {
			if (self->busy && g_queue_get_length(&self->pending) >= PXF_FTP_PENDING_MAX)
				break;
			cmd = pxf_ftp_session_next_command(self);
			if (cmd == NULL)
				break;
			/* during a transfer only ABOR and QUIT act at once */
			if (self->busy && cmd->id != PXF_FTP_CMD_ABOR &&
			    cmd->id != PXF_FTP_CMD_QUIT) {
				g_queue_push_tail(&self->pending, cmd);
				continue;
			}
		}
		if (self->busy)
			pxf_ftp_session_execute_busy(self, cmd);
		else
			pxf_ftp_session_execute(self, cmd);
		pxf_ftp_command_free(cmd);
	}
	pxf_ftp_session_update_sources(self);
}

static gboolean
pxf_ftp_session_process_cb(gpointer user_data)
{
	PxfFtpSession *self = user_data;
	g_clear_pointer(&self->process_source, g_source_unref);
	pxf_ftp_session_process(self);
	return G_SOURCE_REMOVE;
}

void
pxf_ftp_session_schedule(PxfFtpSession *self)
{
	if (self->process_source != NULL)
		return;
	self->process_source = g_idle_source_new();
	g_source_set_callback(self->process_source, pxf_ftp_session_process_cb, self, NULL);
	g_source_attach(self->process_source, NULL);
}

static gboolean
pxf_ftp_session_readable(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	PxfFtpSession *self = user_data;
	g_autoptr(GError) error = NULL;
	gssize n = g_socket_receive(socket, (gchar *)self->inbuf + self->in_len,
				    sizeof(self->inbuf) - self->in_len, NULL, &error);

	if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		g_clear_pointer(&self->read_source, g_source_unref);
		pxf_ftp_session_close(self,
				      n == 0 ? "the client closed the connection" : error->message);
		return G_SOURCE_REMOVE;
	}
	self->in_len += (gsize)n;
	pxf_ftp_session_process(self);
	return G_SOURCE_CONTINUE;
}

static gboolean
pxf_ftp_session_writable(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	PxfFtpSession *self = user_data;
	g_autoptr(GError) error = NULL;
	gboolean was_high = self->out->len >= PXF_FTP_OUT_HIGH;
	gssize n =
		g_socket_send(socket, (const gchar *)self->out->data, self->out->len, NULL, &error);

	if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
		return G_SOURCE_CONTINUE;
	if (n < 0) {
		g_clear_pointer(&self->write_source, g_source_unref);
		pxf_ftp_session_close(self, error->message);
		return G_SOURCE_REMOVE;
	}
	g_byte_array_remove_range(self->out, 0, (guint)n);
	if (self->out->len > 0)
		return G_SOURCE_CONTINUE;
	g_clear_pointer(&self->write_source, g_source_unref);
	if (self->closing) {
		pxf_ftp_session_close(self, "session ended");
		return G_SOURCE_REMOVE;
	}
	if (was_high)
		pxf_ftp_session_schedule(self);
	return G_SOURCE_REMOVE;
}

/* Reading while there is room and the session is not ending; writing while
 * replies wait. */
static void
pxf_ftp_session_update_sources(PxfFtpSession *self)
{
	gboolean want_read;

	/* input left behind a busy session's queue moves to the front */
	if (self->in_pos > 0) {
		memmove(self->inbuf, self->inbuf + self->in_pos, self->in_len - self->in_pos);
		self->in_len -= self->in_pos;
		self->in_pos = 0;
	}
	want_read = !self->closing && self->in_len < sizeof(self->inbuf);

	if (want_read && self->read_source == NULL) {
		self->read_source =
			g_socket_create_source(self->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
		g_source_set_callback(self->read_source, G_SOURCE_FUNC(pxf_ftp_session_readable),
				      self, NULL);
		g_source_attach(self->read_source, NULL);
	} else if (!want_read) {
		pxf_ftp_session_clear_source(&self->read_source);
	}
	if (self->out->len > 0 && self->write_source == NULL) {
		self->write_source = g_socket_create_source(self->socket, G_IO_OUT, NULL);
		g_source_set_callback(self->write_source, G_SOURCE_FUNC(pxf_ftp_session_writable),
				      self, NULL);
		g_source_attach(self->write_source, NULL);
	}
}

gboolean
pxf_ftp_session_tick(PxfFtpSession *self, gint64 now)
{
	const PxfFtpLimits *limits = &self->server->limits;

	if (self->data != NULL && pxf_ftp_data_check(self->data, now, limits->data_timeout)) {
		g_debug("session %s: nobody connected to data port %u in %u s; closed it",
			self->who, pxf_ftp_data_get_port(self->data), limits->data_timeout);
		g_clear_pointer(&self->data, pxf_ftp_data_free);
	}
	if (self->closing && now - self->closing_since > PXF_FTP_LINGER * G_USEC_PER_SEC) {
		pxf_ftp_session_close(self, "the client did not take its last reply");
		return FALSE;
	}
	/* logging in takes one USER and one PASS: a session that never does
	 * holds a slot for nothing */
	if (!self->logged_in && !self->closing && limits->login_timeout > 0 &&
	    now - self->connected > (gint64)limits->login_timeout * G_USEC_PER_SEC) {
		g_info("session %s: not logged in after %u s; closing it", self->who,
		       limits->login_timeout);
		pxf_ftp_session_close_with(self, "421 Timeout: not logged in in time.\r\n",
					   "login timeout");
		return FALSE;
	}
	if (!self->busy && !self->closing && limits->idle_timeout > 0 &&
	    now - self->last_activity > (gint64)limits->idle_timeout * G_USEC_PER_SEC) {
		g_info("session %s: idle for %u s; closing it", self->who, limits->idle_timeout);
		pxf_ftp_session_close_with(self, "421 Timeout: no command for too long.\r\n",
					   "idle timeout");
		return FALSE;
	}
	return TRUE;
}

PxfFtpSession *
pxf_ftp_session_new(PxfFtpServer *server, GSocketConnection *connection)
{
	g_autoptr(GSocketAddress) peer = g_socket_connection_get_remote_address(connection, NULL);
	g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address(connection, NULL);
	PxfFtpSession *self;

	if (!G_IS_INET_SOCKET_ADDRESS(peer) || !G_IS_INET_SOCKET_ADDRESS(local))
		return NULL;
	self = g_new0(PxfFtpSession, 1);
	self->server = server;
	self->id = ++server->next_id;
	self->connection = g_object_ref(connection);
	self->socket = g_socket_connection_get_socket(connection);
	g_socket_set_blocking(self->socket, FALSE);
	self->peer = G_INET_SOCKET_ADDRESS(g_steal_pointer(&peer));
	self->local = G_INET_SOCKET_ADDRESS(g_steal_pointer(&local));
	self->peer_ip = g_inet_address_to_string(g_inet_socket_address_get_address(self->peer));
	self->who =
		g_strdup_printf("%s:%u", self->peer_ip, g_inet_socket_address_get_port(self->peer));
	self->out = g_byte_array_new();
	self->cwd = g_strdup("/");
	self->facts = PXF_FTP_FACT_ALL;
	self->last_activity = g_get_monotonic_time();
	self->connected = self->last_activity;
	g_queue_init(&self->pending);
	pxf_ftp_line_reader_init(&self->reader);
	pxf_ftp_session_reply(self, 220, "pxeforge FTP server ready: read-only, anonymous.");
	return self;
}
