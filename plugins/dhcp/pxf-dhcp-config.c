/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include <string.h>

#include "pxf-dhcp-config.h"
#include "pxf-dhcp-packet.h"

static const PxfConfKey pxf_dhcp_subnet_keys[] = {
	{.key = "subnet",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "the network served, in CIDR notation (10.0.0.0/24); required"},
	{.key = "range",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "[first, last] addresses handed out dynamically; empty: fixed "
			"addresses only"},
	{.key = "lease_time",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "3600",
	 .min = 1,
	 .max = 31536000,
	 .description = "lease length in seconds"},
	{.key = "routers",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "default gateways (option 3)"},
	{.key = "dns_servers",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "DNS servers (option 6)"},
	{.key = "domain_name",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "DNS domain of the clients (option 15)"},
	{.key = "next_server",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "boot server address (siaddr) when boot.select names none; default: "
			"this server"},
	PXF_CONF_KEY_END,
};

const PxfConfKey pxf_dhcp_config_keys[] = {
	{.key = "interfaces",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "interfaces to serve; empty: the daemon's interfaces"},
	{.key = "addresses",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "IPv4 addresses to bind without an interface (relayed traffic, tests)"},
	{.key = "port",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "67",
	 .min = 1,
	 .max = 65534,
	 .description = "server port; clients are answered on the next one (68)"},
	{.key = "offer_hold",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "30",
	 .min = 1,
	 .max = 3600,
	 .description = "seconds an offered address stays reserved for the client's REQUEST"},
	{.key = "decline_time",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "600",
	 .min = 1,
	 .max = 604800,
	 .description = "seconds a declined address is kept out of the pool"},
	{.key = "subnets",
	 .type = PXF_CONF_TYPE_SECTION_LIST,
	 .children = pxf_dhcp_subnet_keys,
	 .description = "the networks served, with their pools and options"},
	PXF_CONF_KEY_END,
};

PxfDhcpSubnet *
pxf_dhcp_subnet_new(void)
{
	PxfDhcpSubnet *subnet = g_new0(PxfDhcpSubnet, 1);
	subnet->routers = g_array_new(FALSE, FALSE, sizeof(guint32));
	subnet->dns_servers = g_array_new(FALSE, FALSE, sizeof(guint32));
	subnet->lease_time = 3600;
	return subnet;
}

void
pxf_dhcp_subnet_free(PxfDhcpSubnet *subnet)
{
	if (subnet == NULL)
		return;
	g_free(subnet->cidr);
	g_array_unref(subnet->routers);
	g_array_unref(subnet->dns_servers);
	g_free(subnet->domain_name);
	g_free(subnet);
}

PxfDhcpConfig *
pxf_dhcp_config_new(void)
{
	PxfDhcpConfig *config = g_new0(PxfDhcpConfig, 1);
	config->subnets = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_dhcp_subnet_free);
	config->interfaces = g_new0(gchar *, 1);
	config->addresses = g_new0(gchar *, 1);
	config->port = 67;
	config->offer_hold = 30;
	config->decline_time = 600;
	return config;
}

void
pxf_dhcp_config_free(PxfDhcpConfig *config)
{
	if (config == NULL)
		return;
	g_ptr_array_unref(config->subnets);
	g_strfreev(config->interfaces);
	g_strfreev(config->addresses);
	g_free(config);
}

