/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include <json-glib/json-glib.h>

#include "pxf-dhcp-leases.h"
#include "pxf-dhcp-packet.h"

/* How often one write is retried when another server keeps changing the
 * same record underneath us. */
#define PXF_DHCP_LEASE_WRITE_TRIES 4

struct _PxfDhcpLeases {
	const PxfDhcpStoreOps *ops;
	gpointer store;
	PxfDhcpOwnerFunc owner_func;
	gpointer owner_data;
	GHashTable *leases; /* GUINT_TO_POINTER(ip) → PxfDhcpLease */
};

/* ---- records ---------------------------------------------------------- */

static const gchar *const pxf_dhcp_lease_state_names[] = {
	NULL, "offered", "bound", "released", "declined", "unreadable",
};

const gchar *
pxf_dhcp_lease_state_to_string(PxfDhcpLeaseState state)
{
	if ((guint)state < G_N_ELEMENTS(pxf_dhcp_lease_state_names) &&
	    pxf_dhcp_lease_state_names[state] != NULL)
		return pxf_dhcp_lease_state_names[state];
	return "unknown";
}

void
pxf_dhcp_lease_free(PxfDhcpLease *lease)
{
	if (lease == NULL)
		return;
	g_free(lease->mac);
	g_free(lease->client_id);
	g_free(lease->hostname);
	if (lease->stored != NULL)
		g_bytes_unref(lease->stored);
	g_free(lease);
}

GBytes *
pxf_dhcp_lease_to_bytes(const PxfDhcpLease *lease)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	gchar *text;
	gsize len = 0;

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "format");
	json_builder_add_int_value(builder, PXF_DHCP_LEASE_FORMAT);
	json_builder_set_member_name(builder, "state");
	json_builder_add_string_value(builder, pxf_dhcp_lease_state_to_string(lease->state));
	json_builder_set_member_name(builder, "mac");
	json_builder_add_string_value(builder, lease->mac);
	if (lease->client_id != NULL) {
		json_builder_set_member_name(builder, "client_id");
		json_builder_add_string_value(builder, lease->client_id);
	}
	if (lease->hostname != NULL) {
		json_builder_set_member_name(builder, "hostname");
		json_builder_add_string_value(builder, lease->hostname);
	}
	json_builder_set_member_name(builder, "expires");
	json_builder_add_int_value(builder, lease->expires);
	json_builder_set_member_name(builder, "updated");
	json_builder_add_int_value(builder, lease->updated);
	json_builder_end_object(builder);

	root = json_builder_get_root(builder);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, &len);
	return g_bytes_new_take(text, len);
}

static const gchar *
pxf_dhcp_json_string(JsonObject *obj, const gchar *name, gboolean required, GError **error)
{
	JsonNode *node = json_object_get_member(obj, name);
	if (node == NULL || JSON_NODE_HOLDS_NULL(node)) {
		if (required)
			g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CORRUPT, "no \"%s\"",
				    name);
		return NULL;
	}
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CORRUPT, "\"%s\" is not a string",
			    name);
		return NULL;
	}
	return json_node_get_string(node);
}

static gboolean
pxf_dhcp_json_int(JsonObject *obj, const gchar *name, gint64 *value, GError **error)
{
	JsonNode *node = json_object_get_member(obj, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_INT64) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CORRUPT,
			    "\"%s\" is missing or not an integer", name);
		return FALSE;
	}
	*value = json_node_get_int(node);
	return TRUE;
}

