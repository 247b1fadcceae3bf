/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kickstart plugin's engine: SHA-512 crypt of root passwords, the
 * plaintext kept out of every render, the install source, and the shipped
 * template rendered with those variables by the core's renderer. */
#define G_LOG_DOMAIN "test-kickstart"

#include <crypt.h>
#include <string.h>

#include "pxf-config.h"
#include "pxf-diag.h"
#include "ks-test-vars.h"
#include "pxf-kickstart.h"
#include "pxf-template.h"
#include "pxf-test-paths.h"
#include "pxf-vars.h"

#define PLAIN "Tr0ub4dor&3 with spaces"

static PxfKickstartConfig *
config_from_yaml(const gchar *yaml, GError **error)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root =
		pxf_conf_parse_data("60-kickstart.yaml", yaml, strlen(yaml), diags);
	g_autoptr(PxfConfSection) section = NULL;

	g_assert_nonnull(root);
	section = pxf_conf_section_new(pxf_conf_node_lookup(root, "kickstart", NULL),
				       pxf_kickstart_config_keys, "plugins.kickstart", diags);
	g_assert_cmpuint(diags->len, ==, 0);
	return pxf_kickstart_config_new(section, error);
}

static PxfKickstartConfig *
default_config(void)
{
	g_autoptr(GError) error = NULL;
	PxfKickstartConfig *config = config_from_yaml("kickstart: {}\n", &error);
	g_assert_no_error(error);
	return config;
}

/* What crypt(3) says about password against a stored hash. */
static gboolean
crypt_verifies(const gchar *password, const gchar *hash)
{
	struct crypt_data *data = g_new0(struct crypt_data, 1);
	const gchar *again = crypt_r(password, hash, data);
	gboolean ok = again != NULL && g_strcmp0(again, hash) == 0;
	g_free(data);
	return ok;
}

static void
assert_sha512_format(const gchar *hash, const gchar *prefix)
{
	const gchar *salt;
	const gchar *dollar;

	g_assert_true(g_str_has_prefix(hash, prefix));
	salt = hash + strlen(prefix);
	dollar = strchr(salt, '$');
	g_assert_nonnull(dollar);
	g_assert_cmpint(dollar - salt, ==, 16);
	for (const gchar *p = salt; p < dollar; p++)
		g_assert_true(pxf_osprofile_is_salt_char(*p));
	/* 512 bits in crypt's base64 */
	g_assert_cmpuint(strlen(dollar + 1), ==, 86);
	for (const gchar *p = dollar + 1; *p != '\0'; p++)
		g_assert_true(pxf_osprofile_is_salt_char(*p));
}

