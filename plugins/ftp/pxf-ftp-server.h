/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The FTP server: listening sockets accepted through GSocketService,
 * sessions, and the limits on them. It knows nothing of the SDK: what a
 * file is and who asks come from a PxfFtpHandler, so that it runs in unit
 * tests without the daemon. */
#pragma once

#include <gio/gio.h>

#include "pxf-ftp-fs.h"

G_BEGIN_DECLS

typedef struct _PxfFtpServer PxfFtpServer;
typedef struct _PxfFtpSession PxfFtpSession;

typedef struct {
	guint max_sessions;		/* more connections get 421 and are closed */
	guint max_sessions_per_address; /* the same, from one client address; 0: none */
	guint idle_timeout;		/* seconds without a command before 421 */
	guint login_timeout;		/* seconds from connecting to logging in; 0: none */
	guint data_timeout;		/* seconds to connect to a data port, or without progress */
	guint16 passive_min;		/* data ports; 0 and 0: any the kernel picks */
	guint16 passive_max;
	const gchar *passive_address; /* IPv4 announced by PASV, NULL: the control's */
	guint max_list;		      /* entries of one listing */
} PxfFtpLimits;

/* What file.open said about a path. */
typedef enum {
	PXF_FTP_OPEN_CONTINUE, /* serve from the trees */
	PXF_FTP_OPEN_CONTENT,  /* *content */
	PXF_FTP_OPEN_LOCAL,    /* *local_path, a file to stream */
	PXF_FTP_OPEN_DROP,     /* refused: 550 */
} PxfFtpOpenResult;

typedef struct {
	/* before a command looks up paths: bring the distro mounts up to date */
	void (*refresh)(PxfFtpFs *fs, gpointer user_data);
	/* RETR of path (relative, normalised), before the trees */
	PxfFtpOpenResult (*open)(PxfFtpSession *session,
				 const gchar *path,
				 GBytes **content,
				 gchar **local_path,
				 gpointer user_data);
	/* a file being sent: done bytes of total */
	void (*progress)(PxfFtpSession *session,
			 const gchar *path,
			 guint64 done,
			 guint64 total,
			 gpointer user_data);
	/* a file sent whole (from the REST offset on): bytes sent */
	void (*served)(PxfFtpSession *session,
		       const gchar *path,
		       guint64 bytes,
		       gpointer user_data);
} PxfFtpHandler;

/* fs is owned by the server from now on. */
PxfFtpServer *pxf_ftp_server_new(const PxfFtpLimits *limits,
				 PxfFtpFs *fs,
				 const PxfFtpHandler *handler,
				 gpointer user_data);
/* Closes every session and stops listening. */
void pxf_ftp_server_free(PxfFtpServer *self);
/* Accepts control connections on socket (bound; listened on here). The
 * caller keeps its socket: the server listens on a duplicate, so closing
 * the server leaves the original for the next instance after a reload. */
gboolean pxf_ftp_server_add_socket(PxfFtpServer *self, GSocket *socket, GError **error);
guint pxf_ftp_server_get_n_sockets(PxfFtpServer *self);
guint pxf_ftp_server_get_n_sessions(PxfFtpServer *self);
PxfFtpFs *pxf_ftp_server_get_fs(PxfFtpServer *self);

/* A session's peer and the local address it reached. */
GInetSocketAddress *pxf_ftp_session_get_peer(PxfFtpSession *self);
GInetSocketAddress *pxf_ftp_session_get_local(PxfFtpSession *self);
const gchar *pxf_ftp_session_get_peer_ip(PxfFtpSession *self);
/* Data of the handler's own, freed with the session. */
void pxf_ftp_session_set_data(PxfFtpSession *self, gpointer data, GDestroyNotify destroy);
gpointer pxf_ftp_session_get_data(PxfFtpSession *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfFtpServer, pxf_ftp_server_free)

G_END_DECLS
