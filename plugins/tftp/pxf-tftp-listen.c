/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-tftp"

#include <errno.h>

#include "pxf-tftp-listen.h"

static void
pxf_tftp_listen_add(GPtrArray *result, const gchar *address)
{
	if (!g_ptr_array_find_with_equal_func(result, address, g_str_equal, NULL))
		g_ptr_array_add(result, g_strdup(address));
}

/* Why a configured address cannot be listened on, or NULL. */
static const gchar *
pxf_tftp_listen_refuse(GInetAddress *inet, gboolean ipv4_only)
{
	if (inet == NULL)
		return "is not an IP address";
	if (ipv4_only && g_inet_address_get_family(inet) != G_SOCKET_FAMILY_IPV4)
		return "is not an IPv4 address (multicast TFTP is IPv4 only)";
	/* a reply must leave from the address the client asked */
	if (g_inet_address_get_is_any(inet))
		return "is the wildcard address; name the addresses or interfaces to serve on";
	return NULL;
}

GPtrArray *
pxf_tftp_listen_get_addresses(PxfPluginContext *ctx,
			      const PxfConfSection *config,
			      gboolean ipv4_only,
			      const gchar *service,
			      GError **error)
{
	const gchar *const *interfaces = pxf_conf_section_get_strv(config, "interfaces");
	const gchar *const *addresses = pxf_conf_section_get_strv(config, "addresses");
	g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; addresses[i] != NULL; i++) {
		g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(addresses[i]);
		const gchar *why = pxf_tftp_listen_refuse(inet, ipv4_only);
		g_autofree gchar *where = NULL;

		if (why == NULL) {
			pxf_tftp_listen_add(result, addresses[i]);
			continue;
		}
		where = pxf_conf_section_where(config, "addresses");
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%s: addresses: '%s' %s", where, addresses[i], why);
		return NULL;
	}
	if (interfaces[0] == NULL && addresses[0] == NULL)
		interfaces = pxf_plugin_context_get_interfaces(ctx);
	for (guint i = 0; interfaces[i] != NULL; i++) {
		g_autoptr(GPtrArray) found =
			pxf_plugin_context_get_interface_addresses(ctx, interfaces[i]);

		if (found->len == 0)
			g_warning("interface %s has no IPv4 address; not serving %s there",
				  interfaces[i], service);
		for (guint j = 0; j < found->len; j++) {
			const PxfInterfaceAddress *entry = g_ptr_array_index(found, j);
			g_autofree gchar *text = g_inet_address_to_string(entry->address);
			pxf_tftp_listen_add(result, text);
		}
	}
	return g_steal_pointer(&result);
}
