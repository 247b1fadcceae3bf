/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The grub-efi plugin's hook callbacks: the boot file for UEFI x64
 * machines, the chain's files and GRUB's configuration, and the variables
 * of that configuration. */
#define G_LOG_DOMAIN "pxf-grub-efi"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-grub-efi.h"

void
pxf_grub_efi_free(PxfGrubEfi *self)
{
	if (self == NULL)
		return;
	pxf_grub_efi_config_free(self->config);
	g_free(self);
}

static gchar *
pxf_grub_efi_distro_string(PxfGrubEfi *self, const gchar *distro, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_plugin_context_get_distro_var(self->ctx, distro, name);
	return pxf_bootloader_dup_string(value);
}

/* The vendor chain of an inventory distro, or NULL (logged when a
 * configured override is wrong: that host then gets Debian's chain). */
static PxfGrubEfiChain *
pxf_grub_efi_vendor_chain(PxfGrubEfi *self, const gchar *distro)
{
	g_autofree gchar *name = NULL;
	g_autofree gchar *tree = NULL;
	g_autofree gchar *tree_dir = NULL;
	g_autofree gchar *shim = NULL;
	g_autofree gchar *grub = NULL;
	g_autoptr(GError) error = NULL;
	PxfGrubEfiChain *chain;

	if (!self->config->vendor_chains || distro == NULL)
		return NULL;
	name = pxf_grub_efi_distro_string(self, distro, "name");
	if (name == NULL)
		return NULL;
	tree = pxf_grub_efi_distro_string(self, distro, "tree");
	tree_dir = pxf_grub_efi_tree_dir(tree);
	shim = pxf_grub_efi_distro_string(self, distro, "efi.shim");
	grub = pxf_grub_efi_distro_string(self, distro, "efi.grub");
	chain = pxf_grub_efi_chain_find(tree_dir, shim, grub, &error);
	if (chain == NULL) {
		if (g_error_matches(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID))
			g_warning("distro %s: %s; its hosts get the default chain", distro,
				  error->message);
		else
			g_debug("distro %s: %s", distro, error->message);
	}
	return chain;
}

/* The host's or its profile's secure_boot, else the plugin's. */
static gboolean
pxf_grub_efi_secure_boot(PxfGrubEfi *self, const PxfHost *host)
{
	gboolean secure_boot = self->config->secure_boot;

	if (host != NULL)
		pxf_host_get_secure_boot(host, &secure_boot);
	return secure_boot;
}

static PxfVerdict
pxf_grub_efi_boot_select(PxfBootSelectArgs *args, gpointer user_data)
{
	PxfGrubEfi *self = user_data;
	PxfVerdict verdict = PXF_VERDICT_CONTINUE;
	g_autofree gchar *distro = NULL;
	g_autofree gchar *filename = NULL;
	g_autoptr(PxfGrubEfiChain) chain = NULL;
	gboolean secure_boot = pxf_grub_efi_secure_boot(self, args->client->host);

	if (args->firmware != PXF_FIRMWARE_UEFI_X64)
		return PXF_VERDICT_CONTINUE;
	if (!pxf_bootloader_chosen(self->ctx, args->client->host))
		return PXF_VERDICT_CONTINUE;
	/* Debian's GRUB (signed or not) started by UEFI HTTP boot configures
	 * no network and reads no grub.cfg: it stops at its prompt. Leave the
	 * machine to the ipxe plugin (loader: ipxe) rather than strand it. */
	if (args->http_boot) {
		g_info("%s: UEFI HTTP boot: the grub-efi plugin does not serve it (GRUB finds "
		       "no configuration that way); the ipxe plugin does",
		       args->client->mac != NULL ? args->client->mac : "?");
		return PXF_VERDICT_CONTINUE;
	}
	if (args->client->host != NULL && secure_boot) {
		distro = pxf_bootloader_host_string(self->ctx, args->client->host, "distro.name");
		chain = pxf_grub_efi_vendor_chain(self, distro);
	}
	filename = pxf_grub_efi_select_boot_file(self->config, secure_boot, args->firmware,
						 args->stage, args->client->host != NULL,
						 chain != NULL ? distro : NULL, &verdict);
	if (verdict == PXF_VERDICT_DROP) {
		g_debug("%s: unknown machine, unknown_hosts is ignore: no boot file",
			args->client->mac != NULL ? args->client->mac : "?");
		return verdict;
	}
	if (verdict == PXF_VERDICT_SKIP) {
		if (chain != NULL)
			g_debug("%s: %s's own chain (%s)",
				args->client->mac != NULL ? args->client->mac : "?", distro,
				chain->layout);
		pxf_set_string(&args->filename, filename);
	}
	return verdict;
}

