/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pxf-dump-keys: prints every configuration key the core's daemon section and
 * the given plugin modules declare, one per line, as
 *   SECTION.PATH<TAB>TYPE<TAB>DEFAULT<TAB>DESCRIPTION
 * e.g. "plugins.dhcp.subnets.range_start", from the descriptors themselves,
 * so that check-man-keys.py compares the manual with the code, not with a
 * list kept by hand. Nested keys (sections and lists of sections) are joined
 * with dots. A plugin that cannot be loaded is an error: a key list with a
 * plugin missing would pass for complete. */
#define G_LOG_DOMAIN "pxf-dump-keys"

#include "config.h"

#include <gio/gio.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxf-plugin-loader.h"
#include "pxf-setup.h"

static const gchar *
pxf_dump_type_name(PxfConfType type)
{
	switch (type) {
	case PXF_CONF_TYPE_STRING:
		return "string";
	case PXF_CONF_TYPE_BOOL:
		return "boolean";
	case PXF_CONF_TYPE_INT:
		return "integer";
	case PXF_CONF_TYPE_STRING_LIST:
		return "list of strings";
	case PXF_CONF_TYPE_SECTION:
		return "section";
	case PXF_CONF_TYPE_SECTION_LIST:
		return "list of sections";
	default:
		return NULL;
	}
}

/* One line of output must stay one line: tabs and newlines become spaces. */
static gchar *
pxf_dump_flatten(const gchar *text)
{
	gchar *copy = g_strdup(text != NULL ? text : "");
	for (gchar *p = copy; *p != '\0'; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
	}
	return copy;
}

static gboolean
pxf_dump_keys(const gchar *prefix, const PxfConfKey *keys, guint depth, GError **error)
{
	if (depth > 8) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: keys nested too deep",
			    prefix);
		return FALSE;
	}
	for (guint i = 0; keys != NULL && keys[i].key != NULL; i++) {
		const PxfConfKey *key = &keys[i];
		g_autofree gchar *path = g_strdup_printf("%s.%s", prefix, key->key);
		g_autofree gchar *def = pxf_dump_flatten(key->default_value);
		g_autofree gchar *desc = pxf_dump_flatten(key->description);
		const gchar *type = pxf_dump_type_name(key->type);

		if (type == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: unknown type %d",
				    path, (gint)key->type);
			return FALSE;
		}
		printf("%s\t%s\t%s\t%s\n", path, type, key->default_value != NULL ? def : "-",
		       desc);
		if ((key->type == PXF_CONF_TYPE_SECTION ||
		     key->type == PXF_CONF_TYPE_SECTION_LIST) &&
		    !pxf_dump_keys(path, key->children, depth + 1, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_dump_plugin(const gchar *module, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname(module);
	g_autofree gchar *base = g_path_get_basename(module);
	g_autofree gchar *prefix = NULL;
	g_autoptr(PxfPluginLoader) loader = NULL;
	PxfPlugin *plugin;

	if (!g_str_has_suffix(base, ".so")) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%s: not a plugin module (NAME.so)", module);
		return FALSE;
	}
	base[strlen(base) - 3] = '\0';
	loader = pxf_plugin_loader_new(dir);
	plugin = pxf_plugin_loader_open(loader, base, error);
	if (plugin == NULL)
		return FALSE;
	prefix = g_strdup_printf("plugins.%s", pxf_plugin_get_name(plugin));
	return pxf_dump_keys(prefix, pxf_plugin_get_desc(plugin)->config_keys, 0, error);
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;

	setlocale(LC_ALL, "");
	if (argc >= 2 && (g_strcmp0(argv[1], "--help") == 0 || g_strcmp0(argv[1], "-h") == 0)) {
		printf("usage: pxf-dump-keys [PLUGIN.so...]\n"
		       "Prints daemon.KEY and plugins.NAME.KEY for every declared key.\n");
		return EXIT_SUCCESS;
	}
	if (!pxf_dump_keys("daemon", pxf_setup_daemon_keys(), 0, &error)) {
		g_printerr("pxf-dump-keys: %s\n", error->message);
		return EXIT_FAILURE;
	}
	for (gint i = 1; i < argc; i++) {
		if (!pxf_dump_plugin(argv[i], &error)) {
			g_printerr("pxf-dump-keys: %s\n", error->message);
			return EXIT_FAILURE;
		}
	}
	return EXIT_SUCCESS;
}
