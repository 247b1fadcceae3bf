/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The request deadline: libmicrohttpd's own connection timeout restarts on
 * every byte, so a client trickling a request holds its connection for
 * ever. Every connection is tracked from the moment it is accepted (and
 * again from the end of each request, for the next one on a kept-alive
 * connection) until its whole request is in; a one-second sweep, running
 * only while there are connections, shuts down those past the deadline and
 * libmicrohttpd then closes them as closed by the peer. */
#pragma once

#include <glib.h>
#include <microhttpd.h>

G_BEGIN_DECLS

typedef struct _PxfHttpDeadline PxfHttpDeadline;

/* seconds: 0 tracks nothing. */
PxfHttpDeadline *pxf_http_deadline_new(guint seconds);
/* After every daemon using it is stopped. */
void pxf_http_deadline_free(PxfHttpDeadline *self);

/* MHD_OPTION_NOTIFY_CONNECTION, with the deadline as its closure. */
void pxf_http_deadline_notify_cb(void *cls,
				 struct MHD_Connection *connection,
				 void **socket_context,
				 enum MHD_ConnectionNotificationCode code);
/* The whole request of connection is in: its clock stops. */
void pxf_http_deadline_request_in(struct MHD_Connection *connection);
/* A request of connection is over: the clock runs for the next one. */
void pxf_http_deadline_request_over(struct MHD_Connection *connection);

G_END_DECLS