static void
test_crypt(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *hash = pxf_osprofile_crypt_sha512(PLAIN, 5000, &error);
	g_autofree gchar *hash2 = NULL;
	g_autofree gchar *slow = NULL;
	g_autofree gchar *empty = NULL;

	g_assert_no_error(error);
	assert_sha512_format(hash, "$6$");
	g_assert_true(crypt_verifies(PLAIN, hash));
	g_assert_false(crypt_verifies("Tr0ub4dor&3 with space", hash));
	g_assert_false(crypt_verifies("", hash));
	g_assert_null(strstr(hash, PLAIN));

	/* a fresh salt every time */
	hash2 = pxf_osprofile_crypt_sha512(PLAIN, 5000, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(hash, !=, hash2);
	g_assert_true(crypt_verifies(PLAIN, hash2));

	slow = pxf_osprofile_crypt_sha512(PLAIN, 20000, &error);
	g_assert_no_error(error);
	assert_sha512_format(slow, "$6$rounds=20000$");
	g_assert_true(crypt_verifies(PLAIN, slow));

	empty = pxf_osprofile_crypt_sha512("", 5000, &error);
	g_assert_no_error(error);
	g_assert_true(crypt_verifies("", empty));

	g_assert_null(pxf_osprofile_crypt_sha512(PLAIN, 999, &error));
	g_assert_error(error, PXF_OSPROFILE_ERROR, PXF_OSPROFILE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_null(pxf_osprofile_crypt_sha512(PLAIN, 1000000000, &error));
	g_assert_error(error, PXF_OSPROFILE_ERROR, PXF_OSPROFILE_ERROR_INVALID);
	g_clear_error(&error);
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
test_vars_rootpw(void)
{
	g_autoptr(PxfKickstartConfig) config = default_config();
	g_autoptr(GError) error = NULL;

	/* plaintext: hashed, then blanked */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autofree gchar *hash = NULL;
		g_autofree gchar *plain = NULL;

		pxf_vars_set_string(vars, "rootpw", PLAIN);
		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		g_assert_no_error(error);
		hash = var_string(vars, "rootpw_hash");
		assert_sha512_format(hash, "$6$");
		g_assert_true(crypt_verifies(PLAIN, hash));
		plain = var_string(vars, "rootpw");
		g_assert_cmpstr(plain, ==, "");
		/* a second pass (another render) finds nothing left to hash */
		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		g_assert_false(pxf_kickstart_scrub_plaintext(vars));
	}
	/* a given hash passes through; a plaintext next to it is still blanked */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autofree gchar *hash = NULL;
		g_autofree gchar *plain = NULL;

		pxf_vars_set_string(vars, "rootpw_hash", "$6$abcdefgh$given");
		pxf_vars_set_string(vars, "rootpw", PLAIN);
		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		hash = var_string(vars, "rootpw_hash");
		g_assert_cmpstr(hash, ==, "$6$abcdefgh$given");
		plain = var_string(vars, "rootpw");
		g_assert_cmpstr(plain, ==, "");
	}
	/* configured rounds */
	{
		g_autoptr(PxfKickstartConfig) slow =
			config_from_yaml("kickstart:\n  rootpw_rounds: 10000\n", &error);
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autofree gchar *hash = NULL;

		g_assert_no_error(error);
		pxf_vars_set_string(vars, "rootpw", PLAIN);
		g_assert_true(pxf_kickstart_apply_vars(slow, vars, &error));
		hash = var_string(vars, "rootpw_hash");
		assert_sha512_format(hash, "$6$rounds=10000$");
		g_assert_true(crypt_verifies(PLAIN, hash));
	}
	/* neither: nothing is invented */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autoptr(GVariant) hash = NULL;

		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		hash = pxf_vars_lookup(vars, "rootpw_hash");
		g_assert_null(hash);
	}
	/* a non-string rootpw (a YAML list by mistake) is blanked too */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		const gchar *items[] = {PLAIN};
		g_autofree gchar *plain = NULL;

		pxf_vars_set(vars, "rootpw", g_variant_new_strv(items, 1));
		g_assert_true(pxf_kickstart_scrub_plaintext(vars));
		plain = var_string(vars, "rootpw");
		g_assert_cmpstr(plain, ==, "");
	}
}

