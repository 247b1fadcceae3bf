/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The nfs plugin at run time: the export file follows the inventory. A
 * reload of pxeforged that leaves the plugin's own section alone does not
 * start the plugin again, so a timer compares what the inventory renders
 * to with the file and rewrites it when they differ. */
#define G_LOG_DOMAIN "pxf-nfs"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pxf-nfs.h"

#define PXF_NFS_STORE_NS  "nfs"
#define PXF_NFS_STORE_KEY "export-ids"
/* shipped in plugins/nfs/systemd/ */
#define PXF_NFS_RELOAD_PATH_UNIT "pxeforge-nfs-reload.path"

struct _PxfNfs {
	PxfPluginContext *ctx;
	PxfNfsConfig *config;
	GHashTable *dirs;   /* distro → nfs.dir, for what the file holds */
	GHashTable *ids;    /* distro → export id, as stored; NULL until loaded */
	GHashTable *said;   /* problems warned about, not repeated while they last */
	GHashTable *saying; /* the problems of the check in progress */
	gboolean reload_pending;
	guint timer_id;
	GCancellable *cancellable;
	gboolean command_running;
	gboolean command_again;
	gchar *command_failure; /* the last one, said once */
};

PxfNfs *
pxf_nfs_new(PxfPluginContext *ctx, PxfNfsConfig *config)
{
	PxfNfs *self = g_new0(PxfNfs, 1);
	self->ctx = ctx;
	self->config = config;
	self->dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->said = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->cancellable = g_cancellable_new();
	return self;
}

void
pxf_nfs_stop(PxfNfs *self)
{
	g_clear_handle_id(&self->timer_id, g_source_remove);
	/* a command still running finishes on its own; its result is not ours */
	g_cancellable_cancel(self->cancellable);
}

void
pxf_nfs_free(PxfNfs *self)
{
	if (self == NULL)
		return;
	/* also when init failed half-way and fini does not run */
	pxf_nfs_stop(self);
	g_object_unref(self->cancellable);
	pxf_nfs_config_free(self->config);
	g_hash_table_unref(self->dirs);
	if (self->ids != NULL)
		g_hash_table_unref(self->ids);
	g_hash_table_unref(self->said);
	if (self->saying != NULL)
		g_hash_table_unref(self->saying);
	g_free(self->command_failure);
	g_free(self);
}

/* ---- problems, each said once while it lasts ---------------------------- */

static void pxf_nfs_note(PxfNfs *self, GLogLevelFlags level, const gchar *format, ...)
	G_GNUC_PRINTF(3, 4);

static void
pxf_nfs_note(PxfNfs *self, GLogLevelFlags level, const gchar *format, ...)
{
	g_autofree gchar *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	if (!g_hash_table_contains(self->said, message))
		g_log(G_LOG_DOMAIN, level, "%s", message);
	if (self->saying != NULL)
		g_hash_table_add(self->saying, g_steal_pointer(&message));
}

static void
pxf_nfs_notes_begin(PxfNfs *self)
{
	if (self->saying != NULL)
		g_hash_table_unref(self->saying);
	self->saying = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* A problem not seen again is over: said again if it comes back. */
static void
pxf_nfs_notes_end(PxfNfs *self)
{
	g_hash_table_unref(self->said);
	self->said = g_steal_pointer(&self->saying);
}

/* ---- the inventory's trees ------------------------------------------------ */

static GPtrArray *
pxf_nfs_collect(PxfNfs *self)
{
	g_autoptr(GPtrArray) names = pxf_plugin_context_get_distros(self->ctx);
	GPtrArray *exports = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_nfs_export_free);

	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		g_autoptr(GVariant) tree =
			pxf_plugin_context_get_distro_var(self->ctx, name, "tree");
		g_autoptr(GError) error = NULL;
		g_autofree gchar *dir = NULL;
		GStatBuf st;

		if (tree == NULL || !g_variant_is_of_type(tree, G_VARIANT_TYPE_STRING))
			continue;
		dir = pxf_nfs_tree_dir(g_variant_get_string(tree, NULL), &error);
		if (dir == NULL) {
			/* an URL tree is some other server's to serve */
			if (error != NULL)
				pxf_nfs_note(self, G_LOG_LEVEL_WARNING,
					     "distro %s is not exported: %s", name, error->message);
			continue;
		}
		if (!pxf_nfs_name_valid(name)) {
			pxf_nfs_note(self, G_LOG_LEVEL_WARNING,
				     "distro %s is not exported: an export path takes letters, "
				     "digits, '.', '_' and '-' (64 at most)",
				     name);
			continue;
		}
		/* the server would refuse the whole export; EACCES is not ours to
		 * judge: the server runs as another user */
		if (g_stat(dir, &st) != 0 ? errno == ENOENT || errno == ENOTDIR
					  : !S_ISDIR(st.st_mode)) {
			pxf_nfs_note(self, G_LOG_LEVEL_WARNING,
				     "distro %s is not exported yet: its tree %s is not a "
				     "directory",
				     name, dir);
			continue;
		}
		g_ptr_array_add(exports, pxf_nfs_export_new(name, dir));
	}
	return exports;
}

