/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pxeforge: the command line. check and render work offline; the rest asks
 * the running pxeforged over its control socket. */
#define G_LOG_DOMAIN "pxeforge"

#include "config.h"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "pxf-cli.h"
#include "pxf-control.h"
#include "pxf-log.h"
#include "pxf-setup.h"

gchar *
pxf_cli_socket_path(PxfCli *cli)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = NULL;
	g_autoptr(PxfConfSection) daemon = NULL;

	if (cli->socket != NULL)
		return g_strdup(cli->socket);
	/* only the daemon section matters here, so errors elsewhere do not */
	root = pxf_conf_load_dir(cli->config_dir, diags);
	daemon = pxf_conf_section_new(pxf_conf_node_lookup(root, "daemon", NULL),
				      pxf_setup_daemon_keys(), "daemon", NULL);
	return g_strdup(pxf_conf_section_get_string(daemon, "control_socket"));
}

static JsonNode *
pxf_cli_call(PxfCli *cli, const gchar *command, JsonObject *args)
{
	g_autofree gchar *path = pxf_cli_socket_path(cli);
	g_autoptr(GError) error = NULL;
	JsonNode *result = pxf_control_call(path, command, args, &error);

	if (result == NULL)
		g_printerr("pxeforge %s: %s\n", command, error->message);
	return result;
}

static gint
pxf_cli_check(PxfCli *cli, gint argc, gchar **argv)
{
	g_autoptr(PxfPluginLoader) loader = pxf_plugin_loader_new(NULL);
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfSetup) setup = pxf_setup_load(cli->config_dir, loader, diags);
	guint n_errors = pxf_diags_count_errors(diags);
	g_autoptr(GString) names = g_string_new(NULL);

	pxf_setup_print_diags(diags);
	if (n_errors > 0) {
		g_printerr("%s: %u error%s, %u warning%s\n", cli->config_dir, n_errors,
			   n_errors == 1 ? "" : "s", diags->len - n_errors,
			   diags->len - n_errors == 1 ? "" : "s");
		return EXIT_FAILURE;
	}
	for (guint i = 0; i < setup->plugins->len; i++) {
		PxfSetupPlugin *plugin = g_ptr_array_index(setup->plugins, i);
		g_string_append_printf(names, "%s%s", i > 0 ? ", " : "", plugin->name);
	}
	printf("%s: OK: %u distros, %u profiles, %u hosts; plugins: %s\n", cli->config_dir,
	       pxf_inventory_get_distros(setup->inventory)->len,
	       pxf_inventory_get_profiles(setup->inventory)->len,
	       pxf_inventory_get_hosts(setup->inventory)->len,
	       names->len > 0 ? names->str : "none");
	return EXIT_SUCCESS;
}

static gint
pxf_cli_plugins(PxfCli *cli, gint argc, gchar **argv)
{
	g_autoptr(JsonNode) result = pxf_cli_call(cli, "plugins", NULL);
	JsonObject *obj;
	JsonArray *loaded, *refused;

	if (result == NULL)
		return EXIT_FAILURE;
	obj = json_node_get_object(result);
	loaded = json_object_get_array_member(obj, "loaded");
	refused = json_object_get_array_member(obj, "refused");
	printf("%-16s %-10s %-9s %s\n", "PLUGIN", "KIND", "VERSION", "HOOKS");
	for (guint i = 0; i < json_array_get_length(loaded); i++) {
		JsonObject *p = json_array_get_object_element(loaded, i);
		JsonArray *hooks = json_object_get_array_member(p, "hooks");
		g_autoptr(GString) text = g_string_new(NULL);
		for (guint j = 0; j < json_array_get_length(hooks); j++)
			g_string_append_printf(text, "%s%s", j > 0 ? ", " : "",
					       json_array_get_string_element(hooks, j));
		printf("%-16s %-10s %-9s %s\n", json_object_get_string_member(p, "name"),
		       json_object_get_string_member(p, "kind"),
		       json_object_get_string_member(p, "version"),
		       text->len > 0 ? text->str : "-");
	}
	for (guint i = 0; i < json_array_get_length(refused); i++) {
		JsonObject *p = json_array_get_object_element(refused, i);
		printf("%-16s refused: %s\n", json_object_get_string_member(p, "name"),
		       json_object_get_string_member(p, "error"));
	}
	return EXIT_SUCCESS;
}

