/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A simulated file system layer for the file store's crash tests, used as
 * its PxfStoreFileOps; included by test-store.c only (static functions).
 *
 * It works on a real directory, so the store's reads and listings after a
 * "reboot" see exactly what the simulation left, and keeps the bookkeeping
 * a kernel keeps between a change and its durability:
 *
 *  - per file (inode): the durable content, taken when the file is fsynced;
 *    the page-cache content is whatever the real file holds now;
 *  - per directory: the durable entries (name → inode), taken when the
 *    directory is fsynced; the current entries are the real directory.
 *
 * Every call is recorded (so the order of fsync, rename and link can be
 * checked) and counted; with crash_after = N, call N+1 and every later one
 * fail with EIO, as if the process had died there. sim_power_loss() then
 * rewrites the real directory to what a disk would hold after losing power:
 * unsynced directory changes rolled back (or all kept, in the other model),
 * and every file holding only its durable content — a file never fsynced
 * is empty, the classic result of a rename without an fsync. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pxf-store.h"

typedef enum {
	SIM_OPEN,
	SIM_WRITE,
	SIM_FSYNC,
	SIM_CLOSE,
	SIM_RENAME,
	SIM_UNLINK,
	SIM_LINK,
	SIM_MKDIR,
	SIM_READ,
} SimOp;

typedef struct {
	SimOp op;
	gchar *path;  /* canonical; for fd calls, the path the fd was opened as */
	gchar *path2; /* rename, link: the target */
	gboolean is_dir;
	int result; /* 0, or the errno returned */
} SimCall;

/* What the power loss does to directory changes that were never synced;
 * a real file system may do either, or a mix, so both are tested. */
typedef enum {
	SIM_LOSE_UNSYNCED_ENTRIES, /* rolled back to the last directory fsync */
	SIM_KEEP_UNSYNCED_ENTRIES, /* all made it (a journal commit did them) */
} SimLossModel;

typedef struct {
	guint64 ino;
	gboolean is_dir;
} SimEntry;

typedef struct {
	gchar *root;
	GPtrArray *calls; /* SimCall* */
	guint steps;
	gint crash_after; /* -1: never */
	gboolean crashed;
	/* a disk that acknowledges fsync without doing it: shows that the
	 * checks do detect loss */
	gboolean lie_file_fsync;
	gboolean lie_dir_fsync;
	/* writes of at most 7 bytes, every third one interrupted */
	gboolean short_writes;
	guint writes;
	GHashTable *fds;	  /* fd → canonical path */
	GHashTable *durable_data; /* inode → GBytes */
	GHashTable *durable_dirs; /* canonical dir path → GHashTable name → SimEntry */
	GHashTable *pins;	  /* inode → fd held so the number is never reused */
} Sim;

static Sim sim;

static void
sim_call_free(SimCall *call)
{
	g_free(call->path);
	g_free(call->path2);
	g_free(call);
}

static gchar *
sim_key(const gchar *path)
{
	return g_canonicalize_filename(path, NULL);
}

static guint64 *
sim_ino_new(guint64 ino)
{
	guint64 *p = g_new(guint64, 1);
	*p = ino;
	return p;
}

static void
sim_pin(const gchar *path, guint64 ino)
{
	int fd;

	if (g_hash_table_contains(sim.pins, &ino))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	g_assert_cmpint(fd, >=, 0);
	g_hash_table_insert(sim.pins, sim_ino_new(ino), GINT_TO_POINTER(fd));
}

static GBytes *
sim_read_fd(int fd)
{
	g_autofree gchar *proc = g_strdup_printf("/proc/self/fd/%d", fd);
	g_autofree gchar *data = NULL;
	gsize len = 0;
	g_autoptr(GError) error = NULL;

	/* reopening through /proc reads a file the store opened write-only */
	g_assert_true(g_file_get_contents(proc, &data, &len, &error));
	return g_bytes_new_take(g_steal_pointer(&data), len);
}