static PxfVerdict
pxf_grub_efi_template_vars(PxfTemplateVarsArgs *args, gpointer user_data)
{
	PxfGrubEfi *self = user_data;
	PxfGrubEfiConfig config = *self->config; /* shallow: nothing is freed */
	PxfHostState state = PXF_HOST_STATE_UNKNOWN;
	gboolean netboot = FALSE;

	if (args->host != NULL) {
		state = pxf_plugin_context_get_host_state(self->ctx, pxf_host_get_mac(args->host));
		netboot = pxf_host_get_netboot(args->host);
	}
	config.secure_boot = pxf_grub_efi_secure_boot(self, args->host);
	/* auto is decided per render: the http plugin may start after this one */
	if (config.kernel_transport == PXF_GRUB_EFI_TRANSPORT_AUTO)
		config.kernel_transport = pxf_plugin_context_has_plugin(self->ctx, "http")
						  ? PXF_GRUB_EFI_TRANSPORT_HTTP
						  : PXF_GRUB_EFI_TRANSPORT_TFTP;
	pxf_vars_set(
		args->vars, "grub_efi",
		pxf_grub_efi_build_vars(&config, args->vars, args->host != NULL, netboot, state));
	return PXF_VERDICT_CONTINUE;
}

/* A file of the chain or the menu: SKIP with it, or CONTINUE (the
 * transport's root may have it) when it is not there. */
static PxfVerdict
pxf_grub_efi_open_local(PxfFileOpenArgs *args, const gchar *key, const gchar *path)
{
	/* unset, or an URL that GRUB fetches itself */
	if (path == NULL || !g_path_is_absolute(path))
		return PXF_VERDICT_CONTINUE;
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		g_warning("%s: %s %s is not a regular file; install shim-signed, "
			  "grub-efi-amd64-signed and grub-efi-amd64-bin, or fix the setting",
			  args->path, key, path);
		return PXF_VERDICT_CONTINUE;
	}
	pxf_file_open_set_local_path(args, path);
	return PXF_VERDICT_SKIP;
}

/* The host's own grub.cfg; moves it to booting when it installs. */
static PxfVerdict
pxf_grub_efi_open_host_config(PxfGrubEfi *self,
			      PxfFileOpenArgs *args,
			      const PxfHost *host,
			      const gchar *prologue)
{
	const gchar *mac = pxf_host_get_mac(host);
	PxfHostState state = pxf_plugin_context_get_host_state(self->ctx, mac);
	gboolean localboot = TRUE;

	/* the decision the template makes, taken before it renders */
	{
		g_autofree gchar *kernel =
			pxf_bootloader_host_string(self->ctx, host, "distro.kernel");
		g_autofree gchar *initrd =
			pxf_bootloader_host_string(self->ctx, host, "distro.initrd");
		g_autofree gchar *k = pxf_grub_efi_fetch_location(FALSE, kernel, "boot/x/vmlinuz");
		g_autofree gchar *i =
			pxf_grub_efi_fetch_location(FALSE, initrd, "boot/x/initrd.img");
		const gchar *reason = pxf_grub_efi_localboot_reason(pxf_host_get_netboot(host),
								    state, k != NULL && i != NULL);
		localboot = reason != NULL;
		g_info("%s: grub configuration: %s%s", mac, localboot ? "local boot, " : "install",
		       localboot ? reason : "");
	}
	return pxf_bootloader_serve_host_config(self->ctx, args, host, state, !localboot,
						"grub config", self->config->host_template,
						prologue);
}

