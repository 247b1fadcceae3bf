/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE  /* nftw */
#define G_LOG_DOMAIN "pxf-import"

#include "pxf-import-private.h"
#include "pxf-file.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reading an install medium with libarchive: an ISO 9660 image is read as
 * a file (Rock Ridge and Joliet names, no loop mount, no root), a directory
 * through libarchive's disk reader, so both go through the same checks.
 * Listing checks every name and link, counts, and keeps the few metadata
 * files the detector reads, before anything is written; unpacking streams
 * the data into a directory that the caller renames into place. */

#define PXF_IMPORT_BLOCK_SIZE (64 * 1024)
#define PXF_ISO_PVD_OFFSET    (16 * 2048)

void
pxf_import_reader_clear(PxfImportReader *r)
{
	g_free(r->source);
	g_clear_pointer(&r->links, g_ptr_array_unref);
}

/* ------------------------------------------------------------------------ */
/* Opening */

/* The primary volume descriptor says how large the volume is; a shorter
 * file is a truncated download, which is worth saying before libarchive
 * fails somewhere in the middle. */
static gboolean
pxf_iso_check_volume(const gchar *label, const gchar *path, GError **error)
{
	guint8 pvd[2048];
	struct stat st;
	guint64 blocks;
	guint64 block_size;
	gssize n = 0;
	g_autoptr(GError) error_local = NULL;
	/* non-blocking: a FIFO given as the image must not hang the import */
	gint fd = pxf_file_open_regular(path, &st, &error_local);

	if (fd < 0) {
		g_set_error(error, PXF_IMPORT_ERROR,
			    g_error_matches(error_local, G_FILE_ERROR, G_FILE_ERROR_INVAL)
				    ? PXF_IMPORT_ERROR_INVALID
				    : PXF_IMPORT_ERROR_FAILED,
			    "%s: %s", label, pxf_file_error_reason(error_local, path));
		return FALSE;
	}
	if (st.st_size >= PXF_ISO_PVD_OFFSET + (goffset)sizeof(pvd))
		n = pread(fd, pvd, sizeof(pvd), PXF_ISO_PVD_OFFSET);
	close(fd);
	if (n != (gssize)sizeof(pvd) || pvd[0] != 1 || memcmp(pvd + 1, "CD001", 5) != 0) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: not an ISO 9660 image (no primary volume descriptor at 32 KiB); "
			    "expected an install medium's .iso or a directory",
			    label);
		return FALSE;
	}
	/* both-endian fields: the little-endian half */
	blocks = (guint64)pvd[80] | (guint64)pvd[81] << 8 | (guint64)pvd[82] << 16 |
		 (guint64)pvd[83] << 24;
	block_size = (guint64)pvd[128] | (guint64)pvd[129] << 8;
	if (blocks * block_size > (guint64)st.st_size) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: truncated image: its volume is %" G_GUINT64_FORMAT
			    " bytes but the file has only %" G_GUINT64_FORMAT
			    " (an interrupted download?)",
			    label, blocks * block_size, (guint64)st.st_size);
		return FALSE;
	}
	return TRUE;
}

