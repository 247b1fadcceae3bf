/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-mtftp"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "pxf-mtftp-packet.h"
#include "pxf-mtftp-stream.h"

typedef struct {
	gchar *key;
	gpointer user_data;
	guint flags;
	guint8 *seen; /* bit per block (1-based block b is bit b - 1) */
	guint64 bytes_seen;
} PxfMtftpMember;

struct _PxfMtftpStream {
	PxfMtftpStreamParams params;
	gchar *group;
	guint n_blocks;
	PxfMtftpReadFunc read;
	gpointer source;
	GDestroyNotify source_free;
	GPtrArray *members;	/* PxfMtftpMember, join order; the master is first */
	PxfMtftpMember *master; /* NULL when there are no members */
	gboolean master_acked;	/* the master answered since it became master */
	guint16 last_ack;
	GBytes *pending;	    /* what waits for the master's ACK */
	PxfMtftpMember *pending_to; /* NULL: the group */
	guint retries_left;
	gboolean quiet; /* PXE: no retransmission to a new master until it asks */
	GQueue events;	/* PxfMtftpEvent* */
	guint8 *buf;
	guint64 n_sent;
};

const gchar *
pxf_mtftp_proto_to_string(PxfMtftpProto proto)
{
	return proto == PXF_MTFTP_PROTO_RFC2090 ? "RFC 2090" : "PXE MTFTP";
}

void
pxf_mtftp_event_clear(PxfMtftpEvent *event)
{
	g_clear_pointer(&event->packet, g_bytes_unref);
	g_clear_pointer(&event->reason, g_free);
}

static void
pxf_mtftp_member_free(PxfMtftpMember *member)
{
	g_free(member->key);
	g_free(member->seen);
	g_free(member);
}

static PxfMtftpEvent *
pxf_mtftp_stream_push(PxfMtftpStream *self, PxfMtftpEventType type, PxfMtftpMember *member)
{
	PxfMtftpEvent *event = g_new0(PxfMtftpEvent, 1);

	event->type = type;
	event->member = member != NULL ? member->user_data : NULL;
	g_queue_push_tail(&self->events, event);
	return event;
}

static PxfMtftpMember *
pxf_mtftp_stream_find(PxfMtftpStream *self, const gchar *key, guint *index)
{
	for (guint i = 0; i < self->members->len; i++) {
		PxfMtftpMember *member = g_ptr_array_index(self->members, i);
		if (g_strcmp0(member->key, key) == 0) {
			if (index != NULL)
				*index = i;
			return member;
		}
	}
	return NULL;
}

/* Length of block (1-based): blksize, less for the last; 0 for a last block
 * after a file whose size is a multiple of blksize. */
static gsize
pxf_mtftp_stream_block_len(PxfMtftpStream *self, guint block)
{
	guint64 offset = (guint64)(block - 1) * self->params.blksize;
	if (offset >= self->params.size)
		return 0;
	return (gsize)MIN((guint64)self->params.blksize, self->params.size - offset);
}

static void
pxf_mtftp_member_mark(PxfMtftpStream *self, PxfMtftpMember *member, guint block)
{
	guint bit = block - 1;
	guint8 mask = (guint8)(1u << (bit % 8));

	if (member->seen[bit / 8] & mask)
		return;
	member->seen[bit / 8] |= mask;
	member->bytes_seen += pxf_mtftp_stream_block_len(self, block);
}

static void
pxf_mtftp_stream_send(PxfMtftpStream *self, PxfMtftpMember *to, GBytes *packet, gboolean pending)
{
	PxfMtftpEvent *event = pxf_mtftp_stream_push(self, PXF_MTFTP_EVENT_SEND, to);

	event->packet = g_bytes_ref(packet);
	event->arms_timer = pending;
	if (pending) {
		g_clear_pointer(&self->pending, g_bytes_unref);
		self->pending = g_bytes_ref(packet);
		self->pending_to = to;
	}
}

