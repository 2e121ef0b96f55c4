"""The one JSign status table: raw envelope status → normalized DocumentStatus."""

from __future__ import annotations

from signhub.core.status import DocumentStatus, StatusTable

# The list filter vocabulary is the only published list of statuses
# (https://www.jsign.com/jsign_help/API/content/api/envelopes/envelope_list.htm; see
# docs/connector-jsign.md).
# AwaitingMySignature / AwaitingOthers / DueSoon are views relative to the API user, not
# lifecycle states: all three mean "still being signed".
STATUSES = StatusTable(
    "jsign",
    {
        "AwaitingMySignature": DocumentStatus.IN_PROGRESS,
        "AwaitingOthers": DocumentStatus.IN_PROGRESS,
        "DueSoon": DocumentStatus.IN_PROGRESS,
        "Completed": DocumentStatus.COMPLETED,
        "Declined": DocumentStatus.DECLINED,
        "Cancelled": DocumentStatus.CANCELLED,
        "Expired": DocumentStatus.EXPIRED,
    },
)

SIGNED_STATUSES = frozenset({"Completed"})