static void
test_vars_install_url(void)
{
	g_autoptr(PxfKickstartConfig) config = default_config();
	g_autoptr(GError) error = NULL;
	const gchar *profile[] = {"name", "web", "os", "kickstart", NULL};
	const gchar *distro_dir[] = {"name", "centos7", "tree", "/srv/c7", NULL};
	const gchar *distro_url[] = {"name", "centos7", "tree", "http://mirror/c7/os/", NULL};

	/* a tree directory served by the http plugin */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autofree gchar *url = NULL;

		ks_test_set_dict(vars, "profile", profile);
		ks_test_set_dict(vars, "distro", distro_dir);
		pxf_vars_set_string(vars, "http.base_url", "http://192.0.2.1:8080/");
		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		url = var_string(vars, "install_url");
		g_assert_cmpstr(url, ==, "http://192.0.2.1:8080/distros/centos7/");
	}
	/* a tree that is an URL is used as is */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autofree gchar *url = NULL;

		ks_test_set_dict(vars, "profile", profile);
		ks_test_set_dict(vars, "distro", distro_url);
		pxf_vars_set_string(vars, "http.base_url", "http://192.0.2.1");
		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		url = var_string(vars, "install_url");
		g_assert_cmpstr(url, ==, "http://mirror/c7/os/");
	}
	/* the http plugin's own URL for a local tree comes first */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autofree gchar *url = NULL;

		ks_test_set_dict(vars, "profile", profile);
		ks_test_set_dict(vars, "distro", distro_dir);
		pxf_vars_set_string(vars, "http.base_url", "http://192.0.2.1:8080");
		pxf_vars_set_string(vars, "http.tree_url", "http://192.0.2.1:8080/trees/c7/");
		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		url = var_string(vars, "install_url");
		g_assert_cmpstr(url, ==, "http://192.0.2.1:8080/trees/c7/");
	}
	/* install_source: ftp takes the ftp plugin's URL, else the usual order */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autoptr(PxfVars) no_ftp = pxf_vars_new();
		g_autofree gchar *url = NULL;
		g_autofree gchar *url_no_ftp = NULL;

		ks_test_set_dict(vars, "profile", profile);
		ks_test_set_dict(vars, "distro", distro_dir);
		pxf_vars_set_string(vars, "install_source", "ftp");
		pxf_vars_set_string(vars, "http.tree_url", "http://192.0.2.1/distros/centos7/");
		pxf_vars_set_string(vars, "ftp.tree_url", "ftp://192.0.2.1:2121/distros/centos7/");
		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		url = var_string(vars, "install_url");
		g_assert_cmpstr(url, ==, "ftp://192.0.2.1:2121/distros/centos7/");
		ks_test_set_dict(no_ftp, "profile", profile);
		ks_test_set_dict(no_ftp, "distro", distro_dir);
		pxf_vars_set_string(no_ftp, "install_source", "ftp");
		pxf_vars_set_string(no_ftp, "http.tree_url", "http://192.0.2.1/distros/centos7/");
		g_assert_true(pxf_kickstart_apply_vars(config, no_ftp, &error));
		url_no_ftp = var_string(no_ftp, "install_url");
		g_assert_cmpstr(url_no_ftp, ==, "http://192.0.2.1/distros/centos7/");
	}
	/* without install_source: ftp, ftp.tree_url is not used */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autofree gchar *url = NULL;

		ks_test_set_dict(vars, "profile", profile);
		ks_test_set_dict(vars, "distro", distro_dir);
		pxf_vars_set_string(vars, "http.tree_url", "http://192.0.2.1/distros/centos7/");
		pxf_vars_set_string(vars, "ftp.tree_url", "ftp://192.0.2.1/distros/centos7/");
		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		url = var_string(vars, "install_url");
		g_assert_cmpstr(url, ==, "http://192.0.2.1/distros/centos7/");
	}
	/* the operator's install_url wins */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autofree gchar *url = NULL;

		ks_test_set_dict(vars, "profile", profile);
		ks_test_set_dict(vars, "distro", distro_url);
		pxf_vars_set_string(vars, "install_url", "http://172.16.100.7/c6");
		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		url = var_string(vars, "install_url");
		g_assert_cmpstr(url, ==, "http://172.16.100.7/c6");
	}
	/* no http plugin and a local tree: nothing to say */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autoptr(GVariant) url = NULL;

		ks_test_set_dict(vars, "profile", profile);
		ks_test_set_dict(vars, "distro", distro_dir);
		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		url = pxf_vars_lookup(vars, "install_url");
		g_assert_null(url);
	}
	/* not a kickstart profile: left alone */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		const gchar *preseed[] = {"name", "deb", "os", "preseed", NULL};
		g_autoptr(GVariant) url = NULL;

		ks_test_set_dict(vars, "profile", preseed);
		ks_test_set_dict(vars, "distro", distro_url);
		g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
		url = pxf_vars_lookup(vars, "install_url");
		g_assert_null(url);
	}
	/* tree_path: slashes trimmed, empty allowed, nonsense refused */
	{
		g_autoptr(PxfKickstartConfig) custom =
			config_from_yaml("kickstart:\n  tree_path: /trees/el/\n", &error);
		g_autoptr(PxfKickstartConfig) bare =
			config_from_yaml("kickstart:\n  tree_path: ''\n", &error);
		g_autoptr(PxfKickstartConfig) bad = NULL;
		g_autoptr(PxfVars) vars = pxf_vars_new();
		g_autofree gchar *url = NULL;
		g_autofree gchar *url_bare = NULL;

		g_assert_no_error(error);
		ks_test_set_dict(vars, "distro", distro_dir);
		pxf_vars_set_string(vars, "http.base_url", "http://h");
		url = pxf_kickstart_install_url(custom, vars);
		g_assert_cmpstr(url, ==, "http://h/trees/el/centos7/");
		url_bare = pxf_kickstart_install_url(bare, vars);
		g_assert_cmpstr(url_bare, ==, "http://h/centos7/");
		bad = config_from_yaml("kickstart:\n  tree_path: a/../b\n", &error);
		g_assert_null(bad);
		g_assert_error(error, PXF_KICKSTART_ERROR, PXF_KICKSTART_ERROR_INVALID);
		g_assert_true(g_str_has_prefix(error->message, "60-kickstart.yaml:2:14: "));
	}
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

