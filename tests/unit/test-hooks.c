/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "pxf-dhcp-options.h"
#include "pxf-hook.h"
#include "pxf-plugin-context.h"

#include <string.h>

typedef struct {
	GString *trace;
	PxfVerdict verdict;
	const gchar *tag;
} Probe;

static PxfVerdict
probe_host_event(PxfHostEventArgs *args, gpointer user_data)
{
	Probe *probe = user_data;
	g_string_append(probe->trace, probe->tag);
	return probe->verdict;
}

static PxfVerdict
probe_boot_select(PxfBootSelectArgs *args, gpointer user_data)
{
	Probe *probe = user_data;
	g_string_append(probe->trace, probe->tag);
	if (probe->verdict == PXF_VERDICT_SKIP)
		pxf_set_string(&args->filename, probe->tag);
	return probe->verdict;
}

static void
add_boot(PxfHookRegistry *reg,
	 const gchar *plugin,
	 guint order,
	 Probe *probe,
	 const PxfHookRules *rules)
{
	g_autoptr(GError) error = NULL;
	gboolean ok = pxf_hook_registry_add(reg, PXF_HOOK_BOOT_SELECT, plugin, order,
					    G_CALLBACK(probe_boot_select), probe, rules, &error);
	g_assert_no_error(error);
	g_assert_true(ok);
}

static void
test_hooks_empty(void)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	PxfBootSelectArgs args = {0};
	PxfHookResult result;

	g_assert_true(pxf_hook_registry_seal(reg, NULL));
	result = pxf_hook_run_boot_select(reg, &args);
	g_assert_cmpint(result.verdict, ==, PXF_VERDICT_CONTINUE);
	g_assert_null(result.decided_by);
	g_assert_null(args.filename);
}

static void
test_hooks_config_order(void)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	g_autoptr(GString) trace = g_string_new(NULL);
	Probe a = {trace, PXF_VERDICT_CONTINUE, "a"};
	Probe b = {trace, PXF_VERDICT_CONTINUE, "b"};
	Probe c = {trace, PXF_VERDICT_CONTINUE, "c"};
	PxfBootSelectArgs args = {0};

	/* connected in another order than configured */
	add_boot(reg, "third", 2, &c, NULL);
	add_boot(reg, "first", 0, &a, NULL);
	add_boot(reg, "second", 1, &b, NULL);
	g_assert_true(pxf_hook_registry_seal(reg, NULL));
	pxf_hook_run_boot_select(reg, &args);
	g_assert_cmpstr(trace->str, ==, "abc");
}

static void
test_hooks_rules(void)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	g_autoptr(GString) trace = g_string_new(NULL);
	Probe a = {trace, PXF_VERDICT_CONTINUE, "a"};
	Probe b = {trace, PXF_VERDICT_CONTINUE, "b"};
	Probe c = {trace, PXF_VERDICT_CONTINUE, "c"};
	Probe d = {trace, PXF_VERDICT_CONTINUE, "d"};
	PxfBootSelectArgs args = {0};
	g_autoptr(GPtrArray) plugins = NULL;

	/* config order a b c d; rules: a after c, d before b */
	add_boot(reg, "a", 0, &a, PXF_HOOK_AFTER("c"));
	add_boot(reg, "b", 1, &b, NULL);
	add_boot(reg, "c", 2, &c, NULL);
	add_boot(reg, "d", 3, &d, PXF_HOOK_BEFORE("b", "notloaded"));
	g_assert_true(pxf_hook_registry_seal(reg, NULL));
	pxf_hook_run_boot_select(reg, &args);
	/* greedy: among callbacks whose rules are met, the earliest configured */
	g_assert_cmpstr(trace->str, ==, "cadb");

	plugins = pxf_hook_registry_get_plugins(reg, PXF_HOOK_BOOT_SELECT);
	g_assert_cmpuint(plugins->len, ==, 4);
	g_assert_cmpstr(g_ptr_array_index(plugins, 0), ==, "c");
	g_assert_cmpstr(g_ptr_array_index(plugins, 3), ==, "b");
}

static void
test_hooks_cycle(void)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	g_autoptr(GString) trace = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	Probe a = {trace, PXF_VERDICT_CONTINUE, "a"};
	Probe b = {trace, PXF_VERDICT_CONTINUE, "b"};
	Probe c = {trace, PXF_VERDICT_CONTINUE, "c"};
	PxfBootSelectArgs args = {0};

	add_boot(reg, "a", 0, &a, NULL);
	g_assert_true(pxf_hook_registry_seal(reg, NULL));
	add_boot(reg, "b", 1, &b, PXF_HOOK_AFTER("c"));
	add_boot(reg, "c", 2, &c, PXF_HOOK_AFTER("b"));
	g_assert_false(pxf_hook_registry_seal(reg, &error));
	g_assert_error(error, PXF_HOOK_ERROR, PXF_HOOK_ERROR_CYCLE);
	g_assert_nonnull(strstr(error->message, "b, c"));
	g_assert_nonnull(strstr(error->message, "boot.select"));

	/* the previously sealed chain stays in force */
	pxf_hook_run_boot_select(reg, &args);
	g_assert_cmpstr(trace->str, ==, "a");
}

static void
test_hooks_skip_drop(void)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	g_autoptr(GString) trace = g_string_new(NULL);
	Probe a = {trace, PXF_VERDICT_CONTINUE, "a"};
	Probe b = {trace, PXF_VERDICT_SKIP, "b"};
	Probe c = {trace, PXF_VERDICT_CONTINUE, "c"};
	PxfBootSelectArgs args = {0};
	PxfHookResult result;

	add_boot(reg, "a", 0, &a, NULL);
	add_boot(reg, "b", 1, &b, NULL);
	add_boot(reg, "c", 2, &c, NULL);
	g_assert_true(pxf_hook_registry_seal(reg, NULL));

	result = pxf_hook_run_boot_select(reg, &args);
	g_assert_cmpint(result.verdict, ==, PXF_VERDICT_SKIP);
	g_assert_cmpstr(result.decided_by, ==, "b");
	g_assert_cmpstr(trace->str, ==, "ab");
	g_assert_cmpstr(args.filename, ==, "b");
	pxf_boot_select_args_clear(&args);

	g_string_truncate(trace, 0);
	b.verdict = PXF_VERDICT_DROP;
	result = pxf_hook_run_boot_select(reg, &args);
	g_assert_cmpint(result.verdict, ==, PXF_VERDICT_DROP);
	g_assert_cmpstr(result.decided_by, ==, "b");
	g_assert_cmpstr(trace->str, ==, "ab");
}

static void
test_hooks_notify_runs_all(void)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	g_autoptr(GString) trace = g_string_new(NULL);
	Probe a = {trace, PXF_VERDICT_DROP, "a"};
	Probe b = {trace, PXF_VERDICT_SKIP, "b"};
	PxfHostEventArgs args = {.mac = "52:54:00:00:00:01", .type = PXF_HOST_EVENT_DONE};
	PxfHookResult result;

	g_assert_true(pxf_hook_registry_add(reg, PXF_HOOK_HOST_EVENT, "a", 0,
					    G_CALLBACK(probe_host_event), &a, NULL, NULL));
	g_assert_true(pxf_hook_registry_add(reg, PXF_HOOK_HOST_EVENT, "b", 1,
					    G_CALLBACK(probe_host_event), &b, NULL, NULL));
	g_assert_true(pxf_hook_registry_seal(reg, NULL));
	result = pxf_hook_run_host_event(reg, &args);
	g_assert_cmpint(result.verdict, ==, PXF_VERDICT_CONTINUE);
	g_assert_cmpstr(trace->str, ==, "ab");
}

static void
test_hooks_remove_plugin(void)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	g_autoptr(GString) trace = g_string_new(NULL);
	Probe a = {trace, PXF_VERDICT_CONTINUE, "a"};
	Probe b = {trace, PXF_VERDICT_CONTINUE, "b"};
	PxfBootSelectArgs args = {0};

	add_boot(reg, "a", 0, &a, NULL);
	add_boot(reg, "b", 1, &b, NULL);
	g_assert_true(pxf_hook_registry_seal(reg, NULL));
	pxf_hook_registry_remove_plugin(reg, "a");
	pxf_hook_run_boot_select(reg, &args);
	g_assert_cmpstr(trace->str, ==, "b");
	pxf_hook_registry_remove_plugin(reg, "b");
	g_string_truncate(trace, 0);
	pxf_hook_run_boot_select(reg, &args);
	g_assert_cmpstr(trace->str, ==, "");
}

/* ---- PARK ---------------------------------------------------------------- */

typedef struct {
	GString *trace;
	PxfHookCall *parked;
	PxfVerdict resume_with;
	gboolean from_thread;
} Parker;

static gpointer
parker_thread(gpointer data)
{
	Parker *parker = data;
	g_usleep(1000);
	pxf_hook_call_resume(parker->parked, parker->resume_with);
	return NULL;
}

