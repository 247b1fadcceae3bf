/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ipxe plugin's engine: request paths and MAC spellings, iPXE image
 * look-up, option 175, the boot.select matrix with the core's own client
 * classification of the DHCP requests the boot lab captured (no chainload
 * loop), the configuration checks, and the shipped templates rendered by
 * the core's renderer for known, installed and unknown machines. */
#define G_LOG_DOMAIN "test-ipxe"

#include <glib/gstdio.h>
#include <string.h>

#include "pxf-bootloader-test.h"
#include "pxf-config.h"
#include "pxf-core.h"
#include "pxf-diag.h"
#include "pxf-ipxe.h"
#include "pxf-template.h"
#include "pxf-test-paths.h"
#include "pxf-vars.h"

/* the shared fixtures under their short names */
#define assert_contains pxf_bootloader_test_assert_contains
#define assert_lacks	pxf_bootloader_test_assert_lacks
#define write_file	pxf_bootloader_test_write_file
#define rm_rf		pxf_bootloader_test_rm_rf

#define MAC "52:54:00:12:34:56"

/* @name under plugins/ipxe/templates */
static gchar *
template_path(const gchar *name)
{
	return pxf_test_build_filename("plugins", "ipxe", "templates", name, NULL);
}
#define BASE "http://10.0.0.1:8080"

/* ---- paths ---------------------------------------------------------------- */

static const gchar *images[] = {"undionly.kpxe", "ipxe.efi", NULL, "snp-arm64.efi"};

static void
assert_path(const gchar *path, PxfIpxePath expected, const gchar *expected_mac)
{
	g_autofree gchar *mac = NULL;
	PxfIpxePath kind = pxf_ipxe_classify_path(path, images, G_N_ELEMENTS(images), &mac);

	if (kind != expected)
		g_error("'%s': kind %d, expected %d", path, kind, expected);
	g_assert_cmpstr(mac, ==, expected_mac);
}

