/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SDK's transport API (sdk/pxeforge/pxf-transport.h): what transport
 * plugins ask of the core, on top of the daemon's PxfCore. */
#define G_LOG_DOMAIN "pxf-transport"

#include "config.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "pxf-core.h"
#include "pxf-plugin-context.h"
#include "pxf-render.h"

G_DEFINE_QUARK(pxf_error_quark, pxf_error)

PxfCore *
pxf_core_from_context(PxfPluginContext *ctx, GError **error)
{
	PxfCore *core = pxf_plugin_context_get_core(ctx);
	if (core == NULL || core->setup == NULL)
		g_set_error(error, PXF_ERROR, PXF_ERROR_FAILED,
			    "plugin %s: no daemon behind this context",
			    pxf_plugin_context_get_name(ctx));
	return core != NULL && core->setup != NULL ? core : NULL;
}

/* ---- who is asking ----------------------------------------------------- */

static const gchar *
pxf_core_owner_of(PxfCore *core, const gchar *ip)
{
	const gchar *mac = g_hash_table_lookup(core->address_owner, ip);
	const PxfHost *host;

	if (mac != NULL)
		return mac;
	host = pxf_inventory_lookup_ip(core->setup->inventory, ip);
	return host != NULL ? host->mac : NULL;
}

void
pxf_client_init(PxfClientSlot *slot,
		PxfPluginContext *ctx,
		const gchar *transport,
		GInetSocketAddress *address,
		GInetSocketAddress *local,
		const gchar *mac)
{
	PxfCore *core = pxf_plugin_context_get_core(ctx);

	g_return_if_fail(slot != NULL);
	g_return_if_fail(G_IS_INET_SOCKET_ADDRESS(address));

	memset(slot, 0, sizeof(*slot));
	slot->address = g_object_ref(address);
	slot->local = local != NULL ? g_object_ref(local) : NULL;
	if (mac != NULL) {
		slot->mac = pxf_mac_normalize(mac, NULL);
	} else if (core != NULL && core->setup != NULL) {
		g_autofree gchar *ip =
			g_inet_address_to_string(g_inet_socket_address_get_address(address));
		slot->mac = g_strdup(pxf_core_owner_of(core, ip));
	}
	slot->pub.transport = transport;
	slot->pub.address = slot->address;
	slot->pub.local = slot->local;
	slot->pub.mac = slot->mac;
	if (slot->mac != NULL && core != NULL && core->setup != NULL) {
		PxfHost *host =
			(PxfHost *)pxf_inventory_lookup_mac(core->setup->inventory, slot->mac);
		/* a transfer can outlive the inventory it started with */
		slot->host_ref = host != NULL ? pxf_host_ref(host) : NULL;
		slot->pub.host = host;
	}
}

void
pxf_client_clear(PxfClientSlot *slot)
{
	if (slot == NULL)
		return;
	g_clear_object(&slot->address);
	g_clear_object(&slot->local);
	g_clear_pointer(&slot->mac, g_free);
	g_clear_pointer(&slot->host_ref, pxf_host_unref);
	memset(&slot->pub, 0, sizeof(slot->pub));
}

void
pxf_plugin_context_set_address_owner(PxfPluginContext *ctx, const gchar *ip, const gchar *mac)
{
	PxfCore *core = pxf_plugin_context_get_core(ctx);
	g_autofree gchar *canonical = NULL;

	g_return_if_fail(ip != NULL);
	if (core == NULL)
		return;
	if (mac == NULL) {
		g_hash_table_remove(core->address_owner, ip);
		return;
	}
	canonical = pxf_mac_normalize(mac, NULL);
	if (canonical == NULL) {
		g_warning("plugin %s: '%s' is not a MAC address; owner of %s not recorded",
			  pxf_plugin_context_get_name(ctx), mac, ip);
		return;
	}
	g_hash_table_replace(core->address_owner, g_strdup(ip), g_steal_pointer(&canonical));
}

const gchar *
pxf_plugin_context_get_address_owner(PxfPluginContext *ctx, const gchar *ip)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	return core != NULL && ip != NULL ? pxf_core_owner_of(core, ip) : NULL;
}

/* ---- where to listen -------------------------------------------------------- */

