/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE  /* setresuid, getresuid */
#define G_LOG_DOMAIN "pxf-privdrop"

#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

#include <pxeforge/pxf-plugin-desc.h>

#include "pxf-privdrop.h"

/* clang-format off */
G_DEFINE_QUARK(pxf_privdrop_error_quark, pxf_privdrop_error)
/* clang-format on */

/* cap_t is itself a pointer */
G_DEFINE_AUTO_CLEANUP_FREE_FUNC(cap_t, cap_free, NULL)

static const struct {
	guint32 bit;
	cap_value_t cap;
	const gchar *name;
} pxf_privdrop_caps[] = {
	{PXF_PLUGIN_CAP_NET_BIND_SERVICE, CAP_NET_BIND_SERVICE, "cap_net_bind_service"},
	{PXF_PLUGIN_CAP_NET_RAW, CAP_NET_RAW, "cap_net_raw"},
	{PXF_PLUGIN_CAP_NET_ADMIN, CAP_NET_ADMIN, "cap_net_admin"},
};

static guint32
pxf_privdrop_known_bits(void)
{
	guint32 known = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(pxf_privdrop_caps); i++)
		known |= pxf_privdrop_caps[i].bit;
	return known;
}

gchar *
pxf_privdrop_describe_caps(guint32 caps)
{
	g_autoptr(GString) str = g_string_new(NULL);
	guint32 unknown = caps & ~pxf_privdrop_known_bits();

	for (gsize i = 0; i < G_N_ELEMENTS(pxf_privdrop_caps); i++) {
		if ((caps & pxf_privdrop_caps[i].bit) == 0)
			continue;
		if (str->len > 0)
			g_string_append_c(str, ',');
		g_string_append(str, pxf_privdrop_caps[i].name);
	}
	if (unknown != 0)
		g_string_append_printf(str, "%s0x%x", str->len > 0 ? "," : "", unknown);
	if (str->len == 0)
		g_string_append(str, "none");
	return g_string_free(g_steal_pointer(&str), FALSE);
}

/* getpwnam_r() so that a thread using getpwent() elsewhere cannot clobber
 * the result; the strings point into @buf. */
static gboolean
pxf_privdrop_lookup(const gchar *user, struct passwd *pw, gchar **buf, GError **error)
{
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	struct passwd *result = NULL;
	int rc;

	if (size <= 0)
		size = 16384;
	for (;;) {
		g_free(*buf);
		*buf = g_malloc((gsize)size);
		rc = getpwnam_r(user, pw, *buf, (size_t)size, &result);
		if (rc != ERANGE || size > 1024 * 1024)
			break;
		size *= 2;
	}
	if (rc != 0) {
		g_set_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_FAILED,
			    "cannot look up user “%s”: %s", user, g_strerror(rc));
		return FALSE;
	}
	if (result == NULL) {
		g_set_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_NO_USER,
			    "user “%s” does not exist", user);
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_privdrop_fail(GError **error, int errsv, const gchar *what, const gchar *user)
{
	g_set_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_FAILED,
		    "cannot drop privileges to user “%s”: %s: %s", user, what, g_strerror(errsv));
	return FALSE;
}

/* Defence in depth: what is not in the bounding set can never come back,
 * even through a file capability. Needs CAP_SETPCAP, which a container may
 * not grant, so failures are only logged. Must run while still root. */
static void
pxf_privdrop_bounding(guint32 caps)
{
	guint n_failed = 0;
	int last_errno = 0;

	for (cap_value_t cap = 0; cap < (cap_value_t)cap_max_bits(); cap++) {
		gboolean keep = FALSE;
		for (gsize i = 0; i < G_N_ELEMENTS(pxf_privdrop_caps); i++) {
			if ((caps & pxf_privdrop_caps[i].bit) && pxf_privdrop_caps[i].cap == cap)
				keep = TRUE;
		}
		if (keep || cap_get_bound(cap) != 1)
			continue;
		if (cap_drop_bound(cap) != 0) {
			last_errno = errno;
			n_failed++;
		}
	}
	if (n_failed > 0)
		g_debug("could not remove %u capabilities from the bounding set: %s", n_failed,
			g_strerror(last_errno));
}

