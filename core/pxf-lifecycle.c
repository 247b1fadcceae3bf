/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The install lifecycle as the core enforces it: who may move a host
 * (the machine's own request, the installer's report with its token, the
 * timeout, the operator), and the install token that lives exactly as long
 * as one install: minted when the host enters booting, dead once it is
 * installed or failed. The table itself is in pxf-host-state.c; the rules
 * are written down in docs/lifecycle.md. */
#define G_LOG_DOMAIN "pxf-lifecycle"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "pxf-core.h"
#include "pxf-plugin-context.h"
#include "pxf-render.h"

/* ---- install tokens ------------------------------------------------------------- */

gchar *
pxf_core_new_token(GError **error)
{
	guint8 raw[16];
	gsize got = 0;
	GString *hex;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error(error, PXF_ERROR, PXF_ERROR_FAILED, "getrandom: %s",
				    g_strerror(errno));
			return NULL;
		}
		got += (gsize)n;
	}
	hex = g_string_sized_new(2 * sizeof(raw));
	for (gsize i = 0; i < sizeof(raw); i++)
		g_string_append_printf(hex, "%02x", raw[i]);
	return g_string_free(hex, FALSE);
}

/* The stored token; NULL without an error when the host has none. */
static gchar *
pxf_core_lookup_token(PxfCore *core, const gchar *mac, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GBytes) stored =
		pxf_store_get(core->store, PXF_CORE_TOKENS_NS, mac, &error_local);

	if (stored != NULL)
		return g_strndup(g_bytes_get_data(stored, NULL), g_bytes_get_size(stored));
	if (!g_error_matches(error_local, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND))
		g_propagate_error(error, g_steal_pointer(&error_local));
	return NULL;
}

/* Stores a new token unless one exists; returns the one that is stored. */
static gchar *
pxf_core_create_token(PxfCore *core, const gchar *mac, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *token = pxf_core_new_token(error);
	g_autoptr(GBytes) bytes = NULL;

	if (token == NULL)
		return NULL;
	bytes = g_bytes_new(token, strlen(token));
	if (pxf_store_create(core->store, PXF_CORE_TOKENS_NS, mac, bytes, &error_local))
		return g_steal_pointer(&token);
	/* someone created it meanwhile: theirs wins */
	if (g_error_matches(error_local, PXF_STORE_ERROR, PXF_STORE_ERROR_EXISTS))
		return pxf_core_lookup_token(core, mac, error);
	g_propagate_error(error, g_steal_pointer(&error_local));
	return NULL;
}

gboolean
pxf_core_drop_token(PxfCore *core, const gchar *mac, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	if (pxf_store_remove(core->store, PXF_CORE_TOKENS_NS, mac, &error_local))
		return TRUE;
	if (g_error_matches(error_local, PXF_STORE_ERROR, PXF_STORE_ERROR_NOT_FOUND))
		return TRUE;
	g_propagate_error(error, g_steal_pointer(&error_local));
	return FALSE;
}

static gboolean
pxf_core_install_in_progress(PxfHostState state)
{
	return state == PXF_HOST_STATE_BOOTING || state == PXF_HOST_STATE_INSTALLING;
}

gchar *
pxf_core_install_token(PxfCore *core, const gchar *mac, gboolean required, GError **error)
{
	const PxfHostStateRecord *rec = pxf_host_states_get(core->states, mac);
	PxfHostState state = rec != NULL ? rec->state : PXF_HOST_STATE_UNKNOWN;
	g_autoptr(GError) error_local = NULL;
	gchar *token;

	/* explain shows where the token goes without minting one; its walk
	 * changes no state, so the loader config that would start the install
	 * has not moved the host: anything but installed would be booting */
	if (core->dry_run > 0) {
		if (state != PXF_HOST_STATE_INSTALLED)
			return g_strdup(PXF_RENDER_TOKEN_PLACEHOLDER);
	} else if (pxf_core_install_in_progress(state)) {
		token = pxf_core_lookup_token(core, mac, &error_local);
		if (token != NULL)
			return token;
		/* entering booting minted it; a host that a pxeforge from before
		 * that rule left booting gets its one token now */
		if (error_local == NULL)
			return pxf_core_create_token(core, mac, error);
		if (required)
			g_propagate_error(error, g_steal_pointer(&error_local));
		return NULL;
	}
	if (required) {
		g_set_error(error, PXF_ERROR, PXF_ERROR_CONFLICT,
			    "host %s is %s, with no install in progress "
			    "(`pxeforge host reinstall %s` starts one)",
			    mac, pxf_host_state_to_string(state), mac);
	}
	return NULL;
}

/* ---- moving a host ---------------------------------------------------------------- */

gboolean
pxf_core_move_host(PxfCore *core,
		   const gchar *mac,
		   PxfHostState state,
		   PxfHostCause cause,
		   const gchar *reason,
		   GError **error)
{
	g_autofree gchar *canonical = pxf_mac_normalize(mac, error);
	g_autoptr(GError) error_local = NULL;
	const PxfHostStateRecord *rec;
	PxfHostState old_state;

	if (canonical == NULL)
		return FALSE;
	rec = pxf_host_states_get(core->states, canonical);
	old_state = rec != NULL ? rec->state : PXF_HOST_STATE_UNKNOWN;
	if (old_state == state)
		return TRUE;
	/* refused moves must not touch the token of the install in progress */
	if (!pxf_host_state_transition_allowed_by(old_state, state, cause))
		return pxf_host_states_set(core->states, canonical, state, cause, reason, error);
	/* a new install, a new token, stored before anyone can see the host
	 * booting; a late report of the previous install is refused */
	if (state == PXF_HOST_STATE_BOOTING) {
		g_autofree gchar *token = NULL;
		if (!pxf_core_drop_token(core, canonical, error))
			return FALSE;
		token = pxf_core_create_token(core, canonical, error);
		if (token == NULL)
			return FALSE;
	}
	if (!pxf_host_states_set(core->states, canonical, state, cause, reason, error))
		return FALSE;
	/* the install is over: nothing may report on it or fetch its answer file */
	if ((state == PXF_HOST_STATE_INSTALLED || state == PXF_HOST_STATE_FAILED) &&
	    !pxf_core_drop_token(core, canonical, &error_local))
		g_warning("%s: could not drop the install token: %s", canonical,
			  error_local->message);
	return TRUE;
}

