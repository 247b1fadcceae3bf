/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TFTP wire format (RFC 1350, options RFC 2347/2348/2349): parsing of what
 * clients send and building of what the server sends. No sockets here. */
#pragma once

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

/* The plugin's error domain; the codes are the TFTP error codes, so an error
 * can go on the wire as it is. */
#define PXF_TFTP_ERROR pxf_tftp_error_quark()
GQuark pxf_tftp_error_quark(void);

typedef enum {
	PXF_TFTP_ERROR_UNDEFINED = 0, /* see the message */
	PXF_TFTP_ERROR_NOT_FOUND = 1,
	PXF_TFTP_ERROR_ACCESS = 2,
	PXF_TFTP_ERROR_DISK_FULL = 3,
	PXF_TFTP_ERROR_ILLEGAL_OP = 4,
	PXF_TFTP_ERROR_UNKNOWN_TID = 5,
	PXF_TFTP_ERROR_EXISTS = 6,
	PXF_TFTP_ERROR_NO_USER = 7,
	PXF_TFTP_ERROR_OPTION = 8, /* RFC 2347: option negotiation refused */
} PxfTftpError;

/* The standard text for an error code ("File not found"). */
const gchar *pxf_tftp_error_to_string(guint code);

typedef enum {
	PXF_TFTP_OP_RRQ = 1,
	PXF_TFTP_OP_WRQ = 2,
	PXF_TFTP_OP_DATA = 3,
	PXF_TFTP_OP_ACK = 4,
	PXF_TFTP_OP_ERROR = 5,
	PXF_TFTP_OP_OACK = 6,
} PxfTftpOpcode;

#define PXF_TFTP_BLKSIZE_DEFAULT 512
#define PXF_TFTP_BLKSIZE_MIN	 8
#define PXF_TFTP_BLKSIZE_MAX	 65464 /* RFC 2348: fits one UDP datagram over IPv4 */
#define PXF_TFTP_TIMEOUT_MIN	 1
#define PXF_TFTP_TIMEOUT_MAX	 255
#define PXF_TFTP_FILENAME_MAX	 1024 /* longer names are refused, not truncated */
#define PXF_TFTP_ERROR_MSG_MAX	 255  /* a message we send is cut to this many bytes */

typedef enum {
	PXF_TFTP_MODE_OCTET = 0,
	PXF_TFTP_MODE_NETASCII, /* served as octet: see README.md */
} PxfTftpMode;

/* A parsed RRQ or WRQ. Options that are unknown, repeated or whose value is
 * not acceptable are ignored (counted in n_ignored); the first valid
 * occurrence of an option wins. */
typedef struct {
	PxfTftpOpcode opcode; /* RRQ or WRQ */
	gchar *filename;      /* as sent, without its NUL; may be empty */
	PxfTftpMode mode;
	gboolean has_blksize;
	guint blksize; /* PXF_TFTP_BLKSIZE_MIN..MAX; larger requests clamped */
	gboolean has_tsize;
	guint64 tsize; /* what the client sent (0 in an RRQ) */
	gboolean has_timeout;
	guint timeout; /* seconds, PXF_TFTP_TIMEOUT_MIN..MAX */
	guint n_ignored;
} PxfTftpRequest;

/* The opcode of a packet, or 0 when it is shorter than an opcode. */
guint16 pxf_tftp_packet_get_opcode(const guint8 *buf, gsize len);

/* Parses an RRQ or WRQ. Fails with PXF_TFTP_ERROR_ILLEGAL_OP on anything
 * malformed: another opcode, a filename or mode without its NUL, a
 * filename longer than PXF_TFTP_FILENAME_MAX, an unknown mode. */
gboolean pxf_tftp_request_parse(PxfTftpRequest *req, const guint8 *buf, gsize len, GError **error);
void pxf_tftp_request_clear(PxfTftpRequest *req);

/* ACK: the block number. FALSE when not an ACK of at least 4 bytes. */
gboolean pxf_tftp_packet_parse_ack(const guint8 *buf, gsize len, guint16 *block);
/* ERROR: code and message (up to the first NUL or the end, made printable:
 * the caller logs it). FALSE when not an ERROR of at least 4 bytes. */
gboolean pxf_tftp_packet_parse_error(const guint8 *buf, gsize len, guint16 *code, gchar **message);

/* ERROR with message cut to PXF_TFTP_ERROR_MSG_MAX bytes; NULL message means
 * the standard text of the code. */
GBytes *pxf_tftp_packet_build_error(guint16 code, const gchar *message);
/* DATA header written into buf[0..3]; the payload follows at buf + 4. */
void pxf_tftp_packet_write_data_header(guint8 *buf, guint16 block);

/* An OACK being built: pairs of name and decimal value. */
GByteArray *pxf_tftp_packet_oack_new(void);
void pxf_tftp_packet_oack_add(GByteArray *oack, const gchar *name, guint64 value);

/* For log lines: the string with anything but printable ASCII escaped. */
gchar *pxf_tftp_escape(const gchar *text);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PxfTftpRequest, pxf_tftp_request_clear)

G_END_DECLS
