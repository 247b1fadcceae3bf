/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The transfer state machine driven by hand: a simulated client ACKs,
 * repeats, loses and errors, without sockets or clocks. */
#define G_LOG_DOMAIN "test-tftp"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "pxf-tftp-transfer.h"
#include "pxf-tftp-xfer.h"

static PxfTftpNegotiation
plain(guint blksize)
{
	PxfTftpNegotiation neg = {.blksize = blksize, .timeout = 3, .oack = NULL};
	return neg;
}

static void
ack(guint8 buf[4], guint16 block)
{
	buf[0] = 0;
	buf[1] = 4;
	buf[2] = (guint8)(block >> 8);
	buf[3] = (guint8)(block & 0xff);
}

static guint16
data_block(const guint8 *pkt, gsize len)
{
	g_assert_nonnull(pkt);
	g_assert_cmpuint(len, >=, 4);
	g_assert_cmpuint(pkt[0], ==, 0);
	g_assert_cmpuint(pkt[1], ==, PXF_TFTP_OP_DATA);
	return (guint16)((pkt[2] << 8) | pkt[3]);
}

/* A well-behaved client: ACK every DATA, collect the payload. Returns the
 * received bytes; checks the wire block numbers as it goes. */
static GByteArray *
run_client(PxfTftpXfer *xfer, gboolean expect_oack)
{
	GByteArray *got = g_byte_array_new();
	PxfTftpXferAction action = pxf_tftp_xfer_start(xfer);
	guint64 n = 0; /* DATA packets seen */
	guint8 a[4];

	g_assert_cmpint(action, ==, PXF_TFTP_XFER_SEND);
	if (expect_oack) {
		gsize len = 0;
		const guint8 *pkt = pxf_tftp_xfer_get_packet(xfer, &len);
		g_assert_cmpuint(pkt[1], ==, PXF_TFTP_OP_OACK);
		g_assert_cmpuint(pxf_tftp_xfer_get_block(xfer), ==, 0);
		ack(a, 0);
		action = pxf_tftp_xfer_receive(xfer, a, 4);
		g_assert_cmpint(action, ==, PXF_TFTP_XFER_SEND);
	}
	while (action == PXF_TFTP_XFER_SEND) {
		gsize len = 0;
		const guint8 *pkt = pxf_tftp_xfer_get_packet(xfer, &len);
		guint16 block = data_block(pkt, len);

		n++;
		/* wraps to 0 after 65535, as tftp-hpa and curl expect */
		g_assert_cmpuint(block, ==, (guint16)(n & 0xffff));
		g_assert_cmpuint(pxf_tftp_xfer_get_block(xfer), ==, n);
		g_assert_cmpuint(len - 4, <=, pxf_tftp_xfer_get_blksize(xfer));
		g_byte_array_append(got, pkt + 4, (guint)(len - 4));
		ack(a, block);
		action = pxf_tftp_xfer_receive(xfer, a, 4);
	}
	g_assert_cmpint(action, ==, PXF_TFTP_XFER_DONE);
	g_assert_cmpuint(pxf_tftp_xfer_get_bytes(xfer), ==, got->len);
	/* after DONE nothing moves */
	g_assert_cmpint(pxf_tftp_xfer_receive(xfer, a, 4), ==, PXF_TFTP_XFER_IGNORE);
	g_assert_cmpint(pxf_tftp_xfer_timeout(xfer), ==, PXF_TFTP_XFER_IGNORE);
	return got;
}

static GBytes *
pattern(gsize size)
{
	guint8 *data = g_malloc(size + 1);
	for (gsize i = 0; i < size; i++)
		data[i] = (guint8)((i * 7 + i / 251) & 0xff);
	return g_bytes_new_take(data, size);
}

