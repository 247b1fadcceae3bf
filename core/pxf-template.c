/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-template"

#include <string.h>

#include "pxf-file.h"
#include "pxf-template-private.h"
#include "pxf-vars.h"

#define PXF_TEMPLATE_MAX_SECTION_DEPTH	64
#define PXF_TEMPLATE_MAX_FILE_SIZE	(16u * 1024 * 1024)
#define PXF_TEMPLATE_DEFAULT_MAX_OUTPUT ((gsize)64 * 1024 * 1024)
#define PXF_TEMPLATE_DEFAULT_MAX_STEPS	((guint64)16 * 1024 * 1024)
#define PXF_TEMPLATE_DISPLAY_NAME_MAX	64

GQuark
pxf_template_error_quark(void)
{
	return g_quark_from_static_string("pxf-template-error-quark");
}

static void
pxf_node_free(PxfNode *node)
{
	if (node == NULL)
		return;
	g_free(node->name);
	g_strfreev(node->path);
	g_free(node->indent);
	if (node->children != NULL)
		g_ptr_array_unref(node->children);
	g_free(node);
}

static GPtrArray *
pxf_node_array_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)pxf_node_free);
}

gchar *
pxf_template_display(const gchar *text, gssize len)
{
	g_autofree gchar *valid = g_utf8_make_valid(text, len);
	if (g_utf8_strlen(valid, -1) > PXF_TEMPLATE_DISPLAY_NAME_MAX) {
		gchar *end = g_utf8_offset_to_pointer(valid, PXF_TEMPLATE_DISPLAY_NAME_MAX);
		return g_strdup_printf("%.*s…", (gint)(end - valid), valid);
	}
	return g_steal_pointer(&valid);
}

gchar *
pxf_template_display_name(PxfTemplate *tpl)
{
	return g_utf8_make_valid(tpl->name, -1);
}

/* ---- parser ---- */

typedef struct {
	PxfTemplate *tpl;
	const gchar *src;
	gsize len;
	gsize pos; /* start of text not yet turned into nodes */
	gchar *otag;
	gchar *ctag;
	gsize line_pos; /* line counting is incremental: positions only grow */
	guint line;
	GPtrArray *open;     /* PxfNode* sections not yet closed (borrowed) */
	GPtrArray *children; /* where new nodes go (borrowed) */
} PxfParser;

static guint
pxf_parser_line_at(PxfParser *p, gsize pos)
{
	if (pos < p->line_pos) {
		p->line_pos = 0;
		p->line = 1;
	}
	while (p->line_pos < pos) {
		const gchar *nl = memchr(p->src + p->line_pos, '\n', pos - p->line_pos);
		if (nl == NULL) {
			p->line_pos = pos;
			break;
		}
		p->line++;
		p->line_pos = (gsize)(nl - p->src) + 1;
	}
	return p->line;
}

static gboolean pxf_parser_error(PxfParser *p, gsize pos, GError **error, const gchar *fmt, ...)
	G_GNUC_PRINTF(4, 5);

static gboolean
pxf_parser_error(PxfParser *p, gsize pos, GError **error, const gchar *fmt, ...)
{
	va_list args;
	g_autofree gchar *msg = NULL;
	g_autofree gchar *name = pxf_template_display_name(p->tpl);

	va_start(args, fmt);
	msg = g_strdup_vprintf(fmt, args);
	va_end(args);
	g_set_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_SYNTAX, "%s:%u: %s", name,
		    pxf_parser_line_at(p, pos), msg);
	return FALSE;
}

static const gchar *
pxf_find(const gchar *hay, gsize hay_len, const gchar *needle, gsize needle_len)
{
	const gchar *end = hay + hay_len;

	if (needle_len == 0 || hay_len < needle_len)
		return NULL;
	for (const gchar *p = hay; (gsize)(end - p) >= needle_len; p++) {
		p = memchr(p, needle[0], (gsize)(end - p) - needle_len + 1);
		if (p == NULL)
			return NULL;
		if (memcmp(p, needle, needle_len) == 0)
			return p;
	}
	return NULL;
}

static gboolean
pxf_is_line_start(PxfParser *p, gsize pos)
{
	return pos == 0 || p->src[pos - 1] == '\n';
}

