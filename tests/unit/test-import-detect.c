/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-import-detect"

#include <glib/gstdio.h>
#include <string.h>

#include "pxf-import.h"
#include "pxf-test-paths.h"

/* The metadata parsers and the detector, on the fixture trees under
 * tests/data/import (see the README there) and on hand-made breakage. */

static gchar *
fixture(const gchar *distro)
{
	return pxf_test_build_filename("tests", "data", "import", distro, NULL);
}

static void
listing_walk(PxfImportListing *listing, const gchar *root, const gchar *rel)
{
	g_autofree gchar *dir = g_build_filename(root, rel, NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const gchar *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree gchar *child =
			rel[0] != '\0' ? g_strdup_printf("%s/%s", rel, name) : g_strdup(name);
		g_autofree gchar *path = g_build_filename(root, child, NULL);
		g_autoptr(GBytes) contents = NULL;

		if (g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
			pxf_import_listing_add(listing, child, PXF_IMPORT_ENTRY_SYMLINK, NULL);
		} else if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			pxf_import_listing_add(listing, child, PXF_IMPORT_ENTRY_DIR, NULL);
			listing_walk(listing, root, child);
		} else {
			if (pxf_import_listing_wants(child)) {
				gchar *data = NULL;
				gsize len = 0;
				g_assert_true(g_file_get_contents(path, &data, &len, NULL));
				contents = g_bytes_new_take(data, len);
			}
			pxf_import_listing_add(listing, child, PXF_IMPORT_ENTRY_FILE, contents);
		}
	}
}

/* A fixture as the detector would see it, without the files in skip. */
static PxfImportListing *
listing_from_fixture(const gchar *distro)
{
	g_autofree gchar *root = fixture(distro);
	PxfImportListing *listing = pxf_import_listing_new();
	listing_walk(listing, root, "");
	return listing;
}

static void
listing_add_text(PxfImportListing *listing, const gchar *path, const gchar *text)
{
	g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));
	pxf_import_listing_add(listing, path, PXF_IMPORT_ENTRY_FILE, bytes);
}

static PxfImportListing *
listing_from_paths(const gchar *const *paths)
{
	PxfImportListing *listing = pxf_import_listing_new();
	for (guint i = 0; paths[i] != NULL; i++)
		pxf_import_listing_add(listing, paths[i], PXF_IMPORT_ENTRY_FILE, NULL);
	return listing;
}

static void
assert_checksum(PxfImportMedium *m, const gchar *path, const gchar *prefix)
{
	const gchar *sum;

	g_assert_nonnull(m->checksums);
	sum = g_hash_table_lookup(m->checksums, path);
	if (sum == NULL || !g_str_has_prefix(sum, prefix))
		g_error("no %s checksum for %s", prefix, path);
}

static PxfImportMedium *
detect_ok(PxfImportListing *listing)
{
	g_autoptr(GError) error = NULL;
	PxfImportMedium *m = pxf_import_detect(listing, "test.iso", &error);
	g_assert_no_error(error);
	g_assert_nonnull(m);
	return m;
}

/* ------------------------------------------------------------------------ */

static void
test_fixture_centos6(void)
{
	g_autoptr(PxfImportListing) listing = listing_from_fixture("centos6");
	g_autoptr(PxfImportMedium) m = detect_ok(listing);

	g_assert_cmpstr(m->family, ==, "centos");
	g_assert_cmpstr(m->version, ==, "6.10");
	g_assert_cmpstr(m->arch, ==, "x86_64");
	g_assert_cmpstr(m->kernel, ==, "images/pxeboot/vmlinuz");
	g_assert_cmpstr(m->initrd, ==, "images/pxeboot/initrd.img");
	g_assert_cmpstr(m->stage2, ==, "images/install.img");
	g_assert_cmpstr(m->installer, ==, "anaconda");
	g_assert_cmpstr(m->source, ==, ".treeinfo");
	assert_checksum(m, "images/pxeboot/vmlinuz", "sha256:");
	assert_checksum(m, "images/install.img", "sha256:");
	/* BOOTX64.efi without grubx64.efi: CentOS 6's GRUB legacy, no shim chain */
	g_assert_null(m->efi_shim);
	g_assert_null(m->efi_grub);
}

