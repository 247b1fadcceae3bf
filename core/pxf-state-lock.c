/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-state"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "pxf-state-lock.h"

gint
pxf_state_lock_acquire(const gchar *dir, GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, PXF_STATE_LOCK_NAME, NULL);
	g_autofree gchar *pid = NULL;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		int saved = errno;
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot open %s: %s",
			    path, g_strerror(saved));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int saved = errno;
		gchar holder[32] = {0};
		ssize_t n = saved == EWOULDBLOCK ? pread(fd, holder, sizeof(holder) - 1, 0) : -1;

		close(fd);
		if (saved != EWOULDBLOCK) {
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
				    "cannot lock %s: %s", path, g_strerror(saved));
			return -1;
		}
		/* the PID is informational: the lock is what decides */
		if (n > 0)
			g_strstrip(holder);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY,
			    "state directory %s is in use by another pxeforged (PID %s, holding "
			    "%s); two daemons cannot share one state directory",
			    dir, n > 0 && holder[0] != '\0' ? holder : "unknown", path);
		return -1;
	}
	pid = g_strdup_printf("%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid))
		g_debug("cannot write the PID into %s: %s", path, g_strerror(errno));
	return fd;
}
