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
typedef struct {
	PxfSetup *setup;
	PxfHookRegistry *hooks;
	PxfStore *store;
	PxfHostStates *states;
	GHashTable *address_owner; /* IPv4 text → canonical MAC, from the dhcp plugin */
} PxfCore;

/* Store namespace of install tokens: key MAC, value the token. */
#define PXF_CORE_TOKENS_NS "tokens"

/* A new random install token (32 hex digits from the kernel's CSPRNG). */
gchar *pxf_core_new_token(GError **error);
/* The host's current token, created (and stored) when it has none. */
gchar *pxf_core_get_token(PxfCore *core, const gchar *mac, GError **error);
/* Forgets the host's token (reinstall, or after a report consumed it). */
gboolean pxf_core_drop_token(PxfCore *core, const gchar *mac, GError **error);

G_END_DECLS
