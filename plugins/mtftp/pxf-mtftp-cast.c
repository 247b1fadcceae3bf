/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Casts: a PXE channel or an RFC 2090 session, its stream, and what its
 * session's events mean for the server (events, progress, logs). */
#define G_LOG_DOMAIN "pxf-mtftp"

#include <arpa/inet.h>

#include "pxf-mtftp-server-private.h"

void
pxf_mtftp_job_free(PxfMtftpJob *job)
{
	if (job->has_client)
		pxf_client_clear(&job->client);
	g_free(job->peer.key);
	g_free(job);
}

void
pxf_mtftp_cast_free(PxfMtftpCast *cast)
{
	if (cast->proto == PXF_MTFTP_PROTO_RFC2090)
		cast->server->slots[cast->rfc2090_slot] = FALSE;
	pxf_mtftp_session_free(cast->session);
	g_clear_pointer(&cast->content, g_bytes_unref);
	g_free(cast->identity);
	g_free(cast->path);
	g_free(cast->group);
	g_free(cast);
}

/* ---- session callbacks -------------------------------------------------- */

static void
pxf_mtftp_cast_master(PxfMtftpSession *session, gpointer member, gpointer user_data)
{
	PxfMtftpJob *job = member;
	PxfMtftpCast *cast = user_data;

	g_debug("client %s is the master client of %s (%s, %s:%u)", job->peer.key, cast->path,
		pxf_mtftp_proto_to_string(cast->proto), cast->group, cast->port);
}

static void
pxf_mtftp_cast_done(PxfMtftpSession *session, gpointer member, gpointer user_data)
{
	PxfMtftpJob *job = member;
	PxfMtftpCast *cast = user_data;
	PxfMtftpServer *self = cast->server;
	guint64 size = pxf_mtftp_stream_get_size(pxf_mtftp_session_get_stream(session));

	cast->served++;
	g_debug("client %s: sent %s, %" G_GUINT64_FORMAT " bytes by %s to %s:%u (%u clients "
		"served, %.3f s)",
		job->peer.key, cast->path, size, pxf_mtftp_proto_to_string(cast->proto),
		cast->group, cast->port, cast->served,
		(gdouble)pxf_mtftp_session_get_elapsed(session) / G_USEC_PER_SEC);
	pxf_plugin_context_report_transfer(self->ctx, &job->client.pub, cast->path, size, size);
	pxf_plugin_context_emit_host_event(self->ctx, &job->client.pub, job->client.pub.mac,
					   PXF_HOST_EVENT_FILE_SERVED, cast->path, size);
	g_hash_table_remove(self->jobs, job->peer.key);
}

static void
pxf_mtftp_cast_failed(PxfMtftpSession *session,
		      gpointer member,
		      const gchar *reason,
		      gboolean client_error,
		      gpointer user_data)
{
	PxfMtftpJob *job = member;
	PxfMtftpCast *cast = user_data;
	const gchar *mac = job->client.pub.mac;
	guint64 size = pxf_mtftp_stream_get_size(pxf_mtftp_session_get_stream(session));

	/* a client that gives up is routine (it may fall back to TFTP) */
	if (client_error)
		g_info("client %s: stopped receiving %s: %s", job->peer.key, cast->path, reason);
	else
		g_warning("client %s%s%s: transfer of %s (%" G_GUINT64_FORMAT
			  " bytes) by %s failed: %s",
			  job->peer.key, mac != NULL ? " " : "", mac != NULL ? mac : "", cast->path,
			  size, pxf_mtftp_proto_to_string(cast->proto), reason);
	g_hash_table_remove(cast->server->jobs, job->peer.key);
}

typedef struct {
	PxfMtftpServer *server;
	PxfMtftpCast *cast;
	guint64 size;
} PxfMtftpProgress;

static void
pxf_mtftp_report_one(gpointer user_data, const gchar *key, guint64 bytes, gpointer data)
{
	PxfMtftpJob *job = user_data;
	PxfMtftpProgress *progress = data;

	pxf_plugin_context_report_transfer(progress->server->ctx, &job->client.pub,
					   progress->cast->path, bytes, progress->size);
}

