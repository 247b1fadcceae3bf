/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Passive data connections. The listening socket binds with SO_REUSEADDR:
 * every finished transfer leaves its port in TIME_WAIT on our side, and a
 * mirror of a few hundred files would otherwise exhaust a 100-port range.
 * A connection from any address but the control connection's peer is
 * closed unanswered (no "FTP bounce" or stolen downloads). */
#define G_LOG_DOMAIN "pxf-ftp"

#include "pxf-ftp-data.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* bytes read from the source at a time; ASCII needs room to double them */
#define PXF_FTP_DATA_BLOCK 65536
/* blocks sent per wake-up before other sessions get their turn */
#define PXF_FTP_DATA_BURST 16

struct _PxfFtpData {
	GSocket *listener;
	GSource *listen_source;
	GSocket *socket; /* the accepted connection */
	GSource *write_source;
	GInetAddress *peer;
	guint16 port;
	gint64 since; /* monotonic: listening since, or the last progress */

	gboolean busy; /* a transfer was started and has not ended */
	gint fd;
	guint64 offset;
	guint64 remaining;
	GBytes *bytes;
	gsize bytes_pos;
	gboolean ascii;
	gboolean last_cr;
	guint8 *buf;
	gsize buf_len;
	gsize buf_pos;
	guint64 done; /* bytes of the source consumed */
	guint64 reported;
	PxfFtpDataCallbacks callbacks;
	gpointer user_data;
};

static void
pxf_ftp_data_close_socket(GSocket **socket, GSource **source)
{
	if (*source != NULL) {
		g_source_destroy(*source);
		g_clear_pointer(source, g_source_unref);
	}
	if (*socket != NULL) {
		g_socket_close(*socket, NULL);
		g_clear_object(socket);
	}
}

static void
pxf_ftp_data_release(PxfFtpData *self)
{
	self->busy = FALSE;
	pxf_ftp_data_close_socket(&self->listener, &self->listen_source);
	pxf_ftp_data_close_socket(&self->socket, &self->write_source);
	if (self->fd >= 0) {
		close(self->fd);
		self->fd = -1;
	}
	g_clear_pointer(&self->bytes, g_bytes_unref);
}

void
pxf_ftp_data_abort(PxfFtpData *self)
{
	pxf_ftp_data_release(self);
}

void
pxf_ftp_data_free(PxfFtpData *self)
{
	if (self == NULL)
		return;
	pxf_ftp_data_release(self);
	g_clear_object(&self->peer);
	g_free(self->buf);
	g_free(self);
}

guint16
pxf_ftp_data_get_port(PxfFtpData *self)
{
	return self->port;
}

guint64
pxf_ftp_data_get_done(PxfFtpData *self)
{
	return self->done;
}

gboolean
pxf_ftp_data_is_busy(PxfFtpData *self)
{
	return self->busy;
}

/* The end of a transfer: done() is the last thing that touches self. */
static void
pxf_ftp_data_finish(PxfFtpData *self, PxfFtpDataResult result, const gchar *detail)
{
	PxfFtpDataCallbacks callbacks = self->callbacks;
	gpointer user_data = self->user_data;
	g_autofree gchar *detail_copy = g_strdup(detail);

	if (result == PXF_FTP_DATA_OK && self->socket != NULL) {
		/* unread input would make close() send a reset that can
		 * destroy the tail of what was sent */
		guint8 sink[512];
		for (guint i = 0; i < 64; i++) {
			if (g_socket_receive(self->socket, (gchar *)sink, sizeof(sink), NULL,
					     NULL) <= 0)
				break;
		}
		g_socket_shutdown(self->socket, FALSE, TRUE, NULL);
	}
	pxf_ftp_data_release(self);
	if (callbacks.done != NULL)
		callbacks.done(result, detail_copy, user_data);
}

