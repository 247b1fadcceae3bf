/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The multicast stream state machine: master election, the group and
 * unicast packets, late joiners asking for what they missed, retries,
 * departures and limits. */
#define G_LOG_DOMAIN "test-mtftp-stream"

#include <string.h>

#include "pxf-mtftp-packet.h"
#include "pxf-mtftp-stream.h"

/* Members are named by their key; user_data is the key string itself. */
static const gchar *A = "10.0.0.1:1001";
static const gchar *B = "10.0.0.2:1002";
static const gchar *C = "10.0.0.3:1003";

/* One event, flattened: "send A data 1", "send * data 2", "send B oack 1",
 * "master A", "done A", "failed A". */
static gchar *
describe(const PxfMtftpEvent *ev)
{
	const gchar *who = ev->member != NULL ? ev->member : "*";

	switch (ev->type) {
	case PXF_MTFTP_EVENT_SEND: {
		gsize len = 0;
		const guint8 *data = g_bytes_get_data(ev->packet, &len);
		guint16 op = pxf_tftp_packet_get_opcode(data, len);
		if (op == PXF_TFTP_OP_DATA)
			return g_strdup_printf("send %s data %u%s", who,
					       (guint)((data[2] << 8) | data[3]),
					       ev->arms_timer ? "" : " (no timer)");
		if (op == PXF_TFTP_OP_OACK) {
			/* the last pair is multicast: its value ends the packet */
			const gchar *value = (const gchar *)data + len - 2;
			while (value > (const gchar *)data && value[-1] != '\0')
				value--;
			return g_strdup_printf("send %s oack %s", who, value);
		}
		return g_strdup_printf("send %s op %u", who, op);
	}
	case PXF_MTFTP_EVENT_MASTER:
		return g_strdup_printf("master %s", who);
	case PXF_MTFTP_EVENT_DONE:
		return g_strdup_printf("done %s", who);
	case PXF_MTFTP_EVENT_FAILED:
	default:
		return g_strdup_printf("failed %s%s", who, ev->tell ? " (told)" : "");
	}
}

