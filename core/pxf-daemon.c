/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxeforged"

#include "config.h"

#include "pxf-daemon.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <pwd.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#include "pxf-control.h"
#include "pxf-core.h"
#include "pxf-explain.h"
#include "pxf-hook.h"
#include "pxf-host-state.h"
#include "pxf-log.h"
#include "pxf-notify.h"
#include "pxf-plugin-context.h"
#include "pxf-privdrop.h"
#include "pxf-render.h"
#include "pxf-setup.h"
#include "pxf-state-lock.h"

G_DEFINE_QUARK(pxf_daemon_error_quark, pxf_daemon_error)

struct _PxfDaemon {
	gchar *config_dir;
	gchar *opt_state_dir;
	gchar *opt_control_socket;
	gchar *opt_user;
	gboolean debug;

	PxfPluginLoader *loader;
	PxfSetup *setup;
	PxfHookRegistry *hooks;
	PxfCore core; /* what the transport API sees; mirrors the fields here */
	guint install_timer;
	GPtrArray *contexts; /* PxfPluginContext*, running plugins */
	GHashTable *refused; /* name → message, plugins that could not start */
	GHashTable *sockets; /* "udp|addr|port" → GSocket, kept across reloads */
	gchar *state_dir;
	gint state_lock; /* the flock on STATE_DIR/pxeforged.lock, or -1 */
	gchar *control_path;
	PxfStore *store;
	PxfHostStates *states;
	PxfControlServer *control;
	gboolean dropped;
	GMainLoop *loop;
	gint64 started;
	guint signal_ids[3];
};

/* ---- services the plugin contexts call ---------------------------------- */

static GSocket *
pxf_daemon_bind(gpointer core,
		PxfPluginContext *ctx,
		GSocketType type,
		const gchar *device,
		const gchar *address,
		guint16 port,
		GError **error)
{
	PxfDaemon *self = core;
	g_autofree gchar *key = g_strdup_printf(
		"%s|%s|%s|%u", type == G_SOCKET_TYPE_DATAGRAM ? "udp" : "tcp",
		device != NULL ? device : "", address != NULL ? address : "*", port);
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GInetAddress) inet = NULL;
	g_autoptr(GSocketAddress) sockaddr = NULL;
	GSocketFamily family = G_SOCKET_FAMILY_IPV4;
	GSocket *existing = g_hash_table_lookup(self->sockets, key);
	g_autoptr(GError) error_local = NULL;

	/* a reload re-initialises plugins: they get the socket they had */
	if (existing != NULL)
		return existing;
	if (address != NULL) {
		inet = g_inet_address_new_from_string(address);
		if (inet == NULL) {
			g_set_error(error, PXF_DAEMON_ERROR, PXF_DAEMON_ERROR_FAILED,
				    "'%s' is not an IP address", address);
			return NULL;
		}
		family = g_inet_address_get_family(inet);
	} else {
		inet = g_inet_address_new_any(family);
	}
	socket = g_socket_new(family, type,
			      type == G_SOCKET_TYPE_DATAGRAM ? G_SOCKET_PROTOCOL_UDP
							     : G_SOCKET_PROTOCOL_TCP,
			      error);
	if (socket == NULL)
		return NULL;
	if (device != NULL) {
		/* a DHCP server answers on the interfaces it was given, and only there */
		if (setsockopt(g_socket_get_fd(socket), SOL_SOCKET, SO_BINDTODEVICE, device,
			       (socklen_t)strlen(device) + 1) != 0) {
			gint saved = errno;
			g_set_error(error, PXF_DAEMON_ERROR, PXF_DAEMON_ERROR_FAILED,
				    "binding to interface %s: %s", device, g_strerror(saved));
			return NULL;
		}
		if (type == G_SOCKET_TYPE_DATAGRAM)
			g_socket_set_broadcast(socket, TRUE);
	}
	sockaddr = g_inet_socket_address_new(inet, port);
	if (!g_socket_bind(socket, sockaddr, TRUE, &error_local)) {
		if (self->dropped && port < 1024 &&
		    g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)) {
			g_set_error(error, PXF_DAEMON_ERROR, PXF_DAEMON_ERROR_RESTART,
				    "port %u is privileged and pxeforged has dropped root; "
				    "restart pxeforged to bind it",
				    port);
			return NULL;
		}
		g_set_error(error, PXF_DAEMON_ERROR, PXF_DAEMON_ERROR_FAILED,
			    "binding %s port %u: %s", address != NULL ? address : "*", port,
			    error_local->message);
		return NULL;
	}
	g_hash_table_insert(self->sockets, g_steal_pointer(&key), g_object_ref(socket));
	return socket; /* the table keeps the reference */
}

