/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a PXE ROM or iPXE boots next, and the variables an iPXE script is
 * rendered with.
 *
 * No chainload loop: a PXE ROM gets an iPXE image; the iPXE it starts asks
 * DHCP again with user class "iPXE" and option 175, which the core
 * classifies as the iPXE stage, and the iPXE stage only ever gets a script.
 * iPXE in a NIC's ROM is at the iPXE stage from the start. */
#define G_LOG_DOMAIN "pxf-ipxe"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-ipxe.h"

void
pxf_ipxe_selection_clear(PxfIpxeSelection *self)
{
	g_clear_pointer(&self->filename, g_free);
	self->verdict = PXF_VERDICT_CONTINUE;
	self->why = NULL;
}

const gchar *
pxf_ipxe_image_for_firmware(const PxfIpxeConfig *config, PxfFirmware firmware)
{
	switch (firmware) {
	/* a PXE ROM too old to send option 93 is a BIOS one: UEFI always sends it */
	case PXF_FIRMWARE_UNKNOWN:
	case PXF_FIRMWARE_BIOS:
		return config->bios_image;
	case PXF_FIRMWARE_UEFI_X64:
		return config->efi_x64_image;
	case PXF_FIRMWARE_UEFI_IA32:
		return config->efi_ia32_image;
	case PXF_FIRMWARE_UEFI_ARM64:
		return config->efi_arm64_image;
	default:
		return NULL;
	}
}

/* ipxe/<aa-bb-cc-dd-ee-ff>/<file> */
static gchar *
pxf_ipxe_host_path(const gchar *mac, const gchar *file)
{
	g_autofree gchar *dashes = g_strdup(mac);

	g_strdelimit(dashes, ":", '-');
	return g_strdup_printf("ipxe/%s/%s", dashes, file);
}

/* DROP, no answer at all, for a machine not in the inventory under
 * unknown_hosts: ignore. */
static gboolean
pxf_ipxe_drop_unknown(const PxfIpxeConfig *config, gboolean known_host, PxfIpxeSelection *out)
{
	if (known_host || config->unknown_hosts != PXF_IPXE_UNKNOWN_IGNORE)
		return FALSE;
	out->verdict = PXF_VERDICT_DROP;
	out->why = "unknown machine, unknown_hosts is ignore";
	return TRUE;
}

/* A PXE ROM (base_url NULL: the image's name) or a UEFI HTTP boot client
 * (the image's URL under base_url) chainloads iPXE. */
static void
pxf_ipxe_select_image(const PxfIpxeConfig *config,
		      PxfFirmware firmware,
		      gboolean known_host,
		      const gchar *base_url,
		      PxfIpxeSelection *out)
{
	const gchar *image = pxf_ipxe_image_for_firmware(config, firmware);

	if (!config->chainload) {
		out->why = "chainload is off";
		return;
	}
	if (image == NULL) {
		out->why = "no iPXE image for this firmware";
		return;
	}
	if (pxf_ipxe_drop_unknown(config, known_host, out))
		return;
	out->verdict = PXF_VERDICT_SKIP;
	if (base_url != NULL) {
		out->filename = pxf_bootloader_url_join(base_url, image);
		out->why = "UEFI HTTP boot: iPXE over HTTP";
	} else {
		out->filename = g_strdup(image);
		out->why = "PXE ROM: chainload iPXE";
	}
}

void
pxf_ipxe_select(const PxfIpxeConfig *config,
		PxfFirmware firmware,
		PxfBootStage stage,
		const gchar *mac,
		gboolean known_host,
		const gchar *base_url,
		PxfIpxeHttpSupport http,
		PxfIpxeSelection *out)
{
	g_autofree gchar *path = NULL;

	pxf_ipxe_selection_clear(out);
	if (stage == PXF_BOOT_STAGE_ROM) {
		pxf_ipxe_select_image(config, firmware, known_host, NULL, out);
		return;
	}
	/* pxelinux, GRUB and installers are not ours */
	if (stage != PXF_BOOT_STAGE_IPXE) {
		out->why = "not a PXE ROM or iPXE";
		return;
	}
	if (pxf_ipxe_drop_unknown(config, known_host, out))
		return;
	out->verdict = PXF_VERDICT_SKIP;
	path = mac != NULL ? pxf_ipxe_host_path(mac, "boot.ipxe") : g_strdup("ipxe/boot.ipxe");
	if (config->script_transport == PXF_IPXE_TRANSPORT_TFTP) {
		out->filename = g_steal_pointer(&path);
		out->why = "iPXE: its script over TFTP (script_transport tftp)";
	} else if (base_url == NULL) {
		out->filename = g_steal_pointer(&path);
		out->why = "iPXE: its script over TFTP (no http.base_url for this client)";
	} else if (http == PXF_IPXE_HTTP_NO) {
		out->filename = g_steal_pointer(&path);
		out->why = "iPXE: its script over TFTP (this iPXE has no HTTP)";
	} else {
		out->filename = pxf_bootloader_url_join(base_url, path);
		out->why = "iPXE: its script over HTTP";
	}
}

