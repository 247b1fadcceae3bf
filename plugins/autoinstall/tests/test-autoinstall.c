/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The autoinstall plugin's engine: seed paths, YAML quoting, the kernel
 * line, passwords only as hashes, and the shipped user-data rendered by the
 * core's renderer and read back by a YAML parser (the core's, libyaml). */
#define G_LOG_DOMAIN "test-autoinstall"

#include <crypt.h>
#include <string.h>

#include "pxf-autoinstall.h"
#include "pxf-config.h"
#include "pxf-diag.h"
#include "pxf-template.h"
#include "pxf-test-paths.h"
#include "pxf-vars.h"

#define PLAIN	   "Tr0ub4dor&3 with spaces"
#define MAC	   "52:54:00:12:34:56"
#define TOKEN	   "0123456789abcdef0123456789abcdef"
#define DONE_URL   "http://192.0.2.1/api/v1/hosts/" MAC "/done"
#define FAILED_URL "http://192.0.2.1/api/v1/hosts/" MAC "/failed"

/* the shipped user-data template */
static gchar *
template_path(void)
{
	return pxf_test_build_filename("plugins", "autoinstall", "templates",
				       "ubuntu-autoinstall.yaml.mustache", NULL);
}

static PxfAutoinstallConfig *
config_from_yaml(const gchar *yaml, GError **error)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root =
		pxf_conf_parse_data("62-autoinstall.yaml", yaml, strlen(yaml), diags);
	g_autoptr(PxfConfSection) section = NULL;

	g_assert_nonnull(root);
	section = pxf_conf_section_new(pxf_conf_node_lookup(root, "autoinstall", NULL),
				       pxf_autoinstall_config_keys, "plugins.autoinstall", diags);
	g_assert_cmpuint(diags->len, ==, 0);
	return pxf_autoinstall_config_new(section, error);
}

static PxfAutoinstallConfig *
default_config(void)
{
	g_autoptr(GError) error = NULL;
	PxfAutoinstallConfig *config = config_from_yaml("autoinstall: {}\n", &error);
	g_assert_no_error(error);
	return config;
}

static gboolean
crypt_verifies(const gchar *password, const gchar *hash)
{
	struct crypt_data *data = g_new0(struct crypt_data, 1);
	const gchar *again = crypt_r(password, hash, data);
	gboolean ok = again != NULL && g_strcmp0(again, hash) == 0;
	g_free(data);
	return ok;
}

static gchar *
var_string(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(vars, name);
	if (value == NULL)
		return NULL;
	while (g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
		GVariant *inner = g_variant_get_variant(value);
		g_variant_unref(value);
		value = inner;
	}
	g_assert_true(g_variant_is_of_type(value, G_VARIANT_TYPE_STRING));
	return g_variant_dup_string(value, NULL);
}

static void
set_dict(PxfVars *vars, const gchar *name, const gchar *const *kv)
{
	GVariantDict dict;

	g_variant_dict_init(&dict, NULL);
	for (guint i = 0; kv[i] != NULL; i += 2)
		g_variant_dict_insert(&dict, kv[i], "s", kv[i + 1]);
	pxf_vars_set(vars, name, g_variant_dict_end(&dict));
}

static void
assert_contains(const gchar *text, const gchar *needle)
{
	if (strstr(text, needle) == NULL)
		g_error("'%s' not in:\n%s", needle, text);
}

static void
assert_lacks(const gchar *text, const gchar *needle)
{
	if (strstr(text, needle) != NULL)
		g_error("'%s' unexpectedly in:\n%s", needle, text);
}

