/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-import"

#include "pxf-import-private.h"

#include <string.h>

/* Recognising an install medium from the metadata its build tools write:
 * anaconda's .treeinfo (and the older .discinfo), debian-cd's .disk/info
 * (which Ubuntu's media carry too), the Debian netboot tarball's layout
 * and version.info, and Ubuntu's casper/ directory. All of it comes from
 * the image, so every parser takes arbitrary bytes and says where a file
 * is wrong rather than guessing. */

G_DEFINE_QUARK(pxf - import - error - quark, pxf_import_error)

typedef struct {
	gchar *path;
	PxfImportEntryType type;
	GBytes *contents;
} PxfImportEntry;

struct _PxfImportListing {
	GHashTable *entries; /* lower-case path → PxfImportEntry* */
};

static const gchar *const pxf_import_metadata_files[] = {
	".treeinfo", "treeinfo", ".discinfo", ".disk/info", "version.info", "md5sum.txt", NULL,
};

static void
pxf_import_entry_free(PxfImportEntry *entry)
{
	g_free(entry->path);
	g_clear_pointer(&entry->contents, g_bytes_unref);
	g_free(entry);
}

PxfImportListing *
pxf_import_listing_new(void)
{
	PxfImportListing *self = g_new0(PxfImportListing, 1);
	self->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)pxf_import_entry_free);
	return self;
}

void
pxf_import_listing_free(PxfImportListing *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->entries);
	g_free(self);
}

void
pxf_import_listing_add(PxfImportListing *self,
		       const gchar *path,
		       PxfImportEntryType type,
		       GBytes *contents)
{
	gchar *lower;
	PxfImportEntry *entry;

	g_return_if_fail(self != NULL);
	g_return_if_fail(path != NULL);
	lower = g_ascii_strdown(path, -1);
	if (g_hash_table_contains(self->entries, lower)) {
		g_free(lower);
		return;
	}
	entry = g_new0(PxfImportEntry, 1);
	entry->path = g_strdup(path);
	entry->type = type;
	entry->contents = contents != NULL ? g_bytes_ref(contents) : NULL;
	g_hash_table_insert(self->entries, lower, entry);
}

guint
pxf_import_listing_count(PxfImportListing *self)
{
	return g_hash_table_size(self->entries);
}

gboolean
pxf_import_listing_wants(const gchar *path)
{
	g_autofree gchar *lower = g_ascii_strdown(path, -1);
	return g_strv_contains(pxf_import_metadata_files, lower);
}

static PxfImportEntry *
pxf_listing_lookup(PxfImportListing *self, const gchar *path)
{
	g_autofree gchar *lower = g_ascii_strdown(path, -1);
	return g_hash_table_lookup(self->entries, lower);
}

/* A file (or a link to one) at path: its spelling on the medium, or NULL. */
static const gchar *
pxf_listing_file(PxfImportListing *self, const gchar *path)
{
	PxfImportEntry *entry = pxf_listing_lookup(self, path);
	if (entry == NULL || entry->type == PXF_IMPORT_ENTRY_DIR)
		return NULL;
	return entry->path;
}

void
pxf_import_medium_free(PxfImportMedium *medium)
{
	if (medium == NULL)
		return;
	g_free(medium->family);
	g_free(medium->name);
	g_free(medium->version);
	g_free(medium->arch);
	g_free(medium->installer);
	g_free(medium->kernel);
	g_free(medium->initrd);
	g_free(medium->stage2);
	g_free(medium->efi_shim);
	g_free(medium->efi_grub);
	g_free(medium->source);
	g_clear_pointer(&medium->checksums, g_hash_table_unref);
	g_free(medium);
}

void
pxf_import_medium_take(gchar **field, gchar *value)
{
	g_free(*field);
	*field = value;
}

void
pxf_import_medium_set(gchar **field, const gchar *value)
{
	pxf_import_medium_take(field, g_strdup(value));
}

void
pxf_import_medium_add_checksum(PxfImportMedium *out, const gchar *path, gchar *sum)
{
	if (out->checksums == NULL)
		out->checksums = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_hash_table_insert(out->checksums, g_strdup(path), sum);
}

/* ------------------------------------------------------------------------ */
/* Paths */

