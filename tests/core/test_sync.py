"""The sync engine: idempotent upserts, bulk writes, removals, isolation, locking."""

import threading

import pytest

from signhub.core.errors import ConnectorError
from signhub.core.models import DocumentParty, SignedDocument, SyncRun
from signhub.core.status import DocumentStatus
from signhub.core.sync import acquire_lock, release_lock, sync_account, sync_accounts
from tests.fakes import FakeConnector, make_record


def test_syncing_twice_creates_no_duplicates(make_account):
    account = make_account(name="acme")
    FakeConnector.data["acme"] = [make_record(i) for i in range(30)]

    first = sync_account(account)
    second = sync_account(account)

    assert (first.created, first.updated) == (30, 0)
    assert (second.created, second.updated, second.fetched) == (0, 0, 30)
    assert SignedDocument.objects.filter(account=account).count() == 30
    assert DocumentParty.objects.filter(document__account=account).count() == 60


def test_changed_documents_are_updated_and_parties_replaced(make_account):
    account = make_account(name="acme")
    FakeConnector.data["acme"] = [make_record(1)]
    sync_account(account)
    FakeConnector.data["acme"] = [make_record(1, title="Renamed", sender_email="boss@example.com")]

    run = sync_account(account)

    doc = SignedDocument.objects.get(account=account, external_id="doc-1")
    assert run.updated == 1
    assert doc.title == "Renamed"
    assert set(doc.parties.values_list("role", "email")) == {
        ("sender", "boss@example.com"),
        ("signer", "emp1@example.com"),
    }


def test_a_document_gone_at_the_provider_is_flagged_removed_not_deleted(make_account):
    account = make_account(name="acme")
    FakeConnector.data["acme"] = [make_record(i) for i in range(5)]
    sync_account(account, full=True)
    FakeConnector.data["acme"] = [make_record(i) for i in range(4)]

    incremental = sync_account(account)
    assert incremental.removed == 0
    assert not SignedDocument.objects.filter(removed_at__isnull=False).exists()

    full = sync_account(account, full=True)
    gone = SignedDocument.objects.get(external_id="doc-4")
    assert full.removed == 1
    assert gone.removed_at is not None

    FakeConnector.data["acme"] = [make_record(i) for i in range(5)]
    sync_account(account, full=True)
    gone.refresh_from_db()
    assert gone.removed_at is None


def test_the_first_sync_of_an_account_is_full(make_account):
    account = make_account(name="acme")
    FakeConnector.data["acme"] = [make_record(1)]
    assert sync_account(account).full is True
    assert sync_account(account).full is False


def test_a_failure_is_recorded_and_keeps_what_was_stored(make_account):
    account = make_account(name="acme", options={"page_size": 2})
    FakeConnector.data["acme"] = [
        make_record(1),
        make_record(2),
        ConnectorError("Fake rejected the token", code="unauthorized", needs_reconnect=True),
    ]

    run = sync_account(account, full=True)

    account.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert run.error_message == "Fake rejected the token"
    assert account.needs_reconnect is True
    assert account.failures_in_a_row == 1
    assert account.last_error == "Fake rejected the token"
    assert account.documents.count() == 2  # the first page stayed
    assert not account.documents.filter(removed_at__isnull=False).exists()


def test_an_unexpected_crash_becomes_a_plain_failure(make_account):
    account = make_account(name="acme")
    FakeConnector.data["acme"] = [RuntimeError("boom secret-token-123")]

    run = sync_account(account)

    assert run.state == SyncRun.State.FAILED
    assert run.error_code == "internal_error"
    assert "secret-token-123" not in run.error_message


def test_success_clears_the_failure_streak(make_account):
    account = make_account(name="acme")
    FakeConnector.data["acme"] = [ConnectorError("down", code="server_error")]
    sync_account(account)
    FakeConnector.data["acme"] = [make_record(1)]
    sync_account(account)
    account.refresh_from_db()
    assert account.failures_in_a_row == 0
    assert account.last_sync_failed is False


