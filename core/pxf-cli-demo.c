/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pxeforge demo: boots QEMU guests against a real pxeforged in a network
 * namespace of their own (tests/e2e/demo.py does the work). This only finds
 * the script and tells it where the binaries, plugins and data are: those
 * of the build tree this binary was built in when it runs from there, else
 * the installed ones. */
#define G_LOG_DOMAIN "pxeforge"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pxf-cli.h"

/* set by core/meson.build */
#ifndef PXF_SOURCE_ROOT
#error "PXF_SOURCE_ROOT not defined"
#endif

static gboolean
pxf_cli_demo_has_script(const gchar *dir)
{
	g_autofree gchar *script = g_build_filename(dir, "demo.py", NULL);
	return g_file_test(script, G_FILE_TEST_IS_REGULAR);
}

/* Whether this binary is the build tree's pxeforge (not an installed copy). */
static gboolean
pxf_cli_demo_in_build_tree(const gchar *self_exe)
{
	g_autofree gchar *built = g_build_filename(PXF_BUILD_ROOT, "core", "pxeforge", NULL);
	g_autofree gchar *real = NULL;

	if (self_exe == NULL)
		return FALSE;
	real = realpath(built, NULL);
	return real != NULL && g_strcmp0(real, self_exe) == 0;
}

gint
pxf_cli_demo(PxfCli *cli, gint argc, gchar **argv)
{
	const gchar *env_dir = g_getenv("PXEFORGE_DEMO_DIR");
	g_autofree gchar *self_exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree gchar *source_dir = g_build_filename(PXF_SOURCE_ROOT, "tests", "e2e", NULL);
	g_autofree gchar *script = NULL;
	g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
	const gchar *dir = NULL;
	gboolean build_tree;

	/* the build tree when this binary is the build tree's (and the tree is
	 * still there), else the installed copy, else the source tree */
	build_tree = pxf_cli_demo_in_build_tree(self_exe) && pxf_cli_demo_has_script(source_dir);
	if (!build_tree && !pxf_cli_demo_has_script(PXF_DEMODIR) &&
	    pxf_cli_demo_has_script(source_dir)) {
		g_autofree gchar *pxeforged =
			g_build_filename(PXF_BUILD_ROOT, "core", "pxeforged", NULL);
		build_tree = g_file_test(pxeforged, G_FILE_TEST_IS_EXECUTABLE);
	}
	if (env_dir != NULL && env_dir[0] != '\0')
		dir = env_dir;
	else if (build_tree)
		dir = source_dir;
	else
		dir = PXF_DEMODIR;
	if (!pxf_cli_demo_has_script(dir)) {
		g_printerr("pxeforge demo: no demo.py in %s%s\n", dir,
			   env_dir != NULL ? " (PXEFORGE_DEMO_DIR)"
					   : ": install pxeforge or run the build tree's pxeforge");
		return EXIT_FAILURE;
	}
	script = g_build_filename(dir, "demo.py", NULL);

	g_ptr_array_add(args, g_strdup("python3"));
	g_ptr_array_add(args, g_steal_pointer(&script));
	if (build_tree) {
		g_ptr_array_add(args, g_strdup("--build"));
		g_ptr_array_add(args, g_strdup(PXF_BUILD_ROOT));
		g_ptr_array_add(args, g_strdup("--source"));
		g_ptr_array_add(args, g_strdup(PXF_SOURCE_ROOT));
		g_ptr_array_add(args, g_strdup("--cache"));
		g_ptr_array_add(args, g_build_filename(PXF_BUILD_ROOT, "e2e-cache", NULL));
	} else {
		g_ptr_array_add(args, g_strdup("--pxeforged"));
		g_ptr_array_add(args, g_build_filename(PXF_SBINDIR, "pxeforged", NULL));
		g_ptr_array_add(args, g_strdup("--pxeforge"));
		g_ptr_array_add(args,
				g_strdup(self_exe != NULL ? self_exe : PXF_BINDIR "/pxeforge"));
		g_ptr_array_add(args, g_strdup("--plugin-dir"));
		g_ptr_array_add(args, g_strdup(PXF_PLUGINDIR));
		g_ptr_array_add(args, g_strdup("--data-dir"));
		g_ptr_array_add(args, g_strdup(PXF_DATADIR));
		g_ptr_array_add(args, g_strdup("--cache"));
		g_ptr_array_add(args, g_strdup(PXF_DEMO_CACHEDIR));
	}
	/* after ours: an option given twice, the user's wins */
	for (gint i = 1; i < argc; i++)
		g_ptr_array_add(args, g_strdup(argv[i]));
	g_ptr_array_add(args, NULL);

	/* line by line through a pipe; no __pycache__ in the installed tree */
	g_setenv("PYTHONUNBUFFERED", "1", TRUE);
	g_setenv("PYTHONDONTWRITEBYTECODE", "1", TRUE);
	fflush(stdout);
	execvp("python3", (gchar **)args->pdata);
	g_printerr("pxeforge demo: cannot run python3: %s\n", g_strerror(errno));
	return EXIT_FAILURE;
}
