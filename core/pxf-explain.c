/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-explain"

#include "config.h"

#include "pxf-explain.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pxf-render.h"

static void
pxf_explain_step(JsonBuilder *b,
		 const gchar *step,
		 const gchar *decided_by,
		 const gchar *result,
		 const gchar *content)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "step");
	json_builder_add_string_value(b, step);
	json_builder_set_member_name(b, "decided_by");
	json_builder_add_string_value(b, decided_by != NULL ? decided_by : "core");
	json_builder_set_member_name(b, "result");
	json_builder_add_string_value(b, result);
	if (content != NULL) {
		json_builder_set_member_name(b, "content");
		json_builder_add_string_value(b, content);
	}
	json_builder_end_object(b);
}

/* Asks file.open for path as the client would; the verdict, who decided,
 * and the content (rendered, or a local file's size). */
static gboolean
pxf_explain_file(PxfCore *core,
		 JsonBuilder *b,
		 const PxfClient *client,
		 const gchar *step,
		 const gchar *path)
{
	PxfFileOpenArgs args = {.client = client, .path = path};
	PxfHookResult result = pxf_core_open_file(core, &args);
	g_autofree gchar *text = NULL;
	g_autofree gchar *content = NULL;
	gboolean found = FALSE;

	if (result.verdict == PXF_VERDICT_DROP) {
		text = g_strdup_printf("%s: not found (refused)", path);
	} else if (args.content != NULL) {
		gsize len = 0;
		const gchar *data = g_bytes_get_data(args.content, &len);
		text = g_strdup_printf("%s: rendered, %" G_GSIZE_FORMAT " bytes", path, len);
		/* configuration text is shown, binary blobs are not */
		if (len > 0 && g_utf8_validate(data, (gssize)len, NULL) &&
		    memchr(data, 0, len) == NULL)
			content = g_strndup(data, len);
		found = TRUE;
	} else if (args.local_path != NULL) {
		GStatBuf st;
		if (g_stat(args.local_path, &st) == 0)
			text = g_strdup_printf("%s: file %s, %" G_GINT64_FORMAT " bytes", path,
					       args.local_path, (gint64)st.st_size);
		else
			text = g_strdup_printf("%s: file %s, which does not exist", path,
					       args.local_path);
		found = TRUE;
	} else {
		text = g_strdup_printf("%s: no plugin provides it; the transport's static root "
				       "would be tried",
				       path);
	}
	pxf_explain_step(b, step, result.decided_by, text, content);
	pxf_file_open_args_clear(&args);
	return found;
}

static gint
pxf_explain_arch(const gchar *arch)
{
	if (arch == NULL || g_strcmp0(arch, "bios") == 0)
		return 0;
	if (g_strcmp0(arch, "efi64") == 0)
		return 7;
	if (g_strcmp0(arch, "efi32") == 0)
		return 6;
	if (g_strcmp0(arch, "arm64") == 0)
		return 11;
	return -1;
}