const gchar *const *
pxf_plugin_context_get_interfaces(PxfPluginContext *ctx)
{
	static const gchar *const none[] = {NULL};
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	if (core == NULL)
		return none;
	return pxf_conf_section_get_strv(core->setup->daemon, "interfaces");
}

static void
pxf_interface_address_free(PxfInterfaceAddress *entry)
{
	g_object_unref(entry->address);
	g_free(entry);
}

GPtrArray *
pxf_plugin_context_get_interface_addresses(PxfPluginContext *ctx, const gchar *ifname)
{
	GPtrArray *result =
		g_ptr_array_new_with_free_func((GDestroyNotify)pxf_interface_address_free);
	struct ifaddrs *list = NULL;

	g_return_val_if_fail(ifname != NULL, result);
	if (getifaddrs(&list) != 0) {
		g_warning("getifaddrs: %s", g_strerror(errno));
		return result;
	}
	for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ifa->ifa_addr;
		PxfInterfaceAddress *entry;

		if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET ||
		    g_strcmp0(ifa->ifa_name, ifname) != 0)
			continue;
		entry = g_new0(PxfInterfaceAddress, 1);
		entry->address = g_inet_address_new_from_bytes((const guint8 *)&sin->sin_addr,
							       G_SOCKET_FAMILY_IPV4);
		if (ifa->ifa_netmask != NULL) {
			const struct sockaddr_in *mask =
				(const struct sockaddr_in *)ifa->ifa_netmask;
			entry->prefix = (guint)__builtin_popcount(mask->sin_addr.s_addr);
		}
		g_ptr_array_add(result, entry);
	}
	freeifaddrs(list);
	return result;
}

gboolean
pxf_plugin_context_has_plugin(PxfPluginContext *ctx, const gchar *name)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	return core != NULL && core->running != NULL && name != NULL &&
	       g_hash_table_contains(core->running, name);
}

/* ---- the pipeline ------------------------------------------------------------- */

static PxfFirmware
pxf_firmware_from_arch(gint64 arch)
{
	switch (arch) {
	case 0:
		return PXF_FIRMWARE_BIOS;
	case 6:
		return PXF_FIRMWARE_UEFI_IA32;
	case 7:
	case 9:
	case 16: /* UEFI x64 HTTP boot */
		return PXF_FIRMWARE_UEFI_X64;
	case 11:
	case 19: /* ARM64 UEFI HTTP boot */
		return PXF_FIRMWARE_UEFI_ARM64;
	case 15: /* IA32 UEFI HTTP boot */
		return PXF_FIRMWARE_UEFI_IA32;
	case 20: /* BIOS HTTP boot */
		return PXF_FIRMWARE_BIOS;
	default:
		return PXF_FIRMWARE_UNKNOWN;
	}
}

/* RFC 4578 architecture types 15-20 (IANA "Processor Architecture Types"):
 * the UEFI (and BIOS) HTTP boot clients. */
static gboolean
pxf_arch_is_http_boot(gint64 arch)
{
	return arch >= 15 && arch <= 20;
}

/* The client.classify default: what the DHCP options say, for what callbacks
 * left unknown. Without option 93, "PXEClient:Arch:00007:..." in option 60
 * still tells. */
static void
pxf_classify_default(PxfClientClassifyArgs *args)
{
	const gchar *vc = args->vendor_class;
	gboolean pxe = vc != NULL &&
		       (g_str_has_prefix(vc, "PXEClient") || g_str_has_prefix(vc, "HTTPClient"));

	/* iPXE sends neither: it fetches http:// itself, but as iPXE */
	if (!args->http_boot)
		args->http_boot = (vc != NULL && g_str_has_prefix(vc, "HTTPClient")) ||
				  pxf_arch_is_http_boot(args->arch);

	if (args->firmware == PXF_FIRMWARE_UNKNOWN) {
		if (args->arch >= 0)
			args->firmware = pxf_firmware_from_arch(args->arch);
		else if (pxe && strstr(vc, ":Arch:") != NULL)
			args->firmware = pxf_firmware_from_arch(
				g_ascii_strtoll(strstr(vc, ":Arch:") + 6, NULL, 10));
	}
	if (args->stage == PXF_BOOT_STAGE_UNKNOWN) {
		if (args->has_ipxe_options || g_strcmp0(args->user_class, "iPXE") == 0)
			args->stage = PXF_BOOT_STAGE_IPXE;
		else if (pxe)
			args->stage = PXF_BOOT_STAGE_ROM;
	}
}

