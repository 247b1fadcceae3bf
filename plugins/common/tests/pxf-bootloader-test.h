/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixtures the bootloader plugins' unit tests share: temporary files, the
 * plugin's conf.d section from YAML, the bad-value table every plugin's
 * configuration test walks, render variables of a known host and the core's
 * renderer on a shipped template. Compiled into each test (needs pxfcore). */
#pragma once

#include <pxeforge/plugin.h>

#include "pxf-config.h"

G_BEGIN_DECLS

/* Writes dir/relative (creating its directories); asserts on failure. */
void pxf_bootloader_test_write_file(const gchar *dir, const gchar *relative, const gchar *text);
/* Removes path and everything below it (symlinks are not followed). */
void pxf_bootloader_test_rm_rf(const gchar *path);
/* g_error() with the text when needle is (not) in it. */
void pxf_bootloader_test_assert_contains(const gchar *text, const gchar *needle);
void pxf_bootloader_test_assert_lacks(const gchar *text, const gchar *needle);

/* The plugin's section "name" of the YAML document file (asserting that the
 * schema keys accepts it); *root keeps the document alive. */
PxfConfSection *pxf_bootloader_test_section(const gchar *file,
					    const gchar *yaml,
					    const gchar *name,
					    const PxfConfKey *keys,
					    PxfConfNode **root);

/* One refused configuration: base YAML + extra must fail with an error
 * that contains message. */
typedef struct {
	const gchar *extra;
	const gchar *message;
} PxfBootloaderTestBad;

/* Builds the plugin's configuration from YAML, or NULL with error. */
typedef gpointer (*PxfBootloaderTestConfigNew)(const gchar *yaml, GError **error);

/* Each of bad[] refuses the configuration with (domain, code), an error
 * containing its message and starting with file_prefix (it says where). */
void pxf_bootloader_test_refuses(PxfBootloaderTestConfigNew config_new,
				 const gchar *base,
				 const PxfBootloaderTestBad *bad,
				 guint n_bad,
				 GQuark domain,
				 gint code,
				 const gchar *file_prefix);

/* The distro and profile of a known host's render. */
typedef struct {
	const gchar *name;
	const gchar *kernel;
	const gchar *initrd;
	const gchar *os; /* profile.os, NULL: not set */
} PxfBootloaderTestDistro;

/* Render variables of host web01 (mac, and mac_dashes when not NULL) with
 * profile "web" of distro (NULL: no distro, no profile). */
PxfVars *pxf_bootloader_test_host_vars(const gchar *mac,
				       const gchar *mac_dashes,
				       const PxfBootloaderTestDistro *distro);

/* The template file rendered by the core with vars; asserts it renders. */
gchar *pxf_bootloader_test_render_file(const gchar *path, PxfVars *vars);

G_END_DECLS
