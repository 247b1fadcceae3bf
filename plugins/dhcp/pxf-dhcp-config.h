/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plugin's settings, checked and converted once at init. */
#pragma once

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

/* One `subnets` entry. Addresses in host byte order. */
typedef struct {
	gchar *cidr; /* as written, for logs */
	guint32 network;
	guint32 mask;
	guint32 broadcast;
	guint prefix;
	guint32 range_start; /* 0 when the subnet has fixed addresses only */
	guint32 range_end;
	gint64 lease_time;
	GArray *routers;     /* guint32 */
	GArray *dns_servers; /* guint32 */
	gchar *domain_name;  /* or NULL */
	guint32 next_server; /* 0: this server */
} PxfDhcpSubnet;

typedef struct {
	GPtrArray *subnets; /* PxfDhcpSubnet */
	gchar **interfaces; /* the plugin's own; empty: the daemon's */
	gchar **addresses;
	guint16 port;
	gint64 offer_hold;
	gint64 decline_time;
} PxfDhcpConfig;

/* The plugin's configuration keys, for its descriptor. */
extern const PxfConfKey pxf_dhcp_config_keys[];

PxfDhcpSubnet *pxf_dhcp_subnet_new(void);
void pxf_dhcp_subnet_free(PxfDhcpSubnet *subnet);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpSubnet, pxf_dhcp_subnet_free)

PxfDhcpConfig *pxf_dhcp_config_new(void);
void pxf_dhcp_config_free(PxfDhcpConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpConfig, pxf_dhcp_config_free)

/* Reads and checks a validated section; errors name file:line:column. */
PxfDhcpConfig *pxf_dhcp_config_new_from_section(const PxfConfSection *section, GError **error);

/* "10.0.0.0/24": network address (host bits must be zero) and prefix. */
gboolean pxf_dhcp_parse_cidr(const gchar *text, guint32 *network, guint *prefix, GError **error);
/* Fills in mask and broadcast from network and prefix, then checks the
 * range; the checks pxf_dhcp_config_new_from_section() applies per entry. */
gboolean pxf_dhcp_subnet_check(PxfDhcpSubnet *subnet, GError **error);
/* The configured subnet containing ip, or NULL. */
PxfDhcpSubnet *pxf_dhcp_config_find_subnet(const PxfDhcpConfig *config, guint32 ip);

G_END_DECLS
