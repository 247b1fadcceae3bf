/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include <string.h>

#include "pxf-dhcp-exchange.h"

/* Complaints about packets: at most this many per window, then a count. */
#define PXF_DHCP_COMPLAIN_MAX	 10
#define PXF_DHCP_COMPLAIN_WINDOW (10 * G_USEC_PER_SEC)
/* Bound on the MACs remembered for the DISCOVERED event. */
#define PXF_DHCP_SEEN_MAX 65536
/* A client asking for a shorter lease gets at least this much. */
#define PXF_DHCP_LEASE_TIME_MIN 60

static void
pxf_dhcp_server_owner_changed(guint32 ip, const gchar *mac, gpointer user_data)
{
	PxfDhcpServer *self = user_data;
	g_autofree gchar *text = pxf_dhcp_ip_to_string(ip);
	self->backend->set_address_owner(self->backend_data, text, mac);
}

/* An ACK waiting for the commit of its lease. */
typedef struct {
	GObject *target;
	gchar *ifname;
	PxfDhcpOutgoing out;
} PxfDhcpWaiting;

static void
pxf_dhcp_waiting_free(PxfDhcpWaiting *w)
{
	g_object_unref(w->target);
	g_free(w->ifname);
	pxf_dhcp_outgoing_clear(&w->out);
	g_free(w);
}

PxfDhcpServer *
pxf_dhcp_server_new(PxfDhcpConfig *config,
		    const PxfDhcpStoreOps *store_ops,
		    gpointer store,
		    const PxfDhcpBackend *backend,
		    gpointer backend_data)
{
	PxfDhcpServer *self = g_new0(PxfDhcpServer, 1);
	self->config = config;
	self->backend = backend;
	self->backend_data = backend_data;
	self->leases = pxf_dhcp_leases_new(store_ops, store, pxf_dhcp_server_owner_changed, self);
	self->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->waiting = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_dhcp_waiting_free);
	return self;
}

void
pxf_dhcp_server_set_send_func(PxfDhcpServer *self, PxfDhcpSendFunc func)
{
	self->send_func = func;
}

guint
pxf_dhcp_server_get_n_waiting(PxfDhcpServer *self)
{
	return self->waiting->len;
}

gboolean
pxf_dhcp_server_flush(PxfDhcpServer *self)
{
	g_autoptr(GPtrArray) waiting = g_steal_pointer(&self->waiting);
	g_autoptr(GError) error = NULL;

	self->waiting = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_dhcp_waiting_free);
	g_clear_handle_id(&self->flush_id, g_source_remove);
	if (!pxf_dhcp_leases_commit(self->leases, &error)) {
		g_warning("%s; %u ACKs not sent", error->message, waiting->len);
		return FALSE;
	}
	for (guint i = 0; i < waiting->len; i++) {
		PxfDhcpWaiting *w = g_ptr_array_index(waiting, i);
		self->send_func(w->target, w->ifname, &w->out);
	}
	return TRUE;
}

static gboolean
pxf_dhcp_server_flush_cb(gpointer user_data)
{
	PxfDhcpServer *self = user_data;
	self->flush_id = 0;
	pxf_dhcp_server_flush(self);
	return G_SOURCE_REMOVE;
}

/* After handling a packet: an ACK of a changed lease waits for the commit
 * at the end of the pass; FALSE when out is not to be sent now. */
static gboolean
pxf_dhcp_server_defer(PxfDhcpServer *self,
		      PxfDhcpExchange *ex,
		      gboolean reply,
		      PxfDhcpOutgoing *out)
{
	g_autoptr(GError) error = NULL;

	gboolean wait = reply && ex->bound;

	if (pxf_dhcp_leases_get_n_pending(self->leases) == 0)
		return reply;
	/* nothing to queue the ACK on: the pass is this packet */
	if (self->send_func == NULL || (wait && ex->in->target == NULL)) {
		if (pxf_dhcp_leases_commit(self->leases, &error))
			return reply;
		g_warning("%s%s", error->message, wait ? "; ACK not sent" : "");
		return reply && !wait;
	}
	if (wait) {
		PxfDhcpWaiting *w = g_new0(PxfDhcpWaiting, 1);
		w->target = g_object_ref(ex->in->target);
		w->ifname = g_strdup(ex->in->ifname);
		w->out = *out;
		memset(out, 0, sizeof(*out));
		g_ptr_array_add(self->waiting, w);
		reply = FALSE;
	}
	if (self->flush_id == 0)
		self->flush_id =
			g_idle_add_full(G_PRIORITY_DEFAULT, pxf_dhcp_server_flush_cb, self, NULL);
	return reply;
}

