/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The boot file a UEFI x64 machine gets, and the Secure Boot chains. Under
 * Secure Boot the firmware starts only images signed with a key in its db
 * (Microsoft's, on almost every machine): shim is, and it then verifies
 * GRUB and GRUB the kernel against the *vendor's* key built into shim. So a
 * Red Hat kernel needs Red Hat's shim and GRUB, Debian's kernel Debian's:
 * hosts whose distro tree carries its vendor's pair boot that pair, the
 * others Debian's from the shim-signed and grub-efi-amd64-signed packages. */
#define G_LOG_DOMAIN "pxf-grub-efi"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-grub-efi.h"

void
pxf_grub_efi_chain_free(PxfGrubEfiChain *chain)
{
	if (chain == NULL)
		return;
	g_free(chain->shim);
	g_free(chain->grub);
	g_free(chain->dir);
	g_free(chain);
}

gchar *
pxf_grub_efi_tree_dir(const gchar *tree)
{
	if (tree == NULL)
		return NULL;
	if (g_str_has_prefix(tree, "file://"))
		tree += strlen("file://");
	if (!g_path_is_absolute(tree))
		return NULL;
	return g_strdup(tree);
}

/* The entry of dir whose name equals name ignoring ASCII case; an exact
 * match wins over others. */
static gchar *
pxf_grub_efi_find_entry_nocase(const gchar *dir, const gchar *name)
{
	g_autoptr(GDir) d = NULL;
	g_autofree gchar *exact = g_build_filename(dir, name, NULL);
	const gchar *entry;

	if (g_file_test(exact, G_FILE_TEST_EXISTS))
		return g_steal_pointer(&exact);
	d = g_dir_open(dir, 0, NULL);
	while (d != NULL && (entry = g_dir_read_name(d)) != NULL) {
		if (g_ascii_strcasecmp(entry, name) == 0)
			return g_build_filename(dir, entry, NULL);
	}
	return NULL;
}

gchar *
pxf_grub_efi_find_nocase(const gchar *dir, const gchar *relative)
{
	g_auto(GStrv) parts = NULL;
	g_autofree gchar *path = NULL;

	if (dir == NULL || relative == NULL)
		return NULL;
	parts = g_strsplit(relative, "/", -1);
	path = g_strdup(dir);
	for (guint i = 0; parts[i] != NULL; i++) {
		gchar *next;

		/* "EFI//BOOT" and "./EFI" are tolerated, ".." never */
		if (parts[i][0] == '\0' || g_strcmp0(parts[i], ".") == 0)
			continue;
		if (!pxf_bootloader_is_plain_name(parts[i], 255))
			return NULL;
		next = pxf_grub_efi_find_entry_nocase(path, parts[i]);
		if (next == NULL)
			return NULL;
		g_free(path);
		path = next;
	}
	return g_steal_pointer(&path);
}

/* Known layouts of a vendor's signed shim and GRUB in an install tree. */
static const struct {
	const gchar *name;
	const gchar *shim;
	const gchar *grub;
} pxf_grub_efi_layouts[] = {
	/* RHEL, CentOS, Rocky, Alma, Fedora DVD/boot trees; Ubuntu's ISO */
	{"EFI/BOOT/BOOTX64.EFI + grubx64.efi", "EFI/BOOT/BOOTX64.EFI", "EFI/BOOT/grubx64.efi"},
	/* SUSE: its shim loads grub.efi */
	{"EFI/BOOT/bootx64.efi + grub.efi", "EFI/BOOT/bootx64.efi", "EFI/BOOT/grub.efi"},
	/* Debian's netboot tree (netboot.tar.gz, debian-installer-*-netboot-amd64) */
	{"debian-installer/amd64/bootnetx64.efi + grubx64.efi",
	 "debian-installer/amd64/bootnetx64.efi", "debian-installer/amd64/grubx64.efi"},
	/* Ubuntu's netboot tarball */
	{"amd64/bootx64.efi + grubx64.efi", "amd64/bootx64.efi", "amd64/grubx64.efi"},
	/* a tree that is itself such a directory */
	{"bootx64.efi + grubx64.efi", "bootx64.efi", "grubx64.efi"},
	{"bootnetx64.efi + grubx64.efi", "bootnetx64.efi", "grubx64.efi"},
};

static gboolean
pxf_grub_efi_is_regular(const gchar *path)
{
	return path != NULL && g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

/* An override: absolute as it is, else relative to the tree, any case. */
static gchar *
pxf_grub_efi_resolve_override(const gchar *tree_dir,
			      const gchar *key,
			      const gchar *value,
			      GError **error)
{
	gchar *path = NULL;

	if (g_path_is_absolute(value))
		path = g_strdup(value);
	else if (tree_dir != NULL)
		path = pxf_grub_efi_find_nocase(tree_dir, value);
	if (!pxf_grub_efi_is_regular(path)) {
		g_set_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID,
			    "%s '%s' is not a regular file%s%s", key, value,
			    tree_dir != NULL && !g_path_is_absolute(value) ? " under " : "",
			    tree_dir != NULL && !g_path_is_absolute(value) ? tree_dir : "");
		g_free(path);
		return NULL;
	}
	return path;
}

PxfGrubEfiChain *
pxf_grub_efi_chain_find(const gchar *tree_dir,
			const gchar *shim_override,
			const gchar *grub_override,
			GError **error)
{
	g_autoptr(PxfGrubEfiChain) chain = g_new0(PxfGrubEfiChain, 1);

	if (shim_override != NULL && shim_override[0] != '\0') {
		chain->layout = "efi.shim";
		chain->shim =
			pxf_grub_efi_resolve_override(tree_dir, "efi.shim", shim_override, error);
		if (chain->shim == NULL)
			return NULL;
		chain->dir = g_path_get_dirname(chain->shim);
		if (grub_override != NULL && grub_override[0] != '\0') {
			chain->grub = pxf_grub_efi_resolve_override(tree_dir, "efi.grub",
								    grub_override, error);
			if (chain->grub == NULL)
				return NULL;
			return g_steal_pointer(&chain);
		}
		chain->grub = pxf_grub_efi_find_nocase(chain->dir, PXF_GRUB_EFI_SIGNED_NAME);
		if (!pxf_grub_efi_is_regular(chain->grub)) {
			g_set_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID,
				    "no %s next to efi.shim %s: set efi.grub",
				    PXF_GRUB_EFI_SIGNED_NAME, chain->shim);
			return NULL;
		}
		return g_steal_pointer(&chain);
	}
	if (grub_override != NULL && grub_override[0] != '\0') {
		g_set_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_INVALID,
			    "efi.grub '%s' without efi.shim: shim is what the firmware starts",
			    grub_override);
		return NULL;
	}
	if (tree_dir == NULL) {
		g_set_error_literal(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_NOT_FOUND,
				    "the tree is not a local directory");
		return NULL;
	}
	for (guint i = 0; i < G_N_ELEMENTS(pxf_grub_efi_layouts); i++) {
		g_autofree gchar *shim =
			pxf_grub_efi_find_nocase(tree_dir, pxf_grub_efi_layouts[i].shim);
		g_autofree gchar *grub = NULL;

		if (!pxf_grub_efi_is_regular(shim))
			continue;
		grub = pxf_grub_efi_find_nocase(tree_dir, pxf_grub_efi_layouts[i].grub);
		if (!pxf_grub_efi_is_regular(grub))
			continue;
		chain->layout = pxf_grub_efi_layouts[i].name;
		chain->shim = g_steal_pointer(&shim);
		chain->grub = g_steal_pointer(&grub);
		chain->dir = g_path_get_dirname(chain->shim);
		return g_steal_pointer(&chain);
	}
	g_set_error(error, PXF_GRUB_EFI_ERROR, PXF_GRUB_EFI_ERROR_NOT_FOUND,
		    "no signed shim and GRUB in %s", tree_dir);
	return NULL;
}

