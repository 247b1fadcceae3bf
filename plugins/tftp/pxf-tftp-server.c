/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-tftp"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pxf-tftp-listen.h"
#include "pxf-tftp-path.h"
#include "pxf-tftp-server.h"
#include "pxf-tftp-transfer.h"

/* The largest UDP payload; requests are read into a buffer this big so that
 * an oversized one is seen whole and refused, not truncated into another. */
#define PXF_TFTP_RECV_MAX 65536
/* Requests one wake-up of a listening socket reads before yielding. */
#define PXF_TFTP_LISTEN_BURST 32

typedef struct {
	PxfTftpServer *server;
	GSocket *socket; /* owned by the core; we hold a reference */
	GSource *source;
	GInetSocketAddress *local;	  /* what requests arrive on */
	struct sockaddr_storage any_port; /* local with port 0: transfer sockets bind it */
	socklen_t any_port_len;
	gchar *name;
} PxfTftpListener;

/* What the server knows about one transfer besides its protocol state. */
typedef struct {
	PxfTftpServer *server;
	PxfTftpListener *listener;
	PxfTftpTransfer *transfer;
	gchar *key;	      /* the client's address and port: one transfer per client TID */
	gchar *path;	      /* sanitised */
	GBytes *request;      /* the RRQ as it came, to recognise a retransmission */
	PxfClientSlot client; /* who asks, for the whole transfer (keeps its host) */
	gboolean has_client;
	guint64 size;
} PxfTftpJob;

struct _PxfTftpServer {
	PxfPluginContext *ctx;
	GMainContext *main_context;
	gchar *root;
	guint blksize_max;
	guint timeout;
	guint retries;
	guint max_transfers;
	GPtrArray *listeners; /* PxfTftpListener */
	GHashTable *jobs;     /* key → PxfTftpJob, owned */
	guint8 *recv_buf;
};

static void
pxf_tftp_job_free(PxfTftpJob *job)
{
	pxf_tftp_transfer_free(job->transfer);
	if (job->has_client)
		pxf_client_clear(&job->client);
	g_clear_pointer(&job->request, g_bytes_unref);
	g_free(job->key);
	g_free(job->path);
	g_free(job);
}

static void
pxf_tftp_listener_free(PxfTftpListener *listener)
{
	if (listener->source != NULL) {
		g_source_destroy(listener->source);
		g_source_unref(listener->source);
	}
	g_clear_object(&listener->socket);
	g_clear_object(&listener->local);
	g_free(listener->name);
	g_free(listener);
}

/* A socket of our own on the listener's address, any port: the transfer ID
 * of a transfer, or the source of an early ERROR (RFC 1350 has every answer
 * come from a new port, and some clients insist). */
static gint
pxf_tftp_listener_open_socket(PxfTftpListener *listener, GError **error)
{
	gint fd =
		socket(listener->any_port.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		gint errsv = errno;
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errsv), "socket: %s",
			    g_strerror(errsv));
		return -1;
	}
	if (bind(fd, (const struct sockaddr *)&listener->any_port, listener->any_port_len) != 0) {
		gint errsv = errno;
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errsv), "binding %s: %s",
			    listener->name, g_strerror(errsv));
		close(fd);
		return -1;
	}
	return fd;
}

static void
pxf_tftp_listener_reply_error(PxfTftpListener *listener,
			      const struct sockaddr *peer,
			      socklen_t peer_len,
			      guint16 code,
			      const gchar *message)
{
	gint fd = pxf_tftp_listener_open_socket(listener, NULL);

	/* out of descriptors: the listening socket still gets the word out */
	if (fd < 0) {
		pxf_tftp_send_error(g_socket_get_fd(listener->socket), peer, peer_len, code,
				    message);
		return;
	}
	pxf_tftp_send_error(fd, peer, peer_len, code, message);
	close(fd);
}

