/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include "pxf-dhcp-leases.h"
#include "pxf-dhcp-packet.h"

/* A dynamic range seen by offer(): which addresses ever had a record (a
 * bitmap, so a never-used one is found a word at a time from a cursor that
 * only moves forward) and the records in it ordered by the time from which
 * another client may have them (the oldest-free first). */
typedef struct {
	guint32 start;
	guint32 end;
	guint64 *used; /* bit i: start + i has a record */
	guint64 cursor;
	GTree *by_free; /* PxfDhcpLease* → itself */
} PxfDhcpRange;

struct _PxfDhcpLeases {
	const PxfDhcpStoreOps *ops;
	gpointer store;
	PxfDhcpOwnerFunc owner_func;
	gpointer owner_data;
	GHashTable *leases;  /* GUINT_TO_POINTER(ip) → PxfDhcpLease */
	GHashTable *by_mac;  /* mac → GPtrArray of PxfDhcpLease (not owned) */
	GHashTable *by_cid;  /* client_id → GPtrArray of PxfDhcpLease */
	GPtrArray *ranges;   /* PxfDhcpRange */
	GHashTable *pending; /* key → GBytes: the batch for the next commit */
};

/* ---- indexes --------------------------------------------------------- */

/* From when another client may have the address; G_MAXINT64 for never. */
static gint64
pxf_dhcp_lease_free_from(const PxfDhcpLease *lease)
{
	if (lease->state == PXF_DHCP_LEASE_UNREADABLE)
		return G_MAXINT64;
	if (lease->state == PXF_DHCP_LEASE_RELEASED)
		return MIN(lease->updated, lease->expires);
	return lease->expires;
}

static gint
pxf_dhcp_lease_cmp_free(gconstpointer a, gconstpointer b, gpointer user_data)
{
	const PxfDhcpLease *la = a;
	const PxfDhcpLease *lb = b;
	gint64 fa = pxf_dhcp_lease_free_from(la);
	gint64 fb = pxf_dhcp_lease_free_from(lb);

	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (la->ip != lb->ip)
		return la->ip < lb->ip ? -1 : 1;
	return 0;
}

static void
pxf_dhcp_range_free(PxfDhcpRange *range)
{
	g_free(range->used);
	g_tree_unref(range->by_free);
	g_free(range);
}

static void
pxf_dhcp_range_add(PxfDhcpRange *range, PxfDhcpLease *lease)
{
	guint64 i = (guint64)lease->ip - range->start;
	range->used[i / 64] |= G_GUINT64_CONSTANT(1) << (i % 64);
	if (lease->state != PXF_DHCP_LEASE_UNREADABLE)
		g_tree_insert(range->by_free, lease, lease);
}

static void
pxf_dhcp_index_add(GHashTable *index, const gchar *key, PxfDhcpLease *lease)
{
	GPtrArray *list;

	if (key == NULL)
		return;
	list = g_hash_table_lookup(index, key);
	if (list == NULL) {
		list = g_ptr_array_new();
		g_hash_table_insert(index, g_strdup(key), list);
	}
	g_ptr_array_add(list, lease);
}

static void
pxf_dhcp_index_remove(GHashTable *index, const gchar *key, PxfDhcpLease *lease)
{
	GPtrArray *list;

	if (key == NULL || (list = g_hash_table_lookup(index, key)) == NULL)
		return;
	g_ptr_array_remove_fast(list, lease);
	if (list->len == 0)
		g_hash_table_remove(index, key);
}

static void
pxf_dhcp_leases_unindex(PxfDhcpLeases *self, PxfDhcpLease *lease)
{
	pxf_dhcp_index_remove(self->by_mac, lease->mac, lease);
	pxf_dhcp_index_remove(self->by_cid, lease->client_id, lease);
	for (guint i = 0; i < self->ranges->len; i++) {
		PxfDhcpRange *range = g_ptr_array_index(self->ranges, i);
		if (lease->ip >= range->start && lease->ip <= range->end)
			g_tree_remove(range->by_free, lease);
	}
}

