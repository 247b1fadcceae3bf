/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-config"

#include "pxf-config.h"
#include "pxf-file.h"

#include <glib/gstdio.h>
#include <string.h>
#include <yaml.h>

G_DEFINE_QUARK(pxf_config_error_quark, pxf_config_error)

PxfConfNode *
pxf_conf_node_new(PxfConfNodeKind kind, const gchar *file, guint line, guint column)
{
	PxfConfNode *node = g_new0(PxfConfNode, 1);

	node->ref_count = 1;
	node->kind = kind;
	/* interned and refcounted: a tree of 100k nodes shares one copy */
	node->file = g_ref_string_new_intern(file != NULL ? file : "");
	node->line = line;
	node->column = column;
	switch (kind) {
	case PXF_CONF_NODE_SCALAR:
		node->scalar = g_strdup("");
		node->plain = TRUE;
		break;
	case PXF_CONF_NODE_MAP:
		node->keys = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_conf_node_unref);
		node->items = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_conf_node_unref);
		break;
	case PXF_CONF_NODE_SEQ:
		node->items = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_conf_node_unref);
		break;
	default:
		g_critical("invalid node kind %d", (gint)kind);
		break;
	}
	return node;
}

PxfConfNode *
pxf_conf_node_ref(PxfConfNode *node)
{
	g_return_val_if_fail(node != NULL, NULL);
	g_atomic_int_inc(&node->ref_count);
	return node;
}

void
pxf_conf_node_unref(PxfConfNode *node)
{
	if (node == NULL)
		return;
	if (!g_atomic_int_dec_and_test(&node->ref_count))
		return;
	g_ref_string_release(node->file);
	g_free(node->scalar);
	if (node->keys != NULL)
		g_ptr_array_unref(node->keys);
	if (node->items != NULL)
		g_ptr_array_unref(node->items);
	g_free(node);
}

static gint
pxf_conf_node_find_key(PxfConfNode *map, const gchar *key)
{
	for (guint i = 0; i < map->keys->len; i++) {
		PxfConfNode *key_node = g_ptr_array_index(map->keys, i);
		if (g_strcmp0(key_node->scalar, key) == 0)
			return (gint)i;
	}
	return -1;
}

PxfConfNode *
pxf_conf_node_lookup(PxfConfNode *map, const gchar *key, PxfConfNode **key_node)
{
	gint idx;

	if (key_node != NULL)
		*key_node = NULL;
	g_return_val_if_fail(key != NULL, NULL);
	if (map == NULL || map->kind != PXF_CONF_NODE_MAP)
		return NULL;
	idx = pxf_conf_node_find_key(map, key);
	if (idx < 0)
		return NULL;
	if (key_node != NULL)
		*key_node = g_ptr_array_index(map->keys, idx);
	return g_ptr_array_index(map->items, idx);
}

void
pxf_conf_node_map_set(PxfConfNode *map, PxfConfNode *key_node, PxfConfNode *value)
{
	gint idx;

	g_return_if_fail(map != NULL && map->kind == PXF_CONF_NODE_MAP);
	g_return_if_fail(key_node != NULL && key_node->kind == PXF_CONF_NODE_SCALAR);
	g_return_if_fail(value != NULL);

	idx = pxf_conf_node_find_key(map, key_node->scalar);
	/* take the new refs first: key_node or value may be the ones replaced */
	pxf_conf_node_ref(key_node);
	pxf_conf_node_ref(value);
	if (idx < 0) {
		g_ptr_array_add(map->keys, key_node);
		g_ptr_array_add(map->items, value);
		return;
	}
	pxf_conf_node_unref(map->keys->pdata[idx]);
	pxf_conf_node_unref(map->items->pdata[idx]);
	map->keys->pdata[idx] = key_node;
	map->items->pdata[idx] = value;
}

const gchar *
pxf_conf_node_kind_to_string(PxfConfNodeKind kind)
{
	switch (kind) {
	case PXF_CONF_NODE_SCALAR:
		return "scalar";
	case PXF_CONF_NODE_MAP:
		return "mapping";
	case PXF_CONF_NODE_SEQ:
		return "list";
	default:
		return "unknown";
	}
}

