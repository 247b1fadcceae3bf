/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-tftp"

#include <string.h>

#include "pxf-tftp-packet.h"

/* A request from a literal with embedded NULs: sizeof - 1 drops the C NUL. */
#define REQ(lit) (const guint8 *)(lit), sizeof(lit) - 1

static void
test_rrq_all_options(void)
{
	g_auto(PxfTftpRequest) req = {0};
	g_autoptr(GError) error = NULL;

	g_assert_true(pxf_tftp_request_parse(
		&req, REQ("\0\1pxelinux.0\0octet\0blksize\0001468\0tsize\0000\0timeout\0005\0"),
		&error));
	g_assert_no_error(error);
	g_assert_cmpint(req.opcode, ==, PXF_TFTP_OP_RRQ);
	g_assert_cmpstr(req.filename, ==, "pxelinux.0");
	g_assert_cmpint(req.mode, ==, PXF_TFTP_MODE_OCTET);
	g_assert_true(req.has_blksize);
	g_assert_cmpuint(req.blksize, ==, 1468);
	g_assert_true(req.has_tsize);
	g_assert_cmpuint(req.tsize, ==, 0);
	g_assert_true(req.has_timeout);
	g_assert_cmpuint(req.timeout, ==, 5);
	g_assert_cmpuint(req.n_ignored, ==, 0);
}

static void
test_rrq_case_and_modes(void)
{
	g_auto(PxfTftpRequest) req = {0};
	g_auto(PxfTftpRequest) req2 = {0};
	g_autoptr(GError) error = NULL;

	/* option names and modes are case-insensitive (RFC 1350, 2347) */
	g_assert_true(pxf_tftp_request_parse(
		&req, REQ("\0\1a/b\0NetASCII\0BlkSize\00064\0TSIZE\0000\0"), &error));
	g_assert_no_error(error);
	g_assert_cmpint(req.mode, ==, PXF_TFTP_MODE_NETASCII);
	g_assert_cmpuint(req.blksize, ==, 64);
	g_assert_true(req.has_tsize);
	g_assert_false(req.has_timeout);

	g_assert_true(pxf_tftp_request_parse(&req2, REQ("\0\2upload.bin\0OCTET\0"), &error));
	g_assert_cmpint(req2.opcode, ==, PXF_TFTP_OP_WRQ);
	g_assert_cmpint(req2.mode, ==, PXF_TFTP_MODE_OCTET);
	g_assert_false(req2.has_blksize);
}

static void
test_rrq_malformed(void)
{
	struct {
		const gchar *data;
		gsize len;
		const gchar *needle;
	} cases[] = {
		{"", 0, "not a read or write request"},
		{"\0", 1, "not a read or write request"},
		{"\0\1", 2, "file name not NUL-terminated"},
		{"\0\1pxelinux.0", 12, "file name not NUL-terminated"},
		{"\0\1pxelinux.0\0", 13, "transfer mode missing"},
		{"\0\1pxelinux.0\0octet", 18, "transfer mode missing"},
		{"\0\1pxelinux.0\0mail\0", 18, "unsupported transfer mode 'mail'"},
		{"\0\1pxelinux.0\0binary\0", 20, "unsupported transfer mode 'binary'"},
		{"\0\1pxelinux.0\0\0", 14, "unsupported transfer mode ''"},
		{"\0\3\0\1data", 8, "opcode 3"},
		{"\0\4\0\1", 4, "opcode 4"},
		{"\0\6blksize\0008\0", 12, "opcode 6"},
		{"\xff\xff", 2, "opcode 65535"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_auto(PxfTftpRequest) req = {0};
		g_autoptr(GError) error = NULL;
		g_autofree guint8 *copy = g_memdup2(cases[i].data, cases[i].len + 1);

		/* an exact-size heap copy, so a read past the end shows under ASan */
		g_test_message("case %u", i);
		g_assert_false(pxf_tftp_request_parse(&req, copy, cases[i].len, &error));
		g_assert_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ILLEGAL_OP);
		g_assert_nonnull(strstr(error->message, cases[i].needle));
		g_assert_null(req.filename);
	}
}