static gboolean
pxf_dhcp_lease_parse_object(PxfDhcpLease *lease, JsonObject *obj, GError **error)
{
	const gchar *state;
	const gchar *mac;
	gint64 format = 0;

	if (!pxf_dhcp_json_int(obj, "format", &format, error))
		return FALSE;
	if (format != PXF_DHCP_LEASE_FORMAT) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CORRUPT,
			    "format %" G_GINT64_FORMAT ", this pxeforge reads format %d", format,
			    PXF_DHCP_LEASE_FORMAT);
		return FALSE;
	}
	if ((state = pxf_dhcp_json_string(obj, "state", TRUE, error)) == NULL)
		return FALSE;
	lease->state = 0;
	for (guint i = PXF_DHCP_LEASE_OFFERED; i < PXF_DHCP_LEASE_UNREADABLE; i++) {
		if (g_strcmp0(state, pxf_dhcp_lease_state_names[i]) == 0)
			lease->state = (PxfDhcpLeaseState)i;
	}
	if (lease->state == 0) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CORRUPT, "unknown state \"%s\"",
			    state);
		return FALSE;
	}
	if ((mac = pxf_dhcp_json_string(obj, "mac", TRUE, error)) == NULL)
		return FALSE;
	lease->mac = g_strdup(mac);
	lease->client_id = g_strdup(pxf_dhcp_json_string(obj, "client_id", FALSE, NULL));
	lease->hostname = g_strdup(pxf_dhcp_json_string(obj, "hostname", FALSE, NULL));
	if (!pxf_dhcp_json_int(obj, "expires", &lease->expires, error))
		return FALSE;
	/* informational only */
	if (!pxf_dhcp_json_int(obj, "updated", &lease->updated, NULL))
		lease->updated = 0;
	return TRUE;
}

PxfDhcpLease *
pxf_dhcp_lease_from_bytes(const gchar *key, GBytes *value, GError **error)
{
	g_autoptr(PxfDhcpLease) lease = g_new0(PxfDhcpLease, 1);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error_local = NULL;
	gsize len = 0;
	const gchar *data = g_bytes_get_data(value, &len);
	JsonNode *root;

	if (!pxf_dhcp_ip_from_string(key, &lease->ip)) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CORRUPT,
			    "lease %s: the key is not an IPv4 address", key);
		return NULL;
	}
	if (len > G_MAXSSIZE || !json_parser_load_from_data(parser, data != NULL ? data : "",
							    (gssize)len, &error_local)) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CORRUPT, "lease %s: %s", key,
			    error_local != NULL ? error_local->message : "too large");
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CORRUPT,
			    "lease %s: not a JSON object", key);
		return NULL;
	}
	if (!pxf_dhcp_lease_parse_object(lease, json_node_get_object(root), &error_local)) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CORRUPT, "lease %s: %s", key,
			    error_local->message);
		return NULL;
	}
	lease->stored = g_bytes_ref(value);
	return g_steal_pointer(&lease);
}

static gboolean
pxf_dhcp_lease_matches(const PxfDhcpLease *lease, const PxfDhcpLeaseOwner *owner)
{
	/* RFC 2131 4.2: the client identifier, when both sides have one, else
	 * the hardware address */
	if (lease->client_id != NULL && owner->client_id != NULL)
		return g_strcmp0(lease->client_id, owner->client_id) == 0;
	return lease->mac != NULL && g_strcmp0(lease->mac, owner->mac) == 0;
}

static gboolean
pxf_dhcp_lease_is_active(const PxfDhcpLease *lease, gint64 now)
{
	if (lease->state == PXF_DHCP_LEASE_UNREADABLE)
		return TRUE;
	if (lease->state == PXF_DHCP_LEASE_RELEASED)
		return FALSE;
	return lease->expires > now;
}

gboolean
pxf_dhcp_lease_is_held_by(const PxfDhcpLease *lease, const PxfDhcpLeaseOwner *owner, gint64 now)
{
	return (lease->state == PXF_DHCP_LEASE_OFFERED || lease->state == PXF_DHCP_LEASE_BOUND) &&
	       pxf_dhcp_lease_is_active(lease, now) && pxf_dhcp_lease_matches(lease, owner);
}

gboolean
pxf_dhcp_lease_is_blocked_for(const PxfDhcpLease *lease, const PxfDhcpLeaseOwner *owner, gint64 now)
{
	return pxf_dhcp_lease_is_active(lease, now) &&
	       !pxf_dhcp_lease_is_held_by(lease, owner, now);
}

/* ---- the table ---------------------------------------------------------- */

PxfDhcpLeases *
pxf_dhcp_leases_new(const PxfDhcpStoreOps *ops,
		    gpointer store,
		    PxfDhcpOwnerFunc owner_func,
		    gpointer owner_data)
{
	PxfDhcpLeases *self = g_new0(PxfDhcpLeases, 1);
	self->ops = ops;
	self->store = store;
	self->owner_func = owner_func;
	self->owner_data = owner_data;
	self->leases = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					     (GDestroyNotify)pxf_dhcp_lease_free);
	return self;
}

