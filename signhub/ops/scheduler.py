"""Enqueue the syncs that are due, at most one per account, however many schedulers run.

Safe to run from cron, a systemd timer or a `--loop` process on several machines at once:

* an account with a queued or running SyncRun is skipped (its sync is already coming);
* the schedule row is claimed with a conditional UPDATE (compare-and-set on `next_run_at`
  and `last_full_enqueued_at`), so of two schedulers that read the same due row only one
  enqueues. Nothing is kept in memory, so restarts lose nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from signhub.core.models import ProviderAccount, SignedDocument, SyncRun
from signhub.core.registry import registry
from signhub.core.status import DocumentStatus
from signhub.core.tasks import enqueue_sync
from signhub.webhooks.refresh import enqueue_event_polls, enqueue_forgotten

from .alerts import check_alerts
from .models import SyncSchedule

logger = logging.getLogger("signhub.ops.scheduler")


@dataclass
class TickResult:
    enqueued: list[tuple[str, bool]] = field(default_factory=list)  # (account name, full)
    busy: list[str] = field(default_factory=list)  # had a queued/running sync
    lost: list[str] = field(default_factory=list)  # another scheduler claimed it first


def ensure_schedules() -> int:
    """Create default schedules for accounts that have none (safe to race)."""
    missing = ProviderAccount.objects.filter(schedule__isnull=True).values_list("pk", flat=True)
    rows = [SyncSchedule(account_id=pk) for pk in missing]
    SyncSchedule.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def active_account_ids(now: datetime) -> set[int]:
    """Accounts whose sync is queued or running and not abandoned.

    A queued run older than SIGNHUB_QUEUED_RUN_TIMEOUT_MINUTES (worker lost, queue wiped)
    stops blocking; a running run counts while its account's sync lock is still live.
    """
    queued_after = now - timedelta(minutes=settings.SIGNHUB_QUEUED_RUN_TIMEOUT_MINUTES)
    runs = SyncRun.objects.filter(
        Q(state=SyncRun.State.QUEUED, queued_at__gte=queued_after)
        | Q(state=SyncRun.State.RUNNING, account__sync_lock_expires_at__gt=now)
    )
    return set(runs.values_list("account_id", flat=True))


def busy_signing_accounts() -> set[int]:
    """Accounts of providers without webhooks (`adaptive_polling`) that have documents in
    progress: they are polled every SIGNHUB_JSIGN_ACTIVE_POLL_MINUTES instead."""
    providers = [c.provider for c in registry.all() if c.adaptive_polling]
    if not providers:
        return set()
    rows = SignedDocument.objects.filter(
        provider__in=providers, status=DocumentStatus.IN_PROGRESS, removed_at__isnull=True
    )
    return set(rows.values_list("account_id", flat=True).distinct())


def poll_due(schedule: SyncSchedule, now: datetime, busy: set[int]) -> bool:
    """The normal incremental interval, or the short one for a busy adaptive account
    (counted from the last claim: `next_run_at` minus the normal interval)."""
    if schedule.incremental_due(now):
        return True
    if schedule.account_id not in busy:
        return False
    minutes = min(schedule.interval_minutes, settings.SIGNHUB_JSIGN_ACTIVE_POLL_MINUTES)
    claimed_at = schedule.next_run_at - timedelta(minutes=schedule.interval_minutes)
    return claimed_at + timedelta(minutes=minutes) <= now


def due_schedules(now: datetime) -> list[SyncSchedule]:
    # Accounts waiting to be connected have nothing to sync until an administrator connects.
    candidates = SyncSchedule.objects.filter(
        enabled=True, account__enabled=True, account__awaiting_connect=False
    ).select_related("account")
    busy = busy_signing_accounts()
    return [s for s in candidates if poll_due(s, now, busy) or s.full_due(now)]


def claim(schedule: SyncSchedule, now: datetime, *, full: bool) -> bool:
    """Compare-and-set the schedule row; True only for the one scheduler that moved it."""
    updates = {"next_run_at": now + timedelta(minutes=schedule.interval_minutes)}
    if full:
        updates["last_full_enqueued_at"] = now
    won = SyncSchedule.objects.filter(
        pk=schedule.pk,
        next_run_at=schedule.next_run_at,  # None compares as IS NULL
        last_full_enqueued_at=schedule.last_full_enqueued_at,
    ).update(**updates)
    return won == 1


def tick(now: datetime | None = None) -> TickResult:
    """One pass: enqueue every due sync once, then raise/clear failure alerts."""
    now = now or timezone.now()
    ensure_schedules()
    result = TickResult()
    due = due_schedules(now)
    busy = active_account_ids(now) if due else set()
    for schedule in due:
        name = schedule.account.name
        if schedule.account_id in busy:
            result.busy.append(name)
            continue
        full = schedule.full_due(now)
        if not claim(schedule, now, full=full):
            result.lost.append(name)
            continue
        enqueue_sync(schedule.account, full=full, trigger="schedule")
        result.enqueued.append((name, full))
        logger.info("Enqueued %s sync of %s", "full" if full else "incremental", name)
    enqueue_forgotten()
    enqueue_event_polls()
    check_alerts()
    return result