static void
pxf_dhcp_leases_index(PxfDhcpLeases *self, PxfDhcpLease *lease)
{
	pxf_dhcp_index_add(self->by_mac, lease->mac, lease);
	pxf_dhcp_index_add(self->by_cid, lease->client_id, lease);
	for (guint i = 0; i < self->ranges->len; i++) {
		PxfDhcpRange *range = g_ptr_array_index(self->ranges, i);
		if (lease->ip >= range->start && lease->ip <= range->end)
			pxf_dhcp_range_add(range, lease);
	}
}

/* The range of pool, built on first use (one pass over the table). */
static PxfDhcpRange *
pxf_dhcp_leases_range(PxfDhcpLeases *self, const PxfDhcpPool *pool)
{
	PxfDhcpRange *range;
	GHashTableIter iter;
	gpointer value;
	guint64 size = (guint64)pool->end - pool->start + 1;

	for (guint i = 0; i < self->ranges->len; i++) {
		range = g_ptr_array_index(self->ranges, i);
		if (range->start == pool->start && range->end == pool->end)
			return range;
	}
	range = g_new0(PxfDhcpRange, 1);
	range->start = pool->start;
	range->end = pool->end;
	range->used = g_new0(guint64, (size + 63) / 64);
	range->by_free = g_tree_new_full(pxf_dhcp_lease_cmp_free, NULL, NULL, NULL);
	g_hash_table_iter_init(&iter, self->leases);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		PxfDhcpLease *lease = value;
		if (lease->ip >= range->start && lease->ip <= range->end)
			pxf_dhcp_range_add(range, lease);
	}
	g_ptr_array_add(self->ranges, range);
	return range;
}

/* ---- the table ---------------------------------------------------------- */

PxfDhcpLeases *
pxf_dhcp_leases_new(const PxfDhcpStoreOps *ops,
		    gpointer store,
		    PxfDhcpOwnerFunc owner_func,
		    gpointer owner_data)
{
	PxfDhcpLeases *self = g_new0(PxfDhcpLeases, 1);
	self->ops = ops;
	self->store = store;
	self->owner_func = owner_func;
	self->owner_data = owner_data;
	self->leases = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					     (GDestroyNotify)pxf_dhcp_lease_free);
	self->by_mac = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     (GDestroyNotify)g_ptr_array_unref);
	self->by_cid = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     (GDestroyNotify)g_ptr_array_unref);
	self->ranges = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_dhcp_range_free);
	self->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)g_bytes_unref);
	return self;
}

void
pxf_dhcp_leases_free(PxfDhcpLeases *self)
{
	if (self == NULL)
		return;
	if (g_hash_table_size(self->pending) > 0)
		g_debug("%u lease changes not committed at shutdown",
			g_hash_table_size(self->pending));
	g_ptr_array_unref(self->ranges);
	g_hash_table_unref(self->by_mac);
	g_hash_table_unref(self->by_cid);
	g_hash_table_unref(self->leases);
	g_hash_table_unref(self->pending);
	g_free(self);
}

guint
pxf_dhcp_leases_get_size(PxfDhcpLeases *self)
{
	return g_hash_table_size(self->leases);
}

PxfDhcpLease *
pxf_dhcp_leases_lookup(PxfDhcpLeases *self, guint32 ip)
{
	return g_hash_table_lookup(self->leases, GUINT_TO_POINTER(ip));
}

static void
pxf_dhcp_leases_announce(PxfDhcpLeases *self, PxfDhcpLease *lease, gint64 now)
{
	gboolean bound = lease->state == PXF_DHCP_LEASE_BOUND && lease->expires > now;
	if (bound && !lease->announced) {
		lease->announced = TRUE;
		if (self->owner_func != NULL)
			self->owner_func(lease->ip, lease->mac, self->owner_data);
	} else if (!bound && lease->announced) {
		lease->announced = FALSE;
		if (self->owner_func != NULL)
			self->owner_func(lease->ip, NULL, self->owner_data);
	}
}

/* Puts a record into the table and its indexes (taking it), keeping the
 * announcement state of the one it replaces consistent with the core's
 * address table. */
static PxfDhcpLease *
pxf_dhcp_leases_install(PxfDhcpLeases *self, PxfDhcpLease *lease, gint64 now)
{
	PxfDhcpLease *old = pxf_dhcp_leases_lookup(self, lease->ip);
	if (old != NULL) {
		if (old->announced) {
			if (g_strcmp0(old->mac, lease->mac) == 0)
				lease->announced = TRUE;
			else if (self->owner_func != NULL)
				self->owner_func(old->ip, NULL, self->owner_data);
		}
		pxf_dhcp_leases_unindex(self, old);
	}
	g_hash_table_replace(self->leases, GUINT_TO_POINTER(lease->ip), lease);
	pxf_dhcp_leases_index(self, lease);
	pxf_dhcp_leases_announce(self, lease, now);
	return lease;
}