PxfHookResult
pxf_core_classify(PxfCore *core, PxfClientClassifyArgs *args)
{
	PxfHookResult result = pxf_hook_run_client_classify(core->hooks, args);
	if (result.verdict == PXF_VERDICT_CONTINUE)
		pxf_classify_default(args);
	return result;
}

PxfHookResult
pxf_core_lookup_host(PxfCore *core, PxfHostLookupArgs *args)
{
	PxfHookResult result = pxf_hook_run_host_lookup(core->hooks, args);
	if (result.verdict == PXF_VERDICT_CONTINUE && args->host == NULL) {
		/* RFC 2131 4.2: the client identifier names the client before chaddr */
		if (args->client_id != NULL)
			args->host = pxf_inventory_lookup_client_id(core->setup->inventory,
								    args->client_id);
		if (args->host == NULL && args->mac != NULL)
			args->host = pxf_inventory_lookup_mac(core->setup->inventory, args->mac);
		if (args->host == NULL && args->uuid != NULL)
			args->host = pxf_inventory_lookup_uuid(core->setup->inventory, args->uuid);
	}
	return result;
}

/* An absolute http:// or https:// URL with a host. */
static gboolean
pxf_is_absolute_http_url(const gchar *text)
{
	const gchar *rest = NULL;

	if (g_ascii_strncasecmp(text, "http://", 7) == 0)
		rest = text + 7;
	else if (g_ascii_strncasecmp(text, "https://", 8) == 0)
		rest = text + 8;
	return rest != NULL && rest[0] != '\0' && rest[0] != '/';
}

PxfHookResult
pxf_core_select_boot(PxfCore *core, PxfBootSelectArgs *args)
{
	PxfHookResult result = pxf_hook_run_boot_select(core->hooks, args);
	pxf_set_string(&args->selected_by, result.decided_by);
	/* a UEFI HTTP boot client never takes a TFTP name: it ignores the
	 * offer and DISCOVERs again until it gives up (a plugin older than
	 * http_boot answers it as a PXE client) */
	if (args->http_boot && args->filename != NULL && args->filename[0] != '\0' &&
	    !pxf_is_absolute_http_url(args->filename)) {
		g_warning("%s: UEFI HTTP boot client: boot file %s from plugin %s is not an "
			  "http:// URL; it gets none",
			  args->client != NULL && args->client->mac != NULL ? args->client->mac
									    : "?",
			  args->filename, result.decided_by != NULL ? result.decided_by : "?");
		pxf_set_string(&args->filename, NULL);
	}
	return result;
}

PxfHookResult
pxf_core_open_file(PxfCore *core, PxfFileOpenArgs *args)
{
	PxfHookResult result = pxf_hook_run_file_open(core->hooks, args);
	if (result.verdict == PXF_VERDICT_DROP)
		g_debug("%s: %s dropped by plugin %s", args->client->transport, args->path,
			result.decided_by);
	return result;
}

PxfVerdict
pxf_plugin_context_classify(PxfPluginContext *ctx, PxfClientClassifyArgs *args)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	if (core == NULL) {
		pxf_classify_default(args);
		return PXF_VERDICT_CONTINUE;
	}
	return pxf_core_classify(core, args).verdict;
}

PxfVerdict
pxf_plugin_context_lookup_host(PxfPluginContext *ctx, PxfHostLookupArgs *args)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	return core != NULL ? pxf_core_lookup_host(core, args).verdict : PXF_VERDICT_CONTINUE;
}

PxfVerdict
pxf_plugin_context_select_boot(PxfPluginContext *ctx, PxfBootSelectArgs *args)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	return core != NULL ? pxf_core_select_boot(core, args).verdict : PXF_VERDICT_CONTINUE;
}

