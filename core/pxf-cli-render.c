/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pxeforge render: exactly what a host would receive, rendered offline, with
 * where each variable came from on stderr. */
#define G_LOG_DOMAIN "pxeforge"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxf-cli.h"
#include "pxf-setup.h"
#include "pxf-control.h"
#include "pxf-render.h"

static void
pxf_cli_explain(const PxfHost *host, PxfSetup *setup, JsonArray *vars, gboolean online)
{
	const PxfProfile *profile =
		host->profile != NULL ? pxf_inventory_get_profile(setup->inventory, host->profile)
				      : NULL;

	fprintf(stderr, "# host %s%s%s%s", host->mac, host->hostname ? " (" : "",
		host->hostname ? host->hostname : "", host->hostname ? ")" : "");
	if (profile != NULL)
		fprintf(stderr, " → profile %s → distro %s", profile->name, profile->distro);
	fprintf(stderr, " → globals%s\n# variables (host overrides profile, distro, globals):\n",
		online ? " (rendered by pxeforged, with its plugins)"
		       : " (offline: plugins' template.vars not applied)");
	for (guint i = 0; i < json_array_get_length(vars); i++) {
		JsonObject *v = json_array_get_object_element(vars, i);
		fprintf(stderr, "#   %-20s = %-30s (%s)\n",
			json_object_get_string_member(v, "name"),
			json_object_get_string_member(v, "value"),
			json_object_get_string_member(v, "origin"));
	}
}

/* Asks the running daemon; NULL when none runs (error says why otherwise). */
static JsonNode *
pxf_cli_render_online(PxfCli *cli, const gchar *mac, const gchar *template, GError **error)
{
	g_autofree gchar *path = pxf_cli_socket_path(cli);
	g_autoptr(JsonObject) args = json_object_new();
	g_autofree gchar *abs = template != NULL ? g_canonicalize_filename(template, NULL) : NULL;

	json_object_set_string_member(args, "mac", mac);
	if (abs != NULL)
		json_object_set_string_member(args, "template", abs);
	return pxf_control_call(path, "render", args, error);
}

gint
pxf_cli_render(PxfCli *cli, gint argc, gchar **argv)
{
	g_autofree gchar *mac_text = NULL;
	gboolean quiet = FALSE;
	gboolean offline = FALSE;
	g_auto(GStrv) rest = NULL;
	const GOptionEntry entries[] = {
		{"mac", 'm', 0, G_OPTION_ARG_STRING, &mac_text, "The host, by MAC (any spelling)",
		 "MAC"},
		{"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Do not explain variables on stderr",
		 NULL},
		{"offline", 0, 0, G_OPTION_ARG_NONE, &offline,
		 "Do not ask the running pxeforged (no plugin variables)", NULL},
		{G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "[TEMPLATE]"},
		G_OPTION_ENTRY_NULL};
	g_autoptr(GOptionContext) context = g_option_context_new("--mac MAC [TEMPLATE]");
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfPluginLoader) loader = pxf_plugin_loader_new(NULL);
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfSetup) setup = NULL;
	g_autoptr(PxfVars) vars = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	const gchar *template_path = NULL;
	const PxfHost *host;

	g_option_context_add_main_entries(context, entries, NULL);
	g_option_context_set_summary(context,
				     "Render a template for one host, as it would receive it.");
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("pxeforge render: %s\n", error->message);
		return 2;
	}
	if (mac_text == NULL || (rest != NULL && g_strv_length(rest) > 1)) {
		g_printerr("usage: pxeforge render --mac MAC [TEMPLATE]\n");
		return 2;
	}
	setup = pxf_setup_load(cli->config_dir, loader, diags);
	if (pxf_diags_count_errors(diags) > 0) {
		pxf_setup_print_diags(diags);
		g_printerr("pxeforge render: the configuration has errors (see pxeforge check)\n");
		return EXIT_FAILURE;
	}
	host = pxf_inventory_lookup_mac(setup->inventory, mac_text);
	if (host == NULL) {
		g_autofree gchar *mac = pxf_mac_normalize(mac_text, &error);
		g_printerr("pxeforge render: %s\n",
			   mac == NULL ? error->message : "no host with this MAC in the inventory");
		return EXIT_FAILURE;
	}
	/* what a check of this host refuses, render refuses as well */
	pxf_setup_check_host(setup, host, diags);
	if (pxf_diags_count_errors(diags) > 0) {
		pxf_setup_print_diags(diags);
		g_printerr("pxeforge render: host %s cannot be rendered (see pxeforge check)\n",
			   host->mac);
		return EXIT_FAILURE;
	}
	if (rest != NULL && rest[0] != NULL) {
		template_path = rest[0];
	}
	if (!offline) {
		g_autoptr(JsonNode) result =
			pxf_cli_render_online(cli, host->mac, template_path, &error);
		if (result != NULL) {
			JsonObject *obj = json_node_get_object(result);
			const gchar *text = json_object_get_string_member(obj, "output");
			if (!quiet)
				pxf_cli_explain(host, setup,
						json_object_get_array_member(obj, "variables"),
						TRUE);
			fwrite(text, 1, strlen(text), stdout);
			return EXIT_SUCCESS;
		}
		if (!g_error_matches(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_NOT_RUNNING)) {
			g_printerr("pxeforge render: %s\n", error->message);
			return EXIT_FAILURE;
		}
		g_clear_error(&error);
	}
	if (!pxf_render_host(setup, NULL, NULL, host, template_path, PXF_RENDER_TOKEN_PLACEHOLDER,
			     out, &vars, &error)) {
		g_printerr("pxeforge render: %s\n", error->message);
		return EXIT_FAILURE;
	}
	if (!quiet) {
		g_autoptr(JsonNode) json = pxf_render_vars_to_json(vars);
		pxf_cli_explain(host, setup, json_node_get_array(json), FALSE);
	}
	fwrite(out->str, 1, out->len, stdout);
	return EXIT_SUCCESS;
}
