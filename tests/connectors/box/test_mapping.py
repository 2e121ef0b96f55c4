"""Box sign request JSON → DocumentRecord: statuses, titles, dates, signers, files."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from signhub.connectors.box.mapping import to_record
from signhub.connectors.box.statuses import STATUSES
from signhub.core.status import DocumentStatus as S

from .helpers import load

EXPECTED = {
    "converting": S.IN_PROGRESS,
    "created": S.IN_PROGRESS,
    "sent": S.IN_PROGRESS,
    "viewed": S.IN_PROGRESS,
    "finalizing": S.IN_PROGRESS,
    "signed": S.COMPLETED,
    "declined": S.DECLINED,
    "cancelled": S.CANCELLED,
    "expired": S.EXPIRED,
    "error": S.FAILED,
    "error_converting": S.FAILED,
    "error_sending": S.FAILED,
    "error_finalizing": S.FAILED,
}


@pytest.mark.parametrize(("raw", "expected"), sorted(EXPECTED.items()))
def test_every_enum_status_is_mapped(raw, expected):
    entry = {**load("list_page1")["entries"][0], "status": raw}
    record = to_record(entry)
    assert record.status == expected
    assert record.provider_status == raw


def test_the_table_covers_the_whole_enum():
    assert set(EXPECTED) <= set(STATUSES)


def test_an_unknown_status_is_indexed_as_unknown_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="signhub.status"):
        assert STATUSES.normalize("on_hold") == S.UNKNOWN
    assert "on_hold" in caplog.text
    assert to_record({"id": "1", "status": None}).status == S.UNKNOWN


def test_a_complete_request_maps_every_field():
    record = to_record(load("list_page1")["entries"][0])
    assert record.external_id == "sr-1"
    assert record.title == "Contract 1"
    assert record.sender_email == "sender@box.com"
    assert record.created_at == datetime(2025, 2, 1, 12, tzinfo=UTC)
    assert record.completed_at == datetime(2025, 2, 2, 12, 0, 0, 500000, tzinfo=UTC)
    [signer] = record.signers
    assert (signer.email, signer.role, signer.status, signer.order) == (
        "emp1@example.com",
        "signer",
        "signed",
        1,
    )
    assert signer.decided_at == datetime(2025, 2, 2, 11, 59, 0, 982000, tzinfo=UTC)
    assert [(f.key, f.name, f.kind, f.handle) for f in record.files] == [
        ("signed-9001", "Contract 1.pdf", "signed", {"file_id": "9001"}),
        ("audit-8001", "Signing log.pdf", "audit", {"file_id": "8001"}),
    ]
    assert record.raw["sender_id"] == 12345


def test_edge_request_offsets_fallback_title_and_decline_time():
    record = to_record(load("entry_declined_edge"))
    assert record.title == "Vertrag – Müller 🤝.pdf"  # name is null: first signed file's name
    assert record.created_at == datetime(2025, 3, 1, 8, tzinfo=UTC)
    assert record.expires_at == datetime(2025, 4, 1, 4, 59, 59, 123456, tzinfo=UTC)
    # No finished_at; a decline ends the request, so its decision time is the completion.
    # Declined: never a completion time; when, who and why it ended instead.
    assert record.completed_at is None
    assert record.ended_at == datetime(2025, 3, 2, 8, 15, tzinfo=UTC)
    assert (record.ended_by, record.end_reason) == ("a@example.com", "Wrong salary")
    assert record.folder == "Contracts"
    assert [s.email for s in record.signers] == [
        "b@example.com",
        "a@example.com",
        "sender@box.com",
    ]
    assert [s.status for s in record.signers] == ["pending", "declined", "pending"]
    assert [f.kind for f in record.files] == ["original"]  # not signed; no signing log yet


def test_signing_links_never_reach_the_index():
    record = to_record(load("entry_declined_edge"))
    text = str(record.raw) + str([f.to_json() for f in record.files])
    assert "secret" not in text
    assert "additional_info" in str(record.raw)


def test_an_unfinished_request_has_no_completion_time():
    entry = load("entry_declined_edge")
    entry["status"] = "viewed"
    entry["signers"][0]["signer_decision"]["type"] = "signed"  # one of two signers done
    assert to_record(entry).completed_at is None


@pytest.mark.parametrize(
    "title",
    ["Ünïcødé ✍️ contract", "<script>alert(1)</script> & more", "x" * 3000, "  padded  "],
)
def test_titles_are_kept_exactly_as_sent(title):
    entry = {**load("list_page1")["entries"][0], "name": title}
    assert to_record(entry).title == title


def test_the_seed_sample_maps_without_surprises():
    [entry] = load("list_seed_page")["entries"]
    record = to_record(entry)
    assert record.external_id == "12345"
    assert record.title == "name"
    assert record.status == S.IN_PROGRESS
    # `converting` with a finished_at: still not a completed request.
    assert record.completed_at is None and record.ended_at is None
    # Files that say what they are: the unsigned PDF (not signed yet), the signing log and
    # the file the signer attached (SignRequestSigner.attachments[] in box-openapi).
    kinds = {f.key: f.kind for f in record.files}
    assert kinds == {
        "signed-12345": "original",
        "audit-12345": "audit",
        "attachment-12345": "attachment",
    }
    signer = record.raw["signers"][0]
    assert "embed_url" not in signer and "iframeable_embed_url" not in signer
    assert "prepare_url" not in record.raw


def test_missing_and_null_keys_do_not_break_the_mapping():
    record = to_record({"id": 42, "signers": None, "sign_files": None, "signing_log": None})
    assert record.external_id == "42"
    assert record.title == "Box sign request 42"
    assert record.files == []
    assert to_record({"name": "no id"}) is None
