"""Rows → index: statuses, dates in UTC, labels, signers, titles as sent, no token stored."""

import json
import logging
from datetime import UTC, datetime

from signhub.connectors.bitrix24.mapping import DocumentMerger, sanitize
from signhub.connectors.bitrix24.statuses import STATUSES
from signhub.core.models import SignedDocument
from signhub.core.status import DocumentStatus
from signhub.core.sync import sync_account

from .conftest import SAFE_URL, load, personal_row, safe_row


def synced(account, rsps, fixture="mysafe_tail"):
    account.options = {"lists": "mysafe"}
    account.save()
    rsps.post(SAFE_URL, json=load(fixture))
    rsps.post(SAFE_URL, json=load("empty_page"))
    assert sync_account(account, full=True).state == "succeeded"
    return {d.external_id: d for d in SignedDocument.objects.filter(account=account)}


def test_a_signed_row_is_completed_with_utc_dates(account, rsps):
    doc = synced(account, rsps)["59"]
    assert doc.status == DocumentStatus.COMPLETED
    assert doc.provider_status == "signed"
    assert doc.completed_at == datetime(2024, 6, 28, 17, 34, 58, tzinfo=UTC)
    assert doc.created_at == datetime(2024, 6, 28, 17, 7, 3, tzinfo=UTC)
    assert doc.labels == ["Employment contracts"]
    # creator_id and member_id resolved through user.get (conftest.serve_users).
    assert (doc.sender_name, doc.sender_email) == ("Name1 Last1", "user1@acme.example")
    assert doc.signers[0]["email"] == "user1@acme.example"
    assert doc.signers[0]["role"] == "signer"
    assert doc.signers[0]["status"] == "signed"
    assert doc.signers[0]["decided_at"] == "2024-06-28T17:34:58+00:00"


def test_a_reviewer_row_without_signed_date_is_in_progress(account, rsps):
    doc = synced(account, rsps)["61"]
    assert doc.status == DocumentStatus.IN_PROGRESS
    assert doc.provider_status == "awaiting_signature"
    assert doc.completed_at is None
    assert doc.created_at == datetime(2024, 7, 1, 6, 0, tzinfo=UTC)
    assert doc.signers[0]["status"] == "not_signed"
    assert doc.signers[0]["role"] == "reviewer"


def test_titles_are_stored_exactly_as_sent(account, rsps):
    assert synced(account, rsps)["61"].title == "<b>Приказ</b> № 7 — отпуск 🌴"


def test_the_token_bearing_file_url_is_never_stored(account, rsps):
    docs = synced(account, rsps)
    for doc in docs.values():
        stored = json.dumps([doc.raw, doc.files, doc.signers], ensure_ascii=False)
        assert "SECRETACCESSTOKEN" not in stored
        assert "file_url" not in stored
        assert doc.files == [
            {
                "key": "signed",
                "name": "Signed document",
                "kind": "signed",
                "handle": {"list": "mysafe", "id": int(doc.external_id)},
            }
        ]


def test_sanitize_drops_any_url_carrying_a_token():
    row = {"id": 1, "file_url": "x", "other": "https://p/x?auth=abc", "title": "a&b"}
    assert sanitize(row) == {"id": 1, "title": "a&b"}


def test_rows_of_one_document_merge_into_one_record():
    merger = DocumentMerger()
    first = merger.add("mysafe", "7", safe_row(7, member_id=3, role="editor", signed_date=None))
    assert first.status == DocumentStatus.IN_PROGRESS
    merged = merger.add("mysafe", "7", safe_row(7, member_id=4, role="signer"))
    assert merged.status == DocumentStatus.COMPLETED
    assert [(s.name, s.role) for s in merged.signers] == [
        ("Bitrix24 user 3", "editor"),
        ("Bitrix24 user 4", "signer"),
    ]
    assert merger.add("mysafe", "7", safe_row(7, member_id=4, role="signer")) is None


def test_a_personal_only_row_has_the_connected_user_as_signer():
    record = DocumentMerger().add("personal", "5", personal_row(5))
    assert record.signers[0].name == "Connected Bitrix24 user"
    assert record.completed_at == datetime(2024, 6, 28, 17, 34, 58, tzinfo=UTC)
    assert record.created_at is None


def test_unknown_raw_statuses_go_to_unknown_and_are_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="signhub.status"):
        assert STATUSES.normalize("archived") == DocumentStatus.UNKNOWN
    assert "archived" in caplog.text


def test_both_documented_statuses_are_mapped():
    assert STATUSES.normalize("signed") == DocumentStatus.COMPLETED
    assert STATUSES.normalize("awaiting_signature") == DocumentStatus.IN_PROGRESS