static void
test_paths(void)
{
	assert_path("undionly.kpxe", PXF_IPXE_PATH_IMAGE, NULL);
	assert_path("/ipxe.efi", PXF_IPXE_PATH_IMAGE, NULL);
	assert_path("snp-arm64.efi", PXF_IPXE_PATH_IMAGE, NULL);
	/* only the configured images */
	assert_path("snponly.efi", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("sub/undionly.kpxe", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("ipxe/boot.ipxe", PXF_IPXE_PATH_CHAIN, NULL);
	/* what iPXE asks for, in every MAC spelling it may use */
	assert_path("ipxe/52-54-00-12-34-56/boot.ipxe", PXF_IPXE_PATH_SCRIPT, MAC);
	assert_path("ipxe/52:54:00:12:34:56/boot.ipxe", PXF_IPXE_PATH_SCRIPT, MAC);
	assert_path("ipxe/52%3A54%3A00%3A12%3A34%3A56/boot.ipxe", PXF_IPXE_PATH_SCRIPT, MAC);
	assert_path("ipxe/52%3a54%3a00%3a12%3a34%3a56/boot.ipxe", PXF_IPXE_PATH_SCRIPT, MAC);
	assert_path("ipxe/525400123456/boot.ipxe", PXF_IPXE_PATH_SCRIPT, MAC);
	assert_path("/ipxe/52-54-00-AB-cd-EF/boot.ipxe", PXF_IPXE_PATH_SCRIPT, "52:54:00:ab:cd:ef");
	assert_path("ipxe/52-54-00-12-34-56/vmlinuz", PXF_IPXE_PATH_HOST_KERNEL, MAC);
	assert_path("ipxe/52-54-00-12-34-56/initrd.img", PXF_IPXE_PATH_HOST_INITRD, MAC);
	assert_path("ipxe/menu/vmlinuz", PXF_IPXE_PATH_MENU_KERNEL, NULL);
	assert_path("ipxe/menu/initrd.img", PXF_IPXE_PATH_MENU_INITRD, NULL);
	/* an operator's own files under ipxe/ are left to the transport */
	assert_path("ipxe/menu/boot.ipxe", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("ipxe/site.ipxe", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("ipxe/", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("ipxe/52-54-00-12-34-56/grub.cfg", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("ipxe/52-54-00-12-34-56/x/vmlinuz", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("ipxe/52-54-00-12-34-56", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("ipxe/52-54-00-12-34/boot.ipxe", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("ipxe/52-54:00-12-34-56/boot.ipxe", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("ipxe/52-54-00-12-34-5g/boot.ipxe", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("boot/52-54-00-12-34-56/vmlinuz", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("pxelinux.0", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("", PXF_IPXE_PATH_OTHER, NULL);
	assert_path("/", PXF_IPXE_PATH_OTHER, NULL);
	assert_path(NULL, PXF_IPXE_PATH_OTHER, NULL);
}

static void
test_parse_mac(void)
{
	const gchar *bad[] = {"",
			      "52:54:00:12:34",
			      "52:54:00:12:34:56:",
			      "52:54:00:12:34:5",
			      "52:54-00:12:34:56",
			      "52.54.00.12.34.56",
			      "52%3A54%3A00%3A12%3A34%3A5",
			      "52%3A54%3A00%3A12%3A34%3A56%",
			      "52%3B54%3B00%3B12%3B34%3B56",
			      "5254001234567",
			      "52540012345g",
			      "52:54:00:12:34:5\xff",
			      NULL};
	g_autofree gchar *upper = pxf_ipxe_parse_mac("52:54:00:AB:CD:EF");

	g_assert_cmpstr(upper, ==, "52:54:00:ab:cd:ef");
	for (guint i = 0; bad[i] != NULL; i++) {
		g_autofree gchar *mac = pxf_ipxe_parse_mac(bad[i]);
		if (mac != NULL)
			g_error("'%s' parsed as %s", bad[i], mac);
	}
	g_assert_null(pxf_ipxe_parse_mac(NULL));
}

/* ---- images ---------------------------------------------------------------- */

static void
test_images(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *root = g_dir_make_tmp("pxf-ipxe-XXXXXX", &error);
	g_autofree gchar *lib = g_build_filename(root, "usr/lib/ipxe", NULL);
	g_autofree gchar *boot = g_build_filename(root, "boot", NULL);
	g_autofree gchar *share = g_build_filename(root, "usr/share/ipxe", NULL);
	g_autofree gchar *link = NULL;
	g_autofree gchar *target = NULL;
	g_autofree gchar *dir_named_efi = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *expected = NULL;
	const gchar *dirs[] = {lib, "", share, NULL};

	g_assert_no_error(error);
	g_assert_cmpint(g_mkdir_with_parents(lib, 0755), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(boot, 0755), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(share, 0755), ==, 0);
	write_file(lib, "undionly.kpxe", "debian undionly");
	write_file(share, "undionly.kpxe", "other undionly");
	write_file(share, "snponly.efi", "other snponly");
	/* Debian's layout: /usr/lib/ipxe/ipxe.efi -> /boot/ipxe.efi */
	write_file(boot, "ipxe.efi", "debian ipxe.efi");
	target = g_build_filename(boot, "ipxe.efi", NULL);
	link = g_build_filename(lib, "ipxe.efi", NULL);
	g_assert_cmpint(symlink(target, link), ==, 0);
	/* a directory of an image's name is skipped */
	dir_named_efi = g_build_filename(lib, "snponly.efi", NULL);
	g_assert_cmpint(g_mkdir(dir_named_efi, 0755), ==, 0);

	path = pxf_ipxe_find_image(dirs, "undionly.kpxe", &error);
	g_assert_no_error(error);
	expected = g_build_filename(lib, "undionly.kpxe", NULL);
	g_assert_cmpstr(path, ==, expected);
	g_clear_pointer(&path, g_free);
	g_clear_pointer(&expected, g_free);
	path = pxf_ipxe_find_image(dirs, "ipxe.efi", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(path, ==, link);
	g_clear_pointer(&path, g_free);
	path = pxf_ipxe_find_image(dirs, "snponly.efi", &error);
	g_assert_no_error(error);
	expected = g_build_filename(share, "snponly.efi", NULL);
	g_assert_cmpstr(path, ==, expected);
	g_clear_pointer(&path, g_free);

	path = pxf_ipxe_find_image(dirs, "ipxe.pxe", &error);
	g_assert_null(path);
	g_assert_error(error, PXF_IPXE_ERROR, PXF_IPXE_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "ipxe.pxe not found in ipxe_dirs ("));
	g_assert_nonnull(strstr(error->message, "install the ipxe package"));
	g_clear_error(&error);
	/* never a path */
	path = pxf_ipxe_find_image(dirs, "../boot/ipxe.efi", &error);
	g_assert_null(path);
	g_assert_error(error, PXF_IPXE_ERROR, PXF_IPXE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(pxf_ipxe_is_image_name(".hidden"));
	g_assert_false(pxf_ipxe_is_image_name("a b"));
	g_assert_false(pxf_ipxe_is_image_name(""));
	g_assert_false(pxf_ipxe_is_image_name(NULL));
	g_assert_true(pxf_ipxe_is_image_name("undionly.kkpxe"));
	rm_rf(root);
}

/* ---- option 175 ------------------------------------------------------------ */

static void
test_features(void)
{
	/* what QEMU's iPXE ROM sends: HTTP, iSCSI, ... (boot lab capture) */
	const guint8 with_http[] = {0x13, 0x01, 0x01, 0x11, 0x01, 0x01,
				    0x19, 0x01, 0x01, 0x21, 0x01, 0x01};
	const guint8 without_http[] = {0x11, 0x01, 0x01, 0x15, 0x01, 0x01, 0x21, 0x01, 0x01};
	const guint8 padded[] = {0x00, 0x00, 0x15, 0x01, 0x01, 0x13, 0x01, 0x01, 0xff};
	const guint8 after_end[] = {0x15, 0x01, 0x01, 0xff, 0x13, 0x01, 0x01};
	const guint8 truncated[] = {0x15, 0x01, 0x01, 0x13};
	const guint8 overlong[] = {0x15, 0x05, 0x01};
	const guint8 not_features[] = {0x01, 0x01, 0x01};

	g_assert_cmpint(pxf_ipxe_features_http(with_http, sizeof(with_http)), ==,
			PXF_IPXE_HTTP_YES);
	g_assert_cmpint(pxf_ipxe_features_http(without_http, sizeof(without_http)), ==,
			PXF_IPXE_HTTP_NO);
	g_assert_cmpint(pxf_ipxe_features_http(padded, sizeof(padded)), ==, PXF_IPXE_HTTP_YES);
	g_assert_cmpint(pxf_ipxe_features_http(after_end, sizeof(after_end)), ==, PXF_IPXE_HTTP_NO);
	g_assert_cmpint(pxf_ipxe_features_http(truncated, sizeof(truncated)), ==,
			PXF_IPXE_HTTP_UNKNOWN);
	g_assert_cmpint(pxf_ipxe_features_http(overlong, sizeof(overlong)), ==,
			PXF_IPXE_HTTP_UNKNOWN);
	g_assert_cmpint(pxf_ipxe_features_http(not_features, sizeof(not_features)), ==,
			PXF_IPXE_HTTP_UNKNOWN);
	g_assert_cmpint(pxf_ipxe_features_http(with_http, 0), ==, PXF_IPXE_HTTP_UNKNOWN);
	g_assert_cmpint(pxf_ipxe_features_http(NULL, 12), ==, PXF_IPXE_HTTP_UNKNOWN);
}

/* ---- boot.select ----------------------------------------------------------- */

static PxfIpxeConfig
default_config(void)
{
	PxfIpxeConfig config = {.chainload = TRUE,
				.bios_image = (gchar *)"undionly.kpxe",
				.efi_x64_image = (gchar *)"ipxe.efi",
				.script_transport = PXF_IPXE_TRANSPORT_HTTP,
				.unknown_hosts = PXF_IPXE_UNKNOWN_MENU};
	return config;
}

static void
assert_select(const PxfIpxeConfig *config,
	      PxfFirmware firmware,
	      PxfBootStage stage,
	      const gchar *mac,
	      gboolean known,
	      const gchar *base_url,
	      PxfIpxeHttpSupport http,
	      PxfVerdict verdict,
	      const gchar *filename)
{
	g_auto(PxfIpxeSelection) sel = {0};

	pxf_ipxe_select(config, firmware, stage, mac, known, base_url, http, &sel);
	if (sel.verdict != verdict || g_strcmp0(sel.filename, filename) != 0)
		g_error("%s/%s known %d: verdict %d file %s (%s), expected %d %s",
			pxf_firmware_to_string(firmware), pxf_boot_stage_to_string(stage), known,
			sel.verdict, sel.filename, sel.why, verdict, filename);
	g_assert_nonnull(sel.why);
}

static void
assert_http_boot(const PxfIpxeConfig *config,
		 PxfFirmware firmware,
		 gboolean known,
		 const gchar *base_url,
		 PxfVerdict expected_verdict,
		 const gchar *expected_file)
{
	g_auto(PxfIpxeSelection) sel = {0};

	pxf_ipxe_select_http_boot(config, firmware, known, base_url, &sel);
	g_assert_cmpint(sel.verdict, ==, expected_verdict);
	g_assert_cmpstr(sel.filename, ==, expected_file);
	g_assert_nonnull(sel.why);
}

/* UEFI HTTP boot: the image as an absolute URL, never a TFTP name the
 * firmware would ignore. */
static void
test_select_http_boot(void)
{
	PxfIpxeConfig config = default_config();

	assert_http_boot(&config, PXF_FIRMWARE_UEFI_X64, TRUE, BASE, PXF_VERDICT_SKIP,
			 BASE "/ipxe.efi");
	assert_http_boot(&config, PXF_FIRMWARE_UEFI_X64, FALSE, BASE "/", PXF_VERDICT_SKIP,
			 BASE "/ipxe.efi");
	/* no URL to give: left alone */
	assert_http_boot(&config, PXF_FIRMWARE_UEFI_X64, TRUE, NULL, PXF_VERDICT_CONTINUE, NULL);
	/* no image for the firmware, and BIOS HTTP boot (arch 20) */
	assert_http_boot(&config, PXF_FIRMWARE_UEFI_ARM64, TRUE, BASE, PXF_VERDICT_CONTINUE, NULL);
	assert_http_boot(&config, PXF_FIRMWARE_BIOS, TRUE, BASE, PXF_VERDICT_CONTINUE, NULL);
	config.efi_arm64_image = (gchar *)"ipxe-arm64.efi";
	assert_http_boot(&config, PXF_FIRMWARE_UEFI_ARM64, TRUE, BASE, PXF_VERDICT_SKIP,
			 BASE "/ipxe-arm64.efi");
	config.unknown_hosts = PXF_IPXE_UNKNOWN_IGNORE;
	assert_http_boot(&config, PXF_FIRMWARE_UEFI_X64, FALSE, BASE, PXF_VERDICT_DROP, NULL);
	assert_http_boot(&config, PXF_FIRMWARE_UEFI_X64, TRUE, BASE, PXF_VERDICT_SKIP,
			 BASE "/ipxe.efi");
	config.chainload = FALSE;
	assert_http_boot(&config, PXF_FIRMWARE_UEFI_X64, TRUE, BASE, PXF_VERDICT_CONTINUE, NULL);
}

static void
test_select(void)
{
	PxfIpxeConfig config = default_config();
	const gchar *script = BASE "/ipxe/52-54-00-12-34-56/boot.ipxe";
	const gchar *tftp_script = "ipxe/52-54-00-12-34-56/boot.ipxe";
	const PxfIpxeHttpSupport http = PXF_IPXE_HTTP_UNKNOWN;

	/* a plain PXE ROM chainloads iPXE */
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, MAC, TRUE, BASE, http,
		      PXF_VERDICT_SKIP, "undionly.kpxe");
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, MAC, TRUE, BASE, http,
		      PXF_VERDICT_SKIP, "ipxe.efi");
	/* an old ROM without option 93 is a BIOS one */
	assert_select(&config, PXF_FIRMWARE_UNKNOWN, PXF_BOOT_STAGE_ROM, MAC, TRUE, BASE, http,
		      PXF_VERDICT_SKIP, "undionly.kpxe");
	/* no image configured for these: left to other plugins */
	assert_select(&config, PXF_FIRMWARE_UEFI_IA32, PXF_BOOT_STAGE_ROM, MAC, TRUE, BASE, http,
		      PXF_VERDICT_CONTINUE, NULL);
	assert_select(&config, PXF_FIRMWARE_UEFI_ARM64, PXF_BOOT_STAGE_ROM, MAC, TRUE, BASE, http,
		      PXF_VERDICT_CONTINUE, NULL);
	/* iPXE, chainloaded or in ROM, BIOS or UEFI, gets its script */
	for (PxfFirmware fw = PXF_FIRMWARE_UNKNOWN; fw <= PXF_FIRMWARE_UEFI_ARM64; fw++) {
		assert_select(&config, fw, PXF_BOOT_STAGE_IPXE, MAC, TRUE, BASE, http,
			      PXF_VERDICT_SKIP, script);
		assert_select(&config, fw, PXF_BOOT_STAGE_IPXE, MAC, FALSE, BASE, http,
			      PXF_VERDICT_SKIP, script);
	}
	/* a base URL with a trailing slash (public_url) */
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_IPXE, MAC, TRUE, BASE "//", http,
		      PXF_VERDICT_SKIP, script);
	/* a client the transport cannot name: the generic chain script */
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_IPXE, NULL, FALSE, BASE, http,
		      PXF_VERDICT_SKIP, BASE "/ipxe/boot.ipxe");
	/* the script over TFTP: configured, no base URL, or an iPXE without HTTP */
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_IPXE, MAC, TRUE, NULL, http,
		      PXF_VERDICT_SKIP, tftp_script);
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_IPXE, MAC, TRUE, BASE,
		      PXF_IPXE_HTTP_NO, PXF_VERDICT_SKIP, tftp_script);
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_IPXE, MAC, TRUE, BASE,
		      PXF_IPXE_HTTP_YES, PXF_VERDICT_SKIP, script);
	config.script_transport = PXF_IPXE_TRANSPORT_TFTP;
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_IPXE, MAC, TRUE, BASE, http,
		      PXF_VERDICT_SKIP, tftp_script);
	config.script_transport = PXF_IPXE_TRANSPORT_HTTP;
	/* loaders and installers are not ours */
	for (PxfBootStage stage = PXF_BOOT_STAGE_UNKNOWN; stage <= PXF_BOOT_STAGE_INSTALLER;
	     stage++) {
		if (stage == PXF_BOOT_STAGE_ROM || stage == PXF_BOOT_STAGE_IPXE)
			continue;
		assert_select(&config, PXF_FIRMWARE_BIOS, stage, MAC, TRUE, BASE, http,
			      PXF_VERDICT_CONTINUE, NULL);
	}
	/* snponly.efi for UEFI, configured */
	config.efi_x64_image = (gchar *)"snponly.efi";
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, MAC, TRUE, BASE, http,
		      PXF_VERDICT_SKIP, "snponly.efi");
	/* chainload off: only iPXE is answered */
	config.chainload = FALSE;
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, MAC, TRUE, BASE, http,
		      PXF_VERDICT_CONTINUE, NULL);
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, MAC, TRUE, BASE, http,
		      PXF_VERDICT_CONTINUE, NULL);
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_IPXE, MAC, TRUE, BASE, http,
		      PXF_VERDICT_SKIP, script);
	config.chainload = TRUE;
	/* unknown machines under each policy */
	config.unknown_hosts = PXF_IPXE_UNKNOWN_LOCAL;
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, MAC, FALSE, BASE, http,
		      PXF_VERDICT_SKIP, "undionly.kpxe");
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_IPXE, MAC, FALSE, BASE, http,
		      PXF_VERDICT_SKIP, script);
	config.unknown_hosts = PXF_IPXE_UNKNOWN_IGNORE;
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, MAC, FALSE, BASE, http,
		      PXF_VERDICT_DROP, NULL);
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_IPXE, MAC, FALSE, BASE, http,
		      PXF_VERDICT_DROP, NULL);
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, MAC, TRUE, BASE, http,
		      PXF_VERDICT_SKIP, "undionly.kpxe");
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_IPXE, MAC, TRUE, BASE, http,
		      PXF_VERDICT_SKIP, script);
}

