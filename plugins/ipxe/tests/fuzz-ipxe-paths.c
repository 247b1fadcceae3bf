/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: a path as a TFTP or HTTP client sends it, classified
 * the way file.open does, and the same bytes as iPXE's option 175. Checks
 * that nothing crashes and that what comes out is consistent: a canonical
 * MAC exactly for the per-host kinds. */
#define G_LOG_DOMAIN "pxf-fuzz"

#include <string.h>

#include "../pxf-ipxe.h"

int LLVMFuzzerTestOneInput(const guint8 *data, gsize size);

int
LLVMFuzzerTestOneInput(const guint8 *data, gsize size)
{
	const gchar *images[] = {"undionly.kpxe", NULL, "ipxe.efi"};
	g_autofree gchar *path = g_strndup((const gchar *)data, size);
	g_autofree gchar *mac = NULL;
	PxfIpxePath kind = pxf_ipxe_classify_path(path, images, G_N_ELEMENTS(images), &mac);
	gboolean wants_mac = kind == PXF_IPXE_PATH_SCRIPT || kind == PXF_IPXE_PATH_HOST_KERNEL ||
			     kind == PXF_IPXE_PATH_HOST_INITRD;
	PxfIpxeHttpSupport http = pxf_ipxe_features_http(data, size);

	g_assert_true(wants_mac == (mac != NULL));
	if (mac != NULL) {
		g_autofree gchar *again = pxf_ipxe_parse_mac(mac);
		g_assert_cmpuint(strlen(mac), ==, 17);
		g_assert_cmpstr(again, ==, mac);
	}
	if (kind == PXF_IPXE_PATH_IMAGE)
		g_assert_true(pxf_ipxe_is_image_name(path + strspn(path, "/")));
	g_assert_true(http == PXF_IPXE_HTTP_UNKNOWN || http == PXF_IPXE_HTTP_YES ||
		      http == PXF_IPXE_HTTP_NO);
	return 0;
}
