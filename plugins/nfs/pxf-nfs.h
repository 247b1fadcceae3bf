/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The nfs plugin's engine: which inventory trees are exported, the export
 * file for NFS-Ganesha or the kernel server, its atomic write, telling the
 * server, and the template variables. Works without a running daemon. */
#pragma once

#include <pxeforge/plugin.h>

G_BEGIN_DECLS

#define PXF_NFS_ERROR pxf_nfs_error_quark()
GQuark pxf_nfs_error_quark(void);

typedef enum {
	PXF_NFS_ERROR_FAILED,
	PXF_NFS_ERROR_INVALID,
	PXF_NFS_ERROR_NOT_RUNNING, /* no pidfile, or its process is gone */
	PXF_NFS_ERROR_DENIED,	   /* not allowed to signal the server */
} PxfNfsError;

typedef enum {
	PXF_NFS_BACKEND_GANESHA,
	PXF_NFS_BACKEND_KERNEL,
} PxfNfsBackend;

typedef enum {
	PXF_NFS_SQUASH_ROOT,
	PXF_NFS_SQUASH_ALL,
	PXF_NFS_SQUASH_NONE,
} PxfNfsSquash;

/* How a changed Ganesha export file reaches a running ganesha.nfsd. */
typedef enum {
	/* the plugin only writes the file: systemd's pxeforge-nfs-reload.path
	 * sees it change and reloads nfs-ganesha.service, so pxeforged needs no
	 * privilege over Ganesha */
	PXF_NFS_GANESHA_RELOAD_PATH_UNIT,
	/* the plugin sends SIGHUP to the ganesha.nfsd of ganesha_pidfile */
	PXF_NFS_GANESHA_RELOAD_SIGHUP,
} PxfNfsGaneshaReload;

/* The default ganesha_config, in the plugin's state directory. */
#define PXF_NFS_GANESHA_FILE "ganesha-exports.conf"

/* Export_Id 0 is Ganesha's pseudo root; it is a 16-bit number. */
#define PXF_NFS_EXPORT_ID_MAX 65535

/* The plugin's configuration schema (the descriptor's config_keys). */
extern const PxfConfKey pxf_nfs_config_keys[];

typedef struct {
	PxfNfsBackend backend;
	gchar **clients;     /* normalised networks; empty: the daemon's interfaces' */
	gchar *server;	     /* nfs.server when set */
	gchar *pseudo_root;  /* Ganesha's Pseudo prefix, "/distros"; "" for / */
	gchar *file;	     /* what is written: ganesha_config or exports_file; NULL
			      * until pxf_nfs_config_set_state_dir() for the default */
	gchar *pidfile;	     /* ganesha_pidfile */
	gchar **reload_argv; /* NULL: ganesha_reload; empty: do nothing */
	PxfNfsGaneshaReload ganesha_reload;
	PxfNfsSquash squash;
	gboolean nfs3; /* protocols; both FALSE: the server's default */
	gboolean nfs4;
	guint first_export_id;
	guint check_interval; /* seconds; 0: only when the plugin starts */
} PxfNfsConfig;

PxfNfsConfig *pxf_nfs_config_new(const PxfConfSection *section, GError **error);
void pxf_nfs_config_free(PxfNfsConfig *self);
/* Gives an unset ganesha_config its default, PXF_NFS_GANESHA_FILE in the
 * plugin's state directory. */
void pxf_nfs_config_set_state_dir(PxfNfsConfig *self, const gchar *state_dir);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfNfsConfig, pxf_nfs_config_free)

/* "10.0.0.0/24" of an interface address and its prefix length. */
gchar *pxf_nfs_network_of(GInetAddress *address, guint prefix);

/* ---- what is exported (pxf-nfs-render.c) ------------------------------------ */

typedef struct {
	gchar *name; /* the distro */
	gchar *path; /* absolute, canonical directory */
	guint id;    /* Export_Id, or fsid for the kernel */
} PxfNfsExport;

