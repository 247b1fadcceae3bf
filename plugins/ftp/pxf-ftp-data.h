/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One passive data connection (RFC 959 PASV, RFC 2428 EPSV): a listening
 * socket on a port of the configured range, the one connection it accepts
 * from the control connection's peer, and the transfer sent over it. All of
 * it non-blocking on the main loop. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _PxfFtpData PxfFtpData;

typedef enum {
	PXF_FTP_DATA_OK,
	PXF_FTP_DATA_NO_CONNECTION, /* the client did not connect in time */
	PXF_FTP_DATA_STALLED,	    /* no progress for the data timeout */
	PXF_FTP_DATA_CLOSED,	    /* the client closed or reset the connection */
	PXF_FTP_DATA_READ_ERROR,    /* the file failed or shrank under us */
} PxfFtpDataResult;

typedef struct {
	/* the connection is there and sending starts: the 150 reply */
	void (*connected)(gpointer user_data);
	/* done bytes of the source sent so far, after each block */
	void (*progress)(guint64 done, gpointer user_data);
	/* the end; the last call for this object, which the callback may free */
	void (*done)(PxfFtpDataResult result, const gchar *detail, gpointer user_data);
} PxfFtpDataCallbacks;

/* Listens on local (its address, a port in min..max tried from a random
 * start; min 0 for any port) for one connection from peer's address. */
PxfFtpData *pxf_ftp_data_new_passive(GInetAddress *local,
				     GInetAddress *peer,
				     guint16 port_min,
				     guint16 port_max,
				     GError **error);
void pxf_ftp_data_free(PxfFtpData *self);
guint16 pxf_ftp_data_get_port(PxfFtpData *self);

/* Sends length bytes of fd from offset (fd is owned from now on), or
 * bytes, once the client has connected; ascii turns LF into CRLF. */
void pxf_ftp_data_send(PxfFtpData *self,
		       gint fd,
		       guint64 offset,
		       guint64 length,
		       GBytes *bytes,
		       gboolean ascii,
		       const PxfFtpDataCallbacks *callbacks,
		       gpointer user_data);

/* About once a second: gives up on a client that did not connect within
 * timeout seconds or a transfer without progress for as long. With a
 * transfer under way that is its done() (after which self may be freed:
 * FALSE is returned); without one TRUE is returned and the caller frees. */
gboolean pxf_ftp_data_check(PxfFtpData *self, gint64 now, guint timeout);

/* Bytes of the source sent by the transfer (also after done()). */
guint64 pxf_ftp_data_get_done(PxfFtpData *self);

/* Whether a transfer was started and has not ended. */
gboolean pxf_ftp_data_is_busy(PxfFtpData *self);

/* Ends a transfer without calling done(), for ABOR and closing sessions. */
void pxf_ftp_data_abort(PxfFtpData *self);

G_END_DECLS
