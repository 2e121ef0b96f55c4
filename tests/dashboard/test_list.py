"""The documents list: filters, sorting, keyset paging, counts, HTMX fragments, bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from signhub.core.models import SignedDocument

from .conftest import DocumentStatus, SignerRecord, bulk_docs, index, make_record

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's text with whitespace runs collapsed (templates wrap lines)."""
    return re.sub(r"\s+", " ", response.content.decode())


def titles(response) -> list[str]:
    return [doc.title for doc in response.context["page"].rows]


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_free_text_matches_title_ids_names_and_emails(admin_client, docs):
    assert titles(admin_client.get("/documents/", {"q": "maria"})) == [
        "Beta policy",  # sender maria.lopez@... (same completed time, higher id first)
        "Employment contract Maria Lopez",
    ]
    assert titles(admin_client.get("/documents/", {"q": "doc-2"})) == ["NDA Peter"]
    assert titles(admin_client.get("/documents/", {"q": "EMPLOYMENT lopez"})) == [
        "Employment contract Maria Lopez"
    ]


def test_text_search_treats_wildcards_literally(admin_client, docs):
    assert titles(admin_client.get("/documents/", {"q": "%"})) == []
    assert titles(admin_client.get("/documents/", {"q": "_"})) == []


def test_provider_account_and_status_filters_combine(admin_client, docs):
    a, b = docs
    response = admin_client.get("/documents/", {"provider": "fake", "status": "declined"})
    assert titles(response) == ["NDA Peter"]
    response = admin_client.get("/documents/", {"account": b.pk, "status": "in_progress"})
    assert titles(response) == ["Beta offer"]


def test_status_chips_count_across_statuses(admin_client, docs):
    response = admin_client.get("/documents/", {"status": "declined"})
    counts = response.context["counts"]
    assert counts.by_status["completed"] == 3
    assert counts.by_status["declined"] == 1
    assert counts.by_status["in_progress"] == 1
    assert counts.total == 1
    assert b'id="id_status_declined" checked' in response.content


def test_counts_are_capped(admin_client, accounts, monkeypatch):
    from signhub.dashboard import estimates, queries

    a, _ = accounts
    bulk_docs(a, 30)
    monkeypatch.setattr(estimates, "SAMPLE_SIZE", 10)  # SQLite samples 10 of the 30 ids
    counts = queries.count_documents(SignedDocument.objects.all(), [], cap=20)
    assert counts.total == 20 and counts.total_capped
    assert "completed" in counts.capped_statuses
    assert counts.approximate  # the planner's or the sample's estimate, shown as "≈ n"


def test_capped_counts_read_10000_plus(admin_client, accounts, monkeypatch, settings):
    from signhub.dashboard import estimates

    a, _ = accounts
    bulk_docs(a, 30)
    monkeypatch.setattr(estimates, "SAMPLE_SIZE", 10)
    settings.SIGNHUB_COUNT_CAP = 5
    response = admin_client.get("/documents/")
    assert response.context["counts"].total_capped
    assert "5+" in response.content.decode() or "about" in response.content.decode()


def test_sender_signer_and_label_filters(admin_client, docs):
    assert titles(admin_client.get("/documents/", {"sender": "MARIA.LOPEZ@example.com"})) == [
        "Beta policy"
    ]
    assert titles(admin_client.get("/documents/", {"signer": "maria.lopez@example.com"})) == [
        "Employment contract Maria Lopez"
    ]
    assert titles(admin_client.get("/documents/", {"label": "hr"})) == [
        "Employment contract Maria Lopez"
    ]
    assert titles(admin_client.get("/documents/", {"label": "hr, contracts"})) == [
        "Employment contract Maria Lopez"
    ]
    assert titles(admin_client.get("/documents/", {"label": "h"})) == []  # exact labels only


def test_sender_and_employee_filters_ignore_the_providers_email_case(admin_client, accounts):
    a, _ = accounts
    index(a, [make_record(1, title="Mixed case", sender_email="Hana.HR@Example.COM")])
    for params in ({"sender": "hana.hr@example.com"}, {"person": "HANA.hr@example.com"}):
        assert titles(admin_client.get("/documents/", params)) == ["Mixed case"]
    assert titles(admin_client.get("/documents/", {"sender": "hana@example.com"})) == []