void
pxf_dhcp_server_free(PxfDhcpServer *self)
{
	if (self == NULL)
		return;
	if (self->send_func != NULL)
		pxf_dhcp_server_flush(self);
	g_ptr_array_unref(self->waiting);
	pxf_dhcp_leases_free(self->leases);
	pxf_dhcp_hosts_free(self->hosts);
	pxf_dhcp_config_free(self->config);
	g_hash_table_unref(self->seen);
	g_free(self);
}

const PxfDhcpConfig *
pxf_dhcp_server_get_config(PxfDhcpServer *self)
{
	return self->config;
}

PxfDhcpLeases *
pxf_dhcp_server_get_leases(PxfDhcpServer *self)
{
	return self->leases;
}

void
pxf_dhcp_server_hosts_changed(PxfDhcpServer *self)
{
	GHashTable *fixed = self->backend->get_fixed_addresses(self->backend_data);

	pxf_dhcp_hosts_free(self->hosts);
	self->hosts = pxf_dhcp_hosts_new(self->config, fixed);
	g_debug("%u fixed address%s", pxf_dhcp_hosts_get_size(self->hosts),
		pxf_dhcp_hosts_get_size(self->hosts) == 1 ? "" : "es");
}

gboolean
pxf_dhcp_server_load(PxfDhcpServer *self, GError **error)
{
	pxf_dhcp_server_hosts_changed(self);
	return pxf_dhcp_leases_load(self->leases, self->backend->now(self->backend_data), error);
}

void
pxf_dhcp_server_tick(PxfDhcpServer *self)
{
	pxf_dhcp_leases_expire(self->leases, self->backend->now(self->backend_data));
}

void
pxf_dhcp_outgoing_clear(PxfDhcpOutgoing *out)
{
	g_clear_pointer(&out->data, g_bytes_unref);
}

/* Warnings about what clients send, rate-limited: a broken or hostile
 * client must not flood the log. */
static void G_GNUC_PRINTF(2, 3)
	pxf_dhcp_server_complain(PxfDhcpServer *self, const gchar *format, ...)
{
	gint64 now = g_get_monotonic_time();
	g_autofree gchar *msg = NULL;
	va_list args;

	if (now - self->complain_window > PXF_DHCP_COMPLAIN_WINDOW) {
		if (self->complain_suppressed > 0)
			g_warning("%u more such messages suppressed", self->complain_suppressed);
		self->complain_window = now;
		self->complain_count = 0;
		self->complain_suppressed = 0;
	}
	if (self->complain_count >= PXF_DHCP_COMPLAIN_MAX) {
		self->complain_suppressed++;
		return;
	}
	self->complain_count++;
	va_start(args, format);
	msg = g_strdup_vprintf(format, args);
	va_end(args);
	g_warning("%s", msg);
}

/* ---- who and where ------------------------------------------------------- */

static guint32
pxf_dhcp_local_ip(const PxfDhcpIncoming *in, guint i)
{
	return g_array_index(in->local, PxfDhcpLocalAddress, i).ip;
}

static gboolean
pxf_dhcp_exchange_is_local(PxfDhcpExchange *ex, guint32 ip)
{
	for (guint i = 0; ex->in->local != NULL && i < ex->in->local->len; i++) {
		if (pxf_dhcp_local_ip(ex->in, i) == ip)
			return TRUE;
	}
	return FALSE;
}

/* RFC 2131 4.3.1: a relayed request belongs to giaddr's subnet; a direct
 * one to the subnet of the interface it arrived on (the one holding the
 * client's ciaddr when the interface has several). */
