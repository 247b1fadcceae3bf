/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The preseed plugin's engine: configuration, the mirror split for d-i, the
 * kernel line, passwords only as hashes, and the shipped template rendered
 * by the core's renderer, checked line by line and by debconf's own
 * debconf-set-selections --checkonly. */
#define G_LOG_DOMAIN "test-preseed"

#include <crypt.h>
#include <glib/gstdio.h>
#include <string.h>

#include "pxf-config.h"
#include "pxf-diag.h"
#include "pxf-preseed.h"
#include "pxf-template.h"
#include "pxf-test-paths.h"
#include "pxf-vars.h"

#define PLAIN	      "Tr0ub4dor&3 with spaces"
#define USER_PLAIN    "user's own secret"
#define MAC	      "52:54:00:12:34:56"
#define TOKEN	      "0123456789abcdef0123456789abcdef"
#define DEBCONF_CHECK "/usr/bin/debconf-set-selections"

static PxfPreseedConfig *
config_from_yaml(const gchar *yaml, GError **error)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root =
		pxf_conf_parse_data("61-preseed.yaml", yaml, strlen(yaml), diags);
	g_autoptr(PxfConfSection) section = NULL;

	g_assert_nonnull(root);
	section = pxf_conf_section_new(pxf_conf_node_lookup(root, "preseed", NULL),
				       pxf_preseed_config_keys, "plugins.preseed", diags);
	g_assert_cmpuint(diags->len, ==, 0);
	return pxf_preseed_config_new(section, error);
}

static PxfPreseedConfig *
default_config(void)
{
	g_autoptr(GError) error = NULL;
	PxfPreseedConfig *config = config_from_yaml("preseed: {}\n", &error);
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
	g_autoptr(PxfPreseedConfig) config = default_config();
	g_autoptr(PxfPreseedConfig) custom = NULL;
	g_autoptr(PxfPreseedConfig) bad = NULL;

	g_assert_cmpuint(config->rounds, ==, 5000);
	g_assert_cmpstr(config->tree_path, ==, "distros");
	g_assert_cmpstr(config->priority, ==, "critical");

	custom = config_from_yaml("preseed:\n  tree_path: /mirror/\n  priority: high\n", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(custom->tree_path, ==, "mirror");
	g_assert_cmpstr(custom->priority, ==, "high");

	bad = config_from_yaml("preseed:\n  priority: urgent\n", &error);
	g_assert_null(bad);
	g_assert_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID);
	g_assert_true(g_str_has_prefix(error->message, "61-preseed.yaml:2:13: "));
	g_clear_error(&error);

	bad = config_from_yaml("preseed:\n  tree_path: a/../b\n", &error);
	g_assert_null(bad);
	g_assert_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID);
	g_assert_true(g_str_has_prefix(error->message, "61-preseed.yaml:2:14: "));
}

static void
assert_mirror(const gchar *url, const gchar *protocol, const gchar *hostname, const gchar *dir)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfPreseedMirror) m = pxf_preseed_mirror_parse(url, &error);

	g_assert_no_error(error);
	g_assert_nonnull(m);
	g_assert_cmpstr(m->protocol, ==, protocol);
	g_assert_cmpstr(m->hostname, ==, hostname);
	g_assert_cmpstr(m->directory, ==, dir);
}

static void
assert_mirror_refused(const gchar *url)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfPreseedMirror) m = pxf_preseed_mirror_parse(url, &error);

	if (m != NULL)
		g_error("mirror '%s' accepted", url);
	g_assert_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID);
}

