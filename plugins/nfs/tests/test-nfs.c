/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The nfs plugin's engine: settings, the Ganesha and exports(5) files
 * rendered from a distro list, stable export ids, the atomic write, the
 * pidfile and its signal, and the template variables. */
#define G_LOG_DOMAIN "test-nfs"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pxf-config.h"
#include "pxf-diag.h"
#include "pxf-nfs.h"
#include "pxf-vars.h"

static PxfNfsConfig *
config_from_yaml(const gchar *yaml, GError **error)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = pxf_conf_parse_data("75-nfs.yaml", yaml, strlen(yaml), diags);
	g_autoptr(PxfConfSection) section = NULL;

	g_assert_nonnull(root);
	section = pxf_conf_section_new(pxf_conf_node_lookup(root, "nfs", NULL), pxf_nfs_config_keys,
				       "plugins.nfs", diags);
	g_assert_cmpuint(diags->len, ==, 0);
	return pxf_nfs_config_new(section, error);
}

static PxfNfsConfig *
config_ok(const gchar *yaml)
{
	g_autoptr(GError) error = NULL;
	PxfNfsConfig *config = config_from_yaml(yaml, &error);
	g_assert_no_error(error);
	g_assert_nonnull(config);
	return config;
}

static void
config_refused(const gchar *yaml, const gchar *prefix, const gchar *needle)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfNfsConfig) config = config_from_yaml(yaml, &error);

	g_assert_null(config);
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID);
	if (!g_str_has_prefix(error->message, prefix) || strstr(error->message, needle) == NULL)
		g_error("'%s' lacks '%s' or '%s'", error->message, prefix, needle);
}

