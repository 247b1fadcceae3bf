/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The autoinstall plugin's callbacks: the template variables, checks before
 * a user-data is rendered, and the NoCloud seed served per host through
 * file.open (ai/<mac>/user-data, meta-data, vendor-data). Neither a password
 * nor its hash nor a token is ever logged. */
#define G_LOG_DOMAIN "pxf-autoinstall"

#include <string.h>

#include "pxf-autoinstall.h"

void
pxf_autoinstall_free(PxfAutoinstall *self)
{
	if (self == NULL)
		return;
	pxf_autoinstall_config_free(self->config);
	g_free(self);
}

static const gchar *
pxf_autoinstall_host_name(const PxfHost *host)
{
	return host != NULL ? pxf_host_get_mac(host) : "(no host)";
}

static PxfVerdict
pxf_autoinstall_template_vars(PxfTemplateVarsArgs *args, gpointer user_data)
{
	PxfAutoinstall *self = user_data;
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;

	if (!pxf_autoinstall_apply_vars(self->config, args->vars, warnings, &error))
		g_warning("%s: cannot hash a password, it stays locked: %s",
			  pxf_autoinstall_host_name(args->host), error->message);
	/* every render of the host says the same: debug level here */
	for (guint i = 0; i < warnings->len; i++)
		g_debug("%s: %s", pxf_autoinstall_host_name(args->host),
			(const gchar *)g_ptr_array_index(warnings, i));
	return PXF_VERDICT_CONTINUE;
}

/* /ks/<mac> of an autoinstall host is its user-data too, rendered by the
 * core (CONTINUE) with the variables as they are, the token included. */
static PxfVerdict
pxf_autoinstall_profile_render(PxfProfileRenderArgs *args, gpointer user_data)
{
	g_autofree gchar *problem = NULL;

	(void)user_data;
	if (g_strcmp0(args->os, PXF_AUTOINSTALL_OS) != 0)
		return PXF_VERDICT_CONTINUE;
	pxf_osprofile_scrub_secret(args->vars, "password");
	pxf_osprofile_scrub_secret(args->vars, "rootpw");
	problem = pxf_autoinstall_check_vars(args->vars);
	if (problem != NULL) {
		g_warning("%s: %s; refusing to render the user-data",
			  pxf_autoinstall_host_name(args->host), problem);
		return PXF_VERDICT_DROP;
	}
	return PXF_VERDICT_CONTINUE;
}

static gchar *
pxf_autoinstall_host_string(PxfAutoinstall *self, const PxfHost *host, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_plugin_context_get_host_var(self->ctx, host, name);

	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return NULL;
	if (g_variant_get_string(value, NULL)[0] == '\0')
		return NULL;
	return g_variant_dup_string(value, NULL);
}

/* The checks profile.render makes, for a seed rendered without it. */
static gchar *
pxf_autoinstall_check_host(PxfAutoinstall *self, const PxfHost *host)
{
	g_autofree gchar *layout = pxf_autoinstall_host_string(self, host, "storage_layout");
	g_autofree gchar *updates = pxf_autoinstall_host_string(self, host, "updates");
	return pxf_autoinstall_check_values(layout, updates);
}

static void
pxf_autoinstall_started(PxfAutoinstall *self, PxfFileOpenArgs *args, const gchar *mac)
{
	g_autoptr(GError) error = NULL;
	gboolean moved;

	pxf_plugin_context_emit_host_event(self->ctx, args->client, mac,
					   PXF_HOST_EVENT_INSTALLER_STARTED, "user-data served", 0);
	/* only the machine itself starts its install (the core checks); with
	 * any_address the operator has vouched for every address */
	if (self->config->any_address)
		moved = pxf_plugin_context_set_host_state(self->ctx, mac, PXF_HOST_STATE_INSTALLING,
							  "user-data fetched", &error);
	else
		moved = pxf_plugin_context_set_client_host_state(self->ctx, args->client, mac,
								 PXF_HOST_STATE_INSTALLING,
								 "user-data fetched", &error);
	if (!moved)
		g_debug("host %s stays %s: %s", mac,
			pxf_host_state_to_string(pxf_plugin_context_get_host_state(self->ctx, mac)),
			error->message);
}

