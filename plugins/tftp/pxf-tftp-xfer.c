/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-tftp"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "pxf-tftp-xfer.h"

typedef enum {
	PXF_TFTP_XFER_STATE_NEW,
	PXF_TFTP_XFER_STATE_OACK, /* OACK sent, waiting for ACK 0 */
	PXF_TFTP_XFER_STATE_DATA, /* DATA sent, waiting for its ACK */
	PXF_TFTP_XFER_STATE_DONE,
	PXF_TFTP_XFER_STATE_FAILED,
} PxfTftpXferState;

struct _PxfTftpXfer {
	PxfTftpXferState state;
	guint blksize;
	guint timeout;
	guint retries;
	guint retries_left;
	GBytes *oack;
	PxfTftpReadFunc read;
	gpointer source;
	GDestroyNotify source_free;
	guint64 block;	/* absolute number of the block in flight, 0 = OACK */
	guint64 offset; /* file offset of the block in flight */
	gsize data_len; /* its payload */
	guint64 bytes_acked;
	gboolean progressed;
	gboolean client_error; /* FAILED because the client sent an ERROR */
	guint8 *data;	       /* 4 + blksize: the DATA packet in flight */
	GBytes *error;	       /* the ERROR to send when FAILED */
	const guint8 *packet;  /* what get_packet() returns */
	gsize packet_len;
	gchar *failure;
};

void
pxf_tftp_negotiate(const PxfTftpRequest *req,
		   guint blksize_max,
		   guint default_timeout,
		   guint64 size,
		   PxfTftpNegotiation *out)
{
	g_autoptr(GByteArray) oack = pxf_tftp_packet_oack_new();
	gboolean any = FALSE;

	out->blksize = PXF_TFTP_BLKSIZE_DEFAULT;
	out->timeout = default_timeout;
	out->oack = NULL;
	blksize_max = CLAMP(blksize_max, PXF_TFTP_BLKSIZE_MIN, PXF_TFTP_BLKSIZE_MAX);
	if (req->has_blksize) {
		/* RFC 2348: the server may answer a smaller size, never a larger one */
		out->blksize = MIN(req->blksize, blksize_max);
		pxf_tftp_packet_oack_add(oack, "blksize", out->blksize);
		any = TRUE;
	}
	if (req->has_timeout) {
		out->timeout = req->timeout;
		pxf_tftp_packet_oack_add(oack, "timeout", out->timeout);
		any = TRUE;
	}
	/* an empty file's tsize goes unacknowledged: curl rejects "tsize 0" in
	 * an OACK, and RFC 2347 lets a server leave out any option */
	if (req->has_tsize && size > 0) {
		pxf_tftp_packet_oack_add(oack, "tsize", size);
		any = TRUE;
	}
	if (any)
		out->oack = g_byte_array_free_to_bytes(g_steal_pointer(&oack));
}

void
pxf_tftp_negotiation_clear(PxfTftpNegotiation *neg)
{
	g_clear_pointer(&neg->oack, g_bytes_unref);
}

PxfTftpXfer *
pxf_tftp_xfer_new(const PxfTftpNegotiation *neg,
		  guint retries,
		  PxfTftpReadFunc read,
		  gpointer source,
		  GDestroyNotify source_free)
{
	PxfTftpXfer *self = g_new0(PxfTftpXfer, 1);

	self->blksize = CLAMP(neg->blksize, PXF_TFTP_BLKSIZE_MIN, PXF_TFTP_BLKSIZE_MAX);
	self->timeout = CLAMP(neg->timeout, PXF_TFTP_TIMEOUT_MIN, PXF_TFTP_TIMEOUT_MAX);
	self->retries = retries;
	self->oack = neg->oack != NULL ? g_bytes_ref(neg->oack) : NULL;
	self->read = read;
	self->source = source;
	self->source_free = source_free;
	self->data = g_malloc(4 + self->blksize);
	return self;
}

static gssize
pxf_tftp_read_bytes(gpointer source, guint64 offset, guint8 *buf, gsize len, GError **error)
{
	gsize size = 0;
	const guint8 *data = g_bytes_get_data(source, &size);
	gsize n;

	if (offset >= size)
		return 0;
	n = (gsize)MIN((guint64)len, size - offset);
	memcpy(buf, data + offset, n);
	return (gssize)n;
}

