/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The request deadline (see the header). */
#define G_LOG_DOMAIN "pxf-http"

#include "pxf-http-deadline.h"

#include <sys/socket.h>

#include "pxf-http-server.h"

struct _PxfHttpDeadline {
	guint seconds;
	GHashTable *conns; /* PxfHttpDeadlineConn* → itself, owned */
	GSource *sweep;
};

typedef struct {
	PxfHttpDeadline *deadline;
	gint fd;
	gchar *peer_ip;
	gint64 since;	  /* monotonic µs the clock started, for the request awaited */
	gboolean waiting; /* for a request (not all in yet) */
	guint n_over;	  /* requests it had before */
} PxfHttpDeadlineConn;

static void
pxf_http_deadline_conn_free(PxfHttpDeadlineConn *conn)
{
	g_free(conn->peer_ip);
	g_free(conn);
}

PxfHttpDeadline *
pxf_http_deadline_new(guint seconds)
{
	PxfHttpDeadline *self = g_new0(PxfHttpDeadline, 1);
	self->seconds = seconds;
	self->conns = g_hash_table_new_full(g_direct_hash, g_direct_equal,
					    (GDestroyNotify)pxf_http_deadline_conn_free, NULL);
	return self;
}

void
pxf_http_deadline_free(PxfHttpDeadline *self)
{
	if (self == NULL)
		return;
	if (self->sweep != NULL) {
		g_source_destroy(self->sweep);
		g_clear_pointer(&self->sweep, g_source_unref);
	}
	g_hash_table_unref(self->conns);
	g_free(self);
}

static gboolean
pxf_http_deadline_sweep_cb(gpointer user_data)
{
	PxfHttpDeadline *self = user_data;
	gint64 limit = g_get_monotonic_time() - (gint64)self->seconds * G_USEC_PER_SEC;
	GHashTableIter iter;
	gpointer key;

	g_hash_table_iter_init(&iter, self->conns);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		PxfHttpDeadlineConn *conn = key;
		if (!conn->waiting || conn->since > limit)
			continue;
		/* not closed here: the descriptor is libmicrohttpd's. After the
		 * shutdown it reads the end of the stream and closes it itself.
		 * A kept-alive connection that stays quiet after its requests is
		 * no attack (and cannot be told from a slow one): info only. */
		if (conn->n_over == 0)
			g_warning("closing the connection of %s: no whole request in %u s "
				  "(request_timeout)",
				  conn->peer_ip, self->seconds);
		else
			g_info("closing the connection of %s: no whole request in %u s after "
			       "its last one (request_timeout)",
			       conn->peer_ip, self->seconds);
		conn->waiting = FALSE;
		(void)shutdown(conn->fd, SHUT_RDWR);
	}
	if (g_hash_table_size(self->conns) > 0)
		return G_SOURCE_CONTINUE;
	g_clear_pointer(&self->sweep, g_source_unref);
	return G_SOURCE_REMOVE;
}

static gchar *
pxf_http_deadline_peer_ip(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	g_autoptr(GInetSocketAddress) addr =
		info != NULL ? pxf_http_sockaddr_to_gio(info->client_addr) : NULL;

	if (addr == NULL)
		return g_strdup("?");
	return g_inet_address_to_string(g_inet_socket_address_get_address(addr));
}

void
pxf_http_deadline_notify_cb(void *cls,
			    struct MHD_Connection *connection,
			    void **socket_context,
			    enum MHD_ConnectionNotificationCode code)
{
	PxfHttpDeadline *self = cls;
	const union MHD_ConnectionInfo *info;
	PxfHttpDeadlineConn *conn;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (*socket_context != NULL)
			g_hash_table_remove(self->conns, *socket_context);
		*socket_context = NULL;
		return;
	}
	if (code != MHD_CONNECTION_NOTIFY_STARTED || self->seconds == 0)
		return;
	info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (info == NULL)
		return;
	conn = g_new0(PxfHttpDeadlineConn, 1);
	conn->deadline = self;
	conn->fd = info->connect_fd;
	conn->peer_ip = pxf_http_deadline_peer_ip(connection);
	conn->since = g_get_monotonic_time();
	conn->waiting = TRUE;
	g_hash_table_add(self->conns, conn);
	*socket_context = conn;
	if (self->sweep == NULL) {
		self->sweep = g_timeout_source_new_seconds(1);
		g_source_set_callback(self->sweep, pxf_http_deadline_sweep_cb, self, NULL);
		g_source_attach(self->sweep, NULL);
	}
}

static PxfHttpDeadlineConn *
pxf_http_deadline_conn_get(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return info != NULL ? info->socket_context : NULL;
}

void
pxf_http_deadline_request_in(struct MHD_Connection *connection)
{
	PxfHttpDeadlineConn *conn = pxf_http_deadline_conn_get(connection);
	if (conn != NULL)
		conn->waiting = FALSE;
}

void
pxf_http_deadline_request_over(struct MHD_Connection *connection)
{
	PxfHttpDeadlineConn *conn = pxf_http_deadline_conn_get(connection);
	if (conn == NULL)
		return;
	conn->since = g_get_monotonic_time();
	conn->waiting = TRUE;
	conn->n_over++;
}
