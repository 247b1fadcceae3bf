/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the server listens: the addresses named in its section, and those of
 * the interfaces named there or, when the section names neither, in the
 * daemon's settings. Every one is an explicit address, never the wildcard,
 * so that each request's local address is known without IP_PKTINFO. */
#pragma once

#include "pxf-tftp-packet.h"

G_BEGIN_DECLS

/* Element type gchar*, textual IP addresses without duplicates, addresses
 * first; empty when there is nothing to listen on. NULL with error for an
 * address that does not parse, is the wildcard or, with ipv4_only (the mtftp
 * plugin: PXE MTFTP and IPv4 multicast groups are IPv4 only), is not IPv4;
 * the error names the configuration file, line and column. service names
 * the server in the warning about an interface without an address. */
GPtrArray *pxf_tftp_listen_get_addresses(PxfPluginContext *ctx,
					 const PxfConfSection *config,
					 gboolean ipv4_only,
					 const gchar *service,
					 GError **error);

G_END_DECLS
