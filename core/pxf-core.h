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

/* A new random install token (32 hex digits from the kernel's CSPRNG). */
gchar *pxf_core_new_token(GError **error);
/* The host's current token, created (and stored) when it has none. */
gchar *pxf_core_get_token(PxfCore *core, const gchar *mac, GError **error);
/* Forgets the host's token (reinstall, or after a report consumed it). */
gboolean pxf_core_drop_token(PxfCore *core, const gchar *mac, GError **error);

G_END_DECLS