static gint
pxf_cli_state(PxfCli *cli, gint argc, gchar **argv)
{
	g_autoptr(JsonObject) args = json_object_new();
	g_autoptr(JsonNode) result = NULL;
	JsonArray *history;
	JsonObject *obj;

	if (argc != 2) {
		g_printerr("usage: pxeforge state MAC\n");
		return 2;
	}
	json_object_set_string_member(args, "mac", argv[1]);
	result = pxf_cli_call(cli, "state", args);
	if (result == NULL)
		return EXIT_FAILURE;
	obj = json_node_get_object(result);
	printf("%s: %s\n", json_object_get_string_member(obj, "mac"),
	       json_object_get_string_member(obj, "state"));
	history = json_object_has_member(obj, "history")
			  ? json_object_get_array_member(obj, "history")
			  : NULL;
	for (guint i = 0; history != NULL && i < json_array_get_length(history); i++) {
		JsonObject *e = json_array_get_object_element(history, i);
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(
			json_object_get_int_member(e, "timestamp") / G_USEC_PER_SEC);
		g_autofree gchar *when = g_date_time_format_iso8601(dt);
		printf("  %s  %-10s %s\n", when, json_object_get_string_member(e, "state"),
		       json_object_get_string_member(e, "reason"));
	}
	return EXIT_SUCCESS;
}

static gint
pxf_cli_reload(PxfCli *cli, gint argc, gchar **argv)
{
	g_autoptr(JsonNode) result = pxf_cli_call(cli, "reload", NULL);
	if (result == NULL)
		return EXIT_FAILURE;
	printf("reloaded\n");
	return EXIT_SUCCESS;
}

static gint
pxf_cli_status(PxfCli *cli, gint argc, gchar **argv)
{
	g_autoptr(JsonNode) result = pxf_cli_call(cli, "ping", NULL);
	JsonObject *obj;
	if (result == NULL)
		return EXIT_FAILURE;
	obj = json_node_get_object(result);
	printf("pxeforged %s, pid %" G_GINT64_FORMAT ", up %" G_GINT64_FORMAT
	       " s, configuration %s\n",
	       json_object_get_string_member(obj, "version"),
	       json_object_get_int_member(obj, "pid"), json_object_get_int_member(obj, "uptime"),
	       json_object_get_string_member(obj, "config_dir"));
	return EXIT_SUCCESS;
}

static const struct {
	const gchar *name;
	gint (*func)(PxfCli *cli, gint argc, gchar **argv);
	const gchar *usage;
} pxf_cli_commands[] = {
	{"check", pxf_cli_check,
	 "check                 validate the configuration, print every error"},
	{"render", pxf_cli_render, "render --mac MAC [TEMPLATE]  print what a host would receive"},
	{"hosts", pxf_cli_hosts,
	 "hosts list|import FILE  list hosts, or bulk-import a CSV/YAML file"},
	{"plugins", pxf_cli_plugins,
	 "plugins               loaded plugins, their kind, version and hooks"},
	{"state", pxf_cli_state, "state MAC             a host's lifecycle state and history"},
	{"reload", pxf_cli_reload,
	 "reload                make pxeforged re-read its configuration"},
	{"status", pxf_cli_status, "status                is pxeforged running, since when"},
};

static void
pxf_cli_usage(FILE *out)
{
	fprintf(out,
		"usage: pxeforge [--config DIR] [--socket PATH] COMMAND [ARGS]\n\ncommands:\n");
	for (guint i = 0; i < G_N_ELEMENTS(pxf_cli_commands); i++) {
		if (pxf_cli_commands[i].usage != NULL) /* NULL: an alias */
			fprintf(out, "  %s\n", pxf_cli_commands[i].usage);
	}
}

int
main(int argc, char **argv)
{
	PxfCli cli = {.config_dir = PXF_SYSCONFDIR};
	gint i = 1;

	setlocale(LC_ALL, "");
	pxf_log_init(FALSE);
	/* global options come before the command */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (g_strcmp0(argv[i], "--config") == 0 && i + 1 < argc) {
			cli.config_dir = argv[++i];
		} else if (g_str_has_prefix(argv[i], "--config=")) {
			cli.config_dir = argv[i] + strlen("--config=");
		} else if (g_strcmp0(argv[i], "--socket") == 0 && i + 1 < argc) {
			cli.socket = argv[++i];
		} else if (g_strcmp0(argv[i], "--version") == 0) {
			printf("pxeforge %s\n", PACKAGE_VERSION);
			return EXIT_SUCCESS;
		} else if (g_strcmp0(argv[i], "--help") == 0 || g_strcmp0(argv[i], "-h") == 0) {
			pxf_cli_usage(stdout);
			return EXIT_SUCCESS;
		} else {
			g_printerr("pxeforge: unknown option %s\n", argv[i]);
			pxf_cli_usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		pxf_cli_usage(stderr);
		return 2;
	}
	for (guint c = 0; c < G_N_ELEMENTS(pxf_cli_commands); c++) {
		if (g_strcmp0(argv[i], pxf_cli_commands[c].name) == 0)
			return pxf_cli_commands[c].func(&cli, argc - i, argv + i);
	}
	g_printerr("pxeforge: unknown command '%s'\n", argv[i]);
	pxf_cli_usage(stderr);
	return 2;
}