static PxfDhcpLease *
pxf_dhcp_leases_install_raw(
	PxfDhcpLeases *self, const gchar *key, guint32 ip, GBytes *value, gint64 now)
{
	g_autoptr(GError) error = NULL;
	PxfDhcpLease *lease = pxf_dhcp_lease_from_bytes(key, value, &error);
	if (lease == NULL) {
		g_warning("%s; the address is not handed out until the record is fixed or "
			  "removed",
			  error->message);
		lease = g_new0(PxfDhcpLease, 1);
		lease->ip = ip;
		lease->state = PXF_DHCP_LEASE_UNREADABLE;
		lease->stored = g_bytes_ref(value);
	}
	return pxf_dhcp_leases_install(self, lease, now);
}

/* The one way a record changes: in memory now and, when persist, in the
 * batch of the next commit (an offer is never written). */
static gboolean
pxf_dhcp_leases_write(PxfDhcpLeases *self,
		      guint32 ip,
		      const PxfDhcpLeaseOwner *owner,
		      PxfDhcpLeaseState state,
		      gint64 expires,
		      gboolean take_over,
		      gint64 now,
		      GError **error)
{
	PxfDhcpLease *old = pxf_dhcp_leases_lookup(self, ip);
	g_autoptr(PxfDhcpLease) lease = NULL;

	if (old != NULL && !take_over && pxf_dhcp_lease_is_blocked_for(old, owner, now)) {
		g_autofree gchar *key = pxf_dhcp_ip_to_string(ip);
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_TAKEN, "%s is %s for %s", key,
			    pxf_dhcp_lease_state_to_string(old->state),
			    old->mac != NULL ? old->mac : "an unreadable record");
		return FALSE;
	}
	lease = g_new0(PxfDhcpLease, 1);
	lease->ip = ip;
	lease->state = state;
	lease->mac = g_strdup(owner->mac);
	lease->client_id = g_strdup(owner->client_id);
	lease->hostname = g_strdup(owner->hostname);
	/* keep the name a client gave before when it sends none now */
	if (lease->hostname == NULL && old != NULL && pxf_dhcp_lease_matches(old, owner))
		lease->hostname = g_strdup(old->hostname);
	lease->expires = expires;
	lease->updated = now;
	/* giving back an offer changes nothing the store knows of */
	if (state != PXF_DHCP_LEASE_OFFERED &&
	    !(state == PXF_DHCP_LEASE_RELEASED && old != NULL && old->stored == NULL)) {
		lease->stored = pxf_dhcp_lease_to_bytes(lease);
		g_hash_table_replace(self->pending, pxf_dhcp_ip_to_string(ip),
				     g_bytes_ref(lease->stored));
	}
	pxf_dhcp_leases_install(self, g_steal_pointer(&lease), now);
	return TRUE;
}

gboolean
pxf_dhcp_leases_load(PxfDhcpLeases *self, gint64 now, GError **error)
{
	g_autoptr(GHashTable) records = NULL;
	g_autoptr(GError) error_local = NULL;
	GHashTableIter iter;
	gpointer key, value;
	guint n_bound = 0;

	records = self->ops->list(self->store, &error_local);
	if (records == NULL) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_STORE, "cannot list leases: %s",
			    error_local != NULL ? error_local->message : "failed");
		return FALSE;
	}
	g_hash_table_iter_init(&iter, records);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		guint32 ip = 0;
		PxfDhcpLease *lease;
		if (!pxf_dhcp_ip_from_string(key, &ip)) {
			g_warning("ignoring lease record \"%s\": not an IPv4 address",
				  (const gchar *)key);
			continue;
		}
		lease = pxf_dhcp_leases_install_raw(self, key, ip, value, now);
		if (lease->announced)
			n_bound++;
	}
	g_info("loaded %u lease records, %u bound", g_hash_table_size(self->leases), n_bound);
	return TRUE;
}

