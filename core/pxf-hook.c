/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-hook"

#include "config.h"

#include "pxf-hook.h"

#include <string.h>

G_DEFINE_QUARK(pxf_hook_error_quark, pxf_hook_error)

/* Each hook's callbacks are called through their own type: one invoker per
 * hook casts the stored GCallback back to the exact type it was connected
 * with (calling through another function type would be undefined). */
#define PXF_HOOK_INVOKER(lower, Args)                                                              \
	static PxfVerdict pxf_hook_invoke_##lower(GCallback cb, gpointer args, gpointer ud)        \
	{                                                                                          \
		return ((Args##Func)cb)((Args *)args, ud);                                         \
	}
PXF_HOOK_INVOKER(client_classify, PxfClientClassifyArgs)
PXF_HOOK_INVOKER(host_lookup, PxfHostLookupArgs)
PXF_HOOK_INVOKER(boot_select, PxfBootSelectArgs)
PXF_HOOK_INVOKER(dhcp_reply, PxfDhcpReplyArgs)
PXF_HOOK_INVOKER(file_open, PxfFileOpenArgs)
PXF_HOOK_INVOKER(profile_render, PxfProfileRenderArgs)
PXF_HOOK_INVOKER(template_vars, PxfTemplateVarsArgs)
PXF_HOOK_INVOKER(host_event, PxfHostEventArgs)

typedef PxfVerdict (*PxfHookInvoker)(GCallback cb, gpointer args, gpointer ud);

static const struct {
	const gchar *name;
	PxfHookInvoker invoke;
	gboolean notify_only; /* every callback runs, verdicts are ignored */
} pxf_hook_points[PXF_HOOK_LAST] = {
	[PXF_HOOK_CLIENT_CLASSIFY] = {"client.classify", pxf_hook_invoke_client_classify, FALSE},
	[PXF_HOOK_HOST_LOOKUP] = {"host.lookup", pxf_hook_invoke_host_lookup, FALSE},
	[PXF_HOOK_BOOT_SELECT] = {"boot.select", pxf_hook_invoke_boot_select, FALSE},
	[PXF_HOOK_DHCP_REPLY] = {"dhcp.reply", pxf_hook_invoke_dhcp_reply, FALSE},
	[PXF_HOOK_FILE_OPEN] = {"file.open", pxf_hook_invoke_file_open, FALSE},
	[PXF_HOOK_PROFILE_RENDER] = {"profile.render", pxf_hook_invoke_profile_render, FALSE},
	[PXF_HOOK_TEMPLATE_VARS] = {"template.vars", pxf_hook_invoke_template_vars, FALSE},
	[PXF_HOOK_HOST_EVENT] = {"host.event", pxf_hook_invoke_host_event, TRUE},
};

const gchar *
pxf_hook_id_to_string(PxfHookId id)
{
	if ((guint)id >= PXF_HOOK_LAST)
		return NULL;
	return pxf_hook_points[id].name;
}

static PxfHookChain *
pxf_hook_chain_ref(PxfHookChain *chain)
{
	if (chain != NULL)
		g_atomic_int_inc(&chain->ref_count);
	return chain;
}

static void
pxf_hook_chain_unref(PxfHookChain *chain)
{
	if (chain != NULL && g_atomic_int_dec_and_test(&chain->ref_count))
		g_free(chain);
}

static void
pxf_hook_entry_free(PxfHookEntry *entry)
{
	g_free((gpointer)entry->before);
	g_free((gpointer)entry->after);
	g_free(entry);
}

PxfHookRegistry *
pxf_hook_registry_new(void)
{
	PxfHookRegistry *self = g_new0(PxfHookRegistry, 1);
	self->entries = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_hook_entry_free);
	return self;
}

void
pxf_hook_registry_free(PxfHookRegistry *self)
{
	if (self == NULL)
		return;
	for (guint i = 0; i < PXF_HOOK_LAST; i++)
		pxf_hook_chain_unref(self->chains[i]);
	g_ptr_array_unref(self->entries);
	g_free(self);
}

static const gchar *const *
pxf_hook_intern_strv(const gchar *const *strv)
{
	const gchar **out;
	guint n;

	if (strv == NULL || strv[0] == NULL)
		return NULL;
	n = g_strv_length((gchar **)strv);
	out = g_new0(const gchar *, n + 1);
	for (guint i = 0; i < n; i++)
		out[i] = g_intern_string(strv[i]);
	return out;
}

gboolean
pxf_hook_registry_add(PxfHookRegistry *self,
		      PxfHookId id,
		      const gchar *plugin,
		      guint plugin_order,
		      GCallback callback,
		      gpointer user_data,
		      const PxfHookRules *rules,
		      GError **error)
{
	PxfHookEntry *entry;

	if ((guint)id >= PXF_HOOK_LAST) {
		g_set_error(error, PXF_HOOK_ERROR, PXF_HOOK_ERROR_INVALID,
			    "plugin %s connected to unknown hook point %d", plugin, (gint)id);
		return FALSE;
	}
	if (callback == NULL) {
		g_set_error(error, PXF_HOOK_ERROR, PXF_HOOK_ERROR_INVALID,
			    "plugin %s connected a NULL callback to %s", plugin,
			    pxf_hook_points[id].name);
		return FALSE;
	}
	entry = g_new0(PxfHookEntry, 1);
	entry->id = id;
	entry->plugin = g_intern_string(plugin);
	entry->plugin_order = plugin_order;
	entry->seq = self->next_seq++;
	entry->callback = callback;
	entry->user_data = user_data;
	if (rules != NULL) {
		entry->before = pxf_hook_intern_strv(rules->before);
		entry->after = pxf_hook_intern_strv(rules->after);
	}
	g_ptr_array_add(self->entries, entry);
	return TRUE;
}

static gboolean
pxf_hook_strv_has(const gchar *const *strv, const gchar *interned)
{
	for (guint i = 0; strv != NULL && strv[i] != NULL; i++) {
		if (strv[i] == interned)
			return TRUE;
	}
	return FALSE;
}

/* a must run before b */
static gboolean
pxf_hook_entry_precedes(const PxfHookEntry *a, const PxfHookEntry *b)
{
	if (a->plugin == b->plugin)
		return a->seq < b->seq;
	return pxf_hook_strv_has(a->before, b->plugin) || pxf_hook_strv_has(b->after, a->plugin);
}

static gboolean
pxf_hook_tie_less(const PxfHookEntry *a, const PxfHookEntry *b)
{
	if (a->plugin_order != b->plugin_order)
		return a->plugin_order < b->plugin_order;
	return a->seq < b->seq;
}

/* Kahn's algorithm over the declared rules, choosing the earliest in
 * configuration order among the ready entries; chains are short (a handful
 * of plugins), so the quadratic scan is the simple and right choice. */
static PxfHookChain *
pxf_hook_order(PxfHookId id, GPtrArray *entries, GError **error)
{
	guint n = entries->len;
	g_autofree guint *indegree = g_new0(guint, MAX(n, 1));
	g_autofree gboolean *done = g_new0(gboolean, MAX(n, 1));
	PxfHookChain *chain = g_malloc0(sizeof(PxfHookChain) + n * sizeof(PxfHookEntry));

	chain->ref_count = 1;
	for (guint i = 0; i < n; i++) {
		for (guint j = 0; j < n; j++) {
			if (i != j && pxf_hook_entry_precedes(g_ptr_array_index(entries, j),
							      g_ptr_array_index(entries, i)))
				indegree[i]++;
		}
	}
	for (guint k = 0; k < n; k++) {
		gint best = -1;
		const PxfHookEntry *pick;
		for (guint i = 0; i < n; i++) {
			if (done[i] || indegree[i] > 0)
				continue;
			if (best < 0 || pxf_hook_tie_less(g_ptr_array_index(entries, i),
							  g_ptr_array_index(entries, best)))
				best = (gint)i;
		}
		if (best < 0) {
			g_autoptr(GString) names = g_string_new(NULL);
			for (guint i = 0; i < n; i++) {
				const PxfHookEntry *e = g_ptr_array_index(entries, i);
				if (done[i] || strstr(names->str, e->plugin) != NULL)
					continue;
				g_string_append_printf(names, "%s%s", names->len ? ", " : "",
						       e->plugin);
			}
			g_set_error(error, PXF_HOOK_ERROR, PXF_HOOK_ERROR_CYCLE,
				    "the before/after rules of plugins %s on hook %s contradict "
				    "each other",
				    names->str, pxf_hook_points[id].name);
			g_free(chain);
			return NULL;
		}
		done[best] = TRUE;
		pick = g_ptr_array_index(entries, best);
		chain->entries[k] = *pick;
		/* dispatch never reads the rules; the registry's entry owns them */
		chain->entries[k].before = NULL;
		chain->entries[k].after = NULL;
		for (guint i = 0; i < n; i++) {
			if (!done[i] &&
			    pxf_hook_entry_precedes(pick, g_ptr_array_index(entries, i)))
				indegree[i]--;
		}
	}
	chain->n_entries = n;
	return chain;
}

gboolean
pxf_hook_registry_seal(PxfHookRegistry *self, GError **error)
{
	PxfHookChain *chains[PXF_HOOK_LAST] = {NULL};

	for (guint id = 0; id < PXF_HOOK_LAST; id++) {
		g_autoptr(GPtrArray) entries = g_ptr_array_new();
		for (guint i = 0; i < self->entries->len; i++) {
			PxfHookEntry *entry = g_ptr_array_index(self->entries, i);
			if (entry->id == id)
				g_ptr_array_add(entries, entry);
		}
		if (entries->len == 0)
			continue;
		chains[id] = pxf_hook_order(id, entries, error);
		if (chains[id] == NULL) {
			for (guint j = 0; j < id; j++)
				pxf_hook_chain_unref(chains[j]);
			return FALSE;
		}
	}
	for (guint id = 0; id < PXF_HOOK_LAST; id++) {
		pxf_hook_chain_unref(self->chains[id]);
		self->chains[id] = chains[id];
	}
	return TRUE;
}

void
pxf_hook_registry_remove_plugin(PxfHookRegistry *self, const gchar *plugin)
{
	const gchar *name = g_intern_string(plugin);
	g_autoptr(GError) error = NULL;

	for (guint i = self->entries->len; i > 0; i--) {
		PxfHookEntry *entry = g_ptr_array_index(self->entries, i - 1);
		if (entry->plugin == name)
			g_ptr_array_remove_index(self->entries, i - 1);
	}
	if (!pxf_hook_registry_seal(self, &error))
		g_critical("re-sealing hooks without %s: %s", plugin, error->message);
}

GPtrArray *
pxf_hook_registry_get_plugins(PxfHookRegistry *self, PxfHookId id)
{
	GPtrArray *plugins = g_ptr_array_new();
	PxfHookChain *chain;

	g_return_val_if_fail((guint)id < PXF_HOOK_LAST, plugins);
	chain = self->chains[id];
	for (guint i = 0; chain != NULL && i < chain->n_entries; i++)
		g_ptr_array_add(plugins, (gpointer)chain->entries[i].plugin);
	return plugins;
}

/* ---- dispatch ------------------------------------------------------------ */

struct _PxfHookCall {
	PxfHookId id;
	PxfHookChain *chain;
	guint next; /* index of the next callback to run */
	gpointer args;
	PxfHookDoneFunc done;
	gpointer user_data;
	gboolean parked;
	GMainContext *context;
};

/* The plugin whose callback is running on this thread. */
static __thread const gchar *pxf_hook_current_plugin = NULL;

const gchar *
pxf_hook_get_current_plugin(void)
{
	return pxf_hook_current_plugin;
}

/* The call whose callback is running on this thread, for PARK. */
static __thread PxfHookCall *pxf_hook_current_call = NULL;

PxfHookCall *
pxf_hook_call_get_current(void)
{
	return pxf_hook_current_call;
}

/* Runs callbacks from call->next on; returns TRUE when the chain finished
 * (result filled in), FALSE when a callback parked it. */
static gboolean
pxf_hook_call_step(PxfHookCall *call, PxfHookCall *current, PxfHookResult *result)
{
	PxfHookChain *chain = call->chain;
	gboolean notify_only = pxf_hook_points[call->id].notify_only;
	PxfHookInvoker invoke = pxf_hook_points[call->id].invoke;

	while (call->next < chain->n_entries) {
		const PxfHookEntry *entry = &chain->entries[call->next++];
		PxfHookCall *saved = pxf_hook_current_call;
		PxfVerdict verdict;

		const gchar *saved_plugin = pxf_hook_current_plugin;

		pxf_hook_current_call = current;
		pxf_hook_current_plugin = entry->plugin;
		verdict = invoke(entry->callback, call->args, entry->user_data);
		pxf_hook_current_call = saved;
		pxf_hook_current_plugin = saved_plugin;

		if (notify_only || verdict == PXF_VERDICT_CONTINUE)
			continue;
		if (verdict == PXF_VERDICT_PARK) {
			if (current != NULL) {
				call->parked = TRUE;
				return FALSE;
			}
			g_warning("plugin %s parked %s, which cannot be parked here; continuing",
				  entry->plugin, pxf_hook_points[call->id].name);
			continue;
		}
		if (verdict != PXF_VERDICT_SKIP && verdict != PXF_VERDICT_DROP) {
			g_warning("plugin %s returned unknown verdict %d from %s; dropping",
				  entry->plugin, (gint)verdict, pxf_hook_points[call->id].name);
			verdict = PXF_VERDICT_DROP;
		}
		result->verdict = verdict;
		result->decided_by = entry->plugin;
		return TRUE;
	}
	result->verdict = PXF_VERDICT_CONTINUE;
	result->decided_by = NULL;
	return TRUE;
}

PxfHookResult
pxf_hook_dispatch(PxfHookRegistry *self, PxfHookId id, gpointer args)
{
	PxfHookResult result = {PXF_VERDICT_CONTINUE, NULL};
	PxfHookCall call = {0};

	if (G_LIKELY(self->chains[id] == NULL))
		return result;
	call.id = id;
	call.chain = self->chains[id];
	call.args = args;
	pxf_hook_call_step(&call, NULL, &result);
	return result;
}

static void
pxf_hook_call_free(PxfHookCall *call)
{
	pxf_hook_chain_unref(call->chain);
	g_main_context_unref(call->context);
	g_free(call);
}

static void
pxf_hook_call_run(PxfHookCall *call)
{
	PxfHookResult result = {PXF_VERDICT_CONTINUE, NULL};

	if (!pxf_hook_call_step(call, call, &result))
		return; /* parked: pxf_hook_call_resume() continues */
	call->done(result, call->args, call->user_data);
	pxf_hook_call_free(call);
}

void
pxf_hook_dispatch_async(PxfHookRegistry *self,
			PxfHookId id,
			gpointer args,
			PxfHookDoneFunc done,
			gpointer user_data)
{
	PxfHookCall *call;

	g_return_if_fail((guint)id < PXF_HOOK_LAST);
	g_return_if_fail(done != NULL);

	if (self->chains[id] == NULL) {
		PxfHookResult result = {PXF_VERDICT_CONTINUE, NULL};
		done(result, args, user_data);
		return;
	}
	call = g_new0(PxfHookCall, 1);
	call->id = id;
	call->chain = pxf_hook_chain_ref(self->chains[id]);
	call->args = args;
	call->done = done;
	call->user_data = user_data;
	call->context = g_main_context_ref_thread_default();
	pxf_hook_call_run(call);
}

typedef struct {
	PxfHookCall *call;
	PxfVerdict verdict;
} PxfHookResume;

static gboolean
pxf_hook_resume_cb(gpointer data)
{
	PxfHookResume *resume = data;
	PxfHookCall *call = resume->call;
	PxfHookResult result;

	call->parked = FALSE;
	if (resume->verdict == PXF_VERDICT_SKIP || resume->verdict == PXF_VERDICT_DROP) {
		result.verdict = resume->verdict;
		result.decided_by = call->chain->entries[call->next - 1].plugin;
		call->done(result, call->args, call->user_data);
		pxf_hook_call_free(call);
	} else {
		/* CONTINUE, or a nonsensical PARK again: carry on with the chain */
		pxf_hook_call_run(call);
	}
	return G_SOURCE_REMOVE;
}

void
pxf_hook_call_resume(PxfHookCall *call, PxfVerdict verdict)
{
	PxfHookResume *resume;

	g_return_if_fail(call != NULL);
	g_return_if_fail(call->parked);

	/* always continue from the main loop, never inside the plugin's frame,
	 * and from whichever thread the plugin finished its work on */
	resume = g_new0(PxfHookResume, 1);
	resume->call = call;
	resume->verdict = verdict;
	g_main_context_invoke_full(call->context, G_PRIORITY_DEFAULT, pxf_hook_resume_cb, resume,
				   g_free);
}

/* ---- out-field helpers --------------------------------------------------- */

void
pxf_set_string(gchar **dst, const gchar *value)
{
	gchar *copy;

	g_return_if_fail(dst != NULL);
	if (*dst == value)
		return;
	copy = g_strdup(value);
	g_free(*dst);
	*dst = copy;
}

void
pxf_file_open_set_content(PxfFileOpenArgs *args, GBytes *content)
{
	g_return_if_fail(args != NULL);
	g_clear_pointer(&args->content, g_bytes_unref);
	g_clear_pointer(&args->local_path, g_free);
	args->content = content != NULL ? g_bytes_ref(content) : NULL;
}

void
pxf_file_open_set_local_path(PxfFileOpenArgs *args, const gchar *path)
{
	g_return_if_fail(args != NULL);
	g_clear_pointer(&args->content, g_bytes_unref);
	pxf_set_string(&args->local_path, path);
}

void
pxf_boot_select_args_clear(PxfBootSelectArgs *args)
{
	g_clear_pointer(&args->filename, g_free);
	g_clear_pointer(&args->next_server, g_free);
	g_clear_pointer(&args->selected_by, g_free);
}

void
pxf_file_open_args_clear(PxfFileOpenArgs *args)
{
	g_clear_pointer(&args->content, g_bytes_unref);
	g_clear_pointer(&args->local_path, g_free);
}

void
pxf_profile_render_args_clear(PxfProfileRenderArgs *args)
{
	g_clear_pointer(&args->content_type, g_free);
}
