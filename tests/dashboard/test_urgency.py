"""Needs attention sorted by urgency across pages (issue 20): overdue, failed, declined,
expired, the latest first within each; keyset pages forward and back in one query each,
on SQLite and PostgreSQL; the CSV export and the evidence pack in the same order."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from signhub.core import urgency
from signhub.core.models import AuditEvent, SignedDocument
from signhub.core.status import DocumentStatus
from signhub.dashboard.paging import Cursor, InvalidCursor

from .conftest import index, make_record

pytestmark = pytest.mark.django_db

S = DocumentStatus


def python_rank(doc) -> int:
    """The urgency key, restated in Python from the plain columns (not the generated ones)."""
    if doc.status == S.IN_PROGRESS and doc.expires_at:
        return urgency.OVERDUE
    return {S.FAILED: urgency.FAILED, S.DECLINED: urgency.DECLINED, S.EXPIRED: urgency.EXPIRED}.get(
        doc.status, urgency.NONE
    )


def python_at(doc):
    if python_rank(doc) == urgency.OVERDUE:
        return doc.expires_at
    chain = [doc.ended_at, doc.last_activity_at, doc.created_at, doc.first_seen_at]
    if doc.status == S.EXPIRED:
        chain.insert(1, doc.expires_at)
    return next(v for v in chain if v is not None)


@pytest.fixture
def world(accounts):
    """88 documents needing attention in four groups, with ties inside and across groups
    (the same time, several documents), written in a shuffled order so ids do not follow
    urgency; and documents that must stay out (done, expiring later, old, removed)."""
    a, b = accounts
    now = timezone.now().replace(microsecond=0)
    tie = now - timedelta(days=2)
    records = []
    n = 0

    def add(account, **fields):
        nonlocal n
        n += 1
        records.append((account, make_record(1000 + n, completed_at=None, **fields)))

    for i in range(22):
        add(
            a if i % 2 else b,
            title=f"Overdue {i}",
            status=S.IN_PROGRESS,
            expires_at=tie if i < 4 else now - timedelta(days=i, hours=i),
            last_activity_at=now - timedelta(days=40),  # old activity: overdue regardless
        )
    for i in range(22):
        add(
            a if i % 3 else b,
            title=f"Failed {i}",
            status=S.FAILED,
            provider_status="error",
            last_activity_at=tie if i < 3 else now - timedelta(hours=5 * i + 1),
        )
    for i in range(22):
        add(
            b if i % 2 else a,
            title=f"Declined {i}",
            status=S.DECLINED,
            last_activity_at=now - timedelta(hours=3 * i + 2),
            # The provider's end time wins over the last activity when it says one.
            ended_at=tie if i < 3 else None,
        )
    for i in range(22):
        add(
            a,
            title=f"Expired {i}",
            status=S.EXPIRED,
            expires_at=now - timedelta(days=1, hours=i),
            last_activity_at=now - timedelta(hours=i + 1),
            ended_at=tie if i < 2 else None,
        )
    # Out of the view: completed, in progress expiring later (or soon: its own group),
    # declined long ago, removed.
    add(a, title="Done", status=S.COMPLETED, last_activity_at=now)
    add(a, title="Expires soon", status=S.IN_PROGRESS, expires_at=now + timedelta(days=2))
    add(a, title="Expires later", status=S.IN_PROGRESS, expires_at=now + timedelta(days=40))
    add(a, title="Old decline", status=S.DECLINED, last_activity_at=now - timedelta(days=90))
    add(a, title="Removed", status=S.FAILED, deleted=True, last_activity_at=now)
    # Shuffled (a fixed permutation) so that ids are not in urgency order.
    records = records[1::2] + records[::2][::-1]
    for account in (a, b):
        index(account, [r for acc, r in records if acc == account])
    return a, b


def expected_order(**filters) -> list[int]:
    docs = [
        d
        for d in SignedDocument.objects.filter(removed_at__isnull=True, **filters)
        if d.title.split()[0] in ("Overdue", "Failed", "Declined", "Expired")
    ]
    return [d.pk for d in sorted(docs, key=lambda d: (python_rank(d), python_at(d), d.pk))][::-1]


def pages(client, query: str, direction: str = "next"):
    """Every page of the list, following Next (or from the Last page, Previous): the rows'
    ids per page and the queries each page took."""
    start = "&before=end" if direction == "prev" else ""
    url = f"/documents/?{query}&per_page=25{start}"
    found = []
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        main = body.split("Needs attention now")[-1]
        ids = [int(pk) for pk in re.findall(r'<a href="/documents/(\d+)/" hx-get=', main)]
        found.append((ids, len(queries), response))
        link = re.search(rf'<a href="([^"]+)" hx-get="[^"]+" rel="{direction}"', body)
        url = html.unescape(link.group(1)) if link else None
    return found if direction == "next" else found[::-1]


def test_generated_rank_matches_its_definition_for_every_document(world):
    for doc in SignedDocument.objects.all():
        assert (doc.attention_rank, doc.attention_at) == (python_rank(doc), python_at(doc)), doc


def test_urgency_order_across_pages_forward_and_back(client, superuser, world):
    client.force_login(superuser)
    expected = expected_order()
    assert len(expected) == 88
    forward = pages(client, "view=attention")
    assert len(forward) == 4  # 25 + 25 + 25 + 13
    assert [pk for ids, _, _ in forward for pk in ids] == expected
    # Previous from each page is the page before it.
    for (before, _, _), (_, _, response) in zip(forward, forward[1:], strict=False):
        token = response.context["page"].prev_token
        back = client.get(f"/documents/?view=attention&per_page=25&before={token}")
        assert [d.pk for d in back.context["page"].rows] == before
    # From the Last page back to the first (pages counted from the end), nothing skipped.
    backward = pages(client, "view=attention", direction="prev")
    assert backward[-1][0] == expected[-25:]
    walked = [pk for ids, _, _ in backward for pk in ids]
    assert list(dict.fromkeys(walked)) == expected
    # Groups in order: overdue, failed, declined, expired; the latest first in each.
    titles = [SignedDocument.objects.get(pk=pk).title for pk in expected]
    groups = [t.split()[0] for t in titles]
    assert groups == ["Overdue"] * 22 + ["Failed"] * 22 + ["Declined"] * 22 + ["Expired"] * 22
    # Overdue 0-3 expired two days ago, 4 on, one day more each; the ties by id.
    assert titles[4:7] == ["Overdue 4", "Overdue 5", "Overdue 6"]
    # Expired 0 and 1 ended (the provider says when) two days ago: the oldest, last.
    assert set(titles[-2:]) == {"Expired 0", "Expired 1"} and titles[-3] == "Expired 21"
    # The page says how it is sorted; "Showing" counts from the cursors.
    first = " ".join(forward[0][2].content.decode().split())
    assert "Sorted by urgency" in first and "Showing 1–25 of 88 documents" in first
    assert "Showing 51–75 of 88" in " ".join(forward[2][2].content.decode().split())


def test_each_page_costs_the_same_queries(client, superuser, world):
    client.force_login(superuser)
    pages(client, "view=attention")  # warm: the counts are cached for a while
    forward = [queries for _, queries, _ in pages(client, "view=attention")]
    backward = [queries for _, queries, _ in pages(client, "view=attention", direction="prev")]
    assert len(set(forward[1:] + backward[1:])) == 1, (forward, backward)
    # The first page also lists the expiring-soon group above the list: one query more.
    assert forward[0] == forward[1] + 1
    # Walking back from Last, the pages count from the end: the short one left at the
    # start is replaced by the true first page, one more query (the pager, any sort).
    assert backward[0] == forward[0] + 1
    # Of those, the page itself is one query ordered by the urgency key, whatever the page.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get("/documents/?view=attention&per_page=25")
    ordered = [
        q["sql"]
        for q in queries
        if "ORDER BY" in q["sql"] and 'attention_rank" DESC' in q["sql"].split("ORDER BY")[-1]
    ]
    assert len(ordered) == 1, ordered


def test_ties_and_mixed_groups_never_repeat_or_skip_with_any_page_size(client, superuser, world):
    client.force_login(superuser)
    expected = expected_order()
    for size in (50, 100):
        response = client.get(f"/documents/?view=attention&per_page={size}")
        rows = [d.pk for d in response.context["page"].rows]
        assert rows == expected[:size]
        token = response.context["page"].next_token
        if token:
            after = client.get(f"/documents/?view=attention&per_page={size}&after={token}")
            assert [d.pk for d in after.context["page"].rows] == expected[size : 2 * size]


def test_filters_and_visibility_keep_the_order(client, reviewer_a, world):
    a, _ = world
    client.force_login(reviewer_a)
    expected = expected_order(account=a)
    assert [pk for ids, _, _ in pages(client, "view=attention") for pk in ids] == expected
    failed_only = [
        pk
        for ids, _, _ in pages(client, "view=attention&status=failed&status=expired")
        for pk in ids
    ]
    assert failed_only == [
        pk for pk in expected if SignedDocument.objects.get(pk=pk).status in (S.FAILED, S.EXPIRED)
    ]


def test_column_sorts_still_work_in_needs_attention(client, superuser, world):
    client.force_login(superuser)
    by_title = [pk for ids, _, _ in pages(client, "view=attention&sort=title") for pk in ids]
    docs = SignedDocument.objects.in_bulk(by_title)
    assert [docs[pk].title_sort for pk in by_title] == sorted(d.title_sort for d in docs.values())
    assert set(by_title) == set(expected_order())
    # The least urgent first, when asked.
    reverse = [pk for ids, _, _ in pages(client, "view=attention&sort=urgency") for pk in ids]
    assert reverse == expected_order()[::-1]
    body = client.get("/documents/?view=attention&sort=title").content.decode()
    assert 'aria-sort="none"><a href="/documents/?view=attention&amp;sort=-urgency"' in body
    assert "Sorted by Title ↑" in body
    # Urgency is offered in needs attention only.
    assert 'value="-urgency"' in body
    assert 'value="-urgency"' not in client.get("/documents/").content.decode()


def test_csv_and_evidence_pack_follow_the_lists_order(client, superuser, world):
    client.force_login(superuser)
    expected = expected_order()
    response = client.get("/documents/export.csv?view=attention")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    keys = [(r["account"], r["external_id"]) for r in csv.DictReader(io.StringIO(text))]
    by_key = {(d.account.name, d.external_id): d.pk for d in SignedDocument.objects.all()}
    assert [by_key[k] for k in keys] == expected

    response = client.post(
        "/documents/evidence-pack/?view=attention", {"scope": "filter", "confirm": "1"}
    )
    b"".join(response.streaming_content)
    event = AuditEvent.objects.filter(action="evidence_pack").latest("id")
    assert event.details["document_ids"] == expected

    # A selection (the bar posts with the list's query string): in the list's order too.
    chosen = [expected[40], expected[3], expected[70]]
    response = client.post(
        "/documents/evidence-pack/?view=attention", {"scope": "selected", "ids": chosen}
    )
    b"".join(response.streaming_content)
    event = AuditEvent.objects.filter(action="evidence_pack").latest("id")
    assert event.details["document_ids"] == sorted(chosen, key=expected.index)
    response = client.post("/documents/export.csv?view=attention", {"ids": chosen})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    keys = [(r["account"], r["external_id"]) for r in csv.DictReader(io.StringIO(text))]
    assert [by_key[k] for k in keys] == sorted(chosen, key=expected.index)


def test_a_pack_past_its_limit_takes_the_most_urgent(client, superuser, world, settings):
    settings.SIGNHUB_EVIDENCE_MAX_DOCS = 5
    client.force_login(superuser)
    response = client.post(
        "/documents/evidence-pack/?view=attention", {"scope": "filter", "confirm": "1"}
    )
    b"".join(response.streaming_content)
    event = AuditEvent.objects.filter(action="evidence_pack").latest("id")
    assert event.details["document_ids"] == expected_order()[:5]


def test_every_write_path_keeps_the_rank(accounts):
    """The database computes it: an upsert that changes the status, an update(), a save()."""
    a, _ = accounts
    now = timezone.now()
    index(a, [make_record(1, status=S.IN_PROGRESS, completed_at=None, expires_at=now)])
    doc = SignedDocument.objects.get(external_id="doc-1")
    assert (doc.attention_rank, doc.attention_at) == (urgency.OVERDUE, now)
    ended = now + timedelta(hours=1)
    index(a, [make_record(1, status=S.DECLINED, completed_at=None, ended_at=ended)])
    doc.refresh_from_db()
    assert (doc.attention_rank, doc.attention_at) == (urgency.DECLINED, ended)
    SignedDocument.objects.filter(pk=doc.pk).update(status=S.FAILED)  # remap_documents' way
    doc.refresh_from_db()
    assert doc.attention_rank == urgency.FAILED
    doc.status = S.COMPLETED
    doc.save()
    doc.refresh_from_db()
    assert doc.attention_rank == urgency.NONE


@pytest.mark.parametrize(
    "value",
    [
        [True, "2026-01-01T00:00:00+00:00"],  # a bool is no rank
        [4],  # too short
        [4, "2026-01-01T00:00:00+00:00", "x"],  # too long
        [400, "2026-01-01T00:00:00+00:00"],
        [4, "not a date"],
        [4, "2026-01-01T00:00:00"],  # naive
        "2026-01-01T00:00:00+00:00",  # one value for a key of two
    ],
)
def test_an_edited_urgency_cursor_is_refused(value):
    token = Cursor(sort="-urgency", value=value, id=3, index=25).encode()
    with pytest.raises(InvalidCursor):
        Cursor.decode(token)


def test_an_urgency_cursor_round_trips():
    cursor = Cursor(sort="-urgency", value=[2, "2026-01-01T00:00:00+00:00"], id=3, index=25)
    assert Cursor.decode(cursor.encode()) == cursor


def _page_query(client, url: str) -> str:
    """The SQL of the list page's own query (ordered by the urgency key)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    [sql] = [
        q["sql"]
        for q in queries
        if "ORDER BY" in q["sql"] and 'attention_rank" DESC' in q["sql"].split("ORDER BY")[-1]
    ]
    return sql


