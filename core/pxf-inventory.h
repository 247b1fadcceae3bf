/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pxeforge/pxf-host.h>

#include "pxf-config.h"
#include "pxf-vars.h"

G_BEGIN_DECLS

#define PXF_INVENTORY_ERROR pxf_inventory_error_quark()
GQuark pxf_inventory_error_quark(void);

typedef enum {
	PXF_INVENTORY_ERROR_FAILED,
	PXF_INVENTORY_ERROR_INVALID,
	PXF_INVENTORY_ERROR_NOT_FOUND,
} PxfInventoryError;

/* The boot loader chain a profile or a host chooses: its "loader" and
 * "secure_boot" keys. A host's own keys win over its profile's. */
typedef struct {
	gchar *path;		       /* "profiles.NAME" or "hosts[N]": where the keys are read */
	gchar *loader;		       /* bootloader plugin name, or NULL: the plugins' order */
	PxfConfNode *loader_node;      /* where loader is set, or NULL */
	gboolean secure_boot_set;      /* FALSE: the grub-efi plugin's own secure_boot */
	gboolean secure_boot;	       /* when secure_boot_set */
	PxfConfNode *secure_boot_node; /* where secure_boot is set, or NULL */
} PxfBootChoice;

/* The inventory's objects are plain structs, read-only once built. */
typedef struct {
	gchar *name;
	gchar *kernel;
	gchar *initrd;
	gchar *tree;		/* install tree directory (or URL) */
	PxfConfNode *variables; /* MAP or NULL */
	gchar *file;
	guint line;
} PxfDistro;

typedef struct {
	gchar *name;
	gchar *distro;	 /* distro name, checked to exist */
	gchar *os;	 /* OS profile plugin name ("kickstart", "preseed", ...) */
	gchar *template; /* absolute path, checked to exist and be readable */
	PxfConfNode *variables;
	PxfBootChoice boot;
	gchar *file;
	guint line;
} PxfProfile;

struct _PxfHost {
	gint ref_count; /* a request in flight keeps its host across a reload */
	gchar *mac;	/* canonical aa:bb:cc:dd:ee:ff */
	gchar *uuid;
	gchar *client_id; /* option 61, lower-case hex */
	gchar *ip;
	gchar *hostname;
	gchar *profile;
	gboolean netboot;
	PxfConfNode *variables;
	PxfBootChoice boot; /* its own keys over its profile's */
	gchar *file;
	guint line;
};

PxfHost *pxf_host_ref(PxfHost *host);
void pxf_host_unref(PxfHost *host);

typedef struct _PxfInventory PxfInventory;

/* Builds the inventory from the merged configuration's "variables",
 * "distros", "profiles" and "hosts". Every problem (malformed MAC/IP/UUID,
 * duplicate MAC/IP/hostname, unknown profile or distro, missing template)
 * is added to diags with file:line:column and key path. Template paths are
 * resolved relative to config_dir. Never NULL. */
PxfInventory *
pxf_inventory_new_from_config(PxfConfNode *root, const gchar *config_dir, GPtrArray *diags);
void pxf_inventory_free(PxfInventory *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfInventory, pxf_inventory_free)

const PxfHost *pxf_inventory_lookup_mac(PxfInventory *self, const gchar *mac); /* any spelling */
const PxfHost *pxf_inventory_lookup_uuid(PxfInventory *self, const gchar *uuid);
const PxfHost *pxf_inventory_lookup_client_id(PxfInventory *self, const gchar *client_id);
const PxfHost *pxf_inventory_lookup_ip(PxfInventory *self, const gchar *ip);
const PxfProfile *pxf_inventory_get_profile(PxfInventory *self, const gchar *name);
const PxfDistro *pxf_inventory_get_distro(PxfInventory *self, const gchar *name);
/* Element type PxfHost*, in configuration order; owned by the inventory. */
GPtrArray *pxf_inventory_get_hosts(PxfInventory *self);
GPtrArray *pxf_inventory_get_profiles(PxfInventory *self);
GPtrArray *pxf_inventory_get_distros(PxfInventory *self);