/* Remembers what the host did last, for `pxeforge status`. */
static void
pxf_daemon_note_activity(PxfDaemon *self, const PxfHostEventArgs *event)
{
	PxfHostActivity *activity;
	g_autofree gchar *what = NULL;

	if (event->mac == NULL)
		return;
	activity = pxf_core_get_activity(&self->core, event->mac);
	if (event->type == PXF_HOST_EVENT_STATE_CHANGED)
		what = g_strdup_printf("now %s", pxf_host_state_to_string(event->new_state));
	else
		what = g_strdup_printf("%s%s%s", pxf_host_event_type_to_string(event->type),
				       event->detail != NULL ? " " : "",
				       event->detail != NULL ? event->detail : "");
	g_free(activity->last_event);
	activity->last_event = g_steal_pointer(&what);
	activity->last_time = event->timestamp;
	if (event->client != NULL && event->client->address != NULL) {
		GInetAddress *inet = g_inet_socket_address_get_address(event->client->address);
		g_free(activity->address);
		activity->address = g_inet_address_to_string(inet);
	}
	/* a finished download is no longer in progress */
	if (event->type == PXF_HOST_EVENT_FILE_SERVED &&
	    g_strcmp0(activity->path, event->detail) == 0)
		g_clear_pointer(&activity->path, g_free);
}

static void
pxf_daemon_emit_host_event(gpointer core, const PxfHostEventArgs *event)
{
	PxfDaemon *self = core;
	PxfHostEventArgs copy = *event;

	if (self->core.dry_run > 0)
		return;
	/* message, not info: GLib drops info unless debug is on, and what
	 * happens to hosts is what an operator (and `pxeforge demo`) follows */
	if (event->type == PXF_HOST_EVENT_STATE_CHANGED) {
		g_message("host %s: %s → %s%s%s", event->mac,
			  pxf_host_state_to_string(event->old_state),
			  pxf_host_state_to_string(event->new_state), event->detail ? ": " : "",
			  event->detail ? event->detail : "");
	} else if (event->type == PXF_HOST_EVENT_FILE_SERVED) {
		g_message("host %s: served %s (%" G_GUINT64_FORMAT " bytes)",
			  event->mac ? event->mac : "?", event->detail, event->bytes);
	} else {
		g_message("host %s: %s%s%s", event->mac ? event->mac : "?",
			  pxf_host_event_type_to_string(event->type), event->detail ? ": " : "",
			  event->detail ? event->detail : "");
	}
	pxf_daemon_note_activity(self, event);
	pxf_hook_run_host_event(self->hooks, &copy);
}

static gboolean
pxf_daemon_set_host_state(gpointer core,
			  PxfPluginContext *ctx,
			  const gchar *mac,
			  PxfHostState state,
			  const gchar *reason,
			  GError **error)
{
	PxfDaemon *self = core;
	g_autofree gchar *canonical = pxf_mac_normalize(mac, error);

	if (canonical == NULL)
		return FALSE;
	if (self->core.dry_run > 0)
		return TRUE; /* explain: what would happen, not that it happens */
	return pxf_core_move_host(&self->core, canonical, state, PXF_HOST_CAUSE_PLUGIN, reason,
				  error);
}

static const gchar *
pxf_daemon_get_state_dir(gpointer core)
{
	PxfDaemon *self = core;
	return self->state_dir;
}

static gpointer
pxf_daemon_get_core(gpointer core)
{
	PxfDaemon *self = core;
	return &self->core;
}

static const PxfCoreServices pxf_daemon_services = {
	.get_core = pxf_daemon_get_core,
	.bind = pxf_daemon_bind,
	.set_host_state = pxf_daemon_set_host_state,
	.emit_host_event = pxf_daemon_emit_host_event,
	.get_state_dir = pxf_daemon_get_state_dir,
};

static void
pxf_daemon_state_changed(const gchar *mac,
			 PxfHostState old_state,
			 PxfHostState new_state,
			 const gchar *reason,
			 gpointer user_data)
{
	PxfHostEventArgs event = {
		.mac = mac,
		.type = PXF_HOST_EVENT_STATE_CHANGED,
		.old_state = old_state,
		.new_state = new_state,
		.detail = reason,
		.timestamp = g_get_real_time(),
	};
	pxf_daemon_emit_host_event(user_data, &event);
}

/* The transport API works on PxfCore; keep it in step with the daemon. */
static void
pxf_daemon_sync_core(PxfDaemon *self)
{
	/* plugins that index the hosts rebuild their index when it changes */
	if (self->core.setup != self->setup)
		self->core.inventory_serial++;
	self->core.setup = self->setup;
	self->core.hooks = self->hooks;
	self->core.store = self->store;
	self->core.states = self->states;
}

/* ---- plugins ------------------------------------------------------------- */

static PxfPluginContext *
pxf_daemon_find_context(PxfDaemon *self, const gchar *name, guint *index)
{
	for (guint i = 0; i < self->contexts->len; i++) {
		PxfPluginContext *ctx = g_ptr_array_index(self->contexts, i);
		if (g_strcmp0(pxf_plugin_context_get_name(ctx), name) == 0) {
			if (index != NULL)
				*index = i;
			return ctx;
		}
	}
	return NULL;
}

static PxfSetupPlugin *
pxf_setup_find_plugin(PxfSetup *setup, const gchar *name)
{
	for (guint i = 0; setup != NULL && i < setup->plugins->len; i++) {
		PxfSetupPlugin *plugin = g_ptr_array_index(setup->plugins, i);
		if (g_strcmp0(plugin->name, name) == 0)
			return plugin;
	}
	return NULL;
}

