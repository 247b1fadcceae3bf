/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DHCPv4 messages (RFC 2131/2132): the parsed form of a received packet and
 * the typed accessors the server reads it with. Parsing checks every length;
 * nothing here trusts the wire. Building replies is pxf-dhcp-build.h. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One error domain for the whole dhcp plugin. */
#define PXF_DHCP_ERROR pxf_dhcp_error_quark()
GQuark pxf_dhcp_error_quark(void);

typedef enum {
	PXF_DHCP_ERROR_MALFORMED, /* a packet that breaks the wire format */
	PXF_DHCP_ERROR_CONFIG,	  /* a setting the plugin cannot use */
	PXF_DHCP_ERROR_EXHAUSTED, /* no free address in the pool */
	PXF_DHCP_ERROR_TAKEN,	  /* the address belongs to another client */
	PXF_DHCP_ERROR_STORE,	  /* the lease store failed */
	PXF_DHCP_ERROR_CORRUPT,	  /* a stored lease record that cannot be read */
} PxfDhcpError;

#define PXF_DHCP_OP_BOOTREQUEST 1
#define PXF_DHCP_OP_BOOTREPLY	2

/* fixed BOOTP header (236) + magic cookie (4) */
#define PXF_DHCP_HEADER_SIZE	236
#define PXF_DHCP_OPTIONS_OFFSET 240
#define PXF_DHCP_MAGIC_COOKIE	0x63825363u
/* RFC 1542: BOOTP relays and old clients drop replies shorter than this */
#define PXF_DHCP_BOOTP_MIN_SIZE 300
/* RFC 2131: every client accepts a 576-byte IP datagram, i.e. a DHCP
 * message of 576 - 20 (IP) - 8 (UDP) bytes; option 57 may raise it */
#define PXF_DHCP_MIN_DATAGRAM	  576
#define PXF_DHCP_IP_UDP_OVERHEAD  28
#define PXF_DHCP_DEFAULT_MAX_SIZE (PXF_DHCP_MIN_DATAGRAM - PXF_DHCP_IP_UDP_OVERHEAD)
/* what one Ethernet frame carries; larger option 57 values are clamped */
#define PXF_DHCP_MAX_REPLY_SIZE (1500 - PXF_DHCP_IP_UDP_OVERHEAD)

#define PXF_DHCP_FLAG_BROADCAST 0x8000

typedef enum {
	PXF_DHCP_DISCOVER = 1,
	PXF_DHCP_OFFER = 2,
	PXF_DHCP_REQUEST = 3,
	PXF_DHCP_DECLINE = 4,
	PXF_DHCP_ACK = 5,
	PXF_DHCP_NAK = 6,
	PXF_DHCP_RELEASE = 7,
	PXF_DHCP_INFORM = 8,
} PxfDhcpMessageType;

/* The option codes this plugin reads or writes. */
enum {
	PXF_DHCP_OPT_PAD = 0,
	PXF_DHCP_OPT_SUBNET_MASK = 1,
	PXF_DHCP_OPT_ROUTER = 3,
	PXF_DHCP_OPT_DNS_SERVER = 6,
	PXF_DHCP_OPT_HOSTNAME = 12,
	PXF_DHCP_OPT_DOMAIN_NAME = 15,
	PXF_DHCP_OPT_BROADCAST = 28,
	PXF_DHCP_OPT_VENDOR_OPTS = 43,
	PXF_DHCP_OPT_REQUESTED_IP = 50,
	PXF_DHCP_OPT_LEASE_TIME = 51,
	PXF_DHCP_OPT_OVERLOAD = 52,
	PXF_DHCP_OPT_MESSAGE_TYPE = 53,
	PXF_DHCP_OPT_SERVER_ID = 54,
	PXF_DHCP_OPT_PARAM_LIST = 55,
	PXF_DHCP_OPT_MESSAGE = 56,
	PXF_DHCP_OPT_MAX_SIZE = 57,
	PXF_DHCP_OPT_RENEWAL_TIME = 58,
	PXF_DHCP_OPT_REBINDING_TIME = 59,
	PXF_DHCP_OPT_VENDOR_CLASS = 60,
	PXF_DHCP_OPT_CLIENT_ID = 61,
	PXF_DHCP_OPT_TFTP_SERVER = 66,
	PXF_DHCP_OPT_BOOTFILE = 67,
	PXF_DHCP_OPT_USER_CLASS = 77,
	PXF_DHCP_OPT_AGENT_INFO = 82,
	PXF_DHCP_OPT_CLIENT_ARCH = 93,
	PXF_DHCP_OPT_CLIENT_NDI = 94,
	PXF_DHCP_OPT_CLIENT_UUID = 97,
	PXF_DHCP_OPT_IPXE = 175,
	PXF_DHCP_OPT_END = 255,
};