/* Reads the optional "loader" and "secure_boot" keys of the profile or host
 * entry at path into choice; a malformed value is a diagnostic. The loader's
 * plugin is checked by pxf_inventory_check_loaders(). */
void pxf_boot_choice_parse(PxfBootChoice *choice,
			   PxfConfNode *entry,
			   const gchar *path,
			   GPtrArray *diags);
/* Fills what choice leaves unset from fallback (a host's profile). */
void pxf_boot_choice_inherit(PxfBootChoice *choice, const PxfBootChoice *fallback);
void pxf_boot_choice_clear(PxfBootChoice *choice);
/* An optional boolean key of entry: FALSE, with a diagnostic, when it is
 * not one; *value is set only when the key has a value (*node then). */
gboolean pxf_inventory_get_bool(PxfConfNode *entry,
				const gchar *key,
				const gchar *path,
				GPtrArray *diags,
				gboolean *value,
				PxfConfNode **node);
/* Every "loader" a profile or host sets names a boot loader plugin that is
 * enabled: is_bootloader(name, user_data) says. Errors name file:line:column,
 * the key path and the profile or host; known lists the loaders there are. */
void pxf_inventory_check_loaders(PxfInventory *self,
				 gboolean (*is_bootloader)(const gchar *name, gpointer user_data),
				 gpointer user_data,
				 const gchar *known,
				 GPtrArray *diags);

/* Variables for rendering: globals, then the distro's, the profile's and the
 * host's, each overriding the previous, with their origin recorded; plus
 * the built-in "host", "profile" and "distro" dictionaries (mac, hostname,
 * ip, name, kernel, initrd, tree, ...). host may be NULL (unknown host). */
PxfVars *pxf_inventory_resolve_vars(PxfInventory *self, const PxfHost *host);

/* Any common spelling: aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff,
 * aabbccddeeff, and pxelinux's 01-aa-bb-cc-dd-ee-ff. Returns the canonical
 * lower-case colon form, or NULL with an error saying what is wrong. */
gchar *pxf_mac_normalize(const gchar *text, GError **error);
/* "aa-bb-cc-dd-ee-ff" from a canonical MAC (pxelinux.cfg names, URLs). */
gchar *pxf_mac_to_dashes(const gchar *mac);

/* A dotted-quad IPv4 host address (no leading zeros; not 0/8, loopback,
 * multicast or reserved); returns it canonical or NULL with an error. */
gchar *pxf_ipv4_normalize(const gchar *text, GError **error);
/* An SMBIOS UUID 8-4-4-4-12 in hex, any case; returns it lower case. The
 * all-zero and all-ff values (firmware without a UUID) are refused. */
gchar *pxf_uuid_normalize(const gchar *text, GError **error);
/* A DHCP client identifier (option 61): 2 to 255 bytes in hex, optionally
 * separated by ':' or '-'; returns it lower case without separators, as
 * the DHCP server spells it. */
gchar *pxf_client_id_normalize(const gchar *text, GError **error);
/* RFC 1123 host name: dot-separated labels of letters, digits and '-'. */
gboolean pxf_hostname_validate(const gchar *text, GError **error);

/* `pxeforge hosts import FILE`: reads a CSV (header row: mac,hostname,ip,
 * profile,uuid,netboot) or YAML (a list of hosts, or a map with "hosts")
 * file, validates every row together with the current configuration in
 * config_dir, and only if nothing is wrong writes the hosts to
 * config_dir/conf.d/90-hosts.yaml (created or extended, atomically).
 * Every bad row is a diagnostic with the import file's line. Returns the
 * number of hosts imported, or -1 with diags/error set. */
gint pxf_hosts_import(const gchar *config_dir, const gchar *file, GPtrArray *diags, GError **error);

G_END_DECLS
