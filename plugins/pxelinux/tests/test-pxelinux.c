/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pxelinux plugin's engine: request paths, syslinux file lookup, the
 * boot file choice, and its shipped templates rendered with the variables
 * the plugin computes (through the core's renderer, as the daemon does). */
#define G_LOG_DOMAIN "test-pxelinux"

#include <glib/gstdio.h>

#include "pxf-bootloader-test.h"
#include "pxf-config.h"
#include "pxf-diag.h"
#include "pxf-pxelinux.h"
#include "pxf-template.h"
#include "pxf-test-paths.h"
#include "pxf-vars.h"

/* the shared fixtures under their short names */
#define assert_contains pxf_bootloader_test_assert_contains
#define assert_lacks	pxf_bootloader_test_assert_lacks
#define write_file	pxf_bootloader_test_write_file
#define rm_rf		pxf_bootloader_test_rm_rf

#define MAC "52:54:00:12:34:56"

/* @name under plugins/pxelinux/templates */
static gchar *
template_path(const gchar *name)
{
	return pxf_test_build_filename("plugins", "pxelinux", "templates", name, NULL);
}

/* ---- paths ---------------------------------------------------------------- */

static void
assert_path(const gchar *path, PxfPxelinuxPath expected, const gchar *expected_mac)
{
	g_autofree gchar *mac = NULL;
	PxfPxelinuxPath kind = pxf_pxelinux_classify_path(path, &mac);

	if (kind != expected)
		g_error("'%s': kind %d, expected %d", path, kind, expected);
	g_assert_cmpstr(mac, ==, expected_mac);
}

static void
test_paths(void)
{
	assert_path("pxelinux.0", PXF_PXELINUX_PATH_SYSLINUX, NULL);
	assert_path("lpxelinux.0", PXF_PXELINUX_PATH_SYSLINUX, NULL);
	assert_path("ldlinux.c32", PXF_PXELINUX_PATH_SYSLINUX, NULL);
	assert_path("/vesamenu.c32", PXF_PXELINUX_PATH_SYSLINUX, NULL);
	assert_path("memdisk", PXF_PXELINUX_PATH_SYSLINUX, NULL);
	assert_path("memtest", PXF_PXELINUX_PATH_MEMTEST, NULL);
	assert_path("pxelinux.cfg/01-52-54-00-12-34-56", PXF_PXELINUX_PATH_CFG_MAC, MAC);
	assert_path("pxelinux.cfg/01-52-54-00-AB-cd-EF", PXF_PXELINUX_PATH_CFG_MAC,
		    "52:54:00:ab:cd:ef");
	assert_path("pxelinux.cfg/default", PXF_PXELINUX_PATH_CFG_DEFAULT, NULL);
	/* what pxelinux tries before and after the MAC */
	assert_path("pxelinux.cfg/4c4c4544-0042-3510-8057-b4c04f4a4d31",
		    PXF_PXELINUX_PATH_CFG_PROBE, NULL);
	assert_path("pxelinux.cfg/C0A8010A", PXF_PXELINUX_PATH_CFG_PROBE, NULL);
	assert_path("pxelinux.cfg/C0A8", PXF_PXELINUX_PATH_CFG_PROBE, NULL);
	assert_path("pxelinux.cfg/C", PXF_PXELINUX_PATH_CFG_PROBE, NULL);
	/* broken MACs are probes too: nobody has them */
	assert_path("pxelinux.cfg/01-52-54-00-12-34", PXF_PXELINUX_PATH_CFG_PROBE, NULL);
	assert_path("pxelinux.cfg/01-52-54-00-12-34-5g", PXF_PXELINUX_PATH_CFG_PROBE, NULL);
	assert_path("pxelinux.cfg/01-52:54:00:12:34:56", PXF_PXELINUX_PATH_CFG_PROBE, NULL);
	assert_path("pxelinux.cfg/01-52-54-00-12-34-56-", PXF_PXELINUX_PATH_CFG_PROBE, NULL);
	assert_path("pxelinux.cfg/01-", PXF_PXELINUX_PATH_CFG_PROBE, NULL);
	assert_path("pxelinux.cfg/C0A8010A0", PXF_PXELINUX_PATH_OTHER, NULL);
	/* an operator's own file in the TFTP root */
	assert_path("pxelinux.cfg/rescue", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path("pxelinux.cfg/", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path("boot/52-54-00-12-34-56/vmlinuz", PXF_PXELINUX_PATH_HOST_KERNEL, MAC);
	assert_path("boot/52-54-00-12-34-56/initrd.img", PXF_PXELINUX_PATH_HOST_INITRD, MAC);
	assert_path("boot/menu/vmlinuz", PXF_PXELINUX_PATH_MENU_KERNEL, NULL);
	assert_path("boot/menu/initrd.img", PXF_PXELINUX_PATH_MENU_INITRD, NULL);
	assert_path("boot/52-54-00-12-34-56/grub.cfg", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path("boot/52-54-00-12-34-56/x/vmlinuz", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path("boot/x/vmlinuz", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path("boot/vmlinuz", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path("sub/ldlinux.c32", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path(".c32", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path("a b.c32", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path("grubx64.efi", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path("", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path("/", PXF_PXELINUX_PATH_OTHER, NULL);
	assert_path(NULL, PXF_PXELINUX_PATH_OTHER, NULL);
}

/* ---- syslinux files ------------------------------------------------------ */

static void
test_syslinux_files(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *root = g_dir_make_tmp("pxf-pxelinux-XXXXXX", &error);
	/* the Debian layout first, then RHEL's, as the shipped default */
	g_autofree gchar *debian_pxe = g_build_filename(root, "usr/lib/PXELINUX", NULL);
	g_autofree gchar *debian_bios =
		g_build_filename(root, "usr/lib/syslinux/modules/bios", NULL);
	g_autofree gchar *rhel = g_build_filename(root, "usr/share/syslinux", NULL);
	g_autofree gchar *missing = g_build_filename(root, "nowhere", NULL);
	const gchar *dirs[] = {debian_pxe, debian_bios, missing, "", rhel, NULL};
	g_autofree gchar *dir_named_c32 = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *expected = NULL;

	g_assert_no_error(error);
	g_assert_cmpint(g_mkdir_with_parents(debian_pxe, 0755), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(debian_bios, 0755), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(rhel, 0755), ==, 0);
	write_file(debian_pxe, "pxelinux.0", "debian pxelinux");
	write_file(debian_pxe, "lpxelinux.0", "debian lpxelinux");
	write_file(debian_bios, "ldlinux.c32", "debian ldlinux");
	write_file(debian_bios, "menu.c32", "debian menu");
	write_file(rhel, "pxelinux.0", "rhel pxelinux");
	write_file(rhel, "chain.c32", "rhel chain");
	write_file(rhel, "memdisk", "rhel memdisk");
	/* a directory of the module's name is skipped, not served */
	dir_named_c32 = g_build_filename(debian_bios, "chain.c32", NULL);
	g_assert_cmpint(g_mkdir(dir_named_c32, 0755), ==, 0);

	/* the first directory that has it wins */
	path = pxf_pxelinux_find_syslinux_file(dirs, "pxelinux.0", &error);
	g_assert_no_error(error);
	expected = g_build_filename(debian_pxe, "pxelinux.0", NULL);
	g_assert_cmpstr(path, ==, expected);
	g_clear_pointer(&path, g_free);
	g_clear_pointer(&expected, g_free);

	path = pxf_pxelinux_find_syslinux_file(dirs, "ldlinux.c32", &error);
	g_assert_no_error(error);
	expected = g_build_filename(debian_bios, "ldlinux.c32", NULL);
	g_assert_cmpstr(path, ==, expected);
	g_clear_pointer(&path, g_free);
	g_clear_pointer(&expected, g_free);

	path = pxf_pxelinux_find_syslinux_file(dirs, "chain.c32", &error);
	g_assert_no_error(error);
	expected = g_build_filename(rhel, "chain.c32", NULL);
	g_assert_cmpstr(path, ==, expected);
	g_clear_pointer(&path, g_free);
	g_clear_pointer(&expected, g_free);

	path = pxf_pxelinux_find_syslinux_file(dirs, "memdisk", &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(path, rhel));
	g_clear_pointer(&path, g_free);

	/* missing: the error names the file, the directories and the packages */
	path = pxf_pxelinux_find_syslinux_file(dirs, "vesamenu.c32", &error);
	g_assert_null(path);
	g_assert_error(error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "vesamenu.c32"));
	g_assert_nonnull(strstr(error->message, rhel));
	g_assert_nonnull(strstr(error->message, "syslinux-common"));
	g_clear_error(&error);

	/* names that are not syslinux files never touch the file system */
	write_file(rhel, "secret.txt", "no");
	for (guint i = 0; i < 5; i++) {
		const gchar *bad[] = {"secret.txt", "../share/syslinux/chain.c32", ".c32",
				      "syslinux/chain.c32", ""};
		path = pxf_pxelinux_find_syslinux_file(dirs, bad[i], &error);
		g_assert_null(path);
		g_assert_error(error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_NOT_FOUND);
		g_clear_error(&error);
	}
	rm_rf(root);
}

/* ---- boot.select ------------------------------------------------------- */

static void
test_select(void)
{
	PxfPxelinuxConfig config = {.unknown_hosts = PXF_PXELINUX_UNKNOWN_MENU};
	PxfVerdict verdict;
	const gchar *file;

	file = pxf_pxelinux_select_boot_file(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, TRUE,
					     &verdict);
	g_assert_cmpint(verdict, ==, PXF_VERDICT_SKIP);
	g_assert_cmpstr(file, ==, "pxelinux.0");
	/* iPXE in ROM on a BIOS machine, when no ipxe plugin took it */
	file = pxf_pxelinux_select_boot_file(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_IPXE, FALSE,
					     &verdict);
	g_assert_cmpint(verdict, ==, PXF_VERDICT_SKIP);
	g_assert_cmpstr(file, ==, "pxelinux.0");
	/* an old ROM without option 93 */
	file = pxf_pxelinux_select_boot_file(&config, PXF_FIRMWARE_UNKNOWN, PXF_BOOT_STAGE_ROM,
					     TRUE, &verdict);
	g_assert_cmpint(verdict, ==, PXF_VERDICT_SKIP);
	g_assert_cmpstr(file, ==, "pxelinux.0");
	file = pxf_pxelinux_select_boot_file(&config, PXF_FIRMWARE_UNKNOWN, PXF_BOOT_STAGE_UNKNOWN,
					     TRUE, &verdict);
	g_assert_cmpint(verdict, ==, PXF_VERDICT_CONTINUE);
	g_assert_null(file);
	/* UEFI is someone else's */
	for (PxfFirmware fw = PXF_FIRMWARE_UEFI_IA32; fw <= PXF_FIRMWARE_UEFI_ARM64; fw++) {
		file = pxf_pxelinux_select_boot_file(&config, fw, PXF_BOOT_STAGE_ROM, TRUE,
						     &verdict);
		g_assert_cmpint(verdict, ==, PXF_VERDICT_CONTINUE);
		g_assert_null(file);
	}
	/* pxelinux and the installer do not get a boot file */
	file = pxf_pxelinux_select_boot_file(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_INSTALLER,
					     TRUE, &verdict);
	g_assert_cmpint(verdict, ==, PXF_VERDICT_CONTINUE);
	file = pxf_pxelinux_select_boot_file(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_LOADER,
					     TRUE, &verdict);
	g_assert_cmpint(verdict, ==, PXF_VERDICT_CONTINUE);

	config.kernel_transport = PXF_PXELINUX_TRANSPORT_HTTP;
	file = pxf_pxelinux_select_boot_file(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, TRUE,
					     &verdict);
	g_assert_cmpstr(file, ==, "lpxelinux.0");

	/* unknown machines under each policy */
	config.unknown_hosts = PXF_PXELINUX_UNKNOWN_LOCAL;
	file = pxf_pxelinux_select_boot_file(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, FALSE,
					     &verdict);
	g_assert_cmpint(verdict, ==, PXF_VERDICT_SKIP);
	g_assert_cmpstr(file, ==, "lpxelinux.0");
	config.unknown_hosts = PXF_PXELINUX_UNKNOWN_IGNORE;
	file = pxf_pxelinux_select_boot_file(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, FALSE,
					     &verdict);
	g_assert_cmpint(verdict, ==, PXF_VERDICT_DROP);
	g_assert_null(file);
	file = pxf_pxelinux_select_boot_file(&config, PXF_FIRMWARE_BIOS, PXF_BOOT_STAGE_ROM, TRUE,
					     &verdict);
	g_assert_cmpint(verdict, ==, PXF_VERDICT_SKIP);
}

/* ---- configuration --------------------------------------------------------- */

static gpointer
config_from_yaml(const gchar *yaml, GError **error)
{
	g_autoptr(PxfConfNode) root = NULL;
	g_autoptr(PxfConfSection) section = pxf_bootloader_test_section(
		"50-pxelinux.yaml", yaml, "pxelinux", pxf_pxelinux_config_keys, &root);
	return pxf_pxelinux_config_new(section, error);
}

static void
test_config(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfPxelinuxConfig) config = NULL;
	g_autofree gchar *host_tpl = template_path("host.cfg.mustache");
	g_autofree gchar *menu_tpl = template_path("menu.cfg.mustache");
	g_autofree gchar *tpl = g_strdup_printf("pxelinux:\n"
						"  host_template: %s\n"
						"  menu_template: %s\n",
						host_tpl, menu_tpl);
	g_autofree gchar *menu_kernel = g_strdup_printf("  menu_kernel: %s\n", host_tpl);
	const PxfBootloaderTestBad bad[] = {
		{"  unknown_hosts: wipe\n",
		 "50-pxelinux.yaml:4:18: unknown_hosts: 'wipe' is not one "
		 "of menu, local, ignore"},
		{"  kernel_transport: nfs\n",
		 "kernel_transport: 'nfs' is not one of auto, tftp, http"},
		{"  menu_default: install\n",
		 "the menu has no 'install' entry without menu_kernel"},
		{"  menu_default: reboot\n", "'reboot' is not one of install, vesa, rescue, local, "
					     "memtest"},
		{"  menu_default: memtest\n", "no 'memtest' entry without memtest"},
		{menu_kernel, "menu_kernel and menu_initrd go together"},
		{"  memtest: relative/memtest\n",
		 "memtest: 'relative/memtest' is not an absolute path"},
		{"  memtest: /nonexistent/memtest\n", "is not a regular file"},
		{"  ks_param: 'ks=x'\n", "not a kernel parameter name"},
		{"  menu_ui: ../x.c32\n", "menu_ui '../x.c32' is not a syslinux module"},
		{"  kernel_args: \"a\\nb\"\n", "kernel_args: must be a single line"},
	};

	/* defaults */
	config = config_from_yaml(tpl, &error);
	g_assert_no_error(error);
	g_assert_cmpint(config->unknown_hosts, ==, PXF_PXELINUX_UNKNOWN_MENU);
	/* auto: decided at init by whether the http plugin runs */
	g_assert_cmpint(config->kernel_transport, ==, PXF_PXELINUX_TRANSPORT_AUTO);
	g_assert_cmpint(config->menu_timeout, ==, 100);
	g_assert_cmpstr(config->menu_default, ==, "local");
	g_assert_cmpstr(config->ks_param, ==, "ks");
	g_assert_null(config->menu_kernel);
	g_assert_cmpstr(config->syslinux_dirs[0], ==, "/usr/lib/PXELINUX");
	g_assert_cmpstr(config->syslinux_dirs[1], ==, "/usr/lib/syslinux/modules/bios");
	g_assert_cmpstr(config->syslinux_dirs[3], ==, "/usr/share/syslinux");
	g_clear_pointer(&config, pxf_pxelinux_config_free);

	/* the menu's installer may live on a web server */
	{
		g_autofree gchar *yaml =
			g_strconcat(tpl, "  menu_kernel: http://192.0.2.1/c6/vmlinuz\n",
				    "  menu_initrd: http://192.0.2.1/c6/initrd.img\n",
				    "  menu_default: install\n", NULL);
		config = config_from_yaml(yaml, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(config->menu_kernel, ==, "http://192.0.2.1/c6/vmlinuz");
		g_clear_pointer(&config, pxf_pxelinux_config_free);
	}

	pxf_bootloader_test_refuses(config_from_yaml, tpl, bad, G_N_ELEMENTS(bad),
				    PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_INVALID,
				    "50-pxelinux.yaml:");
}

/* ---- rendering --------------------------------------------------------------- */

static PxfVars *
host_vars(gboolean with_distro)
{
	const PxfBootloaderTestDistro distro = {"centos7", "/srv/centos7/vmlinuz",
						"/srv/centos7/initrd.img", "kickstart"};
	return pxf_bootloader_test_host_vars(MAC, "52-54-00-12-34-56",
					     with_distro ? &distro : NULL);
}

/* What the daemon does: template.vars adds "pxelinux", then the core renders. */
static gchar *
render(const PxfPxelinuxConfig *config,
       PxfVars *vars,
       const gchar *template,
       gboolean known,
       gboolean netboot,
       PxfHostState state)
{
	g_autofree gchar *path = template_path(template);
	gchar *out;

	pxf_vars_set(vars, "pxelinux",
		     pxf_pxelinux_build_vars(config, vars, known, netboot, state));
	out = pxf_bootloader_test_render_file(path, vars);
	return out;
}

static void
test_render_known(void)
{
	PxfPxelinuxConfig config = {.ks_param = (gchar *)"ks",
				    .kernel_args = (gchar *)"console=ttyS0,115200",
				    .menu_default = (gchar *)"local"};
	g_autoptr(PxfVars) vars = host_vars(TRUE);
	g_autofree gchar *cfg = NULL;

	pxf_vars_set_string(vars, "install.ks_url", "http://10.0.0.1/ks/52:54:00:12:34:56");
	cfg = render(&config, vars, "host.cfg.mustache", TRUE, TRUE, PXF_HOST_STATE_BOOTING);
	assert_contains(cfg, "for web01 52:54:00:12:34:56\n");
	assert_contains(cfg, "\nDEFAULT install\n");
	assert_contains(cfg, "\nLABEL install\n  KERNEL boot/52-54-00-12-34-56/vmlinuz\n");
	assert_contains(cfg, "\n  APPEND initrd=boot/52-54-00-12-34-56/initrd.img "
			     "ks=http://10.0.0.1/ks/52:54:00:12:34:56 ip=dhcp "
			     "console=ttyS0,115200\n  IPAPPEND 2\n");
	assert_contains(cfg, "installs centos7 (profile web, host state booting)");
	assert_contains(cfg, "LABEL local\n  LOCALBOOT 0\n");
	/* no blank lines left by the template's sections */
	assert_lacks(cfg, "\n\n");
	g_clear_pointer(&cfg, g_free);

	/* an operator's own ks_url wins; inst.ks for newer installers */
	config.ks_param = (gchar *)"inst.ks";
	config.kernel_args = NULL;
	pxf_vars_set_string(vars, "ks_url", "http://172.16.100.7/ks.cfg");
	cfg = render(&config, vars, "host.cfg.mustache", TRUE, TRUE, PXF_HOST_STATE_INSTALLING);
	assert_contains(cfg, "initrd.img inst.ks=http://172.16.100.7/ks.cfg ip=dhcp\n");
	g_clear_pointer(&cfg, g_free);

	/* over HTTP: URLs under the http plugin's base URL */
	config.kernel_transport = PXF_PXELINUX_TRANSPORT_HTTP;
	pxf_vars_set_string(vars, "http.base_url", "http://10.0.0.1:8080/");
	cfg = render(&config, vars, "host.cfg.mustache", TRUE, TRUE, PXF_HOST_STATE_BOOTING);
	assert_contains(cfg, "KERNEL http://10.0.0.1:8080/boot/52-54-00-12-34-56/vmlinuz\n");
	assert_contains(cfg, "initrd=http://10.0.0.1:8080/boot/52-54-00-12-34-56/initrd.img ");
	g_clear_pointer(&cfg, g_free);
}

static void
test_render_no_ks(void)
{
	PxfPxelinuxConfig config = {.ks_param = (gchar *)"ks", .menu_default = (gchar *)"local"};
	g_autoptr(PxfVars) vars = host_vars(TRUE);
	g_autofree gchar *cfg = NULL;

	/* no http plugin and no ks_url: the installer asks interactively; over
	 * "http" without a base URL the files still come by TFTP */
	config.kernel_transport = PXF_PXELINUX_TRANSPORT_HTTP;
	cfg = render(&config, vars, "host.cfg.mustache", TRUE, TRUE, PXF_HOST_STATE_BOOTING);
	assert_contains(cfg, "APPEND initrd=boot/52-54-00-12-34-56/initrd.img ip=dhcp\n");
	assert_contains(cfg, "KERNEL boot/52-54-00-12-34-56/vmlinuz\n");
	assert_lacks(cfg, "ks=");
}

static void
test_render_localboot(void)
{
	PxfPxelinuxConfig config = {.ks_param = (gchar *)"ks", .menu_default = (gchar *)"local"};
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

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(PxfVars) vars = host_vars(cases[i].with_distro);
		g_autofree gchar *cfg = NULL;
		g_autofree gchar *why =
			g_strdup_printf("# boots from its local disk: %s\n", cases[i].reason);

		pxf_vars_set_string(vars, "install.ks_url", "http://10.0.0.1/ks/x");
		cfg = render(&config, vars, "host.cfg.mustache", TRUE, cases[i].netboot,
			     cases[i].state);
		assert_contains(cfg, why);
		assert_contains(cfg, "\nDEFAULT local\n");
		assert_contains(cfg, "\nLABEL local\n  LOCALBOOT 0\n");
		assert_lacks(cfg, "KERNEL");
		assert_lacks(cfg, "LABEL install");
		assert_lacks(cfg, "DEFAULT install");
		g_assert_cmpstr(pxf_pxelinux_localboot_reason(cases[i].netboot, cases[i].state,
							      cases[i].with_distro),
				==, cases[i].reason);
	}
	/* a failed or interrupted install is tried again */
	g_assert_null(pxf_pxelinux_localboot_reason(TRUE, PXF_HOST_STATE_FAILED, TRUE));
	g_assert_null(pxf_pxelinux_localboot_reason(TRUE, PXF_HOST_STATE_INSTALLING, TRUE));
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
	PxfPxelinuxConfig config = {.ks_param = (gchar *)"ks",
				    .menu_timeout = 100,
				    .menu_default = (gchar *)"local",
				    .menu_title = (gchar *)"pxeforge: unknown machine",
				    .menu_ui = (gchar *)"menu.c32"};
	g_autoptr(PxfVars) vars = pxf_vars_new();
	g_autofree gchar *cfg = NULL;
	g_autofree gchar *local_default = NULL;

	/* no installer configured: only local boot */
	cfg = render(&config, vars, "menu.cfg.mustache", FALSE, FALSE, PXF_HOST_STATE_UNKNOWN);
	assert_contains(cfg, "\nUI menu.c32\n");
	assert_contains(cfg, "\nTIMEOUT 100\n");
	assert_contains(cfg, "\nDEFAULT local\n");
	g_assert_cmpint(line_of(cfg, "TIMEOUT"), <, line_of(cfg, "DEFAULT"));
	assert_contains(cfg, "MENU TITLE pxeforge: unknown machine\n");
	assert_contains(cfg, "LABEL local\n  MENU LABEL Boot from ^local drive\n  MENU DEFAULT\n"
			     "  LOCALBOOT 0\n");
	assert_lacks(cfg, "LABEL install");
	assert_lacks(cfg, "LABEL memtest");
	assert_lacks(cfg, "\n\n");
	g_clear_pointer(&cfg, g_free);

	/* the how-to's entries, still defaulting to the local disk */
	config.menu_kernel = (gchar *)"/srv/c6/vmlinuz";
	config.menu_initrd = (gchar *)"/srv/c6/initrd.img";
	config.menu_append = (gchar *)"ks=http://172.16.100.7/ks.cfg";
	config.memtest = (gchar *)"/boot/memtest86+x64.bin";
	config.menu_timeout = 600;
	cfg = render(&config, vars, "menu.cfg.mustache", FALSE, FALSE, PXF_HOST_STATE_UNKNOWN);
	assert_contains(cfg, "\nTIMEOUT 600\n");
	assert_contains(cfg, "\nDEFAULT local\n");
	assert_contains(cfg, "LABEL install\n  MENU LABEL ^Install or upgrade an existing system\n"
			     "  KERNEL boot/menu/vmlinuz\n"
			     "  APPEND initrd=boot/menu/initrd.img text "
			     "ks=http://172.16.100.7/ks.cfg\n");
	assert_contains(cfg, "LABEL vesa\n  MENU LABEL Install system with ^basic video driver\n"
			     "  KERNEL boot/menu/vmlinuz\n"
			     "  APPEND initrd=boot/menu/initrd.img nomodeset "
			     "ks=http://172.16.100.7/ks.cfg\n");
	assert_contains(cfg, "LABEL rescue\n  MENU LABEL ^Rescue installed system\n"
			     "  KERNEL boot/menu/vmlinuz\n"
			     "  APPEND initrd=boot/menu/initrd.img rescue\n");
	assert_contains(cfg, "LABEL memtest\n  MENU LABEL ^Memory test\n  KERNEL memtest\n"
			     "  APPEND -\n");
	/* exactly one MENU DEFAULT, on local */
	local_default =
		g_strdup("LABEL local\n  MENU LABEL Boot from ^local drive\n  MENU DEFAULT\n");
	assert_contains(cfg, local_default);
	g_assert_true(strstr(cfg, "MENU DEFAULT") == strstr(cfg, local_default) +
							     strlen(local_default) -
							     strlen("MENU DEFAULT\n"));
	g_assert_null(strstr(strstr(cfg, "MENU DEFAULT") + 1, "MENU DEFAULT"));
	g_assert_cmpint(line_of(cfg, "LABEL install"), <, line_of(cfg, "LABEL vesa"));
	g_assert_cmpint(line_of(cfg, "LABEL rescue"), <, line_of(cfg, "LABEL local"));
	g_assert_cmpint(line_of(cfg, "LABEL local"), <, line_of(cfg, "LABEL memtest"));
	assert_lacks(cfg, "\n\n");
	g_clear_pointer(&cfg, g_free);

	/* the how-to's operator: install by default */
	config.menu_default = (gchar *)"install";
	cfg = render(&config, vars, "menu.cfg.mustache", FALSE, FALSE, PXF_HOST_STATE_UNKNOWN);
	assert_contains(cfg, "\nDEFAULT install\n");
	assert_contains(cfg, "LABEL install\n  MENU LABEL ^Install or upgrade an existing system\n"
			     "  MENU DEFAULT\n");
	assert_contains(cfg, "LABEL local\n  MENU LABEL Boot from ^local drive\n  LOCALBOOT 0\n");
	g_clear_pointer(&cfg, g_free);

	/* an installer on a web server is fetched from there */
	config.menu_kernel = (gchar *)"http://192.0.2.1/c6/vmlinuz";
	config.menu_initrd = (gchar *)"http://192.0.2.1/c6/initrd.img";
	cfg = render(&config, vars, "menu.cfg.mustache", FALSE, FALSE, PXF_HOST_STATE_UNKNOWN);
	assert_contains(cfg, "  KERNEL http://192.0.2.1/c6/vmlinuz\n"
			     "  APPEND initrd=http://192.0.2.1/c6/initrd.img text ");
	g_clear_pointer(&cfg, g_free);

	/* the built-in answer for unknown_hosts local */
	assert_contains(pxf_pxelinux_localboot_config(), "DEFAULT local\n");
	assert_contains(pxf_pxelinux_localboot_config(), "LABEL local\n  LOCALBOOT 0\n");
	assert_lacks(pxf_pxelinux_localboot_config(), "KERNEL");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/pxelinux/paths", test_paths);
	g_test_add_func("/plugin/pxelinux/syslinux-files", test_syslinux_files);
	g_test_add_func("/plugin/pxelinux/select", test_select);
	g_test_add_func("/plugin/pxelinux/config", test_config);
	g_test_add_func("/plugin/pxelinux/render-known", test_render_known);
	g_test_add_func("/plugin/pxelinux/render-no-ks", test_render_no_ks);
	g_test_add_func("/plugin/pxelinux/render-localboot", test_render_localboot);
	g_test_add_func("/plugin/pxelinux/render-menu", test_render_menu);
	return g_test_run();
}
