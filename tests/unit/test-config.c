/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-test-config"

#include "pxf-config.h"
#include "pxf-test-paths.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* @name under tests/data/config */
static gchar *
config_path(const gchar *name)
{
	return pxf_test_build_filename("tests", "data", "config", name, NULL);
}

/* All diags as "file:line:column: error: path: message" lines, so that one
 * assertion checks positions, paths, messages and that nothing else was said. */
static gchar *
diags_to_string(GPtrArray *diags)
{
	GString *str = g_string_new(NULL);
	for (guint i = 0; i < diags->len; i++) {
		g_autofree gchar *line = pxf_diag_to_string(g_ptr_array_index(diags, i));
		g_string_append_printf(str, "%s\n", line);
	}
	return g_string_free(str, FALSE);
}

static void
assert_diags(GPtrArray *diags, const gchar *expected)
{
	g_autofree gchar *got = diags_to_string(diags);
	g_assert_cmpstr(got, ==, expected);
}

static PxfConfNode *
parse(const gchar *text, GPtrArray *diags)
{
	return pxf_conf_parse_data("t.yaml", text, strlen(text), diags);
}

static const gchar *
scalar_at(PxfConfNode *root, const gchar *dotted)
{
	g_auto(GStrv) parts = g_strsplit(dotted, ".", -1);
	PxfConfNode *node = root;
	for (guint i = 0; parts[i] != NULL && node != NULL; i++)
		node = pxf_conf_node_lookup(node, parts[i], NULL);
	g_assert_nonnull(node);
	g_assert_cmpint(node->kind, ==, PXF_CONF_NODE_SCALAR);
	return node->scalar;
}

static void
test_parse_positions(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = parse(
		"# comment\nserver:\n  port: 69\n  name: \"q\"\nlist:\n  - a\n  - [b, c]\n", diags);
	PxfConfNode *key = NULL;
	PxfConfNode *server;
	PxfConfNode *port;
	PxfConfNode *list;

	assert_diags(diags, "");
	g_assert_nonnull(root);
	g_assert_cmpint(root->kind, ==, PXF_CONF_NODE_MAP);
	g_assert_cmpuint(root->keys->len, ==, 2);
	server = pxf_conf_node_lookup(root, "server", &key);
	g_assert_cmpuint(key->line, ==, 2);
	g_assert_cmpuint(key->column, ==, 1);
	g_assert_cmpint(server->kind, ==, PXF_CONF_NODE_MAP);
	port = pxf_conf_node_lookup(server, "port", &key);
	g_assert_cmpstr(port->file, ==, "t.yaml");
	g_assert_cmpuint(key->line, ==, 3);
	g_assert_cmpuint(key->column, ==, 3);
	g_assert_cmpuint(port->line, ==, 3);
	g_assert_cmpuint(port->column, ==, 9);
	g_assert_true(port->plain);
	g_assert_false(pxf_conf_node_lookup(server, "name", NULL)->plain);
	list = pxf_conf_node_lookup(root, "list", NULL);
	g_assert_cmpint(list->kind, ==, PXF_CONF_NODE_SEQ);
	g_assert_cmpuint(list->items->len, ==, 2);
	g_assert_cmpuint(((PxfConfNode *)list->items->pdata[1])->line, ==, 7);
	g_assert_cmpuint(((PxfConfNode *)list->items->pdata[1])->column, ==, 5);
	g_assert_null(pxf_conf_node_lookup(root, "nope", &key));
	g_assert_null(key);
}

static void
test_parse_empty(void)
{
	const gchar *texts[] = {"", "# only a comment\n", "---\n", "~\n", "--- ~\n...\n"};
	for (guint i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autoptr(GPtrArray) diags = pxf_diags_new();
		g_autoptr(PxfConfNode) root = parse(texts[i], diags);
		assert_diags(diags, "");
		g_assert_nonnull(root);
		g_assert_cmpint(root->kind, ==, PXF_CONF_NODE_MAP);
		g_assert_cmpuint(root->keys->len, ==, 0);
	}
}

static void
test_parse_syntax_error(void)
{
	g_autofree gchar *f = config_path("syntax-error.yaml");
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = pxf_conf_parse_file(f, diags);
	g_autofree gchar *expected = g_strdup_printf(
		"%s:3:2: error: syntax error: did not find expected key (while parsing a block "
		"mapping at line 1, column 1)\n",
		f);

	g_assert_null(root);
	assert_diags(diags, expected);
}

static void
test_parse_invalid_utf8(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = parse("a: 1\nb: x\xff\n", diags);
	g_autoptr(PxfConfNode) root2 = NULL;

	g_assert_null(root);
	assert_diags(diags, "t.yaml:2:5: error: syntax error: invalid leading UTF-8 octet "
			    "(byte offset 9)\n");

	/* a NUL written as an escape is valid YAML but no use as a C string */
	g_ptr_array_set_size(diags, 0);
	root2 = parse("a: \"x\\0y\"\n", diags);
	g_assert_nonnull(root2);
	assert_diags(diags, "t.yaml:1:4: error: value contains a NUL character or invalid UTF-8\n");
}

