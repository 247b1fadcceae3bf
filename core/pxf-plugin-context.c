/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-context"

#include "config.h"

#include "pxf-config.h"
#include "pxf-plugin-context.h"

#include <errno.h>

struct _PxfPluginContext {
	PxfPlugin *plugin;
	gchar *name;
	guint order;
	PxfConfSection *config;
	PxfHookRegistry *hooks;
	const PxfCoreServices *services;
	gpointer core;
	gboolean in_init;
	gboolean initialized;
	gpointer data;
	GDestroyNotify data_destroy;
	gchar *state_dir;
	GPtrArray *sockets;
};

PxfPluginContext *
pxf_plugin_context_new(PxfPlugin *plugin,
		       const gchar *name,
		       guint order,
		       PxfConfSection *config,
		       PxfHookRegistry *hooks,
		       const PxfCoreServices *services,
		       gpointer core)
{
	PxfPluginContext *ctx = g_new0(PxfPluginContext, 1);
	ctx->plugin = plugin;
	ctx->name = g_strdup(name);
	ctx->order = order;
	ctx->config = config;
	ctx->hooks = hooks;
	ctx->services = services;
	ctx->core = core;
	ctx->sockets = g_ptr_array_new_with_free_func(g_object_unref);
	return ctx;
}

static void
pxf_plugin_context_clear_data(PxfPluginContext *ctx)
{
	if (ctx->data_destroy != NULL && ctx->data != NULL)
		ctx->data_destroy(ctx->data);
	ctx->data = NULL;
	ctx->data_destroy = NULL;
}

void
pxf_plugin_context_free(PxfPluginContext *ctx)
{
	if (ctx == NULL)
		return;
	/* callbacks go first so that nothing dispatches into a finalised plugin */
	if (ctx->hooks != NULL)
		pxf_hook_registry_remove_plugin(ctx->hooks, ctx->name);
	if (ctx->initialized && ctx->plugin != NULL && pxf_plugin_get_desc(ctx->plugin)->fini)
		pxf_plugin_get_desc(ctx->plugin)->fini(ctx);
	pxf_plugin_context_clear_data(ctx);
	g_ptr_array_unref(ctx->sockets);
	g_clear_pointer(&ctx->config, pxf_conf_section_free);
	g_free(ctx->state_dir);
	g_free(ctx->name);
	g_free(ctx);
}

PxfPlugin *
pxf_plugin_context_get_plugin(PxfPluginContext *ctx)
{
	return ctx->plugin;
}

guint
pxf_plugin_context_get_order(PxfPluginContext *ctx)
{
	return ctx->order;
}

GPtrArray *
pxf_plugin_context_get_sockets(PxfPluginContext *ctx)
{
	return ctx->sockets;
}

gboolean
pxf_plugin_context_run_init(PxfPluginContext *ctx, GError **error)
{
	const PxfPluginDesc *desc;
	gboolean ok;

	g_return_val_if_fail(ctx->plugin != NULL, FALSE);
	desc = pxf_plugin_get_desc(ctx->plugin);
	ctx->in_init = TRUE;
	ok = desc->init(ctx, error);
	ctx->in_init = FALSE;
	if (!ok) {
		if (error != NULL && *error == NULL)
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "init failed without saying why");
		g_prefix_error(error, "plugin %s: ", ctx->name);
		pxf_hook_registry_remove_plugin(ctx->hooks, ctx->name);
		pxf_plugin_context_clear_data(ctx);
		return FALSE;
	}
	ctx->initialized = TRUE;
	return TRUE;
}

gboolean
pxf_hook_connect_internal(PxfPluginContext *ctx,
			  PxfHookId id,
			  GCallback callback,
			  gpointer user_data,
			  const PxfHookRules *rules,
			  GError **error)
{
	g_return_val_if_fail(ctx != NULL, FALSE);

	/* connecting later would change dispatch order behind the core's back */
	if (ctx->plugin != NULL && !ctx->in_init) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "plugin %s: hooks can only be connected during init", ctx->name);
		return FALSE;
	}
	return pxf_hook_registry_add(ctx->hooks, id, ctx->name, ctx->order, callback, user_data,
				     rules, error);
}