static JsonNode *
pxf_explain_run(PxfCore *core, const gchar *mac, gint arch, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree gchar *vendor = g_strdup_printf("PXEClient:Arch:%05d:UNDI:002001", arch);
	g_autofree gchar *dashes = g_strdup(mac);
	g_autoptr(GInetSocketAddress) address = NULL;
	g_autofree gchar *text = NULL;
	const PxfHost *host;
	const gchar *ip = NULL;
	PxfClient client = {.transport = "explain", .mac = mac};
	PxfClientClassifyArgs classify = {.client = &client, .arch = arch, .vendor_class = vendor};
	PxfHostLookupArgs lookup = {.client = &client, .mac = mac};
	PxfBootSelectArgs select = {.client = &client};
	PxfHookResult result;

	for (gchar *p = dashes; *p != '\0'; p++) {
		if (*p == ':')
			*p = '-';
	}
	host = pxf_inventory_lookup_mac(core->setup->inventory, mac);
	if (host != NULL && host->ip != NULL)
		ip = host->ip;
	address = G_INET_SOCKET_ADDRESS(
		g_inet_socket_address_new_from_string(ip != NULL ? ip : "0.0.0.0", 68));
	client.address = address;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mac");
	json_builder_add_string_value(b, mac);
	json_builder_set_member_name(b, "steps");
	json_builder_begin_array(b);

	result = pxf_core_classify(core, &classify);
	text = g_strdup_printf("firmware %s, stage %s (option 93 = %d, option 60 = %s)",
			       pxf_firmware_to_string(classify.firmware),
			       pxf_boot_stage_to_string(classify.stage), arch, vendor);
	pxf_explain_step(b, "client.classify", result.decided_by, text, NULL);
	g_clear_pointer(&text, g_free);

	result = pxf_core_lookup_host(core, &lookup);
	if (lookup.host != NULL) {
		const PxfHostStateRecord *rec = pxf_host_states_get(core->states, mac);
		text = g_strdup_printf(
			"inventory host %s (%s:%u): hostname %s, ip %s, profile %s, netboot %s, "
			"state %s",
			lookup.host->mac, lookup.host->file != NULL ? lookup.host->file : "?",
			lookup.host->line, lookup.host->hostname ? lookup.host->hostname : "-",
			lookup.host->ip ? lookup.host->ip : "dynamic",
			lookup.host->profile ? lookup.host->profile : "-",
			lookup.host->netboot ? "on" : "off",
			pxf_host_state_to_string(rec != NULL ? rec->state
							     : PXF_HOST_STATE_UNKNOWN));
	} else {
		text = g_strdup("not in the inventory: an unknown host");
	}
	pxf_explain_step(b, "host.lookup", result.decided_by, text, NULL);
	g_clear_pointer(&text, g_free);
	client.host = lookup.host;

	select.firmware = classify.firmware;
	select.stage = classify.stage;
	result = pxf_core_select_boot(core, &select);
	if (result.verdict == PXF_VERDICT_DROP)
		text = g_strdup("no answer: the client gets no DHCP offer for booting");
	else if (select.filename == NULL)
		text = g_strdup("no boot file: the firmware goes on to its next boot device");
	else
		text = g_strdup_printf("boot file %s from %s", select.filename,
				       select.next_server != NULL ? select.next_server
								  : "this server");
	pxf_explain_step(b, "boot.select", result.decided_by, text, NULL);
	g_clear_pointer(&text, g_free);

	if (select.filename != NULL && !g_str_has_prefix(select.filename, "http")) {
		/* what pxelinux and GRUB ask for next, per-host first */
		const struct {
			const gchar *path;
			gboolean per_host;
		} configs[] = {{"pxelinux.cfg/01-", TRUE},
			       {"pxelinux.cfg/default", FALSE},
			       {"grub/grub.cfg-01-", TRUE},
			       {"grub/grub.cfg", FALSE}};
		pxf_explain_file(core, b, &client, "file.open (boot file)", select.filename);
		for (guint i = 0; i < G_N_ELEMENTS(configs); i++) {
			g_autofree gchar *path = g_strconcat(
				configs[i].path, configs[i].per_host ? dashes : "", NULL);
			if (pxf_explain_file(core, b, &client, "file.open (loader configuration)",
					     path))
				break;
		}
	}
	if (lookup.host != NULL && lookup.host->profile != NULL) {
		g_autoptr(GString) out = g_string_new(NULL);
		g_autoptr(GError) error_local = NULL;
		if (pxf_render_host(core->setup, core->hooks, &client, lookup.host, NULL,
				    PXF_RENDER_TOKEN_PLACEHOLDER, out, NULL, &error_local)) {
			pxf_explain_step(b, "profile.render", NULL, "the answer file", out->str);
		} else {
			pxf_explain_step(b, "profile.render", NULL, error_local->message, NULL);
		}
	}
	pxf_boot_select_args_clear(&select);
	json_builder_end_array(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

JsonNode *
pxf_explain(PxfCore *core, const gchar *mac_text, const gchar *arch_name, GError **error)
{
	g_autofree gchar *mac = pxf_mac_normalize(mac_text, error);
	gint arch = pxf_explain_arch(arch_name);
	JsonNode *node;

	if (mac == NULL)
		return NULL;
	if (arch < 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "unknown architecture '%s' (bios, efi64, efi32, arm64)", arch_name);
		return NULL;
	}
	/* callbacks run for real; the core keeps state, events and tokens as they are */
	core->dry_run++;
	node = pxf_explain_run(core, mac, arch, error);
	core->dry_run--;
	return node;
}