def test_the_first_page_starts_below_documents_expiring_later(client, superuser, accounts):
    """In-progress documents expiring later share the overdue rank but sit above every
    overdue one in the urgency index; the first page seeks past them (a row bound in the
    index condition) instead of reading and discarding each one."""
    a, _ = accounts
    now = timezone.now()
    later = [
        make_record(5000 + i, status=S.IN_PROGRESS, expires_at=now + timedelta(days=30 + i))
        for i in range(300)
    ]
    overdue = [
        make_record(9000 + i, status=S.IN_PROGRESS, expires_at=now - timedelta(days=1 + i))
        for i in range(30)
    ]
    index(a, later + overdue)
    client.force_login(superuser)
    response = client.get("/documents/?view=attention&per_page=25")
    rows = response.context["page"].rows
    assert [d.external_id for d in rows] == [r.external_id for r in overdue[:25]]
    sql = _page_query(client, "/documents/?view=attention&per_page=25")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("ANALYZE core_signeddocument")
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0][0]["Plan"]

            def nodes(node):
                yield node
                for child in node.get("Plans", []):
                    yield from nodes(child)

            [scan] = [n for n in nodes(plan) if n.get("Index Name") == "doc_attention_idx"]
            assert "ROW(" in scan["Index Cond"], scan
            assert scan.get("Rows Removed by Filter", 0) < 50, scan
        else:
            cursor.execute("ANALYZE")
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            detail = " ".join(row[-1] for row in cursor.fetchall())
            assert "USING INDEX doc_attention_idx" in detail, detail
            assert "(attention_rank,attention_at)<" in detail, detail