/* Every pending event, joined by "; ". */
static gchar *
drain(PxfMtftpStream *stream)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_auto(PxfMtftpEvent) ev = {0};

	while (pxf_mtftp_stream_pop_event(stream, &ev)) {
		g_autofree gchar *text = describe(&ev);
		g_string_append_printf(out, "%s%s", out->len > 0 ? "; " : "", text);
		pxf_mtftp_event_clear(&ev);
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

#define assert_events(stream, expected)                                                            \
	G_STMT_START                                                                               \
	{                                                                                          \
		g_autofree gchar *got_ = drain(stream);                                            \
		g_assert_cmpstr(got_, ==, expected);                                               \
	}                                                                                          \
	G_STMT_END

static GBytes *
make_file(gsize size)
{
	guint8 *data = g_malloc(size + 1);
	for (gsize i = 0; i < size; i++)
		data[i] = (guint8)(i * 7 + 3);
	return g_bytes_new_take(data, size);
}

static PxfMtftpStream *
make_stream(PxfMtftpProto proto, gsize size, guint blksize, guint retries)
{
	PxfMtftpStreamParams params = {
		.proto = proto,
		.blksize = blksize,
		.retries = retries,
		.group = "239.255.1.1",
		.port = 3002,
		.max_members = 3,
	};
	g_autoptr(GBytes) file = make_file(size);
	g_autoptr(GError) error = NULL;
	PxfMtftpStream *stream = pxf_mtftp_stream_new_for_bytes(&params, file, &error);

	g_assert_no_error(error);
	return stream;
}

static void
test_pxe_master(void)
{
	/* 1200 bytes: blocks of 512, 512, 176 */
	g_autoptr(PxfMtftpStream) s = make_stream(PXF_MTFTP_PROTO_PXE, 1200, 512, 2);

	g_assert_cmpuint(pxf_mtftp_stream_get_n_blocks(s), ==, 3);
	g_assert_cmpint(pxf_mtftp_stream_join(s, A, (gpointer)A, 0), ==, PXF_MTFTP_JOIN_NEW);
	/* block 1 to the master alone: that is what makes it master */
	assert_events(s, "master 10.0.0.1:1001; send 10.0.0.1:1001 data 1");
	g_assert_true(pxf_mtftp_stream_get_master(s) == A);
	g_assert_true(pxf_mtftp_stream_is_waiting(s));

	/* a second client hears nothing from us: it listens to the group */
	g_assert_cmpint(pxf_mtftp_stream_join(s, B, (gpointer)B, 0), ==, PXF_MTFTP_JOIN_NEW);
	assert_events(s, "");
	g_assert_cmpuint(pxf_mtftp_stream_get_member_bytes(s, A), ==, 512);
	g_assert_cmpuint(pxf_mtftp_stream_get_member_bytes(s, B), ==, 0);

	/* ACKs from a non-master are not the stream's business */
	g_assert_true(pxf_mtftp_stream_ack(s, B, 1));
	assert_events(s, "");
	/* strangers are not members */
	g_assert_false(pxf_mtftp_stream_ack(s, C, 1));

	g_assert_true(pxf_mtftp_stream_ack(s, A, 1));
	assert_events(s, "send * data 2");
	/* the same ACK again: no second copy (Sorcerer's Apprentice) */
	g_assert_true(pxf_mtftp_stream_ack(s, A, 1));
	assert_events(s, "");
	g_assert_true(pxf_mtftp_stream_ack(s, A, 2));
	assert_events(s, "send * data 3");
	g_assert_cmpuint(pxf_mtftp_stream_get_member_bytes(s, B), ==, 512 + 176);

	/* the master has it all: B becomes master and gets block 1, once */
	g_assert_true(pxf_mtftp_stream_ack(s, A, 3));
	assert_events(s, "done 10.0.0.1:1001; master 10.0.0.2:1002; send 10.0.0.2:1002 data 1");
	g_assert_cmpuint(pxf_mtftp_stream_get_member_bytes(s, B), ==, 1200);
	/* it was listening: no copies until it asks again (atftp drops block 1
	 * while it listens, and each copy would restart its listen timer) */
	pxf_mtftp_stream_timeout(s);
	assert_events(s, "");
	g_assert_cmpint(pxf_mtftp_stream_join(s, B, (gpointer)B, 0), ==, PXF_MTFTP_JOIN_REPEAT);
	assert_events(s, "send 10.0.0.2:1002 data 1");
	/* it had 2 and 3 from the group: its ACK of 3 ends it */
	g_assert_true(pxf_mtftp_stream_ack(s, B, 3));
	assert_events(s, "done 10.0.0.2:1002");
	g_assert_cmpuint(pxf_mtftp_stream_get_n_members(s), ==, 0);
	g_assert_false(pxf_mtftp_stream_is_waiting(s));
	g_assert_cmpuint(pxf_mtftp_stream_get_n_members(s), ==, 0);
	g_assert_false(pxf_mtftp_stream_is_waiting(s));
}

static void
test_pxe_late_joiner(void)
{
	/* 2048 bytes: 4 full blocks and an empty fifth */
	g_autoptr(PxfMtftpStream) s = make_stream(PXF_MTFTP_PROTO_PXE, 2048, 512, 2);

	g_assert_cmpuint(pxf_mtftp_stream_get_n_blocks(s), ==, 5);
	pxf_mtftp_stream_join(s, A, (gpointer)A, 0);
	pxf_mtftp_stream_ack(s, A, 1);
	pxf_mtftp_stream_ack(s, A, 2);
	assert_events(s, "master 10.0.0.1:1001; send 10.0.0.1:1001 data 1; send * data 2; "
			 "send * data 3");
	/* B joins while block 3 is on its way */
	pxf_mtftp_stream_join(s, B, (gpointer)B, 0);
	pxf_mtftp_stream_ack(s, A, 3);
	pxf_mtftp_stream_ack(s, A, 4);
	pxf_mtftp_stream_ack(s, A, 5);
	assert_events(s, "send * data 4; send * data 5; done 10.0.0.1:1001; master 10.0.0.2:1002; "
			 "send 10.0.0.2:1002 data 1");
	/* B asks for what it missed, one block after the other, then has it all */
	pxf_mtftp_stream_ack(s, B, 1);
	assert_events(s, "send * data 2");
	pxf_mtftp_stream_ack(s, B, 2);
	assert_events(s, "send * data 3");
	pxf_mtftp_stream_ack(s, B, 5);
	assert_events(s, "done 10.0.0.2:1002");
}

static void
test_pxe_retries(void)
{
	g_autoptr(PxfMtftpStream) s = make_stream(PXF_MTFTP_PROTO_PXE, 1000, 512, 2);

	pxf_mtftp_stream_join(s, A, (gpointer)A, 0);
	pxf_mtftp_stream_join(s, B, (gpointer)B, 0);
	assert_events(s, "master 10.0.0.1:1001; send 10.0.0.1:1001 data 1");
	/* retransmissions only on timeouts, `retries` times, then the next
	 * client takes over */
	pxf_mtftp_stream_timeout(s);
	pxf_mtftp_stream_timeout(s);
	assert_events(s, "send 10.0.0.1:1001 data 1; send 10.0.0.1:1001 data 1");
	pxf_mtftp_stream_timeout(s);
	assert_events(s, "failed 10.0.0.1:1001; master 10.0.0.2:1002; send 10.0.0.2:1002 data 1");
	/* B was listening: it gets no copies, but as many timeouts to ask */
	pxf_mtftp_stream_timeout(s);
	pxf_mtftp_stream_timeout(s);
	assert_events(s, "");
	g_assert_true(pxf_mtftp_stream_is_waiting(s));
	pxf_mtftp_stream_join(s, B, (gpointer)B, 0);
	assert_events(s, "send 10.0.0.2:1002 data 1");
	pxf_mtftp_stream_ack(s, B, 1);
	pxf_mtftp_stream_timeout(s);
	assert_events(s, "send * data 2; send * data 2");
	/* an answer resets the count */
	pxf_mtftp_stream_ack(s, B, 1);
	assert_events(s, "");
	pxf_mtftp_stream_timeout(s);
	pxf_mtftp_stream_timeout(s);
	pxf_mtftp_stream_timeout(s);
	assert_events(s, "send * data 2; send * data 2; failed 10.0.0.2:1002");
	g_assert_cmpuint(pxf_mtftp_stream_get_n_members(s), ==, 0);
	/* nothing waits any more */
	pxf_mtftp_stream_timeout(s);
	assert_events(s, "");
}

static void
test_pxe_repeat_rekey_leave(void)
{
	g_autoptr(PxfMtftpStream) s = make_stream(PXF_MTFTP_PROTO_PXE, 1000, 512, 2);

	pxf_mtftp_stream_join(s, A, (gpointer)A, 0);
	assert_events(s, "master 10.0.0.1:1001; send 10.0.0.1:1001 data 1");
	/* the master asks again before answering: block 1 again, at once */
	g_assert_cmpint(pxf_mtftp_stream_join(s, A, (gpointer)A, 0), ==, PXF_MTFTP_JOIN_REPEAT);
	assert_events(s, "send 10.0.0.1:1001 data 1");
	/* it reopened from another port: the same place, block 1 there */
	g_assert_true(pxf_mtftp_stream_rekey(s, A, "10.0.0.1:2001"));
	assert_events(s, "send 10.0.0.1:1001 data 1");
	g_assert_null(pxf_mtftp_stream_lookup(s, A));
	g_assert_true(pxf_mtftp_stream_lookup(s, "10.0.0.1:2001") == A);
	g_assert_false(pxf_mtftp_stream_rekey(s, A, B));
	/* once it answered, a repeated request changes nothing */
	pxf_mtftp_stream_ack(s, "10.0.0.1:2001", 1);
	assert_events(s, "send * data 2");
	g_assert_cmpint(pxf_mtftp_stream_join(s, "10.0.0.1:2001", (gpointer)A, 0), ==,
			PXF_MTFTP_JOIN_REPEAT);
	assert_events(s, "");

	pxf_mtftp_stream_join(s, B, (gpointer)B, 0);
	pxf_mtftp_stream_join(s, C, (gpointer)C, 0);
	g_assert_cmpint(pxf_mtftp_stream_join(s, "10.0.0.4:1", NULL, 0), ==, PXF_MTFTP_JOIN_FULL);
	/* a listener leaves: nothing else changes */
	g_assert_true(pxf_mtftp_stream_leave(s, B) == B);
	g_assert_null(pxf_mtftp_stream_leave(s, B));
	assert_events(s, "");
	/* the master leaves (an ERROR): the next one takes over */
	g_assert_true(pxf_mtftp_stream_leave(s, "10.0.0.1:2001") == A);
	assert_events(s, "master 10.0.0.3:1003; send 10.0.0.3:1003 data 1");
	/* ACK 0 from a PXE master asks for block 1, which only it gets */
	pxf_mtftp_stream_ack(s, C, 0);
	assert_events(s, "send 10.0.0.3:1003 data 1");
	/* ACKs past the end are ignored */
	pxf_mtftp_stream_ack(s, C, 7);
	assert_events(s, "");
}

static void
test_rfc2090(void)
{
	g_autoptr(PxfMtftpStream) s = make_stream(PXF_MTFTP_PROTO_RFC2090, 3000, 1024, 1);

	/* the first client is master: OACK mc=1, then everything to the group */
	g_assert_cmpint(pxf_mtftp_stream_join(s, A, (gpointer)A, PXF_MTFTP_JOIN_BLKSIZE), ==,
			PXF_MTFTP_JOIN_NEW);
	assert_events(s, "master 10.0.0.1:1001; send 10.0.0.1:1001 oack 239.255.1.1,3002,1");
	pxf_mtftp_stream_ack(s, A, 0);
	assert_events(s, "send * data 1");
	/* a second client: OACK mc=0, it listens */
	pxf_mtftp_stream_join(s, B, (gpointer)B, PXF_MTFTP_JOIN_BLKSIZE | PXF_MTFTP_JOIN_TSIZE);
	assert_events(s, "send 10.0.0.2:1002 oack 239.255.1.1,3002,0");
	/* its request again: its OACK again, the master's stream goes on */
	pxf_mtftp_stream_join(s, B, (gpointer)B, PXF_MTFTP_JOIN_BLKSIZE | PXF_MTFTP_JOIN_TSIZE);
	assert_events(s, "send 10.0.0.2:1002 oack 239.255.1.1,3002,0");
	pxf_mtftp_stream_ack(s, A, 1);
	pxf_mtftp_stream_ack(s, A, 2);
	pxf_mtftp_stream_ack(s, A, 3);
	assert_events(s, "send * data 2; send * data 3; done 10.0.0.1:1001; master 10.0.0.2:1002; "
			 "send 10.0.0.2:1002 oack 239.255.1.1,3002,1");
	g_assert_cmpuint(pxf_mtftp_stream_get_member_bytes(s, B), ==, 1024 + 952);
	/* the new master asks for block 1, the one it missed, then is done */
	pxf_mtftp_stream_ack(s, B, 0);
	assert_events(s, "send * data 1");
	pxf_mtftp_stream_ack(s, B, 3);
	assert_events(s, "done 10.0.0.2:1002");

	/* a master that never answers its OACK is given up after the retries */
	pxf_mtftp_stream_join(s, A, (gpointer)A, 0);
	pxf_mtftp_stream_join(s, C, (gpointer)C, 0);
	assert_events(s, "master 10.0.0.1:1001; send 10.0.0.1:1001 oack 239.255.1.1,3002,1; "
			 "send 10.0.0.3:1003 oack 239.255.1.1,3002,0");
	pxf_mtftp_stream_timeout(s);
	assert_events(s, "send 10.0.0.1:1001 oack 239.255.1.1,3002,1");
	pxf_mtftp_stream_timeout(s);
	assert_events(s, "failed 10.0.0.1:1001; master 10.0.0.3:1003; "
			 "send 10.0.0.3:1003 oack 239.255.1.1,3002,1");
}

static void
test_rfc2090_oack_options(void)
{
	g_autoptr(PxfMtftpStream) s = make_stream(PXF_MTFTP_PROTO_RFC2090, 3000, 1024, 1);
	g_auto(PxfMtftpEvent) ev = {0};
	gsize len = 0;
	const guint8 *data;
	static const guint8 expected[] = "\0\6blksize\0"
					 "1024\0tsize\0"
					 "3000\0multicast\0"
					 "239.255.1.1,3002,1";

	pxf_mtftp_stream_join(s, A, (gpointer)A, PXF_MTFTP_JOIN_BLKSIZE | PXF_MTFTP_JOIN_TSIZE);
	g_assert_true(pxf_mtftp_stream_pop_event(s, &ev));
	g_assert_cmpint(ev.type, ==, PXF_MTFTP_EVENT_MASTER);
	pxf_mtftp_event_clear(&ev);
	g_assert_true(pxf_mtftp_stream_pop_event(s, &ev));
	g_assert_cmpint(ev.type, ==, PXF_MTFTP_EVENT_SEND);
	g_assert_true(ev.arms_timer);
	data = g_bytes_get_data(ev.packet, &len);
	g_assert_cmpmem(data, len, expected, sizeof(expected));
}

static void
test_data_content(void)
{
	g_autoptr(PxfMtftpStream) s = make_stream(PXF_MTFTP_PROTO_RFC2090, 1500, 1024, 1);
	g_autoptr(GBytes) file = make_file(1500);
	const guint8 *want = g_bytes_get_data(file, NULL);
	g_auto(PxfMtftpEvent) ev = {0};
	gsize len = 0;
	const guint8 *data;

	pxf_mtftp_stream_join(s, A, (gpointer)A, 0);
	g_free(drain(s));
	pxf_mtftp_stream_ack(s, A, 1);
	g_assert_true(pxf_mtftp_stream_pop_event(s, &ev));
	data = g_bytes_get_data(ev.packet, &len);
	g_assert_cmpuint(len, ==, 4 + 476);
	g_assert_cmpuint(data[1], ==, PXF_TFTP_OP_DATA);
	g_assert_cmpuint(data[3], ==, 2);
	g_assert_cmpmem(data + 4, len - 4, want + 1024, 476);
	g_assert_null(ev.member);
}

static gssize
failing_read(gpointer source, guint64 offset, guint8 *buf, gsize len, GError **error)
{
	if (offset > 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "disk gone");
		return -1;
	}
	memset(buf, 'x', len);
	return (gssize)len;
}

static void
test_read_error(void)
{
	PxfMtftpStreamParams params = {
		.proto = PXF_MTFTP_PROTO_PXE,
		.blksize = 512,
		.size = 2000,
		.retries = 1,
		.group = "239.255.1.1",
		.port = 3001,
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfMtftpStream) s =
		pxf_mtftp_stream_new(&params, failing_read, NULL, NULL, &error);

	g_assert_no_error(error);
	pxf_mtftp_stream_join(s, A, (gpointer)A, 0);
	pxf_mtftp_stream_join(s, B, (gpointer)B, 0);
	pxf_mtftp_stream_ack(s, A, 1);
	assert_events(s, "master 10.0.0.1:1001; send 10.0.0.1:1001 data 1; "
			 "failed 10.0.0.1:1001 (told); failed 10.0.0.2:1002 (told)");
	g_assert_cmpuint(pxf_mtftp_stream_get_n_members(s), ==, 0);
}

static void
test_too_big(void)
{
	PxfMtftpStreamParams params = {.proto = PXF_MTFTP_PROTO_PXE, .blksize = 512};
	g_autoptr(GError) error = NULL;
	PxfMtftpStream *s;

	/* 65535 blocks: up to 65535 * 512 - 1 bytes */
	params.size = 65535 * 512 - 1;
	s = pxf_mtftp_stream_new(&params, failing_read, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pxf_mtftp_stream_get_n_blocks(s), ==, 65535);
	pxf_mtftp_stream_free(s);
	params.size = 65535 * 512;
	s = pxf_mtftp_stream_new(&params, failing_read, NULL, NULL, &error);
	g_assert_null(s);
	g_assert_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_UNDEFINED);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugins/mtftp/stream/pxe-master", test_pxe_master);
	g_test_add_func("/plugins/mtftp/stream/pxe-late-joiner", test_pxe_late_joiner);
	g_test_add_func("/plugins/mtftp/stream/pxe-retries", test_pxe_retries);
	g_test_add_func("/plugins/mtftp/stream/pxe-repeat-rekey-leave",
			test_pxe_repeat_rekey_leave);
	g_test_add_func("/plugins/mtftp/stream/rfc2090", test_rfc2090);
	g_test_add_func("/plugins/mtftp/stream/rfc2090-oack", test_rfc2090_oack_options);
	g_test_add_func("/plugins/mtftp/stream/data", test_data_content);
	g_test_add_func("/plugins/mtftp/stream/read-error", test_read_error);
	g_test_add_func("/plugins/mtftp/stream/too-big", test_too_big);
	return g_test_run();
}