static void
pxf_tftp_job_done(PxfTftpTransfer *transfer, gboolean ok, gpointer user_data)
{
	PxfTftpJob *job = user_data;
	PxfTftpServer *self = job->server;
	PxfTftpXfer *xfer = pxf_tftp_transfer_get_xfer(transfer);
	gint64 elapsed = pxf_tftp_transfer_get_elapsed(transfer);

	if (ok) {
		g_debug("client %s: sent %s, %" G_GUINT64_FORMAT " bytes in %" G_GUINT64_FORMAT
			" blocks of %u in %.3f s",
			job->key, job->path, pxf_tftp_xfer_get_bytes(xfer),
			pxf_tftp_xfer_get_block(xfer), pxf_tftp_xfer_get_blksize(xfer),
			(gdouble)elapsed / G_USEC_PER_SEC);
		pxf_plugin_context_report_transfer(self->ctx, &job->client.pub, job->path,
						   pxf_tftp_xfer_get_bytes(xfer), job->size);
		pxf_plugin_context_emit_host_event(self->ctx, &job->client.pub, job->client.pub.mac,
						   PXF_HOST_EVENT_FILE_SERVED, job->path,
						   pxf_tftp_xfer_get_bytes(xfer));
	} else if (pxf_tftp_xfer_get_client_error(xfer)) {
		/* routine: PXE ROMs ask for tsize, then abort and ask again */
		g_info("client %s: stopped the transfer of %s after %" G_GUINT64_FORMAT
		       " of %" G_GUINT64_FORMAT " bytes: %s",
		       job->key, job->path, pxf_tftp_xfer_get_bytes(xfer), job->size,
		       pxf_tftp_xfer_get_failure(xfer));
	} else {
		const gchar *mac = job->client.pub.mac;
		g_warning("client %s%s%s: transfer of %s failed after %" G_GUINT64_FORMAT
			  " of %" G_GUINT64_FORMAT " bytes: %s",
			  job->key, mac != NULL ? " " : "", mac != NULL ? mac : "", job->path,
			  pxf_tftp_xfer_get_bytes(xfer), job->size,
			  pxf_tftp_xfer_get_failure(xfer));
	}
	g_hash_table_remove(self->jobs, job->key);
}

static void
pxf_tftp_job_progress(PxfTftpTransfer *transfer, gpointer user_data)
{
	PxfTftpJob *job = user_data;
	pxf_plugin_context_report_transfer(
		job->server->ctx, &job->client.pub, job->path,
		pxf_tftp_xfer_get_bytes(pxf_tftp_transfer_get_xfer(transfer)), job->size);
}

/* What to serve for path: a transfer reading it, or an error for the client
 * with the reason for the log. */
static PxfTftpXfer *
pxf_tftp_server_open(PxfTftpServer *self,
		     PxfTftpJob *job,
		     const PxfTftpRequest *req,
		     GError **error)
{
	PxfFileOpenArgs args = {.client = NULL};
	g_auto(PxfTftpNegotiation) neg = {0};
	PxfVerdict verdict;
	GBytes *content = NULL;
	gint fd = -1;

	args.client = &job->client.pub;
	args.path = job->path;
	verdict = pxf_plugin_context_open_file(self->ctx, &args);
	if (verdict == PXF_VERDICT_DROP) {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_NOT_FOUND,
			    "%s: refused by a file.open callback", job->path);
	} else if (verdict == PXF_VERDICT_SKIP && args.content != NULL) {
		content = g_bytes_ref(args.content);
		job->size = g_bytes_get_size(content);
	} else if (verdict == PXF_VERDICT_SKIP && args.local_path != NULL) {
		fd = pxf_tftp_path_open_file(args.local_path, &job->size, error);
	} else if (verdict == PXF_VERDICT_SKIP) {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_NOT_FOUND,
			    "%s: a file.open callback answered without content or a file",
			    job->path);
	} else {
		fd = pxf_tftp_path_open_under(self->root, job->path, &job->size, error);
	}
	g_clear_pointer(&args.content, g_bytes_unref);
	g_clear_pointer(&args.local_path, g_free);
	if (content == NULL && fd < 0)
		return NULL;

	pxf_tftp_negotiate(req, self->blksize_max, self->timeout, job->size, &neg);
	if (content != NULL) {
		PxfTftpXfer *xfer = pxf_tftp_xfer_new_for_bytes(&neg, self->retries, content);
		g_bytes_unref(content);
		return xfer;
	}
	return pxf_tftp_xfer_new_for_fd(&neg, self->retries, fd);
}