static void
test_config(void)
{
	/* the defaults */
	{
		g_autoptr(PxfNfsConfig) c = config_ok("nfs: {}\n");
		g_assert_cmpint(c->backend, ==, PXF_NFS_BACKEND_GANESHA);
		/* the state directory's file, known once the plugin starts */
		g_assert_null(c->file);
		pxf_nfs_config_set_state_dir(c, "/var/lib/pxeforge/plugins/nfs");
		g_assert_cmpstr(c->file, ==, "/var/lib/pxeforge/plugins/nfs/ganesha-exports.conf");
		g_assert_cmpstr(c->pidfile, ==, "/run/ganesha/ganesha.pid");
		g_assert_cmpstr(c->pseudo_root, ==, "/distros");
		g_assert_null(c->reload_argv);
		/* systemd's path unit reloads Ganesha: nothing signalled */
		g_assert_cmpint(c->ganesha_reload, ==, PXF_NFS_GANESHA_RELOAD_PATH_UNIT);
		g_assert_null(c->server);
		g_assert_cmpuint(g_strv_length(c->clients), ==, 0);
		g_assert_cmpint(c->squash, ==, PXF_NFS_SQUASH_ROOT);
		g_assert_false(c->nfs3 || c->nfs4);
		g_assert_cmpuint(c->first_export_id, ==, 1000);
		g_assert_cmpuint(c->check_interval, ==, 10);
	}
	/* a file of one's own; the direct signal for Ganesha outside systemd */
	{
		g_autoptr(PxfNfsConfig) c = config_ok("nfs:\n  ganesha_config: /etc/g/x.conf\n"
						      "  ganesha_reload: sighup\n");
		g_assert_cmpint(c->ganesha_reload, ==, PXF_NFS_GANESHA_RELOAD_SIGHUP);
		pxf_nfs_config_set_state_dir(c, "/var/lib/pxeforge/plugins/nfs");
		g_assert_cmpstr(c->file, ==, "/etc/g/x.conf");
		g_assert_null(c->reload_argv);
	}
	/* the kernel: its own file and exportfs */
	{
		g_autoptr(PxfNfsConfig) c = config_ok("nfs:\n  backend: kernel\n");
		const gchar *argv[] = {"exportfs", "-ra", NULL};
		g_assert_cmpint(c->backend, ==, PXF_NFS_BACKEND_KERNEL);
		g_assert_cmpstr(c->file, ==, "/etc/exports.d/pxeforge.exports");
		g_assert_true(g_strv_equal((const gchar *const *)c->reload_argv, argv));
	}
	/* everything set; networks normalised; the command split as sh would */
	{
		g_autoptr(PxfNfsConfig) c = config_ok(
			"nfs:\n  backend: kernel\n  exports_file: /tmp/x.exports\n"
			"  clients: [10.1.0.0/16, 192.0.2.7, '2001:db8::/64']\n"
			"  server: 192.0.2.1\n  pseudo_root: /srv/trees/\n"
			"  reload_command: \"/bin/sh -c 'echo \\\"a b\\\" > /tmp/m'\"\n"
			"  squash: all_squash\n  protocols: [4, 3]\n  first_export_id: 7\n"
			"  check_interval: 0\n");
		const gchar *clients[] = {"10.1.0.0/16", "192.0.2.7", "2001:db8::/64", NULL};
		const gchar *argv[] = {"/bin/sh", "-c", "echo \"a b\" > /tmp/m", NULL};
		g_assert_cmpstr(c->file, ==, "/tmp/x.exports");
		g_assert_true(g_strv_equal((const gchar *const *)c->clients, clients));
		g_assert_true(g_strv_equal((const gchar *const *)c->reload_argv, argv));
		g_assert_cmpstr(c->server, ==, "192.0.2.1");
		g_assert_cmpstr(c->pseudo_root, ==, "/srv/trees");
		g_assert_cmpint(c->squash, ==, PXF_NFS_SQUASH_ALL);
		g_assert_true(c->nfs3 && c->nfs4);
		g_assert_cmpuint(c->first_export_id, ==, 7);
		g_assert_cmpuint(c->check_interval, ==, 0);
	}
	/* an empty command: nothing is run */
	{
		g_autoptr(PxfNfsConfig) c = config_ok("nfs:\n  reload_command: ''\n");
		g_assert_nonnull(c->reload_argv);
		g_assert_null(c->reload_argv[0]);
	}
	/* "/" as pseudo root: exports at /<distro> */
	{
		g_autoptr(PxfNfsConfig) c = config_ok("nfs:\n  pseudo_root: /\n");
		g_assert_cmpstr(c->pseudo_root, ==, "");
	}

	config_refused("nfs:\n  backend: samba\n", "75-nfs.yaml:2:12: backend: ", "samba");
	config_refused("nfs:\n  clients: [10.0.0.5/24]\n",
		       "75-nfs.yaml:2:12: clients: ", "10.0.0.5/24");
	config_refused("nfs:\n  clients: [lab.example.org]\n",
		       "75-nfs.yaml:2:12: clients: ", "not an address or a network");
	config_refused("nfs:\n  ganesha_config: exports.conf\n", "75-nfs.yaml:2:19: ganesha_config",
		       "absolute");
	config_refused("nfs:\n  ganesha_config: ''\n", "75-nfs.yaml:2:19: ganesha_config",
		       "absolute");
	config_refused("nfs:\n  ganesha_reload: dbus\n", "75-nfs.yaml:2:19: ganesha_reload",
		       "'dbus' is not path-unit or sighup");
	config_refused("nfs:\n  ganesha_pidfile: /run/\n", "75-nfs.yaml:2:20: ganesha_pidfile",
		       "absolute");
	config_refused("nfs:\n  pseudo_root: distros\n", "75-nfs.yaml:2:16: pseudo_root",
		       "absolute");
	config_refused("nfs:\n  pseudo_root: /a/../b\n", "75-nfs.yaml:2:16: pseudo_root", "..");
	config_refused("nfs:\n  pseudo_root: '/a b'\n", "75-nfs.yaml:2:16: pseudo_root",
		       "character");
	config_refused("nfs:\n  squash: maybe\n", "75-nfs.yaml:2:11: squash", "maybe");
	config_refused("nfs:\n  protocols: [2]\n", "75-nfs.yaml:2:14: protocols", "'2'");
	config_refused("nfs:\n  server: 'a b'\n", "75-nfs.yaml:2:11: server", "host name");
	config_refused("nfs:\n  reload_command: \"echo 'unterminated\"\n",
		       "75-nfs.yaml:2:19: reload_command", "quote");
}

static void
assert_network(const gchar *address, guint prefix, const gchar *expected)
{
	g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(address);
	g_autofree gchar *net = pxf_nfs_network_of(addr, prefix);
	g_assert_cmpstr(net, ==, expected);
}

static void
test_network_of(void)
{
	assert_network("10.1.2.3", 24, "10.1.2.0/24");
	assert_network("172.16.5.4", 12, "172.16.0.0/12");
	assert_network("192.0.2.77", 32, "192.0.2.77/32");
	assert_network("192.0.2.77", 0, "0.0.0.0/0");
	assert_network("10.255.255.255", 9, "10.128.0.0/9");
	assert_network("2001:db8:1:2::5", 64, "2001:db8:1:2::/64");
	assert_network("10.1.2.3", 33, NULL);
}