/* A DHCP request as the boot lab captured it (docs: network-boot-lab.md,
 * "What the clients send"), classified by the core's own default. */
typedef struct {
	const gchar *what;
	gint arch;
	const gchar *vendor_class;
	const gchar *user_class; /* option 77 */
	gboolean opt175;
} Capture;

static const Capture capture_rom_bios = {"a BIOS PXE ROM", 0, "PXEClient:Arch:00000:UNDI:002001",
					 NULL, FALSE};
static const Capture capture_ovmf = {"OVMF's PXE client", 7, "PXEClient:Arch:00007:UNDI:003000",
				     NULL, FALSE};
static const Capture capture_ipxe_bios = {"iPXE on BIOS", 0, "PXEClient:Arch:00000:UNDI:002001",
					  "iPXE", TRUE};
static const Capture capture_ipxe_efi = {"iPXE on UEFI", 7, "PXEClient:Arch:00007:UNDI:003010",
					 "iPXE", TRUE};

/* What a client of this capture is told to boot, through the core's
 * client.classify default and the plugin's decision. */
static gchar *
boot_file_for(PxfCore *core, const PxfIpxeConfig *config, const Capture *capture)
{
	PxfClient client = {.transport = "dhcp", .mac = MAC};
	PxfClientClassifyArgs args = {.client = &client,
				      .arch = capture->arch,
				      .vendor_class = capture->vendor_class,
				      .user_class = capture->user_class,
				      .has_ipxe_options = capture->opt175};
	g_auto(PxfIpxeSelection) sel = {0};

	pxf_core_classify(core, &args);
	pxf_ipxe_select(config, args.firmware, args.stage, MAC, TRUE, BASE, PXF_IPXE_HTTP_UNKNOWN,
			&sel);
	g_assert_cmpint(sel.verdict, ==, PXF_VERDICT_SKIP);
	return g_steal_pointer(&sel.filename);
}

