/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-inventory"

#include "pxf-inventory-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxf-template.h"

G_DEFINE_QUARK(pxf_inventory_error_quark, pxf_inventory_error)

struct _PxfInventory {
	GPtrArray *distros;	       /* PxfDistro*, configuration order */
	GPtrArray *profiles;	       /* PxfProfile* */
	GPtrArray *hosts;	       /* PxfHost* */
	GHashTable *distro_by_name;    /* borrowed */
	GHashTable *profile_by_name;   /* borrowed */
	GHashTable *host_by_mac;       /* canonical MAC → borrowed PxfHost* */
	GHashTable *host_by_uuid;      /* lower-case UUID → borrowed */
	GHashTable *host_by_client_id; /* lower-case hex → borrowed */
	GHashTable *host_by_ip;	       /* canonical IPv4 → borrowed */
	PxfConfNode *globals;	       /* MAP or NULL */
};

/* State while validating; the seen_* tables map a normalised value to the
 * node that first defined it, for "first defined at FILE:LINE". */
typedef struct {
	PxfInventory *inv;
	const gchar *config_dir;
	GPtrArray *diags;
	GHashTable *declared_distros;  /* names, valid or not: no cascading errors */
	GHashTable *declared_profiles; /* names */
	GHashTable *seen_mac;
	GHashTable *seen_ip;
	GHashTable *seen_uuid;
	GHashTable *seen_client_id;
	GHashTable *seen_hostname; /* lower case */
	PxfConfNode *anchor;	   /* where a missing key is reported: the entry's name */
} PxfInventoryBuilder;

static const gchar *const pxf_distro_keys[] = {"kernel", "initrd", "tree", "variables", NULL};
static const gchar *const pxf_profile_keys[] = {"distro", "os",		 "template", "variables",
						"loader", "secure_boot", NULL};
static const gchar *const pxf_host_keys[] = {"mac",	    "hostname",	 "ip",	    "uuid",
					     "client_id",   "profile",	 "netboot", "loader",
					     "secure_boot", "variables", NULL};
static const gchar *const pxf_builtin_names[] = {"host", "profile", "distro", NULL};

static void
pxf_distro_free(PxfDistro *distro)
{
	g_free(distro->name);
	g_free(distro->kernel);
	g_free(distro->initrd);
	g_free(distro->tree);
	if (distro->variables != NULL)
		pxf_conf_node_unref(distro->variables);
	g_free(distro->file);
	g_free(distro);
}

static void
pxf_profile_free(PxfProfile *profile)
{
	g_free(profile->name);
	g_free(profile->distro);
	g_free(profile->os);
	g_free(profile->template);
	if (profile->variables != NULL)
		pxf_conf_node_unref(profile->variables);
	pxf_boot_choice_clear(&profile->boot);
	g_free(profile->file);
	g_free(profile);
}

PxfHost *
pxf_host_ref(PxfHost *host)
{
	g_atomic_int_inc(&host->ref_count);
	return host;
}

void
pxf_host_unref(PxfHost *host)
{
	if (host == NULL || !g_atomic_int_dec_and_test(&host->ref_count))
		return;
	g_free(host->mac);
	g_free(host->uuid);
	g_free(host->client_id);
	g_free(host->ip);
	g_free(host->hostname);
	g_free(host->profile);
	if (host->variables != NULL)
		pxf_conf_node_unref(host->variables);
	pxf_boot_choice_clear(&host->boot);
	g_free(host->file);
	g_free(host);
}

/* " (did you mean 'x'?)" or "", worded like the config module's */
static gchar *
pxf_suggestion_text(const gchar *word, const gchar *const *candidates)
{
	const gchar *best = pxf_inventory_suggest(word, candidates);
	if (best == NULL)
		return g_strdup("");
	return g_strdup_printf(" (did you mean '%s'?)", best);
}

static gchar *
pxf_suggestion_text_from_table(const gchar *word, GHashTable *names)
{
	g_autofree const gchar **keys = (const gchar **)g_hash_table_get_keys_as_array(names, NULL);
	return pxf_suggestion_text(word, keys);
}