static void
test_tree_dir(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *a = pxf_nfs_tree_dir("/srv/distros/centos7/", &error);
	g_autofree gchar *b = pxf_nfs_tree_dir("file:///srv/a/../b//c", &error);
	g_autofree gchar *c = pxf_nfs_tree_dir("/srv/with space", &error);

	g_assert_no_error(error);
	g_assert_cmpstr(a, ==, "/srv/distros/centos7");
	g_assert_cmpstr(b, ==, "/srv/b/c");
	g_assert_cmpstr(c, ==, "/srv/with space");
	/* not a local directory: not ours, and no error */
	g_assert_null(pxf_nfs_tree_dir("http://mirror/centos/7/os/x86_64/", &error));
	g_assert_null(pxf_nfs_tree_dir("nfs:server:/export", &error));
	g_assert_null(pxf_nfs_tree_dir("relative/tree", &error));
	g_assert_null(pxf_nfs_tree_dir(NULL, &error));
	g_assert_no_error(error);
	/* what neither config syntax can hold */
	g_assert_null(pxf_nfs_tree_dir("/srv/\"quoted\"", &error));
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_null(pxf_nfs_tree_dir("/srv/back\\slash", &error));
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_null(pxf_nfs_tree_dir("/srv/new\nline", &error));
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_null(pxf_nfs_tree_dir("/srv/\xff\xfe", &error));
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_null(pxf_nfs_tree_dir("/srv/..", &error));
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID);
	g_clear_error(&error);
}

static void
test_name_valid(void)
{
	g_assert_true(pxf_nfs_name_valid("centos7"));
	g_assert_true(pxf_nfs_name_valid("rocky-9.3_x86_64"));
	g_assert_false(pxf_nfs_name_valid(""));
	g_assert_false(pxf_nfs_name_valid(NULL));
	g_assert_false(pxf_nfs_name_valid(".hidden"));
	g_assert_false(pxf_nfs_name_valid(".."));
	g_assert_false(pxf_nfs_name_valid("a/b"));
	g_assert_false(pxf_nfs_name_valid("a b"));
	g_assert_false(pxf_nfs_name_valid("a\"b"));
	g_assert_false(pxf_nfs_name_valid("caf\xc3\xa9"));
	g_assert_true(pxf_nfs_name_valid(
		"a234567890123456789012345678901234567890123456789012345678901234"));
	g_assert_false(pxf_nfs_name_valid(
		"a2345678901234567890123456789012345678901234567890123456789012345"));
}

static GPtrArray *
two_exports(void)
{
	GPtrArray *exports = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_nfs_export_free);
	PxfNfsExport *rocky = pxf_nfs_export_new("rocky9", "/srv/trees/rocky 9");
	PxfNfsExport *centos = pxf_nfs_export_new("centos7", "/srv/trees/centos7");

	/* the inventory's order; the file is sorted by name */
	rocky->id = 1001;
	centos->id = 1000;
	g_ptr_array_add(exports, rocky);
	g_ptr_array_add(exports, centos);
	return exports;
}

static const gchar *const ganesha_expected =
	"# Written by pxeforged's nfs plugin from the inventory's distros.\n"
	"# Do not edit: pxeforged rewrites it when the distros change.\n"
	"# ganesha.conf includes it with:\n"
	"#   %include \"/var/lib/pxeforge/plugins/nfs/ganesha-exports.conf\"\n"
	"\n"
	"# distro centos7\n"
	"EXPORT {\n"
	"\tExport_Id = 1000;\n"
	"\tPath = \"/srv/trees/centos7\";\n"
	"\tPseudo = \"/distros/centos7\";\n"
	"\tAccess_Type = None;\n"
	"\tSquash = Root_Squash;\n"
	"\tSecType = sys;\n"
	"\tFSAL {\n"
	"\t\tName = VFS;\n"
	"\t}\n"
	"\tCLIENT {\n"
	"\t\tClients = 10.1.0.0/16, 192.0.2.7;\n"
	"\t\tAccess_Type = RO;\n"
	"\t}\n"
	"}\n"
	"\n"
	"# distro rocky9\n"
	"EXPORT {\n"
	"\tExport_Id = 1001;\n"
	"\tPath = \"/srv/trees/rocky 9\";\n"
	"\tPseudo = \"/distros/rocky9\";\n"
	"\tAccess_Type = None;\n"
	"\tSquash = Root_Squash;\n"
	"\tSecType = sys;\n"
	"\tFSAL {\n"
	"\t\tName = VFS;\n"
	"\t}\n"
	"\tCLIENT {\n"
	"\t\tClients = 10.1.0.0/16, 192.0.2.7;\n"
	"\t\tAccess_Type = RO;\n"
	"\t}\n"
	"}\n";

