"""The sync engine: one account at a time, failures recorded as data, never raised.

`sync_account` walks the connector's pages, writes each page in one transaction, sweeps
removals after a complete full listing, and records a SyncRun. A per-account lock (a
conditional UPDATE, so it holds across threads, processes and machines on SQLite and
PostgreSQL) makes sure two syncs of one account never overlap. `sync_accounts` runs several
accounts concurrently so the wall time is close to the slowest account.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from .connector import Page, SyncContext
from .errors import ConnectorError
from .index import IndexWriter, PreparedPage
from .models import ProviderAccount, SyncRun
from .prefetch import prefetched
from .redact import redact, safe_code

logger = logging.getLogger("signhub.sync")

Progress = Callable[[SyncRun], None]


def _lock_ttl() -> timedelta:
    return timedelta(seconds=settings.SIGNHUB_SYNC_LOCK_SECONDS)


def acquire_lock(account_id: int) -> str | None:
    """Claim the account's sync lock; None when another live sync holds it."""
    token = uuid.uuid4().hex
    now = timezone.now()
    claimed = (
        ProviderAccount.objects.filter(pk=account_id)
        .filter(Q(sync_lock_expires_at__isnull=True) | Q(sync_lock_expires_at__lt=now))
        .update(sync_lock_token=token, sync_lock_expires_at=now + _lock_ttl())
    )
    return token if claimed else None


def extend_lock(account_id: int, token: str) -> None:
    ProviderAccount.objects.filter(pk=account_id, sync_lock_token=token).update(
        sync_lock_expires_at=timezone.now() + _lock_ttl()
    )


def release_lock(account_id: int, token: str) -> None:
    ProviderAccount.objects.filter(pk=account_id, sync_lock_token=token).update(
        sync_lock_token="", sync_lock_expires_at=None
    )


NOT_CONNECTED = "not_connected"
NOT_CONNECTED_MESSAGE = "not connected yet: an administrator must connect it on the account page"

_PROGRESS_FIELDS = [
    "pages",
    "fetched",
    "created",
    "updated",
    "skipped",
    "warnings",
    "expected_total",
]
MAX_RUN_WARNINGS = 20
PROGRESS_SAVE_SECONDS = 1.0


def sync_account(
    account: ProviderAccount,
    *,
    full: bool = False,
    trigger: str = "cli",
    run: SyncRun | None = None,
    progress: Progress | None = None,
    targets: list[str] | None = None,
) -> SyncRun:
    """Sync one account and return its SyncRun. Never raises for provider failures.

    With `targets` (external ids a webhook named; only for connectors that
    `refreshes_documents`), just those documents are fetched again and written like a
    page of a sync: under the same lock, never swept, and the account's sync bookkeeping
    (marks, last success) is left to real syncs.
    """
    if run is None:
        run = SyncRun.objects.create(account=account, full=full, trigger=trigger)
    if ProviderAccount.objects.filter(pk=account.pk, awaiting_connect=True).exists():
        # Not a failure: nobody has pressed "Connect" yet, so there is nothing to read.
        run.state = SyncRun.State.SKIPPED
        run.finished_at = timezone.now()
        run.error_code = NOT_CONNECTED
        run.error_message = NOT_CONNECTED_MESSAGE
        run.save(update_fields=["state", "finished_at", "error_code", "error_message"])
        return run
    token = acquire_lock(account.pk)
    if token is None:
        run.state = SyncRun.State.SKIPPED
        run.finished_at = timezone.now()
        run.error_message = "Another sync of this account is already running."
        run.save(update_fields=["state", "finished_at", "error_message"])
        return run

    try:
        account.refresh_from_db()
        full = not targets and (full or run.full or not account.last_full_sync_at)
        run.full = full
        run.state = SyncRun.State.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["full", "state", "started_at"])
        ProviderAccount.objects.filter(pk=account.pk).update(last_sync_started_at=run.started_at)
        if progress:
            progress(run)
        with _long_lived_heap_frozen():
            _run(account, run, token, progress, targets)
    finally:
        release_lock(account.pk, token)
    return run


