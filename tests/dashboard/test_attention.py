"""Needs attention says why: who declined and when, expired on, overdue since, the provider's
words for a failure, and the documents expiring in the next 7 days as their own group."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from signhub.core.connector import SignerRecord
from signhub.core.index import IndexWriter
from signhub.core.models import SignedDocument
from signhub.core.status import DocumentStatus
from signhub.dashboard.attention import expiring
from tests.fakes import make_record

pytestmark = pytest.mark.django_db
# The expiring-soon group's query, told apart by its range's lower bound (now).
EXPIRING_RANGE = '"core_signeddocument"."expires_at" >= '


def cells(html: str, label: str) -> list[str]:
    found = re.findall(rf'<td data-label="{label}"[^>]*>(.*?)</td>', html, re.S)
    return [
        " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", c.replace("<br>", " "))).split())
        for c in found
    ]


@pytest.fixture
def attention(make_account):
    account = make_account("fake", name="Acme")
    now = timezone.now()
    IndexWriter(account, seen_at=now).write(
        [
            make_record(
                1,
                title="Declined offer",
                status=DocumentStatus.DECLINED,
                provider_status="declined <b>x</b>",
                completed_at=None,
                last_activity_at=now - timedelta(days=1),
                signers=[
                    SignerRecord(email="a@example.com", name="Ann", status="signed"),
                    SignerRecord(
                        email="bob@example.com",
                        name="Bob <Builder>",
                        status="Declined",
                        decided_at=now - timedelta(days=1),
                    ),
                ],
            ),
            make_record(
                2,
                title="Overdue NDA",
                status=DocumentStatus.IN_PROGRESS,
                completed_at=None,
                expires_at=now - timedelta(days=3, hours=1),
                last_activity_at=now - timedelta(days=20),
            ),
            make_record(
                3,
                title="Broken",
                status=DocumentStatus.FAILED,
                provider_status="error_finalizing",
                completed_at=None,
                last_activity_at=now - timedelta(hours=3),
            ),
            make_record(
                4,
                title="Expires Friday",
                status=DocumentStatus.IN_PROGRESS,
                completed_at=None,
                expires_at=now + timedelta(days=2),
            ),
            make_record(
                5,
                title="Expires next month",
                status=DocumentStatus.IN_PROGRESS,
                completed_at=None,
                expires_at=now + timedelta(days=20),
            ),
        ]
    )
    return account


def test_each_row_says_why(staff_client, attention):
    response = staff_client.get("/documents/", {"view": "attention"})
    html = response.content.decode()
    assert re.search(r'<th scope="col" aria-sort="descending"><a [^>]*sort=urgency[^>]*>Why<', html)
    assert "Sorted by urgency" in html
    main = html.split("Needs attention now")[1]
    why = dict(
        zip([d.title for d in response.context["page"].rows], cells(main, "Why"), strict=True)
    )
    assert why["Declined offer"].startswith("Declined by Bob <Builder>")
    assert "“declined <b>x</b>”" in why["Declined offer"]
    assert "Bob &lt;Builder&gt;" in html and "<b>x</b>" not in html  # escaped
    assert why["Overdue NDA"].startswith("Overdue since")
    assert why["Overdue NDA"].endswith("3 days ago")
    assert why["Broken"].startswith("Failed: “error_finalizing”")


def test_expiring_in_the_next_seven_days_is_its_own_group(staff_client, attention):
    response = staff_client.get("/documents/", {"view": "attention"})
    html = response.content.decode()
    group = html.split('class="expiring-group"')[1].split("</section>")[0]
    assert "Expiring in the next 7 days" in group
    assert "Expires Friday" in group and "Expires next month" not in group
    assert cells(group, "Why")[0].startswith("Expiring soon: expires")
    main = {d.title for d in response.context["page"].rows}
    assert main == {"Declined offer", "Overdue NDA", "Broken"}
    # A status filter without in-progress has no expiring group; the plain list has no Why.
    declined = staff_client.get("/documents/", {"view": "attention", "status": "declined"})
    assert b"expiring-group" not in declined.content
    plain = staff_client.get("/documents/").content.decode()
    assert ">Why<" not in plain and "expiring-group" not in plain


def test_the_expiring_group_is_a_range_of_its_index(attention):
    """Without doc_expiring_idx the group read the whole table (~400 ms on 1,000,000
    documents on PostgreSQL, `bench/list_latency.py --only attention`)."""
    present = SignedDocument.objects.filter(removed_at__isnull=True)
    assert [d.title for d in expiring(present, timezone.now())] == ["Expires Friday"]
    with connection.cursor() as cursor:
        table = connection.introspection.get_constraints(cursor, SignedDocument._meta.db_table)
    assert table["doc_expiring_idx"]["columns"] == ["expires_at", "id"]
    if connection.vendor != "postgresql":
        return  # SQLite's planner picks by its statistics, which five rows do not give
    with connection.cursor() as cursor:  # this test's transaction only
        cursor.execute("SET LOCAL enable_seqscan = off")  # five rows: a scan is cheapest
    plan = expiring(present, timezone.now())[:26].explain()
    assert "Index Scan using doc_expiring_idx" in plan, plan


def test_the_urgency_page_seeks_below_overdue_now(staff_client, attention):
    """The page query says every admitted row is below (OVERDUE, now), so the urgency index
    walk skips the not-yet-expired in-progress documents on top of the overdue group
    (4,068 read and dropped on the 1M bench: 9 ms -> 0.1 ms on PostgreSQL)."""
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get("/documents/", {"view": "attention"})
    assert [d.title for d in response.context["page"].rows] == [
        "Overdue NDA",
        "Broken",
        "Declined offer",
    ]
    pages = [
        q["sql"]
        for q in queries
        if 'ORDER BY "core_signeddocument"."attention_rank" DESC' in q["sql"]
    ]
    assert len(pages) == 1
    assert '"core_signeddocument"."attention_at") < (' in pages[0], pages[0]


def test_the_providers_end_reason_wins_and_the_status_cell_does_not_repeat_it(
    staff_client, attention
):
    from signhub.core.models import SignedDocument

    SignedDocument.objects.filter(title="Declined offer").update(
        ended_by="Carla Candidate", end_reason="Wrong salary", ended_at=timezone.now()
    )
    html = staff_client.get("/documents/", {"view": "attention"}).content.decode()
    main = html.split("Needs attention now")[1]
    row = next(r for r in main.split("<tr>") if "Declined offer" in r)
    assert cells(row, "Why")[0].startswith("Declined by Carla Candidate: “Wrong salary”")
    assert "Wrong salary" not in cells(row, "Status")[0]
    # The plain list keeps the end in its status cell.
    plain = staff_client.get("/documents/", {"status": "declined"}).content.decode()
    assert "Wrong salary" in plain


def test_the_expiring_group_is_on_the_first_page_only(staff_client, attention):
    """Listed first, on their own: later pages of the urgent list do not repeat the group
    (nor pay for its query), and coming back to the first page shows it again."""
    now = timezone.now()
    IndexWriter(attention, seen_at=now).write(
        [
            make_record(
                100 + i,
                title=f"Declined {i}",
                status=DocumentStatus.DECLINED,
                completed_at=None,
                last_activity_at=now - timedelta(hours=i + 1),
            )
            for i in range(30)
        ]
    )
    first = staff_client.get("/documents/", {"view": "attention", "per_page": "25"})
    assert b'class="expiring-group"' in first.content
    token = first.context["page"].next_token
    with CaptureQueriesContext(connection) as queries:
        second = staff_client.get("/documents/", {"view": "attention", "after": token})
    assert second.context["page"].has_prev and second.context["page"].rows
    assert b'class="expiring-group"' not in second.content
    assert not [q for q in queries if EXPIRING_RANGE in q["sql"]]
    back = staff_client.get(
        "/documents/", {"view": "attention", "before": second.context["page"].prev_token}
    )
    assert not back.context["page"].has_prev
    assert b'class="expiring-group"' in back.content


def _urgency_page_sql(client, params: dict) -> tuple[str, object]:
    """The SQL of the page's walk along the urgency key (its first query ordered by it)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/documents/", params)
    walks = [q["sql"] for q in queries if '"attention_rank" ' in q["sql"].split("ORDER BY")[-1]]
    return walks[0], response


