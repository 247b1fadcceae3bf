/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The server's backend and lease store in pxeforged: the SDK calls behind
 * PxfDhcpBackend and PxfDhcpStoreOps. user_data is the PxfPluginContext. */
#pragma once

#include "pxf-dhcp-server.h"

G_BEGIN_DECLS

/* the store namespace of lease records */
#define PXF_DHCP_LEASES_NS "leases"

extern const PxfDhcpBackend pxf_dhcp_context_backend;
extern const PxfDhcpStoreOps pxf_dhcp_context_store_ops;

G_END_DECLS