gboolean
pxf_dhcp_parse_cidr(const gchar *text, guint32 *network, guint *prefix, GError **error)
{
	g_auto(GStrv) parts = NULL;
	guint64 bits = 0;
	guint32 ip = 0;
	guint32 mask;

	if (text == NULL || strchr(text, '/') == NULL) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
			    "'%s' is not in CIDR notation (like 10.0.0.0/24)", text ? text : "");
		return FALSE;
	}
	parts = g_strsplit(text, "/", 2);
	if (!pxf_dhcp_ip_from_string(parts[0], &ip)) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
			    "'%s' is not an IPv4 address", parts[0]);
		return FALSE;
	}
	if (!g_ascii_string_to_unsigned(parts[1], 10, 1, 30, &bits, NULL)) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
			    "prefix length '%s' is not a number from 1 to 30", parts[1]);
		return FALSE;
	}
	mask = (guint32)(0xffffffffu << (32 - bits));
	if ((ip & ~mask) != 0) {
		g_autofree gchar *net = pxf_dhcp_ip_to_string(ip & mask);
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
			    "'%s' has host bits set; the network is %s/%u", text, net, (guint)bits);
		return FALSE;
	}
	*network = ip;
	*prefix = (guint)bits;
	return TRUE;
}

gboolean
pxf_dhcp_subnet_check(PxfDhcpSubnet *subnet, GError **error)
{
	subnet->mask = (guint32)(0xffffffffu << (32 - subnet->prefix));
	subnet->broadcast = subnet->network | ~subnet->mask;
	if (subnet->range_start == 0 && subnet->range_end == 0)
		return TRUE;
	if (subnet->range_start > subnet->range_end) {
		g_set_error_literal(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
				    "the range's first address comes after its last");
		return FALSE;
	}
	/* the network and broadcast addresses are never a client's */
	if (subnet->range_start <= subnet->network || subnet->range_end >= subnet->broadcast) {
		g_autofree gchar *first = pxf_dhcp_ip_to_string(subnet->network + 1);
		g_autofree gchar *last = pxf_dhcp_ip_to_string(subnet->broadcast - 1);
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
			    "the range must lie within %s-%s", first, last);
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_dhcp_config_addresses(const PxfConfSection *section,
			  const gchar *key,
			  GArray *out,
			  GError **error)
{
	const gchar *const *list = pxf_conf_section_get_strv(section, key);
	for (guint i = 0; list[i] != NULL; i++) {
		guint32 ip = 0;
		if (!pxf_dhcp_ip_from_string(list[i], &ip)) {
			g_autofree gchar *where = pxf_conf_section_where(section, key);
			g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
				    "%s: %s[%u]: '%s' is not an IPv4 address", where, key, i,
				    list[i]);
			return FALSE;
		}
		if (out != NULL)
			g_array_append_val(out, ip);
	}
	return TRUE;
}

static gboolean
pxf_dhcp_config_fail(const PxfConfSection *section,
		     const gchar *key,
		     guint index,
		     GError *error_local,
		     GError **error)
{
	g_autofree gchar *where = pxf_conf_section_where(section, key);
	g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG, "%s: subnets[%u].%s: %s", where,
		    index, key, error_local->message);
	g_error_free(error_local);
	return FALSE;
}

