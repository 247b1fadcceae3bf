/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-inventory"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxf-inventory-private.h"
#include "pxf-test-paths.h"

/* ------------------------------------------------------------------------ */
/* helpers */

static gchar *
tmpdir_new(void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp("pxf-inventory-XXXXXX", &error);
	g_assert_no_error(error);
	return dir;
}

static void
rm_rf(const gchar *path)
{
	GDir *dir;
	const gchar *name;

	if (g_file_test(path, G_FILE_TEST_IS_SYMLINK) || !g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_unlink(path);
		return;
	}
	g_chmod(path, 0755);
	dir = g_dir_open(path, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		rm_rf(child);
	}
	if (dir != NULL)
		g_dir_close(dir);
	g_rmdir(path);
}

static gchar *
write_file(const gchar *dir, const gchar *rel, const gchar *contents)
{
	g_autoptr(GError) error = NULL;
	gchar *path = g_build_filename(dir, rel, NULL);
	g_autofree gchar *parent = g_path_get_dirname(path);

	g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
	g_file_set_contents(path, contents, -1, &error);
	g_assert_no_error(error);
	return path;
}

static gchar *
read_file(const gchar *path)
{
	g_autoptr(GError) error = NULL;
	gchar *data = NULL;
	g_file_get_contents(path, &data, NULL, &error);
	g_assert_no_error(error);
	return data;
}

static void
copy_tree(const gchar *src, const gchar *dst)
{
	g_autoptr(GDir) dir = g_dir_open(src, 0, NULL);
	const gchar *name;

	g_assert_nonnull(dir);
	g_assert_cmpint(g_mkdir_with_parents(dst, 0755), ==, 0);
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *s = g_build_filename(src, name, NULL);
		g_autofree gchar *d = g_build_filename(dst, name, NULL);
		if (g_file_test(s, G_FILE_TEST_IS_DIR)) {
			copy_tree(s, d);
		} else {
			g_autofree gchar *data = read_file(s);
			g_autoptr(GError) error = NULL;
			g_file_set_contents(d, data, -1, &error);
			g_assert_no_error(error);
		}
	}
}

/* A copy of the valid fixture configuration to import into. */
static gchar *
config_copy_new(void)
{
	g_autofree gchar *tmp = tmpdir_new();
	g_autofree gchar *src =
		pxf_test_build_filename("tests", "data", "inventory", "valid", NULL);
	gchar *dst = g_build_filename(tmp, "etc", NULL);
	copy_tree(src, dst);
	return dst;
}

static void
config_copy_free(gchar *dir)
{
	g_autofree gchar *parent = g_path_get_dirname(dir);
	rm_rf(parent);
	g_free(dir);
}

static gchar *
import_fixture(const gchar *name)
{
	return pxf_test_build_filename("tests", "data", "inventory", "import", name, NULL);
}

static void
dump_diags(GPtrArray *diags)
{
	for (guint i = 0; i < diags->len; i++) {
		g_autofree gchar *s = pxf_diag_to_string(g_ptr_array_index(diags, i));
		g_printerr("  diag: %s\n", s);
	}
}

/* Exactly one diagnostic at file:line:column, with this path and a message
 * containing msg. */
static void
assert_diag(GPtrArray *diags,
	    const gchar *file,
	    guint line,
	    guint column,
	    const gchar *path,
	    const gchar *msg)
{
	guint found = 0;
	for (guint i = 0; i < diags->len; i++) {
		const PxfDiag *d = g_ptr_array_index(diags, i);
		if (g_strcmp0(d->file, file) != 0 || d->line != line || d->column != column)
			continue;
		found++;
		if (g_strcmp0(d->path, path) != 0 || strstr(d->message, msg) == NULL) {
			dump_diags(diags);
			g_error("%s:%u:%u: expected path %s and '%s', got %s: '%s'", file, line,
				column, path, msg, d->path, d->message);
		}
		g_assert_false(d->warning);
	}
	if (found != 1) {
		dump_diags(diags);
		g_error("expected one diagnostic at %s:%u:%u ('%s'), found %u", file, line, column,
			msg, found);
	}
}

static void
assert_no_diags(GPtrArray *diags)
{
	if (diags->len != 0) {
		dump_diags(diags);
		g_error("expected no diagnostics, got %u", diags->len);
	}
}

static PxfInventory *
inventory_from_text(const gchar *text, const gchar *config_dir, GPtrArray *diags)
{
	g_autoptr(PxfConfNode) root = pxf_conf_parse_data("inv.yaml", text, strlen(text), diags);
	g_assert_nonnull(root);
	return pxf_inventory_new_from_config(root, config_dir, diags);
}

static PxfInventory *
inventory_from_dir(const gchar *dir, GPtrArray *diags)
{
	g_autoptr(PxfConfNode) root = pxf_conf_load_dir(dir, diags);
	return pxf_inventory_new_from_config(root, dir, diags);
}

/* ------------------------------------------------------------------------ */
/* identifiers */

static void
assert_mac(const gchar *text, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *mac = pxf_mac_normalize(text, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(mac, ==, expected);
}

static void
assert_mac_error(const gchar *text, const gchar *message)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *mac = pxf_mac_normalize(text, &error);
	g_assert_null(mac);
	g_assert_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID);
	g_assert_cmpstr(error->message, ==, message);
}

static void
test_mac(void)
{
	g_assert_cmpstr(g_quark_to_string(PXF_INVENTORY_ERROR), ==, "pxf_inventory_error_quark");
	assert_mac("52:54:00:12:34:56", "52:54:00:12:34:56");
	assert_mac("AA:BB:CC:DD:EE:0F", "aa:bb:cc:dd:ee:0f");
	assert_mac("AA-BB-CC-DD-EE-FF", "aa:bb:cc:dd:ee:ff");
	assert_mac("aabb.ccdd.eeff", "aa:bb:cc:dd:ee:ff");
	assert_mac("AABBCCDDEEFF", "aa:bb:cc:dd:ee:ff");
	assert_mac("01-aa-bb-cc-dd-ee-ff", "aa:bb:cc:dd:ee:ff");
	assert_mac(" 52:54:00:12:34:56\t", "52:54:00:12:34:56");
	/* multicast is a valid (if odd) identifier */
	assert_mac("01:00:5e:00:00:01", "01:00:5e:00:00:01");
	/* six octets starting with 01 is a MAC, not a pxelinux name */
	assert_mac("01-00-00-00-00-01", "01:00:00:00:00:01");

	assert_mac_error("52:54:00:12:34", "'52:54:00:12:34' has 5 octets, expected 6");
	assert_mac_error("52:54:00:12:34:56:78", "'52:54:00:12:34:56:78' has 7 octets, expected 6");
	assert_mac_error("02-aa-bb-cc-dd-ee-ff", "'02-aa-bb-cc-dd-ee-ff' has 7 octets, expected 6");
	assert_mac_error("52:54:00:12:34:zz",
			 "'52:54:00:12:34:zz': 'z' is not a hexadecimal digit");
	assert_mac_error("52:54:00:12:34:5",
			 "'52:54:00:12:34:5': octet 6 '5' must be two hex digits");
	assert_mac_error("52:54:00:12:34:", "'52:54:00:12:34:': octet 6 '' must be two hex digits");
	assert_mac_error("52:54-00:12:34:56", "'52:54-00:12:34:56' mixes ':' and '-' separators");
	assert_mac_error("aabb.ccdd", "'aabb.ccdd' has 2 dot-separated groups, expected 3 groups "
				      "of 4 hex digits (aabb.ccdd.eeff)");
	assert_mac_error("aabb.ccdd.eef", "'aabb.ccdd.eef': group 3 'eef' must be four hex digits");
	assert_mac_error("aabbccddee", "'aabbccddee' has 10 hex digits, expected 12");
	assert_mac_error("00:00:00:00:00:00",
			 "'00:00:00:00:00:00' is the all-zero address, not a network card");
	assert_mac_error("FF-FF-FF-FF-FF-FF",
			 "'FF-FF-FF-FF-FF-FF' is the broadcast address, not a network card");
	assert_mac_error("", "empty MAC address");
	assert_mac_error("52:54:00:12:34:é6",
			 "'52:54:00:12:34:é6': 'é' is not a hexadecimal digit");
	assert_mac_error("52:54:00:12:34:\xff", "MAC address is not valid UTF-8");
}