/* What machines pxeforge does not know get: the menu or local boot. */
static PxfVerdict
pxf_grub_efi_open_unknown_config(PxfGrubEfi *self, PxfFileOpenArgs *args, const gchar *prologue)
{
	g_autoptr(GError) error = NULL;
	GString *out = g_string_new(prologue);

	/* under "ignore" too: such a machine got here through another DHCP server */
	if (self->config->unknown_hosts != PXF_GRUB_EFI_UNKNOWN_MENU) {
		g_autofree gchar *local = pxf_grub_efi_localboot_config(self->config);
		g_string_append(out, local);
		return pxf_bootloader_serve(args, out);
	}
	if (!pxf_plugin_context_render_template(self->ctx, args->client, NULL,
						self->config->menu_template, FALSE, out, &error)) {
		g_autofree gchar *local = pxf_grub_efi_localboot_config(self->config);
		g_warning("cannot render %s, serving local boot: %s", self->config->menu_template,
			  error->message);
		g_string_truncate(out, 0);
		g_string_append(out, prologue);
		g_string_append(out, local);
	}
	return pxf_bootloader_serve(args, out);
}

/* grub.cfg: GRUB does not say who it is, the request's address does. */
static PxfVerdict
pxf_grub_efi_open_config(PxfGrubEfi *self, PxfFileOpenArgs *args)
{
	if (args->client->host != NULL)
		return pxf_grub_efi_open_host_config(self, args, args->client->host, "");
	/* an address pxeforge did not lease and no fixed one: let GRUB ask
	 * for grub.cfg-01-<its MAC> before it falls back on the menu */
	return pxf_grub_efi_open_unknown_config(
		self, args, args->client->mac == NULL ? pxf_grub_efi_dispatch_prologue() : "");
}

/* grub/x86_64-efi/<file>: the lists normal.mod reads and the modules the
 * unsigned GRUB loads (http.mod); under Secure Boot GRUB fetches what it
 * asks for and then refuses to load it. Missing: not found at once. */
static PxfVerdict
pxf_grub_efi_open_module(PxfGrubEfi *self, PxfFileOpenArgs *args, const gchar *file)
{
	g_autofree gchar *path = NULL;

	if (self->config->grub_modules == NULL)
		return g_str_has_suffix(file, ".lst") ? PXF_VERDICT_DROP : PXF_VERDICT_CONTINUE;
	path = g_build_filename(self->config->grub_modules, file, NULL);
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return PXF_VERDICT_DROP;
	pxf_file_open_set_local_path(args, path);
	return PXF_VERDICT_SKIP;
}

/* efi/<distro>/<file>: the vendor's shim, its GRUB under the names shims
 * load (grubx64.efi; grub.efi for SUSE), and other files next to the shim
 * (MokManager mmx64.efi). */
static PxfVerdict
pxf_grub_efi_open_vendor(PxfGrubEfi *self,
			 PxfFileOpenArgs *args,
			 const gchar *distro,
			 const gchar *file)
{
	g_autoptr(PxfGrubEfiChain) chain = pxf_grub_efi_vendor_chain(self, distro);
	g_autofree gchar *other = NULL;

	if (chain == NULL) {
		g_debug("%s: no vendor chain for %s", args->path, distro);
		return PXF_VERDICT_DROP;
	}
	if (g_ascii_strcasecmp(file, PXF_GRUB_EFI_SHIM_NAME) == 0) {
		pxf_file_open_set_local_path(args, chain->shim);
		return PXF_VERDICT_SKIP;
	}
	if (g_ascii_strcasecmp(file, PXF_GRUB_EFI_SIGNED_NAME) == 0 ||
	    g_ascii_strcasecmp(file, "grub.efi") == 0) {
		pxf_file_open_set_local_path(args, chain->grub);
		return PXF_VERDICT_SKIP;
	}
	other = pxf_grub_efi_find_nocase(chain->dir, file);
	if (other == NULL || !g_file_test(other, G_FILE_TEST_IS_REGULAR))
		return PXF_VERDICT_DROP;
	pxf_file_open_set_local_path(args, other);
	return PXF_VERDICT_SKIP;
}

