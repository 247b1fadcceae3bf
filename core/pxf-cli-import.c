/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pxeforge import: a distro from its install medium. */
#define G_LOG_DOMAIN "pxeforge"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "pxf-cli.h"
#include "pxf-import.h"
#include "pxf-setup.h"

static void
pxf_cli_import_print_diags(GPtrArray *diags)
{
	pxf_diags_sort(diags);
	pxf_setup_print_diags(diags);
}

static void
pxf_cli_import_report(PxfImportResult *result, const gchar *name)
{
	PxfImportMedium *m = result->medium;
	g_autofree gchar *size = g_format_size(result->n_bytes);
	g_autofree gchar *kernel = g_build_filename(result->dir, m->kernel, NULL);
	g_autofree gchar *initrd = g_build_filename(result->dir, m->initrd, NULL);

	printf("imported %s: %s (%s %s, %s), recognised by %s\n", name, m->name, m->family,
	       m->version != NULL ? m->version : "(no version)",
	       m->arch != NULL ? m->arch : "architecture unknown", m->source);
	printf("  tree    %s (%" G_GUINT64_FORMAT " entries, %s)\n", result->dir, result->n_entries,
	       size);
	printf("  kernel  %s\n", kernel);
	printf("  initrd  %s\n", initrd);
	if (m->efi_shim != NULL) {
		g_autofree gchar *shim = g_build_filename(result->dir, m->efi_shim, NULL);
		g_autofree gchar *grub = g_build_filename(result->dir, m->efi_grub, NULL);
		printf("  efi     %s, %s\n", shim, grub);
	}
	printf("added to %s; `pxeforge reload` makes a running pxeforged use it\n",
	       result->conf_file);
}

gint
pxf_cli_import(PxfCli *cli, gint argc, gchar **argv)
{
	g_autofree gchar *name = NULL;
	g_autofree gchar *store = NULL;
	const GOptionEntry entries[] = {
		{"name", 'n', 0, G_OPTION_ARG_STRING, &name, "The distro's name in the inventory",
		 "NAME"},
		{"store", 's', 0, G_OPTION_ARG_FILENAME, &store,
		 "Unpack under DIR instead of daemon.distro_store", "DIR"},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GOptionContext) context = g_option_context_new("--name NAME IMAGE.iso|DIR");
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfPluginLoader) loader = NULL;
	g_autoptr(PxfSetup) setup = NULL;
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfImportResult) result = NULL;
	PxfImportOptions options = {.config_dir = cli->config_dir};
	guint n_errors;

	g_option_context_add_main_entries(context, entries, NULL);
	g_option_context_set_summary(
		context, "Add a distro from its install medium: recognise it (.treeinfo, "
			 ".discinfo, .disk/info, Debian netboot, casper/), unpack it into the "
			 "distro store and add it to conf.d/" PXF_IMPORT_DISTROS_FILE ".");
	if (!g_option_context_parse(context, &argc, &argv, &error) || name == NULL || argc != 2) {
		if (error != NULL)
			g_printerr("pxeforge import: %s\n", error->message);
		g_printerr("usage: pxeforge import --name NAME [--store DIR] IMAGE.iso|DIR\n");
		return 2;
	}

	/* as `pxeforge check`: a configuration with errors gets nothing added */
	loader = pxf_plugin_loader_new(NULL);
	setup = pxf_setup_load(cli->config_dir, loader, diags);
	n_errors = pxf_diags_count_errors(diags);
	if (n_errors > 0) {
		pxf_cli_import_print_diags(diags);
		g_printerr("pxeforge import: %u error%s in the configuration in %s; fix them "
			   "first (pxeforge check); nothing was imported\n",
			   n_errors, n_errors == 1 ? "" : "s", cli->config_dir);
		return EXIT_FAILURE;
	}
	g_ptr_array_set_size(diags, 0);

	options.name = name;
	options.source = argv[1];
	options.store =
		store != NULL ? store : pxf_conf_section_get_string(setup->daemon, "distro_store");
	if (options.store == NULL || options.store[0] == '\0') {
		g_printerr("pxeforge import: daemon.distro_store is empty; give --store DIR\n");
		return EXIT_FAILURE;
	}
	result = pxf_import_distro(&options, diags, &error);
	if (result == NULL) {
		pxf_cli_import_print_diags(diags);
		g_printerr("pxeforge import: %s; nothing was imported\n", error->message);
		return EXIT_FAILURE;
	}
	pxf_cli_import_report(result, name);
	return EXIT_SUCCESS;
}
