/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: a path as a TFTP or HTTP client sends it, classified
 * the way file.open does. Checks that nothing crashes and that what comes
 * out is consistent: a MAC for the per-host kinds, in canonical form. */
#define G_LOG_DOMAIN "pxf-fuzz"

#include <string.h>

#include "../pxf-pxelinux.h"

int LLVMFuzzerTestOneInput(const guint8 *data, gsize size);

int
LLVMFuzzerTestOneInput(const guint8 *data, gsize size)
{
	g_autofree gchar *path = g_strndup((const gchar *)data, size);
	g_autofree gchar *mac = NULL;
	PxfPxelinuxPath kind = pxf_pxelinux_classify_path(path, &mac);
	gboolean wants_mac = kind == PXF_PXELINUX_PATH_CFG_MAC ||
			     kind == PXF_PXELINUX_PATH_HOST_KERNEL ||
			     kind == PXF_PXELINUX_PATH_HOST_INITRD;

	g_assert_true(wants_mac == (mac != NULL));
	if (mac != NULL) {
		g_autofree gchar *again = pxf_pxelinux_parse_mac(mac, ':');
		g_assert_cmpuint(strlen(mac), ==, 17);
		g_assert_cmpstr(again, ==, mac);
	}
	/* a module is a plain name once the leading slashes are gone */
	if (kind == PXF_PXELINUX_PATH_SYSLINUX)
		g_assert_null(strchr(path + strspn(path, "/"), '/'));
	return 0;
}
