/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include <json-glib/json-glib.h>

#include "pxf-dhcp-leases.h"
#include "pxf-dhcp-packet.h"

/* Lease records (JSON in the store) and what a record says about who may
 * have its address. */

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

gboolean
pxf_dhcp_lease_matches(const PxfDhcpLease *lease, const PxfDhcpLeaseOwner *owner)
{
	/* RFC 2131 4.2: the client identifier, when both sides have one, else
	 * the hardware address */
	if (lease->client_id != NULL && owner->client_id != NULL)
		return g_strcmp0(lease->client_id, owner->client_id) == 0;
	return lease->mac != NULL && g_strcmp0(lease->mac, owner->mac) == 0;
}

gboolean
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
