/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The grub-efi plugin's engine: the boot file of UEFI x64 machines (the
 * Secure Boot chain shim -> signed GRUB, a vendor's chain from a distro's
 * tree, or the monolithic unsigned GRUB), the TFTP paths GRUB and shim ask
 * for, and the variables of the rendered grub.cfg. Everything here works
 * without a running daemon, so the unit tests call it directly. */
#pragma once

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

#define PXF_GRUB_EFI_ERROR pxf_grub_efi_error_quark()
GQuark pxf_grub_efi_error_quark(void);

typedef enum {
	PXF_GRUB_EFI_ERROR_INVALID, /* a bad configuration value */
	PXF_GRUB_EFI_ERROR_NOT_FOUND,
} PxfGrubEfiError;

/* What unknown machines get. */
typedef enum {
	PXF_GRUB_EFI_UNKNOWN_MENU = 0, /* GRUB with the menu, local boot after the timeout */
	PXF_GRUB_EFI_UNKNOWN_LOCAL,    /* GRUB that boots the local disk at once */
	PXF_GRUB_EFI_UNKNOWN_IGNORE,   /* no boot file: the firmware moves on */
} PxfGrubEfiUnknownHosts;

/* How the kernel and initrd reach the machine. */
typedef enum {
	PXF_GRUB_EFI_TRANSPORT_TFTP = 0, /* (tftp) paths under grub's root */
	PXF_GRUB_EFI_TRANSPORT_AUTO,	 /* http when the http plugin runs, decided per render */
	PXF_GRUB_EFI_TRANSPORT_HTTP,	 /* (http,server) paths under http.base_url */
} PxfGrubEfiTransport;

/* How GRUB boots the local disk. */
typedef enum {
	PXF_GRUB_EFI_LOCAL_CHAINLOAD = 0, /* chainloader the ESP's local_loader, else exit */
	PXF_GRUB_EFI_LOCAL_EXIT,	  /* back to the firmware's boot order */
} PxfGrubEfiLocalBoot;

/* Labels of the unknown-host menu, in menu order (GRUB menu entry ids). */
#define PXF_GRUB_EFI_MENU_LABELS "install", "vesa", "rescue", "local"

/* The served names of the chain. shim fetches its second stage from the
 * directory it was loaded from, under the name built into it. */
#define PXF_GRUB_EFI_SHIM_NAME	   "shimx64.efi"
#define PXF_GRUB_EFI_SIGNED_NAME   "grubx64.efi"
#define PXF_GRUB_EFI_UNSIGNED_NAME "grubnetx64.efi"
/* A small script grub.cfg sources over HTTP; it sets pxf_root to the HTTP
 * root only if GRUB could fetch it. insmod always succeeds and "test -e"
 * cannot see network files, so this is how GRUB learns whether it has a
 * working http module. */
#define PXF_GRUB_EFI_HTTP_CHECK	       "grub/http-check"
#define PXF_GRUB_EFI_HTTP_CHECK_SCRIPT "set pxf_root=\"$pxf_http\"\n"
/* Vendor chains are served from VENDOR_DIR/<distro>/. */
#define PXF_GRUB_EFI_VENDOR_DIR "efi"

typedef struct {
	PxfGrubEfiUnknownHosts unknown_hosts;
	PxfGrubEfiTransport kernel_transport;
	gboolean secure_boot;
	gboolean vendor_chains;
	gchar *shim;	     /* signed shim, served as shimx64.efi */
	gchar *grub_signed;  /* signed network GRUB, served as grubx64.efi */
	gchar *grub;	     /* monolithic unsigned GRUB, served as grubnetx64.efi */
	gchar *grub_modules; /* its x86_64-efi modules and lists, or NULL */
	gchar *host_template;
	gchar *menu_template;
	gint64 menu_timeout; /* seconds; -1: wait for a key */
	gchar *menu_default; /* one of PXF_GRUB_EFI_MENU_LABELS */
	gchar *menu_kernel;
	gchar *menu_initrd;
	gchar *menu_append;
	gchar *kernel_args;
	gchar *ks_param;
	PxfGrubEfiLocalBoot local_boot;
	gchar *local_loader; /* path on the ESP, e.g. /EFI/BOOT/BOOTX64.EFI */
} PxfGrubEfiConfig;

