/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The allocator over the core's real file store: pools, fixed addresses,
 * offer holds, quarantine, expiry, indexes, group commit and persistence. */
#include "dhcp-test-packets.h"
#include "dhcp-test-store.h"
#include "pxf-dhcp-leases.h"
#include "pxf-dhcp-packet.h"

#define T0 1700000000

typedef struct {
	GHashTable *owners; /* ip text → mac */
	guint n_calls;
} Owners;

static void
owner_cb(guint32 ip, const gchar *mac, gpointer user_data)
{
	Owners *o = user_data;
	gchar *key = pxf_dhcp_ip_to_string(ip);
	o->n_calls++;
	if (mac != NULL)
		g_hash_table_replace(o->owners, key, g_strdup(mac));
	else {
		g_hash_table_remove(o->owners, key);
		g_free(key);
	}
}

typedef struct {
	TestStore *ts;
	Owners owners;
	PxfDhcpLeases *leases;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	f->ts = test_store_new();
	f->owners.owners = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	f->leases = pxf_dhcp_leases_new(&test_store_ops, f->ts, owner_cb, &f->owners);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	pxf_dhcp_leases_free(f->leases);
	g_hash_table_unref(f->owners.owners);
	test_store_free(f->ts);
}

static PxfDhcpLeaseOwner
owner_n(guint n, gchar *buf, gsize size)
{
	PxfDhcpLeaseOwner o = {0};
	g_snprintf(buf, size, "52:54:00:00:%02x:%02x", (n >> 8) & 0xff, n & 0xff);
	o.mac = buf;
	return o;
}

static PxfDhcpPool
pool(const gchar *start, const gchar *end, GHashTable *reserved)
{
	PxfDhcpPool p = {test_ip(start), test_ip(end), reserved};
	return p;
}

static const gchar *
owner_of(Fixture *f, guint32 ip)
{
	g_autofree gchar *text = pxf_dhcp_ip_to_string(ip);
	return g_hash_table_lookup(f->owners.owners, text);
}

static void
test_record_roundtrip(void)
{
	PxfDhcpLease lease = {0};
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(PxfDhcpLease) back = NULL;
	g_autoptr(GError) error = NULL;

	lease.ip = test_ip("10.0.0.5");
	lease.state = PXF_DHCP_LEASE_BOUND;
	lease.mac = (gchar *)"52:54:00:aa:bb:cc";
	lease.client_id = (gchar *)"01525400aabbcc";
	lease.hostname = (gchar *)"web \"01\"";
	lease.expires = T0 + 3600;
	lease.updated = T0;
	bytes = pxf_dhcp_lease_to_bytes(&lease);
	back = pxf_dhcp_lease_from_bytes("10.0.0.5", bytes, &error);
	g_assert_no_error(error);
	g_assert_cmphex(back->ip, ==, lease.ip);
	g_assert_cmpint(back->state, ==, PXF_DHCP_LEASE_BOUND);
	g_assert_cmpstr(back->mac, ==, lease.mac);
	g_assert_cmpstr(back->client_id, ==, lease.client_id);
	g_assert_cmpstr(back->hostname, ==, lease.hostname);
	g_assert_cmpint(back->expires, ==, T0 + 3600);
	g_assert_true(g_bytes_equal(back->stored, bytes));
}

static void
test_record_corrupt(void)
{
	static const struct {
		const gchar *key;
		const gchar *value;
		const gchar *needle;
	} cases[] = {
		{"10.0.0.1", "{", "lease 10.0.0.1:"},
		{"10.0.0.1", "[]", "not a JSON object"},
		{"10.0.0.1", "{\"state\":\"bound\"}", "\"format\""},
		{"10.0.0.1", "{\"format\":2,\"state\":\"bound\"}", "format 2"},
		{"10.0.0.1", "{\"format\":1,\"state\":\"lost\",\"mac\":\"x\",\"expires\":1}",
		 "unknown state"},
		{"10.0.0.1", "{\"format\":1,\"state\":\"bound\",\"expires\":1}", "\"mac\""},
		{"10.0.0.1", "{\"format\":1,\"state\":\"bound\",\"mac\":7,\"expires\":1}",
		 "not a string"},
		{"10.0.0.1", "{\"format\":1,\"state\":\"bound\",\"mac\":\"m\",\"expires\":\"x\"}",
		 "\"expires\""},
		{"not-an-ip", "{}", "not an IPv4 address"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) bytes = g_bytes_new(cases[i].value, strlen(cases[i].value));
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfDhcpLease) lease =
			pxf_dhcp_lease_from_bytes(cases[i].key, bytes, &error);
		g_assert_null(lease);
		g_assert_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_CORRUPT);
		g_test_message("%s", error->message);
		g_assert_nonnull(strstr(error->message, cases[i].needle));
	}
}