static void
test_mirror(void)
{
	assert_mirror("http://192.0.2.1/distros/bookworm/", "http", "192.0.2.1",
		      "/distros/bookworm");
	assert_mirror("http://deb.debian.org/debian", "http", "deb.debian.org", "/debian");
	assert_mirror("https://mirror.example.org:8443/debian//", "https",
		      "mirror.example.org:8443", "/debian");
	assert_mirror("ftp://ftp.example.org/", "ftp", "ftp.example.org", "/");
	assert_mirror("http://h", "http", "h", "/");
	assert_mirror("http://[2001:db8::1]:8080/debian/", "http", "[2001:db8::1]:8080", "/debian");
	assert_mirror("http://[2001:db8::1]/debian/", "http", "[2001:db8::1]", "/debian");
	assert_mirror_refused("nfs://server/export");
	assert_mirror_refused("file:///srv/mirror");
	assert_mirror_refused("/srv/mirror");
	assert_mirror_refused("http://user:pw@host/debian");
	assert_mirror_refused("http://host/debian?x=1");
	assert_mirror_refused("http://host/debian#frag");
	assert_mirror_refused("http:///debian");
	assert_mirror_refused("http://host/deb ian");
	assert_mirror_refused("http://host/debian\nd-i x string y");
	assert_mirror_refused("");
	assert_mirror_refused(NULL);
}

/* The variables a known host has when the daemon renders for it. */
static PxfVars *
inventory_vars(const gchar *hostname, const gchar *os)
{
	PxfVars *vars = pxf_vars_new();
	const gchar *host[] = {"mac", MAC, "hostname", hostname, NULL};
	const gchar *host_bare[] = {"mac", MAC, NULL};
	const gchar *profile[] = {"name", "deb", "os", os, NULL};
	const gchar *distro[] = {"name", "bookworm", "tree", "/srv/mirror/debian", NULL};

	set_dict(vars, "host", hostname != NULL ? host : host_bare);
	set_dict(vars, "profile", profile);
	set_dict(vars, "distro", distro);
	/* the http plugin's variables and the core's token */
	pxf_vars_set_string(vars, "http.base_url", "http://192.0.2.1");
	pxf_vars_set_string(vars, "http.tree_url", "http://192.0.2.1/distros/bookworm/");
	pxf_vars_set_string(vars, "install.ks_url", "http://192.0.2.1/ks/" MAC);
	pxf_vars_set_string(vars, "install.done_url", "http://192.0.2.1/api/v1/hosts/" MAC "/done");
	pxf_vars_set_string(vars, "install.failed_url",
			    "http://192.0.2.1/api/v1/hosts/" MAC "/failed");
	pxf_vars_set_string(vars, "install.token", TOKEN);
	return vars;
}

