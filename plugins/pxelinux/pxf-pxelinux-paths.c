/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which TFTP/HTTP paths belong to pxelinux. pxelinux asks, in this order,
 * for pxelinux.cfg/<UUID>, pxelinux.cfg/01-<mac>, eight hex-IP prefixes
 * (C0A80A05, C0A80A0, ... C) and pxelinux.cfg/default; every miss costs a
 * TFTP round trip, so the ones pxeforge never has are refused at once. */
#define G_LOG_DOMAIN "pxf-pxelinux"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-pxelinux.h"

#define PXF_PXELINUX_CFG_DIR  "pxelinux.cfg/"
#define PXF_PXELINUX_BOOT_DIR "boot/"

gchar *
pxf_pxelinux_parse_mac(const gchar *text, gchar separator)
{
	return pxf_bootloader_parse_mac(text, separator);
}

/* 8-4-4-4-12 hex digits. */
static gboolean
pxf_pxelinux_is_uuid(const gchar *text)
{
	static const guint8 dashes[] = {8, 13, 18, 23};
	guint next = 0;

	if (strlen(text) != 36)
		return FALSE;
	for (guint i = 0; i < 36; i++) {
		if (next < G_N_ELEMENTS(dashes) && i == dashes[next]) {
			if (text[i] != '-')
				return FALSE;
			next++;
		} else if (!g_ascii_isxdigit(text[i])) {
			return FALSE;
		}
	}
	return TRUE;
}

/* One to eight hex digits: a prefix of the client's address in hex. */
static gboolean
pxf_pxelinux_is_hex_ip(const gchar *text)
{
	gsize len = strlen(text);

	if (len == 0 || len > 8)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isxdigit(text[i]))
			return FALSE;
	}
	return TRUE;
}

static PxfPxelinuxPath
pxf_pxelinux_classify_cfg(const gchar *name, gchar **mac_out)
{
	if (g_strcmp0(name, "default") == 0)
		return PXF_PXELINUX_PATH_CFG_DEFAULT;
	if (g_str_has_prefix(name, "01-")) {
		gchar *mac = pxf_pxelinux_parse_mac(name + 3, '-');
		if (mac == NULL)
			return PXF_PXELINUX_PATH_CFG_PROBE;
		*mac_out = mac;
		return PXF_PXELINUX_PATH_CFG_MAC;
	}
	if (pxf_pxelinux_is_uuid(name) || pxf_pxelinux_is_hex_ip(name))
		return PXF_PXELINUX_PATH_CFG_PROBE;
	/* anything else an operator may have put in the TFTP root */
	return PXF_PXELINUX_PATH_OTHER;
}

static PxfPxelinuxPath
pxf_pxelinux_classify_boot(const gchar *rest, gchar **mac_out)
{
	const gchar *slash = strchr(rest, '/');
	g_autofree gchar *dir = NULL;
	const gchar *file;
	gboolean kernel;

	if (slash == NULL)
		return PXF_PXELINUX_PATH_OTHER;
	file = slash + 1;
	if (g_strcmp0(file, "vmlinuz") == 0)
		kernel = TRUE;
	else if (g_strcmp0(file, "initrd.img") == 0)
		kernel = FALSE;
	else
		return PXF_PXELINUX_PATH_OTHER;
	dir = g_strndup(rest, (gsize)(slash - rest));
	if (g_strcmp0(dir, "menu") == 0)
		return kernel ? PXF_PXELINUX_PATH_MENU_KERNEL : PXF_PXELINUX_PATH_MENU_INITRD;
	*mac_out = pxf_pxelinux_parse_mac(dir, '-');
	if (*mac_out == NULL)
		return PXF_PXELINUX_PATH_OTHER;
	return kernel ? PXF_PXELINUX_PATH_HOST_KERNEL : PXF_PXELINUX_PATH_HOST_INITRD;
}

PxfPxelinuxPath
pxf_pxelinux_classify_path(const gchar *path, gchar **mac_out)
{
	g_return_val_if_fail(mac_out != NULL && *mac_out == NULL, PXF_PXELINUX_PATH_OTHER);

	if (path == NULL)
		return PXF_PXELINUX_PATH_OTHER;
	/* transports hand over relative paths; tolerate one that is not */
	while (path[0] == '/')
		path++;
	if (g_str_has_prefix(path, PXF_PXELINUX_CFG_DIR))
		return pxf_pxelinux_classify_cfg(path + strlen(PXF_PXELINUX_CFG_DIR), mac_out);
	if (g_str_has_prefix(path, PXF_PXELINUX_BOOT_DIR))
		return pxf_pxelinux_classify_boot(path + strlen(PXF_PXELINUX_BOOT_DIR), mac_out);
	if (g_strcmp0(path, "memtest") == 0)
		return PXF_PXELINUX_PATH_MEMTEST;
	if (pxf_pxelinux_is_syslinux_file(path))
		return PXF_PXELINUX_PATH_SYSLINUX;
	return PXF_PXELINUX_PATH_OTHER;
}