gboolean
pxf_core_move_host_for_client(PxfCore *core,
			      const PxfClient *client,
			      const gchar *mac,
			      PxfHostState state,
			      const gchar *reason,
			      GError **error)
{
	g_autofree gchar *canonical = pxf_mac_normalize(mac, error);

	if (canonical == NULL)
		return FALSE;
	/* the client's MAC is its DHCP chaddr, or the owner of its address
	 * (lease or fixed ip): anybody else asking changes nothing */
	if (client == NULL || g_strcmp0(client->mac, canonical) != 0) {
		g_autofree gchar *peer =
			client != NULL && client->address != NULL
				? g_inet_address_to_string(
					  g_inet_socket_address_get_address(client->address))
				: g_strdup("(no address)");
		g_set_error(error, PXF_ERROR, PXF_ERROR_DENIED,
			    "host %s: a request from %s, %s%s, does not move its state", canonical,
			    peer,
			    client != NULL && client->mac != NULL
				    ? "which belongs to "
				    : "no lease or fixed address of it",
			    client != NULL && client->mac != NULL ? client->mac : "");
		return FALSE;
	}
	return pxf_core_move_host(core, canonical, state, PXF_HOST_CAUSE_CLIENT, reason, error);
}

gboolean
pxf_plugin_context_set_client_host_state(PxfPluginContext *ctx,
					 const PxfClient *client,
					 const gchar *mac,
					 PxfHostState state,
					 const gchar *reason,
					 GError **error)
{
	PxfCore *core = pxf_core_from_context(ctx, error);

	if (core == NULL)
		return FALSE;
	if (core->dry_run > 0)
		return TRUE; /* explain: what would happen, not that it happens */
	return pxf_core_move_host_for_client(core, client, mac, state, reason, error);
}

/* ---- install reports ---------------------------------------------------------------- */

/* Compares without an early exit, so timing does not tell how much matched. */
static gboolean
pxf_token_equal(const gchar *a, gsize a_len, const gchar *b)
{
	gsize b_len = b != NULL ? strlen(b) : 0;
	guint8 diff = a_len != b_len || b_len == 0;

	for (gsize i = 0; i < a_len; i++)
		diff |= (guint8)(a[i] ^ (i < b_len ? b[i] : 0));
	return diff == 0;
}

gboolean
pxf_plugin_context_report_install(PxfPluginContext *ctx,
				  const gchar *mac,
				  const gchar *token,
				  gboolean done,
				  const gchar *reason,
				  GError **error)
{
	PxfCore *core = pxf_core_from_context(ctx, error);
	PxfHostState target = done ? PXF_HOST_STATE_INSTALLED : PXF_HOST_STATE_FAILED;
	g_autofree gchar *canonical = NULL;
	g_autoptr(GBytes) stored = NULL;
	g_autoptr(GError) error_local = NULL;
	const PxfHostStateRecord *rec;
	PxfHostState state;
	const gchar *why;

	if (core == NULL)
		return FALSE;
	canonical = pxf_mac_normalize(mac, &error_local);
	if (canonical == NULL) {
		g_set_error(error, PXF_ERROR, PXF_ERROR_INVALID, "%s", error_local->message);
		return FALSE;
	}
	/* a host with no install in progress has nothing to report on, whatever
	 * token comes with it (an installed one's is long used up) */
	rec = pxf_host_states_get(core->states, canonical);
	state = rec != NULL ? rec->state : PXF_HOST_STATE_UNKNOWN;
	if (state == target ||
	    !pxf_host_state_transition_allowed_by(state, target, PXF_HOST_CAUSE_REPORT)) {
		g_set_error(error, PXF_ERROR, PXF_ERROR_CONFLICT,
			    "%s report for %s not recorded: the host is %s, not %s",
			    done ? "done" : "failed", canonical, pxf_host_state_to_string(state),
			    done ? "installing" : "booting or installing");
		return FALSE;
	}
	stored = pxf_store_get(core->store, PXF_CORE_TOKENS_NS, canonical, NULL);
	if (stored == NULL ||
	    !pxf_token_equal(g_bytes_get_data(stored, NULL), g_bytes_get_size(stored), token)) {
		g_set_error(error, PXF_ERROR, PXF_ERROR_DENIED,
			    "install report for %s refused: %s token", canonical,
			    token == NULL || token[0] == '\0' ? "missing" : "wrong or used");
		return FALSE;
	}
	why = reason != NULL && reason[0] != '\0'
		      ? reason
		      : (done ? "installer reported done" : "installer reported failure");
	/* single use: the move drops the token, so a replayed report is refused */
	if (!pxf_core_move_host(core, canonical, target, PXF_HOST_CAUSE_REPORT, why, error))
		return FALSE;
	pxf_plugin_context_emit_host_event(
		ctx, NULL, canonical, done ? PXF_HOST_EVENT_DONE : PXF_HOST_EVENT_FAILED, why, 0);
	return TRUE;
}
