/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One read transfer as a state machine without sockets or clocks: the caller
 * feeds it the packets that arrive and the timeouts that expire, and sends
 * what it answers. Block numbers roll over from 65535 to 0; a duplicate ACK
 * never causes a retransmission (Sorcerer's Apprentice), only a timeout does. */
#pragma once

#include "pxf-tftp-packet.h"

G_BEGIN_DECLS

/* What was agreed with the client (RFC 2347/2348/2349). */
typedef struct {
	guint blksize; /* PXF_TFTP_BLKSIZE_DEFAULT unless negotiated */
	guint timeout; /* seconds between retransmissions */
	GBytes *oack;  /* sent first; NULL when no option was accepted */
} PxfTftpNegotiation;

/* blksize: the client's, capped to blksize_max; tsize: the real size (not
 * acknowledged for an empty file); timeout: the client's if valid, else
 * default_timeout (and not acknowledged). */
void pxf_tftp_negotiate(const PxfTftpRequest *req,
			guint blksize_max,
			guint default_timeout,
			guint64 size,
			PxfTftpNegotiation *out);
void pxf_tftp_negotiation_clear(PxfTftpNegotiation *neg);

/* Fills buf with up to len bytes at offset; fewer only at the end of the
 * file. -1 with error on failure. */
typedef gssize (*PxfTftpReadFunc)(
	gpointer source, guint64 offset, guint8 *buf, gsize len, GError **error);

typedef enum {
	PXF_TFTP_XFER_SEND,   /* send pxf_tftp_xfer_get_packet() (new or again) */
	PXF_TFTP_XFER_IGNORE, /* nothing to do (a duplicate or stray ACK) */
	PXF_TFTP_XFER_DONE,   /* the last block was acknowledged */
	PXF_TFTP_XFER_FAILED, /* over: send get_packet() if it has one (an ERROR), log get_failure()
			       */
} PxfTftpXferAction;

typedef struct _PxfTftpXfer PxfTftpXfer;

/* source_free (may be NULL) is called on source when the transfer is freed. */
PxfTftpXfer *pxf_tftp_xfer_new(const PxfTftpNegotiation *neg,
			       guint retries,
			       PxfTftpReadFunc read,
			       gpointer source,
			       GDestroyNotify source_free);
/* Serving bytes in memory (a file.open callback's content). */
PxfTftpXfer *
pxf_tftp_xfer_new_for_bytes(const PxfTftpNegotiation *neg, guint retries, GBytes *bytes);
/* Serving an open file with pread(); takes fd and closes it when freed. */
PxfTftpXfer *pxf_tftp_xfer_new_for_fd(const PxfTftpNegotiation *neg, guint retries, gint fd);
void pxf_tftp_xfer_free(PxfTftpXfer *self);

/* The first packet: the OACK, or DATA block 1. */
PxfTftpXferAction pxf_tftp_xfer_start(PxfTftpXfer *self);
/* A packet from the client (already checked to come from its address). */
PxfTftpXferAction pxf_tftp_xfer_receive(PxfTftpXfer *self, const guint8 *buf, gsize len);
/* The retransmission timeout expired: SEND again, or FAILED after the last retry. */
PxfTftpXferAction pxf_tftp_xfer_timeout(PxfTftpXfer *self);

/* The packet to send after SEND or FAILED; *len 0 when there is none. */
const guint8 *pxf_tftp_xfer_get_packet(PxfTftpXfer *self, gsize *len);
/* Bytes the client has acknowledged. */
guint64 pxf_tftp_xfer_get_bytes(PxfTftpXfer *self);
/* The block in flight, counted from 1 without rollover (0: the OACK). */
guint64 pxf_tftp_xfer_get_block(PxfTftpXfer *self);
/* TRUE once the client has acknowledged anything. */
gboolean pxf_tftp_xfer_has_progressed(PxfTftpXfer *self);
guint pxf_tftp_xfer_get_timeout(PxfTftpXfer *self);
guint pxf_tftp_xfer_get_blksize(PxfTftpXfer *self);
/* TRUE when it FAILED because the client sent an ERROR (it gave up). */
gboolean pxf_tftp_xfer_get_client_error(PxfTftpXfer *self);
/* Why it FAILED, for the log; NULL otherwise. */
const gchar *pxf_tftp_xfer_get_failure(PxfTftpXfer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfTftpXfer, pxf_tftp_xfer_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PxfTftpNegotiation, pxf_tftp_negotiation_clear)

G_END_DECLS
