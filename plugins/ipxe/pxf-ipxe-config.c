/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plugin's settings, read once in init and checked there so that a bad
 * value refuses the plugin with file:line:column instead of failing a boot. */
#define G_LOG_DOMAIN "pxf-ipxe"

#include "pxf-bootloader.h"
#include "pxf-ipxe.h"

const PxfConfKey pxf_ipxe_config_keys[] = {
	{.key = "chainload",
	 .type = PXF_CONF_TYPE_BOOL,
	 .default_value = "true",
	 .description = "give plain PXE ROMs an iPXE image to chainload (false: only clients that "
			"already are iPXE are answered)"},
	{.key = "ipxe_dirs",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "/usr/lib/ipxe, /usr/share/ipxe, /tftpboot",
	 .description = "directories searched in order for the iPXE images"},
	{.key = "bios_image",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "undionly.kpxe",
	 .description = "iPXE image a BIOS PXE ROM chainloads (a file name in ipxe_dirs)"},
	{.key = "efi_x64_image",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "ipxe.efi",
	 .description = "iPXE image for x86-64 UEFI: ipxe.efi (own drivers) or snponly.efi (the "
			"firmware's network driver); empty: left to other plugins"},
	{.key = "efi_ia32_image",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "iPXE image for 32-bit UEFI; empty: left to other plugins"},
	{.key = "efi_arm64_image",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "iPXE image for ARM64 UEFI; empty: left to other plugins"},
	{.key = "script_transport",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "auto",
	 .description = "how iPXE fetches its script, kernel and initrd: auto (http when the "
			"http plugin runs), http, or tftp (an iPXE built without HTTP)"},
	{.key = "file_transport",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "auto",
	 .description = "how iPXE fetches the kernel and initrd its script names: auto (as "
			"the script), http, tftp, or mtftp (PXE multicast TFTP from the mtftp "
			"plugin)"},
	PXF_BOOTLOADER_CONF_KEY_UNKNOWN_HOSTS,
	{.key = "local_boot",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "exit",
	 .description = "how a script boots the local disk: exit (the firmware's next boot "
			"device) or sanboot (the first hard disk, BIOS only; exit on UEFI)"},
	{.key = "host_template",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = PXF_IPXE_TEMPLATEDIR "/host.ipxe.mustache",
	 .description = "template of ipxe/<mac>/boot.ipxe for a known machine (absolute path)"},
	{.key = "menu_template",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = PXF_IPXE_TEMPLATEDIR "/menu.ipxe.mustache",
	 .description = "template of the script unknown machines get, the menu"},
	{.key = "menu_timeout",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "10",
	 .min = 0,
	 .max = 3600,
	 .description = "seconds before the menu boots menu_default (0: wait for a choice)"},
	{.key = "menu_default",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "local",
	 .description = "menu entry chosen after the timeout: local, install or shell"},
	PXF_BOOTLOADER_CONF_KEY_MENU_TITLE,
	{.key = "menu_kernel",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "kernel of the menu's install entry (absolute path or URL; empty: no "
			"such entry)"},
	PXF_BOOTLOADER_CONF_KEY_MENU_INITRD,
	{.key = "menu_append",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "extra kernel arguments of the menu's install entry"},
	PXF_BOOTLOADER_CONF_KEY_KERNEL_ARGS,
	PXF_BOOTLOADER_CONF_KEY_KS_PARAM,
	PXF_CONF_KEY_END,
};

void
pxf_ipxe_config_free(PxfIpxeConfig *self)
{
	if (self == NULL)
		return;
	g_strfreev(self->ipxe_dirs);
	g_free(self->bios_image);
	g_free(self->efi_x64_image);
	g_free(self->efi_ia32_image);
	g_free(self->efi_arm64_image);
	g_free(self->host_template);
	g_free(self->menu_template);
	g_free(self->menu_default);
	g_free(self->menu_title);
	g_free(self->menu_kernel);
	g_free(self->menu_initrd);
	g_free(self->menu_append);
	g_free(self->kernel_args);
	g_free(self->ks_param);
	g_free(self);
}

