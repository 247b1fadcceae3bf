/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a preseed template sees beyond the inventory, and the kernel line
 * that makes debian-installer fetch it. */
#define G_LOG_DOMAIN "pxf-preseed"

#include <string.h>

#include "pxf-preseed.h"

G_DEFINE_QUARK(pxf - preseed - error - quark, pxf_preseed_error)

const PxfConfKey pxf_preseed_config_keys[] = {
	{.key = "rootpw_rounds",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = G_STRINGIFY(PXF_OSPROFILE_ROUNDS_DEFAULT),
	 .min = PXF_OSPROFILE_ROUNDS_MIN,
	 .max = PXF_OSPROFILE_ROUNDS_MAX,
	 .description = "SHA-512 crypt rounds when hashing the variables rootpw and password"},
	{.key = "tree_path",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "distros",
	 .description = "path under http.base_url where the http plugin serves distro trees; "
			"the mirror defaults to BASE/TREE_PATH/<distro>/"},
	{.key = "priority",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "critical",
	 .description = "debconf priority on the installer's kernel line: critical, high, "
			"medium or low (questions below it are not asked)"},
	PXF_CONF_KEY_END,
};

/* One line each, in the order the template uses them. */
const gchar *const pxf_preseed_line_vars[] = {
	"locale",	 "keyboard",	 "timezone",	  "ntp_server",	    "domain",
	"nameservers",	 "mirror",	 "proxy",	  "suite",	    "security_host",
	"username",	 "realname",	 "disk",	  "partman_method", "partman_recipe",
	"tasks",	 "packages",	 "early_command", "late_command",   "rootpw_hash",
	"password_hash", "apt_services", "upgrade",	  "ks_url",	    NULL,
};

void
pxf_preseed_config_free(PxfPreseedConfig *self)
{
	if (self == NULL)
		return;
	g_free(self->tree_path);
	g_free(self->priority);
	g_free(self);
}

PxfPreseedConfig *
pxf_preseed_config_new(const PxfConfSection *section, GError **error)
{
	static const gchar *const priorities[] = {"critical", "high", "medium", "low", NULL};
	g_autoptr(PxfPreseedConfig) self = g_new0(PxfPreseedConfig, 1);
	g_autoptr(GError) error_local = NULL;
	const gchar *priority = pxf_conf_section_get_string(section, "priority");

	/* the schema's min/max have checked the range */
	self->rounds = (guint)pxf_conf_section_get_int(section, "rootpw_rounds");
	self->tree_path = pxf_osprofile_config_tree_path(section, "tree_path", &error_local);
	if (self->tree_path == NULL) {
		g_set_error_literal(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID,
				    error_local->message);
		return NULL;
	}
	if (priority == NULL || !g_strv_contains(priorities, priority)) {
		g_autofree gchar *where = pxf_conf_section_where(section, "priority");
		g_set_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID,
			    "%s: priority '%s' is not critical, high, medium or low", where,
			    priority != NULL ? priority : "");
		return NULL;
	}
	self->priority = g_strdup(priority);
	return g_steal_pointer(&self);
}

void
pxf_preseed_mirror_free(PxfPreseedMirror *self)
{
	if (self == NULL)
		return;
	g_free(self->protocol);
	g_free(self->hostname);
	g_free(self->directory);
	g_free(self);
}

