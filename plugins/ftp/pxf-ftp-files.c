/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The commands that touch files: passive data connections, RETR and the
 * listings, SIZE, MDTM and MLST, and the transfers they start. Every reply
 * text is fixed or made of validated paths and numbers, and no server-side
 * path is ever shown to a client. */
#define G_LOG_DOMAIN "pxf-ftp"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxf-ftp-path.h"
#include "pxf-ftp-session.h"

/* An argument for a log line: escaped, at most about 200 bytes. */
gchar *
pxf_ftp_shown(const gchar *arg)
{
	g_autofree gchar *cut = g_strndup(arg != NULL ? arg : "", 200);
	return g_strescape(cut, NULL);
}

void
pxf_ftp_session_refuse(PxfFtpSession *self, const PxfFtpCommand *cmd, const GError *error)
{
	g_autofree gchar *shown = pxf_ftp_shown(cmd->arg);

	if (g_error_matches(error, PXF_FTP_ERROR, PXF_FTP_ERROR_DENIED)) {
		g_warning("refusing %s \"%s\" from %s: %s", cmd->verb, shown, self->peer_ip,
			  error->message);
		pxf_ftp_session_reply(self, 550, "Permission denied.");
	} else if (g_error_matches(error, PXF_FTP_ERROR, PXF_FTP_ERROR_NOT_FOUND)) {
		g_debug("%s \"%s\" from %s: %s", cmd->verb, shown, self->peer_ip, error->message);
		pxf_ftp_session_reply(self, 550, "No such file or directory.");
	} else if (g_error_matches(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT)) {
		g_message("refusing %s \"%s\" from %s: %s", cmd->verb, shown, self->peer_ip,
			  error->message);
		pxf_ftp_session_reply(self, 501, "Invalid path: %s.", error->message);
	} else {
		g_warning("%s \"%s\" from %s: %s", cmd->verb, shown, self->peer_ip, error->message);
		pxf_ftp_session_reply(self, 451, "Local error.");
	}
}

/* The virtual path arg names, the distro mounts brought up to date first;
 * NULL once the refusal is answered. */
gchar *
pxf_ftp_session_resolve(PxfFtpSession *self, const PxfFtpCommand *cmd, const gchar *arg)
{
	g_autoptr(GError) error = NULL;
	PxfFtpServer *server = self->server;
	gchar *vpath;

	if (server->handler.refresh != NULL)
		server->handler.refresh(server->fs, server->user_data);
	vpath = pxf_ftp_path_resolve(self->cwd, arg, &error);
	if (vpath == NULL)
		pxf_ftp_session_refuse(self, cmd, error);
	return vpath;
}

gboolean
pxf_ftp_session_stat(PxfFtpSession *self,
		     const PxfFtpCommand *cmd,
		     const gchar *vpath,
		     struct stat *st)
{
	g_autoptr(GError) error = NULL;

	if (pxf_ftp_fs_stat(self->server->fs, vpath, st, &error))
		return TRUE;
	pxf_ftp_session_refuse(self, cmd, error);
	return FALSE;
}

/* ---- transfers ---------------------------------------------------------------------- */

static void
pxf_ftp_session_xfer_clear(PxfFtpSession *self)
{
	self->busy = FALSE;
	g_clear_pointer(&self->xfer_path, g_free);
	g_clear_pointer(&self->xfer_opening, g_free);
}

void
pxf_ftp_session_abort_transfer(PxfFtpSession *self)
{
	if (!self->busy)
		return;
	g_info("session %s: transfer of %s aborted", self->who, self->xfer_path);
	if (self->data != NULL)
		pxf_ftp_data_abort(self->data);
	g_clear_pointer(&self->data, pxf_ftp_data_free);
	pxf_ftp_session_xfer_clear(self);
}

static void
pxf_ftp_xfer_connected(gpointer user_data)
{
	PxfFtpSession *self = user_data;
	pxf_ftp_session_reply(self, 150, "%s", self->xfer_opening);
}