/* Each client gets its own address until the pool is empty. */
static void
test_exhaustion(Fixture *f, gconstpointer data)
{
	PxfDhcpPool p = pool("10.0.0.10", "10.0.0.12", NULL);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autoptr(GError) error = NULL;
	gchar buf[32];
	PxfDhcpLeaseOwner o;

	for (guint i = 0; i < 3; i++) {
		guint32 ip;
		o = owner_n(i, buf, sizeof(buf));
		ip = pxf_dhcp_leases_offer(f->leases, &o, &p, 0, 0, T0, 30, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(ip, >=, p.start);
		g_assert_cmpuint(ip, <=, p.end);
		g_assert_false(g_hash_table_contains(seen, GUINT_TO_POINTER(ip)));
		g_hash_table_add(seen, GUINT_TO_POINTER(ip));
	}
	o = owner_n(3, buf, sizeof(buf));
	g_assert_cmpuint(pxf_dhcp_leases_offer(f->leases, &o, &p, 0, 0, T0, 30, &error), ==, 0);
	g_assert_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_EXHAUSTED);
	g_assert_nonnull(strstr(error->message, "10.0.0.10-10.0.0.12"));
}

/* An offer holds the address for its client until offer_hold passes. */
static void
test_offer_hold(Fixture *f, gconstpointer data)
{
	PxfDhcpPool p = pool("10.0.0.10", "10.0.0.10", NULL);
	g_autoptr(GError) error = NULL;
	gchar b1[32], b2[32];
	PxfDhcpLeaseOwner a = owner_n(1, b1, sizeof(b1));
	PxfDhcpLeaseOwner b = owner_n(2, b2, sizeof(b2));
	guint32 ip;

	ip = pxf_dhcp_leases_offer(f->leases, &a, &p, 0, 0, T0, 30, &error);
	g_assert_no_error(error);
	g_assert_cmphex(ip, ==, p.start);
	/* the same client asking again gets the same address */
	g_assert_cmphex(pxf_dhcp_leases_offer(f->leases, &a, &p, 0, 0, T0 + 1, 30, NULL), ==, ip);
	/* another client, during the hold: nothing */
	g_assert_cmpuint(pxf_dhcp_leases_offer(f->leases, &b, &p, 0, 0, T0 + 20, 30, NULL), ==, 0);
	/* and it cannot bind it either */
	g_assert_false(pxf_dhcp_leases_bind(f->leases, &b, ip, FALSE, T0 + 20, 600, &error));
	g_assert_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_TAKEN);
	g_clear_error(&error);
	/* after the hold (refreshed at T0 + 1) it is free again */
	g_assert_cmphex(pxf_dhcp_leases_offer(f->leases, &b, &p, 0, 0, T0 + 32, 30, &error), ==,
			ip);
	g_assert_no_error(error);
	/* and a REQUEST from the first client now fails */
	g_assert_false(pxf_dhcp_leases_bind(f->leases, &a, ip, FALSE, T0 + 33, 600, NULL));
}

/* Fixed addresses: reserved from the pool for others, taken back for
 * their host from whoever holds them. */
static void
test_fixed(Fixture *f, gconstpointer data)
{
	g_autoptr(GHashTable) reserved = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autoptr(GError) error = NULL;
	PxfDhcpPool p;
	gchar b1[32], b2[32], b3[32];
	PxfDhcpLeaseOwner dyn1 = owner_n(1, b1, sizeof(b1));
	PxfDhcpLeaseOwner dyn2 = owner_n(2, b2, sizeof(b2));
	PxfDhcpLeaseOwner host = owner_n(3, b3, sizeof(b3));
	guint32 fixed = test_ip("10.0.0.11");
	guint32 ip;
	PxfDhcpLease *lease;

	g_hash_table_add(reserved, GUINT_TO_POINTER(fixed));
	p = pool("10.0.0.10", "10.0.0.12", reserved);
	for (guint i = 0; i < 2; i++) {
		ip = pxf_dhcp_leases_offer(f->leases, i == 0 ? &dyn1 : &dyn2, &p, 0, fixed, T0, 30,
					   &error);
		g_assert_no_error(error);
		/* option 50 asking for the fixed address does not get it either */
		g_assert_cmphex(ip, !=, fixed);
	}
	/* a stale dynamic lease on the fixed address (the inventory changed) */
	g_assert_true(pxf_dhcp_leases_bind(f->leases, &dyn1, fixed, TRUE, T0, 600, &error));
	g_assert_no_error(error);
	ip = pxf_dhcp_leases_offer(f->leases, &host, &p, fixed, 0, T0 + 1, 30, &error);
	g_assert_no_error(error);
	g_assert_cmphex(ip, ==, fixed);
	g_assert_true(pxf_dhcp_leases_bind(f->leases, &host, fixed, TRUE, T0 + 2, 600, &error));
	lease = pxf_dhcp_leases_lookup(f->leases, fixed);
	g_assert_cmpstr(lease->mac, ==, host.mac);
	g_assert_cmpstr(owner_of(f, fixed), ==, host.mac);
}

