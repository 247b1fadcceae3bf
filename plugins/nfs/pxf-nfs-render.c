/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The export file: NFS-Ganesha EXPORT blocks (FSAL VFS) or exports(5)
 * lines, read-only for the configured clients, and what templates see. */
#define G_LOG_DOMAIN "pxf-nfs"

#include <string.h>

#include "pxf-nfs.h"

#define PXF_NFS_NAME_MAX 64

PxfNfsExport *
pxf_nfs_export_new(const gchar *name, const gchar *path)
{
	PxfNfsExport *self = g_new0(PxfNfsExport, 1);
	self->name = g_strdup(name);
	self->path = g_strdup(path);
	return self;
}

void
pxf_nfs_export_free(PxfNfsExport *self)
{
	if (self == NULL)
		return;
	g_free(self->name);
	g_free(self->path);
	g_free(self);
}

gboolean
pxf_nfs_name_valid(const gchar *name)
{
	gsize len;

	if (name == NULL || name[0] == '\0' || name[0] == '.')
		return FALSE;
	len = strlen(name);
	if (len > PXF_NFS_NAME_MAX)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(name[i]) && strchr("._-", name[i]) == NULL)
			return FALSE;
	}
	return TRUE;
}

gchar *
pxf_nfs_tree_dir(const gchar *tree, GError **error)
{
	g_autofree gchar *canonical = NULL;

	if (tree == NULL)
		return NULL;
	if (g_str_has_prefix(tree, "file://"))
		tree += strlen("file://");
	if (tree[0] != '/')
		return NULL;
	/* both syntaxes quote with '"'; neither has an escape this could rely on */
	for (const gchar *p = tree; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\' || g_ascii_iscntrl(*p)) {
			g_set_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID,
				    "tree '%s' has a quote, a backslash or a control character",
				    tree);
			return NULL;
		}
	}
	if (!g_utf8_validate(tree, -1, NULL)) {
		g_set_error_literal(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID,
				    "tree is not valid UTF-8");
		return NULL;
	}
	canonical = g_canonicalize_filename(tree, "/");
	if (g_strcmp0(canonical, "/") == 0) {
		g_set_error_literal(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID,
				    "refusing to export the root directory");
		return NULL;
	}
	return g_steal_pointer(&canonical);
}

gchar *
pxf_nfs_export_dir(const PxfNfsConfig *config, const PxfNfsExport *e)
{
	if (config->backend == PXF_NFS_BACKEND_GANESHA)
		return g_strdup_printf("%s/%s", config->pseudo_root, e->name);
	return g_strdup(e->path);
}

static gint
pxf_nfs_export_cmp(gconstpointer a, gconstpointer b)
{
	const PxfNfsExport *ea = *(const PxfNfsExport *const *)a;
	const PxfNfsExport *eb = *(const PxfNfsExport *const *)b;
	return g_strcmp0(ea->name, eb->name);
}

static const gchar *
pxf_nfs_ganesha_squash(PxfNfsSquash squash)
{
	switch (squash) {
	case PXF_NFS_SQUASH_ALL:
		return "All_Squash";
	case PXF_NFS_SQUASH_NONE:
		return "No_Root_Squash";
	case PXF_NFS_SQUASH_ROOT:
	default:
		return "Root_Squash";
	}
}

static const gchar *
pxf_nfs_kernel_squash(PxfNfsSquash squash)
{
	switch (squash) {
	case PXF_NFS_SQUASH_ALL:
		return "all_squash";
	case PXF_NFS_SQUASH_NONE:
		return "no_root_squash";
	case PXF_NFS_SQUASH_ROOT:
	default:
		return "root_squash";
	}
}

static gchar *
pxf_nfs_ganesha_protocols(const PxfNfsConfig *config)
{
	if (config->nfs3 && config->nfs4)
		return g_strdup("3, 4");
	if (config->nfs3)
		return g_strdup("3");
	if (config->nfs4)
		return g_strdup("4");
	return NULL;
}

static void
pxf_nfs_render_ganesha_export(GString *out,
			      const PxfNfsConfig *config,
			      const PxfNfsExport *e,
			      const gchar *clients)
{
	g_autofree gchar *protocols = pxf_nfs_ganesha_protocols(config);
	g_autofree gchar *pseudo = pxf_nfs_export_dir(config, e);

	g_string_append_printf(out, "\n# distro %s\nEXPORT {\n", e->name);
	g_string_append_printf(out, "\tExport_Id = %u;\n", e->id);
	g_string_append_printf(out, "\tPath = \"%s\";\n", e->path);
	g_string_append_printf(out, "\tPseudo = \"%s\";\n", pseudo);
	if (protocols != NULL)
		g_string_append_printf(out, "\tProtocols = %s;\n", protocols);
	/* nobody but the CLIENT block below, and it only reads */
	g_string_append(out, "\tAccess_Type = None;\n");
	g_string_append_printf(out, "\tSquash = %s;\n", pxf_nfs_ganesha_squash(config->squash));
	g_string_append(out, "\tSecType = sys;\n");
	g_string_append(out, "\tFSAL {\n\t\tName = VFS;\n\t}\n");
	g_string_append_printf(out, "\tCLIENT {\n\t\tClients = %s;\n\t\tAccess_Type = RO;\n",
			       clients);
	/* without it, Ganesha warns on every load that CLIENT asks for a
	 * version NFS_CORE_PARAM does not enable */
	if (protocols != NULL)
		g_string_append_printf(out, "\t\tProtocols = %s;\n", protocols);
	g_string_append(out, "\t}\n}\n");
}

