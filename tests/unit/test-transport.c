/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SDK's transport API on a real PxfCore: client identity, classify
 * defaults, install tokens and reports, storage namespaces. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pxf-core.h"
#include "pxf-plugin-context.h"
#include "pxf-render.h"

typedef struct {
	gchar *dir;
	PxfPluginLoader *loader;
	PxfCore core;
	PxfPluginContext *ctx;
	GPtrArray *events; /* "type mac" strings */
} Fixture;

static gpointer
fixture_get_core(gpointer core)
{
	Fixture *fx = core;
	return &fx->core;
}

static void
fixture_emit(gpointer core, const PxfHostEventArgs *event)
{
	Fixture *fx = core;
	g_ptr_array_add(
		fx->events,
		g_strdup_printf("%s %s", pxf_host_event_type_to_string(event->type), event->mac));
}

static const PxfCoreServices fixture_services = {
	.get_core = fixture_get_core,
	.emit_host_event = fixture_emit,
};

static const gchar *config_yaml =
	"daemon:\n"
	"  interfaces: [veth0]\n"
	"distros:\n"
	"  d: {kernel: /k, initrd: /i, tree: /t, variables: {efi: {shim: /t/EFI/shimx64.efi}}}\n"
	"profiles:\n"
	"  p: {distro: d, os: kickstart, template: t.cfg,\n"
	"      variables: {role: web, extra: '1', nested: {a: '1', b: '2'}}}\n"
	"hosts:\n"
	"  - {mac: '52:54:00:00:00:01', hostname: h1, ip: 192.0.2.11, profile: p,\n"
	"     client_id: 'ff:00:00:00:01:00:01',\n"
	"     variables: {extra: ~, nested: {a: '3', b: ~}}}\n"
	"  - {mac: '52:54:00:00:00:02', hostname: h2, profile: p,\n"
	"     uuid: 4c4c4544-0042-4d10-8051-b2c04f563232}\n";

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
	g_autofree gchar *yaml = NULL;
	g_autofree gchar *tpl = NULL;
	g_autofree gchar *state = NULL;
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(GError) error = NULL;

	fx->dir = g_dir_make_tmp("pxf-transport-XXXXXX", &error);
	g_assert_no_error(error);
	yaml = g_build_filename(fx->dir, "pxeforge.yaml", NULL);
	tpl = g_build_filename(fx->dir, "t.cfg", NULL);
	state = g_build_filename(fx->dir, "state", NULL);
	g_assert_true(g_file_set_contents(yaml, config_yaml, -1, NULL));
	g_assert_true(g_file_set_contents(tpl, "host={{host.hostname}} token={{install.token}}\n",
					  -1, NULL));
	fx->loader = pxf_plugin_loader_new(fx->dir);
	fx->core.setup = pxf_setup_load(fx->dir, fx->loader, diags);
	for (guint i = 0; i < diags->len; i++) {
		g_autofree gchar *line = pxf_diag_to_string(g_ptr_array_index(diags, i));
		g_test_message("%s", line);
	}
	g_assert_cmpuint(pxf_diags_count_errors(diags), ==, 0);
	fx->core.hooks = pxf_hook_registry_new();
	fx->core.store = pxf_store_file_new(state, &error);
	g_assert_no_error(error);
	fx->core.states = pxf_host_states_new(fx->core.store);
	g_assert_true(pxf_host_states_load(fx->core.states, NULL));
	fx->core.address_owner = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	fx->events = g_ptr_array_new_with_free_func(g_free);
	fx->ctx = pxf_plugin_context_new(NULL, "unit", 0, NULL, fx->core.hooks, &fixture_services,
					 fx);
}