void
pxf_ipxe_select_http_boot(const PxfIpxeConfig *config,
			  PxfFirmware firmware,
			  gboolean known_host,
			  const gchar *base_url,
			  PxfIpxeSelection *out)
{
	pxf_ipxe_selection_clear(out);
	/* BIOS HTTP boot (arch 20) loads no UEFI image */
	if (firmware == PXF_FIRMWARE_BIOS || firmware == PXF_FIRMWARE_UNKNOWN) {
		out->why = "UEFI HTTP boot: no iPXE image for this firmware";
		return;
	}
	if (base_url == NULL) {
		out->why = "UEFI HTTP boot: no http.base_url for this client";
		return;
	}
	pxf_ipxe_select_image(config, firmware, known_host, base_url, out);
}

const gchar *
pxf_ipxe_localboot_reason(gboolean netboot, PxfHostState state, gboolean has_kernel)
{
	return pxf_bootloader_localboot_reason(netboot, state, has_kernel,
					       "no profile with a distro");
}

const gchar *
pxf_ipxe_chain_script(void)
{
	/* hexhyp: a MAC with colons would be read as an URI scheme, and a path
	 * with them is percent-encoded by iPXE; netX is the NIC that booted */
	return "#!ipxe\n"
	       "# pxeforge: fetch this machine's own script, next to this one\n"
	       "chain ${netX/mac:hexhyp}/boot.ipxe || exit\n";
}

/* The commands that boot the local disk (the built-in scripts and the
 * templates' {{ipxe.localboot_commands}}), without a final line break.
 * On UEFI, `exit 1`: EDK2's boot manager takes a boot option that returns
 * success for done and shows its menu instead of trying the next option. */
static const gchar *
pxf_ipxe_localboot_commands(const PxfIpxeConfig *config)
{
	/* drive 0x80 is the BIOS's first hard disk; UEFI has no such thing */
	if (config->local_boot == PXF_IPXE_LOCAL_SANBOOT)
		return "iseq ${platform} pcbios || exit 1\n"
		       "sanboot --no-describe --drive 0x80 || exit";
	return "iseq ${platform} pcbios || exit 1\n"
	       "exit";
}

gchar *
pxf_ipxe_localboot_script(const PxfIpxeConfig *config, const gchar *reason)
{
	return g_strdup_printf("#!ipxe\n"
			       "# pxeforge: this machine boots from its local disk (%s)\n"
			       "echo pxeforge: booting from the local disk\n"
			       "%s\n",
			       reason, pxf_ipxe_localboot_commands(config));
}

/* How the files are fetched, and from where; what every location needs. */
typedef struct {
	PxfIpxeTransport files; /* HTTP, TFTP or MTFTP */
	const gchar *base_url;	/* for HTTP, NULL: TFTP instead */
	const gchar *server;	/* for MTFTP, NULL: ${next-server} */
} PxfIpxeFetch;

/* Where iPXE fetches a file served under path: an URL under the http
 * plugin's base URL, an mtftp:// URL on this server, or over TFTP an
 * absolute path, which iPXE resolves against the script's own tftp:// URI.
 * A file configured as an URL is fetched from there as it is. */
static gchar *
pxf_ipxe_fetch_location(const PxfIpxeFetch *fetch, const gchar *source, const gchar *path)
{
	const gchar *const schemes[] = {PXF_IPXE_URL_SCHEMES, NULL};

	if (pxf_bootloader_has_scheme(source, schemes))
		return g_strdup(source);
	if (fetch->files == PXF_IPXE_TRANSPORT_HTTP && fetch->base_url != NULL)
		return pxf_bootloader_url_join(fetch->base_url, path);
	if (fetch->files == PXF_IPXE_TRANSPORT_MTFTP)
		return g_strdup_printf("mtftp://%s/%s",
				       fetch->server != NULL ? fetch->server : "${next-server}",
				       path);
	return g_strdup_printf("/%s", path);
}

static const gchar *
pxf_ipxe_fetch_to_string(const PxfIpxeFetch *fetch)
{
	if (fetch->files == PXF_IPXE_TRANSPORT_MTFTP)
		return "mtftp";
	if (fetch->files == PXF_IPXE_TRANSPORT_HTTP && fetch->base_url != NULL)
		return "http";
	return "tftp";
}