PxfVerdict
pxf_plugin_context_dhcp_reply(PxfPluginContext *ctx, PxfDhcpReplyArgs *args)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	return core != NULL ? pxf_hook_run_dhcp_reply(core->hooks, args).verdict
			    : PXF_VERDICT_CONTINUE;
}

PxfVerdict
pxf_plugin_context_open_file(PxfPluginContext *ctx, PxfFileOpenArgs *args)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	return core != NULL ? pxf_core_open_file(core, args).verdict : PXF_VERDICT_CONTINUE;
}

/* ---- rendering -------------------------------------------------------------- */

gboolean
pxf_plugin_context_render_profile(PxfPluginContext *ctx,
				  const PxfClient *client,
				  const PxfHost *host,
				  GString *out,
				  gchar **content_type,
				  GError **error)
{
	PxfCore *core = pxf_core_from_context(ctx, error);
	g_autofree gchar *token = NULL;

	if (core == NULL)
		return FALSE;
	g_return_val_if_fail(host != NULL, FALSE);
	/* it carries the token and the root password hash: only while an
	 * install is in progress, never to an installed host */
	token = pxf_core_install_token(core, host->mac, TRUE, error);
	if (token == NULL)
		return FALSE;
	if (!pxf_render_host(core->setup, core->hooks, client, host, NULL, token, out, NULL, error))
		return FALSE;
	if (content_type != NULL)
		*content_type = g_strdup("text/plain; charset=utf-8");
	return TRUE;
}

gboolean
pxf_plugin_context_render_template(PxfPluginContext *ctx,
				   const PxfClient *client,
				   const PxfHost *host,
				   const gchar *template,
				   gboolean is_text,
				   GString *out,
				   GError **error)
{
	PxfCore *core = pxf_core_from_context(ctx, error);
	g_autoptr(PxfVars) vars = NULL;
	g_autofree gchar *token = NULL;

	if (core == NULL)
		return FALSE;
	/* boot loader configs may carry the token on the kernel line for
	 * installers that take their answer file from there; only while an
	 * install is in progress, and never minted here */
	if (host != NULL)
		token = pxf_core_install_token(core, host->mac, FALSE, NULL);
	vars = pxf_render_vars(core->setup, core->hooks, client, host, token);
	return pxf_render_template(core->setup, vars, template, is_text, out, error);
}

/* ---- inventory and state -------------------------------------------------------- */

const PxfHost *
pxf_plugin_context_find_host(PxfPluginContext *ctx, const gchar *mac)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	return core != NULL && mac != NULL ? pxf_inventory_lookup_mac(core->setup->inventory, mac)
					   : NULL;
}

guint
pxf_plugin_context_get_inventory_serial(PxfPluginContext *ctx)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	return core != NULL ? core->inventory_serial : 0;
}

GPtrArray *
pxf_plugin_context_get_hosts(PxfPluginContext *ctx)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	GPtrArray *hosts = g_ptr_array_new();
	GPtrArray *all;

	if (core == NULL)
		return hosts;
	all = pxf_inventory_get_hosts(core->setup->inventory);
	for (guint i = 0; i < all->len; i++)
		g_ptr_array_add(hosts, g_ptr_array_index(all, i));
	return hosts;
}

GVariant *
pxf_plugin_context_get_host_var(PxfPluginContext *ctx, const PxfHost *host, const gchar *name)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	g_autoptr(PxfVars) vars = NULL;

	if (core == NULL || name == NULL)
		return NULL;
	vars = pxf_inventory_resolve_vars(core->setup->inventory, host);
	return pxf_vars_lookup(vars, name);
}

GPtrArray *
pxf_plugin_context_get_distros(PxfPluginContext *ctx)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *distros;

	if (core == NULL)
		return names;
	distros = pxf_inventory_get_distros(core->setup->inventory);
	for (guint i = 0; i < distros->len; i++) {
		const PxfDistro *distro = g_ptr_array_index(distros, i);
		g_ptr_array_add(names, g_strdup(distro->name));
	}
	return names;
}