static void
pxf_mtftp_stream_fail_all(PxfMtftpStream *self, const gchar *reason)
{
	for (guint i = 0; i < self->members->len; i++) {
		PxfMtftpMember *member = g_ptr_array_index(self->members, i);
		PxfMtftpEvent *event = pxf_mtftp_stream_push(self, PXF_MTFTP_EVENT_FAILED, member);
		event->reason = g_strdup(reason);
		event->tell = TRUE;
	}
	g_ptr_array_set_size(self->members, 0);
	self->master = NULL;
	self->pending_to = NULL;
	g_clear_pointer(&self->pending, g_bytes_unref);
}

/* DATA block to the group, or to one member; FALSE after a read error (every
 * member has failed). */
static gboolean
pxf_mtftp_stream_send_block(PxfMtftpStream *self, guint block, PxfMtftpMember *to)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) packet = NULL;
	gsize want = pxf_mtftp_stream_block_len(self, block);
	gssize got = 0;

	if (want > 0) {
		got = self->read(self->source, (guint64)(block - 1) * self->params.blksize,
				 self->buf + 4, want, &error);
		if (got < 0 || (gsize)got != want) {
			g_autofree gchar *reason = g_strdup_printf(
				"reading block %u: %s", block,
				error != NULL ? error->message : "the file is shorter than it was");
			pxf_mtftp_stream_fail_all(self, reason);
			return FALSE;
		}
	}
	pxf_tftp_packet_write_data_header(self->buf, (guint16)block);
	packet = g_bytes_new(self->buf, 4 + want);
	if (to != NULL) {
		pxf_mtftp_member_mark(self, to, block);
	} else {
		for (guint i = 0; i < self->members->len; i++)
			pxf_mtftp_member_mark(self, g_ptr_array_index(self->members, i), block);
	}
	self->n_sent++;
	pxf_mtftp_stream_send(self, to, packet, TRUE);
	return TRUE;
}

static GBytes *
pxf_mtftp_stream_oack(PxfMtftpStream *self, PxfMtftpMember *member, gboolean master)
{
	return pxf_mtftp_oack_build((member->flags & PXF_MTFTP_JOIN_BLKSIZE) ? self->params.blksize
									     : 0,
				    (member->flags & PXF_MTFTP_JOIN_TSIZE) != 0, self->params.size,
				    self->group, self->params.port, master);
}

/* The first member (if any) becomes master and is told so. A PXE client
 * that was listening (not the one whose request opened the stream) may drop
 * block 1 while it still listens (atftp does), and every copy would restart
 * its listen timer: block 1 goes to it once, and again only when it asks. */
static void
pxf_mtftp_stream_elect(PxfMtftpStream *self, gboolean listening)
{
	PxfMtftpMember *member;

	g_clear_pointer(&self->pending, g_bytes_unref);
	self->pending_to = NULL;
	self->master_acked = FALSE;
	self->retries_left = self->params.retries;
	self->quiet = listening && self->params.proto == PXF_MTFTP_PROTO_PXE;
	if (self->members->len == 0) {
		self->master = NULL;
		return;
	}
	member = g_ptr_array_index(self->members, 0);
	self->master = member;
	pxf_mtftp_stream_push(self, PXF_MTFTP_EVENT_MASTER, member);
	if (self->params.proto == PXF_MTFTP_PROTO_RFC2090) {
		g_autoptr(GBytes) oack = pxf_mtftp_stream_oack(self, member, TRUE);
		pxf_mtftp_stream_send(self, member, oack, TRUE);
	} else {
		/* PXE: the unicast block 1 is what tells a client it is master */
		pxf_mtftp_stream_send_block(self, 1, member);
	}
}

/* Removes member (its event was pushed); the next client takes over when it
 * was the master. */
