"""Rows → records: every status, dates in UTC, both cursor spellings, titles as sent."""

import logging
from datetime import UTC, datetime

import pytest

from signhub.connectors.boldsign.mapping import row_cursor, to_record
from signhub.core.status import DocumentStatus

from .conftest import fixture, row


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Draft", DocumentStatus.DRAFT),
        ("Scheduled", DocumentStatus.IN_PROGRESS),
        ("InProgress", DocumentStatus.IN_PROGRESS),
        ("Completed", DocumentStatus.COMPLETED),
        ("Declined", DocumentStatus.DECLINED),
        ("Expired", DocumentStatus.EXPIRED),
        ("Revoked", DocumentStatus.CANCELLED),
    ],
)
def test_each_documented_status_is_mapped(raw, expected):
    record = to_record(row(1, status=raw))
    assert record.status == expected
    assert record.provider_status == raw


def test_filter_words_and_nulls_are_unknown_and_logged(caplog):
    rows = fixture("unknown_status_page.json")["result"]
    with caplog.at_level(logging.WARNING, logger="signhub.status"):
        records = [to_record(r) for r in rows]
    assert [r.status for r in records] == [DocumentStatus.UNKNOWN] * 2
    assert "WaitingForOthers" in caplog.text
    odd = records[0]
    assert odd.title == "<script>alert(1)</script> 📄 Ünïcödé"
    assert odd.signers == [] and odd.labels == [] and odd.sender_email == ""
    # String seconds and millisecond activity dates both land in UTC.
    assert odd.created_at == datetime(2025, 12, 29, 9, 20, tzinfo=UTC)
    assert odd.last_activity_at == datetime(2025, 12, 30, 13, 6, 40, tzinfo=UTC)
    assert records[1].title == ""


def test_completed_row_fills_every_field():
    record = to_record(fixture("list_row.json"))
    assert record.external_id == "6b9d2a54-0000-4000-8000-000000000001"
    assert record.title == "Employment contract — Ana"
    assert (record.sender_name, record.sender_email) == ("HR Team", "hr@example.com")
    assert record.labels == ["HR", "contracts"]
    assert record.created_at == datetime(2025, 12, 29, 9, 20, tzinfo=UTC)
    assert record.sent_at == record.created_at
    # Completion ≈ last activity of a Completed row.
    assert record.completed_at == datetime(2025, 12, 30, 13, 6, 40, tzinfo=UTC)
    assert record.expires_at == datetime.fromtimestamp(1769600000, UTC)
    signer = record.signers[0]
    assert (signer.email, signer.name, signer.status, signer.order, signer.role) == (
        "ana@example.com", "Ana", "Completed", 1, "signer"
    )  # fmt: skip
    # The last activity was hers and she signed: that is her decision time.
    assert signer.decided_at == record.completed_at
    assert [(f.key, f.kind) for f in record.files] == [("signed", "signed"), ("audit", "audit")]
    assert record.files[0].handle == {"documentId": record.external_id}
    assert record.raw["cursor"] == 1767100000123


def test_in_progress_row_has_no_completion_and_undecided_signers():
    record = to_record(row(2, status="InProgress", signerDetails=[
        {"signerEmail": "b@example.com", "status": "NotCompleted", "order": 1}]))  # fmt: skip
    assert record.completed_at is None
    assert record.signers[0].decided_at is None


def test_drafts_offer_no_files_and_were_not_sent():
    record = to_record(row(3, status="Draft"))
    assert record.files == [] and record.sent_at is None


def test_scheduled_rows_are_sent_at_their_schedule():
    record = to_record(row(4, status="Scheduled", scheduledSendTime=1767500000))
    assert record.sent_at == datetime.fromtimestamp(1767500000, UTC)


def test_seed_behalf_rows_keep_the_identity_for_downloads():
    first, second = (to_record(r) for r in fixture("behalf_list_seed.json")["result"])
    assert first.title == "565"
    assert (first.sender_name, first.sender_email) == ("Richard", "richard@cubeflakes.com")
    assert first.files[0].handle == {
        "documentId": "755195d8-xxxx-xxxx-xxxx-88ff77d35419",
        "onBehalfOf": "alexgayle@cubeflakes.com",
    }
    assert first.signers[0].email == ""  # the seed's empty signer email stays empty
    assert second.labels == ["Agreement"]
    assert [s.order for s in second.signers] == [1, 2]


def test_cursor_is_read_from_either_spelling():
    assert row_cursor({"cursor": 5}) == 5
    assert row_cursor({"nextCursor": 1689815402493}) == 1689815402493
    assert row_cursor({"cursor": None, "nextCursor": 7}) == 7
    assert row_cursor({}) is None


def test_a_row_without_id_is_skipped():
    assert to_record({"status": "Completed"}) is None