static void
test_render_ganesha(void)
{
	g_autoptr(PxfNfsConfig) config = config_ok(
		"nfs:\n  ganesha_config: /var/lib/pxeforge/plugins/nfs/ganesha-exports.conf\n");
	g_autoptr(PxfNfsConfig) v4 =
		config_ok("nfs:\n  protocols: [4]\n  squash: all_squash\n  pseudo_root: /\n"
			  "  ganesha_config: /tmp/g.conf\n");
	g_autoptr(GPtrArray) exports = two_exports();
	g_autoptr(GPtrArray) none = g_ptr_array_new();
	const gchar *clients[] = {"10.1.0.0/16", "192.0.2.7", NULL};
	const gchar *no_clients[] = {NULL};
	g_autofree gchar *text = pxf_nfs_render(config, exports, clients);
	g_autofree gchar *again = NULL;
	g_autofree gchar *text_v4 = pxf_nfs_render(v4, exports, clients);
	g_autofree gchar *empty = pxf_nfs_render(config, none, clients);
	g_autofree gchar *nobody = pxf_nfs_render(config, exports, no_clients);
	g_autofree gchar *dir = NULL;

	g_assert_cmpstr(text, ==, ganesha_expected);
	/* equal inputs in another order, equal bytes: how the plugin sees
	 * that nothing changed */
	{
		gpointer first = g_ptr_array_steal_index(exports, 0);
		g_ptr_array_add(exports, first);
	}
	again = pxf_nfs_render(config, exports, clients);
	g_assert_cmpstr(text, ==, again);

	g_assert_nonnull(strstr(text_v4, "#   %include \"/tmp/g.conf\"\n"));
	g_assert_nonnull(strstr(text_v4, "\tPseudo = \"/centos7\";\n"
					 "\tProtocols = 4;\n"
					 "\tAccess_Type = None;\n"
					 "\tSquash = All_Squash;\n"));
	g_assert_nonnull(strstr(text_v4, "\t\tAccess_Type = RO;\n"
					 "\t\tProtocols = 4;\n"
					 "\t}\n"));
	/* nothing to export, nobody to export to: no EXPORT block */
	g_assert_null(strstr(empty, "EXPORT"));
	g_assert_nonnull(strstr(empty, "# No distro has a local tree to export.\n"));
	g_assert_null(strstr(nobody, "EXPORT"));
	g_assert_nonnull(strstr(nobody, "nothing is exported"));

	dir = pxf_nfs_export_dir(config, g_ptr_array_index(exports, 0));
	g_assert_true(g_str_has_prefix(dir, "/distros/"));
}

static void
test_render_kernel(void)
{
	g_autoptr(PxfNfsConfig) config =
		config_ok("nfs:\n  backend: kernel\n  squash: no_root_squash\n");
	g_autoptr(GPtrArray) exports = two_exports();
	const gchar *clients[] = {"10.1.0.0/16", "2001:db8::/64", NULL};
	g_autofree gchar *text = pxf_nfs_render(config, exports, clients);
	g_autofree gchar *dir = pxf_nfs_export_dir(config, g_ptr_array_index(exports, 0));

	g_assert_cmpstr(text, ==,
			"# Written by pxeforged's nfs plugin from the inventory's distros.\n"
			"# Do not edit: pxeforged rewrites it when the distros change.\n"
			"\n"
			"# distro centos7\n"
			"\"/srv/trees/centos7\" "
			"10.1.0.0/16(ro,no_root_squash,no_subtree_check,sec=sys,fsid=1000) "
			"2001:db8::/64(ro,no_root_squash,no_subtree_check,sec=sys,fsid=1000)\n"
			"\n"
			"# distro rocky9\n"
			"\"/srv/trees/rocky 9\" "
			"10.1.0.0/16(ro,no_root_squash,no_subtree_check,sec=sys,fsid=1001) "
			"2001:db8::/64(ro,no_root_squash,no_subtree_check,sec=sys,fsid=1001)\n");
	/* the kernel has no pseudo paths: clients mount the directory */
	g_assert_cmpstr(dir, ==, "/srv/trees/rocky 9");
}

