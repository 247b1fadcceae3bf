/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What each command does: the dispatcher, logins, navigation and the
 * session's settings; pxf-ftp-files.c has the ones that touch files. Every
 * reply text is fixed or made of validated paths and numbers. */
#define G_LOG_DOMAIN "pxf-ftp"

#include <string.h>

#include "pxf-ftp-path.h"
#include "pxf-ftp-session.h"

static void
pxf_ftp_cmd_cwd(PxfFtpSession *self, const PxfFtpCommand *cmd, const gchar *arg)
{
	g_autofree gchar *vpath = NULL;
	struct stat st;

	if (arg != NULL && g_strcmp0(arg, "..") == 0 && g_strcmp0(self->cwd, "/") == 0) {
		pxf_ftp_session_reply(self, 550, "Already at the root.");
		return;
	}
	vpath = pxf_ftp_session_resolve(self, cmd, arg);
	if (vpath == NULL || !pxf_ftp_session_stat(self, cmd, vpath, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		pxf_ftp_session_reply(self, 550, "Not a directory.");
		return;
	}
	g_free(self->cwd);
	self->cwd = g_steal_pointer(&vpath);
	pxf_ftp_session_reply(self, 250, "Directory successfully changed.");
}

static gboolean
pxf_ftp_parse_offset(const gchar *text, guint64 *out)
{
	guint64 value = 0;

	if (text == NULL || text[0] == '\0' || strlen(text) > 19)
		return FALSE;
	for (const gchar *p = text; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p))
			return FALSE;
		value = value * 10 + (guint64)(*p - '0');
	}
	*out = value;
	return TRUE;
}

/* ---- settings, login, dispatch ------------------------------------------------------ */

static void
pxf_ftp_cmd_feat(PxfFtpSession *self)
{
	g_autofree gchar *mlst = pxf_ftp_facts_feature(self->facts);
	g_autofree gchar *text = g_strdup_printf("211-Features:\r\n"
						 " EPSV\r\n"
						 " MDTM\r\n"
						 " MLST %s\r\n"
						 " PASV\r\n"
						 " REST STREAM\r\n"
						 " SIZE\r\n"
						 " TVFS\r\n"
						 " UTF8\r\n"
						 "211 End\r\n",
						 mlst);
	pxf_ftp_session_reply_raw(self, text);
}

static void
pxf_ftp_cmd_opts(PxfFtpSession *self, const gchar *arg)
{
	if (g_ascii_strncasecmp(arg, "UTF8", 4) == 0 && (arg[4] == '\0' || arg[4] == ' ')) {
		if (arg[4] == '\0' || g_ascii_strcasecmp(arg + 5, "ON") == 0)
			pxf_ftp_session_reply(self, 200, "UTF8 is always on.");
		else
			pxf_ftp_session_reply(self, 504, "UTF8 cannot be turned off.");
		return;
	}
	if (g_ascii_strncasecmp(arg, "MLST", 4) == 0 && (arg[4] == '\0' || arg[4] == ' ')) {
		g_autoptr(GString) shown = g_string_new(NULL);
		g_autofree gchar *feature = NULL;
		g_auto(GStrv) names = NULL;

		self->facts = pxf_ftp_facts_parse(arg[4] == ' ' ? arg + 5 : "");
		/* the reply names the facts now shown: "type;size;" */
		feature = pxf_ftp_facts_feature(self->facts);
		names = g_strsplit(feature, ";", -1);
		for (guint i = 0; names[i] != NULL; i++) {
			if (g_str_has_suffix(names[i], "*"))
				g_string_append_printf(shown, "%.*s;", (gint)strlen(names[i]) - 1,
						       names[i]);
		}
		pxf_ftp_session_reply(self, 200, "MLST OPTS %s", shown->str);
		return;
	}
	pxf_ftp_session_reply(self, 501, "Option not understood.");
}

static void
pxf_ftp_cmd_type(PxfFtpSession *self, const gchar *arg)
{
	if (g_ascii_strcasecmp(arg, "A") == 0 || g_ascii_strcasecmp(arg, "A N") == 0) {
		self->ascii = TRUE;
		pxf_ftp_session_reply(self, 200, "Switching to ASCII mode.");
	} else if (g_ascii_strcasecmp(arg, "I") == 0 || g_ascii_strcasecmp(arg, "L 8") == 0) {
		self->ascii = FALSE;
		pxf_ftp_session_reply(self, 200, "Switching to Binary mode.");
	} else {
		pxf_ftp_session_reply(self, 504, "Only TYPE A and TYPE I are supported.");
	}
}

