/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which TFTP/HTTP paths belong to the ipxe plugin, the iPXE images found in
 * the installed packages, and what iPXE's option 175 says about HTTP.
 * The plugin's files are under ipxe/: per-MAC directories with the script,
 * kernel and initrd, so that references in a script resolve on whichever
 * server and transport served the script. Other names under ipxe/ are left
 * to the transport's root (an operator's own scripts). */
#define G_LOG_DOMAIN "pxf-ipxe"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-ipxe.h"

#define PXF_IPXE_DIR	     "ipxe/"
#define PXF_IPXE_SCRIPT	     "boot.ipxe"
#define PXF_IPXE_KERNEL	     "vmlinuz"
#define PXF_IPXE_INITRD	     "initrd.img"
#define PXF_IPXE_MAX_NAME    64
#define PXF_IPXE_OPT_PAD     0
#define PXF_IPXE_OPT_END     255
#define PXF_IPXE_OPT_HTTP    0x13 /* DHCP_EB_FEATURE_HTTP */
#define PXF_IPXE_FEATURE_MIN 0x10 /* feature codes are 0x10-0x7f */
#define PXF_IPXE_FEATURE_MAX 0x7f

G_DEFINE_QUARK(pxf - ipxe - error - quark, pxf_ipxe_error)

gboolean
pxf_ipxe_is_image_name(const gchar *name)
{
	return pxf_bootloader_is_plain_name(name, PXF_IPXE_MAX_NAME);
}

gchar *
pxf_ipxe_find_image(const gchar *const *dirs, const gchar *name, GError **error)
{
	g_autofree gchar *path = NULL;
	g_autofree gchar *searched = NULL;

	if (!pxf_ipxe_is_image_name(name)) {
		g_set_error(error, PXF_IPXE_ERROR, PXF_IPXE_ERROR_NOT_FOUND,
			    "'%s' is not an iPXE image name", name != NULL ? name : "");
		return NULL;
	}
	path = pxf_bootloader_find_file(dirs, name);
	if (path != NULL)
		return g_steal_pointer(&path);
	searched = pxf_bootloader_dirs_to_string(dirs);
	g_set_error(error, PXF_IPXE_ERROR, PXF_IPXE_ERROR_NOT_FOUND,
		    "%s not found in ipxe_dirs (%s); install the ipxe package", name, searched);
	return NULL;
}

static gint
pxf_ipxe_hex_pair(const gchar *p)
{
	gint hi = g_ascii_xdigit_value(p[0]);
	gint lo = g_ascii_xdigit_value(p[1]);
	return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
}

gchar *
pxf_ipxe_parse_mac(const gchar *text)
{
	guint8 octets[6];
	const gchar *p = text;
	const gchar *sep = NULL;
	gsize sep_len = 0;
	gsize len;

	if (text == NULL)
		return NULL;
	len = strlen(text);
	/* the separator is whatever follows the first octet: nothing, ':',
	 * '-', or %3A as iPXE writes ${net0/mac} into an URL path */
	if (len == 12) {
		sep = "";
	} else if (len == 17 && (text[2] == ':' || text[2] == '-')) {
		sep = text[2] == ':' ? ":" : "-";
		sep_len = 1;
	} else if (len == 27 && g_ascii_strncasecmp(text + 2, "%3a", 3) == 0) {
		sep = "%3a";
		sep_len = 3;
	} else {
		return NULL;
	}
	for (guint i = 0; i < 6; i++) {
		gint octet = pxf_ipxe_hex_pair(p);

		if (octet < 0)
			return NULL;
		octets[i] = (guint8)octet;
		p += 2;
		if (i < 5) {
			if (g_ascii_strncasecmp(p, sep, sep_len) != 0)
				return NULL;
			p += sep_len;
		}
	}
	if (*p != '\0')
		return NULL;
	return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", octets[0], octets[1], octets[2],
			       octets[3], octets[4], octets[5]);
}