/* As the daemon renders: inventory variables, template.vars, the core's renderer;
 * @name is one of plugins/kickstart/templates. */
static gchar *
render_template(const gchar *name, PxfVars *vars)
{
	g_autofree gchar *path =
		pxf_test_build_filename("plugins", "kickstart", "templates", name, NULL);
	g_autoptr(PxfKickstartConfig) config = default_config();
	g_autoptr(PxfTemplate) tpl = NULL;
	g_autoptr(GError) error = NULL;
	GString *out = g_string_new(NULL);

	g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
	g_assert_no_error(error);
	tpl = pxf_template_new_from_file(path, &error);
	g_assert_no_error(error);
	g_assert_true(pxf_template_render(tpl, vars, NULL, NULL, out, &error));
	g_assert_no_error(error);
	return g_string_free(out, FALSE);
}

static gchar *
render(PxfVars *vars)
{
	return render_template("centos7-ks.cfg.mustache", vars);
}

static PxfVars *
inventory_vars(gboolean fixed_ip)
{
	PxfVars *vars = pxf_vars_new();
	const gchar *host_ip[] = {"mac", "52:54:00:12:34:56", "hostname", "web01",
				  "ip",	 "192.0.2.21",	      NULL};
	const gchar *host_dhcp[] = {"mac", "52:54:00:12:34:56", NULL};
	const gchar *profile[] = {"name", "web", "os", "kickstart", NULL};
	const gchar *distro[] = {"name", "centos7", "tree", "/srv/c7", NULL};

	ks_test_set_dict(vars, "host", fixed_ip ? host_ip : host_dhcp);
	ks_test_set_dict(vars, "profile", profile);
	ks_test_set_dict(vars, "distro", distro);
	/* the http plugin's variables and the core's token */
	pxf_vars_set_string(vars, "http.base_url", "http://192.0.2.1");
	pxf_vars_set_string(vars, "install.done_url",
			    "http://192.0.2.1/api/v1/hosts/52:54:00:12:34:56/done");
	pxf_vars_set_string(vars, "install.failed_url",
			    "http://192.0.2.1/api/v1/hosts/52:54:00:12:34:56/failed");
	pxf_vars_set_string(vars, "install.token", "0123456789abcdef0123456789abcdef");
	return vars;
}

