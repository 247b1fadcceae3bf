/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Listing formats. Times are UTC everywhere so that MDTM, MLSD and LIST
 * agree whatever the daemon's time zone. */
#define G_LOG_DOMAIN "pxf-ftp"

#include "pxf-ftp-list.h"

#include <string.h>
#include <time.h>

static const struct {
	const gchar *name;
	PxfFtpFacts fact;
} pxf_ftp_fact_names[] = {
	{"type", PXF_FTP_FACT_TYPE},	 {"size", PXF_FTP_FACT_SIZE},
	{"modify", PXF_FTP_FACT_MODIFY}, {"perm", PXF_FTP_FACT_PERM},
	{"unique", PXF_FTP_FACT_UNIQUE},
};

void
pxf_ftp_time_val(time_t t, gchar buf[15])
{
	struct tm tm;

	/* four digits of year: anything else is shown as the epoch */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 70;
		tm.tm_mday = 1;
	}
	g_snprintf(buf, 15, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
pxf_ftp_list_append_line(GString *out, const gchar *name, const struct stat *st, time_t now)
{
	static const gchar *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	/* ls's "recent": within six months, not in the future */
	const time_t half_year = (time_t)(365.2425 * 24 * 3600 / 2);
	gboolean is_dir = S_ISDIR(st->st_mode);
	time_t mtime = st->st_mtime;
	struct tm tm;

	if (gmtime_r(&mtime, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	g_string_append_printf(out, "%s %3u ftp      ftp      %12" G_GUINT64_FORMAT " %s %2d ",
			       is_dir ? "dr-xr-xr-x" : "-r--r--r--", is_dir ? 2u : 1u,
			       is_dir ? (guint64)4096 : (guint64)st->st_size,
			       months[tm.tm_mon % 12], tm.tm_mday);
	if (mtime <= now && now - mtime < half_year)
		g_string_append_printf(out, "%02d:%02d", tm.tm_hour, tm.tm_min);
	else
		g_string_append_printf(out, " %4d", tm.tm_year + 1900);
	g_string_append_printf(out, " %s\r\n", name);
}

void
pxf_ftp_facts_append(GString *out,
		     PxfFtpFacts facts,
		     const gchar *type,
		     const gchar *name,
		     const struct stat *st)
{
	gboolean is_dir = S_ISDIR(st->st_mode);

	if (type == NULL)
		type = is_dir ? "dir" : "file";
	if (facts & PXF_FTP_FACT_TYPE)
		g_string_append_printf(out, "type=%s;", type);
	if ((facts & PXF_FTP_FACT_SIZE) && !is_dir)
		g_string_append_printf(out, "size=%" G_GUINT64_FORMAT ";", (guint64)st->st_size);
	if (facts & PXF_FTP_FACT_MODIFY) {
		gchar buf[15];
		pxf_ftp_time_val(st->st_mtime, buf);
		g_string_append_printf(out, "modify=%s;", buf);
	}
	if (facts & PXF_FTP_FACT_PERM)
		/* read-only: files can be retrieved, directories entered and listed */
		g_string_append(out, is_dir ? "perm=el;" : "perm=r;");
	if (facts & PXF_FTP_FACT_UNIQUE)
		g_string_append_printf(out,
				       "unique=%" G_GINT64_MODIFIER "xU%" G_GINT64_MODIFIER "x;",
				       (guint64)st->st_dev, (guint64)st->st_ino);
	g_string_append_printf(out, " %s", name);
}

gchar *
pxf_ftp_facts_feature(PxfFtpFacts facts)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < G_N_ELEMENTS(pxf_ftp_fact_names); i++)
		g_string_append_printf(out, "%s%s;", pxf_ftp_fact_names[i].name,
				       (facts & pxf_ftp_fact_names[i].fact) ? "*" : "");
	return g_string_free(out, FALSE);
}

PxfFtpFacts
pxf_ftp_facts_parse(const gchar *list)
{
	g_auto(GStrv) names = g_strsplit(list != NULL ? list : "", ";", 32);
	PxfFtpFacts facts = 0;

	for (guint i = 0; names[i] != NULL; i++) {
		for (guint j = 0; j < G_N_ELEMENTS(pxf_ftp_fact_names); j++) {
			if (g_ascii_strcasecmp(names[i], pxf_ftp_fact_names[j].name) == 0)
				facts |= pxf_ftp_fact_names[j].fact;
		}
	}
	return facts;
}