static void
test_config(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfAutoinstallConfig) config = default_config();
	g_autoptr(PxfAutoinstallConfig) bad = NULL;
	g_autoptr(PxfAutoinstallConfig) custom = NULL;
	g_autofree gchar *template = template_path();
	g_autofree gchar *yaml = g_strdup_printf("autoinstall:\n"
						 "  meta_data_template: %s\n"
						 "  datasource: nocloud\n",
						 template);

	g_assert_cmpuint(config->rounds, ==, 5000);
	g_assert_cmpstr(config->datasource, ==, "nocloud-net");
	g_assert_null(config->meta_data_template);
	g_assert_false(config->any_address);

	custom = config_from_yaml(yaml, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(custom->meta_data_template, ==, template);
	g_assert_cmpstr(custom->datasource, ==, "nocloud");

	bad = config_from_yaml("autoinstall:\n  datasource: ec2\n", &error);
	g_assert_null(bad);
	g_assert_error(error, PXF_AUTOINSTALL_ERROR, PXF_AUTOINSTALL_ERROR_INVALID);
	g_assert_true(g_str_has_prefix(error->message, "62-autoinstall.yaml:2:15: "));
	g_clear_error(&error);
	bad = config_from_yaml("autoinstall:\n  meta_data_template: relative.mustache\n", &error);
	g_assert_null(bad);
	g_assert_error(error, PXF_AUTOINSTALL_ERROR, PXF_AUTOINSTALL_ERROR_INVALID);
	g_assert_true(g_str_has_prefix(error->message, "62-autoinstall.yaml:2:23: "));
	g_clear_error(&error);
	bad = config_from_yaml("autoinstall:\n  meta_data_template: /nonexistent/meta\n", &error);
	g_assert_null(bad);
	g_assert_error(error, PXF_AUTOINSTALL_ERROR, PXF_AUTOINSTALL_ERROR_INVALID);
}

static void
assert_path(const gchar *path, PxfAutoinstallPath expected, const gchar *expected_mac)
{
	g_autofree gchar *mac = NULL;
	PxfAutoinstallPath kind = pxf_autoinstall_classify_path(path, &mac);

	if (kind != expected)
		g_error("%s: kind %d, expected %d", path, kind, expected);
	g_assert_cmpstr(mac, ==, expected_mac);
}

static void
test_paths(void)
{
	assert_path("ai/52:54:00:12:34:56/user-data", PXF_AUTOINSTALL_PATH_USER_DATA, MAC);
	assert_path("ai/52-54-00-12-34-56/meta-data", PXF_AUTOINSTALL_PATH_META_DATA, MAC);
	assert_path("ai/52:54:00:AB:CD:EF/vendor-data", PXF_AUTOINSTALL_PATH_VENDOR_DATA,
		    "52:54:00:ab:cd:ef");
	assert_path("ai/52:54:00:12:34:56/network-config", PXF_AUTOINSTALL_PATH_INVALID, NULL);
	assert_path("ai/52:54:00:12:34:56/user-data/x", PXF_AUTOINSTALL_PATH_INVALID, NULL);
	assert_path("ai/52:54:00:12:34:56/", PXF_AUTOINSTALL_PATH_INVALID, NULL);
	assert_path("ai/52:54:00:12:34:56", PXF_AUTOINSTALL_PATH_INVALID, NULL);
	assert_path("ai/52:54-00:12:34:56/user-data", PXF_AUTOINSTALL_PATH_INVALID, NULL);
	assert_path("ai/52:54:00:12:34:5g/user-data", PXF_AUTOINSTALL_PATH_INVALID, NULL);
	assert_path("ai/525400123456/user-data", PXF_AUTOINSTALL_PATH_INVALID, NULL);
	assert_path("ai/", PXF_AUTOINSTALL_PATH_INVALID, NULL);
	assert_path("ai", PXF_AUTOINSTALL_PATH_INVALID, NULL);
	assert_path("aix/52:54:00:12:34:56/user-data", PXF_AUTOINSTALL_PATH_OTHER, NULL);
	assert_path("pxelinux.cfg/default", PXF_AUTOINSTALL_PATH_OTHER, NULL);
	assert_path("", PXF_AUTOINSTALL_PATH_OTHER, NULL);
}

/* What the core's YAML parser (libyaml) reads back from a quoted value. */
static gchar *
yaml_roundtrip(const gchar *quoted)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autofree gchar *doc = g_strdup_printf("k: %s\nother: 1\n", quoted);
	g_autoptr(PxfConfNode) root = pxf_conf_parse_data("q.yaml", doc, strlen(doc), diags);
	PxfConfNode *k;

	g_assert_cmpuint(diags->len, ==, 0);
	g_assert_nonnull(root);
	g_assert_cmpuint(root->keys->len, ==, 2);
	k = pxf_conf_node_lookup(root, "k", NULL);
	g_assert_nonnull(k);
	g_assert_cmpint(k->kind, ==, PXF_CONF_NODE_SCALAR);
	g_assert_false(k->plain);
	return g_strdup(k->scalar);
}

