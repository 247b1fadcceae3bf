/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE  /* renameat2 */
#define G_LOG_DOMAIN "pxf-import"

#include "pxf-import-private.h"
#include "pxf-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* `pxeforge import` as a whole. Everything that can be checked without
 * writing comes first: the name, the configuration, the medium's entries
 * (pass 1, pxf-import-unpack.c), what it is, the distro against the whole
 * configuration, free space. Then the medium is unpacked into a temporary
 * directory in the store (pass 2), its links and checksums are verified,
 * it becomes STORE/NAME by one rename, and the distro is written to
 * conf.d/80-distros.yaml; a failure at any step removes what was made. */

#define PXF_IMPORT_BLOCK_SIZE (64 * 1024)
#define PXF_LINK_MAX_HOPS     40

void
pxf_import_result_free(PxfImportResult *result)
{
	if (result == NULL)
		return;
	pxf_import_medium_free(result->medium);
	g_free(result->dir);
	g_free(result->conf_file);
	g_free(result);
}

static gboolean
pxf_name_is_valid(const gchar *name)
{
	if (name == NULL || !g_ascii_isalnum(name[0]) || strlen(name) > 128)
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
			return FALSE;
	}
	return TRUE;
}

/* Follows name inside root the way the kernel would, one component at a
 * time: FALSE when that leads out of root (through '..' or an absolute
 * link) or loops. Where it stops resolving (a dangling link) it is inside:
 * opening it fails. */
static gboolean
pxf_resolve_beneath(const gchar *root, const gchar *name, GError **error)
{
	g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func(g_free); /* a stack */
	g_auto(GStrv) parts = g_strsplit(name, "/", -1);
	guint hops = 0;
	gboolean escaped = FALSE;

	for (guint i = g_strv_length(parts); i > 0; i--)
		g_ptr_array_add(todo, g_strdup(parts[i - 1]));
	while (todo->len > 0 && !escaped) {
		g_autofree gchar *c = g_ptr_array_steal_index(todo, todo->len - 1);
		g_autoptr(GString) path = g_string_new(root);
		g_autofree gchar *target = NULL;
		g_auto(GStrv) more = NULL;
		GStatBuf st;

		if (c[0] == '\0' || g_strcmp0(c, ".") == 0)
			continue;
		if (g_strcmp0(c, "..") == 0) {
			if (done->len == 0)
				escaped = TRUE;
			else
				g_ptr_array_remove_index(done, done->len - 1);
			continue;
		}
		for (guint i = 0; i < done->len; i++)
			g_string_append_printf(path, "/%s",
					       (const gchar *)g_ptr_array_index(done, i));
		g_string_append_printf(path, "/%s", c);
		if (g_lstat(path->str, &st) != 0)
			return TRUE;
		if (!S_ISLNK(st.st_mode)) {
			g_ptr_array_add(done, g_steal_pointer(&c));
			continue;
		}
		if (++hops > PXF_LINK_MAX_HOPS) {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE,
				    "symbolic link %s loops", name);
			return FALSE;
		}
		target = g_file_read_link(path->str, error);
		if (target == NULL)
			return FALSE;
		if (target[0] == '/') {
			escaped = TRUE;
			continue;
		}
		more = g_strsplit(target, "/", -1);
		for (guint i = g_strv_length(more); i > 0; i--)
			g_ptr_array_add(todo, g_strdup(more[i - 1]));
	}
	if (escaped) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE,
			    "symbolic link %s leads out of the medium; refusing it", name);
		return FALSE;
	}
	return TRUE;
}

/* ------------------------------------------------------------------------ */

/* Roughly: the data, a block per entry, and a margin. */
static gboolean
pxf_check_space(
	const gchar *label, const gchar *store, guint64 bytes, guint64 entries, GError **error)
{
	g_autofree gchar *dir = g_strdup(store);
	struct statvfs vfs;
	guint64 need = bytes + bytes / 32 + entries * 4096 + 1024 * 1024;
	guint64 avail;

	while (statvfs(dir, &vfs) != 0) {
		gchar *parent = g_path_get_dirname(dir);
		if (errno != ENOENT || g_strcmp0(parent, dir) == 0) {
			g_free(parent);
			return TRUE; /* cannot tell; writing will say */
		}
		g_free(dir);
		dir = parent;
	}
	avail = (guint64)vfs.f_bavail * vfs.f_frsize;
	if (need > avail) {
		g_autofree gchar *need_text = g_format_size(need);
		g_autofree gchar *avail_text = g_format_size(avail);
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_NO_SPACE,
			    "%s: unpacking needs about %s in %s, but only %s are free", label,
			    need_text, dir, avail_text);
		return FALSE;
	}
	return TRUE;
}