/* name → SimEntry for the current entries of a real directory */
static GHashTable *
sim_scan_dir(const gchar *dir)
{
	GHashTable *entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const gchar *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree gchar *child = g_build_filename(dir, name, NULL);
		SimEntry *entry = g_new0(SimEntry, 1);
		GStatBuf st;

		g_assert_cmpint(g_lstat(child, &st), ==, 0);
		entry->ino = st.st_ino;
		entry->is_dir = S_ISDIR(st.st_mode);
		if (!entry->is_dir)
			sim_pin(child, st.st_ino);
		g_hash_table_insert(entries, g_strdup(name), entry);
	}
	return entries;
}

/* Everything that exists now is durable (set up with real fsyncs). */
static void
sim_snapshot(const gchar *dir)
{
	GHashTable *entries = sim_scan_dir(dir);
	GHashTableIter iter;
	gpointer name, value;

	g_hash_table_insert(sim.durable_dirs, sim_key(dir), entries);
	g_hash_table_iter_init(&iter, entries);
	while (g_hash_table_iter_next(&iter, &name, &value)) {
		SimEntry *entry = value;
		g_autofree gchar *child = g_build_filename(dir, name, NULL);
		if (entry->is_dir) {
			sim_snapshot(child);
		} else {
			gchar *data = NULL;
			gsize len = 0;
			g_assert_true(g_file_get_contents(child, &data, &len, NULL));
			g_hash_table_insert(sim.durable_data, sim_ino_new(entry->ino),
					    g_bytes_new_take(data, len));
		}
	}
}

static void
sim_begin(const gchar *root)
{
	g_free(sim.root);
	sim.root = sim_key(root);
	sim.calls = g_ptr_array_new_with_free_func((GDestroyNotify)sim_call_free);
	sim.steps = 0;
	sim.crash_after = -1;
	sim.crashed = FALSE;
	sim.lie_file_fsync = FALSE;
	sim.lie_dir_fsync = FALSE;
	sim.short_writes = FALSE;
	sim.writes = 0;
	sim.fds = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	sim.durable_data = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
						 (GDestroyNotify)g_bytes_unref);
	sim.durable_dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						 (GDestroyNotify)g_hash_table_unref);
	sim.pins = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	sim_snapshot(sim.root);
}

static void
sim_end(void)
{
	GHashTableIter iter;
	gpointer key, value;

	/* the process "dies": whatever the store left open is closed */
	g_hash_table_iter_init(&iter, sim.fds);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		close(GPOINTER_TO_INT(key));
	g_hash_table_iter_init(&iter, sim.pins);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		close(GPOINTER_TO_INT(value));
	g_clear_pointer(&sim.fds, g_hash_table_unref);
	g_clear_pointer(&sim.pins, g_hash_table_unref);
	g_clear_pointer(&sim.durable_data, g_hash_table_unref);
	g_clear_pointer(&sim.durable_dirs, g_hash_table_unref);
	g_clear_pointer(&sim.calls, g_ptr_array_unref);
	g_clear_pointer(&sim.root, g_free);
}

/* ---- the ops --------------------------------------------------------- */

static SimCall *
sim_record(SimOp op, const gchar *path, const gchar *path2, gboolean is_dir)
{
	SimCall *call = g_new0(SimCall, 1);
	call->op = op;
	call->path = path != NULL ? sim_key(path) : NULL;
	call->path2 = path2 != NULL ? sim_key(path2) : NULL;
	call->is_dir = is_dir;
	g_ptr_array_add(sim.calls, call);
	return call;
}

static SimCall *
sim_record_fd(SimOp op, int fd)
{
	const gchar *path = g_hash_table_lookup(sim.fds, GINT_TO_POINTER(fd));
	GStatBuf st;
	gboolean is_dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
	return sim_record(op, path != NULL ? path : "(unknown fd)", NULL, is_dir);
}

/* The crash point: from here on every call fails as if the process had
 * died (the caller's clean-up attempts fail too). */