gchar *
pxf_import_check_entry_name(const gchar *label, const gchar *name, GError **error)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_auto(GStrv) parts = NULL;
	const gchar *p = name;
	gsize len = strlen(name);

	if (len > PXF_IMPORT_MAX_PATH) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE,
			    "%s: an entry name is %" G_GSIZE_FORMAT " bytes long, more than %u",
			    label, len, (guint)PXF_IMPORT_MAX_PATH);
		return NULL;
	}
	if (name[0] == '/') {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE,
			    "%s: entry '%s' is an absolute path; refusing to unpack outside "
			    "the distro's directory",
			    label, name);
		return NULL;
	}
	while (g_str_has_prefix(p, "./"))
		p += 2;
	if (g_strcmp0(p, ".") == 0)
		return g_strdup("");
	parts = g_strsplit(p, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		/* a trailing '/' is how archives mark directories */
		if (parts[i][0] == '\0' && parts[i + 1] == NULL && i > 0)
			break;
		if (g_strcmp0(parts[i], "..") == 0 || g_strcmp0(parts[i], ".") == 0 ||
		    parts[i][0] == '\0') {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE,
				    "%s: entry '%s' has a '%s' component; refusing to unpack "
				    "it",
				    label, name, parts[i][0] == '\0' ? "empty" : parts[i]);
			return NULL;
		}
		if (out->len > 0)
			g_string_append_c(out, '/');
		g_string_append(out, parts[i]);
	}
	if (!g_utf8_validate(out->str, (gssize)out->len, NULL)) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: an entry name is not valid UTF-8", label);
		return NULL;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

gboolean
pxf_import_check_link_target(const gchar *label,
			     const gchar *entry,
			     const gchar *target,
			     GError **error)
{
	g_auto(GStrv) dir = g_strsplit(entry, "/", -1);
	g_auto(GStrv) parts = g_strsplit(target, "/", -1);
	guint depth = g_strv_length(dir);

	if (target[0] == '\0' || target[0] == '/' || strlen(target) > PXF_IMPORT_MAX_PATH) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE,
			    "%s: symbolic link '%s' points to '%s', outside the medium; "
			    "refusing to unpack it",
			    label, entry, target);
		return FALSE;
	}
	/* the link's own directory is where the target is read from */
	depth = depth > 0 ? depth - 1 : 0;
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0' || g_strcmp0(parts[i], ".") == 0)
			continue;
		if (g_strcmp0(parts[i], "..") != 0) {
			depth++;
			continue;
		}
		if (depth == 0) {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE,
				    "%s: symbolic link '%s' points to '%s', outside the "
				    "medium; refusing to unpack it",
				    label, entry, target);
			return FALSE;
		}
		depth--;
	}
	return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Detection */

static GBytes *
pxf_detect_contents(PxfImportEntry *entry, const gchar *label, GError **error)
{
	if (entry->type == PXF_IMPORT_ENTRY_FILE && entry->contents != NULL)
		return entry->contents;
	g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
		    "%s: %s is not a regular file of at most %u bytes; cannot read it as "
		    "metadata",
		    label, entry->path, (guint)PXF_IMPORT_MAX_METADATA);
	return NULL;
}

typedef gboolean (*PxfParseFunc)(
	const gchar *label, const gchar *data, gsize len, PxfImportMedium *out, GError **error);

static gboolean
pxf_detect_parse(PxfImportEntry *entry,
		 const gchar *label,
		 PxfParseFunc parse,
		 PxfImportMedium *out,
		 GError **error)
{
	GBytes *bytes = pxf_detect_contents(entry, label, error);
	gsize len = 0;
	const gchar *data;

	if (bytes == NULL)
		return FALSE;
	data = g_bytes_get_data(bytes, &len);
	if (!parse(label, data != NULL ? data : "", len, out, error))
		return FALSE;
	pxf_import_medium_set(&out->source, entry->path);
	return TRUE;
}

/* A file named by the metadata: inside the medium and on it. */
static gboolean
pxf_detect_named_file(PxfImportListing *listing,
		      const gchar *label,
		      const gchar *what,
		      PxfImportMedium *out,
		      gchar **path,
		      GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *name = pxf_import_check_entry_name(label, *path, &error_local);
	const gchar *found;

	if (name == NULL || name[0] == '\0') {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: the metadata names '%s' as the %s, which is not a path inside "
			    "the medium",
			    label, *path, what);
		return FALSE;
	}
	found = pxf_listing_file(listing, name);
	if (found == NULL) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: the metadata names %s as the %s, but the medium has no such "
			    "file (a damaged or incomplete image?)",
			    label, name, what);
		return FALSE;
	}
	/* the checksum follows the file to its spelling on the medium */
	if (out->checksums != NULL && g_strcmp0(*path, found) != 0) {
		gpointer key = NULL;
		gpointer sum = NULL;
		if (g_hash_table_steal_extended(out->checksums, *path, &key, &sum)) {
			g_free(key);
			pxf_import_medium_add_checksum(out, found, sum);
		}
	}
	pxf_import_medium_set(path, found);
	return TRUE;
}