/* Every parser-level error of one file in one pass, in document order. */
static void
test_parse_errors_one_pass(void)
{
	g_autofree gchar *f = config_path("parse-errors.yaml");
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = pxf_conf_parse_file(f, diags);
	g_autofree gchar *expected = g_strdup_printf(
		"%1$s:4:3: error: duplicate key 'port' (first defined at line 3, column 3)\n"
		"%1$s:5:11: error: anchor '&defaults': anchors and aliases are not supported\n"
		"%1$s:7:7: error: alias '*defaults': anchors and aliases are not supported\n"
		"%1$s:8:8: error: tag 'tag:yaml.org,2002:str': tags are not supported\n"
		"%1$s:9:1: error: mapping keys must be scalars, not a list\n",
		f);
	PxfConfNode *server;

	g_assert_nonnull(root);
	assert_diags(diags, expected);
	/* the first of two duplicates is kept, the non-scalar key dropped */
	server = pxf_conf_node_lookup(root, "server", NULL);
	g_assert_cmpuint(server->keys->len, ==, 1);
	g_assert_cmpstr(scalar_at(root, "server.port"), ==, "69");
	g_assert_cmpuint(root->keys->len, ==, 4);
}

static void
test_parse_multiple_documents(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = parse("a: 1\n---\nb: 2\n", diags);

	assert_diags(diags, "t.yaml:2:1: error: multiple documents are not supported\n");
	g_assert_nonnull(root);
	g_assert_cmpstr(scalar_at(root, "a"), ==, "1");
	g_assert_null(pxf_conf_node_lookup(root, "b", NULL));
}

static void
test_parse_top_level(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = parse("\n- a\n- b\n", diags);
	g_autoptr(PxfConfNode) root2 = NULL;

	assert_diags(diags, "t.yaml:2:1: error: the top level must be a mapping, not a list\n");
	g_assert_nonnull(root);
	g_assert_cmpint(root->kind, ==, PXF_CONF_NODE_MAP);
	g_assert_cmpuint(root->keys->len, ==, 0);

	g_ptr_array_set_size(diags, 0);
	root2 = parse("just text\n", diags);
	assert_diags(diags, "t.yaml:1:1: error: the top level must be a mapping, not a scalar\n");
	g_assert_cmpint(root2->kind, ==, PXF_CONF_NODE_MAP);
}

static gchar *
nested(guint depth, gboolean block)
{
	GString *str = g_string_new("top: ");
	if (block) {
		/* "top:\n a0:\n  a1:\n ... leaf: 1": depth mappings */
		g_string_assign(str, "top:\n");
		for (guint i = 0; i + 2 < depth; i++)
			g_string_append_printf(str, "%*sa%u:\n", (gint)i + 1, "", i);
		g_string_append_printf(str, "%*sleaf: 1\n", (gint)depth - 1, "");
		return g_string_free(str, FALSE);
	}
	for (guint i = 0; i + 1 < depth; i++)
		g_string_append_c(str, '[');
	for (guint i = 0; i + 1 < depth; i++)
		g_string_append_c(str, ']');
	g_string_append_c(str, '\n');
	return g_string_free(str, FALSE);
}

static void
test_parse_depth_limit(void)
{
	for (guint block = 0; block < 2; block++) {
		g_autofree gchar *ok_text = nested(PXF_CONF_MAX_DEPTH, block);
		g_autofree gchar *bad_text = nested(PXF_CONF_MAX_DEPTH + 1, block);
		g_autoptr(GPtrArray) diags = pxf_diags_new();
		g_autoptr(PxfConfNode) ok = parse(ok_text, diags);
		g_autoptr(PxfConfNode) bad = NULL;
		g_autofree gchar *expected = NULL;

		assert_diags(diags, "");
		g_assert_nonnull(ok);
		bad = parse(bad_text, diags);
		g_assert_null(bad);
		/* the 65th collection: in flow style the 64th '[' (after "top: "),
		 * in block style the mapping of "leaf" at line 65, column 65 */
		expected =
			block ? g_strdup("t.yaml:65:65: error: nesting is deeper than 64 levels\n")
			      : g_strdup("t.yaml:1:69: error: nesting is deeper than 64 levels\n");
		assert_diags(diags, expected);
	}
	/* far beyond: still no crash, still one error */
	{
		GString *deep = g_string_new("a: ");
		g_autoptr(GPtrArray) diags = pxf_diags_new();
		g_autoptr(PxfConfNode) root = NULL;
		for (guint i = 0; i < 100000; i++)
			g_string_append_c(deep, '[');
		root = parse(deep->str, diags);
		g_assert_null(root);
		g_assert_cmpuint(pxf_diags_count_errors(diags), ==, 1);
		g_string_free(deep, TRUE);
	}
}

