/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hook dispatch cost with 0, 1 and 5 callbacks, side by side with the
 * mechanism a GLib program would otherwise use: a GObject signal emission
 * with the same number of handlers. Prints ns per dispatch and the ratio. */
#include "config.h"

#include <glib-object.h>
#include <stdio.h>

#include "pxf-hook.h"

static PxfVerdict
bench_cb(PxfHostEventArgs *args, gpointer user_data)
{
	(*(guint64 *)user_data)++;
	return PXF_VERDICT_CONTINUE;
}

static void
bench_signal_cb(GObject *obj, gpointer args, gpointer user_data)
{
	(*(guint64 *)user_data)++;
}

typedef struct {
	GObject parent;
} BenchObj;
typedef struct {
	GObjectClass parent_class;
} BenchObjClass;
static GType bench_obj_get_type(void);
G_DEFINE_TYPE(BenchObj, bench_obj, G_TYPE_OBJECT)
static guint bench_signal;
static void
bench_obj_class_init(BenchObjClass *klass)
{
	bench_signal = g_signal_new("host-event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
				    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}
static void
bench_obj_init(BenchObj *self)
{
}

static gdouble
bench_hooks(guint n_callbacks, guint64 iterations, guint64 *counter)
{
	g_autoptr(PxfHookRegistry) reg = pxf_hook_registry_new();
	PxfHostEventArgs args = {.mac = "52:54:00:00:00:01"};
	gint64 start;

	for (guint i = 0; i < n_callbacks; i++) {
		g_autofree gchar *name = g_strdup_printf("p%u", i);
		pxf_hook_registry_add(reg, PXF_HOOK_HOST_EVENT, name, i, G_CALLBACK(bench_cb),
				      counter, NULL, NULL);
	}
	pxf_hook_registry_seal(reg, NULL);
	start = g_get_monotonic_time();
	for (guint64 i = 0; i < iterations; i++)
		pxf_hook_run_host_event(reg, &args);
	return (gdouble)(g_get_monotonic_time() - start) * 1000.0 / (gdouble)iterations;
}

static gdouble
bench_signals(guint n_handlers, guint64 iterations, guint64 *counter)
{
	g_autoptr(GObject) obj = g_object_new(bench_obj_get_type(), NULL);
	PxfHostEventArgs args = {.mac = "52:54:00:00:00:01"};
	gint64 start;

	for (guint i = 0; i < n_handlers; i++)
		g_signal_connect(obj, "host-event", G_CALLBACK(bench_signal_cb), counter);
	start = g_get_monotonic_time();
	for (guint64 i = 0; i < iterations; i++)
		g_signal_emit(obj, bench_signal, 0, &args);
	return (gdouble)(g_get_monotonic_time() - start) * 1000.0 / (gdouble)iterations;
}

int
main(int argc, char **argv)
{
	guint64 iterations = argc > 1 ? g_ascii_strtoull(argv[1], NULL, 10) : 2000000;
	const guint sizes[] = {0, 1, 5};
	guint64 counter = 0;

	printf("%-10s %14s %14s %8s\n", "callbacks", "pxf hook ns", "GSignal ns", "ratio");
	for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
		gdouble best_h = G_MAXDOUBLE, best_s = G_MAXDOUBLE;
		/* best of five runs: the least disturbed by the other core's work */
		for (guint r = 0; r < 5; r++) {
			gdouble ns;
			counter = 0;
			ns = bench_hooks(sizes[i], iterations, &counter);
			best_h = MIN(best_h, ns);
			g_assert_cmpuint(counter, ==, sizes[i] * iterations);
			counter = 0;
			ns = bench_signals(sizes[i], iterations, &counter);
			best_s = MIN(best_s, ns);
			/* the callbacks really ran, on both sides */
			g_assert_cmpuint(counter, ==, sizes[i] * iterations);
		}
		printf("%-10u %14.2f %14.2f %8.3f\n", sizes[i], best_h, best_s, best_h / best_s);
	}
	return 0;
}