def test_a_page_walking_down_from_a_cursor_seeks_to_the_cursor_alone(staff_client, attention):
    """Two row-value bounds compete: PostgreSQL starts its index walk at one and checks the
    other per row, so with (OVERDUE, now) as well a page in the middle of 1,000,000
    documents read everything from the top down to its cursor (3.1 ms -> 0.1 ms)."""
    from signhub.dashboard.paging import _cursor_for

    ceiling = '"core_signeddocument"."attention_at") < ('
    cursor = '"core_signeddocument"."id") < ('
    params = {"view": "attention", "per_page": "25"}
    first_sql, first = _urgency_page_sql(staff_client, params)
    assert ceiling in first_sql and cursor not in first_sql
    top = first.context["page"].rows[0]
    token = _cursor_for(top, "-urgency", 1).encode()
    after_sql, after = _urgency_page_sql(staff_client, {**params, "after": token})
    assert cursor in after_sql and ceiling not in after_sql
    assert [d.title for d in after.context["page"].rows] == ["Broken", "Declined offer"]
    # Walking up (Previous), the ceiling stays: it ends that walk.
    before_sql, _ = _urgency_page_sql(staff_client, {**params, "before": token})
    assert ceiling in before_sql
    # Sorted least urgent first, walking down is Previous.
    rows_up = staff_client.get("/documents/", {**params, "sort": "urgency"}).context["page"].rows
    assert [d.title for d in rows_up] == ["Declined offer", "Broken", "Overdue NDA"]
    token = _cursor_for(rows_up[-1], "urgency", 3).encode()
    params = {**params, "sort": "urgency", "before": token}
    down_sql, down = _urgency_page_sql(staff_client, params)
    assert cursor in down_sql and ceiling not in down_sql
    # Fewer than a page precede it: the pager shows the true first page instead.
    assert down.context["page"].rows == rows_up
    # Walking up from a cursor (least urgent first, Next) and the last page keep the ceiling.
    token = _cursor_for(rows_up[0], "urgency", 1).encode()
    up_params = {k: v for k, v in params.items() if k != "before"}
    up_sql, up = _urgency_page_sql(staff_client, {**up_params, "after": token})
    assert ceiling in up_sql and [d.title for d in up.context["page"].rows] == [
        "Broken",
        "Overdue NDA",
    ]
    for sort in ("urgency", "-urgency"):
        last_sql, _ = _urgency_page_sql(staff_client, {**params, "sort": sort, "before": "end"})
        assert ceiling in last_sql, sort


