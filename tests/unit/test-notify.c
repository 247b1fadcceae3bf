/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-test"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "pxf-notify.h"

/* Plays the service manager: a datagram socket bound in a temp dir (or in the
 * abstract namespace) and $NOTIFY_SOCKET pointing at it. */
typedef struct {
	gchar *tmpdir;
	gchar *path;
	int fd;
} Fixture;

static void
fixture_bind(Fixture *fx, const struct sockaddr_un *sa, socklen_t sa_len)
{
	fx->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(fx->fd, >=, 0);
	g_assert_cmpint(bind(fx->fd, (const struct sockaddr *)sa, sa_len), ==, 0);
}

static void
fixture_setup_path(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	fx->tmpdir = g_dir_make_tmp("pxf-test-notify-XXXXXX", &error);
	g_assert_no_error(error);
	fx->path = g_build_filename(fx->tmpdir, "notify", NULL);
	g_assert_cmpuint(strlen(fx->path), <, sizeof(sa.sun_path));
	memcpy(sa.sun_path, fx->path, strlen(fx->path));
	fixture_bind(fx, &sa, sizeof(sa));
	g_setenv("NOTIFY_SOCKET", fx->path, TRUE);
}

static void
fixture_setup_abstract(Fixture *fx, gconstpointer data)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	g_autofree gchar *name =
		g_strdup_printf("pxf-test-notify-%ld-%08x", (long)getpid(), g_random_int());
	gsize len = strlen(name);

	/* exact length: a sender that also sent the trailing NULs would address
	 * another name and get ECONNREFUSED */
	memcpy(sa.sun_path + 1, name, len);
	fixture_bind(fx, &sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len));
	fx->path = g_strconcat("@", name, NULL);
	g_setenv("NOTIFY_SOCKET", fx->path, TRUE);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
	g_unsetenv("NOTIFY_SOCKET");
	if (fx->fd >= 0)
		close(fx->fd);
	if (fx->tmpdir != NULL) {
		g_unlink(fx->path);
		g_assert_cmpint(g_rmdir(fx->tmpdir), ==, 0);
	}
	g_free(fx->path);
	g_free(fx->tmpdir);
}

/* next datagram, or NULL when none arrives within 2 s */
static gchar *
fixture_recv(Fixture *fx)
{
	struct pollfd pfd = {.fd = fx->fd, .events = POLLIN};
	gchar buf[4096];
	ssize_t n;

	if (poll(&pfd, 1, 2000) != 1)
		return NULL;
	n = recv(fx->fd, buf, sizeof(buf), MSG_DONTWAIT);
	g_assert_cmpint(n, >, 0);
	return g_strndup(buf, (gsize)n);
}

