/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxeforge/plugin.h>

#include "pxf-http-server.h"
#include "pxf-http-tree.h"

G_BEGIN_DECLS

/* The plugin's state: what init read from the configuration, and the
 * server. Everything here runs on the main thread. */
typedef struct {
	PxfPluginContext *ctx;
	gchar *root;
	PxfHttpTrees *trees;
	gboolean ks_any_address;
	guint16 port;
	gchar *public_url;	/* without a trailing '/', or NULL */
	gchar *first_address;	/* the first `addresses` entry, for base URLs */
	GHashTable *distros;	/* distro name → local tree directory, a cache */
	gint64 distros_updated; /* monotonic µs */
	PxfHttpServer *server;
} PxfHttp;

PxfHttp *pxf_http_new(PxfPluginContext *ctx);
void pxf_http_free(PxfHttp *self);

/* The PxfHttpServer callbacks; user_data is PxfHttp. */
void pxf_http_handle(PxfHttpRequest *request, gpointer user_data);
void pxf_http_progress(PxfHttpRequest *request, guint64 done, guint64 total, gpointer user_data);
void pxf_http_finished(PxfHttpRequest *request, gboolean complete, gpointer user_data);

/* "http://ADDRESS:PORT" a client reaches this server at, or NULL. */
gchar *pxf_http_base_url(PxfHttp *self, const PxfClient *client);
/* A distro tree given as a local directory ("/srv/..." or "file:///srv/..."),
 * or NULL when it is a URL of another kind or relative. */
gchar *pxf_http_tree_local_dir(const gchar *tree);

PxfVerdict pxf_http_template_vars(PxfTemplateVarsArgs *args, gpointer user_data);

G_END_DECLS
