/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXF_PLUGIN_H_INSIDE) && !defined(PXF_COMPILATION)
#error "Only <pxeforge/plugin.h> can be included directly."
#endif

#include <gio/gio.h>

#include "pxf-hooks.h"

G_BEGIN_DECLS

/* What transport plugins (dhcp, tftp, http, ...) ask of the core: who a
 * client is, the hook pipeline with the core's defaults applied, inventory
 * and state, storage, and install tokens. All of it is main-thread only. */

/* Errors the core reports to plugins through this API. */
#define PXF_ERROR pxf_error_quark()
GQuark pxf_error_quark(void);

typedef enum {
	PXF_ERROR_FAILED,
	PXF_ERROR_NOT_FOUND,
	PXF_ERROR_EXISTS,   /* store_create() of a key that exists */
	PXF_ERROR_CONFLICT, /* store_replace() whose expected value is stale */
	PXF_ERROR_DENIED,   /* a wrong or missing install token */
	PXF_ERROR_INVALID,  /* bad argument, e.g. a malformed key or MAC */
} PxfError;

/* ---- who is asking --------------------------------------------------------- */

/* A client of one request. Fill it with pxf_client_init(); it owns copies of
 * what it points to and is cleared with pxf_client_clear(). */
typedef struct {
	PxfClient pub;
	gchar *mac;
	GInetSocketAddress *address;
	GInetSocketAddress *local;
	gpointer host_ref; /* keeps pub.host valid across a reload */
	gpointer reserved[3];
} PxfClientSlot;

/* Identifies the peer: mac if the transport knows it (DHCP), else from the
 * core's address table (leases and fixed addresses), and the inventory host
 * for that MAC. */
void pxf_client_init(PxfClientSlot *slot,
		     PxfPluginContext *ctx,
		     const gchar *transport,
		     GInetSocketAddress *address,
		     GInetSocketAddress *local,
		     const gchar *mac);
void pxf_client_clear(PxfClientSlot *slot);

/* The DHCP transport tells the core which MAC holds an IPv4 address (on ACK,
 * and for every lease it loads at start), so TFTP and HTTP requests from that
 * address are attributed to the host; mac NULL forgets the address. */
void pxf_plugin_context_set_address_owner(PxfPluginContext *ctx, const gchar *ip, const gchar *mac);
/* The MAC that holds ip (a lease or an inventory fixed address), or NULL. */
const gchar *pxf_plugin_context_get_address_owner(PxfPluginContext *ctx, const gchar *ip);

/* ---- where to listen ---------------------------------------------------------
 * Transports listen only where the operator says: the daemon's `interfaces`
 * (shipped empty, so a fresh install answers nobody) unless the plugin's own
 * settings name interfaces or addresses. */

/* The daemon's `interfaces` setting, NULL-terminated, never NULL. */
const gchar *const *pxf_plugin_context_get_interfaces(PxfPluginContext *ctx);
/* One IPv4 address configured on an interface. */
typedef struct {
	GInetAddress *address;
	guint prefix; /* length of the network prefix, e.g. 24 */
} PxfInterfaceAddress;

/* The IPv4 addresses configured on an interface (element type
 * PxfInterfaceAddress*, freed with the array); empty when it has none or
 * does not exist. */
GPtrArray *pxf_plugin_context_get_interface_addresses(PxfPluginContext *ctx, const gchar *ifname);
/* Like pxf_plugin_context_bind(), bound to one interface (SO_BINDTODEVICE)
 * and, for datagram sockets, allowed to broadcast. */
GSocket *pxf_plugin_context_bind_device(PxfPluginContext *ctx,
					GSocketType type,
					const gchar *device,
					const gchar *address,
					guint16 port,
					GError **error);

/* TRUE when the named plugin is loaded and started (e.g. pxelinux uses HTTP
 * for kernels when the http plugin runs). Plugins start in configuration
 * order, after what they require. */
gboolean pxf_plugin_context_has_plugin(PxfPluginContext *ctx, const gchar *name);

/* ---- the pipeline, with the core's defaults ------------------------------- */

/* client.classify, then the default (firmware from option 93, stage from
 * options 77/175/60) for what callbacks left unknown. */
PxfVerdict pxf_plugin_context_classify(PxfPluginContext *ctx, PxfClientClassifyArgs *args);
/* host.lookup, then the inventory by MAC, then by UUID. */
PxfVerdict pxf_plugin_context_lookup_host(PxfPluginContext *ctx, PxfHostLookupArgs *args);
/* boot.select; args->selected_by names the plugin that decided. */
PxfVerdict pxf_plugin_context_select_boot(PxfPluginContext *ctx, PxfBootSelectArgs *args);
PxfVerdict pxf_plugin_context_dhcp_reply(PxfPluginContext *ctx, PxfDhcpReplyArgs *args);
/* file.open; with CONTINUE the transport serves from its own root. */
PxfVerdict pxf_plugin_context_open_file(PxfPluginContext *ctx, PxfFileOpenArgs *args);