/* Stops the plugins that a new setup removes or changes; returns how many run on. */
static void
pxf_daemon_stop_changed_plugins(PxfDaemon *self, PxfSetup *next)
{
	for (guint i = self->contexts->len; i > 0; i--) {
		PxfPluginContext *ctx = g_ptr_array_index(self->contexts, i - 1);
		const gchar *name = pxf_plugin_context_get_name(ctx);
		PxfSetupPlugin *now = pxf_setup_find_plugin(self->setup, name);
		PxfSetupPlugin *then = pxf_setup_find_plugin(next, name);

		if (then != NULL && now != NULL && then->order == now->order &&
		    g_variant_equal(then->fingerprint, now->fingerprint))
			continue;
		g_message("stopping plugin %s (%s)", name,
			  then == NULL ? "no longer enabled" : "its settings changed");
		g_hash_table_remove(self->core.running, name);
		g_ptr_array_remove_index(self->contexts, i - 1);
	}
}

static void
pxf_daemon_start_plugins(PxfDaemon *self)
{
	g_autoptr(GError) error = NULL;
	GHashTableIter iter;
	gpointer key, value;

	g_hash_table_remove_all(self->refused);
	g_hash_table_iter_init(&iter, self->setup->refused);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		GError *refusal = value;
		g_warning("plugin %s refused: %s", (const gchar *)key, refusal->message);
		g_hash_table_insert(self->refused, g_strdup(key), g_strdup(refusal->message));
	}
	for (guint i = 0; i < self->setup->plugins->len; i++) {
		PxfSetupPlugin *entry = g_ptr_array_index(self->setup->plugins, i);
		PxfConfSection *section;
		PxfPluginContext *ctx;
		g_autoptr(GError) error_init = NULL;

		if (pxf_daemon_find_context(self, entry->name, NULL) != NULL)
			continue; /* unchanged across a reload: keeps running */
		section = pxf_setup_plugin_section(entry, NULL);
		ctx = pxf_plugin_context_new(entry->plugin, entry->name, entry->order, section,
					     self->hooks, &pxf_daemon_services, self);
		if (!pxf_plugin_context_run_init(ctx, &error_init)) {
			g_warning("%s", error_init->message);
			g_hash_table_insert(self->refused, g_strdup(entry->name),
					    g_strdup(error_init->message));
			pxf_plugin_context_free(ctx);
			continue;
		}
		g_debug("started plugin %s", entry->name);
		g_ptr_array_add(self->contexts, ctx);
		g_hash_table_add(self->core.running, g_strdup(entry->name));
	}
	if (!pxf_hook_registry_seal(self->hooks, &error))
		g_critical("%s; the callbacks connected by this start are not active",
			   error->message);
}

static guint32
pxf_daemon_get_caps(PxfDaemon *self)
{
	guint32 caps = 0;
	for (guint i = 0; i < self->contexts->len; i++) {
		PxfPlugin *plugin =
			pxf_plugin_context_get_plugin(g_ptr_array_index(self->contexts, i));
		caps |= pxf_plugin_get_desc(plugin)->capabilities;
	}
	return caps;
}

/* ---- the install lifecycle ------------------------------------------------ */

/* A host that started booting or installing and reported nothing for
 * daemon.install_timeout is failed, so it never sits at "installing" forever. */
static gboolean
pxf_daemon_check_install_timeouts(gpointer user_data)
{
	PxfDaemon *self = user_data;
	gint64 timeout = pxf_conf_section_get_int(self->setup->daemon, "install_timeout");
	gint64 now = g_get_real_time();
	g_autoptr(GPtrArray) records = pxf_host_states_list(self->states);

	for (guint i = 0; i < records->len; i++) {
		const PxfHostStateRecord *rec = g_ptr_array_index(records, i);
		g_autofree gchar *reason = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree gchar *mac = NULL;

		if (rec->state != PXF_HOST_STATE_BOOTING && rec->state != PXF_HOST_STATE_INSTALLING)
			continue;
		if (now - rec->since < timeout * G_USEC_PER_SEC)
			continue;
		mac = g_strdup(rec->mac);
		reason = g_strdup_printf("no report within %" G_GINT64_FORMAT " s while %s",
					 timeout, pxf_host_state_to_string(rec->state));
		if (!pxf_core_move_host(&self->core, mac, PXF_HOST_STATE_FAILED,
					PXF_HOST_CAUSE_TIMEOUT, reason, &error))
			g_warning("host %s: %s", mac, error->message);
	}
	return G_SOURCE_CONTINUE;
}

/* Checks a few times per timeout period, at most every 30 s. */
static void
pxf_daemon_arm_install_timer(PxfDaemon *self)
{
	gint64 timeout = pxf_conf_section_get_int(self->setup->daemon, "install_timeout");
	guint interval = (guint)CLAMP(timeout / 4, 1, 30);

	g_clear_handle_id(&self->install_timer, g_source_remove);
	self->install_timer =
		g_timeout_add_seconds(interval, pxf_daemon_check_install_timeouts, self);
}

/* `pxeforge host reinstall`: back to netboot, a new install with a new token
 * (the move mints it); the only way out of installed. */
