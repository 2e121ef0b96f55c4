"""Index page writes: idempotent, a constant number of statements, provider text made safe.

Run on SQLite and (with DATABASE_URL) on PostgreSQL, where pages go through COPY and one
set-based upsert.
"""

from datetime import UTC, datetime

import pytest
from django.db import DataError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from signhub.core import dialects
from signhub.core.connector import FileRecord, SignerRecord
from signhub.core.index import IndexWriter
from signhub.core.models import DocumentParty, SignedDocument, SyncRun, SyncSighting
from signhub.core.sync import sync_account
from tests.fakes import FakeConnector, make_record

POSTGRES = connection.vendor == "postgresql"
STORED = [f.attname for f in SignedDocument._meta.concrete_fields if f.name != "last_seen_at"]


def _write(account, records, seen_at=None):
    writer = IndexWriter(account, seen_at=seen_at or timezone.now())
    with CaptureQueriesContext(connection) as ctx:
        stats = writer.write(records)
    return stats, [q["sql"] for q in ctx.captured_queries]


def _snapshot(account):
    docs = list(SignedDocument.objects.filter(account=account).order_by("id").values(*STORED))
    parties = list(
        DocumentParty.objects.filter(document__account=account)
        .order_by("document_id", "role", "email")
        .values_list("document_id", "role", "email", "name", "status", "decided_at")
    )
    return docs, parties


def test_writing_a_page_twice_changes_nothing(make_account):
    account = make_account()
    records = [make_record(i) for i in range(50)]
    first, _ = _write(account, records)
    before = _snapshot(account)

    second, statements = _write(account, records)

    assert (first.created, first.updated) == (50, 0)
    assert (second.created, second.updated, second.fetched) == (0, 0, 50)
    assert _snapshot(account) == before
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements)


def test_a_payload_in_another_key_order_is_unchanged(make_account):
    """PostgreSQL's jsonb reorders keys: a payload read back from it must hash the same."""
    account = make_account()
    _write(account, [make_record(1, raw={"b": 1, "a": {"y": 2, "x": [3]}})])
    again, _ = _write(account, [make_record(1, raw={"a": {"x": [3], "y": 2}, "b": 1})])
    assert (again.created, again.updated) == (0, 0)


def test_a_page_with_a_repeated_document_keeps_its_last_copy(make_account):
    account = make_account()
    stats, _ = _write(account, [make_record(1), make_record(1, title="Second copy")])
    assert (stats.fetched, stats.created) == (1, 1)
    assert SignedDocument.objects.get(account=account).title == "Second copy"


def test_statements_per_page_do_not_grow_with_the_page(make_account):
    _, small = _write(make_account(), [make_record(i) for i in range(5)])
    _, large = _write(make_account(), [make_record(i) for i in range(1000)])
    assert len(small) == len(large)
    if POSTGRES:
        # savepoint, CREATE stage (a no-op once per session) + SELECT existing in one
        # round trip, COPY stage, INSERT ... SELECT ... ON CONFLICT ... RETURNING, COPY
        # parties, release.
        assert len(large) == 6
        assert large[1].startswith("CREATE TEMPORARY TABLE") and "; SELECT" in large[1]
        assert sum(s.startswith("COPY") for s in large) == 2
        assert any("ON CONFLICT" in s and "RETURNING" in s for s in large)
    else:
        # savepoint, SELECT existing, one prepared upsert, SELECT ids, parties, release.
        assert len(large) == 6


def test_an_unchanged_page_costs_one_sighting_and_no_row_writes(make_account):
    account = make_account()
    records = [make_record(i) for i in range(300)]
    _write(account, records)
    seen_at = timezone.now()

    _, statements = _write(account, records, seen_at=seen_at)

    # savepoint, SELECT existing, INSERT one sighting row, release.
    assert len(statements) == 4
    sighting = SyncSighting.objects.get(account=account, seen_at=seen_at)
    assert sorted(sighting.document_ids) == sorted(
        SignedDocument.objects.filter(account=account).values_list("id", flat=True)
    )


def test_a_changed_document_is_rewritten_with_its_parties(make_account):
    account = make_account()
    _write(account, [make_record(i) for i in range(3)])
    changed = make_record(1, title="Amended", sender_email="Boss@Example.com")

    stats, _ = _write(account, [make_record(0), changed, make_record(2)])

    doc = SignedDocument.objects.get(account=account, external_id="doc-1")
    assert (stats.created, stats.updated) == (0, 1)
    assert doc.title == "Amended"
    assert doc.first_seen_at < doc.last_seen_at
    assert set(doc.parties.values_list("role", "email")) == {
        ("sender", "boss@example.com"),
        ("signer", "emp1@example.com"),
    }
    assert DocumentParty.objects.filter(document__account=account).count() == 6


