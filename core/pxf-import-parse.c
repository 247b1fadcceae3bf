/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-import"

#include "pxf-import-private.h"

#include <string.h>

/* The parsers of install media metadata: anaconda's .treeinfo and
 * .discinfo, debian-cd's .disk/info and the netboot tarball's version.info.
 * All of it comes from the image: every parser takes arbitrary bytes and
 * says where a file is wrong (FILE:LINE:COLUMN) rather than guessing. */

gboolean
pxf_import_checksum_split(const gchar *sum, GChecksumType *type, const gchar **hex)
{
	static const struct {
		const gchar *name;
		GChecksumType type;
	} types[] = {
		{"md5", G_CHECKSUM_MD5},
		{"sha1", G_CHECKSUM_SHA1},
		{"sha256", G_CHECKSUM_SHA256},
		{"sha512", G_CHECKSUM_SHA512},
	};
	const gchar *colon = strchr(sum, ':');

	if (colon == NULL)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
		gsize n = strlen(types[i].name);
		if ((gsize)(colon - sum) != n || g_ascii_strncasecmp(sum, types[i].name, n) != 0)
			continue;
		if (strlen(colon + 1) != (gsize)g_checksum_type_get_length(types[i].type) * 2 ||
		    strspn(colon + 1, "0123456789abcdefABCDEF") != strlen(colon + 1))
			return FALSE;
		*type = types[i].type;
		*hex = colon + 1;
		return TRUE;
	}
	return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Text */

typedef struct {
	const gchar *label;
	const gchar *file;
	const gchar *data;
	gsize len;
	gsize pos;
	guint line;
} PxfLines;

static gboolean
pxf_text_check(const gchar *label, const gchar *file, const gchar *data, gsize len, GError **error)
{
	const gchar *end = NULL;
	guint line = 1;
	guint column = 1;

	if (g_utf8_validate_len(data, len, &end))
		return TRUE;
	for (const gchar *p = data; p < end; p++) {
		if (*p == '\n') {
			line++;
			column = 1;
		} else {
			column++;
		}
	}
	g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
		    "%s: %s:%u:%u: not text (%s)", label, file, line, column,
		    end < data + len && *end == '\0' ? "a NUL byte" : "invalid UTF-8");
	return FALSE;
}

/* The next line without its end (LF or CRLF), or FALSE at the end. */
static gboolean
pxf_lines_next(PxfLines *r, const gchar **line, gsize *len)
{
	const gchar *nl;

	if (r->pos >= r->len)
		return FALSE;
	*line = r->data + r->pos;
	nl = memchr(*line, '\n', r->len - r->pos);
	*len = nl != NULL ? (gsize)(nl - *line) : r->len - r->pos;
	r->pos += *len + (nl != NULL ? 1 : 0);
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	r->line++;
	return TRUE;
}

static gchar *
pxf_strip_dup(const gchar *text, gsize len)
{
	return g_strstrip(g_strndup(text, len));
}

static G_GNUC_PRINTF(4, 5) void pxf_line_error(
	GError **error, PxfLines *r, guint column, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *msg = NULL;

	va_start(args, format);
	msg = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID, "%s: %s:%u:%u: %s", r->label,
		    r->file, r->line, column, msg);
}

/* A word of letters, digits and "_-." (architectures, disc numbers). */
static gboolean
pxf_is_token(const gchar *text)
{
	if (text == NULL || text[0] == '\0')
		return FALSE;
	for (const gchar *p = text; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
			return FALSE;
	}
	return TRUE;
}

