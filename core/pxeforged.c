/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxeforged"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "pxf-daemon.h"
#include "pxf-log.h"

int
main(int argc, char **argv)
{
	g_autofree gchar *config_dir = NULL;
	g_autofree gchar *state_dir = NULL;
	g_autofree gchar *control_socket = NULL;
	g_autofree gchar *user = NULL;
	gboolean debug = FALSE;
	gboolean version = FALSE;
	const GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_dir,
		 "Configuration directory (default " PXF_SYSCONFDIR ")", "DIR"},
		{"state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
		 "State directory (overrides daemon.state_dir)", "DIR"},
		{"control-socket", 0, 0, G_OPTION_ARG_FILENAME, &control_socket,
		 "Control socket (overrides daemon.control_socket)", "PATH"},
		{"user", 'u', 0, G_OPTION_ARG_STRING, &user,
		 "User to run as after binding ports (overrides daemon.user; \"\" keeps root)",
		 "USER"},
		{"debug", 'd', 0, G_OPTION_ARG_NONE, &debug, "Log debug messages", NULL},
		{"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
		G_OPTION_ENTRY_NULL};
	g_autoptr(GOptionContext) context = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfDaemon) daemon = NULL;
	PxfDaemonOptions options = {0};

	setlocale(LC_ALL, "");
	g_option_context_set_summary(context, "pxeforge network-install provisioning daemon");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		fprintf(stderr, "pxeforged: %s\n", error->message);
		return 2;
	}
	if (version) {
		printf("pxeforged %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	pxf_log_init(debug);

	options.config_dir = config_dir;
	options.state_dir = state_dir;
	options.control_socket = control_socket;
	options.user = user;
	options.debug = debug;
	daemon = pxf_daemon_new(&options);
	if (!pxf_daemon_start(daemon, &error)) {
		g_printerr("pxeforged: %s\n", error->message);
		return EXIT_FAILURE;
	}
	return pxf_daemon_run(daemon);
}
