/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bootloader plugins' shared helpers: conf.d checks and the
 * file:line:column of their errors in the caller's domain, plain names and
 * the package file look-up, the install-or-local-disk decision and render
 * variables. */
#define G_LOG_DOMAIN "test-bootloader"

#include <glib/gstdio.h>
#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-config.h"
#include "pxf-diag.h"
#include "pxf-vars.h"

#define TEST_ERROR test_error_quark()
GQuark test_error_quark(void);
G_DEFINE_QUARK(test - bootloader - error - quark, test_error)
#define TEST_CODE 7

static const PxfConfKey test_keys[] = {
	{.key = "mode", .type = PXF_CONF_TYPE_STRING, .default_value = "menu", .description = "m"},
	{.key = "path", .type = PXF_CONF_TYPE_STRING, .default_value = "", .description = "p"},
	{.key = "line", .type = PXF_CONF_TYPE_STRING, .default_value = "", .description = "l"},
	{.key = "menu_kernel",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "k"},
	{.key = "menu_initrd",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "i"},
	PXF_CONF_KEY_END,
};

typedef struct {
	PxfConfNode *root;
	PxfConfSection *section;
} Conf;

static void
conf_load(Conf *c, const gchar *yaml)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();

	c->root = pxf_conf_parse_data("60-test.yaml", yaml, strlen(yaml), diags);
	g_assert_nonnull(c->root);
	c->section = pxf_conf_section_new(pxf_conf_node_lookup(c->root, "test", NULL), test_keys,
					  "plugins.test", diags);
	g_assert_cmpuint(diags->len, ==, 0);
}

static void
conf_clear(Conf *c)
{
	g_clear_pointer(&c->section, pxf_conf_section_free);
	g_clear_pointer(&c->root, pxf_conf_node_unref);
}

static void
test_config_choice(void)
{
	const gchar *const choices[] = {"menu", "local", "ignore", NULL};
	Conf c = {0};
	gint index = -1;
	g_autoptr(GError) error = NULL;

	conf_load(&c, "test:\n  mode: ignore\n");
	g_assert_true(pxf_bootloader_config_choice(c.section, "mode", choices, &index, TEST_ERROR,
						   TEST_CODE, &error));
	g_assert_no_error(error);
	g_assert_cmpint(index, ==, 2);
	conf_clear(&c);

	/* the default when the key is absent */
	conf_load(&c, "test:\n  line: x\n");
	g_assert_true(pxf_bootloader_config_choice(c.section, "mode", choices, &index, TEST_ERROR,
						   TEST_CODE, &error));
	g_assert_cmpint(index, ==, 0);
	conf_clear(&c);

	conf_load(&c, "test:\n  mode: wipe\n");
	g_assert_false(pxf_bootloader_config_choice(c.section, "mode", choices, &index, TEST_ERROR,
						    TEST_CODE, &error));
	g_assert_error(error, TEST_ERROR, TEST_CODE);
	g_assert_cmpstr(error->message, ==,
			"60-test.yaml:2:9: mode: 'wipe' is not one of menu, local, ignore");
	conf_clear(&c);
}

static void
test_config_optional(void)
{
	Conf c = {0};
	g_autofree gchar *empty = NULL;
	g_autofree gchar *set = NULL;

	conf_load(&c, "test:\n  path: ''\n  line: hello\n");
	empty = pxf_bootloader_config_dup_optional(c.section, "path");
	set = pxf_bootloader_config_dup_optional(c.section, "line");
	g_assert_null(empty);
	g_assert_cmpstr(set, ==, "hello");
	conf_clear(&c);
}

static void
test_config_line(void)
{
	Conf c = {0};
	g_autoptr(GError) error = NULL;

	conf_load(&c, "test:\n  line: \"a\\nb\"\n");
	g_assert_true(pxf_bootloader_config_check_line(c.section, "line", NULL, TEST_ERROR,
						       TEST_CODE, &error));
	g_assert_true(pxf_bootloader_config_check_line(c.section, "line", "one line", TEST_ERROR,
						       TEST_CODE, &error));
	g_assert_no_error(error);
	g_assert_false(pxf_bootloader_config_check_line(c.section, "line", "a\nb", TEST_ERROR,
							TEST_CODE, &error));
	g_assert_error(error, TEST_ERROR, TEST_CODE);
	g_assert_cmpstr(error->message, ==, "60-test.yaml:2:9: line: must be a single line");
	g_clear_error(&error);
	g_assert_false(pxf_bootloader_config_check_line(c.section, "line", "a\rb", TEST_ERROR,
							TEST_CODE, &error));
	g_assert_error(error, TEST_ERROR, TEST_CODE);
	conf_clear(&c);
}

