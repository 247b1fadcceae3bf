/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nfs: exports the inventory's install trees read-only by driving a real
 * NFS server (NFS-Ganesha, or the kernel's), and tells templates where. */
#define G_LOG_DOMAIN "pxf-nfs"

#include "pxf-nfs.h"

static gboolean
pxf_nfs_init(PxfPluginContext *ctx, GError **error)
{
	PxfNfsConfig *config = pxf_nfs_config_new(pxf_plugin_context_get_config(ctx), error);
	PxfNfs *self;

	if (config == NULL)
		return FALSE;
	if (config->file == NULL) {
		/* the plugin's own directory: pxeforged can write it without root,
		 * also under ProtectSystem=strict */
		const gchar *dir = pxf_plugin_context_get_state_dir(ctx, error);
		if (dir == NULL) {
			pxf_nfs_config_free(config);
			return FALSE;
		}
		pxf_nfs_config_set_state_dir(config, dir);
	}
	self = pxf_nfs_new(ctx, config);
	pxf_plugin_context_set_data(ctx, self, (GDestroyNotify)pxf_nfs_free);
	return pxf_nfs_start(self, error);
}

static void
pxf_nfs_fini(PxfPluginContext *ctx)
{
	pxf_nfs_stop(pxf_plugin_context_get_data(ctx));
}

PXF_PLUGIN_DEFINE(.name = "nfs",
		  .kind = PXF_PLUGIN_KIND_TRANSPORT,
		  .version = PXF_NFS_VERSION,
		  .license = "LGPL-2.1-or-later",
		  .description = "read-only NFS exports of install trees through NFS-Ganesha or "
				 "the kernel server",
		  .config_keys = pxf_nfs_config_keys,
		  .init = pxf_nfs_init,
		  .fini = pxf_nfs_fini);
