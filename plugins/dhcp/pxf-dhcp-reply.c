/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building a reply: BOOTP fields and options (RFC 2131 table 3), the boot
 * file from boot.select, last edits by dhcp.reply, and where it goes. */
#define G_LOG_DOMAIN "pxf-dhcp"

#include <string.h>

#include "pxf-dhcp-build.h"
#include "pxf-dhcp-exchange.h"

static void
pxf_dhcp_options_put_u32(PxfDhcpOptions *options, guint8 code, guint32 value)
{
	guint8 b[4] = {(guint8)(value >> 24), (guint8)(value >> 16), (guint8)(value >> 8),
		       (guint8)value};
	pxf_dhcp_options_set(options, code, b, sizeof(b));
}

static void
pxf_dhcp_options_put_addrs(PxfDhcpOptions *options, guint8 code, GArray *addrs)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	if (addrs->len == 0)
		return;
	for (guint i = 0; i < addrs->len; i++) {
		guint32 ip = g_array_index(addrs, guint32, i);
		guint8 b[4] = {(guint8)(ip >> 24), (guint8)(ip >> 16), (guint8)(ip >> 8),
			       (guint8)ip};
		g_byte_array_append(buf, b, sizeof(b));
	}
	pxf_dhcp_options_set(options, code, buf->data, buf->len);
}

static void
pxf_dhcp_boot_args_clear(PxfBootSelectArgs *args)
{
	g_free(args->filename);
	g_free(args->next_server);
	g_free(args->selected_by);
}

/* Option 43 as dnsmasq sends it without a boot menu: PXE_DISCOVERY_CONTROL
 * (sub-option 6) = 8, "boot the file named in this offer", then the end. */
static const guint8 pxf_dhcp_pxe_vendor_default[] = {6, 1, 8, 255};

/* Whether the reply gets the default option 43: a PXE ROM (option 60
 * "PXEClient"), which without it may take the offer for a BINL one and ask
 * port 4011 for its boot file (EDK2, as in OVMF: PXE-E16). Not iPXE: it
 * reads discovery control only together with a boot menu (sub-option 9)
 * and boots the offered file either way. Set before dhcp.reply, so that
 * callbacks see it: mtftp merges its sub-options 1-5 into it, a plugin may
 * replace or remove it. */
static gboolean
pxf_dhcp_reply_wants_pxe_vendor(PxfDhcpExchange *ex)
{
	return ex->vendor_class != NULL && g_str_has_prefix(ex->vendor_class, "PXEClient") &&
	       ex->stage != PXF_BOOT_STAGE_IPXE;
}

/* boot.select for network boot clients and for clients asking for 66/67:
 * the BOOTP file and siaddr fields, and options 66/67 when asked for or
 * when the client is a PXE client (which reads the options, not always the
 * fields). FALSE when a callback dropped the request. */
