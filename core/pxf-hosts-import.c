/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-inventory"

#include "pxf-inventory-private.h"

#include <string.h>
#include <yaml.h>

#include "pxf-file.h"
#include "pxf-yaml-writer.h"

/* `pxeforge hosts import`: every row of the import file becomes a host node
 * carrying the import file's name and the row's line, the nodes are appended
 * to the current configuration and the whole thing is validated by the
 * inventory — so an imported host is checked exactly like a hand-written
 * one, and duplicates against the existing hosts come for free. */

#define PXF_HOSTS_FILE_NAME "90-hosts.yaml"

static const gchar *const pxf_csv_columns[] = {"mac",	  "hostname", "ip", "uuid",
					       "profile", "netboot",  NULL};

/* ------------------------------------------------------------------------ */
/* CSV (RFC 4180, plus '#' comments and blank lines) */

typedef struct {
	gchar *text;
	guint line;
	guint column;
} PxfCsvField;

typedef struct {
	const gchar *file;
	const gchar *data;
	gsize len;
	gsize pos;
	guint line;
	gsize bol; /* offset of the current line's first byte */
	GPtrArray *diags;
} PxfCsvReader;

static void
pxf_csv_field_free(PxfCsvField *field)
{
	g_free(field->text);
	g_free(field);
}

static guint
pxf_csv_column(PxfCsvReader *r)
{
	return (guint)MIN(r->pos - r->bol + 1, G_MAXUINT);
}

static void
pxf_csv_newline(PxfCsvReader *r)
{
	r->pos++;
	r->line++;
	r->bol = r->pos;
}

/* Skips blank lines and comments; FALSE at the end of the data. */
static gboolean
pxf_csv_skip_ignorable(PxfCsvReader *r)
{
	while (r->pos < r->len) {
		gsize p = r->pos;
		while (p < r->len &&
		       (r->data[p] == ' ' || r->data[p] == '\t' || r->data[p] == '\r'))
			p++;
		if (p < r->len && r->data[p] != '\n' && r->data[p] != '#')
			return TRUE;
		while (p < r->len && r->data[p] != '\n')
			p++;
		r->pos = p;
		if (p < r->len)
			pxf_csv_newline(r);
	}
	return FALSE;
}

static void
pxf_csv_skip_line(PxfCsvReader *r)
{
	while (r->pos < r->len && r->data[r->pos] != '\n')
		r->pos++;
	if (r->pos < r->len)
		pxf_csv_newline(r);
}

/* One record into fields. Returns FALSE on an error that ends reading (an
 * unterminated quote swallows the rest of the file); *row_ok is FALSE when
 * only this record is bad (already reported, rest of the line skipped). */
