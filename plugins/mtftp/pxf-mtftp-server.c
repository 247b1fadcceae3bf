/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-mtftp"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "pxf-mtftp-packet.h"
#include "pxf-mtftp-server-private.h"
#include "pxf-mtftp-source.h"
#include "pxf-tftp-listen.h"
#include "pxf-tftp-path.h"
#include "pxf-tftp-transfer.h"

static void
pxf_mtftp_listener_free(PxfMtftpListener *listener)
{
	if (listener->source != NULL) {
		g_source_destroy(listener->source);
		g_source_unref(listener->source);
	}
	g_clear_object(&listener->socket);
	g_clear_object(&listener->local_addr);
	g_free(listener->name);
	g_free(listener);
}

/* An early ERROR comes from a socket of its own, as later answers would. */
static void
pxf_mtftp_listener_reply_error(PxfMtftpListener *listener,
			       const struct sockaddr *peer,
			       socklen_t peer_len,
			       guint16 code,
			       const gchar *message)
{
	struct sockaddr_in any_port = listener->local;
	gint fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	any_port.sin_port = 0;
	if (fd < 0 || bind(fd, (const struct sockaddr *)&any_port, sizeof(any_port)) != 0) {
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	pxf_tftp_send_error(fd >= 0 ? fd : g_socket_get_fd(listener->socket), peer, peer_len, code,
			    message);
	if (fd >= 0)
		close(fd);
}

static void
pxf_mtftp_server_refuse(PxfMtftpListener *listener,
			const struct sockaddr *peer,
			socklen_t peer_len,
			const gchar *who,
			const gchar *shown_path,
			const GError *error)
{
	if (shown_path == NULL)
		g_message("client %s: malformed request: %s", who, error->message);
	else if (error->code == PXF_TFTP_ERROR_ACCESS)
		g_warning("client %s: refused '%s': %s", who, shown_path, error->message);
	else
		g_message("client %s: '%s': %s", who, shown_path, error->message);
	pxf_mtftp_listener_reply_error(listener, peer, peer_len, (guint16)error->code,
				       error->code == PXF_TFTP_ERROR_ILLEGAL_OP ||
						       error->code == PXF_TFTP_ERROR_UNDEFINED
					       ? error->message
					       : NULL);
}

/* The client left for another file: out of its old stream. */
static void
pxf_mtftp_server_leave(PxfMtftpServer *self, PxfMtftpJob *job)
{
	PxfMtftpCast *cast = job->cast;

	pxf_mtftp_stream_leave(pxf_mtftp_session_get_stream(cast->session), job->peer.key);
	g_hash_table_remove(self->jobs, job->peer.key);
	pxf_mtftp_session_flush(cast->session);
}

/* The same client reopening from another port: takes the place of existing. */
static void
pxf_mtftp_server_rekey(PxfMtftpServer *self, PxfMtftpJob *existing, PxfMtftpJob *job)
{
	PxfMtftpCast *cast = existing->cast;
	g_autofree gchar *old_key = g_strdup(existing->peer.key);

	g_hash_table_steal(self->jobs, old_key);
	g_free(existing->peer.key);
	existing->peer.key = g_strdup(job->peer.key);
	existing->peer.addr = job->peer.addr;
	existing->peer.addr_len = job->peer.addr_len;
	g_hash_table_insert(self->jobs, existing->peer.key, existing);
	g_debug("client %s now asks from %s", old_key, existing->peer.key);
	pxf_mtftp_stream_rekey(pxf_mtftp_session_get_stream(cast->session), old_key,
			       existing->peer.key);
	pxf_mtftp_session_flush(cast->session);
}

/* A request that cannot be served for lack of resources: logged, told. */
static void
pxf_mtftp_server_give_up(PxfMtftpListener *listener,
			 const struct sockaddr *peer,
			 socklen_t peer_len,
			 const gchar *who,
			 const gchar *shown,
			 PxfMtftpJob *job,
			 gint fd,
			 const GError *error,
			 const gchar *message)
{
	g_warning("client %s: cannot serve '%s': %s", who, shown, error->message);
	pxf_mtftp_listener_reply_error(listener, peer, peer_len, PXF_TFTP_ERROR_UNDEFINED, message);
	if (fd >= 0)
		close(fd);
	pxf_mtftp_job_free(job);
}

void
pxf_mtftp_server_handle_request(PxfMtftpListener *listener,
				const guint8 *buf,
				gsize len,
				const struct sockaddr *peer,
				socklen_t peer_len)
{
	PxfMtftpServer *self = listener->server;
	g_autofree gchar *who = pxf_tftp_sockaddr_to_string(peer, peer_len);
	g_autofree gchar *shown = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *identity = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) content = NULL;
	g_autoptr(GSocketAddress) peer_addr = NULL;
	g_auto(PxfTftpRequest) req = {0};
	const PxfMtftpChannel *channel = self->config->default_channel;
	const gchar *mc_value = NULL;
	PxfMtftpProto proto = PXF_MTFTP_PROTO_PXE;
	PxfMtftpJob *existing;
	PxfMtftpJob *job;
	PxfMtftpCast *cast = NULL;
	gboolean running;
	gsize mc_len = 0;
	guint blksize = PXF_TFTP_BLKSIZE_DEFAULT;
	guint flags = 0;
	guint64 size = 0;
	gint fd = -1;
	guint16 opcode = pxf_tftp_packet_get_opcode(buf, len);

	/* never answer an ERROR */
	if (opcode == PXF_TFTP_OP_ERROR || len < 2 || peer->sa_family != AF_INET)
		return;
	if (!pxf_tftp_request_parse(&req, buf, len, &error)) {
		pxf_mtftp_server_refuse(listener, peer, peer_len, who, NULL, error);
		return;
	}
	shown = pxf_tftp_escape(req.filename);
	if (req.opcode == PXF_TFTP_OP_WRQ) {
		g_set_error_literal(&error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS,
				    "write request (this server is read-only)");
		pxf_mtftp_server_refuse(listener, peer, peer_len, who, shown, error);
		return;
	}
	if (pxf_mtftp_request_find_option(buf, len, PXF_MTFTP_OPTION_MULTICAST, &mc_value,
					  &mc_len)) {
		if (!self->config->rfc2090) {
			g_message("client %s: '%s' with the multicast option refused (rfc2090 "
				  "is off)",
				  who, shown);
			pxf_mtftp_listener_reply_error(listener, peer, peer_len,
						       PXF_TFTP_ERROR_OPTION,
						       "Multicast option refused");
			return;
		}
		proto = PXF_MTFTP_PROTO_RFC2090;
		if (req.has_blksize) {
			blksize = MIN(req.blksize, self->config->blksize_max);
			flags |= PXF_MTFTP_JOIN_BLKSIZE;
		}
		if (req.has_tsize)
			flags |= PXF_MTFTP_JOIN_TSIZE;
	}
	path = pxf_tftp_path_sanitise(req.filename, &error);
	if (path == NULL) {
		pxf_mtftp_server_refuse(listener, peer, peer_len, who, shown, error);
		return;
	}

	/* a member asking again: the answer it waits for was lost */
	existing = g_hash_table_lookup(self->jobs, who);
	if (existing != NULL) {
		PxfMtftpCast *old = existing->cast;
		if (old->proto == proto && g_strcmp0(old->path, path) == 0) {
			g_debug("client %s: repeated request for '%s'", who, shown);
			pxf_mtftp_stream_join(pxf_mtftp_session_get_stream(old->session), who,
					      existing, flags);
			pxf_mtftp_session_flush(old->session);
			return;
		}
		g_message("client %s: new request for '%s' replaces its transfer of %s", who, shown,
			  old->path);
		pxf_mtftp_server_leave(self, existing);
	}

	job = g_new0(PxfMtftpJob, 1);
	job->server = self;
	job->peer.key = g_strdup(who);
	job->peer.addr_len = MIN(peer_len, (socklen_t)sizeof(job->peer.addr));
	memcpy(&job->peer.addr, peer, job->peer.addr_len);
	peer_addr = g_socket_address_new_from_native((gpointer)peer, peer_len);
	pxf_client_init(&job->client, self->ctx, "mtftp", G_INET_SOCKET_ADDRESS(peer_addr),
			listener->local_addr, NULL);
	job->has_client = TRUE;
	if (!pxf_mtftp_source_open(self->ctx, &job->client.pub, self->config->root, path, &content,
				   &fd, &identity, &size, &error)) {
		pxf_mtftp_server_refuse(listener, peer, peer_len, who, shown, error);
		pxf_mtftp_job_free(job);
		return;
	}

	if (proto == PXF_MTFTP_PROTO_PXE) {
		channel = pxf_mtftp_config_get_channel(self->config, path);
		cast = pxf_mtftp_server_find_cast(self, listener, proto, channel->client_port);
		running = cast != NULL && pxf_mtftp_session_get_stream(cast->session) != NULL;
		/* its clients would take the other file's blocks for theirs; the
		 * same file under another name (ipxe/<mac>/initrd.img for every
		 * host) is the same stream */
		if (running && !pxf_mtftp_cast_matches(cast, content, identity)) {
			g_warning("client %s: '%s' refused: %s:%u is streaming %s; give the file a "
				  "channel of its own (files)",
				  who, shown, cast->group, cast->port, cast->path);
			pxf_mtftp_listener_reply_error(listener, peer, peer_len,
						       PXF_TFTP_ERROR_UNDEFINED,
						       "MTFTP channel busy with another file");
			if (fd >= 0)
				close(fd);
			pxf_mtftp_job_free(job);
			return;
		}
		if (running) {
			PxfMtftpJob *same =
				pxf_mtftp_cast_find_ip(cast, (const struct sockaddr_in *)peer);
			if (same != NULL) {
				pxf_mtftp_server_rekey(self, same, job);
				if (fd >= 0)
					close(fd);
				pxf_mtftp_job_free(job);
				return;
			}
		}
	} else {
		cast = pxf_mtftp_server_find_rfc2090(self, listener, blksize, content, identity);
		running = cast != NULL;
	}

	if (!running) {
		if (cast == NULL) {
			guint16 port = channel->client_port;
			if (proto == PXF_MTFTP_PROTO_RFC2090) {
				gint slot = pxf_mtftp_server_free_slot(self);
				if (slot < 0) {
					g_set_error(&error, PXF_TFTP_ERROR,
						    PXF_TFTP_ERROR_UNDEFINED,
						    "%u RFC 2090 sessions are running "
						    "(rfc2090_sessions)",
						    self->config->rfc2090_sessions);
					pxf_mtftp_server_give_up(listener, peer, peer_len, who,
								 shown, job, fd, error,
								 "Too many multicast sessions");
					return;
				}
				port = (guint16)(self->config->rfc2090_port + (guint)slot);
			}
			cast = pxf_mtftp_server_new_cast(self, listener, proto, channel->group,
							 port, &error);
			if (cast == NULL) {
				pxf_mtftp_server_give_up(listener, peer, peer_len, who, shown, job,
							 fd, error, "Server busy");
				return;
			}
		}
		/* the stream takes fd, also when it fails */
		if (!pxf_mtftp_cast_begin(cast, path, blksize, size, content, fd, identity,
					  &error)) {
			if (proto == PXF_MTFTP_PROTO_RFC2090)
				g_ptr_array_remove(self->casts, cast);
			pxf_mtftp_server_give_up(listener, peer, peer_len, who, shown, job, -1,
						 error, "File too large for multicast");
			return;
		}
	} else if (fd >= 0) {
		close(fd);
	}

	job->cast = cast;
	g_hash_table_insert(self->jobs, job->peer.key, job);
	if (pxf_mtftp_stream_join(pxf_mtftp_session_get_stream(cast->session), who, job, flags) ==
	    PXF_MTFTP_JOIN_FULL) {
		g_warning("client %s: refused '%s': the stream has %u clients (max_clients)", who,
			  shown, self->config->max_clients);
		g_hash_table_remove(self->jobs, who);
		pxf_mtftp_listener_reply_error(listener, peer, peer_len, PXF_TFTP_ERROR_UNDEFINED,
					       "Too many clients");
		return;
	}
	g_debug("client %s: %s request for %s joins the stream to %s:%u (%u clients)", who,
		pxf_mtftp_proto_to_string(proto), path, cast->group, cast->port,
		pxf_mtftp_stream_get_n_members(pxf_mtftp_session_get_stream(cast->session)));
	pxf_mtftp_session_flush(cast->session);
}

