/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plugin's settings, read once in init and checked there so that a bad
 * value refuses the plugin with file:line:column instead of failing a boot. */
#define G_LOG_DOMAIN "pxf-pxelinux"

#include "pxf-bootloader.h"
#include "pxf-pxelinux.h"

const PxfConfKey pxf_pxelinux_config_keys[] = {
	PXF_BOOTLOADER_CONF_KEY_UNKNOWN_HOSTS,
	{.key = "kernel_transport",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "auto",
	 .description = "auto (http when the http plugin runs), tftp (pxelinux.0) or http "
			"(lpxelinux.0, kernel and initrd from http.base_url of the http plugin)"},
	{.key = "syslinux_dirs",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "/usr/lib/PXELINUX, /usr/lib/syslinux/modules/bios, /usr/lib/syslinux, "
			  "/usr/share/syslinux, /tftpboot",
	 .description = "directories searched in order for pxelinux.0, lpxelinux.0, memdisk and "
			"the *.c32 modules"},
	{.key = "host_template",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = PXF_PXELINUX_TEMPLATEDIR "/host.cfg.mustache",
	 .description = "template of pxelinux.cfg/01-<mac> for a known machine (absolute path)"},
	{.key = "menu_template",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = PXF_PXELINUX_TEMPLATEDIR "/menu.cfg.mustache",
	 .description = "template of pxelinux.cfg/default, the menu for unknown machines"},
	{.key = "menu_timeout",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "100",
	 .min = 0,
	 .max = 36000,
	 .description = "tenths of a second before the menu boots menu_default (0: wait)"},
	{.key = "menu_default",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "local",
	 .description = "label the menu boots after the timeout: local, install, vesa, rescue "
			"or memtest"},
	PXF_BOOTLOADER_CONF_KEY_MENU_TITLE,
	{.key = "menu_ui",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "menu.c32",
	 .description = "menu module: menu.c32 (text) or vesamenu.c32 (graphical)"},
	{.key = "menu_kernel",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "kernel of the menu's install, basic-video and rescue entries "
			"(absolute path or URL; empty: no such entries)"},
	PXF_BOOTLOADER_CONF_KEY_MENU_INITRD,
	{.key = "menu_append",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "extra kernel arguments of the menu's install entries, e.g. "
			"inst.repo=... or ks=..."},
	{.key = "memtest",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "memory tester image (e.g. /boot/memtest86+x64.bin) served as "
			"'memtest' with a menu entry; empty: none"},
	PXF_BOOTLOADER_CONF_KEY_KERNEL_ARGS,
	PXF_BOOTLOADER_CONF_KEY_KS_PARAM,
	PXF_CONF_KEY_END,
};

gboolean
pxf_pxelinux_unknown_hosts_from_string(const gchar *text,
				       PxfPxelinuxUnknownHosts *out,
				       GError **error)
{
	if (g_strcmp0(text, "menu") == 0) {
		*out = PXF_PXELINUX_UNKNOWN_MENU;
		return TRUE;
	}
	if (g_strcmp0(text, "local") == 0) {
		*out = PXF_PXELINUX_UNKNOWN_LOCAL;
		return TRUE;
	}
	if (g_strcmp0(text, "ignore") == 0) {
		*out = PXF_PXELINUX_UNKNOWN_IGNORE;
		return TRUE;
	}
	g_set_error(error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_INVALID,
		    "'%s' is not one of menu, local, ignore", text != NULL ? text : "");
	return FALSE;
}

gboolean
pxf_pxelinux_transport_from_string(const gchar *text, PxfPxelinuxTransport *out, GError **error)
{
	if (g_strcmp0(text, "tftp") == 0) {
		*out = PXF_PXELINUX_TRANSPORT_TFTP;
		return TRUE;
	}
	if (g_strcmp0(text, "http") == 0) {
		*out = PXF_PXELINUX_TRANSPORT_HTTP;
		return TRUE;
	}
	if (g_strcmp0(text, "auto") == 0) {
		*out = PXF_PXELINUX_TRANSPORT_AUTO;
		return TRUE;
	}
	g_set_error(error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_INVALID,
		    "'%s' is not one of auto, tftp, http", text != NULL ? text : "");
	return FALSE;
}

