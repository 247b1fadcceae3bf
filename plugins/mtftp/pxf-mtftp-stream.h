/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One multicast stream of one file as a state machine without sockets or
 * clocks. Clients join it in order; the first is the master client, the only
 * one whose ACKs drive the stream. Every DATA block goes to the group (PXE
 * MTFTP sends block 1 to the master alone, which is how a PXE client learns
 * it is the master). An ACK names the last block the master has in a row and
 * asks for the next, so a client that joined late asks only for the blocks
 * it missed once it is master. When the master has the whole file, or
 * stops answering and is given up after the retries, the next client becomes
 * master: an OACK with mc=1 (RFC 2090), or block 1 sent to it (PXE), once:
 * a PXE client still listening drops it and asks again when its listen
 * timer runs out, which each copy would restart.
 *
 * The caller feeds it requests, ACKs, departures and timeouts, and then takes
 * its events one by one: packets to send, new masters, clients that have the
 * file or failed. */
#pragma once

#include "pxf-tftp-packet.h"

G_BEGIN_DECLS

typedef enum {
	PXF_MTFTP_PROTO_PXE = 0, /* PXE 2.1 MTFTP: 512-byte blocks, no options */
	PXF_MTFTP_PROTO_RFC2090, /* the TFTP multicast option */
} PxfMtftpProto;

const gchar *pxf_mtftp_proto_to_string(PxfMtftpProto proto);

/* A PXE MTFTP client numbers blocks from 1 without rollover, and a late
 * joiner cannot tell a rolled-over block from an early one: no more. */
#define PXF_MTFTP_BLOCKS_MAX 65535

typedef struct {
	PxfMtftpProto proto;
	guint blksize;
	guint64 size;
	guint retries;	    /* retransmissions to a silent master before the next takes over */
	const gchar *group; /* the group and port named in RFC 2090 OACKs */
	guint16 port;
	guint max_members;
} PxfMtftpStreamParams;

/* Fills buf with up to len bytes at offset; fewer only at the end of the
 * file. -1 with error on failure. */
typedef gssize (*PxfMtftpReadFunc)(
	gpointer source, guint64 offset, guint8 *buf, gsize len, GError **error);

typedef enum {
	PXF_MTFTP_EVENT_SEND,	/* send packet to member, or to the group when member is NULL */
	PXF_MTFTP_EVENT_MASTER, /* member is now the master client */
	PXF_MTFTP_EVENT_DONE,	/* member acknowledged the last block; it has left */
	PXF_MTFTP_EVENT_FAILED, /* member has left: reason; tell: send it an ERROR */
} PxfMtftpEventType;

typedef struct {
	PxfMtftpEventType type;
	gpointer member;     /* the user_data given at join */
	GBytes *packet;	     /* SEND */
	gboolean arms_timer; /* SEND: this packet waits for the master's ACK: restart the clock */
	gchar *reason;	     /* FAILED */
	gboolean tell;	     /* FAILED: a server-side failure the client should hear of */
} PxfMtftpEvent;

void pxf_mtftp_event_clear(PxfMtftpEvent *event);

/* What a joining client asked for, acknowledged in its OACK (RFC 2090). */
#define PXF_MTFTP_JOIN_BLKSIZE (1u << 0)
#define PXF_MTFTP_JOIN_TSIZE   (1u << 1)

typedef enum {
	PXF_MTFTP_JOIN_NEW,    /* a new member */
	PXF_MTFTP_JOIN_REPEAT, /* already a member: its request was repeated */
	PXF_MTFTP_JOIN_FULL,   /* max_members reached: not joined */
} PxfMtftpJoinResult;

typedef struct _PxfMtftpStream PxfMtftpStream;

/* NULL with error when the file has more than PXF_MTFTP_BLOCKS_MAX blocks.
 * source_free (may be NULL) is called on source when the stream is freed. */
PxfMtftpStream *pxf_mtftp_stream_new(const PxfMtftpStreamParams *params,
				     PxfMtftpReadFunc read,
				     gpointer source,
				     GDestroyNotify source_free,
				     GError **error);
/* Serving bytes in memory, or an open file with pread() (fd is closed when
 * the stream is freed). */
PxfMtftpStream *
pxf_mtftp_stream_new_for_bytes(const PxfMtftpStreamParams *params, GBytes *bytes, GError **error);
PxfMtftpStream *
pxf_mtftp_stream_new_for_fd(const PxfMtftpStreamParams *params, gint fd, GError **error);
/* Members still in the stream are dropped without events. */
void pxf_mtftp_stream_free(PxfMtftpStream *self);

/* A client's request; key tells members apart (its address and port). */
PxfMtftpJoinResult
pxf_mtftp_stream_join(PxfMtftpStream *self, const gchar *key, gpointer user_data, guint flags);
/* An ACK from the client known as key; FALSE when it is not a member. */
gboolean pxf_mtftp_stream_ack(PxfMtftpStream *self, const gchar *key, guint16 block);
/* The client left (it sent an ERROR); its user_data, or NULL when it was not
 * a member. No event names it afterwards. */
gpointer pxf_mtftp_stream_leave(PxfMtftpStream *self, const gchar *key);
/* The client now sends from another port (a PXE client reopening): same
 * place in the stream, and block 1 sent again if it is a master that has not
 * answered yet. FALSE when old_key is not a member or new_key is. */
gboolean pxf_mtftp_stream_rekey(PxfMtftpStream *self, const gchar *old_key, const gchar *new_key);
/* The master's ACK is late: send the packet again (unless it is a PXE
 * master that has not asked yet), or give the master up. The clock runs on
 * while the stream waits. */
void pxf_mtftp_stream_timeout(PxfMtftpStream *self);

/* The next event, FALSE when there is none; clear it after use. */
gboolean pxf_mtftp_stream_pop_event(PxfMtftpStream *self, PxfMtftpEvent *event);

guint pxf_mtftp_stream_get_n_members(PxfMtftpStream *self);
/* The member's user_data for key, or NULL. */
gpointer pxf_mtftp_stream_lookup(PxfMtftpStream *self, const gchar *key);
/* The master's user_data, or NULL. */
gpointer pxf_mtftp_stream_get_master(PxfMtftpStream *self);
/* TRUE while a packet waits for the master's ACK (the clock runs). */
gboolean pxf_mtftp_stream_is_waiting(PxfMtftpStream *self);
/* Bytes of the distinct blocks sent where the member could receive them
 * since it joined (the group, or to itself): its progress as far as the
 * server can tell. */
guint64 pxf_mtftp_stream_get_member_bytes(PxfMtftpStream *self, const gchar *key);
/* Calls func for every member in join order. */
void pxf_mtftp_stream_foreach(
	PxfMtftpStream *self,
	void (*func)(gpointer user_data, const gchar *key, guint64 bytes, gpointer data),
	gpointer data);
guint64 pxf_mtftp_stream_get_size(PxfMtftpStream *self);
guint pxf_mtftp_stream_get_blksize(PxfMtftpStream *self);
guint pxf_mtftp_stream_get_n_blocks(PxfMtftpStream *self);
PxfMtftpProto pxf_mtftp_stream_get_proto(PxfMtftpStream *self);
/* DATA packets sent in all (new blocks and retransmissions), for the log. */
guint64 pxf_mtftp_stream_get_n_sent(PxfMtftpStream *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfMtftpStream, pxf_mtftp_stream_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PxfMtftpEvent, pxf_mtftp_event_clear)

G_END_DECLS