static void
pxf_ftp_cmd_stat(PxfFtpSession *self, const gchar *arg)
{
	g_autofree gchar *text = NULL;

	if (arg != NULL) {
		pxf_ftp_session_reply(self, 504, "STAT of a path is not supported; use LIST.");
		return;
	}
	text = g_strdup_printf("211-pxeforge FTP server status:\r\n"
			       " Connected from %s\r\n"
			       " %s\r\n"
			       " TYPE: %s; MODE: Stream; STRU: File\r\n"
			       " Read-only, passive mode only\r\n"
			       "211 End of status.\r\n",
			       self->peer_ip,
			       self->logged_in ? "Logged in anonymously" : "Not logged in",
			       self->ascii ? "ASCII" : "BINARY");
	pxf_ftp_session_reply_raw(self, text);
}

static void
pxf_ftp_cmd_help(PxfFtpSession *self)
{
	pxf_ftp_session_reply_raw(self,
				  "214-The following commands are recognised:\r\n"
				  " ABOR ACCT ALLO CDUP CWD  EPSV FEAT HELP LIST MDTM MLSD MLST\r\n"
				  " MODE NLST NOOP OPTS PASS PASV PWD  QUIT REST RETR SIZE STAT\r\n"
				  " STRU SYST TYPE USER XCUP XCWD XPWD\r\n"
				  "214 Help OK.\r\n");
}

static void
pxf_ftp_cmd_user(PxfFtpSession *self, const gchar *arg)
{
	if (self->logged_in) {
		pxf_ftp_session_reply(self, 230, "Already logged in.");
		return;
	}
	self->user_ok =
		g_ascii_strcasecmp(arg, "anonymous") == 0 || g_ascii_strcasecmp(arg, "ftp") == 0;
	if (self->user_ok)
		pxf_ftp_session_reply(self, 331,
				      "Anonymous login ok, send your e-mail address as password.");
	else
		pxf_ftp_session_reply(self, 530, "This server only allows anonymous logins.");
}

static void
pxf_ftp_cmd_pass(PxfFtpSession *self)
{
	if (self->logged_in) {
		pxf_ftp_session_reply(self, 230, "Already logged in.");
		return;
	}
	if (!self->user_ok) {
		pxf_ftp_session_reply(self, 503, "Login with USER first.");
		return;
	}
	self->logged_in = TRUE;
	g_debug("session %s: anonymous login", self->who);
	pxf_ftp_session_reply(self, 230, "Login successful.");
}

void
pxf_ftp_session_execute_busy(PxfFtpSession *self, PxfFtpCommand *cmd)
{
	pxf_ftp_session_abort_transfer(self);
	if (cmd->id == PXF_FTP_CMD_QUIT) {
		pxf_ftp_session_reply(self, 221, "Goodbye.");
		pxf_ftp_session_close_later(self);
		return;
	}
	pxf_ftp_session_reply(self, 426, "Transfer aborted.");
	pxf_ftp_session_reply(self, 226, "ABOR successful.");
	pxf_ftp_session_schedule(self);
}

