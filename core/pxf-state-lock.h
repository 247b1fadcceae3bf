/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PXF_STATE_LOCK_NAME "pxeforged.lock"

/* Takes an exclusive lock (flock) on DIR/pxeforged.lock, writing this
 * process's PID into it, so that a second daemon on the same state
 * directory refuses to start rather than sharing the lease journal. Returns
 * the descriptor that holds the lock until it is closed (or the process
 * ends), or -1 with an error naming the directory and the PID holding it. */
gint pxf_state_lock_acquire(const gchar *dir, GError **error);

G_END_DECLS