static void
test_kernel_args(void)
{
	g_autoptr(PxfPreseedConfig) config = default_config();
	g_autoptr(GError) error = NULL;

	/* a FQDN is split into d-i's host name and domain */
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01.lab.example.org", "preseed");
		g_autofree gchar *args = pxf_preseed_kernel_args(config, vars, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(args, ==,
				"auto=true priority=critical url=http://192.0.2.1/ks/" MAC
				" interface=auto netcfg/get_hostname=web01 "
				"netcfg/get_domain=lab.example.org netcfg/get_nameservers=");
	}
	/* the domain variable wins; the first of several name servers; the
	 * operator's ks_url */
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01.lab.example.org", "preseed");
		const gchar *ns[] = {"192.0.2.53 192.0.2.54", "192.0.2.55", NULL};
		g_autoptr(PxfPreseedConfig) high =
			config_from_yaml("preseed:\n  priority: high\n", &error);
		g_autofree gchar *args = NULL;

		g_assert_no_error(error);
		pxf_vars_set_string(vars, "domain", "other.example");
		pxf_vars_set(vars, "nameservers", g_variant_new_strv(ns, -1));
		pxf_vars_set_string(vars, "ks_url", "http://172.16.100.7/preseed.cfg");
		args = pxf_preseed_kernel_args(high, vars, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(
			args, ==,
			"auto=true priority=high url=http://172.16.100.7/preseed.cfg "
			"interface=auto netcfg/get_hostname=web01 "
			"netcfg/get_domain=other.example netcfg/get_nameservers=192.0.2.53");
	}
	/* no host name: one made from the MAC, no domain */
	{
		g_autoptr(PxfVars) vars = inventory_vars(NULL, "preseed");
		g_autofree gchar *args = pxf_preseed_kernel_args(config, vars, &error);
		g_assert_no_error(error);
		assert_contains(args, " netcfg/get_hostname=debian-525400123456 "
				      "netcfg/get_domain= ");
	}
	/* an invalid host name is not put on the kernel line */
	{
		g_autoptr(PxfVars) vars = inventory_vars("bad_name", "preseed");
		g_autofree gchar *args = pxf_preseed_kernel_args(config, vars, &error);
		g_assert_no_error(error);
		assert_contains(args, "netcfg/get_hostname=debian-525400123456 ");
		assert_lacks(args, "bad_name");
	}
	/* without an answer file URL there is nothing to boot with */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autofree gchar *args = pxf_preseed_kernel_args(config, vars, &error);
		g_assert_null(args);
		g_assert_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_FAILED);
		g_clear_error(&error);
	}
	/* nothing that would break the kernel line */
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "preseed");
		g_autofree gchar *args = NULL;

		pxf_vars_set_string(vars, "ks_url", "http://x/a b");
		args = pxf_preseed_kernel_args(config, vars, &error);
		g_assert_null(args);
		g_assert_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID);
		g_clear_error(&error);
	}
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "preseed");
		g_autofree gchar *args = NULL;

		pxf_vars_set_string(vars, "nameservers", "1.2.3.4\" evil");
		args = pxf_preseed_kernel_args(config, vars, &error);
		g_assert_null(args);
		g_assert_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID);
		g_clear_error(&error);
	}
}

