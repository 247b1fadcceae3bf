/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The grub-efi plugin's engine: request paths, vendor chains in fake
 * install trees, the boot file matrix, the configuration checks, GRUB
 * quoting, and the shipped templates rendered by the core's renderer with
 * the variables the plugin computes, as the daemon does. */
#define G_LOG_DOMAIN "test-grub-efi"

#include <glib/gstdio.h>

#include "pxf-bootloader-test.h"
#include "pxf-config.h"
#include "pxf-diag.h"
#include "pxf-grub-efi.h"
#include "pxf-template.h"
#include "pxf-test-paths.h"
#include "pxf-vars.h"

/* the shared fixtures under their short names */
#define assert_contains pxf_bootloader_test_assert_contains
#define assert_lacks	pxf_bootloader_test_assert_lacks
#define write_file	pxf_bootloader_test_write_file
#define rm_rf		pxf_bootloader_test_rm_rf

#define MAC "52:54:00:12:34:56"

/* @name under plugins/grub-efi/templates */
static gchar *
template_path(const gchar *name)
{
	return pxf_test_build_filename("plugins", "grub-efi", "templates", name, NULL);
}

/* ---- helpers ---------------------------------------------------------------- */

/* ---- paths ---------------------------------------------------------------- */

static void
assert_path(const gchar *path,
	    PxfGrubEfiPath expected,
	    const gchar *expected_mac,
	    const gchar *expected_distro,
	    const gchar *expected_file)
{
	PxfGrubEfiPathInfo info = {.mac = NULL};
	PxfGrubEfiPath kind = pxf_grub_efi_classify_path(path, &info);

	if (kind != expected)
		g_error("'%s': kind %d, expected %d", path, kind, expected);
	g_assert_cmpstr(info.mac, ==, expected_mac);
	g_assert_cmpstr(info.distro, ==, expected_distro);
	g_assert_cmpstr(info.file, ==, expected_file);
	pxf_grub_efi_path_info_clear(&info);
}

