/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plugin's settings, read once in init and checked there so that a bad
 * value refuses the plugin with file:line:column instead of failing a boot. */
#define G_LOG_DOMAIN "pxf-grub-efi"

#include <string.h>

#include "pxf-grub-efi.h"

const PxfConfKey pxf_grub_efi_config_keys[] = {
	{.key = "unknown_hosts",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "menu",
	 .description = "machines not in the inventory: menu (local boot after the timeout), "
			"local, or ignore (no boot file)"},
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
	{.key = "menu_initrd",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "initrd that goes with menu_kernel"},
	{.key = "menu_append",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "extra kernel arguments of the menu's install entries, e.g. "
			"inst.repo=... or ks=..."},
	{.key = "kernel_args",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "extra kernel arguments for every installer, e.g. console=ttyS0,115200"},
	{.key = "ks_param",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "ks",
	 .description = "kernel parameter naming the kickstart URL: ks (EL 6/7) or inst.ks "
			"(EL 7 and later)"},
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
G_GNUC_PRINTF(4, 5)
static gboolean
pxf_grub_efi_config_fail(
	const PxfConfSection *section, const gchar *key, GError **error, const gchar *format, ...)
{
	g_autofree gchar *where = pxf_conf_section_where(section, key);
	g_autofree gchar *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID, "%s: %s: %s", where, key,
		    message);
	return FALSE;
}

/* An empty string means "not set" for the optional values. */
static gchar *
pxf_grub_efi_config_dup_optional(const PxfConfSection *section, const gchar *key)
{
	const gchar *value = pxf_conf_section_get_string(section, key);
	return value != NULL && value[0] != '\0' ? g_strdup(value) : NULL;
}

/* One of choices (NULL-terminated) by index, or an error listing them. */
static gboolean
pxf_grub_efi_config_choice(const PxfConfSection *section,
			   const gchar *key,
			   const gchar *const *choices,
			   gint *out,
			   GError **error)
{
	const gchar *value = pxf_conf_section_get_string(section, key);
	g_autofree gchar *list = NULL;

	for (gint i = 0; choices[i] != NULL; i++) {
		if (g_strcmp0(value, choices[i]) == 0) {
			*out = i;
			return TRUE;
		}
	}
	list = g_strjoinv(", ", (gchar **)choices);
	return pxf_grub_efi_config_fail(section, key, error, "'%s' is not one of %s",
					value != NULL ? value : "", list);
}

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
		return pxf_grub_efi_config_fail(section, key, error, "must name a file");
	if (!g_path_is_absolute(path))
		return pxf_grub_efi_config_fail(section, key, error, "'%s' is not an absolute path",
						path);
	if (must_exist && !g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return pxf_grub_efi_config_fail(section, key, error, "'%s' is not a regular file",
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
		return pxf_grub_efi_config_fail(section, key, error,
						"GRUB fetches http:// URLs only, not '%s'", path);
	return pxf_grub_efi_config_check_absolute(section, key, path, TRUE, error);
}

/* Values copied into a configuration line must stay on that line. */
static gboolean
pxf_grub_efi_config_check_line(const PxfConfSection *section,
			       const gchar *key,
			       const gchar *value,
			       GError **error)
{
	if (value == NULL || strpbrk(value, "\r\n") == NULL)
		return TRUE;
	return pxf_grub_efi_config_fail(section, key, error, "must be a single line");
}

static gboolean
pxf_grub_efi_config_check_default(const PxfConfSection *section,
				  PxfGrubEfiConfig *self,
				  GError **error)
{
	const gchar *labels[] = {PXF_GRUB_EFI_MENU_LABELS, NULL};

	if (!g_strv_contains(labels, self->menu_default)) {
		g_autofree gchar *choices = g_strjoinv(", ", (gchar **)labels);
		return pxf_grub_efi_config_fail(section, "menu_default", error,
						"'%s' is not one of %s", self->menu_default,
						choices);
	}
	if (g_strcmp0(self->menu_default, "local") != 0 && self->menu_kernel == NULL)
		return pxf_grub_efi_config_fail(section, "menu_default", error,
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

	if (!pxf_grub_efi_config_choice(section, "unknown_hosts", unknown, &choice, error))
		return NULL;
	self->unknown_hosts = (PxfGrubEfiUnknownHosts)choice;
	if (!pxf_grub_efi_config_choice(section, "kernel_transport", transports, &choice, error))
		return NULL;
	self->kernel_transport = (PxfGrubEfiTransport)choice;
	if (!pxf_grub_efi_config_choice(section, "local_boot", local, &choice, error))
		return NULL;
	self->local_boot = (PxfGrubEfiLocalBoot)choice;
	self->secure_boot = pxf_conf_section_get_bool(section, "secure_boot");
	self->vendor_chains = pxf_conf_section_get_bool(section, "vendor_chains");
	self->shim = pxf_grub_efi_config_dup_optional(section, "shim");
	self->grub_signed = pxf_grub_efi_config_dup_optional(section, "grub_signed");
	self->grub = pxf_grub_efi_config_dup_optional(section, "grub");
	self->grub_modules = pxf_grub_efi_config_dup_optional(section, "grub_modules");
	self->host_template = pxf_grub_efi_config_dup_optional(section, "host_template");
	self->menu_template = pxf_grub_efi_config_dup_optional(section, "menu_template");
	self->menu_timeout = pxf_conf_section_get_int(section, "menu_timeout");
	self->menu_default = g_strdup(pxf_conf_section_get_string(section, "menu_default"));
	self->menu_kernel = pxf_grub_efi_config_dup_optional(section, "menu_kernel");
	self->menu_initrd = pxf_grub_efi_config_dup_optional(section, "menu_initrd");
	self->menu_append = pxf_grub_efi_config_dup_optional(section, "menu_append");
	self->kernel_args = pxf_grub_efi_config_dup_optional(section, "kernel_args");
	self->ks_param = g_strdup(pxf_conf_section_get_string(section, "ks_param"));
	self->local_loader = pxf_grub_efi_config_dup_optional(section, "local_loader");

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
		pxf_grub_efi_config_fail(section, "grub_modules", error,
					 "'%s' is not an absolute path", self->grub_modules);
		return NULL;
	}
	if ((self->menu_kernel == NULL) != (self->menu_initrd == NULL)) {
		pxf_grub_efi_config_fail(section,
					 self->menu_kernel == NULL ? "menu_initrd" : "menu_kernel",
					 error, "menu_kernel and menu_initrd go together");
		return NULL;
	}
	if (self->ks_param == NULL || self->ks_param[0] == '\0' ||
	    strspn(self->ks_param, "abcdefghijklmnopqrstuvwxyz._") != strlen(self->ks_param)) {
		pxf_grub_efi_config_fail(
			section, "ks_param", error,
			"'%s' is not a kernel parameter name such as ks or inst.ks",
			self->ks_param != NULL ? self->ks_param : "");
		return NULL;
	}
	/* GRUB searches the disks for it and chainloads it: a plain path */
	if (self->local_loader == NULL || self->local_loader[0] != '/' ||
	    strspn(self->local_loader, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789/._-") != strlen(self->local_loader) ||
	    strstr(self->local_loader, "..") != NULL || strlen(self->local_loader) > 255) {
		pxf_grub_efi_config_fail(section, "local_loader", error,
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
