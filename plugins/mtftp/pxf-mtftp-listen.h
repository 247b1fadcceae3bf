/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the server listens: the addresses named in its section, and the IPv4
 * addresses of the interfaces named there or, when the section names
 * neither, in the daemon's settings. Never the wildcard: each listening
 * address is the source of its streams and picks the interface multicast
 * leaves by. PXE MTFTP and IPv4 multicast groups are IPv4 only. */
#pragma once

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

/* Element type gchar*, textual IPv4 addresses without duplicates; empty when
 * there is nothing to listen on. NULL with an error naming the configuration
 * file, line and column for an address that does not parse, is not IPv4 or
 * is the wildcard. */
GPtrArray *
pxf_mtftp_listen_get_addresses(PxfPluginContext *ctx, const PxfConfSection *config, GError **error);

G_END_DECLS
