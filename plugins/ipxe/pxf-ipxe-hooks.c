/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ipxe plugin's hook callbacks: the boot file (an iPXE image for PXE
 * ROMs, a script URL for iPXE), the files iPXE fetches, and the variables
 * of its scripts. */
#define G_LOG_DOMAIN "pxf-ipxe"

#include <string.h>

#include "pxf-bootloader.h"
#include "pxf-ipxe.h"

void
pxf_ipxe_free(PxfIpxe *self)
{
	if (self == NULL)
		return;
	pxf_ipxe_config_free(self->config);
	g_free(self);
}

/* The http plugin's base URL as this client reaches it, or NULL. Rendered
 * without the host: only the client's local address matters, and nothing
 * per-host (a password hash, a token) is computed for a DHCP packet. */
static gchar *
pxf_ipxe_base_url(PxfIpxe *self, const PxfClient *client)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GError) error = NULL;

	if (!pxf_plugin_context_render_template(self->ctx, client, NULL, "{{http.base_url}}", TRUE,
						out, &error)) {
		g_debug("no http.base_url: %s", error->message);
		return NULL;
	}
	if (out->len == 0)
		return NULL;
	return g_string_free(g_steal_pointer(&out), FALSE);
}

static PxfVerdict
pxf_ipxe_boot_select(PxfBootSelectArgs *args, gpointer user_data)
{
	PxfIpxe *self = user_data;
	g_auto(PxfIpxeSelection) sel = {0};
	g_autofree gchar *base_url = NULL;
	const gchar *mac = args->client->mac != NULL ? args->client->mac : "?";

	/* a host whose profile names pxelinux or grub-efi gets that loader even
	 * from an iPXE ROM */
	if (!pxf_bootloader_chosen(self->ctx, args->client->host))
		return PXF_VERDICT_CONTINUE;
	/* only iPXE and UEFI HTTP boot need the URL: a PXE ROM gets an image name */
	if (args->http_boot || (args->stage == PXF_BOOT_STAGE_IPXE &&
				self->config->script_transport == PXF_IPXE_TRANSPORT_HTTP))
		base_url = pxf_ipxe_base_url(self, args->client);
	if (args->http_boot && args->stage != PXF_BOOT_STAGE_IPXE)
		pxf_ipxe_select_http_boot(self->config, args->firmware, args->client->host != NULL,
					  base_url, &sel);
	else
		/* the core does not hand over option 175 yet: whether this iPXE has HTTP is unknown
		 */
		pxf_ipxe_select(self->config, args->firmware, args->stage, args->client->mac,
				args->client->host != NULL, base_url, PXF_IPXE_HTTP_UNKNOWN, &sel);
	switch (sel.verdict) {
	case PXF_VERDICT_SKIP:
		g_debug("%s: %s, %s stage: %s (%s)", mac, pxf_firmware_to_string(args->firmware),
			pxf_boot_stage_to_string(args->stage), sel.filename, sel.why);
		pxf_set_string(&args->filename, sel.filename);
		break;
	case PXF_VERDICT_DROP:
		g_debug("%s: no boot file: %s", mac, sel.why);
		break;
	default:
		if (args->http_boot)
			g_debug("%s: not ours: %s", mac, sel.why);
		break;
	}
	return sel.verdict;
}

/* How files named in a script for this request are fetched: file_transport,
 * else as the script came, or (a CLI render, explain) as it is configured. */
static PxfIpxeTransport
pxf_ipxe_files_transport(PxfIpxe *self, const PxfClient *client)
{
	if (self->config->file_transport != PXF_IPXE_TRANSPORT_AUTO)
		return self->config->file_transport;
	if (client != NULL && g_strcmp0(client->transport, "tftp") == 0)
		return PXF_IPXE_TRANSPORT_TFTP;
	if (client != NULL && g_strcmp0(client->transport, "http") == 0)
		return PXF_IPXE_TRANSPORT_HTTP;
	return self->config->script_transport;
}

static PxfVerdict
pxf_ipxe_template_vars(PxfTemplateVarsArgs *args, gpointer user_data)
{
	PxfIpxe *self = user_data;
	PxfHostState state = PXF_HOST_STATE_UNKNOWN;
	g_autofree gchar *server = NULL;
	gboolean netboot = FALSE;

	/* the address the script was asked from serves the mtftp:// files too */
	if (args->client != NULL && args->client->local != NULL)
		server = g_inet_address_to_string(
			g_inet_socket_address_get_address(args->client->local));
	if (args->host != NULL) {
		state = pxf_plugin_context_get_host_state(self->ctx, pxf_host_get_mac(args->host));
		netboot = pxf_host_get_netboot(args->host);
	}
	pxf_vars_set(args->vars, "ipxe",
		     pxf_ipxe_build_vars(self->config, args->vars,
					 pxf_ipxe_files_transport(self, args->client), server,
					 args->host != NULL, netboot, state));
	return PXF_VERDICT_CONTINUE;
}

static PxfVerdict
pxf_ipxe_serve_text(PxfFileOpenArgs *args, gchar *text)
{
	/* set_content() takes its own reference */
	g_autoptr(GBytes) content = g_bytes_new_take(text, strlen(text));
	pxf_file_open_set_content(args, content);
	return PXF_VERDICT_SKIP;
}

