/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-test"

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "pxf-log.h"

/* The writer can be installed only once per process and would take over the
 * harness' own output, so every case runs in a subprocess; inside it stderr is
 * redirected to a temporary file so that whole lines, pid included, can be
 * compared exactly. */

typedef struct {
	int saved_fd;
	gchar *path;
} Capture;

static void
capture_begin(Capture *cap)
{
	g_autoptr(GError) error = NULL;
	int fd = g_file_open_tmp("pxf-test-log-XXXXXX", &cap->path, &error);

	g_assert_no_error(error);
	cap->saved_fd = dup(STDERR_FILENO);
	g_assert_cmpint(cap->saved_fd, >=, 0);
	g_assert_cmpint(dup2(fd, STDERR_FILENO), ==, STDERR_FILENO);
	close(fd);
}

static gchar *
capture_end(Capture *cap)
{
	g_autoptr(GError) error = NULL;
	gchar *contents = NULL;

	g_assert_cmpint(dup2(cap->saved_fd, STDERR_FILENO), ==, STDERR_FILENO);
	close(cap->saved_fd);
	g_assert_true(g_file_get_contents(cap->path, &contents, NULL, &error));
	g_assert_no_error(error);
	g_unlink(cap->path);
	g_clear_pointer(&cap->path, g_free);
	return contents;
}

/* "test-log[1234]: " for this process */
static gchar *
line_prefix(void)
{
	g_autofree gchar *base = g_path_get_basename(g_get_prgname());
	return g_strdup_printf("%s[%ld]: ", base, (long)getpid());
}

static void
child_setup(void)
{
	/* g_test_init() makes warnings fatal; the writer is what is tested */
	g_log_set_always_fatal(G_LOG_FATAL_MASK);
	g_unsetenv("G_MESSAGES_DEBUG");
}

static void
test_log_format(void)
{
	Capture cap = {0};
	g_autofree gchar *out = NULL;
	g_autofree gchar *expected = NULL;
	g_autofree gchar *prefix = NULL;
	GLogField fields[] = {
		{"MESSAGE", "counted-and-cut", 7},
		{"PRIORITY", "5", -1},
		{"GLIB_DOMAIN", "pxf-structuredXXX", 14},
	};

	if (!g_test_subprocess()) {
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		g_test_trap_assert_passed();
		return;
	}
	child_setup();
	prefix = line_prefix();

	capture_begin(&cap);
	pxf_log_init(FALSE);
	g_message("hello %s", "world");
	g_warning("something %d is off", 42);
	g_log(NULL, G_LOG_LEVEL_MESSAGE, "no domain here");
	g_info("informational");
	g_message("escape \x1b[31mred\x7f tab\tnewline\nend");
	g_log_structured_array(G_LOG_LEVEL_MESSAGE, fields, G_N_ELEMENTS(fields));
	out = capture_end(&cap);

	expected =
		g_strdup_printf("%smessage: pxf-test: hello world\n"
				"%swarning: pxf-test: something 42 is off\n"
				"%smessage: no domain here\n"
				"%sinfo: pxf-test: informational\n"
				"%smessage: pxf-test: escape \\x1b[31mred\\x7f tab\tnewline\nend\n"
				"%smessage: pxf-structured: counted\n",
				prefix, prefix, prefix, prefix, prefix, prefix);
	g_assert_cmpstr(out, ==, expected);
}

static void
test_log_debug_hidden(void)
{
	Capture cap = {0};
	g_autofree gchar *out = NULL;
	g_autofree gchar *expected = NULL;
	g_autofree gchar *prefix = NULL;

	if (!g_test_subprocess()) {
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		g_test_trap_assert_passed();
		return;
	}
	child_setup();
	prefix = line_prefix();

	capture_begin(&cap);
	pxf_log_init(FALSE);
	g_debug("this debug record must not appear");
	g_message("after");
	out = capture_end(&cap);

	g_assert_false(pxf_log_get_debug());
	expected = g_strdup_printf("%smessage: pxf-test: after\n", prefix);
	g_assert_cmpstr(out, ==, expected);
}

static void
test_log_debug_shown(void)
{
	Capture cap = {0};
	g_autofree gchar *out = NULL;
	g_autofree gchar *expected = NULL;
	g_autofree gchar *prefix = NULL;

	if (!g_test_subprocess()) {
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		g_test_trap_assert_passed();
		return;
	}
	child_setup();
	prefix = line_prefix();

	capture_begin(&cap);
	pxf_log_init(TRUE);
	g_debug("visible %s", "debug");
	out = capture_end(&cap);

	g_assert_true(pxf_log_get_debug());
	expected = g_strdup_printf("%sdebug: pxf-test: visible debug\n", prefix);
	g_assert_cmpstr(out, ==, expected);
}

static void
test_log_debug_toggle(void)
{
	Capture cap = {0};
	g_autofree gchar *out = NULL;
	g_autofree gchar *expected = NULL;
	g_autofree gchar *prefix = NULL;

	if (!g_test_subprocess()) {
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		g_test_trap_assert_passed();
		return;
	}
	child_setup();
	prefix = line_prefix();

	capture_begin(&cap);
	pxf_log_init(FALSE);
	g_debug("hidden 1");
	pxf_log_set_debug(TRUE);
	g_debug("shown 2");
	pxf_log_set_debug(FALSE);
	g_debug("hidden 3");
	/* a second init only changes the setting */
	pxf_log_init(TRUE);
	g_debug("shown 4");
	out = capture_end(&cap);

	expected = g_strdup_printf("%sdebug: pxf-test: shown 2\n"
				   "%sdebug: pxf-test: shown 4\n",
				   prefix, prefix);
	g_assert_cmpstr(out, ==, expected);
}

static void
test_log_messages_debug_env(void)
{
	Capture cap = {0};
	g_autofree gchar *out = NULL;
	g_autofree gchar *expected = NULL;
	g_autofree gchar *prefix = NULL;

	if (!g_test_subprocess()) {
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		g_test_trap_assert_passed();
		return;
	}
	child_setup();
	prefix = line_prefix();

	capture_begin(&cap);
	pxf_log_init(FALSE);
	g_setenv("G_MESSAGES_DEBUG", "pxf-other,pxf-test", TRUE);
	g_debug("listed domain");
	g_log("pxf-unlisted", G_LOG_LEVEL_DEBUG, "unlisted domain");
	g_setenv("G_MESSAGES_DEBUG", "all", TRUE);
	g_log("pxf-unlisted", G_LOG_LEVEL_DEBUG, "all domains");
	g_setenv("G_MESSAGES_DEBUG", "pxf-tes", TRUE);
	g_debug("prefix of a domain does not match");
	out = capture_end(&cap);

	expected = g_strdup_printf("%sdebug: pxf-test: listed domain\n"
				   "%sdebug: pxf-unlisted: all domains\n",
				   prefix, prefix);
	g_assert_cmpstr(out, ==, expected);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/log/format", test_log_format);
	g_test_add_func("/core/log/debug-hidden", test_log_debug_hidden);
	g_test_add_func("/core/log/debug-shown", test_log_debug_shown);
	g_test_add_func("/core/log/debug-toggle", test_log_debug_toggle);
	g_test_add_func("/core/log/messages-debug-env", test_log_messages_debug_env);
	return g_test_run();
}