PxfTftpXfer *
pxf_tftp_xfer_new_for_bytes(const PxfTftpNegotiation *neg, guint retries, GBytes *bytes)
{
	return pxf_tftp_xfer_new(neg, retries, pxf_tftp_read_bytes, g_bytes_ref(bytes),
				 (GDestroyNotify)g_bytes_unref);
}

typedef struct {
	gint fd;
} PxfTftpFdSource;

static void
pxf_tftp_fd_source_free(gpointer data)
{
	PxfTftpFdSource *src = data;
	close(src->fd);
	g_free(src);
}

/* pread() until len bytes or the end of the file: a short read is not an end */
static gssize
pxf_tftp_read_fd(gpointer source, guint64 offset, guint8 *buf, gsize len, GError **error)
{
	PxfTftpFdSource *src = source;
	gsize done = 0;

	while (done < len) {
		gssize n = pread(src->fd, buf + done, len - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gint errsv = errno;
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errsv), "%s",
				    g_strerror(errsv));
			return -1;
		}
		if (n == 0)
			break;
		done += (gsize)n;
	}
	return (gssize)done;
}

PxfTftpXfer *
pxf_tftp_xfer_new_for_fd(const PxfTftpNegotiation *neg, guint retries, gint fd)
{
	PxfTftpFdSource *src = g_new0(PxfTftpFdSource, 1);

	src->fd = fd;
	return pxf_tftp_xfer_new(neg, retries, pxf_tftp_read_fd, src, pxf_tftp_fd_source_free);
}

void
pxf_tftp_xfer_free(PxfTftpXfer *self)
{
	if (self == NULL)
		return;
	if (self->source_free != NULL)
		self->source_free(self->source);
	g_clear_pointer(&self->oack, g_bytes_unref);
	g_clear_pointer(&self->error, g_bytes_unref);
	g_free(self->data);
	g_free(self->failure);
	g_free(self);
}

static PxfTftpXferAction
pxf_tftp_xfer_fail(PxfTftpXfer *self, GBytes *error_packet, gchar *failure)
{
	self->state = PXF_TFTP_XFER_STATE_FAILED;
	g_clear_pointer(&self->error, g_bytes_unref);
	self->error = error_packet;
	g_free(self->failure);
	self->failure = failure;
	if (error_packet != NULL) {
		self->packet = g_bytes_get_data(error_packet, &self->packet_len);
	} else {
		self->packet = NULL;
		self->packet_len = 0;
	}
	return PXF_TFTP_XFER_FAILED;
}

/* Reads the block after the one in flight into the DATA packet. */
static PxfTftpXferAction
pxf_tftp_xfer_next_block(PxfTftpXfer *self)
{
	g_autoptr(GError) error = NULL;
	gssize n;

	if (self->block > 0)
		self->offset += self->data_len;
	self->block++;
	n = self->read(self->source, self->offset, self->data + 4, self->blksize, &error);
	if (n < 0 || (gsize)n > self->blksize) {
		return pxf_tftp_xfer_fail(
			self, pxf_tftp_packet_build_error(PXF_TFTP_ERROR_UNDEFINED, "Read error"),
			g_strdup_printf("reading block %" G_GUINT64_FORMAT ": %s", self->block,
					error != NULL ? error->message : "read too much"));
	}
	self->data_len = (gsize)n;
	/* the wire block number wraps to 0 after 65535, as tftp-hpa and curl expect */
	pxf_tftp_packet_write_data_header(self->data, (guint16)(self->block & 0xffff));
	self->state = PXF_TFTP_XFER_STATE_DATA;
	self->retries_left = self->retries;
	self->packet = self->data;
	self->packet_len = 4 + self->data_len;
	return PXF_TFTP_XFER_SEND;
}

PxfTftpXferAction
pxf_tftp_xfer_start(PxfTftpXfer *self)
{
	g_return_val_if_fail(self->state == PXF_TFTP_XFER_STATE_NEW, PXF_TFTP_XFER_FAILED);
	if (self->oack != NULL) {
		self->state = PXF_TFTP_XFER_STATE_OACK;
		self->retries_left = self->retries;
		self->packet = g_bytes_get_data(self->oack, &self->packet_len);
		return PXF_TFTP_XFER_SEND;
	}
	return pxf_tftp_xfer_next_block(self);
}