static gboolean
pxf_dhcp_exchange_select_subnet(PxfDhcpExchange *ex)
{
	const PxfDhcpConfig *config = ex->server->config;
	GArray *local = ex->in->local;

	if (local == NULL || local->len == 0)
		return FALSE;
	if (ex->pkt->giaddr != 0) {
		ex->subnet = pxf_dhcp_config_find_subnet(config, ex->pkt->giaddr);
		ex->server_id = pxf_dhcp_local_ip(ex->in, 0);
		return ex->subnet != NULL && ex->server_id != 0;
	}
	for (guint i = 0; i < local->len; i++) {
		guint32 ip = pxf_dhcp_local_ip(ex->in, i);
		PxfDhcpSubnet *subnet = pxf_dhcp_config_find_subnet(config, ip);
		if (subnet == NULL)
			continue;
		if (ex->subnet == NULL ||
		    (ex->pkt->ciaddr != 0 && (ex->pkt->ciaddr & subnet->mask) == subnet->network)) {
			ex->subnet = subnet;
			ex->server_id = ip;
		}
	}
	return ex->subnet != NULL;
}

/* client.classify and host.lookup; FALSE when a callback dropped it. */
static gboolean
pxf_dhcp_exchange_identify(PxfDhcpExchange *ex)
{
	PxfDhcpServer *self = ex->server;
	g_autoptr(GInetAddress) server_addr = NULL;
	g_autoptr(GSocketAddress) local = NULL;
	g_autofree gchar *server_text = pxf_dhcp_ip_to_string(ex->server_id);
	g_autofree gchar *user_class = pxf_dhcp_packet_get_user_class(ex->pkt);
	g_autofree gchar *uuid = pxf_dhcp_packet_get_uuid(ex->pkt);
	PxfClientClassifyArgs classify = {0};
	PxfHostLookupArgs lookup = {0};

	server_addr = g_inet_address_new_from_string(server_text);
	local = g_inet_socket_address_new(server_addr, self->config->port);
	self->backend->client_init(self->backend_data, &ex->slot, ex->in->peer,
				   G_INET_SOCKET_ADDRESS(local), ex->mac);
	ex->have_slot = TRUE;

	classify.client = &ex->slot.pub;
	classify.arch = pxf_dhcp_packet_get_arch(ex->pkt);
	classify.vendor_class = ex->vendor_class;
	classify.user_class = user_class;
	classify.has_ipxe_options = pxf_dhcp_packet_has_option(ex->pkt, PXF_DHCP_OPT_IPXE);
	if (self->backend->classify(self->backend_data, &classify) == PXF_VERDICT_DROP) {
		g_info("%s from %s dropped by a client.classify callback",
		       pxf_dhcp_message_type_to_string(ex->pkt->message_type), ex->mac);
		return FALSE;
	}
	ex->firmware = classify.firmware;
	ex->stage = classify.stage;
	ex->http_boot = classify.http_boot;
	ex->pxe = ex->stage == PXF_BOOT_STAGE_IPXE || ex->stage == PXF_BOOT_STAGE_ROM ||
		  (ex->vendor_class != NULL && (g_str_has_prefix(ex->vendor_class, "PXEClient") ||
						g_str_has_prefix(ex->vendor_class, "HTTPClient")));

	lookup.client = &ex->slot.pub;
	lookup.mac = ex->mac;
	lookup.uuid = uuid;
	lookup.client_id = ex->client_id;
	if (self->backend->lookup_host(self->backend_data, &lookup) == PXF_VERDICT_DROP) {
		g_info("%s from %s dropped by a host.lookup callback",
		       pxf_dhcp_message_type_to_string(ex->pkt->message_type), ex->mac);
		return FALSE;
	}
	if (lookup.host != NULL)
		ex->slot.pub.host = lookup.host;
	return TRUE;
}

/* Built at load, or at the first packet of a server never loaded. */
static PxfDhcpHosts *
pxf_dhcp_server_get_hosts(PxfDhcpServer *self)
{
	if (self->hosts == NULL)
		pxf_dhcp_server_hosts_changed(self);
	return self->hosts;
}

/* This client's fixed address in its subnet: its host's, else the one the
 * inventory gives its MAC. */