static struct archive *
pxf_archive_open(PxfImportReader *r, GError **error)
{
	struct archive *a;

	if (r->is_dir) {
		a = archive_read_disk_new();
		if (a == NULL)
			g_error("out of memory");
		/* links are entries of their own, never followed out of the tree */
		archive_read_disk_set_symlink_physical(a);
		archive_read_disk_set_behavior(a, ARCHIVE_READDISK_NO_XATTR |
							  ARCHIVE_READDISK_NO_ACL |
							  ARCHIVE_READDISK_NO_FFLAGS |
							  ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
		if (archive_read_disk_open(a, r->source) != ARCHIVE_OK) {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED, "%s: %s",
				    r->label, archive_error_string(a));
			archive_read_free(a);
			return NULL;
		}
		return a;
	}
	a = archive_read_new();
	if (a == NULL)
		g_error("out of memory");
	archive_read_support_format_iso9660(a);
	if (archive_read_open_filename(a, r->source, PXF_IMPORT_BLOCK_SIZE) != ARCHIVE_OK) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: cannot read the image: %s", r->label, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* The next entry, its name made relative and checked; FALSE with error
 * set on a damaged image or an unsafe entry, FALSE without at the end. */
static gboolean
pxf_archive_next(PxfImportReader *r,
		 struct archive *a,
		 struct archive_entry *entry,
		 gchar **name,
		 GError **error)
{
	const gchar *raw;
	const gchar *link;
	g_autofree gchar *rel = NULL;
	gint ret;

	for (;;) {
		ret = archive_read_next_header2(a, entry);
		if (ret == ARCHIVE_EOF)
			return FALSE;
		if (ret < ARCHIVE_WARN) {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
				    "%s: damaged image: %s", r->label, archive_error_string(a));
			return FALSE;
		}
		if (ret == ARCHIVE_WARN)
			g_debug("%s: %s", r->label, archive_error_string(a));
		raw = archive_entry_pathname(entry);
		if (raw == NULL) {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
				    "%s: an entry without a name", r->label);
			return FALSE;
		}
		if (r->is_dir) {
			/* the disk reader names entries by their full path */
			if (g_strcmp0(raw, r->source) == 0) {
				raw = ".";
			} else if (g_str_has_prefix(raw, r->source) &&
				   raw[strlen(r->source)] == '/') {
				raw += strlen(r->source) + 1;
			} else {
				g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
					    "%s: unexpected entry %s", r->label, raw);
				return FALSE;
			}
			if (archive_entry_filetype(entry) == AE_IFDIR)
				archive_read_disk_descend(a);
		}
		rel = pxf_import_check_entry_name(r->label, raw, error);
		if (rel == NULL)
			return FALSE;
		if (rel[0] != '\0')
			break;
		g_clear_pointer(&rel, g_free); /* the root itself */
	}
	if (++r->n_entries > r->max_entries) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE,
			    "%s: more than %u entries; refusing to unpack it", r->label,
			    r->max_entries);
		return FALSE;
	}
	switch (archive_entry_filetype(entry)) {
	case AE_IFREG:
		link = archive_entry_hardlink(entry);
		if (link != NULL) {
			g_autofree gchar *target =
				pxf_import_check_entry_name(r->label, link, error);
			if (target == NULL || target[0] == '\0') {
				if (target != NULL)
					g_set_error(
						error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE,
						"%s: %s is a hard link to the root", r->label, rel);
				return FALSE;
			}
			archive_entry_copy_hardlink(entry, target);
		} else if (archive_entry_size(entry) > 0) {
			r->n_bytes += (guint64)archive_entry_size(entry);
		}
		break;
	case AE_IFDIR:
		break;
	case AE_IFLNK:
		link = archive_entry_symlink(entry);
		if (link == NULL || !pxf_import_check_link_target(r->label, rel, link, error)) {
			if (link == NULL)
				g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
					    "%s: symbolic link %s has no target", r->label, rel);
			return FALSE;
		}
		break;
	default:
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_UNSAFE,
			    "%s: %s is a device, pipe or socket; install media carry only "
			    "files, directories and links",
			    r->label, rel);
		return FALSE;
	}
	archive_entry_copy_pathname(entry, rel);
	*name = g_steal_pointer(&rel);
	return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Pass 1: the listing */

static GBytes *
pxf_archive_read_small(PxfImportReader *r, struct archive *a, gint64 size, GError **error)
{
	g_autofree gchar *buf = g_malloc((gsize)size + 1);
	gsize done = 0;

	while (done < (gsize)size) {
		la_ssize_t n = archive_read_data(a, buf + done, (gsize)size - done);
		if (n < 0) {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
				    "%s: damaged image: %s", r->label, archive_error_string(a));
			return NULL;
		}
		if (n == 0)
			break;
		done += (gsize)n;
	}
	return g_bytes_new_take(g_steal_pointer(&buf), done);
}