/* "Rocky" → rocky, "Red Hat Enterprise Linux" → rhel: a short id for templates. */
static gchar *
pxf_family_id(const gchar *name)
{
	static const struct {
		const gchar *name;
		const gchar *id;
	} known[] = {
		{"red hat enterprise linux", "rhel"}, {"rocky linux", "rocky"},
		{"centos linux", "centos"},	      {"centos stream", "centos-stream"},
		{"oracle linux server", "ol"},	      {"oracle linux", "ol"},
		{"almalinux", "almalinux"},	      {"debian gnu/linux", "debian"},
	};
	g_autofree gchar *lower = g_ascii_strdown(name, -1);
	GString *id = g_string_new(NULL);

	g_strstrip(lower);
	for (guint i = 0; i < G_N_ELEMENTS(known); i++) {
		if (g_strcmp0(lower, known[i].name) == 0) {
			g_string_free(id, TRUE);
			return g_strdup(known[i].id);
		}
	}
	for (const gchar *p = lower; *p != '\0'; p++) {
		if (g_ascii_isalnum(*p))
			g_string_append_c(id, *p);
		else if (id->len > 0 && id->str[id->len - 1] != '-')
			g_string_append_c(id, '-');
	}
	while (id->len > 0 && id->str[id->len - 1] == '-')
		g_string_truncate(id, id->len - 1);
	return g_string_free(id, FALSE);
}

/* ------------------------------------------------------------------------ */
/* .treeinfo: INI as Python's configparser writes it (anaconda, productmd) */

typedef struct {
	GHashTable *values; /* "section\nkey" → value */
	GHashTable *lines;  /* same keys, and "[section" → line (as GUINT_TO_POINTER) */
} PxfIni;

static const gchar *
pxf_ini_get(PxfIni *ini, const gchar *section, const gchar *key)
{
	g_autofree gchar *k = g_strdup_printf("%s\n%s", section, key);
	const gchar *value = g_hash_table_lookup(ini->values, k);
	return value != NULL && value[0] != '\0' ? value : NULL;
}

static gboolean
pxf_ini_parse(PxfIni *ini, PxfLines *r, GError **error)
{
	g_autofree gchar *section = NULL;
	const gchar *line;
	gsize len;

	while (pxf_lines_next(r, &line, &len)) {
		g_autofree gchar *text = pxf_strip_dup(line, len);
		const gchar *eq;
		guint indent = 0;

		while (indent < len && (line[indent] == ' ' || line[indent] == '\t'))
			indent++;
		if (text[0] == '\0' || text[0] == ';' || text[0] == '#')
			continue;
		if (text[0] == '[') {
			gchar *close = strchr(text, ']');
			g_autofree gchar *mark = NULL;
			if (close == NULL || close[1] != '\0') {
				pxf_line_error(error, r, indent + 1,
					       close == NULL ? "a section header without its ']'"
							     : "text after a section header's ']'");
				return FALSE;
			}
			g_free(section);
			section = g_strstrip(g_strndup(text + 1, (gsize)(close - text - 1)));
			if (section[0] == '\0' || strchr(section, '\n') != NULL) {
				pxf_line_error(error, r, indent + 1, "an empty section name");
				return FALSE;
			}
			mark = g_strdup_printf("[%s", section);
			if (g_hash_table_contains(ini->lines, mark)) {
				pxf_line_error(
					error, r, indent + 1,
					"section [%s] appears twice, first on line %u", section,
					GPOINTER_TO_UINT(g_hash_table_lookup(ini->lines, mark)));
				return FALSE;
			}
			g_hash_table_insert(ini->lines, g_steal_pointer(&mark),
					    GUINT_TO_POINTER(r->line));
			continue;
		}
		eq = strchr(text, '=');
		if (eq == NULL || eq == text) {
			pxf_line_error(error, r, indent + 1,
				       eq == NULL ? "expected '[section]' or 'key = value'"
						  : "a value without a key");
			return FALSE;
		}
		if (section == NULL) {
			pxf_line_error(error, r, indent + 1,
				       "a key before the first [section] header");
			return FALSE;
		} else {
			g_autofree gchar *key = g_strstrip(g_strndup(text, (gsize)(eq - text)));
			gchar *value = g_strstrip(g_strdup(eq + 1));
			gchar *k = g_strdup_printf("%s\n%s", section, key);
			if (g_hash_table_contains(ini->values, k)) {
				pxf_line_error(
					error, r, indent + 1,
					"key '%s' appears twice in [%s], first on line %u", key,
					section,
					GPOINTER_TO_UINT(g_hash_table_lookup(ini->lines, k)));
				g_free(k);
				g_free(value);
				return FALSE;
			}
			g_hash_table_insert(ini->lines, g_strdup(k), GUINT_TO_POINTER(r->line));
			g_hash_table_insert(ini->values, k, value);
		}
	}
	return TRUE;
}

