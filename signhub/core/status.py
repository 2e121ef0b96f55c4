"""The one normalized status vocabulary shared by every provider, and per-provider tables."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

from django.db import models

logger = logging.getLogger("signhub.status")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Unknown"


# The ways a document ends without completing: they get `ended_at`, never `completed_at`.
ENDED_STATUSES = frozenset(
    {
        DocumentStatus.DECLINED,
        DocumentStatus.CANCELLED,
        DocumentStatus.EXPIRED,
        DocumentStatus.FAILED,
    }
)


def map_status(provider: str, raw: str | None, table: Mapping[str, DocumentStatus]) -> str:
    """Map a provider's raw status through its table; unknown values go to UNKNOWN, logged.

    Never guess a "nice" status: an unmapped value is visible as `unknown` in the dashboard
    and the raw value is kept beside it.
    """
    if raw is not None and raw in table:
        return table[raw]
    logger.warning("Unmapped %s status %r: indexed as unknown", provider, raw)
    return DocumentStatus.UNKNOWN


class StatusTable(Mapping[str, DocumentStatus]):
    """One provider's table: every raw status it documents → a DocumentStatus.

    Each connector app defines one (`statuses.STATUSES`) and its connector class exposes it
    as `statuses`, so forms, tests and docs read the same table the mapping uses.
    """

    def __init__(self, provider: str, table: Mapping[str, DocumentStatus]) -> None:
        self.provider = provider
        self._table = dict(table)

    def __getitem__(self, raw: str) -> DocumentStatus:
        return self._table[raw]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def normalize(self, raw: object) -> str:
        """The normalized status of one raw value (a non-string counts as missing)."""
        return map_status(self.provider, raw if isinstance(raw, str) else None, self._table)
