/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-fuzz-config"

#include "pxf-config.h"

/* libFuzzer target: any bytes through the YAML parser, then the schema
 * validator, merging and the variant conversion that templates use. */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, gsize size);

static const PxfConfKey fuzz_item_schema[] = {
	{"name", PXF_CONF_TYPE_STRING, NULL, "name", NULL, 0, 0, {NULL, NULL}},
	{"size", PXF_CONF_TYPE_INT, "1", "size", NULL, 1, 100, {NULL, NULL}},
	PXF_CONF_KEY_END,
};

static const PxfConfKey fuzz_sub_schema[] = {
	{"enabled", PXF_CONF_TYPE_BOOL, "false", "on/off", NULL, 0, 0, {NULL, NULL}},
	{"interfaces", PXF_CONF_TYPE_STRING_LIST, "eth0,eth1", "where", NULL, 0, 0, {NULL, NULL}},
	{"items", PXF_CONF_TYPE_SECTION_LIST, NULL, "items", fuzz_item_schema, 0, 0, {NULL, NULL}},
	PXF_CONF_KEY_END,
};

static const PxfConfKey fuzz_schema[] = {
	{"server", PXF_CONF_TYPE_STRING, "pxe", "name", NULL, 0, 0, {NULL, NULL}},
	{"port", PXF_CONF_TYPE_INT, "69", "port", NULL, 1, 65535, {NULL, NULL}},
	{"debug", PXF_CONF_TYPE_BOOL, NULL, "debug", NULL, 0, 0, {NULL, NULL}},
	{"plugins", PXF_CONF_TYPE_SECTION, NULL, "plugins", fuzz_sub_schema, 0, 0, {NULL, NULL}},
	{"hosts", PXF_CONF_TYPE_SECTION_LIST, NULL, "hosts", fuzz_item_schema, 0, 0, {NULL, NULL}},
	PXF_CONF_KEY_END,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* a critical means the library misjudged its input: make it a crash */
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	return 0;
}

static void
fuzz_section(const PxfConfSection *section)
{
	const PxfConfSection *plugins = pxf_conf_section_get_section(section, "plugins");
	GPtrArray *hosts = pxf_conf_section_get_list(section, "hosts");
	gchar *where = pxf_conf_section_where(section, "port");

	g_assert(where != NULL);
	g_free(where);
	(void)pxf_conf_section_get_string(section, "server");
	(void)pxf_conf_section_get_int(section, "port");
	(void)pxf_conf_section_get_bool(section, "debug");
	(void)pxf_conf_section_get_node(section, "plugins");
	(void)g_strv_length((gchar **)pxf_conf_section_get_strv(plugins, "interfaces"));
	(void)pxf_conf_section_get_list(plugins, "items");
	for (guint i = 0; i < hosts->len; i++) {
		gchar *w = pxf_conf_section_where(hosts->pdata[i], "name");
		g_assert(w != NULL);
		g_free(w);
		(void)pxf_conf_section_get_int(hosts->pdata[i], "size");
	}
}

int
LLVMFuzzerTestOneInput(const guint8 *data, gsize size)
{
	g_autoptr(GPtrArray) diags = pxf_diags_new();
	g_autoptr(PxfConfNode) root = NULL;
	g_autoptr(PxfConfNode) merged = NULL;
	g_autoptr(PxfConfSection) section = NULL;
	g_autoptr(GVariant) variant = NULL;

	root = pxf_conf_parse_data("fuzz.yaml", (const gchar *)data, size, diags);
	if (root != NULL) {
		section = pxf_conf_section_new(root, fuzz_schema, "", diags);
		fuzz_section(section);
		/* merging a tree with itself twice doubles "hosts" and must
		 * leave root untouched */
		merged = pxf_conf_node_new(PXF_CONF_NODE_MAP, "merged", 0, 0);
		pxf_conf_merge(merged, root, TRUE);
		pxf_conf_merge(merged, root, TRUE);
		variant = g_variant_ref_sink(pxf_conf_node_to_variant(merged));
	}
	for (guint i = 0; i < diags->len; i++) {
		gchar *str = pxf_diag_to_string(diags->pdata[i]);
		g_assert(str[0] != '\0');
		g_free(str);
	}
	return 0;
}
