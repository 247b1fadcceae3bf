/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXF_PLUGIN_H_INSIDE) && !defined(PXF_COMPILATION)
#error "Only <pxeforge/plugin.h> can be included directly."
#endif

#include <glib.h>

#include "pxf-conf.h"

G_BEGIN_DECLS

/* Bump PXF_ABI_MAJOR on any incompatible change to the descriptor, the hook
 * argument structs or a function's signature; PXF_ABI_MINOR when only adding. */
#define PXF_ABI_MAJOR 1
#define PXF_ABI_MINOR 1

/* The one symbol a plugin module exports. */
#define PXF_PLUGIN_SYMBOL      pxf_plugin_descriptor
#define PXF_PLUGIN_SYMBOL_NAME "pxf_plugin_descriptor"

typedef enum {
	PXF_PLUGIN_KIND_INVALID = 0,
	PXF_PLUGIN_KIND_TRANSPORT,
	PXF_PLUGIN_KIND_BOOTLOADER,
	PXF_PLUGIN_KIND_PROFILE,
	PXF_PLUGIN_KIND_SITE,
} PxfPluginKind;

/* Privileges a plugin needs after the daemon drops root; the daemon keeps the
 * union of what the enabled plugins declare and nothing else. */
typedef enum {
	PXF_PLUGIN_CAP_NONE = 0,
	PXF_PLUGIN_CAP_NET_BIND_SERVICE = 1 << 0, /* ports below 1024 (re)bound later */
	PXF_PLUGIN_CAP_NET_RAW = 1 << 1,	  /* answer clients that have no address */
	PXF_PLUGIN_CAP_NET_ADMIN = 1 << 2,	  /* SO_BINDTODEVICE, ARP entries */
} PxfPluginCaps;

typedef struct _PxfPluginContext PxfPluginContext;

typedef gboolean (*PxfPluginInitFunc)(PxfPluginContext *ctx, GError **error);
typedef void (*PxfPluginFiniFunc)(PxfPluginContext *ctx);

typedef struct {
	guint32 abi_major;
	guint32 abi_minor;
	const gchar *name; /* must equal the module file name without ".so" */
	PxfPluginKind kind;
	const gchar *version;
	const gchar *license; /* SPDX expression */
	const gchar *description;
	const gchar *const *requires;  /* NULL-terminated plugin names, or NULL */
	const PxfConfKey *config_keys; /* terminated by an entry with key == NULL */
	guint32 capabilities;	       /* PxfPluginCaps */
	PxfPluginInitFunc init;
	PxfPluginFiniFunc fini;
	gpointer reserved[8];
} PxfPluginDesc;

/* Usage:
 *   PXF_PLUGIN_DEFINE(.name = "hello", .kind = PXF_PLUGIN_KIND_SITE,
 *                     .version = "1.0", .license = "MIT", .init = hello_init);
 */
#define PXF_PLUGIN_DEFINE(...)                                                                     \
	G_MODULE_EXPORT const PxfPluginDesc PXF_PLUGIN_SYMBOL = {                                  \
		.abi_major = PXF_ABI_MAJOR, .abi_minor = PXF_ABI_MINOR, __VA_ARGS__}

#define PXF_REQUIRES(...) ((const gchar *const[]){__VA_ARGS__, NULL})

const gchar *pxf_plugin_kind_to_string(PxfPluginKind kind);

G_END_DECLS