static void
test_sizes(void)
{
	const gsize sizes[] = {0, 1, 511, 512, 513, 1024, 1467, 1468, 1469, 1 << 20};
	const guint blksizes[] = {512, 1468, 8, 65464};

	for (guint s = 0; s < G_N_ELEMENTS(sizes); s++) {
		for (guint b = 0; b < G_N_ELEMENTS(blksizes); b++) {
			g_autoptr(GBytes) content = pattern(sizes[s]);
			PxfTftpNegotiation neg = plain(blksizes[b]);
			g_autoptr(PxfTftpXfer) xfer = pxf_tftp_xfer_new_for_bytes(&neg, 5, content);
			g_autoptr(GByteArray) got = run_client(xfer, FALSE);
			guint64 blocks = sizes[s] / blksizes[b] +
					 1; /* a full last block needs an empty one */

			g_assert_cmpmem(got->data, got->len, g_bytes_get_data(content, NULL),
					sizes[s]);
			g_assert_cmpuint(pxf_tftp_xfer_get_block(xfer), ==, blocks);
		}
	}
}

static void
test_negotiate(void)
{
	PxfTftpRequest none = {0};
	PxfTftpRequest all = {.has_blksize = TRUE,
			      .blksize = 65464,
			      .has_tsize = TRUE,
			      .tsize = 0,
			      .has_timeout = TRUE,
			      .timeout = 7};
	PxfTftpRequest small = {.has_blksize = TRUE, .blksize = 1024};
	g_auto(PxfTftpNegotiation) n1 = {0};
	g_auto(PxfTftpNegotiation) n2 = {0};
	g_auto(PxfTftpNegotiation) n3 = {0};
	const guint8 expected[] = "\0\6blksize\0001468\0timeout\0007\0tsize\00012345";
	gsize len = 0;
	const guint8 *oack;

	pxf_tftp_negotiate(&none, 65464, 3, 12345, &n1);
	g_assert_null(n1.oack);
	g_assert_cmpuint(n1.blksize, ==, 512);
	g_assert_cmpuint(n1.timeout, ==, 3);

	/* the client's wish capped by blksize_max; tsize is the real size */
	pxf_tftp_negotiate(&all, 1468, 3, 12345, &n2);
	g_assert_cmpuint(n2.blksize, ==, 1468);
	g_assert_cmpuint(n2.timeout, ==, 7);
	oack = g_bytes_get_data(n2.oack, &len);
	g_assert_cmpmem(oack, len, expected, sizeof(expected));

	pxf_tftp_negotiate(&small, 65464, 3, 0, &n3);
	g_assert_cmpuint(n3.blksize, ==, 1024);
	g_assert_nonnull(n3.oack);

	/* an empty file: no tsize in the OACK (curl refuses "tsize 0"), so a
	 * request with only tsize gets DATA 1 at once */
	{
		PxfTftpRequest tsize_only = {.has_tsize = TRUE};
		g_auto(PxfTftpNegotiation) n4 = {0};
		g_auto(PxfTftpNegotiation) n5 = {0};
		pxf_tftp_negotiate(&tsize_only, 65464, 3, 0, &n4);
		g_assert_null(n4.oack);
		pxf_tftp_negotiate(&all, 65464, 3, 0, &n5);
		oack = g_bytes_get_data(n5.oack, &len);
		g_assert_cmpmem(oack, len, "\0\6blksize\00065464\0timeout\0007", 26);
	}
}

static void
test_oack_flow(void)
{
	PxfTftpRequest req = {.has_blksize = TRUE, .blksize = 1000, .has_tsize = TRUE};
	g_autoptr(GBytes) content = pattern(2500);
	g_auto(PxfTftpNegotiation) neg = {0};
	g_autoptr(PxfTftpXfer) xfer = NULL;
	g_autoptr(GByteArray) got = NULL;

	pxf_tftp_negotiate(&req, 65464, 3, g_bytes_get_size(content), &neg);
	xfer = pxf_tftp_xfer_new_for_bytes(&neg, 5, content);
	got = run_client(xfer, TRUE);
	g_assert_cmpmem(got->data, got->len, g_bytes_get_data(content, NULL), 2500);
	g_assert_cmpuint(pxf_tftp_xfer_get_block(xfer), ==, 3);
}