PxfImportListing *
pxf_import_reader_list(PxfImportReader *r, GError **error)
{
	g_autoptr(PxfImportListing) listing = pxf_import_listing_new();
	struct archive *a = pxf_archive_open(r, error);
	struct archive_entry *entry;
	GError *error_local = NULL;
	gchar *name = NULL;

	if (a == NULL)
		return NULL;
	entry = archive_entry_new();
	r->n_entries = 0;
	r->n_bytes = 0;
	while (pxf_archive_next(r, a, entry, &name, &error_local)) {
		g_autoptr(GBytes) contents = NULL;
		PxfImportEntryType type = PXF_IMPORT_ENTRY_FILE;
		gint64 size = archive_entry_size(entry);

		if (archive_entry_filetype(entry) == AE_IFDIR)
			type = PXF_IMPORT_ENTRY_DIR;
		else if (archive_entry_filetype(entry) == AE_IFLNK)
			type = PXF_IMPORT_ENTRY_SYMLINK;
		if (type == PXF_IMPORT_ENTRY_FILE && archive_entry_hardlink(entry) == NULL &&
		    size >= 0 && size <= PXF_IMPORT_MAX_METADATA &&
		    pxf_import_listing_wants(name)) {
			contents = pxf_archive_read_small(r, a, size, &error_local);
			if (contents == NULL) {
				g_free(name);
				break;
			}
		}
		pxf_import_listing_add(listing, name, type, contents);
		g_clear_pointer(&name, g_free);
	}
	archive_entry_free(entry);
	archive_read_free(a);
	if (error_local != NULL) {
		g_propagate_error(error, error_local);
		return NULL;
	}
	return g_steal_pointer(&listing);
}

/* ------------------------------------------------------------------------ */
/* Pass 2: unpacking */

static gint
pxf_remove_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (remove(path) != 0 && errno != ENOENT)
		g_warning("cannot remove %s: %s", path, g_strerror(errno));
	return 0;
}

/* rm -rf without following links */
void
pxf_import_remove_tree(const gchar *dir)
{
	if (nftw(dir, pxf_remove_cb, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
		g_warning("cannot remove %s: %s", dir, g_strerror(errno));
}

static gboolean
pxf_archive_copy_data(
	PxfImportReader *r, struct archive *a, struct archive *w, const gchar *name, GError **error)
{
	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t offset;
		gint ret = archive_read_data_block(a, &buf, &size, &offset);

		if (ret == ARCHIVE_EOF)
			return TRUE;
		if (ret < ARCHIVE_WARN) {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
				    "%s: %scannot read %s: %s", r->label,
				    r->is_dir ? "" : "damaged image: ", name,
				    archive_error_string(a));
			return FALSE;
		}
		if (archive_write_data_block(w, buf, size, offset) < ARCHIVE_WARN) {
			gint code = archive_errno(w) == ENOSPC ? PXF_IMPORT_ERROR_NO_SPACE
							       : PXF_IMPORT_ERROR_FAILED;
			g_set_error(error, PXF_IMPORT_ERROR, code, "cannot write %s: %s", name,
				    archive_error_string(w));
			return FALSE;
		}
	}
}