/* Adds to out each record that matches owner, through the indexes. */
static void
pxf_dhcp_leases_foreach_client(PxfDhcpLeases *self, const PxfDhcpLeaseOwner *owner, GPtrArray *out)
{
	GPtrArray *by_cid = owner->client_id != NULL
				    ? g_hash_table_lookup(self->by_cid, owner->client_id)
				    : NULL;
	GPtrArray *by_mac = g_hash_table_lookup(self->by_mac, owner->mac);

	for (guint i = 0; by_cid != NULL && i < by_cid->len; i++)
		g_ptr_array_add(out, g_ptr_array_index(by_cid, i));
	for (guint i = 0; by_mac != NULL && i < by_mac->len; i++) {
		PxfDhcpLease *lease = g_ptr_array_index(by_mac, i);
		/* the ones with the client id are listed already */
		if (pxf_dhcp_lease_matches(lease, owner) &&
		    (lease->client_id == NULL || owner->client_id == NULL))
			g_ptr_array_add(out, lease);
	}
}

PxfDhcpLease *
pxf_dhcp_leases_find_client(
	PxfDhcpLeases *self, const PxfDhcpLeaseOwner *owner, guint32 start, guint32 end, gint64 now)
{
	g_autoptr(GPtrArray) mine = g_ptr_array_new();
	PxfDhcpLease *best = NULL;

	pxf_dhcp_leases_foreach_client(self, owner, mine);
	for (guint i = 0; i < mine->len; i++) {
		PxfDhcpLease *lease = g_ptr_array_index(mine, i);
		if (lease->ip < start || lease->ip > end)
			continue;
		if (lease->state == PXF_DHCP_LEASE_DECLINED ||
		    lease->state == PXF_DHCP_LEASE_UNREADABLE)
			continue;
		if (pxf_dhcp_lease_is_held_by(lease, owner, now))
			return lease;
		if (best == NULL || lease->updated > best->updated)
			best = lease;
	}
	return best;
}

static gboolean
pxf_dhcp_pool_contains(const PxfDhcpPool *pool, guint32 ip)
{
	if (ip < pool->start || ip > pool->end)
		return FALSE;
	return pool->reserved == NULL ||
	       !g_hash_table_contains(pool->reserved, GUINT_TO_POINTER(ip));
}

/* Tries to hold ip for owner; FALSE without error when someone has it. */
static gboolean
pxf_dhcp_leases_try_hold(PxfDhcpLeases *self,
			 const PxfDhcpLeaseOwner *owner,
			 guint32 ip,
			 gboolean take_over,
			 gint64 now,
			 gint64 hold,
			 GError **error)
{
	g_autoptr(GError) error_local = NULL;
	PxfDhcpLease *lease = pxf_dhcp_leases_lookup(self, ip);

	/* a bound lease already protects the address: never downgrade it */
	if (lease != NULL && lease->state == PXF_DHCP_LEASE_BOUND &&
	    pxf_dhcp_lease_is_held_by(lease, owner, now))
		return TRUE;
	if (pxf_dhcp_leases_write(self, ip, owner, PXF_DHCP_LEASE_OFFERED, now + hold, take_over,
				  now, &error_local))
		return TRUE;
	if (g_error_matches(error_local, PXF_DHCP_ERROR, PXF_DHCP_ERROR_TAKEN))
		return FALSE;
	g_propagate_error(error, g_steal_pointer(&error_local));
	return FALSE;
}

/* An address of the pool that never had a record: from the cursor, a word
 * of the bitmap at a time, wrapping once; 0 when none. */
static guint32
pxf_dhcp_range_next_unused(PxfDhcpRange *range, const PxfDhcpPool *pool)
{
	guint64 size = (guint64)range->end - range->start + 1;
	guint64 n_words = (size + 63) / 64;

	for (guint64 n = 0; n <= n_words; n++) {
		guint64 w = (range->cursor / 64 + n) % n_words;
		guint64 bits = ~range->used[w];

		/* bits before the cursor in its own word come last, on the wrap */
		if (n == 0)
			bits &= ~G_GUINT64_CONSTANT(0) << (range->cursor % 64);
		while (bits != 0) {
			guint b = (guint)__builtin_ctzll(bits);
			guint64 i = w * 64 + b;
			bits &= bits - 1;
			if (i >= size)
				break;
			if (pxf_dhcp_pool_contains(pool, range->start + (guint32)i)) {
				range->cursor = i;
				return range->start + (guint32)i;
			}
		}
	}
	return 0;
}

