/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The RFC 2090 option in requests and OACKs. */
#define G_LOG_DOMAIN "test-mtftp-packet"

#include <string.h>

#include "pxf-mtftp-packet.h"

static void
test_find_option(void)
{
	static const guint8 rrq[] = "\0\1pxelinux.0\0octet\0blksize\0"
				    "1428\0MultiCast\0\0tsize\0"
				    "0";
	static const guint8 plain[] = "\0\1pxelinux.0\0octet";
	/* an empty option name ends the list, as in the tftp parser */
	static const guint8 padded[] = "\0\1f\0octet\0\0multicast\0";
	const gchar *value = NULL;
	gsize value_len = 99;

	g_assert_true(
		pxf_mtftp_request_find_option(rrq, sizeof(rrq), "multicast", &value, &value_len));
	g_assert_cmpuint(value_len, ==, 0);
	g_assert_true(
		pxf_mtftp_request_find_option(rrq, sizeof(rrq), "blksize", &value, &value_len));
	g_assert_cmpmem(value, value_len, "1428", 4);
	g_assert_true(pxf_mtftp_request_find_option(rrq, sizeof(rrq), "tsize", &value, &value_len));
	g_assert_false(
		pxf_mtftp_request_find_option(rrq, sizeof(rrq), "timeout", &value, &value_len));
	g_assert_false(pxf_mtftp_request_find_option(plain, sizeof(plain), "multicast", &value,
						     &value_len));
	g_assert_false(pxf_mtftp_request_find_option(padded, sizeof(padded), "multicast", &value,
						     &value_len));
	/* every truncation: never a read past the end */
	for (gsize n = 0; n < sizeof(rrq); n++) {
		guint8 *copy = g_memdup2(rrq, n);
		pxf_mtftp_request_find_option(copy, n, "multicast", &value, &value_len);
		g_free(copy);
	}
}

static void
test_oack(void)
{
	g_autoptr(GBytes) full = pxf_mtftp_oack_build(1428, TRUE, 12345, "239.255.1.1", 3002, TRUE);
	g_autoptr(GBytes) bare = pxf_mtftp_oack_build(0, FALSE, 0, "239.255.1.9", 4000, FALSE);
	static const guint8 want_full[] = "\0\6blksize\0"
					  "1428\0tsize\0"
					  "12345\0multicast\0"
					  "239.255.1.1,3002,1";
	static const guint8 want_bare[] = "\0\6multicast\0"
					  "239.255.1.9,4000,0";
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(full, &len);

	g_assert_cmpmem(data, len, want_full, sizeof(want_full));
	data = g_bytes_get_data(bare, &len);
	g_assert_cmpmem(data, len, want_bare, sizeof(want_bare));
}

static void
test_value_parse(void)
{
	g_autofree gchar *addr = NULL;
	g_autoptr(GError) error = NULL;
	gboolean master = FALSE;
	gint port = 0;
	static const gchar *const bad[] = {
		"",	   "1.2.3.4", "1.2.3.4,5", "1.2.3.4,5,2", "1.2.3.4,x,1", "1.2.3.4,70000,1",
		"a,b,c,d", NULL};

	g_assert_true(pxf_mtftp_multicast_value_parse("239.255.1.1,3002,1", &addr, &port, &master,
						      &error));
	g_assert_no_error(error);
	g_assert_cmpstr(addr, ==, "239.255.1.1");
	g_assert_cmpint(port, ==, 3002);
	g_assert_true(master);
	g_clear_pointer(&addr, g_free);
	/* a new master's OACK may leave out the group it already has */
	g_assert_true(pxf_mtftp_multicast_value_parse(",,0", &addr, &port, &master, &error));
	g_assert_cmpstr(addr, ==, "");
	g_assert_cmpint(port, ==, -1);
	g_assert_false(master);
	for (guint i = 0; bad[i] != NULL; i++) {
		g_autofree gchar *a = NULL;
		g_assert_false(pxf_mtftp_multicast_value_parse(bad[i], &a, &port, &master, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_clear_error(&error);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugins/mtftp/packet/find-option", test_find_option);
	g_test_add_func("/plugins/mtftp/packet/oack", test_oack);
	g_test_add_func("/plugins/mtftp/packet/multicast-value", test_value_parse);
	return g_test_run();
}
