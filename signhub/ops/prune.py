"""Retention: old sync runs go, the latest run of each account stays (its health shows it)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from signhub.core.models import SyncRun

FINISHED = [
    SyncRun.State.SUCCEEDED,
    SyncRun.State.PARTIAL,
    SyncRun.State.FAILED,
    SyncRun.State.SKIPPED,
]


def prune_sync_runs(days: int, *, dry_run: bool = False) -> int:
    """Delete finished sync runs queued more than `days` ago; return how many (would) go."""
    cutoff = timezone.now() - timedelta(days=days)
    latest = SyncRun.objects.values("account_id").annotate(last=Max("id")).values("last")
    old = SyncRun.objects.filter(state__in=FINISHED, queued_at__lt=cutoff).exclude(id__in=latest)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted
