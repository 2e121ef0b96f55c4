"""From verified events to refreshes on the task worker: collapsed, bounded, never overlapping.

An event asks for its document (or, naming none, the account) with `request_refresh`: one
`PendingRefresh` row per document, so a second event for a document still waiting adds
nothing. Only the first waiting row of an account enqueues `refresh_account_task`, after
SIGNHUB_WEBHOOK_DEBOUNCE_SECONDS (when the backend can defer; longer while an account's
events keep coming, see `_delay`), so a burst of events becomes few tasks. The task takes every waiting row; more than SIGNHUB_WEBHOOK_MAX_TARGETS documents
(or an account-wide request) become one incremental sync instead of one call per document.
The sync engine's account lock keeps a refresh and a sync from overlapping: a refresh that
finds the lock taken puts its rows back and tries again a little later.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task, task_backends

from signhub.core.errors import ConnectorError
from signhub.core.models import ProviderAccount, SyncRun
from signhub.core.sync import sync_account

from .models import PendingRefresh, ReplayGuard

logger = logging.getLogger("signhub.webhooks")

ACCOUNT = ""  # PendingRefresh.external_id for "sync the account"
MAX_ROUNDS = 5  # without a deferring backend, rows that arrive meanwhile are taken at once
BUSY_RETRY_SECONDS = 5


def request_refresh(account: ProviderAccount, document_id: str | None) -> bool:
    """Note the refresh; False when an identical one is already waiting (collapsed)."""
    try:
        with transaction.atomic():
            row = PendingRefresh.objects.create(account=account, external_id=document_id or ACCOUNT)
    except IntegrityError:
        return False
    if not PendingRefresh.objects.filter(account=account).exclude(pk=row.pk).exists():
        enqueue_refresh(account.pk, delay=_delay(account))
    return True


def _delay(account: ProviderAccount) -> float:
    """The debounce; longer while events keep coming: at most one refresh per account every
    SIGNHUB_WEBHOOK_COOLDOWN_SECONDS, so a long burst costs calls per interval, not per event."""
    last = (
        SyncRun.objects.filter(account=account, trigger="webhook")
        .order_by("-queued_at")
        .values_list("queued_at", flat=True)
        .first()
    )
    delay = settings.SIGNHUB_WEBHOOK_DEBOUNCE_SECONDS
    if last is not None:
        since = (timezone.now() - last).total_seconds()
        delay = max(delay, settings.SIGNHUB_WEBHOOK_COOLDOWN_SECONDS - since)
    return delay


def enqueue_refresh(account_id: int, *, delay: float = 0) -> None:
    target = refresh_account_task
    if delay > 0 and task_backends[target.backend].supports_defer:
        target = target.using(run_after=timezone.now() + timedelta(seconds=delay))
    target.enqueue(account_id)


def take_pending(account_id: int) -> list[str]:
    """Claim every waiting refresh of the account (deleted as it is taken)."""
    rows = list(
        PendingRefresh.objects.filter(account_id=account_id).values_list("pk", "external_id")
    )
    if rows:
        PendingRefresh.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    return [external_id for _, external_id in rows]


@task()
def take_events_task(account_id: int) -> int:
    """Read the events a provider kept for the account (Bitrix24 offline events); any that
    matter become an incremental sync, like a pushed event would."""
    account = ProviderAccount.objects.filter(pk=account_id, enabled=True).first()
    if account is None or account.awaiting_connect:
        return 0
    connector = account.connector()
    try:
        count = connector.take_events()
    except ConnectorError as exc:
        logger.warning("Reading the kept events of %s failed: %s", account.name, exc.code)
        return 0
    finally:
        connector.http.close()
    if count:
        request_refresh(account, None)
    return count


def enqueue_event_polls() -> list[int]:
    """One `take_events_task` per account whose provider keeps its events (each pass of
    the scheduler: every minute with `schedule_syncs --loop`)."""
    accounts = ProviderAccount.objects.filter(enabled=True, awaiting_connect=False)
    ids = [a.pk for a in accounts if a.connector_class.polls_events(a.options or {})]
    for account_id in ids:
        take_events_task.enqueue(account_id)
    return ids


def enqueue_forgotten(older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    """Accounts whose refresh rows waited too long (a worker lost its task, a lock was
    busy): enqueue their refresh again. Called by the scheduler on each pass."""
    cutoff = timezone.now() - older_than
    ids = sorted(
        set(
            PendingRefresh.objects.filter(requested_at__lt=cutoff).values_list(
                "account_id", flat=True
            )
        )
    )
    for account_id in ids:
        enqueue_refresh(account_id)
    return ids


def put_back(account_id: int, ids: list[str]) -> None:
    PendingRefresh.objects.bulk_create(
        [PendingRefresh(account_id=account_id, external_id=i) for i in ids],
        ignore_conflicts=True,
    )


def refresh(account: ProviderAccount, ids: list[str]) -> SyncRun:
    """One refresh: the named documents, or an incremental sync when that is cheaper."""
    documents = sorted({i for i in ids if i != ACCOUNT})
    targeted = (
        account.connector_class.refreshes_documents
        and ACCOUNT not in ids
        and len(documents) <= settings.SIGNHUB_WEBHOOK_MAX_TARGETS
    )
    return sync_account(account, trigger="webhook", targets=documents if targeted else None)


@task()
def refresh_account_task(account_id: int) -> int:
    """Run the account's waiting refreshes; returns how many refresh runs it made."""
    account = ProviderAccount.objects.filter(pk=account_id, enabled=True).first()
    if account is None:
        PendingRefresh.objects.filter(account_id=account_id).delete()
        return 0
    ReplayGuard.objects.filter(account_id=account_id, expires_at__lt=timezone.now()).delete()
    deferred = task_backends[refresh_account_task.backend].supports_defer
    runs = 0
    taken_at = timezone.now()
    for _ in range(MAX_ROUNDS if not deferred else 1):
        ids = take_pending(account_id)
        if not ids:
            break
        run = refresh(account, ids)
        runs += 1
        if run.state == SyncRun.State.SKIPPED and not run.error_code:
            # The account lock is taken (a sync is running): try again after it (a backend
            # that cannot defer leaves the rows to the scheduler's next pass).
            put_back(account_id, ids)
            if deferred:
                enqueue_refresh(account_id, delay=BUSY_RETRY_SECONDS)
            return runs
    left = PendingRefresh.objects.filter(account_id=account_id, requested_at__lte=taken_at)
    if deferred and left.exists():
        # A row written while this task took the others, whose event saw those and so
        # enqueued nothing: it gets its refresh (later events enqueued their own).
        enqueue_refresh(account_id, delay=_delay(account))
    return runs
