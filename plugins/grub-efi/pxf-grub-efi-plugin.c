/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* grub-efi: the UEFI x64 bootloader. Answers boot.select for UEFI x64
 * machines with the Secure Boot chain (shim, then the signed GRUB; a
 * distro's own pair from its tree) or the unsigned GRUB, serves them from
 * the installed packages and renders GRUB's grub.cfg per machine. */
#define G_LOG_DOMAIN "pxf-grub-efi"

#include "pxf-grub-efi.h"

/* A missing package must not refuse the plugin (the other chain may be
 * all that is used), but it is said at once rather than at the first boot. */
static void
pxf_grub_efi_check_files(const PxfGrubEfiConfig *config)
{
	const struct {
		const gchar *key;
		const gchar *path;
		gboolean needed;
		const gchar *package;
	} files[] = {
		{"shim", config->shim, config->secure_boot, "shim-signed"},
		{"grub_signed", config->grub_signed, config->secure_boot, "grub-efi-amd64-signed"},
		{"grub", config->grub, TRUE, "grub-efi-amd64-bin"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		if (!files[i].needed || g_file_test(files[i].path, G_FILE_TEST_IS_REGULAR))
			continue;
		g_warning("%s %s is not a regular file: install %s or fix the setting",
			  files[i].key, files[i].path, files[i].package);
	}
}

static gboolean
pxf_grub_efi_init(PxfPluginContext *ctx, GError **error)
{
	g_autoptr(PxfGrubEfiConfig) config =
		pxf_grub_efi_config_new(pxf_plugin_context_get_config(ctx), error);
	PxfGrubEfi *self;

	if (config == NULL)
		return FALSE;
	pxf_grub_efi_check_files(config);
	self = g_new0(PxfGrubEfi, 1);
	self->ctx = ctx;
	self->config = g_steal_pointer(&config);
	pxf_plugin_context_set_data(ctx, self, (GDestroyNotify)pxf_grub_efi_free);
	if (!pxf_grub_efi_connect(self, error))
		return FALSE;
	g_debug("serving %s, kernels over %s; unknown machines: %s",
		self->config->secure_boot ? "shim and the signed GRUB" : "the unsigned GRUB",
		pxf_conf_section_get_string(pxf_plugin_context_get_config(ctx), "kernel_transport"),
		pxf_conf_section_get_string(pxf_plugin_context_get_config(ctx), "unknown_hosts"));
	return TRUE;
}

PXF_PLUGIN_DEFINE(.name = "grub-efi",
		  .kind = PXF_PLUGIN_KIND_BOOTLOADER,
		  .version = PXF_GRUB_EFI_VERSION,
		  .license = "LGPL-2.1-or-later",
		  .description = "UEFI x64 network boot with GRUB: the Secure Boot chain (shim, "
				 "signed GRUB, a distro's own pair), per-machine grub.cfg, a "
				 "local-boot menu for unknown machines",
		  .config_keys = pxf_grub_efi_config_keys,
		  .init = pxf_grub_efi_init);