def test_the_expiring_group_shows_the_soonest_ten_compactly(staff_client, attention):
    from signhub.dashboard.attention import EXPIRING_SHOWN

    now = timezone.now()
    IndexWriter(attention, seen_at=now).write(
        [
            make_record(
                200 + i,
                title=f"Expiring {i:02d}",
                status=DocumentStatus.IN_PROGRESS,
                completed_at=None,
                expires_at=now + timedelta(hours=10 + i),
            )
            for i in range(12)
        ]
    )
    with CaptureQueriesContext(connection) as queries:
        html = staff_client.get("/documents/", {"view": "attention"}).content.decode()
    group = html.split('class="expiring-group"')[1].split("</section>")[0]
    titles = re.findall(r'hx-get="/documents/\d+/">([^<]+)</a>', group)
    assert EXPIRING_SHOWN == 10
    assert titles == [f"Expiring {i:02d}" for i in range(10)]  # soonest first
    assert "10+ in progress, soonest first" in group
    assert "Only the 10 expiring soonest are shown." in group
    heads = re.findall(r'<th scope="col">(.*?)</th>', group)
    assert heads[:4] == ["Title", "Provider · account", "Why", "Signers"]
    # One query for the group, of its own columns only (no status text, dates or JSON it
    # does not show).
    (sql,) = [q["sql"] for q in queries if EXPIRING_RANGE in q["sql"]]
    assert '"provider_status"' not in sql and '"completed_at"' not in sql
    assert sql.rstrip().endswith("LIMIT 11")
