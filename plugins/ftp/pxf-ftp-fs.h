/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The files an FTP client sees: one virtual tree made of the root
 * directory, with each inventory distro whose tree is a local directory
 * mounted at /distros/<name>. Every access stays inside the directory it
 * belongs to, symlinks included. */
#pragma once

#include <glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

typedef struct _PxfFtpFs PxfFtpFs;

/* root: the absolute directory served at "/" (it may be missing: "/" is then
 * empty but for /distros). */
PxfFtpFs *pxf_ftp_fs_new(const gchar *root);
void pxf_ftp_fs_free(PxfFtpFs *self);
const gchar *pxf_ftp_fs_get_root(PxfFtpFs *self);

/* Replaces the distro mounts: name → absolute directory. Names that cannot
 * be a path segment are left out (and FALSE returned for them). */
void pxf_ftp_fs_clear_distros(PxfFtpFs *self);
gboolean pxf_ftp_fs_add_distro(PxfFtpFs *self, const gchar *name, const gchar *dir);
guint pxf_ftp_fs_get_n_distros(PxfFtpFs *self);

/* The directory vpath (normalised) lives in and its path relative to it
 * ("" for the directory itself). */
const gchar *pxf_ftp_fs_locate(PxfFtpFs *self, const gchar *vpath, const gchar **rel);

/* What vpath is, symlinks inside its tree followed. Refused
 * (PXF_FTP_ERROR_DENIED) when it resolves out of its tree or through an
 * absolute symlink; PXF_FTP_ERROR_NOT_FOUND when it does not exist. */
gboolean pxf_ftp_fs_stat(PxfFtpFs *self, const gchar *vpath, struct stat *st, GError **error);

/* Opens vpath for reading; only a regular file (else PXF_FTP_ERROR_DENIED). */
gint pxf_ftp_fs_open_file(PxfFtpFs *self, const gchar *vpath, struct stat *st, GError **error);

/* One entry of a listing. */
typedef struct {
	gchar *name;
	struct stat st; /* of what it names, symlinks followed */
} PxfFtpEntry;

void pxf_ftp_entry_free(PxfFtpEntry *entry);

/* The entries of directory vpath, sorted by name: regular files and
 * directories only. Entries that leave the tree, dangle, or whose names
 * could not be asked for again (control characters, invalid UTF-8) are
 * left out. At most max entries (the rest is dropped, *truncated set). */
GPtrArray *pxf_ftp_fs_list_dir(
	PxfFtpFs *self, const gchar *vpath, guint max, gboolean *truncated, GError **error);

/* Opens rel (relative, no ".." segment) beneath dir with flags (O_PATH,
 * O_RDONLY, O_DIRECTORY, ...): the realpath of the result must lie inside
 * the realpath of dir, and openat2(RESOLVE_BENEATH) from dir makes sure of it
 * even if the tree changes in between. */
gint pxf_ftp_tree_open(const gchar *dir, const gchar *rel, gint flags, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfFtpFs, pxf_ftp_fs_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfFtpEntry, pxf_ftp_entry_free)

G_END_DECLS