void
pxf_dhcp_leases_free(PxfDhcpLeases *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->leases);
	g_free(self);
}

guint
pxf_dhcp_leases_get_size(PxfDhcpLeases *self)
{
	return g_hash_table_size(self->leases);
}

PxfDhcpLease *
pxf_dhcp_leases_lookup(PxfDhcpLeases *self, guint32 ip)
{
	return g_hash_table_lookup(self->leases, GUINT_TO_POINTER(ip));
}

static void
pxf_dhcp_leases_announce(PxfDhcpLeases *self, PxfDhcpLease *lease, gint64 now)
{
	gboolean bound = lease->state == PXF_DHCP_LEASE_BOUND && lease->expires > now;
	if (bound && !lease->announced) {
		lease->announced = TRUE;
		if (self->owner_func != NULL)
			self->owner_func(lease->ip, lease->mac, self->owner_data);
	} else if (!bound && lease->announced) {
		lease->announced = FALSE;
		if (self->owner_func != NULL)
			self->owner_func(lease->ip, NULL, self->owner_data);
	}
}

/* Puts a record into the table (taking it), keeping the announcement state
 * of the one it replaces consistent with the core's address table. */
static PxfDhcpLease *
pxf_dhcp_leases_install(PxfDhcpLeases *self, PxfDhcpLease *lease, gint64 now)
{
	PxfDhcpLease *old = pxf_dhcp_leases_lookup(self, lease->ip);
	if (old != NULL && old->announced) {
		if (g_strcmp0(old->mac, lease->mac) == 0)
			lease->announced = TRUE;
		else if (self->owner_func != NULL)
			self->owner_func(old->ip, NULL, self->owner_data);
	}
	g_hash_table_replace(self->leases, GUINT_TO_POINTER(lease->ip), lease);
	pxf_dhcp_leases_announce(self, lease, now);
	return lease;
}

static PxfDhcpLease *
pxf_dhcp_leases_install_raw(
	PxfDhcpLeases *self, const gchar *key, guint32 ip, GBytes *value, gint64 now)
{
	g_autoptr(GError) error = NULL;
	PxfDhcpLease *lease = pxf_dhcp_lease_from_bytes(key, value, &error);
	if (lease == NULL) {
		g_warning("%s; the address is not handed out until the record is fixed or "
			  "removed",
			  error->message);
		lease = g_new0(PxfDhcpLease, 1);
		lease->ip = ip;
		lease->state = PXF_DHCP_LEASE_UNREADABLE;
		lease->stored = g_bytes_ref(value);
	}
	return pxf_dhcp_leases_install(self, lease, now);
}

/* Re-reads one record after the store told us our copy is stale. */
static gboolean
pxf_dhcp_leases_refresh(PxfDhcpLeases *self, guint32 ip, gint64 now, GError **error)
{
	g_autofree gchar *key = pxf_dhcp_ip_to_string(ip);
	g_autoptr(GBytes) value = NULL;
	g_autoptr(GError) error_local = NULL;

	switch (self->ops->get(self->store, key, &value, &error_local)) {
	case PXF_DHCP_STORE_OK:
		pxf_dhcp_leases_install_raw(self, key, ip, value, now);
		return TRUE;
	case PXF_DHCP_STORE_NOT_FOUND: {
		PxfDhcpLease *lease = pxf_dhcp_leases_lookup(self, ip);
		if (lease != NULL) {
			lease->state = PXF_DHCP_LEASE_RELEASED;
			g_clear_pointer(&lease->stored, g_bytes_unref);
			pxf_dhcp_leases_announce(self, lease, now);
		}
		return TRUE;
	}
	default:
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_STORE, "cannot read lease %s: %s",
			    key, error_local != NULL ? error_local->message : "failed");
		return FALSE;
	}
}

/* The one way a record changes: create it, or replace the value we last
 * saw; on a race, re-read and decide again. */
