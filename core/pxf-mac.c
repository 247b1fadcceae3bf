/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-inventory"

#include "pxf-inventory-private.h"

#include <string.h>

/* Syntax of the identifiers a host is known by: MAC, IPv4, SMBIOS UUID and
 * host name. Messages quote the input and say what exactly is wrong, because
 * they end up next to a file:line:column in `pxeforge check`. */

#define PXF_ADDR_TEXT_MAX 128

static gboolean
pxf_addr_check_length(const gchar *text, const gchar *what, GError **error)
{
	if (text == NULL || text[0] == '\0') {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID, "empty %s",
			    what);
		return FALSE;
	}
	if (strnlen(text, PXF_ADDR_TEXT_MAX + 1) > PXF_ADDR_TEXT_MAX) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "%s is longer than %u characters", what, (guint)PXF_ADDR_TEXT_MAX);
		return FALSE;
	}
	if (!g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "%s is not valid UTF-8", what);
		return FALSE;
	}
	return TRUE;
}

/* Reports the first character that is not a hex digit, quoting it whole even
 * when it is a multi-byte UTF-8 sequence. */
static gboolean
pxf_mac_check_hex(const gchar *orig, const gchar *group, GError **error)
{
	for (const gchar *p = group; *p != '\0'; p = g_utf8_next_char(p)) {
		if (!g_ascii_isxdigit(*p)) {
			g_autofree gchar *ch = g_strndup(p, g_utf8_next_char(p) - p);
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s': '%s' is not a hexadecimal digit", orig, ch);
			return FALSE;
		}
	}
	return TRUE;
}

static gchar *
pxf_mac_from_hex12(const gchar *orig, const gchar *hex, GError **error)
{
	static const gchar *const zero = "000000000000";
	static const gchar *const bcast = "ffffffffffff";
	g_autofree gchar *lower = g_ascii_strdown(hex, -1);
	GString *out;

	if (g_strcmp0(lower, zero) == 0) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' is the all-zero address, not a network card", orig);
		return NULL;
	}
	if (g_strcmp0(lower, bcast) == 0) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' is the broadcast address, not a network card", orig);
		return NULL;
	}
	out = g_string_sized_new(18);
	for (guint i = 0; i < 12; i += 2) {
		if (i > 0)
			g_string_append_c(out, ':');
		g_string_append_len(out, lower + i, 2);
	}
	return g_string_free(out, FALSE);
}

/* aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF and pxelinux's 01-aa-bb-cc-dd-ee-ff */
static gchar *
pxf_mac_parse_separated(const gchar *orig, const gchar *text, gchar sep, GError **error)
{
	gchar seps[2] = {sep, '\0'};
	g_auto(GStrv) groups = g_strsplit(text, seps, -1);
	g_autoptr(GString) hex = g_string_new(NULL);
	guint n = g_strv_length(groups);
	guint first = 0;

	if (strchr(text, sep == ':' ? '-' : ':') != NULL) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' mixes ':' and '-' separators", orig);
		return NULL;
	}
	/* pxelinux prefixes the ARP hardware type, 01 for Ethernet */
	if (sep == '-' && n == 7 && g_strcmp0(groups[0], "01") == 0)
		first = 1;
	if (n - first != 6) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' has %u octets, expected 6", orig, n - first);
		return NULL;
	}
	for (guint i = first; i < n; i++) {
		if (!pxf_mac_check_hex(orig, groups[i], error))
			return NULL;
		if (strlen(groups[i]) != 2) {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s': octet %u '%s' must be two hex digits", orig,
				    i - first + 1, groups[i]);
			return NULL;
		}
		g_string_append(hex, groups[i]);
	}
	return pxf_mac_from_hex12(orig, hex->str, error);
}

/* Cisco's aabb.ccdd.eeff */
static gchar *
pxf_mac_parse_cisco(const gchar *orig, const gchar *text, GError **error)
{
	g_auto(GStrv) groups = g_strsplit(text, ".", -1);
	g_autoptr(GString) hex = g_string_new(NULL);
	guint n = g_strv_length(groups);

	if (n != 3) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' has %u dot-separated groups, expected 3 groups of 4 hex "
			    "digits (aabb.ccdd.eeff)",
			    orig, n);
		return NULL;
	}
	for (guint i = 0; i < n; i++) {
		if (!pxf_mac_check_hex(orig, groups[i], error))
			return NULL;
		if (strlen(groups[i]) != 4) {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s': group %u '%s' must be four hex digits", orig, i + 1,
				    groups[i]);
			return NULL;
		}
		g_string_append(hex, groups[i]);
	}
	return pxf_mac_from_hex12(orig, hex->str, error);
}