static void
test_paths(void)
{
	/* the chain */
	assert_path("shimx64.efi", PXF_GRUB_EFI_PATH_SHIM, NULL, NULL, NULL);
	assert_path("/shimx64.efi", PXF_GRUB_EFI_PATH_SHIM, NULL, NULL, NULL);
	assert_path("grubx64.efi", PXF_GRUB_EFI_PATH_GRUB_SIGNED, NULL, NULL, NULL);
	assert_path("grubnetx64.efi", PXF_GRUB_EFI_PATH_GRUB, NULL, NULL, NULL);
	assert_path("mmx64.efi", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	/* what Debian's GRUB asks for: x86_64-efi/ *.lst, then grub.cfg */
	assert_path("grub/x86_64-efi/command.lst", PXF_GRUB_EFI_PATH_MODULE, NULL, NULL,
		    "command.lst");
	assert_path("grub/x86_64-efi/http.mod", PXF_GRUB_EFI_PATH_MODULE, NULL, NULL, "http.mod");
	assert_path("grub/x86_64-efi/grub.cfg", PXF_GRUB_EFI_PATH_PROBE, NULL, NULL, NULL);
	assert_path("grub/x86_64-efi/.hidden", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("grub/x86_64-efi/a/b.mod", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("boot/grub/x86_64-efi/fs.lst", PXF_GRUB_EFI_PATH_PROBE, NULL, NULL, NULL);
	assert_path("boot/grub/x86_64-efi/normal.mod", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("grub/grub.cfg", PXF_GRUB_EFI_PATH_CFG, NULL, NULL, NULL);
	assert_path("boot/grub/grub.cfg", PXF_GRUB_EFI_PATH_CFG, NULL, NULL, NULL);
	assert_path("debian-installer/amd64/grub/grub.cfg", PXF_GRUB_EFI_PATH_CFG, NULL, NULL,
		    NULL);
	assert_path("debian-installer/amd64/grub/x86_64-efi/terminal.lst", PXF_GRUB_EFI_PATH_PROBE,
		    NULL, NULL, NULL);
	/* grub.cfg-01-$net_default_mac (colons) and the pxelinux-style name */
	assert_path("grub/grub.cfg-01-52:54:00:12:34:56", PXF_GRUB_EFI_PATH_CFG_MAC, MAC, NULL,
		    NULL);
	assert_path("grub/grub.cfg-01-52-54-00-AB-cd-EF", PXF_GRUB_EFI_PATH_CFG_MAC,
		    "52:54:00:ab:cd:ef", NULL, NULL);
	assert_path("grub/grub.cfg-01-52-54:00-12-34-56", PXF_GRUB_EFI_PATH_PROBE, NULL, NULL,
		    NULL);
	assert_path("grub/grub.cfg-01-52-54-00-12-34", PXF_GRUB_EFI_PATH_PROBE, NULL, NULL, NULL);
	assert_path("grub/grub.cfg-0A630064", PXF_GRUB_EFI_PATH_PROBE, NULL, NULL, NULL);
	assert_path("grub/grub.cfg-0A", PXF_GRUB_EFI_PATH_PROBE, NULL, NULL, NULL);
	assert_path("grub/grub.cfg.bak", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("grub/font.pf2", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("grub.cfg", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("other/grub/grub.cfg", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	/* vendor chains and their GRUB's prefix */
	assert_path("efi/rocky9/shimx64.efi", PXF_GRUB_EFI_PATH_VENDOR, NULL, "rocky9",
		    "shimx64.efi");
	assert_path("efi/rocky9/grubx64.efi", PXF_GRUB_EFI_PATH_VENDOR, NULL, "rocky9",
		    "grubx64.efi");
	assert_path("efi/sles15/grub.efi", PXF_GRUB_EFI_PATH_VENDOR, NULL, "sles15", "grub.efi");
	assert_path("efi/rocky9/grub.cfg", PXF_GRUB_EFI_PATH_CFG, NULL, "rocky9", NULL);
	assert_path("efi/rocky9/grub.cfg-01-52-54-00-12-34-56", PXF_GRUB_EFI_PATH_CFG_MAC, MAC,
		    "rocky9", NULL);
	assert_path("efi/rocky9/grub.cfg-C0A8", PXF_GRUB_EFI_PATH_PROBE, NULL, NULL, NULL);
	assert_path("efi/rocky9/x86_64-efi/crypto.lst", PXF_GRUB_EFI_PATH_PROBE, NULL, NULL, NULL);
	assert_path("efi/rocky9/x86_64-efi/http.mod", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("efi/rocky9/sub/grubx64.efi", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("efi/.hidden/grubx64.efi", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("efi/rocky9/.x", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("efi/a b/grubx64.efi", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("efi/rocky9", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	/* the installer and the menu */
	assert_path("boot/52-54-00-12-34-56/vmlinuz", PXF_GRUB_EFI_PATH_HOST_KERNEL, MAC, NULL,
		    NULL);
	assert_path("boot/52-54-00-12-34-56/initrd.img", PXF_GRUB_EFI_PATH_HOST_INITRD, MAC, NULL,
		    NULL);
	assert_path("boot/52:54:00:12:34:56/vmlinuz", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("boot/52-54-00-12-34-56/grub.cfg", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("boot/menu/vmlinuz", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("grub/menu/vmlinuz", PXF_GRUB_EFI_PATH_MENU_KERNEL, NULL, NULL, NULL);
	assert_path("grub/menu/initrd.img", PXF_GRUB_EFI_PATH_MENU_INITRD, NULL, NULL, NULL);
	assert_path("grub/menu/x", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("grub/http-check", PXF_GRUB_EFI_PATH_HTTP_CHECK, NULL, NULL, NULL);
	/* pxelinux's and anything else */
	assert_path("pxelinux.cfg/default", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("grub//grub.cfg", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("a/b/c/d/e/f/g/h/i/grub.cfg", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path("/", PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	assert_path(NULL, PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	{
		g_autofree gchar *longname = g_strnfill(2000, 'a');
		assert_path(longname, PXF_GRUB_EFI_PATH_OTHER, NULL, NULL, NULL);
	}
	g_assert_null(pxf_grub_efi_parse_mac("52.54.00.12.34.56"));
	g_assert_null(pxf_grub_efi_parse_mac("52-54-00-12-34-5"));
	g_assert_null(pxf_grub_efi_parse_mac(NULL));
}

/* ---- chains --------------------------------------------------------------- */

static void
assert_chain(const gchar *tree,
	     const gchar *shim_override,
	     const gchar *grub_override,
	     const gchar *shim,
	     const gchar *grub)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfGrubEfiChain) chain =
		pxf_grub_efi_chain_find(tree, shim_override, grub_override, &error);
	g_autofree gchar *want_shim = g_build_filename(tree, shim, NULL);
	g_autofree gchar *want_grub = g_build_filename(tree, grub, NULL);
	g_autofree gchar *want_dir = g_path_get_dirname(want_shim);

	g_assert_no_error(error);
	g_assert_nonnull(chain);
	g_assert_cmpstr(chain->shim, ==, want_shim);
	g_assert_cmpstr(chain->grub, ==, want_grub);
	g_assert_cmpstr(chain->dir, ==, want_dir);
	g_assert_nonnull(chain->layout);
}

static void
test_chains(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *root = g_dir_make_tmp("pxf-grub-efi-XXXXXX", &error);
	g_autofree gchar *rhel = g_build_filename(root, "rocky9", NULL);
	g_autofree gchar *ubuntu = g_build_filename(root, "ubuntu", NULL);
	g_autofree gchar *suse = g_build_filename(root, "sles15", NULL);
	g_autofree gchar *debian = g_build_filename(root, "debian12", NULL);
	g_autofree gchar *plain = g_build_filename(root, "plain", NULL);
	g_autofree gchar *half = g_build_filename(root, "half", NULL);
	g_autofree gchar *abs_shim = NULL;
	g_autofree gchar *file_url = NULL;
	g_autoptr(PxfGrubEfiChain) chain = NULL;

	g_assert_no_error(error);
	/* .treeinfo trees of the RHEL family: upper-case shim */
	write_file(rhel, "EFI/BOOT/BOOTX64.EFI", "rocky shim");
	write_file(rhel, "EFI/BOOT/grubx64.efi", "rocky grub");
	write_file(rhel, "EFI/BOOT/mmx64.efi", "rocky mok");
	write_file(rhel, "images/pxeboot/vmlinuz", "kernel");
	/* Ubuntu's ISO: lower-case directory and names */
	write_file(ubuntu, "EFI/boot/bootx64.efi", "ubuntu shim");
	write_file(ubuntu, "EFI/boot/grubx64.efi", "ubuntu grub");
	/* SUSE's shim loads grub.efi */
	write_file(suse, "EFI/BOOT/bootx64.efi", "suse shim");
	write_file(suse, "EFI/BOOT/grub.efi", "suse grub");
	/* Debian's netboot tarball */
	write_file(debian, "debian-installer/amd64/bootnetx64.efi", "debian shim");
	write_file(debian, "debian-installer/amd64/grubx64.efi", "debian grub");
	/* a shim without its GRUB is no chain */
	write_file(half, "EFI/BOOT/BOOTX64.EFI", "lonely shim");
	g_assert_cmpint(g_mkdir_with_parents(plain, 0755), ==, 0);

	assert_chain(rhel, NULL, NULL, "EFI/BOOT/BOOTX64.EFI", "EFI/BOOT/grubx64.efi");
	assert_chain(ubuntu, NULL, NULL, "EFI/boot/bootx64.efi", "EFI/boot/grubx64.efi");
	assert_chain(suse, NULL, NULL, "EFI/BOOT/bootx64.efi", "EFI/BOOT/grub.efi");
	assert_chain(debian, NULL, NULL, "debian-installer/amd64/bootnetx64.efi",
		     "debian-installer/amd64/grubx64.efi");
	/* the distro's efi.shim / efi.grub, relative to the tree, any case */
	assert_chain(rhel, "efi/boot/bootx64.efi", NULL, "EFI/BOOT/BOOTX64.EFI",
		     "EFI/BOOT/grubx64.efi");
	assert_chain(rhel, "EFI/BOOT/BOOTX64.EFI", "EFI/BOOT/mmx64.efi", "EFI/BOOT/BOOTX64.EFI",
		     "EFI/BOOT/mmx64.efi");
	abs_shim = g_build_filename(suse, "EFI/BOOT/bootx64.efi", NULL);
	chain = pxf_grub_efi_chain_find(NULL, abs_shim, "/nonexistent/grub.efi", &error);
	g_assert_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "efi.grub '/nonexistent/grub.efi'"));
	g_assert_null(chain);
	g_clear_error(&error);
	/* an absolute shim without efi.grub: grubx64.efi next to it, or an error */
	chain = pxf_grub_efi_chain_find(NULL, abs_shim, NULL, &error);
	g_assert_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "set efi.grub"));
	g_clear_error(&error);
	chain = pxf_grub_efi_chain_find(plain, "EFI/BOOT/BOOTX64.EFI", NULL, &error);
	g_assert_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, plain));
	g_clear_error(&error);
	chain = pxf_grub_efi_chain_find(rhel, "../ubuntu/EFI/boot/bootx64.efi", NULL, &error);
	g_assert_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID);
	g_clear_error(&error);
	chain = pxf_grub_efi_chain_find(rhel, NULL, "EFI/BOOT/grubx64.efi", &error);
	g_assert_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "without efi.shim"));
	g_clear_error(&error);
	/* nothing there */
	chain = pxf_grub_efi_chain_find(plain, NULL, NULL, &error);
	g_assert_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_NOT_FOUND);
	g_clear_error(&error);
	chain = pxf_grub_efi_chain_find(half, NULL, NULL, &error);
	g_assert_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_NOT_FOUND);
	g_clear_error(&error);
	chain = pxf_grub_efi_chain_find(NULL, NULL, NULL, &error);
	g_assert_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* trees given as URLs are not looked into */
	g_assert_null(pxf_grub_efi_tree_dir("http://mirror/rocky/9/"));
	g_assert_null(pxf_grub_efi_tree_dir("nfs://server/export"));
	g_assert_null(pxf_grub_efi_tree_dir("relative/dir"));
	g_assert_null(pxf_grub_efi_tree_dir(NULL));
	file_url = g_strconcat("file://", rhel, NULL);
	{
		g_autofree gchar *dir = pxf_grub_efi_tree_dir(file_url);
		g_assert_cmpstr(dir, ==, rhel);
	}

	/* case-insensitive look-ups stay inside */
	{
		g_autofree gchar *found = pxf_grub_efi_find_nocase(rhel, "efi/Boot/MMX64.EFI");
		g_autofree gchar *want = g_build_filename(rhel, "EFI/BOOT/mmx64.efi", NULL);
		g_assert_cmpstr(found, ==, want);
	}
	g_assert_null(pxf_grub_efi_find_nocase(rhel, "../ubuntu/EFI/boot/bootx64.efi"));
	g_assert_null(pxf_grub_efi_find_nocase(rhel, "EFI/BOOT/nothing.efi"));
	g_assert_null(pxf_grub_efi_find_nocase(rhel, "EFI/BOOT/a b.efi"));
	rm_rf(root);
}

/* ---- boot.select ------------------------------------------------------- */

static void
assert_select(const PxfGrubEfiConfig *config,
	      PxfFirmware firmware,
	      PxfBootStage stage,
	      gboolean known,
	      const gchar *vendor,
	      PxfVerdict expected_verdict,
	      const gchar *expected_file)
{
	PxfVerdict verdict = PXF_VERDICT_SKIP;
	g_autofree gchar *file = pxf_grub_efi_select_boot_file(
		config, config->secure_boot, firmware, stage, known, vendor, &verdict);

	g_assert_cmpint(verdict, ==, expected_verdict);
	g_assert_cmpstr(file, ==, expected_file);
}

static void
test_select(void)
{
	PxfGrubEfiConfig config = {.unknown_hosts = PXF_GRUB_EFI_UNKNOWN_MENU,
				   .secure_boot = TRUE,
				   .vendor_chains = TRUE};

	/* option 93 = 7 or 9: UEFI x64 at the ROM stage gets shim */
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, TRUE, NULL,
		      PXF_VERDICT_SKIP, "shimx64.efi");
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, FALSE, NULL,
		      PXF_VERDICT_SKIP, "shimx64.efi");
	/* a host whose distro carries its own chain */
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, TRUE, "rocky9",
		      PXF_VERDICT_SKIP, "efi/rocky9/shimx64.efi");
	/* iPXE in an EFI ROM: no Secure Boot there, and shim cannot use it */
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_IPXE, TRUE, "rocky9",
		      PXF_VERDICT_SKIP, "grubnetx64.efi");
	/* GRUB and the installer get nothing; other firmware is someone else's */
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_LOADER, TRUE, NULL,
		      PXF_VERDICT_CONTINUE, NULL);
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_INSTALLER, TRUE, NULL,
		      PXF_VERDICT_CONTINUE, NULL);
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_UNKNOWN, TRUE, NULL,
		      PXF_VERDICT_CONTINUE, NULL);
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, TRUE, NULL,
		      PXF_VERDICT_CONTINUE, NULL);
	assert_select(&config, PXF_FIRMWARE_UNKNOWN, PXF_BOOT_STAGE_ROM, TRUE, NULL,
		      PXF_VERDICT_CONTINUE, NULL);
	assert_select(&config, PXF_FIRMWARE_UEFI_IA32, PXF_BOOT_STAGE_ROM, TRUE, NULL,
		      PXF_VERDICT_CONTINUE, NULL);
	assert_select(&config, PXF_FIRMWARE_UEFI_ARM64, PXF_BOOT_STAGE_ROM, TRUE, NULL,
		      PXF_VERDICT_CONTINUE, NULL);
	/* without Secure Boot: the monolithic GRUB for everyone */
	config.secure_boot = FALSE;
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, TRUE, "rocky9",
		      PXF_VERDICT_SKIP, "grubnetx64.efi");
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, FALSE, NULL,
		      PXF_VERDICT_SKIP, "grubnetx64.efi");
	/* unknown machines under each policy */
	config.secure_boot = TRUE;
	config.unknown_hosts = PXF_GRUB_EFI_UNKNOWN_LOCAL;
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, FALSE, NULL,
		      PXF_VERDICT_SKIP, "shimx64.efi");
	config.unknown_hosts = PXF_GRUB_EFI_UNKNOWN_IGNORE;
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, FALSE, NULL,
		      PXF_VERDICT_DROP, NULL);
	assert_select(&config, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, TRUE, NULL,
		      PXF_VERDICT_SKIP, "shimx64.efi");
	/* BIOS machines are pxelinux's even under ignore */
	assert_select(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, FALSE, NULL,
		      PXF_VERDICT_CONTINUE, NULL);
}