static void pxf_builder_diag(PxfInventoryBuilder *b,
			     PxfConfNode *node,
			     const gchar *path,
			     const gchar *format,
			     ...) G_GNUC_PRINTF(4, 5);

static void
pxf_builder_diag(
	PxfInventoryBuilder *b, PxfConfNode *node, const gchar *path, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *msg = NULL;

	va_start(args, format);
	msg = g_strdup_vprintf(format, args);
	va_end(args);
	pxf_diags_add(b->diags, FALSE, node != NULL ? node->file : NULL,
		      node != NULL ? node->line : 0, node != NULL ? node->column : 0, path, "%s",
		      msg);
}

static gboolean
pxf_name_is_valid(const gchar *name)
{
	if (name == NULL || name[0] == '\0')
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
			return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_builder_expect_kind(PxfInventoryBuilder *b,
			PxfConfNode *node,
			PxfConfNodeKind kind,
			const gchar *path,
			const gchar *what)
{
	if (node->kind == kind)
		return TRUE;
	pxf_builder_diag(b, node, path, "expected %s, got a %s", what,
			 pxf_conf_node_kind_to_string(node->kind));
	return FALSE;
}

/* The text of a scalar value, or NULL (with a diagnostic when it is not a
 * scalar, or when it is null/empty and required). */
static const gchar *
pxf_builder_get_string(PxfInventoryBuilder *b,
		       PxfConfNode *map,
		       const gchar *key,
		       const gchar *parent_path,
		       gboolean required,
		       PxfConfNode **value_out)
{
	PxfConfNode *value = pxf_conf_node_lookup(map, key, NULL);
	g_autofree gchar *path = g_strdup_printf("%s.%s", parent_path, key);

	if (value_out != NULL)
		*value_out = value;
	if (value == NULL) {
		if (required)
			pxf_builder_diag(b, b->anchor != NULL ? b->anchor : map, parent_path,
					 "missing required key '%s'", key);
		return NULL;
	}
	if (!pxf_builder_expect_kind(b, value, PXF_CONF_NODE_SCALAR, path, "a string"))
		return NULL;
	if (pxf_conf_node_is_null(value)) {
		if (required)
			pxf_builder_diag(b, value, path, "'%s' must not be empty", key);
		return NULL;
	}
	return value->scalar;
}

static void
pxf_builder_check_keys(PxfInventoryBuilder *b,
		       PxfConfNode *map,
		       const gchar *const *allowed,
		       const gchar *parent_path,
		       const gchar *what)
{
	for (guint i = 0; i < map->keys->len; i++) {
		PxfConfNode *key = g_ptr_array_index(map->keys, i);
		g_autofree gchar *hint = NULL;
		g_autofree gchar *path = NULL;

		if (g_strv_contains(allowed, key->scalar))
			continue;
		hint = pxf_suggestion_text(key->scalar, allowed);
		path = g_strdup_printf("%s.%s", parent_path, key->scalar);
		pxf_builder_diag(b, key, path, "unknown key '%s' in %s%s", key->scalar, what, hint);
	}
}

/* "variables:" of any level; returns a new reference to the MAP or NULL. */
static PxfConfNode *
pxf_builder_get_variables(PxfInventoryBuilder *b, PxfConfNode *value, const gchar *path)
{
	if (value == NULL)
		return NULL;
	if (value->kind == PXF_CONF_NODE_SCALAR && pxf_conf_node_is_null(value))
		return NULL;
	if (!pxf_builder_expect_kind(b, value, PXF_CONF_NODE_MAP, path, "a mapping of variables"))
		return NULL;
	for (guint i = 0; i < value->keys->len; i++) {
		PxfConfNode *key = g_ptr_array_index(value->keys, i);
		g_autofree gchar *kpath = g_strdup_printf("%s.%s", path, key->scalar);

		/* templates look dotted names up in dictionaries, and the
		 * built-in dictionaries are set last: either would hide it */
		if (key->scalar[0] == '\0' || strchr(key->scalar, '.') != NULL) {
			pxf_builder_diag(b, key, kpath,
					 "variable name '%s' must be non-empty and contain no "
					 "'.' (dotted names look into dictionaries)",
					 key->scalar);
		} else if (g_strv_contains(pxf_builtin_names, key->scalar)) {
			pxf_builder_diag(b, key, kpath,
					 "'%s' is a built-in variable; choose another name",
					 key->scalar);
		}
	}
	return pxf_conf_node_ref(value);
}

/* A MAP of name → MAP section ("distros", "profiles"); calls func per entry. */
typedef void (*PxfBuilderEntryFunc)(PxfInventoryBuilder *b,
				    const gchar *name,
				    PxfConfNode *entry,
				    const gchar *path);

static void
pxf_builder_foreach_named(PxfInventoryBuilder *b,
			  PxfConfNode *root,
			  const gchar *section,
			  GHashTable *declared,
			  PxfBuilderEntryFunc func)
{
	PxfConfNode *map = pxf_conf_node_lookup(root, section, NULL);
	g_autofree gchar *what = g_strdup_printf("a mapping of %s by name", section);

	if (map == NULL || (map->kind == PXF_CONF_NODE_SCALAR && pxf_conf_node_is_null(map)))
		return;
	if (!pxf_builder_expect_kind(b, map, PXF_CONF_NODE_MAP, section, what))
		return;
	/* declare all names first so that references do not depend on order */
	for (guint i = 0; i < map->keys->len; i++) {
		PxfConfNode *key = g_ptr_array_index(map->keys, i);
		g_hash_table_add(declared, key->scalar);
	}
	for (guint i = 0; i < map->keys->len; i++) {
		PxfConfNode *key = g_ptr_array_index(map->keys, i);
		PxfConfNode *entry = g_ptr_array_index(map->items, i);
		g_autofree gchar *path = g_strdup_printf("%s.%s", section, key->scalar);

		if (!pxf_name_is_valid(key->scalar)) {
			pxf_builder_diag(b, key, path,
					 "invalid name '%s': use letters, digits, '.', '_' "
					 "and '-' only",
					 key->scalar);
			continue;
		}
		if (!pxf_builder_expect_kind(b, entry, PXF_CONF_NODE_MAP, path, "a mapping"))
			continue;
		b->anchor = key;
		func(b, key->scalar, entry, path);
		b->anchor = NULL;
	}
}

static void
pxf_builder_add_distro(PxfInventoryBuilder *b,
		       const gchar *name,
		       PxfConfNode *entry,
		       const gchar *path)
{
	guint errors = pxf_diags_count_errors(b->diags);
	const gchar *kernel;
	const gchar *initrd;
	const gchar *tree;
	g_autofree gchar *vpath = g_strdup_printf("%s.variables", path);
	g_autoptr(PxfConfNode) vars = NULL;
	PxfDistro *distro;

	pxf_builder_check_keys(b, entry, pxf_distro_keys, path, "a distro");
	kernel = pxf_builder_get_string(b, entry, "kernel", path, TRUE, NULL);
	initrd = pxf_builder_get_string(b, entry, "initrd", path, TRUE, NULL);
	tree = pxf_builder_get_string(b, entry, "tree", path, FALSE, NULL);
	vars = pxf_builder_get_variables(b, pxf_conf_node_lookup(entry, "variables", NULL), vpath);
	if (pxf_diags_count_errors(b->diags) != errors)
		return;

	distro = g_new0(PxfDistro, 1);
	distro->name = g_strdup(name);
	distro->kernel = g_strdup(kernel);
	distro->initrd = g_strdup(initrd);
	distro->tree = g_strdup(tree);
	distro->variables = g_steal_pointer(&vars);
	distro->file = g_strdup(entry->file);
	distro->line = entry->line;
	g_ptr_array_add(b->inv->distros, distro);
	g_hash_table_insert(b->inv->distro_by_name, distro->name, distro);
}

/* Resolved against the configuration directory; opened to prove it is
 * readable by us (access() would answer for the real uid, not ours), and
 * compiled with its partials. */
static gchar *
pxf_builder_check_template(PxfInventoryBuilder *b,
			   const gchar *template,
			   PxfConfNode *node,
			   const gchar *path)
{
	g_autofree gchar *resolved = g_canonicalize_filename(template, b->config_dir);
	g_autoptr(GError) error = NULL;
	struct stat st;
	gint fd;

	fd = g_open(resolved, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
	if (fd < 0) {
		gint saved = errno;
		if (saved == ENOENT)
			pxf_builder_diag(b, node, path, "template %s does not exist", resolved);
		else
			pxf_builder_diag(b, node, path, "template %s cannot be read: %s", resolved,
					 g_strerror(saved));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		pxf_builder_diag(b, node, path, "template %s is not a regular file", resolved);
		close(fd);
		return NULL;
	}
	close(fd);
	/* a syntax error or a missing partial is found now, not by the machine
	 * that asks for its answer file and gets a 500 */
	if (!pxf_template_check_file(resolved, b->config_dir, &error)) {
		pxf_builder_diag(b, node, path, "%s", error->message);
		return NULL;
	}
	return g_steal_pointer(&resolved);
}

static void
pxf_builder_add_profile(PxfInventoryBuilder *b,
			const gchar *name,
			PxfConfNode *entry,
			const gchar *path)
{
	guint errors = pxf_diags_count_errors(b->diags);
	PxfConfNode *distro_node = NULL;
	PxfConfNode *os_node = NULL;
	PxfConfNode *template_node = NULL;
	const gchar *distro;
	const gchar *os;
	const gchar *template;
	g_autofree gchar *resolved = NULL;
	g_autofree gchar *vpath = g_strdup_printf("%s.variables", path);
	g_autoptr(PxfConfNode) vars = NULL;
	PxfBootChoice boot;
	PxfProfile *profile;

	pxf_builder_check_keys(b, entry, pxf_profile_keys, path, "a profile");
	distro = pxf_builder_get_string(b, entry, "distro", path, TRUE, &distro_node);
	if (distro != NULL && !g_hash_table_contains(b->declared_distros, distro)) {
		g_autofree gchar *dpath = g_strdup_printf("%s.distro", path);
		g_autofree gchar *hint =
			pxf_suggestion_text_from_table(distro, b->declared_distros);
		pxf_builder_diag(b, distro_node, dpath, "unknown distro '%s'%s", distro, hint);
	}
	os = pxf_builder_get_string(b, entry, "os", path, TRUE, &os_node);
	if (os != NULL && !pxf_name_is_valid(os)) {
		g_autofree gchar *opath = g_strdup_printf("%s.os", path);
		pxf_builder_diag(b, os_node, opath,
				 "invalid OS profile plugin name '%s': use letters, digits, "
				 "'.', '_' and '-' only",
				 os);
	}
	template = pxf_builder_get_string(b, entry, "template", path, TRUE, &template_node);
	if (template != NULL) {
		g_autofree gchar *tpath = g_strdup_printf("%s.template", path);
		resolved = pxf_builder_check_template(b, template, template_node, tpath);
	}
	vars = pxf_builder_get_variables(b, pxf_conf_node_lookup(entry, "variables", NULL), vpath);
	pxf_boot_choice_parse(&boot, entry, path, b->diags);
	if (pxf_diags_count_errors(b->diags) != errors) {
		pxf_boot_choice_clear(&boot);
		return;
	}

	profile = g_new0(PxfProfile, 1);
	profile->name = g_strdup(name);
	profile->distro = g_strdup(distro);
	profile->os = g_strdup(os);
	profile->template = g_steal_pointer(&resolved);
	profile->variables = g_steal_pointer(&vars);
	profile->boot = boot;
	profile->file = g_strdup(entry->file);
	profile->line = entry->line;
	g_ptr_array_add(b->inv->profiles, profile);
	g_hash_table_insert(b->inv->profile_by_name, profile->name, profile);
}

/* Returns FALSE (with a diagnostic naming both places) when key was seen. */
static gboolean
pxf_builder_check_unique(PxfInventoryBuilder *b,
			 GHashTable *seen,
			 const gchar *key,
			 const gchar *shown,
			 const gchar *what,
			 PxfConfNode *node,
			 const gchar *path)
{
	PxfConfNode *first = g_hash_table_lookup(seen, key);
	if (first != NULL) {
		pxf_builder_diag(b, node, path, "duplicate %s %s, first defined at %s:%u", what,
				 shown, first->file != NULL ? first->file : "(unknown)",
				 first->line);
		return FALSE;
	}
	g_hash_table_insert(seen, g_strdup(key), node);
	return TRUE;
}

/* Parses the optional identifier key with normalize(); a diagnostic for a
 * malformed or duplicate value. Returns the normalised value. */
static gchar *
pxf_builder_host_identifier(PxfInventoryBuilder *b,
			    PxfConfNode *entry,
			    const gchar *key,
			    const gchar *host_path,
			    gboolean required,
			    gchar *(*normalize)(const gchar *, GError **),
			    GHashTable *seen,
			    const gchar *what)
{
	PxfConfNode *node = NULL;
	const gchar *text = pxf_builder_get_string(b, entry, key, host_path, required, &node);
	g_autofree gchar *path = g_strdup_printf("%s.%s", host_path, key);
	g_autofree gchar *value = NULL;
	g_autoptr(GError) error = NULL;

	if (text == NULL)
		return NULL;
	value = normalize(text, &error);
	if (value == NULL) {
		pxf_builder_diag(b, node, path, "invalid %s: %s", what, error->message);
		return NULL;
	}
	if (!pxf_builder_check_unique(b, seen, value, value, what, node, path))
		return NULL;
	return g_steal_pointer(&value);
}

static void
pxf_builder_add_host(PxfInventoryBuilder *b, PxfConfNode *entry, guint index)
{
	g_autofree gchar *path = g_strdup_printf("hosts[%u]", index);
	g_autofree gchar *mac = NULL;
	g_autofree gchar *hostname = NULL;
	g_autofree gchar *vpath = NULL;
	g_autoptr(PxfConfNode) vars = NULL;
	PxfConfNode *node = NULL;
	const gchar *text;
	const gchar *profile;
	gboolean netboot = TRUE;
	PxfHost *host;

	if (!pxf_builder_expect_kind(b, entry, PXF_CONF_NODE_MAP, path, "a host mapping"))
		return;
	pxf_builder_check_keys(b, entry, pxf_host_keys, path, "a host");
	mac = pxf_builder_host_identifier(b, entry, "mac", path, TRUE, pxf_mac_normalize,
					  b->seen_mac, "MAC");

	host = g_new0(PxfHost, 1);
	host->ref_count = 1;
	host->ip = pxf_builder_host_identifier(b, entry, "ip", path, FALSE, pxf_ipv4_normalize,
					       b->seen_ip, "IP");
	host->uuid = pxf_builder_host_identifier(b, entry, "uuid", path, FALSE, pxf_uuid_normalize,
						 b->seen_uuid, "UUID");
	host->client_id = pxf_builder_host_identifier(b, entry, "client_id", path, FALSE,
						      pxf_client_id_normalize, b->seen_client_id,
						      "client identifier");

	/* host names compare case-insensitively, as DNS does */
	text = pxf_builder_get_string(b, entry, "hostname", path, FALSE, &node);
	if (text != NULL) {
		g_autofree gchar *hpath = g_strdup_printf("%s.hostname", path);
		g_autoptr(GError) error = NULL;
		if (!pxf_hostname_validate(text, &error)) {
			pxf_builder_diag(b, node, hpath, "invalid hostname: %s", error->message);
		} else {
			g_autofree gchar *folded = g_ascii_strdown(text, -1);
			if (pxf_builder_check_unique(b, b->seen_hostname, folded, text, "hostname",
						     node, hpath))
				hostname = g_strdup(text);
		}
	}

	profile = pxf_builder_get_string(b, entry, "profile", path, FALSE, &node);
	if (profile != NULL && !g_hash_table_contains(b->declared_profiles, profile)) {
		g_autofree gchar *ppath = g_strdup_printf("%s.profile", path);
		g_autofree gchar *hint =
			pxf_suggestion_text_from_table(profile, b->declared_profiles);
		pxf_builder_diag(b, node, ppath, "unknown profile '%s'%s", profile, hint);
	}

	if (!pxf_inventory_get_bool(entry, "netboot", path, b->diags, &netboot, NULL))
		netboot = TRUE;
	pxf_boot_choice_parse(&host->boot, entry, path, b->diags);
	/* profiles are built before hosts; one with errors is not there */
	if (profile != NULL) {
		const PxfProfile *p = g_hash_table_lookup(b->inv->profile_by_name, profile);
		if (p != NULL)
			pxf_boot_choice_inherit(&host->boot, &p->boot);
	}

	vpath = g_strdup_printf("%s.variables", path);
	vars = pxf_builder_get_variables(b, pxf_conf_node_lookup(entry, "variables", NULL), vpath);

	/* without a usable MAC nothing can find the host; the diagnostics
	 * already refuse the configuration */
	if (mac == NULL) {
		pxf_host_unref(host);
		return;
	}
	host->mac = g_steal_pointer(&mac);
	host->hostname = g_steal_pointer(&hostname);
	host->profile = g_strdup(profile);
	host->netboot = netboot;
	host->variables = g_steal_pointer(&vars);
	host->file = g_strdup(entry->file);
	host->line = entry->line;
	g_ptr_array_add(b->inv->hosts, host);
	g_hash_table_insert(b->inv->host_by_mac, host->mac, host);
	if (host->ip != NULL)
		g_hash_table_insert(b->inv->host_by_ip, host->ip, host);
	if (host->uuid != NULL)
		g_hash_table_insert(b->inv->host_by_uuid, host->uuid, host);
	if (host->client_id != NULL)
		g_hash_table_insert(b->inv->host_by_client_id, host->client_id, host);
}

static void
pxf_builder_add_hosts(PxfInventoryBuilder *b, PxfConfNode *root)
{
	PxfConfNode *seq = pxf_conf_node_lookup(root, "hosts", NULL);

	if (seq == NULL || (seq->kind == PXF_CONF_NODE_SCALAR && pxf_conf_node_is_null(seq)))
		return;
	if (!pxf_builder_expect_kind(b, seq, PXF_CONF_NODE_SEQ, "hosts", "a sequence of hosts"))
		return;
	for (guint i = 0; i < seq->items->len; i++)
		pxf_builder_add_host(b, g_ptr_array_index(seq->items, i), i);
}

static PxfInventory *
pxf_inventory_new_empty(void)
{
	PxfInventory *self = g_new0(PxfInventory, 1);
	self->distros = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_distro_free);
	self->profiles = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_profile_free);
	self->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_host_unref);
	self->distro_by_name = g_hash_table_new(g_str_hash, g_str_equal);
	self->profile_by_name = g_hash_table_new(g_str_hash, g_str_equal);
	self->host_by_mac = g_hash_table_new(g_str_hash, g_str_equal);
	self->host_by_uuid = g_hash_table_new(g_str_hash, g_str_equal);
	self->host_by_client_id = g_hash_table_new(g_str_hash, g_str_equal);
	self->host_by_ip = g_hash_table_new(g_str_hash, g_str_equal);
	return self;
}