static void
test_fixture_centos7(void)
{
	g_autoptr(PxfImportListing) listing = listing_from_fixture("centos7");
	g_autoptr(PxfImportMedium) m = detect_ok(listing);

	g_assert_cmpstr(m->family, ==, "centos");
	g_assert_cmpstr(m->name, ==, "CentOS-7");
	g_assert_cmpstr(m->version, ==, "7");
	g_assert_cmpstr(m->arch, ==, "x86_64");
	g_assert_cmpstr(m->kernel, ==, "images/pxeboot/vmlinuz");
	g_assert_cmpstr(m->initrd, ==, "images/pxeboot/initrd.img");
	g_assert_cmpstr(m->stage2, ==, "LiveOS/squashfs.img");
	/* [checksums] lists no squashfs.img on CentOS 7 */
	g_assert_cmpuint(g_hash_table_size(m->checksums), ==, 2);
	assert_checksum(m, "images/pxeboot/initrd.img", "sha256:");
	g_assert_cmpstr(m->efi_shim, ==, "EFI/BOOT/BOOTX64.EFI");
	g_assert_cmpstr(m->efi_grub, ==, "EFI/BOOT/grubx64.efi");
}

static void
test_fixture_rocky9(void)
{
	g_autoptr(PxfImportListing) listing = listing_from_fixture("rocky9");
	g_autoptr(PxfImportMedium) m = detect_ok(listing);

	/* productmd's [release] short name, not [general] family */
	g_assert_cmpstr(m->family, ==, "rocky");
	g_assert_cmpstr(m->name, ==, "Rocky Linux 9.3");
	g_assert_cmpstr(m->version, ==, "9.3");
	g_assert_cmpstr(m->arch, ==, "x86_64");
	g_assert_cmpstr(m->kernel, ==, "images/pxeboot/vmlinuz");
	g_assert_cmpstr(m->initrd, ==, "images/pxeboot/initrd.img");
	g_assert_cmpstr(m->stage2, ==, "images/install.img");
	g_assert_cmpstr(m->efi_shim, ==, "EFI/BOOT/BOOTX64.EFI");
	g_assert_cmpstr(m->efi_grub, ==, "EFI/BOOT/grubx64.efi");
}

static void
test_fixture_debian12(void)
{
	g_autoptr(PxfImportListing) listing = listing_from_fixture("debian12");
	g_autoptr(PxfImportMedium) m = detect_ok(listing);

	g_assert_cmpstr(m->family, ==, "debian");
	g_assert_cmpstr(m->name, ==, "Debian GNU/Linux 12.5.0 \"Bookworm\"");
	g_assert_cmpstr(m->version, ==, "12.5.0");
	g_assert_cmpstr(m->arch, ==, "amd64");
	g_assert_cmpstr(m->installer, ==, "debian-installer");
	g_assert_cmpstr(m->kernel, ==, "install.amd/vmlinuz");
	g_assert_cmpstr(m->initrd, ==, "install.amd/initrd.gz");
	g_assert_null(m->stage2);
	g_assert_cmpstr(m->efi_shim, ==, "EFI/boot/bootx64.efi");
	g_assert_cmpstr(m->efi_grub, ==, "EFI/boot/grubx64.efi");
	g_assert_cmpstr(m->source, ==, ".disk/info");
	/* from md5sum.txt */
	g_assert_cmpuint(g_hash_table_size(m->checksums), ==, 2);
	assert_checksum(m, "install.amd/vmlinuz", "md5:");
	assert_checksum(m, "install.amd/initrd.gz", "md5:");
}

static void
test_fixture_ubuntu2204(void)
{
	g_autoptr(PxfImportListing) listing = listing_from_fixture("ubuntu2204");
	g_autoptr(PxfImportMedium) m = detect_ok(listing);

	g_assert_cmpstr(m->family, ==, "ubuntu");
	g_assert_cmpstr(m->version, ==, "22.04.3");
	g_assert_cmpstr(m->arch, ==, "amd64");
	g_assert_cmpstr(m->installer, ==, "casper");
	g_assert_cmpstr(m->kernel, ==, "casper/vmlinuz");
	g_assert_cmpstr(m->initrd, ==, "casper/initrd");
	assert_checksum(m, "casper/initrd", "md5:");
	g_assert_cmpstr(m->efi_shim, ==, "EFI/boot/bootx64.efi");
}