void
pxf_ftp_session_execute(PxfFtpSession *self, PxfFtpCommand *cmd)
{
	guint64 offset = 0;

	if (!self->logged_in && pxf_ftp_command_needs_login(cmd->id)) {
		pxf_ftp_session_reply(self, 530, "Please login with USER and PASS.");
		return;
	}
	if (pxf_ftp_command_is_write(cmd->id)) {
		g_autofree gchar *shown = pxf_ftp_shown(cmd->arg);
		g_message("refusing %s \"%s\" from %s: the server is read-only", cmd->verb, shown,
			  self->peer_ip);
		pxf_ftp_session_reply(self, 550, "Permission denied: this server is read-only.");
		return;
	}
	switch (cmd->id) {
	case PXF_FTP_CMD_USER:
		pxf_ftp_cmd_user(self, cmd->arg);
		break;
	case PXF_FTP_CMD_PASS:
		pxf_ftp_cmd_pass(self);
		break;
	case PXF_FTP_CMD_ACCT:
		pxf_ftp_session_reply(self, 202, "ACCT is not needed.");
		break;
	case PXF_FTP_CMD_QUIT:
		pxf_ftp_session_reply(self, 221, "Goodbye.");
		pxf_ftp_session_close_later(self);
		break;
	case PXF_FTP_CMD_SYST:
		pxf_ftp_session_reply(self, 215, "UNIX Type: L8");
		break;
	case PXF_FTP_CMD_FEAT:
		pxf_ftp_cmd_feat(self);
		break;
	case PXF_FTP_CMD_OPTS:
		pxf_ftp_cmd_opts(self, cmd->arg);
		break;
	case PXF_FTP_CMD_HELP:
		pxf_ftp_cmd_help(self);
		break;
	case PXF_FTP_CMD_STAT:
		pxf_ftp_cmd_stat(self, cmd->arg);
		break;
	case PXF_FTP_CMD_NOOP:
		pxf_ftp_session_reply(self, 200, "NOOP ok.");
		break;
	case PXF_FTP_CMD_PWD: {
		g_autofree gchar *quoted = pxf_ftp_path_quote(self->cwd);
		pxf_ftp_session_reply(self, 257, "\"%s\" is the current directory.", quoted);
		break;
	}
	case PXF_FTP_CMD_CWD:
		pxf_ftp_cmd_cwd(self, cmd, cmd->arg);
		break;
	case PXF_FTP_CMD_CDUP:
		pxf_ftp_cmd_cwd(self, cmd, "..");
		break;
	case PXF_FTP_CMD_TYPE:
		pxf_ftp_cmd_type(self, cmd->arg);
		break;
	case PXF_FTP_CMD_MODE:
		if (g_ascii_strcasecmp(cmd->arg, "S") == 0)
			pxf_ftp_session_reply(self, 200, "Mode set to S.");
		else
			pxf_ftp_session_reply(self, 504, "Only stream mode (S) is supported.");
		break;
	case PXF_FTP_CMD_STRU:
		if (g_ascii_strcasecmp(cmd->arg, "F") == 0)
			pxf_ftp_session_reply(self, 200, "Structure set to F.");
		else
			pxf_ftp_session_reply(self, 504, "Only file structure (F) is supported.");
		break;
	case PXF_FTP_CMD_PASV:
		pxf_ftp_cmd_pasv(self);
		break;
	case PXF_FTP_CMD_EPSV:
		pxf_ftp_cmd_epsv(self, cmd->arg);
		break;
	case PXF_FTP_CMD_PORT:
	case PXF_FTP_CMD_EPRT:
		pxf_ftp_session_reply(self, 502, "Active mode is not supported; use PASV or EPSV.");
		break;
	case PXF_FTP_CMD_REST:
		if (!pxf_ftp_parse_offset(cmd->arg, &offset)) {
			pxf_ftp_session_reply(self, 501, "REST needs a decimal byte offset.");
			break;
		}
		self->rest = offset;
		pxf_ftp_session_reply(self, 350,
				      "Restarting at %" G_GUINT64_FORMAT ". Send RETR to resume.",
				      offset);
		break;
	case PXF_FTP_CMD_ALLO:
		pxf_ftp_session_reply(self, 202, "ALLO is not needed.");
		break;
	case PXF_FTP_CMD_LIST:
	case PXF_FTP_CMD_NLST:
	case PXF_FTP_CMD_MLSD:
		pxf_ftp_cmd_list(self, cmd);
		break;
	case PXF_FTP_CMD_MLST:
		pxf_ftp_cmd_mlst(self, cmd);
		break;
	case PXF_FTP_CMD_RETR:
		pxf_ftp_cmd_retr(self, cmd);
		break;
	case PXF_FTP_CMD_SIZE:
	case PXF_FTP_CMD_MDTM:
		pxf_ftp_cmd_size_mdtm(self, cmd);
		break;
	case PXF_FTP_CMD_ABOR:
		g_clear_pointer(&self->data, pxf_ftp_data_free);
		pxf_ftp_session_reply(self, 225, "No transfer to abort.");
		break;
	case PXF_FTP_CMD_REIN:
		pxf_ftp_session_reply(self, 502, "REIN is not implemented.");
		break;
	case PXF_FTP_CMD_UNKNOWN:
	default:
		pxf_ftp_session_reply(self, 500, "'%s': command not understood.", cmd->verb);
		break;
	}
}