#define PXF_IPXE_CONFIG_FAIL(section, key, error, ...)                                             \
	pxf_bootloader_config_fail(section, key, PXF_IPXE_ERROR, PXF_IPXE_ERROR_INVALID, error,    \
				   __VA_ARGS__)

static const gchar *const pxf_ipxe_url_schemes[] = {PXF_IPXE_URL_SCHEMES, NULL};

static gboolean
pxf_ipxe_config_check_file(const PxfConfSection *section,
			   const gchar *key,
			   const gchar *path,
			   gboolean url_ok,
			   GError **error)
{
	return pxf_bootloader_config_check_file(section, key, path,
						url_ok ? pxf_ipxe_url_schemes : NULL,
						PXF_IPXE_ERROR, PXF_IPXE_ERROR_INVALID, error);
}

/* Values copied into a script line must stay on that line. iPXE expands
 * "${...}" in them, which an operator may want (ip=${net0/ip}). */
static gboolean
pxf_ipxe_config_check_line(const PxfConfSection *section,
			   const gchar *key,
			   const gchar *value,
			   GError **error)
{
	return pxf_bootloader_config_check_line(section, key, value, PXF_IPXE_ERROR,
						PXF_IPXE_ERROR_INVALID, error);
}

static gboolean
pxf_ipxe_config_check_image(const PxfConfSection *section,
			    const gchar *key,
			    const gchar *name,
			    GError **error)
{
	if (name == NULL || pxf_ipxe_is_image_name(name))
		return TRUE;
	return PXF_IPXE_CONFIG_FAIL(section, key, error,
				    "'%s' is not a plain file name such as undionly.kpxe", name);
}

/* A menu default must be an entry the menu actually has. */
static gboolean
pxf_ipxe_config_check_default(const PxfConfSection *section, PxfIpxeConfig *self, GError **error)
{
	const gchar *const labels[] = {PXF_IPXE_MENU_LABELS, NULL};

	if (!pxf_bootloader_config_check_label(section, "menu_default", self->menu_default, labels,
					       PXF_IPXE_ERROR, PXF_IPXE_ERROR_INVALID, error))
		return FALSE;
	if (g_strcmp0(self->menu_default, "install") == 0 && self->menu_kernel == NULL)
		return PXF_IPXE_CONFIG_FAIL(section, "menu_default", error,
					    "the menu has no 'install' entry without menu_kernel");
	return TRUE;
}

static gboolean
pxf_ipxe_config_check(const PxfConfSection *section, PxfIpxeConfig *self, GError **error)
{
	if (self->host_template == NULL || self->menu_template == NULL)
		return PXF_IPXE_CONFIG_FAIL(
			section, self->host_template == NULL ? "host_template" : "menu_template",
			error, "must name a template file");
	if (!pxf_ipxe_config_check_file(section, "host_template", self->host_template, FALSE,
					error) ||
	    !pxf_ipxe_config_check_file(section, "menu_template", self->menu_template, FALSE,
					error) ||
	    !pxf_ipxe_config_check_file(section, "menu_kernel", self->menu_kernel, TRUE, error) ||
	    !pxf_ipxe_config_check_file(section, "menu_initrd", self->menu_initrd, TRUE, error))
		return FALSE;
	if (!pxf_bootloader_config_check_menu_pair(section, self->menu_kernel, self->menu_initrd,
						   PXF_IPXE_ERROR, PXF_IPXE_ERROR_INVALID, error))
		return FALSE;
	if (self->bios_image == NULL)
		return PXF_IPXE_CONFIG_FAIL(section, "bios_image", error,
					    "must name an image (disable chainload instead)");
	if (!pxf_ipxe_config_check_image(section, "bios_image", self->bios_image, error) ||
	    !pxf_ipxe_config_check_image(section, "efi_x64_image", self->efi_x64_image, error) ||
	    !pxf_ipxe_config_check_image(section, "efi_ia32_image", self->efi_ia32_image, error) ||
	    !pxf_ipxe_config_check_image(section, "efi_arm64_image", self->efi_arm64_image, error))
		return FALSE;
	if (!pxf_bootloader_config_check_ks_param(section, "ks_param", self->ks_param,
						  PXF_IPXE_ERROR, PXF_IPXE_ERROR_INVALID, error))
		return FALSE;
	if (!pxf_ipxe_config_check_line(section, "menu_title", self->menu_title, error) ||
	    !pxf_ipxe_config_check_line(section, "menu_append", self->menu_append, error) ||
	    !pxf_ipxe_config_check_line(section, "kernel_args", self->kernel_args, error))
		return FALSE;
	return pxf_ipxe_config_check_default(section, self, error);
}