static GPtrArray *
exports_named(const gchar *const *names)
{
	GPtrArray *exports = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_nfs_export_free);
	for (guint i = 0; names[i] != NULL; i++)
		g_ptr_array_add(exports, pxf_nfs_export_new(names[i], "/srv/x"));
	return exports;
}

static guint
id_of(GPtrArray *exports, const gchar *name)
{
	for (guint i = 0; i < exports->len; i++) {
		PxfNfsExport *e = g_ptr_array_index(exports, i);
		if (g_strcmp0(e->name, name) == 0)
			return e->id;
	}
	g_assert_not_reached();
	return 0;
}

static void
test_ids(void)
{
	g_autoptr(GHashTable) ids = pxf_nfs_ids_parse(NULL, 0);
	g_autoptr(GError) error = NULL;
	gboolean changed = FALSE;

	/* new names in name order */
	{
		const gchar *names[] = {"rocky9", "centos7", NULL};
		g_autoptr(GPtrArray) exports = exports_named(names);
		g_assert_true(pxf_nfs_ids_assign(ids, exports, 1000, &changed, &error));
		g_assert_true(changed);
		g_assert_cmpuint(id_of(exports, "centos7"), ==, 1000);
		g_assert_cmpuint(id_of(exports, "rocky9"), ==, 1001);
	}
	/* a name sorting first does not move the others; nothing to store again */
	{
		const gchar *names[] = {"rocky9", "centos7", NULL};
		const gchar *more[] = {"alma8", "rocky9", "centos7", NULL};
		g_autoptr(GPtrArray) same = exports_named(names);
		g_autoptr(GPtrArray) exports = exports_named(more);
		g_assert_true(pxf_nfs_ids_assign(ids, same, 1000, &changed, &error));
		g_assert_false(changed);
		g_assert_true(pxf_nfs_ids_assign(ids, exports, 1000, &changed, &error));
		g_assert_true(changed);
		g_assert_cmpuint(id_of(exports, "centos7"), ==, 1000);
		g_assert_cmpuint(id_of(exports, "rocky9"), ==, 1001);
		g_assert_cmpuint(id_of(exports, "alma8"), ==, 1002);
	}
	/* a removed distro's id is not given to a new one */
	{
		const gchar *names[] = {"alma8", "debian12", NULL};
		g_autoptr(GPtrArray) exports = exports_named(names);
		g_assert_true(pxf_nfs_ids_assign(ids, exports, 1000, &changed, &error));
		g_assert_cmpuint(id_of(exports, "alma8"), ==, 1002);
		g_assert_cmpuint(id_of(exports, "debian12"), ==, 1003);
	}
	/* stored text round trip; junk lines are skipped */
	{
		g_autofree gchar *text = pxf_nfs_ids_to_string(ids);
		g_autoptr(GHashTable) back = NULL;
		g_autofree gchar *text2 = NULL;
		g_autoptr(GString) junk = g_string_new(text);

		g_assert_cmpstr(text, ==, "alma8 1002\ncentos7 1000\ndebian12 1003\nrocky9 1001\n");
		g_string_append(junk, "bad\nx 0\ny 70000\n../z 5\nw 12 13\nv 9x\n");
		g_string_append_len(junk, "u 1\0t 2\n", 8);
		back = pxf_nfs_ids_parse(junk->str, junk->len);
		text2 = pxf_nfs_ids_to_string(back);
		g_assert_cmpstr(text2, ==,
				"alma8 1002\ncentos7 1000\ndebian12 1003\nrocky9 1001\nu 1\n");
	}
	/* a range too small: names not exported now are forgotten, then it fails */
	{
		g_autoptr(GHashTable) small = pxf_nfs_ids_parse("a 65534\nb 65535\n", 16);
		const gchar *one[] = {"a", "c", NULL};
		const gchar *three[] = {"a", "c", "d", NULL};
		g_autoptr(GPtrArray) exports = exports_named(one);
		g_autoptr(GPtrArray) too_many = exports_named(three);

		g_assert_true(pxf_nfs_ids_assign(small, exports, 65534, &changed, &error));
		g_assert_cmpuint(id_of(exports, "a"), ==, 65534);
		g_assert_cmpuint(id_of(exports, "c"), ==, 65535);
		g_assert_false(g_hash_table_contains(small, "b"));
		g_assert_false(pxf_nfs_ids_assign(small, too_many, 65534, &changed, &error));
		g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_FAILED);
		g_clear_error(&error);
	}
	/* the same id stored twice, or below first_export_id: renumbered */
	{
		g_autoptr(GHashTable) dup = pxf_nfs_ids_parse("a 5\nb 5\nc 2\n", 12);
		const gchar *names[] = {"a", "b", "c", NULL};
		g_autoptr(GPtrArray) exports = exports_named(names);

		g_assert_true(pxf_nfs_ids_assign(dup, exports, 3, &changed, &error));
		g_assert_true(changed);
		g_assert_cmpuint(id_of(exports, "a"), ==, 5);
		g_assert_cmpuint(id_of(exports, "b"), ==, 3);
		g_assert_cmpuint(id_of(exports, "c"), ==, 4);
	}
}

