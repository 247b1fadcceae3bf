/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXF_PLUGIN_H_INSIDE) && !defined(PXF_COMPILATION)
#error "Only <pxeforge/plugin.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* The type of a configuration key a plugin declares. The loader validates the
 * merged YAML against these before init, fills in defaults, and reports
 * unknown keys and wrong types with file, line and column. */
typedef enum {
	PXF_CONF_TYPE_STRING = 1,
	PXF_CONF_TYPE_BOOL,
	PXF_CONF_TYPE_INT,
	PXF_CONF_TYPE_STRING_LIST,
	PXF_CONF_TYPE_SECTION,	    /* a mapping validated against .children */
	PXF_CONF_TYPE_SECTION_LIST, /* a sequence of such mappings */
} PxfConfType;

typedef struct _PxfConfKey PxfConfKey;
struct _PxfConfKey {
	const gchar *key;
	PxfConfType type;
	const gchar *default_value; /* textual default, NULL when none */
	const gchar *description;   /* one line, used by the man page */
	const PxfConfKey *children; /* for SECTION and SECTION_LIST */
	gint64 min;		    /* for INT when min < max */
	gint64 max;
	gpointer reserved[2];
};

#define PXF_CONF_KEY_END                                                                           \
	{                                                                                          \
		NULL, 0, NULL, NULL, NULL, 0, 0,                                                   \
		{                                                                                  \
			NULL, NULL                                                                 \
		}                                                                                  \
	}

/* A validated, read-only view of one plugin's section (or a nested one). */
typedef struct _PxfConfSection PxfConfSection;

const gchar *pxf_conf_section_get_string(const PxfConfSection *self, const gchar *key);
gboolean pxf_conf_section_get_bool(const PxfConfSection *self, const gchar *key);
gint64 pxf_conf_section_get_int(const PxfConfSection *self, const gchar *key);
/* NULL-terminated, owned by the section; an empty list when unset. */
const gchar *const *pxf_conf_section_get_strv(const PxfConfSection *self, const gchar *key);
/* For SECTION: the nested section or NULL; for SECTION_LIST use _get_list. */
const PxfConfSection *pxf_conf_section_get_section(const PxfConfSection *self, const gchar *key);
/* Element type: const PxfConfSection *; never NULL. */
GPtrArray *pxf_conf_section_get_list(const PxfConfSection *self, const gchar *key);
/* "file:line:column" of the key's value, for a plugin's own error messages. */
gchar *pxf_conf_section_where(const PxfConfSection *self, const gchar *key);

G_END_DECLS
