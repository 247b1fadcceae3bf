/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bounded receive queue between the sockets and the server: what a
 * storm brings in is read at once and kept here, and handled in the order
 * that keeps exchanges completing when there is more than the server can
 * answer. REQUESTs (and DECLINE, RELEASE, INFORM: exchanges under way)
 * before DISCOVERs, each oldest first; when full, the oldest DISCOVER goes
 * first; a packet older than a client's retransmit interval is dropped
 * unanswered, since the client has sent it again by then. Receive buffers
 * are swapped in and out, never allocated per packet. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Room for any DHCP datagram up to a jumbo frame's MTU; larger ones are
 * cut by the kernel (MSG_TRUNC) and dropped by the listener. */
#define PXF_DHCP_QUEUE_SLOT_SIZE 9216

typedef struct {
	guint8 *data; /* PXF_DHCP_QUEUE_SLOT_SIZE bytes */
	gsize len;
	gint64 received; /* µs, the caller's clock */
	guint8 message_type;
	gpointer source; /* the caller's: where it came in */
	guint32 peer_ip; /* host byte order */
	guint16 peer_port;
} PxfDhcpQueued;

typedef struct {
	guint64 dropped_full;  /* pushed out by newer packets */
	guint64 dropped_stale; /* waited longer than max_age */
} PxfDhcpQueueStats;

typedef struct _PxfDhcpQueue PxfDhcpQueue;

PxfDhcpQueue *pxf_dhcp_queue_new(guint capacity);
void pxf_dhcp_queue_free(PxfDhcpQueue *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpQueue, pxf_dhcp_queue_free)

guint pxf_dhcp_queue_get_length(PxfDhcpQueue *self);
const PxfDhcpQueueStats *pxf_dhcp_queue_get_stats(PxfDhcpQueue *self);
/* A buffer of PXF_DHCP_QUEUE_SLOT_SIZE bytes for the caller's reads;
 * handed back with pxf_dhcp_queue_release(). */
guint8 *pxf_dhcp_queue_take_buffer(PxfDhcpQueue *self);
void pxf_dhcp_queue_release(PxfDhcpQueue *self, guint8 *data);

/* Option 53 of a BOOTREQUEST, read without a full parse (explicit length
 * checks, no allocation); 0 when absent or the packet is malformed. */
guint8 pxf_dhcp_queue_classify(const guint8 *data, gsize len);

/* Queues entry (data, len, received, source, peer; message_type is
 * filled in). entry->data passes to the queue and *replacement gets a
 * buffer for the next read. FALSE when it was dropped at once (the queue
 * is full of exchanges under way and it is a DISCOVER): then the caller
 * keeps its buffer and *replacement is NULL. */
gboolean pxf_dhcp_queue_push(PxfDhcpQueue *self, PxfDhcpQueued *entry, guint8 **replacement);
/* The next packet to handle, dropping those received before now - max_age;
 * FALSE when none is left. The caller releases out->data. */
gboolean pxf_dhcp_queue_pop(PxfDhcpQueue *self, gint64 now, gint64 max_age, PxfDhcpQueued *out);

G_END_DECLS