void
pxf_pxelinux_config_free(PxfPxelinuxConfig *self)
{
	if (self == NULL)
		return;
	g_strfreev(self->syslinux_dirs);
	g_free(self->host_template);
	g_free(self->menu_template);
	g_free(self->menu_default);
	g_free(self->menu_title);
	g_free(self->menu_ui);
	g_free(self->menu_kernel);
	g_free(self->menu_initrd);
	g_free(self->menu_append);
	g_free(self->memtest);
	g_free(self->kernel_args);
	g_free(self->ks_param);
	g_free(self);
}

#define PXF_PXELINUX_FAIL(section, key, error, ...)                                                \
	pxf_bootloader_config_fail(section, key, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_INVALID,   \
				   error, __VA_ARGS__)

static const gchar *const pxf_pxelinux_url_schemes[] = {PXF_PXELINUX_URL_SCHEMES, NULL};

static gboolean
pxf_pxelinux_config_check_file(const PxfConfSection *section,
			       const gchar *key,
			       const gchar *path,
			       gboolean url_ok,
			       GError **error)
{
	return pxf_bootloader_config_check_file(
		section, key, path, url_ok ? pxf_pxelinux_url_schemes : NULL, PXF_PXELINUX_ERROR,
		PXF_PXELINUX_ERROR_INVALID, error);
}

/* Values copied into a configuration line must stay on that line. */
static gboolean
pxf_pxelinux_config_check_line(const PxfConfSection *section,
			       const gchar *key,
			       const gchar *value,
			       GError **error)
{
	return pxf_bootloader_config_check_line(section, key, value, PXF_PXELINUX_ERROR,
						PXF_PXELINUX_ERROR_INVALID, error);
}

/* A menu default must be a label the menu actually has. */
static gboolean
pxf_pxelinux_config_check_default(const PxfConfSection *section,
				  PxfPxelinuxConfig *self,
				  GError **error)
{
	const gchar *const labels[] = {PXF_PXELINUX_MENU_LABELS, NULL};
	gboolean needs_kernel;

	if (!pxf_bootloader_config_check_label(section, "menu_default", self->menu_default, labels,
					       PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_INVALID,
					       error))
		return FALSE;
	needs_kernel = g_strcmp0(self->menu_default, "install") == 0 ||
		       g_strcmp0(self->menu_default, "vesa") == 0 ||
		       g_strcmp0(self->menu_default, "rescue") == 0;
	if (needs_kernel && self->menu_kernel == NULL)
		return PXF_PXELINUX_FAIL(section, "menu_default", error,
					 "the menu has no '%s' entry without menu_kernel",
					 self->menu_default);
	if (g_strcmp0(self->menu_default, "memtest") == 0 && self->memtest == NULL)
		return PXF_PXELINUX_FAIL(section, "menu_default", error,
					 "the menu has no 'memtest' entry without memtest");
	return TRUE;
}

