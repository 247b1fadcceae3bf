/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building DHCPv4 replies on the wire. */
#pragma once

#include <pxeforge/plugin.h>

#include "pxf-dhcp-packet.h"

G_BEGIN_DECLS

/* Serialises a message: the BOOTP fields of header (its options[] are not
 * used), then the options of options in their order with 53 (message type)
 * always first and 82 (relay agent information) always last, then the end
 * option, zero-padded to the 300-byte BOOTP minimum. Options longer than
 * 255 bytes are split (RFC 3396). An option that would push the message
 * past max_size is left out and its code appended to dropped (may be NULL);
 * 53 is required. */
GBytes *pxf_dhcp_build(const PxfDhcpPacket *header,
		       PxfDhcpOptions *options,
		       gsize max_size,
		       GArray *dropped,
		       GError **error);

G_END_DECLS