/* The tree of Debian's debian-installer-12-netboot-amd64 package, when
 * installed; otherwise its layout, with its version.info. */
static void
test_netboot(void)
{
	const gchar *dir = "/usr/lib/debian-installer/images/12/amd64/text";
	g_autoptr(PxfImportListing) listing = NULL;
	g_autoptr(PxfImportMedium) m = NULL;

	if (g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		listing = pxf_import_listing_new();
		listing_walk(listing, dir, "");
	} else {
		const gchar *paths[] = {"pxelinux.0",
					"debian-installer/amd64/linux",
					"debian-installer/amd64/initrd.gz",
					"debian-installer/amd64/bootnetx64.efi",
					"debian-installer/amd64/grubx64.efi",
					NULL};
		listing = listing_from_paths(paths);
		listing_add_text(listing, "version.info",
				 "Debian version:  12 (bookworm)\n"
				 "Installer build: 20230607+deb12u15\n");
	}
	m = detect_ok(listing);
	g_assert_cmpstr(m->family, ==, "debian");
	g_assert_cmpstr(m->version, ==, "12");
	g_assert_cmpstr(m->arch, ==, "amd64");
	g_assert_cmpstr(m->kernel, ==, "debian-installer/amd64/linux");
	g_assert_cmpstr(m->initrd, ==, "debian-installer/amd64/initrd.gz");
	g_assert_cmpstr(m->efi_shim, ==, "debian-installer/amd64/bootnetx64.efi");
	g_assert_cmpstr(m->efi_grub, ==, "debian-installer/amd64/grubx64.efi");
	g_assert_true(g_str_has_prefix(m->source, "netboot layout"));
}

/* Old media with only .discinfo: the kernel where anaconda keeps it. */
static void
test_discinfo_only(void)
{
	const gchar *paths[] = {"isolinux/vmlinuz", "isolinux/initrd.img", NULL};
	g_autoptr(PxfImportListing) listing = listing_from_paths(paths);
	g_autoptr(PxfImportMedium) m = NULL;

	listing_add_text(listing, ".discinfo",
			 "1100000000.1\nRed Hat Enterprise Linux 4\ni386\n1\nRedHat/base\n"
			 "RedHat/RPMS\nRedHat/pixmaps\n");
	m = detect_ok(listing);
	g_assert_cmpstr(m->family, ==, "rhel");
	g_assert_cmpstr(m->version, ==, "4");
	g_assert_cmpstr(m->arch, ==, "i386");
	g_assert_cmpstr(m->kernel, ==, "isolinux/vmlinuz");
	g_assert_cmpstr(m->source, ==, ".discinfo");
}

static void
test_casper_only(void)
{
	const gchar *paths[] = {"casper/vmlinuz", "casper/initrd.lz", NULL};
	g_autoptr(PxfImportListing) listing = listing_from_paths(paths);
	g_autoptr(PxfImportMedium) m = detect_ok(listing);

	g_assert_cmpstr(m->family, ==, "ubuntu");
	g_assert_null(m->version);
	g_assert_cmpstr(m->initrd, ==, "casper/initrd.lz");
	g_assert_cmpstr(m->source, ==, "casper/");
}

/* Plain ISO 9660 names are upper case: found anyway, reported as spelt. */
static void
test_case_insensitive(void)
{
	const gchar *paths[] = {"IMAGES/PXEBOOT/VMLINUZ", "IMAGES/PXEBOOT/INITRD.IMG", NULL};
	g_autoptr(PxfImportListing) listing = listing_from_paths(paths);
	g_autoptr(PxfImportMedium) m = NULL;

	listing_add_text(listing, ".TREEINFO",
			 "[general]\nfamily = CentOS\nversion = 7\narch = x86_64\n"
			 "[images-x86_64]\nkernel = images/pxeboot/vmlinuz\n"
			 "initrd = images/pxeboot/initrd.img\n");
	m = detect_ok(listing);
	g_assert_cmpstr(m->kernel, ==, "IMAGES/PXEBOOT/VMLINUZ");
	g_assert_cmpstr(m->initrd, ==, "IMAGES/PXEBOOT/INITRD.IMG");
}