PxfInventory *
pxf_inventory_new_from_config(PxfConfNode *root, const gchar *config_dir, GPtrArray *diags)
{
	PxfInventory *self = pxf_inventory_new_empty();
	/* templates are stored as absolute paths, and g_canonicalize_filename()
	 * needs an absolute base: `--config etc` is relative to the cwd */
	g_autofree gchar *abs_dir =
		config_dir != NULL ? g_canonicalize_filename(config_dir, NULL) : NULL;
	PxfInventoryBuilder b = {
		.inv = self,
		.config_dir = abs_dir,
		.diags = diags,
	};

	if (root == NULL)
		return self;
	if (root->kind != PXF_CONF_NODE_MAP) {
		pxf_diags_add(diags, FALSE, root->file, root->line, root->column, NULL,
			      "expected a mapping at the top level, got a %s",
			      pxf_conf_node_kind_to_string(root->kind));
		return self;
	}
	b.declared_distros = g_hash_table_new(g_str_hash, g_str_equal);
	b.declared_profiles = g_hash_table_new(g_str_hash, g_str_equal);
	b.seen_mac = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	b.seen_ip = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	b.seen_uuid = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	b.seen_client_id = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	b.seen_hostname = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	self->globals = pxf_builder_get_variables(&b, pxf_conf_node_lookup(root, "variables", NULL),
						  "variables");
	pxf_builder_foreach_named(&b, root, "distros", b.declared_distros, pxf_builder_add_distro);
	pxf_builder_foreach_named(&b, root, "profiles", b.declared_profiles,
				  pxf_builder_add_profile);
	pxf_builder_add_hosts(&b, root);

	g_hash_table_unref(b.declared_distros);
	g_hash_table_unref(b.declared_profiles);
	g_hash_table_unref(b.seen_mac);
	g_hash_table_unref(b.seen_ip);
	g_hash_table_unref(b.seen_uuid);
	g_hash_table_unref(b.seen_client_id);
	g_hash_table_unref(b.seen_hostname);
	return self;
}