gboolean
pxf_conf_node_is_null(PxfConfNode *node)
{
	if (node == NULL)
		return TRUE;
	if (node->kind != PXF_CONF_NODE_SCALAR || !node->plain)
		return FALSE;
	return node->scalar[0] == '\0' || g_strcmp0(node->scalar, "~") == 0 ||
	       g_strcmp0(node->scalar, "null") == 0 || g_strcmp0(node->scalar, "Null") == 0 ||
	       g_strcmp0(node->scalar, "NULL") == 0;
}

gboolean
pxf_conf_node_get_bool(PxfConfNode *node, gboolean *value)
{
	static const gchar *const yes[] = {"true", "yes", "on", NULL};
	static const gchar *const no[] = {"false", "no", "off", NULL};

	if (node == NULL || node->kind != PXF_CONF_NODE_SCALAR)
		return FALSE;
	for (guint i = 0; yes[i] != NULL; i++) {
		if (g_ascii_strcasecmp(node->scalar, yes[i]) == 0) {
			if (value != NULL)
				*value = TRUE;
			return TRUE;
		}
		if (g_ascii_strcasecmp(node->scalar, no[i]) == 0) {
			if (value != NULL)
				*value = FALSE;
			return TRUE;
		}
	}
	return FALSE;
}

gboolean
pxf_conf_node_get_int(PxfConfNode *node, gint64 *value)
{
	const gchar *str;
	const gchar *digits;
	gint64 tmp = 0;

	if (node == NULL || node->kind != PXF_CONF_NODE_SCALAR)
		return FALSE;
	str = node->scalar;
	/* decimal only: strtoll would take whitespace, "0x" and octal */
	digits = (str[0] == '-' || str[0] == '+') ? str + 1 : str;
	if (digits[0] == '\0')
		return FALSE;
	for (const gchar *p = digits; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p))
			return FALSE;
	}
	if (!g_ascii_string_to_signed(str[0] == '+' ? digits : str, 10, G_MININT64, G_MAXINT64,
				      &tmp, NULL))
		return FALSE;
	if (value != NULL)
		*value = tmp;
	return TRUE;
}

GVariant *
pxf_conf_node_to_variant(PxfConfNode *node)
{
	GVariantBuilder builder;

	g_return_val_if_fail(node != NULL, NULL);

	switch (node->kind) {
	case PXF_CONF_NODE_SCALAR:
		if (node->plain &&
		    (g_strcmp0(node->scalar, "true") == 0 || g_strcmp0(node->scalar, "True") == 0 ||
		     g_strcmp0(node->scalar, "TRUE") == 0))
			return g_variant_new_boolean(TRUE);
		if (node->plain && (g_strcmp0(node->scalar, "false") == 0 ||
				    g_strcmp0(node->scalar, "False") == 0 ||
				    g_strcmp0(node->scalar, "FALSE") == 0))
			return g_variant_new_boolean(FALSE);
		return g_variant_new_string(node->scalar);
	case PXF_CONF_NODE_MAP:
		g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
		for (guint i = 0; i < node->keys->len; i++) {
			PxfConfNode *key = g_ptr_array_index(node->keys, i);
			PxfConfNode *value = g_ptr_array_index(node->items, i);
			/* a null value means "not set", as it does for top-level keys */
			if (pxf_conf_node_is_null(value))
				continue;
			g_variant_builder_add(&builder, "{sv}", key->scalar,
					      pxf_conf_node_to_variant(value));
		}
		return g_variant_builder_end(&builder);
	case PXF_CONF_NODE_SEQ:
		g_variant_builder_init(&builder, G_VARIANT_TYPE("av"));
		for (guint i = 0; i < node->items->len; i++) {
			PxfConfNode *item = g_ptr_array_index(node->items, i);
			g_variant_builder_add(&builder, "v", pxf_conf_node_to_variant(item));
		}
		return g_variant_builder_end(&builder);
	default:
		g_return_val_if_reached(NULL);
	}
}

/* ------------------------------------------------------------------------ */
/* parser: libyaml events → PxfConfNode tree, with an explicit stack so that
 * hostile nesting costs heap (bounded), never C stack */

typedef struct {
	PxfConfNode *node; /* owned */
	PxfConfNode *key;  /* MAP: owned pending key, NULL while a key is expected */
	gboolean skip_value;
	GHashTable *seen; /* MAP: key text → key node, borrowed from node->keys */
} PxfConfFrame;

