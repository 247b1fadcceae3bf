/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The nfs plugin's settings, checked once so that rendering never meets a
 * value the server's config syntax cannot hold. */
#define G_LOG_DOMAIN "pxf-nfs"

#include <string.h>

#include "pxf-nfs.h"

G_DEFINE_QUARK(pxf - nfs - error - quark, pxf_nfs_error)

const PxfConfKey pxf_nfs_config_keys[] = {
	{.key = "backend",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "ganesha",
	 .description = "the NFS server driven: ganesha (NFS-Ganesha) or kernel (exports.d and "
			"exportfs)"},
	{.key = "clients",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "networks (CIDR) or addresses allowed to mount, read-only; empty: the "
			"networks of the daemon's interfaces"},
	{.key = "server",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "the address templates see as {{nfs.server}}; default: the address the "
			"client reached"},
	{.key = "pseudo_root",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/distros",
	 .description = "Ganesha: distros are exported as PSEUDO_ROOT/<distro>"},
	{.key = "ganesha_config",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "Ganesha: the export file written, %include'd by ganesha.conf; "
			"default: " PXF_NFS_GANESHA_FILE " in the plugin's state directory"},
	{.key = "ganesha_reload",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "path-unit",
	 .description = "Ganesha: path-unit (write the file only; systemd's "
			"pxeforge-nfs-reload.path reloads nfs-ganesha.service) or sighup (signal "
			"the ganesha.nfsd of ganesha_pidfile)"},
	{.key = "ganesha_pidfile",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/run/ganesha/ganesha.pid",
	 .description = "Ganesha, ganesha_reload: sighup: the pidfile of the ganesha.nfsd sent "
			"SIGHUP to reload"},
	{.key = "exports_file",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/etc/exports.d/pxeforge.exports",
	 .description = "kernel: the exports(5) file written"},
	{.key = "reload_command",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "run after the file changed, instead of the default (Ganesha: "
			"ganesha_reload; kernel: exportfs -ra); empty: nothing"},
	{.key = "squash",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "root_squash",
	 .description = "root_squash, all_squash or no_root_squash"},
	{.key = "protocols",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "Ganesha: NFS versions of the exports (3, 4); empty: the server's"},
	{.key = "first_export_id",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "1000",
	 .min = 1,
	 .max = PXF_NFS_EXPORT_ID_MAX,
	 .description = "the lowest Export_Id (kernel: fsid) given to a distro"},
	{.key = "check_interval",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "10",
	 .min = 0,
	 .max = 3600,
	 .description = "seconds between checks that the file matches the inventory; 0: only "
			"when the plugin starts"},
	PXF_CONF_KEY_END,
};

void
pxf_nfs_config_free(PxfNfsConfig *self)
{
	if (self == NULL)
		return;
	g_strfreev(self->clients);
	g_free(self->server);
	g_free(self->pseudo_root);
	g_free(self->file);
	g_free(self->pidfile);
	g_strfreev(self->reload_argv);
	g_free(self);
}

static gboolean pxf_nfs_config_fail(const PxfConfSection *section,
				    const gchar *key,
				    GError **error,
				    const gchar *format,
				    ...) G_GNUC_PRINTF(4, 5);

static gboolean
pxf_nfs_config_fail(
	const PxfConfSection *section, const gchar *key, GError **error, const gchar *format, ...)
{
	g_autofree gchar *where = pxf_conf_section_where(section, key);
	g_autofree gchar *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, PXF_NFS_ERROR, PXF_NFS_ERROR_INVALID, "%s: %s: %s", where, key, message);
	return FALSE;
}

gchar *
pxf_nfs_network_of(GInetAddress *address, guint prefix)
{
	guint8 bytes[16];
	gsize len = g_inet_address_get_native_size(address);
	g_autoptr(GInetAddress) network = NULL;
	g_autofree gchar *text = NULL;

	if (len > sizeof(bytes) || prefix > len * 8)
		return NULL;
	memcpy(bytes, g_inet_address_to_bytes(address), len);
	/* clear the host bits: Ganesha and exportfs want the network itself */
	for (gsize i = 0; i < len; i++) {
		guint keep = prefix > i * 8 ? MIN(prefix - i * 8, 8) : 0;
		bytes[i] &= (guint8)(0xff00u >> keep);
	}
	network = g_inet_address_new_from_bytes(bytes, g_inet_address_get_family(address));
	text = g_inet_address_to_string(network);
	return g_strdup_printf("%s/%u", text, prefix);
}

