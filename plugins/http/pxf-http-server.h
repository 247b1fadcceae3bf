/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* libmicrohttpd driven from the GLib main loop: every callback, hence every
 * handler, runs on the thread that runs the default main context. */
typedef struct _PxfHttpServer PxfHttpServer;
typedef struct _PxfHttpRequest PxfHttpRequest;

/* Called once per request whose path normalised, after the whole body has
 * arrived; must answer with one of the pxf_http_request_respond_*(). */
typedef void (*PxfHttpHandlerFunc)(PxfHttpRequest *request, gpointer user_data);
/* While a file goes out: done bytes of total handed to the connection. */
typedef void (*PxfHttpProgressFunc)(PxfHttpRequest *request,
				    guint64 done,
				    guint64 total,
				    gpointer user_data);
/* Called when a request the handler answered is over; complete is TRUE when
 * the whole response went out. */
typedef void (*PxfHttpFinishedFunc)(PxfHttpRequest *request, gboolean complete, gpointer user_data);

typedef struct {
	guint max_connections;		   /* per listening socket */
	guint max_connections_per_address; /* per listening socket and client address */
	guint connection_timeout;	   /* seconds without traffic, 0 for none */
	guint request_timeout;		   /* seconds to send a whole request, 0 for none */
	gsize max_body;			   /* larger request bodies get 413 */
} PxfHttpServerLimits;

PxfHttpServer *pxf_http_server_new(const PxfHttpServerLimits *limits,
				   PxfHttpHandlerFunc handler,
				   PxfHttpProgressFunc progress,
				   PxfHttpFinishedFunc finished,
				   gpointer user_data);
/* Listens on a bound TCP socket; the server works on a duplicate of its
 * descriptor, so the caller (the core) keeps the socket itself. */
gboolean pxf_http_server_add_socket(PxfHttpServer *self, GSocket *socket, GError **error);
guint pxf_http_server_get_n_sockets(PxfHttpServer *self);
/* Closes every connection; requests in flight are finished as incomplete. */
void pxf_http_server_free(PxfHttpServer *self);

/* An IPv4 or IPv6 sockaddr as a GInetSocketAddress; NULL for other families. */
struct sockaddr;
GInetSocketAddress *pxf_http_sockaddr_to_gio(const struct sockaddr *sa);

const gchar *pxf_http_request_get_method(PxfHttpRequest *self);
gboolean pxf_http_request_is_head(PxfHttpRequest *self);
/* Normalised (see pxf_http_path_normalise()). */
const gchar *pxf_http_request_get_path(PxfHttpRequest *self);
/* A request header, case-insensitive name. */
const gchar *pxf_http_request_get_header(PxfHttpRequest *self, const gchar *name);
const gchar *pxf_http_request_get_query(PxfHttpRequest *self, const gchar *name);
/* From an application/x-www-form-urlencoded body (or one without type). */
const gchar *pxf_http_request_get_form(PxfHttpRequest *self, const gchar *name);
GInetSocketAddress *pxf_http_request_get_peer(PxfHttpRequest *self);
/* The address the client connected to (getsockname of the connection). */
GInetSocketAddress *pxf_http_request_get_local(PxfHttpRequest *self);
const gchar *pxf_http_request_get_peer_ip(PxfHttpRequest *self);
/* Marks the request as one that carried a secret, so the log says so. */
void pxf_http_request_set_redacted(PxfHttpRequest *self);
void pxf_http_request_set_data(PxfHttpRequest *self, gpointer data, GDestroyNotify destroy);
gpointer pxf_http_request_get_data(PxfHttpRequest *self);
guint pxf_http_request_get_status(PxfHttpRequest *self);
/* Length of the body sent (or that would be, for HEAD). */
guint64 pxf_http_request_get_body_size(PxfHttpRequest *self);

gboolean pxf_http_request_respond_text(PxfHttpRequest *self, guint status, const gchar *text);
/* 405 with the Allow header. */
gboolean pxf_http_request_respond_not_allowed(PxfHttpRequest *self, const gchar *allow);
/* no_store adds Cache-Control: no-store (for answers carrying secrets). */
gboolean pxf_http_request_respond_bytes(PxfHttpRequest *self,
					guint status,
					GBytes *bytes,
					const gchar *content_type,
					gboolean no_store);
/* Streams a regular file in blocks, reporting progress; takes fd. Honours a
 * single-range Range header. */
gboolean pxf_http_request_respond_fd(PxfHttpRequest *self,
				     gint fd,
				     const struct stat *st,
				     const gchar *content_type);

G_END_DECLS