static gboolean
fixture_nothing_pending(Fixture *fx)
{
	gchar buf[16];
	return recv(fx->fd, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

static guint64
monotonic_usec(void)
{
	struct timespec ts;
	g_assert_cmpint(clock_gettime(CLOCK_MONOTONIC, &ts), ==, 0);
	return (guint64)ts.tv_sec * G_USEC_PER_SEC + (guint64)ts.tv_nsec / 1000;
}

static void
assert_received(Fixture *fx, const gchar *expected)
{
	g_autofree gchar *msg = fixture_recv(fx);
	g_assert_cmpstr(msg, ==, expected);
}

static void
test_notify_messages(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *msg = NULL;
	g_auto(GStrv) lines = NULL;
	guint64 before, after, stamp;
	gchar *end = NULL;

	g_assert_true(pxf_notify("FOO=1\nBAR=two words", &error));
	g_assert_no_error(error);
	assert_received(fx, "FOO=1\nBAR=two words");

	g_assert_true(pxf_notify_ready(NULL));
	assert_received(fx, "READY=1");
	g_assert_true(pxf_notify_ready("serving\n3 subnets"));
	assert_received(fx, "READY=1\nSTATUS=serving 3 subnets");

	g_assert_true(pxf_notify_stopping());
	assert_received(fx, "STOPPING=1");
	g_assert_true(pxf_notify_watchdog());
	assert_received(fx, "WATCHDOG=1");
	g_assert_true(pxf_notify_status("%u hosts, %s", 12u, "idle\r\nnow"));
	assert_received(fx, "STATUS=12 hosts, idle  now");

	before = monotonic_usec();
	g_assert_true(pxf_notify_reloading());
	after = monotonic_usec();
	msg = fixture_recv(fx);
	g_assert_nonnull(msg);
	lines = g_strsplit(msg, "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 2);
	g_assert_cmpstr(lines[0], ==, "RELOADING=1");
	g_assert_true(g_str_has_prefix(lines[1], "MONOTONIC_USEC="));
	g_assert_true(g_ascii_isdigit(lines[1][strlen("MONOTONIC_USEC=")]));
	stamp = g_ascii_strtoull(lines[1] + strlen("MONOTONIC_USEC="), &end, 10);
	g_assert_nonnull(end);
	g_assert_cmpint(*end, ==, '\0');
	g_assert_cmpuint(stamp, >=, before);
	g_assert_cmpuint(stamp, <=, after);

	g_assert_true(fixture_nothing_pending(fx));
}

static void
test_notify_unset(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	g_unsetenv("NOTIFY_SOCKET");
	g_assert_true(pxf_notify("READY=1", &error));
	g_assert_no_error(error);
	g_assert_true(pxf_notify_ready("x"));
	g_assert_true(pxf_notify_reloading());
	g_assert_true(pxf_notify_stopping());
	g_assert_true(pxf_notify_status("x"));
	g_assert_true(fixture_nothing_pending(fx));
}

static void
assert_address_invalid(const gchar *value)
{
	g_autoptr(GError) error = NULL;

	g_setenv("NOTIFY_SOCKET", value, TRUE);
	g_assert_false(pxf_notify("READY=1", &error));
	g_assert_error(error, PXF_NOTIFY_ERROR, PXF_NOTIFY_ERROR_INVALID_ADDRESS);
	g_assert_nonnull(strstr(error->message, "NOTIFY_SOCKET"));
}

static void
test_notify_errors(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *missing = g_build_filename(fx->tmpdir, "missing", NULL);
	g_autofree gchar *longpath = g_strnfill(200, 'a');

	assert_address_invalid("relative/notify");
	assert_address_invalid("vsock:2:1234");
	assert_address_invalid("");
	assert_address_invalid("@");
	longpath[0] = '/';
	assert_address_invalid(longpath);
	longpath[0] = '@';
	assert_address_invalid(longpath);

	g_setenv("NOTIFY_SOCKET", fx->path, TRUE);
	g_assert_false(pxf_notify("", &error));
	g_assert_error(error, PXF_NOTIFY_ERROR, PXF_NOTIFY_ERROR_FAILED);
	g_clear_error(&error);

	g_setenv("NOTIFY_SOCKET", missing, TRUE);
	g_assert_false(pxf_notify("READY=1", &error));
	g_assert_error(error, PXF_NOTIFY_ERROR, PXF_NOTIFY_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, missing));

	/* the helpers report failures as warnings and carry on */
	g_test_expect_message("pxf-notify", G_LOG_LEVEL_WARNING, "*cannot notify*missing*");
	g_assert_false(pxf_notify_stopping());
	g_test_assert_expected_messages();

	g_assert_true(fixture_nothing_pending(fx));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/core/notify/path", Fixture, NULL, fixture_setup_path, test_notify_messages,
		   fixture_teardown);
	g_test_add("/core/notify/abstract", Fixture, NULL, fixture_setup_abstract,
		   test_notify_messages, fixture_teardown);
	g_test_add("/core/notify/unset", Fixture, NULL, fixture_setup_path, test_notify_unset,
		   fixture_teardown);
	g_test_add("/core/notify/errors", Fixture, NULL, fixture_setup_path, test_notify_errors,
		   fixture_teardown);
	return g_test_run();
}
