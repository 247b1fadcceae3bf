/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxeforge/pxf-hooks.h>

G_BEGIN_DECLS

/* The option set of a DHCP reply under construction. Options are kept in
 * the order they were first set, which is the order they go on the wire. */
PxfDhcpOptions *pxf_dhcp_options_new(void);
void pxf_dhcp_options_free(PxfDhcpOptions *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpOptions, pxf_dhcp_options_free)

/* Codes in wire order (element: GUINT_TO_POINTER(code)). */
GPtrArray *pxf_dhcp_options_get_codes(PxfDhcpOptions *self);

G_END_DECLS
