"""The scheduler enqueues what is due, once per account, however many schedulers race."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connections

from signhub.core.models import SyncRun
from signhub.ops.models import SyncSchedule
from signhub.ops.scheduler import claim, tick

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("queue_only")


def runs(account) -> list[SyncRun]:
    return list(SyncRun.objects.filter(account=account).order_by("id"))


def finish(account, when: datetime) -> None:
    SyncRun.objects.filter(account=account).update(
        state=SyncRun.State.SUCCEEDED, started_at=when, finished_at=when
    )


def test_a_new_account_gets_a_schedule_and_a_first_full_sync(make_account):
    account = make_account("fake")
    result = tick(NOON)
    assert result.enqueued == [(account.name, True)]
    (run,) = runs(account)
    assert (run.state, run.full, run.trigger) == ("queued", True, "schedule")
    schedule = SyncSchedule.objects.get(account=account)
    assert schedule.next_run_at == NOON + timedelta(minutes=15)
    assert schedule.last_full_enqueued_at == NOON


def test_nothing_is_enqueued_before_the_interval(make_account):
    account = make_account("fake")
    tick(NOON)
    finish(account, NOON)
    assert tick(NOON + timedelta(minutes=14)).enqueued == []
    assert len(runs(account)) == 1


def test_an_incremental_sync_follows_the_interval_and_a_full_one_the_night(make_account):
    account = make_account("fake")
    tick(NOON)
    finish(account, NOON)
    assert tick(NOON + timedelta(minutes=15)).enqueued == [(account.name, False)]
    finish(account, NOON)
    # 02:00 UTC the next night: the nightly full sync.
    night = datetime(2026, 3, 11, 2, 1, tzinfo=UTC)
    assert tick(night).enqueued == [(account.name, True)]
    finish(account, night)
    assert tick(night + timedelta(minutes=15)).enqueued == [(account.name, False)]


def test_the_interval_is_per_account(make_account):
    fast = make_account("fake", name="fast")
    slow = make_account("fake", name="slow")
    tick(NOON)
    SyncSchedule.objects.filter(account=slow).update(
        interval_minutes=60, next_run_at=NOON + timedelta(minutes=60)
    )
    SyncSchedule.objects.filter(account=fast).update(
        interval_minutes=5, next_run_at=NOON + timedelta(minutes=5)
    )
    finish(fast, NOON)
    finish(slow, NOON)
    assert tick(NOON + timedelta(minutes=5)).enqueued == [("fast", False)]


def test_an_account_with_a_queued_or_running_sync_is_skipped(make_account):
    account = make_account("fake")
    tick(NOON)  # leaves a queued run
    later = NOON + timedelta(hours=3)
    result = tick(later)
    assert result.enqueued == [] and result.busy == [account.name]
    assert len(runs(account)) == 1
    # The schedule stays due, so the sync follows as soon as the queue drains.
    finish(account, later)
    assert tick(later).enqueued == [(account.name, False)]


def test_an_abandoned_queued_run_stops_blocking(make_account, settings):
    account = make_account("fake")
    tick(NOON)
    SyncRun.objects.update(queued_at=NOON)  # its worker never picked it up
    later = NOON + timedelta(minutes=settings.SIGNHUB_QUEUED_RUN_TIMEOUT_MINUTES + 1)
    assert tick(later).enqueued == [(account.name, False)]


def test_disabled_schedules_and_accounts_are_left_alone(make_account):
    off = make_account("fake", name="off")
    disabled = make_account("fake", name="disabled", enabled=False)
    tick(NOON - timedelta(days=1))
    SyncRun.objects.all().delete()
    SyncSchedule.objects.filter(account=off).update(enabled=False)
    assert tick(NOON).enqueued == []
    assert not runs(off) and not runs(disabled)


def test_of_two_schedulers_that_read_the_same_row_only_one_claims_it(make_account):
    make_account("fake")
    tick(NOON)
    stale = SyncSchedule.objects.get()
    later = NOON + timedelta(hours=1)
    assert claim(stale, later, full=False) is True
    assert claim(stale, later, full=False) is False


@pytest.mark.django_db(transaction=True)
def test_racing_schedulers_enqueue_one_sync_per_account(make_account):
    accounts = [make_account("fake", name=f"acct-{i}") for i in range(6)]
    racers = 4
    barrier = threading.Barrier(racers)
    errors: list[BaseException] = []

    def scheduler():
        try:
            barrier.wait(timeout=10)
            tick(NOON)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    for account in accounts:
        assert len(runs(account)) == 1, account.name
    assert SyncSchedule.objects.count() == len(accounts)


def test_the_command_runs_one_pass(make_account, capsys):
    account = make_account("fake")
    call_command("schedule_syncs")
    out = capsys.readouterr().out
    assert f"enqueued full: {account.name}" in out
    assert "1 enqueued, 0 busy" in out


def test_the_loop_runs_passes_until_sigterm(monkeypatch, capsys):
    import os
    import signal

    from signhub.ops.management.commands import schedule_syncs
    from signhub.ops.scheduler import TickResult

    passes = []

    def fake_tick():
        passes.append(1)
        if len(passes) == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # what systemd sends on stop
        return TickResult()

    monkeypatch.setattr(schedule_syncs, "tick", fake_tick)
    monkeypatch.setattr(schedule_syncs, "close_old_connections", lambda: None)
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        call_command("schedule_syncs", loop=True, interval=1)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert len(passes) == 2  # finished the pass in hand, then stopped


def test_jsign_accounts_with_documents_in_progress_are_polled_every_two_minutes(make_account):
    from signhub.core.index import IndexWriter
    from tests.fakes import make_record

    busy, idle = make_account("jsign", name="busy"), make_account("jsign", name="idle")
    tick(NOON)
    finish(busy, NOON)
    finish(idle, NOON)
    IndexWriter(busy, seen_at=NOON).write([make_record(1, status="in_progress")])
    IndexWriter(idle, seen_at=NOON).write([make_record(2, status="completed")])

    assert tick(NOON + timedelta(minutes=1)).enqueued == []
    assert tick(NOON + timedelta(minutes=2)).enqueued == [("busy", False)]
    finish(busy, NOON + timedelta(minutes=2))
    assert tick(NOON + timedelta(minutes=3)).enqueued == []
    assert tick(NOON + timedelta(minutes=4)).enqueued == [("busy", False)]
    finish(busy, NOON + timedelta(minutes=4))
    # The idle account keeps the normal 15 minutes.
    assert "idle" not in [n for n, _ in tick(NOON + timedelta(minutes=14)).enqueued]
    assert "idle" in [n for n, _ in tick(NOON + timedelta(minutes=15)).enqueued]