/* Renders a host's answer file (kickstart, preseed, ...) from its profile:
 * variables, template.vars, then profile.render or the core's renderer.
 * The rendered text carries the token of the host's install in progress;
 * a host with none (installed, failed, never booted) gets
 * PXF_ERROR_CONFLICT and no token is minted (docs/lifecycle.md). */
gboolean pxf_plugin_context_render_profile(PxfPluginContext *ctx,
					   const PxfClient *client,
					   const PxfHost *host,
					   GString *out,
					   gchar **content_type,
					   GError **error);
/* Renders a template (a file path, or text when is_text) with the host's
 * variables (host may be NULL: globals only) after template.vars;
 * install.token is set only while the host has an install in progress. */
gboolean pxf_plugin_context_render_template(PxfPluginContext *ctx,
					    const PxfClient *client,
					    const PxfHost *host,
					    const gchar *template,
					    gboolean is_text,
					    GString *out,
					    GError **error);

/* ---- inventory and state ----------------------------------------------- */

const PxfHost *pxf_plugin_context_find_host(PxfPluginContext *ctx, const gchar *mac);
/* Element type const PxfHost*, configuration order. */
GPtrArray *pxf_plugin_context_get_hosts(PxfPluginContext *ctx);
/* Changes whenever the daemon loads an inventory (start, each reload): a
 * plugin that indexes the hosts rebuilds its index when it differs from
 * the one it built with, not per request. Since ABI 1.1. */
guint pxf_plugin_context_get_inventory_serial(PxfPluginContext *ctx);
/* A variable of the host's resolved scope ("distro.kernel", "ks_url"); new ref. */
GVariant *
pxf_plugin_context_get_host_var(PxfPluginContext *ctx, const PxfHost *host, const gchar *name);
PxfHostState pxf_plugin_context_get_host_state(PxfPluginContext *ctx, const gchar *mac);
/* Names of the inventory's distros (element type gchar*, owned by the array). */
GPtrArray *pxf_plugin_context_get_distros(PxfPluginContext *ctx);
/* A distro's "name", "kernel", "initrd", "tree", or one of its variables
 * (dotted names look into dictionaries); new ref, NULL when absent. */
GVariant *
pxf_plugin_context_get_distro_var(PxfPluginContext *ctx, const gchar *distro, const gchar *name);

/* ---- install tokens ---------------------------------------------------------
 * One random token per host install, created when the host enters booting,
 * embedded in its answer file as {{install.token}}, never logged; gone when
 * the install ends (installed or failed: a report or the timeout). */

/* For a host whose state the report can leave (done: installing; failed:
 * booting or installing; else PXF_ERROR_CONFLICT, whatever the token),
 * checks token in constant time and, if it matches, moves the host to
 * installed (done TRUE) or failed, ending the install and its token. A wrong
 * or missing token changes nothing and returns FALSE with PXF_ERROR_DENIED. */
gboolean pxf_plugin_context_report_install(PxfPluginContext *ctx,
					   const gchar *mac,
					   const gchar *token,
					   gboolean done,
					   const gchar *reason,
					   GError **error);

/* ---- storage ----------------------------------------------------------------
 * The core's storage (files under the state directory, or a shared database),
 * for records a plugin keeps, e.g. the dhcp plugin's leases. Namespaces are
 * [a-z0-9-]+; values are opaque bytes. create() fails with PXF_ERROR_EXISTS
 * and replace() with PXF_ERROR_CONFLICT when the expected value is stale: the
 * primitives that keep one address from going to two machines, whichever
 * server hands it out. get() of a missing key is PXF_ERROR_NOT_FOUND. */

GBytes *pxf_plugin_context_store_get(PxfPluginContext *ctx,
				     const gchar *ns,
				     const gchar *key,
				     GError **error);
gboolean pxf_plugin_context_store_put(
	PxfPluginContext *ctx, const gchar *ns, const gchar *key, GBytes *value, GError **error);
gboolean pxf_plugin_context_store_create(
	PxfPluginContext *ctx, const gchar *ns, const gchar *key, GBytes *value, GError **error);
gboolean pxf_plugin_context_store_replace(PxfPluginContext *ctx,
					  const gchar *ns,
					  const gchar *key,
					  GBytes *expected,
					  GBytes *value,
					  GError **error);
gboolean pxf_plugin_context_store_remove(PxfPluginContext *ctx,
					 const gchar *ns,
					 const gchar *key,
					 GError **error);
/* key → GBytes */
GHashTable *pxf_plugin_context_store_list(PxfPluginContext *ctx, const gchar *ns, GError **error);
/* A batch: changes is key → GBytes, or NULL to remove the key. All of it is
 * durable when this returns TRUE and none of it is applied on FALSE; the
 * file store writes it as one journal record with one fdatasync, a database
 * as one transaction. Since ABI 1.1. */
gboolean pxf_plugin_context_store_commit(PxfPluginContext *ctx,
					 const gchar *ns,
					 GHashTable *changes,
					 GError **error);

G_END_DECLS
