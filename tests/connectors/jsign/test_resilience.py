"""429 with Retry-After, 5xx, malformed JSON and timeouts on JSign calls."""

from __future__ import annotations

import logging

import pytest
import requests

from signhub.connectors.jsign.statuses import STATUSES
from signhub.core.models import SyncRun
from signhub.core.status import DocumentStatus
from signhub.core.sync import sync_account

from .conftest import API, calls_to, list_page, load

pytestmark = pytest.mark.django_db


def test_a_429_waits_as_long_as_retry_after_says(account, rsps, no_sleep):
    list_page(rsps, 1, {"errors": []}, status=429, headers={"Retry-After": "7"})
    list_page(rsps, 1, load("list_empty.json"))
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED
    assert 7.0 in no_sleep
    assert len(calls_to(rsps, "/envelopes/list")) == 2


def test_a_server_error_is_retried_with_backoff(account, rsps, no_sleep):
    list_page(rsps, 1, {"errors": [{"error_code": "SYSTEM_ERROR"}]}, status=500)
    list_page(rsps, 1, load("list_empty.json"))
    assert sync_account(account, full=True).state == SyncRun.State.SUCCEEDED
    assert any(0 < wait <= 1.5 for wait in no_sleep)  # first backoff step, with jitter


def test_a_truncated_json_body_is_retried(account, rsps):
    rsps.post(f"{API}/envelopes/list", body='{"data": {"list_info": {"num_pa', status=200)
    list_page(rsps, 1, load("list_empty.json"))
    assert sync_account(account, full=True).state == SyncRun.State.SUCCEEDED
    assert len(calls_to(rsps, "/envelopes/list")) == 2


def test_timeouts_give_up_after_bounded_attempts_with_a_clear_error(account, rsps, settings):
    settings.SIGNHUB_HTTP_MAX_ATTEMPTS = 3
    rsps.post(f"{API}/envelopes/list", body=requests.exceptions.ReadTimeout("slow"))
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.FAILED
    assert "did not answer" in run.error_message and "3 attempts" in run.error_message
    assert len(calls_to(rsps, "/envelopes/list")) == 3
    account.refresh_from_db()
    assert not account.needs_reconnect


def test_what_was_stored_stays_when_a_later_page_fails(account, rsps, settings):
    settings.SIGNHUB_HTTP_MAX_ATTEMPTS = 2
    list_page(rsps, 1, load("list_page1.json"))
    list_page(rsps, 2, {}, status=503)
    rsps.get(f"{API}/envelopes/3755cdbe-31e5-47cf-9c81-ea7d5033f8ab/details", json={})
    rsps.get(f"{API}/envelopes/11111111-0000-4000-8000-000000000002/details", json={})
    rsps.get(f"{API}/envelopes/11111111-0000-4000-8000-000000000002/history", status=404)
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.FAILED
    assert account.documents.count() == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AwaitingMySignature", DocumentStatus.IN_PROGRESS),
        ("AwaitingOthers", DocumentStatus.IN_PROGRESS),
        ("DueSoon", DocumentStatus.IN_PROGRESS),
        ("Completed", DocumentStatus.COMPLETED),
        ("Declined", DocumentStatus.DECLINED),
        ("Cancelled", DocumentStatus.CANCELLED),
        ("Expired", DocumentStatus.EXPIRED),
    ],
)
def test_each_documented_status_is_mapped(raw, expected):
    assert STATUSES.normalize(raw) == expected


def test_an_unknown_status_is_indexed_as_unknown_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="signhub.status"):
        assert STATUSES.normalize("Voided") == DocumentStatus.UNKNOWN
    assert "Voided" in caplog.text
    assert len(STATUSES) == 7
