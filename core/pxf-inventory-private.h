/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pxf-inventory.h"

G_BEGIN_DECLS

/* The candidate closest to word by edit distance (case-insensitive), when it
 * is close enough to be a plausible typo; NULL otherwise. candidates is
 * NULL-terminated. */
const gchar *pxf_inventory_suggest(const gchar *word, const gchar *const *candidates);

G_END_DECLS
