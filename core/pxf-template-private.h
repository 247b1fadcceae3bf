/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What pxf-template.c (parser, renderer) and pxf-template-partials.c
 * (finding partials, checking a template and its partials) share. */

#include "pxf-template.h"

G_BEGIN_DECLS

/* partials nested deeper than this are refused (a partial including itself
 * without a section to end it) */
#define PXF_TEMPLATE_MAX_PARTIAL_DEPTH 32

typedef enum {
	PXF_NODE_TEXT,
	PXF_NODE_VAR,
	PXF_NODE_SECTION,
	PXF_NODE_INVERTED,
	PXF_NODE_PARTIAL,
} PxfNodeKind;

typedef struct {
	PxfNodeKind kind;
	gboolean starts_line; /* first thing on a source line: partial indentation goes here */
	guint line;
	gsize start; /* TEXT: range in the template's source */
	gsize len;
	gchar *name;	     /* tag name, trimmed */
	gchar **path;	     /* name split on '.', NULL for the implicit iterator */
	gchar *indent;	     /* PARTIAL: indentation of a standalone tag, else NULL */
	GPtrArray *children; /* SECTION, INVERTED */
} PxfNode;

struct _PxfTemplate {
	gchar *name;
	gchar *source;
	gsize len;
	GPtrArray *nodes;
	gsize max_output;
	guint64 max_steps;
};

/* Names and tag contents come from untrusted files: make them printable
 * and short before they go into an error message. */
gchar *pxf_template_display(const gchar *text, gssize len);
/* A template's name (its path) in full, since errors give it as file:line;
 * it is the site's choice or a partial's file, never a client's text. */
gchar *pxf_template_display_name(PxfTemplate *tpl);

G_END_DECLS