static gboolean
parker_idle(gpointer data)
{
	Parker *parker = data;
	pxf_hook_call_resume(parker->parked, parker->resume_with);
	return G_SOURCE_REMOVE;
}

static PxfVerdict
parker_boot_select(PxfBootSelectArgs *args, gpointer user_data)
{
	Parker *parker = user_data;
	g_string_append(parker->trace, "P");
	parker->parked = pxf_hook_call_get_current();
	if (parker->parked == NULL)
		return PXF_VERDICT_PARK; /* sync dispatch: the core must cope */
	if (parker->from_thread)
		g_thread_unref(g_thread_new("parker", parker_thread, parker));
	else
		g_idle_add(parker_idle, parker);
	return PXF_VERDICT_PARK;
}

typedef struct {
	gboolean done;
	guint n_done;
	PxfHookResult result;
} Done;

static void
done_cb(PxfHookResult result, gpointer args, gpointer user_data)
{
	Done *done = user_data;
	done->done = TRUE;
	done->n_done++;
	done->result = result;
}

static void
park_run(gboolean from_thread, PxfVerdict resume_with, const gchar *expect_trace)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	g_autoptr(GString) trace = g_string_new(NULL);
	Probe a = {trace, PXF_VERDICT_CONTINUE, "a"};
	Probe c = {trace, PXF_VERDICT_CONTINUE, "c"};
	Parker parker = {trace, NULL, resume_with, from_thread};
	PxfBootSelectArgs args = {0};
	Done done = {0};

	add_boot(reg, "a", 0, &a, NULL);
	g_assert_true(pxf_hook_registry_add(reg, PXF_HOOK_BOOT_SELECT, "parker", 1,
					    G_CALLBACK(parker_boot_select), &parker, NULL, NULL));
	add_boot(reg, "c", 2, &c, NULL);
	g_assert_true(pxf_hook_registry_seal(reg, NULL));

	pxf_hook_run_boot_select_async(reg, &args, done_cb, &done);
	g_assert_false(done.done);
	g_assert_cmpstr(trace->str, ==, "aP");
	/* a reload while parked: the call keeps the chain it started with */
	pxf_hook_registry_remove_plugin(reg, "c");
	for (guint i = 0; i < 1000 && !done.done; i++)
		g_main_context_iteration(NULL, TRUE);
	g_assert_true(done.done);
	g_assert_cmpuint(done.n_done, ==, 1);
	g_assert_cmpint(done.result.verdict, ==,
			resume_with == PXF_VERDICT_CONTINUE ? PXF_VERDICT_CONTINUE : resume_with);
	g_assert_cmpstr(trace->str, ==, expect_trace);
}

static void
test_hooks_park(void)
{
	park_run(FALSE, PXF_VERDICT_CONTINUE, "aPc");
	park_run(TRUE, PXF_VERDICT_CONTINUE, "aPc");
	park_run(FALSE, PXF_VERDICT_DROP, "aP");
	park_run(TRUE, PXF_VERDICT_SKIP, "aP");
}

static void
test_hooks_park_sync(void)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	g_autoptr(GString) trace = g_string_new(NULL);
	Probe c = {trace, PXF_VERDICT_CONTINUE, "c"};
	Parker parker = {trace, NULL, PXF_VERDICT_CONTINUE, FALSE};
	PxfBootSelectArgs args = {0};
	PxfHookResult result;

	g_assert_true(pxf_hook_registry_add(reg, PXF_HOOK_BOOT_SELECT, "parker", 0,
					    G_CALLBACK(parker_boot_select), &parker, NULL, NULL));
	add_boot(reg, "c", 1, &c, NULL);
	g_assert_true(pxf_hook_registry_seal(reg, NULL));
	g_test_expect_message("pxf-hook", G_LOG_LEVEL_WARNING, "*parker parked boot.select*");
	result = pxf_hook_run_boot_select(reg, &args);
	g_test_assert_expected_messages();
	g_assert_cmpint(result.verdict, ==, PXF_VERDICT_CONTINUE);
	g_assert_cmpstr(trace->str, ==, "Pc");
}

static void
test_hooks_async_empty(void)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	PxfBootSelectArgs args = {0};
	Done done = {0};

	pxf_hook_run_boot_select_async(reg, &args, done_cb, &done);
	g_assert_true(done.done);
	g_assert_cmpint(done.result.verdict, ==, PXF_VERDICT_CONTINUE);
}

