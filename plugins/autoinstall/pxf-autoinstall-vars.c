/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What an autoinstall user-data sees beyond the inventory, where its
 * NoCloud seed lives, and the kernel line that makes subiquity use it. */
#define G_LOG_DOMAIN "pxf-autoinstall"

#include <string.h>

#include "pxf-autoinstall.h"

G_DEFINE_QUARK(pxf - autoinstall - error - quark, pxf_autoinstall_error)

/* The values are YAML-quoted by template.vars; the instance id changes with
 * the host, which is all a live installer's cloud-init needs. */
const gchar pxf_autoinstall_meta_data_template[] =
	"instance-id: \"iid-pxeforge-{{host.mac_dashes}}\"\n"
	"local-hostname: {{autoinstall.hostname}}\n";

const PxfConfKey pxf_autoinstall_config_keys[] = {
	{.key = "rootpw_rounds",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = G_STRINGIFY(PXF_OSPROFILE_ROUNDS_DEFAULT),
	 .min = PXF_OSPROFILE_ROUNDS_MIN,
	 .max = PXF_OSPROFILE_ROUNDS_MAX,
	 .description = "SHA-512 crypt rounds when hashing the variables password and rootpw"},
	{.key = "meta_data_template",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "",
	 .description = "template of ai/<mac>/meta-data, an absolute path; empty: the built-in "
			"one (instance-id and local-hostname)"},
	{.key = "datasource",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "nocloud-net",
	 .description = "cloud-init datasource on the kernel line: nocloud-net (Ubuntu 20.04 "
			"and later) or nocloud (cloud-init 23.1 and later)"},
	{.key = "any_address",
	 .type = PXF_CONF_TYPE_BOOL,
	 .default_value = "false",
	 .description = "UNSAFE: serve ai/<mac>/ to any address, not only the host's own; the "
			"user-data holds the install token and the password hash"},
	PXF_CONF_KEY_END,
};

void
pxf_autoinstall_config_free(PxfAutoinstallConfig *self)
{
	if (self == NULL)
		return;
	g_free(self->meta_data_template);
	g_free(self->datasource);
	g_free(self);
}

PxfAutoinstallConfig *
pxf_autoinstall_config_new(const PxfConfSection *section, GError **error)
{
	g_autoptr(PxfAutoinstallConfig) self = g_new0(PxfAutoinstallConfig, 1);
	const gchar *meta = pxf_conf_section_get_string(section, "meta_data_template");
	const gchar *datasource = pxf_conf_section_get_string(section, "datasource");

	/* the schema's min/max have checked the range */
	self->rounds = (guint)pxf_conf_section_get_int(section, "rootpw_rounds");
	self->any_address = pxf_conf_section_get_bool(section, "any_address");
	if (meta != NULL && meta[0] != '\0' &&
	    (!g_path_is_absolute(meta) || !g_file_test(meta, G_FILE_TEST_IS_REGULAR))) {
		g_autofree gchar *where = pxf_conf_section_where(section, "meta_data_template");
		g_set_error(error, PXF_AUTOINSTALL_ERROR, PXF_AUTOINSTALL_ERROR_INVALID,
			    "%s: meta_data_template '%s' is not an absolute path to a file", where,
			    meta != NULL ? meta : "");
		return NULL;
	}
	if (g_strcmp0(datasource, "nocloud-net") != 0 && g_strcmp0(datasource, "nocloud") != 0) {
		g_autofree gchar *where = pxf_conf_section_where(section, "datasource");
		g_set_error(error, PXF_AUTOINSTALL_ERROR, PXF_AUTOINSTALL_ERROR_INVALID,
			    "%s: datasource '%s' is not nocloud-net or nocloud", where,
			    datasource != NULL ? datasource : "");
		return NULL;
	}
	self->meta_data_template = meta != NULL && meta[0] != '\0' ? g_strdup(meta) : NULL;
	self->datasource = g_strdup(datasource);
	return g_steal_pointer(&self);
}

/* aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff, any case, as aa:bb:cc:dd:ee:ff. */
static gchar *
pxf_autoinstall_parse_mac(const gchar *text, gsize len)
{
	gchar out[18];

	if (len != 17)
		return NULL;
	for (gsize i = 0; i < 17; i++) {
		if (i % 3 == 2) {
			if (text[i] != ':' && text[i] != '-')
				return NULL;
			out[i] = ':';
		} else {
			if (!g_ascii_isxdigit(text[i]))
				return NULL;
			out[i] = g_ascii_tolower(text[i]);
		}
	}
	/* one separator throughout */
	for (gsize i = 5; i < 17; i += 3) {
		if (text[i] != text[2])
			return NULL;
	}
	out[17] = '\0';
	return g_strdup(out);
}

PxfAutoinstallPath
pxf_autoinstall_classify_path(const gchar *path, gchar **mac)
{
	const gchar *rest;
	const gchar *slash;
	g_autofree gchar *canonical = NULL;

	*mac = NULL;
	if (path == NULL || !g_str_has_prefix(path, "ai/"))
		return g_strcmp0(path, "ai") == 0 ? PXF_AUTOINSTALL_PATH_INVALID
						  : PXF_AUTOINSTALL_PATH_OTHER;
	rest = path + 3;
	slash = strchr(rest, '/');
	if (slash == NULL)
		return PXF_AUTOINSTALL_PATH_INVALID;
	canonical = pxf_autoinstall_parse_mac(rest, (gsize)(slash - rest));
	if (canonical == NULL)
		return PXF_AUTOINSTALL_PATH_INVALID;
	if (g_strcmp0(slash + 1, "user-data") == 0) {
		*mac = g_steal_pointer(&canonical);
		return PXF_AUTOINSTALL_PATH_USER_DATA;
	}
	if (g_strcmp0(slash + 1, "meta-data") == 0) {
		*mac = g_steal_pointer(&canonical);
		return PXF_AUTOINSTALL_PATH_META_DATA;
	}
	if (g_strcmp0(slash + 1, "vendor-data") == 0) {
		*mac = g_steal_pointer(&canonical);
		return PXF_AUTOINSTALL_PATH_VENDOR_DATA;
	}
	return PXF_AUTOINSTALL_PATH_INVALID;
}

gchar *
pxf_autoinstall_yaml_quote(const gchar *text)
{
	g_autofree gchar *valid = g_utf8_make_valid(text != NULL ? text : "", -1);
	GString *out = g_string_new("\"");

	for (const gchar *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		switch (c) {
		case '"':
			g_string_append(out, "\\\"");
			break;
		case '\\':
			g_string_append(out, "\\\\");
			break;
		case '\n':
			g_string_append(out, "\\n");
			break;
		case '\t':
			g_string_append(out, "\\t");
			break;
		case '\r':
			g_string_append(out, "\\r");
			break;
		default:
			/* C0, DEL, C1 and the Unicode line separators, which YAML
			 * would fold or refuse */
			if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
				g_string_append_printf(out, "\\x%02x", c);
			else if (c == 0x2028 || c == 0x2029 || c == 0xfeff)
				g_string_append_printf(out, "\\u%04x", c);
			else
				g_string_append_unichar(out, c);
		}
	}
	g_string_append_c(out, '"');
	return g_string_free(out, FALSE);
}

gchar *
pxf_autoinstall_seed_url(PxfVars *vars)
{
	gchar *own = pxf_osprofile_var_string(vars, "nocloud_url");
	g_autofree gchar *base = NULL;
	g_autofree gchar *mac = NULL;
	GString *out;

	if (own != NULL) {
		/* cloud-init appends "meta-data" and "user-data" to it */
		if (!g_str_has_suffix(own, "/")) {
			gchar *with_slash = g_strconcat(own, "/", NULL);
			g_free(own);
			own = with_slash;
		}
		return own;
	}
	base = pxf_osprofile_var_string(vars, "http.base_url");
	mac = pxf_osprofile_var_string(vars, "host.mac");
	if (base == NULL || mac == NULL)
		return NULL;
	out = g_string_new(base);
	while (out->len > 0 && out->str[out->len - 1] == '/')
		g_string_truncate(out, out->len - 1);
	g_string_append_printf(out, "/ai/%s/", mac);
	return g_string_free(out, FALSE);
}

