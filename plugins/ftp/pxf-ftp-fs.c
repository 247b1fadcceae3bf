/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The served trees. Every access goes through plugins/common's
 * pxf_confined_open(), as the http plugin's does: the realpath of the target
 * must lie inside the realpath of its tree, and the open itself goes through
 * openat2(RESOLVE_BENEATH) from the tree's directory. */
#define G_LOG_DOMAIN "pxf-ftp"
#define _GNU_SOURCE  /* O_PATH */

#include "pxf-ftp-fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "pxf-confined.h"
#include "pxf-ftp-command.h"
#include "pxf-ftp-path.h"

#define PXF_FTP_DISTROS "distros"

struct _PxfFtpFs {
	gchar *root;
	GHashTable *distros; /* name → directory */
	gint64 created;	     /* the mtime of the directories that only exist here */
};

PxfFtpFs *
pxf_ftp_fs_new(const gchar *root)
{
	PxfFtpFs *self = g_new0(PxfFtpFs, 1);
	self->root = g_strdup(root);
	self->distros = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->created = g_get_real_time() / G_USEC_PER_SEC;
	return self;
}

void
pxf_ftp_fs_free(PxfFtpFs *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->distros);
	g_free(self->root);
	g_free(self);
}

const gchar *
pxf_ftp_fs_get_root(PxfFtpFs *self)
{
	return self->root;
}

void
pxf_ftp_fs_clear_distros(PxfFtpFs *self)
{
	g_hash_table_remove_all(self->distros);
}

gboolean
pxf_ftp_fs_add_distro(PxfFtpFs *self, const gchar *name, const gchar *dir)
{
	if (!pxf_ftp_path_segment_is_valid(name) || dir == NULL || !g_path_is_absolute(dir))
		return FALSE;
	g_hash_table_replace(self->distros, g_strdup(name), g_strdup(dir));
	return TRUE;
}

guint
pxf_ftp_fs_get_n_distros(PxfFtpFs *self)
{
	return g_hash_table_size(self->distros);
}

void
pxf_ftp_entry_free(PxfFtpEntry *entry)
{
	if (entry == NULL)
		return;
	g_free(entry->name);
	g_free(entry);
}

const gchar *
pxf_ftp_fs_locate(PxfFtpFs *self, const gchar *vpath, const gchar **rel)
{
	const gchar *prefix = "/" PXF_FTP_DISTROS "/";

	if (g_str_has_prefix(vpath, prefix)) {
		const gchar *name = vpath + strlen(prefix);
		const gchar *slash = strchr(name, '/');
		g_autofree gchar *dname =
			slash != NULL ? g_strndup(name, (gsize)(slash - name)) : g_strdup(name);
		const gchar *dir = g_hash_table_lookup(self->distros, dname);
		if (dir != NULL) {
			*rel = slash != NULL ? slash + 1 : "";
			return dir;
		}
	}
	*rel = vpath[0] == '/' ? vpath + 1 : vpath;
	return self->root;
}

/* ---- confined opening ----------------------------------------------------------- */

/* The confined open's error in this plugin's domain. */
static gboolean
pxf_ftp_fs_error(const GError *local, GError **error)
{
	return pxf_confined_error_to(local, PXF_FTP_ERROR, PXF_FTP_ERROR_FAILED,
				     PXF_FTP_ERROR_NOT_FOUND, PXF_FTP_ERROR_DENIED, error);
}

static gboolean
pxf_ftp_fs_errno(gint saved, const gchar *what, GError **error)
{
	g_autoptr(GError) error_local = NULL;

	pxf_confined_set_error(&error_local, saved, what);
	return pxf_ftp_fs_error(error_local, error);
}