static PxfVerdict
pxf_autoinstall_file_open(PxfFileOpenArgs *args, gpointer user_data)
{
	PxfAutoinstall *self = user_data;
	g_autofree gchar *mac = NULL;
	g_autofree gchar *os = NULL;
	g_autofree gchar *template = NULL;
	g_autofree gchar *problem = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = NULL;
	gboolean is_text = FALSE;
	PxfAutoinstallPath kind = pxf_autoinstall_classify_path(args->path, &mac);
	const PxfHost *host;
	GString *out;

	if (kind == PXF_AUTOINSTALL_PATH_OTHER)
		return PXF_VERDICT_CONTINUE;
	/* nothing under ai/ comes from a static root */
	if (kind == PXF_AUTOINSTALL_PATH_INVALID)
		return PXF_VERDICT_DROP;
	host = pxf_plugin_context_find_host(self->ctx, mac);
	if (host == NULL) {
		g_debug("%s: not in the inventory", args->path);
		return PXF_VERDICT_DROP;
	}
	os = pxf_autoinstall_host_string(self, host, "profile.os");
	if (g_strcmp0(os, PXF_AUTOINSTALL_OS) != 0) {
		g_debug("%s: %s has no autoinstall profile", args->path, mac);
		return PXF_VERDICT_DROP;
	}
	/* the seed carries the install token and the password hash */
	if (!self->config->any_address && g_strcmp0(args->client->mac, mac) != 0) {
		g_autofree gchar *peer = g_inet_address_to_string(
			g_inet_socket_address_get_address(args->client->address));
		g_warning("refusing the NoCloud seed of %s to %s: %s", mac, peer,
			  args->client->mac != NULL ? "that address belongs to another host"
						    : "that address belongs to no host");
		return PXF_VERDICT_DROP;
	}
	if (kind == PXF_AUTOINSTALL_PATH_VENDOR_DATA) {
		/* cloud-init asks for it; nothing to add */
		bytes = g_bytes_new_static("", 0);
		pxf_file_open_set_content(args, bytes);
		return PXF_VERDICT_SKIP;
	}
	if (kind == PXF_AUTOINSTALL_PATH_USER_DATA) {
		/* the answer file: through the core's one rule for answer files
		 * (an install in progress, its token) and profile.render */
		out = g_string_new(NULL);
		if (!pxf_plugin_context_render_profile(self->ctx, args->client, host, out, NULL,
						       &error)) {
			g_warning("%s: refusing %s: %s", mac, args->path, error->message);
			g_string_free(out, TRUE);
			return PXF_VERDICT_DROP;
		}
		bytes = g_string_free_to_bytes(out);
		pxf_file_open_set_content(args, bytes);
		pxf_autoinstall_started(self, args, mac);
		return PXF_VERDICT_SKIP;
	}
	if (self->config->meta_data_template != NULL) {
		template = g_strdup(self->config->meta_data_template);
	} else {
		template = g_strdup(pxf_autoinstall_meta_data_template);
		is_text = TRUE;
	}
	problem = pxf_autoinstall_check_host(self, host);
	if (problem != NULL) {
		g_warning("%s: %s; refusing to render %s", mac, problem, args->path);
		return PXF_VERDICT_DROP;
	}
	/* meta-data: the host's variables, no secret */
	out = g_string_new(NULL);
	if (!pxf_plugin_context_render_template(self->ctx, args->client, host, template, is_text,
						out, &error)) {
		g_warning("%s: cannot render %s: %s", mac, is_text ? args->path : template,
			  error->message);
		g_string_free(out, TRUE);
		return PXF_VERDICT_DROP;
	}
	bytes = g_string_free_to_bytes(out);
	pxf_file_open_set_content(args, bytes);
	return PXF_VERDICT_SKIP;
}

gboolean
pxf_autoinstall_connect(PxfAutoinstall *self, GError **error)
{
	/* http.base_url comes from the http plugin's template.vars */
	if (!pxf_hook_connect_template_vars(self->ctx, pxf_autoinstall_template_vars, self,
					    PXF_HOOK_AFTER("http"), error))
		return FALSE;
	if (!pxf_hook_connect_profile_render(self->ctx, pxf_autoinstall_profile_render, self, NULL,
					     error))
		return FALSE;
	return pxf_hook_connect_file_open(self->ctx, pxf_autoinstall_file_open, self, NULL, error);
}
