/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-fuzz"

#include "config.h"

#include <string.h>

#include "pxf-template.h"
#include "pxf-vars.h"

/* libFuzzer target: the input is a template, rendered against fixed
 * variables (nested dictionaries and lists) with partials made from fixed
 * strings, one of them recursive and one the input itself. Limits are kept
 * small so that every input stays fast; what is checked is that nothing
 * crashes or leaks, and that a failed render leaves the output untouched. */

int LLVMFuzzerTestOneInput(const guint8 *data, gsize size);

static PxfVars *fuzz_vars = NULL;
static const guint8 *fuzz_input = NULL;
static gsize fuzz_input_size = 0;

static const gchar *const fuzz_partials[] = {
	"text",	  "plain {{text}}\n",
	"list",	  "{{#list}}\n  - {{.}}\n{{/list}}\n",
	"host",	  "{{#host}}{{hostname}} {{mac}}{{#disks}} {{name}}={{size}}{{/disks}}{{/host}}",
	"self",	  "[{{>self}}]",
	"tree",	  "{{name}}({{#children}}{{>tree}}{{/children}})",
	"deep",	  "{{#host.disks}}{{>deep}}{{>deep}}{{/host.disks}}",
	"broken", "{{#open}}\n",
	"delims", "{{=<% %>=}}<%text%><%>text%>",
	NULL,
};

static PxfTemplate *
fuzz_partial_loader(const gchar *name, gpointer user_data, GError **error)
{
	PxfTemplate *tpl;

	if (g_strcmp0(name, "input") == 0) {
		tpl = pxf_template_new("input", (const gchar *)fuzz_input, fuzz_input_size, error);
	} else {
		tpl = NULL;
		for (guint i = 0; fuzz_partials[i] != NULL; i += 2) {
			if (g_strcmp0(fuzz_partials[i], name) == 0) {
				tpl = pxf_template_new(name, fuzz_partials[i + 1], (gsize)-1,
						       error);
				break;
			}
		}
		if (tpl == NULL && g_strcmp0(name, "missing") == 0)
			return NULL; /* not found without an error: renders empty */
		if (tpl == NULL && (error == NULL || *error == NULL)) {
			g_set_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_PARTIAL,
				    "unknown partial");
			return NULL;
		}
	}
	if (tpl != NULL) {
		pxf_template_set_max_output(tpl, 1024 * 1024);
		pxf_template_set_max_steps(tpl, 200000);
	}
	return tpl;
}

static PxfVars *
fuzz_vars_new(void)
{
	PxfVars *vars = pxf_vars_new();
	GVariant *value = g_variant_parse(
		NULL,
		"{'hostname': <'web1'>, 'mac': <'52:54:00:12:34:56'>, 'ip': <'10.0.0.21'>,"
		" 'netboot': <true>, 'disks': <[<{'name': <'sda'>, 'size': <int64 512>}>,"
		" <{'name': <'sdb'>, 'size': <1.5>}>, <{'name': <''>}>]>,"
		" 'labels': <@a{ss} {'rack': 'r1', 'row': ''}>}",
		NULL, NULL, NULL);
	const gchar *list[] = {"vim", "tmux", "", "chrony", NULL};

	g_assert_nonnull(value);
	pxf_vars_set(vars, "host", value);
	pxf_vars_set(vars, "list", g_variant_new_strv(list, -1));
	pxf_vars_set_string(vars, "text", "hello");
	pxf_vars_set_string(vars, "empty", "");
	pxf_vars_set(vars, "yes", g_variant_new_boolean(TRUE));
	pxf_vars_set(vars, "no", g_variant_new_boolean(FALSE));
	pxf_vars_set(vars, "zero", g_variant_new_int32(0));
	pxf_vars_set(vars, "pi", g_variant_new_double(3.14159));
	pxf_vars_set(vars, "boxed", g_variant_new_variant(g_variant_new_string("inside")));
	pxf_vars_set(vars, "none", g_variant_new_maybe(G_VARIANT_TYPE_STRING, NULL));
	pxf_vars_set_string(vars, "flat.name", "flat");
	value = g_variant_parse(NULL,
				"{'name': <'root'>, 'children': <[<{'name': <'a'>, 'children':"
				" <[<{'name': <'a1'>}>]>}>, <{'name': <'b'>}>]>}",
				NULL, NULL, NULL);
	g_assert_nonnull(value);
	pxf_vars_set(vars, "tree", value);
	pxf_vars_set(vars, "name", g_variant_new_string("top"));
	return vars;
}

int
LLVMFuzzerTestOneInput(const guint8 *data, gsize size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfTemplate) tpl = NULL;
	g_autoptr(GString) out = g_string_new("prefix");

	if (fuzz_vars == NULL)
		fuzz_vars = fuzz_vars_new();
	if (size > 64 * 1024)
		return 0;
	fuzz_input = data;
	fuzz_input_size = size;

	tpl = pxf_template_new("fuzz", (const gchar *)data, size, &error);
	if (tpl == NULL) {
		g_assert(error != NULL);
		g_assert(error->domain == PXF_TEMPLATE_ERROR);
		g_assert(g_str_has_prefix(error->message, "fuzz:"));
		return 0;
	}
	/* what check, start and reload do: the same partials, every section */
	if (!pxf_template_check(tpl, fuzz_partial_loader, NULL, &error)) {
		g_assert(error != NULL && error->domain == PXF_TEMPLATE_ERROR);
		g_assert(g_str_has_prefix(error->message, "fuzz:"));
		g_clear_error(&error);
	}
	pxf_template_set_max_output(tpl, 1024 * 1024);
	pxf_template_set_max_steps(tpl, 200000);
	/* rendered twice: a template is reused for many hosts */
	for (guint i = 0; i < 2; i++) {
		gsize before = out->len;
		if (!pxf_template_render(tpl, fuzz_vars, fuzz_partial_loader, NULL, out, &error)) {
			g_assert(error != NULL);
			g_assert(out->len == before);
			g_clear_error(&error);
		}
	}
	return 0;
}
