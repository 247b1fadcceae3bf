/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "pxf-plugin-context.h"
#include "pxf-plugin-loader.h"

/* A private copy of the built test plugins, so permissions can be changed. */
static gchar *
make_plugin_dir(void)
{
	const gchar *src = g_getenv("PXEFORGE_PLUGIN_DIR");
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) dir = NULL;
	gchar *tmp = g_dir_make_tmp("pxf-loader-XXXXXX", &error);
	const gchar *name;

	g_assert_no_error(error);
	g_assert_nonnull(src);
	dir = g_dir_open(src, 0, &error);
	g_assert_no_error(error);
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *from = g_build_filename(src, name, NULL);
		g_autofree gchar *to = g_build_filename(tmp, name, NULL);
		g_autofree gchar *data = NULL;
		gsize len = 0;
		if (!g_str_has_suffix(name, ".so"))
			continue;
		g_assert_true(g_file_get_contents(from, &data, &len, NULL));
		g_assert_true(g_file_set_contents_full(to, data, len, 0, 0755, NULL));
		g_assert_cmpint(g_chmod(to, 0755), ==, 0);
	}
	return tmp;
}

static void
remove_plugin_dir(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *file = g_build_filename(path, name, NULL);
		g_unlink(file);
	}
	g_rmdir(path);
}

static void
assert_refused(PxfPluginLoader *loader, const gchar *name, gint code, const gchar *needle)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *file = g_strdup_printf("%s.so", name);

	g_assert_null(pxf_plugin_loader_open(loader, name, &error));
	g_assert_error(error, PXF_LOADER_ERROR, code);
	g_test_message("%s: %s", name, error->message);
	g_assert_nonnull(strstr(error->message, file));
	g_assert_nonnull(strstr(error->message, needle));
}

static void
test_loader_refusals(void)
{
	g_autofree gchar *dir = make_plugin_dir();
	g_autofree gchar *writable = g_build_filename(dir, "writable.so", NULL);
	g_autoptr(PxfPluginLoader) loader = pxf_plugin_loader_new(dir);
	g_autoptr(GError) error = NULL;
	PxfPlugin *plugin;

	g_assert_cmpint(g_chmod(writable, 0757), ==, 0);
	assert_refused(loader, "badabi", PXF_LOADER_ERROR_ABI, "ABI 99.0");
	assert_refused(loader, "misnamed", PXF_LOADER_ERROR_NAME_MISMATCH, "'somethingelse'");
	assert_refused(loader, "nodesc", PXF_LOADER_ERROR_NO_DESCRIPTOR, "pxf_plugin_descriptor");
	assert_refused(loader, "writable", PXF_LOADER_ERROR_UNSAFE_MODE, "world-writable");
	assert_refused(loader, "absent", PXF_LOADER_ERROR_NOT_FOUND, "absent.so");

	g_assert_cmpint(g_chmod(writable, 0775), ==, 0);
	assert_refused(loader, "writable", PXF_LOADER_ERROR_UNSAFE_MODE, "group-writable");
	g_assert_cmpint(g_chmod(writable, 0755), ==, 0);
	plugin = pxf_plugin_loader_open(loader, "writable", &error);
	g_assert_no_error(error);
	g_assert_nonnull(plugin);

	plugin = pxf_plugin_loader_open(loader, "alpha", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(pxf_plugin_get_desc(plugin)->version, ==, "1.0");
	g_assert_cmpint(pxf_plugin_get_desc(plugin)->kind, ==, PXF_PLUGIN_KIND_SITE);
	g_assert_true(pxf_plugin_loader_open(loader, "alpha", NULL) == plugin);
	g_assert_null(pxf_plugin_loader_open(loader, "../alpha", &error));
	remove_plugin_dir(dir);
}

static void
test_loader_owner(void)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(PxfPluginLoader) loader = NULL;

	if (getuid() != 0) {
		g_test_skip("needs root to give a plugin another owner");
		return;
	}
	dir = make_plugin_dir();
	path = g_build_filename(dir, "alpha.so", NULL);
	g_assert_cmpint(chown(path, 65534, 65534), ==, 0);

	/* outside test mode the owner must be root */
	g_setenv("PXEFORGE_TEST", "0", TRUE);
	loader = pxf_plugin_loader_new(dir);
	g_setenv("PXEFORGE_TEST", "1", TRUE);
	g_assert_false(pxf_plugin_loader_get_test_mode(loader));
	assert_refused(loader, "alpha", PXF_LOADER_ERROR_UNSAFE_OWNER, "not owned by root");
	remove_plugin_dir(dir);
}