static gboolean
pxf_dhcp_reply_boot(PxfDhcpExchange *ex, PxfDhcpPacket *header, PxfDhcpOptions *options)
{
	PxfDhcpServer *self = ex->server;
	gboolean asked_server = pxf_dhcp_packet_requests(ex->pkt, PXF_DHCP_OPT_TFTP_SERVER);
	gboolean asked_file = pxf_dhcp_packet_requests(ex->pkt, PXF_DHCP_OPT_BOOTFILE);
	PxfBootSelectArgs args = {0};
	g_autofree gchar *next_text = NULL;
	guint32 next = 0;

	if (!ex->pxe && !asked_server && !asked_file)
		return TRUE;
	args.client = &ex->slot.pub;
	args.firmware = ex->firmware;
	args.stage = ex->stage;
	args.http_boot = ex->http_boot;
	if (self->backend->select_boot(self->backend_data, &args) == PXF_VERDICT_DROP) {
		g_info("DHCP%s from %s dropped by boot.select callback of %s",
		       pxf_dhcp_message_type_to_string(ex->pkt->message_type), ex->mac,
		       args.selected_by != NULL ? args.selected_by : "a plugin");
		pxf_dhcp_boot_args_clear(&args);
		return FALSE;
	}
	if (args.filename != NULL && args.filename[0] != '\0') {
		if (args.next_server == NULL) {
			next = ex->subnet->next_server != 0 ? ex->subnet->next_server
							    : ex->server_id;
			next_text = pxf_dhcp_ip_to_string(next);
		} else {
			next_text = g_strdup(args.next_server);
			/* a name goes in option 66 only; siaddr needs an address */
			if (!pxf_dhcp_ip_from_string(next_text, &next))
				next = 0;
		}
		header->siaddr = next;
		/* the field holds 127 bytes and a NUL; long URLs go in option 67 only */
		if (strlen(args.filename) < sizeof(header->file))
			memcpy(header->file, args.filename, strlen(args.filename));
		if (ex->pxe || asked_server)
			pxf_dhcp_options_set_string(options, PXF_DHCP_OPT_TFTP_SERVER, next_text);
		if (ex->pxe || asked_file)
			pxf_dhcp_options_set_string(options, PXF_DHCP_OPT_BOOTFILE, args.filename);
		g_info("%s (%s%s, %s) boots %s from %s, chosen by %s", ex->mac,
		       pxf_firmware_to_string(ex->firmware), ex->http_boot ? " HTTP boot" : "",
		       pxf_boot_stage_to_string(ex->stage), args.filename, next_text,
		       args.selected_by != NULL ? args.selected_by : "a plugin");
	} else if (ex->pxe) {
		g_info("%s (%s, %s): no boot file selected; it boots from its next device", ex->mac,
		       pxf_firmware_to_string(ex->firmware), pxf_boot_stage_to_string(ex->stage));
	}
	/* PXE 2.1 and UEFI HTTP boot clients only accept offers that carry
	 * their class back */
	if (ex->vendor_class != NULL && g_str_has_prefix(ex->vendor_class, "HTTPClient"))
		pxf_dhcp_options_set_string(options, PXF_DHCP_OPT_VENDOR_CLASS, "HTTPClient");
	else if (ex->pxe)
		pxf_dhcp_options_set_string(options, PXF_DHCP_OPT_VENDOR_CLASS, "PXEClient");
	if (pxf_dhcp_reply_wants_pxe_vendor(ex))
		pxf_dhcp_options_set(options, PXF_DHCP_OPT_VENDOR_OPTS, pxf_dhcp_pxe_vendor_default,
				     sizeof(pxf_dhcp_pxe_vendor_default));
	pxf_dhcp_boot_args_clear(&args);
	return TRUE;
}

static void
pxf_dhcp_reply_config_options(PxfDhcpExchange *ex, PxfDhcpOptions *options, gint64 lease_time)
{
	PxfDhcpSubnet *subnet = ex->subnet;
	const PxfHost *host = ex->have_slot ? ex->slot.pub.host : NULL;

	if (lease_time > 0) {
		guint32 t = (guint32)MIN(lease_time, (gint64)G_MAXUINT32 - 1);
		pxf_dhcp_options_put_u32(options, PXF_DHCP_OPT_LEASE_TIME, t);
		pxf_dhcp_options_put_u32(options, PXF_DHCP_OPT_RENEWAL_TIME, t / 2);
		pxf_dhcp_options_put_u32(options, PXF_DHCP_OPT_REBINDING_TIME,
					 (guint32)((guint64)t * 7 / 8));
	}
	pxf_dhcp_options_put_u32(options, PXF_DHCP_OPT_SUBNET_MASK, subnet->mask);
	pxf_dhcp_options_put_u32(options, PXF_DHCP_OPT_BROADCAST, subnet->broadcast);
	pxf_dhcp_options_put_addrs(options, PXF_DHCP_OPT_ROUTER, subnet->routers);
	pxf_dhcp_options_put_addrs(options, PXF_DHCP_OPT_DNS_SERVER, subnet->dns_servers);
	if (subnet->domain_name != NULL)
		pxf_dhcp_options_set_string(options, PXF_DHCP_OPT_DOMAIN_NAME, subnet->domain_name);
	if (host != NULL && pxf_host_get_hostname(host) != NULL)
		pxf_dhcp_options_set_string(options, PXF_DHCP_OPT_HOSTNAME,
					    pxf_host_get_hostname(host));
}

static void
pxf_dhcp_reply_destination(PxfDhcpExchange *ex, guint8 type, PxfDhcpOutgoing *out)
{
	guint16 port = ex->server->config->port;

	/* RFC 2131 4.1; a reply to a client without an address is broadcast:
	 * unicasting to yiaddr would need an ARP entry injected first
	 * (CAP_NET_ADMIN) or a raw socket (CAP_NET_RAW), which we do not keep */
	if (ex->pkt->giaddr != 0) {
		out->ip = ex->pkt->giaddr;
		out->port = port;
	} else if (type != PXF_DHCP_NAK && ex->pkt->ciaddr != 0) {
		out->ip = ex->pkt->ciaddr;
		out->port = (guint16)(port + 1);
	} else {
		out->ip = 0xffffffffu;
		out->port = (guint16)(port + 1);
	}
}

