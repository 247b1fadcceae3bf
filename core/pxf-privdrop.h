/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PXF_PRIVDROP_ERROR pxf_privdrop_error_quark()

typedef enum {
	PXF_PRIVDROP_ERROR_NO_USER, /* the user does not exist */
	PXF_PRIVDROP_ERROR_INVALID, /* NULL/root user, unknown capability bits */
	PXF_PRIVDROP_ERROR_FAILED,  /* a system call refused */
} PxfPrivdropError;

GQuark pxf_privdrop_error_quark(void);

/* Runs the rest of the process as @user, keeping only the capabilities in
 * @caps (a PxfPluginCaps bitmask from <pxeforge/pxf-plugin-desc.h>), after the
 * daemon has opened what needs root (ports, files).
 *
 * As root: switches to the user's uid, primary gid and supplementary groups
 * (initgroups), sets the permitted and effective capability sets to exactly
 * @caps, clears the inheritable and ambient sets, drops everything else from
 * the bounding set where the kernel allows it (not in some containers), then
 * sets PR_SET_NO_NEW_PRIVS, so neither exec nor a setuid binary regains
 * anything. A user whose uid is 0 is refused: that would drop nothing.
 * Verifies the result (a failed setuid must not go unnoticed). On error the
 * process may be half-dropped and should exit.
 *
 * Not as root: nothing can be dropped; returns TRUE and logs at debug level.
 *
 * Capabilities and PR_SET_KEEPCAPS are per thread in Linux: call
 * pxf_privdrop_prepare() before any thread is started. (uid/gid changes
 * reach every thread through glibc; threads other than the caller lose
 * their permitted and effective sets with that.) */
gboolean pxf_privdrop(const gchar *user, guint32 caps, GError **error);

/* The per-thread part of pxf_privdrop() that the uid change does not do for
 * every thread, for a process that must stay root a while (to bind ports)
 * while GLib may start threads: as root, trims the bounding set to @caps,
 * clears the inheritable and ambient sets and sets PR_SET_NO_NEW_PRIVS,
 * which threads started afterwards inherit. The effective and permitted
 * sets stay full until pxf_privdrop(). Call it while the process has one
 * thread (threads that exist already are warned about). Not as root:
 * nothing to do, returns TRUE. */
gboolean pxf_privdrop_prepare(guint32 caps, GError **error);

/* "cap_net_bind_service,cap_net_raw" for logs; "none" for 0; unknown bits
 * as "0x…". */
gchar *pxf_privdrop_describe_caps(guint32 caps);

G_END_DECLS