/* ipxe/<dir>/<file>: the per-MAC and menu files. */
static PxfIpxePath
pxf_ipxe_classify_dir(const gchar *rest, gchar **mac_out)
{
	const gchar *slash = strchr(rest, '/');
	g_autofree gchar *dir = NULL;
	const gchar *file;

	if (slash == NULL)
		return PXF_IPXE_PATH_OTHER;
	file = slash + 1;
	dir = g_strndup(rest, (gsize)(slash - rest));
	if (g_strcmp0(dir, "menu") == 0) {
		if (g_strcmp0(file, PXF_IPXE_KERNEL) == 0)
			return PXF_IPXE_PATH_MENU_KERNEL;
		if (g_strcmp0(file, PXF_IPXE_INITRD) == 0)
			return PXF_IPXE_PATH_MENU_INITRD;
		return PXF_IPXE_PATH_OTHER;
	}
	if (g_strcmp0(file, PXF_IPXE_SCRIPT) != 0 && g_strcmp0(file, PXF_IPXE_KERNEL) != 0 &&
	    g_strcmp0(file, PXF_IPXE_INITRD) != 0)
		return PXF_IPXE_PATH_OTHER;
	*mac_out = pxf_ipxe_parse_mac(dir);
	if (*mac_out == NULL)
		return PXF_IPXE_PATH_OTHER;
	if (g_strcmp0(file, PXF_IPXE_SCRIPT) == 0)
		return PXF_IPXE_PATH_SCRIPT;
	return g_strcmp0(file, PXF_IPXE_KERNEL) == 0 ? PXF_IPXE_PATH_HOST_KERNEL
						     : PXF_IPXE_PATH_HOST_INITRD;
}

PxfIpxePath
pxf_ipxe_classify_path(const gchar *path,
		       const gchar *const *images,
		       guint n_images,
		       gchar **mac_out)
{
	g_return_val_if_fail(mac_out != NULL && *mac_out == NULL, PXF_IPXE_PATH_OTHER);

	if (path == NULL)
		return PXF_IPXE_PATH_OTHER;
	/* transports hand over relative paths; iPXE's TFTP may send one that is not */
	while (path[0] == '/')
		path++;
	if (g_str_has_prefix(path, PXF_IPXE_DIR)) {
		const gchar *rest = path + strlen(PXF_IPXE_DIR);
		if (g_strcmp0(rest, PXF_IPXE_SCRIPT) == 0)
			return PXF_IPXE_PATH_CHAIN;
		return pxf_ipxe_classify_dir(rest, mac_out);
	}
	for (guint i = 0; images != NULL && i < n_images; i++) {
		if (images[i] != NULL && g_strcmp0(path, images[i]) == 0)
			return PXF_IPXE_PATH_IMAGE;
	}
	return PXF_IPXE_PATH_OTHER;
}

PxfIpxeHttpSupport
pxf_ipxe_features_http(const guint8 *data, gsize len)
{
	gboolean features = FALSE;
	gsize i = 0;

	if (data == NULL)
		return PXF_IPXE_HTTP_UNKNOWN;
	while (i < len) {
		guint8 code = data[i];
		guint8 optlen;

		if (code == PXF_IPXE_OPT_PAD) {
			i++;
			continue;
		}
		if (code == PXF_IPXE_OPT_END)
			break;
		if (i + 1 >= len)
			return PXF_IPXE_HTTP_UNKNOWN;
		optlen = data[i + 1];
		if (optlen > len - i - 2)
			return PXF_IPXE_HTTP_UNKNOWN;
		if (code == PXF_IPXE_OPT_HTTP)
			return PXF_IPXE_HTTP_YES;
		if (code >= PXF_IPXE_FEATURE_MIN && code <= PXF_IPXE_FEATURE_MAX)
			features = TRUE;
		i += 2 + (gsize)optlen;
	}
	/* a list that names other features but not HTTP: built without it */
	return features ? PXF_IPXE_HTTP_NO : PXF_IPXE_HTTP_UNKNOWN;
}