static void
test_node_scalars(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root =
		parse("e:\nt: ~\nn: null\nq: \"null\"\nb1: Yes\nb2: OFF\nb3: maybe\n"
		      "i1: -42\ni2: +7\ni3: 0x10\ni4: 99999999999999999999\ni5: ' 1'\ni6: '-'\n",
		      diags);
	gboolean b = FALSE;
	gint64 i = 0;

	assert_diags(diags, "");
	g_assert_true(pxf_conf_node_is_null(NULL));
	g_assert_true(pxf_conf_node_is_null(pxf_conf_node_lookup(root, "e", NULL)));
	g_assert_true(pxf_conf_node_is_null(pxf_conf_node_lookup(root, "t", NULL)));
	g_assert_true(pxf_conf_node_is_null(pxf_conf_node_lookup(root, "n", NULL)));
	g_assert_false(pxf_conf_node_is_null(pxf_conf_node_lookup(root, "q", NULL)));
	g_assert_false(pxf_conf_node_is_null(root));

	g_assert_true(pxf_conf_node_get_bool(pxf_conf_node_lookup(root, "b1", NULL), &b));
	g_assert_true(b);
	g_assert_true(pxf_conf_node_get_bool(pxf_conf_node_lookup(root, "b2", NULL), &b));
	g_assert_false(b);
	g_assert_false(pxf_conf_node_get_bool(pxf_conf_node_lookup(root, "b3", NULL), &b));
	g_assert_false(pxf_conf_node_get_bool(root, &b));

	g_assert_true(pxf_conf_node_get_int(pxf_conf_node_lookup(root, "i1", NULL), &i));
	g_assert_cmpint(i, ==, -42);
	g_assert_true(pxf_conf_node_get_int(pxf_conf_node_lookup(root, "i2", NULL), &i));
	g_assert_cmpint(i, ==, 7);
	for (guint j = 3; j <= 6; j++) {
		g_autofree gchar *name = g_strdup_printf("i%u", j);
		g_assert_false(pxf_conf_node_get_int(pxf_conf_node_lookup(root, name, NULL), &i));
	}
	g_assert_cmpstr(pxf_conf_node_kind_to_string(PXF_CONF_NODE_SEQ), ==, "list");
}

static void
test_node_variant(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = parse(
		"s: text\nb: true\nqb: \"false\"\nn: 3\nm: {x: 1}\nl: [a, false, [b]]\n", diags);
	g_autoptr(GVariant) v = g_variant_ref_sink(pxf_conf_node_to_variant(root));
	g_autofree gchar *printed = g_variant_print(v, TRUE);

	assert_diags(diags, "");
	g_assert_cmpstr(g_variant_get_type_string(v), ==, "a{sv}");
	g_assert_cmpstr(printed, ==,
			"{'s': <'text'>, 'b': <true>, 'qb': <'false'>, 'n': <'3'>, "
			"'m': <{'x': <'1'>}>, 'l': <[<'a'>, <false>, <[<'b'>]>]>}");
}

/* ------------------------------------------------------------------------ */

static void
test_merge_rules(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	const gchar *base_text = "a: 1\nm:\n  x: 1\n  deep: {k: base, keep: yes}\nlist: [1, 2]\n"
				 "hosts: [h1]\nplugins:\n  p:\n    hosts: [p1]\n";
	g_autoptr(PxfConfNode) base =
		pxf_conf_parse_data("base.yaml", base_text, strlen(base_text), diags);
	const gchar *over_text = "a: 2\nm:\n  y: 2\n  deep: {k: over}\nlist: [3]\nhosts: [h2, h3]\n"
				 "plugins:\n  p:\n    hosts: [p2]\nnew: {z: 1}\n";
	g_autoptr(PxfConfNode) overlay =
		pxf_conf_parse_data("over.yaml", over_text, strlen(over_text), diags);
	PxfConfNode *key = NULL;
	PxfConfNode *node;

	assert_diags(diags, "");
	pxf_conf_merge(base, overlay, TRUE);

	/* scalar replaced, with the overlay's position */
	node = pxf_conf_node_lookup(base, "a", &key);
	g_assert_cmpstr(node->scalar, ==, "2");
	g_assert_cmpstr(node->file, ==, "over.yaml");
	g_assert_cmpstr(key->file, ==, "over.yaml");
	/* maps merged deeply, each value keeping its own file */
	g_assert_cmpstr(scalar_at(base, "m.x"), ==, "1");
	g_assert_cmpstr(scalar_at(base, "m.y"), ==, "2");
	g_assert_cmpstr(scalar_at(base, "m.deep.k"), ==, "over");
	g_assert_cmpstr(scalar_at(base, "m.deep.keep"), ==, "yes");
	g_assert_cmpstr(
		pxf_conf_node_lookup(pxf_conf_node_lookup(base, "m", NULL), "x", NULL)->file, ==,
		"base.yaml");
	/* lists replaced */
	node = pxf_conf_node_lookup(base, "list", NULL);
	g_assert_cmpuint(node->items->len, ==, 1);
	g_assert_cmpstr(((PxfConfNode *)node->items->pdata[0])->scalar, ==, "3");
	/* top-level hosts concatenated, in order, items keep their files */
	node = pxf_conf_node_lookup(base, "hosts", NULL);
	g_assert_cmpuint(node->items->len, ==, 3);
	g_assert_cmpstr(((PxfConfNode *)node->items->pdata[0])->scalar, ==, "h1");
	g_assert_cmpstr(((PxfConfNode *)node->items->pdata[0])->file, ==, "base.yaml");
	g_assert_cmpstr(((PxfConfNode *)node->items->pdata[2])->scalar, ==, "h3");
	g_assert_cmpstr(((PxfConfNode *)node->items->pdata[2])->file, ==, "over.yaml");
	/* ... but "hosts" deeper down is an ordinary list */
	node = pxf_conf_node_lookup(
		pxf_conf_node_lookup(pxf_conf_node_lookup(base, "plugins", NULL), "p", NULL),
		"hosts", NULL);
	g_assert_cmpuint(node->items->len, ==, 1);
	g_assert_cmpstr(((PxfConfNode *)node->items->pdata[0])->scalar, ==, "p2");
	g_assert_cmpstr(scalar_at(base, "new.z"), ==, "1");

	/* the overlay's own tree was not touched */
	g_assert_null(pxf_conf_node_lookup(pxf_conf_node_lookup(overlay, "m", NULL), "x", NULL));
	g_assert_cmpuint(pxf_conf_node_lookup(overlay, "hosts", NULL)->items->len, ==, 2);
}

