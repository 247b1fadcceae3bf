/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-tftp"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "pxf-tftp-transfer.h"

/* How many datagrams one wake-up reads before giving others a turn. */
#define PXF_TFTP_TRANSFER_BURST 16

typedef struct {
	GSource source;
	PxfTftpTransfer *transfer;
	gpointer tag;
} PxfTftpTransferSource;

struct _PxfTftpTransfer {
	gint fd;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	PxfTftpXfer *xfer;
	GSource *source;
	guint8 *recv_buf;
	gsize recv_buf_size;
	gint64 created;
	gint64 deadline;  /* monotonic µs of the next retransmission */
	guint64 reported; /* bytes acknowledged at the last progress call */
	PxfTftpTransferProgressFunc progress;
	PxfTftpTransferDoneFunc done;
	gpointer user_data;
};

gboolean
pxf_tftp_receive_burst(
	gint fd, guint8 *buf, gsize size, guint burst, PxfTftpDatagramFunc func, gpointer user_data)
{
	for (guint i = 0; i < burst; i++) {
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		gssize n =
			recvfrom(fd, buf, size, MSG_DONTWAIT, (struct sockaddr *)&from, &from_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break; /* EAGAIN, or an ICMP error we learn nothing from */
		if (!func(buf, (gsize)n, (const struct sockaddr *)&from, from_len, user_data))
			return FALSE;
	}
	return TRUE;
}

gboolean
pxf_tftp_sockaddr_equal(const struct sockaddr *a,
			socklen_t a_len,
			const struct sockaddr *b,
			socklen_t b_len)
{
	if (a->sa_family != b->sa_family)
		return FALSE;
	if (a->sa_family == AF_INET && a_len >= sizeof(struct sockaddr_in) &&
	    b_len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a;
		const struct sockaddr_in *y = (const struct sockaddr_in *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6 && a_len >= sizeof(struct sockaddr_in6) &&
	    b_len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;
		return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return FALSE;
}

gchar *
pxf_tftp_sockaddr_to_string(const struct sockaddr *sa, socklen_t len)
{
	gchar text[INET6_ADDRSTRLEN] = "";

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
		return g_strdup_printf("%s:%u", text, ntohs(in->sin_port));
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
		return g_strdup_printf("[%s]:%u", text, ntohs(in6->sin6_port));
	}
	return g_strdup_printf("(address family %u)", sa->sa_family);
}

static void
pxf_tftp_send(
	gint fd, const struct sockaddr *peer, socklen_t peer_len, const guint8 *buf, gsize len)
{
	/* a full socket buffer or an unreachable client is a lost datagram:
	 * the retransmission timer deals with it like with any other loss */
	if (sendto(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL, peer, peer_len) < 0 &&
	    errno != EAGAIN && errno != ENOBUFS) {
		g_autofree gchar *to = pxf_tftp_sockaddr_to_string(peer, peer_len);
		g_debug("sending %" G_GSIZE_FORMAT " bytes to %s: %s", len, to, g_strerror(errno));
	}
}

void
pxf_tftp_send_error(gint fd,
		    const struct sockaddr *peer,
		    socklen_t peer_len,
		    guint16 code,
		    const gchar *message)
{
	g_autoptr(GBytes) packet = pxf_tftp_packet_build_error(code, message);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(packet, &len);

	pxf_tftp_send(fd, peer, peer_len, data, len);
}

/* FALSE when the transfer is over: the done callback has run and may have
 * freed it, so the caller must not touch it again. */
static gboolean
pxf_tftp_transfer_act(PxfTftpTransfer *self, PxfTftpXferAction action)
{
	const guint8 *packet;
	gsize len = 0;

	switch (action) {
	case PXF_TFTP_XFER_SEND:
		packet = pxf_tftp_xfer_get_packet(self->xfer, &len);
		pxf_tftp_send(self->fd, (const struct sockaddr *)&self->peer, self->peer_len,
			      packet, len);
		self->deadline = g_get_monotonic_time() +
				 (gint64)pxf_tftp_xfer_get_timeout(self->xfer) * G_USEC_PER_SEC;
		g_source_set_ready_time(self->source, self->deadline);
		return TRUE;
	case PXF_TFTP_XFER_IGNORE:
		return TRUE;
	case PXF_TFTP_XFER_DONE:
		self->done(self, TRUE, self->user_data);
		return FALSE;
	case PXF_TFTP_XFER_FAILED:
	default:
		packet = pxf_tftp_xfer_get_packet(self->xfer, &len);
		if (len > 0)
			pxf_tftp_send(self->fd, (const struct sockaddr *)&self->peer,
				      self->peer_len, packet, len);
		self->done(self, FALSE, self->user_data);
		return FALSE;
	}
}

static gboolean
pxf_tftp_transfer_datagram(const guint8 *buf,
			   gsize len,
			   const struct sockaddr *from,
			   socklen_t from_len,
			   gpointer user_data)
{
	PxfTftpTransfer *self = user_data;
	PxfTftpXferAction action;

	if (!pxf_tftp_sockaddr_equal(from, from_len, (const struct sockaddr *)&self->peer,
				     self->peer_len)) {
		/* RFC 1350: answer a stranger, do not disturb the transfer; but
		 * never answer an ERROR with one */
		g_autofree gchar *who = pxf_tftp_sockaddr_to_string(from, from_len);
		g_debug("packet from %s on a transfer that is not its own", who);
		if (pxf_tftp_packet_get_opcode(buf, len) != PXF_TFTP_OP_ERROR)
			pxf_tftp_send_error(self->fd, from, from_len, PXF_TFTP_ERROR_UNKNOWN_TID,
					    NULL);
		return TRUE;
	}
	action = pxf_tftp_xfer_receive(self->xfer, buf, len);
	if (action == PXF_TFTP_XFER_SEND && self->progress != NULL &&
	    pxf_tftp_xfer_get_bytes(self->xfer) != self->reported) {
		self->reported = pxf_tftp_xfer_get_bytes(self->xfer);
		self->progress(self, self->user_data);
	}
	/* FALSE: the transfer is over and may be freed */
	return pxf_tftp_transfer_act(self, action);
}

static gboolean
pxf_tftp_transfer_dispatch(PxfTftpTransfer *self, GIOCondition condition)
{
	if ((condition & (G_IO_IN | G_IO_ERR)) &&
	    !pxf_tftp_receive_burst(self->fd, self->recv_buf, self->recv_buf_size,
				    PXF_TFTP_TRANSFER_BURST, pxf_tftp_transfer_datagram, self))
		return G_SOURCE_REMOVE;
	if (g_get_monotonic_time() >= self->deadline) {
		if (!pxf_tftp_transfer_act(self, pxf_tftp_xfer_timeout(self->xfer)))
			return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
pxf_tftp_transfer_source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
	PxfTftpTransferSource *ts = (PxfTftpTransferSource *)source;
	return pxf_tftp_transfer_dispatch(ts->transfer, g_source_query_unix_fd(source, ts->tag));
}

static GSourceFuncs pxf_tftp_transfer_source_funcs = {
	.dispatch = pxf_tftp_transfer_source_dispatch,
};

PxfTftpTransfer *
pxf_tftp_transfer_new(GMainContext *context,
		      gint fd,
		      const struct sockaddr *peer,
		      socklen_t peer_len,
		      PxfTftpXfer *xfer,
		      guint8 *recv_buf,
		      gsize recv_buf_size,
		      PxfTftpTransferProgressFunc progress,
		      PxfTftpTransferDoneFunc done,
		      gpointer user_data)
{
	PxfTftpTransfer *self = g_new0(PxfTftpTransfer, 1);
	PxfTftpTransferSource *ts;

	self->fd = fd;
	self->peer_len = MIN(peer_len, (socklen_t)sizeof(self->peer));
	memcpy(&self->peer, peer, self->peer_len);
	self->xfer = xfer;
	self->recv_buf = recv_buf;
	self->recv_buf_size = recv_buf_size;
	self->created = g_get_monotonic_time();
	self->deadline = G_MAXINT64;
	self->progress = progress;
	self->done = done;
	self->user_data = user_data;

	self->source = g_source_new(&pxf_tftp_transfer_source_funcs, sizeof(PxfTftpTransferSource));
	g_source_set_static_name(self->source, "pxf-tftp-transfer");
	ts = (PxfTftpTransferSource *)self->source;
	ts->transfer = self;
	ts->tag = g_source_add_unix_fd(self->source, fd, G_IO_IN | G_IO_ERR);
	g_source_attach(self->source, context);
	return self;
}

gboolean
pxf_tftp_transfer_start(PxfTftpTransfer *self)
{
	PxfTftpXferAction action = pxf_tftp_xfer_start(self->xfer);
	const guint8 *packet;
	gsize len = 0;

	if (action == PXF_TFTP_XFER_SEND)
		return pxf_tftp_transfer_act(self, action);
	packet = pxf_tftp_xfer_get_packet(self->xfer, &len);
	if (len > 0)
		pxf_tftp_send(self->fd, (const struct sockaddr *)&self->peer, self->peer_len,
			      packet, len);
	return FALSE;
}

void
pxf_tftp_transfer_abort(PxfTftpTransfer *self, guint16 code, const gchar *message)
{
	pxf_tftp_send_error(self->fd, (const struct sockaddr *)&self->peer, self->peer_len, code,
			    message);
}

void
pxf_tftp_transfer_free(PxfTftpTransfer *self)
{
	if (self == NULL)
		return;
	if (self->source != NULL) {
		g_source_destroy(self->source);
		g_source_unref(self->source);
	}
	if (self->fd >= 0)
		close(self->fd);
	pxf_tftp_xfer_free(self->xfer);
	g_free(self);
}

PxfTftpXfer *
pxf_tftp_transfer_get_xfer(PxfTftpTransfer *self)
{
	return self->xfer;
}

gint64
pxf_tftp_transfer_get_elapsed(PxfTftpTransfer *self)
{
	return g_get_monotonic_time() - self->created;
}
