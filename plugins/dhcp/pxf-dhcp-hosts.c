/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include "pxf-dhcp-hosts.h"

struct _PxfDhcpHosts {
	GHashTable *by_ip;    /* GUINT_TO_POINTER(ip) → mac (owned) */
	GHashTable *by_mac;   /* mac (borrowed from by_ip) → GUINT_TO_POINTER(ip) */
	GHashTable *reserved; /* PxfDhcpSubnet* → set of GUINT_TO_POINTER(ip) */
};

static void
pxf_dhcp_hosts_reserve(GHashTable *set, guint32 ip)
{
	if (ip != 0)
		g_hash_table_add(set, GUINT_TO_POINTER(ip));
}

static GHashTable *
pxf_dhcp_hosts_build_reserved(PxfDhcpHosts *self, const PxfDhcpSubnet *subnet)
{
	GHashTable *set = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTableIter iter;
	gpointer key;

	for (guint i = 0; i < subnet->routers->len; i++)
		pxf_dhcp_hosts_reserve(set, g_array_index(subnet->routers, guint32, i));
	for (guint i = 0; i < subnet->dns_servers->len; i++)
		pxf_dhcp_hosts_reserve(set, g_array_index(subnet->dns_servers, guint32, i));
	pxf_dhcp_hosts_reserve(set, subnet->next_server);
	g_hash_table_iter_init(&iter, self->by_ip);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		guint32 ip = GPOINTER_TO_UINT(key);
		if ((ip & subnet->mask) == subnet->network)
			pxf_dhcp_hosts_reserve(set, ip);
	}
	return set;
}

PxfDhcpHosts *
pxf_dhcp_hosts_new(const PxfDhcpConfig *config, GHashTable *fixed)
{
	PxfDhcpHosts *self = g_new0(PxfDhcpHosts, 1);
	GHashTableIter iter;
	gpointer key, value;

	self->by_ip = fixed != NULL
			      ? fixed
			      : g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	self->by_mac = g_hash_table_new(g_str_hash, g_str_equal);
	self->reserved = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					       (GDestroyNotify)g_hash_table_unref);
	g_hash_table_iter_init(&iter, self->by_ip);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		if (value != NULL)
			g_hash_table_replace(self->by_mac, value, key);
	}
	for (guint i = 0; config != NULL && i < config->subnets->len; i++) {
		PxfDhcpSubnet *subnet = g_ptr_array_index(config->subnets, i);
		g_hash_table_insert(self->reserved, subnet,
				    pxf_dhcp_hosts_build_reserved(self, subnet));
	}
	return self;
}

void
pxf_dhcp_hosts_free(PxfDhcpHosts *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->reserved);
	g_hash_table_unref(self->by_mac);
	g_hash_table_unref(self->by_ip);
	g_free(self);
}

guint
pxf_dhcp_hosts_get_size(PxfDhcpHosts *self)
{
	return g_hash_table_size(self->by_ip);
}

guint32
pxf_dhcp_hosts_lookup_mac(PxfDhcpHosts *self, const gchar *mac)
{
	return mac != NULL ? GPOINTER_TO_UINT(g_hash_table_lookup(self->by_mac, mac)) : 0;
}

const gchar *
pxf_dhcp_hosts_lookup_ip(PxfDhcpHosts *self, guint32 ip)
{
	return g_hash_table_lookup(self->by_ip, GUINT_TO_POINTER(ip));
}

GHashTable *
pxf_dhcp_hosts_get_reserved(PxfDhcpHosts *self, const PxfDhcpSubnet *subnet)
{
	GHashTable *set = g_hash_table_lookup(self->reserved, subnet);

	/* a subnet outside the configuration the table was built for */
	if (set == NULL) {
		set = pxf_dhcp_hosts_build_reserved(self, subnet);
		g_hash_table_insert(self->reserved, (gpointer)subnet, set);
	}
	return set;
}