/* A map taken from one overlay and then merged into by another must not
 * change the first overlay's tree (copy on write). */
static void
test_merge_shared(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) base = parse("a: 1\n", diags);
	g_autoptr(PxfConfNode) one = parse("m: {x: 1}\nhosts: [a]\n", diags);
	g_autoptr(PxfConfNode) two = parse("m: {y: 2}\nhosts: [b]\n", diags);

	pxf_conf_merge(base, one, TRUE);
	pxf_conf_merge(base, two, TRUE);
	assert_diags(diags, "");
	g_assert_cmpstr(scalar_at(base, "m.x"), ==, "1");
	g_assert_cmpstr(scalar_at(base, "m.y"), ==, "2");
	g_assert_null(pxf_conf_node_lookup(pxf_conf_node_lookup(one, "m", NULL), "y", NULL));
	g_assert_cmpuint(pxf_conf_node_lookup(base, "hosts", NULL)->items->len, ==, 2);
	g_assert_cmpuint(pxf_conf_node_lookup(one, "hosts", NULL)->items->len, ==, 1);
}

static void
test_load_dir_merge(void)
{
	g_autofree gchar *site = config_path("site");
	g_autofree gchar *port_yaml = config_path("site/conf.d/9-port.yaml");
	g_autofree gchar *dhcp_yaml = config_path("site/conf.d/10-dhcp.yaml");
	g_autofree gchar *main_yaml = config_path("site/pxeforge.yaml");
	g_autofree gchar *hosts_yml = config_path("site/conf.d/20-hosts.yml");
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = pxf_conf_load_dir(site, diags);
	PxfConfNode *node;
	PxfConfNode *hosts;

	assert_diags(diags, "");
	/* byte order: 10-dhcp, 20-hosts.yml, 9-port, A-upper, a-lower; README ignored */
	g_assert_cmpstr(scalar_at(root, "server.port"), ==, "6969");
	node = pxf_conf_node_lookup(pxf_conf_node_lookup(root, "server", NULL), "port", NULL);
	g_assert_cmpstr(node->file, ==, port_yaml);
	g_assert_cmpuint(node->line, ==, 3);
	g_assert_cmpuint(node->column, ==, 9);
	g_assert_cmpstr(scalar_at(root, "server.listen"), ==, "::1");
	/* deep map merge */
	g_assert_cmpstr(scalar_at(root, "plugins.dhcp.options.domain"), ==, "example.org");
	g_assert_cmpstr(scalar_at(root, "plugins.dhcp.options.dns"), ==, "10.0.0.53");
	/* a later file replaces a list */
	node = pxf_conf_node_lookup(
		pxf_conf_node_lookup(pxf_conf_node_lookup(root, "plugins", NULL), "dhcp", NULL),
		"interfaces", NULL);
	g_assert_cmpuint(node->items->len, ==, 2);
	g_assert_cmpstr(((PxfConfNode *)node->items->pdata[0])->scalar, ==, "eth1");
	g_assert_cmpstr(node->file, ==, dhcp_yaml);
	/* hosts from three files, in file order */
	hosts = pxf_conf_node_lookup(root, "hosts", NULL);
	g_assert_cmpuint(hosts->items->len, ==, 3);
	for (guint i = 0; i < 3; i++) {
		g_autofree gchar *mac = g_strdup_printf("52:54:00:00:00:0%u", i + 1);
		PxfConfNode *mac_node = pxf_conf_node_lookup(hosts->items->pdata[i], "mac", NULL);
		g_assert_cmpstr(mac_node->scalar, ==, mac);
	}
	g_assert_cmpstr(((PxfConfNode *)hosts->items->pdata[0])->file, ==, main_yaml);
	g_assert_cmpstr(((PxfConfNode *)hosts->items->pdata[2])->file, ==, hosts_yml);
}

static void
write_file(const gchar *dir, const gchar *name, const gchar *text)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
}

