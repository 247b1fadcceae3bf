/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inside the server: the structures its three files share. A session is
 * one control connection; pxf-ftp-session.c moves its bytes, and
 * pxf-ftp-commands.c decides what each command does. */
#pragma once

#include <sys/stat.h>

#include "pxf-ftp-command.h"
#include "pxf-ftp-data.h"
#include "pxf-ftp-list.h"
#include "pxf-ftp-server.h"

G_BEGIN_DECLS

/* control input read at a time, and kept while a transfer runs */
#define PXF_FTP_INBUF 4096
/* commands queued behind a running transfer */
#define PXF_FTP_PENDING_MAX 16
/* replies buffered before the session stops reading commands */
#define PXF_FTP_OUT_HIGH 65536
/* seconds a closing session may take to deliver its last reply */
#define PXF_FTP_LINGER 5

struct _PxfFtpServer {
	PxfFtpLimits limits;
	gchar *passive_address;
	PxfFtpFs *fs;
	PxfFtpHandler handler;
	gpointer user_data;
	GSocketService *service;
	guint n_sockets;
	GHashTable *sessions; /* PxfFtpSession* → itself, owned */
	GSource *tick;
	guint64 next_id;
};

struct _PxfFtpSession {
	PxfFtpServer *server;
	guint64 id;
	GSocketConnection *connection;
	GSocket *socket;
	GInetSocketAddress *peer;
	GInetSocketAddress *local;
	gchar *peer_ip;
	gchar *who; /* "ip:port" for the log */
	GSource *read_source;
	GSource *write_source;
	GSource *process_source;
	guint8 inbuf[PXF_FTP_INBUF];
	gsize in_len;
	gsize in_pos;
	PxfFtpLineReader reader;
	GByteArray *out;
	GQueue pending; /* PxfFtpCommand*, received while busy */
	gint64 connected;
	gint64 last_activity;
	gint64 closing_since;
	gboolean closing;

	/* protocol state */
	gboolean user_ok;
	gboolean logged_in;
	gboolean epsv_all;
	gboolean ascii;
	gchar *cwd;
	guint64 rest;
	PxfFtpFacts facts;
	PxfFtpData *data;

	/* the transfer under way */
	gboolean busy;
	gboolean xfer_is_file;
	gchar *xfer_path;    /* relative, for the handler; or the listed vpath */
	gchar *xfer_opening; /* the 150 text */
	guint64 xfer_offset;
	guint64 xfer_total;
	gint64 xfer_started;

	gpointer user_data;
	GDestroyNotify user_destroy;
};

PxfFtpSession *pxf_ftp_session_new(PxfFtpServer *server, GSocketConnection *connection);
void pxf_ftp_session_free(PxfFtpSession *self);
/* Called about once a second; FALSE when the session closed (and is freed). */
gboolean pxf_ftp_session_tick(PxfFtpSession *self, gint64 now);
/* Queues a reply "CODE text\r\n". */
void pxf_ftp_session_reply(PxfFtpSession *self, guint code, const gchar *format, ...)
	G_GNUC_PRINTF(3, 4);
/* Queues text as it is (multi-line replies, already CRLF-terminated). */
void pxf_ftp_session_reply_raw(PxfFtpSession *self, const gchar *text);
/* Runs the command processing again from the main loop (after a transfer). */
void pxf_ftp_session_schedule(PxfFtpSession *self);
/* Closes after the queued replies went out (QUIT). */
void pxf_ftp_session_close_later(PxfFtpSession *self);

/* pxf-ftp-commands.c: one command, and ABOR/QUIT while a transfer runs. */
void pxf_ftp_session_execute(PxfFtpSession *self, PxfFtpCommand *cmd);
void pxf_ftp_session_execute_busy(PxfFtpSession *self, PxfFtpCommand *cmd);

/* pxf-ftp-files.c */
/* An argument for a log line: escaped, at most about 200 bytes. */
gchar *pxf_ftp_shown(const gchar *arg);
/* Answers a failed look-up (550, 501 or 451) and logs it, refusals as warnings. */
void pxf_ftp_session_refuse(PxfFtpSession *self, const PxfFtpCommand *cmd, const GError *error);
/* The virtual path arg names, the distro mounts brought up to date first;
 * NULL once the refusal is answered. */
gchar *pxf_ftp_session_resolve(PxfFtpSession *self, const PxfFtpCommand *cmd, const gchar *arg);
/* stat of vpath; FALSE once the refusal is answered. */
gboolean pxf_ftp_session_stat(PxfFtpSession *self,
			      const PxfFtpCommand *cmd,
			      const gchar *vpath,
			      struct stat *st);
/* Ends the transfer under way (ABOR, closing): no handler calls. */
void pxf_ftp_session_abort_transfer(PxfFtpSession *self);
void pxf_ftp_cmd_pasv(PxfFtpSession *self);
void pxf_ftp_cmd_epsv(PxfFtpSession *self, const gchar *arg);
void pxf_ftp_cmd_retr(PxfFtpSession *self, const PxfFtpCommand *cmd);
/* LIST, NLST and MLSD */
void pxf_ftp_cmd_list(PxfFtpSession *self, const PxfFtpCommand *cmd);
void pxf_ftp_cmd_mlst(PxfFtpSession *self, const PxfFtpCommand *cmd);
void pxf_ftp_cmd_size_mdtm(PxfFtpSession *self, const PxfFtpCommand *cmd);

/* pxf-ftp-server.c */
void pxf_ftp_server_remove_session(PxfFtpServer *self, PxfFtpSession *session);

G_END_DECLS