gchar *
pxf_mac_normalize(const gchar *text, GError **error)
{
	g_autofree gchar *stripped = NULL;
	gsize len;

	if (!pxf_addr_check_length(text, "MAC address", error))
		return NULL;
	stripped = g_strstrip(g_strdup(text));
	if (strchr(stripped, ':') != NULL)
		return pxf_mac_parse_separated(text, stripped, ':', error);
	if (strchr(stripped, '-') != NULL)
		return pxf_mac_parse_separated(text, stripped, '-', error);
	if (strchr(stripped, '.') != NULL)
		return pxf_mac_parse_cisco(text, stripped, error);
	if (!pxf_mac_check_hex(text, stripped, error))
		return NULL;
	len = strlen(stripped);
	if (len != 12) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' has %" G_GSIZE_FORMAT " hex digits, expected 12", text, len);
		return NULL;
	}
	return pxf_mac_from_hex12(text, stripped, error);
}

gchar *
pxf_mac_to_dashes(const gchar *mac)
{
	gchar *copy;

	g_return_val_if_fail(mac != NULL, NULL);
	copy = g_strdup(mac);
	g_strdelimit(copy, ":", '-');
	return copy;
}

gchar *
pxf_ipv4_normalize(const gchar *text, GError **error)
{
	g_auto(GStrv) parts = NULL;
	guint octets[4] = {0};
	guint n;

	if (!pxf_addr_check_length(text, "IPv4 address", error))
		return NULL;
	if (strchr(text, ':') != NULL) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' looks like an IPv6 address; a fixed address must be IPv4", text);
		return NULL;
	}
	parts = g_strsplit(text, ".", -1);
	n = g_strv_length(parts);
	if (n != 4) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' has %u parts, expected 4 (dotted-quad IPv4 address)", text, n);
		return NULL;
	}
	for (guint i = 0; i < 4; i++) {
		const gchar *part = parts[i];
		gsize len = strlen(part);
		guint value = 0;

		if (len == 0) {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s': part %u is empty", text, i + 1);
			return NULL;
		}
		for (gsize j = 0; j < len; j++) {
			if (!g_ascii_isdigit(part[j])) {
				g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
					    "'%s': part %u '%s' is not a decimal number", text,
					    i + 1, part);
				return NULL;
			}
		}
		if (len > 1 && part[0] == '0') {
			/* inet_aton() would read this as octal */
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s': part %u '%s' has a leading zero", text, i + 1, part);
			return NULL;
		}
		if (len > 3) {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s': part %u '%s' is out of range 0-255", text, i + 1, part);
			return NULL;
		}
		for (gsize j = 0; j < len; j++)
			value = value * 10 + (guint)(part[j] - '0');
		if (value > 255) {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s': part %u '%s' is out of range 0-255", text, i + 1, part);
			return NULL;
		}
		octets[i] = value;
	}
	if (octets[0] == 0 || octets[0] == 127 || octets[0] >= 224) {
		const gchar *why = octets[0] == 0     ? "in 0.0.0.0/8 (\"this network\")"
				   : octets[0] == 127 ? "a loopback address"
				   : octets[0] < 240  ? "a multicast address"
						      : "a reserved or broadcast address";
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' is %s, not a host address", text, why);
		return NULL;
	}
	return g_strdup_printf("%u.%u.%u.%u", octets[0], octets[1], octets[2], octets[3]);
}

gchar *
pxf_uuid_normalize(const gchar *text, GError **error)
{
	static const guint dashes[] = {8, 13, 18, 23};
	gsize len;
	g_autofree gchar *lower = NULL;

	if (!pxf_addr_check_length(text, "UUID", error))
		return NULL;
	len = strlen(text);
	if (len != 36) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' has %" G_GSIZE_FORMAT " characters, expected 36 "
			    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
			    text, len);
		return NULL;
	}
	for (guint i = 0; i < 36; i++) {
		gboolean want_dash = FALSE;
		for (guint j = 0; j < G_N_ELEMENTS(dashes); j++)
			want_dash |= dashes[j] == i;
		if (want_dash && text[i] != '-') {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s': expected '-' at position %u "
				    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
				    text, i + 1);
			return NULL;
		}
		if (!want_dash && !g_ascii_isxdigit(text[i])) {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s': '%c' at position %u is not a hexadecimal digit", text,
				    text[i], i + 1);
			return NULL;
		}
	}
	lower = g_ascii_strdown(text, -1);
	/* what firmware reports when the vendor did not set a UUID: many
	 * machines would share it */
	if (g_strcmp0(lower, "00000000-0000-0000-0000-000000000000") == 0 ||
	    g_strcmp0(lower, "ffffffff-ffff-ffff-ffff-ffffffffffff") == 0) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' is the placeholder UUID of firmware that has none", text);
		return NULL;
	}
	return g_steal_pointer(&lower);
}

