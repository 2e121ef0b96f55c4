"""CSV export: the current filter exactly, a header row, UTC times, formula-safe cells."""

from __future__ import annotations

import csv
import io

import pytest

from signhub.core.export import EXPORT_FIELDS
from signhub.core.models import AuditEvent
from signhub.dashboard.csv_export import safe_cell

from .conftest import bulk_docs, index, make_record

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
        (["=x", "y"], "'=x; y"),
    ],
)
def test_safe_cell_guards_formulas(value, expected):
    assert safe_cell(value) == expected


def test_export_has_header_and_utc_times(client, superuser, docs):
    client.force_login(superuser)
    response = client.get("/documents/export.csv", {"tz": "Asia/Tokyo"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert list(rows[0]) == EXPORT_FIELDS
    assert len(rows) == 5
    maria = next(r for r in rows if r["title"] == "Employment contract Maria Lopez")
    assert maria["completed_at"] == "2026-03-01T12:00:00Z"
    assert maria["signer_emails"] == "Maria.Lopez@example.com"
    assert maria["labels"] == "contracts; hr"


def test_export_escapes_formulas(client, superuser, docs):
    client.force_login(superuser)
    rows = read_csv(client.get("/documents/export.csv"))
    evil = next(r for r in rows if r["external_id"] == "doc-3")
    assert evil["labels"] == "'=cmd|' /C calc'!A0"
    assert evil["title"] == "<script>alert(1)</script>"  # CSV is not HTML: kept as text


def test_export_respects_the_current_filter(client, superuser, docs):
    client.force_login(superuser)
    rows = read_csv(client.get("/documents/export.csv", {"status": "declined", "provider": "fake"}))
    assert [r["title"] for r in rows] == ["NDA Peter"]
    rows = read_csv(client.get("/documents/export.csv", {"person": "maria.lopez@example.com"}))
    assert sorted(r["title"] for r in rows) == ["Beta policy", "Employment contract Maria Lopez"]


def test_export_ignores_paging_and_returns_every_match(client, superuser, accounts):
    a, _ = accounts
    bulk_docs(a, 130)
    client.force_login(superuser)
    first = client.get("/documents/", {"per_page": "25"}).context["page"]
    rows = read_csv(client.get("/documents/export.csv", {"after": first.next_token}))
    assert len(rows) == 130


def test_export_link_carries_the_filter(client, superuser, docs):
    client.force_login(superuser)
    html = client.get("/documents/", {"q": "nda", "per_page": "50"}).content.decode()
    assert 'href="/documents/export.csv?q=nda"' in html


def test_export_is_audited(client, reviewer_a, docs):
    client.force_login(reviewer_a)
    b"".join(client.get("/documents/export.csv", {"q": "nda"}).streaming_content)
    event = AuditEvent.objects.get(action="export_csv")
    assert event.actor == reviewer_a
    assert event.details["filters"] == {"q": ["nda"]}


def test_export_streams(client, superuser, accounts):
    a, _ = accounts
    index(a, [make_record(i) for i in range(5)])
    client.force_login(superuser)
    response = client.get("/documents/export.csv")
    assert response.streaming