static void
pxf_tftp_server_refuse(PxfTftpListener *listener,
		       const struct sockaddr *peer,
		       socklen_t peer_len,
		       const gchar *who,
		       const gchar *shown_path,
		       const GError *error)
{
	/* the log gets the details, the client the standard text of the code
	 * (no server paths on the wire) or, for malformed requests, what is wrong */
	if (shown_path == NULL)
		g_message("client %s: malformed request: %s", who, error->message);
	else if (error->code == PXF_TFTP_ERROR_ACCESS)
		g_warning("client %s: refused '%s': %s", who, shown_path, error->message);
	else
		g_message("client %s: '%s': %s", who, shown_path, error->message);
	pxf_tftp_listener_reply_error(listener, peer, peer_len, (guint16)error->code,
				      error->code == PXF_TFTP_ERROR_ILLEGAL_OP ||
						      error->code == PXF_TFTP_ERROR_UNDEFINED
					      ? error->message
					      : NULL);
}

static void
pxf_tftp_server_handle_request(PxfTftpListener *listener,
			       const guint8 *buf,
			       gsize len,
			       const struct sockaddr *peer,
			       socklen_t peer_len)
{
	PxfTftpServer *self = listener->server;
	g_autofree gchar *who = pxf_tftp_sockaddr_to_string(peer, peer_len);
	g_autofree gchar *shown = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(PxfTftpRequest) req = {0};
	g_autoptr(GSocketAddress) peer_addr = NULL;
	PxfTftpXfer *xfer;
	PxfTftpJob *job;
	PxfTftpJob *existing;
	guint16 opcode = pxf_tftp_packet_get_opcode(buf, len);
	gint fd;

	/* never answer an ERROR (two servers could bounce them forever) */
	if (opcode == PXF_TFTP_OP_ERROR || len < 2)
		return;
	if (!pxf_tftp_request_parse(&req, buf, len, &error)) {
		pxf_tftp_server_refuse(listener, peer, peer_len, who, NULL, error);
		return;
	}
	shown = pxf_tftp_escape(req.filename);
	if (req.opcode == PXF_TFTP_OP_WRQ) {
		g_set_error_literal(&error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ACCESS,
				    "write request (this server is read-only)");
		pxf_tftp_server_refuse(listener, peer, peer_len, who, shown, error);
		return;
	}

	/* a client repeats its RRQ when our first packet is late: the running
	 * transfer retransmits that packet itself, a second one would only race
	 * it. Any other request from the same port replaces the transfer, like
	 * a PXE ROM's real request right after aborting its tsize probe. */
	existing = g_hash_table_lookup(self->jobs, who);
	if (existing != NULL) {
		PxfTftpXfer *running = pxf_tftp_transfer_get_xfer(existing->transfer);
		gsize prev_len = 0;
		const guint8 *prev = g_bytes_get_data(existing->request, &prev_len);
		if (!pxf_tftp_xfer_has_progressed(running) && prev_len == len &&
		    memcmp(prev, buf, len) == 0) {
			g_debug("client %s: repeated request for '%s' ignored", who, shown);
			return;
		}
		g_message("client %s: new request for '%s' replaces its transfer of %s", who, shown,
			  existing->path);
		g_hash_table_remove(self->jobs, who);
	}
	if (g_hash_table_size(self->jobs) >= self->max_transfers) {
		g_warning("client %s: refused '%s': %u transfers are running (max_transfers)", who,
			  shown, g_hash_table_size(self->jobs));
		pxf_tftp_listener_reply_error(listener, peer, peer_len, PXF_TFTP_ERROR_UNDEFINED,
					      "Too many transfers");
		return;
	}

	job = g_new0(PxfTftpJob, 1);
	job->server = self;
	job->listener = listener;
	job->key = g_strdup(who);
	job->request = g_bytes_new(buf, len);
	peer_addr = g_socket_address_new_from_native((gpointer)peer, peer_len);
	if (!G_IS_INET_SOCKET_ADDRESS(peer_addr)) {
		pxf_tftp_job_free(job);
		return;
	}
	pxf_client_init(&job->client, self->ctx, "tftp", G_INET_SOCKET_ADDRESS(peer_addr),
			listener->local, NULL);
	job->has_client = TRUE;
	job->path = pxf_tftp_path_sanitise(req.filename, &error);
	if (job->path == NULL) {
		pxf_tftp_server_refuse(listener, peer, peer_len, who, shown, error);
		pxf_tftp_job_free(job);
		return;
	}
	xfer = pxf_tftp_server_open(self, job, &req, &error);
	if (xfer == NULL) {
		pxf_tftp_server_refuse(listener, peer, peer_len, who, shown, error);
		pxf_tftp_job_free(job);
		return;
	}
	fd = pxf_tftp_listener_open_socket(listener, &error);
	if (fd < 0) {
		g_warning("client %s: cannot serve '%s': %s", who, shown, error->message);
		pxf_tftp_listener_reply_error(listener, peer, peer_len, PXF_TFTP_ERROR_UNDEFINED,
					      "Server busy");
		pxf_tftp_xfer_free(xfer);
		pxf_tftp_job_free(job);
		return;
	}
	g_debug("client %s: RRQ '%s' (%s) → %s, %" G_GUINT64_FORMAT " bytes, blksize %u", who,
		shown, req.mode == PXF_TFTP_MODE_NETASCII ? "netascii" : "octet", job->path,
		job->size, pxf_tftp_xfer_get_blksize(xfer));
	job->transfer = pxf_tftp_transfer_new(self->main_context, fd, peer, peer_len, xfer,
					      self->recv_buf, PXF_TFTP_RECV_MAX,
					      pxf_tftp_job_progress, pxf_tftp_job_done, job);
	if (!pxf_tftp_transfer_start(job->transfer)) {
		g_warning("client %s: cannot serve %s: %s", who, job->path,
			  pxf_tftp_xfer_get_failure(xfer));
		pxf_tftp_job_free(job);
		return;
	}
	g_hash_table_insert(self->jobs, job->key, job);
	g_debug("client %s: transfer of %s started, %u running", who, job->path,
		g_hash_table_size(self->jobs));
}