gint
pxf_ftp_tree_open(const gchar *dir, const gchar *rel, gint flags, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gint fd;

	if (dir == NULL) {
		g_set_error_literal(error, PXF_FTP_ERROR, PXF_FTP_ERROR_NOT_FOUND, "no tree");
		return -1;
	}
	fd = pxf_confined_open(dir, rel, flags, &error_local);
	if (fd < 0)
		pxf_ftp_fs_error(error_local, error);
	return fd;
}

/* ---- the virtual tree -------------------------------------------------------------- */

/* "/" and "/distros" exist whatever is on disk once there are distros. */
static gboolean
pxf_ftp_fs_is_virtual_dir(PxfFtpFs *self, const gchar *vpath)
{
	if (g_strcmp0(vpath, "/") == 0)
		return TRUE;
	return g_strcmp0(vpath, "/" PXF_FTP_DISTROS) == 0 && pxf_ftp_fs_get_n_distros(self) > 0;
}

static void
pxf_ftp_fs_virtual_stat(PxfFtpFs *self, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFDIR | 0555;
	st->st_nlink = 2;
	st->st_mtime = (time_t)self->created;
}

static gboolean
pxf_ftp_fs_stat_at(const gchar *dir, const gchar *rel, struct stat *st, GError **error)
{
	gint fd = pxf_ftp_tree_open(dir, rel, O_PATH, error);
	gint saved;

	if (fd < 0)
		return FALSE;
	if (fstat(fd, st) != 0) {
		saved = errno;
		close(fd);
		return pxf_ftp_fs_errno(saved, rel, error);
	}
	close(fd);
	return TRUE;
}

gboolean
pxf_ftp_fs_stat(PxfFtpFs *self, const gchar *vpath, struct stat *st, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	const gchar *rel = NULL;
	const gchar *dir = pxf_ftp_fs_locate(self, vpath, &rel);

	if (pxf_ftp_fs_stat_at(dir, rel, st, &error_local)) {
		/* a file named like a virtual directory is hidden by it */
		if (pxf_ftp_fs_is_virtual_dir(self, vpath) && !S_ISDIR(st->st_mode))
			pxf_ftp_fs_virtual_stat(self, st);
		return TRUE;
	}
	if (pxf_ftp_fs_is_virtual_dir(self, vpath) &&
	    g_error_matches(error_local, PXF_FTP_ERROR, PXF_FTP_ERROR_NOT_FOUND)) {
		pxf_ftp_fs_virtual_stat(self, st);
		return TRUE;
	}
	g_propagate_error(error, g_steal_pointer(&error_local));
	return FALSE;
}

gint
pxf_ftp_fs_open_file(PxfFtpFs *self, const gchar *vpath, struct stat *st, GError **error)
{
	const gchar *rel = NULL;
	const gchar *dir = pxf_ftp_fs_locate(self, vpath, &rel);
	gint fd;

	if (pxf_ftp_fs_is_virtual_dir(self, vpath) || rel[0] == '\0') {
		g_set_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_DENIED, "%s: a directory", vpath);
		return -1;
	}
	/* O_NONBLOCK: a FIFO must not hang the main loop before it is refused */
	fd = pxf_ftp_tree_open(dir, rel, O_RDONLY | O_NOCTTY | O_NONBLOCK, error);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0) {
		gint saved = errno;
		close(fd);
		pxf_ftp_fs_errno(saved, rel, error);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		g_set_error(error, PXF_FTP_ERROR, PXF_FTP_ERROR_DENIED, "%s: %s", vpath,
			    S_ISDIR(st->st_mode) ? "a directory" : "not a regular file");
		return -1;
	}
	return fd;
}

static gint
pxf_ftp_entry_cmp(gconstpointer a, gconstpointer b)
{
	const PxfFtpEntry *ea = *(PxfFtpEntry *const *)a;
	const PxfFtpEntry *eb = *(PxfFtpEntry *const *)b;
	return strcmp(ea->name, eb->name);
}

