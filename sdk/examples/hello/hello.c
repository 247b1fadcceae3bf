/* SPDX-License-Identifier: MIT */
/* An example site plugin: counts host events, logs them with a site tag,
 * and offers the tag to templates as {{site_tag}}. Build it against the
 * installed SDK:
 *
 *   cc -shared -fPIC -o hello.so hello.c $(pkg-config --cflags pxeforge-plugin) \
 *      -Wl,--version-script,$(pkg-config --variable=mapfile pxeforge-plugin)
 *
 * and install hello.so into $(pkg-config --variable=plugindir pxeforge-plugin).
 */
#define G_LOG_DOMAIN "hello"

#include <pxeforge/plugin.h>

typedef struct {
	gchar *tag;
	guint n_events;
} Hello;

static void
hello_free(gpointer data)
{
	Hello *hello = data;
	g_free(hello->tag);
	g_free(hello);
}

static PxfVerdict
hello_host_event(PxfHostEventArgs *args, gpointer user_data)
{
	Hello *hello = user_data;
	hello->n_events++;
	g_message("[%s] event #%u: %s %s%s%s", hello->tag, hello->n_events,
		  pxf_host_event_type_to_string(args->type), args->mac ? args->mac : "?",
		  args->detail ? " " : "", args->detail ? args->detail : "");
	return PXF_VERDICT_CONTINUE;
}

static PxfVerdict
hello_template_vars(PxfTemplateVarsArgs *args, gpointer user_data)
{
	Hello *hello = user_data;
	pxf_vars_set_string(args->vars, "site_tag", hello->tag);
	return PXF_VERDICT_CONTINUE;
}

static gboolean
hello_init(PxfPluginContext *ctx, GError **error)
{
	const PxfConfSection *config = pxf_plugin_context_get_config(ctx);
	Hello *hello = g_new0(Hello, 1);

	hello->tag = g_strdup(pxf_conf_section_get_string(config, "tag"));
	pxf_plugin_context_set_data(ctx, hello, hello_free);
	if (!pxf_hook_connect_host_event(ctx, hello_host_event, hello, NULL, error))
		return FALSE;
	if (!pxf_hook_connect_template_vars(ctx, hello_template_vars, hello, NULL, error))
		return FALSE;
	g_message("[%s] hello plugin started", hello->tag);
	return TRUE;
}

static void
hello_fini(PxfPluginContext *ctx)
{
	Hello *hello = pxf_plugin_context_get_data(ctx);
	g_message("[%s] hello plugin stopping after %u events", hello->tag, hello->n_events);
}

static const PxfConfKey hello_keys[] = {
	{.key = "tag",
	 .type = PXF_CONF_TYPE_STRING,
	 .default_value = "hello",
	 .description = "tag put in front of every logged event and into {{site_tag}}"},
	PXF_CONF_KEY_END,
};

PXF_PLUGIN_DEFINE(.name = "hello",
		  .kind = PXF_PLUGIN_KIND_SITE,
		  .version = "1.0.0",
		  .license = "MIT",
		  .description = "example site plugin: logs host events with a tag",
		  .config_keys = hello_keys,
		  .init = hello_init,
		  .fini = hello_fini);