/* The outermost directory of path that does not exist yet, or NULL. */
static gchar *
pxf_first_missing(const gchar *path)
{
	g_autofree gchar *dir = g_strdup(path);
	gchar *missing = NULL;

	while (!g_file_test(dir, G_FILE_TEST_EXISTS)) {
		gchar *parent = g_path_get_dirname(dir);
		g_free(missing);
		missing = g_steal_pointer(&dir);
		if (g_strcmp0(parent, missing) == 0) {
			g_free(parent);
			break;
		}
		dir = parent;
	}
	return missing;
}

/* Undoes the making of store up to created (left alone unless empty). */
static void
pxf_remove_created(const gchar *store, const gchar *created)
{
	g_autofree gchar *dir = g_strdup(store);

	if (created == NULL)
		return;
	while (g_rmdir(dir) == 0 && g_strcmp0(dir, created) != 0) {
		gchar *parent = g_path_get_dirname(dir);
		g_free(dir);
		dir = parent;
	}
}

/* What the medium says the file must hash to; catches bit rot that the
 * ISO 9660 structures cannot show. */
static gboolean
pxf_check_sum(
	const gchar *label, const gchar *root, const gchar *rel, const gchar *sum, GError **error)
{
	g_autofree gchar *path = g_build_filename(root, rel, NULL);
	g_autofree guint8 *buf = g_malloc(PXF_IMPORT_BLOCK_SIZE);
	g_autoptr(GChecksum) checksum = NULL;
	g_autoptr(GError) error_local = NULL;
	GChecksumType type;
	const gchar *hex;
	gint fd;

	if (!pxf_import_checksum_split(sum, &type, &hex))
		return TRUE; /* the detector lets only well-formed ones through */
	checksum = g_checksum_new(type);
	fd = pxf_file_open_regular(path, NULL, &error_local);
	if (fd < 0) {
		g_set_error_literal(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
				    error_local->message);
		return FALSE;
	}
	for (;;) {
		gssize n = read(fd, buf, PXF_IMPORT_BLOCK_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gint saved = errno;
			close(fd);
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED, "%s: %s",
				    path, g_strerror(saved));
			return FALSE;
		}
		if (n == 0)
			break;
		g_checksum_update(checksum, buf, (gsize)n);
	}
	close(fd);
	if (g_ascii_strcasecmp(g_checksum_get_string(checksum), hex) != 0) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: %s does not match the checksum the medium gives for it (%s): a "
			    "damaged image",
			    label, rel, sum);
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_check_unpacked(PxfImportReader *r, const gchar *root, PxfImportMedium *medium, GError **error)
{
	const gchar *files[] = {medium->kernel, medium->initrd};
	const gchar *what[] = {"kernel", "initrd"};

	for (guint i = 0; i < r->links->len; i++) {
		g_autoptr(GError) error_local = NULL;
		if (!pxf_resolve_beneath(root, g_ptr_array_index(r->links, i), &error_local)) {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE, "%s: %s",
				    r->label, error_local->message);
			return FALSE;
		}
	}
	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree gchar *path = g_build_filename(root, files[i], NULL);
		GStatBuf st;
		if (!pxf_resolve_beneath(root, files[i], error))
			return FALSE;
		if (g_stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
				    "%s: the %s %s is missing or empty after unpacking (a "
				    "damaged image?)",
				    r->label, what[i], files[i]);
			return FALSE;
		}
	}
	if (medium->checksums != NULL) {
		GHashTableIter iter;
		gpointer path;
		gpointer sum;
		g_hash_table_iter_init(&iter, medium->checksums);
		while (g_hash_table_iter_next(&iter, &path, &sum)) {
			if (!pxf_resolve_beneath(root, path, error) ||
			    !pxf_check_sum(r->label, root, path, sum, error))
				return FALSE;
		}
	}
	return TRUE;
}

static gboolean
pxf_rename_noreplace(const gchar *from, const gchar *to, GError **error)
{
	gint ret = renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);

	if (ret != 0 && (errno == ENOSYS || errno == EINVAL)) {
		/* a file system without it: check, then rename (a directory
		 * only replaces an empty one) */
		GStatBuf st;
		if (g_lstat(to, &st) == 0)
			errno = EEXIST;
		else
			ret = g_rename(from, to);
	}
	if (ret != 0) {
		gint saved = errno;
		g_set_error(error, PXF_IMPORT_ERROR,
			    saved == EEXIST ? PXF_IMPORT_ERROR_EXISTS : PXF_IMPORT_ERROR_FAILED,
			    "cannot move the unpacked tree to %s: %s", to, g_strerror(saved));
		return FALSE;
	}
	return TRUE;
}

static void
pxf_sync_dir(const gchar *dir)
{
	gint fd = g_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (fsync(fd) != 0)
		g_debug("cannot sync %s: %s", dir, g_strerror(errno));
	close(fd);
}