static gboolean
pxf_privdrop_set_caps(const gchar *user, guint32 caps, GError **error)
{
	g_auto(cap_t) want = cap_init();
	g_auto(cap_t) have = NULL;
	cap_value_t list[G_N_ELEMENTS(pxf_privdrop_caps)];
	int n = 0;

	if (want == NULL)
		return pxf_privdrop_fail(error, errno, "cap_init", user);
	for (gsize i = 0; i < G_N_ELEMENTS(pxf_privdrop_caps); i++) {
		if (caps & pxf_privdrop_caps[i].bit)
			list[n++] = pxf_privdrop_caps[i].cap;
	}
	/* cap_init() starts with every set empty: inheritable stays empty */
	if (n > 0 && (cap_set_flag(want, CAP_PERMITTED, n, list, CAP_SET) != 0 ||
		      cap_set_flag(want, CAP_EFFECTIVE, n, list, CAP_SET) != 0))
		return pxf_privdrop_fail(error, errno, "cap_set_flag", user);
	if (cap_set_proc(want) != 0) {
		int errsv = errno;
		g_autofree gchar *names = pxf_privdrop_describe_caps(caps);
		g_set_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_FAILED,
			    "cannot keep capabilities %s as user “%s”: %s", names, user,
			    g_strerror(errsv));
		return FALSE;
	}
	/* ambient capabilities survive execve(); ignore kernels without them */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		return pxf_privdrop_fail(error, errno, "clearing ambient capabilities", user);

	have = cap_get_proc();
	if (have == NULL)
		return pxf_privdrop_fail(error, errno, "cap_get_proc", user);
	if (cap_compare(have, want) != 0) {
		g_set_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_FAILED,
			    "cannot drop privileges to user “%s”: capabilities differ after "
			    "setting them",
			    user);
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_privdrop_verify_ids(const gchar *user, uid_t uid, gid_t gid, GError **error)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0)
		return pxf_privdrop_fail(error, errno, "getresuid", user);
	if (ruid != uid || euid != uid || suid != uid || rgid != gid || egid != gid ||
	    sgid != gid) {
		g_set_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_FAILED,
			    "cannot drop privileges to user “%s”: ids are %u/%u/%u:%u/%u/%u", user,
			    (guint)ruid, (guint)euid, (guint)suid, (guint)rgid, (guint)egid,
			    (guint)sgid);
		return FALSE;
	}
	/* the classic check that root cannot be regained */
	if (setuid(0) == 0 || seteuid(0) == 0) {
		g_set_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_FAILED,
			    "cannot drop privileges to user “%s”: root can be regained", user);
		return FALSE;
	}
	return TRUE;
}

/* Capabilities are per thread: threads that exist now keep none after the
 * uid change (no PR_SET_KEEPCAPS there) and get no bounding set trimming. */
static guint
pxf_privdrop_count_threads(void)
{
	g_autoptr(GDir) dir = g_dir_open("/proc/self/task", 0, NULL);
	guint n = 0;

	if (dir == NULL)
		return 0;
	while (g_dir_read_name(dir) != NULL)
		n++;
	return n;
}

static gboolean
pxf_privdrop_check_caps(guint32 caps, GError **error)
{
	if ((caps & ~pxf_privdrop_known_bits()) != 0) {
		g_autofree gchar *names = pxf_privdrop_describe_caps(caps);
		g_set_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_INVALID,
			    "unknown capabilities requested: %s", names);
		return FALSE;
	}
	return TRUE;
}

static gboolean
pxf_privdrop_prepare_fail(GError **error, int errsv, const gchar *what)
{
	g_set_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_FAILED,
		    "cannot prepare the privilege drop: %s: %s", what, g_strerror(errsv));
	return FALSE;
}

