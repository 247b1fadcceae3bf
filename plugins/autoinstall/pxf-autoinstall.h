/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The autoinstall plugin's engine: the variables an Ubuntu autoinstall
 * user-data sees (YAML-quoted, passwords only as hashes), the NoCloud seed
 * paths ai/<mac>/{user-data,meta-data,vendor-data} and the installer's
 * kernel arguments. Works without a running daemon. */
#pragma once

#include <pxeforge/plugin.h>

#include "pxf-osprofile.h"

G_BEGIN_DECLS

#define PXF_AUTOINSTALL_ERROR pxf_autoinstall_error_quark()
GQuark pxf_autoinstall_error_quark(void);

typedef enum {
	PXF_AUTOINSTALL_ERROR_FAILED,
	PXF_AUTOINSTALL_ERROR_INVALID,
} PxfAutoinstallError;

/* The profile os this plugin answers for. */
#define PXF_AUTOINSTALL_OS "autoinstall"

/* The plugin's configuration schema (the descriptor's config_keys). */
extern const PxfConfKey pxf_autoinstall_config_keys[];
/* The built-in meta-data template (Mustache text). */
extern const gchar pxf_autoinstall_meta_data_template[];

typedef struct {
	guint rounds;
	gboolean any_address;	   /* serve the seed to any address (unsafe) */
	gchar *meta_data_template; /* absolute path, NULL for the built-in one */
	gchar *datasource;	   /* "nocloud-net" or "nocloud" */
} PxfAutoinstallConfig;

PxfAutoinstallConfig *pxf_autoinstall_config_new(const PxfConfSection *section, GError **error);
void pxf_autoinstall_config_free(PxfAutoinstallConfig *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfAutoinstallConfig, pxf_autoinstall_config_free)

/* The files of a host's NoCloud seed. */
typedef enum {
	PXF_AUTOINSTALL_PATH_OTHER = 0, /* not under ai/: not ours */
	PXF_AUTOINSTALL_PATH_INVALID,	/* under ai/ but nothing there */
	PXF_AUTOINSTALL_PATH_USER_DATA,
	PXF_AUTOINSTALL_PATH_META_DATA,
	PXF_AUTOINSTALL_PATH_VENDOR_DATA,
} PxfAutoinstallPath;

/* Classifies a file.open path; *mac is the canonical MAC of ai/<mac>/...
 * (written aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff, any case). */
PxfAutoinstallPath pxf_autoinstall_classify_path(const gchar *path, gchar **mac);

/* text as a YAML double-quoted scalar: '"', '\' and control characters
 * escaped, invalid UTF-8 replaced, so that no value can end the scalar or
 * add a key. */
gchar *pxf_autoinstall_yaml_quote(const gchar *text);

/* The seed URL <http.base_url>/ai/<mac>/, or the variable nocloud_url. */
gchar *pxf_autoinstall_seed_url(PxfVars *vars);
/* The kernel line for subiquity: autoinstall ds=<datasource>;s=<seed url>
 * [url=<iso_url> cloud-config-url=/dev/null]; NULL (with error) without a
 * seed URL or with a value the kernel line cannot carry. */
gchar *
pxf_autoinstall_kernel_args(const PxfAutoinstallConfig *config, PxfVars *vars, GError **error);

/* template.vars: password_hash and rootpw_hash (plaintexts blanked) for
 * every render; for autoinstall profiles also the "autoinstall"
 * dictionary of YAML-ready values, autoinstall_password (the quoted hash,
 * or "!" for a locked one) and install.kernel_args. Problems that
 * leave a value unset go to warnings (gchar*); FALSE only when hashing
 * failed. */
gboolean pxf_autoinstall_apply_vars(const PxfAutoinstallConfig *config,
				    PxfVars *vars,
				    GPtrArray *warnings,
				    GError **error);
/* What makes a user-data unusable: an unknown storage layout or updates
 * value; NULL when fine. */
gchar *pxf_autoinstall_check_values(const gchar *layout, const gchar *updates);
/* The same for the variables storage_layout and updates. */
gchar *pxf_autoinstall_check_vars(PxfVars *vars);

/* ---- the plugin (pxf-autoinstall-hooks.c; needs the daemon) ------------ */

typedef struct {
	PxfPluginContext *ctx;
	PxfAutoinstallConfig *config;
} PxfAutoinstall;

void pxf_autoinstall_free(PxfAutoinstall *self);
/* Connects template.vars, profile.render and file.open. */
gboolean pxf_autoinstall_connect(PxfAutoinstall *self, GError **error);

G_END_DECLS