/* Unpacks into a temporary directory in the store and renames it to dest. */
static gboolean
pxf_import_install(PxfImportReader *r,
		   PxfImportMedium *medium,
		   const gchar *store,
		   const gchar *dest,
		   const gchar *name,
		   GError **error)
{
	g_autofree gchar *store_real = NULL;
	g_autofree gchar *tmp = NULL;
	gchar *real;

	if (g_mkdir_with_parents(store, 0755) != 0) {
		gint saved = errno;
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
			    "cannot create the distro store %s: %s", store, g_strerror(saved));
		return FALSE;
	}
	/* libarchive refuses to write through links: give it a path without */
	real = realpath(store, NULL);
	if (real == NULL) {
		gint saved = errno;
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED, "%s: %s", store,
			    g_strerror(saved));
		return FALSE;
	}
	store_real = g_strdup(real);
	free(real);
	tmp = g_strdup_printf("%s/.%s.import-XXXXXX", store_real, name);
	if (g_mkdtemp_full(tmp, 0755) == NULL) {
		gint saved = errno;
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
			    "cannot create a directory in %s: %s", store, g_strerror(saved));
		return FALSE;
	}
	if (!pxf_import_reader_unpack(r, tmp, error) ||
	    !pxf_check_unpacked(r, tmp, medium, error) || !pxf_rename_noreplace(tmp, dest, error)) {
		pxf_import_remove_tree(tmp);
		return FALSE;
	}
	pxf_sync_dir(store_real);
	return TRUE;
}

PxfImportResult *
pxf_import_distro(const PxfImportOptions *options, GPtrArray *diags, GError **error)
{
	PxfImportReader r = {0};
	g_autoptr(PxfImportListing) listing = NULL;
	g_autoptr(PxfImportMedium) medium = NULL;
	g_autoptr(PxfConfNode) distro = NULL;
	g_autoptr(PxfImportResult) result = NULL;
	g_autofree gchar *store = NULL;
	g_autofree gchar *dest = NULL;
	g_autofree gchar *conf_file = NULL;
	g_autofree gchar *written = NULL;
	g_autofree gchar *created = NULL;
	GStatBuf st;
	gboolean ok;

	g_return_val_if_fail(options != NULL, NULL);
	g_return_val_if_fail(options->config_dir != NULL, NULL);
	g_return_val_if_fail(options->source != NULL, NULL);
	g_return_val_if_fail(options->store != NULL, NULL);
	g_return_val_if_fail(diags != NULL, NULL);

	if (!pxf_name_is_valid(options->name)) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "invalid distro name '%s': use letters, digits, '.', '_' and '-', "
			    "starting with a letter or digit (at most 128)",
			    options->name != NULL ? options->name : "");
		return NULL;
	}
	if (!pxf_import_config_check_name(options->config_dir, options->name, error))
		return NULL;
	store = g_canonicalize_filename(options->store, NULL);
	dest = g_build_filename(store, options->name, NULL);
	if (g_lstat(dest, &st) == 0) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_EXISTS,
			    "%s already exists; remove it or choose another --name", dest);
		return NULL;
	}
	r.label = options->source;
	r.max_entries = options->max_entries > 0 ? options->max_entries : PXF_IMPORT_MAX_ENTRIES;

	/* everything that can be checked before writing anything */
	ok = pxf_import_reader_open(&r, store, error);
	if (ok)
		listing = pxf_import_reader_list(&r, error);
	if (listing != NULL)
		medium = pxf_import_detect(listing, r.label, error);
	if (medium != NULL) {
		conf_file = g_build_filename(options->config_dir, "conf.d", PXF_IMPORT_DISTROS_FILE,
					     NULL);
		distro = pxf_import_distro_node(conf_file, dest, medium);
		ok = pxf_import_config_add(options->config_dir, options->name, distro, FALSE, diags,
					   NULL, error) &&
		     pxf_check_space(r.label, store, r.n_bytes, r.n_entries, error);
	}
	if (medium == NULL || !ok) {
		pxf_import_reader_clear(&r);
		return NULL;
	}

	created = pxf_first_missing(store);
	ok = pxf_import_install(&r, medium, store, dest, options->name, error);
	if (ok && !pxf_import_config_add(options->config_dir, options->name, distro, TRUE, diags,
					 &written, error)) {
		pxf_import_remove_tree(dest);
		ok = FALSE;
	}
	if (!ok) {
		pxf_remove_created(store, created);
		pxf_import_reader_clear(&r);
		return NULL;
	}

	result = g_new0(PxfImportResult, 1);
	result->medium = g_steal_pointer(&medium);
	result->dir = g_steal_pointer(&dest);
	result->conf_file = g_steal_pointer(&written);
	result->n_entries = r.n_entries;
	result->n_bytes = r.n_bytes;
	pxf_import_reader_clear(&r);
	return g_steal_pointer(&result);
}
