/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The only file that talks to libltdl. */
#define G_LOG_DOMAIN "pxf-loader"

#include "config.h"

#include "pxf-plugin-loader.h"

#include <errno.h>
#include <ltdl.h>
#include <string.h>
#include <sys/stat.h>

G_DEFINE_QUARK(pxf_loader_error_quark, pxf_loader_error)

struct _PxfPlugin {
	gchar *name;
	gchar *path;
	lt_dlhandle handle;
	const PxfPluginDesc *desc;
};

struct _PxfPluginLoader {
	gchar *dir;
	gboolean test_mode;
	GHashTable *plugins; /* name → PxfPlugin* */
};

const PxfPluginDesc *
pxf_plugin_get_desc(PxfPlugin *self)
{
	return self->desc;
}

const gchar *
pxf_plugin_get_name(PxfPlugin *self)
{
	return self->name;
}

const gchar *
pxf_plugin_get_path(PxfPlugin *self)
{
	return self->path;
}

static void
pxf_plugin_free(PxfPlugin *self)
{
	/* deliberately no lt_dlclose(): see pxf_plugin_loader_open() */
	g_free(self->name);
	g_free(self->path);
	g_free(self);
}

PxfPluginLoader *
pxf_plugin_loader_new(const gchar *dir)
{
	PxfPluginLoader *self = g_new0(PxfPluginLoader, 1);
	const gchar *override = g_getenv("PXEFORGE_PLUGIN_DIR");

	self->test_mode = g_strcmp0(g_getenv("PXEFORGE_TEST"), "1") == 0;
	if (dir != NULL)
		self->dir = g_strdup(dir);
	else if (self->test_mode && override != NULL)
		self->dir = g_strdup(override);
	else
		self->dir = g_strdup(PXF_PLUGINDIR);
	if (override != NULL && !self->test_mode && dir == NULL)
		g_warning("ignoring PXEFORGE_PLUGIN_DIR=%s: it is honoured in test mode only",
			  override);
	self->plugins = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					      (GDestroyNotify)pxf_plugin_free);
	if (lt_dlinit() != 0)
		g_warning("libltdl failed to initialise: %s", lt_dlerror());
	return self;
}

void
pxf_plugin_loader_free(PxfPluginLoader *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->plugins);
	g_free(self->dir);
	g_free(self);
	/* lt_dlexit() would unmap every module; the loader is torn down at exit
	 * only, and resident modules are the point (see above) */
}

const gchar *
pxf_plugin_loader_get_dir(PxfPluginLoader *self)
{
	return self->dir;
}

gboolean
pxf_plugin_loader_get_test_mode(PxfPluginLoader *self)
{
	return self->test_mode;
}

static gint
pxf_plugin_name_cmp(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

GPtrArray *
pxf_plugin_loader_list_installed(PxfPluginLoader *self, GError **error)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDir) dir = g_dir_open(self->dir, 0, error);
	const gchar *entry;

	if (dir == NULL) {
		g_prefix_error(error, "plugin directory: ");
		return NULL;
	}
	while ((entry = g_dir_read_name(dir)) != NULL) {
		if (entry[0] == '.' || !g_str_has_suffix(entry, ".so"))
			continue;
		g_ptr_array_add(names, g_strndup(entry, strlen(entry) - 3));
	}
	g_ptr_array_sort(names, pxf_plugin_name_cmp);
	return g_steal_pointer(&names);
}

/* Checked before the dynamic linker runs any of the module's code: a file
 * someone else could have written must never be loaded into a root daemon. */