static gboolean
pxf_mtftp_listener_datagram(const guint8 *buf,
			    gsize len,
			    const struct sockaddr *peer,
			    socklen_t peer_len,
			    gpointer user_data)
{
	pxf_mtftp_server_handle_request(user_data, buf, len, peer, peer_len);
	return TRUE;
}

static gboolean
pxf_mtftp_listener_ready(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	PxfMtftpListener *listener = user_data;

	pxf_tftp_receive_burst(g_socket_get_fd(socket), listener->server->recv_buf,
			       PXF_MTFTP_RECV_MAX, PXF_MTFTP_LISTEN_BURST,
			       pxf_mtftp_listener_datagram, listener);
	return G_SOURCE_CONTINUE;
}

static gboolean
pxf_mtftp_server_add_listener(PxfMtftpServer *self, GSocket *socket, GError **error)
{
	g_autoptr(GSocketAddress) local = g_socket_get_local_address(socket, error);
	PxfMtftpListener *listener;
	g_autofree gchar *addr = NULL;

	if (local == NULL)
		return FALSE;
	listener = g_new0(PxfMtftpListener, 1);
	listener->server = self;
	listener->socket = g_object_ref(socket);
	listener->local_addr = G_INET_SOCKET_ADDRESS(g_object_ref(local));
	if (!g_socket_address_to_native(local, &listener->local, sizeof(listener->local), error)) {
		pxf_mtftp_listener_free(listener);
		return FALSE;
	}
	addr = g_inet_address_to_string(g_inet_socket_address_get_address(listener->local_addr));
	listener->name = g_strdup_printf("%s:%u", addr,
					 g_inet_socket_address_get_port(listener->local_addr));
	listener->source = g_socket_create_source(socket, G_IO_IN, NULL);
	g_source_set_callback(listener->source, G_SOURCE_FUNC(pxf_mtftp_listener_ready), listener,
			      NULL);
	g_source_attach(listener->source, self->main_context);
	g_ptr_array_add(self->listeners, listener);
	return TRUE;
}