typedef struct {
	const PxfDhcpPool *pool;
	const PxfDhcpLeaseOwner *owner;
	gint64 now;
	PxfDhcpLease *found;
} PxfDhcpFreeSearch;

static gboolean
pxf_dhcp_range_free_cb(gpointer key, gpointer value, gpointer user_data)
{
	PxfDhcpFreeSearch *search = user_data;
	PxfDhcpLease *lease = value;

	/* in free order: past the first one still held, none is free */
	if (pxf_dhcp_lease_free_from(lease) > search->now)
		return TRUE;
	if (pxf_dhcp_pool_contains(search->pool, lease->ip) &&
	    !pxf_dhcp_lease_is_blocked_for(lease, search->owner, search->now)) {
		search->found = lease;
		return TRUE;
	}
	return FALSE;
}

guint32
pxf_dhcp_leases_offer(PxfDhcpLeases *self,
		      const PxfDhcpLeaseOwner *owner,
		      const PxfDhcpPool *pool,
		      guint32 fixed_ip,
		      guint32 requested,
		      gint64 now,
		      gint64 hold,
		      GError **error)
{
	g_autoptr(GError) error_local = NULL;
	PxfDhcpLease *mine;
	PxfDhcpRange *range;
	PxfDhcpFreeSearch search = {pool, owner, now, NULL};
	guint32 ip;

	if (fixed_ip != 0) {
		if (pxf_dhcp_leases_try_hold(self, owner, fixed_ip, TRUE, now, hold, error))
			return fixed_ip;
		return 0;
	}
	if (pool == NULL || pool->start == 0 || pool->end < pool->start) {
		g_set_error_literal(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_EXHAUSTED,
				    "no dynamic range for this subnet");
		return 0;
	}

	/* the address the client has or had, so it keeps it across reboots */
	mine = pxf_dhcp_leases_find_client(self, owner, pool->start, pool->end, now);
	if (mine != NULL && pxf_dhcp_pool_contains(pool, mine->ip)) {
		ip = mine->ip;
		if (pxf_dhcp_leases_try_hold(self, owner, ip, FALSE, now, hold, &error_local))
			return ip;
		if (error_local != NULL) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return 0;
		}
	}
	if (requested != 0 && pxf_dhcp_pool_contains(pool, requested)) {
		PxfDhcpLease *lease = pxf_dhcp_leases_lookup(self, requested);
		if (lease == NULL || !pxf_dhcp_lease_is_blocked_for(lease, owner, now)) {
			if (pxf_dhcp_leases_try_hold(self, owner, requested, FALSE, now, hold,
						     &error_local))
				return requested;
			if (error_local != NULL) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return 0;
			}
		}
	}

	/* first addresses no one used, then the one other clients let go of
	 * longest ago, so a client that comes back soon still finds its own */
	range = pxf_dhcp_leases_range(self, pool);
	ip = pxf_dhcp_range_next_unused(range, pool);
	if (ip == 0) {
		g_tree_foreach(range->by_free, pxf_dhcp_range_free_cb, &search);
		if (search.found != NULL)
			ip = search.found->ip;
	}
	if (ip != 0) {
		if (pxf_dhcp_leases_try_hold(self, owner, ip, FALSE, now, hold, &error_local))
			return ip;
		if (error_local != NULL) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return 0;
		}
	}
	{
		g_autofree gchar *start = pxf_dhcp_ip_to_string(pool->start);
		g_autofree gchar *end = pxf_dhcp_ip_to_string(pool->end);
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_EXHAUSTED,
			    "no free address in %s-%s", start, end);
	}
	return 0;
}

/* The addresses other than except that owner holds (in state, or any held
 * one when state is 0). */
static GArray *
pxf_dhcp_leases_held(PxfDhcpLeases *self,
		     const PxfDhcpLeaseOwner *owner,
		     guint32 except,
		     PxfDhcpLeaseState state,
		     gint64 now)
{
	g_autoptr(GPtrArray) mine = g_ptr_array_new();
	GArray *ips = g_array_new(FALSE, FALSE, sizeof(guint32));

	pxf_dhcp_leases_foreach_client(self, owner, mine);
	for (guint i = 0; i < mine->len; i++) {
		PxfDhcpLease *lease = g_ptr_array_index(mine, i);
		if (lease->ip != except && (state == 0 || lease->state == state) &&
		    pxf_dhcp_lease_is_held_by(lease, owner, now))
			g_array_append_val(ips, lease->ip);
	}
	return ips;
}