static void
rm_rf(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	if (dir != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			g_autofree gchar *child = g_build_filename(path, name, NULL);
			if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
			    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
				rm_rf(child);
			else
				g_assert_cmpint(g_unlink(child), ==, 0);
		}
	}
	g_assert_cmpint(g_rmdir(path), ==, 0);
}

static void
test_load_dir_files(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp("pxf-config-XXXXXX", &error);
	g_autofree gchar *confd = NULL;
	g_autofree gchar *subdir = NULL;
	g_autofree gchar *dangling = NULL;
	g_autofree gchar *expected = NULL;
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = NULL;

	g_assert_no_error(error);
	/* nothing at all is fine */
	root = pxf_conf_load_dir(tmp, diags);
	assert_diags(diags, "");
	g_assert_cmpint(root->kind, ==, PXF_CONF_NODE_MAP);
	g_assert_cmpuint(root->keys->len, ==, 0);
	g_clear_pointer(&root, pxf_conf_node_unref);

	confd = g_build_filename(tmp, "conf.d", NULL);
	g_assert_cmpint(g_mkdir(confd, 0755), ==, 0);
	write_file(confd, "50-ok.yaml", "port: 50\nkept: yes\n");
	write_file(confd, "60-ok.yml", "port: 60\n");
	write_file(confd, ".70-hidden.yaml", "port: 70\n");
	write_file(confd, "80-old.yaml~", "port: 80\n");
	write_file(confd, "80-old.yaml.dpkg-old", "port: 81\n");
	write_file(confd, "80-old.yaml.dpkg-dist", "port: 82\n");
	write_file(confd, "80-old.yaml.dpkg-new", "port: 83\n");
	write_file(confd, "80-notes.txt", "port: 84\n");
	write_file(confd, "55-broken.yaml", "port: [\n");
	/* unreadable whatever the uid: a directory and a dangling symlink */
	subdir = g_build_filename(confd, "56-dir.yaml", NULL);
	g_assert_cmpint(g_mkdir(subdir, 0755), ==, 0);
	dangling = g_build_filename(confd, "57-dangling.yaml", NULL);
	g_assert_cmpint(symlink("/nonexistent/pxf-test", dangling), ==, 0);

	root = pxf_conf_load_dir(tmp, diags);
	g_assert_cmpstr(scalar_at(root, "port"), ==, "60");
	g_assert_cmpstr(scalar_at(root, "kept"), ==, "yes");
	g_assert_cmpuint(diags->len, ==, 3);
	expected = g_strdup_printf("%s/55-broken.yaml:2:1: error: syntax error: did not find "
				   "expected node content (while parsing a flow node at line 2, "
				   "column 1)",
				   confd);
	{
		g_autofree gchar *got = pxf_diag_to_string(diags->pdata[0]);
		g_assert_cmpstr(got, ==, expected);
	}
	for (guint i = 1; i < 3; i++) {
		const PxfDiag *diag = diags->pdata[i];
		g_assert_false(diag->warning);
		g_assert_cmpstr(diag->file, ==, i == 1 ? subdir : dangling);
		g_assert_cmpuint(diag->line, ==, 0);
		g_assert_true(g_str_has_prefix(diag->message, "cannot read file: "));
	}
	rm_rf(tmp);
}

/* A FIFO would block the reader until someone writes to it, a link to
 * /dev/zero would be read until memory runs out: both are refused at once,
 * named, and the other snippets still load. */
static void
test_load_dir_special(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp("pxf-config-XXXXXX", &error);
	g_autofree gchar *confd = NULL;
	g_autofree gchar *fifo = NULL;
	g_autofree gchar *zero = NULL;
	g_autofree gchar *expected = NULL;
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = NULL;

	g_assert_no_error(error);
	confd = g_build_filename(tmp, "conf.d", NULL);
	g_assert_cmpint(g_mkdir(confd, 0755), ==, 0);
	write_file(confd, "10-ok.yaml", "port: 10\n");
	fifo = g_build_filename(confd, "20-fifo.yaml", NULL);
	g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
	zero = g_build_filename(confd, "30-zero.yaml", NULL);
	g_assert_cmpint(symlink("/dev/zero", zero), ==, 0);

	/* on a regression this would hang or eat memory: end it instead */
	alarm(30);
	root = pxf_conf_load_dir(tmp, diags);
	alarm(0);
	g_assert_cmpstr(scalar_at(root, "port"), ==, "10");
	expected = g_strdup_printf(
		"%s: error: cannot read file: not a regular file (a FIFO)\n"
		"%s: error: cannot read file: not a regular file (a character device)\n",
		fifo, zero);
	assert_diags(diags, expected);
	rm_rf(tmp);
}

/* ------------------------------------------------------------------------ */

static const PxfConfKey pool_schema[] = {
	{"start", PXF_CONF_TYPE_STRING, NULL, "first address", NULL, 0, 0, {NULL, NULL}},
	{"size", PXF_CONF_TYPE_INT, "10", "addresses", NULL, 1, 1000, {NULL, NULL}},
	PXF_CONF_KEY_END,
};

