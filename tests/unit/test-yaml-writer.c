/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The YAML writer shared by `pxeforge hosts import` and `pxeforge import`:
 * which scalars are quoted, that awkward text reads back the same, the
 * layout, the read-back guard, the atomic replacement of the file, and
 * loading the file to rewrite. */
#define G_LOG_DOMAIN "test-yaml-writer"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pxf-diag.h"
#include "pxf-yaml-writer.h"

static PxfConfNode *
scalar(const gchar *text, gboolean plain)
{
	return pxf_yaml_writer_scalar_new(NULL, 0, 0, text, plain);
}

static void
map_add(PxfConfNode *map, const gchar *key, PxfConfNode *value)
{
	g_autoptr(PxfConfNode) k = scalar(key, TRUE);
	g_autoptr(PxfConfNode) v = value;
	pxf_conf_node_map_set(map, k, v);
}

static gchar *
emit(PxfConfNode *root, PxfYamlWriterFlags flags)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GError) error = NULL;

	g_assert_true(pxf_yaml_writer_emit(root, flags, out, &error));
	g_assert_no_error(error);
	return g_string_free(g_steal_pointer(&out), FALSE);
}

static PxfConfNode *
parse(const gchar *text)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	PxfConfNode *node = pxf_conf_parse_data("t.yaml", text, strlen(text), diags);
	if (node == NULL || pxf_diags_count_errors(diags) > 0)
		g_error("does not parse:\n%s", text);
	return node;
}

static void
test_special(void)
{
	const gchar *special[] = {"",	 "~",  "null", "NULL", "true", "False",
				  "yes", "no", "on",   "off",  NULL};
	const gchar *ordinary[] = {"x", "yes please", "nulls", "1.0", " true", "ja", NULL};
	const gchar *numbers[] = {"6.10", "1", "-5", "+3", "1e3", ".5", "0x10", "inf", NULL};
	const gchar *not_numbers[] = {"", "6.10a", "v1", "1.2.3", "1 ", "six", "-", NULL};

	for (guint i = 0; special[i] != NULL; i++)
		g_assert_true(pxf_yaml_writer_text_is_special(special[i]));
	for (guint i = 0; ordinary[i] != NULL; i++)
		g_assert_false(pxf_yaml_writer_text_is_special(ordinary[i]));
	for (guint i = 0; numbers[i] != NULL; i++)
		g_assert_true(pxf_yaml_writer_text_is_number(numbers[i]));
	for (guint i = 0; not_numbers[i] != NULL; i++)
		g_assert_false(pxf_yaml_writer_text_is_number(not_numbers[i]));
}

/* Every awkward text, written as a quoted scalar (as a value and as a key),
 * reads back as the same string, and never as null or a boolean. */
static void
test_round_trip(void)
{
	const gchar *texts[] = {
		"a: b",
		"key:",
		"http://h:80/p?q=1",
		":leading",
		"# comment",
		"a #b",
		"a#b",
		"#",
		"- item",
		"-",
		"-1",
		"--- doc",
		"'single'",
		"\"double\"",
		"it's",
		"say \"hi\"",
		"line1\nline2",
		"trailing\n",
		"\n",
		"tab\there",
		"",
		" leading space",
		"trailing space ",
		"ünïcödé ✓ 東京",
		"yes",
		"null",
		"~",
		"6.10",
		"[x]",
		"{a: 1}",
		"*alias",
		"&anchor",
		"!tag",
		"%percent",
		"@at",
		"`tick",
		"|",
		">",
		"?",
		"a\\b",
		"\x01control",
		"...",
		"key: [1, 2]",
		"é: x",
		NULL,
	};
	const PxfYamlWriterFlags all_flags[] = {PXF_YAML_WRITER_FLAG_NONE,
						PXF_YAML_WRITER_FLAG_QUOTE_NUMBERS};

	for (guint f = 0; f < G_N_ELEMENTS(all_flags); f++) {
		for (guint i = 0; texts[i] != NULL; i++) {
			g_autoptr(PxfConfNode) map =
				pxf_conf_node_new(PXF_CONF_NODE_MAP, NULL, 0, 0);
			g_autoptr(PxfConfNode) seq =
				pxf_conf_node_new(PXF_CONF_NODE_SEQ, NULL, 0, 0);
			g_autoptr(PxfConfNode) key = scalar(texts[i], FALSE);
			g_autoptr(PxfConfNode) k_value = scalar("k", TRUE);
			g_autoptr(PxfConfNode) back = NULL;
			g_autofree gchar *text = NULL;
			PxfConfNode *value;

			g_ptr_array_add(seq->items, scalar(texts[i], FALSE));
			map_add(map, "value", scalar(texts[i], FALSE));
			map_add(map, "list", g_steal_pointer(&seq));
			pxf_conf_node_map_set(map, key, k_value);
			text = emit(map, all_flags[f]);
			back = parse(text);
			g_assert_true(pxf_yaml_writer_node_equal(map, back));
			value = pxf_conf_node_lookup(back, "value", NULL);
			g_assert_cmpstr(value->scalar, ==, texts[i]);
			g_assert_cmpstr(
				((PxfConfNode *)g_ptr_array_index(
					 pxf_conf_node_lookup(back, "list", NULL)->items, 0))
					->scalar,
				==, texts[i]);
			g_assert_nonnull(pxf_conf_node_lookup(back, texts[i], NULL));
			/* quoted special text stays quoted: a string, not null or a
			 * boolean */
			g_assert_false(pxf_conf_node_is_null(value));
			if (pxf_yaml_writer_text_is_special(texts[i]))
				g_assert_false(value->plain);
		}
	}
}