gboolean
pxf_dhcp_leases_bind(PxfDhcpLeases *self,
		     const PxfDhcpLeaseOwner *owner,
		     guint32 ip,
		     gboolean take_over,
		     gint64 now,
		     gint64 lease_time,
		     GError **error)
{
	g_autoptr(GArray) others = NULL;

	if (!pxf_dhcp_leases_write(self, ip, owner, PXF_DHCP_LEASE_BOUND, now + lease_time,
				   take_over, now, error))
		return FALSE;

	/* one address per client: give back what it held elsewhere */
	others = pxf_dhcp_leases_held(self, owner, ip, 0, now);
	for (guint i = 0; i < others->len; i++) {
		guint32 other = g_array_index(others, guint32, i);
		g_autoptr(GError) error_local = NULL;
		if (!pxf_dhcp_leases_write(self, other, owner, PXF_DHCP_LEASE_RELEASED, now, FALSE,
					   now, &error_local))
			g_debug("cannot release the previous lease: %s", error_local->message);
	}
	return TRUE;
}

gboolean
pxf_dhcp_leases_release(PxfDhcpLeases *self, const PxfDhcpLeaseOwner *owner, guint32 ip, gint64 now)
{
	g_autoptr(GError) error = NULL;
	PxfDhcpLease *lease = pxf_dhcp_leases_lookup(self, ip);

	if (lease == NULL || !pxf_dhcp_lease_is_held_by(lease, owner, now))
		return FALSE;
	if (!pxf_dhcp_leases_write(self, ip, owner, PXF_DHCP_LEASE_RELEASED, now, FALSE, now,
				   &error)) {
		g_warning("%s", error->message);
		return FALSE;
	}
	return TRUE;
}

gboolean
pxf_dhcp_leases_decline(PxfDhcpLeases *self,
			const PxfDhcpLeaseOwner *owner,
			guint32 ip,
			gint64 now,
			gint64 quarantine)
{
	g_autoptr(GError) error = NULL;
	PxfDhcpLease *lease = pxf_dhcp_leases_lookup(self, ip);

	/* only the client the address was given to may decline it, or anyone
	 * could take addresses out of service */
	if (lease == NULL || !pxf_dhcp_lease_is_held_by(lease, owner, now))
		return FALSE;
	if (!pxf_dhcp_leases_write(self, ip, owner, PXF_DHCP_LEASE_DECLINED, now + quarantine,
				   FALSE, now, &error)) {
		g_warning("%s", error->message);
		return FALSE;
	}
	return TRUE;
}

void
pxf_dhcp_leases_forget_offer(PxfDhcpLeases *self, const PxfDhcpLeaseOwner *owner, gint64 now)
{
	g_autoptr(GArray) offered =
		pxf_dhcp_leases_held(self, owner, 0, PXF_DHCP_LEASE_OFFERED, now);

	for (guint i = 0; i < offered->len; i++)
		pxf_dhcp_leases_release(self, owner, g_array_index(offered, guint32, i), now);
}

void
pxf_dhcp_leases_expire(PxfDhcpLeases *self, gint64 now)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->leases);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		pxf_dhcp_leases_announce(self, value, now);
}

guint
pxf_dhcp_leases_get_n_pending(PxfDhcpLeases *self)
{
	return g_hash_table_size(self->pending);
}

gboolean
pxf_dhcp_leases_commit(PxfDhcpLeases *self, GError **error)
{
	g_autoptr(GHashTable) batch = NULL;
	g_autoptr(GError) error_local = NULL;

	if (g_hash_table_size(self->pending) == 0)
		return TRUE;
	batch = g_steal_pointer(&self->pending);
	self->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)g_bytes_unref);
	if (!self->ops->commit(self->store, batch, &error_local)) {
		g_set_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_STORE,
			    "cannot write %u lease changes: %s", g_hash_table_size(batch),
			    error_local != NULL ? error_local->message : "failed");
		return FALSE;
	}
	return TRUE;
}
