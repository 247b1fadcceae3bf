/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxeforge/pxf-plugin-desc.h>

G_BEGIN_DECLS

#define PXF_LOADER_ERROR pxf_loader_error_quark()
GQuark pxf_loader_error_quark(void);

/* Each refusal has its own code so that tests and `pxeforge plugins` can tell
 * them apart; every message names the module file. */
typedef enum {
	PXF_LOADER_ERROR_FAILED,
	PXF_LOADER_ERROR_NOT_FOUND,	/* no such plugin installed */
	PXF_LOADER_ERROR_UNSAFE_MODE,	/* group- or world-writable file */
	PXF_LOADER_ERROR_UNSAFE_OWNER,	/* not owned by root (outside test mode) */
	PXF_LOADER_ERROR_OPEN,		/* the dynamic linker refused it */
	PXF_LOADER_ERROR_NO_DESCRIPTOR, /* no pxf_plugin_descriptor symbol */
	PXF_LOADER_ERROR_ABI,		/* ABI major differs, or minor is newer */
	PXF_LOADER_ERROR_NAME_MISMATCH, /* descriptor name is not the file name */
	PXF_LOADER_ERROR_INVALID,	/* descriptor incomplete (kind, init, ...) */
	PXF_LOADER_ERROR_REQUIREMENT,	/* a required plugin is missing or refused */
} PxfLoaderError;

typedef struct _PxfPlugin PxfPlugin;

const PxfPluginDesc *pxf_plugin_get_desc(PxfPlugin *self);
const gchar *pxf_plugin_get_name(PxfPlugin *self);
const gchar *pxf_plugin_get_path(PxfPlugin *self);

typedef struct _PxfPluginLoader PxfPluginLoader;

/* dir NULL: the versioned plugin directory, or $PXEFORGE_PLUGIN_DIR when
 * $PXEFORGE_TEST=1 (test mode, which also skips the root-owner check but
 * never the writable check). */
PxfPluginLoader *pxf_plugin_loader_new(const gchar *dir);
void pxf_plugin_loader_free(PxfPluginLoader *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfPluginLoader, pxf_plugin_loader_free)

const gchar *pxf_plugin_loader_get_dir(PxfPluginLoader *self);
gboolean pxf_plugin_loader_get_test_mode(PxfPluginLoader *self);
/* Names of the modules installed in the directory (NAME.so), sorted. */
GPtrArray *pxf_plugin_loader_list_installed(PxfPluginLoader *self, GError **error);
/* Opens (once; later calls return the same plugin) and checks one module.
 * Modules stay resident: code that may still have callbacks queued is never
 * unmapped. */
PxfPlugin *pxf_plugin_loader_open(PxfPluginLoader *self, const gchar *name, GError **error);

/* Orders the wanted plugins so that every plugin comes after what it
 * requires; ties keep the order of `wanted` (configuration order). Plugins
 * that cannot be opened, or whose requirements are not wanted or were
 * refused, are left out and reported in refused (name → GError*). */
GPtrArray *pxf_plugin_loader_resolve(PxfPluginLoader *self, GPtrArray *wanted, GHashTable *refused);

G_END_DECLS