void
pxf_inventory_free(PxfInventory *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->distro_by_name);
	g_hash_table_unref(self->profile_by_name);
	g_hash_table_unref(self->host_by_mac);
	g_hash_table_unref(self->host_by_uuid);
	g_hash_table_unref(self->host_by_client_id);
	g_hash_table_unref(self->host_by_ip);
	g_ptr_array_unref(self->hosts);
	g_ptr_array_unref(self->profiles);
	g_ptr_array_unref(self->distros);
	if (self->globals != NULL)
		pxf_conf_node_unref(self->globals);
	g_free(self);
}

const PxfHost *
pxf_inventory_lookup_mac(PxfInventory *self, const gchar *mac)
{
	g_autofree gchar *canonical = NULL;

	g_return_val_if_fail(self != NULL, NULL);
	if (mac == NULL)
		return NULL;
	canonical = pxf_mac_normalize(mac, NULL);
	if (canonical == NULL)
		return NULL;
	return g_hash_table_lookup(self->host_by_mac, canonical);
}

const PxfHost *
pxf_inventory_lookup_uuid(PxfInventory *self, const gchar *uuid)
{
	g_autofree gchar *canonical = NULL;

	g_return_val_if_fail(self != NULL, NULL);
	if (uuid == NULL)
		return NULL;
	canonical = pxf_uuid_normalize(uuid, NULL);
	if (canonical == NULL)
		return NULL;
	return g_hash_table_lookup(self->host_by_uuid, canonical);
}