static void
test_duplicate_ack(void)
{
	g_autoptr(GBytes) content = pattern(2000);
	PxfTftpNegotiation neg = plain(512);
	g_autoptr(PxfTftpXfer) xfer = pxf_tftp_xfer_new_for_bytes(&neg, 5, content);
	const guint8 *pkt;
	guint8 a[4];
	gsize len = 0;

	g_assert_cmpint(pxf_tftp_xfer_start(xfer), ==, PXF_TFTP_XFER_SEND);
	ack(a, 1);
	g_assert_cmpint(pxf_tftp_xfer_receive(xfer, a, 4), ==, PXF_TFTP_XFER_SEND);
	pkt = pxf_tftp_xfer_get_packet(xfer, &len);
	g_assert_cmpuint(data_block(pkt, len), ==, 2);
	/* the ACK of block 1 again (the network duplicated it, or the client
	 * timed out): no second copy of block 2, or every later block doubles */
	g_assert_cmpint(pxf_tftp_xfer_receive(xfer, a, 4), ==, PXF_TFTP_XFER_IGNORE);
	g_assert_cmpint(pxf_tftp_xfer_receive(xfer, a, 4), ==, PXF_TFTP_XFER_IGNORE);
	/* ACKs of blocks not sent yet, or long gone, are ignored too */
	ack(a, 3);
	g_assert_cmpint(pxf_tftp_xfer_receive(xfer, a, 4), ==, PXF_TFTP_XFER_IGNORE);
	ack(a, 0);
	g_assert_cmpint(pxf_tftp_xfer_receive(xfer, a, 4), ==, PXF_TFTP_XFER_IGNORE);
	g_assert_cmpuint(pxf_tftp_xfer_get_block(xfer), ==, 2);
	g_assert_cmpuint(pxf_tftp_xfer_get_bytes(xfer), ==, 512);
	ack(a, 2);
	g_assert_cmpint(pxf_tftp_xfer_receive(xfer, a, 4), ==, PXF_TFTP_XFER_SEND);
	pkt = pxf_tftp_xfer_get_packet(xfer, &len);
	g_assert_cmpuint(data_block(pkt, len), ==, 3);
}

static void
test_timeouts(void)
{
	g_autoptr(GBytes) content = pattern(1500);
	PxfTftpNegotiation neg = plain(512);
	g_autoptr(PxfTftpXfer) xfer = pxf_tftp_xfer_new_for_bytes(&neg, 3, content);
	g_autofree guint8 *first = NULL;
	gsize first_len = 0;
	gsize len = 0;
	const guint8 *pkt;
	guint8 a[4];

	g_assert_cmpint(pxf_tftp_xfer_start(xfer), ==, PXF_TFTP_XFER_SEND);
	pkt = pxf_tftp_xfer_get_packet(xfer, &first_len);
	first = g_memdup2(pkt, first_len);
	/* a lost packet is sent again, identical, until the retries run out */
	for (guint i = 0; i < 3; i++) {
		g_assert_cmpint(pxf_tftp_xfer_timeout(xfer), ==, PXF_TFTP_XFER_SEND);
		pkt = pxf_tftp_xfer_get_packet(xfer, &len);
		g_assert_cmpmem(pkt, len, first, first_len);
	}
	/* progress resets the count */
	ack(a, 1);
	g_assert_cmpint(pxf_tftp_xfer_receive(xfer, a, 4), ==, PXF_TFTP_XFER_SEND);
	for (guint i = 0; i < 3; i++)
		g_assert_cmpint(pxf_tftp_xfer_timeout(xfer), ==, PXF_TFTP_XFER_SEND);
	g_assert_cmpint(pxf_tftp_xfer_timeout(xfer), ==, PXF_TFTP_XFER_FAILED);
	pxf_tftp_xfer_get_packet(xfer, &len);
	g_assert_cmpuint(len, ==, 0);
	g_assert_nonnull(strstr(pxf_tftp_xfer_get_failure(xfer), "block 2"));
	g_assert_nonnull(strstr(pxf_tftp_xfer_get_failure(xfer), "timed out"));
	g_assert_cmpint(pxf_tftp_xfer_receive(xfer, a, 4), ==, PXF_TFTP_XFER_IGNORE);
}