PxfPreseedMirror *
pxf_preseed_mirror_parse(const gchar *url, GError **error)
{
	g_autoptr(GUri) uri = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(PxfPreseedMirror) self = g_new0(PxfPreseedMirror, 1);
	const gchar *scheme;
	const gchar *host;
	const gchar *path;
	gint port;
	gsize len;

	if (url == NULL || pxf_osprofile_has_line_break(url) || strpbrk(url, " \t") != NULL) {
		g_set_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID,
			    "mirror URL '%s' has white space", url != NULL ? url : "");
		return NULL;
	}
	uri = g_uri_parse(url, G_URI_FLAGS_NONE, &error_local);
	if (uri == NULL) {
		g_set_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID,
			    "mirror URL '%s': %s", url, error_local->message);
		return NULL;
	}
	scheme = g_uri_get_scheme(uri);
	if (g_strcmp0(scheme, "http") != 0 && g_strcmp0(scheme, "https") != 0 &&
	    g_strcmp0(scheme, "ftp") != 0) {
		g_set_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID,
			    "mirror URL '%s': d-i takes http, https or ftp mirrors", url);
		return NULL;
	}
	host = g_uri_get_host(uri);
	if (host == NULL || host[0] == '\0' || g_uri_get_userinfo(uri) != NULL ||
	    g_uri_get_query(uri) != NULL || g_uri_get_fragment(uri) != NULL) {
		g_set_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID,
			    "mirror URL '%s': needs a host and no user, query or fragment", url);
		return NULL;
	}
	self->protocol = g_strdup(scheme);
	port = g_uri_get_port(uri);
	/* GUri gives IPv6 literals without their brackets */
	if (strchr(host, ':') != NULL)
		self->hostname = port > 0 ? g_strdup_printf("[%s]:%d", host, port)
					  : g_strdup_printf("[%s]", host);
	else
		self->hostname = port > 0 ? g_strdup_printf("%s:%d", host, port) : g_strdup(host);
	path = g_uri_get_path(uri);
	self->directory = g_strdup(path[0] == '/' ? path : "/");
	if (path[0] != '/' && path[0] != '\0') {
		g_free(self->directory);
		self->directory = g_strconcat("/", path, NULL);
	}
	/* d-i appends "/dists/<suite>/..." itself */
	len = strlen(self->directory);
	while (len > 1 && self->directory[len - 1] == '/')
		self->directory[--len] = '\0';
	return g_steal_pointer(&self);
}

/* A value for the kernel line: no white space, no quotes, no backslash. */
static gboolean
pxf_preseed_kernel_safe(const gchar *value)
{
	for (const gchar *p = value; *p != '\0'; p++) {
		if (g_ascii_isspace(*p) || *p == '"' || *p == '\'' || *p == '\\' ||
		    (guchar)*p < 0x20 || (guchar)*p == 0x7f)
			return FALSE;
	}
	return TRUE;
}

/* A host name label: letters, digits and '-', 1–63 characters. */
static gboolean
pxf_preseed_is_label(const gchar *text, gsize len)
{
	if (len == 0 || len > 63 || text[0] == '-' || text[len - 1] == '-')
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(text[i]) && text[i] != '-')
			return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_preseed_is_domain(const gchar *text)
{
	gchar **labels;
	gboolean ok = TRUE;

	if (text[0] == '\0')
		return TRUE;
	if (strlen(text) > 253)
		return FALSE;
	labels = g_strsplit(text, ".", -1);
	for (guint i = 0; labels[i] != NULL && ok; i++)
		ok = pxf_preseed_is_label(labels[i], strlen(labels[i]));
	g_strfreev(labels);
	return ok;
}

/* The host's short name and domain from host.hostname (which may be a FQDN)
 * and the variable domain, which wins. A host without a name gets
 * "debian-<mac without colons>", unique in the inventory. */
static void
pxf_preseed_names(PxfVars *vars, GPtrArray *warnings, gchar **hostname, gchar **domain)
{
	g_autofree gchar *fqdn = pxf_osprofile_var_string(vars, "host.hostname");
	g_autofree gchar *given = pxf_osprofile_var_string(vars, "domain");
	const gchar *dot = fqdn != NULL ? strchr(fqdn, '.') : NULL;

	*hostname = NULL;
	*domain = NULL;
	if (fqdn != NULL) {
		gsize len = dot != NULL ? (gsize)(dot - fqdn) : strlen(fqdn);
		if (pxf_preseed_is_label(fqdn, len))
			*hostname = g_strndup(fqdn, len);
		else if (warnings != NULL)
			g_ptr_array_add(warnings,
					g_strdup_printf("host name '%s' is not a valid host name; "
							"using one made from the MAC",
							fqdn));
		if (dot != NULL && pxf_preseed_is_domain(dot + 1))
			*domain = g_strdup(dot + 1);
	}
	if (*hostname == NULL) {
		g_autofree gchar *mac = pxf_osprofile_var_string(vars, "host.mac");
		GString *name = g_string_new("debian");
		if (mac != NULL) {
			g_string_append_c(name, '-');
			for (const gchar *p = mac; *p != '\0'; p++) {
				if (g_ascii_isxdigit(*p))
					g_string_append_c(name, g_ascii_tolower(*p));
			}
		}
		*hostname = g_string_free(name, FALSE);
	}
	if (given != NULL) {
		if (pxf_preseed_is_domain(given)) {
			g_free(*domain);
			*domain = g_strdup(given);
		} else if (warnings != NULL) {
			g_ptr_array_add(
				warnings,
				g_strdup_printf("domain '%s' is not a valid domain name", given));
		}
	}
	if (*domain == NULL)
		*domain = g_strdup("");
}