/* Refills buf from the source: FALSE after a read error (finished). */
static gboolean
pxf_ftp_data_fill(PxfFtpData *self)
{
	gsize want = self->ascii ? PXF_FTP_DATA_BLOCK / 2 : PXF_FTP_DATA_BLOCK;
	guint8 raw[PXF_FTP_DATA_BLOCK / 2];
	const guint8 *in;
	gsize n = 0;

	self->buf_len = self->buf_pos = 0;
	if (self->bytes != NULL) {
		gsize size = 0;
		const guint8 *data = g_bytes_get_data(self->bytes, &size);
		n = MIN(want, size - self->bytes_pos);
		in = data + self->bytes_pos;
		self->bytes_pos += n;
	} else {
		guint8 *dst = self->ascii ? raw : self->buf;
		gssize r;

		want = (gsize)MIN((guint64)want, self->remaining);
		do {
			r = want > 0 ? pread(self->fd, dst, want, (off_t)self->offset) : 0;
		} while (r < 0 && errno == EINTR);
		if (r < 0) {
			g_autofree gchar *why = g_strdup_printf("read: %s", g_strerror(errno));
			pxf_ftp_data_finish(self, PXF_FTP_DATA_READ_ERROR, why);
			return FALSE;
		}
		if (r == 0 && want > 0) {
			pxf_ftp_data_finish(self, PXF_FTP_DATA_READ_ERROR,
					    "the file became shorter while it was sent");
			return FALSE;
		}
		n = (gsize)r;
		in = dst;
		self->offset += n;
		self->remaining -= n;
	}
	self->done += n;
	if (!self->ascii) {
		if (self->bytes != NULL)
			memcpy(self->buf, in, n);
		self->buf_len = n;
		return TRUE;
	}
	for (gsize i = 0; i < n; i++) {
		if (in[i] == '\n' && !self->last_cr)
			self->buf[self->buf_len++] = '\r';
		self->buf[self->buf_len++] = in[i];
		self->last_cr = in[i] == '\r';
	}
	return TRUE;
}

static gboolean
pxf_ftp_data_writable(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	PxfFtpData *self = user_data;

	for (guint i = 0; i < PXF_FTP_DATA_BURST; i++) {
		g_autoptr(GError) error = NULL;
		gssize n;

		if (self->buf_pos == self->buf_len) {
			if (!pxf_ftp_data_fill(self))
				return G_SOURCE_REMOVE;
			if (self->buf_len == 0) {
				pxf_ftp_data_finish(self, PXF_FTP_DATA_OK, NULL);
				return G_SOURCE_REMOVE;
			}
		}
		n = g_socket_send(socket, (const gchar *)self->buf + self->buf_pos,
				  self->buf_len - self->buf_pos, NULL, &error);
		if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
			break;
		if (n < 0) {
			pxf_ftp_data_finish(self, PXF_FTP_DATA_CLOSED, error->message);
			return G_SOURCE_REMOVE;
		}
		self->buf_pos += (gsize)n;
		self->since = g_get_monotonic_time();
	}
	if (self->done != self->reported && self->callbacks.progress != NULL) {
		self->reported = self->done;
		self->callbacks.progress(self->done, self->user_data);
	}
	return G_SOURCE_CONTINUE;
}

static void
pxf_ftp_data_start_sending(PxfFtpData *self)
{
	self->since = g_get_monotonic_time();
	if (self->callbacks.connected != NULL)
		self->callbacks.connected(self->user_data);
	self->write_source = g_socket_create_source(self->socket, G_IO_OUT, NULL);
	g_source_set_callback(self->write_source, G_SOURCE_FUNC(pxf_ftp_data_writable), self, NULL);
	g_source_attach(self->write_source, NULL);
}

static gboolean
pxf_ftp_data_incoming(GSocket *listener, GIOCondition condition, gpointer user_data)
{
	PxfFtpData *self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) conn = g_socket_accept(listener, NULL, &error);
	g_autoptr(GSocketAddress) remote = NULL;
	GInetAddress *addr;

	if (conn == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
			g_debug("data port %u: accept: %s", self->port, error->message);
		return G_SOURCE_CONTINUE;
	}
	remote = g_socket_get_remote_address(conn, NULL);
	addr = G_IS_INET_SOCKET_ADDRESS(remote)
		       ? g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(remote))
		       : NULL;
	if (addr == NULL || !g_inet_address_equal(addr, self->peer)) {
		g_autofree gchar *who = addr != NULL ? g_inet_address_to_string(addr) : NULL;
		g_autofree gchar *owner = g_inet_address_to_string(self->peer);
		g_warning("refusing a data connection to port %u from %s: the session belongs "
			  "to %s",
			  self->port, who != NULL ? who : "an unknown address", owner);
		g_socket_close(conn, NULL);
		return G_SOURCE_CONTINUE;
	}
	g_socket_set_blocking(conn, FALSE);
	self->socket = g_steal_pointer(&conn);
	/* one connection per PASV: nobody else gets in */
	pxf_ftp_data_close_socket(&self->listener, &self->listen_source);
	if (self->busy)
		pxf_ftp_data_start_sending(self);
	return G_SOURCE_REMOVE;
}

