"""Decline and revoke messages: BoldSign's list rows carry none (the SDK's `Document`
model), a document's properties do (`DocumentProperties`: signer `declineMessage`,
`revokeMessage`; boldsign-php-sdk docs/Model/DocumentProperties.md). A list sync asks the
properties once per declined or revoked document and activity, never for the others."""

from __future__ import annotations

import time

import pytest
import responses

from signhub.connectors.boldsign import connector
from signhub.core.models import SignedDocument, SyncRun
from signhub.core.sync import sync_account

from .conftest import LIST_URL, PROPERTIES_URL, queries, row, serve_listing

pytestmark = pytest.mark.django_db


def recent(i: int, **overrides) -> dict:
    """A row whose activity was i minutes ago (words are asked for recent ends only)."""
    stamp = int(time.time()) - i * 60
    return row(i, activityDate=stamp, cursor=stamp * 1000 + i, **overrides)


def declined(i: int, **overrides) -> dict:
    data = recent(i, status="Declined", **overrides)
    data["signerDetails"] = [
        {**data["signerDetails"][0], "signerName": "Ann Lee", "status": "Declined"}
    ]
    return data


def properties_of(body: dict) -> dict:
    return {**body, "signerDetails": [dict(s) for s in body["signerDetails"]]}


def serve_properties(rsps, rows: dict[str, dict]) -> None:
    def callback(request):
        import json
        from urllib.parse import parse_qs, urlsplit

        document_id = parse_qs(urlsplit(request.url).query)["documentId"][0]
        if document_id not in rows:
            return 404, {}, json.dumps({"error": "Invalid Document ID"})
        return 200, {"Content-Type": "application/json"}, json.dumps(rows[document_id])

    rsps.add_callback(responses.GET, PROPERTIES_URL, callback=callback)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_declined_and_revoked_words_come_from_the_properties_once(api_key_account, rsps):
    no, revoked, done = declined(1), recent(2, status="Revoked"), recent(3)
    serve_listing(rsps, LIST_URL, [no, revoked, done])
    said = properties_of(no)
    said["signerDetails"][0].update(declineMessage="The start date is wrong")
    serve_properties(rsps, {no["documentId"]: said, revoked["documentId"]: {
        **revoked, "revokeMessage": "Sent to the wrong team"}})  # fmt: skip
    account = api_key_account()

    assert sync_account(account, full=True).state == SyncRun.State.SUCCEEDED
    first = SignedDocument.objects.get(external_id=no["documentId"])
    assert (first.end_reason, first.ended_by) == ("The start date is wrong", "Ann Lee")
    assert SignedDocument.objects.get(external_id=revoked["documentId"]).end_reason == (
        "Sent to the wrong team"
    )
    asked = sorted(q["documentId"] for q in queries(rsps, PROPERTIES_URL))
    assert asked == sorted([no["documentId"], revoked["documentId"]])  # not the completed one

    # An unchanged re-sync keeps the words without asking again.
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED and run.updated == 0
    assert len(queries(rsps, PROPERTIES_URL)) == 2
    assert SignedDocument.objects.get(pk=first.pk).end_reason == "The start date is wrong"


def test_a_refused_properties_call_keeps_the_row_and_asks_next_time(api_key_account, rsps):
    no = declined(1)
    serve_listing(rsps, LIST_URL, [no, recent(2)])
    rsps.get(PROPERTIES_URL, status=403, json={"error": "Forbidden"})
    account = api_key_account()

    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    assert SignedDocument.objects.get(external_id=no["documentId"]).status == "declined"
    assert SignedDocument.objects.get(external_id=no["documentId"]).end_reason == ""
    sync_account(account, full=True)
    assert len(queries(rsps, PROPERTIES_URL)) == 2  # asked again: nothing was stored


def test_words_are_asked_for_recent_ends_only_and_at_most_so_many_per_sync(
    api_key_account, rsps, monkeypatch
):
    monkeypatch.setattr(connector, "WORD_LOOKUPS_PER_SYNC", 2)
    old = row(500, status="Declined")  # ended a year ago: needs attention no longer shows it
    rows = [declined(i) for i in range(1, 5)] + [old]
    serve_listing(rsps, LIST_URL, rows)
    rsps.get(PROPERTIES_URL, status=404, json={"error": "Invalid Document ID"})
    account = api_key_account()

    sync_account(account, full=True)
    first = [q["documentId"] for q in queries(rsps, PROPERTIES_URL)]
    assert len(first) == 2 and old["documentId"] not in first
    sync_account(account, full=True)  # the others wait for the next sync; none twice
    asked = [q["documentId"] for q in queries(rsps, PROPERTIES_URL)]
    assert sorted(asked) == sorted(r["documentId"] for r in rows[:4])
    sync_account(account, full=True)
    assert len(queries(rsps, PROPERTIES_URL)) == 4