static PxfNode *
pxf_parser_add(PxfParser *p, PxfNodeKind kind, gsize pos)
{
	PxfNode *node = g_new0(PxfNode, 1);
	node->kind = kind;
	node->line = pxf_parser_line_at(p, pos);
	node->starts_line = pxf_is_line_start(p, pos);
	g_ptr_array_add(p->children, node);
	return node;
}

static void
pxf_parser_add_text(PxfParser *p, gsize start, gsize end)
{
	PxfNode *node;

	if (end <= start)
		return;
	node = pxf_parser_add(p, PXF_NODE_TEXT, start);
	node->start = start;
	node->len = end - start;
}

static gchar *
pxf_strip(const gchar *text, gsize len)
{
	while (len > 0 && g_ascii_isspace(text[0])) {
		text++;
		len--;
	}
	while (len > 0 && g_ascii_isspace(text[len - 1]))
		len--;
	return g_strndup(text, len);
}

static gchar **
pxf_name_to_path(const gchar *name)
{
	if (g_strcmp0(name, ".") == 0)
		return NULL;
	return g_strsplit(name, ".", -1);
}

/* "{{=<% %>=}}": content is what lies between the two '='; the new
 * delimiters are two words without whitespace or '='. */
static gboolean
pxf_parser_set_delimiters(PxfParser *p, const gchar *content, gsize len, gsize pos, GError **error)
{
	g_autofree gchar *stripped = NULL;
	g_auto(GStrv) parts = NULL;
	const gchar *words[2] = {NULL, NULL};
	guint n = 0;

	if (memchr(content, '\0', len) != NULL)
		return pxf_parser_error(p, pos, error, "bad set-delimiter tag");
	stripped = pxf_strip(content, len);
	for (gchar *c = stripped; *c != '\0'; c++) {
		if (g_ascii_isspace(*c))
			*c = ' ';
	}
	parts = g_strsplit(stripped, " ", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0')
			continue;
		if (n == 2 || strchr(parts[i], '=') != NULL)
			return pxf_parser_error(p, pos, error, "bad set-delimiter tag");
		words[n++] = parts[i];
	}
	if (n != 2)
		return pxf_parser_error(p, pos, error, "bad set-delimiter tag");
	g_free(p->otag);
	g_free(p->ctag);
	p->otag = g_strdup(words[0]);
	p->ctag = g_strdup(words[1]);
	return TRUE;
}

static gboolean
pxf_parser_is_standalone_kind(gchar type)
{
	return type == '#' || type == '^' || type == '/' || type == '!' || type == '>' ||
	       type == '=';
}

/* One tag at tag_start; advances p->pos past it (and past its line when
 * the tag is standalone). */
