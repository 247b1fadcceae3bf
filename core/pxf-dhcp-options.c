/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-dhcp-options"

#include "config.h"

#include "pxf-dhcp-options.h"

#include <string.h>

struct _PxfDhcpOptions {
	GBytes *values[256];
	GArray *order; /* guint8 codes */
};

PxfDhcpOptions *
pxf_dhcp_options_new(void)
{
	PxfDhcpOptions *self = g_new0(PxfDhcpOptions, 1);
	self->order = g_array_new(FALSE, FALSE, sizeof(guint8));
	return self;
}

void
pxf_dhcp_options_free(PxfDhcpOptions *self)
{
	if (self == NULL)
		return;
	for (guint i = 0; i < G_N_ELEMENTS(self->values); i++)
		g_clear_pointer(&self->values[i], g_bytes_unref);
	g_array_unref(self->order);
	g_free(self);
}

void
pxf_dhcp_options_set(PxfDhcpOptions *self, guint8 code, const guint8 *data, gsize len)
{
	g_return_if_fail(self != NULL);
	/* 0 (pad) and 255 (end) are framing, not options */
	g_return_if_fail(code != 0 && code != 255);
	g_return_if_fail(data != NULL || len == 0);

	if (self->values[code] == NULL)
		g_array_append_val(self->order, code);
	else
		g_bytes_unref(self->values[code]);
	self->values[code] = g_bytes_new(data, len);
}

void
pxf_dhcp_options_set_string(PxfDhcpOptions *self, guint8 code, const gchar *value)
{
	g_return_if_fail(value != NULL);
	pxf_dhcp_options_set(self, code, (const guint8 *)value, strlen(value));
}

const guint8 *
pxf_dhcp_options_get(PxfDhcpOptions *self, guint8 code, gsize *len)
{
	gsize size = 0;
	const guint8 *data = NULL;

	g_return_val_if_fail(self != NULL, NULL);
	if (self->values[code] != NULL) {
		data = g_bytes_get_data(self->values[code], &size);
		/* a zero-length option is present: never hand out NULL for it */
		if (data == NULL)
			data = (const guint8 *)"";
	}
	if (len != NULL)
		*len = size;
	return data;
}

gboolean
pxf_dhcp_options_remove(PxfDhcpOptions *self, guint8 code)
{
	g_return_val_if_fail(self != NULL, FALSE);
	if (self->values[code] == NULL)
		return FALSE;
	g_clear_pointer(&self->values[code], g_bytes_unref);
	for (guint i = 0; i < self->order->len; i++) {
		if (g_array_index(self->order, guint8, i) == code) {
			g_array_remove_index(self->order, i);
			break;
		}
	}
	return TRUE;
}

GPtrArray *
pxf_dhcp_options_get_codes(PxfDhcpOptions *self)
{
	GPtrArray *codes = g_ptr_array_new();
	for (guint i = 0; i < self->order->len; i++)
		g_ptr_array_add(codes, GUINT_TO_POINTER(g_array_index(self->order, guint8, i)));
	return codes;
}