static void
test_vars(void)
{
	g_autoptr(PxfPreseedConfig) config = default_config();
	g_autoptr(GError) error = NULL;

	/* passwords hashed, plaintexts blanked, the preseed dictionary */
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "preseed");
		g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
		g_autofree gchar *hash = NULL;
		g_autofree gchar *user_hash = NULL;
		g_autofree gchar *plain = NULL;
		g_autofree gchar *user_plain = NULL;
		g_autofree gchar *dir = NULL;
		g_autofree gchar *host = NULL;
		g_autofree gchar *tasks = NULL;
		g_autofree gchar *args = NULL;

		pxf_vars_set_string(vars, "rootpw", PLAIN);
		pxf_vars_set_string(vars, "password", USER_PLAIN);
		g_assert_true(pxf_preseed_apply_vars(config, vars, warnings, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(warnings->len, ==, 0);
		hash = var_string(vars, "rootpw_hash");
		g_assert_true(g_str_has_prefix(hash, "$6$"));
		g_assert_true(crypt_verifies(PLAIN, hash));
		user_hash = var_string(vars, "password_hash");
		g_assert_true(crypt_verifies(USER_PLAIN, user_hash));
		g_assert_false(crypt_verifies(PLAIN, user_hash));
		plain = var_string(vars, "rootpw");
		user_plain = var_string(vars, "password");
		g_assert_cmpstr(plain, ==, "");
		g_assert_cmpstr(user_plain, ==, "");
		/* the http plugin's tree URL, split */
		host = var_string(vars, "preseed.mirror_hostname");
		dir = var_string(vars, "preseed.mirror_directory");
		g_assert_cmpstr(host, ==, "192.0.2.1");
		g_assert_cmpstr(dir, ==, "/distros/bookworm");
		tasks = var_string(vars, "preseed.tasks");
		g_assert_cmpstr(tasks, ==, "standard, ssh-server");
		args = var_string(vars, "install.kernel_args");
		assert_contains(args, "url=http://192.0.2.1/ks/" MAC " ");
	}
	/* another profile's os: hashed and blanked all the same, nothing else */
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "kickstart");
		g_autoptr(GVariant) dict = NULL;
		g_autoptr(GVariant) args = NULL;
		g_autofree gchar *plain = NULL;

		pxf_vars_set_string(vars, "rootpw", PLAIN);
		g_assert_true(pxf_preseed_apply_vars(config, vars, NULL, &error));
		plain = var_string(vars, "rootpw");
		g_assert_cmpstr(plain, ==, "");
		dict = pxf_vars_lookup(vars, "preseed");
		args = pxf_vars_lookup(vars, "install.kernel_args");
		g_assert_null(dict);
		g_assert_null(args);
	}
	/* a given hash is kept; the mirror variable wins over the tree */
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "preseed");
		g_autofree gchar *hash = NULL;
		g_autofree gchar *host = NULL;
		g_autofree gchar *proto = NULL;

		pxf_vars_set_string(vars, "rootpw_hash", "$6$abcdefgh$given");
		pxf_vars_set_string(vars, "mirror", "https://deb.debian.org/debian/");
		g_assert_true(pxf_preseed_apply_vars(config, vars, NULL, &error));
		hash = var_string(vars, "rootpw_hash");
		g_assert_cmpstr(hash, ==, "$6$abcdefgh$given");
		host = var_string(vars, "preseed.mirror_hostname");
		proto = var_string(vars, "preseed.mirror_protocol");
		g_assert_cmpstr(host, ==, "deb.debian.org");
		g_assert_cmpstr(proto, ==, "https");
	}
	/* a mirror d-i cannot use, and no http plugin: said so, left unset */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
		const gchar *profile[] = {"name", "deb", "os", "preseed", NULL};
		g_autoptr(GVariant) host = NULL;
		g_autoptr(GVariant) args = NULL;

		set_dict(vars, "profile", profile);
		pxf_vars_set_string(vars, "mirror", "nfs://server/debian");
		g_assert_true(pxf_preseed_apply_vars(config, vars, warnings, &error));
		host = pxf_vars_lookup(vars, "preseed.mirror_hostname");
		args = pxf_vars_lookup(vars, "install.kernel_args");
		g_assert_null(host);
		g_assert_null(args);
		g_assert_cmpuint(warnings->len, ==, 2);
		assert_contains(g_ptr_array_index(warnings, 0), "nfs://server/debian");
		assert_contains(g_ptr_array_index(warnings, 1), "no answer file URL");
	}
	/* tasks: an empty list means none; packages joined for pkgsel */
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "preseed");
		const gchar *packages[] = {"vim", "curl", NULL};
		g_autofree gchar *tasks = NULL;
		g_autofree gchar *pkgs = NULL;

		pxf_vars_set(vars, "tasks", g_variant_new_strv(NULL, 0));
		pxf_vars_set(vars, "packages", g_variant_new_strv(packages, -1));
		g_assert_true(pxf_preseed_apply_vars(config, vars, NULL, &error));
		tasks = var_string(vars, "preseed.tasks");
		pkgs = var_string(vars, "preseed.packages");
		g_assert_cmpstr(tasks, ==, "");
		g_assert_cmpstr(pkgs, ==, "vim curl");
	}
	/* line breaks are found in strings and in lists */
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "preseed");
		const gchar *packages[] = {"vim", "curl\nd-i evil string x", NULL};

		g_assert_null(pxf_preseed_find_line_break(vars));
		pxf_vars_set(vars, "packages", g_variant_new_strv(packages, -1));
		g_assert_cmpstr(pxf_preseed_find_line_break(vars), ==, "packages");
		pxf_vars_set_string(vars, "packages", "vim");
		pxf_vars_set_string(vars, "late_command", "echo a\recho b");
		g_assert_cmpstr(pxf_preseed_find_line_break(vars), ==, "late_command");
		pxf_vars_set_string(vars, "late_command", "echo \xe2\x80\xa8");
		g_assert_cmpstr(pxf_preseed_find_line_break(vars), ==, "late_command");
	}
}