static void
pxf_ftp_xfer_progress(guint64 done, gpointer user_data)
{
	PxfFtpSession *self = user_data;
	PxfFtpServer *server = self->server;

	self->last_activity = g_get_monotonic_time();
	if (self->xfer_is_file && server->handler.progress != NULL)
		server->handler.progress(self, self->xfer_path, self->xfer_offset + done,
					 self->xfer_total, server->user_data);
}

static void
pxf_ftp_xfer_done(PxfFtpDataResult result, const gchar *detail, gpointer user_data)
{
	PxfFtpSession *self = user_data;
	PxfFtpServer *server = self->server;
	guint64 done = self->data != NULL ? pxf_ftp_data_get_done(self->data) : 0;
	gdouble secs = (gdouble)(g_get_monotonic_time() - self->xfer_started) / G_USEC_PER_SEC;
	const gchar *what = self->xfer_is_file ? "RETR" : "listing of";

	/* the data object has finished with itself: done() is its last word */
	g_clear_pointer(&self->data, pxf_ftp_data_free);
	self->last_activity = g_get_monotonic_time();
	switch (result) {
	case PXF_FTP_DATA_OK:
		g_debug("%s %s from %s: 226, %" G_GUINT64_FORMAT " bytes in %.3f s", what,
			self->xfer_path, self->peer_ip, done, secs);
		pxf_ftp_session_reply(self, 226,
				      self->xfer_is_file ? "Transfer complete."
							 : "Directory send OK.");
		if (self->xfer_is_file && server->handler.progress != NULL)
			server->handler.progress(self, self->xfer_path, self->xfer_offset + done,
						 self->xfer_total, server->user_data);
		if (self->xfer_is_file && server->handler.served != NULL)
			server->handler.served(self, self->xfer_path, done, server->user_data);
		break;
	case PXF_FTP_DATA_NO_CONNECTION:
		g_message("%s %s from %s: %s", what, self->xfer_path, self->peer_ip, detail);
		pxf_ftp_session_reply(self, 425, "Failed to establish the data connection.");
		break;
	case PXF_FTP_DATA_STALLED:
		g_message("%s %s from %s: %s after %" G_GUINT64_FORMAT " bytes", what,
			  self->xfer_path, self->peer_ip, detail, done);
		pxf_ftp_session_reply(self, 426, "Data connection timed out; transfer aborted.");
		break;
	case PXF_FTP_DATA_CLOSED:
		g_info("%s %s from %s: the client closed the data connection after "
		       "%" G_GUINT64_FORMAT " bytes: %s",
		       what, self->xfer_path, self->peer_ip, done, detail);
		pxf_ftp_session_reply(self, 426, "Connection closed; transfer aborted.");
		break;
	case PXF_FTP_DATA_READ_ERROR:
	default:
		g_warning("%s %s from %s: %s", what, self->xfer_path, self->peer_ip, detail);
		pxf_ftp_session_reply(self, 451, "Local error reading the file; transfer aborted.");
		break;
	}
	pxf_ftp_session_xfer_clear(self);
	/* commands that came in meanwhile run from the main loop */
	pxf_ftp_session_schedule(self);
}

static const PxfFtpDataCallbacks pxf_ftp_xfer_callbacks = {
	.connected = pxf_ftp_xfer_connected,
	.progress = pxf_ftp_xfer_progress,
	.done = pxf_ftp_xfer_done,
};

/* fd (owned) or bytes. */
static void
pxf_ftp_session_start(PxfFtpSession *self,
		      gboolean is_file,
		      const gchar *path,
		      gchar *opening,
		      gint fd,
		      guint64 offset,
		      guint64 total,
		      GBytes *bytes)
{
	self->busy = TRUE;
	self->xfer_is_file = is_file;
	self->xfer_path = g_strdup(path);
	self->xfer_opening = opening;
	self->xfer_offset = offset;
	self->xfer_total = total;
	self->xfer_started = g_get_monotonic_time();
	pxf_ftp_data_send(self->data, fd, offset, total - offset, bytes, is_file && self->ascii,
			  &pxf_ftp_xfer_callbacks, self);
}

static gboolean
pxf_ftp_session_has_data(PxfFtpSession *self)
{
	if (self->data != NULL)
		return TRUE;
	pxf_ftp_session_reply(self, 425, "Use PASV or EPSV first.");
	return FALSE;
}