static void
test_yaml_quote(void)
{
	const gchar *cases[] = {
		"plain",
		"",
		"with \"quotes\" and \\backslashes\\",
		"colon: and # hash, [brackets] {braces} & * ! | > ' % @ `",
		"new\nline\r\ttab",
		"\x01\x1f\x7f bell",
		"ümlaut ✓",
		"true",
		"~",
		"- item",
		"line\xe2\x80\xa8sep",
		"key: value\nevil: injected",
		NULL,
	};

	for (guint i = 0; cases[i] != NULL; i++) {
		g_autofree gchar *quoted = pxf_autoinstall_yaml_quote(cases[i]);
		g_autofree gchar *back = yaml_roundtrip(quoted);
		g_assert_null(strchr(quoted, '\n'));
		g_assert_cmpstr(back, ==, cases[i]);
	}
	/* invalid UTF-8 is replaced, never passed on */
	{
		g_autofree gchar *quoted = pxf_autoinstall_yaml_quote("bad \xff\xfe byte");
		g_assert_true(g_utf8_validate(quoted, -1, NULL));
	}
	{
		g_autofree gchar *quoted = pxf_autoinstall_yaml_quote(NULL);
		g_assert_cmpstr(quoted, ==, "\"\"");
	}
}

static PxfVars *
inventory_vars(const gchar *hostname, const gchar *os)
{
	PxfVars *vars = pxf_vars_new();
	const gchar *host[] = {"mac",	   MAC,	     "mac_dashes", "52-54-00-12-34-56",
			       "hostname", hostname, NULL};
	const gchar *host_bare[] = {"mac", MAC, "mac_dashes", "52-54-00-12-34-56", NULL};
	const gchar *profile[] = {"name", "ubuntu", "os", os, NULL};
	const gchar *distro[] = {"name", "noble", NULL};

	set_dict(vars, "host", hostname != NULL ? host : host_bare);
	set_dict(vars, "profile", profile);
	set_dict(vars, "distro", distro);
	pxf_vars_set_string(vars, "http.base_url", "http://192.0.2.1:8080");
	pxf_vars_set_string(vars, "install.ks_url", "http://192.0.2.1:8080/ks/" MAC);
	pxf_vars_set_string(vars, "install.done_url", DONE_URL);
	pxf_vars_set_string(vars, "install.failed_url", FAILED_URL);
	pxf_vars_set_string(vars, "install.token", TOKEN);
	return vars;
}

static void
test_kernel_args(void)
{
	g_autoptr(PxfAutoinstallConfig) config = default_config();
	g_autoptr(GError) error = NULL;

	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "autoinstall");
		g_autofree gchar *args = pxf_autoinstall_kernel_args(config, vars, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(args, ==,
				"autoinstall ds=nocloud-net;s=http://192.0.2.1:8080/ai/" MAC "/");
	}
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "autoinstall");
		g_autoptr(PxfAutoinstallConfig) nocloud =
			config_from_yaml("autoinstall:\n  datasource: nocloud\n", &error);
		g_autofree gchar *args = NULL;

		g_assert_no_error(error);
		pxf_vars_set_string(vars, "iso_url", "http://192.0.2.1/ubuntu.iso");
		pxf_vars_set_string(vars, "nocloud_url", "http://192.0.2.9/seed");
		args = pxf_autoinstall_kernel_args(nocloud, vars, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(args, ==,
				"autoinstall ds=nocloud;s=http://192.0.2.9/seed/ "
				"url=http://192.0.2.1/ubuntu.iso cloud-config-url=/dev/null");
	}
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autofree gchar *args = pxf_autoinstall_kernel_args(config, vars, &error);
		g_assert_null(args);
		g_assert_error(error, PXF_AUTOINSTALL_ERROR, PXF_AUTOINSTALL_ERROR_FAILED);
		g_clear_error(&error);
	}
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "autoinstall");
		g_autofree gchar *args = NULL;

		pxf_vars_set_string(vars, "nocloud_url", "http://x/a;b");
		args = pxf_autoinstall_kernel_args(config, vars, &error);
		g_assert_null(args);
		g_assert_error(error, PXF_AUTOINSTALL_ERROR, PXF_AUTOINSTALL_ERROR_INVALID);
		g_clear_error(&error);
	}
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "autoinstall");
		g_autofree gchar *args = NULL;

		pxf_vars_set_string(vars, "iso_url", "http://x/a b.iso");
		args = pxf_autoinstall_kernel_args(config, vars, &error);
		g_assert_null(args);
		g_assert_error(error, PXF_AUTOINSTALL_ERROR, PXF_AUTOINSTALL_ERROR_INVALID);
		g_clear_error(&error);
	}
}