gchar *
pxf_client_id_normalize(const gchar *text, GError **error)
{
	g_autoptr(GString) hex = g_string_new(NULL);

	if (text == NULL || text[0] == '\0') {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "empty client identifier");
		return NULL;
	}
	/* ':' or '-' may separate the bytes, as MAC addresses are written */
	for (const gchar *c = text; *c != '\0'; c++) {
		if (*c == ':' || *c == '-')
			continue;
		if (!g_ascii_isxdigit(*c)) {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%.64s': '%c' at position %u is not a hexadecimal digit", text,
				    *c, (guint)(c - text) + 1);
			return NULL;
		}
		/* option 61 holds at most 255 bytes */
		if (hex->len == 510) {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%.64s…' is longer than 255 bytes", text);
			return NULL;
		}
		g_string_append_c(hex, g_ascii_tolower(*c));
	}
	/* RFC 2132 9.14: a type byte and at least one byte of identifier */
	if (hex->len % 2 != 0 || hex->len < 4) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "'%s' is not 2 to 255 bytes in hexadecimal (a type byte, then the "
			    "identifier: 01:52:54:00:12:34:56)",
			    text);
		return NULL;
	}
	return g_string_free(g_steal_pointer(&hex), FALSE);
}

gboolean
pxf_hostname_validate(const gchar *text, GError **error)
{
	g_auto(GStrv) labels = NULL;
	gsize len;

	if (!pxf_addr_check_length(text, "host name", error))
		return FALSE;
	len = strlen(text);
	/* 253 is the longest name that fits in DNS's 255-octet wire format */
	if (len > 253) {
		g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
			    "host name is %" G_GSIZE_FORMAT " characters long, at most 253 "
			    "allowed",
			    len);
		return FALSE;
	}
	labels = g_strsplit(text, ".", -1);
	for (guint i = 0; labels[i] != NULL; i++) {
		const gchar *label = labels[i];
		gsize llen = strlen(label);

		if (llen == 0) {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s' has an empty label", text);
			return FALSE;
		}
		if (llen > 63) {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s': label %u is %" G_GSIZE_FORMAT " characters long, at "
				    "most 63 allowed",
				    text, i + 1, llen);
			return FALSE;
		}
		for (const gchar *p = label; *p != '\0'; p = g_utf8_next_char(p)) {
			if (!g_ascii_isalnum(*p) && *p != '-') {
				g_autofree gchar *ch = g_strndup(p, g_utf8_next_char(p) - p);
				g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
					    "'%s': '%s' is not allowed in a host name (letters, "
					    "digits and '-' only, RFC 1123)",
					    text, ch);
				return FALSE;
			}
		}
		if (label[0] == '-' || label[llen - 1] == '-') {
			g_set_error(error, PXF_INVENTORY_ERROR, PXF_INVENTORY_ERROR_INVALID,
				    "'%s': label '%s' starts or ends with '-'", text, label);
			return FALSE;
		}
	}
	return TRUE;
}

/* Suggestions for misspelt keys and names in diagnostics. */

/* Optimal string alignment distance (Levenshtein plus adjacent swaps, the
 * most common typo), ASCII case-insensitive. */
static guint
pxf_edit_distance(const gchar *a, const gchar *b)
{
	gsize la = strlen(a);
	gsize lb = strlen(b);
	g_autofree guint *d = NULL;
	guint result;

	if (la > 64 || lb > 64)
		return G_MAXUINT;
	d = g_new0(guint, (la + 1) * (lb + 1));
#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (gsize i = 0; i <= la; i++)
		D(i, 0) = i;
	for (gsize j = 0; j <= lb; j++)
		D(0, j) = j;
	for (gsize i = 1; i <= la; i++) {
		for (gsize j = 1; j <= lb; j++) {
			guint cost = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]) ? 0 : 1;
			guint best = MIN(D(i - 1, j) + 1, D(i, j - 1) + 1);
			best = MIN(best, D(i - 1, j - 1) + cost);
			if (i > 1 && j > 1 &&
			    g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 2]) &&
			    g_ascii_tolower(a[i - 2]) == g_ascii_tolower(b[j - 1]))
				best = MIN(best, D(i - 2, j - 2) + 1);
			D(i, j) = best;
		}
	}
	result = D(la, lb);
#undef D
	return result;
}

const gchar *
pxf_inventory_suggest(const gchar *word, const gchar *const *candidates)
{
	const gchar *best = NULL;
	guint best_dist = G_MAXUINT;
	gsize len = strlen(word);
	guint limit = len <= 3 ? 1 : len <= 8 ? 2 : 3;

	for (guint i = 0; candidates != NULL && candidates[i] != NULL; i++) {
		guint dist = pxf_edit_distance(word, candidates[i]);
		if (dist < best_dist) {
			best_dist = dist;
			best = candidates[i];
		}
	}
	return best_dist <= limit ? best : NULL;
}