static gboolean
pxf_ini_require_token(PxfIni *ini,
		      const gchar *label,
		      const gchar *file,
		      const gchar *section,
		      const gchar *key,
		      const gchar *value,
		      GError **error)
{
	g_autofree gchar *k = g_strdup_printf("%s\n%s", section, key);
	if (pxf_is_token(value))
		return TRUE;
	g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
		    "%s: %s:%u: [%s] %s '%s' is not a single word", label, file,
		    GPOINTER_TO_UINT(g_hash_table_lookup(ini->lines, k)), section, key, value);
	return FALSE;
}

gboolean
pxf_import_parse_treeinfo(
	const gchar *label, const gchar *data, gsize len, PxfImportMedium *out, GError **error)
{
	PxfLines r = {.label = label, .file = ".treeinfo", .data = data, .len = len};
	g_autoptr(GHashTable) values =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GHashTable) lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	PxfIni ini = {.values = values, .lines = lines};
	g_autofree gchar *images = NULL;
	g_autofree gchar *id = NULL;
	const gchar *family;
	const gchar *short_name;
	const gchar *version;
	const gchar *arch;
	const gchar *arch_section = "tree";
	const gchar *kernel;
	const gchar *initrd;

	if (!pxf_text_check(label, r.file, data, len, error) || !pxf_ini_parse(&ini, &r, error))
		return FALSE;
	/* productmd's [release] and [tree] over the compatibility [general] */
	family = pxf_ini_get(&ini, "release", "name");
	short_name = pxf_ini_get(&ini, "release", "short");
	if (family == NULL)
		family = pxf_ini_get(&ini, "general", "family");
	version = pxf_ini_get(&ini, "release", "version");
	if (version == NULL)
		version = pxf_ini_get(&ini, "general", "version");
	arch = pxf_ini_get(&ini, "tree", "arch");
	if (arch == NULL) {
		arch = pxf_ini_get(&ini, "general", "arch");
		arch_section = "general";
	}
	if (family == NULL) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: .treeinfo: no 'family' in [general] nor 'name' in [release]: "
			    "cannot tell the distribution",
			    label);
		return FALSE;
	}
	id = pxf_family_id(short_name != NULL ? short_name : family);
	if (id[0] == '\0') {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: .treeinfo: family '%s' has no letters or digits", label,
			    short_name != NULL ? short_name : family);
		return FALSE;
	}
	if (arch == NULL) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: .treeinfo: no 'arch' in [general] nor in [tree]", label);
		return FALSE;
	}
	if (!pxf_ini_require_token(&ini, label, r.file, arch_section, "arch", arch, error))
		return FALSE;
	if (version != NULL &&
	    !pxf_ini_require_token(&ini, label, r.file,
				   pxf_ini_get(&ini, "release", "version") != NULL ? "release"
										   : "general",
				   "version", version, error))
		return FALSE;
	images = g_strdup_printf("images-%s", arch);
	kernel = pxf_ini_get(&ini, images, "kernel");
	initrd = pxf_ini_get(&ini, images, "initrd");
	if (kernel == NULL || initrd == NULL) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: .treeinfo: no '%s' in [%s]: cannot tell where the installer's "
			    "kernel and initrd are",
			    label, kernel == NULL ? "kernel" : "initrd", images);
		return FALSE;
	}
	pxf_import_medium_set(&out->family, id);
	if (pxf_ini_get(&ini, "general", "name") != NULL)
		pxf_import_medium_set(&out->name, pxf_ini_get(&ini, "general", "name"));
	else if (version != NULL)
		pxf_import_medium_take(&out->name, g_strdup_printf("%s %s", family, version));
	else
		pxf_import_medium_set(&out->name, family);
	pxf_import_medium_set(&out->version, version);
	pxf_import_medium_set(&out->arch, arch);
	pxf_import_medium_set(&out->kernel, kernel);
	pxf_import_medium_set(&out->initrd, initrd);
	pxf_import_medium_set(&out->stage2, pxf_ini_get(&ini, "stage2", "mainimage"));
	pxf_import_medium_set(&out->installer, "anaconda");
	{
		const gchar *files[] = {out->kernel, out->initrd, out->stage2};
		for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
			const gchar *sum =
				files[i] != NULL ? pxf_ini_get(&ini, "checksums", files[i]) : NULL;
			GChecksumType type;
			const gchar *hex;
			if (sum == NULL)
				continue;
			if (!pxf_import_checksum_split(sum, &type, &hex)) {
				g_autofree gchar *k = g_strdup_printf("checksums\n%s", files[i]);
				g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
					    "%s: .treeinfo:%u: [checksums] %s: expected "
					    "ALGORITHM:HEX (md5, sha1, sha256 or sha512), got '%s'",
					    label,
					    GPOINTER_TO_UINT(g_hash_table_lookup(ini.lines, k)),
					    files[i], sum);
				return FALSE;
			}
			pxf_import_medium_add_checksum(out, files[i], g_strdup(sum));
		}
	}
	return TRUE;
}

