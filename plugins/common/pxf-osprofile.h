/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the OS profile plugins (kickstart, preseed, autoinstall) share: the
 * SHA-512 crypt of passwords, keeping plaintext secrets out of templates,
 * string variables, the install source, and the URL of a host's answer
 * file. A static library linked into each of those plugins; SDK headers
 * only, so it works without a running daemon. */
#pragma once

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

#define PXF_OSPROFILE_ERROR pxf_osprofile_error_quark()
GQuark pxf_osprofile_error_quark(void);

typedef enum {
	PXF_OSPROFILE_ERROR_FAILED,
	PXF_OSPROFILE_ERROR_INVALID,
} PxfOsprofileError;

/* glibc's and libxcrypt's SHA-512 crypt bounds and default. */
#define PXF_OSPROFILE_ROUNDS_MIN     1000
#define PXF_OSPROFILE_ROUNDS_DEFAULT 5000
#define PXF_OSPROFILE_ROUNDS_MAX     999999999

/* "$6$<16 salt chars>$<hash>" (or "$6$rounds=N$..." when rounds is not the
 * default) of password, with a salt from getrandom(2). */
gchar *pxf_osprofile_crypt_sha512(const gchar *password, guint rounds, GError **error);
/* The salt alphabet of crypt(3): ./0-9A-Za-z. */
gboolean pxf_osprofile_is_salt_char(gchar c);
/* Whether text is one crypt(3) hash as a line of an answer file takes it:
 * non-empty, only the salt alphabet, '$' and the ',' and '=' of parameters
 * ("$6$rounds=N$..."), and the '!' or '*' of a locked password; no white
 * space or line break, which would split or end the line it is written in. */
gboolean pxf_osprofile_is_crypt_token(const gchar *text);

/* A non-empty string variable (variants unwrapped), or NULL. */
gchar *pxf_osprofile_var_string(PxfVars *vars, const gchar *name);
/* A boolean variable; a string "true"/"false" counts too; fallback otherwise. */
gboolean pxf_osprofile_var_bool(PxfVars *vars, const gchar *name, gboolean fallback);
/* A list of strings: an array of strings or variants holding strings, or a
 * single non-empty string as a one-item list. Empty items are dropped. */
GStrv pxf_osprofile_var_strv(PxfVars *vars, const gchar *name);

/* Blanks the secret variable name (anything but an empty string); TRUE if
 * there was something to blank. PxfVars cannot remove a name; an empty
 * string renders as nothing and is falsy in sections. */
gboolean pxf_osprofile_scrub_secret(PxfVars *vars, const gchar *name);
/* hash_name from hash_name (kept) or from plain_name (SHA-512 crypt of it),
 * then plain_name blanked in every case. FALSE when hashing failed: the
 * plaintext is blanked anyway and hash_name left unset. *hashed tells
 * whether this call hashed a plaintext (may be NULL). */
gboolean pxf_osprofile_hash_secret(PxfVars *vars,
				   const gchar *plain_name,
				   const gchar *hash_name,
				   guint rounds,
				   gboolean *hashed,
				   GError **error);

/* Checks and normalises a configured URL path such as "distros": no "..",
 * white space, '?' or '#'; slashes at either end dropped. The error names
 * the key's place in the configuration. */
gchar *
pxf_osprofile_config_tree_path(const PxfConfSection *section, const gchar *key, GError **error);
/* Whether text is an URL an installer can fetch a tree from (http://,
 * https://, ftp://, nfs:). */
gboolean pxf_osprofile_is_tree_url(const gchar *text);
/* The install tree of the host's distro: the distro's tree when it is an
 * URL, else the http plugin's http.tree_url, else
 * http.base_url/<tree_path>/<distro.name>/; NULL when none is known. */
gchar *pxf_osprofile_tree_url(PxfVars *vars, const gchar *tree_path);
/* The URL of the host's answer file: the variable ks_url (an operator's own
 * answer file) else the http plugin's install.ks_url; NULL when neither. */
gchar *pxf_osprofile_answer_url(PxfVars *vars);
/* Whether the value holds a line break (a character that would end a line
 * of a line-based answer file early). */
gboolean pxf_osprofile_has_line_break(const gchar *text);

G_END_DECLS