static const PxfConfKey options_schema[] = {
	{"routers", PXF_CONF_TYPE_STRING_LIST, NULL, "routers", NULL, 0, 0, {NULL, NULL}},
	{"domain", PXF_CONF_TYPE_STRING, "example.org", "domain", NULL, 0, 0, {NULL, NULL}},
	PXF_CONF_KEY_END,
};

static const PxfConfKey dhcp_schema[] = {
	{"interfaces", PXF_CONF_TYPE_STRING_LIST, NULL, "where", NULL, 0, 0, {NULL, NULL}},
	{"enabled", PXF_CONF_TYPE_BOOL, "true", "on/off", NULL, 0, 0, {NULL, NULL}},
	{"port", PXF_CONF_TYPE_INT, "67", "port", NULL, 1, 65535, {NULL, NULL}},
	{"lease-time", PXF_CONF_TYPE_INT, "3600", "seconds", NULL, 0, 0, {NULL, NULL}},
	{"listen", PXF_CONF_TYPE_STRING_LIST, "0.0.0.0, ::", "addresses", NULL, 0, 0, {NULL, NULL}},
	{"name", PXF_CONF_TYPE_STRING, NULL, "name", NULL, 0, 0, {NULL, NULL}},
	{"options", PXF_CONF_TYPE_SECTION, NULL, "options", options_schema, 0, 0, {NULL, NULL}},
	{"pools", PXF_CONF_TYPE_SECTION_LIST, NULL, "pools", pool_schema, 0, 0, {NULL, NULL}},
	PXF_CONF_KEY_END,
};

static void
test_section_defaults(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) null_node = NULL;
	g_autoptr(PxfConfNode) root = parse("dhcp: ~\n", diags);
	PxfConfNode *nodes[2];

	null_node = pxf_conf_node_ref(pxf_conf_node_lookup(root, "dhcp", NULL));
	nodes[0] = NULL;
	nodes[1] = null_node;
	for (guint n = 0; n < G_N_ELEMENTS(nodes); n++) {
		g_autoptr(PxfConfSection) s =
			pxf_conf_section_new(nodes[n], dhcp_schema, "plugins.dhcp", diags);
		const gchar *const *strv;
		const PxfConfSection *opts;
		g_autofree gchar *where = pxf_conf_section_where(s, "port");

		assert_diags(diags, "");
		g_assert_cmpstr(pxf_conf_section_get_path(s), ==, "plugins.dhcp");
		g_assert_true(pxf_conf_section_get_bool(s, "enabled"));
		g_assert_cmpint(pxf_conf_section_get_int(s, "port"), ==, 67);
		g_assert_null(pxf_conf_section_get_string(s, "name"));
		strv = pxf_conf_section_get_strv(s, "interfaces");
		g_assert_nonnull(strv);
		g_assert_null(strv[0]);
		strv = pxf_conf_section_get_strv(s, "listen");
		g_assert_cmpuint(g_strv_length((gchar **)strv), ==, 2);
		g_assert_cmpstr(strv[0], ==, "0.0.0.0");
		g_assert_cmpstr(strv[1], ==, "::");
		opts = pxf_conf_section_get_section(s, "options");
		g_assert_nonnull(opts);
		g_assert_cmpstr(pxf_conf_section_get_path(opts), ==, "plugins.dhcp.options");
		g_assert_cmpstr(pxf_conf_section_get_string(opts, "domain"), ==, "example.org");
		g_assert_cmpuint(pxf_conf_section_get_list(s, "pools")->len, ==, 0);
		g_assert_cmpstr(where, ==, "default");
		g_assert_null(pxf_conf_section_get_node(s, "port"));
	}
}

