/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plugin's settings, read once in init and checked there so that a bad
 * value refuses the plugin with file:line:column instead of failing a boot. */
#define G_LOG_DOMAIN "pxf-grub-efi"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-grub-efi.h"

const PxfConfKey pxf_grub_efi_config_keys[] = {
	PXF_BOOTLOADER_CONF_KEY_UNKNOWN_HOSTS,
	{.key = "secure_boot",
	 .type = PXF_CONF_TYPE_BOOL,
	 .default_value = "true",
	 .description = "boot the signed chain (shim, then the signed GRUB) that Secure Boot "
			"accepts; false: the monolithic unsigned GRUB directly"},
	{.key = "vendor_chains",
	 .type = PXF_CONF_TYPE_BOOL,
	 .default_value = "true",
	 .description = "hosts whose distro tree carries its own signed shim and GRUB boot "
			"those, so that the vendor's signed kernel verifies"},
	{.key = "kernel_transport",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "auto",
	 .description = "auto (http when the http plugin runs), tftp, or http (GRUB fetches "
			"kernel and initrd from (http,server) under http.base_url)"},
	{.key = "shim",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/usr/lib/shim/shimx64.efi.signed",
	 .description = "signed shim served as shimx64.efi (Debian: shim-signed)"},
	{.key = "grub_signed",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed",
	 .description = "signed network GRUB served as grubx64.efi, which shim loads "
			"(Debian: grub-efi-amd64-signed)"},
	{.key = "grub",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi",
	 .description = "monolithic unsigned GRUB served as grubnetx64.efi when secure_boot is "
			"false (Debian: grub-efi-amd64-bin)"},
	{.key = "grub_modules",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/usr/lib/grub/x86_64-efi",
	 .description = "GRUB's modules, served as grub/x86_64-efi/ to the unsigned GRUB "
			"(http.mod for kernels over HTTP); same package as grub; empty: none"},
	{.key = "host_template",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = PXF_GRUB_EFI_TEMPLATEDIR "/host.cfg.mustache",
	 .description = "template of grub.cfg for a known machine (absolute path)"},
	{.key = "menu_template",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = PXF_GRUB_EFI_TEMPLATEDIR "/menu.cfg.mustache",
	 .description = "template of grub.cfg for unknown machines, the menu"},
	{.key = "menu_timeout",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "10",
	 .min = -1,
	 .max = 3600,
	 .description = "seconds before the menu boots menu_default (-1: wait for a key)"},
	{.key = "menu_default",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "local",
	 .description = "entry the menu boots after the timeout: local, install, vesa or rescue"},
	{.key = "menu_kernel",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "kernel of the menu's install, basic-video and rescue entries "
			"(absolute path or http:// URL; empty: no such entries)"},
	PXF_BOOTLOADER_CONF_KEY_MENU_INITRD,
	{.key = "menu_append",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "extra kernel arguments of the menu's install entries, e.g. "
			"inst.repo=... or ks=..."},
	PXF_BOOTLOADER_CONF_KEY_KERNEL_ARGS,
	PXF_BOOTLOADER_CONF_KEY_KS_PARAM,
	{.key = "local_boot",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "chainload",
	 .description = "how GRUB boots the local disk: chainload (local_loader from a local "
			"disk, else exit) or exit (back to the firmware)"},
	{.key = "local_loader",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/EFI/BOOT/BOOTX64.EFI",
	 .description = "the loader chainloaded from the first local disk that has it"},
	PXF_CONF_KEY_END,
};

void
pxf_grub_efi_config_free(PxfGrubEfiConfig *self)
{
	if (self == NULL)
		return;
	g_free(self->shim);
	g_free(self->grub_signed);
	g_free(self->grub);
	g_free(self->grub_modules);
	g_free(self->host_template);
	g_free(self->menu_template);
	g_free(self->menu_default);
	g_free(self->menu_kernel);
	g_free(self->menu_initrd);
	g_free(self->menu_append);
	g_free(self->kernel_args);
	g_free(self->ks_param);
	g_free(self->local_loader);
	g_free(self);
}

