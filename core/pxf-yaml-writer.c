/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-yaml-writer"

#include "pxf-yaml-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "pxf-diag.h"

G_DEFINE_QUARK(pxf_yaml_writer_error_quark, pxf_yaml_writer_error)

PxfConfNode *
pxf_yaml_writer_scalar_new(
	const gchar *file, guint line, guint column, const gchar *text, gboolean plain)
{
	PxfConfNode *node = pxf_conf_node_new(PXF_CONF_NODE_SCALAR, file, line, column);

	g_free(node->scalar);
	node->scalar = g_strdup(text);
	node->plain = plain;
	return node;
}

gboolean
pxf_yaml_writer_text_is_special(const gchar *text)
{
	g_autoptr(PxfConfNode) probe = pxf_yaml_writer_scalar_new(NULL, 0, 0, text, TRUE);
	return pxf_conf_node_is_null(probe) || pxf_conf_node_get_bool(probe, NULL);
}

gboolean
pxf_yaml_writer_text_is_number(const gchar *text)
{
	gchar *end = NULL;

	if (text[0] == '\0')
		return FALSE;
	g_ascii_strtod(text, &end);
	return end != NULL && *end == '\0';
}

static int
pxf_yaml_writer_output_cb(void *data, unsigned char *buffer, size_t size)
{
	g_string_append_len((GString *)data, (const gchar *)buffer, (gssize)size);
	return 1;
}

static gboolean
pxf_yaml_writer_emit_node(yaml_emitter_t *emitter, PxfConfNode *node, PxfYamlWriterFlags flags)
{
	yaml_event_t event;

	switch (node->kind) {
	case PXF_CONF_NODE_SCALAR: {
		/* a quoted "yes" must stay a string; everything else may be
		 * plain when libyaml finds that unambiguous */
		gboolean quote =
			!node->plain && (pxf_yaml_writer_text_is_special(node->scalar) ||
					 ((flags & PXF_YAML_WRITER_FLAG_QUOTE_NUMBERS) != 0 &&
					  pxf_yaml_writer_text_is_number(node->scalar)));
		yaml_scalar_event_initialize(
			&event, NULL, NULL, (yaml_char_t *)node->scalar, (int)strlen(node->scalar),
			!quote, 1, quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
		return yaml_emitter_emit(emitter, &event) != 0;
	}
	case PXF_CONF_NODE_MAP:
	case PXF_CONF_NODE_SEQ:
		if (node->kind == PXF_CONF_NODE_MAP)
			yaml_mapping_start_event_initialize(&event, NULL, NULL, 1,
							    YAML_BLOCK_MAPPING_STYLE);
		else
			yaml_sequence_start_event_initialize(&event, NULL, NULL, 1,
							     YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(emitter, &event))
			return FALSE;
		for (guint i = 0; i < node->items->len; i++) {
			/* a mapping's keys are parallel to its values */
			if (node->kind == PXF_CONF_NODE_MAP &&
			    !pxf_yaml_writer_emit_node(emitter, g_ptr_array_index(node->keys, i),
						       flags))
				return FALSE;
			if (!pxf_yaml_writer_emit_node(emitter, g_ptr_array_index(node->items, i),
						       flags))
				return FALSE;
		}
		if (node->kind == PXF_CONF_NODE_MAP)
			yaml_mapping_end_event_initialize(&event);
		else
			yaml_sequence_end_event_initialize(&event);
		return yaml_emitter_emit(emitter, &event) != 0;
	default:
		return FALSE;
	}
}

/* libyaml's emitter does not return on text that is not UTF-8 (it spins),
 * so such text must never reach it. */
static gboolean
pxf_yaml_writer_check_utf8(PxfConfNode *node, GError **error)
{
	if (node->kind == PXF_CONF_NODE_SCALAR) {
		if (g_utf8_validate(node->scalar, -1, NULL))
			return TRUE;
		if (node->file != NULL)
			g_set_error(error, PXF_YAML_WRITER_ERROR, PXF_YAML_WRITER_ERROR_FAILED,
				    "cannot write YAML: %s:%u:%u: the text is not UTF-8",
				    node->file, node->line, node->column);
		else
			g_set_error_literal(error, PXF_YAML_WRITER_ERROR,
					    PXF_YAML_WRITER_ERROR_FAILED,
					    "cannot write YAML: a text is not UTF-8");
		return FALSE;
	}
	for (guint i = 0; node->keys != NULL && i < node->keys->len; i++) {
		if (!pxf_yaml_writer_check_utf8(g_ptr_array_index(node->keys, i), error))
			return FALSE;
	}
	for (guint i = 0; node->items != NULL && i < node->items->len; i++) {
		if (!pxf_yaml_writer_check_utf8(g_ptr_array_index(node->items, i), error))
			return FALSE;
	}
	return TRUE;
}

gboolean
pxf_yaml_writer_emit(PxfConfNode *root, PxfYamlWriterFlags flags, GString *out, GError **error)
{
	yaml_emitter_t emitter;
	yaml_event_t event;
	gboolean ok;

	if (!pxf_yaml_writer_check_utf8(root, error))
		return FALSE;
	if (!yaml_emitter_initialize(&emitter)) {
		g_set_error_literal(error, PXF_YAML_WRITER_ERROR, PXF_YAML_WRITER_ERROR_FAILED,
				    "cannot initialize the YAML emitter");
		return FALSE;
	}
	yaml_emitter_set_output(&emitter, pxf_yaml_writer_output_cb, out);
	yaml_emitter_set_unicode(&emitter, 1);
	yaml_emitter_set_width(&emitter, -1); /* never fold long values */
	yaml_emitter_set_indent(&emitter, 2);
	yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&emitter, &event) != 0;
	if (ok) {
		yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1);
		ok = yaml_emitter_emit(&emitter, &event) != 0;
	}
	ok = ok && pxf_yaml_writer_emit_node(&emitter, root, flags);
	if (ok) {
		yaml_document_end_event_initialize(&event, 1);
		ok = yaml_emitter_emit(&emitter, &event) != 0;
	}
	if (ok) {
		yaml_stream_end_event_initialize(&event);
		ok = yaml_emitter_emit(&emitter, &event) != 0;
	}
	if (!ok) {
		g_set_error(error, PXF_YAML_WRITER_ERROR, PXF_YAML_WRITER_ERROR_FAILED,
			    "cannot write YAML: %s",
			    emitter.problem != NULL ? emitter.problem : "unknown error");
	}
	yaml_emitter_delete(&emitter);
	return ok;
}

