/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The receive queue's policy, with the caller's clock: exchanges under way
 * before DISCOVERs, the oldest DISCOVER dropped when full, stale packets
 * dropped, buffers swapped rather than allocated. No timing. */
#include <string.h>

#include "dhcp-test-packets.h"
#include "pxf-dhcp-queue.h"

#define SEC G_USEC_PER_SEC
#define MS  1000

static const guint8 mac[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x01};

/* A packet of that type with xid in a queue buffer, pushed at received. */
static gboolean
push(PxfDhcpQueue *q, guint8 type, guint32 xid, gint64 received)
{
	g_autoptr(GByteArray) p = test_discover_dhclient(mac, xid);
	g_autoptr(GBytes) bytes = NULL;
	PxfDhcpQueued entry = {0};
	guint8 *replacement = NULL;
	const guint8 *data;
	gsize len = 0;
	gboolean ok;

	p->data[242] = type;
	bytes = test_packet_finish(g_steal_pointer(&p));
	data = g_bytes_get_data(bytes, &len);
	entry.data = pxf_dhcp_queue_take_buffer(q);
	memcpy(entry.data, data, len);
	entry.len = len;
	entry.received = received;
	ok = pxf_dhcp_queue_push(q, &entry, &replacement);
	if (ok) {
		g_assert_nonnull(replacement);
		g_assert_true(replacement != entry.data);
		pxf_dhcp_queue_release(q, replacement);
	} else {
		g_assert_null(replacement);
		pxf_dhcp_queue_release(q, entry.data);
	}
	return ok;
}

/* The xid of the next packet handled at now, or 0 for none. */
static guint32
pop(PxfDhcpQueue *q, gint64 now)
{
	PxfDhcpQueued out = {0};
	guint32 xid;

	if (!pxf_dhcp_queue_pop(q, now, 3 * SEC, &out))
		return 0;
	g_assert_cmpuint(out.len, >=, 240);
	memcpy(&xid, out.data + 4, 4);
	pxf_dhcp_queue_release(q, out.data);
	return g_ntohl(xid);
}

static void
test_queue_classify(void)
{
	g_autoptr(GBytes) bytes = test_packet_finish(test_discover_dhclient(mac, 1));
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	g_autofree guint8 *copy = g_memdup2(data, len);

	g_assert_cmpuint(pxf_dhcp_queue_classify(data, len), ==, 1);
	/* option 53 cut off by the end, no cookie, a BOOTREPLY, too short */
	g_assert_cmpuint(pxf_dhcp_queue_classify(data, 242), ==, 0);
	g_assert_cmpuint(pxf_dhcp_queue_classify(data, 100), ==, 0);
	copy[236] = 0;
	g_assert_cmpuint(pxf_dhcp_queue_classify(copy, len), ==, 0);
	copy[236] = 99;
	copy[0] = 2;
	g_assert_cmpuint(pxf_dhcp_queue_classify(copy, len), ==, 0);
	copy[0] = 1;
	/* an option whose length runs past the end */
	copy[240] = 12;
	copy[241] = 250;
	g_assert_cmpuint(pxf_dhcp_queue_classify(copy, len), ==, 0);
	g_assert_cmpuint(pxf_dhcp_queue_classify(NULL, 0), ==, 0);
}

static void
test_queue_requests_first(void)
{
	g_autoptr(PxfDhcpQueue) q = pxf_dhcp_queue_new(8);

	g_assert_true(push(q, 1, 101, 100 * MS)); /* DISCOVER */
	g_assert_true(push(q, 3, 201, 200 * MS)); /* REQUEST */
	g_assert_true(push(q, 1, 102, 300 * MS));
	g_assert_true(push(q, 3, 202, 400 * MS));
	g_assert_true(push(q, 8, 301, 500 * MS)); /* INFORM: an exchange too */
	g_assert_cmpuint(pxf_dhcp_queue_get_length(q), ==, 5);
	/* REQUESTs and INFORM in arrival order, then the DISCOVERs */
	g_assert_cmpuint(pop(q, 500 * MS), ==, 201);
	g_assert_cmpuint(pop(q, 500 * MS), ==, 202);
	g_assert_cmpuint(pop(q, 500 * MS), ==, 301);
	g_assert_cmpuint(pop(q, 500 * MS), ==, 101);
	/* a REQUEST arriving now overtakes the DISCOVER still waiting */
	g_assert_true(push(q, 3, 203, 500 * MS));
	g_assert_cmpuint(pop(q, 500 * MS), ==, 203);
	g_assert_cmpuint(pop(q, 500 * MS), ==, 102);
	g_assert_cmpuint(pop(q, 500 * MS), ==, 0);
	g_assert_cmpuint(pxf_dhcp_queue_get_stats(q)->dropped_full, ==, 0);
	g_assert_cmpuint(pxf_dhcp_queue_get_stats(q)->dropped_stale, ==, 0);
}

