"""Failing accounts raise one ERROR when they cross the threshold; admins see the metrics."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from signhub.core.models import ProviderAccount, SyncRun
from signhub.core.sync import sync_account
from signhub.ops.alerts import check_alerts
from signhub.ops.scheduler import ensure_schedules
from tests.fakes import FakeConnector, make_record

pytestmark = pytest.mark.django_db


def fail_times(account, n: int) -> None:
    ProviderAccount.objects.filter(pk=account.pk).update(
        failures_in_a_row=n, last_error="Fake rejected the token", last_error_code="unauthorized"
    )


def alert_lines(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "signhub.ops.alerts" and r.levelno == logging.ERROR
    ]


def test_crossing_the_threshold_logs_one_error(make_account, caplog):
    account = make_account("fake", name="acme")
    ensure_schedules()
    fail_times(account, 2)
    assert check_alerts() == []
    fail_times(account, 3)
    assert check_alerts() == ["acme"]
    fail_times(account, 4)
    assert check_alerts() == []  # still failing: no repeat
    (line,) = alert_lines(caplog)
    assert "acme has failed 3 syncs in a row" in line
    assert "unauthorized" in line


def test_a_recovered_account_can_alert_again(make_account, caplog):
    account = make_account("fake", name="acme")
    ensure_schedules()
    fail_times(account, 3)
    check_alerts()
    fail_times(account, 0)
    assert check_alerts() == []
    assert account.schedule.__class__.objects.get().alerted_at is None
    fail_times(account, 3)
    assert check_alerts() == ["acme"]
    assert len(alert_lines(caplog)) == 2


def test_the_threshold_is_a_setting(make_account, settings):
    settings.SIGNHUB_ALERT_AFTER_FAILURES = 1
    account = make_account("fake")
    ensure_schedules()
    fail_times(account, 1)
    assert check_alerts() == [account.name]


def test_real_failures_count_up_to_the_alert(make_account, caplog):
    account = make_account("fake", name="broken")
    ensure_schedules()
    FakeConnector.data = {"broken": [RuntimeError("provider exploded")]}
    for _ in range(3):
        sync_account(account)
        check_alerts()
    assert len(alert_lines(caplog)) == 1


def test_admins_see_per_account_metrics(make_account, admin_client):
    healthy = make_account("fake", name="healthy")
    failing = make_account("fake", name="failing")
    FakeConnector.data = {"healthy": [make_record(i) for i in range(7)]}
    sync_account(healthy)
    now = timezone.now()
    SyncRun.objects.filter(account=healthy).update(
        started_at=now - timedelta(seconds=42), finished_at=now
    )
    fail_times(failing, 5)

    response = admin_client.get("/admin/ops/syncschedule/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "healthy" in text and "failing" in text
    assert "42.0 s" in text
    assert '<td class="field-documents">7</td>' in text
    assert "ALERT: failed 5 times in a row (threshold 3)" in text


def test_reviewers_cannot_see_the_health_page(client, django_user_model):
    user = django_user_model.objects.create_user("reviewer", password="pw-123456789")
    client.force_login(user)
    assert client.get("/admin/ops/syncschedule/").status_code == 302
    client.logout()
    assert client.get("/admin/ops/syncschedule/").status_code == 302


def test_admins_can_change_an_accounts_interval(make_account, admin_client):
    account = make_account("fake")
    ensure_schedules()
    schedule = account.__class__.objects.get(pk=account.pk).schedule
    response = admin_client.post(
        f"/admin/ops/syncschedule/{schedule.pk}/change/",
        {
            "enabled": "on",
            "interval_minutes": "30",
            "full_sync_hour": "4",
            "next_run_at_0": "",
            "next_run_at_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule.refresh_from_db()
    assert (schedule.interval_minutes, schedule.full_sync_hour) == (30, 4)


def test_an_impossible_hour_is_refused_with_a_message(make_account, admin_client):
    account = make_account("fake")
    ensure_schedules()
    schedule = account.__class__.objects.get(pk=account.pk).schedule
    response = admin_client.post(
        f"/admin/ops/syncschedule/{schedule.pk}/change/",
        {"enabled": "on", "interval_minutes": "0", "full_sync_hour": "25"},
    )
    assert response.status_code == 200
    assert "less than or equal to 23" in response.content.decode()
    assert "greater than or equal to 1" in response.content.decode()