static void
pxf_nfs_render_kernel_export(GString *out,
			     const PxfNfsConfig *config,
			     const PxfNfsExport *e,
			     const gchar *const *clients)
{
	g_string_append_printf(out, "\n# distro %s\n\"%s\"", e->name, e->path);
	/* fsid: trees on loop-mounted ISOs have no UUID for the kernel to use */
	for (guint i = 0; clients[i] != NULL; i++)
		g_string_append_printf(out, " %s(ro,%s,no_subtree_check,sec=sys,fsid=%u)",
				       clients[i], pxf_nfs_kernel_squash(config->squash), e->id);
	g_string_append_c(out, '\n');
}

gchar *
pxf_nfs_render(const PxfNfsConfig *config, GPtrArray *exports, const gchar *const *clients)
{
	GString *out;
	g_autoptr(GPtrArray) sorted = g_ptr_array_new();
	g_autofree gchar *client_list = NULL;

	/* a default ganesha_config is set by pxf_nfs_config_set_state_dir() */
	g_return_val_if_fail(config->file != NULL, NULL);
	out = g_string_new(NULL);

	for (guint i = 0; i < exports->len; i++)
		g_ptr_array_add(sorted, g_ptr_array_index(exports, i));
	g_ptr_array_sort(sorted, pxf_nfs_export_cmp);
	client_list = g_strjoinv(", ", (gchar **)clients);

	/* no timestamp: equal inputs must give equal bytes */
	g_string_append(out, "# Written by pxeforged's nfs plugin from the inventory's distros.\n"
			     "# Do not edit: pxeforged rewrites it when the distros change.\n");
	if (config->backend == PXF_NFS_BACKEND_GANESHA)
		g_string_append_printf(out,
				       "# ganesha.conf includes it with:\n"
				       "#   %%include \"%s\"\n",
				       config->file);
	if (clients[0] == NULL) {
		g_string_append(out, "\n# No clients (the nfs plugin's `clients`, or networks on "
				     "the daemon's interfaces): nothing is exported.\n");
		return g_string_free(out, FALSE);
	}
	if (sorted->len == 0)
		g_string_append(out, "\n# No distro has a local tree to export.\n");
	for (guint i = 0; i < sorted->len; i++) {
		const PxfNfsExport *e = g_ptr_array_index(sorted, i);
		if (config->backend == PXF_NFS_BACKEND_GANESHA)
			pxf_nfs_render_ganesha_export(out, config, e, client_list);
		else
			pxf_nfs_render_kernel_export(out, config, e, clients);
	}
	return g_string_free(out, FALSE);
}

/* A non-empty string variable, or NULL. */
static gchar *
pxf_nfs_var_string(PxfVars *vars, const gchar *name)
{
	g_autoptr(GVariant) value = pxf_vars_lookup(vars, name);

	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return NULL;
	if (g_variant_get_string(value, NULL)[0] == '\0')
		return NULL;
	return g_variant_dup_string(value, NULL);
}

void
pxf_nfs_apply_vars(const PxfNfsConfig *config,
		   GHashTable *dirs,
		   const PxfClient *client,
		   const gchar *fallback_server,
		   PxfVars *vars)
{
	g_autofree gchar *server = g_strdup(config->server);
	g_autofree gchar *distro = pxf_nfs_var_string(vars, "distro.name");
	const gchar *dir = distro != NULL ? g_hash_table_lookup(dirs, distro) : NULL;

	/* Ganesha answers on this machine: the address the client used to reach
	 * pxeforged reaches it too */
	if (server == NULL && client != NULL && client->local != NULL) {
		GInetAddress *local = g_inet_socket_address_get_address(client->local);
		if (!g_inet_address_get_is_any(local))
			server = g_inet_address_to_string(local);
	}
	if (server == NULL)
		server = g_strdup(fallback_server);
	if (server != NULL)
		pxf_vars_set_string(vars, "nfs.server", server);
	if (dir != NULL)
		pxf_vars_set_string(vars, "nfs.dir", dir);
}