static PxfVerdict
pxf_grub_efi_file_open(PxfFileOpenArgs *args, gpointer user_data)
{
	PxfGrubEfi *self = user_data;
	PxfGrubEfiPathInfo info = {.mac = NULL};
	PxfVerdict verdict = PXF_VERDICT_CONTINUE;
	const PxfHost *host;

	switch (pxf_grub_efi_classify_path(args->path, &info)) {
	case PXF_GRUB_EFI_PATH_SHIM:
		verdict = pxf_grub_efi_open_local(args, "shim", self->config->shim);
		break;
	case PXF_GRUB_EFI_PATH_GRUB_SIGNED:
		verdict = pxf_grub_efi_open_local(args, "grub_signed", self->config->grub_signed);
		break;
	case PXF_GRUB_EFI_PATH_GRUB:
		verdict = pxf_grub_efi_open_local(args, "grub", self->config->grub);
		break;
	case PXF_GRUB_EFI_PATH_VENDOR:
		verdict = pxf_grub_efi_open_vendor(self, args, info.distro, info.file);
		break;
	case PXF_GRUB_EFI_PATH_CFG:
		verdict = pxf_grub_efi_open_config(self, args);
		break;
	case PXF_GRUB_EFI_PATH_CFG_MAC:
		host = pxf_plugin_context_find_host(self->ctx, info.mac);
		if (host == NULL) {
			/* GRUB goes on with the rest of the configuration it was reading */
			g_debug("%s: not in the inventory", args->path);
			verdict = PXF_VERDICT_DROP;
			break;
		}
		verdict = pxf_grub_efi_open_host_config(self, args, host, "");
		break;
	case PXF_GRUB_EFI_PATH_PROBE:
		verdict = PXF_VERDICT_DROP;
		break;
	case PXF_GRUB_EFI_PATH_HTTP_CHECK: {
		static const gchar text[] = PXF_GRUB_EFI_HTTP_CHECK_SCRIPT;
		g_autoptr(GBytes) content = g_bytes_new_static(text, sizeof(text) - 1);
		pxf_file_open_set_content(args, content);
		verdict = PXF_VERDICT_SKIP;
		break;
	}
	case PXF_GRUB_EFI_PATH_MODULE:
		verdict = pxf_grub_efi_open_module(self, args, info.file);
		break;
	case PXF_GRUB_EFI_PATH_HOST_KERNEL:
		verdict = pxf_bootloader_open_host_file(self->ctx, args, info.mac, "distro.kernel");
		break;
	case PXF_GRUB_EFI_PATH_HOST_INITRD:
		verdict = pxf_bootloader_open_host_file(self->ctx, args, info.mac, "distro.initrd");
		break;
	case PXF_GRUB_EFI_PATH_MENU_KERNEL:
		verdict = pxf_grub_efi_open_local(args, "menu_kernel", self->config->menu_kernel);
		break;
	case PXF_GRUB_EFI_PATH_MENU_INITRD:
		verdict = pxf_grub_efi_open_local(args, "menu_initrd", self->config->menu_initrd);
		break;
	case PXF_GRUB_EFI_PATH_OTHER:
	default:
		break;
	}
	pxf_grub_efi_path_info_clear(&info);
	return verdict;
}

gboolean
pxf_grub_efi_connect(PxfGrubEfi *self, GError **error)
{
	/* an ipxe plugin answers iPXE itself; without one, iPXE in an EFI ROM
	 * gets the unsigned GRUB */
	if (!pxf_hook_connect_boot_select(self->ctx, pxf_grub_efi_boot_select, self,
					  PXF_HOOK_AFTER("ipxe"), error))
		return FALSE;
	if (!pxf_hook_connect_file_open(self->ctx, pxf_grub_efi_file_open, self, NULL, error))
		return FALSE;
	/* the http plugin provides http.base_url and install.ks_url */
	return pxf_hook_connect_template_vars(self->ctx, pxf_grub_efi_template_vars, self,
					      PXF_HOOK_AFTER("http"), error);
}
