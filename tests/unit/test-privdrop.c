/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE  /* setresuid, getresuid */
#define G_LOG_DOMAIN "pxf-test"

#include "config.h"

#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pxeforge/pxf-plugin-desc.h>

#include "pxf-privdrop.h"

G_DEFINE_AUTO_CLEANUP_FREE_FUNC(cap_t, cap_free, NULL)

/* Dropping privileges is irreversible, so every case that drops runs in a
 * subprocess (g_test_trap_subprocess re-executes this binary as root). */

static gboolean
skip_unless_root(void)
{
	if (geteuid() != 0) {
		g_test_skip("needs root: dropping privileges is only possible as root");
		return TRUE;
	}
	if (getpwnam("nobody") == NULL) {
		g_test_skip("no user “nobody” on this system");
		return TRUE;
	}
	return FALSE;
}

static gboolean
cap_is_set(cap_t caps, cap_value_t cap, cap_flag_t flag)
{
	cap_flag_value_t value = CAP_CLEAR;
	g_assert_cmpint(cap_get_flag(caps, cap, flag, &value), ==, 0);
	return value == CAP_SET;
}

static gboolean
cap_is_effective_now(cap_value_t cap)
{
	g_auto(cap_t) caps = cap_get_proc();
	g_assert_nonnull(caps);
	return cap_is_set(caps, cap, CAP_EFFECTIVE);
}

/* Ports below this need CAP_NET_BIND_SERVICE; 0 (as Docker sets it) or 1
 * means every port is unprivileged and that check cannot be made. */
static guint
unprivileged_port_start(void)
{
	g_autofree gchar *contents = NULL;

	if (!g_file_get_contents("/proc/sys/net/ipv4/ip_unprivileged_port_start", &contents, NULL,
				 NULL))
		return 1024;
	return (guint)g_ascii_strtoull(contents, NULL, 10);
}

/* bind() on 127.0.0.1:@port: 0 or the errno */
static int
try_bind_loopback(guint port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons((guint16)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc;

	g_assert_cmpint(fd, >=, 0);
	rc = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 ? 0 : errno;
	close(fd);
	return rc;
}

/* a free privileged port, found while still root */
static guint
find_free_privileged_port(guint start)
{
	for (guint port = start - 1; port > 0 && port + 200 > start; port--) {
		if (try_bind_loopback(port) == 0)
			return port;
	}
	return 0;
}

static int
try_raw_socket(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void
assert_dropped_to_nobody(void)
{
	struct passwd *pw = getpwnam("nobody");
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	gid_t groups[64];
	int n_groups;

	g_assert_nonnull(pw);
	g_assert_cmpint(getresuid(&ruid, &euid, &suid), ==, 0);
	g_assert_cmpint(getresgid(&rgid, &egid, &sgid), ==, 0);
	g_assert_cmpuint(ruid, ==, pw->pw_uid);
	g_assert_cmpuint(euid, ==, pw->pw_uid);
	g_assert_cmpuint(suid, ==, pw->pw_uid);
	g_assert_cmpuint(rgid, ==, pw->pw_gid);
	g_assert_cmpuint(egid, ==, pw->pw_gid);
	g_assert_cmpuint(sgid, ==, pw->pw_gid);
	g_assert_cmpuint(getuid(), ==, pw->pw_uid);
	g_assert_cmpuint(geteuid(), ==, pw->pw_uid);

	/* root's supplementary groups are gone */
	n_groups = getgroups(G_N_ELEMENTS(groups), groups);
	g_assert_cmpint(n_groups, >=, 0);
	for (int i = 0; i < n_groups; i++)
		g_assert_cmpuint(groups[i], !=, 0);

	g_assert_cmpint(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), ==, 1);
	g_assert_cmpint(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), ==, 0);
	g_assert_cmpint(setuid(0), !=, 0);
}