/* The first kernel/initrd pair found in dir. */
static gboolean
pxf_detect_pair(PxfImportListing *listing,
		const gchar *dir,
		const gchar *const *kernels,
		const gchar *const *initrds,
		PxfImportMedium *out)
{
	for (guint k = 0; kernels[k] != NULL; k++) {
		g_autofree gchar *kpath = g_build_path("/", dir, kernels[k], NULL);
		const gchar *kernel = pxf_listing_file(listing, kpath);
		if (kernel == NULL)
			continue;
		for (guint i = 0; initrds[i] != NULL; i++) {
			g_autofree gchar *ipath = g_build_path("/", dir, initrds[i], NULL);
			const gchar *initrd = pxf_listing_file(listing, ipath);
			if (initrd == NULL)
				continue;
			pxf_import_medium_set(&out->kernel, kernel);
			pxf_import_medium_set(&out->initrd, initrd);
			return TRUE;
		}
	}
	return FALSE;
}

/* Directories DIR (one level, any name matching prefix*) holding file, sorted. */
static GPtrArray *
pxf_detect_dirs_with(PxfImportListing *listing, const gchar *prefix, const gchar *file)
{
	GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *suffix = g_strconcat("/", file, NULL);
	GHashTableIter iter;
	gpointer key;

	g_hash_table_iter_init(&iter, listing->entries);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		const gchar *path = key;
		gsize plen = strlen(prefix);
		const gchar *slash;
		if (!g_str_has_prefix(path, prefix) || !g_str_has_suffix(path, suffix))
			continue;
		slash = strchr(path + plen, '/');
		/* exactly one more level */
		if (slash == NULL || slash != path + strlen(path) - strlen(suffix))
			continue;
		g_ptr_array_add(dirs, g_strndup(path, (gsize)(slash - path)));
	}
	g_ptr_array_sort(dirs, (GCompareFunc)g_strcmp0);
	return dirs;
}

static const gchar *const pxf_di_kernels[] = {"vmlinuz", NULL};
static const gchar *const pxf_di_initrds[] = {"initrd.gz", NULL};
static const gchar *const pxf_nb_kernels[] = {"linux", NULL};
static const gchar *const pxf_casper_kernels[] = {"vmlinuz", "vmlinuz.efi", NULL};
static const gchar *const pxf_casper_initrds[] = {"initrd", "initrd.lz", "initrd.gz", NULL};
static const gchar *const pxf_el_initrds[] = {"initrd.img", NULL};

/* debian-installer on a CD: install.amd/ (install.386/, install.a64/, ...) */
static gboolean
pxf_detect_debian_installer(PxfImportListing *listing, PxfImportMedium *out)
{
	g_autoptr(GPtrArray) dirs = pxf_detect_dirs_with(listing, "install", "vmlinuz");

	for (guint i = 0; i < dirs->len; i++) {
		if (pxf_detect_pair(listing, g_ptr_array_index(dirs, i), pxf_di_kernels,
				    pxf_di_initrds, out)) {
			pxf_import_medium_set(&out->installer, "debian-installer");
			return TRUE;
		}
	}
	return FALSE;
}

/* debian-installer's netboot tree: debian-installer/ARCH/linux + initrd.gz */
static gboolean
pxf_detect_netboot(PxfImportListing *listing, PxfImportMedium *out)
{
	g_autoptr(GPtrArray) dirs = pxf_detect_dirs_with(listing, "debian-installer/", "linux");

	for (guint i = 0; i < dirs->len; i++) {
		const gchar *dir = g_ptr_array_index(dirs, i);
		if (pxf_detect_pair(listing, dir, pxf_nb_kernels, pxf_di_initrds, out)) {
			if (out->arch == NULL)
				pxf_import_medium_set(&out->arch, strchr(dir, '/') + 1);
			pxf_import_medium_set(&out->installer, "debian-installer");
			return TRUE;
		}
	}
	return FALSE;
}