/* The menu's parts; only entries with something to boot appear. */
static void
pxf_ipxe_add_menu(GVariantBuilder *b, const PxfIpxeConfig *config, const PxfIpxeFetch *fetch)
{
	const gchar *labels[] = {PXF_IPXE_MENU_LABELS, NULL};
	GVariantBuilder is_default;

	/* iPXE's choose counts milliseconds; no timeout at all for 0 */
	if (config->menu_timeout > 0) {
		g_autofree gchar *ms =
			g_strdup_printf("%" G_GINT64_FORMAT, config->menu_timeout * 1000);
		pxf_bootloader_add_string(b, "menu_timeout_ms", ms);
	}
	pxf_bootloader_add_string(b, "menu_default", config->menu_default);
	pxf_bootloader_add_string(b, "menu_title", config->menu_title);
	g_variant_builder_init(&is_default, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; labels[i] != NULL; i++)
		g_variant_builder_add(
			&is_default, "{sv}", labels[i],
			g_variant_new_boolean(g_strcmp0(labels[i], config->menu_default) == 0));
	g_variant_builder_add(b, "{sv}", "is_default", g_variant_builder_end(&is_default));
	if (config->menu_kernel != NULL) {
		g_autofree gchar *kernel =
			pxf_ipxe_fetch_location(fetch, config->menu_kernel, "ipxe/menu/vmlinuz");
		g_autofree gchar *initrd =
			pxf_ipxe_fetch_location(fetch, config->menu_initrd, "ipxe/menu/initrd.img");
		pxf_bootloader_add_string(b, "menu_kernel", kernel);
		pxf_bootloader_add_string(b, "menu_initrd", initrd);
		pxf_bootloader_add_string(b, "menu_append", config->menu_append);
	}
}

/* The install entry of a known host: kernel, initrd, BOOTIF. */
static void
pxf_ipxe_add_install(GVariantBuilder *b,
		     const gchar *mac,
		     const PxfIpxeFetch *fetch,
		     const gchar *kernel_src,
		     const gchar *initrd_src)
{
	g_autofree gchar *kpath = pxf_ipxe_host_path(mac, "vmlinuz");
	g_autofree gchar *ipath = pxf_ipxe_host_path(mac, "initrd.img");
	g_autofree gchar *kernel = pxf_ipxe_fetch_location(fetch, kernel_src, kpath);
	g_autofree gchar *initrd = pxf_ipxe_fetch_location(fetch, initrd_src, ipath);
	g_autofree gchar *bootif = g_strdup_printf("01-%s", mac);

	/* BOOTIF=01-aa-bb-...: anaconda and dracut configure the NIC that booted */
	g_strdelimit(bootif, ":", '-');
	pxf_bootloader_add_string(b, "kernel", kernel);
	pxf_bootloader_add_string(b, "initrd", initrd);
	pxf_bootloader_add_string(b, "bootif", bootif);
}

GVariant *
pxf_ipxe_build_vars(const PxfIpxeConfig *config,
		    PxfVars *vars,
		    PxfIpxeTransport files,
		    const gchar *server,
		    gboolean host_known,
		    gboolean netboot,
		    PxfHostState state)
{
	g_autofree gchar *base_url = pxf_bootloader_var_string(vars, "http.base_url");
	g_autofree gchar *mac_text = pxf_bootloader_var_string(vars, "host.mac");
	g_autofree gchar *mac = pxf_ipxe_parse_mac(mac_text);
	g_autofree gchar *kernel_src = pxf_bootloader_var_string(vars, "distro.kernel");
	g_autofree gchar *initrd_src = pxf_bootloader_var_string(vars, "distro.initrd");
	g_autofree gchar *ks_url = pxf_bootloader_var_string(vars, "ks_url");
	PxfIpxeFetch fetch = {.files = files, .base_url = base_url, .server = server};
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	pxf_bootloader_add_string(&b, "transport", pxf_ipxe_fetch_to_string(&fetch));
	pxf_bootloader_add_string(&b, "kernel_args", config->kernel_args);
	pxf_bootloader_add_string(&b, "ks_param", config->ks_param);
	pxf_bootloader_add_string(&b, "localboot_commands", pxf_ipxe_localboot_commands(config));
	pxf_ipxe_add_menu(&b, config, &fetch);
	if (host_known) {
		const gchar *reason = pxf_ipxe_localboot_reason(
			netboot, state, kernel_src != NULL && initrd_src != NULL && mac != NULL);
		g_variant_builder_add(&b, "{sv}", "localboot",
				      g_variant_new_boolean(reason != NULL));
		pxf_bootloader_add_string(&b, "localboot_reason", reason);
		pxf_bootloader_add_string(&b, "state", pxf_host_state_to_string(state));
		if (reason == NULL)
			pxf_ipxe_add_install(&b, mac, &fetch, kernel_src, initrd_src);
		/* an operator's own ks_url wins over the one the http plugin serves */
		if (ks_url == NULL)
			ks_url = pxf_bootloader_var_string(vars, "install.ks_url");
		pxf_bootloader_add_string(&b, "ks_url", ks_url);
	}
	return g_variant_builder_end(&b);
}
