"""An account that failed N syncs in a row is alert-worthy: logged at ERROR once, shown.

The core sync engine only counts failures; the crossing is detected here, by comparing the
count with the schedule's `alerted_at` mark. The mark is set with a conditional UPDATE, so
several schedulers log the crossing once, and it is cleared when a sync succeeds again.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from .models import SyncSchedule

logger = logging.getLogger("signhub.ops.alerts")


def threshold() -> int:
    return max(1, settings.SIGNHUB_ALERT_AFTER_FAILURES)


def is_alerting(failures_in_a_row: int) -> bool:
    return failures_in_a_row >= threshold()


def check_alerts() -> list[str]:
    """Log newly failing accounts at ERROR (once each); return their names."""
    limit = threshold()
    raised = []
    crossing = SyncSchedule.objects.filter(
        alerted_at__isnull=True, account__failures_in_a_row__gte=limit
    ).select_related("account")
    for schedule in crossing:
        marked = SyncSchedule.objects.filter(pk=schedule.pk, alerted_at__isnull=True).update(
            alerted_at=timezone.now()
        )
        if not marked:
            continue  # another scheduler logged it
        account = schedule.account
        # The stored error is the engine's plain-words message (never tokens or URLs).
        logger.error(
            "Account %s has failed %s syncs in a row (alert threshold %s); last error: %s",
            account.name,
            account.failures_in_a_row,
            limit,
            account.last_error_code or "unknown",
        )
        raised.append(account.name)
    recovered = SyncSchedule.objects.filter(
        alerted_at__isnull=False, account__failures_in_a_row__lt=limit
    )
    for schedule in recovered.select_related("account"):
        if SyncSchedule.objects.filter(pk=schedule.pk, alerted_at__isnull=False).update(
            alerted_at=None
        ):
            logger.info("Account %s syncs again; alert cleared", schedule.account.name)
    return raised