/* What threads inherit from the one that creates them and what the uid
 * change does not reset: the bounding set, the inheritable and ambient
 * sets, no_new_privs. Done once per thread, so here while there is one. */
static gboolean
pxf_privdrop_thread_state(guint32 caps, GError **error)
{
	g_auto(cap_t) now = cap_get_proc();

	pxf_privdrop_bounding(caps);
	if (now == NULL || cap_clear_flag(now, CAP_INHERITABLE) != 0 || cap_set_proc(now) != 0)
		return pxf_privdrop_prepare_fail(error, errno, "clearing inheritable capabilities");
	/* ambient capabilities survive execve(); ignore kernels without them */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		return pxf_privdrop_prepare_fail(error, errno, "clearing ambient capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return pxf_privdrop_prepare_fail(error, errno, "PR_SET_NO_NEW_PRIVS");
	return TRUE;
}

gboolean
pxf_privdrop_prepare(guint32 caps, GError **error)
{
	guint n_threads;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!pxf_privdrop_check_caps(caps, error))
		return FALSE;
	if (geteuid() != 0)
		return TRUE;
	n_threads = pxf_privdrop_count_threads();
	if (n_threads > 1)
		g_warning("%u threads already run before the privilege drop: they keep the full "
			  "capability bounding set and may gain privileges through exec",
			  n_threads - 1);
	return pxf_privdrop_thread_state(caps, error);
}

gboolean
pxf_privdrop(const gchar *user, guint32 caps, GError **error)
{
	struct passwd pw = {0};
	g_autofree gchar *buf = NULL;
	g_autofree gchar *names = pxf_privdrop_describe_caps(caps);

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (user == NULL || user[0] == '\0') {
		g_set_error_literal(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_INVALID,
				    "no user to run as");
		return FALSE;
	}
	if (!pxf_privdrop_check_caps(caps, error))
		return FALSE;
	if (geteuid() != 0) {
		g_debug("not running as root (uid %u): nothing to drop, not switching to “%s” "
			"(would keep %s)",
			(guint)geteuid(), user, names);
		return TRUE;
	}

	if (!pxf_privdrop_lookup(user, &pw, &buf, error))
		return FALSE;
	if (pw.pw_uid == 0) {
		g_set_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_INVALID,
			    "user “%s” has uid 0: choose an unprivileged user", user);
		return FALSE;
	}

	/* threads started since pxf_privdrop_prepare() share this; glibc
	 * changes the ids below in every thread, and the kernel clears the
	 * other threads' permitted sets with the uid (no KEEPCAPS there) */
	if (pxf_privdrop_count_threads() > 1)
		g_debug("%u threads run: only this one keeps %s", pxf_privdrop_count_threads(),
			names);
	pxf_privdrop_bounding(caps);
	if (initgroups(pw.pw_name, pw.pw_gid) != 0)
		return pxf_privdrop_fail(error, errno, "initgroups", user);
	/* keep the permitted set across the uid change, then trim it */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
		return pxf_privdrop_fail(error, errno, "PR_SET_KEEPCAPS", user);
	if (setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid) != 0)
		return pxf_privdrop_fail(error, errno, "setresgid", user);
	if (setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) != 0)
		return pxf_privdrop_fail(error, errno, "setresuid", user);
	if (!pxf_privdrop_set_caps(user, caps, error))
		return FALSE;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0)
		return pxf_privdrop_fail(error, errno, "PR_SET_KEEPCAPS", user);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return pxf_privdrop_fail(error, errno, "PR_SET_NO_NEW_PRIVS", user);
	if (!pxf_privdrop_verify_ids(user, pw.pw_uid, pw.pw_gid, error))
		return FALSE;

	g_debug("running as %s (uid %u, gid %u) with capabilities %s", user, (guint)pw.pw_uid,
		(guint)pw.pw_gid, names);
	return TRUE;
}
