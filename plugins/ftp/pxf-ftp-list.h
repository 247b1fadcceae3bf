/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How files are described on the wire: LIST's ls -l lines, NLST's names,
 * the machine-readable facts of MLSD/MLST (RFC 3659 section 7) and MDTM's
 * time-val. */
#pragma once

#include <glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* The facts MLSD/MLST can show; OPTS MLST picks some of them. */
typedef enum {
	PXF_FTP_FACT_TYPE = 1 << 0,
	PXF_FTP_FACT_SIZE = 1 << 1,
	PXF_FTP_FACT_MODIFY = 1 << 2,
	PXF_FTP_FACT_PERM = 1 << 3,
	PXF_FTP_FACT_UNIQUE = 1 << 4,
	PXF_FTP_FACT_ALL = (1 << 5) - 1,
} PxfFtpFacts;

/* "YYYYMMDDHHMMSS" in UTC (RFC 3659 time-val); buf holds 15 bytes. */
void pxf_ftp_time_val(time_t t, gchar buf[15]);

/* One "-r--r--r-- 1 ftp ftp SIZE Mon DD HH:MM NAME\r\n" line; now decides
 * between the time and the year form, as ls does for six months. */
void pxf_ftp_list_append_line(GString *out, const gchar *name, const struct stat *st, time_t now);

/* "type=file;size=N;modify=...;perm=r;unique=...; NAME" without a line end;
 * type is "file", "dir", "cdir" or "pdir" as the caller knows best (NULL:
 * from st). */
void pxf_ftp_facts_append(GString *out,
			  PxfFtpFacts facts,
			  const gchar *type,
			  const gchar *name,
			  const struct stat *st);

/* The FEAT line of MLST: "type*;size*;modify*;perm*;unique*;" with '*'
 * after the facts shown. */
gchar *pxf_ftp_facts_feature(PxfFtpFacts facts);

/* Parses OPTS MLST's argument ("type;size;" or empty): the known facts it
 * names, the rest ignored as RFC 3659 wants. */
PxfFtpFacts pxf_ftp_facts_parse(const gchar *list);

G_END_DECLS