/* @name of plugins/@plugin/templates rendered with @vars */
static gchar *
render_file(const gchar *plugin, const gchar *name, PxfVars *vars)
{
	g_autofree gchar *path =
		pxf_test_build_filename("plugins", plugin, "templates", name, NULL);
	g_autoptr(PxfTemplate) tpl = NULL;
	g_autoptr(GError) error = NULL;
	GString *out = g_string_new(NULL);

	tpl = pxf_template_new_from_file(path, &error);
	g_assert_no_error(error);
	g_assert_true(pxf_template_render(tpl, vars, NULL, NULL, out, &error));
	g_assert_no_error(error);
	return g_string_free(out, FALSE);
}

/* As the daemon renders: inventory variables, template.vars, the core's renderer. */
static gchar *
render(PxfVars *vars)
{
	g_autoptr(PxfPreseedConfig) config = default_config();
	g_autoptr(GError) error = NULL;

	g_assert_true(pxf_preseed_apply_vars(config, vars, NULL, &error));
	g_assert_no_error(error);
	return render_file("preseed", "debian12-preseed.cfg.mustache", vars);
}

/* Every line is a comment or "owner question type value" with one of
 * debconf's types, booleans true or false: what d-i's debconf loads. */
static void
assert_debconf_lines(const gchar *preseed)
{
	static const gchar *const types[] = {"select", "boolean",  "string", "multiselect",
					     "note",   "password", NULL};
	g_auto(GStrv) lines = g_strsplit(preseed, "\n", -1);
	guint answers = 0;

	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) f = NULL;
		const gchar *line = lines[i];

		if (line[0] == '\0' || line[0] == '#')
			continue;
		/* no continuation lines: a trailing backslash would join the next */
		if (g_str_has_suffix(line, "\\"))
			g_error("line %u ends with a backslash: %s", i + 1, line);
		f = g_strsplit(line, " ", 4);
		if (g_strv_length(f) < 3 || !g_strv_contains(types, f[2]) ||
		    strchr(f[1], '/') == NULL)
			g_error("line %u is not a debconf answer: %s", i + 1, line);
		if (g_strcmp0(f[2], "boolean") == 0 && g_strcmp0(f[3], "true") != 0 &&
		    g_strcmp0(f[3], "false") != 0)
			g_error("line %u: boolean that is neither true nor false: %s", i + 1, line);
		answers++;
	}
	g_assert_cmpuint(answers, >, 40);
}

/* debconf's own parser, as `debconf-set-selections --checkonly`: exit 0 and
 * nothing on stderr (it only warns about unknown types).  It still locks its
 * database, so each run gets a private one (DEBCONF_SYSTEMRC): the system's
 * is locked by whatever else runs debconf, and then it exits 1 silently. */
static void
assert_debconf_checkonly(const gchar *preseed)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("pxf-preseed-XXXXXX", &error);
	g_autofree gchar *file = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autofree gchar *rc = NULL;
	g_autofree gchar *rc_text = NULL;
	g_auto(GStrv) envp = g_get_environ();
	const gchar *argv[] = {DEBCONF_CHECK, "--checkonly", NULL, NULL};
	gint status = 0;

	g_assert_no_error(error);
	file = g_build_filename(dir, "preseed.cfg", NULL);
	g_assert_true(g_file_set_contents(file, preseed, -1, &error));
	rc = g_build_filename(dir, "debconf.conf", NULL);
	rc_text = g_strdup_printf("Config: configdb\nTemplates: templatedb\n\n"
				  "Name: configdb\nDriver: File\nFilename: %s/config.dat\n\n"
				  "Name: templatedb\nDriver: File\nFilename: %s/templates.dat\n",
				  dir, dir);
	g_assert_true(g_file_set_contents(rc, rc_text, -1, &error));
	envp = g_environ_setenv(g_steal_pointer(&envp), "DEBCONF_SYSTEMRC", rc, TRUE);
	argv[2] = file;
	g_assert_true(g_spawn_sync(NULL, (gchar **)argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out,
				   &err, &status, &error));
	g_assert_no_error(error);
	if (!g_spawn_check_wait_status(status, NULL) || err[0] != '\0')
		g_error("debconf-set-selections --checkonly refused the preseed:\n%s%s\n%s", out,
			err, preseed);
	g_remove(file);
	g_remove(rc);
	for (guint i = 0; i < 4; i++) {
		const gchar *dbs[] = {"config.dat", "config.dat-old", "templates.dat",
				      "templates.dat-old"};
		g_autofree gchar *path = g_build_filename(dir, dbs[i], NULL);
		g_remove(path);
	}
	g_rmdir(dir);
}

