/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The FTP control channel as text: a line reader that undoes the Telnet
 * framing (RFC 959 section 4.1.4, RFC 854) and a parser that splits a line
 * into a known command and its argument. Neither needs a socket. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The ftp plugin's error domain. */
#define PXF_FTP_ERROR pxf_ftp_error_quark()
GQuark pxf_ftp_error_quark(void);

typedef enum {
	PXF_FTP_ERROR_FAILED,
	PXF_FTP_ERROR_SYNTAX,	 /* 500: not a command line */
	PXF_FTP_ERROR_ARGUMENT,	 /* 501: a bad argument */
	PXF_FTP_ERROR_DENIED,	 /* 550: refused (traversal, a symlink out, not a file) */
	PXF_FTP_ERROR_NOT_FOUND, /* 550: no such file or directory */
} PxfFtpError;

/* Longest command line kept, without its line end; longer lines are
 * discarded whole and answered 500. */
#define PXF_FTP_LINE_MAX 2048

typedef enum {
	PXF_FTP_LINE_NONE,     /* the input ran out inside a line */
	PXF_FTP_LINE_READY,    /* a line: pxf_ftp_line_reader_get_line() */
	PXF_FTP_LINE_TOO_LONG, /* a line longer than PXF_FTP_LINE_MAX ended; dropped */
} PxfFtpLineStatus;

typedef struct {
	guint8 buf[PXF_FTP_LINE_MAX];
	gsize len;
	guint8 telnet;	   /* where in a Telnet command the input is */
	gboolean overflow; /* the current line is too long: skipped up to its LF */
	gboolean ready;	   /* buf holds a complete line */
} PxfFtpLineReader;

void pxf_ftp_line_reader_init(PxfFtpLineReader *self);
/* Consumes data up to and including the end of one line (LF or CRLF), or
 * all of it; *consumed says how much. Telnet commands (IAC ...) are dropped,
 * IAC IAC is a 0xFF byte. */
PxfFtpLineStatus
pxf_ftp_line_reader_feed(PxfFtpLineReader *self, const guint8 *data, gsize len, gsize *consumed);
/* The line after PXF_FTP_LINE_READY, without its line end; valid until the
 * next feed. */
const guint8 *pxf_ftp_line_reader_get_line(PxfFtpLineReader *self, gsize *len);

typedef enum {
	PXF_FTP_CMD_UNKNOWN = 0,
	/* access */
	PXF_FTP_CMD_USER,
	PXF_FTP_CMD_PASS,
	PXF_FTP_CMD_ACCT,
	PXF_FTP_CMD_QUIT,
	PXF_FTP_CMD_REIN,
	/* information */
	PXF_FTP_CMD_SYST,
	PXF_FTP_CMD_FEAT,
	PXF_FTP_CMD_OPTS,
	PXF_FTP_CMD_HELP,
	PXF_FTP_CMD_STAT,
	PXF_FTP_CMD_NOOP,
	/* navigation */
	PXF_FTP_CMD_PWD,
	PXF_FTP_CMD_CWD,
	PXF_FTP_CMD_CDUP,
	/* transfer parameters */
	PXF_FTP_CMD_TYPE,
	PXF_FTP_CMD_MODE,
	PXF_FTP_CMD_STRU,
	PXF_FTP_CMD_PASV,
	PXF_FTP_CMD_EPSV,
	PXF_FTP_CMD_PORT,
	PXF_FTP_CMD_EPRT,
	PXF_FTP_CMD_REST,
	PXF_FTP_CMD_ALLO,
	/* reading */
	PXF_FTP_CMD_LIST,
	PXF_FTP_CMD_NLST,
	PXF_FTP_CMD_MLSD,
	PXF_FTP_CMD_MLST,
	PXF_FTP_CMD_RETR,
	PXF_FTP_CMD_SIZE,
	PXF_FTP_CMD_MDTM,
	PXF_FTP_CMD_ABOR,
	/* writing: always refused */
	PXF_FTP_CMD_STOR,
	PXF_FTP_CMD_STOU,
	PXF_FTP_CMD_APPE,
	PXF_FTP_CMD_DELE,
	PXF_FTP_CMD_MKD,
	PXF_FTP_CMD_RMD,
	PXF_FTP_CMD_RNFR,
	PXF_FTP_CMD_RNTO,
	PXF_FTP_CMD_SITE,
	PXF_FTP_CMD_SMNT,
	PXF_FTP_CMD_LAST,
} PxfFtpCommandId;

/* One parsed command line. */
typedef struct {
	PxfFtpCommandId id;
	gchar verb[5]; /* upper case, as the client spelt it (XPWD, not PWD) */
	gchar *arg;    /* NULL when there is none; never empty, never holds a
			* control character */
} PxfFtpCommand;

/* Splits "VERB[ SP argument]" (RFC 959 section 5.3): the verb is 3 or 4
 * letters in any case; an argument holding a control character (NUL, CR,
 * ...), given to a command that takes none, or missing where one is needed
 * is PXF_FTP_ERROR_ARGUMENT; anything else malformed PXF_FTP_ERROR_SYNTAX.
 * An unknown verb parses, with id PXF_FTP_CMD_UNKNOWN. */
gboolean pxf_ftp_command_parse(const guint8 *line, gsize len, PxfFtpCommand *cmd, GError **error);
void pxf_ftp_command_clear(PxfFtpCommand *cmd);
/* The canonical verb ("PWD" for XPWD too), for logs and tables. */
const gchar *pxf_ftp_command_id_to_string(PxfFtpCommandId id);
/* Whether the command needs a login first (everything but USER, PASS,
 * QUIT, SYST, FEAT, HELP, NOOP, OPTS). */
gboolean pxf_ftp_command_needs_login(PxfFtpCommandId id);
/* STOR, DELE, MKD, ...: what a read-only server refuses. */
gboolean pxf_ftp_command_is_write(PxfFtpCommandId id);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PxfFtpCommand, pxf_ftp_command_clear)

G_END_DECLS