const PxfHost *
pxf_inventory_lookup_client_id(PxfInventory *self, const gchar *client_id)
{
	g_autofree gchar *canonical = NULL;

	g_return_val_if_fail(self != NULL, NULL);
	if (client_id == NULL)
		return NULL;
	canonical = pxf_client_id_normalize(client_id, NULL);
	if (canonical == NULL)
		return NULL;
	return g_hash_table_lookup(self->host_by_client_id, canonical);
}

const PxfHost *
pxf_inventory_lookup_ip(PxfInventory *self, const gchar *ip)
{
	g_autofree gchar *canonical = NULL;

	g_return_val_if_fail(self != NULL, NULL);
	if (ip == NULL)
		return NULL;
	canonical = pxf_ipv4_normalize(ip, NULL);
	if (canonical == NULL)
		return NULL;
	return g_hash_table_lookup(self->host_by_ip, canonical);
}

const PxfProfile *
pxf_inventory_get_profile(PxfInventory *self, const gchar *name)
{
	g_return_val_if_fail(self != NULL, NULL);
	if (name == NULL)
		return NULL;
	return g_hash_table_lookup(self->profile_by_name, name);
}

const PxfDistro *
pxf_inventory_get_distro(PxfInventory *self, const gchar *name)
{
	g_return_val_if_fail(self != NULL, NULL);
	if (name == NULL)
		return NULL;
	return g_hash_table_lookup(self->distro_by_name, name);
}