def test_employee_view_lists_documents_as_signer_or_sender_with_decision(admin_client, docs):
    response = admin_client.get("/documents/", {"person": "maria.lopez@example.com"})
    assert sorted(titles(response)) == ["Beta policy", "Employment contract Maria Lopez"]
    html = response.content.decode()
    assert "Documents of maria.lopez@example.com" in html
    assert "Sender" in html and "Signer" in html
    assert 'datetime="2026-03-10T14:30:00+00:00"' in html  # Maria's decision time


def test_removed_documents_are_hidden_unless_asked(admin_client, docs):
    a, _ = docs
    SignedDocument.objects.filter(account=a, external_id="doc-2").update(removed_at=timezone.now())
    assert "NDA Peter" not in titles(admin_client.get("/documents/"))
    assert "NDA Peter" in titles(admin_client.get("/documents/", {"removed": "on"}))


def test_needs_attention_view(admin_client, accounts):
    a, _ = accounts
    now = timezone.now()
    index(
        a,
        [
            make_record(
                1,
                title="recent decline",
                status=DocumentStatus.DECLINED,
                last_activity_at=now - timedelta(days=2),
            ),
            make_record(
                2,
                title="old decline",
                status=DocumentStatus.DECLINED,
                last_activity_at=now - timedelta(days=90),
            ),
            make_record(
                3,
                title="overdue",
                status=DocumentStatus.IN_PROGRESS,
                completed_at=None,
                expires_at=now - timedelta(days=1),
            ),
            make_record(
                4,
                title="still open",
                status=DocumentStatus.IN_PROGRESS,
                completed_at=None,
                expires_at=now + timedelta(days=5),
            ),
            make_record(
                5,
                title="recent failure",
                status=DocumentStatus.FAILED,
                last_activity_at=now - timedelta(days=1),
            ),
        ],
    )
    response = admin_client.get("/documents/", {"view": "attention"})
    assert sorted(titles(response)) == ["overdue", "recent decline", "recent failure"]
    assert b"Needs attention" in response.content


def test_date_presets_and_custom_range(admin_client, accounts):
    a, _ = accounts
    now = timezone.now()
    index(
        a,
        [
            make_record(1, title="today", completed_at=now, created_at=now),
            make_record(
                2,
                title="last year",
                completed_at=now - timedelta(days=400),
                created_at=now - timedelta(days=400),
            ),
            make_record(
                3,
                title="march",
                completed_at=datetime(2025, 3, 15, 12, tzinfo=UTC),
                created_at=datetime(2025, 3, 1, tzinfo=UTC),
            ),
        ],
    )
    assert titles(admin_client.get("/documents/", {"completed": "today"})) == ["today"]
    assert titles(admin_client.get("/documents/", {"created": "this_year"})) == ["today"]
    response = admin_client.get(
        "/documents/",
        {"completed": "custom", "completed_from": "2025-03-01", "completed_to": "2025-03-31"},
    )
    assert titles(response) == ["march"]
    # The "to" day is inclusive, in the viewer's zone.
    response = admin_client.get(
        "/documents/", {"completed_from": "2025-03-15", "completed_to": "2025-03-15"}
    )
    assert titles(response) == ["march"]


def test_presets_use_the_viewer_time_zone(admin_client, accounts):
    a, _ = accounts
    now = timezone.now()
    index(a, [make_record(1, title="now", completed_at=now)])
    # In any zone, a document completed right now is "today" there.
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"):
        assert titles(admin_client.get("/documents/", {"completed": "today", "tz": zone})) == [
            "now"
        ]


def test_dates_are_shown_in_the_viewer_zone_with_its_name(admin_client, docs):
    response = admin_client.get("/documents/", {"tz": "Europe/Berlin"})
    html = response.content.decode()
    assert "times in Europe/Berlin" in html
    assert "2026-03-01" in html and "CET (Europe/Berlin)" in html
    assert response.cookies["tz"].value == "Europe/Berlin"
    # The cookie alone is enough afterwards.
    assert "times in Europe/Berlin" in admin_client.get("/documents/").content.decode()