/* A value for the kernel line: no white space, quotes or backslashes. */
static gboolean
pxf_autoinstall_kernel_safe(const gchar *value)
{
	for (const gchar *p = value; *p != '\0'; p++) {
		if (g_ascii_isspace(*p) || *p == '"' || *p == '\'' || *p == '\\' ||
		    (guchar)*p < 0x20 || (guchar)*p == 0x7f)
			return FALSE;
	}
	return TRUE;
}

gchar *
pxf_autoinstall_kernel_args(const PxfAutoinstallConfig *config, PxfVars *vars, GError **error)
{
	g_autofree gchar *seed = pxf_autoinstall_seed_url(vars);
	g_autofree gchar *iso = pxf_osprofile_var_string(vars, "iso_url");
	GString *out;

	if (seed == NULL) {
		g_set_error_literal(error, PXF_AUTOINSTALL_ERROR, PXF_AUTOINSTALL_ERROR_FAILED,
				    "no seed URL: enable the http plugin or set nocloud_url");
		return NULL;
	}
	if (!pxf_autoinstall_kernel_safe(seed) || strchr(seed, ';') != NULL) {
		g_set_error(error, PXF_AUTOINSTALL_ERROR, PXF_AUTOINSTALL_ERROR_INVALID,
			    "seed URL '%s' cannot go on a kernel line", seed);
		return NULL;
	}
	if (iso != NULL && !pxf_autoinstall_kernel_safe(iso)) {
		g_set_error(error, PXF_AUTOINSTALL_ERROR, PXF_AUTOINSTALL_ERROR_INVALID,
			    "iso_url '%s' cannot go on a kernel line", iso);
		return NULL;
	}
	/* "autoinstall" skips subiquity's confirmation prompt */
	out = g_string_new("autoinstall");
	g_string_append_printf(out, " ds=%s;s=%s", config->datasource, seed);
	/* casper fetches the live ISO; cloud-init would read url= as a
	 * cloud-config URL too and download the ISO once more */
	if (iso != NULL)
		g_string_append_printf(out, " url=%s cloud-config-url=/dev/null", iso);
	return g_string_free(out, FALSE);
}

/* A host name label: letters, digits and '-', 1–63 characters. */
static gboolean
pxf_autoinstall_is_label(const gchar *text, gsize len)
{
	if (len == 0 || len > 63 || text[0] == '-' || text[len - 1] == '-')
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(text[i]) && text[i] != '-')
			return FALSE;
	}
	return TRUE;
}

/* The host's short name (subiquity takes no domain), or one made from the MAC. */
static gchar *
pxf_autoinstall_hostname(PxfVars *vars, GPtrArray *warnings)
{
	g_autofree gchar *fqdn = pxf_osprofile_var_string(vars, "host.hostname");
	g_autofree gchar *mac = NULL;
	GString *name;

	if (fqdn != NULL) {
		const gchar *dot = strchr(fqdn, '.');
		gsize len = dot != NULL ? (gsize)(dot - fqdn) : strlen(fqdn);
		if (pxf_autoinstall_is_label(fqdn, len))
			return g_ascii_strdown(fqdn, (gssize)len);
		if (warnings != NULL)
			g_ptr_array_add(warnings,
					g_strdup_printf("host name '%s' is not a valid host name; "
							"using one made from the MAC",
							fqdn));
	}
	mac = pxf_osprofile_var_string(vars, "host.mac");
	name = g_string_new("ubuntu");
	if (mac != NULL) {
		g_string_append_c(name, '-');
		for (const gchar *p = mac; *p != '\0'; p++) {
			if (g_ascii_isxdigit(*p))
				g_string_append_c(name, g_ascii_tolower(*p));
		}
	}
	return g_string_free(name, FALSE);
}