static void
pxf_mtftp_cast_progress(PxfMtftpSession *session, gpointer user_data)
{
	PxfMtftpCast *cast = user_data;
	PxfMtftpStream *stream = pxf_mtftp_session_get_stream(session);
	PxfMtftpProgress progress = {cast->server, cast, pxf_mtftp_stream_get_size(stream)};

	pxf_mtftp_stream_foreach(stream, pxf_mtftp_report_one, &progress);
}

/* The stream is over: an RFC 2090 session goes, a PXE channel stays. */
static gboolean
pxf_mtftp_cast_idle(PxfMtftpSession *session, gpointer user_data)
{
	PxfMtftpCast *cast = user_data;

	g_debug("stream of %s to %s:%u ended: %u clients served, %" G_GUINT64_FORMAT
		" packets sent",
		cast->path, cast->group, cast->port, cast->served,
		pxf_mtftp_stream_get_n_sent(pxf_mtftp_session_get_stream(session)));
	if (cast->proto == PXF_MTFTP_PROTO_RFC2090) {
		g_ptr_array_remove(cast->server->casts, cast);
		return TRUE;
	}
	pxf_mtftp_session_set_stream(session, NULL);
	g_clear_pointer(&cast->path, g_free);
	g_clear_pointer(&cast->identity, g_free);
	g_clear_pointer(&cast->content, g_bytes_unref);
	cast->served = 0;
	return FALSE;
}

static void
pxf_mtftp_cast_request(PxfMtftpSession *session,
		       const guint8 *buf,
		       gsize len,
		       const struct sockaddr *from,
		       socklen_t from_len,
		       gpointer user_data)
{
	PxfMtftpCast *cast = user_data;
	pxf_mtftp_server_handle_request(cast->listener, buf, len, from, from_len);
}

static const PxfMtftpSessionFuncs pxf_mtftp_cast_funcs = {
	.master = pxf_mtftp_cast_master,
	.done = pxf_mtftp_cast_done,
	.failed = pxf_mtftp_cast_failed,
	.progress = pxf_mtftp_cast_progress,
	.idle = pxf_mtftp_cast_idle,
};

/* A PXE channel also takes requests on its own port. */
static const PxfMtftpSessionFuncs pxf_mtftp_channel_funcs = {
	.master = pxf_mtftp_cast_master,
	.done = pxf_mtftp_cast_done,
	.failed = pxf_mtftp_cast_failed,
	.progress = pxf_mtftp_cast_progress,
	.idle = pxf_mtftp_cast_idle,
	.request = pxf_mtftp_cast_request,
};

gboolean
pxf_mtftp_cast_matches(PxfMtftpCast *cast, GBytes *content, const gchar *identity)
{
	if (content != NULL)
		return cast->content != NULL && g_bytes_equal(cast->content, content);
	return cast->identity != NULL && g_strcmp0(cast->identity, identity) == 0;
}

PxfMtftpCast *
pxf_mtftp_server_find_cast(PxfMtftpServer *self,
			   PxfMtftpListener *listener,
			   PxfMtftpProto proto,
			   guint16 port)
{
	for (guint i = 0; i < self->casts->len; i++) {
		PxfMtftpCast *cast = g_ptr_array_index(self->casts, i);
		if (cast->listener == listener && cast->proto == proto && cast->port == port)
			return cast;
	}
	return NULL;
}

PxfMtftpCast *
pxf_mtftp_server_find_rfc2090(PxfMtftpServer *self,
			      PxfMtftpListener *listener,
			      guint blksize,
			      GBytes *content,
			      const gchar *identity)
{
	for (guint i = 0; i < self->casts->len; i++) {
		PxfMtftpCast *cast = g_ptr_array_index(self->casts, i);
		PxfMtftpStream *stream = pxf_mtftp_session_get_stream(cast->session);
		if (cast->listener == listener && cast->proto == PXF_MTFTP_PROTO_RFC2090 &&
		    stream != NULL && pxf_mtftp_stream_get_blksize(stream) == blksize &&
		    pxf_mtftp_cast_matches(cast, content, identity))
			return cast;
	}
	return NULL;
}