PxfNfsExport *pxf_nfs_export_new(const gchar *name, const gchar *path);
void pxf_nfs_export_free(PxfNfsExport *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PxfNfsExport, pxf_nfs_export_free)

/* A distro name usable in a path: [A-Za-z0-9._-], not starting with '.',
 * at most 64 characters. */
gboolean pxf_nfs_name_valid(const gchar *name);
/* The local directory of a distro's tree ("/srv/x" or "file:///srv/x"),
 * canonical; NULL without an error for an URL (not ours to export), NULL
 * with PXF_NFS_ERROR_INVALID for a path neither server config can quote. */
gchar *pxf_nfs_tree_dir(const gchar *tree, GError **error);

/* The export file's text, exports sorted by name; with no clients it
 * exports nothing. Deterministic: equal inputs give equal bytes, which is
 * how changes are found. */
gchar *pxf_nfs_render(const PxfNfsConfig *config, GPtrArray *exports, const gchar *const *clients);
/* What a client mounts for e: the Pseudo path (Ganesha) or the directory. */
gchar *pxf_nfs_export_dir(const PxfNfsConfig *config, const PxfNfsExport *e);

/* template.vars: nfs.server (the `server` setting, else the address the
 * client reached, else fallback_server) and, when the host's distro is in
 * dirs (name → nfs.dir), nfs.dir. */
void pxf_nfs_apply_vars(const PxfNfsConfig *config,
			GHashTable *dirs,
			const PxfClient *client,
			const gchar *fallback_server,
			PxfVars *vars);

/* ---- stable export ids (pxf-nfs-ids.c) --------------------------------------
 * Ganesha puts the Export_Id in file handles: an id that moved to another
 * tree would make mounted clients fail (or read the wrong tree), so ids are
 * kept per distro name across restarts. */

/* name → GUINT_TO_POINTER(id) from "name id" lines; bad lines are skipped. */
GHashTable *pxf_nfs_ids_parse(const gchar *text, gsize len);
/* "name id\n" lines sorted by name. */
gchar *pxf_nfs_ids_to_string(GHashTable *ids);
/* Sets every export's id from ids, giving new names the lowest free id
 * >= first (and forgetting names not exported any more when the range is
 * full). *changed tells whether ids must be stored again. */
gboolean pxf_nfs_ids_assign(
	GHashTable *ids, GPtrArray *exports, guint first, gboolean *changed, GError **error);

/* ---- files and the server (pxf-nfs-file.c) -------------------------------- */

/* Replaces path with contents (mode 0644) through a temporary file in the
 * same directory, fsynced, renamed over path, and the directory fsynced: a
 * reader sees the old file or the new one, never a part. */
gboolean pxf_nfs_write_atomic(const gchar *path, const gchar *contents, GError **error);
/* TRUE when path holds exactly contents. */
gboolean pxf_nfs_file_equals(const gchar *path, const gchar *contents);
/* The pid a pidfile names, or 0 (missing, unreadable, not a pid). */
GPid pxf_nfs_read_pidfile(const gchar *path, GError **error);
/* Sends SIGHUP to the ganesha.nfsd the pidfile names, checking that the
 * process is one (a stale pidfile may name an unrelated process, which
 * SIGHUP could kill): PXF_NFS_ERROR_NOT_RUNNING when there is none,
 * _INVALID when the pid is another program's, _DENIED without permission. */
gboolean pxf_nfs_signal_ganesha(const gchar *pidfile, GPid *pid, GError **error);

/* ---- the plugin (pxf-nfs-hooks.c; needs the daemon) ------------------------ */

typedef struct _PxfNfs PxfNfs;

PxfNfs *pxf_nfs_new(PxfPluginContext *ctx, PxfNfsConfig *config);
void pxf_nfs_free(PxfNfs *self);
/* Connects template.vars, writes the export file and starts the timer. */
gboolean pxf_nfs_start(PxfNfs *self, GError **error);
/* Stops the timer and forgets a running reload command. */
void pxf_nfs_stop(PxfNfs *self);

G_END_DECLS