/* ---- configuration --------------------------------------------------------- */

static gpointer
config_from_yaml(const gchar *yaml, GError **error)
{
	g_autoptr(PxfConfNode) root = NULL;
	g_autoptr(PxfConfSection) section = pxf_bootloader_test_section(
		"55-grub-efi.yaml", yaml, "grub-efi", pxf_grub_efi_config_keys, &root);
	return pxf_grub_efi_config_new(section, error);
}

static void
test_config(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfGrubEfiConfig) config = NULL;
	g_autofree gchar *host_tpl = template_path("host.cfg.mustache");
	g_autofree gchar *menu_tpl = template_path("menu.cfg.mustache");
	g_autofree gchar *tpl = g_strdup_printf("grub-efi:\n"
						"  host_template: %s\n"
						"  menu_template: %s\n",
						host_tpl, menu_tpl);
	g_autofree gchar *menu_kernel = g_strdup_printf("  menu_kernel: %s\n", host_tpl);
	const PxfBootloaderTestBad bad[] = {
		{"  unknown_hosts: wipe\n",
		 "55-grub-efi.yaml:4:18: unknown_hosts: 'wipe' is not one of menu, local, ignore"},
		{"  kernel_transport: nfs\n",
		 "kernel_transport: 'nfs' is not one of tftp, auto, http"},
		{"  local_boot: reboot\n", "local_boot: 'reboot' is not one of chainload, exit"},
		{"  menu_default: install\n",
		 "the menu has no 'install' entry without menu_kernel"},
		{"  menu_default: memtest\n",
		 "'memtest' is not one of install, vesa, rescue, local"},
		{menu_kernel, "menu_kernel and menu_initrd go together"},
		{"  menu_kernel: https://192.0.2.1/vmlinuz\n  menu_initrd: /x\n",
		 "menu_kernel: GRUB fetches http:// URLs only"},
		{"  menu_kernel: /nonexistent/vmlinuz\n  menu_initrd: /nonexistent/initrd\n",
		 "menu_kernel: '/nonexistent/vmlinuz' is not a regular file"},
		{"  shim: shimx64.efi\n", "shim: 'shimx64.efi' is not an absolute path"},
		{"  grub_signed: ''\n", "grub_signed: must name a file"},
		{"  grub_modules: lib/grub\n", "grub_modules: 'lib/grub' is not an absolute path"},
		{"  ks_param: 'ks=x'\n", "not a kernel parameter name"},
		{"  local_loader: EFI/BOOT/BOOTX64.EFI\n", "local_loader: 'EFI/BOOT/BOOTX64.EFI'"},
		{"  local_loader: '/EFI/BOOT/$x.efi'\n",
		 "is not a path on the EFI system partition"},
		{"  local_loader: /EFI/../x.efi\n", "is not a path on the EFI system partition"},
		{"  kernel_args: \"a\\nb\"\n", "kernel_args: must be a single line"},
		{"  menu_append: \"a\\rb\"\n", "menu_append: must be a single line"},
	};

	/* defaults: Debian's packages, Secure Boot, local boot by chainloading */
	config = config_from_yaml(tpl, &error);
	g_assert_no_error(error);
	g_assert_cmpint(config->unknown_hosts, ==, PXF_GRUB_EFI_UNKNOWN_MENU);
	g_assert_cmpint(config->kernel_transport, ==, PXF_GRUB_EFI_TRANSPORT_AUTO);
	g_assert_true(config->secure_boot);
	g_assert_true(config->vendor_chains);
	g_assert_cmpstr(config->shim, ==, "/usr/lib/shim/shimx64.efi.signed");
	g_assert_cmpstr(config->grub_signed, ==,
			"/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed");
	g_assert_cmpstr(config->grub, ==, "/usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi");
	g_assert_cmpstr(config->grub_modules, ==, "/usr/lib/grub/x86_64-efi");
	g_assert_cmpint(config->menu_timeout, ==, 10);
	g_assert_cmpstr(config->menu_default, ==, "local");
	g_assert_cmpint(config->local_boot, ==, PXF_GRUB_EFI_LOCAL_CHAINLOAD);
	g_assert_cmpstr(config->local_loader, ==, "/EFI/BOOT/BOOTX64.EFI");
	g_assert_cmpstr(config->ks_param, ==, "ks");
	g_assert_null(config->menu_kernel);
	g_clear_pointer(&config, pxf_grub_efi_config_free);

	/* every path configurable; the menu's installer on a web server */
	{
		g_autofree gchar *yaml = g_strconcat(
			tpl, "  secure_boot: false\n  vendor_chains: false\n",
			"  shim: /srv/efi/shim.efi\n  grub_signed: /srv/efi/grub.efi\n",
			"  grub: /srv/efi/grubnet.efi\n  kernel_transport: http\n",
			"  menu_kernel: http://192.0.2.1/c9/vmlinuz\n",
			"  menu_initrd: http://192.0.2.1/c9/initrd.img\n",
			"  menu_default: install\n  menu_timeout: -1\n  local_boot: exit\n", NULL);
		config = config_from_yaml(yaml, &error);
		g_assert_no_error(error);
		g_assert_false(config->secure_boot);
		g_assert_false(config->vendor_chains);
		g_assert_cmpstr(config->shim, ==, "/srv/efi/shim.efi");
		g_assert_cmpstr(config->grub_signed, ==, "/srv/efi/grub.efi");
		g_assert_cmpstr(config->grub, ==, "/srv/efi/grubnet.efi");
		g_assert_cmpint(config->kernel_transport, ==, PXF_GRUB_EFI_TRANSPORT_HTTP);
		g_assert_cmpint(config->menu_timeout, ==, -1);
		g_assert_cmpint(config->local_boot, ==, PXF_GRUB_EFI_LOCAL_EXIT);
		g_clear_pointer(&config, pxf_grub_efi_config_free);
	}

	/* a template that is not there */
	config = config_from_yaml("grub-efi:\n  host_template: /nonexistent.mustache\n", &error);
	g_assert_null(config);
	g_assert_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID);
	assert_contains(error->message, "55-grub-efi.yaml:2:18: host_template: "
					"'/nonexistent.mustache' is not a regular file");
	g_clear_error(&error);

	pxf_bootloader_test_refuses(config_from_yaml, tpl, bad, G_N_ELEMENTS(bad),
				    PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID,
				    "55-grub-efi.yaml:");
}

