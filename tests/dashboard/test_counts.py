"""Status chip counts: exact within the cap, estimated past it, never a full count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from signhub.core.models import SignedDocument
from signhub.dashboard import estimates, queries
from signhub.dashboard.estimates import Estimate

from .conftest import bulk_docs

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="planner estimates are PostgreSQL's"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the id sample is SQLite's estimate"
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


@postgres_only
def test_postgres_exact_counts_read_the_rows_once(mixed):
    """Total and breakdown come from one grouped query, after the planner's estimate."""
    with CaptureQueriesContext(connection) as ctx:
        queries.count_documents(mixed, [], cap=100)
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert len(sqls) == 2 and sqls[0].startswith("EXPLAIN")
    assert "GROUP BY" in sqls[1] and "LIMIT 101" in sqls[1]


@sqlite_only
def test_sqlite_counts_a_table_smaller_than_the_sample_in_full(mixed):
    """Exact numbers even past the cap: the 'sample' was every document."""
    counts = queries.count_documents(mixed, ["expired"], cap=10)
    assert (counts.total, counts.total_capped, counts.approximate) == (5, False, False)
    assert counts.by_status["completed"] == 40


@sqlite_only
def test_sqlite_estimates_big_results_from_a_sample_of_ids(mixed, monkeypatch):
    monkeypatch.setattr(estimates, "SAMPLE_SIZE", 30)  # half of the 60 ids
    with CaptureQueriesContext(connection) as ctx:
        counts = queries.count_documents(mixed, [], cap=10)
    # The id range, then the sample: no query reads every document.
    assert len(ctx.captured_queries) == 2
    assert counts.approximate and counts.total_capped and counts.total == 10
    assert 40 <= counts.approximate_total <= 80  # 60 documents, sampled and scaled by 2
    assert all(n % 2 == 0 for n in counts.by_status.values())
    assert counts.by_status["completed"] > counts.by_status["declined"]
    assert counts.by_status["draft"] == 0
    # The same sample every time: a reload shows the same numbers.
    assert queries.count_documents(mixed, [], cap=10) == counts
    # The filter applies to the sample: only declined documents can be counted.
    declined = queries.count_documents(mixed.filter(status="declined"), [], cap=2)
    assert {s for s, n in declined.by_status.items() if n} <= {"declined"}


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


def test_when_the_estimate_is_low_the_count_stops_at_the_cap(mixed, monkeypatch):
    """A wrong "few rows" estimate costs at most cap+1 rows read, then shows "20+"."""
    low = Estimate(1, dict.fromkeys(queries.DocumentStatus.values, 0) | {"completed": 1})
    monkeypatch.setattr(queries, "estimate_counts", lambda base, possible: low)
    counts = queries.count_documents(mixed, [], cap=20)
    assert counts.total_capped and counts.approximate and counts.total == 20
    assert counts.approximate_total is None  # "20+", not "about 1"


def test_without_an_estimate_past_the_cap_the_chips_read_n_plus(mixed, monkeypatch):
    monkeypatch.setattr(queries, "estimate_counts", lambda base, possible: None)
    counts = queries.count_documents(mixed, [], cap=20)
    assert counts.total == 20 and counts.total_capped and not counts.approximate
    assert sum(counts.by_status.values()) == 21  # the first cap+1 rows, all marked "+"
    assert counts.capped_statuses == set(queries.DocumentStatus.values)


def test_an_estimate_is_split_by_status_shares_within_the_possible_statuses(monkeypatch):
    monkeypatch.setattr(estimates, "status_shares", lambda: {"completed": 0.75, "declined": 0.25})
    assert estimates.split_estimate(1000)["completed"] == 750
    attention = ("declined", "expired", "failed", "in_progress")
    split = estimates.split_estimate(1000, attention)
    assert split["declined"] == 1000 and split["completed"] == 0
    # No statistics yet (a table never analyzed): equal shares rather than zeros.
    monkeypatch.setattr(estimates, "status_shares", lambda: {})
    split = estimates.split_estimate(800, attention)
    assert split["expired"] == 200 and split["completed"] == 0


@postgres_only
def test_needs_attention_chips_never_estimate_statuses_it_excludes(monkeypatch, mixed):
    """Even when estimated, the view's chips show 0 for statuses it cannot contain."""
    monkeypatch.setattr(estimates, "estimate_rows", lambda qs: 1_000_000)
    monkeypatch.setattr(estimates, "status_shares", lambda: {"completed": 0.9, "declined": 0.1})
    data = {"view": "attention", "status": []}
    counts = queries.count_documents(
        mixed, data["status"], cap=5, possible=queries.possible_statuses(data)
    )
    assert counts.approximate and counts.by_status["completed"] == 0
    assert counts.by_status["declined"] == 1_000_000


@sqlite_only
def test_sqlite_sample_gives_close_numbers_whatever_the_filter(mixed):
    """Sampling 59 of 60 ids (rowid lookups, NOT INDEXED) lands within one of the truth."""
    cutoff = mixed.order_by("completed_at")[30].completed_at
    for filtered in (mixed.filter(completed_at__gte=cutoff), mixed.filter(title__contains="1")):
        estimate = estimates.sample_estimate(filtered, size=59)
        assert not estimate.exact
        assert abs(estimate.total - filtered.count()) <= 2


def test_a_small_status_of_a_huge_result_reads_about_its_estimate(
    client, superuser, mixed, monkeypatch
):
    """Declined documents among a million: "of about 4,500", not "of 10,000+"."""
    huge = Estimate(
        1_000_000,
        dict.fromkeys(queries.DocumentStatus.values, 0) | {"completed": 995_500, "declined": 4_500},
    )
    monkeypatch.setattr(queries, "estimate_counts", lambda base, possible: huge)
    client.force_login(superuser)
    page = client.get("/documents/", {"status": "declined"}).content.decode()
    assert "about 4,500</abbr>" in page and "10,000+" not in page
    page = client.get("/documents/").content.decode()
    assert "about 1,000,000</abbr>" in page
