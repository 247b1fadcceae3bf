/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ipxe plugin's engine: what a PXE ROM or iPXE boots next, which
 * requests are the plugin's own, what an iPXE script says and the variables
 * its templates see. Everything here works without a running daemon, so the
 * unit tests call it directly. */
#pragma once

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

#define PXF_IPXE_ERROR pxf_ipxe_error_quark()
GQuark pxf_ipxe_error_quark(void);

typedef enum {
	PXF_IPXE_ERROR_INVALID, /* a bad configuration value */
	PXF_IPXE_ERROR_NOT_FOUND,
} PxfIpxeError;

/* What unknown machines get. */
typedef enum {
	PXF_IPXE_UNKNOWN_MENU = 0, /* the menu, local boot after the timeout */
	PXF_IPXE_UNKNOWN_LOCAL,	   /* a script that boots the local disk at once */
	PXF_IPXE_UNKNOWN_IGNORE,   /* no boot file: the firmware moves on */
} PxfIpxeUnknownHosts;

/* How iPXE fetches its script (script_transport: auto, http, tftp), and the
 * kernel and initrd the script names (file_transport: any). */
typedef enum {
	PXF_IPXE_TRANSPORT_AUTO = 0, /* script: http when the http plugin runs, decided at
					init; files: as the script came */
	PXF_IPXE_TRANSPORT_HTTP,     /* an http:// URL under http.base_url */
	PXF_IPXE_TRANSPORT_TFTP,     /* a path on this (TFTP) server */
	PXF_IPXE_TRANSPORT_MTFTP,    /* files only: mtftp://<server>/<path> (the mtftp plugin) */
} PxfIpxeTransport;

/* How a script boots the local disk. */
typedef enum {
	PXF_IPXE_LOCAL_EXIT = 0, /* `exit`: the firmware tries its next boot device */
	PXF_IPXE_LOCAL_SANBOOT,	 /* `sanboot --drive 0x80` on BIOS, `exit` on UEFI */
} PxfIpxeLocalBoot;

/* URLs iPXE fetches itself. */
#define PXF_IPXE_URL_SCHEMES "http://", "https://", "ftp://", "tftp://", "mtftp://"

/* Labels of the unknown-host menu, in menu order. */
#define PXF_IPXE_MENU_LABELS "install", "local", "shell"

typedef struct {
	gboolean chainload;
	gchar **ipxe_dirs;
	gchar *bios_image;	/* plain file names, looked up in ipxe_dirs */
	gchar *efi_x64_image;	/* NULL: such machines are left to others */
	gchar *efi_ia32_image;	/* NULL: such machines are left to others */
	gchar *efi_arm64_image; /* NULL: such machines are left to others */
	PxfIpxeTransport script_transport;
	PxfIpxeTransport file_transport;
	PxfIpxeUnknownHosts unknown_hosts;
	PxfIpxeLocalBoot local_boot;
	gchar *host_template;
	gchar *menu_template;
	gint64 menu_timeout; /* seconds */
	gchar *menu_default; /* one of PXF_IPXE_MENU_LABELS */
	gchar *menu_title;
	gchar *menu_kernel;
	gchar *menu_initrd;
	gchar *menu_append;
	gchar *kernel_args;
	gchar *ks_param;
} PxfIpxeConfig;

/* The plugin's configuration schema (the descriptor's config_keys). */
extern const PxfConfKey pxf_ipxe_config_keys[];

/* Reads and checks the plugin's section; errors name file:line:column. */
PxfIpxeConfig *pxf_ipxe_config_new(const PxfConfSection *section, GError **error);
void pxf_ipxe_config_free(PxfIpxeConfig *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfIpxeConfig, pxf_ipxe_config_free)

/* ---- iPXE images ------------------------------------------------------------ */

/* Whether name can be an iPXE image served at the root: a plain file name
 * ([A-Za-z0-9._-], not starting with '.'), at most 64 bytes. */
gboolean pxf_ipxe_is_image_name(const gchar *name);
/* The first regular file dirs[i]/name, or NULL (error NOT_FOUND lists the
 * directories searched). */
gchar *pxf_ipxe_find_image(const gchar *const *dirs, const gchar *name, GError **error);

/* ---- request paths ----------------------------------------------------------- */

typedef enum {
	PXF_IPXE_PATH_OTHER = 0,   /* not ours: the transport's root may have it */
	PXF_IPXE_PATH_IMAGE,	   /* one of the configured iPXE images */
	PXF_IPXE_PATH_CHAIN,	   /* ipxe/boot.ipxe: chains to the per-MAC script */
	PXF_IPXE_PATH_SCRIPT,	   /* ipxe/<mac>/boot.ipxe: mac_out is set */
	PXF_IPXE_PATH_HOST_KERNEL, /* ipxe/<mac>/vmlinuz: mac_out is set */
	PXF_IPXE_PATH_HOST_INITRD, /* ipxe/<mac>/initrd.img: mac_out is set */
	PXF_IPXE_PATH_MENU_KERNEL, /* ipxe/menu/vmlinuz */
	PXF_IPXE_PATH_MENU_INITRD, /* ipxe/menu/initrd.img */
} PxfIpxePath;

