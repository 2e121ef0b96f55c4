"""One list object: the list (and its HTMX partial), the CSV export, the evidence pack's
"all matching the filter" and the employee view select the same documents for the same
query string, for every persona; `query_string()` is the one way links change the list."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory

from signhub.core.models import AuditEvent, SignedDocument
from signhub.dashboard.changelist import DocumentList

from .conftest import DocumentStatus, SignerRecord, bulk_docs, index, make_record

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "status=completed&status=declined",
    "q=contract&sort=title",
    "person=maria.lopez@example.com",  # the employee view
    "signer=s5-0@example.com",
    "label=label-0&sort=-created",
    "completed=custom&completed_from=2026-01-01&completed_to=2026-01-02&sort=completed",
    "view=attention",
    "provider=fake&removed=on&sort=status",
]


@pytest.fixture
def world(docs, accounts):
    a, b = accounts
    bulk_docs(a, 40, start=100)
    bulk_docs(b, 15, start=200)
    base = datetime.now(UTC) - timedelta(days=3)
    index(
        b,
        [
            make_record(
                300, title="Declined lately", status=DocumentStatus.DECLINED, last_activity_at=base
            ),
            make_record(
                301,
                title="Maria at Beta",
                signers=[SignerRecord(email="maria.lopez@example.com", name="Maria", order=1)],
            ),
        ],
    )
    return a, b


def list_ids(client, query: str, htmx: bool = False) -> set[int]:
    """Every page of the list (or of its HTMX partial) as a browser sees it: the rows'
    detail links, following the Next link."""
    headers = {"HX-Request": "true", "HX-Target": "results"} if htmx else {}
    url = "/documents/?" + "&".join(filter(None, [query, "per_page=25"]))
    seen: list[int] = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        page = response.content.decode()
        assert ('id="filters"' in page) != htmx  # the partial has no filter form
        seen += [int(pk) for pk in re.findall(r'<a href="/documents/(\d+)/" hx-get=', page)]
        following = re.search(r'<a href="([^"]+)" hx-get="[^"]+" rel="next"', page)
        url = html.unescape(following.group(1)) if following else None
    assert len(seen) == len(set(seen))
    return set(seen)


def csv_ids(client, query: str) -> set[int]:
    response = client.get("/documents/export.csv?" + query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    keys = {(row["account"], row["external_id"]) for row in rows}
    return {
        doc.pk
        for doc in SignedDocument.objects.select_related("account")
        if (doc.account.name, doc.external_id) in keys
    }


def pack_ids(client, query: str) -> set[int]:
    response = client.post(
        "/documents/evidence-pack/?" + query, {"scope": "filter", "confirm": "1"}
    )
    if response.status_code == 404:  # nothing matches: nothing to pack
        return set()
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = AuditEvent.objects.filter(action="evidence_pack").latest("id")
    return set(event.details["document_ids"])


@pytest.mark.parametrize("persona", ["superuser", "reviewer_a", "reviewer_b"])
def test_the_four_consumers_select_the_same_documents(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for query in QUERIES:
        listed = list_ids(client, query)
        assert list_ids(client, query, htmx=True) == listed, query
        assert csv_ids(client, query) == listed, query
        assert pack_ids(client, query) == listed, query
    # Not vacuous: the queries select different, non-empty sets somewhere.
    assert list_ids(client, "") != list_ids(client, "status=declined")


def test_the_employee_view_is_the_list_of_a_person(client, world, superuser):
    client.force_login(superuser)
    employee = list_ids(client, "person=maria.lopez@example.com")
    as_signer = list_ids(client, "signer=maria.lopez@example.com")
    as_sender = list_ids(client, "sender=maria.lopez@example.com")
    assert employee == as_signer | as_sender and len(employee) == 3


def make_list(query: str, user, **kwargs) -> DocumentList:
    request = RequestFactory().get("/documents/?" + query)
    request.user = user
    return DocumentList.from_request(request, **kwargs)


def test_query_string_changes_one_thing_and_starts_over_at_page_one(world, superuser):
    doc_list = make_list("q=x&status=completed&status=declined&after=abc&tz=UTC", superuser)
    assert doc_list.query_string() == "?q=x&status=completed&status=declined&tz=UTC"
    assert doc_list.query_string(status=["declined"]) == "?q=x&status=declined&tz=UTC"
    assert doc_list.query_string(status=[], q=None, tz=None) == ""
    assert doc_list.query_string(sort="-title") == (
        "?q=x&status=completed&status=declined&tz=UTC&sort=-title"
    )
    assert doc_list.query_string(after="tok") == (
        "?q=x&status=completed&status=declined&after=tok&tz=UTC"
    )


def test_page_position_is_decided_once(world, superuser):
    first = make_list("sort=title&per_page=25", superuser)
    token = first.page.next_token
    assert make_list(f"sort=title&after={token}", superuser).after is not None
    # A cursor of another sort (an edited URL) starts over; after wins over before.
    assert make_list(f"sort=-created&after={token}", superuser).after is None
    both = make_list(f"sort=title&after={token}&before={token}", superuser)
    assert both.after is not None and both.before is None
    assert make_list("before=end", superuser).before.at_end


def test_needs_attention_sorts_by_urgency_unless_asked(world, superuser):
    assert make_list("view=attention", superuser).sort == "-urgency"
    assert make_list("view=attention&sort=title", superuser).sort == "title"
    assert make_list("view=attention&sort=urgency", superuser).sort == "urgency"
    assert make_list("", superuser).sort == "-completed"
    # Urgency is needs attention's: elsewhere it is the list's default.
    assert make_list("sort=-urgency", superuser).sort == "-completed"


def test_bad_fields_count_as_not_given(world, superuser):
    doc_list = make_list(
        "per_page=abc&completed_from=1900-01-01&label="
        + ",".join(f"l{i}" for i in range(11))
        + "&q=%00maria&sort=bogus",
        superuser,
    )
    assert set(doc_list.form.errors) == {"per_page", "completed_from", "label", "sort"}
    assert doc_list.data["per_page"] == 25
    assert doc_list.data["completed_from"] is None
    assert doc_list.data["label"] == []
    assert doc_list.data["q"] == "maria"
    assert doc_list.sort == "-completed"