/* ------------------------------------------------------------------------ */
/* .discinfo: timestamp, release, architecture, disc numbers (anaconda) */

static gboolean
pxf_is_timestamp(const gchar *text, guint *bad)
{
	guint dots = 0;
	guint digits = 0;

	for (guint i = 0; text[i] != '\0'; i++) {
		if (g_ascii_isdigit(text[i])) {
			digits++;
		} else if (text[i] == '.' && dots == 0) {
			dots++;
		} else {
			*bad = i;
			return FALSE;
		}
	}
	*bad = 0;
	return digits > 0;
}

static gboolean
pxf_is_disc_list(const gchar *text)
{
	g_auto(GStrv) parts = NULL;

	if (g_strcmp0(text, "ALL") == 0)
		return TRUE;
	parts = g_strsplit(text, ",", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		g_strstrip(parts[i]);
		if (parts[i][0] == '\0' || strspn(parts[i], "0123456789") != strlen(parts[i]))
			return FALSE;
	}
	return parts[0] != NULL;
}

/* "CentOS 6.10" → name CentOS, version 6.10; "7" → version only. */
static void
pxf_split_release(const gchar *release, gchar **name, gchar **version)
{
	const gchar *last = strrchr(release, ' ');
	const gchar *word = last != NULL ? last + 1 : release;

	if (g_ascii_isdigit(word[0])) {
		*version = g_strdup(word);
		*name = last != NULL ? g_strstrip(g_strndup(release, (gsize)(last - release)))
				     : NULL;
	} else {
		*version = NULL;
		*name = g_strdup(release);
	}
}

gboolean
pxf_import_parse_discinfo(
	const gchar *label, const gchar *data, gsize len, PxfImportMedium *out, GError **error)
{
	static const gchar *const what[] = {"a timestamp", "the release name", "the architecture"};
	PxfLines r = {.label = label, .file = ".discinfo", .data = data, .len = len};
	g_auto(GStrv) fields = g_new0(gchar *, 5);
	g_autofree gchar *name = NULL;
	g_autofree gchar *version = NULL;
	guint columns[4] = {1, 1, 1, 1};
	guint bad = 0;

	if (!pxf_text_check(label, r.file, data, len, error))
		return FALSE;
	for (guint i = 0; i < 4; i++) {
		const gchar *line;
		gsize n;
		if (!pxf_lines_next(&r, &line, &n)) {
			if (i == 3)
				break; /* the disc numbers came later */
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
				    "%s: .discinfo:%u: the file ends where line %u should "
				    "give %s",
				    label, r.line + 1, i + 1, what[i]);
			return FALSE;
		}
		fields[i] = pxf_strip_dup(line, n);
		while (columns[i] <= n &&
		       (line[columns[i] - 1] == ' ' || line[columns[i] - 1] == '\t'))
			columns[i]++;
		if (i < 3 && fields[i][0] == '\0') {
			pxf_line_error(error, &r, 1, "expected %s, got an empty line", what[i]);
			return FALSE;
		}
		if (i == 0 && !pxf_is_timestamp(fields[0], &bad)) {
			pxf_line_error(error, &r, columns[0] + bad,
				       "expected a timestamp (seconds since 1970), got '%s'",
				       fields[0]);
			return FALSE;
		}
		if (i == 2 && !pxf_is_token(fields[2])) {
			pxf_line_error(error, &r, columns[2],
				       "expected the architecture as one word, got '%s'",
				       fields[2]);
			return FALSE;
		}
		if (i == 3 && fields[3][0] != '\0' && !pxf_is_disc_list(fields[3])) {
			pxf_line_error(error, &r, columns[3],
				       "expected disc numbers ('1', '1,2' or 'ALL'), got '%s'",
				       fields[3]);
			return FALSE;
		}
	}
	/* lines after the fourth (base directories of RHEL 4/5) are not needed */
	pxf_split_release(fields[1], &name, &version);
	if (name != NULL) {
		g_autofree gchar *id = pxf_family_id(name);
		pxf_import_medium_set(&out->family, id[0] != '\0' ? id : NULL);
	}
	pxf_import_medium_set(&out->name, fields[1]);
	pxf_import_medium_set(&out->version, version);
	pxf_import_medium_set(&out->arch, fields[2]);
	pxf_import_medium_set(&out->installer, "anaconda");
	return TRUE;
}

