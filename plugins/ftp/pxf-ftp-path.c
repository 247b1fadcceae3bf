/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Virtual path resolution. The result is purely textual: what it names on
 * disk is decided by pxf-ftp-fs.c, which also keeps symlinks inside. */
#define G_LOG_DOMAIN "pxf-ftp"

#include "pxf-ftp-path.h"

#include <string.h>

#include "pxf-ftp-command.h"

static gboolean
pxf_ftp_path_chars_ok(const gchar *text, GError **error)
{
	if (!g_utf8_validate(text, -1, NULL)) {
		g_set_error_literal(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT,
				    "the path is not valid UTF-8");
		return FALSE;
	}
	for (const gchar *p = text; *p != '\0'; p++) {
		guchar c = (guchar)*p;
		if (c == '\\') {
			g_set_error_literal(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT,
					    "the path contains a backslash");
			return FALSE;
		}
		if (c < 0x20 || c == 0x7f) {
			g_set_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT,
				    "the path contains the control character 0x%02x", c);
			return FALSE;
		}
	}
	return TRUE;
}

/* Applies the segments of text to out ("" for the root, else "/a/b"). */
static gboolean
pxf_ftp_path_apply(GString *out, const gchar *text, GError **error)
{
	const gchar *p = text;

	while (*p != '\0') {
		const gchar *end = strchr(p, '/');
		gsize seg = end != NULL ? (gsize)(end - p) : strlen(p);

		if (seg == 0 || (seg == 1 && p[0] == '.')) {
			/* empty and "." segments name the same directory */
		} else if (seg == 2 && p[0] == '.' && p[1] == '.') {
			const gchar *slash;
			if (out->len == 0) {
				g_set_error_literal(error, PXF_FTP_ERROR, PXF_FTP_ERROR_DENIED,
						    "'..' climbs above the root");
				return FALSE;
			}
			slash = strrchr(out->str, '/');
			g_string_truncate(out, (gsize)(slash - out->str));
		} else {
			g_string_append_c(out, '/');
			g_string_append_len(out, p, (gssize)seg);
			if (out->len > PXF_FTP_PATH_MAX) {
				g_set_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT,
					    "the path is longer than %u bytes", PXF_FTP_PATH_MAX);
				return FALSE;
			}
		}
		p += seg;
		if (*p == '/')
			p++;
	}
	return TRUE;
}

gchar *
pxf_ftp_path_resolve(const gchar *cwd, const gchar *arg, GError **error)
{
	g_autoptr(GString) out = g_string_new(NULL);

	g_return_val_if_fail(cwd != NULL && cwd[0] == '/', NULL);

	if (arg != NULL && strlen(arg) > PXF_FTP_PATH_MAX) {
		g_set_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_ARGUMENT,
			    "the path is longer than %u bytes", PXF_FTP_PATH_MAX);
		return NULL;
	}
	if (arg != NULL && !pxf_ftp_path_chars_ok(arg, error))
		return NULL;
	/* an absolute argument starts from the virtual root, never the host's */
	if (arg == NULL || arg[0] != '/') {
		if (!pxf_ftp_path_apply(out, cwd, error))
			return NULL;
	}
	if (arg != NULL && !pxf_ftp_path_apply(out, arg, error))
		return NULL;
	if (out->len == 0)
		g_string_append_c(out, '/');
	return g_string_free(g_steal_pointer(&out), FALSE);
}

gboolean
pxf_ftp_path_segment_is_valid(const gchar *name)
{
	if (name == NULL || name[0] == '\0' || g_strcmp0(name, ".") == 0 ||
	    g_strcmp0(name, "..") == 0 || strchr(name, '/') != NULL)
		return FALSE;
	return pxf_ftp_path_chars_ok(name, NULL);
}

gboolean
pxf_ftp_path_is_normal(const gchar *vpath)
{
	g_auto(GStrv) segs = NULL;

	if (vpath == NULL || vpath[0] != '/' || strlen(vpath) > PXF_FTP_PATH_MAX)
		return FALSE;
	if (vpath[1] == '\0')
		return TRUE;
	segs = g_strsplit(vpath + 1, "/", -1);
	for (guint i = 0; segs[i] != NULL; i++) {
		if (!pxf_ftp_path_segment_is_valid(segs[i]))
			return FALSE;
	}
	return TRUE;
}

gchar *
pxf_ftp_path_quote(const gchar *vpath)
{
	GString *out = g_string_sized_new(strlen(vpath) + 2);

	for (const gchar *p = vpath; *p != '\0'; p++) {
		if (*p == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

gchar *
pxf_ftp_path_parent(const gchar *vpath)
{
	const gchar *slash = strrchr(vpath, '/');

	if (slash == NULL || slash == vpath)
		return g_strdup("/");
	return g_strndup(vpath, (gsize)(slash - vpath));
}
