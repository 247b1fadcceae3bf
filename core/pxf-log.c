/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-log"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pxf-log.h"

/* Written from any thread that logs, hence atomics. */
static gint pxf_log_debug = 0;
static gint pxf_log_journald = 0;
static gsize pxf_log_installed = 0;

static const gchar *
pxf_log_level_to_string(GLogLevelFlags log_level)
{
	if (log_level & G_LOG_LEVEL_ERROR)
		return "error";
	if (log_level & G_LOG_LEVEL_CRITICAL)
		return "critical";
	if (log_level & G_LOG_LEVEL_WARNING)
		return "warning";
	if (log_level & G_LOG_LEVEL_MESSAGE)
		return "message";
	if (log_level & G_LOG_LEVEL_INFO)
		return "info";
	if (log_level & G_LOG_LEVEL_DEBUG)
		return "debug";
	return "log";
}

/* G_MESSAGES_DEBUG is a space or comma separated list of domains, or "all";
 * read on every debug record like GLib does, so a test can change it. */
static gboolean
pxf_log_domain_enabled(const gchar *log_domain)
{
	const gchar *domains = g_getenv("G_MESSAGES_DEBUG");
	g_auto(GStrv) split = NULL;

	if (domains == NULL || domains[0] == '\0')
		return FALSE;
	split = g_strsplit_set(domains, " ,", -1);
	for (guint i = 0; split[i] != NULL; i++) {
		if (g_strcmp0(split[i], "all") == 0)
			return TRUE;
		if (log_domain != NULL && g_strcmp0(split[i], log_domain) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
pxf_log_would_drop(GLogLevelFlags log_level, const gchar *log_domain)
{
	if ((log_level & G_LOG_LEVEL_DEBUG) == 0)
		return FALSE;
	if (g_atomic_int_get(&pxf_log_debug))
		return FALSE;
	return !pxf_log_domain_enabled(log_domain);
}

/* Field values are either NUL-terminated (length < 0) or counted. */
static void
pxf_log_field_value(const GLogField *field, const gchar **value, gsize *len)
{
	*value = field->value;
	if (field->value == NULL)
		*len = 0;
	else if (field->length < 0)
		*len = strlen(field->value);
	else
		*len = (gsize)field->length;
}

static void
pxf_log_append_escaped(GString *out, const gchar *text, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar)text[i];
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			g_string_append_printf(out, "\\x%02x", c);
		else
			g_string_append_c(out, (gchar)c);
	}
}

static gboolean
pxf_log_write_all(int fd, const gchar *buf, gsize len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return FALSE;
		}
		buf += n;
		len -= (gsize)n;
	}
	return TRUE;
}

static GLogWriterOutput
pxf_log_write_stderr(GLogLevelFlags log_level, const GLogField *fields, gsize n_fields)
{
	const gchar *domain = NULL;
	gsize domain_len = 0;
	const gchar *message = NULL;
	gsize message_len = 0;
	const gchar *prgname = g_get_prgname();
	g_autofree gchar *progname = NULL;
	g_autoptr(GString) line = g_string_sized_new(128);

	for (gsize i = 0; i < n_fields; i++) {
		if (g_strcmp0(fields[i].key, "GLIB_DOMAIN") == 0)
			pxf_log_field_value(&fields[i], &domain, &domain_len);
		else if (g_strcmp0(fields[i].key, "MESSAGE") == 0)
			pxf_log_field_value(&fields[i], &message, &message_len);
	}

	/* g_test_init() and some launchers set a full path */
	progname = g_path_get_basename(prgname != NULL ? prgname : "pxeforged");
	g_string_append_printf(line, "%s[%ld]: %s: ", progname, (long)getpid(),
			       pxf_log_level_to_string(log_level));
	if (domain != NULL && domain_len > 0) {
		pxf_log_append_escaped(line, domain, domain_len);
		g_string_append(line, ": ");
	}
	if (message != NULL)
		pxf_log_append_escaped(line, message, message_len);
	else
		g_string_append(line, "(NULL) message");
	g_string_append_c(line, '\n');

	/* One write() per record so that lines from several threads or
	 * processes sharing stderr do not interleave. */
	if (!pxf_log_write_all(STDERR_FILENO, line->str, line->len))
		return G_LOG_WRITER_UNHANDLED;
	return G_LOG_WRITER_HANDLED;
}

static GLogWriterOutput
pxf_log_writer(GLogLevelFlags log_level,
	       const GLogField *fields,
	       gsize n_fields,
	       gpointer user_data)
{
	if (log_level & G_LOG_LEVEL_DEBUG) {
		g_autofree gchar *domain = NULL;
		for (gsize i = 0; i < n_fields; i++) {
			if (g_strcmp0(fields[i].key, "GLIB_DOMAIN") == 0) {
				const gchar *value;
				gsize len;
				pxf_log_field_value(&fields[i], &value, &len);
				domain = value != NULL ? g_strndup(value, len) : NULL;
				break;
			}
		}
		if (pxf_log_would_drop(log_level, domain))
			return G_LOG_WRITER_HANDLED;
	}

	if (g_atomic_int_get(&pxf_log_journald)) {
		if (g_log_writer_journald(log_level, fields, n_fields, user_data) ==
		    G_LOG_WRITER_HANDLED)
			return G_LOG_WRITER_HANDLED;
		/* the journal went away (e.g. restarted): stderr still works */
	}
	return pxf_log_write_stderr(log_level, fields, n_fields);
}

void
pxf_log_set_debug(gboolean debug)
{
	g_atomic_int_set(&pxf_log_debug, debug ? 1 : 0);
	g_log_set_debug_enabled(debug);
}

gboolean
pxf_log_get_debug(void)
{
	return g_atomic_int_get(&pxf_log_debug) != 0;
}

void
pxf_log_init(gboolean debug)
{
	pxf_log_set_debug(debug);
	if (g_once_init_enter(&pxf_log_installed)) {
		g_atomic_int_set(&pxf_log_journald,
				 g_log_writer_is_journald(fileno(stderr)) ? 1 : 0);
		g_log_set_writer_func(pxf_log_writer, NULL, NULL);
		g_once_init_leave(&pxf_log_installed, 1);
	}
}