static gboolean
pxf_parser_tag(PxfParser *p, gsize tag_start, GError **error)
{
	gsize olen = strlen(p->otag);
	gsize inner = tag_start + olen;
	gchar type = inner < p->len ? p->src[inner] : '\0';
	g_autofree gchar *close = NULL;
	const gchar *close_at;
	gsize content_end, tag_end;
	gsize line_begin = tag_start;
	gsize next;
	gboolean standalone = FALSE;
	g_autofree gchar *name = NULL;
	g_autofree gchar *shown = NULL;
	PxfNode *node;

	if (strchr("!#^/>=&{", type) != NULL && type != '\0')
		inner++;
	else
		type = '\0';
	if (type == '{')
		close = g_strconcat("}", p->ctag, NULL);
	else if (type == '=')
		close = g_strconcat("=", p->ctag, NULL);
	else
		close = g_strdup(p->ctag);
	close_at = pxf_find(p->src + inner, p->len - inner, close, strlen(close));
	if (close_at == NULL) {
		if (type == '=')
			return pxf_parser_error(p, tag_start, error, "bad set-delimiter tag");
		return pxf_parser_error(p, tag_start, error, "unclosed tag");
	}
	content_end = (gsize)(close_at - p->src);
	tag_end = content_end + strlen(close);
	next = tag_end;

	/* the spec's standalone rule: only whitespace before and after on the line */
	if (pxf_parser_is_standalone_kind(type)) {
		gsize after = tag_end;
		while (line_begin > p->pos &&
		       (p->src[line_begin - 1] == ' ' || p->src[line_begin - 1] == '\t'))
			line_begin--;
		while (after < p->len && (p->src[after] == ' ' || p->src[after] == '\t'))
			after++;
		if (pxf_is_line_start(p, line_begin)) {
			if (after == p->len) {
				standalone = TRUE;
				next = after;
			} else if (p->src[after] == '\n') {
				standalone = TRUE;
				next = after + 1;
			} else if (p->src[after] == '\r' && after + 1 < p->len &&
				   p->src[after + 1] == '\n') {
				standalone = TRUE;
				next = after + 2;
			}
		}
	}
	if (!standalone)
		line_begin = tag_start;
	pxf_parser_add_text(p, p->pos, line_begin);
	p->pos = next;

	if (type == '!')
		return TRUE;
	if (type == '=')
		return pxf_parser_set_delimiters(p, p->src + inner, content_end - inner, tag_start,
						 error);

	name = pxf_strip(p->src + inner, content_end - inner);
	if (name[0] == '\0')
		return pxf_parser_error(p, tag_start, error, "empty tag name");
	shown = pxf_template_display(name, -1);

	if (type == '/') {
		PxfNode *top;
		if (p->open->len == 0)
			return pxf_parser_error(p, tag_start, error, "unexpected closing tag '%s'",
						shown);
		top = g_ptr_array_index(p->open, p->open->len - 1);
		if (g_strcmp0(top->name, name) != 0) {
			g_autofree gchar *expected = pxf_template_display(top->name, -1);
			return pxf_parser_error(p, tag_start, error,
						"mismatched closing tag '%s', expected '%s' "
						"(opened on line %u)",
						shown, expected, top->line);
		}
		g_ptr_array_remove_index(p->open, p->open->len - 1);
		if (p->open->len > 0) {
			PxfNode *parent = g_ptr_array_index(p->open, p->open->len - 1);
			p->children = parent->children;
		} else {
			p->children = p->tpl->nodes;
		}
		return TRUE;
	}

	if (type == '#' || type == '^') {
		if (p->open->len >= PXF_TEMPLATE_MAX_SECTION_DEPTH)
			return pxf_parser_error(p, tag_start, error,
						"sections nested deeper than %u",
						(guint)PXF_TEMPLATE_MAX_SECTION_DEPTH);
		node = pxf_parser_add(p, type == '#' ? PXF_NODE_SECTION : PXF_NODE_INVERTED,
				      tag_start);
		node->name = g_steal_pointer(&name);
		node->path = pxf_name_to_path(node->name);
		node->children = pxf_node_array_new();
		/* a standalone tag's line is gone: nothing to indent */
		if (standalone)
			node->starts_line = FALSE;
		g_ptr_array_add(p->open, node);
		p->children = node->children;
		return TRUE;
	}

	if (type == '>') {
		node = pxf_parser_add(p, PXF_NODE_PARTIAL, tag_start);
		node->name = g_steal_pointer(&name);
		if (standalone) {
			node->indent = g_strndup(p->src + line_begin, tag_start - line_begin);
			node->starts_line = FALSE;
		}
		return TRUE;
	}

	/* {{name}}, {{&name}}, {{{name}}}: all unescaped */
	node = pxf_parser_add(p, PXF_NODE_VAR, tag_start);
	node->name = g_steal_pointer(&name);
	node->path = pxf_name_to_path(node->name);
	return TRUE;
}

static gboolean
pxf_template_parse(PxfTemplate *self, GError **error)
{
	g_autoptr(GPtrArray) open = g_ptr_array_new();
	PxfParser p = {
		.tpl = self,
		.src = self->source,
		.len = self->len,
		.otag = g_strdup("{{"),
		.ctag = g_strdup("}}"),
		.line = 1,
		.open = open,
		.children = self->nodes,
	};
	gboolean ret = TRUE;

	while (ret) {
		const gchar *tag = pxf_find(p.src + p.pos, p.len - p.pos, p.otag, strlen(p.otag));
		if (tag == NULL) {
			pxf_parser_add_text(&p, p.pos, p.len);
			break;
		}
		ret = pxf_parser_tag(&p, (gsize)(tag - p.src), error);
	}
	if (ret && open->len > 0) {
		PxfNode *node = g_ptr_array_index(open, open->len - 1);
		g_autofree gchar *shown = pxf_template_display(node->name, -1);
		g_autofree gchar *name = pxf_template_display_name(self);
		g_set_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_SYNTAX,
			    "%s:%u: unclosed section '%s'", name, node->line, shown);
		ret = FALSE;
	}
	g_free(p.otag);
	g_free(p.ctag);
	return ret;
}

