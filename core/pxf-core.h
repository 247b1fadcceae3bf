/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pxf-hook.h"
#include "pxf-host-state.h"
#include "pxf-setup.h"
#include "pxf-store.h"

G_BEGIN_DECLS

/* What the SDK's transport API (pxf-transport.c) works on: the daemon's
 * current configuration and state. The daemon owns it; setup is replaced on
 * every reload. */
/* What a host did last, for `pxeforge status`. */
typedef struct {
	gchar *address;	   /* the client address of its last request */
	gchar *last_event; /* "file-served pxelinux.0", "acked 10.99.0.150", ... */
	gint64 last_time;  /* g_get_real_time() */
	gchar *path;	   /* the file it is downloading, or NULL */
	guint64 done;
	guint64 total;
} PxfHostActivity;

void pxf_host_activity_free(PxfHostActivity *activity);

typedef struct {
	PxfSetup *setup;
	PxfHookRegistry *hooks;
	PxfStore *store;
	PxfHostStates *states;
	GHashTable *address_owner; /* IPv4 text → canonical MAC, from the dhcp plugin */
	GHashTable *activity;	   /* canonical MAC → PxfHostActivity* */
	GHashTable *running;	   /* names of the plugins that started */
	guint inventory_serial;	   /* changes with each inventory loaded */
	/* > 0 while `pxeforge explain` walks a boot: callbacks run for real but
	 * host state, events and tokens are left alone */
	guint dry_run;
} PxfCore;

/* The pipeline with the core's defaults, reporting which plugin decided. */
PxfHookResult pxf_core_classify(PxfCore *core, PxfClientClassifyArgs *args);
PxfHookResult pxf_core_lookup_host(PxfCore *core, PxfHostLookupArgs *args);
PxfHookResult pxf_core_select_boot(PxfCore *core, PxfBootSelectArgs *args);
PxfHookResult pxf_core_open_file(PxfCore *core, PxfFileOpenArgs *args);

/* The activity record of a host, created on first use. */
PxfHostActivity *pxf_core_get_activity(PxfCore *core, const gchar *mac);

/* Store namespace of install tokens: key MAC, value the token. */
#define PXF_CORE_TOKENS_NS "tokens"

/* The PxfCore behind a plugin context; NULL (and error) without a daemon. */
PxfCore *pxf_core_from_context(PxfPluginContext *ctx, GError **error);

/* ---- the install lifecycle (pxf-lifecycle.c, docs/lifecycle.md) ---- */

/* A new random install token (32 hex digits from the kernel's CSPRNG). */
gchar *pxf_core_new_token(GError **error);
/* The token of the host's install in progress (booting or installing),
 * never minted for a host that has none (`pxeforge explain`: the
 * placeholder). Otherwise NULL, with PXF_ERROR_CONFLICT when required. */
gchar *pxf_core_install_token(PxfCore *core, const gchar *mac, gboolean required, GError **error);
/* Forgets the host's token. */
gboolean pxf_core_drop_token(PxfCore *core, const gchar *mac, GError **error);

/* Every move of a host goes through here: refused unless cause may make it
 * (pxf_host_state_transition_allowed_by()); entering booting arms a new
 * install with a fresh token, stored first; installed and failed end it
 * and drop the token. */
gboolean pxf_core_move_host(PxfCore *core,
			    const gchar *mac,
			    PxfHostState state,
			    PxfHostCause cause,
			    const gchar *reason,
			    GError **error);
/* The one rule for requests: a move on behalf of client, which must be the
 * machine mac itself (its DHCP chaddr, or its lease or fixed address);
 * anyone else gets PXF_ERROR_DENIED and the state stays. */
gboolean pxf_core_move_host_for_client(PxfCore *core,
				       const PxfClient *client,
				       const gchar *mac,
				       PxfHostState state,
				       const gchar *reason,
				       GError **error);

G_END_DECLS