static void
assert_ipv4_error(const gchar *text, const gchar *message)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ip = pxf_ipv4_normalize(text, &error);
	g_assert_null(ip);
	g_assert_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID);
	g_assert_cmpstr(error->message, ==, message);
}

static void
test_ipv4(void)
{
	g_autofree gchar *ip = pxf_ipv4_normalize("192.168.50.11", NULL);
	g_autofree gchar *ip2 = pxf_ipv4_normalize("10.0.0.0", NULL);

	g_assert_cmpstr(ip, ==, "192.168.50.11");
	g_assert_cmpstr(ip2, ==, "10.0.0.0");
	assert_ipv4_error("192.168.1", "'192.168.1' has 3 parts, expected 4 (dotted-quad IPv4 "
				       "address)");
	assert_ipv4_error("192.168.1.300", "'192.168.1.300': part 4 '300' is out of range 0-255");
	assert_ipv4_error("192.168.1.1000",
			  "'192.168.1.1000': part 4 '1000' is out of range 0-255");
	assert_ipv4_error("192.168.01.1", "'192.168.01.1': part 3 '01' has a leading zero");
	assert_ipv4_error("192.168.a.1", "'192.168.a.1': part 3 'a' is not a decimal number");
	assert_ipv4_error("192.168.-1.1", "'192.168.-1.1': part 3 '-1' is not a decimal number");
	assert_ipv4_error("192..1.1", "'192..1.1': part 2 is empty");
	assert_ipv4_error("fe80::1", "'fe80::1' looks like an IPv6 address; a fixed address must "
				     "be IPv4");
	assert_ipv4_error("0.0.0.0", "'0.0.0.0' is in 0.0.0.0/8 (\"this network\"), not a host "
				     "address");
	assert_ipv4_error("127.0.0.1", "'127.0.0.1' is a loopback address, not a host address");
	assert_ipv4_error("224.0.0.1", "'224.0.0.1' is a multicast address, not a host address");
	assert_ipv4_error("255.255.255.255", "'255.255.255.255' is a reserved or broadcast "
					     "address, not a host address");
}

static void
test_uuid(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *uuid = pxf_uuid_normalize("4C4C4544-0042-3510-8057-B4C04F4A4D31", &error);
	g_autofree gchar *bad1 = NULL;
	g_autofree gchar *bad2 = NULL;
	g_autofree gchar *bad3 = NULL;
	g_autofree gchar *bad4 = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(uuid, ==, "4c4c4544-0042-3510-8057-b4c04f4a4d31");

	bad1 = pxf_uuid_normalize("4c4c4544-0042-3510-8057", &error);
	g_assert_null(bad1);
	g_assert_cmpstr(error->message, ==,
			"'4c4c4544-0042-3510-8057' has 23 characters, expected 36 "
			"(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
	g_clear_error(&error);
	bad2 = pxf_uuid_normalize("4c4c4544x0042-3510-8057-b4c04f4a4d31", &error);
	g_assert_null(bad2);
	g_assert_cmpstr(error->message, ==,
			"'4c4c4544x0042-3510-8057-b4c04f4a4d31': expected '-' at position 9 "
			"(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
	g_clear_error(&error);
	bad3 = pxf_uuid_normalize("4c4c4544-0042-3510-8057-b4c04f4a4dzz", &error);
	g_assert_null(bad3);
	g_assert_cmpstr(error->message, ==,
			"'4c4c4544-0042-3510-8057-b4c04f4a4dzz': 'z' at position 35 is not a "
			"hexadecimal digit");
	g_clear_error(&error);
	bad4 = pxf_uuid_normalize("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", &error);
	g_assert_null(bad4);
	g_assert_cmpstr(error->message, ==,
			"'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF' is the placeholder UUID of "
			"firmware that has none");
}

/* Option 61 in the inventory: spellings, errors at their place, duplicates
 * and the lookup the core's host.lookup makes before the MAC. */
static void
test_client_id(void)
{
	static const gchar *yaml = "hosts:\n"				   /* 1 */
				   "  - mac: 52:54:00:00:00:01\n"	   /* 2 */
				   "    client_id: 01:52:54:00:AA:BB:01\n" /* 3 */
				   "  - mac: 52:54:00:00:00:02\n"	   /* 4 */
				   "    client_id: ff00000000000102\n"	   /* 5 */
				   "  - mac: 52:54:00:00:00:03\n"	   /* 6 */
				   "    client_id: 01-52-54-00-aa-bb-01\n" /* 7 */
				   "  - mac: 52:54:00:00:00:04\n"	   /* 8 */
				   "    client_id: 01:5\n"		   /* 9 */
				   "  - mac: 52:54:00:00:00:05\n"	   /* 10 */
				   "    client_id: 01:zz\n";		   /* 11 */
	g_autofree gchar *dir = tmpdir_new();
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfInventory) inv = inventory_from_text(yaml, dir, diags);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *id = pxf_client_id_normalize("01:52:54:00:AB:CD:EF", &error);
	g_autofree gchar *bad1 = NULL;
	g_autofree gchar *bad2 = NULL;
	g_autofree gchar *long_id = NULL;
	const PxfHost *host;

	g_assert_no_error(error);
	g_assert_cmpstr(id, ==, "01525400abcdef");
	bad1 = pxf_client_id_normalize("01", &error);
	g_assert_null(bad1);
	g_assert_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID);
	g_clear_error(&error);
	bad2 = pxf_client_id_normalize("", &error);
	g_assert_null(bad2);
	g_clear_error(&error);
	/* 255 bytes is the most option 61 holds; 256 is refused */
	long_id = g_strnfill(510, 'a');
	g_clear_pointer(&id, g_free);
	id = pxf_client_id_normalize(long_id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(strlen(id), ==, 510);
	g_clear_pointer(&long_id, g_free);
	long_id = g_strnfill(512, 'a');
	g_assert_null(pxf_client_id_normalize(long_id, &error));
	g_assert_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID);
	g_clear_error(&error);

	assert_diag(diags, "inv.yaml", 7, 16, "hosts[2].client_id",
		    "duplicate client identifier 01525400aabb01, first defined at inv.yaml:3");
	assert_diag(diags, "inv.yaml", 9, 16, "hosts[3].client_id",
		    "invalid client identifier: '01:5' is not 2 to 255 bytes");
	assert_diag(diags, "inv.yaml", 11, 16, "hosts[4].client_id",
		    "invalid client identifier: '01:zz': 'z' at position 4");
	g_assert_cmpuint(diags->len, ==, 3);

	host = pxf_inventory_lookup_client_id(inv, "01525400aabb01");
	g_assert_nonnull(host);
	g_assert_cmpstr(pxf_host_get_mac(host), ==, "52:54:00:00:00:01");
	g_assert_cmpstr(pxf_host_get_client_id(host), ==, "01525400aabb01");
	g_assert_true(pxf_inventory_lookup_client_id(inv, "FF:00:00:00:00:00:01:02") ==
		      pxf_inventory_lookup_mac(inv, "52:54:00:00:00:02"));
	g_assert_null(pxf_inventory_lookup_client_id(inv, "01525400aabb02"));
	g_assert_null(pxf_inventory_lookup_client_id(inv, "nope"));
	g_assert_null(pxf_inventory_lookup_client_id(inv, NULL));
	rm_rf(dir);
}

static void
assert_hostname_error(const gchar *text, const gchar *message)
{
	g_autoptr(GError) error = NULL;
	g_assert_false(pxf_hostname_validate(text, &error));
	g_assert_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID);
	g_assert_cmpstr(error->message, ==, message);
}

static void
test_hostname(void)
{
	g_autofree gchar *label63 = g_strnfill(63, 'a');
	g_autofree gchar *label64 = g_strnfill(64, 'a');
	g_autofree gchar *msg64 = g_strdup_printf("'%s': label 1 is 64 characters long, at most "
						  "63 allowed",
						  label64);

	g_assert_true(pxf_hostname_validate("web01", NULL));
	g_assert_true(pxf_hostname_validate("3com.example.COM", NULL));
	g_assert_true(pxf_hostname_validate(label63, NULL));
	assert_hostname_error(label64, msg64);
	assert_hostname_error("web_01", "'web_01': '_' is not allowed in a host name (letters, "
					"digits and '-' only, RFC 1123)");
	assert_hostname_error("web01.", "'web01.' has an empty label");
	assert_hostname_error("-web", "'-web': label '-web' starts or ends with '-'");
	assert_hostname_error("a.web-", "'a.web-': label 'web-' starts or ends with '-'");
	assert_hostname_error("", "empty host name");
}