static gboolean
pxf_csv_read_record(PxfCsvReader *r, GPtrArray *fields, guint *line, gboolean *row_ok)
{
	*line = r->line;
	*row_ok = TRUE;
	for (;;) {
		g_autoptr(GString) text = g_string_new(NULL);
		PxfCsvField *field = g_new0(PxfCsvField, 1);
		gchar c;

		while (r->pos < r->len && (r->data[r->pos] == ' ' || r->data[r->pos] == '\t'))
			r->pos++;
		field->line = r->line;
		field->column = pxf_csv_column(r);
		g_ptr_array_add(fields, field);
		if (r->pos < r->len && r->data[r->pos] == '"') {
			guint qline = r->line;
			guint qcol = pxf_csv_column(r);
			r->pos++;
			for (;;) {
				if (r->pos >= r->len) {
					pxf_diags_add(r->diags, FALSE, r->file, qline, qcol, NULL,
						      "unterminated quoted field");
					return FALSE;
				}
				c = r->data[r->pos];
				if (c == '"' && r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
					g_string_append_c(text, '"');
					r->pos += 2;
				} else if (c == '"') {
					r->pos++;
					break;
				} else if (c == '\n') {
					g_string_append_c(text, c);
					pxf_csv_newline(r);
				} else {
					g_string_append_c(text, c);
					r->pos++;
				}
			}
			while (r->pos < r->len &&
			       (r->data[r->pos] == ' ' || r->data[r->pos] == '\t' ||
				(r->data[r->pos] == '\r' && r->pos + 1 < r->len &&
				 r->data[r->pos + 1] == '\n')))
				r->pos++;
			if (r->pos < r->len && r->data[r->pos] != ',' && r->data[r->pos] != '\n') {
				pxf_diags_add(r->diags, FALSE, r->file, r->line, pxf_csv_column(r),
					      NULL, "unexpected text after a closing quote");
				*row_ok = FALSE;
				field->text = g_string_free(g_steal_pointer(&text), FALSE);
				pxf_csv_skip_line(r);
				return TRUE;
			}
			field->text = g_string_free(g_steal_pointer(&text), FALSE);
		} else {
			while (r->pos < r->len && r->data[r->pos] != ',' &&
			       r->data[r->pos] != '\n') {
				if (r->data[r->pos] == '"' && *row_ok) {
					pxf_diags_add(r->diags, FALSE, r->file, r->line,
						      pxf_csv_column(r), NULL,
						      "'\"' inside an unquoted field; quote the "
						      "whole field and double the '\"'");
					*row_ok = FALSE;
				}
				g_string_append_c(text, r->data[r->pos]);
				r->pos++;
			}
			/* spaces and a CR of a CRLF ending are not part of the value */
			field->text = g_strchomp(g_string_free(g_steal_pointer(&text), FALSE));
		}
		if (r->pos >= r->len)
			return TRUE;
		if (r->data[r->pos] == '\n') {
			pxf_csv_newline(r);
			return TRUE;
		}
		r->pos++; /* ',' */
	}
}

static gboolean
pxf_csv_read_header(PxfCsvReader *r, GPtrArray *header, guint *hline)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	gboolean row_ok;
	gboolean ok = TRUE;

	if (!pxf_csv_skip_ignorable(r)) {
		pxf_diags_add(r->diags, FALSE, r->file, r->line, 0, NULL,
			      "no header row (expected columns: mac, hostname, ip, profile, "
			      "uuid, netboot)");
		return FALSE;
	}
	if (!pxf_csv_read_record(r, header, hline, &row_ok) || !row_ok)
		return FALSE;
	for (guint i = 0; i < header->len; i++) {
		PxfCsvField *field = g_ptr_array_index(header, i);
		gchar *lower = g_ascii_strdown(field->text, -1);

		g_free(field->text);
		field->text = lower;
		if (!g_strv_contains(pxf_csv_columns, field->text)) {
			const gchar *best = pxf_inventory_suggest(field->text, pxf_csv_columns);
			g_autofree gchar *hint =
				best != NULL ? g_strdup_printf(" (did you mean '%s'?)", best)
					     : g_strdup("");
			pxf_diags_add(r->diags, FALSE, r->file, field->line, field->column, NULL,
				      "unknown column '%s'%s; the columns are mac, hostname, ip, "
				      "profile, uuid and netboot",
				      field->text, hint);
			ok = FALSE;
		} else if (g_hash_table_contains(seen, field->text)) {
			pxf_diags_add(r->diags, FALSE, r->file, field->line, field->column, NULL,
				      "column '%s' appears twice", field->text);
			ok = FALSE;
		}
		g_hash_table_add(seen, field->text);
	}
	if (ok && !g_hash_table_contains(seen, "mac")) {
		pxf_diags_add(r->diags, FALSE, r->file, *hline, 1, NULL,
			      "the header has no 'mac' column");
		ok = FALSE;
	}
	return ok;
}

