/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-mtftp"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxf-mtftp-source.h"
#include "pxf-tftp-path.h"

gboolean
pxf_mtftp_source_open(PxfPluginContext *ctx,
		      const PxfClient *client,
		      const gchar *root,
		      const gchar *path,
		      GBytes **content,
		      gint *fd,
		      gchar **identity,
		      guint64 *size,
		      GError **error)
{
	PxfFileOpenArgs args = {.client = client, .path = path};
	PxfVerdict verdict = pxf_plugin_context_open_file(ctx, &args);
	struct stat st;

	*content = NULL;
	*fd = -1;
	*identity = NULL;
	if (verdict == PXF_VERDICT_DROP) {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_NOT_FOUND,
			    "%s: refused by a file.open callback", path);
	} else if (verdict == PXF_VERDICT_SKIP && args.content != NULL) {
		*content = g_bytes_ref(args.content);
		*size = g_bytes_get_size(args.content);
	} else if (verdict == PXF_VERDICT_SKIP && args.local_path != NULL) {
		*fd = pxf_tftp_path_open_file(args.local_path, size, error);
	} else if (verdict == PXF_VERDICT_SKIP) {
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_NOT_FOUND,
			    "%s: a file.open callback answered without content or a file", path);
	} else {
		*fd = pxf_tftp_path_open_under(root, path, size, error);
	}
	g_clear_pointer(&args.content, g_bytes_unref);
	g_clear_pointer(&args.local_path, g_free);
	if (*content == NULL && *fd < 0)
		return FALSE;
	if (*fd < 0)
		return TRUE;
	if (fstat(*fd, &st) != 0) {
		gint errsv = errno;
		g_set_error(error, PXF_TFTP_ERROR, PXF_TFTP_ERROR_UNDEFINED, "%s: %s", path,
			    g_strerror(errsv));
		close(*fd);
		*fd = -1;
		return FALSE;
	}
	/* a file replaced or rewritten since a stream opened it is another file */
	*identity = g_strdup_printf("%lu:%lu:%lld:%lld.%09ld", (gulong)st.st_dev, (gulong)st.st_ino,
				    (long long)st.st_size, (long long)st.st_mtim.tv_sec,
				    st.st_mtim.tv_nsec);
	return TRUE;
}
