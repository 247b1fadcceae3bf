/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The syslinux files pxelinux fetches after itself (ldlinux.c32, the menu
 * modules, memdisk), served straight from the distribution's packages so
 * that nobody copies them into a TFTP root by hand, and they can never be
 * out of step with pxelinux.0 after an upgrade. */
#define G_LOG_DOMAIN "pxf-pxelinux"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-pxelinux.h"

/* Longest module name syslinux ships is well under this; a longer request is
 * not one of ours and is refused before touching the file system. */
#define PXF_PXELINUX_MAX_NAME 64

G_DEFINE_QUARK(pxf - pxelinux - error - quark, pxf_pxelinux_error)

gboolean
pxf_pxelinux_is_syslinux_file(const gchar *name)
{
	if (!pxf_bootloader_is_plain_name(name, PXF_PXELINUX_MAX_NAME))
		return FALSE;
	if (g_strcmp0(name, "pxelinux.0") == 0 || g_strcmp0(name, "lpxelinux.0") == 0 ||
	    g_strcmp0(name, "memdisk") == 0)
		return TRUE;
	return strlen(name) > 4 && g_str_has_suffix(name, ".c32");
}

gchar *
pxf_pxelinux_find_syslinux_file(const gchar *const *dirs, const gchar *name, GError **error)
{
	g_autofree gchar *path = NULL;
	g_autofree gchar *searched = NULL;

	if (!pxf_pxelinux_is_syslinux_file(name)) {
		g_set_error(error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_NOT_FOUND,
			    "'%s' is not a syslinux file", name != NULL ? name : "");
		return NULL;
	}
	path = pxf_bootloader_find_file(dirs, name);
	if (path != NULL)
		return g_steal_pointer(&path);
	searched = pxf_bootloader_dirs_to_string(dirs);
	g_set_error(error, PXF_PXELINUX_ERROR, PXF_PXELINUX_ERROR_NOT_FOUND,
		    "%s not found in syslinux_dirs (%s); install the pxelinux and "
		    "syslinux-common packages (Debian) or syslinux (RHEL)",
		    name, searched);
	return NULL;
}
