/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Control channel lines and commands. The reader is fed whatever the socket
 * gave and hands out one line at a time, so a session can stop taking
 * commands (during a transfer) without losing the rest of the input. */
#define G_LOG_DOMAIN "pxf-ftp"

#include "pxf-ftp-command.h"

#include <string.h>

G_DEFINE_QUARK(pxf - ftp - error - quark, pxf_ftp_error)

/* Telnet (RFC 854): IAC introduces a command; WILL/WONT/DO/DONT carry one
 * option byte; SB starts a subnegotiation that runs up to IAC SE. */
#define TELNET_SE   240
#define TELNET_SB   250
#define TELNET_WILL 251
#define TELNET_DONT 254
#define TELNET_IAC  255

enum {
	PXF_FTP_TELNET_DATA = 0,
	PXF_FTP_TELNET_IAC,	/* after IAC */
	PXF_FTP_TELNET_OPTION,	/* after IAC WILL/WONT/DO/DONT */
	PXF_FTP_TELNET_SUB,	/* inside IAC SB ... */
	PXF_FTP_TELNET_SUB_IAC, /* IAC inside a subnegotiation */
};

void
pxf_ftp_line_reader_init(PxfFtpLineReader *self)
{
	memset(self, 0, sizeof(*self));
}

static void
pxf_ftp_line_reader_put(PxfFtpLineReader *self, guint8 c)
{
	if (self->overflow)
		return;
	if (self->len >= sizeof(self->buf)) {
		self->overflow = TRUE;
		return;
	}
	self->buf[self->len++] = c;
}

PxfFtpLineStatus
pxf_ftp_line_reader_feed(PxfFtpLineReader *self, const guint8 *data, gsize len, gsize *consumed)
{
	if (self->ready) {
		self->ready = FALSE;
		self->len = 0;
	}
	for (gsize i = 0; i < len; i++) {
		guint8 c = data[i];

		switch (self->telnet) {
		case PXF_FTP_TELNET_IAC:
			if (c == TELNET_IAC) {
				pxf_ftp_line_reader_put(self, c);
				self->telnet = PXF_FTP_TELNET_DATA;
			} else if (c >= TELNET_WILL && c <= TELNET_DONT) {
				self->telnet = PXF_FTP_TELNET_OPTION;
			} else if (c == TELNET_SB) {
				self->telnet = PXF_FTP_TELNET_SUB;
			} else {
				/* IP, DM, AYT, ...: ABOR's Synch sequence among them */
				self->telnet = PXF_FTP_TELNET_DATA;
			}
			continue;
		case PXF_FTP_TELNET_OPTION:
			self->telnet = PXF_FTP_TELNET_DATA;
			continue;
		case PXF_FTP_TELNET_SUB:
			if (c == TELNET_IAC)
				self->telnet = PXF_FTP_TELNET_SUB_IAC;
			continue;
		case PXF_FTP_TELNET_SUB_IAC:
			self->telnet = c == TELNET_SE ? PXF_FTP_TELNET_DATA : PXF_FTP_TELNET_SUB;
			continue;
		default:
			break;
		}
		if (c == TELNET_IAC) {
			self->telnet = PXF_FTP_TELNET_IAC;
			continue;
		}
		if (c != '\n') {
			pxf_ftp_line_reader_put(self, c);
			continue;
		}
		*consumed = i + 1;
		if (self->overflow) {
			self->overflow = FALSE;
			self->len = 0;
			return PXF_FTP_LINE_TOO_LONG;
		}
		/* CRLF, or a bare LF as many clients send */
		if (self->len > 0 && self->buf[self->len - 1] == '\r')
			self->len--;
		self->ready = TRUE;
		return PXF_FTP_LINE_READY;
	}
	*consumed = len;
	return PXF_FTP_LINE_NONE;
}

const guint8 *
pxf_ftp_line_reader_get_line(PxfFtpLineReader *self, gsize *len)
{
	*len = self->ready ? self->len : 0;
	return self->buf;
}

typedef enum {
	PXF_FTP_ARG_NONE,
	PXF_FTP_ARG_OPTIONAL,
	PXF_FTP_ARG_REQUIRED,
} PxfFtpArgRule;

typedef struct {
	const gchar *verb;
	PxfFtpCommandId id;
	PxfFtpArgRule arg;
} PxfFtpVerb;

/* RFC 959, 2389 (FEAT, OPTS), 2428 (EPSV, EPRT), 3659 (SIZE, MDTM, REST,
 * MLSD, MLST), and the X-forms of RFC 775 some clients still send. */
