/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-import"

#include "pxf-import-private.h"

#include <string.h>

#include "pxf-inventory.h"
#include "pxf-yaml-writer.h"

/* The configuration side of `pxeforge import`: the new distro is added to
 * the merged configuration and the whole inventory is built from it, so an
 * imported distro is checked exactly like a hand-written one; only then is
 * conf.d/80-distros.yaml rewritten, the way `pxeforge hosts import` writes
 * 90-hosts.yaml (temporary file, fsync, rename, read back first). */

static PxfConfNode *
pxf_scalar_new(const gchar *file, const gchar *text)
{
	/* quoted: a version "1.0" or a name "yes" stays a string */
	return pxf_yaml_writer_scalar_new(file, 0, 0, text, FALSE);
}

static void
pxf_map_set_string(PxfConfNode *map, const gchar *key, const gchar *value)
{
	g_autoptr(PxfConfNode) k = NULL;
	g_autoptr(PxfConfNode) v = NULL;

	if (value == NULL)
		return;
	k = pxf_scalar_new(map->file, key);
	k->plain = TRUE;
	v = pxf_scalar_new(map->file, value);
	pxf_conf_node_map_set(map, k, v);
}

static void
pxf_map_set_node(PxfConfNode *map, const gchar *key, PxfConfNode *value)
{
	g_autoptr(PxfConfNode) k = pxf_scalar_new(map->file, key);
	k->plain = TRUE;
	pxf_conf_node_map_set(map, k, value);
}

static gchar *
pxf_in_tree(const gchar *dir, const gchar *rel)
{
	return rel != NULL ? g_build_filename(dir, rel, NULL) : NULL;
}

PxfConfNode *
pxf_import_distro_node(const gchar *file, const gchar *dir, PxfImportMedium *medium)
{
	PxfConfNode *distro = pxf_conf_node_new(PXF_CONF_NODE_MAP, file, 0, 0);
	g_autoptr(PxfConfNode) vars = pxf_conf_node_new(PXF_CONF_NODE_MAP, file, 0, 0);
	g_autofree gchar *kernel = pxf_in_tree(dir, medium->kernel);
	g_autofree gchar *initrd = pxf_in_tree(dir, medium->initrd);
	g_autofree gchar *stage2 = pxf_in_tree(dir, medium->stage2);

	pxf_map_set_string(distro, "kernel", kernel);
	pxf_map_set_string(distro, "initrd", initrd);
	pxf_map_set_string(distro, "tree", dir);
	pxf_map_set_string(vars, "family", medium->family);
	pxf_map_set_string(vars, "version", medium->version);
	pxf_map_set_string(vars, "arch", medium->arch);
	pxf_map_set_string(vars, "installer", medium->installer);
	pxf_map_set_string(vars, "stage2", stage2);
	if (medium->efi_shim != NULL && medium->efi_grub != NULL) {
		g_autoptr(PxfConfNode) efi = pxf_conf_node_new(PXF_CONF_NODE_MAP, file, 0, 0);
		g_autofree gchar *shim = pxf_in_tree(dir, medium->efi_shim);
		g_autofree gchar *grub = pxf_in_tree(dir, medium->efi_grub);
		pxf_map_set_string(efi, "shim", shim);
		pxf_map_set_string(efi, "grub", grub);
		pxf_map_set_node(vars, "efi", efi);
	}
	pxf_map_set_node(distro, "variables", vars);
	return distro;
}

/* ------------------------------------------------------------------------ */

/* "distros" of map, created when absent; NULL (and an error) when it is
 * something else than a mapping. */
static PxfConfNode *
pxf_distros_map(PxfConfNode *map, const gchar *file, GError **error)
{
	PxfConfNode *distros = pxf_conf_node_lookup(map, "distros", NULL);

	if (distros == NULL || pxf_conf_node_is_null(distros)) {
		g_autoptr(PxfConfNode) fresh = pxf_conf_node_new(PXF_CONF_NODE_MAP, file, 0, 0);
		pxf_map_set_node(map, "distros", fresh);
		return fresh;
	}
	if (distros->kind != PXF_CONF_NODE_MAP) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_CONFIG,
			    "%s:%u:%u: 'distros' is a %s, not a mapping of distros by name",
			    distros->file, distros->line, distros->column,
			    pxf_conf_node_kind_to_string(distros->kind));
		return NULL;
	}
	return distros;
}

