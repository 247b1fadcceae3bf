/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A shared object without a pxeforge descriptor. */
#include <glib.h>
#include <gmodule.h>

G_MODULE_EXPORT int nodesc_entry(void);

G_MODULE_EXPORT int
nodesc_entry(void)
{
	return 42;
}