static const PxfFtpVerb pxf_ftp_verbs[] = {
	{"USER", PXF_FTP_CMD_USER, PXF_FTP_ARG_REQUIRED},
	{"PASS", PXF_FTP_CMD_PASS, PXF_FTP_ARG_OPTIONAL},
	{"ACCT", PXF_FTP_CMD_ACCT, PXF_FTP_ARG_OPTIONAL},
	{"QUIT", PXF_FTP_CMD_QUIT, PXF_FTP_ARG_NONE},
	{"REIN", PXF_FTP_CMD_REIN, PXF_FTP_ARG_NONE},
	{"SYST", PXF_FTP_CMD_SYST, PXF_FTP_ARG_NONE},
	{"FEAT", PXF_FTP_CMD_FEAT, PXF_FTP_ARG_NONE},
	{"OPTS", PXF_FTP_CMD_OPTS, PXF_FTP_ARG_REQUIRED},
	{"HELP", PXF_FTP_CMD_HELP, PXF_FTP_ARG_OPTIONAL},
	{"STAT", PXF_FTP_CMD_STAT, PXF_FTP_ARG_OPTIONAL},
	{"NOOP", PXF_FTP_CMD_NOOP, PXF_FTP_ARG_NONE},
	{"PWD", PXF_FTP_CMD_PWD, PXF_FTP_ARG_NONE},
	{"XPWD", PXF_FTP_CMD_PWD, PXF_FTP_ARG_NONE},
	{"CWD", PXF_FTP_CMD_CWD, PXF_FTP_ARG_REQUIRED},
	{"XCWD", PXF_FTP_CMD_CWD, PXF_FTP_ARG_REQUIRED},
	{"CDUP", PXF_FTP_CMD_CDUP, PXF_FTP_ARG_NONE},
	{"XCUP", PXF_FTP_CMD_CDUP, PXF_FTP_ARG_NONE},
	{"TYPE", PXF_FTP_CMD_TYPE, PXF_FTP_ARG_REQUIRED},
	{"MODE", PXF_FTP_CMD_MODE, PXF_FTP_ARG_REQUIRED},
	{"STRU", PXF_FTP_CMD_STRU, PXF_FTP_ARG_REQUIRED},
	{"PASV", PXF_FTP_CMD_PASV, PXF_FTP_ARG_NONE},
	{"EPSV", PXF_FTP_CMD_EPSV, PXF_FTP_ARG_OPTIONAL},
	{"PORT", PXF_FTP_CMD_PORT, PXF_FTP_ARG_OPTIONAL},
	{"EPRT", PXF_FTP_CMD_EPRT, PXF_FTP_ARG_OPTIONAL},
	{"REST", PXF_FTP_CMD_REST, PXF_FTP_ARG_REQUIRED},
	{"ALLO", PXF_FTP_CMD_ALLO, PXF_FTP_ARG_OPTIONAL},
	{"LIST", PXF_FTP_CMD_LIST, PXF_FTP_ARG_OPTIONAL},
	{"NLST", PXF_FTP_CMD_NLST, PXF_FTP_ARG_OPTIONAL},
	{"MLSD", PXF_FTP_CMD_MLSD, PXF_FTP_ARG_OPTIONAL},
	{"MLST", PXF_FTP_CMD_MLST, PXF_FTP_ARG_OPTIONAL},
	{"RETR", PXF_FTP_CMD_RETR, PXF_FTP_ARG_REQUIRED},
	{"SIZE", PXF_FTP_CMD_SIZE, PXF_FTP_ARG_REQUIRED},
	{"MDTM", PXF_FTP_CMD_MDTM, PXF_FTP_ARG_REQUIRED},
	{"ABOR", PXF_FTP_CMD_ABOR, PXF_FTP_ARG_NONE},
	/* refused whatever their argument, so any is accepted */
	{"STOR", PXF_FTP_CMD_STOR, PXF_FTP_ARG_OPTIONAL},
	{"STOU", PXF_FTP_CMD_STOU, PXF_FTP_ARG_OPTIONAL},
	{"APPE", PXF_FTP_CMD_APPE, PXF_FTP_ARG_OPTIONAL},
	{"DELE", PXF_FTP_CMD_DELE, PXF_FTP_ARG_OPTIONAL},
	{"MKD", PXF_FTP_CMD_MKD, PXF_FTP_ARG_OPTIONAL},
	{"XMKD", PXF_FTP_CMD_MKD, PXF_FTP_ARG_OPTIONAL},
	{"RMD", PXF_FTP_CMD_RMD, PXF_FTP_ARG_OPTIONAL},
	{"XRMD", PXF_FTP_CMD_RMD, PXF_FTP_ARG_OPTIONAL},
	{"RNFR", PXF_FTP_CMD_RNFR, PXF_FTP_ARG_OPTIONAL},
	{"RNTO", PXF_FTP_CMD_RNTO, PXF_FTP_ARG_OPTIONAL},
	{"SITE", PXF_FTP_CMD_SITE, PXF_FTP_ARG_OPTIONAL},
	{"SMNT", PXF_FTP_CMD_SMNT, PXF_FTP_ARG_OPTIONAL},
};

