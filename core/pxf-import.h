/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `pxeforge import`: a distro from its install medium (an ISO 9660 image or
 * a directory), recognised from the medium's own metadata, unpacked into
 * the distro store and added to conf.d/80-distros.yaml. */

#define PXF_IMPORT_ERROR pxf_import_error_quark()
GQuark pxf_import_error_quark(void);

typedef enum {
	PXF_IMPORT_ERROR_FAILED,	 /* I/O: reading the image, writing the store */
	PXF_IMPORT_ERROR_UNKNOWN_MEDIUM, /* not an install medium this knows */
	PXF_IMPORT_ERROR_INVALID,	 /* malformed metadata, damaged or truncated image */
	PXF_IMPORT_ERROR_UNSAFE,	 /* entries or links that would escape the tree */
	PXF_IMPORT_ERROR_EXISTS,	 /* the name is taken in the inventory or the store */
	PXF_IMPORT_ERROR_NO_SPACE,	 /* the store's file system is too small */
	PXF_IMPORT_ERROR_CONFIG,	 /* the configuration has errors (see the diagnostics) */
} PxfImportError;

/* Limits on what an image may ask of the importer. */
#define PXF_IMPORT_MAX_ENTRIES	500000
#define PXF_IMPORT_MAX_PATH	4096
#define PXF_IMPORT_MAX_METADATA (1024 * 1024) /* bytes kept of one metadata file */
#define PXF_IMPORT_DISTROS_FILE "80-distros.yaml"

/* ------------------------------------------------------------------------ */
/* Detection: pure functions of a medium's file list and a few small files,
 * with no I/O, so that they can be unit-tested and fuzzed. */

typedef enum {
	PXF_IMPORT_ENTRY_FILE,
	PXF_IMPORT_ENTRY_DIR,
	PXF_IMPORT_ENTRY_SYMLINK,
} PxfImportEntryType;

/* What a medium holds: relative '/'-separated paths, looked up ignoring case
 * (plain ISO 9660 names are upper case), and the text of the metadata files
 * that pxf_import_listing_wants() asks for. */
typedef struct _PxfImportListing PxfImportListing;

PxfImportListing *pxf_import_listing_new(void);
void pxf_import_listing_free(PxfImportListing *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfImportListing, pxf_import_listing_free)
/* contents may be NULL; a path already there (in any case) is kept as it was. */
void pxf_import_listing_add(PxfImportListing *self,
			    const gchar *path,
			    PxfImportEntryType type,
			    GBytes *contents);
guint pxf_import_listing_count(PxfImportListing *self);
/* Whether the detector reads this file's contents (.treeinfo, .discinfo, ...). */
gboolean pxf_import_listing_wants(const gchar *path);

/* A recognised install medium. Paths are relative to the medium's root,
 * spelt as on the medium. */
typedef struct {
	gchar *family;	  /* short lower-case id: centos, rocky, rhel, debian, ubuntu, ... */
	gchar *name;	  /* as the medium names its release: "Rocky Linux 9.3" */
	gchar *version;	  /* "9.3", "12.5.0", "22.04.3"; NULL if the medium does not say */
	gchar *arch;	  /* as the medium spells it: x86_64, amd64, aarch64 */
	gchar *installer; /* anaconda, debian-installer or casper */
	gchar *kernel;
	gchar *initrd;
	gchar *stage2;	 /* anaconda's stage 2 image ([stage2] mainimage), or NULL */
	gchar *efi_shim; /* EFI/BOOT/BOOTX64.EFI or the like, with efi_grub; or NULL */
	gchar *efi_grub;
	gchar *source; /* what it was recognised by: ".treeinfo", "netboot layout", ... */
	/* What the medium says the kernel, initrd and stage 2 image must hash
	 * to (path as above → "sha256:HEX"), from .treeinfo's [checksums] or
	 * md5sum.txt; verified after unpacking. NULL when it says nothing. */
	GHashTable *checksums;
} PxfImportMedium;

void pxf_import_medium_free(PxfImportMedium *medium);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfImportMedium, pxf_import_medium_free)

/* Recognises the medium from, in this order, .treeinfo (RHEL family),
 * .disk/info (Debian, Ubuntu), .discinfo (old RHEL family), the Debian
 * netboot layout (debian-installer/ARCH/linux) and casper/ (Ubuntu live),
 * and checks that the kernel and initrd it names are on it. label names the
 * image in error messages. */
PxfImportMedium *pxf_import_detect(PxfImportListing *listing, const gchar *label, GError **error);

/* "sha256:HEX" (or md5, sha1, sha512) into its parts; FALSE when malformed. */
gboolean pxf_import_checksum_split(const gchar *sum, GChecksumType *type, const gchar **hex);

/* The parsers behind it; each fills in what its file says. Errors name
 * "label: FILE:LINE:COLUMN". */
gboolean pxf_import_parse_treeinfo(
	const gchar *label, const gchar *data, gsize len, PxfImportMedium *out, GError **error);
gboolean pxf_import_parse_discinfo(
	const gchar *label, const gchar *data, gsize len, PxfImportMedium *out, GError **error);
gboolean pxf_import_parse_disk_info(
	const gchar *label, const gchar *data, gsize len, PxfImportMedium *out, GError **error);
/* Debian netboot's version.info ("Debian version:  12 (bookworm)"). */
gboolean pxf_import_parse_version_info(
	const gchar *label, const gchar *data, gsize len, PxfImportMedium *out, GError **error);

/* ------------------------------------------------------------------------ */
/* Unpacking and adding to the configuration */

/* Is this path inside the tree? For an entry name: relative, no "..", no
 * empty component (a leading "./" and a trailing '/' are dropped); returns
 * the normalized name, or NULL with an UNSAFE error. */
gchar *pxf_import_check_entry_name(const gchar *label, const gchar *name, GError **error);
/* For a symbolic link's target, seen from the link at entry (a normalized
 * name): relative and, read without following other links, inside the
 * tree. (Chains of links are checked again on disk after unpacking.) */
gboolean pxf_import_check_link_target(const gchar *label,
				      const gchar *entry,
				      const gchar *target,
				      GError **error);

typedef struct {
	const gchar *config_dir;
	const gchar *name;   /* distro name: [A-Za-z0-9][A-Za-z0-9._-]* */
	const gchar *source; /* an ISO 9660 image or a directory */
	const gchar *store;  /* the distro store (daemon.distro_store); created if needed */
	guint max_entries;   /* 0: PXF_IMPORT_MAX_ENTRIES */
} PxfImportOptions;

typedef struct {
	PxfImportMedium *medium;
	gchar *dir;	   /* STORE/NAME, the distro's tree */
	gchar *conf_file;  /* the file the distro was added to */
	guint64 n_entries; /* files, directories and links unpacked */
	guint64 n_bytes;
} PxfImportResult;

void pxf_import_result_free(PxfImportResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfImportResult, pxf_import_result_free)

/* Validates the name and the configuration, reads and recognises the medium,
 * unpacks it into a temporary directory in the store that is renamed to
 * STORE/NAME once complete, and adds the distro (kernel, initrd, tree and
 * variables family, version, arch, installer, stage2, efi.shim/efi.grub) to
 * CONFIG_DIR/conf.d/80-distros.yaml atomically, validated together with the
 * rest of the configuration. On any error nothing is left behind: no
 * directory in the store, no change to the configuration. Configuration
 * errors go to diags (and a CONFIG error). */
PxfImportResult *
pxf_import_distro(const PxfImportOptions *options, GPtrArray *diags, GError **error);

G_END_DECLS