static gboolean
pxf_daemon_reinstall(PxfDaemon *self, const gchar *mac_text, GError **error)
{
	g_autofree gchar *mac = pxf_mac_normalize(mac_text, error);
	const PxfHostStateRecord *rec;
	PxfHostState state;

	if (mac == NULL)
		return FALSE;
	if (pxf_inventory_lookup_mac(self->setup->inventory, mac) == NULL) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_NOT_FOUND,
			    "no host %s in the inventory", mac);
		return FALSE;
	}
	rec = pxf_host_states_get(self->states, mac);
	state = rec != NULL ? rec->state : PXF_HOST_STATE_UNKNOWN;
	if (!pxf_host_state_transition_allowed_by(state, PXF_HOST_STATE_BOOTING,
						  PXF_HOST_CAUSE_OPERATOR) ||
	    state == PXF_HOST_STATE_BOOTING) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_INVALID_ARGUMENT,
			    "host %s is %s; only an installed or failed host can be reinstalled "
			    "(an install in progress ends with its report or the install timeout)",
			    mac, pxf_host_state_to_string(state));
		return FALSE;
	}
	return pxf_core_move_host(&self->core, mac, PXF_HOST_STATE_BOOTING, PXF_HOST_CAUSE_OPERATOR,
				  "reinstall requested", error);
}

/* ---- the control socket --------------------------------------------------- */

static JsonNode *
pxf_daemon_json_plugins(PxfDaemon *self)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	GHashTableIter iter;
	gpointer key, value;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "loaded");
	json_builder_begin_array(b);
	for (guint i = 0; i < self->contexts->len; i++) {
		PxfPluginContext *ctx = g_ptr_array_index(self->contexts, i);
		PxfPlugin *plugin = pxf_plugin_context_get_plugin(ctx);
		const PxfPluginDesc *desc = pxf_plugin_get_desc(plugin);
		g_autofree gchar *caps = pxf_privdrop_describe_caps(desc->capabilities);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, desc->name);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, pxf_plugin_kind_to_string(desc->kind));
		json_builder_set_member_name(b, "version");
		json_builder_add_string_value(b, desc->version);
		json_builder_set_member_name(b, "license");
		json_builder_add_string_value(b, desc->license);
		json_builder_set_member_name(b, "description");
		json_builder_add_string_value(b, desc->description ? desc->description : "");
		json_builder_set_member_name(b, "path");
		json_builder_add_string_value(b, pxf_plugin_get_path(plugin));
		json_builder_set_member_name(b, "capabilities");
		json_builder_add_string_value(b, caps);
		json_builder_set_member_name(b, "hooks");
		json_builder_begin_array(b);
		for (guint id = 0; id < PXF_HOOK_LAST; id++) {
			g_autoptr(GPtrArray) names = pxf_hook_registry_get_plugins(self->hooks, id);
			if (g_ptr_array_find(names, g_intern_string(desc->name), NULL))
				json_builder_add_string_value(b, pxf_hook_id_to_string(id));
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "refused");
	json_builder_begin_array(b);
	g_hash_table_iter_init(&iter, self->refused);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, key);
		json_builder_set_member_name(b, "error");
		json_builder_add_string_value(b, value);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static void