static void
test_render_full(void)
{
	g_autoptr(PxfVars) vars = inventory_vars(TRUE);
	g_autofree gchar *ks = NULL;
	g_autofree gchar *hash = NULL;
	g_autofree gchar *rootpw_line = NULL;
	GVariantBuilder parts;
	const gchar *packages[] = {"@chinese-support", "vim-enhanced", NULL};

	pxf_vars_set_string(vars, "rootpw", PLAIN);
	pxf_vars_set_string(vars, "lang", "zh_CN.UTF-8");
	pxf_vars_set_string(vars, "timezone", "Asia/Shanghai");
	pxf_vars_set_string(vars, "firewall", "--disabled");
	pxf_vars_set_string(vars, "selinux", "--disabled");
	pxf_vars_set_string(vars, "netmask", "255.255.255.0");
	pxf_vars_set_string(vars, "gateway", "192.0.2.1");
	pxf_vars_set_string(vars, "nameserver", "192.0.2.53");
	pxf_vars_set_string(vars, "disk", "sda");
	pxf_vars_set(vars, "packages", g_variant_new_strv(packages, -1));
	/* the how-to's partitions */
	g_variant_builder_init(&parts, G_VARIANT_TYPE("av"));
	g_variant_builder_add(&parts, "v",
			      g_variant_new_parsed("{'mount': <'/boot'>, 'fstype': <'ext4'>, "
						   "'size': <'1000'>}"));
	g_variant_builder_add(&parts, "v",
			      g_variant_new_parsed("{'mount': <'swap'>, 'fstype': <'swap'>, "
						   "'size': <'4096'>}"));
	g_variant_builder_add(&parts, "v",
			      g_variant_new_parsed("{'mount': <'/'>, 'fstype': <'ext4'>, "
						   "'size': <'10000'>, 'grow': <true>}"));
	pxf_vars_set(vars, "partitions", g_variant_builder_end(&parts));

	ks = render(vars);
	hash = var_string(vars, "rootpw_hash");
	rootpw_line = g_strdup_printf("\nrootpw --iscrypted %s\n", hash);

	/* the password never appears, only its hash */
	assert_lacks(ks, PLAIN);
	assert_lacks(ks, "Tr0ub4dor");
	assert_contains(ks, rootpw_line);
	g_assert_true(crypt_verifies(PLAIN, hash));

	assert_contains(ks, "# pxeforge: kickstart for web01 52:54:00:12:34:56, centos7 "
			    "(profile web)\n");
	assert_contains(ks, "\ninstall\ntext\nurl --url=http://192.0.2.1/distros/centos7/\n");
	assert_contains(ks, "\nlang zh_CN.UTF-8\n");
	assert_contains(ks, "\nkeyboard us\n");
	assert_contains(ks, "\ntimezone --utc Asia/Shanghai\n");
	assert_contains(ks, "\nnetwork --device=link --bootproto=static --ip=192.0.2.21 "
			    "--netmask=255.255.255.0 --gateway=192.0.2.1 --nameserver=192.0.2.53 "
			    "--hostname=web01\n");
	assert_contains(ks, "\nauth --useshadow --passalgo=sha512\n");
	assert_contains(ks, "\nfirewall --disabled\n");
	assert_contains(ks, "\nselinux --disabled\n");
	assert_contains(ks, "\nreboot\n");
	assert_contains(ks, "\nignoredisk --only-use=sda\nzerombr\n"
			    "clearpart --all --initlabel --drives=sda\n"
			    "bootloader --location=mbr --driveorder=sda\n"
			    "part /boot --fstype=ext4 --size=1000 --ondisk=sda\n"
			    "part swap --fstype=swap --size=4096 --ondisk=sda\n"
			    "part / --fstype=ext4 --size=10000 --grow --ondisk=sda\n");
	assert_lacks(ks, "autopart");
	assert_contains(ks, "\n%packages\n@chinese-support\nvim-enhanced\n%end\n");
	assert_contains(ks, "\n%post --log=/root/pxeforge-post.log\n");
	assert_contains(ks, "url=\"http://192.0.2.1/api/v1/hosts/52:54:00:12:34:56/done"
			    "?token=0123456789abcdef0123456789abcdef\"\n");
	assert_contains(ks, "  curl -fsS --retry 5 --retry-delay 3 -X POST \"$url\"\n");
	assert_contains(ks, "  wget -q -t 5 -O /dev/null --post-data= \"$url\"\n");
	g_assert_true(g_str_has_suffix(ks, "fi\n%end\n"));
	/* standalone tags leave no blank lines behind, apart from the template's own */
	assert_lacks(ks, "\n\n\n");
}

