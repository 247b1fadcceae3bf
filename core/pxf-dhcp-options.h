/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxeforge/pxf-hooks.h>

G_BEGIN_DECLS

/* pxf_dhcp_options_new/free/get_codes are declared in the SDK. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpOptions, pxf_dhcp_options_free)

G_END_DECLS