static void
pxf_dhcp_exchange_find_fixed(PxfDhcpExchange *ex)
{
	const PxfHost *host = ex->have_slot ? ex->slot.pub.host : NULL;
	guint32 ip = 0;

	if (host != NULL && pxf_host_get_ip(host) != NULL) {
		if (!pxf_dhcp_ip_from_string(pxf_host_get_ip(host), &ip))
			ip = 0;
	} else {
		ip = pxf_dhcp_hosts_lookup_mac(pxf_dhcp_server_get_hosts(ex->server), ex->mac);
	}
	if (ip == 0)
		return;
	if ((ip & ex->subnet->mask) != ex->subnet->network || ip == ex->subnet->network ||
	    ip == ex->subnet->broadcast) {
		g_autofree gchar *text = pxf_dhcp_ip_to_string(ip);
		g_info("%s has the fixed address %s outside %s; serving it from the pool", ex->mac,
		       text, ex->subnet->cidr);
		return;
	}
	ex->fixed_ip = ip;
}

static gboolean
pxf_dhcp_subnet_serves(const PxfDhcpSubnet *subnet, guint32 ip)
{
	for (guint i = 0; i < subnet->routers->len; i++) {
		if (g_array_index(subnet->routers, guint32, i) == ip)
			return TRUE;
	}
	for (guint i = 0; i < subnet->dns_servers->len; i++) {
		if (g_array_index(subnet->dns_servers, guint32, i) == ip)
			return TRUE;
	}
	return subnet->next_server != 0 && subnet->next_server == ip;
}

/* Whether the dynamic pool never hands ip out here: this server's own
 * addresses, the subnet's routers, DNS servers and next-server, and other
 * hosts' fixed addresses. */
static gboolean
pxf_dhcp_exchange_is_reserved(PxfDhcpExchange *ex, guint32 ip)
{
	PxfDhcpHosts *hosts = pxf_dhcp_server_get_hosts(ex->server);

	if (ip == ex->server_id || pxf_dhcp_exchange_is_local(ex, ip))
		return TRUE;
	if (!g_hash_table_contains(pxf_dhcp_hosts_get_reserved(hosts, ex->subnet),
				   GUINT_TO_POINTER(ip)))
		return FALSE;
	return g_strcmp0(pxf_dhcp_hosts_lookup_ip(hosts, ip), ex->mac) != 0 ||
	       pxf_dhcp_subnet_serves(ex->subnet, ip);
}

/* The pool's reserved set for one offer without copying the subnet's (it
 * holds every fixed address): this server's own addresses are added and
 * the client's own fixed address lifted, until the offer is made. */
typedef struct {
	GHashTable *set;
	guint32 added[16];
	guint n_added;
	guint32 lifted;
} PxfDhcpReservation;

static void
pxf_dhcp_reservation_add(PxfDhcpReservation *r, guint32 ip)
{
	if (ip == 0 || g_hash_table_contains(r->set, GUINT_TO_POINTER(ip)))
		return;
	if (r->n_added == G_N_ELEMENTS(r->added))
		return;
	g_hash_table_add(r->set, GUINT_TO_POINTER(ip));
	r->added[r->n_added++] = ip;
}

static gboolean
pxf_dhcp_reservation_begin(PxfDhcpExchange *ex, PxfDhcpReservation *r)
{
	PxfDhcpHosts *hosts = pxf_dhcp_server_get_hosts(ex->server);
	guint32 own;

	memset(r, 0, sizeof(*r));
	r->set = pxf_dhcp_hosts_get_reserved(hosts, ex->subnet);
	for (guint i = 0; ex->in->local != NULL && i < ex->in->local->len; i++) {
		guint32 ip = pxf_dhcp_local_ip(ex->in, i);
		if (ip >= ex->subnet->range_start && ip <= ex->subnet->range_end)
			pxf_dhcp_reservation_add(r, ip);
	}
	pxf_dhcp_reservation_add(r, ex->server_id);
	own = pxf_dhcp_hosts_lookup_mac(hosts, ex->mac);
	if (own != 0 && !pxf_dhcp_subnet_serves(ex->subnet, own) &&
	    g_hash_table_remove(r->set, GUINT_TO_POINTER(own)))
		r->lifted = own;
	/* more local addresses in the range than the inline list holds */
	for (guint i = 0; ex->in->local != NULL && i < ex->in->local->len; i++) {
		guint32 ip = pxf_dhcp_local_ip(ex->in, i);
		if (ip >= ex->subnet->range_start && ip <= ex->subnet->range_end &&
		    !g_hash_table_contains(r->set, GUINT_TO_POINTER(ip)))
			return FALSE;
	}
	return TRUE;
}

