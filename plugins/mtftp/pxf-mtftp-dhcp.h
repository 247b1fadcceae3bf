/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DHCP option 43 with the PXE 2.1 sub-options that tell a PXE ROM how to
 * fetch its boot file over MTFTP: 1 multicast IP, 2 client port, 3 server
 * port, 4 listen timeout, 5 reopen delay. Sub-options another plugin set
 * before are kept. Bytes only: no sockets, no reply. */
#pragma once

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

#define PXF_MTFTP_DHCP_OPT_VENDOR	 43
#define PXF_MTFTP_DHCP_OPT_VENDOR_CLASS	 60
#define PXF_MTFTP_DHCP_OPT_TFTP_SERVER	 66
#define PXF_MTFTP_DHCP_OPT_BOOTFILE	 67
#define PXF_MTFTP_PXE_MTFTP_IP		 1
#define PXF_MTFTP_PXE_MTFTP_CPORT	 2
#define PXF_MTFTP_PXE_MTFTP_SPORT	 3
#define PXF_MTFTP_PXE_MTFTP_TMOUT	 4
#define PXF_MTFTP_PXE_MTFTP_DELAY	 5
#define PXF_MTFTP_PXE_DISCOVERY_CONTROL	 6
#define PXF_MTFTP_PXE_DISCOVERY_BOOTFILE 0x08 /* bit 3: boot the file named in the offer */

/* What a PXE ROM is told about the MTFTP channel of its boot file. */
typedef struct {
	guint8 group[4]; /* IPv4 multicast address, network order */
	guint16 client_port;
	guint16 server_port;
	guint8 listen; /* seconds to listen before opening (sub-option 4) */
	guint8 delay;  /* seconds to listen before reopening (sub-option 5) */
} PxfMtftpPxeParams;

/* One sub-option as found in option 43. */
typedef struct {
	guint8 code;
	GBytes *value;
} PxfMtftpSubOption;

void pxf_mtftp_sub_option_free(PxfMtftpSubOption *sub);

/* Parses option 43 as PXE-encoded sub-options (code, length, value; 0 is
 * padding, 255 ends the list). Element type PxfMtftpSubOption*. Fails with
 * G_IO_ERROR_INVALID_DATA when a sub-option runs past the end or a code
 * appears twice: then the option is not ours to edit. */
GPtrArray *pxf_mtftp_dhcp_parse_sub_options(const guint8 *data, gsize len, GError **error);

/* The option 43 value: sub-options 1-5 from params, 6 = "boot the offered
 * file" unless existing has a 6, then every other sub-option of existing in
 * its order, and the end tag. existing may be NULL. Fails when existing is
 * not PXE-encoded or the result would not fit in one option (255 bytes). */
GBytes *pxf_mtftp_dhcp_merge(const guint8 *existing,
			     gsize existing_len,
			     const PxfMtftpPxeParams *params,
			     GError **error);

G_END_DECLS
