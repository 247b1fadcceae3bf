/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the parts of `pxeforge explain` share: the walk, its stages, the
 * steps it records and file.open as a client would ask it. */
#pragma once

#include "pxf-explain.h"

G_BEGIN_DECLS

/* configuration files are shown and parsed; a boot image is not read */
#define PXF_EXPLAIN_MAX_TEXT (64 * 1024)

typedef struct {
	const gchar *name; /* "PXE ROM", "UEFI HTTP boot", "iPXE" */
	gchar *client;	   /* what the synthetic client sends */
	const gchar *firmware;
	gchar *boot_file;
	gchar *boot_server;
	gchar *selected_by;
	gchar *transport;
	gchar *config;
	gchar *config_transport;
	gchar *next; /* what happens after this stage, when not a kernel */
	GPtrArray *kernel;
	GPtrArray *initrd;
	GPtrArray *cmdline;
} PxfExplainStage;

typedef struct {
	PxfCore *core;
	JsonBuilder *b; /* inside the "steps" array */
	const gchar *mac;
	gchar *dashes;
	PxfClient client;
	GPtrArray *stages;  /* PxfExplainStage */
	guint stage;	    /* number of the stage being walked, 0 after the last */
	gboolean http_boot; /* the first stage is a UEFI HTTP boot client */
} PxfExplain;

typedef struct {
	const gchar *decided_by;
	gboolean refused;
	gboolean found;
	gchar *text;	/* the step's result */
	gchar *content; /* the file, when it is text and small */
} PxfExplainFile;

void pxf_explain_file_clear(PxfExplainFile *f);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PxfExplainFile, pxf_explain_file_clear)

/* One step of the walk ("boot.select", "file.open (...)"), in ex's steps. */
void pxf_explain_step(PxfExplain *ex,
		      const gchar *step,
		      const gchar *decided_by,
		      const gchar *result,
		      const gchar *content);
/* Where a loader fetches ref from: the transport and the path file.open
 * gets, ref resolved against base_url or dir; FALSE when it is no path a
 * transport serves. */
gboolean pxf_explain_locate(const gchar *ref,
			    const gchar *transport,
			    const gchar *base_url,
			    const gchar *dir,
			    gchar **transport_out,
			    gchar **path_out);
/* Asks file.open for path as the client would over transport. */
void
pxf_explain_query(PxfExplain *ex, const gchar *transport, const gchar *path, PxfExplainFile *f);
void pxf_explain_file_step(PxfExplain *ex,
			   const gchar *what,
			   const gchar *transport,
			   const PxfExplainFile *f,
			   gboolean show_content);

/* pxf-explain-loads.c: the kernel, initrd and command line a configuration
 * (pxelinux, GRUB, an iPXE script) names, each fetched through file.open. */
void pxf_explain_loads(PxfExplain *ex,
		       PxfExplainStage *st,
		       const gchar *content,
		       const gchar *decided_by,
		       const gchar *transport,
		       const gchar *base_url,
		       const gchar *dir);

G_END_DECLS