static void
test_suggest(void)
{
	const gchar *const keys[] = {"mac", "hostname", "ip", "profile", NULL};
	g_assert_cmpstr(pxf_inventory_suggest("hostnme", keys), ==, "hostname");
	g_assert_cmpstr(pxf_inventory_suggest("HOSTNAME", keys), ==, "hostname");
	g_assert_cmpstr(pxf_inventory_suggest("porfile", keys), ==, "profile");
	g_assert_cmpstr(pxf_inventory_suggest("macc", keys), ==, "mac");
	g_assert_null(pxf_inventory_suggest("colour", keys));
	g_assert_null(pxf_inventory_suggest("x", NULL));
}

/* ------------------------------------------------------------------------ */
/* building the inventory */

static void
test_valid(void)
{
	g_autofree gchar *dir =
		pxf_test_build_filename("tests", "data", "inventory", "valid", NULL);
	g_autofree gchar *tmpl = g_build_filename(dir, "templates", "centos7-ks.cfg", NULL);
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfInventory) inv = inventory_from_dir(dir, diags);
	GPtrArray *hosts;
	const PxfHost *host;
	const PxfProfile *profile;
	const PxfDistro *distro;

	assert_no_diags(diags);
	hosts = pxf_inventory_get_hosts(inv);
	g_assert_cmpuint(hosts->len, ==, 3);
	g_assert_cmpuint(pxf_inventory_get_profiles(inv)->len, ==, 2);
	g_assert_cmpuint(pxf_inventory_get_distros(inv)->len, ==, 1);

	/* configuration order: pxeforge.yaml, then conf.d */
	host = g_ptr_array_index(hosts, 0);
	g_assert_cmpstr(host->mac, ==, "52:54:00:12:34:56");
	g_assert_cmpuint(host->line, ==, 24);
	g_assert_true(g_str_has_suffix(host->file, "pxeforge.yaml"));
	host = g_ptr_array_index(hosts, 1);
	g_assert_cmpstr(pxf_host_get_mac(host), ==, "52:54:00:aa:bb:01");
	g_assert_cmpstr(pxf_host_get_hostname(host), ==, "db01.example.com");
	g_assert_cmpstr(pxf_host_get_ip(host), ==, "192.168.50.21");
	g_assert_null(pxf_host_get_uuid(host));
	g_assert_cmpstr(pxf_host_get_profile(host), ==, "db");
	g_assert_false(pxf_host_get_netboot(host));
	g_assert_true(g_str_has_suffix(host->file, "10-hosts.yaml"));
	g_assert_cmpuint(host->line, ==, 2);
	host = g_ptr_array_index(hosts, 2);
	g_assert_cmpstr(host->mac, ==, "52:54:00:aa:bb:02");
	g_assert_true(pxf_host_get_netboot(host));
	g_assert_null(pxf_host_get_profile(host));
	g_assert_null(pxf_host_get_ip(host));

	/* lookups: any MAC spelling, UUID in any case, IP */
	host = pxf_inventory_lookup_mac(inv, "01-52-54-00-12-34-56");
	g_assert_nonnull(host);
	g_assert_cmpstr(host->hostname, ==, "web01");
	g_assert_true(pxf_inventory_lookup_mac(inv, "5254.0012.3456") == host);
	g_assert_true(pxf_inventory_lookup_mac(inv, "525400123456") == host);
	g_assert_true(pxf_inventory_lookup_mac(inv, "52-54-00-12-34-56") == host);
	g_assert_true(pxf_inventory_lookup_uuid(inv, "4c4c4544-0042-3510-8057-b4c04f4a4d31") ==
		      host);
	g_assert_true(pxf_inventory_lookup_uuid(inv, "4C4C4544-0042-3510-8057-B4C04F4A4D31") ==
		      host);
	g_assert_cmpstr(pxf_host_get_uuid(host), ==, "4c4c4544-0042-3510-8057-b4c04f4a4d31");
	g_assert_true(pxf_inventory_lookup_ip(inv, "192.168.50.11") == host);
	g_assert_null(pxf_inventory_lookup_mac(inv, "52:54:00:12:34:57"));
	g_assert_null(pxf_inventory_lookup_mac(inv, "garbage"));
	g_assert_null(pxf_inventory_lookup_mac(inv, NULL));
	g_assert_null(pxf_inventory_lookup_uuid(inv, "4c4c4544-0042-3510-8057-b4c04f4a4d32"));
	g_assert_null(pxf_inventory_lookup_uuid(inv, "nope"));
	g_assert_null(pxf_inventory_lookup_ip(inv, "192.168.50.12"));
	g_assert_null(pxf_inventory_lookup_ip(inv, "192.168.050.11"));

	profile = pxf_inventory_get_profile(inv, "web");
	g_assert_nonnull(profile);
	g_assert_cmpstr(profile->distro, ==, "centos7");
	g_assert_cmpstr(profile->os, ==, "kickstart");
	g_assert_cmpstr(profile->template, ==, tmpl);
	g_assert_cmpuint(profile->line, ==, 14);
	g_assert_null(pxf_inventory_get_profile(inv, "nope"));
	distro = pxf_inventory_get_distro(inv, "centos7");
	g_assert_nonnull(distro);
	g_assert_cmpstr(distro->kernel, ==, "/srv/pxeforge/distros/centos7/images/pxeboot/vmlinuz");
	g_assert_cmpstr(distro->tree, ==, "http://mirror.example.com/centos/7/os/x86_64");
	g_assert_nonnull(distro->variables);
	g_assert_null(pxf_inventory_get_distro(inv, "debian12"));
}

/* Every kind of problem, each with its exact place and key path. */
static const gchar *errors_yaml = "variables:\n"				     /* 1 */
				  "  host: nope\n"				     /* 2 */
				  "distros:\n"					     /* 3 */
				  "  centos7:\n"				     /* 4 */
				  "    kernel: /k\n"				     /* 5 */
				  "    initrd: /i\n"				     /* 6 */
				  "    kernal: /typo\n"				     /* 7 */
				  "  \"bad name\":\n"				     /* 8 */
				  "    kernel: /k\n"				     /* 9 */
				  "    initrd: /i\n"				     /* 10 */
				  "  noinitrd:\n"				     /* 11 */
				  "    kernel: /k\n"				     /* 12 */
				  "profiles:\n"					     /* 13 */
				  "  web:\n"					     /* 14 */
				  "    distro: centos8\n"			     /* 15 */
				  "    os: kickstart\n"				     /* 16 */
				  "    template: missing.cfg\n"			     /* 17 */
				  "  db:\n"					     /* 18 */
				  "    distro: centos7\n"			     /* 19 */
				  "    os: kickstart\n"				     /* 20 */
				  "    template: t.cfg\n"			     /* 21 */
				  "    templte: x\n"				     /* 22 */
				  "  listy: [a]\n"				     /* 23 */
				  "hosts:\n"					     /* 24 */
				  "  - mac: 52:54:00:12:34\n"			     /* 25 */
				  "    hostname: web_01\n"			     /* 26 */
				  "    ip: 192.168.1.300\n"			     /* 27 */
				  "    uuid: not-a-uuid\n"			     /* 28 */
				  "    profile: wbe\n"				     /* 29 */
				  "    netboot: maybe\n"			     /* 30 */
				  "  - mac: 52:54:00:12:34:56\n"		     /* 31 */
				  "    hostname: web01\n"			     /* 32 */
				  "    ip: 192.168.1.10\n"			     /* 33 */
				  "    profile: db\n"				     /* 34 */
				  "  - mac: 52-54-00-12-34-56\n"		     /* 35 */
				  "    hostname: WEB01\n"			     /* 36 */
				  "    ip: 192.168.1.10\n"			     /* 37 */
				  "    macc: x\n"				     /* 38 */
				  "  - hostname: nomac\n"			     /* 39 */
				  "  - just a string\n"				     /* 40 */
				  "  - mac: [a, b]\n"				     /* 41 */
				  "  - mac: 52:54:00:00:00:09\n"		     /* 42 */
				  "    uuid: 4c4c4544-0042-3510-8057-b4c04f4a4d31\n" /* 43 */
				  "    variables: [1]\n"			     /* 44 */
				  "  - mac: 52:54:00:00:00:0a\n"		     /* 45 */
				  "    uuid: 4C4C4544-0042-3510-8057-B4C04F4A4D31\n" /* 46 */
				  "    variables:\n"				     /* 47 */
				  "      a.b: 1\n";				     /* 48 */