/* A DECLINEd address is out of the pool until the quarantine ends. */
static void
test_decline(Fixture *f, gconstpointer data)
{
	PxfDhcpPool p = pool("10.0.0.10", "10.0.0.11", NULL);
	g_autoptr(GError) error = NULL;
	gchar b1[32], b2[32], b3[32];
	PxfDhcpLeaseOwner a = owner_n(1, b1, sizeof(b1));
	PxfDhcpLeaseOwner b = owner_n(2, b2, sizeof(b2));
	PxfDhcpLeaseOwner c = owner_n(3, b3, sizeof(b3));
	guint32 ip, other;

	ip = pxf_dhcp_leases_offer(f->leases, &a, &p, 0, 0, T0, 30, &error);
	g_assert_true(pxf_dhcp_leases_bind(f->leases, &a, ip, FALSE, T0, 600, &error));
	/* only the holder may decline it */
	g_assert_false(pxf_dhcp_leases_decline(f->leases, &b, ip, T0 + 1, 60));
	g_assert_true(pxf_dhcp_leases_decline(f->leases, &a, ip, T0 + 1, 60));
	g_assert_null(owner_of(f, ip));
	/* the decliner gets the other address, then nobody gets anything */
	other = pxf_dhcp_leases_offer(f->leases, &a, &p, 0, ip, T0 + 2, 30, &error);
	g_assert_no_error(error);
	g_assert_cmphex(other, !=, ip);
	g_assert_cmpuint(pxf_dhcp_leases_offer(f->leases, &b, &p, 0, ip, T0 + 3, 30, NULL), ==, 0);
	g_assert_false(pxf_dhcp_leases_bind(f->leases, &b, ip, FALSE, T0 + 3, 600, NULL));
	/* after the quarantine, it may be asked for again */
	g_assert_cmphex(pxf_dhcp_leases_offer(f->leases, &c, &p, 0, ip, T0 + 62, 30, &error), ==,
			ip);
}

/* Expired leases are free for others and their owner is forgotten. */
static void
test_expiry(Fixture *f, gconstpointer data)
{
	PxfDhcpPool p = pool("10.0.0.10", "10.0.0.10", NULL);
	g_autoptr(GError) error = NULL;
	gchar b1[32], b2[32];
	PxfDhcpLeaseOwner a = owner_n(1, b1, sizeof(b1));
	PxfDhcpLeaseOwner b = owner_n(2, b2, sizeof(b2));
	guint32 ip;

	ip = pxf_dhcp_leases_offer(f->leases, &a, &p, 0, 0, T0, 30, &error);
	g_assert_true(pxf_dhcp_leases_bind(f->leases, &a, ip, FALSE, T0, 10, &error));
	g_assert_cmpstr(g_hash_table_lookup(f->owners.owners, "10.0.0.10"), ==, a.mac);
	pxf_dhcp_leases_expire(f->leases, T0 + 9);
	g_assert_nonnull(g_hash_table_lookup(f->owners.owners, "10.0.0.10"));
	pxf_dhcp_leases_expire(f->leases, T0 + 10);
	g_assert_null(g_hash_table_lookup(f->owners.owners, "10.0.0.10"));
	g_assert_cmphex(pxf_dhcp_leases_offer(f->leases, &b, &p, 0, 0, T0 + 11, 30, &error), ==,
			ip);
	g_assert_no_error(error);
}