gboolean
pxf_yaml_writer_node_equal(PxfConfNode *a, PxfConfNode *b)
{
	if (a->kind != b->kind)
		return FALSE;
	if (a->kind == PXF_CONF_NODE_SCALAR) {
		if (g_strcmp0(a->scalar, b->scalar) != 0)
			return FALSE;
		return a->plain == b->plain || !pxf_yaml_writer_text_is_special(a->scalar);
	}
	if (a->items->len != b->items->len)
		return FALSE;
	for (guint i = 0; i < a->items->len; i++) {
		if (a->keys != NULL && !pxf_yaml_writer_node_equal(g_ptr_array_index(a->keys, i),
								   g_ptr_array_index(b->keys, i)))
			return FALSE;
		if (!pxf_yaml_writer_node_equal(g_ptr_array_index(a->items, i),
						g_ptr_array_index(b->items, i)))
			return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_yaml_writer_write_all(gint fd, const gchar *data, gsize len)
{
	while (len > 0) {
		gssize n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return FALSE;
		if (n == 0) {
			errno = EIO; /* no progress: do not spin */
			return FALSE;
		}
		data += n;
		len -= (gsize)n;
	}
	return TRUE;
}

static gboolean
pxf_yaml_writer_errno(GError **error, gint saved, const gchar *what, const gchar *path)
{
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s %s: %s", what, path,
		    g_strerror(saved));
	return FALSE;
}

gboolean
pxf_yaml_writer_write_atomic(const gchar *path, const gchar *data, gsize len, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_autofree gchar *base = g_path_get_basename(path);
	/* a dot file: conf.d readers skip it while it is half-written */
	g_autofree gchar *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
	GStatBuf st;
	gint fd;
	gint dfd;

	fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0644);
	if (fd < 0)
		return pxf_yaml_writer_errno(error, errno, "cannot create a file in", dir);
	/* keep the mode a site gave the file (e.g. 0640) */
	if ((g_stat(path, &st) == 0 && fchmod(fd, st.st_mode & 07777) != 0) ||
	    !pxf_yaml_writer_write_all(fd, data, len) || fsync(fd) != 0) {
		gint saved = errno;
		close(fd);
		g_unlink(tmp);
		return pxf_yaml_writer_errno(error, saved, "cannot write", tmp);
	}
	if (close(fd) != 0 || g_rename(tmp, path) != 0) {
		gint saved = errno;
		g_unlink(tmp);
		return pxf_yaml_writer_errno(error, saved, "cannot replace", path);
	}
	dfd = g_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd < 0 || fsync(dfd) != 0) {
		/* the file is replaced; only its durability across a crash is
		 * weaker, which is not worth failing the command for */
		g_warning("cannot sync directory %s: %s", dir, g_strerror(errno));
	}
	if (dfd >= 0)
		close(dfd);
	return TRUE;
}

PxfConfNode *
pxf_yaml_writer_load(const gchar *path, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_autoptr(GPtrArray) scratch = pxf_diags_new();
	g_autoptr(PxfConfNode) root = NULL;

	if (g_mkdir_with_parents(dir, 0755) != 0) {
		pxf_yaml_writer_errno(error, errno, "cannot create", dir);
		return NULL;
	}
	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return pxf_conf_node_new(PXF_CONF_NODE_MAP, path, 1, 1);
	root = pxf_conf_parse_file(path, scratch);
	if (root == NULL || pxf_diags_count_errors(scratch) > 0) {
		g_set_error(error, PXF_YAML_WRITER_ERROR, PXF_YAML_WRITER_ERROR_FAILED,
			    "%s changed while importing; nothing was written", path);
		return NULL;
	}
	return g_steal_pointer(&root);
}

gboolean
pxf_yaml_writer_write_file(const gchar *path,
			   const gchar *header,
			   PxfConfNode *root,
			   PxfYamlWriterFlags flags,
			   GError **error)
{
	g_autoptr(GString) out = g_string_new(header);
	g_autoptr(GPtrArray) scratch = pxf_diags_new();
	g_autoptr(PxfConfNode) check = NULL;

	if (!pxf_yaml_writer_emit(root, flags, out, error))
		return FALSE;
	/* never write what we could not read back identically */
	check = pxf_conf_parse_data(path, out->str, out->len, scratch);
	if (check == NULL || pxf_diags_count_errors(scratch) > 0 ||
	    !pxf_yaml_writer_node_equal(root, check)) {
		g_set_error(error, PXF_YAML_WRITER_ERROR, PXF_YAML_WRITER_ERROR_READ_BACK,
			    "internal error: the YAML written for %s does not read back the "
			    "same; nothing was written",
			    path);
		return FALSE;
	}
	return pxf_yaml_writer_write_atomic(path, out->str, out->len, error);
}