PxfTemplate *
pxf_template_new(const gchar *name, const gchar *text, gsize len, GError **error)
{
	g_autoptr(PxfTemplate) self = g_new0(PxfTemplate, 1);

	g_return_val_if_fail(text != NULL || len == 0, NULL);

	if (len == G_MAXSIZE)
		len = strlen(text);
	self->name = g_strdup(name != NULL ? name : "template");
	/* not g_strndup: NUL bytes in the input must not cut the template short */
	self->source = g_malloc(len + 1);
	if (len > 0)
		memcpy(self->source, text, len);
	self->source[len] = '\0';
	self->len = len;
	self->nodes = pxf_node_array_new();
	self->max_output = PXF_TEMPLATE_DEFAULT_MAX_OUTPUT;
	self->max_steps = PXF_TEMPLATE_DEFAULT_MAX_STEPS;
	if (!pxf_template_parse(self, error))
		return NULL;
	return g_steal_pointer(&self);
}

PxfTemplate *
pxf_template_new_from_file(const gchar *path, GError **error)
{
	g_autofree gchar *data = NULL;
	gsize len = 0;

	g_return_val_if_fail(path != NULL, NULL);

	/* a template must be a regular file: a FIFO or a device is refused
	 * before it is read */
	if (!pxf_file_get_contents(path, PXF_TEMPLATE_MAX_FILE_SIZE, &data, &len, error))
		return NULL;
	return pxf_template_new(path, data, len, error);
}

void
pxf_template_free(PxfTemplate *self)
{
	if (self == NULL)
		return;
	g_free(self->name);
	g_free(self->source);
	if (self->nodes != NULL)
		g_ptr_array_unref(self->nodes);
	g_free(self);
}

const gchar *
pxf_template_get_name(PxfTemplate *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->name;
}

void
pxf_template_set_max_output(PxfTemplate *self, gsize max_output)
{
	g_return_if_fail(self != NULL);
	self->max_output = max_output > 0 ? max_output : PXF_TEMPLATE_DEFAULT_MAX_OUTPUT;
}

void
pxf_template_set_max_steps(PxfTemplate *self, guint64 max_steps)
{
	g_return_if_fail(self != NULL);
	self->max_steps = max_steps > 0 ? max_steps : PXF_TEMPLATE_DEFAULT_MAX_STEPS;
}

/* ---- rendering ---- */

typedef struct {
	PxfVars *vars;
	PxfTemplatePartialFunc partials;
	gpointer partials_data;
	GHashTable *partial_cache; /* name → PxfTemplate or NULL (not found, renders empty) */
	GPtrArray *stack;	   /* GVariant* contexts pushed by sections, may hold NULL */
	GString *out;
	gsize out_start;
	gsize max_output;
	guint64 steps;
	guint64 max_steps;
	guint partial_depth;
} PxfRender;

typedef struct {
	PxfTemplate *tpl;
	const gchar *indent; /* standalone partial indentation, NULL when none */
} PxfFrame;

static gboolean pxf_render_nodes(PxfRender *r, PxfFrame *frame, GPtrArray *nodes, GError **error);

static gboolean
pxf_render_error(PxfFrame *frame, PxfNode *node, gint code, GError **error, const gchar *fmt, ...)
	G_GNUC_PRINTF(5, 6);

static gboolean
pxf_render_error(PxfFrame *frame, PxfNode *node, gint code, GError **error, const gchar *fmt, ...)
{
	va_list args;
	g_autofree gchar *msg = NULL;
	g_autofree gchar *name = pxf_template_display_name(frame->tpl);

	va_start(args, fmt);
	msg = g_strdup_vprintf(fmt, args);
	va_end(args);
	g_set_error(error, PXF_TEMPLATE_ERROR, code, "%s:%u: %s", name, node->line, msg);
	return FALSE;
}

static gboolean
pxf_render_check_output(PxfRender *r, PxfFrame *frame, PxfNode *node, GError **error)
{
	if (r->out->len - r->out_start <= r->max_output)
		return TRUE;
	return pxf_render_error(frame, node, PXF_TEMPLATE_ERROR_FAILED, error,
				"output larger than %" G_GSIZE_FORMAT " bytes", r->max_output);
}

static void
pxf_variant_unref0(GVariant *value)
{
	if (value != NULL)
		g_variant_unref(value);
}