/* Sets error to "FILE:LINE:COLUMN: key: message" for the key's value. */
#define PXF_GRUB_EFI_CONFIG_FAIL(section, key, error, ...)                                         \
	pxf_bootloader_config_fail(section, key, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID,   \
				   error, __VA_ARGS__)

/* An EFI binary or template: an absolute path (existence is checked at
 * init for the binaries, with a warning: a missing package must not stop
 * the plugin from serving the other chain). */
static gboolean
pxf_grub_efi_config_check_absolute(const PxfConfSection *section,
				   const gchar *key,
				   const gchar *path,
				   gboolean must_exist,
				   GError **error)
{
	if (path == NULL)
		return PXF_GRUB_EFI_CONFIG_FAIL(section, key, error, "must name a file");
	if (!g_path_is_absolute(path))
		return PXF_GRUB_EFI_CONFIG_FAIL(section, key, error, "'%s' is not an absolute path",
						path);
	if (must_exist && !g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return PXF_GRUB_EFI_CONFIG_FAIL(section, key, error, "'%s' is not a regular file",
						path);
	return TRUE;
}

/* menu_kernel/menu_initrd: a file pxeforge serves, or an URL GRUB fetches. */
static gboolean
pxf_grub_efi_config_check_menu_file(const PxfConfSection *section,
				    const gchar *key,
				    const gchar *path,
				    GError **error)
{
	if (path == NULL || g_str_has_prefix(path, "http://"))
		return TRUE;
	if (g_str_has_prefix(path, "https://") || g_str_has_prefix(path, "ftp://"))
		return PXF_GRUB_EFI_CONFIG_FAIL(section, key, error,
						"GRUB fetches http:// URLs only, not '%s'", path);
	return pxf_bootloader_config_check_file(section, key, path, NULL, PXF_GRUB_EFI_ERROR,
						PXF_GRUB_EFI_ERROR_INVALID, error);
}

/* Values copied into a configuration line must stay on that line. */
static gboolean
pxf_grub_efi_config_check_line(const PxfConfSection *section,
			       const gchar *key,
			       const gchar *value,
			       GError **error)
{
	return pxf_bootloader_config_check_line(section, key, value, PXF_GRUB_EFI_ERROR,
						PXF_GRUB_EFI_ERROR_INVALID, error);
}

static gboolean
pxf_grub_efi_config_check_default(const PxfConfSection *section,
				  PxfGrubEfiConfig *self,
				  GError **error)
{
	const gchar *const labels[] = {PXF_GRUB_EFI_MENU_LABELS, NULL};

	if (!pxf_bootloader_config_check_label(section, "menu_default", self->menu_default, labels,
					       PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID,
					       error))
		return FALSE;
	if (g_strcmp0(self->menu_default, "local") != 0 && self->menu_kernel == NULL)
		return PXF_GRUB_EFI_CONFIG_FAIL(section, "menu_default", error,
						"the menu has no '%s' entry without menu_kernel",
						self->menu_default);
	return TRUE;
}

PxfGrubEfiConfig *
pxf_grub_efi_config_new(const PxfConfSection *section, GError **error)
{
	g_autoptr(PxfGrubEfiConfig) self = g_new0(PxfGrubEfiConfig, 1);
	const gchar *const unknown[] = {"menu", "local", "ignore", NULL};
	const gchar *const transports[] = {"tftp", "auto", "http", NULL};
	const gchar *const local[] = {"chainload", "exit", NULL};
	gint choice = 0;

	if (!pxf_bootloader_config_choice(section, "unknown_hosts", unknown, &choice,
					  PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID, error))
		return NULL;
	self->unknown_hosts = (PxfGrubEfiUnknownHosts)choice;
	if (!pxf_bootloader_config_choice(section, "kernel_transport", transports, &choice,
					  PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID, error))
		return NULL;
	self->kernel_transport = (PxfGrubEfiTransport)choice;
	if (!pxf_bootloader_config_choice(section, "local_boot", local, &choice, PXF_GRUB_EFI_ERROR,
					  PXF_GRUB_EFI_ERROR_INVALID, error))
		return NULL;
	self->local_boot = (PxfGrubEfiLocalBoot)choice;
	self->secure_boot = pxf_conf_section_get_bool(section, "secure_boot");
	self->vendor_chains = pxf_conf_section_get_bool(section, "vendor_chains");
	self->shim = pxf_bootloader_config_dup_optional(section, "shim");
	self->grub_signed = pxf_bootloader_config_dup_optional(section, "grub_signed");
	self->grub = pxf_bootloader_config_dup_optional(section, "grub");
	self->grub_modules = pxf_bootloader_config_dup_optional(section, "grub_modules");
	self->host_template = pxf_bootloader_config_dup_optional(section, "host_template");
	self->menu_template = pxf_bootloader_config_dup_optional(section, "menu_template");
	self->menu_timeout = pxf_conf_section_get_int(section, "menu_timeout");
	self->menu_default = g_strdup(pxf_conf_section_get_string(section, "menu_default"));
	self->menu_kernel = pxf_bootloader_config_dup_optional(section, "menu_kernel");
	self->menu_initrd = pxf_bootloader_config_dup_optional(section, "menu_initrd");
	self->menu_append = pxf_bootloader_config_dup_optional(section, "menu_append");
	self->kernel_args = pxf_bootloader_config_dup_optional(section, "kernel_args");
	self->ks_param = g_strdup(pxf_conf_section_get_string(section, "ks_param"));
	self->local_loader = pxf_bootloader_config_dup_optional(section, "local_loader");

	if (!pxf_grub_efi_config_check_absolute(section, "shim", self->shim, FALSE, error) ||
	    !pxf_grub_efi_config_check_absolute(section, "grub_signed", self->grub_signed, FALSE,
						error) ||
	    !pxf_grub_efi_config_check_absolute(section, "grub", self->grub, FALSE, error) ||
	    !pxf_grub_efi_config_check_absolute(section, "host_template", self->host_template, TRUE,
						error) ||
	    !pxf_grub_efi_config_check_absolute(section, "menu_template", self->menu_template, TRUE,
						error) ||
	    !pxf_grub_efi_config_check_menu_file(section, "menu_kernel", self->menu_kernel,
						 error) ||
	    !pxf_grub_efi_config_check_menu_file(section, "menu_initrd", self->menu_initrd, error))
		return NULL;
	if (self->grub_modules != NULL && !g_path_is_absolute(self->grub_modules)) {
		PXF_GRUB_EFI_CONFIG_FAIL(section, "grub_modules", error,
					 "'%s' is not an absolute path", self->grub_modules);
		return NULL;
	}
	if (!pxf_bootloader_config_check_menu_pair(section, self->menu_kernel, self->menu_initrd,
						   PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID,
						   error) ||
	    !pxf_bootloader_config_check_ks_param(section, "ks_param", self->ks_param,
						  PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID,
						  error))
		return NULL;
	/* GRUB searches the disks for it and chainloads it: a plain path */
	if (self->local_loader == NULL || self->local_loader[0] != '/' ||
	    strspn(self->local_loader, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789/._-") != strlen(self->local_loader) ||
	    strstr(self->local_loader, "..") != NULL || strlen(self->local_loader) > 255) {
		PXF_GRUB_EFI_CONFIG_FAIL(section, "local_loader", error,
					 "'%s' is not a path on the EFI system partition such as "
					 "/EFI/BOOT/BOOTX64.EFI",
					 self->local_loader != NULL ? self->local_loader : "");
		return NULL;
	}
	if (!pxf_grub_efi_config_check_line(section, "menu_append", self->menu_append, error) ||
	    !pxf_grub_efi_config_check_line(section, "kernel_args", self->kernel_args, error) ||
	    !pxf_grub_efi_config_check_default(section, self, error))
		return NULL;
	return g_steal_pointer(&self);
}