static PxfTftpXferAction
pxf_tftp_xfer_receive_ack(PxfTftpXfer *self, guint16 block)
{
	/* only the ACK of the block in flight moves on; an older one is a
	 * duplicate, and answering it would double every packet from then on */
	if (block != (guint16)(self->block & 0xffff))
		return PXF_TFTP_XFER_IGNORE;
	self->progressed = TRUE;
	if (self->state == PXF_TFTP_XFER_STATE_DATA) {
		self->bytes_acked += self->data_len;
		if (self->data_len < self->blksize) {
			self->state = PXF_TFTP_XFER_STATE_DONE;
			self->packet = NULL;
			self->packet_len = 0;
			return PXF_TFTP_XFER_DONE;
		}
	}
	return pxf_tftp_xfer_next_block(self);
}

PxfTftpXferAction
pxf_tftp_xfer_receive(PxfTftpXfer *self, const guint8 *buf, gsize len)
{
	guint16 opcode = pxf_tftp_packet_get_opcode(buf, len);
	guint16 block = 0;
	guint16 code = 0;
	g_autofree gchar *message = NULL;

	if (self->state != PXF_TFTP_XFER_STATE_OACK && self->state != PXF_TFTP_XFER_STATE_DATA)
		return PXF_TFTP_XFER_IGNORE;
	if (pxf_tftp_packet_parse_ack(buf, len, &block))
		return pxf_tftp_xfer_receive_ack(self, block);
	if (pxf_tftp_packet_parse_error(buf, len, &code, &message)) {
		/* RFC 2347: a client that does not like the OACK answers error 8;
		 * PXE ROMs also ask for tsize only to abort after the OACK */
		self->client_error = TRUE;
		return pxf_tftp_xfer_fail(
			self, NULL,
			g_strdup_printf(
				"client sent error %u (%s) at block %" G_GUINT64_FORMAT ": %s",
				code, pxf_tftp_error_to_string(code), self->block, message));
	}
	return pxf_tftp_xfer_fail(self,
				  pxf_tftp_packet_build_error(PXF_TFTP_ERROR_ILLEGAL_OP, NULL),
				  g_strdup_printf("unexpected packet (opcode %u, %" G_GSIZE_FORMAT
						  " bytes) at block %" G_GUINT64_FORMAT,
						  opcode, len, self->block));
}

PxfTftpXferAction
pxf_tftp_xfer_timeout(PxfTftpXfer *self)
{
	if (self->state != PXF_TFTP_XFER_STATE_OACK && self->state != PXF_TFTP_XFER_STATE_DATA)
		return PXF_TFTP_XFER_IGNORE;
	if (self->retries_left == 0) {
		g_autofree gchar *what =
			self->state == PXF_TFTP_XFER_STATE_OACK
				? g_strdup("the OACK")
				: g_strdup_printf("block %" G_GUINT64_FORMAT, self->block);
		return pxf_tftp_xfer_fail(self, NULL,
					  g_strdup_printf("timed out waiting for the ACK of %s "
							  "(%u retransmissions, %u s apart)",
							  what, self->retries, self->timeout));
	}
	self->retries_left--;
	return PXF_TFTP_XFER_SEND;
}

const guint8 *
pxf_tftp_xfer_get_packet(PxfTftpXfer *self, gsize *len)
{
	*len = self->packet_len;
	return self->packet;
}

guint64
pxf_tftp_xfer_get_bytes(PxfTftpXfer *self)
{
	return self->bytes_acked;
}

guint64
pxf_tftp_xfer_get_block(PxfTftpXfer *self)
{
	return self->block;
}

gboolean
pxf_tftp_xfer_has_progressed(PxfTftpXfer *self)
{
	return self->progressed;
}

guint
pxf_tftp_xfer_get_timeout(PxfTftpXfer *self)
{
	return self->timeout;
}

guint
pxf_tftp_xfer_get_blksize(PxfTftpXfer *self)
{
	return self->blksize;
}

gboolean
pxf_tftp_xfer_get_client_error(PxfTftpXfer *self)
{
	return self->client_error;
}

const gchar *
pxf_tftp_xfer_get_failure(PxfTftpXfer *self)
{
	return self->failure;
}
