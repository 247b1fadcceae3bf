/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-mtftp"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "pxf-mtftp-session.h"
#include "pxf-tftp-transfer.h"

/* Datagrams one wake-up reads before giving others a turn. */
#define PXF_MTFTP_SESSION_BURST 16

typedef struct {
	GSource source;
	PxfMtftpSession *session;
	gpointer tag;
} PxfMtftpSessionSource;

struct _PxfMtftpSession {
	gint fd;
	struct sockaddr_in group;
	struct sockaddr_in local;
	PxfMtftpStream *stream;
	guint timeout;
	GSource *source;
	guint8 *recv_buf;
	gsize recv_buf_size;
	gint64 created;
	const PxfMtftpSessionFuncs *funcs;
	gpointer user_data;
	gboolean flushing; /* a callback must not flush again */
};

gint
pxf_mtftp_session_open_socket(const struct sockaddr_in *local,
			      guint ttl,
			      gboolean loop,
			      GError **error)
{
	struct sockaddr_in any_port = *local;
	gint fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	gint ttl_value = (gint)ttl;
	gint loop_value = loop ? 1 : 0;

	if (fd < 0) {
		gint errsv = errno;
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errsv), "socket: %s",
			    g_strerror(errsv));
		return -1;
	}
	any_port.sin_port = 0;
	/* the interface of the listening address: without it the kernel picks
	 * one by route, and a namespace or host often has no multicast route */
	if (bind(fd, (const struct sockaddr *)&any_port, sizeof(any_port)) != 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &local->sin_addr,
		       sizeof(local->sin_addr)) != 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl_value, sizeof(ttl_value)) != 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop_value, sizeof(loop_value)) != 0) {
		gint errsv = errno;
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errsv), "multicast socket: %s",
			    g_strerror(errsv));
		close(fd);
		return -1;
	}
	return fd;
}

static void
pxf_mtftp_session_send(PxfMtftpSession *self,
		       const struct sockaddr *to,
		       socklen_t to_len,
		       GBytes *packet)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(packet, &len);

	/* a full buffer is a lost datagram: the master's timeout covers it */
	if (sendto(self->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, to, to_len) < 0 &&
	    errno != EAGAIN && errno != ENOBUFS) {
		g_autofree gchar *who = pxf_tftp_sockaddr_to_string(to, to_len);
		g_debug("sending %" G_GSIZE_FORMAT " bytes to %s: %s", len, who, g_strerror(errno));
	}
}

gboolean
pxf_mtftp_session_flush(PxfMtftpSession *self)
{
	g_auto(PxfMtftpEvent) event = {0};
	gboolean sent_to_group = FALSE;

	if (self->flushing || self->stream == NULL)
		return TRUE;
	self->flushing = TRUE;
	while (pxf_mtftp_stream_pop_event(self->stream, &event)) {
		PxfMtftpPeer *peer = event.member;

		switch (event.type) {
		case PXF_MTFTP_EVENT_SEND:
			if (peer == NULL) {
				pxf_mtftp_session_send(self, (const struct sockaddr *)&self->group,
						       sizeof(self->group), event.packet);
				sent_to_group = TRUE;
			} else {
				pxf_mtftp_session_send(self, (const struct sockaddr *)&peer->addr,
						       peer->addr_len, event.packet);
			}
			if (event.arms_timer)
				g_source_set_ready_time(self->source,
							g_get_monotonic_time() +
								(gint64)self->timeout *
									G_USEC_PER_SEC);
			break;
		case PXF_MTFTP_EVENT_MASTER:
			self->funcs->master(self, event.member, self->user_data);
			break;
		case PXF_MTFTP_EVENT_DONE:
			self->funcs->done(self, event.member, self->user_data);
			break;
		case PXF_MTFTP_EVENT_FAILED:
		default:
			if (event.tell)
				pxf_tftp_send_error(self->fd, (const struct sockaddr *)&peer->addr,
						    peer->addr_len, PXF_TFTP_ERROR_UNDEFINED,
						    "Read error");
			self->funcs->failed(self, event.member, event.reason, FALSE,
					    self->user_data);
			break;
		}
		pxf_mtftp_event_clear(&event);
	}
	self->flushing = FALSE;
	if (!pxf_mtftp_stream_is_waiting(self->stream))
		g_source_set_ready_time(self->source, -1);
	if (sent_to_group)
		self->funcs->progress(self, self->user_data);
	if (pxf_mtftp_stream_get_n_members(self->stream) == 0)
		return !self->funcs->idle(self, self->user_data);
	return TRUE;
}

