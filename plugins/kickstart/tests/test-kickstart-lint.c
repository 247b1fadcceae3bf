/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every shipped kickstart template, rendered as the daemon renders it with
 * every optional part on and off, checked against the syntax of each
 * anaconda it targets (tests/data/ksdata/<VERSION>.txt, read from
 * pykickstart); and the checker itself against known bad kickstarts. */
#define G_LOG_DOMAIN "test-kickstart-lint"

#include <string.h>

#include "ks-lint.h"
#include "pxf-config.h"
#include "pxf-diag.h"
#include "ks-test-vars.h"
#include "pxf-kickstart.h"
#include "pxf-template.h"
#include "pxf-test-paths.h"
#include "pxf-vars.h"

/* the shipped templates and the pykickstart versions each must pass */
static const struct {
	const gchar *template;
	const gchar *versions[3];
} targets[] = {
	{"centos7-ks.cfg.mustache", {"RHEL6", "RHEL7", NULL}},
	{"rhel8-ks.cfg.mustache", {"RHEL8", NULL}},
	{"rhel9-ks.cfg.mustache", {"RHEL9", NULL}},
};

/* the optional parts of the templates, one bit each */
enum {
	PART_NFS = 1 << 0,	  /* install_source: nfs with the nfs plugin's export */
	PART_REPOS = 1 << 1,	  /* repos */
	PART_FIXED_IP = 1 << 2,	  /* host.ip and host.hostname */
	PART_STATIC = 1 << 3,	  /* netmask, gateway, nameserver */
	PART_ROOTPW = 1 << 4,	  /* rootpw_hash */
	PART_ROOT_SSH = 1 << 5,	  /* root_ssh */
	PART_DISK = 1 << 6,	  /* disk */
	PART_PARTITIONS = 1 << 7, /* partitions */
	PART_PACKAGES = 1 << 8,	  /* packages */
	PART_REPORT = 1 << 9,	  /* the http plugin's report URLs and the token */
	PART_SITE = 1 << 10,	  /* lang, keyboard, timezone, firewall, selinux, ... */
	PART_HTTP = 1 << 11,	  /* install_url from http.base_url, else the operator's */
	PART_ALL = (1 << 12) - 1,
};

static PxfKsSyntax *
load_syntax(const gchar *version)
{
	g_autofree gchar *file = g_strdup_printf("%s.txt", version);
	g_autofree gchar *path = pxf_test_build_filename("plugins", "kickstart", "tests", "data",
							 "ksdata", file, NULL);
	g_autoptr(GError) error = NULL;
	PxfKsSyntax *syntax = pxf_ks_syntax_new_from_file(path, &error);

	g_assert_no_error(error);
	return syntax;
}

static void
set_list(PxfVars *vars, const gchar *name, const gchar *const *items)
{
	GVariantBuilder list;

	g_variant_builder_init(&list, G_VARIANT_TYPE("av"));
	for (guint i = 0; items[i] != NULL; i++)
		g_variant_builder_add(&list, "v", g_variant_new_parsed(items[i]));
	pxf_vars_set(vars, name, g_variant_builder_end(&list));
}

/* What the inventory, the http, nfs and kickstart plugins and the core give a
 * template for the parts in @parts. */