static void
pxf_dhcp_reply_log_dropped(PxfDhcpExchange *ex, GArray *dropped, gsize max)
{
	g_autoptr(GString) codes = g_string_new(NULL);
	for (guint i = 0; i < dropped->len; i++)
		g_string_append_printf(codes, "%s%u", i > 0 ? ", " : "",
				       g_array_index(dropped, guint8, i));
	g_warning("reply to %s: options %s left out to stay within %" G_GSIZE_FORMAT
		  " bytes (its option 57)",
		  ex->mac, codes->str, max);
}

static gboolean
pxf_dhcp_reply_fill(PxfDhcpExchange *ex,
		    guint8 type,
		    guint32 yiaddr,
		    gint64 lease_time,
		    const gchar *message,
		    PxfDhcpOptions *options,
		    PxfDhcpOutgoing *out)
{
	PxfDhcpServer *self = ex->server;
	const PxfDhcpPacket *req = ex->pkt;
	g_autoptr(PxfDhcpPacket) header = pxf_dhcp_packet_new();
	g_autoptr(GArray) dropped = g_array_new(FALSE, FALSE, sizeof(guint8));
	g_autoptr(GError) error = NULL;
	PxfDhcpReplyArgs args = {0};
	gsize max = pxf_dhcp_packet_get_max_reply_size(req);
	const guint8 *agent;
	gsize agent_len = 0;

	header->op = PXF_DHCP_OP_BOOTREPLY;
	header->htype = req->htype;
	header->hlen = req->hlen;
	header->xid = req->xid;
	header->flags = req->flags;
	header->ciaddr = type == PXF_DHCP_ACK ? req->ciaddr : 0;
	header->yiaddr = yiaddr;
	header->giaddr = req->giaddr;
	memcpy(header->chaddr, req->chaddr, sizeof(header->chaddr));
	/* RFC 2131 4.3.2: a relay must broadcast a NAK to its client */
	if (type == PXF_DHCP_NAK && req->giaddr != 0)
		header->flags |= PXF_DHCP_FLAG_BROADCAST;

	pxf_dhcp_options_set(options, PXF_DHCP_OPT_MESSAGE_TYPE, &type, 1);
	pxf_dhcp_options_put_u32(options, PXF_DHCP_OPT_SERVER_ID, ex->server_id);
	if (type == PXF_DHCP_NAK) {
		pxf_dhcp_options_set_string(options, PXF_DHCP_OPT_MESSAGE, message);
	} else {
		pxf_dhcp_reply_config_options(ex, options, lease_time);
		if (!pxf_dhcp_reply_boot(ex, header, options))
			return FALSE;
	}
	/* RFC 3046: relay agent information goes back unchanged */
	agent = pxf_dhcp_packet_get_option(req, PXF_DHCP_OPT_AGENT_INFO, &agent_len);
	if (agent != NULL)
		pxf_dhcp_options_set(options, PXF_DHCP_OPT_AGENT_INFO, agent, agent_len);

	args.client = &ex->slot.pub;
	args.message_type = type;
	args.options = options;
	args.stage = ex->stage;
	if (self->backend->dhcp_reply(self->backend_data, &args) == PXF_VERDICT_DROP) {
		g_info("DHCP%s to %s dropped by a dhcp.reply callback",
		       pxf_dhcp_message_type_to_string(type), ex->mac);
		return FALSE;
	}
	out->data = pxf_dhcp_build(header, options, max, dropped, &error);
	if (out->data == NULL) {
		g_warning("cannot build DHCP%s for %s: %s", pxf_dhcp_message_type_to_string(type),
			  ex->mac, error->message);
		return FALSE;
	}
	if (dropped->len > 0)
		pxf_dhcp_reply_log_dropped(ex, dropped, max);
	pxf_dhcp_reply_destination(ex, type, out);
	return TRUE;
}

gboolean
pxf_dhcp_reply_build(PxfDhcpExchange *ex,
		     guint8 type,
		     guint32 yiaddr,
		     gint64 lease_time,
		     const gchar *message,
		     PxfDhcpOutgoing *out)
{
	PxfDhcpOptions *options;
	gboolean ok;

	g_return_val_if_fail(ex->have_slot, FALSE);
	options = pxf_dhcp_options_new();
	ok = pxf_dhcp_reply_fill(ex, type, yiaddr, lease_time, message, options, out);
	pxf_dhcp_options_free(options);
	return ok;
}
