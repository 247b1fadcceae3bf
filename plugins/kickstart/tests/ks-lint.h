/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A kickstart checker for the tests: the commands, options and sections one
 * pykickstart version accepts, deprecates and removes, read from
 * tests/data/ksdata/<VERSION>.txt (see the header of those files), and a
 * rendered kickstart checked against them. pykickstart itself is not in
 * Debian 12, so the suite cannot run ksvalidator. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PxfKsSyntax PxfKsSyntax;

/* Loads @path (`COMMAND OPTION STATUS [ARG]` and `@required CMD...` lines);
 * errors name the file and line. */
PxfKsSyntax *pxf_ks_syntax_new_from_file(const gchar *path, GError **error);
void pxf_ks_syntax_free(PxfKsSyntax *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfKsSyntax, pxf_ks_syntax_free)
/* The version the file describes (its base name, e.g. "RHEL9"). */
const gchar *pxf_ks_syntax_get_version(const PxfKsSyntax *self);

/* Checks the kickstart @text against @self: every command and option known
 * and neither deprecated nor removed, values where an option needs one,
 * sections known and closed by %end, and every required command present.
 * Returns the problems as "NAME:LINE: message" strings (empty when none). */
GPtrArray *pxf_ks_lint(const PxfKsSyntax *self, const gchar *name, const gchar *text);

G_END_DECLS