/* ---- passive mode ------------------------------------------------------------------- */

static gboolean
pxf_ftp_session_open_passive(PxfFtpSession *self)
{
	g_autoptr(GError) error = NULL;
	const PxfFtpLimits *limits = &self->server->limits;

	g_clear_pointer(&self->data, pxf_ftp_data_free);
	self->data = pxf_ftp_data_new_passive(g_inet_socket_address_get_address(self->local),
					      g_inet_socket_address_get_address(self->peer),
					      limits->passive_min, limits->passive_max, &error);
	if (self->data != NULL)
		return TRUE;
	g_warning("session %s: no passive port: %s", self->who, error->message);
	pxf_ftp_session_reply(self, 425, "Cannot open a passive port.");
	return FALSE;
}

void
pxf_ftp_cmd_pasv(PxfFtpSession *self)
{
	g_autoptr(GInetAddress) announced = NULL;
	const guint8 *b;
	guint16 port;

	if (self->epsv_all) {
		pxf_ftp_session_reply(self, 503, "PASV is not allowed after EPSV ALL.");
		return;
	}
	if (self->server->passive_address != NULL)
		announced = g_inet_address_new_from_string(self->server->passive_address);
	else
		announced = g_object_ref(g_inet_socket_address_get_address(self->local));
	if (announced == NULL || g_inet_address_get_family(announced) != G_SOCKET_FAMILY_IPV4) {
		pxf_ftp_session_reply(self, 425, "PASV needs IPv4; use EPSV.");
		return;
	}
	if (!pxf_ftp_session_open_passive(self))
		return;
	b = g_inet_address_to_bytes(announced);
	port = pxf_ftp_data_get_port(self->data);
	pxf_ftp_session_reply(self, 227, "Entering Passive Mode (%u,%u,%u,%u,%u,%u).", b[0], b[1],
			      b[2], b[3], (guint)(port >> 8), (guint)(port & 0xff));
}

void
pxf_ftp_cmd_epsv(PxfFtpSession *self, const gchar *arg)
{
	GSocketFamily family =
		g_inet_address_get_family(g_inet_socket_address_get_address(self->local));
	const gchar *ours = family == G_SOCKET_FAMILY_IPV6 ? "2" : "1";

	if (arg != NULL && g_ascii_strcasecmp(arg, "ALL") == 0) {
		self->epsv_all = TRUE;
		pxf_ftp_session_reply(self, 200, "EPSV ALL ok.");
		return;
	}
	if (arg != NULL && g_strcmp0(arg, ours) != 0) {
		pxf_ftp_session_reply(self, 522, "Network protocol not supported, use (%s).", ours);
		return;
	}
	if (!pxf_ftp_session_open_passive(self))
		return;
	pxf_ftp_session_reply(self, 229, "Entering Extended Passive Mode (|||%u|).",
			      pxf_ftp_data_get_port(self->data));
}

/* ---- files and listings ------------------------------------------------------------- */

/* file.open for vpath (not "/"): what the pipeline says before the trees. */
static PxfFtpOpenResult
pxf_ftp_session_open_hook(PxfFtpSession *self,
			  const gchar *vpath,
			  GBytes **content,
			  gchar **local_path)
{
	PxfFtpServer *server = self->server;

	if (server->handler.open == NULL || g_strcmp0(vpath, "/") == 0)
		return PXF_FTP_OPEN_CONTINUE;
	return server->handler.open(self, vpath + 1, content, local_path, server->user_data);
}

/* A file a file.open callback named: trusted, but it must be a regular file. */
static gint
pxf_ftp_open_local(PxfFtpSession *self,
		   const gchar *vpath,
		   const gchar *local_path,
		   struct stat *st)
{
	gint fd = open(local_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd >= 0 && fstat(fd, st) == 0 && S_ISREG(st->st_mode))
		return fd;
	g_warning("%s from %s: file.open named %s, which %s", vpath, self->peer_ip, local_path,
		  fd < 0 ? g_strerror(errno) : "is not a regular file");
	if (fd >= 0)
		close(fd);
	pxf_ftp_session_reply(self, 550, "No such file or directory.");
	return -1;
}