/* An address or network; stored as GInetAddressMask prints it (the network
 * alone for a single address). */
static gchar *
pxf_nfs_parse_client(const gchar *text, GError **error)
{
	g_autoptr(GInetAddressMask) mask = g_inet_address_mask_new_from_string(text, error);
	if (mask == NULL)
		return NULL;
	return g_inet_address_mask_to_string(mask);
}

/* An absolute path the plugin may write, not a directory. */
static gboolean
pxf_nfs_check_file(const PxfConfSection *section, const gchar *key, GError **error)
{
	const gchar *path = pxf_conf_section_get_string(section, key);

	if (path == NULL || !g_path_is_absolute(path) || g_str_has_suffix(path, "/"))
		return pxf_nfs_config_fail(section, key, error, "'%s' is not an absolute file name",
					   path != NULL ? path : "");
	return TRUE;
}

static gboolean
pxf_nfs_parse_pseudo_root(PxfNfsConfig *self, const PxfConfSection *section, GError **error)
{
	const gchar *root = pxf_conf_section_get_string(section, "pseudo_root");
	gsize len;

	if (root == NULL || root[0] != '/' || strstr(root, "//") != NULL ||
	    strstr(root, "/.") != NULL)
		return pxf_nfs_config_fail(section, "pseudo_root", error,
					   "'%s' is not an absolute path without . or .. parts",
					   root != NULL ? root : "");
	for (const gchar *p = root; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && strchr("/._-", *p) == NULL)
			return pxf_nfs_config_fail(section, "pseudo_root", error,
						   "'%s' has a character other than letters, "
						   "digits, '/', '.', '_' and '-'",
						   root);
	}
	len = strlen(root);
	while (len > 0 && root[len - 1] == '/')
		len--;
	self->pseudo_root = g_strndup(root, len);
	return TRUE;
}

static gboolean
pxf_nfs_parse_protocols(PxfNfsConfig *self, const PxfConfSection *section, GError **error)
{
	const gchar *const *protocols = pxf_conf_section_get_strv(section, "protocols");

	for (guint i = 0; protocols[i] != NULL; i++) {
		if (g_strcmp0(protocols[i], "3") == 0)
			self->nfs3 = TRUE;
		else if (g_strcmp0(protocols[i], "4") == 0)
			self->nfs4 = TRUE;
		else
			return pxf_nfs_config_fail(section, "protocols", error,
						   "'%s' is not 3 or 4", protocols[i]);
	}
	return TRUE;
}

static gboolean
pxf_nfs_parse_reload(PxfNfsConfig *self, const PxfConfSection *section, GError **error)
{
	const gchar *command = pxf_conf_section_get_string(section, "reload_command");
	g_autofree gchar *stripped = g_strstrip(g_strdup(command != NULL ? command : ""));
	g_autoptr(GError) error_local = NULL;

	if (command == NULL) {
		/* Ganesha: ganesha_reload, no command */
		if (self->backend == PXF_NFS_BACKEND_KERNEL)
			self->reload_argv = g_strsplit("exportfs -ra", " ", -1);
		return TRUE;
	}
	if (stripped[0] == '\0') {
		self->reload_argv = g_new0(gchar *, 1);
		return TRUE;
	}
	/* run without a shell; quoting as in sh */
	if (!g_shell_parse_argv(command, NULL, &self->reload_argv, &error_local))
		return pxf_nfs_config_fail(section, "reload_command", error, "%s",
					   error_local->message);
	return TRUE;
}

static gboolean
pxf_nfs_parse_clients(PxfNfsConfig *self, const PxfConfSection *section, GError **error)
{
	const gchar *const *clients = pxf_conf_section_get_strv(section, "clients");
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; clients[i] != NULL; i++) {
		g_autoptr(GError) error_local = NULL;
		gchar *network = pxf_nfs_parse_client(clients[i], &error_local);
		if (network == NULL)
			return pxf_nfs_config_fail(section, "clients", error,
						   "'%s' is not an address or a network: %s",
						   clients[i], error_local->message);
		g_ptr_array_add(out, network);
	}
	g_ptr_array_add(out, NULL);
	self->clients = (gchar **)g_ptr_array_steal(out, NULL);
	return TRUE;
}