/* One datagram on the session's socket; FALSE when the session is gone. */
static gboolean
pxf_mtftp_session_receive(PxfMtftpSession *self,
			  const guint8 *buf,
			  gsize len,
			  const struct sockaddr *from,
			  socklen_t from_len)
{
	g_autofree gchar *key = pxf_tftp_sockaddr_to_string(from, from_len);
	guint16 opcode = pxf_tftp_packet_get_opcode(buf, len);
	PxfMtftpPeer *peer =
		self->stream != NULL ? pxf_mtftp_stream_lookup(self->stream, key) : NULL;
	guint16 block = 0;

	if (opcode == PXF_TFTP_OP_ERROR) {
		g_autofree gchar *message = NULL;
		g_autofree gchar *reason = NULL;
		guint16 code = 0;

		/* never answer an ERROR, even a stranger's */
		if (peer == NULL)
			return TRUE;
		pxf_mtftp_stream_leave(self->stream, key);
		if (!pxf_tftp_packet_parse_error(buf, len, &code, &message))
			message = g_strdup("");
		reason = g_strdup_printf("client error %u: %s", code, message);
		self->funcs->failed(self, peer, reason, TRUE, self->user_data);
		return pxf_mtftp_session_flush(self);
	}
	if (peer != NULL && pxf_tftp_packet_parse_ack(buf, len, &block)) {
		pxf_mtftp_stream_ack(self->stream, key, block);
		return pxf_mtftp_session_flush(self);
	}
	/* a member asking again: the answer it waits for was lost */
	if (peer != NULL && opcode == PXF_TFTP_OP_RRQ) {
		pxf_mtftp_stream_join(self->stream, key, peer, 0);
		return pxf_mtftp_session_flush(self);
	}
	if (peer != NULL) {
		/* a confused member must not end the stream for the others */
		g_debug("client %s: unexpected packet (opcode %u) ignored", key, opcode);
		return TRUE;
	}
	if (self->funcs->request != NULL) {
		/* a PXE client's next request, sent where the last stream came from */
		if (opcode == PXF_TFTP_OP_RRQ || opcode == PXF_TFTP_OP_WRQ)
			self->funcs->request(self, buf, len, from, from_len, self->user_data);
		else
			g_debug("packet (opcode %u) from %s on a channel, ignored", opcode, key);
		return TRUE;
	}
	/* RFC 1350: a stranger is told, the stream goes on */
	g_debug("packet from %s on a stream that is not its own", key);
	pxf_tftp_send_error(self->fd, from, from_len, PXF_TFTP_ERROR_UNKNOWN_TID, NULL);
	return TRUE;
}

static gboolean
pxf_mtftp_session_datagram(const guint8 *buf,
			   gsize len,
			   const struct sockaddr *from,
			   socklen_t from_len,
			   gpointer user_data)
{
	return pxf_mtftp_session_receive(user_data, buf, len, from, from_len);
}

