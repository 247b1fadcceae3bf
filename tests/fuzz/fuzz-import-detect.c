/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-fuzz-import-detect"

#include <string.h>

#include "pxf-import.h"

/* libFuzzer target: the install media metadata parsers and the detector.
 * The first byte picks what the rest is: .treeinfo, .discinfo, .disk/info,
 * version.info or md5sum.txt (each put into a medium with the usual files
 * and run through detection too), or an entry name and a link target on
 * two lines. */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, gsize size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	return 0;
}

static const gchar *const fuzz_files[] = {
	"images/pxeboot/vmlinuz",
	"images/pxeboot/initrd.img",
	"images/install.img",
	"LiveOS/squashfs.img",
	"isolinux/vmlinuz",
	"isolinux/initrd.img",
	"install.amd/vmlinuz",
	"install.amd/initrd.gz",
	"casper/vmlinuz",
	"casper/initrd",
	"debian-installer/amd64/linux",
	"debian-installer/amd64/initrd.gz",
	"EFI/BOOT/BOOTX64.EFI",
	"EFI/BOOT/grubx64.efi",
	NULL,
};

static gboolean
fuzz_name_is_clean(const gchar *name)
{
	g_auto(GStrv) parts = g_strsplit(name, "/", -1);

	if (name[0] == '\0')
		return TRUE; /* the root */
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0' || strcmp(parts[i], ".") == 0 ||
		    strcmp(parts[i], "..") == 0)
			return FALSE;
	}
	return TRUE;
}

static void
fuzz_check_medium(const PxfImportMedium *m)
{
	/* what the detector returns is always a file of the medium */
	g_assert(m->kernel != NULL && m->initrd != NULL && m->source != NULL);
	g_assert(m->family != NULL && m->family[0] != '\0');
	g_assert(g_utf8_validate(m->name, -1, NULL));
}

static void
fuzz_detect(const gchar *file, const gchar *text, gsize len)
{
	g_autoptr(PxfImportListing) listing = pxf_import_listing_new();
	g_autoptr(GBytes) bytes = g_bytes_new(text, len);
	g_autoptr(PxfImportMedium) m = NULL;
	g_autoptr(GError) error = NULL;

	for (guint i = 0; fuzz_files[i] != NULL; i++)
		pxf_import_listing_add(listing, fuzz_files[i], PXF_IMPORT_ENTRY_FILE, NULL);
	if (g_strcmp0(file, "md5sum.txt") == 0) {
		const gchar *info = "Debian GNU/Linux 12 \"B\" - Official amd64 NETINST";
		g_autoptr(GBytes) info_bytes = g_bytes_new(info, strlen(info));
		pxf_import_listing_add(listing, ".disk/info", PXF_IMPORT_ENTRY_FILE, info_bytes);
	}
	pxf_import_listing_add(listing, file, PXF_IMPORT_ENTRY_FILE, bytes);
	m = pxf_import_detect(listing, "fuzz.iso", &error);
	g_assert((m == NULL) == (error != NULL));
	if (m != NULL)
		fuzz_check_medium(m);
	else
		g_assert(g_str_has_prefix(error->message, "fuzz.iso: "));
}

int
LLVMFuzzerTestOneInput(const guint8 *data, gsize size)
{
	static const gchar *const files[] = {".treeinfo", ".discinfo", ".disk/info", "version.info",
					     "md5sum.txt"};
	typedef gboolean (*Parse)(const gchar *, const gchar *, gsize, PxfImportMedium *,
				  GError **);
	static const Parse parsers[] = {pxf_import_parse_treeinfo, pxf_import_parse_discinfo,
					pxf_import_parse_disk_info, pxf_import_parse_version_info,
					NULL};
	const gchar *text = (const gchar *)data + 1;
	gsize len = size > 0 ? size - 1 : 0;
	guint which;

	if (size == 0)
		return 0;
	which = data[0] % 6;
	if (which < G_N_ELEMENTS(files)) {
		if (parsers[which] != NULL) {
			g_autoptr(PxfImportMedium) m = g_new0(PxfImportMedium, 1);
			g_autoptr(GError) error = NULL;
			gboolean ok = parsers[which]("fuzz.iso", text, len, m, &error);
			g_assert(ok == (error == NULL));
		}
		fuzz_detect(files[which], text, len);
	} else {
		g_autofree gchar *copy = g_strndup(text, len);
		gchar *nl = strchr(copy, '\n');
		g_autofree gchar *name = NULL;
		g_autoptr(GError) error = NULL;

		if (nl != NULL)
			*nl = '\0';
		name = pxf_import_check_entry_name("fuzz.iso", copy, &error);
		g_assert((name == NULL) == (error != NULL));
		if (name != NULL) {
			/* a normalized name is stable and never leaves the tree */
			g_autofree gchar *again =
				pxf_import_check_entry_name("fuzz.iso", name, NULL);
			g_assert(again != NULL && strcmp(again, name) == 0);
			g_assert(fuzz_name_is_clean(name));
			if (nl != NULL)
				(void)pxf_import_check_link_target("fuzz.iso", name, nl + 1, NULL);
		}
	}
	return 0;
}