GVariant *
pxf_plugin_context_get_distro_var(PxfPluginContext *ctx, const gchar *name, const gchar *var)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	const PxfDistro *distro;
	g_autoptr(PxfVars) vars = NULL;

	if (core == NULL || name == NULL || var == NULL)
		return NULL;
	distro = pxf_inventory_get_distro(core->setup->inventory, name);
	if (distro == NULL)
		return NULL;
	if (g_strcmp0(var, "name") == 0)
		return g_variant_ref_sink(g_variant_new_string(distro->name));
	if (g_strcmp0(var, "kernel") == 0 && distro->kernel != NULL)
		return g_variant_ref_sink(g_variant_new_string(distro->kernel));
	if (g_strcmp0(var, "initrd") == 0 && distro->initrd != NULL)
		return g_variant_ref_sink(g_variant_new_string(distro->initrd));
	if (g_strcmp0(var, "tree") == 0 && distro->tree != NULL)
		return g_variant_ref_sink(g_variant_new_string(distro->tree));
	if (distro->variables == NULL)
		return NULL;
	/* the distro's own variables, with the same dotted lookup as templates */
	vars = pxf_vars_new();
	for (guint i = 0; i < distro->variables->keys->len; i++) {
		PxfConfNode *key = g_ptr_array_index(distro->variables->keys, i);
		PxfConfNode *value = g_ptr_array_index(distro->variables->items, i);
		if (!pxf_conf_node_is_null(value))
			pxf_vars_set_with_origin(vars, key->scalar, pxf_conf_node_to_variant(value),
						 NULL);
	}
	return pxf_vars_lookup(vars, var);
}

PxfHostState
pxf_plugin_context_get_host_state(PxfPluginContext *ctx, const gchar *mac)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	g_autofree gchar *canonical = mac != NULL ? pxf_mac_normalize(mac, NULL) : NULL;
	const PxfHostStateRecord *rec;

	if (core == NULL || canonical == NULL)
		return PXF_HOST_STATE_UNKNOWN;
	rec = pxf_host_states_get(core->states, canonical);
	return rec != NULL ? rec->state : PXF_HOST_STATE_UNKNOWN;
}

/* ---- what hosts are doing ----------------------------------------------------- */

void
pxf_host_activity_free(PxfHostActivity *activity)
{
	if (activity == NULL)
		return;
	g_free(activity->address);
	g_free(activity->last_event);
	g_free(activity->path);
	g_free(activity);
}

PxfHostActivity *
pxf_core_get_activity(PxfCore *core, const gchar *mac)
{
	PxfHostActivity *activity = g_hash_table_lookup(core->activity, mac);
	if (activity == NULL) {
		activity = g_new0(PxfHostActivity, 1);
		g_hash_table_insert(core->activity, g_strdup(mac), activity);
	}
	return activity;
}

void
pxf_plugin_context_report_transfer(PxfPluginContext *ctx,
				   const PxfClient *client,
				   const gchar *path,
				   guint64 done,
				   guint64 total)
{
	PxfCore *core = pxf_core_from_context(ctx, NULL);
	PxfHostActivity *activity;

	if (core == NULL || client == NULL || client->mac == NULL || core->dry_run > 0)
		return;
	activity = pxf_core_get_activity(core, client->mac);
	if (g_strcmp0(activity->path, path) != 0) {
		g_free(activity->path);
		activity->path = g_strdup(path);
	}
	activity->done = done;
	activity->total = total;
}

/* ---- storage ------------------------------------------------------------------- */

