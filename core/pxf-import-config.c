/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-import"

#include "pxf-import-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "pxf-inventory.h"

/* The configuration side of `pxeforge import`: the new distro is added to
 * the merged configuration and the whole inventory is built from it, so an
 * imported distro is checked exactly like a hand-written one; only then is
 * conf.d/80-distros.yaml rewritten, the way `pxeforge hosts import` writes
 * 90-hosts.yaml (temporary file, fsync, rename, read back first). */

static PxfConfNode *
pxf_scalar_new(const gchar *file, const gchar *text)
{
	PxfConfNode *node = pxf_conf_node_new(PXF_CONF_NODE_SCALAR, file, 0, 0);
	g_free(node->scalar);
	node->scalar = g_strdup(text);
	/* quoted: a version "1.0" or a name "yes" stays a string */
	node->plain = FALSE;
	return node;
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
/* YAML out (as pxf-hosts-import.c writes 90-hosts.yaml) */

static int
pxf_yaml_write_cb(void *data, unsigned char *buffer, size_t size)
{
	g_string_append_len((GString *)data, (const gchar *)buffer, (gssize)size);
	return 1;
}

/* Would this text, written plain, read back as null or a boolean? */
static gboolean
pxf_yaml_text_is_special(const gchar *text)
{
	g_autoptr(PxfConfNode) probe = pxf_scalar_new(NULL, text);
	probe->plain = TRUE;
	return pxf_conf_node_is_null(probe) || pxf_conf_node_get_bool(probe, NULL);
}

/* A version "6.10" is a float to other YAML readers (6.1): quote numbers. */
static gboolean
pxf_yaml_text_is_number(const gchar *text)
{
	gchar *end = NULL;

	if (text[0] == '\0')
		return FALSE;
	g_ascii_strtod(text, &end);
	return end != NULL && *end == '\0';
}

static gboolean
pxf_yaml_emit_node(yaml_emitter_t *emitter, PxfConfNode *node)
{
	yaml_event_t event;

	switch (node->kind) {
	case PXF_CONF_NODE_SCALAR: {
		gboolean quote = !node->plain && (pxf_yaml_text_is_special(node->scalar) ||
						  pxf_yaml_text_is_number(node->scalar));
		yaml_scalar_event_initialize(
			&event, NULL, NULL, (yaml_char_t *)node->scalar, (int)strlen(node->scalar),
			!quote, 1, quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
		return yaml_emitter_emit(emitter, &event) != 0;
	}
	case PXF_CONF_NODE_MAP:
		yaml_mapping_start_event_initialize(&event, NULL, NULL, 1,
						    YAML_BLOCK_MAPPING_STYLE);
		if (!yaml_emitter_emit(emitter, &event))
			return FALSE;
		for (guint i = 0; i < node->keys->len; i++) {
			if (!pxf_yaml_emit_node(emitter, g_ptr_array_index(node->keys, i)) ||
			    !pxf_yaml_emit_node(emitter, g_ptr_array_index(node->items, i)))
				return FALSE;
		}
		yaml_mapping_end_event_initialize(&event);
		return yaml_emitter_emit(emitter, &event) != 0;
	case PXF_CONF_NODE_SEQ:
		yaml_sequence_start_event_initialize(&event, NULL, NULL, 1,
						     YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(emitter, &event))
			return FALSE;
		for (guint i = 0; i < node->items->len; i++) {
			if (!pxf_yaml_emit_node(emitter, g_ptr_array_index(node->items, i)))
				return FALSE;
		}
		yaml_sequence_end_event_initialize(&event);
		return yaml_emitter_emit(emitter, &event) != 0;
	default:
		return FALSE;
	}
}

static gboolean
pxf_yaml_emit(PxfConfNode *root, GString *out, GError **error)
{
	yaml_emitter_t emitter;
	yaml_event_t event;
	gboolean ok;

	if (!yaml_emitter_initialize(&emitter)) {
		g_set_error_literal(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
				    "cannot initialize the YAML emitter");
		return FALSE;
	}
	yaml_emitter_set_output(&emitter, pxf_yaml_write_cb, out);
	yaml_emitter_set_unicode(&emitter, 1);
	yaml_emitter_set_width(&emitter, -1);
	yaml_emitter_set_indent(&emitter, 2);
	yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&emitter, &event) != 0;
	if (ok) {
		yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1);
		ok = yaml_emitter_emit(&emitter, &event) != 0;
	}
	ok = ok && pxf_yaml_emit_node(&emitter, root);
	if (ok) {
		yaml_document_end_event_initialize(&event, 1);
		ok = yaml_emitter_emit(&emitter, &event) != 0;
	}
	if (ok) {
		yaml_stream_end_event_initialize(&event);
		ok = yaml_emitter_emit(&emitter, &event) != 0;
	}
	if (!ok) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
			    "cannot write YAML: %s",
			    emitter.problem != NULL ? emitter.problem : "unknown error");
	}
	yaml_emitter_delete(&emitter);
	return ok;
}

