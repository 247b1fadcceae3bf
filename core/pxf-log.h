/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Installs the process-wide GLib log writer of the daemon and the CLI.
 *
 * When stderr is connected to the systemd journal (the daemon runs as a
 * service) records go to the journal with their structured fields, so that
 * `journalctl -u pxeforged -p warning` works. Otherwise each record is one
 * line on stderr:
 *
 *   pxeforged[1234]: warning: pxf-config: message text
 *
 * where "pxeforged" is the base name of g_get_prgname() (or "pxeforged") and the
 * domain part is left out for records without a log domain. Control
 * characters other than tab and newline are escaped as \xNN so that text
 * from the network cannot drive the terminal.
 *
 * Error, critical, warning, message and info records are always written;
 * debug records only when @debug is TRUE or when G_MESSAGES_DEBUG names their
 * domain (or is "all"), like the default GLib writer.
 *
 * GLib allows a writer to be installed only once per process: later calls
 * only change the debug setting. */
void pxf_log_init(gboolean debug);

/* Shows (TRUE) or hides (FALSE) debug records from now on, e.g. on SIGUSR1 or
 * `pxeforge debug on`; safe to call from any thread. Also sets
 * g_log_set_debug_enabled() so that code asking
 * g_log_writer_default_would_drop() agrees. */
void pxf_log_set_debug(gboolean debug);

gboolean pxf_log_get_debug(void);

G_END_DECLS
