/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kickstart checker of the tests (see ks-lint.h). It reads a kickstart
 * as pykickstart does: a line is split like a shell line, its first word
 * is a command or a section header (%packages, %post, ...), and a section
 * runs to its %end. */
#define G_LOG_DOMAIN "ks-lint"

#include "ks-lint.h"

#include <string.h>

typedef enum {
	KS_STATUS_OK = 1,
	KS_STATUS_DEPRECATED,
	KS_STATUS_REMOVED,
} KsStatus;

typedef enum {
	KS_ARG_NONE,
	KS_ARG_VALUE,
	KS_ARG_FLAG,
	KS_ARG_OPTIONAL,
} KsArg;

struct _PxfKsSyntax {
	gchar *version;
	/* "COMMAND OPTION" -> GINT_TO_POINTER(status | arg << 4) */
	GHashTable *entries;
	GPtrArray *required; /* of GStrv: one of these commands */
};

void
pxf_ks_syntax_free(PxfKsSyntax *self)
{
	if (self == NULL)
		return;
	g_free(self->version);
	g_hash_table_unref(self->entries);
	g_ptr_array_unref(self->required);
	g_free(self);
}

const gchar *
pxf_ks_syntax_get_version(const PxfKsSyntax *self)
{
	return self->version;
}

static gboolean
pxf_ks_parse_status(const gchar *word, KsStatus *status)
{
	if (g_strcmp0(word, "ok") == 0)
		*status = KS_STATUS_OK;
	else if (g_strcmp0(word, "deprecated") == 0)
		*status = KS_STATUS_DEPRECATED;
	else if (g_strcmp0(word, "removed") == 0)
		*status = KS_STATUS_REMOVED;
	else
		return FALSE;
	return TRUE;
}

static gboolean
pxf_ks_parse_arg(const gchar *word, KsArg *arg)
{
	if (word == NULL)
		*arg = KS_ARG_NONE;
	else if (g_strcmp0(word, "value") == 0)
		*arg = KS_ARG_VALUE;
	else if (g_strcmp0(word, "flag") == 0)
		*arg = KS_ARG_FLAG;
	else if (g_strcmp0(word, "optional") == 0)
		*arg = KS_ARG_OPTIONAL;
	else
		return FALSE;
	return TRUE;
}

PxfKsSyntax *
pxf_ks_syntax_new_from_file(const gchar *path, GError **error)
{
	g_autoptr(PxfKsSyntax) self = g_new0(PxfKsSyntax, 1);
	g_autofree gchar *contents = NULL;
	g_autofree gchar *base = g_path_get_basename(path);
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(path, &contents, NULL, error))
		return NULL;
	self->version = g_strndup(base, strcspn(base, "."));
	self->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->required = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	lines = g_strsplit(contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) words = NULL;
		KsStatus status;
		KsArg arg;

		if (lines[i][0] == '#' || lines[i][0] == '\0')
			continue;
		words = g_strsplit(lines[i], " ", -1);
		if (g_strcmp0(words[0], "@required") == 0 && words[1] != NULL) {
			g_ptr_array_add(self->required, g_strdupv(words + 1));
			continue;
		}
		if (g_strv_length(words) < 3 || g_strv_length(words) > 4 ||
		    !pxf_ks_parse_status(words[2], &status) || !pxf_ks_parse_arg(words[3], &arg)) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s:%u: not `COMMAND OPTION STATUS [ARG]`: %s", path, i + 1,
				    lines[i]);
			return NULL;
		}
		g_hash_table_insert(self->entries, g_strdup_printf("%s %s", words[0], words[1]),
				    GINT_TO_POINTER(status | arg << 4));
	}
	return g_steal_pointer(&self);
}

/* FALSE when @command has no @option; else its status and argument. */
static gboolean
pxf_ks_lookup(const PxfKsSyntax *self,
	      const gchar *command,
	      const gchar *option,
	      KsStatus *status,
	      KsArg *arg)
{
	g_autofree gchar *key = g_strdup_printf("%s %s", command, option);
	gpointer value = NULL;

	if (!g_hash_table_lookup_extended(self->entries, key, NULL, &value))
		return FALSE;
	*status = GPOINTER_TO_INT(value) & 0xf;
	if (arg != NULL)
		*arg = GPOINTER_TO_INT(value) >> 4;
	return TRUE;
}

typedef struct {
	const PxfKsSyntax *syntax;
	const gchar *name;
	GPtrArray *problems;
} KsLint;

G_GNUC_PRINTF(3, 4)
static void
pxf_ks_problem(KsLint *lint, guint line, const gchar *format, ...)
{
	g_autofree gchar *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_ptr_array_add(lint->problems, g_strdup_printf("%s:%u: %s", lint->name, line, message));
}

/* A deprecated or removed command, option or argument is refused like an
 * unknown one: ksvalidator fails on both. */
