/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which TFTP/HTTP paths belong to the UEFI chain. The firmware fetches the
 * boot file (shimx64.efi or grubnetx64.efi), shim fetches grubx64.efi from
 * the same directory, and GRUB reads its configuration from its prefix:
 * Debian's and Ubuntu's network GRUB use /grub, d-i's own build
 * /debian-installer/<arch>/grub, GRUB images from install media /boot/grub,
 * and the RHEL family's GRUB the directory it was loaded from (efi/<distro>
 * for a vendor chain). Before grub.cfg, GRUB asks for x86_64-efi/ *.lst and
 * x86_64-efi/grub.cfg, and some builds for grub.cfg-01-<mac> and
 * grub.cfg-<hex IP>: answered at once, except the MAC one and, under
 * /grub, the lists and modules of Debian's GRUB, which are served. */
#define G_LOG_DOMAIN "pxf-grub-efi"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-grub-efi.h"

/* Longer components are not ours and are refused before any look-up. */
#define PXF_GRUB_EFI_MAX_NAME 128

G_DEFINE_QUARK(pxf - grub - efi - error - quark, pxf_grub_efi_error)

void
pxf_grub_efi_path_info_clear(PxfGrubEfiPathInfo *info)
{
	g_clear_pointer(&info->mac, g_free);
	g_clear_pointer(&info->distro, g_free);
	g_clear_pointer(&info->file, g_free);
}

gchar *
pxf_grub_efi_parse_mac(const gchar *text)
{
	/* one kind of separator throughout, the first one's */
	if (text == NULL || strlen(text) != 17 || (text[2] != '-' && text[2] != ':'))
		return NULL;
	return pxf_bootloader_parse_mac(text, text[2]);
}

/* The entries of one of GRUB's configuration directories. */
static PxfGrubEfiPath
pxf_grub_efi_classify_cfg_dir(gchar **rest, guint n_rest, PxfGrubEfiPathInfo *info)
{
	const gchar *name = rest[0];

	if (n_rest == 2 && g_strcmp0(name, "x86_64-efi") == 0) {
		/* normal.mod's command/fs/crypto/terminal lists and Debian's
		 * embedded config's first guess; modules stay the transport's */
		if (g_str_has_suffix(rest[1], ".lst") || g_strcmp0(rest[1], "grub.cfg") == 0)
			return PXF_GRUB_EFI_PATH_PROBE;
		return PXF_GRUB_EFI_PATH_OTHER;
	}
	if (n_rest != 1)
		return PXF_GRUB_EFI_PATH_OTHER;
	if (g_strcmp0(name, "grub.cfg") == 0)
		return PXF_GRUB_EFI_PATH_CFG;
	if (g_str_has_prefix(name, "grub.cfg-01-")) {
		info->mac = pxf_grub_efi_parse_mac(name + strlen("grub.cfg-01-"));
		return info->mac != NULL ? PXF_GRUB_EFI_PATH_CFG_MAC : PXF_GRUB_EFI_PATH_PROBE;
	}
	/* grub.cfg-<hex IP prefix>, grub.cfg-<UUID>: nobody has those */
	if (g_str_has_prefix(name, "grub.cfg-"))
		return PXF_GRUB_EFI_PATH_PROBE;
	return PXF_GRUB_EFI_PATH_OTHER;
}

/* efi/<distro>/...: a vendor chain's directory, also its GRUB's prefix. */
static PxfGrubEfiPath
pxf_grub_efi_classify_vendor(gchar **parts, guint n, PxfGrubEfiPathInfo *info)
{
	PxfGrubEfiPath kind;

	if (n < 3 || !pxf_bootloader_is_plain_name(parts[1], PXF_GRUB_EFI_MAX_NAME))
		return PXF_GRUB_EFI_PATH_OTHER;
	kind = pxf_grub_efi_classify_cfg_dir(parts + 2, n - 2, info);
	if (kind != PXF_GRUB_EFI_PATH_OTHER || n != 3) {
		if (kind == PXF_GRUB_EFI_PATH_CFG || kind == PXF_GRUB_EFI_PATH_CFG_MAC)
			info->distro = g_strdup(parts[1]);
		return kind;
	}
	if (!pxf_bootloader_is_plain_name(parts[2], PXF_GRUB_EFI_MAX_NAME))
		return PXF_GRUB_EFI_PATH_OTHER;
	info->distro = g_strdup(parts[1]);
	info->file = g_strdup(parts[2]);
	return PXF_GRUB_EFI_PATH_VENDOR;
}