static void
test_render_defaults(void)
{
	g_autoptr(PxfVars) vars = inventory_vars(FALSE);
	g_autofree gchar *ks = NULL;

	ks = render(vars);
	assert_contains(ks, "# pxeforge: kickstart for 52:54:00:12:34:56, centos7");
	assert_contains(ks, "\nlang en_US.UTF-8\n");
	assert_contains(ks, "\ntimezone --utc UTC\n");
	assert_contains(ks, "\nnetwork --device=link --bootproto=dhcp\n");
	/* no password given: root is locked, never an empty password */
	assert_contains(ks, "\nrootpw --iscrypted !!\n");
	assert_contains(ks, "\nfirewall --enabled --ssh\n");
	assert_contains(ks, "\nselinux --enforcing\n");
	assert_contains(ks, "\nzerombr\nclearpart --all --initlabel\nbootloader --location=mbr\n"
			    "autopart\n");
	assert_lacks(ks, "ignoredisk");
	assert_contains(ks, "\n%packages\n@core\n%end\n");
	assert_contains(ks, "?token=0123456789abcdef0123456789abcdef\"\n");

	/* a fixed address without a netmask stays on DHCP */
	{
		g_autoptr(PxfVars) ip_vars = inventory_vars(TRUE);
		g_autofree gchar *ks_ip = render(ip_vars);
		assert_contains(ks_ip,
				"\nnetwork --device=link --bootproto=dhcp --hostname=web01\n");
	}
	/* without the http plugin: no report, and said so */
	{
		g_autoptr(PxfVars) bare = pxf_vars_new();
		const gchar *profile[] = {"name", "web", "os", "kickstart", NULL};
		g_autofree gchar *ks_bare = NULL;

		ks_test_set_dict(bare, "profile", profile);
		pxf_vars_set_string(bare, "install_url", "http://172.16.100.7/c6");
		ks_bare = render(bare);
		assert_contains(ks_bare, "\nurl --url=http://172.16.100.7/c6\n");
		assert_contains(ks_bare, "# no http plugin: pxeforge is not told");
		assert_lacks(ks_bare, "curl");
	}
}

/* install_source: nfs with the nfs plugin's variables: an `nfs` line
 * instead of `url`; without them, or with another source, `url` stays. */
static void
test_render_nfs(void)
{
	{
		g_autoptr(PxfVars) vars = inventory_vars(FALSE);
		g_autofree gchar *ks = NULL;
		g_autoptr(GVariant) flag = NULL;

		pxf_vars_set_string(vars, "install_source", "nfs");
		pxf_vars_set_string(vars, "nfs.server", "192.0.2.1");
		pxf_vars_set_string(vars, "nfs.dir", "/distros/centos7");
		ks = render(vars);
		assert_contains(ks, "\ntext\nnfs --server=192.0.2.1 --dir=/distros/centos7\nlang ");
		assert_lacks(ks, "url --url");
		flag = pxf_vars_lookup(vars, "install_nfs");
		g_assert_nonnull(flag);
		g_assert_true(g_variant_get_boolean(flag));
	}
	/* the nfs plugin did not export the distro: the URL it had */
	{
		g_autoptr(PxfVars) vars = inventory_vars(FALSE);
		g_autofree gchar *ks = NULL;

		pxf_vars_set_string(vars, "install_source", "nfs");
		pxf_vars_set_string(vars, "nfs.server", "192.0.2.1");
		ks = render(vars);
		assert_contains(ks, "\nurl --url=http://192.0.2.1/distros/centos7/\n");
		assert_lacks(ks, "nfs --server");
	}
	/* nfs variables alone do not switch the source */
	{
		g_autoptr(PxfVars) vars = inventory_vars(FALSE);
		g_autofree gchar *ks = NULL;

		pxf_vars_set_string(vars, "install_source", "url");
		pxf_vars_set_string(vars, "nfs.server", "192.0.2.1");
		pxf_vars_set_string(vars, "nfs.dir", "/distros/centos7");
		ks = render(vars);
		assert_contains(ks, "\nurl --url=http://192.0.2.1/distros/centos7/\n");
		assert_lacks(ks, "nfs --server");
	}
}

