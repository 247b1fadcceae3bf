/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-fuzz"

#include <string.h>

#include "pxf-mtftp-dhcp.h"
#include "pxf-mtftp-packet.h"
#include "pxf-mtftp-stream.h"

/* libFuzzer target for what clients and other plugins control. The input is
 * read as option 43 (parsed and merged), as a request (its options and an
 * RFC 2090 multicast value), and as a script for a multicast stream: joins,
 * ACKs, departures, reopenings and timeouts of four clients. Checked: no
 * crash, no leak, no read past the input, DATA blocks within the file and
 * packets within the block size. */

int LLVMFuzzerTestOneInput(const guint8 *data, gsize size);

static void
fuzz_option43(const guint8 *data, gsize size)
{
	PxfMtftpPxeParams params = {.group = {239, 255, 1, 1},
				    .client_port = 3001,
				    .server_port = 1759,
				    .listen = 2,
				    .delay = 2};
	g_autoptr(GPtrArray) subs = pxf_mtftp_dhcp_parse_sub_options(data, size, NULL);
	g_autoptr(GBytes) merged = pxf_mtftp_dhcp_merge(data, size, &params, NULL);

	g_assert(merged == NULL || subs != NULL);
	if (merged != NULL) {
		g_autoptr(GPtrArray) again = pxf_mtftp_dhcp_parse_sub_options(
			g_bytes_get_data(merged, NULL), g_bytes_get_size(merged), NULL);
		g_assert(g_bytes_get_size(merged) <= 255);
		g_assert(again != NULL);
	}
}

static void
fuzz_request(const guint8 *data, gsize size)
{
	g_auto(PxfTftpRequest) req = {0};
	const gchar *value = NULL;
	gsize value_len = 0;

	if (pxf_mtftp_request_find_option(data, size, "multicast", &value, &value_len)) {
		g_autofree gchar *copy = g_strndup(value, value_len);
		g_autofree gchar *addr = NULL;
		gboolean master = FALSE;
		gint port = 0;
		g_assert(value >= (const gchar *)data &&
			 value + value_len <= (const gchar *)data + size);
		if (pxf_mtftp_multicast_value_parse(copy, &addr, &port, &master, NULL))
			g_assert(port == -1 || (port >= 1 && port <= 65535));
	}
	pxf_tftp_request_parse(&req, data, size, NULL);
}

static void
fuzz_check_event(PxfMtftpStream *stream, const PxfMtftpEvent *ev)
{
	gsize len = 0;
	const guint8 *pkt;

	if (ev->type != PXF_MTFTP_EVENT_SEND)
		return;
	pkt = g_bytes_get_data(ev->packet, &len);
	g_assert(len >= 4);
	if (pkt[1] == PXF_TFTP_OP_DATA) {
		guint block = (guint)((pkt[2] << 8) | pkt[3]);
		g_assert(len <= 4 + (gsize)pxf_mtftp_stream_get_blksize(stream));
		g_assert(block >= 1 && block <= pxf_mtftp_stream_get_n_blocks(stream));
	}
}

static void
fuzz_stream(const guint8 *data, gsize size)
{
	static const gchar *const keys[] = {"a", "b", "c", "d"};
	PxfMtftpStreamParams params = {.group = "239.255.1.1", .port = 3002, .max_members = 3};
	g_autoptr(GBytes) file = NULL;
	g_autoptr(PxfMtftpStream) stream = NULL;
	g_auto(PxfMtftpEvent) ev = {0};
	gsize pos = 2;

	if (size < 2)
		return;
	params.proto = data[0] & 1 ? PXF_MTFTP_PROTO_RFC2090 : PXF_MTFTP_PROTO_PXE;
	params.blksize = 8 + (data[0] >> 1) * 8;
	params.retries = data[1] & 3;
	file = g_bytes_new_take(g_malloc0((gsize)data[1] * 13), (gsize)data[1] * 13);
	stream = pxf_mtftp_stream_new_for_bytes(&params, file, NULL);
	g_assert(stream != NULL);
	while (pos < size) {
		guint8 op = data[pos++];
		const gchar *key = keys[(op >> 3) & 3];
		switch (op & 7) {
		case 0:
		case 1:
			pxf_mtftp_stream_join(stream, key, (gpointer)key, op >> 6);
			break;
		case 2:
		case 3:
			if (pos + 2 <= size) {
				pxf_mtftp_stream_ack(stream, key,
						     (guint16)((data[pos] << 8) | data[pos + 1]));
				pos += 2;
			}
			break;
		case 4:
			pxf_mtftp_stream_leave(stream, key);
			break;
		case 5:
			pxf_mtftp_stream_rekey(stream, key, keys[(op >> 5) & 3]);
			break;
		default:
			pxf_mtftp_stream_timeout(stream);
			break;
		}
		while (pxf_mtftp_stream_pop_event(stream, &ev)) {
			fuzz_check_event(stream, &ev);
			pxf_mtftp_event_clear(&ev);
		}
		g_assert(pxf_mtftp_stream_get_n_members(stream) <= 3);
	}
}

int
LLVMFuzzerTestOneInput(const guint8 *data, gsize size)
{
	fuzz_option43(data, size);
	fuzz_request(data, size);
	fuzz_stream(data, size);
	return 0;
}
