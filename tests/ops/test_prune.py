"""Retention: old finished sync runs go, the latest per account and live runs stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from signhub.core.models import SyncRun

pytestmark = pytest.mark.django_db


def run(account, state: str, days_ago: int) -> SyncRun:
    return SyncRun.objects.create(
        account=account, state=state, queued_at=timezone.now() - timedelta(days=days_ago)
    )


def test_prune_sync_runs_keeps_recent_live_and_latest_runs(make_account, capsys):
    account = make_account("fake")
    other = make_account("fake")
    old_ok = run(account, "succeeded", 200)
    old_failed = run(account, "failed", 100)
    stuck = run(account, "running", 300)
    recent = run(account, "succeeded", 10)
    only_run_of_other = run(other, "failed", 400)

    call_command("prune_sync_runs")
    assert "Deleted 2 sync run(s) older than 90 day(s)." in capsys.readouterr().out
    left = set(SyncRun.objects.values_list("pk", flat=True))
    assert left == {stuck.pk, recent.pk, only_run_of_other.pk}
    assert old_ok.pk not in left and old_failed.pk not in left


def test_prune_sync_runs_dry_run_and_days(make_account, capsys):
    account = make_account("fake")
    run(account, "succeeded", 20)
    run(account, "succeeded", 1)
    call_command("prune_sync_runs", days=7, dry_run=True)
    assert "Would delete 1 sync run(s)" in capsys.readouterr().out
    assert SyncRun.objects.count() == 2


def test_prune_applies_every_retention(make_account, settings, capsys):
    settings.SIGNHUB_SYNC_RUN_RETENTION_DAYS = 30
    account = make_account("fake")
    run(account, "succeeded", 40)
    run(account, "succeeded", 1)
    call_command("prune")
    out = capsys.readouterr().out
    assert "Deleted 1 sync run(s) older than 30 day(s)." in out
    assert "keeps no results to prune" in out  # the immediate backend of the tests
    assert "Cleared expired sessions." in out


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_prune_removes_old_task_results(make_account, caplog):
    from django_tasks_db.models import DBTaskResult

    from signhub.core.tasks import enqueue_sync

    account = make_account("fake")
    enqueue_sync(account)
    DBTaskResult.objects.update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=30)
    )
    call_command("prune")
    assert "Deleted 1 task result(s)" in caplog.text  # django-tasks-db logs it
    assert DBTaskResult.objects.count() == 0