typedef struct {
	const gchar *file;
	GPtrArray *diags;
	GArray *stack; /* of PxfConfFrame */
	PxfConfNode *root;
	guint n_nodes;
	gboolean fatal;
} PxfConfParser;

static guint
pxf_conf_mark_to_uint(size_t value)
{
	return value >= G_MAXUINT ? G_MAXUINT : (guint)value + 1;
}

static void
pxf_conf_frame_clear(PxfConfFrame *frame)
{
	g_clear_pointer(&frame->seen, g_hash_table_unref);
	g_clear_pointer(&frame->key, pxf_conf_node_unref);
	g_clear_pointer(&frame->node, pxf_conf_node_unref);
}

static void pxf_conf_parser_error(PxfConfParser *p, const yaml_mark_t *mark, const gchar *fmt, ...)
	G_GNUC_PRINTF(3, 4);

static void
pxf_conf_parser_error(PxfConfParser *p, const yaml_mark_t *mark, const gchar *fmt, ...)
{
	g_autofree gchar *msg = NULL;
	va_list args;

	va_start(args, fmt);
	msg = g_strdup_vprintf(fmt, args);
	va_end(args);
	pxf_diags_add(p->diags, FALSE, p->file, pxf_conf_mark_to_uint(mark->line),
		      pxf_conf_mark_to_uint(mark->column), NULL, "%s", msg);
}

/* Takes ownership of node. */
static void
pxf_conf_parser_attach(PxfConfParser *p, PxfConfNode *node)
{
	PxfConfFrame *top;

	if (p->stack->len == 0) {
		if (p->root == NULL)
			p->root = node;
		else
			pxf_conf_node_unref(node);
		return;
	}
	top = &g_array_index(p->stack, PxfConfFrame, p->stack->len - 1);
	if (top->node->kind == PXF_CONF_NODE_SEQ) {
		g_ptr_array_add(top->node->items, node);
		return;
	}

	/* MAP: alternating key, value */
	if (top->key == NULL) {
		PxfConfNode *prev;

		top->key = node;
		top->skip_value = FALSE;
		if (node->kind != PXF_CONF_NODE_SCALAR) {
			pxf_diags_add(p->diags, FALSE, p->file, node->line, node->column, NULL,
				      "mapping keys must be scalars, not a %s",
				      pxf_conf_node_kind_to_string(node->kind));
			top->skip_value = TRUE;
			return;
		}
		if (top->seen == NULL)
			top->seen = g_hash_table_new(g_str_hash, g_str_equal);
		prev = g_hash_table_lookup(top->seen, node->scalar);
		if (prev != NULL) {
			pxf_diags_add(p->diags, FALSE, p->file, node->line, node->column, NULL,
				      "duplicate key '%s' (first defined at line %u, column %u)",
				      node->scalar, prev->line, prev->column);
			top->skip_value = TRUE;
			return;
		}
		g_hash_table_insert(top->seen, node->scalar, node);
		return;
	}
	if (top->skip_value) {
		pxf_conf_node_unref(top->key);
		pxf_conf_node_unref(node);
	} else {
		g_ptr_array_add(top->node->keys, top->key);
		g_ptr_array_add(top->node->items, node);
	}
	top->key = NULL;
}

static PxfConfNode *
pxf_conf_parser_new_node(PxfConfParser *p, PxfConfNodeKind kind, const yaml_mark_t *mark)
{
	if (++p->n_nodes > PXF_CONF_MAX_NODES) {
		pxf_conf_parser_error(p, mark, "too many values (more than %u)",
				      (guint)PXF_CONF_MAX_NODES);
		p->fatal = TRUE;
		return NULL;
	}
	return pxf_conf_node_new(kind, p->file, pxf_conf_mark_to_uint(mark->line),
				 pxf_conf_mark_to_uint(mark->column));
}

/* Anchors and tags would make a value mean something else than what is
 * written where it is, which defeats file:line:column reporting. */
static void
pxf_conf_parser_check_props(PxfConfParser *p,
			    const yaml_mark_t *mark,
			    const yaml_char_t *anchor,
			    const yaml_char_t *tag)
{
	if (anchor != NULL)
		pxf_conf_parser_error(p, mark,
				      "anchor '&%s': anchors and aliases are not supported",
				      (const gchar *)anchor);
	if (tag != NULL)
		pxf_conf_parser_error(p, mark, "tag '%s': tags are not supported",
				      (const gchar *)tag);
}