pxf_daemon_json_state(JsonBuilder *b, const PxfHostStateRecord *rec, gboolean history)
{
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(
		b, pxf_host_state_to_string(rec != NULL ? rec->state : PXF_HOST_STATE_UNKNOWN));
	json_builder_set_member_name(b, "since");
	json_builder_add_int_value(b, rec != NULL ? rec->since : 0);
	if (!history || rec == NULL)
		return;
	json_builder_set_member_name(b, "history");
	json_builder_begin_array(b);
	for (guint i = 0; i < rec->history->len; i++) {
		PxfHostStateEntry *entry = g_ptr_array_index(rec->history, i);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(b, pxf_host_state_to_string(entry->state));
		json_builder_set_member_name(b, "timestamp");
		json_builder_add_int_value(b, entry->timestamp);
		json_builder_set_member_name(b, "reason");
		json_builder_add_string_value(b, entry->reason != NULL ? entry->reason : "");
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
pxf_daemon_json_host(JsonBuilder *b, PxfDaemon *self, const PxfHost *host, const gchar *mac)
{
	const PxfHostActivity *activity;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mac");
	json_builder_add_string_value(b, mac);
	if (host != NULL) {
		json_builder_set_member_name(b, "hostname");
		json_builder_add_string_value(b, host->hostname ? host->hostname : "");
		json_builder_set_member_name(b, "ip");
		json_builder_add_string_value(b, host->ip ? host->ip : "");
		json_builder_set_member_name(b, "profile");
		json_builder_add_string_value(b, host->profile ? host->profile : "");
		json_builder_set_member_name(b, "netboot");
		json_builder_add_boolean_value(b, host->netboot);
	}
	json_builder_set_member_name(b, "in_inventory");
	json_builder_add_boolean_value(b, host != NULL);
	pxf_daemon_json_state(b, pxf_host_states_get(self->states, mac), FALSE);
	activity = g_hash_table_lookup(self->core.activity, mac);
	if (activity != NULL) {
		json_builder_set_member_name(b, "address");
		json_builder_add_string_value(b, activity->address ? activity->address : "");
		json_builder_set_member_name(b, "last_event");
		json_builder_add_string_value(b, activity->last_event ? activity->last_event : "");
		json_builder_set_member_name(b, "last_time");
		json_builder_add_int_value(b, activity->last_time);
		if (activity->path != NULL) {
			json_builder_set_member_name(b, "downloading");
			json_builder_add_string_value(b, activity->path);
			json_builder_set_member_name(b, "bytes");
			json_builder_add_int_value(b, (gint64)activity->done);
			json_builder_set_member_name(b, "size");
			json_builder_add_int_value(b, (gint64)activity->total);
		}
	}
	json_builder_end_object(b);
}

static JsonNode *
pxf_daemon_json_hosts(PxfDaemon *self)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	GPtrArray *hosts = pxf_inventory_get_hosts(self->setup->inventory);
	g_autoptr(GPtrArray) states = pxf_host_states_list(self->states);
	g_autoptr(GList) macs = NULL;

	json_builder_begin_array(b);
	for (guint i = 0; i < hosts->len; i++) {
		const PxfHost *host = g_ptr_array_index(hosts, i);
		pxf_daemon_json_host(b, self, host, host->mac);
	}
	/* hosts that booted but are not in the inventory (unknown machines) */
	for (guint i = 0; i < states->len; i++) {
		const PxfHostStateRecord *rec = g_ptr_array_index(states, i);
		if (pxf_inventory_lookup_mac(self->setup->inventory, rec->mac) == NULL)
			pxf_daemon_json_host(b, self, NULL, rec->mac);
	}
	/* unknown machines seen on the wire since the start (a lease, a file)
	 * that no plugin gave a state: the operator still wants to see them */
	macs = g_list_sort(g_hash_table_get_keys(self->core.activity), (GCompareFunc)g_strcmp0);
	for (GList *l = macs; l != NULL; l = l->next) {
		const gchar *mac = l->data;
		if (pxf_inventory_lookup_mac(self->setup->inventory, mac) == NULL &&
		    pxf_host_states_get(self->states, mac) == NULL)
			pxf_daemon_json_host(b, self, NULL, mac);
	}
	json_builder_end_array(b);
	return json_builder_get_root(b);
}

static JsonNode *
pxf_daemon_json_host_state(PxfDaemon *self, const gchar *mac_text, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree gchar *mac = pxf_mac_normalize(mac_text, error);

	if (mac == NULL)
		return NULL;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mac");
	json_builder_add_string_value(b, mac);
	pxf_daemon_json_state(b, pxf_host_states_get(self->states, mac), TRUE);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

/* What a host would receive, with the running plugins' template.vars and
 * profile.render callbacks, which the offline `pxeforge render` cannot run. */
static JsonNode *
pxf_daemon_render(PxfDaemon *self, JsonObject *args, GError **error)
{
	const gchar *mac = args != NULL && json_object_has_member(args, "mac")
				   ? json_object_get_string_member(args, "mac")
				   : NULL;
	const gchar *template = args != NULL && json_object_has_member(args, "template")
					? json_object_get_string_member(args, "template")
					: NULL;
	const PxfHost *host;
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(PxfVars) vars = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	gboolean ok;

	if (mac == NULL) {
		g_set_error_literal(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_INVALID_ARGUMENT,
				    "render needs a \"mac\" argument");
		return NULL;
	}
	host = pxf_inventory_lookup_mac(self->setup->inventory, mac);
	if (host == NULL) {
		g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_NOT_FOUND,
			    "no host %s in the inventory", mac);
		return NULL;
	}
	/* plugins run for real, but a render for the CLI changes nothing */
	self->core.dry_run++;
	ok = pxf_render_host(self->setup, self->hooks, NULL, host, template,
			     PXF_RENDER_TOKEN_PLACEHOLDER, out, &vars, error);
	self->core.dry_run--;
	if (!ok)
		return NULL;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "output");
	json_builder_add_string_value(b, out->str);
	json_builder_set_member_name(b, "variables");
	json_builder_add_value(b, pxf_render_vars_to_json(vars));
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static JsonNode *
pxf_daemon_control(const gchar *command,
		   JsonObject *args,
		   const PxfControlPeer *peer,
		   gpointer user_data,
		   GError **error)
{
	PxfDaemon *self = user_data;

	if (g_strcmp0(command, "ping") == 0) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "version");
		json_builder_add_string_value(b, PACKAGE_VERSION);
		json_builder_set_member_name(b, "pid");
		json_builder_add_int_value(b, getpid());
		json_builder_set_member_name(b, "uptime");
		json_builder_add_int_value(b, (g_get_monotonic_time() - self->started) /
						      G_USEC_PER_SEC);
		json_builder_set_member_name(b, "config_dir");
		json_builder_add_string_value(b, self->config_dir);
		json_builder_end_object(b);
		return json_builder_get_root(b);
	}
	if (g_strcmp0(command, "plugins") == 0)
		return pxf_daemon_json_plugins(self);
	if (g_strcmp0(command, "hosts") == 0)
		return pxf_daemon_json_hosts(self);
	if (g_strcmp0(command, "state") == 0) {
		const gchar *mac = args != NULL && json_object_has_member(args, "mac")
					   ? json_object_get_string_member(args, "mac")
					   : NULL;
		if (mac == NULL) {
			g_set_error_literal(error, PXF_CONTROL_ERROR,
					    PXF_CONTROL_ERROR_INVALID_ARGUMENT,
					    "state needs a \"mac\" argument");
			return NULL;
		}
		return pxf_daemon_json_host_state(self, mac, error);
	}
	if (g_strcmp0(command, "reinstall") == 0) {
		const gchar *mac = args != NULL && json_object_has_member(args, "mac")
					   ? json_object_get_string_member(args, "mac")
					   : NULL;
		/* it changes what a machine does at its next boot: root only */
		if (peer->uid != 0) {
			g_set_error_literal(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_DENIED,
					    "reinstall is for root only");
			return NULL;
		}
		if (mac == NULL) {
			g_set_error_literal(error, PXF_CONTROL_ERROR,
					    PXF_CONTROL_ERROR_INVALID_ARGUMENT,
					    "reinstall needs a \"mac\" argument");
			return NULL;
		}
		if (!pxf_daemon_reinstall(self, mac, error))
			return NULL;
		return pxf_daemon_json_host_state(self, mac, error);
	}
	if (g_strcmp0(command, "render") == 0)
		return pxf_daemon_render(self, args, error);
	if (g_strcmp0(command, "explain") == 0) {
		const gchar *mac = args != NULL && json_object_has_member(args, "mac")
					   ? json_object_get_string_member(args, "mac")
					   : NULL;
		const gchar *arch = args != NULL && json_object_has_member(args, "arch")
					    ? json_object_get_string_member(args, "arch")
					    : "bios";
		if (mac == NULL) {
			g_set_error_literal(error, PXF_CONTROL_ERROR,
					    PXF_CONTROL_ERROR_INVALID_ARGUMENT,
					    "explain needs a \"mac\" argument");
			return NULL;
		}
		return pxf_explain(&self->core, mac, arch, error);
	}
	if (g_strcmp0(command, "reload") == 0) {
		if (!pxf_daemon_reload(self, error))
			return NULL;
		return json_node_init_boolean(json_node_alloc(), TRUE);
	}
	g_set_error(error, PXF_CONTROL_ERROR, PXF_CONTROL_ERROR_UNKNOWN_COMMAND,
		    "unknown command '%s'", command);
	return NULL;
}