static void
test_loader_resolve(void)
{
	g_autofree gchar *dir = make_plugin_dir();
	g_autoptr(PxfPluginLoader) loader = pxf_plugin_loader_new(dir);
	g_autoptr(GHashTable) refused = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							      (GDestroyNotify)g_error_free);
	g_autoptr(GPtrArray) wanted = g_ptr_array_new();
	g_autoptr(GPtrArray) order = NULL;
	g_autoptr(GPtrArray) installed = NULL;
	GError *error;

	/* beta requires alpha: configured first, it still loads second */
	g_ptr_array_add(wanted, "beta");
	g_ptr_array_add(wanted, "needy");
	g_ptr_array_add(wanted, "alpha");
	g_ptr_array_add(wanted, "badabi");
	order = pxf_plugin_loader_resolve(loader, wanted, refused);
	g_assert_cmpuint(order->len, ==, 2);
	g_assert_cmpstr(pxf_plugin_get_name(g_ptr_array_index(order, 0)), ==, "alpha");
	g_assert_cmpstr(pxf_plugin_get_name(g_ptr_array_index(order, 1)), ==, "beta");
	g_assert_cmpuint(g_hash_table_size(refused), ==, 2);
	error = g_hash_table_lookup(refused, "needy");
	g_assert_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_REQUIREMENT);
	g_assert_nonnull(strstr(error->message, "needy.so: requires plugin 'absent'"));
	error = g_hash_table_lookup(refused, "badabi");
	g_assert_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_ABI);

	/* without alpha, beta is refused too */
	g_hash_table_remove_all(refused);
	g_ptr_array_set_size(wanted, 0);
	g_ptr_array_add(wanted, "beta");
	g_clear_pointer(&order, g_ptr_array_unref);
	order = pxf_plugin_loader_resolve(loader, wanted, refused);
	g_assert_cmpuint(order->len, ==, 0);
	error = g_hash_table_lookup(refused, "beta");
	g_assert_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_REQUIREMENT);

	installed = pxf_plugin_loader_list_installed(loader, NULL);
	g_assert_nonnull(installed);
	g_assert_cmpuint(installed->len, >=, 8);
	g_assert_cmpstr(g_ptr_array_index(installed, 0), ==, "alpha");
	remove_plugin_dir(dir);
}

static void
test_loader_init(void)
{
	g_autofree gchar *dir = make_plugin_dir();
	g_autoptr(PxfPluginLoader) loader = pxf_plugin_loader_new(dir);
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	g_autoptr(GError) error = NULL;
	PxfPlugin *plugin = pxf_plugin_loader_open(loader, "failinit", &error);
	PxfPluginContext *ctx;
	g_autoptr(GPtrArray) plugins = NULL;

	g_assert_no_error(error);
	ctx = pxf_plugin_context_new(plugin, "failinit", 0, NULL, reg, NULL, NULL);
	g_assert_false(pxf_plugin_context_run_init(ctx, &error));
	g_assert_nonnull(strstr(error->message, "plugin failinit: refusing to start on purpose"));
	g_assert_true(pxf_hook_registry_seal(reg, NULL));
	plugins = pxf_hook_registry_get_plugins(reg, PXF_HOOK_HOST_EVENT);
	g_assert_cmpuint(plugins->len, ==, 0);
	pxf_plugin_context_free(ctx);

	/* connecting after init is refused */
	g_clear_error(&error);
	plugin = pxf_plugin_loader_open(loader, "writable", &error);
	g_assert_no_error(error);
	ctx = pxf_plugin_context_new(plugin, "writable", 0, NULL, reg, NULL, NULL);
	g_assert_true(pxf_plugin_context_run_init(ctx, &error));
	g_assert_no_error(error);
	g_assert_false(pxf_hook_connect_internal(ctx, PXF_HOOK_HOST_EVENT, G_CALLBACK(g_free), NULL,
						 NULL, &error));
	g_assert_nonnull(strstr(error->message, "only be connected during init"));
	pxf_plugin_context_free(ctx);
	remove_plugin_dir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/loader/refusals", test_loader_refusals);
	g_test_add_func("/core/loader/owner", test_loader_owner);
	g_test_add_func("/core/loader/resolve", test_loader_resolve);
	g_test_add_func("/core/loader/init", test_loader_init);
	return g_test_run();
}
