/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading and checking the bootloader plugins' conf.d values, read once in
 * init so that a bad value refuses the plugin with file:line:column instead
 * of failing a boot. */
#define G_LOG_DOMAIN "pxf-bootloader"

#include <string.h>

#include "pxf-bootloader.h"

gboolean
pxf_bootloader_config_fail(const PxfConfSection *section,
			   const gchar *key,
			   GQuark domain,
			   gint code,
			   GError **error,
			   const gchar *format,
			   ...)
{
	g_autofree gchar *where = pxf_conf_section_where(section, key);
	g_autofree gchar *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, domain, code, "%s: %s: %s", where, key, message);
	return FALSE;
}

gchar *
pxf_bootloader_config_dup_optional(const PxfConfSection *section, const gchar *key)
{
	const gchar *value = pxf_conf_section_get_string(section, key);
	return value != NULL && value[0] != '\0' ? g_strdup(value) : NULL;
}

gboolean
pxf_bootloader_config_choice(const PxfConfSection *section,
			     const gchar *key,
			     const gchar *const *choices,
			     gint *out,
			     GQuark domain,
			     gint code,
			     GError **error)
{
	const gchar *value = pxf_conf_section_get_string(section, key);
	g_autofree gchar *list = NULL;

	for (gint i = 0; choices[i] != NULL; i++) {
		if (g_strcmp0(value, choices[i]) == 0) {
			*out = i;
			return TRUE;
		}
	}
	list = g_strjoinv(", ", (gchar **)choices);
	return pxf_bootloader_config_fail(section, key, domain, code, error,
					  "'%s' is not one of %s", value != NULL ? value : "",
					  list);
}

gboolean
pxf_bootloader_config_check_line(const PxfConfSection *section,
				 const gchar *key,
				 const gchar *value,
				 GQuark domain,
				 gint code,
				 GError **error)
{
	if (value == NULL || strpbrk(value, "\r\n") == NULL)
		return TRUE;
	return pxf_bootloader_config_fail(section, key, domain, code, error,
					  "must be a single line");
}

gboolean
pxf_bootloader_config_check_file(const PxfConfSection *section,
				 const gchar *key,
				 const gchar *path,
				 const gchar *const *url_schemes,
				 GQuark domain,
				 gint code,
				 GError **error)
{
	if (path == NULL)
		return TRUE;
	/* the loader fetches it from there itself */
	if (pxf_bootloader_has_scheme(path, url_schemes))
		return TRUE;
	if (!g_path_is_absolute(path))
		return pxf_bootloader_config_fail(section, key, domain, code, error,
						  "'%s' is not an absolute path", path);
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return pxf_bootloader_config_fail(section, key, domain, code, error,
						  "'%s' is not a regular file", path);
	return TRUE;
}

gboolean
pxf_bootloader_config_check_label(const PxfConfSection *section,
				  const gchar *key,
				  const gchar *value,
				  const gchar *const *labels,
				  GQuark domain,
				  gint code,
				  GError **error)
{
	g_autofree gchar *choices = NULL;

	if (value != NULL && g_strv_contains(labels, value))
		return TRUE;
	choices = g_strjoinv(", ", (gchar **)labels);
	return pxf_bootloader_config_fail(section, key, domain, code, error,
					  "'%s' is not one of %s", value != NULL ? value : "",
					  choices);
}

gboolean
pxf_bootloader_is_kernel_param_name(const gchar *name)
{
	return name != NULL && name[0] != '\0' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz._") == strlen(name);
}

gboolean
pxf_bootloader_config_check_ks_param(const PxfConfSection *section,
				     const gchar *key,
				     const gchar *value,
				     GQuark domain,
				     gint code,
				     GError **error)
{
	if (pxf_bootloader_is_kernel_param_name(value))
		return TRUE;
	return pxf_bootloader_config_fail(
		section, key, domain, code, error,
		"'%s' is not a kernel parameter name such as ks or inst.ks",
		value != NULL ? value : "");
}

gboolean
pxf_bootloader_config_check_menu_pair(const PxfConfSection *section,
				      const gchar *kernel,
				      const gchar *initrd,
				      GQuark domain,
				      gint code,
				      GError **error)
{
	if ((kernel == NULL) == (initrd == NULL))
		return TRUE;
	return pxf_bootloader_config_fail(section, kernel == NULL ? "menu_initrd" : "menu_kernel",
					  domain, code, error,
					  "menu_kernel and menu_initrd go together");
}