/* Every line of a kickstart outside %packages/%post/%onerror is a command
 * EL 8/9 anaconda knows, never one it removed (install, auth, ...), and
 * every section is closed. */
static void
assert_el_commands(const gchar *ks)
{
	static const gchar *const known[] = {
		"text",	      "url",	 "nfs",	     "repo",	   "lang",    "keyboard",
		"timezone",   "network", "rootpw",   "firewall",   "selinux", "firstboot",
		"skipx",      "logging", "reboot",   "ignoredisk", "zerombr", "clearpart",
		"bootloader", "part",	 "autopart", NULL,
	};
	g_auto(GStrv) lines = g_strsplit(ks, "\n", -1);
	gboolean in_section = FALSE;
	guint sections = 0;

	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) words = NULL;
		const gchar *line = lines[i];

		if (g_str_has_prefix(line, "%end")) {
			g_assert_true(in_section);
			in_section = FALSE;
			continue;
		}
		if (line[0] == '%') {
			g_assert_false(in_section);
			in_section = TRUE;
			sections++;
			continue;
		}
		if (in_section || line[0] == '\0' || line[0] == '#')
			continue;
		words = g_strsplit(line, " ", 2);
		if (!g_strv_contains(known, words[0]))
			g_error("line %u: '%s' is not an EL 8/9 kickstart command", i + 1, line);
	}
	g_assert_false(in_section);
	g_assert_cmpuint(sections, ==, 3);
}