# Collect the youngest generation after this many more live container objects (Python's
# default is 700). A page of 1,000 documents in flight holds some 30,000 of them.
SYNC_GC_THRESHOLD = 100_000
_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, ...] = ()
_gc_unfreeze = True  # False when the process was frozen before the first sync began


@contextmanager
def _long_lived_heap_frozen():
    """Keep the cyclic GC from rescanning the whole process (Django, the app) while a sync
    churns through millions of short-lived objects: those already alive are set aside
    for its duration (`gc.freeze`), then returned (a speed measure only: nothing is
    freed or kept differently). In the 20,000-document SQLite bench the collector took
    about 1.8 s of 10 without it, 0.5-0.9 s with it.

    The youngest generation is also collected after SYNC_GC_THRESHOLD new objects, not
    700: a sync's objects die by reference counting (documents, rows, pages), so the
    default kept scanning the pages in flight, and moving them to older generations that
    were scanned again (1.1-2.1 s of a 100,000-document first sync on PostgreSQL, ~10 %
    of its CPU, with the next page prepared ahead). Cycles are still collected, just
    later: memory stays bounded by the threshold. Process-wide, set by the first sync
    running and restored by the last (syncs of several accounts run in threads). A web
    worker froze its start-up objects already (`signhub.ops.worker`, a sync run inline by
    the immediate task backend): those stay frozen after the sync."""
    global _gc_users, _gc_saved, _gc_unfreeze
    with _gc_lock:
        if not _gc_users:
            _gc_unfreeze = gc.get_freeze_count() == 0
            gc.freeze()
            _gc_saved = gc.get_threshold()
            gc.set_threshold(SYNC_GC_THRESHOLD, *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if not _gc_users:
                gc.set_threshold(*_gc_saved)
                if _gc_unfreeze:
                    gc.unfreeze()


def _run(
    account: ProviderAccount,
    run: SyncRun,
    token: str,
    progress: Progress | None,
    targets: list[str] | None = None,
) -> None:
    writer = IndexWriter(account, seen_at=run.started_at)
    ctx = SyncContext(
        full=run.full,
        state=dict(account.sync_state),
        known_ids=writer.known_ids,
        stored_raw=writer.stored_raw,
    )
    connector = pages = None
    try:
        connector = account.connector()
        if targets:
            pages = connector.refresh_pages(ctx, list(targets))
        else:
            pages = connector.iter_pages(ctx)
        pages = _prepared(pages, writer)
        if _may_prefetch() and not targets:
            pages = prefetched(pages, join_timeout=settings.SIGNHUB_HTTP_TIMEOUT + 5)
        saved_at = time.monotonic()
        for page, ready in pages:
            # Progress is saved for the first page at once, then at most once a second (a
            # fast sync writes hundreds of pages a minute), with the lease renewal, in the
            # page's own transaction: one commit, not three (each waits for the disk).
            due = not run.pages or time.monotonic() - saved_at >= PROGRESS_SAVE_SECONDS
            with transaction.atomic() if due else nullcontext():
                stats = writer.write_prepared(ready)
                run.pages += 1
                run.fetched += stats.fetched
                run.created += stats.created
                run.updated += stats.updated
                if stats.skipped:
                    run.skipped += stats.skipped
                    _warn(run, *stats.warnings)
                if page.expected_total is not None:
                    run.expected_total = page.expected_total
                if due:
                    run.save(update_fields=_PROGRESS_FIELDS)
                    extend_lock(account.pk, token)
            if due:
                saved_at = time.monotonic()
            if progress:
                progress(run)
        run.save(update_fields=_PROGRESS_FIELDS)
        writer.finish()
        now = timezone.now()
        if not targets and (run.full or ctx.listing_complete):
            if ctx.denied:
                # What only a denied list showed (and rows that never said their list)
                # cannot be judged by this listing.
                writer.spared_lists = {"", *(d["list"] for d in ctx.denied)}
            _sweep(account, run, writer, now)
    except ConnectorError as exc:
        _fail(account, run, exc.code, exc.message, needs_reconnect=exc.needs_reconnect)
    except Exception:
        logger.exception("Sync of account %s crashed", account.pk)
        _fail(
            account,
            run,
            "internal_error",
            "signhub hit an internal error during the sync; the details are in the server log.",
        )
    else:
        run.state = SyncRun.State.PARTIAL if ctx.denied else SyncRun.State.SUCCEEDED
        for denied in ctx.denied:
            _warn(run, access_words(denied))
        run.finished_at = now
        run.save(update_fields=["state", "finished_at", "removed", "removals_withheld", "warnings"])
        if targets:
            logger.info("Refreshed %s of %s: %s", len(targets), account.name, run.updated)
            return
        updates = {
            "last_success_at": now,
            "failures_in_a_row": 0,
            "needs_reconnect": False,
            "sync_state": ctx.state,
            "last_error": "",
            "last_error_code": "",
            "access_warnings": [*ctx.denied, *ctx.notes],
        }
        if run.full:
            updates["last_full_sync_at"] = now
        ProviderAccount.objects.filter(pk=account.pk).update(**updates)
        logger.info(
            "Synced %s: %s fetched, %s created, %s updated, %s removed",
            account.name,
            run.fetched,
            run.created,
            run.updated,
            run.removed,
        )
    finally:
        if hasattr(pages, "close"):
            pages.close()  # stops a prefetching thread before its HTTP session closes
        if connector is not None:
            connector.http.close()
        _discard_sightings(account, writer)
    if progress:
        progress(run)


def _prepared(pages: Iterator[Page], writer: IndexWriter) -> Iterator[tuple[Page, PreparedPage]]:
    """Each page with its stored forms: with prefetching, this hashing and serializing (a
    third of a first sync's Python) runs in the fetching thread while the database writes
    the previous page, instead of after it."""
    try:
        for page in pages:
            yield page, writer.prepare_page(page.documents)
    finally:
        close = getattr(pages, "close", None)
        if close is not None:
            close()


def access_words(entry: dict[str, str]) -> str:
    """A denied list or account note in one line: our words, then the provider's."""
    says = entry.get("provider_says")
    return f"{entry['message']} (the provider said: {says})" if says else entry["message"]


def _discard_sightings(account: ProviderAccount, writer: IndexWriter) -> None:
    """The run's sightings served its sweep; keep only a withheld listing's."""
    try:
        withheld = (
            ProviderAccount.objects.filter(pk=account.pk)
            .values_list("removals_withheld_at", flat=True)
            .first()
        )
        writer.discard_sightings(keep=withheld)
    except DatabaseError:  # the next run of the account discards them
        logger.exception("Could not discard the sightings of %s", account)


def _warn(run: SyncRun, *messages: str) -> None:
    for message in messages:
        if len(run.warnings) < MAX_RUN_WARNINGS:
            run.warnings.append(message)
        elif len(run.warnings) == MAX_RUN_WARNINGS:
            run.warnings.append("More warnings were left out; see the server log.")


def _sweep(account: ProviderAccount, run: SyncRun, writer: IndexWriter, now) -> None:
    """Flag what a complete listing did not return, unless it would flag more than
    SIGNHUB_SWEEP_MAX_SHARE of the account: then the listing is suspicious (an empty
    answer, a provider glitch) and nothing is flagged until a second complete listing
    confirms the shrink, or an administrator does (`apply_withheld_removals`)."""
    unseen = writer.unseen_count()
    if not unseen:
        _clear_withheld(account)
        return
    present = writer.present_count()
    confirms = account.removals_withheld_at is not None
    if unseen > settings.SIGNHUB_SWEEP_MAX_SHARE * present and not confirms:
        run.removals_withheld = unseen
        warning = (
            f"The last full sync listed only {present - unseen:,} of the {present:,} documents "
            f"signhub holds for this account, so the {unseen:,} missing ones were not marked "
            "removed. If they really were deleted at the provider, the next full sync "
            "confirms it; an administrator can also confirm it now."
        )
        _warn(run, warning)
        ProviderAccount.objects.filter(pk=account.pk).update(
            removals_withheld_at=writer.seen_at, sync_warning=warning
        )
        logger.warning("Sync of %s: %s removals withheld (%s present)", account, unseen, present)
        return
    run.removed = writer.sweep_removed(now)
    if confirms:
        _warn(run, f"A second full listing confirmed {run.removed:,} documents removed.")
    _clear_withheld(account)


def _clear_withheld(account: ProviderAccount) -> None:
    if account.removals_withheld_at is not None or account.sync_warning:
        ProviderAccount.objects.filter(pk=account.pk).update(
            removals_withheld_at=None, sync_warning=""
        )
        account.removals_withheld_at, account.sync_warning = None, ""


def apply_withheld_removals(account: ProviderAccount) -> int | None:
    """An administrator confirms the removals a suspicious listing withheld: flag them now.

    Returns how many were flagged, or None when a sync of the account is running (its
    lock is held) and nothing was done.
    """
    token = acquire_lock(account.pk)
    if token is None:
        return None
    try:
        account.refresh_from_db(fields=["removals_withheld_at", "sync_warning"])
        if account.removals_withheld_at is None:
            return 0
        writer = IndexWriter(account, seen_at=account.removals_withheld_at)
        flagged = writer.sweep_removed(timezone.now())
        _clear_withheld(account)
        writer.discard_sightings()
        return flagged
    finally:
        release_lock(account.pk, token)


def _fail(account, run, code: str, message: str, *, needs_reconnect: bool = False) -> None:
    # Shown to reviewers on the accounts panel and the list banner: provider words are
    # scrubbed where they are worded, and once more here, whatever a connector sent.
    code, message = safe_code(code), redact(message, limit=1000)
    now = timezone.now()
    run.state = SyncRun.State.FAILED
    run.finished_at = now
    run.error_code = code
    run.error_message = message
    run.save(
        update_fields=["state", "finished_at", "error_code", "error_message", *_PROGRESS_FIELDS]
    )
    ProviderAccount.objects.filter(pk=account.pk).update(
        last_error_at=now,
        last_error=message,
        last_error_code=code,
        needs_reconnect=needs_reconnect,
        failures_in_a_row=F("failures_in_a_row") + 1,
    )
    logger.warning("Sync of %s failed (%s): %s", account.name, code, message)


def sync_accounts(
    accounts: Iterable[ProviderAccount],
    *,
    full: bool = False,
    trigger: str = "cli",
    progress: Progress | None = None,
    concurrency: int | None = None,
) -> list[SyncRun]:
    """Sync several accounts at once; one failing never stops the others."""
    accounts = list(accounts)
    workers = max(1, min(len(accounts), concurrency or settings.SIGNHUB_SYNC_CONCURRENCY))

    def one(account: ProviderAccount) -> SyncRun:
        return sync_account(account, full=full, trigger=trigger, progress=progress)

    def in_thread(account: ProviderAccount) -> SyncRun:
        try:
            return one(account)
        finally:
            connections.close_all()  # this thread's own connections

    # Worker threads use their own connections: they cannot see rows of a transaction the
    # caller still has open, nor share an in-memory SQLite database.
    if workers == 1 or connections["default"].in_atomic_block or _in_memory():
        return [one(a) for a in accounts]
    close_old_connections()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync") as pool:
        return list(pool.map(in_thread, accounts))


def _may_prefetch() -> bool:
    """A fetching thread has its own connection: it cannot see the rows of a transaction
    still open around the sync (tests, callers' atomic blocks), nor an in-memory SQLite."""
    return (
        settings.SIGNHUB_SYNC_PREFETCH
        and not connections["default"].in_atomic_block
        and not _in_memory()
    )


def _in_memory() -> bool:
    if connections["default"].vendor != "sqlite":
        return False
    name = str(connections["default"].settings_dict.get("NAME", ""))
    return ":memory:" in name or "mode=memory" in name