def test_sorting_is_stable_with_ties_broken_by_id(admin_client, accounts):
    a, _ = accounts
    same = datetime(2026, 1, 1, tzinfo=UTC)
    index(a, [make_record(i, title=f"t{i}", completed_at=same) for i in range(5)])
    ids = [d.pk for d in admin_client.get("/documents/").context["page"].rows]
    assert ids == sorted(ids, reverse=True)
    ids = [
        d.pk for d in admin_client.get("/documents/", {"sort": "completed"}).context["page"].rows
    ]
    assert ids == sorted(ids)


@pytest.mark.parametrize("sort", ["title", "-title", "status", "-status", "created", "-activity"])
def test_every_sort_walks_all_rows_once_in_order(admin_client, accounts, sort):
    a, _ = accounts
    base = datetime(2026, 1, 1, tzinfo=UTC)
    records = []
    for i in range(23):
        records.append(
            make_record(
                i,
                title=f"Doc {i % 7}",
                status=[DocumentStatus.COMPLETED, DocumentStatus.DECLINED, DocumentStatus.DRAFT][
                    i % 3
                ],
                created_at=None if i % 5 == 0 else base + timedelta(days=i % 4),
                last_activity_at=None if i % 4 == 0 else base + timedelta(days=i % 6),
            )
        )
    index(a, records)
    seen, after, pages = [], None, 0
    while True:
        params = {"sort": sort, "per_page": "25"}
        response = admin_client.get(
            "/documents/", {**params, **({"after": after} if after else {})}
        )
        page = response.context["page"]
        seen += page.rows
        pages += 1
        if not page.has_next:
            break
        after = page.next_token
    assert len({d.pk for d in seen}) == 23


@pytest.mark.parametrize("sort", ["completed", "-completed", "created", "-activity"])
def test_a_result_that_fits_one_page_comes_in_one_query_in_the_same_order(accounts, sort):
    """Dated rows first, then undated ones by id, whether walked in segments or at once."""
    from signhub.dashboard.paging import paginate

    a, _ = accounts
    base = datetime(2026, 1, 1, tzinfo=UTC)
    index(
        a,
        [
            make_record(
                i,
                completed_at=None if i % 3 == 0 else base + timedelta(days=i % 4),
                created_at=None if i % 5 == 0 else base + timedelta(days=i % 2),
                last_activity_at=None if i % 4 == 0 else base + timedelta(days=i % 6),
            )
            for i in range(20)
        ],
    )
    qs = SignedDocument.objects.all()
    walked = [d.pk for d in paginate(qs, sort, 25).rows]
    with CaptureQueriesContext(connection) as ctx:
        at_once = [d.pk for d in paginate(qs, sort, 25, total=20).rows]
    assert at_once == walked and len(walked) == 20
    assert len(ctx.captured_queries) == 1


def test_keyset_pages_forward_and_back_with_row_numbers(admin_client, accounts):
    a, _ = accounts
    bulk_docs(a, 60)
    # Some documents without a completion date: they come last, in both directions.
    index(
        a,
        [
            make_record(
                100 + i, title=f"open {i}", completed_at=None, status=DocumentStatus.IN_PROGRESS
            )
            for i in range(7)
        ],
    )
    everything = []
    after = None
    while True:
        response = admin_client.get("/documents/", {"after": after} if after else {})
        page = response.context["page"]
        assert page.start == len(everything) + 1
        everything += [d.pk for d in page.rows]
        if not page.has_next:
            break
        after = page.next_token
    assert len(everything) == len(set(everything)) == 67
    assert everything[-7:] == sorted(everything[-7:], reverse=True)
    assert "Showing 51–67 of 67" in text(response)

    # Back from the last page, one page at a time, gives the same pages in reverse.
    before = response.context["page"].prev_token
    collected = everything[50:]
    while before:
        page = admin_client.get("/documents/", {"before": before}).context["page"]
        collected = [d.pk for d in page.rows] + collected
        before = page.prev_token
    assert collected == everything
    assert page.start == 1