static PxfVars *
vars_for(guint parts, const gchar *hash)
{
	PxfVars *vars = pxf_vars_new();
	const gchar *host_ip[] = {"mac", "52:54:00:12:34:56", "hostname", "web01",
				  "ip",	 "192.0.2.21",	      NULL};
	const gchar *host_dhcp[] = {"mac", "52:54:00:12:34:56", NULL};
	const gchar *profile[] = {"name", "web", "os", "kickstart", NULL};
	const gchar *distro[] = {"name", "rocky9", "tree", "/srv/pxeforge/distros/rocky9", NULL};
	const gchar *repos[] = {
		"{'name': <'AppStream'>, 'url': <'http://192.0.2.1/distros/rocky9/AppStream/'>}",
		"{'name': <'extras'>, 'url': <'http://mirror.example.org/rocky/9/extras/x86_64/'>}",
		NULL};
	const gchar *partitions[] = {
		"{'mount': <'/boot'>, 'fstype': <'ext4'>, 'size': <'1000'>}",
		"{'mount': <'swap'>, 'fstype': <'swap'>, 'size': <'4096'>}",
		"{'mount': <'/'>, 'fstype': <'ext4'>, 'size': <'10000'>, 'grow': <true>}",
		"{'mount': <'/srv'>, 'size': <'2048'>}", NULL};
	const gchar *packages[] = {"@chinese-support", "vim-enhanced", "-plymouth", NULL};

	ks_test_set_dict(vars, "host", (parts & PART_FIXED_IP) ? host_ip : host_dhcp);
	ks_test_set_dict(vars, "profile", profile);
	ks_test_set_dict(vars, "distro", distro);
	if (parts & PART_HTTP)
		pxf_vars_set_string(vars, "http.base_url", "http://192.0.2.1");
	else
		pxf_vars_set_string(vars, "install_url", "http://172.16.100.7/c6");
	if (parts & PART_NFS) {
		pxf_vars_set_string(vars, "install_source", "nfs");
		pxf_vars_set_string(vars, "nfs.server", "192.0.2.1");
		pxf_vars_set_string(vars, "nfs.dir", "/distros/rocky9");
	}
	if (parts & PART_REPOS)
		set_list(vars, "repos", repos);
	if (parts & PART_STATIC) {
		pxf_vars_set_string(vars, "netmask", "255.255.255.0");
		pxf_vars_set_string(vars, "gateway", "192.0.2.1");
		pxf_vars_set_string(vars, "nameserver", "192.0.2.53");
	}
	if (parts & PART_ROOTPW)
		pxf_vars_set_string(vars, "rootpw_hash", hash);
	if (parts & PART_ROOT_SSH)
		pxf_vars_set(vars, "root_ssh", g_variant_new_boolean(TRUE));
	if (parts & PART_DISK)
		pxf_vars_set_string(vars, "disk", "vda");
	if (parts & PART_PARTITIONS)
		set_list(vars, "partitions", partitions);
	if (parts & PART_PACKAGES)
		pxf_vars_set(vars, "packages", g_variant_new_strv(packages, -1));
	if (parts & PART_REPORT) {
		pxf_vars_set_string(vars, "install.done_url",
				    "http://192.0.2.1/api/v1/hosts/52:54:00:12:34:56/done");
		pxf_vars_set_string(vars, "install.failed_url",
				    "http://192.0.2.1/api/v1/hosts/52:54:00:12:34:56/failed");
		pxf_vars_set_string(vars, "install.token", "0123456789abcdef0123456789abcdef");
	}
	if (parts & PART_SITE) {
		pxf_vars_set_string(vars, "lang", "zh_CN.UTF-8");
		pxf_vars_set_string(vars, "keyboard", "de");
		pxf_vars_set_string(vars, "timezone", "Asia/Shanghai");
		pxf_vars_set_string(vars, "firewall", "--disabled");
		pxf_vars_set_string(vars, "selinux", "--permissive");
		pxf_vars_set_string(vars, "environment", "server-product-environment");
		pxf_vars_set_string(vars, "autopart_type", "plain");
	}
	return vars;
}

static gchar *
render(PxfTemplate *tpl, const PxfKickstartConfig *config, PxfVars *vars)
{
	g_autoptr(GError) error = NULL;
	GString *out = g_string_new(NULL);

	g_assert_true(pxf_kickstart_apply_vars(config, vars, &error));
	g_assert_no_error(error);
	g_assert_true(pxf_template_render(tpl, vars, NULL, NULL, out, &error));
	g_assert_no_error(error);
	return g_string_free(out, FALSE);
}

static PxfKickstartConfig *
default_config(void)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root =
		pxf_conf_parse_data("60-kickstart.yaml", "kickstart: {}\n", 14, diags);
	g_autoptr(PxfConfSection) section =
		pxf_conf_section_new(pxf_conf_node_lookup(root, "kickstart", NULL),
				     pxf_kickstart_config_keys, "plugins.kickstart", diags);
	g_autoptr(GError) error = NULL;
	PxfKickstartConfig *config = pxf_kickstart_config_new(section, &error);

	g_assert_no_error(error);
	return config;
}