static void
test_hooks_context_connect(void)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	g_autoptr(PxfPluginContext) ctx =
		pxf_plugin_context_new(NULL, "unit", 0, NULL, reg, NULL, NULL);
	g_autoptr(GString) trace = g_string_new(NULL);
	Probe a = {trace, PXF_VERDICT_CONTINUE, "a"};
	PxfHostEventArgs args = {.mac = "52:54:00:00:00:01"};
	g_autoptr(GError) error = NULL;

	/* the typed wrapper, as a plugin would call it */
	g_assert_true(pxf_hook_connect_host_event(ctx, probe_host_event, &a, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(pxf_hook_registry_seal(reg, NULL));
	pxf_hook_run_host_event(reg, &args);
	g_assert_cmpstr(trace->str, ==, "a");
	g_assert_cmpstr(pxf_plugin_context_get_name(ctx), ==, "unit");
	g_assert_null(pxf_plugin_context_bind(ctx, G_SOCKET_TYPE_DATAGRAM, NULL, 69, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

static void
test_hooks_out_fields(void)
{
	PxfFileOpenArgs args = {0};
	g_autoptr(GBytes) bytes = g_bytes_new_static("x", 1);

	pxf_file_open_set_local_path(&args, "/srv/a");
	g_assert_cmpstr(args.local_path, ==, "/srv/a");
	pxf_file_open_set_content(&args, bytes);
	g_assert_null(args.local_path);
	g_assert_true(args.content == bytes);
	pxf_file_open_args_clear(&args);
	g_assert_null(args.content);
}

static void
test_hooks_dhcp_options(void)
{
	g_autoptr(PxfDhcpOptions) opts = pxf_dhcp_options_new();
	g_autoptr(GPtrArray) codes = NULL;
	const guint8 router[] = {192, 0, 2, 1};
	const guint8 *data;
	gsize len = 99;

	g_assert_null(pxf_dhcp_options_get(opts, 3, &len));
	g_assert_cmpuint(len, ==, 0);
	pxf_dhcp_options_set_string(opts, 67, "pxelinux.0");
	pxf_dhcp_options_set(opts, 3, router, sizeof(router));
	pxf_dhcp_options_set(opts, 80, NULL, 0);
	pxf_dhcp_options_set_string(opts, 67, "lpxelinux.0"); /* keeps its position */
	data = pxf_dhcp_options_get(opts, 67, &len);
	g_assert_cmpmem(data, len, "lpxelinux.0", 11);
	data = pxf_dhcp_options_get(opts, 80, &len);
	g_assert_nonnull(data);
	g_assert_cmpuint(len, ==, 0);
	g_assert_true(pxf_dhcp_options_remove(opts, 80));
	g_assert_false(pxf_dhcp_options_remove(opts, 80));
	codes = pxf_dhcp_options_get_codes(opts);
	g_assert_cmpuint(codes->len, ==, 2);
	g_assert_cmpuint(GPOINTER_TO_UINT(g_ptr_array_index(codes, 0)), ==, 67);
	g_assert_cmpuint(GPOINTER_TO_UINT(g_ptr_array_index(codes, 1)), ==, 3);
}

static void
test_hooks_names(void)
{
	g_assert_cmpstr(pxf_hook_id_to_string(PXF_HOOK_FILE_OPEN), ==, "file.open");
	g_assert_cmpstr(pxf_hook_id_to_string(PXF_HOOK_HOST_EVENT), ==, "host.event");
	g_assert_null(pxf_hook_id_to_string(PXF_HOOK_LAST));
	for (guint i = 0; i < PXF_HOOK_LAST; i++)
		g_assert_nonnull(pxf_hook_id_to_string(i));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/hooks/empty", test_hooks_empty);
	g_test_add_func("/core/hooks/config-order", test_hooks_config_order);
	g_test_add_func("/core/hooks/rules", test_hooks_rules);
	g_test_add_func("/core/hooks/cycle", test_hooks_cycle);
	g_test_add_func("/core/hooks/skip-drop", test_hooks_skip_drop);
	g_test_add_func("/core/hooks/notify-runs-all", test_hooks_notify_runs_all);
	g_test_add_func("/core/hooks/remove-plugin", test_hooks_remove_plugin);
	g_test_add_func("/core/hooks/park", test_hooks_park);
	g_test_add_func("/core/hooks/park-sync", test_hooks_park_sync);
	g_test_add_func("/core/hooks/async-empty", test_hooks_async_empty);
	g_test_add_func("/core/hooks/context-connect", test_hooks_context_connect);
	g_test_add_func("/core/hooks/out-fields", test_hooks_out_fields);
	g_test_add_func("/core/hooks/dhcp-options", test_hooks_dhcp_options);
	g_test_add_func("/core/hooks/names", test_hooks_names);
	return g_test_run();
}