/* ---- life cycle ------------------------------------------------------------ */

PxfDaemon *
pxf_daemon_new(const PxfDaemonOptions *options)
{
	PxfDaemon *self = g_new0(PxfDaemon, 1);
	/* absolute, so that what status shows and each reload reads do not
	 * depend on the directory the daemon was started in */
	self->config_dir = g_canonicalize_filename(
		options->config_dir != NULL ? options->config_dir : PXF_SYSCONFDIR, NULL);
	self->opt_state_dir = g_strdup(options->state_dir);
	self->opt_control_socket = g_strdup(options->control_socket);
	self->opt_user = g_strdup(options->user);
	self->state_lock = -1;
	self->debug = options->debug;
	self->loader = pxf_plugin_loader_new(NULL);
	self->hooks = pxf_hook_registry_new();
	self->core.address_owner = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->core.running = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->core.activity = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						    (GDestroyNotify)pxf_host_activity_free);
	self->contexts = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_plugin_context_free);
	self->refused = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->sockets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
	self->loop = g_main_loop_new(NULL, FALSE);
	self->started = g_get_monotonic_time();
	return self;
}

void
pxf_daemon_free(PxfDaemon *self)
{
	if (self == NULL)
		return;
	for (guint i = 0; i < G_N_ELEMENTS(self->signal_ids); i++) {
		if (self->signal_ids[i] != 0)
			g_source_remove(self->signal_ids[i]);
	}
	g_clear_handle_id(&self->install_timer, g_source_remove);
	g_clear_pointer(&self->control, pxf_control_server_free);
	/* plugins stop in reverse start order, before what they use goes away */
	while (self->contexts->len > 0)
		g_ptr_array_remove_index(self->contexts, self->contexts->len - 1);
	g_ptr_array_unref(self->contexts);
	g_clear_pointer(&self->states, pxf_host_states_free);
	g_clear_object(&self->store);
	if (self->state_lock >= 0)
		close(self->state_lock);
	g_clear_pointer(&self->setup, pxf_setup_free);
	pxf_hook_registry_free(self->hooks);
	g_hash_table_unref(self->sockets);
	g_hash_table_unref(self->refused);
	g_hash_table_unref(self->core.address_owner);
	g_hash_table_unref(self->core.activity);
	g_hash_table_unref(self->core.running);
	pxf_plugin_loader_free(self->loader);
	g_main_loop_unref(self->loop);
	g_free(self->state_dir);
	g_free(self->control_path);
	g_free(self->config_dir);
	g_free(self->opt_state_dir);
	g_free(self->opt_control_socket);
	g_free(self->opt_user);
	g_free(self);
}

