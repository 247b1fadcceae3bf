/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXF_PLUGIN_H_INSIDE) && !defined(PXF_COMPILATION)
#error "Only <pxeforge/plugin.h> can be included directly."
#endif

#include <gio/gio.h>

#include "pxf-host.h"
#include "pxf-plugin-desc.h"

/* A callback of the wrong type passed to pxf_hook_connect_<hook>() must not
 * build, on compilers where this is only a warning by default (GCC < 14). */
#pragma GCC diagnostic error "-Wincompatible-pointer-types"

G_BEGIN_DECLS

/* What a callback tells the pipeline. See docs/hooks.md. */
typedef enum {
	PXF_VERDICT_CONTINUE = 0, /* run the next callback, then the core default */
	PXF_VERDICT_SKIP,	  /* handled: no further callbacks, no core default */
	PXF_VERDICT_DROP,	  /* drop the request: no further callbacks, no reply */
	PXF_VERDICT_PARK,	  /* answered later with pxf_hook_call_resume() */
} PxfVerdict;

typedef enum {
	PXF_FIRMWARE_UNKNOWN = 0,
	PXF_FIRMWARE_BIOS,
	PXF_FIRMWARE_UEFI_IA32,
	PXF_FIRMWARE_UEFI_X64,
	PXF_FIRMWARE_UEFI_ARM64,
} PxfFirmware;

typedef enum {
	PXF_BOOT_STAGE_UNKNOWN = 0,
	PXF_BOOT_STAGE_ROM,	  /* the NIC's PXE ROM or the UEFI PXE client */
	PXF_BOOT_STAGE_IPXE,	  /* iPXE, chainloaded or in ROM */
	PXF_BOOT_STAGE_LOADER,	  /* pxelinux, GRUB */
	PXF_BOOT_STAGE_INSTALLER, /* the OS installer (anaconda, d-i, subiquity) */
} PxfBootStage;

const gchar *pxf_firmware_to_string(PxfFirmware firmware);
const gchar *pxf_boot_stage_to_string(PxfBootStage stage);

/* Who is asking; every per-request hook carries one. */
typedef struct {
	const gchar *transport;	     /* "dhcp", "tftp", "http", ... */
	GInetSocketAddress *address; /* the peer; never NULL */
	GInetSocketAddress *local;   /* this server's address the request came in on, or NULL */
	const gchar *mac;	     /* canonical, NULL when the lease table does not know it */
	const PxfHost *host;	     /* inventory host, NULL when unknown */
} PxfClient;

/* client.classify: what is booting. */
typedef struct {
	const PxfClient *client;
	gint arch;		   /* in: DHCP option 93 or -1 */
	const gchar *vendor_class; /* in: option 60 or NULL */
	const gchar *user_class;   /* in: option 77 or NULL */
	gboolean has_ipxe_options; /* in: option 175 present */
	PxfFirmware firmware;	   /* out */
	PxfBootStage stage;	   /* out */
	/* out, since ABI 1.1: a UEFI HTTP boot client (option 93 = 15, 16, 19,
	 * 20 or option 60 "HTTPClient"), which takes only an absolute http://
	 * or https:// URL as its boot file */
	gboolean http_boot;
} PxfClientClassifyArgs;

/* host.lookup: which inventory host this is. */
typedef struct {
	const PxfClient *client;
	const gchar *mac;    /* in: canonical */
	const gchar *uuid;   /* in: option 97 as text, or NULL */
	const PxfHost *host; /* out */
	/* in, since ABI 1.1: option 61 in lower-case hex, or NULL; the core
	 * finds a host by it before the MAC (RFC 2131 4.2) */
	const gchar *client_id;
} PxfHostLookupArgs;

/* boot.select: what the client boots next. Out strings are owned by the args;
 * set them with pxf_set_string(). */