/* RELEASE frees the address but remembers the client: it gets it back. */
static void
test_release_sticky(Fixture *f, gconstpointer data)
{
	PxfDhcpPool p = pool("10.0.0.10", "10.0.0.20", NULL);
	g_autoptr(GError) error = NULL;
	gchar b1[32], b2[32];
	PxfDhcpLeaseOwner a = owner_n(1, b1, sizeof(b1));
	PxfDhcpLeaseOwner b = owner_n(2, b2, sizeof(b2));
	guint32 ip;

	ip = pxf_dhcp_leases_offer(f->leases, &a, &p, 0, 0, T0, 30, &error);
	g_assert_true(pxf_dhcp_leases_bind(f->leases, &a, ip, FALSE, T0, 600, &error));
	g_assert_false(pxf_dhcp_leases_release(f->leases, &b, ip, T0 + 1));
	g_assert_true(pxf_dhcp_leases_release(f->leases, &a, ip, T0 + 1));
	g_assert_null(owner_of(f, ip));
	g_assert_cmpint(pxf_dhcp_leases_lookup(f->leases, ip)->state, ==, PXF_DHCP_LEASE_RELEASED);
	/* others get untouched addresses first */
	g_assert_cmphex(pxf_dhcp_leases_offer(f->leases, &b, &p, 0, 0, T0 + 2, 30, NULL), !=, ip);
	g_assert_cmphex(pxf_dhcp_leases_offer(f->leases, &a, &p, 0, 0, T0 + 3, 30, NULL), ==, ip);
}

/* A client binding a new address gives back the one it held. */
static void
test_one_per_client(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gchar b1[32];
	PxfDhcpLeaseOwner a = owner_n(1, b1, sizeof(b1));
	guint32 x = test_ip("10.0.0.10"), y = test_ip("10.0.0.11");

	g_assert_true(pxf_dhcp_leases_bind(f->leases, &a, x, FALSE, T0, 600, &error));
	g_assert_true(pxf_dhcp_leases_bind(f->leases, &a, y, FALSE, T0 + 1, 600, &error));
	g_assert_cmpint(pxf_dhcp_leases_lookup(f->leases, x)->state, ==, PXF_DHCP_LEASE_RELEASED);
	g_assert_null(g_hash_table_lookup(f->owners.owners, "10.0.0.10"));
	g_assert_nonnull(g_hash_table_lookup(f->owners.owners, "10.0.0.11"));
}

/* The client identifier wins over the MAC when both sides have one. */
static void
test_client_id(Fixture *f, gconstpointer data)
{
	PxfDhcpPool p = pool("10.0.0.10", "10.0.0.20", NULL);
	PxfDhcpLeaseOwner a = {.mac = "52:54:00:00:00:01", .client_id = "ff0001"};
	PxfDhcpLeaseOwner a2 = {.mac = "52:54:00:00:00:01", .client_id = "ff0002"};
	PxfDhcpLeaseOwner plain = {.mac = "52:54:00:00:00:01"};
	guint32 ip, ip2;

	ip = pxf_dhcp_leases_offer(f->leases, &a, &p, 0, 0, T0, 30, NULL);
	ip2 = pxf_dhcp_leases_offer(f->leases, &a2, &p, 0, 0, T0, 30, NULL);
	g_assert_cmpuint(ip, !=, 0);
	g_assert_cmpuint(ip2, !=, 0);
	g_assert_cmphex(ip, !=, ip2);
	/* without option 61 the MAC decides */
	g_assert_true(pxf_dhcp_lease_is_held_by(pxf_dhcp_leases_lookup(f->leases, ip), &plain, T0));
}