static void
test_quoting(void)
{
	g_autoptr(PxfConfNode) map = pxf_conf_node_new(PXF_CONF_NODE_MAP, NULL, 0, 0);
	g_autofree gchar *none = NULL;
	g_autofree gchar *numbers = NULL;
	g_autoptr(PxfConfNode) back = NULL;

	map_add(map, "version", scalar("6.10", FALSE));
	map_add(map, "answer", scalar("yes", FALSE));
	map_add(map, "netboot", scalar("yes", TRUE)); /* a real boolean */
	map_add(map, "empty", scalar("", FALSE));
	map_add(map, "name", scalar("ünïcödé", FALSE));
	map_add(map, "plain", scalar("x", FALSE));

	/* special quoted text is double-quoted; text that reads back the same
	 * plain is written plain; UTF-8 as is, not escaped */
	none = emit(map, PXF_YAML_WRITER_FLAG_NONE);
	g_assert_cmpstr(none, ==,
			"version: 6.10\n"
			"answer: \"yes\"\n"
			"netboot: yes\n"
			"empty: \"\"\n"
			"name: ünïcödé\n"
			"plain: x\n");
	numbers = emit(map, PXF_YAML_WRITER_FLAG_QUOTE_NUMBERS);
	g_assert_true(g_str_has_prefix(numbers, "version: \"6.10\"\n"));
	back = parse(numbers);
	g_assert_false(pxf_conf_node_lookup(back, "version", NULL)->plain);
	g_assert_true(pxf_conf_node_lookup(back, "netboot", NULL)->plain);
	g_assert_false(pxf_conf_node_lookup(back, "answer", NULL)->plain);
}

static void
test_layout(void)
{
	g_autoptr(PxfConfNode) map = pxf_conf_node_new(PXF_CONF_NODE_MAP, NULL, 0, 0);
	g_autoptr(PxfConfNode) hosts = pxf_conf_node_new(PXF_CONF_NODE_SEQ, NULL, 0, 0);
	g_autoptr(PxfConfNode) host = pxf_conf_node_new(PXF_CONF_NODE_MAP, NULL, 0, 0);
	g_autoptr(PxfConfNode) tags = pxf_conf_node_new(PXF_CONF_NODE_SEQ, NULL, 0, 0);
	g_autofree gchar *long_value = g_strnfill(300, 'a');
	g_autofree gchar *text = NULL;
	g_autofree gchar *expected = NULL;

	g_ptr_array_add(tags->items, scalar("web", TRUE));
	g_ptr_array_add(tags->items, scalar("db", TRUE));
	map_add(host, "mac", scalar("52:54:00:00:00:01", TRUE));
	map_add(host, "tags", pxf_conf_node_ref(tags));
	map_add(host, "note", scalar(long_value, TRUE));
	g_ptr_array_add(hosts->items, pxf_conf_node_ref(host));
	map_add(map, "hosts", pxf_conf_node_ref(hosts));

	/* two-space indents, block style, long values on one line */
	text = emit(map, PXF_YAML_WRITER_FLAG_NONE);
	expected = g_strdup_printf("hosts:\n"
				   "- mac: 52:54:00:00:00:01\n"
				   "  tags:\n"
				   "  - web\n"
				   "  - db\n"
				   "  note: %s\n",
				   long_value);
	g_assert_cmpstr(text, ==, expected);
}

