/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp"

#include <string.h>

#include "pxf-dhcp-queue.h"

/* RFC 2131 fixed header (236 bytes) and the magic cookie */
#define PXF_DHCP_QUEUE_OPTIONS_AT 240
#define PXF_DHCP_QUEUE_DISCOVER	  1

/* A FIFO of entries in a ring of capacity slots. */
typedef struct {
	PxfDhcpQueued *items;
	guint head;
	guint len;
} PxfDhcpRing;

struct _PxfDhcpQueue {
	guint capacity;
	PxfDhcpRing high; /* exchanges under way */
	PxfDhcpRing low;  /* DISCOVERs and what cannot be classified */
	GPtrArray *spare; /* free buffers */
	PxfDhcpQueueStats stats;
};

static void
pxf_dhcp_ring_init(PxfDhcpRing *ring, guint capacity)
{
	ring->items = g_new0(PxfDhcpQueued, capacity);
}

static void
pxf_dhcp_ring_push(PxfDhcpRing *ring, guint capacity, const PxfDhcpQueued *entry)
{
	ring->items[(ring->head + ring->len) % capacity] = *entry;
	ring->len++;
}

static void
pxf_dhcp_ring_pop(PxfDhcpRing *ring, guint capacity, PxfDhcpQueued *out)
{
	*out = ring->items[ring->head];
	memset(&ring->items[ring->head], 0, sizeof(*out));
	ring->head = (ring->head + 1) % capacity;
	ring->len--;
}

PxfDhcpQueue *
pxf_dhcp_queue_new(guint capacity)
{
	PxfDhcpQueue *self = g_new0(PxfDhcpQueue, 1);

	self->capacity = MAX(capacity, 1u);
	pxf_dhcp_ring_init(&self->high, self->capacity);
	pxf_dhcp_ring_init(&self->low, self->capacity);
	self->spare = g_ptr_array_new_full(self->capacity + 1, g_free);
	/* one per slot and one the caller reads into */
	for (guint i = 0; i <= self->capacity; i++)
		g_ptr_array_add(self->spare, g_malloc(PXF_DHCP_QUEUE_SLOT_SIZE));
	return self;
}

void
pxf_dhcp_queue_free(PxfDhcpQueue *self)
{
	PxfDhcpQueued entry;

	if (self == NULL)
		return;
	while (self->high.len > 0) {
		pxf_dhcp_ring_pop(&self->high, self->capacity, &entry);
		g_free(entry.data);
	}
	while (self->low.len > 0) {
		pxf_dhcp_ring_pop(&self->low, self->capacity, &entry);
		g_free(entry.data);
	}
	g_free(self->high.items);
	g_free(self->low.items);
	g_ptr_array_unref(self->spare);
	g_free(self);
}

guint
pxf_dhcp_queue_get_length(PxfDhcpQueue *self)
{
	return self->high.len + self->low.len;
}

const PxfDhcpQueueStats *
pxf_dhcp_queue_get_stats(PxfDhcpQueue *self)
{
	return &self->stats;
}

guint8 *
pxf_dhcp_queue_take_buffer(PxfDhcpQueue *self)
{
	/* only when the caller holds more buffers than it handed back */
	if (self->spare->len == 0)
		return g_malloc(PXF_DHCP_QUEUE_SLOT_SIZE);
	return g_ptr_array_steal_index_fast(self->spare, self->spare->len - 1);
}

void
pxf_dhcp_queue_release(PxfDhcpQueue *self, guint8 *data)
{
	if (data == NULL)
		return;
	/* keep what a steady state needs; free what a caller took beyond it */
	if (self->spare->len > self->capacity) {
		g_free(data);
		return;
	}
	g_ptr_array_add(self->spare, data);
}

guint8
pxf_dhcp_queue_classify(const guint8 *data, gsize len)
{
	static const guint8 cookie[4] = {99, 130, 83, 99};
	gsize i = PXF_DHCP_QUEUE_OPTIONS_AT;

	if (data == NULL || len < PXF_DHCP_QUEUE_OPTIONS_AT || data[0] != 1 ||
	    memcmp(data + 236, cookie, sizeof(cookie)) != 0)
		return 0;
	while (i < len) {
		guint8 code = data[i];
		guint8 olen;

		if (code == 0) { /* pad */
			i++;
			continue;
		}
		if (code == 255 || i + 1 >= len)
			return 0;
		olen = data[i + 1];
		if (i + 2 + olen > len)
			return 0;
		if (code == 53)
			return olen == 1 ? data[i + 2] : 0;
		i += 2 + (gsize)olen;
	}
	return 0;
}

gboolean
pxf_dhcp_queue_push(PxfDhcpQueue *self, PxfDhcpQueued *entry, guint8 **replacement)
{
	gboolean low;
	PxfDhcpQueued old;

	entry->message_type = pxf_dhcp_queue_classify(entry->data, entry->len);
	low = entry->message_type == PXF_DHCP_QUEUE_DISCOVER || entry->message_type == 0;
	*replacement = NULL;
	if (pxf_dhcp_queue_get_length(self) >= self->capacity) {
		if (self->low.len > 0) {
			/* the oldest DISCOVER: its client has retransmitted or will */
			pxf_dhcp_ring_pop(&self->low, self->capacity, &old);
		} else if (low) {
			/* all exchanges under way: they go first */
			self->stats.dropped_full++;
			return FALSE;
		} else {
			pxf_dhcp_ring_pop(&self->high, self->capacity, &old);
		}
		self->stats.dropped_full++;
		pxf_dhcp_queue_release(self, old.data);
	}
	pxf_dhcp_ring_push(low ? &self->low : &self->high, self->capacity, entry);
	*replacement = pxf_dhcp_queue_take_buffer(self);
	return TRUE;
}

gboolean
pxf_dhcp_queue_pop(PxfDhcpQueue *self, gint64 now, gint64 max_age, PxfDhcpQueued *out)
{
	for (;;) {
		PxfDhcpRing *ring = self->high.len > 0 ? &self->high : &self->low;

		if (ring->len == 0)
			return FALSE;
		pxf_dhcp_ring_pop(ring, self->capacity, out);
		if (now - out->received <= max_age)
			return TRUE;
		self->stats.dropped_stale++;
		pxf_dhcp_queue_release(self, out->data);
		out->data = NULL;
	}
}