static void
test_render_el(gconstpointer data)
{
	const gchar *name = data;
	gboolean el9 = strstr(name, "rhel9") != NULL;
	g_autoptr(PxfVars) vars = inventory_vars(TRUE);
	g_autoptr(PxfVars) bare = inventory_vars(FALSE);
	g_autofree gchar *ks = NULL;
	g_autofree gchar *ks_bare = NULL;
	g_autofree gchar *hash = NULL;
	g_autofree gchar *rootpw_line = NULL;
	const gchar *packages[] = {"vim-enhanced", "-plymouth", NULL};
	GVariantBuilder repos;

	pxf_vars_set_string(vars, "rootpw", PLAIN);
	pxf_vars_set_string(vars, "netmask", "255.255.255.0");
	pxf_vars_set_string(vars, "gateway", "192.0.2.1");
	pxf_vars_set_string(vars, "disk", "vda");
	pxf_vars_set_string(vars, "keyboard", "de");
	pxf_vars_set_string(vars, "environment", "server-product-environment");
	pxf_vars_set(vars, "root_ssh", g_variant_new_boolean(TRUE));
	pxf_vars_set(vars, "packages", g_variant_new_strv(packages, -1));
	g_variant_builder_init(&repos, G_VARIANT_TYPE("av"));
	g_variant_builder_add(&repos, "v",
			      g_variant_new_parsed("{'name': <'AppStream'>, 'url': "
						   "<'http://192.0.2.1/el/AppStream/'>}"));
	pxf_vars_set(vars, "repos", g_variant_builder_end(&repos));

	ks = render_template(name, vars);
	assert_el_commands(ks);
	hash = var_string(vars, "rootpw_hash");
	g_assert_true(crypt_verifies(PLAIN, hash));
	assert_lacks(ks, PLAIN);
	rootpw_line = g_strdup_printf(
		el9 ? "\nrootpw --iscrypted --allow-ssh %s\n" : "\nrootpw --iscrypted %s\n", hash);
	assert_contains(ks, rootpw_line);
	assert_contains(ks, el9 ? "# pxeforge: kickstart (RHEL 9 family) for web01 "
				: "# pxeforge: kickstart (RHEL 8 family) for web01 ");
	assert_contains(ks, "\ntext\nurl --url=http://192.0.2.1/distros/centos7/\n"
			    "repo --name=AppStream --baseurl=http://192.0.2.1/el/AppStream/\n");
	assert_contains(ks, "\nkeyboard --xlayouts=de\n");
	assert_contains(ks, "\ntimezone UTC --utc\n");
	assert_contains(ks, "\nnetwork --device=link --bootproto=static --ip=192.0.2.21 "
			    "--netmask=255.255.255.0 --gateway=192.0.2.1 --activate --onboot=on "
			    "--hostname=web01\n");
	assert_contains(ks, "\nignoredisk --only-use=vda\nzerombr\n"
			    "clearpart --all --initlabel --drives=vda\n"
			    "bootloader --location=mbr --boot-drive=vda\n"
			    "autopart --type=lvm\n");
	assert_contains(ks, "\n%packages\n@^server-product-environment\nvim-enhanced\n"
			    "-plymouth\n%end\n");
	assert_contains(ks, "url=\"http://192.0.2.1/api/v1/hosts/52:54:00:12:34:56/done"
			    "?token=0123456789abcdef0123456789abcdef\"\n");
	assert_contains(ks, "\n%onerror\n");
	assert_contains(ks, "--data-urlencode \"reason=anaconda %onerror\" "
			    "\"http://192.0.2.1/api/v1/hosts/52:54:00:12:34:56/failed"
			    "?token=0123456789abcdef0123456789abcdef\"\n%end\n");
	/* removed in EL 8/9 */
	assert_lacks(ks, "\ninstall\n");
	assert_lacks(ks, "\nauth ");
	assert_lacks(ks, "\n\n\n");

	/* defaults: DHCP, minimal environment, root locked, autopart */
	ks_bare = render_template(name, bare);
	assert_el_commands(ks_bare);
	assert_contains(ks_bare, "\nrootpw --lock\n");
	assert_contains(ks_bare,
			"\nnetwork --device=link --bootproto=dhcp --activate --onboot=on\n");
	assert_contains(ks_bare, "\nkeyboard --xlayouts=us\n");
	assert_contains(ks_bare, "\n%packages\n@^minimal-environment\n%end\n");
	assert_contains(ks_bare, "\nbootloader --location=mbr\nautopart --type=lvm\n");
	assert_lacks(ks_bare, "--allow-ssh");
	assert_lacks(ks_bare, "ignoredisk");

	/* install_source: nfs with the nfs plugin's export */
	{
		g_autoptr(PxfVars) nfs = inventory_vars(FALSE);
		g_autofree gchar *ks_nfs = NULL;

		pxf_vars_set_string(nfs, "install_source", "nfs");
		pxf_vars_set_string(nfs, "nfs.server", "192.0.2.1");
		pxf_vars_set_string(nfs, "nfs.dir", "/distros/rocky9");
		ks_nfs = render_template(name, nfs);
		assert_el_commands(ks_nfs);
		assert_contains(ks_nfs, "\ntext\nnfs --server=192.0.2.1 --dir=/distros/rocky9\n");
		assert_lacks(ks_nfs, "url --url");
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/kickstart/crypt", test_crypt);
	g_test_add_func("/plugin/kickstart/vars-rootpw", test_vars_rootpw);
	g_test_add_func("/plugin/kickstart/vars-install-url", test_vars_install_url);
	g_test_add_func("/plugin/kickstart/render-full", test_render_full);
	g_test_add_func("/plugin/kickstart/render-defaults", test_render_defaults);
	g_test_add_data_func("/plugin/kickstart/render-rhel8", "rhel8-ks.cfg.mustache",
			     test_render_el);
	g_test_add_data_func("/plugin/kickstart/render-rhel9", "rhel9-ks.cfg.mustache",
			     test_render_el);
	g_test_add_func("/plugin/kickstart/render-nfs", test_render_nfs);
	return g_test_run();
}
