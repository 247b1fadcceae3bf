/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The syslinux files pxelinux fetches after itself (ldlinux.c32, the menu
 * modules, memdisk), served straight from the distribution's packages so
 * that nobody copies them into a TFTP root by hand, and they can never be
 * out of step with pxelinux.0 after an upgrade. */
#define G_LOG_DOMAIN "pxf-pxelinux"

#include <string.h>

#include "pxf-pxelinux.h"

/* Longest module name syslinux ships is well under this; a longer request is
 * not one of ours and is refused before touching the file system. */
#define PXF_PXELINUX_MAX_NAME 64

G_DEFINE_QUARK(pxf - pxelinux - error - quark, pxf_pxelinux_error)

gboolean
pxf_pxelinux_is_syslinux_file(const gchar *name)
{
	gsize len;

	if (name == NULL)
		return FALSE;
	len = strlen(name);
	if (len == 0 || len > PXF_PXELINUX_MAX_NAME || name[0] == '.')
		return FALSE;
	/* a plain file name: no directories, nothing a shell or a path treats specially */
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(name[i]) && name[i] != '.' && name[i] != '_' && name[i] != '-')
			return FALSE;
	}
	if (g_strcmp0(name, "pxelinux.0") == 0 || g_strcmp0(name, "lpxelinux.0") == 0 ||
	    g_strcmp0(name, "memdisk") == 0)
		return TRUE;
	return len > 4 && g_str_has_suffix(name, ".c32");
}

gchar *
pxf_pxelinux_find_syslinux_file(const gchar *const *dirs, const gchar *name, GError **error)
{
	g_autofree gchar *searched = NULL;

	if (!pxf_pxelinux_is_syslinux_file(name)) {
		g_set_error(error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_NOT_FOUND,
			    "'%s' is not a syslinux file", name != NULL ? name : "");
		return NULL;
	}
	for (guint i = 0; dirs != NULL && dirs[i] != NULL; i++) {
		g_autofree gchar *path = NULL;

		if (dirs[i][0] == '\0')
			continue;
		path = g_build_filename(dirs[i], name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			return g_steal_pointer(&path);
	}
	searched = dirs != NULL ? g_strjoinv(", ", (gchar **)dirs) : g_strdup("");
	g_set_error(error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_NOT_FOUND,
		    "%s not found in syslinux_dirs (%s); install the pxelinux and "
		    "syslinux-common packages (Debian) or syslinux (RHEL)",
		    name, searched);
	return NULL;
}