static void
test_section_values(void)
{
	const gchar *text = "dhcp:\n  interfaces: [eth0, eth1]\n  enabled: Off\n  port: 6767\n"
			    "  name: \"server one\"\n  lease-time: -1\n  listen: ~\n"
			    "  options:\n    routers: []\n  pools:\n    - start: 10.0.0.10\n"
			    "    - {start: 10.0.1.10, size: 20}\n";
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = parse(text, diags);
	g_autoptr(PxfConfSection) s = pxf_conf_section_new(pxf_conf_node_lookup(root, "dhcp", NULL),
							   dhcp_schema, "plugins.dhcp", diags);
	const gchar *const *strv;
	const PxfConfSection *pool;
	GPtrArray *pools;
	g_autofree gchar *where = NULL;
	g_autofree gchar *where_pool = NULL;

	/* the section keeps what it needs: drop the tree first */
	g_clear_pointer(&root, pxf_conf_node_unref);
	assert_diags(diags, "");
	strv = pxf_conf_section_get_strv(s, "interfaces");
	g_assert_cmpuint(g_strv_length((gchar **)strv), ==, 2);
	g_assert_cmpstr(strv[1], ==, "eth1");
	g_assert_false(pxf_conf_section_get_bool(s, "enabled"));
	g_assert_cmpint(pxf_conf_section_get_int(s, "port"), ==, 6767);
	g_assert_cmpint(pxf_conf_section_get_int(s, "lease-time"), ==, -1); /* min == max */
	g_assert_cmpstr(pxf_conf_section_get_string(s, "name"), ==, "server one");
	/* "listen: ~" means "the default" */
	g_assert_cmpstr(pxf_conf_section_get_strv(s, "listen")[0], ==, "0.0.0.0");
	g_assert_null(pxf_conf_section_get_strv(pxf_conf_section_get_section(s, "options"),
						"routers")[0]);
	pools = pxf_conf_section_get_list(s, "pools");
	g_assert_cmpuint(pools->len, ==, 2);
	pool = g_ptr_array_index(pools, 0);
	g_assert_cmpstr(pxf_conf_section_get_path(pool), ==, "plugins.dhcp.pools[0]");
	g_assert_cmpstr(pxf_conf_section_get_string(pool, "start"), ==, "10.0.0.10");
	g_assert_cmpint(pxf_conf_section_get_int(pool, "size"), ==, 10);
	pool = g_ptr_array_index(pools, 1);
	g_assert_cmpint(pxf_conf_section_get_int(pool, "size"), ==, 20);
	where = pxf_conf_section_where(s, "port");
	g_assert_cmpstr(where, ==, "t.yaml:4:9");
	where_pool = pxf_conf_section_where(pool, "size");
	g_assert_cmpstr(where_pool, ==, "t.yaml:12:32");
	g_assert_cmpstr(pxf_conf_section_get_node(s, "name")->scalar, ==, "server one");
	g_assert_cmpint(pxf_conf_section_get_node(s, "pools")->kind, ==, PXF_CONF_NODE_SEQ);
}

/* Every validation error of a plugin section in one pass, each with the
 * position of what was written and the full key path. */
static void
test_section_errors(void)
{
	g_autofree gchar *f = config_path("section-errors.yaml");
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = pxf_conf_parse_file(f, diags);
	PxfConfNode *dhcp =
		pxf_conf_node_lookup(pxf_conf_node_lookup(root, "plugins", NULL), "dhcp", NULL);
	g_autoptr(PxfConfSection) s = NULL;
	g_autofree gchar *where = NULL;
	g_autofree gchar *expected = NULL;

	assert_diags(diags, "");
	s = pxf_conf_section_new(dhcp, dhcp_schema, "plugins.dhcp", diags);
	expected = g_strdup_printf(
		"%1$s:3:5: error: plugins.dhcp.interfces: unknown key 'interfces' (did you mean "
		"'interfaces'?)\n"
		"%1$s:4:14: error: plugins.dhcp.enabled: expected a boolean (true/false, yes/no, "
		"on/off), got 'maybe'\n"
		"%1$s:5:11: error: plugins.dhcp.port: value 70000 is out of range [1, 65535]\n"
		"%1$s:6:17: error: plugins.dhcp.lease-time: expected an integer, got 'soon'\n"
		"%1$s:7:13: error: plugins.dhcp.listen: expected a list of strings, got 'eth0'\n"
		"%1$s:8:11: error: plugins.dhcp.name: expected a string, got a mapping\n"
		"%1$s:10:27: error: plugins.dhcp.options.routers[1]: expected a string, got a "
		"mapping\n"
		"%1$s:11:7: error: plugins.dhcp.options.unknown-opt: unknown key 'unknown-opt'\n"
		"%1$s:14:15: error: plugins.dhcp.pools[0].size: expected an integer, got 'many'\n"
		"%1$s:15:9: error: plugins.dhcp.pools[1]: expected a mapping, got 'just-a-string'\n"
		"%1$s:16:5: error: plugins.dhcp.zzzzzzzz: unknown key 'zzzzzzzz'\n",
		f);
	assert_diags(diags, expected);
	/* bad values fall back to the defaults so the section stays usable */
	g_assert_true(pxf_conf_section_get_bool(s, "enabled"));
	g_assert_cmpint(pxf_conf_section_get_int(s, "port"), ==, 67);
	g_assert_cmpstr(pxf_conf_section_get_strv(s, "listen")[1], ==, "::");
	where = pxf_conf_section_where(s, "port");
	g_assert_cmpstr(where, ==, "default");
	g_assert_cmpuint(pxf_conf_section_get_list(s, "pools")->len, ==, 1);
}

static void
test_section_not_a_map(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = parse("dhcp: [a]\nother: {pools: {start: x}}\n", diags);
	g_autoptr(PxfConfSection) s = pxf_conf_section_new(pxf_conf_node_lookup(root, "dhcp", NULL),
							   dhcp_schema, "plugins.dhcp", diags);
	g_autoptr(PxfConfSection) s2 = pxf_conf_section_new(
		pxf_conf_node_lookup(root, "other", NULL), dhcp_schema, NULL, diags);

	assert_diags(diags, "t.yaml:1:7: error: plugins.dhcp: expected a mapping, got a list\n"
			    "t.yaml:2:16: error: pools: expected a list of mappings, got a "
			    "mapping\n");
	g_assert_cmpint(pxf_conf_section_get_int(s, "port"), ==, 67);
	g_assert_cmpuint(pxf_conf_section_get_list(s2, "pools")->len, ==, 0);
	g_assert_cmpstr(pxf_conf_section_get_path(s2), ==, "");
}

