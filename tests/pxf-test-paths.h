/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the test suites find their fixtures (tests/data, plugins/<name>/templates):
 * under the source root named by $PXF_TEST_SRCDIR, which meson's test_env sets
 * to the source tree and the installed-tests runner to the installed copy of
 * the fixtures; else under the source tree the binary was built from, so that
 * a suite of the build tree also runs by hand. */
#pragma once

#include <glib.h>
#include <stdarg.h>

/* set by pxf_test_paths_dep (meson.build) */
#ifndef PXF_TEST_SRCDIR_DEFAULT
#error "PXF_TEST_SRCDIR_DEFAULT not defined: add pxf_test_paths_dep to the test's dependencies"
#endif

static inline const gchar *
pxf_test_srcdir(void)
{
	const gchar *dir = g_getenv("PXF_TEST_SRCDIR");
	return dir != NULL && dir[0] != '\0' ? dir : PXF_TEST_SRCDIR_DEFAULT;
}

/* The path of @first_element, ... (NULL-terminated) under the source root,
 * e.g. pxf_test_build_filename("tests", "data", "config", NULL). */
G_GNUC_NULL_TERMINATED static inline gchar *
pxf_test_build_filename(const gchar *first_element, ...)
{
	g_autofree gchar *rel = NULL;
	va_list args;

	va_start(args, first_element);
	rel = g_build_filename_valist(first_element, &args);
	va_end(args);
	return g_build_filename(pxf_test_srcdir(), rel, NULL);
}
