/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The file.open pieces every bootloader plugin has: the host's distro
 * files, files served from a configured local path, rendered configuration
 * and the move to booting when a machine fetches the configuration that
 * installs it. Needs the daemon (the plugin context). */
#define G_LOG_DOMAIN "pxf-bootloader"

#include "pxf-bootloader.h"

gchar *
pxf_bootloader_dup_string(GVariant *value)
{
	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return NULL;
	if (g_variant_get_string(value, NULL)[0] == '\0')
		return NULL;
	return g_variant_dup_string(value, NULL);
}

gchar *
pxf_bootloader_host_string(PxfPluginContext *ctx, const PxfHost *host, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_plugin_context_get_host_var(ctx, host, name);
	return pxf_bootloader_dup_string(value);
}

PxfVerdict
pxf_bootloader_serve(PxfFileOpenArgs *args, GString *out)
{
	/* set_content() takes its own reference */
	g_autoptr(GBytes) content = g_string_free_to_bytes(out);
	pxf_file_open_set_content(args, content);
	return PXF_VERDICT_SKIP;
}

PxfVerdict
pxf_bootloader_open_local(PxfFileOpenArgs *args, const gchar *path, PxfVerdict not_local)
{
	/* unset, or an URL that the loader fetches itself */
	if (path == NULL || !g_path_is_absolute(path))
		return not_local;
	pxf_file_open_set_local_path(args, path);
	return PXF_VERDICT_SKIP;
}

PxfVerdict
pxf_bootloader_open_host_file(PxfPluginContext *ctx,
			      PxfFileOpenArgs *args,
			      const gchar *mac,
			      const gchar *var)
{
	const PxfHost *host = pxf_plugin_context_find_host(ctx, mac);
	g_autofree gchar *path = NULL;

	if (host == NULL) {
		g_debug("%s: not in the inventory", args->path);
		return PXF_VERDICT_DROP;
	}
	path = pxf_bootloader_host_string(ctx, host, var);
	if (path == NULL || !g_path_is_absolute(path)) {
		g_debug("%s: %s has no local %s", args->path, mac, var);
		return PXF_VERDICT_DROP;
	}
	pxf_file_open_set_local_path(args, path);
	return PXF_VERDICT_SKIP;
}

/* The host fetched the configuration that installs it: unknown ->
 * discovered -> booting, with the reasons "<what> requested" and "<what>
 * served", which arms the install (its token). */
static void
pxf_bootloader_start_booting(PxfPluginContext *ctx,
			     PxfFileOpenArgs *args,
			     const gchar *mac,
			     PxfHostState state,
			     const gchar *what)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *requested = g_strdup_printf("%s requested", what);
	g_autofree gchar *served = g_strdup_printf("%s served", what);

	/* the core refuses anyone but the machine itself (its lease or fixed
	 * address), over whichever transport the request came */
	if (state == PXF_HOST_STATE_UNKNOWN &&
	    !pxf_plugin_context_set_client_host_state(
		    ctx, args->client, mac, PXF_HOST_STATE_DISCOVERED, requested, &error)) {
		/* with another DHCP server (the how-to's dhcpd) nobody saw it before */
		g_debug("%s: staying unknown: %s", mac, error->message);
		g_clear_error(&error);
	}
	if (!pxf_plugin_context_set_client_host_state(ctx, args->client, mac,
						      PXF_HOST_STATE_BOOTING, served, &error))
		g_debug("%s: staying %s: %s", mac, pxf_host_state_to_string(state), error->message);
}

PxfVerdict
pxf_bootloader_serve_host_config(PxfPluginContext *ctx,
				 PxfFileOpenArgs *args,
				 const PxfHost *host,
				 PxfHostState state,
				 gboolean installs,
				 const gchar *what,
				 const gchar *template,
				 const gchar *prologue)
{
	const gchar *mac = pxf_host_get_mac(host);
	g_autoptr(GError) error = NULL;
	GString *out;

	/* first: starting the install mints the token the configuration may carry */
	if (installs)
		pxf_bootloader_start_booting(ctx, args, mac, state, what);
	out = g_string_new(prologue);
	if (!pxf_plugin_context_render_template(ctx, args->client, host, template, FALSE, out,
						&error)) {
		g_warning("%s: cannot render %s: %s", mac, template, error->message);
		g_string_free(out, TRUE);
		return PXF_VERDICT_DROP;
	}
	return pxf_bootloader_serve(args, out);
}
