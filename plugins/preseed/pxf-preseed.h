/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The preseed plugin's engine: the variables a debian-installer preseed
 * sees (passwords only as hashes, the mirror split the way d-i asks for it,
 * the host name and domain) and the installer's kernel arguments. Works
 * without a running daemon. */
#pragma once

#include <pxeforge/plugin.h>

#include "pxf-osprofile.h"

G_BEGIN_DECLS

#define PXF_PRESEED_ERROR pxf_preseed_error_quark()
GQuark pxf_preseed_error_quark(void);

typedef enum {
	PXF_PRESEED_ERROR_FAILED,
	PXF_PRESEED_ERROR_INVALID,
} PxfPreseedError;

/* The profile os this plugin answers for. */
#define PXF_PRESEED_OS "preseed"

/* The plugin's configuration schema (the descriptor's config_keys). */
extern const PxfConfKey pxf_preseed_config_keys[];

typedef struct {
	guint rounds;
	gchar *tree_path; /* where the http plugin serves distro trees, e.g. "distros" */
	gchar *priority;  /* d-i's debconf priority on the kernel line */
} PxfPreseedConfig;

PxfPreseedConfig *pxf_preseed_config_new(const PxfConfSection *section, GError **error);
void pxf_preseed_config_free(PxfPreseedConfig *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfPreseedConfig, pxf_preseed_config_free)

/* A mirror URL split the way d-i's mirror/ questions take it. */
typedef struct {
	gchar *protocol;  /* http, https or ftp */
	gchar *hostname;  /* host[:port], IPv6 literals in brackets */
	gchar *directory; /* absolute path, no trailing slash, "/" at least */
} PxfPreseedMirror;

void pxf_preseed_mirror_free(PxfPreseedMirror *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfPreseedMirror, pxf_preseed_mirror_free)
/* Parses an http://, https:// or ftp:// URL without user info, query or
 * fragment. */
PxfPreseedMirror *pxf_preseed_mirror_parse(const gchar *url, GError **error);

/* The kernel line for d-i: auto=true priority=… url=<answer url>
 * interface=auto netcfg/get_hostname=… netcfg/get_domain=…
 * netcfg/get_nameservers=…; NULL (with error) when there is no answer URL
 * or a value would not survive the kernel line (white space, quotes). */
gchar *pxf_preseed_kernel_args(const PxfPreseedConfig *config, PxfVars *vars, GError **error);

/* template.vars: rootpw_hash and password_hash (plaintexts blanked) for
 * every render; for preseed profiles also the "preseed" dictionary
 * (hostname, domain, mirror_*, nameservers) and install.kernel_args.
 * Problems that leave a variable unset are appended to warnings
 * (element type gchar*); returns FALSE only when hashing failed. */
gboolean pxf_preseed_apply_vars(const PxfPreseedConfig *config,
				PxfVars *vars,
				GPtrArray *warnings,
				GError **error);

/* The variables that end up on one line of the preseed; a line break in
 * one of them would start a new, unchecked debconf line. */
extern const gchar *const pxf_preseed_line_vars[];
/* The first of pxf_preseed_line_vars holding a line break, or NULL. */
const gchar *pxf_preseed_find_line_break(PxfVars *vars);

/* ---- the plugin (pxf-preseed-hooks.c; needs the daemon) ---------------- */

typedef struct {
	PxfPluginContext *ctx;
	PxfPreseedConfig *config;
} PxfPreseed;

void pxf_preseed_free(PxfPreseed *self);
/* Connects template.vars and profile.render. */
gboolean pxf_preseed_connect(PxfPreseed *self, GError **error);

G_END_DECLS