static void
test_vars(void)
{
	g_autoptr(PxfAutoinstallConfig) config = default_config();
	g_autoptr(GError) error = NULL;

	/* the user's password hashed, plaintexts blanked, values quoted */
	{
		g_autoptr(PxfVars) vars = inventory_vars("Web01.lab.example.org", "autoinstall");
		g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
		g_autofree gchar *hash = NULL;
		g_autofree gchar *quoted = NULL;
		g_autofree gchar *expected = NULL;
		g_autofree gchar *plain = NULL;
		g_autofree gchar *root = NULL;
		g_autofree gchar *hostname = NULL;
		g_autofree gchar *username = NULL;
		g_autofree gchar *args = NULL;

		pxf_vars_set_string(vars, "password", PLAIN);
		pxf_vars_set_string(vars, "rootpw", "root secret");
		g_assert_true(pxf_autoinstall_apply_vars(config, vars, warnings, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(warnings->len, ==, 0);
		hash = var_string(vars, "password_hash");
		g_assert_true(crypt_verifies(PLAIN, hash));
		quoted = var_string(vars, "autoinstall_password");
		expected = g_strdup_printf("\"%s\"", hash);
		g_assert_cmpstr(quoted, ==, expected);
		plain = var_string(vars, "password");
		root = var_string(vars, "rootpw");
		g_assert_cmpstr(plain, ==, "");
		g_assert_cmpstr(root, ==, "");
		hostname = var_string(vars, "autoinstall.hostname");
		g_assert_cmpstr(hostname, ==, "\"web01\"");
		username = var_string(vars, "autoinstall.username");
		g_assert_cmpstr(username, ==, "\"ubuntu\"");
		args = var_string(vars, "install.kernel_args");
		g_assert_cmpstr(args, ==,
				"autoinstall ds=nocloud-net;s=http://192.0.2.1:8080/ai/" MAC "/");
	}
	/* root's hash stands in for the user's; none at all: locked */
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "autoinstall");
		g_autoptr(PxfVars) bare = inventory_vars(NULL, "autoinstall");
		g_autofree gchar *hash = NULL;
		g_autofree gchar *quoted = NULL;
		g_autofree gchar *locked = NULL;
		g_autofree gchar *hostname = NULL;

		pxf_vars_set_string(vars, "rootpw_hash", "$6$abcdefgh$given");
		g_assert_true(pxf_autoinstall_apply_vars(config, vars, NULL, &error));
		quoted = var_string(vars, "autoinstall_password");
		g_assert_cmpstr(quoted, ==, "\"$6$abcdefgh$given\"");
		g_assert_true(pxf_autoinstall_apply_vars(config, bare, NULL, &error));
		locked = var_string(bare, "autoinstall_password");
		g_assert_cmpstr(locked, ==, "\"!\"");
		hostname = var_string(bare, "autoinstall.hostname");
		g_assert_cmpstr(hostname, ==, "\"ubuntu-525400123456\"");
		hash = var_string(bare, "password_hash");
		g_assert_null(hash);
	}
	/* another os: hashed and blanked, nothing else */
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "preseed");
		g_autoptr(GVariant) dict = NULL;
		g_autoptr(GVariant) args = NULL;

		pxf_vars_set_string(vars, "password", PLAIN);
		g_assert_true(pxf_autoinstall_apply_vars(config, vars, NULL, &error));
		dict = pxf_vars_lookup(vars, "autoinstall");
		args = pxf_vars_lookup(vars, "install.kernel_args");
		g_assert_null(dict);
		g_assert_null(args);
	}
	/* unusable values are found */
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "autoinstall");
		g_autofree gchar *ok = pxf_autoinstall_check_vars(vars);
		g_autofree gchar *bad_layout = NULL;
		g_autofree gchar *bad_updates = NULL;

		g_assert_null(ok);
		pxf_vars_set_string(vars, "storage_layout", "btrfs");
		bad_layout = pxf_autoinstall_check_vars(vars);
		assert_contains(bad_layout, "storage_layout 'btrfs'");
		pxf_vars_set_string(vars, "storage_layout", "zfs");
		pxf_vars_set_string(vars, "updates", "none");
		bad_updates = pxf_autoinstall_check_vars(vars);
		assert_contains(bad_updates, "updates 'none'");
	}
}