static void
test_rrq_exact_buffer(void)
{
	/* no byte past len is looked at: the request sits at the end of an
	 * allocation without a terminator of its own */
	const gchar raw[] = "\0\1file\0octet\0blksize\0001024";
	g_autofree guint8 *buf = g_memdup2(raw, sizeof(raw) - 1);
	g_auto(PxfTftpRequest) req = {0};
	g_autoptr(GError) error = NULL;

	g_assert_true(pxf_tftp_request_parse(&req, buf, sizeof(raw) - 1, &error));
	g_assert_no_error(error);
	g_assert_false(req.has_blksize); /* its value lacks the NUL: ignored */
	g_assert_cmpuint(req.n_ignored, ==, 1);
}

static void
test_rrq_empty_filename(void)
{
	g_auto(PxfTftpRequest) req = {0};
	g_autoptr(GError) error = NULL;

	/* syntactically fine; the path rules refuse it */
	g_assert_true(pxf_tftp_request_parse(&req, REQ("\0\1\0octet\0"), &error));
	g_assert_cmpstr(req.filename, ==, "");
}

static void
test_rrq_long_filename(void)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	g_auto(PxfTftpRequest) req = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *name = g_strnfill(PXF_TFTP_FILENAME_MAX + 1, 'a');

	g_byte_array_append(buf, (const guint8 *)"\0\1", 2);
	g_byte_array_append(buf, (const guint8 *)name, (guint)strlen(name) + 1);
	g_byte_array_append(buf, (const guint8 *)"octet", 6);
	g_assert_false(pxf_tftp_request_parse(&req, buf->data, buf->len, &error));
	g_assert_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_ILLEGAL_OP);

	/* exactly the limit is fine */
	g_clear_error(&error);
	g_byte_array_set_size(buf, 0);
	name[PXF_TFTP_FILENAME_MAX] = '\0';
	g_byte_array_append(buf, (const guint8 *)"\0\1", 2);
	g_byte_array_append(buf, (const guint8 *)name, (guint)strlen(name) + 1);
	g_byte_array_append(buf, (const guint8 *)"octet", 6);
	g_assert_true(pxf_tftp_request_parse(&req, buf->data, buf->len, &error));
	g_assert_cmpuint(strlen(req.filename), ==, PXF_TFTP_FILENAME_MAX);
}

static void
test_rrq_blksize_values(void)
{
	struct {
		const gchar *value;
		gboolean accepted;
		guint blksize;
	} cases[] = {
		{"8", TRUE, 8},
		{"512", TRUE, 512},
		{"65464", TRUE, 65464},
		{"65465", TRUE, 65464}, /* larger: clamped to the RFC 2348 maximum */
		{"99999999999999999999999999", TRUE, 65464},
		{"7", FALSE, 0},
		{"0", FALSE, 0},
		{"", FALSE, 0},
		{"-1", FALSE, 0},
		{"1468 ", FALSE, 0},
		{"0x100", FALSE, 0},
		{"1e3", FALSE, 0},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GByteArray) buf = g_byte_array_new();
		g_auto(PxfTftpRequest) req = {0};
		g_autoptr(GError) error = NULL;

		g_byte_array_append(buf, (const guint8 *)"\0\1f\0octet\0blksize", 18);
		g_byte_array_append(buf, (const guint8 *)cases[i].value,
				    (guint)strlen(cases[i].value) + 1);
		g_test_message("blksize '%s'", cases[i].value);
		g_assert_true(pxf_tftp_request_parse(&req, buf->data, buf->len, &error));
		g_assert_cmpint(req.has_blksize, ==, cases[i].accepted);
		g_assert_cmpuint(req.blksize, ==, cases[i].blksize);
		g_assert_cmpuint(req.n_ignored, ==, cases[i].accepted ? 0 : 1);
	}
}