/* Strips "v" and "m" wrappers; transfer full, NULL for "nothing". */
static GVariant *
pxf_variant_unbox(GVariant *value)
{
	g_autoptr(GVariant) cur = value;

	while (cur != NULL) {
		GVariant *inner;
		GVariantClass klass = g_variant_classify(cur);
		if (klass == G_VARIANT_CLASS_VARIANT)
			inner = g_variant_get_variant(cur);
		else if (klass == G_VARIANT_CLASS_MAYBE)
			inner = g_variant_get_maybe(cur);
		else
			break;
		g_variant_unref(cur);
		cur = inner;
	}
	return g_steal_pointer(&cur);
}

/* a{s*}; by type string since G_VARIANT_TYPE() validates on every call */
static gboolean
pxf_variant_is_dict(GVariant *value)
{
	const gchar *type = g_variant_get_type_string(value);
	return type[0] == 'a' && type[1] == '{' && type[2] == 's';
}

static GVariant *
pxf_variant_lookup(GVariant *ctx, const gchar *key)
{
	if (ctx == NULL || !pxf_variant_is_dict(ctx))
		return NULL;
	return pxf_variant_unbox(g_variant_lookup_value(ctx, key, NULL));
}

/* The spec's resolution: the first segment is looked up from the innermost
 * context outwards (the PxfVars scope last), the rest only inside it. */
static GVariant *
pxf_render_resolve(PxfRender *r, PxfNode *node)
{
	g_autoptr(GVariant) value = NULL;

	if (node->path == NULL) {
		GVariant *top;
		if (r->stack->len == 0)
			return NULL;
		top = g_ptr_array_index(r->stack, r->stack->len - 1);
		return top != NULL ? g_variant_ref(top) : NULL;
	}
	/* ".x", "x..y": an empty segment never names anything */
	for (guint i = 0; node->path[i] != NULL; i++) {
		if (node->path[i][0] == '\0')
			return NULL;
	}
	for (guint i = r->stack->len; i > 0 && value == NULL; i--)
		value = pxf_variant_lookup(g_ptr_array_index(r->stack, i - 1), node->path[0]);
	if (value == NULL) {
		if (r->vars == NULL)
			return NULL;
		/* honours flat names such as "dhcp.next_server" set by plugins */
		if (node->path[1] != NULL) {
			GVariant *flat = pxf_vars_lookup(r->vars, node->name);
			if (flat != NULL)
				return pxf_variant_unbox(flat);
		}
		value = pxf_variant_unbox(pxf_vars_lookup(r->vars, node->path[0]));
	}
	for (guint i = 1; node->path[i] != NULL && value != NULL; i++) {
		GVariant *child = pxf_variant_lookup(value, node->path[i]);
		g_variant_unref(value);
		value = child;
	}
	return g_steal_pointer(&value);
}

static void
pxf_render_append_value(GString *out, GVariant *value)
{
	gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (value == NULL)
		return;
	switch (g_variant_classify(value)) {
	case G_VARIANT_CLASS_BOOLEAN:
		g_string_append(out, g_variant_get_boolean(value) ? "true" : "false");
		break;
	case G_VARIANT_CLASS_BYTE:
		g_string_append_printf(out, "%u", (guint)g_variant_get_byte(value));
		break;
	case G_VARIANT_CLASS_INT16:
		g_string_append_printf(out, "%d", (gint)g_variant_get_int16(value));
		break;
	case G_VARIANT_CLASS_UINT16:
		g_string_append_printf(out, "%u", (guint)g_variant_get_uint16(value));
		break;
	case G_VARIANT_CLASS_INT32:
		g_string_append_printf(out, "%" G_GINT32_FORMAT, g_variant_get_int32(value));
		break;
	case G_VARIANT_CLASS_UINT32:
		g_string_append_printf(out, "%" G_GUINT32_FORMAT, g_variant_get_uint32(value));
		break;
	case G_VARIANT_CLASS_INT64:
		g_string_append_printf(out, "%" G_GINT64_FORMAT, g_variant_get_int64(value));
		break;
	case G_VARIANT_CLASS_UINT64:
		g_string_append_printf(out, "%" G_GUINT64_FORMAT, g_variant_get_uint64(value));
		break;
	case G_VARIANT_CLASS_HANDLE:
		g_string_append_printf(out, "%" G_GINT32_FORMAT, g_variant_get_handle(value));
		break;
	case G_VARIANT_CLASS_DOUBLE:
		/* not printf: the daemon's locale must not turn 1.5 into "1,5" */
		g_string_append(
			out, g_ascii_formatd(buf, sizeof(buf), "%g", g_variant_get_double(value)));
		break;
	case G_VARIANT_CLASS_STRING:
	case G_VARIANT_CLASS_OBJECT_PATH:
	case G_VARIANT_CLASS_SIGNATURE: {
		gsize len = 0;
		const gchar *str = g_variant_get_string(value, &len);
		g_string_append_len(out, str, (gssize)len);
		break;
	}
	default:
		/* arrays, dictionaries, tuples: nothing printable */
		break;
	}
}