PxfMtftpServer *
pxf_mtftp_server_new(PxfPluginContext *ctx, GError **error)
{
	const PxfConfSection *section = pxf_plugin_context_get_config(ctx);
	g_autoptr(PxfMtftpServer) self = g_new0(PxfMtftpServer, 1);
	g_autoptr(GPtrArray) addresses = NULL;
	g_autoptr(GString) names = g_string_new(NULL);
	g_autoptr(GString) files = g_string_new(NULL);
	PxfMtftpConfig *config;

	self->ctx = ctx;
	self->main_context = g_main_context_ref_thread_default();
	self->listeners = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_mtftp_listener_free);
	self->casts = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_mtftp_cast_free);
	self->jobs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					   (GDestroyNotify)pxf_mtftp_job_free);
	self->recv_buf = g_malloc(PXF_MTFTP_RECV_MAX);
	self->config = pxf_mtftp_config_new(section, error);
	if (self->config == NULL)
		return NULL;
	config = self->config;
	self->slots = g_new0(gboolean, config->rfc2090_sessions);

	addresses = pxf_tftp_listen_get_addresses(ctx, section, TRUE, "MTFTP", error);
	if (addresses == NULL)
		return NULL;
	for (guint i = 0; i < addresses->len; i++) {
		const gchar *address = g_ptr_array_index(addresses, i);
		GSocket *socket = pxf_plugin_context_bind(ctx, G_SOCKET_TYPE_DATAGRAM, address,
							  config->port, error);
		if (socket == NULL)
			return NULL;
		if (!pxf_mtftp_server_add_listener(self, socket, error))
			return NULL;
		g_string_append_printf(names, "%s%s", names->len > 0 ? ", " : "", address);
	}
	if (self->listeners->len == 0) {
		g_message("no interfaces or addresses to serve MTFTP on; idle");
		return g_steal_pointer(&self);
	}
	if (!g_file_test(config->root, G_FILE_TEST_IS_DIR))
		g_warning("root %s is not a directory; only files from file.open callbacks "
			  "can be served",
			  config->root);
	if (config->dhcp_options) {
		self->advertiser = pxf_mtftp_advertiser_new(config, addresses);
		if (!pxf_mtftp_advertiser_connect(self->advertiser, ctx, error))
			return NULL;
	}
	for (guint i = 0; i < config->files->len; i++) {
		const PxfMtftpChannel *channel = g_ptr_array_index(config->files, i);
		g_string_append_printf(files, ", %s on %s:%u", channel->path, channel->group,
				       channel->client_port);
	}
	g_message("serving %s on %s port %u: PXE MTFTP to %s:%u%s; RFC 2090 %s%s (ports "
		  "%u-%u); DHCP option 43 %s",
		  config->root, names->str, config->port, config->default_channel->group,
		  config->default_channel->client_port, files->str, config->rfc2090 ? "to " : "off",
		  config->rfc2090 ? config->default_channel->group : "", config->rfc2090_port,
		  config->rfc2090_port + config->rfc2090_sessions - 1,
		  config->dhcp_options ? "on" : "off");
	return g_steal_pointer(&self);
}