static gchar *
render_text(const gchar *path, gboolean is_text, PxfVars *vars)
{
	g_autoptr(PxfAutoinstallConfig) config = default_config();
	g_autoptr(PxfTemplate) tpl = NULL;
	g_autoptr(GError) error = NULL;
	GString *out = g_string_new(NULL);

	g_assert_true(pxf_autoinstall_apply_vars(config, vars, NULL, &error));
	g_assert_no_error(error);
	tpl = is_text ? pxf_template_new("meta-data", path, (gsize)-1, &error)
		      : pxf_template_new_from_file(path, &error);
	g_assert_no_error(error);
	g_assert_true(pxf_template_render(tpl, vars, NULL, NULL, out, &error));
	g_assert_no_error(error);
	return g_string_free(out, FALSE);
}

/* the shipped user-data template rendered with @vars */
static gchar *
render_user_data(PxfVars *vars)
{
	g_autofree gchar *path = template_path();
	return render_text(path, FALSE, vars);
}

static PxfConfNode *
parse(const gchar *yaml)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	PxfConfNode *root = pxf_conf_parse_data("user-data", yaml, strlen(yaml), diags);

	if (root == NULL || diags->len > 0)
		g_error("the rendered YAML does not parse:\n%s", yaml);
	return root;
}

static PxfConfNode *
node_at(PxfConfNode *root, const gchar *dotted)
{
	g_auto(GStrv) parts = g_strsplit(dotted, ".", -1);
	PxfConfNode *node = root;

	for (guint i = 0; parts[i] != NULL && node != NULL; i++) {
		g_assert_cmpint(node->kind, ==, PXF_CONF_NODE_MAP);
		node = pxf_conf_node_lookup(node, parts[i], NULL);
	}
	if (node == NULL)
		g_error("no %s in the rendered user-data", dotted);
	return node;
}

static void
assert_scalar(PxfConfNode *root, const gchar *dotted, const gchar *value)
{
	PxfConfNode *node = node_at(root, dotted);
	g_assert_cmpint(node->kind, ==, PXF_CONF_NODE_SCALAR);
	g_assert_cmpstr(node->scalar, ==, value);
}

static void
assert_bool(PxfConfNode *root, const gchar *dotted, gboolean expected)
{
	PxfConfNode *node = node_at(root, dotted);
	gboolean value = !expected;

	g_assert_true(node->plain);
	g_assert_true(pxf_conf_node_get_bool(node, &value));
	g_assert_cmpint(value, ==, expected);
}

static void
assert_seq(PxfConfNode *root, const gchar *dotted, const gchar *const *items)
{
	PxfConfNode *node = node_at(root, dotted);

	g_assert_cmpint(node->kind, ==, PXF_CONF_NODE_SEQ);
	g_assert_cmpuint(node->items->len, ==, g_strv_length((gchar **)items));
	for (guint i = 0; items[i] != NULL; i++) {
		PxfConfNode *item = g_ptr_array_index(node->items, i);
		g_assert_cmpint(item->kind, ==, PXF_CONF_NODE_SCALAR);
		g_assert_cmpstr(item->scalar, ==, items[i]);
	}
}