static gboolean
sim_enter(SimCall *call)
{
	if (!sim.crashed && sim.crash_after >= 0 && sim.steps >= (guint)sim.crash_after)
		sim.crashed = TRUE;
	if (sim.crashed) {
		call->result = EIO;
		errno = EIO;
		return FALSE;
	}
	sim.steps++;
	return TRUE;
}

static int
sim_result(SimCall *call, int rc)
{
	int saved = errno;
	call->result = rc < 0 ? saved : 0;
	errno = saved;
	return rc;
}

static int
sim_open(const char *path, int flags, mode_t mode)
{
	SimCall *call = sim_record(SIM_OPEN, path, NULL, (flags & O_DIRECTORY) != 0);
	int fd;

	if (!sim_enter(call))
		return -1;
	fd = open(path, flags, mode);
	if (fd >= 0) {
		GStatBuf st;
		g_assert_cmpint(fstat(fd, &st), ==, 0);
		if (!S_ISDIR(st.st_mode))
			sim_pin(path, st.st_ino);
		g_hash_table_insert(sim.fds, GINT_TO_POINTER(fd), sim_key(path));
	}
	return sim_result(call, fd);
}

static ssize_t
sim_write(int fd, const void *buf, size_t len)
{
	SimCall *call = sim_record_fd(SIM_WRITE, fd);

	if (!sim_enter(call))
		return -1;
	if (sim.short_writes) {
		if (++sim.writes % 3 == 0) {
			errno = EINTR;
			call->result = EINTR;
			return -1;
		}
		len = MIN(len, 7);
	}
	return sim_result(call, (int)write(fd, buf, len));
}

static int
sim_fsync(int fd)
{
	SimCall *call = sim_record_fd(SIM_FSYNC, fd);
	GStatBuf st;

	if (!sim_enter(call))
		return -1;
	g_assert_cmpint(fstat(fd, &st), ==, 0);
	if (S_ISDIR(st.st_mode)) {
		if (!sim.lie_dir_fsync)
			g_hash_table_insert(sim.durable_dirs, g_strdup(call->path),
					    sim_scan_dir(call->path));
	} else if (!sim.lie_file_fsync) {
		g_hash_table_insert(sim.durable_data, sim_ino_new(st.st_ino), sim_read_fd(fd));
	}
	return 0;
}

static int
sim_close(int fd)
{
	SimCall *call = sim_record_fd(SIM_CLOSE, fd);
	gboolean alive = sim_enter(call);

	/* even a "dead" process gets its descriptors closed, by the kernel */
	g_hash_table_remove(sim.fds, GINT_TO_POINTER(fd));
	close(fd);
	if (!alive)
		return -1;
	return 0;
}

static int
sim_rename(const char *from, const char *to)
{
	SimCall *call = sim_record(SIM_RENAME, from, to, FALSE);
	if (!sim_enter(call))
		return -1;
	return sim_result(call, rename(from, to));
}

static int
sim_unlink(const char *path)
{
	SimCall *call = sim_record(SIM_UNLINK, path, NULL, FALSE);
	if (!sim_enter(call))
		return -1;
	return sim_result(call, unlink(path));
}

static int
sim_link(const char *from, const char *to)
{
	SimCall *call = sim_record(SIM_LINK, from, to, FALSE);
	if (!sim_enter(call))
		return -1;
	return sim_result(call, link(from, to));
}

static int
sim_mkdir(const char *path, mode_t mode)
{
	SimCall *call = sim_record(SIM_MKDIR, path, NULL, TRUE);
	if (!sim_enter(call))
		return -1;
	return sim_result(call, mkdir(path, mode));
}

static ssize_t
sim_read(int fd, void *buf, size_t len)
{
	SimCall *call = sim_record_fd(SIM_READ, fd);
	if (!sim_enter(call))
		return -1;
	return sim_result(call, (int)read(fd, buf, len));
}