void
pxf_ftp_cmd_retr(PxfFtpSession *self, const PxfFtpCommand *cmd)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) content = NULL;
	g_autofree gchar *local_path = NULL;
	g_autofree gchar *vpath = NULL;
	guint64 offset = self->rest;
	guint64 size;
	struct stat st;
	gint fd = -1;

	self->rest = 0;
	if (!pxf_ftp_session_has_data(self))
		return;
	vpath = pxf_ftp_session_resolve(self, cmd, cmd->arg);
	if (vpath == NULL)
		return;
	if (g_strcmp0(vpath, "/") == 0) {
		pxf_ftp_session_reply(self, 550, "Not a regular file.");
		return;
	}
	switch (pxf_ftp_session_open_hook(self, vpath, &content, &local_path)) {
	case PXF_FTP_OPEN_DROP:
		g_debug("RETR %s from %s: refused by file.open", vpath, self->peer_ip);
		pxf_ftp_session_reply(self, 550, "No such file or directory.");
		return;
	case PXF_FTP_OPEN_CONTENT:
		size = g_bytes_get_size(content);
		break;
	case PXF_FTP_OPEN_LOCAL:
		fd = pxf_ftp_open_local(self, vpath, local_path, &st);
		if (fd < 0)
			return;
		size = (guint64)st.st_size;
		break;
	case PXF_FTP_OPEN_CONTINUE:
	default:
		fd = pxf_ftp_fs_open_file(self->server->fs, vpath, &st, &error);
		if (fd < 0) {
			pxf_ftp_session_refuse(self, cmd, error);
			return;
		}
		size = (guint64)st.st_size;
		break;
	}
	if (offset > size) {
		if (fd >= 0)
			close(fd);
		pxf_ftp_session_reply(
			self, 554,
			"Invalid REST parameter: the file has %" G_GUINT64_FORMAT " bytes.", size);
		return;
	}
	pxf_ftp_session_start(
		self, TRUE, vpath + 1,
		g_strdup_printf("Opening %s mode data connection for %s (%" G_GUINT64_FORMAT
				" bytes).",
				self->ascii ? "ASCII" : "BINARY", vpath, size),
		fd, offset, size, content);
}

/* LIST and NLST take ls options ("-la") before the path; they are ignored. */
static const gchar *
pxf_ftp_skip_options(const gchar *arg)
{
	while (arg != NULL && arg[0] == '-') {
		const gchar *space = strchr(arg, ' ');
		arg = space != NULL ? space + 1 : NULL;
		while (arg != NULL && *arg == ' ')
			arg++;
	}
	return arg != NULL && arg[0] != '\0' ? arg : NULL;
}

static void
pxf_ftp_listing_append(GString *out,
		       PxfFtpCommandId id,
		       PxfFtpFacts facts,
		       const gchar *name,
		       const struct stat *st,
		       time_t now)
{
	if (id == PXF_FTP_CMD_LIST) {
		pxf_ftp_list_append_line(out, name, st, now);
	} else if (id == PXF_FTP_CMD_MLSD) {
		pxf_ftp_facts_append(out, facts, NULL, name, st);
		g_string_append(out, "\r\n");
	} else {
		g_string_append_printf(out, "%s\r\n", name);
	}
}