@pytest.mark.django_db(transaction=True)
def test_one_failing_account_does_not_stop_the_others(make_account):
    good = make_account(name="good")
    bad = make_account(name="bad")
    also_good = make_account(name="also-good")
    FakeConnector.data = {
        "good": [make_record(i) for i in range(3)],
        "bad": [ConnectorError("provider down", code="server_error", retryable=True)],
        "also-good": [make_record(i) for i in range(4)],
    }

    runs = sync_accounts([good, bad, also_good], concurrency=3)

    assert [r.state for r in runs] == ["succeeded", "failed", "succeeded"]
    assert good.documents.count() == 3
    assert also_good.documents.count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_syncs_of_one_account_do_not_both_run(make_account):
    account = make_account(name="acme")
    entered = threading.Event()
    release = threading.Event()

    def slow_pages(self, ctx):
        entered.set()
        release.wait(10)
        yield from ()

    results = []

    def run_sync():
        from django.db import connections

        try:
            results.append(sync_account(account).state)
        finally:
            connections.close_all()

    original = FakeConnector.iter_pages
    FakeConnector.iter_pages = slow_pages
    try:
        first = threading.Thread(target=run_sync)
        first.start()
        assert entered.wait(10)
        second_state = sync_account(account).state
        release.set()
        first.join(10)
    finally:
        FakeConnector.iter_pages = original

    assert second_state == SyncRun.State.SKIPPED
    assert results == [SyncRun.State.SUCCEEDED]


def test_the_lock_is_exclusive_until_released(make_account):
    account = make_account()
    token = acquire_lock(account.pk)
    assert token
    assert acquire_lock(account.pk) is None
    release_lock(account.pk, token)
    assert acquire_lock(account.pk)


def test_unknown_connector_statuses_are_stored_as_unknown(make_account, caplog):
    from signhub.core.status import map_status

    table = {"done": DocumentStatus.COMPLETED}
    assert map_status("fake", "done", table) == "completed"
    assert map_status("fake", "weird", table) == "unknown"
    assert "weird" in caplog.text


def test_a_connector_that_listed_everything_lets_an_incremental_sync_sweep(make_account):
    account = make_account(name="acme")
    FakeConnector.data["acme"] = [make_record(i) for i in range(3)]
    sync_account(account, full=True)
    FakeConnector.data["acme"] = [make_record(0), make_record(1)]
    original = FakeConnector.iter_pages

    def complete_listing(self, ctx):
        yield from original(self, ctx)
        ctx.listing_complete = True

    FakeConnector.iter_pages = complete_listing
    try:
        run = sync_account(account)
    finally:
        FakeConnector.iter_pages = original
    assert run.full is False
    assert run.removed == 1


@pytest.mark.django_db(transaction=True)
def test_the_next_page_is_fetched_while_one_is_written(make_account, monkeypatch):
    from signhub.core.index import IndexWriter

    account = make_account(name="acme", options={"page_size": 2})
    FakeConnector.data["acme"] = [make_record(i) for i in range(6)]
    second_page_fetched = threading.Event()
    overlapped = []
    original_pages, original_write = FakeConnector.iter_pages, IndexWriter.write_prepared

    def pages(self, ctx):
        for n, page in enumerate(original_pages(self, ctx), start=1):
            if n == 2:
                second_page_fetched.set()
            yield page

    def write(self, prepared):
        if "doc-0" in prepared.documents:
            # Without prefetching, page 2 is fetched only after this write returns.
            overlapped.append(second_page_fetched.wait(5))
        return original_write(self, prepared)

    monkeypatch.setattr(FakeConnector, "iter_pages", pages)
    monkeypatch.setattr(IndexWriter, "write_prepared", write)

    run = sync_account(account, full=True)

    assert run.state == SyncRun.State.SUCCEEDED and run.created == 6
    assert overlapped == [True]


