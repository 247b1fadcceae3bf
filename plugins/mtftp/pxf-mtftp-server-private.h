/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the server's files share: listeners, casts (a PXE channel or an RFC
 * 2090 session, with its stream), the clients of casts, and the server. */
#pragma once

#include "pxf-mtftp-advertise.h"
#include "pxf-mtftp-server.h"
#include "pxf-mtftp-session.h"

G_BEGIN_DECLS

/* The largest UDP payload: an oversized request is seen whole and refused. */
#define PXF_MTFTP_RECV_MAX 65536
/* Requests one wake-up of a listening socket reads before yielding. */
#define PXF_MTFTP_LISTEN_BURST 32

typedef struct {
	PxfMtftpServer *server;
	GSocket *socket; /* owned by the core; we hold a reference */
	GSource *source;
	struct sockaddr_in local;
	GInetSocketAddress *local_addr;
	gchar *name; /* "ip:port" */
} PxfMtftpListener;

/* One multicast stream of one file to one group and port. */
typedef struct {
	PxfMtftpServer *server;
	PxfMtftpListener *listener;
	PxfMtftpSession *session;
	PxfMtftpProto proto;
	gchar *path;	 /* the name its first client asked for */
	gchar *identity; /* the file it reads (device, inode, size, mtime) */
	GBytes *content; /* or the bytes a file.open callback gave */
	gchar *group;
	guint16 port;	    /* clients' port: the channel's, or the RFC 2090 session's */
	guint rfc2090_slot; /* RFC 2090: port - rfc2090_port */
	guint served;	    /* clients that got the whole file */
} PxfMtftpCast;

/* One client of a stream. */
typedef struct {
	PxfMtftpPeer peer; /* first: the session sends to it */
	PxfMtftpServer *server;
	PxfMtftpCast *cast;
	PxfClientSlot client;
	gboolean has_client;
} PxfMtftpJob;

struct _PxfMtftpServer {
	PxfPluginContext *ctx;
	GMainContext *main_context;
	PxfMtftpConfig *config;
	PxfMtftpAdvertiser *advertiser;
	GPtrArray *listeners; /* PxfMtftpListener */
	GPtrArray *casts;     /* PxfMtftpCast, owned */
	GHashTable *jobs;     /* peer key → PxfMtftpJob, owned */
	gboolean *slots;      /* RFC 2090 ports in use */
	guint8 *recv_buf;
};

void pxf_mtftp_job_free(PxfMtftpJob *job);
void pxf_mtftp_cast_free(PxfMtftpCast *cast);
/* Whether cast streams the same bytes (content, or the file identity). */
gboolean pxf_mtftp_cast_matches(PxfMtftpCast *cast, GBytes *content, const gchar *identity);
/* The cast of listener on a client port, streaming or not. */
PxfMtftpCast *pxf_mtftp_server_find_cast(PxfMtftpServer *self,
					 PxfMtftpListener *listener,
					 PxfMtftpProto proto,
					 guint16 port);
/* The running RFC 2090 session of these bytes with this block size,
 * whatever name they were asked for under. */
PxfMtftpCast *pxf_mtftp_server_find_rfc2090(PxfMtftpServer *self,
					    PxfMtftpListener *listener,
					    guint blksize,
					    GBytes *content,
					    const gchar *identity);
/* A session for a PXE channel or an RFC 2090 session, without a stream. */
PxfMtftpCast *pxf_mtftp_server_new_cast(PxfMtftpServer *self,
					PxfMtftpListener *listener,
					PxfMtftpProto proto,
					const gchar *group,
					guint16 port,
					GError **error);
/* A new stream of path in cast; takes fd or content, also on failure. */
gboolean pxf_mtftp_cast_begin(PxfMtftpCast *cast,
			      const gchar *path,
			      guint blksize,
			      guint64 size,
			      GBytes *content,
			      gint fd,
			      const gchar *identity,
			      GError **error);
/* The member of cast at peer's address, any port. */
PxfMtftpJob *pxf_mtftp_cast_find_ip(PxfMtftpCast *cast, const struct sockaddr_in *peer);
/* A free RFC 2090 port slot, or -1. */
gint pxf_mtftp_server_free_slot(PxfMtftpServer *self);
/* A request that came to listener's port or to a PXE channel's. */
void pxf_mtftp_server_handle_request(PxfMtftpListener *listener,
				     const guint8 *buf,
				     gsize len,
				     const struct sockaddr *peer,
				     socklen_t peer_len);

G_END_DECLS