static gboolean
pxf_dhcp_leases_write(PxfDhcpLeases *self,
		      guint32 ip,
		      const PxfDhcpLeaseOwner *owner,
		      PxfDhcpLeaseState state,
		      gint64 expires,
		      gboolean take_over,
		      gint64 now,
		      GError **error)
{
	g_autofree gchar *key = pxf_dhcp_ip_to_string(ip);

	for (guint attempt = 0; attempt < PXF_DHCP_LEASE_WRITE_TRIES; attempt++) {
		PxfDhcpLease *old = pxf_dhcp_leases_lookup(self, ip);
		g_autoptr(PxfDhcpLease) lease = g_new0(PxfDhcpLease, 1);
		g_autoptr(GBytes) value = NULL;
		g_autoptr(GError) error_local = NULL;
		PxfDhcpStoreResult rc;

		if (old != NULL && !take_over && pxf_dhcp_lease_is_blocked_for(old, owner, now)) {
			g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_TAKEN, "%s is %s for %s",
				    key, pxf_dhcp_lease_state_to_string(old->state),
				    old->mac != NULL ? old->mac : "an unreadable record");
			return FALSE;
		}
		lease->ip = ip;
		lease->state = state;
		lease->mac = g_strdup(owner->mac);
		lease->client_id = g_strdup(owner->client_id);
		lease->hostname = g_strdup(owner->hostname);
		/* keep the name a client gave before when it sends none now */
		if (lease->hostname == NULL && old != NULL && pxf_dhcp_lease_matches(old, owner))
			lease->hostname = g_strdup(old->hostname);
		lease->expires = expires;
		lease->updated = now;
		value = pxf_dhcp_lease_to_bytes(lease);

		if (old == NULL || old->stored == NULL)
			rc = self->ops->create(self->store, key, value, &error_local);
		else
			rc = self->ops->replace(self->store, key, old->stored, value, &error_local);
		switch (rc) {
		case PXF_DHCP_STORE_OK:
			lease->stored = g_steal_pointer(&value);
			pxf_dhcp_leases_install(self, g_steal_pointer(&lease), now);
			return TRUE;
		case PXF_DHCP_STORE_EXISTS:
		case PXF_DHCP_STORE_CONFLICT:
		case PXF_DHCP_STORE_NOT_FOUND:
			g_debug("lease %s changed in the store meanwhile; reading it again", key);
			if (!pxf_dhcp_leases_refresh(self, ip, now, error))
				return FALSE;
			continue;
		default:
			g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_STORE,
				    "cannot write lease %s: %s", key,
				    error_local != NULL ? error_local->message : "failed");
			return FALSE;
		}
	}
	g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_STORE,
		    "lease %s kept changing in the store; giving up", key);
	return FALSE;
}

gboolean
pxf_dhcp_leases_load(PxfDhcpLeases *self, gint64 now, GError **error)
{
	g_autoptr(GHashTable) records = NULL;
	g_autoptr(GError) error_local = NULL;
	GHashTableIter iter;
	gpointer key, value;
	guint n_bound = 0;

	records = self->ops->list(self->store, &error_local);
	if (records == NULL) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_STORE, "cannot list leases: %s",
			    error_local != NULL ? error_local->message : "failed");
		return FALSE;
	}
	g_hash_table_iter_init(&iter, records);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		guint32 ip = 0;
		PxfDhcpLease *lease;
		if (!pxf_dhcp_ip_from_string(key, &ip)) {
			g_warning("ignoring lease record \"%s\": not an IPv4 address",
				  (const gchar *)key);
			continue;
		}
		lease = pxf_dhcp_leases_install_raw(self, key, ip, value, now);
		if (lease->announced)
			n_bound++;
	}
	g_info("loaded %u lease records, %u bound", g_hash_table_size(self->leases), n_bound);
	return TRUE;
}

PxfDhcpLease *
pxf_dhcp_leases_find_client(
	PxfDhcpLeases *self, const PxfDhcpLeaseOwner *owner, guint32 start, guint32 end, gint64 now)
{
	GHashTableIter iter;
	gpointer value;
	PxfDhcpLease *best = NULL;

	g_hash_table_iter_init(&iter, self->leases);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		PxfDhcpLease *lease = value;
		if (lease->ip < start || lease->ip > end)
			continue;
		if (lease->state == PXF_DHCP_LEASE_DECLINED ||
		    lease->state == PXF_DHCP_LEASE_UNREADABLE ||
		    !pxf_dhcp_lease_matches(lease, owner))
			continue;
		if (pxf_dhcp_lease_is_held_by(lease, owner, now))
			return lease;
		if (best == NULL || lease->updated > best->updated)
			best = lease;
	}
	return best;
}

