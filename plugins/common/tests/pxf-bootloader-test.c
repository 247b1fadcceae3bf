/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixtures the bootloader plugins' unit tests share. */
#define G_LOG_DOMAIN "pxf-bootloader-test"

#include <glib/gstdio.h>
#include <string.h>

#include "pxf-bootloader-test.h"
#include "pxf-diag.h"
#include "pxf-template.h"
#include "pxf-vars.h"

void
pxf_bootloader_test_write_file(const gchar *dir, const gchar *relative, const gchar *text)
{
	g_autofree gchar *path = g_build_filename(dir, relative, NULL);
	g_autofree gchar *parent = g_path_get_dirname(path);
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
}

void
pxf_bootloader_test_rm_rf(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			pxf_bootloader_test_rm_rf(child);
		else
			g_assert_cmpint(g_unlink(child), ==, 0);
	}
	g_assert_cmpint(g_rmdir(path), ==, 0);
}

void
pxf_bootloader_test_assert_contains(const gchar *text, const gchar *needle)
{
	if (strstr(text, needle) == NULL)
		g_error("'%s' not in:\n%s", needle, text);
}

void
pxf_bootloader_test_assert_lacks(const gchar *text, const gchar *needle)
{
	if (strstr(text, needle) != NULL)
		g_error("'%s' unexpectedly in:\n%s", needle, text);
}

PxfConfSection *
pxf_bootloader_test_section(const gchar *file,
			    const gchar *yaml,
			    const gchar *name,
			    const PxfConfKey *keys,
			    PxfConfNode **root)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autofree gchar *where = g_strdup_printf("plugins.%s", name);
	PxfConfSection *section;

	*root = pxf_conf_parse_data(file, yaml, strlen(yaml), diags);
	g_assert_nonnull(*root);
	section = pxf_conf_section_new(pxf_conf_node_lookup(*root, name, NULL), keys, where, diags);
	if (diags->len != 0) {
		g_autofree gchar *text = pxf_diag_to_string(g_ptr_array_index(diags, 0));
		g_error("the schema refused\n%s\n%s", yaml, text);
	}
	return section;
}

void
pxf_bootloader_test_refuses(PxfBootloaderTestConfigNew config_new,
			    const gchar *base,
			    const PxfBootloaderTestBad *bad,
			    guint n_bad,
			    GQuark domain,
			    gint code,
			    const gchar *file_prefix)
{
	for (guint i = 0; i < n_bad; i++) {
		g_autofree gchar *yaml = g_strconcat(base, bad[i].extra, NULL);
		g_autoptr(GError) error = NULL;
		gpointer config = config_new(yaml, &error);

		g_assert_null(config);
		g_assert_error(error, domain, code);
		if (strstr(error->message, bad[i].message) == NULL)
			g_error("'%s': got '%s', expected '%s'", bad[i].extra, error->message,
				bad[i].message);
		/* every error says where */
		g_assert_true(g_str_has_prefix(error->message, file_prefix));
	}
}

PxfVars *
pxf_bootloader_test_host_vars(const gchar *mac,
			      const gchar *mac_dashes,
			      const PxfBootloaderTestDistro *distro)
{
	PxfVars *vars = pxf_vars_new();
	GVariantDict host;

	g_variant_dict_init(&host, NULL);
	g_variant_dict_insert(&host, "mac", "s", mac);
	if (mac_dashes != NULL)
		g_variant_dict_insert(&host, "mac_dashes", "s", mac_dashes);
	g_variant_dict_insert(&host, "hostname", "s", "web01");
	pxf_vars_set(vars, "host", g_variant_dict_end(&host));
	if (distro != NULL) {
		GVariantDict d;
		GVariantDict profile;

		g_variant_dict_init(&d, NULL);
		g_variant_dict_insert(&d, "name", "s", distro->name);
		g_variant_dict_insert(&d, "kernel", "s", distro->kernel);
		g_variant_dict_insert(&d, "initrd", "s", distro->initrd);
		pxf_vars_set(vars, "distro", g_variant_dict_end(&d));
		g_variant_dict_init(&profile, NULL);
		g_variant_dict_insert(&profile, "name", "s", "web");
		if (distro->os != NULL)
			g_variant_dict_insert(&profile, "os", "s", distro->os);
		pxf_vars_set(vars, "profile", g_variant_dict_end(&profile));
	}
	return vars;
}

gchar *
pxf_bootloader_test_render_file(const gchar *path, PxfVars *vars)
{
	g_autoptr(PxfTemplate) tpl = NULL;
	g_autoptr(GError) error = NULL;
	GString *out = g_string_new(NULL);

	tpl = pxf_template_new_from_file(path, &error);
	g_assert_no_error(error);
	g_assert_true(pxf_template_render(tpl, vars, NULL, NULL, out, &error));
	g_assert_no_error(error);
	return g_string_free(out, FALSE);
}