static void
test_no_chainload_loop(void)
{
	PxfCore core = {.hooks = pxf_hook_registry_new()};
	PxfIpxeConfig config = default_config();
	const gchar *script = BASE "/ipxe/52-54-00-12-34-56/boot.ipxe";
	const struct {
		const Capture *rom;
		const Capture *chained;
		const gchar *image;
	} boots[] = {
		{&capture_rom_bios, &capture_ipxe_bios, "undionly.kpxe"},
		{&capture_ovmf, &capture_ipxe_efi, "ipxe.efi"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(boots); i++) {
		g_autofree gchar *first = boot_file_for(&core, &config, boots[i].rom);
		g_autofree gchar *second = NULL;

		g_test_message("%s: %s", boots[i].rom->what, first);
		g_assert_cmpstr(first, ==, boots[i].image);
		/* the image it chainloads asks again as iPXE: user class "iPXE" and
		 * option 175; it gets its script, never the image again */
		second = boot_file_for(&core, &config, boots[i].chained);
		g_test_message("then %s: %s", boots[i].chained->what, second);
		g_assert_cmpstr(second, ==, script);
	}
	/* iPXE already in the ROM (QEMU's e1000) goes straight to its script;
	 * either sign of iPXE is enough */
	{
		const Capture user_class_only = {"user class only", 0,
						 "PXEClient:Arch:00000:UNDI:002001", "iPXE", FALSE};
		const Capture options_only = {"option 175 only", 7,
					      "PXEClient:Arch:00007:UNDI:003010", NULL, TRUE};
		g_autofree gchar *a = boot_file_for(&core, &config, &capture_ipxe_bios);
		g_autofree gchar *b = boot_file_for(&core, &config, &user_class_only);
		g_autofree gchar *c = boot_file_for(&core, &config, &options_only);
		g_assert_cmpstr(a, ==, script);
		g_assert_cmpstr(b, ==, script);
		g_assert_cmpstr(c, ==, script);
	}
	pxf_hook_registry_free(core.hooks);
}

/* ---- configuration ----------------------------------------------------------- */

static gpointer
config_from_yaml(const gchar *yaml, GError **error)
{
	g_autoptr(PxfConfNode) root = NULL;
	g_autoptr(PxfConfSection) section = pxf_bootloader_test_section(
		"45-ipxe.yaml", yaml, "ipxe", pxf_ipxe_config_keys, &root);
	return pxf_ipxe_config_new(section, error);
}

static void
test_config(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfIpxeConfig) config = NULL;
	g_autofree gchar *host_tpl = template_path("host.ipxe.mustache");
	g_autofree gchar *menu_tpl = template_path("menu.ipxe.mustache");
	g_autofree gchar *tpl = g_strdup_printf("ipxe:\n"
						"  host_template: %s\n"
						"  menu_template: %s\n",
						host_tpl, menu_tpl);
	g_autofree gchar *menu_kernel = g_strdup_printf("  menu_kernel: %s\n", host_tpl);
	const PxfBootloaderTestBad bad[] = {
		{"  unknown_hosts: wipe\n",
		 "45-ipxe.yaml:4:18: unknown_hosts: 'wipe' is not one of menu, local, ignore"},
		{"  script_transport: nfs\n", "script_transport: 'nfs' is not one of auto, http, "
					      "tftp"},
		{"  script_transport: mtftp\n", "'mtftp' is not one of auto, http, tftp"},
		{"  file_transport: nfs\n", "'nfs' is not one of auto, http, tftp, mtftp"},
		{"  local_boot: grub\n", "local_boot: 'grub' is not one of exit, sanboot"},
		{"  menu_default: install\n",
		 "the menu has no 'install' entry without menu_kernel"},
		{"  menu_default: reboot\n", "'reboot' is not one of install, local, shell"},
		{menu_kernel, "menu_kernel and menu_initrd go together"},
		{"  menu_initrd: relative/initrd.img\n",
		 "menu_initrd: 'relative/initrd.img' is not an absolute path"},
		{"  menu_initrd: /nonexistent/initrd.img\n", "is not a regular file"},
		{"  bios_image: ''\n", "bios_image: must name an image"},
		{"  bios_image: ../boot/x.kpxe\n", "bios_image: '../boot/x.kpxe' is not a plain "
						   "file name"},
		{"  efi_x64_image: /usr/lib/ipxe/ipxe.efi\n", "efi_x64_image: '/usr/lib/ipxe/ipxe."
							      "efi' is not a plain file name"},
		{"  ks_param: 'ks=x'\n", "not a kernel parameter name"},
		{"  kernel_args: \"a\\nb\"\n", "kernel_args: must be a single line"},
		{"  menu_title: \"a\\rb\"\n", "menu_title: must be a single line"},
	};

	/* defaults */
	config = config_from_yaml(tpl, &error);
	g_assert_no_error(error);
	g_assert_true(config->chainload);
	g_assert_cmpstr(config->bios_image, ==, "undionly.kpxe");
	g_assert_cmpstr(config->efi_x64_image, ==, "ipxe.efi");
	g_assert_null(config->efi_ia32_image);
	g_assert_null(config->efi_arm64_image);
	g_assert_cmpstr(config->ipxe_dirs[0], ==, "/usr/lib/ipxe");
	/* auto: decided at init by whether the http plugin runs */
	g_assert_cmpint(config->script_transport, ==, PXF_IPXE_TRANSPORT_AUTO);
	g_assert_cmpint(config->file_transport, ==, PXF_IPXE_TRANSPORT_AUTO);
	g_assert_cmpint(config->unknown_hosts, ==, PXF_IPXE_UNKNOWN_MENU);
	g_assert_cmpint(config->local_boot, ==, PXF_IPXE_LOCAL_EXIT);
	g_assert_cmpint(config->menu_timeout, ==, 10);
	g_assert_cmpstr(config->menu_default, ==, "local");
	g_assert_cmpstr(config->ks_param, ==, "ks");
	g_assert_null(config->menu_kernel);
	g_clear_pointer(&config, pxf_ipxe_config_free);

	/* every choice spelt out */
	{
		g_autofree gchar *yaml =
			g_strconcat(tpl, "  chainload: false\n  efi_x64_image: snponly.efi\n",
				    "  script_transport: tftp\n  file_transport: mtftp\n",
				    "  unknown_hosts: ignore\n  local_boot: sanboot\n",
				    "  menu_kernel: mtftp://192.0.2.1/c9/vmlinuz\n",
				    "  menu_initrd: http://192.0.2.1/c9/initrd.img\n",
				    "  menu_default: install\n  menu_timeout: 0\n", NULL);
		config = config_from_yaml(yaml, &error);
		g_assert_no_error(error);
		g_assert_false(config->chainload);
		g_assert_cmpstr(config->efi_x64_image, ==, "snponly.efi");
		g_assert_cmpint(config->script_transport, ==, PXF_IPXE_TRANSPORT_TFTP);
		g_assert_cmpint(config->file_transport, ==, PXF_IPXE_TRANSPORT_MTFTP);
		g_assert_cmpint(config->unknown_hosts, ==, PXF_IPXE_UNKNOWN_IGNORE);
		g_assert_cmpint(config->local_boot, ==, PXF_IPXE_LOCAL_SANBOOT);
		g_assert_cmpstr(config->menu_kernel, ==, "mtftp://192.0.2.1/c9/vmlinuz");
		g_assert_cmpint(config->menu_timeout, ==, 0);
		g_clear_pointer(&config, pxf_ipxe_config_free);
	}

	/* no template at all */
	config = config_from_yaml("ipxe:\n  host_template: ''\n", &error);
	g_assert_null(config);
	g_assert_error(error, PXF_IPXE_ERROR, PXF_IPXE_ERROR_INVALID);
	g_assert_cmpstr(error->message, ==,
			"45-ipxe.yaml:2:18: host_template: must name a template file");
	g_clear_error(&error);

	pxf_bootloader_test_refuses(config_from_yaml, tpl, bad, G_N_ELEMENTS(bad), PXF_IPXE_ERROR,
				    PXF_IPXE_ERROR_INVALID, "45-ipxe.yaml:");
}