/* A session for a PXE channel or an RFC 2090 session, without a stream. */
PxfMtftpCast *
pxf_mtftp_server_new_cast(PxfMtftpServer *self,
			  PxfMtftpListener *listener,
			  PxfMtftpProto proto,
			  const gchar *group,
			  guint16 port,
			  GError **error)
{
	struct sockaddr_in dest = {.sin_family = AF_INET, .sin_port = htons(port)};
	PxfMtftpCast *cast;
	gint sock = pxf_mtftp_session_open_socket(&listener->local, self->config->ttl,
						  self->config->loop, error);

	if (sock < 0)
		return NULL;
	inet_pton(AF_INET, group, &dest.sin_addr);
	cast = g_new0(PxfMtftpCast, 1);
	cast->server = self;
	cast->listener = listener;
	cast->proto = proto;
	cast->group = g_strdup(group);
	cast->port = port;
	if (proto == PXF_MTFTP_PROTO_RFC2090) {
		cast->rfc2090_slot = (guint)(port - self->config->rfc2090_port);
		self->slots[cast->rfc2090_slot] = TRUE;
	}
	cast->session = pxf_mtftp_session_new(
		self->main_context, sock, &dest, NULL, self->config->timeout, self->recv_buf,
		PXF_MTFTP_RECV_MAX,
		proto == PXF_MTFTP_PROTO_PXE ? &pxf_mtftp_channel_funcs : &pxf_mtftp_cast_funcs,
		cast);
	g_ptr_array_add(self->casts, cast);
	return cast;
}

/* A new stream of path in cast; takes fd or content. */
gboolean
pxf_mtftp_cast_begin(PxfMtftpCast *cast,
		     const gchar *path,
		     guint blksize,
		     guint64 size,
		     GBytes *content,
		     gint fd,
		     const gchar *identity,
		     GError **error)
{
	PxfMtftpServer *self = cast->server;
	PxfMtftpStreamParams params = {
		.proto = cast->proto,
		.blksize = blksize,
		.size = size,
		.retries = self->config->retries,
		.group = cast->group,
		.port = cast->port,
		.max_members = self->config->max_clients,
	};
	PxfMtftpStream *stream;

	if (content != NULL)
		stream = pxf_mtftp_stream_new_for_bytes(&params, content, error);
	else
		stream = pxf_mtftp_stream_new_for_fd(&params, fd, error);
	if (stream == NULL)
		return FALSE;
	pxf_mtftp_session_set_stream(cast->session, stream);
	cast->path = g_strdup(path);
	cast->identity = g_strdup(identity);
	cast->content = content != NULL ? g_bytes_ref(content) : NULL;
	cast->served = 0;
	g_debug("stream of %s (%" G_GUINT64_FORMAT " bytes, blksize %u) to %s:%u from %s:%u by %s",
		path, size, blksize, cast->group, cast->port, cast->listener->name,
		ntohs(pxf_mtftp_session_get_local(cast->session)->sin_port),
		pxf_mtftp_proto_to_string(cast->proto));
	return TRUE;
}

/* The PXE client at the same address with a new port is the same client
 * reopening: it keeps its place in the stream. */
PxfMtftpJob *
pxf_mtftp_cast_find_ip(PxfMtftpCast *cast, const struct sockaddr_in *peer)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, cast->server->jobs);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		PxfMtftpJob *job = value;
		const struct sockaddr_in *addr = (const struct sockaddr_in *)&job->peer.addr;
		if (job->cast == cast && addr->sin_addr.s_addr == peer->sin_addr.s_addr)
			return job;
	}
	return NULL;
}

gint
pxf_mtftp_server_free_slot(PxfMtftpServer *self)
{
	for (guint i = 0; i < self->config->rfc2090_sessions; i++) {
		if (!self->slots[i])
			return (gint)i;
	}
	return -1;
}