/* nameservers: a list or a space-separated string, as one d-i value. */
static gchar *
pxf_preseed_nameservers(PxfVars *vars)
{
	g_auto(GStrv) items = pxf_osprofile_var_strv(vars, "nameservers");
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	g_auto(GStrv) all = NULL;

	for (guint i = 0; items[i] != NULL; i++) {
		g_auto(GStrv) words = g_strsplit_set(items[i], " \t,", -1);
		for (guint j = 0; words[j] != NULL; j++) {
			if (words[j][0] != '\0')
				g_strv_builder_add(builder, words[j]);
		}
	}
	all = g_strv_builder_end(builder);
	return all[0] != NULL ? g_strjoinv(" ", all) : NULL;
}

gchar *
pxf_preseed_kernel_args(const PxfPreseedConfig *config, PxfVars *vars, GError **error)
{
	g_autofree gchar *url = pxf_osprofile_answer_url(vars);
	g_autofree gchar *hostname = NULL;
	g_autofree gchar *domain = NULL;
	g_autofree gchar *nameservers = pxf_preseed_nameservers(vars);
	g_autofree gchar *first_ns = NULL;
	GString *out;

	if (url == NULL) {
		g_set_error_literal(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_FAILED,
				    "no answer file URL: enable the http plugin or set ks_url");
		return NULL;
	}
	if (!pxf_preseed_kernel_safe(url)) {
		g_set_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID,
			    "answer file URL '%s' cannot go on a kernel line", url);
		return NULL;
	}
	pxf_preseed_names(vars, NULL, &hostname, &domain);
	if (nameservers != NULL) {
		/* one on the kernel line, which has no room for spaces; the
		 * preseed repeats all of them */
		const gchar *space = strchr(nameservers, ' ');
		first_ns = space != NULL ? g_strndup(nameservers, (gsize)(space - nameservers))
					 : g_strdup(nameservers);
		if (!pxf_preseed_kernel_safe(first_ns)) {
			g_set_error(error, PXF_PRESEED_ERROR, PXF_PRESEED_ERROR_INVALID,
				    "name server '%s' cannot go on a kernel line", first_ns);
			return NULL;
		}
	}
	out = g_string_new(NULL);
	/* auto=true delays the locale and keyboard questions until the preseed
	 * is loaded; the netcfg answers are needed before it is */
	g_string_append_printf(out, "auto=true priority=%s url=%s interface=auto", config->priority,
			       url);
	g_string_append_printf(out, " netcfg/get_hostname=%s netcfg/get_domain=%s", hostname,
			       domain);
	/* without a DNS server from DHCP d-i would stop and ask for one */
	g_string_append_printf(out, " netcfg/get_nameservers=%s", first_ns != NULL ? first_ns : "");
	return g_string_free(out, FALSE);
}

const gchar *
pxf_preseed_find_line_break(PxfVars *vars)
{
	for (guint i = 0; pxf_preseed_line_vars[i] != NULL; i++) {
		g_auto(GStrv) values = pxf_osprofile_var_strv(vars, pxf_preseed_line_vars[i]);
		for (guint j = 0; values[j] != NULL; j++) {
			if (pxf_osprofile_has_line_break(values[j]))
				return pxf_preseed_line_vars[i];
		}
	}
	return NULL;
}