static void
test_errors(void)
{
	g_autofree gchar *dir = tmpdir_new();
	g_autofree gchar *tmpl = write_file(dir, "t.cfg", "text\n");
	g_autofree gchar *missing = g_build_filename(dir, "missing.cfg", NULL);
	g_autofree gchar *missing_msg = g_strdup_printf("template %s does not exist", missing);
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfInventory) inv = inventory_from_text(errors_yaml, dir, diags);
	const gchar *f = "inv.yaml";

	assert_diag(diags, f, 2, 3, "variables.host", "'host' is a built-in variable");
	assert_diag(diags, f, 7, 5, "distros.centos7.kernal",
		    "unknown key 'kernal' in a distro (did you mean 'kernel'?)");
	assert_diag(diags, f, 8, 3, "distros.bad name", "invalid name 'bad name'");
	assert_diag(diags, f, 11, 3, "distros.noinitrd", "missing required key 'initrd'");
	assert_diag(diags, f, 15, 13, "profiles.web.distro",
		    "unknown distro 'centos8' (did you mean 'centos7'?)");
	assert_diag(diags, f, 17, 15, "profiles.web.template", missing_msg);
	assert_diag(diags, f, 22, 5, "profiles.db.templte",
		    "unknown key 'templte' in a profile (did you mean 'template'?)");
	assert_diag(diags, f, 23, 10, "profiles.listy", "expected a mapping, got a list");
	assert_diag(diags, f, 25, 10, "hosts[0].mac",
		    "invalid MAC: '52:54:00:12:34' has 5 octets, expected 6");
	assert_diag(diags, f, 26, 15, "hosts[0].hostname", "invalid hostname: 'web_01': '_'");
	assert_diag(diags, f, 27, 9, "hosts[0].ip",
		    "invalid IP: '192.168.1.300': part 4 '300' is out of range");
	assert_diag(diags, f, 28, 11, "hosts[0].uuid", "invalid UUID: 'not-a-uuid' has 10");
	assert_diag(diags, f, 29, 14, "hosts[0].profile",
		    "unknown profile 'wbe' (did you mean 'web'?)");
	assert_diag(diags, f, 30, 14, "hosts[0].netboot",
		    "expected a boolean (true/false, yes/no, on/off), got 'maybe'");
	assert_diag(diags, f, 35, 10, "hosts[2].mac",
		    "duplicate MAC 52:54:00:12:34:56, first defined at inv.yaml:31");
	assert_diag(diags, f, 36, 15, "hosts[2].hostname",
		    "duplicate hostname WEB01, first defined at inv.yaml:32");
	assert_diag(diags, f, 37, 9, "hosts[2].ip",
		    "duplicate IP 192.168.1.10, first defined at inv.yaml:33");
	assert_diag(diags, f, 38, 5, "hosts[2].macc",
		    "unknown key 'macc' in a host (did you mean 'mac'?)");
	assert_diag(diags, f, 39, 5, "hosts[3]", "missing required key 'mac'");
	assert_diag(diags, f, 40, 5, "hosts[4]", "expected a host mapping, got a scalar");
	assert_diag(diags, f, 41, 10, "hosts[5].mac", "expected a string, got a list");
	assert_diag(diags, f, 44, 16, "hosts[6].variables",
		    "expected a mapping of variables, got a list");
	assert_diag(diags, f, 46, 11, "hosts[7].uuid",
		    "duplicate UUID 4c4c4544-0042-3510-8057-b4c04f4a4d31, first defined at "
		    "inv.yaml:43");
	assert_diag(diags, f, 48, 7, "hosts[7].variables.a.b", "must be non-empty and contain no");
	g_assert_cmpuint(diags->len, ==, 24);
	g_assert_cmpuint(pxf_diags_count_errors(diags), ==, 24);

	/* entries with errors are left out, but a host with a valid, unique
	 * MAC is still findable */
	g_assert_null(pxf_inventory_get_distro(inv, "centos7"));
	g_assert_null(pxf_inventory_get_distro(inv, "noinitrd"));
	g_assert_null(pxf_inventory_get_profile(inv, "web"));
	g_assert_nonnull(pxf_inventory_lookup_mac(inv, "52:54:00:12:34:56"));
	g_assert_cmpstr(pxf_inventory_lookup_mac(inv, "52:54:00:12:34:56")->hostname, ==, "web01");

	rm_rf(dir);
	(void)tmpl;
}

/* "loader" and "secure_boot" of profiles and hosts: a host's own keys win
 * over its profile's, each kept with where it is set; malformed values are
 * diagnostics; pxf_inventory_check_loaders() refuses loaders that are not
 * running, once, where they are written. */
static const gchar *const boot_choice_yaml = "distros:\n"		       /* 1 */
					     "  d: {kernel: /k, initrd: /i}\n" /* 2 */
					     "profiles:\n"		       /* 3 */
					     "  web:\n"			       /* 4 */
					     "    distro: d\n"		       /* 5 */
					     "    os: kickstart\n"	       /* 6 */
					     "    template: t.cfg\n"	       /* 7 */
					     "    loader: ipxe\n"	       /* 8 */
					     "    secure_boot: true\n"	       /* 9 */
					     "  old:\n"			       /* 10 */
					     "    distro: d\n"		       /* 11 */
					     "    os: kickstart\n"	       /* 12 */
					     "    template: t.cfg\n"	       /* 13 */
					     "    loader: syslinux\n"	       /* 14 */
					     "hosts:\n"			       /* 15 */
					     "  - mac: 52:54:00:00:00:01\n"    /* 16 */
					     "    profile: web\n"	       /* 17 */
					     "  - mac: 52:54:00:00:00:02\n"    /* 18 */
					     "    profile: web\n"	       /* 19 */
					     "    loader: grub-efi\n"	       /* 20 */
					     "    secure_boot: off\n"	       /* 21 */
					     "  - mac: 52:54:00:00:00:03\n"    /* 22 */
					     "  - mac: 52:54:00:00:00:04\n"    /* 23 */
					     "    profile: old\n"	       /* 24 */
					     "  - mac: 52:54:00:00:00:05\n"    /* 25 */
					     "    loader: [ipxe]\n"	       /* 26 */
					     "    secure_boot: maybe\n"	       /* 27 */
					     "  - mac: 52:54:00:00:00:06\n"    /* 28 */
					     "    loader: 'Grub EFI'\n";       /* 29 */

static gboolean
only_ipxe_and_grub(const gchar *name, gpointer user_data)
{
	(*(guint *)user_data)++;
	return g_strcmp0(name, "ipxe") == 0 || g_strcmp0(name, "grub-efi") == 0;
}

