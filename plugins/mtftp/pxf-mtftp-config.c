/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-mtftp"

#include <arpa/inet.h>

#include "pxf-mtftp-config.h"
#include "pxf-tftp-path.h"

static const PxfConfKey pxf_mtftp_file_keys[] = {
	{.key = "path",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "the file, as clients name it (pxelinux.0); required"},
	{.key = "group",
	 .type = PXF_CONF_TYPE_STRING,
	 .description = "IPv4 multicast group of its stream; required"},
	{.key = "client_port",
	 .type = PXF_CONF_TYPE_INT,
	 .min = 1,
	 .max = 65535,
	 .description = "UDP port its clients listen on; required"},
	PXF_CONF_KEY_END,
};

const PxfConfKey pxf_mtftp_config_keys[] = {
	{.key = "interfaces",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "interfaces whose IPv4 addresses to serve on; empty: the daemon's "
			"interfaces, unless addresses is set"},
	{.key = "addresses",
	 .type = PXF_CONF_TYPE_STRING_LIST,
	 .default_value = "",
	 .description = "IPv4 addresses to serve on, besides those of interfaces"},
	{.key = "port",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "1759",
	 .min = 1,
	 .max = 65535,
	 .description = "UDP port requests go to (the PXE MTFTP server port)"},
	{.key = "root",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "/srv/pxeforge/tftp",
	 .description = "directory served when no file.open callback provides the file"},
	{.key = "group",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "239.255.1.1",
	 .description = "IPv4 multicast group of the default PXE MTFTP channel and of RFC "
			"2090 sessions"},
	{.key = "client_port",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "3001",
	 .min = 1,
	 .max = 65535,
	 .description = "UDP port PXE MTFTP clients listen on (default channel)"},
	{.key = "files",
	 .type = PXF_CONF_TYPE_SECTION_LIST,
	 .children = pxf_mtftp_file_keys,
	 .description = "files with a channel of their own (path, group, client_port)"},
	{.key = "listen",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "2",
	 .min = 1,
	 .max = 255,
	 .description = "seconds a PXE client listens before it asks (DHCP option 43.4)"},
	{.key = "delay",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "2",
	 .min = 1,
	 .max = 255,
	 .description = "seconds a PXE client listens before it asks again (DHCP option 43.5)"},
	{.key = "dhcp_options",
	 .type = PXF_CONF_TYPE_BOOL,
	 .default_value = "true",
	 .description = "tell PXE clients of this server the MTFTP channel of their boot file "
			"in DHCP option 43"},
	{.key = "rfc2090",
	 .type = PXF_CONF_TYPE_BOOL,
	 .default_value = "true",
	 .description = "answer the RFC 2090 multicast option"},
	{.key = "rfc2090_port",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "3002",
	 .min = 1,
	 .max = 65535,
	 .description = "first UDP port of the RFC 2090 sessions, one port per session"},
	{.key = "rfc2090_sessions",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "16",
	 .min = 1,
	 .max = 1024,
	 .description = "RFC 2090 sessions at once (ports rfc2090_port and up)"},
	{.key = "blksize_max",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "1468",
	 .min = 8,
	 .max = 65464,
	 .description = "largest block size granted to an RFC 2090 client"},
	{.key = "timeout",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "1",
	 .min = 1,
	 .max = 255,
	 .description = "seconds before a packet to the master client is sent again"},
	{.key = "retries",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "5",
	 .min = 0,
	 .max = 100,
	 .description = "retransmissions before a silent master client is given up"},
	{.key = "ttl",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "1",
	 .min = 1,
	 .max = 255,
	 .description = "IP TTL of multicast packets (1: the local link only)"},
	{.key = "multicast_loop",
	 .type = PXF_CONF_TYPE_BOOL,
	 .default_value = "false",
	 .description = "deliver the multicast packets to clients on this machine too"},
	{.key = "max_clients",
	 .type = PXF_CONF_TYPE_INT,
	 .default_value = "256",
	 .min = 1,
	 .max = 100000,
	 .description = "clients of one stream at once; more get error 0"},
	PXF_CONF_KEY_END,
};