/* Classifies a normalised request path; mac_out gets the canonical MAC for
 * the per-host kinds. images: the configured image names (NULL entries are
 * skipped), n_images of them. Never fails. */
PxfIpxePath pxf_ipxe_classify_path(const gchar *path,
				   const gchar *const *images,
				   guint n_images,
				   gchar **mac_out);
/* "aa:bb:cc:dd:ee:ff" from a MAC spelt with ':' (also percent-encoded as
 * %3A, as iPXE encodes ${net0/mac} in an URL), '-', or 12 bare hex digits,
 * any case; NULL when malformed. */
gchar *pxf_ipxe_parse_mac(const gchar *text);

/* ---- iPXE's option 175 ------------------------------------------------------- */

/* What option 175 (iPXE's encapsulated options) says about HTTP. */
typedef enum {
	PXF_IPXE_HTTP_UNKNOWN = 0, /* no option 175 seen, or it does not say */
	PXF_IPXE_HTTP_YES,	   /* feature 0x13 (HTTP) is announced */
	PXF_IPXE_HTTP_NO,	   /* a feature list without HTTP */
} PxfIpxeHttpSupport;

/* Walks the encapsulated options of option 175 (code, length, value ...);
 * a malformed list is UNKNOWN. */
PxfIpxeHttpSupport pxf_ipxe_features_http(const guint8 *data, gsize len);

/* ---- boot.select ------------------------------------------------------------- */

/* What a DHCP client is told to boot. */
typedef struct {
	PxfVerdict verdict; /* CONTINUE (not ours), SKIP (filename set) or DROP */
	gchar *filename;    /* an image name, a TFTP path or an http:// URL */
	const gchar *why;   /* for the log */
} PxfIpxeSelection;

void pxf_ipxe_selection_clear(PxfIpxeSelection *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PxfIpxeSelection, pxf_ipxe_selection_clear)

/* The image a PXE ROM of this firmware chainloads, or NULL (not configured). */
const gchar *pxf_ipxe_image_for_firmware(const PxfIpxeConfig *config, PxfFirmware firmware);

/* The decision for one client. base_url: the http plugin's base URL for
 * this client (NULL when none); http: what the client's option 175 said.
 * mac NULL (a client the transport cannot name) gets the generic
 * ipxe/boot.ipxe that chains to the per-MAC script. */
void pxf_ipxe_select(const PxfIpxeConfig *config,
		     PxfFirmware firmware,
		     PxfBootStage stage,
		     const gchar *mac,
		     gboolean known_host,
		     const gchar *base_url,
		     PxfIpxeHttpSupport http,
		     PxfIpxeSelection *out);

/* The decision for a UEFI HTTP boot client: the iPXE image for its
 * firmware as an URL under base_url (the firmware fetches nothing else),
 * which then asks DHCP again as iPXE and gets its script. CONTINUE without
 * base_url, with chainload off or without an image for the firmware. */
void pxf_ipxe_select_http_boot(const PxfIpxeConfig *config,
			       PxfFirmware firmware,
			       gboolean known_host,
			       const gchar *base_url,
			       PxfIpxeSelection *out);

/* ---- scripts ------------------------------------------------------------------ */

/* Why a known host boots its local disk rather than the installer, or NULL
 * when it installs. has_kernel: its profile's distro has a kernel and initrd. */
const gchar *pxf_ipxe_localboot_reason(gboolean netboot, PxfHostState state, gboolean has_kernel);

/* The "ipxe" dictionary the script templates use, built from the
 * configuration, the render's other variables (install.ks_url, ks_url,
 * http.base_url, host.mac, distro.kernel, distro.initrd) and, for a known
 * host, its netboot flag and state (host_known FALSE: the menu).
 * files: how the script's files are fetched (HTTP falls back to TFTP without
 * http.base_url); server: this server's address for mtftp:// URLs (NULL: the
 * iPXE setting ${next-server}, the DHCP server field). */
GVariant *pxf_ipxe_build_vars(const PxfIpxeConfig *config,
			      PxfVars *vars,
			      PxfIpxeTransport files,
			      const gchar *server,
			      gboolean host_known,
			      gboolean netboot,
			      PxfHostState state);

/* ipxe/boot.ipxe: chains to ipxe/<the booting NIC's MAC>/boot.ipxe. */
const gchar *pxf_ipxe_chain_script(void);
/* The script unknown machines get under unknown_hosts local/ignore. */
gchar *pxf_ipxe_localboot_script(const PxfIpxeConfig *config, const gchar *reason);

/* ---- the plugin (pxf-ipxe-hooks.c; needs the daemon) ----------------------- */

typedef struct {
	PxfPluginContext *ctx;
	PxfIpxeConfig *config;
} PxfIpxe;

void pxf_ipxe_free(PxfIpxe *self);
/* Connects boot.select, file.open and template.vars. */
gboolean pxf_ipxe_connect(PxfIpxe *self, GError **error);

G_END_DECLS