static void
test_node_equal(void)
{
	g_autoptr(PxfConfNode) yes_plain = scalar("yes", TRUE);
	g_autoptr(PxfConfNode) yes_quoted = scalar("yes", FALSE);
	g_autoptr(PxfConfNode) abc_plain = scalar("abc", TRUE);
	g_autoptr(PxfConfNode) abc_quoted = scalar("abc", FALSE);
	g_autoptr(PxfConfNode) map = pxf_conf_node_new(PXF_CONF_NODE_MAP, NULL, 0, 0);
	g_autoptr(PxfConfNode) map2 = pxf_conf_node_new(PXF_CONF_NODE_MAP, NULL, 0, 0);
	g_autoptr(PxfConfNode) seq = pxf_conf_node_new(PXF_CONF_NODE_SEQ, NULL, 0, 0);

	g_assert_false(pxf_yaml_writer_node_equal(yes_plain, yes_quoted));
	g_assert_true(pxf_yaml_writer_node_equal(abc_plain, abc_quoted));
	g_assert_false(pxf_yaml_writer_node_equal(abc_plain, yes_plain));
	g_assert_false(pxf_yaml_writer_node_equal(map, seq));
	g_assert_true(pxf_yaml_writer_node_equal(map, map2));
	map_add(map, "a", scalar("1", TRUE));
	g_assert_false(pxf_yaml_writer_node_equal(map, map2));
	map_add(map2, "b", scalar("1", TRUE));
	g_assert_false(pxf_yaml_writer_node_equal(map, map2)); /* same value, other key */
}

static gchar *
read_text(const gchar *path)
{
	gchar *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	return text;
}

static void
test_write_atomic(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("pxf-yaml-writer-XXXXXX", NULL);
	g_autofree gchar *path = g_build_filename(dir, "90-hosts.yaml", NULL);
	g_autofree gchar *missing = g_build_filename(dir, "nodir", "x.yaml", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) listing = NULL;
	GStatBuf st;
	ino_t ino;
	gint fd;
	gchar buf[16] = {0};
	mode_t old_umask = umask(022);

	/* a new file: 0644 */
	g_assert_true(pxf_yaml_writer_write_atomic(path, "a: 1\n", 5, &error));
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 07777, ==, 0644);
	ino = st.st_ino;

	/* replaced: a new inode with the old mode, while a reader of the old
	 * file still reads it whole */
	g_assert_cmpint(g_chmod(path, 0640), ==, 0);
	fd = g_open(path, O_RDONLY, 0);
	g_assert_cmpint(fd, >=, 0);
	g_assert_true(pxf_yaml_writer_write_atomic(path, "b: 22\n", 6, &error));
	g_assert_no_error(error);
	g_assert_cmpint(read(fd, buf, sizeof(buf) - 1), ==, 5);
	g_assert_cmpstr(buf, ==, "a: 1\n");
	close(fd);
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 07777, ==, 0640);
	g_assert_cmpuint(st.st_ino, !=, ino);
	{
		g_autofree gchar *text = read_text(path);
		g_assert_cmpstr(text, ==, "b: 22\n");
	}

	/* no temporary file left behind */
	listing = g_dir_open(dir, 0, NULL);
	g_assert_cmpstr(g_dir_read_name(listing), ==, "90-hosts.yaml");
	g_assert_null(g_dir_read_name(listing));

	/* errors name the place */
	g_assert_false(pxf_yaml_writer_write_atomic(missing, "x\n", 2, &error));
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_assert_nonnull(strstr(error->message, "nodir"));
	g_clear_error(&error);

	umask(old_umask);
	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void
