/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names of the SDK's enumerations, as printed in logs, JSON and docs. */
#define G_LOG_DOMAIN "pxf-sdk"

#include "config.h"

#include <pxeforge/plugin.h>

const gchar *
pxf_plugin_kind_to_string(PxfPluginKind kind)
{
	switch (kind) {
	case PXF_PLUGIN_KIND_TRANSPORT:
		return "transport";
	case PXF_PLUGIN_KIND_BOOTLOADER:
		return "bootloader";
	case PXF_PLUGIN_KIND_PROFILE:
		return "profile";
	case PXF_PLUGIN_KIND_SITE:
		return "site";
	case PXF_PLUGIN_KIND_INVALID:
	default:
		return NULL;
	}
}

const gchar *
pxf_host_state_to_string(PxfHostState state)
{
	switch (state) {
	case PXF_HOST_STATE_UNKNOWN:
		return "unknown";
	case PXF_HOST_STATE_DISCOVERED:
		return "discovered";
	case PXF_HOST_STATE_BOOTING:
		return "booting";
	case PXF_HOST_STATE_INSTALLING:
		return "installing";
	case PXF_HOST_STATE_INSTALLED:
		return "installed";
	case PXF_HOST_STATE_FAILED:
		return "failed";
	default:
		return "invalid";
	}
}

const gchar *
pxf_firmware_to_string(PxfFirmware firmware)
{
	switch (firmware) {
	case PXF_FIRMWARE_BIOS:
		return "bios";
	case PXF_FIRMWARE_UEFI_IA32:
		return "uefi-ia32";
	case PXF_FIRMWARE_UEFI_X64:
		return "uefi-x64";
	case PXF_FIRMWARE_UEFI_ARM64:
		return "uefi-arm64";
	case PXF_FIRMWARE_UNKNOWN:
	default:
		return "unknown";
	}
}

const gchar *
pxf_boot_stage_to_string(PxfBootStage stage)
{
	switch (stage) {
	case PXF_BOOT_STAGE_ROM:
		return "rom";
	case PXF_BOOT_STAGE_IPXE:
		return "ipxe";
	case PXF_BOOT_STAGE_LOADER:
		return "loader";
	case PXF_BOOT_STAGE_INSTALLER:
		return "installer";
	case PXF_BOOT_STAGE_UNKNOWN:
	default:
		return "unknown";
	}
}

const gchar *
pxf_host_event_type_to_string(PxfHostEventType type)
{
	switch (type) {
	case PXF_HOST_EVENT_STATE_CHANGED:
		return "state-changed";
	case PXF_HOST_EVENT_DISCOVERED:
		return "discovered";
	case PXF_HOST_EVENT_OFFERED:
		return "offered";
	case PXF_HOST_EVENT_ACKED:
		return "acked";
	case PXF_HOST_EVENT_FILE_SERVED:
		return "file-served";
	case PXF_HOST_EVENT_INSTALLER_STARTED:
		return "installer-started";
	case PXF_HOST_EVENT_DONE:
		return "done";
	case PXF_HOST_EVENT_FAILED:
		return "failed";
	default:
		return "invalid";
	}
}