static void
test_boot_choice(void)
{
	g_autofree gchar *dir = tmpdir_new();
	g_autofree gchar *tmpl = write_file(dir, "t.cfg", "text\n");
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfInventory) inv = inventory_from_text(boot_choice_yaml, dir, diags);
	const PxfHost *host;
	gboolean secure_boot = FALSE;
	guint asked = 0;

	assert_diag(diags, "inv.yaml", 26, 13, "hosts[4].loader",
		    "expected a boot loader plugin name, got a list");
	assert_diag(diags, "inv.yaml", 27, 18, "hosts[4].secure_boot",
		    "expected a boolean (true/false, yes/no, on/off), got 'maybe'");
	assert_diag(diags, "inv.yaml", 29, 13, "hosts[5].loader",
		    "invalid boot loader name 'Grub EFI'");
	g_assert_cmpuint(diags->len, ==, 3);

	/* the profile's choice */
	host = pxf_inventory_lookup_mac(inv, "52:54:00:00:00:01");
	g_assert_cmpstr(pxf_host_get_loader(host), ==, "ipxe");
	g_assert_true(pxf_host_get_secure_boot(host, &secure_boot));
	g_assert_true(secure_boot);
	g_assert_cmpuint(host->boot.loader_node->line, ==, 8);
	/* the host's own keys win */
	host = pxf_inventory_lookup_mac(inv, "52:54:00:00:00:02");
	g_assert_cmpstr(pxf_host_get_loader(host), ==, "grub-efi");
	g_assert_true(pxf_host_get_secure_boot(host, &secure_boot));
	g_assert_false(secure_boot);
	g_assert_cmpuint(host->boot.loader_node->line, ==, 20);
	g_assert_cmpuint(host->boot.secure_boot_node->line, ==, 21);
	/* nothing named: the plugins' order and the plugin's secure_boot */
	host = pxf_inventory_lookup_mac(inv, "52:54:00:00:00:03");
	g_assert_null(pxf_host_get_loader(host));
	secure_boot = TRUE;
	g_assert_false(pxf_host_get_secure_boot(host, &secure_boot));
	g_assert_true(secure_boot);

	/* syslinux is refused once, at the profile, not again at its host */
	g_ptr_array_set_size(diags, 0);
	pxf_inventory_check_loaders(inv, only_ipxe_and_grub, &asked, "ipxe, grub-efi", diags);
	assert_diag(diags, "inv.yaml", 14, 13, "profiles.old.loader",
		    "profile old names boot loader 'syslinux', which is not an enabled boot "
		    "loader plugin (enabled: ipxe, grub-efi)");
	g_assert_cmpuint(diags->len, ==, 1);
	/* web, old, and the host that names its own */
	g_assert_cmpuint(asked, ==, 3);

	rm_rf(dir);
	(void)tmpl;
}

static void
test_wrong_kinds(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfInventory) inv = inventory_from_text("variables: [a]\n"
							  "distros: [centos7]\n"
							  "profiles: web\n"
							  "hosts:\n"
							  "  mac: 52:54:00:12:34:56\n",
							  "/nonexistent", diags);

	assert_diag(diags, "inv.yaml", 1, 12, "variables",
		    "expected a mapping of variables, got a list");
	assert_diag(diags, "inv.yaml", 2, 10, "distros",
		    "expected a mapping of distros by name, got a list");
	assert_diag(diags, "inv.yaml", 3, 11, "profiles",
		    "expected a mapping of profiles by name, got a scalar");
	assert_diag(diags, "inv.yaml", 5, 3, "hosts",
		    "expected a sequence of hosts, got a mapping");
	g_assert_cmpuint(diags->len, ==, 4);
	g_assert_cmpuint(pxf_inventory_get_hosts(inv)->len, ==, 0);
}

static void
test_empty(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfInventory) inv = inventory_from_text("hosts:\ndistros: ~\n", NULL, diags);
	g_autoptr(PxfInventory) inv2 = pxf_inventory_new_from_config(NULL, NULL, diags);
	g_autoptr(PxfVars) vars = pxf_inventory_resolve_vars(inv, NULL);
	g_autoptr(GPtrArray) names = pxf_vars_get_names(vars);

	assert_no_diags(diags);
	g_assert_cmpuint(pxf_inventory_get_hosts(inv)->len, ==, 0);
	g_assert_cmpuint(pxf_inventory_get_hosts(inv2)->len, ==, 0);
	g_assert_cmpuint(names->len, ==, 0);
}

static void
test_template_unreadable(void)
{
	g_autofree gchar *dir = tmpdir_new();
	g_autofree gchar *locked = write_file(dir, "locked.cfg", "secret\n");
	g_autofree gchar *subdir = g_build_filename(dir, "adir", NULL);
	g_autofree gchar *msg_dir = g_strdup_printf("template %s is not a regular file", subdir);
	g_autofree gchar *msg_locked =
		g_strdup_printf("template %s cannot be read: Permission denied", locked);
	g_autofree gchar *yaml = g_strdup_printf(
		"distros:\n"
		"  d: {kernel: /k, initrd: /i}\n"
		"profiles:\n"
		"  a: {distro: d, os: kickstart, template: adir}\n"
		"  b: {distro: d, os: kickstart, template: %s}\n"
		"  c: {distro: d, os: 'kick start', template: adir/../locked.cfg}\n",
		locked);
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfInventory) inv = NULL;
	gboolean root = geteuid() == 0;

	g_assert_cmpint(g_mkdir(subdir, 0755), ==, 0);
	g_assert_cmpint(g_chmod(locked, 0), ==, 0);
	inv = inventory_from_text(yaml, dir, diags);
	assert_diag(diags, "inv.yaml", 4, 43, "profiles.a.template", msg_dir);
	assert_diag(diags, "inv.yaml", 6, 22, "profiles.c.os",
		    "invalid OS profile plugin name 'kick start'");
	if (root) {
		/* root reads anything: only the directory and the name fail */
		g_assert_cmpuint(diags->len, ==, 2);
	} else {
		assert_diag(diags, "inv.yaml", 5, 43, "profiles.b.template", msg_locked);
		/* named as resolved: relative to the directory, ".." folded */
		assert_diag(diags, "inv.yaml", 6, 46, "profiles.c.template", msg_locked);
		g_assert_cmpuint(diags->len, ==, 4);
	}
	rm_rf(dir);
}

/* Hosts from several files: duplicates name both files. */
static void
test_duplicates_across_files(void)
{
	g_autofree gchar *dir = tmpdir_new();
	g_autofree gchar *a = write_file(dir, "conf.d/10-a.yaml",
					 "hosts:\n"
					 "  - mac: 52:54:00:12:34:56\n"
					 "    hostname: web01\n"
					 "    ip: 10.1.1.1\n");
	g_autofree gchar *b = write_file(dir, "conf.d/20-b.yaml",
					 "# second file\n"
					 "hosts:\n"
					 "  - mac: 5254.0012.3456\n"
					 "    hostname: Web01\n"
					 "    ip: 10.1.1.1\n");
	g_autofree gchar *msg_mac =
		g_strdup_printf("duplicate MAC 52:54:00:12:34:56, first defined at %s:2", a);
	g_autofree gchar *msg_name =
		g_strdup_printf("duplicate hostname Web01, first defined at %s:3", a);
	g_autofree gchar *msg_ip =
		g_strdup_printf("duplicate IP 10.1.1.1, first defined at %s:4", a);
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfInventory) inv = inventory_from_dir(dir, diags);

	assert_diag(diags, b, 3, 10, "hosts[1].mac", msg_mac);
	assert_diag(diags, b, 4, 15, "hosts[1].hostname", msg_name);
	assert_diag(diags, b, 5, 9, "hosts[1].ip", msg_ip);
	g_assert_cmpuint(diags->len, ==, 3);
	g_assert_cmpuint(pxf_inventory_get_hosts(inv)->len, ==, 1);
	rm_rf(dir);
}

/* ------------------------------------------------------------------------ */
/* variables */

static const gchar *resolve_yaml = "variables:\n"
				   "  timezone: UTC\n"
				   "  packages: [vim, curl]\n"
				   "  level: globals\n"
				   "  only_global: g\n"
				   "distros:\n"
				   "  centos7:\n"
				   "    kernel: /k/vmlinuz\n"
				   "    initrd: /k/initrd.img\n"
				   "    tree: http://mirror/centos7\n"
				   "    variables:\n"
				   "      level: distro\n"
				   "      only_distro: d\n"
				   "      packages: [emacs]\n"
				   "profiles:\n"
				   "  web:\n"
				   "    distro: centos7\n"
				   "    os: kickstart\n"
				   "    template: t.cfg\n"
				   "    variables:\n"
				   "      level: profile\n"
				   "      only_profile: p\n"
				   "      disk: {device: sda, size: 20}\n"
				   "hosts:\n"
				   "  - mac: 52-54-00-12-34-56\n"
				   "    hostname: web01\n"
				   "    ip: 192.168.50.11\n"
				   "    uuid: 4C4C4544-0042-3510-8057-B4C04F4A4D31\n"
				   "    profile: web\n"
				   "    variables:\n"
				   "      level: host\n"
				   "      timezone: Europe/Paris\n"
				   "      disk: {device: vda}\n"
				   "      debug: true\n"
				   "      quoted: 'true'\n"
				   "  - mac: 52:54:00:00:00:02\n";

