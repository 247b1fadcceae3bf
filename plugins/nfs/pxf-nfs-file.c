/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing the export file so that the server never reads half of it, and
 * telling a running ganesha.nfsd to read it again. */
#define G_LOG_DOMAIN "pxf-nfs"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pxf-nfs.h"

/* What ganesha.nfsd's /proc/PID/comm says (at most 15 characters). */
#define PXF_NFS_GANESHA_COMM "ganesha.nfsd"
/* An export file larger than this is not ours: compared as different. */
#define PXF_NFS_FILE_MAX (16 * 1024 * 1024)

static gboolean
pxf_nfs_errno_error(GError **error, gint saved, const gchar *what, const gchar *path)
{
	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "%s %s: %s", what, path,
		    g_strerror(saved));
	return FALSE;
}

static gboolean
pxf_nfs_write_all(gint fd, const gchar *data, gsize len, const gchar *path, GError **error)
{
	gsize done = 0;

	while (done < len) {
		gssize n = write(fd, data + done, len - done);
		if (n < 0) {
			gint saved = errno;
			if (saved == EINTR)
				continue;
			return pxf_nfs_errno_error(error, saved, "cannot write", path);
		}
		done += (gsize)n;
	}
	return TRUE;
}

/* Fills the temporary file: contents, mode, and on disk before the rename. */
static gboolean
pxf_nfs_fill_temp(gint fd, const gchar *tmp, const gchar *contents, GError **error)
{
	if (!pxf_nfs_write_all(fd, contents, strlen(contents), tmp, error))
		return FALSE;
	/* the server reads it as another user; mkstemp made it 0600 */
	if (fchmod(fd, 0644) != 0)
		return pxf_nfs_errno_error(error, errno, "cannot chmod", tmp);
	if (fsync(fd) != 0)
		return pxf_nfs_errno_error(error, errno, "cannot fsync", tmp);
	return TRUE;
}

/* The rename is durable only once the directory's entry is on disk. */
static gboolean
pxf_nfs_fsync_dir(const gchar *dir, GError **error)
{
	gint fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	gboolean ok = TRUE;

	if (fd < 0)
		return pxf_nfs_errno_error(error, errno, "cannot open directory", dir);
	if (fsync(fd) != 0 && errno != EINVAL)
		ok = pxf_nfs_errno_error(error, errno, "cannot fsync directory", dir);
	close(fd);
	return ok;
}

gboolean
pxf_nfs_write_atomic(const gchar *path, const gchar *contents, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_autofree gchar *base = g_path_get_basename(path);
	/* a dot file: ganesha.conf or exportfs must not pick it up half-written */
	g_autofree gchar *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
	gint fd;
	gboolean ok;

	fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return pxf_nfs_errno_error(error, errno, "cannot create a file in", dir);
	ok = pxf_nfs_fill_temp(fd, tmp, contents, error);
	if (close(fd) != 0 && ok)
		ok = pxf_nfs_errno_error(error, errno, "cannot close", tmp);
	if (ok && rename(tmp, path) != 0)
		ok = pxf_nfs_errno_error(error, errno, "cannot rename to", path);
	if (!ok) {
		g_unlink(tmp);
		return FALSE;
	}
	return pxf_nfs_fsync_dir(dir, error);
}

gboolean
pxf_nfs_file_equals(const gchar *path, const gchar *contents)
{
	g_autofree gchar *current = NULL;
	gsize len = 0;
	GStatBuf st;

	if (g_stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > PXF_NFS_FILE_MAX)
		return FALSE;
	if (!g_file_get_contents(path, &current, &len, NULL))
		return FALSE;
	return len == strlen(contents) && memcmp(current, contents, len) == 0;
}

GPid
pxf_nfs_read_pidfile(const gchar *path, GError **error)
{
	g_autofree gchar *text = NULL;
	gsize len = 0;
	guint64 pid = 0;

	if (!g_file_get_contents(path, &text, &len, error))
		return 0;
	if (len > 32 || memchr(text, '\0', len) != NULL) {
		g_set_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID, "%s: not a pid", path);
		return 0;
	}
	g_strstrip(text);
	/* 1 is init: never ours to signal */
	if (!g_ascii_string_to_unsigned(text, 10, 2, G_MAXINT32, &pid, NULL)) {
		g_set_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID, "%s: '%s' is not a pid",
			    path, text);
		return 0;
	}
	return (GPid)pid;
}

/* The process's command name, or NULL when it does not exist. */
static gchar *
pxf_nfs_process_comm(GPid pid)
{
	g_autofree gchar *proc = g_strdup_printf("/proc/%d/comm", (gint)pid);
	gchar *comm = NULL;

	if (!g_file_get_contents(proc, &comm, NULL, NULL))
		return NULL;
	return g_strchomp(comm);
}

gboolean
pxf_nfs_signal_ganesha(const gchar *pidfile, GPid *pid_out, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *comm = NULL;
	GPid pid;

	*pid_out = 0;
	pid = pxf_nfs_read_pidfile(pidfile, &error_local);
	if (pid == 0) {
		if (g_error_matches(error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			g_set_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_NOT_RUNNING,
				    "no pidfile %s", pidfile);
		else
			g_set_error_literal(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID,
					    error_local->message);
		return FALSE;
	}
	*pid_out = pid;
	comm = pxf_nfs_process_comm(pid);
	if (comm == NULL) {
		g_set_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_NOT_RUNNING,
			    "%s names pid %d, which is not running", pidfile, (gint)pid);
		return FALSE;
	}
	if (g_strcmp0(comm, PXF_NFS_GANESHA_COMM) != 0) {
		g_set_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID,
			    "%s names pid %d, which is %s, not %s: not signalling it (a stale "
			    "pidfile?)",
			    pidfile, (gint)pid, comm, PXF_NFS_GANESHA_COMM);
		return FALSE;
	}
	if (kill(pid, SIGHUP) != 0) {
		gint saved = errno;
		g_set_error(error, PXF_NFS_ERROR,
			    saved == EPERM   ? PXF_NFS_ERROR_DENIED
			    : saved == ESRCH ? PXF_NFS_ERROR_NOT_RUNNING
					     : PXF_NFS_ERROR_FAILED,
			    "cannot send SIGHUP to %s (pid %d): %s", PXF_NFS_GANESHA_COMM,
			    (gint)pid, g_strerror(saved));
		return FALSE;
	}
	return TRUE;
}