def test_stored_values_round_trip(make_account):
    account = make_account()
    record = make_record(
        7,
        labels=["payroll", " ", "2026"],
        files=[FileRecord(key="signed", name="Contract.pdf", handle={"id": 42})],
        expires_at=datetime(2026, 12, 31, 23, 59, 59, 123456, tzinfo=UTC),
        raw={"z": 1, "a": [1, 2, {"nested": "ü"}]},
    )
    _write(account, [record])
    doc = SignedDocument.objects.get(account=account)
    assert doc.labels == ["payroll", "2026"]
    assert doc.files == [
        {"key": "signed", "name": "Contract.pdf", "kind": "signed", "handle": {"id": 42}}
    ]
    assert doc.expires_at == datetime(2026, 12, 31, 23, 59, 59, 123456, tzinfo=UTC)
    assert doc.raw == {"z": 1, "a": [1, 2, {"nested": "ü"}]}
    assert doc.signers[0]["decided_at"] == "2026-03-01T12:00:00+00:00"
    party = doc.parties.get(role="signer")
    assert party.decided_at == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert "contract 7" in doc.search_text and "emp7@example.com" in doc.search_text


def _hostile(i):
    return make_record(
        i,
        title="Con\x00tract\x07 \ud800 line\r\nnext\ttab",
        sender_name="HR\x00",
        signers=[SignerRecord(email="e\x00mp@example.com", name="Zo\x1bë \udfff")],
        labels=["pay\x00roll"],
        raw={"ti\x00tle": "a\x00b", "bell": "\x07", "lone": "\ud83d", "n": float("nan")},
    )


def test_nul_controls_and_lone_surrogates_are_made_safe(make_account):
    account = make_account()
    stats, _ = _write(account, [_hostile(1)])

    doc = SignedDocument.objects.get(account=account)
    assert stats.created == 1 and stats.skipped == 0
    assert doc.title == "Contract \ufffd line\nnext\ttab"
    assert doc.sender_name == "HR"
    assert doc.signers[0]["email"] == "emp@example.com"
    assert doc.signers[0]["name"] == "Zoë \ufffd"
    assert doc.labels == ["payroll"]
    # raw keeps everything JSON can hold; NUL and lone surrogates become U+FFFD.
    assert doc.raw == {"ti\ufffdtle": "a\ufffdb", "bell": "\x07", "lone": "\ufffd", "n": None}
    assert set(doc.parties.values_list("email", flat=True)) == {"hr@example.com", "emp@example.com"}
    assert "contract" in doc.search_text

    again, _ = _write(account, [_hostile(1)])
    assert (again.created, again.updated) == (0, 0)  # the cleaned form hashes the same


def test_a_backslash_in_provider_text_is_kept(make_account):
    account = make_account()
    _write(account, [make_record(1, title=r"C:\reports\f1 \u0000", raw={"path": "\\b"})])
    doc = SignedDocument.objects.get(account=account)
    assert doc.title == r"C:\reports\f1 \u0000"
    assert doc.raw == {"path": "\\b"}


def test_a_nul_byte_does_not_fail_the_sync(make_account):
    """Hardening finding 2: one NUL in a provider value failed the whole PostgreSQL sync."""
    account = make_account(name="acme", options={"page_size": 40})
    records = [make_record(i) for i in range(40)]
    records[17] = make_record(
        17,
        title="Offer\x00letter",
        signers=[SignerRecord(email="nul@example.com", name="N\x00UL")],
        raw={"id": 17, "note": "\x00"},
    )
    FakeConnector.data["acme"] = records

    run = sync_account(account, full=True)

    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    assert (run.created, run.skipped) == (40, 0)
    doc = account.documents.get(external_id="doc-17")
    assert (doc.title, doc.signers[0]["name"], doc.raw["note"]) == ("Offerletter", "NUL", "\ufffd")


def test_a_document_that_cannot_be_stored_is_skipped_with_a_warning(make_account):
    account = make_account(name="acme", options={"page_size": 10})
    records = [make_record(i) for i in range(10)]
    records[3] = make_record(3, external_id="x" * 300)
    records[5] = make_record(5, raw={"unserializable": object()})
    FakeConnector.data["acme"] = records

    run = sync_account(account, full=True)

    assert run.state == SyncRun.State.SUCCEEDED
    assert (run.created, run.skipped) == (8, 2)
    assert account.documents.count() == 8
    assert any("longer than 255" in w for w in run.warnings)
    assert any("'doc-5'" in w for w in run.warnings)


def test_a_row_the_database_refuses_is_skipped_and_the_rest_written(make_account, monkeypatch):
    original = dialects.SqlitePages.upsert_documents

    def refuse_bad(self, table, columns, conflict, update, rows, key_index, account_id):
        if any(row[key_index] == "doc-bad" for row in rows):
            raise DataError("value refused")
        return original(self, table, columns, conflict, update, rows, key_index, account_id)

    target = dialects.PostgresPages if POSTGRES else dialects.SqlitePages
    if POSTGRES:
        original = dialects.PostgresPages.upsert_documents
    monkeypatch.setattr(target, "upsert_documents", refuse_bad)
    account = make_account()
    records = [make_record(i) for i in range(4)] + [make_record(9, external_id="doc-bad")]

    stats, _ = _write(account, records)

    assert (stats.created, stats.skipped) == (4, 1)
    assert "doc-bad" in stats.warnings[0]
    assert account.documents.count() == 4

    alone, _ = _write(account, [make_record(9, external_id="doc-bad")])  # a page of one
    assert (alone.created, alone.skipped) == (0, 1)


