/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fake pxeforged behind PxfDhcpBackend for the server suite: it records
 * events and address owners, answers boot.select as told, and keeps its
 * own clock. */
#pragma once

#include <pxeforge/plugin.h>

#include "pxf-dhcp-server.h"
#include "pxf-inventory.h"

/* ---- a fake daemon ------------------------------------------------------ */

typedef struct {
	GPtrArray *events;	 /* "type mac detail" */
	GHashTable *owners;	 /* ip → mac */
	GHashTable *fixed;	 /* GUINT_TO_POINTER(ip) → mac */
	PxfInventory *inventory; /* host.lookup's hosts, or NULL */
	gint64 now;
	gchar *boot_file;
	gchar *next_server;
	PxfVerdict reply_verdict;
	gboolean big_options;
	/* dhcp.reply: option 43 as the callbacks found it (-1: absent), and
	 * what the fake plugin does to it */
	gint seen_43_len;
	guint8 seen_43[255];
	const guint8 *set_43;
	gsize set_43_len;
	gboolean remove_43;
	PxfBootStage reply_stage; /* what dhcp.reply was told */
	guint n_select;
	guint n_seen;
	guint n_fixed; /* get_fixed_addresses() calls: tables built */
	PxfFirmware last_firmware;
	PxfBootStage last_stage;
	gboolean last_http_boot;
} Fake;

static inline void
fake_client_init(gpointer b,
		 PxfClientSlot *slot,
		 GInetSocketAddress *peer,
		 GInetSocketAddress *local,
		 const gchar *mac)
{
	memset(slot, 0, sizeof(*slot));
	slot->address = g_object_ref(peer);
	slot->local = g_object_ref(local);
	slot->mac = g_strdup(mac);
	slot->pub.transport = "dhcp";
	slot->pub.address = slot->address;
	slot->pub.local = slot->local;
	slot->pub.mac = slot->mac;
}

static inline void
fake_client_clear(gpointer b, PxfClientSlot *slot)
{
	g_clear_object(&slot->address);
	g_clear_object(&slot->local);
	g_clear_pointer(&slot->mac, g_free);
}

/* the core's default, as far as these tests need it */
static inline PxfVerdict
fake_classify(gpointer b, PxfClientClassifyArgs *args)
{
	if (args->arch == 0)
		args->firmware = PXF_FIRMWARE_BIOS;
	else if (args->arch == 7 || args->arch == 16)
		args->firmware = PXF_FIRMWARE_UEFI_X64;
	if (args->has_ipxe_options || g_strcmp0(args->user_class, "iPXE") == 0)
		args->stage = PXF_BOOT_STAGE_IPXE;
	else if (args->vendor_class != NULL && g_str_has_prefix(args->vendor_class, "PXEClient"))
		args->stage = PXF_BOOT_STAGE_ROM;
	args->http_boot =
		args->vendor_class != NULL && g_str_has_prefix(args->vendor_class, "HTTPClient");
	return PXF_VERDICT_CONTINUE;
}

/* The core's default lookup (pxf_core_lookup_host): client identifier,
 * then MAC, then UUID. */
static inline PxfVerdict
fake_lookup_host(gpointer b, PxfHostLookupArgs *args)
{
	Fake *fk = b;
	if (fk->inventory == NULL)
		return PXF_VERDICT_CONTINUE;
	args->host = pxf_inventory_lookup_client_id(fk->inventory, args->client_id);
	if (args->host == NULL)
		args->host = pxf_inventory_lookup_mac(fk->inventory, args->mac);
	if (args->host == NULL)
		args->host = pxf_inventory_lookup_uuid(fk->inventory, args->uuid);
	return PXF_VERDICT_CONTINUE;
}

static inline PxfVerdict
fake_select_boot(gpointer b, PxfBootSelectArgs *args)
{
	Fake *fk = b;
	fk->n_select++;
	fk->last_firmware = args->firmware;
	fk->last_stage = args->stage;
	fk->last_http_boot = args->http_boot;
	if (fk->boot_file == NULL)
		return PXF_VERDICT_CONTINUE;
	pxf_set_string(&args->filename, fk->boot_file);
	pxf_set_string(&args->next_server, fk->next_server);
	pxf_set_string(&args->selected_by, "fake");
	return PXF_VERDICT_SKIP;
}

static inline PxfVerdict
fake_dhcp_reply(gpointer b, PxfDhcpReplyArgs *args)
{
	Fake *fk = b;
	gsize len = 0;
	const guint8 *vendor = pxf_dhcp_options_get(args->options, 43, &len);

	fk->seen_43_len = vendor != NULL ? (gint)len : -1;
	fk->reply_stage = args->stage;
	if (vendor != NULL)
		memcpy(fk->seen_43, vendor, MIN(len, sizeof(fk->seen_43)));
	if (fk->set_43 != NULL)
		pxf_dhcp_options_set(args->options, 43, fk->set_43, fk->set_43_len);
	if (fk->remove_43)
		pxf_dhcp_options_remove(args->options, 43);
	if (fk->big_options) {
		guint8 big[200] = {0};
		pxf_dhcp_options_set(args->options, 240, big, sizeof(big));
		pxf_dhcp_options_set(args->options, 241, big, sizeof(big));
	}
	return fk->reply_verdict;
}

static inline GHashTable *
fake_get_fixed(gpointer b)
{
	Fake *fk = b;
	GHashTable *copy = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	GHashTableIter iter;
	gpointer key, value;
	fk->n_fixed++;
	g_hash_table_iter_init(&iter, fk->fixed);
	while (g_hash_table_iter_next(&iter, &key, &value))
		g_hash_table_insert(copy, key, g_strdup(value));
	return copy;
}

static inline void
fake_host_seen(gpointer b, const PxfClient *client)
{
	Fake *fk = b;
	fk->n_seen++;
}

static inline void
fake_emit_event(gpointer b,
		const PxfClient *client,
		const gchar *mac,
		PxfHostEventType type,
		const gchar *detail)
{
	Fake *fk = b;
	g_assert_nonnull(client);
	g_ptr_array_add(fk->events, g_strdup_printf("%s %s %s", pxf_host_event_type_to_string(type),
						    mac, detail != NULL ? detail : "-"));
}

static inline void
fake_set_address_owner(gpointer b, const gchar *ip, const gchar *mac)
{
	Fake *fk = b;
	if (mac == NULL)
		g_hash_table_remove(fk->owners, ip);
	else
		g_hash_table_replace(fk->owners, g_strdup(ip), g_strdup(mac));
}

static inline gint64
fake_now(gpointer b)
{
	Fake *fk = b;
	return fk->now;
}

static const PxfDhcpBackend fake_backend = {
	.client_init = fake_client_init,
	.client_clear = fake_client_clear,
	.classify = fake_classify,
	.lookup_host = fake_lookup_host,
	.select_boot = fake_select_boot,
	.dhcp_reply = fake_dhcp_reply,
	.get_fixed_addresses = fake_get_fixed,
	.host_seen = fake_host_seen,
	.emit_event = fake_emit_event,
	.set_address_owner = fake_set_address_owner,
	.now = fake_now,
};