static void
check_preseed(const gchar *preseed)
{
	assert_debconf_lines(preseed);
	if (g_file_test(DEBCONF_CHECK, G_FILE_TEST_IS_EXECUTABLE))
		assert_debconf_checkonly(preseed);
	else
		g_test_message("no %s (package debconf): only the line checks ran", DEBCONF_CHECK);
}

static void
test_render_full(void)
{
	g_autoptr(PxfVars) vars = inventory_vars("web01.lab.example.org", "preseed");
	g_autofree gchar *cfg = NULL;
	g_autofree gchar *hash = NULL;
	g_autofree gchar *user_hash = NULL;
	g_autofree gchar *line = NULL;
	const gchar *packages[] = {"vim", "curl", NULL};
	const gchar *tasks[] = {"standard", "web-server", NULL};

	pxf_vars_set_string(vars, "rootpw", PLAIN);
	pxf_vars_set_string(vars, "password", USER_PLAIN);
	pxf_vars_set_string(vars, "username", "ops");
	pxf_vars_set_string(vars, "realname", "Operations");
	pxf_vars_set_string(vars, "locale", "de_DE.UTF-8");
	pxf_vars_set_string(vars, "keyboard", "de");
	pxf_vars_set_string(vars, "timezone", "Europe/Berlin");
	pxf_vars_set_string(vars, "ntp_server", "192.0.2.123");
	pxf_vars_set_string(vars, "nameservers", "192.0.2.53 192.0.2.54");
	pxf_vars_set_string(vars, "proxy", "http://192.0.2.8:3128/");
	pxf_vars_set_string(vars, "disk", "/dev/vda");
	pxf_vars_set_string(vars, "partman_method", "lvm");
	pxf_vars_set(vars, "packages", g_variant_new_strv(packages, -1));
	pxf_vars_set(vars, "tasks", g_variant_new_strv(tasks, -1));
	pxf_vars_set_string(vars, "early_command",
			    "wget -q -O /dev/null --post-data='reason=x' "
			    "\"$PXF_FAILED_URL\"");
	pxf_vars_set_string(vars, "late_command", "in-target systemctl enable ssh");

	cfg = render(vars);
	check_preseed(cfg);

	/* passwords only as hashes */
	assert_lacks(cfg, PLAIN);
	assert_lacks(cfg, USER_PLAIN);
	hash = var_string(vars, "rootpw_hash");
	line = g_strdup_printf("\nd-i passwd/root-password-crypted password %s\n", hash);
	assert_contains(cfg, line);
	g_free(line);
	user_hash = var_string(vars, "password_hash");
	line = g_strdup_printf("\nd-i passwd/user-password-crypted password %s\n", user_hash);
	assert_contains(cfg, line);
	assert_contains(cfg, "\nd-i passwd/make-user boolean true\n"
			     "d-i passwd/user-fullname string Operations\n"
			     "d-i passwd/username string ops\n");

	assert_contains(cfg, "#### pxeforge: preseed for web01.lab.example.org " MAC
			     ", bookworm (profile deb)\n");
	assert_contains(cfg, "\nd-i debian-installer/locale string de_DE.UTF-8\n");
	assert_contains(cfg, "\nd-i keyboard-configuration/xkb-keymap select de\n");
	assert_contains(cfg, "\nd-i netcfg/get_hostname string web01\n"
			     "d-i netcfg/get_domain string lab.example.org\n"
			     "d-i netcfg/hostname string web01\n"
			     "d-i netcfg/get_nameservers string 192.0.2.53 192.0.2.54\n");
	assert_contains(cfg, "\nd-i mirror/country string manual\n"
			     "d-i mirror/protocol string http\n"
			     "d-i mirror/http/hostname string 192.0.2.1\n"
			     "d-i mirror/http/directory string /distros/bookworm\n"
			     "d-i mirror/http/proxy string http://192.0.2.8:3128/\n"
			     "d-i mirror/suite string bookworm\n");
	assert_contains(cfg, "\nd-i time/zone string Europe/Berlin\n"
			     "d-i clock-setup/ntp boolean true\n"
			     "d-i clock-setup/ntp-server string 192.0.2.123\n");
	assert_contains(cfg, "\nd-i partman-auto/disk string /dev/vda\n"
			     "d-i partman-auto/method string lvm\n");
	assert_contains(cfg, "\nd-i partman-auto/choose_recipe select atomic\n");
	assert_contains(cfg, "\nd-i partman/confirm_nooverwrite boolean true\n");
	assert_contains(cfg, "\ntasksel tasksel/first multiselect standard, web-server\n"
			     "d-i pkgsel/include string vim curl\n");
	assert_contains(cfg, "\nd-i grub-installer/bootdev string /dev/vda\n");
	/* the report URLs with the token, for the site's early_command */
	assert_contains(cfg, "\nd-i preseed/early_command string "
			     "PXF_DONE_URL='http://192.0.2.1/api/v1/hosts/" MAC "/done?token=" TOKEN
			     "'; PXF_FAILED_URL='http://192.0.2.1/api/v1/hosts/" MAC
			     "/failed?token=" TOKEN "'; export PXF_DONE_URL PXF_FAILED_URL; "
			     "wget -q -O /dev/null --post-data='reason=x' \"$PXF_FAILED_URL\"\n");
	/* done only when the site's late_command succeeded */
	assert_contains(cfg,
			"\nd-i preseed/late_command string ( in-target systemctl enable "
			"ssh ) && wget -q -O /dev/null --post-data='' "
			"'http://192.0.2.1/api/v1/hosts/" MAC "/done?token=" TOKEN
			"' || wget -q -O /dev/null --post-data='reason=preseed late_command "
			"failed' 'http://192.0.2.1/api/v1/hosts/" MAC "/failed?token=" TOKEN "'\n");
	assert_contains(cfg, "\nd-i finish-install/reboot_in_progress note\n");
	assert_lacks(cfg, "\n\n\n");
}