/* Every bound lease survives a restart; expired ones come back free. */
static void
test_persistence(Fixture *f, gconstpointer data)
{
	PxfDhcpPool p = pool("10.0.0.10", "10.0.0.30", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) bound =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	TestStore *ts2;
	Owners owners2 = {g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free), 0};
	PxfDhcpLeases *again;
	gchar buf[32];
	PxfDhcpLeaseOwner o;
	GHashTableIter iter;
	gpointer key, value;
	guint32 junk_ip;
	g_autofree gchar *junk_key = NULL;
	g_autofree gchar *junk_log = NULL;

	for (guint i = 0; i < 10; i++) {
		guint32 ip;
		o = owner_n(i, buf, sizeof(buf));
		ip = pxf_dhcp_leases_offer(f->leases, &o, &p, 0, 0, T0, 30, &error);
		g_assert_no_error(error);
		/* clients 0-7 bind, 8 only got an offer, 9 binds a short lease */
		if (i < 8 || i == 9) {
			g_assert_true(pxf_dhcp_leases_bind(f->leases, &o, ip, FALSE, T0,
							   i == 9 ? 5 : 600, &error));
			if (i < 8)
				g_hash_table_insert(bound, pxf_dhcp_ip_to_string(ip),
						    g_strdup(o.mac));
		}
	}
	g_assert_true(pxf_dhcp_leases_commit(f->leases, &error));
	/* a corrupt record on a free pool address is reported and kept out */
	for (junk_ip = p.start; pxf_dhcp_leases_lookup(f->leases, junk_ip) != NULL; junk_ip++)
		;
	junk_key = pxf_dhcp_ip_to_string(junk_ip);
	junk_log = g_strdup_printf("lease %s*", junk_key);
	{
		g_autoptr(GBytes) junk = g_bytes_new_static("{garbage", 8);
		g_assert_true(pxf_store_put(f->ts->store, "leases", junk_key, junk, &error));
	}

	ts2 = test_store_reopen(f->ts);
	again = pxf_dhcp_leases_new(&test_store_ops, ts2, owner_cb, &owners2);
	g_test_expect_message("pxf-dhcp", G_LOG_LEVEL_WARNING, junk_log);
	g_assert_true(pxf_dhcp_leases_load(again, T0 + 60, &error));
	g_test_assert_expected_messages();
	g_assert_no_error(error);
	/* 9 bound (the offer of client 8 was never written) and the junk */
	g_assert_cmpuint(pxf_dhcp_leases_get_size(again), ==, 10);
	g_assert_cmpuint(g_hash_table_size(owners2.owners), ==, 8);
	g_hash_table_iter_init(&iter, bound);
	while (g_hash_table_iter_next(&iter, &key, &value))
		g_assert_cmpstr(g_hash_table_lookup(owners2.owners, key), ==, value);
	g_assert_cmpint(pxf_dhcp_leases_lookup(again, junk_ip)->state, ==,
			PXF_DHCP_LEASE_UNREADABLE);
	/* a new client never gets a bound or unreadable address */
	for (guint i = 100; i < 110; i++) {
		guint32 ip;
		g_autofree gchar *text = NULL;
		o = owner_n(i, buf, sizeof(buf));
		ip = pxf_dhcp_leases_offer(again, &o, &p, 0, 0, T0 + 60, 30, &error);
		g_assert_no_error(error);
		text = pxf_dhcp_ip_to_string(ip);
		g_assert_false(g_hash_table_contains(bound, text));
		g_assert_cmphex(ip, !=, junk_ip);
	}
	pxf_dhcp_leases_free(again);
	g_hash_table_unref(owners2.owners);
	test_store_free(ts2);
}

/* No store, no lease: a failed commit is an error, never a silent ACK,
 * and what it could not write stays held in memory so the address goes to
 * no one else until the client's retry is written. */
static void
test_store_failure(Fixture *f, gconstpointer data)
{
	PxfDhcpPool p = pool("10.0.0.10", "10.0.0.11", NULL);
	g_autoptr(GError) error = NULL;
	gchar buf[32];
	gchar buf2[32];
	PxfDhcpLeaseOwner o = owner_n(1, buf, sizeof(buf));
	PxfDhcpLeaseOwner other = owner_n(2, buf2, sizeof(buf2));
	guint32 ip;
	g_autofree gchar *key = NULL;

	f->ts->fail_writes = TRUE;
	ip = pxf_dhcp_leases_offer(f->leases, &o, &p, 0, 0, T0, 30, &error);
	g_assert_no_error(error);
	g_assert_true(pxf_dhcp_leases_bind(f->leases, &o, ip, FALSE, T0, 600, &error));
	g_assert_false(pxf_dhcp_leases_commit(f->leases, &error));
	g_assert_error(error, PXF_DHCP_ERROR, PXF_DHCP_ERROR_STORE);
	g_assert_nonnull(strstr(error->message, "disk full"));
	g_clear_error(&error);
	key = pxf_dhcp_ip_to_string(ip);
	g_assert_null(pxf_store_get(f->ts->store, "leases", key, NULL));
	g_assert_cmphex(pxf_dhcp_leases_offer(f->leases, &other, &p, 0, 0, T0, 30, NULL), !=, ip);
	/* the client retries; the disk is back */
	f->ts->fail_writes = FALSE;
	g_assert_true(pxf_dhcp_leases_bind(f->leases, &o, ip, FALSE, T0 + 2, 600, &error));
	g_assert_true(pxf_dhcp_leases_commit(f->leases, &error));
	g_assert_nonnull(pxf_store_get(f->ts->store, "leases", key, NULL));
}

/* An offer is a promise: never written. Binds, releases and declines of
 * one pass are one batch: one commit, one fdatasync, whatever their
 * number. */