void
pxf_mtftp_server_stop(PxfMtftpServer *self)
{
	guint n = pxf_mtftp_server_get_n_streams(self);

	for (guint i = 0; i < self->casts->len; i++) {
		PxfMtftpCast *cast = g_ptr_array_index(self->casts, i);
		pxf_mtftp_session_abort(cast->session, PXF_TFTP_ERROR_UNDEFINED,
					"Server shutting down");
	}
	g_ptr_array_set_size(self->casts, 0);
	g_hash_table_remove_all(self->jobs);
	g_ptr_array_set_size(self->listeners, 0);
	if (n > 0)
		g_message("stopped with %u streams running", n);
}

void
pxf_mtftp_server_free(PxfMtftpServer *self)
{
	if (self == NULL)
		return;
	pxf_mtftp_server_stop(self);
	g_ptr_array_unref(self->listeners);
	g_ptr_array_unref(self->casts);
	g_hash_table_unref(self->jobs);
	g_main_context_unref(self->main_context);
	pxf_mtftp_advertiser_free(self->advertiser);
	pxf_mtftp_config_free(self->config);
	g_free(self->slots);
	g_free(self->recv_buf);
	g_free(self);
}

guint
pxf_mtftp_server_get_n_listeners(PxfMtftpServer *self)
{
	return self->listeners->len;
}

guint
pxf_mtftp_server_get_n_streams(PxfMtftpServer *self)
{
	guint n = 0;

	/* a PXE channel between two streams has no stream */
	for (guint i = 0; i < self->casts->len; i++) {
		PxfMtftpCast *cast = g_ptr_array_index(self->casts, i);
		if (pxf_mtftp_session_get_stream(cast->session) != NULL)
			n++;
	}
	return n;
}