static void
test_unknown(void)
{
	const gchar *paths[] = {"README", "boot/vmlinuz", NULL};
	g_autoptr(PxfImportListing) listing = listing_from_paths(paths);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportMedium) m = pxf_import_detect(listing, "data.iso", &error);

	g_assert_null(m);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNKNOWN_MEDIUM);
	g_assert_cmpstr(
		error->message, ==,
		"data.iso: no .treeinfo, .discinfo, .disk/info, debian-installer/ARCH/linux "
		"or casper/ found: not a known install medium");
}

/* .treeinfo naming a kernel that is not there: a damaged medium */
static void
test_missing_kernel(void)
{
	const gchar *paths[] = {"images/pxeboot/initrd.img", NULL};
	g_autoptr(PxfImportListing) listing = listing_from_paths(paths);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportMedium) m = NULL;

	listing_add_text(listing, ".treeinfo",
			 "[general]\nfamily = CentOS\narch = x86_64\n[images-x86_64]\n"
			 "kernel = images/pxeboot/vmlinuz\ninitrd = images/pxeboot/initrd.img\n");
	m = pxf_import_detect(listing, "x.iso", &error);
	g_assert_null(m);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "images/pxeboot/vmlinuz"));
	g_assert_nonnull(strstr(error->message, "no such file"));
}

/* a kernel path out of the medium is never looked up */
static void
test_kernel_outside(void)
{
	const gchar *paths[] = {"initrd.img", NULL};
	g_autoptr(PxfImportListing) listing = listing_from_paths(paths);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportMedium) m = NULL;

	listing_add_text(listing, ".treeinfo",
			 "[general]\nfamily = X\narch = x86_64\n[images-x86_64]\n"
			 "kernel = ../../boot/vmlinuz\ninitrd = initrd.img\n");
	m = pxf_import_detect(listing, "x.iso", &error);
	g_assert_null(m);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "not a path inside the medium"));
}

/* .disk/info of a Debian medium whose installer is missing */
static void
test_disk_info_no_kernel(void)
{
	const gchar *paths[] = {"README.txt", NULL};
	g_autoptr(PxfImportListing) listing = listing_from_paths(paths);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfImportMedium) m = NULL;

	listing_add_text(listing, ".disk/info",
			 "Debian GNU/Linux 12.5.0 \"Bookworm\" - Official amd64 DVD Binary-1");
	m = pxf_import_detect(listing, "x.iso", &error);
	g_assert_null(m);
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "install.*/vmlinuz"));
}

/* ------------------------------------------------------------------------ */
/* Malformed files: each error names the file, line and column */

typedef gboolean (*ParseFunc)(const gchar *, const gchar *, gsize, PxfImportMedium *, GError **);

static void
assert_parse_error(ParseFunc parse, const gchar *text, gsize len, const gchar *expect)
{
	g_autoptr(PxfImportMedium) m = g_new0(PxfImportMedium, 1);
	g_autoptr(GError) error = NULL;

	g_assert_false(parse("bad.iso", text, len, m, &error));
	g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID);
	if (strstr(error->message, expect) == NULL)
		g_error("expected '%s' in '%s'", expect, error->message);
}

