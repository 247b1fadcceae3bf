/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pxeforge explain`: what a loader's configuration loads. The lines of a
 * pxelinux configuration, a grub.cfg or an iPXE script that name a kernel,
 * an initrd or a command line, each fetched through file.open as the
 * loader would. */
#define G_LOG_DOMAIN "pxf-explain"

#include "config.h"

#include <string.h>

#include "pxf-explain-private.h"

/* ---- what a configuration loads ------------------------------------------------------ */

/* The words of a line up to a "||" or "&&" (iPXE's error handling). */
static GPtrArray *
pxf_explain_words(const gchar *line)
{
	g_auto(GStrv) split = g_strsplit_set(line, " \t", -1);
	GPtrArray *words = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; split[i] != NULL; i++) {
		if (split[i][0] == '\0')
			continue;
		if (g_strcmp0(split[i], "||") == 0 || g_strcmp0(split[i], "&&") == 0)
			break;
		g_ptr_array_add(words, g_strdup(split[i]));
	}
	return words;
}

/* The index of the first word from start that is not an option (iPXE's
 * --name x / -n x / --flag, GRUB's --flag); words->len when none. */
static guint
pxf_explain_skip_options(GPtrArray *words, guint start)
{
	guint i = start;

	while (i < words->len) {
		const gchar *w = g_ptr_array_index(words, i);
		if (w[0] != '-')
			break;
		/* options of iPXE's image commands that take a value */
		if ((g_strcmp0(w, "--name") == 0 || g_strcmp0(w, "-n") == 0 ||
		     g_strcmp0(w, "--timeout") == 0 || g_strcmp0(w, "-t") == 0))
			i++;
		i++;
	}
	return i;
}

static gchar *
pxf_explain_join(GPtrArray *words, guint from)
{
	g_autoptr(GString) out = g_string_new(NULL);

	for (guint i = from; i < words->len; i++)
		g_string_append_printf(out, "%s%s", out->len > 0 ? " " : "",
				       (const gchar *)g_ptr_array_index(words, i));
	return g_string_free(g_steal_pointer(&out), FALSE);
}

typedef struct {
	PxfExplain *ex;
	PxfExplainStage *st;
	const gchar *decided_by;
	const gchar *transport; /* the configuration's */
	const gchar *base_url;	/* the configuration's URL, or NULL */
	const gchar *dir;	/* the boot file's directory */
	GHashTable *followed;	/* files already asked for */
} PxfExplainLoads;

/* A kernel or initrd the configuration names: the line, then the file. */
static void
pxf_explain_load(PxfExplainLoads *l, const gchar *what, const gchar *ref)
{
	g_autofree gchar *text = g_strdup_printf("%s %s", what, ref);
	g_autofree gchar *transport = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *key = NULL;
	g_auto(PxfExplainFile) f = {0};

	g_ptr_array_add(g_str_equal(what, "kernel") ? l->st->kernel : l->st->initrd, g_strdup(ref));
	pxf_explain_step(l->ex, "boot.loads", l->decided_by, text, NULL);
	if (!pxf_explain_locate(ref, l->transport, l->base_url, l->dir, &transport, &path))
		return;
	key = g_strdup_printf("%s %s", transport, path);
	if (!g_hash_table_add(l->followed, g_steal_pointer(&key)))
		return;
	pxf_explain_query(l->ex, transport, path, &f);
	pxf_explain_file_step(l->ex, what, transport, &f, FALSE);
}

static void
pxf_explain_cmdline(PxfExplainLoads *l, const gchar *cmdline)
{
	g_autofree gchar *text = NULL;

	if (cmdline[0] == '\0')
		return;
	text = g_strdup_printf("cmdline %s", cmdline);
	g_ptr_array_add(l->st->cmdline, g_strdup(cmdline));
	pxf_explain_step(l->ex, "boot.loads", l->decided_by, text, NULL);
}

/* One line of a pxelinux, GRUB or iPXE configuration; TRUE when it names a
 * kernel. The keywords are the loaders' (case does not matter to pxelinux). */
static gboolean
pxf_explain_line(PxfExplainLoads *l, const gchar *line)
{
	g_autoptr(GPtrArray) words = pxf_explain_words(line);
	g_autofree gchar *keyword = NULL;
	guint i;

	if (words->len < 2)
		return FALSE;
	keyword = g_ascii_strdown(g_ptr_array_index(words, 0), -1);
	if (g_str_equal(keyword, "kernel") || g_str_equal(keyword, "linux") ||
	    g_str_equal(keyword, "linuxefi") || g_str_equal(keyword, "linux16")) {
		g_autofree gchar *rest = NULL;
		i = pxf_explain_skip_options(words, 1);
		if (i >= words->len)
			return FALSE;
		pxf_explain_load(l, "kernel", g_ptr_array_index(words, i));
		rest = pxf_explain_join(words, i + 1);
		pxf_explain_cmdline(l, rest);
		return TRUE;
	}
	if (g_str_equal(keyword, "initrd") || g_str_equal(keyword, "initrdefi") ||
	    g_str_equal(keyword, "initrd16")) {
		for (i = pxf_explain_skip_options(words, 1); i < words->len; i++) {
			g_auto(GStrv) list = g_strsplit(g_ptr_array_index(words, i), ",", -1);
			for (guint j = 0; list[j] != NULL; j++) {
				if (list[j][0] != '\0')
					pxf_explain_load(l, "initrd", list[j]);
			}
		}
		return FALSE;
	}
	/* pxelinux: the command line, with the initrds in it */
	if (g_str_equal(keyword, "append")) {
		g_autofree gchar *rest = pxf_explain_join(words, 1);
		for (i = 1; i < words->len; i++) {
			const gchar *w = g_ptr_array_index(words, i);
			if (g_ascii_strncasecmp(w, "initrd=", 7) == 0) {
				g_auto(GStrv) list = g_strsplit(w + 7, ",", -1);
				for (guint j = 0; list[j] != NULL; j++) {
					if (list[j][0] != '\0')
						pxf_explain_load(l, "initrd", list[j]);
				}
			}
		}
		pxf_explain_cmdline(l, rest);
		return FALSE;
	}
	/* iPXE: arguments given to a loaded image */
	if (g_str_equal(keyword, "imgargs") && words->len > 2) {
		g_autofree gchar *rest = pxf_explain_join(words, 2);
		pxf_explain_cmdline(l, rest);
	}
	return FALSE;
}

void
pxf_explain_loads(PxfExplain *ex,
		  PxfExplainStage *st,
		  const gchar *content,
		  const gchar *decided_by,
		  const gchar *transport,
		  const gchar *base_url,
		  const gchar *dir)
{
	g_auto(GStrv) lines = g_strsplit(content, "\n", -1);
	g_autoptr(GHashTable) followed =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	PxfExplainLoads l = {.ex = ex,
			     .st = st,
			     .decided_by = decided_by,
			     .transport = transport,
			     .base_url = base_url,
			     .dir = dir,
			     .followed = followed};
	gboolean any = FALSE;

	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = lines[i];
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '#' || *line == '\0')
			continue;
		g_strchomp(lines[i]);
		if (pxf_explain_line(&l, line))
			any = TRUE;
	}
	if (!any) {
		pxf_explain_step(ex, "boot.loads", decided_by,
				 "no kernel line: it boots its local disk or goes on to its next "
				 "boot device",
				 NULL);
		pxf_set_string(&st->next, "no kernel: local disk or next boot device");
	}
}
