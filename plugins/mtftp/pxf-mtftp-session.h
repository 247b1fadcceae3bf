/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Multicast streams on the main loop: one UDP socket (the server's transfer
 * ID for every member, unicast and multicast alike, since clients check
 * that the group's packets come from where the unicast ones came from), one
 * GSource for that socket and the retransmission deadline, and the stream's
 * events turned into datagrams and callbacks. A PXE channel keeps its
 * session, socket and port from one stream to the next: a PXE client that
 * heard a stream sends its next request to the port the stream came from
 * (atftp does), which must still be there and start the next stream. */
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include "pxf-mtftp-stream.h"

G_BEGIN_DECLS

/* The start of every member's user_data: where to send it packets. */
typedef struct {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	gchar *key; /* "ip:port", the member's key in the stream */
} PxfMtftpPeer;

typedef struct _PxfMtftpSession PxfMtftpSession;

typedef struct {
	/* member became the master client */
	void (*master)(PxfMtftpSession *session, gpointer member, gpointer user_data);
	/* member has the file; it left the stream: free it */
	void (*done)(PxfMtftpSession *session, gpointer member, gpointer user_data);
	/* member left: timed out, aborted (client_error, message from its
	 * ERROR) or a server-side failure; free it */
	void (*failed)(PxfMtftpSession *session,
		       gpointer member,
		       const gchar *reason,
		       gboolean client_error,
		       gpointer user_data);
	/* blocks went out: members' progress changed */
	void (*progress)(PxfMtftpSession *session, gpointer user_data);
	/* no member left: the stream is over. Returns TRUE when it freed the
	 * session, else it may have set a new stream or none */
	gboolean (*idle)(PxfMtftpSession *session, gpointer user_data);
	/* a request from a client that is not a member (may be NULL: such
	 * datagrams get ERROR 5 then); the session is not freed meanwhile */
	void (*request)(PxfMtftpSession *session,
			const guint8 *buf,
			gsize len,
			const struct sockaddr *from,
			socklen_t from_len,
			gpointer user_data);
} PxfMtftpSessionFuncs;

/* A non-blocking UDP socket bound to local (port 0) that sends multicast out
 * of local's interface with ttl, looping back to this machine when loop. */
gint pxf_mtftp_session_open_socket(const struct sockaddr_in *local,
				   guint ttl,
				   gboolean loop,
				   GError **error);

/* Takes fd and stream (NULL: none yet). recv_buf is scratch space shared by
 * all sessions. */
PxfMtftpSession *pxf_mtftp_session_new(GMainContext *context,
				       gint fd,
				       const struct sockaddr_in *group,
				       PxfMtftpStream *stream,
				       guint timeout,
				       guint8 *recv_buf,
				       gsize recv_buf_size,
				       const PxfMtftpSessionFuncs *funcs,
				       gpointer user_data);
void pxf_mtftp_session_free(PxfMtftpSession *self);

/* The running stream, or NULL between the streams of a channel. */
PxfMtftpStream *pxf_mtftp_session_get_stream(PxfMtftpSession *self);
/* Replaces the stream (takes it; NULL: none), freeing the old one without
 * events. */
void pxf_mtftp_session_set_stream(PxfMtftpSession *self, PxfMtftpStream *stream);
/* The socket's address (its port is the transfer ID of its streams). */
const struct sockaddr_in *pxf_mtftp_session_get_local(PxfMtftpSession *self);
/* Sends what the stream decided and runs the callbacks; call after every
 * pxf_mtftp_stream_*() call made from outside the session. FALSE when the
 * idle callback freed the session. */
gboolean pxf_mtftp_session_flush(PxfMtftpSession *self);
/* Tells every member the stream ends (an ERROR), without callbacks. */
void pxf_mtftp_session_abort(PxfMtftpSession *self, guint16 code, const gchar *message);
/* Microseconds since the stream was set. */
gint64 pxf_mtftp_session_get_elapsed(PxfMtftpSession *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfMtftpSession, pxf_mtftp_session_free)

G_END_DECLS