/* Logs every finding; returns an error carrying them when any is an error. */
static gboolean
pxf_daemon_check_diags(PxfDaemon *self, GPtrArray *diags, const gchar *what, GError **error)
{
	guint n_errors = pxf_diags_count_errors(diags);
	g_autoptr(GString) text = g_string_new(NULL);

	for (guint i = 0; i < diags->len; i++) {
		const PxfDiag *diag = g_ptr_array_index(diags, i);
		g_autofree gchar *line = pxf_diag_to_string(diag);
		/* the line says "error" or "warning" itself */
		g_message("%s", line);
		if (!diag->warning)
			g_string_append_printf(text, "\n%s", line);
	}
	if (n_errors == 0)
		return TRUE;
	g_set_error(error, PXF_DAEMON_ERROR, PXF_DAEMON_ERROR_CONFIG,
		    "%u error%s in the configuration in %s; %s:%s", n_errors,
		    n_errors == 1 ? "" : "s", self->config_dir, what, text->str);
	return FALSE;
}

static gboolean
pxf_daemon_chown_tree(const gchar *path, uid_t uid, gid_t gid, GError **error)
{
	g_autoptr(GDir) dir = NULL;
	const gchar *name;

	if (lchown(path, uid, gid) != 0) {
		gint saved = errno;
		g_set_error(error, PXF_DAEMON_ERROR, PXF_DAEMON_ERROR_FAILED, "chown %s: %s", path,
			    g_strerror(saved));
		return FALSE;
	}
	if (!g_file_test(path, G_FILE_TEST_IS_DIR) || g_file_test(path, G_FILE_TEST_IS_SYMLINK))
		return TRUE;
	dir = g_dir_open(path, 0, error);
	if (dir == NULL)
		return FALSE;
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		if (!pxf_daemon_chown_tree(child, uid, gid, error))
			return FALSE;
	}
	return TRUE;
}

/* The user to drop to, or NULL when pxeforged keeps its user. */
static const gchar *
pxf_daemon_get_user(PxfDaemon *self)
{
	const gchar *user = self->opt_user != NULL
				    ? self->opt_user
				    : pxf_conf_section_get_string(self->setup->daemon, "user");

	if (user == NULL || user[0] == '\0' || getuid() != 0)
		return NULL;
	return user;
}

/* Before the plugins start (and with them GLib's threads, e.g. gmain for a
 * GSocketService): the bounding set, inheritable and ambient sets and
 * no_new_privs are per thread and not reset by the uid change, so they are
 * set while there is one thread, for every thread to inherit. The plugins
 * still bind their ports as root. */
static gboolean
pxf_daemon_prepare_drop(PxfDaemon *self, GError **error)
{
	guint32 caps = 0;

	if (pxf_daemon_get_user(self) == NULL)
		return TRUE;
	/* every enabled plugin's: one refused at init is a subset */
	for (guint i = 0; i < self->setup->plugins->len; i++) {
		PxfSetupPlugin *entry = g_ptr_array_index(self->setup->plugins, i);
		if (entry->plugin != NULL)
			caps |= pxf_plugin_get_desc(entry->plugin)->capabilities;
	}
	return pxf_privdrop_prepare(caps, error);
}

static gboolean
pxf_daemon_drop_privileges(PxfDaemon *self, GError **error)
{
	const gchar *user = pxf_daemon_get_user(self);
	guint32 caps = pxf_daemon_get_caps(self);
	g_autofree gchar *caps_text = pxf_privdrop_describe_caps(caps);
	g_autofree gchar *control_dir = g_path_get_dirname(self->control_path);
	struct passwd *pw;

	if (user == NULL) {
		g_debug("not dropping privileges (%s)",
			getuid() != 0 ? "not running as root" : "daemon.user is empty");
		return TRUE;
	}
	pw = getpwnam(user);
	if (pw == NULL) {
		g_set_error(error, PXF_DAEMON_ERROR, PXF_DAEMON_ERROR_FAILED,
			    "daemon.user: no such user '%s' (create it, or set daemon.user: \"\" "
			    "to keep running as root)",
			    user);
		return FALSE;
	}
	/* what the unprivileged daemon must still write */
	if (!pxf_daemon_chown_tree(self->state_dir, pw->pw_uid, pw->pw_gid, error))
		return FALSE;
	if (lchown(control_dir, pw->pw_uid, pw->pw_gid) != 0 ||
	    lchown(self->control_path, pw->pw_uid, pw->pw_gid) != 0) {
		gint saved = errno;
		g_set_error(error, PXF_DAEMON_ERROR, PXF_DAEMON_ERROR_FAILED, "chown %s: %s",
			    self->control_path, g_strerror(saved));
		return FALSE;
	}
	if (!pxf_privdrop(user, caps, error))
		return FALSE;
	self->dropped = TRUE;
	g_message("running as %s with capabilities: %s", user,
		  caps_text[0] != '\0' ? caps_text : "none");
	return TRUE;
}

static gboolean
pxf_daemon_on_sighup(gpointer user_data)
{
	PxfDaemon *self = user_data;
	g_autoptr(GError) error = NULL;

	g_message("SIGHUP: reloading %s", self->config_dir);
	if (!pxf_daemon_reload(self, &error))
		g_warning("reload failed, the running configuration stays: %s", error->message);
	return G_SOURCE_CONTINUE;
}

