/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-512 crypt ($6$) of a password, the format /etc/shadow, anaconda's
 * `rootpw --iscrypted`, d-i's `passwd/root-password-crypted` and
 * autoinstall's `identity.password` take, with libcrypt doing the hashing
 * and the kernel's CSPRNG the salt. */
#define G_LOG_DOMAIN "pxf-osprofile"

#include <crypt.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "pxf-osprofile.h"

#define PXF_OSPROFILE_SALT_LEN 16

G_DEFINE_QUARK(pxf - osprofile - error - quark, pxf_osprofile_error)

static const gchar pxf_osprofile_salt_alphabet[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

gboolean
pxf_osprofile_is_salt_char(gchar c)
{
	return c != '\0' && strchr(pxf_osprofile_salt_alphabet, c) != NULL;
}

gboolean
pxf_osprofile_is_crypt_token(const gchar *text)
{
	if (text == NULL || text[0] == '\0')
		return FALSE;
	for (const gchar *p = text; *p != '\0'; p++) {
		if (!pxf_osprofile_is_salt_char(*p) && strchr("$=,!*", *p) == NULL)
			return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_osprofile_random(guint8 *buf, gsize len, GError **error)
{
	gsize done = 0;

	while (done < len) {
		ssize_t n = getrandom(buf + done, len - done, 0);
		if (n < 0) {
			gint saved = errno;
			if (saved == EINTR)
				continue;
			g_set_error(error, PXF_OSPROFILE_ERROR, PXF_OSPROFILE_ERROR_FAILED,
				    "getrandom: %s", g_strerror(saved));
			return FALSE;
		}
		done += (gsize)n;
	}
	return TRUE;
}

gchar *
pxf_osprofile_crypt_sha512(const gchar *password, guint rounds, GError **error)
{
	guint8 raw[PXF_OSPROFILE_SALT_LEN];
	gchar salt[PXF_OSPROFILE_SALT_LEN + 1];
	g_autofree gchar *setting = NULL;
	struct crypt_data *data;
	gchar *result = NULL;
	const gchar *hashed;

	g_return_val_if_fail(password != NULL, NULL);

	if (rounds < PXF_OSPROFILE_ROUNDS_MIN || rounds > PXF_OSPROFILE_ROUNDS_MAX) {
		g_set_error(error, PXF_OSPROFILE_ERROR, PXF_OSPROFILE_ERROR_INVALID,
			    "%u rounds is outside [%u, %u]", rounds, PXF_OSPROFILE_ROUNDS_MIN,
			    PXF_OSPROFILE_ROUNDS_MAX);
		return NULL;
	}
	if (!pxf_osprofile_random(raw, sizeof(raw), error))
		return NULL;
	/* 64 symbols: 6 bits of each random byte pick one without bias */
	for (guint i = 0; i < PXF_OSPROFILE_SALT_LEN; i++)
		salt[i] = pxf_osprofile_salt_alphabet[raw[i] & 0x3f];
	salt[PXF_OSPROFILE_SALT_LEN] = '\0';
	setting = rounds == PXF_OSPROFILE_ROUNDS_DEFAULT
			  ? g_strdup_printf("$6$%s", salt)
			  : g_strdup_printf("$6$rounds=%u$%s", rounds, salt);

	/* struct crypt_data is ~32 KiB: not for the stack */
	data = g_new0(struct crypt_data, 1);
	errno = 0;
	hashed = crypt_rn(password, setting, data, (int)sizeof(*data));
	if (hashed == NULL || hashed[0] == '*') {
		gint saved = errno;
		g_set_error(error, PXF_OSPROFILE_ERROR, PXF_OSPROFILE_ERROR_FAILED,
			    "SHA-512 crypt failed: %s",
			    saved != 0 ? g_strerror(saved) : "libcrypt refused the setting");
	} else {
		result = g_strdup(hashed);
	}
	/* the structure holds the password's intermediate state */
	explicit_bzero(data, sizeof(*data));
	g_free(data);
	return result;
}