static void
test_rrq_timeout_values(void)
{
	const gchar *bad[] = {"0", "256", "", "x", "99999999999999999999999"};
	g_auto(PxfTftpRequest) ok = {0};
	g_autoptr(GError) error = NULL;

	g_assert_true(pxf_tftp_request_parse(&ok, REQ("\0\1f\0octet\0timeout\000255\0"), &error));
	g_assert_true(ok.has_timeout);
	g_assert_cmpuint(ok.timeout, ==, 255);
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GByteArray) buf = g_byte_array_new();
		g_auto(PxfTftpRequest) req = {0};

		g_byte_array_append(buf, (const guint8 *)"\0\1f\0octet\0timeout", 18);
		g_byte_array_append(buf, (const guint8 *)bad[i], (guint)strlen(bad[i]) + 1);
		g_assert_true(pxf_tftp_request_parse(&req, buf->data, buf->len, &error));
		g_assert_false(req.has_timeout);
		g_assert_cmpuint(req.n_ignored, ==, 1);
	}
}

static void
test_rrq_duplicates_and_unknown(void)
{
	g_auto(PxfTftpRequest) req = {0};
	g_auto(PxfTftpRequest) req2 = {0};
	g_autoptr(GError) error = NULL;

	/* the first valid occurrence wins; repeats and unknown options are ignored */
	g_assert_true(pxf_tftp_request_parse(&req,
					     REQ("\0\1f\0octet\0blksize\0001024\0BLKSIZE\0002048\0"
						 "windowsize\0004\0multicast\0\0tsize\0000\0"
						 "tsize\00099\0"),
					     &error));
	g_assert_no_error(error);
	g_assert_cmpuint(req.blksize, ==, 1024);
	g_assert_true(req.has_tsize);
	g_assert_cmpuint(req.tsize, ==, 0);
	g_assert_cmpuint(req.n_ignored, ==, 4);

	/* an invalid first occurrence does not block a valid one after it */
	g_assert_true(pxf_tftp_request_parse(&req2,
					     REQ("\0\1f\0octet\0blksize\0abc\0blksize\000"
						 "1432\0"),
					     &error));
	g_assert_cmpuint(req2.blksize, ==, 1432);
	g_assert_cmpuint(req2.n_ignored, ==, 1);
}

static void
test_rrq_truncated_and_padding(void)
{
	g_auto(PxfTftpRequest) req = {0};
	g_auto(PxfTftpRequest) req2 = {0};
	g_auto(PxfTftpRequest) req3 = {0};
	g_autoptr(GError) error = NULL;

	/* an option name without its value */
	g_assert_true(pxf_tftp_request_parse(&req, REQ("\0\1f\0octet\0blksize\0"), &error));
	g_assert_false(req.has_blksize);
	g_assert_cmpuint(req.n_ignored, ==, 1);
	/* a name without its NUL */
	g_assert_true(pxf_tftp_request_parse(&req2, REQ("\0\1f\0octet\0tsi"), &error));
	g_assert_cmpuint(req2.n_ignored, ==, 1);
	/* NUL padding after the options, as some PXE ROMs send */
	g_assert_true(pxf_tftp_request_parse(
		&req3, REQ("\0\1f\0octet\0tsize\0000\0\0\0\0\0\0\0\0garbage"), &error));
	g_assert_true(req3.has_tsize);
	g_assert_cmpuint(req3.n_ignored, ==, 0);
}

