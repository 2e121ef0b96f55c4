"""Box Sign request statuses → the shared DocumentStatus vocabulary (the one table)."""

from __future__ import annotations

from signhub.core.status import DocumentStatus, StatusTable

# The enum of SignRequest.status in box/box-openapi (2024.0); the reasoning per value is in
# docs/connector-box.md ("Status table"). `created` means "document preparation needed,
# prepare_url not visited yet": not sent yet, but filed under in_progress with the other
# states before signing.
# `finalizing` = everyone signed, Box is still generating the final PDF and signing log.
# The four error states all mean "this request can never finish; send a new one".
STATUSES = StatusTable(
    "box",
    {
        "converting": DocumentStatus.IN_PROGRESS,
        "created": DocumentStatus.IN_PROGRESS,
        "sent": DocumentStatus.IN_PROGRESS,
        "viewed": DocumentStatus.IN_PROGRESS,
        "finalizing": DocumentStatus.IN_PROGRESS,
        "signed": DocumentStatus.COMPLETED,
        "declined": DocumentStatus.DECLINED,
        "cancelled": DocumentStatus.CANCELLED,
        "expired": DocumentStatus.EXPIRED,
        "error": DocumentStatus.FAILED,
        "error_converting": DocumentStatus.FAILED,
        "error_sending": DocumentStatus.FAILED,
        "error_finalizing": DocumentStatus.FAILED,
        # Not in the enum, but Box's "create sign request" guide lists them as states after
        # signing; if the API ever sends them they still mean "signed".
        "downloaded": DocumentStatus.COMPLETED,
        "signed and downloaded": DocumentStatus.COMPLETED,
    },
)