static void
test_render_defaults(void)
{
	g_autoptr(PxfVars) vars = inventory_vars(NULL, "preseed");
	g_autofree gchar *cfg = render(vars);

	check_preseed(cfg);
	assert_contains(cfg, "#### pxeforge: preseed for " MAC ", bookworm");
	assert_contains(cfg, "\nd-i debian-installer/locale string en_US.UTF-8\n");
	assert_contains(cfg, "\nd-i keyboard-configuration/xkb-keymap select us\n");
	assert_contains(cfg, "\nd-i netcfg/get_hostname string debian-525400123456\n");
	assert_contains(cfg, "\nd-i netcfg/get_domain string \n");
	assert_contains(cfg, "\nd-i netcfg/get_nameservers string \n");
	/* no password given: root is locked, never an empty password; no user */
	assert_contains(cfg, "\nd-i passwd/root-password-crypted password !\n");
	assert_contains(cfg, "\nd-i passwd/make-user boolean false\n");
	assert_lacks(cfg, "passwd/username");
	assert_contains(cfg, "\nd-i time/zone string UTC\nd-i clock-setup/ntp boolean false\n");
	assert_contains(cfg, "\nd-i partman-auto/method string regular\n");
	assert_lacks(cfg, "partman-auto/disk");
	assert_contains(cfg, "\nd-i grub-installer/bootdev string default\n");
	assert_contains(cfg, "\ntasksel tasksel/first multiselect standard, ssh-server\n"
			     "d-i pkgsel/include string \n"
			     "d-i pkgsel/upgrade select safe-upgrade\n");
	assert_lacks(cfg, "early_command");
	assert_contains(cfg, "\nd-i preseed/late_command string wget -q -O /dev/null "
			     "--post-data='' 'http://192.0.2.1/api/v1/hosts/" MAC
			     "/done?token=" TOKEN "'\n");
	assert_lacks(cfg, "/failed");

	/* without the http plugin: no report, and said so; d-i asks for a mirror */
	{
		g_autoptr(PxfVars) bare = pxf_vars_new();
		const gchar *profile[] = {"name", "deb", "os", "preseed", NULL};
		g_autofree gchar *cfg_bare = NULL;

		set_dict(bare, "profile", profile);
		pxf_vars_set_string(bare, "late_command", "true");
		cfg_bare = render(bare);
		check_preseed(cfg_bare);
		assert_contains(cfg_bare, "# no http plugin: pxeforge is not told");
		assert_contains(cfg_bare, "# no mirror known");
		assert_contains(cfg_bare, "\nd-i preseed/late_command string true\n");
		assert_lacks(cfg_bare, "wget");
	}
}