static gboolean
pxf_tftp_listener_datagram(const guint8 *buf,
			   gsize len,
			   const struct sockaddr *peer,
			   socklen_t peer_len,
			   gpointer user_data)
{
	pxf_tftp_server_handle_request(user_data, buf, len, peer, peer_len);
	return TRUE;
}

static gboolean
pxf_tftp_listener_ready(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	PxfTftpListener *listener = user_data;

	pxf_tftp_receive_burst(g_socket_get_fd(socket), listener->server->recv_buf,
			       PXF_TFTP_RECV_MAX, PXF_TFTP_LISTEN_BURST, pxf_tftp_listener_datagram,
			       listener);
	return G_SOURCE_CONTINUE;
}

static gboolean
pxf_tftp_server_add_listener(PxfTftpServer *self, GSocket *socket, GError **error)
{
	g_autoptr(GSocketAddress) local = g_socket_get_local_address(socket, error);
	PxfTftpListener *listener;
	g_autofree gchar *addr = NULL;

	if (local == NULL)
		return FALSE;
	listener = g_new0(PxfTftpListener, 1);
	listener->server = self;
	listener->socket = g_object_ref(socket);
	listener->local = G_INET_SOCKET_ADDRESS(g_object_ref(local));
	listener->any_port_len = (socklen_t)g_socket_address_get_native_size(local);
	if (!g_socket_address_to_native(local, &listener->any_port, sizeof(listener->any_port),
					error)) {
		pxf_tftp_listener_free(listener);
		return FALSE;
	}
	if (listener->any_port.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&listener->any_port)->sin6_port = 0;
	else
		((struct sockaddr_in *)&listener->any_port)->sin_port = 0;
	addr = g_inet_address_to_string(g_inet_socket_address_get_address(listener->local));
	listener->name =
		g_strdup_printf("%s:%u", addr, g_inet_socket_address_get_port(listener->local));
	listener->source = g_socket_create_source(socket, G_IO_IN, NULL);
	g_source_set_callback(listener->source, G_SOURCE_FUNC(pxf_tftp_listener_ready), listener,
			      NULL);
	g_source_attach(listener->source, self->main_context);
	g_ptr_array_add(self->listeners, listener);
	return TRUE;
}

/* A transfer holds two descriptors (its socket and its file); a daemon left
 * at the usual soft limit of 1024 could not run max_transfers of them. */