typedef struct {
	const PxfClient *client;
	PxfFirmware firmware; /* in */
	PxfBootStage stage;   /* in */
	gchar *filename;      /* out: DHCP file / option 67, or an URL for iPXE and UEFI HTTP */
	gchar *next_server;   /* out: siaddr / option 66, NULL for this server */
	gchar *selected_by;   /* out: filled in by the core with the plugin name */
	/* in, since ABI 1.1: from client.classify; filename must then be an
	 * absolute http:// or https:// URL (the core clears anything else) */
	gboolean http_boot;
} PxfBootSelectArgs;

/* DHCP options of a reply being built; owned by the dhcp transport. Options
 * keep the order they were first set in, which is their order on the wire. */
typedef struct _PxfDhcpOptions PxfDhcpOptions;

PxfDhcpOptions *pxf_dhcp_options_new(void);
void pxf_dhcp_options_free(PxfDhcpOptions *self);
/* Codes in wire order (element: GUINT_TO_POINTER(code)); free with g_ptr_array_unref(). */
GPtrArray *pxf_dhcp_options_get_codes(PxfDhcpOptions *self);

void pxf_dhcp_options_set(PxfDhcpOptions *self, guint8 code, const guint8 *data, gsize len);
void pxf_dhcp_options_set_string(PxfDhcpOptions *self, guint8 code, const gchar *value);
/* Transfer none; NULL when absent. */
const guint8 *pxf_dhcp_options_get(PxfDhcpOptions *self, guint8 code, gsize *len);
gboolean pxf_dhcp_options_remove(PxfDhcpOptions *self, guint8 code);

/* dhcp.reply: last edits to an OFFER or ACK. */
typedef struct {
	const PxfClient *client;
	guint8 message_type;	 /* in: 2 OFFER, 5 ACK, 6 NAK */
	PxfDhcpOptions *options; /* in/out */
	PxfBootStage stage;	 /* in: the client's, as client.classify decided */
} PxfDhcpReplyArgs;

/* file.open: a transport asks for a file by the client's path. */
typedef struct {
	const PxfClient *client;
	const gchar *path; /* in: normalised, relative, never contains ".." */
	GBytes *content;   /* out: rendered content (owned by the args) */
	gchar *local_path; /* out: or a file to stream from (owned by the args) */
} PxfFileOpenArgs;

void pxf_file_open_set_content(PxfFileOpenArgs *args, GBytes *content);
void pxf_file_open_set_local_path(PxfFileOpenArgs *args, const gchar *path);

/* profile.render: the OS profile plugin renders a host's answer file. */
typedef struct {
	const PxfClient *client; /* NULL when rendered offline by the CLI */
	const PxfHost *host;	 /* in */
	const gchar *os;	 /* in: the profile's OS plugin name ("kickstart") */
	const gchar *template;	 /* in: template file path */
	PxfVars *vars;		 /* in: resolved variables */
	GString *output;	 /* out: appended to */
	gchar *content_type;	 /* out: NULL means text/plain */
} PxfProfileRenderArgs;

/* template.vars: add or override variables before a render. */
typedef struct {
	const PxfClient *client; /* NULL when rendered offline by the CLI */
	const PxfHost *host;	 /* in, may be NULL for unknown hosts */
	PxfVars *vars;		 /* in/out */
} PxfTemplateVarsArgs;

typedef enum {
	PXF_HOST_EVENT_STATE_CHANGED = 0,
	PXF_HOST_EVENT_DISCOVERED,
	PXF_HOST_EVENT_OFFERED,
	PXF_HOST_EVENT_ACKED,
	PXF_HOST_EVENT_FILE_SERVED,
	PXF_HOST_EVENT_INSTALLER_STARTED,
	PXF_HOST_EVENT_DONE,
	PXF_HOST_EVENT_FAILED,
} PxfHostEventType;

const gchar *pxf_host_event_type_to_string(PxfHostEventType type);

/* host.event: a notification; every callback runs, verdicts are ignored. */
typedef struct {
	const PxfClient *client; /* NULL when not caused by a request */
	const gchar *mac;	 /* canonical */
	PxfHostEventType type;
	PxfHostState old_state; /* for STATE_CHANGED */
	PxfHostState new_state; /* for STATE_CHANGED */
	const gchar *detail;	/* file path, reason, or NULL */
	guint64 bytes;		/* for FILE_SERVED */
	gint64 timestamp;	/* g_get_real_time() */
} PxfHostEventArgs;

