/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pxeforge explain`: a boot walked through the running plugins the way the
 * firmware of an architecture would, stage by stage, without a network.
 *
 * Each stage is a DHCP client: classify, boot.select, then file.open for
 * the boot file, the configuration its loader asks for and the kernel and
 * initrd that configuration names. Nothing here knows a plugin by name:
 * which configuration a boot file reads is found by asking file.open for
 * the paths pxelinux and GRUB ask for, and keeping the first one the plugin
 * that chose the boot file provides. A boot file with no such configuration
 * whose plugin answers iPXE's own DHCP request with something else is a
 * chainload to iPXE: a second stage as that iPXE client. */
#define G_LOG_DOMAIN "pxf-explain"

#include "config.h"

#include "pxf-explain-private.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pxf-file.h"
#include "pxf-render.h"

static void
pxf_explain_stage_free(PxfExplainStage *st)
{
	g_free(st->client);
	g_free(st->boot_file);
	g_free(st->boot_server);
	g_free(st->selected_by);
	g_free(st->transport);
	g_free(st->config);
	g_free(st->config_transport);
	g_free(st->next);
	g_ptr_array_unref(st->kernel);
	g_ptr_array_unref(st->initrd);
	g_ptr_array_unref(st->cmdline);
	g_free(st);
}

void
pxf_explain_step(PxfExplain *ex,
		 const gchar *step,
		 const gchar *decided_by,
		 const gchar *result,
		 const gchar *content)
{
	JsonBuilder *b = ex->b;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "stage");
	json_builder_add_int_value(b, ex->stage);
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

/* ---- where a loader fetches a file from ---------------------------------------------- */

/* A path as file.open gets it: relative, no "..", no empty name. */
static gchar *
pxf_explain_clean_path(const gchar *path)
{
	g_auto(GStrv) parts = NULL;
	g_autoptr(GPtrArray) kept = g_ptr_array_new();

	while (*path == '/')
		path++;
	parts = g_strsplit(path, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0' || g_strcmp0(parts[i], ".") == 0)
			continue;
		if (g_strcmp0(parts[i], "..") == 0)
			return NULL;
		g_ptr_array_add(kept, parts[i]);
	}
	if (kept->len == 0)
		return NULL;
	g_ptr_array_add(kept, NULL);
	return g_strjoinv("/", (gchar **)kept->pdata);
}

/* Resolves a file a boot file or configuration names into the transport
 * it is fetched with and the path file.open gets: URLs by their scheme and
 * path (relative ones against base_url, the URL of what named them), GRUB's
 * (tftp,…)/(http,…) devices, a leading $variable (a device chosen at boot
 * time) dropped, anything else over transport, relative to dir. */
gboolean
pxf_explain_locate(const gchar *ref,
		   const gchar *transport,
		   const gchar *base_url,
		   const gchar *dir,
		   gchar **transport_out,
		   gchar **path_out)
{
	g_autofree gchar *resolved = NULL;
	g_autofree gchar *joined = NULL;
	const gchar *scheme_end;

	*transport_out = NULL;
	*path_out = NULL;
	if (ref == NULL || ref[0] == '\0')
		return FALSE;
	if (g_uri_peek_scheme(ref) == NULL && base_url != NULL)
		ref = resolved = g_uri_resolve_relative(base_url, ref, G_URI_FLAGS_NONE, NULL);
	if (ref == NULL)
		return FALSE;
	scheme_end = strstr(ref, "://");
	if (g_uri_peek_scheme(ref) != NULL && scheme_end != NULL) {
		g_autoptr(GUri) uri = g_uri_parse(ref, G_URI_FLAGS_NONE, NULL);
		if (uri == NULL)
			return FALSE;
		*path_out = pxf_explain_clean_path(g_uri_get_path(uri));
		if (*path_out == NULL)
			return FALSE;
		*transport_out = g_ascii_strdown(g_uri_get_scheme(uri), -1);
		return TRUE;
	}
	if (ref[0] == '(') {
		const gchar *close = strchr(ref, ')');
		if (close == NULL)
			return FALSE;
		*transport_out = g_ascii_strdown(ref + 1, strcspn(ref + 1, ",)"));
		*path_out = pxf_explain_clean_path(close + 1);
		return *path_out != NULL;
	}
	if (ref[0] == '$') {
		ref = strchr(ref, '/');
		if (ref == NULL)
			return FALSE;
	} else if (ref[0] != '/' && dir != NULL && dir[0] != '\0') {
		ref = joined = g_build_filename(dir, ref, NULL);
	}
	*path_out = pxf_explain_clean_path(ref);
	if (*path_out == NULL)
		return FALSE;
	*transport_out = g_strdup(transport);
	return TRUE;
}

/* ---- file.open ----------------------------------------------------------------------- */

void
pxf_explain_file_clear(PxfExplainFile *f)
{
	g_clear_pointer(&f->text, g_free);
	g_clear_pointer(&f->content, g_free);
}

static gchar *
pxf_explain_text_of(const gchar *data, gsize len)
{
	if (len == 0 || len > PXF_EXPLAIN_MAX_TEXT || memchr(data, 0, len) != NULL ||
	    !g_utf8_validate(data, (gssize)len, NULL))
		return NULL;
	return g_strndup(data, len);
}

/* Asks file.open for path as the client would over transport. */
void
pxf_explain_query(PxfExplain *ex, const gchar *transport, const gchar *path, PxfExplainFile *f)
{
	PxfFileOpenArgs args = {.client = &ex->client, .path = path};
	PxfHookResult result;

	ex->client.transport = transport;
	result = pxf_core_open_file(ex->core, &args);
	f->decided_by = result.decided_by;
	if (result.verdict == PXF_VERDICT_DROP) {
		f->refused = TRUE;
		f->text = g_strdup_printf("%s: not found (refused)", path);
	} else if (args.content != NULL) {
		gsize len = 0;
		const gchar *data = g_bytes_get_data(args.content, &len);
		f->text = g_strdup_printf("%s: rendered, %" G_GSIZE_FORMAT " bytes", path, len);
		f->content = pxf_explain_text_of(data, len);
		f->found = TRUE;
	} else if (args.local_path != NULL) {
		GStatBuf st;
		if (g_stat(args.local_path, &st) == 0) {
			f->text = g_strdup_printf("%s: file %s, %" G_GINT64_FORMAT " bytes", path,
						  args.local_path, (gint64)st.st_size);
			if (st.st_size > 0 && st.st_size <= PXF_EXPLAIN_MAX_TEXT) {
				g_autofree gchar *data = NULL;
				gsize len = 0;
				if (pxf_file_get_contents(args.local_path, PXF_EXPLAIN_MAX_TEXT,
							  &data, &len, NULL))
					f->content = pxf_explain_text_of(data, len);
			}
		} else {
			f->text = g_strdup_printf("%s: file %s, which does not exist", path,
						  args.local_path);
		}
		f->found = TRUE;
	} else {
		f->text = g_strdup_printf("%s: no plugin provides it; the %s transport's static "
					  "root would be tried",
					  path, transport);
	}
	ex->client.transport = "explain";
	pxf_file_open_args_clear(&args);
}

void
pxf_explain_file_step(PxfExplain *ex,
		      const gchar *what,
		      const gchar *transport,
		      const PxfExplainFile *f,
		      gboolean show_content)
{
	g_autofree gchar *step = g_strdup_printf("file.open (%s, %s)", what, transport);
	pxf_explain_step(ex, step, f->decided_by, f->text, show_content ? f->content : NULL);
}

/* ---- one stage ----------------------------------------------------------------------- */

/* The configuration files a loader asks for after its boot file, in the
 * order it asks: pxelinux (in its own directory), then GRUB (next to
 * itself, as the RHEL family's does, then Debian's $prefix). */
static GPtrArray *
pxf_explain_config_candidates(PxfExplain *ex, const gchar *dir)
{
	GPtrArray *families = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	const gchar *prefix = dir != NULL && dir[0] != '\0' ? dir : NULL;
	GPtrArray *pxelinux = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *grub = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(pxelinux, g_strdup_printf("%s%spxelinux.cfg/01-%s", prefix ? prefix : "",
						  prefix ? "/" : "", ex->dashes));
	g_ptr_array_add(pxelinux, g_strdup_printf("%s%spxelinux.cfg/default", prefix ? prefix : "",
						  prefix ? "/" : ""));
	if (prefix != NULL)
		g_ptr_array_add(grub, g_strdup_printf("%s/grub.cfg", prefix));
	g_ptr_array_add(grub, g_strdup("grub/grub.cfg"));
	g_ptr_array_add(families, pxelinux);
	g_ptr_array_add(families, grub);
	return families;
}

/* The configuration the boot file's loader reads: the first candidate that
 * the plugin that chose the boot file provides, with the refusals by that
 * plugin on the way. Probes other plugins answer are not shown. */
static gboolean
pxf_explain_config(PxfExplain *ex, PxfExplainStage *st, const gchar *transport, const gchar *dir)
{
	g_autoptr(GPtrArray) families = pxf_explain_config_candidates(ex, dir);

	for (guint i = 0; i < families->len; i++) {
		GPtrArray *paths = g_ptr_array_index(families, i);
		g_autoptr(GPtrArray) refused = g_ptr_array_new_with_free_func(g_free);

		for (guint j = 0; j < paths->len; j++) {
			const gchar *path = g_ptr_array_index(paths, j);
			g_auto(PxfExplainFile) f = {0};

			pxf_explain_query(ex, transport, path, &f);
			if (g_strcmp0(f.decided_by, st->selected_by) != 0)
				continue;
			if (f.refused) {
				g_ptr_array_add(refused, g_steal_pointer(&f.text));
				continue;
			}
			if (!f.found)
				continue;
			for (guint k = 0; k < refused->len; k++) {
				PxfExplainFile r = {.decided_by = st->selected_by,
						    .text = g_ptr_array_index(refused, k)};
				pxf_explain_file_step(ex, "configuration", transport, &r, FALSE);
			}
			pxf_explain_file_step(ex, "configuration", transport, &f, TRUE);
			st->config = g_strdup(path);
			st->config_transport = g_strdup(transport);
			if (f.content != NULL)
				pxf_explain_loads(ex, st, f.content, f.decided_by, transport, NULL,
						  dir);
			return TRUE;
		}
	}
	return FALSE;
}

static void
pxf_explain_classify_args(
	PxfExplain *ex, gint arch, gboolean ipxe, const gchar *vendor, PxfClientClassifyArgs *args)
{
	memset(args, 0, sizeof(*args));
	args->client = &ex->client;
	args->arch = arch;
	args->vendor_class = vendor;
	args->user_class = ipxe ? "iPXE" : NULL;
	args->has_ipxe_options = ipxe;
}

/* Whether the plugin that chose st's boot file answers iPXE's own DHCP
 * request with another boot file: then the boot file chainloads iPXE. The
 * dispatch is not shown; the next stage shows it. */
static gchar *
pxf_explain_chains_to_ipxe(PxfExplain *ex, PxfExplainStage *st, gint arch, const gchar *vendor)
{
	PxfClientClassifyArgs classify;
	PxfBootSelectArgs select = {.client = &ex->client};
	gchar *next = NULL;

	pxf_explain_classify_args(ex, arch, TRUE, vendor, &classify);
	if (pxf_core_classify(ex->core, &classify).verdict == PXF_VERDICT_DROP)
		return NULL;
	select.firmware = classify.firmware;
	select.stage = classify.stage;
	select.http_boot = classify.http_boot;
	if (classify.stage == PXF_BOOT_STAGE_IPXE &&
	    pxf_core_select_boot(ex->core, &select).verdict == PXF_VERDICT_SKIP &&
	    g_strcmp0(select.selected_by, st->selected_by) == 0 && select.filename != NULL &&
	    g_strcmp0(select.filename, st->boot_file) != 0)
		next = g_strdup(select.filename);
	pxf_boot_select_args_clear(&select);
	return next;
}

static void pxf_explain_stage(PxfExplain *ex, gint arch, gboolean ipxe);

/* The PXE architecture type of an HTTP boot one (RFC 4578: 15 IA32, 16 x64,
 * 19 ARM64, 20 BIOS), as the iPXE it starts sends it. */
static gint
pxf_explain_pxe_arch(gint arch)
{
	switch (arch) {
	case 15:
		return 6;
	case 16:
		return 7;
	case 19:
		return 11;
	case 20:
		return 0;
	default:
		return arch;
	}
}

static void
pxf_explain_stage_boot(PxfExplain *ex, PxfExplainStage *st, gint arch, const gchar *vendor)
{
	g_autofree gchar *transport = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *next = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *ipxe_vendor = NULL;
	g_auto(PxfExplainFile) f = {0};
	gboolean url = g_uri_peek_scheme(st->boot_file) != NULL;
	gboolean script;

	if (!pxf_explain_locate(st->boot_file, "tftp", NULL, NULL, &transport, &path)) {
		pxf_explain_step(ex, "file.open (boot file)", NULL,
				 "the boot file is not a path a transport serves", NULL);
		return;
	}
	st->transport = g_strdup(transport);
	dir = g_path_get_dirname(path);
	if (g_strcmp0(dir, ".") == 0)
		g_clear_pointer(&dir, g_free);
	pxf_explain_query(ex, transport, path, &f);
	/* a script ("#!ipxe"): it is its own configuration; an image is not shown */
	script = f.content != NULL && g_str_has_prefix(f.content, "#!");
	pxf_explain_file_step(ex, "boot file", transport, &f, script);
	if (script) {
		st->config = g_strdup(st->boot_file);
		st->config_transport = g_strdup(transport);
		pxf_explain_loads(ex, st, f.content, f.decided_by, transport,
				  url ? st->boot_file : NULL, dir);
		return;
	}
	if (pxf_explain_config(ex, st, transport, dir))
		return;
	/* iPXE started by HTTP boot asks as a PXE client of the same firmware */
	if (ex->http_boot) {
		arch = pxf_explain_pxe_arch(arch);
		vendor = ipxe_vendor = g_strdup_printf("PXEClient:Arch:%05d:UNDI:002001", arch);
	}
	if (ex->stage == 1 && !g_str_equal(st->name, "iPXE"))
		next = pxf_explain_chains_to_ipxe(ex, st, arch, vendor);
	if (next == NULL) {
		text = g_strdup_printf("none that pxelinux or GRUB would ask for is provided by %s",
				       st->selected_by != NULL ? st->selected_by : "a plugin");
		pxf_explain_step(ex, "file.open (configuration)", st->selected_by, text, NULL);
		pxf_set_string(&st->next, "unknown: the boot file reads no configuration "
					  "explain knows");
		return;
	}
	text = g_strdup_printf("%s chainloads iPXE: %s answers iPXE's own DHCP request "
			       "(user class iPXE, option 175) with %s",
			       st->boot_file, st->selected_by, next);
	pxf_explain_step(ex, "chainload", st->selected_by, text, NULL);
	pxf_set_string(&st->next, "chainloads iPXE: stage 2");
	pxf_explain_stage(ex, arch, TRUE);
}

/* "loader ipxe (FILE:LINE), secure boot off (FILE:LINE)": the host's
 * choice of boot loader chain and where it is made. */
static gchar *
pxf_explain_boot_choice(const PxfBootChoice *boot)
{
	GString *out = g_string_new(NULL);

	if (boot->loader != NULL)
		g_string_append_printf(out, "loader %s (%s:%u)", boot->loader,
				       boot->loader_node->file != NULL ? boot->loader_node->file
								       : "?",
				       boot->loader_node->line);
	else
		g_string_append(out, "loader not named (the first boot loader plugin that "
				     "answers)");
	if (boot->secure_boot_set)
		g_string_append_printf(
			out, ", secure boot %s (%s:%u)", boot->secure_boot ? "on" : "off",
			boot->secure_boot_node->file != NULL ? boot->secure_boot_node->file : "?",
			boot->secure_boot_node->line);
	return g_string_free(out, FALSE);
}

/* A stage: the synthetic client of arch (as iPXE when ipxe) asks DHCP for
 * its boot file, then fetches what that boot file would. */
static void
pxf_explain_stage(PxfExplain *ex, gint arch, gboolean ipxe)
{
	PxfExplainStage *st = g_new0(PxfExplainStage, 1);
	gboolean http_boot = ex->http_boot && ex->stage == 0;
	/* as OVMF's HTTP boot client and PXE ROMs send it */
	g_autofree gchar *vendor = g_strdup_printf(http_boot ? "HTTPClient:Arch:%05d:UNDI:003000"
							     : "PXEClient:Arch:%05d:UNDI:002001",
						   arch);
	g_autofree gchar *text = NULL;
	PxfClientClassifyArgs classify;
	PxfBootSelectArgs select = {.client = &ex->client};
	PxfHookResult result;

	/* listed in the order they start: a stage walks the next one itself */
	g_ptr_array_add(ex->stages, st);
	ex->stage++;
	st->name = ipxe ? "iPXE" : http_boot ? "UEFI HTTP boot" : "PXE ROM";
	st->client = g_strdup_printf("option 93 = %d, option 60 = %s%s", arch, vendor,
				     ipxe ? ", option 77 = iPXE, option 175" : "");
	st->kernel = g_ptr_array_new_with_free_func(g_free);
	st->initrd = g_ptr_array_new_with_free_func(g_free);
	st->cmdline = g_ptr_array_new_with_free_func(g_free);

	pxf_explain_classify_args(ex, arch, ipxe, vendor, &classify);
	result = pxf_core_classify(ex->core, &classify);
	st->firmware = pxf_firmware_to_string(classify.firmware);
	text = g_strdup_printf("firmware %s, stage %s (%s)", st->firmware,
			       pxf_boot_stage_to_string(classify.stage), st->client);
	pxf_explain_step(ex, "client.classify", result.decided_by, text, NULL);
	g_clear_pointer(&text, g_free);

	if (ex->stage == 1) {
		const PxfHostStateRecord *rec;
		PxfHostLookupArgs lookup = {.client = &ex->client, .mac = ex->mac};

		result = pxf_core_lookup_host(ex->core, &lookup);
		if (lookup.host != NULL) {
			rec = pxf_host_states_get(ex->core->states, ex->mac);
			g_autofree gchar *boot = pxf_explain_boot_choice(&lookup.host->boot);
			text = g_strdup_printf(
				"inventory host %s (%s:%u): hostname %s, ip %s, profile %s, "
				"netboot %s, state %s, %s",
				lookup.host->mac,
				lookup.host->file != NULL ? lookup.host->file : "?",
				lookup.host->line,
				lookup.host->hostname ? lookup.host->hostname : "-",
				lookup.host->ip ? lookup.host->ip : "dynamic",
				lookup.host->profile ? lookup.host->profile : "-",
				lookup.host->netboot ? "on" : "off",
				pxf_host_state_to_string(rec != NULL ? rec->state
								     : PXF_HOST_STATE_UNKNOWN),
				boot);
		} else {
			text = g_strdup("not in the inventory: an unknown host");
		}
		pxf_explain_step(ex, "host.lookup", result.decided_by, text, NULL);
		g_clear_pointer(&text, g_free);
		ex->client.host = lookup.host;
	}

	select.firmware = classify.firmware;
	select.stage = classify.stage;
	select.http_boot = classify.http_boot;
	result = pxf_core_select_boot(ex->core, &select);
	st->selected_by = g_strdup(result.decided_by);
	if (result.verdict == PXF_VERDICT_DROP) {
		text = g_strdup("no answer: the client gets no DHCP offer for booting");
		st->next = g_strdup("no DHCP offer for booting");
	} else if (select.filename == NULL) {
		text = g_strdup("no boot file: the firmware goes on to its next boot device");
		st->next = g_strdup("no boot file: the next boot device");
	} else {
		text = g_strdup_printf("boot file %s from %s", select.filename,
				       select.next_server != NULL ? select.next_server
								  : "this server");
		st->boot_file = g_strdup(select.filename);
		st->boot_server = g_strdup(select.next_server);
	}
	pxf_explain_step(ex, "boot.select", result.decided_by, text, NULL);
	pxf_boot_select_args_clear(&select);
	if (st->boot_file != NULL)
		pxf_explain_stage_boot(ex, st, arch, vendor);
}

/* ---- the whole walk ------------------------------------------------------------------ */

static void
pxf_explain_add_strv(JsonBuilder *b, const gchar *name, GPtrArray *values)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (guint i = 0; i < values->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(values, i));
	json_builder_end_array(b);
}

static void
pxf_explain_add_string(JsonBuilder *b, const gchar *name, const gchar *value)
{
	if (value == NULL)
		return;
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, value);
}

static void
pxf_explain_stages_to_json(PxfExplain *ex, JsonBuilder *b)
{
	json_builder_set_member_name(b, "stages");
	json_builder_begin_array(b);
	for (guint i = 0; i < ex->stages->len; i++) {
		PxfExplainStage *st = g_ptr_array_index(ex->stages, i);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "stage");
		json_builder_add_int_value(b, i + 1);
		pxf_explain_add_string(b, "name", st->name);
		pxf_explain_add_string(b, "firmware", st->firmware);
		pxf_explain_add_string(b, "client", st->client);
		pxf_explain_add_string(b, "boot_file", st->boot_file);
		pxf_explain_add_string(b, "boot_server", st->boot_server);
		pxf_explain_add_string(b, "selected_by", st->selected_by);
		pxf_explain_add_string(b, "transport", st->transport);
		pxf_explain_add_string(b, "configuration", st->config);
		pxf_explain_add_string(b, "configuration_transport", st->config_transport);
		pxf_explain_add_strv(b, "kernel", st->kernel);
		pxf_explain_add_strv(b, "initrd", st->initrd);
		pxf_explain_add_strv(b, "cmdline", st->cmdline);
		pxf_explain_add_string(b, "next", st->next);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* arch names: option 93, whether the client is iPXE in the NIC's ROM, and
 * whether it is the firmware's UEFI HTTP boot client */
static const struct {
	const gchar *name;
	gint arch;
	gboolean ipxe;
	gboolean http_boot;
} pxf_explain_arches[] = {
	{"bios", 0, FALSE, FALSE},	 {"efi64", 7, FALSE, FALSE},
	{"efi32", 6, FALSE, FALSE},	 {"arm64", 11, FALSE, FALSE},
	{"ipxe", 0, TRUE, FALSE},	 {"ipxe-efi64", 7, TRUE, FALSE},
	{"efi64-http", 16, FALSE, TRUE}, {"efi32-http", 15, FALSE, TRUE},
	{"arm64-http", 19, FALSE, TRUE},
};

static JsonNode *
pxf_explain_run(PxfCore *core,
		const gchar *mac,
		const gchar *arch_name,
		gint arch,
		gboolean ipxe,
		gboolean http_boot)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GInetSocketAddress) address = NULL;
	g_autoptr(GPtrArray) stages =
		g_ptr_array_new_with_free_func((GDestroyNotify)pxf_explain_stage_free);
	g_autofree gchar *dashes = g_strdelimit(g_strdup(mac), ":", '-');
	const PxfHost *host = pxf_inventory_lookup_mac(core->setup->inventory, mac);
	PxfExplain ex = {.core = core,
			 .b = b,
			 .mac = mac,
			 .dashes = dashes,
			 .stages = stages,
			 .http_boot = http_boot};

	/* the host's fixed address, which TFTP and HTTP requests come from */
	address = G_INET_SOCKET_ADDRESS(g_inet_socket_address_new_from_string(
		host != NULL && host->ip != NULL ? host->ip : "0.0.0.0", 68));
	ex.client.transport = "explain";
	ex.client.mac = mac;
	ex.client.address = address;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mac");
	json_builder_add_string_value(b, mac);
	json_builder_set_member_name(b, "arch");
	json_builder_add_string_value(b, arch_name);
	json_builder_set_member_name(b, "steps");
	json_builder_begin_array(b);
	pxf_explain_stage(&ex, arch, ipxe);

	ex.stage = 0;
	if (ex.client.host != NULL && ex.client.host->profile != NULL) {
		g_autoptr(GString) out = g_string_new(NULL);
		g_autoptr(GError) error_local = NULL;
		if (pxf_render_host(core->setup, core->hooks, &ex.client, ex.client.host, NULL,
				    PXF_RENDER_TOKEN_PLACEHOLDER, out, NULL, &error_local)) {
			pxf_explain_step(&ex, "profile.render", NULL, "the answer file", out->str);
		} else {
			pxf_explain_step(&ex, "profile.render", NULL, error_local->message, NULL);
		}
	}
	json_builder_end_array(b);
	pxf_explain_stages_to_json(&ex, b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

JsonNode *
pxf_explain(PxfCore *core, const gchar *mac_text, const gchar *arch_name, GError **error)
{
	g_autofree gchar *mac = pxf_mac_normalize(mac_text, error);
	JsonNode *node;

	if (mac == NULL)
		return NULL;
	if (arch_name == NULL)
		arch_name = "bios";
	for (guint i = 0; i < G_N_ELEMENTS(pxf_explain_arches); i++) {
		if (g_strcmp0(arch_name, pxf_explain_arches[i].name) != 0)
			continue;
		/* callbacks run for real; the core keeps state, events and tokens as they are */
		core->dry_run++;
		node = pxf_explain_run(core, mac, arch_name, pxf_explain_arches[i].arch,
				       pxf_explain_arches[i].ipxe, pxf_explain_arches[i].http_boot);
		core->dry_run--;
		return node;
	}
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		    "unknown architecture '%s' (bios, efi64, efi32, arm64, ipxe, ipxe-efi64, "
		    "efi64-http, efi32-http, arm64-http)",
		    arch_name);
	return NULL;
}