static guint
count_entries(const gchar *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	guint n = 0;

	g_assert_nonnull(d);
	while (g_dir_read_name(d) != NULL)
		n++;
	return n;
}

static void
test_write_atomic(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("pxf-nfs-XXXXXX", &error);
	g_autofree gchar *path = g_build_filename(dir, "exports.conf", NULL);
	g_autofree gchar *missing = g_build_filename(dir, "no", "such", "exports.conf", NULL);
	g_autofree gchar *content = NULL;
	GStatBuf before;
	GStatBuf after;
	gint old_fd;
	gchar buf[16] = {0};

	g_assert_no_error(error);
	g_assert_false(pxf_nfs_file_equals(path, "first\n"));
	g_assert_true(pxf_nfs_write_atomic(path, "first\n", &error));
	g_assert_no_error(error);
	g_assert_true(pxf_nfs_file_equals(path, "first\n"));
	g_assert_false(pxf_nfs_file_equals(path, "first"));
	g_assert_false(pxf_nfs_file_equals(path, "first\nsecond\n"));
	g_assert_cmpint(g_stat(path, &before), ==, 0);
	/* readable by the server, whatever our umask */
	g_assert_cmpint(before.st_mode & 0777, ==, 0644);
	g_assert_cmpuint(count_entries(dir), ==, 1);

	/* a reader that opened the old file keeps reading it whole: the new
	 * one is another inode renamed over the name */
	old_fd = open(path, O_RDONLY);
	g_assert_cmpint(old_fd, >=, 0);
	g_assert_true(pxf_nfs_write_atomic(path, "second, longer\n", &error));
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(path, &after), ==, 0);
	g_assert_cmpuint(before.st_ino, !=, after.st_ino);
	g_assert_cmpint(read(old_fd, buf, sizeof(buf) - 1), ==, 6);
	g_assert_cmpstr(buf, ==, "first\n");
	close(old_fd);
	g_assert_true(g_file_get_contents(path, &content, NULL, NULL));
	g_assert_cmpstr(content, ==, "second, longer\n");
	/* no temporary file left behind */
	g_assert_cmpuint(count_entries(dir), ==, 1);

	/* a directory that does not exist: an error naming it, nothing written */
	g_assert_false(pxf_nfs_write_atomic(missing, "x\n", &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "no/such"));
	g_clear_error(&error);
	/* a directory in the way of the rename: the temporary file is removed */
	{
		g_autofree gchar *blocked = g_build_filename(dir, "blocked", NULL);
		g_assert_cmpint(g_mkdir(blocked, 0755), ==, 0);
		g_assert_false(pxf_nfs_write_atomic(blocked, "x\n", &error));
		g_assert_nonnull(error);
		g_clear_error(&error);
		g_assert_cmpuint(count_entries(dir), ==, 2);
		g_assert_false(pxf_nfs_file_equals(blocked, "x\n"));
		g_rmdir(blocked);
	}
	g_unlink(path);
	g_rmdir(dir);
}

/* A child that execs a copy of sleep under another name, so that its
 * /proc/PID/comm says that name. */