static void
pxf_autoinstall_add_quoted(GVariantBuilder *b, const gchar *key, const gchar *value)
{
	g_autofree gchar *quoted = NULL;

	if (value == NULL)
		return;
	quoted = pxf_autoinstall_yaml_quote(value);
	g_variant_builder_add(b, "{sv}", key, g_variant_new_string(quoted));
}

/* A string variable YAML-quoted into the dictionary, or fallback. */
static void
pxf_autoinstall_add_var(GVariantBuilder *b,
			PxfVars *vars,
			const gchar *key,
			const gchar *var,
			const gchar *fallback)
{
	g_autofree gchar *value = pxf_osprofile_var_string(vars, var);
	pxf_autoinstall_add_quoted(b, key, value != NULL ? value : fallback);
}

/* A list variable (or one string) as a list of YAML-quoted strings. */
static void
pxf_autoinstall_add_list(GVariantBuilder *b, PxfVars *vars, const gchar *key, const gchar *var)
{
	g_auto(GStrv) items = pxf_osprofile_var_strv(vars, var);
	g_autoptr(GStrvBuilder) quoted = g_strv_builder_new();
	g_auto(GStrv) out = NULL;

	for (guint i = 0; items[i] != NULL; i++) {
		g_autofree gchar *item = pxf_autoinstall_yaml_quote(items[i]);
		g_strv_builder_add(quoted, item);
	}
	out = g_strv_builder_end(quoted);
	g_variant_builder_add(b, "{sv}", key, g_variant_new_strv((const gchar *const *)out, -1));
	/* Mustache cannot ask a list whether it is empty without looping over it */
	{
		g_autofree gchar *has = g_strconcat("has_", key, NULL);
		g_variant_builder_add(b, "{sv}", has, g_variant_new_boolean(out[0] != NULL));
	}
}

gchar *
pxf_autoinstall_check_values(const gchar *layout, const gchar *updates)
{
	static const gchar *const layouts[] = {"lvm", "direct", "zfs", NULL};
	static const gchar *const update_values[] = {"security", "all", NULL};

	if (layout != NULL && layout[0] != '\0' && !g_strv_contains(layouts, layout))
		return g_strdup_printf("storage_layout '%s' is not lvm, direct or zfs", layout);
	if (updates != NULL && updates[0] != '\0' && !g_strv_contains(update_values, updates))
		return g_strdup_printf("updates '%s' is not security or all", updates);
	return NULL;
}

gchar *
pxf_autoinstall_check_vars(PxfVars *vars)
{
	g_autofree gchar *layout = pxf_osprofile_var_string(vars, "storage_layout");
	g_autofree gchar *updates = pxf_osprofile_var_string(vars, "updates");
	return pxf_autoinstall_check_values(layout, updates);
}