/* ------------------------------------------------------------------------ */
/* .disk/info: 'Debian GNU/Linux 12.5.0 "Bookworm" - Official amd64 NETINST ...' */

static const gchar *const pxf_known_arches[] = {
	"amd64",    "i386",   "arm64",	 "armhf",   "armel",  "ppc64el", "ppc64", "s390x",
	"mips64el", "mipsel", "riscv64", "loong64", "x86_64", "aarch64", "i686",  NULL,
};

gboolean
pxf_import_parse_disk_info(
	const gchar *label, const gchar *data, gsize len, PxfImportMedium *out, GError **error)
{
	PxfLines r = {.label = label, .file = ".disk/info", .data = data, .len = len};
	g_autofree gchar *text = NULL;
	g_autofree gchar *head = NULL;
	g_autofree gchar *family = NULL;
	g_autofree gchar *id = NULL;
	g_auto(GStrv) words = NULL;
	g_auto(GStrv) tail = NULL;
	const gchar *line;
	const gchar *q1;
	const gchar *q2;
	const gchar *dash;
	const gchar *version = NULL;
	const gchar *arch = NULL;
	guint nversion = 0;
	gsize n;

	if (!pxf_text_check(label, r.file, data, len, error))
		return FALSE;
	if (!pxf_lines_next(&r, &line, &n)) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: .disk/info:1: the file is empty", label);
		return FALSE;
	}
	text = g_strndup(line, n);
	{
		const gchar *more;
		gsize m;
		while (pxf_lines_next(&r, &more, &m)) {
			g_autofree gchar *extra = pxf_strip_dup(more, m);
			if (extra[0] != '\0') {
				pxf_line_error(error, &r, 1,
					       "expected the medium's description on a single "
					       "line");
				return FALSE;
			}
		}
		r.line = 1;
	}
	q1 = strchr(text, '"');
	if (q1 == NULL) {
		pxf_line_error(error, &r, (guint)strlen(text) + 1,
			       "expected a quoted code name, as in 'Debian GNU/Linux 12.5.0 "
			       "\"Bookworm\" - Official amd64 NETINST'");
		return FALSE;
	}
	q2 = strchr(q1 + 1, '"');
	if (q2 == NULL) {
		pxf_line_error(error, &r, (guint)(q1 - text) + 1, "a quote that is never closed");
		return FALSE;
	}
	head = g_strstrip(g_strndup(text, (gsize)(q1 - text)));
	words = g_strsplit_set(head, " \t", -1);
	for (guint i = 0; words[i] != NULL; i++) {
		if (g_ascii_isdigit(words[i][0]) && i > 0) {
			version = words[i];
			nversion = i;
			break;
		}
	}
	if (version == NULL) {
		pxf_line_error(error, &r, 1,
			       "expected the distribution's name and version before the code "
			       "name, got '%s'",
			       head);
		return FALSE;
	}
	dash = strstr(q2 + 1, " - ");
	if (dash == NULL) {
		pxf_line_error(error, &r, (guint)(q2 - text) + 2,
			       "expected ' - ' and the kind of medium after the code name");
		return FALSE;
	}
	tail = g_strsplit_set(dash + 3, " \t", -1);
	for (guint i = 0; tail[i] != NULL && arch == NULL; i++) {
		if (g_strv_contains(pxf_known_arches, tail[i]))
			arch = tail[i];
	}
	if (arch == NULL) {
		pxf_line_error(error, &r, (guint)(dash - text) + 4,
			       "no architecture (amd64, arm64, i386, ...) after ' - '");
		return FALSE;
	}
	{
		/* "Debian GNU/Linux": the name is everything before the version */
		GString *joined = g_string_new(NULL);
		for (guint i = 0; i < nversion; i++) {
			if (words[i][0] == '\0')
				continue;
			if (joined->len > 0)
				g_string_append_c(joined, ' ');
			g_string_append(joined, words[i]);
		}
		family = g_string_free(joined, FALSE);
	}
	/* "Ubuntu-Server" is Ubuntu's server medium */
	{
		gchar *hyphen = strchr(family, '-');
		if (hyphen != NULL && g_str_has_prefix(family, "Ubuntu"))
			*hyphen = '\0';
	}
	id = pxf_family_id(family);
	if (id[0] == '\0') {
		pxf_line_error(error, &r, 1, "the name '%s' has no letters or digits", family);
		return FALSE;
	}
	pxf_import_medium_set(&out->family, id);
	pxf_import_medium_take(&out->name, g_strstrip(g_strndup(text, (gsize)(dash - text))));
	pxf_import_medium_set(&out->version, version);
	pxf_import_medium_set(&out->arch, arch);
	return TRUE;
}