static void
pxf_mtftp_stream_remove(PxfMtftpStream *self, guint index)
{
	PxfMtftpMember *member = g_ptr_array_index(self->members, index);
	gboolean was_master = member == self->master;

	if (self->pending_to == member)
		self->pending_to = NULL;
	g_ptr_array_remove_index(self->members, index);
	if (was_master)
		pxf_mtftp_stream_elect(self, TRUE);
}

PxfMtftpJoinResult
pxf_mtftp_stream_join(PxfMtftpStream *self, const gchar *key, gpointer user_data, guint flags)
{
	PxfMtftpMember *member = pxf_mtftp_stream_find(self, key, NULL);

	if (member != NULL) {
		/* a repeated request: the answer it is waiting for was lost */
		if (member == self->master && !self->master_acked && self->pending != NULL) {
			/* it listens now: the clock runs again, retries included */
			self->retries_left = self->params.retries;
			pxf_mtftp_stream_send(self, self->pending_to, self->pending, TRUE);
		} else if (member != self->master &&
			   self->params.proto == PXF_MTFTP_PROTO_RFC2090) {
			g_autoptr(GBytes) oack = pxf_mtftp_stream_oack(self, member, FALSE);
			pxf_mtftp_stream_send(self, member, oack, FALSE);
		}
		return PXF_MTFTP_JOIN_REPEAT;
	}
	if (self->members->len >= self->params.max_members)
		return PXF_MTFTP_JOIN_FULL;

	member = g_new0(PxfMtftpMember, 1);
	member->key = g_strdup(key);
	member->user_data = user_data;
	member->flags = flags;
	member->seen = g_malloc0(self->n_blocks / 8 + 1);
	g_ptr_array_add(self->members, member);
	if (self->master == NULL) {
		pxf_mtftp_stream_elect(self, FALSE);
	} else if (self->params.proto == PXF_MTFTP_PROTO_RFC2090) {
		/* it listens to the group from now on; its turn comes later */
		g_autoptr(GBytes) oack = pxf_mtftp_stream_oack(self, member, FALSE);
		pxf_mtftp_stream_send(self, member, oack, FALSE);
	}
	/* a PXE client that is not master hears nothing from us: it listens */
	return PXF_MTFTP_JOIN_NEW;
}

gboolean
pxf_mtftp_stream_ack(PxfMtftpStream *self, const gchar *key, guint16 block)
{
	guint index = 0;
	PxfMtftpMember *member = pxf_mtftp_stream_find(self, key, &index);

	if (member == NULL)
		return FALSE;
	/* only the master drives the stream: another client's ACK is a
	 * leftover from its own time as master, or a confusion */
	if (member != self->master)
		return TRUE;
	/* the same ACK again: the block it asks for is on its way, and
	 * answering it would send every later block twice */
	if (self->master_acked && block == self->last_ack) {
		self->retries_left = self->params.retries; /* but it is alive */
		return TRUE;
	}
	if (block > self->n_blocks) {
		g_debug("client %s: ACK of block %u, the file has %u", key, block, self->n_blocks);
		return TRUE;
	}
	self->master_acked = TRUE;
	self->last_ack = block;
	self->retries_left = self->params.retries;
	if (block == self->n_blocks) {
		pxf_mtftp_stream_push(self, PXF_MTFTP_EVENT_DONE, member);
		pxf_mtftp_stream_remove(self, index);
		return TRUE;
	}
	/* PXE block 1 only ever goes to the master */
	pxf_mtftp_stream_send_block(self, (guint)block + 1u,
				    self->params.proto == PXF_MTFTP_PROTO_PXE && block == 0 ? member
											    : NULL);
	return TRUE;
}

gpointer
pxf_mtftp_stream_leave(PxfMtftpStream *self, const gchar *key)
{
	guint index = 0;
	PxfMtftpMember *member = pxf_mtftp_stream_find(self, key, &index);
	gpointer user_data;

	if (member == NULL)
		return NULL;
	user_data = member->user_data;
	pxf_mtftp_stream_remove(self, index);
	return user_data;
}

