/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* placeholder: being written */
typedef int pxf_placeholder_pxf_template_c;