static void
pxf_dhcp_reservation_end(PxfDhcpReservation *r)
{
	if (r->set == NULL)
		return;
	for (guint i = 0; i < r->n_added; i++)
		g_hash_table_remove(r->set, GUINT_TO_POINTER(r->added[i]));
	if (r->lifted != 0)
		g_hash_table_add(r->set, GUINT_TO_POINTER(r->lifted));
	r->set = NULL;
}

/* Whether ip may be bound to this client: its fixed address, or a pool
 * address nobody has reserved. */
static gboolean
pxf_dhcp_exchange_address_valid(PxfDhcpExchange *ex, guint32 ip, const gchar **why)
{
	if ((ip & ex->subnet->mask) != ex->subnet->network) {
		*why = "wrong network";
		return FALSE;
	}
	if (ex->fixed_ip != 0) {
		*why = "the client has another fixed address";
		return ip == ex->fixed_ip;
	}
	if (ip < ex->subnet->range_start || ip > ex->subnet->range_end) {
		*why = "not in the dynamic range";
		return FALSE;
	}
	if (pxf_dhcp_exchange_is_reserved(ex, ip)) {
		*why = "address reserved";
		return FALSE;
	}
	return TRUE;
}

static gint64
pxf_dhcp_exchange_lease_time(PxfDhcpExchange *ex)
{
	gint64 t = ex->subnet->lease_time;
	guint32 asked = 0;
	if (pxf_dhcp_packet_get_u32(ex->pkt, PXF_DHCP_OPT_LEASE_TIME, &asked) && asked < t)
		t = MAX((gint64)asked, MIN(t, (gint64)PXF_DHCP_LEASE_TIME_MIN));
	return t;
}

static void
pxf_dhcp_exchange_event(PxfDhcpExchange *ex, PxfHostEventType type, guint32 ip)
{
	g_autofree gchar *detail = ip != 0 ? pxf_dhcp_ip_to_string(ip) : NULL;
	ex->server->backend->emit_event(ex->server->backend_data, &ex->slot.pub, ex->mac, type,
					detail);
}

/* ---- the messages ----------------------------------------------------------- */

static gboolean
pxf_dhcp_server_discover(PxfDhcpExchange *ex, PxfDhcpOutgoing *out)
{
	PxfDhcpServer *self = ex->server;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;
	PxfDhcpReservation reservation;
	PxfDhcpPool pool = {0};
	guint32 requested = 0;
	guint32 ip;

	if (!pxf_dhcp_exchange_identify(ex))
		return FALSE;
	if (!g_hash_table_contains(self->seen, ex->mac)) {
		if (g_hash_table_size(self->seen) >= PXF_DHCP_SEEN_MAX)
			g_hash_table_remove_all(self->seen);
		g_hash_table_add(self->seen, g_strdup(ex->mac));
		pxf_dhcp_exchange_event(ex, PXF_HOST_EVENT_DISCOVERED, 0);
	}
	self->backend->host_seen(self->backend_data, &ex->slot.pub);

	pxf_dhcp_exchange_find_fixed(ex);
	if (ex->fixed_ip != 0) {
		PxfDhcpLease *lease = pxf_dhcp_leases_lookup(self->leases, ex->fixed_ip);
		if (lease != NULL && lease->state == PXF_DHCP_LEASE_DECLINED &&
		    lease->expires > ex->now) {
			text = pxf_dhcp_ip_to_string(ex->fixed_ip);
			pxf_dhcp_server_complain(self,
						 "not offering %s its fixed address %s: declined "
						 "as in use on the network",
						 ex->mac, text);
			return FALSE;
		}
	}
	if (!pxf_dhcp_reservation_begin(ex, &reservation)) {
		pxf_dhcp_reservation_end(&reservation);
		pxf_dhcp_server_complain(self, "DISCOVER from %s: too many local addresses in %s",
					 ex->mac, ex->subnet->cidr);
		return FALSE;
	}
	pool.start = ex->subnet->range_start;
	pool.end = ex->subnet->range_end;
	pool.reserved = reservation.set;
	(void)pxf_dhcp_packet_get_u32(ex->pkt, PXF_DHCP_OPT_REQUESTED_IP, &requested);
	ip = pxf_dhcp_leases_offer(self->leases, &ex->owner, &pool, ex->fixed_ip, requested,
				   ex->now, self->config->offer_hold, &error);
	pxf_dhcp_reservation_end(&reservation);
	if (ip == 0) {
		pxf_dhcp_server_complain(self, "no address for %s in %s: %s", ex->mac,
					 ex->subnet->cidr, error->message);
		return FALSE;
	}
	if (!pxf_dhcp_reply_build(ex, PXF_DHCP_OFFER, ip, pxf_dhcp_exchange_lease_time(ex), NULL,
				  out))
		return FALSE;
	text = pxf_dhcp_ip_to_string(ip);
	g_info("DISCOVER from %s on %s: OFFER %s", ex->mac, ex->in->ifname ? ex->in->ifname : "-",
	       text);
	pxf_dhcp_exchange_event(ex, PXF_HOST_EVENT_OFFERED, ip);
	return TRUE;
}