PxfIpxeConfig *
pxf_ipxe_config_new(const PxfConfSection *section, GError **error)
{
	g_autoptr(PxfIpxeConfig) self = g_new0(PxfIpxeConfig, 1);
	const gchar *const unknown_hosts[] = {"menu", "local", "ignore", NULL};
	const gchar *const transports[] = {"auto", "http", "tftp", NULL};
	const gchar *const file_transports[] = {"auto", "http", "tftp", "mtftp", NULL};
	const gchar *const local_boot[] = {"exit", "sanboot", NULL};
	gint index = 0;

	/* the enums' values follow these lists' order */
	if (!pxf_bootloader_config_choice(section, "unknown_hosts", unknown_hosts, &index,
					  PXF_IPXE_ERROR, PXF_IPXE_ERROR_INVALID, error))
		return NULL;
	self->unknown_hosts = (PxfIpxeUnknownHosts)index;
	if (!pxf_bootloader_config_choice(section, "script_transport", transports, &index,
					  PXF_IPXE_ERROR, PXF_IPXE_ERROR_INVALID, error))
		return NULL;
	self->script_transport = (PxfIpxeTransport)index;
	if (!pxf_bootloader_config_choice(section, "file_transport", file_transports, &index,
					  PXF_IPXE_ERROR, PXF_IPXE_ERROR_INVALID, error))
		return NULL;
	self->file_transport = (PxfIpxeTransport)index;
	if (!pxf_bootloader_config_choice(section, "local_boot", local_boot, &index, PXF_IPXE_ERROR,
					  PXF_IPXE_ERROR_INVALID, error))
		return NULL;
	self->local_boot = (PxfIpxeLocalBoot)index;

	self->chainload = pxf_conf_section_get_bool(section, "chainload");
	self->ipxe_dirs = g_strdupv((gchar **)pxf_conf_section_get_strv(section, "ipxe_dirs"));
	self->bios_image = pxf_bootloader_config_dup_optional(section, "bios_image");
	self->efi_x64_image = pxf_bootloader_config_dup_optional(section, "efi_x64_image");
	self->efi_ia32_image = pxf_bootloader_config_dup_optional(section, "efi_ia32_image");
	self->efi_arm64_image = pxf_bootloader_config_dup_optional(section, "efi_arm64_image");
	self->host_template = pxf_bootloader_config_dup_optional(section, "host_template");
	self->menu_template = pxf_bootloader_config_dup_optional(section, "menu_template");
	self->menu_timeout = pxf_conf_section_get_int(section, "menu_timeout");
	self->menu_default = g_strdup(pxf_conf_section_get_string(section, "menu_default"));
	self->menu_title = g_strdup(pxf_conf_section_get_string(section, "menu_title"));
	self->menu_kernel = pxf_bootloader_config_dup_optional(section, "menu_kernel");
	self->menu_initrd = pxf_bootloader_config_dup_optional(section, "menu_initrd");
	self->menu_append = pxf_bootloader_config_dup_optional(section, "menu_append");
	self->kernel_args = pxf_bootloader_config_dup_optional(section, "kernel_args");
	self->ks_param = g_strdup(pxf_conf_section_get_string(section, "ks_param"));
	if (!pxf_ipxe_config_check(section, self, error))
		return NULL;
	return g_steal_pointer(&self);
}