static void
test_oack_timeout_and_refusal(void)
{
	PxfTftpRequest req = {.has_tsize = TRUE};
	g_autoptr(GBytes) content = pattern(10);
	g_auto(PxfTftpNegotiation) neg = {0};
	g_autoptr(PxfTftpXfer) x1 = NULL;
	g_autoptr(PxfTftpXfer) x2 = NULL;
	gsize len = 0;

	pxf_tftp_negotiate(&req, 65464, 3, 10, &neg);
	x1 = pxf_tftp_xfer_new_for_bytes(&neg, 0, content);
	g_assert_cmpint(pxf_tftp_xfer_start(x1), ==, PXF_TFTP_XFER_SEND);
	g_assert_cmpint(pxf_tftp_xfer_timeout(x1), ==, PXF_TFTP_XFER_FAILED);
	g_assert_nonnull(strstr(pxf_tftp_xfer_get_failure(x1), "the OACK"));

	/* RFC 2347: a client that does not accept the OACK answers error 8 */
	x2 = pxf_tftp_xfer_new_for_bytes(&neg, 5, content);
	g_assert_cmpint(pxf_tftp_xfer_start(x2), ==, PXF_TFTP_XFER_SEND);
	g_assert_cmpint(pxf_tftp_xfer_receive(x2, (const guint8 *)"\0\5\0\10no thanks", 14), ==,
			PXF_TFTP_XFER_FAILED);
	pxf_tftp_xfer_get_packet(x2, &len);
	g_assert_cmpuint(len, ==, 0); /* never answer an ERROR */
	g_assert_nonnull(strstr(pxf_tftp_xfer_get_failure(x2), "error 8"));
	g_assert_nonnull(strstr(pxf_tftp_xfer_get_failure(x2), "no thanks"));
	g_assert_true(pxf_tftp_xfer_get_client_error(x2));
	g_assert_false(pxf_tftp_xfer_get_client_error(x1));
}

static void
test_unexpected_packets(void)
{
	const gchar *packets[] = {"\0\3\0\1abc", "\0\1file\0octet", "\0\4\0", "\0\6x\0y", "\x12"};
	const gsize lens[] = {7, 12, 3, 6, 1};

	for (guint i = 0; i < G_N_ELEMENTS(packets); i++) {
		g_autoptr(GBytes) content = pattern(1000);
		PxfTftpNegotiation neg = plain(512);
		g_autoptr(PxfTftpXfer) xfer = pxf_tftp_xfer_new_for_bytes(&neg, 5, content);
		const guint8 *pkt;
		gsize len = 0;

		g_assert_cmpint(pxf_tftp_xfer_start(xfer), ==, PXF_TFTP_XFER_SEND);
		g_assert_cmpint(pxf_tftp_xfer_receive(xfer, (const guint8 *)packets[i], lens[i]),
				==, PXF_TFTP_XFER_FAILED);
		pkt = pxf_tftp_xfer_get_packet(xfer, &len);
		g_assert_cmpuint(len, >=, 5);
		g_assert_cmpmem(pkt, 4, "\0\5\0\4", 4);
	}
}

/* A 'file' of size bytes whose content is computed, so that rollover needs no
 * 32 MiB buffer; fails on demand at fail_at. */
typedef struct {
	guint64 size;
	guint64 fail_at;
} Synthetic;

static guint8
synthetic_byte(guint64 offset)
{
	return (guint8)((offset ^ (offset >> 9) ^ (offset >> 17)) & 0xff);
}

static gssize
synthetic_read(gpointer source, guint64 offset, guint8 *buf, gsize len, GError **error)
{
	Synthetic *s = source;
	gsize n;

	if (offset >= s->fail_at) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "disk on fire");
		return -1;
	}
	if (offset >= s->size)
		return 0;
	n = (gsize)MIN((guint64)len, s->size - offset);
	for (gsize i = 0; i < n; i++)
		buf[i] = synthetic_byte(offset + i);
	return (gssize)n;
}