/* The index in names of the key's value; -1, with an error listing the
 * names, for any other value. */
static gint
pxf_nfs_config_choice(const PxfConfSection *section,
		      const gchar *key,
		      const gchar *const *names,
		      GError **error)
{
	const gchar *value = pxf_conf_section_get_string(section, key);
	g_autoptr(GString) choices = g_string_new(NULL);

	for (guint i = 0; names[i] != NULL; i++) {
		if (g_strcmp0(value, names[i]) == 0)
			return (gint)i;
		if (i > 0)
			g_string_append(choices, names[i + 1] != NULL ? ", " : " or ");
		g_string_append(choices, names[i]);
	}
	pxf_nfs_config_fail(section, key, error, "'%s' is not %s", value != NULL ? value : "",
			    choices->str);
	return -1;
}

PxfNfsConfig *
pxf_nfs_config_new(const PxfConfSection *section, GError **error)
{
	g_autoptr(PxfNfsConfig) self = g_new0(PxfNfsConfig, 1);
	static const gchar *const backends[] = {"ganesha", "kernel", NULL};
	static const gchar *const squashes[] = {"root_squash", "all_squash", "no_root_squash",
						NULL};
	static const gchar *const reloads[] = {"path-unit", "sighup", NULL};
	const gchar *server = pxf_conf_section_get_string(section, "server");
	const gchar *file_key;
	gint backend, squash, reload;

	/* the enums follow the order of the names */
	backend = pxf_nfs_config_choice(section, "backend", backends, error);
	if (backend < 0)
		return NULL;
	self->backend = (PxfNfsBackend)backend;
	file_key = self->backend == PXF_NFS_BACKEND_GANESHA ? "ganesha_config" : "exports_file";
	squash = pxf_nfs_config_choice(section, "squash", squashes, error);
	if (squash < 0)
		return NULL;
	self->squash = (PxfNfsSquash)squash;
	if (server != NULL && server[0] != '\0') {
		/* it lands in kickstart lines and kernel arguments: one plain token */
		for (const gchar *p = server; *p != '\0'; p++) {
			if (!g_ascii_isalnum(*p) && strchr(".:-[]", *p) == NULL) {
				pxf_nfs_config_fail(section, "server", error,
						    "'%s' is not an address or a host name",
						    server);
				return NULL;
			}
		}
		self->server = g_strdup(server);
	}
	reload = pxf_nfs_config_choice(section, "ganesha_reload", reloads, error);
	if (reload < 0)
		return NULL;
	self->ganesha_reload = (PxfNfsGaneshaReload)reload;
	/* an unset ganesha_config is the plugin's state directory's file, which
	 * the plugin learns when it starts (pxf_nfs_config_set_state_dir) */
	if ((self->backend == PXF_NFS_BACKEND_KERNEL ||
	     pxf_conf_section_get_string(section, file_key) != NULL) &&
	    !pxf_nfs_check_file(section, file_key, error))
		return NULL;
	if (!pxf_nfs_check_file(section, "ganesha_pidfile", error))
		return NULL;
	self->file = g_strdup(pxf_conf_section_get_string(section, file_key));
	self->pidfile = g_strdup(pxf_conf_section_get_string(section, "ganesha_pidfile"));
	if (!pxf_nfs_parse_pseudo_root(self, section, error) ||
	    !pxf_nfs_parse_protocols(self, section, error) ||
	    !pxf_nfs_parse_reload(self, section, error) ||
	    !pxf_nfs_parse_clients(self, section, error))
		return NULL;
	/* the schema's min/max have checked the ranges */
	self->first_export_id = (guint)pxf_conf_section_get_int(section, "first_export_id");
	self->check_interval = (guint)pxf_conf_section_get_int(section, "check_interval");
	return g_steal_pointer(&self);
}

void
pxf_nfs_config_set_state_dir(PxfNfsConfig *self, const gchar *state_dir)
{
	if (self->file == NULL)
		self->file = g_build_filename(state_dir, PXF_NFS_GANESHA_FILE, NULL);
}
