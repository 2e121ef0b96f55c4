"""Acme Sign envelope states → the shared DocumentStatus vocabulary (the one table).

List every state the provider documents, each mapped on purpose; anything else is indexed as
`unknown` and logged, never guessed. Cite where the states come from (your
docs/connector-<provider>.md or the provider's public docs).
"""

from __future__ import annotations

from signhub.core.status import DocumentStatus, StatusTable

STATUSES = StatusTable(
    "acme",
    {
        "draft": DocumentStatus.DRAFT,
        "sent": DocumentStatus.IN_PROGRESS,
        "delivered": DocumentStatus.IN_PROGRESS,
        "completed": DocumentStatus.COMPLETED,
        "declined": DocumentStatus.DECLINED,
        "voided": DocumentStatus.CANCELLED,
        "expired": DocumentStatus.EXPIRED,
    },
)