static PxfDhcpSubnet *
pxf_dhcp_config_subnet(const PxfConfSection *section, guint index, GError **error)
{
	g_autoptr(PxfDhcpSubnet) subnet = pxf_dhcp_subnet_new();
	const gchar *const *range = pxf_conf_section_get_strv(section, "range");
	const gchar *text;
	GError *error_local = NULL;

	text = pxf_conf_section_get_string(section, "subnet");
	if (text == NULL) {
		g_autofree gchar *where = pxf_conf_section_where(section, "range");
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
			    "%s: subnets[%u]: 'subnet' is required (like 10.0.0.0/24)", where,
			    index);
		return NULL;
	}
	if (!pxf_dhcp_parse_cidr(text, &subnet->network, &subnet->prefix, &error_local)) {
		pxf_dhcp_config_fail(section, "subnet", index, error_local, error);
		return NULL;
	}
	subnet->cidr = g_strdup(text);
	if (g_strv_length((gchar **)range) != 0) {
		if (g_strv_length((gchar **)range) != 2) {
			error_local = g_error_new_literal(PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
							  "must be [first, last]");
			pxf_dhcp_config_fail(section, "range", index, error_local, error);
			return NULL;
		}
		if (!pxf_dhcp_ip_from_string(range[0], &subnet->range_start) ||
		    !pxf_dhcp_ip_from_string(range[1], &subnet->range_end)) {
			error_local = g_error_new(PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
						  "'%s', '%s' are not two IPv4 addresses", range[0],
						  range[1]);
			pxf_dhcp_config_fail(section, "range", index, error_local, error);
			return NULL;
		}
	}
	if (!pxf_dhcp_subnet_check(subnet, &error_local)) {
		pxf_dhcp_config_fail(section, "range", index, error_local, error);
		return NULL;
	}
	subnet->lease_time = pxf_conf_section_get_int(section, "lease_time");
	if (!pxf_dhcp_config_addresses(section, "routers", subnet->routers, error) ||
	    !pxf_dhcp_config_addresses(section, "dns_servers", subnet->dns_servers, error))
		return NULL;
	subnet->domain_name = g_strdup(pxf_conf_section_get_string(section, "domain_name"));
	text = pxf_conf_section_get_string(section, "next_server");
	if (text != NULL && !pxf_dhcp_ip_from_string(text, &subnet->next_server)) {
		error_local = g_error_new(PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
					  "'%s' is not an IPv4 address", text);
		pxf_dhcp_config_fail(section, "next_server", index, error_local, error);
		return NULL;
	}
	return g_steal_pointer(&subnet);
}

PxfDhcpConfig *
pxf_dhcp_config_new_from_section(const PxfConfSection *section, GError **error)
{
	g_autoptr(PxfDhcpConfig) config = pxf_dhcp_config_new();
	GPtrArray *subnets = pxf_conf_section_get_list(section, "subnets");

	g_strfreev(config->interfaces);
	config->interfaces = g_strdupv((gchar **)pxf_conf_section_get_strv(section, "interfaces"));
	g_strfreev(config->addresses);
	config->addresses = g_strdupv((gchar **)pxf_conf_section_get_strv(section, "addresses"));
	if (!pxf_dhcp_config_addresses(section, "addresses", NULL, error))
		return NULL;
	config->port = (guint16)pxf_conf_section_get_int(section, "port");
	config->offer_hold = pxf_conf_section_get_int(section, "offer_hold");
	config->decline_time = pxf_conf_section_get_int(section, "decline_time");

	for (guint i = 0; i < subnets->len; i++) {
		const PxfConfSection *entry = g_ptr_array_index(subnets, i);
		PxfDhcpSubnet *subnet = pxf_dhcp_config_subnet(entry, i, error);
		if (subnet == NULL)
			return NULL;
		/* an address must belong to one subnet, or which pool serves it? */
		for (guint j = 0; j < config->subnets->len; j++) {
			PxfDhcpSubnet *other = g_ptr_array_index(config->subnets, j);
			guint32 mask = MIN(subnet->prefix, other->prefix) == subnet->prefix
					       ? subnet->mask
					       : other->mask;
			if ((subnet->network & mask) == (other->network & mask)) {
				g_autofree gchar *where = pxf_conf_section_where(entry, "subnet");
				g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CONFIG,
					    "%s: subnets[%u]: %s overlaps subnets[%u] (%s)", where,
					    i, subnet->cidr, j, other->cidr);
				pxf_dhcp_subnet_free(subnet);
				return NULL;
			}
		}
		g_ptr_array_add(config->subnets, subnet);
	}
	return g_steal_pointer(&config);
}

PxfDhcpSubnet *
pxf_dhcp_config_find_subnet(const PxfDhcpConfig *config, guint32 ip)
{
	for (guint i = 0; i < config->subnets->len; i++) {
		PxfDhcpSubnet *subnet = g_ptr_array_index(config->subnets, i);
		if ((ip & subnet->mask) == subnet->network)
			return subnet;
	}
	return NULL;
}