GPtrArray *
pxf_inventory_get_hosts(PxfInventory *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->hosts;
}

GPtrArray *
pxf_inventory_get_profiles(PxfInventory *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->profiles;
}

GPtrArray *
pxf_inventory_get_distros(PxfInventory *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->distros;
}

static void
pxf_vars_add_map(PxfVars *vars, PxfConfNode *map, const gchar *origin)
{
	if (map == NULL || map->kind != PXF_CONF_NODE_MAP)
		return;
	for (guint i = 0; i < map->keys->len; i++) {
		PxfConfNode *key = g_ptr_array_index(map->keys, i);
		PxfConfNode *value = g_ptr_array_index(map->items, i);
		/* `name: ~` undoes what a wider scope (or an earlier file) set */
		if (pxf_conf_node_is_null(value)) {
			pxf_vars_unset(vars, key->scalar);
			continue;
		}
		pxf_vars_set_with_origin(vars, key->scalar, pxf_conf_node_to_variant(value),
					 origin);
	}
}

static void
pxf_dict_add_string(GVariantBuilder *builder, const gchar *key, const gchar *value)
{
	/* unset values are left out so that {{#host.ip}} sections test them */
	if (value != NULL)
		g_variant_builder_add(builder, "{sv}", key, g_variant_new_string(value));
}