gboolean
pxf_autoinstall_apply_vars(const PxfAutoinstallConfig *config,
			   PxfVars *vars,
			   GPtrArray *warnings,
			   GError **error)
{
	g_autofree gchar *os = pxf_osprofile_var_string(vars, "profile.os");
	g_autoptr(GError) error_root = NULL;
	g_autoptr(GError) error_user = NULL;
	g_autofree gchar *hostname = NULL;
	g_autofree gchar *username = NULL;
	g_autofree gchar *realname = NULL;
	g_autofree gchar *hash = NULL;
	g_autofree gchar *kernel_args = NULL;
	g_auto(GStrv) keys = NULL;
	g_autoptr(GError) error_local = NULL;
	GVariantBuilder b;
	gboolean ok = TRUE;

	/* every render, whatever the profile: no plaintext reaches any template */
	if (!pxf_osprofile_hash_secret(vars, "password", "password_hash", config->rounds, NULL,
				       &error_user))
		ok = FALSE;
	if (!pxf_osprofile_hash_secret(vars, "rootpw", "rootpw_hash", config->rounds, NULL,
				       &error_root))
		ok = FALSE;
	if (!ok)
		g_propagate_error(error, error_user != NULL ? g_steal_pointer(&error_user)
							    : g_steal_pointer(&error_root));
	if (g_strcmp0(os, PXF_AUTOINSTALL_OS) != 0)
		return ok;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	hostname = pxf_autoinstall_hostname(vars, warnings);
	pxf_autoinstall_add_quoted(&b, "hostname", hostname);
	username = pxf_osprofile_var_string(vars, "username");
	if (username == NULL)
		username = g_strdup("ubuntu");
	realname = pxf_osprofile_var_string(vars, "realname");
	pxf_autoinstall_add_quoted(&b, "username", username);
	pxf_autoinstall_add_quoted(&b, "realname", realname != NULL ? realname : username);
	/* the user's own hash, else root's (Ubuntu locks root and gives this
	 * user sudo), else locked: never an empty password */
	hash = pxf_osprofile_var_string(vars, "password_hash");
	if (hash == NULL)
		hash = pxf_osprofile_var_string(vars, "rootpw_hash");
	g_variant_builder_add(&b, "{sv}", "password_locked", g_variant_new_boolean(hash == NULL));
	/* a name of its own, which variable listings redact like every
	 * *password* name, rather than a key of the dictionary */
	{
		g_autofree gchar *quoted = pxf_autoinstall_yaml_quote(hash != NULL ? hash : "!");
		pxf_vars_set_string(vars, "autoinstall_password", quoted);
	}

	pxf_autoinstall_add_var(&b, vars, "locale", "locale", "en_US.UTF-8");
	pxf_autoinstall_add_var(&b, vars, "keyboard", "keyboard", "us");
	pxf_autoinstall_add_var(&b, vars, "keyboard_variant", "keyboard_variant", NULL);
	pxf_autoinstall_add_var(&b, vars, "timezone", "timezone", "UTC");
	pxf_autoinstall_add_var(&b, vars, "storage_layout", "storage_layout", "lvm");
	pxf_autoinstall_add_var(&b, vars, "updates", "updates", NULL);
	pxf_autoinstall_add_var(&b, vars, "mirror", "mirror", NULL);
	pxf_autoinstall_add_var(&b, vars, "proxy", "proxy", NULL);
	{
		g_autofree gchar *mac = pxf_osprofile_var_string(vars, "host.mac");
		pxf_autoinstall_add_quoted(&b, "mac", mac);
	}

	keys = pxf_osprofile_var_strv(vars, "ssh_authorized_keys");
	pxf_autoinstall_add_list(&b, vars, "authorized_keys", "ssh_authorized_keys");
	g_variant_builder_add(
		&b, "{sv}", "ssh_server",
		g_variant_new_boolean(pxf_osprofile_var_bool(vars, "ssh_server", TRUE)));
	/* with keys, passwords over ssh are off unless asked for */
	g_variant_builder_add(&b, "{sv}", "ssh_allow_pw",
			      g_variant_new_boolean(pxf_osprofile_var_bool(vars, "ssh_allow_pw",
									   keys[0] == NULL)));
	pxf_autoinstall_add_list(&b, vars, "packages", "packages");
	pxf_autoinstall_add_list(&b, vars, "early_commands", "early_commands");
	pxf_autoinstall_add_list(&b, vars, "late_commands", "late_commands");
	pxf_vars_set(vars, "autoinstall", g_variant_builder_end(&b));

	kernel_args = pxf_autoinstall_kernel_args(config, vars, &error_local);
	if (kernel_args != NULL)
		pxf_vars_set_string(vars, "install.kernel_args", kernel_args);
	else if (warnings != NULL)
		g_ptr_array_add(warnings, g_strdup_printf("no installer kernel arguments: %s",
							  error_local->message));
	return ok;
}