/* ---- scripts ----------------------------------------------------------------- */

static PxfVars *
host_vars(gboolean with_distro)
{
	const PxfBootloaderTestDistro distro = {"rocky9", "/srv/rocky9/vmlinuz",
						"/srv/rocky9/initrd.img", NULL};
	return pxf_bootloader_test_host_vars(MAC, NULL, with_distro ? &distro : NULL);
}

#define HTTP  PXF_IPXE_TRANSPORT_HTTP
#define TFTP  PXF_IPXE_TRANSPORT_TFTP
#define MTFTP PXF_IPXE_TRANSPORT_MTFTP

/* What the daemon does: template.vars adds "ipxe", then the core renders;
 * mtftp:// files from 10.0.0.1, the server the script was asked from. */
static gchar *
render(const PxfIpxeConfig *config,
       PxfVars *vars,
       const gchar *template,
       PxfIpxeTransport files,
       gboolean known,
       gboolean netboot,
       PxfHostState state)
{
	g_autofree gchar *path = template_path(template);
	gchar *out;

	pxf_vars_set(vars, "ipxe",
		     pxf_ipxe_build_vars(config, vars, files, files == MTFTP ? "10.0.0.1" : NULL,
					 known, netboot, state));
	out = pxf_bootloader_test_render_file(path, vars);
	/* iPXE runs a script only when it starts with its magic */
	g_assert_true(g_str_has_prefix(out, "#!ipxe\n"));
	return out;
}