const gchar *
pxf_ftp_command_id_to_string(PxfFtpCommandId id)
{
	/* the first entry of an id is its canonical spelling */
	for (guint i = 0; i < G_N_ELEMENTS(pxf_ftp_verbs); i++) {
		if (pxf_ftp_verbs[i].id == id)
			return pxf_ftp_verbs[i].verb;
	}
	return "UNKNOWN";
}

gboolean
pxf_ftp_command_needs_login(PxfFtpCommandId id)
{
	switch (id) {
	case PXF_FTP_CMD_USER:
	case PXF_FTP_CMD_PASS:
	case PXF_FTP_CMD_QUIT:
	case PXF_FTP_CMD_SYST:
	case PXF_FTP_CMD_FEAT:
	case PXF_FTP_CMD_HELP:
	case PXF_FTP_CMD_NOOP:
	case PXF_FTP_CMD_OPTS:
	case PXF_FTP_CMD_UNKNOWN:
		return FALSE;
	default:
		return TRUE;
	}
}

gboolean
pxf_ftp_command_is_write(PxfFtpCommandId id)
{
	return id >= PXF_FTP_CMD_STOR && id < PXF_FTP_CMD_LAST;
}

void
pxf_ftp_command_clear(PxfFtpCommand *cmd)
{
	g_clear_pointer(&cmd->arg, g_free);
	cmd->id = PXF_FTP_CMD_UNKNOWN;
	cmd->verb[0] = '\0';
}

gboolean
pxf_ftp_command_parse(const guint8 *line, gsize len, PxfFtpCommand *cmd, GError **error)
{
	const PxfFtpVerb *verb = NULL;
	gsize vlen = 0;
	gsize alen;

	memset(cmd, 0, sizeof(*cmd));
	while (vlen < len && g_ascii_isalpha(line[vlen]) && vlen < 4)
		vlen++;
	if (vlen < 3 || (vlen < len && line[vlen] != ' ')) {
		g_set_error_literal(error, PXF_FTP_ERROR, PXF_FTP_ERROR_SYNTAX,
				    vlen < len && g_ascii_isalpha(line[vlen])
					    ? "the command is longer than 4 letters"
					    : "not a command: it must start with 3 or 4 letters");
		return FALSE;
	}
	for (gsize i = 0; i < vlen; i++)
		cmd->verb[i] = g_ascii_toupper((gchar)line[i]);
	cmd->verb[vlen] = '\0';
	for (guint i = 0; i < G_N_ELEMENTS(pxf_ftp_verbs); i++) {
		if (strcmp(pxf_ftp_verbs[i].verb, cmd->verb) == 0) {
			verb = &pxf_ftp_verbs[i];
			break;
		}
	}
	cmd->id = verb != NULL ? verb->id : PXF_FTP_CMD_UNKNOWN;

	/* exactly one space separates the argument; "PWD " has none */
	alen = vlen < len ? len - vlen - 1 : 0;
	for (gsize i = 0; i < alen; i++) {
		guint8 c = line[vlen + 1 + i];
		if (c < 0x20 || c == 0x7f) {
			g_set_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT,
				    "the argument holds the control character 0x%02x", c);
			return FALSE;
		}
	}
	if (alen > 0)
		cmd->arg = g_strndup((const gchar *)line + vlen + 1, alen);
	if (verb == NULL)
		return TRUE;
	if (verb->arg == PXF_FTP_ARG_NONE && cmd->arg != NULL) {
		g_set_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT, "%s takes no argument",
			    cmd->verb);
		g_clear_pointer(&cmd->arg, g_free);
		return FALSE;
	}
	if (verb->arg == PXF_FTP_ARG_REQUIRED && cmd->arg == NULL) {
		g_set_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT, "%s needs an argument",
			    cmd->verb);
		return FALSE;
	}
	return TRUE;
}
