/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pxf-hook.h"
#include "pxf-setup.h"

G_BEGIN_DECLS

/* What `pxeforge render` shows in place of a host's secret install token. */
#define PXF_RENDER_TOKEN_PLACEHOLDER "(install-token)"

/* The variables a render for host sees (host may be NULL: globals only):
 * inventory resolution, install.token when given, then template.vars. */
PxfVars *pxf_render_vars(PxfSetup *setup,
			 PxfHookRegistry *hooks,
			 const PxfClient *client,
			 const PxfHost *host,
			 const gchar *token);

/* Renders a template file (or text, when is_text) with those variables, with
 * partials from the template's directory and CONFIG_DIR/snippets. */
gboolean pxf_render_template(PxfSetup *setup,
			     PxfVars *vars,
			     const gchar *template,
			     gboolean is_text,
			     GString *out,
			     GError **error);

/* Renders what a host receives for a template (NULL: its profile's): the
 * variables host → profile → distro → globals (+ install.token when token is
 * given), then template.vars callbacks, then profile.render callbacks (the OS
 * plugin) or, when none handles it, the core's template renderer. hooks may
 * be NULL (offline). vars_out, if given, receives the final variables with
 * their origins. */
gboolean pxf_render_host(PxfSetup *setup,
			 PxfHookRegistry *hooks,
			 const PxfClient *client,
			 const PxfHost *host,
			 const gchar *template_path,
			 const gchar *token,
			 GString *out,
			 PxfVars **vars_out,
			 GError **error);

/* [{"name", "value" (GVariant text), "origin"}], sorted by name. */
JsonNode *pxf_render_vars_to_json(PxfVars *vars);

G_END_DECLS