static void
test_render_known(void)
{
	PxfIpxeConfig config = default_config();
	g_autoptr(PxfVars) vars = host_vars(TRUE);
	g_autofree gchar *script = NULL;

	config.ks_param = (gchar *)"ks";
	config.kernel_args = (gchar *)"console=ttyS0,115200";
	config.menu_default = (gchar *)"local";
	pxf_vars_set_string(vars, "http.base_url", BASE "/");
	pxf_vars_set_string(vars, "install.ks_url", BASE "/ks/52:54:00:12:34:56");
	script = render(&config, vars, "host.ipxe.mustache", HTTP, TRUE, TRUE,
			PXF_HOST_STATE_BOOTING);
	assert_contains(script, "# pxeforge: iPXE script for web01 52:54:00:12:34:56\n");
	assert_contains(script, "# installs rocky9 (profile web, host state booting), files "
				"over http\n");
	/* UEFI's EFI stub finds the initrd by the name on the kernel line */
	assert_contains(script,
			"\nkernel " BASE "/ipxe/52-54-00-12-34-56/vmlinuz initrd=initrd.img "
			"ks=" BASE "/ks/52:54:00:12:34:56 ip=dhcp BOOTIF=01-52-54-00-12-34-56 "
			"console=ttyS0,115200 || goto failed\n"
			"initrd --name initrd.img " BASE "/ipxe/52-54-00-12-34-56/initrd.img "
			"|| goto failed\n"
			"boot || goto failed\n");
	assert_lacks(script, "exit\n#");
	assert_lacks(script, "sanboot");
	/* no blank lines left by the template's sections */
	assert_lacks(script, "\n\n");
	g_clear_pointer(&script, g_free);

	/* an operator's own ks_url wins; inst.ks for newer installers */
	config.ks_param = (gchar *)"inst.ks";
	config.kernel_args = NULL;
	pxf_vars_set_string(vars, "ks_url", "http://172.16.100.7/ks.cfg");
	script = render(&config, vars, "host.ipxe.mustache", HTTP, TRUE, TRUE,
			PXF_HOST_STATE_FAILED);
	assert_contains(script, "initrd=initrd.img inst.ks=http://172.16.100.7/ks.cfg ip=dhcp "
				"BOOTIF=01-52-54-00-12-34-56 || goto failed\n");
	g_clear_pointer(&script, g_free);

	/* fetched over TFTP: the files too, as absolute paths on that server */
	script = render(&config, vars, "host.ipxe.mustache", TFTP, TRUE, TRUE,
			PXF_HOST_STATE_BOOTING);
	assert_contains(script, "\nkernel /ipxe/52-54-00-12-34-56/vmlinuz initrd=initrd.img ");
	assert_contains(script, "\ninitrd --name initrd.img /ipxe/52-54-00-12-34-56/initrd.img ");
	assert_contains(script, "files over tftp\n");
	g_clear_pointer(&script, g_free);

	/* file_transport mtftp: multicast URLs on the server, for per-host paths too */
	script = render(&config, vars, "host.ipxe.mustache", MTFTP, TRUE, TRUE,
			PXF_HOST_STATE_BOOTING);
	assert_contains(script, "\nkernel mtftp://10.0.0.1/ipxe/52-54-00-12-34-56/vmlinuz "
				"initrd=initrd.img ");
	assert_contains(script, "\ninitrd --name initrd.img "
				"mtftp://10.0.0.1/ipxe/52-54-00-12-34-56/initrd.img ");
	assert_contains(script, "files over mtftp\n");
	g_clear_pointer(&script, g_free);
	/* no server address (a CLI render): the one DHCP named */
	{
		g_autoptr(GVariant) ipxe = g_variant_ref_sink(pxf_ipxe_build_vars(
			&config, vars, MTFTP, NULL, TRUE, TRUE, PXF_HOST_STATE_BOOTING));
		const gchar *initrd = NULL;
		g_assert_true(g_variant_lookup(ipxe, "initrd", "&s", &initrd));
		g_assert_cmpstr(initrd, ==,
				"mtftp://${next-server}/ipxe/52-54-00-12-34-56/initrd.img");
	}

	/* a distro whose kernel lives on a web server is fetched from there */
	{
		g_autoptr(PxfVars) remote = host_vars(FALSE);
		GVariantDict distro;

		g_variant_dict_init(&distro, NULL);
		g_variant_dict_insert(&distro, "name", "s", "c9");
		g_variant_dict_insert(&distro, "kernel", "s", "http://192.0.2.1/c9/vmlinuz");
		g_variant_dict_insert(&distro, "initrd", "s", "http://192.0.2.1/c9/initrd.gz");
		pxf_vars_set(remote, "distro", g_variant_dict_end(&distro));
		script = render(&config, remote, "host.ipxe.mustache", HTTP, TRUE, TRUE,
				PXF_HOST_STATE_DISCOVERED);
		assert_contains(script, "\nkernel http://192.0.2.1/c9/vmlinuz initrd=initrd.img ");
		assert_contains(script,
				"\ninitrd --name initrd.img http://192.0.2.1/c9/initrd.gz ");
		/* no http plugin and no ks_url: the installer asks */
		assert_lacks(script, "ks=");
		g_clear_pointer(&script, g_free);
	}
}

