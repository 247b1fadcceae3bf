/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lease table and address allocator. Leases live in memory, indexed by
 * address, MAC and client identifier, with per-pool bitmaps of addresses
 * that never had a record and an expiry order of those that did, so one
 * exchange costs a few hash lookups. Offers stay in memory (a promise, not
 * a lease). Binds, releases and declines change memory at once, so later
 * packets of the same pass see them, and are queued as one batch that
 * pxf_dhcp_leases_commit() hands to the store: the ACKs of a pass go out
 * only after it returns TRUE. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	PXF_DHCP_LEASE_OFFERED = 1, /* held for a client until its REQUEST */
	PXF_DHCP_LEASE_BOUND,	    /* acknowledged */
	PXF_DHCP_LEASE_RELEASED,    /* given back; remembered for the same client */
	PXF_DHCP_LEASE_DECLINED,    /* in use by someone else on the wire: quarantined */
	PXF_DHCP_LEASE_UNREADABLE,  /* a stored record we cannot parse: never handed out */
} PxfDhcpLeaseState;

/* Lease records are JSON in the store: {"format": 1, "state": "bound",
 * "mac": ..., "client_id": ..., "hostname": ..., "expires": UNIX-SECONDS,
 * "updated": UNIX-SECONDS}. Newer formats are left alone (UNREADABLE). */
#define PXF_DHCP_LEASE_FORMAT 1

/* Who asks for an address. */
typedef struct {
	const gchar *mac;
	const gchar *client_id; /* NULL when the client sent no option 61 */
	const gchar *hostname;
} PxfDhcpLeaseOwner;

typedef struct {
	guint32 ip;
	PxfDhcpLeaseState state;
	gchar *mac;	  /* canonical */
	gchar *client_id; /* option 61 as hex, or NULL */
	gchar *hostname;  /* or NULL */
	gint64 expires;	  /* wall-clock seconds */
	gint64 updated;
	GBytes *stored;	    /* the record as read or committed; NULL for an offer */
	gboolean announced; /* the owner callback was told it is bound */
} PxfDhcpLease;

const gchar *pxf_dhcp_lease_state_to_string(PxfDhcpLeaseState state);
GBytes *pxf_dhcp_lease_to_bytes(const PxfDhcpLease *lease);
/* key is the address; fails with PXF_DHCP_ERROR_CORRUPT naming it. */
PxfDhcpLease *pxf_dhcp_lease_from_bytes(const gchar *key, GBytes *value, GError **error);
void pxf_dhcp_lease_free(PxfDhcpLease *lease);
/* RFC 2131 4.2: the client identifier when both have one, else the MAC. */
gboolean pxf_dhcp_lease_matches(const PxfDhcpLease *lease, const PxfDhcpLeaseOwner *owner);
/* Released records are not; the others until they expire. */
gboolean pxf_dhcp_lease_is_active(const PxfDhcpLease *lease, gint64 now);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpLease, pxf_dhcp_lease_free)

/* The record is offered or bound to owner and not expired. */
gboolean
pxf_dhcp_lease_is_held_by(const PxfDhcpLease *lease, const PxfDhcpLeaseOwner *owner, gint64 now);
/* Someone else (or a quarantine, or an unreadable record) holds it. */
gboolean pxf_dhcp_lease_is_blocked_for(const PxfDhcpLease *lease,
				       const PxfDhcpLeaseOwner *owner,
				       gint64 now);

/* The store, as the plugin or a test provides it; keys are dotted-quad
 * addresses. */
typedef struct {
	/* key → GBytes */
	GHashTable *(*list)(gpointer store, GError **error);
	/* changes: key → GBytes; all or nothing, durable on TRUE */
	gboolean (*commit)(gpointer store, GHashTable *changes, GError **error);
} PxfDhcpStoreOps;

/* Told when an address becomes bound to a MAC, and (mac NULL) when it stops
 * being bound: released, declined, expired or taken over. */
typedef void (*PxfDhcpOwnerFunc)(guint32 ip, const gchar *mac, gpointer user_data);