static void
test_error_packets(void)
{
	g_autoptr(GBytes) std = pxf_tftp_packet_build_error(PXF_TFTP_ERROR_NOT_FOUND, NULL);
	g_autoptr(GBytes) custom = pxf_tftp_packet_build_error(0, "Too many transfers");
	g_autofree gchar *huge = g_strnfill(1000, 'x');
	g_autoptr(GBytes) cut = pxf_tftp_packet_build_error(0, huge);
	const guint8 expected[] = "\0\5\0\1File not found";
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(std, &len);
	guint16 code = 99;
	g_autofree gchar *message = NULL;
	g_autofree gchar *message2 = NULL;

	g_assert_cmpmem(data, len, expected, sizeof(expected));
	g_assert_true(pxf_tftp_packet_parse_error(data, len, &code, &message));
	g_assert_cmpuint(code, ==, 1);
	g_assert_cmpstr(message, ==, "File not found");

	data = g_bytes_get_data(custom, &len);
	g_assert_cmpuint(len, ==, 4 + strlen("Too many transfers") + 1);
	g_assert_cmpuint(data[3], ==, 0);
	g_assert_cmpuint(g_bytes_get_size(cut), ==, 4 + PXF_TFTP_ERROR_MSG_MAX + 1);

	/* a client's message without its NUL, with bytes to escape */
	g_assert_true(pxf_tftp_packet_parse_error((const guint8 *)"\0\5\0\10no\nway\x01", 11, &code,
						  &message2));
	g_assert_cmpuint(code, ==, 8);
	g_assert_cmpstr(message2, ==, "no\\nway\\001");
	g_assert_false(pxf_tftp_packet_parse_error((const guint8 *)"\0\5\0", 3, &code, &message));
	g_assert_false(pxf_tftp_packet_parse_error((const guint8 *)"\0\4\0\1", 4, &code, &message));
	g_assert_cmpstr(pxf_tftp_error_to_string(8), ==, "Option negotiation refused");
	g_assert_cmpstr(pxf_tftp_error_to_string(9), ==, "Unknown error");
}

static void
test_ack_and_data(void)
{
	guint16 block = 0;
	guint8 hdr[4];

	g_assert_true(pxf_tftp_packet_parse_ack((const guint8 *)"\0\4\xff\xfe", 4, &block));
	g_assert_cmpuint(block, ==, 65534);
	/* trailing bytes after an ACK are tolerated */
	g_assert_true(pxf_tftp_packet_parse_ack((const guint8 *)"\0\4\0\7xyz", 7, &block));
	g_assert_cmpuint(block, ==, 7);
	g_assert_false(pxf_tftp_packet_parse_ack((const guint8 *)"\0\4\0", 3, &block));
	g_assert_false(pxf_tftp_packet_parse_ack((const guint8 *)"\0\3\0\1", 4, &block));
	g_assert_cmpuint(pxf_tftp_packet_get_opcode(NULL, 0), ==, 0);
	g_assert_cmpuint(pxf_tftp_packet_get_opcode((const guint8 *)"\0", 1), ==, 0);

	pxf_tftp_packet_write_data_header(hdr, 0x1234);
	g_assert_cmpmem(hdr, 4, "\0\3\x12\x34", 4);
}

static void
test_oack(void)
{
	g_autoptr(GByteArray) oack = pxf_tftp_packet_oack_new();
	const guint8 expected[] = "\0\6blksize\0001468\0tsize\00033554944";

	pxf_tftp_packet_oack_add(oack, "blksize", 1468);
	pxf_tftp_packet_oack_add(oack, "tsize", 33554944);
	g_assert_cmpmem(oack->data, oack->len, expected, sizeof(expected));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/tftp/packet/rrq-all-options", test_rrq_all_options);
	g_test_add_func("/plugin/tftp/packet/rrq-case-and-modes", test_rrq_case_and_modes);
	g_test_add_func("/plugin/tftp/packet/rrq-malformed", test_rrq_malformed);
	g_test_add_func("/plugin/tftp/packet/rrq-exact-buffer", test_rrq_exact_buffer);
	g_test_add_func("/plugin/tftp/packet/rrq-empty-filename", test_rrq_empty_filename);
	g_test_add_func("/plugin/tftp/packet/rrq-long-filename", test_rrq_long_filename);
	g_test_add_func("/plugin/tftp/packet/rrq-blksize", test_rrq_blksize_values);
	g_test_add_func("/plugin/tftp/packet/rrq-timeout", test_rrq_timeout_values);
	g_test_add_func("/plugin/tftp/packet/rrq-duplicates", test_rrq_duplicates_and_unknown);
	g_test_add_func("/plugin/tftp/packet/rrq-truncated", test_rrq_truncated_and_padding);
	g_test_add_func("/plugin/tftp/packet/error", test_error_packets);
	g_test_add_func("/plugin/tftp/packet/ack-data", test_ack_and_data);
	g_test_add_func("/plugin/tftp/packet/oack", test_oack);
	return g_test_run();
}