const gchar *
pxf_plugin_context_get_name(PxfPluginContext *ctx)
{
	return ctx->name;
}

const PxfConfSection *
pxf_plugin_context_get_config(PxfPluginContext *ctx)
{
	return ctx->config;
}

const gchar *
pxf_plugin_context_get_state_dir(PxfPluginContext *ctx, GError **error)
{
	const gchar *base;
	g_autofree gchar *dir = NULL;

	if (ctx->state_dir != NULL)
		return ctx->state_dir;
	base = ctx->services != NULL && ctx->services->get_state_dir != NULL
		       ? ctx->services->get_state_dir(ctx->core)
		       : NULL;
	if (base == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "plugin %s: no state directory in this context", ctx->name);
		return NULL;
	}
	dir = g_build_filename(base, "plugins", ctx->name, NULL);
	if (g_mkdir_with_parents(dir, 0750) != 0) {
		gint saved = errno;
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "%s: %s", dir,
			    g_strerror(saved));
		return NULL;
	}
	ctx->state_dir = g_steal_pointer(&dir);
	return ctx->state_dir;
}

void
pxf_plugin_context_set_data(PxfPluginContext *ctx, gpointer data, GDestroyNotify destroy)
{
	pxf_plugin_context_clear_data(ctx);
	ctx->data = data;
	ctx->data_destroy = destroy;
}

gpointer
pxf_plugin_context_get_data(PxfPluginContext *ctx)
{
	return ctx->data;
}

GSocket *
pxf_plugin_context_bind_device(PxfPluginContext *ctx,
			       GSocketType type,
			       const gchar *device,
			       const gchar *address,
			       guint16 port,
			       GError **error)
{
	GSocket *socket;

	if (!ctx->in_init) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "plugin %s: sockets can only be asked for during init", ctx->name);
		return NULL;
	}
	if (ctx->services == NULL || ctx->services->bind == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "plugin %s: this context cannot bind sockets", ctx->name);
		return NULL;
	}
	socket = ctx->services->bind(ctx->core, ctx, type, device, address, port, error);
	if (socket == NULL)
		return NULL;
	g_ptr_array_add(ctx->sockets, g_object_ref(socket));
	return socket;
}

GSocket *
pxf_plugin_context_bind(
	PxfPluginContext *ctx, GSocketType type, const gchar *address, guint16 port, GError **error)
{
	return pxf_plugin_context_bind_device(ctx, type, NULL, address, port, error);
}

gpointer
pxf_plugin_context_get_core(PxfPluginContext *ctx)
{
	if (ctx->services == NULL || ctx->services->get_core == NULL)
		return NULL;
	return ctx->services->get_core(ctx->core);
}

gboolean
pxf_plugin_context_set_host_state(PxfPluginContext *ctx,
				  const gchar *mac,
				  PxfHostState state,
				  const gchar *reason,
				  GError **error)
{
	if (ctx->services == NULL || ctx->services->set_host_state == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "plugin %s: no host state in this context", ctx->name);
		return FALSE;
	}
	return ctx->services->set_host_state(ctx->core, ctx, mac, state, reason, error);
}

void
pxf_plugin_context_emit_host_event(PxfPluginContext *ctx,
				   const PxfClient *client,
				   const gchar *mac,
				   PxfHostEventType type,
				   const gchar *detail,
				   guint64 bytes)
{
	PxfHostEventArgs event = {
		.client = client,
		.mac = mac,
		.type = type,
		.detail = detail,
		.bytes = bytes,
		.timestamp = g_get_real_time(),
	};
	if (ctx->services != NULL && ctx->services->emit_host_event != NULL)
		ctx->services->emit_host_event(ctx->core, &event);
}
