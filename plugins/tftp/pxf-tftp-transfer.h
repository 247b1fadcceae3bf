/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A running transfer on the main loop: its own UDP socket (the server's
 * transfer ID), one GSource that wakes for that socket and for the
 * retransmission deadline, and the state machine that decides what to send. */
#pragma once

#include <sys/socket.h>

#include "pxf-tftp-xfer.h"

G_BEGIN_DECLS

typedef struct _PxfTftpTransfer PxfTftpTransfer;

/* Called once when the transfer is over; ok tells whether the last block was
 * acknowledged, else pxf_tftp_xfer_get_failure() says why. The callback may
 * free the transfer. */
typedef void (*PxfTftpTransferDoneFunc)(PxfTftpTransfer *transfer, gboolean ok, gpointer user_data);

/* Called when the client has acknowledged more bytes. */
typedef void (*PxfTftpTransferProgressFunc)(PxfTftpTransfer *transfer, gpointer user_data);

/* Takes fd (a bound, non-blocking UDP socket) and xfer. recv_buf of
 * recv_buf_size bytes is scratch space shared by all transfers. progress may
 * be NULL. */
PxfTftpTransfer *pxf_tftp_transfer_new(GMainContext *context,
				       gint fd,
				       const struct sockaddr *peer,
				       socklen_t peer_len,
				       PxfTftpXfer *xfer,
				       guint8 *recv_buf,
				       gsize recv_buf_size,
				       PxfTftpTransferProgressFunc progress,
				       PxfTftpTransferDoneFunc done,
				       gpointer user_data);
/* Sends the first packet and starts the clock; FALSE (and no callback) when
 * the transfer failed at once, e.g. a read error (its ERROR was sent). */
gboolean pxf_tftp_transfer_start(PxfTftpTransfer *self);
/* Tells the client the transfer ends (an ERROR packet) without a callback. */
void pxf_tftp_transfer_abort(PxfTftpTransfer *self, guint16 code, const gchar *message);
void pxf_tftp_transfer_free(PxfTftpTransfer *self);

PxfTftpXfer *pxf_tftp_transfer_get_xfer(PxfTftpTransfer *self);
/* Microseconds since the transfer was created. */
gint64 pxf_tftp_transfer_get_elapsed(PxfTftpTransfer *self);

/* Same address and port (the client's transfer ID). */
gboolean pxf_tftp_sockaddr_equal(const struct sockaddr *a,
				 socklen_t a_len,
				 const struct sockaddr *b,
				 socklen_t b_len);
/* "192.0.2.1:1234" or "[2001:db8::1]:1234", for logs and keys. */
gchar *pxf_tftp_sockaddr_to_string(const struct sockaddr *sa, socklen_t len);
/* Sends an ERROR from fd; best effort (a lost ERROR is not retransmitted). */
void pxf_tftp_send_error(gint fd,
			 const struct sockaddr *peer,
			 socklen_t peer_len,
			 guint16 code,
			 const gchar *message);

/* One datagram received from peer; FALSE stops the burst. */
typedef gboolean (*PxfTftpDatagramFunc)(const guint8 *buf,
					gsize len,
					const struct sockaddr *peer,
					socklen_t peer_len,
					gpointer user_data);
/* Hands each datagram waiting on fd (non-blocking; at most burst of them,
 * so that one busy socket cannot starve the main loop) to func, received
 * into buf of size bytes. FALSE when func stopped the burst. */
gboolean pxf_tftp_receive_burst(gint fd,
				guint8 *buf,
				gsize size,
				guint burst,
				PxfTftpDatagramFunc func,
				gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfTftpTransfer, pxf_tftp_transfer_free)

G_END_DECLS
