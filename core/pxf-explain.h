/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pxf-core.h"

G_BEGIN_DECLS

/* Walks a host's whole boot through the running plugins without a network
 * and without changing anything (the core's dry-run mode): classification,
 * the inventory entry, what boot.select chose and who chose it, the boot
 * file and the loader configuration it would fetch, and its answer file.
 * arch: "bios", "efi64", "efi32" or "arm64". Returns
 * {"mac", "steps": [{"step", "decided_by", "result", "content"?}]}. */
JsonNode *pxf_explain(PxfCore *core, const gchar *mac, const gchar *arch, GError **error);

G_END_DECLS
