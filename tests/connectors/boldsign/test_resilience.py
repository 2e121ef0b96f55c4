"""429 with Retry-After or X-RateLimit-Reset, 5xx, malformed JSON, timeouts, the budget."""

import logging
import time

import pytest
import requests
import responses

from signhub.connectors.boldsign.ratelimit import RateBudget
from signhub.core.http import clock as http_clock
from signhub.core.sync import sync_account

from .conftest import LIST_URL, fixture, page_body, row

OK = page_body([row(1), row(2)], 2)


@responses.activate
def test_429_waits_as_long_as_retry_after_says(api_key_account, no_sleep):
    responses.get(LIST_URL, status=429, json=fixture("error_429.json"),
                  headers={"Retry-After": "7", "X-RateLimit-Remaining": "0"})  # fmt: skip
    responses.get(LIST_URL, json=OK)
    run = sync_account(api_key_account())
    assert run.state == "succeeded", run.error_message
    assert no_sleep == [7.0]
    assert len(responses.calls) == 2


@responses.activate
def test_429_without_retry_after_waits_for_the_reset(api_key_account, no_sleep):
    reset = int(time.time()) + 42
    responses.get(LIST_URL, status=429, json=fixture("error_429.json"),
                  headers={"X-RateLimit-Reset": str(reset)})  # fmt: skip
    responses.get(LIST_URL, json=OK)
    run = sync_account(api_key_account())
    assert run.state == "succeeded"
    assert 40 <= no_sleep[0] <= 42


@responses.activate
def test_a_long_429_fails_the_run_saying_how_long(api_key_account):
    responses.get(LIST_URL, status=429, json=fixture("error_429.json"),
                  headers={"Retry-After": "2400"})  # fmt: skip
    run = sync_account(api_key_account())
    assert run.state == "failed"
    assert "2400 s" in run.error_message and "try again later" in run.error_message


@responses.activate
def test_5xx_then_success_retries_with_backoff(api_key_account, no_sleep):
    responses.get(LIST_URL, status=503)
    responses.get(LIST_URL, status=502)
    responses.get(LIST_URL, json=OK)
    run = sync_account(api_key_account())
    assert run.state == "succeeded" and run.fetched == 2
    assert len(no_sleep) == 2 and 0.5 <= no_sleep[0] <= 1.5 and 1 <= no_sleep[1] <= 3


@responses.activate
def test_malformed_json_is_retried(api_key_account):
    responses.get(LIST_URL, body='{"pageDetails": {"page": 1}, "result": [{"documentI')
    responses.get(LIST_URL, json=OK)
    run = sync_account(api_key_account())
    assert run.state == "succeeded" and run.fetched == 2


@responses.activate
def test_timeouts_are_retried_then_the_run_fails_clearly(api_key_account, settings):
    settings.SIGNHUB_HTTP_MAX_ATTEMPTS = 3
    for _ in range(3):
        responses.get(LIST_URL, body=requests.ReadTimeout("slow"))
    account = api_key_account()
    run = sync_account(account)
    assert run.state == "failed" and run.error_code == "timeout"
    assert "did not answer" in run.error_message and "3 attempts" in run.error_message
    account.refresh_from_db()
    assert not account.needs_reconnect


@responses.activate
def test_connection_reset_then_success(api_key_account):
    responses.get(LIST_URL, body=requests.ConnectionError("reset by peer"))
    responses.get(LIST_URL, json=OK)
    assert sync_account(api_key_account()).fetched == 2


@responses.activate
def test_a_spent_budget_waits_for_the_reset_before_the_next_request(api_key_account, no_sleep):
    reset = int(time.time()) + 120
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
    responses.get(LIST_URL, json=page_body([row(i) for i in range(100)], 150), headers=headers)
    responses.get(LIST_URL, json=page_body([row(i) for i in range(100, 150)], 150, page=2))
    run = sync_account(api_key_account())
    assert run.state == "succeeded" and run.fetched == 150
    assert len(no_sleep) == 1 and 118 <= no_sleep[0] <= 120


@responses.activate
def test_a_budget_spent_for_long_stops_the_sync_and_says_how_long(api_key_account, caplog):
    reset = int(time.time()) + 3000
    headers = {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0",
               "X-RateLimit-Reset": str(reset)}  # fmt: skip
    responses.get(LIST_URL, json=page_body([row(i) for i in range(100)], 9000), headers=headers)
    with caplog.at_level(logging.WARNING, logger="signhub.connectors.boldsign"):
        run = sync_account(api_key_account())
    assert run.state == "failed" and run.error_code == "rate_limited"
    assert "renews in 50 min" in run.error_message
    # 89 more pages at 70 % of 50/hour: about 2 h 33 min.
    assert "about 89 requests" in run.error_message and "2 h 33 min" in run.error_message
    assert "will take about 2 h 33 min" in caplog.text
    assert len(responses.calls) == 1


def test_the_throttle_keeps_a_big_sync_under_the_hourly_limit(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(http_clock, "monotonic", lambda: clock[0])
    monkeypatch.setattr(http_clock, "sleep", lambda s: clock.__setitem__(0, clock[0] + s))
    budget = RateBudget("boldsign:test", 2000, max_wait=300)
    sent_at = []
    for _ in range(2000):
        budget.throttle.acquire()
        sent_at.append(clock[0])
    # Any one hour holds at most 500 (burst) + 1,400 (70 %/h) = 1,900 of our requests.
    assert sum(1 for t in sent_at if t < 3600) <= 1900
    assert sent_at[-1] == pytest.approx(1500 / (2000 * 0.7 / 3600), rel=0.01)


def test_a_lower_limit_announced_by_the_server_slows_the_pace():
    budget = RateBudget("boldsign:test2", None, max_wait=300)
    assert budget.throttle.rate == pytest.approx(2000 * 0.7 / 3600)
    response = requests.Response()
    response.headers["X-RateLimit-Limit"] = "50"
    budget.observe(response)
    assert budget.limit == 50
    assert budget.throttle.rate == pytest.approx(50 * 0.7 / 3600)


@responses.activate
def test_a_429_does_not_leave_a_stale_empty_budget_behind(api_key_account, no_sleep):
    reset = int(time.time()) + 3000
    responses.get(LIST_URL, status=429, headers={"Retry-After": "3",
                  "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})  # fmt: skip
    responses.get(LIST_URL, json=page_body([row(i) for i in range(100)], 150))
    responses.get(LIST_URL, json=page_body([row(i) for i in range(100, 150)], 150, page=2))
    run = sync_account(api_key_account())
    assert run.state == "succeeded" and run.fetched == 150
    assert no_sleep == [3.0]
