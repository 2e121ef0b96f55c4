"""Background work through Django's task API (django-tasks backport; Django 6: django.tasks)."""

import logging

from django.db import DatabaseError
from django.utils import timezone
from django_tasks import task

from .models import ProviderAccount, SyncRun
from .sync import sync_account

logger = logging.getLogger("signhub.sync")


@task()
def sync_account_task(account_id: int, full: bool = False, run_id: int | None = None) -> int:
    """Sync one account in a worker; returns the SyncRun id (progress lives on that row).

    The engine records provider failures itself; if anything else stops the task before
    the run is finished (the database went away, say), the run is marked failed rather than
    left "queued" for ever on the accounts page.
    """
    account = ProviderAccount.objects.get(pk=account_id)
    run = SyncRun.objects.filter(pk=run_id).first() if run_id else None
    try:
        return sync_account(account, full=full, trigger="task", run=run).pk
    except Exception:
        if run is not None:
            _give_up(run)
        raise


def _give_up(run: SyncRun) -> None:
    try:
        SyncRun.objects.filter(
            pk=run.pk, state__in=[SyncRun.State.QUEUED, SyncRun.State.RUNNING]
        ).update(
            state=SyncRun.State.FAILED,
            finished_at=timezone.now(),
            error_code="internal_error",
            error_message="The sync could not run (details in the server log); try again.",
        )
    except DatabaseError:
        logger.exception("Could not mark sync run %s as failed", run.pk)


def enqueue_sync(account: ProviderAccount, *, full: bool = False, trigger: str = "web") -> SyncRun:
    """Create a queued SyncRun the page can poll, and hand the work to the task backend."""
    run = SyncRun.objects.create(account=account, full=full, trigger=trigger)
    sync_account_task.enqueue(account.pk, full=full, run_id=run.pk)
    run.refresh_from_db()
    return run