/* the permitted set equals the effective set equals @keep; nothing else */
static void
assert_caps_exactly(const cap_value_t *keep, gsize n_keep, gboolean bounding_dropped)
{
	g_auto(cap_t) caps = cap_get_proc();
	const cap_value_t never[] = {CAP_SYS_ADMIN,	   CAP_DAC_OVERRIDE, CAP_SETUID,
				     CAP_SETGID,	   CAP_CHOWN,	     CAP_SYS_PTRACE,
				     CAP_NET_BIND_SERVICE, CAP_NET_RAW,	     CAP_NET_ADMIN};

	g_assert_nonnull(caps);
	for (gsize i = 0; i < G_N_ELEMENTS(never); i++) {
		gboolean kept = FALSE;
		for (gsize j = 0; j < n_keep; j++)
			kept |= keep[j] == never[i];
		g_assert_cmpint(cap_is_set(caps, never[i], CAP_EFFECTIVE), ==, kept);
		g_assert_cmpint(cap_is_set(caps, never[i], CAP_PERMITTED), ==, kept);
		g_assert_false(cap_is_set(caps, never[i], CAP_INHERITABLE));
		g_assert_cmpint(cap_get_ambient(never[i]), !=, 1);
		if (bounding_dropped)
			g_assert_cmpint(cap_get_bound(never[i]), ==, kept ? 1 : 0);
	}
	/* and nothing can be raised again */
	{
		g_auto(cap_t) more = cap_dup(caps);
		cap_value_t admin = CAP_SYS_ADMIN;
		g_assert_cmpint(cap_set_flag(more, CAP_PERMITTED, 1, &admin, CAP_SET), ==, 0);
		g_assert_cmpint(cap_set_flag(more, CAP_EFFECTIVE, 1, &admin, CAP_SET), ==, 0);
		g_assert_cmpint(cap_set_proc(more), !=, 0);
	}
}

static void
test_privdrop_keep_net_raw(void)
{
	g_autoptr(GError) error = NULL;
	const cap_value_t keep[] = {CAP_NET_RAW};
	gboolean can_drop_bounding;
	guint start = unprivileged_port_start();
	guint port;

	if (!g_test_subprocess()) {
		if (skip_unless_root())
			return;
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		g_test_trap_assert_passed();
		return;
	}
	can_drop_bounding = cap_is_effective_now(CAP_SETPCAP);
	port = start > 1 ? find_free_privileged_port(start) : 0;

	g_assert_true(pxf_privdrop("nobody", PXF_PLUGIN_CAP_NET_RAW, &error));
	g_assert_no_error(error);

	assert_dropped_to_nobody();
	assert_caps_exactly(keep, G_N_ELEMENTS(keep), can_drop_bounding);
	g_assert_true(cap_is_effective_now(CAP_NET_RAW));

	g_assert_cmpint(try_raw_socket(), ==, 0);
	if (port > 0)
		g_assert_cmpint(try_bind_loopback(port), ==, EACCES);
	else
		g_test_message("every port is unprivileged here: bind check left out");
}

static void
test_privdrop_keep_net_bind_service(void)
{
	g_autoptr(GError) error = NULL;
	const cap_value_t keep[] = {CAP_NET_BIND_SERVICE};
	gboolean can_drop_bounding;
	guint start = unprivileged_port_start();
	guint port;

	if (!g_test_subprocess()) {
		if (skip_unless_root())
			return;
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		g_test_trap_assert_passed();
		return;
	}
	can_drop_bounding = cap_is_effective_now(CAP_SETPCAP);
	port = start > 1 ? find_free_privileged_port(start) : 0;

	g_assert_true(pxf_privdrop("nobody", PXF_PLUGIN_CAP_NET_BIND_SERVICE, &error));
	g_assert_no_error(error);

	assert_dropped_to_nobody();
	assert_caps_exactly(keep, G_N_ELEMENTS(keep), can_drop_bounding);
	g_assert_cmpint(try_raw_socket(), ==, EPERM);
	if (port > 0)
		g_assert_cmpint(try_bind_loopback(port), ==, 0);
}

static void
test_privdrop_keep_nothing(void)
{
	g_autoptr(GError) error = NULL;
	gboolean can_drop_bounding;

	if (!g_test_subprocess()) {
		if (skip_unless_root())
			return;
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		g_test_trap_assert_passed();
		return;
	}
	can_drop_bounding = cap_is_effective_now(CAP_SETPCAP);
	g_assert_true(pxf_privdrop("nobody", PXF_PLUGIN_CAP_NONE, &error));
	g_assert_no_error(error);
	assert_dropped_to_nobody();
	assert_caps_exactly(NULL, 0, can_drop_bounding);
	g_assert_cmpint(try_raw_socket(), ==, EPERM);
}