/* A parsed message. Addresses and numbers are in host byte order. Options
 * that appear more than once are concatenated in wire order (RFC 3396),
 * the options field first, then file and sname when option 52 says so. */
typedef struct {
	guint8 op;
	guint8 htype;
	guint8 hlen;
	guint8 hops;
	guint32 xid;
	guint16 secs;
	guint16 flags;
	guint32 ciaddr;
	guint32 yiaddr;
	guint32 siaddr;
	guint32 giaddr;
	guint8 chaddr[16];
	guint8 sname[64]; /* raw; not NUL-terminated when full */
	guint8 file[128];
	guint8 overload;      /* option 52, 0 when absent */
	guint8 message_type;  /* option 53, 0 for plain BOOTP */
	GBytes *options[256]; /* NULL when absent; 0 and 255 are never set */
} PxfDhcpPacket;

PxfDhcpPacket *pxf_dhcp_packet_new(void);
void pxf_dhcp_packet_free(PxfDhcpPacket *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfDhcpPacket, pxf_dhcp_packet_free)

/* Parses a received BOOTREQUEST or BOOTREPLY. Fails with
 * PXF_DHCP_ERROR_MALFORMED naming the field or option and its offset. */
PxfDhcpPacket *pxf_dhcp_packet_parse(const guint8 *data, gsize len, GError **error);

/* Transfer none; NULL when absent (a present empty option is never NULL). */
const guint8 *pxf_dhcp_packet_get_option(const PxfDhcpPacket *self, guint8 code, gsize *len);
gboolean pxf_dhcp_packet_has_option(const PxfDhcpPacket *self, guint8 code);
/* Exact-length numeric and address options; FALSE when absent or of the
 * wrong length. */
gboolean pxf_dhcp_packet_get_u16(const PxfDhcpPacket *self, guint8 code, guint16 *value);
gboolean pxf_dhcp_packet_get_u32(const PxfDhcpPacket *self, guint8 code, guint32 *value);
/* A text option with non-printable bytes dropped (trailing NULs are common);
 * NULL when absent or empty after that. */
gchar *pxf_dhcp_packet_get_string(const PxfDhcpPacket *self, guint8 code);
/* Whether option 55 asks for code. */
gboolean pxf_dhcp_packet_requests(const PxfDhcpPacket *self, guint8 code);
/* chaddr as "aa:bb:cc:dd:ee:ff" for Ethernet (htype 1, hlen 6), else NULL. */
gchar *pxf_dhcp_packet_get_mac(const PxfDhcpPacket *self);
/* Option 61 as lower-case hex, NULL when absent. */
gchar *pxf_dhcp_packet_get_client_id(const PxfDhcpPacket *self);
/* Option 97 (type 0 + 16 bytes, first three fields little-endian on the
 * wire) as a canonical lower-case UUID, NULL when absent or malformed. */
gchar *pxf_dhcp_packet_get_uuid(const PxfDhcpPacket *self);
/* The first architecture type of option 93, -1 when absent or malformed. */
gint pxf_dhcp_packet_get_arch(const PxfDhcpPacket *self);
/* Option 77: iPXE sends the class as plain text, RFC 3004 clients as
 * length-prefixed entries; the first class either way, or NULL. */
gchar *pxf_dhcp_packet_get_user_class(const PxfDhcpPacket *self);
/* The effective reply size limit from option 57 (clamped), in bytes of DHCP
 * message. */
gsize pxf_dhcp_packet_get_max_reply_size(const PxfDhcpPacket *self);

const gchar *pxf_dhcp_message_type_to_string(guint8 type);

/* Dotted quads in host byte order. */
gchar *pxf_dhcp_ip_to_string(guint32 ip);
gboolean pxf_dhcp_ip_from_string(const gchar *text, guint32 *ip);

G_END_DECLS