/* The pxelinux plugin's host template: preseed hosts get d-i's arguments
 * instead of ks=, kickstart hosts keep ks=. */
static void
test_pxelinux_line(void)
{
	const gchar *pxelinux[] = {"kernel",	  "boot/52-54-00-12-34-56/vmlinuz",
				   "initrd",	  "boot/52-54-00-12-34-56/initrd.img",
				   "ks_url",	  "http://192.0.2.1/ks/" MAC,
				   "ks_param",	  "ks",
				   "kernel_args", "console=ttyS0",
				   "state",	  "booting",
				   NULL};
	g_autoptr(PxfPreseedConfig) config = default_config();

	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "preseed");
		g_autofree gchar *cfg = NULL;

		set_dict(vars, "pxelinux", pxelinux);
		g_assert_true(pxf_preseed_apply_vars(config, vars, NULL, NULL));
		cfg = render_file("pxelinux", "host.cfg.mustache", vars);
		assert_contains(cfg, "\n  APPEND initrd=boot/52-54-00-12-34-56/initrd.img "
				     "auto=true priority=critical url=http://192.0.2.1/ks/" MAC
				     " interface=auto netcfg/get_hostname=web01 netcfg/get_domain= "
				     "netcfg/get_nameservers= ip=dhcp console=ttyS0\n");
		assert_lacks(cfg, " ks=");
	}
	{
		g_autoptr(PxfVars) vars = inventory_vars("web01", "kickstart");
		g_autofree gchar *cfg = NULL;

		set_dict(vars, "pxelinux", pxelinux);
		g_assert_true(pxf_preseed_apply_vars(config, vars, NULL, NULL));
		cfg = render_file("pxelinux", "host.cfg.mustache", vars);
		assert_contains(cfg, "\n  APPEND initrd=boot/52-54-00-12-34-56/initrd.img "
				     "ks=http://192.0.2.1/ks/" MAC " ip=dhcp console=ttyS0\n");
		assert_lacks(cfg, "auto=true");
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/preseed/config", test_config);
	g_test_add_func("/plugin/preseed/mirror", test_mirror);
	g_test_add_func("/plugin/preseed/kernel-args", test_kernel_args);
	g_test_add_func("/plugin/preseed/vars", test_vars);
	g_test_add_func("/plugin/preseed/render-full", test_render_full);
	g_test_add_func("/plugin/preseed/render-defaults", test_render_defaults);
	g_test_add_func("/plugin/preseed/pxelinux-line", test_pxelinux_line);
	return g_test_run();
}
