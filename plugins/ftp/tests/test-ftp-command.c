/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control channel's line reader and command parser: line ends, Telnet
 * bytes, length limits, verbs and their arguments. */
#define G_LOG_DOMAIN "test-ftp-command"

#include <string.h>

#include "pxf-ftp-command.h"

/* Feeds text in chunks of chunk bytes; the lines it gives, joined by '|',
 * with "<LONG>" for a line that was too long. */
static gchar *
read_lines(const guint8 *data, gsize len, gsize chunk)
{
	PxfFtpLineReader reader;
	GString *out = g_string_new(NULL);
	guint lines = 0;

	pxf_ftp_line_reader_init(&reader);
	for (gsize off = 0; off < len;) {
		gsize n = MIN(chunk, len - off);
		gsize pos = 0;

		while (pos < n) {
			gsize consumed = 0;
			PxfFtpLineStatus status = pxf_ftp_line_reader_feed(
				&reader, data + off + pos, n - pos, &consumed);
			g_assert_cmpuint(consumed, <=, n - pos);
			pos += consumed;
			if (status == PXF_FTP_LINE_READY) {
				gsize llen = 0;
				const guint8 *line = pxf_ftp_line_reader_get_line(&reader, &llen);
				if (lines++ > 0)
					g_string_append_c(out, '|');
				g_string_append_len(out, (const gchar *)line, (gssize)llen);
			} else if (status == PXF_FTP_LINE_TOO_LONG) {
				if (lines++ > 0)
					g_string_append_c(out, '|');
				g_string_append(out, "<LONG>");
			} else {
				g_assert_cmpuint(pos, ==, n);
			}
		}
		off += n;
	}
	return g_string_free(out, FALSE);
}

static void
assert_lines(const gchar *input, gsize len, const gchar *expected)
{
	/* whatever the reads were, the lines are the same */
	for (gsize chunk = 1; chunk <= len + 1; chunk++) {
		g_autofree gchar *got = read_lines((const guint8 *)input, len, chunk);
		if (g_strcmp0(got, expected) != 0)
			g_error("chunks of %" G_GSIZE_FORMAT ": got '%s', expected '%s'", chunk,
				got, expected);
	}
}

static void
test_line_ends(void)
{
	assert_lines("USER ftp\r\nPASS x\r\n", 18, "USER ftp|PASS x");
	assert_lines("USER ftp\nPASS x\n", 16, "USER ftp|PASS x");
	/* no line end yet: nothing */
	assert_lines("NOOP", 4, "");
	/* a CR inside stays (the parser refuses it); only CRLF's CR goes */
	assert_lines("A\rB\r\r\n", 6, "A\rB\r");
	assert_lines("\r\n\n", 3, "|");
}

static void
test_telnet(void)
{
	/* ABOR after the Synch sequence IAC IP IAC DM */
	static const guint8 abor[] = {0xff, 0xf4, 0xff, 0xf2, 'A', 'B', 'O', 'R', '\r', '\n'};
	/* negotiation: IAC DO 1, IAC WILL 3; a subnegotiation with an escaped IAC */
	static const guint8 neg[] = {'N',  0xff, 0xfd, 0x01, 'O',  0xff, 0xfb, 0x03, 'O', 0xff,
				     0xfa, 0x18, 'x',  0xff, 0xff, 'y',	 0xff, 0xf0, 'P', '\n'};
	/* IAC IAC is a 0xff byte of the line */
	static const guint8 escaped[] = {'a', 0xff, 0xff, 'b', '\n'};
	/* an LF inside an IAC command is not a line end */
	static const guint8 opt_lf[] = {'X', 0xff, 0xfd, '\n', 'Y', '\n'};
	g_autofree gchar *esc = NULL;

	assert_lines((const gchar *)abor, sizeof(abor), "ABOR");
	assert_lines((const gchar *)neg, sizeof(neg), "NOOP");
	esc = read_lines(escaped, sizeof(escaped), 2);
	g_assert_cmpstr(esc, ==,
			"a\xff"
			"b");
	assert_lines((const gchar *)opt_lf, sizeof(opt_lf), "XY");
}

static void
test_too_long(void)
{
	g_autoptr(GString) input = g_string_new(NULL);
	g_autofree gchar *got = NULL;
	g_autofree gchar *exact = NULL;

	g_string_append(input, "NOOP\r\n");
	for (guint i = 0; i < PXF_FTP_LINE_MAX + 10; i++)
		g_string_append_c(input, 'x');
	g_string_append(input, "\r\nPWD\r\n");
	got = read_lines((const guint8 *)input->str, input->len, 7);
	g_assert_cmpstr(got, ==, "NOOP|<LONG>|PWD");
	got = (g_free(got), read_lines((const guint8 *)input->str, input->len, 100000));
	g_assert_cmpstr(got, ==, "NOOP|<LONG>|PWD");

	/* exactly the limit fits; with its CR it does not (the CR is read first) */
	g_string_truncate(input, 0);
	for (guint i = 0; i < PXF_FTP_LINE_MAX; i++)
		g_string_append_c(input, 'y');
	g_string_append(input, "\n");
	exact = read_lines((const guint8 *)input->str, input->len, 64);
	g_assert_cmpuint(strlen(exact), ==, PXF_FTP_LINE_MAX);
	g_string_insert_c(input, (gssize)input->len - 1, '\r');
	got = (g_free(got), read_lines((const guint8 *)input->str, input->len, 64));
	g_assert_cmpstr(got, ==, "<LONG>");
}

static gboolean
parse(const gchar *line, PxfFtpCommand *cmd, GError **error)
{
	return pxf_ftp_command_parse((const guint8 *)line, strlen(line), cmd, error);
}