static gboolean
pxf_import_config_write(const gchar *config_dir,
			const gchar *name,
			PxfConfNode *distro,
			gchar **written,
			GError **error)
{
	g_autofree gchar *path =
		g_build_filename(config_dir, "conf.d", PXF_IMPORT_DISTROS_FILE, NULL);
	g_autoptr(PxfConfNode) root = NULL;
	g_autoptr(PxfConfNode) key = NULL;
	g_autoptr(GError) error_local = NULL;
	PxfConfNode *distros;

	root = pxf_yaml_writer_load(path, &error_local);
	if (root == NULL) {
		g_set_error_literal(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
				    error_local->message);
		return FALSE;
	}
	distros = pxf_distros_map(root, path, error);
	if (distros == NULL)
		return FALSE;
	if (pxf_conf_node_lookup(distros, name, NULL) != NULL) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_EXISTS,
			    "%s already has a distro '%s' (added while importing?)", path, name);
		return FALSE;
	}
	key = pxf_scalar_new(path, name);
	key->plain = TRUE;
	pxf_conf_node_map_set(distros, key, distro);
	/* a version "6.10" stays a string to every YAML reader */
	if (!pxf_yaml_writer_write_file(
		    path,
		    "# Written by `pxeforge import`, which rewrites this file: comments here\n"
		    "# are not kept. Edit freely otherwise.\n",
		    root, PXF_YAML_WRITER_FLAG_QUOTE_NUMBERS, &error_local)) {
		g_set_error_literal(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
				    error_local->message);
		return FALSE;
	}
	if (written != NULL)
		*written = g_steal_pointer(&path);
	return TRUE;
}

gboolean
pxf_import_config_check_name(const gchar *config_dir, const gchar *name, GError **error)
{
	g_autoptr(GPtrArray) scratch = pxf_diags_new();
	g_autoptr(PxfConfNode) root = pxf_conf_load_dir(config_dir, scratch);
	PxfConfNode *distros = pxf_conf_node_lookup(root, "distros", NULL);
	PxfConfNode *key = NULL;

	if (distros != NULL && distros->kind == PXF_CONF_NODE_MAP &&
	    pxf_conf_node_lookup(distros, name, &key) != NULL) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_EXISTS,
			    "a distro named '%s' is already defined at %s:%u; choose another "
			    "--name",
			    name, key->file, key->line);
		return FALSE;
	}
	return TRUE;
}

gboolean
pxf_import_config_add(const gchar *config_dir,
		      const gchar *name,
		      PxfConfNode *distro,
		      gboolean write,
		      GPtrArray *diags,
		      gchar **path,
		      GError **error)
{
	g_autoptr(PxfConfNode) root = NULL;
	g_autoptr(PxfInventory) inv = NULL;
	g_autoptr(PxfConfNode) key = NULL;
	PxfConfNode *distros;
	guint errors_before = pxf_diags_count_errors(diags);
	guint n_errors;

	if (!pxf_import_config_check_name(config_dir, name, error))
		return FALSE;
	root = pxf_conf_load_dir(config_dir, diags);
	distros = pxf_distros_map(root, config_dir, NULL);
	if (distros != NULL) {
		key = pxf_scalar_new(distro->file, name);
		key->plain = TRUE;
		pxf_conf_node_map_set(distros, key, distro);
	}
	/* the inventory reports a "distros" that is not a mapping */
	inv = pxf_inventory_new_from_config(root, config_dir, diags);
	n_errors = pxf_diags_count_errors(diags) - errors_before;
	if (n_errors > 0) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_CONFIG,
			    "%u problem(s) in the configuration in %s", n_errors, config_dir);
		return FALSE;
	}
	if (pxf_inventory_get_distro(inv, name) == NULL) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
			    "internal error: distro '%s' is not in the inventory it was added to",
			    name);
		return FALSE;
	}
	if (!write)
		return TRUE;
	return pxf_import_config_write(config_dir, name, distro, path, error);
}
