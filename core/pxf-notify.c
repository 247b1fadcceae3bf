/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-notify"

#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "pxf-notify.h"

/* clang-format off */
G_DEFINE_QUARK(pxf_notify_error_quark, pxf_notify_error)
/* clang-format on */

/* $NOTIFY_SOCKET → sockaddr_un; "@name" is Linux' abstract namespace, whose
 * address length must not include anything past the name. */
static gboolean
pxf_notify_parse_address(const gchar *env,
			 struct sockaddr_un *sa,
			 socklen_t *sa_len,
			 GError **error)
{
	gsize len = strlen(env);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (env[0] == '@') {
		if (len < 2 || len > sizeof(sa->sun_path)) {
			g_set_error(error, PXF_NOTIFY_ERROR, PXF_NOTIFY_ERROR_INVALID_ADDRESS,
				    "NOTIFY_SOCKET “%s”: abstract name must have 1 to %zu bytes",
				    env, sizeof(sa->sun_path) - 1);
			return FALSE;
		}
		/* sun_path[0] stays NUL */
		memcpy(sa->sun_path + 1, env + 1, len - 1);
		*sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
		return TRUE;
	}
	if (env[0] == '/') {
		if (len >= sizeof(sa->sun_path)) {
			g_set_error(error, PXF_NOTIFY_ERROR, PXF_NOTIFY_ERROR_INVALID_ADDRESS,
				    "NOTIFY_SOCKET “%s”: path longer than %zu bytes", env,
				    sizeof(sa->sun_path) - 1);
			return FALSE;
		}
		memcpy(sa->sun_path, env, len);
		*sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
		return TRUE;
	}
	/* relative paths and "vsock:" (VMs, systemd 254+) are not supported */
	g_set_error(error, PXF_NOTIFY_ERROR, PXF_NOTIFY_ERROR_INVALID_ADDRESS,
		    "NOTIFY_SOCKET “%s”: not an absolute path or @abstract name", env);
	return FALSE;
}

gboolean
pxf_notify(const gchar *state, GError **error)
{
	const gchar *env = g_getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t sa_len = 0;
	gsize len;
	ssize_t sent;
	int fd;
	int saved_errno;

	g_return_val_if_fail(state != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (env == NULL)
		return TRUE;
	len = strlen(state);
	if (len == 0) {
		g_set_error_literal(error, PXF_NOTIFY_ERROR, PXF_NOTIFY_ERROR_FAILED,
				    "empty notification");
		return FALSE;
	}
	if (!pxf_notify_parse_address(env, &sa, &sa_len, error))
		return FALSE;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		saved_errno = errno;
		g_set_error(error, PXF_NOTIFY_ERROR, PXF_NOTIFY_ERROR_FAILED,
			    "cannot create notification socket: %s", g_strerror(saved_errno));
		return FALSE;
	}
	do {
		sent = sendto(fd, state, len, MSG_NOSIGNAL, (const struct sockaddr *)&sa, sa_len);
	} while (sent < 0 && errno == EINTR);
	saved_errno = errno;
	close(fd);
	if (sent < 0) {
		g_set_error(error, PXF_NOTIFY_ERROR, PXF_NOTIFY_ERROR_FAILED,
			    "cannot notify the service manager on %s: %s", env,
			    g_strerror(saved_errno));
		return FALSE;
	}
	/* a datagram goes out whole or not at all, but be explicit */
	if ((gsize)sent != len) {
		g_set_error(error, PXF_NOTIFY_ERROR, PXF_NOTIFY_ERROR_FAILED,
			    "short notification to %s: %zd of %zu bytes", env, sent, len);
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_notify_or_warn(const gchar *state)
{
	g_autoptr(GError) error = NULL;

	if (!pxf_notify(state, &error)) {
		g_warning("%s", error->message);
		return FALSE;
	}
	return TRUE;
}

/* a newline would end the STATUS= assignment and start another */
static void
pxf_notify_append_status(GString *state, const gchar *status)
{
	g_string_append(state, "STATUS=");
	for (const gchar *p = status; *p != '\0'; p++)
		g_string_append_c(state, (*p == '\n' || *p == '\r') ? ' ' : *p);
}

gboolean
pxf_notify_ready(const gchar *status)
{
	g_autoptr(GString) state = g_string_new("READY=1");

	if (status != NULL) {
		g_string_append_c(state, '\n');
		pxf_notify_append_status(state, status);
	}
	return pxf_notify_or_warn(state->str);
}

gboolean
pxf_notify_reloading(void)
{
	struct timespec ts = {0};
	g_autofree gchar *state = NULL;

	/* systemd compares this with its own CLOCK_MONOTONIC reading to tell
	 * this reload from an earlier one: read that exact clock */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		g_warning("clock_gettime(CLOCK_MONOTONIC): %s", g_strerror(errno));
		return FALSE;
	}
	state = g_strdup_printf("RELOADING=1\nMONOTONIC_USEC=%" G_GUINT64_FORMAT,
				(guint64)ts.tv_sec * G_USEC_PER_SEC + (guint64)ts.tv_nsec / 1000);
	return pxf_notify_or_warn(state);
}

gboolean
pxf_notify_stopping(void)
{
	return pxf_notify_or_warn("STOPPING=1");
}

gboolean
pxf_notify_watchdog(void)
{
	return pxf_notify_or_warn("WATCHDOG=1");
}

gboolean
pxf_notify_status(const gchar *fmt, ...)
{
	va_list args;
	g_autofree gchar *text = NULL;
	g_autoptr(GString) state = g_string_new(NULL);

	va_start(args, fmt);
	text = g_strdup_vprintf(fmt, args);
	va_end(args);
	pxf_notify_append_status(state, text);
	return pxf_notify_or_warn(state->str);
}