static void
test_privdrop_unknown_user(void)
{
	g_autoptr(GError) error = NULL;

	if (!g_test_subprocess()) {
		if (skip_unless_root())
			return;
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		g_test_trap_assert_passed();
		return;
	}
	g_assert_false(pxf_privdrop("pxf-no-such-user-4711", PXF_PLUGIN_CAP_NET_RAW, &error));
	g_assert_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_NO_USER);
	g_assert_nonnull(strstr(error->message, "pxf-no-such-user-4711"));
	g_clear_error(&error);

	g_assert_false(pxf_privdrop("root", PXF_PLUGIN_CAP_NONE, &error));
	g_assert_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "root"));

	/* nothing was dropped on the way to those errors */
	g_assert_cmpuint(geteuid(), ==, 0);
	g_assert_true(cap_is_effective_now(CAP_SYS_ADMIN) || cap_is_effective_now(CAP_SETUID));
}

/* Arguments are checked before anything else, as root or not. */
static void
test_privdrop_invalid(void)
{
	g_autoptr(GError) error = NULL;

	g_assert_false(pxf_privdrop("nobody", 1u << 7, &error));
	g_assert_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "0x80"));
	g_clear_error(&error);

	g_assert_false(pxf_privdrop("", 0, &error));
	g_assert_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(pxf_privdrop(NULL, 0, &error));
	g_assert_error(error, PXF_PRIVDROP_ERROR, PXF_PRIVDROP_ERROR_INVALID);
}

/* Without root nothing happens and that is not an error. As root the case
 * first becomes "nobody" by hand, in a subprocess. */