/* The plugin's configuration schema (the descriptor's config_keys). */
extern const PxfConfKey pxf_grub_efi_config_keys[];

/* Reads and checks the plugin's section; errors name file:line:column. */
PxfGrubEfiConfig *pxf_grub_efi_config_new(const PxfConfSection *section, GError **error);
void pxf_grub_efi_config_free(PxfGrubEfiConfig *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfGrubEfiConfig, pxf_grub_efi_config_free)

/* ---- request paths ------------------------------------------------------- */

typedef enum {
	PXF_GRUB_EFI_PATH_OTHER = 0,   /* not ours */
	PXF_GRUB_EFI_PATH_SHIM,	       /* shimx64.efi */
	PXF_GRUB_EFI_PATH_GRUB_SIGNED, /* grubx64.efi: what shim loads */
	PXF_GRUB_EFI_PATH_GRUB,	       /* grubnetx64.efi: the unsigned GRUB */
	PXF_GRUB_EFI_PATH_VENDOR,      /* efi/<distro>/<file>: distro_out, file_out */
	PXF_GRUB_EFI_PATH_CFG,	       /* grub.cfg in one of GRUB's config dirs */
	PXF_GRUB_EFI_PATH_CFG_MAC,     /* grub.cfg-01-<mac>: mac_out */
	PXF_GRUB_EFI_PATH_PROBE,       /* x86_64-efi/ *.lst and grub.cfg, grub.cfg-<hex IP> */
	PXF_GRUB_EFI_PATH_MODULE,      /* grub/x86_64-efi/<file> but grub.cfg: file_out */
	PXF_GRUB_EFI_PATH_HTTP_CHECK,  /* grub/http-check: can this GRUB fetch over HTTP? */
	PXF_GRUB_EFI_PATH_HOST_KERNEL, /* boot/<mac-dashes>/vmlinuz: mac_out */
	PXF_GRUB_EFI_PATH_HOST_INITRD, /* boot/<mac-dashes>/initrd.img: mac_out */
	PXF_GRUB_EFI_PATH_MENU_KERNEL, /* grub/menu/vmlinuz */
	PXF_GRUB_EFI_PATH_MENU_INITRD, /* grub/menu/initrd.img */
} PxfGrubEfiPath;

/* What one request path is. The out strings are set only for the kinds
 * that say so (and must be NULL on entry); distro_out is not checked
 * against the inventory, file_out is a plain file name. */
typedef struct {
	gchar *mac;
	gchar *distro;
	gchar *file;
} PxfGrubEfiPathInfo;

void pxf_grub_efi_path_info_clear(PxfGrubEfiPathInfo *info);
/* Classifies a normalised request path. Never fails: anything unexpected
 * is OTHER (left to the transport) or PROBE (not found at once). */
PxfGrubEfiPath pxf_grub_efi_classify_path(const gchar *path, PxfGrubEfiPathInfo *info);
/* "aa:bb:cc:dd:ee:ff" from 12 hex digits separated by '-' or ':' (one
 * kind throughout), any case; NULL when malformed. */
gchar *pxf_grub_efi_parse_mac(const gchar *text);

/* ---- chains ---------------------------------------------------------------- */

/* A Secure Boot chain found in a distro's install tree. */
typedef struct {
	gchar *shim; /* absolute paths of regular files */
	gchar *grub;
	gchar *dir;	     /* the shim's directory: other files shim may ask for (mmx64.efi) */
	const gchar *layout; /* which layout matched, or "efi.shim" for an override */
} PxfGrubEfiChain;

void pxf_grub_efi_chain_free(PxfGrubEfiChain *chain);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfGrubEfiChain, pxf_grub_efi_chain_free)

/* The local directory of a distro tree ("/srv/x" or "file:///srv/x"), or
 * NULL for an URL or an empty value. */
gchar *pxf_grub_efi_tree_dir(const gchar *tree);