static void
test_group_commit(Fixture *f, gconstpointer data)
{
	PxfDhcpPool p = pool("10.2.0.1", "10.2.3.254", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) stored = NULL;
	guint32 first = 0;
	guint syncs;
	gchar buf[32];

	for (guint i = 0; i < 200; i++) {
		PxfDhcpLeaseOwner o = owner_n(i, buf, sizeof(buf));
		guint32 ip = pxf_dhcp_leases_offer(f->leases, &o, &p, 0, 0, T0, 30, &error);
		g_assert_no_error(error);
		if (i == 0)
			first = ip;
	}
	g_assert_cmpuint(pxf_dhcp_leases_get_n_pending(f->leases), ==, 0);
	stored = pxf_store_list(f->ts->store, "leases", &error);
	g_assert_cmpuint(g_hash_table_size(stored), ==, 0);
	g_clear_pointer(&stored, g_hash_table_unref);
	syncs = test_store_n_datasyncs;
	for (guint i = 0; i < 200; i++) {
		PxfDhcpLeaseOwner o = owner_n(i, buf, sizeof(buf));
		guint32 ip = pxf_dhcp_leases_find_client(f->leases, &o, p.start, p.end, T0)->ip;
		g_assert_true(pxf_dhcp_leases_bind(f->leases, &o, ip, FALSE, T0, 600, &error));
	}
	{
		PxfDhcpLeaseOwner o = owner_n(0, buf, sizeof(buf));
		g_assert_true(pxf_dhcp_leases_release(f->leases, &o, first, T0));
	}
	/* the bind and the release of one address are one change */
	g_assert_cmpuint(pxf_dhcp_leases_get_n_pending(f->leases), ==, 200);
	g_assert_cmpuint(test_store_n_datasyncs, ==, syncs);
	g_assert_true(pxf_dhcp_leases_commit(f->leases, &error));
	g_assert_cmpuint(f->ts->n_commits, ==, 1);
	g_assert_cmpuint(f->ts->n_writes, ==, 200);
	g_assert_cmpuint(test_store_n_datasyncs, ==, syncs + 1);
	g_assert_cmpuint(pxf_dhcp_leases_get_n_pending(f->leases), ==, 0);
	/* nothing to do, nothing synced */
	g_assert_true(pxf_dhcp_leases_commit(f->leases, &error));
	g_assert_cmpuint(test_store_n_datasyncs, ==, syncs + 1);
	stored = pxf_store_list(f->ts->store, "leases", &error);
	g_assert_cmpuint(g_hash_table_size(stored), ==, 200);
}

/* The indexes find a client's lease by MAC and by client identifier among
 * many, and the free-address order hands out what others let go of. */
static void
test_indexes(Fixture *f, gconstpointer data)
{
	PxfDhcpPool p = pool("10.3.0.1", "10.3.7.254", NULL);
	g_autoptr(GError) error = NULL;
	gchar buf[32];
	gchar cid[32];
	guint32 ips[2000];

	for (guint i = 0; i < G_N_ELEMENTS(ips); i++) {
		PxfDhcpLeaseOwner o = owner_n(i, buf, sizeof(buf));
		g_snprintf(cid, sizeof(cid), "ff%08x", i);
		if (i % 2 == 0)
			o.client_id = cid;
		ips[i] = pxf_dhcp_leases_offer(f->leases, &o, &p, 0, 0, T0, 30, &error);
		g_assert_no_error(error);
		g_assert_true(pxf_dhcp_leases_bind(f->leases, &o, ips[i], FALSE, T0, 600, &error));
	}
	g_assert_true(pxf_dhcp_leases_commit(f->leases, &error));
	for (guint i = 0; i < G_N_ELEMENTS(ips); i++) {
		PxfDhcpLeaseOwner o = owner_n(i, buf, sizeof(buf));
		PxfDhcpLease *lease;
		g_snprintf(cid, sizeof(cid), "ff%08x", i);
		if (i % 2 == 0) {
			/* the client identifier wins over the MAC (RFC 2131 4.2) */
			o.mac = "52:54:00:ff:ff:ff";
			o.client_id = cid;
		}
		lease = pxf_dhcp_leases_find_client(f->leases, &o, p.start, p.end, T0 + 1);
		g_assert_nonnull(lease);
		g_assert_cmphex(lease->ip, ==, ips[i]);
		g_assert_true(pxf_dhcp_lease_is_held_by(lease, &o, T0 + 1));
	}
	/* unknown clients: nothing */
	{
		PxfDhcpLeaseOwner o = owner_n(5000, buf, sizeof(buf));
		g_assert_null(pxf_dhcp_leases_find_client(f->leases, &o, p.start, p.end, T0));
	}
	/* once every unused address is gone, the one released longest ago */
	{
		guint32 last = 0;
		guint n = 0;
		PxfDhcpLeaseOwner o = owner_n(7, buf, sizeof(buf));
		g_assert_true(pxf_dhcp_leases_release(f->leases, &o, ips[7], T0 + 5));
		o = owner_n(9, buf, sizeof(buf));
		g_assert_true(pxf_dhcp_leases_release(f->leases, &o, ips[9], T0 + 6));
		for (guint i = 0; i < 10000; i++) {
			PxfDhcpLeaseOwner n_o = owner_n(10000 + i, buf, sizeof(buf));
			last = pxf_dhcp_leases_offer(f->leases, &n_o, &p, 0, 0, T0 + 10, 30, NULL);
			if (last == 0 || last == ips[7] || last == ips[9])
				break;
			n++;
		}
		g_assert_cmpuint(n, ==, (p.end - p.start + 1) - G_N_ELEMENTS(ips));
		g_assert_cmphex(last, ==, ips[7]);
	}
}

