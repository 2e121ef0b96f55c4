"""Status chip counts: exact within the cap, capped or estimated past it, never a full count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from signhub.core.models import SignedDocument
from signhub.dashboard import queries

from .conftest import bulk_docs

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="planner estimates are PostgreSQL's"
)


@pytest.fixture
def mixed(accounts):
    """60 documents: 40 completed, 15 declined, 5 expired."""
    a, _ = accounts
    bulk_docs(a, 60)
    ids = list(SignedDocument.objects.order_by("id").values_list("id", flat=True))
    SignedDocument.objects.filter(id__in=ids[40:55]).update(status="declined")
    SignedDocument.objects.filter(id__in=ids[55:]).update(status="expired")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum keeps them
    return SignedDocument.objects.all()


def test_within_the_cap_every_count_is_exact(mixed):
    counts = queries.count_documents(mixed, [], cap=100)
    assert (counts.total, counts.total_capped, counts.approximate) == (60, False, False)
    assert counts.by_status["completed"] == 40
    assert counts.by_status["declined"] == 15
    assert counts.by_status["draft"] == 0
    selected = queries.count_documents(mixed, ["declined", "expired"], cap=100)
    assert (selected.total, selected.total_capped) == (20, False)


def test_exact_counts_read_the_rows_once(mixed):
    """Total and breakdown come from one grouped query (plus PostgreSQL's EXPLAIN)."""
    with CaptureQueriesContext(connection) as ctx:
        queries.count_documents(mixed, [], cap=100)
    counting = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith("EXPLAIN")]
    assert len(counting) == 1
    assert "GROUP BY" in counting[0] and "LIMIT 101" in counting[0]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has no estimates")
def test_past_the_cap_sqlite_counts_each_status_up_to_the_cap(mixed):
    counts = queries.count_documents(mixed, [], cap=10)
    assert (counts.total, counts.total_capped) == (10, True)
    assert counts.by_status["completed"] == 10 and "completed" in counts.capped_statuses
    assert counts.by_status["expired"] == 5 and "expired" not in counts.capped_statuses
    selected = queries.count_documents(mixed, ["expired"], cap=10)
    assert (selected.total, selected.total_capped) == (5, False)


@postgres_only
def test_far_past_the_cap_postgres_asks_the_planner_and_reads_no_rows(mixed):
    with CaptureQueriesContext(connection) as ctx:
        counts = queries.count_documents(mixed, [], cap=5)
    # One EXPLAIN and the status column's statistics; no query reads the documents.
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert len(sqls) == 2 and sqls[0].startswith("EXPLAIN") and "pg_stats" in sqls[1]
    assert counts.approximate and counts.total_capped
    assert 30 <= counts.approximate_total <= 120  # 60 rows; estimates are close, not exact
    assert 20 <= counts.by_status["completed"] <= 80  # 2/3 of them
    assert counts.by_status["declined"] < counts.by_status["completed"]
    assert counts.by_status["draft"] == 0  # no draft in the statistics
    selected = queries.count_documents(mixed, ["declined", "expired"], cap=5)
    expected = selected.by_status["declined"] + selected.by_status["expired"]
    assert selected.approximate_total == expected


@postgres_only
def test_when_the_planner_underestimates_the_count_stops_at_the_cap(mixed, monkeypatch):
    """A wrong "few rows" estimate costs at most cap+1 rows read, then shows "20+"."""
    monkeypatch.setattr(queries, "estimate_rows", lambda qs: 1)
    counts = queries.count_documents(mixed, [], cap=20)
    assert counts.total_capped and counts.approximate and counts.total == 20
    assert counts.approximate_total == 20


def test_an_estimate_is_split_by_status_shares_within_the_possible_statuses(monkeypatch):
    monkeypatch.setattr(queries, "status_shares", lambda: {"completed": 0.75, "declined": 0.25})
    assert queries.split_estimate(1000)["completed"] == 750
    attention = ("declined", "expired", "failed", "in_progress")
    split = queries.split_estimate(1000, attention)
    assert split["declined"] == 1000 and split["completed"] == 0
    # No statistics yet (a table never analyzed): equal shares rather than zeros.
    monkeypatch.setattr(queries, "status_shares", lambda: {})
    split = queries.split_estimate(800, attention)
    assert split["expired"] == 200 and split["completed"] == 0


def test_needs_attention_chips_never_estimate_statuses_it_excludes(monkeypatch, mixed):
    """Even when estimated, the view's chips show 0 for statuses it cannot contain."""
    monkeypatch.setattr(queries, "estimate_rows", lambda qs: 1_000_000)
    monkeypatch.setattr(queries, "status_shares", lambda: {"completed": 0.9, "declined": 0.1})
    data = {"view": "attention", "status": []}
    counts = queries.count_documents(
        mixed, data["status"], cap=5, possible=queries.possible_statuses(data)
    )
    assert counts.approximate and counts.by_status["completed"] == 0
    assert counts.by_status["declined"] == 1_000_000