static gboolean
pxf_daemon_on_sigterm(gpointer user_data)
{
	PxfDaemon *self = user_data;
	g_message("stopping");
	pxf_notify_stopping();
	g_main_loop_quit(self->loop);
	return G_SOURCE_CONTINUE;
}

gboolean
pxf_daemon_start(PxfDaemon *self, GError **error)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();

	self->setup = pxf_setup_load(self->config_dir, self->loader, diags);
	if (!pxf_daemon_check_diags(self, diags, "not starting", error))
		return FALSE;
	if (self->debug || pxf_conf_section_get_bool(self->setup->daemon, "debug"))
		pxf_log_set_debug(TRUE);

	self->state_dir =
		g_strdup(self->opt_state_dir != NULL
				 ? self->opt_state_dir
				 : pxf_conf_section_get_string(self->setup->daemon, "state_dir"));
	if (g_mkdir_with_parents(self->state_dir, 0750) != 0) {
		gint saved = errno;
		g_set_error(error, PXF_DAEMON_ERROR, PXF_DAEMON_ERROR_FAILED,
			    "state directory %s: %s", self->state_dir, g_strerror(saved));
		return FALSE;
	}
	/* before anything reads or writes the state: one daemon per directory */
	self->state_lock = pxf_state_lock_acquire(self->state_dir, error);
	if (self->state_lock < 0)
		return FALSE;
	self->store = pxf_store_file_new(self->state_dir, error);
	if (self->store == NULL)
		return FALSE;
	self->states = pxf_host_states_new(self->store);
	if (!pxf_host_states_load(self->states, error))
		return FALSE;
	pxf_host_states_set_notify(self->states, pxf_daemon_state_changed, self);
	pxf_daemon_sync_core(self);

	if (!pxf_daemon_prepare_drop(self, error))
		return FALSE;
	pxf_daemon_start_plugins(self);

	self->control_path = g_strdup(
		self->opt_control_socket != NULL
			? self->opt_control_socket
			: pxf_conf_section_get_string(self->setup->daemon, "control_socket"));
	self->control = pxf_control_server_new(self->control_path, pxf_daemon_control, self, error);
	if (self->control == NULL)
		return FALSE;
	if (!pxf_daemon_drop_privileges(self, error))
		return FALSE;

	pxf_daemon_arm_install_timer(self);
	self->signal_ids[0] = g_unix_signal_add(SIGHUP, pxf_daemon_on_sighup, self);
	self->signal_ids[1] = g_unix_signal_add(SIGTERM, pxf_daemon_on_sigterm, self);
	self->signal_ids[2] = g_unix_signal_add(SIGINT, pxf_daemon_on_sigterm, self);

	g_message("ready: %u plugin%s, %u host%s, configuration %s, state %s", self->contexts->len,
		  self->contexts->len == 1 ? "" : "s",
		  pxf_inventory_get_hosts(self->setup->inventory)->len,
		  pxf_inventory_get_hosts(self->setup->inventory)->len == 1 ? "" : "s",
		  self->config_dir, self->state_dir);
	if (!pxf_notify_ready("running"))
		g_debug("sd_notify READY failed");
	return TRUE;
}

static void
pxf_daemon_warn_restart_only(PxfDaemon *self, PxfSetup *next)
{
	static const gchar *const keys[] = {"state_dir", "control_socket", "user", NULL};
	for (guint i = 0; keys[i] != NULL; i++) {
		if (g_strcmp0(pxf_conf_section_get_string(self->setup->daemon, keys[i]),
			      pxf_conf_section_get_string(next->daemon, keys[i])) != 0)
			g_warning("daemon.%s changed; that takes effect when pxeforged restarts",
				  keys[i]);
	}
}

gboolean
pxf_daemon_reload(PxfDaemon *self, GError **error)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfSetup) next = NULL;
	PxfSetup *old;

	pxf_notify_reloading();
	next = pxf_setup_load(self->config_dir, self->loader, diags);
	if (!pxf_daemon_check_diags(self, diags, "keeping the running configuration", error)) {
		pxf_notify_ready("running (last reload refused)");
		return FALSE;
	}
	pxf_daemon_warn_restart_only(self, next);
	pxf_daemon_stop_changed_plugins(self, next);
	old = self->setup;
	self->setup = g_steal_pointer(&next);
	pxf_daemon_sync_core(self);
	pxf_daemon_start_plugins(self);
	pxf_setup_free(old);
	pxf_daemon_arm_install_timer(self);
	pxf_log_set_debug(self->debug || pxf_conf_section_get_bool(self->setup->daemon, "debug"));
	g_message("reloaded: %u plugin%s, %u host%s", self->contexts->len,
		  self->contexts->len == 1 ? "" : "s",
		  pxf_inventory_get_hosts(self->setup->inventory)->len,
		  pxf_inventory_get_hosts(self->setup->inventory)->len == 1 ? "" : "s");
	pxf_notify_ready("running");
	return TRUE;
}

gint
pxf_daemon_run(PxfDaemon *self)
{
	g_main_loop_run(self->loop);
	return EXIT_SUCCESS;
}