gchar *
pxf_grub_efi_select_boot_file(const PxfGrubEfiConfig *config,
			      gboolean secure_boot,
			      PxfFirmware firmware,
			      PxfBootStage stage,
			      gboolean known_host,
			      const gchar *vendor_distro,
			      PxfVerdict *verdict)
{
	*verdict = PXF_VERDICT_CONTINUE;
	/* IA32 and ARM64 GRUBs are other files; BIOS and unknown are pxelinux's */
	if (firmware != PXF_FIRMWARE_UEFI_X64)
		return NULL;
	/* the firmware's PXE client, or iPXE in an EFI ROM when no ipxe plugin
	 * took it; GRUB and the installer reuse or ask without a boot file */
	if (stage != PXF_BOOT_STAGE_ROM && stage != PXF_BOOT_STAGE_IPXE)
		return NULL;
	if (!known_host && config->unknown_hosts == PXF_GRUB_EFI_UNKNOWN_IGNORE) {
		*verdict = PXF_VERDICT_DROP;
		return NULL;
	}
	*verdict = PXF_VERDICT_SKIP;
	/* an iPXE ROM is not signed, so Secure Boot is off if it runs; and
	 * shim cannot fetch its second stage through iPXE's network stack */
	if (!secure_boot || stage == PXF_BOOT_STAGE_IPXE)
		return g_strdup(PXF_GRUB_EFI_UNSIGNED_NAME);
	if (vendor_distro != NULL)
		return g_strdup_printf("%s/%s/%s", PXF_GRUB_EFI_VENDOR_DIR, vendor_distro,
				       PXF_GRUB_EFI_SHIM_NAME);
	return g_strdup(PXF_GRUB_EFI_SHIM_NAME);
}