/* Mustache: missing, false and the empty list are falsy; pxeforge adds the
 * empty string (a YAML "key:" with no value). Dictionaries are always truthy. */
static gboolean
pxf_render_is_falsy(GVariant *value)
{
	if (value == NULL)
		return TRUE;
	switch (g_variant_classify(value)) {
	case G_VARIANT_CLASS_BOOLEAN:
		return !g_variant_get_boolean(value);
	case G_VARIANT_CLASS_STRING:
	case G_VARIANT_CLASS_OBJECT_PATH:
	case G_VARIANT_CLASS_SIGNATURE:
		return g_variant_get_size(value) <= 1;
	case G_VARIANT_CLASS_ARRAY:
		return !pxf_variant_is_dict(value) && g_variant_n_children(value) == 0;
	default:
		return FALSE;
	}
}

static gboolean
pxf_render_step(PxfRender *r, PxfFrame *frame, PxfNode *node, GError **error)
{
	if (++r->steps <= r->max_steps)
		return TRUE;
	return pxf_render_error(frame, node, PXF_TEMPLATE_ERROR_FAILED, error,
				"rendering takes more than %" G_GUINT64_FORMAT
				" steps (runaway loop or recursion?)",
				r->max_steps);
}

static gboolean
pxf_render_push(PxfRender *r, PxfFrame *frame, PxfNode *node, GVariant *ctx, GError **error)
{
	gboolean ret;

	g_ptr_array_add(r->stack, ctx);
	ret = pxf_render_nodes(r, frame, node->children, error);
	g_ptr_array_remove_index(r->stack, r->stack->len - 1);
	return ret;
}

static gboolean
pxf_render_section(PxfRender *r, PxfFrame *frame, PxfNode *node, GError **error)
{
	g_autoptr(GVariant) value = pxf_render_resolve(r, node);
	gboolean falsy = pxf_render_is_falsy(value);

	if (node->kind == PXF_NODE_INVERTED)
		return falsy ? pxf_render_nodes(r, frame, node->children, error) : TRUE;
	if (falsy)
		return TRUE;
	if (g_variant_classify(value) == G_VARIANT_CLASS_ARRAY && !pxf_variant_is_dict(value)) {
		gsize n = g_variant_n_children(value);
		for (gsize i = 0; i < n; i++) {
			GVariant *child = pxf_variant_unbox(g_variant_get_child_value(value, i));
			if (!pxf_render_step(r, frame, node, error)) {
				pxf_variant_unref0(child);
				return FALSE;
			}
			if (!pxf_render_push(r, frame, node, child, error))
				return FALSE;
		}
		return TRUE;
	}
	return pxf_render_push(r, frame, node, g_steal_pointer(&value), error);
}

static gboolean
pxf_render_get_partial(
	PxfRender *r, PxfFrame *frame, PxfNode *node, PxfTemplate **partial, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *shown = pxf_template_display(node->name, -1);
	PxfTemplate *tpl;

	if (g_hash_table_lookup_extended(r->partial_cache, node->name, NULL, (gpointer *)partial))
		return TRUE;
	if (r->partials == NULL)
		return pxf_render_error(frame, node, PXF_TEMPLATE_ERROR_PARTIAL, error,
					"partial '%s': no partial loader", shown);
	tpl = r->partials(node->name, r->partials_data, &error_local);
	/* NULL without an error is the spec's "not found renders empty" */
	if (tpl == NULL && error_local != NULL)
		return pxf_render_error(frame, node, PXF_TEMPLATE_ERROR_PARTIAL, error,
					"partial '%s': %s", shown, error_local->message);
	g_hash_table_insert(r->partial_cache, g_strdup(node->name), tpl);
	*partial = tpl;
	return TRUE;
}

