/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Listening and the session table. Control connections come from one
 * GSocketService on the main context; a one-second tick, running only while
 * there are sessions, applies the idle and data timeouts. */
#define G_LOG_DOMAIN "pxf-ftp"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "pxf-ftp-session.h"

static gboolean
pxf_ftp_server_tick_cb(gpointer user_data)
{
	PxfFtpServer *self = user_data;
	g_autoptr(GList) sessions = g_hash_table_get_keys(self->sessions);
	gint64 now = g_get_monotonic_time();

	/* a session may close (and leave the table) during its tick */
	for (GList *l = sessions; l != NULL; l = l->next)
		pxf_ftp_session_tick(l->data, now);
	if (g_hash_table_size(self->sessions) > 0)
		return G_SOURCE_CONTINUE;
	g_clear_pointer(&self->tick, g_source_unref);
	return G_SOURCE_REMOVE;
}

void
pxf_ftp_server_remove_session(PxfFtpServer *self, PxfFtpSession *session)
{
	g_hash_table_remove(self->sessions, session);
}

/* Sessions open from the address peer_ip. */
static guint
pxf_ftp_server_count_from(PxfFtpServer *self, const gchar *peer_ip)
{
	GHashTableIter iter;
	gpointer key;
	guint n = 0;

	g_hash_table_iter_init(&iter, self->sessions);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		PxfFtpSession *session = key;
		if (g_strcmp0(session->peer_ip, peer_ip) == 0)
			n++;
	}
	return n;
}

static void
pxf_ftp_server_refuse(GSocketConnection *connection, const gchar *who, const gchar *why)
{
	static const gchar busy[] = "421 Too many sessions; try again later.\r\n";
	GSocket *socket = g_socket_connection_get_socket(connection);

	g_warning("refusing a session from %s: %s", who, why);
	g_socket_set_blocking(socket, FALSE);
	(void)g_socket_send(socket, busy, sizeof(busy) - 1, NULL, NULL);
	g_io_stream_close(G_IO_STREAM(connection), NULL, NULL);
}

static gboolean
pxf_ftp_server_incoming(GSocketService *service,
			GSocketConnection *connection,
			GObject *source_object,
			gpointer user_data)
{
	PxfFtpServer *self = user_data;
	g_autoptr(GSocketAddress) peer = g_socket_connection_get_remote_address(connection, NULL);
	g_autofree gchar *who =
		G_IS_INET_SOCKET_ADDRESS(peer)
			? g_inet_address_to_string(
				  g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(peer)))
			: g_strdup("an unknown address");
	PxfFtpSession *session;
	guint n_from;

	if (g_hash_table_size(self->sessions) >= self->limits.max_sessions) {
		g_autofree gchar *why = g_strdup_printf("%u sessions are open (max_sessions)",
							g_hash_table_size(self->sessions));
		pxf_ftp_server_refuse(connection, who, why);
		return TRUE;
	}
	/* so that one client cannot take every slot */
	n_from = pxf_ftp_server_count_from(self, who);
	if (self->limits.max_sessions_per_address > 0 &&
	    n_from >= self->limits.max_sessions_per_address) {
		g_autofree gchar *why = g_strdup_printf(
			"%u sessions are open from it (max_sessions_per_address)", n_from);
		pxf_ftp_server_refuse(connection, who, why);
		return TRUE;
	}
	session = pxf_ftp_session_new(self, connection);
	if (session == NULL) {
		g_io_stream_close(G_IO_STREAM(connection), NULL, NULL);
		return TRUE;
	}
	g_hash_table_add(self->sessions, session);
	{
		g_autofree gchar *local =
			g_inet_address_to_string(g_inet_socket_address_get_address(session->local));
		g_debug("session %s: connected to %s, %u open", session->who, local,
			g_hash_table_size(self->sessions));
	}
	if (self->tick == NULL) {
		self->tick = g_timeout_source_new_seconds(1);
		g_source_set_callback(self->tick, pxf_ftp_server_tick_cb, self, NULL);
		g_source_attach(self->tick, NULL);
	}
	return TRUE;
}

PxfFtpServer *
pxf_ftp_server_new(const PxfFtpLimits *limits,
		   PxfFtpFs *fs,
		   const PxfFtpHandler *handler,
		   gpointer user_data)
{
	PxfFtpServer *self = g_new0(PxfFtpServer, 1);

	self->limits = *limits;
	self->passive_address = g_strdup(limits->passive_address);
	self->limits.passive_address = self->passive_address;
	if (self->limits.max_list == 0)
		self->limits.max_list = 100000;
	if (self->limits.max_sessions == 0)
		self->limits.max_sessions = 1;
	if (self->limits.data_timeout == 0)
		self->limits.data_timeout = 60;
	self->fs = fs;
	self->handler = *handler;
	self->user_data = user_data;
	self->sessions = g_hash_table_new_full(g_direct_hash, g_direct_equal,
					       (GDestroyNotify)pxf_ftp_session_free, NULL);
	self->service = g_socket_service_new();
	g_signal_connect(self->service, "incoming", G_CALLBACK(pxf_ftp_server_incoming), self);
	return self;
}

void
pxf_ftp_server_free(PxfFtpServer *self)
{
	if (self == NULL)
		return;
	g_signal_handlers_disconnect_by_data(self->service, self);
	g_socket_service_stop(self->service);
	g_socket_listener_close(G_SOCKET_LISTENER(self->service));
	g_clear_object(&self->service);
	if (self->tick != NULL) {
		g_source_destroy(self->tick);
		g_clear_pointer(&self->tick, g_source_unref);
	}
	if (g_hash_table_size(self->sessions) > 0)
		g_message("stopped with %u sessions open", g_hash_table_size(self->sessions));
	g_hash_table_unref(self->sessions);
	pxf_ftp_fs_free(self->fs);
	g_free(self->passive_address);
	g_free(self);
}

gboolean
pxf_ftp_server_add_socket(PxfFtpServer *self, GSocket *socket, GError **error)
{
	g_autoptr(GSocket) dup_socket = NULL;
	gint fd = fcntl(g_socket_get_fd(socket), F_DUPFD_CLOEXEC, 3);

	if (fd < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "dup: %s",
			    g_strerror(errno));
		return FALSE;
	}
	dup_socket = g_socket_new_from_fd(fd, error);
	if (dup_socket == NULL) {
		close(fd);
		return FALSE;
	}
	g_socket_set_listen_backlog(dup_socket, 64);
	if (!g_socket_listen(dup_socket, error))
		return FALSE;
	if (!g_socket_listener_add_socket(G_SOCKET_LISTENER(self->service), dup_socket, NULL,
					  error))
		return FALSE;
	self->n_sockets++;
	return TRUE;
}

guint
pxf_ftp_server_get_n_sockets(PxfFtpServer *self)
{
	return self->n_sockets;
}

guint
pxf_ftp_server_get_n_sessions(PxfFtpServer *self)
{
	return g_hash_table_size(self->sessions);
}

PxfFtpFs *
pxf_ftp_server_get_fs(PxfFtpServer *self)
{
	return self->fs;
}
