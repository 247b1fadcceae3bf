/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the bootloader plugins (pxelinux, grub-efi, ipxe) have in common:
 * reading and checking their conf.d values with errors that name
 * file:line:column, finding the files they serve from the distribution's
 * packages, and the per-host decision between installing and booting the
 * local disk. Errors are set in the calling plugin's own domain, so that
 * each plugin keeps its error codes. SDK headers only. */
#pragma once

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

/* ---- configuration (pxf-bootloader-config.c) ------------------------------ */

/* The conf.d keys that read the same in every bootloader plugin, for their
 * PxfConfKey tables. */
#define PXF_BOOTLOADER_CONF_KEY_UNKNOWN_HOSTS                                                      \
	{                                                                                          \
		.key = "unknown_hosts", .type = PXF_CONF_TYPE_STRING, .default_value = "menu",     \
		.description =                                                                     \
			"machines not in the inventory: menu (local boot after the timeout), "     \
			"local, or ignore (no boot file)"                                          \
	}
#define PXF_BOOTLOADER_CONF_KEY_MENU_TITLE                                                         \
	{                                                                                          \
		.key = "menu_title", .type = PXF_CONF_TYPE_STRING,                                 \
		.default_value = "pxeforge: this machine is not in the inventory",                 \
		.description = "title of the menu"                                                 \
	}
#define PXF_BOOTLOADER_CONF_KEY_MENU_INITRD                                                        \
	{                                                                                          \
		.key = "menu_initrd", .type = PXF_CONF_TYPE_STRING, .default_value = "",           \
		.description = "initrd that goes with menu_kernel"                                 \
	}
#define PXF_BOOTLOADER_CONF_KEY_KERNEL_ARGS                                                        \
	{                                                                                          \
		.key = "kernel_args", .type = PXF_CONF_TYPE_STRING, .default_value = "",           \
		.description =                                                                     \
			"extra kernel arguments for every installer, e.g. console=ttyS0,115200"    \
	}
#define PXF_BOOTLOADER_CONF_KEY_KS_PARAM                                                           \
	{                                                                                          \
		.key = "ks_param", .type = PXF_CONF_TYPE_STRING, .default_value = "ks",            \
		.description =                                                                     \
			"kernel parameter naming the kickstart URL: ks (EL 6/7) or inst.ks "       \
			"(EL 7 and later)"                                                         \
	}

/* Sets error (domain, code) to "FILE:LINE:COLUMN: key: message" for the
 * key's value in section; returns FALSE so that checks can return it. */
G_GNUC_PRINTF(6, 7)
gboolean pxf_bootloader_config_fail(const PxfConfSection *section,
				    const gchar *key,
				    GQuark domain,
				    gint code,
				    GError **error,
				    const gchar *format,
				    ...);

/* The key's string value, or NULL when it is empty ("not set"). */
gchar *pxf_bootloader_config_dup_optional(const PxfConfSection *section, const gchar *key);

/* The key's value as its index in choices (NULL-terminated); anything else
 * is an error listing the choices. */
gboolean pxf_bootloader_config_choice(const PxfConfSection *section,
				      const gchar *key,
				      const gchar *const *choices,
				      gint *out,
				      GQuark domain,
				      gint code,
				      GError **error);

/* A value copied into a loader's configuration or script line must stay on
 * that line: no CR or LF. NULL is fine. */
gboolean pxf_bootloader_config_check_line(const PxfConfSection *section,
					  const gchar *key,
					  const gchar *value,
					  GQuark domain,
					  gint code,
					  GError **error);

/* A file the plugin serves: NULL (not set), an URL with one of url_schemes
 * (NULL-terminated, e.g. "http://"; NULL: none accepted) that the loader
 * fetches itself, or an absolute path to a regular file. */
gboolean pxf_bootloader_config_check_file(const PxfConfSection *section,
					  const gchar *key,
					  const gchar *path,
					  const gchar *const *url_schemes,
					  GQuark domain,
					  gint code,
					  GError **error);

/* Whether a menu default label is one of labels (NULL-terminated); if not,
 * the error lists them. */
gboolean pxf_bootloader_config_check_label(const PxfConfSection *section,
					   const gchar *key,
					   const gchar *value,
					   const gchar *const *labels,
					   GQuark domain,
					   gint code,
					   GError **error);

/* key names the kernel parameter that carries the answer file's URL
 * (pxf_bootloader_is_kernel_param_name()). */
gboolean pxf_bootloader_config_check_ks_param(const PxfConfSection *section,
					      const gchar *key,
					      const gchar *value,
					      GQuark domain,
					      gint code,
					      GError **error);

/* menu_kernel and menu_initrd are both set or both unset; the error names
 * the one that is set. */