static gboolean
pxf_dhcp_server_nak(PxfDhcpExchange *ex, guint32 ip, const gchar *why, PxfDhcpOutgoing *out)
{
	g_autofree gchar *text = pxf_dhcp_ip_to_string(ip);
	g_info("REQUEST from %s for %s: NAK (%s)", ex->mac, text, why);
	return pxf_dhcp_reply_build(ex, PXF_DHCP_NAK, 0, 0, why, out);
}

static gboolean
pxf_dhcp_server_request(PxfDhcpExchange *ex, PxfDhcpOutgoing *out)
{
	PxfDhcpServer *self = ex->server;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;
	guint32 server_id = 0;
	guint32 requested = 0;
	gboolean selecting;
	const gchar *why = NULL;
	gint64 lease_time;
	guint32 ip;

	selecting = pxf_dhcp_packet_get_u32(ex->pkt, PXF_DHCP_OPT_SERVER_ID, &server_id);
	(void)pxf_dhcp_packet_get_u32(ex->pkt, PXF_DHCP_OPT_REQUESTED_IP, &requested);
	if (selecting && !pxf_dhcp_exchange_is_local(ex, server_id)) {
		/* RFC 2131 4.3.2: the client chose another server's offer */
		g_debug("REQUEST from %s is for another server; releasing our offer", ex->mac);
		pxf_dhcp_leases_forget_offer(self->leases, &ex->owner, ex->now);
		return FALSE;
	}
	if (selecting || requested != 0) {
		/* SELECTING or INIT-REBOOT */
		ip = requested;
	} else {
		/* RENEWING (unicast) or REBINDING (broadcast) */
		ip = ex->pkt->ciaddr;
	}
	if (ip == 0) {
		pxf_dhcp_server_complain(self, "REQUEST from %s (%s) names no address; dropped",
					 ex->mac, ex->peer);
		return FALSE;
	}
	if (!pxf_dhcp_exchange_identify(ex))
		return FALSE;
	pxf_dhcp_exchange_find_fixed(ex);
	if (!pxf_dhcp_exchange_address_valid(ex, ip, &why))
		return pxf_dhcp_server_nak(ex, ip, why, out);
	if (!selecting) {
		/* INIT-REBOOT/RENEW for an address other than the one it holds */
		PxfDhcpLease *mine =
			pxf_dhcp_leases_find_client(self->leases, &ex->owner, ex->subnet->network,
						    ex->subnet->broadcast, ex->now);
		if (mine != NULL && mine->ip != ip &&
		    pxf_dhcp_lease_is_held_by(mine, &ex->owner, ex->now) &&
		    mine->state == PXF_DHCP_LEASE_BOUND)
			return pxf_dhcp_server_nak(ex, ip, "the client holds another address", out);
	}
	lease_time = pxf_dhcp_exchange_lease_time(ex);
	/* the ACK goes out only once the store has the lease: see defer() */
	if (!pxf_dhcp_leases_bind(self->leases, &ex->owner, ip, ip == ex->fixed_ip, ex->now,
				  lease_time, &error)) {
		if (g_error_matches(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_TAKEN))
			return pxf_dhcp_server_nak(ex, ip, "address in use", out);
		g_warning("REQUEST from %s: %s; not acknowledged", ex->mac, error->message);
		return FALSE;
	}
	/* without a send function no pass to group by: written now */
	if (self->send_func == NULL && !pxf_dhcp_leases_commit(self->leases, &error)) {
		g_warning("REQUEST from %s: %s; not acknowledged", ex->mac, error->message);
		return FALSE;
	}
	ex->bound = TRUE;
	if (!pxf_dhcp_reply_build(ex, PXF_DHCP_ACK, ip, lease_time, NULL, out))
		return FALSE;
	text = pxf_dhcp_ip_to_string(ip);
	g_info("REQUEST from %s on %s: ACK %s for %" G_GINT64_FORMAT " s", ex->mac,
	       ex->in->ifname ? ex->in->ifname : "-", text, lease_time);
	pxf_dhcp_exchange_event(ex, PXF_HOST_EVENT_ACKED, ip);
	return TRUE;
}