static void
test_section_list_items(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = parse(
		"interfaces: [a, '', ~]\n~: 1\nname: 0123456789012345678901234567890123456789xyz\n"
		"port: [0123456789012345678901234567890123456789xyz]\n",
		diags);
	g_autoptr(PxfConfSection) s = pxf_conf_section_new(root, dhcp_schema, "", diags);

	assert_diags(diags,
		     "t.yaml:1:21: error: interfaces[2]: expected a string, got an empty value\n"
		     "t.yaml:2:1: error: ~: unknown key '~'\n"
		     "t.yaml:4:7: error: port: expected an integer, got a list\n");
	/* a list with an invalid item is not used at all */
	g_assert_null(pxf_conf_section_get_strv(s, "interfaces")[0]);
	g_assert_cmpuint(strlen(pxf_conf_section_get_string(s, "name")), ==, 43);
}

static void
test_section_programmer_errors(void)
{
	g_autoptr(PxfConfSection) s = pxf_conf_section_new(NULL, dhcp_schema, "plugins.dhcp", NULL);
	g_autofree gchar *where = NULL;
	static const PxfConfKey bad_schema[] = {
		{"n", PXF_CONF_TYPE_INT, "ten", NULL, NULL, 0, 0, {NULL, NULL}},
		PXF_CONF_KEY_END,
	};

	g_test_expect_message("pxf-config", G_LOG_LEVEL_CRITICAL,
			      "*key 'interfaces ' is not in the schema*");
	g_assert_null(pxf_conf_section_get_string(s, "interfaces "));
	g_test_assert_expected_messages();
	g_test_expect_message("pxf-config", G_LOG_LEVEL_CRITICAL, "*key 'port' is not a string*");
	g_assert_null(pxf_conf_section_get_string(s, "port"));
	g_test_assert_expected_messages();
	g_test_expect_message("pxf-config", G_LOG_LEVEL_CRITICAL, "*is not in the schema*");
	g_assert_cmpint(pxf_conf_section_get_int(s, "nope"), ==, 0);
	g_test_assert_expected_messages();
	g_test_expect_message("pxf-config", G_LOG_LEVEL_CRITICAL, "*is not in the schema*");
	g_assert_null(pxf_conf_section_get_strv(s, "nope")[0]);
	g_test_assert_expected_messages();
	g_test_expect_message("pxf-config", G_LOG_LEVEL_CRITICAL, "*is not in the schema*");
	g_assert_cmpuint(pxf_conf_section_get_list(s, "nope")->len, ==, 0);
	g_test_assert_expected_messages();
	g_test_expect_message("pxf-config", G_LOG_LEVEL_CRITICAL, "*is not in the schema*");
	where = pxf_conf_section_where(s, "nope");
	g_assert_null(where);
	g_test_assert_expected_messages();

	/* a default that does not parse is the plugin author's bug */
	g_test_expect_message("pxf-config", G_LOG_LEVEL_CRITICAL,
			      "*n: schema default 'ten' is not an integer*");
	{
		g_autoptr(PxfConfSection) bad = pxf_conf_section_new(NULL, bad_schema, "x", NULL);
		g_assert_cmpint(pxf_conf_section_get_int(bad, "n"), ==, 0);
	}
	g_test_assert_expected_messages();
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/config/parse/positions", test_parse_positions);
	g_test_add_func("/core/config/parse/empty", test_parse_empty);
	g_test_add_func("/core/config/parse/syntax-error", test_parse_syntax_error);
	g_test_add_func("/core/config/parse/invalid-utf8", test_parse_invalid_utf8);
	g_test_add_func("/core/config/parse/errors-one-pass", test_parse_errors_one_pass);
	g_test_add_func("/core/config/parse/multiple-documents", test_parse_multiple_documents);
	g_test_add_func("/core/config/parse/top-level", test_parse_top_level);
	g_test_add_func("/core/config/parse/depth-limit", test_parse_depth_limit);
	g_test_add_func("/core/config/node/scalars", test_node_scalars);
	g_test_add_func("/core/config/node/variant", test_node_variant);
	g_test_add_func("/core/config/merge/rules", test_merge_rules);
	g_test_add_func("/core/config/merge/shared", test_merge_shared);
	g_test_add_func("/core/config/load-dir/merge", test_load_dir_merge);
	g_test_add_func("/core/config/load-dir/files", test_load_dir_files);
	g_test_add_func("/core/config/load-dir/special", test_load_dir_special);
	g_test_add_func("/core/config/section/defaults", test_section_defaults);
	g_test_add_func("/core/config/section/values", test_section_values);
	g_test_add_func("/core/config/section/errors", test_section_errors);
	g_test_add_func("/core/config/section/not-a-map", test_section_not_a_map);
	g_test_add_func("/core/config/section/list-items", test_section_list_items);
	g_test_add_func("/core/config/section/programmer-errors", test_section_programmer_errors);
	return g_test_run();
}
