/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lease table and address allocator. Every change goes to the store
 * first, through create() (a new record) or replace() with the value last
 * read (a changed one), and only then into memory: two servers sharing a
 * store therefore never hand one address to two clients, and an ACK sent
 * after a successful write survives a crash. */
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

typedef struct {
	guint32 ip;
	PxfDhcpLeaseState state;
	gchar *mac;	  /* canonical */
	gchar *client_id; /* option 61 as hex, or NULL */
	gchar *hostname;  /* or NULL */
	gint64 expires;	  /* wall-clock seconds */
	gint64 updated;
	GBytes *stored;	    /* the record as last read or written; NULL when none */
	gboolean announced; /* the owner callback was told it is bound */
} PxfDhcpLease;

const gchar *pxf_dhcp_lease_state_to_string(PxfDhcpLeaseState state);
GBytes *pxf_dhcp_lease_to_bytes(const PxfDhcpLease *lease);
/* key is the address; fails with PXF_DHCP_ERROR_CORRUPT naming it. */
PxfDhcpLease *pxf_dhcp_lease_from_bytes(const gchar *key, GBytes *value, GError **error);
void pxf_dhcp_lease_free(PxfDhcpLease *lease);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpLease, pxf_dhcp_lease_free)

/* Who asks for an address. */
typedef struct {
	const gchar *mac;
	const gchar *client_id; /* NULL when the client sent no option 61 */
	const gchar *hostname;
} PxfDhcpLeaseOwner;

/* The record is offered or bound to owner and not expired. */
gboolean
pxf_dhcp_lease_is_held_by(const PxfDhcpLease *lease, const PxfDhcpLeaseOwner *owner, gint64 now);
/* Someone else (or a quarantine, or an unreadable record) holds it. */
gboolean pxf_dhcp_lease_is_blocked_for(const PxfDhcpLease *lease,
				       const PxfDhcpLeaseOwner *owner,
				       gint64 now);

/* The store's primitives, as the plugin or a test provides them; keys are
 * dotted-quad addresses. */
typedef enum {
	PXF_DHCP_STORE_OK,
	PXF_DHCP_STORE_EXISTS,	  /* create() of a key that exists */
	PXF_DHCP_STORE_CONFLICT,  /* replace() with a stale expected value */
	PXF_DHCP_STORE_NOT_FOUND, /* get()/replace() of a missing key */
	PXF_DHCP_STORE_FAILED,
} PxfDhcpStoreResult;

typedef struct {
	PxfDhcpStoreResult (*get)(gpointer store, const gchar *key, GBytes **value, GError **error);
	PxfDhcpStoreResult (*create)(gpointer store,
				     const gchar *key,
				     GBytes *value,
				     GError **error);
	PxfDhcpStoreResult (*replace)(
		gpointer store, const gchar *key, GBytes *expected, GBytes *value, GError **error);
	/* key → GBytes */
	GHashTable *(*list)(gpointer store, GError **error);
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
/* Binds ip to owner until now + lease_time once the store has it. Fails
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

G_END_DECLS
