/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the kickstart plugin refuses at `pxeforge check` and at render: a
 * variable a command line cannot take (a line break, white space in one
 * argument, a root hash that is not one crypt(3) token) and a profile
 * without an install source. */
#define G_LOG_DOMAIN "test-kickstart-check"

#include <string.h>

#include "ks-test-vars.h"
#include "pxf-kickstart.h"
#include "pxf-vars.h"

/* the how-to's hash as it prints it: a stray space (docs/howto-centos.md) */
#define HOWTO_HASH                                                                                 \
	"$6$.vc1q3MIhm7CdPfU$PDrzE3WQEURV7Dp2XxM3DtOhWZqmGcNMUpsVhnxDq6."                          \
	"yPLWaVcoRNU667cDdUWTxALh3z"                                                               \
	"RyS Vsf8uN76lnHhd/"

static PxfVars *
good_vars(void)
{
	PxfVars *vars = pxf_vars_new();
	const gchar *distro[] = {"name", "c6", "tree", "/srv/pxeforge/distros/c6", NULL};
	const gchar *packages[] = {"@chinese-support", "@core --nodefaults", NULL};

	ks_test_set_dict(vars, "distro", distro);
	pxf_vars_set_string(vars, "rootpw_hash", "$6$rounds=6000$abcdefgh$0123456789./xyz");
	pxf_vars_set_string(vars, "lang", "en_US.UTF-8");
	pxf_vars_set_string(vars, "timezone", "Asia/Shanghai");
	pxf_vars_set_string(vars, "firewall", "--enabled --ssh");
	pxf_vars_set_string(vars, "selinux", "--disabled");
	pxf_vars_set_string(vars, "nameserver", "192.0.2.53,192.0.2.54");
	pxf_vars_set(vars, "packages", g_variant_new_strv(packages, -1));
	pxf_vars_set(vars, "partitions",
		     g_variant_new_parsed("[<{'mount': <'/'>, 'fstype': <'ext4'>, 'size': "
					  "<'10000'>, 'grow': <true>}>]"));
	return vars;
}

/* The problems joined by newlines ("" when none). */
static gchar *
problems_of(PxfVars *vars)
{
	g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);

	pxf_kickstart_check_vars(vars, problems);
	g_ptr_array_add(problems, NULL);
	return g_strjoinv("\n", (gchar **)problems->pdata);
}

static void
test_crypt_token(void)
{
	g_assert_true(pxf_osprofile_is_crypt_token("$6$abcdefgh$0123456789./xyzXYZ"));
	g_assert_true(pxf_osprofile_is_crypt_token("$6$rounds=6000$abcdefgh$0123"));
	g_assert_true(pxf_osprofile_is_crypt_token("$y$j9T$salt$hash"));
	g_assert_true(pxf_osprofile_is_crypt_token("!!"));
	g_assert_true(pxf_osprofile_is_crypt_token("*"));
	g_assert_false(pxf_osprofile_is_crypt_token(NULL));
	g_assert_false(pxf_osprofile_is_crypt_token(""));
	g_assert_false(pxf_osprofile_is_crypt_token(HOWTO_HASH));
	g_assert_false(pxf_osprofile_is_crypt_token("$6$abc$def\n%pre\nreboot\n%end"));
	g_assert_false(pxf_osprofile_is_crypt_token("$6$abc$def\t"));
	g_assert_false(pxf_osprofile_is_crypt_token("\"$6$abc$def\""));
	g_assert_false(pxf_osprofile_is_crypt_token("$6$abc$d\xc3\xa9"
						    "f"));
}