static gboolean
pxf_plugin_loader_check_file(PxfPluginLoader *self, const gchar *path, GError **error)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		gint saved = errno;
		g_set_error(error, PXF_LOADER_ERROR,
			    saved == ENOENT ? PXF_LOADER_ERROR_NOT_FOUND : PXF_LOADER_ERROR_FAILED,
			    "%s: %s", path, g_strerror(saved));
		return FALSE;
	}
	if (!S_ISREG(st.st_mode)) {
		g_set_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_UNSAFE_MODE,
			    "%s: not a regular file", path);
		return FALSE;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		g_set_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_UNSAFE_MODE,
			    "%s: refusing a plugin that is %s-writable (mode %04o)", path,
			    (st.st_mode & S_IWOTH) ? "world" : "group",
			    (guint)(st.st_mode & 07777));
		return FALSE;
	}
	if (!self->test_mode && st.st_uid != 0) {
		g_set_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_UNSAFE_OWNER,
			    "%s: refusing a plugin not owned by root (uid %u)", path,
			    (guint)st.st_uid);
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_plugin_check_desc(const PxfPluginDesc *desc,
		      const gchar *name,
		      const gchar *path,
		      GError **error)
{
	if (desc->abi_major != PXF_ABI_MAJOR) {
		g_set_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_ABI,
			    "%s: built for plugin ABI %u.%u, this pxeforged speaks ABI %u.%u", path,
			    desc->abi_major, desc->abi_minor, (guint)PXF_ABI_MAJOR,
			    (guint)PXF_ABI_MINOR);
		return FALSE;
	}
	if (desc->abi_minor > PXF_ABI_MINOR) {
		g_set_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_ABI,
			    "%s: built for the newer plugin ABI %u.%u, this pxeforged speaks "
			    "ABI %u.%u",
			    path, desc->abi_major, desc->abi_minor, (guint)PXF_ABI_MAJOR,
			    (guint)PXF_ABI_MINOR);
		return FALSE;
	}
	if (desc->name == NULL || g_strcmp0(desc->name, name) != 0) {
		g_set_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_NAME_MISMATCH,
			    "%s: descriptor names the plugin '%s', expected '%s' from the file "
			    "name",
			    path, desc->name != NULL ? desc->name : "(null)", name);
		return FALSE;
	}
	if (pxf_plugin_kind_to_string(desc->kind) == NULL) {
		g_set_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_INVALID,
			    "%s: unknown plugin kind %d", path, (gint)desc->kind);
		return FALSE;
	}
	if (desc->version == NULL || desc->license == NULL || desc->init == NULL) {
		g_set_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_INVALID,
			    "%s: descriptor lacks %s", path,
			    desc->version == NULL   ? "a version"
			    : desc->license == NULL ? "a license"
						    : "an init function");
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_plugin_name_valid(const gchar *name)
{
	if (name == NULL || name[0] == '\0' || name[0] == '.' || name[0] == '-')
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			return FALSE;
	}
	return TRUE;
}

PxfPlugin *
pxf_plugin_loader_open(PxfPluginLoader *self, const gchar *name, GError **error)
{
	g_autofree gchar *path = NULL;
	g_autofree gchar *file = NULL;
	const PxfPluginDesc *desc;
	PxfPlugin *plugin;
	lt_dlhandle handle;

	plugin = g_hash_table_lookup(self->plugins, name);
	if (plugin != NULL)
		return plugin;
	if (!pxf_plugin_name_valid(name)) {
		g_set_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_NOT_FOUND,
			    "'%s' is not a valid plugin name", name);
		return NULL;
	}
	file = g_strdup_printf("%s.so", name);
	path = g_build_filename(self->dir, file, NULL);
	if (!pxf_plugin_loader_check_file(self, path, error))
		return NULL;

	/* local: plugins cannot satisfy each other's symbols by accident */
	{
		lt_dladvise advise;
		lt_dladvise_init(&advise);
		lt_dladvise_local(&advise);
		handle = lt_dlopenadvise(path, advise);
		lt_dladvise_destroy(&advise);
	}
	if (handle == NULL) {
		g_set_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_OPEN, "%s: %s", path,
			    lt_dlerror());
		return NULL;
	}
	desc = lt_dlsym(handle, PXF_PLUGIN_SYMBOL_NAME);
	if (desc == NULL) {
		g_set_error(error, PXF_LOADER_ERROR, PXF_LOADER_ERROR_NO_DESCRIPTOR,
			    "%s: no %s symbol; is it a pxeforge plugin built with "
			    "PXF_PLUGIN_DEFINE()?",
			    path, PXF_PLUGIN_SYMBOL_NAME);
		lt_dlclose(handle);
		return NULL;
	}
	if (!pxf_plugin_check_desc(desc, name, path, error)) {
		lt_dlclose(handle);
		return NULL;
	}
	/* keep the code mapped for the life of the process: a reload may stop a
	 * plugin while a timeout or parked call of it is still queued */
	lt_dlmakeresident(handle);

	plugin = g_new0(PxfPlugin, 1);
	plugin->name = g_strdup(name);
	plugin->path = g_steal_pointer(&path);
	plugin->handle = handle;
	plugin->desc = desc;
	g_hash_table_insert(self->plugins, plugin->name, plugin);
	g_debug("loaded %s %s from %s", name, desc->version, plugin->path);
	return plugin;
}