/* The `clients` setting, else the networks of the daemon's interfaces. */
static GStrv
pxf_nfs_clients(PxfNfs *self)
{
	const gchar *const *interfaces;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

	if (self->config->clients[0] != NULL)
		return g_strdupv(self->config->clients);
	interfaces = pxf_plugin_context_get_interfaces(self->ctx);
	for (guint i = 0; interfaces[i] != NULL; i++) {
		g_autoptr(GPtrArray) addrs =
			pxf_plugin_context_get_interface_addresses(self->ctx, interfaces[i]);
		for (guint j = 0; j < addrs->len; j++) {
			const PxfInterfaceAddress *a = g_ptr_array_index(addrs, j);
			g_autofree gchar *net = pxf_nfs_network_of(a->address, a->prefix);
			if (net != NULL &&
			    !g_ptr_array_find_with_equal_func(out, net, g_str_equal, NULL))
				g_ptr_array_add(out, g_steal_pointer(&net));
		}
	}
	g_ptr_array_add(out, NULL);
	return (GStrv)g_ptr_array_steal(out, NULL);
}

static GHashTable *
pxf_nfs_ids_load(PxfNfs *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) stored = pxf_plugin_context_store_get(self->ctx, PXF_NFS_STORE_NS,
								PXF_NFS_STORE_KEY, &error);
	gsize len = 0;
	const gchar *data;

	if (stored == NULL) {
		if (!g_error_matches(error, PXF_ERROR, PXF_ERROR_NOT_FOUND))
			pxf_nfs_note(self, G_LOG_LEVEL_WARNING,
				     "cannot read the export ids: %s; numbering afresh",
				     error->message);
		return pxf_nfs_ids_parse(NULL, 0);
	}
	data = g_bytes_get_data(stored, &len);
	return pxf_nfs_ids_parse(data, len);
}

static gboolean
pxf_nfs_assign_ids(PxfNfs *self, GPtrArray *exports)
{
	g_autoptr(GError) error = NULL;
	gboolean changed = FALSE;

	if (self->ids == NULL)
		self->ids = pxf_nfs_ids_load(self);
	if (!pxf_nfs_ids_assign(self->ids, exports, self->config->first_export_id, &changed,
				&error)) {
		pxf_nfs_note(self, G_LOG_LEVEL_WARNING, "%s", error->message);
		return FALSE;
	}
	if (changed) {
		gchar *text = pxf_nfs_ids_to_string(self->ids);
		gsize len = strlen(text);
		g_autoptr(GBytes) bytes = g_bytes_new_take(text, len);
		if (!pxf_plugin_context_store_put(self->ctx, PXF_NFS_STORE_NS, PXF_NFS_STORE_KEY,
						  bytes, &error))
			pxf_nfs_note(self, G_LOG_LEVEL_WARNING, "cannot store the export ids: %s",
				     error->message);
	}
	return TRUE;
}

/* ---- telling the server ----------------------------------------------------- */

static void pxf_nfs_run_command(PxfNfs *self);

static void
pxf_nfs_command_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GSubprocess *proc = G_SUBPROCESS(source);
	g_autoptr(GBytes) output = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *failure = NULL;
	PxfNfs *self;

	if (!g_subprocess_communicate_finish(proc, res, &output, NULL, &error) &&
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* the plugin stopped: self is gone */
	self = user_data;
	self->command_running = FALSE;
	if (error != NULL) {
		failure = g_strdup(error->message);
	} else if (!g_subprocess_get_successful(proc)) {
		gsize len = 0;
		const gchar *data = output != NULL ? g_bytes_get_data(output, &len) : NULL;
		g_autofree gchar *text = g_utf8_make_valid(data != NULL ? data : "", (gssize)len);
		failure = g_strdup_printf("exited with status %d: %s",
					  g_subprocess_get_if_exited(proc)
						  ? g_subprocess_get_exit_status(proc)
						  : 128 + g_subprocess_get_term_sig(proc),
					  g_strstrip(text));
	}
	if (failure == NULL) {
		g_message("reload command %s done", self->config->reload_argv[0]);
		g_clear_pointer(&self->command_failure, g_free);
	} else {
		/* tried again on the next check, said once */
		if (g_strcmp0(failure, self->command_failure) != 0)
			g_warning("reload command %s %s", self->config->reload_argv[0], failure);
		g_free(self->command_failure);
		self->command_failure = g_steal_pointer(&failure);
		self->reload_pending = TRUE;
	}
	if (self->command_again) {
		self->command_again = FALSE;
		pxf_nfs_run_command(self);
	}
}