/* With PXF_KS_LINT_DUMP=DIR, every distinct rendering is also written to
 * DIR/<template>-<version>-<parts>.cfg, for the real `ksvalidator -v
 * VERSION` (pykickstart), which the suite cannot run. */
static void
dump(GHashTable *written, const gchar *template, const gchar *version, guint parts, const gchar *ks)
{
	const gchar *dir = g_getenv("PXF_KS_LINT_DUMP");
	g_autofree gchar *file = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(GError) error = NULL;

	if (dir == NULL || dir[0] == '\0' || g_hash_table_contains(written, ks))
		return;
	g_hash_table_add(written, g_strdup(ks));
	file = g_strdup_printf("%.*s-%s-%03x.cfg", (int)strcspn(template, "-"), template, version,
			       parts);
	path = g_build_filename(dir, file, NULL);
	g_assert_true(g_file_set_contents(path, ks, -1, &error));
	g_assert_no_error(error);
}

static void
test_shipped(gconstpointer data)
{
	guint t = GPOINTER_TO_UINT(data);
	g_autofree gchar *path = pxf_test_build_filename("plugins", "kickstart", "templates",
							 targets[t].template, NULL);
	g_autoptr(PxfKickstartConfig) config = default_config();
	g_autoptr(PxfTemplate) tpl = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *hash = pxf_osprofile_crypt_sha512("xiaofei.com", 5000, &error);

	g_assert_no_error(error);
	tpl = pxf_template_new_from_file(path, &error);
	g_assert_no_error(error);
	for (guint v = 0; targets[t].versions[v] != NULL; v++) {
		g_autoptr(PxfKsSyntax) syntax = load_syntax(targets[t].versions[v]);
		g_autoptr(GHashTable) written =
			g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

		for (guint parts = 0; parts <= PART_ALL; parts++) {
			g_autoptr(PxfVars) vars = vars_for(parts, hash);
			g_autofree gchar *ks = render(tpl, config, vars);
			g_autoptr(GPtrArray) problems =
				pxf_ks_lint(syntax, targets[t].template, ks);

			dump(written, targets[t].template, targets[t].versions[v], parts, ks);
			if (problems->len == 0)
				continue;
			g_ptr_array_add(problems, NULL);
			g_error("%s for %s, parts 0x%03x:\n%s\n---\n%s", targets[t].template,
				pxf_ks_syntax_get_version(syntax), parts,
				g_strjoinv("\n", (gchar **)problems->pdata), ks);
		}
	}
}

/* The problems pxf_ks_lint() finds in @text, joined by newlines. */
static gchar *
lint_text(const gchar *version, const gchar *text)
{
	g_autoptr(PxfKsSyntax) syntax = load_syntax(version);
	g_autoptr(GPtrArray) problems = pxf_ks_lint(syntax, "ks.cfg", text);

	g_ptr_array_add(problems, NULL);
	return g_strjoinv("\n", (gchar **)problems->pdata);
}

#define KS_REQUIRED                                                                                \
	"url --url=http://192.0.2.1/el/\nlang en_US.UTF-8\nkeyboard us\ntimezone UTC --utc\n"      \
	"rootpw --lock\nbootloader --location=mbr\nautopart\n"

static void
assert_lint(const gchar *version, const gchar *text, const gchar *expected)
{
	g_autofree gchar *got = lint_text(version, text);

	if (g_strcmp0(got, expected) != 0)
		g_error("%s: for\n%s\nexpected\n%s\ngot\n%s", version, text, expected, got);
}