static void
test_vars(void)
{
	/* what the shipped templates take */
	{
		g_autoptr(PxfVars) vars = good_vars();
		g_autofree gchar *got = problems_of(vars);
		g_assert_cmpstr(got, ==, "");
	}
	/* the how-to's hash, and one smuggling a %pre: refused, never shown */
	{
		const gchar *bad[] = {HOWTO_HASH, "$6$abc$def\n%pre\nreboot\n%end", "", NULL};
		for (guint i = 0; bad[i] != NULL; i++) {
			g_autoptr(PxfVars) vars = good_vars();
			g_autofree gchar *got = NULL;

			pxf_vars_set_string(vars, "rootpw_hash", bad[i]);
			got = problems_of(vars);
			g_assert_true(
				g_str_has_prefix(got, "rootpw_hash: is not one crypt(3) hash"));
			g_assert_null(strchr(got, '\n'));
			g_assert_null(strstr(got, "Vsf8uN76lnHhd"));
			g_assert_null(strstr(got, "$6$abc"));
		}
	}
	/* a list under rootpw_hash is not one hash either */
	{
		g_autoptr(PxfVars) vars = good_vars();
		const gchar *items[] = {"$6$a$b", "$6$c$d", NULL};
		g_autofree gchar *got = NULL;

		pxf_vars_set(vars, "rootpw_hash", g_variant_new_strv(items, -1));
		got = problems_of(vars);
		g_assert_true(g_str_has_prefix(got, "rootpw_hash: is not one crypt(3) hash"));
	}
	/* a line break anywhere on a command line, white space in one argument */
	{
		g_autoptr(PxfVars) vars = good_vars();
		const gchar *packages[] = {"@core", "vim\n%end\n%pre\nreboot", NULL};
		g_autofree gchar *got = NULL;

		pxf_vars_set_string(vars, "firewall", "--enabled\n%pre");
		pxf_vars_set_string(vars, "lang", "en US");
		pxf_vars_set(vars, "packages", g_variant_new_strv(packages, -1));
		pxf_vars_set_string(vars, "install_url", "");
		pxf_vars_set(
			vars, "repos",
			g_variant_new_parsed("[<{'name': <'Base OS'>, 'url': <'http://h/'>}>]"));
		got = problems_of(vars);
		g_assert_cmpstr(
			got, ==,
			"lang: 'en US' has white space or a quote, which would split its "
			"kickstart argument\n"
			"firewall: has a line break, which would end its kickstart line and "
			"start a command of its own\n"
			"packages: has a line break, which would end its kickstart line and "
			"start a command of its own\n"
			"repos: 'Base OS' has white space, a quote or a line break, which "
			"would split its kickstart line\n"
			"install_url: is empty: the kickstart would say `url --url=`, an "
			"install source anaconda refuses");
	}
	{
		g_autoptr(PxfVars) vars = good_vars();
		g_autofree gchar *got = NULL;

		pxf_vars_set(vars, "partitions",
			     g_variant_new_parsed("[<{'mount': <'/'>, 'size': <'100\\n%pre'>}>]"));
		got = problems_of(vars);
		g_assert_cmpstr(
			got, ==,
			"partitions: '100\\n%pre' has white space, a quote or a line break, "
			"which would split its kickstart line");
	}
}

static gchar *
source_problem(PxfVars *vars, const gchar *const *plugins)
{
	g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);

	pxf_kickstart_check_source(vars, plugins, problems);
	g_assert_cmpuint(problems->len, <=, 1);
	return problems->len > 0 ? g_strdup(g_ptr_array_index(problems, 0)) : NULL;
}

static void
test_source(void)
{
	const gchar *none[] = {"kickstart", NULL};
	const gchar *http[] = {"http", "kickstart", NULL};
	const gchar *nfs[] = {"nfs", "kickstart", NULL};
	const gchar *ftp[] = {"ftp", "kickstart", NULL};

	/* a local tree nobody serves: the kickstart would say `url --url=` */
	{
		g_autoptr(PxfVars) vars = good_vars();
		g_autofree gchar *got = source_problem(vars, none);
		g_autofree gchar *with_nfs = source_problem(vars, nfs);

		g_assert_cmpstr(
			got, ==,
			"install_url: not set, and distro c6 has the local tree "
			"/srv/pxeforge/distros/c6 and no plugin serves it: the kickstart "
			"would say `url --url=`, an install source anaconda refuses; set "
			"install_url, give the distro a tree URL, or enable the http plugin");
		/* the nfs plugin serves it only with install_source: nfs */
		g_assert_cmpstr(with_nfs, ==, got);
		g_assert_null(source_problem(vars, http));
	}
	{
		g_autoptr(PxfVars) vars = good_vars();
		g_autofree gchar *nfs_got = NULL;
		g_autofree gchar *ftp_got = NULL;

		pxf_vars_set_string(vars, "install_source", "nfs");
		nfs_got = source_problem(vars, nfs);
		g_assert_null(nfs_got);
		ftp_got = source_problem(vars, ftp);
		g_assert_nonnull(ftp_got);
		pxf_vars_set_string(vars, "install_source", "ftp");
		g_assert_null(source_problem(vars, ftp));
	}
	/* a tree URL, or the operator's install_url */
	{
		g_autoptr(PxfVars) vars = good_vars();
		const gchar *distro[] = {"name", "c6", "tree", "http://mirror/c6/os/", NULL};

		ks_test_set_dict(vars, "distro", distro);
		g_assert_null(source_problem(vars, none));
	}
	{
		g_autoptr(PxfVars) vars = good_vars();

		pxf_vars_set_string(vars, "install_url", "http://172.16.100.7/c6");
		g_assert_null(source_problem(vars, none));
	}
	/* no tree at all */
	{
		g_autoptr(PxfVars) vars = pxf_vars_new();
		const gchar *distro[] = {"name", "c6", NULL};
		g_autofree gchar *got = NULL;

		ks_test_set_dict(vars, "distro", distro);
		got = source_problem(vars, http);
		g_assert_true(g_str_has_prefix(got, "install_url: not set, and distro c6 has no "
						    "tree: the kickstart would say `url --url=`"));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/kickstart/check/crypt-token", test_crypt_token);
	g_test_add_func("/plugin/kickstart/check/vars", test_vars);
	g_test_add_func("/plugin/kickstart/check/source", test_source);
	return g_test_run();
}
