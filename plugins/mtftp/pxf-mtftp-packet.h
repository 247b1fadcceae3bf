/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What multicast TFTP adds to the TFTP wire format (pxf-tftp-packet.h):
 * the RFC 2090 "multicast" option in requests and OACKs, and DATA blocks
 * read from a file or bytes. No sockets here. */
#pragma once

#include "pxf-tftp-packet.h"

G_BEGIN_DECLS

#define PXF_MTFTP_OPTION_MULTICAST "multicast"

/* The value of option name (case-insensitive) in an RRQ that
 * pxf_tftp_request_parse() accepted: *value points into buf (not
 * NUL-terminated past value_len). FALSE when absent; the first occurrence
 * wins, as in the tftp parser. */
gboolean pxf_mtftp_request_find_option(
	const guint8 *buf, gsize len, const gchar *name, const gchar **value, gsize *value_len);

/* An OACK for a multicast (RFC 2090) client: blksize when blksize > 0,
 * tsize when has_tsize, and "multicast" = "group,port,1|0". */
GBytes *pxf_mtftp_oack_build(guint blksize,
			     gboolean has_tsize,
			     guint64 tsize,
			     const gchar *group,
			     guint16 port,
			     gboolean master);

/* Splits an RFC 2090 "addr,port,mc" value; addr and port may be empty (a
 * new master keeps its group), mc must be 0 or 1. */
gboolean pxf_mtftp_multicast_value_parse(
	const gchar *value, gchar **addr, gint *port, gboolean *master, GError **error);

G_END_DECLS
