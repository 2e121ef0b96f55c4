"""Rate limits, retries, malformed bodies, timeouts, portal moves: handled by error code."""

import json
import time

import pytest
import requests

from signhub.core.models import SignedDocument
from signhub.core.sync import sync_account

from .conftest import SAFE_URL, load, safe_row

EMPTY = load("empty_page")


@pytest.fixture(autouse=True)
def _safe_only(account):
    account.options = {"lists": "mysafe"}
    account.save()


def page(*ids):
    return {"result": [safe_row(i) for i in ids], "time": EMPTY["time"]}


def test_query_limit_exceeded_waits_and_retries(account, rsps, no_sleep):
    rsps.post(SAFE_URL, status=503, json=load("error_query_limit"), headers={"Retry-After": "2"})
    rsps.post(SAFE_URL, json=page(3, 2))
    rsps.post(SAFE_URL, json=EMPTY)

    run = sync_account(account, full=True)

    assert run.state == "succeeded", run.error_message
    assert no_sleep == [2.0]
    assert run.fetched == 2


def test_operation_time_limit_waits_until_the_reset_time(account, rsps, no_sleep):
    body = load("error_operation_time_limit")
    body["time"]["operating_reset_at"] = int(time.time()) + 30
    rsps.post(SAFE_URL, status=429, json=body)
    rsps.post(SAFE_URL, json=EMPTY)

    assert sync_account(account, full=True).state == "succeeded"
    assert len(no_sleep) == 1 and 27 <= no_sleep[0] <= 31


def test_operation_time_limit_beyond_our_max_wait_fails_the_run(account, rsps, no_sleep, settings):
    settings.SIGNHUB_HTTP_MAX_WAIT = 60
    body = load("error_operation_time_limit")
    body["time"]["operating_reset_at"] = int(time.time()) + 600
    rsps.post(SAFE_URL, status=429, json=body)

    run = sync_account(account, full=True)

    assert run.state == "failed"
    assert run.error_code == "OPERATION_TIME_LIMIT"
    assert "try again later" in run.error_message
    assert no_sleep == []


def test_a_429_with_retry_after_and_no_time_block(account, rsps, no_sleep):
    rsps.post(
        SAFE_URL,
        status=429,
        json={"error": "OPERATION_TIME_LIMIT", "error_description": "x"},
        headers={"Retry-After": "7"},
    )
    rsps.post(SAFE_URL, json=EMPTY)
    assert sync_account(account, full=True).state == "succeeded"
    assert no_sleep == [7.0]


def test_server_errors_are_retried_with_backoff(account, rsps, no_sleep):
    rsps.post(SAFE_URL, status=500, json={"error": "INTERNAL_SERVER_ERROR"})
    rsps.post(SAFE_URL, status=502, body="<html>bad gateway</html>")
    rsps.post(SAFE_URL, json=page(1))
    rsps.post(SAFE_URL, json=EMPTY)

    assert sync_account(account, full=True).state == "succeeded"
    assert len(no_sleep) == 2 and 0.5 <= no_sleep[0] <= 1.5 and 1.0 <= no_sleep[1] <= 3.0


def test_malformed_json_is_retried(account, rsps):
    rsps.post(SAFE_URL, body='{"result": [{"id": 5, "tit', content_type="application/json")
    rsps.post(SAFE_URL, json=page(5))
    rsps.post(SAFE_URL, json=EMPTY)

    run = sync_account(account, full=True)

    assert run.state == "succeeded"
    assert SignedDocument.objects.get(external_id="5").title == "Contract 5"


def test_timeouts_and_resets_are_retried(account, rsps):
    rsps.post(SAFE_URL, body=requests.Timeout("slow"))
    rsps.post(SAFE_URL, body=requests.ConnectionError("reset"))
    rsps.post(SAFE_URL, json=EMPTY)
    assert sync_account(account, full=True).state == "succeeded"
    assert len(rsps.calls) == 3


