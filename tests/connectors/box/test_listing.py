"""Listing over HTTP: marker paging, shared requests, de-duplication, resilience."""

from __future__ import annotations

import pytest
import requests
import responses
from responses import matchers

from signhub.core.models import SignedDocument, SyncRun
from signhub.core.sync import sync_account

from .helpers import LIST_URL, load

MARKER_2 = load("list_page1")["next_marker"]
MARKER_3 = load("list_page2")["next_marker"]


def page(rsps, fixture=None, *, marker=None, shared=False, **kwargs):
    params = {"limit": "1000"}
    if shared:
        params["shared_requests"] = "true"
    if marker:
        params["marker"] = marker
    if fixture is not None:
        kwargs["json"] = load(fixture)
    rsps.get(LIST_URL, match=[matchers.query_param_matcher(params)], **kwargs)


def owned_pages(rsps):
    page(rsps, "list_page1")
    page(rsps, "list_page2", marker=MARKER_2)
    page(rsps, "list_last_page", marker=MARKER_3)


@responses.activate
def test_sync_walks_every_page_and_both_lists_once_each(box_account):
    account = box_account()
    owned_pages(responses)
    page(responses, "list_shared", shared=True)

    run = sync_account(account, full=True)

    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    # Short pages (2 of 1000) are not the end: only an empty/null next_marker is.
    assert len(responses.calls) == 4
    ids = sorted(SignedDocument.objects.values_list("external_id", flat=True))
    assert ids == ["sr-1", "sr-2", "sr-3", "sr-4", "sr-5", "sr-6"]  # sr-2 owned and shared
    assert run.fetched == 6
    for call in responses.calls:
        assert call.request.headers["Authorization"] == "Bearer at-OLD"


@pytest.mark.parametrize("value", ["false", "0", "no", False])
@responses.activate
def test_include_shared_can_be_switched_off(box_account, value):
    account = box_account(options={"include_shared": value})
    owned_pages(responses)
    assert sync_account(account).state == SyncRun.State.SUCCEEDED
    assert len(responses.calls) == 3
    assert all("shared_requests" not in c.request.url for c in responses.calls)


@responses.activate
def test_a_full_sync_flags_requests_gone_at_box(box_account):
    account = box_account()
    owned_pages(responses)
    page(responses, "list_shared", shared=True)
    sync_account(account, full=True)
    responses.reset()
    owned_pages(responses)
    page(responses, "list_empty", shared=True)

    run = sync_account(account, full=True)

    assert run.removed == 1
    assert SignedDocument.objects.get(external_id="sr-6").removed_at is not None


@responses.activate
def test_a_repeated_marker_stops_the_sync_instead_of_looping(box_account):
    account = box_account(options={"include_shared": "false"})
    looping = {**load("list_page1"), "next_marker": "same"}
    page(responses, json=looping)
    page(responses, json=looping, marker="same")
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.FAILED
    assert run.error_code == "paging_loop"


@responses.activate
def test_429_waits_for_retry_after_then_succeeds(box_account, no_sleep):
    account = box_account(options={"include_shared": "no"})
    page(responses, status=429, json=load("error_429"), headers={"retry-after": "7"})
    page(responses, "list_empty")
    assert sync_account(account).state == SyncRun.State.SUCCEEDED
    assert 7.0 in no_sleep
    assert len(responses.calls) == 2


@responses.activate
def test_a_server_error_is_retried_with_backoff(box_account, no_sleep):
    account = box_account(options={"include_shared": "no"})
    page(responses, status=500, json=load("error_500"))
    page(responses, status=503, body="")
    page(responses, "list_last_page")
    run = sync_account(account)
    assert run.state == SyncRun.State.SUCCEEDED
    assert len(responses.calls) == 3
    assert len([w for w in no_sleep if w > 0]) >= 2


@responses.activate
def test_malformed_json_is_retried(box_account):
    account = box_account(options={"include_shared": "no"})
    page(responses, body='{"limit": 1000, "entries": [{"id": "sr-', content_type="application/json")
    page(responses, "list_last_page")
    assert sync_account(account).state == SyncRun.State.SUCCEEDED
    assert SignedDocument.objects.count() == 1


@responses.activate
def test_a_timeout_is_retried(box_account):
    account = box_account(options={"include_shared": "no"})
    page(responses, body=requests.ReadTimeout("slow"))
    page(responses, body=requests.ConnectionError("reset"))
    page(responses, "list_last_page")
    assert sync_account(account).state == SyncRun.State.SUCCEEDED
    assert len(responses.calls) == 3


@responses.activate
def test_persistent_failure_fails_the_run_and_keeps_earlier_pages(box_account, settings):
    settings.SIGNHUB_HTTP_MAX_ATTEMPTS = 3
    account = box_account(options={"include_shared": "no"})
    page(responses, "list_page1")
    page(responses, status=502, body="<html>Bad gateway</html>", marker=MARKER_2)

    run = sync_account(account, full=True)

    assert run.state == SyncRun.State.FAILED
    assert run.error_code == "server_error"
    assert "gave up after 3 attempts" in run.error_message
    assert SignedDocument.objects.filter(removed_at__isnull=True).count() == 2
    account.refresh_from_db()
    assert not account.needs_reconnect


@responses.activate
def test_a_missing_scope_asks_for_a_reconnect(box_account):
    account = box_account(options={"include_shared": "no"})
    page(responses, status=403, json=load("error_403_scope"))
    run = sync_account(account)
    account.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert account.needs_reconnect
    assert "insufficient_scope" in run.error_message
    assert "403bbb" in run.error_message


@responses.activate
def test_a_body_without_entries_fails_rather_than_sweeping(box_account):
    account = box_account(options={"include_shared": "no"})
    page(responses, json={"limit": 1000})
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.FAILED
    assert run.error_code == "malformed_response"