gboolean
pxf_import_reader_unpack(PxfImportReader *r, const gchar *root, GError **error)
{
	struct archive *a = pxf_archive_open(r, error);
	struct archive *w;
	struct archive_entry *entry;
	GError *error_local = NULL;
	gchar *name = NULL;

	if (a == NULL)
		return FALSE;
	w = archive_write_disk_new();
	if (w == NULL)
		g_error("out of memory");
	/* names are checked above and made absolute under root; libarchive's
	 * own checks are the second line */
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
						  ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						  ARCHIVE_EXTRACT_NO_OVERWRITE);
	entry = archive_entry_new();
	r->n_entries = 0;
	r->n_bytes = 0;
	r->links = g_ptr_array_new_with_free_func(g_free);
	while (error_local == NULL && pxf_archive_next(r, a, entry, &name, &error_local)) {
		g_autofree gchar *full = g_build_filename(root, name, NULL);
		mode_t type = archive_entry_filetype(entry);
		const gchar *hardlink = archive_entry_hardlink(entry);

		archive_entry_copy_pathname(entry, full);
		if (hardlink != NULL) {
			g_autofree gchar *target = g_build_filename(root, hardlink, NULL);
			archive_entry_copy_hardlink(entry, target);
		}
		/* media's modes (0555 directories, odd owners) are not kept:
		 * the tree must be readable by the daemon and removable */
		if (type == AE_IFDIR)
			archive_entry_set_perm(entry, 0755);
		else if (type == AE_IFREG)
			archive_entry_set_perm(entry,
					       (archive_entry_perm(entry) & 0111) ? 0755 : 0644);
		else if (type == AE_IFLNK)
			g_ptr_array_add(r->links, g_strdup(name));
		if (archive_write_header(w, entry) < ARCHIVE_WARN) {
			g_set_error(&error_local, PXF_IMPORT_ERROR,
				    archive_errno(w) == ENOSPC ? PXF_IMPORT_ERROR_NO_SPACE
							       : PXF_IMPORT_ERROR_FAILED,
				    "%s: cannot unpack %s: %s", r->label, name,
				    archive_error_string(w));
		} else if (type == AE_IFREG && hardlink == NULL && archive_entry_size(entry) > 0) {
			pxf_archive_copy_data(r, a, w, name, &error_local);
		}
		if (error_local == NULL && archive_write_finish_entry(w) < ARCHIVE_WARN) {
			g_set_error(&error_local, PXF_IMPORT_ERROR,
				    archive_errno(w) == ENOSPC ? PXF_IMPORT_ERROR_NO_SPACE
							       : PXF_IMPORT_ERROR_FAILED,
				    "%s: cannot unpack %s: %s", r->label, name,
				    archive_error_string(w));
		}
		g_clear_pointer(&name, g_free);
	}
	/* sets the directories' times, deferred until their files are in */
	if (archive_write_close(w) != ARCHIVE_OK && error_local == NULL) {
		g_set_error(&error_local, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
			    "%s: cannot finish unpacking: %s", r->label, archive_error_string(w));
	}
	archive_write_free(w);
	archive_entry_free(entry);
	archive_read_free(a);
	if (error_local != NULL) {
		g_propagate_error(error, error_local);
		return FALSE;
	}
	return TRUE;
}

/* The nearest existing ancestor of path, resolved. */
static gchar *
pxf_realpath_existing(const gchar *path)
{
	g_autofree gchar *dir = g_strdup(path);

	for (;;) {
		gchar *real = realpath(dir, NULL);
		gchar *parent;
		if (real != NULL) {
			g_autofree gchar *rest = g_strdup(path + strlen(dir));
			gchar *out = g_strconcat(real, rest, NULL);
			free(real);
			return out;
		}
		parent = g_path_get_dirname(dir);
		if (g_strcmp0(parent, dir) == 0) {
			g_free(parent);
			return g_strdup(path);
		}
		g_free(dir);
		dir = parent;
	}
}

gboolean
pxf_import_reader_open(PxfImportReader *r, const gchar *store, GError **error)
{
	GStatBuf st;
	gchar *real;

	if (g_stat(r->label, &st) != 0) {
		gint saved = errno;
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED, "%s: %s", r->label,
			    g_strerror(saved));
		return FALSE;
	}
	real = realpath(r->label, NULL);
	if (real == NULL) {
		gint saved = errno;
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED, "%s: %s", r->label,
			    g_strerror(saved));
		return FALSE;
	}
	r->source = g_strdup(real);
	free(real);
	r->is_dir = S_ISDIR(st.st_mode);
	if (r->is_dir) {
		/* unpacking a directory into itself would never end */
		g_autofree gchar *store_real = pxf_realpath_existing(store);
		g_autofree gchar *a = g_strconcat(store_real, "/", NULL);
		g_autofree gchar *b = g_strconcat(r->source, "/", NULL);
		if (g_str_has_prefix(a, b)) {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
				    "%s: the distro store %s is inside it; cannot import it",
				    r->label, store);
			return FALSE;
		}
		return TRUE;
	}
	return pxf_iso_check_volume(r->label, r->source, error);
}