def test_persistent_failure_keeps_what_was_stored(account, rsps, settings):
    settings.SIGNHUB_HTTP_MAX_ATTEMPTS = 2
    rsps.post(SAFE_URL, json=page(*range(60, 10, -1)))
    rsps.post(SAFE_URL, status=503, body="down")

    run = sync_account(account, full=True)

    assert run.state == "failed"
    assert "gave up after 2 attempts" in run.error_message
    assert SignedDocument.objects.filter(account=account).count() == 50


def test_access_denied_to_the_only_list_is_a_plain_error(account, rsps):
    account.options = {**account.options, "lists": "mysafe"}
    account.save()
    rsps.post(SAFE_URL, status=403, json=load("error_access_denied"))
    run = sync_account(account, full=True)
    account.refresh_from_db()
    assert run.state == "failed"
    assert "lists=personal" in run.error_message
    assert not account.needs_reconnect


def test_the_client_throttle_spaces_requests_after_the_burst(account, rsps, no_sleep, monkeypatch):
    from signhub.core.http import clock

    monkeypatch.setattr(clock, "monotonic", lambda: 1000.0)  # a frozen clock: exact waits
    for i in range(45):
        rsps.post(SAFE_URL, json=page(1000 - i))
    rsps.post(SAFE_URL, json=EMPTY)

    assert sync_account(account, full=True).state == "succeeded"
    # Past the burst of 40, requests are spaced 1/1.8 s apart (sleep is recorded, not
    # slept, so the recorded waits grow by that step).
    assert len(no_sleep) == 46 + 1 - 40  # 46 list pages and one user.get
    steps = [b - a for a, b in zip(no_sleep, no_sleep[1:], strict=False)]
    assert all(abs(step - 1 / 1.8) < 0.05 for step in steps)


def test_a_nearly_used_method_budget_pauses_until_reset(account, rsps, no_sleep):
    busy = page(1)
    busy["time"] = {**busy["time"], "operating": 450, "operating_reset_at": time.time() + 20}
    rsps.post(SAFE_URL, json=busy)
    rsps.post(SAFE_URL, json=EMPTY)

    assert sync_account(account, full=True).state == "succeeded"
    assert len(no_sleep) == 1 and 18 <= no_sleep[0] <= 21


def test_a_renamed_portal_is_followed_with_the_body(account, rsps):
    new_url = "https://acme-new.bitrix24.com/rest/sign.b2e.mysafe.tail"
    rsps.post(SAFE_URL, status=302, headers={"Location": new_url})
    rsps.post(new_url, json=page(9))
    rsps.post(new_url, json=EMPTY)
    rsps.post("https://acme-new.bitrix24.com/rest/user.get", json={"result": []})

    run = sync_account(account, full=True)

    assert run.state == "succeeded", run.error_message
    lists = [c for c in rsps.calls if "tail" in c.request.url]
    bodies = [json.loads(c.request.body) for c in lists]
    assert bodies[0] == bodies[1] == {"limit": 50, "offset": 0, "auth": "AT1"}
    assert [c.request.url for c in lists] == [SAFE_URL, new_url, new_url]
    account.refresh_from_db()
    assert account.sync_state["portal_move"]["to"] == "https://acme-new.bitrix24.com"

    # The next sync goes straight to the new address.
    rsps.post(new_url, json=EMPTY)
    before = len(rsps.calls)
    assert sync_account(account, full=True).state == "succeeded"
    assert [c.request.url for c in rsps.calls[before:] if "tail" in c.request.url] == [new_url]


def test_a_redirect_to_a_foreign_host_is_refused(account, rsps):
    rsps.post(SAFE_URL, status=302, headers={"Location": "https://evil.example.com/steal"})

    run = sync_account(account, full=True)

    assert run.state == "failed"
    assert run.error_code == "bad_redirect"
    assert len(rsps.calls) == 1


def test_an_error_body_with_status_200_is_an_error(account, rsps):
    rsps.post(SAFE_URL, json={"error": "SOMETHING_NEW", "error_description": "?"})
    run = sync_account(account, full=True)
    assert run.state == "failed"
    assert run.error_code == "SOMETHING_NEW"