static void
test_parse(void)
{
	struct {
		const gchar *line;
		PxfFtpCommandId id;
		const gchar *verb;
		const gchar *arg;
	} ok[] = {
		{"USER anonymous", PXF_FTP_CMD_USER, "USER", "anonymous"},
		{"user ftp", PXF_FTP_CMD_USER, "USER", "ftp"},
		{"PASS", PXF_FTP_CMD_PASS, "PASS", NULL},
		{"PASS ", PXF_FTP_CMD_PASS, "PASS", NULL},
		{"PASS me@example.com", PXF_FTP_CMD_PASS, "PASS", "me@example.com"},
		{"PWD", PXF_FTP_CMD_PWD, "PWD", NULL},
		{"xpwd", PXF_FTP_CMD_PWD, "XPWD", NULL},
		{"CWD /distros/rocky 9", PXF_FTP_CMD_CWD, "CWD", "/distros/rocky 9"},
		{"RETR  two spaces", PXF_FTP_CMD_RETR, "RETR", " two spaces"},
		{"LIST -la", PXF_FTP_CMD_LIST, "LIST", "-la"},
		{"EPSV ALL", PXF_FTP_CMD_EPSV, "EPSV", "ALL"},
		{"STOR x", PXF_FTP_CMD_STOR, "STOR", "x"},
		{"XMKD d", PXF_FTP_CMD_MKD, "XMKD", "d"},
		{"FROB x", PXF_FTP_CMD_UNKNOWN, "FROB", "x"},
		{"RETR caf\xc3\xa9", PXF_FTP_CMD_RETR, "RETR", "caf\xc3\xa9"},
	};
	struct {
		const gchar *line;
		gint code;
	} bad[] = {
		{"", PXF_FTP_ERROR_SYNTAX},
		{"X", PXF_FTP_ERROR_SYNTAX},
		{"NO", PXF_FTP_ERROR_SYNTAX},
		{"NOOPS", PXF_FTP_ERROR_SYNTAX},
		{" NOOP", PXF_FTP_ERROR_SYNTAX},
		{"NO0P", PXF_FTP_ERROR_SYNTAX},
		{"RETR\tx", PXF_FTP_ERROR_SYNTAX},
		{"NOOP x", PXF_FTP_ERROR_ARGUMENT},
		{"PWD /", PXF_FTP_ERROR_ARGUMENT},
		{"RETR", PXF_FTP_ERROR_ARGUMENT},
		{"RETR ", PXF_FTP_ERROR_ARGUMENT},
		{"USER", PXF_FTP_ERROR_ARGUMENT},
		{"RETR a\rb", PXF_FTP_ERROR_ARGUMENT},
		{"RETR a\x7f", PXF_FTP_ERROR_ARGUMENT},
		{"CWD a\tb", PXF_FTP_ERROR_ARGUMENT},
	};

	for (guint i = 0; i < G_N_ELEMENTS(ok); i++) {
		g_autoptr(GError) error = NULL;
		g_auto(PxfFtpCommand) cmd = {0};
		if (!parse(ok[i].line, &cmd, &error))
			g_error("'%s': %s", ok[i].line, error->message);
		g_assert_cmpint(cmd.id, ==, ok[i].id);
		g_assert_cmpstr(cmd.verb, ==, ok[i].verb);
		g_assert_cmpstr(cmd.arg, ==, ok[i].arg);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_auto(PxfFtpCommand) cmd = {0};
		if (parse(bad[i].line, &cmd, &error))
			g_error("'%s' parsed", bad[i].line);
		g_assert_error(error, PXF_FTP_ERROR, bad[i].code);
		g_assert_null(cmd.arg);
	}
	/* a NUL inside the line (only a length says where it ends) */
	{
		static const guint8 nul[] = {'R', 'E', 'T', 'R', ' ', 'a', 0, 'b'};
		g_autoptr(GError) error = NULL;
		g_auto(PxfFtpCommand) cmd = {0};
		g_assert_false(pxf_ftp_command_parse(nul, sizeof(nul), &cmd, &error));
		g_assert_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT);
	}
}

static void
test_classes(void)
{
	g_assert_cmpstr(pxf_ftp_command_id_to_string(PXF_FTP_CMD_PWD), ==, "PWD");
	g_assert_cmpstr(pxf_ftp_command_id_to_string(PXF_FTP_CMD_MKD), ==, "MKD");
	g_assert_cmpstr(pxf_ftp_command_id_to_string(PXF_FTP_CMD_UNKNOWN), ==, "UNKNOWN");
	g_assert_false(pxf_ftp_command_needs_login(PXF_FTP_CMD_USER));
	g_assert_false(pxf_ftp_command_needs_login(PXF_FTP_CMD_FEAT));
	g_assert_true(pxf_ftp_command_needs_login(PXF_FTP_CMD_RETR));
	g_assert_true(pxf_ftp_command_needs_login(PXF_FTP_CMD_PASV));
	for (PxfFtpCommandId id = PXF_FTP_CMD_STOR; id < PXF_FTP_CMD_LAST; id++)
		g_assert_true(pxf_ftp_command_is_write(id));
	g_assert_false(pxf_ftp_command_is_write(PXF_FTP_CMD_RETR));
	g_assert_false(pxf_ftp_command_is_write(PXF_FTP_CMD_UNKNOWN));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/ftp/command/line-ends", test_line_ends);
	g_test_add_func("/plugin/ftp/command/telnet", test_telnet);
	g_test_add_func("/plugin/ftp/command/too-long", test_too_long);
	g_test_add_func("/plugin/ftp/command/parse", test_parse);
	g_test_add_func("/plugin/ftp/command/classes", test_classes);
	return g_test_run();
}
