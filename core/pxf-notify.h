/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Service manager notifications (sd_notify(3) protocol, Type=notify units),
 * implemented directly so that libsystemd is not needed: one datagram per
 * call on the AF_UNIX socket named by $NOTIFY_SOCKET, an absolute path or an
 * abstract address written with a leading '@'. Without $NOTIFY_SOCKET (not
 * started by systemd) every call succeeds and does nothing. */

#define PXF_NOTIFY_ERROR pxf_notify_error_quark()

typedef enum {
	PXF_NOTIFY_ERROR_INVALID_ADDRESS, /* $NOTIFY_SOCKET not usable */
	PXF_NOTIFY_ERROR_FAILED,	  /* socket or send failed */
} PxfNotifyError;

GQuark pxf_notify_error_quark(void);

/* Sends @state verbatim: newline separated VARIABLE=value assignments, e.g.
 * "READY=1\nSTATUS=serving 3 subnets". */
gboolean pxf_notify(const gchar *state, GError **error);

/* The helpers below are for the daemon's main path, where a failed
 * notification must not stop anything: they log a warning and return FALSE
 * on failure. Status text has newlines replaced by spaces since a newline
 * would start a new assignment. */

/* "READY=1", followed by "\nSTATUS=@status" when @status is not NULL */
gboolean pxf_notify_ready(const gchar *status);
/* "RELOADING=1\nMONOTONIC_USEC=<CLOCK_MONOTONIC in µs>" (Type=notify-reload) */
gboolean pxf_notify_reloading(void);
/* "STOPPING=1" */
gboolean pxf_notify_stopping(void);
/* "WATCHDOG=1" */
gboolean pxf_notify_watchdog(void);
/* "STATUS=<formatted text>" */
gboolean pxf_notify_status(const gchar *fmt, ...) G_GNUC_PRINTF(1, 2);

G_END_DECLS
