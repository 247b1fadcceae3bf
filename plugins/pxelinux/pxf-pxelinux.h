/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pxelinux plugin's engine: which requests are its own, where the
 * syslinux files are, what a machine boots and the variables its
 * configuration templates see. Everything here works without a running
 * daemon, so the unit tests call it directly. */
#pragma once

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

#define PXF_PXELINUX_ERROR pxf_pxelinux_error_quark()
GQuark pxf_pxelinux_error_quark(void);

typedef enum {
	PXF_PXELINUX_ERROR_INVALID, /* a bad configuration value */
	PXF_PXELINUX_ERROR_NOT_FOUND,
} PxfPxelinuxError;

/* What unknown machines get. */
typedef enum {
	PXF_PXELINUX_UNKNOWN_MENU = 0, /* pxelinux with the menu, local boot after the timeout */
	PXF_PXELINUX_UNKNOWN_LOCAL,    /* pxelinux that boots the local disk at once */
	PXF_PXELINUX_UNKNOWN_IGNORE,   /* no boot file: the firmware moves on */
} PxfPxelinuxUnknownHosts;

/* How the kernel and initrd reach the machine. */
typedef enum {
	PXF_PXELINUX_TRANSPORT_TFTP = 0, /* pxelinux.0, TFTP paths */
	PXF_PXELINUX_TRANSPORT_AUTO,	 /* http when the http plugin runs, decided at init */
	PXF_PXELINUX_TRANSPORT_HTTP,	 /* lpxelinux.0, URLs under http.base_url */
} PxfPxelinuxTransport;

/* URLs pxelinux fetches itself (lpxelinux.0, or iPXE underneath). */
#define PXF_PXELINUX_URL_SCHEMES "http://", "https://", "ftp://"

/* Labels of the unknown-host menu, in menu order. */
#define PXF_PXELINUX_MENU_LABELS "install", "vesa", "rescue", "local", "memtest"

typedef struct {
	PxfPxelinuxUnknownHosts unknown_hosts;
	PxfPxelinuxTransport kernel_transport;
	gchar **syslinux_dirs;
	gchar *host_template;
	gchar *menu_template;
	gint64 menu_timeout; /* tenths of a second */
	gchar *menu_default; /* one of PXF_PXELINUX_MENU_LABELS */
	gchar *menu_title;
	gchar *menu_ui; /* menu.c32 or vesamenu.c32 */
	gchar *menu_kernel;
	gchar *menu_initrd;
	gchar *menu_append;
	gchar *memtest;
	gchar *kernel_args;
	gchar *ks_param;
} PxfPxelinuxConfig;

/* The plugin's configuration schema (the descriptor's config_keys). */
extern const PxfConfKey pxf_pxelinux_config_keys[];

/* Reads and checks the plugin's section; errors name file:line:column. */
PxfPxelinuxConfig *pxf_pxelinux_config_new(const PxfConfSection *section, GError **error);
void pxf_pxelinux_config_free(PxfPxelinuxConfig *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfPxelinuxConfig, pxf_pxelinux_config_free)

/* Parses one enum value; NULL/unknown text is an error listing the choices. */
gboolean pxf_pxelinux_unknown_hosts_from_string(const gchar *text,
						PxfPxelinuxUnknownHosts *out,
						GError **error);
gboolean
pxf_pxelinux_transport_from_string(const gchar *text, PxfPxelinuxTransport *out, GError **error);

/* ---- files ---------------------------------------------------------------- */

/* Whether name is a syslinux file this plugin serves from the installed
 * packages: pxelinux.0, lpxelinux.0, memdisk and any *.c32 module. */
gboolean pxf_pxelinux_is_syslinux_file(const gchar *name);
/* The first regular file dirs[i]/name, or NULL (error NOT_FOUND lists the
 * directories searched). name must pass pxf_pxelinux_is_syslinux_file(). */
gchar *pxf_pxelinux_find_syslinux_file(const gchar *const *dirs, const gchar *name, GError **error);

/* ---- request paths ------------------------------------------------------- */

typedef enum {
	PXF_PXELINUX_PATH_OTHER = 0,   /* not ours */
	PXF_PXELINUX_PATH_SYSLINUX,    /* pxelinux.0, ldlinux.c32, ... */
	PXF_PXELINUX_PATH_MEMTEST,     /* "memtest" */
	PXF_PXELINUX_PATH_CFG_MAC,     /* pxelinux.cfg/01-<mac>: mac_out is set */
	PXF_PXELINUX_PATH_CFG_PROBE,   /* pxelinux.cfg/<UUID> or a hex-IP prefix */
	PXF_PXELINUX_PATH_CFG_DEFAULT, /* pxelinux.cfg/default */
	PXF_PXELINUX_PATH_HOST_KERNEL, /* boot/<mac-dashes>/vmlinuz: mac_out is set */
	PXF_PXELINUX_PATH_HOST_INITRD, /* boot/<mac-dashes>/initrd.img: mac_out is set */
	PXF_PXELINUX_PATH_MENU_KERNEL, /* boot/menu/vmlinuz */
	PXF_PXELINUX_PATH_MENU_INITRD, /* boot/menu/initrd.img */
} PxfPxelinuxPath;

/* Classifies a normalised request path; mac_out gets the canonical MAC for
 * the per-host kinds. Never fails: anything unexpected is OTHER or PROBE. */
PxfPxelinuxPath pxf_pxelinux_classify_path(const gchar *path, gchar **mac_out);
/* "aa:bb:cc:dd:ee:ff" from 12 hex digits separated by one separator char
 * ('-' or ':'), any case; NULL when malformed. */
gchar *pxf_pxelinux_parse_mac(const gchar *text, gchar separator);

/* ---- boot.select --------------------------------------------------------- */

/* The boot file for a client, or NULL. *verdict is CONTINUE (not ours),
 * SKIP (filename set) or DROP (an unknown machine under "ignore"). */
const gchar *pxf_pxelinux_select_boot_file(const PxfPxelinuxConfig *config,
					   PxfFirmware firmware,
					   PxfBootStage stage,
					   gboolean known_host,
					   PxfVerdict *verdict);

/* ---- template variables -------------------------------------------------- */

/* Why a known host boots its local disk rather than the installer, or NULL
 * when it installs. has_kernel: its profile's distro has a kernel. */
const gchar *
pxf_pxelinux_localboot_reason(gboolean netboot, PxfHostState state, gboolean has_kernel);

/* The "pxelinux" dictionary the configuration templates use, built from
 * the configuration, the render's other variables (install.ks_url, ks_url,
 * http.base_url, host.mac_dashes, distro.kernel, distro.initrd) and, for a
 * known host, its netboot flag and state (host_known FALSE: the menu). */
GVariant *pxf_pxelinux_build_vars(const PxfPxelinuxConfig *config,
				  PxfVars *vars,
				  gboolean host_known,
				  gboolean netboot,
				  PxfHostState state);

/* The configuration unknown machines get under unknown_hosts local/ignore. */
const gchar *pxf_pxelinux_localboot_config(void);

/* ---- the plugin (pxf-pxelinux-hooks.c; needs the daemon) ---------------- */

typedef struct {
	PxfPluginContext *ctx;
	PxfPxelinuxConfig *config;
} PxfPxelinux;

void pxf_pxelinux_free(PxfPxelinux *self);
/* Connects boot.select, file.open and template.vars. */
gboolean pxf_pxelinux_connect(PxfPxelinux *self, GError **error);

G_END_DECLS