static gboolean
pxf_render_partial(PxfRender *r, PxfFrame *frame, PxfNode *node, GError **error)
{
	PxfTemplate *tpl = NULL;
	g_autofree gchar *indent = NULL;
	PxfFrame child = {.tpl = NULL, .indent = NULL};
	gboolean ret;

	if (r->partial_depth >= PXF_TEMPLATE_MAX_PARTIAL_DEPTH) {
		g_autofree gchar *shown = pxf_template_display(node->name, -1);
		return pxf_render_error(frame, node, PXF_TEMPLATE_ERROR_PARTIAL, error,
					"partial '%s': partials nested more than %u deep", shown,
					(guint)PXF_TEMPLATE_MAX_PARTIAL_DEPTH);
	}
	if (!pxf_render_get_partial(r, frame, node, &tpl, error))
		return FALSE;
	if (tpl == NULL)
		return TRUE;
	/* a standalone partial is indented as if its source had been pasted
	 * in place of the tag; an inline one is not indented at all */
	if (node->indent != NULL)
		indent =
			g_strconcat(frame->indent != NULL ? frame->indent : "", node->indent, NULL);
	child.tpl = tpl;
	child.indent = indent != NULL && indent[0] != '\0' ? indent : NULL;
	r->partial_depth++;
	ret = pxf_render_nodes(r, &child, tpl->nodes, error);
	r->partial_depth--;
	return ret;
}

static gboolean
pxf_render_text(PxfRender *r, PxfFrame *frame, PxfNode *node, GError **error)
{
	const gchar *p = frame->tpl->source + node->start;
	const gchar *end = p + node->len;

	if (frame->indent == NULL) {
		g_string_append_len(r->out, p, (gssize)node->len);
		return pxf_render_check_output(r, frame, node, error);
	}
	if (node->starts_line)
		g_string_append(r->out, frame->indent);
	while (p < end) {
		const gchar *nl = memchr(p, '\n', (gsize)(end - p));
		const gchar *stop = nl != NULL ? nl + 1 : end;
		g_string_append_len(r->out, p, stop - p);
		p = stop;
		if (p < end)
			g_string_append(r->out, frame->indent);
		if (!pxf_render_check_output(r, frame, node, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_render_node(PxfRender *r, PxfFrame *frame, PxfNode *node, GError **error)
{
	if (!pxf_render_step(r, frame, node, error))
		return FALSE;
	if (node->kind == PXF_NODE_TEXT)
		return pxf_render_text(r, frame, node, error);
	if (node->starts_line && frame->indent != NULL)
		g_string_append(r->out, frame->indent);
	switch (node->kind) {
	case PXF_NODE_VAR: {
		g_autoptr(GVariant) value = pxf_render_resolve(r, node);
		pxf_render_append_value(r->out, value);
		return pxf_render_check_output(r, frame, node, error);
	}
	case PXF_NODE_SECTION:
	case PXF_NODE_INVERTED:
		return pxf_render_section(r, frame, node, error);
	case PXF_NODE_PARTIAL:
		return pxf_render_partial(r, frame, node, error);
	case PXF_NODE_TEXT:
	default:
		break;
	}
	return TRUE;
}

static gboolean
pxf_render_nodes(PxfRender *r, PxfFrame *frame, GPtrArray *nodes, GError **error)
{
	for (guint i = 0; i < nodes->len; i++) {
		if (!pxf_render_node(r, frame, g_ptr_array_index(nodes, i), error))
			return FALSE;
	}
	return TRUE;
}

gboolean
pxf_template_render(PxfTemplate *self,
		    PxfVars *vars,
		    PxfTemplatePartialFunc partials,
		    gpointer partials_data,
		    GString *out,
		    GError **error)
{
	g_autoptr(GHashTable) cache = NULL;
	g_autoptr(GPtrArray) stack = NULL;
	PxfFrame frame = {.tpl = self, .indent = NULL};
	PxfRender r = {0};

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(out != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
				      (GDestroyNotify)pxf_template_free);
	stack = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_variant_unref0);
	r.vars = vars;
	r.partials = partials;
	r.partials_data = partials_data;
	r.partial_cache = cache;
	r.stack = stack;
	r.out = out;
	r.out_start = out->len;
	r.max_output = self->max_output;
	r.max_steps = self->max_steps;
	if (!pxf_render_nodes(&r, &frame, self->nodes, error)) {
		/* no half-written configuration file */
		g_string_truncate(out, r.out_start);
		return FALSE;
	}
	return TRUE;
}