static void
test_render_localboot(void)
{
	PxfIpxeConfig config = default_config();
	struct {
		gboolean with_distro;
		gboolean netboot;
		PxfHostState state;
		const gchar *reason;
	} cases[] = {
		{TRUE, TRUE, PXF_HOST_STATE_INSTALLED, "installed"},
		{TRUE, FALSE, PXF_HOST_STATE_BOOTING, "netboot is off"},
		{TRUE, FALSE, PXF_HOST_STATE_UNKNOWN, "netboot is off"},
		{FALSE, TRUE, PXF_HOST_STATE_DISCOVERED, "no profile with a distro"},
	};

	config.ks_param = (gchar *)"ks";
	config.menu_default = (gchar *)"local";
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(PxfVars) vars = host_vars(cases[i].with_distro);
		g_autofree gchar *script = NULL;
		g_autofree gchar *why =
			g_strdup_printf("# boots from its local disk: %s\n", cases[i].reason);

		pxf_vars_set_string(vars, "install.ks_url", BASE "/ks/x");
		pxf_vars_set_string(vars, "http.base_url", BASE);
		config.local_boot = i % 2 == 0 ? PXF_IPXE_LOCAL_EXIT : PXF_IPXE_LOCAL_SANBOOT;
		script = render(&config, vars, "host.ipxe.mustache", HTTP, TRUE, cases[i].netboot,
				cases[i].state);
		assert_contains(script, why);
		/* UEFI: a failure, so that the boot manager tries the next option */
		if (config.local_boot == PXF_IPXE_LOCAL_EXIT) {
			assert_contains(script, "boots from its local disk (");
			g_assert_true(g_str_has_suffix(
				script, ")\niseq ${platform} pcbios || exit 1\nexit\n"));
			assert_lacks(script, "sanboot");
		} else {
			/* the BIOS's first disk; a failed sanboot exits */
			g_assert_true(g_str_has_suffix(
				script, ")\niseq ${platform} pcbios || exit 1\n"
					"sanboot --no-describe --drive 0x80 || exit\n"));
		}
		assert_lacks(script, "kernel ");
		assert_lacks(script, "initrd ");
		assert_lacks(script, "\n\n");
		g_assert_cmpstr(pxf_ipxe_localboot_reason(cases[i].netboot, cases[i].state,
							  cases[i].with_distro),
				==, cases[i].reason);
	}
	/* a failed or interrupted install is tried again */
	g_assert_null(pxf_ipxe_localboot_reason(TRUE, PXF_HOST_STATE_FAILED, TRUE));
	g_assert_null(pxf_ipxe_localboot_reason(TRUE, PXF_HOST_STATE_INSTALLING, TRUE));
}