static void
pxf_conf_parser_syntax_error(PxfConfParser *p, yaml_parser_t *parser, const gchar *data, gsize len)
{
	g_autoptr(GString) msg =
		g_string_new(parser->problem != NULL ? parser->problem : "invalid YAML");
	guint line = pxf_conf_mark_to_uint(parser->problem_mark.line);
	guint column = pxf_conf_mark_to_uint(parser->problem_mark.column);

	if (parser->error == YAML_MEMORY_ERROR) {
		g_string_assign(msg, "out of memory while parsing");
	} else if (parser->error == YAML_READER_ERROR) {
		/* reader errors only carry a byte offset: find its line ourselves */
		gsize offset = MIN(parser->problem_offset, len);
		gsize bol = 0;
		line = 1;
		for (gsize i = 0; i < offset; i++) {
			if (data[i] == '\n') {
				line++;
				bol = i + 1;
			}
		}
		column = (guint)MIN(offset - bol + 1, G_MAXUINT);
		g_string_append_printf(msg, " (byte offset %" G_GSIZE_FORMAT ")", offset);
	}
	if (parser->context != NULL) {
		g_string_append_printf(msg, " (%s at line %u, column %u)", parser->context,
				       pxf_conf_mark_to_uint(parser->context_mark.line),
				       pxf_conf_mark_to_uint(parser->context_mark.column));
	}
	pxf_diags_add(p->diags, FALSE, p->file, line, column, NULL, "syntax error: %s", msg->str);
}

/* Returns FALSE when parsing must stop. */
static gboolean
pxf_conf_parser_event(PxfConfParser *p, yaml_event_t *event, guint *n_docs)
{
	PxfConfNode *node;
	PxfConfFrame frame = {.node = NULL};

	switch (event->type) {
	case YAML_STREAM_END_EVENT:
		return FALSE;
	case YAML_DOCUMENT_START_EVENT:
		if (++(*n_docs) > 1) {
			pxf_conf_parser_error(p, &event->start_mark,
					      "multiple documents are not supported");
			return FALSE;
		}
		return TRUE;
	case YAML_ALIAS_EVENT:
		pxf_conf_parser_error(p, &event->start_mark,
				      "alias '*%s': anchors and aliases are not supported",
				      (const gchar *)event->data.alias.anchor);
		/* keep going as if it were an empty value to find more errors */
		node = pxf_conf_parser_new_node(p, PXF_CONF_NODE_SCALAR, &event->start_mark);
		if (node == NULL)
			return FALSE;
		pxf_conf_parser_attach(p, node);
		return TRUE;
	case YAML_SCALAR_EVENT:
		pxf_conf_parser_check_props(p, &event->start_mark, event->data.scalar.anchor,
					    event->data.scalar.tag);
		node = pxf_conf_parser_new_node(p, PXF_CONF_NODE_SCALAR, &event->start_mark);
		if (node == NULL)
			return FALSE;
		node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (event->data.scalar.length > G_MAXSSIZE ||
		    !g_utf8_validate_len((const gchar *)event->data.scalar.value,
					 event->data.scalar.length, NULL)) {
			pxf_conf_parser_error(p, &event->start_mark,
					      "value contains a NUL character or invalid UTF-8");
		} else {
			g_free(node->scalar);
			node->scalar = g_strndup((const gchar *)event->data.scalar.value,
						 event->data.scalar.length);
		}
		pxf_conf_parser_attach(p, node);
		return TRUE;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (event->type == YAML_SEQUENCE_START_EVENT)
			pxf_conf_parser_check_props(p, &event->start_mark,
						    event->data.sequence_start.anchor,
						    event->data.sequence_start.tag);
		else
			pxf_conf_parser_check_props(p, &event->start_mark,
						    event->data.mapping_start.anchor,
						    event->data.mapping_start.tag);
		if (p->stack->len >= PXF_CONF_MAX_DEPTH) {
			pxf_conf_parser_error(p, &event->start_mark,
					      "nesting is deeper than %u levels",
					      (guint)PXF_CONF_MAX_DEPTH);
			p->fatal = TRUE;
			return FALSE;
		}
		frame.node = pxf_conf_parser_new_node(p,
						      event->type == YAML_SEQUENCE_START_EVENT
							      ? PXF_CONF_NODE_SEQ
							      : PXF_CONF_NODE_MAP,
						      &event->start_mark);
		if (frame.node == NULL)
			return FALSE;
		g_array_append_val(p->stack, frame);
		return TRUE;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (p->stack->len == 0)
			return FALSE; /* libyaml never does this */
		frame = g_array_index(p->stack, PxfConfFrame, p->stack->len - 1);
		g_array_set_size(p->stack, p->stack->len - 1);
		node = g_steal_pointer(&frame.node);
		pxf_conf_frame_clear(&frame);
		pxf_conf_parser_attach(p, node);
		return TRUE;
	default:
		return TRUE;
	}
}