void
pxf_ftp_cmd_list(PxfFtpSession *self, const PxfFtpCommand *cmd)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *vpath = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	const gchar *arg = cmd->id == PXF_FTP_CMD_MLSD ? cmd->arg : pxf_ftp_skip_options(cmd->arg);
	time_t now = (time_t)(g_get_real_time() / G_USEC_PER_SEC);
	struct stat st;

	self->rest = 0;
	if (!pxf_ftp_session_has_data(self))
		return;
	vpath = pxf_ftp_session_resolve(self, cmd, arg);
	if (vpath == NULL || !pxf_ftp_session_stat(self, cmd, vpath, &st))
		return;
	if (S_ISDIR(st.st_mode)) {
		gboolean truncated = FALSE;
		g_autoptr(GPtrArray) entries = pxf_ftp_fs_list_dir(
			self->server->fs, vpath, self->server->limits.max_list, &truncated, &error);
		if (entries == NULL) {
			pxf_ftp_session_refuse(self, cmd, error);
			return;
		}
		if (truncated)
			g_warning("%s %s from %s: more than %u entries; the rest is left out",
				  cmd->verb, vpath, self->peer_ip, self->server->limits.max_list);
		for (guint i = 0; i < entries->len; i++) {
			const PxfFtpEntry *entry = g_ptr_array_index(entries, i);
			pxf_ftp_listing_append(out, cmd->id, self->facts, entry->name, &entry->st,
					       now);
		}
	} else if (cmd->id == PXF_FTP_CMD_MLSD) {
		pxf_ftp_session_reply(self, 501, "Not a directory; use MLST.");
		return;
	} else {
		g_autofree gchar *base = g_path_get_basename(vpath);
		pxf_ftp_listing_append(out, cmd->id, self->facts, base, &st, now);
	}
	{
		gsize len = out->len;
		g_autoptr(GBytes) bytes = g_string_free_to_bytes(g_steal_pointer(&out));
		pxf_ftp_session_start(self, FALSE, vpath,
				      g_strdup("Here comes the directory listing."), -1, 0, len,
				      bytes);
	}
}

void
pxf_ftp_cmd_mlst(PxfFtpSession *self, const PxfFtpCommand *cmd)
{
	g_autofree gchar *vpath = pxf_ftp_session_resolve(self, cmd, cmd->arg);
	g_autoptr(GString) out = g_string_new(NULL);
	struct stat st;

	if (vpath == NULL || !pxf_ftp_session_stat(self, cmd, vpath, &st))
		return;
	g_string_append_printf(out, "250-Listing %s\r\n ", vpath);
	pxf_ftp_facts_append(out, self->facts, NULL, vpath, &st);
	g_string_append(out, "\r\n250 End.\r\n");
	pxf_ftp_session_reply_raw(self, out->str);
}

/* SIZE and MDTM describe what RETR would send: file.open first. */
void
pxf_ftp_cmd_size_mdtm(PxfFtpSession *self, const PxfFtpCommand *cmd)
{
	g_autoptr(GBytes) content = NULL;
	g_autofree gchar *local_path = NULL;
	g_autofree gchar *vpath = NULL;
	struct stat st;
	gint fd;

	if (cmd->id == PXF_FTP_CMD_SIZE && self->ascii) {
		pxf_ftp_session_reply(self, 550,
				      "SIZE is not available in ASCII mode; use TYPE I.");
		return;
	}
	vpath = pxf_ftp_session_resolve(self, cmd, cmd->arg);
	if (vpath == NULL)
		return;
	switch (pxf_ftp_session_open_hook(self, vpath, &content, &local_path)) {
	case PXF_FTP_OPEN_DROP:
		pxf_ftp_session_reply(self, 550, "No such file or directory.");
		return;
	case PXF_FTP_OPEN_CONTENT:
		if (cmd->id == PXF_FTP_CMD_SIZE)
			pxf_ftp_session_reply(self, 213, "%" G_GSIZE_FORMAT,
					      g_bytes_get_size(content));
		else
			pxf_ftp_session_reply(self, 550, "No modification time for this file.");
		return;
	case PXF_FTP_OPEN_LOCAL:
		fd = pxf_ftp_open_local(self, vpath, local_path, &st);
		if (fd < 0)
			return;
		close(fd);
		break;
	case PXF_FTP_OPEN_CONTINUE:
	default:
		if (!pxf_ftp_session_stat(self, cmd, vpath, &st))
			return;
		break;
	}
	if (cmd->id == PXF_FTP_CMD_SIZE) {
		if (!S_ISREG(st.st_mode))
			pxf_ftp_session_reply(self, 550, "Not a regular file.");
		else
			pxf_ftp_session_reply(self, 213, "%" G_GUINT64_FORMAT, (guint64)st.st_size);
	} else {
		gchar buf[15];
		pxf_ftp_time_val(st.st_mtime, buf);
		pxf_ftp_session_reply(self, 213, "%s", buf);
	}
}
