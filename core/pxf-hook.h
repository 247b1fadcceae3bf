/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxeforge/pxf-hooks.h>

G_BEGIN_DECLS

#define PXF_HOOK_ERROR pxf_hook_error_quark()
GQuark pxf_hook_error_quark(void);

typedef enum {
	PXF_HOOK_ERROR_FAILED,
	PXF_HOOK_ERROR_INVALID, /* bad hook id, NULL callback, connect outside init */
	PXF_HOOK_ERROR_CYCLE,	/* before/after rules that contradict each other */
} PxfHookError;

/* Callbacks of every hook point, in dispatch order once sealed. Used from the
 * main thread only. */
typedef struct _PxfHookRegistry PxfHookRegistry;

typedef struct {
	PxfHookId id;
	const gchar *plugin; /* interned */
	guint plugin_order;  /* configuration order of the plugin, the tie-break */
	guint seq;	     /* connect order within the registry */
	GCallback callback;
	gpointer user_data;
	const gchar *const *before; /* interned, NULL-terminated, or NULL */
	const gchar *const *after;
} PxfHookEntry;

/* A sealed chain: immutable, reference counted so a parked call keeps the
 * chain it started with across a reload. */
typedef struct {
	gint ref_count;
	guint n_entries;
	PxfHookEntry entries[];
} PxfHookChain;

struct _PxfHookRegistry {
	PxfHookChain *chains[PXF_HOOK_LAST]; /* NULL while a hook has no callbacks */
	GPtrArray *entries;		     /* PxfHookEntry*: every connected callback */
	guint next_seq;
};

PxfHookRegistry *pxf_hook_registry_new(void);
void pxf_hook_registry_free(PxfHookRegistry *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfHookRegistry, pxf_hook_registry_free)

gboolean pxf_hook_registry_add(PxfHookRegistry *self,
			       PxfHookId id,
			       const gchar *plugin,
			       guint plugin_order,
			       GCallback callback,
			       gpointer user_data,
			       const PxfHookRules *rules,
			       GError **error);
/* Drops every callback of a plugin (it is being stopped or re-initialised)
 * and re-seals: removing callbacks cannot create a cycle. */
void pxf_hook_registry_remove_plugin(PxfHookRegistry *self, const gchar *plugin);
/* Orders every chain by the before/after rules, then plugin_order, then seq.
 * On a cycle nothing changes and the error names the plugins involved. */
gboolean pxf_hook_registry_seal(PxfHookRegistry *self, GError **error);
/* The plugins connected to a hook, in dispatch order (element: interned names). */
GPtrArray *pxf_hook_registry_get_plugins(PxfHookRegistry *self, PxfHookId id);

/* The verdict of a finished dispatch, and which plugin decided it. */
typedef struct {
	PxfVerdict verdict;
	const gchar *decided_by; /* the plugin that returned SKIP or DROP, else NULL */
} PxfHookResult;

/* Runs a hook synchronously. A callback may not PARK here (it gets NULL from
 * pxf_hook_call_get_current()); if it does, that is logged and treated as
 * CONTINUE. The no-callback case is a load and a compare. */
PxfHookResult pxf_hook_dispatch(PxfHookRegistry *self, PxfHookId id, gpointer args);

typedef void (*PxfHookDoneFunc)(PxfHookResult result, gpointer args, gpointer user_data);

/* Runs a hook that may be parked: done is called exactly once, possibly
 * before this returns, on the thread-default main context. args must stay
 * valid until then. */
void pxf_hook_dispatch_async(PxfHookRegistry *self,
			     PxfHookId id,
			     gpointer args,
			     PxfHookDoneFunc done,
			     gpointer user_data);

/* Typed front doors for the core's transports, so the core side is checked
 * by the compiler too. */
#define PXF_DEFINE_HOOK_DISPATCH(lower, Args, ID)                                                  \
	static inline PxfHookResult pxf_hook_run_##lower(PxfHookRegistry *reg, Args *args)         \
	{                                                                                          \
		return pxf_hook_dispatch(reg, ID, args);                                           \
	}                                                                                          \
	static inline void pxf_hook_run_##lower##_async(PxfHookRegistry *reg, Args *args,          \
							PxfHookDoneFunc done, gpointer user_data)  \
	{                                                                                          \
		pxf_hook_dispatch_async(reg, ID, args, done, user_data);                           \
	}

PXF_DEFINE_HOOK_DISPATCH(client_classify, PxfClientClassifyArgs, PXF_HOOK_CLIENT_CLASSIFY)
PXF_DEFINE_HOOK_DISPATCH(host_lookup, PxfHostLookupArgs, PXF_HOOK_HOST_LOOKUP)
PXF_DEFINE_HOOK_DISPATCH(boot_select, PxfBootSelectArgs, PXF_HOOK_BOOT_SELECT)
PXF_DEFINE_HOOK_DISPATCH(dhcp_reply, PxfDhcpReplyArgs, PXF_HOOK_DHCP_REPLY)
PXF_DEFINE_HOOK_DISPATCH(file_open, PxfFileOpenArgs, PXF_HOOK_FILE_OPEN)
PXF_DEFINE_HOOK_DISPATCH(profile_render, PxfProfileRenderArgs, PXF_HOOK_PROFILE_RENDER)
PXF_DEFINE_HOOK_DISPATCH(template_vars, PxfTemplateVarsArgs, PXF_HOOK_TEMPLATE_VARS)
PXF_DEFINE_HOOK_DISPATCH(host_event, PxfHostEventArgs, PXF_HOOK_HOST_EVENT)

/* The plugin whose callback is running on this thread, or NULL. */
const gchar *pxf_hook_get_current_plugin(void);

/* Frees the out-fields of hook args filled by callbacks. */
void pxf_boot_select_args_clear(PxfBootSelectArgs *args);
void pxf_file_open_args_clear(PxfFileOpenArgs *args);
void pxf_profile_render_args_clear(PxfProfileRenderArgs *args);

G_END_DECLS
