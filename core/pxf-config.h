/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxeforge/pxf-conf.h>

#include "pxf-diag.h"

G_BEGIN_DECLS

#define PXF_CONFIG_ERROR pxf_config_error_quark()
GQuark pxf_config_error_quark(void);

typedef enum {
	PXF_CONFIG_ERROR_FAILED,
	PXF_CONFIG_ERROR_INVALID, /* the configuration has errors; see the diagnostics */
} PxfConfigError;

/* Limits of the parser: hostile input costs at most this much. */
#define PXF_CONF_MAX_DEPTH     64
#define PXF_CONF_MAX_NODES     1000000
#define PXF_CONF_MAX_FILE_SIZE (16 * 1024 * 1024)

typedef enum {
	PXF_CONF_NODE_SCALAR,
	PXF_CONF_NODE_MAP,
	PXF_CONF_NODE_SEQ,
} PxfConfNodeKind;

/* A YAML node that remembers where it was written. Reference counted so that
 * merged trees can share subtrees. */
typedef struct _PxfConfNode PxfConfNode;
struct _PxfConfNode {
	gint ref_count;
	PxfConfNodeKind kind;
	gchar *file;	  /* path as given to the parser */
	guint line;	  /* 1-based */
	guint column;	  /* 1-based */
	gchar *scalar;	  /* SCALAR: the text; "" for an empty value */
	gboolean plain;	  /* SCALAR: unquoted (so "null", "true" may be special) */
	GPtrArray *keys;  /* MAP: PxfConfNode* scalar key nodes, in document order */
	GPtrArray *items; /* MAP: values, parallel to keys; SEQ: the elements */
};

PxfConfNode *pxf_conf_node_new(PxfConfNodeKind kind, const gchar *file, guint line, guint column);
PxfConfNode *pxf_conf_node_ref(PxfConfNode *node);
void pxf_conf_node_unref(PxfConfNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfConfNode, pxf_conf_node_unref)

/* MAP only; NULL when absent. The key node is returned in key_node if asked. */
PxfConfNode *pxf_conf_node_lookup(PxfConfNode *map, const gchar *key, PxfConfNode **key_node);
/* Adds or replaces; takes a reference to both nodes. */
void pxf_conf_node_map_set(PxfConfNode *map, PxfConfNode *key_node, PxfConfNode *value);
const gchar *pxf_conf_node_kind_to_string(PxfConfNodeKind kind);
/* A plain scalar "~", "null", "Null", "NULL" or an empty value. */
gboolean pxf_conf_node_is_null(PxfConfNode *node);
/* YAML 1.1/1.2 booleans as sites write them: true/false/yes/no/on/off. */
gboolean pxf_conf_node_get_bool(PxfConfNode *node, gboolean *value);
gboolean pxf_conf_node_get_int(PxfConfNode *node, gint64 *value);
/* Convert a subtree to a GVariant for templates: scalars become strings
 * (plain true/false become booleans), maps a{sv}, sequences av.
 * Returns a floating reference, like g_variant_new_*(). */
GVariant *pxf_conf_node_to_variant(PxfConfNode *node);

/* Parse one YAML document. Syntax errors, anchors/aliases, duplicate keys and
 * non-scalar keys are reported to diags with file:line:column; the return is
 * NULL on a syntax error, else a MAP (an empty document is an empty MAP).
 * Nesting deeper than PXF_CONF_MAX_DEPTH or more than PXF_CONF_MAX_NODES
 * values count as syntax errors. */
PxfConfNode *pxf_conf_parse_data(const gchar *file, const gchar *data, gsize len, GPtrArray *diags);
PxfConfNode *pxf_conf_parse_file(const gchar *path, GPtrArray *diags);

/* Merge overlay into base, documented in docs/configuration.md:
 * mappings merge key by key (recursively); any other value in overlay
 * replaces the one in base; top-level "hosts" sequences are concatenated. */
void pxf_conf_merge(PxfConfNode *base, PxfConfNode *overlay, gboolean top_level);

/* DIR/pxeforge.yaml (may be absent) then DIR/conf.d/\*.yaml in byte order of
 * their names, merged. Never NULL: unreadable files are diagnostics. */
PxfConfNode *pxf_conf_load_dir(const gchar *dir, GPtrArray *diags);

/* Validate a MAP (or NULL: all defaults) against a schema: unknown keys, wrong
 * types, out-of-range integers are errors named with path (e.g.
 * "plugins.dhcp"), defaults are filled in. Never NULL. */
PxfConfSection *pxf_conf_section_new(PxfConfNode *node,
				     const PxfConfKey *schema,
				     const gchar *path,
				     GPtrArray *diags);
void pxf_conf_section_free(PxfConfSection *section);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfConfSection, pxf_conf_section_free)
/* The node a key came from, or NULL when the default applies. */
PxfConfNode *pxf_conf_section_get_node(const PxfConfSection *self, const gchar *key);
/* The key path the section was validated with ("plugins.dhcp", "hosts[2]"). */
const gchar *pxf_conf_section_get_path(const PxfConfSection *self);

G_END_DECLS