def test_last_page_link(admin_client, accounts):
    a, _ = accounts
    bulk_docs(a, 60)
    response = admin_client.get("/documents/", {"before": "end"})
    page = response.context["page"]
    assert len(page.rows) == 25 and page.start == 36 and not page.has_next and page.has_prev
    assert "Showing 36–60 of 60" in text(response)


def test_page_size_choice(admin_client, accounts):
    a, _ = accounts
    bulk_docs(a, 120)
    assert len(admin_client.get("/documents/", {"per_page": "50"}).context["page"].rows) == 50
    assert len(admin_client.get("/documents/", {"per_page": "100"}).context["page"].rows) == 100


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": "100000"},
        {"per_page": "-5"},
        {"per_page": "abc"},
        {"completed_from": "2026-13-45"},
        {"completed_from": "0001-01-01", "completed_to": "9999-12-31"},
        {"completed_from": "2026-05-01", "completed_to": "2026-01-01"},
        {"status": "bogus"},
        {"provider": "nope"},
        {"account": "x"},
        {"account": "999999999999999999999999"},
        {"sort": "password"},
        {"after": "not-a-cursor"},
        {"before": "eyJ9"},
        {"after": "WyItY29tcGxldGVkIiwwLCJub3QgYSBkYXRlIiwxLDFd"},
        {"q": "x" * 5000},
        {"q": "'; DROP TABLE core_signeddocument; --"},
        {"q": "\x00\x01null"},
        {"sender": "a\x00b", "signer": "\x00", "person": "x\x00", "label": "\x00"},
        {"view": "everything"},
        {"completed": "yesterday"},
        {"label": ",".join(str(i) for i in range(30))},
        {"tz": "../../etc/passwd"},
        {"tz": "Mars/Olympus"},
        {"removed": "maybe"},
    ],
)
def test_bad_parameters_never_500(admin_client, docs, params):
    response = admin_client.get("/documents/", params)
    assert response.status_code == 200
    assert SignedDocument.objects.count() == 5
    export = admin_client.get("/documents/export.csv", params)
    assert export.status_code == 200
    b"".join(export.streaming_content)


def test_bad_parameters_show_form_errors_and_keep_other_filters(admin_client, docs):
    response = admin_client.get("/documents/", {"completed_from": "2026-13-45", "q": "nda"})
    assert "completed_from" in response.context["form"].errors
    assert titles(response) == ["NDA Peter"]
    assert b'role="alert"' in response.content


def test_huge_page_size_is_clamped(admin_client, accounts):
    a, _ = accounts
    bulk_docs(a, 130)
    response = admin_client.get("/documents/", {"per_page": "100000"})
    assert len(response.context["page"].rows) == 100