/* The vendor chain of a tree: the overrides (efi.shim, efi.grub: absolute,
 * or relative to the tree; efi.grub defaults to grubx64.efi next to the
 * shim) or else the first known layout present, looked up ignoring case
 * (EFI/BOOT/BOOTX64.EFI + grubx64.efi, SUSE's bootx64.efi + grub.efi,
 * Debian's and Ubuntu's netboot trees). NOT_FOUND when there is none,
 * INVALID for an override that is not a regular file. */
PxfGrubEfiChain *pxf_grub_efi_chain_find(const gchar *tree_dir,
					 const gchar *shim_override,
					 const gchar *grub_override,
					 GError **error);

/* Looks up a relative '/'-separated path under dir ignoring the case of
 * each component; returns the existing path or NULL. Components must be
 * plain names. */
gchar *pxf_grub_efi_find_nocase(const gchar *dir, const gchar *relative);

/* ---- boot.select --------------------------------------------------------- */

/* The boot file for a client, or NULL. *verdict is CONTINUE (not ours),
 * SKIP (filename set) or DROP (an unknown machine under "ignore").
 * secure_boot: the host's choice or the plugin's; vendor_distro: the
 * host's distro when it has a vendor chain, else NULL. */
gchar *pxf_grub_efi_select_boot_file(const PxfGrubEfiConfig *config,
				     gboolean secure_boot,
				     PxfFirmware firmware,
				     PxfBootStage stage,
				     gboolean known_host,
				     const gchar *vendor_distro,
				     PxfVerdict *verdict);

/* ---- grub.cfg -------------------------------------------------------------- */

/* Why a known host boots its local disk rather than the installer, or NULL
 * when it installs. has_kernel: its distro has a kernel and initrd GRUB can
 * fetch. */
const gchar *
pxf_grub_efi_localboot_reason(gboolean netboot, PxfHostState state, gboolean has_kernel);

/* text as one word of GRUB's script language: as it is when it is made
 * only of characters GRUB does not treat specially, else single-quoted. */
gchar *pxf_grub_efi_quote(const gchar *text);

/* The GRUB device and path of an http:// base URL, "(http,host[:port])"
 * with the URL's path after it, quoted for GRUB; NULL for anything else. */
gchar *pxf_grub_efi_http_root(const gchar *base_url);

/* Where GRUB fetches a file served under path ("boot/x/vmlinuz"): the TFTP
 * path "/boot/x/vmlinuz", or with via_http "${pxf_root}/boot/x/vmlinuz"
 * (the configuration sets pxf_root to the HTTP root when GRUB has or can
 * load its http module, else to nothing: TFTP). A source that is an
 * http:// URL is fetched from there; NULL when GRUB cannot fetch source
 * (https://, ftp://, a relative path). Quoted for GRUB. */
gchar *pxf_grub_efi_fetch_location(gboolean via_http, const gchar *source, const gchar *path);

/* The "grub_efi" dictionary the configuration templates use, built from
 * the configuration, the render's other variables (install.ks_url, ks_url,
 * http.base_url, host.mac_dashes, distro.kernel, distro.initrd) and, for a
 * known host, its netboot flag and state (host_known FALSE: the menu). */
GVariant *pxf_grub_efi_build_vars(const PxfGrubEfiConfig *config,
				  PxfVars *vars,
				  gboolean host_known,
				  gboolean netboot,
				  PxfHostState state);

/* The configuration unknown machines get under unknown_hosts local/ignore. */
gchar *pxf_grub_efi_localboot_config(const PxfGrubEfiConfig *config);
/* What grub.cfg starts with for a machine whose address pxeforge cannot
 * attribute (another DHCP server): its own grub.cfg-01-<mac> first. */
const gchar *pxf_grub_efi_dispatch_prologue(void);

/* ---- the plugin (pxf-grub-efi-hooks.c; needs the daemon) ---------------- */

typedef struct {
	PxfPluginContext *ctx;
	PxfGrubEfiConfig *config;
} PxfGrubEfi;

void pxf_grub_efi_free(PxfGrubEfi *self);
/* Connects boot.select, file.open and template.vars. */
gboolean pxf_grub_efi_connect(PxfGrubEfi *self, GError **error);

G_END_DECLS
