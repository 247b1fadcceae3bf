/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pxf-hook.h"
#include "pxf-setup.h"

G_BEGIN_DECLS

/* Renders what a host receives for a template (NULL: its profile's): the
 * variables host → profile → distro → globals, then template.vars callbacks,
 * then profile.render callbacks (the OS plugin) or, when none handles it, the
 * core's template renderer with partials from the template's directory and
 * CONFIG_DIR/snippets. hooks may be NULL (offline). vars_out, if given,
 * receives the final variables with their origins. */
gboolean pxf_render_host(PxfSetup *setup,
			 PxfHookRegistry *hooks,
			 const PxfClient *client,
			 const PxfHost *host,
			 const gchar *template_path,
			 GString *out,
			 PxfVars **vars_out,
			 GError **error);

/* [{"name", "value" (GVariant text), "origin"}], sorted by name. */
JsonNode *pxf_render_vars_to_json(PxfVars *vars);

G_END_DECLS
