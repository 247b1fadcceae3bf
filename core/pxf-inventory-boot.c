/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The boot loader chain of a profile or host: which bootloader plugin
 * answers its machines ("loader") and whether grub-efi serves them the
 * Secure Boot chain ("secure_boot"). */
#define G_LOG_DOMAIN "pxf-inventory"

#include "pxf-inventory-private.h"

#include <string.h>

gboolean
pxf_inventory_get_bool(PxfConfNode *entry,
		       const gchar *key,
		       const gchar *path,
		       GPtrArray *diags,
		       gboolean *value,
		       PxfConfNode **node_out)
{
	PxfConfNode *node = pxf_conf_node_lookup(entry, key, NULL);
	g_autofree gchar *kpath = NULL;
	gboolean parsed = FALSE;

	if (node_out != NULL)
		*node_out = NULL;
	if (node == NULL || (node->kind == PXF_CONF_NODE_SCALAR && pxf_conf_node_is_null(node)))
		return TRUE;
	if (node->kind == PXF_CONF_NODE_SCALAR && pxf_conf_node_get_bool(node, &parsed)) {
		*value = parsed;
		if (node_out != NULL)
			*node_out = node;
		return TRUE;
	}
	kpath = g_strdup_printf("%s.%s", path, key);
	pxf_diags_add(diags, FALSE, node->file, node->line, node->column, kpath,
		      "expected a boolean (true/false, yes/no, on/off), got %s%s%s",
		      node->kind == PXF_CONF_NODE_SCALAR ? "'" : "a ",
		      node->kind == PXF_CONF_NODE_SCALAR ? node->scalar
							 : pxf_conf_node_kind_to_string(node->kind),
		      node->kind == PXF_CONF_NODE_SCALAR ? "'" : "");
	return FALSE;
}

/* A plugin name as the loader writes them: [a-z0-9._-], not empty. */
static gboolean
pxf_boot_choice_name_valid(const gchar *name)
{
	if (name[0] == '\0')
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '.' && *p != '_' &&
		    *p != '-')
			return FALSE;
	}
	return TRUE;
}

void
pxf_boot_choice_parse(PxfBootChoice *choice,
		      PxfConfNode *entry,
		      const gchar *path,
		      GPtrArray *diags)
{
	PxfConfNode *node = pxf_conf_node_lookup(entry, "loader", NULL);
	PxfConfNode *sb_node = NULL;
	gboolean secure_boot = FALSE;

	memset(choice, 0, sizeof(*choice));
	choice->path = g_strdup(path);
	if (node != NULL && !(node->kind == PXF_CONF_NODE_SCALAR && pxf_conf_node_is_null(node))) {
		g_autofree gchar *lpath = g_strdup_printf("%s.loader", path);
		if (node->kind != PXF_CONF_NODE_SCALAR) {
			pxf_diags_add(diags, FALSE, node->file, node->line, node->column, lpath,
				      "expected a boot loader plugin name, got a %s",
				      pxf_conf_node_kind_to_string(node->kind));
		} else if (!pxf_boot_choice_name_valid(node->scalar)) {
			pxf_diags_add(diags, FALSE, node->file, node->line, node->column, lpath,
				      "invalid boot loader name '%s': a plugin name such as "
				      "pxelinux, grub-efi or ipxe",
				      node->scalar);
		} else {
			choice->loader = g_strdup(node->scalar);
			choice->loader_node = pxf_conf_node_ref(node);
		}
	}
	if (pxf_inventory_get_bool(entry, "secure_boot", path, diags, &secure_boot, &sb_node) &&
	    sb_node != NULL) {
		choice->secure_boot_set = TRUE;
		choice->secure_boot = secure_boot;
		choice->secure_boot_node = pxf_conf_node_ref(sb_node);
	}
}

void
pxf_boot_choice_inherit(PxfBootChoice *choice, const PxfBootChoice *fallback)
{
	if (fallback == NULL)
		return;
	if (choice->loader == NULL && fallback->loader != NULL) {
		choice->loader = g_strdup(fallback->loader);
		choice->loader_node = pxf_conf_node_ref(fallback->loader_node);
	}
	if (!choice->secure_boot_set && fallback->secure_boot_set) {
		choice->secure_boot_set = TRUE;
		choice->secure_boot = fallback->secure_boot;
		choice->secure_boot_node = pxf_conf_node_ref(fallback->secure_boot_node);
	}
}

void
pxf_boot_choice_clear(PxfBootChoice *choice)
{
	g_clear_pointer(&choice->path, g_free);
	g_clear_pointer(&choice->loader, g_free);
	g_clear_pointer(&choice->loader_node, pxf_conf_node_unref);
	g_clear_pointer(&choice->secure_boot_node, pxf_conf_node_unref);
	choice->secure_boot_set = FALSE;
}

static void
pxf_boot_choice_check(const PxfBootChoice *choice,
		      const gchar *who,
		      gboolean (*is_bootloader)(const gchar *name, gpointer user_data),
		      gpointer user_data,
		      const gchar *known,
		      GPtrArray *diags)
{
	PxfConfNode *node = choice->loader_node;
	g_autofree gchar *lpath = NULL;

	if (choice->loader == NULL || is_bootloader(choice->loader, user_data))
		return;
	lpath = g_strdup_printf("%s.loader", choice->path);
	pxf_diags_add(diags, FALSE, node->file, node->line, node->column, lpath,
		      "%s names boot loader '%s', which is not an enabled boot loader plugin "
		      "(enabled: %s)",
		      who, choice->loader, known != NULL && known[0] != '\0' ? known : "none");
}

void
pxf_inventory_check_loaders(PxfInventory *self,
			    gboolean (*is_bootloader)(const gchar *name, gpointer user_data),
			    gpointer user_data,
			    const gchar *known,
			    GPtrArray *diags)
{
	GPtrArray *profiles = pxf_inventory_get_profiles(self);
	GPtrArray *hosts = pxf_inventory_get_hosts(self);

	for (guint i = 0; i < profiles->len; i++) {
		const PxfProfile *profile = g_ptr_array_index(profiles, i);
		g_autofree gchar *who = g_strdup_printf("profile %s", profile->name);
		pxf_boot_choice_check(&profile->boot, who, is_bootloader, user_data, known, diags);
	}
	for (guint i = 0; i < hosts->len; i++) {
		const PxfHost *host = g_ptr_array_index(hosts, i);
		const PxfProfile *profile = pxf_inventory_get_profile(self, host->profile);
		g_autofree gchar *who = NULL;

		/* a loader it has from its profile was reported there */
		if (profile != NULL && host->boot.loader_node == profile->boot.loader_node)
			continue;
		who = g_strdup_printf("host %s", host->mac);
		pxf_boot_choice_check(&host->boot, who, is_bootloader, user_data, known, diags);
	}
}

/* SDK accessors */

const gchar *
pxf_host_get_loader(const PxfHost *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->boot.loader;
}

gboolean
pxf_host_get_secure_boot(const PxfHost *self, gboolean *secure_boot)
{
	g_return_val_if_fail(self != NULL, FALSE);
	if (!self->boot.secure_boot_set)
		return FALSE;
	if (secure_boot != NULL)
		*secure_boot = self->boot.secure_boot;
	return TRUE;
}
