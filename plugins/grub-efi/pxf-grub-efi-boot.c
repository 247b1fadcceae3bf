/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a UEFI machine's GRUB runs: the variables its grub.cfg is rendered
 * with, and the built-in configurations (local boot, the prologue for
 * machines pxeforge cannot attribute). */
#define G_LOG_DOMAIN "pxf-grub-efi"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-grub-efi.h"

/* Characters that are plain text in a GRUB word: no quoting, variable,
 * wildcard (regexp.mod expands * ? [ ]) or command separator meaning. */
#define PXF_GRUB_EFI_SAFE                                                                          \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.,:/=+@%-~()"

const gchar *
pxf_grub_efi_localboot_reason(gboolean netboot, PxfHostState state, gboolean has_kernel)
{
	return pxf_bootloader_localboot_reason(
		netboot, state, has_kernel, "no profile with a distro whose kernel GRUB can fetch");
}

gchar *
pxf_grub_efi_quote(const gchar *text)
{
	GString *out;

	if (text == NULL)
		return NULL;
	if (text[0] != '\0' && strspn(text, PXF_GRUB_EFI_SAFE) == strlen(text))
		return g_strdup(text);
	/* inside '...' nothing is special; a quote itself ends it: '\'' */
	out = g_string_new("'");
	for (const gchar *p = text; *p != '\0'; p++) {
		if (*p == '\'')
			g_string_append(out, "'\\''");
		else
			g_string_append_c(out, *p);
	}
	g_string_append_c(out, '\'');
	return g_string_free(out, FALSE);
}

/* "(http,host[:port])/path" for an http:// URL; NULL for anything else. */
static gchar *
pxf_grub_efi_http_device_path(const gchar *url)
{
	const gchar *rest;
	const gchar *slash;
	g_autofree gchar *server = NULL;

	if (!g_str_has_prefix(url, "http://"))
		return NULL;
	rest = url + strlen("http://");
	slash = strchr(rest, '/');
	server = slash != NULL ? g_strndup(rest, (gsize)(slash - rest)) : g_strdup(rest);
	/* no user info, and nothing that ends GRUB's device name early */
	if (server[0] == '\0' || strpbrk(server, "@,()") != NULL)
		return NULL;
	return g_strdup_printf("(http,%s)%s", server, slash != NULL ? slash : "/");
}

gchar *
pxf_grub_efi_http_root(const gchar *base_url)
{
	g_autofree gchar *root = NULL;
	gsize len;

	if (base_url == NULL)
		return NULL;
	root = pxf_grub_efi_http_device_path(base_url);
	if (root == NULL)
		return NULL;
	/* a path to append to */
	len = strlen(root);
	while (len > 0 && root[len - 1] == '/')
		root[--len] = '\0';
	return pxf_grub_efi_quote(root);
}

gchar *
pxf_grub_efi_fetch_location(gboolean via_http, const gchar *source, const gchar *path)
{
	g_autofree gchar *location = NULL;

	if (source == NULL)
		return NULL;
	if (strstr(source, "://") != NULL) {
		/* GRUB speaks plain HTTP and TFTP only */
		location = pxf_grub_efi_http_device_path(source);
		return pxf_grub_efi_quote(location);
	}
	if (!g_path_is_absolute(source))
		return NULL;
	location = pxf_grub_efi_quote(path);
	/* relative to GRUB's root, the TFTP server it was loaded from, unless
	 * the configuration found that GRUB can use HTTP */
	if (via_http)
		return g_strdup_printf("${pxf_root}/%s", location);
	return g_strdup_printf("/%s", location);
}

static void
pxf_grub_efi_add_menu(GVariantBuilder *b, const PxfGrubEfiConfig *config, gboolean via_http)
{
	g_variant_builder_add(b, "{sv}", "menu_timeout", g_variant_new_int64(config->menu_timeout));
	pxf_bootloader_add_string(b, "menu_default", config->menu_default);
	if (config->menu_kernel != NULL) {
		g_autofree gchar *kernel = pxf_grub_efi_fetch_location(
			via_http, config->menu_kernel, "grub/menu/vmlinuz");
		g_autofree gchar *initrd = pxf_grub_efi_fetch_location(
			via_http, config->menu_initrd, "grub/menu/initrd.img");
		pxf_bootloader_add_string(b, "menu_kernel", kernel);
		pxf_bootloader_add_string(b, "menu_initrd", initrd);
		pxf_bootloader_add_string(b, "menu_append", config->menu_append);
	}
}