static void
test_queue_full(void)
{
	g_autoptr(PxfDhcpQueue) q = pxf_dhcp_queue_new(4);

	for (guint i = 0; i < 4; i++)
		g_assert_true(push(q, 1, 100 + i, 0));
	/* full: a newer DISCOVER pushes out the oldest one */
	g_assert_true(push(q, 1, 104, 0));
	g_assert_cmpuint(pxf_dhcp_queue_get_length(q), ==, 4);
	/* a REQUEST too, and again the oldest DISCOVER goes */
	g_assert_true(push(q, 3, 200, 0));
	g_assert_true(push(q, 3, 201, 0));
	g_assert_true(push(q, 3, 202, 0));
	/* now three REQUESTs and DISCOVER 104 */
	g_assert_true(push(q, 3, 203, 0));
	/* full of REQUESTs: a DISCOVER is refused, a REQUEST drops the oldest */
	g_assert_false(push(q, 1, 105, 0));
	g_assert_true(push(q, 3, 204, 0));
	g_assert_cmpuint(pxf_dhcp_queue_get_stats(q)->dropped_full, ==, 7);
	g_assert_cmpuint(pop(q, 0), ==, 201);
	g_assert_cmpuint(pop(q, 0), ==, 202);
	g_assert_cmpuint(pop(q, 0), ==, 203);
	g_assert_cmpuint(pop(q, 0), ==, 204);
	g_assert_cmpuint(pop(q, 0), ==, 0);
}

static void
test_queue_stale(void)
{
	g_autoptr(PxfDhcpQueue) q = pxf_dhcp_queue_new(8);

	g_assert_true(push(q, 3, 200, 10 * SEC));
	g_assert_true(push(q, 1, 100, 11 * SEC));
	g_assert_true(push(q, 1, 101, 13 * SEC));
	g_assert_true(push(q, 3, 201, 14 * SEC));
	/* at 14.5 s with a 3 s limit: REQUEST 200 (4.5 s) and DISCOVER 100
	 * (3.5 s) are dropped unanswered, the others answered */
	g_assert_cmpuint(pop(q, 14 * SEC + SEC / 2), ==, 201);
	g_assert_cmpuint(pop(q, 14 * SEC + SEC / 2), ==, 101);
	g_assert_cmpuint(pop(q, 14 * SEC + SEC / 2), ==, 0);
	g_assert_cmpuint(pxf_dhcp_queue_get_stats(q)->dropped_stale, ==, 2);
	/* exactly at the limit is still answered */
	g_assert_true(push(q, 1, 102, 20 * SEC));
	g_assert_cmpuint(pop(q, 23 * SEC), ==, 102);
}

/* Buffers go round: a long storm through a small queue allocates none
 * beyond the queue's own (the spare list never grows past capacity). */
static void
test_queue_buffers(void)
{
	g_autoptr(PxfDhcpQueue) q = pxf_dhcp_queue_new(4);
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);

	for (guint i = 0; i < 1000; i++) {
		PxfDhcpQueued out = {0};
		g_assert_true(push(q, (i % 3) == 0 ? 3 : 1, i + 1, i));
		if (i % 2 == 0 && pxf_dhcp_queue_pop(q, i, 3 * SEC, &out)) {
			g_hash_table_add(seen, out.data);
			pxf_dhcp_queue_release(q, out.data);
		}
	}
	/* the same few buffers, over and over */
	g_assert_cmpuint(g_hash_table_size(seen), <=, 6);
	g_hash_table_unref(seen);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp/queue/classify", test_queue_classify);
	g_test_add_func("/dhcp/queue/requests-first", test_queue_requests_first);
	g_test_add_func("/dhcp/queue/full", test_queue_full);
	g_test_add_func("/dhcp/queue/stale", test_queue_stale);
	g_test_add_func("/dhcp/queue/buffers", test_queue_buffers);
	return g_test_run();
}
