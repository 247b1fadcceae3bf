/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a normalised request path asks for. "ks/" and "api/" are the
 * plugin's own: nothing under them is ever looked up as a file. */
typedef enum {
	PXF_HTTP_ROUTE_FILE,	  /* a file from file.open, a tree or the root */
	PXF_HTTP_ROUTE_KS,	  /* ks/<mac>: a host's answer file */
	PXF_HTTP_ROUTE_REPORT,	  /* api/v1/hosts/<mac>/done|failed */
	PXF_HTTP_ROUTE_NOT_FOUND, /* under ks/ or api/ but nothing there */
} PxfHttpRouteKind;

typedef struct {
	PxfHttpRouteKind kind;
	gchar mac[18]; /* canonical, for KS and REPORT */
	gboolean done; /* REPORT: done (TRUE) or failed */
} PxfHttpRoute;

void pxf_http_route_parse(const gchar *path, PxfHttpRoute *route);

/* Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabbccddeeff and
 * aabb.ccdd.eeff in either case; writes the canonical lower-case colon form. */
gboolean pxf_http_mac_parse(const gchar *text, gchar out[18]);

/* application/x-www-form-urlencoded (a query string or a form body) into
 * name → value; the first of repeated names wins, pairs that do not decode or
 * hold a NUL byte are skipped, at most 64 pairs are read. */
GHashTable *pxf_http_form_parse(const gchar *text, gsize len);

typedef enum {
	PXF_HTTP_RANGE_NONE,	      /* no usable Range: send everything */
	PXF_HTTP_RANGE_PARTIAL,	      /* send [offset, offset + length) with 206 */
	PXF_HTTP_RANGE_UNSATISFIABLE, /* 416 */
} PxfHttpRange;

/* A single "bytes=" range of a Range header against a file of size bytes;
 * several ranges or a syntax error mean NONE (allowed by RFC 9110). */
PxfHttpRange
pxf_http_range_parse(const gchar *header, guint64 size, guint64 *offset, guint64 *length);

/* From the extension; text/plain when unknown. */
const gchar *pxf_http_content_type(const gchar *path);

G_END_DECLS