typedef struct {
	guint client;
	gint64 expires;
	gboolean active;
	gboolean bound;
} Held;

/* A bind gives back what the client held elsewhere. */
static void
held_bind(Held *held, guint n, guint i, guint client, gint64 expires)
{
	for (guint j = 0; j < n; j++) {
		if (held[j].client == client)
			held[j].active = FALSE;
	}
	held[i] = (Held){client, expires, TRUE, TRUE};
}

/* Offers, binds, releases, declines and expiry in a random order over a
 * small pool with many clients: no address is ever offered or bound to a
 * client while another one holds it. */
static void
test_never_twice(Fixture *f, gconstpointer data)
{
	PxfDhcpPool p = pool("10.4.0.1", "10.4.0.40", NULL);
	g_autoptr(GRand) rand = g_rand_new_with_seed(11);
	Held held[40] = {{0}}; /* the model: what the test was told */
	gint64 now = T0;
	guint n_offers = 0;
	gchar buf[32];

	for (guint step = 0; step < 20000; step++) {
		guint client = (guint)g_rand_int_range(rand, 1, 120);
		PxfDhcpLeaseOwner o = owner_n(client, buf, sizeof(buf));
		guint op = (guint)g_rand_int_range(rand, 0, 10);
		PxfDhcpLease *mine;
		guint32 ip;
		guint i;

		now += g_rand_int_range(rand, 0, 3);
		if (op < 5) {
			ip = pxf_dhcp_leases_offer(f->leases, &o, &p, 0, 0, now, 10, NULL);
			if (ip == 0)
				continue;
			n_offers++;
			i = ip - p.start;
			g_assert_cmpuint(i, <, 40);
			if (held[i].active && held[i].expires > now)
				g_assert_cmpuint(held[i].client, ==, client);
			/* an offer never shortens nor downgrades the client's
			 * own bound lease */
			if (!(held[i].active && held[i].client == client && held[i].bound &&
			      held[i].expires > now))
				held[i] = (Held){client, now + 10, TRUE, FALSE};
			if (op < 3 && pxf_dhcp_leases_bind(f->leases, &o, ip, FALSE, now, 60, NULL))
				held_bind(held, G_N_ELEMENTS(held), i, client, now + 60);
			continue;
		}
		mine = pxf_dhcp_leases_find_client(f->leases, &o, p.start, p.end, now);
		ip = mine != NULL ? mine->ip : 0;
		if (op < 7) {
			if (ip != 0 && pxf_dhcp_leases_release(f->leases, &o, ip, now))
				held[ip - p.start].active = FALSE;
		} else if (op == 7) {
			/* a quarantine belongs to no client */
			if (ip != 0 && pxf_dhcp_leases_decline(f->leases, &o, ip, now, 30))
				held[ip - p.start] = (Held){0, now + 30, TRUE, FALSE};
		} else {
			/* a bind of any address: refused while someone else has it */
			ip = p.start + (guint32)g_rand_int_range(rand, 0, 40);
			i = ip - p.start;
			if (pxf_dhcp_leases_bind(f->leases, &o, ip, FALSE, now, 60, NULL)) {
				if (held[i].active && held[i].expires > now)
					g_assert_cmpuint(held[i].client, ==, client);
				held_bind(held, G_N_ELEMENTS(held), i, client, now + 60);
			}
		}
		if (step % 50 == 0)
			g_assert_true(pxf_dhcp_leases_commit(f->leases, NULL));
	}
	g_assert_cmpuint(n_offers, >, 1000);
}

/* A state directory of an earlier release (one JSON file per lease): every
 * lease is loaded, and the directory is rewritten as snapshot + journal. */