static gboolean
pxf_dhcp_pool_contains(const PxfDhcpPool *pool, guint32 ip)
{
	if (ip < pool->start || ip > pool->end)
		return FALSE;
	return pool->reserved == NULL ||
	       !g_hash_table_contains(pool->reserved, GUINT_TO_POINTER(ip));
}

/* Tries to hold ip for owner; FALSE without error when someone has it. */
static gboolean
pxf_dhcp_leases_try_hold(PxfDhcpLeases *self,
			 const PxfDhcpLeaseOwner *owner,
			 guint32 ip,
			 gboolean take_over,
			 gint64 now,
			 gint64 hold,
			 GError **error)
{
	g_autoptr(GError) error_local = NULL;
	PxfDhcpLease *lease = pxf_dhcp_leases_lookup(self, ip);

	/* a bound lease already protects the address: never downgrade it */
	if (lease != NULL && lease->state == PXF_DHCP_LEASE_BOUND &&
	    pxf_dhcp_lease_is_held_by(lease, owner, now))
		return TRUE;
	if (pxf_dhcp_leases_write(self, ip, owner, PXF_DHCP_LEASE_OFFERED, now + hold, take_over,
				  now, &error_local))
		return TRUE;
	if (g_error_matches(error_local, PXF_DHCP_ERROR, PXF_DHCP_ERROR_TAKEN))
		return FALSE;
	g_propagate_error(error, g_steal_pointer(&error_local));
	return FALSE;
}

guint32
pxf_dhcp_leases_offer(PxfDhcpLeases *self,
		      const PxfDhcpLeaseOwner *owner,
		      const PxfDhcpPool *pool,
		      guint32 fixed_ip,
		      guint32 requested,
		      gint64 now,
		      gint64 hold,
		      GError **error)
{
	g_autoptr(GError) error_local = NULL;
	PxfDhcpLease *mine;
	guint64 size;
	guint64 first;

	if (fixed_ip != 0) {
		if (pxf_dhcp_leases_try_hold(self, owner, fixed_ip, TRUE, now, hold, error))
			return fixed_ip;
		return 0;
	}
	if (pool == NULL || pool->start == 0 || pool->end < pool->start) {
		g_set_error_literal(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_EXHAUSTED,
				    "no dynamic range for this subnet");
		return 0;
	}

	/* the address the client has or had, so it keeps it across reboots */
	mine = pxf_dhcp_leases_find_client(self, owner, pool->start, pool->end, now);
	if (mine != NULL && pxf_dhcp_pool_contains(pool, mine->ip)) {
		guint32 ip = mine->ip;
		if (pxf_dhcp_leases_try_hold(self, owner, ip, FALSE, now, hold, &error_local))
			return ip;
		if (error_local != NULL) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return 0;
		}
	}
	if (requested != 0 && pxf_dhcp_pool_contains(pool, requested)) {
		PxfDhcpLease *lease = pxf_dhcp_leases_lookup(self, requested);
		if (lease == NULL || !pxf_dhcp_lease_is_blocked_for(lease, owner, now)) {
			if (pxf_dhcp_leases_try_hold(self, owner, requested, FALSE, now, hold,
						     &error_local))
				return requested;
			if (error_local != NULL) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return 0;
			}
		}
	}

	/* Two passes from a start that depends on the client, so that servers
	 * sharing a store rarely race for one address: first addresses no one
	 * used, then ones other clients let go of. */
	size = (guint64)pool->end - pool->start + 1;
	first = g_str_hash(owner->client_id != NULL ? owner->client_id : owner->mac) % size;
	for (guint pass = 0; pass < 2; pass++) {
		for (guint64 i = 0; i < size; i++) {
			guint32 ip = pool->start + (guint32)((first + i) % size);
			PxfDhcpLease *lease;

			if (!pxf_dhcp_pool_contains(pool, ip))
				continue;
			lease = pxf_dhcp_leases_lookup(self, ip);
			if (lease != NULL && pxf_dhcp_lease_is_blocked_for(lease, owner, now))
				continue;
			if (pass == 0 && lease != NULL && !pxf_dhcp_lease_matches(lease, owner))
				continue;
			if (pxf_dhcp_leases_try_hold(self, owner, ip, FALSE, now, hold,
						     &error_local))
				return ip;
			if (error_local != NULL) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return 0;
			}
		}
	}
	{
		g_autofree gchar *start = pxf_dhcp_ip_to_string(pool->start);
		g_autofree gchar *end = pxf_dhcp_ip_to_string(pool->end);
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_EXHAUSTED,
			    "no free address in %s-%s", start, end);
	}
	return 0;
}