gboolean pxf_bootloader_config_check_menu_pair(const PxfConfSection *section,
					       const gchar *kernel,
					       const gchar *initrd,
					       GQuark domain,
					       gint code,
					       GError **error);

/* Whether name can be the kernel parameter that carries the answer file's
 * URL (ks, inst.ks, ...): non-empty, [a-z._] only. */
gboolean pxf_bootloader_is_kernel_param_name(const gchar *name);

/* ---- files (pxf-bootloader-files.c; glib only, fuzz targets compile it) -- */

/* Whether text is a plain file name: [A-Za-z0-9._-], not starting with '.',
 * 1 to max_len bytes. */
gboolean pxf_bootloader_is_plain_name(const gchar *text, gsize max_len);

/* The first regular file dirs[i]/name (empty entries skipped; symlinks
 * followed), or NULL. name must be a plain name (checked by the caller). */
gchar *pxf_bootloader_find_file(const gchar *const *dirs, const gchar *name);

/* "dir1, dir2" for an error listing the directories searched ("" for NULL). */
gchar *pxf_bootloader_dirs_to_string(const gchar *const *dirs);

/* "aa:bb:cc:dd:ee:ff" from 12 hex digits in pairs separated by separator
 * (exactly 17 characters), any case; NULL when malformed. */
gchar *pxf_bootloader_parse_mac(const gchar *text, gchar separator);

/* Whether text starts with one of schemes (NULL-terminated, e.g. "http://"). */
gboolean pxf_bootloader_has_scheme(const gchar *text, const gchar *const *schemes);

/* base (its trailing slashes dropped) + "/" + path. */
gchar *pxf_bootloader_url_join(const gchar *base, const gchar *path);

/* ---- template variables (pxf-bootloader-vars.c) ------------------------ */

/* Why a known host boots its local disk rather than the installer, or NULL
 * when it installs: netboot off, installed, or (has_kernel FALSE)
 * no_kernel_reason, which each loader words for its own case. */
const gchar *pxf_bootloader_localboot_reason(gboolean netboot,
					     PxfHostState state,
					     gboolean has_kernel,
					     const gchar *no_kernel_reason);

/* A string variable of the render (through nested variants), or NULL when
 * absent, empty or not a string. */
gchar *pxf_bootloader_var_string(PxfVars *vars, const gchar *name);

/* Adds key: value to an a{sv} builder when value is not NULL. */
void pxf_bootloader_add_string(GVariantBuilder *b, const gchar *key, const gchar *value);

/* Whether this loader plugin may answer boot.select for host: an unknown
 * machine, or a host whose profile and own keys name no loader, or name
 * this plugin ("loader: ipxe"). Another loader named: not ours. */
gboolean pxf_bootloader_chosen(PxfPluginContext *ctx, const PxfHost *host);

/* ---- file.open (pxf-bootloader-hooks.c; needs the daemon) ----------------- */

/* A non-empty string variable (host or distro), or NULL. */
gchar *pxf_bootloader_dup_string(GVariant *value);
/* The host's string variable name (e.g. distro.kernel), or NULL when absent or empty. */
gchar *pxf_bootloader_host_string(PxfPluginContext *ctx, const PxfHost *host, const gchar *name);

/* Serves out (consumed) as the file's content: SKIP. */
PxfVerdict pxf_bootloader_serve(PxfFileOpenArgs *args, GString *out);
/* Serves a configured file: SKIP for an absolute path, else not_local (the
 * value was unset, or an URL the loader fetches itself). */
PxfVerdict
pxf_bootloader_open_local(PxfFileOpenArgs *args, const gchar *path, PxfVerdict not_local);
/* <mac>/vmlinuz and <mac>/initrd.img: the local file the host's variable
 * var (distro.kernel, distro.initrd) names: SKIP, or DROP (unknown host, no
 * such local file). */
PxfVerdict pxf_bootloader_open_host_file(PxfPluginContext *ctx,
					 PxfFileOpenArgs *args,
					 const gchar *mac,
					 const gchar *var);
/* A known host's own configuration (what: "pxelinux config", ...): when it
 * installs, first moves the host unknown -> discovered -> booting (reasons
 * "<what> requested", "<what> served"), which arms the install and mints its
 * token, only when the request comes from the machine itself (the core
 * checks: pxf_plugin_context_set_client_host_state); then renders template
 * after prologue (may be NULL) and serves it. SKIP, or DROP with a warning
 * when the template does not render. */
PxfVerdict pxf_bootloader_serve_host_config(PxfPluginContext *ctx,
					    PxfFileOpenArgs *args,
					    const PxfHost *host,
					    PxfHostState state,
					    gboolean installs,
					    const gchar *what,
					    const gchar *template,
					    const gchar *prologue);

G_END_DECLS