static void
test_render_full(void)
{
	g_autoptr(PxfVars) vars = inventory_vars("web01", "autoinstall");
	g_autofree gchar *yaml = NULL;
	g_autofree gchar *hash = NULL;
	g_autoptr(PxfConfNode) root = NULL;
	const gchar *keys[] = {"ssh-ed25519 AAAAC3Nz ops@example.org", NULL};
	const gchar *packages[] = {"vim", "curl", NULL};
	const gchar *early[] = {"echo \"early: quoted\" > /tmp/x", NULL};
	const gchar *late[] = {"curtin in-target -- systemctl enable ssh", NULL};
	const gchar *late_all[] = {
		"curtin in-target -- systemctl enable ssh",
		"curl -fsS --retry 5 --retry-delay 3 -X POST '" DONE_URL "?token=" TOKEN "'", NULL};
	const gchar *error_cmds[] = {"curl -fsS --retry 3 -X POST --data-urlencode "
				     "'reason=autoinstall error-commands' '" FAILED_URL
				     "?token=" TOKEN "'",
				     NULL};

	pxf_vars_set_string(vars, "password", PLAIN);
	pxf_vars_set_string(vars, "username", "ops");
	pxf_vars_set_string(vars, "realname", "Ops \"Team\": #1");
	pxf_vars_set_string(vars, "locale", "de_DE.UTF-8");
	pxf_vars_set_string(vars, "keyboard", "de");
	pxf_vars_set_string(vars, "keyboard_variant", "nodeadkeys");
	pxf_vars_set_string(vars, "timezone", "Europe/Berlin");
	pxf_vars_set_string(vars, "storage_layout", "direct");
	pxf_vars_set_string(vars, "mirror", "http://192.0.2.1/ubuntu");
	pxf_vars_set_string(vars, "proxy", "http://192.0.2.8:3128");
	pxf_vars_set_string(vars, "updates", "all");
	pxf_vars_set(vars, "ssh_authorized_keys", g_variant_new_strv(keys, -1));
	pxf_vars_set(vars, "packages", g_variant_new_strv(packages, -1));
	pxf_vars_set(vars, "early_commands", g_variant_new_strv(early, -1));
	pxf_vars_set(vars, "late_commands", g_variant_new_strv(late, -1));

	yaml = render_user_data(vars);
	g_assert_true(g_str_has_prefix(yaml, "#cloud-config\n"));
	assert_lacks(yaml, PLAIN);
	assert_contains(yaml,
			"# pxeforge: autoinstall for web01 " MAC ", noble (profile ubuntu)\n");
	hash = var_string(vars, "password_hash");

	root = parse(yaml);
	g_assert_cmpuint(root->keys->len, ==, 1);
	assert_scalar(root, "autoinstall.version", "1");
	g_assert_true(node_at(root, "autoinstall.version")->plain);
	assert_scalar(root, "autoinstall.locale", "de_DE.UTF-8");
	assert_scalar(root, "autoinstall.keyboard.layout", "de");
	assert_scalar(root, "autoinstall.keyboard.variant", "nodeadkeys");
	assert_scalar(root, "autoinstall.timezone", "Europe/Berlin");
	assert_scalar(root, "autoinstall.network.version", "2");
	assert_scalar(root, "autoinstall.network.ethernets.pxeboot.match.macaddress", MAC);
	assert_bool(root, "autoinstall.network.ethernets.pxeboot.dhcp4", TRUE);
	assert_scalar(root, "autoinstall.proxy", "http://192.0.2.8:3128");
	assert_scalar(root, "autoinstall.identity.hostname", "web01");
	assert_scalar(root, "autoinstall.identity.username", "ops");
	assert_scalar(root, "autoinstall.identity.realname", "Ops \"Team\": #1");
	assert_scalar(root, "autoinstall.identity.password", hash);
	g_assert_true(crypt_verifies(PLAIN, hash));
	assert_bool(root, "autoinstall.ssh.install-server", TRUE);
	/* keys given: no passwords over ssh */
	assert_bool(root, "autoinstall.ssh.allow-pw", FALSE);
	assert_seq(root, "autoinstall.ssh.authorized-keys", keys);
	assert_scalar(root, "autoinstall.storage.layout.name", "direct");
	assert_scalar(root, "autoinstall.updates", "all");
	assert_seq(root, "autoinstall.packages", packages);
	assert_seq(root, "autoinstall.early-commands", early);
	assert_seq(root, "autoinstall.late-commands", late_all);
	assert_seq(root, "autoinstall.error-commands", error_cmds);
	{
		PxfConfNode *primary = node_at(root, "autoinstall.apt.primary");
		PxfConfNode *first;
		g_assert_cmpint(primary->kind, ==, PXF_CONF_NODE_SEQ);
		first = g_ptr_array_index(primary->items, 0);
		assert_scalar(first, "uri", "http://192.0.2.1/ubuntu");
	}
}