static gchar *
lookup_string(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(vars, name);
	if (value == NULL)
		return NULL;
	g_assert_true(g_variant_is_of_type(value, G_VARIANT_TYPE_STRING));
	return g_variant_dup_string(value, NULL);
}

#define assert_var(vars, name, expected)                                                           \
	do {                                                                                       \
		g_autofree gchar *_v = lookup_string(vars, name);                                  \
		g_assert_cmpstr(_v, ==, expected);                                                 \
	} while (0)

static void
test_resolve(void)
{
	g_autofree gchar *dir = tmpdir_new();
	g_autofree gchar *tmpl = write_file(dir, "t.cfg", "x\n");
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfInventory) inv = inventory_from_text(resolve_yaml, dir, diags);
	const PxfHost *host = pxf_inventory_lookup_mac(inv, "52:54:00:12:34:56");
	const PxfHost *bare = pxf_inventory_lookup_mac(inv, "52:54:00:00:00:02");
	g_autoptr(PxfVars) vars = NULL;
	g_autoptr(PxfVars) bare_vars = NULL;
	g_autoptr(PxfVars) unknown = NULL;
	g_autoptr(GVariant) packages = NULL;
	g_autoptr(GVariant) debug = NULL;
	g_autoptr(GVariant) size = NULL;
	g_autoptr(GVariant) absent = NULL;
	g_autoptr(GPtrArray) names = NULL;
	const gchar *const expected_names[] = {
		"debug",       "disk",	       "distro",   "host",    "level",	"only_distro",
		"only_global", "only_profile", "packages", "profile", "quoted", "timezone",
		NULL};

	assert_no_diags(diags);
	g_assert_nonnull(host);
	vars = pxf_inventory_resolve_vars(inv, host);

	/* each level overrides the previous one, and says where it came from */
	assert_var(vars, "level", "host");
	g_assert_cmpstr(pxf_vars_get_origin(vars, "level"), ==, "host 52:54:00:12:34:56");
	assert_var(vars, "timezone", "Europe/Paris");
	g_assert_cmpstr(pxf_vars_get_origin(vars, "timezone"), ==, "host 52:54:00:12:34:56");
	assert_var(vars, "only_global", "g");
	g_assert_cmpstr(pxf_vars_get_origin(vars, "only_global"), ==, "globals");
	assert_var(vars, "only_distro", "d");
	g_assert_cmpstr(pxf_vars_get_origin(vars, "only_distro"), ==, "distro centos7");
	assert_var(vars, "only_profile", "p");
	g_assert_cmpstr(pxf_vars_get_origin(vars, "only_profile"), ==, "profile web");
	/* top-level names are replaced whole, not merged */
	packages = pxf_vars_lookup(vars, "packages");
	g_assert_cmpstr(g_variant_get_type_string(packages), ==, "av");
	g_assert_cmpuint(g_variant_n_children(packages), ==, 1);
	g_assert_cmpstr(pxf_vars_get_origin(vars, "packages"), ==, "distro centos7");
	assert_var(vars, "disk.device", "vda");
	size = pxf_vars_lookup(vars, "disk.size");
	g_assert_null(size);
	debug = pxf_vars_lookup(vars, "debug");
	g_assert_true(g_variant_get_boolean(debug));
	assert_var(vars, "quoted", "true");

	/* built-in dictionaries */
	assert_var(vars, "host.mac", "52:54:00:12:34:56");
	assert_var(vars, "host.mac_dashes", "52-54-00-12-34-56");
	assert_var(vars, "host.hostname", "web01");
	assert_var(vars, "host.ip", "192.168.50.11");
	assert_var(vars, "host.uuid", "4c4c4544-0042-3510-8057-b4c04f4a4d31");
	assert_var(vars, "host.profile", "web");
	g_assert_cmpstr(pxf_vars_get_origin(vars, "host"), ==, "built-in");
	assert_var(vars, "profile.name", "web");
	assert_var(vars, "profile.os", "kickstart");
	assert_var(vars, "profile.template", tmpl);
	g_assert_cmpstr(pxf_vars_get_origin(vars, "profile"), ==, "built-in");
	assert_var(vars, "distro.name", "centos7");
	assert_var(vars, "distro.kernel", "/k/vmlinuz");
	assert_var(vars, "distro.initrd", "/k/initrd.img");
	assert_var(vars, "distro.tree", "http://mirror/centos7");
	g_assert_cmpstr(pxf_vars_get_origin(vars, "distro"), ==, "built-in");
	names = pxf_vars_get_names(vars);
	g_assert_cmpuint(names->len, ==, g_strv_length((gchar **)expected_names));
	for (guint i = 0; i < names->len; i++)
		g_assert_cmpstr(g_ptr_array_index(names, i), ==, expected_names[i]);

	/* a host without profile: globals, and only its own dictionary */
	bare_vars = pxf_inventory_resolve_vars(inv, bare);
	assert_var(bare_vars, "level", "globals");
	assert_var(bare_vars, "host.mac", "52:54:00:00:00:02");
	absent = pxf_vars_lookup(bare_vars, "host.ip");
	g_assert_null(absent);
	assert_var(bare_vars, "profile.name", NULL);
	assert_var(bare_vars, "distro.name", NULL);

	/* an unknown host: globals only */
	unknown = pxf_inventory_resolve_vars(inv, NULL);
	assert_var(unknown, "level", "globals");
	assert_var(unknown, "timezone", "UTC");
	assert_var(unknown, "host.mac", NULL);
	assert_var(unknown, "only_distro", NULL);
	g_ptr_array_unref(names);
	names = pxf_vars_get_names(unknown);
	g_assert_cmpuint(names->len, ==, 4);
	rm_rf(dir);
}

/* ------------------------------------------------------------------------ */
/* import */

static gint
import(const gchar *config_dir, const gchar *file, GPtrArray *diags, GError **error)
{
	return pxf_hosts_import(config_dir, file, diags, error);
}

/* A FIFO or a link to /dev/zero as the file to import: refused at once */
static void
test_import_special(void)
{
	g_autofree gchar *conf = config_copy_new();
	g_autofree gchar *fifo = g_build_filename(conf, "hosts.csv", NULL);
	g_autofree gchar *zero = g_build_filename(conf, "zero.yaml", NULL);
	g_autofree gchar *expected = NULL;
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
	g_assert_cmpint(symlink("/dev/zero", zero), ==, 0);
	alarm(30); /* a regression waits for a writer or reads forever */
	g_assert_cmpint(import(conf, fifo, diags, &error), ==, -1);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
	expected = g_strdup_printf("cannot import: %s: not a regular file (a FIFO)", fifo);
	g_assert_cmpstr(error->message, ==, expected);
	g_clear_error(&error);
	g_assert_cmpint(import(conf, zero, diags, &error), ==, -1);
	alarm(0);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
	g_assert_nonnull(strstr(error->message, "not a regular file (a character device)"));
	assert_no_diags(diags);
	rm_rf(conf);
}

