/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing configuration nodes back as YAML files, for the commands that
 * rewrite a conf.d file of their own (`pxeforge hosts import`, `pxeforge
 * import`): block style, two-space indents, long values never folded, UTF-8
 * written as is; scalars quoted only when plain text would read back as
 * something else; the text is read back and compared before anything is
 * written, and the file is replaced atomically. */
#pragma once

#include <glib.h>

#include "pxf-config.h"

G_BEGIN_DECLS

#define PXF_YAML_WRITER_ERROR pxf_yaml_writer_error_quark()
GQuark pxf_yaml_writer_error_quark(void);

typedef enum {
	PXF_YAML_WRITER_ERROR_FAILED,	 /* libyaml refused to emit */
	PXF_YAML_WRITER_ERROR_READ_BACK, /* the text does not read back the same */
} PxfYamlWriterError;

typedef enum {
	PXF_YAML_WRITER_FLAG_NONE = 0,
	/* quote non-plain scalars other YAML readers take for numbers: a
	 * version "6.10" would be the float 6.1 to them */
	PXF_YAML_WRITER_FLAG_QUOTE_NUMBERS = 1 << 0,
} PxfYamlWriterFlags;

/* A scalar node to write: text, plain (unquoted in the source, so "yes"
 * may be a boolean) or not, placed at file:line:column (file may be NULL). */
PxfConfNode *pxf_yaml_writer_scalar_new(
	const gchar *file, guint line, guint column, const gchar *text, gboolean plain);
/* Would text, written plain, read back as null or a boolean? */
gboolean pxf_yaml_writer_text_is_special(const gchar *text);
/* Does all of text parse as a number (g_ascii_strtod)? */
gboolean pxf_yaml_writer_text_is_number(const gchar *text);

/* Appends root as one YAML document to out. A non-plain (quoted) scalar is
 * double-quoted when it is special (and, with QUOTE_NUMBERS, a number);
 * otherwise libyaml quotes it only when plain text would not read back. */
gboolean
pxf_yaml_writer_emit(PxfConfNode *root, PxfYamlWriterFlags flags, GString *out, GError **error);
/* The same content as far as the configuration can tell: equal scalars,
 * and quoted vs plain matters only for special text. */
gboolean pxf_yaml_writer_node_equal(PxfConfNode *a, PxfConfNode *b);

/* The tree of the conf.d file path, to be rewritten: its directory is
 * created when missing (0755), a missing file gives an empty mapping. A
 * file that does not read cleanly is PXF_YAML_WRITER_ERROR_FAILED ("PATH
 * changed while importing; nothing was written"): it was checked before.
 * A directory that cannot be created is G_FILE_ERROR. */
PxfConfNode *pxf_yaml_writer_load(const gchar *path, GError **error);

/* Replaces path with data: a temporary file .NAME.XXXXXX in the same
 * directory (mode: the old file's, else 0644 less the umask), written,
 * fsynced, renamed over path, then the directory fsynced. A crash leaves
 * the old file or the new one, never part of one. I/O errors are
 * G_FILE_ERROR and name the file. */
gboolean
pxf_yaml_writer_write_atomic(const gchar *path, const gchar *data, gsize len, GError **error);

/* header (comment lines, may be NULL) then root as YAML, read back and
 * compared with root, then written with pxf_yaml_writer_write_atomic():
 * nothing is written when the text would not read back the same. */
gboolean pxf_yaml_writer_write_file(const gchar *path,
				    const gchar *header,
				    PxfConfNode *root,
				    PxfYamlWriterFlags flags,
				    GError **error);

G_END_DECLS
