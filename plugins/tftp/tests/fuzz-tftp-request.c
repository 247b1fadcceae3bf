/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-fuzz"

#include <string.h>

#include "pxf-tftp-path.h"
#include "pxf-tftp-xfer.h"

/* libFuzzer target for what a TFTP client controls. The input is parsed as a
 * request (RRQ/WRQ with options) whose file name goes through the path rules
 * and whose options are negotiated; then the same bytes drive a transfer's
 * state machine as a stream of packets, each prefixed by its length byte
 * (255: a timeout instead). Checked: no crash, no leak, no read past a
 * packet, and that the engine's answers stay within their bounds. */

int LLVMFuzzerTestOneInput(const guint8 *data, gsize size);

static void
fuzz_check_packet(PxfTftpXfer *xfer, PxfTftpXferAction action)
{
	gsize len = 0;
	const guint8 *pkt = pxf_tftp_xfer_get_packet(xfer, &len);

	if (action == PXF_TFTP_XFER_SEND) {
		g_assert(pkt != NULL && len >= 4);
		g_assert(len <= 4 + (gsize)pxf_tftp_xfer_get_blksize(xfer) || pkt[1] == 6);
	}
	if (action == PXF_TFTP_XFER_FAILED)
		g_assert(pxf_tftp_xfer_get_failure(xfer) != NULL);
}

static void
fuzz_request(const guint8 *data, gsize size)
{
	g_auto(PxfTftpRequest) req = {0};
	g_auto(PxfTftpNegotiation) neg = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(GBytes) content = g_bytes_new_static("0123456789abcdef", 16);
	g_autoptr(PxfTftpXfer) xfer = NULL;
	PxfTftpXferAction action;

	if (!pxf_tftp_request_parse(&req, data, size, &error)) {
		g_assert(error != NULL && error->code == PXF_TFTP_ERROR_ILLEGAL_OP);
		g_assert(req.filename == NULL);
		return;
	}
	g_assert(req.filename != NULL && strlen(req.filename) <= PXF_TFTP_FILENAME_MAX);
	g_assert(!req.has_blksize ||
		 (req.blksize >= PXF_TFTP_BLKSIZE_MIN && req.blksize <= PXF_TFTP_BLKSIZE_MAX));
	g_assert(!req.has_timeout ||
		 (req.timeout >= PXF_TFTP_TIMEOUT_MIN && req.timeout <= PXF_TFTP_TIMEOUT_MAX));
	path = pxf_tftp_path_sanitise(req.filename, &error);
	if (path != NULL) {
		g_assert(path[0] != '/' && strstr(path, "\\") == NULL);
		g_assert(strcmp(path, "..") != 0 && !g_str_has_prefix(path, "../") &&
			 strstr(path, "/../") == NULL && !g_str_has_suffix(path, "/.."));
	} else {
		g_assert(error != NULL && error->code == PXF_TFTP_ERROR_ACCESS);
	}
	pxf_tftp_negotiate(&req, 1468, 3, 16, &neg);
	g_assert(neg.blksize >= PXF_TFTP_BLKSIZE_MIN && neg.blksize <= 1468);
	xfer = pxf_tftp_xfer_new_for_bytes(&neg, 2, content);
	action = pxf_tftp_xfer_start(xfer);
	fuzz_check_packet(xfer, action);
	/* the request itself arriving on the transfer's port */
	action = pxf_tftp_xfer_receive(xfer, data, size);
	fuzz_check_packet(xfer, action);
}

static void
fuzz_stream(const guint8 *data, gsize size)
{
	g_autoptr(GBytes) content = NULL;
	PxfTftpNegotiation neg = {.blksize = 8, .timeout = 1};
	g_autoptr(PxfTftpXfer) xfer = NULL;
	guint8 *bytes = g_malloc(100);
	PxfTftpXferAction action;
	gsize pos = 0;

	for (guint i = 0; i < 100; i++)
		bytes[i] = (guint8)i;
	content = g_bytes_new_take(bytes, 100);
	xfer = pxf_tftp_xfer_new_for_bytes(&neg, 3, content);
	action = pxf_tftp_xfer_start(xfer);
	while (pos < size && action != PXF_TFTP_XFER_DONE && action != PXF_TFTP_XFER_FAILED) {
		gsize len = data[pos++];
		if (len == 255) {
			action = pxf_tftp_xfer_timeout(xfer);
		} else {
			g_autofree guint8 *pkt = NULL;
			len = MIN(len, size - pos);
			/* an exact-size copy: reading past it is an ASan report */
			pkt = g_memdup2(data + pos, len);
			action = pxf_tftp_xfer_receive(xfer, pkt, len);
			pos += len;
		}
		fuzz_check_packet(xfer, action);
		g_assert(pxf_tftp_xfer_get_bytes(xfer) <= 100);
	}
}

int
LLVMFuzzerTestOneInput(const guint8 *data, gsize size)
{
	g_autofree guint8 *copy = g_memdup2(data, size);

	fuzz_request(copy, size);
	fuzz_stream(copy, size);
	return 0;
}