static gboolean
pxf_detect_casper(PxfImportListing *listing, PxfImportMedium *out)
{
	if (!pxf_detect_pair(listing, "casper", pxf_casper_kernels, pxf_casper_initrds, out))
		return FALSE;
	pxf_import_medium_set(&out->installer, "casper");
	return TRUE;
}

/* The EFI loaders to chain: shim and the GRUB it starts. */
static void
pxf_detect_efi(PxfImportListing *listing, PxfImportMedium *out)
{
	static const struct {
		const gchar *arch;
		const gchar *suffix;
	} suffixes[] = {
		{"x86_64", "x64"},	{"amd64", "x64"},	    {"aarch64", "aa64"},
		{"arm64", "aa64"},	{"i386", "ia32"},	    {"i686", "ia32"},
		{"riscv64", "riscv64"}, {"loong64", "loongarch64"},
	};
	const gchar *suffix = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		if (g_strcmp0(out->arch, suffixes[i].arch) == 0)
			suffix = suffixes[i].suffix;
	}
	if (suffix == NULL && out->arch == NULL)
		suffix = "x64";
	if (suffix == NULL)
		return;
	{
		g_autofree gchar *shim = g_strdup_printf("EFI/BOOT/BOOT%s.EFI", suffix);
		g_autofree gchar *grub = g_strdup_printf("EFI/BOOT/grub%s.efi", suffix);
		g_autofree gchar *kdir = g_path_get_dirname(out->kernel);
		g_autofree gchar *nbshim = g_strdup_printf("%s/bootnet%s.efi", kdir, suffix);
		g_autofree gchar *nbgrub = g_strdup_printf("%s/grub%s.efi", kdir, suffix);
		const gchar *found_shim = pxf_listing_file(listing, shim);
		const gchar *found_grub = pxf_listing_file(listing, grub);

		/* the netboot tree keeps its signed shim next to the kernel */
		if (found_shim == NULL || found_grub == NULL) {
			found_shim = pxf_listing_file(listing, nbshim);
			found_grub = pxf_listing_file(listing, nbgrub);
		}
		if (found_shim != NULL && found_grub != NULL) {
			pxf_import_medium_set(&out->efi_shim, found_shim);
			pxf_import_medium_set(&out->efi_grub, found_grub);
		}
	}
}

static gboolean
pxf_detect_treeinfo(PxfImportListing *listing,
		    PxfImportEntry *entry,
		    const gchar *label,
		    PxfImportMedium *out,
		    GError **error)
{
	if (!pxf_detect_parse(entry, label, pxf_import_parse_treeinfo, out, error))
		return FALSE;
	if (!pxf_detect_named_file(listing, label, "kernel", out, &out->kernel, error) ||
	    !pxf_detect_named_file(listing, label, "initrd", out, &out->initrd, error))
		return FALSE;
	if (out->stage2 != NULL &&
	    !pxf_detect_named_file(listing, label, "stage 2 image", out, &out->stage2, error))
		return FALSE;
	return TRUE;
}

/* debian-cd's md5sum.txt ("HEX  ./install.amd/vmlinuz"): the sums of the
 * kernel and initrd; other lines are not this importer's business. */
static void
pxf_detect_md5sums(PxfImportListing *listing, PxfImportMedium *out)
{
	PxfImportEntry *entry = pxf_listing_lookup(listing, "md5sum.txt");
	g_auto(GStrv) lines = NULL;
	gsize len = 0;
	const gchar *data;

	if (entry == NULL || entry->contents == NULL)
		return;
	data = g_bytes_get_data(entry->contents, &len);
	if (data == NULL || memchr(data, '\0', len) != NULL)
		return;
	{
		g_autofree gchar *text = g_strndup(data, len);
		lines = g_strsplit(text, "\n", -1);
	}
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *line = g_strchomp(lines[i]);
		g_autofree gchar *sum = NULL;
		const gchar *path = line + 36;
		const gchar *file = NULL;
		GChecksumType type;
		const gchar *hex;

		if (strlen(line) < 37 || strncmp(line + 32, "  ./", 4) != 0)
			continue;
		sum = g_strdup_printf("md5:%.32s", line);
		if (!pxf_import_checksum_split(sum, &type, &hex))
			continue;
		if (g_ascii_strcasecmp(path, out->kernel) == 0)
			file = out->kernel;
		else if (g_ascii_strcasecmp(path, out->initrd) == 0)
			file = out->initrd;
		if (file != NULL)
			pxf_import_medium_add_checksum(out, file, g_steal_pointer(&sum));
	}
}