static void
pxf_nfs_run_command(PxfNfs *self)
{
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;

	if (self->command_running) {
		/* its result may predate the file: run once more after it */
		self->command_again = TRUE;
		return;
	}
	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
					     G_SUBPROCESS_FLAGS_STDERR_MERGE);
	g_subprocess_launcher_setenv(launcher, "PXEFORGE_NFS_FILE", self->config->file, TRUE);
	proc = g_subprocess_launcher_spawnv(
		launcher, (const gchar *const *)self->config->reload_argv, &error);
	if (proc == NULL) {
		pxf_nfs_note(self, G_LOG_LEVEL_WARNING, "cannot run reload command %s: %s",
			     self->config->reload_argv[0], error->message);
		return;
	}
	self->command_running = TRUE;
	self->reload_pending = FALSE;
	g_subprocess_communicate_async(proc, NULL, self->cancellable, pxf_nfs_command_done, self);
}

static void
pxf_nfs_reload(PxfNfs *self)
{
	g_autoptr(GError) error = NULL;
	GPid pid = 0;

	if (self->config->reload_argv != NULL) {
		if (self->config->reload_argv[0] == NULL)
			self->reload_pending = FALSE; /* reload_command: "" */
		else
			pxf_nfs_run_command(self);
		return;
	}
	if (self->config->ganesha_reload == PXF_NFS_GANESHA_RELOAD_PATH_UNIT) {
		/* systemd saw the rename: nothing to signal, no privilege needed */
		g_message("left the reload to systemd: %s watches %s", PXF_NFS_RELOAD_PATH_UNIT,
			  self->config->file);
		self->reload_pending = FALSE;
		return;
	}
	if (pxf_nfs_signal_ganesha(self->config->pidfile, &pid, &error)) {
		g_message("sent SIGHUP to ganesha.nfsd (pid %d) to reload its exports", (gint)pid);
		self->reload_pending = FALSE;
	} else if (g_error_matches(error, PXF_NFS_ERROR, PXF_NFS_ERROR_NOT_RUNNING)) {
		g_message("ganesha.nfsd is not running (%s); it reads %s when it starts",
			  error->message, self->config->file);
		self->reload_pending = FALSE;
	} else {
		pxf_nfs_note(self, G_LOG_LEVEL_WARNING, "cannot reload Ganesha's exports: %s%s",
			     error->message,
			     g_error_matches(error, PXF_NFS_ERROR, PXF_NFS_ERROR_DENIED) &&
					     geteuid() != 0
				     ? " (pxeforged no longer runs as root: see ganesha_reload in "
				       "the nfs plugin's README)"
				     : "");
	}
}

/* ---- the file ----------------------------------------------------------------- */

static void
pxf_nfs_set_dirs(PxfNfs *self, GPtrArray *exports)
{
	g_hash_table_remove_all(self->dirs);
	for (guint i = 0; i < exports->len; i++) {
		const PxfNfsExport *e = g_ptr_array_index(exports, i);
		g_hash_table_insert(self->dirs, g_strdup(e->name),
				    pxf_nfs_export_dir(self->config, e));
	}
}

static gchar *
pxf_nfs_describe(GPtrArray *exports, const gchar *const *clients)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < exports->len; i++) {
		const PxfNfsExport *e = g_ptr_array_index(exports, i);
		g_string_append_printf(out, "%s%s", i > 0 ? ", " : "", e->name);
	}
	if (exports->len == 0)
		g_string_append(out, "no distros");
	if (clients[0] != NULL) {
		g_autofree gchar *list = g_strjoinv(", ", (gchar **)clients);
		g_string_append_printf(out, " to %s", list);
	}
	return g_string_free(out, FALSE);
}