/* Replace *dst with a copy of value (NULL clears). */
void pxf_set_string(gchar **dst, const gchar *value);

/* ---- connecting callbacks ------------------------------------------------
 *
 * One callback type per hook point; the pxf_hook_connect_<hook>() inline
 * functions below only accept that type, so a callback with the wrong
 * signature is a compile error rather than a crash at boot time.
 */

typedef enum {
	PXF_HOOK_CLIENT_CLASSIFY = 0,
	PXF_HOOK_HOST_LOOKUP,
	PXF_HOOK_BOOT_SELECT,
	PXF_HOOK_DHCP_REPLY,
	PXF_HOOK_FILE_OPEN,
	PXF_HOOK_PROFILE_RENDER,
	PXF_HOOK_TEMPLATE_VARS,
	PXF_HOOK_HOST_EVENT,
	PXF_HOOK_LAST,
} PxfHookId;

const gchar *pxf_hook_id_to_string(PxfHookId id);

/* Ordering rules: this callback runs before/after the named plugins' callbacks
 * of the same hook. Ties follow configuration order. */
typedef struct {
	const gchar *const *before;
	const gchar *const *after;
} PxfHookRules;

#define PXF_HOOK_BEFORE(...)                                                                       \
	(&(const PxfHookRules){.before = (const gchar *const[]){__VA_ARGS__, NULL}})
#define PXF_HOOK_AFTER(...)                                                                        \
	(&(const PxfHookRules){.after = (const gchar *const[]){__VA_ARGS__, NULL}})

/* An in-flight parked call; see pxf_hook_call_resume(). */
typedef struct _PxfHookCall PxfHookCall;

/* Valid only inside a callback: the call it belongs to, to keep for PARK. */
PxfHookCall *pxf_hook_call_get_current(void);
/* Continue a parked call on the main thread with the callback's real verdict. */
void pxf_hook_call_resume(PxfHookCall *call, PxfVerdict verdict);

/* Not for direct use: the typed wrappers below call it. */
gboolean pxf_hook_connect_internal(PxfPluginContext *ctx,
				   PxfHookId id,
				   GCallback callback,
				   gpointer user_data,
				   const PxfHookRules *rules,
				   GError **error);

#define PXF_DEFINE_HOOK(lower, Args, ID)                                                           \
	typedef PxfVerdict (*Args##Func)(Args * args, gpointer user_data);                         \
	static inline gboolean pxf_hook_connect_##lower(PxfPluginContext *ctx,                     \
							Args##Func callback, gpointer user_data,   \
							const PxfHookRules *rules, GError **error) \
	{                                                                                          \
		return pxf_hook_connect_internal(ctx, ID, (GCallback)callback, user_data, rules,   \
						 error);                                           \
	}

PXF_DEFINE_HOOK(client_classify, PxfClientClassifyArgs, PXF_HOOK_CLIENT_CLASSIFY)
PXF_DEFINE_HOOK(host_lookup, PxfHostLookupArgs, PXF_HOOK_HOST_LOOKUP)
PXF_DEFINE_HOOK(boot_select, PxfBootSelectArgs, PXF_HOOK_BOOT_SELECT)
PXF_DEFINE_HOOK(dhcp_reply, PxfDhcpReplyArgs, PXF_HOOK_DHCP_REPLY)
PXF_DEFINE_HOOK(file_open, PxfFileOpenArgs, PXF_HOOK_FILE_OPEN)
PXF_DEFINE_HOOK(profile_render, PxfProfileRenderArgs, PXF_HOOK_PROFILE_RENDER)
PXF_DEFINE_HOOK(template_vars, PxfTemplateVarsArgs, PXF_HOOK_TEMPLATE_VARS)
PXF_DEFINE_HOOK(host_event, PxfHostEventArgs, PXF_HOOK_HOST_EVENT)

G_END_DECLS