static void
test_config_file(void)
{
	const gchar *const schemes[] = {"http://", "tftp://", NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp("pxf-bootloader-XXXXXX", &error);
	g_autofree gchar *file = NULL;
	Conf c = {0};

	g_assert_no_error(error);
	file = g_build_filename(tmp, "vmlinuz", NULL);
	g_assert_true(g_file_set_contents(file, "k", -1, &error));
	conf_load(&c, "test:\n  path: x\n");

	g_assert_true(pxf_bootloader_config_check_file(c.section, "path", NULL, schemes, TEST_ERROR,
						       TEST_CODE, &error));
	g_assert_true(pxf_bootloader_config_check_file(c.section, "path", file, NULL, TEST_ERROR,
						       TEST_CODE, &error));
	g_assert_true(pxf_bootloader_config_check_file(c.section, "path", "http://h/vmlinuz",
						       schemes, TEST_ERROR, TEST_CODE, &error));
	g_assert_true(pxf_bootloader_config_check_file(c.section, "path", "tftp://h/vmlinuz",
						       schemes, TEST_ERROR, TEST_CODE, &error));
	g_assert_no_error(error);

	/* a scheme not listed is a relative path */
	g_assert_false(pxf_bootloader_config_check_file(c.section, "path", "ftp://h/vmlinuz",
							schemes, TEST_ERROR, TEST_CODE, &error));
	g_assert_error(error, TEST_ERROR, TEST_CODE);
	g_assert_cmpstr(error->message, ==,
			"60-test.yaml:2:9: path: 'ftp://h/vmlinuz' is not an absolute path");
	g_clear_error(&error);
	/* no schemes: URLs are refused too */
	g_assert_false(pxf_bootloader_config_check_file(c.section, "path", "http://h/vmlinuz", NULL,
							TEST_ERROR, TEST_CODE, &error));
	g_assert_error(error, TEST_ERROR, TEST_CODE);
	g_clear_error(&error);
	/* a directory is not a regular file */
	g_assert_false(pxf_bootloader_config_check_file(c.section, "path", tmp, NULL, TEST_ERROR,
							TEST_CODE, &error));
	g_assert_error(error, TEST_ERROR, TEST_CODE);
	g_assert_true(g_str_has_suffix(error->message, "' is not a regular file"));
	g_assert_true(g_str_has_prefix(error->message, "60-test.yaml:2:9: path: '"));
	conf_clear(&c);
	g_assert_cmpint(g_unlink(file), ==, 0);
	g_assert_cmpint(g_rmdir(tmp), ==, 0);
}

static void
test_config_label(void)
{
	const gchar *const labels[] = {"install", "local", "shell", NULL};
	Conf c = {0};
	g_autoptr(GError) error = NULL;

	conf_load(&c, "test:\n  mode: reboot\n");
	g_assert_true(pxf_bootloader_config_check_label(c.section, "mode", "shell", labels,
							TEST_ERROR, TEST_CODE, &error));
	g_assert_no_error(error);
	g_assert_false(pxf_bootloader_config_check_label(c.section, "mode", "reboot", labels,
							 TEST_ERROR, TEST_CODE, &error));
	g_assert_error(error, TEST_ERROR, TEST_CODE);
	g_assert_cmpstr(error->message, ==,
			"60-test.yaml:2:9: mode: 'reboot' is not one of install, local, shell");
	g_clear_error(&error);
	g_assert_false(pxf_bootloader_config_check_label(c.section, "mode", NULL, labels,
							 TEST_ERROR, TEST_CODE, &error));
	g_assert_error(error, TEST_ERROR, TEST_CODE);
	conf_clear(&c);
}

static void
test_config_pair(void)
{
	Conf c = {0};
	g_autoptr(GError) error = NULL;

	conf_load(&c, "test:\n  menu_kernel: /k\n  path: x\n");
	g_assert_true(pxf_bootloader_config_check_menu_pair(c.section, NULL, NULL, TEST_ERROR,
							    TEST_CODE, &error));
	g_assert_true(pxf_bootloader_config_check_menu_pair(c.section, "/k", "/i", TEST_ERROR,
							    TEST_CODE, &error));
	g_assert_no_error(error);
	/* the error names the key that is set (here: not in the file) */
	g_assert_false(pxf_bootloader_config_check_menu_pair(c.section, "/k", NULL, TEST_ERROR,
							     TEST_CODE, &error));
	g_assert_error(error, TEST_ERROR, TEST_CODE);
	g_assert_true(g_str_has_suffix(error->message,
				       ": menu_kernel: menu_kernel and menu_initrd go together"));
	g_clear_error(&error);
	g_assert_false(pxf_bootloader_config_check_menu_pair(c.section, NULL, "/i", TEST_ERROR,
							     TEST_CODE, &error));
	g_assert_true(g_str_has_suffix(error->message,
				       ": menu_initrd: menu_kernel and menu_initrd go together"));
	g_clear_error(&error);

	g_assert_true(pxf_bootloader_config_check_ks_param(c.section, "path", "inst.ks", TEST_ERROR,
							   TEST_CODE, &error));
	g_assert_false(pxf_bootloader_config_check_ks_param(c.section, "path", "ks=x", TEST_ERROR,
							    TEST_CODE, &error));
	g_assert_error(error, TEST_ERROR, TEST_CODE);
	g_assert_cmpstr(error->message, ==,
			"60-test.yaml:3:9: path: 'ks=x' is not a kernel parameter name such as "
			"ks or inst.ks");
	g_clear_error(&error);
	g_assert_false(pxf_bootloader_config_check_ks_param(c.section, "path", NULL, TEST_ERROR,
							    TEST_CODE, &error));
	g_assert_error(error, TEST_ERROR, TEST_CODE);
	conf_clear(&c);
}

static void
test_kernel_param(void)
{
	g_assert_true(pxf_bootloader_is_kernel_param_name("ks"));
	g_assert_true(pxf_bootloader_is_kernel_param_name("inst.ks"));
	g_assert_true(pxf_bootloader_is_kernel_param_name("auto_url"));
	g_assert_false(pxf_bootloader_is_kernel_param_name(NULL));
	g_assert_false(pxf_bootloader_is_kernel_param_name(""));
	g_assert_false(pxf_bootloader_is_kernel_param_name("ks=x"));
	g_assert_false(pxf_bootloader_is_kernel_param_name("KS"));
	g_assert_false(pxf_bootloader_is_kernel_param_name("ks x"));
}

static void
test_plain_name(void)
{
	g_autofree gchar *long_name = g_strnfill(65, 'a');

	g_assert_true(pxf_bootloader_is_plain_name("pxelinux.0", 64));
	g_assert_true(pxf_bootloader_is_plain_name("undionly.kpxe", 64));
	g_assert_true(pxf_bootloader_is_plain_name("a-b_c.9", 64));
	g_assert_true(pxf_bootloader_is_plain_name(long_name, 65));
	g_assert_false(pxf_bootloader_is_plain_name(long_name, 64));
	g_assert_false(pxf_bootloader_is_plain_name(NULL, 64));
	g_assert_false(pxf_bootloader_is_plain_name("", 64));
	g_assert_false(pxf_bootloader_is_plain_name(".hidden", 64));
	g_assert_false(pxf_bootloader_is_plain_name("..", 64));
	g_assert_false(pxf_bootloader_is_plain_name("a/b", 64));
	g_assert_false(pxf_bootloader_is_plain_name("a b", 64));
	g_assert_false(pxf_bootloader_is_plain_name("a\\b", 64));
	g_assert_false(pxf_bootloader_is_plain_name("a$b", 64));
}

static void
test_find_file(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp("pxf-bootloader-XXXXXX", &error);
	g_autofree gchar *one = NULL;
	g_autofree gchar *two = NULL;
	g_autofree gchar *in_two = NULL;
	g_autofree gchar *in_one = NULL;
	g_autofree gchar *found = NULL;
	g_autofree gchar *joined = NULL;
	g_autofree gchar *none = NULL;

	g_assert_no_error(error);
	one = g_build_filename(tmp, "one", NULL);
	two = g_build_filename(tmp, "two", NULL);
	g_assert_cmpint(g_mkdir(one, 0700), ==, 0);
	g_assert_cmpint(g_mkdir(two, 0700), ==, 0);
	in_two = g_build_filename(two, "ldlinux.c32", NULL);
	g_assert_true(g_file_set_contents(in_two, "2", -1, &error));
	{
		const gchar *dirs[] = {"", one, two, NULL};

		/* empty entries skipped, then the first directory that has it */
		found = pxf_bootloader_find_file(dirs, "ldlinux.c32");
		g_assert_cmpstr(found, ==, in_two);
		g_clear_pointer(&found, g_free);
		in_one = g_build_filename(one, "ldlinux.c32", NULL);
		g_assert_true(g_file_set_contents(in_one, "1", -1, &error));
		found = pxf_bootloader_find_file(dirs, "ldlinux.c32");
		g_assert_cmpstr(found, ==, in_one);
		g_clear_pointer(&found, g_free);
		/* a directory of that name is not the file */
		found = pxf_bootloader_find_file(dirs, "one");
		g_assert_null(found);
		found = pxf_bootloader_find_file(dirs, "menu.c32");
		g_assert_null(found);
		joined = pxf_bootloader_dirs_to_string(dirs);
		g_assert_true(g_str_has_prefix(joined, ", "));
		g_assert_true(strstr(joined, one) != NULL);
	}
	found = pxf_bootloader_find_file(NULL, "ldlinux.c32");
	g_assert_null(found);
	none = pxf_bootloader_dirs_to_string(NULL);
	g_assert_cmpstr(none, ==, "");

	g_assert_cmpint(g_unlink(in_one), ==, 0);
	g_assert_cmpint(g_unlink(in_two), ==, 0);
	g_assert_cmpint(g_rmdir(one), ==, 0);
	g_assert_cmpint(g_rmdir(two), ==, 0);
	g_assert_cmpint(g_rmdir(tmp), ==, 0);
}

static void
test_parse_mac(void)
{
	const gchar *bad[] = {"",
			      "52:54:00:12:34",
			      "52:54:00:12:34:5g",
			      "52-54-00-12-34-56",
			      "52:54:00:12:34:56:",
			      "52:54:00:12:34-56",
			      "5254:00:12:34:56:",
			      NULL};
	g_autofree gchar *colons = pxf_bootloader_parse_mac("52:54:00:AB:cd:eF", ':');
	g_autofree gchar *dashes = pxf_bootloader_parse_mac("52-54-00-ab-cd-ef", '-');

	g_assert_cmpstr(colons, ==, "52:54:00:ab:cd:ef");
	g_assert_cmpstr(dashes, ==, "52:54:00:ab:cd:ef");
	g_assert_null(pxf_bootloader_parse_mac(NULL, ':'));
	for (guint i = 0; bad[i] != NULL; i++) {
		g_autofree gchar *mac = pxf_bootloader_parse_mac(bad[i], ':');
		if (mac != NULL)
			g_error("'%s' parsed as %s", bad[i], mac);
	}
}

static void
test_urls(void)
{
	const gchar *const schemes[] = {"http://", "tftp://", NULL};
	g_autofree gchar *a = pxf_bootloader_url_join("http://h:8080/", "ipxe/boot.ipxe");
	g_autofree gchar *b = pxf_bootloader_url_join("http://h:8080///", "x");
	g_autofree gchar *c = pxf_bootloader_url_join("http://h/pxe", "boot/menu/vmlinuz");
	g_autofree gchar *d = pxf_bootloader_url_join("", "x");

	g_assert_true(pxf_bootloader_has_scheme("http://h/vmlinuz", schemes));
	g_assert_true(pxf_bootloader_has_scheme("tftp://h/vmlinuz", schemes));
	g_assert_false(pxf_bootloader_has_scheme("https://h/vmlinuz", schemes));
	g_assert_false(pxf_bootloader_has_scheme("/srv/vmlinuz", schemes));
	g_assert_false(pxf_bootloader_has_scheme("http://h/vmlinuz", NULL));
	g_assert_false(pxf_bootloader_has_scheme(NULL, schemes));
	g_assert_cmpstr(a, ==, "http://h:8080/ipxe/boot.ipxe");
	g_assert_cmpstr(b, ==, "http://h:8080/x");
	g_assert_cmpstr(c, ==, "http://h/pxe/boot/menu/vmlinuz");
	g_assert_cmpstr(d, ==, "/x");
}

static void
test_localboot_reason(void)
{
	const gchar *why = "no kernel here";

	g_assert_cmpstr(pxf_bootloader_localboot_reason(FALSE, PXF_HOST_STATE_BOOTING, TRUE, why),
			==, "netboot is off");
	/* netboot off wins over the rest */
	g_assert_cmpstr(
		pxf_bootloader_localboot_reason(FALSE, PXF_HOST_STATE_INSTALLED, FALSE, why), ==,
		"netboot is off");
	g_assert_cmpstr(pxf_bootloader_localboot_reason(TRUE, PXF_HOST_STATE_INSTALLED, TRUE, why),
			==, "installed");
	g_assert_cmpstr(pxf_bootloader_localboot_reason(TRUE, PXF_HOST_STATE_BOOTING, FALSE, why),
			==, why);
	g_assert_null(pxf_bootloader_localboot_reason(TRUE, PXF_HOST_STATE_BOOTING, TRUE, why));
}

static void
test_vars(void)
{
	g_autoptr(PxfVars) vars = pxf_vars_new();
	g_autofree gchar *plain = NULL;
	g_autofree gchar *nested = NULL;
	g_autofree gchar *empty = NULL;
	g_autofree gchar *number = NULL;
	g_autofree gchar *absent = NULL;
	g_autoptr(GVariant) dict = NULL;
	GVariantBuilder b;

	pxf_vars_set(vars, "plain", g_variant_new_string("a"));
	pxf_vars_set(vars, "nested",
		     g_variant_new_variant(g_variant_new_variant(g_variant_new_string("b"))));
	pxf_vars_set(vars, "empty", g_variant_new_string(""));
	pxf_vars_set(vars, "number", g_variant_new_int64(3));
	plain = pxf_bootloader_var_string(vars, "plain");
	nested = pxf_bootloader_var_string(vars, "nested");
	empty = pxf_bootloader_var_string(vars, "empty");
	number = pxf_bootloader_var_string(vars, "number");
	absent = pxf_bootloader_var_string(vars, "absent");
	g_assert_cmpstr(plain, ==, "a");
	g_assert_cmpstr(nested, ==, "b");
	g_assert_null(empty);
	g_assert_null(number);
	g_assert_null(absent);

	/* host and distro variables come as plain values */
	{
		g_autoptr(GVariant) s1 = g_variant_ref_sink(g_variant_new_string("x"));
		g_autoptr(GVariant) s2 = g_variant_ref_sink(g_variant_new_string(""));
		g_autoptr(GVariant) n = g_variant_ref_sink(g_variant_new_int32(1));
		g_autofree gchar *d1 = pxf_bootloader_dup_string(s1);
		g_autofree gchar *d2 = pxf_bootloader_dup_string(s2);
		g_autofree gchar *d3 = pxf_bootloader_dup_string(n);
		g_autofree gchar *d4 = pxf_bootloader_dup_string(NULL);

		g_assert_cmpstr(d1, ==, "x");
		g_assert_null(d2);
		g_assert_null(d3);
		g_assert_null(d4);
	}

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	pxf_bootloader_add_string(&b, "set", "v");
	pxf_bootloader_add_string(&b, "unset", NULL);
	dict = g_variant_ref_sink(g_variant_builder_end(&b));
	g_assert_cmpuint(g_variant_n_children(dict), ==, 1);
	{
		const gchar *value = NULL;
		g_assert_true(g_variant_lookup(dict, "set", "&s", &value));
		g_assert_cmpstr(value, ==, "v");
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugins/bootloader/config/choice", test_config_choice);
	g_test_add_func("/plugins/bootloader/config/optional", test_config_optional);
	g_test_add_func("/plugins/bootloader/config/line", test_config_line);
	g_test_add_func("/plugins/bootloader/config/file", test_config_file);
	g_test_add_func("/plugins/bootloader/config/label", test_config_label);
	g_test_add_func("/plugins/bootloader/config/pair", test_config_pair);
	g_test_add_func("/plugins/bootloader/kernel-param", test_kernel_param);
	g_test_add_func("/plugins/bootloader/plain-name", test_plain_name);
	g_test_add_func("/plugins/bootloader/find-file", test_find_file);
	g_test_add_func("/plugins/bootloader/parse-mac", test_parse_mac);
	g_test_add_func("/plugins/bootloader/urls", test_urls);
	g_test_add_func("/plugins/bootloader/localboot-reason", test_localboot_reason);
	g_test_add_func("/plugins/bootloader/vars", test_vars);
	return g_test_run();
}