static void
test_privdrop_not_root(void)
{
	g_autoptr(GError) error = NULL;
	uid_t before;

	if (!g_test_subprocess()) {
		if (geteuid() == 0 && getpwnam("nobody") == NULL) {
			g_test_skip("no user “nobody” on this system");
			return;
		}
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		g_test_trap_assert_passed();
		return;
	}
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");
		g_assert_nonnull(pw);
		g_assert_cmpint(setgroups(0, NULL), ==, 0);
		g_assert_cmpint(setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid), ==, 0);
		g_assert_cmpint(setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid), ==, 0);
	}
	before = geteuid();
	g_assert_true(pxf_privdrop("pxf-no-such-user-4711", PXF_PLUGIN_CAP_NET_RAW, &error));
	g_assert_no_error(error);
	g_assert_true(pxf_privdrop("root", PXF_PLUGIN_CAP_NONE, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(geteuid(), ==, before);
	g_assert_cmpuint(getuid(), ==, before);
}

static void
test_privdrop_describe(void)
{
	struct {
		guint32 caps;
		const gchar *text;
	} cases[] = {
		{PXF_PLUGIN_CAP_NONE, "none"},
		{PXF_PLUGIN_CAP_NET_RAW, "cap_net_raw"},
		{PXF_PLUGIN_CAP_NET_BIND_SERVICE | PXF_PLUGIN_CAP_NET_RAW,
		 "cap_net_bind_service,cap_net_raw"},
		{PXF_PLUGIN_CAP_NET_ADMIN | PXF_PLUGIN_CAP_NET_BIND_SERVICE |
			 PXF_PLUGIN_CAP_NET_RAW,
		 "cap_net_bind_service,cap_net_raw,cap_net_admin"},
		{PXF_PLUGIN_CAP_NET_RAW | (1u << 7), "cap_net_raw,0x80"},
		{1u << 31, "0x80000000"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *text = pxf_privdrop_describe_caps(cases[i].caps);
		g_assert_cmpstr(text, ==, cases[i].text);
	}
}

/* What /proc says about the calling thread: "CapBnd" -> "0000000000002000" */
static GHashTable *
thread_status(void)
{
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;
	GHashTable *fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

	g_assert_true(g_file_get_contents("/proc/thread-self/status", &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *colon = strchr(lines[i], ':');
		if (colon != NULL)
			g_hash_table_insert(fields, g_strndup(lines[i], colon - lines[i]),
					    g_strdup(g_strstrip(colon + 1)));
	}
	return fields;
}

typedef struct {
	GMutex lock;
	GCond cond;
	gboolean go;
	GHashTable *status;
} ThreadProbe;

/* Started between pxf_privdrop_prepare() and pxf_privdrop(), as GLib's gmain
 * is in the daemon; reads its own status once the drop is done. */
static gpointer
thread_probe(gpointer data)
{
	ThreadProbe *probe = data;

	g_mutex_lock(&probe->lock);
	while (!probe->go)
		g_cond_wait(&probe->cond, &probe->lock);
	g_mutex_unlock(&probe->lock);
	probe->status = thread_status();
	return NULL;
}

static void
assert_thread_dropped(GHashTable *st, gboolean main_thread)
{
	g_autofree gchar *uid = g_strdup_printf("%u", (guint)getpwnam("nobody")->pw_uid);
	guint64 keep = 1ull << CAP_NET_RAW;
	g_auto(GStrv) uids = g_strsplit_set(g_hash_table_lookup(st, "Uid"), " \t", -1);
	guint64 eff = g_ascii_strtoull(g_hash_table_lookup(st, "CapEff"), NULL, 16);
	guint64 prm = g_ascii_strtoull(g_hash_table_lookup(st, "CapPrm"), NULL, 16);

	g_assert_cmpstr(uids[0], ==, uid);
	g_assert_cmpstr(g_hash_table_lookup(st, "NoNewPrivs"), ==, "1");
	g_assert_cmpuint(g_ascii_strtoull(g_hash_table_lookup(st, "CapInh"), NULL, 16), ==, 0);
	g_assert_cmpuint(g_ascii_strtoull(g_hash_table_lookup(st, "CapAmb"), NULL, 16), ==, 0);
	g_assert_cmpuint(g_ascii_strtoull(g_hash_table_lookup(st, "CapBnd"), NULL, 16) & ~keep, ==,
			 0);
	/* another thread lost its permitted set with the uid change */
	g_assert_cmpuint(eff, ==, main_thread ? keep : eff & keep);
	g_assert_cmpuint(prm, ==, main_thread ? keep : prm & keep);
}

/* A thread started before the drop (GLib's gmain, by a GSocketService in a
 * plugin's init) must end as dropped as the one that drops: no bounding
 * set beyond the kept capabilities, no_new_privs, nothing inheritable. */
static void
test_privdrop_threads(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) self = NULL;
	ThreadProbe probe = {0};
	GThread *thread;

	if (!g_test_subprocess()) {
		if (skip_unless_root())
			return;
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		g_test_trap_assert_passed();
		return;
	}
	if (!cap_is_effective_now(CAP_SETPCAP)) {
		g_test_skip("no CAP_SETPCAP: the bounding set cannot be trimmed here");
		return;
	}
	g_assert_true(pxf_privdrop_prepare(PXF_PLUGIN_CAP_NET_RAW, &error));
	g_assert_no_error(error);
	/* still root until the drop: it may bind privileged ports */
	g_assert_true(cap_is_effective_now(CAP_NET_BIND_SERVICE));
	thread = g_thread_new("probe", thread_probe, &probe);
	g_assert_true(pxf_privdrop("nobody", PXF_PLUGIN_CAP_NET_RAW, &error));
	g_assert_no_error(error);

	g_mutex_lock(&probe.lock);
	probe.go = TRUE;
	g_cond_signal(&probe.cond);
	g_mutex_unlock(&probe.lock);
	g_thread_join(thread);
	assert_thread_dropped(probe.status, FALSE);
	g_hash_table_unref(probe.status);
	self = thread_status();
	assert_thread_dropped(self, TRUE);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/privdrop/describe-caps", test_privdrop_describe);
	g_test_add_func("/core/privdrop/invalid", test_privdrop_invalid);
	g_test_add_func("/core/privdrop/not-root", test_privdrop_not_root);
	g_test_add_func("/core/privdrop/unknown-user", test_privdrop_unknown_user);
	g_test_add_func("/core/privdrop/keep-net-raw", test_privdrop_keep_net_raw);
	g_test_add_func("/core/privdrop/keep-net-bind-service",
			test_privdrop_keep_net_bind_service);
	g_test_add_func("/core/privdrop/keep-nothing", test_privdrop_keep_nothing);
	g_test_add_func("/core/privdrop/threads", test_privdrop_threads);
	return g_test_run();
}
