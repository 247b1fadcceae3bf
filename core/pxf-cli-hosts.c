/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pxeforge hosts: list (from the daemon, with state) and bulk import. */
#define G_LOG_DOMAIN "pxeforge"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "pxf-cli.h"
#include "pxf-control.h"
#include "pxf-setup.h"

static gint
pxf_cli_hosts_list(PxfCli *cli)
{
	g_autofree gchar *path = pxf_cli_socket_path(cli);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) result = pxf_control_call(path, "hosts", NULL, &error);
	JsonArray *hosts;

	if (result == NULL) {
		g_printerr("pxeforge hosts list: %s\n", error->message);
		return EXIT_FAILURE;
	}
	hosts = json_node_get_array(result);
	printf("%-17s %-20s %-15s %-14s %s\n", "MAC", "HOSTNAME", "IP", "PROFILE", "STATE");
	for (guint i = 0; i < json_array_get_length(hosts); i++) {
		JsonObject *h = json_array_get_object_element(hosts, i);
		gboolean known = json_object_get_boolean_member(h, "in_inventory");
		printf("%-17s %-20s %-15s %-14s %s\n", json_object_get_string_member(h, "mac"),
		       known ? json_object_get_string_member(h, "hostname") : "(unknown)",
		       known ? json_object_get_string_member(h, "ip") : "",
		       known ? json_object_get_string_member(h, "profile") : "",
		       json_object_get_string_member(h, "state"));
	}
	return EXIT_SUCCESS;
}

static gint
pxf_cli_hosts_import(PxfCli *cli, const gchar *file)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(JsonNode) reloaded = NULL;
	gint n = pxf_hosts_import(cli->config_dir, file, diags, &error);

	pxf_diags_sort(diags);
	pxf_setup_print_diags(diags);
	if (n < 0) {
		g_printerr("pxeforge hosts import: %s; nothing was imported\n",
			   error != NULL ? error->message : "the file has errors");
		return EXIT_FAILURE;
	}
	printf("imported %d host%s into %s/conf.d/90-hosts.yaml\n", n, n == 1 ? "" : "s",
	       cli->config_dir);
	/* a running daemon picks them up now; none running is fine */
	path = pxf_cli_socket_path(cli);
	g_clear_error(&error);
	reloaded = pxf_control_call(path, "reload", NULL, &error);
	if (reloaded != NULL)
		printf("pxeforged reloaded\n");
	else if (!g_error_matches(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_NOT_RUNNING))
		g_printerr("pxeforge hosts import: reloading pxeforged: %s\n", error->message);
	return EXIT_SUCCESS;
}

static gint
pxf_cli_hosts_reinstall(PxfCli *cli, const gchar *mac)
{
	g_autofree gchar *path = pxf_cli_socket_path(cli);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) args = json_object_new();
	g_autoptr(JsonNode) result = NULL;
	JsonObject *obj;

	json_object_set_string_member(args, "mac", mac);
	result = pxf_control_call(path, "reinstall", args, &error);
	if (result == NULL) {
		g_printerr("pxeforge host reinstall: %s\n", error->message);
		return EXIT_FAILURE;
	}
	obj = json_node_get_object(result);
	printf("%s: %s, will netboot and install with a new token\n",
	       json_object_get_string_member(obj, "mac"),
	       json_object_get_string_member(obj, "state"));
	return EXIT_SUCCESS;
}

gint
pxf_cli_hosts(PxfCli *cli, gint argc, gchar **argv)
{
	if (argc == 2 && g_strcmp0(argv[1], "list") == 0)
		return pxf_cli_hosts_list(cli);
	if (argc == 3 && g_strcmp0(argv[1], "import") == 0)
		return pxf_cli_hosts_import(cli, argv[2]);
	if (argc == 3 && g_strcmp0(argv[1], "reinstall") == 0)
		return pxf_cli_hosts_reinstall(cli, argv[2]);
	g_printerr("usage: pxeforge host list\n"
		   "       pxeforge host import FILE.csv|FILE.yaml\n"
		   "       pxeforge host reinstall MAC\n");
	return 2;
}
