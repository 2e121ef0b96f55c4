"""Background work through Django's task API (django-tasks backport; Django 6: django.tasks)."""

from django_tasks import task

from .models import ProviderAccount, SyncRun
from .sync import sync_account


@task()
def sync_account_task(account_id: int, full: bool = False, run_id: int | None = None) -> int:
    """Sync one account in a worker; returns the SyncRun id (progress lives on that row)."""
    account = ProviderAccount.objects.get(pk=account_id)
    run = SyncRun.objects.filter(pk=run_id).first() if run_id else None
    return sync_account(account, full=full, trigger="task", run=run).pk


def enqueue_sync(account: ProviderAccount, *, full: bool = False, trigger: str = "web") -> SyncRun:
    """Create a queued SyncRun the page can poll, and hand the work to the task backend."""
    run = SyncRun.objects.create(account=account, full=full, trigger=trigger)
    sync_account_task.enqueue(account.pk, full=full, run_id=run.pk)
    run.refresh_from_db()
    return run