static void
test_render_defaults(void)
{
	g_autoptr(PxfVars) vars = inventory_vars(NULL, "autoinstall");
	g_autofree gchar *yaml = render_user_data(vars);
	g_autoptr(PxfConfNode) root = parse(yaml);
	const gchar *none[] = {NULL};

	assert_scalar(root, "autoinstall.locale", "en_US.UTF-8");
	assert_scalar(root, "autoinstall.keyboard.layout", "us");
	assert_scalar(root, "autoinstall.timezone", "UTC");
	assert_scalar(root, "autoinstall.identity.hostname", "ubuntu-525400123456");
	assert_scalar(root, "autoinstall.identity.username", "ubuntu");
	assert_scalar(root, "autoinstall.identity.realname", "ubuntu");
	/* no password at all: locked, never empty */
	assert_scalar(root, "autoinstall.identity.password", "!");
	assert_contains(yaml, "# no password, password_hash or rootpw: the password is locked");
	assert_bool(root, "autoinstall.ssh.allow-pw", TRUE);
	assert_seq(root, "autoinstall.ssh.authorized-keys", none);
	assert_scalar(root, "autoinstall.storage.layout.name", "lvm");
	assert_lacks(yaml, "packages:");
	assert_lacks(yaml, "early-commands:");
	assert_lacks(yaml, "apt:");
	assert_lacks(yaml, "keyboard:\n    layout: \"us\"\n    variant");
	g_assert_cmpuint(node_at(root, "autoinstall.late-commands")->items->len, ==, 1);

	/* without the http plugin: no report, and said so */
	{
		g_autoptr(PxfVars) bare = pxf_vars_new();
		const gchar *profile[] = {"name", "ubuntu", "os", "autoinstall", NULL};
		g_autofree gchar *yaml_bare = NULL;
		g_autoptr(PxfConfNode) root_bare = NULL;
		const gchar *true_only[] = {"true", NULL};

		set_dict(bare, "profile", profile);
		yaml_bare = render_user_data(bare);
		root_bare = parse(yaml_bare);
		assert_contains(yaml_bare, "# no http plugin: pxeforge is not told");
		assert_seq(root_bare, "autoinstall.late-commands", true_only);
		assert_lacks(yaml_bare, "error-commands");
		assert_lacks(yaml_bare, "curl");
	}
}

static void
test_meta_data(void)
{
	g_autoptr(PxfVars) vars = inventory_vars("web01", "autoinstall");
	g_autofree gchar *yaml = render_text(pxf_autoinstall_meta_data_template, TRUE, vars);
	g_autoptr(PxfConfNode) root = parse(yaml);

	g_assert_cmpstr(yaml, ==,
			"instance-id: \"iid-pxeforge-52-54-00-12-34-56\"\n"
			"local-hostname: \"web01\"\n");
	assert_scalar(root, "local-hostname", "web01");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/autoinstall/config", test_config);
	g_test_add_func("/plugin/autoinstall/paths", test_paths);
	g_test_add_func("/plugin/autoinstall/yaml-quote", test_yaml_quote);
	g_test_add_func("/plugin/autoinstall/kernel-args", test_kernel_args);
	g_test_add_func("/plugin/autoinstall/vars", test_vars);
	g_test_add_func("/plugin/autoinstall/render-full", test_render_full);
	g_test_add_func("/plugin/autoinstall/render-defaults", test_render_defaults);
	g_test_add_func("/plugin/autoinstall/meta-data", test_meta_data);
	return g_test_run();
}
