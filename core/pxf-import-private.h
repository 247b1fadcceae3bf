/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pxf-config.h"
#include "pxf-import.h"

G_BEGIN_DECLS

/* pxf-import-detect.c, for the parsers: replace a field of a medium (take
 * owns value), and record a checksum ("sha256:HEX") for a file of it. */
void pxf_import_medium_take(gchar **field, gchar *value);
void pxf_import_medium_set(gchar **field, const gchar *value);
void pxf_import_medium_add_checksum(PxfImportMedium *medium, const gchar *path, gchar *sum);

/* pxf-import-unpack.c: reading a medium with libarchive. */
typedef struct {
	const gchar *label; /* the source as the user wrote it */
	gchar *source;	    /* its real path */
	gboolean is_dir;
	guint max_entries;
	guint64 n_entries;
	guint64 n_bytes;
	GPtrArray *links; /* normalized names of symbolic links */
} PxfImportReader;

void pxf_import_reader_clear(PxfImportReader *r);
/* Opens r->label: an ISO 9660 image (its size checked against its volume
 * descriptor) or a directory (which must not contain store). */
gboolean pxf_import_reader_open(PxfImportReader *r, const gchar *store, GError **error);
/* Pass 1: every entry checked and counted (r->n_entries, r->n_bytes), the
 * metadata files read; nothing written. */
PxfImportListing *pxf_import_reader_list(PxfImportReader *r, GError **error);
/* Pass 2: everything unpacked under root (an existing, link-free path);
 * r->links gets the names of the symbolic links. */
gboolean pxf_import_reader_unpack(PxfImportReader *r, const gchar *root, GError **error);
/* rm -rf without following links */
void pxf_import_remove_tree(const gchar *dir);

/* pxf-import-config.c: the configuration side of an import. */

/* The distro's MAP node: kernel, initrd, tree and variables, with paths
 * under dir (the distro's directory in the store). */
PxfConfNode *pxf_import_distro_node(const gchar *file, const gchar *dir, PxfImportMedium *medium);

/* An EXISTS error when a distro NAME is defined anywhere in config_dir. */
gboolean pxf_import_config_check_name(const gchar *config_dir, const gchar *name, GError **error);

/* Adds distro as NAME to the configuration in config_dir and validates it
 * all (inventory rules); with write, also to conf.d/80-distros.yaml,
 * atomically. A name that is taken anywhere is an EXISTS error naming where;
 * any error in the configuration is a CONFIG error with diags. */
gboolean pxf_import_config_add(const gchar *config_dir,
			       const gchar *name,
			       PxfConfNode *distro,
			       gboolean write,
			       GPtrArray *diags,
			       gchar **path,
			       GError **error);

G_END_DECLS
