"""The one normalized status vocabulary shared by every provider."""

import logging
from collections.abc import Mapping

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


def map_status(provider: str, raw: str | None, table: Mapping[str, DocumentStatus]) -> str:
    """Map a provider's raw status through its table; unknown values go to UNKNOWN, logged.

    Never guess a "nice" status: an unmapped value is visible as `unknown` in the dashboard
    and the raw value is kept beside it.
    """
    if raw is not None and raw in table:
        return table[raw]
    logger.warning("Unmapped %s status %r: indexed as unknown", provider, raw)
    return DocumentStatus.UNKNOWN
