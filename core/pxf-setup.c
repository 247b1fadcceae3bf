/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-setup"

#include "config.h"

#include "pxf-setup.h"

#include <stdio.h>
#include <string.h>

static const PxfConfKey pxf_daemon_keys[] = {
	{.key = "state_dir",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = PXF_STATEDIR,
	 .description = "where host state and leases are kept"},
	{.key = "control_socket",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = PXF_RUNDIR "/control.sock",
	 .description = "UNIX socket the pxeforge command talks to (mode 0600)"},
	{.key = "user",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "pxeforge",
	 .description = "unprivileged user to switch to after binding ports; empty keeps root"},
	{.key = "debug",
	 .type = PXF_CONF_TYPE_BOOL,
	 .default_value = "false",
	 .description = "log debug messages (as --debug)"},
	{.key = "interfaces",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "network interfaces the transports serve unless they name their own; "
			"empty: none, so a fresh install answers nobody"},
	{.key = "distro_store",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = PXF_STATEDIR "/distros",
	 .description = "where `pxeforge import` unpacks install media, one directory per "
			"distro"},
	{.key = "install_timeout",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "10800",
	 .min = 5,
	 .max = 604800,
	 .description = "seconds a booting or installing host may stay silent before it is "
			"marked failed"},
	PXF_CONF_KEY_END,
};

/* The keys a plugin section may carry besides those the plugin declares. */
#define PXF_SETUP_ENABLED_KEY "enabled"

static const gchar *const pxf_top_level_keys[] = {"daemon", "variables", "distros", "profiles",
						  "hosts",  "plugins",	 NULL};

const PxfConfKey *
pxf_setup_daemon_keys(void)
{
	return pxf_daemon_keys;
}

static void
pxf_setup_plugin_free(PxfSetupPlugin *plugin)
{
	g_free(plugin->name);
	g_clear_pointer(&plugin->node, pxf_conf_node_unref);
	g_clear_pointer(&plugin->fingerprint, g_variant_unref);
	g_free(plugin);
}

void
pxf_setup_free(PxfSetup *self)
{
	if (self == NULL)
		return;
	g_free(self->config_dir);
	g_clear_pointer(&self->root, pxf_conf_node_unref);
	g_clear_pointer(&self->daemon, pxf_conf_section_free);
	g_clear_pointer(&self->inventory, pxf_inventory_free);
	g_ptr_array_unref(self->plugins);
	g_hash_table_unref(self->refused);
	g_free(self);
}

static void
pxf_setup_check_top_level(PxfSetup *self, GPtrArray *diags)
{
	for (guint i = 0; i < self->root->keys->len; i++) {
		PxfConfNode *key = g_ptr_array_index(self->root->keys, i);
		if (g_strv_contains(pxf_top_level_keys, key->scalar))
			continue;
		pxf_diags_add(diags, FALSE, key->file, key->line, key->column, key->scalar,
			      "unknown top-level key; expected one of daemon, variables, "
			      "distros, profiles, hosts, plugins (plugin settings go under "
			      "plugins.NAME)");
	}
}

/* A copy of the plugin's section without "enabled", as the plugin sees it. */
static PxfConfNode *
pxf_setup_strip_enabled(PxfConfNode *node)
{
	PxfConfNode *copy =
		pxf_conf_node_new(PXF_CONF_NODE_MAP, node->file, node->line, node->column);
	for (guint i = 0; i < node->keys->len; i++) {
		PxfConfNode *key = g_ptr_array_index(node->keys, i);
		if (g_strcmp0(key->scalar, PXF_SETUP_ENABLED_KEY) == 0)
			continue;
		pxf_conf_node_map_set(copy, key, g_ptr_array_index(node->items, i));
	}
	return copy;
}

PxfConfSection *
pxf_setup_plugin_section(PxfSetupPlugin *plugin, GPtrArray *diags)
{
	g_autofree gchar *path = g_strdup_printf("plugins.%s", plugin->name);
	const PxfConfKey *schema = NULL;
	static const PxfConfKey no_keys[] = {PXF_CONF_KEY_END};

	if (plugin->plugin != NULL)
		schema = pxf_plugin_get_desc(plugin->plugin)->config_keys;
	return pxf_conf_section_new(plugin->node, schema != NULL ? schema : no_keys, path, diags);
}

static void
pxf_setup_collect_plugins(PxfSetup *self, PxfPluginLoader *loader, GPtrArray *diags)
{
	PxfConfNode *plugins = pxf_conf_node_lookup(self->root, "plugins", NULL);
	g_autoptr(GPtrArray) installed = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) wanted = g_ptr_array_new();
	g_autoptr(GPtrArray) ordered = NULL;
	GHashTable *nodes;

	if (plugins == NULL || pxf_conf_node_is_null(plugins))
		return;
	if (plugins->kind != PXF_CONF_NODE_MAP) {
		pxf_diags_add(diags, FALSE, plugins->file, plugins->line, plugins->column,
			      "plugins", "expected a mapping of plugin names to their settings");
		return;
	}
	installed = pxf_plugin_loader_list_installed(loader, &error);
	if (installed == NULL) {
		pxf_diags_add(diags, TRUE, NULL, 0, 0, NULL, "%s", error->message);
		installed = g_ptr_array_new();
	}
	nodes = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < plugins->keys->len; i++) {
		PxfConfNode *key = g_ptr_array_index(plugins->keys, i);
		PxfConfNode *value = g_ptr_array_index(plugins->items, i);
		g_autofree gchar *path = g_strdup_printf("plugins.%s", key->scalar);
		PxfConfNode *enabled_node = NULL;
		gboolean enabled = TRUE;

		if (!pxf_conf_node_is_null(value) && value->kind != PXF_CONF_NODE_MAP) {
			pxf_diags_add(diags, FALSE, value->file, value->line, value->column, path,
				      "expected a mapping of settings");
			continue;
		}
		if (value->kind == PXF_CONF_NODE_MAP)
			enabled_node = pxf_conf_node_lookup(value, PXF_SETUP_ENABLED_KEY, NULL);
		if (enabled_node != NULL && !pxf_conf_node_get_bool(enabled_node, &enabled)) {
			pxf_diags_add(diags, FALSE, enabled_node->file, enabled_node->line,
				      enabled_node->column, path,
				      "'enabled' must be true or false");
			continue;
		}
		/* its package was removed but its snippet stayed behind */
		if (!g_ptr_array_find_with_equal_func(installed, key->scalar, g_str_equal, NULL)) {
			pxf_diags_add(diags, TRUE, key->file, key->line, key->column, path,
				      "plugin '%s' is not installed; ignoring its section",
				      key->scalar);
			continue;
		}
		if (!enabled)
			continue;
		g_ptr_array_add(wanted, key->scalar);
		g_hash_table_insert(nodes, key->scalar, value);
	}

	ordered = pxf_plugin_loader_resolve(loader, wanted, self->refused);
	for (guint i = 0; i < wanted->len; i++) {
		const gchar *name = g_ptr_array_index(wanted, i);
		GError *refusal = g_hash_table_lookup(self->refused, name);
		PxfConfNode *key = NULL;
		if (refusal == NULL)
			continue;
		pxf_conf_node_lookup(plugins, name, &key);
		/* a warning: the daemon runs without it rather than not at all */
		pxf_diags_add(diags, TRUE, key->file, key->line, key->column, NULL,
			      "plugin %s is enabled here but cannot be loaded, pxeforged runs "
			      "without it: %s",
			      name, refusal->message);
	}
	for (guint i = 0; i < ordered->len; i++) {
		PxfPlugin *plugin = g_ptr_array_index(ordered, i);
		PxfSetupPlugin *entry = g_new0(PxfSetupPlugin, 1);
		PxfConfNode *value = g_hash_table_lookup(nodes, pxf_plugin_get_name(plugin));
		g_autoptr(PxfConfSection) section = NULL;

		entry->name = g_strdup(pxf_plugin_get_name(plugin));
		entry->order = i;
		entry->plugin = plugin;
		if (value != NULL && value->kind == PXF_CONF_NODE_MAP)
			entry->node = pxf_setup_strip_enabled(value);
		entry->fingerprint = g_variant_ref_sink(
			entry->node != NULL ? pxf_conf_node_to_variant(entry->node)
					    : g_variant_new("a{sv}", NULL));
		/* validate now so that check and reload see every error up front */
		section = pxf_setup_plugin_section(entry, diags);
		g_ptr_array_add(self->plugins, entry);
	}
	g_hash_table_unref(nodes);
}

/* Whether name is an enabled plugin of kind bootloader. */
static gboolean
pxf_setup_is_bootloader(const gchar *name, gpointer user_data)
{
	PxfSetup *self = user_data;

	for (guint i = 0; i < self->plugins->len; i++) {
		PxfSetupPlugin *entry = g_ptr_array_index(self->plugins, i);
		if (entry->plugin != NULL && g_strcmp0(entry->name, name) == 0)
			return pxf_plugin_get_desc(entry->plugin)->kind ==
			       PXF_PLUGIN_KIND_BOOTLOADER;
	}
	return FALSE;
}

/* A profile or host that names a loader whose plugin is not running would
 * fall through to whichever loader answers first: refuse it instead. */
static void
pxf_setup_check_loaders(PxfSetup *self, GPtrArray *diags)
{
	g_autoptr(GString) known = g_string_new(NULL);

	for (guint i = 0; i < self->plugins->len; i++) {
		PxfSetupPlugin *entry = g_ptr_array_index(self->plugins, i);
		if (!pxf_setup_is_bootloader(entry->name, self))
			continue;
		g_string_append_printf(known, "%s%s", known->len > 0 ? ", " : "", entry->name);
	}
	pxf_inventory_check_loaders(self->inventory, pxf_setup_is_bootloader, self, known->str,
				    diags);
}

