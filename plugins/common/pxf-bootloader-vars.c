/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-host decision every bootloader plugin makes (install or boot the
 * local disk) and the helpers their template dictionaries are built with. */
#define G_LOG_DOMAIN "pxf-bootloader"

#include "pxf-bootloader.h"

const gchar *
pxf_bootloader_localboot_reason(gboolean netboot,
				PxfHostState state,
				gboolean has_kernel,
				const gchar *no_kernel_reason)
{
	if (!netboot)
		return "netboot is off";
	if (state == PXF_HOST_STATE_INSTALLED)
		return "installed";
	if (!has_kernel)
		return no_kernel_reason;
	return NULL;
}

gchar *
pxf_bootloader_var_string(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(vars, name);

	while (value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
		GVariant *inner = g_variant_get_variant(value);
		g_variant_unref(value);
		value = inner;
	}
	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return NULL;
	if (g_variant_get_string(value, NULL)[0] == '\0')
		return NULL;
	return g_variant_dup_string(value, NULL);
}

void
pxf_bootloader_add_string(GVariantBuilder *b, const gchar *key, const gchar *value)
{
	if (value != NULL)
		g_variant_builder_add(b, "{sv}", key, g_variant_new_string(value));
}

gboolean
pxf_bootloader_chosen(PxfPluginContext *ctx, const PxfHost *host)
{
	const gchar *loader = host != NULL ? pxf_host_get_loader(host) : NULL;
	return loader == NULL || g_strcmp0(loader, pxf_plugin_context_get_name(ctx)) == 0;
}
