/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: a path as a TFTP or HTTP client sends it, classified
 * the way file.open does. Checks that nothing crashes and that what comes
 * out is consistent: a canonical MAC exactly for the per-host kinds, a
 * distro and file name that are plain names for the vendor and module
 * kinds. */
#define G_LOG_DOMAIN "pxf-fuzz"

#include <string.h>

#include "../pxf-grub-efi.h"
#include "pxf-bootloader.h"

int LLVMFuzzerTestOneInput(const guint8 *data, gsize size);

int
LLVMFuzzerTestOneInput(const guint8 *data, gsize size)
{
	g_autofree gchar *path = g_strndup((const gchar *)data, size);
	PxfGrubEfiPathInfo info = {.mac = NULL};
	PxfGrubEfiPath kind = pxf_grub_efi_classify_path(path, &info);
	gboolean wants_mac = kind == PXF_GRUB_EFI_PATH_CFG_MAC ||
			     kind == PXF_GRUB_EFI_PATH_HOST_KERNEL ||
			     kind == PXF_GRUB_EFI_PATH_HOST_INITRD;

	g_assert_true(wants_mac == (info.mac != NULL));
	if (info.mac != NULL) {
		g_autofree gchar *again = pxf_grub_efi_parse_mac(info.mac);
		g_assert_cmpuint(strlen(info.mac), ==, 17);
		g_assert_cmpstr(again, ==, info.mac);
	}
	g_assert_true((kind == PXF_GRUB_EFI_PATH_VENDOR || kind == PXF_GRUB_EFI_PATH_MODULE) ==
		      (info.file != NULL));
	/* what is looked up in a directory is a plain name, never a path */
	if (info.file != NULL)
		g_assert_true(pxf_bootloader_is_plain_name(info.file, 128));
	if (kind == PXF_GRUB_EFI_PATH_VENDOR)
		g_assert_true(pxf_bootloader_is_plain_name(info.distro, 128));
	pxf_grub_efi_path_info_clear(&info);
	return 0;
}