static void
rm_rf(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			rm_rf(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
	pxf_plugin_context_free(fx->ctx);
	pxf_host_states_free(fx->core.states);
	g_object_unref(fx->core.store);
	pxf_hook_registry_free(fx->core.hooks);
	pxf_setup_free(fx->core.setup);
	g_hash_table_unref(fx->core.address_owner);
	pxf_plugin_loader_free(fx->loader);
	g_ptr_array_unref(fx->events);
	rm_rf(fx->dir);
	g_free(fx->dir);
}

static GInetSocketAddress *
sockaddr(const gchar *ip)
{
	return G_INET_SOCKET_ADDRESS(g_inet_socket_address_new_from_string(ip, 4011));
}

static void
test_transport_client(Fixture *fx, gconstpointer data)
{
	g_autoptr(GInetSocketAddress) fixed = sockaddr("192.0.2.11");
	g_autoptr(GInetSocketAddress) leased = sockaddr("192.0.2.150");
	PxfClientSlot slot;

	/* a fixed address from the inventory */
	pxf_client_init(&slot, fx->ctx, "tftp", fixed, NULL, NULL);
	g_assert_cmpstr(slot.pub.mac, ==, "52:54:00:00:00:01");
	g_assert_cmpstr(pxf_host_get_hostname(slot.pub.host), ==, "h1");
	pxf_client_clear(&slot);

	/* a dynamic lease the dhcp plugin reported */
	pxf_client_init(&slot, fx->ctx, "http", leased, NULL, NULL);
	g_assert_null(slot.pub.mac);
	g_assert_null(slot.pub.host);
	pxf_client_clear(&slot);
	pxf_plugin_context_set_address_owner(fx->ctx, "192.0.2.150", "52-54-00-00-00-02");
	g_assert_cmpstr(pxf_plugin_context_get_address_owner(fx->ctx, "192.0.2.150"), ==,
			"52:54:00:00:00:02");
	pxf_client_init(&slot, fx->ctx, "http", leased, fixed, NULL);
	g_assert_cmpstr(slot.pub.mac, ==, "52:54:00:00:00:02");
	g_assert_cmpstr(pxf_host_get_hostname(slot.pub.host), ==, "h2");
	g_assert_true(slot.pub.local == fixed);
	pxf_client_clear(&slot);
	pxf_plugin_context_set_address_owner(fx->ctx, "192.0.2.150", NULL);
	g_assert_null(pxf_plugin_context_get_address_owner(fx->ctx, "192.0.2.150"));

	g_assert_cmpstr(pxf_plugin_context_get_interfaces(fx->ctx)[0], ==, "veth0");
}

static void
test_transport_interfaces(Fixture *fx, gconstpointer data)
{
	g_autoptr(GPtrArray) lo = pxf_plugin_context_get_interface_addresses(fx->ctx, "lo");
	g_autoptr(GPtrArray) none = pxf_plugin_context_get_interface_addresses(fx->ctx, "nosuch0");
	gboolean found = FALSE;

	/* a host address with its prefix, not a network */
	for (guint i = 0; i < lo->len; i++) {
		PxfInterfaceAddress *entry = g_ptr_array_index(lo, i);
		g_autofree gchar *text = g_inet_address_to_string(entry->address);
		if (g_strcmp0(text, "127.0.0.1") == 0 && entry->prefix == 8)
			found = TRUE;
	}
	g_assert_true(found);
	g_assert_cmpuint(none->len, ==, 0);
}

static void
test_transport_reload(Fixture *fx, gconstpointer data)
{
	g_autoptr(GInetSocketAddress) fixed = sockaddr("192.0.2.11");
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	PxfClientSlot slot;

	/* a transfer that started before a reload keeps its host */
	pxf_client_init(&slot, fx->ctx, "tftp", fixed, NULL, NULL);
	pxf_setup_free(fx->core.setup);
	fx->core.setup = pxf_setup_load(fx->dir, fx->loader, diags);
	g_assert_cmpstr(pxf_host_get_hostname(slot.pub.host), ==, "h1");
	g_assert_cmpstr(pxf_host_get_profile(slot.pub.host), ==, "p");
	pxf_client_clear(&slot);
}

static void
test_transport_unset(Fixture *fx, gconstpointer data)
{
	const PxfHost *host = pxf_plugin_context_find_host(fx->ctx, "52:54:00:00:00:01");
	g_autoptr(GVariant) role = pxf_plugin_context_get_host_var(fx->ctx, host, "role");
	g_autoptr(GVariant) extra = pxf_plugin_context_get_host_var(fx->ctx, host, "extra");
	g_autoptr(GVariant) a = pxf_plugin_context_get_host_var(fx->ctx, host, "nested.a");
	g_autoptr(GVariant) b = pxf_plugin_context_get_host_var(fx->ctx, host, "nested.b");

	/* `name: ~` in a narrower scope unsets what a wider one set; dictionaries
	 * are replaced whole, not merged, across scopes */
	g_assert_cmpstr(g_variant_get_string(role, NULL), ==, "web");
	g_assert_null(extra);
	g_assert_cmpstr(g_variant_get_string(a, NULL), ==, "3");
	g_assert_null(b);
}

static void
test_transport_distros(Fixture *fx, gconstpointer data)
{
	g_autoptr(GPtrArray) names = pxf_plugin_context_get_distros(fx->ctx);
	g_autoptr(GVariant) kernel = pxf_plugin_context_get_distro_var(fx->ctx, "d", "kernel");
	g_autoptr(GVariant) shim = pxf_plugin_context_get_distro_var(fx->ctx, "d", "efi.shim");
	g_autoptr(GVariant) none = pxf_plugin_context_get_distro_var(fx->ctx, "d", "nope");
	g_autoptr(GVariant) other = pxf_plugin_context_get_distro_var(fx->ctx, "x", "kernel");

	g_assert_cmpuint(names->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(names, 0), ==, "d");
	g_assert_cmpstr(g_variant_get_string(kernel, NULL), ==, "/k");
	g_assert_cmpstr(g_variant_get_string(shim, NULL), ==, "/t/EFI/shimx64.efi");
	g_assert_null(none);
	g_assert_null(other);
}

static void
test_transport_classify(Fixture *fx, gconstpointer data)
{
	const struct {
		gint arch;
		const gchar *vendor;
		const gchar *user;
		gboolean opt175;
		PxfFirmware firmware;
		PxfBootStage stage;
		gboolean http_boot;
	} cases[] = {
		{0, "PXEClient:Arch:00000:UNDI:002001", "iPXE", TRUE, PXF_FIRMWARE_BIOS,
		 PXF_BOOT_STAGE_IPXE, FALSE},
		{7, "PXEClient:Arch:00007:UNDI:003000", NULL, FALSE, PXF_FIRMWARE_UEFI_X64,
		 PXF_BOOT_STAGE_ROM, FALSE},
		{9, "PXEClient", NULL, FALSE, PXF_FIRMWARE_UEFI_X64, PXF_BOOT_STAGE_ROM, FALSE},
		{-1, "PXEClient:Arch:00006:UNDI:003000", NULL, FALSE, PXF_FIRMWARE_UEFI_IA32,
		 PXF_BOOT_STAGE_ROM, FALSE},
		/* OVMF's HTTP boot client, as captured */
		{16, "HTTPClient:Arch:00016:UNDI:003000", NULL, FALSE, PXF_FIRMWARE_UEFI_X64,
		 PXF_BOOT_STAGE_ROM, TRUE},
		/* the other HTTP boot architectures, by option 93 or option 60 alone */
		{15, "HTTPClient:Arch:00015:UNDI:003000", NULL, FALSE, PXF_FIRMWARE_UEFI_IA32,
		 PXF_BOOT_STAGE_ROM, TRUE},
		{19, NULL, NULL, FALSE, PXF_FIRMWARE_UEFI_ARM64, PXF_BOOT_STAGE_UNKNOWN, TRUE},
		{20, "HTTPClient:Arch:00020:UNDI:003000", NULL, FALSE, PXF_FIRMWARE_BIOS,
		 PXF_BOOT_STAGE_ROM, TRUE},
		{-1, "HTTPClient:Arch:00016", NULL, FALSE, PXF_FIRMWARE_UEFI_X64,
		 PXF_BOOT_STAGE_ROM, TRUE},
		{-1, "udhcp 1.35.0", NULL, FALSE, PXF_FIRMWARE_UNKNOWN, PXF_BOOT_STAGE_UNKNOWN,
		 FALSE},
		{11, NULL, NULL, FALSE, PXF_FIRMWARE_UEFI_ARM64, PXF_BOOT_STAGE_UNKNOWN, FALSE},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		PxfClientClassifyArgs args = {.arch = cases[i].arch,
					      .vendor_class = cases[i].vendor,
					      .user_class = cases[i].user,
					      .has_ipxe_options = cases[i].opt175};
		g_assert_cmpint(pxf_plugin_context_classify(fx->ctx, &args), ==,
				PXF_VERDICT_CONTINUE);
		g_assert_cmpint(args.firmware, ==, cases[i].firmware);
		g_assert_cmpint(args.stage, ==, cases[i].stage);
		g_assert_cmpint(args.http_boot, ==, cases[i].http_boot);
	}
}

/* A loader plugin that knows nothing of HTTP boot: a TFTP name for all. */
static PxfVerdict
tftp_name_select(PxfBootSelectArgs *args, gpointer user_data)
{
	pxf_set_string(&args->filename, user_data);
	return PXF_VERDICT_SKIP;
}

/* A UEFI HTTP boot client gets an absolute http(s):// URL or no boot file:
 * it ignores an offer with anything else and DISCOVERs until it gives up. */
static void
test_transport_http_boot(Fixture *fx, gconstpointer data)
{
	const struct {
		const gchar *file;
		gboolean http_boot;
		const gchar *expected;
	} cases[] = {
		{"shimx64.efi", TRUE, NULL},
		{"/ipxe.efi", TRUE, NULL},
		{"http:///ipxe.efi", TRUE, NULL},
		{"tftp://10.0.0.1/ipxe.efi", TRUE, NULL},
		{"http://10.0.0.1/ipxe.efi", TRUE, "http://10.0.0.1/ipxe.efi"},
		{"HTTPS://boot.example/x.efi", TRUE, "HTTPS://boot.example/x.efi"},
		{"shimx64.efi", FALSE, "shimx64.efi"},
	};
	static gchar file[64];
	g_autoptr(GError) error = NULL;

	g_assert_true(pxf_hook_connect_boot_select(fx->ctx, tftp_name_select, file, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(pxf_hook_registry_seal(fx->core.hooks, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		PxfBootSelectArgs args = {.firmware = PXF_FIRMWARE_UEFI_X64,
					  .stage = PXF_BOOT_STAGE_ROM,
					  .http_boot = cases[i].http_boot};
		g_strlcpy(file, cases[i].file, sizeof(file));
		if (cases[i].expected == NULL)
			g_test_expect_message(
				"pxf-transport", G_LOG_LEVEL_WARNING,
				"*UEFI HTTP boot client: boot file * is not an http:// "
				"URL; it gets none");
		g_assert_cmpint(pxf_plugin_context_select_boot(fx->ctx, &args), ==,
				PXF_VERDICT_SKIP);
		g_test_assert_expected_messages();
		g_assert_cmpstr(args.filename, ==, cases[i].expected);
		pxf_boot_select_args_clear(&args);
	}
}

static void
test_transport_lookup(Fixture *fx, gconstpointer data)
{
	PxfHostLookupArgs args = {.mac = "52:54:00:99:99:99",
				  .uuid = "4C4C4544-0042-4D10-8051-B2C04F563232"};
	pxf_plugin_context_lookup_host(fx->ctx, &args);
	g_assert_nonnull(args.host);
	g_assert_cmpstr(pxf_host_get_mac(args.host), ==, "52:54:00:00:00:02");

	/* RFC 2131 4.2: the client identifier names the client before chaddr */
	args = (PxfHostLookupArgs){.mac = "52:54:00:00:00:02", .client_id = "ff000000010001"};
	pxf_plugin_context_lookup_host(fx->ctx, &args);
	g_assert_nonnull(args.host);
	g_assert_cmpstr(pxf_host_get_mac(args.host), ==, "52:54:00:00:00:01");
	/* an unknown identifier falls back to the MAC */
	args = (PxfHostLookupArgs){.mac = "52:54:00:00:00:02", .client_id = "ff000000010002"};
	pxf_plugin_context_lookup_host(fx->ctx, &args);
	g_assert_nonnull(args.host);
	g_assert_cmpstr(pxf_host_get_mac(args.host), ==, "52:54:00:00:00:02");
}

static gchar *
stored_token(Fixture *fx, const gchar *mac)
{
	g_autoptr(GBytes) bytes = pxf_store_get(fx->core.store, PXF_CORE_TOKENS_NS, mac, NULL);
	return bytes != NULL ? g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes))
			     : NULL;
}

static gchar *
render_token(Fixture *fx, const PxfHost *host, GError **error)
{
	g_autoptr(GString) out = g_string_new(NULL);
	const gchar *p;

	if (!pxf_plugin_context_render_profile(fx->ctx, NULL, host, out, NULL, error))
		return NULL;
	p = strstr(out->str, "token=");
	g_assert_nonnull(p);
	return g_strchomp(g_strdup(p + 6));
}

/* One token per install: minted when the host enters booting (its own
 * loader config, or a reinstall), never by a render, dead once the host is
 * installed or failed; no answer file without an install in progress. */
static void
test_transport_tokens(Fixture *fx, gconstpointer data)
{
	const gchar *mac = "52:54:00:00:00:01";
	g_autoptr(GInetSocketAddress) own_addr = sockaddr("192.0.2.11");
	g_autoptr(GInetSocketAddress) stranger_addr = sockaddr("192.0.2.99");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *token = NULL;
	g_autofree gchar *rendered = NULL;
	g_autofree gchar *token2 = NULL;
	const PxfHost *host = pxf_plugin_context_find_host(fx->ctx, mac);
	PxfClientSlot own;
	PxfClientSlot stranger;

	g_assert_nonnull(host);
	pxf_client_init(&own, fx->ctx, "http", own_addr, NULL, NULL);
	pxf_client_init(&stranger, fx->ctx, "tftp", stranger_addr, NULL, NULL);
	g_assert_cmpstr(own.pub.mac, ==, mac);
	g_assert_null(stranger.pub.mac);

	/* not armed: no answer file, and asking mints nothing */
	g_assert_null(render_token(fx, host, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_CONFLICT);
	g_assert_nonnull(strstr(error->message, "no install in progress"));
	g_clear_error(&error);
	g_assert_null(stored_token(fx, mac));

	/* a stranger's request moves nothing (the address has no lease and no
	 * fixed ip), the machine's own does, and that arms the install */
	g_assert_false(pxf_core_move_host_for_client(&fx->core, &stranger.pub, mac,
						     PXF_HOST_STATE_DISCOVERED, "x", &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_DENIED);
	g_assert_nonnull(strstr(error->message, "192.0.2.99"));
	g_clear_error(&error);
	g_assert_false(pxf_core_move_host_for_client(&fx->core, NULL, mac,
						     PXF_HOST_STATE_DISCOVERED, "x", &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_DENIED);
	g_clear_error(&error);
	g_assert_cmpint(pxf_plugin_context_get_host_state(fx->ctx, mac), ==,
			PXF_HOST_STATE_UNKNOWN);
	/* the other host's address is not this host either */
	g_assert_false(pxf_core_move_host_for_client(&fx->core, &own.pub, "52:54:00:00:00:02",
						     PXF_HOST_STATE_DISCOVERED, "x", &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_DENIED);
	g_clear_error(&error);
	g_assert_true(pxf_core_move_host_for_client(&fx->core, &own.pub, mac,
						    PXF_HOST_STATE_DISCOVERED, "dhcp", &error));
	g_assert_no_error(error);
	g_assert_null(stored_token(fx, mac));
	/* a machine's request cannot make the operator's or the installer's moves */
	g_assert_false(pxf_core_move_host_for_client(&fx->core, &own.pub, mac,
						     PXF_HOST_STATE_FAILED, "x", &error));
	g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_TRANSITION);
	g_clear_error(&error);
	g_assert_true(pxf_core_move_host_for_client(&fx->core, &own.pub, mac,
						    PXF_HOST_STATE_BOOTING, "config", &error));
	g_assert_no_error(error);
	token = stored_token(fx, mac);
	g_assert_nonnull(token);
	g_assert_cmpuint(strlen(token), ==, 32);
	g_assert_cmpuint(strspn(token, "0123456789abcdef"), ==, 32);

	/* every render of this install carries that token */
	rendered = render_token(fx, host, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(rendered, ==, token);
	g_clear_pointer(&rendered, g_free);
	rendered = render_token(fx, host, NULL);
	g_assert_cmpstr(rendered, ==, token);
	g_clear_pointer(&rendered, g_free);

	/* done while booting: not installing, whatever the token */
	g_assert_false(pxf_plugin_context_report_install(fx->ctx, mac, token, TRUE, NULL, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_CONFLICT);
	g_clear_error(&error);
	g_assert_true(pxf_core_move_host_for_client(&fx->core, &own.pub, mac,
						    PXF_HOST_STATE_INSTALLING, "ks", &error));
	g_assert_no_error(error);

	/* wrong, empty, missing, other host's: refused, nothing changes */
	g_assert_false(pxf_plugin_context_report_install(
		fx->ctx, mac, "00000000000000000000000000000000", TRUE, NULL, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_DENIED);
	g_assert_null(strstr(error->message, token)); /* never echoed */
	g_clear_error(&error);
	g_assert_false(pxf_plugin_context_report_install(fx->ctx, mac, "", TRUE, NULL, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_DENIED);
	g_clear_error(&error);
	g_assert_false(pxf_plugin_context_report_install(fx->ctx, mac, NULL, TRUE, NULL, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_DENIED);
	g_clear_error(&error);
	/* the other host is not installing */
	g_assert_false(pxf_plugin_context_report_install(fx->ctx, "52:54:00:00:00:02", token, TRUE,
							 NULL, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_CONFLICT);
	g_clear_error(&error);
	g_assert_cmpint(pxf_plugin_context_get_host_state(fx->ctx, mac), ==,
			PXF_HOST_STATE_INSTALLING);
	g_assert_cmpuint(fx->events->len, ==, 0);

	/* right: installed, event, and the token is gone */
	g_assert_true(pxf_plugin_context_report_install(fx->ctx, "52-54-00-00-00-01", token, TRUE,
							NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(pxf_plugin_context_get_host_state(fx->ctx, mac), ==,
			PXF_HOST_STATE_INSTALLED);
	g_assert_cmpuint(fx->events->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(fx->events, 0), ==, "done 52:54:00:00:00:01");
	g_assert_null(stored_token(fx, mac));

	/* issue 10: the installed system asks for its answer file (no token is
	 * minted) and reports failure with the old token (409, not a wipe) */
	g_assert_null(render_token(fx, host, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_CONFLICT);
	g_assert_nonnull(strstr(error->message, "installed"));
	g_clear_error(&error);
	g_assert_null(stored_token(fx, mac));
	{
		g_autoptr(GString) out = g_string_new(NULL);
		g_assert_true(pxf_plugin_context_render_template(
			fx->ctx, &own.pub, host, "token={{install.token}}", TRUE, out, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(out->str, ==, "token=");
		g_assert_null(stored_token(fx, mac));
	}
	g_assert_false(
		pxf_plugin_context_report_install(fx->ctx, mac, token, FALSE, "late", &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_CONFLICT);
	g_clear_error(&error);
	g_assert_false(pxf_plugin_context_report_install(fx->ctx, mac, token, TRUE, NULL, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_CONFLICT);
	g_clear_error(&error);
	g_assert_false(pxf_core_move_host(&fx->core, mac, PXF_HOST_STATE_FAILED,
					  PXF_HOST_CAUSE_PLUGIN, "x", &error));
	g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_TRANSITION);
	g_clear_error(&error);
	g_assert_false(pxf_core_move_host_for_client(&fx->core, &own.pub, mac,
						     PXF_HOST_STATE_BOOTING, "config", &error));
	g_assert_error(error, PXF_HOST_STATE_ERROR, PXF_HOST_STATE_ERROR_TRANSITION);
	g_clear_error(&error);
	g_assert_cmpint(pxf_plugin_context_get_host_state(fx->ctx, mac), ==,
			PXF_HOST_STATE_INSTALLED);
	g_assert_cmpuint(fx->events->len, ==, 1);

	/* the operator's reinstall: a new install, a new token */
	g_assert_true(pxf_core_move_host(&fx->core, mac, PXF_HOST_STATE_BOOTING,
					 PXF_HOST_CAUSE_OPERATOR, "reinstall", &error));
	g_assert_no_error(error);
	token2 = stored_token(fx, mac);
	g_assert_nonnull(token2);
	g_assert_cmpstr(token2, !=, token);
	rendered = render_token(fx, host, &error);
	g_assert_cmpstr(rendered, ==, token2);

	/* the timeout ends the install: its token dies with it */
	g_assert_true(pxf_core_move_host(&fx->core, mac, PXF_HOST_STATE_FAILED,
					 PXF_HOST_CAUSE_TIMEOUT, "no report", &error));
	g_assert_no_error(error);
	g_assert_null(stored_token(fx, mac));
	g_assert_false(pxf_plugin_context_report_install(fx->ctx, mac, token2, TRUE, NULL, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_CONFLICT);
	g_clear_error(&error);

	pxf_client_clear(&own);
	pxf_client_clear(&stranger);
}

static void
test_transport_store(Fixture *fx, gconstpointer data)
{
	g_autoptr(GBytes) a = g_bytes_new_static("a", 1);
	g_autoptr(GBytes) b = g_bytes_new_static("b", 1);
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GHashTable) all = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(pxf_plugin_context_store_create(fx->ctx, "leases", "192.0.2.150", a, &error));
	g_assert_false(
		pxf_plugin_context_store_create(fx->ctx, "leases", "192.0.2.150", b, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_EXISTS);
	g_clear_error(&error);
	g_assert_false(
		pxf_plugin_context_store_replace(fx->ctx, "leases", "192.0.2.150", b, a, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_CONFLICT);
	g_clear_error(&error);
	g_assert_true(
		pxf_plugin_context_store_replace(fx->ctx, "leases", "192.0.2.150", a, b, &error));
	got = pxf_plugin_context_store_get(fx->ctx, "leases", "192.0.2.150", &error);
	g_assert_true(g_bytes_equal(got, b));
	all = pxf_plugin_context_store_list(fx->ctx, "leases", &error);
	g_assert_cmpuint(g_hash_table_size(all), ==, 1);
	g_assert_true(pxf_plugin_context_store_remove(fx->ctx, "leases", "192.0.2.150", &error));
	g_assert_null(pxf_plugin_context_store_get(fx->ctx, "leases", "192.0.2.150", &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* the core's own records are out of reach */
	g_assert_null(pxf_plugin_context_store_get(fx->ctx, "tokens", "52:54:00:00:00:01", &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(pxf_plugin_context_store_put(fx->ctx, "hosts", "x", a, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(pxf_plugin_context_store_put(fx->ctx, "../x", "x", a, &error));
	g_assert_error(error, PXF_ERROR, PXF_ERROR_INVALID);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/core/transport/client", Fixture, NULL, fixture_setup, test_transport_client,
		   fixture_teardown);
	g_test_add("/core/transport/interfaces", Fixture, NULL, fixture_setup,
		   test_transport_interfaces, fixture_teardown);
	g_test_add("/core/transport/distros", Fixture, NULL, fixture_setup, test_transport_distros,
		   fixture_teardown);
	g_test_add("/core/transport/unset", Fixture, NULL, fixture_setup, test_transport_unset,
		   fixture_teardown);
	g_test_add("/core/transport/reload", Fixture, NULL, fixture_setup, test_transport_reload,
		   fixture_teardown);
	g_test_add("/core/transport/classify", Fixture, NULL, fixture_setup,
		   test_transport_classify, fixture_teardown);
	g_test_add("/core/transport/http-boot", Fixture, NULL, fixture_setup,
		   test_transport_http_boot, fixture_teardown);
	g_test_add("/core/transport/lookup", Fixture, NULL, fixture_setup, test_transport_lookup,
		   fixture_teardown);
	g_test_add("/core/transport/tokens", Fixture, NULL, fixture_setup, test_transport_tokens,
		   fixture_teardown);
	g_test_add("/core/transport/store", Fixture, NULL, fixture_setup, test_transport_store,
		   fixture_teardown);
	return g_test_run();
}
