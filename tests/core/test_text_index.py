"""Free text: `text_search` answers like a substring scan, through SQLite's FTS5 trigram index
(kept in step with the document table) or PostgreSQL's pg_trgm index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from signhub.core import dialects
from signhub.core.dialects import TEXT_INDEX, ensure_text_index, text_search
from signhub.core.index import IndexWriter
from signhub.core.models import SignedDocument
from tests.fakes import make_record

SQLITE = connection.vendor == "sqlite"
sqlite_only = pytest.mark.skipif(not SQLITE, reason="the FTS5 index is SQLite's")

TITLES = [
    "Employment contract Maria Lopez",
    "NDA Peter O'Brien",
    'Bonus "special" 100%_done',
    "Überstunden Jürgen",
    "Policy handbook 2026",
]


@pytest.fixture
def docs(make_account):
    account = make_account()
    IndexWriter(account, seen_at=timezone.now()).write(
        [make_record(i, title=title) for i, title in enumerate(TITLES)]
    )
    return account


def _scan(terms):
    qs = SignedDocument.objects.all()
    for term in terms:
        qs = qs.filter(search_text__contains=term)
    return sorted(qs.values_list("title", flat=True))


def _search(terms):
    return sorted(text_search(SignedDocument.objects.all(), terms).values_list("title", flat=True))


@pytest.mark.parametrize(
    "terms",
    [
        ["contract"],
        ["lopez", "maria"],
        ["o'brien"],
        ['"special"'],
        ["100%_done"],
        ["%"],
        ["_"],
        ["jürgen"],
        ["überstunden", "emp3@example.com"],
        ["no-such-word"],
        ["nd"],  # shorter than a trigram: scanned
        ["contract", "nd"],
        ["doc-4"],
    ],
)
def test_the_index_answers_like_a_scan(docs, terms):
    assert _search(terms) == _scan(terms)


@sqlite_only
def test_a_rare_term_is_looked_up_in_the_index_not_scanned(docs):
    with CaptureQueriesContext(connection) as ctx:
        titles = _search(["lopez"])
    assert titles == ["Employment contract Maria Lopez"]
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert f"{TEXT_INDEX} MATCH" in sql
    assert "LIKE" not in sql


@sqlite_only
def test_a_common_term_falls_back_to_the_scan(docs, monkeypatch):
    monkeypatch.setattr(dialects, "TEXT_ID_LIMIT", 2)
    with CaptureQueriesContext(connection) as ctx:
        assert _search(["example.com"]) == sorted(TITLES)
    assert "LIKE" in ctx.captured_queries[-1]["sql"]


@sqlite_only
def test_the_index_follows_inserts_changes_and_deletes(docs):
    writer = IndexWriter(docs, seen_at=timezone.now())
    writer.write([make_record(1, title="Renamed agreement")])
    assert _search(["renamed"]) == ["Renamed agreement"]
    assert _search(["o'brien"]) == []
    SignedDocument.objects.filter(title__startswith="Policy").delete()
    assert _search(["handbook"]) == []
    with connection.cursor() as cursor:  # FTS5's own consistency check
        cursor.execute(
            f"INSERT INTO {TEXT_INDEX}({TEXT_INDEX}, rank) VALUES ('integrity-check', 1)"
        )


@sqlite_only
def test_lost_triggers_come_back_with_a_rebuilt_index(docs):
    """A migration that rebuilds the table on SQLite drops its triggers: migrate repairs."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {TEXT_INDEX}_insert")
    IndexWriter(docs, seen_at=timezone.now()).write([make_record(9, title="Written meanwhile")])

    assert ensure_text_index(connection) is True

    assert _search(["meanwhile"]) == ["Written meanwhile"]
    assert ensure_text_index(connection) is False  # nothing left to do


@sqlite_only
def test_the_index_can_be_turned_off(docs, settings):
    settings.SIGNHUB_SQLITE_TEXT_INDEX = False
    try:
        assert ensure_text_index(connection) is True
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE %s", [f"{TEXT_INDEX}%"]
            )
            assert cursor.fetchone()[0] == 0
        assert _search(["lopez"]) == ["Employment contract Maria Lopez"]  # scanned
    finally:
        settings.SIGNHUB_SQLITE_TEXT_INDEX = True
        ensure_text_index(connection)
