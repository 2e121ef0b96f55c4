"""Paging to the true end, the cursor past 10,000 records, dedupe and incremental marks."""

import pytest
import responses

from signhub.connectors.boldsign import paging
from signhub.core.models import SignedDocument, SyncRun
from signhub.core.sync import sync_account

from .conftest import (
    BEHALF_URL,
    LIST_URL,
    PROPERTIES_URL,
    TEAM_URL,
    page_body,
    queries,
    row,
    serve_listing,
)


@pytest.mark.parametrize(("count", "requests"), [(250, 3), (200, 2), (0, 1), (1, 1)])
@responses.activate
def test_it_pages_to_the_exact_last_page(api_key_account, count, requests):
    serve_listing(responses, LIST_URL, [row(i) for i in range(count)])
    account = api_key_account()
    run = sync_account(account)
    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    assert run.fetched == count
    assert SignedDocument.objects.filter(account=account).count() == count
    sent = queries(responses, LIST_URL)
    assert len(sent) == requests  # no extra probe after the reported total
    assert [q["Page"] for q in sent] == [str(p) for p in range(1, requests + 1)]
    assert {q["PageSize"] for q in sent} == {"100"}
    assert responses.calls[0].request.headers["X-API-KEY"] == "key-123"


@responses.activate
def test_a_short_page_is_not_the_end_when_the_server_clamps(api_key_account):
    serve_listing(responses, LIST_URL, [row(i) for i in range(120)], clamp=50)
    run = sync_account(api_key_account())
    assert run.fetched == 120
    assert len(queries(responses, LIST_URL)) == 3


@responses.activate
def test_without_a_total_it_reads_until_an_empty_page(api_key_account):
    serve_listing(responses, LIST_URL, [row(i) for i in range(150)], total=False)
    run = sync_account(api_key_account())
    assert run.fetched == 150
    assert len(queries(responses, LIST_URL)) == 3  # 100, 50, then the empty page


@responses.activate
def test_past_the_page_window_it_continues_with_the_last_rows_cursor(api_key_account, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_WINDOW", 200)  # 10,000 in real life
    rows = [row(i) for i in range(430)]
    serve_listing(responses, LIST_URL, rows)
    run = sync_account(api_key_account())
    assert run.fetched == 430
    sent = queries(responses, LIST_URL)
    assert [q.get("Page") for q in sent] == ["1", "2", "1", "1", "1"]
    assert [q.get("NextCursor") for q in sent] == [
        None, None, str(rows[199]["cursor"]), str(rows[299]["cursor"]),
        str(rows[399]["cursor"]),
    ]  # fmt: skip


@responses.activate
def test_the_seed_spelling_nextcursor_also_drives_the_cursor(api_key_account, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_WINDOW", 100)
    rows = [row(i) for i in range(150)]
    for r in rows:
        r["nextCursor"] = r.pop("cursor")
    responses.get(LIST_URL, json=page_body(rows[:100], 150))
    responses.get(LIST_URL, json=page_body(rows[100:], 150))
    run = sync_account(api_key_account())
    assert run.fetched == 150
    assert queries(responses, LIST_URL)[1]["NextCursor"] == str(rows[99]["nextCursor"])


@responses.activate
def test_a_server_repeating_itself_fails_the_sync_instead_of_looping(api_key_account):
    rows = [row(i) for i in range(100)]
    responses.get(LIST_URL, json=page_body(rows, 500))  # same page for every Page number
    account = api_key_account()
    SignedDocument.objects.create(account=account, provider="boldsign", external_id="old",
                                  status="completed", first_seen_at="2025-01-01T00:00Z",
                                  last_seen_at="2025-01-01T00:00Z", content_hash="x")  # fmt: skip
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.FAILED
    assert "repeated a page" in run.error_message
    assert len(queries(responses, LIST_URL)) == 2
    assert SignedDocument.objects.get(external_id="old").removed_at is None


@responses.activate
def test_each_list_is_read_and_a_document_is_indexed_once(api_key_account):
    mine = [row(i) for i in range(3)]
    behalf = [row(i, behalfOf={"name": "Boss", "emailAddress": "boss@example.com"})
              for i in (2, 10, 11)]  # doc-00002 in both lists  # fmt: skip
    serve_listing(responses, LIST_URL, mine)
    serve_listing(responses, BEHALF_URL, behalf)
    serve_listing(responses, TEAM_URL, [row(20)])
    account = api_key_account(lists="list,behalf_others,behalf_me,team")
    run = sync_account(account)
    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    assert run.fetched == 3 + 2 + 0 + 1  # behalf_me served the same rows: all seen already
    assert SignedDocument.objects.filter(account=account).count() == 6
    assert [q["PageType"] for q in queries(responses, BEHALF_URL)] == [
        "BehalfOfOthers", "BehalfOfMe"
    ]  # fmt: skip
    doc = SignedDocument.objects.get(external_id="doc-00010")
    assert doc.files[0]["handle"]["onBehalfOf"] == "boss@example.com"


@responses.activate
def test_incremental_sync_stops_at_the_previous_high_water_mark(api_key_account):
    old = [row(i) for i in range(300)]  # activity descending, a minute apart
    serve_listing(responses, LIST_URL, old)
    account = api_key_account()
    first = sync_account(account)
    assert first.full and first.fetched == 300
    account.refresh_from_db()
    top = old[0]["activityDate"]
    assert account.sync_state["marks"] == {"list": top}

    responses.reset()
    fresh = [row(1000 + i, activityDate=top + 100 + i) for i in range(150)][::-1]
    changed = dict(old[250], activityDate=top + 50, status="Declined")
    rows = fresh + [changed] + [r for r in old if r["documentId"] != changed["documentId"]]
    serve_listing(responses, LIST_URL, rows)
    # The declined row's words are asked once; this document has none to give.
    responses.get(PROPERTIES_URL, status=404, json={"error": "Invalid Document ID"})
    second = sync_account(account)
    assert not second.full
    assert second.state == SyncRun.State.SUCCEEDED, second.error_message
    # 151 new/changed rows sit on pages 1-2; page 2 reaches rows older than the mark.
    assert len(queries(responses, LIST_URL)) == 2
    assert second.created == 150 and second.updated == 1
    assert SignedDocument.objects.get(external_id=changed["documentId"]).status == "declined"
    account.refresh_from_db()
    assert account.sync_state["marks"]["list"] == top + 249


@responses.activate
def test_a_full_sync_flags_documents_gone_at_the_provider(api_key_account):
    serve_listing(responses, LIST_URL, [row(i) for i in range(5)])
    account = api_key_account()
    sync_account(account)
    responses.reset()
    serve_listing(responses, LIST_URL, [row(i) for i in range(4)])
    run = sync_account(account, full=True)
    assert run.removed == 1
    assert SignedDocument.objects.get(external_id="doc-00004").removed_at is not None


@responses.activate
def test_a_server_clamping_silently_is_read_to_the_end(api_key_account):
    rows = [row(i) for i in range(120)]
    for start in (0, 50, 100):  # 50 rows a page while it claims pageSize 100
        responses.get(LIST_URL, json=page_body(rows[start : start + 50], 120, size=100))
    run = sync_account(api_key_account())
    assert run.fetched == 120
    assert len(queries(responses, LIST_URL)) == 3