static gboolean
pxf_dhcp_exchange_for_us(PxfDhcpExchange *ex)
{
	guint32 server_id = 0;
	if (!pxf_dhcp_packet_get_u32(ex->pkt, PXF_DHCP_OPT_SERVER_ID, &server_id))
		return TRUE;
	return pxf_dhcp_exchange_is_local(ex, server_id);
}

static void
pxf_dhcp_server_decline(PxfDhcpExchange *ex)
{
	PxfDhcpServer *self = ex->server;
	g_autofree gchar *text = NULL;
	guint32 ip = 0;

	if (!pxf_dhcp_exchange_for_us(ex))
		return;
	if (!pxf_dhcp_packet_get_u32(ex->pkt, PXF_DHCP_OPT_REQUESTED_IP, &ip)) {
		pxf_dhcp_server_complain(self, "DECLINE from %s (%s) names no address", ex->mac,
					 ex->peer);
		return;
	}
	text = pxf_dhcp_ip_to_string(ip);
	if (!pxf_dhcp_leases_decline(self->leases, &ex->owner, ip, ex->now,
				     self->config->decline_time)) {
		pxf_dhcp_server_complain(self, "DECLINE from %s for %s, which it does not hold",
					 ex->mac, text);
		return;
	}
	g_warning("%s declined %s: another machine uses it; kept out of the pool for "
		  "%" G_GINT64_FORMAT " s",
		  ex->mac, text, self->config->decline_time);
}

static void
pxf_dhcp_server_release(PxfDhcpExchange *ex)
{
	g_autofree gchar *text = pxf_dhcp_ip_to_string(ex->pkt->ciaddr);
	if (!pxf_dhcp_exchange_for_us(ex))
		return;
	if (pxf_dhcp_leases_release(ex->server->leases, &ex->owner, ex->pkt->ciaddr, ex->now))
		g_info("RELEASE from %s: %s is free", ex->mac, text);
	else
		g_debug("RELEASE from %s for %s, which it does not hold", ex->mac, text);
}

static gboolean
pxf_dhcp_server_inform(PxfDhcpExchange *ex, PxfDhcpOutgoing *out)
{
	/* RFC 2131 4.3.5: configuration only, to ciaddr, no lease */
	if (ex->pkt->ciaddr == 0) {
		pxf_dhcp_server_complain(ex->server, "INFORM from %s (%s) without ciaddr", ex->mac,
					 ex->peer);
		return FALSE;
	}
	if (!pxf_dhcp_exchange_identify(ex))
		return FALSE;
	pxf_dhcp_exchange_find_fixed(ex);
	return pxf_dhcp_reply_build(ex, PXF_DHCP_ACK, 0, 0, NULL, out);
}

/* ---- entry -------------------------------------------------------------------- */

static gchar *
pxf_dhcp_raw_mac(const guint8 *data, gsize len)
{
	/* best effort, for naming the sender of a packet we cannot parse */
	if (len < 34 || data[1] != 1 || data[2] != 6)
		return g_strdup("?");
	return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", data[28], data[29], data[30],
			       data[31], data[32], data[33]);
}

static void
pxf_dhcp_exchange_clear(PxfDhcpExchange *ex)
{
	if (ex->have_slot)
		ex->server->backend->client_clear(ex->server->backend_data, &ex->slot);
	g_free(ex->mac);
	g_free(ex->client_id);
	g_free(ex->client_hostname);
	g_free(ex->vendor_class);
	g_free(ex->peer);
}