/* A dynamic pool: [start, end] inclusive, minus reserved (a set of
 * GUINT_TO_POINTER(ip), may be NULL): the server's own addresses, routers,
 * other hosts' fixed addresses. */
typedef struct {
	guint32 start;
	guint32 end;
	GHashTable *reserved;
} PxfDhcpPool;

typedef struct _PxfDhcpLeases PxfDhcpLeases;

PxfDhcpLeases *pxf_dhcp_leases_new(const PxfDhcpStoreOps *ops,
				   gpointer store,
				   PxfDhcpOwnerFunc owner_func,
				   gpointer owner_data);
void pxf_dhcp_leases_free(PxfDhcpLeases *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpLeases, pxf_dhcp_leases_free)

/* Reads every record; bound ones not yet expired are announced to the owner
 * callback, expired ones count as free. */
gboolean pxf_dhcp_leases_load(PxfDhcpLeases *self, gint64 now, GError **error);
guint pxf_dhcp_leases_get_size(PxfDhcpLeases *self);

/* Transfer none; NULL when the address has no record. */
PxfDhcpLease *pxf_dhcp_leases_lookup(PxfDhcpLeases *self, guint32 ip);
/* The record owner holds or last held in [start, end], preferring a held
 * one; declined and unreadable records are never returned. */
PxfDhcpLease *pxf_dhcp_leases_find_client(PxfDhcpLeases *self,
					  const PxfDhcpLeaseOwner *owner,
					  guint32 start,
					  guint32 end,
					  gint64 now);

/* Chooses an address for owner and holds it until now + hold: fixed_ip when
 * non-zero (taken from whoever has it), else the client's current or last
 * address in the pool, else requested (option 50) when free, else a free
 * one. Returns 0 with PXF_DHCP_ERROR_EXHAUSTED or _STORE. */
guint32 pxf_dhcp_leases_offer(PxfDhcpLeases *self,
			      const PxfDhcpLeaseOwner *owner,
			      const PxfDhcpPool *pool,
			      guint32 fixed_ip,
			      guint32 requested,
			      gint64 now,
			      gint64 hold,
			      GError **error);
/* Binds ip to owner until now + lease_time, queued for the next commit. Fails
 * with PXF_DHCP_ERROR_TAKEN when another client holds it (unless take_over,
 * for a fixed address) or it is quarantined; other addresses the owner held
 * are released. */
gboolean pxf_dhcp_leases_bind(PxfDhcpLeases *self,
			      const PxfDhcpLeaseOwner *owner,
			      guint32 ip,
			      gboolean take_over,
			      gint64 now,
			      gint64 lease_time,
			      GError **error);
/* DHCPRELEASE: FALSE (and nothing changed) unless owner holds ip. */
gboolean pxf_dhcp_leases_release(PxfDhcpLeases *self,
				 const PxfDhcpLeaseOwner *owner,
				 guint32 ip,
				 gint64 now);
/* DHCPDECLINE: quarantines ip until now + quarantine if owner held it. */
gboolean pxf_dhcp_leases_decline(PxfDhcpLeases *self,
				 const PxfDhcpLeaseOwner *owner,
				 guint32 ip,
				 gint64 now,
				 gint64 quarantine);
/* The client took another server's offer: drop the address held for it. */
void pxf_dhcp_leases_forget_offer(PxfDhcpLeases *self, const PxfDhcpLeaseOwner *owner, gint64 now);
/* Announces the end of bound leases that have expired. */
void pxf_dhcp_leases_expire(PxfDhcpLeases *self, gint64 now);

/* The changes queued since the last commit. */
guint pxf_dhcp_leases_get_n_pending(PxfDhcpLeases *self);
/* Hands the queued changes to the store as one batch; FALSE with
 * PXF_DHCP_ERROR_STORE when it could not make them durable (they stay in
 * memory, which only makes their addresses unavailable to others, and are
 * written again when their clients retry). */
gboolean pxf_dhcp_leases_commit(PxfDhcpLeases *self, GError **error);

G_END_DECLS