PxfConfNode *
pxf_conf_parse_data(const gchar *file, const gchar *data, gsize len, GPtrArray *diags)
{
	PxfConfParser p = {.file = file, .diags = diags};
	yaml_parser_t parser;
	guint n_docs = 0;
	gboolean syntax_error = FALSE;
	PxfConfNode *root;

	g_return_val_if_fail(file != NULL, NULL);
	g_return_val_if_fail(data != NULL || len == 0, NULL);

	if (!yaml_parser_initialize(&parser)) {
		pxf_diags_add(diags, FALSE, file, 0, 0, NULL, "cannot initialize the YAML parser");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)(data != NULL ? data : ""),
				     len);
	p.stack = g_array_new(FALSE, TRUE, sizeof(PxfConfFrame));
	for (;;) {
		yaml_event_t event;
		gboolean more;

		if (!yaml_parser_parse(&parser, &event)) {
			pxf_conf_parser_syntax_error(&p, &parser, data, len);
			syntax_error = TRUE;
			break;
		}
		more = pxf_conf_parser_event(&p, &event, &n_docs);
		yaml_event_delete(&event);
		if (!more)
			break;
	}
	yaml_parser_delete(&parser);
	for (guint i = 0; i < p.stack->len; i++)
		pxf_conf_frame_clear(&g_array_index(p.stack, PxfConfFrame, i));
	g_array_unref(p.stack);

	root = g_steal_pointer(&p.root);
	if (syntax_error || p.fatal) {
		pxf_conf_node_unref(root);
		return NULL;
	}
	if (root == NULL)
		return pxf_conf_node_new(PXF_CONF_NODE_MAP, file, 1, 1);
	if (root->kind != PXF_CONF_NODE_MAP) {
		PxfConfNode *empty =
			pxf_conf_node_new(PXF_CONF_NODE_MAP, file, root->line, root->column);
		/* a document holding only "~" or "---" is as good as empty */
		if (!pxf_conf_node_is_null(root)) {
			pxf_diags_add(diags, FALSE, file, root->line, root->column, NULL,
				      "the top level must be a mapping, not a %s",
				      pxf_conf_node_kind_to_string(root->kind));
		}
		pxf_conf_node_unref(root);
		return empty;
	}
	return root;
}

PxfConfNode *
pxf_conf_parse_file(const gchar *path, GPtrArray *diags)
{
	g_autofree gchar *data = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;

	g_return_val_if_fail(path != NULL, NULL);

	/* a FIFO, a link to /dev/zero or a stray disk image in conf.d is refused
	 * before it blocks us or is slurped */
	if (!pxf_file_get_contents(path, PXF_CONF_MAX_FILE_SIZE, &data, &len, &error)) {
		pxf_diags_add(diags, FALSE, path, 0, 0, NULL, "cannot read file: %s",
			      pxf_file_error_reason(error, path));
		return NULL;
	}
	return pxf_conf_parse_data(path, data, len, diags);
}

/* ------------------------------------------------------------------------ */
/* merging */

/* A map that is also referenced from elsewhere (another file's tree, an
 * earlier merge) is copied before it is changed: merging never edits a tree
 * the caller did not hand in as base. */
static PxfConfNode *
pxf_conf_node_copy_map(PxfConfNode *map)
{
	PxfConfNode *copy = pxf_conf_node_new(PXF_CONF_NODE_MAP, map->file, map->line, map->column);
	for (guint i = 0; i < map->keys->len; i++) {
		g_ptr_array_add(copy->keys, pxf_conf_node_ref(map->keys->pdata[i]));
		g_ptr_array_add(copy->items, pxf_conf_node_ref(map->items->pdata[i]));
	}
	return copy;
}