/* Host MAP nodes into hosts; FALSE when the file cannot be read as a whole. */
static gboolean
pxf_hosts_read_csv(
	const gchar *file, const gchar *data, gsize len, GPtrArray *hosts, GPtrArray *diags)
{
	PxfCsvReader r = {.file = file, .data = data, .len = len, .line = 1, .diags = diags};
	g_autoptr(GPtrArray) header =
		g_ptr_array_new_with_free_func((GDestroyNotify)pxf_csv_field_free);
	const gchar *end = NULL;
	guint hline = 0;

	if (!g_utf8_validate_len(data, len, &end)) {
		guint line = 1;
		for (const gchar *p = data; p < end; p++)
			line += *p == '\n' ? 1 : 0;
		pxf_diags_add(diags, FALSE, file, line, 0, NULL,
			      "not valid UTF-8 text (or it contains a NUL byte)");
		return FALSE;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r.pos = r.bol = 3; /* spreadsheets like to write a BOM */
	if (!pxf_csv_read_header(&r, header, &hline))
		return FALSE;

	while (pxf_csv_skip_ignorable(&r)) {
		g_autoptr(GPtrArray) fields =
			g_ptr_array_new_with_free_func((GDestroyNotify)pxf_csv_field_free);
		g_autoptr(PxfConfNode) host = NULL;
		gboolean row_ok;
		guint line;

		if (!pxf_csv_read_record(&r, fields, &line, &row_ok))
			return FALSE;
		if (!row_ok)
			continue;
		if (fields->len != header->len) {
			pxf_diags_add(diags, FALSE, file, line, 1, NULL,
				      "row has %u fields, the header has %u", fields->len,
				      header->len);
			continue;
		}
		host = pxf_conf_node_new(PXF_CONF_NODE_MAP, file, line, 1);
		/* keys in one order whatever the column order, for a tidy file */
		for (guint c = 0; pxf_csv_columns[c] != NULL; c++) {
			const gchar *name = pxf_csv_columns[c];
			PxfCsvField *field = NULL;
			g_autoptr(PxfConfNode) key = NULL;
			g_autoptr(PxfConfNode) value = NULL;

			for (guint i = 0; i < header->len && field == NULL; i++) {
				PxfCsvField *column = g_ptr_array_index(header, i);
				if (g_strcmp0(column->text, name) == 0)
					field = g_ptr_array_index(fields, i);
			}
			/* an empty cell means "not set", as if the column were absent */
			if (field == NULL || field->text[0] == '\0')
				continue;
			key = pxf_yaml_writer_scalar_new(file, field->line, field->column, name,
							 TRUE);
			/* CSV has no types: only netboot may read as a boolean */
			value = pxf_yaml_writer_scalar_new(file, field->line, field->column,
							   field->text,
							   g_strcmp0(name, "netboot") == 0);
			pxf_conf_node_map_set(host, key, value);
		}
		g_ptr_array_add(hosts, g_steal_pointer(&host));
	}
	return TRUE;
}

/* ------------------------------------------------------------------------ */
/* YAML: a sequence of hosts, or a mapping with "hosts" */

/* Undoes the insertion of "hosts:\n" before line wline (block) or of
 * "hosts: " at wline:wcol (flow) in the positions of a parsed tree. */
static void
pxf_node_shift(PxfConfNode *node, gboolean block, guint wline, guint wcol)
{
	if (block && node->line > wline)
		node->line--;
	else if (!block && node->line == wline && node->column >= wcol + 7)
		node->column -= 7;
	for (guint i = 0; node->keys != NULL && i < node->keys->len; i++)
		pxf_node_shift(g_ptr_array_index(node->keys, i), block, wline, wcol);
	for (guint i = 0; node->items != NULL && i < node->items->len; i++)
		pxf_node_shift(g_ptr_array_index(node->items, i), block, wline, wcol);
}

/* libyaml's syntax errors quote a context position in the message text */
static void
pxf_diag_fix_context_line(PxfDiag *d, guint wline)
{
	const gchar *at = strstr(d->message, " at line ");
	guint64 line;
	gchar *end = NULL;

	if (at == NULL)
		return;
	line = g_ascii_strtoull(at + 9, &end, 10);
	if (end == at + 9 || line <= wline || line > G_MAXUINT) {
		return;
	} else {
		g_autofree gchar *head = g_strndup(d->message, at - d->message);
		gchar *msg = g_strdup_printf("%s at line %u%s", head, (guint)line - 1, end);
		g_free(d->message);
		d->message = msg;
	}
}

/* The parser insists on a mapping at the top level; a top-level sequence is
 * given the key "hosts" in a copy of the text and the positions are mapped
 * back, so that diagnostics still point into the file as written. */
static PxfConfNode *
pxf_hosts_parse_yaml(const gchar *file, const gchar *data, gsize len, GPtrArray *diags)
{
	yaml_parser_t parser;
	yaml_event_t event;
	gboolean is_seq = FALSE;
	gboolean block = FALSE;
	yaml_mark_t mark = {0};
	g_autoptr(GString) wrapped = NULL;
	g_autoptr(GPtrArray) scratch = pxf_diags_new();
	PxfConfNode *root;
	guint wline;
	guint wcol;

	if (!yaml_parser_initialize(&parser))
		return pxf_conf_parse_data(file, data, len, diags);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	for (guint i = 0; i < 8; i++) {
		if (!yaml_parser_parse(&parser, &event))
			break;
		if (event.type == YAML_SEQUENCE_START_EVENT) {
			is_seq = TRUE;
			block = event.data.sequence_start.style == YAML_BLOCK_SEQUENCE_STYLE;
			mark = event.start_mark;
		}
		if (event.type == YAML_SEQUENCE_START_EVENT ||
		    event.type == YAML_MAPPING_START_EVENT || event.type == YAML_SCALAR_EVENT ||
		    event.type == YAML_STREAM_END_EVENT || event.type == YAML_ALIAS_EVENT) {
			yaml_event_delete(&event);
			break;
		}
		yaml_event_delete(&event);
	}
	yaml_parser_delete(&parser);
	if (!is_seq || mark.index > len || mark.column > mark.index)
		return pxf_conf_parse_data(file, data, len, diags);

	/* block: "hosts:\n" before the line of the first "-" (a block
	 * sequence may sit at its key's indentation); flow: "hosts: " right
	 * before the "[" */
	wrapped = g_string_sized_new(len + 16);
	wline = (guint)mark.line + 1;
	wcol = (guint)mark.column + 1;
	if (block) {
		g_string_append_len(wrapped, data, (gssize)(mark.index - mark.column));
		g_string_append(wrapped, "hosts:\n");
		g_string_append_len(wrapped, data + mark.index - mark.column,
				    (gssize)(len - (mark.index - mark.column)));
	} else {
		g_string_append_len(wrapped, data, (gssize)mark.index);
		g_string_append(wrapped, "hosts: ");
		g_string_append_len(wrapped, data + mark.index, (gssize)(len - mark.index));
	}
	root = pxf_conf_parse_data(file, wrapped->str, wrapped->len, scratch);
	for (guint i = 0; i < scratch->len; i++) {
		PxfDiag *d = g_ptr_array_index(scratch, i);
		if (block && d->line > wline)
			d->line--;
		else if (!block && d->line == wline && d->column >= wcol + 7)
			d->column -= 7;
		if (block)
			pxf_diag_fix_context_line(d, wline);
		g_ptr_array_add(diags, g_ptr_array_steal_index(scratch, i--));
	}
	if (root != NULL) {
		/* the invented key points at the sequence */
		PxfConfNode *key = NULL;
		pxf_node_shift(root, block, wline, wcol);
		if (pxf_conf_node_lookup(root, "hosts", &key) != NULL && key != NULL) {
			key->line = wline;
			key->column = wcol;
		}
	}
	return root;
}

static gboolean
pxf_hosts_read_yaml(
	const gchar *file, const gchar *data, gsize len, GPtrArray *hosts, GPtrArray *diags)
{
	g_autoptr(PxfConfNode) root = pxf_hosts_parse_yaml(file, data, len, diags);
	PxfConfNode *seq;

	if (root == NULL)
		return FALSE;
	for (guint i = 0; i < root->keys->len; i++) {
		PxfConfNode *key = g_ptr_array_index(root->keys, i);
		if (g_strcmp0(key->scalar, "hosts") != 0) {
			pxf_diags_add(diags, FALSE, file, key->line, key->column, key->scalar,
				      "unknown key '%s' in an import file; only 'hosts' is "
				      "imported",
				      key->scalar);
		}
	}
	seq = pxf_conf_node_lookup(root, "hosts", NULL);
	if (seq == NULL || (seq->kind == PXF_CONF_NODE_SCALAR && pxf_conf_node_is_null(seq)))
		return TRUE;
	if (seq->kind != PXF_CONF_NODE_SEQ) {
		pxf_diags_add(diags, FALSE, file, seq->line, seq->column, "hosts",
			      "expected a list of hosts, got a %s",
			      pxf_conf_node_kind_to_string(seq->kind));
		return FALSE;
	}
	for (guint i = 0; i < seq->items->len; i++)
		g_ptr_array_add(hosts, pxf_conf_node_ref(g_ptr_array_index(seq->items, i)));
	return TRUE;
}

/* ------------------------------------------------------------------------ */
/* writing */

/* Appends hosts to the "hosts" list of map (created when absent). */
static void
pxf_hosts_append(PxfConfNode *map, GPtrArray *hosts, const gchar *file)
{
	PxfConfNode *seq = pxf_conf_node_lookup(map, "hosts", NULL);

	if (seq == NULL || seq->kind != PXF_CONF_NODE_SEQ) {
		g_autoptr(PxfConfNode) key = pxf_yaml_writer_scalar_new(file, 1, 1, "hosts", TRUE);
		g_autoptr(PxfConfNode) fresh = pxf_conf_node_new(PXF_CONF_NODE_SEQ, file, 1, 1);
		/* a non-list "hosts" was reported by the inventory already */
		if (seq != NULL)
			return;
		pxf_conf_node_map_set(map, key, fresh);
		seq = fresh;
	}
	for (guint i = 0; i < hosts->len; i++)
		g_ptr_array_add(seq->items, pxf_conf_node_ref(g_ptr_array_index(hosts, i)));
}

static gboolean
pxf_hosts_write(const gchar *config_dir, GPtrArray *hosts, GError **error)
{
	g_autofree gchar *path = g_build_filename(config_dir, "conf.d", PXF_HOSTS_FILE_NAME, NULL);
	g_autoptr(PxfConfNode) root = NULL;
	g_autoptr(GError) error_local = NULL;

	root = pxf_yaml_writer_load(path, &error_local);
	if (root != NULL) {
		pxf_hosts_append(root, hosts, path);
		if (pxf_yaml_writer_write_file(
			    path,
			    "# Written by `pxeforge hosts import`, which rewrites this file:\n"
			    "# comments here are not kept. Edit freely otherwise.\n",
			    root, PXF_YAML_WRITER_FLAG_NONE, &error_local))
			return TRUE;
	}
	/* I/O errors stay G_FILE_ERROR; the writer's own are this module's */
	if (error_local->domain == PXF_YAML_WRITER_ERROR)
		g_set_error_literal(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_FAILED,
				    error_local->message);
	else
		g_propagate_error(error, g_steal_pointer(&error_local));
	return FALSE;
}

/* Validated hosts are written with their identifiers spelt canonically,
 * so that the file greps well whatever the source spreadsheet used. */
static void
pxf_hosts_canonicalize(GPtrArray *hosts)
{
	static const struct {
		const gchar *key;
		gchar *(*normalize)(const gchar *, GError **);
	} ids[] = {
		{"mac", pxf_mac_normalize},
		{"ip", pxf_ipv4_normalize},
		{"uuid", pxf_uuid_normalize},
	};

	for (guint i = 0; i < hosts->len; i++) {
		PxfConfNode *host = g_ptr_array_index(hosts, i);
		for (guint j = 0; j < G_N_ELEMENTS(ids); j++) {
			PxfConfNode *value = pxf_conf_node_lookup(host, ids[j].key, NULL);
			gchar *canonical;

			if (value == NULL || value->kind != PXF_CONF_NODE_SCALAR)
				continue;
			canonical = ids[j].normalize(value->scalar, NULL);
			if (canonical == NULL)
				continue;
			g_free(value->scalar);
			value->scalar = canonical;
		}
	}
}

/* ------------------------------------------------------------------------ */

/* The inventory names an entry by its index in the merged list, which is
 * meaningless for the import file; renumber to the index in that file. */
static void
pxf_hosts_renumber_paths(GPtrArray *diags, guint first, const gchar *file, guint offset)
{
	for (guint i = first; i < diags->len; i++) {
		PxfDiag *d = g_ptr_array_index(diags, i);
		guint64 index;
		gchar *end = NULL;

		if (g_strcmp0(d->file, file) != 0 || d->path == NULL ||
		    !g_str_has_prefix(d->path, "hosts["))
			continue;
		index = g_ascii_strtoull(d->path + 6, &end, 10);
		if (end == NULL || *end != ']' || index < offset)
			continue;
		{
			gchar *path =
				g_strdup_printf("hosts[%u]%s", (guint)(index - offset), end + 1);
			g_free(d->path);
			d->path = path;
		}
	}
}

gint
pxf_hosts_import(const gchar *config_dir, const gchar *file, GPtrArray *diags, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autofree gchar *lower = NULL;
	g_autoptr(GPtrArray) hosts =
		g_ptr_array_new_with_free_func((GDestroyNotify)pxf_conf_node_unref);
	g_autoptr(PxfConfNode) root = NULL;
	g_autoptr(PxfInventory) inv = NULL;
	g_autoptr(GError) error_local = NULL;
	PxfConfNode *existing;
	guint errors_before;
	guint first_diag;
	guint n_existing = 0;
	guint n_file_errors = 0;
	guint n_errors;
	gsize len = 0;
	gboolean ok;

	g_return_val_if_fail(config_dir != NULL, -1);
	g_return_val_if_fail(file != NULL, -1);
	g_return_val_if_fail(diags != NULL, -1);

	lower = g_ascii_strdown(file, -1);
	if (!g_str_has_suffix(lower, ".csv") && !g_str_has_suffix(lower, ".yaml") &&
	    !g_str_has_suffix(lower, ".yml")) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "%s: unknown format; the file name must end in .csv, .yaml or .yml",
			    file);
		return -1;
	}
	if (!pxf_file_get_contents(file, PXF_CONF_MAX_FILE_SIZE, &data, &len, &error_local)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&error_local), "cannot import: ");
		return -1;
	}

	errors_before = pxf_diags_count_errors(diags);
	first_diag = diags->len;
	if (g_str_has_suffix(lower, ".csv"))
		ok = pxf_hosts_read_csv(file, data, len, hosts, diags);
	else
		ok = pxf_hosts_read_yaml(file, data, len, hosts, diags);

	/* validate together with what is configured already */
	root = pxf_conf_load_dir(config_dir, diags);
	existing = pxf_conf_node_lookup(root, "hosts", NULL);
	if (existing != NULL && existing->kind == PXF_CONF_NODE_SEQ)
		n_existing = existing->items->len;
	if (ok)
		pxf_hosts_append(root, hosts, file);
	inv = pxf_inventory_new_from_config(root, config_dir, diags);
	pxf_hosts_renumber_paths(diags, first_diag, file, n_existing);

	n_errors = pxf_diags_count_errors(diags) - errors_before;
	for (guint i = first_diag; i < diags->len; i++) {
		PxfDiag *d = g_ptr_array_index(diags, i);
		if (!d->warning && g_strcmp0(d->file, file) == 0)
			n_file_errors++;
	}
	/* callers add "nothing was imported" */
	if (!ok || n_errors > 0) {
		if (n_file_errors < n_errors) {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "%u problem(s) in the configuration in %s and %u in %s",
				    n_errors - n_file_errors, config_dir, n_file_errors, file);
		} else {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "%u problem(s) in %s", n_errors, file);
		}
		return -1;
	}
	if (hosts->len == 0)
		return 0;
	pxf_hosts_canonicalize(hosts);
	if (!pxf_hosts_write(config_dir, hosts, error))
		return -1;
	return (gint)hosts->len;
}