static void
pxf_tftp_server_check_fd_limit(guint max_transfers)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)max_transfers * 2 + 64;
	rlim_t before;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= need)
		return;
	before = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
	if (rl.rlim_cur > before && setrlimit(RLIMIT_NOFILE, &rl) == 0)
		g_info("raised the open file limit from %lu to %lu for max_transfers %u",
		       (gulong)before, (gulong)rl.rlim_cur, max_transfers);
	else
		rl.rlim_cur = before;
	if (rl.rlim_cur < need)
		g_warning("max_transfers %u needs %lu open files, the limit is %lu; "
			  "requests beyond it are answered 'Server busy'",
			  max_transfers, (gulong)need, (gulong)rl.rlim_cur);
}

PxfTftpServer *
pxf_tftp_server_new(PxfPluginContext *ctx, GError **error)
{
	const PxfConfSection *config = pxf_plugin_context_get_config(ctx);
	g_autoptr(PxfTftpServer) self = g_new0(PxfTftpServer, 1);
	g_autoptr(GPtrArray) addresses = NULL;
	g_autoptr(GString) names = g_string_new(NULL);
	guint16 port = (guint16)pxf_conf_section_get_int(config, "port");

	self->ctx = ctx;
	self->main_context = g_main_context_ref_thread_default();
	self->root = g_strdup(pxf_conf_section_get_string(config, "root"));
	self->blksize_max = (guint)pxf_conf_section_get_int(config, "blksize_max");
	self->timeout = (guint)pxf_conf_section_get_int(config, "timeout");
	self->retries = (guint)pxf_conf_section_get_int(config, "retries");
	self->max_transfers = (guint)pxf_conf_section_get_int(config, "max_transfers");
	self->listeners = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_tftp_listener_free);
	self->jobs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					   (GDestroyNotify)pxf_tftp_job_free);
	self->recv_buf = g_malloc(PXF_TFTP_RECV_MAX);
	if (self->root == NULL || !g_path_is_absolute(self->root)) {
		g_autofree gchar *where = pxf_conf_section_where(config, "root");
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%s: root must be an absolute path", where);
		return NULL;
	}

	addresses = pxf_tftp_listen_get_addresses(ctx, config, FALSE, "TFTP", error);
	if (addresses == NULL)
		return NULL;
	for (guint i = 0; i < addresses->len; i++) {
		const gchar *address = addresses->pdata[i];
		GSocket *socket =
			pxf_plugin_context_bind(ctx, G_SOCKET_TYPE_DATAGRAM, address, port, error);
		if (socket == NULL)
			return NULL;
		if (!pxf_tftp_server_add_listener(self, socket, error))
			return NULL;
		g_string_append_printf(names, "%s%s", names->len > 0 ? ", " : "", address);
	}
	if (self->listeners->len == 0) {
		g_message("no interfaces or addresses to serve TFTP on; idle");
		return g_steal_pointer(&self);
	}
	if (!g_file_test(self->root, G_FILE_TEST_IS_DIR))
		g_warning("root %s is not a directory; only files from file.open callbacks "
			  "can be served",
			  self->root);
	pxf_tftp_server_check_fd_limit(self->max_transfers);
	g_message("serving %s on %s port %u (blksize up to %u, timeout %u s, %u retries, "
		  "up to %u transfers)",
		  self->root, names->str, port, self->blksize_max, self->timeout, self->retries,
		  self->max_transfers);
	return g_steal_pointer(&self);
}

void
pxf_tftp_server_stop(PxfTftpServer *self)
{
	GHashTableIter iter;
	gpointer value;
	guint n = g_hash_table_size(self->jobs);

	g_hash_table_iter_init(&iter, self->jobs);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		PxfTftpJob *job = value;
		pxf_tftp_transfer_abort(job->transfer, PXF_TFTP_ERROR_UNDEFINED,
					"Server shutting down");
	}
	g_hash_table_remove_all(self->jobs);
	g_ptr_array_set_size(self->listeners, 0);
	if (n > 0)
		g_message("stopped with %u transfers running", n);
}

void
pxf_tftp_server_free(PxfTftpServer *self)
{
	if (self == NULL)
		return;
	pxf_tftp_server_stop(self);
	g_ptr_array_unref(self->listeners);
	g_hash_table_unref(self->jobs);
	g_main_context_unref(self->main_context);
	g_free(self->recv_buf);
	g_free(self->root);
	g_free(self);
}

guint
pxf_tftp_server_get_n_listeners(PxfTftpServer *self)
{
	return self->listeners->len;
}

guint
pxf_tftp_server_get_n_transfers(PxfTftpServer *self)
{
	return g_hash_table_size(self->jobs);
}