/* The menu (or local boot) for a machine that is not in the inventory. */
static PxfVerdict
pxf_ipxe_open_unknown(PxfIpxe *self, PxfFileOpenArgs *args, const gchar *mac)
{
	g_autoptr(GError) error = NULL;
	GString *out;

	if (self->config->unknown_hosts != PXF_IPXE_UNKNOWN_MENU) {
		/* under "ignore" too: a machine may get here through another DHCP server */
		g_info("%s: not in the inventory: local boot", mac != NULL ? mac : "?");
		return pxf_ipxe_serve_text(
			args, pxf_ipxe_localboot_script(self->config, "not in the inventory"));
	}
	out = g_string_new(NULL);
	if (!pxf_plugin_context_render_template(self->ctx, args->client, NULL,
						self->config->menu_template, FALSE, out, &error)) {
		g_warning("cannot render %s, serving local boot: %s", self->config->menu_template,
			  error->message);
		g_string_free(out, TRUE);
		return pxf_ipxe_serve_text(
			args, pxf_ipxe_localboot_script(self->config, "the menu failed"));
	}
	g_info("%s: not in the inventory: the menu", mac != NULL ? mac : "?");
	return pxf_bootloader_serve(args, out);
}

/* ipxe/<mac>/boot.ipxe: the host's own script, or the menu. */
static PxfVerdict
pxf_ipxe_open_script(PxfIpxe *self, PxfFileOpenArgs *args, const gchar *mac)
{
	const PxfHost *host = pxf_plugin_context_find_host(self->ctx, mac);
	g_autofree gchar *kernel = NULL;
	g_autofree gchar *initrd = NULL;
	PxfHostState state;
	const gchar *reason;

	if (host == NULL)
		return pxf_ipxe_open_unknown(self, args, mac);
	state = pxf_plugin_context_get_host_state(self->ctx, mac);
	kernel = pxf_bootloader_host_string(self->ctx, host, "distro.kernel");
	initrd = pxf_bootloader_host_string(self->ctx, host, "distro.initrd");
	reason = pxf_ipxe_localboot_reason(pxf_host_get_netboot(host), state,
					   kernel != NULL && initrd != NULL);
	g_info("%s: iPXE script over %s: %s%s", mac, args->client->transport,
	       reason != NULL ? "local boot, " : "install", reason != NULL ? reason : "");
	return pxf_bootloader_serve_host_config(self->ctx, args, host, state, reason == NULL,
						"iPXE script", self->config->host_template, NULL);
}

static PxfVerdict
pxf_ipxe_open_image(PxfIpxe *self, PxfFileOpenArgs *args)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = pxf_ipxe_find_image((const gchar *const *)self->config->ipxe_dirs,
						     args->path, &error);

	if (path == NULL) {
		/* the transport may still have it in its own root */
		g_warning("%s", error->message);
		return PXF_VERDICT_CONTINUE;
	}
	pxf_file_open_set_local_path(args, path);
	return PXF_VERDICT_SKIP;
}

static PxfVerdict
pxf_ipxe_file_open(PxfFileOpenArgs *args, gpointer user_data)
{
	PxfIpxe *self = user_data;
	const gchar *images[] = {self->config->bios_image, self->config->efi_x64_image,
				 self->config->efi_ia32_image, self->config->efi_arm64_image};
	g_autofree gchar *mac = NULL;

	switch (pxf_ipxe_classify_path(args->path, images, G_N_ELEMENTS(images), &mac)) {
	case PXF_IPXE_PATH_IMAGE:
		return pxf_ipxe_open_image(self, args);
	case PXF_IPXE_PATH_CHAIN:
		return pxf_ipxe_serve_text(args, g_strdup(pxf_ipxe_chain_script()));
	case PXF_IPXE_PATH_SCRIPT:
		return pxf_ipxe_open_script(self, args, mac);
	case PXF_IPXE_PATH_HOST_KERNEL:
		return pxf_bootloader_open_host_file(self->ctx, args, mac, "distro.kernel");
	case PXF_IPXE_PATH_HOST_INITRD:
		return pxf_bootloader_open_host_file(self->ctx, args, mac, "distro.initrd");
	case PXF_IPXE_PATH_MENU_KERNEL:
		return pxf_bootloader_open_local(args, self->config->menu_kernel, PXF_VERDICT_DROP);
	case PXF_IPXE_PATH_MENU_INITRD:
		return pxf_bootloader_open_local(args, self->config->menu_initrd, PXF_VERDICT_DROP);
	case PXF_IPXE_PATH_OTHER:
	default:
		return PXF_VERDICT_CONTINUE;
	}
}

gboolean
pxf_ipxe_connect(PxfIpxe *self, GError **error)
{
	/* iPXE clients are ours before a loader plugin hands them its own loader */
	if (!pxf_hook_connect_boot_select(self->ctx, pxf_ipxe_boot_select, self,
					  PXF_HOOK_BEFORE("pxelinux", "grub-efi"), error))
		return FALSE;
	if (!pxf_hook_connect_file_open(self->ctx, pxf_ipxe_file_open, self, NULL, error))
		return FALSE;
	/* the http plugin provides http.base_url and install.ks_url */
	return pxf_hook_connect_template_vars(self->ctx, pxf_ipxe_template_vars, self,
					      PXF_HOOK_AFTER("http"), error);
}