static void
test_import_csv(void)
{
	g_autofree gchar *conf = config_copy_new();
	g_autofree gchar *file = import_fixture("quoted.csv");
	g_autofree gchar *out = g_build_filename(conf, "conf.d", "90-hosts.yaml", NULL);
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(GPtrArray) diags2 = pxf_diags_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfInventory) inv = NULL;
	g_autofree gchar *written = NULL;
	g_autofree gchar *written_again = NULL;
	g_autofree gchar *msg = NULL;
	const PxfHost *host;
	gint n;

	n = import(conf, file, diags, &error);
	g_assert_no_error(error);
	assert_no_diags(diags);
	g_assert_cmpint(n, ==, 3);
	g_assert_true(g_file_test(out, G_FILE_TEST_IS_REGULAR));
	written = read_file(out);

	inv = inventory_from_dir(conf, diags);
	assert_no_diags(diags);
	g_assert_cmpuint(pxf_inventory_get_hosts(inv)->len, ==, 6);
	host = pxf_inventory_lookup_mac(inv, "52:54:00:00:10:01");
	g_assert_nonnull(host);
	g_assert_cmpstr(host->hostname, ==, "web10");
	g_assert_cmpstr(host->ip, ==, "192.168.60.10");
	g_assert_cmpstr(host->profile, ==, "web");
	g_assert_true(host->netboot);
	g_assert_null(host->uuid);
	g_assert_cmpstr(host->file, ==, out);
	host = pxf_inventory_lookup_mac(inv, "52:54:00:00:10:02");
	g_assert_nonnull(host);
	g_assert_cmpstr(host->hostname, ==, "web11");
	g_assert_false(host->netboot);
	host = pxf_inventory_lookup_uuid(inv, "4c4c4544-0042-3510-8057-b4c04f4a4d40");
	g_assert_nonnull(host);
	g_assert_cmpstr(host->hostname, ==, "db10");
	g_assert_cmpstr(host->mac, ==, "52:54:00:00:10:03");
	g_assert_null(host->ip);

	/* importing the same hosts again is a duplicate, not an overwrite */
	n = import(conf, file, diags2, &error);
	g_assert_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID);
	g_assert_cmpint(n, ==, -1);
	msg = g_strdup_printf("duplicate MAC 52:54:00:00:10:01, first defined at %s:", out);
	assert_diag(diags2, file, 3, 7, "hosts[0].mac", msg);
	assert_diag(diags2, file, 4, 11, "hosts[1].mac", "duplicate MAC 52:54:00:00:10:02");
	assert_diag(diags2, file, 6, 8, "hosts[2].mac", "duplicate MAC 52:54:00:00:10:03");
	/* the hostname and IP clash too; the UUID as well */
	g_assert_cmpuint(pxf_diags_count_errors(diags2), ==, 3 + 3 + 2 + 1);
	written_again = read_file(out);
	g_assert_cmpstr(written, ==, written_again);
	config_copy_free(g_steal_pointer(&conf));
}

static void
test_import_bad_rows(void)
{
	g_autofree gchar *conf = config_copy_new();
	g_autofree gchar *file = import_fixture("bad-rows.csv");
	g_autofree gchar *out = g_build_filename(conf, "conf.d", "90-hosts.yaml", NULL);
	g_autofree gchar *msg = g_strdup_printf("first defined at %s:2", file);
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(GError) error = NULL;
	gint n;

	n = import(conf, file, diags, &error);
	g_assert_cmpint(n, ==, -1);
	g_assert_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "3 problem(s)"));
	assert_diag(diags, file, 3, 19, "hosts[1].hostname", "'bad_host': '_' is not allowed");
	assert_diag(diags, file, 7, 1, "hosts[3].mac", "duplicate MAC 52:54:00:00:20:01");
	assert_diag(diags, file, 8, 36, "hosts[4].profile", "unknown profile 'nosuchprofile'");
	g_assert_nonnull(strstr(((PxfDiag *)g_ptr_array_index(diags, 1))->message, msg));
	g_assert_cmpuint(diags->len, ==, 3);
	/* nothing written, not even a temporary file */
	g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
	{
		g_autofree gchar *confd = g_build_filename(conf, "conf.d", NULL);
		g_autoptr(GDir) d = g_dir_open(confd, 0, NULL);
		guint count = 0;
		while (g_dir_read_name(d) != NULL)
			count++;
		g_assert_cmpuint(count, ==, 1);
	}
	config_copy_free(g_steal_pointer(&conf));
}

static void
test_import_quoting(void)
{
	g_autofree gchar *conf = config_copy_new();
	g_autofree gchar *file = import_fixture("multiline.csv");
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(import(conf, file, diags, &error), ==, -1);
	assert_diag(diags, file, 2, 19, "hosts[0].hostname", "'bad,name': ',' is not allowed");
	assert_diag(diags, file, 3, 19, "hosts[1].hostname", "'two\nlines': '\n' is not allowed");
	assert_diag(diags, file, 5, 19, "hosts[2].hostname", "'say \"hi\"': ' ' is not allowed");
	assert_diag(diags, file, 6, 24, "hosts[3].profile", "unknown profile 'we\nb'");
	assert_diag(diags, file, 8, 20, NULL, "'\"' inside an unquoted field");
	assert_diag(diags, file, 9, 22, NULL, "unexpected text after a closing quote");
	assert_diag(diags, file, 10, 1, NULL, "row has 2 fields, the header has 3");
	g_assert_cmpuint(diags->len, ==, 7);
	config_copy_free(g_steal_pointer(&conf));
}

static void
test_import_csv_header(void)
{
	g_autofree gchar *conf = config_copy_new();
	g_autofree gchar *dir = tmpdir_new();
	g_autofree gchar *unknown = write_file(dir, "a.csv", "\n# hosts\nmac, hostnme,ip\n");
	g_autofree gchar *nomac = write_file(dir, "b.CSV", "hostname,hostname\nx,y\n");
	g_autofree gchar *empty = write_file(dir, "c.csv", "# nothing\n\n");
	g_autofree gchar *quote = write_file(dir, "d.csv", "mac\n\"52:54:00:12:34:99\n");
	g_autofree gchar *binary = write_file(dir, "e.csv", "mac\n52:54\xff\n");
	g_autofree gchar *txt = write_file(dir, "f.txt", "mac\n");
	g_autofree gchar *header_only = write_file(dir, "g.csv", "mac,ip\n");
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(import(conf, unknown, diags, &error), ==, -1);
	g_clear_error(&error);
	assert_diag(diags, unknown, 3, 6, NULL,
		    "unknown column 'hostnme' (did you mean 'hostname'?); the columns are");
	g_assert_cmpuint(diags->len, ==, 1);
	g_ptr_array_set_size(diags, 0);

	g_assert_cmpint(import(conf, nomac, diags, &error), ==, -1);
	g_clear_error(&error);
	assert_diag(diags, nomac, 1, 10, NULL, "column 'hostname' appears twice");
	g_assert_cmpuint(diags->len, ==, 1);
	g_ptr_array_set_size(diags, 0);

	g_assert_cmpint(import(conf, empty, diags, &error), ==, -1);
	g_clear_error(&error);
	assert_diag(diags, empty, 3, 0, NULL, "no header row");
	g_ptr_array_set_size(diags, 0);

	g_assert_cmpint(import(conf, quote, diags, &error), ==, -1);
	g_clear_error(&error);
	assert_diag(diags, quote, 2, 1, NULL, "unterminated quoted field");
	g_ptr_array_set_size(diags, 0);

	g_assert_cmpint(import(conf, binary, diags, &error), ==, -1);
	g_clear_error(&error);
	assert_diag(diags, binary, 2, 0, NULL, "not valid UTF-8");
	g_ptr_array_set_size(diags, 0);

	g_assert_cmpint(import(conf, txt, diags, &error), ==, -1);
	g_assert_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_cmpuint(diags->len, ==, 0);

	/* no rows: nothing to do, nothing written */
	g_assert_cmpint(import(conf, header_only, diags, &error), ==, 0);
	g_assert_no_error(error);
	assert_no_diags(diags);
	{
		g_autofree gchar *out = g_build_filename(conf, "conf.d", "90-hosts.yaml", NULL);
		g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
	}
	rm_rf(dir);
	config_copy_free(g_steal_pointer(&conf));
}

