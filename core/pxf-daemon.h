/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PXF_DAEMON_ERROR pxf_daemon_error_quark()
GQuark pxf_daemon_error_quark(void);

typedef enum {
	PXF_DAEMON_ERROR_FAILED,
	PXF_DAEMON_ERROR_CONFIG,  /* the configuration has errors (they were logged) */
	PXF_DAEMON_ERROR_RESTART, /* the change needs a restart (a new privileged port) */
} PxfDaemonError;

typedef struct {
	const gchar *config_dir;
	const gchar *state_dir;	     /* overrides daemon.state_dir when set */
	const gchar *control_socket; /* overrides daemon.control_socket when set */
	const gchar *user;	     /* overrides daemon.user when set ("" keeps root) */
	gboolean debug;
} PxfDaemonOptions;

typedef struct _PxfDaemon PxfDaemon;

PxfDaemon *pxf_daemon_new(const PxfDaemonOptions *options);
void pxf_daemon_free(PxfDaemon *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDaemon, pxf_daemon_free)

/* Loads and validates the configuration (refusing to start on any error),
 * loads and initialises the enabled plugins (a plugin that is refused is
 * logged and left out), opens the state store, the control socket, drops
 * privileges, and tells systemd it is ready. */
gboolean pxf_daemon_start(PxfDaemon *self, GError **error);
/* Validates the configuration again and swaps it in; on any error the
 * running configuration stays and the error says why. */
gboolean pxf_daemon_reload(PxfDaemon *self, GError **error);
/* Runs the main loop until SIGTERM/SIGINT; SIGHUP reloads. */
gint pxf_daemon_run(PxfDaemon *self);

G_END_DECLS
