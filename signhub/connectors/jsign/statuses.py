"""The one JSign status table: raw envelope status → normalized DocumentStatus."""

from __future__ import annotations

from signhub.core.status import DocumentStatus, map_status

# The list filter vocabulary is the only published list of statuses (providers.md §3.4).
# AwaitingMySignature / AwaitingOthers / DueSoon are views relative to the API user, not
# lifecycle states: all three mean "still being signed".
STATUS_TABLE: dict[str, DocumentStatus] = {
    "AwaitingMySignature": DocumentStatus.IN_PROGRESS,
    "AwaitingOthers": DocumentStatus.IN_PROGRESS,
    "DueSoon": DocumentStatus.IN_PROGRESS,
    "Completed": DocumentStatus.COMPLETED,
    "Declined": DocumentStatus.DECLINED,
    "Cancelled": DocumentStatus.CANCELLED,
    "Expired": DocumentStatus.EXPIRED,
}

SIGNED_STATUSES = frozenset({"Completed"})


def normalize(raw: str | None) -> str:
    """Map through the table; anything new becomes `unknown` (and is logged by the core)."""
    return map_status("jsign", raw, STATUS_TABLE)
