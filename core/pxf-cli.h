/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What every subcommand gets: the global options, already parsed. */
typedef struct {
	const gchar *config_dir;
	const gchar *socket; /* NULL: from the configuration, else the default */
} PxfCli;

gint pxf_cli_render(PxfCli *cli, gint argc, gchar **argv);
gint pxf_cli_hosts(PxfCli *cli, gint argc, gchar **argv);
/* `pxeforge import`: a distro from its install medium (pxf-cli-import.c). */
gint pxf_cli_import(PxfCli *cli, gint argc, gchar **argv);
/* Runs demo.py (execs python3; returns only on failure). */
gint pxf_cli_demo(PxfCli *cli, gint argc, gchar **argv);
/* The control socket path the CLI talks to. */
gchar *pxf_cli_socket_path(PxfCli *cli);

G_END_DECLS