static void
test_migration(Fixture *f, gconstpointer data)
{
	g_autofree gchar *dir = g_dir_make_tmp("pxf-dhcp-old-XXXXXX", NULL);
	g_autofree gchar *ns = g_build_filename(dir, "leases", NULL);
	g_autofree gchar *snapshot = g_build_filename(dir, "leases.snapshot", NULL);
	g_autofree gchar *journal = g_build_filename(dir, "leases.journal", NULL);
	Owners owners = {g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free), 0};
	g_autoptr(GError) error = NULL;
	TestStore old = {.dir = dir};
	TestStore *ts;
	PxfDhcpLeases *leases;
	gchar buf[32];

	g_assert_cmpint(g_mkdir(ns, 0750), ==, 0);
	for (guint i = 0; i < 30; i++) {
		PxfDhcpLeaseOwner o = owner_n(i, buf, sizeof(buf));
		g_autofree gchar *path = g_strdup_printf("%s/10.9.0.%u.json", ns, i + 1);
		g_autofree gchar *json = g_strdup_printf(
			"{\"format\":1,\"state\":\"%s\",\"mac\":\"%s\",\"expires\":%d,"
			"\"updated\":%d}",
			i < 20 ? "bound" : "released", o.mac, T0 + 600, T0);
		g_assert_true(g_file_set_contents(path, json, -1, NULL));
	}
	ts = test_store_reopen(&old);
	leases = pxf_dhcp_leases_new(&test_store_ops, ts, owner_cb, &owners);
	g_assert_true(pxf_dhcp_leases_load(leases, T0 + 1, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(pxf_dhcp_leases_get_size(leases), ==, 30);
	g_assert_cmpuint(g_hash_table_size(owners.owners), ==, 20);
	g_assert_cmpstr(g_hash_table_lookup(owners.owners, "10.9.0.5"), ==, "52:54:00:00:00:04");
	g_assert_true(g_file_test(snapshot, G_FILE_TEST_IS_REGULAR));
	g_assert_true(g_file_test(journal, G_FILE_TEST_IS_REGULAR));
	g_assert_false(g_file_test(ns, G_FILE_TEST_EXISTS));
	pxf_dhcp_leases_free(leases);
	g_hash_table_unref(owners.owners);
	g_clear_object(&ts->store);
	g_free(ts);
	test_store_rm_rf(dir);
}

/* A large pool: reserved addresses are skipped, nothing is handed out
 * twice, and the scan stays bounded. */
static void
test_large_pool(Fixture *f, gconstpointer data)
{
	g_autoptr(GHashTable) reserved = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	PxfDhcpPool p;
	gchar buf[32];

	for (guint i = 0; i < 64; i += 2)
		g_hash_table_add(reserved, GUINT_TO_POINTER(test_ip("10.1.0.0") + i));
	p = pool("10.1.0.1", "10.1.0.80", reserved);
	for (guint i = 0; i < 49; i++) {
		g_autoptr(GError) error = NULL;
		PxfDhcpLeaseOwner o = owner_n(i, buf, sizeof(buf));
		guint32 ip = pxf_dhcp_leases_offer(f->leases, &o, &p, 0, 0, T0, 30, &error);
		g_assert_no_error(error);
		g_assert_false(g_hash_table_contains(reserved, GUINT_TO_POINTER(ip)));
		g_assert_false(g_hash_table_contains(seen, GUINT_TO_POINTER(ip)));
		g_hash_table_add(seen, GUINT_TO_POINTER(ip));
	}
	{
		PxfDhcpLeaseOwner o = owner_n(1000, buf, sizeof(buf));
		g_assert_cmpuint(pxf_dhcp_leases_offer(f->leases, &o, &p, 0, 0, T0, 30, NULL), ==,
				 0);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp/leases/record-roundtrip", test_record_roundtrip);
	g_test_add_func("/dhcp/leases/record-corrupt", test_record_corrupt);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/dhcp/leases/exhaustion", test_exhaustion);
	ADD("/dhcp/leases/offer-hold", test_offer_hold);
	ADD("/dhcp/leases/fixed", test_fixed);
	ADD("/dhcp/leases/decline", test_decline);
	ADD("/dhcp/leases/expiry", test_expiry);
	ADD("/dhcp/leases/release-sticky", test_release_sticky);
	ADD("/dhcp/leases/one-per-client", test_one_per_client);
	ADD("/dhcp/leases/client-id", test_client_id);
	ADD("/dhcp/leases/persistence", test_persistence);
	ADD("/dhcp/leases/store-failure", test_store_failure);
	ADD("/dhcp/leases/group-commit", test_group_commit);
	ADD("/dhcp/leases/indexes", test_indexes);
	ADD("/dhcp/leases/never-twice", test_never_twice);
	ADD("/dhcp/leases/migration", test_migration);
	ADD("/dhcp/leases/large-pool", test_large_pool);
#undef ADD
	return g_test_run();
}