/* Brings the file (and the server) in line with the inventory. */
static void
pxf_nfs_check(PxfNfs *self)
{
	g_autoptr(GPtrArray) exports = NULL;
	g_auto(GStrv) clients = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *what = NULL;
	g_autoptr(GError) error = NULL;

	pxf_nfs_notes_begin(self);
	exports = pxf_nfs_collect(self);
	clients = pxf_nfs_clients(self);
	if (clients[0] == NULL)
		pxf_nfs_note(self, G_LOG_LEVEL_MESSAGE,
			     "no clients: set `clients`, or daemon `interfaces` with IPv4 "
			     "networks; exporting nothing");
	if (!pxf_nfs_assign_ids(self, exports)) {
		pxf_nfs_notes_end(self);
		return;
	}
	text = pxf_nfs_render(self->config, exports, (const gchar *const *)clients);
	if (pxf_nfs_file_equals(self->config->file, text)) {
		pxf_nfs_set_dirs(self, exports);
		if (self->reload_pending)
			pxf_nfs_reload(self);
		pxf_nfs_notes_end(self);
		return;
	}
	if (!pxf_nfs_write_atomic(self->config->file, text, &error)) {
		gboolean denied =
			g_error_matches(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) &&
			geteuid() != 0;
		pxf_nfs_note(self, G_LOG_LEVEL_WARNING, "cannot write the exports: %s%s",
			     error->message,
			     denied ? " (pxeforged no longer runs as root: the directory must be "
				      "writable by its user, see the nfs plugin's README)"
				    : "");
		pxf_nfs_notes_end(self);
		return;
	}
	pxf_nfs_set_dirs(self, exports);
	what = pxf_nfs_describe(exports, (const gchar *const *)clients);
	g_message("wrote %s: %s", self->config->file, what);
	self->reload_pending = TRUE;
	pxf_nfs_reload(self);
	pxf_nfs_notes_end(self);
}

static gboolean
pxf_nfs_timer(gpointer user_data)
{
	pxf_nfs_check(user_data);
	return G_SOURCE_CONTINUE;
}

/* ---- templates ---------------------------------------------------------------- */

/* The daemon's first interface address: what a render without a request
 * (pxeforge render, explain) can say. */
static gchar *
pxf_nfs_interface_address(PxfNfs *self)
{
	const gchar *const *interfaces = pxf_plugin_context_get_interfaces(self->ctx);

	for (guint i = 0; interfaces[i] != NULL; i++) {
		g_autoptr(GPtrArray) addrs =
			pxf_plugin_context_get_interface_addresses(self->ctx, interfaces[i]);
		if (addrs->len > 0) {
			const PxfInterfaceAddress *a = g_ptr_array_index(addrs, 0);
			return g_inet_address_to_string(a->address);
		}
	}
	return NULL;
}

static PxfVerdict
pxf_nfs_template_vars(PxfTemplateVarsArgs *args, gpointer user_data)
{
	PxfNfs *self = user_data;
	g_autofree gchar *fallback = NULL;

	if (self->config->server == NULL)
		fallback = pxf_nfs_interface_address(self);
	pxf_nfs_apply_vars(self->config, self->dirs, args->client, fallback, args->vars);
	return PXF_VERDICT_CONTINUE;
}

gboolean
pxf_nfs_start(PxfNfs *self, GError **error)
{
	/* the shipped path unit watches one name: another file needs a drop-in */
	if (self->config->backend == PXF_NFS_BACKEND_GANESHA && self->config->reload_argv == NULL &&
	    self->config->ganesha_reload == PXF_NFS_GANESHA_RELOAD_PATH_UNIT &&
	    g_strcmp0(self->config->file, PXF_NFS_RELOAD_PATH_WATCHED) != 0)
		g_message("%s watches %s as installed; for %s give it a drop-in with "
			  "PathChanged=%s (see the nfs plugin's README)",
			  PXF_NFS_RELOAD_PATH_UNIT, PXF_NFS_RELOAD_PATH_WATCHED, self->config->file,
			  self->config->file);
	if (!pxf_hook_connect_template_vars(self->ctx, pxf_nfs_template_vars, self,
					    PXF_HOOK_BEFORE("kickstart"), error))
		return FALSE;
	/* problems with the file are warnings: the next check tries again */
	pxf_nfs_check(self);
	if (self->config->check_interval > 0)
		self->timer_id =
			g_timeout_add_seconds(self->config->check_interval, pxf_nfs_timer, self);
	return TRUE;
}