static void
run_rollover(guint blksize, guint64 size)
{
	Synthetic src = {.size = size, .fail_at = G_MAXUINT64};
	PxfTftpNegotiation neg = plain(blksize);
	g_autoptr(PxfTftpXfer) xfer = pxf_tftp_xfer_new(&neg, 5, synthetic_read, &src, NULL);
	PxfTftpXferAction action = pxf_tftp_xfer_start(xfer);
	guint64 n = 0;
	guint64 offset = 0;
	gboolean seen_zero = FALSE;
	guint8 a[4];

	while (action == PXF_TFTP_XFER_SEND) {
		gsize len = 0;
		const guint8 *pkt = pxf_tftp_xfer_get_packet(xfer, &len);
		guint16 block = data_block(pkt, len);

		n++;
		g_assert_cmpuint(block, ==, (guint16)(n & 0xffff));
		if (block == 0) {
			g_assert_cmpuint(n % 65536, ==, 0);
			seen_zero = TRUE;
		}
		for (gsize i = 4; i < len; i++, offset++)
			g_assert_cmpuint(pkt[i], ==, synthetic_byte(offset));
		/* a late duplicate of the previous ACK right at the wrap */
		if (block == 0) {
			ack(a, 65535);
			g_assert_cmpint(pxf_tftp_xfer_receive(xfer, a, 4), ==,
					PXF_TFTP_XFER_IGNORE);
		}
		ack(a, block);
		action = pxf_tftp_xfer_receive(xfer, a, 4);
	}
	g_assert_cmpint(action, ==, PXF_TFTP_XFER_DONE);
	g_assert_true(seen_zero);
	g_assert_cmpuint(offset, ==, size);
	g_assert_cmpuint(pxf_tftp_xfer_get_bytes(xfer), ==, size);
	g_assert_cmpuint(n, ==, size / blksize + 1);
}

static void
test_rollover(void)
{
	/* > 32 MiB at the default block size: block 65535, then 0, 1, ... */
	run_rollover(512, (guint64)65536 * 512 + 513);
	/* exactly 65536 full blocks: the empty last block is number 1 after a wrap */
	run_rollover(8, (guint64)65536 * 8);
	/* more than one wrap */
	run_rollover(8, (guint64)3 * 65536 * 8 + 3);
}

static void
test_read_error(void)
{
	Synthetic at_start = {.size = 5000, .fail_at = 0};
	Synthetic later = {.size = 5000, .fail_at = 1024};
	PxfTftpNegotiation neg = plain(512);
	g_autoptr(PxfTftpXfer) x1 = pxf_tftp_xfer_new(&neg, 5, synthetic_read, &at_start, NULL);
	g_autoptr(PxfTftpXfer) x2 = pxf_tftp_xfer_new(&neg, 5, synthetic_read, &later, NULL);
	const guint8 *pkt;
	gsize len = 0;
	guint8 a[4];

	g_assert_cmpint(pxf_tftp_xfer_start(x1), ==, PXF_TFTP_XFER_FAILED);
	pkt = pxf_tftp_xfer_get_packet(x1, &len);
	g_assert_cmpmem(pkt, 4, "\0\5\0\0", 4);
	g_assert_nonnull(strstr(pxf_tftp_xfer_get_failure(x1), "disk on fire"));

	g_assert_cmpint(pxf_tftp_xfer_start(x2), ==, PXF_TFTP_XFER_SEND);
	ack(a, 1);
	g_assert_cmpint(pxf_tftp_xfer_receive(x2, a, 4), ==, PXF_TFTP_XFER_SEND);
	ack(a, 2);
	g_assert_cmpint(pxf_tftp_xfer_receive(x2, a, 4), ==, PXF_TFTP_XFER_FAILED);
	g_assert_nonnull(strstr(pxf_tftp_xfer_get_failure(x2), "block 3"));
	g_assert_cmpuint(pxf_tftp_xfer_get_bytes(x2), ==, 1024);
}

static void
test_fd_source(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(GBytes) content = pattern(70000);
	PxfTftpNegotiation neg = plain(1468);
	g_autoptr(PxfTftpXfer) xfer = NULL;
	g_autoptr(GByteArray) got = NULL;
	gint fd = g_file_open_tmp("pxf-tftp-xfer-XXXXXX", &path, &error);

	g_assert_no_error(error);
	/* through fd: g_file_set_contents() would replace the file under it */
	g_assert_cmpint(write(fd, g_bytes_get_data(content, NULL), 70000), ==, 70000);
	xfer = pxf_tftp_xfer_new_for_fd(&neg, 5, fd); /* takes fd */
	got = run_client(xfer, FALSE);
	g_assert_cmpmem(got->data, got->len, g_bytes_get_data(content, NULL), 70000);
	g_unlink(path);
}

