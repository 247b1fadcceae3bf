/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The files a bootloader plugin serves straight from the distribution's
 * packages (syslinux modules, iPXE images, GRUB's parts): names checked
 * before the file system is touched, then looked up in an ordered list of
 * directories. glib only: the plugins' fuzz targets compile this file. */
#define G_LOG_DOMAIN "pxf-bootloader"

#include <string.h>

#include "pxf-bootloader.h"

gboolean
pxf_bootloader_is_plain_name(const gchar *text, gsize max_len)
{
	gsize len;

	if (text == NULL)
		return FALSE;
	len = strlen(text);
	if (len == 0 || len > max_len || text[0] == '.')
		return FALSE;
	/* no directories, nothing a shell or a path treats specially */
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(text[i]) && text[i] != '.' && text[i] != '_' && text[i] != '-')
			return FALSE;
	}
	return TRUE;
}

gchar *
pxf_bootloader_find_file(const gchar *const *dirs, const gchar *name)
{
	for (guint i = 0; dirs != NULL && dirs[i] != NULL; i++) {
		g_autofree gchar *path = NULL;

		if (dirs[i][0] == '\0')
			continue;
		path = g_build_filename(dirs[i], name, NULL);
		/* follows symlinks: Debian links /usr/lib/ipxe/ipxe.efi to /boot */
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			return g_steal_pointer(&path);
	}
	return NULL;
}

gchar *
pxf_bootloader_dirs_to_string(const gchar *const *dirs)
{
	return dirs != NULL ? g_strjoinv(", ", (gchar **)dirs) : g_strdup("");
}

gboolean
pxf_bootloader_has_scheme(const gchar *text, const gchar *const *schemes)
{
	for (guint i = 0; text != NULL && schemes != NULL && schemes[i] != NULL; i++) {
		if (g_str_has_prefix(text, schemes[i]))
			return TRUE;
	}
	return FALSE;
}

gchar *
pxf_bootloader_url_join(const gchar *base, const gchar *path)
{
	gsize len = strlen(base);

	/* base URLs are written with or without their final slash */
	while (len > 0 && base[len - 1] == '/')
		len--;
	return g_strdup_printf("%.*s/%s", (gint)MIN(len, (gsize)G_MAXINT), base, path);
}

gchar *
pxf_bootloader_parse_mac(const gchar *text, gchar separator)
{
	guint8 octets[6];

	if (text == NULL || strlen(text) != 17)
		return NULL;
	for (guint i = 0; i < 6; i++) {
		const gchar *p = text + i * 3;
		gint hi = g_ascii_xdigit_value(p[0]);
		gint lo = g_ascii_xdigit_value(p[1]);

		if (hi < 0 || lo < 0)
			return NULL;
		if (i < 5 && p[2] != separator)
			return NULL;
		octets[i] = (guint8)(hi << 4 | lo);
	}
	return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", octets[0], octets[1], octets[2],
			       octets[3], octets[4], octets[5]);
}
