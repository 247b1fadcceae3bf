/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one header a pxeforge plugin includes. */
#pragma once

#define PXF_PLUGIN_H_INSIDE

#include "pxf-conf.h"
#include "pxf-context.h"
#include "pxf-host.h"
#include "pxf-hooks.h"
#include "pxf-plugin-desc.h"
#include "pxf-transport.h"

#undef PXF_PLUGIN_H_INSIDE