typedef struct {
	guint seen;
	guint stop_at; /* 0: never */
	struct sockaddr_in sender;
	GString *payloads;
} BurstCounter;

static gboolean
burst_datagram(const guint8 *buf,
	       gsize len,
	       const struct sockaddr *peer,
	       socklen_t peer_len,
	       gpointer user_data)
{
	BurstCounter *c = user_data;

	/* the peer is the socket that sent it */
	g_assert_true(pxf_tftp_sockaddr_equal(peer, peer_len, (const struct sockaddr *)&c->sender,
					      sizeof(c->sender)));
	g_string_append_len(c->payloads, (const gchar *)buf, (gssize)len);
	c->seen++;
	return c->stop_at == 0 || c->seen < c->stop_at;
}

/* At most burst datagrams per call, each with its sender; the callback can
 * stop the burst; an empty socket returns at once. Loopback only. */
static void
test_receive_burst(void)
{
	gint rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	gint tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t addr_len = sizeof(addr);
	BurstCounter c = {.payloads = g_string_new(NULL)};
	guint8 buf[16];

	g_assert_cmpint(rx, >=, 0);
	g_assert_cmpint(tx, >=, 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(rx, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
	g_assert_cmpint(getsockname(rx, (struct sockaddr *)&addr, &addr_len), ==, 0);
	c.sender.sin_family = AF_INET;
	c.sender.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(tx, (struct sockaddr *)&c.sender, sizeof(c.sender)), ==, 0);
	addr_len = sizeof(c.sender);
	g_assert_cmpint(getsockname(tx, (struct sockaddr *)&c.sender, &addr_len), ==, 0);

	/* nothing waiting */
	g_assert_true(pxf_tftp_receive_burst(rx, buf, sizeof(buf), 4, burst_datagram, &c));
	g_assert_cmpuint(c.seen, ==, 0);

	for (guint i = 0; i < 5; i++) {
		gchar payload = (gchar)('a' + i);
		g_assert_cmpint(sendto(tx, &payload, 1, 0, (struct sockaddr *)&addr, sizeof(addr)),
				==, 1);
	}
	/* loopback delivers at once; two per burst */
	g_assert_true(pxf_tftp_receive_burst(rx, buf, sizeof(buf), 2, burst_datagram, &c));
	g_assert_cmpuint(c.seen, ==, 2);
	g_assert_cmpstr(c.payloads->str, ==, "ab");
	/* the callback stops it after the next one */
	c.stop_at = 3;
	g_assert_false(pxf_tftp_receive_burst(rx, buf, sizeof(buf), 2, burst_datagram, &c));
	g_assert_cmpuint(c.seen, ==, 3);
	/* the rest, then the socket is empty */
	c.stop_at = 0;
	g_assert_true(pxf_tftp_receive_burst(rx, buf, sizeof(buf), 8, burst_datagram, &c));
	g_assert_cmpuint(c.seen, ==, 5);
	g_assert_cmpstr(c.payloads->str, ==, "abcde");

	g_string_free(c.payloads, TRUE);
	close(rx);
	close(tx);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/tftp/xfer/sizes", test_sizes);
	g_test_add_func("/plugin/tftp/xfer/negotiate", test_negotiate);
	g_test_add_func("/plugin/tftp/xfer/oack-flow", test_oack_flow);
	g_test_add_func("/plugin/tftp/xfer/duplicate-ack", test_duplicate_ack);
	g_test_add_func("/plugin/tftp/xfer/timeouts", test_timeouts);
	g_test_add_func("/plugin/tftp/xfer/oack-timeout-refusal", test_oack_timeout_and_refusal);
	g_test_add_func("/plugin/tftp/xfer/unexpected-packets", test_unexpected_packets);
	g_test_add_func("/plugin/tftp/xfer/rollover", test_rollover);
	g_test_add_func("/plugin/tftp/xfer/read-error", test_read_error);
	g_test_add_func("/plugin/tftp/xfer/fd-source", test_fd_source);
	g_test_add_func("/plugin/tftp/xfer/receive-burst", test_receive_burst);
	return g_test_run();
}