/* ---- quoting and locations ------------------------------------------------ */

static void
assert_quote(const gchar *text, const gchar *expected)
{
	g_autofree gchar *quoted = pxf_grub_efi_quote(text);
	g_assert_cmpstr(quoted, ==, expected);
}

static void
assert_location(gboolean via_http, const gchar *source, const gchar *expected)
{
	g_autofree gchar *location =
		pxf_grub_efi_fetch_location(via_http, source, "boot/52-54/vmlinuz");
	g_assert_cmpstr(location, ==, expected);
}

static void
assert_http_root(const gchar *base, const gchar *expected)
{
	g_autofree gchar *root = pxf_grub_efi_http_root(base);
	g_assert_cmpstr(root, ==, expected);
}

static void
test_quote(void)
{
	assert_quote("http://10.0.0.1/ks/52:54:00:12:34:56",
		     "http://10.0.0.1/ks/52:54:00:12:34:56");
	assert_quote("(http,10.0.0.1:8080)/boot/x", "(http,10.0.0.1:8080)/boot/x");
	/* wildcards, variables, separators and quotes are taken literally */
	assert_quote("http://h/ks.cfg?a=1&b=2", "'http://h/ks.cfg?a=1&b=2'");
	assert_quote("http://h/$x;reboot", "'http://h/$x;reboot'");
	assert_quote("it's", "'it'\\''s'");
	assert_quote("a b", "'a b'");
	assert_quote("", "''");
	g_assert_null(pxf_grub_efi_quote(NULL));

	assert_location(FALSE, "/srv/vmlinuz", "/boot/52-54/vmlinuz");
	/* over HTTP when the configuration found that GRUB can */
	assert_location(TRUE, "/srv/vmlinuz", "${pxf_root}/boot/52-54/vmlinuz");
	/* a kernel on a web server is fetched from there, over either transport */
	assert_location(FALSE, "http://mirror/c9/images/vmlinuz",
			"(http,mirror)/c9/images/vmlinuz");
	assert_location(TRUE, "http://mirror:8080/vmlinuz?x=1", "'(http,mirror:8080)/vmlinuz?x=1'");
	assert_location(FALSE, "https://mirror/vmlinuz", NULL);
	assert_location(FALSE, "ftp://mirror/vmlinuz", NULL);
	assert_location(FALSE, "http:///vmlinuz", NULL);
	assert_location(FALSE, "http://user@mirror/vmlinuz", NULL);
	assert_location(FALSE, "relative/vmlinuz", NULL);
	assert_location(FALSE, NULL, NULL);

	assert_http_root("http://10.0.0.1", "(http,10.0.0.1)");
	assert_http_root("http://10.0.0.1/", "(http,10.0.0.1)");
	assert_http_root("http://10.0.0.1:8080/pxe/", "(http,10.0.0.1:8080)/pxe");
	assert_http_root("https://10.0.0.1", NULL);
	assert_http_root("http://a,b/", NULL);
	assert_http_root(NULL, NULL);
}

