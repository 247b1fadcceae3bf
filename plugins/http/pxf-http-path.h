/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The http plugin's error domain; each code maps to one HTTP status. */
#define PXF_HTTP_ERROR pxf_http_error_quark()
GQuark pxf_http_error_quark(void);

typedef enum {
	PXF_HTTP_ERROR_FAILED,	  /* 500 */
	PXF_HTTP_ERROR_INVALID,	  /* 400: malformed request */
	PXF_HTTP_ERROR_FORBIDDEN, /* 403: refused (traversal, directory, ...) */
	PXF_HTTP_ERROR_NOT_FOUND, /* 404 */
} PxfHttpError;

guint pxf_http_error_to_status(const GError *error);

/* Longest raw request path accepted, in bytes, before decoding. */
#define PXF_HTTP_PATH_MAX 4096

/* Decodes %XX escapes once (and '+' as a space when plus_is_space, for form
 * data). A '%' not followed by two hex digits is an error. The result may
 * contain NUL bytes: *out_len says how long it is. */
gchar *pxf_http_percent_decode(
	const gchar *text, gsize len, gboolean plus_is_space, gsize *out_len, GError **error);

/* Turns the path of a request target (without the query) into the relative
 * path it names: decoded once, refused when it holds NUL, '\', control
 * characters, invalid UTF-8 or a ".." segment; empty and "." segments are
 * dropped. The result never starts with '/', never contains "//" and has no
 * "." or ".." segment; "" names the root. */
gchar *pxf_http_path_normalise(const gchar *raw, gsize len, GError **error);

/* Whether path is what pxf_http_path_normalise() can return. */
gboolean pxf_http_path_is_normal(const gchar *path);

/* Escaped and shortened for a log line: never more than about 200 bytes. */
gchar *pxf_http_path_for_log(const gchar *raw, gsize len);

G_END_DECLS