GVariant *
pxf_grub_efi_build_vars(const PxfGrubEfiConfig *config,
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
	g_autofree gchar *http_root = NULL;
	GVariantBuilder b;

	if (config->kernel_transport == PXF_GRUB_EFI_TRANSPORT_HTTP)
		http_root = pxf_grub_efi_http_root(base_url);

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	pxf_bootloader_add_string(&b, "transport", http_root != NULL ? "http" : "tftp");
	pxf_bootloader_add_string(&b, "http_root", http_root);
	g_variant_builder_add(&b, "{sv}", "secure_boot",
			      g_variant_new_boolean(config->secure_boot));
	pxf_bootloader_add_string(&b, "kernel_args", config->kernel_args);
	pxf_bootloader_add_string(&b, "ks_param", config->ks_param);
	g_variant_builder_add(
		&b, "{sv}", "chainload",
		g_variant_new_boolean(config->local_boot == PXF_GRUB_EFI_LOCAL_CHAINLOAD));
	pxf_bootloader_add_string(&b, "local_loader", config->local_loader);
	pxf_grub_efi_add_menu(&b, config, http_root != NULL);
	if (host_known) {
		g_autofree gchar *kernel = NULL;
		g_autofree gchar *initrd = NULL;
		const gchar *reason;

		if (mac_dashes != NULL) {
			g_autofree gchar *kpath = g_strdup_printf("boot/%s/vmlinuz", mac_dashes);
			g_autofree gchar *ipath = g_strdup_printf("boot/%s/initrd.img", mac_dashes);
			kernel = pxf_grub_efi_fetch_location(http_root != NULL, kernel_src, kpath);
			initrd = pxf_grub_efi_fetch_location(http_root != NULL, initrd_src, ipath);
		}
		reason = pxf_grub_efi_localboot_reason(netboot, state,
						       kernel != NULL && initrd != NULL);
		g_variant_builder_add(&b, "{sv}", "localboot",
				      g_variant_new_boolean(reason != NULL));
		pxf_bootloader_add_string(&b, "localboot_reason", reason);
		pxf_bootloader_add_string(&b, "state", pxf_host_state_to_string(state));
		if (reason == NULL) {
			g_autofree gchar *bootif = g_strdup_printf("01-%s", mac_dashes);
			pxf_bootloader_add_string(&b, "kernel", kernel);
			pxf_bootloader_add_string(&b, "initrd", initrd);
			/* the NIC the machine booted from, as pxelinux's IPAPPEND 2 */
			pxf_bootloader_add_string(&b, "bootif", bootif);
		}
		/* an operator's own ks_url wins over the one the http plugin serves */
		if (ks_url == NULL)
			ks_url = pxf_bootloader_var_string(vars, "install.ks_url");
		if (ks_url != NULL) {
			g_autofree gchar *quoted = pxf_grub_efi_quote(ks_url);
			pxf_bootloader_add_string(&b, "ks_url", quoted);
		}
	}
	return g_variant_builder_end(&b);
}

gchar *
pxf_grub_efi_localboot_config(const PxfGrubEfiConfig *config)
{
	GString *out = g_string_new("# pxeforge: this machine boots from its local disk\n");

	/* chainloader hands $root to the loader as its device: the ESP, not
	 * the network GRUB came from (shim then finds no file system) */
	if (config->local_boot == PXF_GRUB_EFI_LOCAL_CHAINLOAD)
		g_string_append_printf(out,
				       "if search --no-floppy --file --set=root %s; then\n"
				       "  echo \"pxeforge: booting ($root)%s\"\n"
				       "  chainloader %s\n"
				       "  boot\n"
				       "fi\n",
				       config->local_loader, config->local_loader,
				       config->local_loader);
	g_string_append(out, "echo \"pxeforge: back to the firmware\"\n"
			     "exit\n");
	return g_string_free(out, FALSE);
}

const gchar *
pxf_grub_efi_dispatch_prologue(void)
{
	return "# pxeforge: this machine's address is not in pxeforge's lease table (another\n"
	       "# DHCP server?): its own configuration first, then the one below\n"
	       "if [ -n \"$net_default_mac\" ]; then\n"
	       "  configfile $prefix/grub.cfg-01-$net_default_mac\n"
	       "fi\n";
}
