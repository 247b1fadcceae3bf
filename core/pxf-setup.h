/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pxf-config.h"
#include "pxf-inventory.h"
#include "pxf-plugin-loader.h"

G_BEGIN_DECLS

/* One enabled plugin as the configuration asks for it. */
typedef struct {
	gchar *name;
	guint order;	       /* position among the enabled plugins */
	PxfPlugin *plugin;     /* NULL when it could not be opened */
	PxfConfNode *node;     /* its section, or NULL */
	GVariant *fingerprint; /* the section as data, to see what a reload changed */
} PxfSetupPlugin;

/* Everything a configuration directory says, validated: what the daemon
 * runs on and what `pxeforge check` and `pxeforge render` look at. */
typedef struct {
	gchar *config_dir;
	PxfConfNode *root;
	PxfConfSection *daemon; /* the "daemon" section, defaults filled in */
	PxfInventory *inventory;
	GPtrArray *plugins;  /* PxfSetupPlugin*, enabled ones, configuration order */
	GHashTable *refused; /* plugin name → GError*, for plugins that cannot load */
} PxfSetup;

/* Reads CONFIG_DIR and checks all of it: top-level keys, the daemon section,
 * the inventory, and each enabled plugin's section against the keys that
 * plugin declares. Never NULL; the setup is usable only when diags has no
 * errors. A section for a plugin that is not installed is a warning naming
 * the file. Plugins that cannot be loaded are errors in diags. */
PxfSetup *pxf_setup_load(const gchar *config_dir, PxfPluginLoader *loader, GPtrArray *diags);
void pxf_setup_free(PxfSetup *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfSetup, pxf_setup_free)

/* What the OS profile plugin of @host's profile says of it
 * (PxfPluginDesc.check_host): each problem an error in @diags at the
 * variable's file:line:column (else the profile's), naming the profile and
 * the host. Nothing when the plugin is not enabled or has no check_host. */
void pxf_setup_check_host(PxfSetup *self, const PxfHost *host, GPtrArray *diags);
/* pxf_setup_check_host() for every inventory host, then sorts @diags. */
void pxf_setup_check_hosts(PxfSetup *self, GPtrArray *diags);

/* The validated section of an enabled plugin (a new object, owned by the caller). */
PxfConfSection *pxf_setup_plugin_section(PxfSetupPlugin *plugin, GPtrArray *diags);

/* The keys of the "daemon" section (for documentation checks). */
const PxfConfKey *pxf_setup_daemon_keys(void);

/* Prints diagnostics to stderr, errors and warnings, sorted by file and line. */
void pxf_setup_print_diags(GPtrArray *diags);

G_END_DECLS
