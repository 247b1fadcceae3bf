/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the input is what a client sends on the control
 * connection, read in chunks of a size the first byte picks. Whatever it
 * is, every line the reader gives is at most PXF_FTP_LINE_MAX bytes without
 * an LF; every parsed command has a 3-4 letter upper-case verb and an
 * argument free of control characters; every resolved path is absolute,
 * normal, never above the root and stable when resolved again. */
#define G_LOG_DOMAIN "pxf-fuzz"

#include <string.h>

#include "pxf-ftp-command.h"
#include "pxf-ftp-path.h"

int LLVMFuzzerTestOneInput(const guint8 *data, gsize size);

static void
fuzz_check_path(const gchar *cwd, const gchar *arg)
{
	g_autofree gchar *vpath = pxf_ftp_path_resolve(cwd, arg, NULL);
	g_autofree gchar *again = NULL;
	g_autofree gchar *quoted = NULL;
	g_autofree gchar *parent = NULL;

	if (vpath == NULL)
		return;
	if (!pxf_ftp_path_is_normal(vpath))
		g_error("resolving '%s' in %s gave %s, which is not normal", arg, cwd, vpath);
	if (strstr(vpath, "/../") != NULL || g_str_has_suffix(vpath, "/..") ||
	    strchr(vpath, '\\') != NULL || strlen(vpath) > PXF_FTP_PATH_MAX)
		g_error("resolving '%s' in %s gave %s", arg, cwd, vpath);
	again = pxf_ftp_path_resolve("/", vpath, NULL);
	if (g_strcmp0(again, vpath) != 0)
		g_error("resolving %s again gave %s", vpath, again);
	quoted = pxf_ftp_path_quote(vpath);
	parent = pxf_ftp_path_parent(vpath);
	if (!pxf_ftp_path_is_normal(parent))
		g_error("the parent of %s is %s", vpath, parent);
}

static void
fuzz_check_line(const guint8 *line, gsize len)
{
	g_auto(PxfFtpCommand) cmd = {0};

	if (len > PXF_FTP_LINE_MAX || memchr(line, '\n', len) != NULL)
		g_error("a line of %" G_GSIZE_FORMAT " bytes, or with an LF", len);
	if (!pxf_ftp_command_parse(line, len, &cmd, NULL))
		return;
	if (strlen(cmd.verb) < 3 || strlen(cmd.verb) > 4)
		g_error("verb '%s'", cmd.verb);
	for (const gchar *p = cmd.verb; *p != '\0'; p++) {
		if (!g_ascii_isupper(*p))
			g_error("verb '%s' is not upper case letters", cmd.verb);
	}
	if (cmd.arg != NULL) {
		if (cmd.arg[0] == '\0')
			g_error("an empty argument");
		for (const guchar *p = (const guchar *)cmd.arg; *p != '\0'; p++) {
			if (*p < 0x20 || *p == 0x7f)
				g_error("a control character in the argument");
		}
		fuzz_check_path("/", cmd.arg);
		fuzz_check_path("/distros/rocky9/images", cmd.arg);
	}
	(void)pxf_ftp_command_id_to_string(cmd.id);
	(void)pxf_ftp_command_needs_login(cmd.id);
	(void)pxf_ftp_command_is_write(cmd.id);
}

int
LLVMFuzzerTestOneInput(const guint8 *data, gsize size)
{
	PxfFtpLineReader reader;
	gsize chunk;
	gsize off = 1;

	if (size == 0)
		return 0;
	chunk = (gsize)data[0] % 64 + 1;
	pxf_ftp_line_reader_init(&reader);
	while (off < size) {
		gsize n = MIN(chunk, size - off);
		gsize pos = 0;
		while (pos < n) {
			gsize consumed = 0;
			PxfFtpLineStatus status = pxf_ftp_line_reader_feed(
				&reader, data + off + pos, n - pos, &consumed);
			if (consumed > n - pos || (consumed == 0 && n - pos > 0))
				g_error("consumed %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT,
					consumed, n - pos);
			pos += consumed;
			if (status == PXF_FTP_LINE_READY) {
				gsize len = 0;
				const guint8 *line = pxf_ftp_line_reader_get_line(&reader, &len);
				fuzz_check_line(line, len);
			}
		}
		off += n;
	}
	/* the whole input as a path argument, too */
	{
		g_autofree gchar *text = g_strndup((const gchar *)data + 1, size - 1);
		fuzz_check_path("/", text);
	}
	return 0;
}