static void
pxf_ftp_fs_put(GHashTable *entries, const gchar *name, const struct stat *st)
{
	PxfFtpEntry *entry = g_new0(PxfFtpEntry, 1);
	entry->name = g_strdup(name);
	entry->st = *st;
	g_hash_table_replace(entries, entry->name, entry);
}

/* The files and directories of dir/rel, symlinks followed inside the tree. */
static gboolean
pxf_ftp_fs_read_dir(const gchar *dir,
		    const gchar *rel,
		    GHashTable *entries,
		    guint max,
		    gboolean *truncated,
		    GError **error)
{
	gint fd = pxf_ftp_tree_open(dir, rel, O_RDONLY | O_DIRECTORY, error);
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return FALSE;
	d = fdopendir(fd);
	if (d == NULL) {
		gint saved = errno;
		close(fd);
		return pxf_ftp_fs_errno(saved, rel, error);
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (!pxf_ftp_path_segment_is_valid(de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			/* shown only when it could be fetched: inside, not absolute */
			g_autofree gchar *child = rel[0] != '\0'
							  ? g_strconcat(rel, "/", de->d_name, NULL)
							  : g_strdup(de->d_name);
			gint lfd = pxf_ftp_tree_open(dir, child, O_PATH, NULL);
			gboolean ok = lfd >= 0 && fstat(lfd, &st) == 0;
			if (lfd >= 0)
				close(lfd);
			if (!ok)
				continue;
		}
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			continue;
		if (g_hash_table_size(entries) >= max) {
			*truncated = TRUE;
			break;
		}
		pxf_ftp_fs_put(entries, de->d_name, &st);
	}
	closedir(d);
	return TRUE;
}

GPtrArray *
pxf_ftp_fs_list_dir(
	PxfFtpFs *self, const gchar *vpath, guint max, gboolean *truncated, GError **error)
{
	g_autoptr(GHashTable) entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
							      (GDestroyNotify)pxf_ftp_entry_free);
	g_autoptr(GError) error_local = NULL;
	const gchar *rel = NULL;
	const gchar *dir = pxf_ftp_fs_locate(self, vpath, &rel);
	gboolean is_virtual = pxf_ftp_fs_is_virtual_dir(self, vpath);
	GPtrArray *result;
	GHashTableIter iter;
	gpointer value;

	*truncated = FALSE;
	if (!pxf_ftp_fs_read_dir(dir, rel, entries, max, truncated, &error_local)) {
		if (!is_virtual ||
		    !g_error_matches(error_local, PXF_FTP_ERROR, PXF_FTP_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return NULL;
		}
	}
	/* the mounts hide what the root has under the same names */
	if (g_strcmp0(vpath, "/") == 0 && pxf_ftp_fs_get_n_distros(self) > 0) {
		struct stat st;
		pxf_ftp_fs_virtual_stat(self, &st);
		if (g_hash_table_lookup(entries, PXF_FTP_DISTROS) == NULL ||
		    !S_ISDIR(((PxfFtpEntry *)g_hash_table_lookup(entries, PXF_FTP_DISTROS))
				     ->st.st_mode))
			pxf_ftp_fs_put(entries, PXF_FTP_DISTROS, &st);
	} else if (g_strcmp0(vpath, "/" PXF_FTP_DISTROS) == 0) {
		GHashTableIter diter;
		gpointer name, ddir;
		g_hash_table_iter_init(&diter, self->distros);
		while (g_hash_table_iter_next(&diter, &name, &ddir)) {
			struct stat st;
			if (pxf_ftp_fs_stat_at(ddir, "", &st, NULL) && S_ISDIR(st.st_mode))
				pxf_ftp_fs_put(entries, name, &st);
			else
				g_hash_table_remove(entries, name);
		}
	}
	result = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_ftp_entry_free);
	g_hash_table_iter_init(&iter, entries);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		g_ptr_array_add(result, value);
		g_hash_table_iter_steal(&iter);
	}
	g_ptr_array_sort(result, pxf_ftp_entry_cmp);
	return result;
}
