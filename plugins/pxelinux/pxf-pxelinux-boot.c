/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a BIOS machine boots, and the variables its pxelinux configuration is
 * rendered with. */
#define G_LOG_DOMAIN "pxf-pxelinux"

#include <string.h>

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
	if (!netboot)
		return "netboot is off";
	if (state == PXF_HOST_STATE_INSTALLED)
		return "installed";
	if (!has_kernel)
		return "no profile with a distro";
	return NULL;
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

/* A string variable of the render, or NULL when absent, empty or not a string. */
static gchar *
pxf_pxelinux_var_string(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(vars, name);

	while (value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
		GVariant *inner = g_variant_get_variant(value);
		g_variant_unref(value);
		value = inner;
	}
	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return NULL;
	if (g_variant_get_string(value, NULL)[0] == '\0')
		return NULL;
	return g_variant_dup_string(value, NULL);
}

static gboolean
pxf_pxelinux_is_url(const gchar *text)
{
	return g_str_has_prefix(text, "http://") || g_str_has_prefix(text, "https://") ||
	       g_str_has_prefix(text, "ftp://");
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
	if (pxf_pxelinux_is_url(source))
		return g_strdup(source);
	if (config->kernel_transport == PXF_PXELINUX_TRANSPORT_HTTP && base_url != NULL) {
		g_autofree gchar *base = g_strdup(base_url);
		gsize len = strlen(base);
		while (len > 0 && base[len - 1] == '/')
			base[--len] = '\0';
		return g_strdup_printf("%s/%s", base, path);
	}
	return g_strdup(path);
}

static void
pxf_pxelinux_add_string(GVariantBuilder *b, const gchar *key, const gchar *value)
{
	if (value != NULL)
		g_variant_builder_add(b, "{sv}", key, g_variant_new_string(value));
}

/* The menu's parts; only labels with something to boot appear. */
static void
pxf_pxelinux_add_menu(GVariantBuilder *b, const PxfPxelinuxConfig *config, const gchar *base_url)
{
	const gchar *labels[] = {PXF_PXELINUX_MENU_LABELS, NULL};
	GVariantBuilder is_default;

	g_variant_builder_add(b, "{sv}", "menu_timeout", g_variant_new_int64(config->menu_timeout));
	pxf_pxelinux_add_string(b, "menu_default", config->menu_default);
	pxf_pxelinux_add_string(b, "menu_title", config->menu_title);
	pxf_pxelinux_add_string(b, "menu_ui", config->menu_ui);
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
		pxf_pxelinux_add_string(b, "menu_kernel", kernel);
		pxf_pxelinux_add_string(b, "menu_initrd", initrd);
		pxf_pxelinux_add_string(b, "menu_append", config->menu_append);
	}
	if (config->memtest != NULL)
		pxf_pxelinux_add_string(b, "memtest", "memtest");
}

GVariant *
pxf_pxelinux_build_vars(const PxfPxelinuxConfig *config,
			PxfVars *vars,
			gboolean host_known,
			gboolean netboot,
			PxfHostState state)
{
	g_autofree gchar *base_url = pxf_pxelinux_var_string(vars, "http.base_url");
	g_autofree gchar *mac_dashes = pxf_pxelinux_var_string(vars, "host.mac_dashes");
	g_autofree gchar *kernel_src = pxf_pxelinux_var_string(vars, "distro.kernel");
	g_autofree gchar *initrd_src = pxf_pxelinux_var_string(vars, "distro.initrd");
	g_autofree gchar *ks_url = pxf_pxelinux_var_string(vars, "ks_url");
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	pxf_pxelinux_add_string(&b, "transport",
				config->kernel_transport == PXF_PXELINUX_TRANSPORT_HTTP ? "http"
											: "tftp");
	pxf_pxelinux_add_string(&b, "kernel_args", config->kernel_args);
	pxf_pxelinux_add_string(&b, "ks_param", config->ks_param);
	pxf_pxelinux_add_menu(&b, config, base_url);
	if (host_known) {
		const gchar *reason = pxf_pxelinux_localboot_reason(
			netboot, state,
			kernel_src != NULL && initrd_src != NULL && mac_dashes != NULL);
		g_variant_builder_add(&b, "{sv}", "localboot",
				      g_variant_new_boolean(reason != NULL));
		pxf_pxelinux_add_string(&b, "localboot_reason", reason);
		pxf_pxelinux_add_string(&b, "state", pxf_host_state_to_string(state));
		if (reason == NULL) {
			g_autofree gchar *kpath = g_strdup_printf("boot/%s/vmlinuz", mac_dashes);
			g_autofree gchar *ipath = g_strdup_printf("boot/%s/initrd.img", mac_dashes);
			g_autofree gchar *kernel =
				pxf_pxelinux_fetch_location(config, base_url, kernel_src, kpath);
			g_autofree gchar *initrd =
				pxf_pxelinux_fetch_location(config, base_url, initrd_src, ipath);
			pxf_pxelinux_add_string(&b, "kernel", kernel);
			pxf_pxelinux_add_string(&b, "initrd", initrd);
		}
		/* an operator's own ks_url wins over the one the http plugin serves */
		if (ks_url == NULL)
			ks_url = pxf_pxelinux_var_string(vars, "install.ks_url");
		pxf_pxelinux_add_string(&b, "ks_url", ks_url);
	}
	return g_variant_builder_end(&b);
}