static void
test_checker(void)
{
	/* the unfixed RHEL 9 template's line: fine on RHEL 8, deprecated on 9 */
	assert_lint("RHEL8", KS_REQUIRED "logging --level=info\n", "");
	assert_lint("RHEL9", KS_REQUIRED "logging --level=info\n",
		    "ks.cfg:8: logging --level is deprecated in RHEL9");
	assert_lint("RHEL9", KS_REQUIRED "logging --host=192.0.2.1 --port=514\n", "");
	/* removed and deprecated commands, an unknown one, an unknown option */
	assert_lint("RHEL7", KS_REQUIRED "install\nauth --useshadow --passalgo=sha512\n", "");
	assert_lint("RHEL9", KS_REQUIRED "install\nauth --useshadow\nfrobnicate\n",
		    "ks.cfg:8: install was removed in RHEL9\n"
		    "ks.cfg:9: auth is deprecated in RHEL9\n"
		    "ks.cfg:10: unknown command frobnicate in RHEL9");
	assert_lint("RHEL8", KS_REQUIRED "part / --sise=100\npart /boot --size 500 --grow\n",
		    "ks.cfg:8: unknown option part --sise in RHEL8");
	assert_lint("RHEL9", KS_REQUIRED "bootloader --upgrade\n%packages --nobase\n%end\n",
		    "ks.cfg:8: bootloader --upgrade was removed in RHEL9\n"
		    "ks.cfg:9: %packages --nobase was removed in RHEL9");
	assert_lint("RHEL9", KS_REQUIRED "timezone UTC --ntpservers=ntp.example.org\n",
		    "ks.cfg:8: timezone --ntpservers is deprecated in RHEL9");
	/* values: missing, empty, given to a flag; arguments to a command without */
	assert_lint("RHEL9", KS_REQUIRED "network --bootproto\nurl --url=\nreboot --eject=1\n",
		    "ks.cfg:8: network --bootproto needs a value\n"
		    "ks.cfg:9: url --url has an empty value\n"
		    "ks.cfg:10: reboot --eject takes no value");
	assert_lint("RHEL9", KS_REQUIRED "skipx now\nzerombr --all\n",
		    "ks.cfg:8: skipx takes no argument: 'now'\n"
		    "ks.cfg:9: unknown option zerombr --all in RHEL9");
	/* sections: closed, known, and a header inside one ends it without %end */
	assert_lint("RHEL9", KS_REQUIRED "%post --log=/root/post.log\necho %post\n%end\n", "");
	assert_lint("RHEL9", KS_REQUIRED "%post\necho\n", "ks.cfg:8: %post has no %end");
	assert_lint("RHEL9", KS_REQUIRED "%pre\necho\n%packages\n@core\n%end\n%end\n",
		    "ks.cfg:8: %pre has no %end (%packages follows on line 10)\n"
		    "ks.cfg:13: %end outside a section");
	assert_lint("RHEL9", KS_REQUIRED "%traceback\n%end\n%postt\n%end\n",
		    "ks.cfg:8: %traceback is deprecated in RHEL9\n"
		    "ks.cfg:10: unknown section %postt in RHEL9\n"
		    "ks.cfg:11: %end outside a section");
	{
		g_autofree gchar *got = lint_text("RHEL9", KS_REQUIRED "rootpw \"unclosed\n");
		g_assert_true(g_str_has_prefix(got, "ks.cfg:8: cannot split the line: "));
		g_assert_null(strchr(got, '\n'));
	}
	/* required commands */
	assert_lint("RHEL9", "text\nlang en_US\n%packages\n%end\n",
		    "ks.cfg:0: no url or nfs or cdrom or harddrive or liveimg command, which "
		    "RHEL9 requires\n"
		    "ks.cfg:0: no keyboard command, which RHEL9 requires\n"
		    "ks.cfg:0: no timezone command, which RHEL9 requires\n"
		    "ks.cfg:0: no rootpw command, which RHEL9 requires\n"
		    "ks.cfg:0: no bootloader command, which RHEL9 requires\n"
		    "ks.cfg:0: no autopart or part or partition or reqpart command, which "
		    "RHEL9 requires");
	assert_lint("RHEL6", KS_REQUIRED,
		    "ks.cfg:0: no auth or authconfig command, which RHEL6 requires");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/kickstart/lint/checker", test_checker);
	for (guint t = 0; t < G_N_ELEMENTS(targets); t++) {
		g_autofree gchar *name = g_strdup_printf("/plugin/kickstart/lint/shipped/%.*s",
							 (int)strcspn(targets[t].template, "-"),
							 targets[t].template);
		g_test_add_data_func(name, GUINT_TO_POINTER(t), test_shipped);
	}
	return g_test_run();
}