void
pxf_conf_merge(PxfConfNode *base, PxfConfNode *overlay, gboolean top_level)
{
	g_return_if_fail(base != NULL && base->kind == PXF_CONF_NODE_MAP);
	g_return_if_fail(overlay != NULL && overlay->kind == PXF_CONF_NODE_MAP);

	for (guint i = 0; i < overlay->keys->len; i++) {
		PxfConfNode *key = g_ptr_array_index(overlay->keys, i);
		PxfConfNode *value = g_ptr_array_index(overlay->items, i);
		PxfConfNode *base_key = NULL;
		PxfConfNode *base_value = pxf_conf_node_lookup(base, key->scalar, &base_key);

		if (base_value != NULL && base_value->kind == PXF_CONF_NODE_MAP &&
		    value->kind == PXF_CONF_NODE_MAP) {
			if (g_atomic_int_get(&base_value->ref_count) > 1) {
				g_autoptr(PxfConfNode) copy = pxf_conf_node_copy_map(base_value);
				pxf_conf_node_map_set(base, base_key, copy);
				base_value = copy;
			}
			pxf_conf_merge(base_value, value, FALSE);
			continue;
		}
		if (top_level && base_value != NULL && g_strcmp0(key->scalar, "hosts") == 0 &&
		    base_value->kind == PXF_CONF_NODE_SEQ && value->kind == PXF_CONF_NODE_SEQ) {
			g_autoptr(PxfConfNode) seq =
				pxf_conf_node_new(PXF_CONF_NODE_SEQ, base_value->file,
						  base_value->line, base_value->column);
			for (guint j = 0; j < base_value->items->len; j++)
				g_ptr_array_add(seq->items,
						pxf_conf_node_ref(base_value->items->pdata[j]));
			for (guint j = 0; j < value->items->len; j++)
				g_ptr_array_add(seq->items,
						pxf_conf_node_ref(value->items->pdata[j]));
			pxf_conf_node_map_set(base, base_key, seq);
			continue;
		}
		/* anything else: the later file wins, key position included */
		pxf_conf_node_map_set(base, key, value);
	}
}

/* ------------------------------------------------------------------------ */
/* loading a configuration directory */

static gboolean
pxf_conf_is_snippet_name(const gchar *name)
{
	/* backup and package-manager leftovers never end in .yaml/.yml, so the
	 * suffix test already skips foo.yaml~ and foo.yaml.dpkg-old */
	if (name[0] == '.')
		return FALSE;
	return g_str_has_suffix(name, ".yaml") || g_str_has_suffix(name, ".yml");
}

static gint
pxf_conf_strcmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const gchar *const *)a, *(const gchar *const *)b);
}

static void
pxf_conf_load_one(PxfConfNode *root, const gchar *path, GPtrArray *diags)
{
	g_autoptr(PxfConfNode) tree = pxf_conf_parse_file(path, diags);
	if (tree != NULL)
		pxf_conf_merge(root, tree, TRUE);
}

PxfConfNode *
pxf_conf_load_dir(const gchar *dir, GPtrArray *diags)
{
	g_autofree gchar *main_path = NULL;
	g_autofree gchar *confd = NULL;
	g_autoptr(PxfConfNode) root = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) gdir = NULL;
	const gchar *name;

	g_return_val_if_fail(dir != NULL, NULL);

	root = pxf_conf_node_new(PXF_CONF_NODE_MAP, dir, 0, 0);
	main_path = g_build_filename(dir, "pxeforge.yaml", NULL);
	if (g_file_test(main_path, G_FILE_TEST_EXISTS) ||
	    g_file_test(main_path, G_FILE_TEST_IS_SYMLINK))
		pxf_conf_load_one(root, main_path, diags);

	confd = g_build_filename(dir, "conf.d", NULL);
	gdir = g_dir_open(confd, 0, &error);
	if (gdir == NULL) {
		if (!g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			pxf_diags_add(diags, FALSE, confd, 0, 0, NULL, "cannot read directory: %s",
				      error->message);
		return g_steal_pointer(&root);
	}
	while ((name = g_dir_read_name(gdir)) != NULL) {
		if (pxf_conf_is_snippet_name(name))
			g_ptr_array_add(names, g_strdup(name));
	}
	g_ptr_array_sort(names, pxf_conf_strcmp);
	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *path = g_build_filename(confd, names->pdata[i], NULL);
		pxf_conf_load_one(root, path, diags);
	}
	return g_steal_pointer(&root);
}