static void
test_import_yaml(void)
{
	g_autofree gchar *conf = config_copy_new();
	g_autofree gchar *list = import_fixture("hosts.yaml");
	g_autofree gchar *map = import_fixture("hosts-map.yaml");
	g_autofree gchar *csv = import_fixture("quoted.csv");
	g_autofree gchar *out = g_build_filename(conf, "conf.d", "90-hosts.yaml", NULL);
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfInventory) inv = NULL;
	g_autoptr(PxfVars) vars = NULL;
	g_autoptr(GVariant) real_bool = NULL;
	const PxfHost *host;
	GStatBuf st;

	g_assert_cmpint(import(conf, list, diags, &error), ==, 2);
	g_assert_no_error(error);
	assert_no_diags(diags);
	/* an existing file keeps its mode */
	g_assert_cmpint(g_chmod(out, 0640), ==, 0);
	g_assert_cmpint(import(conf, map, diags, &error), ==, 1);
	g_assert_no_error(error);
	assert_no_diags(diags);
	g_assert_cmpint(import(conf, csv, diags, &error), ==, 3);
	g_assert_no_error(error);
	assert_no_diags(diags);
	g_assert_cmpint(g_stat(out, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0640);

	inv = inventory_from_dir(conf, diags);
	assert_no_diags(diags);
	g_assert_cmpuint(pxf_inventory_get_hosts(inv)->len, ==, 3 + 2 + 1 + 3);
	/* file order: the first import first */
	host = g_ptr_array_index(pxf_inventory_get_hosts(inv), 3);
	g_assert_cmpstr(host->mac, ==, "52:54:00:00:30:01");
	host = pxf_inventory_lookup_mac(inv, "52:54:00:00:30:02");
	g_assert_nonnull(host);
	g_assert_cmpstr(host->hostname, ==, "true");
	g_assert_false(host->netboot);
	g_assert_nonnull(pxf_inventory_lookup_mac(inv, "52:54:00:00:40:01"));
	g_assert_nonnull(pxf_inventory_lookup_mac(inv, "52:54:00:00:10:03"));

	/* values keep their meaning through the rewrite */
	host = pxf_inventory_lookup_mac(inv, "52:54:00:00:30:01");
	vars = pxf_inventory_resolve_vars(inv, host);
	assert_var(vars, "disk", "sda");
	assert_var(vars, "quoted_bool", "true");
	assert_var(vars, "empty", "");
	assert_var(vars, "hash", "#not a comment");
	assert_var(vars, "text", "two\nlines");
	real_bool = pxf_vars_lookup(vars, "real_bool");
	g_assert_true(g_variant_is_of_type(real_bool, G_VARIANT_TYPE_BOOLEAN));
	g_assert_true(g_variant_get_boolean(real_bool));
	g_assert_cmpstr(pxf_vars_get_origin(vars, "disk"), ==, "host 52:54:00:00:30:01");
	config_copy_free(g_steal_pointer(&conf));
}

static void
test_import_yaml_errors(void)
{
	g_autofree gchar *conf = config_copy_new();
	g_autofree gchar *bad = import_fixture("bad.yaml");
	g_autofree gchar *flow = import_fixture("flow.yaml");
	g_autofree gchar *dir = tmpdir_new();
	g_autofree gchar *extra = write_file(dir, "x.yml", "hosts: []\nvariables: {}\n");
	g_autofree gchar *notlist = write_file(dir, "y.yaml", "hosts: {mac: x}\n");
	g_autofree gchar *syntax = write_file(dir, "z.yaml", "# list\n- mac: x\n  ip: [\n");
	g_autofree gchar *msg = g_strdup_printf("duplicate MAC 52:54:00:00:50:01, first defined "
						"at %s:2",
						bad);
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(import(conf, bad, diags, &error), ==, -1);
	g_clear_error(&error);
	assert_diag(diags, bad, 5, 7, "hosts[1].ip", "'10.0.0.300': part 4");
	assert_diag(diags, bad, 6, 8, "hosts[2].mac", msg);
	assert_diag(diags, bad, 7, 3, "hosts[2].hostnam", "did you mean 'hostname'?");
	g_assert_cmpuint(diags->len, ==, 3);
	g_ptr_array_set_size(diags, 0);

	g_assert_cmpint(import(conf, flow, diags, &error), ==, -1);
	g_clear_error(&error);
	assert_diag(diags, flow, 1, 33, "hosts[0].ip", "'10.0.0.999'");
	g_assert_cmpuint(diags->len, ==, 1);
	g_ptr_array_set_size(diags, 0);

	g_assert_cmpint(import(conf, extra, diags, &error), ==, -1);
	g_clear_error(&error);
	assert_diag(diags, extra, 2, 1, "variables", "unknown key 'variables' in an import file");
	g_ptr_array_set_size(diags, 0);

	g_assert_cmpint(import(conf, notlist, diags, &error), ==, -1);
	g_clear_error(&error);
	assert_diag(diags, notlist, 1, 8, "hosts", "expected a list of hosts, got a mapping");
	g_ptr_array_set_size(diags, 0);

	/* positions inside a list file are those of the file as written */
	g_assert_cmpint(import(conf, syntax, diags, &error), ==, -1);
	g_clear_error(&error);
	assert_diag(diags, syntax, 4, 1, NULL, "(while parsing a flow node at line 4, column 1)");
	g_assert_cmpuint(diags->len, ==, 1);
	rm_rf(dir);
	config_copy_free(g_steal_pointer(&conf));
}

/* A broken configuration is not made worse: nothing is imported. */
static void
test_import_bad_config(void)
{
	g_autofree gchar *conf = config_copy_new();
	g_autofree gchar *file = import_fixture("hosts-map.yaml");
	g_autofree gchar *broken =
		write_file(conf, "conf.d/50-broken.yaml",
			   "profiles:\n  x: {distro: nope, os: k, template: t}\n");
	g_autofree gchar *out = g_build_filename(conf, "conf.d", "90-hosts.yaml", NULL);
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(import(conf, file, diags, &error), ==, -1);
	g_assert_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "in the configuration in"));
	assert_diag(diags, broken, 2, 15, "profiles.x.distro", "unknown distro 'nope'");
	g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
	config_copy_free(g_steal_pointer(&conf));
}

static void
test_import_large(void)
{
	g_autofree gchar *conf = config_copy_new();
	g_autofree gchar *dir = tmpdir_new();
	g_autoptr(GString) csv = g_string_new("mac,hostname,ip,profile,netboot\n");
	g_autofree gchar *file = NULL;
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfInventory) inv = NULL;
	gint64 start;
	gdouble secs;

	for (guint i = 0; i < 5000; i++) {
		g_string_append_printf(csv, "52:54:01:00:%02x:%02x,node%04u,10.20.%u.%u,web,%s\n",
				       i / 256, i % 256, i, i / 250, 1 + i % 250,
				       i % 2 ? "yes" : "no");
	}
	file = write_file(dir, "big.csv", csv->str);
	start = g_get_monotonic_time();
	g_assert_cmpint(import(conf, file, diags, &error), ==, 5000);
	secs = (gdouble)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	g_assert_no_error(error);
	assert_no_diags(diags);
	g_test_message("imported 5000 hosts in %.2f s", secs);
	/* generous for sanitizers and slow CI; a quadratic import takes minutes */
	g_assert_cmpfloat(secs, <, 30.0);

	inv = inventory_from_dir(conf, diags);
	assert_no_diags(diags);
	g_assert_cmpuint(pxf_inventory_get_hosts(inv)->len, ==, 5003);
	g_assert_cmpstr(pxf_inventory_lookup_ip(inv, "10.20.19.250")->hostname, ==, "node4999");
	g_assert_false(pxf_inventory_lookup_mac(inv, "52:54:01:00:00:00")->netboot);
	g_assert_true(pxf_inventory_lookup_mac(inv, "52:54:01:00:00:01")->netboot);
	rm_rf(dir);
	config_copy_free(g_steal_pointer(&conf));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/inventory/mac", test_mac);
	g_test_add_func("/core/inventory/ipv4", test_ipv4);
	g_test_add_func("/core/inventory/uuid", test_uuid);
	g_test_add_func("/core/inventory/client-id", test_client_id);
	g_test_add_func("/core/inventory/hostname", test_hostname);
	g_test_add_func("/core/inventory/suggest", test_suggest);
	g_test_add_func("/core/inventory/valid", test_valid);
	g_test_add_func("/core/inventory/errors", test_errors);
	g_test_add_func("/core/inventory/wrong-kinds", test_wrong_kinds);
	g_test_add_func("/core/inventory/boot-choice", test_boot_choice);
	g_test_add_func("/core/inventory/empty", test_empty);
	g_test_add_func("/core/inventory/template-unreadable", test_template_unreadable);
	g_test_add_func("/core/inventory/duplicates-across-files", test_duplicates_across_files);
	g_test_add_func("/core/inventory/resolve", test_resolve);
	g_test_add_func("/core/inventory/import/csv", test_import_csv);
	g_test_add_func("/core/inventory/import/special", test_import_special);
	g_test_add_func("/core/inventory/import/bad-rows", test_import_bad_rows);
	g_test_add_func("/core/inventory/import/quoting", test_import_quoting);
	g_test_add_func("/core/inventory/import/csv-header", test_import_csv_header);
	g_test_add_func("/core/inventory/import/yaml", test_import_yaml);
	g_test_add_func("/core/inventory/import/yaml-errors", test_import_yaml_errors);
	g_test_add_func("/core/inventory/import/bad-config", test_import_bad_config);
	g_test_add_func("/core/inventory/import/large", test_import_large);
	return g_test_run();
}