/* ---- rendering --------------------------------------------------------------- */

static PxfVars *
host_vars(gboolean with_distro)
{
	const PxfBootloaderTestDistro distro = {"debian12", "/boot/vmlinuz-6.1.0-amd64",
						"/srv/d12/initrd.gz", "kickstart"};
	return pxf_bootloader_test_host_vars(MAC, "52-54-00-12-34-56",
					     with_distro ? &distro : NULL);
}

static PxfGrubEfiConfig
default_config(void)
{
	PxfGrubEfiConfig config = {.secure_boot = TRUE,
				   .vendor_chains = TRUE,
				   .ks_param = (gchar *)"ks",
				   .menu_timeout = 10,
				   .menu_default = (gchar *)"local",
				   .local_boot = PXF_GRUB_EFI_LOCAL_CHAINLOAD,
				   .local_loader = (gchar *)"/EFI/BOOT/BOOTX64.EFI"};
	return config;
}

/* What the daemon does: template.vars adds "grub_efi", then the core renders. */
static gchar *
render(const PxfGrubEfiConfig *config,
       PxfVars *vars,
       const gchar *template,
       gboolean known,
       gboolean netboot,
       PxfHostState state)
{
	g_autofree gchar *path = template_path(template);
	gchar *out;

	pxf_vars_set(vars, "grub_efi",
		     pxf_grub_efi_build_vars(config, vars, known, netboot, state));
	out = pxf_bootloader_test_render_file(path, vars);
	/* no blank lines left by the template's sections */
	assert_lacks(out, "\n\n");
	return out;
}