static void
test_treeinfo_malformed(void)
{
	const gchar *cases[][2] = {
		{"[general\nfamily = x\n", "bad.iso: .treeinfo:1:1: a section header without"},
		{"[general] x\n", ".treeinfo:1:1: text after a section header's ']'"},
		{"family = CentOS\n", ".treeinfo:1:1: a key before the first [section]"},
		{"[general]\nfamily = a\n  just words\n", ".treeinfo:3:3: expected '[section]'"},
		{"[general]\n= 7\n", ".treeinfo:2:1: a value without a key"},
		{"[general]\narch = a\narch = b\n",
		 ".treeinfo:3:1: key 'arch' appears twice in [general], first on line 2"},
		{"[general]\n[x]\n[general]\n",
		 ".treeinfo:3:1: section [general] appears twice, first on line 1"},
		{"[ ]\n", ".treeinfo:1:1: an empty section name"},
		{"[general]\narch = x86_64\n", "no 'family' in [general]"},
		{"[general]\nfamily = CentOS\n", "no 'arch' in [general]"},
		{"[general]\nfamily = CentOS\narch = x86 64\n",
		 ".treeinfo:3: [general] arch 'x86 64' is not a single word"},
		{"[general]\nfamily = CentOS\narch = x86_64\n[images-x86_64]\nkernel = k\n",
		 "no 'initrd' in [images-x86_64]"},
		{"[general]\nfamily = C\narch = x86_64\n", "no 'kernel' in [images-x86_64]"},
		{"[general]\nfamily = ---\narch = x\n", "has no letters or digits"},
		{"[general]\nfamily = C\nversion = 7 8\narch = x\n",
		 ".treeinfo:3: [general] version '7 8' is not a single word"},
		{"[general]\nfamily = C\narch = x\n[images-x]\nkernel = k\ninitrd = i\n"
		 "[checksums]\ni = md5:0123\n",
		 ".treeinfo:8: [checksums] i: expected ALGORITHM:HEX"},
		{"[general]\nfamily = C\narch = x\n[images-x]\nkernel = k\ninitrd = i\n"
		 "[checksums]\nk = crc32:01234567\n",
		 ".treeinfo:8: [checksums] k: expected ALGORITHM:HEX"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		assert_parse_error(pxf_import_parse_treeinfo, cases[i][0], strlen(cases[i][0]),
				   cases[i][1]);
	/* not text */
	assert_parse_error(pxf_import_parse_treeinfo, "[general]\nfa\0mily = x\n", 21,
			   ".treeinfo:2:3: not text (a NUL byte)");
	assert_parse_error(pxf_import_parse_treeinfo, "[general]\n\xff\n", 12,
			   ".treeinfo:2:1: not text (invalid UTF-8)");
}

static void
test_treeinfo_crlf(void)
{
	const gchar *text = "; comment\r\n[general]\r\nfamily = Fedora\r\narch = aarch64\r\n"
			    "version = 39\r\n\r\n[images-aarch64]\r\nkernel = k\r\ninitrd = i\r\n";
	g_autoptr(PxfImportMedium) m = g_new0(PxfImportMedium, 1);
	g_autoptr(GError) error = NULL;

	g_assert_true(pxf_import_parse_treeinfo("x.iso", text, strlen(text), m, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(m->family, ==, "fedora");
	g_assert_cmpstr(m->arch, ==, "aarch64");
	g_assert_cmpstr(m->kernel, ==, "k");
	g_assert_cmpstr(m->name, ==, "Fedora 39");
}

static void
test_checksum_split(void)
{
	GChecksumType type = G_CHECKSUM_MD5;
	const gchar *hex = NULL;
	const gchar *sha256 =
		"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

	g_assert_true(pxf_import_checksum_split(sha256, &type, &hex));
	g_assert_cmpint(type, ==, G_CHECKSUM_SHA256);
	g_assert_cmpstr(hex, ==, sha256 + 7);
	g_assert_true(
		pxf_import_checksum_split("MD5:D41D8CD98F00B204E9800998ECF8427E", &type, &hex));
	g_assert_cmpint(type, ==, G_CHECKSUM_MD5);
	g_assert_false(
		pxf_import_checksum_split("md5:d41d8cd98f00b204e9800998ecf8427", &type, &hex));
	g_assert_false(
		pxf_import_checksum_split("md5:d41d8cd98f00b204e9800998ecf8427g", &type, &hex));
	g_assert_false(pxf_import_checksum_split("d41d8cd98f00b204e9800998ecf8427e", &type, &hex));
	g_assert_false(pxf_import_checksum_split("sha3:00", &type, &hex));
}

static void
test_discinfo(void)
{
	g_autofree gchar *path =
		pxf_test_build_filename("tests", "data", "import", "centos6", ".discinfo", NULL);
	g_autofree gchar *data = NULL;
	gsize len = 0;
	g_autoptr(PxfImportMedium) m = g_new0(PxfImportMedium, 1);
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	g_assert_true(pxf_import_parse_discinfo("c6.iso", data, len, m, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(m->family, ==, "centos");
	g_assert_cmpstr(m->name, ==, "CentOS 6.10");
	g_assert_cmpstr(m->version, ==, "6.10");
	g_assert_cmpstr(m->arch, ==, "x86_64");
}

static void
test_discinfo_malformed(void)
{
	const gchar *cases[][2] = {
		{"", "bad.iso: .discinfo:1: the file ends where line 1 should give a timestamp"},
		{"12345.6\n", ".discinfo:2: the file ends where line 2 should give the release"},
		{"12345.6\nCentOS 6.10\n", "line 3 should give the architecture"},
		{"123x45\nCentOS 6\nx86_64\n", ".discinfo:1:4: expected a timestamp"},
		{"  1.2.3\nCentOS 6\nx86_64\n", ".discinfo:1:6: expected a timestamp"},
		{"1\n\nx86_64\n", ".discinfo:2:1: expected the release name, got an empty line"},
		{"1\nCentOS 6\nx86 64\n", ".discinfo:3:1: expected the architecture as one word"},
		{"1\nCentOS 6\nx86_64\n1,x\n", ".discinfo:4:1: expected disc numbers"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		assert_parse_error(pxf_import_parse_discinfo, cases[i][0], strlen(cases[i][0]),
				   cases[i][1]);
}

static void
test_disk_info(void)
{
	const gchar *cases[][4] = {
		{"Debian GNU/Linux 12.5.0 \"Bookworm\" - Official amd64 DVD Binary-1 with "
		 "firmware 20240210-11:28\n",
		 "debian", "12.5.0", "amd64"},
		{"Ubuntu 22.04.3 LTS \"Jammy Jellyfish\" - Release amd64 (20230807.2)", "ubuntu",
		 "22.04.3", "amd64"},
		{"Debian GNU/Linux 11.9.0 \"Bullseye\" - Official arm64 NETINST with firmware "
		 "20240210-11:00",
		 "debian", "11.9.0", "arm64"},
		{"Kubuntu 24.04 LTS \"Noble Numbat\" - Release amd64 (20240424)\r\n\r\n", "kubuntu",
		 "24.04", "amd64"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(PxfImportMedium) m = g_new0(PxfImportMedium, 1);
		g_autoptr(GError) error = NULL;
		g_assert_true(pxf_import_parse_disk_info("x.iso", cases[i][0], strlen(cases[i][0]),
							 m, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(m->family, ==, cases[i][1]);
		g_assert_cmpstr(m->version, ==, cases[i][2]);
		g_assert_cmpstr(m->arch, ==, cases[i][3]);
	}
}

static void
test_disk_info_malformed(void)
{
	const gchar *cases[][2] = {
		{"", "bad.iso: .disk/info:1: the file is empty"},
		{"Debian GNU/Linux 12.5.0 Bookworm - Official amd64",
		 ".disk/info:1:50: expected a quoted code name"},
		{"Debian GNU/Linux 12.5.0 \"Bookworm - Official amd64",
		 ".disk/info:1:25: a quote that is never closed"},
		{"Debian GNU/Linux \"Bookworm\" - Official amd64",
		 ".disk/info:1:1: expected the distribution's name and version"},
		{"Debian GNU/Linux 12 \"Bookworm\" Official amd64",
		 ".disk/info:1:31: expected ' - ' and the kind of medium"},
		{"Debian GNU/Linux 12 \"Bookworm\" - Official sparc NETINST",
		 ".disk/info:1:34: no architecture"},
		{"Debian GNU/Linux 12 \"Bookworm\" - Official amd64\nsecond line\n",
		 ".disk/info:2:1: expected the medium's description on a single line"},
		{"Debian 12\xc3 \"B\" - Official amd64", ".disk/info:1:10: not text"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		assert_parse_error(pxf_import_parse_disk_info, cases[i][0], strlen(cases[i][0]),
				   cases[i][1]);
}

static void
test_version_info_malformed(void)
{
	const gchar *cases[][2] = {
		{"Installer build: 20230607\n", "bad.iso: version.info: no 'NAME version: N'"},
		{"Debian version:  12\nno colon here\n",
		 "version.info:2:1: expected 'Name: value'"},
		{"Debian version: bookworm\n",
		 "version.info:1:16: expected a version number after 'Debian version:'"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		assert_parse_error(pxf_import_parse_version_info, cases[i][0], strlen(cases[i][0]),
				   cases[i][1]);
}

/* ------------------------------------------------------------------------ */
/* Entry names and link targets */

static void
test_entry_names(void)
{
	const gchar *good[][2] = {
		{"a/b", "a/b"}, {"./a/b", "a/b"},	    {"a/b/", "a/b"},	    {".", ""},
		{"./", ""},	{".treeinfo", ".treeinfo"}, {"..a/b..", "..a/b.."},
	};
	const gchar *bad[] = {"/etc/passwd", "../x", "a/../../b", "a/./b", "a//b", "a/..", "//x"};

	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *name = pxf_import_check_entry_name("x.iso", good[i][0], &error);
		g_assert_no_error(error);
		g_assert_cmpstr(name, ==, good[i][1]);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *name = pxf_import_check_entry_name("x.iso", bad[i], &error);
		g_assert_null(name);
		g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE);
		g_assert_true(g_str_has_prefix(error->message, "x.iso: entry '"));
	}
}

static void
test_link_targets(void)
{
	const gchar *good[][2] = {
		{"debian", "."},
		{"dists/stable", "bookworm"},
		{"a/b/c", "../../x"},
		{"a/b", "../a/./b/../c"},
		{"pxelinux.0", "debian-installer/amd64/pxelinux.0"},
	};
	const gchar *bad[][2] = {
		{"evil", "/etc/passwd"},
		{"sub/evil", "../../etc/passwd"},
		{"x", ".."},
		{"a/b", "../../x"},
		{"x", ""},
		{"a/b", "c/../../../d"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_true(
			pxf_import_check_link_target("x.iso", good[i][0], good[i][1], &error));
		g_assert_no_error(error);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false(pxf_import_check_link_target("x.iso", bad[i][0], bad[i][1], &error));
		g_assert_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE);
		g_assert_nonnull(strstr(error->message, "outside the medium"));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/import-detect/fixture/centos6", test_fixture_centos6);
	g_test_add_func("/core/import-detect/fixture/centos7", test_fixture_centos7);
	g_test_add_func("/core/import-detect/fixture/rocky9", test_fixture_rocky9);
	g_test_add_func("/core/import-detect/fixture/debian12", test_fixture_debian12);
	g_test_add_func("/core/import-detect/fixture/ubuntu2204", test_fixture_ubuntu2204);
	g_test_add_func("/core/import-detect/netboot", test_netboot);
	g_test_add_func("/core/import-detect/discinfo-only", test_discinfo_only);
	g_test_add_func("/core/import-detect/casper-only", test_casper_only);
	g_test_add_func("/core/import-detect/case-insensitive", test_case_insensitive);
	g_test_add_func("/core/import-detect/unknown", test_unknown);
	g_test_add_func("/core/import-detect/missing-kernel", test_missing_kernel);
	g_test_add_func("/core/import-detect/kernel-outside", test_kernel_outside);
	g_test_add_func("/core/import-detect/disk-info-no-kernel", test_disk_info_no_kernel);
	g_test_add_func("/core/import-detect/treeinfo/malformed", test_treeinfo_malformed);
	g_test_add_func("/core/import-detect/treeinfo/crlf", test_treeinfo_crlf);
	g_test_add_func("/core/import-detect/checksum-split", test_checksum_split);
	g_test_add_func("/core/import-detect/discinfo/fixture", test_discinfo);
	g_test_add_func("/core/import-detect/discinfo/malformed", test_discinfo_malformed);
	g_test_add_func("/core/import-detect/disk-info/variants", test_disk_info);
	g_test_add_func("/core/import-detect/disk-info/malformed", test_disk_info_malformed);
	g_test_add_func("/core/import-detect/version-info/malformed", test_version_info_malformed);
	g_test_add_func("/core/import-detect/entry-names", test_entry_names);
	g_test_add_func("/core/import-detect/link-targets", test_link_targets);
	return g_test_run();
}