/* Line index of the first line starting with prefix, or -1. */
static gint
line_of(const gchar *text, const gchar *prefix)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (g_str_has_prefix(lines[i], prefix))
			return (gint)i;
	}
	return -1;
}

static void
test_render_menu(void)
{
	PxfIpxeConfig config = default_config();
	g_autoptr(PxfVars) vars = pxf_vars_new();
	g_autofree gchar *script = NULL;

	config.ks_param = (gchar *)"ks";
	config.menu_timeout = 10;
	config.menu_default = (gchar *)"local";
	config.menu_title = (gchar *)"pxeforge: unknown machine";
	pxf_vars_set_string(vars, "http.base_url", BASE);

	/* no installer configured: local boot after 10 s, or the shell */
	script = render(&config, vars, "menu.ipxe.mustache", HTTP, FALSE, FALSE,
			PXF_HOST_STATE_UNKNOWN);
	assert_contains(script, "\nmenu pxeforge: unknown machine (${netX/mac}) || goto local\n");
	assert_contains(script, "\nitem local Boot from the local drive\nitem shell iPXE shell\n");
	assert_contains(script, "\nchoose --timeout 10000 --default local selected || goto local\n"
				"goto ${selected}\n");
	assert_contains(script, "\n:local\necho pxeforge: booting from the local disk\n"
				"iseq ${platform} pcbios || exit 1\nexit\n");
	assert_contains(script, "\n:shell\n");
	assert_lacks(script, "item install");
	assert_lacks(script, "kernel ");
	assert_lacks(script, "\n\n");
	g_assert_true(g_str_has_suffix(script, "\nexit\n"));
	g_clear_pointer(&script, g_free);

	/* with an installer, still defaulting to the local disk; no timeout */
	config.menu_kernel = (gchar *)"/srv/c9/vmlinuz";
	config.menu_initrd = (gchar *)"/srv/c9/initrd.img";
	config.menu_append = (gchar *)"inst.repo=http://192.0.2.1/c9/";
	config.kernel_args = (gchar *)"console=ttyS0";
	config.menu_timeout = 0;
	script = render(&config, vars, "menu.ipxe.mustache", HTTP, FALSE, FALSE,
			PXF_HOST_STATE_UNKNOWN);
	assert_contains(script, "\nchoose --default local selected || goto local\n");
	assert_contains(script, "\n:install\nkernel " BASE "/ipxe/menu/vmlinuz initrd=initrd.img "
				"inst.repo=http://192.0.2.1/c9/ console=ttyS0 || goto local\n"
				"initrd --name initrd.img " BASE "/ipxe/menu/initrd.img || goto "
				"local\nboot || goto local\n");
	g_assert_cmpint(line_of(script, "item install"), <, line_of(script, "item local"));
	g_assert_cmpint(line_of(script, "item local"), <, line_of(script, "item shell"));
	g_assert_cmpint(line_of(script, "choose"), <, line_of(script, ":install"));
	assert_lacks(script, "\n\n");
	g_clear_pointer(&script, g_free);

	/* install by default, over TFTP, sanboot for the local disk */
	config.menu_default = (gchar *)"install";
	config.local_boot = PXF_IPXE_LOCAL_SANBOOT;
	script = render(&config, vars, "menu.ipxe.mustache", TFTP, FALSE, FALSE,
			PXF_HOST_STATE_UNKNOWN);
	assert_contains(script, "--default install selected");
	assert_contains(script, "\nkernel /ipxe/menu/vmlinuz initrd=initrd.img ");
	assert_contains(script, "\n:local\necho pxeforge: booting from the local disk\n"
				"iseq ${platform} pcbios || exit 1\n"
				"sanboot --no-describe --drive 0x80 || exit\n");
	g_clear_pointer(&script, g_free);
}

static void
test_builtin_scripts(void)
{
	PxfIpxeConfig config = default_config();
	g_autofree gchar *local = pxf_ipxe_localboot_script(&config, "not in the inventory");

	g_assert_cmpstr(local, ==,
			"#!ipxe\n"
			"# pxeforge: this machine boots from its local disk (not in the "
			"inventory)\n"
			"echo pxeforge: booting from the local disk\n"
			"iseq ${platform} pcbios || exit 1\n"
			"exit\n");
	/* the per-MAC script sits next to the generic one: a relative URI, and
	 * dashes (a colon would make "52:..." an URI scheme) */
	g_assert_true(g_str_has_prefix(pxf_ipxe_chain_script(), "#!ipxe\n"));
	assert_contains(pxf_ipxe_chain_script(), "\nchain ${netX/mac:hexhyp}/boot.ipxe || exit\n");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/ipxe/paths", test_paths);
	g_test_add_func("/plugin/ipxe/parse-mac", test_parse_mac);
	g_test_add_func("/plugin/ipxe/images", test_images);
	g_test_add_func("/plugin/ipxe/features", test_features);
	g_test_add_func("/plugin/ipxe/select", test_select);
	g_test_add_func("/plugin/ipxe/select-http-boot", test_select_http_boot);
	g_test_add_func("/plugin/ipxe/no-chainload-loop", test_no_chainload_loop);
	g_test_add_func("/plugin/ipxe/config", test_config);
	g_test_add_func("/plugin/ipxe/render-known", test_render_known);
	g_test_add_func("/plugin/ipxe/render-localboot", test_render_localboot);
	g_test_add_func("/plugin/ipxe/render-menu", test_render_menu);
	g_test_add_func("/plugin/ipxe/builtin-scripts", test_builtin_scripts);
	return g_test_run();
}