/* boot/<mac-dashes>/vmlinuz and initrd.img: the host's installer. */
static PxfGrubEfiPath
pxf_grub_efi_classify_boot(gchar **parts, guint n, PxfGrubEfiPathInfo *info)
{
	gboolean kernel;

	if (n != 3)
		return PXF_GRUB_EFI_PATH_OTHER;
	if (g_strcmp0(parts[2], "vmlinuz") == 0)
		kernel = TRUE;
	else if (g_strcmp0(parts[2], "initrd.img") == 0)
		kernel = FALSE;
	else
		return PXF_GRUB_EFI_PATH_OTHER;
	/* dashes only: the names the templates use */
	if (strchr(parts[1], ':') != NULL)
		return PXF_GRUB_EFI_PATH_OTHER;
	info->mac = pxf_grub_efi_parse_mac(parts[1]);
	if (info->mac == NULL)
		return PXF_GRUB_EFI_PATH_OTHER;
	return kernel ? PXF_GRUB_EFI_PATH_HOST_KERNEL : PXF_GRUB_EFI_PATH_HOST_INITRD;
}

PxfGrubEfiPath
pxf_grub_efi_classify_path(const gchar *path, PxfGrubEfiPathInfo *info)
{
	g_auto(GStrv) parts = NULL;
	guint n;

	g_return_val_if_fail(info != NULL, PXF_GRUB_EFI_PATH_OTHER);
	g_return_val_if_fail(info->mac == NULL && info->distro == NULL && info->file == NULL,
			     PXF_GRUB_EFI_PATH_OTHER);

	if (path == NULL)
		return PXF_GRUB_EFI_PATH_OTHER;
	/* transports hand over relative paths; tolerate one that is not */
	while (path[0] == '/')
		path++;
	if (strlen(path) > 1024)
		return PXF_GRUB_EFI_PATH_OTHER;
	if (g_strcmp0(path, PXF_GRUB_EFI_SHIM_NAME) == 0)
		return PXF_GRUB_EFI_PATH_SHIM;
	if (g_strcmp0(path, PXF_GRUB_EFI_SIGNED_NAME) == 0)
		return PXF_GRUB_EFI_PATH_GRUB_SIGNED;
	if (g_strcmp0(path, PXF_GRUB_EFI_UNSIGNED_NAME) == 0)
		return PXF_GRUB_EFI_PATH_GRUB;
	if (g_strcmp0(path, PXF_GRUB_EFI_HTTP_CHECK) == 0)
		return PXF_GRUB_EFI_PATH_HTTP_CHECK;

	parts = g_strsplit(path, "/", 8);
	n = g_strv_length(parts);
	for (guint i = 0; i < n; i++) {
		/* an empty or over-long component, or one with a '/' left
		 * over from the split limit, is nothing GRUB asks for */
		if (parts[i][0] == '\0' || strlen(parts[i]) > PXF_GRUB_EFI_MAX_NAME ||
		    strchr(parts[i], '/') != NULL)
			return PXF_GRUB_EFI_PATH_OTHER;
	}
	if (n >= 2 && g_strcmp0(parts[0], "grub") == 0) {
		/* Debian's GRUB's own modules and lists, which pxeforge serves */
		if (n == 3 && g_strcmp0(parts[1], "x86_64-efi") == 0 &&
		    g_strcmp0(parts[2], "grub.cfg") != 0 &&
		    pxf_bootloader_is_plain_name(parts[2], PXF_GRUB_EFI_MAX_NAME)) {
			info->file = g_strdup(parts[2]);
			return PXF_GRUB_EFI_PATH_MODULE;
		}
		if (n == 3 && g_strcmp0(parts[1], "menu") == 0) {
			if (g_strcmp0(parts[2], "vmlinuz") == 0)
				return PXF_GRUB_EFI_PATH_MENU_KERNEL;
			if (g_strcmp0(parts[2], "initrd.img") == 0)
				return PXF_GRUB_EFI_PATH_MENU_INITRD;
			return PXF_GRUB_EFI_PATH_OTHER;
		}
		return pxf_grub_efi_classify_cfg_dir(parts + 1, n - 1, info);
	}
	if (n >= 3 && g_strcmp0(parts[0], "boot") == 0 && g_strcmp0(parts[1], "grub") == 0)
		return pxf_grub_efi_classify_cfg_dir(parts + 2, n - 2, info);
	if (n >= 4 && g_strcmp0(parts[0], "debian-installer") == 0 &&
	    pxf_bootloader_is_plain_name(parts[1], 16) && g_strcmp0(parts[2], "grub") == 0)
		return pxf_grub_efi_classify_cfg_dir(parts + 3, n - 3, info);
	if (g_strcmp0(parts[0], PXF_GRUB_EFI_VENDOR_DIR) == 0)
		return pxf_grub_efi_classify_vendor(parts, n, info);
	if (g_strcmp0(parts[0], "boot") == 0)
		return pxf_grub_efi_classify_boot(parts, n, info);
	return PXF_GRUB_EFI_PATH_OTHER;
}