gboolean
pxf_mtftp_stream_rekey(PxfMtftpStream *self, const gchar *old_key, const gchar *new_key)
{
	PxfMtftpMember *member = pxf_mtftp_stream_find(self, old_key, NULL);

	if (member == NULL || pxf_mtftp_stream_find(self, new_key, NULL) != NULL)
		return FALSE;
	g_free(member->key);
	member->key = g_strdup(new_key);
	if (member == self->master && !self->master_acked && self->pending != NULL) {
		self->retries_left = self->params.retries;
		pxf_mtftp_stream_send(self, self->pending_to, self->pending, TRUE);
	}
	return TRUE;
}

void
pxf_mtftp_stream_timeout(PxfMtftpStream *self)
{
	PxfMtftpEvent *event;
	guint index = 0;

	if (self->pending == NULL || self->master == NULL)
		return;
	if (self->retries_left > 0) {
		self->retries_left--;
		if (self->quiet && !self->master_acked)
			return; /* the caller's clock runs on */
		self->n_sent++;
		pxf_mtftp_stream_send(self, self->pending_to, self->pending, TRUE);
		return;
	}
	event = pxf_mtftp_stream_push(self, PXF_MTFTP_EVENT_FAILED, self->master);
	if (self->master_acked)
		event->reason = g_strdup_printf("no ACK after block %u of %u (%u retransmissions)",
						(guint)self->last_ack + 1, self->n_blocks,
						self->params.retries);
	else
		event->reason = g_strdup_printf("no answer as master client (%u retransmissions)",
						self->params.retries);
	(void)pxf_mtftp_stream_find(self, self->master->key, &index);
	pxf_mtftp_stream_remove(self, index);
}

gboolean
pxf_mtftp_stream_pop_event(PxfMtftpStream *self, PxfMtftpEvent *event)
{
	PxfMtftpEvent *head = g_queue_pop_head(&self->events);

	if (head == NULL)
		return FALSE;
	*event = *head;
	g_free(head);
	return TRUE;
}

static gssize
pxf_mtftp_read_bytes(gpointer source, guint64 offset, guint8 *buf, gsize len, GError **error)
{
	gsize size = 0;
	const guint8 *data = g_bytes_get_data(source, &size);
	gsize n;

	if (offset >= size)
		return 0;
	n = (gsize)MIN((guint64)len, size - offset);
	memcpy(buf, data + offset, n);
	return (gssize)n;
}

static gssize
pxf_mtftp_read_fd(gpointer source, guint64 offset, guint8 *buf, gsize len, GError **error)
{
	gint fd = GPOINTER_TO_INT(source);
	gsize done = 0;

	while (done < len) {
		gssize n = pread(fd, buf + done, len - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gint errsv = errno;
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errsv), "%s",
				    g_strerror(errsv));
			return -1;
		}
		if (n == 0)
			break;
		done += (gsize)n;
	}
	return (gssize)done;
}

static void
pxf_mtftp_close_fd(gpointer source)
{
	close(GPOINTER_TO_INT(source));
}

PxfMtftpStream *
pxf_mtftp_stream_new(const PxfMtftpStreamParams *params,
		     PxfMtftpReadFunc read,
		     gpointer source,
		     GDestroyNotify source_free,
		     GError **error)
{
	PxfMtftpStream *self;
	guint64 n_blocks;

	g_return_val_if_fail(params->blksize >= PXF_TFTP_BLKSIZE_MIN &&
				     params->blksize <= PXF_TFTP_BLKSIZE_MAX,
			     NULL);
	/* a file of n * blksize bytes ends with an empty block */
	n_blocks = params->size / params->blksize + 1;
	if (n_blocks > PXF_MTFTP_BLOCKS_MAX) {
		if (source_free != NULL)
			source_free(source);
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_UNDEFINED,
			    "%" G_GUINT64_FORMAT " bytes is more than %u blocks of %u",
			    params->size, (guint)PXF_MTFTP_BLOCKS_MAX, params->blksize);
		return NULL;
	}
	self = g_new0(PxfMtftpStream, 1);
	self->params = *params;
	self->group = g_strdup(params->group != NULL ? params->group : "");
	self->params.group = self->group;
	if (self->params.max_members == 0)
		self->params.max_members = G_MAXUINT;
	self->n_blocks = (guint)n_blocks;
	self->read = read;
	self->source = source;
	self->source_free = source_free;
	self->members = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_mtftp_member_free);
	g_queue_init(&self->events);
	self->buf = g_malloc(4 + (gsize)params->blksize);
	return self;
}

