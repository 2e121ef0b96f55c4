"""`manage.py db_worker` survives a transient "database is locked" (issue 15, finding 1).

The upstream worker died on it, and "Sync now" stayed queued for ever. Here another
connection holds SQLite's write lock past the worker's busy timeout while the worker tries
to claim a queued sync; the worker must wait, claim it once the lock is gone, and run it.
"""

from __future__ import annotations

import sqlite3
import threading
from io import StringIO

import pytest
from django.core.management import call_command, get_commands
from django.db import OperationalError, connection

from signhub.core.models import SignedDocument, SyncRun
from signhub.core.tasks import enqueue_sync, sync_account_task
from tests.fakes import FakeConnector, make_record

pytestmark = pytest.mark.django_db(transaction=True)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="'database is locked' is SQLite's busy error"
)


@pytest.fixture
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def hold_the_write_lock(seconds: float) -> threading.Event:
    """Another process' writer: BEGIN IMMEDIATE on the database file for `seconds`."""
    holding = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=5)
        try:
            other.execute("BEGIN IMMEDIATE")
            holding.set()
            threading.Event().wait(seconds)
            other.rollback()
        finally:
            other.close()

    threading.Thread(target=hold, daemon=True).start()
    assert holding.wait(5)
    return holding


def test_db_worker_is_signhubs_command():
    assert get_commands()["db_worker"] == "signhub.ops"


@sqlite_only
def test_a_transient_lock_while_claiming_does_not_kill_the_worker(
    database_backend, make_account, monkeypatch
):
    account = make_account("fake", name="Queued account")
    FakeConnector.data[account.name] = [make_record(i) for i in range(2)]
    run = enqueue_sync(account)
    assert run.state == SyncRun.State.QUEUED
    # The worker's connection gives up waiting after 0.1 s (the default is 10 s).
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.1)
    connection.close()

    hold_the_write_lock(0.8)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())

    run.refresh_from_db()
    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    assert SignedDocument.objects.filter(account=account).count() == 2


@sqlite_only
def test_any_other_database_error_still_stops_the_worker(database_backend, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    def broken(*args, **kwargs):
        raise OperationalError("no such table: nothing")

    monkeypatch.setattr(DBTaskResult.objects, "ready", broken)
    with pytest.raises(OperationalError, match="no such table"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())


def test_a_task_that_dies_outside_the_engine_does_not_leave_the_run_queued(
    make_account, monkeypatch
):
    account = make_account("fake")
    run = SyncRun.objects.create(account=account, trigger="web")

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("signhub.core.sync.acquire_lock", locked)
    with pytest.raises(OperationalError):
        sync_account_task.call(account.pk, run_id=run.pk)

    run.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert run.finished_at is not None
    assert "try again" in run.error_message