static gboolean
pxf_mtftp_session_dispatch(PxfMtftpSession *self, GIOCondition condition)
{
	if ((condition & (G_IO_IN | G_IO_ERR)) &&
	    !pxf_tftp_receive_burst(self->fd, self->recv_buf, self->recv_buf_size,
				    PXF_MTFTP_SESSION_BURST, pxf_mtftp_session_datagram, self))
		return G_SOURCE_REMOVE;
	if (self->stream != NULL && pxf_mtftp_stream_is_waiting(self->stream) &&
	    g_source_get_ready_time(self->source) >= 0 &&
	    g_get_monotonic_time() >= g_source_get_ready_time(self->source)) {
		/* a packet sent again restarts the clock; silence keeps it going */
		g_source_set_ready_time(self->source,
					g_get_monotonic_time() +
						(gint64)self->timeout * G_USEC_PER_SEC);
		pxf_mtftp_stream_timeout(self->stream);
		if (!pxf_mtftp_session_flush(self))
			return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
pxf_mtftp_session_source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
	PxfMtftpSessionSource *ss = (PxfMtftpSessionSource *)source;
	return pxf_mtftp_session_dispatch(ss->session, g_source_query_unix_fd(source, ss->tag));
}

static GSourceFuncs pxf_mtftp_session_source_funcs = {
	.dispatch = pxf_mtftp_session_source_dispatch,
};

PxfMtftpSession *
pxf_mtftp_session_new(GMainContext *context,
		      gint fd,
		      const struct sockaddr_in *group,
		      PxfMtftpStream *stream,
		      guint timeout,
		      guint8 *recv_buf,
		      gsize recv_buf_size,
		      const PxfMtftpSessionFuncs *funcs,
		      gpointer user_data)
{
	PxfMtftpSession *self = g_new0(PxfMtftpSession, 1);
	PxfMtftpSessionSource *ss;
	socklen_t local_len = sizeof(self->local);

	self->fd = fd;
	self->group = *group;
	if (getsockname(fd, (struct sockaddr *)&self->local, &local_len) != 0)
		memset(&self->local, 0, sizeof(self->local));
	self->stream = stream;
	self->timeout = timeout;
	self->recv_buf = recv_buf;
	self->recv_buf_size = recv_buf_size;
	self->created = g_get_monotonic_time();
	self->funcs = funcs;
	self->user_data = user_data;
	self->source = g_source_new(&pxf_mtftp_session_source_funcs, sizeof(PxfMtftpSessionSource));
	g_source_set_static_name(self->source, "pxf-mtftp-session");
	ss = (PxfMtftpSessionSource *)self->source;
	ss->session = self;
	ss->tag = g_source_add_unix_fd(self->source, fd, G_IO_IN | G_IO_ERR);
	g_source_attach(self->source, context);
	return self;
}

void
pxf_mtftp_session_free(PxfMtftpSession *self)
{
	if (self == NULL)
		return;
	if (self->source != NULL) {
		g_source_destroy(self->source);
		g_source_unref(self->source);
	}
	if (self->fd >= 0)
		close(self->fd);
	pxf_mtftp_stream_free(self->stream);
	g_free(self);
}

PxfMtftpStream *
pxf_mtftp_session_get_stream(PxfMtftpSession *self)
{
	return self->stream;
}

void
pxf_mtftp_session_set_stream(PxfMtftpSession *self, PxfMtftpStream *stream)
{
	g_clear_pointer(&self->stream, pxf_mtftp_stream_free);
	self->stream = stream;
	self->created = g_get_monotonic_time();
	g_source_set_ready_time(self->source, -1);
}

const struct sockaddr_in *
pxf_mtftp_session_get_local(PxfMtftpSession *self)
{
	return &self->local;
}

typedef struct {
	PxfMtftpSession *session;
	guint16 code;
	const gchar *message;
} PxfMtftpAbort;

static void
pxf_mtftp_session_abort_one(gpointer user_data, const gchar *key, guint64 bytes, gpointer data)
{
	PxfMtftpAbort *abort_args = data;
	PxfMtftpPeer *peer = user_data;

	pxf_tftp_send_error(abort_args->session->fd, (const struct sockaddr *)&peer->addr,
			    peer->addr_len, abort_args->code, abort_args->message);
}

void
pxf_mtftp_session_abort(PxfMtftpSession *self, guint16 code, const gchar *message)
{
	PxfMtftpAbort abort_args = {.session = self, .code = code, .message = message};

	if (self->stream == NULL)
		return;
	pxf_mtftp_stream_foreach(self->stream, pxf_mtftp_session_abort_one, &abort_args);
}

gint64
pxf_mtftp_session_get_elapsed(PxfMtftpSession *self)
{
	return g_get_monotonic_time() - self->created;
}