static void
pxf_preseed_add_string(GVariantBuilder *b, const gchar *key, const gchar *value)
{
	if (value != NULL)
		g_variant_builder_add(b, "{sv}", key, g_variant_new_string(value));
}

gboolean
pxf_preseed_apply_vars(const PxfPreseedConfig *config,
		       PxfVars *vars,
		       GPtrArray *warnings,
		       GError **error)
{
	g_autofree gchar *os = pxf_osprofile_var_string(vars, "profile.os");
	g_autoptr(GError) error_root = NULL;
	g_autoptr(GError) error_user = NULL;
	g_autofree gchar *hostname = NULL;
	g_autofree gchar *domain = NULL;
	g_autofree gchar *nameservers = NULL;
	g_autofree gchar *mirror_url = NULL;
	g_autoptr(PxfPreseedMirror) mirror = NULL;
	g_autofree gchar *kernel_args = NULL;
	g_autoptr(GError) error_local = NULL;
	GVariantBuilder b;
	gboolean ok = TRUE;

	/* every render, whatever the profile: no plaintext reaches any template */
	if (!pxf_osprofile_hash_secret(vars, "rootpw", "rootpw_hash", config->rounds, NULL,
				       &error_root))
		ok = FALSE;
	if (!pxf_osprofile_hash_secret(vars, "password", "password_hash", config->rounds, NULL,
				       &error_user))
		ok = FALSE;
	if (!ok) {
		g_propagate_error(error, error_root != NULL ? g_steal_pointer(&error_root)
							    : g_steal_pointer(&error_user));
	}
	if (g_strcmp0(os, PXF_PRESEED_OS) != 0)
		return ok;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	pxf_preseed_names(vars, warnings, &hostname, &domain);
	pxf_preseed_add_string(&b, "hostname", hostname);
	pxf_preseed_add_string(&b, "domain", domain);
	nameservers = pxf_preseed_nameservers(vars);
	pxf_preseed_add_string(&b, "nameservers", nameservers);
	/* lists as d-i takes them: tasksel's ", " and pkgsel's " " */
	{
		g_auto(GStrv) tasks = pxf_osprofile_var_strv(vars, "tasks");
		g_auto(GStrv) packages = pxf_osprofile_var_strv(vars, "packages");
		g_autofree gchar *tasks_text = g_strjoinv(", ", tasks);
		g_autofree gchar *packages_text = g_strjoinv(" ", packages);

		g_autoptr(GVariant) given = pxf_vars_lookup(vars, "tasks");

		/* an explicit empty list means no task at all */
		pxf_preseed_add_string(&b, "tasks",
				       given != NULL ? tasks_text : "standard, ssh-server");
		pxf_preseed_add_string(&b, "packages", packages_text);
	}

	mirror_url = pxf_osprofile_var_string(vars, "mirror");
	if (mirror_url == NULL)
		mirror_url = pxf_osprofile_tree_url(vars, config->tree_path);
	if (mirror_url != NULL) {
		mirror = pxf_preseed_mirror_parse(mirror_url, &error_local);
		if (mirror == NULL) {
			if (warnings != NULL)
				g_ptr_array_add(warnings, g_strdup(error_local->message));
			g_clear_error(&error_local);
		}
	} else if (warnings != NULL) {
		g_ptr_array_add(warnings, g_strdup("no mirror: set mirror, a distro tree URL, or "
						   "enable the http plugin"));
	}
	if (mirror != NULL) {
		pxf_preseed_add_string(&b, "mirror_url", mirror_url);
		pxf_preseed_add_string(&b, "mirror_protocol", mirror->protocol);
		pxf_preseed_add_string(&b, "mirror_hostname", mirror->hostname);
		pxf_preseed_add_string(&b, "mirror_directory", mirror->directory);
	}
	pxf_vars_set(vars, "preseed", g_variant_builder_end(&b));

	kernel_args = pxf_preseed_kernel_args(config, vars, &error_local);
	if (kernel_args != NULL)
		pxf_vars_set_string(vars, "install.kernel_args", kernel_args);
	else if (warnings != NULL)
		g_ptr_array_add(warnings, g_strdup_printf("no installer kernel arguments: %s",
							  error_local->message));
	return ok;
}
