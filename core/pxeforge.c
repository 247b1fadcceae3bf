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
	guint n_errors;
	g_autoptr(GString) names = g_string_new(NULL);

	/* what each OS profile plugin says of its hosts' variables */
	pxf_setup_check_hosts(setup, diags);
	n_errors = pxf_diags_count_errors(diags);
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
	printf("%-16s %-10s %-9s %-22s %s\n", "PLUGIN", "KIND", "VERSION", "CAPABILITIES", "HOOKS");
	for (guint i = 0; i < json_array_get_length(loaded); i++) {
		JsonObject *p = json_array_get_object_element(loaded, i);
		JsonArray *hooks = json_object_get_array_member(p, "hooks");
		g_autoptr(GString) text = g_string_new(NULL);
		for (guint j = 0; j < json_array_get_length(hooks); j++)
			g_string_append_printf(text, "%s%s", j > 0 ? ", " : "",
					       json_array_get_string_element(hooks, j));
		printf("%-16s %-10s %-9s %-22s %s\n", json_object_get_string_member(p, "name"),
		       json_object_get_string_member(p, "kind"),
		       json_object_get_string_member(p, "version"),
		       json_object_get_string_member(p, "capabilities"),
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

/* The string member name of obj, or NULL. */
static const gchar *
pxf_cli_explain_string(JsonObject *obj, const gchar *name)
{
	JsonNode *node = json_object_get_member(obj, name);
	return node != NULL && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_string(node) : NULL;
}

static void
pxf_cli_explain_list(JsonObject *stage, const gchar *name, const gchar *label)
{
	JsonNode *node = json_object_get_member(stage, name);
	JsonArray *values;

	if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node))
		return;
	values = json_node_get_array(node);
	for (guint i = 0; i < json_array_get_length(values); i++)
		printf("    %-9s %s\n", label, json_array_get_string_element(values, i));
}

/* "stage N: PXE ROM, firmware bios (option 93 = 0, ...)" */
static void
pxf_cli_explain_header(JsonArray *stages, gint64 number)
{
	JsonObject *stage;

	if (number < 1 || number > (gint64)json_array_get_length(stages))
		return;
	stage = json_array_get_object_element(stages, (guint)(number - 1));
	printf("== stage %" G_GINT64_FORMAT ": %s, firmware %s (%s)\n", number,
	       pxf_cli_explain_string(stage, "name"), pxf_cli_explain_string(stage, "firmware"),
	       pxf_cli_explain_string(stage, "client"));
}

/* Per stage: boot file, transport, configuration, kernel, initrd, cmdline. */
static void
pxf_cli_explain_summary(JsonArray *stages)
{
	printf("== summary\n");
	for (guint i = 0; i < json_array_get_length(stages); i++) {
		JsonObject *stage = json_array_get_object_element(stages, i);
		const gchar *file = pxf_cli_explain_string(stage, "boot_file");
		const gchar *server = pxf_cli_explain_string(stage, "boot_server");
		const gchar *config = pxf_cli_explain_string(stage, "configuration");
		const gchar *next = pxf_cli_explain_string(stage, "next");

		printf("stage %u, %s (%s):\n", i + 1, pxf_cli_explain_string(stage, "name"),
		       pxf_cli_explain_string(stage, "firmware"));
		if (file != NULL)
			printf("    %-9s %s over %s from %s, chosen by %s\n", "boot file", file,
			       pxf_cli_explain_string(stage, "transport") != NULL
				       ? pxf_cli_explain_string(stage, "transport")
				       : "?",
			       server != NULL ? server : "this server",
			       pxf_cli_explain_string(stage, "selected_by") != NULL
				       ? pxf_cli_explain_string(stage, "selected_by")
				       : "core");
		if (config != NULL && g_strcmp0(config, file) == 0)
			printf("    %-9s the boot file itself (a script)\n", "config");
		else if (config != NULL)
			printf("    %-9s %s over %s\n", "config", config,
			       pxf_cli_explain_string(stage, "configuration_transport"));
		pxf_cli_explain_list(stage, "kernel", "kernel");
		pxf_cli_explain_list(stage, "initrd", "initrd");
		pxf_cli_explain_list(stage, "cmdline", "cmdline");
		if (next != NULL)
			printf("    %-9s %s\n", "then", next);
	}
}