static void
pxf_mtftp_channel_free(PxfMtftpChannel *channel)
{
	if (channel == NULL)
		return;
	g_free(channel->path);
	g_free(channel->group);
	g_free(channel);
}

static gboolean pxf_mtftp_config_fail(const PxfConfSection *section,
				      const gchar *key,
				      GError **error,
				      const gchar *format,
				      ...) G_GNUC_PRINTF(4, 5);

static gboolean
pxf_mtftp_config_fail(
	const PxfConfSection *section, const gchar *key, GError **error, const gchar *format, ...)
{
	g_autofree gchar *where = pxf_conf_section_where(section, key);
	g_autofree gchar *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s: %s",
		    where != NULL ? where : "configuration", message);
	return FALSE;
}

static PxfMtftpChannel *
pxf_mtftp_channel_new(const PxfConfSection *section,
		      const gchar *prefix,
		      const gchar *path,
		      GError **error)
{
	g_autoptr(GError) error_local = NULL;
	const gchar *group = pxf_conf_section_get_string(section, "group");
	PxfMtftpChannel *channel;
	struct in_addr addr;

	if (group == NULL) {
		pxf_mtftp_config_fail(section, "path", error, "%sgroup is required", prefix);
		return NULL;
	}
	if (inet_pton(AF_INET, group, &addr) != 1 || !IN_MULTICAST(ntohl(addr.s_addr))) {
		pxf_mtftp_config_fail(section, "group", error,
				      "%sgroup: '%s' is not an IPv4 multicast address "
				      "(224.0.0.0/4)",
				      prefix, group);
		return NULL;
	}
	channel = g_new0(PxfMtftpChannel, 1);
	if (path != NULL) {
		channel->path = pxf_tftp_path_sanitise(path, &error_local);
		if (channel->path == NULL) {
			pxf_mtftp_config_fail(section, "path", error, "%spath: %s", prefix,
					      error_local->message);
			pxf_mtftp_channel_free(channel);
			return NULL;
		}
	}
	channel->group = g_strdup(group);
	channel->group_addr = addr;
	channel->client_port = (guint16)pxf_conf_section_get_int(section, "client_port");
	if (channel->client_port == 0) {
		pxf_mtftp_config_fail(section, "path", error, "%sclient_port is required", prefix);
		pxf_mtftp_channel_free(channel);
		return NULL;
	}
	return channel;
}

/* The client ports must not overlap: a Linux socket bound to a port gets the
 * packets of every group the machine joined on that port. */
static gboolean
pxf_mtftp_config_check_port(PxfMtftpConfig *self,
			    const PxfConfSection *section,
			    const gchar *what,
			    const PxfMtftpChannel *channel,
			    GError **error)
{
	guint last = (guint)self->rfc2090_port + self->rfc2090_sessions - 1;

	if (channel->client_port == self->port)
		return pxf_mtftp_config_fail(section, "client_port", error,
					     "%sclient_port %u is the server port", what,
					     channel->client_port);
	if (self->rfc2090 && channel->client_port >= self->rfc2090_port &&
	    channel->client_port <= last)
		return pxf_mtftp_config_fail(section, "client_port", error,
					     "%sclient_port %u is among the RFC 2090 ports %u-%u",
					     what, channel->client_port, self->rfc2090_port, last);
	return TRUE;
}