PxfFtpData *
pxf_ftp_data_new_passive(
	GInetAddress *local, GInetAddress *peer, guint16 port_min, guint16 port_max, GError **error)
{
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GSocketAddress) bound = NULL;
	g_autoptr(GError) error_bind = NULL;
	guint n = port_min == 0 ? 1 : (guint)port_max - port_min + 1;
	guint start = n > 1 ? (guint)g_random_int_range(0, (gint32)n) : 0;
	gboolean ok = FALSE;
	PxfFtpData *self;

	socket = g_socket_new(g_inet_address_get_family(local), G_SOCKET_TYPE_STREAM,
			      G_SOCKET_PROTOCOL_TCP, error);
	if (socket == NULL)
		return NULL;
	g_socket_set_blocking(socket, FALSE);
	for (guint i = 0; i < n && !ok; i++) {
		guint16 port = port_min == 0 ? 0 : (guint16)(port_min + (start + i) % n);
		g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(local, port);
		g_clear_error(&error_bind);
		ok = g_socket_bind(socket, addr, TRUE, &error_bind);
		if (!ok && !g_error_matches(error_bind, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
			break;
	}
	if (!ok) {
		if (g_error_matches(error_bind, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
				    "all %u passive ports %u-%u are in use", n, port_min, port_max);
		else
			g_propagate_error(error, g_steal_pointer(&error_bind));
		return NULL;
	}
	g_socket_set_listen_backlog(socket, 1);
	if (!g_socket_listen(socket, error))
		return NULL;
	bound = g_socket_get_local_address(socket, error);
	if (bound == NULL)
		return NULL;

	self = g_new0(PxfFtpData, 1);
	self->fd = -1;
	self->peer = g_object_ref(peer);
	self->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	self->since = g_get_monotonic_time();
	self->buf = g_malloc(PXF_FTP_DATA_BLOCK);
	self->listener = g_steal_pointer(&socket);
	self->listen_source = g_socket_create_source(self->listener, G_IO_IN, NULL);
	g_source_set_callback(self->listen_source, G_SOURCE_FUNC(pxf_ftp_data_incoming), self,
			      NULL);
	g_source_attach(self->listen_source, NULL);
	return self;
}

void
pxf_ftp_data_send(PxfFtpData *self,
		  gint fd,
		  guint64 offset,
		  guint64 length,
		  GBytes *bytes,
		  gboolean ascii,
		  const PxfFtpDataCallbacks *callbacks,
		  gpointer user_data)
{
	g_return_if_fail(!self->busy);

	self->busy = TRUE;
	self->fd = fd;
	self->offset = offset;
	self->remaining = length;
	self->bytes = bytes != NULL ? g_bytes_ref(bytes) : NULL;
	self->bytes_pos = 0;
	self->ascii = ascii;
	self->last_cr = FALSE;
	self->buf_len = self->buf_pos = 0;
	self->done = self->reported = 0;
	self->callbacks = *callbacks;
	self->user_data = user_data;
	if (self->socket != NULL)
		pxf_ftp_data_start_sending(self);
	else if (self->listener == NULL)
		pxf_ftp_data_finish(self, PXF_FTP_DATA_NO_CONNECTION,
				    "the data connection is gone");
}

gboolean
pxf_ftp_data_check(PxfFtpData *self, gint64 now, guint timeout)
{
	gint64 limit = (gint64)timeout * G_USEC_PER_SEC;

	if (now - self->since <= limit)
		return FALSE;
	if (self->socket == NULL) {
		if (!self->busy)
			return TRUE;
		pxf_ftp_data_finish(self, PXF_FTP_DATA_NO_CONNECTION,
				    "the client did not connect to the data port");
		return FALSE;
	}
	if (self->busy)
		pxf_ftp_data_finish(self, PXF_FTP_DATA_STALLED,
				    "no progress on the data connection");
	return FALSE;
}
