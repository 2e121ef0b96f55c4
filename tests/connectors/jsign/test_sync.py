"""Listing, paging, incremental details and mapping, over HTTP with `responses`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from signhub.core.models import SignedDocument, SyncRun
from signhub.core.status import DocumentStatus
from signhub.core.sync import sync_account

from .conftest import API, IDS, calls_to, list_page, load, page_matcher, three_pages

pytestmark = pytest.mark.django_db


def test_it_pages_to_the_last_page_and_stores_each_envelope_once(account, rsps):
    three_pages(rsps)
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    lists = calls_to(rsps, "/envelopes/list")
    assert [json.loads(c.request.body)["page"] for c in lists] == [1, 2, 3]
    assert json.loads(lists[0].request.body) == {"page": 1, "page_size": 100}
    assert len(calls_to(rsps, "/details")) == 4  # the repeated id is not fetched twice
    assert SignedDocument.objects.filter(account=account).count() == 4
    for call in rsps.calls:
        assert call.request.headers["app_auth_type"] == "jsign-oauth2"
        assert call.request.headers["Authorization"] == "Bearer old-access"


def test_it_stops_on_an_empty_page_when_no_page_count_is_sent(account, rsps):
    page1 = load("list_page1.json")
    del page1["data"]["list_info"]["num_page"]
    list_page(rsps, 1, page1)
    list_page(rsps, 2, {"data": {"list_info": {"page": 2}, "envelopes": []}})
    rsps.get(f"{API}/envelopes/{IDS[0]}/details", json=load("details_in_progress.json"))
    rsps.get(f"{API}/envelopes/{IDS[1]}/details", json=load("details_completed.json"))
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED
    assert len(calls_to(rsps, "/envelopes/list")) == 2
    assert run.fetched == 2


def test_an_empty_account_takes_one_request(account, rsps):
    list_page(rsps, 1, load("list_empty.json"))
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED
    assert len(rsps.calls) == 1


def test_the_next_sync_fetches_details_only_for_changed_envelopes(account, rsps):
    three_pages(rsps)
    sync_account(account, full=True)
    rsps.calls.reset()

    changed = load("list_page1.json")
    changed["data"]["envelopes"][0]["status"] = "AwaitingOthers"
    rsps.reset()
    three_pages(rsps)
    rsps.replace("POST", f"{API}/envelopes/list", json=changed, match=[page_matcher(1)])
    run = sync_account(account)
    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    assert [c.request.url for c in calls_to(rsps, "/details")] == [
        f"{API}/envelopes/{IDS[0]}/details"
    ]
    doc = SignedDocument.objects.get(external_id=IDS[0])
    assert doc.provider_status == "AwaitingOthers"
    assert doc.signers[0]["email"] == "me@example.com"  # reused details still mapped
    completed = SignedDocument.objects.get(external_id=IDS[1])
    assert completed.sender_email == "grace@example.com"
    assert run.updated == 1


def test_a_full_sync_flags_envelopes_gone_at_jsign(account, rsps):
    three_pages(rsps)
    sync_account(account, full=True)
    rsps.reset()
    list_page(rsps, 1, {"data": {"list_info": {"num_pages": 1}, "envelopes": []}})
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED
    # An empty listing is suspicious (hardening finding 8b): a second one confirms it.
    assert (run.removed, run.removals_withheld) == (0, 4)
    assert sync_account(account, full=True).removed == 4


def test_it_maps_a_completed_envelope(account, rsps):
    three_pages(rsps)
    sync_account(account, full=True)
    doc = SignedDocument.objects.get(external_id=IDS[1])
    assert doc.title == "<script>alert(1)</script> Offer ✍️ — Ünïcödé"
    assert doc.status == DocumentStatus.COMPLETED
    assert doc.provider_status == "Completed"
    assert doc.sender_name == "Grace Hopper"
    assert doc.sender_email == "grace@example.com"
    assert [s["email"] for s in doc.signers] == ["a@example.com", "b@example.com"]
    assert doc.signers[0]["name"] == "Ann One"
    assert doc.created_at == datetime(2021, 8, 20, 7, 1, 10, 790000, tzinfo=UTC)
    assert doc.completed_at == datetime(2021, 8, 22, 10, 0, 0, 500000, tzinfo=UTC)
    assert doc.expires_at == datetime(2021, 9, 20, tzinfo=UTC)
    assert doc.labels == ["HR"]
    assert [(f["key"], f["kind"]) for f in doc.files] == [("doc-d-2", "signed"), ("audit", "audit")]
    assert doc.files[0]["handle"] == {"envelope_id": IDS[1], "document_id": "d-2", "signed": True}
    assert doc.raw["list"]["name"] == doc.title
    assert "token" not in json.dumps(doc.raw).lower()


def test_it_maps_in_progress_declined_and_expired_envelopes(account, rsps):
    three_pages(rsps)
    sync_account(account, full=True)
    first = SignedDocument.objects.get(external_id=IDS[0])
    assert first.status == DocumentStatus.IN_PROGRESS
    assert first.labels == ["NDA", "New Document"]
    assert first.created_at == datetime(2022, 8, 3, 10, 30, 35, 933000, tzinfo=UTC)
    assert first.completed_at is None
    assert first.files[0]["kind"] == "original"
    assert first.files[0]["handle"]["signed"] is False
    declined = SignedDocument.objects.get(external_id=IDS[2])
    assert declined.status == DocumentStatus.DECLINED
    assert declined.labels == []
    assert declined.last_activity_at == datetime(2023, 1, 5, 0, 0, 0, 250000, tzinfo=UTC)
    expired = SignedDocument.objects.get(external_id=IDS[3])
    assert expired.status == DocumentStatus.EXPIRED
    # An offset in the timestamp is honoured; the 7-digit fraction is cut to microseconds.
    assert expired.created_at == datetime(2023, 5, 6, 5, 8, 9, 123456, tzinfo=UTC)
    assert expired.labels == ["Contracts"]
    assert expired.files == []  # details unavailable: no document ids
    assert expired.sender_name == "Edsger Dijkstra"


def test_a_jsign_error_code_fails_the_sync_in_plain_words(account, rsps):
    list_page(rsps, 1, load("error_invalid_start_date.json"), status=400)
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.FAILED
    assert "INVALID_START_DATE" in run.error_message
    assert "Start date should not be greater" in run.error_message
    account.refresh_from_db()
    assert not account.needs_reconnect


def test_account_filters_go_into_the_list_body(make_account, rsps):
    acct = make_account(
        "jsign",
        base_url="https://api.jsign.test",
        credentials={"access_token": "a"},
        options={"statuses": "Completed,Declined", "categories": "HR", "page_size": 50},
    )
    list_page(rsps, 1, load("list_empty.json"))
    sync_account(acct, full=True)
    assert json.loads(rsps.calls[0].request.body) == {
        "status": ["Completed", "Declined"],
        "categories": ["HR"],
        "page": 1,
        "page_size": 50,
    }


def test_check_connection_makes_one_small_call(account, rsps):
    list_page(rsps, 1, load("list_page1.json"))
    message = account.connector().check_connection()
    assert "5 envelope(s)" in message
    assert json.loads(rsps.calls[0].request.body) == {"page": 1, "page_size": 1}
    assert len(rsps.calls) == 1


def test_a_200_answer_that_only_carries_errors_is_an_error(account, rsps):
    list_page(rsps, 1, load("error_invalid_start_date.json"))
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.FAILED
    assert "INVALID_START_DATE" in run.error_message