PxfMtftpConfig *
pxf_mtftp_config_new(const PxfConfSection *section, GError **error)
{
	g_autoptr(PxfMtftpConfig) self = g_new0(PxfMtftpConfig, 1);
	GPtrArray *files = pxf_conf_section_get_list(section, "files");
	guint last;

	self->files = g_ptr_array_new_with_free_func((GDestroyNotify)pxf_mtftp_channel_free);
	self->port = (guint16)pxf_conf_section_get_int(section, "port");
	self->root = g_strdup(pxf_conf_section_get_string(section, "root"));
	self->listen = (guint)pxf_conf_section_get_int(section, "listen");
	self->delay = (guint)pxf_conf_section_get_int(section, "delay");
	self->dhcp_options = pxf_conf_section_get_bool(section, "dhcp_options");
	self->rfc2090 = pxf_conf_section_get_bool(section, "rfc2090");
	self->rfc2090_port = (guint16)pxf_conf_section_get_int(section, "rfc2090_port");
	self->rfc2090_sessions = (guint)pxf_conf_section_get_int(section, "rfc2090_sessions");
	self->blksize_max = (guint)pxf_conf_section_get_int(section, "blksize_max");
	self->timeout = (guint)pxf_conf_section_get_int(section, "timeout");
	self->retries = (guint)pxf_conf_section_get_int(section, "retries");
	self->ttl = (guint)pxf_conf_section_get_int(section, "ttl");
	self->loop = pxf_conf_section_get_bool(section, "multicast_loop");
	self->max_clients = (guint)pxf_conf_section_get_int(section, "max_clients");

	if (self->root == NULL || !g_path_is_absolute(self->root)) {
		pxf_mtftp_config_fail(section, "root", error, "root must be an absolute path");
		return NULL;
	}
	last = (guint)self->rfc2090_port + self->rfc2090_sessions - 1;
	if (self->rfc2090 && last > 65535) {
		pxf_mtftp_config_fail(section, "rfc2090_sessions", error,
				      "rfc2090_port %u + %u sessions go past port 65535",
				      self->rfc2090_port, self->rfc2090_sessions);
		return NULL;
	}
	if (self->rfc2090 && self->port >= self->rfc2090_port && self->port <= last) {
		pxf_mtftp_config_fail(section, "port", error,
				      "port %u is among the RFC 2090 ports %u-%u", self->port,
				      self->rfc2090_port, last);
		return NULL;
	}
	self->default_channel = pxf_mtftp_channel_new(section, "", NULL, error);
	if (self->default_channel == NULL)
		return NULL;
	if (!pxf_mtftp_config_check_port(self, section, "", self->default_channel, error))
		return NULL;

	for (guint i = 0; i < files->len; i++) {
		const PxfConfSection *entry = g_ptr_array_index(files, i);
		const gchar *path = pxf_conf_section_get_string(entry, "path");
		g_autofree gchar *prefix = g_strdup_printf("files[%u].", i);
		PxfMtftpChannel *channel;

		if (path == NULL) {
			pxf_mtftp_config_fail(entry, "group", error, "%spath is required", prefix);
			return NULL;
		}
		channel = pxf_mtftp_channel_new(entry, prefix, path, error);
		if (channel == NULL)
			return NULL;
		g_ptr_array_add(self->files, channel);
		if (!pxf_mtftp_config_check_port(self, entry, prefix, channel, error))
			return NULL;
		/* two files on one channel would mix their blocks in a client */
		for (guint j = 0; j < self->files->len - 1; j++) {
			const PxfMtftpChannel *other = g_ptr_array_index(self->files, j);
			if (g_strcmp0(other->path, channel->path) == 0) {
				pxf_mtftp_config_fail(entry, "path", error,
						      "%spath: '%s' is also files[%u]", prefix,
						      channel->path, j);
				return NULL;
			}
			if (other->client_port == channel->client_port) {
				pxf_mtftp_config_fail(entry, "client_port", error,
						      "%sclient_port %u is also the port of "
						      "files[%u] (%s)",
						      prefix, channel->client_port, j, other->path);
				return NULL;
			}
		}
		if (channel->client_port == self->default_channel->client_port) {
			pxf_mtftp_config_fail(entry, "client_port", error,
					      "%sclient_port %u is the default channel's port",
					      prefix, channel->client_port);
			return NULL;
		}
	}
	return g_steal_pointer(&self);
}

void
pxf_mtftp_config_free(PxfMtftpConfig *self)
{
	if (self == NULL)
		return;
	pxf_mtftp_channel_free(self->default_channel);
	if (self->files != NULL)
		g_ptr_array_unref(self->files);
	g_free(self->root);
	g_free(self);
}

const PxfMtftpChannel *
pxf_mtftp_config_get_channel(const PxfMtftpConfig *self, const gchar *path)
{
	for (guint i = 0; i < self->files->len; i++) {
		const PxfMtftpChannel *channel = g_ptr_array_index(self->files, i);
		if (g_strcmp0(channel->path, path) == 0)
			return channel;
	}
	return self->default_channel;
}