PxfPxelinuxConfig *
pxf_pxelinux_config_new(const PxfConfSection *section, GError **error)
{
	g_autoptr(PxfPxelinuxConfig) self = g_new0(PxfPxelinuxConfig, 1);
	const gchar *const *dirs = pxf_conf_section_get_strv(section, "syslinux_dirs");
	GError *cause = NULL;

	if (!pxf_pxelinux_unknown_hosts_from_string(
		    pxf_conf_section_get_string(section, "unknown_hosts"), &self->unknown_hosts,
		    &cause)) {
		PXF_PXELINUX_FAIL(section, "unknown_hosts", error, "%s", cause->message);
		g_error_free(cause);
		return NULL;
	}
	if (!pxf_pxelinux_transport_from_string(
		    pxf_conf_section_get_string(section, "kernel_transport"),
		    &self->kernel_transport, &cause)) {
		PXF_PXELINUX_FAIL(section, "kernel_transport", error, "%s", cause->message);
		g_error_free(cause);
		return NULL;
	}
	self->syslinux_dirs = g_strdupv((gchar **)dirs);
	self->host_template = pxf_bootloader_config_dup_optional(section, "host_template");
	self->menu_template = pxf_bootloader_config_dup_optional(section, "menu_template");
	self->menu_timeout = pxf_conf_section_get_int(section, "menu_timeout");
	self->menu_default = g_strdup(pxf_conf_section_get_string(section, "menu_default"));
	self->menu_title = g_strdup(pxf_conf_section_get_string(section, "menu_title"));
	self->menu_ui = g_strdup(pxf_conf_section_get_string(section, "menu_ui"));
	self->menu_kernel = pxf_bootloader_config_dup_optional(section, "menu_kernel");
	self->menu_initrd = pxf_bootloader_config_dup_optional(section, "menu_initrd");
	self->menu_append = pxf_bootloader_config_dup_optional(section, "menu_append");
	self->memtest = pxf_bootloader_config_dup_optional(section, "memtest");
	self->kernel_args = pxf_bootloader_config_dup_optional(section, "kernel_args");
	self->ks_param = g_strdup(pxf_conf_section_get_string(section, "ks_param"));

	if (self->host_template == NULL || self->menu_template == NULL) {
		g_autofree gchar *where = pxf_conf_section_where(
			section, self->host_template == NULL ? "host_template" : "menu_template");
		g_set_error(error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_INVALID,
			    "%s: %s must name a template file", where,
			    self->host_template == NULL ? "host_template" : "menu_template");
		return NULL;
	}
	if (!pxf_pxelinux_config_check_file(section, "host_template", self->host_template, FALSE,
					    error) ||
	    !pxf_pxelinux_config_check_file(section, "menu_template", self->menu_template, FALSE,
					    error) ||
	    !pxf_pxelinux_config_check_file(section, "menu_kernel", self->menu_kernel, TRUE,
					    error) ||
	    !pxf_pxelinux_config_check_file(section, "menu_initrd", self->menu_initrd, TRUE,
					    error) ||
	    !pxf_pxelinux_config_check_file(section, "memtest", self->memtest, FALSE, error))
		return NULL;
	if ((self->menu_kernel == NULL) != (self->menu_initrd == NULL)) {
		const gchar *key = self->menu_kernel == NULL ? "menu_initrd" : "menu_kernel";
		g_autofree gchar *where = pxf_conf_section_where(section, key);
		g_set_error(error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_INVALID,
			    "%s: menu_kernel and menu_initrd go together", where);
		return NULL;
	}
	if (!pxf_bootloader_is_kernel_param_name(self->ks_param)) {
		g_autofree gchar *where = pxf_conf_section_where(section, "ks_param");
		g_set_error(
			error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_INVALID,
			"%s: ks_param '%s' is not a kernel parameter name such as ks or inst.ks",
			where, self->ks_param != NULL ? self->ks_param : "");
		return NULL;
	}
	if (!pxf_pxelinux_is_syslinux_file(self->menu_ui) ||
	    !g_str_has_suffix(self->menu_ui, ".c32")) {
		g_autofree gchar *where = pxf_conf_section_where(section, "menu_ui");
		g_set_error(error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_INVALID,
			    "%s: menu_ui '%s' is not a syslinux module such as menu.c32", where,
			    self->menu_ui != NULL ? self->menu_ui : "");
		return NULL;
	}
	if (!pxf_pxelinux_config_check_line(section, "menu_title", self->menu_title, error) ||
	    !pxf_pxelinux_config_check_line(section, "menu_append", self->menu_append, error) ||
	    !pxf_pxelinux_config_check_line(section, "kernel_args", self->kernel_args, error))
		return NULL;
	if (!pxf_pxelinux_config_check_default(section, self, error))
		return NULL;
	return g_steal_pointer(&self);
}
