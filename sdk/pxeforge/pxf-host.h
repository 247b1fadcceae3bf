/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(PXF_PLUGIN_H_INSIDE) && !defined(PXF_COMPILATION)
#error "Only <pxeforge/plugin.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* An inventory host; owned by the core, valid for the duration of the hook
 * call that handed it out (a reload may replace the inventory afterwards). */
typedef struct _PxfHost PxfHost;

/* Lifecycle of a host, persisted by the core. */
typedef enum {
	PXF_HOST_STATE_UNKNOWN = 0,
	PXF_HOST_STATE_DISCOVERED,
	PXF_HOST_STATE_BOOTING,
	PXF_HOST_STATE_INSTALLING,
	PXF_HOST_STATE_INSTALLED,
	PXF_HOST_STATE_FAILED,
} PxfHostState;

/* Canonical MAC spelling "aa:bb:cc:dd:ee:ff". */
const gchar *pxf_host_get_mac(const PxfHost *self);
const gchar *pxf_host_get_hostname(const PxfHost *self); /* NULL when unset */
const gchar *pxf_host_get_ip(const PxfHost *self);	 /* fixed IPv4, NULL when unset */
const gchar *pxf_host_get_uuid(const PxfHost *self);	 /* SMBIOS UUID, lower case, or NULL */
/* DHCP client identifier (option 61) in lower-case hex without separators,
 * or NULL. Since ABI 1.1. */
const gchar *pxf_host_get_client_id(const PxfHost *self);
const gchar *pxf_host_get_profile(const PxfHost *self); /* profile name, or NULL */
gboolean pxf_host_get_netboot(const PxfHost *self);
/* The boot loader plugin ("pxelinux", "grub-efi", "ipxe") the host's own or
 * its profile's "loader" key names, or NULL: the first loader plugin that
 * answers. Since ABI 1.1. */
const gchar *pxf_host_get_loader(const PxfHost *self);
/* Whether the host or its profile sets "secure_boot"; then *secure_boot
 * holds it. Since ABI 1.1. */
gboolean pxf_host_get_secure_boot(const PxfHost *self, gboolean *secure_boot);

const gchar *pxf_host_state_to_string(PxfHostState state);

/* Template variables: a scope of name → GVariant (strings, booleans, numbers,
 * arrays and a{sv} dictionaries); dotted names look into dictionaries. */
typedef struct _PxfVars PxfVars;

/* Takes a floating reference; replaces an existing value. */
void pxf_vars_set(PxfVars *self, const gchar *name, GVariant *value);
void pxf_vars_set_string(PxfVars *self, const gchar *name, const gchar *value);
/* Transfer full; dotted lookup ("distro.name"); NULL when absent. */
GVariant *pxf_vars_lookup(PxfVars *self, const gchar *name);

G_END_DECLS