/* The braces of GRUB's script blocks balance and every if has its fi. */
static void
assert_balanced(const gchar *cfg)
{
	g_auto(GStrv) lines = g_strsplit(cfg, "\n", -1);
	gint braces = 0;
	gint ifs = 0;

	for (const gchar *p = cfg; *p != '\0'; p++) {
		if (*p == '{')
			braces++;
		else if (*p == '}')
			braces--;
		g_assert_cmpint(braces, >=, 0);
	}
	g_assert_cmpint(braces, ==, 0);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_autofree gchar *line = g_strstrip(g_strdup(lines[i]));
		if (g_str_has_prefix(line, "if "))
			ifs++;
		if (g_strcmp0(line, "fi") == 0 || g_str_has_suffix(line, "; fi"))
			ifs--;
	}
	g_assert_cmpint(ifs, ==, 0);
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
test_render_known(void)
{
	PxfGrubEfiConfig config = default_config();
	g_autoptr(PxfVars) vars = host_vars(TRUE);
	g_autofree gchar *cfg = NULL;

	config.kernel_args = (gchar *)"console=ttyS0,115200";
	pxf_vars_set_string(vars, "install.ks_url", "http://10.0.0.1/ks/52:54:00:12:34:56");
	cfg = render(&config, vars, "host.cfg.mustache", TRUE, TRUE, PXF_HOST_STATE_BOOTING);
	assert_contains(cfg, "for web01 52:54:00:12:34:56\n");
	assert_contains(cfg, "installs debian12 (profile web, host state booting)\n");
	assert_contains(cfg, "\nset timeout=0\nset default=install\n");
	assert_contains(cfg, "menuentry \"Install debian12\" --id install {\n");
	/* the kickstart as pxelinux passes it, and the NIC as IPAPPEND 2 does */
	assert_contains(cfg, "\n  linux /boot/52-54-00-12-34-56/vmlinuz "
			     "ks=http://10.0.0.1/ks/52:54:00:12:34:56 ip=dhcp "
			     "BOOTIF=01-52-54-00-12-34-56 console=ttyS0,115200\n"
			     "  initrd /boot/52-54-00-12-34-56/initrd.img\n}\n");
	assert_contains(cfg, "menuentry \"Boot from local drive\" --id local {\n");
	assert_lacks(cfg, "grub.cfg-01-");
	assert_balanced(cfg);
	g_clear_pointer(&cfg, g_free);

	/* an operator's own ks_url wins, quoted for GRUB; inst.ks */
	config.ks_param = (gchar *)"inst.ks";
	config.kernel_args = NULL;
	pxf_vars_set_string(vars, "ks_url", "http://172.16.100.7/ks.cfg?host=web01&x=1");
	cfg = render(&config, vars, "host.cfg.mustache", TRUE, TRUE, PXF_HOST_STATE_FAILED);
	assert_contains(cfg, "/vmlinuz inst.ks='http://172.16.100.7/ks.cfg?host=web01&x=1' "
			     "ip=dhcp BOOTIF=01-52-54-00-12-34-56\n");
	g_clear_pointer(&cfg, g_free);

	/* over HTTP: GRUB's (http,server) device under the http plugin's base
	 * URL when GRUB can load http.mod, else TFTP */
	config.kernel_transport = PXF_GRUB_EFI_TRANSPORT_HTTP;
	pxf_vars_set_string(vars, "http.base_url", "http://10.0.0.1/");
	cfg = render(&config, vars, "host.cfg.mustache", TRUE, TRUE, PXF_HOST_STATE_BOOTING);
	assert_contains(cfg, "\nset pxf_http=(http,10.0.0.1)\nset pxf_root=\ninsmod http\n"
			     "source ${pxf_http}/grub/http-check\nexport pxf_root\n");
	assert_contains(cfg, "  linux ${pxf_root}/boot/52-54-00-12-34-56/vmlinuz inst.ks=");
	assert_contains(cfg, "  initrd ${pxf_root}/boot/52-54-00-12-34-56/initrd.img\n");
	g_assert_cmpint(line_of(cfg, "export pxf_root"), <, line_of(cfg, "menuentry"));
	g_clear_pointer(&cfg, g_free);

	/* an https base URL is no use to GRUB: TFTP, no insmod */
	pxf_vars_set_string(vars, "http.base_url", "https://10.0.0.1/");
	cfg = render(&config, vars, "host.cfg.mustache", TRUE, TRUE, PXF_HOST_STATE_BOOTING);
	assert_contains(cfg, "  linux /boot/52-54-00-12-34-56/vmlinuz inst.ks=");
	assert_lacks(cfg, "insmod");
	g_clear_pointer(&cfg, g_free);

	/* no ks anywhere: the installer asks */
	{
		g_autoptr(PxfVars) bare = host_vars(TRUE);
		config.kernel_transport = PXF_GRUB_EFI_TRANSPORT_TFTP;
		cfg = render(&config, bare, "host.cfg.mustache", TRUE, TRUE,
			     PXF_HOST_STATE_DISCOVERED);
		assert_contains(cfg, "/vmlinuz ip=dhcp BOOTIF=01-52-54-00-12-34-56\n");
		assert_lacks(cfg, "ks=");
		g_clear_pointer(&cfg, g_free);
	}
}