static gboolean
pxf_strv_contains(GPtrArray *array, const gchar *name)
{
	for (guint i = 0; i < array->len; i++) {
		if (g_strcmp0(g_ptr_array_index(array, i), name) == 0)
			return TRUE;
	}
	return FALSE;
}

GPtrArray *
pxf_plugin_loader_resolve(PxfPluginLoader *self, GPtrArray *wanted, GHashTable *refused)
{
	g_autoptr(GPtrArray) candidates = g_ptr_array_new();
	g_autoptr(GPtrArray) ordered = g_ptr_array_new();
	g_autoptr(GPtrArray) ordered_names = g_ptr_array_new();
	gboolean changed = TRUE;

	for (guint i = 0; i < wanted->len; i++) {
		const gchar *name = g_ptr_array_index(wanted, i);
		GError *error = NULL;
		PxfPlugin *plugin = pxf_plugin_loader_open(self, name, &error);
		if (plugin == NULL) {
			g_hash_table_replace(refused, g_strdup(name), error);
			continue;
		}
		g_ptr_array_add(candidates, plugin);
	}

	/* drop plugins whose requirements are not among the candidates, until
	 * nothing changes (a refusal can cascade to what requires it) */
	while (changed) {
		changed = FALSE;
		for (guint i = 0; i < candidates->len; i++) {
			PxfPlugin *plugin = g_ptr_array_index(candidates, i);
			const gchar *const *req = plugin->desc->requires;
			for (guint j = 0; req != NULL && req[j] != NULL; j++) {
				gboolean present = FALSE;
				for (guint k = 0; k < candidates->len; k++) {
					PxfPlugin *other = g_ptr_array_index(candidates, k);
					if (g_strcmp0(other->name, req[j]) == 0)
						present = TRUE;
				}
				if (present)
					continue;
				g_hash_table_replace(
					refused, g_strdup(plugin->name),
					g_error_new(PXF_LOADER_ERROR, PXF_LOADER_ERROR_REQUIREMENT,
						    "%s: requires plugin '%s', which %s",
						    plugin->path, req[j],
						    g_hash_table_contains(refused, req[j])
							    ? "was refused"
							    : "is not enabled or not installed"));
				g_ptr_array_remove_index(candidates, i);
				changed = TRUE;
				break;
			}
			if (changed)
				break;
		}
	}

	/* stable topological order: repeatedly take the first candidate (in
	 * configuration order) whose requirements are already ordered */
	while (ordered->len < candidates->len) {
		gboolean progress = FALSE;
		for (guint i = 0; i < candidates->len; i++) {
			PxfPlugin *plugin = g_ptr_array_index(candidates, i);
			const gchar *const *req = plugin->desc->requires;
			gboolean ready = TRUE;
			if (pxf_strv_contains(ordered_names, plugin->name))
				continue;
			for (guint j = 0; req != NULL && req[j] != NULL; j++) {
				if (!pxf_strv_contains(ordered_names, req[j]))
					ready = FALSE;
			}
			if (!ready)
				continue;
			g_ptr_array_add(ordered, plugin);
			g_ptr_array_add(ordered_names, plugin->name);
			progress = TRUE;
			break;
		}
		if (!progress) {
			/* a requirement cycle: refuse everything left */
			for (guint i = 0; i < candidates->len; i++) {
				PxfPlugin *plugin = g_ptr_array_index(candidates, i);
				if (pxf_strv_contains(ordered_names, plugin->name))
					continue;
				g_hash_table_replace(
					refused, g_strdup(plugin->name),
					g_error_new(PXF_LOADER_ERROR, PXF_LOADER_ERROR_REQUIREMENT,
						    "%s: its requirements form a cycle",
						    plugin->path));
			}
			break;
		}
	}
	return g_steal_pointer(&ordered);
}