@pytest.mark.django_db(transaction=True)
def test_pages_are_hashed_in_the_fetching_thread(make_account, monkeypatch):
    from signhub.core.index import IndexWriter

    account = make_account(name="acme", options={"page_size": 2})
    FakeConnector.data["acme"] = [make_record(i) for i in range(6)]
    threads = []
    original = IndexWriter.prepare_page

    def prepare_page(self, records):
        threads.append(threading.current_thread().name)
        return original(self, records)

    monkeypatch.setattr(IndexWriter, "prepare_page", prepare_page)

    run = sync_account(account, full=True)

    assert run.state == SyncRun.State.SUCCEEDED and run.created == 6
    assert len(threads) >= 3 and set(threads) == {"sync-prefetch"}


@pytest.mark.django_db(transaction=True)
def test_a_prefetched_failure_is_recorded_after_the_pages_before_it(make_account):
    account = make_account(name="acme", options={"page_size": 2})
    FakeConnector.data["acme"] = [
        make_record(1),
        make_record(2),
        ConnectorError("provider down", code="server_error", retryable=True),
    ]

    run = sync_account(account, full=True)

    assert run.state == SyncRun.State.FAILED
    assert run.error_message == "provider down"
    assert account.documents.count() == 2
    run.refresh_from_db()
    assert (run.pages, run.fetched, run.created) == (1, 2, 2)  # the progress is stored too


@pytest.mark.django_db(transaction=True)
def test_progress_and_the_lease_are_saved_in_a_page_transaction(make_account, monkeypatch):
    """One commit (one wait for the disk) per saved page, not three."""
    from django.db import connection

    from signhub.core import sync

    account = make_account(name="acme", options={"page_size": 2})
    FakeConnector.data["acme"] = [make_record(i) for i in range(4)]
    in_transaction = []
    original = sync.extend_lock

    def extend_lock(account_id, token):
        in_transaction.append(connection.in_atomic_block)
        original(account_id, token)

    monkeypatch.setattr(sync, "extend_lock", extend_lock)

    run = sync_account(account, full=True)

    assert run.state == SyncRun.State.SUCCEEDED
    assert in_transaction == [True]  # the first page; the others within the second
    run.refresh_from_db()
    assert (run.pages, run.created) == (2, 4)


def test_the_collector_runs_less_often_during_a_sync_and_as_before_after(make_account, monkeypatch):
    import gc

    from signhub.core import sync
    from signhub.core.index import IndexWriter

    account = make_account(name="acme", options={"page_size": 2})
    FakeConnector.data["acme"] = [make_record(i) for i in range(4)]
    before = gc.get_threshold()
    during = []
    original = IndexWriter.write_prepared

    def write_prepared(self, prepared):
        during.append(gc.get_threshold())
        return original(self, prepared)

    monkeypatch.setattr(IndexWriter, "write_prepared", write_prepared)

    sync_account(account, full=True)

    assert during and {t[0] for t in during} == {sync.SYNC_GC_THRESHOLD}
    assert gc.get_threshold() == before


def test_a_sync_in_a_frozen_web_worker_leaves_its_start_up_objects_frozen(make_account):
    """The immediate task backend runs "Sync now" inside the web worker, which froze what
    was alive at start (signhub.ops.worker): the sync must not hand those back to the
    collector's walks. A process that was not frozen is unfrozen again after a sync."""
    import gc

    account = make_account(name="acme", options={"page_size": 2})
    FakeConnector.data["acme"] = [make_record(i) for i in range(4)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        sync_account(account, full=True)
        # (A frozen object still dies when its last reference goes: hence "most".)
        assert gc.get_freeze_count() > 0.9 * frozen
    finally:
        gc.unfreeze()
    sync_account(account, full=True)
    assert gc.get_freeze_count() == 0