static gboolean
pxf_detect_disk_info(PxfImportListing *listing,
		     PxfImportEntry *entry,
		     const gchar *label,
		     PxfImportMedium *out,
		     GError **error)
{
	gboolean ubuntu;

	if (!pxf_detect_parse(entry, label, pxf_import_parse_disk_info, out, error))
		return FALSE;
	/* Ubuntu's live media boot casper; debian-cd's boot debian-installer */
	ubuntu = g_str_has_suffix(out->family, "ubuntu");
	if ((ubuntu && pxf_detect_casper(listing, out)) ||
	    pxf_detect_debian_installer(listing, out) || pxf_detect_netboot(listing, out) ||
	    (!ubuntu && pxf_detect_casper(listing, out))) {
		pxf_detect_md5sums(listing, out);
		return TRUE;
	}
	g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
		    "%s: .disk/info describes %s, but the medium has no installer kernel and "
		    "initrd (looked for install.*/vmlinuz + initrd.gz, "
		    "debian-installer/ARCH/linux + initrd.gz and casper/vmlinuz + initrd)",
		    label, out->name);
	return FALSE;
}

static gboolean
pxf_detect_discinfo(PxfImportListing *listing,
		    PxfImportEntry *entry,
		    const gchar *label,
		    PxfImportMedium *out,
		    GError **error)
{
	static const gchar *const el_kernels[] = {"vmlinuz", NULL};

	if (!pxf_detect_parse(entry, label, pxf_import_parse_discinfo, out, error))
		return FALSE;
	if (out->family == NULL) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: .discinfo gives the release as '%s', without the "
			    "distribution's name, and there is no .treeinfo",
			    label, out->name);
		return FALSE;
	}
	if (pxf_detect_pair(listing, "images/pxeboot", el_kernels, pxf_el_initrds, out) ||
	    pxf_detect_pair(listing, "isolinux", el_kernels, pxf_el_initrds, out))
		return TRUE;
	g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
		    "%s: .discinfo describes %s, but the medium has neither "
		    "images/pxeboot/vmlinuz + initrd.img nor isolinux/vmlinuz + initrd.img",
		    label, out->name);
	return FALSE;
}

PxfImportMedium *
pxf_import_detect(PxfImportListing *listing, const gchar *label, GError **error)
{
	g_autoptr(PxfImportMedium) medium = g_new0(PxfImportMedium, 1);
	PxfImportEntry *entry;

	g_return_val_if_fail(listing != NULL, NULL);
	g_return_val_if_fail(label != NULL, NULL);

	if ((entry = pxf_listing_lookup(listing, ".treeinfo")) != NULL ||
	    (entry = pxf_listing_lookup(listing, "treeinfo")) != NULL) {
		if (!pxf_detect_treeinfo(listing, entry, label, medium, error))
			return NULL;
	} else if ((entry = pxf_listing_lookup(listing, ".disk/info")) != NULL) {
		if (!pxf_detect_disk_info(listing, entry, label, medium, error))
			return NULL;
	} else if ((entry = pxf_listing_lookup(listing, ".discinfo")) != NULL) {
		if (!pxf_detect_discinfo(listing, entry, label, medium, error))
			return NULL;
	} else if (pxf_detect_netboot(listing, medium)) {
		/* the netboot tarball has no .disk/info; its version.info says
		 * which release it is */
		entry = pxf_listing_lookup(listing, "version.info");
		if (entry != NULL) {
			if (!pxf_detect_parse(entry, label, pxf_import_parse_version_info, medium,
					      error))
				return NULL;
		} else {
			pxf_import_medium_set(&medium->family, "debian");
			pxf_import_medium_set(&medium->name, "Debian netboot");
		}
		pxf_import_medium_take(
			&medium->source,
			g_strdup_printf("netboot layout (%s)",
					entry != NULL ? entry->path : "no version.info"));
	} else if (pxf_detect_casper(listing, medium)) {
		pxf_import_medium_set(&medium->family, "ubuntu");
		pxf_import_medium_set(&medium->name, "Ubuntu live medium");
		pxf_import_medium_set(&medium->source, "casper/");
	} else {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNKNOWN_MEDIUM,
			    "%s: no .treeinfo, .discinfo, .disk/info, debian-installer/ARCH/linux "
			    "or casper/ found: not a known install medium",
			    label);
		return NULL;
	}
	pxf_detect_efi(listing, medium);
	return g_steal_pointer(&medium);
}