static gboolean
pxf_node_equal(PxfConfNode *a, PxfConfNode *b)
{
	if (a->kind != b->kind)
		return FALSE;
	if (a->kind == PXF_CONF_NODE_SCALAR) {
		if (g_strcmp0(a->scalar, b->scalar) != 0)
			return FALSE;
		return a->plain == b->plain || !pxf_yaml_text_is_special(a->scalar);
	}
	if (a->items->len != b->items->len)
		return FALSE;
	for (guint i = 0; i < a->items->len; i++) {
		if (a->keys != NULL &&
		    !pxf_node_equal(g_ptr_array_index(a->keys, i), g_ptr_array_index(b->keys, i)))
			return FALSE;
		if (!pxf_node_equal(g_ptr_array_index(a->items, i), g_ptr_array_index(b->items, i)))
			return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_write_all(gint fd, const gchar *data, gsize len)
{
	while (len > 0) {
		gssize n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		data += n;
		len -= (gsize)n;
	}
	return TRUE;
}

/* temp file, fsync, rename over, fsync the directory: the old file or the
 * new one after a crash, never half of one */
static gboolean
pxf_write_atomic(const gchar *path, const gchar *data, gsize len, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_autofree gchar *base = g_path_get_basename(path);
	g_autofree gchar *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
	GStatBuf st;
	gint fd;
	gint dfd;

	fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0644);
	if (fd < 0) {
		gint saved = errno;
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
			    "cannot create a file in %s: %s", dir, g_strerror(saved));
		return FALSE;
	}
	if ((g_stat(path, &st) == 0 && fchmod(fd, st.st_mode & 07777) != 0) ||
	    !pxf_write_all(fd, data, len) || fsync(fd) != 0) {
		gint saved = errno;
		close(fd);
		g_unlink(tmp);
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED, "cannot write %s: %s",
			    tmp, g_strerror(saved));
		return FALSE;
	}
	if (close(fd) != 0 || g_rename(tmp, path) != 0) {
		gint saved = errno;
		g_unlink(tmp);
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
			    "cannot replace %s: %s", path, g_strerror(saved));
		return FALSE;
	}
	dfd = g_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd >= 0) {
		/* the rename is done; a failed directory sync only weakens
		 * durability */
		if (fsync(dfd) != 0)
			g_warning("cannot sync directory %s: %s", dir, g_strerror(errno));
		close(dfd);
	}
	return TRUE;
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
	g_autofree gchar *confd = g_build_filename(config_dir, "conf.d", NULL);
	g_autofree gchar *path = g_build_filename(confd, PXF_IMPORT_DISTROS_FILE, NULL);
	g_autoptr(PxfConfNode) root = NULL;
	g_autoptr(PxfConfNode) check = NULL;
	g_autoptr(PxfConfNode) key = NULL;
	g_autoptr(GPtrArray) scratch = pxf_diags_new();
	g_autoptr(GString) out = g_string_new(
		"# Written by `pxeforge import`, which rewrites this file: comments here\n"
		"# are not kept. Edit freely otherwise.\n");
	PxfConfNode *distros;

	if (g_mkdir_with_parents(confd, 0755) != 0) {
		gint saved = errno;
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
			    "cannot create %s: %s", confd, g_strerror(saved));
		return FALSE;
	}
	if (g_file_test(path, G_FILE_TEST_EXISTS))
		root = pxf_conf_parse_file(path, scratch);
	else
		root = pxf_conf_node_new(PXF_CONF_NODE_MAP, path, 1, 1);
	if (root == NULL || pxf_diags_count_errors(scratch) > 0) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
			    "%s changed while importing; nothing was written", path);
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
	if (!pxf_yaml_emit(root, out, error))
		return FALSE;
	check = pxf_conf_parse_data(path, out->str, out->len, scratch);
	if (check == NULL || pxf_diags_count_errors(scratch) > 0 || !pxf_node_equal(root, check)) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_FAILED,
			    "internal error: the YAML written for %s does not read back the "
			    "same; nothing was written",
			    path);
		return FALSE;
	}
	if (!pxf_write_atomic(path, out->str, out->len, error))
		return FALSE;
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
