/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* The local control socket between `pxeforge` and `pxeforged`: a UNIX stream
 * socket carrying one JSON request per line and one JSON reply per line.
 *
 *   → {"command":"plugins","args":{...}}
 *   ← {"ok":true,"result":<any JSON>}
 *   ← {"ok":false,"error":"message","code":"not-found"}
 *
 * Framing, codes, limits and the peer check: docs/control-protocol.md. */

#define PXF_CONTROL_ERROR pxf_control_error_quark()

/* Each code but NOT_RUNNING, PROTOCOL and TIMED_OUT has a wire name
 * ("not-found", ...) used in the "code" member of error replies. */
typedef enum {
	PXF_CONTROL_ERROR_FAILED,	    /* "failed": anything else, message says */
	PXF_CONTROL_ERROR_NOT_RUNNING,	    /* nobody listens on the socket */
	PXF_CONTROL_ERROR_DENIED,	    /* "denied": peer not allowed */
	PXF_CONTROL_ERROR_BAD_REQUEST,	    /* "bad-request": not a valid request line */
	PXF_CONTROL_ERROR_UNKNOWN_COMMAND,  /* "unknown-command" */
	PXF_CONTROL_ERROR_INVALID_ARGUMENT, /* "invalid-argument": args not as expected */
	PXF_CONTROL_ERROR_NOT_FOUND,	    /* "not-found": e.g. no such host */
	PXF_CONTROL_ERROR_BUSY,		    /* "busy": too many clients, try again */
	PXF_CONTROL_ERROR_IN_USE,	    /* another daemon serves the socket path */
	PXF_CONTROL_ERROR_PROTOCOL,	    /* the reply was not a valid reply line */
	PXF_CONTROL_ERROR_TIMED_OUT,	    /* no reply in time */
} PxfControlError;

GQuark pxf_control_error_quark(void);

/* Wire name of @code; "failed" for codes that never travel. */
const gchar *pxf_control_error_code_to_string(PxfControlError code);
/* PXF_CONTROL_ERROR_FAILED for unknown names, so newer daemons can add some. */
PxfControlError pxf_control_error_code_from_string(const gchar *code);

/* Limits: a request line (without the newline) may have at most
 * PXF_CONTROL_MAX_REQUEST bytes and nest at most PXF_CONTROL_MAX_DEPTH arrays
 * or objects; a connection idle for PXF_CONTROL_IDLE_TIMEOUT seconds is
 * closed; at most PXF_CONTROL_MAX_CLIENTS are served at once. */
#define PXF_CONTROL_MAX_REQUEST	    (64 * 1024)
#define PXF_CONTROL_MAX_DEPTH	    64
#define PXF_CONTROL_IDLE_TIMEOUT    30
#define PXF_CONTROL_MAX_CLIENTS	    32
#define PXF_CONTROL_MAX_REPLY	    (64 * 1024 * 1024)
#define PXF_CONTROL_DEFAULT_TIMEOUT 10

/* Credentials of the connected client, from SO_PEERCRED at connect time. */
typedef struct {
	uid_t uid;
	gid_t gid;
	pid_t pid;
} PxfControlPeer;

/* Handles one request on the main loop. @args is never NULL (an empty object
 * when the request had none). Returns the result (transfer full; a JSON null
 * node is fine, and so is NULL without an error), or NULL with @error set;
 * errors in PXF_CONTROL_ERROR travel with their code, others as "failed".
 * Unknown commands should fail with PXF_CONTROL_ERROR_UNKNOWN_COMMAND. */
typedef JsonNode *(*PxfControlHandler)(const gchar *command,
				       JsonObject *args,
				       const PxfControlPeer *peer,
				       gpointer user_data,
				       GError **error);

typedef struct _PxfControlServer PxfControlServer;

/* Listens on @path, served from the thread-default main context of the
 * caller. Creates the parent directory (mode 0750) when missing; the socket
 * is mode 0600. A leftover socket nobody answers on is replaced; if another
 * process answers on it, fails with PXF_CONTROL_ERROR_IN_USE; anything that is
 * not a socket at @path is left alone and is an error. Only root and the
 * daemon's own uid may talk to it; others get a "denied" reply and are
 * disconnected. */
PxfControlServer *pxf_control_server_new(const gchar *path,
					 PxfControlHandler handler,
					 gpointer user_data,
					 GError **error);
/* Stops listening, drops all clients and unlinks the socket (only if it still
 * is the one this server created). */
void pxf_control_server_free(PxfControlServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfControlServer, pxf_control_server_free)

/* For tests and tuning: idle timeout of connections accepted from now on. */
void pxf_control_server_set_idle_timeout(PxfControlServer *server, guint seconds);
/* Number of connected clients. */
guint pxf_control_server_get_n_clients(PxfControlServer *server);

/* Sends one request and waits for its reply, at most
 * PXF_CONTROL_DEFAULT_TIMEOUT seconds (blocking; for the CLI). @args may be
 * NULL. Returns the "result" (transfer full), or NULL with @error set:
 * NOT_RUNNING when no daemon listens ("is pxeforged running?"), DENIED when
 * the socket or the daemon refuses us, TIMED_OUT, PROTOCOL, or the code and
 * message of the daemon's error reply. */
JsonNode *
pxf_control_call(const gchar *path, const gchar *command, JsonObject *args, GError **error);
/* Same with a timeout in seconds (0: wait forever). */
JsonNode *pxf_control_call_full(
	const gchar *path, const gchar *command, JsonObject *args, guint timeout, GError **error);

G_END_DECLS
