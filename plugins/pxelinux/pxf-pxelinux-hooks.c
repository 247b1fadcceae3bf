/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pxelinux plugin's hook callbacks: the boot file for BIOS machines,
 * the files pxelinux fetches, and the variables of its configurations. */
#define G_LOG_DOMAIN "pxf-pxelinux"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-pxelinux.h"

void
pxf_pxelinux_free(PxfPxelinux *self)
{
	if (self == NULL)
		return;
	pxf_pxelinux_config_free(self->config);
	g_free(self);
}

static PxfVerdict
pxf_pxelinux_boot_select(PxfBootSelectArgs *args, gpointer user_data)
{
	PxfPxelinux *self = user_data;
	PxfVerdict verdict = PXF_VERDICT_CONTINUE;
	const gchar *filename;

	/* pxelinux.0 is a PXE image: BIOS HTTP boot (arch 20) loads no such thing */
	if (args->http_boot || !pxf_bootloader_chosen(self->ctx, args->client->host))
		return PXF_VERDICT_CONTINUE;
	filename = pxf_pxelinux_select_boot_file(self->config, args->firmware, args->stage,
						 args->client->host != NULL, &verdict);
	if (verdict == PXF_VERDICT_DROP) {
		g_debug("%s: unknown machine, unknown_hosts is ignore: no boot file",
			args->client->mac != NULL ? args->client->mac : "?");
		return verdict;
	}
	if (verdict == PXF_VERDICT_SKIP)
		pxf_set_string(&args->filename, filename);
	return verdict;
}

static PxfVerdict
pxf_pxelinux_template_vars(PxfTemplateVarsArgs *args, gpointer user_data)
{
	PxfPxelinux *self = user_data;
	PxfHostState state = PXF_HOST_STATE_UNKNOWN;
	gboolean netboot = FALSE;

	if (args->host != NULL) {
		state = pxf_plugin_context_get_host_state(self->ctx, pxf_host_get_mac(args->host));
		netboot = pxf_host_get_netboot(args->host);
	}
	pxf_vars_set(args->vars, "pxelinux",
		     pxf_pxelinux_build_vars(self->config, args->vars, args->host != NULL, netboot,
					     state));
	return PXF_VERDICT_CONTINUE;
}

/* pxelinux.cfg/01-<mac>: the host's own configuration. */
static PxfVerdict
pxf_pxelinux_open_host_config(PxfPxelinux *self, PxfFileOpenArgs *args, const gchar *mac)
{
	const PxfHost *host = pxf_plugin_context_find_host(self->ctx, mac);
	g_autofree gchar *kernel = NULL;
	g_autofree gchar *initrd = NULL;
	PxfHostState state;
	const gchar *reason;

	if (host == NULL) {
		/* pxelinux goes on to the hex-IP names and then to default: the menu */
		g_debug("%s: not in the inventory", args->path);
		return PXF_VERDICT_DROP;
	}
	state = pxf_plugin_context_get_host_state(self->ctx, mac);
	kernel = pxf_bootloader_host_string(self->ctx, host, "distro.kernel");
	initrd = pxf_bootloader_host_string(self->ctx, host, "distro.initrd");
	reason = pxf_pxelinux_localboot_reason(pxf_host_get_netboot(host), state,
					       kernel != NULL && initrd != NULL);
	g_info("%s: pxelinux configuration: %s%s", mac, reason != NULL ? "local boot, " : "install",
	       reason != NULL ? reason : "");
	return pxf_bootloader_serve_host_config(self->ctx, args, host, state, reason == NULL,
						"pxelinux config", self->config->host_template,
						NULL);
}

/* pxelinux.cfg/default: what machines pxeforge does not know get. */
static PxfVerdict
pxf_pxelinux_open_default(PxfPxelinux *self, PxfFileOpenArgs *args)
{
	g_autoptr(GError) error = NULL;
	GString *out;

	if (self->config->unknown_hosts != PXF_PXELINUX_UNKNOWN_MENU) {
		/* under "ignore" too: a pxelinux without a configuration would reboot */
		g_autoptr(GBytes) content = g_bytes_new_static(
			pxf_pxelinux_localboot_config(), strlen(pxf_pxelinux_localboot_config()));
		pxf_file_open_set_content(args, content);
		return PXF_VERDICT_SKIP;
	}
	out = g_string_new(NULL);
	if (!pxf_plugin_context_render_template(self->ctx, args->client, NULL,
						self->config->menu_template, FALSE, out, &error)) {
		g_warning("cannot render %s, serving local boot: %s", self->config->menu_template,
			  error->message);
		g_string_truncate(out, 0);
		g_string_append(out, pxf_pxelinux_localboot_config());
	}
	return pxf_bootloader_serve(args, out);
}

static PxfVerdict
pxf_pxelinux_file_open(PxfFileOpenArgs *args, gpointer user_data)
{
	PxfPxelinux *self = user_data;
	g_autofree gchar *mac = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(GError) error = NULL;

	switch (pxf_pxelinux_classify_path(args->path, &mac)) {
	case PXF_PXELINUX_PATH_SYSLINUX:
		path = pxf_pxelinux_find_syslinux_file(
			(const gchar *const *)self->config->syslinux_dirs, args->path, &error);
		if (path == NULL) {
			/* the transport may still have it in its own root */
			g_warning("%s", error->message);
			return PXF_VERDICT_CONTINUE;
		}
		return pxf_bootloader_open_local(args, path, PXF_VERDICT_CONTINUE);
	case PXF_PXELINUX_PATH_MEMTEST:
		return pxf_bootloader_open_local(args, self->config->memtest, PXF_VERDICT_CONTINUE);
	case PXF_PXELINUX_PATH_CFG_MAC:
		return pxf_pxelinux_open_host_config(self, args, mac);
	case PXF_PXELINUX_PATH_CFG_PROBE:
		return PXF_VERDICT_DROP;
	case PXF_PXELINUX_PATH_CFG_DEFAULT:
		return pxf_pxelinux_open_default(self, args);
	case PXF_PXELINUX_PATH_HOST_KERNEL:
		return pxf_bootloader_open_host_file(self->ctx, args, mac, "distro.kernel");
	case PXF_PXELINUX_PATH_HOST_INITRD:
		return pxf_bootloader_open_host_file(self->ctx, args, mac, "distro.initrd");
	case PXF_PXELINUX_PATH_MENU_KERNEL:
		return pxf_bootloader_open_local(args, self->config->menu_kernel,
						 PXF_VERDICT_CONTINUE);
	case PXF_PXELINUX_PATH_MENU_INITRD:
		return pxf_bootloader_open_local(args, self->config->menu_initrd,
						 PXF_VERDICT_CONTINUE);
	case PXF_PXELINUX_PATH_OTHER:
	default:
		return PXF_VERDICT_CONTINUE;
	}
}

gboolean
pxf_pxelinux_connect(PxfPxelinux *self, GError **error)
{
	/* an ipxe plugin answers iPXE itself; without one, iPXE in ROM gets pxelinux */
	if (!pxf_hook_connect_boot_select(self->ctx, pxf_pxelinux_boot_select, self,
					  PXF_HOOK_AFTER("ipxe"), error))
		return FALSE;
	if (!pxf_hook_connect_file_open(self->ctx, pxf_pxelinux_file_open, self, NULL, error))
		return FALSE;
	/* the http plugin provides http.base_url and install.ks_url */
	return pxf_hook_connect_template_vars(self->ctx, pxf_pxelinux_template_vars, self,
					      PXF_HOOK_AFTER("http"), error);
}