static const PxfStoreFileOps sim_file_ops = {
	.open = sim_open,
	.write = sim_write,
	.fsync = sim_fsync,
	.close = sim_close,
	.rename = sim_rename,
	.unlink = sim_unlink,
	.link = sim_link,
	.mkdir = sim_mkdir,
	.read = sim_read,
	.fdatasync = sim_fsync,
};

/* ---- power loss ------------------------------------------------------ */

typedef struct {
	gchar *rel;
	gboolean is_dir;
	guint64 ino;
} SimNode;

static void
sim_node_free(SimNode *node)
{
	g_free(node->rel);
	g_free(node);
}

/* The tree as it is after the power loss, parents before children. */
static void
sim_collect(const gchar *dir, const gchar *rel, SimLossModel model, GPtrArray *out)
{
	g_autoptr(GHashTable) current = NULL;
	GHashTable *entries;
	GHashTableIter iter;
	gpointer name, value;

	if (model == SIM_KEEP_UNSYNCED_ENTRIES) {
		current = sim_scan_dir(dir);
		entries = current;
	} else {
		g_autofree gchar *key = sim_key(dir);
		entries = g_hash_table_lookup(sim.durable_dirs, key);
		/* a directory never synced lost all its entries */
		if (entries == NULL)
			return;
	}
	g_hash_table_iter_init(&iter, entries);
	while (g_hash_table_iter_next(&iter, &name, &value)) {
		SimEntry *entry = value;
		SimNode *node = g_new0(SimNode, 1);
		g_autofree gchar *child = g_build_filename(dir, name, NULL);

		node->rel = rel != NULL ? g_build_filename(rel, name, NULL) : g_strdup(name);
		node->is_dir = entry->is_dir;
		node->ino = entry->ino;
		g_ptr_array_add(out, node);
		if (entry->is_dir)
			sim_collect(child, node->rel, model, out);
	}
}

static void
sim_rm_rf(const gchar *path, gboolean keep_top)
{
	GStatBuf st;

	if (g_lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
		const gchar *name;
		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			g_autofree gchar *child = g_build_filename(path, name, NULL);
			sim_rm_rf(child, FALSE);
		}
		if (!keep_top)
			g_rmdir(path);
	} else {
		g_unlink(path);
	}
}

static void
sim_power_loss(SimLossModel model)
{
	g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func((GDestroyNotify)sim_node_free);
	g_autoptr(GHashTable) written =
		g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	g_autoptr(GHashTable) data = NULL;
	g_autofree gchar *root = g_strdup(sim.root);

	sim_collect(root, NULL, model, nodes);
	data = g_hash_table_ref(sim.durable_data);
	sim_rm_rf(root, TRUE);
	for (guint i = 0; i < nodes->len; i++) {
		SimNode *node = g_ptr_array_index(nodes, i);
		g_autofree gchar *path = g_build_filename(root, node->rel, NULL);
		const gchar *first = g_hash_table_lookup(written, &node->ino);
		GBytes *content;

		if (node->is_dir) {
			g_assert_cmpint(g_mkdir(path, 0750), ==, 0);
			continue;
		}
		/* a second name of one inode stays a hard link */
		if (first != NULL) {
			g_assert_cmpint(link(first, path), ==, 0);
			continue;
		}
		content = g_hash_table_lookup(data, &node->ino);
		g_assert_true(g_file_set_contents(
			path, content != NULL ? g_bytes_get_data(content, NULL) : "",
			content != NULL ? (gssize)g_bytes_get_size(content) : 0, NULL));
		g_hash_table_insert(written, sim_ino_new(node->ino), g_strdup(path));
	}
	/* after the reboot, everything on disk is durable */
	sim_end();
	sim_begin(root);
}

/* The store's temporary files (".NAME.tmp-XXXXXX") left in dir: after a
 * crash and a reload, none may remain. */
static inline guint
count_temp_files(const gchar *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const gchar *name;
	guint n = 0;
	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		if (name[0] == '.' && strstr(name, ".tmp-") != NULL)
			n++;
	}
	return n;
}