static gint
pxf_cli_explain(PxfCli *cli, gint argc, gchar **argv)
{
	g_autofree gchar *mac = NULL;
	g_autofree gchar *arch = NULL;
	const GOptionEntry entries[] = {
		{"mac", 'm', 0, G_OPTION_ARG_STRING, &mac, "The host, by MAC (any spelling)",
		 "MAC"},
		{"arch", 'a', 0, G_OPTION_ARG_STRING, &arch,
		 "bios (default), efi64, efi32, arm64, ipxe (iPXE in a BIOS ROM), ipxe-efi64, "
		 "efi64-http (UEFI HTTP boot), efi32-http, arm64-http",
		 "ARCH"},
		G_OPTION_ENTRY_NULL};
	g_autoptr(GOptionContext) context = g_option_context_new("--mac MAC [--arch ARCH]");
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) args = json_object_new();
	g_autoptr(JsonNode) result = NULL;
	JsonObject *obj;
	JsonArray *steps;
	JsonArray *stages = NULL;
	gint64 shown = -1;

	g_option_context_add_main_entries(context, entries, NULL);
	g_option_context_set_summary(
		context, "Walk a host's whole boot through the running plugins, stage by stage as "
			 "the firmware of ARCH would, without a network and changing nothing.");
	if (!g_option_context_parse(context, &argc, &argv, &error) || mac == NULL) {
		g_printerr("usage: pxeforge explain --mac MAC "
			   "[--arch bios|efi64|efi32|arm64|ipxe|ipxe-efi64|efi64-http|efi32-http|"
			   "arm64-http]\n");
		return 2;
	}
	json_object_set_string_member(args, "mac", mac);
	json_object_set_string_member(args, "arch", arch != NULL ? arch : "bios");
	result = pxf_cli_call(cli, "explain", args);
	if (result == NULL)
		return EXIT_FAILURE;
	obj = json_node_get_object(result);
	steps = json_object_get_array_member(obj, "steps");
	/* a daemon from before stages shows its steps alone */
	if (json_object_has_member(obj, "stages"))
		stages = json_object_get_array_member(obj, "stages");
	for (guint i = 0; i < json_array_get_length(steps); i++) {
		JsonObject *step = json_array_get_object_element(steps, i);
		gint64 stage = json_object_get_int_member_with_default(step, "stage", -1);

		if (stages != NULL && stage != shown) {
			if (stage == 0)
				printf("== after the boot\n");
			else
				pxf_cli_explain_header(stages, stage);
			shown = stage;
		}
		printf("%-34s [%s] %s\n", json_object_get_string_member(step, "step"),
		       json_object_get_string_member(step, "decided_by"),
		       json_object_get_string_member(step, "result"));
		if (json_object_has_member(step, "content")) {
			g_auto(GStrv) lines = g_strsplit(
				json_object_get_string_member(step, "content"), "\n", -1);
			for (guint l = 0; lines[l] != NULL; l++) {
				if (lines[l + 1] != NULL || lines[l][0] != '\0')
					printf("    | %s\n", lines[l]);
			}
		}
	}
	if (stages != NULL)
		pxf_cli_explain_summary(stages);
	return EXIT_SUCCESS;
}

static const gchar *
pxf_cli_member(JsonObject *obj, const gchar *name)
{
	return json_object_has_member(obj, name) ? json_object_get_string_member(obj, name) : "";
}

static gint
pxf_cli_status(PxfCli *cli, gint argc, gchar **argv)
{
	g_autoptr(JsonNode) ping = pxf_cli_call(cli, "ping", NULL);
	g_autoptr(JsonNode) hosts = NULL;
	JsonObject *obj;
	JsonArray *list;

	if (ping == NULL)
		return EXIT_FAILURE;
	obj = json_node_get_object(ping);
	printf("pxeforged %s, pid %" G_GINT64_FORMAT ", up %" G_GINT64_FORMAT
	       " s, configuration %s\n\n",
	       json_object_get_string_member(obj, "version"),
	       json_object_get_int_member(obj, "pid"), json_object_get_int_member(obj, "uptime"),
	       json_object_get_string_member(obj, "config_dir"));
	hosts = pxf_cli_call(cli, "hosts", NULL);
	if (hosts == NULL)
		return EXIT_FAILURE;
	list = json_node_get_array(hosts);
	printf("%-17s %-14s %-11s %-15s %s\n", "MAC", "HOSTNAME", "STATE", "ADDRESS",
	       "LAST EVENT / DOWNLOAD");
	for (guint i = 0; i < json_array_get_length(list); i++) {
		JsonObject *h = json_array_get_object_element(list, i);
		g_autofree gchar *what = NULL;

		if (json_object_has_member(h, "downloading")) {
			gint64 done = json_object_get_int_member(h, "bytes");
			gint64 size = json_object_get_int_member(h, "size");
			what = g_strdup_printf("downloading %s: %" G_GINT64_FORMAT
					       " of %" G_GINT64_FORMAT " bytes (%d%%)",
					       json_object_get_string_member(h, "downloading"),
					       done, size,
					       size > 0 ? (gint)(done * 100 / size) : 0);
		} else if (json_object_has_member(h, "last_event")) {
			g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(
				json_object_get_int_member(h, "last_time") / G_USEC_PER_SEC);
			g_autofree gchar *when = g_date_time_format(dt, "%H:%M:%S");
			what = g_strdup_printf("%s %s", when,
					       json_object_get_string_member(h, "last_event"));
		}
		printf("%-17s %-14s %-11s %-15s %s\n", pxf_cli_member(h, "mac"),
		       json_object_get_boolean_member(h, "in_inventory")
			       ? pxf_cli_member(h, "hostname")
			       : "(unknown)",
		       pxf_cli_member(h, "state"), pxf_cli_member(h, "address"),
		       what != NULL ? what : "-");
	}
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
	{"explain", pxf_cli_explain,
	 "explain --mac MAC [--arch A]  walk a host's boot stage by stage"},
	{"host", pxf_cli_hosts,
	 "host list|import FILE|reinstall MAC  hosts, bulk import, reinstall"},
	{"hosts", pxf_cli_hosts, NULL}, /* an alias */
	{"plugins", pxf_cli_plugins, "plugins               loaded plugins: kind, version, hooks"},
	{"state", pxf_cli_state, "state MAC             a host's lifecycle state and history"},
	{"reload", pxf_cli_reload,
	 "reload                make pxeforged re-read its configuration"},
	{"status", pxf_cli_status,
	 "status                hosts: state, address, last event, download"},
	{"import", pxf_cli_import,
	 "import --name NAME IMAGE.iso|DIR  add a distro from its install media"},
	{"demo", pxf_cli_demo,
	 "demo [--guests N] [--transport tftp|http] [--keep]  boot QEMU guests in an isolated lab"},
};

static void
pxf_cli_usage(FILE *out)
{
	fprintf(out,
		"usage: pxeforge [--config DIR] [--socket PATH] COMMAND [ARGS]\n\ncommands:\n");
	for (guint i = 0; i < G_N_ELEMENTS(pxf_cli_commands); i++) {
		if (pxf_cli_commands[i].usage != NULL)
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