PxfSetup *
pxf_setup_load(const gchar *config_dir, PxfPluginLoader *loader, GPtrArray *diags)
{
	PxfSetup *self = g_new0(PxfSetup, 1);
	PxfConfNode *daemon;

	self->config_dir = g_strdup(config_dir);
	self->plugins = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_setup_plugin_free);
	self->refused = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)g_error_free);
	if (!g_file_test(config_dir, G_FILE_TEST_IS_DIR)) {
		pxf_diags_add(diags, FALSE, config_dir, 0, 0, NULL,
			      "configuration directory does not exist");
	}
	self->root = pxf_conf_load_dir(config_dir, diags);
	pxf_setup_check_top_level(self, diags);
	daemon = pxf_conf_node_lookup(self->root, "daemon", NULL);
	self->daemon = pxf_conf_section_new(daemon, pxf_daemon_keys, "daemon", diags);
	self->inventory = pxf_inventory_new_from_config(self->root, config_dir, diags);
	pxf_setup_collect_plugins(self, loader, diags);
	pxf_setup_check_loaders(self, diags);
	pxf_diags_sort(diags);
	return self;
}

/* Where VARIABLE of @problem ("VARIABLE: why") is set for @host, in the
 * order the inventory resolves it: host, profile, distro, globals. */
static PxfConfNode *
pxf_setup_variable_node(PxfSetup *self,
			const PxfHost *host,
			const PxfProfile *profile,
			const gchar *problem)
{
	const PxfDistro *distro = pxf_inventory_get_distro(self->inventory, profile->distro);
	PxfConfNode *scopes[] = {
		host->variables,
		profile->variables,
		distro != NULL ? distro->variables : NULL,
		pxf_conf_node_lookup(self->root, "variables", NULL),
	};
	g_autofree gchar *name = g_strndup(problem, strcspn(problem, ":"));

	for (guint i = 0; i < G_N_ELEMENTS(scopes); i++) {
		PxfConfNode *node = NULL;
		if (scopes[i] != NULL && scopes[i]->kind == PXF_CONF_NODE_MAP)
			node = pxf_conf_node_lookup(scopes[i], name, NULL);
		if (node != NULL)
			return node;
	}
	return NULL;
}

void
pxf_setup_check_host(PxfSetup *self, const PxfHost *host, GPtrArray *diags)
{
	const PxfProfile *profile =
		host->profile != NULL ? pxf_inventory_get_profile(self->inventory, host->profile)
				      : NULL;
	g_autoptr(GPtrArray) plugins = g_ptr_array_new();
	g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) scratch = pxf_diags_new();
	g_autoptr(PxfConfSection) section = NULL;
	g_autoptr(PxfVars) vars = NULL;
	PxfSetupPlugin *os_plugin = NULL;
	const PxfPluginDesc *desc = NULL;
	PxfCheckHostArgs args = {0};

	if (profile == NULL || profile->os == NULL)
		return;
	for (guint i = 0; i < self->plugins->len; i++) {
		PxfSetupPlugin *plugin = g_ptr_array_index(self->plugins, i);
		g_ptr_array_add(plugins, plugin->name);
		if (plugin->plugin != NULL && g_strcmp0(plugin->name, profile->os) == 0)
			os_plugin = plugin;
	}
	g_ptr_array_add(plugins, NULL);
	if (os_plugin != NULL)
		desc = pxf_plugin_get_desc(os_plugin->plugin);
	if (desc == NULL || desc->check_host == NULL)
		return;
	/* its errors are already in diags, from pxf_setup_load() */
	section = pxf_setup_plugin_section(os_plugin, scratch);
	vars = pxf_inventory_resolve_vars(self->inventory, host);
	args.host = host;
	args.profile = profile->name;
	args.vars = vars;
	args.plugins = (const gchar *const *)plugins->pdata;
	args.problems = problems;
	desc->check_host(section, &args);
	for (guint i = 0; i < problems->len; i++) {
		const gchar *problem = g_ptr_array_index(problems, i);
		PxfConfNode *node = pxf_setup_variable_node(self, host, profile, problem);
		g_autofree gchar *path = g_strdup_printf("profiles.%s", profile->name);

		if (node != NULL)
			pxf_diags_add(diags, FALSE, node->file, node->line, node->column, path,
				      "host %s: %s", host->mac, problem);
		else
			pxf_diags_add(diags, FALSE, profile->file, profile->line, 0, path,
				      "host %s: %s", host->mac, problem);
	}
}

void
pxf_setup_check_hosts(PxfSetup *self, GPtrArray *diags)
{
	GPtrArray *hosts = pxf_inventory_get_hosts(self->inventory);

	for (guint i = 0; i < hosts->len; i++)
		pxf_setup_check_host(self, g_ptr_array_index(hosts, i), diags);
	pxf_diags_sort(diags);
}

void
pxf_setup_print_diags(GPtrArray *diags)
{
	for (guint i = 0; i < diags->len; i++) {
		g_autofree gchar *line = pxf_diag_to_string(g_ptr_array_index(diags, i));
		fprintf(stderr, "%s\n", line);
	}
}