static GPid
spawn_named_sleep(const gchar *dir, const gchar *name)
{
	g_autofree gchar *copy = g_build_filename(dir, name, NULL);
	g_autofree gchar *sleep_path = g_find_program_in_path("sleep");
	g_autofree gchar *data = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *argv[] = {copy, "30", NULL};
	gsize len = 0;
	GPid pid = 0;

	g_assert_nonnull(sleep_path);
	g_assert_true(g_file_get_contents(sleep_path, &data, &len, &error));
	g_assert_true(g_file_set_contents_full(copy, data, (gssize)len,
					       G_FILE_SET_CONTENTS_CONSISTENT, 0755, &error));
	g_assert_no_error(error);
	g_assert_true(g_spawn_async(NULL, (gchar **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
				    NULL, &pid, &error));
	g_assert_no_error(error);
	/* comm is set by exec: wait for it rather than race it */
	for (guint i = 0; i < 200; i++) {
		g_autofree gchar *proc = g_strdup_printf("/proc/%d/comm", (gint)pid);
		g_autofree gchar *comm = NULL;
		if (g_file_get_contents(proc, &comm, NULL, NULL) && g_str_has_prefix(comm, name))
			break;
		g_usleep(10000);
	}
	g_unlink(copy);
	return pid;
}

static void
write_pidfile(const gchar *path, GPid pid)
{
	g_autofree gchar *text = g_strdup_printf("%d\n", (gint)pid);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void
test_pidfile(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("pxf-nfs-XXXXXX", &error);
	g_autofree gchar *pidfile = g_build_filename(dir, "ganesha.pid", NULL);
	GPid pid = 0;
	GPid other;
	GPid ganesha;
	gint status = 0;

	g_assert_no_error(error);
	/* no pidfile: Ganesha is not running */
	g_assert_false(pxf_nfs_signal_ganesha(pidfile, &pid, &error));
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_NOT_RUNNING);
	g_clear_error(&error);
	/* junk, init, too long */
	g_assert_true(g_file_set_contents(pidfile, "12ab\n", -1, NULL));
	g_assert_false(pxf_nfs_signal_ganesha(pidfile, &pid, &error));
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_true(g_file_set_contents(pidfile, "1\n", -1, NULL));
	g_assert_false(pxf_nfs_signal_ganesha(pidfile, &pid, &error));
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_true(
		g_file_set_contents(pidfile, "0000000000000000000000000000000000042", -1, NULL));
	g_assert_cmpint(pxf_nfs_read_pidfile(pidfile, &error), ==, 0);
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_true(g_file_set_contents(pidfile, " 4242 \n", -1, NULL));
	g_assert_cmpint(pxf_nfs_read_pidfile(pidfile, &error), ==, 4242);
	g_assert_no_error(error);

	/* a stale pidfile naming another program: that program is left alone */
	other = spawn_named_sleep(dir, "not-ganesha");
	write_pidfile(pidfile, other);
	g_assert_false(pxf_nfs_signal_ganesha(pidfile, &pid, &error));
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "not-ganesha"));
	g_clear_error(&error);
	g_assert_cmpint(waitpid(other, &status, WNOHANG), ==, 0);

	/* a process called ganesha.nfsd gets SIGHUP (which ends a sleep) */
	ganesha = spawn_named_sleep(dir, "ganesha.nfsd");
	write_pidfile(pidfile, ganesha);
	g_assert_true(pxf_nfs_signal_ganesha(pidfile, &pid, &error));
	g_assert_no_error(error);
	g_assert_cmpint(pid, ==, ganesha);
	g_assert_cmpint(waitpid(ganesha, &status, 0), ==, ganesha);
	g_assert_true(WIFSIGNALED(status));
	g_assert_cmpint(WTERMSIG(status), ==, SIGHUP);

	/* its pid, now gone: not running */
	g_assert_false(pxf_nfs_signal_ganesha(pidfile, &pid, &error));
	g_assert_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_NOT_RUNNING);
	g_clear_error(&error);

	kill(other, SIGKILL);
	waitpid(other, &status, 0);
	g_unlink(pidfile);
	g_rmdir(dir);
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

static PxfVars *
vars_for_distro(const gchar *distro)
{
	PxfVars *vars = pxf_vars_new();
	GVariantDict dict;

	g_variant_dict_init(&dict, NULL);
	g_variant_dict_insert(&dict, "name", "s", distro);
	pxf_vars_set(vars, "distro", g_variant_dict_end(&dict));
	return vars;
}

