/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxeforge/pxf-host.h>

#include "pxf-store.h"

G_BEGIN_DECLS

#define PXF_HOST_STATE_ERROR pxf_host_state_error_quark()
GQuark pxf_host_state_error_quark(void);

typedef enum {
	PXF_HOST_STATE_ERROR_FAILED,
	PXF_HOST_STATE_ERROR_TRANSITION, /* not allowed from the current state */
	PXF_HOST_STATE_ERROR_FORMAT,	 /* a record of a newer or unknown format */
} PxfHostStateError;

/* Current on-disk format of a host state record ("format": N). Readers
 * upgrade older formats in memory and write the current one back. */
#define PXF_HOST_STATE_FORMAT 1

/* Who moves a host: each transition is allowed for some of these only
 * (docs/lifecycle.md has the table). */
typedef enum {
	PXF_HOST_CAUSE_CLIENT,	/* a request of the machine itself: DHCP, loader config, answer file
				 */
	PXF_HOST_CAUSE_REPORT,	/* the installer's done/failed report with the install token */
	PXF_HOST_CAUSE_TIMEOUT, /* no report within daemon.install_timeout */
	PXF_HOST_CAUSE_OPERATOR, /* `pxeforge host reinstall` */
	PXF_HOST_CAUSE_PLUGIN,	 /* a plugin on its own authority: all but the operator's moves */
} PxfHostCause;

const gchar *pxf_host_cause_to_string(PxfHostCause cause);

typedef struct {
	PxfHostState state;
	gint64 timestamp; /* g_get_real_time() */
	gchar *reason;	  /* may be NULL */
} PxfHostStateEntry;

typedef struct {
	gchar *mac;
	PxfHostState state;
	gint64 since;	    /* when it entered state */
	GPtrArray *history; /* PxfHostStateEntry*, oldest first, bounded to 32 */
} PxfHostStateRecord;

void pxf_host_state_record_free(PxfHostStateRecord *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfHostStateRecord, pxf_host_state_record_free)

typedef struct _PxfHostStates PxfHostStates;

/* Called after every persisted change, from the main thread. */
typedef void (*PxfHostStateNotify)(const gchar *mac,
				   PxfHostState old_state,
				   PxfHostState new_state,
				   const gchar *reason,
				   gpointer user_data);

PxfHostStates *pxf_host_states_new(PxfStore *store);
void pxf_host_states_free(PxfHostStates *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfHostStates, pxf_host_states_free)

/* Reads every record; unreadable ones are reported (naming the key) and skipped. */
gboolean pxf_host_states_load(PxfHostStates *self, GError **error);
void pxf_host_states_set_notify(PxfHostStates *self, PxfHostStateNotify func, gpointer user_data);
/* NULL for a host never seen (state UNKNOWN). Owned by the table. */
const PxfHostStateRecord *pxf_host_states_get(PxfHostStates *self, const gchar *mac);
/* Element type PxfHostStateRecord*, sorted by MAC. */
GPtrArray *pxf_host_states_list(PxfHostStates *self);
/* Persists first, then updates memory and notifies; refused with
 * PXF_HOST_STATE_ERROR_TRANSITION unless cause may make the move
 * (pxf_host_state_transition_allowed_by()); a state to itself is a no-op. */
gboolean pxf_host_states_set(PxfHostStates *self,
			     const gchar *mac,
			     PxfHostState state,
			     PxfHostCause cause,
			     const gchar *reason,
			     GError **error);

/* Serialisation, exposed for tests and for the format-upgrade path. */
GBytes *pxf_host_state_record_to_bytes(const PxfHostStateRecord *rec);
PxfHostStateRecord *pxf_host_state_record_from_bytes(GBytes *bytes, GError **error);
/* As above, checking that the record's MAC is key (when not NULL) and
 * naming key in errors; format_read (may be NULL) gets the record's
 * "format" as soon as it is known, also when parsing fails after it. */
PxfHostStateRecord *
pxf_host_state_record_parse(GBytes *bytes, const gchar *key, gint64 *format_read, GError **error);

/* The transition rule pxf_host_states_set() applies: client, report,
 * timeout, operator moves as in docs/lifecycle.md; a state to itself is
 * allowed (a no-op there). */
gboolean
pxf_host_state_transition_allowed_by(PxfHostState from, PxfHostState to, PxfHostCause cause);
/* TRUE when some cause may make the move (or from == to). */
gboolean pxf_host_state_transition_allowed(PxfHostState from, PxfHostState to);

G_END_DECLS