static gboolean
pxf_store_ns_valid(const gchar *ns, GError **error)
{
	/* the core's own namespaces are not the plugins' to touch */
	static const gchar *const reserved[] = {"hosts", PXF_CORE_TOKENS_NS, NULL};

	if (ns == NULL || ns[0] == '\0' ||
	    strspn(ns, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(ns)) {
		g_set_error(error, PXF_ERROR, PXF_ERROR_INVALID,
			    "'%s' is not a valid store namespace ([a-z0-9-]+)", ns ? ns : "");
		return FALSE;
	}
	if (g_strv_contains(reserved, ns)) {
		g_set_error(error, PXF_ERROR, PXF_ERROR_INVALID,
			    "store namespace '%s' belongs to the core", ns);
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_store_map_error(GError *error_local, GError **error)
{
	gint code = PXF_ERROR_FAILED;

	if (error_local->domain == PXF_STORE_ERROR) {
		switch (error_local->code) {
		case PXF_STORE_ERROR_NOT_FOUND:
			code = PXF_ERROR_NOT_FOUND;
			break;
		case PXF_STORE_ERROR_EXISTS:
			code = PXF_ERROR_EXISTS;
			break;
		case PXF_STORE_ERROR_CONFLICT:
			code = PXF_ERROR_CONFLICT;
			break;
		default:
			break;
		}
	}
	g_set_error_literal(error, PXF_ERROR, code, error_local->message);
	return FALSE;
}

static PxfStore *
pxf_ctx_store(PxfPluginContext *ctx, const gchar *ns, GError **error)
{
	PxfCore *core = pxf_core_from_context(ctx, error);
	if (core == NULL || !pxf_store_ns_valid(ns, error))
		return NULL;
	return core->store;
}

GBytes *
pxf_plugin_context_store_get(PxfPluginContext *ctx,
			     const gchar *ns,
			     const gchar *key,
			     GError **error)
{
	PxfStore *store = pxf_ctx_store(ctx, ns, error);
	g_autoptr(GError) error_local = NULL;
	GBytes *value;

	if (store == NULL)
		return NULL;
	value = pxf_store_get(store, ns, key, &error_local);
	if (value == NULL)
		pxf_store_map_error(error_local, error);
	return value;
}

gboolean
pxf_plugin_context_store_put(
	PxfPluginContext *ctx, const gchar *ns, const gchar *key, GBytes *value, GError **error)
{
	PxfStore *store = pxf_ctx_store(ctx, ns, error);
	g_autoptr(GError) error_local = NULL;

	if (store == NULL)
		return FALSE;
	if (!pxf_store_put(store, ns, key, value, &error_local))
		return pxf_store_map_error(error_local, error);
	return TRUE;
}

gboolean
pxf_plugin_context_store_create(
	PxfPluginContext *ctx, const gchar *ns, const gchar *key, GBytes *value, GError **error)
{
	PxfStore *store = pxf_ctx_store(ctx, ns, error);
	g_autoptr(GError) error_local = NULL;

	if (store == NULL)
		return FALSE;
	if (!pxf_store_create(store, ns, key, value, &error_local))
		return pxf_store_map_error(error_local, error);
	return TRUE;
}

gboolean
pxf_plugin_context_store_replace(PxfPluginContext *ctx,
				 const gchar *ns,
				 const gchar *key,
				 GBytes *expected,
				 GBytes *value,
				 GError **error)
{
	PxfStore *store = pxf_ctx_store(ctx, ns, error);
	g_autoptr(GError) error_local = NULL;

	if (store == NULL)
		return FALSE;
	if (!pxf_store_replace(store, ns, key, expected, value, &error_local))
		return pxf_store_map_error(error_local, error);
	return TRUE;
}

gboolean
pxf_plugin_context_store_remove(PxfPluginContext *ctx,
				const gchar *ns,
				const gchar *key,
				GError **error)
{
	PxfStore *store = pxf_ctx_store(ctx, ns, error);
	g_autoptr(GError) error_local = NULL;

	if (store == NULL)
		return FALSE;
	if (!pxf_store_remove(store, ns, key, &error_local))
		return pxf_store_map_error(error_local, error);
	return TRUE;
}

GHashTable *
pxf_plugin_context_store_list(PxfPluginContext *ctx, const gchar *ns, GError **error)
{
	PxfStore *store = pxf_ctx_store(ctx, ns, error);
	g_autoptr(GError) error_local = NULL;
	GHashTable *table;

	if (store == NULL)
		return NULL;
	table = pxf_store_list(store, ns, &error_local);
	if (table == NULL)
		pxf_store_map_error(error_local, error);
	return table;
}

gboolean
pxf_plugin_context_store_commit(PxfPluginContext *ctx,
				const gchar *ns,
				GHashTable *changes,
				GError **error)
{
	PxfStore *store = pxf_ctx_store(ctx, ns, error);
	g_autoptr(GError) error_local = NULL;

	if (store == NULL)
		return FALSE;
	if (!pxf_store_commit(store, ns, changes, &error_local))
		return pxf_store_map_error(error_local, error);
	return TRUE;
}