PxfMtftpStream *
pxf_mtftp_stream_new_for_bytes(const PxfMtftpStreamParams *params, GBytes *bytes, GError **error)
{
	PxfMtftpStreamParams copy = *params;

	copy.size = g_bytes_get_size(bytes);
	return pxf_mtftp_stream_new(&copy, pxf_mtftp_read_bytes, g_bytes_ref(bytes),
				    (GDestroyNotify)g_bytes_unref, error);
}

PxfMtftpStream *
pxf_mtftp_stream_new_for_fd(const PxfMtftpStreamParams *params, gint fd, GError **error)
{
	return pxf_mtftp_stream_new(params, pxf_mtftp_read_fd, GINT_TO_POINTER(fd),
				    pxf_mtftp_close_fd, error);
}

void
pxf_mtftp_stream_free(PxfMtftpStream *self)
{
	PxfMtftpEvent *event;

	if (self == NULL)
		return;
	while ((event = g_queue_pop_head(&self->events)) != NULL) {
		pxf_mtftp_event_clear(event);
		g_free(event);
	}
	g_ptr_array_unref(self->members);
	g_clear_pointer(&self->pending, g_bytes_unref);
	if (self->source_free != NULL)
		self->source_free(self->source);
	g_free(self->buf);
	g_free(self->group);
	g_free(self);
}

guint
pxf_mtftp_stream_get_n_members(PxfMtftpStream *self)
{
	return self->members->len;
}

gpointer
pxf_mtftp_stream_lookup(PxfMtftpStream *self, const gchar *key)
{
	PxfMtftpMember *member = pxf_mtftp_stream_find(self, key, NULL);
	return member != NULL ? member->user_data : NULL;
}

gpointer
pxf_mtftp_stream_get_master(PxfMtftpStream *self)
{
	return self->master != NULL ? self->master->user_data : NULL;
}

gboolean
pxf_mtftp_stream_is_waiting(PxfMtftpStream *self)
{
	return self->pending != NULL && self->master != NULL;
}

guint64
pxf_mtftp_stream_get_member_bytes(PxfMtftpStream *self, const gchar *key)
{
	PxfMtftpMember *member = pxf_mtftp_stream_find(self, key, NULL);
	return member != NULL ? member->bytes_seen : 0;
}

void
pxf_mtftp_stream_foreach(
	PxfMtftpStream *self,
	void (*func)(gpointer user_data, const gchar *key, guint64 bytes, gpointer data),
	gpointer data)
{
	for (guint i = 0; i < self->members->len; i++) {
		PxfMtftpMember *member = g_ptr_array_index(self->members, i);
		func(member->user_data, member->key, member->bytes_seen, data);
	}
}

guint64
pxf_mtftp_stream_get_size(PxfMtftpStream *self)
{
	return self->params.size;
}

guint
pxf_mtftp_stream_get_blksize(PxfMtftpStream *self)
{
	return self->params.blksize;
}

guint
pxf_mtftp_stream_get_n_blocks(PxfMtftpStream *self)
{
	return self->n_blocks;
}

PxfMtftpProto
pxf_mtftp_stream_get_proto(PxfMtftpStream *self)
{
	return self->params.proto;
}

guint64
pxf_mtftp_stream_get_n_sent(PxfMtftpStream *self)
{
	return self->n_sent;
}