static void
pxf_ks_check_status(KsLint *lint, guint line, KsStatus status, const gchar *what)
{
	if (status == KS_STATUS_DEPRECATED)
		pxf_ks_problem(lint, line, "%s is deprecated in %s", what, lint->syntax->version);
	else if (status == KS_STATUS_REMOVED)
		pxf_ks_problem(lint, line, "%s was removed in %s", what, lint->syntax->version);
}

/* The options and arguments after argv[0], a known command or section. */
static void
pxf_ks_check_args(KsLint *lint, guint line, gchar **argv)
{
	const gchar *cmd = argv[0];
	KsStatus args_status;
	KsStatus status;
	gboolean has_args;

	if (pxf_ks_lookup(lint->syntax, cmd, "<any>", &status, NULL))
		return;
	has_args = pxf_ks_lookup(lint->syntax, cmd, "<args>", &args_status, NULL);
	for (guint j = 1; argv[j] != NULL; j++) {
		const gchar *tok = argv[j];
		g_autofree gchar *option = NULL;
		g_autofree gchar *what = NULL;
		const gchar *value;
		KsArg arg;

		if (tok[0] != '-' || tok[1] == '\0') {
			if (!has_args)
				pxf_ks_problem(lint, line, "%s takes no argument: '%s'", cmd, tok);
			else
				pxf_ks_check_status(lint, line, args_status,
						    "an argument to the command");
			continue;
		}
		value = strchr(tok, '=');
		option = value != NULL ? g_strndup(tok, value - tok) : g_strdup(tok);
		if (value != NULL)
			value++;
		what = g_strdup_printf("%s %s", cmd, option);
		if (!pxf_ks_lookup(lint->syntax, cmd, option, &status, &arg)) {
			pxf_ks_problem(lint, line, "unknown option %s in %s", what,
				       lint->syntax->version);
			continue;
		}
		pxf_ks_check_status(lint, line, status, what);
		if (arg == KS_ARG_FLAG && value != NULL) {
			pxf_ks_problem(lint, line, "%s takes no value", what);
		} else if (arg == KS_ARG_VALUE) {
			if (value == NULL)
				value = argv[j + 1] != NULL ? argv[++j] : NULL;
			if (value == NULL)
				pxf_ks_problem(lint, line, "%s needs a value", what);
			else if (value[0] == '\0')
				pxf_ks_problem(lint, line, "%s has an empty value", what);
		}
	}
}

GPtrArray *
pxf_ks_lint(const PxfKsSyntax *self, const gchar *name, const gchar *text)
{
	KsLint lint = {self, name, g_ptr_array_new_with_free_func(g_free)};
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autofree gchar *section = NULL;
	guint section_line = 0;

	for (guint i = 0; lines[i] != NULL; i++) {
		g_autofree gchar *line = g_strstrip(g_strdup(lines[i]));
		g_auto(GStrv) argv = NULL;
		g_autoptr(GError) error = NULL;
		KsStatus status;

		if (section != NULL) {
			gsize len = strcspn(line, " \t");
			g_autofree gchar *word = g_strndup(line, len);

			if (g_strcmp0(word, "%end") == 0) {
				g_clear_pointer(&section, g_free);
				continue;
			}
			/* pykickstart ends a section at the next header it knows */
			if (word[0] != '%' || !pxf_ks_lookup(self, word, "-", &status, NULL))
				continue;
			pxf_ks_problem(&lint, section_line,
				       "%s has no %%end (%s follows on line %u)", section, word,
				       i + 1);
			g_clear_pointer(&section, g_free);
		}
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (!g_shell_parse_argv(line, NULL, &argv, &error)) {
			pxf_ks_problem(&lint, i + 1, "cannot split the line: %s", error->message);
			continue;
		}
		if (g_strcmp0(argv[0], "%end") == 0) {
			pxf_ks_problem(&lint, i + 1, "%%end outside a section");
			continue;
		}
		if (!pxf_ks_lookup(self, argv[0], "-", &status, NULL)) {
			pxf_ks_problem(&lint, i + 1, "unknown %s %s in %s",
				       argv[0][0] == '%' ? "section" : "command", argv[0],
				       self->version);
			continue;
		}
		pxf_ks_check_status(&lint, i + 1, status, argv[0]);
		pxf_ks_check_args(&lint, i + 1, argv);
		if (argv[0][0] == '%') {
			section = g_strdup(argv[0]);
			section_line = i + 1;
		} else {
			g_hash_table_add(seen, g_strdup(argv[0]));
		}
	}
	if (section != NULL)
		pxf_ks_problem(&lint, section_line, "%s has no %%end", section);
	for (guint i = 0; i < self->required->len; i++) {
		gchar **group = g_ptr_array_index(self->required, i);
		gboolean found = FALSE;
		g_autofree gchar *names = NULL;

		for (guint j = 0; group[j] != NULL && !found; j++)
			found = g_hash_table_contains(seen, group[j]);
		if (found)
			continue;
		names = g_strjoinv(" or ", group);
		pxf_ks_problem(&lint, 0, "no %s command, which %s requires", names, self->version);
	}
	return lint.problems;
}