gboolean
pxf_dhcp_server_handle(PxfDhcpServer *self,
		       const guint8 *data,
		       gsize len,
		       const PxfDhcpIncoming *in,
		       PxfDhcpOutgoing *out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfDhcpPacket) pkt = NULL;
	g_autofree gchar *peer = NULL;
	PxfDhcpExchange ex = {0};
	gboolean reply = FALSE;

	memset(out, 0, sizeof(*out));
	peer = g_inet_address_to_string(g_inet_socket_address_get_address(in->peer));
	pkt = pxf_dhcp_packet_parse(data, len, &error);
	if (pkt == NULL) {
		g_autofree gchar *mac = pxf_dhcp_raw_mac(data, len);
		pxf_dhcp_server_complain(
			self, "dropping a malformed packet from %s (chaddr %s) on %s: %s", peer,
			mac, in->ifname != NULL ? in->ifname : "-", error->message);
		return FALSE;
	}
	if (pkt->op != PXF_DHCP_OP_BOOTREQUEST) {
		g_debug("ignoring a BOOTREPLY from %s", peer);
		return FALSE;
	}
	if (pkt->message_type == 0) {
		g_debug("ignoring a BOOTP request from %s: only DHCP is served", peer);
		return FALSE;
	}

	ex.server = self;
	ex.in = in;
	ex.pkt = pkt;
	ex.now = self->backend->now(self->backend_data);
	ex.peer = g_steal_pointer(&peer);
	ex.mac = pxf_dhcp_packet_get_mac(pkt);
	if (ex.mac == NULL) {
		pxf_dhcp_server_complain(self,
					 "dropping DHCP%s from %s: hardware type %u, length %u is "
					 "not Ethernet",
					 pxf_dhcp_message_type_to_string(pkt->message_type),
					 ex.peer, pkt->htype, pkt->hlen);
		pxf_dhcp_exchange_clear(&ex);
		return FALSE;
	}
	ex.client_id = pxf_dhcp_packet_get_client_id(pkt);
	ex.client_hostname = pxf_dhcp_packet_get_string(pkt, PXF_DHCP_OPT_HOSTNAME);
	ex.vendor_class = pxf_dhcp_packet_get_string(pkt, PXF_DHCP_OPT_VENDOR_CLASS);
	ex.owner.mac = ex.mac;
	ex.owner.client_id = ex.client_id;
	ex.owner.hostname = ex.client_hostname;
	if (!pxf_dhcp_exchange_select_subnet(&ex)) {
		g_autofree gchar *relay =
			pkt->giaddr != 0 ? pxf_dhcp_ip_to_string(pkt->giaddr) : NULL;
		pxf_dhcp_server_complain(self, "DHCP%s from %s on %s: no configured subnet %s %s",
					 pxf_dhcp_message_type_to_string(pkt->message_type), ex.mac,
					 in->ifname != NULL ? in->ifname : "-",
					 relay != NULL ? "holds the relay address"
						       : "matches the addresses of",
					 relay != NULL ? relay : "the interface");
		pxf_dhcp_exchange_clear(&ex);
		return FALSE;
	}
	g_debug("DHCP%s from %s (%s) on %s, xid 0x%08x",
		pxf_dhcp_message_type_to_string(pkt->message_type), ex.mac, ex.peer,
		in->ifname != NULL ? in->ifname : "-", pkt->xid);

	switch (pkt->message_type) {
	case PXF_DHCP_DISCOVER:
		reply = pxf_dhcp_server_discover(&ex, out);
		break;
	case PXF_DHCP_REQUEST:
		reply = pxf_dhcp_server_request(&ex, out);
		break;
	case PXF_DHCP_DECLINE:
		pxf_dhcp_server_decline(&ex);
		break;
	case PXF_DHCP_RELEASE:
		pxf_dhcp_server_release(&ex);
		break;
	case PXF_DHCP_INFORM:
		reply = pxf_dhcp_server_inform(&ex, out);
		break;
	default:
		g_debug("ignoring DHCP message type %u from %s", pkt->message_type, ex.mac);
		break;
	}
	reply = pxf_dhcp_server_defer(self, &ex, reply, out);
	pxf_dhcp_exchange_clear(&ex);
	if (!reply)
		pxf_dhcp_outgoing_clear(out);
	return reply;
}