/* ------------------------------------------------------------------------ */
/* version.info of Debian's netboot tarball: "Debian version:  12 (bookworm)" */

gboolean
pxf_import_parse_version_info(
	const gchar *label, const gchar *data, gsize len, PxfImportMedium *out, GError **error)
{
	PxfLines r = {.label = label, .file = "version.info", .data = data, .len = len};
	g_autofree gchar *family = NULL;
	g_autofree gchar *version = NULL;
	const gchar *line;
	gsize n;

	if (!pxf_text_check(label, r.file, data, len, error))
		return FALSE;
	while (pxf_lines_next(&r, &line, &n)) {
		g_autofree gchar *text = pxf_strip_dup(line, n);
		g_autofree gchar *key = NULL;
		g_autofree gchar *value = NULL;
		const gchar *colon = strchr(text, ':');

		if (text[0] == '\0')
			continue;
		if (colon == NULL || colon == text) {
			pxf_line_error(error, &r, 1, "expected 'Name: value'");
			return FALSE;
		}
		key = g_strstrip(g_strndup(text, (gsize)(colon - text)));
		value = g_strstrip(g_strdup(colon + 1));
		if (!g_str_has_suffix(key, " version") || family != NULL)
			continue;
		if (!g_ascii_isdigit(value[0])) {
			pxf_line_error(error, &r, (guint)(colon - text) + 2,
				       "expected a version number after '%s:', got '%s'", key,
				       value);
			return FALSE;
		}
		family = g_strndup(key, strlen(key) - strlen(" version"));
		version = g_strndup(value, strcspn(value, " \t"));
	}
	if (family == NULL) {
		g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
			    "%s: version.info: no 'NAME version: N' line (as in 'Debian version: "
			    " 12 (bookworm)')",
			    label);
		return FALSE;
	} else {
		g_autofree gchar *id = pxf_family_id(family);
		if (id[0] == '\0') {
			g_set_error(error, PXF_IMPORT_ERROR, PXF_IMPORT_ERROR_INVALID,
				    "%s: version.info: the name '%s' has no letters or digits",
				    label, family);
			return FALSE;
		}
		pxf_import_medium_set(&out->family, id);
		pxf_import_medium_take(&out->name, g_strdup_printf("%s %s", family, version));
		pxf_import_medium_set(&out->version, version);
	}
	return TRUE;
}