gboolean
pxf_dhcp_leases_bind(PxfDhcpLeases *self,
		     const PxfDhcpLeaseOwner *owner,
		     guint32 ip,
		     gboolean take_over,
		     gint64 now,
		     gint64 lease_time,
		     GError **error)
{
	GHashTableIter iter;
	gpointer value;
	g_autoptr(GArray) others = g_array_new(FALSE, FALSE, sizeof(guint32));

	if (!pxf_dhcp_leases_write(self, ip, owner, PXF_DHCP_LEASE_BOUND, now + lease_time,
				   take_over, now, error))
		return FALSE;

	/* one address per client: give back what it held elsewhere */
	g_hash_table_iter_init(&iter, self->leases);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		PxfDhcpLease *lease = value;
		if (lease->ip != ip && pxf_dhcp_lease_is_held_by(lease, owner, now))
			g_array_append_val(others, lease->ip);
	}
	for (guint i = 0; i < others->len; i++) {
		guint32 other = g_array_index(others, guint32, i);
		g_autoptr(GError) error_local = NULL;
		if (!pxf_dhcp_leases_write(self, other, owner, PXF_DHCP_LEASE_RELEASED, now, FALSE,
					   now, &error_local))
			g_debug("cannot release the previous lease: %s", error_local->message);
	}
	return TRUE;
}

gboolean
pxf_dhcp_leases_release(PxfDhcpLeases *self, const PxfDhcpLeaseOwner *owner, guint32 ip, gint64 now)
{
	g_autoptr(GError) error = NULL;
	PxfDhcpLease *lease = pxf_dhcp_leases_lookup(self, ip);

	if (lease == NULL || !pxf_dhcp_lease_is_held_by(lease, owner, now))
		return FALSE;
	if (!pxf_dhcp_leases_write(self, ip, owner, PXF_DHCP_LEASE_RELEASED, now, FALSE, now,
				   &error)) {
		g_warning("%s", error->message);
		return FALSE;
	}
	return TRUE;
}

gboolean
pxf_dhcp_leases_decline(PxfDhcpLeases *self,
			const PxfDhcpLeaseOwner *owner,
			guint32 ip,
			gint64 now,
			gint64 quarantine)
{
	g_autoptr(GError) error = NULL;
	PxfDhcpLease *lease = pxf_dhcp_leases_lookup(self, ip);

	/* only the client the address was given to may decline it, or anyone
	 * could take addresses out of service */
	if (lease == NULL || !pxf_dhcp_lease_is_held_by(lease, owner, now))
		return FALSE;
	if (!pxf_dhcp_leases_write(self, ip, owner, PXF_DHCP_LEASE_DECLINED, now + quarantine,
				   FALSE, now, &error)) {
		g_warning("%s", error->message);
		return FALSE;
	}
	return TRUE;
}

void
pxf_dhcp_leases_forget_offer(PxfDhcpLeases *self, const PxfDhcpLeaseOwner *owner, gint64 now)
{
	GHashTableIter iter;
	gpointer value;
	g_autoptr(GArray) offered = g_array_new(FALSE, FALSE, sizeof(guint32));

	g_hash_table_iter_init(&iter, self->leases);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		PxfDhcpLease *lease = value;
		if (lease->state == PXF_DHCP_LEASE_OFFERED &&
		    pxf_dhcp_lease_is_held_by(lease, owner, now))
			g_array_append_val(offered, lease->ip);
	}
	for (guint i = 0; i < offered->len; i++)
		pxf_dhcp_leases_release(self, owner, g_array_index(offered, guint32, i), now);
}

void
pxf_dhcp_leases_expire(PxfDhcpLeases *self, gint64 now)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->leases);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		pxf_dhcp_leases_announce(self, value, now);
}