static void
test_render_localboot(void)
{
	PxfGrubEfiConfig config = default_config();
	struct {
		gboolean with_distro;
		const gchar *kernel;
		gboolean netboot;
		PxfHostState state;
		const gchar *reason;
	} cases[] = {
		{TRUE, NULL, TRUE, PXF_HOST_STATE_INSTALLED, "installed"},
		{TRUE, NULL, FALSE, PXF_HOST_STATE_BOOTING, "netboot is off"},
		{TRUE, NULL, FALSE, PXF_HOST_STATE_UNKNOWN, "netboot is off"},
		{FALSE, NULL, TRUE, PXF_HOST_STATE_DISCOVERED,
		 "no profile with a distro whose kernel GRUB can fetch"},
		{TRUE, "https://mirror/vmlinuz", TRUE, PXF_HOST_STATE_BOOTING,
		 "no profile with a distro whose kernel GRUB can fetch"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(PxfVars) vars = host_vars(cases[i].with_distro);
		g_autofree gchar *cfg = NULL;
		g_autofree gchar *why =
			g_strdup_printf("# boots from its local disk: %s\n", cases[i].reason);

		if (cases[i].kernel != NULL) {
			GVariantDict distro;
			g_variant_dict_init(&distro, NULL);
			g_variant_dict_insert(&distro, "name", "s", "x");
			g_variant_dict_insert(&distro, "kernel", "s", cases[i].kernel);
			g_variant_dict_insert(&distro, "initrd", "s", "/srv/initrd");
			pxf_vars_set(vars, "distro", g_variant_dict_end(&distro));
		}
		pxf_vars_set_string(vars, "install.ks_url", "http://10.0.0.1/ks/x");
		cfg = render(&config, vars, "host.cfg.mustache", TRUE, cases[i].netboot,
			     cases[i].state);
		assert_contains(cfg, why);
		/* chainload the disk's loader, else back to the firmware */
		assert_contains(cfg, "\nif search --no-floppy --file --set=root "
				     "/EFI/BOOT/BOOTX64.EFI; then\n");
		assert_contains(cfg, "  chainloader /EFI/BOOT/BOOTX64.EFI\n  boot\nfi\n");
		assert_contains(cfg, "\nexit\n");
		assert_lacks(cfg, "linux ");
		assert_lacks(cfg, "menuentry");
		assert_balanced(cfg);
	}
	/* exit only */
	{
		g_autoptr(PxfVars) vars = host_vars(TRUE);
		g_autofree gchar *cfg = NULL;

		config.local_boot = PXF_GRUB_EFI_LOCAL_EXIT;
		cfg = render(&config, vars, "host.cfg.mustache", TRUE, TRUE,
			     PXF_HOST_STATE_INSTALLED);
		assert_lacks(cfg, "chainloader");
		assert_contains(cfg, "\nexit\n");
	}
	/* a failed or interrupted install is tried again */
	g_assert_null(pxf_grub_efi_localboot_reason(TRUE, PXF_HOST_STATE_FAILED, TRUE));
	g_assert_null(pxf_grub_efi_localboot_reason(TRUE, PXF_HOST_STATE_INSTALLING, TRUE));
}

static void
test_render_menu(void)
{
	PxfGrubEfiConfig config = default_config();
	g_autoptr(PxfVars) vars = pxf_vars_new();
	g_autofree gchar *cfg = NULL;

	/* no installer configured: only local boot, after 10 s */
	cfg = render(&config, vars, "menu.cfg.mustache", FALSE, FALSE, PXF_HOST_STATE_UNKNOWN);
	assert_contains(cfg, "\nset timeout=10\nset default=local\n");
	assert_contains(cfg, "menuentry \"Boot from local drive\" --id local {\n"
			     "  # chainloader gives the loader $root as its device: search sets it "
			     "to the ESP\n"
			     "  if search --no-floppy --file --set=root /EFI/BOOT/BOOTX64.EFI; "
			     "then\n");
	assert_lacks(cfg, "--id install");
	assert_lacks(cfg, "linux ");
	assert_balanced(cfg);
	g_clear_pointer(&cfg, g_free);

	/* the how-to's entries, still defaulting to the local disk */
	config.menu_kernel = (gchar *)"/srv/c9/vmlinuz";
	config.menu_initrd = (gchar *)"/srv/c9/initrd.img";
	config.menu_append = (gchar *)"inst.repo=http://172.16.100.7/c9";
	config.kernel_args = (gchar *)"console=ttyS0";
	config.menu_timeout = 60;
	cfg = render(&config, vars, "menu.cfg.mustache", FALSE, FALSE, PXF_HOST_STATE_UNKNOWN);
	assert_contains(cfg, "\nset timeout=60\nset default=local\n");
	assert_contains(cfg, "menuentry \"Install or upgrade an existing system\" --id install {\n"
			     "  linux /grub/menu/vmlinuz text inst.repo=http://172.16.100.7/c9 "
			     "console=ttyS0\n  initrd /grub/menu/initrd.img\n}\n");
	assert_contains(cfg, "--id vesa {\n  linux /grub/menu/vmlinuz nomodeset inst.repo=");
	assert_contains(cfg, "--id rescue {\n  linux /grub/menu/vmlinuz rescue console=ttyS0\n");
	g_assert_cmpint(line_of(cfg, "menuentry \"Install or"), <,
			line_of(cfg, "menuentry \"Install system"));
	g_assert_cmpint(line_of(cfg, "menuentry \"Rescue"), <, line_of(cfg, "menuentry \"Boot"));
	assert_balanced(cfg);
	g_clear_pointer(&cfg, g_free);

	/* over HTTP, if GRUB can */
	config.kernel_transport = PXF_GRUB_EFI_TRANSPORT_HTTP;
	pxf_vars_set_string(vars, "http.base_url", "http://10.0.0.1");
	cfg = render(&config, vars, "menu.cfg.mustache", FALSE, FALSE, PXF_HOST_STATE_UNKNOWN);
	assert_contains(cfg, "\nset pxf_http=(http,10.0.0.1)\nset pxf_root=\ninsmod http\n"
			     "source ${pxf_http}/grub/http-check\nexport pxf_root\n"
			     "menuentry \"Install or upgrade");
	assert_contains(cfg, "  linux ${pxf_root}/grub/menu/vmlinuz text ");
	assert_balanced(cfg);
	g_clear_pointer(&cfg, g_free);
	config.kernel_transport = PXF_GRUB_EFI_TRANSPORT_TFTP;

	/* the how-to's operator: install by default; an installer on a web server */
	config.menu_default = (gchar *)"install";
	config.menu_kernel = (gchar *)"http://192.0.2.1/c9/vmlinuz";
	config.menu_initrd = (gchar *)"http://192.0.2.1/c9/initrd.img";
	config.local_boot = PXF_GRUB_EFI_LOCAL_EXIT;
	cfg = render(&config, vars, "menu.cfg.mustache", FALSE, FALSE, PXF_HOST_STATE_UNKNOWN);
	assert_contains(cfg, "\nset default=install\n");
	assert_contains(cfg, "  linux (http,192.0.2.1)/c9/vmlinuz text ");
	assert_contains(cfg, "  initrd (http,192.0.2.1)/c9/initrd.img\n");
	assert_contains(cfg, "--id local {\n  echo \"pxeforge: back to the firmware\"\n  exit\n}");
	g_clear_pointer(&cfg, g_free);
}

static void
test_builtin(void)
{
	PxfGrubEfiConfig config = default_config();
	g_autofree gchar *local = pxf_grub_efi_localboot_config(&config);

	/* the same commands as the templates' */
	assert_contains(local, "if search --no-floppy --file --set=root /EFI/BOOT/BOOTX64.EFI; "
			       "then\n");
	assert_contains(local, "  chainloader /EFI/BOOT/BOOTX64.EFI\n  boot\nfi\n");
	assert_contains(local, "\nexit\n");
	assert_balanced(local);
	g_clear_pointer(&local, g_free);
	config.local_boot = PXF_GRUB_EFI_LOCAL_EXIT;
	local = pxf_grub_efi_localboot_config(&config);
	assert_lacks(local, "chainloader");
	assert_contains(local, "\nexit\n");

	/* an unattributed machine first reads its own grub.cfg-01-<mac> */
	assert_contains(pxf_grub_efi_dispatch_prologue(),
			"  configfile $prefix/grub.cfg-01-$net_default_mac\n");
	assert_balanced(pxf_grub_efi_dispatch_prologue());
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/grub-efi/paths", test_paths);
	g_test_add_func("/plugin/grub-efi/chains", test_chains);
	g_test_add_func("/plugin/grub-efi/select", test_select);
	g_test_add_func("/plugin/grub-efi/config", test_config);
	g_test_add_func("/plugin/grub-efi/quote", test_quote);
	g_test_add_func("/plugin/grub-efi/render-known", test_render_known);
	g_test_add_func("/plugin/grub-efi/render-localboot", test_render_localboot);
	g_test_add_func("/plugin/grub-efi/render-menu", test_render_menu);
	g_test_add_func("/plugin/grub-efi/builtin", test_builtin);
	return g_test_run();
}