def test_rows_are_built_ahead_after_a_page_of_new_documents(make_account):
    """A first sync: the fetching thread builds the rows too; the stored form is the same."""
    ahead, plain = make_account(name="ahead"), make_account(name="plain")
    writer = IndexWriter(ahead, seen_at=timezone.now())
    first = writer.prepare_page([make_record(i) for i in range(3)])
    assert all(p.built is None for p in first.documents.values())  # nothing known yet
    writer.write_prepared(first)
    records = [make_record(i) for i in range(3, 6)] + [make_record(0, title="Amended")]

    second = writer.prepare_page(records)
    stats = writer.write_prepared(second)

    assert all(p.built is not None for p in second.documents.values())
    assert (stats.created, stats.updated) == (3, 1)
    _write(plain, [make_record(i) for i in range(3)])
    _write(plain, records)
    skip = {"id", "account_id", "first_seen_at"}

    def stored(account):
        docs, parties = _snapshot(account)
        return [{k: v for k, v in d.items() if k not in skip} for d in docs], [
            p[1:] for p in parties
        ]

    assert stored(ahead) == stored(plain)
    unchanged = writer.prepare_page(records)
    writer.write_prepared(unchanged)  # nothing written: the next page is not built ahead
    assert all(p.built is None for p in writer.prepare_page(records).documents.values())


def test_rows_built_ahead_survive_a_refused_page(make_account, monkeypatch):
    """The page is retried one document at a time from the same prepared rows."""
    target = dialects.PostgresPages if POSTGRES else dialects.SqlitePages
    original = target.upsert_documents

    def refuse_bad(self, table, columns, conflict, update, rows, key_index, account_id):
        if any(row[key_index] == "doc-bad" for row in rows):
            raise DataError("value refused")
        return original(self, table, columns, conflict, update, rows, key_index, account_id)

    monkeypatch.setattr(target, "upsert_documents", refuse_bad)
    account = make_account()
    writer = IndexWriter(account, seen_at=timezone.now())
    writer.write([make_record(i) for i in range(3)])
    page = writer.prepare_page(
        [make_record(i) for i in range(3, 6)] + [make_record(9, external_id="doc-bad")]
    )

    stats = writer.write_prepared(page)

    assert (stats.created, stats.skipped) == (3, 1)
    assert account.documents.count() == 6
    assert DocumentParty.objects.filter(document__account=account).count() == 12


def test_sightings_are_gone_after_a_sync(make_account):
    account = make_account(name="acme")
    FakeConnector.data["acme"] = [make_record(i) for i in range(25)]
    sync_account(account, full=True)
    run = sync_account(account, full=True)
    assert (run.fetched, run.created, run.updated, run.removed) == (25, 0, 0, 0)
    assert not SyncSighting.objects.exists()


def test_last_listed_at_follows_the_last_full_sync(make_account):
    account = make_account(name="acme")
    FakeConnector.data["acme"] = [make_record(1)]
    sync_account(account, full=True)
    sync_account(account, full=True)
    doc = SignedDocument.objects.select_related("account").get(account=account)
    assert doc.last_seen_at < doc.account.last_full_sync_at
    assert doc.last_listed_at == doc.account.last_full_sync_at


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL statistics")
def test_a_large_write_refreshes_the_planner_statistics(make_account, monkeypatch):
    from signhub.core import index

    monkeypatch.setattr(index, "ANALYZE_AFTER", 100)
    account = make_account()
    writer = IndexWriter(account, seen_at=timezone.now())
    with CaptureQueriesContext(connection) as ctx:
        writer.write([make_record(i) for i in range(150)])
    assert any(q["sql"].startswith("ANALYZE") for q in ctx.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'core_signeddocument'")
        assert cursor.fetchone()[0] >= 150


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL statistics")
@pytest.mark.django_db
def test_the_blob_columns_are_left_out_of_the_statistics():
    """What the sync's ANALYZE skips (migration core 0013): never filtered nor sorted on."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstattarget FROM pg_attribute "
            "WHERE attrelid = 'core_signeddocument'::regclass AND attnum > 0 "
            "AND NOT attisdropped"
        )
        targets = dict(cursor.fetchall())
    assert {c: targets[c] for c in ("raw", "signers", "files", "content_hash")} == {
        "raw": 0,
        "signers": 0,
        "files": 0,
        "content_hash": 0,
    }
    assert targets["status"] != 0 and targets["search_text"] != 0
