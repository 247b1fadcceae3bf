/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The preseed plugin's callbacks. Neither a password nor its hash is ever
 * logged; messages name the host only. */
#define G_LOG_DOMAIN "pxf-preseed"

#include "pxf-preseed.h"

void
pxf_preseed_free(PxfPreseed *self)
{
	if (self == NULL)
		return;
	pxf_preseed_config_free(self->config);
	g_free(self);
}

static const gchar *
pxf_preseed_host_name(const PxfHost *host)
{
	return host != NULL ? pxf_host_get_mac(host) : "(no host)";
}

static PxfVerdict
pxf_preseed_template_vars(PxfTemplateVarsArgs *args, gpointer user_data)
{
	PxfPreseed *self = user_data;
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;

	if (!pxf_preseed_apply_vars(self->config, args->vars, warnings, &error))
		g_warning("%s: cannot hash a password, it stays locked: %s",
			  pxf_preseed_host_name(args->host), error->message);
	/* the bootloader's renders and the preseed's say the same: once is
	 * enough, at debug level; profile.render repeats what matters */
	for (guint i = 0; i < warnings->len; i++)
		g_debug("%s: %s", pxf_preseed_host_name(args->host),
			(const gchar *)g_ptr_array_index(warnings, i));
	return PXF_VERDICT_CONTINUE;
}

/* Renders nothing itself: the core renders args->template with exactly
 * args->vars once this returns CONTINUE, keeping the install token (or the
 * placeholder of a dry render) that only the core puts there; see the
 * kickstart plugin's README. It checks what the preseed depends on. */
static PxfVerdict
pxf_preseed_profile_render(PxfProfileRenderArgs *args, gpointer user_data)
{
	const gchar *broken;
	g_autoptr(GVariant) mirror = NULL;

	(void)user_data;
	if (g_strcmp0(args->os, PXF_PRESEED_OS) != 0)
		return PXF_VERDICT_CONTINUE;
	/* whatever ran after our template.vars, no plaintext reaches the preseed */
	pxf_osprofile_scrub_secret(args->vars, "rootpw");
	pxf_osprofile_scrub_secret(args->vars, "password");
	/* a line break would smuggle an unchecked debconf line into it */
	broken = pxf_preseed_find_line_break(args->vars);
	if (broken != NULL) {
		g_warning("%s: variable %s has a line break; refusing to render the preseed",
			  pxf_preseed_host_name(args->host), broken);
		return PXF_VERDICT_DROP;
	}
	mirror = pxf_vars_lookup(args->vars, "preseed.mirror_hostname");
	if (mirror == NULL)
		g_warning("%s: no usable mirror: set mirror, a distro tree URL, or enable the "
			  "http plugin",
			  pxf_preseed_host_name(args->host));
	return PXF_VERDICT_CONTINUE;
}

gboolean
pxf_preseed_connect(PxfPreseed *self, GError **error)
{
	/* http.base_url and install.ks_url come from the http plugin's template.vars */
	if (!pxf_hook_connect_template_vars(self->ctx, pxf_preseed_template_vars, self,
					    PXF_HOOK_AFTER("http"), error))
		return FALSE;
	return pxf_hook_connect_profile_render(self->ctx, pxf_preseed_profile_render, self, NULL,
					       error);
}