test_write_file(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("pxf-yaml-writer-XXXXXX", NULL);
	g_autofree gchar *path = g_build_filename(dir, "80-distros.yaml", NULL);
	g_autoptr(PxfConfNode) map = pxf_conf_node_new(PXF_CONF_NODE_MAP, NULL, 0, 0);
	g_autoptr(PxfConfNode) dup = pxf_conf_node_new(PXF_CONF_NODE_MAP, NULL, 0, 0);
	g_autoptr(PxfConfNode) odd = pxf_conf_node_new(PXF_CONF_NODE_MAP, NULL, 0, 0);
	g_autoptr(GError) error = NULL;

	map_add(map, "version", scalar("9.4", FALSE));
	g_assert_true(pxf_yaml_writer_write_file(path, "# header\n", map,
						 PXF_YAML_WRITER_FLAG_QUOTE_NUMBERS, &error));
	g_assert_no_error(error);
	{
		g_autofree gchar *text = read_text(path);
		g_assert_cmpstr(text, ==, "# header\nversion: \"9.4\"\n");
	}

	/* a tree that would not read back the same (a key twice) is refused,
	 * and the file stays as it was */
	g_ptr_array_add(dup->keys, scalar("a", TRUE));
	g_ptr_array_add(dup->items, scalar("1", TRUE));
	g_ptr_array_add(dup->keys, scalar("a", TRUE));
	g_ptr_array_add(dup->items, scalar("2", TRUE));
	g_assert_false(
		pxf_yaml_writer_write_file(path, NULL, dup, PXF_YAML_WRITER_FLAG_NONE, &error));
	g_assert_error(error, PXF_YAML_WRITER_ERROR, PXF_YAML_WRITER_ERROR_READ_BACK);
	g_assert_nonnull(strstr(error->message, path));
	g_clear_error(&error);
	{
		g_autofree gchar *text = read_text(path);
		g_assert_cmpstr(text, ==, "# header\nversion: \"9.4\"\n");
	}

	/* text that is not UTF-8 (libyaml's emitter would never return on it):
	 * an error, nothing written */
	map_add(odd, "name", scalar("caf\xe9", FALSE));
	g_assert_false(
		pxf_yaml_writer_write_file(path, NULL, odd, PXF_YAML_WRITER_FLAG_NONE, &error));
	g_assert_error(error, PXF_YAML_WRITER_ERROR, PXF_YAML_WRITER_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, "not UTF-8"));
	g_clear_error(&error);
	{
		g_autofree gchar *text = read_text(path);
		g_assert_cmpstr(text, ==, "# header\nversion: \"9.4\"\n");
	}

	/* with its place when the node has one */
	{
		g_autoptr(PxfConfNode) bad =
			pxf_yaml_writer_scalar_new("hosts.csv", 3, 7, "\xff", FALSE);
		g_autoptr(GString) out = g_string_new(NULL);
		g_assert_false(pxf_yaml_writer_emit(bad, PXF_YAML_WRITER_FLAG_NONE, out, &error));
		g_assert_error(error, PXF_YAML_WRITER_ERROR, PXF_YAML_WRITER_ERROR_FAILED);
		g_assert_nonnull(strstr(error->message, "hosts.csv:3:7: "));
		g_assert_cmpuint(out->len, ==, 0);
		g_clear_error(&error);
	}

	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void
test_load(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("pxf-yaml-writer-XXXXXX", NULL);
	g_autofree gchar *confd = g_build_filename(dir, "conf.d", NULL);
	g_autofree gchar *path = g_build_filename(confd, "90-hosts.yaml", NULL);
	g_autofree gchar *blocker = g_build_filename(dir, "file", NULL);
	g_autofree gchar *under_file = g_build_filename(blocker, "conf.d", "x.yaml", NULL);
	g_autoptr(GError) error = NULL;

	/* no conf.d yet: made, and an empty mapping to fill */
	{
		g_autoptr(PxfConfNode) root = pxf_yaml_writer_load(path, &error);
		g_assert_no_error(error);
		g_assert_cmpint(root->kind, ==, PXF_CONF_NODE_MAP);
		g_assert_cmpuint(root->keys->len, ==, 0);
		g_assert_true(g_file_test(confd, G_FILE_TEST_IS_DIR));
	}
	/* the file as it is */
	g_assert_true(g_file_set_contents(path, "hosts:\n- mac: 52:54:00:00:00:01\n", -1, NULL));
	{
		g_autoptr(PxfConfNode) root = pxf_yaml_writer_load(path, &error);
		g_assert_no_error(error);
		g_assert_nonnull(pxf_conf_node_lookup(root, "hosts", NULL));
	}
	/* a file broken since it was checked: nothing to build on */
	g_assert_true(g_file_set_contents(path, "hosts: [\n", -1, NULL));
	g_assert_null(pxf_yaml_writer_load(path, &error));
	g_assert_error(error, PXF_YAML_WRITER_ERROR, PXF_YAML_WRITER_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, path));
	g_clear_error(&error);
	/* a directory that cannot be made */
	g_assert_true(g_file_set_contents(blocker, "", -1, NULL));
	g_assert_null(pxf_yaml_writer_load(under_file, &error));
	g_assert_true(error != NULL && error->domain == G_FILE_ERROR);
	g_assert_nonnull(strstr(error->message, "cannot create"));
	g_clear_error(&error);

	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_unlink(blocker), ==, 0);
	g_assert_cmpint(g_rmdir(confd), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/yaml-writer/special", test_special);
	g_test_add_func("/core/yaml-writer/round-trip", test_round_trip);
	g_test_add_func("/core/yaml-writer/quoting", test_quoting);
	g_test_add_func("/core/yaml-writer/layout", test_layout);
	g_test_add_func("/core/yaml-writer/node-equal", test_node_equal);
	g_test_add_func("/core/yaml-writer/write-atomic", test_write_atomic);
	g_test_add_func("/core/yaml-writer/write-file", test_write_file);
	g_test_add_func("/core/yaml-writer/load", test_load);
	return g_test_run();
}