static void
test_vars(void)
{
	g_autoptr(PxfNfsConfig) config = config_ok("nfs: {}\n");
	g_autoptr(PxfNfsConfig) pinned = config_ok("nfs:\n  server: nfs.lab.example.org\n");
	g_autoptr(GHashTable) dirs = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GInetAddress) peer_ip = g_inet_address_new_from_string("10.1.0.50");
	g_autoptr(GInetAddress) local_ip = g_inet_address_new_from_string("10.1.0.1");
	g_autoptr(GInetAddress) any_ip = g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) peer = g_inet_socket_address_new(peer_ip, 40000);
	g_autoptr(GSocketAddress) local = g_inet_socket_address_new(local_ip, 80);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(any_ip, 80);
	PxfClient client = {.transport = "http", .address = G_INET_SOCKET_ADDRESS(peer)};

	g_hash_table_insert(dirs, "centos7", "/distros/centos7");

	/* the address the client reached, and its distro's export */
	{
		g_autoptr(PxfVars) vars = vars_for_distro("centos7");
		g_autofree gchar *server = NULL;
		g_autofree gchar *dir = NULL;

		client.local = G_INET_SOCKET_ADDRESS(local);
		pxf_nfs_apply_vars(config, dirs, &client, "192.0.2.1", vars);
		server = var_string(vars, "nfs.server");
		dir = var_string(vars, "nfs.dir");
		g_assert_cmpstr(server, ==, "10.1.0.1");
		g_assert_cmpstr(dir, ==, "/distros/centos7");
	}
	/* the `server` setting wins */
	{
		g_autoptr(PxfVars) vars = vars_for_distro("centos7");
		g_autofree gchar *server = NULL;

		pxf_nfs_apply_vars(pinned, dirs, &client, "192.0.2.1", vars);
		server = var_string(vars, "nfs.server");
		g_assert_cmpstr(server, ==, "nfs.lab.example.org");
	}
	/* a wildcard socket or no request: the fallback */
	{
		g_autoptr(PxfVars) vars = vars_for_distro("centos7");
		g_autoptr(PxfVars) offline = vars_for_distro("centos7");
		g_autofree gchar *server = NULL;
		g_autofree gchar *server2 = NULL;

		client.local = G_INET_SOCKET_ADDRESS(any);
		pxf_nfs_apply_vars(config, dirs, &client, "192.0.2.1", vars);
		server = var_string(vars, "nfs.server");
		g_assert_cmpstr(server, ==, "192.0.2.1");
		pxf_nfs_apply_vars(config, dirs, NULL, "192.0.2.9", offline);
		server2 = var_string(offline, "nfs.server");
		g_assert_cmpstr(server2, ==, "192.0.2.9");
	}
	/* nothing known: nothing invented */
	{
		g_autoptr(PxfVars) vars = vars_for_distro("centos7");
		g_autoptr(GVariant) server = NULL;

		pxf_nfs_apply_vars(config, dirs, NULL, NULL, vars);
		server = pxf_vars_lookup(vars, "nfs.server");
		g_assert_null(server);
	}
	/* a distro that is not exported (URL tree, missing directory): no nfs.dir */
	{
		g_autoptr(PxfVars) vars = vars_for_distro("fedora40");
		g_autoptr(PxfVars) no_distro = pxf_vars_new();
		g_autoptr(GVariant) dir = NULL;
		g_autoptr(GVariant) dir2 = NULL;

		pxf_nfs_apply_vars(config, dirs, NULL, "192.0.2.1", vars);
		dir = pxf_vars_lookup(vars, "nfs.dir");
		g_assert_null(dir);
		pxf_nfs_apply_vars(config, dirs, NULL, "192.0.2.1", no_distro);
		dir2 = pxf_vars_lookup(no_distro, "nfs.dir");
		g_assert_null(dir2);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugins/nfs/config", test_config);
	g_test_add_func("/plugins/nfs/network-of", test_network_of);
	g_test_add_func("/plugins/nfs/tree-dir", test_tree_dir);
	g_test_add_func("/plugins/nfs/name-valid", test_name_valid);
	g_test_add_func("/plugins/nfs/render-ganesha", test_render_ganesha);
	g_test_add_func("/plugins/nfs/render-kernel", test_render_kernel);
	g_test_add_func("/plugins/nfs/ids", test_ids);
	g_test_add_func("/plugins/nfs/write-atomic", test_write_atomic);
	g_test_add_func("/plugins/nfs/pidfile", test_pidfile);
	g_test_add_func("/plugins/nfs/vars", test_vars);
	return g_test_run();
}