def test_titles_and_payloads_are_escaped(admin_client, docs):
    a, _ = docs
    html = admin_client.get("/documents/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    doc = SignedDocument.objects.get(account=a, external_id="doc-3")
    html = admin_client.get(f"/documents/{doc.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    doc1 = SignedDocument.objects.get(account=a, external_id="doc-1")
    html = admin_client.get(f"/documents/{doc1.pk}/").content.decode()
    assert "&lt;b&gt;raw&lt;/b&gt;" in html


def test_no_inline_scripts_or_handlers(admin_client, docs):
    import re

    a, _ = docs
    doc = SignedDocument.objects.get(account=a, external_id="doc-1")
    for url in ("/documents/", f"/documents/{doc.pk}/", "/accounts/", "/login/"):
        html = admin_client.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, tag
        assert not re.search(r"\son[a-z]+=", html), url
        assert "hx-on" not in html


def test_htmx_request_gets_only_the_results_fragment_with_oob_chips(admin_client, docs):
    response = admin_client.get(
        "/documents/", {"q": "nda"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "NDA Peter" in html
    assert 'id="status-chips" class="status-chips" hx-swap-oob="true"' in html
    assert response["Vary"].count("HX-Request") == 1


def test_history_restore_gets_the_full_page(admin_client, docs):
    response = admin_client.get(
        "/documents/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert b"<html" in response.content


def test_controls_push_urls_and_work_without_js(admin_client, docs):
    html = admin_client.get("/documents/").content.decode()
    assert 'hx-push-url="true"' in html
    assert 'method="get" action="/documents/"' in html
    assert 'hx-trigger="submit, change, input changed delay:400ms from:#id_q"' in html


def test_applied_filters_show_as_removable_chips(admin_client, docs):
    response = admin_client.get("/documents/", {"q": "maria", "status": ["completed", "declined"]})
    chips = response.context["chips"]
    assert [(c["label"], c["value"]) for c in chips] == [
        ("Text", "maria"),
        ("Status", "Completed"),
        ("Status", "Declined"),
    ]
    assert chips[1]["query"] == "?q=maria&status=declined"
    assert b"Clear all" in response.content


def test_empty_state_offers_to_clear_filters(admin_client, docs):
    response = admin_client.get("/documents/", {"q": "nothing-matches-this"})
    assert b"No documents match these filters" in response.content
    assert b"Clear filters" in response.content


def test_rows_show_signers_first_few_and_count_and_download(admin_client, accounts):
    from .conftest import FileRecord

    a, _ = accounts
    index(
        a,
        [
            make_record(
                1,
                title="Many signers",
                signers=[
                    SignerRecord(email=f"p{k}@example.com", name=f"Person {k}") for k in range(5)
                ],
                files=[
                    FileRecord(key="audit", name="audit.pdf", kind="audit"),
                    FileRecord(key="doc 1", name="doc.pdf", kind="signed"),
                ],
            )
        ],
    )
    doc = SignedDocument.objects.get()
    html = admin_client.get("/documents/").content.decode()
    assert "Person 0" in html and "Person 2" in html and "Person 3" not in html
    assert "+2 more" in html
    assert f'href="/documents/{doc.pk}/download/doc%201"' in html


def _queries_for(client, params) -> int:
    cache.clear()  # counts are cached per filter for a few seconds; measure cold pages
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/documents/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_page_size_signers_or_labels(client, reviewer_a, accounts):
    a, _ = accounts
    client.force_login(reviewer_a)
    bulk_docs(a, 30, signers=1, labels=1)
    bulk_docs(a, 120, signers=6, labels=5, start=1000)
    small = _queries_for(client, {"per_page": "25"})
    large = _queries_for(client, {"per_page": "100"})
    assert small == large


def test_list_page_query_count_is_pinned(client, reviewer_a, accounts, django_assert_num_queries):
    a, _ = accounts
    client.force_login(reviewer_a)
    bulk_docs(a, 150, signers=4, labels=3)
    # session, user, visible accounts, two for the counts (PostgreSQL: the planner's
    # estimate, then the status breakdown of the first 10,001 rows; SQLite: the id range,
    # then the breakdown, exact when the range is smaller than its sample) and one page of
    # rows. No session write: it is saved at most once a minute (signhub.ops.sessions).
    with django_assert_num_queries(6):
        client.get("/documents/", {"per_page": "100"})
    # Paging on reuses the cached counts.
    with django_assert_num_queries(4):
        client.get("/documents/", {"per_page": "25"})
    # SQLite looks a text term up in its FTS5 index first (signhub.core.dialects.text_search).
    with django_assert_num_queries(7 if connection.vendor == "sqlite" else 6):
        client.get("/documents/", {"per_page": "25", "q": "contract", "status": "completed"})
    # The employee view adds two queries (their document ids as a signer, their role on
    # the shown documents). Its result fits one page, so the dated and undated documents
    # come in one query (see paging.py).
    with django_assert_num_queries(8):
        client.get("/documents/", {"per_page": "100", "person": "s1-0@example.com"})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_postgres_has_the_free_text_and_label_indexes():
    """Migration 0004: without them a rare term or label scans every document."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [SignedDocument._meta.db_table],
        )
        indexes = dict(cursor.fetchall())
    assert "gin_trgm_ops" in indexes["doc_search_trgm_idx"]
    assert "jsonb_path_ops" in indexes["doc_labels_gin_idx"]
