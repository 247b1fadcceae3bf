/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kickstart plugin's engine: the variables a kickstart template sees.
 * Password hashing and the install tree are the OS profile helpers'
 * (plugins/common/pxf-osprofile.h), shared with preseed and autoinstall.
 * Works without a running daemon. */
#pragma once

#include <pxeforge/plugin.h>

#include "pxf-osprofile.h"

G_BEGIN_DECLS

#define PXF_KICKSTART_ERROR pxf_kickstart_error_quark()
GQuark pxf_kickstart_error_quark(void);

typedef enum {
	PXF_KICKSTART_ERROR_FAILED,
	PXF_KICKSTART_ERROR_INVALID,
} PxfKickstartError;

/* The plugin's configuration schema (the descriptor's config_keys). */
extern const PxfConfKey pxf_kickstart_config_keys[];

typedef struct {
	guint rounds;
	gchar *tree_path; /* where the http plugin serves distro trees, e.g. "distros" */
} PxfKickstartConfig;

PxfKickstartConfig *pxf_kickstart_config_new(const PxfConfSection *section, GError **error);
void pxf_kickstart_config_free(PxfKickstartConfig *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfKickstartConfig, pxf_kickstart_config_free)

/* template.vars: rootpw_hash from rootpw_hash (kept) or rootpw (hashed
 * here), then the plaintext rootpw blanked so that no template, log or
 * `pxeforge render` can show it; for kickstart profiles, install_url when
 * unset, and install_nfs. Returns FALSE when hashing failed (the plaintext is blanked
 * anyway and rootpw_hash left unset). */
gboolean pxf_kickstart_apply_vars(const PxfKickstartConfig *config, PxfVars *vars, GError **error);
/* Blanks the plaintext rootpw; TRUE if there was one. */
gboolean pxf_kickstart_scrub_plaintext(PxfVars *vars);
/* The install source: install_url if set, else with `install_source: ftp`
 * the ftp plugin's ftp.tree_url, else the distro tree when it is
 * an URL, else the http plugin's http.tree_url, else
 * http.base_url/<tree_path>/<distro.name>/; NULL when none. */
gchar *pxf_kickstart_install_url(const PxfKickstartConfig *config, PxfVars *vars);
/* TRUE when the profile says `install_source: nfs` and the nfs plugin gave
 * nfs.server and nfs.dir; apply_vars() then sets the boolean install_nfs,
 * with which the shipped template writes `nfs --server=… --dir=…`. */
gboolean pxf_kickstart_install_nfs(PxfVars *vars);

/* ---- what the variables must be (pxf-kickstart-check.c) ----------------- */

/* Appends a "VARIABLE: why" string to @problems for each variable a kickstart
 * cannot take as it is: a line break in one the shipped templates write into
 * a command line (it would start a command, or a %pre, of its own), white
 * space in one that is one argument, an empty install_url, a rootpw_hash that
 * is not one crypt(3) hash. Never shows the hash. */
void pxf_kickstart_check_vars(PxfVars *vars, GPtrArray *problems);
/* At `pxeforge check`, before any plugin ran: a problem for install_url when
 * nothing will give the kickstart an install source: no install_url, no
 * distro tree URL, and no enabled plugin in @plugins (http; nfs or ftp with
 * that install_source) to serve a local tree. */
void pxf_kickstart_check_source(PxfVars *vars, const gchar *const *plugins, GPtrArray *problems);
/* The descriptor's check_host: both of the above. */
void pxf_kickstart_check_host(const PxfConfSection *config, PxfCheckHostArgs *args);

/* ---- the plugin (pxf-kickstart-hooks.c; needs the daemon) --------------- */

typedef struct {
	PxfPluginContext *ctx;
	PxfKickstartConfig *config;
} PxfKickstart;

void pxf_kickstart_free(PxfKickstart *self);
/* Connects template.vars and profile.render. */
gboolean pxf_kickstart_connect(PxfKickstart *self, GError **error);

G_END_DECLS
