/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a BIOS machine boots, and the variables its pxelinux configuration is
 * rendered with. */
#define G_LOG_DOMAIN "pxf-pxelinux"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-pxelinux.h"

const gchar *
pxf_pxelinux_select_boot_file(const PxfPxelinuxConfig *config,
			      PxfFirmware firmware,
			      PxfBootStage stage,
			      gboolean known_host,
			      PxfVerdict *verdict)
{
	*verdict = PXF_VERDICT_CONTINUE;
	/* a PXE ROM too old to send option 93 is a BIOS one: UEFI always sends it */
	if (firmware != PXF_FIRMWARE_BIOS && firmware != PXF_FIRMWARE_UNKNOWN)
		return NULL;
	/* iPXE in ROM loads pxelinux like a PXE ROM does; an ipxe plugin, if
	 * any, runs first (the plugin connects after it) and keeps those. pxelinux
	 * and the installer do not ask for a boot file. */
	if (stage != PXF_BOOT_STAGE_ROM && stage != PXF_BOOT_STAGE_IPXE)
		return NULL;
	if (firmware == PXF_FIRMWARE_UNKNOWN && stage != PXF_BOOT_STAGE_ROM)
		return NULL;
	if (!known_host && config->unknown_hosts == PXF_PXELINUX_UNKNOWN_IGNORE) {
		*verdict = PXF_VERDICT_DROP;
		return NULL;
	}
	*verdict = PXF_VERDICT_SKIP;
	return config->kernel_transport == PXF_PXELINUX_TRANSPORT_HTTP ? "lpxelinux.0"
								       : "pxelinux.0";
}

const gchar *
pxf_pxelinux_localboot_reason(gboolean netboot, PxfHostState state, gboolean has_kernel)
{
	return pxf_bootloader_localboot_reason(netboot, state, has_kernel,
					       "no profile with a distro");
}

const gchar *
pxf_pxelinux_localboot_config(void)
{
	return "# pxeforge: this machine boots from its local disk\n"
	       "DEFAULT local\n"
	       "PROMPT 0\n"
	       "TIMEOUT 0\n"
	       "LABEL local\n"
	       "  LOCALBOOT 0\n";
}

/* Where pxelinux fetches a file served under path: a TFTP path relative to
 * pxelinux.0, or with HTTP an URL under the http plugin's base URL (falling
 * back to TFTP when no http plugin provides one). A file configured as an
 * URL is fetched from there as it is. */
static gchar *
pxf_pxelinux_fetch_location(const PxfPxelinuxConfig *config,
			    const gchar *base_url,
			    const gchar *source,
			    const gchar *path)
{
	const gchar *const schemes[] = {PXF_PXELINUX_URL_SCHEMES, NULL};

	if (pxf_bootloader_has_scheme(source, schemes))
		return g_strdup(source);
	if (config->kernel_transport == PXF_PXELINUX_TRANSPORT_HTTP && base_url != NULL)
		return pxf_bootloader_url_join(base_url, path);
	return g_strdup(path);
}

/* The menu's parts; only labels with something to boot appear. */
static void
pxf_pxelinux_add_menu(GVariantBuilder *b, const PxfPxelinuxConfig *config, const gchar *base_url)
{
	const gchar *labels[] = {PXF_PXELINUX_MENU_LABELS, NULL};
	GVariantBuilder is_default;

	g_variant_builder_add(b, "{sv}", "menu_timeout", g_variant_new_int64(config->menu_timeout));
	pxf_bootloader_add_string(b, "menu_default", config->menu_default);
	pxf_bootloader_add_string(b, "menu_title", config->menu_title);
	pxf_bootloader_add_string(b, "menu_ui", config->menu_ui);
	g_variant_builder_init(&is_default, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; labels[i] != NULL; i++)
		g_variant_builder_add(
			&is_default, "{sv}", labels[i],
			g_variant_new_boolean(g_strcmp0(labels[i], config->menu_default) == 0));
	g_variant_builder_add(b, "{sv}", "is_default", g_variant_builder_end(&is_default));
	if (config->menu_kernel != NULL) {
		g_autofree gchar *kernel = pxf_pxelinux_fetch_location(
			config, base_url, config->menu_kernel, "boot/menu/vmlinuz");
		g_autofree gchar *initrd = pxf_pxelinux_fetch_location(
			config, base_url, config->menu_initrd, "boot/menu/initrd.img");
		pxf_bootloader_add_string(b, "menu_kernel", kernel);
		pxf_bootloader_add_string(b, "menu_initrd", initrd);
		pxf_bootloader_add_string(b, "menu_append", config->menu_append);
	}
	if (config->memtest != NULL)
		pxf_bootloader_add_string(b, "memtest", "memtest");
}

GVariant *
pxf_pxelinux_build_vars(const PxfPxelinuxConfig *config,
			PxfVars *vars,
			gboolean host_known,
			gboolean netboot,
			PxfHostState state)
{
	g_autofree gchar *base_url = pxf_bootloader_var_string(vars, "http.base_url");
	g_autofree gchar *mac_dashes = pxf_bootloader_var_string(vars, "host.mac_dashes");
	g_autofree gchar *kernel_src = pxf_bootloader_var_string(vars, "distro.kernel");
	g_autofree gchar *initrd_src = pxf_bootloader_var_string(vars, "distro.initrd");
	g_autofree gchar *ks_url = pxf_bootloader_var_string(vars, "ks_url");
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	pxf_bootloader_add_string(&b, "transport",
				  config->kernel_transport == PXF_PXELINUX_TRANSPORT_HTTP ? "http"
											  : "tftp");
	pxf_bootloader_add_string(&b, "kernel_args", config->kernel_args);
	pxf_bootloader_add_string(&b, "ks_param", config->ks_param);
	pxf_pxelinux_add_menu(&b, config, base_url);
	if (host_known) {
		const gchar *reason = pxf_pxelinux_localboot_reason(
			netboot, state,
			kernel_src != NULL && initrd_src != NULL && mac_dashes != NULL);
		g_variant_builder_add(&b, "{sv}", "localboot",
				      g_variant_new_boolean(reason != NULL));
		pxf_bootloader_add_string(&b, "localboot_reason", reason);
		pxf_bootloader_add_string(&b, "state", pxf_host_state_to_string(state));
		if (reason == NULL) {
			g_autofree gchar *kpath = g_strdup_printf("boot/%s/vmlinuz", mac_dashes);
			g_autofree gchar *ipath = g_strdup_printf("boot/%s/initrd.img", mac_dashes);
			g_autofree gchar *kernel =
				pxf_pxelinux_fetch_location(config, base_url, kernel_src, kpath);
			g_autofree gchar *initrd =
				pxf_pxelinux_fetch_location(config, base_url, initrd_src, ipath);
			pxf_bootloader_add_string(&b, "kernel", kernel);
			pxf_bootloader_add_string(&b, "initrd", initrd);
		}
		/* an operator's own ks_url wins over the one the http plugin serves */
		if (ks_url == NULL)
			ks_url = pxf_bootloader_var_string(vars, "install.ks_url");
		pxf_bootloader_add_string(&b, "ks_url", ks_url);
	}
	return g_variant_builder_end(&b);
}