PxfVars *
pxf_inventory_resolve_vars(PxfInventory *self, const PxfHost *host)
{
	PxfVars *vars;
	const PxfProfile *profile = NULL;
	const PxfDistro *distro = NULL;
	g_autofree gchar *host_origin = NULL;
	g_autofree gchar *mac_dashes = NULL;
	GVariantBuilder builder;

	g_return_val_if_fail(self != NULL, NULL);

	vars = pxf_vars_new();
	pxf_vars_add_map(vars, self->globals, "globals");
	if (host == NULL)
		return vars;

	profile = pxf_inventory_get_profile(self, host->profile);
	if (profile != NULL)
		distro = pxf_inventory_get_distro(self, profile->distro);
	if (distro != NULL) {
		g_autofree gchar *origin = g_strdup_printf("distro %s", distro->name);
		pxf_vars_add_map(vars, distro->variables, origin);
	}
	if (profile != NULL) {
		g_autofree gchar *origin = g_strdup_printf("profile %s", profile->name);
		pxf_vars_add_map(vars, profile->variables, origin);
	}
	host_origin = g_strdup_printf("host %s", host->mac);
	pxf_vars_add_map(vars, host->variables, host_origin);

	mac_dashes = pxf_mac_to_dashes(host->mac);
	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	pxf_dict_add_string(&builder, "mac", host->mac);
	pxf_dict_add_string(&builder, "mac_dashes", mac_dashes);
	pxf_dict_add_string(&builder, "hostname", host->hostname);
	pxf_dict_add_string(&builder, "ip", host->ip);
	pxf_dict_add_string(&builder, "uuid", host->uuid);
	pxf_dict_add_string(&builder, "client_id", host->client_id);
	pxf_dict_add_string(&builder, "profile", host->profile);
	pxf_vars_set_with_origin(vars, "host", g_variant_builder_end(&builder), "built-in");

	if (profile != NULL) {
		g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
		pxf_dict_add_string(&builder, "name", profile->name);
		pxf_dict_add_string(&builder, "os", profile->os);
		pxf_dict_add_string(&builder, "template", profile->template);
		pxf_vars_set_with_origin(vars, "profile", g_variant_builder_end(&builder),
					 "built-in");
	}
	if (distro != NULL) {
		g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
		pxf_dict_add_string(&builder, "name", distro->name);
		pxf_dict_add_string(&builder, "kernel", distro->kernel);
		pxf_dict_add_string(&builder, "initrd", distro->initrd);
		pxf_dict_add_string(&builder, "tree", distro->tree);
		pxf_vars_set_with_origin(vars, "distro", g_variant_builder_end(&builder),
					 "built-in");
	}
	return vars;
}

/* SDK accessors: plugins only see PxfHost through these. */

const gchar *
pxf_host_get_mac(const PxfHost *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->mac;
}

const gchar *
pxf_host_get_hostname(const PxfHost *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->hostname;
}

const gchar *
pxf_host_get_ip(const PxfHost *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->ip;
}

const gchar *
pxf_host_get_uuid(const PxfHost *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->uuid;
}

const gchar *
pxf_host_get_client_id(const PxfHost *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->client_id;
}

const gchar *
pxf_host_get_profile(const PxfHost *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->profile;
}

gboolean
pxf_host_get_netboot(const PxfHost *self)
{
	g_return_val_if_fail(self != NULL, FALSE);
	return self->netboot;
}
