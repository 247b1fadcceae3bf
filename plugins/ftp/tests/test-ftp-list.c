/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How files are described: LIST lines, MLSD/MLST facts, MDTM times. */
#define G_LOG_DOMAIN "test-ftp-list"

#include <string.h>

#include "pxf-ftp-list.h"

static void
test_time_val(void)
{
	gchar buf[15];

	pxf_ftp_time_val(0, buf);
	g_assert_cmpstr(buf, ==, "19700101000000");
	pxf_ftp_time_val(1700000000, buf);
	g_assert_cmpstr(buf, ==, "20231114221320");
	/* years of five digits do not fit the format */
	pxf_ftp_time_val((time_t)400000000000LL, buf);
	g_assert_cmpstr(buf, ==, "19700101000000");
}

static void
test_list_line(void)
{
	g_autoptr(GString) out = g_string_new(NULL);
	struct stat file = {.st_mode = S_IFREG | 0644, .st_size = 700000, .st_mtime = 1700000000};
	struct stat dir = {.st_mode = S_IFDIR | 0755, .st_size = 123, .st_mtime = 1600000000};

	/* within six months: the time; older: the year */
	pxf_ftp_list_append_line(out, "install.img", &file, 1700000000 + 3600);
	g_assert_cmpstr(
		out->str, ==,
		"-r--r--r--   1 ftp      ftp            700000 Nov 14 22:13 install.img\r\n");
	g_string_truncate(out, 0);
	pxf_ftp_list_append_line(out, "with space", &dir, 1700000000);
	g_assert_cmpstr(
		out->str, ==,
		"dr-xr-xr-x   2 ftp      ftp              4096 Sep 13  2020 with space\r\n");
	g_string_truncate(out, 0);
	/* in the future: the year */
	pxf_ftp_list_append_line(out, "f", &file, 1600000000);
	g_assert_true(g_str_has_suffix(out->str, "Nov 14  2023 f\r\n"));
}

static void
test_facts(void)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree gchar *all = pxf_ftp_facts_feature(PXF_FTP_FACT_ALL);
	g_autofree gchar *some = pxf_ftp_facts_feature(PXF_FTP_FACT_TYPE | PXF_FTP_FACT_SIZE);
	struct stat file = {.st_mode = S_IFREG, .st_size = 10, .st_mtime = 0, .st_ino = 255};
	struct stat dir = {.st_mode = S_IFDIR, .st_size = 4096, .st_mtime = 0};

	g_assert_cmpstr(all, ==, "type*;size*;modify*;perm*;unique*;");
	g_assert_cmpstr(some, ==, "type*;size*;modify;perm;unique;");
	pxf_ftp_facts_append(out, PXF_FTP_FACT_ALL, NULL, ".treeinfo", &file);
	g_assert_cmpstr(out->str, ==,
			"type=file;size=10;modify=19700101000000;perm=r;unique=0Uff; .treeinfo");
	g_string_truncate(out, 0);
	/* directories have no size; the caller may name the type */
	pxf_ftp_facts_append(out, PXF_FTP_FACT_TYPE | PXF_FTP_FACT_SIZE | PXF_FTP_FACT_PERM, "cdir",
			     "/distros", &dir);
	g_assert_cmpstr(out->str, ==, "type=cdir;perm=el; /distros");
	g_string_truncate(out, 0);
	pxf_ftp_facts_append(out, 0, NULL, "x", &file);
	g_assert_cmpstr(out->str, ==, " x");

	g_assert_cmpint(pxf_ftp_facts_parse("type;SIZE;bogus;;"), ==,
			PXF_FTP_FACT_TYPE | PXF_FTP_FACT_SIZE);
	g_assert_cmpint(pxf_ftp_facts_parse(""), ==, 0);
	g_assert_cmpint(pxf_ftp_facts_parse(NULL), ==, 0);
	g_assert_cmpint(pxf_ftp_facts_parse("type;size;modify;perm;unique;"), ==, PXF_FTP_FACT_ALL);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/ftp/list/time-val", test_time_val);
	g_test_add_func("/plugin/ftp/list/list-line", test_list_line);
	g_test_add_func("/plugin/ftp/list/facts", test_facts);
	return g_test_run();
}
